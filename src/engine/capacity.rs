//! Who can serve, and when: staff on duty that changes over time (opening
//! hours, a department incident's `staff`/`service`), cross-trained pools, and
//! priorities in the queues (issue "Structures a consultant compares").
//!
//! **Staff on duty** is one mechanism for departments and pools: 0 while
//! closed, else the scenario's `staff`, or the `staff` of the last-listed
//! incident whose window is open. A `Capacity` event is scheduled only for a
//! department or pool with `hours` or an incident, at the next moment its
//! staff on duty changes (lazily: each change schedules the next).
//!
//! **At closing**, or when staff drop, nobody stops in the middle of a job:
//! items in service are finished (as Ciw does), and no new service starts
//! until someone is free *and* on duty. Work that runs past closing is overtime:
//! utilisation is busy staff-time over staff-time at work, where staff at work
//! are those on duty plus those still finishing a job beyond it (so it stays
//! at most 1), and staff cost counts staff on duty only (money per staff member
//! per open hour).
//!
//! **Pools**: a job arriving at a department goes to an idle member of its own
//! staff, else to an idle member of the first listed pool that serves the
//! department and has one, else it waits in the department's queue. A pool
//! member who becomes free (or comes on duty) takes, among the queues it
//! serves, the job of the highest priority, and among those the one that has
//! waited longest (ties: the department listed first in `serves`). Service
//! time is the department's distribution, drawn from the department's stream.
//! A pool serves whenever the pool is on duty, whether the department's own
//! staff are or not.
//!
//! **Priorities**: a queue serves the highest priority first, first come first
//! served within a level, non-preemptive. When every flow and complaint work
//! share one priority, queues stay plain FIFO queues: scenarios without these
//! fields pay nothing for them.

use std::collections::VecDeque;

use super::{DepartmentState, Event, Job, Mechanisms, Observer, Simulation, TraceKind};
use crate::metrics::{PoolMetrics, TimeWeighted};
use crate::model::{Distribution, Hours, IncidentTarget, Model};

/// Staff-time of a department or pool whose staff on duty change.
pub(super) struct Duty {
    /// Staff on duty (0 while closed).
    on_duty: TimeWeighted,
    /// Staff on duty, or busy if more (finishing jobs after a drop).
    at_work: TimeWeighted,
    /// The incident whose `service` replaces the department's now.
    service: Option<usize>,
}

impl Duty {
    fn new(warmup: f64) -> Box<Self> {
        Box::new(Self {
            on_duty: TimeWeighted::new(warmup),
            at_work: TimeWeighted::new(warmup),
            service: None,
        })
    }
}

/// What a capacity event changes.
#[derive(Clone, Copy)]
enum Unit {
    Department(usize),
    Pool(usize),
}

/// A department or pool whose staff on duty change over time.
struct Changing<'m> {
    unit: Unit,
    staff: u32,
    hours: Option<&'m Hours>,
    /// Indices of the incidents on this department, in the order listed.
    incidents: Vec<usize>,
    /// Positions in `incidents` of the windows open now, in the order listed.
    open: std::collections::BTreeSet<usize>,
    /// When each incident's window next opens or closes (as the bits of a
    /// time ≥ 0, which order as the times do), with its position in
    /// `incidents`: only those due are looked at, so a change costs the
    /// logarithm of the incidents on the unit, not all of them.
    due: std::collections::BinaryHeap<std::cmp::Reverse<(u64, usize)>>,
}

impl Changing<'_> {
    fn new(unit: Unit, staff: u32, hours: Option<&Hours>, incidents: Vec<usize>) -> Changing<'_> {
        // Every incident is due at time 0, when its state is first computed.
        let due = (0..incidents.len())
            .map(|i| std::cmp::Reverse((0.0f64.to_bits(), i)))
            .collect();
        Changing {
            unit,
            staff,
            hours,
            incidents,
            open: std::collections::BTreeSet::new(),
            due,
        }
    }
}

pub(super) struct PoolState {
    staff: u32,
    busy: u32,
    busy_level: TimeWeighted,
    duty: Option<Box<Duty>>,
    served: u64,
}

