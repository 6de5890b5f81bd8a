//! `handoff validate FILE…`: check scenarios without simulating them.

use std::path::PathBuf;

use handoff::model::Model;
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
    let line = format!(
        "{}: ok — {}, {}, {}\n",
        file.display(),
        count(model.departments.len(), "department", "departments"),
        count(model.flows.len(), "flow", "flows"),
        count(model.handoffs.len(), "handoff", "handoffs"),
    );
    output::write_stdout(line.as_bytes())?;
    for warning in overload_warnings(&model) {
        eprintln!("{warning}");
    }
    Ok(())
}

/// A warning for every department asked for more work than its staff can do, and
/// one when reorders without churn make the load grow for the whole run.
fn overload_warnings(model: &Model) -> Vec<String> {
    let c = &model.customers;
    // With reorders the load grows as customers come back: by the end of a run
    // of length T, each of the λ customers arriving per hour who is still buying
    // orders every m hours, and a customer still buys after s hours with
    // probability (1 − churn)^(s / m) (problems drive some away sooner, so this
    // is an upper bound). Orders per hour at T, per first order:
    // 1 + ∫_0^T (1 − churn)^(s / m) ds / m.
    let (growth, when) = match &c.reorder {
        None => (1.0, ""),
        Some(reorder) => {
            let cycles = model.simulation.duration_h / reorder.mean();
            let keep = 1.0 - c.churn;
            let returning = if keep >= 1.0 {
                cycles
            } else if keep <= 0.0 {
                0.0
            } else {
                (1.0 - keep.powf(cycles)) / -keep.ln()
            };
            (1.0 + returning, " by the end of the run, with reorders")
        }
    };
    let mut warnings: Vec<String> = model
        .offered_load()
        .iter()
        .zip(&model.departments)
        .map(|(load, d)| (load * growth, d))
        .filter(|(load, _)| *load >= 1.0)
        .map(|(load, d)| {
            format!(
                "warning: department `{}` is asked for {:.0} % of what its {} can do{when}: \
                 its queue will grow for as long as the run lasts.\n  \
                 = help: add staff, shorten its service, or lower the arrival rate (docs/scenario.md)",
                d.name,
                load * 100.0,
                human::plural(u64::from(d.staff), "person", "people"),
            )
        })
        .collect();
    if c.reorder.is_some() && c.churn == 0.0 {
        warnings.push(
            "note: customers reorder and never leave unless a problem drives them away \
             (`churn` is 0), so the customer base and the load grow for the whole run.\n  \
             = help: set `churn` in [customers] for a steady load (docs/customers.md)"
                .to_string(),
        );
    }
    warnings
}
