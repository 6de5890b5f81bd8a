//! A small hand-made outcome for the report tests: two desks, one of them sloppy.

use crate::experiment::{Outcome, ScenarioInfo, StaffInfo};
use crate::metrics::{
    CauseMetrics, CustomerMetrics, DepartmentMetrics, FlowMetrics, HandoffMetrics, LinkMetrics,
    Metrics, OrderMetrics, PathMetrics, RevenueMetrics, Stat,
};

fn s(mean: f64, ci95: f64) -> Stat {
    Stat {
        mean,
        ci95: Some(ci95),
    }
}

/// `replications` runs of "Two desks" over 28 days (2 of them warm-up). With
/// one replication every half-width is `None`, as [`Stat::from_values`] gives.
pub fn outcome(replications: u32) -> Outcome {
    let summary = Metrics {
        departments: vec![
            DepartmentMetrics {
                name: "sales".into(),
                utilization: s(0.712, 0.004),
                mean_wait_h: s(0.75, 0.05),
                mean_queue: s(0.853, 0.021),
                served: s(1234.4, 12.2),
                rework_h: s(0.0, 0.0),
                morale: None,
            },
            DepartmentMetrics {
                name: "billing".into(),
                utilization: s(0.5, 0.01),
                mean_wait_h: s(31.2, 2.4),
                mean_queue: s(12.0, 1.0),
                served: s(1200.0, 14.0),
                rework_h: s(0.0, 0.0),
                morale: None,
            },
        ],
        handoffs: vec![
            HandoffMetrics {
                from: "sales".into(),
                to: "billing".into(),
                passed: s(1190.0, 10.0),
                lost: s(4.0, 1.5),
                errors: s(40.0, 5.0),
                caught: s(30.0, 4.0),
                escaped: s(10.0, 2.0),
                error_final: None,
                lose_final: None,
            },
            HandoffMetrics {
                from: "billing".into(),
                to: "customer".into(),
                passed: s(1200.0, 14.0),
                lost: s(0.0, 0.0),
                errors: s(0.0, 0.0),
                caught: s(0.0, 0.0),
                escaped: s(0.0, 0.0),
                error_final: None,
                lose_final: None,
            },
        ],
        // Both routes run sales -> billing; they add up to the orders and customers below.
        flows: vec![
            FlowMetrics {
                name: "standard".into(),
                orders: s(1000.2, 12.0),
                delivered: s(960.0, 11.0),
                late: s(40.0, 5.0),
                customers_lost: s(15.0, 3.0),
                mean_lead_time_h: s(48.0, 2.0),
                mean_wait_h: s(30.5, 2.2),
            },
            FlowMetrics {
                name: "rush".into(),
                orders: s(250.0, 6.0),
                delivered: s(240.0, 6.0),
                late: s(20.0, 3.0),
                customers_lost: s(5.0, 2.0),
                mean_lead_time_h: s(60.0, 4.0),
                mean_wait_h: s(33.0, 3.0),
            },
        ],
        orders: OrderMetrics {
            arrived: s(1250.2, 15.0),
            delivered: s(1200.0, 14.0),
            late: s(60.0, 6.0),
            defects: s(10.0, 2.0),
            lost_chased: s(4.0, 1.5),
            mean_lead_time_h: s(50.4, 2.4),
            // Every order accounted for: 30 + 1250.2 = 1200 + 1 + 79.2.
            cancelled: s(1.0, 0.8),
            in_progress: s(79.2, 6.0),
            in_progress_at_warmup: s(30.0, 4.0),
        },
        customers: CustomerMetrics {
            arrived: s(1250.2, 15.0),
            active: s(1230.2, 15.0),
            lost: s(20.0, 3.0),
            prospects_deterred: s(6.0, 2.0),
            problems: s(70.0, 7.0),
            complaints: s(3.0, 1.0),
            recovered: s(2.0, 1.0),
            silent_defections: s(19.0, 3.0),
            complaints_resolved: s(2.0, 1.0),
            complaints_unresolved: s(1.0, 0.5),
            complaints_open: s(0.0, 0.0),
        },
        revenue: RevenueMetrics {
            earned: s(1_440_000.0, 16_800.0),
            lost: s(31_200.0, 4_000.0),
            staff_cost: s(0.0, 0.0),
        },
        // The books balance: 14 + 6 = 20 customers, 4 + 2 = 6 prospects,
        // 21 200 + 10 000 = 31 200 revenue; 67 + 1 + 1 + 1 = 70 problems,
        // 19 silent defections (67 - 48) and 1 unresolved loss make 20.
        lost_by_cause: vec![
            CauseMetrics {
                cause: "handoff:sales->billing:error".into(),
                customers: s(14.0, 3.0),
                prospects: s(4.0, 2.0),
                revenue: s(21_200.0, 3_000.0),
            },
            CauseMetrics {
                cause: "department:billing:wait".into(),
                customers: s(6.0, 2.0),
                prospects: s(2.0, 1.0),
                revenue: s(10_000.0, 2_000.0),
            },
        ],
        paths: vec![
            PathMetrics {
                path: "silent".into(),
                problems: s(67.0, 7.0),
                stayed: s(48.0, 5.0),
            },
            PathMetrics {
                path: "unresolved".into(),
                problems: s(1.0, 0.5),
                stayed: s(0.0, 0.0),
            },
            PathMetrics {
                path: "resolved".into(),
                problems: s(1.0, 0.5),
                stayed: s(1.0, 0.5),
            },
            PathMetrics {
                path: "resolved_quickly".into(),
                problems: s(1.0, 0.5),
                stayed: s(1.0, 0.5),
            },
        ],
        pools: vec![],
        incidents: vec![],
        policy: None,
        // The sales -> billing handoff above, as billing sees it.
        scorecard: vec![LinkMetrics {
            supplier: "sales".into(),
            customer: "billing".into(),
            handed: s(1224.0, 12.0),
            good: s(1180.0, 11.0),
            share_good: s(0.964, 0.004),
            lost: s(4.0, 1.5),
            caught: s(30.0, 4.0),
            escaped: s(10.0, 2.0),
            mean_delay_h: s(0.5, 0.02),
        }],
    };
    let summary = if replications > 1 {
        summary
    } else {
        summary.map(&mut |st| Stat {
            mean: st.mean,
            ci95: None,
        })
    };
    Outcome {
        scenario: ScenarioInfo {
            name: "Two desks".into(),
            description: "Sales hands orders to billing.".into(),
            seed: 42,
            replications,
            duration_h: 28.0 * 24.0,
            warmup_h: 2.0 * 24.0,
            reorders: false,
            departments: vec![
                StaffInfo {
                    name: "sales".into(),
                    staff: 2,
                    hours: Vec::new(),
                    pools: Vec::new(),
                },
                StaffInfo {
                    name: "billing".into(),
                    staff: 1,
                    hours: Vec::new(),
                    pools: Vec::new(),
                },
            ],
            handoff_odds: Vec::new(),
        },
        events: 123_456,
        summary,
        timeline: Vec::new(),
    }
}
