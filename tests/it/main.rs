//! Every integration test in one binary (one link instead of one per file).
//!
//! - `theory`: the engine against queueing theory (Erlang C, Jackson, Pollaczek–Khinchine).
//! - `customers`: problems, complaints, word of mouth, the paradox, and the books balancing.
//! - `compare`: paired comparisons with common random numbers.
//! - `flows`: per-flow figures add up to the totals and follow their orders.
//! - `orders`: every order is accounted for (delivered, cancelled or in progress).
//! - `trace`: the event trace and the stories tell the truth about their run.
//! - `scenario_errors`, `overrides`: bad input gets a located, actionable error.
//! - `pins`: the ready scenarios give the same JSON, byte for byte, as pinned.
//! - `readme`: every README block that shows output is what the program prints.
//! - `workshop`: the trainer's guides (docs/workshop.md, docs/taller.md) run as written.
//! - `hostile_cli`: edited parts, outputs that are not files, interrupts mid-write.
//! - `cli`, `cli_reports`, `sweep`: the `handoff` command as a user runs it
//!   (cases as data files in `tests/cmd/`).
//! - `html`: the workshop page in a real browser, and the weekly timeline behind it.
//! - `people`: learning from complaints and the policy against abuse.
//! - `fuzz_regressions`: every crash the fuzz targets (`fuzz/`) found, replayed.
//! - `spanish`: `--lang es` for the text report, the stories and `compare`.
//! - `morale`: morale, rudeness and the internal-customer scorecard (issue 10).
//! - `failures`: the failure probabilities per week in the timeline (issue 11).

mod cli;
mod cli_reports;
mod command;
mod compare;
mod customers;
mod failures;
mod flows;
mod fuzz_bodies;
mod fuzz_regressions;
mod hostile_cli;
mod html;
mod incidents;
mod morale;
mod orders;
mod overrides;
mod people;
mod pins;
mod readme;
mod runaway;
mod scenario_errors;
mod spanish;
mod structures;
mod sweep;
mod theory;
mod trace;
mod validate;
mod workshop;
