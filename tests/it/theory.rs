//! The engine against queueing theory: with failures off, departments are
//! M/M/c queues, a chain with rework is a Jackson network, and one desk with
//! any of the service distributions is an M/G/1 queue (Pollaczek–Khinchine).
//!
//! Tolerance: each check uses the replications' own confidence interval, at the
//! 99.9 % level rather than 95 %, because this file makes about twenty checks
//! and a family of them should not fail by chance more than about 2 % of the
//! time (Bonferroni). Each check also requires the interval to be narrow (under
//! 5 % of the theoretical value), so a loose interval cannot pass by being wide.

use handoff::experiment;
use handoff::metrics::{Stat, t_quantile_975};
use handoff::model::{
    Customers, Department, Distribution, Flow, Handoff, Model, ProblemOdds, Simulation, StayOdds,
    Target,
};

/// Erlang C: the probability that an arrival waits in an M/M/c queue with offered load `a = λ/μ`.
fn erlang_c(c: u32, a: f64) -> f64 {
    let c_f = f64::from(c);
    let rho = a / c_f;
    assert!(rho < 1.0);
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let top = term * a / c_f / (1.0 - rho); // a^c / c! / (1 - rho)
    top / (sum + top)
}

/// Mean wait in queue, M/M/c, arrival rate `lambda`, mean service `s` (hours).
pub(super) fn mmc_wait(c: u32, lambda: f64, s: f64) -> f64 {
    let a = lambda * s;
    erlang_c(c, a) * s / (f64::from(c) - a)
}

fn chain(
    departments: &[(u32, f64)],
    rework: &[(f64, f64)],
    rate_per_h: f64,
    hours: f64,
    reps: u32,
) -> Model {
    let departments: Vec<Department> = departments
        .iter()
        .enumerate()
        .map(|(i, &(staff, mean))| Department {
            name: format!("d{i}"),
            staff,
            service: Distribution::exponential(mean).unwrap(),
            hours: None,
            cost: 0.0,
            rude: 0.0,
        })
        .collect();
    let n = departments.len();
    let handoffs = (0..n)
        .map(|i| {
            let (error, catch) = rework.get(i).copied().unwrap_or((0.0, 0.0));
            Handoff {
                from: i,
                to: if i + 1 < n {
                    Target::Department(i + 1)
                } else {
                    Target::Customer
                },
                delay: None,
                lose: 0.0,
                error,
                catch,
            }
        })
        .collect();
    Model {
        name: "theory".into(),
        description: String::new(),
        simulation: Simulation {
            duration_h: hours,
            warmup_h: hours * 0.05,
            seed: 2024,
            replications: reps,
            max_live: 1_000_000,
        },
        customers: Customers {
            arrival_rate_per_h: rate_per_h,
            reorder: None,
            churn: 0.0,
            order_value: 0.0,
            promise_h: 1e9,
            patience_h: 24.0,
            complain_share: 0.0,
            word_of_mouth: 0,
            deter: 0.0,
            abusive_share: 0.0,
        },
        problem: ProblemOdds::default(),
        stay: StayOdds::default(),
        complaints: None,
        departments,
        flows: vec![Flow {
            name: "main".into(),
            share: 1.0,
            steps: (0..n).collect(),
            handoffs: (0..n).collect(),
            priority: 0,
        }],
        handoffs,
        pools: Vec::new(),
        incidents: Vec::new(),
        morale: None,
        learning: None,
        policy: None,
    }
}

/// Checks `theory` lies in the 99.9 % interval around the simulated mean, and that the interval is narrow.
pub(super) fn assert_agrees(what: &str, mean: f64, ci95: Option<f64>, reps: u32, theory: f64) {
    let df = reps as usize - 1;
    let half95 = ci95.expect("several replications");
    let half999 = half95 / t_quantile_975(df) * t_quantile_999_5(df);
    eprintln!("{what}: sim {mean:.4} ± {half999:.4} theory {theory:.4}");
    assert!(
        half999 < 0.05 * theory,
        "{what}: interval ±{half999:.4} too wide to test {theory:.4}"
    );
    assert!(
        (mean - theory).abs() <= half999,
        "{what}: simulated {mean:.4} ± {half999:.4}, theory {theory:.4}"
    );
}

