//! The handoffs' failure odds over the weeks (where incidents, learning or
//! morale make them move), and a department's opening hours in words for
//! its box in the chain.

use maud::{Markup, html};

use super::Lang;
use crate::experiment::{OpenWindow, Outcome};
use crate::metrics::timeline::WEEK_H;
use crate::report::svg::{self, Series};

/// Lines drawn at most: the handoff odds that moved furthest from the scenario's.
const FAILURE_LINES: usize = 6;
/// A weekly mean this close to the scenario's value has not moved (sums of
/// equal probabilities divided back differ from them by rounding only).
const UNMOVED: f64 = 1e-9;

/// One line of the chart: which handoff and failure, its weekly means, and
/// how far it moved from the scenario's value at most.
struct Line {
    from: String,
    to: String,
    lose: bool,
    values: Vec<f64>,
    moved: f64,
}

/// The section, `None` when the timeline has no failure odds (no incidents
/// on handoffs, learning or morale in the scenario).
pub(super) fn failures_section(outcome: &Outcome, lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    let timeline = &outcome.timeline;
    let first = timeline.first()?;
    if first.failures.is_empty() {
        return None;
    }
    let mut lines: Vec<Line> = Vec::new();
    for (row, f) in first.failures.iter().enumerate() {
        let Some(odds) = outcome
            .scenario
            .handoff_odds
            .iter()
            .find(|o| format!("{}->{}", o.from, o.to) == f.handoff)
        else {
            continue;
        };
        for (lose, base) in [(false, odds.error), (true, odds.lose)] {
            let values: Vec<f64> = timeline
                .iter()
                .map(|b| {
                    let week = b.failures.get(row).filter(|w| w.handoff == f.handoff);
                    let p = week.and_then(|w| if lose { w.lose } else { w.error });
                    p.map_or(f64::NAN, |p| p.mean)
                })
                .collect();
            let moved = values
                .iter()
                .filter(|v| v.is_finite())
                .map(|v| (v - base).abs())
                .fold(0.0, f64::max);
            if moved > UNMOVED * base.max(UNMOVED) {
                lines.push(Line {
                    from: odds.from.clone(),
                    to: odds.to.clone(),
                    lose,
                    values,
                    moved,
                });
            }
        }
    }
    if lines.is_empty() {
        return Some(html! {
            section {
                h2 { (t.get("failures.title")) }
                p.medium { (t.get("failures.steady")) }
            }
        });
    }
    let all = lines.len();
    // The lines that moved furthest, then back in the scenario's order.
    let mut ranked: Vec<usize> = (0..all).collect();
    ranked.sort_by(|&a, &b| lines[b].moved.total_cmp(&lines[a].moved).then(a.cmp(&b)));
    ranked.truncate(FAILURE_LINES);
    ranked.sort_unstable();
    let series: Vec<Series> = ranked
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let line = &lines[i];
            let key = if line.lose {
                "failures.lose"
            } else {
                "failures.error"
            };
            Series {
                label: t.fill(
                    key,
                    &[("from", &line.from), ("to", lang.handoff_end(&line.to))],
                ),
                color: svg::PALETTE[k % svg::PALETTE.len()],
                values: line.values.clone(),
            }
        })
        .collect();
    let top = series
        .iter()
        .flat_map(|s| &s.values)
        .filter(|v| v.is_finite())
        .fold(0.0, |a: f64, &b| a.max(b));
    let (step, high) = svg::nice_ticks(top);
    let high = high.min(1.0);
    // As many decimals in the percentages as the step needs: 0.25 % steps show two.
    let decimals = (0..3)
        .find(|&d| {
            let scaled = step * 100.0 * 10f64.powi(d);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(3) as usize;
    let tick = |v: f64| format!("{}\u{a0}%", lang.fixed(v * 100.0, decimals));
    let start = outcome.scenario.warmup_h;
    let labels: Vec<String> = timeline
        .iter()
        .map(|b| lang.grouped(((b.from_h - start) / WEEK_H).round() + 1.0))
        .collect();
    let shaded = super::mechanisms::incident_shades(outcome);
    let chart = svg::lines(
        &series,
        &labels,
        (0.0, high, step),
        t.get("failures.axis"),
        &shaded,
        &tick,
        t.get("failures.title"),
    );
    let value = |v: f64| lang.percent(v);
    let mut table = super::figure::DataTable::weekly(&series, &labels, &value, lang);
    table.summary = Some(super::figure::levels_summary(&series, &value, lang));
    let more = (all > series.len()).then(|| {
        t.counted(
            "failures.more",
            ("n", &lang.grouped((all - series.len()) as f64)),
            &[],
        )
    });
    Some(html! {
        section {
            h2 { (t.get("failures.title")) }
            p.note {
                (t.get("failures.note"))
                @if !shaded.is_empty() { " " (t.get("timeline.incidents_note")) }
            }
            (super::figure::figure(&chart, "chart-failures", t.get("failures.title"), &table, lang))
            @if let Some(more) = more { p.note { (more) } }
        }
    })
}

/// A department's weekly opening hours in words: `mon–fri 09–17`, days with
/// the same hours run together; `None` when it is always open.
pub(super) fn hours_line(windows: &[OpenWindow], lang: Lang) -> Option<String> {
    const DAY: u32 = 24 * 60;
    if windows.is_empty() {
        return None;
    }
    let t = lang.catalogue();
    let names: Vec<&str> = t.get("failures.hours_days").split_whitespace().collect();
    // Each day's open spans, in minutes from its midnight.
    let days: Vec<Vec<(u32, u32)>> = (0..7)
        .map(|d| {
            let (day_from, day_to) = (d * DAY, (d + 1) * DAY);
            windows
                .iter()
                .filter_map(|w| {
                    let from = ((w.from_h * 60.0).round() as u32).max(day_from);
                    let to = ((w.to_h * 60.0).round() as u32).min(day_to);
                    (from < to).then(|| (from - day_from, to - day_from))
                })
                .collect()
        })
        .collect();
    if days.iter().all(|d| d.as_slice() == [(0, DAY)]) {
        return None;
    }
    let clock = |m: u32| {
        if m.is_multiple_of(60) {
            format!("{:02}", m / 60)
        } else {
            format!("{:02}:{:02}", m / 60, m % 60)
        }
    };
    let mut parts = Vec::new();
    let mut d = 0;
    while d < 7 {
        let mut end = d;
        while end + 1 < 7 && days[end + 1] == days[d] {
            end += 1;
        }
        if !days[d].is_empty() {
            let name = |i: usize| names.get(i).copied().unwrap_or("?");
            let span = if end == d {
                name(d).to_owned()
            } else {
                format!("{}–{}", name(d), name(end))
            };
            let times: Vec<String> = days[d]
                .iter()
                .map(|&(from, to)| format!("{}–{}", clock(from), clock(to)))
                .collect();
            parts.push(format!("{span} {}", times.join(", ")));
        }
        d = end + 1;
    }
    Some(parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(from_h: f64, to_h: f64) -> OpenWindow {
        OpenWindow { from_h, to_h }
    }

    #[test]
    fn working_days_run_together() {
        let week: Vec<OpenWindow> = (0..5)
            .map(|d| window(24.0 * d as f64 + 9.0, 24.0 * d as f64 + 17.0))
            .collect();
        assert_eq!(
            hours_line(&week, Lang::En).as_deref(),
            Some("mon–fri 09–17")
        );
        assert_eq!(
            hours_line(&week, Lang::Es).as_deref(),
            Some("lun–vie 09–17")
        );
    }

    #[test]
    fn different_days_and_half_hours_are_spelled_out() {
        let mut week: Vec<OpenWindow> = (0..5)
            .map(|d| window(24.0 * d as f64 + 8.5, 24.0 * d as f64 + 17.0))
            .collect();
        week.push(window(5.0 * 24.0 + 10.0, 5.0 * 24.0 + 14.0));
        assert_eq!(
            hours_line(&week, Lang::En).as_deref(),
            Some("mon–fri 08:30–17; sat 10–14")
        );
    }

    #[test]
    fn always_open_says_nothing() {
        assert_eq!(hours_line(&[], Lang::En), None);
        assert_eq!(hours_line(&[window(0.0, 168.0)], Lang::En), None);
    }
}
