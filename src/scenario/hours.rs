//! `hours`: when a department or a pool is open, as weekly windows.
//!
//! A value is a string or a list of strings, each `[DAYS] HH:MM-HH:MM`:
//! `"mon-fri 09:00-17:00"`, `"sat 10:00-14:00"`, `"daily 06:00-22:00"`,
//! `"mon,wed,fri 08:00-12:00"`, `"22:00-06:00"` (no days: every day). A window
//! whose end is not after its start crosses midnight and belongs to the day it
//! starts; Sunday night runs into Monday. `24:00` ends a day.

use toml::de::DeValue;

use super::diagnostic::Diagnostic;
use super::read::{Errors, Span, Value, escape, wrong_type};
use super::suggest::closest;
use crate::model::{Hours, WEEK_MINUTES};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_MINUTES: u32 = 24 * 60;
const EXAMPLE: &str = "\"mon-fri 09:00-17:00\"";

/// A window as read: minutes since Monday 00:00, the end possibly past the end
/// of the week (Sunday night), and the span of the string it came from.
struct Window {
    start: u32,
    end: u32,
    span: Span,
    text: String,
}

/// Read `hours` (a string or a list of strings); `None` when wrong (reported).
pub fn read(errs: &mut Errors, key: &str, v: &Value<'_>) -> Option<Hours> {
    let items: Vec<&Value<'_>> = match v.get_ref() {
        DeValue::String(_) => vec![v],
        DeValue::Array(a) => {
            if a.is_empty() {
                errs.push(
                    Diagnostic::new(v.span(), format!("`{key}` is empty: it would never open"), "expected at least one window")
                        .with_help(format!("list when it is open, e.g. `{key} = [{EXAMPLE}]`, or leave `{key}` out for always open")),
                );
                return None;
            }
            a.iter().collect()
        }
        other => {
            errs.push(
                wrong_type(v.span(), key, "a string or a list of strings", other).with_help(
                    format!("write e.g. `{key} = {EXAMPLE}` or `{key} = [{EXAMPLE}, \"sat 10:00-14:00\"]`"),
                ),
            );
            return None;
        }
    };
    let mut windows = Vec::new();
    let mut ok = true;
    for item in items {
        let DeValue::String(s) = item.get_ref() else {
            errs.push(
                wrong_type(
                    item.span(),
                    key,
                    "a string such as \"mon-fri 09:00-17:00\"",
                    item.get_ref(),
                )
                .with_help(format!(
                    "each window is a string in quotes, e.g. `{key} = [{EXAMPLE}]`"
                )),
            );
            ok = false;
            continue;
        };
        if let Some(pieces) = several_windows(s) {
            let list: Vec<String> = pieces
                .iter()
                .map(|p| format!("\"{}\"", escape(p)))
                .collect();
            errs.push(
                Diagnostic::new(
                    item.span(),
                    format!(
                        "`{key}`: {} windows in one string, \"{}\"",
                        pieces.len(),
                        escape(s)
                    ),
                    "expected one window per string",
                )
                .with_help(format!(
                    "write each window as a string of its own, in a list: `{key} = [{}]`",
                    list.join(", ")
                )),
            );
            ok = false;
            continue;
        }
        match parse_window(s) {
            Ok(ws) => windows.extend(ws.into_iter().map(|(start, end)| Window {
                start,
                end,
                span: item.span(),
                text: s.to_string(),
            })),
            Err((message, label, help)) => {
                errs.push(
                    Diagnostic::new(item.span(), format!("`{key}`: {message}"), label)
                        .with_help(help),
                );
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    assemble(errs, key, windows)
}

/// Check that windows from different strings do not overlap, and join them
/// into the weekly windows of [`Hours`].
fn assemble(errs: &mut Errors, key: &str, windows: Vec<Window>) -> Option<Hours> {
    // Each window as pieces inside the week, remembering which window it is.
    let mut pieces: Vec<(u32, u32, usize)> = Vec::new();
    for (i, w) in windows.iter().enumerate() {
        if w.end <= WEEK_MINUTES {
            pieces.push((w.start, w.end, i));
        } else {
            pieces.push((w.start, WEEK_MINUTES, i));
            pieces.push((0, w.end - WEEK_MINUTES, i));
        }
    }
    pieces.sort_unstable();
    for pair in pieces.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b.0 < a.1 {
            let (first, second) = (&windows[a.2.min(b.2)], &windows[a.2.max(b.2)]);
            let overlap = (b.0, a.1.min(b.1));
            let mut d = Diagnostic::new(
                second.span.clone(),
                format!(
                    "`{key}`: \"{}\" overlaps \"{}\" ({})",
                    escape(&second.text),
                    escape(&first.text),
                    describe(overlap.0, overlap.1)
                ),
                "overlaps another window",
            )
            .with_help("each moment may be in one window only: shorten or merge the windows, e.g. `[\"mon-fri 09:00-17:00\", \"sat 10:00-14:00\"]`");
            if second.span != first.span {
                d = d.with_related(first.span.clone(), "the window it overlaps");
            }
            errs.push(d);
            return None;
        }
    }
    // Join touching pieces (Monday 00:00-24:00 and Tuesday 00:00-24:00 are one window).
    let mut joined: Vec<(u32, u32)> = Vec::new();
    for (s, e, _) in pieces {
        match joined.last_mut() {
            Some(last) if last.1 == s => last.1 = e,
            _ => joined.push((s, e)),
        }
    }
    Some(Hours { windows: joined })
}

/// `Tuesday 10:00-12:00`, for messages.
fn describe(start: u32, end: u32) -> String {
    let day = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ][(start / DAY_MINUTES).min(6) as usize];
    let clock = |m: u32| {
        let m = m % DAY_MINUTES;
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    let end_text = if end.is_multiple_of(DAY_MINUTES) && end > start {
        "24:00".to_owned()
    } else {
        clock(end)
    };
    format!("both open {day} {}-{end_text}", clock(start))
}

/// What went wrong in one window: message, label, help.
type Problem = (String, String, String);

/// One string: the windows it opens, as `(start, end)` minutes since Monday
/// 00:00 (an end past the week's end is Sunday night running into Monday).
fn parse_window(text: &str) -> Result<Vec<(u32, u32)>, Problem> {
    let trimmed = text.trim();
    let (days_text, times_text) = match trimmed.rsplit_once(char::is_whitespace) {
        Some((d, t)) => (Some(d.trim()), t.trim()),
        None => (None, trimmed),
    };
    if trimmed.is_empty() {
        return Err((
            "an empty window".to_owned(),
            "expected days and times".to_owned(),
            format!("write e.g. {EXAMPLE}"),
        ));
    }
    let days = match days_text {
        None => vec![true; 7],
        Some(d) => parse_days(d, times_text)?,
    };
    let (start, end) = parse_times(times_text, days_text)?;
    let length = if end > start {
        end - start
    } else {
        end + DAY_MINUTES - start
    };
    Ok(days
        .iter()
        .enumerate()
        .filter(|(_, open)| **open)
        .map(|(d, _)| {
            let s = d as u32 * DAY_MINUTES + start;
            (s, s + length)
        })
        .collect())
}

/// Several windows written in one string, `"mon-fri 09:00-17:00, sat
/// 10:00-12:00"` (or with `;`): the windows, when there are two or more. A
/// comma inside the days (`mon,wed,fri 08:00-12:00`) does not end a window:
/// only a piece with a time of day (a `:`) does.
fn several_windows(text: &str) -> Option<Vec<String>> {
    let mut windows = Vec::new();
    let mut current = String::new();
    for piece in text.split([',', ';']) {
        if !current.is_empty() {
            current.push(',');
        }
        current.push_str(piece);
        if piece.contains(':') {
            windows.push(current.trim().to_owned());
            current.clear();
        }
    }
    (windows.len() >= 2).then_some(windows)
}

/// `mon-fri`, `sat`, `daily`, `mon,wed,fri`, `fri-mon`: which of the seven days.
fn parse_days(text: &str, times: &str) -> Result<Vec<bool>, Problem> {
    let lower = text.to_ascii_lowercase();
    if lower == "daily" {
        return Ok(vec![true; 7]);
    }
    let mut days = vec![false; 7];
    let mut twice = None;
    for part in lower.split(',') {
        let part = part.trim();
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (day(a.trim(), text, times)?, day(b.trim(), text, times)?),
            None => {
                let d = day(part, text, times)?;
                (d, d)
            }
        };
        let mut d = a;
        loop {
            if days[d] {
                twice = twice.or(Some(d));
            }
            days[d] = true;
            if d == b {
                break;
            }
            d = (d + 1) % 7;
        }
    }
    // A day named twice (`mon,mon`, `mon-fri,wed`) is a slip: the window
    // would open once that day, not twice, and the list does not say which was meant.
    if let Some(d) = twice {
        return Err((
            format!(
                "\"{} {}\" names {} twice",
                escape(text),
                escape(times),
                FULL_DAYS[d][..1].to_uppercase() + &FULL_DAYS[d][1..]
            ),
            "expected each day once".to_owned(),
            format!(
                "name each day once: \"{} {}\", or write two windows for two openings on one day",
                compact(&days),
                escape(times)
            ),
        ));
    }
    Ok(days)
}

