//! External customers: arrivals, reorders, and what they do about bad experiences.
//!
//! At each touchpoint (a delivery, a chase) the customer acts on at most one
//! problem: experiences are checked in the order they happened and the first
//! that becomes a problem is acted on, so every decision has exactly one cause.

use rand::RngExt;

use super::Mechanisms;
use super::decisions::{Decision, Touch};
use super::morale::Contact;
use super::{
    Complaint, ComplaintId, Customer, CustomerId, Event, Experience, Job, Observer, Path, Problem,
    Simulation, TraceKind,
};
use crate::model::{Cause, binomial};

/// What came of a touchpoint.
enum Verdict {
    /// Nothing became a problem, or the customer stayed.
    Stays,
    /// The customer complained; whether they stay is decided when the complaint settles.
    Waiting,
    Left,
}

impl<O: Observer, M: Mechanisms> Simulation<'_, '_, O, M> {
    /// The gaps between arrivals are the arrival stream's draws in turn; each is
    /// drawn one arrival ahead, so that drawing it is not in the way of
    /// scheduling the arrival it is for (the same numbers, sooner).
    pub(super) fn schedule_next_arrival(&mut self) {
        let rate = self.model.customers.arrival_rate_per_h;
        let next = self.arrivals_rng.random::<f64>();
        let u = std::mem::replace(&mut self.next_arrival_draw, next);
        let gap = -(1.0 - u).ln() / rate;
        self.schedule(self.now + gap, Event::Arrival);
    }

    pub(super) fn on_arrival(&mut self) {
        self.schedule_next_arrival();
        // Counted before a deterred prospect skips the arrival, so that the same
        // number names the same arrival in every scenario.
        self.arrivals_seen += 1;
        if self.deterred_pending > 0 {
            // Someone told this prospect to stay away.
            self.deterred_pending -= 1;
            self.trace(TraceKind::ProspectDeterred, |_| {});
            return;
        }
        let counted = self.measuring();
        self.counts.customers_arrived += u64::from(counted);
        self.next_customer_id += 1;
        let id = self.next_customer_id;
        let customer = self.customers.insert(Customer {
            id,
            arrival: self.arrivals_seen,
            counted,
            refs: 0,
            orders: 0,
            problems: 0,
            forgiving: false,
        }) as CustomerId;
        self.customers_left.set(customer as usize, false);
        self.trace(TraceKind::Arrived, |e| e.customer = Some(id));
        self.place_order(customer);
    }

    pub(super) fn on_reorder(&mut self, customer: CustomerId) {
        if self.customers_left.get(customer as usize) {
            self.release_customer(customer);
        } else {
            self.place_order(customer);
            self.release_customer(customer);
        }
    }

    /// Drops one reference to the customer, and the customer with the last one.
    pub(super) fn release_customer(&mut self, customer: CustomerId) {
        let c = &mut self.customers[customer as usize];
        c.refs -= 1;
        if c.refs == 0 {
            let c = self.customers.remove(customer as usize);
            if c.counted && !self.customers_left.get(customer as usize) {
                self.counts.customers_done += 1;
            }
            self.trace(TraceKind::Done, |e| e.customer = Some(c.id));
        }
    }

    /// An order arrived: the customer (whose arrival number is `arrival`)
    /// reacts, then may order again.
    pub(super) fn after_delivery(
        &mut self,
        customer: CustomerId,
        arrival: u64,
        order: u32,
        flow: u32,
        experiences: &[(Experience, Cause, f64)],
    ) {
        let touch = Touch {
            customer: arrival,
            order,
            touchpoint: 0,
        };
        let stays = !self.customers_left.get(customer as usize)
            && !matches!(
                self.touchpoint(customer, touch, flow, experiences),
                Verdict::Left
            );
        if stays && let Some(reorder) = &self.model.customers.reorder {
            // Both draws always, so that the churn rate moves nothing else.
            let mut rng = self.decisions.rng(touch, Decision::Reorder);
            let churns = rng.random::<f64>() < self.model.customers.churn;
            let gap = reorder.sample(&mut rng);
            if !churns && self.schedule(self.now + gap, Event::Reorder { customer }) {
                // The reorder takes over the delivered order's reference (one
                // more, one less): the customer's record is not touched.
                return;
            }
        }
        self.release_customer(customer); // the delivered order's reference
    }

