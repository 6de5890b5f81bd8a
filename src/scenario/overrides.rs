//! `--set PATH=VALUE`: one value of a scenario changed from the command line.
//!
//! An override replaces (or adds) one value in the parsed TOML tree *before*
//! the scenario is checked, so every check of a file applies to it unchanged.
//! Its path and value keep spans into the `--set` argument (placed after the
//! file in the [`Layout`](super::diagnostic::Layout)), so an error in an
//! override points at the argument itself.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::build::{
    COMPLAINT_FIELDS, CUSTOMER_FIELDS, DEPARTMENT_FIELDS, FLOW_FIELDS, HANDOFF_FIELDS, POOL_FIELDS,
    PROBLEM_FIELDS, SCENARIO_FIELDS, SECTIONS, SIMULATION_FIELDS, STAY_FIELDS,
};
use super::diagnostic::Diagnostic;
use super::incident::INCIDENT_FIELDS;
use super::read::{Errors, Span, Value, found, unknown_field};
use super::suggest::{did_you_mean, list};

/// One `--set PATH=VALUE` argument, parsed.
///
/// `PATH` is dot-separated: `simulation.seed`, `department.billing.staff`,
/// `handoff.billing->customer.error`, `customers.reorder.mean`. A segment in
/// double quotes may hold dots or spaces: `department."customer care".staff`.
/// `VALUE` is TOML (`3`, `0.1`, `"7d"`, `{ dist = "gamma", mean = "5h", cv = 0.5 }`);
/// a bare word that is not valid TOML is taken as a string, so `5d` and
/// `10/d` need no quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The argument as given.
    arg: String,
    /// The path's segments, unquoted, with their spans in `arg`.
    path: Vec<(String, Range<usize>)>,
    /// The value's span in `arg` (trimmed).
    value: Range<usize>,
}

/// Where `PATH=VALUE` splits: the first `=` outside quotes (a quoted path part
/// such as `department."a=b".staff` may hold one).
pub fn assignment(arg: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in arg.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '=' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

impl Override {
    /// Parse `PATH=VALUE`; the error says what is wrong with the argument.
    pub fn parse(arg: &str) -> Result<Override, String> {
        // Composed as the file is (see `composed_form`), so that a name typed
        // either way finds its table.
        let composed = super::composed_form(arg);
        let arg = composed.as_deref().unwrap_or(arg);
        let bad = |why: &str| {
            format!(
                "invalid override `{arg}`: {why}; write PATH=VALUE, e.g. `department.billing.staff=3`"
            )
        };
        let Some(eq) = assignment(arg) else {
            return Err(bad(if arg.matches('"').count() % 2 == 1 {
                "a quote in the path is not closed"
            } else {
                "there is no `=`"
            }));
        };
        let value = trimmed(arg, eq + 1..arg.len());
        if value.is_empty() {
            return Err(bad("there is no value after `=`"));
        }
        if arg[..eq].trim().is_empty() {
            return Err(bad("there is no path before `=`"));
        }
        let mut path = Vec::new();
        let mut start = 0;
        let mut quoted = false;
        for (i, c) in arg[..eq].char_indices().chain([(eq, '.')]) {
            match c {
                '"' => quoted = !quoted,
                '.' if !quoted => {
                    let span = trimmed(arg, start..i);
                    let text = &arg[span.clone()];
                    if text.is_empty() {
                        return Err(bad("the path has an empty part (two dots in a row?)"));
                    }
                    let (text, span) = match text.strip_prefix('"') {
                        Some(inner) => match inner.strip_suffix('"') {
                            Some(inner) if !inner.contains('"') => {
                                (inner.to_owned(), span.start + 1..span.end - 1)
                            }
                            _ => {
                                return Err(bad(
                                    "put quotes around a whole part of the path: `department.\"customer care\".staff`",
                                ));
                            }
                        },
                        None if text.contains('"') => {
                            return Err(bad(
                                "put quotes around a whole part of the path: `department.\"customer care\".staff`",
                            ));
                        }
                        None => (text.to_owned(), span),
                    };
                    path.push((text, span));
                    start = i + 1;
                }
                _ => {}
            }
        }
        Ok(Override {
            arg: arg.to_owned(),
            path,
            value,
        })
    }

    /// The argument as given: `department.billing.staff=3`.
    pub fn arg(&self) -> &str {
        &self.arg
    }

    /// The path segments, unquoted: `["department", "billing", "staff"]`.
    pub fn path(&self) -> impl Iterator<Item = &str> {
        self.path.iter().map(|(s, _)| s.as_str())
    }

    /// The value text, trimmed: `3`.
    pub fn value(&self) -> &str {
        &self.arg[self.value.clone()]
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arg)
    }
}

