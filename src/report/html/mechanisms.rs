//! Sections for the structures and people mechanisms: incident windows,
//! morale over time, the internal-customer scorecard, the policy against
//! abuse, what learning changed, and staff pools and cost. Each returns
//! `None` when its mechanism is off in the scenario, so a page without it
//! shows nothing of it.

use std::collections::BTreeMap;

use maud::{Markup, html};

use super::figure::DataTable;
use super::{CUSTOMER, Lang, chain_order};
use crate::experiment::Outcome;
use crate::metrics::timeline::WEEK_H;
use crate::metrics::{Metrics, Stat};
use crate::report::svg::{self, MatrixCell, Series, Shade};

/// Lines drawn in the morale chart: the departments whose morale fell furthest.
const MORALE_LINES: usize = 5;
/// Share of bad handovers at which a scorecard cell is fully red.
const FULL_RED_AT: f64 = 0.25;
/// Departments on each side of the scorecard matrix at most (see `scorecard_section`).
const MATRIX_SIDE: usize = 8;

/// The weekly buckets each incident window touches, every repetition, and
/// each incident's name at its first window.
///
/// A range of buckets is shaded once: thousands of repeating incidents then
/// draw a few hundred bands, not millions of the same ones. Each incident is
/// named once, above its first band, so a window repeated every week does
/// not fill the row of names and hide the one-off incident that explains a
/// peak; incidents first seen on the same band share it (`a (+2)`).
pub(super) fn incident_shades(outcome: &Outcome) -> Vec<Shade> {
    let timeline = &outcome.timeline;
    let (Some(first), Some(last)) = (timeline.first(), timeline.last()) else {
        return Vec::new();
    };
    let (start, end) = (first.from_h, last.to_h);
    let bucket_of = |h: f64| {
        timeline
            .iter()
            .position(|b| h < b.to_h)
            .unwrap_or(timeline.len() - 1)
    };
    // Windows that start at least once per bucket touch every bucket from the first on.
    let narrowest = timeline
        .iter()
        .map(|b| b.to_h - b.from_h)
        .fold(f64::INFINITY, f64::min);
    // Each band, with the incidents first seen there (by index, in listing order).
    let mut ranges: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, incident) in outcome.summary.incidents.iter().enumerate() {
        let length = incident.to_h - incident.from_h;
        let mut from = incident.from_h;
        let mut named = false;
        while from < end && length > 0.0 {
            let to = match incident.every_h {
                Some(every) if every <= narrowest && every > 0.0 => end,
                _ => from + length,
            };
            if to > start {
                let range = (
                    bucket_of(from.max(start)),
                    // A window ending on a bucket's edge does not touch the next bucket.
                    bucket_of((to.min(end) - 1e-9).max(start)),
                );
                let first_here = ranges.entry(range).or_default();
                if !named {
                    first_here.push(i);
                    named = true;
                }
            }
            match incident.every_h {
                Some(every) if every > 0.0 && to < end => from += every,
                _ => break,
            }
        }
    }
    ranges
        .into_iter()
        .map(|((from, to), first_here)| Shade {
            from,
            to,
            label: match first_here.as_slice() {
                [] => String::new(),
                [i] => outcome.summary.incidents[*i].name.clone(),
                [i, rest @ ..] => {
                    format!("{} (+{})", outcome.summary.incidents[*i].name, rest.len())
                }
            },
        })
        .collect()
}

/// A day count as the page shows it: `120`, `2.5`.
fn day(h: f64, lang: Lang) -> String {
    lang.count(h / 24.0)
}