    /// A lost order was chased; returns whether the customer still wants it.
    /// The experience happened when the work vanished (`lost_at`), which is when
    /// incident windows look for it, though the customer learns of it at the chase.
    pub(super) fn after_chase(
        &mut self,
        customer: CustomerId,
        touch: Touch,
        flow: u32,
        cause: Cause,
        lost_at: f64,
    ) -> bool {
        !self.customers_left.get(customer as usize)
            && !matches!(
                self.touchpoint(
                    customer,
                    touch,
                    flow,
                    &[(Experience::LostOrder, cause, lost_at)]
                ),
                Verdict::Left
            )
    }

    fn touchpoint(
        &mut self,
        customer: CustomerId,
        touch: Touch,
        flow: u32,
        experiences: &[(Experience, Cause, f64)],
    ) -> Verdict {
        if experiences.is_empty() {
            // Nothing to act on (most deliveries): the customer's record is not read.
            return Verdict::Stays;
        }
        let odds = &self.model.problem;
        let tolerance = if self.customers[customer as usize].forgiving {
            1.0 - self.model.stay.recovery_paradox
        } else {
            1.0
        };
        let problem = experiences
            .iter()
            .enumerate()
            .find(|&(i, &(kind, cause, _))| {
                let (p, decision) = match kind {
                    Experience::Late => (odds.late, Decision::LateProblem),
                    Experience::LostOrder => (odds.lost_order, Decision::LostProblem),
                    Experience::Rude => (odds.rude, Decision::RudeProblem),
                    Experience::Defect => {
                        // Keyed to the handoff, so that an extra defect elsewhere in the
                        // order does not move this one's draw.
                        let occurrence = experiences[..i]
                            .iter()
                            .filter(|e| e.0 == Experience::Defect && e.1 == cause)
                            .count() as u32;
                        let handoff = match cause {
                            Cause::HandoffError(h) => self.handoffs[h].key,
                            _ => 0,
                        };
                        let decision = Decision::DefectProblem {
                            handoff,
                            occurrence,
                        };
                        (odds.defect, decision)
                    }
                    Experience::Friction => (odds.friction, Decision::FrictionProblem),
                };
                self.decisions.rng(touch, decision).random::<f64>() < p * tolerance
            });
        let Some((_, &(_, cause, at))) = problem else {
            return Verdict::Stays;
        };
        let c = &mut self.customers[customer as usize];
        c.problems += 1;
        let (counted, id) = (c.counted, c.id);
        let problem = Problem {
            cause,
            at,
            touch,
            flow,
            first: c.problems == 1,
        };
        self.counts.problems += u64::from(counted);
        if counted && self.policy.is_some() {
            self.policy_problem(cause);
        }
        self.trace(TraceKind::Problem, |e| {
            e.customer = Some(id);
            e.cause = Some(cause);
        });
        let complains = self
            .decisions
            .rng(touch, Decision::Complain)
            .random::<f64>()
            < self.model.customers.complain_share;
        if complains {
            self.open_complaint(customer, problem);
            Verdict::Waiting
        } else if self.decide(customer, problem, Path::Silent) {
            Verdict::Stays
        } else {
            Verdict::Left
        }
    }

