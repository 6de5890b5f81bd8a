//! Structures (issue 9): pools against Erlang C, priorities against Cobham,
//! utilisation under opening hours, no service while closed or on strike,
//! staff cost by hand, and the same bytes on any number of threads.
//!
//! Tolerances as in `theory.rs`: the replications' own interval at 99.9 %.

use handoff::engine::{Observer, TraceEvent, TraceKind, run_observed};
use handoff::experiment;
use handoff::model::{Incident, IncidentTarget};

use super::theory::{assert_agrees, mmc_wait, parse};

#[test]
fn two_departments_pooled_are_one_mmc_queue() {
    // Neither department has staff of its own; one pool of 3 serves both queues,
    // taking whichever job has waited longest: one M/M/3 queue, λ = 2.4/h, s = 1 h.
    let model = parse(
        r#"
[scenario]
name = "pooled"
[simulation]
duration = "8000d"
warmup = "100d"
seed = 11
replications = 20
[customers]
arrival_rate = "2.4/h"
[[department]]
name = "billing"
staff = 0
service = { dist = "exponential", mean = "1h" }
[[department]]
name = "support"
staff = 0
service = { dist = "exponential", mean = "1h" }
[[pool]]
name = "back office"
staff = 3
serves = ["billing", "support"]
[[flow]]
name = "bills"
share = 0.5
steps = ["billing"]
[[flow]]
name = "questions"
share = 0.5
steps = ["support"]
"#,
    );
    let out = experiment::replicate(&model).expect("the scenario runs");
    let theory = mmc_wait(3, 2.4, 1.0);
    for d in &out.summary.departments {
        assert_agrees(
            &format!("{} wait", d.name),
            d.mean_wait_h.mean,
            d.mean_wait_h.ci95,
            20,
            theory,
        );
        // No staff of its own: nothing to be busy.
        assert_eq!(d.utilization.mean, 0.0);
    }
    let pool = &out.summary.pools[0];
    assert_eq!(pool.name, "back office");
    assert_agrees(
        "pool utilization",
        pool.utilization.mean,
        pool.utilization.ci95,
        20,
        2.4 / 3.0,
    );
    // Every service of both departments was a pool member's.
    let served: f64 = out.summary.departments.iter().map(|d| d.served.mean).sum();
    assert_eq!(served, pool.served.mean);
}

#[test]
fn two_priorities_on_one_server_follow_cobham() {
    // M/M/1, s = 1 h; urgent λ1 = 0.3/h first, standard λ2 = 0.5/h.
    // Non-preemptive priority (Cobham): W_k = W0 / ((1 − σ_{k−1})(1 − σ_k)),
    // W0 = Σ λ_i E[S_i²] / 2 = λ s² for exponential service.
    let model = parse(
        r#"
[scenario]
name = "priorities"
[simulation]
duration = "10000d"
warmup = "100d"
seed = 3
replications = 20
[customers]
arrival_rate = "0.8/h"
[[department]]
name = "desk"
staff = 1
service = { dist = "exponential", mean = "1h" }
[[flow]]
name = "urgent"
share = 0.375
priority = 1
steps = ["desk"]
[[flow]]
name = "standard"
share = 0.625
steps = ["desk"]
"#,
    );
    let (l1, l2, s) = (0.3, 0.5, 1.0);
    let w0 = (l1 + l2) * s * s;
    let urgent = w0 / (1.0 - l1 * s);
    let standard = w0 / ((1.0 - l1 * s) * (1.0 - (l1 + l2) * s));
    let out = experiment::replicate(&model).expect("the scenario runs");
    let flows = &out.summary.flows;
    assert_agrees(
        "urgent wait",
        flows[0].mean_wait_h.mean,
        flows[0].mean_wait_h.ci95,
        20,
        urgent,
    );
    assert_agrees(
        "standard wait",
        flows[1].mean_wait_h.mean,
        flows[1].mean_wait_h.ci95,
        20,
        standard,
    );
}

#[test]
fn utilisation_under_opening_hours_is_the_weeks_work_over_open_staff_time() {
    // Open 40 h a week, 2 staff, s = 0.01 h, λ = 23.8/h around the clock:
    // utilisation = λ E[S] 168 / (c · 40). Short services keep the overtime
    // after closing (which counts as time at work) far below the interval.
    let lambda: f64 = 0.5 * 2.0 * 40.0 / (0.01 * 168.0);
    let model = parse(&format!(
        r#"
[scenario]
name = "office"
[simulation]
duration = "147d"
warmup = "7d"
seed = 9
replications = 20
[customers]
arrival_rate = "{lambda}/h"
[[department]]
name = "office"
staff = 2
hours = "mon-fri 09:00-17:00"
service = {{ dist = "exponential", mean = "0.01h" }}
[[flow]]
name = "only"
steps = ["office"]
"#
    ));
    let out = experiment::replicate(&model).expect("the scenario runs");
    let d = &out.summary.departments[0];
    let theory = lambda * 0.01 * 168.0 / (2.0 * 40.0);
    assert!((theory - 0.5).abs() < 1e-12);
    assert_agrees(
        "utilization in open hours",
        d.utilization.mean,
        d.utilization.ci95,
        20,
        theory,
    );
}

