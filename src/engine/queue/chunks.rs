//! Buckets that grow by fixed-size chunks taken from one shared pool.
//!
//! The timing wheel's window buckets all start empty each ring and end with
//! about a hundred and forty entries. As `Vec`s, each grew through seven
//! reallocations (each a `malloc`, a copy and a `free`); kept with their
//! capacity instead, a thousand buffers went cold between two turns of the
//! ring, which was slower still (docs/performance.md, the eighth and tenth
//! sessions of issue 12). Here a bucket is a chain of chunks of [`CHUNK`]
//! entries, and emptied chunks go on one free list, last freed first taken:
//! the chunks a window gives back when it is sorted are the next ones filled,
//! while they are still in the cache, and no entry is ever copied to grow.

/// Entries per chunk.
pub const CHUNK: usize = 32;
/// No chunk: the end of a chain or of the free list.
const NONE: u32 = u32::MAX;

/// A bucket's chain of chunks in a [`ChunkPool`]: entries `0..len` in push
/// order, [`CHUNK`] to a chunk, the last chunk partly filled.
#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    first: u32,
    last: u32,
    len: usize,
}

impl Bucket {
    pub const EMPTY: Self = Self {
        first: NONE,
        last: NONE,
        len: 0,
    };

    pub fn len(&self) -> usize {
        self.len
    }
}

/// The chunks of every [`Bucket`] that uses it, and the free ones.
pub struct ChunkPool<T> {
    /// Chunk `c` is `entries[c * CHUNK..(c + 1) * CHUNK]`.
    entries: Vec<T>,
    /// The chunk after `c` in its bucket or in the free list.
    next: Vec<u32>,
    /// The free chunk taken next (the one freed last).
    free: u32,
}

impl<T: Copy> Default for ChunkPool<T> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            next: Vec::new(),
            free: NONE,
        }
    }
}

impl<T: Copy> ChunkPool<T> {
    /// Appends `value` to `bucket`.
    #[inline(always)]
    pub fn push(&mut self, bucket: &mut Bucket, value: T) {
        let at = bucket.len % CHUNK;
        if at == 0 {
            self.add_chunk(bucket, value);
        }
        self.entries[bucket.last as usize * CHUNK + at] = value;
        bucket.len += 1;
    }

    /// Links a chunk to the end of `bucket` (whose last chunk is full): the
    /// last one freed, or a new one (filled with copies of `value`, which is
    /// about to be stored in it).
    #[inline(never)]
    fn add_chunk(&mut self, bucket: &mut Bucket, value: T) {
        let chunk = if self.free == NONE {
            let chunk = u32::try_from(self.next.len())
                .ok()
                .filter(|&c| c != NONE)
                .expect("fewer than 2^32 - 1 chunks");
            self.entries.resize(self.entries.len() + CHUNK, value);
            self.next.push(NONE);
            chunk
        } else {
            let chunk = self.free;
            self.free = self.next[chunk as usize];
            chunk
        };
        // The chain's end is known by its length, not by a link.
        if bucket.len == 0 {
            bucket.first = chunk;
        } else {
            self.next[bucket.last as usize] = chunk;
        }
        bucket.last = chunk;
    }

    /// Appends `bucket`'s entries to `out` in the order they were pushed,
    /// gives its chunks back (the last one read is the first taken again) and
    /// leaves it empty.
    pub fn take_into(&mut self, bucket: &mut Bucket, out: &mut Vec<T>) {
        let mut left = bucket.len;
        let mut chunk = bucket.first;
        out.reserve(left);
        while left > 0 {
            let c = chunk as usize;
            let n = left.min(CHUNK);
            out.extend_from_slice(&self.entries[c * CHUNK..c * CHUNK + n]);
            left -= n;
            chunk = self.next[c];
            self.next[c] = self.free;
            self.free = c as u32;
        }
        *bucket = Bucket::EMPTY;
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    use super::*;

    /// Buckets pushed to and taken in random turns hold what `Vec`s would,
    /// in the same order, and chunks are reused rather than added.
    #[test]
    fn buckets_hold_what_vecs_hold() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut pool = ChunkPool::default();
        let mut buckets = [Bucket::EMPTY; 16];
        let mut reference: Vec<Vec<u64>> = vec![Vec::new(); 16];
        let mut out = Vec::new();
        let mut most_held = 0;
        for step in 0..200_000_u64 {
            let b = rng.random_range(0..16);
            if rng.random::<f64>() < 0.98 {
                pool.push(&mut buckets[b], step);
                reference[b].push(step);
            } else {
                out.clear();
                out.push(u64::MAX);
                pool.take_into(&mut buckets[b], &mut out);
                assert_eq!(out[0], u64::MAX, "appended, not overwritten");
                assert_eq!(out[1..], reference[b][..], "step {step}");
                assert_eq!(buckets[b].len(), 0);
                reference[b].clear();
            }
            assert_eq!(buckets[b].len(), reference[b].len());
            let held: usize = reference.iter().map(|r| r.len().div_ceil(CHUNK)).sum();
            most_held = most_held.max(held);
        }
        // Never more chunks than were ever held at once.
        assert_eq!(pool.next.len(), most_held);
    }

    /// The chunks a bucket gives back are the next ones taken, its last first.
    #[test]
    fn the_last_chunk_freed_is_the_first_taken() {
        let mut pool = ChunkPool::default();
        let (mut a, mut b) = (Bucket::EMPTY, Bucket::EMPTY);
        for i in 0..3 * CHUNK as u64 {
            pool.push(&mut a, i);
        }
        let last = a.last;
        pool.take_into(&mut a, &mut Vec::new());
        pool.push(&mut b, 0);
        assert_eq!(b.first, last);
        assert_eq!(pool.next.len(), 3);
    }
}
