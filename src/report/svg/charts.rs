//! Bars and intervals: stacked weekly bars, ranked bars, shares against a
//! reference, and dots with intervals for comparisons.

use super::{INK, LOSS, Svg, fit, nice_ticks, text_width};

// Sizes in the 960-wide drawing, shown about 1:1 on a projected page: the
// smallest text is still read from the back of a room.
const FONT: f64 = 21.0;
const SMALL: f64 = 18.0;
/// Height of a legend line.
pub(super) const LEGEND_ROW: f64 = 30.0;

/// One stacked series: a label (for the legend), a colour, one value per bucket.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub color: &'static str,
    pub values: Vec<f64>,
}

/// A shaded range of buckets behind the bars (an incident window), `from..=to`,
/// named above the plot (unless `label` is empty: a window named elsewhere).
#[derive(Debug, Clone)]
pub struct Shade {
    pub from: usize,
    pub to: usize,
    pub label: String,
}

/// Fill of incident windows: a pale Okabe–Ito yellow, apart from every bar colour.
pub(super) const SHADE: &str = "#FBF3B5";

/// Weekly stacked bars. `x_labels[k]` labels bucket `k` (shown every few
/// buckets); `axis` names the unit; `shaded` bucket ranges are drawn behind
/// the bars with their names above the plot (incident windows).
/// `tick` writes a value of the vertical axis in the page's language (`0,5`).
pub fn stacked_bars(
    series: &[Series],
    x_labels: &[String],
    axis: &str,
    shaded: &[Shade],
    tick: &dyn Fn(f64) -> String,
    label: &str,
) -> String {
    let w = 960.0;
    let (left, right) = (64.0, 16.0);
    let buckets = x_labels.len().max(1);
    let plot_w = w - left - right;
    let slot = plot_w / buckets as f64;
    let span = |from: usize, to: usize| (left + slot * from as f64, left + slot * (to + 1) as f64);
    // Rows above the plot for the names of shaded windows, when there are any.
    let names = ShadeNames::place(shaded, buckets, &span, w - right);
    let names_row = names.height(shaded);
    let h = 420.0 + names_row;
    let top = 40.0 + names_row;
    let legend_rows = legend_rows(series, w - left - right);
    let mut svg = Svg::new(w, h + 10.0 + LEGEND_ROW * legend_rows as f64);
    let totals: Vec<f64> = (0..buckets)
        .map(|k| {
            series
                .iter()
                .map(|s| s.values.get(k).copied().unwrap_or(0.0).max(0.0))
                .sum()
        })
        .collect();
    let (step, top_value) = nice_ticks(totals.iter().copied().fold(0.0, f64::max));
    let plot_h = h - top - 44.0;
    let y = |v: f64| top + plot_h * (1.0 - v / top_value);
    shade_windows(&mut svg, shaded, buckets, span, (top, plot_h), &names);
    let mut tick_value = 0.0;
    while tick_value <= top_value + step / 2.0 {
        svg.line(
            left,
            y(tick_value),
            w - right,
            y(tick_value),
            "#E2E2E2",
            1.0,
        );
        svg.text(
            left - 8.0,
            y(tick_value) + 6.0,
            SMALL,
            "end",
            INK,
            &tick_label(tick_value, tick),
        );
        tick_value += step;
    }
    svg.text_styled(left - 56.0, 24.0, SMALL, "start", INK, "", axis);
    for k in 0..buckets {
        let mut base = 0.0;
        let x = left + slot * k as f64 + slot * 0.1;
        for s in series {
            let v = s.values.get(k).copied().unwrap_or(0.0).max(0.0);
            if v > 0.0 {
                svg.rect(
                    x,
                    y(base + v),
                    slot * 0.8,
                    y(base) - y(base + v),
                    s.color,
                    "",
                );
            }
            base += v;
        }
    }
    svg.line(left, y(0.0), w - right, y(0.0), INK, 1.5);
    // About eight labels along the axis, whatever the number of buckets.
    let every = buckets.div_ceil(8).max(1);
    for (k, text) in x_labels.iter().enumerate() {
        if k % every == 0 {
            let x = left + slot * (k as f64 + 0.5);
            svg.line(x, y(0.0), x, y(0.0) + 6.0, INK, 1.0);
            svg.text(x, y(0.0) + 26.0, SMALL, "middle", INK, text);
        }
    }
    legend(&mut svg, series, left, h + 14.0, w - left - right);
    svg.finish(label)
}

/// Rows of incident names above a plot, at most; a name that finds no room in
/// any of them is left out (the table under the chart lists every incident).
const NAME_ROWS: usize = 3;
/// Height of one row of names.
const NAME_ROW_H: f64 = 22.0;

