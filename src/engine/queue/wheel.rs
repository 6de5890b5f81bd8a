//! The event list for long lists: a two-level timing wheel whose current
//! window is sorted once.
//!
//! Time is cut into windows of equal width (chosen so that a window holds a few
//! dozen events, see [`TARGET_PER_WINDOW`]), and windows into rings of
//! [`SLOTS`]. Events of the current ring's later windows sit unsorted in one
//! bucket per window; events of the next [`SLOTS`] rings, unsorted in one
//! bucket per ring; later still, in one overflow list. Scheduling is a push
//! onto one of these buckets (chains of chunks from one pool, see
//! [`super::chunks`]). When the clock reaches a window, its bucket is sorted
//! and popped from the end; when it reaches a ring, that ring's bucket is
//! spread over the windows.
//!
//! A far event (a reorder twenty days ahead) is thus written twice or three
//! times and sorted once among a few dozen; in the radix heap this replaced it
//! moved four or five times between buckets whose ends were rarely in the
//! cache (docs/performance.md, "A timing wheel for long lists").
//!
//! Order is exact. An event's window is `floor((time − origin) × per_hour)`,
//! computed in floating point, which never decreases as the time grows
//! (subtraction, multiplication by a positive number and `floor` are monotone
//! in IEEE 754 arithmetic), so an event in an earlier window is never later
//! than one in a later window; within a window, events are ordered by their
//! whole key (time bits, then sequence number).

use super::chunks::{Bucket, ChunkPool};
use super::{Key, QuadHeap};

/// Windows in a ring, and rings ahead kept in buckets of their own.
const SLOTS: usize = 1024;
const WORDS: usize = SLOTS / 64;
/// Events a window should hold when its width is chosen: enough that sorting a
/// window costs little per event, few enough that it sorts in the L1 cache.
const TARGET_PER_WINDOW: usize = 48;
/// The last window: later times share it (and are sorted by their whole key).
const LAST_WINDOW: f64 = (1_u64 << 62) as f64;

pub struct TimeWheel<E> {
    /// An event's window is `floor((time − origin) × per_hour)`.
    origin: f64,
    per_hour: f64,
    /// The window being popped: every event of it, and of any earlier window,
    /// is in `run` or `near`; every later event is in a bucket.
    current: u64,
    /// The ring whose windows are in `windows` (`window / SLOTS`).
    ring: u64,
    /// The current window's events as they were when it was reached, sorted
    /// with the least key last.
    run: Vec<(Key, E)>,
    /// Events scheduled into the current window after it was sorted.
    near: QuadHeap<E>,
    /// Scratch space for sorting a window: its events gathered from their
    /// chunks, and the words [`sort_into`] sorts.
    gathered: Vec<(Key, E)>,
    order: Vec<u64>,
    spread: Vec<u64>,
    /// `windows[w % SLOTS]`: the events of window `w`, for `current < w` in
    /// `ring`, in chunks of `chunks` (see [`super::chunks`]).
    windows: Vec<Bucket>,
    chunks: ChunkPool<(Key, E)>,
    /// One bit per entry of `windows`, set when it is not empty.
    windows_used: [u64; WORDS],
    /// `rings[r % SLOTS]`: the events of ring `r`, for `ring < r <= ring + SLOTS`,
    /// in chunks of `chunks` too.
    rings: Vec<Bucket>,
    rings_used: [u64; WORDS],
    /// Events of later rings.
    beyond: Vec<(Key, E)>,
    /// The earliest ring an event of `beyond` belongs to.
    beyond_ring: u64,
    /// Events on the wheel.
    len: usize,
    /// Windows sorted, and events in them, since the windows were last chosen.
    sorted_windows: u64,
    sorted_events: u64,
}

impl<E: Copy> TimeWheel<E> {
    /// A wheel holding `entries`, whose keys are all at or above the last key popped.
    pub fn with(entries: Vec<(Key, E)>) -> Self {
        let mut wheel = Self {
            origin: 0.0,
            per_hour: 1.0,
            current: 0,
            ring: 0,
            run: Vec::new(),
            near: QuadHeap::with_capacity(64),
            gathered: Vec::new(),
            order: Vec::new(),
            spread: Vec::new(),
            windows: vec![Bucket::EMPTY; SLOTS],
            chunks: ChunkPool::default(),
            windows_used: [0; WORDS],
            rings: vec![Bucket::EMPTY; SLOTS],
            rings_used: [0; WORDS],
            beyond: Vec::new(),
            beyond_ring: u64::MAX,
            len: 0,
            sorted_windows: 0,
            sorted_events: 0,
        };
        wheel.rebase(entries, None);
        wheel
    }

