//! Comparing scenarios fairly: paired replications with common random numbers.
//!
//! Every scenario runs replication `r` with the same seed, so wherever two
//! scenarios agree they draw the same arrivals, services and decisions (see
//! `engine::streams`; each customer's decisions and each order's transfers are
//! keyed to the customer and the order, `engine::decisions`). Differences are then taken replication by replication,
//! and their spread, not the spread of each scenario, sets the interval.

use serde::Serialize;

use super::{Outcome, Replications, try_in_order};
use crate::engine::{self, RunError, RunResult};
use crate::metrics::{Running, Stat};
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
/// Replication `r` of every model runs together, and the results are folded
/// into each model's summary and the paired differences in replication order,
/// so memory holds a few replications at a time, not every one.
///
/// # Panics
/// If `models` is empty or `replications` is 0.
pub fn compare(
    models: &[Model],
    seed: u64,
    replications: u32,
    streams: Streams,
) -> Result<Comparison, RunError> {
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
    // every model's named statistics (`None`: the model does not have it), and
    // the running values and differences.
    let mut metrics: Vec<String> = Vec::new();
    let mut positions: Vec<Vec<Option<usize>>> = Vec::new();
    let mut values: Vec<Vec<Running>> = Vec::new();
    let mut differences: Vec<Vec<Running>> = Vec::new();
    try_in_order(
        replications,
        |r| {
            models
                .iter()
                .map(|m| engine::run(m, r))
                .collect::<Result<Vec<RunResult>, RunError>>()
        },
        |_, runs| {
            let runs = runs?;
            let named: Vec<Vec<(String, f64)>> = runs.iter().map(|r| r.metrics.named()).collect();
            if metrics.is_empty() {
                metrics = compared_metrics(&named);
                positions = named
                    .iter()
                    .map(|n| {
                        metrics
                            .iter()
                            .map(|m| n.iter().position(|(k, _)| k == m))
                            .collect()
                    })
                    .collect();
                values = vec![vec![Running::default(); metrics.len()]; models.len()];
                differences = vec![vec![Running::default(); metrics.len()]; models.len() - 1];
            }
            // A metric's value in scenario `s`: `None` where the scenario does not
            // have it, 0 where absence is a real zero (customers lost to a cause
            // the scenario cannot produce).
            let value = |s: usize, k: usize| match positions[s][k] {
                Some(at) => Some(named[s][at].1),
                None if absent_is_zero(&metrics[k]) => Some(0.0),
                None => None,
            };
            for (s, vals) in values.iter_mut().enumerate() {
                for (k, v) in vals.iter_mut().enumerate() {
                    if let Some(x) = value(s, k) {
                        v.add(x);
                    }
                }
            }
            for (s, diffs) in differences.iter_mut().enumerate() {
                for (k, d) in diffs.iter_mut().enumerate() {
                    if let (Some(b), Some(a)) = (value(s + 1, k), value(0, k)) {
                        d.add(b - a);
                    }
                }
            }
            for (acc, run) in each.iter_mut().zip(&runs) {
                acc.add(run)
                    .expect("replications of one model share one shape");
            }
            Ok(())
        },
    )?;
    let outcomes: Vec<Outcome> = each
        .into_iter()
        .map(|r| r.finish().expect("at least one replication"))
        .collect();
    let absent = Stat {
        mean: f64::NAN,
        ci95: None,
    };
    let mut stats: Vec<Vec<Stat>> = values
        .iter()
        .enumerate()
        .map(|(s, vals)| {
            vals.iter()
                .enumerate()
                .map(|(k, v)| {
                    if positions[s][k].is_some() || absent_is_zero(&metrics[k]) {
                        v.stat()
                    } else {
                        absent
                    }
                })
                .collect()
        })
        .collect();
    let mut diff_stats: Vec<Vec<Stat>> = differences
        .iter()
        .enumerate()
        .map(|(s, diffs)| {
            diffs
                .iter()
                .enumerate()
                .map(|(k, d)| {
                    // Only in one of the two scenarios: no difference to take.
                    let has = |s: usize| positions[s][k].is_some() || absent_is_zero(&metrics[k]);
                    if has(s + 1) && has(0) {
                        d.stat()
                    } else {
                        absent
                    }
                })
                .collect()
        })
        .collect();
    // A department served only by a shared pool (no staff of its own) has no
    // utilisation of its own: its 0 % would read as idle. The pools' rows say
    // how busy the people serving it were.
    for (s, outcome) in outcomes.iter().enumerate() {
        for (k, metric) in metrics.iter().enumerate() {
            let pooled = metric
                .strip_prefix("departments.")
                .and_then(|rest| rest.strip_suffix(".utilization"))
                .is_some_and(|name| {
                    !outcome.summary.pools.is_empty()
                        && outcome
                            .scenario
                            .departments
                            .iter()
                            .any(|d| d.name == name && d.staff == 0)
                });
            if pooled {
                stats[s][k] = absent;
                // The differences from the first scenario it enters.
                for (d, diffs) in diff_stats.iter_mut().enumerate() {
                    if s == 0 || s == d + 1 {
                        diffs[k] = absent;
                    }
                }
            }
        }
    }
    keep_costly_causes(&mut metrics, &mut stats, &mut diff_stats);
    let mut list = Vec::new();
    for (outcome, diffs) in outcomes.iter().skip(1).zip(&diff_stats) {
        for (metric, stat) in metrics.iter().zip(diffs) {
            list.push(Difference {
                scenario: outcome.scenario.name.clone(),
                metric: metric.clone(),
                mean: stat.mean,
                ci95: stat.ci95,
                significant: stat.mean.is_finite() && stat.excludes_zero(),
            });
        }
    }
    Ok(Comparison {
        seed,
        replications,
        outcomes,
        metrics,
        stats,
        differences: list,
    })
}

