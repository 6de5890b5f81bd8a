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

/// An [`Event`] as the event list keeps it: one 128-bit integer (the variant
/// in the low byte, then its fields at bits 32 and 64).
///
/// Why not the enum itself: an enum is built on the stack field by field and
/// the list then copied it with one 16-byte load, which the store buffer
/// cannot forward from four 4-byte stores, so the load waited for every older
/// store to reach the cache (`perf`: a tenth of the big organisation's time on
/// that one instruction). An integer is built and moved in registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PackedEvent(u128);

impl Job {
    #[inline(always)]
    fn bits(self) -> u64 {
        match self {
            Job::Order(order) => u64::from(order),
            Job::Complaint(complaint) => 1 << 32 | u64::from(complaint),
        }
    }

    #[inline(always)]
    fn from_bits(bits: u64) -> Self {
        if bits >> 32 == 0 {
            Job::Order(bits as u32)
        } else {
            Job::Complaint(bits as u32)
        }
    }
}

impl Event {
    #[inline(always)]
    pub(super) fn pack(self) -> PackedEvent {
        let (variant, a, b): (u8, u32, u64) = match self {
            Event::Arrival => (0, 0, 0),
            Event::ServiceEnd { dept, job } => (1, dept, job.bits()),
            Event::HandoffArrive { order } => (2, order, 0),
            Event::Chase { order } => (3, order, 0),
            Event::Reorder { customer } => (4, customer, 0),
            Event::ComplaintPatience { complaint } => (5, complaint, 0),
            Event::PoolServiceEnd { pool, job } => (6, pool, job.bits()),
            Event::Capacity { unit } => (7, unit, 0),
            Event::Lesson { handoff, error } => (8, handoff, u64::from(error)),
        };
        PackedEvent(u128::from(b) << 64 | u128::from(a) << 32 | u128::from(variant))
    }
}

impl PackedEvent {
    #[inline(always)]
    pub(super) fn unpack(self) -> Event {
        let a = (self.0 >> 32) as u32;
        let b = (self.0 >> 64) as u64;
        match self.0 as u8 {
            0 => Event::Arrival,
            1 => Event::ServiceEnd {
                dept: a,
                job: Job::from_bits(b),
            },
            2 => Event::HandoffArrive { order: a },
            3 => Event::Chase { order: a },
            4 => Event::Reorder { customer: a },
            5 => Event::ComplaintPatience { complaint: a },
            6 => Event::PoolServiceEnd {
                pool: a,
                job: Job::from_bits(b),
            },
            7 => Event::Capacity { unit: a },
            8 => Event::Lesson {
                handoff: a,
                error: b != 0,
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
        for a in [0, 1, 0x8000_0000, u32::MAX] {
            for job in [Job::Order(a), Job::Complaint(a), Job::Order(u32::MAX - a)] {
                events.push(Event::ServiceEnd { dept: a, job });
                events.push(Event::PoolServiceEnd { pool: a, job });
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
        let mut packed: Vec<u128> = Vec::new();
        for event in events {
            let p = event.pack();
            assert_eq!(format!("{:?}", p.unpack()), format!("{event:?}"));
            packed.push(p.0);
        }
        // Distinct events, distinct integers.
        let all = packed.len();
        packed.sort_unstable();
        packed.dedup();
        assert_eq!(packed.len(), all);
    }
}