/// The days open, as short as they can be written: `mon-fri,sun`.
fn compact(days: &[bool]) -> String {
    if days.iter().all(|&d| d) {
        return "daily".to_owned();
    }
    let mut parts = Vec::new();
    let mut d = 0;
    while d < 7 {
        if !days[d] {
            d += 1;
            continue;
        }
        let start = d;
        while d + 1 < 7 && days[d + 1] {
            d += 1;
        }
        parts.push(match d - start {
            0 => DAYS[start].to_owned(),
            1 => format!("{},{}", DAYS[start], DAYS[d]),
            _ => format!("{}-{}", DAYS[start], DAYS[d]),
        });
        d += 1;
    }
    parts.join(",")
}

const FULL_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The day a name that is not one of [`DAYS`] most likely means: written out
/// in full, or as a longer abbreviation (`monday`, `tues`), or misspelt.
fn known_day(name: &str) -> Option<usize> {
    if let Some(i) = DAYS.iter().position(|d| *d == name) {
        return Some(i);
    }
    FULL_DAYS
        .iter()
        .position(|f| name.len() >= 3 && f.starts_with(name))
        .or_else(|| {
            closest(name, DAYS.iter().chain(&FULL_DAYS).copied())
                .and_then(|c| DAYS.iter().chain(&FULL_DAYS).position(|d| *d == c))
                .map(|i| i % 7)
        })
}

