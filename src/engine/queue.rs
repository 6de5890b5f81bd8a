//! The future event list: a binary heap or a radix heap, ordered by time, then by the order events were scheduled.
//!
//! The key of an event is its time's bits above its sequence number. Event
//! times are finite and never negative, and for such floats the IEEE 754 bit
//! pattern orders exactly as the value does, so one integer orders by time,
//! then by scheduling order: equal times pop in the order they were scheduled,
//! as with the binary heap this list replaced, and runs stay byte-identical.
//!
//! A simulation clock never goes back, so every key pushed is at least the last
//! key popped: the condition for a radix heap (Ahuja, Mehlhorn, Orlin & Tarjan
//! 1990). Keys live in 129 buckets by the highest bit in which they differ from
//! the last key popped; pushing is one `Vec::push`, and popping empties the
//! lowest non-empty bucket into lower ones. Each event moves down a few buckets
//! in its life instead of sifting through a heap of every pending event, so the
//! cost per event stays flat when tens of thousands of reorders wait on the
//! list. docs/performance.md ("Choosing the event list") has the measurements
//! against a binary heap, a calendar queue and a two-tier list.

/// Events of type `E` waiting for their time.
///
/// Short lists (the chains' service ends and handoffs, tens to hundreds of
/// events) sit in a binary heap; past [`GROW_AT`] events (the big organisation's
/// tens of thousands of pending reorders) they move to a radix heap, and back
/// below [`SHRINK_AT`]. Both pop by the same unique key, so which one holds the
/// events never changes the order they come out in.
///
/// Why two: on the plain chain (about 60 events pending) `perf` put 30 % of the
/// engine's time in the radix heap's redistribution of a bucket (each event
/// moves down several buckets in its life, for keys whose time bits differ in
/// 30 to 40 places), where a binary heap of 60 events sifts through 6 levels
/// in L1. docs/performance.md has the measurements.
pub struct EventQueue<E> {
    list: List<E>,
    len: usize,
    next_seq: u64,
    /// The last key popped: every key still to come is at or above it.
    last: u128,
}

/// Where the pending events are kept, by how many there are.
enum List<E> {
    Short(QuadHeap<E>),
    Long(WideRadixHeap<E>),
}

/// Past this many pending events the binary heap's sifting leaves the L1/L2
/// cache and costs more than the radix heap's moves: the list becomes a radix heap.
pub const GROW_AT: usize = 4096;
/// Below this many, a radix heap turns back into a binary heap (well below
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
            list: List::Short(QuadHeap::with_capacity(64)),
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
        // `+ 0.0` turns a -0.0 into 0.0, whose bits sort first.
        let key = (u128::from((time + 0.0).to_bits()) << 64) | u128::from(self.next_seq);
        assert!(key >= self.last, "an event scheduled before the clock");
        self.next_seq += 1;
        self.len += 1;
        match &mut self.list {
            List::Short(heap) => {
                heap.push(key, event);
                if self.len > GROW_AT {
                    self.grow();
                }
            }
            List::Long(radix) => radix.push(key, event),
        }
    }

    /// The earliest event and its time.
    // Always inlined into the engine's event loop, which has one instance per
    // observer and engine (plain or full), too many for LLVM to inline it itself.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        let (key, event) = match &mut self.list {
            List::Short(heap) => heap.pop()?,
            List::Long(radix) => {
                let entry = radix.pop()?;
                if self.len <= SHRINK_AT {
                    self.len -= 1;
                    self.last = entry.0;
                    self.shrink();
                    return Some((f64::from_bits((entry.0 >> 64) as u64), entry.1));
                }
                entry
            }
        };
        self.len -= 1;
        self.last = key;
        Some((f64::from_bits((key >> 64) as u64), event))
    }

    /// The next event to pop, when the list is long and that is cheap to tell
    /// (the lowest bucket of the radix heap holds it alone); `None` otherwise.
    /// For prefetching what it will touch: short lists stay in the cache anyway.
    #[inline]
    pub fn next_if_long(&self) -> Option<&E> {
        match &self.list {
            List::Short(_) => None,
            List::Long(radix) => radix.next_if_alone(),
        }
    }

    /// The events are in the radix heap (more than [`GROW_AT`] were pending).
    #[inline]
    pub fn is_long(&self) -> bool {
        matches!(self.list, List::Long(_))
    }

    /// Events pending.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Moves the events from the binary heap into a radix heap.
    #[cold]
    fn grow(&mut self) {
        let List::Short(heap) = &mut self.list else {
            return;
        };
        let mut radix = WideRadixHeap::starting_at(self.last);
        for (key, event) in std::mem::take(&mut heap.items) {
            radix.push(key, event);
        }
        self.list = List::Long(radix);
    }

    /// Moves the events from the radix heap into a binary heap.
    #[cold]
    fn shrink(&mut self) {
        let List::Long(radix) = &mut self.list else {
            return;
        };
        let mut heap = QuadHeap::with_capacity(GROW_AT + 1);
        // Popped in key order: each push into the heap is then a single compare.
        while let Some((key, event)) = radix.pop() {
            heap.push(key, event);
        }
        self.list = List::Short(heap);
    }
}

