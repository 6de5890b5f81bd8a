//! Looking inside replication 0 of a run: `--explain N` (stories of lost
//! customers) and `--trace FILE` (every event). Both rerun replication 0 with
//! an observer; the run is deterministic, so it is the replication 0 the
//! report counted.

use handoff::engine;
use handoff::model::Model;
use handoff::report::human;
use handoff::trace::{Stories, TraceFormat, TraceWriter};

use super::Failure;
use super::output::OutputTarget;

/// The stories of the first `wanted` customers lost in replication 0, as text
/// starting with a blank line and a heading.
pub fn stories(model: &Model, wanted: usize) -> String {
    let mut stories = Stories::new(model, wanted);
    engine::run_observed(model, 0, &mut stories);
    let found = stories.len();
    let mut out = String::from("\n");
    let heading = format!(
        "Stories of lost customers (replication 0, seed {})",
        model.simulation.seed
    );
    out.push_str(&heading);
    out.push('\n');
    out.push_str(&"-".repeat(heading.chars().count()));
    out.push('\n');
    if found == 0 {
        out.push_str("No customer was lost in replication 0: there is no story to tell.\n");
        return out;
    }
    if found < wanted {
        out.push_str(&format!(
            "Only {} lost in replication 0 (you asked for {wanted}).\n",
            human::plural(found as u64, "customer was", "customers were"),
        ));
    }
    out.push('\n');
    out.push_str(stories.render().trim_end());
    out.push('\n');
    out
}

/// The stories of the first `wanted` customers lost in replication 0, one
/// string each (a heading line, then one line per event).
pub fn story_list(model: &Model, wanted: usize) -> Vec<String> {
    let mut stories = Stories::new(model, wanted);
    engine::run_observed(model, 0, &mut stories);
    stories
        .render()
        .split("\n\n")
        .map(|s| s.trim_end().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Write every event of replication 0 to `path`: CSV, or JSON lines for
/// `.jsonl`/`.ndjson`/`.json`. Streamed, and atomic: the file appears complete or not at all.
pub fn write_trace(model: &Model, target: &OutputTarget) -> Result<(), Failure> {
    // Standard output (`--trace -`) has no extension: CSV.
    let format = TraceFormat::for_path(target.path().unwrap_or(std::path::Path::new("-")));
    target.write_with(|out| {
        let mut trace = TraceWriter::new(model, out, format);
        engine::run_observed(model, 0, &mut trace);
        trace.finish().map(|_| ())
    })
}