/// Where the names of shaded windows go above a plot: each in the lowest row
/// where it runs into no name before it, left to right, so a long name (a
/// window repeated every week) does not hide the next one (the one-off
/// incident that explains a peak).
pub(super) struct ShadeNames {
    rows: usize,
    /// Shade index, row (0 nearest the plot), left edge of the window, text.
    placed: Vec<(usize, usize, f64, String)>,
}

impl ShadeNames {
    /// Places the non-empty labels of `shaded` (bucket ranges spanning
    /// `span(from, to)` in x), cut to end before `names_limit`.
    pub(super) fn place(
        shaded: &[Shade],
        buckets: usize,
        span: &impl Fn(usize, usize) -> (f64, f64),
        names_limit: f64,
    ) -> Self {
        let mut ends = [f64::NEG_INFINITY; NAME_ROWS];
        let mut placed = Vec::new();
        for (i, shade) in shaded.iter().enumerate() {
            let to = shade.to.min(buckets.max(1) - 1);
            if shade.from > to || shade.label.is_empty() {
                continue;
            }
            let (x0, _) = span(shade.from, to);
            let name = fit(&shade.label, SMALL, names_limit - x0 - 6.0);
            if let Some(row) = ends.iter().position(|&end| x0 > end + 12.0) {
                ends[row] = x0 + 6.0 + text_width(&name, SMALL);
                placed.push((i, row, x0, name));
            }
        }
        let rows = placed.iter().map(|p| p.1 + 1).max().unwrap_or(0);
        ShadeNames { rows, placed }
    }

    /// Height of the band above the plot that holds the names: none without
    /// shaded windows, one row at least with them.
    pub(super) fn height(&self, shaded: &[Shade]) -> f64 {
        if shaded.is_empty() {
            0.0
        } else {
            8.0 + NAME_ROW_H * self.rows.max(1) as f64
        }
    }
}

/// Draws `shaded` bucket ranges as pale bands from `top` down `plot_h`, each
/// spanning `span(from, to)` in x, and their `names` above the plot (a
/// repeating window is shaded at every showing and named at its first: its
/// other bands have empty labels).
pub(super) fn shade_windows(
    svg: &mut Svg,
    shaded: &[Shade],
    buckets: usize,
    span: impl Fn(usize, usize) -> (f64, f64),
    (top, plot_h): (f64, f64),
    names: &ShadeNames,
) {
    for shade in shaded {
        let to = shade.to.min(buckets.max(1) - 1);
        if shade.from > to {
            continue;
        }
        let (x0, x1) = span(shade.from, to);
        svg.rect(
            x0,
            top,
            x1 - x0,
            plot_h,
            SHADE,
            " stroke=\"#C9B800\" stroke-width=\"1\"",
        );
    }
    for (_, row, x0, name) in &names.placed {
        let baseline = top - 8.0 - NAME_ROW_H * *row as f64;
        // The first row's mark runs down to the plot; a higher row's stays
        // beside its name, not across the names below it.
        let mark_end = if *row == 0 { top } else { baseline + 4.0 };
        svg.line(*x0, baseline - 16.0, *x0, mark_end, "#C9B800", 2.0);
        svg.text_styled(
            x0 + 6.0,
            baseline,
            SMALL,
            "start",
            INK,
            " font-style=\"italic\"",
            name,
        );
    }
}

/// A tick value, without the float noise of adding steps (`0.30000000000000004`).
fn tick_label(v: f64, show: &dyn Fn(f64) -> String) -> String {
    show((v * 1e6).round() / 1e6)
}

fn legend_item_width(s: &Series) -> f64 {
    28.0 + text_width(&s.label, SMALL) + 24.0
}

pub(super) fn legend_rows(series: &[Series], width: f64) -> usize {
    let mut rows = 1;
    let mut x = 0.0;
    for s in series {
        let item = legend_item_width(s).min(width);
        if x + item > width && x > 0.0 {
            rows += 1;
            x = 0.0;
        }
        x += item;
    }
    rows
}

pub(super) fn legend(svg: &mut Svg, series: &[Series], left: f64, top: f64, width: f64) {
    let (mut x, mut y) = (0.0, top);
    for s in series {
        let item = legend_item_width(s).min(width);
        if x + item > width && x > 0.0 {
            x = 0.0;
            y += LEGEND_ROW;
        }
        svg.rect(left + x, y - 15.0, 18.0, 18.0, s.color, "");
        let text = fit(&s.label, SMALL, width - 28.0);
        svg.text(left + x + 26.0, y, SMALL, "start", INK, &text);
        x += item;
    }
}

