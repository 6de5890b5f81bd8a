//! Peak memory against simulated horizon: does memory follow the live population
//! (it should), or the simulated time (it must not)?
//!
//! Runs replication 0 of a scenario once, with its duration multiplied by a
//! factor, and prints the events handled and the process's peak resident set
//! (`VmHWM` from `/proc/self/status`, Linux only). Run one process per horizon,
//! so that each peak is its own:
//!
//! ```text
//! cargo run --release --example memory_probe -- scenarios/baseline.toml 1
//! cargo run --release --example memory_probe -- scenarios/baseline.toml 100
//! cargo run --release --example memory_probe -- scenarios/baseline.toml 100 --reorder 60
//! ```
//!
//! `--reorder DAYS` turns on reorders (exponential, mean DAYS days) for a
//! scenario that has none. See docs/performance.md for the figures.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use handoff::model::Distribution;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: memory_probe SCENARIO FACTOR [--reorder DAYS]";
    let (Some(path), Some(factor)) = (
        args.first(),
        args.get(1).and_then(|f| f.parse::<f64>().ok()),
    ) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let mut model = match handoff::scenario::load(Path::new(path)) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(days) = args
        .iter()
        .position(|a| a == "--reorder")
        .and_then(|i| args.get(i + 1))
    {
        let Ok(days) = days.parse::<f64>() else {
            eprintln!("{usage}");
            return ExitCode::from(2);
        };
        model.customers.reorder =
            Some(Distribution::exponential(days * 24.0).expect("positive mean"));
    }
    model.simulation.duration_h *= factor;

    let before = peak_rss_kib();
    let start = Instant::now();
    let result = match handoff::engine::run(&model, 0) {
        Ok(result) => result,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let peak = peak_rss_kib();

    let days = model.simulation.duration_h / 24.0;
    let events = result.events;
    let rate = events as f64 / seconds / 1e6;
    println!("scenario   {} ({path})", model.name);
    println!("horizon    {days:.0} d (x{factor})");
    println!("events     {events} in {seconds:.3} s = {rate:.2} M events/s");
    println!(
        "peak RSS   {} KiB before the run, {} KiB after",
        show(before),
        show(peak)
    );
    for d in &result.metrics.departments {
        println!(
            "  {:<18} utilisation {:.3}  mean queue {:.2}",
            d.name, d.utilization, d.mean_queue
        );
    }
    ExitCode::SUCCESS
}

/// The peak resident set so far, in KiB (`VmHWM`), if the platform tells.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn show(kib: Option<u64>) -> String {
    kib.map_or_else(|| "?".to_string(), |k| k.to_string())
}
