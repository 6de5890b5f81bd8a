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
        assert_eq!(keys, ["ci95", "mean", "metric", "scenario", "significant"]);
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
