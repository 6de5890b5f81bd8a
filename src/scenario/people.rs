//! `[learning]` and `[policy]`: the essays' feedback loops through what the
//! organisation does with complaints, and what its policy against abusive
//! customers costs everyone else. Both are off when their section is absent.

use super::read::{Errors, Need, Table, duration, money, probability};
use crate::model::{Learning, Policy};

pub const LEARNING_FIELDS: &[&str] = &["rate", "lag", "forget"];
pub const POLICY_FIELDS: &[&str] = &["strictness", "abuse_cost"];

/// Each lesson cuts the failure probability by this share (an assumption, see docs/defaults.md).
pub const DEFAULT_LEARNING_RATE: f64 = 0.1;
/// Time from a complaint to the lesson (an assumption, see docs/defaults.md).
pub const DEFAULT_LEARNING_LAG_H: f64 = 14.0 * 24.0;

/// `[learning]`: `Some(None)` when absent, `None` when invalid (reported).
pub fn read_learning(errs: &mut Errors, t: Option<&mut Table<'_, '_>>) -> Option<Option<Learning>> {
    let Some(t) = t else { return Some(None) };
    t.check_fields(errs, LEARNING_FIELDS);
    let rate = t.field(errs, "rate", probability).or(DEFAULT_LEARNING_RATE);
    let lag = t
        .field(errs, "lag", duration(Need::NonNegative, "d"))
        .or(DEFAULT_LEARNING_LAG_H);
    let forget = match t.field(errs, "forget", duration(Need::Positive, "d")) {
        super::read::Field::Missing => Some(None),
        super::read::Field::Invalid => None,
        super::read::Field::Ok(f) => Some(Some(f)),
    };
    Some(Some(Learning {
        rate: rate?,
        lag_h: lag?,
        forget_h: forget?,
    }))
}

/// `[policy]`: `Some(None)` when absent, `None` when invalid (reported).
pub fn read_policy(errs: &mut Errors, t: Option<&mut Table<'_, '_>>) -> Option<Option<Policy>> {
    let Some(t) = t else { return Some(None) };
    t.check_fields(errs, POLICY_FIELDS);
    let strictness = t.field(errs, "strictness", probability).or(0.0);
    let abuse_cost = t.field(errs, "abuse_cost", money).or(0.0);
    Some(Some(Policy {
        strictness: strictness?,
        abuse_cost: abuse_cost?,
    }))
}
