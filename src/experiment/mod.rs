//! Many runs of one scenario: replications in parallel, summarised.
//!
//! Replication `r` always uses the streams of replication `r`, and results are
//! collected in replication order, so the summary is the same whatever the
//! number of threads.

mod compare;
pub mod sensitivity;
pub mod shard;
pub mod sweep;

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{self, RunResult};
use crate::metrics::timeline::{self, Bucket, Grid};
use crate::metrics::{Metrics, Stat};
use crate::model::{Cause, Model};
pub use compare::{Comparison, Difference, KEY_METRICS, Streams, compare};

/// The replications of one scenario and their summary.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub scenario: ScenarioInfo,
    /// Events handled, summed over replications.
    pub events: u64,
    pub runs: Vec<RunResult>,
    pub summary: Metrics<Stat>,
    /// The counted period week by week, summarised (empty when the runs have no timeline).
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
}

/// A department's name and staff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffInfo {
    pub name: String,
    pub staff: u32,
}

/// Run `model.simulation.replications` replications and summarise them.
pub fn replicate(model: &Model) -> Outcome {
    replicate_with_progress(model, &|| {})
}

/// As [`replicate`], calling `done` as each replication finishes (from any thread).
pub fn replicate_with_progress(model: &Model, done: &(dyn Fn() + Sync)) -> Outcome {
    let n = model.simulation.replications.max(1);
    let runs: Vec<RunResult> = (0..n)
        .into_par_iter()
        .map(|r| {
            let run = engine::run(model, r);
            done();
            run
        })
        .collect();
    summarise(model, runs)
}

/// The outcome of runs already made: replications `0..runs.len()` of `model`, in order.
pub fn summarise(model: &Model, runs: Vec<RunResult>) -> Outcome {
    let n = runs.len() as u32;
    let events = runs.iter().map(|r| r.events).sum();
    let records: Vec<Metrics<f64>> = runs.iter().map(|r| r.metrics.clone()).collect();
    let mut summary = Metrics::summarise(&records);
    summary.rank_causes();
    let grid = Grid::new(model.simulation.warmup_h, model.simulation.duration_h);
    let weeks: Vec<&[timeline::WeekCounts]> = runs.iter().map(|r| &r.timeline[..]).collect();
    let cause_names: Vec<String> = Cause::all(model).iter().map(|c| c.name(model)).collect();
    let ranked: Vec<String> = summary
        .lost_by_cause
        .iter()
        .map(|c| c.cause.clone())
        .collect();
    let timeline = timeline::summarise(&grid, &weeks, &cause_names, &ranked);
    Outcome {
        scenario: ScenarioInfo {
            name: model.name.clone(),
            description: model.description.clone(),
            seed: model.simulation.seed,
            replications: n,
            duration_h: model.simulation.duration_h,
            warmup_h: model.simulation.warmup_h,
            departments: model
                .departments
                .iter()
                .map(|d| StaffInfo {
                    name: d.name.clone(),
                    staff: d.staff,
                })
                .collect(),
        },
        events,
        summary,
        timeline,
        runs,
    }
}
