//! What `sweep`, `sensitivity`, `merge` and `run --shard` share: a scenario
//! read once and built with `--set` overrides, progress bars, and the part a
//! sharded `run` writes.

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;
use handoff::experiment::shard::{self, KeptRun, RunPart, Shard, Source, StoredRun};
use handoff::model::Model;
use handoff::scenario::Override;

use super::kept::{all_done, check_parts, hold_parts, kept_work, parts_dir, remove_parts};
use super::output::{self, OutputTarget};
use super::{Failure, ScenarioFile, Settings, interrupt, io_reason, progress};

/// `handoff run FILE --shard I/N`: the replications `r % N == I`, raw, as a part
/// for `handoff merge` (JSON, to `output` or standard output). The part holds the
/// scenario file's text and the overrides, so merge needs nothing else.
///
/// Written to a file, each finished replication is first kept in
/// `OUT.parts/replication-NNNNNN.json`, and the part is written from them at
/// the end: Ctrl-C (or Slurm's SIGTERM) starts no new replication and keeps
/// those finished, and `resume` goes on from them.
pub fn run_part(
    file: &Path,
    settings: &Settings,
    shard: Shard,
    output: &OutputTarget,
    resume: bool,
) -> Result<(), Failure> {
    let scenario = ScenarioFile::read(file, &settings.set)?;
    let mut model = scenario.model(&[])?;
    settings.apply(&mut model);
    let total = model.simulation.replications.max(1);
    shard::check_count(shard, total.into(), "replications")
        .map_err(|e| Failure::Input(format!("error: {e}")))?;
    let source = Source {
        origin: scenario.origin.clone(),
        text: scenario.text.clone(),
        overrides: scenario.sets.iter().map(|o| o.arg().to_owned()).collect(),
    };
    let head = shard::part_head(&model, source, shard);
    match output.path() {
        Some(path) => keep_then_write(&model, head, output, path, resume),
        None if resume => Err(Failure::Input(
            "error: --resume goes on from the replications kept beside the part (OUT.parts/), so it needs a file: -o part-I.json".to_owned(),
        )),
        None => stream(&model, head, output),
    }
}

/// The part to standard output, each replication written as it finishes, in order.
fn stream(model: &Model, head: RunPart, output: &OutputTarget) -> Result<(), Failure> {
    let shard = head.header.shard;
    let total = model.simulation.replications.max(1);
    let mine = total.saturating_sub(shard.index).div_ceil(shard.count);
    let bar = progress::bar(
        mine as u64,
        format!("simulating {} (shard {shard})", model.name),
        false,
    );
    let runaway = std::cell::RefCell::new(None);
    let written = output.write_with(|out| {
        let mut part = PartWriter::start(out, &head)?;
        shard::run_shard(model, shard, &|| bar.inc(1), |run| {
            // A replication that ran away: stop writing (the file is left as it
            // was) and report it as the scenario's fault below.
            let run = run.map_err(|e| {
                let io = std::io::Error::other(e.to_string());
                *runaway.borrow_mut() = Some(e);
                io
            })?;
            part.add(&run)
        })?;
        part.finish()
    });
    bar.finish_and_clear();
    if let Some(e) = runaway.into_inner() {
        return Err(e.into());
    }
    written
}

/// `OUT.parts/replication-NNNNNN.json`: where replication `r` is kept.
/// What a sharded run keeps in OUT.parts/: `replication-NNNNNN.json` ([`kept_file`]).
const KEPT: &[&str] = &["replication-"];

fn kept_file(dir: &Path, r: u32) -> std::path::PathBuf {
    dir.join(format!("replication-{r:06}.json"))
}

