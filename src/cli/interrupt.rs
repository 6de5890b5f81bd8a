//! Ctrl-C and SIGTERM: never leave a temporary file behind, and say what was kept.
//!
//! Every temporary file [`super::output`] makes is registered here while it
//! exists. On an interrupt, a command that keeps its finished work on disk
//! (`sweep`, `sensitivity`: [`graceful`]) is asked to [`stop`] starting new
//! work; any other command, or a second interrupt, removes every registered
//! temporary file, says what was kept ([`kept`]) and exits with 130. The lock
//! that guards the list is held from the removal to the exit, so no new
//! temporary file can appear in between.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Temporary files that exist now.
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// What the command has finished and kept, in words, for the message.
static KEPT: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// The command stops by itself at the first interrupt.
static GRACEFUL: AtomicBool = AtomicBool::new(false);
/// An interrupt came: start no new work.
static STOP: AtomicBool = AtomicBool::new(false);
/// An interrupt came (unlike [`STOP`], which a failure sets too).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Handle SIGINT and SIGTERM from now on.
pub fn install() {
    // Fails only if a handler is already set: then that one stays.
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        if GRACEFUL.load(Ordering::SeqCst) && !STOP.swap(true, Ordering::SeqCst) {
            say("\nstopping: finishing the work under way (Ctrl-C again to quit at once)");
            return;
        }
        STOP.store(true, Ordering::SeqCst);
        quit();
    });
}

/// The command keeps finished work and stops by itself at the first interrupt
/// (polling [`stop`]); a second interrupt quits at once.
pub fn graceful() {
    GRACEFUL.store(true, Ordering::SeqCst);
}

/// Whether an interrupt asked the command to stop.
pub fn stop() -> &'static AtomicBool {
    &STOP
}

/// Whether an interrupt came. A command that stops by itself and finished
/// all its work all the same still exits with 130 ([`finished_anyway`]).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// `Ok`, or, if an interrupt came while the last of the work ran to its end
/// and `written` was written whole, the failure that says so (exit 130).
pub fn finished_anyway(written: &str) -> Result<(), super::Failure> {
    if interrupted() {
        return Err(super::Failure::Interrupted(format!(
            "interrupted: the work under way was the last, and it finished; {written} is written whole"
        )));
    }
    Ok(())
}

/// Record something finished and kept, for the message on interrupt
/// (`"the report in out.txt"`).
pub fn kept(what: String) {
    lock(&KEPT).push(what);
}

/// Write a line to standard error, or nothing if it cannot be written: a
/// panic here (`eprintln!` into a pipe nobody reads) would end the handler's
/// thread, and with it every later Ctrl-C, while the command ran on.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Remove every temporary file, say what was kept, exit with 130.
fn quit() -> ! {
    let temporary = lock(&TEMPORARY);
    for path in temporary.iter() {
        let _ = std::fs::remove_file(path);
    }
    let kept = lock(&KEPT);
    let what = if kept.is_empty() {
        "nothing was written".to_owned()
    } else {
        format!("kept {}", kept.join(", "))
    };
    say(&format!("\ninterrupted: {what}; no temporary file is left"));
    std::process::exit(130);
}

/// Make a temporary file at `path` with `make` (create it, or give an
/// unnamed file that name), registered as it is made.
pub fn create_temporary<T>(path: &Path, make: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    let mut temporary = lock(&TEMPORARY);
    let made = make()?;
    temporary.push(path.to_path_buf());
    Ok(made)
}

/// `path` was renamed or removed: nothing to clean up.
pub fn forget_temporary(path: &Path) {
    lock(&TEMPORARY).retain(|p| p != path);
}
