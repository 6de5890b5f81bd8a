//! Runaway scenarios stop with a clear error instead of eating the machine
//! or never ending (issue 7): too much work in progress, a clock that stands
//! still or crawls, and word of mouth told to four billion people.

use assert_cmd::Command;
use handoff::engine::{self, RunError};
use handoff::scenario;

const BASE: &str = r#"
[scenario]
name = "runaway"
[simulation]
duration = "10d"
seed = 3
[customers]
arrival_rate = "20/d"
[[department]]
name = "a"
staff = 1
service = { dist = "exponential", mean = "1h" }
[[department]]
name = "b"
staff = 1
service = { dist = "exponential", mean = "1h" }
[[flow]]
name = "f"
steps = ["a", "b"]
"#;

fn model(from: &str, to: &str) -> handoff::model::Model {
    assert!(BASE.contains(from), "{from}");
    scenario::parse(&BASE.replacen(from, to, 1), "runaway.toml")
        .unwrap_or_else(|d| panic!("{}", d.render(false)))
}

/// Every transfer from `a` to `b` sent back. A scenario file cannot say so
/// (`error = 1` with `catch = 1` is refused), but an incident window or low
/// morale can come close, and the engine must stop such a run on its own.
fn sent_back_always() -> handoff::model::Model {
    let mut m = model(
        "steps = [\"a\", \"b\"]",
        "steps = [\"a\", \"b\"]\n[[handoff]]\nfrom = \"a\"\nto = \"b\"\nerror = 0.5\ncatch = 0.5",
    );
    m.handoffs[0].error = 1.0;
    m.handoffs[0].catch = 1.0;
    m
}

#[test]
fn too_much_work_in_progress_names_the_department_and_its_load() {
    let m = model("duration = \"10d\"", "duration = \"10d\"\nmax_live = 2000").clone();
    let mut m = m;
    m.customers.arrival_rate_per_h = 20.0 * 3600.0; // the "20/s" typo
    let Err(RunError::Overloaded {
        live,
        limit,
        department,
        load,
        ..
    }) = engine::run(&m, 0)
    else {
        panic!("expected an overload");
    };
    assert_eq!(limit, 2000);
    assert!(live > limit, "{live}");
    assert_eq!(department, "a");
    let expected = m.offered_load()[0];
    assert!(
        (load - expected).abs() < 1e-9 * expected,
        "{load} vs {expected}"
    );
}

