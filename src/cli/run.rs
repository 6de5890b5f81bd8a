//! `handoff run FILE`: simulate a scenario and print (or write) a report.

use std::path::PathBuf;
use std::time::Duration;

use handoff::experiment;
use handoff::report::{self, human};
use indicatif::{ProgressBar, ProgressStyle};

use super::{Failure, load_scenario, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (TOML); see docs/scenario.md.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Seed for the random streams, instead of the scenario's.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Number of replications, instead of the scenario's (at least 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    replications: Option<u32>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// A report for people.
    Text,
    /// Every statistic, for scripts.
    Json,
}

impl From<Format> for report::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Text => report::Format::Text,
            Format::Json => report::Format::Json,
        }
    }
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let mut model = load_scenario(&args.file)?;
    if let Some(seed) = args.seed {
        model.simulation.seed = seed;
    }
    if let Some(n) = args.replications {
        model.simulation.replications = n;
    }

    // Shown only when stderr is a terminal.
    let spinner = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("a valid template"),
    );
    spinner.set_message(format!(
        "simulating {}: {} × {} days",
        model.name,
        human::plural(
            model.simulation.replications.into(),
            "replication",
            "replications"
        ),
        human::days(model.simulation.duration_h),
    ));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let outcome = experiment::replicate(&model);
    spinner.finish_and_clear();

    let bytes = report::render(&outcome, args.format.into());
    match &args.output {
        Some(path) => output::write_atomically(path, &bytes)?,
        None => output::write_stdout(&bytes)?,
    }
    Ok(())
}
