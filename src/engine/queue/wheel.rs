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
//!
//! The buckets keep an event's time and the event, 16 bytes, not its sequence
//! number: every bucket holds its events in the order they were scheduled
//! (see [`TimeWheel::place`]), and events at the same instant always share a
//! bucket (the same time is the same window), so a bucket's order breaks
//! ties as the sequence numbers would. A third less memory to write, copy and
//! read per event than with the whole key (docs/performance.md, "The eleventh
//! session of issue 12").

use super::chunks::{Bucket, ChunkPool};
use super::{Key, QuadHeap};

/// An event in a bucket: its time's bits (see [`Key`]) and the event.
pub type Timed<E> = (u64, E);

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
    /// with the least key last (of two at the same time, the one scheduled
    /// first comes later in `run`).
    run: Vec<Timed<E>>,
    /// Events scheduled into the current window after it was sorted, under
    /// their whole key: at the same time as an event of `run`, they come after it.
    near: QuadHeap<E>,
    /// Scratch space for sorting a window: its events gathered from their
    /// chunks, and the words [`sort_into`] sorts.
    gathered: Vec<Timed<E>>,
    order: Vec<u64>,
    spread: Vec<u64>,
    /// `windows[w % SLOTS]`: the events of window `w`, for `current < w` in
    /// `ring`, in chunks of `chunks` (see [`super::chunks`]).
    windows: Vec<Bucket>,
    chunks: ChunkPool<Timed<E>>,
    /// One bit per entry of `windows`, set when it is not empty.
    windows_used: [u64; WORDS],
    /// `rings[r % SLOTS]`: the events of ring `r`, for `ring < r <= ring + SLOTS`,
    /// in chunks of `chunks` too.
    rings: Vec<Bucket>,
    rings_used: [u64; WORDS],
    /// Events of later rings.
    beyond: Vec<Timed<E>>,
    /// The earliest ring an event of `beyond` belongs to.
    beyond_ring: u64,
    /// Events on the wheel.
    len: usize,
    /// Windows sorted, and events in them, since the windows were last chosen.
    sorted_windows: u64,
    sorted_events: u64,
}