/// Run this shard's replications that are not kept yet, keeping each as it
/// finishes, then write the part from the kept replications and remove them.
fn keep_then_write(
    model: &Model,
    head: RunPart,
    output: &OutputTarget,
    path: &Path,
    resume: bool,
) -> Result<(), Failure> {
    let shard = head.header.shard;
    let hash = head.header.hash.clone();
    let total = model.simulation.replications.max(1);
    let mine: Vec<u32> = (shard.index..total).step_by(shard.count as usize).collect();
    let dir = parts_dir(path);
    check_parts(&dir, KEPT)?;
    // Held until the part is written: a second run to the same OUT is refused.
    let mut held = hold_parts(&dir, path)?;
    let mut todo = mine.clone();
    if dir.is_dir() {
        let any_kept = std::fs::read_dir(&dir)
            .map_err(|e| cannot("read", &dir, &e))?
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("replication-"));
        if any_kept && !resume {
            return Err(Failure::Input(format!(
                "error: {} holds replications of an earlier run that did not finish; add --resume to keep them, or delete that directory to start over",
                dir.display()
            )));
        }
        if resume {
            todo.clear();
            for &r in &mine {
                if kept_run(&dir, &hash, r)?.is_none() {
                    todo.push(r);
                }
            }
        }
    }
    std::fs::create_dir_all(&dir).map_err(|e| cannot("create", &dir, &e))?;
    if held.is_none() {
        held = hold_parts(&dir, path)?;
    }

    // Ctrl-C: no new replication; a second Ctrl-C quits at once (finished ones are on disk).
    interrupt::graceful();
    interrupt::kept(format!(
        "the finished replications in {} (run the same command with --resume to go on)",
        dir.display()
    ));
    let before = mine.len() - todo.len();
    let bar = progress::bar(
        mine.len() as u64,
        format!("simulating {} (shard {shard})", model.name),
        false,
    );
    bar.set_position(before as u64);
    let finished = AtomicUsize::new(0);
    let ran = shard::run_replications(model, &todo, interrupt::stop(), &|run: StoredRun| {
        let file = kept_file(&dir, run.replication);
        output::write_atomically(&file, &part_bytes(&KeptRun::new(&hash, run))?)?;
        bar.inc(1);
        finished.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    bar.finish_and_clear();
    let done = before + finished.into_inner();
    all_done(ran, done, mine.len(), "replications", &dir)?;

    // The part, from the kept replications read back one at a time, in order.
    let mut failed = None;
    let written = output.write_with(|out| {
        let mut part = PartWriter::start(out, &head)?;
        for &r in &mine {
            let run = match kept_run(&dir, &hash, r).and_then(|run| {
                run.ok_or_else(|| {
                    Failure::Input(format!(
                        "error: {} was removed while the run went on; run the same command with --resume to compute it again",
                        kept_file(&dir, r).display()
                    ))
                })
            }) {
                Ok(run) => run,
                Err(f) => {
                    let why = std::io::Error::other(
                        f.message().trim().trim_start_matches("error: ").to_owned(),
                    );
                    failed = Some(f);
                    return Err(why);
                }
            };
            part.add(&run)?;
        }
        part.finish()
    });
    if let Some(f) = failed {
        return Err(f);
    }
    written.map_err(|f| kept_work(f, done, mine.len(), "replications", &dir))?;
    // Everything is in the part now.
    remove_parts(&dir, KEPT);
    drop(held);
    interrupt::finished_anyway(&path.display().to_string())
}

/// `error: cannot VERB PATH: why`.
fn cannot(verb: &str, path: &Path, e: &std::io::Error) -> Failure {
    Failure::Input(format!(
        "error: cannot {verb} {}: {}",
        path.display(),
        io_reason(e)
    ))
}

/// Replication `r` as kept in `dir`, if it is there and belongs to this run.
fn kept_run(dir: &Path, hash: &str, r: u32) -> Result<Option<StoredRun>, Failure> {
    let path = kept_file(dir, r);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot("read", &path, &e)),
    };
    shard::unseal(&bytes).map_err(|why| {
        Failure::Input(format!(
            "error: cannot resume: {}: {why}\nhelp: delete it to compute that replication again",
            path.display()
        ))
    })?;
    let kept: KeptRun = serde_json::from_slice(&bytes).map_err(|e| {
        Failure::Input(format!(
            "error: cannot resume: {} is not a kept replication ({e})\nhelp: delete it to compute that replication again",
            path.display()
        ))
    })?;
    kept.check(hash, r).map_err(|why| {
        Failure::Input(format!(
            "error: cannot resume: {} does not belong to this run: {why}\nhelp: delete {} to start over, or write to another -o",
            path.display(),
            dir.display()
        ))
    })?;
    Ok(Some(kept.run))
}

/// A run part written as its replications come: pretty JSON with the same
/// bytes as the whole part printed at once ([`part_bytes`]), never all in
/// memory, its checksum last.
struct PartWriter<'a> {
    out: Summing<'a>,
    any: bool,
}