/// Staff on duty per department and every service start, from a run's trace.
#[derive(Default)]
struct Starts {
    on_duty: Vec<u32>,
    changes: Vec<(f64, usize, u32)>,
    /// Service starts with the staff on duty at that moment.
    starts: Vec<(f64, usize, u32)>,
}

impl Observer for Starts {
    fn record(&mut self, e: &TraceEvent) {
        match e.kind {
            TraceKind::Staffed => {
                let d = e.department.expect("a department");
                if self.on_duty.len() <= d {
                    self.on_duty.resize(d + 1, u32::MAX);
                }
                self.on_duty[d] = e.count;
                self.changes.push((e.time, d, e.count));
            }
            TraceKind::ServiceStarted => {
                let d = e.department.expect("a department");
                let on = self.on_duty.get(d).copied().unwrap_or(u32::MAX);
                self.starts.push((e.time, d, on));
            }
            _ => {}
        }
    }
}

#[test]
fn no_service_starts_while_closed_or_on_strike() {
    let mut model = parse(
        r#"
[scenario]
name = "strike"
[simulation]
duration = "28d"
seed = 4
[customers]
arrival_rate = "3/h"
[[department]]
name = "front"
staff = 3
service = { dist = "exponential", mean = "0.5h" }
[[department]]
name = "office"
staff = 2
hours = ["mon-fri 09:00-17:00", "sat 10:00-14:00"]
service = { dist = "exponential", mean = "0.2h" }
[[flow]]
name = "only"
steps = ["front", "office"]
"#,
    );
    // A strike at the front desk from day 10 to day 12, every week.
    model.incidents.push(Incident {
        name: "strike".into(),
        from_h: 240.0,
        to_h: 288.0,
        every_h: Some(168.0),
        target: IncidentTarget::Department {
            department: 0,
            staff: Some(0),
            service: None,
        },
    });
    let mut seen = Starts::default();
    run_observed(&model, 0, &mut seen).expect("the scenario runs");
    assert!(seen.starts.len() > 1000);
    for &(t, d, on) in &seen.starts {
        assert!(
            on > 0 && on != u32::MAX,
            "service started at {t} h in department {d} with {on} on duty"
        );
    }
    // The office opens at 09:00 and closes at 17:00 on weekdays, 10:00-14:00 on Saturday.
    let office: Vec<(f64, u32)> = seen
        .changes
        .iter()
        .filter(|c| c.1 == 1)
        .map(|c| (c.0, c.2))
        .collect();
    assert_eq!(&office[..4], &[(0.0, 0), (9.0, 2), (17.0, 0), (33.0, 2)]);
    assert!(office.contains(&(5.0 * 24.0 + 10.0, 2)) && office.contains(&(5.0 * 24.0 + 14.0, 0)));
    // The strike, each week.
    let front: Vec<(f64, u32)> = seen
        .changes
        .iter()
        .filter(|c| c.1 == 0)
        .map(|c| (c.0, c.2))
        .collect();
    assert_eq!(
        front,
        vec![
            (0.0, 3),
            (240.0, 0),
            (288.0, 3),
            (408.0, 0),
            (456.0, 3),
            (576.0, 0),
            (624.0, 3)
        ]
    );
    // Work piled up in the strike and was started when it ended.
    assert!(seen.starts.iter().any(|s| s.1 == 0 && s.0 == 288.0));
}

