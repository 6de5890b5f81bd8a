//! Reading typed values out of the spanned TOML tree, reporting what is wrong.
//!
//! Every reader pushes a [`Diagnostic`] to [`Errors`] and returns `None` when
//! the value is unusable, so the caller can carry on and find the next error.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::Diagnostic;
use super::suggest::{closest, did_you_mean, list};
use super::units::{self, UNIT_LIST, UnitError, show_hours};

pub type Span = Range<usize>;
pub type Value<'i> = Spanned<DeValue<'i>>;

/// The errors found so far: the first [`KEPT_ERRORS`] in file order, and
/// how many more there were (`.1`).
#[derive(Default)]
pub struct Errors(pub Vec<Diagnostic>, pub usize);

/// How many errors are kept whole while a file is read: far more than are
/// shown (`SHOWN_IN_FULL`); the rest are only counted, so that a file of
/// millions of errors (16 MB of `[[department]]`) does not hold gigabytes.
pub const KEPT_ERRORS: usize = 10_000;

impl Errors {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
        if self.0.len() >= 2 * KEPT_ERRORS {
            // Keep the first in file order (the order they are shown in).
            self.0.sort_by_key(|d| (d.span.start, d.span.end));
            self.1 += self.0.len() - KEPT_ERRORS;
            self.0.truncate(KEPT_ERRORS);
        }
    }
}

/// A field's value once read: absent, present but wrong (already reported), or good.
pub enum Field<T> {
    Missing,
    Invalid,
    Ok(T),
}

impl<T> Field<T> {
    /// The value, or `default` when absent; `None` when invalid.
    pub fn or(self, default: T) -> Option<T> {
        match self {
            Field::Missing => Some(default),
            Field::Invalid => None,
            Field::Ok(v) => Some(v),
        }
    }
}

/// What kind of TOML value this is, with an article, for messages.
pub fn found(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("a string (\"{}\")", escape(&shorten(s))),
        DeValue::Integer(i) => format!("an integer ({i})"),
        DeValue::Float(f) => format!("a number ({f})"),
        DeValue::Boolean(b) => format!("a boolean ({b})"),
        DeValue::Datetime(_) => "a date".to_owned(),
        DeValue::Array(_) => "an array".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 30 {
        format!("{}…", s.chars().take(30).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// The number a quoted value would be without its quotes (`"0.5"`), for a
/// "remove the quotes" hint: only a finite one, since `NaN`, `inf` or
/// `1e999` written bare is no value the field takes either (the hint sent
/// `"nan"` to `complain_share = NaN`, which is not even TOML).
pub fn unquoted_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// "wrong type for `key`: expected X, found Y".
pub fn wrong_type(span: Span, key: &str, expected: &str, v: &DeValue<'_>) -> Diagnostic {
    Diagnostic::new(
        span,
        format!(
            "wrong type for `{key}`: expected {expected}, found {}",
            found(v)
        ),
        format!("expected {expected}"),
    )
}

/// A TOML integer as an i64 (None when it does not fit).
pub fn as_i64(v: &DeValue<'_>) -> Option<i64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
        _ => None,
    }
}

/// A TOML integer or float as an f64.
pub fn as_f64(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|x| x as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
}

/// One table of the file (a section, an element of an array of tables, or an inline table).
pub struct Table<'a, 'i> {
    /// How messages name it: `[customers]`, `department `sales``.
    pub what: String,
    /// Its header, or the whole inline table.
    pub span: Span,
    pub entries: &'a DeTable<'i>,
    /// The fields it may have, once [`Table::check_fields`] ran.
    allowed: &'static [&'static str],
}

impl<'a, 'i> Table<'a, 'i> {
    pub fn new(what: impl Into<String>, span: Span, entries: &'a DeTable<'i>) -> Self {
        Self {
            what: what.into(),
            span,
            entries,
            allowed: &[],
        }
    }

    /// Report every key that is not in `allowed`, with a suggestion.
    pub fn check_fields(&mut self, errs: &mut Errors, allowed: &'static [&'static str]) {
        self.allowed = allowed;
        for key in self.entries.keys() {
            let name: &str = key.get_ref();
            if !allowed.contains(&name) {
                errs.push(unknown_field(key.span(), name, &self.what, allowed));
            }
        }
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&'a Value<'i>> {
        self.entries.get(key)
    }

    /// Read `key` with `read` (which reports its own errors).
    pub fn field<T>(
        &self,
        errs: &mut Errors,
        key: &str,
        read: impl FnOnce(&mut Errors, &str, &'a Value<'i>) -> Option<T>,
    ) -> Field<T> {
        match self.get(key) {
            None => Field::Missing,
            Some(v) => match read(errs, key, v) {
                Some(x) => Field::Ok(x),
                None => Field::Invalid,
            },
        }
    }

    /// Read `key`, reporting it when absent; `example` is a line to add.
    pub fn required<T>(
        &self,
        errs: &mut Errors,
        key: &str,
        example: &str,
        read: impl FnOnce(&mut Errors, &str, &'a Value<'i>) -> Option<T>,
    ) -> Option<T> {
        match self.field(errs, key, read) {
            Field::Ok(v) => Some(v),
            Field::Invalid => None,
            Field::Missing => {
                // A misspelt key was reported as unknown, with this one suggested.
                if !self.has_typo_of(key) {
                    errs.push(self.missing(key, example));
                }
                None
            }
        }
    }

    /// Whether an unknown key of this table looks like a misspelling of `key`.
    fn has_typo_of(&self, key: &str) -> bool {
        self.entries.keys().any(|k| {
            let k: &str = k.get_ref();
            !self.allowed.contains(&k) && closest(k, self.allowed.iter().copied()) == Some(key)
        })
    }

    /// The error for a missing required field.
    pub fn missing(&self, key: &str, example: &str) -> Diagnostic {
        Diagnostic::new(
            self.span.clone(),
            format!("missing field `{key}` in {}", self.what),
            format!("{} needs `{key}`", self.what),
        )
        .with_help(format!("add a line such as `{example}`"))
    }
}

/// The error for a key nobody reads.
pub fn unknown_field(span: Span, name: &str, what: &str, allowed: &[&str]) -> Diagnostic {
    Diagnostic::new(
        span,
        format!("unknown field `{name}` in {what}"),
        format!("expected one of {}", list(allowed.iter().copied())),
    )
    .with_help_opt(did_you_mean(name, allowed.iter().copied()))
}

/// A string.
pub fn string(errs: &mut Errors, key: &str, v: &Value<'_>) -> Option<String> {
    match v.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        other => {
            errs.push(wrong_type(v.span(), key, "a string in quotes", other));
            None
        }
    }
}