/// The 99.95 % quantile of Student's t (two-sided 99.9 %), for the degrees of freedom used here.
fn t_quantile_999_5(df: usize) -> f64 {
    match df {
        19 => 3.883,
        29 => 3.659,
        39 => 3.558,
        _ => panic!("add the t quantile for df {df}"),
    }
}

#[test]
fn mm1_mean_wait_matches_erlang_c() {
    let (lambda, s) = (0.8, 1.0);
    let model = chain(&[(1, s)], &[], lambda, 200_000.0, 20);
    let out = experiment::replicate(&model).expect("the scenario runs");
    let d = &out.summary.departments[0];
    let theory = mmc_wait(1, lambda, s); // = rho/(mu - lambda) = 4 h
    assert!((theory - 4.0).abs() < 1e-12);
    assert_agrees(
        "M/M/1 wait",
        d.mean_wait_h.mean,
        d.mean_wait_h.ci95,
        20,
        theory,
    );
    assert_agrees(
        "M/M/1 utilization",
        d.utilization.mean,
        d.utilization.ci95,
        20,
        lambda * s,
    );
}

#[test]
fn mm3_mean_wait_matches_erlang_c() {
    let (lambda, s) = (2.4, 1.0);
    let model = chain(&[(3, s)], &[], lambda, 200_000.0, 20);
    let out = experiment::replicate(&model).expect("the scenario runs");
    let d = &out.summary.departments[0];
    let theory = mmc_wait(3, lambda, s);
    assert_agrees(
        "M/M/3 wait",
        d.mean_wait_h.mean,
        d.mean_wait_h.ci95,
        20,
        theory,
    );
    assert_agrees(
        "M/M/3 queue",
        d.mean_queue.mean,
        d.mean_queue.ci95,
        20,
        lambda * theory,
    );
}

#[test]
fn rework_chain_matches_jackson_network() {
    // Three departments; errors out of each are caught with some probability and
    // reworked by the sender, so department i sees λ / (1 - error_i * catch_i).
    let lambda = 1.0;
    let depts = [(2, 1.2), (3, 2.0), (1, 0.6)];
    let rework = [(0.2, 0.5), (0.15, 1.0), (0.1, 0.5)];
    let model = chain(&depts, &rework, lambda, 200_000.0, 20);
    let out = experiment::replicate(&model).expect("the scenario runs");
    for (i, (&(c, s), &(e, k))) in depts.iter().zip(&rework).enumerate() {
        let visits = 1.0 / (1.0 - e * k);
        let theory = mmc_wait(c, lambda * visits, s);
        let d = &out.summary.departments[i];
        assert_agrees(
            &format!("d{i} wait"),
            d.mean_wait_h.mean,
            d.mean_wait_h.ci95,
            20,
            theory,
        );
        let util = lambda * visits * s / f64::from(c);
        assert_agrees(
            &format!("d{i} utilization"),
            d.utilization.mean,
            d.utilization.ci95,
            20,
            util,
        );
    }
}

#[test]
fn offered_load_predicts_the_simulated_utilization() {
    // Same network as the Jackson test, plus losses: every lost transfer is redone.
    let mut model = chain(
        &[(2, 1.2), (3, 2.0), (1, 0.6)],
        &[(0.2, 0.5), (0.15, 1.0), (0.1, 0.5)],
        1.0,
        50_000.0,
        20,
    );
    model.handoffs[1].lose = 0.05;
    model.customers.patience_h = 2.0;
    // Customers chase and wait; none gives up on the order.
    model.problem.lost_order = 0.0;
    let predicted = model.offered_load();
    let out = experiment::replicate(&model).expect("the scenario runs");
    for (i, d) in out.summary.departments.iter().enumerate() {
        assert_agrees(
            &format!("d{i} utilization"),
            d.utilization.mean,
            d.utilization.ci95,
            20,
            predicted[i],
        );
    }
}

