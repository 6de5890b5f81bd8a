//! What the departments are asked to do, worked out from the model alone.
//!
//! With new customers arriving at rate λ, department `d` sees first orders at
//! rate λ × Σ (flow share × visits per order at each of its steps), where a
//! step is visited again for every lost transfer (the sender redoes it after
//! the chase) and every caught error (the sender reworks it):
//! visits = 1 / ((1 − lose) (1 − error × catch)). Offered load per server is
//! that rate times the mean service time, divided by the staff: at 1 or more
//! the queue grows without bound.
//!
//! Reorders multiply the rate. A customer who arrived `s` hours ago has had
//! about `n = s / mean(reorder)` chances to reorder, each taken only if they
//! have not churned: `1 + k + k² + … + kⁿ` orders with `k = 1 − churn`, the
//! discrete sum the revenue formula uses (docs/customers.md). At the end of
//! a run of length `T` the customers still ordering place
//! `1 + k (1 − kⁿ) / (1 − k)` orders per first order per reorder interval,
//! with `n = T / mean(reorder)`: `1 / churn` once the base has settled.

use super::{DeptId, Hours, Model};

impl Model {
    /// Expected utilisation of each department from new customers' first orders
    /// (complaints and reorders not included, so a lower bound when either is present).
    ///
    /// With opening hours, the load is over the hours on duty: a week's work over
    /// the staff-hours on duty in a week. Departments that pools link share their
    /// staff and the pools' (see [`Model::load_within_open_hours`]). Incidents
    /// are not included.
    pub fn offered_load(&self) -> Vec<f64> {
        let mut work_per_hour = vec![0.0; self.departments.len()];
        let rate = self.customers.arrival_rate_per_h;
        for flow in &self.flows {
            for (&dept, &handoff) in flow.steps.iter().zip(&flow.handoffs) {
                let h = &self.handoffs[handoff];
                let redo = (1.0 - h.lose) * (1.0 - h.error * h.catch);
                let visits = if redo > 0.0 {
                    1.0 / redo
                } else {
                    f64::INFINITY
                };
                work_per_hour[dept] +=
                    rate * flow.share * visits * self.departments[dept].service.mean();
            }
        }
        if self.pools.is_empty() && self.departments.iter().all(|d| d.hours.is_none()) {
            return work_per_hour
                .iter()
                .zip(&self.departments)
                .map(|(w, d)| w / f64::from(d.staff))
                .collect();
        }
        self.load_within_open_hours(&work_per_hour)
    }

    /// Staff-hours a week each department's own staff are on duty.
    fn staff_hours_per_week(staff: u32, hours: Option<&Hours>) -> f64 {
        f64::from(staff) * hours.map_or(168.0, Hours::open_hours_per_week)
    }

