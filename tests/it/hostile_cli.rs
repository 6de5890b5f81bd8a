//! The command as a careless or hostile user runs it: edited parts, absurd
//! shard counts, outputs that are not files, inputs named as outputs, and
//! processes killed mid-write. Every refusal is exit 2 with a message naming
//! what is wrong; nothing is left on disk after an interrupt.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::command::{BIN, handoff, run, stderr, tiny};

/// Assert exit 2 with a message containing every one of `says`.
fn refused(dir: &Path, args: &[&str], says: &[&str]) {
    let out = run(dir, args, 2);
    let err = stderr(&out);
    for s in says {
        assert!(err.contains(s), "handoff {}: {err}", args.join(" "));
    }
    assert!(!err.contains("panicked"), "{err}");
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write_json(path: &Path, v: &Value) {
    // Sealed again, as if handoff had written it, so that the check under
    // test is reached (an edit alone is refused by the part's checksum);
    // the old checksum goes, as a part has one.
    let mut v = v.clone();
    v.as_object_mut().map(|o| o.remove("checksum"));
    let pretty = serde_json::to_vec_pretty(&v).unwrap();
    std::fs::write(path, handoff::experiment::shard::seal(&pretty)).unwrap();
}

/// Two run parts of tiny (4 replications, 2 shards) in `d`: p0.json and p1.json.
fn run_parts(d: &Path) {
    let s = tiny();
    let f = s.to_str().unwrap();
    for i in 0..2 {
        let shard = format!("{i}/2");
        let out = format!("p{i}.json");
        run(
            d,
            &[
                "run",
                f,
                "--replications",
                "4",
                "--shard",
                &shard,
                "-o",
                &out,
            ],
            0,
        );
    }
}

#[test]
fn merge_refuses_edited_run_parts_without_crashing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_parts(d);
    run(d, &["merge", "p0.json", "p1.json", "-o", "whole.txt"], 0);
    let p1 = json(&d.join("p1.json"));

    type Edit = fn(&mut Value);
    let cases: [(&str, Edit, &[&str]); 8] = [
        (
            "index past its count",
            |v| v["shard"]["index"] = 5.into(),
            &["`bad.json` claims to be shard 5/2"],
        ),
        (
            "count zero",
            |v| v["shard"]["count"] = 0.into(),
            &["`bad.json` claims to be one of 0 shards"],
        ),
        (
            "a department missing from a replication's metrics",
            |v| {
                v["runs"][0]["metrics"]["departments"]
                    .as_array_mut()
                    .unwrap()
                    .remove(1);
            },
            &[
                "`bad.json`, replication 1",
                "no statistic `departments.billing.utilization`",
            ],
        ),
        (
            "a handoff missing from a replication's metrics",
            |v| {
                v["runs"][1]["metrics"]["handoffs"]
                    .as_array_mut()
                    .unwrap()
                    .clear();
            },
            &["`bad.json`, replication 3", "no statistic `handoffs."],
        ),
        (
            "a replication missing",
            |v| {
                v["runs"].as_array_mut().unwrap().pop();
            },
            &["`bad.json` holds 1 replications, but shard 1/2 of 4 has 2"],
        ),
        (
            "a replication of another shard",
            |v| v["runs"][0]["replication"] = 2.into(),
            &["`bad.json` holds replication 2, which is not one of shard 1/2's"],
        ),
        (
            "an unknown kind",
            |v| v["kind"] = "walk".into(),
            &["`bad.json` is a `walk` part"],
        ),
        (
            "more replications claimed than a run may have",
            |v| v["replications"] = 4_000_000_000u64.into(),
            &["`bad.json` says the run has 4000000000 replications, `p0.json` says 4"],
        ),
    ];
    for (what, edit, says) in cases {
        let mut bad = p1.clone();
        edit(&mut bad);
        write_json(&d.join("bad.json"), &bad);
        let out = run(d, &["merge", "p0.json", "bad.json", "-o", "out.txt"], 2);
        let err = stderr(&out);
        for s in says {
            assert!(err.contains(s), "{what}: {err}");
        }
        assert!(!d.join("out.txt").exists(), "{what}: nothing is written");
    }
}

/// Values no simulation produces, in a part sealed again after the edit,
/// are refused by name (part, replication, field); so is a timeline of other
/// buckets, which used to leave the merged report without one.
#[test]
fn merge_refuses_impossible_values_and_timelines_in_run_parts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_parts(d);
    let p1 = json(&d.join("p1.json"));
    let served = "`bad.json`, replication 1: `departments.sales.served`";
    type Edit = fn(&mut Value);
    let cases: [(Edit, &[&str]); 13] = [
        (
            |v| v["runs"][0]["metrics"]["departments"][0]["utilization"] = (-5).into(),
            &[
                "`bad.json`, replication 1: `departments.sales.utilization` is -5, not a share between 0 and 1",
            ],
        ),
        (
            |v| v["runs"][0]["metrics"]["departments"][0]["utilization"] = "nan".into(),
            &["`departments.sales.utilization` is nan, not a share"],
        ),
        (
            |v| v["runs"][1]["metrics"]["orders"]["delivered"] = "inf".into(),
            &["`bad.json`, replication 3: `orders.delivered` is inf, not a count"],
        ),
        (
            |v| v["runs"][0]["metrics"]["departments"][0]["served"] = (-1).into(),
            &[served, "is -1, not a count (a whole number from 0)"],
        ),
        (
            |v| v["runs"][0]["metrics"]["departments"][0]["served"] = 1.5.into(),
            &[served, "is 1.5, not a count"],
        ),
        (
            |v| v["runs"][0]["metrics"]["departments"][0]["served"] = u64::MAX.into(),
            &[served, "more than a run can count"],
        ),
        (
            |v| v["runs"][0]["events"] = u64::MAX.into(),
            &[
                "`bad.json`, replication 1: `events` is 18446744073709551615, more than a replication can process",
            ],
        ),
        (
            |v| v["runs"][0]["timeline"] = serde_json::json!([]),
            &[
                "`bad.json`, replication 1: its timeline has 0 buckets, but the scenario's counted period (after the warm-up) has 2",
            ],
        ),
        (
            |v| {
                v["runs"][0]["timeline"].as_array_mut().unwrap().pop();
            },
            &["its timeline has 1 buckets, but"],
        ),
        (
            |v| {
                let week = v["runs"][0]["timeline"][0].clone();
                v["runs"][0]["timeline"].as_array_mut().unwrap().push(week);
            },
            &["its timeline has 3 buckets, but"],
        ),
        (
            |v| {
                v["runs"][0]["timeline"][0]["lost_by_cause"] = serde_json::json!([[999999, 1]]);
                v["runs"][0]["timeline"][0]["customers_lost"] = 1.into();
            },
            &[
                "bucket 0 of its timeline counts customers lost to cause number 999999, but the scenario's causes are numbered 0 to",
            ],
        ),
        (
            |v| {
                v["runs"][0]["timeline"][0]["lost_by_cause"] = serde_json::json!([[1, 1], [1, 1]]);
                v["runs"][0]["timeline"][0]["customers_lost"] = 2.into();
            },
            &["bucket 0 of its timeline lists cause number 1 twice"],
        ),
        (
            |v| v["runs"][0]["timeline"][0]["customers_lost"] = 1000.into(),
            &["bucket 0 of its timeline counts 1000 customers lost, but"],
        ),
    ];
    for (edit, says) in cases {
        let mut bad = p1.clone();
        edit(&mut bad);
        write_json(&d.join("bad.json"), &bad);
        refused(d, &["merge", "p0.json", "bad.json", "-o", "out.txt"], says);
        assert!(!d.join("out.txt").exists(), "{says:?}: nothing is written");
    }
}