/// What is wrong with a piece of text from the user, as a diagnostic says it.
pub(crate) struct Problem {
    pub message: String,
    pub expected: String,
    pub help: Option<String>,
}

impl Problem {
    fn at(self, span: Span) -> Diagnostic {
        Diagnostic::new(span, self.message, self.expected).with_help_opt(self.help)
    }

    /// For a command-line argument: `message (expected)`, then the help.
    pub(crate) fn line(self) -> String {
        let mut out = format!("{} ({})", self.message, self.expected);
        if let Some(help) = self.help {
            out.push_str("\n  help: ");
            out.push_str(&help);
        }
        out
    }
}

/// What is wrong with `s` as a name (`what` is how the message calls it:
/// "`name`"): empty, only spaces, or longer than [`MAX_NAME_CHARS`](super::MAX_NAME_CHARS).
pub(crate) fn name_problem(what: &str, s: &str) -> Option<Problem> {
    let expected = "expected a name".to_owned();
    if s.is_empty() {
        return Some(Problem {
            message: format!("{what} is empty"),
            expected,
            help: None,
        });
    }
    if s.trim().is_empty() {
        return Some(Problem {
            message: format!("{what} is only spaces: \"{}\"", escape(s)),
            expected,
            help: None,
        });
    }
    let chars = s.chars().count();
    if chars > super::MAX_NAME_CHARS {
        return Some(Problem {
            message: format!(
                "{what} is too long: {chars} characters, \"{}\"",
                escape(&shorten(s))
            ),
            expected: format!("expected at most {} characters", super::MAX_NAME_CHARS),
            help: Some(
                "names are shown whole in reports, tables and the drawn chain: use a short name, and the scenario's `description` for more"
                    .to_owned(),
            ),
        });
    }
    None
}

