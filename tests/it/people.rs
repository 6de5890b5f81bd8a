//! Learning from complaints and the policy against abuse (issue 10, items 3, 4
//! and 8): each mechanism moves the numbers the right way with common random
//! numbers, by the right amount, changes nothing when switched off, and keeps
//! the books balanced.
//!
//! Directions are paired differences over replications whose 95 % interval must
//! exclude zero; sizes are checked within an interval computed from the
//! replications themselves (Student t, or a binomial 99.9 % interval), so no
//! tolerance is tuned by hand.

use super::command;
use handoff::engine::{self, RunResult};
use handoff::metrics::{Metrics, Stat, t_quantile_975};
use handoff::model::Model;
use handoff::scenario::{self, Override};
use rayon::prelude::*;

const Z999: f64 = 3.290_526_731;

fn file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn model(source: &str, sets: &[&str]) -> Model {
    let sets: Vec<Override> = sets.iter().map(|a| Override::parse(a).unwrap()).collect();
    scenario::parse_with(source, "test.toml", &sets)
        .unwrap_or_else(|d| panic!("{}", d.render(false)))
}

fn runs(model: &Model) -> Vec<RunResult> {
    (0..model.simulation.replications.max(1))
        .into_par_iter()
        .map(|r| engine::run(model, r).expect("the scenario runs"))
        .collect()
}

/// The paired difference `b − a` of a statistic, replication by replication.
fn paired(a: &[RunResult], b: &[RunResult], pick: impl Fn(&Metrics<f64>) -> f64) -> Stat {
    let diffs: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(a, b)| pick(&b.metrics) - pick(&a.metrics))
        .collect();
    Stat::from_values(&diffs)
}

fn assert_below_zero(what: &str, d: Stat) {
    let h = d.ci95.expect("several replications");
    assert!(
        d.mean + h < 0.0,
        "{what}: {} ± {h} should be below zero",
        d.mean
    );
}

fn handoff_rate(m: &Metrics<f64>, from: &str, to: &str, pick: impl Fn(f64, f64) -> f64) -> f64 {
    let h = m
        .handoffs
        .iter()
        .find(|h| h.from == from && h.to == to)
        .unwrap_or_else(|| panic!("no handoff {from}->{to}"));
    pick(h.errors, h.passed + h.lost + h.caught)
}

#[test]
fn complaints_lower_a_handoffs_failure_rate() {
    let source = file("scenarios/learning-organisation.toml");
    let learning = runs(&model(&source, &[]));
    let not_learning = runs(&model(&source, &["learning.rate=0"]));
    // Errors per transfer out of billing, and losses per transfer out of production.
    let error_rate = |m: &Metrics<f64>| handoff_rate(m, "billing", "customer", |e, n| e / n);
    let lose_rate = |m: &Metrics<f64>| {
        let h = m.handoffs.iter().find(|h| h.from == "production").unwrap();
        h.lost / (h.passed + h.lost + h.caught)
    };
    assert_below_zero(
        "billing->customer error rate, learning − not",
        paired(&not_learning, &learning, error_rate),
    );
    assert_below_zero(
        "production->billing lose rate, learning − not",
        paired(&not_learning, &learning, lose_rate),
    );
    let spec = model(&source, &[]);
    for run in &learning {
        for (h, spec) in run.metrics.handoffs.iter().zip(&spec.handoffs) {
            let (error, lose) = (h.error_final.unwrap(), h.lose_final.unwrap());
            assert!(error <= spec.error && lose <= spec.lose, "{h:?}");
            if spec.error > 0.0 {
                assert!(error < spec.error, "{}->{} learned nothing", h.from, h.to);
            }
        }
    }
    // Without lessons the final probabilities are the scenario's.
    for run in &not_learning {
        for (h, spec) in run.metrics.handoffs.iter().zip(&spec.handoffs) {
            assert_eq!(h.error_final, Some(spec.error));
            assert_eq!(h.lose_final, Some(spec.lose));
        }
    }
}

#[test]
fn silence_teaches_nothing() {
    // The deaf organisation has the same [learning], but nobody complains:
    // every statistic is the one of the same file without [learning].
    let source = file("scenarios/deaf-organisation.toml");
    let with = runs(&model(&source, &[]));
    let start = source.find("[learning]").unwrap();
    let end = source[start..].find("\n\n").unwrap() + start;
    let without = runs(&model(
        &format!("{}{}", &source[..start], &source[end..]),
        &[],
    ));
    assert_earlier_statistics_identical(&without, &with);
    let spec = model(&source, &[]);
    for (h, spec) in with[0].metrics.handoffs.iter().zip(&spec.handoffs) {
        assert_eq!(
            (h.error_final, h.lose_final),
            (Some(spec.error), Some(spec.lose))
        );
    }
}

