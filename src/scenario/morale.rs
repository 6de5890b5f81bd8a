//! `[morale]` (the service-profit chain) and a department's `rude` chance.
//!
//! Kept apart from `build.rs` so that the people mechanisms read their own
//! sections; `build.rs` only calls in.

use super::read::{Errors, Need, Table, duration, non_negative_number, probability};
use crate::model::Morale;

/// Fields of `[morale]`.
pub const MORALE_FIELDS: &[&str] = &["comfortable", "upstream", "sensitivity", "adjust"];

/// Defaults of `[morale]` (docs/defaults.md: assumptions, no published figure).
pub const DEFAULT_COMFORTABLE: f64 = 0.8;
pub const DEFAULT_UPSTREAM: f64 = 1.0;
pub const DEFAULT_SENSITIVITY: f64 = 1.0;
pub const DEFAULT_ADJUST_H: f64 = 14.0 * 24.0;

/// Read `[morale]`; `None` when a value is wrong (reported).
pub fn read_morale(errs: &mut Errors, t: &mut Table<'_, '_>) -> Option<Morale> {
    t.check_fields(errs, MORALE_FIELDS);
    let comfortable = t
        .field(errs, "comfortable", probability)
        .or(DEFAULT_COMFORTABLE);
    let upstream = t
        .field(errs, "upstream", non_negative_number)
        .or(DEFAULT_UPSTREAM);
    let sensitivity = t
        .field(errs, "sensitivity", non_negative_number)
        .or(DEFAULT_SENSITIVITY);
    let adjust_h = t
        .field(errs, "adjust", duration(Need::Positive, "d"))
        .or(DEFAULT_ADJUST_H);
    Some(Morale {
        comfortable: comfortable?,
        upstream: upstream?,
        sensitivity: sensitivity?,
        adjust_h: adjust_h?,
    })
}

/// A department's `rude` chance (0 when absent); `None` when it is wrong (reported).
pub fn read_rude(errs: &mut Errors, t: &Table<'_, '_>) -> Option<f64> {
    t.field(errs, "rude", probability).or(0.0)
}
