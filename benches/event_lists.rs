//! Event lists compared on the hold model (docs/performance.md, "Choosing the event list").
//!
//! Each benchmark keeps `pending` events on a list and, `OPERATIONS` times,
//! pops the earliest and schedules one more a random time later: the classic
//! hold model, with the shapes of the engine's workloads:
//!
//! - `short-64`, `short-256`: the baseline and twenty-department chains, whose
//!   lists hold tens to hundreds of events all due within hours (service ends,
//!   handoff delays): exponential increments, mean 1 h;
//! - `reorders-50000`: the big organisation, whose list holds tens of
//!   thousands of reorders due weeks ahead among the hourly service ends: 9 %
//!   of increments (one event in eleven schedules a reorder) exponential with
//!   mean 20 days, the rest with mean 1 h.
//!
//! Lists, all on the engine's key (time bits above the sequence number):
//! `binary-heap` (`std`'s: the engine's former list), `radix-heap` (a binary
//! radix heap, the engine's list for long lists before the timing wheel),
//! `engine` (the engine's `EventQueue`: up to 4 096 events a 4-ary heap for
//! those due soon and a bag for the later ones, a two-level timing wheel beyond), `two-tier` (a binary heap for the next day, a radix
//! heap beyond; tried and measured slower in the engine), and `calendar` (Brown 1988: a year of day-buckets sized
//! to the events' spacing, resized as the list doubles or halves).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use handoff::engine::queue::{EventQueue, RadixHeap};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

const OPERATIONS: u64 = 1_000_000;

/// (name, events pending, share of long increments)
const WORKLOADS: &[(&str, usize, f64)] = &[
    ("short-64", 64, 0.0),
    ("short-256", 256, 0.0),
    ("reorders-50000", 50_000, 0.09),
];

/// The operations every list offers the hold model.
trait List {
    fn schedule(&mut self, time: f64, token: u32);
    fn pop(&mut self) -> Option<(f64, u32)>;
}

fn key(time: f64, seq: u64) -> u128 {
    (u128::from(time.to_bits()) << 64) | u128::from(seq)
}

fn time_of(key: u128) -> f64 {
    f64::from_bits((key >> 64) as u64)
}

#[derive(Default)]
struct Binary {
    heap: BinaryHeap<Reverse<(u128, u32)>>,
    seq: u64,
}

impl List for Binary {
    fn schedule(&mut self, time: f64, token: u32) {
        self.heap.push(Reverse((key(time, self.seq), token)));
        self.seq += 1;
    }
    fn pop(&mut self) -> Option<(f64, u32)> {
        self.heap.pop().map(|Reverse((k, t))| (time_of(k), t))
    }
}

/// Events due within a day of the earliest far one in a binary heap, the rest
/// in a radix heap; when the near heap runs dry, the cutoff moves a day past
/// the earliest far event and the far events before it move over. Near keys
/// are below the cutoff and far keys at or above it, so the order is exact.
struct TwoTier {
    near: BinaryHeap<Reverse<(u128, u32)>>,
    far: RadixHeap<u32>,
    cutoff: f64,
    seq: u64,
}

impl TwoTier {
    const WINDOW: f64 = 24.0;

    fn new() -> Self {
        Self {
            near: BinaryHeap::new(),
            far: RadixHeap::new(),
            cutoff: Self::WINDOW,
            seq: 0,
        }
    }
}

impl List for TwoTier {
    fn schedule(&mut self, time: f64, token: u32) {
        let k = key(time, self.seq);
        self.seq += 1;
        if time < self.cutoff {
            self.near.push(Reverse((k, token)));
        } else {
            self.far.push(k, token);
        }
    }
    fn pop(&mut self) -> Option<(f64, u32)> {
        if self.near.is_empty() {
            let first = self.far.peek()?;
            self.cutoff = time_of(first) + Self::WINDOW;
            let cutoff_key = u128::from(self.cutoff.to_bits()) << 64;
            while self.far.peek().is_some_and(|k| k < cutoff_key) {
                let entry = self.far.pop().expect("peeked");
                self.near.push(Reverse(entry));
            }
        }
        self.near.pop().map(|Reverse((k, t))| (time_of(k), t))
    }
}

/// The radix heap alone (the engine's list for long lists).
struct Radix {
    heap: RadixHeap<u32>,
    seq: u64,
}

impl Default for Radix {
    fn default() -> Self {
        Self {
            heap: RadixHeap::new(),
            seq: 0,
        }
    }
}

impl List for Radix {
    fn schedule(&mut self, time: f64, token: u32) {
        self.heap.push(key(time, self.seq), token);
        self.seq += 1;
    }
    fn pop(&mut self) -> Option<(f64, u32)> {
        self.heap.pop().map(|(k, t)| (time_of(k), t))
    }
}

/// The engine's list: a 4-ary heap while short, a radix heap while long.
impl List for EventQueue<u32> {
    fn schedule(&mut self, time: f64, token: u32) {
        EventQueue::schedule(self, time, token);
    }
    fn pop(&mut self) -> Option<(f64, u32)> {
        EventQueue::pop(self)
    }
}

/// A calendar queue: `buckets.len()` days of `width` hours each make a year;
/// an event at time `t` sits, in key order, in day `t / width` modulo the year.
struct Calendar {
    /// Each day's events, sorted by key, latest first (the earliest pops off the end).
    buckets: Vec<Vec<(u128, u32)>>,
    width: f64,
    /// The day being served, counted from time zero (its bucket: `day` modulo the year).
    day: u64,
    now: f64,
    len: usize,
    seq: u64,
}