#[test]
fn the_typo_20_per_second_ends_in_seconds_with_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "scenarios/baseline.toml",
            "--set",
            "customers.arrival_rate=20/s",
        ])
        .args(["--set", "simulation.max_live=50000", "--replications", "2"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("replication 0 stopped"), "{stderr}");
    assert!(stderr.contains("department `sales`"), "{stderr}");
    assert!(
        stderr.contains("times what its 2 people can do"),
        "{stderr}"
    );
    assert!(stderr.contains("max_live = 50000"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_burst_at_one_instant_that_never_ends_is_caught() {
    // Nearly every service takes no time, and every transfer is sent back at once.
    let mut m = sent_back_always();
    let zero =
        handoff::model::Distribution::empirical(vec![0.0, 1.0], Some(vec![1.0, 1e-12])).unwrap();
    m.departments[0].service = zero.clone();
    m.departments[1].service = zero;
    match engine::run(&m, 0) {
        Err(RunError::ClockStalled { events, .. }) => {
            assert!(events > engine::MAX_EVENTS_AT_ONE_INSTANT)
        }
        other => panic!(
            "expected a stalled clock, got {:?}",
            other.map(|r| r.events)
        ),
    }
}

#[test]
fn a_clock_that_crawls_is_caught() {
    // Every transfer is sent back, and each rework takes a few clock ticks.
    let mut m = sent_back_always();
    let tiny = handoff::model::Distribution::constant(1e-13).unwrap();
    m.departments[0].service = tiny.clone();
    m.departments[1].service = tiny;
    match engine::run(&m, 0) {
        Err(RunError::ClockCrawls { moved_h, .. }) => assert!(moved_h < 1e-3),
        other => panic!(
            "expected a crawling clock, got {:?}",
            other.map(|r| r.events)
        ),
    }
}

#[test]
fn word_of_mouth_to_four_billion_people_finishes() {
    let m = model(
        "arrival_rate = \"20/d\"",
        "arrival_rate = \"20/d\"\nword_of_mouth = 4294967295\ndeter = 0.5",
    );
    let mut m = m;
    // Everyone with a problem leaves, so many tell.
    m.problem.late = 1.0;
    m.customers.promise_h = 0.01;
    m.stay.silent = 0.0;
    let start = std::time::Instant::now();
    let run = engine::run(&m, 0).expect("it runs");
    assert!(start.elapsed().as_secs() < 30);
    let told = run.metrics.customers.prospects_deterred;
    let lost = run.metrics.customers.lost;
    assert!(lost >= 1.0, "{lost}");
    // About half of 2^32 per customer lost (binomial: the spread is ~33 000).
    let per_lost = told / lost;
    assert!((per_lost / 2f64.powi(31) - 1.0).abs() < 1e-3, "{per_lost}");
}

#[test]
fn an_overload_inside_a_strike_names_the_incident_and_the_staff_left() {
    // 2000 orders a day of 36 s for 1 person is 83 %; from day 2 a strike
    // leaves nobody, and the queue passes `max_live` inside it.
    let text = format!(
        "{}\n[[incident]]\nname = \"strike\"\nfrom = \"2d\"\nto = \"9d\"\ndepartment = \"a\"\nstaff = 0\n",
        BASE.replacen(
            "duration = \"10d\"",
            "duration = \"10d\"\nmax_live = 300",
            1
        )
        .replacen("20/d", "2000/d", 1)
        .replace("mean = \"1h\"", "mean = \"36s\"")
    );
    let m = scenario::parse(&text, "strike.toml").unwrap_or_else(|d| panic!("{}", d.render(false)));
    // Outside the strike the estimate is the usual 83 %.
    assert!((m.offered_load()[0] - 2000.0 / 24.0 * 0.01).abs() < 1e-9);
    let Err(
        err @ RunError::Overloaded {
            at_h, staff, load, ..
        },
    ) = engine::run(&m, 0)
    else {
        panic!("expected an overload");
    };
    assert!((48.0..216.0).contains(&at_h), "{at_h}");
    assert_eq!(staff, 0);
    assert!(load.is_infinite(), "{load}");
    let message = err.to_string();
    assert!(
        message.contains("during incident `strike` it has nobody on duty"),
        "{message}"
    );
}

/// `handoff run SCENARIO --threads 1 -q EXTRA…` with its address space held to
/// 1.5 GB (`ulimit -v`), which handoff reads as the memory it may fill.
fn run_in_little_memory(scenario: &std::path::Path, extra: &[&str]) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1500000 && exec \"$0\" run \"$@\" --threads 1 -q")
        .arg(env!("CARGO_BIN_EXE_handoff"))
        .arg(scenario)
        .args(extra)
        .output()
        .unwrap()
}

/// Work in progress that `max_live` allows (here its largest, 100 million)
/// but memory does not: the run stops with exit 2 and says so, where the
/// allocation that failed once aborted the process (exit 134 and a
/// backtrace). The address space is held to 1.5 GB (`ulimit -v`), which
/// handoff reads as the memory it may fill; no output file is left.
#[test]
fn work_in_progress_beyond_the_memory_free_stops_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("flood.toml");
    std::fs::write(
        &scenario,
        BASE.replacen(
            "duration = \"10d\"",
            "duration = \"3650d\"\nmax_live = 100000000",
            1,
        )
        .replacen("arrival_rate = \"20/d\"", "arrival_rate = \"10000/d\"", 1),
    )
    .unwrap();
    let out = run_in_little_memory(
        &scenario,
        &["-o", dir.path().join("out.json").to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("of memory each replication may use here"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    assert!(!dir.path().join("out.json").exists());
    // Long flows make each order large, and the message says why.
    let steps: Vec<String> = (0..20_000).map(|i| format!("\"d{i}\"")).collect();
    let mut long = String::from(
        "[scenario]\nname = \"long\"\n[simulation]\nduration = \"30d\"\nreplications = 1\n\
         [customers]\narrival_rate = \"200/d\"\n",
    );
    for i in 0..20_000 {
        long.push_str(&format!(
            "[[department]]\nname = \"d{i}\"\nstaff = 1\nservice = \"1m\"\n"
        ));
    }
    long.push_str(&format!(
        "[[flow]]\nname = \"f\"\nsteps = [{}]\n",
        steps.join(", ")
    ));
    std::fs::write(&scenario, long).unwrap();
    let out = run_in_little_memory(&scenario, &["--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("each order keeps its hours at every step of its flow"),
        "{stderr}"
    );
}