/// Everything this module adds to a run.
pub(super) struct Capacity<'m> {
    /// Some department is served by a pool.
    pub(super) has_pools: bool,
    /// Jobs have more than one priority level.
    pub(super) ranked: bool,
    /// Per department: the pools that serve it, in the order pools are listed.
    served_by: Vec<Vec<u32>>,
    pools: Vec<PoolState>,
    changing: Vec<Changing<'m>>,
    /// Per flow, and for complaint work: the queue level (0 is served first).
    flow_rank: Vec<u8>,
    complaint_rank: u8,
}

impl<'m> Capacity<'m> {
    pub(super) fn new(model: &'m Model, warmup: f64) -> Self {
        let departments = model.departments.len();
        let mut served_by = vec![Vec::new(); departments];
        for (p, pool) in model.pools.iter().enumerate() {
            for &d in &pool.serves {
                served_by[d].push(p as u32);
            }
        }
        let mut changing = Vec::new();
        for (d, spec) in model.departments.iter().enumerate() {
            let incidents: Vec<usize> = model
                .incidents
                .iter()
                .enumerate()
                .filter(|(_, i)| {
                    matches!(i.target, IncidentTarget::Department { department, .. } if department == d)
                })
                .map(|(i, _)| i)
                .collect();
            if spec.hours.is_some() || !incidents.is_empty() {
                changing.push(Changing::new(
                    Unit::Department(d),
                    spec.staff,
                    spec.hours.as_ref(),
                    incidents,
                ));
            }
        }
        let pools = model
            .pools
            .iter()
            .enumerate()
            .map(|(p, spec)| {
                if spec.hours.is_some() {
                    changing.push(Changing::new(
                        Unit::Pool(p),
                        spec.staff,
                        spec.hours.as_ref(),
                        Vec::new(),
                    ));
                }
                PoolState {
                    staff: spec.staff,
                    busy: 0,
                    busy_level: TimeWeighted::new(warmup),
                    duty: spec.hours.as_ref().map(|_| Duty::new(warmup)),
                    served: 0,
                }
            })
            .collect();
        // Priority levels, highest first.
        let mut levels: Vec<i32> = model.flows.iter().map(|f| f.priority).collect();
        if let Some(c) = &model.complaints {
            levels.push(c.priority);
        }
        levels.sort_unstable_by(|a, b| b.cmp(a));
        levels.dedup();
        let rank = |p: i32| levels.iter().position(|&l| l == p).unwrap_or(0) as u8;
        Self {
            has_pools: !model.pools.is_empty(),
            ranked: levels.len() > 1,
            served_by,
            pools,
            flow_rank: model.flows.iter().map(|f| rank(f.priority)).collect(),
            complaint_rank: model.complaints.as_ref().map_or(0, |c| rank(c.priority)),
            changing,
        }
    }

    /// Queue levels below the first one each department needs.
    pub(super) fn lower_levels(model: &Model) -> usize {
        let mut levels: Vec<i32> = model.flows.iter().map(|f| f.priority).collect();
        if let Some(c) = &model.complaints {
            levels.push(c.priority);
        }
        levels.sort_unstable();
        levels.dedup();
        levels.len().saturating_sub(1).min(usize::from(u8::MAX))
    }

    /// No pools, one priority level, and no staff on duty that change.
    pub(super) fn is_plain(&self) -> bool {
        !self.has_pools && !self.ranked && self.changing.is_empty()
    }

    /// Whether department `d`'s staff on duty change over time.
    pub(super) fn department_changes(&self, d: usize) -> bool {
        self.changing
            .iter()
            .any(|c| matches!(c.unit, Unit::Department(x) if x == d))
    }
}

/// A new department state's duty record, when its staff on duty change.
pub(super) fn department_duty(changes: bool, warmup: f64) -> Option<Box<Duty>> {
    changes.then(|| Duty::new(warmup))
}

/// Whether incident window `[from, to)` (repeating every `every`) is open at
/// `t`, and when that next changes.
fn window_state(from: f64, to: f64, every: Option<f64>, t: f64) -> (bool, f64) {
    if t < from {
        return (false, from);
    }
    let Some(period) = every else {
        return if t < to {
            (true, to)
        } else {
            (false, f64::INFINITY)
        };
    };
    let length = to - from;
    if length >= period {
        return (true, f64::INFINITY);
    }
    let first = (((t - from) / period).floor() as i64 - 1).max(0);
    for k in first.. {
        let start = from + k as f64 * period;
        if t < start {
            return (false, start);
        }
        if t < start + length {
            return (true, start + length);
        }
    }
    unreachable!("some window starts after t")
}