pub(super) fn incidents_section(outcome: &Outcome, lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    let incidents = &outcome.summary.incidents;
    if incidents.is_empty() {
        return None;
    }
    let window = |i: &crate::metrics::IncidentMetrics<Stat>| {
        let args = [
            ("from", day(i.from_h, lang)),
            ("to", day(i.to_h, lang)),
            ("hours", lang.count(i.window_h / 24.0)),
        ];
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        match i.every_h {
            Some(every) => t.counted(
                "incidents.window_every",
                ("every", &day(every, lang)),
                &args,
            ),
            None => t.fill("incidents.window_once", &args),
        }
    };
    let sentences: Vec<String> = incidents
        .iter()
        .map(|i| {
            let share = if i.cause_customers_lost.mean > 0.0 {
                i.customers_lost.mean / i.cause_customers_lost.mean
            } else {
                f64::NAN
            };
            let lost = t.counted(
                "incidents.sentence",
                ("lost", &lang.count(i.customers_lost.mean)),
                &[
                    ("name", &i.name),
                    ("revenue", &lang.grouped(i.revenue_lost.mean)),
                ],
            );
            if share.is_finite() {
                format!(
                    "{lost} {}",
                    t.fill("incidents.share", &[("share", &lang.percent(share))])
                )
            } else {
                lost
            }
        })
        .collect();
    Some(html! {
        section {
            h2 { (t.get("incidents.title")) }
            @for s in &sentences { p.medium { (s) } }
            table {
                thead {
                    tr {
                        th { (t.get("incidents.name")) }
                        th { (t.get("incidents.window")) }
                        th { (t.get("incidents.lost")) }
                        th { (t.get("incidents.deterred")) }
                        th { (t.get("incidents.revenue")) }
                    }
                }
                tbody {
                    @for i in incidents {
                        tr {
                            th { (i.name) }
                            td { (window(i)) }
                            td { (super::with_ci(i.customers_lost, lang)) }
                            td { (super::with_ci(i.prospects_deterred, lang)) }
                            td { (lang.grouped(i.revenue_lost.mean)) }
                        }
                    }
                }
            }
            p.note { (t.get("incidents.note")) }
        }
    })
}

/// Morale in a department's box of the chain: `morale 85 %`.
pub(super) fn morale_line(
    d: &crate::metrics::DepartmentMetrics<Stat>,
    lang: Lang,
) -> Option<String> {
    let morale = d.morale?;
    Some(
        lang.catalogue()
            .fill("chain.morale", &[("share", &lang.percent(morale.mean))]),
    )
}

pub(super) fn morale_section(outcome: &Outcome, lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    let timeline = &outcome.timeline;
    let first = timeline.first()?;
    if first.morale.is_empty() {
        return None;
    }
    let departments: Vec<&str> = first.morale.iter().map(|m| m.department.as_str()).collect();
    let weekly = |name: &str| -> Vec<f64> {
        timeline
            .iter()
            .map(|b| {
                b.morale
                    .iter()
                    .find(|m| m.department == name)
                    .map_or(f64::NAN, |m| m.morale.mean)
            })
            .collect()
    };
    // The departments whose morale fell furthest, in the scenario's order.
    let mut lowest: Vec<(f64, usize)> = departments
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let low = weekly(d)
                .into_iter()
                .filter(|v| v.is_finite())
                .fold(1.0, f64::min);
            (low, i)
        })
        .collect();
    lowest.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    lowest.truncate(MORALE_LINES);
    let floor = lowest.iter().map(|l| l.0).fold(1.0, f64::min);
    lowest.sort_by_key(|l| l.1);
    let series: Vec<Series> = lowest
        .iter()
        .enumerate()
        .map(|(k, (_, i))| Series {
            label: departments[*i].to_owned(),
            color: svg::PALETTE[k % svg::PALETTE.len()],
            values: weekly(departments[*i]),
        })
        .collect();
    // From a round tenth below the lowest week (never above 50 %) to 100 %.
    let low = ((floor - 0.05) * 10.0).floor().clamp(0.0, 5.0) / 10.0;
    let step = if low >= 0.5 { 0.1 } else { 0.2 };
    let low = if step > 0.1 {
        (low / step).floor() * step
    } else {
        low
    };
    let start = outcome.scenario.warmup_h;
    let labels: Vec<String> = timeline
        .iter()
        .map(|b| lang.grouped(((b.from_h - start) / WEEK_H).round() + 1.0))
        .collect();
    let chart = svg::lines(
        &series,
        &labels,
        (low, 1.0, step),
        t.get("morale.axis"),
        &[],
        &|v| lang.percent(v),
        t.get("morale.title"),
    );
    let value = |v: f64| lang.percent(v);
    let mut table = DataTable::weekly(&series, &labels, &value, lang);
    table.summary = Some(super::figure::levels_summary(&series, &value, lang));
    let key = if series.len() < departments.len() {
        "morale.note"
    } else {
        "morale.note_all"
    };
    let note = t.counted(
        key,
        ("n", &lang.grouped(series.len() as f64)),
        &[("all", &lang.grouped(departments.len() as f64))],
    );
    let averages: Vec<String> = outcome
        .summary
        .departments
        .iter()
        .filter_map(|d| {
            let m = d.morale?;
            Some(t.fill(
                "morale.average",
                &[("dept", &d.name), ("share", &lang.percent(m.mean))],
            ))
        })
        .collect();
    Some(html! {
        section {
            h2 { (t.get("morale.title")) }
            p.note { (note) }
            (super::figure::figure(&chart, "chart-morale", t.get("morale.title"), &table, lang))
            p.note { (t.fill("morale.averages", &[("list", &averages.join(", "))])) }
        }
    })
}

