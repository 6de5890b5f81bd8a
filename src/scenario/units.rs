//! Durations (`90s`, `30m`, `2h`, `7d`, `2w`, `1.5h`, `1d 12h`) and rates (`12/d`), in hours.

/// A time unit a scenario may write, and its length in hours.
struct Unit {
    names: &'static [&'static str],
    hours: f64,
}

const UNITS: &[Unit] = &[
    Unit {
        names: &["s", "sec", "secs", "second", "seconds"],
        hours: 1.0 / 3600.0,
    },
    Unit {
        names: &["m", "min", "mins", "minute", "minutes"],
        hours: 1.0 / 60.0,
    },
    Unit {
        names: &["h", "hr", "hrs", "hour", "hours"],
        hours: 1.0,
    },
    Unit {
        names: &["d", "day", "days"],
        hours: 24.0,
    },
    Unit {
        names: &["w", "wk", "wks", "week", "weeks"],
        hours: 168.0,
    },
];

/// The short units, for messages: `s, m, h, d, w`.
pub const UNIT_LIST: &str = "s (seconds), m (minutes), h (hours), d (days), w (weeks)";

/// Why a duration or rate string could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitError {
    /// Only a number: `"365"`.
    NoUnit { number: String },
    /// No number before the unit: `"d"`, `"abc"`.
    NoNumber,
    /// A unit nobody knows: `"3 fortnights"`; `suggestion` is a close known unit.
    UnknownUnit {
        unit: String,
        suggestion: Option<&'static str>,
    },
    /// A number too large or not finite.
    NotFinite,
    /// An `_` that does not stand between two digits: `"_5d"`, `"5_d"`,
    /// `"1__0h"` (TOML's rule for its own numbers, which `"1_000h"` follows).
    StrayUnderscore,
    /// A rate without the `/`: `"12 per day"`.
    NotARate,
    /// A rate per zero time: `"5/0d"`.
    PerZeroTime,
    /// A unit shorter than a second: `"7ms"`; `seconds` is the same time in seconds
    /// (for a rate, `"5/ms"`: the same rate per second).
    BelowSeconds { unit: String, seconds: Option<f64> },
}

/// Units shorter than a second that people write, and their length in seconds.
const SUBSECOND: &[(&[&str], f64)] = &[
    (
        &["ms", "msec", "msecs", "millisecond", "milliseconds"],
        1e-3,
    ),
    (
        &[
            "us",
            "μs",
            "µs",
            "usec",
            "usecs",
            "microsecond",
            "microseconds",
        ],
        1e-6,
    ),
    (&["ns", "nsec", "nanosecond", "nanoseconds"], 1e-9),
];

/// Hours in one `unit`, if it is a known unit name (case-insensitive).
pub fn unit_hours(unit: &str) -> Option<f64> {
    let unit = unit.to_ascii_lowercase();
    UNITS
        .iter()
        .find(|u| u.names.contains(&unit.as_str()))
        .map(|u| u.hours)
}

fn unknown_unit(unit: &str) -> UnitError {
    let lower = unit.to_lowercase();
    if SUBSECOND
        .iter()
        .any(|(names, _)| names.contains(&lower.as_str()))
    {
        return UnitError::BelowSeconds {
            unit: unit.to_owned(),
            seconds: None,
        };
    }
    let all = UNITS.iter().flat_map(|u| u.names.iter().copied());
    let suggestion = super::suggest::closest(&lower, all);
    UnitError::UnknownUnit {
        unit: unit.to_owned(),
        suggestion,
    }
}

/// Split `"1.5h"` / `"2 days"` into the number and the unit text.
pub(crate) fn split_number(text: &str) -> (&str, &str) {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || c == '.'
                || c == '_'
                || ((c == '-' || c == '+') && (i == 0 || text[..i].ends_with(['e', 'E'])))
                || ((c == 'e' || c == 'E')
                    && i > 0
                    && text[i + 1..]
                        .starts_with(|n: char| n.is_ascii_digit() || n == '-' || n == '+')))
        })
        .map_or(text.len(), |(i, _)| i);
    (&text[..end], text[end..].trim())
}

fn number(text: &str) -> Result<f64, UnitError> {
    let bytes = text.as_bytes();
    let between_digits = |i: usize| {
        i > 0 && bytes[i - 1].is_ascii_digit() && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
    };
    if (0..bytes.len()).any(|i| bytes[i] == b'_' && !between_digits(i)) {
        return Err(UnitError::StrayUnderscore);
    }
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    if cleaned.is_empty() || !cleaned.contains(|c: char| c.is_ascii_digit()) {
        return Err(UnitError::NoNumber);
    }
    let x: f64 = cleaned.parse().map_err(|_| UnitError::NoNumber)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(UnitError::NotFinite)
    }
}

