//! Orders' hours spent per step (queue wait, handoff delay, time lost), in one
//! pool indexed by the order's arena key, kept without zeroing per order.
//!
//! Every order used to own a buffer of three entries per step, zeroed when the
//! order was placed, and each wait or delay was added to its entry. On the big
//! organisation the buffer is cold by the time a step adds to it (the order was
//! placed days before), so the add waited for memory (`perf`: a tenth of the
//! run on the supplier handoffs' delays alone). Here a bit per entry, kept in
//! the order's own record, says whether it was written: the first write of an
//! entry *stores* `0.0 + x` (the same bits as adding to a zero), which does not
//! wait for the cache line, and an entry never written reads as zero. An
//! order's entries are a slice of one pool, at its arena key times the longest
//! flow's entries: no allocation and no pointer per order (the order's record
//! fits one cache line, docs/performance.md), and a slot's stale values from
//! the order that held it before are hidden by the bits.

/// Entries the written-bits cover; an order with more zeroes its entries instead.
const TRACKED: usize = u64::BITS as usize;

pub(super) struct SpentPool {
    values: Vec<f64>,
    /// Entries per order: as many as the longest flow needs.
    stride: usize,
}

impl SpentPool {
    /// A pool for orders of at most `stride` entries.
    pub(super) fn new(stride: usize) -> Self {
        Self {
            values: Vec::new(),
            stride,
        }
    }

    /// Entries per order.
    pub(super) fn stride(&self) -> usize {
        self.stride
    }

    /// Prepares the entries of slot `key` for a new order of `len` entries (at
    /// most the stride), all zero; returns the order's written-bits.
    #[inline]
    pub(super) fn reset(&mut self, key: usize, len: usize) -> u64 {
        debug_assert!(len <= self.stride);
        let start = key * self.stride;
        if self.values.len() < start + self.stride {
            self.values.resize(start + self.stride, 0.0);
        }
        if len <= TRACKED {
            0
        } else {
            self.values[start..start + len].fill(0.0);
            u64::MAX
        }
    }

    /// Adds `x` to entry `i` of slot `key`, whose written-bits are `written`.
    #[inline]
    pub(super) fn add(&mut self, written: &mut u64, key: usize, i: usize, x: f64) {
        let bit = 1_u64 << (i % TRACKED);
        let value = &mut self.values[key * self.stride + i];
        if *written & bit != 0 {
            *value += x;
        } else {
            // What adding to a zeroed entry gives, bit for bit, without reading it.
            *value = 0.0 + x;
            *written |= bit;
        }
    }

    /// Entry `i` of slot `key`, whose written-bits are `written`.
    #[inline]
    pub(super) fn get(&self, written: u64, key: usize, i: usize) -> f64 {
        if written & (1_u64 << (i % TRACKED)) != 0 {
            self.values[key * self.stride + i]
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    use super::SpentPool;

    /// Against a zeroed `Vec` added to: the same bits, for slots reused by
    /// orders of every length (tracked and not), with stale values left from
    /// the orders before, and neighbouring slots untouched.
    #[test]
    fn reads_what_a_zeroed_buffer_added_to_reads() {
        const STRIDE: usize = 100;
        let mut pool = SpentPool::new(STRIDE);
        let mut slots: Vec<Option<(u64, Vec<f64>)>> = vec![None; 6];
        for seed in 0..300 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let key = rng.random_range(0..slots.len());
            let len = rng.random_range(1..=STRIDE);
            let mut written = pool.reset(key, len);
            let mut reference = vec![0.0; len];
            for _ in 0..rng.random_range(0..60) {
                let i = rng.random_range(0..len);
                let x = match rng.random_range(0..3) {
                    0 => 0.0,
                    1 => rng.random::<f64>() * 1e-6,
                    _ => rng.random::<f64>() * 500.0,
                };
                pool.add(&mut written, key, i, x);
                reference[i] += x;
            }
            slots[key] = Some((written, reference));
            for (k, slot) in slots.iter().enumerate() {
                let Some((written, reference)) = slot else {
                    continue;
                };
                for (i, r) in reference.iter().enumerate() {
                    let got = pool.get(*written, k, i);
                    assert_eq!(
                        got.to_bits(),
                        r.to_bits(),
                        "seed {seed}, slot {k}, entry {i}"
                    );
                }
            }
        }
    }
}