pub(super) fn scorecard_section(s: &Metrics<Stat>, lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    let links: Vec<_> = s
        .scorecard
        .iter()
        .filter(|l| l.supplier != CUSTOMER && l.customer != CUSTOMER)
        .filter(|l| l.handed.mean > 0.0)
        .collect();
    if links.is_empty() {
        return None;
    }
    let order = chain_order(s);
    let ranks: BTreeMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let rank = |name: &str| ranks.get(name).copied().unwrap_or(usize::MAX);
    let bad = |l: &&crate::metrics::LinkMetrics<Stat>| 1.0 - l.share_good.mean;
    // Worst first, then the busiest, then in chain order: the links a
    // matrix too big to show keeps.
    let mut by_badness = links.clone();
    by_badness.sort_by(|a, b| {
        bad(b)
            .total_cmp(&bad(a))
            .then(b.handed.mean.total_cmp(&a.handed.mean))
            .then_with(|| {
                (rank(&a.supplier), rank(&a.customer)).cmp(&(rank(&b.supplier), rank(&b.customer)))
            })
    });
    // A matrix grows as the square of the departments, and past a few dozen
    // its cells are too small to read: only the departments of the worst
    // links are kept, up to MATRIX_SIDE a side.
    let (mut suppliers, mut customers): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for l in &by_badness {
        let new_supplier = !suppliers.contains(&l.supplier.as_str());
        let new_customer = !customers.contains(&l.customer.as_str());
        if (new_supplier && suppliers.len() == MATRIX_SIDE)
            || (new_customer && customers.len() == MATRIX_SIDE)
        {
            continue;
        }
        if new_supplier {
            suppliers.push(&l.supplier);
        }
        if new_customer {
            customers.push(&l.customer);
        }
    }
    for names in [&mut suppliers, &mut customers] {
        names.sort_by_key(|n| (rank(n), n.to_string()));
    }
    let by_pair: BTreeMap<(&str, &str), &&crate::metrics::LinkMetrics<Stat>> = links
        .iter()
        .map(|l| ((l.supplier.as_str(), l.customer.as_str()), l))
        .collect();
    let shown = suppliers
        .iter()
        .flat_map(|sup| customers.iter().map(move |cus| (*sup, *cus)))
        .filter(|pair| by_pair.contains_key(pair))
        .count();
    // Colour on an absolute scale, so a good chain does not look alarming:
    // white when all is good, full red from a quarter bad.
    let worst_bad = links.iter().map(bad).fold(0.0, f64::max);
    let worst = links
        .iter()
        .filter(|l| worst_bad > 0.0 && bad(l) == worst_bad)
        .min_by_key(|l| (rank(&l.supplier), rank(&l.customer)));
    let cells: Vec<Vec<Option<MatrixCell>>> = suppliers
        .iter()
        .map(|sup| {
            customers
                .iter()
                .map(|cus| {
                    let l = *by_pair.get(&(*sup, *cus))?;
                    Some(MatrixCell {
                        badness: (bad(l) / FULL_RED_AT).min(1.0),
                        shown: lang.percent(l.share_good.mean),
                        detail: t.counted(
                            "scorecard.detail",
                            ("n", &lang.count(l.handed.mean)),
                            &[],
                        ),
                        worst: worst.is_some_and(|w| std::ptr::eq(*w, *l)),
                    })
                })
                .collect()
        })
        .collect();
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let chart = svg::matrix(
        &names(&suppliers),
        &names(&customers),
        &cells,
        (t.get("scorecard.rows"), t.get("scorecard.columns")),
        t.get("scorecard.title"),
    );
    // Each supplier's row, a cell per internal customer (a dash: no such link).
    let mut head = vec![t.get("scorecard.rows").to_owned()];
    head.extend(customers.iter().map(|c| c.to_string()));
    let table = DataTable {
        head,
        rows: suppliers
            .iter()
            .zip(&cells)
            .map(|(sup, row)| {
                let mut out = vec![sup.to_string()];
                out.extend(row.iter().map(|cell| {
                    // Blank where the two hand nothing to each other.
                    cell.as_ref()
                        .map_or(String::new(), |c| format!("{} {}", c.shown, c.detail))
                }));
                out
            })
            .collect(),
        summary: None,
    };
    let worst_sentence = worst.map(|w| {
        t.fill(
            "scorecard.worst",
            &[
                ("supplier", &w.supplier),
                ("customer", &w.customer),
                ("share", &lang.percent(w.share_good.mean)),
                ("lost", &lang.count(w.lost.mean)),
                ("caught", &lang.count(w.caught.mean)),
                ("escaped", &lang.count(w.escaped.mean)),
            ],
        )
    });
    Some(html! {
        section {
            h2 { (t.get("scorecard.title")) }
            p.note {
                (t.get("scorecard.note"))
                @if shown < links.len() {
                    " " (t.fill("scorecard.some", &[("shown", &shown.to_string()), ("all", &links.len().to_string())]))
                }
            }
            (super::figure::figure(&chart, "chart-scorecard", t.get("scorecard.title"), &table, lang))
            @if let Some(s) = worst_sentence { p.medium { (s) } }
        }
    })
}