/// A duration string in hours: `"90s"`, `"30m"`, `"1.5h"`, `"7d"`, `"2 weeks"`,
/// or several of them added up: `"1d 12h"`, `"2h30m"`.
/// Negative values are returned as such; the caller decides what range is allowed.
pub fn parse_duration(text: &str) -> Result<f64, UnitError> {
    // A loop, not recursion: a hostile file may write thousands of parts.
    let (mut num, mut after) = split_number(text);
    let mut total = 0.0;
    loop {
        // This part's unit runs to the next part's number.
        let end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        total += part(num, after[..end].trim_end())?;
        if end == after.len() {
            break;
        }
        (num, after) = split_number(&after[end..]);
    }
    if total.is_finite() {
        Ok(total)
    } else {
        Err(UnitError::NotFinite)
    }
}

/// One part of a duration, in hours: its number and its unit.
fn part(num: &str, unit: &str) -> Result<f64, UnitError> {
    if num.is_empty() {
        return Err(UnitError::NoNumber);
    }
    let x = number(num)?;
    if unit.is_empty() {
        return Err(UnitError::NoUnit {
            number: num.to_owned(),
        });
    }
    let hours = unit_hours(unit).ok_or_else(|| match unknown_unit(unit) {
        UnitError::BelowSeconds { unit, .. } => {
            let lower = unit.to_lowercase();
            let per = SUBSECOND
                .iter()
                .find(|(names, _)| names.contains(&lower.as_str()))
                .map_or(1.0, |(_, s)| *s);
            UnitError::BelowSeconds {
                unit,
                seconds: Some(x * per),
            }
        }
        other => other,
    })?;
    let h = x * hours;
    if h.is_finite() {
        Ok(h)
    } else {
        Err(UnitError::NotFinite)
    }
}

/// A rate string per hour: `"12/d"`, `"0.5/h"`, `"3 / week"`.
pub fn parse_rate(text: &str) -> Result<f64, UnitError> {
    let Some((num, unit)) = text.split_once('/') else {
        let (num, unit) = split_number(text);
        return Err(if !num.is_empty() && unit.is_empty() {
            UnitError::NoUnit {
                number: num.to_owned(),
            }
        } else {
            UnitError::NotARate
        });
    };
    let x = number(num.trim())?;
    let unit = unit.trim();
    if unit.is_empty() {
        return Err(UnitError::NoUnit {
            number: num.trim().to_owned(),
        });
    }
    // Allow `12/2d` as well as `12/d`.
    let (per, unit_name) = split_number(unit);
    let per = if per.is_empty() { 1.0 } else { number(per)? };
    if per == 0.0 {
        return Err(UnitError::PerZeroTime);
    }
    let hours = unit_hours(unit_name).ok_or_else(|| match unknown_unit(unit_name) {
        // `5/ms`: say what it is per second, the shortest unit there is.
        UnitError::BelowSeconds { unit, .. } => {
            let lower = unit.to_lowercase();
            let length = SUBSECOND
                .iter()
                .find(|(names, _)| names.contains(&lower.as_str()))
                .map_or(1.0, |(_, s)| *s);
            UnitError::BelowSeconds {
                unit,
                seconds: Some(x / (per * length)),
            }
        }
        other => other,
    })? * per;
    let r = x / hours;
    if r.is_finite() {
        Ok(r)
    } else {
        Err(UnitError::NotFinite)
    }
}