#[test]
fn strictness_lowers_abuse_cost_and_raises_friction_losses() {
    let strict = runs(&model(&file("scenarios/strict-policies.toml"), &[]));
    let fair = runs(&model(&file("scenarios/fair-policies.toml"), &[]));
    let policy = |m: &Metrics<f64>| m.policy.clone().expect("a [policy]");
    assert_below_zero(
        "abuse cost, strict − fair",
        paired(&fair, &strict, |m| policy(m).abuse_cost),
    );
    assert_below_zero(
        "customers lost to friction, fair − strict",
        paired(&strict, &fair, |m| policy(m).customers_lost),
    );
    assert_below_zero(
        "revenue lost to friction, fair − strict",
        paired(&strict, &fair, |m| policy(m).revenue_lost),
    );
    // The policy's friction is a cause like any other: its row is the policy's figure.
    for run in strict.iter().chain(&fair) {
        let m = &run.metrics;
        let row = m
            .lost_by_cause
            .iter()
            .find(|c| c.cause == "policy:friction")
            .unwrap();
        assert_eq!(row.customers, policy(m).customers_lost);
        assert_eq!(row.revenue, policy(m).revenue_lost);
    }
}

/// A shop where a tenth of customers are abusive and friction never becomes a
/// problem (so it cannot change who buys what).
fn abuse_scenario(strictness: f64) -> String {
    format!(
        r#"
[scenario]
name = "abuse"

[simulation]
duration = "200d"
warmup = "20d"
seed = 5
replications = 12

[customers]
arrival_rate = "10/d"
reorder = {{ dist = "exponential", mean = "20d" }}
order_value = 100.0
abusive_share = 0.1

[problem]
friction = 0.0

[policy]
strictness = {strictness}
abuse_cost = 250

[[department]]
name = "shop"
staff = 3
service = {{ dist = "exponential", mean = "1h" }}

[[flow]]
name = "buy"
steps = ["shop"]

[[handoff]]
from = "shop"
to = "customer"
error = 0.05
"#
    )
}

#[test]
fn abuse_cost_is_orders_times_share_times_what_is_not_caught() {
    for s in [0.0, 0.3, 0.8] {
        let runs = runs(&model(&abuse_scenario(s), &[]));
        // Per replication: what the abuse cost, less its expectation given the
        // orders delivered. The mean residual must be zero within its interval.
        let residual: Vec<f64> = runs
            .iter()
            .map(|r| {
                let m = &r.metrics;
                let expected = m.orders.delivered * 0.1 * (1.0 - s) * 250.0;
                m.policy.as_ref().unwrap().abuse_cost - expected
            })
            .collect();
        let d = Stat::from_values(&residual);
        let n = residual.len();
        // About a 99.9 % interval: the 95 % half-width scaled from t(0.975) to z(0.9995)
        // (a little narrower than t(0.9995) would give).
        let h = d.ci95.unwrap() * Z999 / t_quantile_975(n - 1);
        assert!(d.mean.abs() <= h, "s = {s}: residual {} ± {h}", d.mean);
        let pooled = |f: &dyn Fn(&handoff::metrics::PolicyMetrics<f64>) -> f64| -> f64 {
            runs.iter()
                .map(|r| f(r.metrics.policy.as_ref().unwrap()))
                .sum()
        };
        let (claims, caught) = (pooled(&|p| p.abusive_orders), pooled(&|p| p.abuse_caught));
        assert!(claims > 500.0, "only {claims} claims");
        let half = Z999 * (s * (1.0 - s) / claims).sqrt();
        assert!(
            (caught / claims - s).abs() <= half.max(1e-12),
            "caught {caught} of {claims} at strictness {s}"
        );
        assert_eq!(
            pooled(&|p| p.abuse_cost) + pooled(&|p| p.abuse_saved),
            claims * 250.0
        );
        // Friction never becomes a problem here.
        assert_eq!(pooled(&|p| p.friction_problems), 0.0);
    }
}

/// Every statistic of `plain` has the same bits in `with`, which may have more.
fn assert_earlier_statistics_identical(plain: &[RunResult], with: &[RunResult]) {
    for (a, b) in plain.iter().zip(with) {
        assert_eq!(a.events, b.events, "events");
        let extra = b.metrics.named();
        for (name, value) in a.metrics.named() {
            let other = extra
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(value.to_bits(), other.1.to_bits(), "{name}");
        }
        // Morale, when present, adds its weekly averages, and any mechanism that
        // may move a handoff's odds its weekly odds: every other count is the same.
        let mut weeks = b.timeline.clone();
        let mut plain_weeks = a.timeline.clone();
        for w in weeks.iter_mut().chain(&mut plain_weeks) {
            w.morale.clear();
            w.odds.clear();
        }
        assert_eq!(plain_weeks, weeks, "timeline");
    }
}

