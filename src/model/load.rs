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

use super::{DeptId, Model};

impl Model {
    /// Expected utilisation of each department from new customers' first orders
    /// (complaints and reorders not included, so a lower bound when either is present).
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
        work_per_hour
            .iter()
            .zip(&self.departments)
            .map(|(w, d)| w / f64::from(d.staff))
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
