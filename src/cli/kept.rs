//! Finished work kept beside an output until the output is written: a sweep's
//! points, a sensitivity analysis's variants, a sharded run's replications,
//! each in its own file in `OUT.parts/`, so that a stopped command (Ctrl-C,
//! Slurm's time limit, a full disk) goes on from them with `--resume`.

use std::path::{Path, PathBuf};

use super::Failure;

/// `OUT.parts`: where finished work is kept until OUT is written.
pub fn parts_dir(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".parts");
    out.with_file_name(name)
}

/// Whether `name` is a file handoff keeps in OUT.parts/: one of `kept`'s
/// (`point-`, `replication-`, … then digits and `.json`, or a whole name
/// such as `base.json`), or a temporary file a killed write left there.
fn is_kept(name: &str, kept: &[&str]) -> bool {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(".json"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    kept.iter().any(|&k| {
        if k.ends_with('-') {
            numbered(k)
        } else {
            name == k
        }
    }) || (name.starts_with(".handoff-") && name.ends_with(".tmp"))
}

/// Refuses `dir` (OUT.parts/) unless it is handoff's to use: absent, or a
/// directory (not a link) holding only files of `kept`'s names (see
/// [`is_kept`]). handoff writes its finished work there and removes the
/// directory when done, so a link would have it write into the link's target,
/// and a file or folder of the user's there would be deleted with it.
pub fn check_parts(dir: &Path, kept: &[&str]) -> Result<(), Failure> {
    let refuse = |what: String| {
        Failure::Input(format!(
            "error: {} {what}, which handoff did not make: handoff keeps its finished work in that \
             directory and removes it when done\nhelp: move it away, or write to another -o",
            dir.display()
        ))
    };
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        return Err(refuse("is a symbolic link".to_owned()));
    }
    if !meta.is_dir() {
        return Err(refuse("is a file".to_owned()));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Failure::Input(format!(
            "error: cannot read {}: {}",
            dir.display(),
            super::io_reason(&e)
        ))
    })?;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let file = entry.file_type().is_ok_and(|t| t.is_file());
        if !file || !is_kept(&name, kept) {
            return Err(refuse(format!("holds `{name}`")));
        }
    }
    Ok(())
}

/// Removes what handoff kept in `dir` (files of `kept`'s names, temporary
/// files), then `dir` itself if that left it empty: nothing else is deleted,
/// should something have appeared there meanwhile.
pub fn remove_parts(dir: &Path, kept: &[&str]) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|t| t.is_file()) && is_kept(&name, kept) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let _ = std::fs::remove_dir(dir);
}

/// Hold `dir` (OUT.parts/, if it exists) for this process until the handle
/// is dropped: another handoff writing to the same `out` at once would take
/// this one's work for an earlier run's, or remove them under it.
/// `None` where there is nothing to hold, or the file system has no locks.
pub fn hold_parts(dir: &Path, out: &Path) -> Result<Option<std::fs::File>, Failure> {
    let Ok(handle) = std::fs::File::open(dir) else {
        return Ok(None);
    };
    match handle.try_lock() {
        Ok(()) => Ok(Some(handle)),
        Err(std::fs::TryLockError::WouldBlock) => Err(Failure::Input(format!(
            "error: another handoff is writing {} now (its finished work is in {}); wait for it to finish, or write to another -o",
            out.display(),
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(_)) => Ok(None),
    }
}

/// `failure` (some work or OUT that could not be written: a full disk), with
/// how much finished work (`kept` of `total` `what`: "points") is kept in
/// `dir` and how to go on from it.
pub fn kept_work(failure: Failure, kept: usize, total: usize, what: &str, dir: &Path) -> Failure {
    match failure {
        Failure::Input(message) => {
            let work = if kept == total {
                format!("all {total} {what} are finished and kept")
            } else {
                format!("the {kept} of {total} {what} finished are kept")
            };
            Failure::Input(format!(
                "{}\nhelp: {work} in {}; once there is room, run the same command with --resume to go on from them",
                message.trim_end(),
                dir.display()
            ))
        }
        other => other,
    }
}

/// How work that ran (`ran`) ended, with `done` of `total` `what` finished
/// and kept in `dir`: `Ok` when every one is done; otherwise the failure,
/// with what is kept ([`kept_work`]), or the interrupt, with how to go on.
/// When nothing was kept (a full disk at the first), no empty `dir` is left.
pub fn all_done(
    ran: Result<(), Failure>,
    done: usize,
    total: usize,
    what: &str,
    dir: &Path,
) -> Result<(), Failure> {
    if let Err(failure) = ran {
        if done == 0 {
            let _ = std::fs::remove_dir(dir);
            return Err(failure);
        }
        return Err(kept_work(failure, done, total, what, dir));
    }
    if done < total {
        return Err(Failure::Interrupted(format!(
            "interrupted: {done} of {total} {what} finished and are kept in {}; run the same command with --resume to do the other {}",
            dir.display(),
            total - done
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SWEEP: &[&str] = &["point-"];

    #[test]
    fn only_the_files_handoff_keeps_count_as_its_own() {
        assert!(is_kept("point-0003.json", SWEEP));
        assert!(is_kept(".handoff-41-7.tmp", SWEEP));
        assert!(is_kept("base.json", &["base.json", "variant-"]));
        for name in [
            "point-.json",
            "point-3.json.bak",
            "point-x.json",
            "notes.txt",
            "base.json",
        ] {
            assert!(!is_kept(name, SWEEP), "{name}");
        }
    }

    #[test]
    fn a_parts_directory_with_anything_else_is_refused_and_never_emptied_of_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out.csv.parts");
        // Absent, or with only handoff's files: fine.
        check_parts(&dir, SWEEP).unwrap();
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("point-0000.json"), "{}").unwrap();
        check_parts(&dir, SWEEP).unwrap();
        // A file or a folder of the user's: refused, named.
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        let message = check_parts(&dir, SWEEP).unwrap_err().message().to_owned();
        assert!(message.contains("holds `notes.txt`"), "{message}");
        std::fs::remove_file(dir.join("notes.txt")).unwrap();
        std::fs::create_dir(dir.join("sub")).unwrap();
        assert!(check_parts(&dir, SWEEP).is_err());
        // Removing keeps what is not handoff's, and so the directory.
        remove_parts(&dir, SWEEP);
        assert!(dir.join("sub").is_dir());
        assert!(!dir.join("point-0000.json").exists());
        std::fs::remove_dir(dir.join("sub")).unwrap();
        remove_parts(&dir, SWEEP);
        assert!(!dir.exists());
        // A link, even to an empty directory: refused.
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
        let message = check_parts(&dir, SWEEP).unwrap_err().message().to_owned();
        assert!(message.contains("symbolic link"), "{message}");
    }
}