    /// The customer, with a problem that took `path`, stays or leaves; returns whether they stay.
    fn decide(&mut self, customer: CustomerId, problem: Problem, path: Path) -> bool {
        let cause = problem.cause;
        let stay = &self.model.stay;
        let p = match path {
            Path::Silent => stay.silent,
            Path::Unresolved => stay.unresolved,
            Path::Resolved => stay.resolved,
            Path::ResolvedQuickly => stay.resolved_quickly,
        };
        let stays = self
            .decisions
            .rng(problem.touch, Decision::Stay)
            .random::<f64>()
            < p;
        let c = &mut self.customers[customer as usize];
        let (counted, id) = (c.counted, c.id);
        let path_counts = &mut self.counts.by_path[path as usize];
        if counted {
            path_counts.0 += 1;
            path_counts.1 += u64::from(stays);
        }
        if stays {
            if counted && matches!(path, Path::Resolved | Path::ResolvedQuickly) {
                self.counts.recovered += 1;
            }
            // The paradox holds after a first failure only (Maxham & Netemeyer 2002),
            // whatever else happened while its complaint was open.
            if path == Path::ResolvedQuickly && problem.first {
                c.forgiving = true;
            }
            self.trace(TraceKind::Stayed, |e| {
                e.customer = Some(id);
                e.cause = Some(cause);
                e.path = Some(path);
            });
            return true;
        }
        self.customers_left.set(customer as usize, true);
        if counted && path == Path::Silent {
            self.counts.silent_defections += 1;
        }
        self.trace(TraceKind::Left, |e| {
            e.customer = Some(id);
            e.cause = Some(cause);
            e.path = Some(path);
        });
        if counted {
            self.counts.by_flow[problem.flow as usize].customers_lost += 1;
        }
        self.spread_word(counted, id, problem);
        false
    }

    /// A customer who leaves tells others; each is deterred with probability `deter`.
    /// One binomial draw for everyone told: the cost does not grow with `word_of_mouth`.
    fn spread_word(&mut self, counted: bool, customer_id: u64, problem: Problem) {
        let cause = problem.cause;
        let customers = &self.model.customers;
        let mut rng = self.decisions.rng(problem.touch, Decision::Tell);
        let deterred = binomial(
            u64::from(customers.word_of_mouth),
            customers.deter,
            &mut rng,
        );
        self.deterred_pending += deterred;
        self.trace(TraceKind::Told, |e| {
            e.customer = Some(customer_id);
            e.cause = Some(cause);
            e.count = deterred as u32;
        });
        if !counted {
            return;
        }
        // Revenue lost: the orders the customer would still have placed, and each
        // deterred prospect's first order plus the same.
        let future = self.future_orders();
        let value = customers.order_value;
        let lost_customer = value * future;
        let lost_prospects = deterred as f64 * value * (1.0 + future);
        let c = &mut self.counts;
        c.customers_lost += 1;
        c.prospects_deterred += deterred;
        c.revenue_lost += lost_customer + lost_prospects;
        let index = cause.index(self.model);
        let week = c.week(self.now);
        week.lose(index);
        week.prospects_deterred += deterred;
        let row = &mut c.by_cause[index];
        row.0 += 1;
        row.1 += deterred;
        row.2 += lost_customer + lost_prospects;
        if self.model.incidents.is_empty() {
            return;
        }
        self.count_incident_loss(cause, problem.at, deterred, lost_customer + lost_prospects);
    }

    /// Orders a loyal customer would place over the rest of the run, on average:
    /// `n = (T − t) / mean(reorder)` reorders, each only if the customer has not
    /// churned by then: `Σ_{k=1..n} (1 − churn)^k`.
    fn future_orders(&self) -> f64 {
        let Some(reorder) = &self.model.customers.reorder else {
            return 0.0;
        };
        let n = (self.horizon - self.now).max(0.0) / reorder.mean();
        let keep = 1.0 - self.model.customers.churn;
        if keep >= 1.0 {
            n
        } else {
            keep * (1.0 - keep.powf(n)) / (1.0 - keep)
        }
    }

