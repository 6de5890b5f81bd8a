//! The slabs of orders, customers and complaints: `slab::Slab`'s rules, plus a prefetch.
//!
//! Keys are handed out exactly as `slab::Slab` hands them out (a freed slot is
//! the next one taken, last freed first), so replacing it changed no key and no
//! answer. What it adds is [`Arena::prefetch`]: the engine knows which order or
//! customer the next event will touch before it handles the current one, and
//! on the big organisation most of them are cold (an order waited hours in a
//! queue or days in a handoff, a customer has not been seen for weeks), so the
//! load is started [`PREFETCH_AHEAD`] events ahead (docs/performance.md, "The
//! big organisation").

use std::ops::{Index, IndexMut};

use super::{Event, Job, Mechanisms, Observer, Simulation};

/// How many events ahead the prefetch looks. An L3 miss on this machine takes
/// about as long as handling a few events; one event ahead, the handler still
/// waited for the order it needed (`perf`: a quarter of a handoff's arrival on
/// loading the order's record). Measured on the big organisation: 3, 6 and 12
/// ahead all beat 1, 6 the most (docs/performance.md).
const PREFETCH_AHEAD: usize = 6;

impl<O: Observer, M: Mechanisms> Simulation<'_, '_, O, M> {
    /// Starts loading what an event due soon will touch first, while the
    /// current one is handled: its order (a service end, a handoff's arrival,
    /// a chase), the order that will take its server's place, or its customer
    /// (a reorder). Only on long lists (see [`super::queue::EventQueue::soon_if_long`]).
    #[inline]
    pub(super) fn prefetch_ahead(&self) {
        let Some(&next) = self.events.soon_if_long(PREFETCH_AHEAD) else {
            return;
        };
        match next.unpack() {
            Event::ServiceEnd { dept, job } => {
                if let Job::Order(order) = job {
                    self.orders.prefetch(order as usize);
                }
                if let Some(&(Job::Order(waiting), _)) =
                    self.departments[dept as usize].queue.front()
                {
                    self.orders.prefetch(waiting as usize);
                }
            }
            Event::HandoffArrive { order } | Event::Chase { order } => {
                self.orders.prefetch(order as usize);
            }
            Event::Reorder { customer } => self.customers.prefetch(customer as usize),
            _ => {}
        }
    }
}

/// One bit per arena key, in a compact array that stays in the cache while
/// the entries it describes do not.
#[derive(Default)]
pub(super) struct KeyBits {
    words: Vec<u64>,
}

impl KeyBits {
    #[inline]
    pub(super) fn get(&self, key: usize) -> bool {
        self.words
            .get(key / 64)
            .is_some_and(|w| w & (1 << (key % 64)) != 0)
    }

    #[inline]
    pub(super) fn set(&mut self, key: usize, value: bool) {
        if self.words.len() <= key / 64 {
            self.words.resize(key / 64 + 1, 0);
        }
        let bit = 1 << (key % 64);
        if value {
            self.words[key / 64] |= bit;
        } else {
            self.words[key / 64] &= !bit;
        }
    }
}

enum Entry<T> {
    /// Free; holds the next free slot (the slab's length when none).
    Vacant(usize),
    Occupied(T),
}

// An order's or a customer's slot is no larger than the record (the free
// link sits in the record's spare bytes), so it stays within one cache line.
const _: () = assert!(std::mem::size_of::<Entry<super::Order>>() == 64);
const _: () = assert!(std::mem::size_of::<Entry<super::Customer>>() == 32);

pub(super) struct Arena<T> {
    entries: Vec<Entry<T>>,
    /// Occupied entries.
    len: usize,
    /// The slot the next insert takes.
    next: usize,
}

