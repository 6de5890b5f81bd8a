//! What the event list holds: the engine's events, and the integer each is
//! packed into while it waits.

use super::{ComplaintId, CustomerId, OrderId};

/// Work a department can hold: an order at one of its steps, or a complaint.
#[derive(Debug, Clone, Copy)]
pub(super) enum Job {
    Order(OrderId),
    Complaint(ComplaintId),
}

/// Something due to happen at an instant; the event list holds it packed
/// ([`PackedEvent`]) beside its time.
#[derive(Debug, Clone, Copy)]
pub(super) enum Event {
    /// The next new prospect arrives.
    Arrival,
    /// A server of `dept` finishes `job`.
    ServiceEnd { dept: u32, job: Job },
    /// `order` reaches the receiving end of its current handoff.
    HandoffArrive { order: OrderId },
    /// The customer chases `order`, which was lost in a handoff.
    Chase { order: OrderId },
    /// A loyal customer places another order.
    Reorder { customer: CustomerId },
    /// The customer stops waiting for a complaint to be resolved.
    ComplaintPatience { complaint: ComplaintId },
    /// A member of `pool` finishes `job` (of the department the job is at).
    PoolServiceEnd { pool: u32, job: Job },
    /// Staff on duty change at a department or pool (see `capacity.rs`).
    Capacity { unit: u32 },
    /// A complaint about a handoff's loss (or, with `error`, its error) has been analysed: the handoff learns.
    Lesson { handoff: u32, error: bool },
}

/// The most departments (and, apart, the most pools) a model may have: an
/// event names one in the 28 bits [`PackedEvent`] leaves it.
pub const MAX_UNITS: usize = 1 << UNIT_BITS;
const UNIT_BITS: u32 = 28;

/// An [`Event`] as the event list keeps it: one 64-bit integer, the variant
/// (and a job's kind, a lesson's error) in the low four bits, an order,
/// customer, complaint, unit or handoff number in the next 32, and a
/// department or pool in the top 28.
///
/// Why not the enum itself: an enum is built on the stack field by field and
/// the list then copied it with one 16-byte load, which the store buffer
/// cannot forward from four 4-byte stores, so the load waited for every older
/// store to reach the cache (`perf`: a tenth of the big organisation's time on
/// that one instruction). An integer is built and moved in registers, and at
/// 8 bytes it makes an entry of the list 24 bytes with its key, not 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PackedEvent(u64);

impl Event {
    #[inline(always)]
    pub(super) fn pack(self) -> PackedEvent {
        // A job's kind is in the variant: `for_order`, or the next for a complaint.
        let job = |job: Job, for_order: u8| match job {
            Job::Order(id) => (for_order, id),
            Job::Complaint(id) => (for_order + 1, id),
        };
        let (variant, id, unit) = match self {
            Event::Arrival => (0, 0, 0),
            Event::ServiceEnd { dept, job: j } => {
                let (v, id) = job(j, 1);
                (v, id, dept)
            }
            Event::HandoffArrive { order } => (3, order, 0),
            Event::Chase { order } => (4, order, 0),
            Event::Reorder { customer } => (5, customer, 0),
            Event::ComplaintPatience { complaint } => (6, complaint, 0),
            Event::PoolServiceEnd { pool, job: j } => {
                let (v, id) = job(j, 7);
                (v, id, pool)
            }
            Event::Capacity { unit } => (9, unit, 0),
            Event::Lesson { handoff, error } => (10 + u8::from(error), handoff, 0),
        };
        debug_assert!((unit as usize) < MAX_UNITS, "unit {unit} beyond MAX_UNITS");
        PackedEvent(u64::from(unit) << 36 | u64::from(id) << 4 | u64::from(variant))
    }
}

impl PackedEvent {
    #[inline(always)]
    pub(super) fn unpack(self) -> Event {
        let id = (self.0 >> 4) as u32;
        let unit = (self.0 >> 36) as u32;
        let variant = self.0 & 0xf;
        // The variant for an order's job, or the next for a complaint's (see `pack`).
        let job = |for_order: u64| {
            if variant == for_order {
                Job::Order(id)
            } else {
                Job::Complaint(id)
            }
        };
        match variant {
            0 => Event::Arrival,
            1 | 2 => Event::ServiceEnd {
                dept: unit,
                job: job(1),
            },
            3 => Event::HandoffArrive { order: id },
            4 => Event::Chase { order: id },
            5 => Event::Reorder { customer: id },
            6 => Event::ComplaintPatience { complaint: id },
            7 | 8 => Event::PoolServiceEnd {
                pool: unit,
                job: job(7),
            },
            9 => Event::Capacity { unit: id },
            10 | 11 => Event::Lesson {
                handoff: id,
                error: variant == 11,
            },
            other => unreachable!("no event has variant {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, with its fields at their extremes, comes back as it went in.
    #[test]
    fn unpacking_gives_back_the_packed_event() {
        let mut events = vec![Event::Arrival];
        let most = MAX_UNITS as u32 - 1;
        for a in [0, 1, 0x8000_0000, u32::MAX] {
            for job in [Job::Order(a), Job::Complaint(a), Job::Order(u32::MAX - a)] {
                for unit in [0, 1, a.min(most), most] {
                    events.push(Event::ServiceEnd { dept: unit, job });
                    events.push(Event::PoolServiceEnd { pool: unit, job });
                }
            }
            events.extend([
                Event::HandoffArrive { order: a },
                Event::Chase { order: a },
                Event::Reorder { customer: a },
                Event::ComplaintPatience { complaint: a },
                Event::Capacity { unit: a },
                Event::Lesson {
                    handoff: a,
                    error: false,
                },
                Event::Lesson {
                    handoff: a,
                    error: true,
                },
            ]);
        }
        let mut distinct = std::collections::HashMap::new();
        for event in events {
            let p = event.pack();
            assert_eq!(format!("{:?}", p.unpack()), format!("{event:?}"));
            distinct.insert(format!("{event:?}"), p.0);
        }
        // Distinct events, distinct integers.
        let mut packed: Vec<u64> = distinct.values().copied().collect();
        let all = packed.len();
        packed.sort_unstable();
        packed.dedup();
        assert_eq!(packed.len(), all);
    }
}