/// What is wrong with `s` as text shown in reports as it is (`what` as for
/// [`name_problem`]): a control character, or a line break unless `lines`.
pub(crate) fn shown_text_problem(what: &str, s: &str, lines: bool) -> Option<Problem> {
    let allowed = |c: char| c == '\t' || (lines && c == '\n');
    let c = s.chars().find(|&c| c.is_control() && !allowed(c))?;
    Some(Problem {
        message: format!(
            "{what} contains a control character ({}): \"{}\"",
            escape_char(c),
            escape(&shorten(s))
        ),
        expected: "expected text without control characters".to_owned(),
        help: Some(
            "reports print this text on the terminal: remove the control characters".to_owned(),
        ),
    })
}

/// A non-empty name.
pub fn name(errs: &mut Errors, key: &str, v: &Value<'_>) -> Option<String> {
    let s = string(errs, key, v)?;
    if let Some(problem) = name_problem(&format!("`{key}`"), &s) {
        errs.push(problem.at(v.span()));
        return None;
    }
    Some(s)
}

/// The name of a department or a flow, as reports and `--set` paths show it:
/// no control characters or line breaks (they would reach the terminal), no
/// `->` (it joins the two ends of a handoff's name), no space at either end.
pub fn declared_name(errs: &mut Errors, key: &str, v: &Value<'_>) -> Option<String> {
    let s = name(errs, key, v)?;
    let bad = |why: String, label: &str, help: &str| {
        Diagnostic::new(
            v.span(),
            format!("`{key}` \"{}\" {why}", escape(&s)),
            label.to_owned(),
        )
        .with_help(help.to_owned())
    };
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        let what = if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
            "a line break"
        } else {
            "a control character"
        };
        errs.push(bad(
            format!("contains {what} ({})", escape_char(c)),
            "expected letters, digits, spaces and punctuation",
            "names are shown in reports and on the terminal: write them on one line, without control characters",
        ));
        return None;
    }
    if let Some(c) = s.chars().find(|&c| is_invisible(c)) {
        errs.push(bad(
            format!("contains an invisible character ({})", escape_char(c)),
            "expected letters, digits, spaces and punctuation",
            "an invisible character (a direction mark, a zero-width space) makes a name read \
             differently than it is: retype the name without it",
        ));
        return None;
    }
    if s.contains("->") {
        errs.push(bad(
            "contains `->`".to_owned(),
            "`->` joins the two ends of a handoff",
            "handoffs are named `from->to`, so a name may not contain `->`; write e.g. `sales to billing`",
        ));
        return None;
    }
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        errs.push(bad(
            format!(
                "{} with a space",
                if s.starts_with(char::is_whitespace) {
                    "begins"
                } else {
                    "ends"
                }
            ),
            "expected no space at either end",
            &format!("write `{key} = \"{}\"`", escape(s.trim())),
        ));
        return None;
    }
    Some(s)
}

/// Text shown in reports as it is (the scenario's name and description):
/// no control characters, line breaks only where `lines` allows them.
pub fn shown_text(lines: bool) -> impl Fn(&mut Errors, &str, &Value<'_>) -> Option<String> {
    move |errs, key, v| {
        let s = string(errs, key, v)?;
        if let Some(problem) = shown_text_problem(&format!("`{key}`"), &s, lines) {
            errs.push(problem.at(v.span()));
            return None;
        }
        Some(s)
    }
}

/// `c` as an escape a terminal shows as text: `\n`, `\u{1b}`.
pub fn escape_char(c: char) -> String {
    c.escape_default().to_string()
}

/// Invisible characters that change how text reads without being seen: a
/// bidi override (U+202E) shows `rellortnoc` as `controller`, a zero-width
/// space makes two names that print alike, a byte-order mark hides at the
/// start. The zero-width joiner is not one: emoji sequences are built with it.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}'
    ) || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2060}'..='\u{2064}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `s` with every control and invisible character written as an escape
