//! handoff: a discrete-event simulator of a company's internal service chain.
//!
//! Data flows one way:
//! scenario file → [`scenario`] → [`model`] → [`engine`] (one run) → [`metrics`]
//! → [`experiment`] (many runs) → [`report`] → the `handoff` binary.
//!
//! The library never prints; the binary does.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod engine;
pub mod experiment;
pub mod metrics;
pub mod model;
pub mod report;
pub mod scenario;
pub mod trace;