/// A 4-ary min-heap of `(key, event)`: half the levels of a binary heap, and
/// the four children of a node side by side (two cache lines), so a pop does
/// three levels of compares on the plain chain's sixty events where a binary
/// heap does six (callgrind: fewer instructions per pop than `std`'s binary
/// heap, see docs/performance.md). Keys are unique (they hold a sequence
/// number), so the order is fully determined.
pub struct QuadHeap<E> {
    items: Vec<(u128, E)>,
}

impl<E: Copy> QuadHeap<E> {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            items: Vec::with_capacity(capacity),
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    #[inline]
    pub fn push(&mut self, key: u128, event: E) {
        let items = &mut self.items;
        let mut hole = items.len();
        items.push((key, event));
        // Sift the new entry up: most events are due later than most pending ones.
        while hole > 0 {
            let parent = (hole - 1) / 4;
            let above = items[parent];
            if above.0 <= key {
                break;
            }
            items[hole] = above;
            hole = parent;
        }
        items[hole] = (key, event);
    }

    #[inline(always)]
    pub fn pop(&mut self) -> Option<(u128, E)> {
        let last = self.items.pop()?;
        let items = &mut self.items[..];
        let Some(&top) = items.first() else {
            return Some(last);
        };
        // Sift the former last entry down from the root.
        let n = items.len();
        let mut hole = 0;
        loop {
            let first = 4 * hole + 1;
            let least = if first + 4 <= n {
                // Four children: the least in two rounds of pairs, without early
                // exits (which the branch predictor would miss half the time).
                let c = &items[first..first + 4];
                let a = first + usize::from(c[1].0 < c[0].0);
                let b = first + 2 + usize::from(c[3].0 < c[2].0);
                if items[b].0 < items[a].0 { b } else { a }
            } else if first < n {
                (first + 1..n).fold(first, |m, i| if items[i].0 < items[m].0 { i } else { m })
            } else {
                break;
            };
            if items[least].0 >= last.0 {
                break;
            }
            items[hole] = items[least];
            hole = least;
        }
        items[hole] = last;
        Some(top)
    }
}

/// A radix heap of `u128` keys: every key pushed must be at least the last key popped.
pub struct RadixHeap<E> {
    /// `buckets[0]` holds keys equal to `last`; `buckets[b]`, for `b` from 1 to
    /// 128, keys whose highest bit differing from `last` is bit `b − 1`.
    buckets: Vec<Vec<(u128, E)>>,
    /// Bit `b − 1` set when `buckets[b]` is not empty (`b` ≥ 1).
    occupied: u128,
    /// The last key popped (0 before the first pop): no key on the list is lower.
    last: u128,
}

impl<E> Default for RadixHeap<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> RadixHeap<E> {
    pub fn new() -> Self {
        Self::starting_at(0)
    }

    /// An empty radix heap that will take keys at or above `last` only.
    pub fn starting_at(last: u128) -> Self {
        Self {
            buckets: (0..=128).map(|_| Vec::new()).collect(),
            occupied: 0,
            last,
        }
    }

    #[inline]
    fn bucket(&self, key: u128) -> usize {
        (128 - (key ^ self.last).leading_zeros()) as usize
    }

    #[inline]
    fn insert(&mut self, key: u128, event: E) {
        let b = self.bucket(key);
        self.buckets[b].push((key, event));
        if b > 0 {
            self.occupied |= 1 << (b - 1);
        }
    }

    /// Adds `event` under `key`, which must not be below the last key popped.
    #[inline]
    pub fn push(&mut self, key: u128, event: E) {
        assert!(key >= self.last, "an event scheduled before the clock");
        self.insert(key, event);
    }

    /// The event with the least key, and its key.
    #[inline]
    pub fn pop(&mut self) -> Option<(u128, E)> {
        match self.buckets[0].pop() {
            Some(entry) => Some(entry),
            None => self.pop_from_lowest_bucket(),
        }
    }

