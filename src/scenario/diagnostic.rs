//! Errors found in a scenario file (and in the `--set` overrides applied to
//! it), with their place, and their rendering in the style of cargo (via
//! `annotate-snippets`).
//!
//! While a scenario is read, every span is an offset into one address space:
//! the file's text first, then each override argument after it (see
//! [`Layout`]). [`Diagnostics`] turns these into a text index and a span
//! inside that text.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// How `--set` arguments are shown as the origin of an error.
pub const OVERRIDE_ORIGIN: &str = "--set";

/// How many errors [`Diagnostics::render`] shows in full; the rest are counted.
pub const SHOWN_IN_FULL: usize = 50;

/// One error in a scenario file or in an override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong, in one line: `unknown field `staf` in [[department]]`.
    pub message: String,
    /// Which text [`Diagnostic::span`] is in: 0 is the scenario file, 1, 2, … the
    /// `--set` overrides in the order given (see [`Diagnostics::source_of`]).
    pub source: usize,
    /// Byte range in that text that the caret points at.
    pub span: Range<usize>,
    /// Text beside the caret: what was expected there.
    pub label: String,
    /// A suggestion: `did you mean `staff`?`.
    pub help: Option<String>,
    /// Other places worth showing (the first definition of a duplicate, …).
    pub related: Vec<Related>,
    /// Further remarks: which file an override was applied to, …
    pub notes: Vec<String>,
}

/// A second place an error is about, with its own label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Which text `span` is in, as [`Diagnostic::source`].
    pub source: usize,
    pub span: Range<usize>,
    pub label: String,
}