/// A scenario file, parsed as a user's would be.
pub(super) fn parse(source: &str) -> Model {
    handoff::scenario::parse(source, "theory.toml")
        .unwrap_or_else(|d| panic!("{}", d.render(false)))
}

#[test]
fn mg1_mean_wait_matches_pollaczek_khinchine() {
    // Gamma service, mean 1 h, cv 0.5; arrivals 0.75/h: Wq = ρ s (1 + cv²) / (2 (1 − ρ)).
    let model = parse(
        r#"
[scenario]
name = "M/G/1"
[simulation]
duration = "20000d"
warmup = "200d"
seed = 5
replications = 20
[customers]
arrival_rate = "0.75/h"
[[department]]
name = "desk"
staff = 1
service = { dist = "gamma", mean = "1h", cv = 0.5 }
[[flow]]
name = "only"
steps = ["desk"]
"#,
    );
    let (rho, s, cv) = (0.75, 1.0, 0.5);
    let theory = rho * s * (1.0 + cv * cv) / (2.0 * (1.0 - rho));
    let out = experiment::replicate(&model).expect("the scenario runs");
    let d = &out.summary.departments[0];
    assert_agrees(
        "M/G/1 wait",
        d.mean_wait_h.mean,
        d.mean_wait_h.ci95,
        20,
        theory,
    );
}

