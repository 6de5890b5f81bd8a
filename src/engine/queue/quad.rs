//! A 4-ary heap: the event list while it is short.

use super::Key;

/// A 4-ary min-heap of `(key, event)`: half the levels of a binary heap, and
/// the four children of a node side by side (two cache lines), so a pop does
/// three levels of compares on the plain chain's sixty events where a binary
/// heap does six (callgrind: fewer instructions per pop than `std`'s binary
/// heap, see docs/performance.md). Keys are unique (they hold a sequence
/// number), so the order is fully determined.
pub struct QuadHeap<E> {
    items: Vec<(Key, E)>,
}

impl<E: Copy> QuadHeap<E> {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            items: Vec::with_capacity(capacity),
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The least key and its event.
    #[inline]
    pub fn peek(&self) -> Option<&(Key, E)> {
        self.items.first()
    }

    /// Every entry, in no particular order (the heap is left empty, without an allocation).
    pub fn take_all(&mut self) -> Vec<(Key, E)> {
        std::mem::take(&mut self.items)
    }

    #[inline(always)]
    pub fn push(&mut self, key: Key, event: E) {
        let items = &mut self.items;
        let mut hole = items.len();
        items.push((key, event));
        // Sift the new entry up: most events are due later than most pending ones.
        while hole > 0 {
            let parent = (hole - 1) / 4;
            let above = items[parent];
            if above.0 <= key {
                break;
            }
            items[hole] = above;
            hole = parent;
        }
        items[hole] = (key, event);
    }

    #[inline(always)]
    pub fn pop(&mut self) -> Option<(Key, E)> {
        let last = self.items.pop()?;
        let items = &mut self.items[..];
        let Some(&top) = items.first() else {
            return Some(last);
        };
        // Sift the former last entry down from the root.
        let n = items.len();
        let mut hole = 0;
        loop {
            let first = 4 * hole + 1;
            let least = if first + 4 <= n {
                // Four children: the least in two rounds of pairs, without early
                // exits (which the branch predictor would miss half the time).
                let c = &items[first..first + 4];
                let a = first + usize::from(c[1].0 < c[0].0);
                let b = first + 2 + usize::from(c[3].0 < c[2].0);
                if items[b].0 < items[a].0 { b } else { a }
            } else if first < n {
                (first + 1..n).fold(first, |m, i| if items[i].0 < items[m].0 { i } else { m })
            } else {
                break;
            };
            if items[least].0 >= last.0 {
                break;
            }
            items[hole] = items[least];
            hole = least;
        }
        items[hole] = last;
        Some(top)
    }
}