impl FromStr for Override {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Override::parse(s)
    }
}

/// An override value as the scenario reads it, so that the same value
/// written two ways (`1` and `1.0`, `2h` and `"120m"`, `60/h` and `1/m`) is
/// seen as one.
#[derive(Debug)]
enum Meaning {
    Number(f64),
    Hours(f64),
    PerHour(f64),
    Text(String),
    Other(toml::Value),
}

impl Meaning {
    fn of(text: &str) -> Meaning {
        let of_string = |s: &str| {
            if let Ok(h) = super::units::parse_duration(s) {
                Meaning::Hours(h)
            } else if let Ok(r) = super::units::parse_rate(s) {
                Meaning::PerHour(r)
            } else {
                Meaning::Text(s.to_owned())
            }
        };
        match toml::from_str::<toml::Table>(&format!("v = {text}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
        {
            Some(toml::Value::Integer(i)) => Meaning::Number(i as f64),
            Some(toml::Value::Float(x)) => Meaning::Number(x),
            Some(toml::Value::String(s)) => of_string(&s),
            Some(other) => Meaning::Other(other),
            // A bare word (`2h`, `10/d`, `sales`) is a string, as `--set` reads it.
            None => of_string(text),
        }
    }

    fn same(&self, other: &Meaning) -> bool {
        let close = |a: f64, b: f64| a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
        match (self, other) {
            (Meaning::Number(a), Meaning::Number(b))
            | (Meaning::Hours(a), Meaning::Hours(b))
            | (Meaning::PerHour(a), Meaning::PerHour(b)) => close(*a, *b),
            (Meaning::Text(a), Meaning::Text(b)) => a == b,
            (Meaning::Other(a), Meaning::Other(b)) => a == b,
            _ => false,
        }
    }
}

/// Whether two override values are the same value as the scenario reads
/// them: `1` and `1.0`, `2h` and `"120m"`, `60/h` and `1/m` are.
pub fn same_value(a: &str, b: &str) -> bool {
    Meaning::of(a.trim()).same(&Meaning::of(b.trim()))
}

/// `range` of `text` without the white space at either end.
fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let s = &text[range.clone()];
    let start = range.start + (s.len() - s.trim_start().len());
    let end = range.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

/// The shortest decimal that reads back as `x`, written so TOML reads it as
/// an integer when `x` is one (`3.0` → `3`, `0.05` → `0.05`, `2.5` → `2.5`);
/// very large or small magnitudes use an exponent (`1e-7`). Meant for values
/// generated for overrides (`handoff sweep`): append a unit for a duration
/// (`format!("\"{}d\"", format_number(x))`).
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let a = x.abs();
    if (x.fract() == 0.0 && a < 9.0e18) || (1e-5..1e16).contains(&a) {
        // Display gives the shortest round-trip digits, without an exponent.
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// The text a value is parsed from: `v=VALUE`, padded with spaces so that
/// the value's bytes sit at their offset in the layout (`at`), and spans in
/// the parsed value need no shifting.
pub(crate) fn value_document(o: &Override, base: usize) -> String {
    let at = base + o.value.start;
    let mut doc = " ".repeat(at.saturating_sub(2));
    doc.push_str("v=");
    doc.push_str(o.value());
    doc
}

/// The value of an override, parsed from its [`value_document`]; `None` when
/// it is not valid (reported).
pub(crate) fn parse_value<'i>(
    errs: &mut Errors,
    o: &'i Override,
    doc: &'i str,
    base: usize,
) -> Option<Value<'i>> {
    let span = base + o.value.start..base + o.value.end;
    let text = o.value();
    if number_with_unit(text) {
        // `10_000s`, `1_000/d`, `1.8h`: a duration or a rate, written as in a file
        // but without the quotes (TOML would read `10_000s` as a broken number).
        return Some(Spanned::new(span, DeValue::String(Cow::Borrowed(text))));
    }
    match DeTable::parse(doc) {
        Ok(mut t) => {
            let extra: Vec<String> = t
                .get_ref()
                .keys()
                .filter(|k| k.get_ref() != "v")
                .map(|k| k.get_ref().to_string())
                .collect();
            if !extra.is_empty() {
                errs.push(
                    Diagnostic::new(
                        span,
                        "an override sets one value",
                        "expected one TOML value",
                    )
                    .with_help(format!(
                        "this reads as more than one line of TOML (it also sets {}); give one value per `--set`",
                        list(extra.iter().map(String::as_str))
                    )),
                );
                return None;
            }
            t.get_mut().remove("v")
        }
        Err(e) => {
            let structured = text.starts_with(['{', '[', '"', '\'']) || text.contains('\n');
            if !structured {
                // A bare word (`5d`, `10/d`, `sales`): a string.
                return Some(Spanned::new(span, DeValue::String(Cow::Borrowed(text))));
            }
            let at = e.span().map_or(span.clone(), |s| {
                let start = s.start.clamp(span.start, span.end);
                start..s.end.clamp(start, span.end)
            });
            let message = e.message().trim();
            if message.contains("recursion") {
                errs.push(super::nested_too_deeply(at, "invalid TOML in override"));
                return None;
            }
            let (first, rest) = match message.split_once(", expected") {
                Some((first, rest)) => (first.to_owned(), format!("expected{rest}")),
                None => (message.to_owned(), String::new()),
            };
            let label = if rest.is_empty() { first.clone() } else { rest };
            errs.push(
                Diagnostic::new(at, format!("invalid TOML in override: {first}"), label)
                    .with_help(
                        "the value after `=` is TOML: strings need double quotes inside a table, e.g. `{ dist = \"gamma\", mean = \"5h\", cv = 0.5 }`",
                    ),
            );
            None
        }
    }
}

/// Whether `text` is a number followed by a unit (`10_000s`, `2.5 h`, `20/d`), and not
/// a TOML number in another base (`0x1F`).
fn number_with_unit(text: &str) -> bool {
    let (number, unit) = super::units::split_number(text);
    number.contains(|c: char| c.is_ascii_digit())
        && !unit.is_empty()
        && (unit.starts_with('/') || unit.starts_with(|c: char| c.is_alphabetic()))
        && !(number == "0" && unit.starts_with(['x', 'o', 'b']))
}

/// Which fields each single section has.
fn single_fields(section: &str) -> Option<&'static [&'static str]> {
    Some(match section {
        "scenario" => SCENARIO_FIELDS,
        "simulation" => SIMULATION_FIELDS,
        "customers" => CUSTOMER_FIELDS,
        "problem" => PROBLEM_FIELDS,
        "stay" => STAY_FIELDS,
        "complaints" => COMPLAINT_FIELDS,
        "learning" => super::people::LEARNING_FIELDS,
        "policy" => super::people::POLICY_FIELDS,
        "morale" => super::morale::MORALE_FIELDS,
        _ => return None,
    })
}

