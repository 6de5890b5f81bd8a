//! The fuzz targets' bodies (`fuzz/bodies/`), compiled with the main test suite
//! so that they cannot drift from the library (CI builds no nightly fuzz crate),
//! and run here on every seed of their corpus: the same inputs, the same checks.

use std::path::Path;

#[path = "../../fuzz/bodies/arguments.rs"]
mod arguments;
#[path = "../../fuzz/bodies/merge.rs"]
mod merge;
#[path = "../../fuzz/bodies/scenario.rs"]
mod scenario;
#[path = "../../fuzz/bodies/simulate.rs"]
mod simulate;

/// Every seed of `target`, read from `fuzz/seeds/TARGET`.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path.display().to_string(), bytes)
        })
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "{} has seeds", dir.display());
    seeds
}

fn each_seed(target: &str, check: fn(&[u8])) {
    for (name, bytes) in seeds(target) {
        let result = std::panic::catch_unwind(|| check(&bytes));
        assert!(result.is_ok(), "fuzz target `{target}` panicked on {name}");
    }
}

#[test]
fn the_scenario_target_takes_its_seeds() {
    each_seed("scenario", scenario::check);
}

#[test]
fn the_arguments_target_takes_its_seeds() {
    each_seed("arguments", arguments::check);
}

#[test]
fn the_merge_target_takes_its_seeds() {
    each_seed("merge", merge::check);
}

#[test]
fn the_simulate_target_takes_its_seeds() {
    each_seed("simulate", simulate::check);
}
