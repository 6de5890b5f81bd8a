//! Comparing scenarios fairly: paired replications with common random numbers.
//!
//! Every scenario runs replication `r` with the same seed, so wherever two
//! scenarios agree they draw the same arrivals, services and decisions (see
//! `engine::streams`; each customer's decisions and each order's transfers are
//! keyed to the customer and the order, `engine::decisions`). Differences are then taken replication by replication,
//! and their spread, not the spread of each scenario, sets the interval.

use serde::Serialize;

use super::{Outcome, Replications, in_order};
use crate::engine::{self, RunResult};
use crate::metrics::Running;
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
/// Replication `r` of every model runs together, and the results are folded
/// into each model's summary and the paired differences in replication order,
/// so memory holds a few replications at a time, not every one.
///
/// # Panics
/// If `models` is empty or `replications` is 0.
pub fn compare(models: &[Model], seed: u64, replications: u32, streams: Streams) -> Comparison {
    assert!(!models.is_empty() && replications > 0);
    let models: Vec<Model> = models
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
            m
        })
        .collect();
    let mut each: Vec<Replications> = models.iter().map(Replications::new).collect();
    // Known from the first replication: the metrics compared, where each sits in
    // every model's named statistics, and their running differences.
    let mut metrics: Vec<String> = Vec::new();
    let mut positions: Vec<Vec<usize>> = Vec::new();
    let mut differences: Vec<Vec<Running>> = Vec::new();
    in_order(
        replications,
        |r| {
            models
                .iter()
                .map(|m| engine::run(m, r))
                .collect::<Vec<RunResult>>()
        },
        |_, runs| {
            let named: Vec<Vec<(String, f64)>> = runs.iter().map(|r| r.metrics.named()).collect();
            if metrics.is_empty() {
                metrics = compared_metrics(&named);
                positions = named
                    .iter()
                    .map(|n| {
                        metrics
                            .iter()
                            .map(|m| {
                                n.iter()
                                    .position(|(k, _)| k == m)
                                    .expect("compared metrics exist in every run")
                            })
                            .collect()
                    })
                    .collect();
                differences = vec![vec![Running::default(); metrics.len()]; models.len() - 1];
            }
            for (s, diffs) in differences.iter_mut().enumerate() {
                let (b, a) = (&named[s + 1], &named[0]);
                for (k, d) in diffs.iter_mut().enumerate() {
                    d.add(b[positions[s + 1][k]].1 - a[positions[0][k]].1);
                }
            }
            for (acc, run) in each.iter_mut().zip(&runs) {
                acc.add(run)
                    .expect("replications of one model share one shape");
            }
        },
    );
    let outcomes: Vec<Outcome> = each
        .into_iter()
        .map(|r| r.finish().expect("at least one replication"))
        .collect();
    let mut list = Vec::new();
    for (outcome, diffs) in outcomes.iter().skip(1).zip(&differences) {
        for (metric, d) in metrics.iter().zip(diffs) {
            let stat = d.stat();
            list.push(Difference {
                scenario: outcome.scenario.name.clone(),
                metric: metric.clone(),
                mean: stat.mean,
                ci95: stat.ci95,
                significant: stat.excludes_zero(),
            });
        }
    }
    Comparison {
        seed,
        replications,
        outcomes,
        metrics,
        differences: list,
    }
}

/// The key metrics, then customers lost and mean lead time of every flow all
/// scenarios share (when there are several: one flow's are the totals), then
/// utilisation and mean wait of every department all scenarios share (from one
/// replication of each: `named[s]`).
fn compared_metrics(named: &[Vec<(String, f64)>]) -> Vec<String> {
    let mut metrics: Vec<String> = KEY_METRICS.iter().map(|m| m.to_string()).collect();
    let has = |n: &[(String, f64)], k: &str| n.iter().any(|(x, _)| x == k);
    let flows: Vec<&str> = named[0]
        .iter()
        .filter_map(|(name, _)| {
            name.strip_prefix("flows.")
                .and_then(|f| f.strip_suffix(".customers_lost"))
        })
        .collect();
    if flows.len() > 1 {
        for flow in flows {
            let lost = format!("flows.{flow}.customers_lost");
            let lead = format!("flows.{flow}.mean_lead_time_h");
            if named.iter().all(|n| has(n, &lost) && has(n, &lead)) {
                metrics.push(lost);
                metrics.push(lead);
            }
        }
    }
    for (name, _) in &named[0] {
        let Some(department) = name
            .strip_prefix("departments.")
            .and_then(|d| d.strip_suffix(".utilization"))
        else {
            continue;
        };
        let utilization = format!("departments.{department}.utilization");
        let wait = format!("departments.{department}.mean_wait_h");
        if named.iter().all(|n| has(n, &utilization) && has(n, &wait)) {
            metrics.push(utilization);
            metrics.push(wait);
        }
    }
    metrics
}
