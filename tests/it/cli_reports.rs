//! `handoff run --explain/--trace` and `handoff compare`, checked where data
//! files cannot: files written, JSON parsed, stories counted.

use std::path::Path;

use assert_cmd::Command;
use handoff::experiment::KEY_METRICS;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_handoff");
const TINY: &str = "tests/cases/ok/tiny.toml";
const ESCALATED: &str = "tests/cases/ok/small-escalated.toml";
const GIFT: &str = "tests/cases/ok/small-gift.toml";

fn handoff() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("RAYON_NUM_THREADS");
    cmd
}

/// Run and insist on success; (stdout, stderr).
fn ok(args: &[&str]) -> (String, String) {
    let out = handoff().args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn trace_writes_every_event_of_replication_0_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let (stdout, stderr) = ok(&["run", TINY, "--trace", path.to_str().unwrap()]);
    assert!(
        stdout.starts_with("Tiny\n"),
        "the report still goes to stdout"
    );
    assert!(
        stderr.is_empty(),
        "no progress when stderr is not a terminal: {stderr}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("time_h,kind,customer,order,department,handoff,cause,path,count,warmup")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() > 100, "{} events", rows.len());
    assert!(
        rows.iter().any(|r| r.contains(",left,")),
        "a customer leaves"
    );
    assert_eq!(files_in(dir.path()), ["out.csv"], "no temporary file left");
    // The same run traced again: the same bytes.
    let again = dir.path().join("again.csv");
    ok(&["run", TINY, "--trace", again.to_str().unwrap()]);
    assert_eq!(std::fs::read(&again).unwrap(), text.as_bytes());
}

#[test]
fn trace_writes_json_lines_for_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.jsonl");
    ok(&[
        "run",
        TINY,
        "--format",
        "json",
        "--trace",
        path.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&path).unwrap();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["kind"], "arrived");
    for line in text.lines() {
        serde_json::from_str::<Value>(line).unwrap();
    }
}

#[test]
fn trace_to_an_impossible_place_fails_cleanly() {
    let out = handoff()
        .args(["run", TINY, "--trace", "no/such/dir/out.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot write no/such/dir/out.csv"),
        "{stderr}"
    );
}

#[test]
fn explain_tells_the_stories_of_the_first_lost_customers() {
    let (stdout, _) = ok(&["run", TINY, "--explain", "2"]);
    let stories = &stdout[stdout.find("\nStories of lost customers").expect(&stdout)..];
    let told = stories
        .lines()
        .filter(|l| l.starts_with("Customer ") && l.contains(" left on day "))
        .count();
    assert_eq!(told, 2, "{stories}");
    assert_eq!(
        stdout,
        ok(&["run", TINY, "--explain", "2"]).0,
        "deterministic"
    );
    // With JSON, stdout stays one JSON document and the stories go to stderr.
    let (stdout, stderr) = ok(&["run", TINY, "--explain", "2", "--format", "json"]);
    serde_json::from_str::<Value>(&stdout).expect("valid JSON on stdout");
    assert!(stderr.starts_with("Stories of lost customers"), "{stderr}");
    // Asking for more than were lost says so.
    let (stdout, _) = ok(&["run", TINY, "--replications", "1", "--explain", "100000"]);
    assert!(stdout.contains("\nOnly "), "{stdout}");
    assert!(stdout.contains(" lost in replication 0 (you asked for 100000).\n"));
}

fn compare_json(args: &[&str]) -> Value {
    let (stdout, stderr) = ok(args);
    // Only `validate`'s warnings (these scenarios' reorders without churn
    // overload them by the end of the run); no progress bar.
    let other: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            !l.contains(": warning: ") && !l.contains(": note: ") && !l.starts_with("  = help: ")
        })
        .collect();
    assert!(other.is_empty(), "{stderr}");
    serde_json::from_str(&stdout).expect("valid JSON")
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_nothing() {
    let v = compare_json(&["compare", GIFT, GIFT, "--format", "json", "--quiet"]);
    let differences = v["differences"].as_array().unwrap();
    assert!(!differences.is_empty());
    for d in differences {
        assert_eq!(d["mean"].as_f64(), Some(0.0), "{d}");
        assert_eq!(d["significant"], false, "{d}");
        assert_eq!(d["scenario"], "Small gift");
    }
}

