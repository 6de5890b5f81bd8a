//! The people mechanisms' pictures: a line per department over the weeks
//! (morale), and the internal-customer scorecard as a matrix.

use super::{BOLD_WIDER, INK, LOSS, QUIET, Series, Shade, Svg, fit, text_width};

const FONT: f64 = 21.0;
const SMALL: f64 = 18.0;
/// The widest line name written at the end of its line; wider, a legend.
const LONGEST_END_NAME: f64 = 200.0;
/// The room before a line's name at its end: a short stroke of its colour.
const END_MARK: f64 = 26.0;

/// One line per series over the buckets, on a vertical axis from `low` to
/// `high` with a tick every `step`; `tick` writes an axis value (`80 %`).
/// Each line is named at its right end (names pushed apart so they never
/// overlap), so no legend is needed. A value that is not a number leaves a
/// gap in its line. `shaded` bucket ranges are drawn behind the lines, named
/// above the plot (incident windows), as in the weekly bars.
#[allow(clippy::too_many_arguments)]
pub fn lines(
    series: &[Series],
    x_labels: &[String],
    (low, high, step): (f64, f64, f64),
    axis: &str,
    shaded: &[Shade],
    tick: &dyn Fn(f64) -> String,
    label: &str,
) -> String {
    let widest = series
        .iter()
        .map(|s| text_width(&s.label, SMALL))
        .fold(0.0, f64::max);
    // Long names would squeeze the plot: then a legend below names the lines.
    let legend_below = widest > LONGEST_END_NAME;
    let names_w = if legend_below { 0.0 } else { widest + END_MARK };
    let w = 960.0;
    let (left, right, bottom) = (76.0, 24.0 + names_w, 44.0);
    let plot_w = w - left - right;
    let buckets = x_labels.len().max(1);
    let x = |k: usize| {
        if buckets == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * k as f64 / (buckets - 1) as f64
        }
    };
    // A bucket's shade reaches halfway to its neighbours' points.
    let half_slot = if buckets == 1 {
        plot_w / 2.0
    } else {
        plot_w / (buckets - 1) as f64 / 2.0
    };
    let span = |from: usize, to: usize| {
        (
            (x(from) - half_slot).max(left),
            (x(to) + half_slot).min(left + plot_w),
        )
    };
    // Rows above the plot for the names of shaded windows, when there are any.
    let names = super::charts::ShadeNames::place(shaded, buckets, &span, w);
    let names_row = names.height(shaded);
    let h = 380.0 + names_row;
    let top = 44.0 + names_row;
    let legend_h = if legend_below {
        10.0 + super::charts::LEGEND_ROW
            * super::charts::legend_rows(series, w - left - 24.0) as f64
    } else {
        0.0
    };
    let mut svg = Svg::new(w, h + legend_h);
    let plot_h = h - top - bottom;
    let range = (high - low).max(1e-9);
    let y = |v: f64| top + plot_h * (1.0 - (v.clamp(low, high) - low) / range);
    super::charts::shade_windows(&mut svg, shaded, buckets, span, (top, plot_h), &names);
    let ticks = ((high - low) / step).round() as usize;
    for i in 0..=ticks {
        let v = low + step * i as f64;
        svg.line(left, y(v), left + plot_w, y(v), "#E2E2E2", 1.0);
        svg.text(left - 8.0, y(v) + 6.0, SMALL, "end", INK, &tick(v));
    }
    svg.text_styled(left - 68.0, 24.0, SMALL, "start", INK, "", axis);
    svg.line(left, y(low), left + plot_w, y(low), INK, 1.5);
    let every = buckets.div_ceil(8).max(1);
    for (k, text) in x_labels.iter().enumerate() {
        if k % every == 0 {
            svg.line(x(k), y(low), x(k), y(low) + 6.0, INK, 1.0);
            svg.text(x(k), y(low) + 26.0, SMALL, "middle", INK, text);
        }
    }
    let mut ends: Vec<(f64, usize)> = Vec::new();
    for (i, s) in series.iter().enumerate() {
        // One polyline per run of numbers: a week without one is a gap.
        let mut runs: Vec<Vec<String>> = vec![Vec::new()];
        for (k, v) in s.values.iter().enumerate() {
            if v.is_finite() {
                let run = runs.last_mut().expect("never empty");
                run.push(format!("{},{}", super::n(x(k)), super::n(y(*v))));
            } else if !runs.last().expect("never empty").is_empty() {
                runs.push(Vec::new());
            }
        }
        for points in runs.iter().filter(|r| !r.is_empty()) {
            if points.len() == 1 {
                // A lone week between gaps: a dot, or it would not show.
                let (px, py) = points[0].split_once(',').expect("x,y");
                svg.raw(&format!(
                    "<circle cx=\"{px}\" cy=\"{py}\" r=\"4\" fill=\"{}\"/>",
                    s.color
                ));
                continue;
            }
            svg.raw(&format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"4\" stroke-linejoin=\"round\"/>",
                points.join(" "),
                s.color
            ));
        }
        if let Some(last) = s.values.iter().rev().find(|v| v.is_finite()) {
            ends.push((y(*last), i));
        }
    }
    if legend_below {
        super::charts::legend(&mut svg, series, left, h + 14.0, w - left - 24.0);
        return svg.finish(label);
    }
    // Names at the right end of their lines, nudged apart top to bottom.
    ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut previous = f64::NEG_INFINITY;
    for (end_y, i) in ends {
        let at = end_y.max(previous + 24.0);
        previous = at;
        let s = &series[i];
        // A stroke of the line's colour, then the name in ink: a light colour
        // (yellow, sky blue) is too faint for text on white.
        let x0 = left + plot_w + 10.0;
        svg.line(x0, at, x0 + END_MARK - 8.0, at, s.color, 5.0);
        svg.text_styled(
            x0 + END_MARK,
            at + 6.0,
            SMALL,
            "start",
            INK,
            " font-weight=\"bold\"",
            &fit(&s.label, SMALL, names_w - END_MARK + 10.0),
        );
    }
    svg.finish(label)
}

