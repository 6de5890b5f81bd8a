//! Long experiments split across processes or cluster jobs, and put back together.
//!
//! A shard `I/N` (I from 0, as Slurm's `--array=0-63` numbers its tasks) does the
//! replications `r` (or sweep points) with `r % N == I`. It writes a *part*: JSON
//! with its kind, the program version, a [`model_hash`] of the scenario after
//! overrides and run settings, the shard, and the raw results the whole output is
//! rebuilt from. [`check_parts`] refuses parts that do not belong together, or a
//! set with a shard missing or given twice; [`merge_runs`] and
//! [`super::sweep::merge_sweep`] rebuild what one unsharded process would have
//! produced, value for value (floats are stored so they read back exactly).
//!
//! No I/O here: the binary reads and writes the files.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::engine::{self, RunError, RunResult};
use crate::metrics::Metrics;
use crate::metrics::timeline::{Grid, WeekCounts};
use crate::model::Model;
use crate::scenario::format_number;

/// The version of this program, recorded in every part: results may change between versions.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One shard of `count`: the items `i` with `i % count == index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parse `I/N` (I from 0 to N − 1).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = |why: String| {
            format!("invalid shard `{text}`: {why}; write I/N with I from 0 to N-1, e.g. `3/64`")
        };
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| bad("there is no `/`".into()))?;
        if i.trim().is_empty() {
            return Err(bad(
                "I is empty (is `$SLURM_ARRAY_TASK_ID` unset? Slurm sets it only in the tasks of a job array, `sbatch --array=0-63 JOB_SCRIPT`)".into(),
            ));
        }
        for part in [i, n] {
            if part.trim().starts_with('-') {
                return Err(bad(format!(
                    "`{}` is negative (shards are numbered from 0)",
                    part.trim()
                )));
            }
        }
        // `18446744073709551615` is a whole number, only too large for one.
        let number = |part: &str| -> Result<u32, String> {
            let part = part.trim();
            part.parse().map_err(|e: std::num::ParseIntError| {
                bad(match e.kind() {
                    std::num::IntErrorKind::PosOverflow => {
                        format!("`{part}` is too large (at most {} shards)", u32::MAX)
                    }
                    _ => format!("`{part}` is not a whole number"),
                })
            })
        };
        let index = number(i)?;
        let count = number(n)?;
        if count == 0 {
            return Err(bad("N must be at least 1".into()));
        }
        if index >= count {
            return Err(bad(format!(
                "I must be below N (shards of {count} are numbered 0 to {}; a Slurm job array for them is `--array=0-{}`)",
                count - 1,
                count - 1
            )));
        }
        Ok(Shard { index, count })
    }

    /// Whether item `i` belongs to this shard.
    pub fn contains(&self, i: u64) -> bool {
        i % u64::from(self.count) == u64::from(self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Shard::parse(s)
    }
}

/// A hash of everything that decides a simulation's numbers: the model after
/// overrides, with its seed and replications (16 hex digits, FNV-1a over the
/// model's `Debug` form, which lists every field). Two parts with the same hash
/// and program version simulate the same thing.
pub fn model_hash(model: &Model) -> String {
    let h = crate::engine::fnv1a(format!("{model:?}").as_bytes());
    format!("{h:016x}")
}

/// A running FNV-1a hash of the bytes of a part as they are written, for its
/// checksum ([`seal`]): a part's results can be changed in ways JSON and the
/// checks cannot see (a digit of a mean), and merge
/// must refuse such a part rather than put wrong numbers together.
#[derive(Debug, Clone, Copy)]
pub struct Checksum(u64);

impl Default for Checksum {
    fn default() -> Self {
        Checksum(crate::engine::FNV1A_START)
    }
}

impl Checksum {
    /// Add `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0 = crate::engine::fnv1a_extend(self.0, bytes);
    }

    /// The last lines of a part whose bytes so far (its JSON object without
    /// the closing brace) are hashed here: the `checksum` field and the brace.
    pub fn trailer(&self) -> String {
        format!("{CHECKSUM_FIELD}{:016x}\"\n}}\n", self.0)
    }
}

/// How the checksum field begins: the last field of a part's object, on its own line.
const CHECKSUM_FIELD: &str = ",\n  \"checksum\": \"";

/// A part (pretty JSON of an object) with its checksum as its last field:
/// FNV-1a of everything before that field.
pub fn seal(json: &[u8]) -> Vec<u8> {
    let end = json.trim_ascii_end();
    let body = end.strip_suffix(b"}").unwrap_or(end).trim_ascii_end();
    let mut sum = Checksum::default();
    sum.update(body);
    let mut out = body.to_vec();
    out.extend_from_slice(sum.trailer().as_bytes());
    out
}

