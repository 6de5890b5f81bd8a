//! Sweeps, shards, merge and sensitivity, run as a user runs them: separate
//! processes, files on disk, a sweep interrupted with SIGINT and resumed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::command::{handoff, run, stderr, tiny};

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(path.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

const GRID: [&str; 4] = [
    "--vary",
    "customers.promise=1d:2.5d:0.5d",
    "--vary",
    "department.billing.staff=1,2",
];

#[test]
fn a_sweep_is_a_grid_of_rows_with_every_statistic() {
    let dir = tempfile::tempdir().unwrap();
    let s = tiny();
    let f = s.to_str().unwrap();
    let mut args = vec!["sweep", f, "-o", "s.csv", "--replications", "2"];
    args.extend(GRID);
    run(dir.path(), &args, 0);
    let csv = String::from_utf8(read(dir.path().join("s.csv"))).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 4 * 2, "{csv}");
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(
        header[..2],
        ["customers.promise", "department.billing.staff"]
    );
    assert!(header.contains(&"customers.lost.mean") && header.contains(&"customers.lost.ci95"));
    let firsts: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        firsts,
        [
            "1d,1", "1d,2", "1.5d,1", "1.5d,2", "2d,1", "2d,2", "2.5d,1", "2.5d,2"
        ]
    );
    assert!(
        !dir.path().join("s.csv.parts").exists(),
        "parts are removed once OUT is written"
    );
    // A point with the same values is the same run: common random numbers.
    let mut one = vec!["sweep", f, "-o", "one.json", "--replications", "2"];
    one.extend([
        "--vary",
        "customers.promise=1.5d",
        "--set",
        "department.billing.staff=2",
    ]);
    run(dir.path(), &one, 0);
    let json: serde_json::Value =
        serde_json::from_slice(&read(dir.path().join("one.json"))).unwrap();
    let lost = &json["points"][0]["metrics"]["customers.lost"]["mean"];
    let row: Vec<&str> = lines[4].split(',').collect();
    let k = header
        .iter()
        .position(|h| *h == "customers.lost.mean")
        .unwrap();
    assert_eq!(lost.as_f64().unwrap().to_string(), row[k]);
}

#[test]
fn sharded_sweeps_merge_to_the_bytes_of_one_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let s = tiny();
    let f = s.to_str().unwrap();
    for out in ["whole.csv", "whole.json"] {
        let mut args = vec!["sweep", f, "-o", out];
        args.extend(GRID);
        run(dir.path(), &args, 0);
    }
    // Three shards, as three processes (a cluster's job array would do the same).
    let shards = ["0/3", "1/3", "2/3"];
    let parts: Vec<String> = (0..3).map(|i| format!("part-{i}.json")).collect();
    for (shard, part) in shards.iter().zip(&parts) {
        let mut args = vec!["sweep", f, "-o", part, "--shard", shard];
        args.extend(GRID);
        run(dir.path(), &args, 0);
    }
    for out in ["merged.csv", "merged.json"] {
        let mut args = vec!["merge", "-o", out];
        args.extend(parts.iter().rev().map(String::as_str));
        run(dir.path(), &args, 0);
    }
    assert_eq!(
        read(dir.path().join("merged.csv")),
        read(dir.path().join("whole.csv"))
    );
    assert_eq!(
        read(dir.path().join("merged.json")),
        read(dir.path().join("whole.json"))
    );
}

