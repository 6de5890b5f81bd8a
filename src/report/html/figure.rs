//! A chart for everyone: the drawing, named and described for a screen
//! reader, and the numbers it shows as a table in a closed `<details>`, for
//! anyone who cannot see the drawing or wants the numbers exactly.

use maud::{Markup, PreEscaped, html};

use super::Lang;
use crate::report::svg::{self, Series};

/// Rows of a chart's description written out whole; a longer table is
/// summarised (see [`DataTable::summary`]) or cut with a count of the rest.
const DESCRIBED_ROWS: usize = 16;

/// The numbers a chart shows, as the page writes them.
pub(super) struct DataTable {
    /// Column heads; the first names the rows (it may be empty).
    pub head: Vec<String>,
    /// One row per thing drawn; the first cell names it.
    pub rows: Vec<Vec<String>>,
    /// What a screen reader reads with the chart instead of the rows, for
    /// tables too long to read out (week by week).
    pub summary: Option<String>,
}

impl DataTable {
    /// Rows of `label, value` under the heads `(first, value)`.
    pub fn pairs(first: &str, value: &str, rows: Vec<(String, String)>) -> DataTable {
        DataTable {
            head: vec![first.to_owned(), value.to_owned()],
            rows: rows.into_iter().map(|(a, b)| vec![a, b]).collect(),
            summary: None,
        }
    }

    /// Series over weeks: one row per week (`x_labels`), one column per
    /// series, each value written by `value`.
    pub fn weekly(
        series: &[Series],
        x_labels: &[String],
        value: &dyn Fn(f64) -> String,
        lang: Lang,
    ) -> DataTable {
        let t = lang.catalogue();
        let mut head = vec![t.get("chart.week").to_owned()];
        head.extend(series.iter().map(|s| s.label.clone()));
        let rows = x_labels
            .iter()
            .enumerate()
            .map(|(k, week)| {
                let mut row = vec![week.clone()];
                row.extend(
                    series
                        .iter()
                        .map(|s| s.values.get(k).map_or("–".to_owned(), |v| value(*v))),
                );
                row
            })
            .collect();
        DataTable {
            head,
            rows,
            summary: None,
        }
    }

    /// The table's rows in words: `row: head value, head value; …`, or its summary.
    fn description(&self, lang: Lang) -> String {
        if let Some(summary) = &self.summary {
            return summary.clone();
        }
        let t = lang.catalogue();
        let mut parts: Vec<String> = self
            .rows
            .iter()
            .take(DESCRIBED_ROWS)
            .map(|row| {
                let name = row.first().map_or("", String::as_str);
                let cells: Vec<String> = row
                    .iter()
                    .enumerate()
                    .skip(1)
                    .filter(|(_, cell)| !cell.is_empty())
                    .map(|(i, cell)| match self.head.get(i) {
                        Some(head) if self.head.len() > 2 && !head.is_empty() => {
                            format!("{head} {cell}")
                        }
                        _ => cell.clone(),
                    })
                    .collect();
                format!("{name}: {}", cells.join(", "))
            })
            .collect();
        if self.rows.len() > DESCRIBED_ROWS {
            let more = self.rows.len() - DESCRIBED_ROWS;
            parts.push(t.counted("chart.more_rows", ("n", &lang.grouped(more as f64)), &[]));
        }
        let mut text = parts.join("; ");
        text.push('.');
        text
    }
}

/// Each series over the weeks in one sentence: its total and its worst week
/// (counts that add up, like customers lost).
pub(super) fn totals_summary(
    series: &[Series],
    x_labels: &[String],
    value: &dyn Fn(f64) -> String,
    lang: Lang,
) -> String {
    let t = lang.catalogue();
    let parts: Vec<String> = series
        .iter()
        .map(|s| {
            let total: f64 = s.values.iter().filter(|v| v.is_finite()).sum();
            let peak = s
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .fold(None, |best: Option<(usize, f64)>, (k, &v)| match best {
                    Some((_, b)) if b >= v => best,
                    _ => Some((k, v)),
                });
            let (week, peak) = peak.unwrap_or((0, 0.0));
            t.fill(
                "chart.bars_summary",
                &[
                    ("name", &s.label),
                    ("total", &value(total)),
                    ("week", x_labels.get(week).map_or("–", String::as_str)),
                    ("peak", &value(peak)),
                ],
            )
        })
        .collect();
    format!("{}.", parts.join("; "))
}

/// Each line over the weeks in one sentence: where it starts and ends, and
/// how low and high it goes (levels, like morale or odds).
pub(super) fn levels_summary(
    series: &[Series],
    value: &dyn Fn(f64) -> String,
    lang: Lang,
) -> String {
    let t = lang.catalogue();
    let parts: Vec<String> = series
        .iter()
        .map(|s| {
            let seen: Vec<f64> = s.values.iter().copied().filter(|v| v.is_finite()).collect();
            let (low, high) = seen
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            let shown = |v: Option<f64>| v.filter(|v| v.is_finite()).map_or("–".to_owned(), value);
            t.fill(
                "chart.line_summary",
                &[
                    ("name", &s.label),
                    ("first", &shown(seen.first().copied())),
                    ("last", &shown(seen.last().copied())),
                    ("low", &shown(Some(low))),
                    ("high", &shown(Some(high))),
                ],
            )
        })
        .collect();
    format!("{}.", parts.join("; "))
}

/// The chart `chart` (an `<svg>` from [`svg`], named `title`) with its
/// numbers: described to a screen reader by `table`'s rows or summary, and
/// the table itself in a `<details>` closed under the chart. `id` is unique
/// on the page.
pub(super) fn figure(chart: &str, id: &str, title: &str, table: &DataTable, lang: Lang) -> Markup {
    let t = lang.catalogue();
    let described = svg::describe(
        chart,
        &format!("{id}-desc"),
        title,
        &table.description(lang),
    );
    html! {
        figure.chart {
            (PreEscaped(described))
            details.numbers {
                summary { (t.get("chart.numbers")) }
                div.wide {
                    table {
                        caption { (title) }
                        thead {
                            tr {
                                @for head in &table.head {
                                    th scope="col" { (head) }
                                }
                            }
                        }
                        tbody {
                            @for row in &table.rows {
                                tr {
                                    @for (i, cell) in row.iter().enumerate() {
                                        @if i == 0 {
                                            th scope="row" { (cell) }
                                        } @else {
                                            td { (cell) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
