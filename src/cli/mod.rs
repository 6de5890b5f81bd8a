//! The command line: one file per command, shared plumbing here.
//!
//! This is the only module that uses clap (with clap_complete and clap_mangen), anyhow and indicatif, and the only
//! one (with `main.rs`) that prints. Commands return a [`Failure`]; `main`
//! prints it and exits with its code.

mod compare;
mod format;
mod inspect;
mod interrupt;
mod kept;
mod memory;
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

use clap::{CommandFactory as _, Parser, Subcommand};
use handoff::experiment::{MAX_DURATION_H, MAX_REPLICATIONS};
use handoff::model::Model;
use handoff::scenario::{self, Override};

/// Simulate how breaks between departments turn into lost customers.
#[derive(Debug, Parser)]
#[command(
    name = "handoff",
    version,
    about,
    propagate_version = true,
    after_help = "Examples:
  handoff validate scenarios/*.toml
  handoff run scenarios/baseline.toml
  handoff run scenarios/silent-majority.toml --explain 3 -o report.txt
  handoff compare scenarios/baseline.toml --variant 'billing x3: department.billing.staff=3'
  handoff sweep scenarios/baseline.toml --vary department.production.staff=4,5 -o sweep.csv

Every option: `handoff COMMAND --help`, or its manual page: `handoff man COMMAND`.
Exit codes: 0 ok, 2 bad input, 1 anything else, 130 interrupted."
)]
pub struct Cli {
    /// Worker threads (default: one per core); the output is the same for any number.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..), allow_negative_numbers = true)]
    threads: Option<u16>,
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
    /// Print a shell completion script.
    ///
    /// For example `handoff completions bash > ~/.local/share/bash-completion/completions/handoff`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of handoff or of one command.
    ///
    /// For example `handoff man run | man -l -`.
    Man {
        /// The command whose page to print (none: handoff's own).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

/// Run the command the user asked for.
pub fn run(cli: Cli) -> Result<(), Failure> {
    interrupt::install();
    if let Some(n) = cli.threads {
        // Only the pool size changes: every replication keeps its own seeded streams.
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.into())
            .build_global()
            .map_err(|e| Failure::Other(anyhow::anyhow!("cannot start {n} threads: {e}")))?;
    }
    memory::limit_replications(rayon::current_num_threads());
    match cli.command {
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "handoff", &mut out);
            output::write_stdout(&out)?;
            Ok(())
        }
        Command::Man { command } => manual(command.as_deref()),
        Command::Run(args) => run::execute(args),
        Command::Compare(args) => compare::execute(args),
        Command::Validate(args) => validate::execute(args),
        Command::Sweep(args) => sweep::execute(args),
        Command::Merge(args) => merge::execute(args),
        Command::Sensitivity(args) => sensitivity::execute(args),
    }
}

/// `handoff man [COMMAND]`: the roff page of handoff, or of one of its commands.
fn manual(command: Option<&str>) -> Result<(), Failure> {
    let mut top = Cli::command();
    top.build();
    let page = match command {
        None => top,
        Some(name) => {
            let Some(sub) = top.find_subcommand(name).cloned() else {
                let names: Vec<String> = top
                    .get_subcommands()
                    .map(|c| c.get_name().to_owned())
                    .collect();
                return Err(Failure::Input(format!(
                    "error: handoff has no command `{name}`\n  help: one of {}",
                    names.join(", ")
                )));
            };
            sub
        }
    };
    let out = man_page(&page).map_err(|e| Failure::Other(e.into()))?;
    output::write_stdout(&out)?;
    Ok(())
}

/// The roff page of `cmd`: clap_mangen's, but with our own EXTRA section (the
/// `after_help`), whose examples clap_mangen writes as filled text, to be
/// justified, hyphenated mid-command or run together. See [`extra_section`].
fn man_page(cmd: &clap::Command) -> std::io::Result<Vec<u8>> {
    let extra = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|text| extra_section(&text.to_string()));
    let plain = cmd
        .clone()
        .after_help(None::<&str>)
        .after_long_help(None::<&str>);
    let mut page = Vec::new();
    clap_mangen::Man::new(plain).render(&mut page)?;
    let mut page = String::from_utf8(page).map_err(std::io::Error::other)?;
    if let Some(extra) = extra {
        // Where clap_mangen puts it: after the options and commands.
        let at = ["\n.SH VERSION\n", "\n.SH AUTHORS\n"]
            .iter()
            .find_map(|heading| page.find(heading).map(|i| i + 1))
            .unwrap_or(page.len());
        page.insert_str(at, &extra);
    }
    Ok(page.into_bytes())
}

/// The `after_help` text as a roff EXTRA section, its lines kept as `--help`
/// prints them: the indented lines (the commands under `Examples:`) set
/// indented and as written (`.nf`: not filled, justified or hyphenated), each
/// other line on a line of its own (`.br`), a blank line a new paragraph.
fn extra_section(text: &str) -> String {
    const NONE: [&str; 0] = [];
    let mut roff = roff::Roff::new();
    roff.control("SH", ["EXTRA"]);
    let mut verbatim = false;
    let mut line_before = false;
    for line in text.lines() {
        let command = line.starts_with("  ");
        if verbatim && !command {
            roff.control("fi", NONE).control("RE", NONE);
            verbatim = false;
        }
        if line.trim().is_empty() {
            roff.control("PP", NONE);
            line_before = false;
            continue;
        }
        if command && !verbatim {
            roff.control("RS", ["2"]).control("nf", NONE);
            verbatim = true;
        } else if !command && line_before {
            roff.control("br", NONE);
        }
        roff.text([roff::roman(line.trim_start())]);
        line_before = true;
    }
    if verbatim {
        roff.control("fi", NONE).control("RE", NONE);
    }
    // Without the preamble defining `\*(Aq` (a straight quote, for commands to
    // copy), which the page has already.
    roff.render()
        .lines()
        .filter(|l| !l.starts_with(".ie \\n(.g .ds Aq") && !l.starts_with(".el .ds Aq"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is wrong (a bad scenario, a file that cannot be read,
    /// an output that cannot be written: a full disk): the full message,
    /// ready to print. Exit code 2.
    Input(String),
    /// Anything else (a thread pool that cannot start, …). Exit code 1.
    Other(anyhow::Error),
    /// Stopped by Ctrl-C, with what was kept and how to go on. Exit code 130.
    Interrupted(String),
}

impl Failure {
    /// What to print on stderr, ending with a newline. Control characters
    /// quoted from the input (a file name, a part's contents) are escaped, so
    /// no message can drive the terminal; only colours survive, and only when
    /// stderr is a colour terminal.
    pub fn message(&self) -> String {
        let text = match self {
            Failure::Input(message) if message.ends_with('\n') => message.clone(),
            Failure::Input(message) | Failure::Interrupted(message) => format!("{message}\n"),
            Failure::Other(error) => format!("error: {error:#}\n"),
        };
        printable(&text, stderr_color())
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

/// A scenario that ran away (too much work in progress, a clock that stands
/// still) is the user's to fix.
impl From<handoff::engine::RunError> for Failure {
    fn from(error: handoff::engine::RunError) -> Self {
        Failure::Input(format!("error: {error}"))
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
    /// or `'handoff.billing->customer.error=0.1'` (a path of the scenario's fields).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// Seed for the random streams, instead of the scenario's (0 to 18446744073709551615).
    #[arg(long, value_name = "N", value_parser = parse_seed, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Replications, instead of the scenario's (1 to 1000000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_REPLICATIONS)), allow_negative_numbers = true)]
    pub replications: Option<u32>,
}

/// `--seed N`: a whole number that fits in 64 bits, as in the scenario file.
fn parse_seed(given: &str) -> Result<u64, String> {
    given
        .trim()
        .parse()
        .map_err(|_| format!("`{given}`: a seed is a whole number from 0 to {}", u64::MAX))
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
        let text = scenario::read_text(path).map_err(|e| match e {
            scenario::LoadError::Io { source, .. } => Failure::Input(format!(
                "error: cannot read {}: {}",
                path.display(),
                io_reason(&source)
            )),
            other => Failure::Input(format!("error: {other}")),
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
        // Each override's messages are laid out after the ones before it, so
        // memory grows with the square of their number (8000: about 1 GB).
        if all.len() > MAX_OVERRIDES {
            return Err(Failure::Input(format!(
                "error: {} changes to the scenario (--set, --vary, --variant) are more than {MAX_OVERRIDES}, the most a command may make\nhelp: edit a copy of the scenario file instead",
                all.len()
            )));
        }
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

/// `text` with every control character but line breaks and tabs escaped
/// (`\u{1b}`), keeping colour sequences (`ESC [ … m`) when `colors`.
fn printable(text: &str, colors: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if colors && c == '\u{1b}' {
            let sgr = rest[1..]
                .strip_prefix('[')
                .map(|r| r.find(|c: char| !(c.is_ascii_digit() || c == ';')))
                .and_then(|end| end.filter(|&e| rest[2 + e..].starts_with('m')));
            if let Some(end) = sgr {
                out.push_str(&rest[..2 + end + 1]);
                rest = &rest[2 + end + 1..];
                continue;
            }
        }
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The most `--set` overrides (with a sweep point's or variant's) one model is built with.
const MAX_OVERRIDES: usize = 1000;

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

/// Colour on stderr: never with `NO_COLOR` (https://no-color.org); always with
/// `CLICOLOR_FORCE` (other than `0`); otherwise only for a terminal that is not `TERM=dumb`.
fn stderr_color() -> bool {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    color_choice(
        var("NO_COLOR").is_some(),
        var("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
        var("TERM").as_deref() == Some("dumb"),
        std::io::stderr().is_terminal(),
    )
}

fn color_choice(no_color: bool, force: bool, dumb: bool, terminal: bool) -> bool {
    if no_color {
        false
    } else if force {
        true
    } else {
        terminal && !dumb
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_no_color_clicolor_force_and_term() {
        // (NO_COLOR, CLICOLOR_FORCE, TERM=dumb, terminal) → colour
        assert!(color_choice(false, false, false, true));
        assert!(!color_choice(false, false, false, false));
        assert!(!color_choice(false, false, true, true), "TERM=dumb");
        assert!(color_choice(false, true, false, false), "CLICOLOR_FORCE");
        assert!(
            color_choice(false, true, true, false),
            "CLICOLOR_FORCE beats TERM=dumb"
        );
        assert!(
            !color_choice(true, true, false, true),
            "NO_COLOR beats everything"
        );
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn messages_cannot_drive_the_terminal() {
        let hostile = "error: `a\u{1b}]0;owned\u{7}b` \u{1b}[31mred\u{1b}[0m\r\n";
        let plain = super::printable(hostile, false);
        assert!(
            !plain.chars().any(|c| c.is_control() && c != '\n'),
            "{plain:?}"
        );
        assert!(plain.contains("\\u{1b}]0;owned\\u{7}b"), "{plain}");
        let colored = super::printable(hostile, true);
        assert!(colored.contains("\u{1b}[31mred\u{1b}[0m"), "{colored:?}");
        assert!(colored.contains("a\\u{1b}]0;owned"), "{colored:?}");
    }
}

/// The language of the reports for people (`--lang`): text, HTML, stories.
#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub enum Language {
    /// English.
    #[default]
    En,
    /// Spanish (español).
    Es,
}

impl From<Language> for handoff::report::i18n::Lang {
    fn from(l: Language) -> Self {
        match l {
            Language::En => handoff::report::i18n::Lang::En,
            Language::Es => handoff::report::i18n::Lang::Es,
        }
    }
}
