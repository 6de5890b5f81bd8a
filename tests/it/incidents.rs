//! Incident windows: inside a window the incident's values replace the
//! handoff's (the later listed wins where windows overlap), and the losses
//! whose root-cause experience happened inside are counted for it.

use handoff::engine::{self, Observer, TraceEvent, TraceKind};
use handoff::metrics::Metrics;
use handoff::model::{IncidentTarget, Model};
use handoff::scenario::{self, Override};

/// Two-sided 99.9 % normal quantile: a fixed-seed test with this tolerance
/// fails by chance about once in a thousand different seeds.
const Z999: f64 = 3.290_526_731;

/// One desk handing its work straight to the customer (no delay: the error
/// is seen at the instant of the transfer), with `incidents` appended.
fn desk(incidents: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "desk"

[simulation]
duration = "200d"
warmup = "10d"
seed = 11
replications = 3

[customers]
arrival_rate = "30/d"
reorder = {{ dist = "exponential", mean = "15d" }}
churn = 0.2
order_value = 100.0
{extra}

[[department]]
name = "desk"
staff = 40
service = {{ dist = "constant", value = "1h" }}

[[department]]
name = "back"
staff = 40
service = {{ dist = "constant", value = "1h" }}

[[flow]]
name = "f"
steps = ["desk", "back"]

[[handoff]]
from = "desk"
to = "back"
error = 0.1
catch = 0.5

[[handoff]]
from = "back"
to = "customer"
error = 0.05
{incidents}
"#
    )
}

fn parse(source: &str, sets: &[&str]) -> Model {
    let sets: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    scenario::parse_with(source, "desk.toml", &sets)
        .unwrap_or_else(|d| panic!("{}", d.render(false)))
}

/// Transfers out of `back` (its services ending) and errors escaping, with times.
#[derive(Default)]
struct Transfers {
    sent: Vec<f64>,
    escaped: Vec<f64>,
}

impl Observer for Transfers {
    fn record(&mut self, e: &TraceEvent) {
        match e.kind {
            TraceKind::ServiceEnded if e.department == Some(1) => self.sent.push(e.time),
            TraceKind::Escaped if e.handoff == Some(1) => self.escaped.push(e.time),
            _ => {}
        }
    }
}

/// A part of the run: its name, the error probability there, and whether a time is in it.
type Region<'a> = (&'a str, f64, &'a dyn Fn(f64) -> bool);

#[test]
fn errors_inside_a_window_follow_its_probability_and_the_later_incident_wins() {
    let model = parse(
        &desk(
            r#"
[[incident]]
name = "migration"
from = "50d"
to = "100d"
handoff = "back->customer"
error = 0.3

[[incident]]
name = "cut-over week"
from = "70d"
to = "80d"
handoff = "back->customer"
error = 0.6

[[incident]]
name = "monthly outage"
from = "130d"
to = "133d"
every = "20d"
handoff = "back->customer"
error = 0.5
"#,
            "",
        ),
        &[],
    );
    let mut t = Transfers::default();
    for r in 0..3 {
        engine::run_observed(&model, r, &mut t).unwrap();
    }
    let day = 24.0;
    let outage = |x: f64| x >= 130.0 * day && (x - 130.0 * day).rem_euclid(20.0 * day) < 3.0 * day;
    let regions: [Region<'_>; 4] = [
        ("outside", 0.05, &|x| {
            !(50.0 * day..100.0 * day).contains(&x) && !outage(x)
        }),
        ("migration only", 0.3, &|x| {
            (50.0 * day..70.0 * day).contains(&x) || (80.0 * day..100.0 * day).contains(&x)
        }),
        ("both: the later listed wins", 0.6, &|x| {
            (70.0 * day..80.0 * day).contains(&x)
        }),
        ("monthly outage", 0.5, &outage),
    ];
    for (what, p, inside) in regions {
        let n = t.sent.iter().filter(|&&x| inside(x)).count() as f64;
        let k = t.escaped.iter().filter(|&&x| inside(x)).count() as f64;
        assert!(n > 500.0, "{what}: only {n} transfers");
        let tolerance = Z999 * (p * (1.0 - p) / n).sqrt();
        let share = k / n;
        assert!(
            (share - p).abs() <= tolerance,
            "{what}: {k} errors in {n} transfers = {share:.4}, expected {p} ± {tolerance:.4}"
        );
    }
}

