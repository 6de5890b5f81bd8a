//! An order's hours spent per step (queue wait, handoff delay, time lost), kept
//! without zeroing a buffer per order.
//!
//! Every order used to start with a zeroed buffer of three entries per step,
//! and each wait or delay was added to its entry. On the big organisation the
//! buffer is cold by the time a step adds to it (the order was placed days
//! before), so the add waited for memory (`perf`: a tenth of the run on the
//! supplier handoffs' delays alone), and zeroing it at placement cost a cache
//! line written per four steps. Here a bit per entry says whether it was
//! written: the first write of an entry *stores* `0.0 + x` (the same bits as
//! adding to a zero), which does not wait for the cache line, and an entry
//! never written reads as zero. Buffers are reused from finished orders with
//! their stale values, which the bits hide.

use std::ops::Index;

/// Entries the written-bits cover; an order with more zeroes its buffer as before.
const TRACKED: usize = u64::BITS as usize;

#[derive(Default)]
pub(super) struct Spent {
    values: Vec<f64>,
    /// Bit `i` set when `values[i]` holds this order's value (all set when
    /// the buffer is longer than [`TRACKED`] and was zeroed).
    written: u64,
}

impl Spent {
    /// Prepares the buffer for a new order of `len` entries, all zero.
    #[inline]
    pub(super) fn reset(&mut self, len: usize) {
        if len <= TRACKED {
            if self.values.len() < len {
                self.values.resize(len, 0.0);
            }
            self.written = 0;
        } else {
            self.values.clear();
            self.values.resize(len, 0.0);
            self.written = u64::MAX;
        }
    }

    /// Adds `x` to entry `i`.
    #[inline]
    pub(super) fn add(&mut self, i: usize, x: f64) {
        let bit = 1_u64 << (i % TRACKED);
        if self.written & bit != 0 {
            self.values[i] += x;
        } else {
            // What adding to a zeroed entry gives, bit for bit, without reading it.
            self.values[i] = 0.0 + x;
            self.written |= bit;
        }
    }
}

impl Index<usize> for Spent {
    type Output = f64;

    #[inline]
    fn index(&self, i: usize) -> &f64 {
        if self.written & (1_u64 << (i % TRACKED)) != 0 {
            &self.values[i]
        } else {
            &0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    use super::Spent;

    /// Against a zeroed `Vec` added to: the same bits, for reused buffers of
    /// every length (tracked and not), with stale values left from before.
    #[test]
    fn reads_what_a_zeroed_buffer_added_to_reads() {
        let mut spent = Spent::default();
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let len = rng.random_range(1..100);
            spent.reset(len);
            let mut reference = vec![0.0; len];
            for _ in 0..rng.random_range(0..60) {
                let i = rng.random_range(0..len);
                let x = match rng.random_range(0..3) {
                    0 => 0.0,
                    1 => rng.random::<f64>() * 1e-6,
                    _ => rng.random::<f64>() * 500.0,
                };
                spent.add(i, x);
                reference[i] += x;
            }
            for (i, r) in reference.iter().enumerate() {
                assert_eq!(spent[i].to_bits(), r.to_bits(), "seed {seed}, entry {i}");
            }
        }
    }
}
