//! The HTML workshop report and the weekly timeline behind it.
//!
//! - The timeline's buckets add up to the run's totals, for every ready scenario.
//! - Every ready scenario's page (English and Spanish) and one comparison: under
//!   1 MB, nothing outside itself, the same bytes twice, the data block intact.
//! - The same pages in headless Chromium: a screenshot that is not blank and no
//!   console errors. Without Chromium the browser test is skipped loudly, unless
//!   `CI=true`, where it fails.

use super::command;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use handoff::experiment;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_handoff");
/// Enough replications for intervals, few enough for a test.
const REPLICATIONS: &str = "3";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ready_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "the ready scenarios are in scenarios/");
    files
}

#[test]
fn weekly_buckets_add_up_to_the_totals_of_every_ready_scenario() {
    for file in ready_scenarios() {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut model = handoff::scenario::parse(&text, &file.display().to_string()).unwrap();
        model.simulation.replications = 2;
        let outcome = experiment::replicate(&model).unwrap();
        let name = file.display();
        for r in 0..model.simulation.replications {
            let run = &handoff::engine::run(&model, r).unwrap();
            let m = &run.metrics;
            let sum = |f: &dyn Fn(&handoff::metrics::timeline::WeekCounts) -> u64| {
                run.timeline.iter().map(f).sum::<u64>() as f64
            };
            assert_eq!(sum(&|w| w.orders), m.orders.arrived, "{name}: orders");
            assert_eq!(sum(&|w| w.delivered), m.orders.delivered, "{name}");
            assert_eq!(sum(&|w| w.late), m.orders.late, "{name}: late");
            assert_eq!(sum(&|w| w.defects), m.orders.defects, "{name}: defects");
            assert_eq!(sum(&|w| w.customers_lost), m.customers.lost, "{name}");
            assert_eq!(
                sum(&|w| w.prospects_deterred),
                m.customers.prospects_deterred,
                "{name}"
            );
            for (index, cause) in m.lost_by_cause.iter().enumerate() {
                let weekly: u64 = run
                    .timeline
                    .iter()
                    .flat_map(|w| &w.lost_by_cause)
                    .filter(|(c, _)| *c as usize == index)
                    .map(|(_, n)| n)
                    .sum();
                assert_eq!(weekly as f64, cause.customers, "{name}: {}", cause.cause);
            }
            assert!(m.orders.arrived > 0.0, "{name}: something happened");
        }
        // The summary's buckets add up to the summary's means, and cover the counted period.
        let t = &outcome.timeline;
        assert_eq!(t.first().unwrap().from_h, model.simulation.warmup_h);
        assert_eq!(t.last().unwrap().to_h, model.simulation.duration_h);
        let total: f64 = t.iter().map(|b| b.customers_lost.mean).sum();
        let expected = outcome.summary.customers.lost.mean;
        assert!(
            (total - expected).abs() <= 1e-9 * expected.max(1.0),
            "{name}"
        );
        for cause in &outcome.summary.lost_by_cause {
            let weekly: f64 = t
                .iter()
                .flat_map(|b| &b.lost_by_cause)
                .filter(|c| c.cause == cause.cause)
                .map(|c| c.customers.mean)
                .sum();
            let expected = cause.customers.mean;
            assert!(
                (weekly - expected).abs() <= 1e-9 * expected.max(1.0),
                "{name}: {} {weekly} vs {expected}",
                cause.cause
            );
        }
    }
}

#[test]
fn the_json_report_carries_the_timeline() {
    let out = command::stdout_of(&["run", "tests/cases/ok/tiny.toml", "--format", "json", "-q"]);
    let v: Value = serde_json::from_slice(&out).unwrap();
    let buckets = v["timeline"].as_array().expect("a timeline list");
    assert!(!buckets.is_empty());
    for key in [
        "from_h",
        "to_h",
        "orders",
        "delivered",
        "late",
        "defects",
        "customers_lost",
        "prospects_deterred",
        "lost_by_cause",
    ] {
        assert!(!buckets[0][key].is_null(), "bucket has {key}");
    }
    let delivered: f64 = buckets
        .iter()
        .map(|b| b["delivered"]["mean"].as_f64().unwrap())
        .sum();
    let total = v["orders"]["delivered"]["mean"].as_f64().unwrap();
    assert!((delivered - total).abs() < 1e-6 * total.max(1.0));
}

