//! Learning from complaints (the essays' feedback loop): a complaint whose
//! cause is a handoff's `lose` or `error` becomes a lesson `lag` later, which
//! multiplies that handoff's probability of that failure by `1 − rate`. With
//! `forget`, what was learned fades back toward the scenario's value with that
//! time constant. Silent defections teach nothing: only complaints schedule
//! lessons, so with `complain_share = 0` nothing changes at all.
//!
//! The organisation learns from time 0 (warm-up included): the warm-up is a
//! statistical device, the company does not stop listening during it.
//!
//! Each handoff keeps, per failure mode, a factor `f` in (0, 1]: the share of
//! the scenario's probability still left. Without forgetting, `f` only changes
//! at a lesson. With forgetting, `f(t) = 1 − (1 − f₀)·e^{−(t − t₀)/forget}`
//! from the last lesson `(t₀, f₀)`, evaluated when a transfer asks: a lesson
//! then multiplies the current `f` by `1 − rate` and restarts the fade.

use super::{Event, Mechanisms, Observer, Simulation};
use crate::model::{Cause, HandoffId, Learning};

/// What a handoff has learned about one failure mode.
#[derive(Debug, Clone, Copy)]
struct Lesson {
    /// The share of the scenario's probability left at `since`.
    factor: f64,
    /// When `factor` was set (the last lesson).
    since: f64,
}

impl Lesson {
    const NONE: Lesson = Lesson {
        factor: 1.0,
        since: 0.0,
    };

    /// The share left at `now`.
    #[inline]
    fn at(self, now: f64, forget_h: Option<f64>) -> f64 {
        match forget_h {
            Some(tau) if self.factor < 1.0 => {
                1.0 - (1.0 - self.factor) * (-(now - self.since) / tau).exp()
            }
            _ => self.factor,
        }
    }
}

/// The state of learning in one run: present only when `[learning]` is on with
/// a `rate` above 0, so that a run without it does no work at all.
#[derive(Debug, Clone)]
pub(super) struct Learned {
    spec: Learning,
    /// Per handoff: `[lose, error]`.
    lessons: Vec<[Lesson; 2]>,
}

const LOSE: usize = 0;
const ERROR: usize = 1;

impl Learned {
    /// `None` when learning is off or cannot change anything (`rate = 0`).
    pub fn new(spec: Option<&Learning>, handoffs: usize) -> Option<Learned> {
        let spec = spec.filter(|l| l.rate > 0.0)?;
        Some(Learned {
            spec: spec.clone(),
            lessons: vec![[Lesson::NONE; 2]; handoffs],
        })
    }

    /// The shares of handoff `id`'s lose and error probabilities left at `now`.
    #[inline]
    pub fn factors(&self, id: HandoffId, now: f64) -> (f64, f64) {
        let [lose, error] = self.lessons[id];
        let forget = self.spec.forget_h;
        (lose.at(now, forget), error.at(now, forget))
    }

    fn learn(&mut self, id: HandoffId, error: bool, now: f64) {
        let mode = if error { ERROR } else { LOSE };
        let lesson = &mut self.lessons[id][mode];
        let left = lesson.at(now, self.spec.forget_h);
        *lesson = Lesson {
            factor: left * (1.0 - self.spec.rate),
            since: now,
        };
    }
}

impl<O: Observer, M: Mechanisms> Simulation<'_, '_, O, M> {
    /// A complaint was made about `cause`: if it is a handoff's loss or error,
    /// the lesson arrives `lag` later.
    pub(super) fn complaint_teaches(&mut self, cause: Cause) {
        let Some(learned) = &self.learned else { return };
        let (handoff, error) = match cause {
            Cause::HandoffLose(h) => (h, false),
            Cause::HandoffError(h) => (h, true),
            _ => return,
        };
        let at = self.now + learned.spec.lag_h;
        self.schedule(
            at,
            Event::Lesson {
                handoff: handoff as u32,
                error,
            },
        );
    }

    pub(super) fn on_lesson(&mut self, handoff: u32, error: bool) {
        let now = self.now;
        if let Some(learned) = &mut self.learned {
            learned.learn(handoff as usize, error, now);
        }
    }

    /// Handoff `id`'s own lose and error probabilities at the end of the run:
    /// the scenario's values times what is left after learning (incident
    /// windows and morale not applied). `None` without `[learning]`.
    pub(super) fn final_odds(&self, id: HandoffId) -> Option<(f64, f64)> {
        self.model.learning.as_ref()?;
        let spec = &self.model.handoffs[id];
        let (lose, error) = self
            .learned
            .as_ref()
            .map_or((1.0, 1.0), |l| l.factors(id, self.horizon));
        Some((spec.lose * lose, spec.error * error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(forget_h: Option<f64>) -> Learning {
        Learning {
            rate: 0.1,
            lag_h: 0.0,
            forget_h,
        }
    }

    #[test]
    fn each_lesson_cuts_by_the_rate_and_nothing_else_moves() {
        let mut l = Learned::new(Some(&spec(None)), 2).unwrap();
        l.learn(0, true, 10.0);
        l.learn(0, true, 20.0);
        let (lose, error) = l.factors(0, 1e6);
        assert_eq!(lose, 1.0);
        assert!((error - 0.9 * 0.9).abs() < 1e-15, "{error}");
        assert_eq!(l.factors(1, 1e6), (1.0, 1.0));
    }

    #[test]
    fn forgetting_fades_back_with_its_time_constant() {
        let mut l = Learned::new(Some(&spec(Some(100.0))), 1).unwrap();
        l.learn(0, false, 0.0);
        // After one time constant, e^-1 of the 0.1 learned is left.
        let (lose, _) = l.factors(0, 100.0);
        assert!(
            (lose - (1.0 - 0.1 * (-1.0f64).exp())).abs() < 1e-12,
            "{lose}"
        );
        // A second lesson then cuts what is left now.
        l.learn(0, false, 100.0);
        let (again, _) = l.factors(0, 100.0);
        assert!((again - lose * 0.9).abs() < 1e-12);
    }

    #[test]
    fn a_zero_rate_is_no_learning_at_all() {
        let zero = Learning {
            rate: 0.0,
            ..spec(None)
        };
        assert!(Learned::new(Some(&zero), 3).is_none());
        assert!(Learned::new(None, 3).is_none());
    }
}
