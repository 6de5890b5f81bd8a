//! `handoff run FILE`: simulate a scenario and print (or write) a report.

use std::path::PathBuf;

use handoff::experiment;
use handoff::report;

use super::output::OutputTarget;
use super::{Failure, Language, Settings, inspect, load_scenario, progress};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  handoff run scenarios/baseline.toml
  handoff run scenarios/baseline.toml --seed 42 --replications 20 -o report.json
  handoff run scenarios/silent-majority.toml --explain 3 --cause 'handoff:billing->customer'
  handoff run scenarios/baseline.toml --set department.billing.staff=3 --trace trace.csv")]
pub struct Args {
    /// The scenario file (TOML).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    settings: Settings,
    /// Report format [default: from the extension of -o (.json, .csv, .txt, .html), else text].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Language of the report for people (text, HTML) and of --explain's stories;
    /// JSON and CSV are data, the same in every language.
    #[arg(long, value_enum, default_value_t = Language::En)]
    lang: Language,
    /// Write the report to this file (atomically) instead of standard output; its
    /// extension chooses the format (.json, .csv, .txt, .html; any other: text).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Run only the replications r with r % N == I (I from 0), e.g. --shard 3/64, and
    /// write them as a part (JSON) for `handoff merge`.
    #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
    shard: Option<handoff::experiment::shard::Shard>,
    /// With --shard and -o: go on from the replications an interrupted run of the
    /// same shard kept in OUT.parts/.
    #[arg(long, requires = "shard")]
    resume: bool,
    /// After the report, tell the stories of the first N counted customers (arrived
    /// after the warm-up) lost in replication 0, and of one saved by a quick recovery
    /// (on stderr with --format json or csv).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), allow_negative_numbers = true)]
    explain: Option<u32>,
    /// With --explain: only customers lost to this cause, given by its id or the start
    /// of it, e.g. `handoff:billing->customer` or `handoff:billing->customer:error`.
    #[arg(long, value_name = "CAUSE", requires = "explain")]
    cause: Option<String>,
    /// Write every event of replication 0 to FILE: JSON lines for .jsonl,
    /// .ndjson or .json, CSV otherwise.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Text report: add the cause ids (as in JSON and traces) to the root-cause table
    /// and let lines run past 100 columns.
    #[arg(long)]
    wide: bool,
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

pub fn execute(args: Args) -> Result<(), Failure> {
    let format = super::format::choose(args.format.map(Into::into), args.output.as_deref())?;
    if args.shard.is_some() && (args.explain.is_some() || args.trace.is_some()) {
        return Err(Failure::Input(
            "error: --explain and --trace look inside replication 0 of a whole run; \
             they cannot be used with --shard\n  \
             help: run them without --shard (replication 0 is the same run)"
                .to_owned(),
        ));
    }
    // Where everything goes, checked before anything is simulated.
    let out = OutputTarget::check(args.output.as_deref(), &[&args.file])?;
    if args.shard.is_some() {
        // A part is JSON for merge: a report asked for (`--format csv`, `-o r.html`)
        // would silently be a part instead.
        let asked = args.format.map(report::Format::from).or_else(|| {
            args.output
                .as_deref()
                .filter(|o| *o != std::path::Path::new("-"))
                .and_then(super::format::for_extension)
        });
        if let Some(f) = asked.filter(|f| *f != report::Format::Json) {
            return Err(super::shard::not_a_part_format(
                "run",
                super::format::name(f),
                "report.",
            ));
        }
    }
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
        return super::shard::run_part(&args.file, &args.settings, shard, &out, args.resume);
    }
    let mut model = load_scenario(&args.file, &args.settings.set)?;
    args.settings.apply(&mut model);
    super::validate::warn_before_simulating(&model, None);
    // A cause that is not one is the user's to fix, before anything is simulated.
    let cause = match &args.cause {
        Some(given) => Some((given.as_str(), inspect::select_causes(&model, given)?)),
        None => None,
    };

    // Drawn only when stderr is a terminal; it counts simulated time, so a
    // single long replication moves too.
    let bar = progress::simulated_time(
        model.simulation.duration_h,
        model.simulation.replications,
        format!("simulating {}", model.name),
        args.quiet,
    );
    let outcome = experiment::replicate_with_progress(&model, &|minutes| bar.inc(minutes));
    bar.finish_and_clear();
    let outcome = outcome?;

    if let Some(trace) = &trace {
        inspect::check_trace_room(&outcome, trace)?;
        inspect::write_trace(&model, trace)?;
    }
    let mut bytes = match format {
        report::Format::Text => {
            let options = report::text::Options {
                wide: args.wide,
                lang: args.lang.into(),
            };
            report::text::render_with(&outcome, options).into_bytes()
        }
        report::Format::Html => {
            let causes = cause.as_ref().map_or(Vec::new(), |(_, c)| c.clone());
            inspect::html_page(&model, &outcome, causes, args.lang.into())
        }
        _ => report::render(&outcome, format),
    };
    if let Some(n) = args.explain {
        let stories = inspect::stories(&model, n as usize, cause, args.lang.into());
        match format {
            // The stories follow the report, wherever it goes.
            report::Format::Text => bytes.extend_from_slice(stories.as_bytes()),
            // Standard output stays one document.
            report::Format::Json | report::Format::Csv | report::Format::Html => {
                super::output::write_stderr(stories.trim_start())
            }
        }
    }
    out.write(&bytes)
}
