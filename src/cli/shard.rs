//! What `sweep`, `sensitivity`, `merge` and `run --shard` share: a scenario
//! read once and built with `--set` overrides, progress bars, and the part a
//! sharded `run` writes.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use handoff::experiment::shard::{self, RunPart, Shard, Source};
use handoff::model::Model;
use handoff::scenario::Override;

use super::output::OutputTarget;
use super::{Failure, ScenarioFile, Settings, progress};

/// `handoff run FILE --shard I/N`: the replications `r % N == I`, raw, as a part
/// for `handoff merge` (JSON, to `output` or standard output). The part holds the
/// scenario file's text and the overrides, so merge needs nothing else.
pub fn run_part(
    file: &Path,
    settings: &Settings,
    shard: Shard,
    output: &OutputTarget,
) -> Result<(), Failure> {
    let scenario = ScenarioFile::read(file, &settings.set)?;
    let mut model = scenario.model(&[])?;
    settings.apply(&mut model);
    let total = model.simulation.replications.max(1);
    shard::check_count(shard, total.into(), "replications")
        .map_err(|e| Failure::Input(format!("error: {e}")))?;
    let mine = total.saturating_sub(shard.index).div_ceil(shard.count);
    let bar = progress::bar(
        mine as u64,
        format!("simulating {} (shard {shard})", model.name),
        false,
    );
    let source = Source {
        origin: scenario.origin.clone(),
        text: scenario.text.clone(),
        overrides: scenario.sets.iter().map(|o| o.arg().to_owned()).collect(),
    };
    // The part is written as its replications finish, in order: pretty JSON
    // with the same bytes as the whole part printed at once, never all in memory.
    let head = pretty(&shard::part_head(&model, source, shard))?;
    let head = std::str::from_utf8(&head).expect("JSON is UTF-8");
    let prefix = head
        .strip_suffix("[]\n}\n")
        .expect("a part ends with its runs");
    let runaway = std::cell::RefCell::new(None);
    let written = output.write_with(|out| {
        // Everything is hashed as it is written, for the checksum at the end.
        let out = &mut Summing {
            out,
            sum: shard::Checksum::default(),
        };
        out.write_all(prefix.as_bytes())?;
        out.write_all(b"[")?;
        let mut any = false;
        shard::run_shard(&model, shard, &|| bar.inc(1), |run| {
            // A replication that ran away: stop writing (the file is left as it
            // was) and report it as the scenario's fault below.
            let run = run.map_err(|e| {
                let io = std::io::Error::other(e.to_string());
                *runaway.borrow_mut() = Some(e);
                io
            })?;
            let body = serde_json::to_string_pretty(&run).map_err(std::io::Error::other)?;
            // Inside the list of runs, two levels deep: four more spaces on every line.
            out.write_all(if any { b",\n    " } else { b"\n    " })?;
            out.write_all(body.replace('\n', "\n    ").as_bytes())?;
            any = true;
            std::io::Result::Ok(())
        })?;
        out.write_all(if any { b"\n  ]" } else { b"]" })?;
        let trailer = out.sum.trailer();
        out.out.write_all(trailer.as_bytes())
    });
    bar.finish_and_clear();
    if let Some(e) = runaway.into_inner() {
        return Err(e.into());
    }
    written
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
    let scenario = ScenarioFile {
        origin: part.scenario.origin.clone(),
        text: part.scenario.text.clone(),
        sets,
    };
    let mut model = scenario.model(&[])?;
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
