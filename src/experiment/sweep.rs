//! Parameter sweeps: a grid of `--set` overrides, each point replicated with
//! the same seed (common random numbers), so neighbouring points differ only
//! by the parameters swept.
//!
//! An [`Axis`] is one path and its values (`customers.promise=2d:6d:1d` gives
//! `2d`, `3d`, … `6d`); the [`Grid`] is every combination, the first axis
//! varying slowest. Each point is summarised into named statistics
//! ([`Metrics::named`] of every run, summarised). Points are independent, so a
//! sweep can stop and resume, or be split into shards, and still produce the
//! same [`Sweep`].

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::shard::{Header, Num, Shard};
use crate::engine::{self, RunError};
use crate::metrics::{Stat, Summariser};
use crate::model::Model;
use crate::scenario::format_number;

/// The most points one axis may have.
pub const MAX_AXIS_POINTS: usize = 100_000;

/// One swept parameter: an override path and the values it takes, as override values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// As the user wrote it: `customers.promise`, `department.billing.staff`.
    pub path: String,
    /// Override values, with their unit: `2d`, `3d`, …
    pub values: Vec<String>,
}

impl Axis {
    /// Parse `PATH=START:STOP:STEP` (values START, START+STEP, … up to STOP;
    /// the three may carry one unit: `2d:6d:1d`, `10/d:20/d:5/d`), or
    /// `PATH=V1,V2,…` (a list of values), or `PATH=VALUE` (one value).
    pub fn parse(arg: &str) -> Result<Axis, String> {
        let bad = |why: &str| {
            format!(
                "invalid --vary `{arg}`: {why}; write PATH=START:STOP:STEP, e.g. `customers.promise=2d:6d:1d`, or PATH=V1,V2,…"
            )
        };
        let Some(eq) = crate::scenario::assignment(arg) else {
            return Err(bad("there is no `=`"));
        };
        let path = arg[..eq].trim();
        let spec = arg[eq + 1..].trim();
        if path.is_empty() {
            return Err(bad("there is no path before `=`"));
        }
        if spec.is_empty() {
            return Err(bad("there are no values after `=`"));
        }
        let values = if spec.starts_with(['{', '[', '"', '\'']) {
            vec![spec.to_owned()]
        } else if spec.contains(':') {
            range(spec).map_err(|why| bad(&why))?
        } else {
            let values: Vec<String> = spec.split(',').map(|v| v.trim().to_owned()).collect();
            if values.iter().any(String::is_empty) {
                return Err(bad("the list has an empty value"));
            }
            repeated(arg, path, &values).map_or(Ok(values), Err)?
        };
        Ok(Axis {
            path: path.to_owned(),
            values,
        })
    }

    /// The override argument for value `k`: `customers.promise=3d`.
    pub fn set(&self, k: usize) -> String {
        format!("{}={}", self.path, self.values[k])
    }
}

/// The error for a list that holds one value twice (the same point would
/// run twice), naming it and giving the list without the repeats.
fn repeated(arg: &str, path: &str, values: &[String]) -> Option<String> {
    let same = crate::scenario::same_value;
    let first_of = |i: usize| (0..i).find(|&j| same(&values[j], &values[i]));
    let (i, j) = (0..values.len()).find_map(|i| first_of(i).map(|j| (i, j)))?;
    let kept: Vec<&str> = (0..values.len())
        .filter(|&k| first_of(k).is_none())
        .map(|k| values[k].as_str())
        .collect();
    let twice = if values[i] == values[j] {
        format!("`{}` is in the list twice", values[i])
    } else {
        format!(
            "`{}` is in the list twice (as `{}` and `{}`)",
            values[j], values[j], values[i]
        )
    };
    Some(format!(
        "invalid --vary `{arg}`: {twice}, so the sweep would run the same point twice\n  \
         help: give each value once: `--vary {path}={}`",
        kept.join(",")
    ))
}

/// `"1.5d"` → (1.5, "d", decimals 1); `"10/d"` → (10, "/d", 0).
fn number_and_unit(text: &str) -> Result<(f64, &str, Option<u32>), String> {
    let text = text.trim();
    let (num, unit) = crate::scenario::split_number(text);
    let x: f64 = num
        .replace('_', "")
        .parse()
        .ok()
        .filter(|x: &f64| x.is_finite())
        .ok_or_else(|| format!("`{text}` does not start with a number"))?;
    // Decimals as written, to round away float noise (`0.1 + 0.2`); none with an exponent.
    let decimals = if num.contains(['e', 'E']) {
        None
    } else {
        Some(num.split_once('.').map_or(0, |(_, d)| d.len() as u32))
    };
    Ok((x, unit, decimals))
}

