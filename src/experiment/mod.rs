//! Many runs of one scenario: replications in parallel, summarised.
//!
//! Replication `r` always uses the streams of replication `r`, and results are
//! summarised in replication order as they finish ([`in_order`]), so the
//! summary is the same whatever the number of threads, and memory holds a few
//! replications' results at a time however many there are.

mod compare;
pub mod sensitivity;
pub mod shard;
pub mod sweep;

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{self, RunError, RunResult, Unobserved};
use crate::metrics::timeline::{self, Bucket, Grid};
use crate::metrics::{Metrics, Stat, Summariser};
use crate::model::{Cause, Model};
pub use compare::{Comparison, Difference, KEY_METRICS, Streams, compare};

/// The most replications a run, comparison, sweep point or sensitivity variant
/// may have (docs/scenario.md): far more than any interval needs.
pub const MAX_REPLICATIONS: u32 = 1_000_000;

/// The longest a replication may simulate, in hours: 100 years (docs/scenario.md).
pub const MAX_DURATION_H: f64 = 100.0 * 365.0 * 24.0;

/// The replications of one scenario and their summary.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub scenario: ScenarioInfo,
    /// Events handled, summed over replications.
    pub events: u64,
    pub summary: Metrics<Stat>,
    /// The counted period week by week, summarised (empty when a run had no timeline).
    pub timeline: Vec<Bucket<Stat>>,
}

/// Which scenario was run, and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub replications: u32,
    pub duration_h: f64,
    pub warmup_h: f64,
    /// Each department and its staff, in the scenario's order (for drawing the chain).
    pub departments: Vec<StaffInfo>,
    /// Each handoff's failure odds as the scenario sets them, before morale or
    /// learning move them (the page sets them beside the final odds). Not in
    /// the JSON report: the scenario file says them already.
    #[serde(skip)]
    pub handoff_odds: Vec<HandoffOdds>,
    /// Whether customers reorder (the counted base then grows through the
    /// run, and so do the weekly losses; the page says so only then). Not in
    /// the JSON report: the scenario file says it already.
    #[serde(skip)]
    pub reorders: bool,
}

/// A handoff's odds of losing work and of passing an error, as set in the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct HandoffOdds {
    pub from: String,
    pub to: String,
    pub lose: f64,
    pub error: f64,
}

/// A department's name and staff, its opening hours and the pools that
/// help it, where the scenario gives them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffInfo {
    pub name: String,
    pub staff: u32,
    /// When it is open, repeating every week (empty: always open).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hours: Vec<OpenWindow>,
    /// The staff pools that serve its queue, by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<String>,
}

/// One weekly open window, in hours since Monday 00:00 (`from_h` < `to_h` ≤ 168).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OpenWindow {
    pub from_h: f64,
    pub to_h: f64,
}

impl StaffInfo {
    /// Department `d` of `model` as the report describes it.
    fn of(model: &Model, d: usize) -> StaffInfo {
        let spec = &model.departments[d];
        StaffInfo {
            name: spec.name.clone(),
            staff: spec.staff,
            hours: spec.hours.as_ref().map_or_else(Vec::new, |h| {
                h.windows
                    .iter()
                    .map(|&(from, to)| OpenWindow {
                        from_h: f64::from(from) / 60.0,
                        to_h: f64::from(to) / 60.0,
                    })
                    .collect()
            }),
            pools: model
                .pools
                .iter()
                .filter(|p| p.serves.contains(&d))
                .map(|p| p.name.clone())
                .collect(),
        }
    }
}

/// Compute `work(r)` for `r` in `0..n` in parallel and hand each result to
/// `consume` in the order of `r`. Work goes in batches of a few per thread,
/// so at most one batch of results is held at once, whatever `n`.
pub fn in_order<T: Send>(n: u32, work: impl Fn(u32) -> T + Sync, mut consume: impl FnMut(u32, T)) {
    let never: Result<(), std::convert::Infallible> = try_in_order(n, work, |r, t| {
        consume(r, t);
        Ok(())
    });
    let Ok(()) = never;
}

/// As [`in_order`], stopping (after the batch under way) at the first error of `consume`.
pub fn try_in_order<T: Send, E>(
    n: u32,
    work: impl Fn(u32) -> T + Sync,
    mut consume: impl FnMut(u32, T) -> Result<(), E>,
) -> Result<(), E> {
    let batch = (rayon::current_num_threads() as u32)
        .saturating_mul(4)
        .max(16);
    let mut start = 0;
    while start < n {
        let end = start.saturating_add(batch).min(n);
        let results: Vec<T> = (start..end).into_par_iter().map(&work).collect();
        for (r, result) in (start..end).zip(results) {
            consume(r, result)?;
        }
        start = end;
    }
    Ok(())
}

/// Replications of one model summarised as they are added, in replication order.
#[derive(Debug, Clone)]
pub struct Replications<'a> {
    model: &'a Model,
    events: u64,
    count: u32,
    summariser: Summariser,
    timeline: timeline::Summariser,
}