/// One horizontal bar: a label, a value and its 95 % half-width, and the text shown beside it.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub ci95: Option<f64>,
    pub shown: String,
}

/// Horizontal bars, largest first as given, with their intervals as whiskers.
/// Each label sits above its bar, whole: causes are long sentences.
pub fn ranked_bars(bars: &[Bar], label: &str) -> String {
    let w = 960.0;
    let (title_h, bar_h, gap) = (30.0, 30.0, 16.0);
    let row = title_h + bar_h + gap;
    let left = 12.0;
    let h = 10.0 + row * bars.len().max(1) as f64;
    let mut svg = Svg::new(w, h);
    let max = bars
        .iter()
        .map(|b| b.value + b.ci95.unwrap_or(0.0))
        .fold(0.0, f64::max);
    let (_, top) = nice_ticks(max);
    let plot_w = w - left - 170.0;
    let x = |v: f64| left + plot_w * (v.max(0.0) / top);
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        svg.text(
            left,
            y + 22.0,
            FONT,
            "start",
            INK,
            &fit(&b.label, FONT, w - left),
        );
        let (bar_top, mid) = (y + title_h, y + title_h + bar_h / 2.0);
        svg.rect(left, bar_top, x(b.value) - left, bar_h, LOSS, "");
        if let Some(ci) = b.ci95 {
            let (lo, hi) = (x(b.value - ci), x(b.value + ci));
            svg.line(lo, mid, hi, mid, INK, 2.0);
            svg.line(lo, bar_top + 5.0, lo, bar_top + bar_h - 5.0, INK, 2.0);
            svg.line(hi, bar_top + 5.0, hi, bar_top + bar_h - 5.0, INK, 2.0);
        }
        let end = x(b.value + b.ci95.unwrap_or(0.0)).max(x(b.value));
        svg.text(end + 10.0, mid + 7.0, FONT, "start", INK, &b.shown);
    }
    svg.finish(label)
}

/// Stayed share after one kind of problem, beside a published reference share.
#[derive(Debug, Clone)]
pub struct StayRow {
    pub label: String,
    /// None when no customer took this path.
    pub share: Option<f64>,
    pub shown: String,
    pub reference: f64,
    pub reference_shown: String,
}

