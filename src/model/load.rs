//! What the departments are asked to do, worked out from the model alone.
//!
//! With new customers arriving at rate λ and no reorders, department `d` sees
//! work at rate λ × Σ (flow share × visits per order at each of its steps),
//! where a step is visited again for every lost transfer (the sender redoes it
//! after the chase) and every caught error (the sender reworks it):
//! visits = 1 / ((1 − lose) (1 − error × catch)). Offered load per server is
//! that rate times the mean service time, divided by the staff: at 1 or more
//! the queue grows without bound.

use super::Model;

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
}
