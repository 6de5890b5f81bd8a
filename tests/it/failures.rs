//! The failure probabilities per week in the JSON `timeline` (issue 11 item 3):
//! each handoff's mean lose, error and catch probability over the transfers
//! attempted in a week, where incidents, learning or morale make them vary.
//!
//! - An incident window replaces a handoff's values: weeks wholly inside show
//!   the window's value, weeks wholly outside the scenario's, weeks across
//!   its edges something in between.
//! - Learning without forgetting only ever lowers a handoff's odds: week by
//!   week the mean never rises, in every replication.
//! - Morale multiplies lose and error by the same factor: their weekly means
//!   keep the scenario's ratio, and never fall below the scenario's values.
//! - Transfers per week add up to what the scorecard counts handed on.
//! - Shards merged give the bytes of one run; a plain chain has no such field.

use super::command;
use handoff::engine::{self, RunResult};
use handoff::experiment;
use handoff::metrics::timeline::{OddsSums, WEEK_H};
use handoff::model::Model;
use handoff::scenario;
use serde_json::Value;

/// Floating sums of the same value, divided back: equal up to rounding.
const ROUNDING: f64 = 1e-12;

/// Two departments handing work on instantly (so a transfer and its arrival
/// are one instant), with `extra` sections appended.
fn desk(customers: &str, extra: &str) -> Model {
    let text = format!(
        r#"
[scenario]
name = "desk"

[simulation]
duration = "140d"
warmup = "14d"
seed = 5
replications = 3

[customers]
arrival_rate = "30/d"
reorder = {{ dist = "exponential", mean = "15d" }}
churn = 0.2
order_value = 100.0
{customers}

[[department]]
name = "desk"
staff = 40
service = {{ dist = "constant", value = "1h" }}

[[department]]
name = "back"
staff = 40
service = {{ dist = "constant", value = "1h" }}

[[flow]]
name = "f"
steps = ["desk", "back"]

[[handoff]]
from = "desk"
to = "back"
error = 0.1
catch = 0.5

[[handoff]]
from = "back"
to = "customer"
error = 0.05
lose = 0.01
{extra}
"#
    );
    scenario::parse(&text, "desk.toml").unwrap_or_else(|d| panic!("{}", d.render(false)))
}