/// One path segment with its span in the layout.
struct Seg<'o> {
    text: &'o str,
    span: Span,
}

/// Apply one override to the file's tree, reporting a path that leads nowhere.
pub(crate) fn apply<'i>(
    errs: &mut Errors,
    root: &mut DeTable<'i>,
    o: &'i Override,
    base: usize,
    value: Value<'i>,
) -> Option<Span> {
    let segs: Vec<Seg<'i>> = o
        .path
        .iter()
        .map(|(t, s)| Seg {
            text: t.as_str(),
            span: base + s.start..base + s.end,
        })
        .collect();
    let whole = base..base + o.arg.len();
    let path_span = segs[0].span.start..segs[segs.len() - 1].span.end;
    let section = &segs[0];
    if !SECTIONS.contains(&section.text) {
        errs.push(
            Diagnostic::new(
                section.span.clone(),
                format!("unknown section `{}` in override", section.text),
                format!("expected one of {}", list(SECTIONS.iter().copied())),
            )
            .with_help_opt(did_you_mean(section.text, SECTIONS.iter().copied())),
        );
        return None;
    }
    if let Some(fields) = single_fields(section.text) {
        let example = format!("{}.{}", section.text, fields[0]);
        if segs.len() < 2 {
            errs.push(incomplete(path_span, &example, "a field"));
            return None;
        }
        let what = format!("[{}]", section.text);
        if !fields.contains(&segs[1].text) {
            errs.push(unknown_field(
                segs[1].span.clone(),
                segs[1].text,
                &what,
                fields,
            ));
            return None;
        }
        let entry = root
            .entry(Spanned::new(
                section.span.clone(),
                Cow::Borrowed(section.text),
            ))
            .or_insert_with(|| Spanned::new(section.span.clone(), DeValue::Table(DeTable::new())));
        match entry.get_mut() {
            DeValue::Table(t) => return set(errs, t, &segs[1..], value),
            other => errs.push(malformed(&whole, &what, other)),
        }
        return None;
    }

    // [[department]], [[flow]], [[handoff]], [[incident]]: the second segment picks the element.
    let kind = section.text;
    let fields = match kind {
        "department" => DEPARTMENT_FIELDS,
        "flow" => FLOW_FIELDS,
        "incident" => INCIDENT_FIELDS,
        "pool" => POOL_FIELDS,
        _ => HANDOFF_FIELDS,
    };
    if segs.len() < 3 {
        let (pick, field) = match kind {
            "department" => ("NAME", "staff"),
            "flow" => ("NAME", "share"),
            "incident" => ("NAME", "error"),
            "pool" => ("NAME", "staff"),
            _ => ("FROM->TO", "error"),
        };
        let example = match segs.get(1) {
            Some(s) => format!("{kind}.{}.{field}", s.text),
            None => format!("{kind}.{pick}.{field}"),
        };
        let needs = if segs.len() == 1 {
            format!("a {kind} and a field")
        } else {
            "a field".to_owned()
        };
        errs.push(incomplete(path_span, &example, &needs));
        return None;
    }
    let pick = &segs[1];
    let field = &segs[2];
    let handoff_pair = if kind == "handoff" {
        match pick.text.split_once("->") {
            Some((f, t)) if !f.trim().is_empty() && !t.trim().is_empty() => Some((f, t)),
            _ => {
                errs.push(
                    Diagnostic::new(
                        pick.span.clone(),
                        format!("`{}` does not name a handoff", pick.text),
                        "expected `FROM->TO`",
                    )
                    .with_help("name a handoff by its departments: `handoff.sales->billing.error=0.1`, or `handoff.billing->customer.error=0.1` for the last step"),
                );
                return None;
            }
        }
    } else {
        None
    };
    let what = match handoff_pair {
        Some((f, t)) => format!("handoff `{}->{}`", f.trim(), t.trim()),
        None => format!("{kind} `{}`", pick.text),
    };
    if !fields.contains(&field.text) {
        errs.push(unknown_field(field.span.clone(), field.text, &what, fields));
        return None;
    }
    // What names a table is what the others find it by: renaming it here
    // would leave every flow, handoff and incident naming it pointing at
    // nothing, and their errors at lines of the file the user never touched.
    let naming = match kind {
        "handoff" => matches!(field.text, "from" | "to"),
        _ => field.text == "name",
    };
    if naming {
        errs.push(
            Diagnostic::new(
                field.span.clone(),
                format!("`--set` cannot change the `{}` of {what}", field.text),
                "the other tables find it by this",
            )
            .with_help(format!(
                "flows, handoffs and incidents name the {kind} by it; to rename it, edit the file \
                 (every place the name appears), or copy it and edit the copy"
            )),
        );
        return None;
    }
    let Some(entry) = root.get_mut(kind) else {
        if let Some((f, t)) = handoff_pair {
            // No [[handoff]] at all: add the first.
            let table = new_handoff(&pick.span, pick.text, f, t);
            let mut array = DeArray::default();
            array.push(Spanned::new(pick.span.clone(), DeValue::Table(table)));
            let key = Spanned::new(section.span.clone(), Cow::Borrowed(kind));
            let item = root
                .entry(key)
                .or_insert(Spanned::new(section.span.clone(), DeValue::Array(array)));
            if let DeValue::Array(a) = item.get_mut()
                && let Some(DeValue::Table(t)) = a.last_mut().map(Spanned::get_mut)
            {
                return set(errs, t, &segs[2..], value);
            }
        } else {
            // The file reports the missing [[department]] / [[flow]].
            errs.push(no_such(pick, kind, &[]));
        }
        return None;
    };
    let array = match entry.get_mut() {
        DeValue::Array(a) if a.iter().all(|e| e.get_ref().is_table()) => a,
        other => {
            errs.push(malformed(&whole, &format!("[[{kind}]]"), other));
            return None;
        }
    };
    let matches = |t: &DeTable<'_>| -> bool {
        let s = |k: &str| t.get(k).and_then(|v| v.get_ref().as_str()).map(str::trim);
        match handoff_pair {
            Some((f, to)) => s("from") == Some(f.trim()) && s("to") == Some(to.trim()),
            None => s("name") == Some(pick.text),
        }
    };
    let found_at = array
        .iter()
        .position(|e| matches!(e.get_ref(), DeValue::Table(t) if matches(t)));
    let index = match (found_at, handoff_pair) {
        (Some(i), _) => i,
        (None, Some((f, t))) => {
            // A handoff the file does not list: add it; the checks of the
            // file then say whether a flow connects the two.
            let table = new_handoff(&pick.span, pick.text, f, t);
            array.push(Spanned::new(pick.span.clone(), DeValue::Table(table)));
            array.len() - 1
        }
        (None, None) => {
            let names: Vec<&str> = array
                .iter()
                .filter_map(|e| match e.get_ref() {
                    DeValue::Table(t) => t.get("name").and_then(|v| v.get_ref().as_str()),
                    _ => None,
                })
                .collect();
            errs.push(no_such(pick, kind, &names));
            return None;
        }
    };
    if let Some(DeValue::Table(t)) = array.get_mut(index).map(Spanned::get_mut) {
        return set(errs, t, &segs[2..], value);
    }
    None
}

