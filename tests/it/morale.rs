//! Morale, rudeness and the internal-customer scorecard (issue 10, items 1, 2, 5):
//! each mechanism moves the numbers the way the service-profit chain says, with
//! common random numbers; switched off it changes nothing; the books balance.
//!
//! Directions are checked on paired differences, replication by replication
//! (the same seed, so the same customers and the same draws): the mean
//! difference must lie beyond its own Student-t 95 % half-width, a tolerance
//! that follows from the data and is not tuned by hand.

use super::command;
use std::path::Path;

use handoff::engine::{self, RunResult};
use handoff::metrics::Metrics;
use handoff::model::Model;
use handoff::scenario::{self, Override};
use rayon::prelude::*;

/// Student t, two-sided 95 %, for `n − 1` degrees of freedom.
fn t975(n: usize) -> f64 {
    handoff::metrics::t_quantile_975(n - 1)
}

fn load(file: &str, sets: &[&str]) -> Model {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    scenario::load_with(&path, &overrides).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn runs(model: &Model, replications: u32) -> Vec<RunResult> {
    (0..replications)
        .into_par_iter()
        .map(|r| engine::run(model, r).expect("the scenario runs"))
        .collect()
}

/// One named statistic of a run.
fn stat(m: &Metrics<f64>, name: &str) -> f64 {
    m.named()
        .into_iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no statistic {name}"))
        .1
}

/// Mean and 95 % half-width of per-replication values.
fn mean_ci(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, t975(values.len()) * (var / n).sqrt())
}

/// `b − a` of statistic `name`, replication by replication, must be positive
/// beyond its 95 % half-width.
fn assert_rises(a: &[RunResult], b: &[RunResult], name: &str) {
    let diffs: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(x, y)| stat(&y.metrics, name) - stat(&x.metrics, name))
        .collect();
    let (mean, half) = mean_ci(&diffs);
    assert!(
        mean > half,
        "{name} should rise: paired difference {mean} ± {half} ({diffs:?})"
    );
}

#[test]
fn overload_lowers_morale_and_raises_escaped_errors() {
    // The same overloaded production, with and without overload hurting morale
    // (comfortable = 1: no load is too much). Bad work received is left out of
    // both (upstream = 0) so that only overload differs.
    let calm = load(
        "scenarios/unhappy-staff.toml",
        &["morale.comfortable=1", "morale.upstream=0"],
    );
    let tired = load("scenarios/unhappy-staff.toml", &["morale.upstream=0"]);
    let (calm, tired) = (runs(&calm, 8), runs(&tired, 8));
    for run in &calm {
        // Nothing can lower morale: it stays exactly 1 everywhere.
        for d in &run.metrics.departments {
            assert_eq!(d.morale, Some(1.0), "{}", d.name);
        }
    }
    let morale = |rs: &[RunResult]| -> Vec<f64> {
        rs.iter()
            .map(|r| -stat(&r.metrics, "departments.production.morale"))
            .collect()
    };
    // Lower morale: the negated morale rises.
    let (mean, half) = mean_ci(
        &morale(&tired)
            .iter()
            .zip(morale(&calm))
            .map(|(t, c)| t - c)
            .collect::<Vec<_>>(),
    );
    assert!(mean > half, "production's morale falls: {mean} ± {half}");
    assert_rises(&calm, &tired, "handoffs.production->billing.escaped");
    assert_rises(&calm, &tired, "orders.defects");
    assert_rises(
        &calm,
        &tired,
        "lost_by_cause.handoff:production->billing:error.customers",
    );
}