/// The checks every page must pass without a browser; returns the embedded data.
fn check_page(page: &[u8], what: &str) -> Value {
    assert!(page.len() < 1_000_000, "{what}: {} bytes", page.len());
    let text = std::str::from_utf8(page).unwrap();
    for outside in ["http:", "https:", "//", "src=", "href=", "url(", "@import"] {
        assert!(
            !text.contains(outside),
            "{what} refers outside itself: {outside}"
        );
    }
    assert_eq!(
        text.matches("<script").count(),
        1,
        "{what}: only the data block"
    );
    let start = text
        .find("<script type=\"application/json\" id=\"handoff-data\">")
        .unwrap_or_else(|| panic!("{what}: no data block"));
    let body = &text[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: data is not JSON: {e}"))
}

/// Pages of every ready scenario in both languages, and one comparison: (path, bytes).
fn pages(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for file in ready_scenarios() {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let file = file.to_str().unwrap();
        // By extension, in English.
        let en = dir.join(format!("{stem}.en.html"));
        command::stdout_of(&[
            "run",
            file,
            "-q",
            "--replications",
            REPLICATIONS,
            "-o",
            en.to_str().unwrap(),
        ]);
        out.push((en.clone(), std::fs::read(&en).unwrap()));
        // By --format, in Spanish, on standard output.
        let es = command::stdout_of(&[
            "run",
            file,
            "-q",
            "--replications",
            REPLICATIONS,
            "--format",
            "html",
            "--lang",
            "es",
        ]);
        let path = dir.join(format!("{stem}.es.html"));
        std::fs::write(&path, &es).unwrap();
        out.push((path, es));
    }
    let compare = dir.join("compare.html");
    command::stdout_of(&[
        "compare",
        "scenarios/complaints-escalated.toml",
        "scenarios/complaints-are-a-gift.toml",
        "-q",
        "--replications",
        REPLICATIONS,
        "-o",
        compare.to_str().unwrap(),
    ]);
    out.push((compare.clone(), std::fs::read(&compare).unwrap()));
    out
}

#[test]
fn every_ready_page_stands_alone_and_renders_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path());
    for (path, bytes) in &pages {
        let what = path.file_name().unwrap().to_string_lossy();
        let data = check_page(bytes, &what);
        let text = std::str::from_utf8(bytes).unwrap();
        if what.ends_with(".es.html") {
            assert!(text.contains("<html lang=\"es\">"), "{what}");
            assert!(text.contains("clientes perdidos"), "{what}");
            assert!(!data["timeline"].as_array().unwrap().is_empty());
        } else if what.starts_with("compare") {
            assert_eq!(data["scenarios"].as_array().unwrap().len(), 2);
            assert!(text.contains("<html lang=\"en\">"));
        } else {
            assert!(text.contains("customers lost"), "{what}");
            assert_eq!(data["scenario"]["replications"], 3);
        }
    }
    browser_checks(dir.path(), &pages);
}

#[test]
fn the_same_inputs_give_the_same_page() {
    let args = [
        "run",
        "scenarios/silent-majority.toml",
        "-q",
        "--replications",
        "2",
        "--format",
        "html",
    ];
    assert_eq!(command::stdout_of(&args), command::stdout_of(&args));
}

/// Where Chromium is, if it is installed.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Chromium, or `None` after saying on stderr that `skipped` (what the test
/// could not do) was skipped; with CI=true a missing browser fails the test.
fn chromium_or_skip(skipped: &str) -> Option<PathBuf> {
    let browser = chromium();
    if browser.is_none() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI=true but Chromium is not installed"
        );
        eprintln!("SKIPPED: Chromium is not installed, {skipped}");
    }
    browser
}

fn browser_checks(dir: &Path, pages: &[(PathBuf, Vec<u8>)]) {
    let Some(browser) = chromium() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "CI=true but Chromium is not installed: .ci/run installs it (apt-get install -y chromium)"
            );
        }
        eprintln!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             SKIPPED: the HTML pages were not rendered in a browser: Chromium is\n\
             not installed (apt-get install -y chromium). CI=true makes this fail.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        return;
    };
    for (page, _) in pages {
        let name = page.file_name().unwrap().to_string_lossy();
        let shot = dir.join(format!("{name}.png"));
        let profile = tempfile::tempdir().unwrap();
        let out = Process::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--enable-logging=stderr",
                "--v=0",
                "--window-size=1100,2400",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("run chromium");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: chromium failed: {stderr}");
        // Page problems reach stderr as console messages or load failures.
        for line in stderr.lines() {
            let bad = line.contains(":CONSOLE")
                || line.contains("Uncaught")
                || line.contains("net::ERR_")
                || line.contains("Refused to");
            assert!(!bad, "{name}: the browser complained: {line}");
        }
        let (distinct, inked) = pixel_variety(&shot);
        // A blank or broken page is one or two colours; a chart page has many,
        // and ink on a fair share of it.
        assert!(
            distinct >= 64,
            "{name}: only {distinct} colours in the screenshot"
        );
        assert!(
            inked > 0.05,
            "{name}: only {:.1} % of the screenshot is not white",
            inked * 100.0
        );
    }
    // The DOM as the browser built it: the headline and the data are there.
    let page = &pages[0].0;
    let profile = tempfile::tempdir().unwrap();
    let out = Process::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("<h1>"), "the browser built no headline");
    assert!(dom.contains("id=\"handoff-data\""));
    assert!(
        dom.matches("<svg").count() >= 4,
        "the charts are in the DOM"
    );
}

/// (distinct colours, share of pixels that are not white) in a PNG.
fn pixel_variety(path: &Path) -> (usize, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let mut colours = std::collections::BTreeSet::new();
    let mut inked = 0usize;
    let mut total = 0usize;
    for px in pixels.chunks(channels) {
        let rgb = (px[0], px[channels.min(2) - 1], px[channels.min(3) - 1]);
        colours.insert(rgb);
        total += 1;
        if rgb != (255, 255, 255) {
            inked += 1;
        }
    }
    (colours.len(), inked as f64 / total.max(1) as f64)
}

/// The part of a page between `<section class="stories">` and its end.
fn stories_of(page: &str) -> &str {
    let start = page
        .find("<section class=\"stories\">")
        .expect("the page tells stories");
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap()]
}