pub(super) fn policy_section(s: &Metrics<Stat>, lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    let p = s.policy.as_ref()?;
    let caught = t.counted(
        "policy.caught",
        ("abusive", &lang.count(p.abusive_orders.mean)),
        &[
            ("caught", &lang.count(p.abuse_caught.mean)),
            ("saved", &lang.grouped(p.abuse_saved.mean)),
            ("cost", &lang.grouped(p.abuse_cost.mean)),
        ],
    );
    let friction = t.counted(
        "policy.friction",
        ("customers", &lang.count(p.customers_lost.mean)),
        &[
            ("problems", &lang.count(p.friction_problems.mean)),
            ("revenue", &lang.grouped(p.revenue_lost.mean)),
        ],
    );
    let verdict_key = if p.revenue_lost.mean > p.abuse_saved.mean {
        "policy.costs_more"
    } else {
        "policy.saves_more"
    };
    let verdict = t.fill(
        verdict_key,
        &[
            ("saved", &lang.grouped(p.abuse_saved.mean)),
            ("revenue", &lang.grouped(p.revenue_lost.mean)),
        ],
    );
    Some(html! {
        section {
            h2 { (t.get("policy.title")) }
            p.medium { (caught) }
            p.medium { (friction) }
            p.big { (verdict) }
            p.note { (t.get("policy.note")) }
        }
    })
}

