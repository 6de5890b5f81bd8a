//! The essays' feedback loops through people: morale, learning from complaints
//! and the policy against abusive customers (issue "The essays' feedback loops").
//! Each is off when its section is absent.

/// `[morale]`: the service-profit chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Morale {
    /// Utilisation above which overload lowers morale.
    pub comfortable: f64,
    /// Weight of the share of bad work received from suppliers.
    pub upstream: f64,
    /// How much low morale scales a department's failure and rudeness odds.
    pub sensitivity: f64,
    /// Time constant with which morale moves toward its target, in hours.
    pub adjust_h: f64,
}

/// `[learning]`: complaints traced to a handoff teach it.
#[derive(Debug, Clone, PartialEq)]
pub struct Learning {
    /// Each lesson multiplies the failure probability by `1 − rate`.
    pub rate: f64,
    /// Time from the complaint to the lesson, in hours.
    pub lag_h: f64,
    /// Time constant with which lessons fade, in hours; `None`: never.
    pub forget_h: Option<f64>,
}

/// `[policy]`: strictness against abusive customers.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Probability a fraudulent claim is caught, and that a good customer's order meets friction.
    pub strictness: f64,
    /// Money a fraudulent claim costs when not caught.
    pub abuse_cost: f64,
}
