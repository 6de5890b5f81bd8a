//! The command line: one file per command, shared plumbing here.
//!
//! This is the only module that uses clap, anyhow and indicatif, and the only
//! one (with `main.rs`) that prints. Commands return a [`Failure`]; `main`
//! prints it and exits with its code.

mod compare;
mod inspect;
mod interrupt;
mod merge;
mod output;
mod progress;
mod run;
mod sensitivity;
mod shard;
mod sweep;
pub(crate) mod validate;

use std::io::IsTerminal as _;
use std::path::Path;

use clap::{Parser, Subcommand};
use handoff::experiment::{MAX_DURATION_H, MAX_REPLICATIONS};
use handoff::model::Model;
use handoff::scenario::{self, Override};

/// Simulate how breaks between departments turn into lost customers.
#[derive(Debug, Parser)]
#[command(name = "handoff", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and print a report.
    Run(run::Args),
    /// Compare scenarios with common random numbers.
    Compare(compare::Args),
    /// Check a scenario file without simulating it.
    Validate(validate::Args),
    /// Run a scenario over a grid of parameter values (CSV or JSON out).
    Sweep(sweep::Args),
    /// Put the parts of a sharded `run` or `sweep` back together.
    Merge(merge::Args),
    /// Rank the scenario's parameters by their effect on lost customers (a tornado).
    Sensitivity(sensitivity::Args),
}

/// Run the command the user asked for.
pub fn run(cli: Cli) -> Result<(), Failure> {
    interrupt::install();
    match cli.command {
        Command::Run(args) => run::execute(args),
        Command::Compare(args) => compare::execute(args),
        Command::Validate(args) => validate::execute(args),
        Command::Sweep(args) => sweep::execute(args),
        Command::Merge(args) => merge::execute(args),
        Command::Sensitivity(args) => sensitivity::execute(args),
    }
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is wrong (a bad scenario, a file that cannot be read):
    /// the full message, ready to print. Exit code 2.
    Input(String),
    /// Anything else (cannot write the output, …). Exit code 1.
    Other(anyhow::Error),
    /// Stopped by Ctrl-C, with what was kept and how to go on. Exit code 130.
    Interrupted(String),
}

impl Failure {
    /// What to print on stderr, ending with a newline.
    pub fn message(&self) -> String {
        match self {
            Failure::Input(message) if message.ends_with('\n') => message.clone(),
            Failure::Input(message) | Failure::Interrupted(message) => format!("{message}\n"),
            Failure::Other(error) => format!("error: {error:#}\n"),
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Input(_) => 2,
            Failure::Other(_) => 1,
            Failure::Interrupted(_) => 130,
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure::Other(error)
    }
}

/// Read and check a scenario; a failure is the user's to fix.
/// What every simulating command may change about a scenario without editing it.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Change one value of the scenario (repeatable), e.g. `department.billing.staff=3`
    /// or `'handoff.billing->customer.error=0.1'`; see docs/scenario.md.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// Seed for the random streams, instead of the scenario's.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Replications, instead of the scenario's (1 to 1000000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_REPLICATIONS)))]
    pub replications: Option<u32>,
}

impl Settings {
    /// `--seed` and `--replications`, when given, replace the scenario's.
    pub fn apply(&self, model: &mut Model) {
        if let Some(seed) = self.seed {
            model.simulation.seed = seed;
        }
        if let Some(n) = self.replications {
            model.simulation.replications = n;
        }
    }
}

fn load_scenario(path: &Path, sets: &[Override]) -> Result<Model, Failure> {
    ScenarioFile::read(path, sets)?.model(&[])
}

/// A scenario file's text and the `--set` overrides given with it: read once,
/// built as often as a sweep or a sensitivity analysis needs.
#[derive(Debug, Clone)]
pub struct ScenarioFile {
    /// The file name as given, for messages.
    pub origin: String,
    pub text: String,
    pub sets: Vec<Override>,
}

impl ScenarioFile {
    /// Read `path`; a file that cannot be read is the user's to fix.
    pub fn read(path: &Path, sets: &[Override]) -> Result<ScenarioFile, Failure> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::Input(format!(
                "error: cannot read {}: {}",
                path.display(),
                io_reason(&e)
            ))
        })?;
        Ok(ScenarioFile {
            origin: path.display().to_string(),
            text,
            sets: sets.to_vec(),
        })
    }

    /// The model with the `--set` overrides, then `extra`, applied and checked.
    pub fn model(&self, extra: &[Override]) -> Result<Model, Failure> {
        let all: Vec<Override> = self.sets.iter().chain(extra).cloned().collect();
        let model = scenario::parse_with(&self.text, &self.origin, &all)
            .map_err(|d| Failure::Input(d.render(stderr_color())))?;
        let origin = if self.sets.is_empty() {
            self.origin.clone()
        } else {
            format!("{} with --set", self.origin)
        };
        check_limits(&model, &origin)?;
        Ok(model)
    }
}

/// Refuse counts above the documented maxima (docs/scenario.md), which bound
/// how long a command runs and how much it writes.
fn check_limits(model: &Model, origin: &str) -> Result<(), Failure> {
    let simulation = &model.simulation;
    if simulation.replications > MAX_REPLICATIONS {
        return Err(Failure::Input(format!(
            "error: {origin}: replications = {} is more than {MAX_REPLICATIONS}, the most a run may have (docs/scenario.md)\nhelp: a few hundred replications already give tight intervals; split long experiments with --shard I/N",
            simulation.replications
        )));
    }
    if simulation.duration_h > MAX_DURATION_H {
        return Err(Failure::Input(format!(
            "error: {origin}: the duration ({} days) is more than {} days (100 years), the longest a replication may simulate (docs/scenario.md)\nhelp: write the duration with its unit, e.g. `duration = \"365d\"`; for more data, add replications",
            handoff::scenario::format_number(simulation.duration_h / 24.0),
            handoff::scenario::format_number(MAX_DURATION_H / 24.0)
        )));
    }
    Ok(())
}

/// An I/O error in words, without the `(os error N)` suffix.
fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_owned(),
        _ => text,
    }
}

/// Colour on stderr only for a terminal, and never when `NO_COLOR` is set (https://no-color.org).
fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The language of the HTML report (`--lang`).
#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub enum Language {
    /// English.
    #[default]
    En,
    /// Spanish (español).
    Es,
}

impl From<Language> for handoff::report::html::Lang {
    fn from(l: Language) -> Self {
        match l {
            Language::En => handoff::report::html::Lang::En,
            Language::Es => handoff::report::html::Lang::Es,
        }
    }
}

/// Whether `path` names an HTML file (`.html` or `.htm`, any case).
pub fn is_html_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}
