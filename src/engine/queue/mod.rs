//! The future event list, ordered by time, then by the order events were scheduled.
//!
//! The key of an event is its time's bits above its sequence number. Event
//! times are finite and never negative, and for such floats the IEEE 754 bit
//! pattern orders exactly as the value does, so one integer orders by time,
//! then by scheduling order: equal times pop in the order they were scheduled,
//! as with the binary heap this list replaced, and runs stay byte-identical.
//!
//! Short lists (the chains' tens of pending events) live in a 4-ary heap
//! ([`QuadHeap`]) for the events due soon beside a bag for the later ones
//! ([`Tiered`]); long ones (the big organisation's tens of thousands of
//! pending reorders) in a timing wheel ([`TimeWheel`]), whose cost per event
//! stays flat as the list grows. The binary radix heap ([`RadixHeap`]) is
//! kept for the event-list benchmark (`benches/event_lists.rs`), which
//! measures the candidates against each other; docs/performance.md
//! ("Choosing the event list") has the figures.

mod chunks;
mod quad;
mod radix;
mod tiered;
mod wheel;

pub use quad::QuadHeap;
pub use radix::RadixHeap;
pub use tiered::Tiered;
pub use wheel::TimeWheel;

/// What events are ordered by: their time's bits, then their sequence number.
///
/// Two words rather than one `u128`: a `u128` is aligned to 16 bytes, which
/// padded an entry with a 64-bit event to 32 bytes; this one takes 24, a
/// quarter less memory for the big organisation's tens of thousands of
/// pending events. It compares as the `u128` did (time bits above the sequence number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub time: u64,
    pub seq: u64,
}

impl Key {
    /// The key of an event at `time` (finite, not negative), scheduled `seq`-th.
    #[inline]
    pub fn new(time: f64, seq: u64) -> Self {
        // `+ 0.0` turns a -0.0 into 0.0, whose bits sort first.
        Self {
            time: (time + 0.0).to_bits(),
            seq,
        }
    }

    /// The event's time.
    #[inline]
    pub fn time(self) -> f64 {
        f64::from_bits(self.time)
    }

    /// The key as one integer: compared this way, the two words take one
    /// comparison and one subtraction with borrow, without a branch (`lt` and
    /// the others, through `cmp`, compile to the same: callgrind, plain chain).
    #[inline(always)]
    fn wide(self) -> u128 {
        u128::from(self.time) << 64 | u128::from(self.seq)
    }
}

impl PartialOrd for Key {
    #[inline(always)]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    #[inline(always)]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.wide().cmp(&other.wide())
    }
}

/// Events of type `E` waiting for their time.
///
/// Short lists (the chains' service ends and handoffs, tens to hundreds of
/// events) sit in a 4-ary heap and a bag ([`Tiered`]); past [`GROW_AT`]
/// events (the big organisation's tens of thousands of pending reorders) they
/// move to a timing wheel, and back below [`SHRINK_AT`]. Both pop by the same
/// unique key, so which one holds the events never changes the order they
/// come out in.
///
/// Why two: with sixty events pending, a heap of the dozen due soon sifts
/// through two levels in the L1 cache, which costs less than the wheel's
/// sorting of windows; with fifty thousand, the heap's lower levels miss the
/// caches at every pop. docs/performance.md has the measurements.
pub struct EventQueue<E> {
    list: List<E>,
    len: usize,
    next_seq: u64,
    /// The bits of the last time popped: no event may be scheduled before it.
    /// (Its sequence number need not be kept: every event scheduled later has
    /// a greater one.)
    last: u64,
}

/// Where the pending events are kept, by how many there are.
enum List<E> {
    Short(Tiered<E>),
    Long(Box<TimeWheel<E>>),
}

