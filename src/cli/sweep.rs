//! `handoff sweep FILE --vary PATH=START:STOP:STEP … -o OUT`: a grid of overrides.
//!
//! Every point runs the scenario's replications with the same seed (common
//! random numbers). Each finished point is written at once, atomically, to
//! `OUT.parts/point-NNNN.json`; OUT is written (atomically) from all points at
//! the end, and the `.parts` directory removed. Ctrl-C starts no new point,
//! lets the running ones finish and keeps them; `--resume` reuses every stored
//! point that belongs to the same sweep. With `--shard I/N`, OUT is a part for
//! `handoff merge` holding the points `i % N == I`.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use handoff::experiment::shard::{Shard, VERSION, model_hash};
use handoff::experiment::sweep::{
    self, Axis, Grid, POINT_KIND, Point, PointPart, Sweep, SweepPart, Todo,
};
use handoff::report;
use handoff::scenario::Override;

use super::kept::{all_done, check_parts, hold_parts, kept_work, parts_dir, remove_parts};
use super::output::{self, OutputTarget};
use super::shard::part_bytes;
use super::{Failure, interrupt, io_reason};
use super::{ScenarioFile, Settings, progress};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (TOML).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// A parameter to sweep: PATH=START:STOP:STEP (values may carry a unit:
    /// `customers.promise=2d:6d:1d`, `customers.arrival_rate=10/d:20/d:5/d`) or
    /// PATH=V1,V2,… ; repeat for a grid (the first varies slowest).
    #[arg(long, value_name = "PATH=RANGE", required = true, value_parser = Axis::parse)]
    vary: Vec<Axis>,
    /// `--set` applies to every point, and every point runs with the same seed.
    #[command(flatten)]
    settings: Settings,
    /// Where to write the sweep: CSV or JSON by its extension (or --format).
    /// With --shard, a part for `handoff merge` (JSON).
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// The output format, instead of OUT's extension.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Reuse the points an interrupted run of the same sweep left in OUT.parts/.
    #[arg(long)]
    resume: bool,
    /// Run only the points i with i % N == I (I from 0), e.g. --shard 3/64.
    #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
    shard: Option<Shard>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    /// The format for `path`: `--format`, or its extension; a `--format`
    /// that contradicts a .csv or .json extension is refused, as `run` does.
    pub fn for_path(path: &Path, given: Option<Format>) -> Result<Format, Failure> {
        let by_extension = match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Some(Format::Csv),
            Some(e) if e.eq_ignore_ascii_case("json") => Some(Format::Json),
            _ => None,
        };
        let name = |f: Format| match f {
            Format::Csv => "csv",
            Format::Json => "json",
        };
        match (given, by_extension) {
            (Some(f), Some(e)) if f != e => Err(Failure::Input(format!(
                "error: --format {} contradicts the extension of {}, which asks for {}\n  \
                 help: drop --format, or name the file .{}",
                name(f),
                path.display(),
                name(e),
                name(f)
            ))),
            (Some(f), _) | (None, Some(f)) => Ok(f),
            (None, None) => Err(Failure::Input(format!(
                "error: cannot tell the format of `{}` from its extension; name it .csv or .json, or add --format csv|json",
                path.display()
            ))),
        }
    }

    pub fn render(self, sweep: &Sweep) -> Vec<u8> {
        match self {
            Format::Csv => report::sweep::csv(sweep),
            Format::Json => report::sweep::json(sweep),
        }
    }

    /// As [`Format::render`], with the points streamed from `points` to `out`.
    pub fn write(
        self,
        sweep: &Sweep,
        points: impl Iterator<Item = io::Result<Point>>,
        out: &mut dyn io::Write,
    ) -> io::Result<()> {
        match self {
            Format::Csv => report::sweep::write_csv(sweep, points, out),
            Format::Json => report::sweep::write_json(sweep, points, out),
        }
    }
}

/// What a sweep keeps in OUT.parts/: `point-NNNN.json` ([`point_file`]).
const KEPT: &[&str] = &["point-"];

