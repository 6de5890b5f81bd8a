//! The future event list: a radix heap ordered by time, then by the order events were scheduled.
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
pub struct EventQueue<E> {
    heap: RadixHeap<E>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self {
            heap: RadixHeap::new(),
            next_seq: 0,
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
        self.heap.push(key, event);
        self.next_seq += 1;
    }

    /// The earliest event and its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        let (key, event) = self.heap.pop()?;
        Some((f64::from_bits((key >> 64) as u64), event))
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
        Self {
            buckets: (0..=128).map(|_| Vec::new()).collect(),
            occupied: 0,
            last: 0,
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
}