#[test]
fn mechanisms_present_but_switched_off_change_no_earlier_statistic() {
    // Learning, policy and morale all present, all switched off, together.
    for name in [
        "scenarios/complaints-are-a-gift.toml",
        "scenarios/silent-majority.toml",
    ] {
        let source = file(name);
        let plain = runs(&model(&source, &[]));
        let off = format!(
            "{source}\n[learning]\nrate = 0\nlag = \"3d\"\n\n[policy]\nstrictness = 0\nabuse_cost = 100\n\n[morale]\nsensitivity = 0\n"
        );
        let off = runs(&model(&off, &[]));
        assert_earlier_statistics_identical(&plain, &off);
        // Present, so reported: the probabilities are the scenario's, and the
        // abusive customers' claims all cost.
        let m = &off[0].metrics;
        assert!(m.handoffs.iter().all(|h| h.error_final.is_some()));
        let p = m.policy.as_ref().unwrap();
        assert_eq!(p.abuse_caught, 0.0);
        assert_eq!(p.abuse_cost, p.abusive_orders * 100.0);
        assert_eq!(p.customers_lost, 0.0);
    }
}

#[test]
fn by_cause_sums_still_equal_totals() {
    let source = file("scenarios/strict-policies.toml");
    let both = format!("{source}\n[learning]\nrate = 0.2\nlag = \"7d\"\nforget = \"60d\"\n");
    let both = model(&both, &["customers.complain_share=0.3"]);
    for run in runs(&both) {
        let m = &run.metrics;
        let sum = |f: &dyn Fn(&handoff::metrics::CauseMetrics<f64>) -> f64| -> f64 {
            m.lost_by_cause.iter().map(f).sum()
        };
        assert_eq!(sum(&|c| c.customers), m.customers.lost);
        assert_eq!(sum(&|c| c.prospects), m.customers.prospects_deterred);
        assert!((sum(&|c| c.revenue) - m.revenue.lost).abs() <= 1e-6 * m.revenue.lost);
        let by_flow: f64 = m.flows.iter().map(|f| f.customers_lost).sum();
        assert_eq!(by_flow, m.customers.lost);
        assert!(m.policy.as_ref().unwrap().customers_lost > 0.0);
    }
}

#[test]
fn learning_and_policy_are_reachable_by_set() {
    let source = file("scenarios/fair-policies.toml");
    let m = model(
        &source,
        &[
            "policy.strictness=0.4",
            "policy.abuse_cost=10",
            "learning.rate=0.2",
            "learning.lag=3d",
            "learning.forget=30d",
        ],
    );
    let p = m.policy.unwrap();
    assert_eq!((p.strictness, p.abuse_cost), (0.4, 10.0));
    let l = m.learning.unwrap();
    assert_eq!((l.rate, l.lag_h, l.forget_h), (0.2, 72.0, Some(720.0)));
    let bad = |arg: &str| {
        scenario::parse_with(&source, "test.toml", &[Override::parse(arg).unwrap()])
            .err()
            .unwrap_or_else(|| panic!("{arg} should fail"))
            .render(false)
    };
    let e = bad("policy.strictnes=0.5");
    assert!(e.contains("did you mean `strictness`?"), "{e}");
    let e = bad("learning.rate=1.5");
    assert!(e.contains("--set:1:15"), "{e}");
    let e = bad("learning.lag=3");
    assert!(e.contains("needs a unit"), "{e}");
}

#[test]
fn compare_shows_what_was_learned_and_what_the_policy_met() {
    let json = command::text_of(&[
        "compare",
        "scenarios/learning-organisation.toml",
        "scenarios/deaf-organisation.toml",
        "--format",
        "json",
        "--replications",
        "6",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let metrics: Vec<&str> = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        metrics.contains(&"handoffs.billing->customer.error_final"),
        "{metrics:?}"
    );
    // A failure the handoff never had gets no row.
    assert!(
        !metrics.contains(&"handoffs.billing->customer.lose_final"),
        "{metrics:?}"
    );
    let learned = v["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["metric"] == "handoffs.billing->customer.error_final")
        .unwrap();
    // The deaf organisation ends where it started: above the learning one.
    assert!(learned["mean"].as_f64().unwrap() > 0.0, "{learned}");
    assert_eq!(learned["significant"], true, "{learned}");

    let text = command::text_of(&[
        "run",
        "scenarios/strict-policies.toml",
        "--replications",
        "4",
    ]);
    assert!(text.contains("Policy against abuse:"), "{text}");
    assert!(text.contains("for every 1 it saved"), "{text}");
    let text = command::text_of(&[
        "run",
        "scenarios/learning-organisation.toml",
        "--replications",
        "4",
    ]);
    assert!(text.contains("Learning from complaints"), "{text}");
    let plain = command::text_of(&[
        "run",
        "scenarios/silent-majority.toml",
        "--replications",
        "2",
    ]);
    assert!(!plain.contains("Policy against abuse") && !plain.contains("Learning from"));
}

#[test]
fn validate_notes_that_silence_teaches_nothing() {
    let stderr = |file: &str| {
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["validate", file])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(stderr("scenarios/deaf-organisation.toml").contains("silence teaches nothing"));
    assert!(!stderr("scenarios/learning-organisation.toml").contains("silence teaches nothing"));
}
