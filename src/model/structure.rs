//! How an organisation is arranged beyond departments and routes: opening hours,
//! cross-trained pools and incident windows (issue "Structures a consultant compares").

use super::{DeptId, Distribution, HandoffId};

/// Minutes in a week: opening hours repeat with this period, from Monday 00:00 at time 0.
pub const WEEK_MINUTES: u32 = 7 * 24 * 60;

/// When a department or pool is open, repeating every week.
#[derive(Debug, Clone, PartialEq)]
pub struct Hours {
    /// Open windows as `[start, end)` minutes since Monday 00:00, sorted, not
    /// overlapping, not touching, each within `0..=WEEK_MINUTES` (a window that
    /// crosses the end of Sunday is stored as two). Never empty.
    pub windows: Vec<(u32, u32)>,
}

/// Staff trained for several departments, who serve their queues when idle.
#[derive(Debug, Clone)]
pub struct Pool {
    pub name: String,
    pub staff: u32,
    /// The departments whose queues it serves, in the order listed.
    pub serves: Vec<DeptId>,
    /// `None`: always open.
    pub hours: Option<Hours>,
    /// Money per staff member per open hour.
    pub cost: f64,
}

/// A named time window whose values replace the scenario's.
#[derive(Debug, Clone)]
pub struct Incident {
    pub name: String,
    /// Start and end of the (first) window, hours since the start of the run.
    pub from_h: f64,
    pub to_h: f64,
    /// The window repeats with this period (`every`), when given.
    pub every_h: Option<f64>,
    pub target: IncidentTarget,
}

impl Incident {
    /// How many of its windows open before `end_h` (hours since the start of the run).
    pub fn windows_before(&self, end_h: f64) -> u64 {
        if self.from_h >= end_h {
            return 0;
        }
        match self.every_h {
            None => 1,
            // Saturates (as `as` does) for a period too short to count.
            Some(p) => ((end_h - self.from_h) / p).ceil() as u64,
        }
    }
}

/// What an incident changes; `None` fields keep the scenario's value.
#[derive(Debug, Clone)]
pub enum IncidentTarget {
    Handoff {
        handoff: HandoffId,
        lose: Option<f64>,
        error: Option<f64>,
        catch: Option<f64>,
        /// `Some(None)`: the delay becomes instant.
        delay: Option<Option<Distribution>>,
    },
    Department {
        department: DeptId,
        staff: Option<u32>,
        service: Option<Distribution>,
    },
}

impl Hours {
    /// Open all week (what a department without `hours` is).
    pub fn always() -> Self {
        Self {
            windows: vec![(0, WEEK_MINUTES)],
        }
    }

    /// Open minutes in one week.
    pub fn open_minutes(&self) -> u32 {
        self.windows.iter().map(|&(s, e)| e - s).sum()
    }

    /// Open hours in one week.
    pub fn open_hours_per_week(&self) -> f64 {
        f64::from(self.open_minutes()) / 60.0
    }

    /// Whether it is open at every minute of the week.
    pub fn is_always(&self) -> bool {
        self.open_minutes() == WEEK_MINUTES
    }

    /// The moments in a week where the state changes, in minutes since Monday
    /// 00:00, sorted, with `true` for an opening. A window that runs over the
    /// end of Sunday into Monday is one opening and one closing, not two of each.
    #[cfg(test)]
    fn changes(&self) -> Vec<(u32, bool)> {
        let wraps = self.windows.first().is_some_and(|w| w.0 == 0)
            && self.windows.last().is_some_and(|w| w.1 == WEEK_MINUTES);
        let mut out = Vec::with_capacity(2 * self.windows.len());
        for &(s, e) in &self.windows {
            if !(s == 0 && wraps) {
                out.push((s, true));
            }
            if !(e == WEEK_MINUTES && wraps) {
                out.push((e, false));
            }
        }
        out
    }

    /// Whether it is open at `t_h` (hours since Monday 00:00 of the first week),
    /// and the next time after `t_h` at which that changes (infinite when open
    /// all week). At a change time itself, the state is the one after the change.
    ///
    /// Change times are computed as `minutes / 60` in floating point, and
    /// compared in that form, so an event scheduled at a returned time sees the
    /// new state, and asking again there returns a later time, never the same.
    pub fn state_at(&self, t_h: f64) -> (bool, f64) {
        // The week's changes are `self.windows` flattened (each window's start,
        // then its end), without the opening at Monday 00:00 and the closing
        // at the end of Sunday of a window that wraps: read them by index, and
        // find the next one by bisection, so a week of thousands of windows
        // costs a few comparisons per call, not a list built and scanned.
        let wraps = self.windows.first().is_some_and(|w| w.0 == 0)
            && self.windows.last().is_some_and(|w| w.1 == WEEK_MINUTES);
        let skip = usize::from(wraps);
        let len = 2 * self.windows.len() - 2 * skip;
        if len == 0 {
            return (true, f64::INFINITY);
        }
        let change = |i: usize| {
            let j = i + skip;
            let w = self.windows[j / 2];
            if j.is_multiple_of(2) {
                (w.0, true)
            } else {
                (w.1, false)
            }
        };
        let week = f64::from(WEEK_MINUTES);
        let first_week = ((t_h * 60.0) / week).floor() as i64 - 2;
        let mut open = !change(len - 1).1;
        for k in first_week.. {
            let at = |i: usize| (k as f64 * week + f64::from(change(i).0)) / 60.0;
            // The first change of week `k` after `t_h` (times rise with `i`).
            let (mut lo, mut hi) = (0, len);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if at(mid) > t_h {
                    hi = mid
                } else {
                    lo = mid + 1
                }
            }
            if lo < len {
                if lo > 0 {
                    open = change(lo - 1).1;
                }
                return (open, at(lo));
            }
            open = change(len - 1).1;
        }
        unreachable!("the loop returns within three weeks")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u32 = 24 * 60;