    /// A week's work over the staff-hours on duty in a week. Departments linked
    /// by pools share them: each of a linked group gets the group's load, the
    /// group's work over its own staff's and its pools' staff-hours together.
    fn load_within_open_hours(&self, work_per_hour: &[f64]) -> Vec<f64> {
        let n = self.departments.len();
        // Groups: departments linked through the pools that serve them.
        let mut group: Vec<usize> = (0..n).collect();
        fn root(group: &mut [usize], mut d: usize) -> usize {
            while group[d] != d {
                group[d] = group[group[d]];
                d = group[d];
            }
            d
        }
        for pool in &self.pools {
            if let Some(&first) = pool.serves.first() {
                for &d in &pool.serves[1..] {
                    let (a, b) = (root(&mut group, first), root(&mut group, d));
                    group[b] = a;
                }
            }
        }
        let mut work = vec![0.0; n];
        let mut capacity = vec![0.0; n];
        for (d, spec) in self.departments.iter().enumerate() {
            let r = root(&mut group, d);
            work[r] += work_per_hour[d] * 168.0;
            capacity[r] += Self::staff_hours_per_week(spec.staff, spec.hours.as_ref());
        }
        for pool in &self.pools {
            if let Some(&first) = pool.serves.first() {
                let r = root(&mut group, first);
                capacity[r] += Self::staff_hours_per_week(pool.staff, pool.hours.as_ref());
            }
        }
        (0..n)
            .map(|d| {
                let r = root(&mut group, d);
                if capacity[r] > 0.0 {
                    work[r] / capacity[r]
                } else if work[r] > 0.0 {
                    f64::INFINITY
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Orders per hour at the end of the run for each first order per hour:
    /// 1 without reorders, `1 + k (1 − kⁿ) / (1 − k)` with them (see the module
    /// notes). Problems drive some customers away sooner, so this is an upper bound.
    pub fn reorder_growth(&self) -> f64 {
        let Some(reorder) = &self.customers.reorder else {
            return 1.0;
        };
        let cycles = self.simulation.duration_h / reorder.mean();
        1.0 + orders_after_the_first(1.0 - self.customers.churn, cycles)
    }

    /// Expected utilisation of each department by the end of the run: first
    /// orders and reorders ([`Model::offered_load`] × [`Model::reorder_growth`]);
    /// complaints not included.
    pub fn expected_load(&self) -> Vec<f64> {
        let growth = self.reorder_growth();
        self.offered_load().iter().map(|l| l * growth).collect()
    }

    /// Departments that no flow passes through (the complaint desk among them, if it is one).
    pub fn departments_in_no_flow(&self) -> Vec<DeptId> {
        (0..self.departments.len())
            .filter(|d| !self.flows.iter().any(|f| f.steps.contains(d)))
            .collect()
    }
}

/// `k + k² + … + kⁿ` for a real `n ≥ 0`: `k (1 − kⁿ) / (1 − k)`, or `n` when `k` is 1.
pub fn orders_after_the_first(keep: f64, cycles: f64) -> f64 {
    if keep >= 1.0 {
        cycles
    } else if keep <= 0.0 {
        0.0
    } else {
        keep * (1.0 - keep.powf(cycles)) / (1.0 - keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Customers, Department, Distribution, Flow, Pool, ProblemOdds, Simulation, StayOdds, Target,
    };

    /// Two departments, one flow each, λ = 1/h half to each, service 1 h.
    fn two(staff: [u32; 2], hours: Option<Hours>, pools: Vec<Pool>) -> Model {
        let dept = |i: usize| Department {
            name: format!("d{i}"),
            staff: staff[i],
            service: Distribution::exponential(1.0).unwrap(),
            hours: if i == 0 { hours.clone() } else { None },
            cost: 0.0,
            rude: 0.0,
        };
        let flow = |i: usize| Flow {
            name: format!("f{i}"),
            share: 0.5,
            steps: vec![i],
            handoffs: vec![i],
            priority: 0,
        };
        let handoff = |i: usize| crate::model::Handoff {
            from: i,
            to: Target::Customer,
            delay: None,
            lose: 0.0,
            error: 0.0,
            catch: 0.0,
        };
        Model {
            name: "t".into(),
            description: String::new(),
            simulation: Simulation {
                duration_h: 100.0,
                warmup_h: 0.0,
                seed: 1,
                replications: 1,
                max_live: 1000,
            },
            customers: Customers {
                arrival_rate_per_h: 1.0,
                reorder: None,
                churn: 0.0,
                order_value: 0.0,
                promise_h: 1.0,
                patience_h: 1.0,
                complain_share: 0.0,
                word_of_mouth: 0,
                deter: 0.0,
                abusive_share: 0.0,
            },
            problem: ProblemOdds::default(),
            stay: StayOdds::default(),
            complaints: None,
            departments: vec![dept(0), dept(1)],
            flows: vec![flow(0), flow(1)],
            handoffs: vec![handoff(0), handoff(1)],
            pools,
            incidents: Vec::new(),
            morale: None,
            learning: None,
            policy: None,
        }
    }

    #[test]
    fn load_counts_open_hours_and_pools() {
        assert_eq!(two([1, 1], None, vec![]).offered_load(), vec![0.5, 0.5]);
        // Open 42 h of 168: four times the load.
        let quarter = Hours {
            windows: vec![(0, 42 * 60)],
        };
        assert_eq!(
            two([1, 1], Some(quarter), vec![]).offered_load(),
            vec![2.0, 0.5]
        );
        // Pooled: both departments' work (168 h a week) over 3 × 168 staff-hours.
        let pool = Pool {
            name: "p".into(),
            staff: 3,
            serves: vec![0, 1],
            hours: None,
            cost: 0.0,
        };
        let load = two([0, 0], None, vec![pool]).offered_load();
        assert!((load[0] - 1.0 / 3.0).abs() < 1e-12 && load[0] == load[1]);
    }

    #[test]
    fn the_reorder_sum_is_the_discrete_one() {
        // Whole n: the sum written out.
        for (keep, n) in [(0.75, 6), (0.5, 1), (0.9, 40)] {
            let written: f64 = (1..=n).map(|j| f64::powi(keep, j)).sum();
            let closed = orders_after_the_first(keep, f64::from(n));
            assert!((written - closed).abs() < 1e-12, "{keep} {n}");
        }
        // Settled (n large): 1 + k / (1 − k) = 1 / churn orders per first order;
        // at churn 0.25 that is 4, where the continuous formula gave 4.48.
        let settled = 1.0 + orders_after_the_first(0.75, 1e6);
        assert!((settled - 4.0).abs() < 1e-12, "{settled}");
        assert_eq!(orders_after_the_first(1.0, 2.5), 2.5);
        assert_eq!(orders_after_the_first(0.0, 2.5), 0.0);
    }
}