#[test]
fn compare_json_has_one_difference_per_metric_for_the_second_scenario() {
    let v = compare_json(&[
        "compare",
        ESCALATED,
        GIFT,
        "--format",
        "json",
        "--seed",
        "9",
        "--replications",
        "3",
    ]);
    assert_eq!(v["seed"], 9);
    assert_eq!(v["replications"], 3);
    let metrics: Vec<&str> = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    for key in KEY_METRICS {
        assert!(metrics.contains(key), "{key} compared");
    }
    let differences = v["differences"].as_array().unwrap();
    let of: Vec<&str> = differences
        .iter()
        .map(|d| d["metric"].as_str().unwrap())
        .collect();
    assert_eq!(of, metrics, "one difference per metric, in order");
    for d in differences {
        assert_eq!(d["scenario"], "Small gift");
        let mut keys: Vec<&String> = d.as_object().unwrap().keys().collect();
        keys.sort();
        // The contract's fields, and the scenario's file (names may repeat).
        assert_eq!(
            keys,
            ["ci95", "file", "mean", "metric", "scenario", "significant"]
        );
    }
    let scenarios = v["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 2);
    assert_eq!(scenarios[0]["file"], ESCALATED);
    assert_eq!(scenarios[1]["name"], "Small gift");
    assert!(scenarios[1]["customers"]["lost"]["mean"].is_number());
}

#[test]
fn compare_uses_the_first_files_seed_and_writes_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cmp.json");
    let (stdout, _) = ok(&[
        "compare",
        ESCALATED,
        GIFT,
        "--format",
        "json",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(stdout.is_empty());
    let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(v["seed"], 3);
    assert_eq!(v["replications"], 4);
    assert_eq!(files_in(dir.path()), ["cmp.json"]);
}

/// Run and insist on exit code 2 (bad input); stderr.
fn refused(args: &[&str]) -> String {
    let out = handoff().args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    stderr
}

#[test]
fn the_extension_of_the_output_chooses_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    ok(&["run", TINY, "-q", "-o", &at("r.json")]);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(at("r.json")).unwrap())
        .expect("-o r.json writes JSON");
    assert!(json["customers"]["lost"]["mean"].is_number());
    ok(&["run", TINY, "-q", "-o", &at("r.csv")]);
    let csv = std::fs::read_to_string(at("r.csv")).unwrap();
    assert!(csv.starts_with("metric,mean,ci95\n"), "{csv}");
    ok(&["run", TINY, "-q", "-o", &at("r.txt")]);
    assert!(
        std::fs::read_to_string(at("r.txt"))
            .unwrap()
            .starts_with("Tiny\n")
    );
    // Unknown extensions: text, as documented.
    ok(&["run", TINY, "-q", "-o", &at("r.out")]);
    assert!(
        std::fs::read_to_string(at("r.out"))
            .unwrap()
            .starts_with("Tiny\n")
    );
    // compare too.
    ok(&["compare", TINY, TINY, "-q", "-o", &at("c.json")]);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(at("c.json")).unwrap()).unwrap();
    assert!(json["differences"].is_array());
    ok(&["compare", TINY, TINY, "-q", "-o", &at("c.csv")]);
    assert!(
        std::fs::read_to_string(at("c.csv"))
            .unwrap()
            .starts_with("scenario,file,variant,metric,")
    );
    // .html is the workshop page, for run and compare.
    ok(&["run", TINY, "-q", "-o", &at("r.html")]);
    let page = std::fs::read_to_string(at("r.html")).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>"),
        "{}",
        &page[..80.min(page.len())]
    );
    ok(&["compare", TINY, TINY, "-q", "-o", &at("c.HTM")]);
    let page = std::fs::read_to_string(at("c.HTM")).unwrap();
    assert!(page.contains("id=\"handoff-data\""));
    // A contradiction is refused before anything is written.
    let e = refused(&["run", TINY, "-q", "--format", "json", "-o", &at("x.csv")]);
    assert!(e.contains("contradicts"), "{e}");
    let e = refused(&[
        "compare",
        TINY,
        TINY,
        "-q",
        "--format",
        "text",
        "-o",
        &at("x.json"),
    ]);
    assert!(e.contains("contradicts"), "{e}");
    let e = refused(&[
        "run",
        TINY,
        "-q",
        "--format",
        "html",
        "-o",
        &at("x.html.json"),
    ]);
    assert!(e.contains("--format html contradicts"), "{e}");
    assert!(!dir.path().join("x.csv").exists() && !dir.path().join("x.html.json").exists());
}

/// The number of the customer in a story's first line, and its arrival day.
fn told_customers(stories: &str) -> Vec<(u64, f64)> {
    let mut out = Vec::new();
    let mut lines = stories.lines().peekable();
    while let Some(l) = lines.next() {
        if let Some(rest) = l.strip_prefix("Customer ") {
            let n: u64 = rest.split(' ').next().unwrap().parse().unwrap();
            let arrived = lines
                .find(|l| l.ends_with("first came to us"))
                .map(|l| l.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap())
                .unwrap_or_else(|| panic!("customer {n} has no arrival in\n{stories}"));
            out.push((n, arrived));
        }
    }
    out
}

