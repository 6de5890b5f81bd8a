//! Why a replication stops before its horizon: runaway work and a clock that
//! cannot advance. Both are the scenario's fault, so they come back as a
//! [`RunError`] value for the caller to report (the library never prints).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::{IncidentTarget, Model};

/// Events handled at one simulated instant before the clock is declared stuck.
///
/// Each order passes a department and a handoff in a few events, so even a
/// burst of simultaneous work takes far fewer; ten million events at one
/// instant means the clock cannot move (times below its resolution, every
/// error caught and reworked at once, …). At engine speed this is a second or two.
pub const MAX_EVENTS_AT_ONE_INSTANT: u64 = 10_000_000;

/// How often (in events) the engine checks the live work and reports progress.
pub(super) const CHECK_EVERY: u64 = 1 << 12;

/// Every this many events, the engine checks how far the clock moved.
pub(super) const CLOCK_WINDOW: u64 = 1 << 24;

/// A replication whose clock moves so slowly that it would need more events
/// than this to reach its end is stopped: at tens of millions of events a
/// second that is more than a day of computing, for a clock that barely moves
/// (times just above the clock's resolution, rework that never ends).
pub const MAX_PROJECTED_EVENTS: f64 = 1e13;

/// Stops a replication whose clock moved from `from` to `now` in the last
/// [`CLOCK_WINDOW`] events at a pace that would need more than
/// [`MAX_PROJECTED_EVENTS`] events to reach `horizon`.
pub(super) fn check_pace(
    replication: u32,
    from: f64,
    now: f64,
    horizon: f64,
) -> Result<(), RunError> {
    let moved = now - from;
    let projected = (horizon - now) / moved * CLOCK_WINDOW as f64;
    if moved > 0.0 && projected <= MAX_PROJECTED_EVENTS {
        return Ok(());
    }
    if moved <= 0.0 {
        // Caught as a stalled instant by the caller; nothing to project.
        return Ok(());
    }
    Err(RunError::ClockCrawls {
        replication,
        at_h: now,
        events: CLOCK_WINDOW,
        moved_h: moved,
    })
}

/// Memory each replication may fill with its work in progress and its
/// customers, in bytes ([`limit_memory_per_replication`]); unlimited until
/// the program sets it (the library does not look at the machine).
static MEMORY_PER_REPLICATION: AtomicU64 = AtomicU64::new(u64::MAX);

/// Lets each replication fill at most `bytes` of memory with its orders and
/// complaints in progress and its customers, and stops it with
/// [`RunError::OutOfMemory`] beyond: `max_live` bounds the work in progress
/// by count, but at its largest (100 million) or with long flows (hours kept
/// per step of every order) a count the scenario allows can need more memory
/// than the machine has, and an allocation that fails aborts the process.
/// The program sets it from the memory free and the replications it runs at
/// once; the estimate is checked with the live work, every few thousand events.
pub fn limit_memory_per_replication(bytes: u64) {
    MEMORY_PER_REPLICATION.store(bytes, Ordering::Relaxed);
}

/// The limit set by [`limit_memory_per_replication`] (`u64::MAX`: none).
pub(super) fn memory_per_replication() -> u64 {
    MEMORY_PER_REPLICATION.load(Ordering::Relaxed)
}

/// Bytes an order or complaint in progress takes, all told, for orders of
/// `entries` hours kept per step (see `spent.rs`): its record, events and
/// places in queues with the room the arenas keep to grow, and its entries,
/// doubled for the same room. With [`BYTES_PER_CUSTOMER`] for its customer,
/// 200 bytes where 140 were measured (4 million orders in progress, one
/// customer each, in 563 MB): the estimate errs on the safe side.
pub(super) fn bytes_per_live(entries: usize) -> u64 {
    160 + 16 * entries as u64
}

/// Which events check the live work: those whose count has the low bits of
/// the mask all zero. Every [`CHECK_EVERY`] events, or more often when an
/// order takes so much memory (a flow of thousands of steps) that the orders
/// placed between two checks would be more than a sixty-fourth of the limit.
pub(super) fn check_mask(limit: u64, per_live: u64) -> u64 {
    let every = (limit / per_live.max(1) / 64).clamp(1, CHECK_EVERY);
    // The largest power of two not above it.
    (1 << (63 - every.leading_zeros())) - 1
}

/// Bytes a customer on the books takes: its record and its reorder on the
/// event list (about 31 measured with ten million customers waiting to reorder).
pub(super) const BYTES_PER_CUSTOMER: u64 = 40;

