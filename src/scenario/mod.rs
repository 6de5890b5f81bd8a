//! Scenario files (TOML) → [`Model`], with errors a student can act on.
//!
//! [`parse`] reads every section, checks every value and cross-reference,
//! and reports *every* error in the file (a TOML syntax error stops the
//! reading, so it comes alone). Each [`Diagnostic`] carries the byte span it
//! is about; [`Diagnostics::render`] draws them cargo style with
//! `annotate-snippets`. The format is described in `docs/scenario.md`.
//!
//! [`parse_with`] and [`load_with`] first apply `--set PATH=VALUE`
//! [`Override`]s to the parsed tree, so the same checks apply to them; an
//! error in an override points at the `--set` argument.
//!
//! This is the only module that uses `toml`.

mod build;
mod diagnostic;
mod distribution;
mod hours;
mod incident;
mod morale;
mod overrides;
mod people;
mod read;
mod structure;
pub mod suggest;
mod units;

use std::fmt;
use std::path::{Path, PathBuf};

pub use build::MAX_DURATION_H;
pub use diagnostic::{Diagnostic, Diagnostics, Related};
pub use overrides::{Override, assignment, format_number, same_value};
pub(crate) use units::split_number;

use crate::model::Model;

/// Why a scenario file could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not UTF-8 text: its first bad byte and where it is.
    NotUtf8 {
        path: PathBuf,
        byte: u8,
        line: usize,
        column: usize,
    },
    /// The file is larger than [`MAX_SCENARIO_BYTES`] (or never ends: a
    /// device such as `/dev/zero`, an endless pipe).
    TooLarge { path: PathBuf },
    /// The file was read but is not a valid scenario.
    Invalid(Diagnostics),
}

/// The largest scenario file read: far more than any scenario needs (the
/// largest ready one is a few KB), small enough that an endless input
/// (`/dev/zero`) is refused at once instead of filling the memory.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// The longest name (of the scenario, a department, flow, pool or incident),
/// in characters: reports, tables and the drawn chain show names whole, and
/// messages quote them, so a name of megabytes would be printed many times.
pub const MAX_NAME_CHARS: usize = 200;

/// The longest scenario `description`, in characters: a paragraph or two
/// under the page's title, repeated in every report and every sweep point's
/// results, so megabytes of it would be copied thousands of times.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// What is wrong with `s` as a label shown where a scenario's name would be
/// (a `compare --variant`'s): the rules and words of a scenario's `name`
/// (not empty or only spaces, at most [`MAX_NAME_CHARS`] characters, no
/// control characters), with `what` naming it ("the variant label").
pub fn label_problem(what: &str, s: &str) -> Option<String> {
    read::name_problem(what, s)
        .or_else(|| read::shown_text_problem(what, s, false))
        .map(read::Problem::line)
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => {
                write!(f, "cannot read scenario `{}`: {source}", path.display())
            }
            LoadError::NotUtf8 {
                path,
                byte,
                line,
                column,
            } => write!(
                f,
                "`{}` is not UTF-8 text: the first byte that is not (0x{byte:02X}) is at {}:{line}:{column}\n  \
                 = help: save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
                path.display(),
                path.display()
            ),
            LoadError::TooLarge { path } => write!(
                f,
                "`{}` is too large for a scenario: it has more than {} MB (or never ends, as a device or an endless pipe)\n  \
                 = help: a scenario is a short TOML text (docs/scenario.md); check that this is the file you meant",
                path.display(),
                MAX_SCENARIO_BYTES >> 20
            ),
            LoadError::Invalid(d) => f.write_str(&d.render(false)),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            LoadError::NotUtf8 { .. } | LoadError::TooLarge { .. } => None,
            LoadError::Invalid(d) => Some(d),
        }
    }
}

/// Read the scenario file at `path` and [`parse`] it; messages name the file as given.
pub fn load(path: &Path) -> Result<Model, LoadError> {
    load_with(path, &[])
}

/// Read the scenario file at `path`, apply `overrides` and check the result
/// (see [`parse_with`]); messages name the file as given.
pub fn load_with(path: &Path, overrides: &[Override]) -> Result<Model, LoadError> {
    let source = read_text(path)?;
    parse_with(&source, &path.display().to_string(), overrides).map_err(LoadError::Invalid)
}

/// The text of the scenario file at `path`; a file that is not UTF-8 says
/// where its first bad byte is.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    use std::io::Read as _;
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let mut bytes = Vec::new();
    let (file, pipe) = open_without_waiting(path).map_err(io)?;
    file.take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if pipe && bytes.is_empty() {
        return Err(io(std::io::Error::other(
            "it is a named pipe (FIFO) and nothing was written into it; start the program that writes it first",
        )));
    }
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_owned(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        // The part before is valid, so lines and characters can be counted.
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        LoadError::NotUtf8 {
            path: path.to_owned(),
            byte: bytes.get(at).copied().unwrap_or(0),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    })
}