/// A part whose stored scenario text is not valid is reported as that text,
/// in that part: not at the file it was written from, which the user would
/// open and find valid.
#[test]
fn a_bad_scenario_stored_in_a_part_is_reported_as_the_part_s() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_parts(d);
    let origin = tiny().display().to_string();
    let mut bad = json(&d.join("p0.json"));
    assert_eq!(bad["scenario"]["origin"], origin.as_str());
    bad["scenario"]["text"] = "this is not toml [".into();
    write_json(&d.join("bad.json"), &bad);
    let out = run(d, &["merge", "bad.json", "p1.json", "-o", "out.txt"], 2);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "error: `bad.json`: the scenario stored in it (written from `{origin}`) is not valid here"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(" --> {origin} (as stored in bad.json):1:6")),
        "{err}"
    );
    assert!(!err.contains(&format!("{origin}:1")), "{err}");
    assert!(!d.join("out.txt").exists());
}

#[test]
fn merge_answers_a_part_claiming_a_hundred_million_shards_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_parts(d);
    let mut bad = json(&d.join("p1.json"));
    bad["shard"] = serde_json::json!({"index": 1, "count": 100_000_000});
    write_json(&d.join("huge.json"), &bad);
    let start = Instant::now();
    refused(
        d,
        &["merge", "huge.json", "-o", "out.txt"],
        &["99999999 shards are missing: 0/100000000, 2/100000000"],
    );
    // With the other shards given as 0/100000000, the count is checked against the work.
    let mut zero = json(&d.join("p0.json"));
    zero["shard"] = serde_json::json!({"index": 0, "count": 100_000_000});
    write_json(&d.join("zero.json"), &zero);
    refused(
        d,
        &["merge", "zero.json", "huge.json", "-o", "out.txt"],
        &["shards are missing"],
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "no allocation for the shards claimed: {:?}",
        start.elapsed()
    );
}

#[test]
fn merge_refuses_edited_sweep_parts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    for i in 0..2 {
        let shard = format!("{i}/2");
        let out = format!("s{i}.json");
        let args = [
            "sweep",
            f,
            "--replications",
            "1",
            "--vary",
            "customers.promise=1d,2d,3d",
            "--shard",
            &shard,
            "-o",
            &out,
        ];
        run(d, &args, 0);
    }
    let s1 = json(&d.join("s1.json"));
    type Edit = fn(&mut Value);
    let cases: [(Edit, &str); 4] = [
        (
            |v| v["axes"][0]["values"] = serde_json::json!([]),
            "`bad.json` sweeps other values than `s0.json`",
        ),
        (
            |v| v["shard"] = serde_json::json!({"index": 1, "count": 2_000_000}),
            "shard",
        ),
        (
            |v| {
                v["points"][0]["metrics"].as_array_mut().unwrap().remove(0);
            },
            "`bad.json`, point 1: it has no statistic `departments.sales.utilization`",
        ),
        (
            |v| {
                v["points"].as_array_mut().unwrap().clear();
            },
            "the parts hold 2 points, but the sweep has 3",
        ),
    ];
    for (edit, says) in cases {
        let mut bad = s1.clone();
        edit(&mut bad);
        write_json(&d.join("bad.json"), &bad);
        refused(
            d,
            &["merge", "s0.json", "bad.json", "-o", "out.csv"],
            &[says],
        );
        assert!(!d.join("out.csv").exists());
    }
    // An edit of the first part's first point is blamed on that point, not
    // on the points that do not share it: the points agree by majority.
    let s0 = json(&d.join("s0.json"));
    let last = s0["points"][0]["metrics"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut bad = s0.clone();
    bad["points"][0]["metrics"].as_array_mut().unwrap().pop();
    write_json(&d.join("bad0.json"), &bad);
    refused(
        d,
        &["merge", "bad0.json", "s1.json", "-o", "out.csv"],
        &[&format!(
            "`bad0.json`, point 0: it has no statistic `{last}`, unlike the other 2 points"
        )],
    );
    let mut bad = s0.clone();
    bad["points"][0]["values"] = serde_json::json!(["bogus"]);
    write_json(&d.join("bad0.json"), &bad);
    refused(
        d,
        &["merge", "bad0.json", "s1.json", "-o", "out.csv"],
        &[
            "`bad0.json`, point 0: its values are `bogus`, but point 0 of the sweep is `customers.promise=1d`",
        ],
    );
    let mut bad = s1.clone();
    bad["points"][0]["metrics"][0]["mean"] = "nan".into();
    write_json(&d.join("bad.json"), &bad);
    refused(
        d,
        &["merge", "s0.json", "bad.json", "-o", "out.csv"],
        &[
            "`bad.json`, point 1: `departments.sales.utilization` has the mean nan, not a share between 0 and 1",
        ],
    );
    let mut bad = s1.clone();
    bad["points"][0]["metrics"][3]["mean"] = (-2).into();
    write_json(&d.join("bad.json"), &bad);
    refused(
        d,
        &["merge", "s0.json", "bad.json", "-o", "out.csv"],
        &["`bad.json`, point 1: `departments.sales.served` has the mean -2, not a count"],
    );
    assert!(!d.join("out.csv").exists());
    // The first part's axes are the grid: over no values, it is refused too.
    let mut bad = json(&d.join("s0.json"));
    bad["axes"][0]["values"] = serde_json::json!([]);
    write_json(&d.join("bad0.json"), &bad);
    refused(
        d,
        &["merge", "bad0.json", "s1.json", "-o", "out.csv"],
        &["`bad0.json` sweeps `customers.promise` over no values"],
    );
}

#[test]
fn shards_may_not_outnumber_the_work_they_split() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    refused(
        d,
        &[
            "run",
            f,
            "--replications",
            "3",
            "--shard",
            "0/4",
            "-o",
            "p.json",
        ],
        &["--shard 0/4 splits 3 replications into 4 shards", "1 to 3"],
    );
    refused(
        d,
        &[
            "sweep",
            f,
            "--vary",
            "customers.promise=1d,2d",
            "--shard",
            "2/3",
            "-o",
            "p.json",
        ],
        &["--shard 2/3 splits 2 points into 3 shards"],
    );
    assert!(!d.join("p.json").exists());
}

