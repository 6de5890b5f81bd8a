//! The scenario parser: any text either builds a model or gives diagnostics
//! that render (with and without colour); never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match handoff::scenario::parse(text, "fuzz.toml") {
        Ok(model) => {
            // What `validate` shows of a model it accepts.
            let _ = handoff::experiment::shard::model_hash(&model);
        }
        Err(diagnostics) => {
            let _ = diagnostics.render(false);
            let _ = diagnostics.render(true);
        }
    }
});