/// Opens `path` for reading, and says whether it is a pipe.
///
/// A named pipe (FIFO) nobody writes to would hold a plain `open` forever:
/// opened without waiting, it opens at once, and its reads then end at once
/// when there is no writer (and wait for one that is writing, as for any
/// pipe, once waiting is turned back on).
#[cfg(unix)]
fn open_without_waiting(path: &Path) -> std::io::Result<(std::fs::File, bool)> {
    use std::os::fd::AsRawFd as _;
    use std::os::unix::fs::{FileTypeExt as _, OpenOptionsExt as _};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let fd = file.as_raw_fd();
    // SAFETY: `fd` is open (owned by `file`); F_GETFL and F_SETFL only read
    // and set its status flags.
    let cleared = unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        flags != -1 && libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) != -1
    };
    if !cleared {
        return Err(std::io::Error::last_os_error());
    }
    let pipe = file.metadata()?.file_type().is_fifo();
    Ok((file, pipe))
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> std::io::Result<(std::fs::File, bool)> {
    Ok((std::fs::File::open(path)?, false))
}

/// The text in Unicode's composed form (NFC), if it is not already.
///
/// `café` typed with a composed `é` and pasted with `e` plus an accent look
/// the same and mean the same, but as bytes they are two names: a flow step
/// would not find its department, or two departments would both be "café".
/// Composing the whole text once makes every name compare as it reads (and
/// leaves lines and, but for the decomposed characters themselves, columns
/// where they were).
pub(crate) fn composed_form(source: &str) -> Option<String> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization as _, is_nfc_quick};
    match is_nfc_quick(source.chars()) {
        IsNormalized::Yes => None,
        IsNormalized::No | IsNormalized::Maybe => {
            let text: String = source.nfc().collect();
            (text != source).then_some(text)
        }
    }
}

/// Parse and check a scenario; `origin` is the file name shown in messages.
pub fn parse(source: &str, origin: &str) -> Result<Model, Diagnostics> {
    parse_with(source, origin, &[])
}

/// Parse a scenario, apply `overrides` in order (a later one wins), and check
/// the result. Errors in the file and in the overrides are reported together;
/// an error in an override points at its `--set` argument.
pub fn parse_with(
    source: &str,
    origin: &str,
    overrides: &[Override],
) -> Result<Model, Diagnostics> {
    let composed;
    let source = match composed_form(source) {
        Some(text) => {
            composed = text;
            composed.as_str()
        }
        None => source,
    };
    let layout = diagnostic::Layout::new(source.len(), overrides.iter().map(|o| o.arg().len()));
    let args = || overrides.iter().map(|o| o.arg().to_owned()).collect();
    let docs: Vec<String> = overrides
        .iter()
        .enumerate()
        .map(|(i, o)| overrides::value_document(o, layout.base(i + 1)))
        .collect();
    let mut errs = read::Errors::default();
    // Every value is checked for TOML syntax, even if the file is broken.
    let values: Vec<_> = overrides
        .iter()
        .zip(&docs)
        .enumerate()
        .map(|(i, (o, doc))| overrides::parse_value(&mut errs, o, doc, layout.base(i + 1)))
        .collect();
    let mut root = match toml::de::DeTable::parse(source) {
        Ok(root) => root,
        Err(e) => {
            errs.push(syntax_error(&e, source));
            return Err(
                Diagnostics::with_overrides(origin, source, args(), errs.0).with_dropped(errs.1)
            );
        }
    };
    // File tables an override changed part of, and the override's argument.
    let mut changed: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    for (i, (o, value)) in overrides.iter().zip(values).enumerate() {
        if let Some(value) = value {
            let base = layout.base(i + 1);
            if let Some(table) = overrides::apply(&mut errs, root.get_mut(), o, base, value)
                && table.end <= source.len()
            {
                changed.push((table, base..base + o.arg().len()));
            }
        }
    }
    let point_at_overrides = |errs: &mut read::Errors| {
        for d in &mut errs.0 {
            for (table, arg) in &changed {
                if d.span.start >= table.start && d.span.end <= table.end {
                    d.related.push(Related {
                        source: 0,
                        span: arg.clone(),
                        label: "this `--set` changed part of it".to_owned(),
                    });
                }
            }
        }
    };
    let built = build::model(root.get_ref(), &mut errs);
    point_at_overrides(&mut errs);
    match built {
        Some(model) if errs.0.is_empty() => Ok(model),
        _ => {
            if errs.0.is_empty() {
                // Not reachable: every path that yields no model reports why.
                errs.push(Diagnostic::new(
                    0..0,
                    "invalid scenario",
                    "this file could not be read",
                ));
            }
            Err(Diagnostics::with_overrides(origin, source, args(), errs.0).with_dropped(errs.1))
        }
    }
}