/// A [[handoff]] table naming `from` and `to`, spanning the path segment `FROM->TO`.
fn new_handoff<'i>(span: &Span, text: &'i str, from: &'i str, to: &'i str) -> DeTable<'i> {
    let at = |part: &str, offset: usize| {
        let lead = part.len() - part.trim_start().len();
        let start = span.start + offset + lead;
        start..start + part.trim().len()
    };
    let from_span = at(from, 0);
    let to_span = at(to, text.len() - to.len());
    let mut t = DeTable::new();
    for (key, name, s) in [("from", from.trim(), from_span), ("to", to.trim(), to_span)] {
        t.insert(
            Spanned::new(s.clone(), Cow::Borrowed(key)),
            Spanned::new(s, DeValue::String(Cow::Borrowed(name))),
        );
    }
    t
}

/// Set the value at `segs` (one field, or a path into a table-valued field) in `t`.
/// Sets the value at `segs` in `t`; returns the span of the innermost value
/// table (`service = { … }`) it went into, if any: an error about that whole
/// table is partly the override's doing.
fn set<'i>(
    errs: &mut Errors,
    t: &mut DeTable<'i>,
    segs: &[Seg<'i>],
    value: Value<'i>,
) -> Option<Span> {
    let (first, rest) = segs.split_first()?;
    let key = Spanned::new(first.span.clone(), Cow::Borrowed(first.text));
    if rest.is_empty() {
        t.insert(key, value);
        return None;
    }
    if let [field] = rest
        && field.text == "mean"
    {
        // A constant's mean is its value, however the file wrote it: `delay = "2h"`
        // or `delay = { dist = "constant", value = "2h" }` (sensitivity lists it as `delay.mean`).
        match t.get_mut(first.text).map(Spanned::get_mut) {
            Some(DeValue::String(_)) => {
                t.insert(key, value);
                return None;
            }
            Some(DeValue::Table(inner))
                if inner.get("dist").and_then(|d| d.get_ref().as_str()) == Some("constant")
                    && inner.get("mean").is_none() =>
            {
                let value_key = Spanned::new(field.span.clone(), Cow::Borrowed("value"));
                inner.insert(value_key, value);
                return None;
            }
            _ => {}
        }
    }
    let entry = t.get_mut(first.text);
    let span = entry.as_ref().map(|v| v.span());
    match entry.map(Spanned::get_mut) {
        Some(DeValue::Table(inner)) => set(errs, inner, rest, value).or(span),
        other => {
            let is = match other {
                Some(v) => format!("is {}", found(v)),
                None => "is not set".to_owned(),
            };
            let deeper: Vec<&str> = rest.iter().map(|s| s.text).collect();
            errs.push(
                Diagnostic::new(
                    first.span.clone(),
                    format!(
                        "cannot set `{}` inside `{}`: in the file, `{}` {is}",
                        deeper.join("."),
                        first.text,
                        first.text
                    ),
                    "expected a field whose value is a table",
                )
                .with_help(format!(
                    "set the whole value instead, e.g. `{}={{ dist = \"exponential\", mean = \"1h\" }}`",
                    first.text
                )),
            );
            None
        }
    }
}