/// Check a part's checksum ([`seal`]): a part cut short, edited or damaged
/// after it was written is refused, with why.
pub fn unseal(bytes: &[u8]) -> Result<(), String> {
    let damaged = "its checksum does not match its contents: it was changed or damaged after handoff wrote it; write it again with the same command";
    let at = bytes
        .windows(CHECKSUM_FIELD.len())
        .rposition(|w| w == CHECKSUM_FIELD.as_bytes())
        .ok_or("it has no checksum at its end: it was cut short, or written by another version of handoff; write it again with the same command")?;
    let hex = bytes[at + CHECKSUM_FIELD.len()..]
        .strip_suffix(b"\"\n}\n")
        .and_then(|h| std::str::from_utf8(h).ok())
        .filter(|h| h.len() == 16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .ok_or(damaged)?;
    let mut sum = Checksum::default();
    sum.update(&bytes[..at]);
    if sum.0 == hex {
        Ok(())
    } else {
        Err(damaged.to_owned())
    }
}

/// A float that survives a JSON round trip exactly, not-a-number and infinities
/// included (as the strings `nan`, `inf`, `-inf`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_finite() {
            s.serialize_f64(self.0)
        } else {
            s.serialize_str(&format_number(self.0))
        }
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or \"nan\", \"inf\", \"-inf\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                match v {
                    "nan" => Ok(Num(f64::NAN)),
                    "inf" => Ok(Num(f64::INFINITY)),
                    "-inf" => Ok(Num(f64::NEG_INFINITY)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// What every part starts with: enough to tell whether parts belong together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// `run` or `sweep`.
    pub kind: String,
    /// The program version that wrote the part.
    pub version: String,
    /// [`model_hash`] of the scenario after overrides and run settings.
    pub hash: String,
    pub shard: Shard,
}

/// A part's [`Header`] read alone, as merge first reads every part (to name
/// one of another command, version or scenario before reading any whole):
/// the other fields of a run or sweep part are skipped unread, and any
/// other field is refused there, so a part padded with one is refused as
/// it is streamed past, never read into memory.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
// The fields after `shard` are only named, so that they are not refused.
#[allow(dead_code)]
pub struct PartHead {
    kind: String,
    version: String,
    hash: String,
    shard: Shard,
    #[serde(default)]
    scenario: de::IgnoredAny,
    #[serde(default)]
    seed: de::IgnoredAny,
    #[serde(default)]
    replications: de::IgnoredAny,
    #[serde(default)]
    runs: de::IgnoredAny,
    #[serde(default)]
    axes: de::IgnoredAny,
    #[serde(default)]
    points: de::IgnoredAny,
    #[serde(default)]
    checksum: de::IgnoredAny,
}

impl From<PartHead> for Header {
    fn from(h: PartHead) -> Self {
        Header {
            kind: h.kind,
            version: h.version,
            hash: h.hash,
            shard: h.shard,
        }
    }
}

/// The largest part merge reads, in bytes: it holds a part in memory whole
/// (about twice its size, read and parsed). A part of 1000 replications of
/// `scenarios/twenty-departments.toml` is 58 MB, so this is room for some
/// 17 000 of them; a run that needs more is split into more shards.
pub const MAX_PART_BYTES: u64 = 1 << 30;

/// The scenario a `run` part was made from, as given: merge rebuilds the model from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The file name, as given on the command line (for messages).
    pub origin: String,
    /// The file's content.
    pub text: String,
    /// The `--set` arguments, in order.
    pub overrides: Vec<String>,
}

/// One replication's raw result, as stored in a part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredRun {
    pub replication: u32,
    pub events: u64,
    pub metrics: Metrics<Num>,
    /// Week by week. Read as empty where absent (a part older than the
    /// timeline), so that merge refuses it for its buckets, by name.
    #[serde(default)]
    pub timeline: Vec<WeekCounts>,
}

/// The part a `handoff run --shard I/N` writes: its replications, raw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ReadRunPart")]
pub struct RunPart {
    #[serde(flatten)]
    pub header: Header,
    pub scenario: Source,
    pub seed: u64,
    /// Replications of the whole run (all shards).
    pub replications: u32,
    pub runs: Vec<StoredRun>,
}