#[test]
fn a_shard_asked_for_a_report_format_is_refused_not_written_as_a_part() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    // A part is JSON for merge: a .csv holding JSON, or a --format ignored,
    // would surprise whoever opens it.
    for (args, says) in [
        (&["run", f, "--shard", "0/1", "-o", "p.csv"][..], "not csv"),
        (
            &["run", f, "--shard", "0/1", "-o", "p.html"][..],
            "not html",
        ),
        (&["run", f, "--shard", "0/1", "-o", "p.txt"][..], "not text"),
        (
            &["run", f, "--shard", "0/1", "--format", "csv", "-o", "p"][..],
            "not csv",
        ),
        (
            &["run", f, "--shard", "0/1", "--format", "html"][..],
            "not html",
        ),
        (
            &[
                "sweep",
                f,
                "--vary",
                "customers.promise=1d,2d",
                "--shard",
                "0/2",
                "-o",
                "p.csv",
            ][..],
            "not csv",
        ),
        (
            &[
                "sweep",
                f,
                "--vary",
                "customers.promise=1d,2d",
                "--shard",
                "0/2",
                "--format",
                "csv",
                "-o",
                "p.part",
            ][..],
            "not csv",
        ),
    ] {
        refused(
            d,
            args,
            &[
                says,
                "writes a part (JSON) for `handoff merge`",
                "name the part .json",
            ],
        );
    }
    assert_eq!(std::fs::read_dir(d).unwrap().count(), 0, "nothing written");
    // .json, no extension, or --format json: a part.
    run(d, &["run", f, "--shard", "0/1", "-o", "p.json"], 0);
    run(
        d,
        &["run", f, "--shard", "0/1", "--format", "json", "-o", "p"],
        0,
    );
    run(
        d,
        &[
            "sweep",
            f,
            "--vary",
            "customers.promise=1d,2d",
            "--shard",
            "0/2",
            "-o",
            "s.part",
            "-q",
        ],
        0,
    );
    run(d, &["merge", "p.json", "-o", "m.csv"], 0);
}

#[test]
fn counts_above_their_maxima_are_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = std::fs::read_to_string(tiny()).unwrap();
    std::fs::write(
        d.join("many.toml"),
        text.replace("replications = 3", "replications = 1000000000"),
    )
    .unwrap();
    refused(
        d,
        &["run", "many.toml"],
        &[
            "`replications` is too large: 1000000000 is more than 1000000",
            "--> many.toml:12:16",
            "expected at most 1000000",
            "help:",
        ],
    );
    // The same through `--set`: the caret is under the override.
    refused(
        d,
        &[
            "run",
            "many.toml",
            "--set",
            "simulation.replications=1000001",
        ],
        &["1000001 is more than 1000000", "--> --set:1:25", "help:"],
    );
    std::fs::write(
        d.join("long.toml"),
        text.replace("duration = \"14d\"", "duration = \"1e300d\""),
    )
    .unwrap();
    refused(
        d,
        &["run", "long.toml"],
        &["is more than 36500 days (100 years)", "help:"],
    );
    let s = tiny();
    refused(
        d,
        &["run", s.to_str().unwrap(), "--replications", "1000001"],
        &["1000001 is not in 1..=1000000"],
    );
}

/// Every command that writes a file refuses an output that is not one, before simulating.
#[test]
fn outputs_are_checked_before_anything_is_simulated() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(tiny(), d.join("t.toml")).unwrap();
    std::fs::copy(tiny(), d.join("u.toml")).unwrap();
    std::fs::create_dir(d.join("dir")).unwrap();
    let commands: [&[&str]; 4] = [
        &["run", "t.toml"],
        &["compare", "t.toml", "u.toml"],
        &["sensitivity", "t.toml"],
        &["sweep", "t.toml", "--vary", "customers.promise=1d,2d"],
    ];
    for command in commands {
        for (out, says) in [
            ("dir", "cannot write dir: it is a directory"),
            ("/dev/null", "it is not a regular file"),
            ("t.toml", "cannot write t.toml: it is an input"),
            ("nowhere/x.csv", "the directory nowhere does not exist"),
        ] {
            let mut args = command.to_vec();
            args.extend(["-o", out]);
            let err = stderr(&run(d, &args, 2));
            assert!(err.contains(says), "{args:?}: {err}");
            assert!(
                !err.contains("os error") && !err.contains(".tmp"),
                "one clear message: {err}"
            );
        }
    }
    // The trace too, for run; and a part named as merge's output.
    refused(
        d,
        &["run", "t.toml", "--trace", "nowhere/trace.csv"],
        &["cannot write nowhere/trace.csv: the directory nowhere does not exist"],
    );
    refused(
        d,
        &["run", "t.toml", "--trace", "t.toml"],
        &["cannot write t.toml: it is an input"],
    );
    refused(
        d,
        &["run", "t.toml", "--trace", "same.csv", "-o", "same.csv"],
        &["--trace and the report would go to the same place"],
    );
    run_parts(d);
    refused(
        d,
        &["merge", "p0.json", "p1.json", "-o", "p1.json"],
        &["cannot write p1.json: it is an input"],
    );
    assert_eq!(
        std::fs::read_to_string(d.join("t.toml")).unwrap(),
        std::fs::read_to_string(tiny()).unwrap()
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_written_through_and_permissions_kept() {
    use std::os::unix::fs::{PermissionsExt as _, symlink};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(tiny(), d.join("t.toml")).unwrap();
    let mode = |p: &str| std::fs::metadata(d.join(p)).unwrap().permissions().mode() & 0o777;

    // A link to the scenario is the scenario.
    symlink("t.toml", d.join("link.toml")).unwrap();
    refused(
        d,
        &["run", "t.toml", "-o", "link.toml"],
        &["it is the input t.toml"],
    );

    // A link to a report: the report is replaced, the link stays a link.
    std::fs::write(d.join("report.txt"), "old").unwrap();
    symlink("report.txt", d.join("latest.txt")).unwrap();
    run(d, &["run", "t.toml", "-o", "latest.txt"], 0);
    assert!(
        std::fs::symlink_metadata(d.join("latest.txt"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(d.join("report.txt"))
            .unwrap()
            .starts_with("Tiny")
    );

    // An existing file keeps its permissions.
    std::fs::set_permissions(d.join("report.txt"), std::fs::Permissions::from_mode(0o640)).unwrap();
    run(d, &["run", "t.toml", "-o", "report.txt"], 0);
    assert_eq!(mode("report.txt"), 0o640);

    // A read-only file is not replaced (the rename would be allowed, as the
    // directory is writable, but `>` would not be): exit 2, the file kept.
    std::fs::set_permissions(d.join("report.txt"), std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(d.join("report.txt")).unwrap();
    refused(
        d,
        &["run", "t.toml", "-o", "report.txt"],
        &["cannot write report.txt: it is read-only", "help: "],
    );
    // Through a link as well.
    refused(
        d,
        &["run", "t.toml", "-o", "latest.txt"],
        &["cannot write latest.txt: it is read-only"],
    );
    assert_eq!(std::fs::read(d.join("report.txt")).unwrap(), before);
    assert_eq!(mode("report.txt"), 0o444);

    // A new one honours the umask (not the 0600 of a temporary file).
    for (umask, expected) in [("022", 0o644), ("027", 0o640)] {
        let out = format!("new-{umask}.txt");
        let status = Command::new("sh")
            .current_dir(d)
            .args([
                "-c",
                &format!("umask {umask} && exec \"$0\" run t.toml -o {out}"),
                BIN,
            ])
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(mode(&out), expected, "umask {umask}");
    }

    // `-o -` is standard output, and no file named `-` appears.
    let out = run(d, &["run", "t.toml", "-o", "-"], 0);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Tiny"));
    assert!(!d.join("-").exists());
}

/// Temporary files (hidden, `.handoff-…tmp`) in `dir`.
fn temporary_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// Whether process `pid` is writing a temporary file in `dir` and has
/// written something. Such a file has no name on Linux (`O_TMPFILE`: the
/// process's descriptor shows `DIR/#INODE (deleted)`), a hidden `.tmp` name
/// elsewhere.
fn writing(pid: u32, dir: &Path) -> bool {
    let dir = dir.canonicalize().unwrap();
    let temporary = |target: &Path, size: u64| {
        let name = target.to_string_lossy();
        target.starts_with(&dir)
            && (name.ends_with(".tmp") || name.ends_with(" (deleted)"))
            && size > 0
    };
    if cfg!(target_os = "linux") {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            return false;
        };
        fds.filter_map(Result::ok).any(|fd| {
            let size = std::fs::metadata(fd.path()).map_or(0, |m| m.len());
            std::fs::read_link(fd.path()).is_ok_and(|target| temporary(&target, size))
        })
    } else {
        std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| temporary(&e.path(), e.metadata().map_or(0, |m| m.len())))
    }
}

/// Start `args` in `d`, wait until it writes a temporary file, send `signal`.
fn interrupt_while_writing(d: &Path, args: &[&str], signal: &str) -> Output {
    let mut child = handoff(d, args)
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("handoff starts");
    let start = Instant::now();
    while !writing(child.id(), d) {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("handoff ended ({status}) before it could be interrupted");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    child.wait_with_output().unwrap()
}

/// A trace long enough to take a while to write.
fn long_trace_run(d: &Path) -> [&'static str; 10] {
    std::fs::copy(tiny(), d.join("t.toml")).unwrap();
    [
        "run",
        "t.toml",
        "--replications",
        "1",
        "--set",
        "simulation.duration=20000d",
        "--trace",
        "trace.csv",
        "-o",
        "report.txt",
    ]
}

#[test]
fn an_interrupted_trace_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = long_trace_run(d);
    for signal in ["-TERM", "-INT"] {
        let out = interrupt_while_writing(d, &args, signal);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(130), "{signal}: {err}");
        assert!(err.contains("interrupted: nothing was written"), "{err}");
        assert_eq!(temporary_files(d), Vec::<String>::new(), "{signal}");
        assert!(!d.join("trace.csv").exists() && !d.join("report.txt").exists());
    }
}

/// SIGKILL cannot be handled: what is left is what was on disk when it came.
/// The file being written has no name yet (Linux), so nothing is.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_trace_leaves_nothing_behind() {
    use std::os::unix::process::ExitStatusExt as _;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = long_trace_run(d);
    std::fs::write(d.join("report.txt"), "an earlier report").unwrap();
    let out = interrupt_while_writing(d, &args, "-KILL");
    assert_eq!(out.status.signal(), Some(9), "{}", stderr(&out));
    let mut left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["report.txt", "t.toml"]);
    assert_eq!(
        std::fs::read_to_string(d.join("report.txt")).unwrap(),
        "an earlier report"
    );
}

