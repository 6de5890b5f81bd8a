//! Every order is accounted for: in each replication of every ready scenario,
//! the orders in the chain when counting began plus those placed after it are
//! exactly those delivered, cancelled and still in the chain at the end:
//!
//! `in_progress_at_warmup + arrived = delivered + cancelled + in_progress`.
//!
//! Each term is counted by the engine where it happens (an order placed,
//! delivered, cancelled; the chain as it stands at the warm-up and at the end),
//! none derived from the others, so the identity is a check, and the trace of
//! the run, which records each of those events, must agree with every term.

use std::path::Path;

use handoff::engine::{self, Observer, TraceEvent, TraceKind};
use handoff::metrics::OrderMetrics;
use handoff::model::Model;
use handoff::scenario::{self, Override};
use rayon::prelude::*;

const REPLICATIONS: u32 = 3;

/// Every ready scenario and the benchmarks' ones, shortened (a year each takes
/// too long for a test) but long enough for losses, chases and cancellations;
/// the warm-up is kept shorter than the run so that orders cross it.
fn ready_scenarios() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = ["scenarios", "benches/scenarios"]
        .iter()
        .flat_map(|dir| {
            std::fs::read_dir(root.join(dir))
                .unwrap_or_else(|e| panic!("{dir}/: {e}"))
                .map(|e| e.expect("readable directory").path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .map(|p| p.strip_prefix(root).unwrap().display().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    files.sort();
    assert!(files.len() >= 20, "only {} scenarios found", files.len());
    files
}

fn load(file: &str, sets: &[&str]) -> Model {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    scenario::load_with(&path, &overrides).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The orders' identity in one replication, exactly: the counts are whole
/// numbers far below 2^53, so their sums as `f64` are exact.
fn assert_accounted(what: &str, o: &OrderMetrics<f64>) {
    assert_eq!(
        o.in_progress_at_warmup + o.arrived,
        o.delivered + o.cancelled + o.in_progress,
        "{what}: in progress at the warm-up {} + arrived {} ≠ delivered {} + cancelled {} + in progress {}",
        o.in_progress_at_warmup,
        o.arrived,
        o.delivered,
        o.cancelled,
        o.in_progress,
    );
}

/// The orders' life events in a trace, split at the warm-up.
#[derive(Default)]
struct OrderEvents {
    warmup: f64,
    /// `[before the warm-up, after it]`.
    ordered: [u64; 2],
    delivered: [u64; 2],
    cancelled: [u64; 2],
}

impl Observer for OrderEvents {
    fn record(&mut self, e: &TraceEvent) {
        let after = usize::from(e.time >= self.warmup);
        match e.kind {
            TraceKind::Ordered => self.ordered[after] += 1,
            TraceKind::Delivered => self.delivered[after] += 1,
            TraceKind::Cancelled => self.cancelled[after] += 1,
            _ => {}
        }
    }
}

/// What the trace says the order counts are.
fn counts_from_trace(model: &Model, replication: u32) -> (OrderMetrics<f64>, OrderMetrics<f64>) {
    let mut seen = OrderEvents {
        warmup: model.simulation.warmup_h,
        ..OrderEvents::default()
    };
    let result = engine::run_observed(model, replication, &mut seen).expect("the scenario runs");
    let ended = |i: usize| seen.delivered[i] + seen.cancelled[i];
    let at_warmup = seen.ordered[0] - ended(0);
    let traced = OrderMetrics {
        arrived: seen.ordered[1] as f64,
        delivered: seen.delivered[1] as f64,
        cancelled: seen.cancelled[1] as f64,
        in_progress_at_warmup: at_warmup as f64,
        in_progress: (at_warmup + seen.ordered[1] - ended(1)) as f64,
        ..OrderMetrics::default()
    };
    (traced, result.metrics.orders)
}

#[test]
fn every_order_of_every_ready_scenario_is_accounted_for() {
    // The same runs with a warm-up (orders cross it) and without one.
    let runs: Vec<(String, Vec<&str>)> = ready_scenarios()
        .into_iter()
        .flat_map(|f| {
            let warm = vec!["simulation.duration=120d", "simulation.warmup=30d"];
            let cold = vec!["simulation.duration=60d", "simulation.warmup=0d"];
            [(f.clone(), warm), (f, cold)]
        })
        .collect();
    let results: Vec<(String, OrderMetrics<f64>)> = runs
        .par_iter()
        .flat_map(|(file, sets)| {
            let model = load(file, sets);
            (0..REPLICATIONS)
                .into_par_iter()
                .map(move |r| {
                    let what = format!("{file} {sets:?} replication {r}");
                    let run = engine::run(&model, r).unwrap_or_else(|e| panic!("{what}: {e}"));
                    (what, run.metrics.orders)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for (what, o) in &results {
        assert_accounted(what, o);
    }
    // The identity must have had something to balance: orders crossing the
    // warm-up, orders cancelled, orders left at the end.
    let some = |pick: fn(&OrderMetrics<f64>) -> f64| results.iter().any(|(_, o)| pick(o) > 0.0);
    assert!(
        some(|o| o.in_progress_at_warmup),
        "no order crossed a warm-up"
    );
    assert!(some(|o| o.cancelled), "no order was ever cancelled");
    assert!(some(|o| o.in_progress), "no order was left at the end");
    for (what, o) in results.iter().filter(|(w, _)| w.contains("warmup=0d")) {
        assert_eq!(
            o.in_progress_at_warmup, 0.0,
            "{what}: nothing before the start"
        );
    }
}

#[test]
fn the_order_counts_agree_with_the_trace() {
    let files = ready_scenarios();
    files.par_iter().for_each(|file| {
        let model = load(file, &["simulation.duration=120d", "simulation.warmup=30d"]);
        let (traced, counted) = counts_from_trace(&model, 0);
        for (name, t, c) in [
            ("arrived", traced.arrived, counted.arrived),
            ("delivered", traced.delivered, counted.delivered),
            ("cancelled", traced.cancelled, counted.cancelled),
            (
                "in_progress_at_warmup",
                traced.in_progress_at_warmup,
                counted.in_progress_at_warmup,
            ),
            ("in_progress", traced.in_progress, counted.in_progress),
        ] {
            assert_eq!(t, c, "{file}: orders.{name}: traced {t}, counted {c}");
        }
    });
}