fn summary(model: &Model) -> Metrics<handoff::metrics::Stat> {
    let runs: Vec<Metrics<f64>> = (0..model.simulation.replications)
        .map(|r| engine::run(model, r).unwrap().metrics)
        .collect();
    Metrics::summarise(&runs)
}

/// Customers lost to the causes of handoff `name` (`lose`, `error`, `delay`) in one run.
fn lost_to(m: &Metrics<f64>, handoff: &str) -> f64 {
    m.lost_by_cause
        .iter()
        .filter(|c| c.cause.starts_with(&format!("handoff:{handoff}:")))
        .map(|c| c.customers)
        .sum()
}

#[test]
fn incident_losses_add_up() {
    // A window over the whole run (values as the scenario's), and one over part of it.
    let model = parse(
        &desk(
            r#"
[[incident]]
name = "always"
from = "0d"
to = "200d"
handoff = "back->customer"
error = 0.05

[[incident]]
name = "lossy month"
from = "60d"
to = "90d"
handoff = "back->customer"
lose = 0.3
"#,
            "patience = \"5d\"\ncomplain_share = 0.2",
        ),
        &[],
    );
    let mut some_inside = 0.0;
    for r in 0..model.simulation.replications {
        let m = engine::run(&model, r).unwrap().metrics;
        let always = &m.incidents[0];
        let month = &m.incidents[1];
        let cause_total = lost_to(&m, "back->customer");
        // The whole run: every loss of its cause, and nothing else.
        assert_eq!(always.customers_lost, cause_total, "replication {r}");
        assert_eq!(always.cause_customers_lost, cause_total);
        assert_eq!(always.window_h, 190.0 * 24.0, "the counted period");
        // Part of the run: no more than the cause's losses, which are no more than all.
        assert!(month.customers_lost <= month.cause_customers_lost);
        assert_eq!(month.cause_customers_lost, cause_total);
        assert!(cause_total <= m.customers.lost);
        assert!(month.prospects_deterred <= m.customers.prospects_deterred);
        assert!(month.revenue_lost <= m.revenue.lost + 1e-9);
        assert_eq!(month.window_h, 30.0 * 24.0);
        some_inside += month.customers_lost;
    }
    assert!(some_inside > 0.0, "the lossy month lost someone");
    // Lost orders inside the window cost far more per week than outside it.
    let s = summary(&model);
    let month = &s.incidents[1];
    let inside = month.customers_lost.mean / 30.0;
    let outside = (month.cause_customers_lost.mean - month.customers_lost.mean) / 160.0;
    assert!(
        inside > 3.0 * outside,
        "{inside} per day inside, {outside} outside"
    );
}

#[test]
fn without_incidents_nothing_changes() {
    // The same scenario with an incident that changes nothing gives the same numbers
    // (its handoff draws for every transfer either way).
    let plain = parse(&desk("", ""), &[]);
    let same = parse(
        &desk(
            "[[incident]]\nname = \"noop\"\nfrom = \"20d\"\nto = \"40d\"\nhandoff = \"back->customer\"\nerror = 0.05\n",
            "",
        ),
        &[],
    );
    let a = engine::run(&plain, 0).unwrap();
    let mut b = engine::run(&same, 0).unwrap();
    assert_eq!(b.metrics.incidents.len(), 1);
    b.metrics.incidents.clear();
    assert_eq!(a.metrics, b.metrics);
}

#[test]
fn rework_is_the_service_of_caught_errors() {
    // Staff enough that nobody waits: each caught error is served again (1 h) at once.
    let model = parse(&desk("", ""), &[]);
    for r in 0..2 {
        let m = engine::run(&model, r).unwrap().metrics;
        let caught = m.handoffs[0].caught;
        assert!(caught > 100.0);
        assert_eq!(
            m.departments[0].rework_h,
            caught * 1.0,
            "desk redoes what back caught"
        );
        assert_eq!(m.departments[1].rework_h, 0.0, "nothing caught after back");
    }
}

