//! One simulation run: the clock, the event list and the rules of the chain.
//!
//! No I/O and no threads here: [`run`] takes a model and a replication number
//! and returns what it measured. Orders, customers and complaints live in slabs
//! and are dropped as soon as nothing refers to them, so memory follows the live
//! population, not the simulated horizon.
//!
//! The rules are split by subject: `chain.rs` moves orders through departments
//! and handoffs; `customers.rs` turns what customers experience into problems,
//! complaints, defections and word of mouth; `learning.rs` lets complaints
//! teach handoffs (`[learning]`); `policy.rs` has abusive customers claim and
//! good ones meet the policy's friction (`[policy]`).

mod arena;
mod capacity;
mod chain;
mod customers;
mod decisions;
mod event;
mod incidents;
mod learning;
// Public (hidden) only so that benches/event_lists.rs can measure it against other event lists.
mod limits;
mod morale;
mod policy;
#[doc(hidden)]
pub mod queue;
mod spent;
mod streams;
mod trace;

use std::collections::VecDeque;
use std::marker::PhantomData;

use arena::Arena;

use crate::metrics::timeline::{Grid, WeekCounts};
use crate::metrics::{
    CauseMetrics, CustomerMetrics, DepartmentMetrics, FlowMetrics, HandoffMetrics, LinkMetrics,
    Metrics, OrderMetrics, PathMetrics, PolicyMetrics, RevenueMetrics, TimeWeighted, Welford,
};
use crate::model::{Cause, Model, Target};
use decisions::{Decisions, Touch};
pub use event::MAX_UNITS;
use event::{Event, Job, PackedEvent};
pub use limits::{
    MAX_EVENTS_AT_ONE_INSTANT, MAX_PROJECTED_EVENTS, RunError, limit_memory_per_replication,
    share_of_capacity,
};
use queue::EventQueue;
pub(crate) use streams::{FNV1A_START, fnv1a, fnv1a_extend};
use streams::{Stream, stream};
pub use trace::{Observer, Path, TraceEvent, TraceKind, Unobserved};

/// What one replication produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// Events taken off the event list and handled.
    pub events: u64,
    pub metrics: Metrics<f64>,
    /// The same counts week by week over the counted period (see `metrics::timeline`).
    pub timeline: Vec<WeekCounts>,
}

/// Simulate replication `replication` of `model` (replications differ only in their random streams).
///
/// Fails when the scenario runs away: more orders and complaints in progress than
/// `model.simulation.max_live`, or simulated time that stops advancing
/// ([`MAX_EVENTS_AT_ONE_INSTANT`] events at one instant).
pub fn run(model: &Model, replication: u32) -> Result<RunResult, RunError> {
    run_observed(model, replication, &mut Unobserved)
}

/// As [`run`], telling `observer` everything that happens.
pub fn run_observed<O: Observer>(
    model: &Model,
    replication: u32,
    observer: &mut O,
) -> Result<RunResult, RunError> {
    run_with_progress(model, replication, observer, &|_| {})
}

