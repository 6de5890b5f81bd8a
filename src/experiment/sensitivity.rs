//! One-at-a-time sensitivity: every numeric parameter of a scenario moved down
//! and up by a share (10 % by default), with common random numbers, ranked by
//! how much a metric (`customers.lost`) moves between the two — a tornado.
//!
//! [`parameters`] lists what can be varied and the `--set` values that vary it,
//! so the varied models are built by the scenario layer exactly as a user's
//! overrides would be: the paths shown are the ones users type. Counts (staff,
//! word of mouth) move by the share rounded, at least 1 (staff never below 1);
//! probabilities are clamped to [0, 1]; parameters at zero are skipped, since
//! a share of nothing is nothing. Parameters that no mechanism uses yet
//! ([`NOT_USED_YET`]) are not varied but listed apart, so that a zero effect is
//! not read as "this does not matter". A variant whose expected load
//! ([`Model::expected_load`]) reaches 100 % somewhere is marked as overloading.

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{self, RunError};
use crate::metrics::Stat;
use crate::model::{Distribution, IncidentTarget, Model, Target};
use crate::scenario::format_number;

/// Parameters the scenario reads and checks but no mechanism uses yet
/// (docs/customers.md, "Not yet"): varying them would show a zero effect.
pub const NOT_USED_YET: &[&str] = &["customers.abusive_share", "problem.friction"];

/// Parameters of [`NOT_USED_YET`] that a mechanism of `model` uses after all:
/// abuse and friction once a `[policy]` is there.
fn used_by(model: &Model, parameter: &str) -> bool {
    model.policy.is_some() && matches!(parameter, "customers.abusive_share" | "problem.friction")
}

/// A parameter to vary: where it lives and the values to set it to.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The parameter as reports name it: `department.sales.staff`, `department.sales.service.mean`.
    pub parameter: String,
    /// The override paths that may set it, to be tried in order; today always
    /// the parameter itself (`--set` takes `…service.mean` for a constant too).
    pub paths: Vec<String>,
    /// Its value now, the value below and the value above, as override values (`7d`, `3`, `0.05`).
    pub base: String,
    pub low: String,
    pub high: String,
}

/// How a value is written in an override.
#[derive(Clone, Copy)]
enum Unit {
    /// A plain number.
    Plain,
    /// A probability: clamped to [0, 1].
    Probability,
    /// A whole number, never below `min`.
    Count { min: u32 },
    /// A duration (the model holds hours).
    Duration,
    /// A rate (the model holds per hour): written per day.
    Rate,
}

/// A path segment, quoted when it holds anything but letters, digits, `_`, `-`, `>`.
fn segment(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '>'))
    {
        name.to_owned()
    } else {
        format!("\"{name}\"")
    }
}

