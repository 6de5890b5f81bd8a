//! Incident windows: inside an incident's window its values replace the
//! scenario's (handoff side: `lose`, `error`, `catch`, `delay`; the department
//! side, staff and service, is in the department dispatch), and the losses
//! whose root-cause experience happened inside the window are counted for it.
//!
//! Scenarios without incidents pay nothing per transfer: only handoffs that
//! some incident names are marked (`HandoffState::windowed`), and only those
//! look at the windows.

use super::chain::TransferOdds;
use super::{Mechanisms, Observer, Simulation};
use crate::metrics::IncidentMetrics;
use crate::model::{Cause, Incident, IncidentTarget, Model};

/// What the run keeps about its incidents.
#[derive(Default)]
pub(super) struct Incidents {
    /// Per handoff: the incidents that name it, in the order the scenario lists them.
    by_handoff: Vec<Vec<usize>>,
    /// Per incident: customers lost, prospects deterred and revenue lost inside
    /// its window, and customers lost to its cause anywhere (counted customers only).
    losses: Vec<(u64, u64, f64, u64)>,
}

impl Incidents {
    pub(super) fn new(model: &Model) -> Self {
        let mut by_handoff = vec![Vec::new(); model.handoffs.len()];
        for (i, incident) in model.incidents.iter().enumerate() {
            if let IncidentTarget::Handoff { handoff, .. } = incident.target {
                by_handoff[handoff].push(i);
            }
        }
        Self {
            by_handoff,
            losses: vec![(0, 0, 0.0, 0); model.incidents.len()],
        }
    }

    /// Whether some incident changes handoff `id` (then it is never "perfect").
    pub(super) fn names_handoff(&self, id: usize) -> bool {
        !self.by_handoff[id].is_empty()
    }
}

/// Whether time `t` (hours) falls inside a window of `incident`, any repetition.
pub(crate) fn active(incident: &Incident, t: f64) -> bool {
    if t < incident.from_h {
        return false;
    }
    match incident.every_h {
        None => t < incident.to_h,
        Some(period) => (t - incident.from_h).rem_euclid(period) < incident.to_h - incident.from_h,
    }
}

/// Hours inside the windows of `incident` before time `t`.
fn inside_before(incident: &Incident, t: f64) -> f64 {
    let length = incident.to_h - incident.from_h;
    let since = t - incident.from_h;
    if since <= 0.0 {
        return 0.0;
    }
    match incident.every_h {
        None => since.min(length),
        Some(period) => {
            let whole = (since / period).floor();
            whole * length + (since - whole * period).min(length)
        }
    }
}

/// Hours of `from..to` inside the windows of `incident`.
pub(crate) fn hours_inside(incident: &Incident, from: f64, to: f64) -> f64 {
    (inside_before(incident, to) - inside_before(incident, from)).max(0.0)
}

/// Whether `cause` is what `incident` changes: its handoff (lost, erroneous or
/// delayed work) or its department (waiting in its queue, rude contacts there).
fn is_cause_of(incident: &Incident, cause: Cause) -> bool {
    match (incident.target.clone(), cause) {
        (
            IncidentTarget::Handoff { handoff, .. },
            Cause::HandoffLose(h) | Cause::HandoffError(h) | Cause::HandoffDelay(h),
        ) => h == handoff,
        // A department's staff or service change shows in its queue and, when
        // it meets customers, in how they are treated there.
        (
            IncidentTarget::Department { department, .. },
            Cause::DepartmentWait(d) | Cause::DepartmentRude(d),
        ) => d == department,
        _ => false,
    }
}

