//! The plain chain (`benches/scenarios/plain-chain.toml`) written by hand: the
//! reference "bare binary-heap loop on the same model" of issue 12. Every
//! constant is the scenario's, hard-coded; one `std` binary heap ordered by
//! (time, sequence number); one ChaCha8 stream for every draw, taken in turn
//! (the engine keys customer and transfer draws to the order instead, and gives
//! each department its own stream). What it leaves out, and how it is checked
//! against the engine, is in docs/performance.md ("The bare model").

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Binomial, Distribution, Exp, Gamma, LogNormal, Triangular, Uniform};

const DAY: f64 = 24.0; // hours
const HORIZON: f64 = 365.0 * DAY;
const WARMUP: f64 = 30.0 * DAY;
const PROMISE: f64 = 7.0 * DAY;
const PATIENCE: f64 = 14.0 * DAY;
/// Per step: sales -> production, production -> billing, billing -> customer.
const LOSE: [f64; 3] = [0.002, 0.0, 0.0];
const ERROR: [f64; 3] = [0.03, 0.01, 0.01];
const CATCH: [f64; 3] = [0.6, 0.5, 0.0];
/// Sales, production, billing, support (complaints).
const STAFF: [u32; 4] = [2, 4, 1, 1];
const SUPPORT: usize = 3;
const P_LATE: f64 = 0.3; // P(problem | late), lost order, escaped error (defect)
const P_LOST: f64 = 0.9;
const P_DEFECT: f64 = 0.8;
const COMPLAIN: f64 = 0.037;
const EMPOWER: f64 = 0.3;
const RESOLVE_WITHIN: f64 = 2.0 * DAY;
/// P(stay) after a problem kept silent, a complaint unresolved, resolved, resolved quickly.
const SILENT: f64 = 0.37;
const UNRESOLVED: f64 = 0.46;
const RESOLVED: f64 = 0.70;
const QUICKLY: f64 = 0.95;

/// What one replication counted (orders and customers after the warm-up).
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub events: u64,
    pub orders: u64,
    pub delivered: u64,
    pub late: u64,
    pub customers_lost: u64,
}

/// What happens next. On the list as `Reverse((time bits, sequence number, event))`:
/// earliest first in `std`'s max-heap, ties by sequence number (times are never
/// negative, so their bits order as they do).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Arrival,
    ServiceEnd { dept: u32, job: u32 },
    HandoffArrive(u32),
    Chase(u32),
    ComplaintPatience(u32),
}

struct Order {
    customer: u32,
    step: usize,
    placed: f64,
    patience_from: f64,
    error: bool,
    caught: bool,
    defects: u32,
}
struct Customer {
    counted: bool,
    left: bool,
}
struct Complaint {
    customer: u32,
    opened: f64,
    settled: bool,
    refs: u32,
}

struct Sim {
    now: f64,
    seq: u64,
    heap: BinaryHeap<Reverse<(u64, u64, Ev)>>,
    rng: ChaCha8Rng,
    arrival: Exp<f64>,
    sales: LogNormal<f64>,
    production: Gamma<f64>,
    billing: Exp<f64>,
    support: Exp<f64>,
    to_billing: Uniform<f64>,
    to_customer: Triangular<f64>,
    told: Binomial,
    // Orders and complaints reuse freed slots; customers (two flags each) are kept.
    orders: Vec<Order>,
    free_orders: Vec<u32>,
    customers: Vec<Customer>,
    complaints: Vec<Complaint>,
    free_complaints: Vec<u32>,
    busy: [u32; 4],
    queues: [VecDeque<u32>; 4],
    deterred: u64,
    c: Counts,
}

