//! What values each statistic can take, so that a part whose numbers no
//! simulation could have produced (edited, or damaged and sealed again) is
//! refused by name rather than merged into a report: a utilisation of -5, a
//! count of 1.5 customers, not a number where the engine always measures one.

use super::Stat;
use crate::scenario::format_number;

/// The largest count a run can hold exactly: beyond 2^53 not every whole
/// number is an `f64`, and no run counts that far (at a hundred million
/// events a second, one replication would take nearly three years).
pub const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// Shares may exceed 1 by rounding (a time-average of a level that is always
/// full, summed piece by piece), never by more.
const SHARE_SLACK: f64 = 1e-9;

/// The values one statistic can take in one replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// A share in [0, 1]: utilisation, morale, a probability.
    Share,
    /// A share, or not a number when there was nothing to share
    /// (`share_good` of a link that handed nothing over).
    ShareOrNone,
    /// A whole number from 0: customers, orders, services, transfers.
    Count,
    /// An amount from 0 that need not be whole: money, hours, a time-average queue.
    Amount,
    /// A mean of 0 or more, or not a number when nothing was observed (the
    /// wait at a department that served no one, the lead time of no delivery).
    MeanOrNone,
}

/// The range of the statistic named `name` (as [`super::Metrics::named`]
/// names it: `departments.sales.utilization`); `None` for a name it does not
/// know. The section is the name's first part and the field its last, so the
/// names of departments, causes or links in between (which may hold dots)
/// do not matter.
pub fn range_of(name: &str) -> Option<Range> {
    let (section, rest) = name.split_once('.')?;
    let field = rest.rsplit('.').next().unwrap_or(rest);
    use Range::*;
    Some(match (section, field) {
        ("departments", "utilization" | "morale") => Share,
        ("departments", "mean_wait_h") => MeanOrNone,
        ("departments", "mean_queue" | "rework_h") => Amount,
        ("departments", "served") => Count,
        ("handoffs", "passed" | "lost" | "errors" | "caught" | "escaped") => Count,
        ("handoffs", "error_final" | "lose_final") => Share,
        ("flows", "orders" | "delivered" | "late" | "customers_lost") => Count,
        ("flows", "mean_lead_time_h" | "mean_wait_h") => MeanOrNone,
        ("orders", "mean_lead_time_h") => MeanOrNone,
        (
            "orders",
            "arrived"
            | "delivered"
            | "late"
            | "defects"
            | "lost_chased"
            | "cancelled"
            | "in_progress"
            | "in_progress_at_warmup",
        ) => Count,
        (
            "customers",
            "arrived"
            | "active"
            | "lost"
            | "prospects_deterred"
            | "problems"
            | "complaints"
            | "recovered"
            | "silent_defections"
            | "complaints_resolved"
            | "complaints_unresolved"
            | "complaints_open",
        ) => Count,
        ("revenue", "earned" | "lost" | "staff_cost") => Amount,
        ("lost_by_cause", "customers" | "prospects") => Count,
        ("lost_by_cause", "revenue") => Amount,
        ("paths", "problems" | "stayed") => Count,
        ("pools", "utilization") => Share,
        ("pools", "served") => Count,
        ("incidents", "customers_lost" | "prospects_deterred" | "cause_customers_lost") => Count,
        ("incidents", "revenue_lost") => Amount,
        ("policy", "abusive_orders" | "abuse_caught" | "friction_problems" | "customers_lost") => {
            Count
        }
        ("policy", "abuse_cost" | "abuse_saved" | "revenue_lost") => Amount,
        ("scorecard", "handed" | "good" | "lost" | "caught" | "escaped") => Count,
        ("scorecard", "share_good") => ShareOrNone,
        ("scorecard", "mean_delay_h") => MeanOrNone,
        _ => return None,
    })
}

