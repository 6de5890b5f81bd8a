//! A small SVG toolkit for the HTML report: deterministic text, no fonts read.
//!
//! Every chart is a function from numbers and ready-made labels to an `<svg>`
//! string: no words of its own (they come from the catalogues), no clock, no
//! randomness. Coordinates are written with at most one decimal so the same
//! input always gives the same bytes. Text widths are estimated from character
//! classes (see [`text_width`]) rather than measured, so layout needs no system
//! font; estimates err wide so labels do not collide.

mod chain;
mod charts;
mod iceberg;
mod people;

pub use chain::{ChainEdge, ChainNode, chain};
pub use charts::{
    Bar, IntervalRow, Series, Shade, StayRow, interval_rows, ranked_bars, stacked_bars, stay_bars,
};
pub use iceberg::iceberg;
pub use people::{MatrixCell, lines, matrix};

use std::fmt::Write as _;

/// The Okabe–Ito palette: safe for colour blindness and washed-out projectors.
pub const PALETTE: [&str; 8] = [
    "#E69F00", // orange
    "#56B4E9", // sky blue
    "#009E73", // bluish green
    "#0072B2", // blue
    "#D55E00", // vermillion
    "#CC79A7", // reddish purple
    "#F0E442", // yellow
    "#000000", // black
];
/// Losses and breaks.
pub const LOSS: &str = "#D55E00";
/// Losses in words: the vermillion darkened to read as text on white
/// (contrast 6:1; the vermillion itself is under 4:1).
pub const LOSS_TEXT: &str = "#A84300";
/// Neutral ink for axes and text.
pub const INK: &str = "#222222";
/// Light grid lines and quiet shapes.
pub const QUIET: &str = "#BBBBBB";

/// How much wider bold text is than [`text_width`]'s estimate for regular
/// text: a bold label is fitted at its size times this.
pub const BOLD_WIDER: f64 = 1.12;

/// Estimated width of `text` at `size` px in a sans-serif face.
pub fn text_width(text: &str, size: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | '\u{202f}' => 0.32,
            'f' | 't' | 'r' | '(' | ')' | '-' | '–' => 0.45,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.98,
            '0'..='9' => 0.64,
            c if c.is_uppercase() => 0.76,
            // Wide enough for a bold DejaVu Sans, the widest common fallback.
            _ => 0.64,
        })
        .sum();
    em * size
}

/// A coordinate or length with at most one decimal, without `-0`.
pub fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 || !r.is_finite() {
        return "0".to_owned();
    }
    if r == r.trunc() {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Escape text for SVG/XML content and attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Cut `text` to fit `width` px at `size`, ending in `…` when cut.
pub fn fit(text: &str, size: f64, width: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        let mut next = out.clone();
        next.push(c);
        next.push('…');
        if text_width(&next, size) > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// An SVG document under construction.
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
}

impl Svg {
    pub fn new(width: f64, height: f64) -> Svg {
        Svg {
            width,
            height,
            body: String::new(),
        }
    }

    /// The finished element; `label` is read by screen readers. No `xmlns`:
    /// inline SVG in HTML needs none, and the page names no address at all.
    pub fn finish(self, label: &str) -> String {
        format!(
            "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{label}\" font-family=\"system-ui, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\">\n{body}</svg>",
            w = n(self.width),
            h = n(self.height),
            label = esc(label),
            body = self.body
        )
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, extra: &str) {
        let _ = writeln!(
            self.body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{extra}/>",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0))
        );
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) {
        let _ = writeln!(
            self.body,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            n(width)
        );
    }

    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: &str, stroke: &str) {
        let _ = writeln!(
            self.body,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"/>",
            n(cx),
            n(cy),
            n(r)
        );
    }

    /// Text anchored `start`, `middle` or `end` at (x, y) (the baseline).
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, fill: &str, text: &str) {
        self.text_styled(x, y, size, anchor, fill, "", text);
    }

    /// As [`Svg::text`] with extra attributes (`font-weight="bold"`, …).
    #[allow(clippy::too_many_arguments)]
    pub fn text_styled(
        &mut self,
        x: f64,
        y: f64,
        size: f64,
        anchor: &str,
        fill: &str,
        extra: &str,
        text: &str,
    ) {
        let _ = writeln!(
            self.body,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{extra}>{}</text>",
            n(x),
            n(y),
            n(size),
            esc(text)
        );
    }

    /// A raw element (a path, a polygon) already written by a chart.
    pub fn raw(&mut self, element: &str) {
        self.body.push_str(element);
        self.body.push('\n');
    }
}

/// A finished chart (from [`Svg::finish`]) with a `<title>` and a `<desc>`
/// of what it shows, the description tied to the drawing by
/// `aria-describedby` (`id` must be unique on the page): a screen reader
/// reads the chart's name and then its numbers.
pub fn describe(chart: &str, id: &str, title: &str, description: &str) -> String {
    // The opening tag ends at the first `>`: its attributes are escaped.
    let Some(end) = chart.find('>') else {
        return chart.to_owned();
    };
    format!(
        "{open} aria-describedby=\"{id}\">\n<title>{title}</title>\n<desc id=\"{id}\">{description}</desc>{rest}",
        open = &chart[..end],
        id = esc(id),
        title = esc(title),
        description = esc(description),
        rest = &chart[end + 1..],
    )
}

/// Round numbers for an axis from 0 to at least `max`: (step, top).
pub fn nice_ticks(max: f64) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude);
    let top = (max / step).ceil() * step;
    (step, top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_have_one_decimal_and_no_negative_zero() {
        assert_eq!(n(1.04), "1");
        assert_eq!(n(1.06), "1.1");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(-2.5), "-2.5");
    }

    #[test]
    fn wider_text_is_estimated_wider() {
        assert!(text_width("WWW", 10.0) > text_width("iii", 10.0));
        assert!(text_width("abc", 20.0) > text_width("abc", 10.0));
        let cut = fit("a very long department name", 16.0, 80.0);
        assert!(cut.ends_with('…'));
        assert!(text_width(&cut, 16.0) <= 80.0);
    }

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(nice_ticks(9.0), (2.5, 10.0));
        assert_eq!(nice_ticks(37.0), (10.0, 40.0));
        assert_eq!(nice_ticks(0.0), (0.25, 1.0));
    }

    #[test]
    fn text_is_escaped() {
        let mut s = Svg::new(10.0, 10.0);
        s.text(0.0, 0.0, 10.0, "start", INK, "a<b & \"c\"");
        let out = s.finish("x");
        assert!(out.contains("a&lt;b &amp; &quot;c&quot;"));
    }
}
