//! The text report's lines about how the organisation is arranged: what
//! rework (and, where departments have a `cost`, staff) costs set against the
//! revenue lost, and each incident window's losses per week against the weeks
//! outside its windows.

use std::fmt::Write as _;

use super::human;
use super::text::{Align, Cell, Table, Words};
use crate::experiment::Outcome;
use crate::metrics::Stat;

const WEEK_H: f64 = 168.0;

/// The staff cost of the run (zero when no department or pool has a `cost`).
fn staff_cost(outcome: &Outcome) -> Option<Stat> {
    Some(outcome.summary.revenue.staff_cost)
}

/// Staff cost and rework against revenue lost; nothing when there is neither.
pub(super) fn cost_line(out: &mut String, outcome: &Outcome, w: &Words) {
    let s = &outcome.summary;
    let rework: f64 = s.departments.iter().map(|d| d.rework_h.mean).sum();
    let cost = staff_cost(outcome).filter(|c| c.mean > 0.0);
    if rework <= 0.0 && cost.is_none() {
        return;
    }
    let mut parts = Vec::new();
    if let Some(c) = cost {
        parts.push(w.fill(
            "text.structure.staff_cost",
            &[("cost", &w.stat_count(c).joined())],
        ));
    }
    if rework > 0.0 {
        let mut by_dept: Vec<(&str, f64)> = s
            .departments
            .iter()
            .filter(|d| d.rework_h.mean > 0.0)
            .map(|d| (d.name.as_str(), d.rework_h.mean))
            .collect();
        by_dept.sort_by(|a, b| b.1.total_cmp(&a.1));
        let shown: Vec<String> = by_dept
            .iter()
            .take(3)
            .map(|(n, h)| format!("{n} {}", w.duration(*h)))
            .collect();
        let more = if by_dept.len() > 3 { ", …" } else { "" };
        parts.push(w.fill(
            "text.structure.rework",
            &[
                ("time", &w.duration(rework)),
                ("departments", &format!("{}{more}", shown.join(", "))),
            ],
        ));
    }
    let lost = s.revenue.lost;
    let against = if s.revenue.earned.mean == 0.0 && lost.mean == 0.0 {
        String::new()
    } else {
        w.fill(
            "text.structure.against",
            &[("lost", &w.stat_count(lost).joined())],
        )
    };
    let mut line = parts.join("; ");
    if let Some(first) = line.chars().next() {
        line = first.to_uppercase().collect::<String>() + &line[first.len_utf8()..];
    }
    let _ = writeln!(out, "{line}{against}.");
}

/// One row per incident: its window, the customers lost to its cause inside
/// it, per week, against the same cause's losses per week outside its windows.
pub(super) fn incident_windows(out: &mut String, outcome: &Outcome, w: &Words) {
    let s = &outcome.summary;
    if s.incidents.is_empty() {
        return;
    }
    let counted_h = outcome.scenario.duration_h - outcome.scenario.warmup_h;
    let mut table = Table::new(&w.headers(&[
        ("text.incidents.incident", Align::Left),
        ("text.incidents.window", Align::Left),
        ("text.incidents.customers_lost", Align::Right),
        ("text.incidents.inside", Align::Right),
        ("text.incidents.outside", Align::Right),
        ("text.incidents.revenue_lost", Align::Right),
    ]));
    for i in &s.incidents {
        let mut window = w.fill(
            "text.incidents.days",
            &[("from", &w.days(i.from_h)), ("to", &w.days(i.to_h))],
        );
        if let Some(p) = i.every_h {
            window.push_str(&w.fill("text.incidents.every", &[("every", &w.days(p))]));
        }
        let per_week = |lost: f64, hours: f64| {
            if hours > 0.0 {
                w.decimal(lost / (hours / WEEK_H), 1)
            } else {
                human::MISSING.to_owned()
            }
        };
        let outside = i.cause_customers_lost.mean - i.customers_lost.mean;
        table.row(vec![
            Cell::Text(i.name.clone()),
            Cell::Text(window),
            Cell::Stat(w.stat_count(i.customers_lost)),
            Cell::Text(per_week(i.customers_lost.mean, i.window_h)),
            Cell::Text(per_week(outside, counted_h - i.window_h)),
            Cell::Stat(w.stat_count(i.revenue_lost)),
        ]);
    }
    let _ = writeln!(out, "{}", w.get("text.incidents.title"));
    table.write(out);
    w.note(out, "text.incidents.note", &[("missing", human::MISSING)]);
}
