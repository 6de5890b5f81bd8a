//! One simulation run: the clock, the event list and the rules of the chain.
//!
//! No I/O and no threads here: [`run`] takes a model and a replication number
//! and returns what it measured. Orders and customers live in slabs and are
//! dropped as soon as they are finished, so memory follows the live population,
//! not the simulated horizon.

mod queue;
mod streams;

use std::collections::VecDeque;

use rand::RngExt;
use slab::Slab;

use crate::metrics::{
    DepartmentMetrics, HandoffMetrics, Metrics, OrderMetrics, TimeWeighted, Welford,
};
use crate::model::{HandoffId, Model, Target};
use queue::EventQueue;
use streams::{Stream, stream};

/// What one replication produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// Events taken off the event list and handled.
    pub events: u64,
    pub metrics: Metrics<f64>,
}

/// Simulate replication `replication` of `model` (replications differ only in their random streams).
pub fn run(model: &Model, replication: u32) -> RunResult {
    let mut sim = Simulation::new(model, replication);
    sim.run();
    sim.finish()
}

type OrderId = u32;
type CustomerId = u32;

#[derive(Debug, Clone, Copy)]
enum Event {
    /// The next new prospect arrives.
    Arrival,
    /// A server of `dept` finishes `order`.
    ServiceEnd { dept: u32, order: OrderId },
    /// `order` reaches the receiving end of its current handoff.
    HandoffArrive { order: OrderId },
    /// The customer chases `order`, which was lost in a handoff.
    Chase { order: OrderId },
    /// A loyal customer places another order.
    Reorder { customer: CustomerId },
}

struct Order {
    customer: CustomerId,
    flow: u32,
    /// Index in the flow's steps of the department holding (or last holding) the work.
    step: u32,
    placed: f64,
    /// The customer chases a lost order `patience` after this (the order, or the last chase).
    patience_from: f64,
    /// When the order joined its current queue.
    enqueued: f64,
    /// The handoff in flight carries an error the receiver will notice.
    error_in_flight: bool,
    error_caught: bool,
    defect: bool,
}

struct Customer {
    orders: u32,
}

struct DepartmentState {
    staff: u32,
    busy: u32,
    queue: VecDeque<OrderId>,
    rng: Stream,
    wait: Welford,
    queue_len: TimeWeighted,
    busy_level: TimeWeighted,
    served: u64,
}

#[derive(Default, Clone, Copy)]
struct HandoffCounts {
    passed: u64,
    lost: u64,
    caught: u64,
    escaped: u64,
}

struct HandoffState {
    rng: Stream,
    /// Nothing can happen on this handoff, so it draws no random numbers.
    perfect: bool,
    counts: HandoffCounts,
}

#[derive(Default)]
struct OrderCounts {
    arrived: u64,
    delivered: u64,
    late: u64,
    defects: u64,
    lost_chased: u64,
    lead_time: Welford,
}

struct Simulation<'m> {
    model: &'m Model,
    now: f64,
    warmup: f64,
    horizon: f64,
    events: EventQueue<Event>,
    processed: u64,
    orders: Slab<Order>,
    customers: Slab<Customer>,
    departments: Vec<DepartmentState>,
    handoffs: Vec<HandoffState>,
    arrivals_rng: Stream,
    flows_rng: Stream,
    customers_rng: Stream,
    /// Cumulative flow shares, for choosing a new order's flow.
    flow_cumulative: Vec<f64>,
    counts: OrderCounts,
}

