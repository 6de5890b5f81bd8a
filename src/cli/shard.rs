//! What `sweep`, `sensitivity`, `merge` and `run --shard` share: a scenario
//! read once and built with `--set` overrides, progress bars, and the part a
//! sharded `run` writes.

use std::path::Path;

use anyhow::Context as _;
use handoff::experiment::shard::{self, RunPart, Shard, Source};
use handoff::model::Model;
use handoff::scenario::Override;

use super::{Failure, ScenarioFile, Settings, output, progress};

/// `handoff run FILE --shard I/N`: the replications `r % N == I`, raw, as a part
/// for `handoff merge` (JSON, to `output` or standard output). The part holds the
/// scenario file's text and the overrides, so merge needs nothing else.
pub fn run_part(
    file: &Path,
    settings: &Settings,
    shard: Shard,
    output: Option<&Path>,
) -> Result<(), Failure> {
    let scenario = ScenarioFile::read(file, &settings.set)?;
    let mut model = scenario.model(&[])?;
    settings.apply(&mut model);
    let total = model.simulation.replications.max(1);
    let mine = (0..total).filter(|&r| shard.contains(r.into())).count();
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
    let part = shard::run_part(&model, source, shard, &|| bar.inc(1));
    bar.finish_and_clear();
    let part = part?;
    let bytes = part_bytes(&part)?;
    match output {
        Some(path) => output::write_atomically(path, &bytes)?,
        None => output::write_stdout(&bytes)?,
    }
    Ok(())
}

/// A part as pretty JSON with a trailing newline.
pub fn part_bytes(part: &impl serde::Serialize) -> Result<Vec<u8>, Failure> {
    let mut bytes = serde_json::to_vec_pretty(part).context("cannot write the part as JSON")?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The rebuilt model of a `run` part: its scenario text and overrides, its seed
/// and replications. The hash must match the part's: otherwise this program
/// builds another model from the same text.
pub fn model_of(part: &RunPart) -> Result<Model, Failure> {
    let sets = part
        .scenario
        .overrides
        .iter()
        .map(|a| Override::parse(a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::Input(format!("error: a part's stored --set is invalid: {e}")))?;
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
            "error: the scenario stored in the parts builds a different model here (hash {hash}, the parts say {}); merge with the program version that made them",
            part.header.hash
        )));
    }
    Ok(model)
}
