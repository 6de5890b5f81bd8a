//! `handoff sensitivity FILE [--by 10%]`: every numeric parameter moved down and
//! up, with common random numbers, ranked by its effect on lost customers.
//!
//! The varied models are built with `--set` overrides, so each parameter is
//! named by the path a user would type; a distribution's mean is varied where
//! the file gives one (`…service.mean`) or where it is a constant.
//!
//! With `-o OUT`, the base's statistic and each finished variant are kept in
//! `OUT.parts/` as they finish (exact floats, with a key of the analysis);
//! Ctrl-C starts no new variant, and `--resume` reuses every kept variant of
//! the same analysis, so the result is the same bytes as an uninterrupted run.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Mutex, PoisonError};

use handoff::experiment::sensitivity::{self, Effect, Varied};
use handoff::experiment::shard::{Num, VERSION, model_hash};
use handoff::metrics::Stat;
use handoff::report;
use handoff::scenario::Override;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::kept::kept_work;
use super::output::{self, OutputTarget};
use super::shard::part_bytes;
use super::{Failure, interrupt};
use super::{Language, ScenarioFile, Settings, progress};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (TOML).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// How far to move each parameter down and up: `10%` (or `10`).
    #[arg(long, value_name = "PERCENT", default_value = "10%", value_parser = parse_by, allow_hyphen_values = true)]
    by: f64,
    /// The statistic to rank by, as named in the JSON report (`revenue.lost`, `orders.late`, …).
    #[arg(long, value_name = "NAME", default_value = "customers.lost")]
    metric: String,
    /// `--set` applies before varying; every variant runs with the same seed.
    #[command(flatten)]
    settings: Settings,
    /// Output format [default: from the extension of -o (.json, .txt), else text].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Language of the text (the tornado); JSON is data, the same in every language.
    #[arg(long, value_enum, default_value_t = Language::En)]
    lang: Language,
    /// Reuse the variants an interrupted run of the same analysis left in FILE.parts/ (with -o FILE).
    #[arg(long)]
    resume: bool,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

/// What a stored variant must share with the analysis that resumes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Key {
    kind: String,
    version: String,
    /// The base model's hash (scenario, --set, seed, replications).
    hash: String,
    metric: String,
    by: Num,
}

const VARIANT_KIND: &str = "sensitivity-variant";

/// The base's statistic, as kept in OUT.parts/base.json.
#[derive(Debug, Serialize, Deserialize)]
struct StoredBase {
    #[serde(flatten)]
    key: Key,
    mean: Num,
    ci95: Option<Num>,
}

/// One finished variant, as kept in OUT.parts/variant-NNNN.json (floats exact).
#[derive(Debug, Serialize, Deserialize)]
struct StoredEffect {
    #[serde(flatten)]
    key: Key,
    parameter: String,
    path: String,
    base_value: String,
    low_value: String,
    high_value: String,
    low: Num,
    high: Num,
    effect: Num,
    effect_ci95: Option<Num>,
    significant: bool,
    overloaded_low: Vec<String>,
    overloaded_high: Vec<String>,
}

impl StoredEffect {
    fn new(key: Key, e: &Effect) -> StoredEffect {
        StoredEffect {
            key,
            parameter: e.parameter.clone(),
            path: e.path.clone(),
            base_value: e.base_value.clone(),
            low_value: e.low_value.clone(),
            high_value: e.high_value.clone(),
            low: Num(e.low),
            high: Num(e.high),
            effect: Num(e.effect),
            effect_ci95: e.effect_ci95.map(Num),
            significant: e.significant,
            overloaded_low: e.overloaded_low.clone(),
            overloaded_high: e.overloaded_high.clone(),
        }
    }

    /// Whether it is the variant `v`: the same parameter, path and values.
    fn matches(&self, v: &Varied) -> bool {
        self.parameter == v.candidate.parameter
            && self.path == v.path
            && self.base_value == v.candidate.base
            && self.low_value == v.candidate.low
            && self.high_value == v.candidate.high
    }

    fn into_effect(self) -> Effect {
        Effect {
            parameter: self.parameter,
            path: self.path,
            base_value: self.base_value,
            low_value: self.low_value,
            high_value: self.high_value,
            low: self.low.0,
            high: self.high.0,
            effect: self.effect.0,
            effect_ci95: self.effect_ci95.map(|c| c.0),
            significant: self.significant,
            overloaded_low: self.overloaded_low,
            overloaded_high: self.overloaded_high,
        }
    }
}

/// What an analysis keeps in OUT.parts/: `base.json` and `variant-NNNN.json` ([`variant_file`]).
const KEPT: &[&str] = &["base.json", "variant-"];