#[test]
fn explain_tells_only_of_counted_customers_and_of_one_saved() {
    // Silent majority: a 30-day warm-up; stories used to come from days 3 to 23.
    let (stdout, _) = ok(&[
        "run",
        "scenarios/silent-majority.toml",
        "-q",
        "--explain",
        "3",
    ]);
    let stories = &stdout[stdout.find("\nStories of lost customers").expect(&stdout)..];
    let told = told_customers(stories);
    assert!(told.len() >= 3, "{stories}");
    for (n, day) in &told {
        assert!(
            *day >= 30.0,
            "customer {n} arrived on day {day}, in the warm-up\n{stories}"
        );
    }
    assert!(
        stories.contains(", saved by a quick recovery: "),
        "a customer saved by a quick recovery, when there is one\n{stories}"
    );
    // By cause: the id, or the start of it.
    let (stdout, _) = ok(&[
        "run",
        "scenarios/silent-majority.toml",
        "-q",
        "--explain",
        "2",
        "--cause",
        "handoff:production->billing",
    ]);
    let stories = &stdout[stdout
        .find("\nStories of customers lost to")
        .expect(&stdout)..];
    let left: Vec<&str> = stories
        .lines()
        .filter(|l| l.contains(" left on day "))
        .collect();
    assert_eq!(left.len(), 2, "{stories}");
    for l in left {
        assert!(l.contains("production → billing"), "{l}");
    }
    let e = refused(&[
        "run",
        "scenarios/silent-majority.toml",
        "-q",
        "--explain",
        "2",
        "--cause",
        "handoff:biling->customer",
    ]);
    // The route mistyped: the route (all its causes), not one of its kinds.
    assert!(
        e.contains("help: did you mean `handoff:billing->customer`?\n"),
        "{e}"
    );
    assert!(e.contains("\n    department:support:wait"), "{e}");
}

#[test]
fn explain_or_trace_with_shard_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("p.json");
    let part = part.to_str().unwrap();
    let e = refused(&["run", TINY, "--shard", "0/2", "--explain", "1", "-o", part]);
    assert!(e.contains("--shard"), "{e}");
    refused(&[
        "run", TINY, "--shard", "0/2", "--trace", "t.csv", "-o", part,
    ]);
    assert!(!Path::new(part).exists());
}

#[test]
fn compare_keeps_what_only_some_scenarios_have() {
    // Tiny has no support department; Small escalated has one.
    let (stdout, _) = ok(&["compare", TINY, ESCALATED, "-q"]);
    let row = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("support: utilisation"))
        .unwrap_or_else(|| panic!("the support row is kept\n{stdout}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[2], "–", "a dash where Tiny has no support: {row}");
    assert_eq!(cells.last(), Some(&"–"), "no difference to take: {row}");
    // Customers lost by cause, so a consultant sees which fix saved whom.
    assert!(
        stdout.contains("\n  lost to sales → billing errors "),
        "{stdout}"
    );
    let v = compare_json(&["compare", TINY, ESCALATED, "-q", "--format", "json"]);
    let metrics: Vec<&str> = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let k = metrics
        .iter()
        .position(|m| *m == "departments.support.utilization")
        .expect("support compared");
    assert!(v["differences"][k]["mean"].is_null());
    assert!(metrics.contains(&"lost_by_cause.handoff:sales->billing:error.customers"));
}

#[test]
fn a_variant_is_compared_without_a_second_file() {
    let (stdout, _) = ok(&[
        "compare",
        TINY,
        "-q",
        "--variant",
        "billing x3: department.billing.staff=3, department.sales.staff=3",
    ]);
    assert!(
        stdout.contains(&format!(
            "  [2]           billing x3 ({TINY} with department.billing.staff=3, department.sales.staff=3)\n"
        )),
        "{stdout}"
    );
    // Waiting in billing must drop with three staff instead of one.
    let row = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("billing: mean wait"))
        .unwrap();
    assert!(row.contains(" -"), "{row}");
    // A variant that is not `LABEL: PATH=VALUE` is refused.
    let e = refused(&["compare", TINY, "--variant", "department.billing.staff=3"]);
    assert!(e.contains("LABEL"), "{e}");
    let e = refused(&[
        "compare",
        TINY,
        "--variant",
        "x: department.nowhere.staff=3",
    ]);
    assert!(e.contains("nowhere"), "{e}");
}

#[test]
fn a_variant_with_an_empty_change_or_a_control_character_in_its_label_is_refused() {
    for (variant, says) in [
        (
            "x: department.sales.staff=3,,",
            "help: separate the changes with single commas: 'x: department.sales.staff=3'",
        ),
        (
            "x: , department.sales.staff=3, department.billing.staff=2",
            "'x: department.sales.staff=3, department.billing.staff=2'",
        ),
        (
            "x: department.sales.staff=3,",
            "the variant `x` has an empty change in its list",
        ),
        ("x:  ", "the variant `x` changes nothing"),
        ("   : department.sales.staff=3", "needs a label"),
        (
            "a\u{1b}[31mb: department.sales.staff=3",
            "the variant label contains a control character (\\u{1b})",
        ),
        (
            "a\nb: department.sales.staff=3",
            "the variant label contains a control character (\\n)",
        ),
    ] {
        let e = refused(&["compare", TINY, "--variant", variant]);
        assert!(e.contains(says), "{variant:?}: {e}");
        assert!(!e.contains('\u{1b}'), "{variant:?}: {e}");
    }
}