/// The text of the English story sentences, cut at their placeholders: the
/// words a story in English cannot do without.
fn english_story_words() -> Vec<String> {
    let en = handoff::report::html::Lang::En.catalogue();
    let mut words = Vec::new();
    for key in en.keys().filter(|k| k.starts_with("story.")) {
        for (_, text) in en.forms(key) {
            for piece in text.split(['{', '}']).step_by(2) {
                let piece = piece.trim_matches(|c: char| !c.is_alphanumeric());
                // Whole words only: "day" is also inside "today"; short bits are not English.
                if piece.chars().filter(|c| c.is_alphabetic()).count() >= 4 {
                    words.push(piece.to_owned());
                }
            }
        }
    }
    words
}

#[test]
fn the_spanish_page_tells_its_stories_in_spanish() {
    // Department names are the scenario's own words: a scenario whose names
    // are not English story words (twenty-departments has "customer-service").
    let words = english_story_words();
    assert!(
        words.len() > 20,
        "the English stories have words: {words:?}"
    );
    for scenario in [
        "scenarios/silent-majority.toml",
        "scenarios/complaints-are-a-gift.toml",
    ] {
        let es = command::stdout_of(&[
            "run",
            scenario,
            "-q",
            "--replications",
            "2",
            "--format",
            "html",
            "--lang",
            "es",
        ]);
        let es = String::from_utf8(es).unwrap();
        let stories = stories_of(&es);
        assert!(
            stories.matches("<article class=\"story\">").count() >= 3,
            "{scenario}: stories on the page"
        );
        assert!(stories.contains("El cliente "), "{scenario}: {stories}");
        assert!(stories.contains("día "), "{scenario}");
        for w in &words {
            assert!(
                !stories.contains(w.as_str()),
                "{scenario}: the Spanish stories say {w:?} in English"
            );
        }
        // The English page tells the same customers, in English.
        let en = command::stdout_of(&[
            "run",
            scenario,
            "-q",
            "--replications",
            "2",
            "--format",
            "html",
        ]);
        let en = String::from_utf8(en).unwrap();
        let customers = |text: &str, word: &str| -> Vec<String> {
            text.split(word)
                .skip(1)
                .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
                .collect()
        };
        assert_eq!(
            customers(stories_of(&en), "<h3>Customer "),
            customers(stories, "<h3>El cliente "),
            "{scenario}: the same customers in both languages"
        );
    }
}