#[test]
fn a_terminated_sweep_keeps_its_points_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(tiny(), d.join("t.toml")).unwrap();
    let args = [
        "sweep",
        "t.toml",
        "--set",
        "simulation.duration=1500d",
        "--replications",
        "1",
        "--vary",
        "customers.order_value=1:60:1",
        "-o",
        "out.csv",
    ];
    let mut child = handoff(d, &args)
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let parts = d.join("out.csv.parts");
    let start = Instant::now();
    while std::fs::read_dir(&parts).map_or(0, |r| r.count()) < 2 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended too soon"
        );
        assert!(start.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(5));
    }
    // SIGTERM twice: the first asks to stop, the second quits at once.
    for _ in 0..2 {
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("out.csv.parts") && err.contains("--resume"),
        "{err}"
    );
    assert_eq!(temporary_files(&parts), Vec::<String>::new());
    assert_eq!(temporary_files(d), Vec::<String>::new());
    assert!(!d.join("out.csv").exists());
}

#[test]
fn negative_shards_and_percentages_are_values_not_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    refused(d, &["run", f, "--shard", "-1/2"], &["`-1` is negative"]);
    refused(
        d,
        &[
            "sweep",
            f,
            "--vary",
            "customers.promise=1d,2d",
            "-o",
            "x.csv",
            "--shard",
            "-1/2",
        ],
        &["`-1` is negative"],
    );
    refused(
        d,
        &["sensitivity", f, "--by", "-10%"],
        &["`-10%` is not a percentage above 0"],
    );
    // Not clap's "unexpected argument '-1'; to pass '-1' as a value, use
    // '-- -1'", which would make it the scenario's file name.
    for (args, says) in [
        (
            vec!["--seed", "-1"],
            "a seed is a whole number from 0 to 18446744073709551615",
        ),
        (
            vec!["--seed", "18446744073709551616"],
            "a seed is a whole number from 0 to 18446744073709551615",
        ),
        (vec!["--seed", "1.5"], "a seed is a whole number"),
        (vec!["--replications", "-1"], "-1 is not in 1..=1000000"),
        (vec!["--threads", "-2"], "-2 is not in 1..=65535"),
        (vec!["--explain", "-3"], "-3 is not in 1.."),
    ] {
        let mut all = vec!["run", f];
        all.extend(&args);
        refused(d, &all, &[says]);
    }
}

/// Replications are summarised as they finish: 200 000 of them fit in 100 MB of
/// heap (collected first, as before, they needed several times that).
#[cfg(target_os = "linux")]
#[test]
fn memory_does_not_grow_with_the_replications() {
    let dir = tempfile::tempdir().unwrap();
    let s = tiny();
    let script = format!(
        "ulimit -d 100000 && exec \"$0\" run {} --set simulation.duration=2h --set simulation.warmup=0h --replications 200000 --format json -q",
        s.display()
    );
    let out = Command::new("sh")
        .current_dir(dir.path())
        .args(["-c", &script, BIN])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["scenario"]["replications"], 200_000);
}

#[test]
fn an_interrupted_sensitivity_keeps_its_variants_and_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(tiny(), d.join("t.toml")).unwrap();
    let args = |out: &'static str, extra: &[&'static str]| -> Vec<&'static str> {
        let mut a = vec![
            "sensitivity",
            "t.toml",
            "--set",
            "simulation.duration=1500d",
            "--replications",
            "2",
            "--format",
            "json",
            "-o",
            out,
        ];
        a.extend(extra);
        a
    };
    let mut child = handoff(d, &args("out.json", &[]))
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let parts = d.join("out.json.parts");
    let variants = || {
        std::fs::read_dir(&parts).map_or(0, |r| {
            r.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("variant-"))
                .count()
        })
    };
    let start = Instant::now();
    while variants() < 2 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the analysis ended ({status}) before it could be interrupted");
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no variant appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("out.json.parts") && err.contains("--resume"),
        "{err}"
    );
    assert!(!d.join("out.json").exists());
    assert_eq!(temporary_files(&parts), Vec::<String>::new());
    let kept = variants();
    assert!(kept >= 2, "{kept} variants kept");

    // Not overwritten by accident; not reused by another analysis.
    refused(d, &args("out.json", &[]), &["add --resume"]);
    refused(
        d,
        &args("out.json", &["--resume", "--by", "20%"]),
        &["does not belong to this analysis"],
    );
    run(d, &args("out.json", &["--resume"]), 0);
    run(d, &args("whole.json", &[]), 0);
    assert_eq!(
        std::fs::read(d.join("out.json")).unwrap(),
        std::fs::read(d.join("whole.json")).unwrap()
    );
    assert!(!parts.exists());
    refused(
        d,
        &["sensitivity", "t.toml", "--resume"],
        &["--resume needs -o FILE"],
    );
}