impl DepartmentState {
    /// Jobs waiting, every level.
    pub(super) fn waiting(&self) -> usize {
        self.queue.len() + self.lower.iter().map(VecDeque::len).sum::<usize>()
    }

    /// The busy count changed: record it (and, with changing staff, who is at work).
    #[inline]
    pub(super) fn busy_changed<M: Mechanisms>(&mut self, now: f64) {
        self.busy_level.set(now, f64::from(self.busy));
        if M::ON
            && let Some(duty) = &mut self.duty
        {
            duty.at_work.set(now, f64::from(self.busy.max(self.staff)));
        }
    }

    /// The next job for a free member of the department's own staff: the
    /// highest level first, the longest waiting within it.
    #[inline]
    pub(super) fn next_job<M: Mechanisms>(&mut self, now: f64) -> Option<(Job, f64)> {
        if !M::ON {
            // One level only.
            let job = self.queue.pop_front();
            if job.is_some() {
                self.queue_len.set(now, self.queue.len() as f64);
            }
            return job;
        }
        let job = match self.queue.pop_front() {
            Some(j) => Some(j),
            None => self.lower.iter_mut().find_map(VecDeque::pop_front),
        };
        if job.is_some() {
            self.queue_len.set(now, self.waiting() as f64);
        }
        job
    }

    /// The length of a service starting now, the department's next draw.
    ///
    /// The plain engine drew it one service ahead and draws the next now: a
    /// department's service times are its stream's draws in turn, from a
    /// distribution that never changes there, so drawing early gives the same
    /// numbers, and the draw (a chain of logarithms and exponentials) is no
    /// longer in the way of scheduling the service's end, which only needs the
    /// number drawn before: the processor works on both at once. The full
    /// engine draws when the service starts, as an incident may change the
    /// distribution in between.
    #[inline(always)]
    pub(super) fn draw_service<M: Mechanisms>(&mut self, model: &Model, dept: usize) -> f64 {
        if M::ON {
            self.service::<M>(model, dept).sample(&mut self.rng)
        } else {
            let next = model.departments[dept].service.sample(&mut self.rng);
            std::mem::replace(&mut self.next_service, next)
        }
    }

    /// The distribution of a service starting now.
    #[inline]
    pub(super) fn service<'m, M: Mechanisms>(
        &self,
        model: &'m Model,
        dept: usize,
    ) -> &'m Distribution {
        if M::ON
            && let Some(duty) = &self.duty
            && let Some(i) = duty.service
            && let IncidentTarget::Department {
                service: Some(s), ..
            } = &model.incidents[i].target
        {
            return s;
        }
        &model.departments[dept].service
    }
}