/// `x` to 10 significant digits: `168.0 * 1.1` is `184.8`, not `184.80000000000001`.
fn tidy(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 10 - x.abs().log10().ceil() as i32;
    if !(-300..=300).contains(&digits) {
        return x;
    }
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

/// A duration in hours, written in the unit that reads best.
fn duration(hours: f64) -> String {
    let (x, unit) = if hours >= 24.0 {
        (hours / 24.0, "d")
    } else if hours >= 1.0 {
        (hours, "h")
    } else {
        (hours * 60.0, "m")
    };
    format!("{}{unit}", format_number(tidy(x)))
}

fn write(x: f64, unit: Unit) -> String {
    match unit {
        Unit::Duration => duration(x),
        Unit::Rate => format!("{}/d", format_number(tidy(x * 24.0))),
        Unit::Plain | Unit::Probability | Unit::Count { .. } => format_number(tidy(x)),
    }
}

/// `base` moved down and up by `by` (a share: 0.1 for 10 %), as `unit` allows.
fn vary(base: f64, by: f64, unit: Unit) -> (f64, f64) {
    match unit {
        Unit::Count { min } => {
            let step = (base * by).round().max(1.0);
            ((base - step).max(f64::from(min)), base + step)
        }
        Unit::Probability => (
            (base * (1.0 - by)).clamp(0.0, 1.0),
            (base * (1.0 + by)).clamp(0.0, 1.0),
        ),
        _ => (base * (1.0 - by), base * (1.0 + by)),
    }
}

#[derive(Default)]
struct List {
    out: Vec<Candidate>,
    /// Parameters of [`NOT_USED_YET`] the model uses after all (see [`used_by`]).
    used: Vec<&'static str>,
}

impl List {
    fn add(&mut self, path: String, base: f64, by: f64, unit: Unit) {
        self.add_at(path.clone(), vec![path], base, by, unit);
    }

    fn add_at(&mut self, parameter: String, paths: Vec<String>, base: f64, by: f64, unit: Unit) {
        let unused =
            NOT_USED_YET.contains(&parameter.as_str()) && !self.used.contains(&parameter.as_str());
        if base == 0.0 || !base.is_finite() || unused {
            return;
        }
        let (low, high) = vary(base, by, unit);
        self.out.push(Candidate {
            parameter,
            paths,
            base: write(base, unit),
            low: write(low, unit),
            high: write(high, unit),
        });
    }

    /// A distribution's mean (durations): `…service.mean`, which `--set` also
    /// takes for a constant (written as a duration or as a table).
    fn add_mean(&mut self, path: String, d: Option<&Distribution>, by: f64) {
        let Some(d) = d else { return };
        let parameter = format!("{path}.mean");
        let paths = vec![parameter.clone()];
        self.add_at(parameter, paths, d.mean(), by, Unit::Duration);
    }
}

/// Every numeric parameter of `model` that is not zero, moved by `by` (a share, 0.1 for 10 %).
pub fn parameters(model: &Model, by: f64) -> Vec<Candidate> {
    let mut l = List {
        used: NOT_USED_YET
            .iter()
            .copied()
            .filter(|p| used_by(model, p))
            .collect(),
        ..List::default()
    };
    let c = &model.customers;
    l.add(
        "customers.arrival_rate".into(),
        c.arrival_rate_per_h,
        by,
        Unit::Rate,
    );
    l.add_mean("customers.reorder".into(), c.reorder.as_ref(), by);
    l.add(
        "customers.order_value".into(),
        c.order_value,
        by,
        Unit::Plain,
    );
    l.add("customers.promise".into(), c.promise_h, by, Unit::Duration);
    l.add(
        "customers.patience".into(),
        c.patience_h,
        by,
        Unit::Duration,
    );
    let p = Unit::Probability;
    l.add("customers.complain_share".into(), c.complain_share, by, p);
    l.add(
        "customers.word_of_mouth".into(),
        f64::from(c.word_of_mouth),
        by,
        Unit::Count { min: 0 },
    );
    l.add("customers.deter".into(), c.deter, by, p);
    l.add("customers.abusive_share".into(), c.abusive_share, by, p);
    l.add("customers.churn".into(), c.churn, by, p);
    let o = &model.problem;
    for (name, v) in [
        ("late", o.late),
        ("lost_order", o.lost_order),
        ("defect", o.defect),
        ("rude", o.rude),
        ("friction", o.friction),
    ] {
        if name == "rude" && !model.has_rude_contacts() {
            // Without a rude department that deals with customers there is no
            // rude contact to be a problem.
            continue;
        }
        l.add(format!("problem.{name}"), v, by, p);
    }
    let s = &model.stay;
    for (name, v) in [
        ("silent", s.silent),
        ("unresolved", s.unresolved),
        ("resolved", s.resolved),
        ("resolved_quickly", s.resolved_quickly),
        ("recovery_paradox", s.recovery_paradox),
    ] {
        l.add(format!("stay.{name}"), v, by, p);
    }
    if let Some(k) = &model.complaints {
        l.add("complaints.empowerment".into(), k.empowerment, by, p);
        l.add(
            "complaints.resolve_within".into(),
            k.resolve_within_h,
            by,
            Unit::Duration,
        );
    }
    if let Some(learning) = &model.learning {
        l.add("learning.rate".into(), learning.rate, by, p);
        l.add("learning.lag".into(), learning.lag_h, by, Unit::Duration);
        if let Some(forget) = learning.forget_h {
            l.add("learning.forget".into(), forget, by, Unit::Duration);
        }
    }
    if let Some(policy) = &model.policy {
        l.add("policy.strictness".into(), policy.strictness, by, p);
        l.add(
            "policy.abuse_cost".into(),
            policy.abuse_cost,
            by,
            Unit::Plain,
        );
    }
    let meets = model.meets_customers();
    for (d, &meets) in model.departments.iter().zip(&meets) {
        let at = format!("department.{}", segment(&d.name));
        l.add(
            format!("{at}.staff"),
            f64::from(d.staff),
            by,
            Unit::Count { min: 1 },
        );
        l.add_mean(format!("{at}.service"), Some(&d.service), by);
        if meets {
            // Elsewhere `rude` does nothing (no contact with the customer): listed in `not_used`.
            l.add(format!("{at}.rude"), d.rude, by, p);
        }
    }
    for pool in &model.pools {
        l.add(
            format!("pool.{}.staff", segment(&pool.name)),
            f64::from(pool.staff),
            by,
            Unit::Count { min: 1 },
        );
    }
    for incident in &model.incidents {
        // How bad the window is; when it happens is listed by [`not_varied`].
        let at = format!("incident.{}", segment(&incident.name));
        match &incident.target {
            IncidentTarget::Handoff {
                lose,
                error,
                catch,
                delay,
                ..
            } => {
                l.add(format!("{at}.lose"), lose.unwrap_or(0.0), by, p);
                l.add(format!("{at}.error"), error.unwrap_or(0.0), by, p);
                l.add(format!("{at}.catch"), catch.unwrap_or(0.0), by, p);
                if let Some(delay) = delay {
                    l.add_mean(format!("{at}.delay"), delay.as_ref(), by);
                }
            }
            IncidentTarget::Department { staff, service, .. } => {
                if let Some(staff) = staff {
                    l.add(
                        format!("{at}.staff"),
                        f64::from(*staff),
                        by,
                        Unit::Count { min: 0 },
                    );
                }
                l.add_mean(format!("{at}.service"), service.as_ref(), by);
            }
        }
    }
    if let Some(m) = &model.morale {
        l.add("morale.comfortable".into(), m.comfortable, by, p);
        l.add("morale.upstream".into(), m.upstream, by, Unit::Plain);
        l.add("morale.sensitivity".into(), m.sensitivity, by, Unit::Plain);
        l.add("morale.adjust".into(), m.adjust_h, by, Unit::Duration);
    }
    for (id, h) in model.handoffs.iter().enumerate() {
        let name = format!(
            "{}->{}",
            model.departments[h.from].name,
            match h.to {
                Target::Customer => "customer",
                Target::Department(d) => &model.departments[d].name,
            }
        );
        debug_assert_eq!(name, model.handoff_name(id));
        let at = format!("handoff.{}", segment(&name));
        l.add_mean(format!("{at}.delay"), h.delay.as_ref(), by);
        l.add(format!("{at}.lose"), h.lose, by, p);
        l.add(format!("{at}.error"), h.error, by, p);
        if h.error > 0.0 {
            // Without errors there is nothing to catch.
            l.add(format!("{at}.catch"), h.catch, by, p);
        }
    }
    l.out
}

/// What the scenario sets that [`parameters`] does not vary on purpose, each
/// with the reason, so that a missing bar is not read as "this does not matter":
/// staff `cost` (money only: it changes `revenue.staff_cost` and no customer
/// number, the ranking's usual metric), opening `hours` (a timetable, not an
/// amount), flow and complaint `priority` (an order, not an amount) and when an
/// incident happens (`from`, `to`, `every`).
pub fn not_varied(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    let money = "money only: it changes revenue.staff_cost and no customer number";
    for d in &model.departments {
        let at = format!("department.{}", segment(&d.name));
        if d.cost > 0.0 {
            out.push(format!("{at}.cost: {money}"));
        }
        if d.hours.is_some() {
            out.push(format!(
                "{at}.hours: a timetable, not an amount; compare timetables with `compare` or --variant"
            ));
        }
    }
    for pool in &model.pools {
        let at = format!("pool.{}", segment(&pool.name));
        if pool.cost > 0.0 {
            out.push(format!("{at}.cost: {money}"));
        }
        if pool.hours.is_some() {
            out.push(format!(
                "{at}.hours: a timetable, not an amount; compare timetables with `compare` or --variant"
            ));
        }
    }
    let mut priorities: Vec<i32> = model
        .flows
        .iter()
        .map(|f| f.priority)
        .chain(model.complaints.as_ref().map(|c| c.priority))
        .collect();
    priorities.sort_unstable();
    priorities.dedup();
    if priorities.len() > 1 {
        out.push(
            "priority: an order of service, not an amount; compare orders with `compare` or --variant"
                .to_owned(),
        );
    }
    for incident in &model.incidents {
        out.push(format!(
            "incident.{}.from/to/every: when the window happens, not how bad it is; move it with sweep",
            segment(&incident.name)
        ));
    }
    out
}

/// One parameter's effect: the metric with the parameter low and high.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    pub parameter: String,
    /// The override path used (`department.sales.service.mean`, or `…service` for a constant).
    pub path: String,
    pub base_value: String,
    pub low_value: String,
    pub high_value: String,
    /// The metric's mean over replications with the parameter low, and high.
    pub low: f64,
    pub high: f64,
    /// `|high − low|`: what the tornado ranks by.
    pub effect: f64,
    /// The 95 % half-width of `high − low`, paired by replication (common random numbers).
    pub effect_ci95: Option<f64>,
    /// Whether the 95 % interval of `high − low` excludes zero.
    pub significant: bool,
    /// Departments whose expected load reaches 100 % with the parameter low, and high.
    pub overloaded_low: Vec<String>,
    pub overloaded_high: Vec<String>,
}