#[test]
fn overrides_reach_incidents() {
    let source = desk(
        "[[incident]]\nname = \"migration\"\nfrom = \"50d\"\nto = \"100d\"\nhandoff = \"back->customer\"\nerror = 0.3\n",
        "",
    );
    let m = parse(
        &source,
        &[
            "incident.migration.error=0.45",
            "incident.migration.to=120d",
            "incident.migration.every=\"100d\"",
        ],
    );
    let i = &m.incidents[0];
    assert_eq!((i.to_h, i.every_h), (120.0 * 24.0, Some(100.0 * 24.0)));
    let IncidentTarget::Handoff { error, lose, .. } = i.target else {
        panic!("a handoff incident")
    };
    assert_eq!((error, lose), (Some(0.45), None));
    for (set, message) in [
        (
            "incident.migraton.error=0.1",
            "unknown incident `migraton` in override",
        ),
        (
            "incident.migration.eror=0.1",
            "unknown field `eror` in incident `migration`",
        ),
        ("incident.migration.error=1.5", "error"),
        ("incident.migration.staff=2", "`staff` changes a department"),
    ] {
        let o = Override::parse(set).unwrap();
        let d = scenario::parse_with(&source, "desk.toml", &[o]).unwrap_err();
        let text = d.render(false);
        assert!(text.contains(message), "{set}: {text}");
        assert!(
            text.contains("--> --set:1:"),
            "{set} points at the argument: {text}"
        );
    }
}

#[test]
fn mistakes_in_incidents_are_located_with_a_fix() {
    let cases = [
        (
            "name = \"x\"\nfrom = \"1d\"\nto = \"2d\"\nhandoff = \"back->customer\"\ndepartment = \"desk\"\nerror = 0.1\n",
            "names both a handoff and a department",
        ),
        (
            "name = \"x\"\nfrom = \"1d\"\nto = \"2d\"\nerror = 0.1\n",
            "names neither a handoff nor a department",
        ),
        (
            "name = \"x\"\nfrom = \"1d\"\nto = \"2d\"\nhandoff = \"bak->customer\"\nerror = 0.1\n",
            "did you mean `back->customer`?",
        ),
        (
            "name = \"x\"\nfrom = \"1d\"\nto = \"2d\"\ndepartment = \"dsk\"\nstaff = 0\n",
            "did you mean `desk`?",
        ),
        (
            "name = \"x\"\nfrom = \"3d\"\nto = \"2d\"\nhandoff = \"back->customer\"\nerror = 0.1\n",
            "`to` must be after `from`",
        ),
        (
            "name = \"x\"\nfrom = \"1d\"\nto = \"3d\"\nevery = \"2d\"\nhandoff = \"back->customer\"\nerror = 0.1\n",
            "`every` must be longer than the window",
        ),
        (
            "name = \"x\"\nfrom = \"1d\"\nto = \"3d\"\nhandoff = \"back->customer\"\n",
            "changes nothing",
        ),
        (
            "name = \"x\"\nfrom = \"1d\"\nto = \"3d\"\ndepartment = \"desk\"\nerror = 0.2\n",
            "`error` changes a handoff",
        ),
        (
            "name = \"x\"\nfrom = 1\nto = \"3d\"\ndepartment = \"desk\"\nstaff = 1\n",
            "needs a unit",
        ),
    ];
    for (body, message) in cases {
        let source = desk(&format!("[[incident]]\n{body}"), "");
        let d = scenario::parse_with(&source, "desk.toml", &[]).unwrap_err();
        let text = d.render(false);
        assert!(text.contains(message), "{body}: {text}");
        assert!(text.contains("--> desk.toml:"), "{body}: {text}");
        assert!(text.contains("help:"), "{body} has a fix: {text}");
    }
}
