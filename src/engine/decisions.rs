//! Customers' decisions, keyed to the customer, the order and the decision.
//!
//! A shared stream of decisions falls out of step between two scenarios as soon
//! as one customer's experience differs: every later customer then draws
//! someone else's numbers. Here each decision draws from its own tiny
//! counter-based generator whose key is
//! `(seed, replication, arrival number, order number, touchpoint, decision)`,
//! so the same customer with the same experience decides the same way in both
//! scenarios of a comparison, whatever happened to anyone else.
//!
//! The arrival number counts every arrival of the Poisson process, including
//! those a deterred prospect skipped, so it names the same person in two
//! scenarios even when word of mouth differs. The order number counts the
//! customer's orders from 1; the touchpoint is 0 for placing and delivering the
//! order and `k` for its `k`-th chase.
//!
//! The generator is SplitMix64 (Steele, Lea & Flood 2014) started from a hash
//! of the key: integer arithmetic only, so it is the same on every platform and
//! release, costs a few multiplications per decision and allocates nothing.

use std::convert::Infallible;

use rand::{RngExt, TryRng};

use super::streams::fnv1a;

/// SplitMix64's increment (the golden ratio in 64 bits).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijective 64-bit mixer with full avalanche.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Where a decision is taken: a customer (by arrival number), one of their
/// orders, and a touchpoint of that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Touch {
    pub customer: u64,
    /// 1 for the customer's first order.
    pub order: u32,
    /// 0 when the order is placed or delivered; `k` at its `k`-th chase.
    pub touchpoint: u32,
}

/// Which decision, at a touchpoint.
#[derive(Debug, Clone, Copy)]
pub(super) enum Decision {
    /// The route a new order takes.
    Flow,
    /// Whether a late delivery becomes a problem.
    LateProblem,
    /// Whether a lost order, at its chase, becomes a problem.
    LostProblem,
    /// Whether the `occurrence`-th escaped error of a handoff (by the hash of its
    /// name) in the order becomes a problem.
    DefectProblem { handoff: u64, occurrence: u32 },
    /// Complain, or stay silent.
    Complain,
    /// The first contact resolves the complaint on the spot.
    Empowerment,
    /// Stay or leave, once the problem's path is known.
    Stay,
    /// Which of the people a leaving customer tells are deterred.
    Tell,
    /// Churn after a delivery, and the time to the next order.
    Reorder,
    /// What happens to the order's `attempt`-th transfer (from 0) out of flow step
    /// `step` over a handoff (by the hash of its name): delay, lost, error, caught.
    Transfer {
        handoff: u64,
        step: u32,
        attempt: u32,
    },
    /// Whether the customer is abusive (keyed to the customer alone: order 0).
    Abusive,
    /// Whether the policy catches an abusive customer's claim on a delivered order.
    ClaimCaught,
    /// Whether a good customer's delivered order meets the policy's friction.
    Friction,
    /// Whether that friction becomes a problem.
    FrictionProblem,
    /// Whether a contact with the customer is rude (`contact`: 0 at the delivery,
    /// 1 at a complaint's contact).
    Rude { contact: u32 },
    /// Whether a rude contact becomes a problem.
    RudeProblem,
}

impl Decision {
    /// A distinct pair of words per decision: the kind and its details.
    fn code(self) -> (u64, u64) {
        match self {
            Decision::Flow => (1, 0),
            Decision::LateProblem => (2, 0),
            Decision::LostProblem => (3, 0),
            Decision::DefectProblem {
                handoff,
                occurrence,
            } => (4 | u64::from(occurrence) << 8, handoff),
            Decision::Complain => (5, 0),
            Decision::Empowerment => (6, 0),
            Decision::Stay => (7, 0),
            Decision::Tell => (8, 0),
            Decision::Reorder => (9, 0),
            Decision::Transfer {
                handoff,
                step,
                attempt,
            } => (
                10 | u64::from(step) << 8 | u64::from(attempt) << 32,
                handoff,
            ),
            Decision::Abusive => (11, 0),
            Decision::ClaimCaught => (12, 0),
            Decision::Friction => (13, 0),
            Decision::FrictionProblem => (14, 0),
            Decision::Rude { contact } => (15, u64::from(contact)),
            Decision::RudeProblem => (16, 0),
        }
    }
}

/// The key of every customer decision in one replication.
#[derive(Debug, Clone, Copy)]
pub(super) struct Decisions {
    base: u64,
}

impl Decisions {
    pub fn new(seed: u64, replication: u32) -> Self {
        let domain = fnv1a(b"customer decisions");
        Decisions {
            base: mix(mix(domain ^ seed) ^ u64::from(replication)),
        }
    }

