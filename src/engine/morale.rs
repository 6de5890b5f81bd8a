//! Morale (the service-profit chain) and rude contacts with the customer.
//!
//! Each department's morale `m` in [0, 1] starts at 1 and follows
//! `dm/dt = (target − m) / τ` with `τ = adjust`, where
//!
//! ```text
//! target   = clamp(1 − overload − upstream × bad_share, 0, 1)
//! overload = max(0, U − comfortable) / (1 − comfortable)     (0 when comfortable = 1)
//! ```
//!
//! `U` is the recent utilisation: the busy share of the staff, smoothed
//! exponentially with the same time constant `τ`; `bad_share` the recent
//! share of bad work among the transfers addressed to the department (errors
//! it caught and sent back, work lost on the way to it), each transfer
//! weighted by `e^(−age/τ)`. Between two updates the target is held, so `m`
//! moves along an exact exponential; updates come with the department's own
//! events (a service starts or ends, work arrives for it, its staff on duty
//! change), so a scenario
//! without `[morale]` schedules nothing and a scenario with it schedules no
//! extra events either. Morale scales the department's outgoing `lose` and
//! `error` and its `rude` chance by `1 + sensitivity × (1 − m)`, capped at 1.
//!
//! The time average of `m` after the warm-up (and per timeline bucket) is the
//! exact integral of those exponentials.

use rand::RngExt;

use super::decisions::{Decision, Touch};
use super::{Mechanisms, Observer, Simulation};
use crate::metrics::timeline::Grid;
use crate::model::Morale;

/// One department's morale and what it is made of, as of time `at`.
#[derive(Debug, Clone)]
struct DepartmentMorale {
    at: f64,
    morale: f64,
    /// Held from `at` until the next update.
    target: f64,
    /// Smoothed busy share of the staff.
    utilisation: f64,
    /// Transfers addressed to the department, and the bad ones, each weighted by its age.
    received: f64,
    bad: f64,
    /// The integral of morale after the warm-up: in all, and per timeline bucket.
    area: f64,
    weeks: Vec<f64>,
}

/// The morale of every department in one run.
#[derive(Debug, Clone)]
pub(super) struct MoraleBook {
    rules: Morale,
    warmup: f64,
    grid: Grid,
    departments: Vec<DepartmentMorale>,
}

/// `∫ m(s) ds` over `[from, to]` for `m(s) = target + (m0 − target) e^(−(s − at)/τ)`.
fn integral(m0: f64, target: f64, at: f64, tau: f64, from: f64, to: f64) -> f64 {
    let decay = |t: f64| (-(t - at) / tau).exp();
    target * (to - from) + (m0 - target) * tau * (decay(from) - decay(to))
}

impl MoraleBook {
    pub fn new(rules: &Morale, departments: usize, warmup: f64, grid: Grid) -> MoraleBook {
        let start = DepartmentMorale {
            at: 0.0,
            morale: 1.0,
            target: 1.0,
            utilisation: 0.0,
            received: 0.0,
            bad: 0.0,
            area: 0.0,
            weeks: vec![0.0; grid.buckets],
        };
        MoraleBook {
            rules: rules.clone(),
            warmup,
            grid,
            departments: vec![start; departments],
        }
    }

    /// Brings department `d` to time `now`, with `busy_share` of its staff at
    /// work busy since its last update (`None`: nobody was at work, so the
    /// recent utilisation is held; see docs/scenario.md, closed hours).
    fn advance(&mut self, d: usize, now: f64, busy_share: Option<f64>) {
        let tau = self.rules.adjust_h;
        let (warmup, grid) = (self.warmup, self.grid);
        let s = &mut self.departments[d];
        if now <= s.at {
            return;
        }
        let mut from = s.at.max(warmup);
        if now > from {
            let mut k = grid.index(from);
            while from < now {
                let end = if k + 1 >= grid.buckets {
                    now
                } else {
                    grid.bounds(k).1.min(now)
                };
                let piece = integral(s.morale, s.target, s.at, tau, from, end);
                s.weeks[k] += piece;
                s.area += piece;
                from = end;
                k += 1;
            }
        }
        let decay = (-(now - s.at) / tau).exp();
        s.morale = s.target + (s.morale - s.target) * decay;
        if let Some(busy_share) = busy_share {
            s.utilisation = busy_share + (s.utilisation - busy_share) * decay;
        }
        s.received *= decay;
        s.bad *= decay;
        s.at = now;
        self.departments[d].target = self.target_of(d);
    }

    /// The level morale moves toward, from the department's recent load and bad work received.
    fn target_of(&self, d: usize) -> f64 {
        let r = &self.rules;
        let s = &self.departments[d];
        let overload = if r.comfortable < 1.0 {
            ((s.utilisation - r.comfortable) / (1.0 - r.comfortable)).max(0.0)
        } else {
            0.0
        };
        let bad_share = if s.received > 0.0 {
            s.bad / s.received
        } else {
            0.0
        };
        (1.0 - overload - r.upstream * bad_share).clamp(0.0, 1.0)
    }

    /// Department `d`'s morale at `now` (no later than its next update).
    fn morale_at(&self, d: usize, now: f64) -> f64 {
        let s = &self.departments[d];
        let decay = (-(now - s.at).max(0.0) / self.rules.adjust_h).exp();
        s.target + (s.morale - s.target) * decay
    }

    /// What low morale multiplies department `d`'s failure and rudeness odds by now.
    pub fn factor(&self, d: usize, now: f64) -> f64 {
        1.0 + self.rules.sensitivity * (1.0 - self.morale_at(d, now))
    }

