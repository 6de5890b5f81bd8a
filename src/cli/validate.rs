//! `handoff validate FILE…`: check scenarios without simulating them.
//!
//! Prints each department's expected load on standard output, and on standard
//! error the warnings that `run`, `compare`, `sweep` and `sensitivity` also print
//! before they simulate ([`warn_before_simulating`]).

use std::fmt::Write as _;
use std::path::PathBuf;

use handoff::model::{Model, Target};
use handoff::report::human;
use handoff::scenario::Override;

use super::{Failure, load_scenario, output};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  handoff validate scenarios/baseline.toml
  handoff validate scenarios/*.toml
  handoff validate scenarios/baseline.toml --set department.billing.staff=0")]
pub struct Args {
    /// The scenario files (TOML): each is checked, and every error in every file reported.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Change one value of the scenario (repeatable), e.g. `department.billing.staff=3`
    /// or `'handoff.billing->customer.error=0.1'`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<Override>,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    // Every file is checked; the first failure that is not bad input stops at once.
    let mut problems = Vec::new();
    for file in &args.files {
        match validate(file, &args.set) {
            Ok(()) => {}
            Err(Failure::Input(message)) => problems.push(message),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let joined: Vec<&str> = problems.iter().map(|m| m.trim_end()).collect();
    Err(Failure::Input(joined.join("\n\n")))
}

/// Check one file: an ok line on stdout (and warnings on stderr), or the errors.
fn validate(file: &std::path::Path, set: &[Override]) -> Result<(), Failure> {
    let model = load_scenario(file, set)?;
    let count = |n: usize, one, many| human::plural(n as u64, one, many);
    let mut text = format!(
        "{}: ok — {}, {}, {}\n",
        file.display(),
        count(model.departments.len(), "department", "departments"),
        count(model.flows.len(), "flow", "flows"),
        count(model.handoffs.len(), "handoff", "handoffs"),
    );
    text.push_str(&load_table(&model));
    output::write_stdout(text.as_bytes())?;
    for warning in warnings(&model) {
        eprintln!("{warning}");
    }
    Ok(())
}

/// Print the warnings of `validate` on standard error, before a command simulates
/// `model`; `origin` names the file when a command reads several.
pub fn warn_before_simulating(model: &Model, origin: Option<&str>) {
    for warning in warnings(model) {
        match origin {
            Some(file) => eprintln!("{file}: {warning}"),
            None => eprintln!("{warning}"),
        }
    }
}

/// A load as a percentage, whole, without absurd lengths.
fn percent(load: f64) -> String {
    if !load.is_finite() {
        "unbounded".to_owned()
    } else if load >= 100.0 {
        "over 10 000 %".to_owned()
    } else {
        format!("{:.0} %", load * 100.0)
    }
}

/// What `reorder` adds to the load estimate, in words.
fn load_basis(model: &Model) -> String {
    let mut basis = if model.customers.reorder.is_some() {
        "at most, by the end of the run: first orders, reorders and rework; complaints not included"
    } else {
        "first orders and rework; complaints not included"
    }
    .to_owned();
    if model.departments.iter().any(|d| d.hours.is_some()) || !model.pools.is_empty() {
        basis.push_str("; over open hours, pools shared");
    }
    if !model.incidents.is_empty() {
        // A window's staff, service and failure odds hold for part of the run only.
        basis.push_str("; incident windows not included");
    }
    basis
}

/// Every department's expected load, one per line.
fn load_table(model: &Model) -> String {
    let loads = model.expected_load();
    let idle = model.departments_in_no_flow();
    let desk = model.complaints.as_ref().map(|c| c.department);
    let width = model
        .departments
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("Expected load ({}):\n", load_basis(model));
    for (id, (d, load)) in model.departments.iter().zip(&loads).enumerate() {
        let value = if idle.contains(&id) {
            if desk == Some(id) {
                "complaints only (not estimated)".to_owned()
            } else {
                "0 % (in no flow)".to_owned()
            }
        } else {
            percent(*load)
        };
        let name = &d.name;
        let pad = width - name.chars().count();
        let _ = writeln!(out, "  {name}{}  {value}", " ".repeat(pad));
    }
    out
}

/// What `validate` warns about: overloaded departments (the load estimate of
/// [`Model::expected_load`]), departments that do nothing, customer settings
/// that do not do what they seem to, and truncated normals whose draws differ
/// from their parameters.
pub fn warnings(model: &Model) -> Vec<String> {
    let c = &model.customers;
    // With reorders the estimate is an upper bound (see `Model::reorder_growth`).
    let (asked, when, grows) = if c.reorder.is_some() {
        (
            "may be asked for up to",
            " by the end of the run, with reorders (an upper bound: lead times and customers lost to problems make it less)",
            "may grow",
        )
    } else {
        ("is asked for", "", "will grow")
    };
    let incidents = if model.incidents.is_empty() {
        ""
    } else {
        " (incident windows not included)"
    };
    let mut warnings: Vec<String> = model
        .expected_load()
        .iter()
        .zip(&model.departments)
        .filter(|(load, _)| **load >= 1.0)
        .map(|(load, d)| {
            format!(
                "warning: department `{}` {asked} {} of what {} can do{when}{incidents}: \
                 its queue {grows} for as long as the run lasts.\n  \
                 = help: add staff, shorten its service, or lower the arrival rate (docs/scenario.md)",
                &d.name,
                percent(*load),
                who_serves(model, d),
            )
        })
        .collect();
    let desk = model.complaints.as_ref().map(|c| c.department);
    for id in model.departments_in_no_flow() {
        if desk != Some(id) {
            warnings.push(format!(
                "warning: department `{}` is in no flow's steps and handles no complaints: \
                 it gets no work.\n  \
                 = help: add it to a [[flow]]'s `steps`, name it in [complaints] `department`, or remove it",
                &model.departments[id].name
            ));
        }
    }
    if c.reorder.is_some() && c.churn == 0.0 {
        warnings.push(
            "note: customers reorder and never leave unless a problem drives them away \
             (`churn` is 0), so the customer base and the load grow for the whole run.\n  \
             = help: set `churn` in [customers] for a steady load (docs/customers.md)"
                .to_string(),
        );
    }
    if c.reorder.is_none() && c.churn > 0.0 {
        warnings.push(
            "warning: `churn` is set but customers never reorder (no `reorder` in [customers]), \
             so `churn` changes nothing.\n  \
             = help: add `reorder = { dist = \"exponential\", mean = \"60d\" }`, or remove `churn`"
                .to_string(),
        );
    }
    if model.learning.as_ref().is_some_and(|l| l.rate > 0.0) && c.complain_share == 0.0 {
        warnings.push(
            "note: [learning] is on but nobody complains (`complain_share` is 0): silence \
             teaches nothing, so no handoff learns.\n  \
             = help: raise `complain_share` in [customers] for the organisation to learn (docs/scenario.md)"
                .to_string(),
        );
    }
    for (id, h) in model.handoffs.iter().enumerate() {
        if h.to == Target::Customer && h.catch > 0.0 && h.error > 0.0 {
            warnings.push(format!(
                "note: handoff `{}` has `catch = {}`: the customer notices that share of its errors \
                 on receipt and sends the work back; `{}` redoes it, and the delivery is later but \
                 not a defect.\n  \
                 = help: leave `catch` out on a handoff to the customer if every error should reach them (docs/scenario.md)",
                &model.handoff_name(id),
                h.catch,
                &model.departments[h.from].name,
            ));
        }
    }
    let end = model.simulation.duration_h;
    for i in model.incidents.iter().filter(|i| i.from_h >= end) {
        warnings.push(format!(
            "warning: incident `{}` starts at {} but the run ends at {}: it never happens.\n  \
             = help: move its `from` before the end of the run, or make `duration` longer",
            i.name,
            hours(i.from_h),
            hours(end),
        ));
    }
    let mut normals: Vec<(String, &handoff::model::Distribution)> = Vec::new();
    if let Some(r) = &c.reorder {
        normals.push(("customers.reorder".to_owned(), r));
    }
    for d in &model.departments {
        normals.push((format!("department `{}` service", &d.name), &d.service));
    }
    for (id, h) in model.handoffs.iter().enumerate() {
        if let Some(delay) = &h.delay {
            normals.push((
                format!("handoff `{}` delay", &model.handoff_name(id)),
                delay,
            ));
        }
    }
    for (what, d) in normals {
        if let Some((mean, cv, real_mean, real_cv)) = d.normal_truncation()
            && cv > NORMAL_CV_LIMIT
        {
            warnings.push(format!(
                "warning: {what} is a normal with mean {} and cv {cv:.2}; negative draws are redrawn, \
                 so its draws have mean {} and cv {real_cv:.2}.\n  \
                 = help: above cv {NORMAL_CV_LIMIT} use `lognormal` or `gamma`, which take `mean` and `cv` as they are (docs/scenario.md)",
                hours(mean),
                hours(real_mean),
            ));
        }
    }
    warnings
}

/// Who serves a department, for the overload warning: `its 2 people`, with
/// their open hours and the pools that help when there are any.
fn who_serves(model: &Model, d: &handoff::model::Department) -> String {
    let mut who = format!(
        "its {}",
        human::plural(u64::from(d.staff), "person", "people")
    );
    if let Some(h) = &d.hours {
        let _ = write!(who, " in {} open hours a week", h.open_hours_per_week());
    }
    let id = model.departments.iter().position(|x| std::ptr::eq(x, d));
    let pools: Vec<&str> = model
        .pools
        .iter()
        .filter(|p| id.is_some_and(|id| p.serves.contains(&id)))
        .map(|p| p.name.as_str())
        .collect();
    if !pools.is_empty() {
        let _ = write!(
            who,
            " and the pool{} `{}` (shared with the departments they serve)",
            if pools.len() > 1 { "s" } else { "" },
            pools.join("`, `")
        );
    }
    who
}

/// Above this cv a normal truncated at zero draws noticeably more than its `mean`
/// (0.7 % more at 0.4, 6 % at 0.6, 16 % at 0.8; docs/scenario.md).
const NORMAL_CV_LIMIT: f64 = 0.4;

/// Hours in a readable unit with enough decimals to show a truncation's effect.
fn hours(h: f64) -> String {
    if h >= 48.0 {
        format!("{:.2} d", h / 24.0)
    } else if h >= 1.0 {
        format!("{h:.2} h")
    } else {
        format!("{:.1} min", h * 60.0)
    }
}
