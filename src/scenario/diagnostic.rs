//! Errors found in a scenario file, with their place in the file, and their
//! rendering in the style of cargo (via `annotate-snippets`).

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// One error in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong, in one line: `unknown field `staf` in [[department]]`.
    pub message: String,
    /// Byte range in the whole file that the caret points at.
    pub span: Range<usize>,
    /// Text beside the caret: what was expected there.
    pub label: String,
    /// A suggestion: `did you mean `staff`?`.
    pub help: Option<String>,
    /// Other places worth showing, each with its own label (the first definition of a duplicate, …).
    pub related: Vec<(Range<usize>, String)>,
}

impl Diagnostic {
    pub(crate) fn new(
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Self {
            message: message.into(),
            span,
            label: label.into(),
            help: None,
            related: Vec::new(),
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
        self.related.push((span, label.into()));
        self
    }

    /// The 1-based line of the start of [`Diagnostic::span`] in `source`.
    pub fn line(&self, source: &str) -> usize {
        line_col(source, self.span.start).0
    }

    /// The 1-based column (in characters) of the start of [`Diagnostic::span`] in `source`.
    pub fn column(&self, source: &str) -> usize {
        line_col(source, self.span.start).1
    }
}

/// 1-based line and column (in characters) of byte offset `pos`, as the renderer counts them.
fn line_col(source: &str, pos: usize) -> (usize, usize) {
    let pos = fit(source, pos..pos).start;
    let before = &source[..pos];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, source[line_start..pos].chars().count() + 1)
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

/// Every error found in one scenario file.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    origin: String,
    source: String,
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Errors in `source`, read from a file shown as `origin`; sorted by position.
    pub(crate) fn new(origin: &str, source: &str, mut items: Vec<Diagnostic>) -> Self {
        for d in &mut items {
            d.span = fit(source, d.span.clone());
            for (span, _) in &mut d.related {
                *span = fit(source, span.clone());
            }
        }
        items.sort_by_key(|d| (d.span.start, d.span.end));
        items.dedup();
        Self {
            origin: origin.to_owned(),
            source: source.to_owned(),
            items,
        }
    }

    /// The file name shown in messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The text of the scenario file.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// How many errors there are (at least one).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Always false: a `Diagnostics` holds at least one error.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The errors, in the order they appear in the file.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// `origin:line:column` of an error.
    pub fn location(&self, d: &Diagnostic) -> String {
        let (line, col) = line_col(&self.source, d.span.start);
        format!("{}:{line}:{col}", self.origin)
    }

    /// Every error, cargo style: `error: …`, ` --> file:line:col`, the source
    /// line with a labelled caret, and a `help:` line where there is a suggestion.
    /// With `color`, ANSI escapes style the output for a terminal.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut out = String::new();
        for d in &self.items {
            let mut snippet = Snippet::source(self.source.as_str())
                .path(self.origin.as_str())
                .annotation(
                    AnnotationKind::Primary
                        .span(d.span.clone())
                        .label(d.label.as_str()),
                );
            for (span, label) in &d.related {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(span.clone())
                        .label(label.as_str()),
                );
            }
            let mut group: Group<'_> = Level::ERROR
                .primary_title(d.message.as_str())
                .element(snippet);
            if let Some(help) = &d.help {
                group = group.element(Level::HELP.message(help.as_str()));
            }
            out.push_str(&renderer.render(&[group]));
            out.push_str("\n\n");
        }
        let n = self.items.len();
        let summary = format!(
            "could not load `{}` due to {n} previous error{}",
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
}