#[test]
fn sharded_runs_merge_to_the_bytes_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let s = tiny();
    let f = s.to_str().unwrap();
    run(
        dir.path(),
        &["run", f, "--replications", "4", "-o", "whole.txt"],
        0,
    );
    run(
        dir.path(),
        &[
            "run",
            f,
            "--replications",
            "4",
            "--format",
            "json",
            "-o",
            "whole.json",
        ],
        0,
    );
    for i in 0..3 {
        let shard = format!("{i}/3");
        let part = format!("run-{i}.json");
        run(
            dir.path(),
            &[
                "run",
                f,
                "--replications",
                "4",
                "--shard",
                &shard,
                "-o",
                &part,
            ],
            0,
        );
    }
    // The parts carry the scenario: merging needs no scenario file.
    run(
        dir.path(),
        &[
            "merge",
            "run-2.json",
            "run-0.json",
            "run-1.json",
            "-o",
            "merged.txt",
        ],
        0,
    );
    run(
        dir.path(),
        &[
            "merge",
            "run-1.json",
            "run-0.json",
            "run-2.json",
            "-o",
            "merged.json",
        ],
        0,
    );
    assert_eq!(
        read(dir.path().join("merged.txt")),
        read(dir.path().join("whole.txt"))
    );
    assert_eq!(
        read(dir.path().join("merged.json")),
        read(dir.path().join("whole.json"))
    );
    let f4 = [
        "run",
        f,
        "--replications",
        "4",
        "--format",
        "csv",
        "-o",
        "whole.csv",
    ];
    run(dir.path(), &f4, 0);
    let merge = [
        "merge",
        "run-0.json",
        "run-2.json",
        "run-1.json",
        "-o",
        "merged.csv",
    ];
    run(dir.path(), &merge, 0);
    assert_eq!(
        read(dir.path().join("merged.csv")),
        read(dir.path().join("whole.csv"))
    );
}

#[test]
fn merge_refuses_parts_that_do_not_belong_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    let part = |shard: &str, out: &str, extra: &[&str]| {
        let mut args = vec!["run", f, "--replications", "2", "--shard", shard, "-o", out];
        args.extend(extra);
        run(d, &args, 0);
    };
    part("0/2", "a0.json", &[]);
    part("1/2", "a1.json", &[]);
    part("1/2", "seed.json", &["--seed", "99"]);
    let mut sweep = vec![
        "sweep",
        f,
        "--vary",
        "customers.promise=1d,2d",
        "--shard",
        "1/2",
    ];
    sweep.extend(["-o", "sweep1.json"]);
    run(d, &sweep, 0);
    // Another version of the program.
    let text = String::from_utf8(read(d.join("a1.json"))).unwrap();
    let old = text.replacen(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"0.0.1\"",
        1,
    );
    assert_ne!(old, text);
    std::fs::write(d.join("old.json"), old).unwrap();
    std::fs::write(d.join("junk.json"), "{\"kind\": 3}").unwrap();

    for (parts, why) in [
        (
            &["a0.json", "seed.json"][..],
            "`seed.json` simulates something else than `a0.json`",
        ),
        (
            &["a0.json", "old.json"][..],
            "`old.json` was written by handoff 0.0.1",
        ),
        (
            &["a0.json", "sweep1.json"][..],
            "`sweep1.json` is a part of `handoff sweep`",
        ),
        (&["a0.json"][..], "shard missing: 1/2"),
        (
            &["a1.json", "a0.json", "a1.json"][..],
            "shard 1/2 is given twice",
        ),
        (&["a0.json", "junk.json"][..], "junk.json is not a part"),
        (&["a0.json", "nowhere.json"][..], "cannot read nowhere.json"),
    ] {
        let mut args = vec!["merge", "-o", "out.txt"];
        args.extend(parts);
        let out = run(d, &args, 2);
        assert!(stderr(&out).contains(why), "{parts:?}: {}", stderr(&out));
        assert!(
            !d.join("out.txt").exists(),
            "nothing is written when merge refuses"
        );
    }
}

fn strs(a: &[String]) -> Vec<&str> {
    a.iter().map(String::as_str).collect()
}

/// Waits until `dir` holds at least `n` points, or panics after a while.
fn wait_for_points(dir: &Path, n: usize, child: &mut std::process::Child) {
    wait_for_kept(dir, "point-", n, child);
}