    /// Chooses the windows afresh for `entries` (nothing else is on the wheel)
    /// and places them: the earliest event's window becomes the current one.
    /// The width is `width` if given (from the events per window seen), else
    /// the span of the earliest [`TARGET_PER_WINDOW`] events; never so narrow
    /// that the events would not fit in the rings (they would all wait in the
    /// overflow list).
    #[cold]
    fn rebase(&mut self, entries: Vec<(Key, E)>, width: Option<f64>) {
        debug_assert!(self.run.is_empty() && self.near.is_empty() && self.len == 0);
        self.sorted_windows = 0;
        self.sorted_events = 0;
        let mut times: Vec<f64> = entries.iter().map(|&(key, _)| key.time()).collect();
        let Some((&first, &last)) = times
            .iter()
            .min_by(|a, b| a.total_cmp(b))
            .zip(times.iter().max_by(|a, b| a.total_cmp(b)))
        else {
            return;
        };
        let mut width = width.unwrap_or_else(|| {
            let k = TARGET_PER_WINDOW.min(times.len() - 1);
            let (_, &mut kth, _) = times.select_nth_unstable_by(k, f64::total_cmp);
            kth - first
        });
        // Half the rings' reach for the whole span.
        width = width.max((last - first) / (SLOTS * SLOTS / 2) as f64);
        if !(width > 0.0 && width.is_finite()) {
            // All at one instant (or one event): any width orders them.
            width = 1.0;
        }
        self.origin = first;
        self.per_hour = 1.0 / width;
        self.current = 0;
        self.ring = 0;
        for (key, event) in entries {
            self.push(key, event);
        }
    }

    #[inline]
    fn window_of(&self, key: Key) -> u64 {
        // Clamped, so the mapping stays monotone whatever the time: times
        // beyond `LAST_WINDOW` windows share the last one, and times before
        // `origin` (none are pushed: the wheel is rebased inside a pop, which
        // then pops the earliest event, at `origin`) would share window 0.
        // Clamped in floating point, then converted to a signed integer: the
        // conversion to `u64`, with its saturation, took a fifth of scheduling.
        let w = ((key.time() - self.origin) * self.per_hour).clamp(0.0, LAST_WINDOW);
        w as i64 as u64
    }

    /// Adds `event` under `key`, which must not be below the last key popped.
    #[inline(always)]
    pub fn push(&mut self, key: Key, event: E) {
        self.len += 1;
        self.place(key, event);
    }

    /// Puts an event in the part of the wheel its window belongs to.
    ///
    /// The common case (a later window of the current ring: a service's end,
    /// a handoff's arrival) is inlined into the list's `schedule`; the others
    /// are rare enough to pay for a call.
    #[inline(always)]
    fn place(&mut self, key: Key, event: E) {
        let w = self.window_of(key);
        // Most events fall in a later window of the current ring.
        if w > self.current && w / SLOTS as u64 == self.ring {
            let slot = w as usize % SLOTS;
            self.chunks.push(&mut self.windows[slot], (key, event));
            self.windows_used[slot / 64] |= 1 << (slot % 64);
        } else {
            self.place_elsewhere(w, key, event);
        }
    }

    /// [`Self::place`] for an event in the current window, or beyond the current ring.
    #[inline(never)]
    fn place_elsewhere(&mut self, w: u64, key: Key, event: E) {
        if w <= self.current {
            self.near.push(key, event);
        } else if w / SLOTS as u64 - self.ring <= SLOTS as u64 {
            let slot = (w / SLOTS as u64) as usize % SLOTS;
            self.chunks.push(&mut self.rings[slot], (key, event));
            self.rings_used[slot / 64] |= 1 << (slot % 64);
        } else {
            self.beyond_ring = self.beyond_ring.min(w / SLOTS as u64);
            self.beyond.push((key, event));
        }
    }