    fn nine_to_five() -> Hours {
        Hours {
            windows: (0..5)
                .map(|d| (d * DAY + 9 * 60, d * DAY + 17 * 60))
                .collect(),
        }
    }

    #[test]
    fn office_hours_open_and_close_on_weekdays() {
        let h = nine_to_five();
        assert_eq!(h.open_hours_per_week(), 40.0);
        assert_eq!(h.state_at(0.0), (false, 9.0));
        assert_eq!(h.state_at(9.0), (true, 17.0));
        assert_eq!(h.state_at(12.5), (true, 17.0));
        assert_eq!(h.state_at(17.0), (false, 24.0 + 9.0));
        // Friday 17:00 to Monday 09:00 of the next week.
        assert_eq!(h.state_at(4.0 * 24.0 + 18.0), (false, 168.0 + 9.0));
        // Many weeks later the same pattern.
        let w = 52.0 * 168.0;
        assert_eq!(h.state_at(w + 10.0), (true, w + 17.0));
    }

    #[test]
    fn a_night_shift_over_the_end_of_the_week_is_one_window() {
        // Sunday 22:00 to Monday 06:00, stored as two pieces.
        let h = Hours {
            windows: vec![(0, 6 * 60), (7 * DAY - 2 * 60, WEEK_MINUTES)],
        };
        assert_eq!(h.open_hours_per_week(), 8.0);
        assert_eq!(h.state_at(0.0), (true, 6.0));
        assert_eq!(h.state_at(6.0), (false, 168.0 - 2.0));
        // No change at Monday 00:00: open from Sunday 22:00 to Monday 06:00.
        assert_eq!(h.state_at(168.0 - 1.0), (true, 168.0 + 6.0));
    }

    /// What `state_at` computed before it bisected: every change of the
    /// weeks around `t_h`, one by one.
    fn state_at_by_scanning(h: &Hours, t_h: f64) -> (bool, f64) {
        let changes = h.changes();
        if changes.is_empty() {
            return (true, f64::INFINITY);
        }
        let week = f64::from(WEEK_MINUTES);
        let first_week = ((t_h * 60.0) / week).floor() as i64 - 2;
        let mut open = !changes.last().expect("not empty").1;
        for k in first_week.. {
            for &(minute, opens) in &changes {
                let at = (k as f64 * week + f64::from(minute)) / 60.0;
                if at > t_h {
                    return (open, at);
                }
                open = opens;
            }
        }
        unreachable!()
    }

    /// A minute on, a minute off, all week: 5 040 windows.
    fn minute_shifts() -> Hours {
        Hours {
            windows: (0..WEEK_MINUTES / 2).map(|i| (2 * i, 2 * i + 1)).collect(),
        }
    }

    #[test]
    fn state_at_agrees_with_scanning_every_change() {
        let wrapping = Hours {
            windows: vec![(0, 60), (600, 700), (WEEK_MINUTES - 30, WEEK_MINUTES)],
        };
        let ends = Hours {
            windows: vec![(5, WEEK_MINUTES)],
        };
        for h in [
            nine_to_five(),
            wrapping,
            ends,
            Hours::always(),
            minute_shifts(),
        ] {
            for i in 0..5000 {
                let t = f64::from(i) * 0.7391 - 3.0;
                assert_eq!(h.state_at(t), state_at_by_scanning(&h, t), "{t}");
            }
            for &(minute, _) in &h.changes() {
                for k in [0.0, 1.0, 520.0] {
                    let t = (k * f64::from(WEEK_MINUTES) + f64::from(minute)) / 60.0;
                    assert_eq!(h.state_at(t), state_at_by_scanning(&h, t), "{t}");
                }
            }
        }
    }

    #[test]
    fn always_open_never_changes() {
        let h = Hours::always();
        assert!(h.is_always());
        assert_eq!(h.state_at(1234.5), (true, f64::INFINITY));
    }

    #[test]
    fn walking_the_changes_alternates_and_advances() {
        let h = nine_to_five();
        let (mut open, mut t) = h.state_at(0.0);
        let mut open_time = 0.0;
        let mut last = 0.0;
        while t < 4.0 * 168.0 {
            if open {
                open_time += t - last;
            }
            let (next_open, next) = h.state_at(t);
            assert_ne!(next_open, open, "a change flips the state at {t}");
            assert!(next > t);
            (open, last, t) = (next_open, t, next);
        }
        assert_eq!(open_time, 4.0 * 40.0);
    }
}