/// Waits until `dir` holds at least `n` files named `prefix…`, or panics after a while.
fn wait_for_kept(dir: &Path, prefix: &str, n: usize, child: &mut std::process::Child) {
    let start = Instant::now();
    loop {
        let count = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                    .count()
            })
            .unwrap_or(0);
        if count >= n {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the sweep ended ({status}) before it could be interrupted");
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no points appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn an_interrupted_sweep_keeps_its_points_and_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    // Many small points, each long enough that Ctrl-C lands mid-sweep.
    let args = |out: &str, extra: &[&str]| -> Vec<String> {
        let mut a = vec![
            "sweep",
            f,
            "--set",
            "simulation.duration=1500d",
            "--replications",
            "1",
        ];
        a.extend(["--vary", "customers.order_value=1:120:1", "-o", out]);
        a.extend(extra);
        a.into_iter().map(str::to_owned).collect()
    };
    // One thread, so that even a machine with many cores cannot finish the
    // sweep before it is interrupted; the rest runs with every thread (the
    // result does not depend on it).
    let mut child = handoff(d, &strs(&args("out.csv", &[])))
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("handoff starts");
    let parts = d.join("out.csv.parts");
    wait_for_points(&parts, 3, &mut child);
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("--resume") && err.contains("out.csv.parts"),
        "{err}"
    );
    assert!(!d.join("out.csv").exists(), "nothing partial is written");
    let kept = std::fs::read_dir(&parts).unwrap().count();
    assert!((3..120).contains(&kept), "{kept} points kept");
    // No temporary files left behind: every kept file is a whole point.
    for e in std::fs::read_dir(&parts).unwrap() {
        let e = e.unwrap();
        let text = std::fs::read_to_string(e.path()).unwrap();
        assert!(e.file_name().to_string_lossy().starts_with("point-"));
        serde_json::from_str::<serde_json::Value>(&text).expect("a whole JSON document");
    }

    // Without --resume, the kept points are not overwritten by accident.
    let out = run(d, &strs(&args("out.csv", &[])), 2);
    assert!(stderr(&out).contains("add --resume"), "{}", stderr(&out));
    // A different sweep cannot reuse them.
    let out = run(d, &strs(&args("out.csv", &["--resume", "--seed", "5"])), 2);
    assert!(
        stderr(&out).contains("does not belong to this sweep"),
        "{}",
        stderr(&out)
    );

    run(d, &strs(&args("out.csv", &["--resume"])), 0);
    run(d, &strs(&args("whole.csv", &[])), 0);
    assert_eq!(read(d.join("out.csv")), read(d.join("whole.csv")));
    assert!(!parts.exists());
}

#[test]
fn a_stopped_run_shard_keeps_its_replications_and_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    let args = |out: &str, extra: &[&str]| -> Vec<String> {
        let mut a = vec![
            "run",
            f,
            "--set",
            "simulation.duration=1500d",
            "--replications",
            "120",
            "--shard",
            "1/2",
            "-o",
            out,
        ];
        a.extend(extra);
        a.into_iter().map(str::to_owned).collect()
    };
    let parts = d.join("part.json.parts");
    let kept = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&parts)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    // SIGTERM (Slurm's time limit, scancel): the replications under way finish
    // and are kept; then SIGKILL, which nothing can catch, a few replications later.
    for (signal, at_least) in [("-TERM", 3), ("-KILL", 10)] {
        let mut child = handoff(d, &strs(&args("part.json", &["--resume"])))
            .env("RAYON_NUM_THREADS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("handoff starts");
        wait_for_kept(&parts, "replication-", at_least, &mut child);
        let killed = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        if signal == "-TERM" {
            assert_eq!(out.status.code(), Some(130), "{err}");
            assert!(
                err.contains("replications finished and are kept in") && err.contains("--resume"),
                "{err}"
            );
        }
        assert!(!d.join("part.json").exists(), "nothing partial is written");
        // Every kept file is a whole replication of this shard: no temporary
        // file, nothing cut short.
        let names = kept();
        assert!((at_least..60).contains(&names.len()), "{names:?}");
        for name in &names {
            let r: u32 = name
                .strip_prefix("replication-")
                .and_then(|n| n.strip_suffix(".json"))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{name} is not a kept replication"));
            assert_eq!(r % 2, 1, "{name} is not of shard 1/2");
            let text = std::fs::read_to_string(parts.join(name)).unwrap();
            serde_json::from_str::<serde_json::Value>(&text).expect("a whole JSON document");
        }
    }

    // Without --resume, the kept replications are not overwritten by accident.
    let out = run(d, &strs(&args("part.json", &[])), 2);
    assert!(stderr(&out).contains("add --resume"), "{}", stderr(&out));
    // Another run (another seed) cannot reuse them.
    let out = run(
        d,
        &strs(&args("part.json", &["--resume", "--seed", "5"])),
        2,
    );
    assert!(
        stderr(&out).contains("does not belong to this run"),
        "{}",
        stderr(&out)
    );
    // A kept replication changed on disk is refused, by name.
    let first = parts.join(&kept()[0]);
    let text = std::fs::read_to_string(&first).unwrap();
    let changed = text.replacen("\"events\": ", "\"events\": 1", 1);
    assert_ne!(text, changed);
    std::fs::write(&first, changed).unwrap();
    let out = run(d, &strs(&args("part.json", &["--resume"])), 2);
    let err = stderr(&out);
    assert!(
        err.contains("cannot resume") && err.contains(&kept()[0]) && err.contains("delete it"),
        "{err}"
    );
    std::fs::remove_file(&first).unwrap();

    run(d, &strs(&args("part.json", &["--resume"])), 0);
    assert!(!parts.exists());
    run(d, &strs(&args("whole.json", &[])), 0);
    assert_eq!(read(d.join("part.json")), read(d.join("whole.json")));
    // And the same bytes as the part written to standard output as it runs.
    let out = run(d, &strs(&args("-", &[])), 0);
    assert_eq!(out.stdout, read(d.join("whole.json")));
}