/// A [`RunPart`] as read: every field by name, the header's among them,
/// and any other refused (a misspelt key, padding). The header is not
/// `flatten`ed here, as it is when written: serde cannot refuse unknown
/// fields next to a flattened one, and buffers the whole part to find them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadRunPart {
    kind: String,
    version: String,
    hash: String,
    shard: Shard,
    scenario: Source,
    seed: u64,
    replications: u32,
    runs: Vec<StoredRun>,
    /// Checked on the bytes by [`unseal`], before the part is used.
    #[serde(default, rename = "checksum")]
    _checksum: Option<String>,
}

impl From<ReadRunPart> for RunPart {
    fn from(p: ReadRunPart) -> Self {
        RunPart {
            header: Header {
                kind: p.kind,
                version: p.version,
                hash: p.hash,
                shard: p.shard,
            },
            scenario: p.scenario,
            seed: p.seed,
            replications: p.replications,
            runs: p.runs,
        }
    }
}

/// The kind of a [`RunPart`].
pub const RUN_KIND: &str = "run";

/// Run the replications of `model` that belong to `shard`, in parallel, calling
/// `done` as each finishes; `source` is what `model` was built from.
pub fn run_part(
    model: &Model,
    source: Source,
    shard: Shard,
    done: &(dyn Fn() + Sync),
) -> Result<RunPart, RunError> {
    let mut part = part_head(model, source, shard);
    run_shard(model, shard, done, |run| {
        part.runs.push(run?);
        Ok(())
    })?;
    Ok(part)
}

/// The part of `model`'s `shard` with no runs yet: what [`run_shard`]'s runs go into.
pub fn part_head(model: &Model, source: Source, shard: Shard) -> RunPart {
    RunPart {
        header: Header {
            kind: RUN_KIND.to_owned(),
            version: VERSION.to_owned(),
            hash: model_hash(model),
            shard,
        },
        scenario: source,
        seed: model.simulation.seed,
        replications: model.simulation.replications.max(1),
        runs: Vec::new(),
    }
}

/// One finished replication of a sharded run, kept in its own file beside the
/// part (`OUT.parts/`) until the part is written: a run that was stopped (Ctrl-C,
/// Slurm's time limit, a requeued task) goes on from them with `--resume`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptRun {
    /// Always [`KEPT_RUN_KIND`].
    pub kind: String,
    pub version: String,
    /// The hash of the run's model (scenario, `--set`, seed, replications).
    pub hash: String,
    pub run: StoredRun,
}

/// The kind of a [`KeptRun`].
pub const KEPT_RUN_KIND: &str = "run-replication";

impl KeptRun {
    pub fn new(hash: &str, run: StoredRun) -> Self {
        KeptRun {
            kind: KEPT_RUN_KIND.to_owned(),
            version: VERSION.to_owned(),
            hash: hash.to_owned(),
            run,
        }
    }

    /// Why this cannot stand for replication `replication` of the run whose
    /// model has `hash`, if it cannot.
    pub fn check(&self, hash: &str, replication: u32) -> Result<(), String> {
        if self.kind != KEPT_RUN_KIND {
            return Err(format!("it is a `{}`, not a kept replication", self.kind));
        }
        if self.version != VERSION {
            return Err(format!(
                "it was made by handoff {}, this is {VERSION}",
                self.version
            ));
        }
        if self.hash != hash {
            return Err(
                "it was made for another run (the scenario, a --set, --seed or --replications changed)"
                    .to_owned(),
            );
        }
        if self.run.replication != replication {
            return Err(format!(
                "it holds replication {}, not {replication}",
                self.run.replication
            ));
        }
        Ok(())
    }
}

/// Replication `r` of `model`, as a part stores it.
fn stored_run(model: &Model, r: u32) -> Result<StoredRun, RunError> {
    engine::run(model, r).map(|run| StoredRun {
        replication: r,
        events: run.events,
        metrics: run.metrics.map(&mut |v| Num(*v)),
        timeline: run.timeline,
    })
}

/// Run `replications` of `model` in parallel and hand each to `done` as it
/// finishes (from any thread, in any order). Once `stop` is set no new
/// replication starts; those running finish and are handed over. The first
/// error, of `done` or of a replication that ran away, stops the rest and is
/// returned.
pub fn run_replications<E: Send + From<RunError>>(
    model: &Model,
    replications: &[u32],
    stop: &AtomicBool,
    done: &(dyn Fn(StoredRun) -> Result<(), E> + Sync),
) -> Result<(), E> {
    replications.par_iter().with_max_len(1).try_for_each(|&r| {
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        let result = stored_run(model, r).map_err(E::from).and_then(done);
        result.inspect_err(|_| stop.store(true, Ordering::SeqCst))
    })
}

