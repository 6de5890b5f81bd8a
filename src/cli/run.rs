//! `handoff run FILE`: simulate a scenario and print (or write) a report.

use std::path::PathBuf;

use handoff::experiment;
use handoff::report::{self, human};

use super::output::OutputTarget;
use super::{Failure, Language, Settings, inspect, is_html_path, load_scenario, progress};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (TOML); see docs/scenario.md.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    settings: Settings,
    /// Report format [default: html when -o names a .html file, text otherwise].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Language of the HTML report.
    #[arg(long, value_enum, default_value_t = Language::En)]
    lang: Language,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Run only the replications r with r % N == I (I from 0), e.g. --shard 3/64, and
    /// write them as a part (JSON) for `handoff merge`.
    #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
    shard: Option<handoff::experiment::shard::Shard>,
    /// After the report, tell the stories of the first N customers lost in
    /// replication 0 (on stderr with --format json or csv).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    explain: Option<u32>,
    /// Write every event of replication 0 to FILE: JSON lines for .jsonl,
    /// .ndjson or .json, CSV otherwise.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// A report for people.
    Text,
    /// Every statistic, for scripts.
    Json,
    /// Every statistic, one row each (`metric,mean,ci95`), for spreadsheets.
    Csv,
    /// One self-contained page for a workshop room (charts, no script, prints).
    Html,
}

impl Format {
    /// The format as the report module knows it; the page needs more than the
    /// outcome (stories), so `execute` renders it itself.
    fn plain(self) -> Option<report::Format> {
        match self {
            Format::Text => Some(report::Format::Text),
            Format::Json => Some(report::Format::Json),
            Format::Csv => Some(report::Format::Csv),
            Format::Html => None,
        }
    }
}

/// Lost customers whose stories the HTML page tells.
const STORIES_ON_THE_PAGE: usize = 3;

pub fn execute(args: Args) -> Result<(), Failure> {
    // Where everything goes, checked before anything is simulated.
    let out = OutputTarget::check(args.output.as_deref(), &[&args.file])?;
    let trace = args
        .trace
        .as_deref()
        .map(|t| OutputTarget::check(Some(t), &[&args.file]))
        .transpose()?;
    if trace.as_ref().is_some_and(|t| t.same_as(&out)) {
        return Err(Failure::Input(
            "error: --trace and the report would go to the same place; give --trace another file, or -o FILE for the report".to_owned(),
        ));
    }
    if let Some(shard) = args.shard {
        return super::shard::run_part(&args.file, &args.settings, shard, &out);
    }
    let mut model = load_scenario(&args.file, &args.settings.set)?;
    args.settings.apply(&mut model);
    super::validate::warn_before_simulating(&model, None);

    // Drawn only when stderr is a terminal.
    let bar = progress::bar(
        model.simulation.replications.into(),
        format!(
            "simulating {}: {} days",
            model.name,
            human::days(model.simulation.duration_h)
        ),
        args.quiet,
    );
    let outcome = experiment::replicate_with_progress(&model, &|| bar.inc(1));
    bar.finish_and_clear();

    if let Some(trace) = &trace {
        inspect::write_trace(&model, trace)?;
    }
    let format = args.format.unwrap_or(match &args.output {
        Some(path) if is_html_path(path) => Format::Html,
        _ => Format::Text,
    });
    let mut bytes = match format.plain() {
        Some(plain) => report::render(&outcome, plain),
        None => {
            let stories = inspect::story_list(&model, STORIES_ON_THE_PAGE);
            let data = report::json::render(&outcome);
            report::html::run(&outcome, &stories, &data, args.lang.into())
        }
    };
    if let Some(n) = args.explain {
        let stories = inspect::stories(&model, n as usize);
        match format {
            // The stories follow the report, wherever it goes.
            Format::Text => bytes.extend_from_slice(stories.as_bytes()),
            // Standard output stays one document.
            Format::Json | Format::Csv | Format::Html => eprint!("{}", stories.trim_start()),
        }
    }
    out.write(&bytes)
}