/// Many batches of replications, summarised in order: the bytes do not depend
/// on the number of threads, for `run` and for `compare`.
#[test]
fn many_replications_give_the_same_bytes_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let s = tiny();
    let f = s.to_str().unwrap();
    let with = |threads: &str, args: &[&str]| {
        let out = handoff(dir.path(), args)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        out.stdout
    };
    let short = ["--set", "simulation.duration=4d", "--replications", "150"];
    let mut run_args = vec!["run", f, "--format", "json"];
    run_args.extend(short);
    let mut compare_args = vec![
        "compare",
        f,
        f,
        "--format",
        "json",
        "--set",
        "department.billing.staff=2",
    ];
    compare_args.extend(short);
    for args in [run_args, compare_args] {
        assert_eq!(with("1", &args), with("3", &args), "{args:?}");
    }
}

/// Run `handoff args` in `d` through `sh` with files limited to `kib` KiB
/// and SIGXFSZ ignored: a write past the limit fails as on a full disk.
fn with_little_room(d: &Path, kib: u32, args: &[&str]) -> Output {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    Command::new("sh")
        .current_dir(d)
        .env("NO_COLOR", "1")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {kib}; exec '{BIN}' {}",
            quoted.join(" ")
        ))
        .output()
        .expect("sh runs")
}

#[test]
fn a_full_disk_is_exit_2_and_leaves_the_old_file_and_no_temporary_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    std::fs::write(d.join("old.html"), "the old report\n").unwrap();
    let out = with_little_room(d, 4, &["run", f, "-o", "old.html", "--quiet"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: cannot write old.html: "), "{err}");
    assert!(
        err.contains("help: ") && err.contains("old.html was left as it was"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("old.html")).unwrap(),
        "the old report\n"
    );
    assert_eq!(temporary_files(d), Vec::<String>::new());

    // A new file: not there afterwards; a sweep leaves no empty directory of points.
    let out = with_little_room(d, 4, &["run", f, "-o", "new.html", "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing was written there"));
    let out = with_little_room(
        d,
        1,
        &[
            "sweep",
            f,
            "--vary",
            "department.sales.staff=2,3",
            "-o",
            "s.csv",
            "--quiet",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let mut left: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["old.html"]);
}

#[test]
fn a_full_standard_output_is_exit_2() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = handoff(dir.path(), &["run", tiny().to_str().unwrap(), "--quiet"])
        .stdout(full)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: cannot write standard output: "),
        "{err}"
    );
}

#[test]
fn a_device_is_no_scenario_and_no_part() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    refused(d, &["validate", "/dev/zero"], &["too large for a scenario"]);
    refused(d, &["run", "/dev/urandom"], &["too large for a scenario"]);
    run_parts(d);
    refused(
        d,
        &["merge", "p0.json", "/dev/zero"],
        &["cannot read /dev/zero: it is a device, not a part file"],
    );
}

/// A field that no part has, sealed again after it was added, is refused:
/// at the top (padding, refused as it is streamed past, in memory far
/// smaller than it) or inside a replication or a sweep's point. A part
/// larger than any handoff writes is refused before it is read.
#[cfg(unix)]
#[test]
fn merge_refuses_unknown_fields_and_parts_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_parts(d);
    let p1 = json(&d.join("p1.json"));
    let mut padded = p1.clone();
    padded["pad"] = "x".repeat(120 << 20).into();
    write_json(&d.join("pad.json"), &padded);
    drop(padded);
    let script = "ulimit -d 60000 && exec \"$0\" merge p0.json pad.json -o out.txt";
    let out = Command::new("sh")
        .current_dir(d)
        .env("NO_COLOR", "1")
        .args(["-c", script, BIN])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pad.json is not a part written by `handoff run --shard` or `handoff sweep --shard`: unknown field `pad`"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(d.join("pad.json")).unwrap();

    let mut inner = p1.clone();
    inner["runs"][0]["metrics"]["orders"]["extra"] = 1.into();
    write_json(&d.join("inner.json"), &inner);
    refused(
        d,
        &["merge", "p0.json", "inner.json", "-o", "out.txt"],
        &["inner.json is not a part", "unknown field `extra`"],
    );
    let mut week = p1.clone();
    week["runs"][1]["timeline"][0]["pad"] = serde_json::json!([1, 2, 3]);
    write_json(&d.join("week.json"), &week);
    refused(
        d,
        &["merge", "p0.json", "week.json", "-o", "out.txt"],
        &["unknown field `pad`"],
    );
    assert!(!d.join("out.txt").exists());

    let s = tiny();
    let f = s.to_str().unwrap();
    for i in 0..2 {
        let shard = format!("{i}/2");
        let out = format!("s{i}.json");
        let args = [
            "sweep",
            f,
            "--replications",
            "1",
            "--vary",
            "customers.promise=1d,2d",
            "--shard",
            &shard,
            "-o",
            &out,
        ];
        run(d, &args, 0);
    }
    let mut sweep = json(&d.join("s1.json"));
    sweep["points"][0]["metrics"][0]["pad"] = 0.into();
    write_json(&d.join("bad.json"), &sweep);
    refused(
        d,
        &["merge", "s0.json", "bad.json", "-o", "out.csv"],
        &["unknown field `pad`"],
    );
    let mut sweep = json(&d.join("s1.json"));
    sweep["extra"] = 0.into();
    write_json(&d.join("bad.json"), &sweep);
    refused(
        d,
        &["merge", "s0.json", "bad.json", "-o", "out.csv"],
        &["unknown field `extra`"],
    );
    run(d, &["merge", "s0.json", "s1.json", "-o", "out.csv"], 0);

    // Past the limit (sparse: no gigabyte is written), refused unread.
    let huge = std::fs::OpenOptions::new()
        .append(true)
        .open(d.join("p1.json"))
        .unwrap();
    huge.set_len(handoff::experiment::shard::MAX_PART_BYTES + 1)
        .unwrap();
    refused(
        d,
        &["merge", "p0.json", "p1.json", "-o", "out.txt"],
        &[
            "cannot use the part p1.json: it is 1073741825 bytes, more than a part may be (1073741824 bytes, 1 GiB;",
        ],
    );
}