    /// The next event's entry, and whether it is in `near` (else at the end of
    /// `run`); `None` when both are empty (it is in a later window).
    #[inline(always)]
    fn next_entry(&self) -> Option<(&(Key, E), bool)> {
        match (self.run.last(), self.near.peek()) {
            (Some(r), Some(n)) if n.0 < r.0 => Some((n, true)),
            (Some(r), _) => Some((r, false)),
            (None, Some(n)) => Some((n, true)),
            (None, None) => None,
        }
    }

    /// The event with the least key, and its key.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(Key, E)> {
        // Most events come from the sorted window: that case is inlined.
        if let Some(&least) = self.run.last()
            && self.near.peek().is_none_or(|late| least.0 < late.0)
        {
            self.len -= 1;
            self.run.pop();
            return Some(least);
        }
        self.pop_late_or_next_window()
    }

    /// [`Self::pop`] from `near`, or from the next window with events.
    #[inline(never)]
    fn pop_late_or_next_window(&mut self) -> Option<(Key, E)> {
        loop {
            match self.next_entry() {
                Some((_, true)) => {
                    self.len -= 1;
                    return self.near.pop();
                }
                Some((_, false)) => {
                    self.len -= 1;
                    return self.run.pop();
                }
                None => {
                    if !self.advance() {
                        return None;
                    }
                }
            }
        }
    }

    /// The event `ahead` places after the next in the current window's sorted
    /// run, if the run is that long (see [`super::EventQueue::soon_if_long`]).
    #[inline]
    pub fn soon(&self, ahead: usize) -> Option<&E> {
        let at = self.run.len().checked_sub(1 + ahead)?;
        self.run.get(at).map(|(_, event)| event)
    }

    /// Every event, in no particular order (the wheel is left empty).
    pub fn drain(&mut self) -> Vec<(Key, E)> {
        let mut all = std::mem::take(&mut self.run);
        all.append(&mut self.near.take_all());
        for bucket in self.windows.iter_mut().chain(&mut self.rings) {
            self.chunks.take_into(bucket, &mut all);
        }
        all.append(&mut self.beyond);
        self.beyond_ring = u64::MAX;
        self.len = 0;
        self.windows_used = [0; WORDS];
        self.rings_used = [0; WORDS];
        all
    }

    /// Moves the clock's window on to the next one with events, and sorts it
    /// into `run`; false when no event is left.
    #[cold]
    fn advance(&mut self) -> bool {
        if self.len == 0 {
            return false;
        }
        loop {
            // The next used window of this ring, after the current one.
            let from = if self.current / SLOTS as u64 == self.ring {
                self.current as usize % SLOTS + 1
            } else {
                0
            };
            if let Some(slot) = next_set(&self.windows_used, from) {
                self.windows_used[slot / 64] &= !(1 << (slot % 64));
                self.current = self.ring * SLOTS as u64 + slot as u64;
                let bucket = &mut self.windows[slot];
                self.sorted_windows += 1;
                self.sorted_events += bucket.len() as u64;
                self.gathered.clear();
                self.chunks.take_into(bucket, &mut self.gathered);
                sort_into(
                    &mut self.gathered,
                    &mut self.run,
                    &mut self.order,
                    &mut self.spread,
                );
                return true;
            }
            // This ring is done. If its windows held several times the events
            // they were chosen for (the list grew or thinned out), choose them
            // afresh; only after a quarter of the list has been popped since
            // they were last chosen, so that the moves cost at most four per pop.
            if self.sorted_windows >= SLOTS as u64 / 4 && self.sorted_events >= self.len as u64 / 4
            {
                let per_window = self.sorted_events as f64 / self.sorted_windows as f64;
                let target = TARGET_PER_WINDOW as f64;
                if per_window > 3.0 * target || per_window < target / 3.0 {
                    let width = target / per_window / self.per_hour;
                    let all = self.drain();
                    self.rebase(all, Some(width));
                    if !self.near.is_empty() {
                        return true;
                    }
                    continue;
                }
            }
            // Spread the next used ring over the windows.
            let start = (self.ring as usize + 1) % SLOTS;
            let next = next_set(&self.rings_used, start).or_else(|| next_set(&self.rings_used, 0));
            if let Some(slot) = next {
                let ahead = (slot + SLOTS - start) % SLOTS + 1;
                self.ring += ahead as u64;
                // No window of the new ring has been reached yet.
                self.current = self.ring * SLOTS as u64 - 1;
                self.rings_used[slot / 64] &= !(1 << (slot % 64));
                // Gathered first: the chunks it frees are the first the windows take.
                let mut bucket = std::mem::take(&mut self.gathered);
                bucket.clear();
                self.chunks.take_into(&mut self.rings[slot], &mut bucket);
                for &(key, event) in &bucket {
                    let w = self.window_of(key);
                    debug_assert_eq!(w / SLOTS as u64, self.ring);
                    let window = w as usize % SLOTS;
                    self.chunks.push(&mut self.windows[window], (key, event));
                    self.windows_used[window / 64] |= 1 << (window % 64);
                }
                self.gathered = bucket;
                // Rings that the overflow list reaches now get its events.
                if self.beyond_ring <= self.ring + SLOTS as u64 {
                    self.beyond_ring = u64::MAX;
                    for (key, event) in std::mem::take(&mut self.beyond) {
                        self.place(key, event);
                    }
                }
                continue;
            }
            if self.beyond.is_empty() {
                return false;
            }
            // Only events far beyond the rings are left: choose windows for them.
            let beyond = self.drain();
            self.rebase(beyond, None);
            if !self.near.is_empty() {
                return true;
            }
        }
    }
}