/// (`\u{1b}`), so a message quoting user input can never drive the terminal
/// or read other than it is.
pub fn escape(s: &str) -> String {
    let hidden = |c: char| c.is_control() || is_invisible(c);
    if !s.chars().any(hidden) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if hidden(c) {
                escape_char(c)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A probability in [0, 1].
pub fn probability(errs: &mut Errors, key: &str, v: &Value<'_>) -> Option<f64> {
    let Some(p) = as_f64(v.get_ref()) else {
        let mut d = wrong_type(
            v.span(),
            key,
            "a probability (a number from 0 to 1)",
            v.get_ref(),
        );
        if let DeValue::String(s) = v.get_ref() {
            if let Some(pct) = s
                .trim()
                .strip_suffix('%')
                .and_then(|n| n.trim().parse::<f64>().ok())
            {
                d = d.with_help(format!(
                    "write percentages as fractions: `{key} = {}`",
                    pct / 100.0
                ));
            } else if let Some(x) = unquoted_number(s) {
                d = d.with_help(format!("remove the quotes: `{key} = {x}`"));
            }
        }
        errs.push(d);
        return None;
    };
    if !(0.0..=1.0).contains(&p) {
        let mut d = Diagnostic::new(
            v.span(),
            format!("`{key}` must be a probability between 0 and 1, got {p}"),
            "expected a number from 0 to 1",
        );
        if (1.01..=100.0).contains(&p) {
            // Rounded to what was written: 1.1 / 100 is 0.011, not 0.011000000000000001.
            let fraction = format!("{:.12}", p / 100.0);
            let fraction = fraction.trim_end_matches('0').trim_end_matches('.');
            d = d.with_help(format!("if you meant {p} %, write `{key} = {fraction}`"));
        } else if p > 1.0 && p < 1.01 {
            // Just above 1: a slip or rounding, not a percentage.
            d = d.with_help(format!(
                "a probability is at most 1: write `{key} = 1` for always"
            ));
        }
        errs.push(d);
        return None;
    }
    Some(p)
}

/// An integer of at least `min`, read by the returned closure.
pub fn integer_at_least(min: i64) -> impl Fn(&mut Errors, &str, &Value<'_>) -> Option<i64> {
    move |errs, key, v| {
        let expected = if min == 0 {
            "a whole number (0 or more)".to_owned()
        } else {
            format!("a whole number ({min} or more)")
        };
        let Some(n) = as_i64(v.get_ref()) else {
            let mut d = wrong_type(v.span(), key, &expected, v.get_ref());
            match v.get_ref() {
                DeValue::String(s) if s.trim().parse::<i64>().is_ok() => {
                    d = d.with_help(format!("remove the quotes: `{key} = {}`", s.trim()));
                }
                DeValue::Float(f) => {
                    let x = as_f64(v.get_ref());
                    if let Some(x) = x.filter(|x| x.fract() == 0.0 && x.abs() < 1e15) {
                        d = d.with_help(format!("write it without a decimal point: `{key} = {x}`"));
                    } else if let Some(x) = x.filter(|x| x.is_finite() && x.abs() < 1e15) {
                        d = d.with_help(format!(
                            "{f} is not a whole number: write e.g. `{key} = {}`",
                            x.round().max(min as f64)
                        ));
                    } else {
                        d = d.with_help(format!(
                            "write a whole number, e.g. `{key} = {}`",
                            min.max(1)
                        ));
                    }
                }
                DeValue::Integer(_) => {
                    d = Diagnostic::new(
                        v.span(),
                        format!("`{key}` is too large"),
                        "does not fit in 64 bits",
                    );
                }
                _ => {}
            }
            errs.push(d);
            return None;
        };
        if n < min {
            errs.push(Diagnostic::new(
                v.span(),
                format!("`{key}` must be at least {min}, got {n}"),
                format!("expected {expected}"),
            ));
            return None;
        }
        Some(n)
    }
}

/// A plain number of at least zero.
pub fn non_negative_number(errs: &mut Errors, key: &str, v: &Value<'_>) -> Option<f64> {
    if let Some(x) = as_f64(v.get_ref()).filter(|x| !x.is_finite()) {
        // `nan`, `inf`: numbers to TOML, but no amount.
        errs.push(Diagnostic::new(
            v.span(),
            format!("`{key}` must be a finite number, got {x}"),
            "expected a number of 0 or more, like 1200.0",
        ));
        return None;
    }
    let Some(x) = as_f64(v.get_ref()) else {
        let mut d = wrong_type(v.span(), key, "a number", v.get_ref());
        if let DeValue::String(s) = v.get_ref()
            && let Some(x) = unquoted_number(s)
        {
            d = d.with_help(format!("remove the quotes: `{key} = {x}`"));
        }
        errs.push(d);
        return None;
    };
    if x < 0.0 {
        errs.push(Diagnostic::new(
            v.span(),
            format!("`{key}` must be zero or more, got {x}"),
            "expected a number of 0 or more",
        ));
        return None;
    }
    Some(x)
}

/// The largest amount of money a field may hold (`order_value`, `cost`,
/// `abuse_cost`): a million million, far above any real price, and low enough
/// that sums over billions of orders and their squares stay finite.
pub const MAX_MONEY: f64 = 1e12;

/// An amount of money: a number from 0 to [`MAX_MONEY`].
pub fn money(errs: &mut Errors, key: &str, v: &Value<'_>) -> Option<f64> {
    let x = non_negative_number(errs, key, v)?;
    if x > MAX_MONEY {
        errs.push(
            Diagnostic::new(
                v.span(),
                format!("`{key}` is too large, got {x:e}"),
                "expected at most 1e12",
            )
            .with_help(
                "amounts of money go up to a million million (1e12); write a smaller unit of money (thousands) if you need more",
            ),
        );
        return None;
    }
    Some(x)
}

/// How long a duration may be.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Strictly more than zero.
    Positive,
    /// Zero or more.
    NonNegative,
}

/// A duration in hours, read by the returned closure; `unit` is the unit an
/// example in a message uses (`"d"` for a year-long simulation, `"h"` for a service time).
pub fn duration(
    need: Need,
    unit: &'static str,
) -> impl Fn(&mut Errors, &str, &Value<'_>) -> Option<f64> {
    move |errs, key, v| duration_value(errs, key, v, need, unit)
}

pub fn duration_value(
    errs: &mut Errors,
    key: &str,
    v: &Value<'_>,
    need: Need,
    unit: &str,
) -> Option<f64> {
    let span = v.span();
    let text = match v.get_ref() {
        DeValue::String(s) => s,
        DeValue::Integer(_) | DeValue::Float(_) => {
            let n = bare_number(v.get_ref(), "7");
            errs.push(
                Diagnostic::new(
                    span,
                    format!("`{key}` needs a unit: a bare number is not a duration"),
                    format!("expected a duration with a unit, like \"{n}{unit}\""),
                )
                .with_help(format!("write `{key} = \"{n}{unit}\"`; units: {UNIT_LIST}")),
            );
            return None;
        }
        other => {
            errs.push(
                wrong_type(span, key, &format!("a duration like \"7{unit}\""), other).with_help(
                    format!("durations are strings with a unit; units: {UNIT_LIST}"),
                ),
            );
            return None;
        }
    };
    let hours = match units::parse_duration(text) {
        Ok(h) => h,
        Err(e) => {
            errs.push(unit_error(span, key, text, &e, unit, false));
            return None;
        }
    };
    check_time(errs, key, span, hours, need, text)
}

fn check_time(
    errs: &mut Errors,
    key: &str,
    span: Span,
    hours: f64,
    need: Need,
    text: &str,
) -> Option<f64> {
    let bad = match need {
        Need::Positive => hours <= 0.0,
        Need::NonNegative => hours < 0.0,
    };
    if bad {
        let (what, expected) = match need {
            Need::Positive => ("positive", "a time longer than zero"),
            Need::NonNegative => ("zero or more", "a time of zero or more"),
        };
        errs.push(Diagnostic::new(
            span,
            format!("`{key}` must be {what}, got \"{}\"", text.trim()),
            format!("expected {expected}"),
        ));
        return None;
    }
    Some(hours)
}

/// A diagnostic for a duration or rate string that could not be read.
fn unit_error(
    span: Span,
    key: &str,
    text: &str,
    e: &UnitError,
    unit: &str,
    rate: bool,
) -> Diagnostic {
    let example = if rate {
        format!("\"12/{unit}\"")
    } else {
        format!("\"7{unit}\"")
    };
    let kind = if rate { "rate" } else { "duration" };
    match e {
        UnitError::NoUnit { number } => {
            let fixed = if rate {
                format!("\"{number}/{unit}\"")
            } else {
                format!("\"{number}{unit}\"")
            };
            Diagnostic::new(
                span,
                format!("`{key}` needs a unit: \"{text}\" has none"),
                format!("expected a {kind} with a unit, like {fixed}"),
            )
            .with_help(format!("write `{key} = {fixed}`; units: {UNIT_LIST}"))
        }
        UnitError::NoNumber => Diagnostic::new(
            span,
            format!("`{key}`: \"{text}\" is not a {kind}"),
            format!("expected a number and a unit, like {example}"),
        )
        .with_help(format!("units: {UNIT_LIST}")),
        UnitError::UnknownUnit {
            unit: bad,
            suggestion,
        } => {
            let mut help = match suggestion {
                Some(s) => format!("did you mean `{s}`? "),
                None => String::new(),
            };
            let lower = bad.to_ascii_lowercase();
            if ["y", "yr", "yrs", "year", "years", "mo", "month", "months"]
                .contains(&lower.as_str())
            {
                help = "months and years vary in length: write days, e.g. \"365d\" for a year; "
                    .to_owned();
            }
            Diagnostic::new(
                span,
                format!("unknown time unit `{bad}` in `{key}`"),
                "expected one of s, m, h, d, w",
            )
            .with_help(format!("{help}units: {UNIT_LIST}"))
        }
        UnitError::StrayUnderscore => Diagnostic::new(
            span,
            format!("`{key}`: \"{text}\" has an `_` that is not between two digits"),
            format!("expected a {kind} like {example}; `_` may only group digits, as in 1_000"),
        )
        .with_help(format!("write `{key} = \"{}\"`", text.replace('_', ""))),
        UnitError::NotFinite => Diagnostic::new(
            span,
            format!("`{key}`: \"{text}\" is too large"),
            format!("expected a {kind} like {example}"),
        ),
        UnitError::PerZeroTime => Diagnostic::new(
            span,
            format!("`{key}`: \"{text}\" is a count per zero time"),
            "the time after `/` must be more than zero",
        )
        .with_help(format!("write e.g. `{key} = {example}`")),
        UnitError::BelowSeconds { unit: bad, seconds } => {
            let fix = match seconds {
                Some(s) => {
                    let fixed = format!("{s:.12}");
                    let fixed = fixed.trim_end_matches('0').trim_end_matches('.');
                    if rate {
                        format!("write it per second: `{key} = \"{fixed}/s\"`")
                    } else {
                        format!("write it in seconds: `{key} = \"{fixed}s\"`")
                    }
                }
                None if rate => format!("write it per second, e.g. `{key} = \"5000/s\"`"),
                None => format!(
                    "write it in seconds with decimals, e.g. `{key} = \"0.007{}\"`",
                    "s"
                ),
            };
            Diagnostic::new(
                span,
                format!("`{key}`: units shorter than a second (`{bad}`) are not supported"),
                "expected s, m, h, d or w",
            )
            .with_help(format!("{fix}; units: {UNIT_LIST}"))
        }
        UnitError::NotARate => Diagnostic::new(
            span,
            format!("`{key}`: \"{text}\" is not a rate"),
            format!("expected a count per unit of time, like {example}"),
        )
        .with_help(format!(
            "write the number, a slash and a unit, e.g. `{key} = {example}`; units: {UNIT_LIST}"
        )),
    }
}

/// A bare number written back in a suggestion; `example` when it is not a
/// finite number (`inf`, `nan`), which no duration or rate can be.
pub fn bare_number(v: &DeValue<'_>, example: &str) -> String {
    as_f64(v)
        .filter(|x| x.is_finite())
        .map_or_else(|| example.to_owned(), |x| x.to_string())
}

/// A positive rate per hour, from `"N/unit"`.
pub fn rate(errs: &mut Errors, key: &str, v: &Value<'_>) -> Option<f64> {
    let span = v.span();
    let text = match v.get_ref() {
        DeValue::String(s) => s,
        DeValue::Integer(_) | DeValue::Float(_) => {
            let n = bare_number(v.get_ref(), "20");
            errs.push(
                Diagnostic::new(
                    span,
                    format!("`{key}` needs a unit: a bare number is not a rate"),
                    format!("expected a rate with a unit, like \"{n}/d\""),
                )
                .with_help(format!(
                    "write `{key} = \"{n}/d\"` for {n} per day; units: {UNIT_LIST}"
                )),
            );
            return None;
        }
        other => {
            errs.push(wrong_type(span, key, "a rate like \"12/d\"", other));
            return None;
        }
    };
    match units::parse_rate(text) {
        Ok(r) if r > 0.0 => Some(r),
        Ok(_) => {
            errs.push(Diagnostic::new(
                span,
                format!("`{key}` must be positive, got \"{}\"", text.trim()),
                "expected a rate above zero, like \"12/d\"",
            ));
            None
        }
        Err(e) => {
            errs.push(unit_error(span, key, text, &e, "d", true));
            None
        }
    }
}

/// A duration already read, shown for messages.
pub fn show(h: f64) -> String {
    show_hours(h)
}
