//! `--lang es`: the text report, `--explain`'s stories and `compare`'s text in
//! Spanish, with nothing left in English and within 100 columns; the data
//! formats the same in every language.

use super::command;
use handoff::report::i18n::Lang;

fn ready_scenarios() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| format!("scenarios/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    files
}

/// Every stretch of English the text reports and stories can print that
/// Spanish says otherwise: each form of each `text.*` and `story.*` message,
/// cut at its placeholders and line breaks, the pieces long enough to be words
/// of their own (not a unit or a `±`).
fn english_phrases() -> Vec<String> {
    let en = Lang::En.catalogue();
    let es = Lang::Es.catalogue();
    let mut phrases = Vec::new();
    for key in en.keys() {
        if !(key.starts_with("text.") || key.starts_with("story.")) {
            continue;
        }
        let spanish: Vec<&str> = es.forms(key).into_iter().map(|(_, t)| t).collect();
        for (_, text) in en.forms(key) {
            for piece in text.split(['{', '}', '\n']) {
                let piece = piece.trim();
                // Odd pieces between braces are placeholder names.
                if piece.len() >= 10
                    && !text.contains(&format!("{{{piece}}}"))
                    && !spanish.iter().any(|s| s.contains(piece))
                {
                    phrases.push(piece.to_owned());
                }
            }
        }
    }
    // Headings a reader would notice first, whatever the catalogue says.
    for heading in [
        "\nDepartments\n",
        "\nHandoffs\n",
        "\nFlows\n",
        "  seed ",
        "  replications ",
        "  horizon ",
        "The iceberg",
        "Revenue ",
        "Stories of",
        "Comparing ",
        " metric ",
        // The external customer, at the end of a handoff (`billing → cliente`);
        // a department may be called `customer-service`.
        "→ customer ",
        "→ customer:",
        "→ customer\n",
    ] {
        phrases.push(heading.to_owned());
    }
    phrases.sort();
    phrases.dedup();
    phrases
}

fn assert_no_english(text: &str, what: &str) {
    let phrases = english_phrases();
    assert!(phrases.len() > 100, "{phrases:?}");
    for phrase in &phrases {
        assert!(
            !text.contains(phrase.as_str()),
            "{what}: English {phrase:?} in the Spanish text:\n{text}"
        );
    }
}

/// The report without the scenario's own name and description (the user's words).
fn after_the_title(report: &str) -> &str {
    let start = report.find("\n\n").expect("a blank line after the title");
    &report[start..]
}

#[test]
fn every_ready_scenario_reads_in_spanish_within_100_columns() {
    for file in ready_scenarios() {
        let report = command::text_of(&["run", &file, "--replications", "2", "-q", "--lang", "es"]);
        let body = after_the_title(&report);
        assert_no_english(body, &file);
        for line in report.lines() {
            assert!(
                line.chars().count() <= 100,
                "{file}: {} columns: {line:?}",
                line.chars().count()
            );
        }
        // Spanish numbers: a decimal comma, never a point between digits.
        let digits = body.as_bytes();
        for (i, w) in digits.windows(3).enumerate() {
            assert!(
                !(w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit()),
                "{file}: a decimal point in {:?}",
                &body[i.saturating_sub(30)..(i + 30).min(body.len())]
            );
        }
        // The same report, the same numbers: only the words and the marks differ.
        let english = command::text_of(&["run", &file, "--replications", "2", "-q"]);
        let counts = |s: &str| {
            s.split(|c: char| !c.is_ascii_digit())
                .filter(|d| !d.is_empty())
                .count()
        };
        assert_eq!(
            counts(after_the_title(&english)),
            counts(body),
            "{file}: the Spanish report shows other numbers than the English one"
        );
    }
}