#[test]
fn bad_work_received_lowers_the_receivers_morale() {
    // billing receives the broken sales -> billing link; production, after billing,
    // receives clean work. Without overload (comfortable = 1) only upstream acts.
    let model = load(
        "scenarios/billing-sales-break.toml",
        &["morale.comfortable=1"],
    );
    let rs = runs(&model, 6);
    for r in &rs {
        let billing = stat(&r.metrics, "departments.billing.morale");
        let production = stat(&r.metrics, "departments.production.morale");
        let sales = stat(&r.metrics, "departments.sales.morale");
        assert_eq!(sales, 1.0, "sales receives nothing from a supplier");
        assert!(
            billing < production && production < 1.0,
            "{billing} {production}"
        );
        // The target is 1 − upstream × bad share, and the bad share is at most
        // what the scorecard counts as not good among transfers billing received.
        let handed = stat(&r.metrics, "scorecard.sales->billing.handed");
        let bad = stat(&r.metrics, "scorecard.sales->billing.lost")
            + stat(&r.metrics, "scorecard.sales->billing.caught");
        assert!(
            (1.0 - billing) < 2.0 * bad / handed,
            "billing's morale {billing} against a bad share of {}",
            bad / handed
        );
    }
}

#[test]
fn a_rude_department_loses_customers_to_its_rudeness() {
    let rude = load("scenarios/rude-front-desk.toml", &[]);
    let courteous = load(
        "scenarios/rude-front-desk.toml",
        &["department.\"front desk\".rude=0"],
    );
    let (rude_runs, courteous_runs) = (runs(&rude, 8), runs(&courteous, 8));
    let cause = "lost_by_cause.department:front desk:rude.customers";
    let lost: Vec<f64> = rude_runs.iter().map(|r| stat(&r.metrics, cause)).collect();
    let (mean, half) = mean_ci(&lost);
    assert!(mean > half, "customers lost to rudeness: {mean} ± {half}");
    // The courteous desk has no rudeness cause at all, and loses fewer customers.
    assert!(
        courteous_runs[0]
            .metrics
            .lost_by_cause
            .iter()
            .all(|c| !c.cause.ends_with(":rude"))
    );
    assert_rises(&courteous_runs, &rude_runs, "customers.lost");
    // Common random numbers: the rudeness draws are the customer's own, so the
    // orders' handoffs meet the same draws in both (errors differ only through
    // the customers rudeness sent away, who place fewer orders).
    assert_rises(&rude_runs, &courteous_runs, "orders.arrived");
}

#[test]
fn rudeness_scales_with_low_morale() {
    // An overloaded front desk that is rude 2 % of the time: with morale acting
    // (sensitivity 2) its tired staff are ruder than with morale ignored.
    let sets = [
        "department.\"front desk\".rude=0.02",
        "department.\"front desk\".staff=1",
        "department.\"front desk\".service.mean=55m",
        "morale.comfortable=0.2",
        "morale.upstream=0",
    ];
    let mut ignored = sets.to_vec();
    ignored.push("morale.sensitivity=0");
    let mut acting = sets.to_vec();
    acting.push("morale.sensitivity=2");
    let ignored = runs(&load("scenarios/rude-front-desk.toml", &ignored), 8);
    let acting = runs(&load("scenarios/rude-front-desk.toml", &acting), 8);
    let m = stat(&acting[0].metrics, "departments.front desk.morale");
    assert!(m < 0.9, "the front desk is overloaded: morale {m}");
    assert_rises(
        &ignored,
        &acting,
        "lost_by_cause.department:front desk:rude.customers",
    );
}