fn variant_file(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("variant-{index:04}.json"))
}

/// A stored file of this analysis, if there is one; one of another analysis is refused.
fn load<T: DeserializeOwned + HasKey>(path: &Path, key: &Key) -> Result<Option<T>, Failure> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::Input(format!(
                "error: cannot read {}: {}",
                path.display(),
                super::io_reason(&e)
            )));
        }
    };
    let stored: T = serde_json::from_slice(&bytes).map_err(|e| {
        Failure::Input(format!(
            "error: {} is not a stored sensitivity variant ({e}); delete it to compute it again",
            path.display()
        ))
    })?;
    handoff::experiment::shard::unseal(&bytes).map_err(|why| {
        Failure::Input(format!(
            "error: cannot resume: {}: {why}\nhelp: delete it to compute it again",
            path.display()
        ))
    })?;
    if stored.key() != key {
        return Err(Failure::Input(format!(
            "error: cannot resume: {} does not belong to this analysis: the scenario, a --set, --seed, --replications, --metric or --by changed, or handoff's version\nhelp: delete {} to start over, or write to another -o",
            path.display(),
            path.parent()
                .map_or_else(|| ".".into(), |p| p.display().to_string())
        )));
    }
    Ok(Some(stored))
}

trait HasKey {
    fn key(&self) -> &Key;
}

impl HasKey for StoredBase {
    fn key(&self) -> &Key {
        &self.key
    }
}