#[test]
fn the_stories_are_told_in_spanish() {
    let text = command::text_of(&[
        "run",
        "scenarios/silent-majority.toml",
        "--replications",
        "2",
        "-q",
        "--lang",
        "es",
        "--explain",
        "2",
    ]);
    let stories = &text[text.find("Historias de clientes perdidos").expect(&text)..];
    assert!(stories.contains("(réplica 0, semilla "), "{stories}");
    assert!(stories.contains("se fue para siempre"), "{stories}");
    assert_no_english(stories, "--explain");
    // A cause asked for that loses nobody: said in Spanish too.
    let none = command::text_of(&[
        "run",
        "tests/cases/ok/tiny.toml",
        "-q",
        "--lang",
        "es",
        "--explain",
        "50",
        "--cause",
        "handoff:",
    ]);
    assert_no_english(after_the_title(&none), "--explain 50");
}

#[test]
fn compare_speaks_spanish() {
    let text = command::text_of(&[
        "compare",
        "tests/cases/ok/small-escalated.toml",
        "tests/cases/ok/small-gift.toml",
        "-q",
        "--lang",
        "es",
    ]);
    assert!(
        text.starts_with("Comparación de 2 escenarios con números aleatorios comunes\n"),
        "{text}"
    );
    assert!(text.contains("clientes perdidos"), "{text}");
    assert_no_english(&text, "compare");
}

#[test]
fn the_tornado_speaks_spanish_and_its_json_does_not_change() {
    let args = [
        "sensitivity",
        "tests/cases/ok/tiny.toml",
        "-q",
        "--replications",
        "2",
    ];
    let mut spanish_args = args.to_vec();
    spanish_args.extend(["--lang", "es"]);
    let text = command::text_of(&spanish_args);
    assert!(text.starts_with("Sensibilidad de customers.lost"), "{text}");
    // Parameter names (`department.sales.staff`) are identifiers, not English.
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !w.contains('.'))
        .collect();
    assert_no_english(&words.join(" "), "sensitivity");
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let english = command::text_of(&json);
    json.extend(["--lang", "es"]);
    assert_eq!(english, command::text_of(&json));
}

#[test]
fn data_formats_are_the_same_in_every_language() {
    for format in ["json", "csv"] {
        let args = ["run", "tests/cases/ok/tiny.toml", "-q", "--format", format];
        let english = command::text_of(&args);
        let mut spanish_args = args.to_vec();
        spanish_args.extend(["--lang", "es"]);
        assert_eq!(english, command::text_of(&spanish_args), "{format}");
    }
}

#[test]
fn the_external_customer_is_cliente_in_every_spanish_output_and_customer_in_the_data() {
    let scenario = "scenarios/silent-majority.toml";
    let run = ["run", scenario, "-q", "--replications", "2", "--lang", "es"];
    let outputs = [
        ("text", command::text_of(&run)),
        (
            "--explain",
            command::text_of(&[&run[..], &["--explain", "3"]].concat()),
        ),
        (
            "page",
            command::text_of(&[&run[..], &["--format", "html"]].concat()),
        ),
        (
            "compare",
            command::text_of(&[
                "compare",
                scenario,
                "scenarios/baseline.toml",
                "-q",
                "--replications",
                "2",
                "--lang",
                "es",
            ]),
        ),
    ];
    for (what, text) in &outputs {
        // The page's embedded JSON is data: only what the room reads is checked.
        let shown = &text[..text.find("<script").unwrap_or(text.len())];
        assert!(shown.contains("billing → cliente"), "{what}:\n{shown}");
        for english in ["→ customer ", "→ customer:", "→ customer\n", "→ customer<"] {
            assert!(!shown.contains(english), "{what}:\n{shown}");
        }
    }
    // JSON and CSV are data: the customer keeps the name scenarios give it.
    for format in ["json", "csv"] {
        let data = command::text_of(&[&run[..], &["--format", format]].concat());
        assert!(data.contains("billing->customer"), "{format}");
        assert!(!data.contains("cliente"), "{format}");
    }
}