/// Why a replication could not be simulated to its end.
#[derive(Debug, Clone, PartialEq)]
pub enum RunError {
    /// Orders and complaints in progress passed `[simulation] max_live`.
    Overloaded {
        replication: u32,
        /// Simulated time at which the limit was passed, in hours.
        at_h: f64,
        /// Orders and complaints in progress then.
        live: u64,
        /// The limit (`max_live`).
        limit: u64,
        /// The department with the longest queue, its queue, staff, and the
        /// load it is asked for (offered work per server, 1 = fully busy),
        /// with the incidents in force and reorders up to that time
        /// ([`Model::load_at`]).
        department: String,
        queued: u64,
        staff: u32,
        load: f64,
        /// The pools that help the department (their staff count in `load`).
        pools: Box<[String]>,
        /// The incidents whose window was open then (their values count in
        /// `staff` and `load`).
        incidents: Box<[String]>,
        /// New customers per hour.
        arrival_rate_per_h: f64,
    },
    /// The work in progress and the customers would need more memory than the
    /// replication may use ([`limit_memory_per_replication`]).
    OutOfMemory {
        replication: u32,
        at_h: f64,
        /// Orders and complaints in progress, and customers on the books.
        live: u64,
        customers: u64,
        /// The memory they take, by estimate, and the limit, in bytes.
        bytes: u64,
        limit: u64,
        /// Of which each order takes, by estimate (its hours kept at every
        /// step of the longest flow grow it with the flow).
        per_order: u64,
    },
    /// Too many events at one instant: simulated time stopped advancing.
    ClockStalled {
        replication: u32,
        at_h: f64,
        events: u64,
    },
    /// The clock moves so little per event that the run would not end in a day.
    ClockCrawls {
        replication: u32,
        at_h: f64,
        /// Events in the window measured, and how far the clock moved in them.
        events: u64,
        moved_h: f64,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Overloaded {
                replication,
                at_h,
                live,
                limit,
                department,
                queued,
                staff,
                load,
                pools,
                incidents,
                arrival_rate_per_h,
            } => {
                let during = match incidents.as_ref() {
                    [] => String::new(),
                    [one] => format!(" during incident `{one}`"),
                    many => format!(" during incidents `{}`", many.join("`, `")),
                };
                let helped = match pools.as_ref() {
                    [] => String::new(),
                    [one] => format!(" and the pool `{one}`"),
                    many => format!(" and the pools `{}`", many.join("`, `")),
                };
                let asked = if *staff == 0 && pools.is_empty() {
                    "it has nobody on duty".to_owned()
                } else {
                    format!(
                        "it is asked for {} what its {staff} {}{helped} can do",
                        share_of_capacity(*load),
                        if *staff == 1 { "person" } else { "people" },
                    )
                };
                let help = if incidents.is_empty() {
                    "lower `arrival_rate` (is the unit right? \"20/d\" is per day, \
                     \"20/h\" per hour), add staff or shorten its service"
                } else {
                    "an incident window that takes staff away or adds work builds a queue for \
                     as long as it lasts (`handoff validate` estimates it): keep more staff on \
                     duty in the window, or shorten it"
                };
                write!(
                    f,
                    "replication {replication} stopped at {}: {live} orders and complaints were \
                     in progress, more than `max_live = {limit}` in [simulation]\n  \
                     = note: department `{department}` had {queued} waiting; with {} new \
                     customers a day{during} {asked}\n  \
                     = help: {help}; raise `max_live` \
                     only if the run really holds that much work (docs/scenario.md)",
                    show_time(*at_h),
                    show_number(arrival_rate_per_h * 24.0),
                )
            }
            RunError::OutOfMemory {
                replication,
                at_h,
                live,
                customers,
                limit,
                per_order,
                ..
            } => {
                // Orders of long flows are large: say so, it is the reason.
                let large = if *per_order >= 100_000 {
                    format!(
                        " (each order keeps its hours at every step of its flow: about {} each)",
                        crate::report::human::bytes(*per_order)
                    )
                } else {
                    String::new()
                };
                write!(
                    f,
                    "replication {replication} stopped at {}: its {live} orders and complaints in \
                     progress{large} and {customers} customers on the books have filled the {} \
                     of memory each replication may use here (the memory free when handoff \
                     started, shared by the replications that run at once)\n  \
                     = help: `handoff validate` shows whether the scenario asks for more work \
                     than its staff can do; otherwise run fewer replications at once \
                     (`--threads 1`), or on a machine with more memory free",
                    show_time(*at_h),
                    crate::report::human::bytes(*limit),
                )
            }
            RunError::ClockStalled {
                replication,
                at_h,
                events,
            } => write!(
                f,
                "replication {replication} stopped at {}: {events} events happened at that \
                 same instant and simulated time no longer advances\n  \
                 = help: some time in the scenario is too short for the clock to move (or \
                 work is reworked forever at once): lengthen very short service times and \
                 delays, or lower `catch` where every error is sent back (docs/scenario.md)",
                show_time(*at_h),
                events = events,
            ),
            RunError::ClockCrawls {
                replication,
                at_h,
                events,
                moved_h,
            } => write!(
                f,
                "replication {replication} stopped at {}: simulated time moved only {} \
                 in the last {events} events, so the run would not end in a day\n  \
                 = help: some time in the scenario is far too short for its `duration` (or \
                 work is reworked forever): lengthen very short service times and delays, \
                 or lower `catch` where every error is sent back (docs/scenario.md)",
                show_time(*at_h),
                show_span(*moved_h),
            ),
        }
    }
}

