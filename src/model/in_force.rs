//! The incidents in force as time passes, changed one window edge at a time.
//!
//! [`Model::long_run_workload`](super::Model::long_run_workload) and
//! [`Model::window_loads`](super::Model::window_loads) walk a run's window
//! edges in time order and need, between two edges, the values the incidents
//! then in force set. Checking every incident at every edge, and keeping the
//! work of every distinct set of incidents seen, was quadratic in time and
//! memory: 10 000 overlapping incidents took 14 s and 1.1 GB to validate.
//! Here each edge changes one incident, and the values of the one handoff or
//! department it targets are worked out again from the incidents in force on
//! it: the one listed last wins for each field it sets, as in the engine.

use std::collections::BTreeSet;

use super::{IncidentTarget, Model};

/// The values incidents change, as in force at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Per handoff: `lose`, `error`, `catch`.
    pub odds: Vec<(f64, f64, f64)>,
    /// Per department: staff and mean service time.
    pub staff: Vec<u32>,
    pub service: Vec<f64>,
}

/// One value an incident can set.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Lose(usize),
    Error(usize),
    Catch(usize),
    Staff(usize),
    Service(usize),
}

/// The values incident target `t` sets (staff as a number: a `u32` is exact in an `f64`).
fn changes(t: &IncidentTarget) -> impl Iterator<Item = (Slot, f64)> {
    let (a, b, c) = match t {
        IncidentTarget::Handoff {
            handoff: h,
            lose,
            error,
            catch,
            ..
        } => (
            lose.map(|v| (Slot::Lose(*h), v)),
            error.map(|v| (Slot::Error(*h), v)),
            catch.map(|v| (Slot::Catch(*h), v)),
        ),
        IncidentTarget::Department {
            department: d,
            staff,
            service,
        } => (
            staff.map(|v| (Slot::Staff(*d), f64::from(v))),
            service.as_ref().map(|v| (Slot::Service(*d), v.mean())),
            None,
        ),
    };
    [a, b, c].into_iter().flatten()
}

impl Settings {
    /// The scenario's own values: no incident in force.
    pub fn plain(model: &Model) -> Self {
        Self {
            odds: model
                .handoffs
                .iter()
                .map(|h| (h.lose, h.error, h.catch))
                .collect(),
            staff: model.departments.iter().map(|d| d.staff).collect(),
            service: model.departments.iter().map(|d| d.service.mean()).collect(),
        }
    }

    /// The values with the incidents `active` (indices, in the order listed:
    /// later ones win for the fields they set) in force.
    pub fn with(model: &Model, active: &[usize]) -> Self {
        let mut s = Self::plain(model);
        for &i in active {
            for (slot, value) in changes(&model.incidents[i].target) {
                s.set(slot, value);
            }
        }
        s
    }

    fn get(&self, slot: Slot) -> f64 {
        match slot {
            Slot::Lose(h) => self.odds[h].0,
            Slot::Error(h) => self.odds[h].1,
            Slot::Catch(h) => self.odds[h].2,
            Slot::Staff(d) => f64::from(self.staff[d]),
            Slot::Service(d) => self.service[d],
        }
    }

    fn set(&mut self, slot: Slot, value: f64) {
        match slot {
            Slot::Lose(h) => self.odds[h].0 = value,
            Slot::Error(h) => self.odds[h].1 = value,
            Slot::Catch(h) => self.odds[h].2 = value,
            // Exact: the value came from a `u32` (see `changes`).
            Slot::Staff(d) => self.staff[d] = value as u32,
            Slot::Service(d) => self.service[d] = value,
        }
    }
}

/// Incidents in force, opened and closed one at a time, with the values they set.
pub struct InForce<'m> {
    model: &'m Model,
    plain: Settings,
    /// Open windows per incident (a count, so that rounding which lets one
    /// incident's windows touch cannot close it early).
    open: Vec<u32>,
    /// Per value an incident can set (see [`InForce::set_of`]): the
    /// incidents in force that set it. The last of each set wins, so a change
    /// costs the same however many incidents are in force on one handoff.
    setting: Vec<BTreeSet<usize>>,
    /// Every incident in force, in the order listed.
    active: BTreeSet<usize>,
    settings: Settings,
}

impl<'m> InForce<'m> {
    /// No incident in force.
    pub fn new(model: &'m Model) -> Self {
        let plain = Settings::plain(model);
        Self {
            model,
            settings: plain.clone(),
            plain,
            open: vec![0; model.incidents.len()],
            setting: vec![BTreeSet::new(); 3 * model.handoffs.len() + 2 * model.departments.len()],
            active: BTreeSet::new(),
        }
    }

    /// The values in force now.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The incidents in force now, in the order listed.
    pub fn active(&self) -> impl Iterator<Item = usize> + '_ {
        self.active.iter().copied()
    }

    /// How many incidents are in force now.
    pub fn len(&self) -> usize {
        self.active.len()
    }

    /// Whether incident `i` is in force now.
    pub fn is_open(&self, i: usize) -> bool {
        self.open[i] > 0
    }

    /// A window of incident `i` opens.
    pub fn open(&mut self, i: usize) {
        self.open[i] += 1;
        if self.open[i] == 1 {
            self.active.insert(i);
            self.change(i, true);
        }
    }

    /// A window of incident `i` closes.
    pub fn close(&mut self, i: usize) {
        debug_assert!(self.open[i] > 0, "incident {i} closed but not open");
        self.open[i] = self.open[i].saturating_sub(1);
        if self.open[i] == 0 && self.active.remove(&i) {
            self.change(i, false);
        }
    }

    /// Where `slot`'s set is in [`InForce::setting`].
    fn set_of(&self, slot: Slot) -> usize {
        let handoffs = 3 * self.model.handoffs.len();
        match slot {
            Slot::Lose(h) => 3 * h,
            Slot::Error(h) => 3 * h + 1,
            Slot::Catch(h) => 3 * h + 2,
            Slot::Staff(d) => handoffs + 2 * d,
            Slot::Service(d) => handoffs + 2 * d + 1,
        }
    }

    /// Incident `i` enters (`opens`) or leaves the sets of the values it
    /// sets; each of them takes the value of the last incident left in its
    /// set, or the scenario's.
    fn change(&mut self, i: usize, opens: bool) {
        let incidents = &self.model.incidents;
        for (slot, _) in changes(&incidents[i].target) {
            let set = self.set_of(slot);
            let set = &mut self.setting[set];
            if opens {
                set.insert(i);
            } else {
                set.remove(&i);
            }
            let value = match set.last() {
                Some(&j) => changes(&incidents[j].target)
                    .find(|&(s, _)| s == slot)
                    .map_or(self.plain.get(slot), |(_, v)| v),
                None => self.plain.get(slot),
            };
            self.settings.set(slot, value);
        }
    }
}
