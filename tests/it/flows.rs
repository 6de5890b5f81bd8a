//! Flows in the reports: each flow's figures add up to the totals, and each
//! flow's customers lost are those who left over a problem with its orders.

use handoff::engine::{self, RunResult};
use handoff::experiment::{self, Streams};
use handoff::metrics::{FlowMetrics, Metrics, Stat};
use handoff::scenario;

const Z999: f64 = 3.290_526_731;

/// Two routes through a shop: `plain` never fails; `checked` also passes a check
/// desk whose handoff to the customer garbles `error` of the orders.
/// A scenario's summary and every replication's result (these tests look inside each).
struct Outcome {
    summary: Metrics<Stat>,
    runs: Vec<RunResult>,
}

fn two_routes(error: f64) -> Outcome {
    let model = two_routes_model(error);
    let runs: Vec<RunResult> = (0..model.simulation.replications)
        .map(|r| engine::run(&model, r).expect("the model runs"))
        .collect();
    let metrics: Vec<Metrics<f64>> = runs.iter().map(|r| r.metrics.clone()).collect();
    let summary = Metrics::summarise(&metrics);
    Outcome { summary, runs }
}

fn two_routes_model(error: f64) -> handoff::model::Model {
    let source = format!(
        r#"
[scenario]
name = "two routes"

[simulation]
duration = "300d"
warmup = "20d"
seed = 5
replications = 4

[customers]
arrival_rate = "20/d"
reorder = {{ dist = "exponential", mean = "20d" }}
churn = 0.3
order_value = 100.0
promise = "30d"
patience = "3d"
complain_share = 0.2

[complaints]
department = "support"
empowerment = 0.2
resolve_within = "1d"

[[department]]
name = "shop"
staff = 3
service = {{ dist = "exponential", mean = "1h" }}

[[department]]
name = "check"
staff = 1
service = {{ dist = "exponential", mean = "1h" }}

[[department]]
name = "support"
staff = 1
service = {{ dist = "exponential", mean = "2h" }}

[[flow]]
name = "plain"
share = 0.7
steps = ["shop"]

[[flow]]
name = "checked"
share = 0.3
steps = ["shop", "check"]

[[handoff]]
from = "check"
to = "customer"
error = {error}
"#
    );
    scenario::parse(&source, "flows.toml").unwrap_or_else(|d| panic!("{}", d.render(false)))
}

fn flow<'a, T>(m: &'a Metrics<T>, name: &str) -> &'a FlowMetrics<T> {
    m.flows.iter().find(|f| f.name == name).unwrap()
}

#[test]
fn flows_add_up_to_the_totals_in_every_run() {
    let out = two_routes(0.2);
    for (r, run) in out.runs.iter().enumerate() {
        let m = &run.metrics;
        let names: Vec<&str> = m.flows.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["plain", "checked"],
            "one entry per flow, in file order"
        );
        let sum = |pick: fn(&FlowMetrics<f64>) -> f64| m.flows.iter().map(pick).sum::<f64>();
        assert_eq!(sum(|f| f.orders), m.orders.arrived, "run {r}: orders");
        assert_eq!(
            sum(|f| f.delivered),
            m.orders.delivered,
            "run {r}: delivered"
        );
        assert_eq!(sum(|f| f.late), m.orders.late, "run {r}: late");
        assert_eq!(
            sum(|f| f.customers_lost),
            m.customers.lost,
            "run {r}: customers lost"
        );
        // The overall mean lead time is the delivered-weighted mean of the flows'.
        let weighted = sum(|f| f.delivered * f.mean_lead_time_h) / m.orders.delivered;
        assert!(
            (weighted - m.orders.mean_lead_time_h).abs() <= 1e-9 * weighted,
            "run {r}: lead time {weighted} vs {}",
            m.orders.mean_lead_time_h
        );
        for f in &m.flows {
            assert!(
                f.mean_wait_h >= 0.0 && f.mean_wait_h < f.mean_lead_time_h,
                "run {r}: {f:?}"
            );
        }
    }
}

