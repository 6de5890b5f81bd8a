//! Comparisons use paired replications with common random numbers.

use handoff::experiment::{Streams, compare};
use handoff::model::Model;
use handoff::scenario;

fn scenario_with(billing_error: f64, production_staff: u32) -> Model {
    let source = format!(
        r#"
[scenario]
name = "billing error {billing_error}, production staff {production_staff}"

[simulation]
duration = "200d"
warmup = "20d"

[customers]
arrival_rate = "12/d"
reorder = {{ dist = "exponential", mean = "40d" }}
order_value = 500.0
promise = "2d"
patience = "5d"
complain_share = 0.1

[[department]]
name = "sales"
staff = 1
service = {{ dist = "exponential", mean = "1h" }}

[[department]]
name = "production"
staff = {production_staff}
service = {{ dist = "gamma", mean = "5h", cv = 0.7 }}

[[department]]
name = "billing"
staff = 1
service = {{ dist = "exponential", mean = "30m" }}

[[flow]]
name = "standard"
steps = ["sales", "production", "billing"]

[[handoff]]
from = "sales"
to = "production"
lose = 0.01

[[handoff]]
from = "billing"
to = "customer"
error = {billing_error}
"#
    );
    scenario::parse(&source, "compare.toml").unwrap_or_else(|d| panic!("{}", d.render(false)))
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let a = scenario_with(0.02, 5);
    let cmp = compare(&[a.clone(), a], 3, 4, Streams::Common).expect("the scenarios run");
    assert!(!cmp.differences.is_empty());
    for d in &cmp.differences {
        assert_eq!(d.mean, 0.0, "{}", d.metric);
        assert_eq!(d.ci95, Some(0.0), "{}", d.metric);
        assert!(!d.significant, "{}", d.metric);
    }
}

#[test]
fn common_random_numbers_narrow_the_interval() {
    let a = scenario_with(0.02, 5);
    let b = scenario_with(0.06, 5);
    let common =
        compare(&[a.clone(), b.clone()], 9, 10, Streams::Common).expect("the scenarios run");
    let independent = compare(&[a, b], 9, 10, Streams::Independent).expect("the scenarios run");
    let half = |c: &handoff::experiment::Comparison, metric: &str| {
        c.differences
            .iter()
            .find(|d| d.metric == metric)
            .and_then(|d| d.ci95)
            .unwrap()
    };
    for metric in [
        "orders.defects",
        "orders.mean_lead_time_h",
        "departments.production.mean_wait_h",
    ] {
        let (c, i) = (half(&common, metric), half(&independent, metric));
        eprintln!("{metric}: common ±{c:.4}, independent ±{i:.4}");
        assert!(
            c < i,
            "{metric}: common ±{c} is not narrower than independent ±{i}"
        );
    }
    // Tripling the billing error rate must show, significantly, as more defects.
    let defects = common
        .differences
        .iter()
        .find(|d| d.metric == "orders.defects")
        .unwrap();
    assert!(defects.significant && defects.mean > 0.0, "{defects:?}");
}

#[test]
fn more_staff_shortens_the_wait_significantly() {
    let cmp = compare(
        &[scenario_with(0.02, 4), scenario_with(0.02, 6)],
        1,
        8,
        Streams::Common,
    )
    .expect("the scenarios run");
    let wait = cmp
        .differences
        .iter()
        .find(|d| d.metric == "departments.production.mean_wait_h")
        .unwrap();
    assert!(wait.significant && wait.mean < 0.0, "{wait:?}");
}