#[test]
fn sensitivity_ranks_parameters_by_their_effect_on_lost_customers() {
    let dir = tempfile::tempdir().unwrap();
    let s = tiny();
    let f = s.to_str().unwrap();
    let out = run(
        dir.path(),
        &[
            "sensitivity",
            f,
            "--by",
            "20%",
            "--replications",
            "3",
            "--format",
            "json",
        ],
        0,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["metric"], "customers.lost");
    assert_eq!(v["by"], 0.2);
    let params = v["parameters"].as_array().unwrap();
    let find = |p: &str| params.iter().find(|x| x["parameter"] == p);
    // Counts move by at least one, never below 1; durations and rates keep a unit.
    let staff = find("department.sales.staff").expect("staff is varied");
    assert_eq!(
        (staff["low_value"].as_str(), staff["high_value"].as_str()),
        (Some("1"), Some("3"))
    );
    let promise = find("customers.promise").unwrap();
    assert_eq!(promise["low_value"], "1.6d");
    assert_eq!(promise["high_value"], "2.4d");
    assert_eq!(
        find("customers.arrival_rate").unwrap()["high_value"],
        "24/d"
    );
    assert_eq!(
        find("handoff.sales->billing.lose").unwrap()["high_value"],
        "0.024"
    );
    // A constant delay is varied through its mean, the name shown.
    assert_eq!(
        find("handoff.sales->billing.delay.mean").unwrap()["path"],
        "handoff.sales->billing.delay.mean"
    );
    // Zero parameters (no complaints department here, no abuse) are skipped.
    assert!(find("complaints.empowerment").is_none());
    let effects: Vec<f64> = params
        .iter()
        .map(|p| p["effect"].as_f64().unwrap())
        .collect();
    assert!(effects.windows(2).all(|w| w[0] >= w[1]), "{effects:?}");
    for p in params {
        let (lo, hi) = (p["low"].as_f64().unwrap(), p["high"].as_f64().unwrap());
        assert!(
            (p["effect"].as_f64().unwrap() - (hi - lo).abs()).abs() < 1e-9,
            "{p}"
        );
    }

    let out = run(
        dir.path(),
        &[
            "sensitivity",
            f,
            "--replications",
            "2",
            "--set",
            "department.sales.staff=3",
        ],
        0,
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("−10 % and +10 %"), "{text}");
    assert!(
        text.contains("department.sales.staff") && text.contains("2 → 4"),
        "{text}"
    );
    assert!(text.contains('│'), "{text}");
    let out = run(
        dir.path(),
        &["sensitivity", f, "--metric", "customers.gone"],
        2,
    );
    assert!(stderr(&out).contains("no metric `customers.gone`"));
}