/// One cell of a matrix: the value that colours it (0 = best, 1 = worst),
/// the text in it, and whether it is to stand out (the worst link).
#[derive(Debug, Clone)]
pub struct MatrixCell {
    pub badness: f64,
    pub shown: String,
    pub detail: String,
    pub worst: bool,
}

/// Rows × columns of cells, `cells[r][c]` (None: no such link). A cell is
/// whiter the better, more vermillion the worse; the worst has a thick frame.
/// `corner` names the rows and columns (`supplier ↓ · customer →`).
pub fn matrix(
    rows: &[String],
    columns: &[String],
    cells: &[Vec<Option<MatrixCell>>],
    corner: (&str, &str),
    label: &str,
) -> String {
    let row_head = rows
        .iter()
        .map(|r| text_width(r, FONT))
        .fold(text_width(corner.0, SMALL), f64::max)
        .min(260.0)
        // Row names are bold, wider than the estimate for regular text.
        * BOLD_WIDER
        + 20.0;
    let cell_w = ((960.0 - row_head) / columns.len().max(1) as f64).min(200.0);
    let (head_h, cell_h) = (70.0, 76.0);
    let w = row_head + cell_w * columns.len() as f64 + 4.0;
    let h = head_h + cell_h * rows.len() as f64 + 4.0;
    let mut svg = Svg::new(w, h);
    svg.text_styled(
        4.0,
        head_h - 12.0,
        SMALL,
        "start",
        INK,
        " font-style=\"italic\"",
        corner.0,
    );
    svg.text_styled(
        row_head,
        22.0,
        SMALL,
        "start",
        INK,
        " font-style=\"italic\"",
        corner.1,
    );
    for (c, name) in columns.iter().enumerate() {
        let cx = row_head + cell_w * (c as f64 + 0.5);
        svg.text_styled(
            cx,
            head_h - 12.0,
            FONT,
            "middle",
            INK,
            " font-weight=\"bold\"",
            &fit(name, FONT, (cell_w - 8.0) / BOLD_WIDER),
        );
    }
    for (r, name) in rows.iter().enumerate() {
        let top = head_h + cell_h * r as f64;
        svg.text_styled(
            4.0,
            top + cell_h / 2.0 + 7.0,
            FONT,
            "start",
            INK,
            " font-weight=\"bold\"",
            &fit(name, FONT, (row_head - 12.0) / BOLD_WIDER),
        );
        for c in 0..columns.len() {
            let x = row_head + cell_w * c as f64;
            match cells
                .get(r)
                .and_then(|row| row.get(c))
                .and_then(Option::as_ref)
            {
                None => {
                    svg.rect(
                        x + 2.0,
                        top + 2.0,
                        cell_w - 4.0,
                        cell_h - 4.0,
                        "#F6F6F6",
                        "",
                    );
                    svg.text(
                        x + cell_w / 2.0,
                        top + cell_h / 2.0 + 7.0,
                        SMALL,
                        "middle",
                        QUIET,
                        "·",
                    );
                }
                Some(cell) => {
                    let fill = blend(cell.badness);
                    let frame = if cell.worst {
                        format!(" stroke=\"{INK}\" stroke-width=\"5\"")
                    } else {
                        " stroke=\"#DDDDDD\" stroke-width=\"1\"".to_owned()
                    };
                    svg.rect(
                        x + 3.0,
                        top + 3.0,
                        cell_w - 6.0,
                        cell_h - 6.0,
                        &fill,
                        &frame,
                    );
                    // Dark text on light cells, black on the strongest: white on
                    // the vermillion would read at under 4:1, and under 3:1 on
                    // the lighter shades.
                    let ink = if cell.badness > 0.6 { "#000000" } else { INK };
                    svg.text_styled(
                        x + cell_w / 2.0,
                        top + 34.0,
                        FONT,
                        "middle",
                        ink,
                        " font-weight=\"bold\"",
                        &cell.shown,
                    );
                    svg.text(
                        x + cell_w / 2.0,
                        top + 58.0,
                        SMALL - 2.0,
                        "middle",
                        ink,
                        &fit(&cell.detail, SMALL - 2.0, cell_w - 10.0),
                    );
                }
            }
        }
    }
    svg.finish(label)
}