/// The days of a window with every name it can read as one of [`DAYS`]
/// (`monday-friday` → `mon-fri`); names it cannot read are kept.
fn fix_days(days: &str) -> String {
    days.split(',')
        .map(|part| {
            part.split('-')
                .map(|name| {
                    let name = name.trim();
                    known_day(name).map_or(name, |i| DAYS[i])
                })
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One day name: `mon` … `sun` (also written out: `monday`).
fn day(name: &str, days: &str, times: &str) -> Result<usize, Problem> {
    if let Some(i) = DAYS.iter().position(|d| *d == name) {
        return Ok(i);
    }
    let known = known_day(name);
    let help = match known {
        Some(i) => {
            // Every day of the text, not only this one: "monday-friday" is
            // "mon-fri", not "mon-friday".
            let fixed = fix_days(&days.to_ascii_lowercase());
            format!(
                "did you mean `{}`? write \"{fixed} {times}\"",
                DAYS[i]
            )
        }
        None if name.is_empty() => format!("write the days before the times, e.g. {EXAMPLE}"),
        None => "days are mon, tue, wed, thu, fri, sat, sun, a range such as `mon-fri`, a list such as `mon,wed,fri`, or `daily`".to_owned(),
    };
    Err((
        format!("unknown day `{}` in \"{days} {times}\"", escape(name)),
        "expected mon, tue, wed, thu, fri, sat, sun or daily".to_owned(),
        help,
    ))
}

/// `HH:MM-HH:MM` as minutes since midnight; the end may be `24:00`.
fn parse_times(text: &str, days: Option<&str>) -> Result<(u32, u32), Problem> {
    let prefix = days.map_or(String::new(), |d| format!("{d} "));
    let Some((a, b)) = text.split_once('-') else {
        return Err((
            format!(
                "\"{}{}\" has no opening and closing time",
                escape(&prefix),
                escape(text)
            ),
            "expected times like 09:00-17:00".to_owned(),
            format!("write the times as HH:MM-HH:MM, e.g. \"{prefix}09:00-17:00\""),
        ));
    };
    let start = clock(a.trim());
    let end = clock(b.trim());
    match (start, end) {
        (Clock::Ok(s), Clock::Ok(e)) => {
            if s == DAY_MINUTES {
                return Err((
                    format!(
                        "a window cannot start at 24:00 in \"{}{}\"",
                        escape(&prefix),
                        escape(text)
                    ),
                    "expected a start from 00:00 to 23:59".to_owned(),
                    format!(
                        "start it at 00:00 of the next day: \"{}00:00-{}\"",
                        escape(&prefix),
                        b.trim()
                    ),
                ));
            }
            if s == e {
                return Err((
                    format!(
                        "the window \"{}{}\" opens and closes at the same time",
                        escape(&prefix),
                        escape(text)
                    ),
                    "expected a closing time after the opening time".to_owned(),
                    format!("for the whole day write \"{prefix}00:00-24:00\""),
                ));
            }
            // `18:00-24:00` ends at midnight; `22:00-06:00` crosses it.
            Ok((s, e))
        }
        (s, e) => {
            let problem = [(a.trim(), s), (b.trim(), e)]
                .into_iter()
                .find(|(_, c)| !matches!(c, Clock::Ok(_)))
                .expect("one of the two is wrong");
            let fix = |t: &str, c: &Clock| match c {
                Clock::Ok(_) => t.to_owned(),
                Clock::Loose(m) => format!("{:02}:{:02}", m / 60, m % 60),
                Clock::OutOfRange | Clock::Unreadable => t.to_owned(),
            };
            let fixed = format!("{prefix}{}-{}", fix(a.trim(), &s), fix(b.trim(), &e));
            let (message, help) = match problem.1 {
                Clock::Loose(_) => (
                    format!("`{}` is not a time of day as HH:MM", escape(problem.0)),
                    format!("write times with two digits for hours and minutes: \"{fixed}\""),
                ),
                Clock::OutOfRange => (
                    format!("`{}` is not a time of day", escape(problem.0)),
                    "times go from 00:00 to 23:59, and 24:00 for the end of a day; a window that ends after midnight is written e.g. \"22:00-06:00\"".to_owned(),
                ),
                _ => (
                    format!("`{}` is not a time of day", escape(problem.0)),
                    format!("write the times as HH:MM-HH:MM, e.g. \"{prefix}09:00-17:00\""),
                ),
            };
            Err((message, "expected times like 09:00-17:00".to_owned(), help))
        }
    }
}

#[derive(Clone, Copy)]
enum Clock {
    Ok(u32),
    /// A time written loosely (`9`, `9:00`, `17h`): the minutes it means.
    Loose(u32),
    /// Hours past 24 or minutes past 59.
    OutOfRange,
    Unreadable,
}

/// `HH:MM` (exactly), with `24:00` allowed.
fn clock(text: &str) -> Clock {
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    let (h, m, strict) = match text.split_once(':') {
        Some((h, m)) if digits(h) && m.len() == 2 && digits(m) => (h, m, h.len() == 2),
        Some(_) => return Clock::Unreadable,
        None => {
            let h = text.trim_end_matches(['h', 'H']);
            if !digits(h) {
                return Clock::Unreadable;
            }
            (h, "00", false)
        }
    };
    let (h, m): (u32, u32) = (h.parse().unwrap_or(99), m.parse().unwrap_or(99));
    if m > 59 || h > 24 || (h == 24 && m > 0) {
        return Clock::OutOfRange;
    }
    let minutes = h * 60 + m;
    if strict {
        Clock::Ok(minutes)
    } else {
        Clock::Loose(minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(text: &str) -> Vec<(u32, u32)> {
        parse_window(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    #[test]
    fn days_and_times_become_minutes_of_the_week() {
        assert_eq!(windows("mon 09:00-17:00"), vec![(540, 1020)]);
        assert_eq!(windows("mon-fri 09:00-17:00").len(), 5);
        assert_eq!(
            windows("sat 10:00-14:00"),
            vec![(5 * 1440 + 600, 5 * 1440 + 840)]
        );
        assert_eq!(windows("daily 06:00-22:00").len(), 7);
        assert_eq!(windows("06:00-22:00").len(), 7);
        assert_eq!(
            windows("mon,wed,fri 08:00-12:00"),
            vec![
                (480, 720),
                (2 * 1440 + 480, 2 * 1440 + 720),
                (4 * 1440 + 480, 4 * 1440 + 720)
            ]
        );
        // Crosses midnight, belongs to the day it starts; Sunday runs into Monday.
        assert_eq!(
            windows("sun 22:00-06:00"),
            vec![(6 * 1440 + 1320, 7 * 1440 + 360)]
        );
        assert_eq!(windows("fri-mon 00:00-24:00").len(), 4);
        assert_eq!(windows("Mon 18:00-24:00"), vec![(1080, 1440)]);
    }

    #[test]
    fn mistakes_say_what_to_write() {
        let (m, _, h) = parse_window("mon-fri 9-17").unwrap_err();
        assert!(m.contains("`9`"), "{m}");
        assert!(h.contains("\"mon-fri 09:00-17:00\""), "{h}");
        let (m, _, h) = parse_window("mon-fri 25:00-26:00").unwrap_err();
        assert!(m.contains("25:00"), "{m}");
        assert!(h.contains("24:00"), "{h}");
        let (m, _, h) = parse_window("tues 09:00-17:00").unwrap_err();
        assert!(m.contains("tues"), "{m}");
        assert!(
            h.contains("`tue`") && h.contains("\"tue 09:00-17:00\""),
            "{h}"
        );
        let (_, _, h) = parse_window("mon-fir 09:00-17:00").unwrap_err();
        assert!(h.contains("`fri`"), "{h}");
        // Every day of the text is fixed, not only the first.
        let (_, _, h) = parse_window("monday-friday 09:00-17:00").unwrap_err();
        assert!(h.contains("\"mon-fri 09:00-17:00\""), "{h}");
        let (_, _, h) = parse_window("Monday,Wednesday 09:00-17:00").unwrap_err();
        assert!(h.contains("\"mon,wed 09:00-17:00\""), "{h}");
        assert!(parse_window("mon 09:00-09:00").is_err());
        assert!(parse_window("mon 24:00-06:00").is_err());
        assert!(parse_window("mon 09:60-10:00").is_err());
        assert!(parse_window("").is_err());
    }

    #[test]
    fn a_day_named_twice_in_one_window_is_refused() {
        for (text, twice, fixed) in [
            (
                "mon,mon 09:00-10:00",
                "names Monday twice",
                "\"mon 09:00-10:00\"",
            ),
            (
                "mon-fri,wed 09:00-17:00",
                "names Wednesday twice",
                "\"mon-fri 09:00-17:00\"",
            ),
            (
                "sat, Sat 10:00-12:00",
                "names Saturday twice",
                "\"sat 10:00-12:00\"",
            ),
            (
                "fri-mon,sun,wed 08:00-09:00",
                "names Sunday twice",
                "\"mon,wed,fri-sun 08:00-09:00\"",
            ),
            (
                "mon-sun,tue 08:00-09:00",
                "names Tuesday twice",
                "\"daily 08:00-09:00\"",
            ),
        ] {
            let (m, label, h) = parse_window(text).unwrap_err();
            assert!(m.contains(twice), "{text}: {m}");
            assert_eq!(label, "expected each day once");
            assert!(h.contains(fixed), "{text}: {h}");
        }
        // Every day once, however written, is fine.
        assert_eq!(windows("mon,tue,wed 09:00-10:00").len(), 3);
        assert_eq!(windows("fri-mon,wed 09:00-10:00").len(), 5);
    }

    #[test]
    fn several_windows_in_one_string_are_found() {
        assert_eq!(
            several_windows("mon-fri 09:00-17:00, sat 10:00-12:00"),
            Some(vec![
                "mon-fri 09:00-17:00".to_owned(),
                "sat 10:00-12:00".to_owned()
            ])
        );
        assert_eq!(
            several_windows("mon,wed 08:00-12:00; fri 13:00-17:00"),
            Some(vec![
                "mon,wed 08:00-12:00".to_owned(),
                "fri 13:00-17:00".to_owned()
            ])
        );
        // A list of days is one window.
        assert_eq!(several_windows("mon,wed,fri 08:00-12:00"), None);
        assert_eq!(several_windows("22:00-06:00"), None);
    }
}
