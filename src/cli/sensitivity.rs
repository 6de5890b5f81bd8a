//! `handoff sensitivity FILE [--by 10%]`: every numeric parameter moved down and
//! up, with common random numbers, ranked by its effect on lost customers.
//!
//! The varied models are built with `--set` overrides, so each parameter is
//! named by the path a user would type; a distribution's mean is varied where
//! the file gives one (`…service.mean`) or where it is a constant.

use std::path::PathBuf;

use handoff::experiment::sensitivity::{self, Varied};
use handoff::report;
use handoff::scenario::Override;

use super::{Failure, output};
use super::{ScenarioFile, Settings, progress};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (TOML); see docs/scenario.md.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// How far to move each parameter down and up: `10%` (or `10`).
    #[arg(long, value_name = "PERCENT", default_value = "10%", value_parser = parse_by)]
    by: f64,
    /// The statistic to rank by, as named in the JSON report (`revenue.lost`, `orders.late`, …).
    #[arg(long, value_name = "NAME", default_value = "customers.lost")]
    metric: String,
    /// `--set` applies before varying; every variant runs with the same seed.
    #[command(flatten)]
    settings: Settings,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// A tornado chart for people.
    Text,
    /// Every parameter's effect, for scripts.
    Json,
}

/// `10%` or `10` → 0.1.
fn parse_by(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches('%').trim();
    match number.parse::<f64>() {
        Ok(p) if p > 0.0 && p < 100.0 => Ok(p / 100.0),
        _ => Err(format!(
            "`{text}` is not a percentage above 0 and below 100, e.g. `10%`"
        )),
    }
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let scenario = ScenarioFile::read(&args.file, &args.settings.set)?;
    let mut base = scenario.model(&[])?;
    args.settings.apply(&mut base);
    super::validate::warn_before_simulating(&base, None);
    let mut varied = Vec::new();
    let mut not_varied = Vec::new();
    for c in sensitivity::parameters(&base, args.by) {
        // The first path that takes both values (see `Candidate::paths`).
        let built = c.paths.iter().find_map(|path| {
            let model = |v: &str| {
                let o = Override::parse(&format!("{path}={v}")).ok()?;
                let mut m = scenario.model(&[o]).ok()?;
                args.settings.apply(&mut m);
                Some(m)
            };
            Some((path.clone(), model(&c.low)?, model(&c.high)?))
        });
        if let Some((path, low, high)) = built {
            varied.push(Varied {
                candidate: c,
                path,
                low,
                high,
            });
        } else {
            // Named without `.mean`, which this distribution does not have.
            let field = c.parameter.strip_suffix(".mean").unwrap_or(&c.parameter);
            not_varied.push(format!(
                "{field}: its distribution has no `mean` to set; vary its own parameters with --set or sweep (docs/scenario.md)",
            ));
        }
    }
    let n = u64::from(base.simulation.replications.max(1));
    let bar = progress::bar(
        n * (1 + 2 * varied.len() as u64),
        format!("varying {} parameters of {}", varied.len(), base.name),
        args.quiet,
    );
    let result = sensitivity::analyse(&base, varied, not_varied, &args.metric, args.by, &|| {
        bar.inc(1)
    })
    .map_err(|e| Failure::Input(format!("error: {e}")))?;
    bar.finish_and_clear();
    let bytes = match args.format {
        Format::Text => report::sensitivity::text(&result).into_bytes(),
        Format::Json => report::sensitivity::json(&result),
    };
    match &args.output {
        Some(path) => output::write_atomically(path, &bytes)?,
        None => output::write_stdout(&bytes)?,
    }
    Ok(())
}