#[test]
fn the_english_page_tells_the_stories_explain_prints() {
    let file = "scenarios/baseline.toml";
    let out = Command::new(BIN)
        .current_dir(root())
        .args([
            "run",
            file,
            "-q",
            "--replications",
            "2",
            "--format",
            "html",
            "--explain",
            "3",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    let told = String::from_utf8(out.stderr).unwrap();
    let stories = stories_of(&page);
    let headings: Vec<&str> = told
        .lines()
        .filter(|l| l.starts_with("Customer "))
        .collect();
    assert_eq!(headings.len(), 4, "three lost and one saved: {told}");
    for heading in headings {
        assert!(
            stories.contains(&format!("<h3>{heading}</h3>")),
            "the page lacks {heading:?}"
        );
    }
    // Every event line, its day in a column of its own.
    for line in told.lines().filter(|l| l.starts_with("  day ")) {
        let rest = line.trim_start().strip_prefix("day").unwrap().trim_start();
        let (day, event) = rest.split_once("  ").unwrap();
        let item = format!("<span class=\"day\">day {day}</span> {event}</li>");
        assert!(stories.contains(&item), "the page lacks {item:?}");
    }
}

#[test]
fn merging_a_sharded_run_writes_the_page_run_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let file = "scenarios/complaints-are-a-gift.toml";
    for lang in ["en", "es"] {
        let whole = path(&format!("whole.{lang}.html"));
        command::stdout_of(&[
            "run",
            file,
            "-q",
            "--replications",
            "3",
            "--lang",
            lang,
            "-o",
            &whole,
        ]);
        let mut parts = Vec::new();
        for i in 0..2 {
            let part = path(&format!("part-{i}.json"));
            command::stdout_of(&[
                "run",
                file,
                "-q",
                "--replications",
                "3",
                "--shard",
                &format!("{i}/2"),
                "-o",
                &part,
            ]);
            parts.push(part);
        }
        let merged = path(&format!("merged.{lang}.html"));
        command::stdout_of(&["merge", &parts[1], &parts[0], "--lang", lang, "-o", &merged]);
        let merged = std::fs::read(&merged).unwrap();
        let whole = std::fs::read(&whole).unwrap();
        assert!(
            merged.starts_with(b"<!DOCTYPE html>"),
            "merge -o x.html writes a page"
        );
        assert!(
            String::from_utf8_lossy(&merged).contains("<section class=\"stories\">"),
            "with the stories of replication 0"
        );
        assert!(merged == whole, "{lang}: merged page differs from run's");
        // --format html on standard output: the same bytes.
        let stdout = command::stdout_of(&[
            "merge", &parts[0], &parts[1], "--format", "html", "--lang", lang,
        ]);
        assert!(stdout == whole, "{lang}: merge --format html differs");
    }
}

/// The page's words outside the embedded data, tags and all.
fn visible(page: &str) -> &str {
    &page[..page.find("<script").unwrap_or(page.len())]
}

/// What the page draws and writes in its sections: [`visible`] without the
/// charts' descriptions and tables of numbers (which repeat the charts' labels).
fn drawn(page: &str) -> String {
    let mut out = visible(page).to_owned();
    for (open, close) in [("<desc", "</desc>"), ("<details", "</details>")] {
        while let Some(start) = out.find(open) {
            let end = start + out[start..].find(close).unwrap() + close.len();
            out.replace_range(start..end, "");
        }
    }
    out
}

#[test]
fn the_compare_page_names_every_metric_and_marks_real_differences() {
    let dir = tempfile::tempdir().unwrap();
    for lang in ["en", "es"] {
        let out = dir.path().join(format!("compare.{lang}.html"));
        command::stdout_of(&[
            "compare",
            "scenarios/complaints-escalated.toml",
            "scenarios/complaints-are-a-gift.toml",
            "-q",
            "--replications",
            "10",
            "--lang",
            lang,
            "-o",
            out.to_str().unwrap(),
        ]);
        let page = std::fs::read_to_string(&out).unwrap();
        let data = check_page(page.as_bytes(), &format!("compare.{lang}"));
        let text = visible(&page);
        // Every compared metric in words, never as its id.
        for metric in data["metrics"].as_array().unwrap() {
            let id = metric.as_str().unwrap();
            assert!(!text.contains(id), "{lang}: the page shows the id {id}");
        }
        for id in [
            "lost_by_cause.",
            "handoffs.",
            "departments.",
            "flows.",
            "->",
        ] {
            assert!(!text.contains(id), "{lang}: the page shows {id}");
        }
        // A cause whose paired difference is significant is marked in the
        // cause chart as the JSON says, and a cause that is not, is not.
        let drawing = drawn(&page);
        let causes_chart = &drawing[drawing.rfind("<svg").unwrap()..];
        let significant_causes: Vec<&Value> = data["differences"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["metric"].as_str().unwrap().starts_with("lost_by_cause."))
            .collect();
        assert!(!significant_causes.is_empty());
        assert!(significant_causes.len() <= 8, "every cause is in the chart");
        let marked = significant_causes
            .iter()
            .filter(|d| d["significant"].as_bool().unwrap())
            .count();
        assert!(marked > 0, "ten paired replications tell some cause apart");
        assert_eq!(
            causes_chart.matches('◆').count(),
            marked,
            "{lang}: one mark per significant cause in the chart"
        );
        // The sentence of what changed names the causes.
        let headline = &text[text.find("<section class=\"headline\">").unwrap()..];
        let headline = &headline[..headline.find("</section>").unwrap()];
        let what_changed = if lang == "en" {
            "What changed: "
        } else {
            "Qué cambió: "
        };
        assert!(headline.contains(what_changed), "{lang}: {headline}");
    }
}

#[test]
fn compare_pages_of_learning_and_policy_name_their_metrics() {
    let dir = tempfile::tempdir().unwrap();
    for (a, b) in [
        ("deaf-organisation", "learning-organisation"),
        ("fair-policies", "strict-policies"),
    ] {
        for lang in ["en", "es"] {
            let out = dir.path().join(format!("{a}.{lang}.html"));
            command::stdout_of(&[
                "compare",
                &format!("scenarios/{a}.toml"),
                &format!("scenarios/{b}.toml"),
                "-q",
                "--replications",
                "2",
                "--lang",
                lang,
                "-o",
                out.to_str().unwrap(),
            ]);
            let page = std::fs::read_to_string(&out).unwrap();
            let data = check_page(page.as_bytes(), a);
            let text = visible(&page);
            for metric in data["metrics"].as_array().unwrap() {
                let id = metric.as_str().unwrap();
                assert!(!text.contains(id), "{a} {lang}: the page shows the id {id}");
            }
            for id in ["policy.", "policy:", "_final", "->", "metric.", "story."] {
                assert!(!text.contains(id), "{a} {lang}: the page shows {id}");
            }
        }
    }
}

#[test]
fn sections_of_absent_mechanisms_stay_hidden() {
    // The baseline has no incidents or morale: nothing of them is drawn, not
    // even an empty heading or a shaded week. (Its scorecard, between real
    // departments, is shown: see the test of mechanism sections.)
    let page = command::stdout_of(&[
        "run",
        "scenarios/baseline.toml",
        "-q",
        "--replications",
        "2",
        "--format",
        "html",
    ]);
    let page = String::from_utf8(page).unwrap();
    let text = visible(&page);
    for word in ["incident", "morale", "Incident", "Morale"] {
        assert!(!text.contains(word), "the page mentions {word}");
    }
    assert!(!text.contains("#FBF3B5"), "no incident window is shaded");
    // Every section has something in it besides its heading.
    for section in text.split("<section").skip(1) {
        let section = &section[..section.find("</section>").unwrap()];
        assert!(
            ["<svg", "<article", "<p class=\"big\">", "<table"]
                .iter()
                .any(|content| section.contains(content)),
            "an empty section: {section}"
        );
    }
}

/// A scenario's page in a language, as text.
fn page_of(scenario: &str, lang: &str) -> String {
    let page = command::stdout_of(&[
        "run",
        scenario,
        "-q",
        "--replications",
        "2",
        "--format",
        "html",
        "--lang",
        lang,
    ]);
    String::from_utf8(page).unwrap()
}

/// The section titles of the structures and people mechanisms, by catalogue key.
const MECHANISM_SECTIONS: [&str; 7] = [
    "incidents.title",
    "morale.title",
    "failures.title",
    "learning.title",
    "scorecard.title",
    "policy.title",
    "staff.title",
];

#[test]
fn mechanism_sections_appear_where_their_mechanism_is_on_and_nowhere_else() {
    use handoff::report::html::Lang;
    // (scenario, the sections it must show); every other one must be absent.
    let cases: [(&str, &[&str]); 8] = [
        ("tests/cases/ok/tiny.toml", &["scorecard.title"]),
        (
            "scenarios/billing-migration.toml",
            &["incidents.title", "failures.title", "scorecard.title"],
        ),
        (
            "scenarios/unhappy-staff.toml",
            &["morale.title", "failures.title", "scorecard.title"],
        ),
        (
            "scenarios/learning-organisation.toml",
            &["learning.title", "failures.title", "scorecard.title"],
        ),
        (
            "scenarios/strict-policies.toml",
            &["policy.title", "scorecard.title"],
        ),
        (
            "scenarios/cross-functional.toml",
            &["staff.title", "scorecard.title"],
        ),
        (
            "scenarios/round-the-clock.toml",
            &["staff.title", "scorecard.title"],
        ),
        (
            "scenarios/office-hours.toml",
            &["staff.title", "scorecard.title"],
        ),
    ];
    for (scenario, on) in cases {
        for (lang, code) in [(Lang::En, "en"), (Lang::Es, "es")] {
            let page = page_of(scenario, code);
            let t = lang.catalogue();
            for key in MECHANISM_SECTIONS {
                let heading = format!("<h2>{}</h2>", t.get(key));
                assert_eq!(
                    page.contains(&heading),
                    on.contains(&key),
                    "{scenario} ({code}): {key}"
                );
            }
            // Morale in the chain's boxes only where morale is on.
            let morale_box = t.fill("chain.morale", &[("share", "")]);
            assert_eq!(
                page.contains(&format!(">{morale_box}")),
                on.contains(&"morale.title"),
                "{scenario} ({code}): morale in the chain"
            );
            // Departments served by a shared pool say so, rather than "0 people"
            // (cross-functional.toml's pool is `team`).
            let pooled = t.fill("failures.pool", &[("name", "team")]);
            assert_eq!(
                page.contains(t.get("chain.pooled")) || page.contains(&format!(">{pooled}<")),
                scenario.contains("cross-functional"),
                "{scenario} ({code}): pooled departments"
            );
            // The failure odds chart where odds move; its chart and a line
            // named for the handoff the scenario's mechanism acts on.
            if on.contains(&"failures.title") {
                let moved = if !scenario.contains("unhappy-staff") {
                    ("billing", "customer")
                } else {
                    ("production", "billing")
                };
                let to = if moved.1 == "customer" {
                    t.get("chain.customer")
                } else {
                    moved.1
                };
                let error = t.fill("failures.error", &[("from", moved.0), ("to", to)]);
                assert!(
                    page.contains(&format!(">{error}</text>")),
                    "{scenario} ({code}): {error}"
                );
                assert!(
                    page.contains(t.get("failures.axis")),
                    "{scenario} ({code}): the chart"
                );
            }
            // Opening hours in the chain, where a department has them.
            assert_eq!(
                page.contains(&format!(">{}</text>", html_hours(code))),
                scenario.contains("office-hours"),
                "{scenario} ({code}): hours"
            );
            // The weekly chart shades incident windows only where there are incidents.
            assert_eq!(
                page.contains("#FBF3B5"),
                on.contains(&"incidents.title"),
                "{scenario} ({code}): shaded windows"
            );
            // No key is shown in place of its words.
            for key in MECHANISM_SECTIONS {
                let prefix = key.split('.').next().unwrap();
                assert!(
                    !page.contains(&format!(">{prefix}.")),
                    "{scenario}: {prefix}"
                );
            }
        }
    }
}

#[test]
fn a_repeating_incident_window_is_shaded_at_every_showing() {
    let base = std::fs::read_to_string(root().join("scenarios/baseline.toml")).unwrap();
    let text = format!(
        "{base}\n[[incident]]\nname = \"month-end close\"\nfrom = \"10d\"\nto = \"12d\"\nevery = \"30d\"\nhandoff = \"sales->production\"\nerror = 0.5\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("monthly.toml");
    std::fs::write(&file, text).unwrap();
    let model = handoff::scenario::parse(
        &std::fs::read_to_string(&file).unwrap(),
        &file.display().to_string(),
    )
    .unwrap();
    let (warmup, end) = (
        model.simulation.warmup_h / 24.0,
        model.simulation.duration_h / 24.0,
    );
    // Windows [10 + 30k, 12 + 30k) days that reach into the counted period.
    let expected = (0..)
        .map(|k| (10.0 + 30.0 * k as f64, 12.0 + 30.0 * k as f64))
        .take_while(|(from, _)| *from < end)
        .filter(|(_, to)| *to > warmup)
        .count();
    assert!(expected >= 10, "{expected}");
    for lang in ["en", "es"] {
        let page = page_of(file.to_str().unwrap(), lang);
        // In the weekly bars and again in the failure odds chart.
        assert_eq!(
            page.matches("fill=\"#FBF3B5\"").count(),
            2 * expected,
            "{lang}: one shade per window in each chart"
        );
        assert!(page.contains(">month-end close</text>"), "{lang}: named");
    }
    let en = page_of(file.to_str().unwrap(), "en");
    assert!(en.contains("then again every 30 days"), "{en}");
    let es = page_of(file.to_str().unwrap(), "es");
    assert!(es.contains("y luego otra vez cada 30 días"));
}

/// The back office's hours in office-hours.toml, as its box in the chain says them.
fn html_hours(lang: &str) -> &'static str {
    if lang == "es" {
        "lun–vie 09–17"
    } else {
        "mon–fri 09–17"
    }
}

/// The red labels of the chain drawing: every "N lost" in the chain's SVG.
fn chain_labels(page: &str) -> Vec<f64> {
    let start = page.find("<svg").unwrap();
    let end = start + page[start..].find("</svg>").unwrap();
    page[start..end]
        .split("</text>")
        .filter_map(|t| t.rsplit('>').next()?.strip_suffix(" lost"))
        .map(|n| n.replace(',', "").parse::<f64>().unwrap())
        .collect()
}

#[test]
fn a_departments_box_carries_every_loss_attributed_to_that_department() {
    // On the rude front desk most customers are lost to rudeness at the desk,
    // not to its queue: the box must show them, and the labels add up to the
    // headline (no policy there, so every cause is a handoff's or a department's).
    let file = "scenarios/rude-front-desk.toml";
    let json: Value = serde_json::from_slice(&command::stdout_of(&[
        "run",
        file,
        "-q",
        "--replications",
        "2",
        "--format",
        "json",
    ]))
    .unwrap();
    let page = page_of(file, "en");
    let desk: f64 = json["lost_by_cause"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["cause"]
                .as_str()
                .unwrap()
                .starts_with("department:front desk:")
        })
        .map(|c| c["customers"]["mean"].as_f64().unwrap())
        .sum();
    let rude = json["lost_by_cause"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cause"] == "department:front desk:rude")
        .map(|c| c["customers"]["mean"].as_f64().unwrap())
        .unwrap();
    assert!(rude > 0.0, "the scenario loses customers to rudeness");
    let labels = chain_labels(&page);
    assert!(
        labels
            .iter()
            .any(|l| (l - desk).abs() <= 0.05 * desk.max(1.0)),
        "no label shows the front desk's {desk} customers lost: {labels:?}"
    );
    let total = json["customers"]["lost"]["mean"].as_f64().unwrap();
    let sum: f64 = labels.iter().sum();
    assert!(
        (sum - total).abs() <= 0.02 * total + 0.5 * labels.len() as f64,
        "the chain's labels add up to {sum}, the headline says {total}"
    );
}

#[test]
fn the_stay_chart_says_how_many_customers_each_share_is_of() {
    // Each bar's label reads as a sentence: the share who stayed, of how many
    // customers (a mean per replication), not "37 % of 56 a run stayed".
    for (lang, stayed, noun) in [
        ("en", "\u{a0}% stayed, of ", " customers per replication"),
        ("es", "\u{a0}% de ", " clientes por réplica"),
    ] {
        let page = page_of("scenarios/silent-majority.toml", lang);
        let text = drawn(&page);
        let labels: Vec<&str> = text
            .split('>')
            .filter_map(|s| s.split('<').next())
            .filter(|s| s.contains(noun))
            .collect();
        assert!(!labels.is_empty(), "{lang}: no stay label on the page");
        for label in labels {
            let said = label.split("  ·  ").next().unwrap();
            let (share, count) = said.split_once(stayed).expect(label);
            let count = count.strip_suffix(noun).expect(label).replace(',', ".");
            assert!(count.parse::<f64>().is_ok(), "{lang}: {label}");
            let share = share.rsplit(' ').next().unwrap();
            assert!(share.parse::<f64>().is_ok(), "{lang}: {label}");
        }
        assert!(!text.contains("a run stayed"), "{lang}");
    }
}

/// `text` with the page's thin and non-breaking spaces as plain spaces.
fn plain(text: &str) -> String {
    text.replace(['\u{202f}', '\u{a0}'], " ")
}

/// The cells of a text report's table row that starts with `label`.
fn text_row(report: &str, label: &str) -> Vec<String> {
    let line = report
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no row {label:?} in\n{report}"));
    line[line.find(label).unwrap() + label.len()..]
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_page_rounds_a_mean_and_its_interval_as_the_text_report_does() {
    // The headline's "35 ± 2 customers lost, 271 027 ± 23 087 of revenue lost"
    // are the text report's totals row, digit for digit (not "35 ± 2.4").
    for (lang, label, before, between, after) in [
        (
            "en",
            "all causes",
            "With 95 % intervals: ",
            " customers lost, ",
            " of revenue lost.",
        ),
        (
            "es",
            "todas las causas",
            "Con intervalos del 95 %: ",
            " clientes perdidos, ",
            " de ingresos perdidos.",
        ),
    ] {
        let args = [
            "run",
            "scenarios/silent-majority.toml",
            "-q",
            "--replications",
            "3",
            "--lang",
            lang,
        ];
        let text = String::from_utf8(command::stdout_of(&args)).unwrap();
        let page = command::stdout_of(&[&args[..], &["--format", "html"]].concat());
        let page = plain(visible(&String::from_utf8(page).unwrap()));
        let row = text_row(&text, label);
        let (customers, revenue) = (&row[0], &row[2]);
        let expected = format!("{before}{customers}{between}{revenue}{after}");
        assert!(
            page.contains(&expected),
            "{lang}: the page lacks {expected:?}"
        );
    }
}

#[test]
fn the_compare_page_rounds_as_the_compare_text_does() {
    let files = [
        "scenarios/complaints-escalated.toml",
        "scenarios/complaints-are-a-gift.toml",
    ];
    for (lang, label) in [("en", "customers lost"), ("es", "clientes perdidos")] {
        let args = [
            &["compare"][..],
            &files,
            &["-q", "--replications", "3", "--lang", lang],
        ]
        .concat();
        let text = String::from_utf8(command::stdout_of(&args)).unwrap();
        let page = command::stdout_of(&[&args[..], &["--format", "html"]].concat());
        let page = plain(visible(&String::from_utf8(page).unwrap()));
        let row = text_row(&text, label);
        // Each scenario's mean ± half-width, as the table and the dots show it.
        for cell in &row[..2] {
            assert!(
                page.contains(&format!(">{cell}<")) || page.contains(&format!(">{cell} ◆<")),
                "{lang}: the page lacks {cell:?}"
            );
        }
        // The difference, signed with a real minus on the page.
        let difference = row[2].trim_end_matches(" *").replace('-', "\u{2212}");
        assert!(
            page.contains(&difference),
            "{lang}: the page lacks {difference:?}"
        );
    }
}

/// The page's width as the browser laid it out at `window` pixels wide:
/// (scrollWidth, clientWidth) of the document.
fn laid_out_width(browser: &Path, page: &[u8], dir: &Path, window: u32) -> (u64, u64) {
    let widths = in_browser(
        browser,
        page,
        dir,
        window,
        "document.documentElement.scrollWidth+' '+document.documentElement.clientWidth",
    );
    let mut numbers = widths.split(' ').map(|n| n.trim().parse::<u64>().unwrap());
    (numbers.next().unwrap(), numbers.next().unwrap())
}

#[test]
fn six_scenarios_and_a_name_without_spaces_stay_inside_the_window() {
    let Some(browser) = chromium_or_skip("the layout was not measured") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // A title with no place to break, and a department name as long.
    let long = "W".repeat(120);
    let scenario = std::fs::read_to_string(root().join("tests/cases/ok/tiny.toml"))
        .unwrap()
        .replace("name = \"Tiny\"", &format!("name = \"{long}\""))
        .replace("\"billing\"", &format!("\"billing{long}\""));
    let file = dir.path().join("long.toml");
    std::fs::write(&file, scenario).unwrap();
    let file = file.to_str().unwrap();
    let run = command::stdout_of(&["run", file, "-q", "--format", "html"]);
    // Six scenarios side by side: the first and five variants of it.
    let mut args = vec![
        "compare",
        "scenarios/baseline.toml",
        "-q",
        "--replications",
        "2",
    ];
    let variants: Vec<String> = (2..=6)
        .map(|k| format!("sales x{k}: department.sales.staff={k}"))
        .collect();
    for v in &variants {
        args.extend(["--variant", v.as_str()]);
    }
    args.extend(["--format", "html"]);
    let wide = command::stdout_of(&args);
    let hostile_compare = command::stdout_of(&[
        "compare",
        file,
        "tests/cases/ok/tiny.toml",
        "-q",
        "--format",
        "html",
    ]);
    for (what, page) in [
        ("long name", &run),
        ("six scenarios", &wide),
        ("long name compared", &hostile_compare),
    ] {
        for window in [1280, 1024] {
            let (scroll, client) = laid_out_width(&browser, page, dir.path(), window);
            assert!(
                scroll <= client,
                "{what} at {window} px: the page is {scroll} px wide in a {client} px window"
            );
        }
    }
}

/// What `script` (a JavaScript expression giving a string) says about `page`
/// once the browser has laid it out at `window` pixels wide: the expression
/// runs in a copy of the page (the page itself has no script that runs).
fn in_browser(browser: &Path, page: &[u8], dir: &Path, window: u32, script: &str) -> String {
    let text = std::str::from_utf8(page).unwrap();
    let probe = format!(
        "<script>addEventListener('load',()=>{{const p=document.createElement('pre');\
         p.id='probe';p.textContent=({script});document.body.appendChild(p);}});</script></body>"
    );
    let copy = dir.join(format!("in-browser-{window}.html"));
    std::fs::write(&copy, text.replace("</body>", &probe)).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = Process::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=2000",
            "--dump-dom",
        ])
        .arg(format!("--window-size={window},900"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", copy.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    let at = dom.find("<pre id=\"probe\">").expect("the probe ran") + "<pre id=\"probe\">".len();
    let end = at + dom[at..].find("</pre>").unwrap();
    dom[at..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// For each chart on the page, one line: its name, its description (the
/// element `aria-describedby` names), and the rows of the table of numbers
/// under it, tab-separated.
const CHARTS_PROBE: &str = "[...document.querySelectorAll('main svg')].map(s=>{\
    const d=document.getElementById(s.getAttribute('aria-describedby')||'');\
    const f=s.closest('figure');const t=f&&f.querySelector('details table');\
    return [s.getAttribute('role'),s.getAttribute('aria-label'),d?d.textContent:'',\
    t?t.querySelectorAll('tbody tr').length:0,t?[...t.querySelectorAll('caption,th,td')].map(c=>c.textContent).join(' '):''].join('\\t');}).join('\\n')";

#[test]
fn every_chart_tells_a_screen_reader_its_numbers() {
    let Some(browser) = chromium_or_skip("the charts' descriptions were not read") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Morale, failure odds and the scorecard besides the charts every page has.
    let run = page_of("scenarios/unhappy-staff.toml", "es");
    let compare = command::stdout_of(&[
        "compare",
        "scenarios/silos.toml",
        "scenarios/cross-functional.toml",
        "-q",
        "--replications",
        "2",
        "--format",
        "html",
    ]);
    for (what, page, charts) in [("run", run.as_bytes(), 8), ("compare", &compare[..], 2)] {
        let found = in_browser(&browser, page, dir.path(), 1024, CHARTS_PROBE);
        let lines: Vec<&str> = found.lines().collect();
        assert_eq!(lines.len(), charts, "{what}: charts found:\n{found}");
        for line in lines {
            let cells: Vec<&str> = line.split('\t').collect();
            let [role, name, description, rows, table] = cells[..] else {
                panic!("{what}: {line}");
            };
            assert_eq!(role, "img", "{what}: {line}");
            assert!(!name.is_empty(), "{what}: a chart without a name");
            // The description has numbers in it, not only words.
            assert!(
                description.chars().any(|c| c.is_ascii_digit()),
                "{what}: the chart {name:?} is described as {description:?}"
            );
            assert!(
                rows.parse::<usize>().unwrap() > 0,
                "{what}: the chart {name:?} has no table of its numbers"
            );
            assert!(
                table.starts_with(name),
                "{what}: the table's caption: {table}"
            );
        }
    }
    // The numbers are the page's, in its language: the revenue lost to the
    // worst cause, with its interval, as the text report writes it.
    let found = in_browser(&browser, run.as_bytes(), dir.path(), 1024, CHARTS_PROBE);
    let revenue = found
        .lines()
        .find(|l| l.contains("Ingresos perdidos, por causa"))
        .unwrap();
    let text = String::from_utf8(command::stdout_of(&[
        "run",
        "scenarios/unhappy-staff.toml",
        "-q",
        "--replications",
        "2",
        "--lang",
        "es",
    ]))
    .unwrap();
    let row = text_row(&text, "production → billing: datos erróneos (defectos)");
    let amount = plain(&row[2]);
    assert!(
        plain(revenue).contains(&amount),
        "the revenue chart's description and table lack {amount}: {revenue}"
    );
}

/// Every piece of chart text that sticks out of its chart, or out of the
/// chain's box it is written in, one per line (empty when none does).
const STICKING_OUT_PROBE: &str = "[...document.querySelectorAll('main svg')].flatMap(s=>{\
    const b=s.getBoundingClientRect();const boxes=[...s.querySelectorAll('rect[rx=\"10\"]')].map(r=>r.getBoundingClientRect());\
    return [...s.querySelectorAll('text')].flatMap(t=>{const r=t.getBoundingClientRect();const c=(r.left+r.right)/2,m=(r.top+r.bottom)/2;\
    const out=r.left<b.left-1||r.right>b.right+1;\
    const box=boxes.find(x=>c>x.left&&c<x.right&&m>x.top&&m<x.bottom);\
    const outBox=box&&(r.left<box.left||r.right>box.right);\
    return out||outBox?[s.getAttribute('aria-label')+': '+t.textContent+(outBox?' (out of its box)':'')]:[];});}).join('\\n')";

#[test]
fn names_of_markup_symbols_and_capitals_stay_inside_their_charts() {
    let Some(browser) = chromium_or_skip("the labels were not measured") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Bold names of symbols and capitals are wider than plain lowercase text:
    // they must be cut with an ellipsis, never clipped by the chart's edge or
    // spill out of a department's box.
    let scenario = std::fs::read_to_string(root().join("tests/cases/ok/tiny.toml"))
        .unwrap()
        .replace(
            "\"billing\"",
            &format!("\"bill<i>ing</i>&amp;{}\"", "Y".repeat(150)),
        );
    let file = dir.path().join("symbols.toml");
    std::fs::write(&file, scenario).unwrap();
    let file = file.to_str().unwrap();
    let run = command::stdout_of(&["run", file, "-q", "--format", "html"]);
    let compare = command::stdout_of(&[
        "compare",
        file,
        "tests/cases/ok/tiny.toml",
        "-q",
        "--format",
        "html",
        "--lang",
        "es",
    ]);
    for (what, page) in [("run", &run), ("compare", &compare)] {
        for window in [1024, 1920] {
            let out = in_browser(&browser, page, dir.path(), window, STICKING_OUT_PROBE);
            assert!(out.is_empty(), "{what} at {window} px:\n{out}");
        }
    }
}