impl Calendar {
    fn new() -> Self {
        Self {
            buckets: (0..16).map(|_| Vec::new()).collect(),
            width: 1.0,
            day: 0,
            now: 0.0,
            len: 0,
            seq: 0,
        }
    }

    /// The day of `time`, counted from zero; the one rounding decides both the
    /// bucket an event goes to and when it is due.
    fn day_of(&self, time: f64) -> u64 {
        (time / self.width) as u64
    }

    fn slot(&self, day: u64) -> usize {
        day as usize & (self.buckets.len() - 1)
    }

    fn insert(&mut self, entry: (u128, u32)) {
        let b = self.slot(self.day_of(time_of(entry.0)));
        let bucket = &mut self.buckets[b];
        let at = bucket.partition_point(|e| e.0 > entry.0);
        bucket.insert(at, entry);
    }

    /// Rebuilds with `days` buckets and a width of three times the mean spacing
    /// of the earliest events (Brown's rule).
    fn resize(&mut self, days: usize) {
        let mut all: Vec<(u128, u32)> = self.buckets.drain(..).flatten().collect();
        all.sort_unstable_by_key(|e| e.0);
        let k = all.len().min(25);
        if k > 1 {
            let spread = time_of(all[k - 1].0) - time_of(all[0].0);
            if spread > 0.0 {
                self.width = 3.0 * spread / (k - 1) as f64;
            }
        }
        self.buckets = (0..days).map(|_| Vec::new()).collect();
        for entry in all {
            self.insert(entry);
        }
        self.day = self.day_of(self.now);
    }
}

impl List for Calendar {
    fn schedule(&mut self, time: f64, token: u32) {
        self.insert((key(time, self.seq), token));
        self.seq += 1;
        self.len += 1;
        if self.len > 2 * self.buckets.len() {
            self.resize(2 * self.buckets.len());
        }
    }

    fn pop(&mut self) -> Option<(f64, u32)> {
        if self.len == 0 {
            return None;
        }
        loop {
            for _ in 0..self.buckets.len() {
                let day = self.day;
                let due = |k: u128| (time_of(k) / self.width) as u64 <= day;
                let b = self.slot(day);
                let bucket = &mut self.buckets[b];
                if let Some(&(k, _)) = bucket.last()
                    && due(k)
                {
                    let (k, token) = bucket.pop().expect("not empty");
                    self.len -= 1;
                    self.now = time_of(k);
                    if self.len > 16 && self.len < self.buckets.len() / 2 {
                        self.resize(self.buckets.len() / 2);
                    }
                    return Some((self.now, token));
                }
                self.day += 1;
            }
            // A whole year without an event due: jump to the earliest one.
            let earliest = self
                .buckets
                .iter()
                .filter_map(|b| b.last())
                .map(|e| time_of(e.0))
                .fold(f64::INFINITY, f64::min);
            self.day = self.day_of(earliest);
        }
    }
}

/// The hold model: `pending` events on the list, `OPERATIONS` pops each
/// followed by a schedule. Returns the final clock and a token sum.
fn hold(list: &mut impl List, pending: usize, long_share: f64) -> (f64, u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut increment = move || {
        let mean = if rng.random::<f64>() < long_share {
            480.0
        } else {
            1.0
        };
        -(1.0 - rng.random::<f64>()).ln() * mean
    };
    for token in 0..pending as u32 {
        list.schedule(increment(), token);
    }
    let (mut now, mut tokens) = (0.0, 0u64);
    for _ in 0..OPERATIONS {
        let (time, token) = list.pop().expect("the list never empties");
        now = time;
        tokens += u64::from(token);
        list.schedule(now + increment(), token);
    }
    (now, tokens)
}

fn event_lists(c: &mut Criterion) {
    for &(name, pending, long_share) in WORKLOADS {
        let mut group = c.benchmark_group(format!("hold/{name}"));
        group.throughput(Throughput::Elements(OPERATIONS));
        group.bench_function("binary-heap", |b| {
            b.iter(|| hold(&mut Binary::default(), black_box(pending), long_share))
        });
        group.bench_function("radix-heap", |b| {
            b.iter(|| hold(&mut Radix::default(), black_box(pending), long_share))
        });
        group.bench_function("engine", |b| {
            b.iter(|| hold(&mut EventQueue::new(), black_box(pending), long_share))
        });
        group.bench_function("two-tier", |b| {
            b.iter(|| hold(&mut TwoTier::new(), black_box(pending), long_share))
        });
        group.bench_function("calendar", |b| {
            b.iter(|| hold(&mut Calendar::new(), black_box(pending), long_share))
        });
        group.finish();
    }
}

/// The lists pop the same events in the same order.
fn check_agreement() {
    let reference = hold(&mut Binary::default(), 5000, 0.09);
    assert_eq!(
        reference,
        hold(&mut Radix::default(), 5000, 0.09),
        "radix heap"
    );
    assert_eq!(
        reference,
        hold(&mut EventQueue::new(), 5000, 0.09),
        "engine's list"
    );
    assert_eq!(
        reference,
        hold(&mut TwoTier::new(), 5000, 0.09),
        "two-tier list"
    );
    assert_eq!(
        reference,
        hold(&mut Calendar::new(), 5000, 0.09),
        "calendar queue"
    );
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

fn benches(c: &mut Criterion) {
    check_agreement();
    event_lists(c);
}

criterion_group! {
    name = group;
    config = config();
    targets = benches
}
criterion_main!(group);