    /// The least key, without taking its event off (and without moving `last`,
    /// which would refuse keys between it and the current `last`).
    pub fn peek(&self) -> Option<u128> {
        if let Some(&(key, _)) = self.buckets[0].last() {
            return Some(key);
        }
        if self.occupied == 0 {
            return None;
        }
        let b = self.occupied.trailing_zeros() as usize + 1;
        self.buckets[b].iter().map(|&(key, _)| key).min()
    }

    /// Takes the least key out of the lowest non-empty bucket, which becomes the
    /// new `last`, and spreads the rest of that bucket over the buckets below it
    /// (they now differ from `last` in lower bits only).
    fn pop_from_lowest_bucket(&mut self) -> Option<(u128, E)> {
        if self.occupied == 0 {
            return None;
        }
        let b = self.occupied.trailing_zeros() as usize + 1;
        self.occupied &= !(1 << (b - 1));
        let mut bucket = std::mem::take(&mut self.buckets[b]);
        let least = bucket
            .iter()
            .enumerate()
            .min_by_key(|(_, (key, _))| *key)
            .map(|(i, _)| i)
            .expect("an occupied bucket holds an event");
        let earliest = bucket.swap_remove(least);
        self.last = earliest.0;
        for (key, event) in bucket.drain(..) {
            self.insert(key, event);
        }
        // Keep the emptied bucket's allocation for the events it will hold next.
        self.buckets[b] = bucket;
        Some(earliest)
    }
}

/// Bits of the key per level of a [`WideRadixHeap`].
const DIGIT_BITS: u32 = 4;
/// Buckets per level: one per value of a digit.
const FANOUT: usize = 1 << DIGIT_BITS;
/// Levels of a `u128` key.
const LEVELS: usize = 128 / DIGIT_BITS as usize;
/// Words of the occupancy bitmap, one bit per bucket (at most 64, for the summary word).
const WORDS: usize = (LEVELS * FANOUT).div_ceil(64);
const _: () = assert!(WORDS <= 64);
/// An emptied bucket keeps an allocation of up to this many entries.
const KEEP_CAPACITY: usize = 1024;

/// A radix heap whose digits are bytes instead of bits (multi-level buckets,
/// Cherkassky, Goldberg & Silverstein 1999): every key pushed must be at least
/// the last key popped, and keys must be unique (the event list's are: they
/// hold a sequence number).
///
/// A key sits at the level of the highest byte in which it differs from the
/// last key popped, in the bucket of its own value of that byte. Popping takes
/// the lowest occupied bucket of the lowest occupied level: its least key is
/// the least of all; the others share every byte down to that level with it,
/// so they move to lower levels. A key therefore moves at most once per byte
/// it differs in from the clock, where the binary radix heap ([`RadixHeap`])
/// moved it once per bit: on the big organisation a reorder pushed twenty
/// days ahead moved about fifteen times there, and three or four times here
/// (docs/performance.md, "The big organisation").
pub struct WideRadixHeap<E> {
    /// `buckets[level * FANOUT + digit]`.
    buckets: Vec<Vec<(u128, E)>>,
    /// One bit per bucket, in the order of `buckets`, set when it is not empty:
    /// buckets are ordered by level, then digit, so the lowest set bit is the
    /// bucket to pop from.
    occupied: [u64; WORDS],
    /// Bit `w` set when `occupied[w]` is not zero.
    summary: u64,
    /// The last key popped (or the key it started at): no key on the list is lower.
    last: u128,
}

impl<E> WideRadixHeap<E> {
    /// An empty heap that will take keys at or above `last` only.
    pub fn starting_at(last: u128) -> Self {
        Self {
            buckets: (0..LEVELS * FANOUT).map(|_| Vec::new()).collect(),
            occupied: [0; WORDS],
            summary: 0,
            last,
        }
    }

    /// The level and digit of `key`'s bucket, relative to `last`.
    #[inline]
    fn slot(&self, key: u128) -> (usize, usize) {
        let diff = key ^ self.last;
        let level = if diff == 0 {
            0
        } else {
            ((127 - diff.leading_zeros()) / DIGIT_BITS) as usize
        };
        let digit = (key >> (level as u32 * DIGIT_BITS)) as usize & (FANOUT - 1);
        (level, digit)
    }

    #[inline]
    fn insert(&mut self, key: u128, event: E) {
        let (level, digit) = self.slot(key);
        let index = level * FANOUT + digit;
        self.buckets[index].push((key, event));
        self.occupied[index / 64] |= 1 << (index % 64);
        self.summary |= 1 << (index / 64);
    }

