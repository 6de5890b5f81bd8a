//! A binary radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990), measured against
//! the engine's lists in `benches/event_lists.rs`.

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
