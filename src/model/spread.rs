//! Distributions spread so far that a run does not see the draws that carry
//! their mean.
//!
//! A run draws a distribution some `N` times. The draws rarer than one in `N`
//! are mostly absent from it, so the run's average draw leaves out the share
//! of the mean they carry, `S(N) = ∫_{1−1/N}^1 Q(u) du / mean`
//! ([`Distribution::tail_share`]). When that share is half the mean or more,
//! most runs see none of the draws that make up half the mean, and their
//! average reads below half of it: every figure that rests on that time
//! (utilisation, waits, queues) reads low against the load estimate, and the
//! replications agree on it, so their interval does not show it.
//!
//! `N` is the expected number of draws in one replication, from the load
//! estimate's traffic of first orders (reorders add draws, so it is a lower
//! bound and errs towards warning); for the complaint desk, whose work the
//! estimate leaves out, every order with a problem that complains (an upper
//! bound). Only families that spread further than an exponential (cv above 1)
//! are asked: for the others `S(N) ≥ ½` only when `N` is a handful (5 for the
//! exponential), a run too short for any figure, which replications show.

use super::load::share_inside;
use super::{DeptId, Distribution, HandoffId, IncidentTarget, Model};

/// The share of a distribution's mean, carried by draws rarer than one in the
/// number of draws a run makes, from which the run's average reads far low.
pub const TAIL_SHARE_LIMIT: f64 = 0.5;

/// Where a distribution is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    /// A department's `service`.
    Service(DeptId),
    /// A handoff's `delay`.
    Delay(HandoffId),
    /// `reorder` in `[customers]`.
    Reorder,
    /// An incident's `service` (index into [`Model::incidents`]).
    IncidentService(usize),
    /// An incident's `delay`.
    IncidentDelay(usize),
}

/// A distribution that a run cannot average: its draws rarer than one in
/// the number of draws a run makes carry at least [`TAIL_SHARE_LIMIT`] of its mean.
#[derive(Debug, Clone, PartialEq)]
pub struct TooSpread {
    pub drawn: Drawn,
    /// The distribution's mean (hours) and cv.
    pub mean: f64,
    pub cv: f64,
    /// Draws expected in one replication.
    pub draws: f64,
    /// The share of the mean carried by the draws rarer than one in `draws`.
    pub share: f64,
    /// The draws at which that share falls to [`TAIL_SHARE_LIMIT`] (`None` past 1e300).
    pub draws_needed: Option<f64>,
    /// The largest cv (at least 1) of the same family and mean at which `draws` would be enough.
    pub cv_enough: f64,
}

impl Model {
    /// The distributions whose run will read far below their mean (see the
    /// module notes), in the order of the file: reorders, departments,
    /// handoffs, incidents.
    pub fn too_spread(&self) -> Vec<TooSpread> {
        let end = self.simulation.duration_h;
        if end.is_nan() || end <= 0.0 {
            return Vec::new();
        }
        let jobs = self.long_run_workload().jobs;
        // Transfers outside incident windows.
        let traffic = self.workload(&[]).transfers;
        let orders = self.customers.arrival_rate_per_h * end;
        let desk = self.complaints.as_ref().map(|c| c.department);
        let mut uses: Vec<(Drawn, &Distribution, f64)> = Vec::new();
        if let Some(r) = &self.customers.reorder {
            // Every customer draws one when their first order is delivered.
            uses.push((Drawn::Reorder, r, orders));
        }
        for (d, dept) in self.departments.iter().enumerate() {
            let mut n = jobs[d] * end;
            if desk == Some(d) {
                n += orders * self.reorder_growth() * self.customers.complain_share;
            }
            uses.push((Drawn::Service(d), &dept.service, n));
        }
        for (h, handoff) in self.handoffs.iter().enumerate() {
            if let Some(delay) = &handoff.delay {
                uses.push((Drawn::Delay(h), delay, traffic[h] * end));
            }
        }
        for (i, incident) in self.incidents.iter().enumerate() {
            let inside = share_inside(incident.from_h, incident.to_h, incident.every_h, end) * end;
            match &incident.target {
                IncidentTarget::Department {
                    department,
                    service: Some(s),
                    ..
                } => uses.push((Drawn::IncidentService(i), s, jobs[*department] * inside)),
                IncidentTarget::Handoff {
                    handoff,
                    delay: Some(Some(s)),
                    ..
                } => uses.push((Drawn::IncidentDelay(i), s, traffic[*handoff] * inside)),
                _ => {}
            }
        }
        uses.into_iter()
            .filter_map(|(drawn, d, draws)| {
                // No draws, no run to read low.
                if draws.is_nan() || draws < 1.0 {
                    return None;
                }
                let cv = d.heavy_cv()?;
                let share = d.tail_share(draws)?;
                (share >= TAIL_SHARE_LIMIT).then(|| TooSpread {
                    drawn,
                    mean: d.mean(),
                    cv,
                    draws,
                    share,
                    draws_needed: d.draws_for_tail_share(TAIL_SHARE_LIMIT),
                    cv_enough: d.cv_for_tail_share(draws, TAIL_SHARE_LIMIT).unwrap_or(1.0),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(delay_cv: &str, service_cv: &str) -> Model {
        let text = format!(
            r#"
[scenario]
name = "t"
[simulation]
duration = "100h"
[customers]
arrival_rate = "2/h"
[[department]]
name = "a"
staff = 5
service = {{ dist = "gamma", mean = "1h", cv = {service_cv} }}
[[department]]
name = "b"
staff = 5
service = "1h"
[[flow]]
name = "all"
steps = ["a", "b"]
[[handoff]]
from = "a"
to = "b"
lose = 0.5
delay = {{ dist = "lognormal", mean = "1h", cv = {delay_cv} }}
"#
        );
        crate::scenario::parse(&text, "t.toml").unwrap()
    }

    #[test]
    fn draws_come_from_the_traffic_and_only_far_spread_ones_are_named() {
        // Lost transfers are redone: 2 visits to `a` and 2 transfers a→b per
        // order, 2 orders an hour for 100 h: 400 draws of each.
        let m = model("1e10", "1e5");
        assert_eq!(m.workload(&[]).transfers[0], 4.0);
        let spread = m.too_spread();
        let drawn: Vec<Drawn> = spread.iter().map(|t| t.drawn).collect();
        assert_eq!(drawn, vec![Drawn::Service(0), Drawn::Delay(0)]);
        for t in &spread {
            assert_eq!(t.draws, 400.0);
            assert!(
                t.share > 0.9 && t.cv_enough > 1.0 && t.cv_enough < t.cv,
                "{t:?}"
            );
        }
        // Below the limit (a lognormal of cv 10 keeps most of its mean within
        // 400 draws), or no heavier than an exponential: nothing.
        assert!(model("10", "1").too_spread().is_empty());
    }
}
