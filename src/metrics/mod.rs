//! What one run measures, and the summary of many runs.
//!
//! [`Metrics<f64>`] is one replication's record; [`Metrics<Stat>`] is the same
//! shape summarised over replications. Keeping one generic shape means every
//! report, comparison and merge walks the same fields in the same order.

pub mod ranges;
mod streaming;
mod summary;
pub mod timeline;

use serde::{Deserialize, Serialize};

pub use streaming::{TimeWeighted, Welford};
pub use summary::{Running, Stat, Summariser, shape_difference, t_quantile_975};

/// Everything one run reports, with `T = f64` for a run and `T = Stat` for a summary.
///
/// Read back only from parts (`handoff merge`) and the replications kept
/// for `--resume`, written by this program: a field it does not know there
/// (a misspelt key, padding) is refused, here and in every struct below.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics<T> {
    pub departments: Vec<DepartmentMetrics<T>>,
    pub handoffs: Vec<HandoffMetrics<T>>,
    /// One entry per flow, in the scenario's order.
    #[serde(default)]
    pub flows: Vec<FlowMetrics<T>>,
    pub orders: OrderMetrics<T>,
    pub customers: CustomerMetrics<T>,
    pub revenue: RevenueMetrics<T>,
    /// Lost customers and deterred prospects by root cause (worst first in a summary).
    pub lost_by_cause: Vec<CauseMetrics<T>>,
    /// What happened to problems, by the path they took.
    pub paths: Vec<PathMetrics<T>>,
    /// One entry per cross-trained pool, in the scenario's order.
    #[serde(default)]
    pub pools: Vec<PoolMetrics<T>>,
    /// One entry per `[[incident]]`, in the scenario's order (absent without any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<IncidentMetrics<T>>,
    /// Abuse and the policy against it; only with a `[policy]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyMetrics<T>>,
    /// The internal-customer scorecard: one row per pair of departments that
    /// hand work to each other, in the order of `handoffs`.
    #[serde(default)]
    pub scorecard: Vec<LinkMetrics<T>>,
}

/// One cross-trained pool, over the time after the warm-up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolMetrics<T> {
    pub name: String,
    /// Busy staff-time over staff-time at work (on duty, or finishing a job after closing).
    pub utilization: T,
    /// Services completed by pool members, all departments.
    pub served: T,
}

/// One department, over the time after the warm-up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentMetrics<T> {
    pub name: String,
    /// Time-average share of the staff that is busy.
    pub utilization: T,
    /// Mean time in the queue per visit (service starts after the warm-up), hours.
    pub mean_wait_h: T,
    /// Time-average number waiting (not in service).
    pub mean_queue: T,
    /// Services completed.
    pub served: T,
    /// Hours spent serving caught errors again (service times of rework started
    /// after the warm-up): a caught error goes back to the sender, who serves it again.
    #[serde(default)]
    pub rework_h: T,
    /// Time-average morale in [0, 1] after the warm-up; only with `[morale]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub morale: Option<T>,
}

/// One link of the chain as an internal customer sees it: what `supplier`
/// handed to `customer`, and how much of it was good.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkMetrics<T> {
    pub supplier: String,
    pub customer: String,
    /// Transfers the supplier made: lost, caught, or passed (`lost + caught + passed`).
    pub handed: T,
    /// Handed over with no loss and no error (passed clean).
    pub good: T,
    /// `good / handed` (not a number in a run with nothing handed).
    pub share_good: T,
    pub lost: T,
    /// Errors the customer caught and sent back.
    pub caught: T,
    /// Errors that went on undetected.
    pub escaped: T,
    /// Mean transfer time of the transfers that arrived, hours.
    pub mean_delay_h: T,
}