#[test]
fn morale_without_sensitivity_changes_no_earlier_statistic() {
    // Every mechanism present but switched off: morale is measured and nothing
    // else moves, byte for byte (the same events, the same counts, the same floats).
    for file in ["scenarios/baseline.toml", "scenarios/silent-majority.toml"] {
        let without = load(file, &[]);
        let mut with = without.clone();
        with.morale = Some(handoff::model::Morale {
            comfortable: 0.3,
            upstream: 2.0,
            sensitivity: 0.0,
            adjust_h: 100.0,
        });
        for r in 0..3 {
            let a = engine::run(&without, r).unwrap();
            let b = engine::run(&with, r).unwrap();
            assert_eq!(a.events, b.events, "{file}");
            let named_b: Vec<(String, f64)> = b
                .metrics
                .named()
                .into_iter()
                .filter(|(k, _)| !k.ends_with(".morale"))
                .collect();
            let named_a = a.metrics.named();
            assert_eq!(named_a.len(), named_b.len());
            for ((ka, va), (kb, vb)) in named_a.iter().zip(&named_b) {
                assert_eq!(ka, kb);
                assert_eq!(va.to_bits(), vb.to_bits(), "{file}: {ka} {va} {vb}");
            }
            let morale_of = |k: &str| b.metrics.named().iter().any(|(n, _)| n == k);
            assert!(morale_of("departments.production.morale"), "{file}");
            for (wa, wb) in a.timeline.iter().zip(&b.timeline) {
                let mut wb = wb.clone();
                assert_eq!(wb.morale.len(), with.departments.len());
                wb.morale.clear();
                // Morale on makes odds vary: the weekly odds are recorded too.
                wb.odds.clear();
                assert_eq!(wa, &wb, "{file}");
            }
        }
    }
}

#[test]
fn by_cause_sums_equal_the_totals_and_the_weeks_add_up() {
    for file in [
        "scenarios/rude-front-desk.toml",
        "scenarios/unhappy-staff.toml",
        "scenarios/billing-sales-break.toml",
    ] {
        let model = load(file, &[]);
        for run in runs(&model, 3) {
            let m = &run.metrics;
            let customers: f64 = m.lost_by_cause.iter().map(|c| c.customers).sum();
            let prospects: f64 = m.lost_by_cause.iter().map(|c| c.prospects).sum();
            let revenue: f64 = m.lost_by_cause.iter().map(|c| c.revenue).sum();
            assert_eq!(customers, m.customers.lost, "{file}");
            assert_eq!(prospects, m.customers.prospects_deterred, "{file}");
            assert!(
                (revenue - m.revenue.lost).abs() <= 1e-9 * m.revenue.lost.max(1.0),
                "{file}: {revenue} {}",
                m.revenue.lost
            );
            let weekly: u64 = run.timeline.iter().map(|w| w.customers_lost).sum();
            assert_eq!(weekly as f64, m.customers.lost, "{file}");
            // The weekly morale, weighted by the weeks' lengths, is the run's average.
            let grid = handoff::metrics::timeline::Grid::new(
                model.simulation.warmup_h,
                model.simulation.duration_h,
            );
            for (d, dept) in m.departments.iter().enumerate() {
                let Some(average) = dept.morale else { continue };
                let weighted: f64 = run
                    .timeline
                    .iter()
                    .enumerate()
                    .map(|(k, w)| {
                        let (from, to) = grid.bounds(k);
                        w.morale[d] * (to - from)
                    })
                    .sum::<f64>()
                    / (grid.end_h - grid.start_h);
                assert!(
                    (weighted - average).abs() < 1e-9,
                    "{file} {}: {weighted} {average}",
                    dept.name
                );
                assert!((0.0..=1.0).contains(&average));
            }
        }
    }
}

#[test]
fn the_scorecard_counts_every_transfer_between_two_departments_once() {
    let model = load("scenarios/billing-sales-break.toml", &[]);
    for run in runs(&model, 2) {
        let m = &run.metrics;
        // One row per handoff between departments, none for the customer.
        let pairs: Vec<String> = m
            .handoffs
            .iter()
            .filter(|h| h.to != "customer")
            .map(|h| format!("{}->{}", h.from, h.to))
            .collect();
        let rows: Vec<String> = m
            .scorecard
            .iter()
            .map(|l| format!("{}->{}", l.supplier, l.customer))
            .collect();
        assert_eq!(rows, pairs);
        for l in &m.scorecard {
            let h = m
                .handoffs
                .iter()
                .find(|h| h.from == l.supplier && h.to == l.customer)
                .unwrap();
            assert_eq!(l.handed, h.passed + h.lost + h.caught);
            assert_eq!(l.good, h.passed - h.escaped);
            assert_eq!(l.share_good, l.good / l.handed);
            assert_eq!((l.lost, l.caught, l.escaped), (h.lost, h.caught, h.escaped));
        }
        // Constant transfer times: the mean delay is the constant.
        assert_eq!(stat(m, "scorecard.sales->billing.mean_delay_h"), 4.0);
        assert_eq!(stat(m, "scorecard.billing->production.mean_delay_h"), 2.0);
        // The broken link is the worst.
        let worst = m
            .scorecard
            .iter()
            .min_by(|a, b| a.share_good.total_cmp(&b.share_good))
            .unwrap();
        assert_eq!((&*worst.supplier, &*worst.customer), ("sales", "billing"));
    }
}

