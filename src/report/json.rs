//! The JSON report, for scripts.
//!
//! One object: `version` (of this program: results may change between
//! versions), `scenario`, `events` (a plain count, summed over all
//! replications: the text report divides it by them), then every statistic of the summary
//! (`departments`, `handoffs`, `orders`, …) as `{"mean": x, "ci95": h}`, with
//! `h` null for a single replication. Durations are hours, in fields ending
//! `_h`. A value that is not a finite number is written as null, so the output
//! is always valid JSON. These field names are a contract with scripts: add,
//! never rename.

use serde::Serialize;

use crate::experiment::{Outcome, ScenarioInfo};
use crate::metrics::timeline::Bucket;
use crate::metrics::{Metrics, Stat};

/// The document, borrowed from the outcome: the summary's fields are spliced
/// in at the top level rather than restated here.
#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    scenario: &'a ScenarioInfo,
    /// Events processed, summed over replications.
    events: u64,
    #[serde(flatten)]
    summary: &'a Metrics<Stat>,
    /// Weekly buckets over the counted period (see `metrics::timeline`).
    timeline: &'a [Bucket<Stat>],
}

/// Pretty-printed JSON with a trailing newline.
pub fn render(outcome: &Outcome) -> Vec<u8> {
    let document = Document {
        version: env!("CARGO_PKG_VERSION"),
        scenario: &outcome.scenario,
        events: outcome.events,
        summary: &outcome.summary,
        timeline: &outcome.timeline,
    };
    let mut out = serde_json::to_vec_pretty(&document).expect(
        "a report is plain data: strings, integers and floats (non-finite ones become null)",
    );
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::report::fixture;

    fn parsed(outcome: &Outcome) -> Value {
        let bytes = render(outcome);
        assert_eq!(bytes.last(), Some(&b'\n'), "ends with a newline");
        serde_json::from_slice(&bytes).expect("valid JSON")
    }

    #[test]
    fn top_level_keys_come_in_contract_order() {
        let bytes = render(&fixture::outcome(3));
        let text = std::str::from_utf8(&bytes).unwrap();
        let at = |key: &str| {
            text.find(&format!("\n  \"{key}\": "))
                .unwrap_or_else(|| panic!("no top-level {key}"))
        };
        let order = [
            "version",
            "scenario",
            "events",
            "departments",
            "handoffs",
            "orders",
        ]
        .map(at);
        assert!(order.is_sorted(), "top-level keys out of order: {order:?}");
        let v = parsed(&fixture::outcome(3));
        assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["events"], 123_456);
    }

    #[test]
    fn scenario_is_described() {
        let v = parsed(&fixture::outcome(3));
        assert_eq!(
            v["scenario"],
            json!({
                "name": "Two desks",
                "description": "Sales hands orders to billing.",
                "seed": 42,
                "replications": 3,
                "duration_h": 672.0,
                "warmup_h": 48.0,
                "departments": [{"name": "sales", "staff": 2}, {"name": "billing", "staff": 1}],
            })
        );
    }

    #[test]
    fn every_statistic_is_a_mean_and_a_half_width() {
        let outcome = fixture::outcome(3);
        let v = parsed(&outcome);
        let sales = &outcome.summary.departments[0];
        assert_eq!(
            v["departments"][0],
            json!({
                "name": "sales",
                "utilization": {"mean": sales.utilization.mean, "ci95": sales.utilization.ci95},
                "mean_wait_h": {"mean": sales.mean_wait_h.mean, "ci95": sales.mean_wait_h.ci95},
                "mean_queue": {"mean": sales.mean_queue.mean, "ci95": sales.mean_queue.ci95},
                "served": {"mean": sales.served.mean, "ci95": sales.served.ci95},
                "rework_h": {"mean": sales.rework_h.mean, "ci95": sales.rework_h.ci95},
            })
        );
        let h = &outcome.summary.handoffs[0];
        let handoff = &v["handoffs"][0];
        assert_eq!(handoff["from"], "sales");
        assert_eq!(handoff["to"], "billing");
        for (key, stat) in [
            ("passed", h.passed),
            ("lost", h.lost),
            ("errors", h.errors),
            ("caught", h.caught),
            ("escaped", h.escaped),
        ] {
            assert_eq!(
                handoff[key],
                json!({"mean": stat.mean, "ci95": stat.ci95}),
                "handoffs[0].{key}"
            );
        }
        let o = &outcome.summary.orders;
        for (key, stat) in [
            ("arrived", o.arrived),
            ("delivered", o.delivered),
            ("late", o.late),
            ("defects", o.defects),
            ("lost_chased", o.lost_chased),
            ("mean_lead_time_h", o.mean_lead_time_h),
            ("cancelled", o.cancelled),
            ("in_progress", o.in_progress),
            ("in_progress_at_warmup", o.in_progress_at_warmup),
        ] {
            assert_eq!(
                v["orders"][key],
                json!({"mean": stat.mean, "ci95": stat.ci95}),
                "orders.{key}"
            );
        }
    }

    #[test]
    fn customers_causes_and_paths_are_statistics_too() {
        let outcome = fixture::outcome(3);
        let v = parsed(&outcome);
        let stat = |s: Stat| json!({"mean": s.mean, "ci95": s.ci95});
        let c = &outcome.summary.customers;
        assert_eq!(
            v["customers"],
            json!({
                "arrived": stat(c.arrived),
                "active": stat(c.active),
                "lost": stat(c.lost),
                "prospects_deterred": stat(c.prospects_deterred),
                "problems": stat(c.problems),
                "complaints": stat(c.complaints),
                "recovered": stat(c.recovered),
                "silent_defections": stat(c.silent_defections),
                "complaints_resolved": stat(c.complaints_resolved),
                "complaints_unresolved": stat(c.complaints_unresolved),
                "complaints_open": stat(c.complaints_open),
            })
        );
        let r = &outcome.summary.revenue;
        assert_eq!(
            v["revenue"],
            json!({"earned": stat(r.earned), "lost": stat(r.lost), "staff_cost": stat(r.staff_cost)})
        );
        let causes: Vec<Value> = outcome
            .summary
            .lost_by_cause
            .iter()
            .map(|c| {
                json!({
                    "cause": c.cause,
                    "customers": stat(c.customers),
                    "prospects": stat(c.prospects),
                    "revenue": stat(c.revenue),
                })
            })
            .collect();
        assert_eq!(v["lost_by_cause"], Value::Array(causes));
        assert_eq!(
            v["lost_by_cause"][0]["cause"],
            "handoff:sales->billing:error"
        );
        let paths: Vec<Value> = outcome
            .summary
            .paths
            .iter()
            .map(
                |p| json!({"path": p.path, "problems": stat(p.problems), "stayed": stat(p.stayed)}),
            )
            .collect();
        assert_eq!(v["paths"], Value::Array(paths));
        assert_eq!(
            v["paths"][3],
            json!({"path": "resolved_quickly", "problems": {"mean": 1.0, "ci95": 0.5}, "stayed": {"mean": 1.0, "ci95": 0.5}})
        );
    }

    #[test]
    fn a_single_replication_has_null_half_widths() {
        let v = parsed(&fixture::outcome(1));
        assert_eq!(v["orders"]["late"], json!({"mean": 60.0, "ci95": null}));
        assert_eq!(v["scenario"]["replications"], 1);
    }

    #[test]
    fn non_finite_numbers_become_null() {
        let mut outcome = fixture::outcome(3);
        outcome.summary.departments[1].mean_wait_h = Stat {
            mean: f64::NAN,
            ci95: Some(f64::INFINITY),
        };
        outcome.summary.orders.mean_lead_time_h = Stat {
            mean: f64::NEG_INFINITY,
            ci95: None,
        };
        let v = parsed(&outcome);
        assert_eq!(
            v["departments"][1]["mean_wait_h"],
            json!({"mean": null, "ci95": null})
        );
        assert_eq!(
            v["orders"]["mean_lead_time_h"],
            json!({"mean": null, "ci95": null})
        );
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render(&fixture::outcome(3)), render(&fixture::outcome(3)));
    }
}