/// The departments of `model` whose expected load reaches 100 %.
pub fn overloaded(model: &Model) -> Vec<String> {
    model
        .expected_load()
        .iter()
        .zip(&model.departments)
        .filter(|(load, _)| **load >= 1.0)
        .map(|(_, d)| d.name.clone())
        .collect()
}

/// A sensitivity analysis: the metric at the base, and each parameter's effect, largest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    pub version: &'static str,
    pub scenario: String,
    pub metric: String,
    /// The share each parameter moved by (0.1 for ±10 %).
    pub by: f64,
    pub seed: u64,
    pub replications: u32,
    pub base: Stat,
    pub parameters: Vec<Effect>,
    /// Parameters that could not be varied through an override (a distribution
    /// given without a `mean`, such as `uniform`), with the reason.
    pub not_varied: Vec<String>,
    /// Parameters the scenario sets but no mechanism uses yet ([`NOT_USED_YET`]).
    pub not_used: Vec<String>,
}

/// The parameters of [`NOT_USED_YET`] that `model` sets above zero,
/// `problem.rude` when no department that deals with customers is ever rude
/// (then no contact is rude), and the `rude` of departments that never deal
/// with a customer (not a flow's last step, not the complaints department).
pub fn not_used(model: &Model) -> Vec<String> {
    let c = &model.customers;
    let rude = if model.has_rude_contacts() {
        0.0
    } else {
        model.problem.rude
    };
    let mut out: Vec<String> = [
        ("customers.abusive_share", c.abusive_share),
        ("problem.rude", rude),
        ("problem.friction", model.problem.friction),
    ]
    .into_iter()
    .filter(|(name, v)| *v != 0.0 && !used_by(model, name))
    .map(|(name, _)| name.to_owned())
    .collect();
    let meets = model.meets_customers();
    out.extend(
        model
            .departments
            .iter()
            .zip(&meets)
            .filter(|(d, meets)| !**meets && d.rude > 0.0)
            .map(|(d, _)| format!("department.{}.rude", segment(&d.name))),
    );
    out
}

