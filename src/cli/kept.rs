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
