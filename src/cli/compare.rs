//! `handoff compare A.toml B.toml [C.toml …]`: run scenarios with common
//! random numbers and show each one's paired difference from the first.

use std::path::PathBuf;

use handoff::experiment::{self, Streams};
use handoff::report::{compare, html, human};

use super::output::OutputTarget;
use super::{Failure, Language, Settings, is_html_path, load_scenario, progress};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario files (TOML): the first is the reference the others are compared with.
    #[arg(value_name = "FILE", num_args = 2.., required = true)]
    files: Vec<PathBuf>,
    /// `--set` changes every scenario; `--seed` and `--replications` default to the first file's.
    #[command(flatten)]
    settings: Settings,
    /// Output format [default: html when -o names a .html file, text otherwise].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Language of the HTML page.
    #[arg(long, value_enum, default_value_t = Language::En)]
    lang: Language,
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
    /// One self-contained page: the scenarios side by side, for a workshop room.
    Html,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let inputs: Vec<&std::path::Path> = args.files.iter().map(PathBuf::as_path).collect();
    let out = OutputTarget::check(args.output.as_deref(), &inputs)?;
    // Check every file before simulating anything, and report every bad one.
    let mut models = Vec::with_capacity(args.files.len());
    let mut problems = Vec::new();
    for file in &args.files {
        match load_scenario(file, &args.settings.set) {
            Ok(model) => models.push(model),
            Err(Failure::Input(message)) => problems.push(message),
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        let joined: Vec<&str> = problems.iter().map(|m| m.trim_end()).collect();
        return Err(Failure::Input(joined.join("\n\n")));
    }
    for (file, model) in args.files.iter().zip(&models) {
        super::validate::warn_before_simulating(model, Some(&file.display().to_string()));
    }
    let first = &models[0].simulation;
    let seed = args.settings.seed.unwrap_or(first.seed);
    let replications = args
        .settings
        .replications
        .unwrap_or(first.replications)
        .max(1);

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
    let format = args.format.unwrap_or(match &args.output {
        Some(path) if is_html_path(path) => Format::Html,
        _ => Format::Text,
    });
    let bytes = match format {
        Format::Text => compare::text(&comparison, &files).into_bytes(),
        Format::Json => compare::json(&comparison, &files),
        Format::Html => {
            let data = compare::json(&comparison, &files);
            html::compare(&comparison, &files, &data, args.lang.into())
        }
    };
    out.write(&bytes)
}