#[test]
fn mg1_waits_match_pollaczek_khinchine_for_every_service_distribution() {
    // One desk at 70 % load, for each kind of service time the scenario format
    // offers: Wq = λ E[S²] / (2 (1 − ρ)), with E[S²] the distribution's own.
    // A wrong parameterisation (a cv read as a variance, a scale as a rate, a
    // weight as a probability) moves E[S] or E[S²] and fails its line.
    let tri = |a: f64, c: f64, b: f64| {
        let mean = (a + b + c) / 3.0;
        let var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
        (mean, var + mean * mean)
    };
    let cases: [(&str, &str, (f64, f64)); 10] = [
        ("constant", r#""1h""#, (1.0, 1.0)),
        (
            "uniform",
            r#"{ dist = "uniform", min = "0.2h", max = "1.8h" }"#,
            (1.0, 1.0 + 1.6 * 1.6 / 12.0),
        ),
        (
            "triangular",
            r#"{ dist = "triangular", min = "0.1h", mode = "0.5h", max = "2.4h" }"#,
            tri(0.1, 0.5, 2.4),
        ),
        (
            "lognormal",
            r#"{ dist = "lognormal", mean = "1h", cv = 1.5 }"#,
            (1.0, 1.0 + 2.25),
        ),
        (
            "gamma",
            r#"{ dist = "gamma", mean = "1h", cv = 0.3 }"#,
            (1.0, 1.09),
        ),
        // Shape 2 (Rayleigh): E[S] = scale Γ(3/2) = scale √π / 2, E[S²] = scale² Γ(2) = scale².
        (
            "weibull by shape and scale",
            r#"{ dist = "weibull", shape = 2, scale = "1h" }"#,
            (std::f64::consts::PI.sqrt() / 2.0, 1.0),
        ),
        (
            "weibull by mean and cv",
            r#"{ dist = "weibull", mean = "1h", cv = 0.6 }"#,
            (1.0, 1.36),
        ),
        (
            "erlang",
            r#"{ dist = "erlang", mean = "1h", k = 3 }"#,
            (1.0, 1.0 + 1.0 / 3.0),
        ),
        (
            "empirical",
            r#"{ dist = "empirical", values = ["0.5h", "1h", "3h"], weights = [5, 3, 1] }"#,
            (8.5 / 9.0, 13.25 / 9.0),
        ),
        // Below cv 0.4 the truncation at zero changes nothing measurable.
        (
            "normal",
            r#"{ dist = "normal", mean = "1h", cv = 0.2 }"#,
            (1.0, 1.04),
        ),
    ];
    for (name, service, (mean, second)) in cases {
        let rate = 0.7 / mean;
        let model = parse(&format!(
            r#"
[scenario]
name = "M/G/1, {name}"
[simulation]
duration = "4000d"
warmup = "100d"
seed = 12
replications = 20
[customers]
arrival_rate = "{rate}/h"
[[department]]
name = "desk"
staff = 1
service = {service}
[[flow]]
name = "only"
steps = ["desk"]
"#
        ));
        let theory = rate * second / (2.0 * (1.0 - 0.7));
        let out = experiment::replicate(&model).expect("the scenario runs");
        let d = &out.summary.departments[0];
        assert_agrees(
            &format!("M/G/1 wait, {name} service"),
            d.mean_wait_h.mean,
            d.mean_wait_h.ci95,
            20,
            theory,
        );
    }
}

#[test]
fn flows_split_arrivals_as_their_shares_say() {
    // Two routes share the front desk, then part: a Jackson network with splitting.
    // desk: λ = 3/h, 4 staff, mean 1 h; left: 0.6 λ, 2 staff, 0.8 h; right: 0.4 λ, 1 staff, 0.6 h.
    let model = parse(
        r#"
[scenario]
name = "split"
[simulation]
duration = "8000d"
warmup = "100d"
seed = 8
replications = 20
[customers]
arrival_rate = "3/h"
[[department]]
name = "desk"
staff = 4
service = { dist = "exponential", mean = "1h" }
[[department]]
name = "left"
staff = 2
service = { dist = "exponential", mean = "48m" }
[[department]]
name = "right"
staff = 1
service = { dist = "exponential", mean = "36m" }
[[flow]]
name = "a"
share = 0.6
steps = ["desk", "left"]
[[flow]]
name = "b"
share = 0.4
steps = ["desk", "right"]
[[handoff]]
from = "desk"
to = "left"
delay = { dist = "exponential", mean = "2h" }
"#,
    );
    let out = experiment::replicate(&model).expect("the scenario runs");
    let lambda = 3.0;
    for (i, (c, rate, s)) in [
        (4, lambda, 1.0),
        (2, 0.6 * lambda, 0.8),
        (1, 0.4 * lambda, 0.6),
    ]
    .into_iter()
    .enumerate()
    {
        let d = &out.summary.departments[i];
        assert_agrees(
            &format!("{} wait", d.name),
            d.mean_wait_h.mean,
            d.mean_wait_h.ci95,
            20,
            mmc_wait(c, rate, s),
        );
    }
    // The handoff delay is an infinite-server stage: it adds its mean to flow a's lead time.
    let lead = |c: u32, rate: f64, s: f64| mmc_wait(c, rate, s) + s;
    let theory = lead(4, lambda, 1.0)
        + 0.6 * (2.0 + lead(2, 0.6 * lambda, 0.8))
        + 0.4 * lead(1, 0.4 * lambda, 0.6);
    let o = &out.summary.orders;
    assert_agrees(
        "mean lead time",
        o.mean_lead_time_h.mean,
        o.mean_lead_time_h.ci95,
        20,
        theory,
    );
}

#[test]
fn merging_splitting_and_reentrant_flows_match_the_traffic_equations() {
    // Three routes over four departments: two merge at `front` and part after
    // it, the third visits `y` twice; caught errors send work back to the
    // sender (front → x: one in ten returns, the others escape; y → x: all
    // caught), and x → back takes an exponential 2 h on the way. Each
    // department is an M/M/c queue at the rate the traffic equations give;
    // each route's lead time is the sum of its visits' waits, services and delays.
    // Escaped errors reach customers as defects: `word_of_mouth = 0` keeps the
    // prospects who hear of them coming, so arrivals stay Poisson at 2/h.
    let model = parse(
        r#"
[scenario]
name = "Jackson network"
[simulation]
duration = "2000d"
warmup = "50d"
seed = 21
replications = 20
[customers]
arrival_rate = "2/h"
word_of_mouth = 0
[[department]]
name = "front"
staff = 3
service = { dist = "exponential", mean = "1h" }
[[department]]
name = "x"
staff = 2
service = { dist = "exponential", mean = "42m" }
[[department]]
name = "y"
staff = 1
service = { dist = "exponential", mean = "30m" }
[[department]]
name = "back"
staff = 2
service = { dist = "exponential", mean = "36m" }
[[flow]]
name = "f1"
share = 0.5
steps = ["front", "x", "back"]
[[flow]]
name = "f2"
share = 0.3
steps = ["front", "y", "back"]
[[flow]]
name = "f3"
share = 0.2
steps = ["y", "x", "y"]
[[handoff]]
from = "front"
to = "x"
error = 0.2
catch = 0.5
[[handoff]]
from = "y"
to = "x"
error = 0.1
catch = 1.0
[[handoff]]
from = "x"
to = "back"
delay = { dist = "exponential", mean = "2h" }
"#,
    );
    let out = experiment::replicate(&model).expect("the scenario runs");
    let lambda = 2.0;
    let (front_visits, y_visits) = (1.0 / (1.0 - 0.2 * 0.5), 1.0 / (1.0 - 0.1));
    // (staff, mean service, arrival rate) in the model's order.
    let stations = [
        (3, 1.0, lambda * (0.5 * front_visits + 0.3)),
        (2, 0.7, lambda * (0.5 + 0.2)),
        (1, 0.5, lambda * (0.3 + 0.2 * (y_visits + 1.0))),
        (2, 0.6, lambda * (0.5 + 0.3)),
    ];
    let counted_h = (2000.0 - 50.0) * 24.0;
    let mut sojourn = Vec::new();
    for (d, &(c, s, rate)) in out.summary.departments.iter().zip(&stations) {
        let wait = mmc_wait(c, rate, s);
        sojourn.push(wait + s);
        assert_agrees(
            &format!("{} wait", d.name),
            d.mean_wait_h.mean,
            d.mean_wait_h.ci95,
            20,
            wait,
        );
        assert_agrees(
            &format!("{} services per hour", d.name),
            d.served.mean / counted_h,
            d.served.ci95.map(|h| h / counted_h),
            20,
            rate,
        );
        assert_agrees(
            &format!("{} queue", d.name),
            d.mean_queue.mean,
            d.mean_queue.ci95,
            20,
            rate * wait,
        );
    }
    let [front, x, y, back] = sojourn[..] else {
        unreachable!("four departments")
    };
    let leads = [
        front_visits * front + x + 2.0 + back,
        front + y + back,
        y_visits * y + x + y,
    ];
    for (f, lead) in out.summary.flows.iter().zip(leads) {
        assert_agrees(
            &format!("{} lead time", f.name),
            f.mean_lead_time_h.mean,
            f.mean_lead_time_h.ci95,
            20,
            lead,
        );
    }
}

#[test]
fn a_replication_without_deliveries_does_not_count_as_a_lead_time_of_zero() {
    // A rare route, taken by about one order per replication: some replications
    // deliver none of its orders. Every order it does deliver takes exactly its
    // 1 h of constant service (five staff, so nobody waits), so its mean lead time
    // is 1 h; a replication without any has no lead time to average in.
    let model = parse(
        r#"
[scenario]
name = "rare route"
[simulation]
duration = "50h"
seed = 9
replications = 20
[customers]
arrival_rate = "1/h"
[[department]]
name = "common desk"
staff = 1
service = { dist = "exponential", mean = "30m" }
[[department]]
name = "rare desk"
staff = 5
service = "1h"
[[flow]]
name = "common"
share = 0.98
steps = ["common desk"]
[[flow]]
name = "rare"
share = 0.02
steps = ["rare desk"]
"#,
    );
    let runs: Vec<_> = (0..20)
        .map(|r| handoff::engine::run(&model, r).expect("the scenario runs"))
        .collect();
    let delivered: Vec<f64> = runs.iter().map(|r| r.metrics.flows[1].delivered).collect();
    assert!(
        delivered.contains(&0.0) && delivered.iter().any(|&n| n > 0.0),
        "some replications deliver the rare route's orders, some none: {delivered:?}"
    );
    let out = experiment::replicate(&model).expect("the scenario runs");
    let rare = &out.summary.flows[1];
    for (what, stat, theory) in [
        ("lead time", rare.mean_lead_time_h, 1.0),
        ("time in queues", rare.mean_wait_h, 0.0),
    ] {
        assert!(
            (stat.mean - theory).abs() < 1e-9,
            "rare route's mean {what}: {} h, every delivered order's is {theory} h",
            stat.mean
        );
    }
    let desk = &out.summary.departments[1];
    assert!(
        desk.mean_wait_h.mean.abs() < 1e-9,
        "nobody waits at the rare desk: {}",
        desk.mean_wait_h.mean
    );
}

/// The per-replication values of `pick`, one run per replication, summarised:
/// for ratios (shares), whose interval must come from each replication's own ratio.
fn per_replication(model: &Model, pick: impl Fn(&handoff::metrics::Metrics<f64>) -> f64) -> Stat {
    let values: Vec<f64> = (0..model.simulation.replications)
        .map(|r| {
            pick(
                &handoff::engine::run(model, r)
                    .expect("the scenario runs")
                    .metrics,
            )
        })
        .collect();
    Stat::from_values(&values)
}

#[test]
fn lost_transfers_are_chased_after_patience_and_redone() {
    // Nobody waits (50 staff each). An order takes 1 h at `desk`, a lognormal
    // handoff delay D (mean 3 h, cv 1.5) and 2 h at `back`; the transfer to the
    // customer is lost with p = 0.2. The customer chases 10 h after ordering
    // (or after the last chase), and `back` does the work again. So with K
    // losses (geometric, E[K] = p/(1−p)) the lead time is A = 3 + D when K = 0,
    // else max(10, A) + 2 + 10 (K − 1):
    // E = (1−p) E[A] + p (10 + E[(D − 7)⁺] + 2 + 10 p/(1−p)).
    let model = parse(
        r#"
[scenario]
name = "chased"
[simulation]
duration = "20000h"
warmup = "500h"
seed = 3
replications = 20
[customers]
arrival_rate = "1/h"
patience = "10h"
promise = "1000d"
word_of_mouth = 0
[problem]
lost_order = 0.0
[[department]]
name = "desk"
staff = 50
service = "1h"
[[department]]
name = "back"
staff = 50
service = "2h"
[[flow]]
name = "only"
steps = ["desk", "back"]
[[handoff]]
from = "desk"
to = "back"
delay = { dist = "lognormal", mean = "3h", cv = 1.5 }
[[handoff]]
from = "back"
to = "customer"
lose = 0.2
"#,
    );
    let (p, mean, cv) = (0.2, 3.0_f64, 1.5_f64);
    // E[(D − k)⁺] for a lognormal: mean Φ((μ + σ² − ln k)/σ) − k Φ((μ − ln k)/σ).
    let s2 = (1.0 + cv * cv).ln();
    let (mu, s) = (mean.ln() - s2 / 2.0, s2.sqrt());
    let k = 7.0_f64;
    let excess = mean * normal_cdf((mu + s2 - k.ln()) / s) - k * normal_cdf((mu - k.ln()) / s);
    let theory = (1.0 - p) * (3.0 + mean) + p * (10.0 + excess + 2.0 + 10.0 * p / (1.0 - p));
    let out = experiment::replicate(&model).expect("the scenario runs");
    let o = &out.summary.orders;
    assert_agrees(
        "lead time with chased losses",
        o.mean_lead_time_h.mean,
        o.mean_lead_time_h.ci95,
        20,
        theory,
    );
    // `back` serves each order 1/(1−p) times: 2 h × 1/h × 1.25 over 50 staff.
    let back = &out.summary.departments[1];
    assert_agrees(
        "back utilization",
        back.utilization.mean,
        back.utilization.ci95,
        20,
        2.0 / (1.0 - p) / 50.0,
    );
    let chased = per_replication(&model, |m| m.orders.lost_chased / m.orders.arrived);
    assert_agrees(
        "chases per order",
        chased.mean,
        chased.ci95,
        20,
        p / (1.0 - p),
    );
    let delay = &out.summary.scorecard[0].mean_delay_h;
    assert_agrees("handoff delay", delay.mean, delay.ci95, 20, mean);
}

/// Φ, the standard normal distribution function (Abramowitz–Stegun 7.1.26, error below 1.5e-7).
fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    if x >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

#[test]
fn the_complaints_desk_is_an_mm1_queue_and_its_sojourn_sets_the_paths() {
    // Every delivery (λ = 1/h out of an M/M/2 desk: Poisson, by Burke) carries
    // an escaped error with probability 0.5, every defect is a problem and every
    // problem a complaint; 20 % are resolved on the spot, the rest queue at
    // `support`, an M/M/1 queue with λc = 0.4/h and s = 1.5 h. The sojourn there
    // is exponential with rate μ − λc: served within 2 h is "resolved quickly";
    // not served within the customer's 3 h of patience is "unresolved".
    let model = parse(
        r#"
[scenario]
name = "complaints desk"
[simulation]
duration = "2000d"
warmup = "50d"
seed = 3
replications = 20
[customers]
arrival_rate = "1/h"
word_of_mouth = 0
complain_share = 1.0
promise = "1000d"
patience = "3h"
[problem]
defect = 1.0
[complaints]
department = "support"
empowerment = 0.2
resolve_within = "2h"
[[department]]
name = "desk"
staff = 2
service = { dist = "exponential", mean = "1h" }
[[department]]
name = "support"
staff = 1
service = { dist = "exponential", mean = "90m" }
[[flow]]
name = "only"
steps = ["desk"]
[[handoff]]
from = "desk"
to = "customer"
error = 0.5
"#,
    );
    let (lambda_c, s) = (0.4, 1.5);
    let rate = 1.0 / s - lambda_c;
    let out = experiment::replicate(&model).expect("the scenario runs");
    let support = &out.summary.departments[1];
    assert_agrees(
        "support wait",
        support.mean_wait_h.mean,
        support.mean_wait_h.ci95,
        20,
        mmc_wait(1, lambda_c, s),
    );
    assert_agrees(
        "support utilization",
        support.utilization.mean,
        support.utilization.ci95,
        20,
        lambda_c * s,
    );
    let share = |path: &'static str| {
        move |m: &handoff::metrics::Metrics<f64>| {
            let all: f64 = m.paths.iter().map(|p| p.problems).sum();
            m.paths.iter().find(|p| p.path == path).unwrap().problems / all
        }
    };
    let quickly = per_replication(&model, share("resolved_quickly"));
    assert_agrees(
        "share resolved quickly",
        quickly.mean,
        quickly.ci95,
        20,
        0.2 + 0.8 * (1.0 - (-rate * 2.0).exp()),
    );
    let unresolved = per_replication(&model, share("unresolved"));
    assert_agrees(
        "share unresolved",
        unresolved.mean,
        unresolved.ci95,
        20,
        0.8 * (-rate * 3.0).exp(),
    );
}