/// White at 0, the loss vermillion at 1.
fn blend(t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let channel = |to: u8| (255.0 + (f64::from(to) - 255.0) * t).round() as u8;
    let (r, g, b) = (0xD5, 0x5E, 0x00);
    debug_assert_eq!(LOSS, "#D55E00");
    format!("#{:02X}{:02X}{:02X}", channel(r), channel(g), channel(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_snapshot() {
        let series = vec![
            Series {
                label: "production".into(),
                color: super::super::PALETTE[0],
                values: vec![1.0, 0.92, 0.85, 0.8],
            },
            Series {
                label: "billing".into(),
                color: super::super::PALETTE[1],
                values: vec![1.0, 0.98, 0.97, 0.81],
            },
        ];
        let labels: Vec<String> = ["1", "2", "3", "4"].map(String::from).to_vec();
        let svg = lines(
            &series,
            &labels,
            (0.5, 1.0, 0.1),
            "morale",
            &[],
            &|v| format!("{:.0} %", v * 100.0),
            "morale by week",
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        insta::assert_snapshot!(svg);
    }

    /// WCAG contrast ratio of two `#RRGGBB` colours.
    fn contrast(a: &str, b: &str) -> f64 {
        let luminance = |c: &str| {
            let channel = |i: usize| {
                let v = f64::from(u8::from_str_radix(&c[i..i + 2], 16).unwrap()) / 255.0;
                if v <= 0.04045 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
        };
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// Every `<text>` fill in `svg`.
    fn text_fills(svg: &str) -> Vec<String> {
        svg.split("<text ")
            .skip(1)
            .map(|t| {
                let fill = t.split(" fill=\"").nth(1).unwrap();
                fill[..fill.find('"').unwrap()].to_owned()
            })
            .collect()
    }

    #[test]
    fn names_and_cells_read_at_4_5_to_1_whatever_the_colours() {
        // The palette's yellow and sky blue are lines, never the text itself.
        let series: Vec<Series> = super::super::PALETTE
            .iter()
            .enumerate()
            .map(|(i, color)| Series {
                label: format!("d{i}"),
                color,
                values: vec![1.0 - 0.05 * i as f64, 0.9],
            })
            .collect();
        let labels = vec!["1".to_owned(), "2".to_owned()];
        let chart = lines(
            &series,
            &labels,
            (0.5, 1.0, 0.1),
            "m",
            &[],
            &|v| v.to_string(),
            "x",
        );
        for fill in text_fills(&chart) {
            assert!(contrast(&fill, "#FFFFFF") >= 4.5, "{fill} on white");
        }
        // Matrix cells from white to the full vermillion.
        let cells: Vec<Vec<Option<MatrixCell>>> = vec![
            (0..=10)
                .map(|k| {
                    Some(MatrixCell {
                        badness: k as f64 / 10.0,
                        shown: "90 %".into(),
                        detail: "of 10".into(),
                        worst: false,
                    })
                })
                .collect(),
        ];
        let columns: Vec<String> = (0..=10).map(|k| format!("c{k}")).collect();
        let svg = matrix(&["r".to_owned()], &columns, &cells, ("s", "c"), "m");
        for k in 0..=10 {
            let fill = blend(k as f64 / 10.0);
            let at = svg.find(&format!("fill=\"{fill}\" stroke")).unwrap();
            for ink in text_fills(&svg[at..]).into_iter().take(2) {
                assert!(contrast(&ink, &fill) >= 4.5, "{ink} on {fill}");
            }
        }
        assert!(contrast(super::super::LOSS_TEXT, "#FFFFFF") >= 4.5);
    }

    /// The failure odds chart: a shaded incident window, a week without
    /// transfers (a gap), a lone week between gaps (a dot).
    #[test]
    fn lines_with_windows_and_gaps_snapshot() {
        let series = vec![
            Series {
                label: "billing → customer: error".into(),
                color: super::super::PALETTE[0],
                values: vec![0.01, 0.01, 0.25, 0.25, f64::NAN, 0.01, 0.01],
            },
            Series {
                label: "sales → production: lost".into(),
                color: super::super::PALETTE[1],
                values: vec![0.002, f64::NAN, 0.003, f64::NAN, 0.002, 0.002, 0.002],
            },
        ];
        let labels: Vec<String> = (1..=7).map(|k| k.to_string()).collect();
        let shade = Shade {
            from: 2,
            to: 3,
            label: "billing migration".into(),
        };
        let svg = lines(
            &series,
            &labels,
            (0.0, 0.3, 0.1),
            "chance per transfer",
            &[shade],
            &|v| format!("{:.0} %", v * 100.0),
            "failure odds by week",
        );
        // error: weeks 1-4 and 6-7; lost: week 1, week 3, weeks 5-7.
        assert_eq!(svg.matches("<polyline").count(), 3, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2, "{svg}");
        assert_eq!(svg.matches("fill=\"#FBF3B5\"").count(), 1);
        assert!(svg.contains(">billing migration</text>"));
        insta::assert_snapshot!(svg);
    }

    #[test]
    fn close_line_ends_are_named_apart() {
        let flat = |label: &str| Series {
            label: label.into(),
            color: INK,
            values: vec![0.9, 0.9],
        };
        let labels: Vec<String> = ["1", "2"].map(String::from).to_vec();
        let svg = lines(
            &[flat("a"), flat("b")],
            &labels,
            (0.0, 1.0, 0.5),
            "",
            &[],
            &|v| format!("{v}"),
            "",
        );
        let ys: Vec<f64> = svg
            .lines()
            .filter(|l| l.contains("font-weight=\"bold\""))
            .map(|l| {
                let at = l.find(" y=\"").unwrap() + 4;
                l[at..at + l[at..].find('"').unwrap()].parse().unwrap()
            })
            .collect();
        assert_eq!(ys.len(), 2);
        assert!((ys[0] - ys[1]).abs() >= 24.0, "{ys:?}");
    }

    #[test]
    fn matrix_snapshot() {
        let cell = |badness: f64, shown: &str, worst| {
            Some(MatrixCell {
                badness,
                shown: shown.into(),
                detail: "of 3 000".into(),
                worst,
            })
        };
        let names: Vec<String> = ["sales", "billing"].map(String::from).to_vec();
        let svg = matrix(
            &names,
            &names,
            &[
                vec![None, cell(1.0, "87 %", true)],
                vec![cell(0.2, "97 %", false), None],
            ],
            ("supplier ↓", "customer →"),
            "scorecard",
        );
        assert_eq!(svg.matches("stroke-width=\"5\"").count(), 1);
        assert!(svg.contains("fill=\"#D55E00\""));
        insta::assert_snapshot!(svg);
    }

    #[test]
    fn badness_blends_from_white_to_the_loss_colour() {
        assert_eq!(blend(0.0), "#FFFFFF");
        assert_eq!(blend(1.0), LOSS);
        assert_eq!(blend(f64::NAN), "#FFFFFF");
    }
}
