//! How an organisation is arranged beyond departments and routes: opening hours,
//! cross-trained pools and incident windows (issue "Structures a consultant compares").

use super::{DeptId, Distribution, HandoffId};

/// Minutes in a week: opening hours repeat with this period, from Monday 00:00 at time 0.
pub const WEEK_MINUTES: u32 = 7 * 24 * 60;

/// When a department or pool is open, repeating every week.
#[derive(Debug, Clone, PartialEq)]
pub struct Hours {
    /// Open windows as `[start, end)` minutes since Monday 00:00, sorted, not
    /// overlapping, not touching, each within `0..=WEEK_MINUTES` (a window that
    /// crosses the end of Sunday is stored as two). Never empty.
    pub windows: Vec<(u32, u32)>,
}

/// Staff trained for several departments, who serve their queues when idle.
#[derive(Debug, Clone)]
pub struct Pool {
    pub name: String,
    pub staff: u32,
    /// The departments whose queues it serves, in the order listed.
    pub serves: Vec<DeptId>,
    /// `None`: always open.
    pub hours: Option<Hours>,
    /// Money per staff member per open hour.
    pub cost: f64,
}

/// A named time window whose values replace the scenario's.
#[derive(Debug, Clone)]
pub struct Incident {
    pub name: String,
    /// Start and end of the (first) window, hours since the start of the run.
    pub from_h: f64,
    pub to_h: f64,
    /// The window repeats with this period (`every`), when given.
    pub every_h: Option<f64>,
    pub target: IncidentTarget,
}

/// What an incident changes; `None` fields keep the scenario's value.
#[derive(Debug, Clone)]
pub enum IncidentTarget {
    Handoff {
        handoff: HandoffId,
        lose: Option<f64>,
        error: Option<f64>,
        catch: Option<f64>,
        /// `Some(None)`: the delay becomes instant.
        delay: Option<Option<Distribution>>,
    },
    Department {
        department: DeptId,
        staff: Option<u32>,
        service: Option<Distribution>,
    },
}
