//! `handoff merge` of mutated parts: the input is one or more part files
//! separated by a line holding only `%%`. What `src/cli/merge.rs` does with
//! them, without the files: read the headers, check they belong together,
//! rebuild a run's model from the text it carries, merge, render every format.
//! Every refusal is an `Err`; a panic or an allocation out of proportion to
//! the input is a bug.

use handoff::experiment::Replications;
use handoff::experiment::shard::{self, Header, RUN_KIND, RunPart};
use handoff::experiment::sweep::{self, SWEEP_KIND, SweepPart};
use handoff::report;
use handoff::scenario::{self, Override};

fn merge(files: &[&[u8]]) -> Result<Vec<Vec<u8>>, String> {
    let names: Vec<String> = (0..files.len()).map(|i| format!("part-{i}.json")).collect();
    let mut headers = Vec::new();
    for (name, bytes) in names.iter().zip(files) {
        let h: Header = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        headers.push((name.clone(), h));
    }
    shard::check_parts(&headers)?;
    match headers[0].1.kind.as_str() {
        RUN_KIND => {
            let mut parts = names
                .iter()
                .zip(files)
                .map(|(n, b)| {
                    serde_json::from_slice::<RunPart>(b)
                        .map(|p| (n.clone(), p))
                        .map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<_>, _>>()?;
            // As `cli::shard::model_of`.
            let first = &parts[0].1;
            let sets = first
                .scenario
                .overrides
                .iter()
                .map(|a| Override::parse(a))
                .collect::<Result<Vec<_>, _>>()?;
            let mut model =
                scenario::parse_with(&first.scenario.text, &first.scenario.origin, &sets)
                    .map_err(|d| d.render(false))?;
            model.simulation.seed = first.seed;
            model.simulation.replications = first.replications;
            if shard::model_hash(&model) != first.header.hash {
                return Err("another model".to_owned());
            }
            let mut replications = Replications::new(&model);
            shard::merge_runs(&mut parts, &model, |run| replications.add(&run))?;
            let outcome = replications
                .finish()
                .expect("a checked run has at least one replication");
            Ok([
                report::Format::Text,
                report::Format::Json,
                report::Format::Csv,
            ]
            .into_iter()
            .map(|f| report::render(&outcome, f))
            .collect())
        }
        SWEEP_KIND => {
            let parts = names
                .iter()
                .zip(files)
                .map(|(n, b)| {
                    serde_json::from_slice::<SweepPart>(b)
                        .map(|p| (n.clone(), p))
                        .map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<_>, _>>()?;
            let merged = sweep::merge_sweep(parts)?;
            Ok(vec![
                report::sweep::csv(&merged),
                report::sweep::json(&merged),
            ])
        }
        other => Err(format!("a `{other}` part")),
    }
}

/// Split at lines that hold only `%%`.
fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut files = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(b"\n%%\n") {
            files.push(&data[start..i + 1]);
            i += 4;
            start = i;
        } else {
            i += 1;
        }
    }
    files.push(&data[start..]);
    files
}

/// One input: returns normally, whatever the input; a panic is a bug.
pub fn check(data: &[u8]) {
    let files = split(data);
    // More parts than the fuzzer's input could sensibly hold is not the point here.
    if files.len() > 64 {
        return;
    }
    let _ = merge(&files);
}