/// Per week of one run: handoff `h`'s (transfers, mean lose, mean error, mean catch).
fn weekly(run: &RunResult, h: usize) -> Vec<(u64, f64, f64, f64)> {
    run.timeline
        .iter()
        .map(|w| {
            let OddsSums {
                transfers,
                lose,
                error,
                catch,
            } = w.odds[h];
            let n = transfers as f64;
            (transfers, lose / n, error / n, catch / n)
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= ROUNDING * b.abs().max(1.0)
}

#[test]
fn an_incident_window_shows_its_value_in_the_weeks_it_covers() {
    let model = desk(
        "",
        r#"
[[incident]]
name = "migration"
from = "50d"
to = "100d"
handoff = "back->customer"
error = 0.3
catch = 0.2
"#,
    );
    let day = 24.0;
    let (window_from, window_to) = (50.0 * day, 100.0 * day);
    let outcome = experiment::replicate(&model).unwrap();
    let (mut inside, mut outside, mut across) = (0, 0, 0);
    for bucket in &outcome.timeline {
        let back = bucket
            .failures
            .iter()
            .find(|f| f.handoff == "back->customer")
            .expect("the windowed handoff is listed every week");
        let desk = bucket
            .failures
            .iter()
            .find(|f| f.handoff == "desk->back")
            .expect("so is the other one, which had transfers");
        let (error, lose, catch) = (
            back.error.unwrap().mean,
            back.lose.unwrap().mean,
            back.catch.unwrap().mean,
        );
        let at = bucket.from_h;
        // No incident on desk->back: the scenario's values all along.
        assert!(close(desk.error.unwrap().mean, 0.1), "week at {at}");
        assert!(close(desk.catch.unwrap().mean, 0.5), "week at {at}");
        // The window names error and catch; lose keeps the scenario's value.
        assert!(close(lose, 0.01), "week at {at}: lose {lose}");
        if bucket.from_h >= window_from && bucket.to_h <= window_to {
            inside += 1;
            assert!(close(error, 0.3), "week at {at}: {error}");
            assert!(close(catch, 0.2), "week at {at}: {catch}");
            let spread = back.error.unwrap().ci95.unwrap();
            assert!(spread <= ROUNDING, "the same in every run: ± {spread}");
        } else if bucket.to_h <= window_from || bucket.from_h >= window_to {
            outside += 1;
            assert!(close(error, 0.05), "week at {at}: {error}");
            assert!(close(catch, 0.0), "week at {at}: {catch}");
        } else {
            across += 1;
            assert!(error > 0.05 && error < 0.3, "week at {at}: {error}");
        }
        assert!(back.transfers.mean > 100.0, "week at {at}: transfers");
    }
    assert_eq!(
        (inside, across),
        (6, 2),
        "weeks 6 to 11 inside, 5 and 12 across"
    );
    assert_eq!(outside, outcome.timeline.len() - 8);
}

#[test]
fn a_week_across_a_window_edge_weighs_each_side_by_its_transfers() {
    // The mean over transfers is exactly (n_before·base + n_inside·p) / n.
    let model = desk(
        "",
        "[[incident]]\nname = \"m\"\nfrom = \"52d\"\nto = \"60d\"\nhandoff = \"back->customer\"\nerror = 0.4\n",
    );
    // Transfers on back->customer are the ends of back's services (no delay).
    #[derive(Default)]
    struct Ends(Vec<f64>);
    impl engine::Observer for Ends {
        fn record(&mut self, e: &engine::TraceEvent) {
            if e.kind == engine::TraceKind::ServiceEnded && e.department == Some(1) {
                self.0.push(e.time);
            }
        }
    }
    let mut ends = Ends::default();
    let run = engine::run_observed(&model, 0, &mut ends).unwrap();
    let day = 24.0;
    // The week of days 49 to 56 holds the window's start.
    let k = ((49.0 * day - model.simulation.warmup_h) / WEEK_H) as usize;
    let (from, to) = (49.0 * day, 56.0 * day);
    let before = ends
        .0
        .iter()
        .filter(|&&t| t >= from && t < 52.0 * day)
        .count() as f64;
    let during = ends
        .0
        .iter()
        .filter(|&&t| t >= 52.0 * day && t < to)
        .count() as f64;
    let (n, _, error, _) = weekly(&run, 1)[k];
    assert_eq!(
        n as f64,
        before + during,
        "every transfer of the week counted"
    );
    let expected = (before * 0.05 + during * 0.4) / (before + during);
    assert!(close(error, expected), "{error} vs {expected}");
}

#[test]
fn learning_only_lowers_the_odds_week_by_week() {
    let model = desk(
        "complain_share = 0.5\npatience = \"5d\"",
        "[learning]\nrate = 0.05\nlag = \"7d\"\n",
    );
    for r in 0..model.simulation.replications {
        let run = engine::run(&model, r).unwrap();
        for h in 0..2 {
            let weeks = weekly(&run, h);
            for pair in weeks.windows(2) {
                let ((n0, lose0, error0, _), (n1, lose1, error1, _)) = (pair[0], pair[1]);
                assert!(n0 > 0 && n1 > 0, "transfers every week");
                // Every transfer of a later week meets odds at most those of
                // every transfer before it (rounding of the sums aside).
                assert!(
                    error1 <= error0 * (1.0 + ROUNDING),
                    "{r} {h}: {error0} → {error1}"
                );
                assert!(
                    lose1 <= lose0 * (1.0 + ROUNDING),
                    "{r} {h}: {lose0} → {lose1}"
                );
            }
            let (first, last) = (weeks[0].2, weeks[weeks.len() - 1].2);
            let base = model.handoffs[h].error;
            assert!(
                first <= base * (1.0 + ROUNDING),
                "never above the scenario's"
            );
            assert!(last < 0.8 * first, "{r} {h}: it learned ({first} → {last})");
            // The last week's transfers met odds no lower than the run's final ones.
            let final_error = run.metrics.handoffs[h].error_final.unwrap();
            assert!(
                last >= final_error * (1.0 - ROUNDING),
                "{last} vs {final_error}"
            );
        }
    }
}

#[test]
fn morale_scales_lose_and_error_alike_and_never_below_the_scenario() {
    let model = desk("", "[morale]\nsensitivity = 2.0\n");
    let run = engine::run(&model, 0).unwrap();
    let spec = &model.handoffs[1];
    let mut raised = 0;
    for (n, lose, error, catch) in weekly(&run, 1) {
        assert!(n > 0);
        let (lose_factor, error_factor) = (lose / spec.lose, error / spec.error);
        assert!(
            close(lose_factor, error_factor),
            "{lose_factor} vs {error_factor}"
        );
        assert!(error_factor >= 1.0 - ROUNDING, "{error_factor}");
        assert!(close(catch, spec.catch), "morale does not touch catch");
        raised += usize::from(error_factor > 1.0 + 1e-9);
    }
    assert!(raised > 0, "morale below 1 raised the odds in some week");
}

#[test]
fn transfers_per_week_add_up_to_the_transfers_handed_on() {
    let model = desk("", "[morale]\nsensitivity = 1.0\n");
    let run = engine::run(&model, 1).unwrap();
    let m = &run.metrics;
    for (h, name) in [(0, "desk"), (1, "back")] {
        let weekly: u64 = weekly(&run, h).iter().map(|w| w.0).sum();
        let handed = &m.handoffs[h];
        // Instant handoffs: a transfer and its arrival fall in the same instant.
        assert_eq!(
            weekly as f64,
            handed.passed + handed.lost + handed.caught,
            "{name}"
        );
    }
}

#[test]
fn a_plain_chain_records_no_odds() {
    let model = desk("", "");
    let run = engine::run(&model, 0).unwrap();
    assert!(run.timeline.iter().all(|w| w.odds.is_empty()));
    let outcome = experiment::replicate(&model).unwrap();
    assert!(outcome.timeline.iter().all(|b| b.failures.is_empty()));
    let json = String::from_utf8(handoff::report::json::render(&outcome)).unwrap();
    assert!(!json.contains("\"failures\""));
}

#[test]
fn shards_merged_give_the_bytes_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "scenarios/billing-migration.toml",
        "scenarios/unhappy-staff.toml",
        "scenarios/learning-organisation.toml",
    ] {
        let whole =
            command::stdout_of(&["run", file, "-q", "--replications", "3", "--format", "json"]);
        let v: Value = serde_json::from_slice(&whole).unwrap();
        let failures = &v["timeline"][0]["failures"];
        assert!(
            failures.as_array().is_some_and(|f| !f.is_empty()),
            "{file}: {failures}"
        );
        let row = &failures[0];
        for key in ["lose", "error", "catch", "transfers"] {
            assert!(row[key]["mean"].is_number(), "{file}: {key} in {row}");
        }
        assert!(row["handoff"].as_str().unwrap().contains("->"));
        let mut parts = Vec::new();
        for i in 0..3 {
            let part = dir.path().join(format!("part-{i}.json"));
            let part = part.to_str().unwrap().to_owned();
            command::stdout_of(&[
                "run",
                file,
                "-q",
                "--replications",
                "3",
                "--shard",
                &format!("{i}/3"),
                "-o",
                &part,
            ]);
            parts.push(part);
        }
        let merged =
            command::stdout_of(&["merge", &parts[2], &parts[0], &parts[1], "--format", "json"]);
        assert!(merged == whole, "{file}: merged JSON differs from run's");
    }
}