    /// Each department's time-average morale after the warm-up (up to `end`), and
    /// per timeline bucket, once every department was advanced to `end`.
    pub fn averages(&self, end: f64) -> (Vec<f64>, Vec<Vec<f64>>) {
        let span = end - self.warmup;
        let means = self
            .departments
            .iter()
            .map(|s| if span > 0.0 { s.area / span } else { s.morale })
            .collect();
        let weeks = (0..self.grid.buckets)
            .map(|k| {
                let (from, to) = self.grid.bounds(k);
                let width = to - from;
                self.departments
                    .iter()
                    .map(|s| {
                        if width > 0.0 {
                            s.weeks[k] / width
                        } else {
                            s.morale
                        }
                    })
                    .collect()
            })
            .collect();
        (means, weeks)
    }
}

/// A customer-facing contact: the delivery of an order, or a complaint's contact.
#[derive(Debug, Clone, Copy)]
pub(super) enum Contact {
    Delivery,
    Complaint,
}

impl<O: Observer, M: Mechanisms> Simulation<'_, '_, O, M> {
    /// Brings department `dept`'s morale up to now; call before its busy staff changes.
    #[inline]
    pub(super) fn morale_update(&mut self, dept: usize) {
        if let Some(book) = &mut self.morale {
            let d = &self.departments[dept];
            // Staff at work: on duty, or finishing a job after closing (overtime).
            let at_work = d.staff.max(d.busy);
            let busy = (at_work > 0).then(|| f64::from(d.busy) / f64::from(at_work));
            book.advance(dept, self.now, busy);
        }
    }

    /// A transfer addressed to department `dept` arrived (`bad`: with an error it
    /// caught) or was lost on the way (`bad` too).
    #[inline]
    pub(super) fn morale_received(&mut self, dept: usize, bad: bool) {
        if self.morale.is_some() {
            self.morale_update(dept);
            let book = self.morale.as_mut().expect("checked above");
            let s = &mut book.departments[dept];
            s.received += 1.0;
            s.bad += f64::from(u8::from(bad));
            book.departments[dept].target = book.target_of(dept);
        }
    }

    /// What low morale multiplies department `dept`'s odds by now (1 without `[morale]`).
    #[inline]
    pub(super) fn morale_factor(&self, dept: usize) -> f64 {
        self.morale
            .as_ref()
            .map_or(1.0, |b| b.factor(dept, self.now))
    }

    /// Whether a contact with the customer at department `dept` is rude: drawn
    /// with the customer's keyed decisions, so two scenarios compare with common
    /// random numbers. Draws nothing where no department is ever rude.
    pub(super) fn rude_contact(&self, dept: usize, touch: Touch, contact: Contact) -> bool {
        if !self.has_rudeness {
            return false;
        }
        let rude = self.model.departments[dept].rude;
        if rude <= 0.0 {
            return false;
        }
        let p = (rude * self.morale_factor(dept)).min(1.0);
        let decision = Decision::Rude {
            contact: contact as u32,
        };
        self.decisions.rng(touch, decision).random::<f64>() < p
    }

    /// Every department's morale brought to the end of the run.
    pub(super) fn morale_to_end(&mut self) {
        for dept in 0..self.departments.len() {
            self.morale_update(dept);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Morale {
        Morale {
            comfortable: 0.8,
            upstream: 1.0,
            sensitivity: 1.0,
            adjust_h: 10.0,
        }
    }

    #[test]
    fn integral_matches_a_fine_sum() {
        let (m0, target, at, tau) = (0.9, 0.3, 2.0, 5.0);
        let exact = integral(m0, target, at, tau, 3.0, 11.0);
        let n = 100_000;
        let h = 8.0 / f64::from(n);
        let sum: f64 = (0..n)
            .map(|i| {
                let s = 3.0 + (f64::from(i) + 0.5) * h;
                (target + (m0 - target) * (-(s - at) / tau).exp()) * h
            })
            .sum();
        assert!((exact - sum).abs() < 1e-8, "{exact} {sum}");
    }

    #[test]
    fn full_load_pulls_morale_down_and_idle_staff_keep_it() {
        let grid = Grid::new(0.0, 1000.0);
        let mut book = MoraleBook::new(&rules(), 2, 0.0, grid);
        for t in 1..=200 {
            book.advance(0, f64::from(t), Some(1.0));
            book.advance(1, f64::from(t), Some(0.5));
        }
        // Utilisation 1 is all overload: the target is 0 and morale heads there.
        assert!(book.morale_at(0, 200.0) < 0.01);
        assert!((book.factor(0, 200.0) - 2.0).abs() < 0.01);
        // Half busy is below comfortable: nothing moves.
        assert_eq!(book.morale_at(1, 200.0), 1.0);
        let (means, weeks) = book.averages(200.0);
        assert_eq!(means[1], 1.0);
        assert!(means[0] > 0.0 && means[0] < 0.5, "{}", means[0]);
        assert_eq!(weeks.len(), grid.buckets);
    }

    #[test]
    fn bad_work_received_lowers_the_target_by_its_share_times_upstream() {
        let mut r = rules();
        r.upstream = 0.5;
        let mut book = MoraleBook::new(&r, 1, 0.0, Grid::new(0.0, 100.0));
        let s = &mut book.departments[0];
        s.received = 4.0;
        s.bad = 1.0;
        assert!((book.target_of(0) - (1.0 - 0.5 * 0.25)).abs() < 1e-12);
    }
}