#[test]
fn merge_refuses_a_part_changed_after_it_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_parts(d);
    let p1 = std::fs::read_to_string(d.join("p1.json")).unwrap();
    assert!(p1.ends_with("\"\n}\n") && p1.contains(",\n  \"checksum\": \""));
    // A change that every other check lets through: a digit of a number;
    // and a misspelt key, refused as an unknown field too.
    let digit = p1.find("\"events\": ").unwrap() + "\"events\": ".len();
    let mut changed = p1.clone().into_bytes();
    changed[digit] = if changed[digit] == b'1' { b'2' } else { b'1' };
    let cases: [(&str, Vec<u8>); 4] = [
        ("a digit", changed),
        (
            "a key",
            p1.replacen("\"timeline\"", "\"timelime\"", 1).into_bytes(),
        ),
        ("cut short", p1.as_bytes()[..p1.len() / 2].to_vec()),
        (
            "without its checksum",
            p1[..p1.rfind(",\n  \"checksum\"").unwrap()]
                .to_owned()
                .into_bytes()
                .into_iter()
                .chain(*b"\n}\n")
                .collect(),
        ),
    ];
    for (what, bytes) in cases {
        std::fs::write(d.join("bad.json"), bytes).unwrap();
        let out = run(d, &["merge", "p0.json", "bad.json", "-o", "out.json"], 2);
        let err = stderr(&out);
        assert!(err.contains("bad.json"), "{what}: {err}");
        if what == "cut short" {
            assert!(err.contains("it was cut short"), "{what}: {err}");
        }
        assert!(!d.join("out.json").exists(), "{what}");
    }
    // Untouched, the parts merge.
    run(d, &["merge", "p0.json", "p1.json", "-o", "out.json"], 0);
}

#[test]
fn a_damaged_sweep_point_is_not_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    let args = [
        "sweep",
        f,
        "--vary",
        "department.sales.staff=2,3",
        "-o",
        "s.csv",
        "--quiet",
    ];
    run(d, &args, 0);
    // As an interrupted sweep leaves it: one point kept, then damaged.
    let parts = d.join("s.csv.parts");
    std::fs::create_dir(&parts).unwrap();
    let mut sweep_part = args.to_vec();
    sweep_part.splice(4..6, ["--shard", "0/2", "-o", "p.json"]);
    run(d, &sweep_part, 0);
    let point: Value = json(&d.join("p.json"));
    let stored = serde_json::json!({
        "kind": "sweep-point",
        "version": point["version"],
        "hash": point["hash"],
        "point": point["points"][0],
    });
    let sealed = handoff::experiment::shard::seal(&serde_json::to_vec_pretty(&stored).unwrap());
    let text = String::from_utf8(sealed).unwrap();
    let at = text.find("\"mean\": ").unwrap() + "\"mean\": ".len();
    let mut damaged = text.into_bytes();
    damaged[at] = if damaged[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(parts.join("point-0000.json"), damaged).unwrap();
    let mut resume = args.to_vec();
    resume.push("--resume");
    refused(d, &resume, &["point-0000.json", "checksum does not match"]);
}

#[test]
fn thousands_of_overrides_are_refused_not_laid_out_in_gigabytes() {
    // 8000 `--set` took about 1 GB (each one's messages are laid out after
    // the ones before it); the command line allows some 50 000.
    let dir = tempfile::tempdir().unwrap();
    let s = tiny();
    let mut args = vec!["validate".to_owned(), s.to_str().unwrap().to_owned()];
    for i in 0..1001 {
        args.push("--set".to_owned());
        args.push(format!("department.sales.staff={}", i + 1));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(
        dir.path(),
        &args,
        &["1001 changes to the scenario", "more than 1000"],
    );
    run(dir.path(), &args[..args.len() - 2], 0);
}

/// An output path that can only name a directory (`new.csv/`, `new.csv/.`)
/// is refused before anything is simulated, and a sweep leaves no `.parts`.
#[test]
fn an_output_ending_in_a_slash_is_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(tiny(), d.join("t.toml")).unwrap();
    std::fs::copy(tiny(), d.join("u.toml")).unwrap();
    let commands: [&[&str]; 5] = [
        &["run", "t.toml"],
        &["run", "t.toml", "--shard", "0/1"],
        &["compare", "t.toml", "u.toml"],
        &["sensitivity", "t.toml"],
        &["sweep", "t.toml", "--vary", "customers.promise=1d,2d"],
    ];
    for command in commands {
        for out in ["new.csv/", "new.csv/.", "new.csv/.."] {
            let mut args = command.to_vec();
            args.extend(["-o", out]);
            let err = stderr(&run(d, &args, 2));
            assert!(
                err.contains(&format!("cannot write {out}: it names a directory")),
                "{args:?}: {err}"
            );
        }
        let mut args = command.to_vec();
        args.extend(["--trace", "trace.csv/"]);
        if command[0] == "run" && command.len() == 2 {
            let err = stderr(&run(d, &args, 2));
            assert!(
                err.contains("cannot write trace.csv/: it names a directory"),
                "{err}"
            );
        }
    }
    let left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "t.toml" && n != "u.toml")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// `-o /dev/stdout` is standard output: it never replaces the file standard
/// output is redirected to (`>> log` keeps the log), and works into a pipe.
#[cfg(target_os = "linux")]
#[test]
fn dev_stdout_is_standard_output_and_other_descriptors_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    let whole = run(d, &["run", f, "--format", "json"], 0).stdout;
    // Into a pipe.
    for path in ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"] {
        let out = run(d, &["run", f, "-o", path, "--format", "json"], 0);
        assert_eq!(out.stdout, whole, "{path}");
    }
    // Appended to a log: the log's first line stays.
    let log = d.join("log.txt");
    std::fs::write(&log, "first line\n").unwrap();
    let appended = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    let out = handoff(d, &["run", f, "-o", "/dev/stdout", "--format", "json"])
        .stdout(appended)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut expected = b"first line\n".to_vec();
    expected.extend_from_slice(&whole);
    assert_eq!(std::fs::read(&log).unwrap(), expected);
    // Another descriptor is not a file handoff can replace.
    let err = stderr(&run(d, &["run", f, "-o", "/dev/stderr"], 2));
    assert!(
        err.contains("cannot write /dev/stderr: it is file descriptor 2 of handoff"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
}

/// A pipe given as a part is refused at once (a FIFO nobody writes to is
/// never waited for), and so is a huge file that is no part, without
/// reading it into memory.
#[cfg(unix)]
#[test]
fn merge_refuses_a_pipe_and_a_huge_non_part_without_waiting_or_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_parts(d);
    let made = Command::new("mkfifo")
        .arg(d.join("fifo.json"))
        .status()
        .unwrap();
    assert!(made.success());
    let mut child = handoff(d, &["merge", "p0.json", "fifo.json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("merge waits for a writer to a FIFO");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot read fifo.json: it is a pipe, not a part file"),
        "{}",
        stderr(&out)
    );
    // 1 GB of zeros (sparse), in 200 MB of memory.
    let huge = std::fs::File::create(d.join("huge.json")).unwrap();
    huge.set_len(1 << 30).unwrap();
    let script = "ulimit -d 200000 && exec \"$0\" merge p0.json huge.json";
    let out = Command::new("sh")
        .current_dir(d)
        .env("NO_COLOR", "1")
        .args(["-c", script, BIN])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("huge.json is not a part written by `handoff run --shard`"),
        "{}",
        stderr(&out)
    );
}