#[test]
fn morale_and_rude_are_checked_with_located_errors() {
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/unhappy-staff.toml"),
    )
    .unwrap();
    for (from, to, says) in [
        (
            "comfortable = 0.6",
            "comfortable = 1.5",
            "`comfortable` must be a probability between 0 and 1",
        ),
        ("adjust = \"14d\"", "adjust = 14", "`adjust` needs a unit"),
        (
            "sensitivity = 2.0",
            "sensitivity = -1",
            "`sensitivity` must be zero or more",
        ),
        (
            "upstream = 1.0",
            "upstreem = 1.0",
            "did you mean `upstream`",
        ),
        (
            "name = \"billing\"",
            "name = \"billing\"\nrude = 2",
            "`rude` must be a probability",
        ),
    ] {
        assert!(base.contains(from), "{from}");
        let source = base.replacen(from, to, 1);
        let err = scenario::parse(&source, "unhappy.toml")
            .err()
            .unwrap_or_else(|| panic!("{to} is refused"))
            .render(false);
        assert!(err.contains(says), "{to}: {err}");
        assert!(err.contains("unhappy.toml:"), "located: {err}");
    }
}

/// The JSON report of a ready scenario, as a user gets it.
fn json(file: &str) -> serde_json::Value {
    let out = command::stdout_of(&["run", file, "--format", "json", "-q", "--replications", "2"]);
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn json_carries_morale_and_the_scorecard_under_their_contract_names() {
    let v = json("scenarios/unhappy-staff.toml");
    for d in v["departments"].as_array().unwrap() {
        let m = &d["morale"];
        let mean = m["mean"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&mean), "{d}");
        assert!(m["ci95"].is_number(), "{d}");
    }
    let row = &v["scorecard"][0];
    let mut keys: Vec<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "caught",
            "customer",
            "escaped",
            "good",
            "handed",
            "lost",
            "mean_delay_h",
            "share_good",
            "supplier"
        ]
    );
    assert!(row["share_good"]["mean"].is_number());
    let week = &v["timeline"][0]["morale"];
    assert_eq!(week.as_array().unwrap().len(), 4, "{week}");
    assert_eq!(week[1]["department"], "production");
    assert!(week[1]["morale"]["mean"].is_number());
    // Without [morale] there is no morale anywhere, and still a scorecard.
    let v = json("scenarios/baseline.toml");
    assert!(v["departments"][0].get("morale").is_none());
    assert!(v["timeline"][0].get("morale").is_none());
    assert_eq!(v["scorecard"].as_array().unwrap().len(), 2);
}

#[test]
fn closed_hours_are_neither_load_nor_rest_for_morale() {
    // Production open 40 h a week and swamped while open: its staff are fully
    // busy whenever they are at work, so its recent utilisation is near 1 and
    // morale falls (comfortable = 0.6). Counting the closed nights and weekends
    // as idle time would give a utilisation near 40/168 and keep morale at 1.
    let model = load(
        "scenarios/unhappy-staff.toml",
        &[
            "morale.upstream=0",
            "department.production.hours=mon-fri 09:00-17:00",
        ],
    );
    for r in runs(&model, 3) {
        let morale = stat(&r.metrics, "departments.production.morale");
        let busy = stat(&r.metrics, "departments.production.utilization");
        assert!(busy > 0.95, "swamped while open: utilisation {busy}");
        assert!(morale < 0.3, "production's morale {morale}");
    }
}