/// TOML nested deeper than the parser goes (its own words: "cannot recurse
/// further"), in a file or a `--set` value (`what`: "invalid TOML", "invalid
/// TOML in override").
pub(crate) fn nested_too_deeply(span: std::ops::Range<usize>, what: &str) -> Diagnostic {
    Diagnostic::new(span, format!("{what}: tables or arrays nested too deeply"), "nested too deeply here")
        .with_help("a scenario nests at most a few levels (a distribution in a department, a list of steps in a flow): close the `{` and `[` opened before this one")
}

/// The key or table header of `source` with the most dotted parts (outside
/// quotes), as its span and number of parts: a line `[a.b.c]` or `a.b.c = …`.
fn most_dotted_key(source: &str) -> Option<(std::ops::Range<usize>, usize)> {
    let mut best: Option<(std::ops::Range<usize>, usize)> = None;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let start = offset + (line.len() - line.trim_start().len());
        offset += line.len();
        let text = &source[start..offset];
        let header = text.starts_with('[');
        let body = text.trim_start_matches('[');
        let from = start + (text.len() - body.len());
        let mut quote = None;
        let mut dots = 0;
        let mut end = None;
        for (i, c) in body.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '.') => dots += 1,
                (None, ']') if header => {
                    end = Some(i);
                    break;
                }
                (None, '=') if !header => {
                    end = Some(i);
                    break;
                }
                (None, '#' | '\n') => break,
                _ => {}
            }
        }
        let Some(end) = end else { continue };
        let key = &body[..end];
        let at = from + (key.len() - key.trim_start().len())..from + key.trim_end().len();
        if best.as_ref().is_none_or(|(_, n)| dots + 1 > *n) {
            best = Some((at, dots + 1));
        }
    }
    best
}

/// The one diagnostic for a TOML syntax error.
fn syntax_error(e: &toml::de::Error, source: &str) -> Diagnostic {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().trim();
    if message == "duplicate key" {
        return duplicate_key(span, source);
    }
    if message.contains("recursion") {
        // The parser gives no place for a key of too many dotted parts:
        // find the longest one.
        if e.span().is_none()
            && let Some((at, parts)) = most_dotted_key(source).filter(|&(_, n)| n > 20)
        {
            return Diagnostic::new(
                at,
                format!("invalid TOML: a key or table header of {parts} dotted parts, nested too deeply"),
                format!("{parts} dotted parts"),
            )
            .with_help("each dot opens a table inside the one before: a scenario's keys have at most a few parts (`[customers.reorder]`, `department.billing.staff`); write this one with fewer");
        }
        return nested_too_deeply(span, "invalid TOML");
    }
    let (first, rest) = match message.split_once(", expected") {
        Some((first, rest)) => (first.to_owned(), format!("expected{rest}")),
        None => (message.to_owned(), String::new()),
    };
    let label = if rest.is_empty() { first.clone() } else { rest };
    Diagnostic::new(span, format!("invalid TOML: {first}"), label).with_help(
        "check quotes, brackets and `=` on this line; strings need double quotes: `name = \"sales\"`",
    )
}

/// A key or a table written twice, said in the scenario's terms.
fn duplicate_key(span: std::ops::Range<usize>, source: &str) -> Diagnostic {
    let key = source
        .get(span.clone())
        .unwrap_or("")
        .trim()
        .trim_matches('"')
        .to_owned();
    let line_start = source[..span.start.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let is_header = source[line_start..].trim_start().starts_with('[');
    if is_header && ["department", "flow", "handoff"].contains(&key.as_str()) {
        return Diagnostic::new(
            span,
            format!("`[{key}]` appears twice: a scenario's {key}s are written `[[{key}]]`"),
            format!("a second `[{key}]`"),
        )
        .with_help(format!(
            "use `[[{key}]]` for each one (double brackets): every `[[{key}]]` table adds one {key}"
        ));
    }
    if is_header {
        return Diagnostic::new(
            span,
            format!("section `[{key}]` appears twice"),
            "a second table with this name",
        )
        .with_help(format!(
            "a scenario has one `[{key}]`: move these lines into the first one"
        ));
    }
    Diagnostic::new(
        span,
        format!("`{key}` is set twice in the same table"),
        "set again here",
    )
    .with_help(format!(
        "keep one `{key} = …` line: a key may appear once per table"
    ))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_hostile;
#[cfg(test)]
mod tests_structure;