pub(super) fn learning_section(outcome: &Outcome, lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    let s = &outcome.summary;
    let rows: Vec<_> = s
        .handoffs
        .iter()
        .filter_map(|h| {
            let (error, lose) = (h.error_final?, h.lose_final?);
            let start = outcome
                .scenario
                .handoff_odds
                .iter()
                .find(|o| o.from == h.from && o.to == h.to)?;
            Some((h, start, error, lose))
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let odds = |start: f64, end: Stat| {
        if start > 0.0 {
            t.fill(
                "learning.change",
                &[
                    ("start", &lang.percent(start)),
                    ("end", &lang.percent(end.mean)),
                ],
            )
        } else {
            "–".to_owned()
        }
    };
    let improved = rows
        .iter()
        .filter(|(_, start, error, lose)| error.mean < start.error || lose.mean < start.lose)
        .count();
    let summary = t.counted(
        "learning.summary",
        ("improved", &lang.grouped(improved as f64)),
        &[("all", &lang.grouped(rows.len() as f64))],
    );
    Some(html! {
        section {
            h2 { (t.get("learning.title")) }
            p.medium { (summary) }
            table {
                thead {
                    tr {
                        th { (t.get("learning.handoff")) }
                        th { (t.get("learning.error")) }
                        th { (t.get("learning.lose")) }
                    }
                }
                tbody {
                    @for (h, start, error, lose) in &rows {
                        tr {
                            th { (h.from) " → " (lang.handoff_end(&h.to)) }
                            td { (odds(start.error, *error)) }
                            td { (odds(start.lose, *lose)) }
                        }
                    }
                }
            }
            p.note { (t.get("learning.note")) }
        }
    })
}

/// Staff pools and what the staff cost, where the scenario has them.
pub(super) fn staff_section(s: &Metrics<Stat>, lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    let cost = s.revenue.staff_cost.mean;
    if s.pools.is_empty() && cost.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let pools: Vec<String> = s
        .pools
        .iter()
        .map(|p| {
            t.counted(
                "staff.pool",
                ("served", &lang.count(p.served.mean)),
                &[
                    ("name", &p.name),
                    ("share", &lang.percent(p.utilization.mean)),
                ],
            )
        })
        .collect();
    let cost_sentence = (cost > 0.0).then(|| {
        let share = if s.revenue.earned.mean > 0.0 {
            cost / s.revenue.earned.mean
        } else {
            f64::NAN
        };
        t.fill(
            "staff.cost",
            &[
                ("cost", &lang.grouped(cost)),
                ("share", &lang.percent(share)),
                ("lost", &lang.grouped(s.revenue.lost.mean)),
            ],
        )
    });
    Some(html! {
        section {
            h2 { (t.get("staff.title")) }
            @for p in &pools { p.medium { (p) } }
            @if let Some(c) = cost_sentence { p.medium { (c) } }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::IncidentMetrics;
    use crate::metrics::timeline::Bucket;
    use crate::report::fixture;

    /// Weekly buckets over `weeks` weeks, starting after a 2-day warm-up.
    fn weekly(weeks: usize) -> Vec<Bucket<Stat>> {
        let zero = Stat::default();
        (0..weeks)
            .map(|k| Bucket {
                from_h: 48.0 + k as f64 * WEEK_H,
                to_h: 48.0 + (k + 1) as f64 * WEEK_H,
                orders: zero,
                delivered: zero,
                late: zero,
                defects: zero,
                customers_lost: zero,
                prospects_deterred: zero,
                lost_by_cause: vec![],
                morale: vec![],
                failures: vec![],
            })
            .collect()
    }

    fn incident(name: &str, from_h: f64, to_h: f64, every_h: Option<f64>) -> IncidentMetrics<Stat> {
        IncidentMetrics {
            name: name.into(),
            from_h,
            to_h,
            every_h,
            window_h: 0.0,
            customers_lost: Stat::default(),
            prospects_deterred: Stat::default(),
            revenue_lost: Stat::default(),
            cause_customers_lost: Stat::default(),
        }
    }

    /// Each window's buckets found one by one: every bucket some window overlaps.
    fn touched(outcome: &Outcome) -> Vec<usize> {
        let t = &outcome.timeline;
        let end = t.last().unwrap().to_h;
        let mut hit = vec![false; t.len()];
        for i in &outcome.summary.incidents {
            let mut from = i.from_h;
            while from < end {
                let to = from + (i.to_h - i.from_h);
                for (k, b) in t.iter().enumerate() {
                    hit[k] |= from < b.to_h && to > b.from_h;
                }
                match i.every_h {
                    Some(every) => from += every,
                    None => break,
                }
            }
        }
        (0..t.len()).filter(|&k| hit[k]).collect()
    }

    #[test]
    fn shades_cover_every_window_once_however_many_incidents_repeat() {
        let mut outcome = fixture::outcome(3);
        outcome.timeline = weekly(52);
        let mut incidents = vec![
            incident("strike", 500.0, 600.0, None),
            // Shorter than a week, every three days: every week from its first on.
            incident("outage", 1000.0, 1001.0, Some(72.0)),
        ];
        // A thousand incidents each repeating every ten days, in the same few places.
        incidents.extend((0..1000).map(|i| {
            let from = 3000.0 + f64::from(i % 10);
            incident(&format!("i{i}"), from, from + 2.0, Some(240.0))
        }));
        outcome.summary.incidents = incidents;
        let shades = incident_shades(&outcome);
        let mut shaded: Vec<usize> = shades.iter().flat_map(|s| s.from..=s.to).collect();
        shaded.sort_unstable();
        shaded.dedup();
        assert_eq!(shaded, touched(&outcome));
        // One band per range of buckets: the thousand add a band per week they touch, not a thousand.
        let mut ranges: Vec<(usize, usize)> = shades.iter().map(|s| (s.from, s.to)).collect();
        ranges.dedup();
        assert_eq!(ranges.len(), shades.len());
        assert!(shades.len() < 60, "{} shades", shades.len());
        // The outage is one band from its first week to the last.
        let first = outcome
            .timeline
            .iter()
            .position(|b| 1000.0 < b.to_h)
            .unwrap();
        assert!(
            shades
                .iter()
                .any(|s| s.label == "outage" && (s.from, s.to) == (first, 51)),
            "{shades:?}"
        );
        // Where several are first seen in the same weeks, the first listed names them with a count.
        assert!(shades.iter().all(|s| s.label != "i1"), "{shades:?}");
        assert!(shades.iter().any(|s| s.label == "i0 (+999)"), "{shades:?}");
        // Each incident is named once: at its first band, not at each repetition.
        for name in ["strike", "outage"] {
            assert_eq!(
                shades.iter().filter(|s| s.label == name).count(),
                1,
                "{shades:?}"
            );
        }
    }
}
