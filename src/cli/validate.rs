//! `handoff validate FILE`: check a scenario without simulating it.

use std::path::PathBuf;

use handoff::report::human;

use super::{Failure, load_scenario, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (TOML); see docs/scenario.md.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let model = load_scenario(&args.file)?;
    let count = |n: usize, one, many| human::plural(n as u64, one, many);
    let line = format!(
        "{}: ok — {}, {}, {}\n",
        args.file.display(),
        count(model.departments.len(), "department", "departments"),
        count(model.flows.len(), "flow", "flows"),
        count(model.handoffs.len(), "handoff", "handoffs"),
    );
    output::write_stdout(line.as_bytes())?;
    Ok(())
}