/// A parameter with its two models built (by the caller, through overrides).
#[derive(Debug, Clone)]
pub struct Varied {
    pub candidate: Candidate,
    /// The path that worked.
    pub path: String,
    pub low: Model,
    pub high: Model,
}

/// The named metric in one replication of `model`; `None` if no such metric.
fn metric_of(model: &Model, r: u32, metric: &str) -> Result<Option<f64>, RunError> {
    Ok(engine::run(model, r)?
        .metrics
        .named()
        .into_iter()
        .find(|(k, _)| k == metric)
        .map(|(_, v)| v))
}

/// Run `base` and every varied model (the base's seed and replications for all),
/// calling `done` after each replication, and rank the parameters by effect on
/// `metric`. `Err` names a metric that does not exist.
pub fn analyse(
    base: &Model,
    varied: Vec<Varied>,
    not_varied: Vec<String>,
    metric: &str,
    by: f64,
    done: &(dyn Fn() + Sync),
) -> Result<Sensitivity, String> {
    let base_stat = base_stat(base, metric, done)?;
    let n = base.simulation.replications.max(1);
    let parameters: Vec<Effect> = varied
        .into_par_iter()
        .map(|v| effect(v, n, metric, done))
        .collect::<Result<_, _>>()?;
    Ok(ranked(base, metric, by, base_stat, parameters, not_varied))
}

/// The values of `metric` in replications `0..n` of `m`, calling `done` after each.
fn column(m: &Model, n: u32, metric: &str, done: &(dyn Fn() + Sync)) -> Result<Vec<f64>, String> {
    let values: Vec<Result<Option<f64>, RunError>> = (0..n)
        .into_par_iter()
        .map(|r| {
            let v = metric_of(m, r, metric);
            done();
            v
        })
        .collect();
    // The first error in replication order, whatever the number of threads.
    values
        .into_iter()
        .map(|v| match v {
            Ok(Some(x)) => Ok(x),
            Ok(None) => Err(format!("no metric `{metric}`; try `customers.lost`, `revenue.lost`, `orders.late` or `departments.NAME.mean_wait_h`")),
            Err(e) => Err(e.to_string()),
        })
        .collect()
}