/// Run the replications of `model` that belong to `shard`, in parallel, and
/// hand each to `each` in replication order as it finishes (so they can be
/// written as they come, never all held at once); `done` is called as each
/// finishes. Stops at the first error of `each`, which is also handed the
/// error of a replication that ran away (see [`engine::run`]).
pub fn run_shard<E>(
    model: &Model,
    shard: Shard,
    done: &(dyn Fn() + Sync),
    mut each: impl FnMut(Result<StoredRun, RunError>) -> Result<(), E>,
) -> Result<(), E> {
    let total = model.simulation.replications.max(1);
    let mine = total.saturating_sub(shard.index).div_ceil(shard.count);
    super::try_in_order(
        mine,
        |k| {
            let run = stored_run(model, shard.index + k * shard.count);
            done();
            run
        },
        |_, run| each(run),
    )
}

/// Check that parts (each with a name for messages) belong together and that
/// shards `0..N` are all there, each once. The error says which part differs
/// and how. Nothing is allocated for the shards a part claims, only for the
/// parts given.
pub fn check_parts(parts: &[(String, Header)]) -> Result<(), String> {
    let Some((first_name, first)) = parts.first() else {
        return Err("no parts to merge".to_owned());
    };
    for (name, h) in parts {
        if h.kind != RUN_KIND && h.kind != super::sweep::SWEEP_KIND {
            return Err(format!(
                "`{name}` is a `{}` part; merge parts written by `handoff run --shard` or `handoff sweep --shard`",
                h.kind
            ));
        }
        if h.shard.count == 0 {
            return Err(format!(
                "`{name}` claims to be one of 0 shards (shard {}); a part is shard I/N with N at least 1: it was not written by handoff, or was edited",
                h.shard
            ));
        }
        if h.shard.index >= h.shard.count {
            return Err(format!(
                "`{name}` claims to be shard {}, but shards of {} are numbered 0 to {}: it was not written by handoff, or was edited",
                h.shard,
                h.shard.count,
                h.shard.count - 1
            ));
        }
    }
    for (name, h) in &parts[1..] {
        if h.kind != first.kind {
            return Err(format!(
                "`{name}` is a part of `handoff {}`, but `{first_name}` is a part of `handoff {}`: merge the parts of one command",
                h.kind, first.kind
            ));
        }
        if h.version != first.version {
            return Err(format!(
                "`{name}` was written by handoff {}, but `{first_name}` by handoff {}: results may differ between versions; make every part with one version",
                h.version, first.version
            ));
        }
        if h.hash != first.hash {
            return Err(format!(
                "`{name}` simulates something else than `{first_name}` (scenario hash {} against {}): the scenario file, a --set, --seed or --replications differ; make every part with the same command, changing only --shard",
                h.hash, first.hash
            ));
        }
        if h.shard.count != first.shard.count {
            return Err(format!(
                "`{name}` is shard {} but `{first_name}` is shard {}: every part must split the work the same way (the same N in --shard I/N)",
                h.shard, first.shard
            ));
        }
    }
    let n = first.shard.count;
    let mut seen: std::collections::BTreeMap<u32, &str> = std::collections::BTreeMap::new();
    for (name, h) in parts {
        if let Some(other) = seen.insert(h.shard.index, name) {
            return Err(format!(
                "shard {} is given twice: `{other}` and `{name}`; give each shard once",
                h.shard
            ));
        }
    }
    let missing_count = n as usize - seen.len();
    if missing_count > 0 {
        // The first few missing, without walking all of a huge N.
        let missing: Vec<u32> = (0..n).filter(|i| !seen.contains_key(i)).take(8).collect();
        let shown: Vec<String> = missing.iter().map(|i| format!("{i}/{n}")).collect();
        let indices: Vec<String> = missing.iter().map(u32::to_string).collect();
        let (what, list, how) = if missing_count > 8 {
            (
                format!("{missing_count} shards are"),
                format!("{}, …", shown.join(", ")),
                format!("the same command with --shard I/{n} for each missing I"),
            )
        } else if missing_count == 1 {
            (
                "shard".to_owned(),
                shown[0].clone(),
                format!(
                    "the same command with --shard {} (in a Slurm job array, resubmit that task alone: sbatch --array={} JOB_SCRIPT)",
                    shown[0], indices[0]
                ),
            )
        } else {
            (
                "shards".to_owned(),
                shown.join(", "),
                format!(
                    "the same command with --shard I/{n} for each (in a Slurm job array, resubmit those tasks: sbatch --array={} JOB_SCRIPT)",
                    indices.join(",")
                ),
            )
        };
        return Err(format!(
            "{what} missing: {list}; run {how}, then merge every part (a task still running: merge once it has finished)"
        ));
    }
    Ok(())
}