/// A path that stops before naming a field.
fn incomplete(span: Span, example: &str, needs: &str) -> Diagnostic {
    Diagnostic::new(
        span,
        "the override's path does not name a field",
        format!("expected {needs} after this"),
    )
    .with_help(format!("write e.g. `{example}=…`"))
}

/// A section that the file wrote as something other than what it is.
fn malformed(span: &Span, what: &str, v: &DeValue<'_>) -> Diagnostic {
    Diagnostic::new(
        span.clone(),
        format!(
            "cannot apply the override: {what} in the file is {}",
            found(v)
        ),
        "not applied",
    )
    .with_help(format!("fix {what} in the file first"))
}

/// No department or flow by that name.
fn no_such(pick: &Seg<'_>, kind: &str, names: &[&str]) -> Diagnostic {
    let declared = if names.is_empty() {
        format!("the file declares no {kind}")
    } else {
        format!("the file declares {}", list(names.iter().copied()))
    };
    let help = match did_you_mean(pick.text, names.iter().copied()) {
        Some(d) => format!("{d} ({declared})"),
        None => {
            let a = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            format!(
                "{declared}; an override changes {a} {kind} the file declares, it cannot add one"
            )
        }
    };
    Diagnostic::new(
        pick.span.clone(),
        format!("unknown {kind} `{}` in override", pick.text),
        format!(
            "expected {} {kind} declared in the file",
            if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            }
        ),
    )
    .with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_split_into_path_and_value() {
        let o = Override::parse("handoff.billing->customer.error=0.1").unwrap();
        assert_eq!(
            o.path().collect::<Vec<_>>(),
            ["handoff", "billing->customer", "error"]
        );
        assert_eq!(o.value(), "0.1");
        let o = Override::parse(" department.\"customer care\" . staff = 3 ").unwrap();
        assert_eq!(
            o.path().collect::<Vec<_>>(),
            ["department", "customer care", "staff"]
        );
        assert_eq!(&o.arg()[o.path[1].1.clone()], "customer care");
        assert_eq!(o.value(), "3");
        let o = Override::parse("department.\"a=b\".staff={ x = 1 }").unwrap();
        assert_eq!(o.path().nth(1), Some("a=b"));
        assert_eq!(o.value(), "{ x = 1 }");
        assert_eq!("a.b=c".parse::<Override>().unwrap().to_string(), "a.b=c");
    }

    #[test]
    fn malformed_arguments_say_why() {
        for (arg, why) in [
            ("simulation.seed", "no `=`"),
            ("simulation.seed=", "no value"),
            ("simulation.seed=  ", "no value"),
            ("=3", "no path"),
            ("simulation..seed=3", "empty part"),
            ("simulation.seed.=3", "empty part"),
            ("department.\"sales.staff=3", "not closed"),
            ("department.sa\"les\".staff=3", "quotes around a whole part"),
        ] {
            let e = Override::parse(arg).unwrap_err();
            assert!(e.contains(why), "{arg}: {e}");
            assert!(e.contains("PATH=VALUE"), "{arg}: {e}");
        }
    }

    #[test]
    fn numbers_are_formatted_to_read_back() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-2.0), "-2");
        assert_eq!(format_number(0.05), "0.05");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1e-7), "1e-7");
        assert_eq!(format_number(1e20), "1e20");
        assert_eq!(format_number(f64::INFINITY), "inf");
        for x in [
            3.0,
            0.05,
            1.0 / 3.0,
            123456.789,
            1e-7,
            2.5e-300,
            1e20,
            -7.25,
            f64::MAX,
            f64::MIN_POSITIVE,
            4.0e18,
        ] {
            let s = format_number(x);
            assert_eq!(s.parse::<f64>().unwrap(), x, "{s}");
            // TOML reads it as a number too.
            let doc = format!("v = {s}");
            let t = toml::de::DeTable::parse(&doc).unwrap_or_else(|e| panic!("{s}: {e}"));
            let v = super::super::read::as_f64(t.get_ref().get("v").unwrap().get_ref());
            assert_eq!(v, Some(x), "{s}");
        }
    }

    const SRC: &str = r#"