/// Replication `seed` of the plain chain.
pub fn run(seed: u64) -> Counts {
    let mut s = Sim {
        now: 0.0,
        seq: 0,
        heap: BinaryHeap::with_capacity(256),
        rng: ChaCha8Rng::seed_from_u64(seed),
        arrival: Exp::new(20.0 / DAY).unwrap(),
        sales: LogNormal::from_mean_cv(1.7, 0.5).unwrap(),
        production: Gamma::new(1.0 / 0.64, 3.6 * 0.64).unwrap(),
        billing: Exp::new(60.0 / 50.0).unwrap(),
        support: Exp::new(1.0 / 2.0).unwrap(),
        to_billing: Uniform::new_inclusive(0.5, 2.0).unwrap(),
        to_customer: Triangular::new(DAY, 4.0 * DAY, 2.0 * DAY).unwrap(),
        told: Binomial::new(9, 0.3).unwrap(),
        orders: Vec::new(),
        free_orders: Vec::new(),
        customers: Vec::new(),
        complaints: Vec::new(),
        free_complaints: Vec::new(),
        busy: [0; 4],
        queues: Default::default(),
        deterred: 0,
        c: Counts::default(),
    };
    let gap = s.arrival.sample(&mut s.rng);
    s.schedule(gap, Ev::Arrival);
    while let Some(Reverse((time, _, ev))) = s.heap.pop() {
        s.now = f64::from_bits(time);
        s.c.events += 1;
        match ev {
            Ev::Arrival => s.on_arrival(),
            Ev::ServiceEnd { dept, job } => s.on_service_end(dept as usize, job),
            Ev::HandoffArrive(order) => s.on_handoff_arrive(order),
            Ev::Chase(order) => s.on_chase(order),
            Ev::ComplaintPatience(k) => s.on_complaint_event(k, UNRESOLVED),
        }
    }
    s.c
}

impl Sim {
    fn schedule(&mut self, time: f64, ev: Ev) {
        if time <= HORIZON {
            self.heap.push(Reverse((time.to_bits(), self.seq, ev)));
            self.seq += 1;
        }
    }

    fn measuring(&self) -> bool {
        self.now >= WARMUP
    }

    fn on_arrival(&mut self) {
        let gap = self.arrival.sample(&mut self.rng);
        self.schedule(self.now + gap, Ev::Arrival);
        if self.deterred > 0 {
            self.deterred -= 1; // a lost customer told this prospect to stay away
            return;
        }
        let counted = self.measuring();
        self.customers.push(Customer {
            counted,
            left: false,
        });
        self.c.orders += u64::from(counted);
        let order = Order {
            customer: self.customers.len() as u32 - 1,
            step: 0,
            placed: self.now,
            patience_from: self.now,
            error: false,
            caught: false,
            defects: 0,
        };
        let id = insert(&mut self.orders, &mut self.free_orders, order);
        self.enter(0, id);
    }

    /// A job joins department `dept` (FIFO): served at once if someone is free.
    fn enter(&mut self, dept: usize, job: u32) {
        if self.busy[dept] < STAFF[dept] {
            self.start(dept, job);
        } else {
            self.queues[dept].push_back(job);
        }
    }

    fn start(&mut self, dept: usize, job: u32) {
        let rng = &mut self.rng;
        let service = match dept {
            0 => self.sales.sample(rng),
            1 => self.production.sample(rng),
            2 => self.billing.sample(rng),
            _ => self.support.sample(rng),
        };
        self.busy[dept] += 1;
        let end = Ev::ServiceEnd {
            dept: dept as u32,
            job,
        };
        self.schedule(self.now + service, end);
    }

    fn on_service_end(&mut self, dept: usize, job: u32) {
        self.busy[dept] -= 1;
        if let Some(next) = self.queues[dept].pop_front() {
            self.start(dept, next);
        }
        if dept == SUPPORT {
            let quick = self.now - self.complaints[job as usize].opened <= RESOLVE_WITHIN;
            return self.on_complaint_event(job, if quick { QUICKLY } else { RESOLVED });
        }
        // The handoff out of this step: lost (chased later), or delayed and maybe wrong.
        let rng = &mut self.rng;
        let o = &mut self.orders[job as usize];
        if rng.random::<f64>() < LOSE[dept] {
            let chase = (o.patience_from + PATIENCE).max(self.now);
            return self.schedule(chase, Ev::Chase(job));
        }
        o.error = rng.random::<f64>() < ERROR[dept];
        o.caught = o.error && rng.random::<f64>() < CATCH[dept];
        let delay = match dept {
            0 => 2.0,
            1 => self.to_billing.sample(rng),
            _ => self.to_customer.sample(rng),
        };
        self.schedule(self.now + delay, Ev::HandoffArrive(job));
    }