impl<E: Copy> TimeWheel<E> {
    /// A wheel holding `entries`, in the order they are to pop (ties in
    /// scheduling order), all at or after the last event popped.
    pub fn with(entries: Vec<Timed<E>>) -> Self {
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

    /// Chooses the windows afresh for `entries` (nothing else is on the wheel;
    /// in the order they are to pop, or at least with events at the same time
    /// in that order) and places them: the earliest event's window becomes the
    /// current one.
    /// The width is `width` if given (from the events per window seen), else
    /// the span of the earliest [`TARGET_PER_WINDOW`] events; never so narrow
    /// that the events would not fit in the rings (they would all wait in the
    /// overflow list).
    #[cold]
    fn rebase(&mut self, entries: Vec<Timed<E>>, width: Option<f64>) {
        debug_assert!(self.run.is_empty() && self.near.is_empty() && self.len == 0);
        self.sorted_windows = 0;
        self.sorted_events = 0;
        let mut times: Vec<f64> = entries
            .iter()
            .map(|&(time, _)| f64::from_bits(time))
            .collect();
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
        // The first window's events go to `near`, which needs whole keys: their
        // places in `entries` order them as their sequence numbers did, and
        // are below the sequence number of any event scheduled later (there
        // have been at least as many events as are pending).
        for (seq, (time, event)) in (0..).zip(entries) {
            self.push(Key { time, seq }, event);
        }
    }

    #[inline]
    fn window_of(&self, time: u64) -> u64 {
        // Clamped, so the mapping stays monotone whatever the time: times
        // beyond `LAST_WINDOW` windows share the last one, and times before
        // `origin` (none are pushed: the wheel is rebased inside a pop, which
        // then pops the earliest event, at `origin`) would share window 0.
        // Clamped in floating point, then converted to a signed integer: the
        // conversion to `u64`, with its saturation, took a fifth of scheduling.
        let w = ((f64::from_bits(time) - self.origin) * self.per_hour).clamp(0.0, LAST_WINDOW);
        w as i64 as u64
    }

    /// Adds `event` under `key`, which must not be below the last key popped,
    /// and above the key of every event on the wheel.
    #[inline(always)]
    pub fn push(&mut self, key: Key, event: E) {
        self.len += 1;
        self.place(key, event);
    }

    /// Puts an event in the part of the wheel its window belongs to.
    ///
    /// Each bucket then holds its events in scheduling order: events are
    /// pushed in that order, a ring's bucket is spread over windows that are
    /// all empty (their ring was out of reach until then), and the overflow
    /// list's events for a ring move to its bucket as soon as that ring comes
    /// within reach, before anything else can be pushed there.
    ///
    /// The common case (a later window of the current ring: a service's end,
    /// a handoff's arrival) is inlined into the list's `schedule`; the others
    /// are rare enough to pay for a call.
    #[inline(always)]
    fn place(&mut self, key: Key, event: E) {
        let w = self.window_of(key.time);
        // Most events fall in a later window of the current ring.
        if w > self.current && w / SLOTS as u64 == self.ring {
            let slot = w as usize % SLOTS;
            self.chunks.push(&mut self.windows[slot], (key.time, event));
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
        } else {
            self.place_far(w, (key.time, event));
        }
    }

    /// Puts an event of a later ring in that ring's bucket, or in the overflow list.
    fn place_far(&mut self, w: u64, entry: Timed<E>) {
        debug_assert!(w / SLOTS as u64 > self.ring);
        if w / SLOTS as u64 - self.ring <= SLOTS as u64 {
            let slot = (w / SLOTS as u64) as usize % SLOTS;
            self.chunks.push(&mut self.rings[slot], entry);
            self.rings_used[slot / 64] |= 1 << (slot % 64);
        } else {
            self.beyond_ring = self.beyond_ring.min(w / SLOTS as u64);
            self.beyond.push(entry);
        }
    }

    /// Whether the next event is in `near` (else at the end of `run`); `None`
    /// when both are empty (it is in a later window). At the same time, `run`'s
    /// event comes first: it was scheduled before the window was sorted.
    #[inline(always)]
    fn next_is_near(&self) -> Option<bool> {
        match (self.run.last(), self.near.peek()) {
            (Some(r), Some(n)) => Some(n.0.time < r.0),
            (Some(_), None) => Some(false),
            (None, Some(_)) => Some(true),
            (None, None) => None,
        }
    }

    /// The event with the least key, and its time's bits.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<Timed<E>> {
        // Most events come from the sorted window: that case is inlined.
        if let Some(&least) = self.run.last()
            && self.near.peek().is_none_or(|late| least.0 <= late.0.time)
        {
            self.len -= 1;
            self.run.pop();
            return Some(least);
        }
        self.pop_late_or_next_window()
    }

