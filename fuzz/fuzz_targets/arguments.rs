//! The `--set PATH=VALUE`, `--vary PATH=SPEC` and `--shard I/N` parsers, and
//! what the program does next with what they accept: an override applied to a
//! small scenario, a sweep grid's values, a shard printed and read back.
#![no_main]

use handoff::experiment::shard::Shard;
use handoff::experiment::sweep::{Axis, Grid};
use handoff::scenario::{self, Override};
use libfuzzer_sys::fuzz_target;

/// A small valid scenario for overrides to change (tests/cases/ok/tiny.toml).
const TINY: &str = include_str!("../../tests/cases/ok/tiny.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(arg) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(shard) = Shard::parse(arg) {
        assert!(shard.index < shard.count, "{arg:?} gave {shard:?}");
        assert_eq!(Shard::parse(&shard.to_string()), Ok(shard));
    }

    if let Ok(set) = Override::parse(arg) {
        // Applied to a valid scenario: a model, or diagnostics that render.
        if let Err(d) = scenario::parse_with(TINY, "tiny.toml", std::slice::from_ref(&set)) {
            let _ = d.render(false);
        }
        let _ = set.to_string();
    }

    if let Ok(axis) = Axis::parse(arg) {
        // As `sweep` uses an axis: a grid, each point's values, its overrides.
        if let Ok(grid) = Grid::new(vec![axis.clone()]) {
            let n = grid.len();
            for i in [0, n / 2, n.saturating_sub(1)] {
                if i < n {
                    let _ = grid.values(i);
                    for set in grid.sets(i) {
                        if let Ok(o) = Override::parse(&set) {
                            let _ = scenario::parse_with(TINY, "tiny.toml", &[o]);
                        }
                    }
                }
            }
        }
    }
});
