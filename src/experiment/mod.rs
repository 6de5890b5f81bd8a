//! Many runs of one scenario: replications in parallel, summarised.
//!
//! Replication `r` always uses the streams of replication `r`, and results are
//! collected in replication order, so the summary is the same whatever the
//! number of threads.

mod compare;
pub mod sensitivity;
pub mod shard;
pub mod sweep;

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{self, RunError, RunResult, Unobserved};
use crate::metrics::{Metrics, Stat};
use crate::model::Model;
pub use compare::{Comparison, Difference, KEY_METRICS, Streams, compare};

/// The replications of one scenario and their summary.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub scenario: ScenarioInfo,
    /// Events handled, summed over replications.
    pub events: u64,
    pub runs: Vec<RunResult>,
    pub summary: Metrics<Stat>,
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
}

/// Run `model.simulation.replications` replications and summarise them; the
/// error of the first replication that runs away (see [`engine::run`]).
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
    let reps: Vec<u32> = (0..n).collect();
    let runs = each_replication(&reps, |r| {
        engine::run_with_progress(model, r, &mut Unobserved, advanced)
    })?;
    Ok(summarise(model, runs))
}

/// `run(r)` for each of `replications` in parallel, results in the order given.
///
/// When some fail, the error is that of the first failing replication in that
/// order, whatever the number of threads: once replication `r` has failed, no
/// replication after `r` starts, but every one before it still runs.
pub fn each_replication<T: Send>(
    replications: &[u32],
    run: impl Fn(u32) -> Result<T, RunError> + Sync,
) -> Result<Vec<T>, RunError> {
    let first_failed = AtomicU32::new(u32::MAX);
    let results: Vec<Option<Result<T, RunError>>> = replications
        .par_iter()
        .enumerate()
        .map(|(i, &r)| {
            let i = i as u32;
            if i > first_failed.load(Ordering::SeqCst) {
                return None;
            }
            let result = run(r);
            if result.is_err() {
                first_failed.fetch_min(i, Ordering::SeqCst);
            }
            Some(result)
        })
        .collect();
    let mut out = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Some(Ok(x)) => out.push(x),
            Some(Err(e)) => return Err(e),
            // Skipped: a replication before it failed, and is met first.
            None => {}
        }
    }
    Ok(out)
}

/// The outcome of runs already made: replications `0..runs.len()` of `model`, in order.
pub fn summarise(model: &Model, runs: Vec<RunResult>) -> Outcome {
    let n = runs.len() as u32;
    let events = runs.iter().map(|r| r.events).sum();
    let records: Vec<Metrics<f64>> = runs.iter().map(|r| r.metrics.clone()).collect();
    let mut summary = Metrics::summarise(&records);
    summary.rank_causes();
    Outcome {
        scenario: ScenarioInfo {
            name: model.name.clone(),
            description: model.description.clone(),
            seed: model.simulation.seed,
            replications: n,
            duration_h: model.simulation.duration_h,
            warmup_h: model.simulation.warmup_h,
        },
        events,
        summary,
        runs,
    }
}
