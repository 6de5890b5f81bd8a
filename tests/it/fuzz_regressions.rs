//! Every input the fuzz targets (`fuzz/`) found a crash with, replayed through
//! the `handoff` command: it must end with exit 0 or 2 and a message, never a
//! panic (101) or an abort.
//!
//! The inputs are files in `tests/fuzz/TARGET/`, as the fuzzer saved them
//! (`merge/*.parts`: part files separated by a line `%%`, given to `handoff
//! merge`). So far only the `merge` target has found crashes; the `scenario`,
//! `arguments` and `simulate` targets found none (see fuzz/README.md).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_handoff");

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.expect("readable").path()).collect();
    files.sort();
    files
}

/// Run handoff in `dir`; the exit code must be 0 or 2 and a refusal must say why.
fn assert_handled(dir: &Path, args: &[&str], input: &Path) -> Output {
    let out = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .expect("handoff runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    assert!(
        code == Some(0) || code == Some(2),
        "{}: handoff {} ended with {:?}\n{stderr}",
        input.display(),
        args.join(" "),
        out.status
    );
    if code == Some(2) {
        assert!(
            stderr.contains("error"),
            "{}: exit 2 without an error message: {stderr}",
            input.display()
        );
    }
    assert!(
        !stderr.contains("panicked"),
        "{}: {stderr}",
        input.display()
    );
    out
}

#[test]
fn merge_refuses_the_parts_the_fuzzer_broke() {
    let files = inputs("merge");
    assert!(
        !files.is_empty(),
        "tests/fuzz/merge/ holds the crashes found so far"
    );
    for input in files {
        let text = std::fs::read(&input).expect("readable");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut args = vec!["merge".to_owned()];
        for (i, part) in split_parts(&text).into_iter().enumerate() {
            let name = format!("part-{i}.json");
            // Sealed with a checksum, as handoff writes parts, so that merge
            // goes past the checksum to the checks the fuzzer broke.
            std::fs::write(
                dir.path().join(&name),
                handoff::experiment::shard::seal(part),
            )
            .expect("writable");
            args.push(name);
        }
        args.extend(["-o".to_owned(), "out.json".to_owned()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_handled(dir.path(), &args, &input);
    }
}

/// Part files as the `merge` fuzz target splits its input: at lines holding only `%%`.
fn split_parts(data: &[u8]) -> Vec<&[u8]> {
    let mut files = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < data.len() {
        if data[i..].starts_with(b"\n%%\n") {
            files.push(&data[start..i + 1]);
            i += 4;
            start = i;
        } else {
            i += 1;
        }
    }
    files.push(&data[start..]);
    files
}
