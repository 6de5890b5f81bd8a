//! Progress on stderr: drawn only when stderr is a terminal and `--quiet` is not given.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Whether progress may be drawn at all.
fn visible(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A bar counting `len` steps (replications), with `message` in front.
pub fn bar(len: u64, message: String, quiet: bool) -> ProgressBar {
    if !visible(quiet) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A bar counting simulated minutes over `replications` replications of
/// `duration_h` hours each, shown as simulated days (the engine reports
/// whole minutes as its clock moves).
pub fn simulated_time(
    duration_h: f64,
    replications: u32,
    message: String,
    quiet: bool,
) -> ProgressBar {
    if !visible(quiet) {
        return ProgressBar::hidden();
    }
    let per_run = (duration_h * 60.0) as u64;
    let bar = ProgressBar::new(per_run.saturating_mul(replications.into())).with_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {days} ({elapsed})")
            .expect("a valid template")
            .with_key(
                "days",
                move |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let day = 24.0 * 60.0;
                    let _ = write!(
                        w,
                        "day {:.1} of {:.1}",
                        state.pos() as f64 / day,
                        state.len().unwrap_or(0) as f64 / day
                    );
                },
            )
            .progress_chars("=> "),
    );
    let runs = if replications == 1 {
        String::new()
    } else {
        format!(" (all {replications} replications)")
    };
    bar.set_message(format!("{message}{runs}"));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A spinner for work whose steps are not counted.
pub fn spinner(message: String, quiet: bool) -> ProgressBar {
    if !visible(quiet) {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("a valid template"),
    );
    spinner.set_message(message);
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}
