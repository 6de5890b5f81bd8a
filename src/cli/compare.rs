//! `handoff compare A.toml B.toml [C.toml …]`: run scenarios with common
//! random numbers and show each one's paired difference from the first.
//! `--variant 'LABEL: PATH=VALUE, …'` adds the first file changed by those
//! `--set`s as one more scenario, so a change can be compared without a second file.

use std::path::PathBuf;
use std::str::FromStr;

use handoff::experiment::{self, Streams};
use handoff::model::Model;
use handoff::report::{self, compare, html, human};
use handoff::scenario::Override;

use super::output::OutputTarget;
use super::{Failure, Language, ScenarioFile, Settings, progress};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  handoff compare scenarios/complaints-escalated.toml scenarios/complaints-are-a-gift.toml
  handoff compare scenarios/baseline.toml --variant 'billing x3: department.billing.staff=3'
  handoff compare a.toml b.toml -o comparison.csv")]
pub struct Args {
    /// The scenario files (TOML): the first is the reference the others are compared with.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// One more scenario: the first file with these changes, named LABEL
    /// (repeatable), e.g. 'billing x3: department.billing.staff=3' or
    /// 'fewer errors: handoff.sales->production.error=0.01, department.sales.staff=4'.
    #[arg(long, value_name = "LABEL: PATH=VALUE, …")]
    variant: Vec<Variant>,
    /// `--set` changes every scenario; `--seed` and `--replications` default to the first file's.
    #[command(flatten)]
    settings: Settings,
    /// Output format [default: from the extension of -o (.json, .csv, .txt, .html), else text].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Language of the comparison for people (text, HTML); JSON and CSV are data,
    /// the same in every language.
    #[arg(long, value_enum, default_value_t = Language::En)]
    lang: Language,
    /// Write the comparison to this file (atomically) instead of standard output; its
    /// extension chooses the format (.json, .csv, .txt, .html; any other: text).
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
    /// One row per scenario and metric, with its difference from the first.
    Csv,
    /// One self-contained page: the scenarios side by side, for a workshop room.
    Html,
}

impl From<Format> for report::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Text => report::Format::Text,
            Format::Json => report::Format::Json,
            Format::Csv => report::Format::Csv,
            Format::Html => report::Format::Html,
        }
    }
}

/// `LABEL: PATH=VALUE[, PATH=VALUE…]`: a named set of changes to the first file.
#[derive(Debug, Clone)]
pub struct Variant {
    label: String,
    changes: Vec<Override>,
}

impl FromStr for Variant {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((label, changes)) = s.split_once(':') else {
            return Err(
                "expected LABEL: PATH=VALUE[, PATH=VALUE…], e.g. 'billing x3: department.billing.staff=3'"
                    .to_owned(),
            );
        };
        let label = label.trim();
        if label.is_empty() {
            return Err("the variant needs a label before the `:`".to_owned());
        }
        if let Some(problem) = handoff::scenario::label_problem("the variant label", label) {
            return Err(problem);
        }
        // Checked above: no control characters to escape.
        let shown = label;
        if changes.trim().is_empty() {
            return Err(format!(
                "the variant `{shown}` changes nothing: add PATH=VALUE after the `:`"
            ));
        }
        let items: Vec<&str> = changes.split(',').map(str::trim).collect();
        if items.iter().any(|c| c.is_empty()) {
            let kept: Vec<&str> = items.iter().copied().filter(|c| !c.is_empty()).collect();
            return Err(format!(
                "the variant `{shown}` has an empty change in its list (two commas in a row, or one at either end)\n  \
                 help: separate the changes with single commas: '{shown}: {}'",
                kept.join(", ")
            ));
        }
        let changes = items
            .into_iter()
            .map(Override::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Variant {
            label: label.to_owned(),
            changes,
        })
    }
}

impl Variant {
    /// `department.billing.staff=3, customers.promise=5d`.
    fn changes_text(&self) -> String {
        let texts: Vec<String> = self.changes.iter().map(ToString::to_string).collect();
        texts.join(", ")
    }
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let format = super::format::choose(args.format.map(Into::into), args.output.as_deref())?;
    let inputs: Vec<&std::path::Path> = args.files.iter().map(PathBuf::as_path).collect();
    let out = OutputTarget::check(args.output.as_deref(), &inputs)?;
    if args.files.len() + args.variant.len() < 2 {
        return Err(Failure::Input(
            "error: compare needs two scenarios: a second file, or a variant of the first\n  \
             help: handoff compare A.toml B.toml, or handoff compare A.toml --variant 'LABEL: PATH=VALUE'"
                .to_owned(),
        ));
    }
    // Two variants of one label would be two columns no reader can tell apart.
    for (i, variant) in args.variant.iter().enumerate() {
        if args.variant[..i].iter().any(|v| v.label == variant.label) {
            return Err(Failure::Input(format!(
                "error: two variants are labelled `{}`: the report could not tell them apart\n  \
                 help: give each --variant its own label",
                variant.label
            )));
        }
    }
    // Check every file and variant before simulating anything, and report every bad one.
    let mut models: Vec<Model> = Vec::new();
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    let mut first: Option<ScenarioFile> = None;
    for file in &args.files {
        let read = ScenarioFile::read(file, &args.settings.set);
        match read.and_then(|f| {
            let model = f.model(&[])?;
            first.get_or_insert(f);
            Ok(model)
        }) {
            Ok(model) => {
                models.push(model);
                sources.push(compare::Source::file(file.display().to_string()));
            }
            Err(Failure::Input(message)) => problems.push(message),
            Err(other) => return Err(other),
        }
    }
    if let Some(base) = &first {
        for variant in &args.variant {
            match base.model(&variant.changes) {
                Ok(mut model) => {
                    model.name = variant.label.clone();
                    models.push(model);
                    sources.push(compare::Source {
                        file: base.origin.clone(),
                        variant: Some(variant.changes_text()),
                    });
                }
                Err(Failure::Input(message)) => problems.push(message),
                Err(other) => return Err(other),
            }
        }
    }
    if !problems.is_empty() {
        let joined: Vec<&str> = problems.iter().map(|m| m.trim_end()).collect();
        return Err(Failure::Input(joined.join("\n\n")));
    }
    for (source, model) in sources.iter().zip(&models) {
        super::validate::warn_before_simulating(model, Some(&source.describe()));
    }
    let reference = &models[0].simulation;
    let seed = args.settings.seed.unwrap_or(reference.seed);
    let replications = args
        .settings
        .replications
        .unwrap_or(reference.replications)
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
    let comparison = comparison?;

    let bytes = match format {
        report::Format::Text => {
            compare::text_in(&comparison, &sources, args.lang.into()).into_bytes()
        }
        report::Format::Json => compare::json(&comparison, &sources),
        report::Format::Csv => compare::csv(&comparison, &sources),
        report::Format::Html => {
            let data = compare::json(&comparison, &sources);
            let lang = args.lang.into();
            let described: Vec<String> = sources.iter().map(|s| s.describe_in(lang)).collect();
            html::compare(&comparison, &described, &data, lang)
        }
    };
    out.write(&bytes)
}