    /// The generator of one decision: the same key always gives the same numbers.
    #[inline]
    pub fn rng(self, touch: Touch, decision: Decision) -> DecisionRng {
        let order = u64::from(touch.order) << 32 | u64::from(touch.touchpoint);
        let (kind, detail) = decision.code();
        let key = mix(mix(mix(mix(self.base ^ touch.customer) ^ order) ^ kind) ^ detail);
        DecisionRng { state: key }
    }
}

/// SplitMix64 from a keyed state; most decisions draw one number from it.
#[derive(Debug, Clone)]
pub(super) struct DecisionRng {
    state: u64,
}

impl DecisionRng {
    /// Whether the next draw, uniform on [0, 1), falls below `p`. A draw
    /// cannot fall below 0, so for `p <= 0` the answer is known: the generator
    /// only steps past the draw, which keeps later draws in their places.
    #[inline]
    pub fn below(&mut self, p: f64) -> bool {
        if p > 0.0 {
            self.random::<f64>() < p
        } else {
            self.state = self.state.wrapping_add(GOLDEN);
            false
        }
    }
}

impl TryRng for DecisionRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.state = self.state.wrapping_add(GOLDEN);
        Ok(mix(self.state))
    }

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, RngExt};

    const AT: Touch = Touch {
        customer: 17,
        order: 2,
        touchpoint: 0,
    };

    #[test]
    fn splitmix64_reference_values() {
        // SplitMix64 seeded with 0 (the reference implementation's first outputs).
        let mut rng = DecisionRng { state: 0 };
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn a_decision_depends_on_its_whole_key_and_nothing_else() {
        let d = Decisions::new(7, 0);
        let u = |touch: Touch, decision| d.rng(touch, decision).random::<u64>();
        assert_eq!(u(AT, Decision::Stay), u(AT, Decision::Stay));
        let others = [
            u(AT, Decision::Complain),
            u(Touch { customer: 18, ..AT }, Decision::Stay),
            u(Touch { order: 3, ..AT }, Decision::Stay),
            u(
                Touch {
                    touchpoint: 1,
                    ..AT
                },
                Decision::Stay,
            ),
            Decisions::new(7, 1).rng(AT, Decision::Stay).random(),
            Decisions::new(8, 0).rng(AT, Decision::Stay).random(),
        ];
        for other in others {
            assert_ne!(other, u(AT, Decision::Stay));
        }
        let defect = |handoff, occurrence| {
            u(
                AT,
                Decision::DefectProblem {
                    handoff,
                    occurrence,
                },
            )
        };
        assert_ne!(defect(1, 0), defect(0, 1));
        assert_ne!(defect(1, 0), defect(1, 1));
    }

    #[test]
    fn below_answers_as_a_draw_would_and_keeps_later_draws_in_place() {
        let d = Decisions::new(3, 1);
        for customer in 0..2000 {
            let touch = Touch { customer, ..AT };
            for p in [0.0, -0.5, 1e-300, 0.3, 0.999, 1.0, 2.0] {
                let mut drawn = d.rng(touch, Decision::Stay);
                let mut asked = drawn.clone();
                let expected = drawn.random::<f64>() < p;
                assert_eq!(asked.below(p), expected, "customer {customer}, p {p}");
                assert_eq!(asked.next_u64(), drawn.next_u64(), "the next draw");
            }
        }
    }

    #[test]
    fn draws_are_uniform() {
        // One draw per customer, as the engine takes them: the mean and the share
        // below 0.1 of 100 000 keys agree with U(0, 1) within 4 standard errors.
        let d = Decisions::new(1, 0);
        let n = 100_000;
        let draws: Vec<f64> = (0..n)
            .map(|c| {
                let touch = Touch { customer: c, ..AT };
                d.rng(touch, Decision::Stay).random::<f64>()
            })
            .collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        assert!(
            (mean - 0.5).abs() < 4.0 * (1.0 / 12.0 / n as f64).sqrt(),
            "{mean}"
        );
        let low = draws.iter().filter(|&&u| u < 0.1).count() as f64 / n as f64;
        assert!((low - 0.1).abs() < 4.0 * (0.09 / n as f64).sqrt(), "{low}");
    }

    #[test]
    fn decision_output_is_pinned() {
        // Portable integer arithmetic: this value must never change, or every
        // published result would silently change with it.
        let first = Decisions::new(1, 0).rng(AT, Decision::Stay).random::<u64>();
        assert_eq!(first, 18_139_272_333_435_894_679);
    }
}
