//! Comparing scenarios fairly: paired replications with common random numbers.
//!
//! Every scenario runs replication `r` with the same seed, so wherever two
//! scenarios agree they draw the same arrivals, services and decisions (see
//! `engine::streams`). Differences are then taken replication by replication,
//! and their spread, not the spread of each scenario, sets the interval.

use serde::Serialize;

use super::{Outcome, replicate};
use crate::metrics::Stat;
use crate::model::Model;

/// The metrics a comparison reports for every scenario, besides each shared department's
/// utilisation and mean wait.
pub const KEY_METRICS: &[&str] = &[
    "customers.lost",
    "customers.prospects_deterred",
    "customers.silent_defections",
    "customers.complaints",
    "revenue.earned",
    "revenue.lost",
    "orders.delivered",
    "orders.late",
    "orders.defects",
    "orders.lost_chased",
    "orders.mean_lead_time_h",
];

/// How the scenarios' random numbers relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streams {
    /// The same seed for every scenario: differences come from the scenarios only.
    Common,
    /// A different seed per scenario: for showing what common numbers buy.
    Independent,
}

/// The outcome of every scenario, and each one's paired differences from the first.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub seed: u64,
    pub replications: u32,
    pub outcomes: Vec<Outcome>,
    /// The metrics compared, in report order.
    pub metrics: Vec<String>,
    /// `stats[i][k]`: metric `k` of scenario `i` over its replications; a mean of NaN
    /// where the scenario does not have it.
    pub stats: Vec<Vec<Stat>>,
    /// Differences of scenarios 2, 3, … from the first, per metric.
    pub differences: Vec<Difference>,
}

/// `scenario − first scenario` for one metric, over paired replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub scenario: String,
    pub metric: String,
    pub mean: f64,
    pub ci95: Option<f64>,
    /// The 95 % interval excludes zero.
    pub significant: bool,
}

/// Run every model with `seed` and `replications` and compare each with the first.
///
/// # Panics
/// If `models` is empty or `replications` is 0.
pub fn compare(models: &[Model], seed: u64, replications: u32, streams: Streams) -> Comparison {
    assert!(!models.is_empty() && replications > 0);
    let outcomes: Vec<Outcome> = models
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut m = m.clone();
            m.simulation.seed = match streams {
                Streams::Common => seed,
                // A large odd step keeps the seeds apart and distinct.
                Streams::Independent => {
                    seed.wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
                }
            };
            m.simulation.replications = replications;
            replicate(&m)
        })
        .collect();
    let metrics = compared_metrics(&outcomes);
    let columns: Vec<Vec<Vec<f64>>> = outcomes.iter().map(|o| per_run(o, &metrics)).collect();
    let stats = columns
        .iter()
        .map(|cols| {
            cols.iter()
                .map(|values| {
                    if values.iter().any(|v| v.is_nan()) {
                        Stat {
                            mean: f64::NAN,
                            ci95: None,
                        }
                    } else {
                        Stat::from_values(values)
                    }
                })
                .collect()
        })
        .collect();
    let mut differences = Vec::new();
    for (outcome, cols) in outcomes.iter().zip(&columns).skip(1) {
        for (k, metric) in metrics.iter().enumerate() {
            let diffs: Vec<f64> = cols[k]
                .iter()
                .zip(&columns[0][k])
                .map(|(b, a)| b - a)
                .collect();
            // Only in one of the two scenarios: no difference to take.
            let stat = if diffs.iter().any(|d| d.is_nan()) {
                Stat {
                    mean: f64::NAN,
                    ci95: None,
                }
            } else {
                Stat::from_values(&diffs)
            };
            differences.push(Difference {
                scenario: outcome.scenario.name.clone(),
                metric: metric.clone(),
                mean: stat.mean,
                ci95: stat.ci95,
                significant: stat.mean.is_finite() && stat.excludes_zero(),
            });
        }
    }
    Comparison {
        seed,
        replications,
        outcomes,
        metrics,
        stats,
        differences,
    }
}

/// The key metrics, then every department's utilisation and mean wait, every handoff's
/// lost work and errors, and the customers lost to every cause that cost one in any
/// scenario. A department, handoff or cause only some scenarios have is kept: the others
/// show nothing there (NaN, a dash in reports), and there is no difference to take.
fn compared_metrics(outcomes: &[Outcome]) -> Vec<String> {
    let mut metrics: Vec<String> = KEY_METRICS.iter().map(|m| m.to_string()).collect();
    let mut add = |name: String| {
        if !metrics.contains(&name) {
            metrics.push(name);
        }
    };
    for o in outcomes {
        for d in &o.summary.departments {
            add(format!("departments.{}.utilization", d.name));
            add(format!("departments.{}.mean_wait_h", d.name));
        }
    }
    for o in outcomes {
        for h in &o.summary.handoffs {
            add(format!("handoffs.{}->{}.lost", h.from, h.to));
            add(format!("handoffs.{}->{}.errors", h.from, h.to));
        }
    }
    // Causes in the first scenario's ranking (worst first), then the others'.
    for o in outcomes {
        for c in &o.summary.lost_by_cause {
            if c.customers.mean > 0.0 {
                add(format!("lost_by_cause.{}.customers", c.cause));
            }
        }
    }
    metrics
}

/// `result[k][r]`: metric `k` in replication `r`.
fn per_run(outcome: &Outcome, metrics: &[String]) -> Vec<Vec<f64>> {
    let named: Vec<Vec<(String, f64)>> = outcome.runs.iter().map(|r| r.metrics.named()).collect();
    metrics
        .iter()
        .map(|m| {
            named
                .iter()
                .map(|run| {
                    // Absent from this scenario (a department it does not have): NaN.
                    run.iter()
                        .find(|(k, _)| k == m)
                        .map_or(f64::NAN, |(_, v)| *v)
                })
                .collect()
        })
        .collect()
}