#[test]
fn reordering_customers_and_the_desk_form_a_jackson_network() {
    // New customers arrive at 0.15/h; after each delivery a customer orders
    // again after a lognormal time (an infinite-server stage, insensitive to
    // its distribution) unless they churn (0.25). The desk then sees
    // λ / churn = 0.6/h in steady state and is an M/M/1 queue at that rate.
    let model = parse(
        r#"
[scenario]
name = "loyal customers"
[simulation]
duration = "100000h"
warmup = "2000h"
seed = 4
replications = 20
[customers]
arrival_rate = "0.15/h"
reorder = { dist = "lognormal", mean = "20h", cv = 2.0 }
churn = 0.25
[[department]]
name = "desk"
staff = 1
service = { dist = "exponential", mean = "1h" }
[[flow]]
name = "only"
steps = ["desk"]
"#,
    );
    let out = experiment::replicate(&model).expect("the scenario runs");
    let d = &out.summary.departments[0];
    assert_agrees(
        "desk wait",
        d.mean_wait_h.mean,
        d.mean_wait_h.ci95,
        20,
        mmc_wait(1, 0.6, 1.0),
    );
    assert_agrees(
        "desk utilization",
        d.utilization.mean,
        d.utilization.ci95,
        20,
        0.6,
    );
}