/// Two sweeps writing one output at once: the second is told that another
/// is writing it (not that the first one's points are left from an earlier
/// sweep, nor does it later find them removed under it), and goes on with
/// --resume once the first has stopped.
#[test]
fn a_second_sweep_to_the_same_output_is_told_another_is_writing_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = tiny();
    let f = s.to_str().unwrap();
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a = vec![
            "sweep",
            f,
            "--set",
            "simulation.duration=1500d",
            "--replications",
            "1",
            "--vary",
            "customers.order_value=1:120:1",
            "-o",
            "out.csv",
        ];
        a.extend(extra);
        a.into_iter().map(str::to_owned).collect()
    };
    let mut child = handoff(d, &strs(&args(&[])))
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("handoff starts");
    wait_for_points(&d.join("out.csv.parts"), 1, &mut child);
    for extra in [&[][..], &["--resume"][..]] {
        let out = run(d, &strs(&args(extra)), 2);
        assert!(
            stderr(&out).contains("another handoff is writing out.csv now"),
            "{extra:?}: {}",
            stderr(&out)
        );
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    run(d, &strs(&args(&["--resume"])), 0);
    assert!(!d.join("out.csv.parts").exists());
}

/// `OUT.parts/` is handoff's to fill and remove: a user's file or folder
/// there, or a link in its place, is refused before anything is written, and
/// left as it was (`remove_dir_all` once deleted them with the folder).
#[test]
fn a_parts_directory_holding_anything_of_the_users_is_refused_and_left_alone() {
    let d = tempfile::tempdir().unwrap();
    let scenario = tiny();
    let scenario = scenario.to_str().unwrap();
    let parts = d.path().join("out.csv.parts");
    std::fs::create_dir(&parts).unwrap();
    std::fs::write(parts.join("notes.txt"), "my notes").unwrap();
    let sweep = [
        "sweep",
        scenario,
        "--vary",
        "department.billing.staff=1,2",
        "--replications",
        "1",
        "-o",
        "out.csv",
        "-q",
    ];
    for resume in [false, true] {
        let mut args = sweep.to_vec();
        if resume {
            args.push("--resume");
        }
        let out = run(d.path(), &args, 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("holds `notes.txt`"), "{err}");
        assert_eq!(
            std::fs::read_to_string(parts.join("notes.txt")).unwrap(),
            "my notes"
        );
        assert!(!d.path().join("out.csv").exists());
    }
    // The same for a sharded run and a sensitivity analysis.
    std::fs::create_dir(d.path().join("part.json.parts")).unwrap();
    std::fs::create_dir(d.path().join("part.json.parts/mine")).unwrap();
    let out = run(
        d.path(),
        &["run", scenario, "--shard", "0/2", "-o", "part.json", "-q"],
        2,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds `mine`"));
    assert!(d.path().join("part.json.parts/mine").is_dir());
    std::fs::create_dir(d.path().join("sens.txt.parts")).unwrap();
    std::fs::write(d.path().join("sens.txt.parts/notes.txt"), "x").unwrap();
    let out = run(
        d.path(),
        &["sensitivity", scenario, "-o", "sens.txt", "--resume", "-q"],
        2,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds `notes.txt`"));
    assert!(d.path().join("sens.txt.parts/notes.txt").exists());
    // A link in its place: refused, and nothing written where it points.
    std::fs::remove_dir_all(&parts).unwrap();
    let elsewhere = d.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &parts).unwrap();
    let out = run(d.path(), &sweep, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    // With the folder gone, the sweep runs and leaves no parts behind.
    std::fs::remove_file(&parts).unwrap();
    run(d.path(), &sweep, 0);
    assert!(d.path().join("out.csv").exists());
    assert!(!parts.exists());
}