impl<'a> Replications<'a> {
    pub fn new(model: &'a Model) -> Self {
        Replications {
            model,
            events: 0,
            count: 0,
            summariser: Summariser::default(),
            timeline: timeline::Summariser::new(Grid::new(
                model.simulation.warmup_h,
                model.simulation.duration_h,
            )),
        }
    }

    /// Add the next replication; `Err` says how its metrics differ in shape from the first's.
    pub fn add(&mut self, run: &RunResult) -> Result<(), String> {
        self.summariser.add(&run.metrics)?;
        self.timeline.add(&run.timeline);
        self.events = self.events.saturating_add(run.events);
        self.count += 1;
        Ok(())
    }

    /// The outcome of the replications added; `None` if none was.
    pub fn finish(self) -> Option<Outcome> {
        let mut summary = self.summariser.finish()?;
        summary.rank_causes();
        let model = self.model;
        let cause_names: Vec<String> = Cause::all(model).iter().map(|c| c.name(model)).collect();
        let ranked: Vec<String> = summary
            .lost_by_cause
            .iter()
            .map(|c| c.cause.clone())
            .collect();
        let departments: Vec<String> = model.departments.iter().map(|d| d.name.clone()).collect();
        let handoffs: Vec<String> = (0..model.handoffs.len())
            .map(|id| model.handoff_name(id))
            .collect();
        let timeline = self
            .timeline
            .finish(&cause_names, &ranked, &departments, &handoffs);
        Some(Outcome {
            scenario: ScenarioInfo {
                name: model.name.clone(),
                description: model.description.clone(),
                seed: model.simulation.seed,
                replications: self.count,
                duration_h: model.simulation.duration_h,
                warmup_h: model.simulation.warmup_h,
                departments: (0..model.departments.len())
                    .map(|d| StaffInfo::of(model, d))
                    .collect(),
                handoff_odds: (0..model.handoffs.len())
                    .map(|id| {
                        let h = &model.handoffs[id];
                        HandoffOdds {
                            from: model.departments[h.from].name.clone(),
                            to: model.target_name(h.to).to_owned(),
                            lose: h.lose,
                            error: h.error,
                        }
                    })
                    .collect(),
                reorders: model.customers.reorder.is_some(),
            },
            events: self.events,
            summary,
            timeline,
        })
    }
}

/// Run `model.simulation.replications` replications and summarise them; the
/// error of the first replication (in replication order, whatever the number
/// of threads) that runs away (see [`engine::run`]).
pub fn replicate(model: &Model) -> Result<Outcome, RunError> {
    replicate_with_progress(model, &|_| {})
}

/// As [`replicate`], calling `advanced(minutes)` as the replications' clocks
/// move (from any thread): the calls add up to the replications times the
/// whole minutes of `duration`.
pub fn replicate_with_progress(
    model: &Model,
    advanced: &(dyn Fn(u64) + Sync),
) -> Result<Outcome, RunError> {
    let n = model.simulation.replications.max(1);
    let mut replications = Replications::new(model);
    try_in_order(
        n,
        |r| engine::run_with_progress(model, r, &mut Unobserved, advanced),
        |_, run| {
            replications
                .add(&run?)
                .expect("replications of one model share one shape");
            Ok(())
        },
    )?;
    Ok(replications.finish().expect("at least one replication"))
}

/// The statistics' names of `model`'s metrics, in [`Metrics::named`] order: the
/// shape every replication of it has (from a run of no length).
pub fn shape(model: &Model) -> Vec<String> {
    empty_run(model)
        .map(|run| run.metrics.named().into_iter().map(|(k, _)| k).collect())
        .unwrap_or_default()
}

/// A run of `model` of no length: the shape of its metrics and of its
/// timeline's buckets, with nothing counted.
pub(crate) fn empty_run(model: &Model) -> Option<RunResult> {
    let mut empty = model.clone();
    empty.simulation.duration_h = 0.0;
    empty.simulation.warmup_h = 0.0;
    // A run of no length has no events, so it cannot run away.
    engine::run(&empty, 0).ok()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A result that counts how many of its kind are alive.
    struct Counted<'a>(u32, &'a AtomicUsize);

    impl Drop for Counted<'_> {
        fn drop(&mut self) {
            self.1.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn results_are_consumed_in_order_and_only_a_batch_is_held() {
        let live = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let mut seen = Vec::new();
        in_order(
            10_000,
            |r| {
                let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                Counted(r, &live)
            },
            |r, result| {
                assert_eq!(r, result.0);
                seen.push(r);
            },
        );
        assert_eq!(seen, (0..10_000).collect::<Vec<_>>());
        let batch = (rayon::current_num_threads() * 4).max(16);
        assert!(
            most.load(Ordering::SeqCst) <= batch,
            "{} results alive at once, batch {batch}",
            most.load(Ordering::SeqCst)
        );
    }

    #[test]
    fn consuming_stops_at_the_first_error() {
        let mut consumed = 0;
        let result = try_in_order(
            1_000,
            |r| r,
            |r, _| {
                consumed += 1;
                if r == 20 { Err(r) } else { Ok(()) }
            },
        );
        assert_eq!(result, Err(20));
        assert_eq!(consumed, 21);
    }
}