/// Puts the events of `bucket` into `run` (empty), sorted with the least key
/// last; `bucket` is left with any events (the caller clears it).
///
/// A window's events are close in time, so their times' bits differ only in
/// their low bits: each time, less the window's least, then fits in 64 bits
/// with the event's place in the bucket, and the sort moves and compares one
/// `u64` per event, where sorting the entries themselves moved 32 bytes and
/// compared two words (`perf`: a seventh of the big organisation's time was
/// the sort). Events at the same instant (rare but for whole-hour scenarios)
/// are then put in scheduling order among themselves, so the order is the
/// keys' exactly. When the times are too far apart, the entries are sorted as
/// they are.
#[inline]
fn sort_into<E: Copy>(
    bucket: &mut Vec<(Key, E)>,
    run: &mut Vec<(Key, E)>,
    order: &mut Vec<u64>,
    spread: &mut Vec<u64>,
) {
    debug_assert!(run.is_empty());
    if bucket.is_empty() {
        return;
    }
    let time = |key: Key| key.time;
    let (mut least, mut most) = (u64::MAX, 0);
    for &(key, _) in bucket.iter() {
        least = least.min(time(key));
        most = most.max(time(key));
    }
    let bits = |range: u64| u64::BITS - range.leading_zeros();
    let place_bits = bits(bucket.len() as u64);
    if bits(most - least) + place_bits > u64::BITS {
        bucket.sort_unstable_by_key(|&(key, _)| std::cmp::Reverse(key));
        // `run` is empty: the swap hands over the sorted events, and keeps both buffers.
        std::mem::swap(run, bucket);
        return;
    }
    order.clear();
    order.extend(
        bucket
            .iter()
            .enumerate()
            .map(|(i, &(key, _))| (time(key) - least) << place_bits | i as u64),
    );
    sort_words(order, spread, bits(most - least) + place_bits);
    let place = |o: u64| (o & ((1 << place_bits) - 1)) as usize;
    // Runs of equal times, by sequence number (looked for only when there are some).
    let same_time = |a: u64, b: u64| (a ^ b) >> place_bits == 0;
    if order.windows(2).any(|pair| same_time(pair[0], pair[1])) {
        let mut from = 0;
        for i in 1..=order.len() {
            if i == order.len() || !same_time(order[i], order[from]) {
                if i - from > 1 {
                    order[from..i].sort_unstable_by_key(|&o| bucket[place(o)].0);
                }
                from = i;
            }
        }
    }
    run.extend(order.iter().rev().map(|&o| bucket[place(o)]));
}