/// Refuse a shard count larger than the `items` it splits (some shards would be empty).
pub fn check_count(shard: Shard, items: u64, what: &str) -> Result<(), String> {
    if u64::from(shard.count) > items {
        return Err(format!(
            "--shard {shard} splits {items} {what} into {} shards: some would have nothing to do; use N from 1 to {items}",
            shard.count
        ));
    }
    Ok(())
}

/// The most events one stored replication may claim: as many as an `f64`
/// holds exactly (reports divide them), far more than a replication can
/// process (the engine stops one projected past [`engine::MAX_PROJECTED_EVENTS`]).
pub const MAX_STORED_EVENTS: u64 = 1 << 53;

/// What every replication of one model holds, to check a stored one against:
/// a part from elsewhere is checked as a whole before any of it is used.
#[derive(Debug, Clone)]
pub struct Expected {
    /// The statistics' names (see [`super::shape`]).
    names: Vec<String>,
    /// Buckets of the timeline, from the warm-up and the duration.
    buckets: usize,
    /// Morale values and handoff odds per bucket (0 where the model has none).
    morale: usize,
    odds: usize,
    /// Causes a customer can be lost to (`Cause::all`).
    causes: usize,
    /// Each incident's window as the model has it: (from, to, every).
    incidents: Vec<(f64, f64, Option<f64>)>,
    /// Hours counted: from the warm-up to the end of the run.
    counted_h: f64,
}

impl Expected {
    pub fn of(model: &Model) -> Expected {
        let empty = super::empty_run(model);
        let week = empty.as_ref().and_then(|r| r.timeline.first());
        let sim = &model.simulation;
        Expected {
            names: super::shape(model),
            buckets: Grid::new(sim.warmup_h, sim.duration_h).buckets,
            morale: week.map_or(0, |w| w.morale.len()),
            odds: week.map_or(0, |w| w.odds.len()),
            causes: crate::model::Cause::all(model).len(),
            incidents: empty.as_ref().map_or_else(Vec::new, |r| {
                r.metrics
                    .incidents
                    .iter()
                    .map(|i| (i.from_h, i.to_h, i.every_h))
                    .collect()
            }),
            counted_h: (sim.duration_h - sim.warmup_h).max(0.0),
        }
    }

    /// Why `run` cannot be a replication of the model, if it cannot: another
    /// shape, or a value no simulation produces (a negative count, a share
    /// above 1, not a number where the engine always measures one), or a
    /// timeline of other buckets. The message names the field.
    pub fn check(&self, run: &StoredRun) -> Result<(), String> {
        if run.events > MAX_STORED_EVENTS {
            return Err(format!(
                "`events` is {}, more than a replication can process (at most 2^53)",
                run.events
            ));
        }
        let named = run.metrics.named();
        if named.len() != self.names.len()
            || named.iter().zip(&self.names).any(|((k, _), n)| k != n)
        {
            let names: Vec<String> = named.into_iter().map(|(k, _)| k).collect();
            return Err(crate::metrics::shape_difference(&self.names, &names));
        }
        for (name, v) in &named {
            if let Some(why) = crate::metrics::ranges::implausible(name, v.0) {
                return Err(why);
            }
        }
        for (i, (m, &(from_h, to_h, every_h))) in run
            .metrics
            .incidents
            .iter()
            .zip(&self.incidents)
            .enumerate()
        {
            // Compared bit for bit: the model's own numbers, stored exactly.
            let same = |a: f64, b: f64| a.to_bits() == b.to_bits();
            let same_every = match (m.every_h, every_h) {
                (Some(a), Some(b)) => same(a, b),
                (a, b) => a.is_none() && b.is_none(),
            };
            if !(same(m.from_h, from_h) && same(m.to_h, to_h) && same_every) {
                return Err(format!(
                    "incident {i} (`{}`) has another window than the scenario's",
                    m.name
                ));
            }
            if !(m.window_h >= 0.0 && m.window_h <= self.counted_h) {
                return Err(format!(
                    "`incidents.{}.window_h` is {}, not between 0 and the {} hours counted",
                    m.name,
                    format_number(m.window_h),
                    format_number(self.counted_h)
                ));
            }
        }
        self.check_timeline(&run.timeline)
    }