/// `OUT.parts` that is not a directory is the user's to fix (exit 2), as for
/// sensitivity, in one clear sentence.
#[test]
fn a_sweep_parts_path_that_is_a_file_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(tiny(), d.join("t.toml")).unwrap();
    std::fs::write(d.join("s.csv.parts"), "x").unwrap();
    let err = stderr(&run(
        d,
        &[
            "sweep",
            "t.toml",
            "--vary",
            "customers.promise=1d,2d",
            "-o",
            "s.csv",
        ],
        2,
    ));
    assert!(err.contains("s.csv.parts is a file"), "{err}");
    assert!(!err.contains("os error"), "{err}");
}

/// A disk that fills up once some points of a sweep are kept, or when the
/// sweep is written from them, says they are kept and how to go on; the
/// sweep then resumes to the bytes of one uninterrupted sweep.
#[test]
fn a_full_disk_during_a_sweep_says_its_points_are_kept_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    let args = |out: &'static str| -> Vec<&str> {
        vec![
            "sweep",
            f,
            "--vary",
            "department.sales.staff=1:8:1",
            "-o",
            out,
            "--quiet",
        ]
    };
    // Each point fits in 40 KiB; the whole sweep does not.
    fills_the_disk_then_resumes(d, 40, &args, "all 8 points are finished");
}

#[test]
fn a_full_disk_during_a_run_shard_says_its_replications_are_kept_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    let args = |out: &'static str| -> Vec<&str> {
        vec![
            "run",
            f,
            "--replications",
            "8",
            "--shard",
            "0/1",
            "-o",
            out,
            "--quiet",
        ]
    };
    // Each replication fits in 20 KiB; the whole part (about 40) does not.
    fills_the_disk_then_resumes(d, 20, &args, "all 8 replications are finished");
}

/// `args(OUT)` run in `kib` KiB fails writing OUT, saying that what is
/// `finished` is kept in OUT.parts and how to go on; `--resume` then gives
/// the bytes of one uninterrupted run, and OUT.parts is gone.
fn fills_the_disk_then_resumes<'a>(
    d: &Path,
    kib: u32,
    args: &dyn Fn(&'static str) -> Vec<&'a str>,
    finished: &str,
) {
    let out = with_little_room(d, kib, &args("s.json"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: cannot write s.json: "), "{err}");
    assert!(
        err.contains(&format!("{finished} and kept in s.json.parts")) && err.contains("--resume"),
        "{err}"
    );
    let mut resume = args("s.json");
    resume.push("--resume");
    run(d, &resume, 0);
    run(d, &args("whole.json"), 0);
    assert_eq!(
        std::fs::read(d.join("s.json")).unwrap(),
        std::fs::read(d.join("whole.json")).unwrap()
    );
    assert!(!d.join("s.json.parts").exists());
}

/// Standard error into a pipe nobody reads (`handoff … 2>&1 | head -1`, or a
/// `| tee log` that Ctrl-C ended first): messages that cannot be written are
/// dropped, never a panic (exit 101); the exit code is still the command's,
/// and Ctrl-C still stops it.
#[test]
fn a_closed_standard_error_is_no_panic_and_ctrl_c_still_stops() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let closed = || {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        writer
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deaf = root.join("scenarios/deaf-organisation.toml");
    for (args, code) in [
        (vec!["run", "missing.toml"], 2),
        (vec!["validate", deaf.to_str().unwrap()], 0),
        (vec!["merge", "missing.json"], 2),
    ] {
        let status = handoff(d, &args)
            .stdout(closed())
            .stderr(closed())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
    let baseline = root.join("scenarios/baseline.toml");
    let mut child = handoff(
        d,
        &[
            "run",
            baseline.to_str().unwrap(),
            "--replications",
            "100000",
            "-o",
            "out.json",
        ],
    )
    .stdout(closed())
    .stderr(closed())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("Ctrl-C did not stop handoff");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(130));
    assert!(!d.join("out.json").exists());
    assert_eq!(temporary_files(d), Vec::<String>::new());
}

/// As a sweep's: a sensitivity analysis that cannot write its result says
/// its variants are kept and how to go on, and resumes to the same bytes.
#[test]
fn a_full_disk_during_a_sensitivity_says_its_variants_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    let args = |out: &'static str| -> Vec<&str> {
        vec!["sensitivity", f, "--format", "json", "-o", out, "--quiet"]
    };
    // Each variant fits in 4 KiB; the whole analysis does not.
    fills_the_disk_then_resumes(d, 4, &args, "all 23 variants are finished");
}

/// `handoff … >&-`: standard output closed when handoff starts. Rust's
/// runtime puts /dev/null in its place, so a report written there would
/// vanish with exit 0; it is refused before anything is simulated (exit 2).
/// A report sent elsewhere (`-o`) is no concern, nor is `> /dev/null` (the
/// user's choice), nor a pipe its reader closed (`| head -1`: quiet, exit 0,
/// as ripgrep and other Unix tools do).
#[test]
fn a_closed_standard_output_is_exit_2_but_a_pipe_closed_by_its_reader_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    let shell = |args: &str, redirect: &str| {
        Command::new("sh")
            .current_dir(d)
            .env("NO_COLOR", "1")
            .arg("-c")
            .arg(format!("exec '{BIN}' {args} {redirect}"))
            .output()
            .expect("sh runs")
    };
    for args in [
        format!("run '{f}' --quiet"),
        format!("run '{f}' --quiet -o -"),
        format!("compare '{f}' '{f}' --quiet"),
        format!("validate '{f}'"),
        "completions bash".to_owned(),
    ] {
        let out = shell(&args, ">&-");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args}: {err}");
        assert!(
            err.starts_with("error: cannot write standard output: it was closed")
                && err.contains("help: "),
            "{args}: {err}"
        );
    }
    for (args, redirect) in [
        (format!("run '{f}' --quiet -o report.txt"), ">&-"),
        (format!("run '{f}' --quiet"), "> /dev/null"),
    ] {
        let out = shell(&args, redirect);
        assert_eq!(out.status.code(), Some(0), "{args}: {}", stderr(&out));
    }
    // A reader that stops after one byte, long before the end of the trace.
    let mut child = handoff(
        d,
        &[
            "run",
            f,
            "--quiet",
            "--replications",
            "1",
            "--set",
            "simulation.duration=3000d",
            "--trace",
            "-",
            "-o",
            "report.txt",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

/// A trace that cannot fit where it is to go (a full disk, a file-size
/// limit) is refused before it is written, saying how large it would be: not
/// found out only when the disk is full. Nothing is left behind.
#[test]
fn a_trace_larger_than_the_room_for_it_is_refused_before_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    let out = with_little_room(
        d,
        64,
        &[
            "run",
            f,
            "--quiet",
            "--replications",
            "1",
            "--set",
            "simulation.duration=20000d",
            "--trace",
            "trace.csv",
            "-o",
            "report.txt",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: cannot write the trace to trace.csv: it would take at least ")
            && err.contains("events in replication 0")
            // 64 blocks of `ulimit -f`: 32 KiB in dash, 64 KiB in bash.
            && (err.contains("room for 32 KiB") || err.contains("room for 64 KiB"))
            && err.contains("help: "),
        "{err}"
    );
    let mut left: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, Vec::<String>::new());
}

/// Ctrl-C while the last point of a sweep runs: that point finishes and the
/// sweep is written whole, but the exit code still says it was interrupted
/// (130), as a script would want to know.
#[test]
fn a_sweep_interrupted_during_its_last_point_is_written_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(tiny(), d.join("t.toml")).unwrap();
    let args = [
        "sweep",
        "t.toml",
        "--set",
        "simulation.duration=30000d",
        "--replications",
        "2",
        "--vary",
        "customers.order_value=5",
        "-o",
        "out.csv",
        "--quiet",
    ];
    let mut child = handoff(d, &args)
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !d.join("out.csv.parts").exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended too soon"
        );
        assert!(start.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the sweep ended too soon"
    );
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted") && err.contains("out.csv is written whole"),
        "{err}"
    );
    let csv = std::fs::read_to_string(d.join("out.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(!d.join("out.csv.parts").exists());
    assert_eq!(temporary_files(d), Vec::<String>::new());
}

/// `-q` is accepted by every command that reads scenarios or parts, as
/// `merge -q` in a script beside `run -q` and `sweep -q` expects; it changes
/// no output.
#[test]
fn merge_takes_quiet_as_the_other_commands_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_parts(d);
    let loud = run(d, &["merge", "p0.json", "p1.json"], 0);
    for q in ["-q", "--quiet"] {
        let quiet = run(d, &["merge", q, "p0.json", "p1.json"], 0);
        assert_eq!(quiet.stdout, loud.stdout);
    }
}