#[test]
fn the_95_percent_intervals_cover_the_erlang_c_wait_95_percent_of_the_time() {
    // 400 experiments of 10 replications each (seeds 1000…1399) on an M/M/2
    // queue at 80 % load: the Student-t half-width with 9 degrees of freedom
    // should contain the Erlang C wait in about 95 % of them. With 400
    // experiments the share has a standard error of 1.1 %: three of them on
    // each side make [0.917, 0.983]. An interval with n in place of √n would
    // cover far less; one with the normal quantile (1.96 for 2.26) about 92 %,
    // at the edge of this range: the unit tests of `t_quantile_975` catch that.
    let mut model = chain(&[(2, 1.0)], &[], 1.6, 5_000.0, 10);
    let theory = mmc_wait(2, 1.6, 1.0);
    let experiments = 400;
    let covered = (0..experiments)
        .filter(|&k| {
            model.simulation.seed = 1000 + k;
            let out = experiment::replicate(&model).expect("the scenario runs");
            let w = out.summary.departments[0].mean_wait_h;
            (w.mean - theory).abs() <= w.ci95.expect("ten replications")
        })
        .count() as f64
        / experiments as f64;
    eprintln!("coverage of the 95 % interval: {covered:.3}");
    assert!(
        (0.917..=0.983).contains(&covered),
        "the 95 % interval covered the true wait in {covered:.3} of the experiments"
    );
}