/// The values of `START:STOP:STEP`.
fn range(spec: &str) -> Result<Vec<String>, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let [start, stop, step] = parts[..] else {
        return Err(format!(
            "a range has three parts, START:STOP:STEP, not {}",
            parts.len()
        ));
    };
    let (a, ua, da) = number_and_unit(start)?;
    let (b, ub, _) = number_and_unit(stop)?;
    let (s, us, ds) = number_and_unit(step)?;
    if ua != ub || ua != us {
        return Err(format!(
            "START, STOP and STEP must carry the same unit (here `{ua}`, `{ub}` and `{us}`)"
        ));
    }
    if s <= 0.0 {
        return Err("STEP must be above zero".to_owned());
    }
    if b < a {
        return Err("STOP is below START".to_owned());
    }
    // A relative tolerance, so that 0.1:0.3:0.1 ends at 0.3 despite float noise.
    let k = ((b - a) / s * (1.0 + 1e-12) + 1e-9).floor();
    if k + 1.0 > MAX_AXIS_POINTS as f64 {
        return Err(format!(
            "that is more than {MAX_AXIS_POINTS} values; use a larger STEP"
        ));
    }
    let n = k as usize + 1;
    let decimals = da.zip(ds).map(|(x, y)| x.max(y).min(15));
    Ok((0..n)
        .map(|i| {
            let x = a + i as f64 * s;
            let x = match decimals {
                Some(d) => {
                    let scale = 10f64.powi(d as i32);
                    (x * scale).round() / scale
                }
                None => x,
            };
            format!("{}{ua}", format_number(x))
        })
        .collect())
}

/// Every combination of the axes' values; the first axis varies slowest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub axes: Vec<Axis>,
}