/// Run `handoff args` in `d`, killed if it takes longer than `limit`; the
/// output of a run that finished in time, or a failure saying it did not.
fn within(d: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = handoff(d, args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Standard error is read as it comes, so a flood of it cannot block the child.
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut bytes).unwrap();
        bytes
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("handoff {} took more than {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = child.wait().unwrap();
    Output {
        status,
        stdout: Vec::new(),
        stderr: reader.join().unwrap(),
    }
}

/// A chain of 60 000 departments is read, checked and reported in seconds:
/// the reports and the load checks looked up each department's handoffs,
/// causes and group instead of searching every one of them for each
/// department (the text report took 27 s here, the page 42 s, 200 000
/// departments hours), and warnings of one kind stop after 20 with a count
/// (200 000 departments wrote 600 000 lines of them).
#[test]
fn a_chain_of_sixty_thousand_departments_is_reported_in_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let n = 60_000;
    let mut toml = String::from(
        "[scenario]\nname = \"long chain\"\n[simulation]\nduration = \"2d\"\n\
         [customers]\narrival_rate = \"20/d\"\n",
    );
    for i in 0..n {
        toml += &format!("[[department]]\nname = \"d{i}\"\nstaff = 1\nservice = \"1h\"\n");
    }
    let steps: Vec<String> = (0..n).map(|i| format!("\"d{i}\"")).collect();
    toml += &format!("[[flow]]\nname = \"f\"\nsteps = [{}]\n", steps.join(", "));
    std::fs::write(d.join("chain.toml"), toml).unwrap();
    let limit = Duration::from_secs(20);
    let checked = within(d, &["validate", "chain.toml"], limit);
    assert!(checked.status.success());
    let warned = stderr(&checked);
    assert!(
        warned.lines().count() < 50,
        "{} lines",
        warned.lines().count()
    );
    assert!(
        warned.contains(
            "… and 59980 more departments (or groups that share a pool) that take long to settle"
        ),
        "{warned}"
    );
    for out in ["report.txt", "page.html"] {
        let ran = within(
            d,
            &["run", "chain.toml", "-q", "--threads", "1", "-o", out],
            limit,
        );
        assert!(ran.status.success(), "{}", stderr(&ran));
        assert!(std::fs::metadata(d.join(out)).unwrap().len() > 0);
    }
}

/// `merge` and `sensitivity` choose their format as every other command
/// does: a `--format` against OUT's extension is refused before anything is
/// written (merge wrote CSV into `r.json` and a page into `r.csv`; the
/// tornado's text went into `s.json`), and `-o s.json` alone is JSON.
#[test]
fn merge_and_sensitivity_refuse_a_format_against_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_parts(d);
    let s = tiny();
    let f = s.to_str().unwrap();
    for i in 0..2 {
        let shard = format!("{i}/2");
        let out = format!("w{i}.json");
        let args = [
            "sweep",
            f,
            "--vary",
            "department.billing.staff=1,2",
            "--shard",
            &shard,
            "-o",
            &out,
            "-q",
        ];
        run(d, &args, 0);
    }
    let cases: [&[&str]; 6] = [
        &[
            "merge", "p0.json", "p1.json", "-o", "r.json", "--format", "csv",
        ],
        &[
            "merge", "p0.json", "p1.json", "-o", "r.csv", "--format", "html",
        ],
        &[
            "merge", "p0.json", "p1.json", "-o", "r.html", "--format", "text",
        ],
        &[
            "merge", "w0.json", "w1.json", "-o", "r.csv", "--format", "json",
        ],
        &["sensitivity", f, "-o", "r.json", "--format", "text", "-q"],
        &["sensitivity", f, "-o", "r.txt", "--format", "json", "-q"],
    ];
    for args in cases {
        refused(d, args, &["contradicts the extension"]);
        for out in ["r.json", "r.csv", "r.html", "r.txt"] {
            assert!(!d.join(out).exists(), "{args:?} wrote {out}");
        }
    }
    refused(
        d,
        &["sensitivity", f, "-o", "r.csv", "-q"],
        &["text or JSON, not csv"],
    );
    // Agreeing, or an extension that asks for nothing, as before.
    run(
        d,
        &[
            "merge", "p0.json", "p1.json", "-o", "r.out", "--format", "csv",
        ],
        0,
    );
    assert!(
        std::fs::read_to_string(d.join("r.out"))
            .unwrap()
            .starts_with("metric,mean,ci95")
    );
    run(
        d,
        &[
            "merge", "w0.json", "w1.json", "-o", "r.csv", "--format", "csv",
        ],
        0,
    );
    run(d, &["sensitivity", f, "-o", "s.json", "-q"], 0);
    let by_extension = json(&d.join("s.json"));
    assert!(by_extension["parameters"].is_array(), "{by_extension}");
    let flagged = run(d, &["sensitivity", f, "--format", "json", "-q"], 0);
    assert_eq!(std::fs::read(d.join("s.json")).unwrap(), flagged.stdout);
}

#[test]
fn a_sweep_list_naming_one_value_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = tiny();
    let f = s.to_str().unwrap();
    refused(
        dir.path(),
        &[
            "sweep",
            f,
            "--vary",
            "customers.order_value=1,1",
            "-o",
            "s.csv",
        ],
        &[
            "`1` is in the list twice",
            "help: give each value once: `--vary customers.order_value=1`",
        ],
    );
    refused(
        dir.path(),
        &[
            "sweep",
            f,
            "--vary",
            "customers.promise=2h,3h,120m",
            "-o",
            "s.csv",
        ],
        &["(as `2h` and `120m`)", "`--vary customers.promise=2h,3h`"],
    );
    assert!(!dir.path().join("s.csv").exists());
}
