//! Numbers as people read them: every formatting rule of the text report lives here.
//!
//! Counts are grouped by thousands with a space (`7 012`), shares are percentages
//! (`5.9 %`), durations pick a unit that fits (`45 min`, `2.3 h`, `1.4 d`). A value
//! that cannot be shown (not a number, infinite) is written as [`MISSING`].

use super::i18n::Lang;
use crate::metrics::Stat;

/// What is shown for a value that is not a finite number (nothing measured).
pub const MISSING: &str = "–";

/// A statistic ready for a table: the mean and, over several replications,
/// the 95 % confidence half-width, both already formatted with their unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub mean: String,
    pub ci95: Option<String>,
}

impl Shown {
    /// `mean ± ci95`, or the mean alone.
    pub fn joined(&self) -> String {
        match &self.ci95 {
            Some(ci) => format!("{} ± {ci}", self.mean),
            None => self.mean.clone(),
        }
    }

    /// Both numbers with the decimal mark of `lang` (see [`in_lang`]).
    pub fn in_lang(self, lang: Lang) -> Shown {
        Shown {
            mean: in_lang(self.mean, lang),
            ci95: self.ci95.map(|ci| in_lang(ci, lang)),
        }
    }
}

/// `text`, a number written by this module (with its unit), with the decimal
/// mark of `lang`: `2.3 h` stays in English and is `2,3 h` in Spanish, as on
/// the HTML page. Thousands stay grouped by a plain space in both: the page's
/// thin space is not one column wide in every terminal.
pub fn in_lang(text: String, lang: Lang) -> String {
    match lang {
        Lang::En => text,
        Lang::Es => text.replace('.', ","),
    }
}

/// A whole number with thousands grouped by a space: `7012.4` → `7 012`.
pub fn count(x: f64) -> String {
    if !x.is_finite() {
        return MISSING.to_owned();
    }
    let rounded = x.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if rounded < 0.0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A number with `decimals` decimals and its whole part grouped by thousands:
/// `grouped(7012.46, 1)` → `7 012.5`.
pub fn grouped(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return MISSING.to_owned();
    }
    let text = format!("{:.decimals$}", x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let negative = x < 0.0 && text.chars().any(|c| matches!(c, '1'..='9'));
    let mut out = String::from(if negative { "-" } else { "" });
    out.push_str(&count(whole.parse::<f64>().unwrap_or(0.0)));
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// A fixed number of decimals: `decimal(0.853, 2)` → `0.85`.
pub fn decimal(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return MISSING.to_owned();
    }
    format!("{x:.decimals$}")
}

/// A share in [0, 1] as a percentage with one decimal: `0.0588` → `5.9 %`.
pub fn percent(share: f64) -> String {
    percent_with(share, 1)
}

pub(crate) fn percent_with(share: f64, decimals: usize) -> String {
    if !share.is_finite() {
        return MISSING.to_owned();
    }
    format!("{:.decimals$} %", share * 100.0)
}

/// `part / whole` as a percentage, [`MISSING`] when `whole` is zero.
pub fn percent_of(part: f64, whole: f64) -> String {
    if whole == 0.0 {
        MISSING.to_owned()
    } else {
        percent(part / whole)
    }
}

/// A unit of time for showing durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    /// The unit a duration of `hours` reads best in: minutes under an hour,
    /// hours under a day, days beyond.
    pub fn for_hours(hours: f64) -> Self {
        let h = hours.abs();
        if h < 1.0 {
            TimeUnit::Minutes
        } else if h < 24.0 {
            TimeUnit::Hours
        } else {
            TimeUnit::Days
        }
    }

    /// `hours` in this unit, with its suffix: `2.3 h`, `1.4 d`, `45 min`.
    pub fn show(self, hours: f64) -> String {
        self.show_with(hours, self.decimals())
    }

    /// Decimals a duration in this unit is usually shown with.
    fn decimals(self) -> usize {
        match self {
            TimeUnit::Minutes => 0,
            TimeUnit::Hours | TimeUnit::Days => 1,
        }
    }

    pub(crate) fn show_with(self, hours: f64, decimals: usize) -> String {
        if !hours.is_finite() {
            return MISSING.to_owned();
        }
        match self {
            TimeUnit::Minutes => format!("{:.decimals$} min", hours * 60.0),
            TimeUnit::Hours => format!("{hours:.decimals$} h"),
            TimeUnit::Days => format!("{:.decimals$} d", hours / 24.0),
        }
    }
}

/// A duration in hours, in the unit that reads best: `0.75` → `45 min`, `2.3` → `2.3 h`, `33.6` → `1.4 d`.
pub fn duration(hours: f64) -> String {
    TimeUnit::for_hours(hours).show(hours)
}

/// A whole-number-or-one-decimal count of days, for horizons: `8760 h` → `365`, `12 h` → `0.5`.
pub fn days(hours: f64) -> String {
    if !hours.is_finite() {
        return MISSING.to_owned();
    }
    let d = hours / 24.0;
    if (d - d.round()).abs() < 0.05 {
        format!("{:.0}", d.round())
    } else {
        format!("{d:.1}")
    }
}

/// A size in bytes for people: `512 bytes`, `32 KiB`, `3.1 GiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 && value.fract() != 0.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// `1 replication`, `5 replications`: a count with its noun in the right number.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n as f64), if n == 1 { one } else { many })
}

/// A statistic of a count: `7 012 ± 35` (counts stay whole, however narrow the interval).
pub fn stat_count(s: Stat) -> Shown {
    shown(s, 0, 0, |x, _| count(x))
}