/// A short, readable form of a duration in hours, for messages: `2h`, `30m`, `1.5d`.
pub fn show_hours(h: f64) -> String {
    let (value, unit) = if h != 0.0 && h.abs() < 1.0 {
        (h * 60.0, "m")
    } else if h.abs() >= 48.0 {
        (h / 24.0, "d")
    } else {
        (h, "h")
    };
    if value.abs() >= 1e9 {
        return format!("{value:.3e}{unit}");
    }
    let rounded = (value * 1000.0).round() / 1000.0;
    format!("{rounded}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn durations_in_every_unit() {
        for (text, hours) in [
            ("90s", 0.025),
            ("30m", 0.5),
            ("2h", 2.0),
            ("1.5h", 1.5),
            ("7d", 168.0),
            ("2w", 336.0),
            ("2 weeks", 336.0),
            ("45 min", 0.75),
            ("3 Hours", 3.0),
            ("1_000s", 1000.0 / 3600.0),
            (" 1e1h ", 10.0),
            ("0h", 0.0),
            ("-2h", -2.0),
            (".5d", 12.0),
            ("1d 12h", 36.0),
            ("2h30m", 2.5),
            ("1 day 6 hours 30 min", 30.5),
            ("1w 0.5d", 180.0),
            (&"1s".repeat(100_000), 100_000.0 / 3600.0),
        ] {
            let got = parse_duration(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert!(close(got, hours), "{text}: {got} != {hours}");
        }
    }

    #[test]
    fn duration_errors() {
        assert_eq!(
            parse_duration("365"),
            Err(UnitError::NoUnit {
                number: "365".into()
            })
        );
        assert_eq!(parse_duration("d"), Err(UnitError::NoNumber));
        assert_eq!(parse_duration(""), Err(UnitError::NoNumber));
        assert_eq!(parse_duration("."), Err(UnitError::NoNumber));
        assert_eq!(parse_duration("1.2.3h"), Err(UnitError::NoNumber));
        // `_` groups digits (`1_000s`, above) and nothing else.
        for stray in ["_5d", "5_d", "._5d", "1__0h", "1d 12_h", "1_.5h"] {
            assert_eq!(
                parse_duration(stray),
                Err(UnitError::StrayUnderscore),
                "{stray}"
            );
        }
        assert_eq!(parse_rate("2_0/_d"), Err(UnitError::StrayUnderscore));
        assert!(close(parse_rate("1_200/d").unwrap(), 50.0));
        assert_eq!(
            parse_duration("3dy"),
            Err(UnitError::UnknownUnit {
                unit: "dy".into(),
                suggestion: Some("d")
            })
        );
        assert_eq!(
            parse_duration("3 huors"),
            Err(UnitError::UnknownUnit {
                unit: "huors".into(),
                suggestion: Some("hours")
            })
        );
        assert!(matches!(
            parse_duration("3 parsecs"),
            Err(UnitError::UnknownUnit {
                suggestion: None,
                ..
            })
        ));
        assert_eq!(parse_duration("1e400h"), Err(UnitError::NotFinite));
        // A part without a unit, or with a wrong one, is named.
        assert_eq!(
            parse_duration("2h30"),
            Err(UnitError::NoUnit {
                number: "30".into()
            })
        );
        assert_eq!(
            parse_duration("1d 3huors"),
            Err(UnitError::UnknownUnit {
                unit: "huors".into(),
                suggestion: Some("hours")
            })
        );
    }

    #[test]
    fn rates_per_hour() {
        assert!(close(parse_rate("12/d").unwrap(), 0.5));
        assert!(close(parse_rate("0.5/h").unwrap(), 0.5));
        assert!(close(parse_rate("3 / week").unwrap(), 3.0 / 168.0));
        assert!(close(parse_rate("12/2d").unwrap(), 0.25));
        assert!(close(parse_rate("60/min").unwrap(), 3600.0));
        assert_eq!(
            parse_rate("12"),
            Err(UnitError::NoUnit {
                number: "12".into()
            })
        );
        assert_eq!(
            parse_rate("12/"),
            Err(UnitError::NoUnit {
                number: "12".into()
            })
        );
        assert_eq!(parse_rate("12 per day"), Err(UnitError::NotARate));
        assert_eq!(parse_rate("/d"), Err(UnitError::NoNumber));
        assert!(matches!(
            parse_rate("12/dy"),
            Err(UnitError::UnknownUnit { .. })
        ));
        assert_eq!(parse_rate("12/0d"), Err(UnitError::PerZeroTime));
        assert_eq!(parse_rate("12/0.0h"), Err(UnitError::PerZeroTime));
        assert_eq!(
            parse_duration("7ms"),
            Err(UnitError::BelowSeconds {
                unit: "ms".into(),
                seconds: Some(0.007)
            })
        );
        assert!(matches!(
            parse_duration("7μs"),
            Err(UnitError::BelowSeconds { seconds: Some(s), .. }) if (s - 7e-6).abs() < 1e-18
        ));
    }

    #[test]
    fn hours_are_shown_readably() {
        assert_eq!(show_hours(2.0), "2h");
        assert_eq!(show_hours(0.5), "30m");
        assert_eq!(show_hours(168.0), "7d");
        assert_eq!(show_hours(0.0), "0h");
        assert_eq!(show_hours(-3.0), "-3h");
        assert_eq!(show_hours(24e300), "1.000e300d");
    }
}
