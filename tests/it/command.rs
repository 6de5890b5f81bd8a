//! Running the `handoff` binary from tests: in a folder, without colour or a
//! thread count from the environment, checking the exit code.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_handoff");

pub fn tiny() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/ok/tiny.toml")
}

pub fn handoff(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .args(args)
        .env_remove("RAYON_NUM_THREADS")
        .env("NO_COLOR", "1");
    cmd
}

/// Run and return the output, asserting the exit code.
pub fn run(dir: &Path, args: &[&str], code: i32) -> Output {
    let out = handoff(dir, args).output().expect("handoff runs");
    assert_eq!(
        out.status.code(),
        Some(code),
        "handoff {}\nstdout: {}\nstderr: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `handoff args` in the repository's root, insists that it succeeds,
/// and returns what it printed.
pub fn stdout_of(args: &[&str]) -> Vec<u8> {
    run(Path::new(env!("CARGO_MANIFEST_DIR")), args, 0).stdout
}

/// [`stdout_of`], as text.
pub fn text_of(args: &[&str]) -> String {
    String::from_utf8(stdout_of(args)).expect("handoff prints UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