impl HasKey for StoredEffect {
    fn key(&self) -> &Key {
        &self.key
    }
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

/// The format of the analysis: `--format`, or the extension of `-o` as for
/// every other command (`.json`, `.txt`), else text. A `--format` against the
/// extension, or an extension of a format the analysis has not (`.csv`,
/// `.html`), is refused: the tornado's text went into `s.json` or `s.csv`.
fn format_of(args: &Args) -> Result<Format, Failure> {
    let given = args.format.map(|f| match f {
        Format::Text => report::Format::Text,
        Format::Json => report::Format::Json,
    });
    match super::format::choose(given, args.output.as_deref())? {
        report::Format::Text => Ok(Format::Text),
        report::Format::Json => Ok(Format::Json),
        other => Err(Failure::Input(format!(
            "error: a sensitivity analysis is written as text or JSON, not {}\n  help: name the file .txt or .json",
            super::format::name(other)
        ))),
    }
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let out = OutputTarget::check(args.output.as_deref(), &[&args.file])?;
    let format = format_of(&args)?;
    let scenario = ScenarioFile::read(&args.file, &args.settings.set)?;
    let mut base = scenario.model(&[])?;
    args.settings.apply(&mut base);
    super::validate::warn_before_simulating(&base, None);
    let mut varied = Vec::new();
    let mut not_varied = sensitivity::not_varied(&base);
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
            // JSON's `not_varied` is data: always the same words.
            let lang = match format {
                Format::Text => args.lang.into(),
                Format::Json => report::i18n::Lang::En,
            };
            not_varied.push(
                lang.catalogue()
                    .fill("text.sensitivity.no_mean", &[("field", field)]),
            );
        }
    }
    let replications = base.simulation.replications.max(1);
    let n = u64::from(replications);
    let key = Key {
        kind: VARIANT_KIND.to_owned(),
        version: VERSION.to_owned(),
        hash: model_hash(&base),
        metric: args.metric.clone(),
        by: Num(args.by),
    };

    // Finished work is kept in OUT.parts/ (with -o), so that an interrupted
    // analysis goes on with --resume.
    let dir = out.path().map(super::kept::parts_dir);
    if args.resume && dir.is_none() {
        return Err(Failure::Input(
            "error: --resume needs -o FILE: the finished variants are kept in FILE.parts/"
                .to_owned(),
        ));
    }
    if let Some(dir) = &dir {
        super::kept::check_parts(dir, KEPT)?;
    }
    // Held until OUT is written: a second analysis to the same OUT is refused.
    let mut held = match (&dir, out.path()) {
        (Some(dir), Some(path)) => super::kept::hold_parts(dir, path)?,
        _ => None,
    };
    let mut base_stat: Option<Stat> = None;
    let mut effects: Vec<Effect> = Vec::new();
    let mut todo: Vec<(usize, Varied)> = Vec::new();
    match &dir {
        // Only handoff's files are there (checked above); temporary ones are no variants.
        Some(dir)
            if dir.is_dir()
                && std::fs::read_dir(dir).is_ok_and(|d| {
                    d.filter_map(Result::ok)
                        .any(|e| !e.file_name().to_string_lossy().starts_with(".handoff-"))
                }) =>
        {
            if !args.resume {
                return Err(Failure::Input(format!(
                    "error: {} holds the variants of an earlier analysis that did not finish; add --resume to keep them, or delete that directory to start over",
                    dir.display()
                )));
            }
            base_stat = load::<StoredBase>(&dir.join("base.json"), &key)?.map(|b| Stat {
                mean: b.mean.0,
                ci95: b.ci95.map(|c| c.0),
            });
            for (i, v) in varied.into_iter().enumerate() {
                match load::<StoredEffect>(&variant_file(dir, i), &key)? {
                    Some(e) if e.matches(&v) => effects.push(e.into_effect()),
                    Some(_) => {
                        return Err(Failure::Input(format!(
                            "error: cannot resume: {} holds another parameter or other values than variant {i} ({}) of this analysis: the scenario or --by changed\nhelp: delete {} to start over",
                            variant_file(dir, i).display(),
                            v.candidate.parameter,
                            dir.display()
                        )));
                    }
                    None => todo.push((i, v)),
                }
            }
        }
        _ => todo = varied.into_iter().enumerate().collect(),
    }
    if let Some(dir) = &dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure::Input(format!(
                "error: cannot create {}: {}",
                dir.display(),
                super::io_reason(&e)
            ))
        })?;
        if held.is_none()
            && let Some(path) = out.path()
        {
            held = super::kept::hold_parts(dir, path)?;
        }
        // Ctrl-C: no new variant; a second Ctrl-C quits at once (finished ones are on disk).
        interrupt::graceful();
        interrupt::kept(format!(
            "the finished variants in {} (run the same command with --resume to go on)",
            dir.display()
        ));
    }
    let total = effects.len() + todo.len();

    let bar = progress::bar(
        n * (1 + 2 * todo.len() as u64),
        format!("varying {total} parameters of {}", base.name),
        args.quiet,
    );
    let done = || bar.inc(1);
    let base_stat = match base_stat {
        Some(s) => s,
        None => {
            let s = sensitivity::base_stat(&base, &args.metric, &done)
                .map_err(|e| Failure::Input(format!("error: {e}")))?;
            if let Some(dir) = &dir {
                let stored = StoredBase {
                    key: key.clone(),
                    mean: Num(s.mean),
                    ci95: s.ci95.map(Num),
                };
                output::write_atomically(&dir.join("base.json"), &part_bytes(&stored)?)
                    .inspect_err(|_| {
                        // Nothing kept (a full disk at once): no empty directory left behind.
                        let _ = std::fs::remove_dir(dir);
                    })?;
            }
            s
        }
    };
    let finished = Mutex::new(effects);
    let ran = todo
        .into_par_iter()
        .with_max_len(1)
        .try_for_each(|(i, v)| -> Result<(), Failure> {
            if interrupt::stop().load(Ordering::SeqCst) {
                return Ok(());
            }
            let e = sensitivity::effect(v, replications, &args.metric, &done)
                .map_err(|e| Failure::Input(format!("error: {e}")))?;
            if let Some(dir) = &dir {
                let stored = StoredEffect::new(key.clone(), &e);
                output::write_atomically(&variant_file(dir, i), &part_bytes(&stored)?)?;
            }
            finished
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(e);
            Ok(())
        });
    bar.finish_and_clear();
    let effects = finished
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    if let Err(failure) = ran {
        return Err(match &dir {
            Some(dir) => kept_work(failure, effects.len(), total, "variants", dir),
            None => failure,
        });
    }
    if effects.len() < total {
        let dir = dir.expect("only an analysis written to a file stops by itself");
        return Err(Failure::Interrupted(format!(
            "interrupted: {} of {total} variants finished and are kept in {}; run the same command with --resume to do the other {}",
            effects.len(),
            dir.display(),
            total - effects.len()
        )));
    }
    let result = sensitivity::ranked(&base, &args.metric, args.by, base_stat, effects, not_varied);
    let bytes = match format {
        Format::Text => report::sensitivity::text_in(&result, args.lang.into()).into_bytes(),
        Format::Json => report::sensitivity::json(&result),
    };
    out.write(&bytes).map_err(|failure| match &dir {
        Some(dir) => kept_work(failure, total, total, "variants", dir),
        None => failure,
    })?;
    if let Some(dir) = &dir {
        // Everything is in OUT now.
        super::kept::remove_parts(dir, KEPT);
    }
    drop(held);
    match out.path() {
        Some(path) => interrupt::finished_anyway(&path.display().to_string()),
        None => Ok(()),
    }
}