impl<'m, O: Observer, M: Mechanisms> Simulation<'m, '_, O, M> {
    /// Inside an incident's window its values replace the scenario's; where
    /// windows overlap, the incident listed later wins for the fields it sets.
    #[cold]
    pub(super) fn incident_odds(&self, id: usize, odds: &mut TransferOdds<'m>) {
        let model: &'m Model = self.model;
        for &i in &self.incidents.by_handoff[id] {
            let incident = &model.incidents[i];
            if !active(incident, self.now) {
                continue;
            }
            if let IncidentTarget::Handoff {
                lose,
                error,
                catch,
                delay,
                ..
            } = &incident.target
            {
                if let Some(p) = lose {
                    odds.lose = *p;
                }
                if let Some(p) = error {
                    odds.error = *p;
                }
                if let Some(p) = catch {
                    odds.catch = *p;
                }
                if let Some(d) = delay {
                    odds.delay = d.as_ref();
                }
            }
        }
    }

    /// A counted customer left over `cause`, experienced at time `at`, and
    /// deterred `deterred` prospects, costing `revenue`.
    pub(super) fn count_incident_loss(
        &mut self,
        cause: Cause,
        at: f64,
        deterred: u64,
        revenue: f64,
    ) {
        for (incident, losses) in self.model.incidents.iter().zip(&mut self.incidents.losses) {
            if !is_cause_of(incident, cause) {
                continue;
            }
            losses.3 += 1;
            if active(incident, at) {
                losses.0 += 1;
                losses.1 += deterred;
                losses.2 += revenue;
            }
        }
    }

    pub(super) fn incident_metrics(&self) -> Vec<IncidentMetrics<f64>> {
        self.model
            .incidents
            .iter()
            .zip(&self.incidents.losses)
            .map(
                |(i, &(customers, prospects, revenue, all))| IncidentMetrics {
                    name: i.name.clone(),
                    from_h: i.from_h,
                    to_h: i.to_h,
                    every_h: i.every_h,
                    window_h: hours_inside(i, self.warmup, self.horizon),
                    customers_lost: customers as f64,
                    prospects_deterred: prospects as f64,
                    revenue_lost: revenue,
                    cause_customers_lost: all as f64,
                },
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(from_h: f64, to_h: f64, every_h: Option<f64>) -> Incident {
        Incident {
            name: "w".into(),
            from_h,
            to_h,
            every_h,
            target: IncidentTarget::Department {
                department: 0,
                staff: Some(0),
                service: None,
            },
        }
    }

    #[test]
    fn a_window_is_half_open_and_repeats() {
        let once = window(10.0, 20.0, None);
        assert!(!active(&once, 9.999) && active(&once, 10.0) && active(&once, 19.999));
        assert!(!active(&once, 20.0) && !active(&once, 110.0));
        let monthly = window(10.0, 20.0, Some(100.0));
        assert!(active(&monthly, 110.0) && active(&monthly, 215.0));
        assert!(!active(&monthly, 120.0) && !active(&monthly, 5.0));
    }

    #[test]
    fn a_department_window_counts_its_waits_and_its_rude_contacts() {
        let strike = window(10.0, 20.0, None);
        assert!(is_cause_of(&strike, Cause::DepartmentWait(0)));
        assert!(is_cause_of(&strike, Cause::DepartmentRude(0)));
        assert!(!is_cause_of(&strike, Cause::DepartmentRude(1)));
        assert!(!is_cause_of(&strike, Cause::DepartmentWait(1)));
        assert!(!is_cause_of(&strike, Cause::HandoffError(0)));
        assert!(!is_cause_of(&strike, Cause::PolicyFriction));
    }

    #[test]
    fn hours_inside_add_up_over_repetitions() {
        let once = window(10.0, 20.0, None);
        assert_eq!(hours_inside(&once, 0.0, 100.0), 10.0);
        assert_eq!(hours_inside(&once, 15.0, 100.0), 5.0);
        assert_eq!(hours_inside(&once, 0.0, 12.0), 2.0);
        let monthly = window(10.0, 20.0, Some(100.0));
        // Windows 10-20, 110-120, 210-220: from 15 to 215, 5 + 10 + 5.
        assert_eq!(hours_inside(&monthly, 15.0, 215.0), 20.0);
        // Brute force on a grid agrees.
        let step = 0.01;
        let grid = (0..25_000)
            .filter(|&k| active(&monthly, k as f64 * step + step / 2.0))
            .count() as f64
            * step;
        assert!((grid - hours_inside(&monthly, 0.0, 250.0)).abs() < 1e-6);
    }
}