/// Sorts `words`, which are below `1 << bits`: one counting pass on their top
/// eight bits into `spread`, then an insertion sort, which finds them nearly
/// sorted. A window's times are spread fairly evenly over its width, so most
/// of its events land alone or in twos among the 256 digits: the two passes
/// take about a third of the instructions of `sort_unstable` on a window of
/// a hundred (callgrind). Long windows (a burst, whose insertion sort could
/// take long) go to `sort_unstable`.
fn sort_words(words: &mut Vec<u64>, spread: &mut Vec<u64>, bits: u32) {
    const DIGITS: usize = 256;
    if words.len() > 4 * DIGITS {
        words.sort_unstable();
        return;
    }
    let shift = bits.saturating_sub(DIGITS.trailing_zeros());
    let digit = |w: u64| (w >> shift) as usize;
    let mut starts = [0_u32; DIGITS + 1];
    for &w in words.iter() {
        starts[digit(w) + 1] += 1;
    }
    for d in 0..DIGITS {
        starts[d + 1] += starts[d];
    }
    spread.clear();
    spread.resize(words.len(), 0);
    for &w in words.iter() {
        let at = &mut starts[digit(w)];
        spread[*at as usize] = w;
        *at += 1;
    }
    for i in 1..spread.len() {
        let w = spread[i];
        let mut j = i;
        while j > 0 && spread[j - 1] > w {
            spread[j] = spread[j - 1];
            j -= 1;
        }
        spread[j] = w;
    }
    std::mem::swap(words, spread);
}