/// One handoff: every transfer is lost, caught, or passed (clean or with an escaped error).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffMetrics<T> {
    pub from: String,
    pub to: String,
    /// Transfers accepted by the receiver, including those carrying an undetected error.
    pub passed: T,
    /// Transfers that vanished (later chased by the customer).
    pub lost: T,
    /// Transfers that arrived with wrong information (`caught + escaped`).
    pub errors: T,
    /// Errors the receiver caught and sent back for rework.
    pub caught: T,
    /// Errors that went on undetected.
    pub escaped: T,
    /// With `[learning]`: the handoff's own error probability at the end of the
    /// run, after what complaints taught it (incident windows and morale not applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_final: Option<T>,
    /// With `[learning]`: the same for the probability of losing the work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lose_final: Option<T>,
}

/// One flow's orders (placed after the warm-up), and the customers lost over them.
///
/// Every figure but the means adds up over the flows to its total: orders to
/// `orders.arrived`, delivered to `orders.delivered`, late to `orders.late`, and
/// customers lost to `customers.lost`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowMetrics<T> {
    pub name: String,
    /// Orders placed that took this route.
    pub orders: T,
    pub delivered: T,
    /// Delivered later than the promised lead time.
    pub late: T,
    /// Customers who left over a problem that happened on an order of this flow
    /// (the order whose delivery or chase brought the problem the customer left over).
    pub customers_lost: T,
    /// Mean time from order to delivery of the flow's delivered orders, hours.
    pub mean_lead_time_h: T,
    /// Mean total time a delivered order waited in queues along its route (every
    /// visit, rework included), hours.
    pub mean_wait_h: T,
}

/// Orders, as the external customer sees them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderMetrics<T> {
    /// Orders placed.
    pub arrived: T,
    pub delivered: T,
    /// Delivered later than the promised lead time.
    pub late: T,
    /// Delivered with an escaped error.
    pub defects: T,
    /// Lost orders the customer had to chase.
    pub lost_chased: T,
    /// Mean time from order to delivery, hours.
    pub mean_lead_time_h: T,
    /// Orders ended without a delivery: the customer chased a lost order and
    /// gave up on it (or had already left over another problem).
    #[serde(default)]
    pub cancelled: T,
    /// Orders still in the chain when the run ended (in a queue, in service,
    /// on a handoff, or lost and not yet chased).
    #[serde(default)]
    pub in_progress: T,
    /// Orders in the chain when counting began, at the end of the warm-up (0
    /// without one). With the counts after it, every order is accounted for:
    /// `in_progress_at_warmup + arrived = delivered + cancelled + in_progress`.
    #[serde(default)]
    pub in_progress_at_warmup: T,
}

/// External customers who arrived after the warm-up, followed to the end of the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerMetrics<T> {
    /// New customers (prospects who came and ordered).
    pub arrived: T,
    /// Not lost: still buying at the end, or finished buying for reasons of their own
    /// (one-time buyers, churn). Always `arrived - lost`.
    pub active: T,
    /// Left for good after a problem.
    pub lost: T,
    /// Prospects who never came because a lost customer talked.
    pub prospects_deterred: T,
    /// Bad experiences that became problems the customer acted on.
    pub problems: T,
    /// Problems the customer complained about.
    pub complaints: T,
    /// Complaints resolved, and the customer stayed.
    pub recovered: T,
    /// Customers who left without a word.
    pub silent_defections: T,
    /// Complaints resolved (quickly or not).
    pub complaints_resolved: T,
    /// Complaints the customer gave up on (not resolved within their patience).
    pub complaints_unresolved: T,
    /// Complaints still open when the run ended.
    pub complaints_open: T,
}

/// Money, in the scenario's currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevenueMetrics<T> {
    /// Orders delivered times `order_value`.
    pub earned: T,
    /// Expected revenue lost with lost customers and deterred prospects (see docs/customers.md).
    pub lost: T,
    /// Staff on duty times their `cost` per open hour, departments and pools.
    #[serde(default)]
    pub staff_cost: T,
}

