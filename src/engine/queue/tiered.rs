//! The event list while it is short: a 4-ary heap for the events due soon and
//! an unsorted bag for the later ones.
//!
//! On the plain chain about sixty events are pending, and most of them are
//! deliveries a day or more ahead; in one heap every pop sifts through three
//! levels below them. Here they wait in a bag, pushed in one store, and the
//! heap holds only the dozen or so events due before the `horizon`: two levels.
//! When the heap runs dry, the horizon moves to the bag's earliest time plus a
//! `width`, and the bag's events due before it move into the heap. Each pending
//! event is scanned once per refill, so the width adapts to move a share of
//! the bag each time (see [`MOVE_LEAST`]): small enough to keep the heap
//! short, large enough that the scans cost a few compares per event. Measured
//! against the 4-ary heap alone in docs/performance.md ("The eighth session
//! of issue 12").
//!
//! Order is exact: every event in the bag is due at or after the horizon and
//! every event in the heap before it, so the heap's least key is the least of
//! all; the bag's events keep their keys (time bits, then sequence number),
//! so ties pop in scheduling order as before.

use super::{Key, QuadHeap};

/// A refill aims to move at least this many events into the heap, or half as
/// many as stay in the bag if that is more: fewer would scan the bag too often
/// per event moved; many more would make the heap deep again.
const MOVE_LEAST: usize = 16;

pub struct Tiered<E> {
    /// Every pending event due before `horizon`.
    near: QuadHeap<E>,
    /// Every pending event due at or after `horizon`, in no order.
    far: Vec<(Key, E)>,
    /// The bits of the horizon's time (which order as the times do).
    horizon: u64,
    /// Hours from the bag's earliest event to the next horizon.
    width: f64,
}

impl<E: Copy> Default for Tiered<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Tiered<E> {
    pub fn new() -> Self {
        Self {
            near: QuadHeap::with_capacity(64),
            far: Vec::with_capacity(64),
            horizon: 0,
            width: 1.0,
        }
    }

    /// Every entry, in no particular order (the list is left empty).
    pub fn take_all(&mut self) -> Vec<(Key, E)> {
        let mut all = self.near.take_all();
        all.append(&mut self.far);
        all
    }

    #[inline(always)]
    pub fn push(&mut self, key: Key, event: E) {
        if key.time < self.horizon {
            self.near.push(key, event);
        } else {
            self.far.push((key, event));
        }
    }

    #[inline(always)]
    pub fn pop(&mut self) -> Option<(Key, E)> {
        if let Some(entry) = self.near.pop() {
            return Some(entry);
        }
        self.refill();
        self.near.pop()
    }

    /// Moves the horizon past the bag's earliest event and the events before
    /// it into the heap (which is empty), then adapts the width.
    #[inline(never)]
    fn refill(&mut self) {
        let Some(first) = self.far.iter().map(|(key, _)| key.time).min() else {
            return;
        };
        let bag = self.far.len();
        // At least the earliest event moves, however wide a time's ulp is.
        let horizon = (f64::from_bits(first) + self.width)
            .to_bits()
            .max(first + 1);
        self.horizon = horizon;
        let mut i = 0;
        while i < self.far.len() {
            if self.far[i].0.time < horizon {
                let (key, event) = self.far.swap_remove(i);
                self.near.push(key, event);
            } else {
                i += 1;
            }
        }
        let moved = bag - self.far.len();
        let target = (self.far.len() / 2).max(MOVE_LEAST);
        if moved > 2 * target {
            self.width *= 0.5;
        } else if moved < target / 2 && self.far.len() > MOVE_LEAST {
            self.width *= 2.0;
        }
        if !(self.width.is_finite() && self.width > 0.0) {
            self.width = 1.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    use super::*;

    /// Schedules and pops against a binary heap of the same keys, with the
    /// gaps between events at one scale per run, from 1e-300 to 1e300 hours
    /// (the width must follow them there and back without losing the order).
    #[test]
    fn pops_what_a_binary_heap_pops_at_every_scale() {
        let scales = [1e-300, 1e-9, 1.0, 24.0, 1e9, 1e300];
        for run in 0..120 {
            let scale = scales[run % scales.len()];
            let mut rng = ChaCha8Rng::seed_from_u64(run as u64);
            let mut list = Tiered::new();
            let mut reference = BinaryHeap::new();
            let (mut now, mut seq) = (0.0_f64, 0_u64);
            for step in 0..20_000 {
                if step < 15_000 && rng.random::<f64>() < 0.55 {
                    // Ties (at once, and at whole multiples of the scale, where a
                    // horizon may fall), near events and far ones, as in a chain.
                    let gap = match rng.random_range(0..5) {
                        0 => 0.0,
                        1 => f64::from(rng.random_range(0..4)) * scale,
                        2 => rng.random::<f64>() * scale,
                        _ => rng.random::<f64>() * scale * 100.0,
                    };
                    let key = Key::new((now + gap).min(f64::MAX), seq);
                    list.push(key, seq);
                    reference.push(Reverse((key, seq)));
                    seq += 1;
                } else {
                    let expected = reference.pop().map(|Reverse(entry)| entry);
                    let got = list.pop();
                    assert_eq!(got, expected, "scale {scale}, step {step}");
                    if let Some((key, _)) = got {
                        now = key.time();
                    }
                }
            }
            assert!(reference.is_empty() && list.pop().is_none());
        }
    }

    #[test]
    fn a_refill_moves_at_least_the_earliest_event_at_the_largest_times() {
        let mut list = Tiered::new();
        list.push(Key::new(f64::MAX, 1), 'b');
        list.push(Key::new(f64::MAX, 0), 'a');
        assert_eq!(list.pop().map(|(_, e)| e), Some('a'));
        assert_eq!(list.pop().map(|(_, e)| e), Some('b'));
        assert_eq!(list.pop(), None);
    }
}
