//! The domain, checked and free of file positions: what the engine simulates.
//!
//! A [`Model`] is built by `scenario` from a TOML file (or directly, in tests).
//! All times are in hours, all rates per hour, all probabilities in [0, 1].

mod cause;
mod distribution;
mod in_force;
mod load;
mod people;
mod spread;
mod structure;

pub use cause::Cause;
pub use distribution::{Distribution, ParamError, binomial};
pub use load::{Backlog, Loads, OTHERS_LISTED, Strain, WindowLoad, Workload};
pub use people::{Learning, Morale, Policy};
pub use spread::{Drawn, TAIL_SHARE_LIMIT, TooSpread};
pub use structure::{Hours, Incident, IncidentTarget, Pool, WEEK_MINUTES};

/// Index of a department in [`Model::departments`].
pub type DeptId = usize;
/// Index of a handoff in [`Model::handoffs`].
pub type HandoffId = usize;

/// A whole scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub description: String,
    pub simulation: Simulation,
    pub customers: Customers,
    pub problem: ProblemOdds,
    pub stay: StayOdds,
    pub complaints: Option<Complaints>,
    pub departments: Vec<Department>,
    pub flows: Vec<Flow>,
    /// Every handoff some flow uses, listed in the file or not (unlisted ones are perfect and instant).
    pub handoffs: Vec<Handoff>,
    pub pools: Vec<Pool>,
    pub incidents: Vec<Incident>,
    pub morale: Option<Morale>,
    pub learning: Option<Learning>,
    pub policy: Option<Policy>,
}

/// How long to simulate and how often.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// Simulated time of one replication, warm-up included, in hours.
    pub duration_h: f64,
    /// Statistics before this time are discarded, in hours.
    pub warmup_h: f64,
    pub seed: u64,
    pub replications: u32,
    /// Orders and complaints in progress at which a replication stops with an
    /// error: the scenario asks for more work than it can do.
    pub max_live: u64,
}

/// External customers: how they arrive, what they buy and what they expect.
#[derive(Debug, Clone)]
pub struct Customers {
    /// New prospects per hour (Poisson).
    pub arrival_rate_per_h: f64,
    /// Time from a delivery to the next order; `None`: each customer orders once.
    pub reorder: Option<Distribution>,
    /// Probability that a satisfied customer orders no more after a delivery, for
    /// reasons of their own (natural attrition: not a break, never counted as lost).
    pub churn: f64,
    pub order_value: f64,
    /// Promised lead time; a delivery after this is late.
    pub promise_h: f64,
    /// How long a customer waits for an order before chasing it.
    pub patience_h: f64,
    pub complain_share: f64,
    pub word_of_mouth: u32,
    pub deter: f64,
    pub abusive_share: f64,
}

/// Probability that each kind of bad experience becomes a problem for the customer.
#[derive(Debug, Clone)]
pub struct ProblemOdds {
    pub late: f64,
    pub lost_order: f64,
    pub defect: f64,
    pub rude: f64,
    pub friction: f64,
}

/// Probability that a customer with a problem buys again, by the path the problem took.
#[derive(Debug, Clone)]
pub struct StayOdds {
    pub silent: f64,
    pub unresolved: f64,
    pub resolved: f64,
    pub resolved_quickly: f64,
    /// The recovery paradox: after a *first* problem resolved quickly, a customer who
    /// stays becomes this much more forgiving: each later bad experience becomes a
    /// problem with probability `p × (1 − recovery_paradox)`. 0 (the default) turns it off.
    pub recovery_paradox: f64,
}

/// Who handles complaints and how.
#[derive(Debug, Clone)]
pub struct Complaints {
    pub department: DeptId,
    /// Probability that the first contact resolves the complaint at once.
    pub empowerment: f64,
    /// A complaint resolved within this time counts as resolved quickly.
    pub resolve_within_h: f64,
    /// Priority of complaint work at its department (higher first, as flows').
    pub priority: i32,
}

/// A department: `staff` identical servers in front of one FIFO queue.
#[derive(Debug, Clone)]
pub struct Department {
    pub name: String,
    pub staff: u32,
    pub service: Distribution,
    /// `None`: always open.
    pub hours: Option<Hours>,
    /// Money per staff member per open hour.
    pub cost: f64,
    /// Probability that a contact with the customer here is rude.
    pub rude: f64,
}

/// A route through the departments, chosen for a new order with probability `share`.
#[derive(Debug, Clone)]
pub struct Flow {
    pub name: String,
    pub share: f64,
    pub steps: Vec<DeptId>,
    /// `handoffs[i]` carries the work out of `steps[i]`: to `steps[i + 1]`, or to the customer after the last step.
    pub handoffs: Vec<HandoffId>,
    /// Higher is served first (non-preemptive); first come first served within a level.
    pub priority: i32,
}

/// Where a handoff delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Department(DeptId),
    Customer,
}

/// The transfer of work from one department to the next (or to the customer).
#[derive(Debug, Clone)]
pub struct Handoff {
    pub from: DeptId,
    pub to: Target,
    /// Transfer time; `None` when instant.
    pub delay: Option<Distribution>,
    /// Probability the item vanishes until the customer chases it.
    pub lose: f64,
    /// Probability the item arrives with wrong information.
    pub error: f64,
    /// Probability the receiver catches an error and sends the work back.
    pub catch: f64,
}

impl Model {
    /// Some department has a chance of rude contacts: the rudeness mechanism runs.
    pub fn has_rudeness(&self) -> bool {
        self.departments.iter().any(|d| d.rude > 0.0)
    }

    /// Which departments deal with the customer: the last step of some flow
    /// (it delivers) and the `[complaints]` department. Only their `rude`
    /// chance does anything; elsewhere there is no contact to be rude in.
    pub fn meets_customers(&self) -> Vec<bool> {
        let mut meets = vec![false; self.departments.len()];
        let last_steps = self.flows.iter().filter_map(|f| f.steps.last());
        let desk = self.complaints.as_ref().map(|c| c.department);
        for &d in last_steps.chain(desk.as_ref()) {
            if let Some(m) = meets.get_mut(d) {
                *m = true;
            }
        }
        meets
    }

    /// Some department that deals with the customer has a chance of rude
    /// contacts, so rude contacts can happen (`problem.rude` can matter).
    pub fn has_rude_contacts(&self) -> bool {
        let meets = self.meets_customers();
        self.departments
            .iter()
            .zip(&meets)
            .any(|(d, &m)| m && d.rude > 0.0)
    }

    /// The name of a handoff, as causes and reports write it: `sales->production`.
    pub fn handoff_name(&self, id: HandoffId) -> String {
        let h = &self.handoffs[id];
        format!(
            "{}->{}",
            self.departments[h.from].name,
            self.target_name(h.to)
        )
    }

    /// A handoff's destination by name (`customer` for the external customer).
    pub fn target_name(&self, to: Target) -> &str {
        match to {
            Target::Department(d) => &self.departments[d].name,
            Target::Customer => "customer",
        }
    }
}

impl Default for ProblemOdds {
    /// The essays' assumptions; see docs/scenario.md.
    fn default() -> Self {
        Self {
            late: 0.3,
            lost_order: 0.9,
            defect: 0.8,
            rude: 0.5,
            friction: 0.05,
        }
    }
}

impl Default for StayOdds {
    /// TARP's repurchase rates after a small problem (Peters 1987, Goodman).
    fn default() -> Self {
        Self {
            silent: 0.37,
            unresolved: 0.46,
            resolved: 0.70,
            resolved_quickly: 0.95,
            recovery_paradox: 0.0,
        }
    }
}
