//! Engine throughput, in events per second (see docs/performance.md).
//!
//! Scenarios: the plain chain (`benches/scenarios/plain-chain.toml`: 3
//! departments, no reorders), twenty departments, and the big
//! organisation (`benches/scenarios/big-organisation.toml`: 50 departments and
//! tens of thousands of pending reorders). For each, these benchmarks:
//!
//! - `engine`: `handoff::engine::run(&model, 0)`, one whole replication
//!   (set-up of the random streams included);
//! - `bare-model` (the plain chain only): the same model written by hand as
//!   a bare binary-heap loop (`engine/bare_chain.rs`), issue 12's reference; it
//!   is checked against the engine before measuring (`check_bare_model`);
//! - `event-list-floor`: not a model at all, the least a discrete-event
//!   simulation can do: a `std` binary heap ordered by (time, sequence number)
//!   kept at about the engine's length, one exponential draw from a ChaCha8
//!   stream per event and nothing else, for as many events as the engine
//!   handles (called `bare-loop` before the bare model existed).
//!
//! The engine is deterministic, so the event count is taken from one run before
//! measuring, and criterion reports `Throughput::Elements(events)`: events/s.
//!
//! `cargo bench --bench engine` measures (about a minute); `cargo test --benches`
//! runs each benchmark once, as a smoke test, and the bare model's check.

#[path = "engine/bare_chain.rs"]
mod bare_chain;

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use handoff::model::Model;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// The scenarios measured, with the event-list length the event-list floor keeps
/// (about the engine's: by Little's law, orders in service plus orders in a
/// delayed handoff, plus the next arrival).
/// The big organisation keeps its pending reorders (tens of thousands) on the list.
const SCENARIOS: &[(&str, usize)] = &[
    ("benches/scenarios/plain-chain", 64),
    ("scenarios/twenty-departments", 256),
    ("benches/scenarios/big-organisation", 50_000),
];

fn load(name: &str) -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("{name}.toml"));
    handoff::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn throughput(c: &mut Criterion) {
    for &(name, pending) in SCENARIOS {
        let model = load(name);
        let events = handoff::engine::run(&model, 0)
            .expect("a scenario that runs")
            .events;
        let short = name.rsplit('/').next().unwrap_or(name);
        let mut group = c.benchmark_group(short);
        group.throughput(Throughput::Elements(events));
        group.bench_function("engine", |b| {
            b.iter(|| {
                handoff::engine::run(black_box(&model), 0)
                    .expect("a scenario that runs")
                    .events
            })
        });
        if short == "plain-chain" {
            check_bare_model(&model);
            compare_cpu_time(&model);
            // Its own event count, a little different from the engine's (other draws).
            let bare_events = bare_chain::run(0).events;
            println!(
                "plain chain, replication 0: engine {events} events, bare model {bare_events}"
            );
            group.throughput(Throughput::Elements(bare_events));
            group.bench_function("bare-model", |b| b.iter(|| bare_chain::run(black_box(0))));
            group.throughput(Throughput::Elements(events));
        }
        group.bench_function("event-list-floor", |b| {
            b.iter(|| bare_loop(black_box(events), pending))
        });
        group.finish();
    }
}

