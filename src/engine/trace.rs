//! What happens inside a run, one record at a time, for traces and stories.
//!
//! The engine hands each [`TraceEvent`] to an [`Observer`]. Runs that observe
//! nothing use [`Unobserved`], whose `ENABLED = false` lets the compiler remove
//! every hook, so plain runs pay nothing for this.

use crate::model::{Cause, DeptId, HandoffId};

/// Receives the events of a run as they happen.
pub trait Observer {
    /// `false` only for observers that ignore everything.
    const ENABLED: bool = true;
    fn record(&mut self, event: &TraceEvent);
}

/// The observer of plain runs: ignores everything at no cost.
pub struct Unobserved;

impl Observer for Unobserved {
    const ENABLED: bool = false;
    #[inline]
    fn record(&mut self, _: &TraceEvent) {}
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// A new customer arrived.
    Arrived,
    /// A prospect stayed away because a lost customer talked (`cause` is the teller's).
    ProspectDeterred,
    /// The customer placed an order (`count`: how many this customer has placed).
    Ordered,
    ServiceStarted,
    ServiceEnded,
    /// The work vanished in a handoff.
    Lost,
    /// The receiver caught an error and sent the work back.
    Caught,
    /// An error went on undetected.
    Escaped,
    Delivered,
    /// The customer chased a lost order.
    Chased,
    /// A bad experience became a problem for the customer (`cause`).
    Problem,
    Complained,
    /// A complaint was resolved (`path`: resolved or resolved_quickly).
    Resolved,
    /// The customer gave up on a complaint.
    Unresolved,
    /// After a problem, the customer stayed (`path`).
    Stayed,
    /// After a problem, the customer left for good (`cause`, `path`).
    Left,
    /// A leaving customer told others; `count` of them were deterred.
    Told,
    /// A lost customer's undelivered order was dropped.
    Cancelled,
    /// Nothing more will happen to this customer (no order, reorder or complaint pending).
    Done,
    /// Staff on duty at a department changed (`count`: on duty now; 0 while closed).
    Staffed,
}

impl TraceKind {
    pub fn name(self) -> &'static str {
        match self {
            TraceKind::Arrived => "arrived",
            TraceKind::ProspectDeterred => "prospect_deterred",
            TraceKind::Ordered => "ordered",
            TraceKind::ServiceStarted => "service_started",
            TraceKind::ServiceEnded => "service_ended",
            TraceKind::Lost => "lost",
            TraceKind::Caught => "caught",
            TraceKind::Escaped => "escaped",
            TraceKind::Delivered => "delivered",
            TraceKind::Chased => "chased",
            TraceKind::Problem => "problem",
            TraceKind::Complained => "complained",
            TraceKind::Resolved => "resolved",
            TraceKind::Unresolved => "unresolved",
            TraceKind::Stayed => "stayed",
            TraceKind::Left => "left",
            TraceKind::Told => "told",
            TraceKind::Cancelled => "cancelled",
            TraceKind::Done => "done",
            TraceKind::Staffed => "staffed",
        }
    }
}

/// The path a problem took, which decides how likely the customer is to stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    Silent,
    Unresolved,
    Resolved,
    ResolvedQuickly,
}

impl Path {
    pub const ALL: [Path; 4] = [
        Path::Silent,
        Path::Unresolved,
        Path::Resolved,
        Path::ResolvedQuickly,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Path::Silent => "silent",
            Path::Unresolved => "unresolved",
            Path::Resolved => "resolved",
            Path::ResolvedQuickly => "resolved_quickly",
        }
    }
}

/// One thing that happened. Customers and orders are numbered from 1 in the order they appear.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceEvent {
    /// Hours since the start of the run.
    pub time: f64,
    pub kind: TraceKind,
    pub customer: Option<u64>,
    pub order: Option<u64>,
    pub department: Option<DeptId>,
    pub handoff: Option<HandoffId>,
    pub cause: Option<Cause>,
    pub path: Option<Path>,
    pub count: u32,
}

impl TraceEvent {
    pub(crate) fn new(time: f64, kind: TraceKind) -> Self {
        Self {
            time,
            kind,
            customer: None,
            order: None,
            department: None,
            handoff: None,
            cause: None,
            path: None,
            count: 0,
        }
    }
}
