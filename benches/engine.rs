//! Engine throughput, in events per second (see docs/performance.md).
//!
//! Scenarios: the plain chain (`benches/scenarios/plain-chain.toml`: 3
//! departments, no reorders), twenty departments, and the big
//! organisation (`benches/scenarios/big-organisation.toml`: 50 departments and
//! tens of thousands of pending reorders). For each, two benchmarks handle the
//! same number of events:
//!
//! - `engine`: `handoff::engine::run(&model, 0)`, one whole replication
//!   (set-up of the random streams included);
//! - `bare-loop`: the least a discrete-event simulation can do, for reference: a
//!   `std` binary heap ordered by (time, sequence number), one exponential draw
//!   from a ChaCha8 stream per event and nothing else.
//!
//! The engine is deterministic, so the event count is taken from one run before
//! measuring, and criterion reports `Throughput::Elements(events)`: events/s.
//!
//! `cargo bench --bench engine` measures (about a minute); `cargo test --benches`
//! runs each benchmark once, as a smoke test.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use handoff::model::Model;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// The scenarios measured, with the event-list length the bare loop keeps
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
        group.bench_function("bare-loop", |b| {
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