    /// Why `weeks` cannot be a replication's timeline, if it cannot. The
    /// buckets' edges are not stored: they follow from the scenario's warm-up
    /// and duration, so a timeline with the right number of buckets has them.
    fn check_timeline(&self, weeks: &[WeekCounts]) -> Result<(), String> {
        if weeks.len() != self.buckets {
            return Err(format!(
                "its timeline has {} buckets, but the scenario's counted period (after the warm-up) has {}",
                weeks.len(),
                self.buckets
            ));
        }
        for (k, w) in weeks.iter().enumerate() {
            let at = |what: String| format!("bucket {k} of its timeline {what}");
            if w.morale.len() != self.morale {
                return Err(at(format!(
                    "has {} morale values, but the scenario has {}",
                    w.morale.len(),
                    self.morale
                )));
            }
            if let Some(m) = w.morale.iter().find(|m| !(0.0..=1.0).contains(*m)) {
                return Err(at(format!(
                    "has the morale {}, not a share between 0 and 1",
                    format_number(*m)
                )));
            }
            if w.odds.len() != self.odds {
                return Err(at(format!(
                    "has the odds of {} handoffs, but the scenario has {} there",
                    w.odds.len(),
                    self.odds
                )));
            }
            for (h, o) in w.odds.iter().enumerate() {
                // Each is a sum of probabilities, one per transfer.
                let most = o.transfers as f64 * (1.0 + 1e-9);
                if [o.lose, o.error, o.catch]
                    .iter()
                    .any(|p| !(*p >= 0.0 && *p <= most))
                {
                    return Err(at(format!(
                        "has odds summed over the {} transfers of handoff {h} that are not between 0 and {}",
                        o.transfers, o.transfers
                    )));
                }
            }
            let mut by_cause: u64 = 0;
            for &(cause, n) in &w.lost_by_cause {
                if cause as usize >= self.causes {
                    return Err(at(format!(
                        "counts customers lost to cause number {cause}, but the scenario's causes are numbered 0 to {}",
                        self.causes.saturating_sub(1)
                    )));
                }
                if n == 0 {
                    return Err(at(format!(
                        "lists cause number {cause} with no customer lost to it"
                    )));
                }
                by_cause = by_cause.saturating_add(n);
            }
            // Few causes lose a customer in one bucket: sorting them is cheap.
            let mut causes: Vec<u32> = w.lost_by_cause.iter().map(|(c, _)| *c).collect();
            causes.sort_unstable();
            if let Some(twice) = causes.windows(2).find(|p| p[0] == p[1]) {
                return Err(at(format!("lists cause number {} twice", twice[0])));
            }
            if by_cause != w.customers_lost {
                return Err(at(format!(
                    "counts {} customers lost, but {by_cause} by cause",
                    w.customers_lost
                )));
            }
        }
        Ok(())
    }
}

