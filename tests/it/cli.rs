//! The `handoff` command, run as a user runs it.
//!
//! Cases with fixed expectations are data files in `tests/cmd/` (`*.toml` for
//! the command, `*.stdout` / `*.stderr` for what it must print; `[..]` and
//! `...` elide what the simulation decides). The tests below check what data
//! files cannot: every malformed scenario in `tests/cases/invalid/`,
//! byte-identical output whatever the thread count, and `--output`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const BIN: &str = env!("CARGO_BIN_EXE_handoff");
const TINY: &str = "tests/cases/ok/tiny.toml";

fn handoff() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("RAYON_NUM_THREADS");
    cmd
}

#[test]
fn cmd_cases() {
    trycmd::TestCases::new()
        .register_bin("handoff", Path::new(BIN))
        .case("tests/cmd/*.toml");
}

/// `file:line:col` right after `-->` somewhere in `stderr`, for `path`.
fn has_location(stderr: &str, path: &str) -> bool {
    stderr.lines().any(|line| {
        let Some(rest) = line.trim_start().strip_prefix("--> ") else {
            return false;
        };
        let Some(pos) = rest.strip_prefix(path).and_then(|r| r.strip_prefix(':')) else {
            return false;
        };
        let parts: Vec<&str> = pos.split(':').collect();
        parts.len() == 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

#[test]
fn every_invalid_scenario_is_rejected_with_its_location() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/cases/invalid exists")
        .map(|e| e.expect("readable directory").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no malformed scenarios in {}",
        dir.display()
    );
    for file in files {
        let rel = format!(
            "tests/cases/invalid/{}",
            file.file_name().unwrap().to_string_lossy()
        );
        let out = handoff().args(["validate", &rel]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{rel}: exit code\n{stderr}");
        assert!(out.stdout.is_empty(), "{rel}: nothing on stdout");
        assert!(
            stderr.starts_with("error"),
            "{rel}: stderr starts with an error\n{stderr}"
        );
        assert!(
            has_location(&stderr, &rel),
            "{rel}: no `--> {rel}:LINE:COL` in\n{stderr}"
        );
        assert!(
            !stderr.contains("\x1b["),
            "{rel}: no colour when stderr is not a terminal"
        );
        assert!(!stderr.contains("panicked"), "{rel}: {stderr}");
    }
}

fn json_with(threads: &str) -> Vec<u8> {
    let out = handoff()
        .args([
            "run",
            TINY,
            "--format",
            "json",
            "--seed",
            "3",
            "--replications",
            "4",
        ])
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn same_scenario_and_seed_give_identical_bytes_whatever_the_threads() {
    let one = json_with("1");
    assert_eq!(one, json_with("1"), "two runs with one thread");
    assert_eq!(one, json_with("4"), "one thread and four threads");
    let v: serde_json::Value = serde_json::from_slice(&one).expect("valid JSON");
    assert_eq!(v["scenario"]["seed"], 3);
    assert_eq!(v["scenario"]["replications"], 4);
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, "old contents").unwrap();
    let args = [
        "run",
        TINY,
        "--format",
        "json",
        "--seed",
        "3",
        "--replications",
        "4",
    ];
    let out = handoff().args(args).arg("-o").arg(&path).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "the report goes to the file, not stdout"
    );
    let written = std::fs::read(&path).unwrap();
    assert_eq!(
        written,
        handoff().args(args).output().unwrap().stdout,
        "the file holds what stdout would"
    );
    // Only the report is left behind: no temporary files.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("report.json")]);
}

#[test]
fn output_into_a_missing_directory_fails_without_a_trace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/report.txt");
    let out = handoff()
        .args(["run", TINY, "--output"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: cannot write "), "{stderr}");
    assert!(!path.exists());
}

/// Billing's mean utilisation in a `run --format json` report, or in a compare's first scenario.
fn billing_utilization(json: &serde_json::Value) -> f64 {
    let departments = json
        .get("departments")
        .unwrap_or_else(|| &json["scenarios"][0]["departments"]);
    let billing = departments
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "billing")
        .unwrap();
    billing["utilization"]["mean"].as_f64().unwrap()
}

#[test]
fn set_changes_the_scenario_for_run_validate_and_compare() {
    let json = |args: &[&str]| -> serde_json::Value {
        let out = handoff().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let plain = json(&["run", TINY, "--format", "json"]);
    let doubled = json(&[
        "run",
        TINY,
        "--format",
        "json",
        "--set",
        "department.billing.staff=2",
    ]);
    // The same work shared by two people: half the utilisation, within the noise of a short run.
    let ratio = billing_utilization(&doubled) / billing_utilization(&plain);
    assert!((ratio - 0.5).abs() < 0.05, "ratio {ratio}");
    let replications = json(&[
        "run",
        TINY,
        "--format",
        "json",
        "--set",
        "simulation.replications=2",
    ]);
    assert_eq!(replications["scenario"]["replications"], 2);

    let compared = json(&[
        "compare",
        TINY,
        TINY,
        "--format",
        "json",
        "--set",
        "department.billing.staff=2",
    ]);
    assert_eq!(
        billing_utilization(&compared),
        billing_utilization(&doubled)
    );

    handoff()
        .args(["validate", TINY, "--set", "department.billing.staff=2"])
        .assert()
        .success();
    handoff()
        .args(["validate", TINY, "--set", "department.billing.staff=0"])
        .assert()
        .code(2);
}

#[test]
fn completions_and_manual_pages_are_printed() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = handoff().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("handoff") && script.contains("replications"),
            "{shell}"
        );
    }
    let out = handoff().args(["man"]).output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH handoff 1"), "{page}");
    let out = handoff().args(["man", "compare"]).output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.contains(".TH handoff-compare 1") && page.contains("variant"),
        "{page}"
    );
    let out = handoff().args(["man", "nothing"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn manual_pages_set_the_examples_one_per_line_as_help_prints_them() {
    let text = |args: &[&str]| {
        let out = handoff().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    for command in ["run", "compare", "validate"] {
        // --help prints the examples as written: indented, one per line.
        let help = text(&[command, "--help"]);
        let examples: Vec<&str> = help[help.find("\nExamples:\n").expect(&help)..]
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with("  handoff "))
            .map(str::trim)
            .collect();
        assert!(examples.len() >= 3, "{help}");
        // The manual page sets the same lines unfilled (`.nf`): not run
        // together, justified or hyphenated.
        let page = text(&["man", command]);
        let extra = &page[page.find("\n.SH EXTRA\n").expect(&page)..];
        let start = extra.find("\n.nf\n").expect(extra) + 5;
        let end = extra.find("\n.fi\n").expect(extra);
        let set: Vec<String> = extra[start..end]
            .lines()
            .map(|l| l.replace("\\-", "-").replace("\\*(Aq", "'"))
            .collect();
        assert_eq!(set, examples, "handoff man {command}");
    }
    // The top page's notes after its examples stay one line each.
    let page = text(&["man"]);
    assert!(
        page.contains("`handoff man COMMAND`.\n.br\nExit codes:"),
        "{page}"
    );
}

#[test]
fn threads_change_nothing_but_the_speed() {
    let run = |threads: &str| {
        let out = handoff()
            .args(["--threads", threads, "run", TINY, "--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    assert_eq!(run("1"), run("3"));
    let out = handoff()
        .args(["run", TINY, "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "at least one thread");
}

#[test]
fn help_has_examples_and_no_relative_doc_paths() {
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["compare", "--help"],
        &["validate", "--help"],
        &["sweep", "--help"],
        &["sensitivity", "--help"],
        &["merge", "--help"],
    ] {
        let out = handoff().args(args).output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(
            !help.contains(" docs/") && !help.contains("(docs/"),
            "{args:?}:\n{help}"
        );
        if matches!(args[0], "--help" | "run" | "compare" | "validate") {
            assert!(help.contains("Examples:"), "{args:?}:\n{help}");
        }
    }
}

#[test]
fn validate_checks_every_file_given() {
    let out = handoff()
        .args([
            "validate",
            TINY,
            "tests/cases/invalid/duplicate_department.toml",
            "scenarios/baseline.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains(&format!("{TINY}: ok")), "{stdout}");
    assert!(stdout.contains("scenarios/baseline.toml: ok"), "{stdout}");
    assert!(stderr.contains("duplicate_department.toml:"), "{stderr}");
}

#[test]
fn colour_is_forced_by_clicolor_force_and_refused_by_no_color() {
    let bad = "tests/cases/invalid/duplicate_department.toml";
    let stderr = |vars: &[(&str, &str)]| {
        let mut cmd = handoff();
        cmd.env_remove("CLICOLOR_FORCE").env_remove("TERM");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.args(["validate", bad]).output().unwrap().stderr).unwrap()
    };
    assert!(!stderr(&[]).contains('\x1b'), "no colour into a pipe");
    assert!(
        stderr(&[("CLICOLOR_FORCE", "1")]).contains('\x1b'),
        "forced"
    );
    assert!(!stderr(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\x1b'));
}

/// Options that contradict each other are refused (exit 2) before anything
/// runs, where each once went through with one of them silently ignored: a
/// sweep's `--format` against its file's extension (JSON was written into
/// `s.csv`), a `--set` of the value a `--vary` sweeps, two variants of one label.
#[test]
fn options_that_contradict_each_other_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.csv");
    let out = out.to_str().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "sweep",
                TINY,
                "--vary",
                "department.billing.staff=1,2",
                "-o",
                out,
                "--format",
                "json",
            ],
            "--format json contradicts the extension",
        ),
        (
            &[
                "sweep",
                TINY,
                "--vary",
                "department.billing.staff=1,2",
                "--set",
                "department.billing.staff=5",
                "-o",
                out,
            ],
            "change the same value",
        ),
        (
            &[
                "compare",
                TINY,
                "--variant",
                "x: department.billing.staff=2",
                "--variant",
                "x: department.billing.staff=3",
            ],
            "two variants are labelled `x`",
        ),
    ];
    for (args, says) in cases {
        let output = handoff().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!Path::new(out).exists(), "{args:?} wrote {out}");
    }
}