    fn open_complaint(&mut self, customer: CustomerId, problem: Problem) {
        let cause = problem.cause;
        let c = &mut self.customers[customer as usize];
        c.refs += 1; // released when the complaint is dropped
        let (counted, id) = (c.counted, c.id);
        self.counts.complaints += u64::from(counted);
        if self.learned.is_some() {
            self.complaint_teaches(cause);
        }
        self.trace(TraceKind::Complained, |e| {
            e.customer = Some(id);
            e.cause = Some(cause);
        });
        let complaint = self.complaints.insert(Complaint {
            customer,
            problem,
            opened: self.now,
            settled: false,
            refs: 0,
        }) as ComplaintId;
        if let Some(handling) = &self.model.complaints {
            let on_the_spot = self
                .decisions
                .rng(problem.touch, Decision::Empowerment)
                .random::<f64>()
                < handling.empowerment;
            if on_the_spot {
                // The first contact resolves it on the spot.
                return self.settle(complaint, Path::ResolvedQuickly);
            }
            self.complaints[complaint as usize].refs += 1;
            self.enter_department(handling.department, Job::Complaint(complaint));
        }
        // Without anyone to handle it, the complaint can only run out of patience.
        let at = self.now + self.model.customers.patience_h;
        if self.schedule(at, Event::ComplaintPatience { complaint }) {
            self.complaints[complaint as usize].refs += 1;
        }
        self.drop_complaint_if_done(complaint);
    }

    pub(super) fn on_complaint_served(&mut self, complaint: ComplaintId) {
        let k = &mut self.complaints[complaint as usize];
        k.refs -= 1;
        if !k.settled {
            let within = self
                .model
                .complaints
                .as_ref()
                .map_or(0.0, |h| h.resolve_within_h);
            let path = if self.now - k.opened <= within {
                Path::ResolvedQuickly
            } else {
                Path::Resolved
            };
            self.settle(complaint, path);
        } else {
            self.drop_complaint_if_done(complaint);
        }
    }

    pub(super) fn on_complaint_patience(&mut self, complaint: ComplaintId) {
        let k = &mut self.complaints[complaint as usize];
        k.refs -= 1;
        if !k.settled {
            self.settle(complaint, Path::Unresolved);
        } else {
            self.drop_complaint_if_done(complaint);
        }
    }

    /// The complaint is resolved (quickly or not) or given up on; the customer decides.
    fn settle(&mut self, complaint: ComplaintId, path: Path) {
        let k = &mut self.complaints[complaint as usize];
        k.settled = true;
        let (customer, problem) = (k.customer, k.problem);
        let cause = problem.cause;
        let c = &self.customers[customer as usize];
        let (counted, left, id) = (c.counted, self.customers_left.get(customer as usize), c.id);
        if counted {
            match path {
                Path::Unresolved => self.counts.complaints_unresolved += 1,
                _ => self.counts.complaints_resolved += 1,
            }
        }
        let kind = if path == Path::Unresolved {
            TraceKind::Unresolved
        } else {
            TraceKind::Resolved
        };
        self.trace(kind, |e| {
            e.customer = Some(id);
            e.cause = Some(cause);
            e.path = Some(path);
        });
        if left {
            // Gone already, after another problem: the path is recorded, no second decision.
            if counted {
                self.counts.by_path[path as usize].0 += 1;
            }
        } else if self.decide(customer, problem, path) && path != Path::Unresolved {
            self.complaint_contact(customer, problem);
        }
        self.drop_complaint_if_done(complaint);
    }

    /// The contact that resolved a complaint (at the complaints department) may be
    /// rude: a new experience, at a touchpoint of its own, for a customer who was
    /// staying. A complaint about that desk's own rudeness is not met rudely
    /// again, so one rude contact cannot feed on itself.
    fn complaint_contact(&mut self, customer: CustomerId, problem: Problem) {
        let Some(handling) = &self.model.complaints else {
            return;
        };
        let desk = handling.department;
        if !self.has_rudeness || problem.cause == Cause::DepartmentRude(desk) {
            return;
        }
        if self.rude_contact(desk, problem.touch, Contact::Complaint) {
            let touch = Touch {
                touchpoint: problem.touch.touchpoint | 1 << 31,
                ..problem.touch
            };
            let rude = [(Experience::Rude, Cause::DepartmentRude(desk), self.now)];
            self.touchpoint(customer, touch, problem.flow, &rude);
        }
    }

    fn drop_complaint_if_done(&mut self, complaint: ComplaintId) {
        let k = &self.complaints[complaint as usize];
        if k.settled && k.refs == 0 {
            let k = self.complaints.remove(complaint as usize);
            self.release_customer(k.customer);
        }
    }
}