/// The customers, prospects and revenue one root cause cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CauseMetrics<T> {
    /// `handoff:FROM->TO:lose|error|delay` or `department:NAME:wait`.
    pub cause: String,
    pub customers: T,
    pub prospects: T,
    pub revenue: T,
}

/// The losses one incident window caused: customers lost and prospects deterred
/// whose root cause is the incident's handoff or department and whose root-cause
/// experience happened inside the window (any repetition of it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentMetrics<T> {
    pub name: String,
    /// The (first) window, hours since the start of the run.
    pub from_h: f64,
    pub to_h: f64,
    /// The window repeats with this period, if it does.
    pub every_h: Option<f64>,
    /// Hours of the counted period (after the warm-up) inside the window, repetitions included.
    pub window_h: f64,
    pub customers_lost: T,
    pub prospects_deterred: T,
    pub revenue_lost: T,
    /// Customers lost to the incident's cause (its handoff or department) over the
    /// whole counted period, inside the window or not.
    pub cause_customers_lost: T,
}

/// Abuse and the policy against it, after the warm-up: what the policy
/// saved (claims caught) against what its friction lost (the last two).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyMetrics<T> {
    /// Delivered orders of abusive customers, each with a fraudulent claim.
    pub abusive_orders: T,
    /// Claims the policy caught.
    pub abuse_caught: T,
    /// Money the claims not caught cost.
    pub abuse_cost: T,
    /// Money the claims caught would have cost: what the policy saved.
    pub abuse_saved: T,
    /// Frictions that became the problem a customer acted on.
    pub friction_problems: T,
    /// Customers lost to `policy:friction`.
    pub customers_lost: T,
    /// Revenue lost with them and the prospects they deterred.
    pub revenue_lost: T,
}

impl<T> PolicyMetrics<T> {
    /// The field names, in declaration order.
    pub const FIELDS: [&'static str; 7] = [
        "abusive_orders",
        "abuse_caught",
        "abuse_cost",
        "abuse_saved",
        "friction_problems",
        "customers_lost",
        "revenue_lost",
    ];

    fn map<U>(&self, f: &mut impl FnMut(&T) -> U) -> PolicyMetrics<U> {
        PolicyMetrics {
            abusive_orders: f(&self.abusive_orders),
            abuse_caught: f(&self.abuse_caught),
            abuse_cost: f(&self.abuse_cost),
            abuse_saved: f(&self.abuse_saved),
            friction_problems: f(&self.friction_problems),
            customers_lost: f(&self.customers_lost),
            revenue_lost: f(&self.revenue_lost),
        }
    }
}

/// Problems by path: `silent`, `unresolved`, `resolved`, `resolved_quickly`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathMetrics<T> {
    pub path: String,
    pub problems: T,
    /// Problems after which the customer stayed.
    pub stayed: T,
}