#[test]
fn customers_lost_follow_the_flow_whose_order_went_wrong() {
    let out = two_routes(0.2);
    let (plain, checked) = (flow(&out.summary, "plain"), flow(&out.summary, "checked"));
    // Nothing ever goes wrong on the plain route (no errors, no losses, a 30-day
    // promise the shop always keeps): nobody is lost over its orders.
    assert_eq!(plain.customers_lost.mean, 0.0, "{plain:?}");
    assert_eq!(plain.late.mean, 0.0, "{plain:?}");
    assert!(checked.customers_lost.mean > 0.0, "{checked:?}");
    assert_eq!(checked.customers_lost.mean, out.summary.customers.lost.mean);
    // The share of orders taking each route is the flow's share.
    let orders: f64 = out.runs.iter().map(|r| r.metrics.orders.arrived).sum();
    let plain_orders: f64 = out
        .runs
        .iter()
        .map(|r| flow(&r.metrics, "plain").orders)
        .sum();
    let half = Z999 * (0.7 * 0.3 / orders).sqrt();
    assert!(
        (plain_orders / orders - 0.7).abs() <= half,
        "plain share {} vs 0.7 ± {half}",
        plain_orders / orders
    );
}

#[test]
fn time_in_queues_adds_the_departments_waits_along_the_route() {
    // Without errors every order visits each step once, so a flow's time in queues
    // is the sum of its departments' mean waits; both are means over nearly the
    // same orders (they differ only in the few in flight at the warm-up and at the
    // end), so they agree within 1 % (measured: within 0.2 %).
    let out = two_routes(0.0);
    for run in &out.runs {
        let m = &run.metrics;
        let wait = |d: &str| {
            m.departments
                .iter()
                .find(|x| x.name == d)
                .unwrap()
                .mean_wait_h
        };
        let plain = flow(m, "plain").mean_wait_h;
        let checked = flow(m, "checked").mean_wait_h;
        assert!(
            wait("check") > 0.1,
            "the check desk queues: {}",
            wait("check")
        );
        // Both routes meet the same shop queue; the checked one adds the check desk's.
        let shop = wait("shop");
        assert!(
            (plain - shop).abs() <= 0.01 * shop,
            "plain {plain} vs shop {shop}"
        );
        let expected = shop + wait("check");
        assert!(
            (checked - expected).abs() <= 0.01 * expected,
            "checked {checked} vs {expected}"
        );
    }
}

#[test]
fn flows_are_named_for_csv_and_sweeps_and_compared() {
    // `run --format csv`, sweeps and sensitivity name statistics by `Metrics::named`.
    let out = two_routes(0.2);
    let names: Vec<String> = out.summary.named().into_iter().map(|(n, _)| n).collect();
    for field in [
        "orders",
        "delivered",
        "late",
        "customers_lost",
        "mean_lead_time_h",
        "mean_wait_h",
    ] {
        for flow in ["plain", "checked"] {
            let name = format!("flows.{flow}.{field}");
            assert!(names.contains(&name), "no {name} in {names:?}");
        }
    }
    // A comparison of scenarios with several flows has rows per flow.
    let cmp = experiment::compare(
        &[two_routes_model(0.1), two_routes_model(0.3)],
        2,
        3,
        Streams::Common,
    )
    .expect("the pair runs");
    for metric in [
        "flows.plain.customers_lost",
        "flows.plain.mean_lead_time_h",
        "flows.checked.customers_lost",
        "flows.checked.mean_lead_time_h",
    ] {
        assert!(
            cmp.metrics.iter().any(|m| m == metric),
            "{metric}: {:?}",
            cmp.metrics
        );
    }
    // More errors on the checked route lose more of its customers, none of the plain one's.
    let diff = |metric: &str| {
        cmp.differences
            .iter()
            .find(|d| d.metric == metric)
            .unwrap()
            .clone()
    };
    assert!(diff("flows.checked.customers_lost").mean > 0.0);
    assert_eq!(diff("flows.plain.customers_lost").mean, 0.0);
}
