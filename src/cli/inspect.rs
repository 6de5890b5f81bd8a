//! Looking inside replication 0 of a run: `--explain N` (stories of counted
//! customers) and `--trace FILE` (every event). Both rerun replication 0 with
//! an observer; the run is deterministic, so it is the replication 0 the
//! report counted.

use handoff::engine;
use handoff::experiment::Outcome;
use handoff::model::{Cause, Model};
use handoff::report::human::bytes;
use handoff::report::{self, human, i18n::Lang};
use handoff::trace::{Stories, Told, TraceFormat, TraceWriter, causes_matching};

use super::Failure;
use super::output::OutputTarget;

/// Lost customers whose stories the HTML page tells.
const STORIES_ON_THE_PAGE: usize = 3;

/// The stories of the first `wanted` counted customers lost in replication 0
/// (to one of `causes`, when given), and of one saved by a quick recovery,
/// as text in `lang` starting with a blank line and a heading.
pub fn stories(
    model: &Model,
    wanted: usize,
    cause: Option<(&str, Vec<Cause>)>,
    lang: Lang,
) -> String {
    let t = lang.catalogue();
    let (about, causes) = match cause {
        Some((given, causes)) => (Some(given), causes),
        None => (None, Vec::new()),
    };
    // The same message with or without a cause: `key` or `key_cause`.
    let keyed = |key: &str| match about {
        Some(_) => format!("{key}_cause"),
        None => key.to_owned(),
    };
    let cause_arg = ("cause", about.unwrap_or(""));
    let seed = model.simulation.seed.to_string();
    let mut stories = Stories::new(model, wanted).about(causes);
    // Replication 0 already ran to its end for the report, so it runs again.
    let _ = engine::run_observed(model, 0, &mut stories);
    let found = stories.len();
    let mut out = String::from("\n");
    let heading = t.fill(
        &keyed("text.stories.heading"),
        &[cause_arg, ("seed", &seed)],
    );
    out.push_str(&heading);
    out.push('\n');
    out.push_str(&"-".repeat(heading.chars().count()));
    out.push('\n');
    let warmup = model.simulation.warmup_h;
    if warmup > 0.0 {
        let days = human::in_lang(human::days(warmup), lang);
        out.push_str(&t.counted("text.stories.warmup", ("days", &days), &[]));
        out.push('\n');
    }
    if found == 0 {
        out.push_str(&t.fill(&keyed("text.stories.none"), &[cause_arg]));
        out.push('\n');
    } else if found < wanted {
        out.push_str(&t.counted(
            &keyed("text.stories.few"),
            ("found", &human::count(found as f64)),
            &[cause_arg, ("wanted", &wanted.to_string())],
        ));
        out.push('\n');
    }
    if !stories.has_saved() {
        out.push_str(t.get("text.stories.no_saved"));
        out.push('\n');
    }
    let told = stories.render_in(lang);
    if !told.trim().is_empty() {
        out.push('\n');
        out.push_str(told.trim_end());
        out.push('\n');
    }
    out
}

/// The stories the HTML page tells (the first `wanted` counted customers lost
/// in replication 0, to one of `causes` when not empty, and one saved by a
/// quick recovery), in `lang`.
pub fn story_list(model: &Model, wanted: usize, causes: Vec<Cause>, lang: Lang) -> Vec<Told> {
    let mut stories = Stories::new(model, wanted).about(causes);
    let _ = engine::run_observed(model, 0, &mut stories);
    stories.told(lang)
}

/// The HTML page of a run: the outcome, the JSON report it is drawn from, and
/// the stories of replication 0 in `lang`. `run -o x.html` and
/// `merge … -o x.html` both write it, so the same run gives the same page.
pub fn html_page(model: &Model, outcome: &Outcome, causes: Vec<Cause>, lang: Lang) -> Vec<u8> {
    let stories = story_list(model, STORIES_ON_THE_PAGE, causes, lang);
    let data = report::json::render(outcome);
    report::html::run(outcome, &stories, &data, lang)
}

/// Up to this many causes, an unknown `--cause` is answered with all of them.
const FEW_CAUSES: usize = 20;