/// Replay checked `run` parts (each with a name for messages) in replication
/// order, as one process would have made them, handing each replication to
/// `each`. Every part must agree on the replications in all, split no more
/// ways than there are replications, and hold exactly its own replications,
/// each a replication `model` can have (see [`Expected::check`]).
pub fn merge_runs(
    parts: &mut [(String, RunPart)],
    model: &Model,
    mut each: impl FnMut(RunResult) -> Result<(), String>,
) -> Result<(), String> {
    let Some((first_name, first)) = parts.first() else {
        return Err("no parts to merge".to_owned());
    };
    let total = first.replications;
    let first_name = first_name.clone();
    let count = first.header.shard.count;
    if total == 0 || total > super::MAX_REPLICATIONS {
        return Err(format!(
            "`{first_name}` claims {total} replications; a run has 1 to {}",
            super::MAX_REPLICATIONS
        ));
    }
    if count > total {
        return Err(format!(
            "`{first_name}` is shard {} of a run of {total} replications: a run is split at most {total} ways",
            first.header.shard
        ));
    }
    let expected = Expected::of(model);
    // Added up as the report adds them: a sum past what it holds is refused,
    // not saturated into a wrong figure.
    let mut events: u64 = 0;
    parts.sort_by_key(|(_, p)| p.header.shard.index);
    for (name, part) in parts.iter_mut() {
        if part.replications != total {
            return Err(format!(
                "`{name}` says the run has {} replications, `{first_name}` says {total}",
                part.replications
            ));
        }
        let expected_runs = (total - part.header.shard.index).div_ceil(count) as usize;
        if part.runs.len() != expected_runs {
            return Err(format!(
                "`{name}` holds {} replications, but shard {} of {total} has {expected_runs}",
                part.runs.len(),
                part.header.shard
            ));
        }
        part.runs.sort_by_key(|r| r.replication);
        for (k, run) in part.runs.iter().enumerate() {
            let r = part.header.shard.index as u64 + k as u64 * u64::from(count);
            if u64::from(run.replication) != r {
                return Err(format!(
                    "`{name}` holds replication {}, which is not one of shard {}'s, or holds one twice",
                    run.replication, part.header.shard
                ));
            }
            expected.check(run).map_err(|why| {
                format!(
                    "`{name}`, replication {r}: {why}; it was not written for this scenario, or was edited"
                )
            })?;
            events = events.checked_add(run.events).ok_or_else(|| {
                format!(
                    "`{name}`, replication {r}: the parts claim more events in all than can be counted ({} in this one); one was edited",
                    run.events
                )
            })?;
        }
    }
    let mut runs: Vec<std::vec::IntoIter<StoredRun>> = parts
        .iter_mut()
        .map(|(_, p)| std::mem::take(&mut p.runs).into_iter())
        .collect();
    for r in 0..total {
        let run = runs[(r % count) as usize]
            .next()
            .expect("every part holds its own replications, checked above");
        each(RunResult {
            events: run.events,
            metrics: run.metrics.map(&mut |v| v.0),
            timeline: run.timeline,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sealed_part_unseals_and_any_change_is_caught() {
        let part = b"{\n  \"kind\": \"run\",\n  \"runs\": [1.5]\n}\n";
        let sealed = super::seal(part);
        assert!(
            sealed.starts_with(b"{\n  \"kind\": \"run\",\n  \"runs\": [1.5],\n  \"checksum\": \"")
        );
        assert_eq!(super::unseal(&sealed), Ok(()));
        let value: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
        assert_eq!(value["runs"][0], 1.5);
        for i in 0..sealed.len() {
            let mut changed = sealed.clone();
            changed[i] ^= 0x04;
            assert!(super::unseal(&changed).is_err(), "byte {i}");
        }
        for n in 0..sealed.len() {
            assert!(super::unseal(&sealed[..n]).is_err(), "cut at {n}");
        }
        assert!(super::unseal(part).is_err());
    }

    use super::*;

    fn header(kind: &str, version: &str, hash: &str, i: u32, n: u32) -> Header {
        Header {
            kind: kind.into(),
            version: version.into(),
            hash: hash.into(),
            shard: Shard { index: i, count: n },
        }
    }

    #[test]
    fn shards_parse_and_split() {
        let s = Shard::parse("3/8").unwrap();
        assert_eq!(s, Shard { index: 3, count: 8 });
        assert!(s.contains(3) && s.contains(11) && !s.contains(4));
        assert_eq!(s.to_string(), "3/8");
        for (bad, why) in [
            ("8/8", "below N"),
            ("1/0", "at least 1"),
            ("x/2", "whole number"),
            ("2.5/4", "`2.5` is not a whole number"),
            (
                "18446744073709551615/18446744073709551616",
                "`18446744073709551615` is too large",
            ),
            ("0/4294967296", "`4294967296` is too large"),
            ("3", "no `/`"),
            ("-1/2", "`-1` is negative"),
            (
                "64/64",
                "numbered 0 to 63; a Slurm job array for them is `--array=0-63`",
            ),
            ("/64", "I is empty (is `$SLURM_ARRAY_TASK_ID` unset?"),
        ] {
            let e = Shard::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn parts_that_do_not_belong_together_are_refused() {
        let ok = |hs: Vec<Header>| {
            let named: Vec<(String, Header)> = hs
                .into_iter()
                .enumerate()
                .map(|(i, h)| (format!("p{i}"), h))
                .collect();
            check_parts(&named)
        };
        assert!(
            ok(vec![
                header("run", "1", "a", 1, 2),
                header("run", "1", "a", 0, 2)
            ])
            .is_ok()
        );
        let e = ok(vec![
            header("run", "1", "a", 0, 2),
            header("sweep", "1", "a", 1, 2),
        ]);
        assert!(e.unwrap_err().contains("`p1` is a part of `handoff sweep`"));
        let e = ok(vec![
            header("run", "1", "a", 0, 2),
            header("run", "2", "a", 1, 2),
        ]);
        assert!(e.unwrap_err().contains("handoff 2"));
        let e = ok(vec![
            header("run", "1", "a", 0, 2),
            header("run", "1", "b", 1, 2),
        ]);
        assert!(e.unwrap_err().contains("hash b against a"));
        let e = ok(vec![
            header("run", "1", "a", 0, 3),
            header("run", "1", "a", 0, 3),
        ]);
        assert!(e.unwrap_err().contains("shard 0/3 is given twice"));
        let e = ok(vec![header("run", "1", "a", 0, 3)]);
        assert!(e.unwrap_err().contains(
            "shards missing: 1/3, 2/3; run the same command with --shard I/3 for each (in a Slurm job array, resubmit those tasks: sbatch --array=1,2 JOB_SCRIPT)"
        ));
        let e = ok(vec![
            header("run", "1", "a", 0, 3),
            header("run", "1", "a", 2, 3),
        ]);
        assert!(e.unwrap_err().contains(
            "shard missing: 1/3; run the same command with --shard 1/3 (in a Slurm job array, resubmit that task alone: sbatch --array=1 JOB_SCRIPT), then merge every part"
        ));
        let e = ok(vec![header("run", "1", "a", 5, 3)]);
        assert!(e.unwrap_err().contains("`p0` claims to be shard 5/3"));
        let e = ok(vec![header("run", "1", "a", 0, 0)]);
        assert!(e.unwrap_err().contains("`p0` claims to be one of 0 shards"));
        let e = ok(vec![header("walk", "1", "a", 0, 1)]);
        assert!(e.unwrap_err().contains("`p0` is a `walk` part"));
        // A part claiming a hundred million shards is answered at once.
        let e = ok(vec![header("run", "1", "a", 0, 100_000_000)]);
        assert!(
            e.unwrap_err()
                .contains("99999999 shards are missing: 1/100000000, 2/100000000")
        );
    }

    /// Every replication the engine makes passes the checks merge applies
    /// to stored ones, every statistic has a known range, and a few edits
    /// are refused by name: the checks refuse edits, never real results.
    #[test]
    fn real_replications_pass_the_checks_and_edits_do_not() {
        let mut files: Vec<std::path::PathBuf> = ["scenarios", "tests/cases/ok"]
            .iter()
            .flat_map(|d| std::fs::read_dir(d).expect("a folder of scenarios"))
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        let mut checked = 0;
        for path in &files {
            let Ok(model) = crate::scenario::load(path) else {
                continue;
            };
            let expected = Expected::of(&model);
            for r in 0..2 {
                let Ok(run) = stored_run(&model, r) else {
                    continue;
                };
                for (name, _) in run.metrics.named() {
                    assert!(
                        crate::metrics::ranges::range_of(&name).is_some(),
                        "{}: `{name}` has no known range",
                        path.display()
                    );
                }
                assert_eq!(expected.check(&run), Ok(()), "{}", path.display());
                checked += 1;
            }
        }
        assert!(checked > 40, "{checked} replications of {files:?}");
        let model = crate::scenario::load(std::path::Path::new("scenarios/baseline.toml")).unwrap();
        let expected = Expected::of(&model);
        let run = stored_run(&model, 0).unwrap();
        type Edit = fn(&mut StoredRun);
        let edits: [(Edit, &str); 7] = [
            (
                |r| r.metrics.departments[0].utilization = Num(-5.0),
                "`departments.sales.utilization` is -5, not a share between 0 and 1",
            ),
            (
                |r| r.metrics.orders.delivered = Num(f64::INFINITY),
                "`orders.delivered` is inf, not a count",
            ),
            (
                |r| r.events = u64::MAX,
                "`events` is 18446744073709551615, more than a replication can process",
            ),
            (|r| r.timeline.clear(), "its timeline has 0 buckets, but"),
            (
                |r| r.timeline.truncate(3),
                "its timeline has 3 buckets, but",
            ),
            (
                |r| r.timeline[0].lost_by_cause.push((999, 1)),
                "bucket 0 of its timeline counts customers lost to cause number 999",
            ),
            (
                |r| {
                    r.timeline[1].lost_by_cause = vec![(0, 1), (0, 1)];
                    r.timeline[1].customers_lost = 2;
                },
                "bucket 1 of its timeline lists cause number 0 twice",
            ),
        ];
        for (edit, says) in edits {
            let mut bad = run.clone();
            edit(&mut bad);
            let why = expected.check(&bad).unwrap_err();
            assert!(why.contains(says), "{why}");
        }
    }

    #[test]
    fn numbers_round_trip_exactly() {
        for x in [0.1 + 0.2, 1.0 / 3.0, 1e-300, f64::NAN, f64::INFINITY, -2.5] {
            let json = serde_json::to_string(&Num(x)).unwrap();
            let back: Num = serde_json::from_str(&json).unwrap();
            assert!(back.0 == x || (x.is_nan() && back.0.is_nan()), "{json}");
        }
    }
}