#[test]
fn staff_cost_is_staff_on_duty_times_cost_per_open_hour() {
    let mut model = parse(
        r#"
[scenario]
name = "cost"
[simulation]
duration = "28d"
warmup = "7d"
[customers]
arrival_rate = "1/h"
[[department]]
name = "office"
staff = 2
cost = 35
hours = "mon-fri 09:00-17:00"
service = { dist = "constant", value = "0.5h" }
[[department]]
name = "desk"
staff = 1
service = { dist = "constant", value = "0.1h" }
[[pool]]
name = "floaters"
staff = 1
serves = ["desk"]
cost = 10
[[flow]]
name = "only"
steps = ["desk", "office"]
"#,
    );
    // One of the two office staff is away on Tuesday of the second week, 08:00-18:00:
    // 8 of those hours are open hours.
    model.incidents.push(Incident {
        name: "away".into(),
        from_h: 168.0 + 24.0 + 8.0,
        to_h: 168.0 + 24.0 + 18.0,
        every_h: None,
        target: IncidentTarget::Department {
            department: 0,
            staff: Some(1),
            service: None,
        },
    });
    let out = experiment::replicate(&model).expect("the scenario runs");
    // Three counted weeks: office 2 staff × 40 h × 3 − 8 h away = 232 staff-hours at 35;
    // the pool's one member around the clock, 504 h at 10.
    let expected = (2.0 * 40.0 * 3.0 - 8.0) * 35.0 + 504.0 * 10.0;
    let cost = out.summary.revenue.staff_cost.mean;
    assert!((cost - expected).abs() < 1e-6, "{cost} != {expected}");
}

#[test]
fn structures_give_the_same_bytes_on_any_number_of_threads() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = "tests/cases/ok/structures.toml";
    let json = |threads: &str| {
        let out = super::command::run(
            dir,
            &["run", file, "--format", "json", "--threads", threads],
            0,
        );
        out.stdout
    };
    let one = json("1");
    assert_eq!(one, json("2"));
    let text = String::from_utf8(one).unwrap();
    assert!(text.contains("\"staff_cost\""), "{text}");
    assert!(text.contains("\"back office\""), "{text}");
}

#[test]
fn a_department_served_only_by_pools_is_not_shown_idle() {
    // cross-functional.toml: sales, production and billing have no staff of
    // their own; the pool does all their work. Their own utilisation (0) must
    // not read as "0 %" (idle) in the text report.
    let dir = std::env::temp_dir();
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/cross-functional.toml");
    let out = super::command::run(&dir, &["run", scenario.to_str().unwrap()], 0);
    let text = String::from_utf8_lossy(&out.stdout);
    let departments = text
        .split("Departments\n")
        .nth(1)
        .and_then(|t| t.split("\n\n").next())
        .expect("a departments table");
    for name in ["sales", "production", "billing"] {
        let row = departments
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {departments}"));
        let utilisation = row.split_whitespace().nth(1).unwrap();
        assert_eq!(utilisation, "-", "{row}");
    }
    // support has staff of its own: a figure, and the note says what "-" means.
    assert!(departments.contains("pools did all"), "{departments}");
    assert!(
        !departments
            .lines()
            .any(|l| l.trim_start().starts_with("support")
                && l.split_whitespace().nth(1) == Some("-"))
    );
}

#[test]
fn three_priorities_on_four_servers_follow_the_multi_server_cobham_formula() {
    // M/M/4, s = 1 h, λ = 3.4/h in three classes listed out of priority order.
    // Non-preemptive priorities with one service rate for all classes:
    // W_k = C(4, a) s / c / ((1 − σ_{k−1})(1 − σ_k)), C Erlang's C at a = λ s,
    // σ_k the load of the classes served before or with class k.
    let model = parse(
        r#"
[scenario]
name = "three priorities, four servers"
[simulation]
duration = "3000d"
warmup = "100d"
seed = 14
replications = 20
[customers]
arrival_rate = "3.4/h"
[[department]]
name = "desk"
staff = 4
service = { dist = "exponential", mean = "1h" }
[[flow]]
name = "routine"
share = 0.5
steps = ["desk"]
[[flow]]
name = "urgent"
share = 0.2
priority = 2
steps = ["desk"]
[[flow]]
name = "soon"
share = 0.3
priority = 1
steps = ["desk"]
"#,
    );
    let (lambda, c) = (3.4, 4.0);
    // The wait of any arrival, Erlang C, times (1 − ρ): the W0 of Cobham's formula.
    let w0 = mmc_wait(4, lambda, 1.0) * (1.0 - lambda / c);
    let (urgent, soon) = (0.2 * lambda / c, 0.5 * lambda / c);
    let theory = [
        w0 / ((1.0 - soon) * (1.0 - lambda / c)),
        w0 / (1.0 - urgent),
        w0 / ((1.0 - urgent) * (1.0 - soon)),
    ];
    let out = experiment::replicate(&model).expect("the scenario runs");
    for (f, w) in out.summary.flows.iter().zip(theory) {
        assert_agrees(
            &format!("{} wait", f.name),
            f.mean_wait_h.mean,
            f.mean_wait_h.ci95,
            20,
            w,
        );
    }
    // Work-conserving with one service rate: the department as a whole is M/M/4.
    let d = &out.summary.departments[0];
    assert_agrees(
        "desk wait",
        d.mean_wait_h.mean,
        d.mean_wait_h.ci95,
        20,
        mmc_wait(4, lambda, 1.0),
    );
}
