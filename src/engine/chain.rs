//! Orders moving through the chain: queues, service, handoffs, delivery, chases.

use rand::RngExt;

use super::decisions::{Decision, Touch};
use super::morale::Contact;
use super::{
    Event, Experience, Job, Mechanisms, Observer, Order, OrderId, Route, Simulation, TraceKind,
};
use crate::model::{Cause, Distribution, HandoffId, Target};

/// The three entries per step of `Order::spent`, side by side so that a step's
/// wait and its handoff's delay share a cache line.
/// How far, as a share of the clock's reading, a lead time may pass the
/// promise and still be on time: a few dozen roundings of the additions that
/// built it (`f64::EPSILON` is one), far below any time a scenario can write
/// (durations under the clock's resolution are refused when read).
const CLOCK_SLACK: f64 = 64.0 * f64::EPSILON;

const WAIT: usize = 0;
const DELAY: usize = 1;
const LOST: usize = 2;
pub(super) const BLOCKS: usize = 3;

/// The odds a transfer meets, see [`Simulation::transfer_odds`].
pub(super) struct TransferOdds<'m> {
    pub(super) delay: Option<&'m Distribution>,
    pub(super) lose: f64,
    pub(super) error: f64,
    pub(super) catch: f64,
}

impl<'m, O: Observer, M: Mechanisms> Simulation<'m, '_, O, M> {
    /// A new order for `customer`: choose its flow and send it to the first step.
    pub(super) fn place_order(&mut self, customer: u32) {
        let c = &mut self.customers[customer as usize];
        c.refs += 1;
        c.orders += 1;
        let (customer_id, placed, arrival) = (c.id, c.orders, c.arrival);
        let touch = Touch {
            customer: arrival,
            order: placed,
            touchpoint: 0,
        };
        let u: f64 = self.decisions.rng(touch, Decision::Flow).random();
        let flow = self
            .flow_cumulative
            .partition_point(|&c| c <= u)
            .min(self.flow_cumulative.len() - 1);
        if self.measuring() {
            self.counts.orders_arrived += 1;
            self.counts.by_flow[flow].orders += 1;
            self.counts.week(self.now).orders += 1;
        } else {
            self.counts.in_progress_at_warmup += 1;
        }
        let steps = self.model.flows[flow].steps.len();
        let key = self.orders.vacant_key();
        let spent = self.spent.reset(key, BLOCKS * steps);
        self.next_order_id += 1;
        let order = self.orders.insert(Order {
            arrival,
            placed: self.now,
            waited: 0.0,
            spent,
            rare: None,
            customer,
            number: placed,
            flow: flow as u32,
            step: 0,
            attempt: 0,
            error_in_flight: false,
            error_caught: false,
            rework: false,
        }) as OrderId;
        debug_assert_eq!(order as usize, key);
        let order_id = self.next_order_id;
        if O::ENABLED {
            // Only traces name orders: the ids are kept only for them.
            if self.order_ids.len() <= key {
                self.order_ids.resize(key + 1, 0);
            }
            self.order_ids[key] = order_id;
        }
        self.trace(TraceKind::Ordered, |e| {
            e.customer = Some(customer_id);
            e.order = Some(order_id);
            e.count = placed;
        });
        self.enter_step(order);
    }

    /// The order joins the queue of the department at its current step.
    fn enter_step(&mut self, order: OrderId) {
        let dept = self.route(order).dept as usize;
        self.enter_department(dept, Job::Order(order));
    }

    /// A job arrives at a department: served at once if someone is free, else queued.
    #[inline]
    pub(super) fn enter_department(&mut self, dept: usize, job: Job) {
        let d = &self.departments[dept];
        if d.busy < d.staff {
            self.start_service(dept, job, self.now);
        } else if M::ON && (self.capacity.has_pools || self.capacity.ranked) {
            self.enter_busy_department(dept, job);
        } else {
            let d = &mut self.departments[dept];
            d.queue.push_back((job, self.now));
            d.queue_len.set(self.now, d.queue.len() as f64);
        }
    }

    /// [`Self::enter_department`] when its staff are busy and pools or
    /// priorities are in play: out of line, so the plain path stays small.
    #[inline(never)]
    fn enter_busy_department(&mut self, dept: usize, job: Job) {
        if self.capacity.has_pools && self.offer_to_pool(dept, job) {
            // A pool member took it (capacity.rs).
        } else if self.capacity.ranked {
            self.queue_job(dept, job);
        } else {
            let d = &mut self.departments[dept];
            d.queue.push_back((job, self.now));
            d.queue_len.set(self.now, d.queue.len() as f64);
        }
    }

    /// A member of the department's own staff starts `job`.
    #[inline]
    pub(super) fn start_service(&mut self, dept: usize, job: Job, queued_at: f64) {
        if M::ON && self.morale.is_some() {
            // Morale follows the busy share up to now, before it changes.
            self.morale_update(dept);
        }
        let service = self.begin_service(dept, job, queued_at);
        let d = &mut self.departments[dept];
        d.busy += 1;
        d.busy_changed::<M>(self.now);
        self.schedule(
            self.now + service,
            Event::ServiceEnd {
                dept: dept as u32,
                job,
            },
        );
    }

    /// What every start of service does, whoever serves: the wait is counted
    /// and the service time drawn from the department's stream.
    // Always inlined: a call of its own cost the plain chain 1.7 % of its instructions.
    #[inline(always)]
    pub(super) fn begin_service(&mut self, dept: usize, job: Job, queued_at: f64) -> f64 {
        let measuring = self.measuring();
        let waited = self.now - queued_at;
        let d = &mut self.departments[dept];
        if measuring {
            d.wait.add(waited);
        }
        let service = d.draw_service::<M>(self.model, dept);
        // Served on arrival adds nothing (x + 0.0 is x): skip the order's buffer,
        // which is most often not in the cache.
        // Only while some order is sent back for rework does a service look
        // for the rework flag (most services, even with `catch`, are not rework).
        if let Job::Order(order) = job
            && (waited > 0.0 || self.rework_pending > 0)
        {
            let o = &mut self.orders[order as usize];
            if waited > 0.0 {
                let i = o.step as usize * BLOCKS + WAIT;
                self.spent.add(&mut o.spent, order as usize, i, waited);
                o.waited += waited;
            }
            if self.rework_pending > 0 && o.rework {
                o.rework = false;
                self.rework_pending -= 1;
                if measuring {
                    self.departments[dept].rework_h += service;
                }
            }
        }
        if O::ENABLED {
            self.trace_job(TraceKind::ServiceStarted, dept, job);
        }
        service
    }

    pub(super) fn on_service_end(&mut self, dept: usize, job: Job) {
        // Traced first: the server may start its next job before this one moves on.
        if O::ENABLED {
            self.trace_job(TraceKind::ServiceEnded, dept, job);
        }
        let measuring = self.measuring();
        if M::ON && self.morale.is_some() {
            self.morale_update(dept);
        }
        let d = &mut self.departments[dept];
        d.busy -= 1;
        d.busy_changed::<M>(self.now);
        if measuring {
            d.served += 1;
        }
        // Staff on duty may have dropped while this job was in service (never
        // in the plain engine, whose staff stay as they are).
        if (!M::ON || d.busy < d.staff)
            && let Some((next, queued_at)) = d.next_job::<M>(self.now)
        {
            self.start_service(dept, next, queued_at);
        }
        self.service_done(job);
    }

    /// The work of `job` is done (and traced): it moves on.
    pub(super) fn service_done(&mut self, job: Job) {
        match job {
            Job::Order(order) => self.hand_off(order),
            Job::Complaint(complaint) => self.on_complaint_served(complaint),
        }
    }

    pub(super) fn trace_job(&mut self, kind: TraceKind, dept: usize, job: Job) {
        let (customer, order) = match job {
            Job::Order(o) => {
                let customer = self.orders[o as usize].customer;
                (
                    self.customers[customer as usize].id,
                    Some(self.order_ids[o as usize]),
                )
            }
            Job::Complaint(k) => (
                self.customers[self.complaints[k as usize].customer as usize].id,
                None,
            ),
        };
        self.trace(kind, |e| {
            e.customer = Some(customer);
            e.order = order;
            e.department = Some(dept);
        });
    }

    /// The order's current step.
    #[inline]
    fn route(&self, order: OrderId) -> Route {
        let o = &self.orders[order as usize];
        self.routes[self.route_start[o.flow as usize] as usize + o.step as usize]
    }

    fn current_handoff(&self, order: OrderId) -> HandoffId {
        self.route(order).handoff as usize
    }

    /// The sender passes the finished work on: it may be lost, delayed, or carry an error.
    fn hand_off(&mut self, order: OrderId) {
        let route = self.route(order);
        if route.perfect {
            return self.on_handoff_arrive(order);
        }
        let id = route.handoff as usize;
        let h = &mut self.handoffs[id];
        let o = &mut self.orders[order as usize];
        let transfer = Decision::Transfer {
            handoff: h.key,
            step: o.step,
            attempt: o.attempt,
        };
        o.attempt += 1;
        let touch = Touch {
            customer: o.arrival,
            order: o.number,
            touchpoint: 0,
        };
        // Keyed to the order, not drawn in turn from one stream: the same order
        // meets the same transfer in two scenarios, whatever happened to others.
        // Each draw keeps its place in the sequence whatever the probabilities,
        // so that scenarios differing only in a rate keep their other draws
        // aligned; a draw whose outcome nothing reads (the error of a lost
        // transfer, the catch of a correct one) is not made, as nothing follows it.
        let mut rng = self.decisions.rng(touch, transfer);
        let odds = self.transfer_odds(id);
        let delay = odds.delay.map_or(0.0, |d| d.sample(&mut rng));
        let lost = rng.below(odds.lose);
        let error = !lost && rng.below(odds.error);
        let caught = error && rng.below(odds.catch);
        let h = &mut self.handoffs[id];
        if self.now >= self.warmup {
            if lost {
                h.counts.lost += 1;
            } else if odds.delay.is_some() {
                h.counts.delayed += 1;
                h.counts.delay_h += delay;
            }
        }
        if lost {
            if M::ON
                && self.morale.is_some()
                && let Target::Department(to) = self.model.handoffs[id].to
            {
                // Work lost on the way is bad work the receiver did not get.
                self.morale_received(to, true);
            }
            let rare = self.orders[order as usize].rare();
            rare.lost_at = self.now;
            let chase_at = (rare.patience_from + self.model.customers.patience_h).max(self.now);
            self.trace_order(TraceKind::Lost, order, |e| e.handoff = Some(id));
            self.schedule(chase_at, Event::Chase { order });
            return;
        }
        let o = &mut self.orders[order as usize];
        o.error_in_flight = error;
        o.error_caught = caught;
        if delay > 0.0 {
            let i = o.step as usize * BLOCKS + DELAY;
            self.spent.add(&mut o.spent, order as usize, i, delay);
            self.schedule(self.now + delay, Event::HandoffArrive { order });
        } else {
            self.on_handoff_arrive(order);
        }
    }

    /// What a transfer on handoff `id` risks now: the scenario's values, which
    /// incident windows, morale and learning change while they act. Every
    /// mechanism that changes a handoff's odds goes through here.
    ///
    /// Order of composition: an incident window *replaces* the scenario's
    /// values while it lasts; learning then *multiplies* lose and error by the
    /// share its lessons left (the organisation's lessons hold through an
    /// incident); morale scales last, by the sender's morale, capped at 1.
    #[inline]
    fn transfer_odds(&mut self, id: HandoffId) -> TransferOdds<'m> {
        let spec = &self.model.handoffs[id];
        let odds = TransferOdds {
            delay: spec.delay.as_ref(),
            lose: spec.lose,
            error: spec.error,
            catch: spec.catch,
        };
        // One flag, decided at the start, for every mechanism below: without
        // them a transfer's odds are the scenario's and cost nothing more.
        if M::ON && self.odds_vary {
            self.varied_odds(id, odds)
        } else {
            odds
        }
    }

    /// [`Self::transfer_odds`] when incidents, learning or morale may change them.
    #[inline(never)]
    fn varied_odds(&mut self, id: HandoffId, mut odds: TransferOdds<'m>) -> TransferOdds<'m> {
        if self.handoffs[id].windowed {
            self.incident_odds(id, &mut odds);
        }
        if let Some(learned) = &self.learned {
            let (lose, error) = learned.factors(id, self.now);
            odds.lose *= lose;
            odds.error *= error;
        }
        if self.morale.is_some() {
            // Low morale at the sender: more work lost and more errors (capped at 1).
            let factor = self.morale_factor(self.model.handoffs[id].from);
            odds.lose = (odds.lose * factor).min(1.0);
            odds.error = (odds.error * factor).min(1.0);
        }
        if self.measuring() {
            // For the timeline: the odds this transfer met, in its week.
            self.counts
                .week(self.now)
                .note_transfer(id, odds.lose, odds.error, odds.catch);
        }
        odds
    }

    /// The work reaches the receiver, who checks it and takes it, or sends it back.
    pub(super) fn on_handoff_arrive(&mut self, order: OrderId) {
        let measuring = self.measuring();
        let route = self.route(order);
        let id = route.handoff as usize;
        let o = &mut self.orders[order as usize];
        let (error, caught) = (o.error_in_flight, o.error_caught);
        o.error_in_flight = false;
        if M::ON
            && self.morale.is_some()
            && let Target::Department(to) = self.model.handoffs[id].to
        {
            self.morale_received(to, error && caught);
        }
        let counts = &mut self.handoffs[id].counts;
        if error && caught {
            if measuring {
                counts.caught += 1;
            }
            self.trace_order(TraceKind::Caught, order, |e| e.handoff = Some(id));
            // Back to the sender, who serves it again (rework); then the handoff is retried.
            self.orders[order as usize].rework = true;
            self.rework_pending += 1;
            return self.enter_step(order);
        }
        if measuring {
            counts.passed += 1;
            if error {
                counts.escaped += 1;
            }
        }
        if error {
            // Few orders have escaped errors: the order is looked up again only for them.
            self.orders[order as usize]
                .rare()
                .defects
                .push((id as u32, self.now));
            self.trace_order(TraceKind::Escaped, order, |e| e.handoff = Some(id));
        }
        if route.to_customer {
            self.deliver(order);
        } else {
            let o = &mut self.orders[order as usize];
            o.step += 1;
            o.attempt = 0;
            self.enter_step(order);
        }
    }

    fn deliver(&mut self, order: OrderId) {
        let o = self.orders.remove(order as usize);
        let lead = self.now - o.placed;
        let promise = self.model.customers.promise_h;
        // Late by more than the clock's rounding: a chain of constant times
        // that adds up to the promise exactly must not read as late because
        // `now - placed` came out a few ulps of `now` above it.
        let late = lead - promise > CLOCK_SLACK * self.now;
        if self.measuring() {
            let c = &mut self.counts;
            c.delivered += 1;
            c.lead_time.add(lead);
            c.revenue_earned += self.model.customers.order_value;
            c.late += u64::from(late);
            c.defects += u64::from(!o.defects().is_empty());
            let f = &mut c.by_flow[o.flow as usize];
            f.delivered += 1;
            f.late += u64::from(late);
            f.lead_time.add(lead);
            f.wait.add(o.waited);
            let week = c.week(self.now);
            week.delivered += 1;
            week.late += u64::from(late);
            week.defects += u64::from(!o.defects().is_empty());
        } else {
            self.counts.in_progress_at_warmup -= 1;
        }
        if O::ENABLED {
            let customer_id = self.customers[o.customer as usize].id;
            let order_id = self.order_ids[order as usize];
            self.trace(TraceKind::Delivered, |e| {
                e.customer = Some(customer_id);
                e.order = Some(order_id);
            });
        }
        // What the customer experienced, in the order it happened.
        let mut experiences: Vec<(Experience, Cause, f64)> = o
            .defects()
            .iter()
            .map(|&(h, t)| (Experience::Defect, Cause::HandoffError(h as usize), t))
            .collect();
        if late {
            let at = o.placed + promise;
            let i = experiences.partition_point(|e| e.2 <= at);
            experiences.insert(i, (Experience::Late, self.late_cause(order, &o), at));
        }
        if M::ON && self.has_rudeness {
            // The delivery is a contact with the customer at the flow's last step.
            let last = *self.model.flows[o.flow as usize]
                .steps
                .last()
                .expect("a flow has steps");
            let touch = Touch {
                customer: o.arrival,
                order: o.number,
                touchpoint: 0,
            };
            if self.rude_contact(last, touch, Contact::Delivery) {
                experiences.push((Experience::Rude, Cause::DepartmentRude(last), self.now));
            }
        }
        if M::ON && self.policy.is_some() {
            self.policy_at_delivery(o.arrival, o.number, &mut experiences);
        }
        self.after_delivery(o.customer, o.arrival, o.number, o.flow, &experiences);
    }

    /// What made a late order late: the longest wait in one department, delay on one
    /// handoff, or time lost in one handoff; if nothing waited at all, the slowest
    /// department of its flow (by mean service time).
    fn late_cause(&self, order: OrderId, o: &Order) -> Cause {
        let flow = &self.model.flows[o.flow as usize];
        let spent = |i: usize| self.spent.get(o.spent, order as usize, i);
        let mut per_dept_wait = vec![0.0; self.model.departments.len()];
        for (i, &d) in flow.steps.iter().enumerate() {
            per_dept_wait[d] += spent(i * BLOCKS + WAIT);
        }
        let mut best = (0.0, None);
        let mut consider = |t: f64, cause: Cause| {
            if t > best.0 {
                best = (t, Some(cause));
            }
        };
        for (d, &t) in per_dept_wait.iter().enumerate() {
            consider(t, Cause::DepartmentWait(d));
        }
        for (i, &h) in flow.handoffs.iter().enumerate() {
            consider(spent(i * BLOCKS + DELAY), Cause::HandoffDelay(h));
            consider(spent(i * BLOCKS + LOST), Cause::HandoffLose(h));
        }
        best.1.unwrap_or_else(|| {
            let mean = |d: usize| self.model.departments[d].service.mean();
            let slowest = flow
                .steps
                .iter()
                .copied()
                .reduce(|a, b| if mean(b) > mean(a) { b } else { a });
            Cause::DepartmentWait(slowest.expect("a flow has steps"))
        })
    }

    /// The customer asks where a lost order is.
    pub(super) fn on_chase(&mut self, order: OrderId) {
        if self.measuring() {
            self.counts.lost_chased += 1;
        }
        let id = self.current_handoff(order);
        let now = self.now;
        let o = &mut self.orders[order as usize];
        let (customer, arrival, number, flow, step) =
            (o.customer, o.arrival, o.number, o.flow, o.step);
        let rare = o.rare();
        let lost_at = rare.lost_at;
        rare.patience_from = now;
        rare.chases += 1;
        let chases = rare.chases;
        let i = step as usize * BLOCKS + LOST;
        self.spent
            .add(&mut o.spent, order as usize, i, now - lost_at);
        self.trace_order(TraceKind::Chased, order, |e| e.handoff = Some(id));
        let touch = Touch {
            customer: arrival,
            order: number,
            touchpoint: chases,
        };
        if self.after_chase(customer, touch, flow, Cause::HandoffLose(id), lost_at) {
            // The sender does the lost work again.
            self.enter_step(order);
        } else {
            if self.measuring() {
                self.counts.cancelled += 1;
            } else {
                self.counts.in_progress_at_warmup -= 1;
            }
            self.trace_order(TraceKind::Cancelled, order, |_| {});
            self.orders.remove(order as usize);
            self.release_customer(customer);
        }
    }

    fn trace_order(
        &mut self,
        kind: TraceKind,
        order: OrderId,
        fill: impl FnOnce(&mut super::TraceEvent),
    ) {
        if O::ENABLED {
            let customer = self.orders[order as usize].customer;
            let (customer, order) = (
                self.customers[customer as usize].id,
                self.order_ids[order as usize],
            );
            self.trace(kind, |e| {
                e.customer = Some(customer);
                e.order = Some(order);
                fill(e);
            });
        }
    }
}