impl Range {
    /// What the values of this range are, for messages.
    fn describe(self) -> &'static str {
        match self {
            Range::Share => "a share between 0 and 1",
            Range::ShareOrNone => {
                "a share between 0 and 1 (or nan, when there was nothing to share)"
            }
            Range::Count => "a count (a whole number from 0)",
            Range::Amount => "an amount of 0 or more",
            Range::MeanOrNone => "a mean of 0 or more (or nan, when nothing was measured)",
        }
    }

    fn share(x: f64) -> bool {
        (0.0..=1.0 + SHARE_SLACK).contains(&x)
    }

    /// Whether one replication can measure `x` (`whole`: counts must be whole
    /// numbers; a mean over replications need not be).
    fn holds(self, x: f64, whole: bool) -> bool {
        match self {
            Range::Share => Range::share(x),
            Range::ShareOrNone => x.is_nan() || Range::share(x),
            Range::Count => (0.0..=MAX_COUNT).contains(&x) && (!whole || x.fract() == 0.0),
            Range::Amount => x.is_finite() && x >= 0.0,
            Range::MeanOrNone => x.is_nan() || (x.is_finite() && x >= 0.0),
        }
    }
}

/// Why one replication cannot have measured `value` for the statistic
/// `name` (`` `departments.sales.utilization` is -5, not a share between 0
/// and 1 ``), if it cannot. Names without a known range are not checked
/// (there are none in a part of this version: see the tests).
pub fn implausible(name: &str, value: f64) -> Option<String> {
    let range = range_of(name)?;
    if range.holds(value, true) {
        return None;
    }
    if range == Range::Count && value.is_finite() && value > MAX_COUNT {
        return Some(format!(
            "`{name}` is {}, more than a run can count (at most 2^53)",
            format_number(value)
        ));
    }
    Some(format!(
        "`{name}` is {}, not {}",
        format_number(value),
        range.describe()
    ))
}

/// Why the statistic `name` cannot be a summary of replications that
/// measured it, if it cannot: its mean is a mean of values in its range
/// (counts need not be whole), its half-width finite and never negative.
pub fn implausible_summary(name: &str, stat: &Stat) -> Option<String> {
    let range = range_of(name)?;
    if !range.holds(stat.mean, false) {
        return Some(format!(
            "`{name}` has the mean {}, not {}",
            format_number(stat.mean),
            range.describe()
        ));
    }
    match stat.ci95 {
        Some(h) if !(h.is_finite() && h >= 0.0) => Some(format!(
            "`{name}` has the 95 % half-width {}, not a width of 0 or more",
            format_number(h)
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_values_are_named_with_what_they_should_be() {
        assert_eq!(
            implausible("departments.sales.utilization", -5.0).as_deref(),
            Some("`departments.sales.utilization` is -5, not a share between 0 and 1")
        );
        assert!(implausible("departments.sales.utilization", 1.0).is_none());
        assert!(implausible("departments.sales.utilization", f64::NAN).is_some());
        // A department that served no one has no mean wait: not a number, accepted.
        assert!(implausible("departments.sales.mean_wait_h", f64::NAN).is_none());
        assert!(implausible("departments.sales.mean_wait_h", f64::INFINITY).is_some());
        assert!(implausible("departments.sales.mean_wait_h", -1.0).is_some());
        assert_eq!(
            implausible("departments.a.b.served", 1.5).as_deref(),
            Some("`departments.a.b.served` is 1.5, not a count (a whole number from 0)")
        );
        assert!(implausible("departments.sales.served", -1.0).is_some());
        assert!(
            implausible("customers.lost", u64::MAX as f64)
                .unwrap()
                .contains("more than a run can count")
        );
        assert!(implausible("scorecard.a->b.share_good", f64::NAN).is_none());
        assert!(implausible("scorecard.a->b.share_good", 2.0).is_some());
        assert!(implausible("revenue.lost", f64::INFINITY).is_some());
        assert!(implausible("revenue.lost", 12.5).is_none());
        assert!(implausible("lost_by_cause.handoff:a->b:lose.customers", 3.0).is_none());
        // Summaries: a mean of counts need not be whole.
        let stat = |mean, ci95| Stat { mean, ci95 };
        assert!(implausible_summary("customers.lost", &stat(2.5, Some(0.3))).is_none());
        assert!(implausible_summary("customers.lost", &stat(f64::NAN, None)).is_some());
        assert!(
            implausible_summary("customers.lost", &stat(2.5, Some(-1.0)))
                .unwrap()
                .contains("half-width -1")
        );
    }
}