    /// Adds `event` under `key`, which must not be below the last key popped.
    #[inline]
    pub fn push(&mut self, key: u128, event: E) {
        assert!(key >= self.last, "an event scheduled before the clock");
        self.insert(key, event);
    }

    /// The event with the least key, if it is alone in the lowest occupied bucket.
    #[inline]
    pub fn next_if_alone(&self) -> Option<&E> {
        if self.summary == 0 {
            return None;
        }
        let word = self.summary.trailing_zeros() as usize;
        let index = word * 64 + self.occupied[word].trailing_zeros() as usize;
        match self.buckets[index].as_slice() {
            [(_, event)] => Some(event),
            _ => None,
        }
    }

    /// The event with the least key, and its key.
    #[inline]
    pub fn pop(&mut self) -> Option<(u128, E)> {
        if self.summary == 0 {
            return None;
        }
        let word = self.summary.trailing_zeros() as usize;
        let bits = &mut self.occupied[word];
        let index = word * 64 + bits.trailing_zeros() as usize;
        *bits &= *bits - 1;
        if *bits == 0 {
            self.summary &= !(1 << word);
        }
        let bucket = &mut self.buckets[index];
        if bucket.len() == 1 {
            // The common case low down: the key alone in its bucket.
            let entry = bucket.pop().expect("one entry");
            self.last = entry.0;
            return Some(entry);
        }
        let mut bucket = std::mem::take(bucket);
        let least = bucket
            .iter()
            .enumerate()
            .min_by_key(|(_, (key, _))| *key)
            .map(|(i, _)| i)
            .expect("an occupied bucket holds an event");
        let earliest = bucket.swap_remove(least);
        self.last = earliest.0;
        // The rest agree with the new `last` down to this level: they move lower.
        for (key, event) in bucket.drain(..) {
            self.insert(key, event);
        }
        // Keep the emptied bucket's allocation for the events it will hold next
        // (unless equal keys went back into it), if it is small: with 16 buckets
        // a level, keeping every large one would hold on to several times the
        // memory of the events pending (the digit of a far key changes as the
        // clock moves, so a large bucket may stay empty for the rest of the run).
        if self.buckets[index].is_empty() && bucket.capacity() <= KEEP_CAPACITY {
            self.buckets[index] = bucket;
        }
        Some(earliest)
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

    /// The byte-wide radix heap against a binary heap of the same unique keys,
    /// spread over every bit, with runs of keys that differ only in low bytes.
    #[test]
    fn wide_radix_heap_pops_what_a_binary_heap_pops() {
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut wide = WideRadixHeap::starting_at(0);
            let mut reference = BinaryHeap::new();
            let mut last = 0_u128;
            let mut seq = 0_u128;
            for step in 0..4000 {
                if rng.random_range(0..5) < 3 {
                    let gap = match rng.random_range(0..3) {
                        0 => rng.random::<u128>() >> rng.random_range(1..128),
                        1 => u128::from(rng.random_range(0_u32..300)) << 64,
                        _ => 0,
                    };
                    // Unique keys, as the event list's: a sequence number in the low bits.
                    let key = ((last >> 64).saturating_add(gap >> 64) << 64) | seq;
                    seq += 1;
                    wide.push(key, step);
                    reference.push(Reverse((key, step)));
                } else {
                    let expected = reference.pop().map(|Reverse(entry)| entry);
                    let got = wide.pop();
                    assert_eq!(got, expected, "seed {seed}, step {step}");
                    if let Some((key, _)) = got {
                        last = key;
                    }
                }
            }
            while let Some(Reverse(entry)) = reference.pop() {
                assert_eq!(wide.pop(), Some(entry), "seed {seed}: drained");
            }
            assert_eq!(wide.pop(), None);
        }
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
                    let expected = reference
                        .pop()
                        .map(|Reverse((bits, s))| (f64::from_bits(bits), s));
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
                    let expected = reference
                        .pop()
                        .map(|Reverse((bits, s))| (f64::from_bits(bits), s));
                    let got = list.pop();
                    assert_eq!(got, expected, "seed {seed}, round {round}");
                    now = got.expect("not empty").0;
                }
                shrank += usize::from(matches!(list.list, List::Short(_)));
            }
            assert_eq!((grew, shrank), (3, 3), "seed {seed}: both heaps were used");
            while let Some(got) = list.pop() {
                let expected = reference
                    .pop()
                    .map(|Reverse((b, s))| (f64::from_bits(b), s));
                assert_eq!(Some(got), expected);
            }
            assert!(reference.is_empty());
        }
    }
}