/// The causes `--cause GIVEN` selects, or an error naming the closest valid
/// cause and listing the model's causes (when they are few).
pub fn select_causes(model: &Model, given: &str) -> Result<Vec<Cause>, Failure> {
    causes_matching(model, given).map_err(|unknown| {
        let mut message = format!(
            "error: --cause {:?} is not a cause of {} (nor the start of one)",
            unknown.given, model.name
        );
        if let Some(s) = &unknown.suggestion {
            message.push_str(&format!("\n  help: did you mean `{s}`?"));
        }
        if unknown.known.len() <= FEW_CAUSES {
            message.push_str("\n  causes:");
            for k in &unknown.known {
                message.push_str(&format!("\n    {k}"));
            }
        } else {
            // A page of ids hides the error: say how they are made instead.
            message.push_str(&format!(
                "\n  causes: {}, too many to list; each is `handoff:FROM->TO:KIND` (lose, error, delay),\n    \
                 `department:NAME:KIND` (wait, rude) or `policy:friction`, and the start of one\n    \
                 selects them all (`handoff:FROM->TO`); --wide shows the ids that cost customers.",
                unknown.known.len()
            ));
        }
        Failure::Input(message)
    })
}

/// The fewest bytes a trace takes for each event of its run (CSV, JSON
/// lines); the ready scenarios take 65 to 125, and 200 to 360.
const TRACE_BYTES_PER_EVENT: (u64, u64) = (55, 180);
/// A trace larger than this is announced before it is written.
const LARGE_TRACE: u64 = 1 << 30;

/// Before the trace of `outcome`'s replication 0 is written to `target`:
/// refuse it if it cannot fit there (a full disk, `ulimit -f`), rather than
/// find out when the disk is full; announce it on standard error if it is
/// large. Its size is estimated from the events of the replications run.
pub fn check_trace_room(outcome: &Outcome, target: &OutputTarget) -> Result<(), Failure> {
    let events = outcome.events / u64::from(outcome.scenario.replications.max(1));
    let per_event = match TraceFormat::for_path(target.path().unwrap_or(std::path::Path::new("-")))
    {
        TraceFormat::Csv => TRACE_BYTES_PER_EVENT.0,
        TraceFormat::JsonLines => TRACE_BYTES_PER_EVENT.1,
    };
    let size = events.saturating_mul(per_event);
    let events = human::count(events as f64);
    if let (Some(room), Some(path)) = (target.room(), target.path())
        && size > room
    {
        return Err(Failure::Input(format!(
            "error: cannot write the trace to {}: it would take at least {} (about {events} events in replication 0), and there is room for {} there\n\
             help: free some space, write the trace to another disk, or trace a shorter run (e.g. --set simulation.duration=30d); nothing was written",
            path.display(),
            bytes(size),
            bytes(room)
        )));
    }
    if size > LARGE_TRACE {
        super::output::write_stderr(&format!(
            "warning: the trace will take at least {} (about {events} events in replication 0); Ctrl-C stops it and leaves no file\n",
            bytes(size)
        ));
    }
    Ok(())
}

/// Write every event of replication 0 to `path`: CSV, or JSON lines for
/// `.jsonl`/`.ndjson`/`.json`. Streamed, and atomic: the file appears complete or not at all.
pub fn write_trace(model: &Model, target: &OutputTarget) -> Result<(), Failure> {
    // Standard output (`--trace -`) has no extension: CSV.
    let format = TraceFormat::for_path(target.path().unwrap_or(std::path::Path::new("-")));
    target.write_with(|out| {
        let mut trace = TraceWriter::new(model, out, format);
        engine::run_observed(model, 0, &mut trace).map_err(std::io::Error::other)?;
        trace.finish().map(|_| ())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(super::bytes(0), "0 bytes");
        assert_eq!(super::bytes(1023), "1023 bytes");
        assert_eq!(super::bytes(32 * 1024), "32 KiB");
        assert_eq!(super::bytes(1536), "1.5 KiB");
        assert_eq!(super::bytes(3_300_000_000), "3.1 GiB");
        assert_eq!(super::bytes(u64::MAX), "16384 PiB");
    }
}