/// An event in the bare loop: ordered like the engine's, earliest first, ties by sequence.
struct Entry {
    time: f64,
    seq: u64,
    token: u32,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Handles `events` events, keeping `pending` of them on the list: each event
/// handled schedules one more an exponential time later. Returns the final clock
/// and the sum of tokens handled, so nothing can be optimised away.
fn bare_loop(events: u64, pending: usize) -> (f64, u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut exp = move || -(1.0 - rng.random::<f64>()).ln();
    let mut heap = BinaryHeap::with_capacity(1024);
    let mut seq = 0;
    for token in 0..pending as u32 {
        heap.push(Entry {
            time: exp(),
            seq,
            token,
        });
        seq += 1;
    }
    let (mut now, mut tokens) = (0.0, 0u64);
    for _ in 0..events {
        let Some(e) = heap.pop() else { break };
        now = e.time;
        tokens += u64::from(e.token);
        heap.push(Entry {
            time: now + exp(),
            seq,
            token: e.token,
        });
        seq += 1;
    }
    (now, tokens)
}

/// Replications compared in [`check_bare_model`], unless the environment
/// variable `BARE_MODEL_CHECK` asks for more (fewer would make the test's
/// estimate of the spread too rough for its limit; for a closer look:
/// `BARE_MODEL_CHECK=200 cargo bench --bench engine -- --test plain-chain/engine`).
const CHECK_REPLICATIONS: u32 = 12;

/// Checks that the bare model simulates the plain chain as the engine does:
/// over [`CHECK_REPLICATIONS`] replications of each (by default), the mean events, orders,
/// deliveries, late deliveries and lost customers per replication differ by
/// less than four standard errors of the difference (the replications' own
/// spread, both sides), and the events by less than 3 %. Panics otherwise.
fn check_bare_model(model: &Model) {
    let replications = std::env::var("BARE_MODEL_CHECK")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n: &u32| n >= CHECK_REPLICATIONS)
        .unwrap_or(CHECK_REPLICATIONS);
    let engine: Vec<[f64; 5]> = (0..replications)
        .map(|r| {
            let run = handoff::engine::run(model, r).expect("the plain chain runs");
            let m = &run.metrics;
            [
                run.events as f64,
                m.orders.arrived,
                m.orders.delivered,
                m.orders.late,
                m.customers.lost,
            ]
        })
        .collect();
    let bare: Vec<[f64; 5]> = (0..u64::from(replications))
        .map(|seed| {
            let c = bare_chain::run(seed);
            [c.events, c.orders, c.delivered, c.late, c.customers_lost].map(|x| x as f64)
        })
        .collect();
    let n = f64::from(replications);
    let mean_var = |runs: &[[f64; 5]], i: usize| {
        let mean = runs.iter().map(|r| r[i]).sum::<f64>() / n;
        let var = runs.iter().map(|r| (r[i] - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var)
    };
    let names = ["events", "orders", "delivered", "late", "customers lost"];
    for (i, name) in names.iter().enumerate() {
        let ((e, ve), (b, vb)) = (mean_var(&engine, i), mean_var(&bare, i));
        let se = ((ve + vb) / n).sqrt();
        println!(
            "plain chain, {name} per replication ({replications} each): \
             engine {e:.1}, bare model {b:.1}, difference {:+.2} standard errors ({:+.2} %)",
            (b - e) / se,
            100.0 * (b - e) / e
        );
        assert!(
            (b - e).abs() <= 4.0 * se,
            "the bare model's {name} ({b:.1}) differ from the engine's ({e:.1}) \
             by more than 4 standard errors ({se:.1})"
        );
    }
    let (e, b) = (mean_var(&engine, 0).0, mean_var(&bare, 0).0);
    assert!(
        (b - e).abs() < 0.03 * e,
        "the bare model handles {b:.0} events per replication, the engine {e:.0}"
    );
}

/// With `BARE_MODEL_CPU=N` in the environment: runs replication 0 of the
/// plain chain N times on the engine and N times on the bare model, in eight
/// rounds that alternate which goes first, and prints the ratio of their CPU
/// times per replication (the thread's time on a processor, from Linux's
/// `/proc/thread-self/schedstat`). On a shared machine this is steadier than
/// criterion's wall-clock times, which count the time other jobs hold the
/// processor:
/// `BARE_MODEL_CPU=200 cargo bench --bench engine -- --test plain-chain/bare-model`.
fn compare_cpu_time(model: &Model) {
    let Some(n) = std::env::var("BARE_MODEL_CPU")
        .ok()
        .and_then(|n| n.parse::<u32>().ok())
    else {
        return;
    };
    // Nanoseconds this thread has run (the first field of schedstat).
    let cpu_ns = || -> Option<f64> {
        let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        stat.split_whitespace().next()?.parse().ok()
    };
    let Some(_) = cpu_ns() else {
        println!("BARE_MODEL_CPU: no /proc/thread-self/schedstat here");
        return;
    };
    let engine = || {
        for _ in 0..n {
            black_box(handoff::engine::run(black_box(model), 0).map(|r| r.events)).ok();
        }
    };
    let bare = || {
        for _ in 0..n {
            black_box(bare_chain::run(black_box(0)));
        }
    };
    let timed = |f: &dyn Fn()| {
        let start = cpu_ns().unwrap_or(0.0);
        f();
        (cpu_ns().unwrap_or(0.0) - start) / 1e6 / f64::from(n)
    };
    let mut ratios = Vec::new();
    for round in 0..8 {
        // Each goes first in every other round.
        let (e, b) = if round % 2 == 0 {
            let e = timed(&engine);
            (e, timed(&bare))
        } else {
            let b = timed(&bare);
            (timed(&engine), b)
        };
        ratios.push(e / b);
        println!(
            "plain chain, CPU time per replication: engine {e:.3} ms, bare model {b:.3} ms, ratio {:.3}",
            e / b
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "plain chain, engine / bare model CPU time over 8 rounds of {n}: {:.3} to {:.3}, median {:.3}",
        ratios[0],
        ratios[7],
        (ratios[3] + ratios[4]) / 2.0
    );
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
}

criterion_group! {
    name = benches;
    config = config();
    targets = throughput
}
criterion_main!(benches);