/// Whether a scenario without this metric has it at zero: customers lost to a
/// cause it does not have (no such handoff, no rudeness) are really none, so
/// the row shows 0 there and the difference is taken against 0. Other metrics
/// (a department's utilisation, a handoff's errors) simply do not exist there.
pub fn absent_is_zero(metric: &str) -> bool {
    metric.starts_with("lost_by_cause.") && metric.ends_with(".customers")
}

/// Keep the rows of customers lost to a cause only for causes that cost a customer in
/// some scenario, worst first in the first scenario (then in any), as the report ranks them;
/// drop the final failure probabilities that are zero in every scenario.
fn keep_costly_causes(metrics: &mut Vec<String>, stats: &mut [Vec<Stat>], diffs: &mut [Vec<Stat>]) {
    let is_cause = |m: &str| m.starts_with("lost_by_cause.");
    let cost = |k: usize, s: usize| {
        let m = stats[s][k].mean;
        if m.is_finite() { m } else { 0.0 }
    };
    let mut causes: Vec<usize> = (0..metrics.len())
        .filter(|&k| is_cause(&metrics[k]) && (0..stats.len()).any(|s| cost(k, s) > 0.0))
        .collect();
    let worst_anywhere = |k: usize| (0..stats.len()).map(|s| cost(k, s)).fold(0.0, f64::max);
    causes.sort_by(|&a, &b| {
        cost(b, 0)
            .total_cmp(&cost(a, 0))
            .then(worst_anywhere(b).total_cmp(&worst_anywhere(a)))
            .then_with(|| metrics[a].cmp(&metrics[b]))
    });
    // A handoff's final failure probability (with learning) that is zero
    // everywhere is a failure the handoff never had: no row.
    // So is a staff cost of zero everywhere: the scenarios put no price on staff.
    let never_failed = |k: usize| {
        (metrics[k].ends_with(".error_final")
            || metrics[k].ends_with(".lose_final")
            || metrics[k] == "revenue.staff_cost")
            && (0..stats.len()).all(|s| cost(k, s) == 0.0)
    };
    let order: Vec<usize> = (0..metrics.len())
        .filter(|&k| !is_cause(&metrics[k]) && !never_failed(k))
        .chain(causes)
        .collect();
    let pick = |row: &[Stat]| order.iter().map(|&k| row[k]).collect::<Vec<Stat>>();
    for row in stats.iter_mut() {
        *row = pick(row);
    }
    for row in diffs.iter_mut() {
        *row = pick(row);
    }
    *metrics = order.iter().map(|&k| metrics[k].clone()).collect();
}

/// The key metrics, then customers lost and mean lead time of every flow (when a
/// scenario has several: one flow's are the totals), every department's utilisation and mean wait, every handoff's
/// lost work and errors (and, with learning, its final failure probabilities), what a
/// policy against abuse met, and the customers lost to every cause, from one replication
/// of each scenario (`named[s]`). A department, handoff or cause only some scenarios
/// have is kept: the others show nothing there (NaN, a dash in reports), and there is
/// no difference to take. Causes that cost nobody are dropped once all is run.
fn compared_metrics(named: &[Vec<(String, f64)>]) -> Vec<String> {
    let mut metrics: Vec<String> = KEY_METRICS.iter().map(|m| m.to_string()).collect();
    let mut add = |name: &str| {
        if !metrics.iter().any(|m| m == name) {
            metrics.push(name.to_owned());
        }
    };
    let flows_of = |run: &[(String, f64)]| -> Vec<String> {
        run.iter()
            .filter_map(|(name, _)| {
                name.strip_prefix("flows.")
                    .and_then(|f| f.strip_suffix(".customers_lost"))
                    .map(str::to_owned)
            })
            .collect()
    };
    if named.iter().any(|run| flows_of(run).len() > 1) {
        for run in named {
            for flow in flows_of(run) {
                add(&format!("flows.{flow}.customers_lost"));
                add(&format!("flows.{flow}.mean_lead_time_h"));
            }
        }
    }
    let wanted: [&dyn Fn(&str) -> bool; 7] = [
        // What the staff cost (a row only where some scenario prices its staff).
        &|n| n == "revenue.staff_cost",
        &|n| {
            n.starts_with("departments.")
                && (n.ends_with(".utilization") || n.ends_with(".mean_wait_h"))
        },
        // Shared pools: how busy the people serving pooled departments were.
        &|n| n.starts_with("pools.") && n.ends_with(".utilization"),
        &|n| n.starts_with("handoffs.") && (n.ends_with(".lost") || n.ends_with(".errors")),
        // With [learning]: what the handoffs' failure probabilities came to.
        &|n| {
            n.starts_with("handoffs.")
                && (n.ends_with(".lose_final") || n.ends_with(".error_final"))
        },
        &|n| n.starts_with("policy."),
        &|n| n.starts_with("lost_by_cause.") && n.ends_with(".customers"),
    ];
    for keep in wanted {
        for run in named {
            for (name, _) in run {
                if keep(name) {
                    add(name);
                }
            }
        }
    }
    metrics
}