impl<T> Metrics<T> {
    /// The same shape with every statistic transformed, visited in a fixed order.
    pub fn map<U>(&self, f: &mut impl FnMut(&T) -> U) -> Metrics<U> {
        Metrics {
            departments: self
                .departments
                .iter()
                .map(|d| DepartmentMetrics {
                    name: d.name.clone(),
                    utilization: f(&d.utilization),
                    mean_wait_h: f(&d.mean_wait_h),
                    mean_queue: f(&d.mean_queue),
                    served: f(&d.served),
                    rework_h: f(&d.rework_h),
                    morale: d.morale.as_ref().map(&mut *f),
                })
                .collect(),
            handoffs: self
                .handoffs
                .iter()
                .map(|h| HandoffMetrics {
                    from: h.from.clone(),
                    to: h.to.clone(),
                    passed: f(&h.passed),
                    lost: f(&h.lost),
                    errors: f(&h.errors),
                    caught: f(&h.caught),
                    escaped: f(&h.escaped),
                    error_final: h.error_final.as_ref().map(&mut *f),
                    lose_final: h.lose_final.as_ref().map(&mut *f),
                })
                .collect(),
            flows: self
                .flows
                .iter()
                .map(|fl| FlowMetrics {
                    name: fl.name.clone(),
                    orders: f(&fl.orders),
                    delivered: f(&fl.delivered),
                    late: f(&fl.late),
                    customers_lost: f(&fl.customers_lost),
                    mean_lead_time_h: f(&fl.mean_lead_time_h),
                    mean_wait_h: f(&fl.mean_wait_h),
                })
                .collect(),
            orders: OrderMetrics {
                arrived: f(&self.orders.arrived),
                delivered: f(&self.orders.delivered),
                late: f(&self.orders.late),
                defects: f(&self.orders.defects),
                lost_chased: f(&self.orders.lost_chased),
                mean_lead_time_h: f(&self.orders.mean_lead_time_h),
                cancelled: f(&self.orders.cancelled),
                in_progress: f(&self.orders.in_progress),
                in_progress_at_warmup: f(&self.orders.in_progress_at_warmup),
            },
            customers: {
                let c = &self.customers;
                CustomerMetrics {
                    arrived: f(&c.arrived),
                    active: f(&c.active),
                    lost: f(&c.lost),
                    prospects_deterred: f(&c.prospects_deterred),
                    problems: f(&c.problems),
                    complaints: f(&c.complaints),
                    recovered: f(&c.recovered),
                    silent_defections: f(&c.silent_defections),
                    complaints_resolved: f(&c.complaints_resolved),
                    complaints_unresolved: f(&c.complaints_unresolved),
                    complaints_open: f(&c.complaints_open),
                }
            },
            revenue: RevenueMetrics {
                earned: f(&self.revenue.earned),
                lost: f(&self.revenue.lost),
                staff_cost: f(&self.revenue.staff_cost),
            },
            lost_by_cause: self
                .lost_by_cause
                .iter()
                .map(|c| CauseMetrics {
                    cause: c.cause.clone(),
                    customers: f(&c.customers),
                    prospects: f(&c.prospects),
                    revenue: f(&c.revenue),
                })
                .collect(),
            paths: self
                .paths
                .iter()
                .map(|p| PathMetrics {
                    path: p.path.clone(),
                    problems: f(&p.problems),
                    stayed: f(&p.stayed),
                })
                .collect(),
            pools: self
                .pools
                .iter()
                .map(|p| PoolMetrics {
                    name: p.name.clone(),
                    utilization: f(&p.utilization),
                    served: f(&p.served),
                })
                .collect(),
            incidents: self
                .incidents
                .iter()
                .map(|i| IncidentMetrics {
                    name: i.name.clone(),
                    from_h: i.from_h,
                    to_h: i.to_h,
                    every_h: i.every_h,
                    window_h: i.window_h,
                    customers_lost: f(&i.customers_lost),
                    prospects_deterred: f(&i.prospects_deterred),
                    revenue_lost: f(&i.revenue_lost),
                    cause_customers_lost: f(&i.cause_customers_lost),
                })
                .collect(),
            policy: self.policy.as_ref().map(|p| p.map(f)),
            scorecard: self
                .scorecard
                .iter()
                .map(|l| LinkMetrics {
                    supplier: l.supplier.clone(),
                    customer: l.customer.clone(),
                    handed: f(&l.handed),
                    good: f(&l.good),
                    share_good: f(&l.share_good),
                    lost: f(&l.lost),
                    caught: f(&l.caught),
                    escaped: f(&l.escaped),
                    mean_delay_h: f(&l.mean_delay_h),
                })
                .collect(),
        }
    }

    /// Every statistic, in the order [`Metrics::map`] visits them.
    pub fn values(&self) -> Vec<T>
    where
        T: Copy,
    {
        let mut out = Vec::new();
        self.map(&mut |v| out.push(*v));
        out
    }
}