/// Bars of the stayed share per path (0–100 %) with the reference as a black
/// tick; each path's label above its bar, its numbers under it.
pub fn stay_bars(
    rows: &[StayRow],
    legend_model: &str,
    legend_reference: &str,
    label: &str,
) -> String {
    let w = 960.0;
    let (title_h, bar_h, numbers_h, gap) = (30.0, 30.0, 30.0, 12.0);
    let row = title_h + bar_h + numbers_h + gap;
    let left = 12.0;
    let plot_w = w - left - 40.0;
    let h = 80.0 + row * rows.len() as f64;
    let mut svg = Svg::new(w, h);
    let x = |share: f64| left + plot_w * share.clamp(0.0, 1.0);
    let grid_bottom = h - 62.0;
    for p in [0.0, 0.25, 0.5, 0.75, 1.0] {
        svg.line(x(p), 8.0, x(p), grid_bottom, "#E2E2E2", 1.0);
        let anchor = if p == 0.0 { "start" } else { "middle" };
        svg.text(
            x(p),
            grid_bottom + 22.0,
            SMALL,
            anchor,
            INK,
            &format!("{:.0}\u{a0}%", p * 100.0),
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        svg.text(
            left,
            y + 22.0,
            FONT,
            "start",
            INK,
            &fit(&r.label, FONT, w - left),
        );
        let bar_top = y + title_h;
        if let Some(share) = r.share {
            svg.rect(left, bar_top, x(share) - left, bar_h, "#0072B2", "");
        }
        let rx = x(r.reference);
        svg.line(rx, bar_top - 4.0, rx, bar_top + bar_h + 4.0, INK, 4.0);
        // The numbers go under the bar, where neither the bar nor the tick covers them.
        let text = format!("{}  ·  {}", r.shown, r.reference_shown);
        svg.text_styled(
            left,
            bar_top + bar_h + 23.0,
            SMALL,
            "start",
            INK,
            " font-weight=\"bold\"",
            &fit(&text, SMALL, plot_w),
        );
    }
    let ly = h - 8.0;
    svg.rect(left, ly - 15.0, 18.0, 18.0, "#0072B2", "");
    svg.text(left + 26.0, ly, SMALL, "start", INK, legend_model);
    let rx = left + 40.0 + text_width(legend_model, SMALL) + 20.0;
    svg.line(rx + 9.0, ly - 17.0, rx + 9.0, ly + 4.0, INK, 4.0);
    svg.text(rx + 26.0, ly, SMALL, "start", INK, legend_reference);
    svg.finish(label)
}

/// One metric in a comparison: a dot with its interval per scenario.
#[derive(Debug, Clone)]
pub struct IntervalRow {
    pub label: String,
    /// Per scenario: mean, half-width, text, and whether it differs significantly from the first.
    pub points: Vec<(f64, Option<f64>, String, bool)>,
}

/// Rows of dots with intervals, one colour per scenario; a significant
/// difference from the first scenario is a filled dot, otherwise a ring. Each
/// row's label sits above its dots, so the dots have the width of the page
/// and the numbers beside them room to be large.
pub fn interval_rows(rows: &[IntervalRow], scenarios: &[String], label: &str) -> String {
    let w = 960.0;
    let title_h = 32.0;
    let per = 34.0;
    let gap = 22.0;
    let text_w = 280.0;
    let plot_l = 12.0;
    let plot_w = w - plot_l - text_w - 12.0;
    let heights: f64 = rows
        .iter()
        .map(|r| title_h + per * r.points.len() as f64 + gap)
        .sum();
    let legend_h = LEGEND_ROW * scenarios.len() as f64;
    let mut svg = Svg::new(w, heights + legend_h + 10.0);
    let mut y = 4.0;
    for r in rows {
        // Zero is on every scale, so a dot's distance from the left is its size.
        let (lo, hi) = r.points.iter().fold((0.0f64, 0.0f64), |(lo, hi), p| {
            if !p.0.is_finite() {
                return (lo, hi);
            }
            let ci = p.1.unwrap_or(0.0);
            (lo.min(p.0 - ci), hi.max(p.0 + ci))
        });
        let span = if hi - lo > 0.0 { hi - lo } else { 1.0 };
        let x = |v: f64| plot_l + plot_w * ((v - lo) / span);
        svg.text_styled(
            plot_l,
            y + 23.0,
            FONT,
            "start",
            INK,
            " font-weight=\"bold\"",
            // Bold: fitted as the wider text it is, so a long name is cut, not clipped.
            &fit(&r.label, FONT * super::BOLD_WIDER, w - plot_l),
        );
        let top = y + title_h;
        let block = per * r.points.len() as f64;
        svg.rect(plot_l, top, plot_w, block, "#F6F6F6", "");
        // The zero line, marked: every dot is read against it.
        svg.line(x(0.0), top, x(0.0), top + block + 4.0, INK, 1.5);
        svg.text(x(0.0), top + block + 16.0, 13.0, "middle", INK, "0");
        for (i, (mean, ci, shown, significant)) in r.points.iter().enumerate() {
            let cy = top + per * (i as f64 + 0.5);
            let color = super::PALETTE[i % super::PALETTE.len()];
            if mean.is_finite() {
                if let Some(ci) = ci {
                    svg.line(x(mean - ci), cy, x(mean + ci), cy, color, 4.0);
                }
                let fill = if *significant || i == 0 {
                    color
                } else {
                    "#FFFFFF"
                };
                svg.circle(x(*mean), cy, 8.0, fill, color);
            }
            let weight = if *significant {
                " font-weight=\"bold\""
            } else {
                ""
            };
            svg.text_styled(
                plot_l + plot_w + 14.0,
                cy + 6.0,
                SMALL,
                "start",
                INK,
                weight,
                &fit(shown, SMALL, text_w - 4.0),
            );
        }
        y = top + block + gap;
    }
    for (i, name) in scenarios.iter().enumerate() {
        let color = super::PALETTE[i % super::PALETTE.len()];
        let ly = y + LEGEND_ROW * i as f64 + 18.0;
        svg.circle(plot_l + 8.0, ly - 6.0, 8.0, color, color);
        svg.text(
            plot_l + 26.0,
            ly,
            FONT,
            "start",
            INK,
            &fit(name, FONT, w - plot_l - 30.0),
        );
    }
    svg.finish(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_bars_snapshot() {
        let series = vec![
            Series {
                label: "errors billing → customer".into(),
                color: super::super::PALETTE[0],
                values: vec![1.0, 0.0, 2.5],
            },
            Series {
                label: "waiting at production".into(),
                color: super::super::PALETTE[1],
                values: vec![0.5, 1.0, 0.0],
            },
        ];
        let labels: Vec<String> = ["1", "2", "3"].map(String::from).to_vec();
        insta::assert_snapshot!(stacked_bars(
            &series,
            &labels,
            "customers lost",
            &[],
            &|v| format!("{v}"),
            "lost by week"
        ));
    }

    #[test]
    fn stacked_bars_with_incident_windows_snapshot() {
        let series = vec![Series {
            label: "errors billing → customer".into(),
            color: super::super::PALETTE[0],
            values: vec![1.0, 0.0, 2.5, 1.0, 0.5, 0.0],
        }];
        let labels: Vec<String> = ["1", "2", "3", "4", "5", "6"].map(String::from).to_vec();
        let shade = |from, to, label: &str| Shade {
            from,
            to,
            label: label.into(),
        };
        let svg = stacked_bars(
            &series,
            &labels,
            "customers lost",
            // A weekly outage named at its first week, a migration starting the next week.
            &[
                shade(1, 1, "weekly outage"),
                shade(2, 2, ""),
                shade(2, 4, "billing migration"),
                shade(3, 3, ""),
            ],
            &|v| format!("{v}"),
            "lost by week",
        );
        // Every window shaded, each name once; the migration's, which would run
        // into the outage's, in a second row above it.
        assert_eq!(svg.matches("fill=\"#FBF3B5\"").count(), 4);
        assert_eq!(svg.matches(">weekly outage<").count(), 1);
        assert_eq!(svg.matches(">billing migration<").count(), 1);
        let baseline = |name: &str| {
            let at = svg.find(&format!(">{name}<")).unwrap();
            let tag = &svg[svg[..at].rfind("<text").unwrap()..at];
            let y = tag.split("y=\"").nth(1).unwrap();
            y[..y.find('"').unwrap()].parse::<f64>().unwrap()
        };
        assert!(
            baseline("billing migration") < baseline("weekly outage") - 15.0,
            "{svg}"
        );
        insta::assert_snapshot!(svg);
    }

    #[test]
    fn names_take_at_most_three_rows_and_the_rest_are_left_out() {
        let shaded: Vec<Shade> = (0..5)
            .map(|k| Shade {
                from: k,
                to: k,
                label: format!("a long incident name {k}"),
            })
            .collect();
        let span = |from: usize, to: usize| (10.0 * from as f64, 10.0 * (to + 1) as f64);
        let names = ShadeNames::place(&shaded, 20, &span, 960.0);
        assert_eq!(names.rows, 3);
        let rows: Vec<(usize, usize)> = names.placed.iter().map(|p| (p.0, p.1)).collect();
        assert_eq!(rows, [(0, 0), (1, 1), (2, 2)]);
        assert_eq!(names.height(&shaded), 8.0 + 3.0 * NAME_ROW_H);
        // Without windows there is no row; with unnamed ones, one.
        assert_eq!(ShadeNames::place(&[], 20, &span, 960.0).height(&[]), 0.0);
        let unnamed = [Shade {
            from: 0,
            to: 1,
            label: String::new(),
        }];
        let names = ShadeNames::place(&unnamed, 20, &span, 960.0);
        assert!(names.placed.is_empty());
        assert_eq!(names.height(&unnamed), 8.0 + NAME_ROW_H);
    }

    #[test]
    fn ranked_bars_snapshot() {
        let bars = vec![
            Bar {
                label: "errors sales → production".into(),
                value: 12000.0,
                ci95: Some(3000.0),
                shown: "12 000".into(),
            },
            Bar {
                label: "work lost production → billing".into(),
                value: 4000.0,
                ci95: None,
                shown: "4 000".into(),
            },
        ];
        insta::assert_snapshot!(ranked_bars(&bars, "revenue lost by cause"));
    }

    #[test]
    fn stay_bars_snapshot() {
        let rows = vec![
            StayRow {
                label: "said nothing".into(),
                share: Some(0.36),
                shown: "36 %".into(),
                reference: 0.37,
                reference_shown: "37 %".into(),
            },
            StayRow {
                label: "resolved quickly".into(),
                share: None,
                shown: "–".into(),
                reference: 0.95,
                reference_shown: "95 %".into(),
            },
        ];
        insta::assert_snapshot!(stay_bars(&rows, "simulated", "TARP", "stayed"));
    }

    #[test]
    fn interval_rows_snapshot() {
        let rows = vec![IntervalRow {
            label: "customers lost".into(),
            points: vec![
                (40.0, Some(5.0), "40 ± 5".into(), false),
                (20.0, Some(4.0), "20 ± 4".into(), true),
            ],
        }];
        let names: Vec<String> = ["before", "after"].map(String::from).to_vec();
        insta::assert_snapshot!(interval_rows(&rows, &names, "compare"));
    }
}