impl<'m, O: Observer, M: Mechanisms> Simulation<'m, '_, O, M> {
    /// Puts `job` in its department's queue at its priority level.
    pub(super) fn queue_job(&mut self, dept: usize, job: Job) {
        let rank = if self.capacity.ranked {
            match job {
                Job::Order(o) => {
                    self.capacity.flow_rank[self.orders[o as usize].flow as usize] as usize
                }
                Job::Complaint(_) => self.capacity.complaint_rank as usize,
            }
        } else {
            0
        };
        let now = self.now;
        let d = &mut self.departments[dept];
        if rank == 0 {
            d.queue.push_back((job, now));
        } else {
            d.lower[rank - 1].push_back((job, now));
        }
        d.queue_len.set(now, d.waiting() as f64);
    }

    /// Gives `job`, arriving at `dept` whose own staff are all busy, to an idle
    /// pool member who serves `dept`; whether one took it.
    pub(super) fn offer_to_pool(&mut self, dept: usize, job: Job) -> bool {
        for i in 0..self.capacity.served_by[dept].len() {
            let p = self.capacity.served_by[dept][i] as usize;
            let pool = &self.capacity.pools[p];
            if pool.busy < pool.staff {
                self.start_pool_service(p, dept, job, self.now);
                return true;
            }
        }
        false
    }

    fn start_pool_service(&mut self, pool: usize, dept: usize, job: Job, queued_at: f64) {
        let service = self.begin_service(dept, job, queued_at);
        let now = self.now;
        let p = &mut self.capacity.pools[pool];
        p.busy += 1;
        pool_busy_changed(p, now);
        self.schedule(
            now + service,
            Event::PoolServiceEnd {
                pool: pool as u32,
                job,
            },
        );
    }

    /// The department whose work `job` is.
    fn job_department(&self, job: Job) -> usize {
        match job {
            Job::Order(o) => {
                let o = &self.orders[o as usize];
                self.model.flows[o.flow as usize].steps[o.step as usize]
            }
            Job::Complaint(_) => {
                self.model
                    .complaints
                    .as_ref()
                    .expect("complaint work has a department")
                    .department
            }
        }
    }

    /// A pool member finishes `job`; they take the next job of the queues they serve.
    pub(super) fn on_pool_service_end(&mut self, pool: usize, job: Job) {
        let dept = self.job_department(job);
        // Traced first: the member may take the next job before this one moves on.
        if O::ENABLED {
            self.trace_job(TraceKind::ServiceEnded, dept, job);
        }
        let now = self.now;
        let measuring = self.measuring();
        let p = &mut self.capacity.pools[pool];
        p.busy -= 1;
        pool_busy_changed(p, now);
        if measuring {
            p.served += 1;
            self.departments[dept].served += 1;
        }
        self.pool_takes_work(pool);
        self.service_done(job);
    }

    /// Idle members of `pool` on duty take waiting jobs from the queues it serves.
    fn pool_takes_work(&mut self, pool: usize) {
        loop {
            let p = &self.capacity.pools[pool];
            if p.busy >= p.staff {
                return;
            }
            let serves = &self.model.pools[pool].serves;
            let levels = 1 + self.departments.first().map_or(0, |d| d.lower.len());
            let mut chosen = None;
            for level in 0..levels {
                let mut best: Option<(usize, f64)> = None;
                for &d in serves {
                    let state = &self.departments[d];
                    let queue = if level == 0 {
                        &state.queue
                    } else {
                        &state.lower[level - 1]
                    };
                    if let Some(&(_, t)) = queue.front()
                        && best.is_none_or(|(_, bt)| t < bt)
                    {
                        best = Some((d, t));
                    }
                }
                if let Some((d, _)) = best {
                    chosen = Some((d, level));
                    break;
                }
            }
            let Some((d, level)) = chosen else { return };
            let now = self.now;
            let state = &mut self.departments[d];
            let queue = if level == 0 {
                &mut state.queue
            } else {
                &mut state.lower[level - 1]
            };
            let (job, queued_at) = queue.pop_front().expect("chosen from its front");
            state.queue_len.set(now, state.waiting() as f64);
            self.start_pool_service(pool, d, job, queued_at);
        }
    }

    /// Sets every changing department and pool to its staff on duty at time 0
    /// and schedules its next change.
    pub(super) fn start_capacity(&mut self) {
        for unit in 0..self.capacity.changing.len() {
            self.on_capacity(unit);
        }
    }

    /// Staff on duty of changing unit `unit` are what they should be now;
    /// those who came on duty take waiting work; the next change is scheduled.
    pub(super) fn on_capacity(&mut self, unit: usize) {
        let now = self.now;
        let c = &mut self.capacity.changing[unit];
        let (open, mut next) = c.hours.map_or((true, f64::INFINITY), |h| h.state_at(now));
        let mut staff = c.staff;
        let mut service = None;
        // The incidents whose window opened or closed by now.
        while let Some(&std::cmp::Reverse((at, pos))) = c.due.peek() {
            if f64::from_bits(at) > now {
                break;
            }
            c.due.pop();
            let incident = &self.model.incidents[c.incidents[pos]];
            let (active, change) =
                window_state(incident.from_h, incident.to_h, incident.every_h, now);
            if active {
                c.open.insert(pos);
            } else {
                c.open.remove(&pos);
            }
            if change.is_finite() {
                c.due.push(std::cmp::Reverse((change.to_bits(), pos)));
            }
        }
        if let Some(&std::cmp::Reverse((at, _))) = c.due.peek() {
            next = next.min(f64::from_bits(at));
        }
        // Later-listed incidents win for the fields they set.
        for &pos in &c.open {
            let i = c.incidents[pos];
            if let IncidentTarget::Department {
                staff: s,
                service: d,
                ..
            } = &self.model.incidents[i].target
            {
                if let Some(s) = s {
                    staff = *s;
                }
                if d.is_some() {
                    service = Some(i);
                }
            }
        }
        if !open {
            staff = 0;
        }
        let kind = c.unit;
        match kind {
            Unit::Department(d) => {
                if self.morale.is_some() {
                    // Morale's busy share up to now is over the staff on duty
                    // until now: bring it up to date before they change.
                    self.morale_update(d);
                }
                let state = &mut self.departments[d];
                let changed = state.staff != staff || now == 0.0;
                state.staff = staff;
                if let Some(duty) = &mut state.duty {
                    duty.service = service;
                    duty.on_duty.set(now, f64::from(staff));
                }
                state.busy_changed::<M>(now);
                if changed {
                    self.trace(TraceKind::Staffed, |e| {
                        e.department = Some(d);
                        e.count = staff;
                    });
                }
                loop {
                    let state = &mut self.departments[d];
                    if state.busy >= state.staff {
                        break;
                    }
                    let Some((job, queued_at)) = state.next_job::<M>(now) else {
                        break;
                    };
                    self.start_service(d, job, queued_at);
                }
            }
            Unit::Pool(p) => {
                let pool = &mut self.capacity.pools[p];
                pool.staff = staff;
                if let Some(duty) = &mut pool.duty {
                    duty.on_duty.set(now, f64::from(staff));
                }
                pool_busy_changed(pool, now);
                self.pool_takes_work(p);
            }
        }
        if next.is_finite() {
            self.schedule(next, Event::Capacity { unit: unit as u32 });
        }
    }

    /// Department utilisation: busy staff-time over staff-time at work (see the module).
    pub(super) fn department_utilization(&self, d: usize, end: f64) -> f64 {
        let state = &self.departments[d];
        match &state.duty {
            None if state.staff == 0 => 0.0,
            None => state.busy_level.average(end) / f64::from(state.staff),
            Some(duty) => ratio(state.busy_level.average(end), duty.at_work.average(end)),
        }
    }

    /// Money paid to staff on duty after the warm-up, departments and pools.
    pub(super) fn staff_cost(&self, end: f64) -> f64 {
        let counted = end - self.warmup;
        if counted <= 0.0 {
            return 0.0;
        }
        let on_duty = |fixed: u32, duty: &Option<Box<Duty>>| match duty {
            None => f64::from(fixed),
            Some(d) => d.on_duty.average(end),
        };
        let departments = self
            .model
            .departments
            .iter()
            .zip(&self.departments)
            .filter(|(spec, _)| spec.cost > 0.0)
            .map(|(spec, s)| spec.cost * on_duty(spec.staff, &s.duty) * counted)
            .fold(0.0, |a, b| a + b);
        let pools = self
            .model
            .pools
            .iter()
            .zip(&self.capacity.pools)
            .filter(|(spec, _)| spec.cost > 0.0)
            .map(|(spec, s)| spec.cost * on_duty(spec.staff, &s.duty) * counted)
            .fold(0.0, |a, b| a + b);
        departments + pools
    }

    pub(super) fn pool_metrics(&self, end: f64) -> Vec<PoolMetrics<f64>> {
        self.model
            .pools
            .iter()
            .zip(&self.capacity.pools)
            .map(|(spec, p)| PoolMetrics {
                name: spec.name.clone(),
                utilization: match &p.duty {
                    None => p.busy_level.average(end) / f64::from(spec.staff),
                    Some(duty) => ratio(p.busy_level.average(end), duty.at_work.average(end)),
                },
                served: p.served as f64,
            })
            .collect()
    }
}

fn pool_busy_changed(p: &mut PoolState, now: f64) {
    p.busy_level.set(now, f64::from(p.busy));
    if let Some(duty) = &mut p.duty {
        duty.at_work.set(now, f64::from(p.busy.max(p.staff)));
    }
}

/// `a / b`, 0 when nobody was ever at work.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::window_state;

    #[test]
    fn incident_windows_open_close_and_repeat() {
        assert_eq!(window_state(10.0, 20.0, None, 0.0), (false, 10.0));
        assert_eq!(window_state(10.0, 20.0, None, 10.0), (true, 20.0));
        assert_eq!(window_state(10.0, 20.0, None, 20.0), (false, f64::INFINITY));
        let every = Some(100.0);
        assert_eq!(window_state(10.0, 20.0, every, 20.0), (false, 110.0));
        assert_eq!(window_state(10.0, 20.0, every, 110.0), (true, 120.0));
        assert_eq!(window_state(10.0, 20.0, every, 1015.0), (true, 1020.0));
        assert_eq!(window_state(10.0, 20.0, every, 1020.0), (false, 1110.0));
    }
}