    fn on_handoff_arrive(&mut self, id: u32) {
        let o = &mut self.orders[id as usize];
        let step = o.step;
        if o.caught {
            // Sent back: the sender does it again (rework), then hands it off again.
            return self.enter(step, id);
        }
        o.defects += u32::from(o.error);
        if step < 2 {
            o.step += 1;
            return self.enter(step + 1, id);
        }
        // Delivered.
        let (late, defects, customer) = (self.now - o.placed > PROMISE, o.defects, o.customer);
        self.free_orders.push(id);
        let measuring = self.measuring();
        self.c.delivered += u64::from(measuring);
        self.c.late += u64::from(measuring && late);
        if !self.customers[customer as usize].left {
            let rng = &mut self.rng;
            let problem = (0..defects).any(|_| rng.random::<f64>() < P_DEFECT)
                || (late && rng.random::<f64>() < P_LATE);
            if problem {
                self.react(customer);
            }
        }
    }

    fn on_chase(&mut self, id: u32) {
        let o = &mut self.orders[id as usize];
        o.patience_from = self.now;
        let (customer, step) = (o.customer, o.step);
        let stays = !self.customers[customer as usize].left
            && (self.rng.random::<f64>() >= P_LOST || self.react(customer));
        if stays {
            self.enter(step, id); // the sender does the lost work again
        } else {
            self.free_orders.push(id);
        }
    }

    /// A customer with a problem complains or decides in silence; returns whether they stay for now.
    fn react(&mut self, customer: u32) -> bool {
        if self.rng.random::<f64>() >= COMPLAIN {
            return self.decide(customer, SILENT);
        }
        if self.rng.random::<f64>() < EMPOWER {
            self.decide(customer, QUICKLY); // resolved at the first contact
            return true;
        }
        let k = Complaint {
            customer,
            opened: self.now,
            settled: false,
            refs: 1,
        };
        let id = insert(&mut self.complaints, &mut self.free_complaints, k);
        self.enter(SUPPORT, id);
        if self.now + PATIENCE <= HORIZON {
            self.complaints[id as usize].refs += 1;
            self.schedule(self.now + PATIENCE, Ev::ComplaintPatience(id));
        }
        true
    }

    /// Stay with probability `p_stay`, or leave and deter some of the people told.
    fn decide(&mut self, customer: u32, p_stay: f64) -> bool {
        if self.rng.random::<f64>() < p_stay {
            return true;
        }
        let c = &mut self.customers[customer as usize];
        c.left = true;
        self.c.customers_lost += u64::from(c.counted);
        self.deterred += self.told.sample(&mut self.rng);
        false
    }

    /// A complaint's service ended or its patience ran out: the first of the two settles it.
    fn on_complaint_event(&mut self, k: u32, p_stay: f64) {
        let complaint = &mut self.complaints[k as usize];
        complaint.refs -= 1;
        let (refs, customer) = (complaint.refs, complaint.customer);
        if !std::mem::replace(&mut complaint.settled, true)
            && !self.customers[customer as usize].left
        {
            self.decide(customer, p_stay);
        }
        if refs == 0 {
            self.free_complaints.push(k);
        }
    }
}

/// Puts `x` in a free slot of `slots`, or a new one; returns its index.
fn insert<T>(slots: &mut Vec<T>, free: &mut Vec<u32>, x: T) -> u32 {
    if let Some(i) = free.pop() {
        slots[i as usize] = x;
        return i;
    }
    slots.push(x);
    slots.len() as u32 - 1
}
