//! `handoff validate FILE`: check a scenario without simulating it.

use std::path::PathBuf;

use handoff::model::Model;
use handoff::report::human;
use handoff::scenario::Override;

use super::{Failure, load_scenario, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (TOML); see docs/scenario.md.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Change one value of the scenario (repeatable), e.g. `department.billing.staff=3`
    /// or `'handoff.billing->customer.error=0.1'`; see docs/scenario.md.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<Override>,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let model = load_scenario(&args.file, &args.set)?;
    let count = |n: usize, one, many| human::plural(n as u64, one, many);
    let line = format!(
        "{}: ok — {}, {}, {}\n",
        args.file.display(),
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

/// A warning for every department asked for more work than its staff can do.
fn overload_warnings(model: &Model) -> Vec<String> {
    let more = if model.customers.reorder.is_some() {
        " before reorders, which add more"
    } else {
        ""
    };
    model
        .offered_load()
        .iter()
        .zip(&model.departments)
        .filter(|(load, _)| **load >= 1.0)
        .map(|(load, d)| {
            format!(
                "warning: department `{}` is asked for {:.0} % of what its {} can do{more}: \
                 its queue will grow for as long as the run lasts.\n  \
                 = help: add staff, shorten its service, or lower the arrival rate (docs/scenario.md)",
                d.name,
                load * 100.0,
                human::plural(u64::from(d.staff), "person", "people"),
            )
        })
        .collect()
}
