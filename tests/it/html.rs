//! The HTML workshop report and the weekly timeline behind it.
//!
//! - The timeline's buckets add up to the run's totals, for every ready scenario.
//! - Every ready scenario's page (English and Spanish) and one comparison: under
//!   1 MB, nothing outside itself, the same bytes twice, the data block intact.
//! - The same pages in headless Chromium: a screenshot that is not blank and no
//!   console errors. Without Chromium the browser test is skipped loudly, unless
//!   `CI=true`, where it fails.

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

fn handoff(args: &[&str]) -> Vec<u8> {
    let out = Command::new(BIN)
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "handoff {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
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
    let out = handoff(&["run", "tests/cases/ok/tiny.toml", "--format", "json", "-q"]);
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
        handoff(&[
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
        let es = handoff(&[
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
    handoff(&[
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
    assert_eq!(handoff(&args), handoff(&args));
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