impl std::error::Error for RunError {}

/// A simulated time for messages: `day 3.2` (hours under a day shown as such).
fn show_time(h: f64) -> String {
    if h < 24.0 {
        format!("hour {}", round_3(h))
    } else {
        format!("day {}", round_3(h / 24.0))
    }
}

fn round_3(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

/// A short span of simulated time for messages, in seconds.
fn show_span(h: f64) -> String {
    format!("{}s", show_number(h * 3600.0))
}

/// A count or rate for messages, without a long tail of digits.
fn show_number(x: f64) -> String {
    if x.abs() >= 1e9 || (x != 0.0 && x.abs() < 1e-3) {
        format!("{x:.3e}")
    } else {
        round_3(x)
    }
}

/// How much a load (offered work per server, 1 = fully busy) asks of a
/// department, to put before "what its staff can do": `150 % of`, `62 400
/// times`; sensibly short however large.
pub fn share_of_capacity(load: f64) -> String {
    if load.is_nan() || load.is_infinite() {
        return "infinitely more than".to_owned();
    }
    if load < 10.0 {
        return format!("{:.0} % of", load * 100.0);
    }
    if load >= 1e9 {
        return format!("{load:.2e} times");
    }
    // Three significant digits, grouped: 62 400.
    let digits = load.log10().floor() as i32;
    let unit = 10f64.powi((digits - 2).max(0));
    let rounded = ((load / unit).round() * unit) as u64;
    let text = rounded.to_string();
    let mut grouped = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 && (text.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{grouped} times")
}

/// The department whose queue is longest, as an [`RunError::Overloaded`].
pub(super) fn overloaded(
    model: &Model,
    replication: u32,
    at_h: f64,
    live: u64,
    queues: impl Iterator<Item = usize>,
) -> RunError {
    let (dept, queued) = queues
        .enumerate()
        .max_by_key(|&(i, q)| (q, std::cmp::Reverse(i)))
        .unwrap_or((0, 0));
    // What the department faces then: incidents in force, reorders so far.
    let load = model.load_at(at_h).get(dept).copied().unwrap_or(0.0);
    let active = model.incidents_active_at(at_h);
    let d = &model.departments[dept];
    let mut staff = d.staff;
    for &i in &active {
        if let IncidentTarget::Department {
            department,
            staff: Some(s),
            ..
        } = model.incidents[i].target
            && department == dept
        {
            staff = s;
        }
    }
    RunError::Overloaded {
        replication,
        at_h,
        live,
        limit: model.simulation.max_live,
        department: d.name.clone(),
        queued: queued as u64,
        staff,
        load,
        pools: model
            .pools
            .iter()
            .filter(|p| p.serves.contains(&dept))
            .map(|p| p.name.clone())
            .collect(),
        incidents: active
            .iter()
            .map(|&i| model.incidents[i].name.clone())
            .collect(),
        arrival_rate_per_h: model.customers.arrival_rate_per_h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_work_is_checked_more_often_when_orders_take_much_memory() {
        // Unlimited, or small orders: every CHECK_EVERY events.
        assert_eq!(check_mask(u64::MAX, bytes_per_live(9)), CHECK_EVERY - 1);
        assert_eq!(check_mask(1 << 30, bytes_per_live(9)), CHECK_EVERY - 1);
        // Orders of 450 000 entries (7.2 MB each) in 1.4 GB: 194 fit, so every other event.
        assert_eq!(check_mask(1_400_000_000, bytes_per_live(450_000)), 1);
        // 20 000 fit: every 256 events (the power of two below 20 000 / 64).
        let per = bytes_per_live(1000);
        assert_eq!(check_mask(20_000 * per, per), 255);
        assert_eq!(check_mask(0, per), 0);
    }

    #[test]
    fn percentages_stay_short() {
        assert_eq!(share_of_capacity(1.234), "123 % of");
        assert_eq!(share_of_capacity(62_412.0), "62 400 times");
        assert_eq!(share_of_capacity(12.5), "13 times");
        assert_eq!(share_of_capacity(1e300), "1.00e300 times");
        assert_eq!(share_of_capacity(f64::INFINITY), "infinitely more than");
        assert_eq!(show_number(0.5), "0.5");
        assert_eq!(show_number(1728000.0), "1728000");
        assert_eq!(show_time(5.5), "hour 5.5");
        assert_eq!(show_time(48.0), "day 2");
    }
}