impl Grid {
    /// A grid over `axes`; two axes may not share a path.
    pub fn new(axes: Vec<Axis>) -> Result<Grid, String> {
        for (i, a) in axes.iter().enumerate() {
            if axes[..i].iter().any(|b| b.path == a.path) {
                return Err(format!(
                    "`{}` is swept twice; give each path one --vary",
                    a.path
                ));
            }
        }
        let grid = Grid { axes };
        if grid
            .axes
            .iter()
            .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
            .is_none_or(|n| n > 10_000_000)
        {
            return Err("the sweep has more than 10 000 000 points".to_owned());
        }
        Ok(grid)
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i`'s index into each axis.
    fn digits(&self, mut i: usize) -> Vec<usize> {
        let mut out = vec![0; self.axes.len()];
        for (k, a) in self.axes.iter().enumerate().rev() {
            out[k] = i % a.values.len();
            i /= a.values.len();
        }
        out
    }

    /// Point `i`'s values, one per axis.
    pub fn values(&self, i: usize) -> Vec<String> {
        self.digits(i)
            .iter()
            .zip(&self.axes)
            .map(|(&k, a)| a.values[k].clone())
            .collect()
    }

    /// Point `i`'s override arguments, one per axis: `customers.promise=3d`.
    pub fn sets(&self, i: usize) -> Vec<String> {
        self.digits(i)
            .iter()
            .zip(&self.axes)
            .map(|(&k, a)| a.set(k))
            .collect()
    }
}

/// A statistic with its name (`customers.lost`), as [`Metrics::named`] names it.
pub type Named = (String, Stat);

/// One finished point of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "StoredPoint", from = "StoredPoint")]
pub struct Point {
    pub index: usize,
    /// One value per axis.
    pub values: Vec<String>,
    /// Every statistic of the point's replications, summarised.
    pub metrics: Vec<Named>,
}

/// A [`Point`] as stored in parts: floats that read back exactly.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredPoint {
    index: usize,
    values: Vec<String>,
    metrics: Vec<StoredStat>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredStat {
    name: String,
    mean: Num,
    ci95: Option<Num>,
}

impl From<Point> for StoredPoint {
    fn from(p: Point) -> Self {
        StoredPoint {
            index: p.index,
            values: p.values,
            metrics: p
                .metrics
                .into_iter()
                .map(|(name, s)| StoredStat {
                    name,
                    mean: Num(s.mean),
                    ci95: s.ci95.map(Num),
                })
                .collect(),
        }
    }
}

impl From<StoredPoint> for Point {
    fn from(p: StoredPoint) -> Self {
        Point {
            index: p.index,
            values: p.values,
            metrics: p
                .metrics
                .into_iter()
                .map(|s| {
                    (
                        s.name,
                        Stat {
                            mean: s.mean.0,
                            ci95: s.ci95.map(|n| n.0),
                        },
                    )
                })
                .collect(),
        }
    }
}

/// Replicate `model` (its seed and replications) and summarise every statistic by name.
pub fn run_point(model: &Model) -> Result<Vec<Named>, RunError> {
    let n = model.simulation.replications.max(1);
    let mut summariser = Summariser::default();
    super::try_in_order(
        n,
        |r| engine::run(model, r),
        |_, run| {
            summariser
                .add(&run?.metrics)
                .expect("replications of one model share one shape");
            Ok(())
        },
    )?;
    Ok(summariser
        .finish()
        .expect("at least one replication")
        .named())
}

/// A point still to run: its index in the grid and its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Todo {
    pub index: usize,
    pub values: Vec<String>,
}

/// Run `todo` in parallel, building each point's model with `build` when it
/// starts (so a large sweep never holds every model at once), and hand each
/// finished point to `done` (from any thread, in any order). Once `stop` is
/// set no new point starts; points already running finish and are handed
/// over. The first error from `build` or `done` stops the sweep and is returned.
pub fn run_points<E: Send + From<RunError>>(
    todo: &[Todo],
    stop: &AtomicBool,
    build: &(dyn Fn(&Todo) -> Result<Model, E> + Sync),
    done: &(dyn Fn(Point) -> Result<(), E> + Sync),
) -> Result<(), E> {
    todo.par_iter().with_max_len(1).try_for_each(|t| {
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        let result = build(t).and_then(|model| {
            done(Point {
                index: t.index,
                values: t.values.clone(),
                metrics: run_point(&model)?,
            })
        });
        result.inspect_err(|_| stop.store(true, Ordering::SeqCst))
    })
}

/// What one point's own part file holds (in the `OUT.parts/` directory of a
/// sweep): enough to tell, on `--resume`, whether it belongs to this sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointPart {
    /// Always [`POINT_KIND`].
    pub kind: String,
    pub version: String,
    /// The hash of the sweep's base model (scenario, `--set`, seed, replications).
    pub hash: String,
    pub point: Point,
}

/// The kind of a [`PointPart`].
pub const POINT_KIND: &str = "sweep-point";
/// The kind of a [`SweepPart`].
pub const SWEEP_KIND: &str = "sweep";

/// Why a stored point cannot be reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch(pub String);

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PointPart {
    /// Whether this stored point is point `index` with `values` of the sweep with `hash`.
    pub fn check(&self, hash: &str, index: usize, values: &[String]) -> Result<(), Mismatch> {
        if self.kind != POINT_KIND {
            return Err(Mismatch(format!(
                "it is not a sweep point (its kind is `{}`)",
                self.kind
            )));
        }
        if self.version != super::shard::VERSION {
            return Err(Mismatch(format!(
                "it was made by handoff {}, this is handoff {}",
                self.version,
                super::shard::VERSION
            )));
        }
        if self.hash != hash {
            return Err(Mismatch(format!(
                "it was made from another scenario or settings (hash {}, now {hash}): the scenario file, a --set, --seed or --replications changed",
                self.hash
            )));
        }
        if self.point.index != index || self.point.values != values {
            return Err(Mismatch(format!(
                "it holds point {} with values {}, but point {index} of this sweep has values {}: the --vary arguments changed",
                self.point.index,
                self.point.values.join(", "),
                values.join(", ")
            )));
        }
        Ok(())
    }
}

/// A whole sweep: what `handoff sweep` writes, as CSV or JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The scenario's name.
    pub scenario: String,
    /// The hash of the base model (scenario, `--set`, seed, replications).
    pub hash: String,
    pub seed: u64,
    pub replications: u32,
    pub axes: Vec<Axis>,
    /// Every point, in grid order.
    pub points: Vec<Point>,
}

/// The part a `handoff sweep --shard I/N` writes: the points of its shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ReadSweepPart")]
pub struct SweepPart {
    #[serde(flatten)]
    pub header: Header,
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    pub axes: Vec<Axis>,
    pub points: Vec<Point>,
}

/// A [`SweepPart`] as read: every field by name and any other refused (see
/// `shard::ReadRunPart`: no `flatten`, which cannot refuse them).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadSweepPart {
    kind: String,
    version: String,
    hash: String,
    shard: Shard,
    scenario: String,
    seed: u64,
    replications: u32,
    axes: Vec<Axis>,
    points: Vec<Point>,
    /// Checked on the bytes by `shard::unseal`, before the part is used.
    #[serde(default, rename = "checksum")]
    _checksum: Option<String>,
}

impl From<ReadSweepPart> for SweepPart {
    fn from(p: ReadSweepPart) -> Self {
        SweepPart {
            header: Header {
                kind: p.kind,
                version: p.version,
                hash: p.hash,
                shard: p.shard,
            },
            scenario: p.scenario,
            seed: p.seed,
            replications: p.replications,
            axes: p.axes,
            points: p.points,
        }
    }
}

impl SweepPart {
    /// The part of `shard` holding `points` of `sweep`.
    pub fn new(sweep: Sweep, shard: Shard) -> SweepPart {
        SweepPart {
            header: Header {
                kind: SWEEP_KIND.to_owned(),
                version: super::shard::VERSION.to_owned(),
                hash: sweep.hash,
                shard,
            },
            scenario: sweep.scenario,
            seed: sweep.seed,
            replications: sweep.replications,
            axes: sweep.axes,
            points: sweep.points,
        }
    }
}

/// The whole sweep from parts checked by [`super::shard::check_parts`].
pub fn merge_sweep(parts: Vec<(String, SweepPart)>) -> Result<Sweep, String> {
    let Some((first_name, first)) = parts.first() else {
        return Err("no parts to merge".to_owned());
    };
    let first_name = first_name.clone();
    let grid = Grid::new(first.axes.clone()).map_err(|e| format!("`{first_name}`: {e}"))?;
    let mut sweep = Sweep {
        scenario: first.scenario.clone(),
        hash: first.header.hash.clone(),
        seed: first.seed,
        replications: first.replications,
        axes: first.axes.clone(),
        points: Vec::new(),
    };
    if let Some(a) = first.axes.iter().find(|a| a.values.is_empty()) {
        return Err(format!(
            "`{first_name}` sweeps `{}` over no values: it was not written by handoff, or was edited",
            a.path
        ));
    }
    let count = first.header.shard.count;
    if count as usize > grid.len() {
        return Err(format!(
            "`{first_name}` is shard {} of a sweep of {} points: a sweep is split at most {} ways",
            first.header.shard,
            grid.len(),
            grid.len()
        ));
    }
    // Counted before anything is allocated for the grid: only what the parts hold.
    let held: usize = parts.iter().map(|(_, p)| p.points.len()).sum();
    if held != grid.len() {
        return Err(format!(
            "the parts hold {held} points, but the sweep has {}: a part is missing points or holds extra ones (was one edited?)",
            grid.len()
        ));
    }
    let names = common_statistics(&parts)?;
    let mut slots: Vec<Option<Point>> = vec![None; grid.len()];
    for (name, part) in parts {
        if part.axes != sweep.axes {
            return Err(format!(
                "`{name}` sweeps other values than `{first_name}`: make every part with the same --vary arguments"
            ));
        }
        if part.replications != sweep.replications || part.seed != sweep.seed {
            return Err(format!(
                "`{name}` has another seed or number of replications than `{first_name}`: make every part with the same command, changing only --shard"
            ));
        }
        let shard = part.header.shard;
        for p in part.points {
            let index = p.index;
            if index >= grid.len() {
                return Err(format!(
                    "`{name}` holds point {index}, but the sweep has {} points (0 to {}): it was edited",
                    grid.len(),
                    grid.len() - 1
                ));
            }
            if !shard.contains(index as u64) {
                return Err(format!(
                    "`{name}` holds point {index}, which is not one of shard {shard}'s (the points i with i % {} = {})",
                    shard.count, shard.index
                ));
            }
            let values = grid.values(index);
            if p.values != values {
                let given = if p.values.is_empty() {
                    "none".to_owned()
                } else {
                    p.values
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let axes: Vec<String> = sweep
                    .axes
                    .iter()
                    .zip(&values)
                    .map(|(a, v)| format!("`{}={v}`", a.path))
                    .collect();
                return Err(format!(
                    "`{name}`, point {index}: its values are {given}, but point {index} of the sweep is {}: it was edited",
                    axes.join(", ")
                ));
            }
            let point_names: Vec<String> = p.metrics.iter().map(|(k, _)| k.clone()).collect();
            if point_names != names.names {
                return Err(format!(
                    "`{name}`, point {index}: {}; every point of a sweep has the same statistics (was the part edited?)",
                    statistics_difference(&names.names, &point_names, &names.others())
                ));
            }
            for (stat_name, stat) in &p.metrics {
                if let Some(why) = crate::metrics::ranges::implausible_summary(stat_name, stat) {
                    return Err(format!(
                        "`{name}`, point {index}: {why}; was the part edited?"
                    ));
                }
            }
            if slots[index].replace(p).is_some() {
                return Err(format!("`{name}` holds point {index} twice"));
            }
        }
    }
    for (i, s) in slots.into_iter().enumerate() {
        match s {
            Some(p) => sweep.points.push(p),
            None => return Err(format!("point {i} is missing from its shard's part")),
        }
    }
    Ok(sweep)
}

/// The statistics every point of a sweep has, as most of the points have
/// them: a point edited is told from the others by those it differs from,
/// not by whether it happens to come first.
struct Common {
    names: Vec<String>,
    /// Points with these statistics, and the first of them.
    count: usize,
    first: usize,
}

impl Common {
    /// The points that have these statistics, in words (for a point that has not).
    fn others(&self) -> String {
        match self.count {
            1 => format!("point {}", self.first),
            n => format!("the other {n} points"),
        }
    }
}

/// The statistics most points of `parts` have; refused when as many points
/// have one list as another, as which part was edited cannot be told.
fn common_statistics(parts: &[(String, SweepPart)]) -> Result<Common, String> {
    // Lists of names, each with its points and the first of them (part, point).
    let mut lists: Vec<(Vec<&str>, usize, (&str, usize))> = Vec::new();
    for (name, part) in parts {
        for p in &part.points {
            let names: Vec<&str> = p.metrics.iter().map(|(k, _)| k.as_str()).collect();
            match lists.iter_mut().find(|(l, _, _)| *l == names) {
                Some((_, n, _)) => *n += 1,
                None => lists.push((names, 1, (name, p.index))),
            }
        }
    }
    // Stable: of lists as common, the first seen comes first.
    lists.sort_by_key(|l| std::cmp::Reverse(l.1));
    let Some((names, count, (_, first))) = lists.first() else {
        return Ok(Common {
            names: Vec::new(),
            count: 0,
            first: 0,
        });
    };
    let owned = |l: &[&str]| l.iter().map(|n| (*n).to_owned()).collect::<Vec<String>>();
    if let Some((other, n, (other_part, other_point))) = lists.get(1)
        && n == count
    {
        let (part, _) = lists[0].2;
        return Err(format!(
            "`{part}`, point {first} and `{other_part}`, point {other_point} have different statistics: point {first} {}; as many points have the one as the other, so which part was edited cannot be told",
            statistics_difference(
                &owned(other),
                &owned(names),
                &format!("point {other_point}")
            )
            .trim_start_matches("it ")
        ));
    }
    Ok(Common {
        names: owned(names),
        count: *count,
        first: *first,
    })
}

/// How the statistics `got` of a point differ from those `others` have (`expected`).
fn statistics_difference(expected: &[String], got: &[String], others: &str) -> String {
    if let Some(missing) = expected.iter().find(|n| !got.contains(n)) {
        return format!("it has no statistic `{missing}`, unlike {others}");
    }
    if let Some(extra) = got.iter().find(|n| !expected.contains(n)) {
        return format!("it has a statistic `{extra}`, unlike {others}");
    }
    format!("its statistics are in another order than those of {others}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(arg: &str) -> Vec<String> {
        Axis::parse(arg).unwrap().values
    }

    #[test]
    fn ranges_step_to_stop_with_units_and_without_float_noise() {
        assert_eq!(
            values("customers.promise=2d:6d:1d"),
            ["2d", "3d", "4d", "5d", "6d"]
        );
        assert_eq!(
            values("customers.arrival_rate=10/d:20/d:5/d"),
            ["10/d", "15/d", "20/d"]
        );
        assert_eq!(values("a.b=0.1:0.3:0.1"), ["0.1", "0.2", "0.3"]);
        assert_eq!(values("a.b=0:1:0.25"), ["0", "0.25", "0.5", "0.75", "1"]);
        assert_eq!(values("a.b=0:1:0.3"), ["0", "0.3", "0.6", "0.9"]);
        assert_eq!(values("a.b=1:2:1.5"), ["1"]);
        assert_eq!(values("a.b=1e-3:3e-3:1e-3").len(), 3);
        assert_eq!(values("department.sales.staff=1,2,4"), ["1", "2", "4"]);
        assert_eq!(values("a.b=7d"), ["7d"]);
        let a = Axis::parse("department.\"a=b\".staff=1:2:1").unwrap();
        assert_eq!(a.path, "department.\"a=b\".staff");
        assert_eq!(a.set(1), "department.\"a=b\".staff=2");
    }

    #[test]
    fn bad_ranges_say_why() {
        for (arg, why) in [
            ("a.b", "no `=`"),
            ("a.b=1:2", "three parts"),
            ("a.b=1d:2h:1d", "same unit"),
            ("a.b=1:2:0", "above zero"),
            ("a.b=3:2:1", "below START"),
            ("a.b=x:2:1", "does not start with a number"),
            ("a.b=0:1000000:1", "more than"),
            ("a.b=1,,2", "empty value"),
        ] {
            let e = Axis::parse(arg).unwrap_err();
            assert!(e.contains(why), "{arg}: {e}");
        }
    }

    #[test]
    fn a_value_listed_twice_is_refused_however_it_is_written() {
        for (arg, twice, kept) in [
            ("a.b=1,1", "`1` is in the list twice", "a.b=1`"),
            (
                "a.b=1,2,1.0",
                "`1` is in the list twice (as `1` and `1.0`)",
                "a.b=1,2`",
            ),
            ("a.b=2h,3h,120m", "(as `2h` and `120m`)", "a.b=2h,3h`"),
            ("a.b=60/h,1/m", "(as `60/h` and `1/m`)", "a.b=60/h`"),
            ("a.b=x, y ,x", "`x` is in the list twice", "a.b=x,y`"),
            (
                "a.b=true,false,true",
                "`true` is in the list twice",
                "a.b=true,false`",
            ),
        ] {
            let e = Axis::parse(arg).unwrap_err();
            assert!(e.contains(twice), "{arg}: {e}");
            assert!(e.contains("the same point twice"), "{arg}: {e}");
            assert!(
                e.contains(&format!("help: give each value once: `--vary {kept}")),
                "{arg}: {e}"
            );
        }
        // Different values, and values of different kinds, are not repeats.
        for arg in [
            "a.b=1,1.5",
            "a.b=1,1h",
            "a.b=1h,1/h",
            "a.b=1h,61m",
            "a.b=x,X",
        ] {
            assert!(Axis::parse(arg).is_ok(), "{arg}");
        }
    }

    #[test]
    fn the_first_axis_varies_slowest() {
        let grid = Grid::new(vec![
            Axis::parse("a=1:2:1").unwrap(),
            Axis::parse("b=x,y,z").unwrap(),
        ])
        .unwrap();
        assert_eq!(grid.len(), 6);
        assert_eq!(grid.values(0), ["1", "x"]);
        assert_eq!(grid.values(2), ["1", "z"]);
        assert_eq!(grid.values(4), ["2", "y"]);
        assert_eq!(grid.sets(5), ["a=2", "b=z"]);
        assert!(
            Grid::new(vec![
                Axis::parse("a=1").unwrap(),
                Axis::parse("a=2").unwrap()
            ])
            .is_err()
        );
    }

    #[test]
    fn points_round_trip_exactly() {
        let p = Point {
            index: 3,
            values: vec!["2d".into()],
            metrics: vec![
                (
                    "customers.lost".into(),
                    Stat {
                        mean: 0.1 + 0.2,
                        ci95: Some(1.0 / 3.0),
                    },
                ),
                (
                    "orders.late".into(),
                    Stat {
                        mean: f64::NAN,
                        ci95: None,
                    },
                ),
            ],
        };
        let back: Point = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back.metrics[0], p.metrics[0]);
        assert!(back.metrics[1].1.mean.is_nan());
    }
}
