//! Fuzz target; the body is in `fuzz/bodies/merge.rs`, which the main test suite
//! also compiles and runs on the seeds (tests/it/fuzz_bodies.rs), so it cannot
//! drift from the library.
#![no_main]

#[path = "../bodies/merge.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::check(data));