#[test]
fn a_variant_label_is_capped_as_a_scenario_name_is() {
    let at_most = format!("{}: department.sales.staff=3", "y".repeat(200));
    ok(&[
        "compare",
        TINY,
        "-q",
        "--replications",
        "1",
        "--variant",
        &at_most,
    ]);
    let long = format!("{}: department.sales.staff=3", "y".repeat(201));
    let e = refused(&["compare", TINY, "--variant", &long]);
    assert!(
        e.contains(&format!(
            "the variant label is too long: 201 characters, \"{}…\" (expected at most 200 characters)",
            "y".repeat(30)
        )),
        "{e}"
    );
    assert!(e.contains("help: names are shown whole in reports"), "{e}");
}

#[test]
fn scenarios_of_one_name_are_told_apart_by_file() {
    let (stdout, _) = ok(&["compare", TINY, TINY, "-q", "--replications", "2"]);
    assert!(
        stdout.contains(&format!(
            "  [1]           Tiny ({TINY})\n  [2]           Tiny ({TINY})\n"
        )),
        "{stdout}"
    );
    let v = compare_json(&["compare", TINY, TINY, "-q", "--format", "json"]);
    assert_eq!(v["differences"][0]["file"], TINY);
}

#[test]
fn json_events_are_the_total_the_text_report_divides_by_the_replications() {
    // README: `events` in JSON is summed over all replications; the text
    // report's `events … per replication` is that total over their number.
    let (json, _) = ok(&["run", TINY, "-q", "--replications", "3", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let total = json["events"].as_u64().expect("events is a plain count");
    assert_eq!(json["scenario"]["replications"], 3);
    let (text, _) = ok(&["run", TINY, "-q", "--replications", "3"]);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("events "))
        .expect(&text);
    let per_replication: f64 = line
        .trim_start()
        .trim_start_matches("events")
        .trim()
        .trim_end_matches("per replication")
        .replace(' ', "")
        .parse()
        .unwrap();
    assert_eq!((total as f64 / 3.0).round(), per_replication, "{line}");
}

#[test]
fn the_weekly_chart_says_its_bars_rise_only_when_customers_reorder() {
    // With reorders the counted base grows, and its losses with it; customers
    // who order once give flat bars, and the page must not say otherwise.
    let rise = "the bars rise through the year";
    for (file, reorders) in [
        ("scenarios/baseline.toml", true),
        ("benches/scenarios/plain-chain.toml", false),
    ] {
        let (page, _) = ok(&[
            "run",
            file,
            "--format",
            "html",
            "--replications",
            "2",
            "--set",
            "simulation.duration=150d",
            "-q",
        ]);
        assert!(
            page.contains("Customers lost, week by week"),
            "{file}: no weekly chart"
        );
        assert_eq!(page.contains(rise), reorders, "{file}");
    }
}

#[test]
fn a_page_for_a_thousand_departments_stays_small() {
    // The scorecard matrix grows as the square of the departments: for a
    // line of a thousand it held a million cells (153 MB, 6 s). Only the
    // departments of the worst links are drawn now, and the page says so.
    let n = 1000;
    let mut toml = String::from(
        "[scenario]\nname = \"many\"\n[simulation]\nduration = \"3d\"\nwarmup = \"1d\"\n\
         seed = 1\nreplications = 1\n[customers]\narrival_rate = \"20/d\"\n",
    );
    for i in 0..n {
        toml += &format!("[[department]]\nname = \"d{i}\"\nstaff = 50\nservice = \"1m\"\n");
    }
    let steps: Vec<String> = (0..n).map(|i| format!("\"d{i}\"")).collect();
    toml += &format!("[[flow]]\nname = \"f\"\nsteps = [{}]\n", steps.join(", "));
    for i in (0..n - 1).step_by(7) {
        toml += &format!(
            "[[handoff]]\nfrom = \"d{i}\"\nto = \"d{}\"\nerror = 0.01\ncatch = 0.5\n",
            i + 1
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.toml");
    std::fs::write(&file, toml).unwrap();
    let (page, _) = ok(&["run", file.to_str().unwrap(), "--format", "html", "-q"]);
    assert!(page.len() < 5_000_000, "{} bytes", page.len());
    assert!(
        page.contains("Only the departments of the worst links fit"),
        "the page says the scorecard is cut"
    );
}