/// `metric` at the base: its replications, summarised.
pub fn base_stat(base: &Model, metric: &str, done: &(dyn Fn() + Sync)) -> Result<Stat, String> {
    let n = base.simulation.replications.max(1);
    Ok(Stat::from_values(&column(base, n, metric, done)?))
}

/// One varied parameter's effect on `metric`, over `n` paired replications.
/// Parameters are independent: an analysis can stop and resume between them.
pub fn effect(v: Varied, n: u32, metric: &str, done: &(dyn Fn() + Sync)) -> Result<Effect, String> {
    let low = column(&v.low, n, metric, done)?;
    let high = column(&v.high, n, metric, done)?;
    let diffs: Vec<f64> = high.iter().zip(&low).map(|(h, l)| h - l).collect();
    let d = Stat::from_values(&diffs);
    let significant = d.ci95.is_some_and(|h| d.mean.abs() > h);
    Ok(Effect {
        parameter: v.candidate.parameter,
        path: v.path,
        base_value: v.candidate.base,
        low_value: v.candidate.low,
        high_value: v.candidate.high,
        low: Stat::from_values(&low).mean,
        high: Stat::from_values(&high).mean,
        effect: d.mean.abs(),
        effect_ci95: d.ci95,
        significant,
        overloaded_low: overloaded(&v.low),
        overloaded_high: overloaded(&v.high),
    })
}