/// As [`run_observed`], calling `advanced(minutes)` every few thousand events
/// with the whole simulated minutes gone by since the last call (from the
/// calling thread). Over a replication that ends normally the calls add up to
/// `floor(duration_h × 60)`, so the sum over replications measures progress in
/// simulated time.
pub fn run_with_progress<O: Observer>(
    model: &Model,
    replication: u32,
    observer: &mut O,
    advanced: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, RunError> {
    // Decided once per run: a scenario without any of the structures and people
    // mechanisms runs on a copy of the engine compiled without them (see `Mechanisms`).
    if plain(model) {
        run_as::<O, Plain>(model, replication, observer, advanced)
    } else {
        run_as::<O, Full>(model, replication, observer, advanced)
    }
}

fn run_as<O: Observer, M: Mechanisms>(
    model: &Model,
    replication: u32,
    observer: &mut O,
    advanced: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, RunError> {
    let mut sim = Simulation::<O, M>::new(model, replication, observer);
    // The plain engine leaves out every mechanism: `plain` chose it only for a
    // scenario whose state needs none.
    assert!(
        M::ON || sim.uses_no_mechanism(),
        "the plain engine chosen for a scenario with a mechanism"
    );
    sim.run(replication, advanced)?;
    Ok(sim.finish())
}

/// Which engine a run uses: the one compiled with the structures and people
/// mechanisms (opening hours, pools, priorities, incidents, morale, rudeness,
/// learning, policy), or the one compiled without them. Every hook of those
/// mechanisms on the hot path is guarded by `M::ON && …`, so in the plain
/// engine the compiler removes it (the checks cost the plain chain about 6 %
/// of its instructions). Both give the same answers on a scenario without the
/// mechanisms (a test below runs both).
trait Mechanisms {
    const ON: bool;
}

/// The engine for scenarios without any of the mechanisms.
enum Plain {}

impl Mechanisms for Plain {
    const ON: bool = false;
}

/// The engine for every scenario.
enum Full {}

impl Mechanisms for Full {
    const ON: bool = true;
}

/// Whether `model` uses none of the mechanisms [`Mechanisms`] lists
/// (`Simulation::new` checks its state agrees).
fn plain(model: &Model) -> bool {
    model.pools.is_empty()
        && model.incidents.is_empty()
        && model.morale.is_none()
        && model.learning.is_none()
        && model.policy.is_none()
        && !model.has_rudeness()
        && model.departments.iter().all(|d| d.hours.is_none())
        && capacity::Capacity::lower_levels(model) == 0
}

type OrderId = u32;
type CustomerId = u32;
type ComplaintId = u32;

/// One kind of bad experience a customer can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Experience {
    Late,
    LostOrder,
    Defect,
    /// The policy against abusive customers got in the way.
    Friction,
    /// A rude contact at a department.
    Rude,
}

/// An order in progress: what its service ends and handoffs touch, in one cache line.
///
/// On the big organisation an order waits hours in queues and days in
/// handoffs between two touches, so every touch is a cache miss; with the
/// record aligned to a line and no larger than one (and what is seldom needed
/// in [`RareOrder`], its trace id in `Simulation::order_ids` and its spent
/// hours in `Simulation::spent`), each touch misses once, not two or three
/// times (docs/performance.md, "The big organisation").
#[repr(align(64))]
struct Order {
    /// The customer's arrival number ([`Customer::arrival`]), copied so that keying a
    /// transfer's draws does not touch the customer, cold in memory by then.
    arrival: u64,
    placed: f64,
    /// Hours in queues so far, all steps: the sum of the waits in `spent`, added up
    /// in the same order, kept so that delivering an order need not read `spent`.
    waited: f64,
    /// Which of the order's entries in `Simulation::spent` it has written
    /// (hours spent per step, three entries per step: queue wait, handoff
    /// delay, time lost; used to find what made a late order late).
    spent: u64,
    /// Chases and escaped errors, which few orders have.
    rare: Option<Box<RareOrder>>,
    customer: CustomerId,
    /// The customer's order number (1 for their first), which keys their decisions about it.
    number: u32,
    flow: u32,
    /// Index in the flow's steps of the department holding (or last holding) the work.
    step: u32,
    /// Transfers out of this step so far (retries after a catch or a loss).
    attempt: u32,
    /// The handoff in flight carries an error, and whether the receiver will catch it.
    error_in_flight: bool,
    error_caught: bool,
    /// Sent back after a caught error: its next service is rework.
    rework: bool,
}

const _: () = assert!(std::mem::size_of::<Order>() == 64);

impl Order {
    /// The order's rarely needed part, made when first needed.
    fn rare(&mut self) -> &mut RareOrder {
        let placed = self.placed;
        self.rare.get_or_insert_with(|| {
            Box::new(RareOrder {
                patience_from: placed,
                lost_at: 0.0,
                chases: 0,
                defects: Vec::new(),
            })
        })
    }

    /// Escaped errors so far: the handoff and when it happened.
    fn defects(&self) -> &[(u32, f64)] {
        self.rare.as_ref().map_or(&[], |r| &r.defects)
    }
}

/// What only a lost or defective order needs.
struct RareOrder {
    /// The customer chases a lost order `patience` after this (the order, or the last chase).
    patience_from: f64,
    /// When the work vanished, while it is lost.
    lost_at: f64,
    /// Times the customer has chased it.
    chases: u32,
    /// Escaped errors so far: the handoff and when it happened.
    defects: Vec<(u32, f64)>,
}

/// Aligned to 32 bytes, its size: a customer never straddles two cache lines
/// (a reorder touches one not seen for weeks).
#[repr(align(32))]
struct Customer {
    id: u64,
    /// Arrivals of the Poisson process up to this customer's, deterred prospects'
    /// skipped arrivals included: the key of the customer's decisions.
    arrival: u64,
    /// Arrived after the warm-up, so counted in the customer statistics.
    counted: bool,
    /// Orders in flight, open complaints and scheduled reorders that refer to this customer.
    refs: u32,
    orders: u32,
    /// Problems this customer has had.
    problems: u32,
    /// Won over by a quick recovery of their first problem (the recovery paradox).
    forgiving: bool,
}

struct Complaint {
    customer: CustomerId,
    problem: Problem,
    opened: f64,
    /// Resolved or given up on; later events about it change nothing.
    settled: bool,
    /// Events still to come that refer to it (a service, a patience timeout).
    refs: u32,
}

/// A problem a customer acts on, and what their decisions about it are keyed to.
#[derive(Debug, Clone, Copy)]
struct Problem {
    cause: Cause,
    /// When the root-cause experience happened (a lost order: when the work vanished).
    at: f64,
    touch: Touch,
    /// The flow of the order the problem happened on.
    flow: u32,
    /// The customer's first problem (the only one the recovery paradox follows).
    first: bool,
}

struct DepartmentState {
    /// Staff on duty now (see `capacity.rs`).
    staff: u32,
    busy: u32,
    /// Waiting jobs and when each joined the queue (of the highest priority
    /// level, which is every job when all have the same priority).
    queue: VecDeque<(Job, f64)>,
    /// Waiting jobs of each lower priority level, highest first (see `capacity.rs`).
    lower: Vec<VecDeque<(Job, f64)>>,
    /// Staff-time records, when staff on duty change over time.
    duty: Option<Box<capacity::Duty>>,
    rng: Stream,
    /// The plain engine's next service time, drawn one service ahead from
    /// `rng` (see [`DepartmentState::draw_service`]).
    next_service: f64,
    wait: Welford,
    queue_len: TimeWeighted,
    busy_level: TimeWeighted,
    served: u64,
    /// Hours of rework service started after the warm-up.
    rework_h: f64,
}

/// One step of a flow, as the hot path reads it: where the work is done and
/// the handoff that follows. Every flow's steps side by side in one small
/// table (`Simulation::routes`), read in one cache line where the model's
/// flows, handoffs and handoff states took three or four.
#[derive(Clone, Copy)]
struct Route {
    dept: u32,
    handoff: u32,
    /// Nothing can happen on the handoff ([`HandoffState::perfect`]).
    perfect: bool,
    /// The handoff delivers to the customer.
    to_customer: bool,
}

#[derive(Default, Clone, Copy)]
struct HandoffCounts {
    passed: u64,
    lost: u64,
    caught: u64,
    escaped: u64,
    /// Transfers sent on their way (not lost) after the warm-up over a handoff with
    /// a delay, and their transfer time: the scorecard's mean delay.
    delayed: u64,
    delay_h: f64,
}

struct HandoffState {
    /// The hash of the handoff's name, which keys the draws of its transfers.
    key: u64,
    /// Nothing can happen on this handoff, so it draws no random numbers.
    perfect: bool,
    /// Some incident changes this handoff: its odds depend on the time.
    windowed: bool,
    counts: HandoffCounts,
}

/// Counters of orders (after the warm-up) and of counted customers.
#[derive(Default)]
struct Counts {
    orders_arrived: u64,
    delivered: u64,
    late: u64,
    defects: u64,
    lost_chased: u64,
    /// Orders that ended without a delivery: the customer chased a lost order
    /// and gave up on it (or had left meanwhile).
    cancelled: u64,
    /// Orders in the chain when counting began: placed during the warm-up,
    /// less those delivered or cancelled during it (kept up as they happen,
    /// so the event loop pays nothing for it), so that with the counts after
    /// it `in_progress_at_warmup + arrived = delivered + cancelled + in_progress`.
    in_progress_at_warmup: u64,
    lead_time: Welford,
    revenue_earned: f64,
    customers_arrived: u64,
    /// Counted customers who finished buying without leaving (one-time buyers).
    customers_done: u64,
    customers_lost: u64,
    prospects_deterred: u64,
    problems: u64,
    complaints: u64,
    recovered: u64,
    silent_defections: u64,
    complaints_resolved: u64,
    complaints_unresolved: u64,
    revenue_lost: f64,
    /// Per [`Cause::all`] entry: customers, prospects, revenue.
    by_cause: Vec<(u64, u64, f64)>,
    /// Per [`Path::ALL`] entry: problems, stayed.
    by_path: [(u64, u64); 4],
    /// Per flow of the model.
    by_flow: Vec<FlowCounts>,
    /// The counts above that the timeline shows, per bucket of `grid`.
    weeks: Vec<WeekCounts>,
    grid: Option<Grid>,
}

impl Counts {
    /// The timeline bucket of time `now` (a counted time, after the warm-up).
    fn week(&mut self, now: f64) -> &mut WeekCounts {
        let k = self.grid.map_or(0, |g| g.index(now));
        &mut self.weeks[k]
    }
}

/// Counters of one flow's orders (after the warm-up), and customers lost over them.
#[derive(Default, Clone, Copy)]
struct FlowCounts {
    orders: u64,
    delivered: u64,
    late: u64,
    customers_lost: u64,
    lead_time: Welford,
    /// Per delivered order: its time in queues along the route, all visits added.
    wait: Welford,
}

struct Simulation<'m, 'o, O: Observer, M: Mechanisms> {
    model: &'m Model,
    observer: &'o mut O,
    now: f64,
    warmup: f64,
    horizon: f64,
    events: EventQueue<PackedEvent>,
    processed: u64,
    orders: Arena<Order>,
    customers: Arena<Customer>,
    /// Which customers have left, by their arena key: a delivery that is
    /// followed by a reorder needs nothing else of the customer, so it need
    /// not touch the customer's record, cold since the order was placed.
    customers_left: arena::KeyBits,
    complaints: Arena<Complaint>,
    next_order_id: u64,
    next_customer_id: u64,
    /// Arrivals so far, including those deterred prospects skipped.
    arrivals_seen: u64,
    /// Prospects told to stay away who have not yet skipped their arrival.
    deterred_pending: u64,
    /// Each order's hours spent per step, by its arena key (see `spent.rs`).
    spent: spent::SpentPool,
    /// Each order's id, by its arena key; kept only when traced (`O::ENABLED`).
    order_ids: Vec<u64>,
    departments: Vec<DepartmentState>,
    handoffs: Vec<HandoffState>,
    /// Every flow's steps, flow after flow; flow `f`'s start at `route_start[f]`.
    routes: Vec<Route>,
    route_start: Vec<u32>,
    arrivals_rng: Stream,
    /// The uniform number of the next gap between arrivals, drawn one arrival
    /// ahead (see [`Simulation::schedule_next_arrival`]).
    next_arrival_draw: f64,
    /// Every customer decision: the flow of each order, problems, complaints,
    /// staying, word of mouth, churn and reorders.
    decisions: Decisions,
    /// Cumulative flow shares, for choosing a new order's flow.
    flow_cumulative: Vec<f64>,
    counts: Counts,
    /// Opening hours, incidents on departments, pools and priorities.
    capacity: capacity::Capacity<'m>,
    /// Orders sent back after a caught error whose rework service has not
    /// started: while none are, a service does not look at the order's flag.
    rework_pending: u32,
    /// Some incident, learning or morale may change a transfer's odds (decided once).
    odds_vary: bool,
    incidents: incidents::Incidents,
    /// What handoffs have learned from complaints; `None` without learning (or with `rate = 0`).
    learned: Option<learning::Learned>,
    /// The policy against abusive customers; `None` without `[policy]`.
    policy: Option<policy::PolicyState>,
    /// Each department's morale; `None` without `[morale]`, which then costs nothing.
    morale: Option<morale::MoraleBook>,
    /// Some department may be rude: customer contacts draw rudeness (decided once).
    has_rudeness: bool,
    mechanisms: PhantomData<M>,
}

impl<'m, 'o, O: Observer, M: Mechanisms> Simulation<'m, 'o, O, M> {
    fn new(model: &'m Model, replication: u32, observer: &'o mut O) -> Self {
        let seed = model.simulation.seed;
        let warmup = model.simulation.warmup_h;
        let capacity = capacity::Capacity::new(model, warmup);
        let lower_levels = capacity::Capacity::lower_levels(model);
        let departments = model
            .departments
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut rng = stream(seed, replication, &format!("department:{}", d.name));
                DepartmentState {
                    staff: d.staff,
                    busy: 0,
                    queue: VecDeque::new(),
                    lower: vec![VecDeque::new(); lower_levels],
                    duty: capacity::department_duty(capacity.department_changes(i), warmup),
                    next_service: if M::ON {
                        f64::NAN
                    } else {
                        d.service.sample(&mut rng)
                    },
                    rng,
                    wait: Welford::default(),
                    queue_len: TimeWeighted::new(warmup),
                    busy_level: TimeWeighted::new(warmup),
                    served: 0,
                    rework_h: 0.0,
                }
            })
            .collect();
        let incidents = incidents::Incidents::new(model);
        let learned = learning::Learned::new(model.learning.as_ref(), model.handoffs.len());
        let handoffs = (0..model.handoffs.len())
            .map(|id| {
                let h = &model.handoffs[id];
                let windowed = incidents.names_handoff(id);
                HandoffState {
                    key: fnv1a(format!("handoff:{}", model.handoff_name(id)).as_bytes()),
                    // A handoff an incident changes draws as soon as the incident acts.
                    perfect: h.delay.is_none() && h.lose == 0.0 && h.error == 0.0 && !windowed,
                    windowed,
                    counts: HandoffCounts::default(),
                }
            })
            .collect::<Vec<HandoffState>>();
        let mut routes = Vec::new();
        let route_start = model
            .flows
            .iter()
            .map(|f| {
                let start = routes.len() as u32;
                routes.extend(f.steps.iter().zip(&f.handoffs).map(|(&dept, &h)| Route {
                    dept: dept as u32,
                    handoff: h as u32,
                    perfect: handoffs[h].perfect,
                    to_customer: model.handoffs[h].to == Target::Customer,
                }));
                start
            })
            .collect();
        let mut running = 0.0;
        let flow_cumulative = model
            .flows
            .iter()
            .map(|f| {
                running += f.share;
                running
            })
            .collect();
        let grid = Grid::new(warmup, model.simulation.duration_h);
        let morale = model
            .morale
            .as_ref()
            .map(|rules| morale::MoraleBook::new(rules, model.departments.len(), warmup, grid));
        let mut counts = Counts {
            by_cause: vec![(0, 0, 0.0); Cause::all(model).len()],
            by_flow: vec![FlowCounts::default(); model.flows.len()],
            weeks: vec![WeekCounts::default(); grid.buckets],
            grid: Some(grid),
            ..Counts::default()
        };
        let odds_vary = handoffs.iter().any(|h: &HandoffState| h.windowed)
            || learned.is_some()
            || morale.is_some();
        if odds_vary {
            // The weekly odds of every handoff, for the timeline (only then).
            for week in &mut counts.weeks {
                week.odds = vec![Default::default(); handoffs.len()];
            }
        }
        let mut arrivals_rng = stream(seed, replication, "arrivals");
        Self {
            model,
            observer,
            now: 0.0,
            warmup,
            horizon: model.simulation.duration_h,
            events: EventQueue::new(),
            processed: 0,
            orders: Arena::new(),
            customers: Arena::new(),
            customers_left: arena::KeyBits::default(),
            complaints: Arena::new(),
            next_order_id: 0,
            next_customer_id: 0,
            arrivals_seen: 0,
            deterred_pending: 0,
            spent: spent::SpentPool::new(
                chain::BLOCKS * model.flows.iter().map(|f| f.steps.len()).max().unwrap_or(0),
            ),
            order_ids: Vec::new(),
            departments,
            handoffs,
            routes,
            route_start,
            next_arrival_draw: rand::RngExt::random(&mut arrivals_rng),
            arrivals_rng,
            decisions: Decisions::new(seed, replication),
            flow_cumulative,
            counts,
            capacity,
            rework_pending: 0,
            odds_vary,
            incidents,
            learned,
            policy: policy::PolicyState::new(model.policy.as_ref()),
            morale,
            has_rudeness: model.has_rudeness(),
            mechanisms: PhantomData,
        }
    }

    /// Nothing in this run's state needs the full engine (see [`Mechanisms`]).
    fn uses_no_mechanism(&self) -> bool {
        self.capacity.is_plain()
            && !self.odds_vary
            && self.learned.is_none()
            && self.morale.is_none()
            && self.policy.is_none()
            && !self.has_rudeness
            && self.model.incidents.is_empty()
    }

    fn measuring(&self) -> bool {
        self.now >= self.warmup
    }

    fn run(&mut self, replication: u32, advanced: &(dyn Fn(u64) + Sync)) -> Result<(), RunError> {
        self.schedule_next_arrival();
        if M::ON {
            self.start_capacity();
        }
        let mut reported_minutes = 0;
        let mut at_this_instant = 0;
        let mut window_start = 0.0;
        // Kept in locals (registers) while the handlers run, written back at the end.
        let horizon = self.horizon;
        let mut processed = self.processed;
        let check_mask = limits::check_mask(
            limits::memory_per_replication(),
            limits::bytes_per_live(self.spent.stride()),
        );
        while let Some((time, event)) = self.events.pop() {
            if time > horizon {
                break;
            }
            self.prefetch_ahead();
            if time == self.now {
                at_this_instant += 1;
                if at_this_instant > limits::MAX_EVENTS_AT_ONE_INSTANT {
                    return Err(RunError::ClockStalled {
                        replication,
                        at_h: time,
                        events: at_this_instant,
                    });
                }
            } else {
                at_this_instant = 0;
            }
            self.now = time;
            processed += 1;
            if processed & check_mask == 0 {
                self.check_live(replication)?;
                if processed.is_multiple_of(limits::CLOCK_WINDOW) {
                    limits::check_pace(replication, window_start, self.now, self.horizon)?;
                    window_start = self.now;
                }
                let minutes = (self.now * 60.0) as u64;
                if minutes > reported_minutes {
                    advanced(minutes - reported_minutes);
                    reported_minutes = minutes;
                }
            }
            match event.unpack() {
                Event::Arrival => self.on_arrival(),
                Event::ServiceEnd { dept, job } => self.on_service_end(dept as usize, job),
                Event::HandoffArrive { order } => self.on_handoff_arrive(order),
                Event::Chase { order } => self.on_chase(order),
                Event::Reorder { customer } => self.on_reorder(customer),
                Event::ComplaintPatience { complaint } => self.on_complaint_patience(complaint),
                Event::PoolServiceEnd { pool, job } if M::ON => {
                    self.on_pool_service_end(pool as usize, job)
                }
                Event::Capacity { unit } if M::ON => self.on_capacity(unit as usize),
                Event::Lesson { handoff, error } if M::ON => self.on_lesson(handoff, error),
                Event::PoolServiceEnd { .. } | Event::Capacity { .. } | Event::Lesson { .. } => {
                    unreachable!("the plain engine schedules no mechanism's events")
                }
            }
        }
        self.processed = processed;
        self.now = self.horizon;
        let minutes = (self.horizon * 60.0) as u64;
        if minutes > reported_minutes {
            advanced(minutes - reported_minutes);
        }
        Ok(())
    }

    /// Stops the run when the work in progress passes `max_live`, or it and
    /// the customers pass the memory a replication may use, before they eat
    /// the machine's memory.
    fn check_live(&self, replication: u32) -> Result<(), RunError> {
        let live = (self.orders.len() + self.complaints.len()) as u64;
        if live <= self.model.simulation.max_live {
            let limit = limits::memory_per_replication();
            let customers = self.customers.len() as u64;
            let per_order = limits::bytes_per_live(self.spent.stride());
            let bytes = live
                .saturating_mul(per_order)
                .saturating_add(customers.saturating_mul(limits::BYTES_PER_CUSTOMER));
            if bytes <= limit {
                return Ok(());
            }
            return Err(RunError::OutOfMemory {
                replication,
                at_h: self.now,
                live,
                customers,
                bytes,
                limit,
                per_order,
            });
        }
        Err(limits::overloaded(
            self.model,
            replication,
            self.now,
            live,
            self.departments.iter().map(|d| d.waiting()),
        ))
    }

    /// Schedules an event unless it falls after the end of the run; returns whether it did.
    #[inline]
    fn schedule(&mut self, time: f64, event: Event) -> bool {
        let inside = time <= self.horizon;
        if inside {
            self.events.schedule(time, event.pack());
        }
        inside
    }

    /// Tells the observer, building the record only when someone listens.
    #[inline]
    fn trace(&mut self, kind: TraceKind, fill: impl FnOnce(&mut TraceEvent)) {
        if O::ENABLED {
            let mut event = TraceEvent::new(self.now, kind);
            fill(&mut event);
            self.observer.record(&event);
        }
    }

    fn finish(mut self) -> RunResult {
        let end = self.horizon;
        self.morale_to_end();
        let (morale, morale_weeks) = match &self.morale {
            Some(book) => {
                let (means, weeks) = book.averages(end);
                (means.into_iter().map(Some).collect(), weeks)
            }
            None => (vec![None; self.departments.len()], Vec::new()),
        };
        for (week, m) in self.counts.weeks.iter_mut().zip(morale_weeks) {
            week.morale = m;
        }
        let model = self.model;
        let departments = model
            .departments
            .iter()
            .zip(&self.departments)
            .zip(morale)
            .enumerate()
            .map(|(i, ((spec, d), morale))| DepartmentMetrics {
                name: spec.name.clone(),
                utilization: self.department_utilization(i, end),
                mean_wait_h: d.wait.observed_mean(),
                mean_queue: d.queue_len.average(end),
                served: d.served as f64,
                morale,
                rework_h: d.rework_h,
            })
            .collect();
        let handoffs = (0..model.handoffs.len())
            .map(|id| {
                let h = &model.handoffs[id];
                let c = self.handoffs[id].counts;
                let final_odds = self.final_odds(id);
                HandoffMetrics {
                    from: model.departments[h.from].name.clone(),
                    to: model.target_name(h.to).to_string(),
                    passed: c.passed as f64,
                    lost: c.lost as f64,
                    errors: (c.caught + c.escaped) as f64,
                    caught: c.caught as f64,
                    escaped: c.escaped as f64,
                    error_final: final_odds.map(|(_, error)| error),
                    lose_final: final_odds.map(|(lose, _)| lose),
                }
            })
            .collect();
        let scorecard = (0..model.handoffs.len())
            .filter_map(|id| {
                let h = &model.handoffs[id];
                let Target::Department(to) = h.to else {
                    return None;
                };
                let c = self.handoffs[id].counts;
                let handed = c.passed + c.lost + c.caught;
                let good = c.passed - c.escaped;
                Some(LinkMetrics {
                    supplier: model.departments[h.from].name.clone(),
                    customer: model.departments[to].name.clone(),
                    handed: handed as f64,
                    good: good as f64,
                    share_good: good as f64 / handed as f64,
                    lost: c.lost as f64,
                    caught: c.caught as f64,
                    escaped: c.escaped as f64,
                    // Instant handoffs take no time; otherwise not a number without a transfer.
                    mean_delay_h: if h.delay.is_none() {
                        0.0
                    } else {
                        c.delay_h / c.delayed as f64
                    },
                })
            })
            .collect();
        let flows = model
            .flows
            .iter()
            .zip(&self.counts.by_flow)
            .map(|(spec, f)| FlowMetrics {
                name: spec.name.clone(),
                orders: f.orders as f64,
                delivered: f.delivered as f64,
                late: f.late as f64,
                customers_lost: f.customers_lost as f64,
                mean_lead_time_h: f.lead_time.observed_mean(),
                mean_wait_h: f.wait.observed_mean(),
            })
            .collect();
        let c = &self.counts;
        let orders = OrderMetrics {
            arrived: c.orders_arrived as f64,
            delivered: c.delivered as f64,
            late: c.late as f64,
            defects: c.defects as f64,
            lost_chased: c.lost_chased as f64,
            mean_lead_time_h: c.lead_time.observed_mean(),
            cancelled: c.cancelled as f64,
            // Counted from what is still alive (lost work not yet chased
            // included), not derived from the other counters, so that the
            // orders' identity is a real check.
            in_progress: self.orders.len() as f64,
            in_progress_at_warmup: c.in_progress_at_warmup as f64,
        };
        // Counted from what is still alive, not derived from the other counters,
        // so that `arrived = active + lost` is a real check.
        let still_buying = self
            .customers
            .iter()
            .filter(|&(key, cu)| cu.counted && !self.customers_left.get(key))
            .count() as u64;
        let open = self
            .complaints
            .iter()
            .filter(|(_, k)| !k.settled && self.customers[k.customer as usize].counted)
            .count() as u64;
        let customers = CustomerMetrics {
            arrived: c.customers_arrived as f64,
            active: (still_buying + c.customers_done) as f64,
            lost: c.customers_lost as f64,
            prospects_deterred: c.prospects_deterred as f64,
            problems: c.problems as f64,
            complaints: c.complaints as f64,
            recovered: c.recovered as f64,
            silent_defections: c.silent_defections as f64,
            complaints_resolved: c.complaints_resolved as f64,
            complaints_unresolved: c.complaints_unresolved as f64,
            complaints_open: open as f64,
        };
        let lost_by_cause = Cause::all(model)
            .into_iter()
            .zip(&c.by_cause)
            .map(|(cause, &(customers, prospects, revenue))| CauseMetrics {
                cause: cause.name(model),
                customers: customers as f64,
                prospects: prospects as f64,
                revenue,
            })
            .collect();
        let paths = Path::ALL
            .iter()
            .zip(&c.by_path)
            .map(|(p, &(problems, stayed))| PathMetrics {
                path: p.name().to_string(),
                problems: problems as f64,
                stayed: stayed as f64,
            })
            .collect();
        let revenue = RevenueMetrics {
            earned: c.revenue_earned,
            lost: c.revenue_lost,
            staff_cost: self.staff_cost(end),
        };
        let pools = self.pool_metrics(end);
        let policy = self.policy.as_ref().map(|p| {
            let friction = c.by_cause[Cause::PolicyFriction.index(model)];
            PolicyMetrics {
                abusive_orders: p.counts.abusive_orders as f64,
                abuse_caught: p.counts.abuse_caught as f64,
                abuse_cost: p.counts.abuse_cost,
                abuse_saved: p.counts.abuse_saved,
                friction_problems: p.counts.friction_problems as f64,
                customers_lost: friction.0 as f64,
                revenue_lost: friction.2,
            }
        });
        RunResult {
            timeline: std::mem::take(&mut self.counts.weeks),
            events: self.processed,
            metrics: Metrics {
                departments,
                handoffs,
                flows,
                orders,
                customers,
                revenue,
                lost_by_cause,
                paths,
                pools,
                incidents: self.incident_metrics(),
                policy,
                scorecard,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs replication 0 of `model` on engine `M`, observing nothing.
    fn run_on<M: Mechanisms>(model: &Model) -> RunResult {
        run_as::<Unobserved, M>(model, 0, &mut Unobserved, &|_| {}).expect("runs")
    }

    #[test]
    fn the_plain_engine_answers_as_the_full_one() {
        let mut plain_ones = 0;
        let mut files: Vec<_> = std::fs::read_dir("scenarios")
            .expect("scenarios/")
            .map(|e| e.expect("entry").path())
            .collect();
        files.push("benches/scenarios/plain-chain.toml".into());
        for path in files {
            let mut model = crate::scenario::load(&path).expect("a ready scenario loads");
            if !plain(&model) {
                continue;
            }
            plain_ones += 1;
            // Long enough for losses, catches, complaints and delivered orders.
            model.simulation.duration_h = model.simulation.duration_h.min(200.0 * 24.0);
            model.simulation.warmup_h = model.simulation.warmup_h.min(30.0 * 24.0);
            let (on_plain, on_full) = (run_on::<Plain>(&model), run_on::<Full>(&model));
            assert!(on_plain.events > 1_000, "{}", path.display());
            // Compared as printed, where a mean of nothing (not a number) equals itself.
            assert_eq!(
                format!("{on_plain:?}"),
                format!("{on_full:?}"),
                "{}",
                path.display()
            );
        }
        assert!(plain_ones >= 5, "only {plain_ones} plain scenarios");
    }

    #[test]
    fn a_scenario_with_any_mechanism_runs_on_the_full_engine() {
        for name in [
            "cross-functional",
            "office-hours",
            "billing-migration",
            "unhappy-staff",
            "rude-front-desk",
            "learning-organisation",
            "strict-policies",
        ] {
            let path = std::path::PathBuf::from(format!("scenarios/{name}.toml"));
            let model = crate::scenario::load(&path).expect("a ready scenario loads");
            assert!(!plain(&model), "{name}");
        }
    }
}