/// The first set bit at or after `from` in `bits`.
#[inline]
fn next_set(bits: &[u64; WORDS], from: usize) -> Option<usize> {
    if from >= SLOTS {
        return None;
    }
    let mut word = from / 64;
    let mut masked = bits[word] & (u64::MAX << (from % 64));
    loop {
        if masked != 0 {
            return Some(word * 64 + masked.trailing_zeros() as usize);
        }
        word += 1;
        if word == WORDS {
            return None;
        }
        masked = bits[word];
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    use super::*;

    /// Random schedules and pops against a binary heap of the same keys, with
    /// gaps from zero to far beyond the rings (the overflow list and choosing
    /// the windows afresh), bursts of equal times, and a density that changes
    /// by orders of magnitude (windows chosen afresh at a ring's end).
    #[test]
    fn pops_and_peeks_what_a_binary_heap_pops() {
        for seed in 0..60 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let (mut now, mut seq) = (rng.random::<f64>() * 100.0, 0_u64);
            let mut reference = BinaryHeap::new();
            let mut initial = Vec::new();
            for _ in 0..rng.random_range(1..3000) {
                let entry = (Key::new(now + rng.random::<f64>() * 50.0, seq), seq);
                initial.push(entry);
                reference.push(Reverse(entry));
                seq += 1;
            }
            let mut wheel = TimeWheel::with(initial);
            // The typical gap shrinks a hundredfold and grows back, phase by phase.
            for (phase, scale) in [1.0, 0.1, 0.01, 1.0, 100.0].into_iter().enumerate() {
                for step in 0..20_000 {
                    if rng.random::<f64>() < 0.5 {
                        let gap = match rng.random_range(0..8) {
                            0 => 0.0,
                            1 => f64::from(rng.random_range(0..3)) * scale,
                            2 => rng.random::<f64>() * 1e-9,
                            3 => rng.random::<f64>() * 1e9,
                            4 => rng.random::<f64>() * 1e15,
                            _ => -(1.0 - rng.random::<f64>()).ln() * scale,
                        };
                        let entry = (Key::new(now + gap, seq), seq);
                        wheel.push(entry.0, entry.1);
                        reference.push(Reverse(entry));
                        seq += 1;
                    } else {
                        let expected = reference.pop().map(|Reverse(entry)| entry);
                        let got = wheel.pop();
                        assert_eq!(got, expected, "seed {seed}, phase {phase}, step {step}");
                        if let Some((k, _)) = got {
                            now = k.time();
                        }
                    }
                }
            }
            while let Some(Reverse(entry)) = reference.pop() {
                assert_eq!(wheel.pop(), Some(entry), "seed {seed}: drained");
            }
            assert_eq!(wheel.pop(), None);
        }
    }

    /// `soon(k)` names the event popped `k` pops later, or up to as many pops
    /// after that as there are late events in `near` (which it does not see).
    #[test]
    fn soon_names_an_event_popped_that_many_pops_later() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let entries: Vec<(Key, u64)> = (0..20_000)
            .map(|s| (Key::new(rng.random::<f64>() * 1e4, s), s))
            .collect();
        let mut wheel = TimeWheel::with(entries);
        let (mut seen, mut popped) = (Vec::new(), Vec::new());
        // Until a window has been sorted, `soon` sees nothing.
        while wheel.run.is_empty() {
            seen.push((vec![None; 8], 0));
            popped.push(wheel.pop().expect("not empty").1);
        }
        // Late arrivals into the sorted window, so that `near` is not empty.
        let late = wheel.run[wheel.run.len() / 2].0.time();
        for s in 20_000..20_010 {
            wheel.push(Key::new(late, s), s);
        }
        while wheel.len > 0 {
            let ahead: Vec<Option<u64>> = (0..8).map(|k| wheel.soon(k).copied()).collect();
            seen.push((ahead, wheel.near.len()));
            popped.push(wheel.pop().expect("not empty").1);
        }
        let mut named = 0;
        for (i, (ahead, near)) in seen.iter().enumerate() {
            for (k, event) in ahead.iter().enumerate() {
                let Some(event) = event else { continue };
                let at = popped.iter().position(|e| e == event).expect("popped once");
                assert!(
                    (i + k..=i + k + near).contains(&at),
                    "pop {i}, {k} ahead: named the event popped at {at}"
                );
                named += 1;
            }
        }
        // Most steps see far enough into their window.
        assert!(named > 20_000 * 8 / 2, "named {named}");
    }

    /// A window sorted through its packed times, and one whose times are too
    /// far apart for that, both come out in key order, ties by sequence number.
    #[test]
    fn windows_sort_by_key_whether_their_times_pack_or_not() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let (mut run, mut order, mut spread) = (Vec::new(), Vec::new(), Vec::new());
        for case in 0..2000 {
            // Now and then a burst longer than the counting sort takes.
            let len = if case % 10 == 9 {
                rng.random_range(1000..1100)
            } else {
                rng.random_range(0..200)
            };
            let base = rng.random::<f64>() * 1e4;
            // Narrow windows pack; spans up to 1e300 hours do not.
            let span = [1e-3, 1.0, 1e6, 1e300][case % 4];
            let mut bucket: Vec<(Key, u64)> = (0..len)
                .map(|i| {
                    // Sequence numbers unique (as the list's are) but far
                    // apart, and a third of the times shared.
                    let seq = (rng.random::<u64>() >> rng.random_range(11..64)) << 11 | i;
                    let t = if rng.random::<f64>() < 0.3 {
                        base
                    } else {
                        base + rng.random::<f64>() * span
                    };
                    (Key::new(t, seq), i)
                })
                .collect();
            bucket.sort_unstable_by_key(|e| e.1 * 7919 % len);
            let mut expected = bucket.clone();
            expected.sort_unstable_by_key(|&(k, _)| std::cmp::Reverse(k));
            run.clear();
            sort_into(&mut bucket, &mut run, &mut order, &mut spread);
            assert_eq!(run, expected, "case {case}");
        }
    }

    /// Every event at one instant, and a single event: any width orders them.
    #[test]
    fn equal_times_pop_in_scheduling_order() {
        let entries: Vec<(Key, u64)> = (0..5000).map(|s| (Key::new(7.0, s), s)).collect();
        let mut wheel = TimeWheel::with(entries);
        wheel.push(Key::new(7.0, 5000), 5000);
        let popped: Vec<u64> = std::iter::from_fn(|| wheel.pop().map(|(_, e)| e)).collect();
        assert_eq!(popped, (0..=5000).collect::<Vec<_>>());
        let mut one = TimeWheel::with(vec![(Key::new(3.0, 0), 0)]);
        assert_eq!(one.pop(), Some((Key::new(3.0, 0), 0)));
        assert_eq!(one.pop(), None);
    }

    /// Draining returns every event once, whatever part of the wheel holds it.
    #[test]
    fn drain_returns_every_event() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let entries: Vec<(Key, u64)> = (0..5000)
            .map(|s| (Key::new(rng.random::<f64>() * 1e6, s), s))
            .collect();
        let mut expected = entries.clone();
        expected.sort_unstable();
        let mut wheel = TimeWheel::with(entries);
        for (earliest, _) in expected.drain(..100) {
            assert_eq!(wheel.pop().map(|e| e.0), Some(earliest));
        }
        wheel.push(Key::new(1e300, 9999), 9999);
        expected.push((Key::new(1e300, 9999), 9999));
        let mut left = wheel.drain();
        left.sort_unstable();
        assert_eq!(left, expected);
        assert_eq!(wheel.pop(), None);
    }
}