impl<'a> PartWriter<'a> {
    fn start(out: &'a mut dyn std::io::Write, head: &RunPart) -> std::io::Result<Self> {
        let head = pretty(head).map_err(|f| std::io::Error::other(f.message()))?;
        let head = std::str::from_utf8(&head).expect("JSON is UTF-8");
        let prefix = head
            .strip_suffix("[]\n}\n")
            .expect("a part ends with its runs");
        // Everything is hashed as it is written, for the checksum at the end.
        let mut out = Summing {
            out,
            sum: shard::Checksum::default(),
        };
        out.write_all(prefix.as_bytes())?;
        out.write_all(b"[")?;
        Ok(PartWriter { out, any: false })
    }

    fn add(&mut self, run: &StoredRun) -> std::io::Result<()> {
        let body = serde_json::to_string_pretty(run).map_err(std::io::Error::other)?;
        // Inside the list of runs, two levels deep: four more spaces on every line.
        self.out
            .write_all(if self.any { b",\n    " } else { b"\n    " })?;
        self.out
            .write_all(body.replace('\n', "\n    ").as_bytes())?;
        self.any = true;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.out.write_all(if self.any { b"\n  ]" } else { b"]" })?;
        let trailer = self.out.sum.trailer();
        self.out.out.write_all(trailer.as_bytes())
    }
}

/// `handoff COMMAND --shard` asked to write `format` (`--format`, or the
/// extension of `-o`): a part is JSON for merge, which writes the `format`
/// (to `stem` + extension) once every part is there.
pub fn not_a_part_format(command: &str, format: &str, stem: &str) -> Failure {
    let ext = if format == "text" { "txt" } else { format };
    Failure::Input(format!(
        "error: with --shard, `handoff {command}` writes a part (JSON) for `handoff merge`, not {format}\n  \
         help: name the part .json (e.g. -o part-$SLURM_ARRAY_TASK_ID.json, without --format); then `handoff merge part-*.json -o {stem}{ext}` writes the {format}"
    ))
}

/// A part as pretty JSON with a trailing newline, its checksum last
/// ([`shard::seal`]): the same bytes as [`run_part`] streams.
pub fn part_bytes(part: &impl serde::Serialize) -> Result<Vec<u8>, Failure> {
    Ok(shard::seal(&pretty(part)?))
}

/// Pretty JSON with a trailing newline.
fn pretty(part: &impl serde::Serialize) -> Result<Vec<u8>, Failure> {
    let mut bytes = serde_json::to_vec_pretty(part).context("cannot write the part as JSON")?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A writer that hashes what passes through it.
struct Summing<'a> {
    out: &'a mut dyn std::io::Write,
    sum: shard::Checksum,
}

impl std::io::Write for Summing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.sum.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The rebuilt model of a `run` part: its scenario text and overrides, its seed
/// and replications. The hash must match the part's: otherwise this program
/// builds another model from the same text.
pub fn model_of(name: &str, part: &RunPart) -> Result<Model, Failure> {
    let sets = part
        .scenario
        .overrides
        .iter()
        .map(|a| Override::parse(a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            Failure::Input(format!("error: `{name}`: its stored --set is invalid: {e}"))
        })?;
    let origin = &part.scenario.origin;
    // Messages point into the text stored in the part, not at the file it was
    // written from: that file may have changed since, or be valid still.
    let scenario = ScenarioFile {
        origin: format!("{origin} (as stored in {name})"),
        text: part.scenario.text.clone(),
        sets,
    };
    let mut model = scenario.model(&[]).map_err(|f| match f {
        Failure::Input(why) => Failure::Input(format!(
            "error: `{name}`: the scenario stored in it (written from `{origin}`) is not valid here: the part was edited, or written by another version of handoff; {origin} itself is not read\n{why}"
        )),
        other => other,
    })?;
    model.simulation.seed = part.seed;
    model.simulation.replications = part.replications;
    let hash = shard::model_hash(&model);
    if hash != part.header.hash {
        return Err(Failure::Input(format!(
            "error: `{name}`: the scenario stored in it builds a different model here (hash {hash}, the part says {}); merge with the program version that made it, and do not edit parts",
            part.header.hash
        )));
    }
    Ok(model)
}
