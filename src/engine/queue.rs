//! The future event list: a binary heap ordered by time, then by the order events were scheduled.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An event with its sort key: the time's bits above the sequence number.
///
/// Event times are finite and never negative, and for such floats the IEEE 754
/// bit pattern orders exactly as the value does, so one integer comparison
/// orders by time, then by scheduling order (it is the hottest comparison in
/// the program).
struct Scheduled<E> {
    key: u128,
    event: E,
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<E> Eq for Scheduled<E> {}
impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Scheduled<E> {
    /// Reversed, so that the max-heap pops the earliest event; equal times pop in
    /// scheduling order, which keeps runs deterministic.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Events of type `E` waiting for their time.
pub struct EventQueue<E> {
    heap: BinaryHeap<Scheduled<E>>,
    next_seq: u64,
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self {
            heap: BinaryHeap::with_capacity(1024),
            next_seq: 0,
        }
    }

    #[inline]
    pub fn schedule(&mut self, time: f64, event: E) {
        debug_assert!(
            time.is_finite() && time >= 0.0,
            "event times are finite and not negative"
        );
        // `+ 0.0` turns a -0.0 into 0.0, whose bits sort first.
        let key = (u128::from((time + 0.0).to_bits()) << 64) | u128::from(self.next_seq);
        self.heap.push(Scheduled { key, event });
        self.next_seq += 1;
    }

    /// The earliest event and its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        self.heap
            .pop()
            .map(|s| (f64::from_bits((s.key >> 64) as u64), s.event))
    }
}

#[cfg(test)]
mod tests {
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
}
