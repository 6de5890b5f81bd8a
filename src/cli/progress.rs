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
        ProgressStyle::with_template("{msg} [{wide_bar}] {pos}/{len} ({elapsed}{left})")
            .expect("a valid template")
            .with_key("left", time_left)
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
        ProgressStyle::with_template("{msg} [{wide_bar}] {days} ({elapsed}{left})")
            .expect("a valid template")
            .with_key("left", time_left)
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

/// `, 12 min left` once a few seconds give a pace to go by: a long run says
/// how long it will take, so nobody mistakes it for a hang.
fn time_left(state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write) {
    if state.elapsed() >= Duration::from_secs(3) && state.pos() > 0 && !state.is_finished() {
        let _ = write!(w, ", {} left", briefly(state.eta()));
    }
}

/// A duration in one unit, as a person would round it: `40 s`, `12 min`, `3.5 h`, `2 days`.
fn briefly(d: Duration) -> String {
    let s = d.as_secs_f64();
    match s {
        s if s < 90.0 => format!("{s:.0} s"),
        s if s < 90.0 * 60.0 => format!("{:.0} min", s / 60.0),
        s if s < 48.0 * 3600.0 => format!("{:.1} h", s / 3600.0),
        s => format!("{:.0} days", s / 86400.0),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_is_rounded_to_one_unit() {
        let cases = [
            (0, "0 s"),
            (89, "89 s"),
            (90, "2 min"),
            (12 * 60 + 20, "12 min"),
            (5399, "90 min"),
            (5400, "1.5 h"),
            (47 * 3600, "47.0 h"),
            (3 * 86400, "3 days"),
        ];
        for (secs, shown) in cases {
            assert_eq!(briefly(Duration::from_secs(secs)), shown, "{secs} s");
        }
    }
}