[scenario]
name = "t"
[simulation]
duration = "10d"
[customers]
arrival_rate = "12/d"
[[department]]
name = "a"
staff = 1
service = "1h"
[[flow]]
name = "f"
steps = ["a"]
"#;

    fn with(args: &[&str]) -> Result<crate::model::Model, crate::scenario::Diagnostics> {
        let os: Vec<Override> = args.iter().map(|a| Override::parse(a).unwrap()).collect();
        crate::scenario::parse_with(SRC, "t.toml", &os)
    }

    #[test]
    fn values_are_parsed_at_their_place_in_the_layout() {
        let o = Override::parse("simulation.seed = {x = 1}").unwrap();
        let base = 100;
        let doc = value_document(&o, base);
        assert_eq!(&doc[base + o.value.start..], "{x = 1}");
        let mut errs = Errors::default();
        let v = parse_value(&mut errs, &o, &doc, base).unwrap();
        assert_eq!(v.span(), base + 18..base + 25);
        let DeValue::Table(t) = v.get_ref() else {
            panic!("{v:?}")
        };
        assert_eq!(t.get("x").unwrap().span(), base + 23..base + 24);
        // A bare word is a string spanning the value.
        let o = Override::parse("customers.promise=5d").unwrap();
        let doc = value_document(&o, 7);
        let v = parse_value(&mut errs, &o, &doc, 7).unwrap();
        assert_eq!(v.get_ref().as_str(), Some("5d"));
        assert_eq!(v.span(), 7 + 18..7 + 20);
        assert!(errs.0.is_empty());
        // A broken table is a syntax error, not a string.
        let o = Override::parse("department.a.service={ mean = 1h }").unwrap();
        let doc = value_document(&o, 7);
        assert!(parse_value(&mut errs, &o, &doc, 7).is_none());
        assert_eq!(errs.0.len(), 1);
        assert!(errs.0[0].message.contains("invalid TOML in override"));
    }

    #[test]
    fn overrides_change_the_model() {
        let m = with(&[
            "department.a.staff=4",
            "simulation.seed=9",
            "customers.promise=3d",
            "handoff.a->customer.lose=0.25",
        ])
        .unwrap();
        assert_eq!(m.departments[0].staff, 4);
        assert_eq!(m.simulation.seed, 9);
        assert_eq!(m.customers.promise_h, 72.0);
        assert_eq!(m.handoffs[0].lose, 0.25);
    }

    #[test]
    fn override_errors_point_at_the_argument() {
        let d = with(&["department.b.staff=4", "department.a.staff=-1"]).unwrap_err();
        let items: Vec<_> = d.iter().collect();
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].source, items[0].span.clone()), (1, 11..12));
        assert_eq!((items[1].source, items[1].span.clone()), (2, 19..21));
        assert_eq!(d.location(items[1]), "--set:1:20");
        let r = d.render(false);
        assert!(r.contains(" --> --set:1:12\n"), "{r}");
        assert!(
            r.contains("note: this `--set` was applied to `t.toml`"),
            "{r}"
        );
        // A handoff no flow makes.
        let d = with(&["handoff.a->a.error=0.1"]).unwrap_err();
        let e = d.iter().next().unwrap();
        assert!(e.message.contains("no flow hands work from `a` to `a`"));
        assert_eq!((e.source, e.span.clone()), (1, 8..12));
    }
    #[test]
    fn numbers_with_units_take_underscores_as_in_files() {
        let m = with(&[
            "customers.promise=10_000s",
            "customers.arrival_rate=1_000/w",
            "department.a.staff=1_0",
        ])
        .unwrap();
        assert!((m.customers.promise_h - 10_000.0 / 3600.0).abs() < 1e-12);
        assert!((m.customers.arrival_rate_per_h - 1000.0 / 168.0).abs() < 1e-12);
        assert_eq!(m.departments[0].staff, 10);
        assert!(number_with_unit("2.5 h") && number_with_unit("20/d"));
        assert!(!number_with_unit("0x1F") && !number_with_unit("3") && !number_with_unit("1e5"));
    }

    /// Renaming through `--set` is refused at the `--set`: the flows and
    /// handoffs naming the old name would fail at lines nobody touched.
    #[test]
    fn names_and_handoff_ends_are_not_changed_by_a_set() {
        for (arg, says) in [
            (
                "department.a.name=b",
                "cannot change the `name` of department `a`",
            ),
            ("flow.f.name=g", "cannot change the `name` of flow `f`"),
            (
                "handoff.a->customer.to=a",
                "cannot change the `to` of handoff `a->customer`",
            ),
        ] {
            let d = with(&[arg]).unwrap_err();
            let rendered = d.render(false);
            assert_eq!(d.len(), 1, "{arg}: {rendered}");
            assert!(rendered.contains(says), "{arg}: {rendered}");
            assert!(rendered.contains("--> --set:1:"), "{arg}: {rendered}");
        }
    }

    #[test]
    fn a_constant_has_a_mean_however_it_is_written() {
        // The service written as a duration, as a constant table, and as a distribution.
        for service in [
            "\"1h\"",
            "{ dist = \"constant\", value = \"1h\" }",
            "{ dist = \"exponential\", mean = \"1h\" }",
        ] {
            let src = SRC.replace("service = \"1h\"", &format!("service = {service}"));
            let o = Override::parse("department.a.service.mean=1.8h").unwrap();
            let m = crate::scenario::parse_with(&src, "t.toml", &[o])
                .unwrap_or_else(|d| panic!("{service}: {}", d.render(false)));
            assert!(
                (m.departments[0].service.mean() - 1.8).abs() < 1e-12,
                "{service}"
            );
        }
    }
}