/// A statistic of a share: `71.2 % ± 0.4 %`.
pub fn stat_percent(s: Stat) -> Shown {
    shown(s, 1, 2, percent_with)
}

/// A statistic with at least `decimals` decimals: `0.85 ± 0.02`.
pub fn stat_decimal(s: Stat, decimals: usize) -> Shown {
    shown(s, decimals, 2, decimal)
}

/// A statistic of a duration in hours; the half-width is shown in the unit of the mean: `2.3 h ± 0.2 h`.
pub fn stat_duration(s: Stat) -> Shown {
    let unit = TimeUnit::for_hours(s.mean);
    shown(s, unit.decimals(), 2, |x, d| unit.show_with(x, d))
}

/// Format the mean and (when it is a finite number) the half-width the same
/// way, with `decimals` decimals, or up to `extra` more when the half-width
/// would otherwise show as zero (`2.93 d ± 0.04 d`, not `2.9 d ± 0.0 d`).
/// Something that never happened in any replication (`0 ± 0`) is a plain `0`.
fn shown(s: Stat, decimals: usize, extra: usize, f: impl Fn(f64, usize) -> String) -> Shown {
    let never = s.mean == 0.0 && s.ci95 == Some(0.0);
    let ci = s
        .ci95
        .filter(|h| s.mean.is_finite() && h.is_finite() && !never);
    let nonzero = |text: &str| text.chars().any(|c| matches!(c, '1'..='9'));
    let decimals = match ci {
        Some(h) if h > 0.0 => (decimals..=decimals + extra)
            .find(|&d| nonzero(&f(h, d)))
            .unwrap_or(decimals + extra),
        _ => decimals,
    };
    Shown {
        mean: f(s.mean, decimals),
        ci95: ci.map(|h| f(h, decimals)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mean: f64, ci95: Option<f64>) -> Stat {
        Stat { mean, ci95 }
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(999.4), "999");
        assert_eq!(count(999.5), "1 000");
        assert_eq!(count(7012.0), "7 012");
        assert_eq!(count(1_234_567.0), "1 234 567");
        assert_eq!(count(-4321.0), "-4 321");
        assert_eq!(count(f64::NAN), MISSING);
        assert_eq!(count(f64::INFINITY), MISSING);
    }

    #[test]
    fn shares_are_percentages() {
        assert_eq!(percent(0.0588), "5.9 %");
        assert_eq!(percent(1.0), "100.0 %");
        assert_eq!(percent_of(412.0, 6950.0), "5.9 %");
        assert_eq!(percent_of(1.0, 0.0), MISSING);
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(duration(0.75), "45 min");
        assert_eq!(duration(2.3), "2.3 h");
        assert_eq!(duration(23.9), "23.9 h");
        assert_eq!(duration(24.0), "1.0 d");
        assert_eq!(duration(1.4 * 24.0), "1.4 d");
        assert_eq!(duration(3.25 * 24.0), "3.2 d");
        assert_eq!(duration(f64::NAN), MISSING);
        assert_eq!(days(365.0 * 24.0), "365");
        assert_eq!(days(12.0), "0.5");
    }

    #[test]
    fn statistics_show_the_half_width_in_the_unit_of_the_mean() {
        assert_eq!(
            stat_duration(stat(2.3, Some(0.21))).joined(),
            "2.3 h ± 0.2 h"
        );
        assert_eq!(
            stat_duration(stat(72.0, Some(6.0))).joined(),
            "3.0 d ± 0.2 d"
        );
        assert_eq!(stat_count(stat(7012.4, Some(35.2))).joined(), "7 012 ± 35");
        assert_eq!(stat_percent(stat(0.712, None)).joined(), "71.2 %");
        assert_eq!(
            stat_decimal(stat(0.853, Some(0.021)), 2).joined(),
            "0.85 ± 0.02"
        );
        assert_eq!(stat_count(stat(0.0, Some(0.0))).joined(), "0");
        // A narrow interval gets the decimals it needs to show (at most two more).
        assert_eq!(
            stat_duration(stat(70.32, Some(0.96))).joined(),
            "2.93 d ± 0.04 d"
        );
        assert_eq!(
            stat_percent(stat(0.6891, Some(0.00012))).joined(),
            "68.91 % ± 0.01 %"
        );
        assert_eq!(
            stat_decimal(stat(1.0, Some(1e-9)), 2).joined(),
            "1.0000 ± 0.0000"
        );
        assert_eq!(stat_count(stat(6406.2, Some(0.3))).joined(), "6 406 ± 0");
        assert_eq!(stat_count(stat(0.2, Some(0.0))).joined(), "0 ± 0");
        // Nothing measured: no interval either.
        assert_eq!(
            stat_duration(stat(f64::NAN, Some(1.0))),
            Shown {
                mean: MISSING.into(),
                ci95: None
            }
        );
    }

    #[test]
    fn spanish_numbers_take_a_decimal_comma_and_keep_their_grouping() {
        assert_eq!(in_lang(grouped(7012.46, 1), Lang::Es), "7 012,5");
        assert_eq!(in_lang(duration(2.3), Lang::Es), "2,3 h");
        assert_eq!(in_lang(percent(0.0588), Lang::En), "5.9 %");
        assert_eq!(
            stat_duration(stat(70.32, Some(0.96)))
                .in_lang(Lang::Es)
                .joined(),
            "2,93 d ± 0,04 d"
        );
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "replication", "replications"), "1 replication");
        assert_eq!(plural(1200, "event", "events"), "1 200 events");
    }
}
