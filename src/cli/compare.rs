//! `handoff compare A.toml B.toml [C.toml …]`: run scenarios with common
//! random numbers and show each one's paired difference from the first.

use std::path::PathBuf;

use handoff::experiment::{self, Streams};
use handoff::report::{compare, human};
use handoff::scenario::Override;

use super::{Failure, load_scenario, output, progress};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario files (TOML): the first is the reference the others are compared with.
    #[arg(value_name = "FILE", num_args = 2.., required = true)]
    files: Vec<PathBuf>,
    /// Change one value of every scenario (repeatable), e.g. `department.billing.staff=3`;
    /// see docs/scenario.md.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<Override>,
    /// Seed for every scenario, instead of the first file's.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Replications of every scenario, instead of the first file's (at least 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    replications: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the comparison to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// No progress spinner.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// A table for people.
    Text,
    /// Every statistic and difference, for scripts.
    Json,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    // Check every file before simulating anything, and report every bad one.
    let mut models = Vec::with_capacity(args.files.len());
    let mut problems = Vec::new();
    for file in &args.files {
        match load_scenario(file, &args.set) {
            Ok(model) => models.push(model),
            Err(Failure::Input(message)) => problems.push(message),
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        let joined: Vec<&str> = problems.iter().map(|m| m.trim_end()).collect();
        return Err(Failure::Input(joined.join("\n\n")));
    }
    let first = &models[0].simulation;
    let seed = args.seed.unwrap_or(first.seed);
    let replications = args.replications.unwrap_or(first.replications).max(1);

    let spinner = progress::spinner(
        format!(
            "comparing {} scenarios: {} each",
            models.len(),
            human::plural(replications.into(), "replication", "replications"),
        ),
        args.quiet,
    );
    let comparison = experiment::compare(&models, seed, replications, Streams::Common);
    spinner.finish_and_clear();

    let files: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    let bytes = match args.format {
        Format::Text => compare::text(&comparison, &files).into_bytes(),
        Format::Json => compare::json(&comparison, &files),
    };
    match &args.output {
        Some(path) => output::write_atomically(path, &bytes)?,
        None => output::write_stdout(&bytes)?,
    }
    Ok(())
}
