//! A short simulation of a small valid model: any scenario the parser accepts,
//! cut down so one input runs in milliseconds (about 100 arrivals, one
//! replication, few staff and word of mouth), is simulated, summarised and
//! rendered in every format. A panic, a non-finite statistic where the report
//! promises a number, or a hang is a bug.
//!
//! Scenarios whose times are tiny against the horizon (a clock that can hardly
//! advance) are skipped: they are refused or stopped by the engine's own
//! limits, which have their own tests, and would only make the fuzzer slow.
#![no_main]

use handoff::engine;
use handoff::experiment::Replications;
use handoff::model::Model;
use handoff::report;
use libfuzzer_sys::fuzz_target;

/// Expected arrivals per input.
const ARRIVALS: f64 = 100.0;
/// The smallest mean time, as a share of the horizon, simulated here.
const SMALLEST_TIME: f64 = 1e-4;

/// Cut `model` down to a short run; `None` if it cannot be made short.
fn shorten(mut model: Model) -> Option<Model> {
    let sim = &mut model.simulation;
    sim.replications = 1;
    let rate = model.customers.arrival_rate_per_h;
    if rate > 0.0 {
        sim.duration_h = sim.duration_h.min(ARRIVALS / rate);
    }
    sim.duration_h = sim.duration_h.min(24.0 * 365.0);
    sim.warmup_h = sim.warmup_h.min(sim.duration_h / 2.0);
    let horizon = sim.duration_h;
    let shortest = horizon * SMALLEST_TIME;
    model.customers.word_of_mouth = model.customers.word_of_mouth.min(10);
    if let Some(r) = &model.customers.reorder
        && r.mean() < horizon / ARRIVALS
    {
        return None;
    }
    for d in &mut model.departments {
        d.staff = d.staff.min(20);
        if d.service.mean() < shortest {
            return None;
        }
    }
    if model
        .handoffs
        .iter()
        .any(|h| h.delay.as_ref().is_some_and(|d| d.mean() < shortest) && h.error > 0.0)
    {
        return None;
    }
    Some(model)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = handoff::scenario::parse(text, "fuzz.toml") else {
        return;
    };
    let Some(model) = shorten(model) else {
        return;
    };
    let run = engine::run(&model, 0);
    let mut replications = Replications::new(&model);
    replications
        .add(&run)
        .expect("a run of the model has the model's shape");
    let outcome = replications.finish().expect("one replication");
    for format in [
        report::Format::Text,
        report::Format::Json,
        report::Format::Csv,
    ] {
        let _ = report::render(&outcome, format);
    }
});