impl Diagnostic {
    pub(crate) fn new(
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Self {
            message: message.into(),
            source: 0,
            span,
            label: label.into(),
            help: None,
            related: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub(crate) fn with_related(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.related.push(Related {
            source: 0,
            span,
            label: label.into(),
        });
        self
    }

    /// The 1-based line of the start of [`Diagnostic::span`] in `source`
    /// (the text [`Diagnostics::source_of`] gives for it).
    pub fn line(&self, source: &str) -> usize {
        line_col(source, self.span.start).0
    }

    /// The 1-based column (in characters) of the start of [`Diagnostic::span`] in `source`.
    pub fn column(&self, source: &str) -> usize {
        line_col(source, self.span.start).1
    }
}

/// `s` with its control characters (line breaks aside) and invisible ones escaped.
fn escape(s: &str) -> String {
    let hidden = |c: char| (c.is_control() && c != '\n') || super::read::is_invisible(c);
    if !s.chars().any(hidden) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if hidden(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The longest run of characters without a space that a message shows whole.
const LONGEST_WORD: usize = 80;

/// The most characters of one message, label, note or help shown.
const LONGEST_TEXT: usize = 1000;

/// `s` (a message, label, note or help) with its control characters escaped
/// and its absurd lengths cut: messages quote names, fields and values from
/// the input, which may be megabytes long. A run of more than
/// [`LONGEST_WORD`] characters without a space keeps its start and its end
/// around an ellipsis, and so does a text of more than [`LONGEST_TEXT`].
fn shown(s: &str) -> String {
    let s = escape(s);
    let mut out = String::with_capacity(s.len().min(4 * LONGEST_TEXT));
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let n = word.chars().count();
        if n > LONGEST_WORD {
            out.extend(word.chars().take(LONGEST_WORD / 2));
            out.push('…');
            out.extend(word.chars().skip(n - LONGEST_WORD / 4));
        } else {
            out.push_str(word);
        }
    }
    let n = out.chars().count();
    if n > LONGEST_TEXT {
        let head: String = out.chars().take(LONGEST_TEXT / 2).collect();
        let tail: String = out.chars().skip(n - LONGEST_TEXT / 4).collect();
        out = format!("{head} … {tail}");
    }
    out
}

/// A source excerpt safe to print: each control character (line breaks and
/// tabs aside) and invisible one becomes as many `?` as it has bytes, so
/// spans stay in place.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || super::read::is_invisible(c)
    };
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| {
            if bad(c) {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// 1-based line and column (in characters) of byte offset `pos`, as the renderer counts them.
fn line_col(source: &str, pos: usize) -> (usize, usize) {
    Lines::new(source).line_col(pos)
}

/// How many bytes of a long line an excerpt keeps after its last span.
const EXCERPT_TAIL: usize = 512;

/// Where each line of a text starts, to find the line of an offset in
/// logarithmic time: thousands of errors in a large file stay fast.
struct Lines<'s> {
    source: &'s str,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
}

impl<'s> Lines<'s> {
    fn new(source: &'s str) -> Self {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { source, starts }
    }

    /// 0-based index of the line holding byte `pos`.
    fn index(&self, pos: usize) -> usize {
        self.starts.partition_point(|&s| s <= pos).saturating_sub(1)
    }

    /// 1-based line and column (in characters) of byte offset `pos`.
    fn line_col(&self, pos: usize) -> (usize, usize) {
        let pos = fit(self.source, pos..pos).start;
        let line = self.index(pos);
        let start = self.starts[line];
        (line + 1, self.source[start..pos].chars().count() + 1)
    }

    /// The whole lines that `spans` touch: their text, the 1-based number of
    /// the first, and the byte offset the text starts at.
    fn excerpt(&self, spans: impl Iterator<Item = Range<usize>>) -> (&'s str, usize, usize) {
        let (mut lo, mut hi) = (usize::MAX, 0);
        for s in spans {
            lo = lo.min(s.start);
            hi = hi.max(s.end.max(s.start));
        }
        if lo == usize::MAX {
            return (self.source, 1, 0);
        }
        let first = self.index(lo.min(self.source.len()));
        let last = self.index(hi.min(self.source.len()).max(lo));
        let start = self.starts[first];
        let mut end = self
            .starts
            .get(last + 1)
            .copied()
            .unwrap_or(self.source.len());
        // A line of megabytes (a list of a million steps on one line) is cut
        // a little after the last span: the renderer measures every
        // character it is given, and shows only a few dozen past the caret.
        // Cutting the end moves no column.
        let keep = hi.max(lo).saturating_add(EXCERPT_TAIL);
        if end > keep {
            end = keep;
            while !self.source.is_char_boundary(end) {
                end += 1;
            }
        }
        (&self.source[start..end], first + 1, start)
    }
}

/// A span the renderer can draw: inside the source, on character boundaries,
/// and not past the last character (a caret after the final newline would be
/// drawn on the line before).
fn fit(source: &str, span: Range<usize>) -> Range<usize> {
    let len = source.len();
    let last = if len == 0 {
        0
    } else {
        let mut i = len - 1;
        while !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let mut start = span.start.min(last);
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, len);
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Where each text sits in the one address space spans use while a scenario
/// is read: the file at 0, then each override one byte past the end of the
/// text before it (so a span at the very end of the file stays in the file).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    bases: Vec<usize>,
}

impl Layout {
    /// The layout of a file of `file_len` bytes followed by texts of these lengths.
    pub(crate) fn new(file_len: usize, others: impl IntoIterator<Item = usize>) -> Self {
        let mut bases = vec![0];
        let mut end = file_len;
        for len in others {
            bases.push(end + 1);
            end += 1 + len;
        }
        Self { bases }
    }

    /// Where text `i` starts.
    pub(crate) fn base(&self, i: usize) -> usize {
        self.bases[i]
    }

    /// The text a global offset is in, and the offset inside it.
    fn locate(&self, span: &Range<usize>) -> (usize, Range<usize>) {
        let i = self
            .bases
            .iter()
            .rposition(|&b| b <= span.start)
            .unwrap_or(0);
        let b = self.bases[i];
        (i, span.start - b..span.end.max(span.start) - b)
    }
}

/// Every error found in one scenario file and the overrides applied to it.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    origin: String,
    source: String,
    /// The `--set` arguments, sources 1, 2, …
    overrides: Vec<String>,
    items: Vec<Diagnostic>,
    /// Errors found after the first `read::KEPT_ERRORS`, counted only.
    dropped: usize,
}

impl Diagnostics {
    /// Errors in `source`, read from a file shown as `origin`; sorted by position.
    #[cfg(test)]
    pub(crate) fn new(origin: &str, source: &str, items: Vec<Diagnostic>) -> Self {
        Self::with_overrides(origin, source, Vec::new(), items)
    }

    /// Errors whose spans are offsets in the [`Layout`] of `source` followed
    /// by the `overrides`; sorted by position, files first.
    pub(crate) fn with_overrides(
        origin: &str,
        source: &str,
        overrides: Vec<String>,
        mut items: Vec<Diagnostic>,
    ) -> Self {
        let layout = Layout::new(source.len(), overrides.iter().map(String::len));
        let text = |i: usize| {
            if i == 0 {
                source
            } else {
                overrides[i - 1].as_str()
            }
        };
        for d in &mut items {
            let (i, span) = layout.locate(&d.span);
            d.source = i;
            d.span = fit(text(i), span);
            for r in &mut d.related {
                let (i, span) = layout.locate(&r.span);
                r.source = i;
                r.span = fit(text(i), span);
            }
            let file = format!("`{origin}`");
            if d.source > 0 && !d.notes.iter().any(|n| n.contains(&file)) {
                d.notes
                    .push(format!("this `{OVERRIDE_ORIGIN}` was applied to {file}"));
            } else if d.source == 0 {
                for r in &d.related {
                    if r.source > 0 {
                        d.notes.push(format!(
                            "includes a value from `{OVERRIDE_ORIGIN} {}`",
                            overrides[r.source - 1]
                        ));
                    }
                }
            }
        }
        items.sort_by_key(|d| (d.source, d.span.start, d.span.end));
        items.dedup();
        Self {
            origin: origin.to_owned(),
            source: source.to_owned(),
            overrides,
            items,
            dropped: 0,
        }
    }

    /// The same errors, and `n` more that were counted but not kept.
    pub(crate) fn with_dropped(mut self, n: usize) -> Self {
        self.dropped = n;
        self
    }

    /// The file name shown in messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The text of the scenario file.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The `--set` arguments that were applied, in order.
    pub fn overrides(&self) -> &[String] {
        &self.overrides
    }

    /// The name shown for text `i`: the file's, or `--set`.
    fn origin_at(&self, i: usize) -> &str {
        if i == 0 {
            &self.origin
        } else {
            OVERRIDE_ORIGIN
        }
    }

    /// Text `i`: the file, or an override argument.
    fn text_at(&self, i: usize) -> &str {
        if i == 0 {
            &self.source
        } else {
            self.overrides.get(i - 1).map_or("", String::as_str)
        }
    }

    /// The name of the text an error is in: the file's name, or `--set`.
    pub fn origin_of(&self, d: &Diagnostic) -> &str {
        self.origin_at(d.source)
    }

    /// The text an error's span is in: the file, or the `--set` argument.
    pub fn source_of(&self, d: &Diagnostic) -> &str {
        self.text_at(d.source)
    }

    /// How many errors there are (at least one), those [`Diagnostics::iter`]
    /// gives and those only counted (beyond the first ten thousand).
    pub fn len(&self) -> usize {
        self.items.len() + self.dropped
    }

    /// Always false: a `Diagnostics` holds at least one error.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The errors: those in the file in file order, then those in each
    /// override (the first ten thousand of a file with more).
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// `origin:line:column` of an error (`--set:1:column` in an override).
    pub fn location(&self, d: &Diagnostic) -> String {
        let (line, col) = line_col(self.source_of(d), d.span.start);
        format!("{}:{line}:{col}", self.origin_of(d))
    }

    /// Every error, cargo style: `error: …`, ` --> file:line:col`, the source
    /// line with a labelled caret, and a `help:` line where there is a suggestion.
    /// An error in an override shows the `--set` argument as its source line.
    /// With `color`, ANSI escapes style the output for a terminal.
    ///
    /// Only the first [`SHOWN_IN_FULL`] errors are drawn; the rest are counted.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let lines: Vec<Lines<'_>> = (0..=self.overrides.len())
            .map(|i| Lines::new(self.text_at(i)))
            .collect();
        let mut out = String::new();
        for d in self.items.iter().take(SHOWN_IN_FULL) {
            // The primary text first, then every other text a related span is in.
            let mut texts = vec![d.source];
            for r in &d.related {
                if !texts.contains(&r.source) {
                    texts.push(r.source);
                }
            }
            // Nothing quoted from the input may drive the terminal.
            // Nor flood it: long quoted input is cut.
            let message = shown(&d.message);
            let label = shown(&d.label);
            // Only the lines the annotations are on, so that drawing one
            // error does not cost as much as the whole file.
            let excerpts: Vec<_> = texts
                .iter()
                .map(|&i| {
                    let primary = (i == d.source).then(|| d.span.clone());
                    let spans = primary.into_iter().chain(
                        d.related
                            .iter()
                            .filter(|r| r.source == i)
                            .map(|r| r.span.clone()),
                    );
                    let (text, first_line, offset) = lines[i].excerpt(spans);
                    (printable(text), first_line, offset)
                })
                .collect();
            let mut group = Group::with_title(Level::ERROR.primary_title(message.as_str()));
            for (&i, (text, first_line, offset)) in texts.iter().zip(&excerpts) {
                let (first_line, offset) = (*first_line, *offset);
                let primary = (i == d.source).then(|| d.span.clone());
                let shift = |s: &Range<usize>| s.start - offset..s.end - offset;
                let mut snippet = Snippet::source(text.as_ref())
                    .line_start(first_line)
                    .path(self.origin_at(i));
                if let Some(span) = &primary {
                    snippet = snippet.annotation(
                        AnnotationKind::Primary
                            .span(shift(span))
                            .label(label.as_str()),
                    );
                }
                for r in d.related.iter().filter(|r| r.source == i) {
                    snippet = snippet.annotation(
                        AnnotationKind::Context
                            .span(shift(&r.span))
                            .label(shown(&r.label)),
                    );
                }
                group = group.element(snippet);
            }
            for note in &d.notes {
                group = group.element(Level::NOTE.message(shown(note)));
            }
            if let Some(help) = &d.help {
                group = group.element(Level::HELP.message(shown(help)));
            }
            out.push_str(&renderer.render(&[group]));
            out.push_str("\n\n");
        }
        let n = self.len();
        if n > SHOWN_IN_FULL {
            let more = n - SHOWN_IN_FULL;
            let note = format!(
                "{more} more error{} not shown: the first {SHOWN_IN_FULL} are above; fix them and check again",
                if more == 1 { " is" } else { "s are" }
            );
            out.push_str(&renderer.render(&[Group::with_title(Level::NOTE.primary_title(note))]));
            out.push_str("\n\n");
        }
        let with = match self.overrides.len() {
            0 => String::new(),
            1 => format!(" with 1 `{OVERRIDE_ORIGIN}` override"),
            k => format!(" with {k} `{OVERRIDE_ORIGIN}` overrides"),
        };
        let summary = format!(
            "could not load `{}`{with} due to {n} previous error{}",
            self.origin,
            if n == 1 { "" } else { "s" }
        );
        out.push_str(&renderer.render(&[Group::with_title(Level::ERROR.primary_title(summary))]));
        out.push('\n');
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let src = "a = \"é\"\nstaf = 3\n";
        let d = Diagnostic::new(10..14, "m", "l");
        assert_eq!((d.line(src), d.column(src)), (2, 2));
        assert_eq!(line_col("é = 1", 5), (1, 5));
    }

    #[test]
    fn spans_are_fitted_to_the_source() {
        assert_eq!(fit("", 3..9), 0..0);
        assert_eq!(fit("abc\n", 4..4), 3..4);
        assert_eq!(fit("é", 1..1), 0..2);
    }

    #[test]
    fn render_shows_location_label_and_help() {
        let src = "[x]\nstaf = 3\n";
        let d = Diagnostic::new(4..8, "unknown field `staf`", "expected `staff`")
            .with_help("did you mean `staff`?");
        let ds = Diagnostics::new("a.toml", src, vec![d]);
        let out = ds.render(false);
        assert!(out.contains("error: unknown field `staf`"), "{out}");
        assert!(out.contains("--> a.toml:2:1"), "{out}");
        assert!(out.contains("^^^^ expected `staff`"), "{out}");
        assert!(out.contains("help: did you mean `staff`?"), "{out}");
        // Empty sources and spans past the end do not panic.
        let ds = Diagnostics::new(
            "e.toml",
            "",
            vec![Diagnostic::new(5..9, "m", "l").with_related(0..4, "r")],
        );
        assert!(ds.render(true).contains("e.toml:1:1"));
    }

    #[test]
    fn spans_after_the_file_belong_to_the_overrides() {
        let layout = Layout::new(4, [3, 5]);
        assert_eq!((layout.base(1), layout.base(2)), (5, 9));
        assert_eq!(layout.locate(&(4..4)), (0, 4..4));
        assert_eq!(layout.locate(&(6..7)), (1, 1..2));
        assert_eq!(layout.locate(&(9..14)), (2, 0..5));
        let src = "a=1\n";
        let ds = Diagnostics::with_overrides(
            "f.toml",
            src,
            vec!["x=1".to_owned(), "y.z=2".to_owned()],
            vec![
                Diagnostic::new(13..14, "in y", "here").with_related(0..1, "and a"),
                Diagnostic::new(0..1, "in a", "here").with_related(7..8, "and x"),
            ],
        );
        let items: Vec<_> = ds.iter().collect();
        assert_eq!((items[0].source, items[0].span.clone()), (0, 0..1));
        assert_eq!(items[0].related[0].source, 1);
        assert_eq!((items[1].source, items[1].span.clone()), (2, 4..5));
        assert_eq!(ds.location(items[1]), "--set:1:5");
        let out = ds.render(false);
        assert!(out.contains("--> f.toml:1:1"), "{out}");
        assert!(out.contains("::: --set:1:3"), "{out}");
        assert!(
            out.contains("note: includes a value from `--set x=1`"),
            "{out}"
        );
        assert!(out.contains("--> --set:1:5"), "{out}");
        assert!(out.contains("::: f.toml:1:1"), "{out}");
        assert!(
            out.contains("note: this `--set` was applied to `f.toml`"),
            "{out}"
        );
        assert!(
            out.contains("with 2 `--set` overrides due to 2 previous errors"),
            "{out}"
        );
    }

    #[test]
    fn errors_on_a_line_of_megabytes_are_drawn_quickly() {
        // A list of three million steps on one line, the first 50 of them wrong.
        let src = format!("x = [{}]\n", "\"x\",".repeat(3_000_000));
        let items = (0..SHOWN_IN_FULL)
            .map(|i| Diagnostic::new(5 + 4 * i..8 + 4 * i, "unknown `x`", "here"))
            .collect();
        let ds = Diagnostics::new("f.toml", &src, items);
        let start = std::time::Instant::now();
        let out = ds.render(false);
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
        // Columns are those of the whole line.
        assert!(out.contains("--> f.toml:1:6"), "{}", &out[..2000]);
        assert!(out.contains("--> f.toml:1:202"), "{}", &out[..2000]);
        assert!(out.len() < 100_000, "{}", out.len());
    }
}