impl<'m> Simulation<'m> {
    fn new(model: &'m Model, replication: u32) -> Self {
        let seed = model.simulation.seed;
        let warmup = model.simulation.warmup_h;
        let departments = model
            .departments
            .iter()
            .map(|d| DepartmentState {
                staff: d.staff,
                busy: 0,
                queue: VecDeque::new(),
                rng: stream(seed, replication, &format!("department:{}", d.name)),
                wait: Welford::default(),
                queue_len: TimeWeighted::new(warmup),
                busy_level: TimeWeighted::new(warmup),
                served: 0,
            })
            .collect();
        let handoffs = (0..model.handoffs.len())
            .map(|id| {
                let h = &model.handoffs[id];
                HandoffState {
                    rng: stream(seed, replication, &format!("handoff:{}", model.handoff_name(id))),
                    perfect: h.delay.is_none() && h.lose == 0.0 && h.error == 0.0,
                    counts: HandoffCounts::default(),
                }
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
        Self {
            model,
            now: 0.0,
            warmup,
            horizon: model.simulation.duration_h,
            events: EventQueue::new(),
            processed: 0,
            orders: Slab::new(),
            customers: Slab::new(),
            departments,
            handoffs,
            arrivals_rng: stream(seed, replication, "arrivals"),
            flows_rng: stream(seed, replication, "flows"),
            customers_rng: stream(seed, replication, "customers"),
            flow_cumulative,
            counts: OrderCounts::default(),
        }
    }

    fn measuring(&self) -> bool {
        self.now >= self.warmup
    }

    fn run(&mut self) {
        self.schedule_next_arrival();
        while let Some((time, event)) = self.events.pop() {
            if time > self.horizon {
                break;
            }
            self.now = time;
            self.processed += 1;
            match event {
                Event::Arrival => self.on_arrival(),
                Event::ServiceEnd { dept, order } => self.on_service_end(dept as usize, order),
                Event::HandoffArrive { order } => self.on_handoff_arrive(order),
                Event::Chase { order } => self.on_chase(order),
                Event::Reorder { customer } => self.place_order(customer),
            }
        }
        self.now = self.horizon;
    }

    /// Schedules an event unless it falls after the end of the run.
    #[inline]
    fn schedule(&mut self, time: f64, event: Event) {
        if time <= self.horizon {
            self.events.schedule(time, event);
        }
    }

    fn schedule_next_arrival(&mut self) {
        let rate = self.model.customers.arrival_rate_per_h;
        let gap = -(1.0 - self.arrivals_rng.random::<f64>()).ln() / rate;
        self.schedule(self.now + gap, Event::Arrival);
    }

    fn on_arrival(&mut self) {
        self.schedule_next_arrival();
        let customer = self.customers.insert(Customer { orders: 0 }) as CustomerId;
        self.place_order(customer);
    }

    fn place_order(&mut self, customer: CustomerId) {
        self.customers[customer as usize].orders += 1;
        let u: f64 = self.flows_rng.random();
        let flow = self.flow_cumulative.partition_point(|&c| c <= u).min(self.flow_cumulative.len() - 1);
        if self.measuring() {
            self.counts.arrived += 1;
        }
        let order = self.orders.insert(Order {
            customer,
            flow: flow as u32,
            step: 0,
            placed: self.now,
            patience_from: self.now,
            enqueued: self.now,
            error_in_flight: false,
            error_caught: false,
            defect: false,
        }) as OrderId;
        self.enter_step(order);
    }

    /// The order joins the queue of the department at its current step.
    fn enter_step(&mut self, order: OrderId) {
        let o = &mut self.orders[order as usize];
        o.enqueued = self.now;
        let dept = self.model.flows[o.flow as usize].steps[o.step as usize];
        let d = &mut self.departments[dept];
        if d.busy < d.staff {
            self.start_service(dept, order);
        } else {
            d.queue.push_back(order);
            d.queue_len.set(self.now, d.queue.len() as f64);
        }
    }

    fn start_service(&mut self, dept: usize, order: OrderId) {
        let measuring = self.measuring();
        let waited = self.now - self.orders[order as usize].enqueued;
        let d = &mut self.departments[dept];
        if measuring {
            d.wait.add(waited);
        }
        d.busy += 1;
        d.busy_level.set(self.now, f64::from(d.busy));
        let service = self.model.departments[dept].service.sample(&mut d.rng);
        self.schedule(self.now + service, Event::ServiceEnd { dept: dept as u32, order });
    }

    fn on_service_end(&mut self, dept: usize, order: OrderId) {
        let measuring = self.measuring();
        let d = &mut self.departments[dept];
        d.busy -= 1;
        d.busy_level.set(self.now, f64::from(d.busy));
        if measuring {
            d.served += 1;
        }
        if let Some(next) = d.queue.pop_front() {
            d.queue_len.set(self.now, d.queue.len() as f64);
            self.start_service(dept, next);
        }
        self.hand_off(order);
    }

    fn current_handoff(&self, order: OrderId) -> HandoffId {
        let o = &self.orders[order as usize];
        self.model.flows[o.flow as usize].handoffs[o.step as usize]
    }

    /// The sender passes the finished work on: it may be lost, delayed, or carry an error.
    fn hand_off(&mut self, order: OrderId) {
        let id = self.current_handoff(order);
        let h = &mut self.handoffs[id];
        if h.perfect {
            return self.on_handoff_arrive(order);
        }
        let spec = &self.model.handoffs[id];
        // Always the same draws per transfer, whatever the probabilities, so that
        // scenarios differing only in a rate keep their other draws aligned.
        let delay = spec.delay.as_ref().map_or(0.0, |d| d.sample(&mut h.rng));
        let lost = h.rng.random::<f64>() < spec.lose;
        let error = h.rng.random::<f64>() < spec.error;
        let caught = h.rng.random::<f64>() < spec.catch;
        if lost {
            if self.now >= self.warmup {
                h.counts.lost += 1;
            }
            let o = &self.orders[order as usize];
            let chase_at = (o.patience_from + self.model.customers.patience_h).max(self.now);
            self.schedule(chase_at, Event::Chase { order });
            return;
        }
        let o = &mut self.orders[order as usize];
        o.error_in_flight = error;
        o.error_caught = caught;
        if delay > 0.0 {
            self.schedule(self.now + delay, Event::HandoffArrive { order });
        } else {
            self.on_handoff_arrive(order);
        }
    }

    /// The work reaches the receiver, who checks it and takes it, or sends it back.
    fn on_handoff_arrive(&mut self, order: OrderId) {
        let measuring = self.measuring();
        let id = self.current_handoff(order);
        let o = &mut self.orders[order as usize];
        let (error, caught) = (o.error_in_flight, o.error_caught);
        o.error_in_flight = false;
        let counts = &mut self.handoffs[id].counts;
        if error && caught {
            if measuring {
                counts.caught += 1;
            }
            // Back to the sender, who serves it again; then the handoff is retried.
            return self.enter_step(order);
        }
        if measuring {
            counts.passed += 1;
            if error {
                counts.escaped += 1;
            }
        }
        if error {
            o.defect = true;
        }
        match self.model.handoffs[id].to {
            Target::Department(_) => {
                o.step += 1;
                self.enter_step(order);
            }
            Target::Customer => self.deliver(order),
        }
    }

    fn deliver(&mut self, order: OrderId) {
        let o = self.orders.remove(order as usize);
        if self.measuring() {
            let lead = self.now - o.placed;
            self.counts.delivered += 1;
            self.counts.lead_time.add(lead);
            if lead > self.model.customers.promise_h {
                self.counts.late += 1;
            }
            if o.defect {
                self.counts.defects += 1;
            }
        }
        match &self.model.customers.reorder {
            Some(reorder) => {
                let gap = reorder.sample(&mut self.customers_rng);
                self.schedule(self.now + gap, Event::Reorder { customer: o.customer });
            }
            None => {
                self.customers.remove(o.customer as usize);
            }
        }
    }

    /// The customer asks where a lost order is; the sender starts that step again.
    fn on_chase(&mut self, order: OrderId) {
        if self.measuring() {
            self.counts.lost_chased += 1;
        }
        self.orders[order as usize].patience_from = self.now;
        self.enter_step(order);
    }

    fn finish(self) -> RunResult {
        let end = self.horizon;
        let departments = self
            .model
            .departments
            .iter()
            .zip(&self.departments)
            .map(|(spec, d)| DepartmentMetrics {
                name: spec.name.clone(),
                utilization: d.busy_level.average(end) / f64::from(d.staff),
                mean_wait_h: d.wait.mean(),
                mean_queue: d.queue_len.average(end),
                served: d.served as f64,
            })
            .collect();
        let handoffs = (0..self.model.handoffs.len())
            .map(|id| {
                let h = &self.model.handoffs[id];
                let c = self.handoffs[id].counts;
                HandoffMetrics {
                    from: self.model.departments[h.from].name.clone(),
                    to: self.model.target_name(h.to).to_string(),
                    passed: c.passed as f64,
                    lost: c.lost as f64,
                    errors: (c.caught + c.escaped) as f64,
                    caught: c.caught as f64,
                    escaped: c.escaped as f64,
                }
            })
            .collect();
        let c = &self.counts;
        let orders = OrderMetrics {
            arrived: c.arrived as f64,
            delivered: c.delivered as f64,
            late: c.late as f64,
            defects: c.defects as f64,
            lost_chased: c.lost_chased as f64,
            mean_lead_time_h: c.lead_time.mean(),
        };
        RunResult { events: self.processed, metrics: Metrics { departments, handoffs, orders } }
    }
}