/// `validate`'s warning about a queue slow to settle
/// (`tests/cmd/validate_slow_to_settle.*`: an M/M/1 at 98 %) holds: a year
/// from the empty start with a 30-day warm-up reads the wait low, beyond its
/// own interval; run as long as the warning asks (warm-up 825 d, 1 563 d
/// counted), the wait agrees with Erlang C's 49 h.
#[test]
fn a_queue_near_full_load_reads_low_until_run_as_long_as_validate_asks() {
    let (lambda, s, reps) = (0.98, 1.0, 200);
    let theory = mmc_wait(1, lambda, s);
    assert!((theory - 49.0).abs() < 1e-9);
    // Student's t quantiles for 199 degrees of freedom: 97.5 % and 99.95 %.
    let (t975, t9995) = (1.972, 3.340);
    let wait = |warmup_d: f64, counted_d: f64| {
        let mut model = chain(&[(1, s)], &[], lambda, (warmup_d + counted_d) * 24.0, reps);
        model.simulation.warmup_h = warmup_d * 24.0;
        let out = experiment::replicate(&model).expect("the scenario runs");
        let w = &out.summary.departments[0].mean_wait_h;
        (w.mean, w.ci95.expect("several replications") / t975 * t9995)
    };
    let (short, half) = wait(30.0, 335.0);
    eprintln!("a year: {short:.2} ± {half:.2} h (99.9 %), theory {theory} h");
    assert!(short + half < theory, "a year: {short:.2} ± {half:.2} h");
    let (long, half) = wait(825.0, 1563.0);
    eprintln!("as validate asks: {long:.2} ± {half:.2} h (99.9 %), theory {theory} h");
    assert!(half < 0.15 * theory, "±{half:.2} h is too wide to tell");
    assert!((long - theory).abs() <= half, "{long:.2} ± {half:.2} h");
}