    /// [`Self::pop`] from `near`, or from the next window with events.
    #[inline(never)]
    fn pop_late_or_next_window(&mut self) -> Option<Timed<E>> {
        loop {
            match self.next_is_near() {
                Some(true) => {
                    self.len -= 1;
                    return self.near.pop().map(|(key, event)| (key.time, event));
                }
                Some(false) => {
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

    /// Every event, in the order they would pop (the wheel is left empty).
    pub fn drain(&mut self) -> Vec<Timed<E>> {
        let mut all = std::mem::take(&mut self.run);
        all.reverse();
        let mut near = self.near.take_all();
        near.sort_unstable_by_key(|&(key, _)| key);
        all.extend(near.into_iter().map(|(key, event)| (key.time, event)));
        for bucket in self.windows.iter_mut().chain(&mut self.rings) {
            self.chunks.take_into(bucket, &mut all);
        }
        all.append(&mut self.beyond);
        // Events at the same time are in one bucket, in their order, or in
        // `run` and then `near`, in theirs: a stable sort by time keeps it.
        all.sort_by_key(|&(time, _)| time);
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
                for &(time, event) in &bucket {
                    let w = self.window_of(time);
                    debug_assert_eq!(w / SLOTS as u64, self.ring);
                    let window = w as usize % SLOTS;
                    self.chunks.push(&mut self.windows[window], (time, event));
                    self.windows_used[window / 64] |= 1 << (window % 64);
                }
                self.gathered = bucket;
                // Rings that the overflow list reaches now get its events.
                if self.beyond_ring <= self.ring + SLOTS as u64 {
                    self.beyond_ring = u64::MAX;
                    for (time, event) in std::mem::take(&mut self.beyond) {
                        self.place_far(self.window_of(time), (time, event));
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

/// Puts the events of `bucket` (in scheduling order) into `run` (empty),
/// sorted by time with the least last, and of two at the same time the one
/// scheduled first later; `bucket` is left with any events (the caller
/// clears it).
///
/// A window's events are close in time, so their times' bits differ only in
/// their low bits: each time, less the window's least, then fits in 64 bits
/// with the event's place in the bucket, and the sort moves and compares one
/// `u64` per event, where sorting the entries themselves moved 32 bytes and
/// compared two words (`perf`: a seventh of the big organisation's time was
/// the sort). The place below the time breaks ties in scheduling order. When
/// the times are too far apart, the entries are sorted as they are, stably.
#[inline]
fn sort_into<E: Copy>(
    bucket: &mut Vec<Timed<E>>,
    run: &mut Vec<Timed<E>>,
    order: &mut Vec<u64>,
    spread: &mut Vec<u64>,
) {
    debug_assert!(run.is_empty());
    if bucket.is_empty() {
        return;
    }
    let (mut least, mut most) = (u64::MAX, 0);
    for &(time, _) in bucket.iter() {
        least = least.min(time);
        most = most.max(time);
    }
    let bits = |range: u64| u64::BITS - range.leading_zeros();
    let place_bits = bits(bucket.len() as u64);
    if bits(most - least) + place_bits > u64::BITS {
        bucket.sort_by_key(|&(time, _)| time);
        bucket.reverse();
        // `run` is empty: the swap hands over the sorted events, and keeps both buffers.
        std::mem::swap(run, bucket);
        return;
    }
    order.clear();
    order.extend(
        bucket
            .iter()
            .enumerate()
            .map(|(i, &(time, _))| (time - least) << place_bits | i as u64),
    );
    sort_words(order, spread, bits(most - least) + place_bits);
    let place = |o: u64| (o & ((1 << place_bits) - 1)) as usize;
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

    /// Entries as the wheel takes them: in key order, without sequence numbers.
    fn timed(mut entries: Vec<(Key, u64)>) -> Vec<Timed<u64>> {
        entries.sort_unstable();
        entries.into_iter().map(|(key, e)| (key.time, e)).collect()
    }

    /// Random schedules and pops against a binary heap of the same keys, with
    /// gaps from zero to far beyond the rings (the overflow list and choosing
    /// the windows afresh), bursts of equal times, and a density that changes
    /// by orders of magnitude (windows chosen afresh at a ring's end). Events
    /// are their sequence numbers, so ties are checked too.
    #[test]
    fn pops_what_a_binary_heap_pops() {
        for seed in 0..60 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let (mut now, mut seq) = (rng.random::<f64>() * 100.0, 0_u64);
            let mut reference = BinaryHeap::new();
            let mut initial = Vec::new();
            for _ in 0..rng.random_range(1..3000) {
                // Whole hours now and then, so that the first window has ties.
                let t = if rng.random::<f64>() < 0.2 {
                    now.floor()
                } else {
                    now + rng.random::<f64>() * 50.0
                };
                let entry = (Key::new(t, seq), seq);
                initial.push(entry);
                reference.push(Reverse(entry));
                seq += 1;
            }
            let mut wheel = TimeWheel::with(timed(initial));
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
                        let expected = reference.pop().map(|Reverse((k, e))| (k.time, e));
                        let got = wheel.pop();
                        assert_eq!(got, expected, "seed {seed}, phase {phase}, step {step}");
                        if let Some((t, _)) = got {
                            now = f64::from_bits(t);
                        }
                    }
                }
            }
            while let Some(Reverse((k, e))) = reference.pop() {
                assert_eq!(wheel.pop(), Some((k.time, e)), "seed {seed}: drained");
            }
            assert_eq!(wheel.pop(), None);
        }
    }

    /// Draining, whatever parts of the wheel hold events (the sorted window,
    /// late events in `near`, windows, rings, the overflow list, ties in each),
    /// returns them in the order they would have popped; a wheel made again
    /// from them pops them in that order too.
    #[test]
    fn drain_returns_every_event_in_popping_order() {
        for seed in 0..40 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut reference = BinaryHeap::new();
            let mut seq = 0_u64;
            let mut entry = |t: f64, reference: &mut BinaryHeap<_>| {
                let e = (Key::new(t, seq), seq);
                reference.push(Reverse(e));
                seq += 1;
                e
            };
            // Whole hours (ties) and spread times, over a year.
            let initial: Vec<_> = (0..5000)
                .map(|_| {
                    let t = rng.random::<f64>() * 8760.0;
                    entry(if rng.random() { t.floor() } else { t }, &mut reference)
                })
                .collect();
            let mut wheel = TimeWheel::with(timed(initial));
            let mut now = 0.0;
            for _ in 0..rng.random_range(0..3000) {
                let (t, e) = wheel.pop().expect("not empty");
                assert_eq!(
                    Some((t, e)),
                    reference.pop().map(|Reverse((k, e))| (k.time, e))
                );
                now = f64::from_bits(t);
            }
            // Late events into the sorted window (some at its events' times),
            // and events for later windows, rings and beyond them.
            let late = wheel.run.first().map_or(now, |&(t, _)| f64::from_bits(t));
            for _ in 0..rng.random_range(0..20) {
                let t = if rng.random() {
                    late
                } else {
                    now + (late - now) * rng.random::<f64>()
                };
                let (key, e) = entry(t, &mut reference);
                wheel.push(key, e);
            }
            for gap in [1.0, 100.0, 1e4, 1e7, 1e12] {
                for _ in 0..rng.random_range(0..50) {
                    let t = now + (gap * rng.random::<f64>()).floor();
                    let (key, e) = entry(t, &mut reference);
                    wheel.push(key, e);
                }
            }
            let expected: Vec<Timed<u64>> = std::iter::from_fn(|| reference.pop())
                .map(|Reverse((k, e))| (k.time, e))
                .collect();
            let drained = wheel.drain();
            assert_eq!(drained, expected, "seed {seed}");
            assert_eq!(wheel.pop(), None);
            let mut again = TimeWheel::with(drained);
            let popped: Vec<_> = std::iter::from_fn(|| again.pop()).collect();
            assert_eq!(popped, expected, "seed {seed}: made again");
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
        let mut wheel = TimeWheel::with(timed(entries));
        let (mut seen, mut popped) = (Vec::new(), Vec::new());
        // Until a window has been sorted, `soon` sees nothing.
        while wheel.run.is_empty() {
            seen.push((vec![None; 8], 0));
            popped.push(wheel.pop().expect("not empty").1);
        }
        // Late arrivals into the sorted window, so that `near` is not empty.
        let late = f64::from_bits(wheel.run[wheel.run.len() / 2].0);
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
    /// far apart for that, both come out in time order, ties in the order the
    /// bucket holds them (scheduling order), least last.
    #[test]
    fn windows_sort_by_time_then_bucket_order_whether_their_times_pack_or_not() {
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
            // Events are their places in the bucket; a third of the times shared.
            let mut bucket: Vec<Timed<u64>> = (0..len)
                .map(|i| {
                    let t = if rng.random::<f64>() < 0.3 {
                        base
                    } else {
                        base + rng.random::<f64>() * span
                    };
                    (Key::new(t, i).time, i)
                })
                .collect();
            let mut expected = bucket.clone();
            expected.sort_unstable_by_key(|&entry| Reverse(entry));
            run.clear();
            sort_into(&mut bucket, &mut run, &mut order, &mut spread);
            assert_eq!(run, expected, "case {case}");
        }
    }

    /// Every event at one instant, and a single event: any width orders them.
    #[test]
    fn equal_times_pop_in_scheduling_order() {
        let seven = Key::new(7.0, 0).time;
        let entries: Vec<Timed<u64>> = (0..5000).map(|s| (seven, s)).collect();
        let mut wheel = TimeWheel::with(entries);
        wheel.push(Key::new(7.0, 5000), 5000);
        let popped: Vec<u64> = std::iter::from_fn(|| wheel.pop().map(|(_, e)| e)).collect();
        assert_eq!(popped, (0..=5000).collect::<Vec<_>>());
        let three = Key::new(3.0, 0).time;
        let mut one = TimeWheel::with(vec![(three, 0)]);
        assert_eq!(one.pop(), Some((three, 0)));
        assert_eq!(one.pop(), None);
    }
}
