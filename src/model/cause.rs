//! Root causes: the breaks a lost customer or a deterred prospect is traced to.

use super::{DeptId, HandoffId, Model};

/// One break in the chain. Every lost customer and lost prospect is attributed to exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cause {
    /// `handoff:FROM->TO:lose`: the work vanished and the customer had to chase it.
    HandoffLose(HandoffId),
    /// `handoff:FROM->TO:error`: wrong information reached the customer as a defect.
    HandoffError(HandoffId),
    /// `handoff:FROM->TO:delay`: the transfer time made the order late.
    HandoffDelay(HandoffId),
    /// `department:NAME:wait`: waiting in this department's queue made the order late.
    DepartmentWait(DeptId),
    /// `policy:friction`: the policy against abusive customers got in a good customer's way.
    /// Only in models with a `[policy]`.
    PolicyFriction,
    /// `department:NAME:rude`: a contact with the customer at this department was rude.
    DepartmentRude(DeptId),
}

impl Cause {
    /// Every cause a model can produce, in a fixed order: each handoff's lose, error and
    /// delay, then each department's wait, then (only when some department has a
    /// `rude` chance) each department's rudeness, then (only with a `[policy]`) the policy's friction. [`Cause::index`] is the position in this list.
    pub fn all(model: &Model) -> Vec<Cause> {
        let mut causes = Vec::with_capacity(3 * model.handoffs.len() + model.departments.len());
        for h in 0..model.handoffs.len() {
            causes.extend([
                Cause::HandoffLose(h),
                Cause::HandoffError(h),
                Cause::HandoffDelay(h),
            ]);
        }
        causes.extend((0..model.departments.len()).map(Cause::DepartmentWait));
        if model.has_rudeness() {
            causes.extend((0..model.departments.len()).map(Cause::DepartmentRude));
        }
        if model.policy.is_some() {
            causes.push(Cause::PolicyFriction);
        }
        causes
    }

    /// Position in [`Cause::all`].
    pub fn index(self, model: &Model) -> usize {
        match self {
            Cause::HandoffLose(h) => 3 * h,
            Cause::HandoffError(h) => 3 * h + 1,
            Cause::HandoffDelay(h) => 3 * h + 2,
            Cause::DepartmentWait(d) => 3 * model.handoffs.len() + d,
            // Last in the list, after every department's causes.
            Cause::PolicyFriction => {
                let rude = if model.has_rudeness() {
                    model.departments.len()
                } else {
                    0
                };
                3 * model.handoffs.len() + model.departments.len() + rude
            }
            Cause::DepartmentRude(d) => 3 * model.handoffs.len() + model.departments.len() + d,
        }
    }

    /// The name reports and traces use, e.g. `handoff:billing->customer:error`.
    pub fn name(self, model: &Model) -> String {
        match self {
            Cause::HandoffLose(h) => format!("handoff:{}:lose", model.handoff_name(h)),
            Cause::HandoffError(h) => format!("handoff:{}:error", model.handoff_name(h)),
            Cause::HandoffDelay(h) => format!("handoff:{}:delay", model.handoff_name(h)),
            Cause::DepartmentWait(d) => format!("department:{}:wait", model.departments[d].name),
            Cause::PolicyFriction => "policy:friction".to_owned(),
            Cause::DepartmentRude(d) => format!("department:{}:rude", model.departments[d].name),
        }
    }
}