/// The analysis from the base's statistic and every parameter's effect (in any order).
pub fn ranked(
    base: &Model,
    metric: &str,
    by: f64,
    base_stat: Stat,
    mut parameters: Vec<Effect>,
    not_varied: Vec<String>,
) -> Sensitivity {
    parameters.sort_by(|a, b| {
        b.effect
            .total_cmp(&a.effect)
            .then_with(|| a.parameter.cmp(&b.parameter))
    });
    Sensitivity {
        version: super::shard::VERSION,
        scenario: base.name.clone(),
        metric: metric.to_owned(),
        by,
        seed: base.simulation.seed,
        replications: base.simulation.replications.max(1),
        base: base_stat,
        parameters,
        not_varied,
        not_used: not_used(base),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_vary_as_their_kind_allows() {
        assert_eq!(vary(3.0, 0.1, Unit::Count { min: 1 }), (2.0, 4.0));
        assert_eq!(vary(1.0, 0.1, Unit::Count { min: 1 }), (1.0, 2.0));
        assert_eq!(vary(30.0, 0.1, Unit::Count { min: 1 }), (27.0, 33.0));
        assert_eq!(vary(0.95, 0.1, Unit::Probability), (0.855, 1.0));
        assert_eq!(write(168.0 * 1.1, Unit::Duration), "7.7d");
        assert_eq!(write(0.5, Unit::Duration), "30m");
        assert_eq!(write(2.2, Unit::Duration), "2.2h");
        assert_eq!(write(0.5, Unit::Rate), "12/d");
        assert_eq!(segment("customer care"), "\"customer care\"");
        assert_eq!(segment("sales->customer"), "sales->customer");
    }

    #[test]
    fn parameters_no_mechanism_uses_are_not_varied() {
        let model = crate::scenario::parse(
            include_str!("../../scenarios/baseline.toml"),
            "baseline.toml",
        )
        .unwrap();
        let names: Vec<String> = parameters(&model, 0.1)
            .into_iter()
            .map(|c| c.parameter)
            .collect();
        for unused in NOT_USED_YET {
            assert!(!names.iter().any(|n| n == unused), "{unused} in {names:?}");
        }
        assert!(names.iter().any(|n| n == "problem.late"), "{names:?}");
        // No department of the baseline is rude: `problem.rude` is set and unused too.
        assert!(!names.iter().any(|n| n == "problem.rude"), "{names:?}");
        let unused = not_used(&model);
        assert_eq!(unused.len(), NOT_USED_YET.len() + 1, "{unused:?}");
        assert!(unused.iter().any(|n| n == "problem.rude"));
        // Billing delivers to the customer: its rudeness is a contact.
        let mut rude = model.clone();
        rude.departments[2].rude = 0.01;
        assert!(!not_used(&rude).iter().any(|n| n == "problem.rude"));
        let names: Vec<String> = parameters(&rude, 0.1)
            .into_iter()
            .map(|c| c.parameter)
            .collect();
        for used in ["problem.rude", "department.billing.rude"] {
            assert!(names.iter().any(|n| n == used), "{used} in {names:?}");
        }
    }

    #[test]
    fn rudeness_where_no_customer_is_met_is_not_varied() {
        // Sales hands work on to production: it never deals with a customer,
        // so its `rude` (and with it `problem.rude`) changes nothing.
        let mut model = crate::scenario::parse(
            include_str!("../../scenarios/baseline.toml"),
            "baseline.toml",
        )
        .unwrap();
        assert_eq!(model.departments[0].name, "sales");
        model.departments[0].rude = 0.2;
        assert_eq!(model.meets_customers(), vec![false, false, true, true]);
        assert!(!model.has_rude_contacts());
        let names: Vec<String> = parameters(&model, 0.1)
            .into_iter()
            .map(|c| c.parameter)
            .collect();
        for unused in ["department.sales.rude", "problem.rude"] {
            assert!(!names.iter().any(|n| n == unused), "{unused} in {names:?}");
        }
        let unused = not_used(&model);
        for listed in ["department.sales.rude", "problem.rude"] {
            assert!(unused.iter().any(|n| n == listed), "{listed}: {unused:?}");
        }
        // The complaints desk deals with customers: its rudeness is used.
        model.departments[3].rude = 0.1;
        assert!(model.has_rude_contacts());
        assert!(
            parameters(&model, 0.1)
                .iter()
                .any(|c| c.parameter == "department.support.rude")
        );
    }

    #[test]
    fn structures_are_varied_or_listed_with_a_reason() {
        let parse = |text: &str, name: &str| crate::scenario::parse(text, name).unwrap();
        let pooled = parse(
            include_str!("../../scenarios/cross-functional.toml"),
            "cross-functional.toml",
        );
        let names: Vec<String> = parameters(&pooled, 0.1)
            .into_iter()
            .map(|c| c.parameter)
            .collect();
        assert!(names.iter().any(|n| n == "pool.team.staff"), "{names:?}");
        assert!(!names.iter().any(|n| n.ends_with(".cost")), "{names:?}");
        let listed = not_varied(&pooled);
        assert!(
            listed
                .iter()
                .any(|n| n.starts_with("pool.team.cost: money only")),
            "{listed:?}"
        );
        let migration = parse(
            include_str!("../../scenarios/billing-migration.toml"),
            "billing-migration.toml",
        );
        let names: Vec<String> = parameters(&migration, 0.1)
            .into_iter()
            .map(|c| c.parameter)
            .collect();
        let incident = &migration.incidents[0];
        let at = format!("incident.{}.", segment(&incident.name));
        assert!(names.iter().any(|n| n.starts_with(&at)), "{names:?}");
        assert!(
            not_varied(&migration)
                .iter()
                .any(|n| n.starts_with(&format!("{at}from/to/every"))),
            "{:?}",
            not_varied(&migration)
        );
        let office = parse(
            include_str!("../../scenarios/office-hours.toml"),
            "office-hours.toml",
        );
        assert!(
            not_varied(&office)
                .iter()
                .any(|n| n.contains(".hours: a timetable")),
            "{:?}",
            not_varied(&office)
        );
    }

    #[test]
    fn learning_policy_and_abuse_are_varied_once_used() {
        let model = crate::scenario::parse(
            include_str!("../../scenarios/strict-policies.toml"),
            "strict-policies.toml",
        )
        .unwrap();
        let names: Vec<String> = parameters(&model, 0.1)
            .into_iter()
            .map(|c| c.parameter)
            .collect();
        for used in [
            "customers.abusive_share",
            "problem.friction",
            "policy.strictness",
            "policy.abuse_cost",
        ] {
            assert!(names.iter().any(|n| n == used), "{used} not in {names:?}");
        }
        assert!(!not_used(&model).iter().any(|n| n == "problem.friction"));
        let model = crate::scenario::parse(
            include_str!("../../scenarios/learning-organisation.toml"),
            "learning-organisation.toml",
        )
        .unwrap();
        let names: Vec<String> = parameters(&model, 0.1)
            .into_iter()
            .map(|c| c.parameter)
            .collect();
        for used in ["learning.rate", "learning.lag", "learning.forget"] {
            assert!(names.iter().any(|n| n == used), "{used} not in {names:?}");
        }
    }
}
