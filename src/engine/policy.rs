//! Abuse and the policy against it (the essays' "policies against the few").
//!
//! With a `[policy]`, a share `customers.abusive_share` of customers is
//! abusive: a keyed decision per customer, so that two scenarios of a
//! comparison have the same abusive customers. Every delivered order of an
//! abusive customer carries a fraudulent claim (a return of a used item, a
//! "never arrived"), caught with probability `strictness`; one not caught costs
//! `abuse_cost`. Every delivered order of a good customer meets the policy's
//! friction with the same probability `strictness` (checks on a return or a
//! claim, proof of purchase, fees): an experience of kind `friction`, cause
//! `policy:friction`, which becomes a problem with probability
//! `problem.friction`.
//!
//! When: at the delivery, when the customer deals with the company about the
//! order they received. The friction is the last experience of the order, so
//! the customer acts on it only if nothing that happened earlier to the order
//! (a defect, a late delivery) became a problem: a conservative count of what
//! the policy costs.
//!
//! Without `[policy]` none of this runs: no draw, no count, no cause.

use rand::RngExt;

use super::decisions::{Decision, Touch};
use super::{Experience, Mechanisms, Observer, Simulation};
use crate::model::{Cause, Policy};

/// What the policy met in one run, counted after the warm-up.
#[derive(Debug, Clone, Default)]
pub(super) struct PolicyCounts {
    /// Delivered orders of abusive customers, each with a fraudulent claim.
    pub abusive_orders: u64,
    pub abuse_caught: u64,
    /// Money lost to claims not caught.
    pub abuse_cost: f64,
    /// Money the claims caught would have cost.
    pub abuse_saved: f64,
    /// Frictions that became the problem a (counted) customer acted on.
    pub friction_problems: u64,
}

/// The policy in one run: present only with a `[policy]`.
#[derive(Debug, Clone)]
pub(super) struct PolicyState {
    spec: Policy,
    pub counts: PolicyCounts,
}

impl PolicyState {
    pub fn new(spec: Option<&Policy>) -> Option<PolicyState> {
        Some(PolicyState {
            spec: spec?.clone(),
            counts: PolicyCounts::default(),
        })
    }
}

impl<O: Observer, M: Mechanisms> Simulation<'_, '_, O, M> {
    /// An order was delivered to the customer of arrival number `arrival`: an
    /// abusive customer makes a claim; a good one may meet friction, added to
    /// `experiences` (which are in the order they happened: friction is last).
    pub(super) fn policy_at_delivery(
        &mut self,
        arrival: u64,
        order: u32,
        experiences: &mut Vec<(Experience, Cause, f64)>,
    ) {
        let measuring = self.measuring();
        let now = self.now;
        let share = self.model.customers.abusive_share;
        let decisions = self.decisions;
        let Some(policy) = &mut self.policy else {
            return;
        };
        let strictness = policy.spec.strictness;
        let customer = Touch {
            customer: arrival,
            order: 0,
            touchpoint: 0,
        };
        let touch = Touch {
            customer: arrival,
            order,
            touchpoint: 0,
        };
        let abusive = decisions.rng(customer, Decision::Abusive).random::<f64>() < share;
        if abusive {
            let caught = decisions.rng(touch, Decision::ClaimCaught).random::<f64>() < strictness;
            if measuring {
                let c = &mut policy.counts;
                c.abusive_orders += 1;
                if caught {
                    c.abuse_caught += 1;
                    c.abuse_saved += policy.spec.abuse_cost;
                } else {
                    c.abuse_cost += policy.spec.abuse_cost;
                }
            }
        } else if decisions.rng(touch, Decision::Friction).random::<f64>() < strictness {
            experiences.push((Experience::Friction, Cause::PolicyFriction, now));
        }
    }

    /// A counted customer acts on a problem caused by `cause`.
    pub(super) fn policy_problem(&mut self, cause: Cause) {
        if cause == Cause::PolicyFriction
            && let Some(policy) = &mut self.policy
        {
            policy.counts.friction_problems += 1;
        }
    }
}