fn point_file(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("point-{index:04}.json"))
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let out = OutputTarget::check(Some(&args.output), &[&args.file])?;
    if out == OutputTarget::Stdout {
        return Err(Failure::Input(
            "error: a sweep keeps its finished points beside its output (OUT.parts/), so it needs a file: -o OUT.csv or -o OUT.json".to_owned(),
        ));
    }
    let format = match args.shard {
        // A part is JSON for merge: a CSV asked for would silently be a part instead.
        Some(_) => {
            let csv = args.format == Some(Format::Csv)
                || args
                    .output
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            if csv {
                return Err(super::shard::not_a_part_format("sweep", "csv", "sweep."));
            }
            None
        }
        None => Some(Format::for_path(&args.output, args.format)?),
    };
    let scenario = ScenarioFile::read(&args.file, &args.settings.set)?;
    let mut base = scenario.model(&[])?;
    args.settings.apply(&mut base);
    if args.shard.is_none() {
        super::validate::warn_before_simulating(&base, None);
    }
    let hash = model_hash(&base);
    let grid = Grid::new(args.vary.clone()).map_err(|e| Failure::Input(format!("error: {e}")))?;
    // A `--set` of a value the grid varies is overridden at every point: it
    // would do nothing, silently.
    if !grid.is_empty() {
        for (axis, set) in grid.axes.iter().zip(grid.sets(0)) {
            let varied =
                Override::parse(&set).map_err(|e| Failure::Input(format!("error: {e}")))?;
            if let Some(fixed) = args
                .settings
                .set
                .iter()
                .find(|s| s.path().eq(varied.path()))
            {
                return Err(Failure::Input(format!(
                    "error: `--set {}` and `--vary {}=…` change the same value: the sweep sets it \
                     at every point, so the --set would do nothing\n  \
                     help: drop the --set, or vary another value",
                    fixed.arg(),
                    axis.path
                )));
            }
        }
    }
    if let Some(shard) = args.shard {
        handoff::experiment::shard::check_count(shard, grid.len() as u64, "points")
            .map_err(|e| Failure::Input(format!("error: {e}")))?;
    }

    // Every point of this shard is checked before anything runs (and built
    // again when it runs: models are not kept).
    let mine: Vec<usize> = (0..grid.len())
        .filter(|&i| args.shard.is_none_or(|s| s.contains(i as u64)))
        .collect();
    let build = |i: usize| -> Result<handoff::model::Model, Failure> {
        let sets = grid
            .sets(i)
            .iter()
            .map(|a| Override::parse(a))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Failure::Input(format!("error: {e}")))?;
        let mut model = scenario.model(&sets).map_err(|f| match f {
            Failure::Input(m) => Failure::Input(format!(
                "{m}\nerror: sweep point {i} ({}) is not a valid scenario",
                grid.sets(i).join(", ")
            )),
            other => other,
        })?;
        args.settings.apply(&mut model);
        Ok(model)
    };
    let mut todo = Vec::with_capacity(mine.len());
    for &i in &mine {
        build(i)?;
        todo.push(Todo {
            index: i,
            values: grid.values(i),
        });
    }

    // Points kept by an earlier, interrupted run.
    let dir = parts_dir(&args.output);
    check_parts(&dir, KEPT)?;
    // Held until OUT is written: a second sweep to the same OUT is refused.
    let mut held = hold_parts(&dir, &args.output)?;
    // Points are kept on disk, not in memory: only how many are done is counted.
    let mut done = 0usize;
    if dir.is_dir() {
        let stored = std::fs::read_dir(&dir)
            .map_err(|e| {
                Failure::Input(format!(
                    "error: cannot read {}: {}",
                    dir.display(),
                    io_reason(&e)
                ))
            })?
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("point-"));
        if stored && !args.resume {
            return Err(Failure::Input(format!(
                "error: {} holds points of an earlier sweep that did not finish; add --resume to keep them, or delete that directory to start over",
                dir.display()
            )));
        }
        if args.resume {
            let mut left = Vec::with_capacity(todo.len());
            for t in todo {
                match stored_point(&dir, &hash, &t)? {
                    Some(_) => done += 1,
                    None => left.push(t),
                }
            }
            todo = left;
        }
    }
    std::fs::create_dir_all(&dir).map_err(|e| {
        Failure::Input(format!(
            "error: cannot create {}: {}",
            dir.display(),
            io_reason(&e)
        ))
    })?;
    if held.is_none() {
        held = hold_parts(&dir, &args.output)?;
    }

    // Ctrl-C: no new point; a second Ctrl-C quits at once (finished points are on disk).
    interrupt::graceful();
    interrupt::kept(format!(
        "the finished points in {} (run the same command with --resume to go on)",
        dir.display()
    ));

    let bar = progress::bar(
        mine.len() as u64,
        format!("sweeping {}", base.name),
        args.quiet,
    );
    bar.set_position(done as u64);
    let finished = AtomicUsize::new(0);
    let build_todo = |t: &Todo| build(t.index);
    let ran = sweep::run_points(
        &todo,
        interrupt::stop(),
        &build_todo,
        &|point: Point| -> Result<(), Failure> {
            let part = PointPart {
                kind: POINT_KIND.to_owned(),
                version: VERSION.to_owned(),
                hash: hash.clone(),
                point,
            };
            output::write_atomically(&point_file(&dir, part.point.index), &part_bytes(&part)?)?;
            bar.inc(1);
            finished.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
    );
    bar.finish_and_clear();
    done += finished.into_inner();
    all_done(ran, done, mine.len(), "points", &dir)?;
    let head = Sweep {
        scenario: base.name.clone(),
        hash: hash.clone(),
        seed: base.simulation.seed,
        replications: base.simulation.replications.max(1),
        axes: grid.axes.clone(),
        points: Vec::new(),
    };
    // Every point, read back from disk one at a time in grid order.
    let stored = |i: usize| -> Result<Point, Failure> {
        let t = Todo {
            index: i,
            values: grid.values(i),
        };
        stored_point(&dir, &hash, &t)?.ok_or_else(|| {
            Failure::Input(format!(
                "error: {} was removed while the sweep ran; run the same command with --resume to compute it again",
                point_file(&dir, i).display()
            ))
        })
    };
    match (args.shard, format) {
        (Some(shard), _) => {
            // A part holds one shard's points, as merge needs them.
            let points = mine.iter().map(|&i| stored(i)).collect::<Result<_, _>>()?;
            let part = SweepPart::new(Sweep { points, ..head }, shard);
            out.write(&part_bytes(&part)?)
                .map_err(|f| kept_work(f, done, mine.len(), "points", &dir))?;
        }
        (None, Some(format)) => {
            let mut failed = None;
            let points = mine.iter().map(|&i| {
                stored(i).map_err(|f| {
                    let why = io::Error::other(
                        f.message().trim().trim_start_matches("error: ").to_owned(),
                    );
                    failed = Some(f);
                    why
                })
            });
            let written = out.write_with(|w| format.write(&head, points, w));
            if let Some(f) = failed {
                return Err(f);
            }
            written.map_err(|f| kept_work(f, done, mine.len(), "points", &dir))?;
        }
        (None, None) => unreachable!("a format is chosen when there is no shard"),
    }
    // Everything is in OUT now.
    remove_parts(&dir, KEPT);
    drop(held);
    interrupt::finished_anyway(&args.output.display().to_string())
}

/// The stored point for `t`, if there is one and it belongs to this sweep.
fn stored_point(dir: &Path, hash: &str, t: &Todo) -> Result<Option<Point>, Failure> {
    let path = point_file(dir, t.index);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::Input(format!(
                "error: cannot read {}: {}",
                path.display(),
                io_reason(&e)
            )));
        }
    };
    let part: PointPart = serde_json::from_slice(&bytes).map_err(|e| {
        Failure::Input(format!(
            "error: {} is not a sweep point ({e}); delete it to compute that point again",
            path.display()
        ))
    })?;
    handoff::experiment::shard::unseal(&bytes).map_err(|why| {
        Failure::Input(format!(
            "error: cannot resume: {}: {why}\nhelp: delete it to compute that point again",
            path.display()
        ))
    })?;
    part.check(hash, t.index, &t.values).map_err(|why| {
        Failure::Input(format!(
            "error: cannot resume: {} does not belong to this sweep: {why}\nhelp: delete {} to start over, or write to another -o",
            path.display(),
            dir.display()
        ))
    })?;
    Ok(Some(part.point))
}