impl<T: Copy> Metrics<T> {
    /// Every statistic with its name, in the order of [`Metrics::values`]: names are
    /// paths such as `orders.late`, `departments.billing.utilization`,
    /// `handoffs.sales->production.lost`, `lost_by_cause.handoff:billing->customer:error.customers`.
    pub fn named(&self) -> Vec<(String, T)> {
        let mut names = Vec::new();
        for d in &self.departments {
            for field in [
                "utilization",
                "mean_wait_h",
                "mean_queue",
                "served",
                "rework_h",
            ] {
                names.push(format!("departments.{}.{field}", d.name));
            }
            if d.morale.is_some() {
                names.push(format!("departments.{}.morale", d.name));
            }
        }
        for h in &self.handoffs {
            for field in ["passed", "lost", "errors", "caught", "escaped"] {
                names.push(format!("handoffs.{}->{}.{field}", h.from, h.to));
            }
            for (field, present) in [
                ("error_final", h.error_final.is_some()),
                ("lose_final", h.lose_final.is_some()),
            ] {
                if present {
                    names.push(format!("handoffs.{}->{}.{field}", h.from, h.to));
                }
            }
        }
        for fl in &self.flows {
            for field in [
                "orders",
                "delivered",
                "late",
                "customers_lost",
                "mean_lead_time_h",
                "mean_wait_h",
            ] {
                names.push(format!("flows.{}.{field}", fl.name));
            }
        }
        for field in [
            "arrived",
            "delivered",
            "late",
            "defects",
            "lost_chased",
            "mean_lead_time_h",
            "cancelled",
            "in_progress",
            "in_progress_at_warmup",
        ] {
            names.push(format!("orders.{field}"));
        }
        for field in [
            "arrived",
            "active",
            "lost",
            "prospects_deterred",
            "problems",
            "complaints",
            "recovered",
            "silent_defections",
            "complaints_resolved",
            "complaints_unresolved",
            "complaints_open",
        ] {
            names.push(format!("customers.{field}"));
        }
        names.extend([
            "revenue.earned".to_string(),
            "revenue.lost".to_string(),
            "revenue.staff_cost".to_string(),
        ]);
        for c in &self.lost_by_cause {
            for field in ["customers", "prospects", "revenue"] {
                names.push(format!("lost_by_cause.{}.{field}", c.cause));
            }
        }
        for p in &self.paths {
            for field in ["problems", "stayed"] {
                names.push(format!("paths.{}.{field}", p.path));
            }
        }
        for p in &self.pools {
            for field in ["utilization", "served"] {
                names.push(format!("pools.{}.{field}", p.name));
            }
        }
        for i in &self.incidents {
            for field in [
                "customers_lost",
                "prospects_deterred",
                "revenue_lost",
                "cause_customers_lost",
            ] {
                names.push(format!("incidents.{}.{field}", i.name));
            }
        }
        if self.policy.is_some() {
            for field in PolicyMetrics::<T>::FIELDS {
                names.push(format!("policy.{field}"));
            }
        }
        for l in &self.scorecard {
            for field in [
                "handed",
                "good",
                "share_good",
                "lost",
                "caught",
                "escaped",
                "mean_delay_h",
            ] {
                names.push(format!("scorecard.{}->{}.{field}", l.supplier, l.customer));
            }
        }
        let values = self.values();
        assert_eq!(names.len(), values.len(), "every statistic has a name");
        names.into_iter().zip(values).collect()
    }
}

impl Metrics<f64> {
    /// Summarise replications of the same scenario field by field.
    ///
    /// # Panics
    /// If `runs` is empty or the runs do not share one shape.
    pub fn summarise(runs: &[Metrics<f64>]) -> Metrics<Stat> {
        let mut summariser = Summariser::default();
        for run in runs {
            summariser
                .add(run)
                .expect("runs of one scenario share one shape");
        }
        summariser.finish().expect("at least one run")
    }
}

