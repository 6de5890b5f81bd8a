//! The trainer's guides, docs/workshop.md and docs/taller.md, are true: every
//! `handoff` command in them runs as written (from the repository folder) and
//! names scenario files that exist; every page text they quote (a `>` line
//! after `<!-- quote from FILE -->`) is on the page that command wrote; every
//! section of the page is named by its title in the page's catalogue; and the
//! Spanish guide makes Spanish pages.

use crate::readme::split;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_handoff");

/// The page sections a trainer points at, by catalogue key: the guide must
/// name each one by its title, in bold, as the page writes it.
const SECTION_TITLES: &[&str] = &[
    "chain.title",
    "iceberg.title",
    "timeline.title",
    "revenue.title",
    "paths.title",
    "stories.title",
    "scorecard.title",
    "morale.title",
    "incidents.title",
    "learning.title",
    "policy.title",
    "staff.title",
    "compare.table_title",
    "compare.metrics_title",
    "compare.causes_title",
];

struct Quote {
    line: usize,
    file: String,
    text: String,
}

/// Every command of the guide: the lines of its ```sh blocks (with `\`
/// continuations joined) and inline `handoff … scenarios/…` spans without
/// placeholders (FILE, LABEL, …).
fn commands(guide: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in guide.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed == "```sh";
            continue;
        }
        if in_sh {
            let (start, mut text) = pending.take().unwrap_or((i + 1, String::new()));
            text.push_str(trimmed.trim_end_matches('\\'));
            text.push(' ');
            if trimmed.ends_with('\\') {
                pending = Some((start, text));
            } else if text.trim_start().starts_with("handoff ") {
                out.push((start, collapse(&text)));
            }
            continue;
        }
        for span in line.split('`').skip(1).step_by(2) {
            let placeholder = span.contains('…')
                || span
                    .split_whitespace()
                    .any(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
            // Inline spans are commands only when they name a scenario:
            // `handoff run` alone names the command in prose.
            if span.starts_with("handoff ") && span.contains("scenarios/") && !placeholder {
                out.push((i + 1, span.to_owned()));
            }
        }
    }
    out
}

fn quotes(guide: &str) -> Vec<Quote> {
    let lines: Vec<&str> = guide.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(file) = line
            .trim()
            .strip_prefix("<!-- quote from ")
            .and_then(|r| r.strip_suffix(" -->"))
        else {
            continue;
        };
        let quoted: Vec<(usize, &str)> = lines[i + 1..]
            .iter()
            .enumerate()
            .skip_while(|(_, l)| l.trim().is_empty())
            .take_while(|(_, l)| l.trim_start().starts_with('>'))
            .map(|(j, l)| (i + 2 + j, l.trim_start()[1..].trim()))
            .collect();
        assert!(
            !quoted.is_empty(),
            "line {}: a quote marker with no `>` line after it",
            i + 1
        );
        for (line, text) in quoted {
            out.push(Quote {
                line,
                file: file.to_owned(),
                text: text.to_owned(),
            });
        }
    }
    out
}

/// The text of a page as a reader sees it, whitespace collapsed. Tags become
/// `tag_gap` (nothing, for inline markup inside a sentence; a space, for
/// block boundaries).
fn page_text(html: &str, tag_gap: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        text.push_str(&rest[..at]);
        text.push_str(tag_gap);
        rest = rest[at..].find('>').map_or("", |end| &rest[at + end + 1..]);
    }
    text.push_str(rest);
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    collapse(&text)
}

fn collapse(text: &str) -> String {
    text.split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn catalogue(lang: &str) -> toml::Table {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/src/report/i18n/{lang}.toml")).unwrap();
    text.parse().unwrap()
}

/// Run every command of one guide in a fresh folder that has the ready
/// scenarios, and check what the guide says about the pages they write.
fn check_guide(name: &str, lang: &str) {
    let root = env!("CARGO_MANIFEST_DIR");
    let guide = std::fs::read_to_string(format!("{root}/docs/{name}")).unwrap();
    let commands = commands(&guide);
    assert!(commands.len() >= 10, "{name}: only {commands:?}");
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(format!("{root}/scenarios"), dir.path().join("scenarios")).unwrap();

    for (line, command) in &commands {
        let mut args = split(command);
        assert_eq!(args.remove(0), "handoff");
        for arg in args.iter().filter(|a| a.ends_with(".toml")) {
            assert!(
                Path::new(root).join(arg).is_file(),
                "{name} line {line}: {arg} is not a file of the repository"
            );
        }
        if lang == "es" && matches!(args[0].as_str(), "run" | "compare") {
            assert!(
                args.windows(2).any(|w| w == ["--lang", "es"]),
                "{name} line {line}: `{command}` makes an English page; add --lang es"
            );
        }
        let out = Command::new(BIN)
            .current_dir(dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name} line {line}: `{command}` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(at) = args.iter().position(|a| a == "-o") {
            let written = dir.path().join(&args[at + 1]);
            let len = std::fs::metadata(&written).map_or(0, |m| m.len());
            assert!(len > 0, "{name} line {line}: `{command}` wrote nothing");
        }
    }

    let quotes = quotes(&guide);
    assert!(quotes.len() >= 10, "{name}: only {} quotes", quotes.len());
    for quote in quotes {
        let page = std::fs::read_to_string(dir.path().join(&quote.file)).unwrap_or_else(|_| {
            panic!(
                "{name} line {}: no command of the guide writes {}",
                quote.line, quote.file
            )
        });
        let wanted = collapse(&quote.text);
        assert!(
            page_text(&page, "").contains(&wanted) || page_text(&page, " ").contains(&wanted),
            "{name} line {}: {} does not say\n  {wanted}",
            quote.line,
            quote.file
        );
    }

    let words = catalogue(lang);
    let prose = collapse(&guide);
    for key in SECTION_TITLES {
        let title = words[*key].as_str().unwrap();
        assert!(
            prose.contains(&format!("**{title}**")),
            "{name} never names the page section **{title}** ({key})"
        );
    }
}

#[test]
fn the_english_guide_runs_as_written_and_quotes_its_pages() {
    check_guide("workshop.md", "en");
}

#[test]
fn the_spanish_guide_runs_as_written_and_quotes_its_pages() {
    check_guide("taller.md", "es");
}

#[test]
fn the_guides_parsers_find_what_they_should() {
    let guide = "`handoff run` `handoff run FILE` and `handoff validate scenarios/a.toml`\n\
                 ```sh\nhandoff run scenarios/a.toml \\\n  -o a.html\nls\n```\n\
                 <!-- quote from a.html -->\n> Some  words.\n> More.\n";
    let found: Vec<String> = commands(guide).into_iter().map(|(_, c)| c).collect();
    assert_eq!(
        found,
        [
            "handoff validate scenarios/a.toml",
            "handoff run scenarios/a.toml -o a.html"
        ]
    );
    let quotes = quotes(guide);
    assert_eq!(quotes.len(), 2);
    assert_eq!(
        (quotes[0].file.as_str(), quotes[0].text.as_str()),
        ("a.html", "Some  words.")
    );
    assert_eq!(quotes[1].line, 9);
    assert_eq!(
        page_text(
            "<p>12 <b>lost</b>:\u{a0}4\u{a0}%</p><p>Next &amp; last</p>",
            ""
        ),
        "12 lost: 4 %Next & last"
    );
    assert_eq!(page_text("<p>a</p><p>b</p>", " "), "a b");
}