/// Past this many pending events the heap's sifting leaves the L1/L2 cache and
/// costs more than the wheel's windows: the list becomes a timing wheel.
pub const GROW_AT: usize = 4096;
/// Below this many, the wheel turns back into a heap (well below
/// [`GROW_AT`], so that a list hovering near the limit does not switch back and forth).
pub const SHRINK_AT: usize = 1024;

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    pub fn new() -> Self {
        Self {
            list: List::Short(Tiered::new()),
            len: 0,
            next_seq: 0,
            last: 0,
        }
    }

    /// Schedules `event` at `time`, which must not be before the last event popped.
    #[inline]
    pub fn schedule(&mut self, time: f64, event: E) {
        debug_assert!(
            time.is_finite() && time >= 0.0,
            "event times are finite and not negative"
        );
        let key = Key::new(time, self.next_seq);
        assert!(key.time >= self.last, "an event scheduled before the clock");
        self.next_seq += 1;
        self.len += 1;
        match &mut self.list {
            List::Short(heap) => {
                heap.push(key, event);
                if self.len > GROW_AT {
                    self.grow();
                }
            }
            List::Long(wheel) => wheel.push(key, event),
        }
    }

    /// The earliest event and its time.
    // Always inlined into the engine's event loop, which has one instance per
    // observer and engine (plain or full), too many for LLVM to inline it itself.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        let (time, event) = match &mut self.list {
            List::Short(heap) => heap.pop().map(|(key, event)| (key.time, event))?,
            List::Long(wheel) => {
                let entry = wheel.pop()?;
                if self.len <= SHRINK_AT {
                    self.len -= 1;
                    self.last = entry.0;
                    self.shrink();
                    return Some((f64::from_bits(entry.0), entry.1));
                }
                entry
            }
        };
        self.len -= 1;
        self.last = time;
        Some((f64::from_bits(time), event))
    }

    /// An event due soon after the next, `ahead` pops from now or a little
    /// later (events scheduled since its window was sorted may come first),
    /// when the list is long and that is cheap to tell; `None` otherwise.
    #[inline]
    pub fn soon_if_long(&self, ahead: usize) -> Option<&E> {
        match &self.list {
            List::Short(_) => None,
            List::Long(wheel) => wheel.soon(ahead),
        }
    }

    /// Events pending.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Moves the events from the short list onto a timing wheel.
    #[cold]
    fn grow(&mut self) {
        let List::Short(heap) = &mut self.list else {
            return;
        };
        // The wheel takes them in the order they are to pop (see `TimeWheel::with`).
        let mut all = heap.take_all();
        all.sort_unstable_by_key(|&(key, _)| key);
        let timed = all.into_iter().map(|(key, event)| (key.time, event));
        self.list = List::Long(Box::new(TimeWheel::with(timed.collect())));
    }

    /// Moves the events from the wheel back to the short list.
    #[cold]
    fn shrink(&mut self) {
        let List::Long(wheel) = &mut self.list else {
            return;
        };
        // The wheel keeps no sequence numbers: places in the order the events
        // are to pop stand in for them. They are below `next_seq` (at least as
        // many events were scheduled as are pending), so events scheduled
        // later still come after them at the same time.
        let mut heap = Tiered::new();
        for (seq, (time, event)) in (0..).zip(wheel.drain()) {
            heap.push(Key { time, seq }, event);
        }
        self.list = List::Short(heap);
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    use super::*;

    #[test]
    fn pops_by_time_then_by_scheduling_order() {
        let mut q = EventQueue::new();
        q.schedule(2.0, "c");
        q.schedule(1.0, "a");
        q.schedule(2.0, "d");
        q.schedule(1.0, "b");
        q.schedule(0.5, "first");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["first", "a", "b", "c", "d"]);
    }

    #[test]
    fn keys_order_times_across_magnitudes() {
        let times = [0.0, -0.0, 1e-300, 0.5, 1.0, 1.5, 1e6, 3.9e7];
        let mut q = EventQueue::new();
        for (i, &t) in times.iter().enumerate().rev() {
            q.schedule(t, i);
        }
        let popped: Vec<f64> = std::iter::from_fn(|| q.pop().map(|(t, _)| t)).collect();
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        // -0.0 and 0.0 are the same time; they come out in scheduling order, as 0.0.
        let expected: Vec<f64> = sorted.iter().map(|t| t + 0.0).collect();
        assert_eq!(popped, expected);
    }

    #[test]
    #[should_panic(expected = "before the clock")]
    fn the_radix_heap_refuses_a_key_below_the_last_popped() {
        let mut heap = RadixHeap::new();
        heap.push(5, ());
        heap.pop();
        heap.push(4, ());
    }

    /// The radix heap alone, peeks included, against a binary heap of the same keys.
    #[test]
    fn radix_heap_pops_and_peeks_what_a_binary_heap_pops() {
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut radix = RadixHeap::new();
            let mut reference = BinaryHeap::new();
            let mut last = 0_u128;
            for step in 0..3000 {
                match rng.random_range(0..5) {
                    0 | 1 => {
                        // Keys spread over every bit, never below the last popped.
                        let key =
                            last.saturating_add(rng.random::<u128>() >> rng.random_range(1..128));
                        radix.push(key, step);
                        reference.push(Reverse((key, step)));
                    }
                    2 => assert_eq!(
                        radix.peek(),
                        reference.peek().map(|Reverse((k, _))| *k),
                        "seed {seed}, step {step}"
                    ),
                    _ => {
                        let expected = reference.pop().map(|Reverse(entry)| entry);
                        let got = radix.pop();
                        // Equal keys may pop in any order; compare keys only.
                        assert_eq!(got.map(|e| e.0), expected.map(|e| e.0), "seed {seed}");
                        if let Some((key, _)) = got {
                            last = key;
                        }
                    }
                }
            }
        }
    }

    /// The reference list's earliest entry, as the event list returns it.
    fn pop_reference(reference: &mut BinaryHeap<Reverse<(u64, u64)>>) -> Option<(f64, u64)> {
        reference
            .pop()
            .map(|Reverse((bits, seq))| (f64::from_bits(bits), seq))
    }

    /// The property: for any sequence of schedules (never before the clock) and
    /// pops, the radix heap pops exactly what a binary heap ordered by (time,
    /// scheduling order) pops. Random sequences from fixed seeds, with many
    /// ties, zero delays, tiny and huge gaps, and lists that grow and drain.
    #[test]
    fn pops_what_a_binary_heap_pops() {
        for seed in 0..300 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut radix = EventQueue::new();
            let mut reference = BinaryHeap::new();
            let (mut now, mut seq) = (0.0_f64, 0_u64);
            // Lean towards pushing early on, towards popping later, to drain.
            let steps = rng.random_range(1..2000);
            for step in 0..steps + 2000 {
                let push_share = if step < steps { 0.6 } else { 0.0 };
                if rng.random::<f64>() < push_share {
                    let gap = match rng.random_range(0..6) {
                        0 => 0.0,
                        1 => f64::from(rng.random_range(0..4)),
                        2 => rng.random::<f64>() * 1e-9,
                        3 => rng.random::<f64>(),
                        4 => rng.random::<f64>() * 500.0,
                        _ => rng.random::<f64>() * 1e7,
                    };
                    let time = now + gap;
                    radix.schedule(time, seq);
                    reference.push(Reverse((time.to_bits(), seq)));
                    seq += 1;
                } else {
                    let expected = pop_reference(&mut reference);
                    let got = radix.pop();
                    assert_eq!(got, expected, "seed {seed}, step {step}");
                    if let Some((time, _)) = got {
                        now = time;
                    }
                }
            }
            assert_eq!(radix.pop(), None, "seed {seed}: drained");
        }
    }

    /// Lists that grow past `GROW_AT` and drain below `SHRINK_AT`, several times,
    /// pop exactly what one binary heap pops, ties included.
    #[test]
    fn switching_between_heaps_keeps_the_order() {
        for seed in 0..4 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut list = EventQueue::new();
            let mut reference = BinaryHeap::new();
            let (mut now, mut seq) = (0.0_f64, 0_u64);
            let (mut grew, mut shrank) = (0, 0);
            for round in 0..3 {
                let target = GROW_AT + 1000 * (round + 1);
                while list.len() < target {
                    // Whole hours, so that many events share a time.
                    let time = now + f64::from(rng.random_range(0..50));
                    list.schedule(time, seq);
                    reference.push(Reverse((time.to_bits(), seq)));
                    seq += 1;
                    // Pop now and then while growing.
                    if rng.random::<f64>() < 0.3 {
                        let (t, _) = list.pop().expect("not empty");
                        assert_eq!(reference.pop().map(|Reverse((b, _))| b), Some(t.to_bits()));
                        now = t;
                    }
                }
                grew += usize::from(matches!(list.list, List::Long(_)));
                while list.len() > SHRINK_AT / 2 {
                    let expected = pop_reference(&mut reference);
                    let got = list.pop();
                    assert_eq!(got, expected, "seed {seed}, round {round}");
                    now = got.expect("not empty").0;
                }
                shrank += usize::from(matches!(list.list, List::Short(_)));
            }
            assert_eq!((grew, shrank), (3, 3), "seed {seed}: both heaps were used");
            while let Some(got) = list.pop() {
                let expected = pop_reference(&mut reference);
                assert_eq!(Some(got), expected);
            }
            assert!(reference.is_empty());
        }
    }
}