impl Metrics<Stat> {
    /// Drops the causes that cost nothing in every run and puts the worst first
    /// (most customers lost, then most prospects deterred, then by name).
    pub fn rank_causes(&mut self) {
        self.lost_by_cause
            .retain(|c| c.customers.mean > 0.0 || c.prospects.mean > 0.0);
        self.lost_by_cause.sort_by(|a, b| {
            b.customers
                .mean
                .total_cmp(&a.customers.mean)
                .then(b.prospects.mean.total_cmp(&a.prospects.mean))
                .then_with(|| a.cause.cmp(&b.cause))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_values_and_say_where_they_come_from() {
        let m = Metrics {
            departments: vec![DepartmentMetrics {
                name: "sales".into(),
                utilization: 1.0,
                mean_wait_h: 2.0,
                mean_queue: 3.0,
                served: 4.0,
                rework_h: 4.5,
                morale: None,
            }],
            handoffs: vec![],
            flows: vec![FlowMetrics {
                name: "rush".into(),
                orders: 5.0,
                delivered: 6.0,
                late: 7.0,
                customers_lost: 8.0,
                mean_lead_time_h: 9.0,
                mean_wait_h: 10.0,
            }],
            orders: OrderMetrics {
                arrived: 11.0,
                delivered: 12.0,
                late: 13.0,
                defects: 14.0,
                lost_chased: 15.0,
                mean_lead_time_h: 16.0,
                cancelled: 16.25,
                in_progress: 16.5,
                in_progress_at_warmup: 16.75,
            },
            customers: CustomerMetrics {
                arrived: 17.0,
                active: 18.0,
                lost: 19.0,
                prospects_deterred: 20.0,
                problems: 21.0,
                complaints: 22.0,
                recovered: 23.0,
                silent_defections: 24.0,
                complaints_resolved: 25.0,
                complaints_unresolved: 26.0,
                complaints_open: 27.0,
            },
            revenue: RevenueMetrics {
                earned: 28.0,
                lost: 29.0,
                staff_cost: 29.5,
            },
            lost_by_cause: vec![CauseMetrics {
                cause: "department:sales:wait".into(),
                customers: 30.0,
                prospects: 31.0,
                revenue: 32.0,
            }],
            paths: vec![PathMetrics {
                path: "silent".into(),
                problems: 33.0,
                stayed: 34.0,
            }],
            pools: vec![PoolMetrics {
                name: "back office".into(),
                utilization: 35.0,
                served: 36.0,
            }],
            incidents: vec![],
            policy: None,
            scorecard: vec![],
        };
        let named = m.named();
        let find = |n: &str| named.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
        assert_eq!(find("departments.sales.mean_wait_h"), Some(2.0));
        assert_eq!(find("flows.rush.customers_lost"), Some(8.0));
        assert_eq!(find("orders.lost_chased"), Some(15.0));
        assert_eq!(find("customers.silent_defections"), Some(24.0));
        assert_eq!(find("revenue.lost"), Some(29.0));
        assert_eq!(
            find("lost_by_cause.department:sales:wait.prospects"),
            Some(31.0)
        );
        assert_eq!(find("paths.silent.stayed"), Some(34.0));
        assert_eq!(find("revenue.staff_cost"), Some(29.5));
        assert_eq!(find("pools.back office.served"), Some(36.0));
        // The values were numbered in declaration order: the names follow it.
        let values: Vec<f64> = named.iter().map(|(_, v)| *v).collect();
        let mut expected: Vec<f64> = (1..=29).map(f64::from).collect();
        expected.push(29.5);
        expected.extend((30..=36).map(f64::from));
        expected.insert(4, 4.5);
        // The orders' later fields, after `mean_lead_time_h` (16, now at index 16).
        expected.splice(17..17, [16.25, 16.5, 16.75]);
        assert_eq!(values, expected);
        assert_eq!(find("orders.in_progress_at_warmup"), Some(16.75));
        assert_eq!(find("departments.sales.rework_h"), Some(4.5));
    }
}