impl<T> Arena<T> {
    pub(super) fn new() -> Self {
        Self {
            entries: Vec::new(),
            len: 0,
            next: 0,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The key the next insert will hand out.
    #[inline]
    pub(super) fn vacant_key(&self) -> usize {
        self.next
    }

    /// Stores `value` and returns its key: the slot freed last, or a new one.
    #[inline]
    pub(super) fn insert(&mut self, value: T) -> usize {
        let key = self.next;
        self.len += 1;
        if key == self.entries.len() {
            self.entries.push(Entry::Occupied(value));
            self.next = key + 1;
        } else {
            // Only the free slot's link is read, not the whole stale entry.
            let Entry::Vacant(next) = self.entries[key] else {
                unreachable!("the free list holds vacant slots only");
            };
            self.next = next;
            self.entries[key] = Entry::Occupied(value);
        }
        key
    }

    /// Takes the value out of `key`, whose slot is the next one taken.
    ///
    /// # Panics
    /// If `key` holds nothing.
    pub(super) fn remove(&mut self, key: usize) -> T {
        let entry = self
            .entries
            .get_mut(key)
            .expect("removing a key the arena never handed out");
        match std::mem::replace(entry, Entry::Vacant(self.next)) {
            Entry::Occupied(value) => {
                self.len -= 1;
                self.next = key;
                value
            }
            Entry::Vacant(next) => {
                *entry = Entry::Vacant(next);
                panic!("removing a vacant key");
            }
        }
    }

    /// The occupied entries and their keys, in key order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (usize, &T)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(key, entry)| match entry {
                Entry::Occupied(value) => Some((key, value)),
                Entry::Vacant(_) => None,
            })
    }

    /// Asks the processor to bring the entry of `key` (its first two cache
    /// lines) into the cache, without waiting for it. A hint only: nothing is
    /// read, and a key out of range is ignored.
    #[inline]
    pub(super) fn prefetch(&self, key: usize) {
        if key < self.entries.len() {
            let entry: *const Entry<T> = self.entries.as_ptr().wrapping_add(key);
            prefetch_lines(entry.cast(), std::mem::size_of::<Entry<T>>());
        }
    }
}

/// Prefetches the cache lines of `bytes` bytes from `start` (at most two).
#[inline(always)]
fn prefetch_lines(start: *const i8, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is a hint that never faults and changes no memory,
        // whatever the address; `start` points into a live allocation anyway.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(start);
            if bytes > 64 {
                _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(64));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (start, bytes);
}

impl<T> Index<usize> for Arena<T> {
    type Output = T;

    #[inline]
    fn index(&self, key: usize) -> &T {
        match self.entries.get(key) {
            Some(Entry::Occupied(value)) => value,
            _ => panic!("no value at key {key}"),
        }
    }
}

impl<T> IndexMut<usize> for Arena<T> {
    #[inline]
    fn index_mut(&mut self, key: usize) -> &mut T {
        match self.entries.get_mut(key) {
            Some(Entry::Occupied(value)) => value,
            _ => panic!("no value at key {key}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    use super::{Arena, KeyBits};

    /// The arena hands out the same keys as `slab::Slab` for any sequence of
    /// inserts and removes (the engine's answers depend on nothing else).
    #[test]
    fn hands_out_the_keys_a_slab_hands_out() {
        for seed in 0..50 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut arena = Arena::new();
            let mut slab = slab::Slab::new();
            let mut live = Vec::new();
            for step in 0..2000_u32 {
                if live.is_empty() || rng.random::<f64>() < 0.55 {
                    assert_eq!(arena.vacant_key(), slab.vacant_key());
                    let key = arena.insert(step);
                    assert_eq!(key, slab.insert(step), "seed {seed}, step {step}");
                    live.push(key);
                } else {
                    let key = live.swap_remove(rng.random_range(0..live.len()));
                    assert_eq!(arena.remove(key), slab.remove(key));
                }
                assert_eq!(arena.len(), slab.len());
                arena.prefetch(step as usize);
            }
            for &key in &live {
                assert_eq!(arena[key], slab[key]);
            }
            assert!(arena.iter().eq(slab.iter()), "seed {seed}: same entries");
        }
    }

    /// Against a `Vec<bool>`: bits set and cleared at random keys, across
    /// word edges, read back (unset keys beyond the end read false).
    #[test]
    fn key_bits_read_what_was_set() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut bits = KeyBits::default();
        let mut reference = vec![false; 1000];
        for _ in 0..5000 {
            let key = rng.random_range(0..reference.len());
            let value = rng.random::<bool>();
            bits.set(key, value);
            reference[key] = value;
        }
        for (key, &value) in reference.iter().enumerate() {
            assert_eq!(bits.get(key), value, "key {key}");
        }
        assert!(!bits.get(1_000_000));
    }

    #[test]
    #[should_panic(expected = "vacant")]
    fn removing_twice_panics() {
        let mut arena = Arena::new();
        let key = arena.insert(1);
        arena.remove(key);
        arena.remove(key);
    }
}
