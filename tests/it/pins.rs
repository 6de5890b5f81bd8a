//! Same answers: the JSON of every ready scenario is pinned by its hash.
//!
//! Work on speed (the event list, the hot path) must not change a single byte
//! of output; this test notices if it does. Changes of output made on purpose
//! (a new rule, a new field) update the pins: run
//!
//! ```sh
//! UPDATE_PINS=1 cargo test --release --test it pins
//! ```
//!
//! and commit `tests/pins/run-json.txt` with the change, saying why the
//! answers moved. Each scenario runs on one thread and on two, which must agree
//! byte for byte before either is compared with its pin.
//!
//! The hashes hold for this platform's `libm` (`ln`, `exp` in the samplers);
//! the random streams themselves are portable.

use std::fmt::Write as _;
use std::path::Path;

use assert_cmd::Command;

const BIN: &str = env!("CARGO_BIN_EXE_handoff");
const PINS: &str = "tests/pins/run-json.txt";

/// Replications per pinned run: enough to exercise the summaries, few to stay fast.
const REPLICATIONS: &str = "3";

/// The runs pinned: every scenario in `scenarios/`, plus the benchmarks' plain
/// chain and big organisation, the latter shortened (a full year takes seconds).
fn runs() -> Vec<(String, Vec<&'static str>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(root.join("scenarios"))
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable directory").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| format!("scenarios/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    let mut runs: Vec<(String, Vec<&str>)> = files.into_iter().map(|f| (f, vec![])).collect();
    runs.push(("benches/scenarios/plain-chain.toml".into(), vec![]));
    runs.push((
        "benches/scenarios/big-organisation.toml".into(),
        vec![
            "--set",
            "simulation.duration=60d",
            "--set",
            "simulation.warmup=20d",
        ],
    ));
    runs
}

/// FNV-1a, 64 bits: small, fixed, and enough to notice a changed byte.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn json(file: &str, extra: &[&str], threads: &str) -> Vec<u8> {
    let out = Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", file, "--format", "json", "-q"])
        .args(["--replications", REPLICATIONS])
        .args(extra)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// One pin line: the run, then the hash of its JSON.
fn pin_line(file: &str, extra: &[&str], hash: u64) -> String {
    let mut line = file.to_string();
    for arg in extra {
        write!(line, " {arg}").unwrap();
    }
    format!("{line} --replications {REPLICATIONS} => {hash:016x}")
}

#[test]
fn ready_scenarios_give_their_pinned_json_on_one_and_two_threads() {
    let mut lines = Vec::new();
    for (file, extra) in runs() {
        let one = json(&file, &extra, "1");
        let two = json(&file, &extra, "2");
        assert!(
            one == two,
            "{file}: the JSON differs between one thread and two (determinism is broken)"
        );
        lines.push(pin_line(&file, &extra, fnv1a(&one)));
    }
    let now = lines.join("\n") + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(PINS);
    if std::env::var_os("UPDATE_PINS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &now).expect("write the pins");
        return;
    }
    let pinned = std::fs::read_to_string(&path).unwrap_or_default();
    let pinned: Vec<&str> = pinned.lines().filter(|l| !l.starts_with('#')).collect();
    let changed: Vec<&String> = lines
        .iter()
        .filter(|l| !pinned.contains(&l.as_str()))
        .collect();
    assert!(
        changed.is_empty() && pinned.len() == lines.len(),
        "the JSON output of the ready scenarios changed.\n\
         now:\n{now}\
         pinned in {PINS}:\n{}\n\
         If the change is intended (not a speed-up, which must change nothing), re-pin with\n    \
         UPDATE_PINS=1 cargo test --release --test it pins\n\
         and commit {PINS} with a word on why the answers moved.",
        pinned.join("\n")
    );
}
