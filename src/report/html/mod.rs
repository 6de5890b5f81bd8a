//! The workshop report: one self-contained HTML page a room can read.
//!
//! [`run`] and [`compare`] are pure functions from results to bytes, like the
//! other formats: no clock, no network, no script that runs. The page is
//! inline CSS and SVG (from [`crate::report::svg`]); its words come from the
//! catalogue of the chosen [`Lang`]; it carries the JSON report it was drawn
//! from in a `<script type="application/json">` block, for anyone who wants
//! the numbers.
//!
//! Sections appear only when the results hold their data: the weekly chart
//! needs a timeline, the stories need stories. Mechanisms still to come
//! (morale, failure rates over time, the internal-customer scorecard) add a
//! section function returning `Option<Markup>` to the list in [`run`], drawn
//! when their fields are present in the outcome.

mod i18n;

use maud::{DOCTYPE, Markup, PreEscaped, html};

pub use i18n::{Catalogue, Lang};

use crate::experiment::{Comparison, Outcome};
use crate::metrics::timeline::WEEK_H;
use crate::metrics::{Metrics, Stat};
use crate::report::svg::{self, Bar, ChainEdge, ChainNode, IntervalRow, Series, StayRow};

/// Stayed share per problem path in the TARP studies (small problems), the
/// reference the page sets the simulation beside: said nothing, complained
/// and unresolved, resolved, resolved quickly. See docs/defaults.md.
const TARP_STAYED: [(&str, f64); 4] = [
    ("silent", 0.37),
    ("unresolved", 0.46),
    ("resolved", 0.70),
    ("resolved_quickly", 0.95),
];

/// Causes drawn by name in the weekly chart; the rest are summed as "other causes".
const CAUSES_IN_TIMELINE: usize = 5;
/// Causes drawn in the revenue and comparison charts.
const CAUSES_IN_BARS: usize = 8;

const STYLE: &str = include_str!("page.css");

/// The page for one scenario's outcome. `stories` are a few lost customers'
/// stories (plain text, one per entry), `data` the JSON report embedded in the page.
pub fn run(outcome: &Outcome, stories: &[String], data: &[u8], lang: Lang) -> Vec<u8> {
    let t = lang.catalogue();
    let s = &outcome.summary;
    let sections: Vec<Option<Markup>> = vec![
        Some(headline(outcome, lang)),
        Some(chain_section(s, &outcome.scenario.departments, lang)),
        Some(iceberg_section(s, lang)),
        timeline_section(outcome, lang),
        revenue_section(s, lang),
        paths_section(s, lang),
        stories_section(stories, lang),
    ];
    let body = html! {
        header {
            p.kicker { (t.get("run.kicker")) }
            h1 { (outcome.scenario.name) }
            @if !outcome.scenario.description.is_empty() {
                p.description { (outcome.scenario.description) }
            }
        }
        @for section in sections.into_iter().flatten() {
            (section)
        }
        footer {
            p { (t.fill("run.method", &[
                ("replications", &outcome.scenario.replications.to_string()),
                ("seed", &outcome.scenario.seed.to_string()),
                ("days", &lang.count(outcome.scenario.duration_h / 24.0)),
                ("warmup", &lang.count(outcome.scenario.warmup_h / 24.0)),
            ])) }
            p { (t.get("page.interval")) }
            p { (t.fill("page.made_by", &[("version", env!("CARGO_PKG_VERSION"))])) }
        }
    };
    page(&outcome.scenario.name, body, data, lang)
}

/// The page comparing scenarios; `files[i]` is where scenario `i` came from,
/// `data` the JSON comparison embedded in the page.
pub fn compare(c: &Comparison, files: &[String], data: &[u8], lang: Lang) -> Vec<u8> {
    let t = lang.catalogue();
    let names: Vec<String> = c.outcomes.iter().map(|o| o.scenario.name.clone()).collect();
    let title = names.join(" · ");
    let body = html! {
        header {
            p.kicker { (t.get("compare.kicker")) }
            h1 { (title) }
        }
        section.headline {
            @for sentence in compare_sentences(c, lang) {
                p.big { (sentence) }
            }
        }
        section {
            h2 { (t.get("compare.table_title")) }
            (compare_table(c, files, lang))
        }
        section {
            h2 { (t.get("compare.metrics_title")) }
            p.note { (t.get("compare.metrics_note")) }
            (PreEscaped(svg::interval_rows(&metric_rows(c, lang), &names, t.get("compare.metrics_title"))))
        }
        @if let Some(rows) = cause_rows(c, lang) {
            section {
                h2 { (t.get("compare.causes_title")) }
                p.note { (t.get("compare.causes_note")) }
                (PreEscaped(svg::interval_rows(&rows, &names, t.get("compare.causes_title"))))
            }
        }
        footer {
            p { (t.fill("compare.method", &[
                ("replications", &c.replications.to_string()),
                ("seed", &c.seed.to_string()),
            ])) }
            p { (t.get("page.interval")) }
            p { (t.fill("page.made_by", &[("version", env!("CARGO_PKG_VERSION"))])) }
        }
    };
    page(&title, body, data, lang)
}

/// The document around a body: styles inline, the data as inert JSON.
fn page(title: &str, body: Markup, data: &[u8], lang: Lang) -> Vec<u8> {
    let t = lang.catalogue();
    // `</` cannot end the script block early once written `<\/` (the same JSON string).
    let data = String::from_utf8_lossy(data).replace("</", "<\\/");
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · handoff" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main { (body) }
                p.data-note { (t.get("page.data_note")) }
                script type="application/json" id="handoff-data" { (PreEscaped(data.trim_end())) }
            }
        }
    };
    let mut bytes = markup.into_string().into_bytes();
    bytes.push(b'\n');
    bytes
}

fn headline(outcome: &Outcome, lang: Lang) -> Markup {
    let t = lang.catalogue();
    let c = &outcome.summary.customers;
    let r = &outcome.summary.revenue;
    let share = if c.arrived.mean > 0.0 {
        c.lost.mean / c.arrived.mean
    } else {
        f64::NAN
    };
    let lost = t.fill(
        "headline.lost",
        &[
            ("lost", &lang.count(c.lost.mean)),
            ("share", &lang.percent(share)),
            ("arrived", &lang.count(c.arrived.mean)),
        ],
    );
    let revenue = t.fill(
        "headline.revenue",
        &[
            ("revenue", &lang.grouped(r.lost.mean)),
            ("prospects", &lang.count(c.prospects_deterred.mean)),
        ],
    );
    let iceberg = iceberg_sentence(&outcome.summary, lang);
    html! {
        section.headline {
            p.big { (lost) }
            p.medium { (revenue) }
            p.medium { (iceberg) }
        }
    }
}

/// "For every complaint heard, N customers left without a word."
fn iceberg_sentence(s: &Metrics<Stat>, lang: Lang) -> String {
    let t = lang.catalogue();
    let c = &s.customers;
    if c.complaints.mean > 0.0 {
        t.fill(
            "headline.iceberg",
            &[
                (
                    "ratio",
                    &lang.fixed(c.silent_defections.mean / c.complaints.mean, 1),
                ),
                ("complaints", &lang.count(c.complaints.mean)),
                ("silent", &lang.count(c.silent_defections.mean)),
            ],
        )
    } else {
        t.fill(
            "headline.iceberg_no_complaints",
            &[("silent", &lang.count(c.silent_defections.mean))],
        )
    }
}

/// A root cause in the room's words: `handoff:sales->billing:error` → "errors passed from sales to billing".
fn cause_words(cause: &str, lang: Lang) -> String {
    let t = lang.catalogue();
    let target = |name: &str| {
        if name == "customer" {
            t.get("chain.customer").to_owned()
        } else {
            name.to_owned()
        }
    };
    if let Some(rest) = cause.strip_prefix("handoff:")
        && let Some((pair, kind)) = rest.rsplit_once(':')
        && let Some((from, to)) = pair.split_once("->")
    {
        let key = match kind {
            "lose" => "cause.lose",
            "error" => "cause.error",
            _ => "cause.delay",
        };
        return t.fill(key, &[("from", from), ("to", &target(to))]);
    }
    if let Some(rest) = cause.strip_prefix("department:")
        && let Some((dept, kind)) = rest.rsplit_once(':')
    {
        let key = if kind == "rude" {
            "cause.rude"
        } else {
            "cause.wait"
        };
        return t.fill(key, &[("dept", dept)]);
    }
    if cause == "policy:friction" {
        return t.get("cause.friction").to_owned();
    }
    cause.to_owned()
}

/// Customers one handoff's breaks cost (its lose, error and delay causes).
fn handoff_cost(s: &Metrics<Stat>, from: &str, to: &str) -> f64 {
    let prefix = format!("handoff:{from}->{to}:");
    s.lost_by_cause
        .iter()
        .filter(|c| c.cause.starts_with(&prefix))
        .map(|c| c.customers.mean)
        .sum()
}

fn chain_section(s: &Metrics<Stat>, staff: &[crate::experiment::StaffInfo], lang: Lang) -> Markup {
    let t = lang.catalogue();
    // Boxes in the order work first reaches them, then the customer, then
    // departments off the chain (complaint handling).
    let mut order: Vec<String> = Vec::new();
    let push = |name: &str, order: &mut Vec<String>| {
        if name != "customer" && !order.iter().any(|o| o == name) {
            order.push(name.to_owned());
        }
    };
    for h in &s.handoffs {
        push(&h.from, &mut order);
        push(&h.to, &mut order);
    }
    let on_chain = order.len();
    for d in &s.departments {
        push(&d.name, &mut order);
    }
    let customer_at = on_chain;
    let mut nodes: Vec<ChainNode> = Vec::new();
    let department_node = |name: &str| {
        let staff = staff.iter().find(|d| d.name == name).map(|d| d.staff);
        let util = s
            .departments
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.utilization.mean);
        let cost = s
            .lost_by_cause
            .iter()
            .find(|c| c.cause == format!("department:{name}:wait"))
            .map_or(0.0, |c| c.customers.mean);
        let mut lines = Vec::new();
        if let Some(n) = staff {
            let key = if n == 1 {
                "chain.staff_one"
            } else {
                "chain.staff"
            };
            lines.push(t.fill(key, &[("staff", &n.to_string())]));
        }
        if let Some(u) = util {
            lines.push(t.fill("chain.busy", &[("share", &lang.percent(u))]));
        }
        ChainNode {
            name: name.to_owned(),
            lines,
            cost,
            cost_shown: t.fill("chain.cost", &[("customers", &lang.count(cost))]),
            customer: false,
        }
    };
    for name in &order[..on_chain] {
        nodes.push(department_node(name));
    }
    nodes.push(ChainNode {
        name: t.get("chain.customer").to_owned(),
        lines: vec![],
        cost: 0.0,
        cost_shown: String::new(),
        customer: true,
    });
    for name in &order[on_chain..] {
        nodes.push(department_node(name));
    }
    let index = |name: &str| {
        if name == "customer" {
            Some(customer_at)
        } else {
            order[..on_chain].iter().position(|o| o == name)
        }
    };
    let edges: Vec<ChainEdge> = s
        .handoffs
        .iter()
        .filter_map(|h| {
            let cost = handoff_cost(s, &h.from, &h.to);
            Some(ChainEdge {
                from: index(&h.from)?,
                to: index(&h.to)?,
                cost,
                cost_shown: t.fill("chain.cost", &[("customers", &lang.count(cost))]),
            })
        })
        .collect();
    html! {
        section {
            h2 { (t.get("chain.title")) }
            p.note { (t.get("chain.note")) }
            (PreEscaped(svg::chain(&nodes, &edges, t.get("chain.title"))))
        }
    }
}

fn iceberg_section(s: &Metrics<Stat>, lang: Lang) -> Markup {
    let t = lang.catalogue();
    let c = &s.customers;
    let row = |key: &str, v: f64| (t.get(key).to_owned(), lang.count(v), v);
    let above = vec![row("iceberg.complaints", c.complaints.mean)];
    let below = vec![
        row("iceberg.silent", c.silent_defections.mean),
        row("iceberg.deterred", c.prospects_deterred.mean),
    ];
    html! {
        section {
            h2 { (t.get("iceberg.title")) }
            p.note { (iceberg_sentence(s, lang)) }
            (PreEscaped(svg::iceberg(&above, &below, t.get("iceberg.waterline"), t.get("iceberg.title"))))
        }
    }
}

fn timeline_section(outcome: &Outcome, lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    let timeline = &outcome.timeline;
    if timeline.is_empty() {
        return None;
    }
    let named: Vec<&str> = outcome
        .summary
        .lost_by_cause
        .iter()
        .filter(|c| c.customers.mean > 0.0)
        .take(CAUSES_IN_TIMELINE)
        .map(|c| c.cause.as_str())
        .collect();
    let mut series: Vec<Series> = named
        .iter()
        .enumerate()
        .map(|(i, cause)| Series {
            label: cause_words(cause, lang),
            color: svg::PALETTE[i],
            values: timeline
                .iter()
                .map(|b| {
                    b.lost_by_cause
                        .iter()
                        .find(|c| c.cause == *cause)
                        .map_or(0.0, |c| c.customers.mean)
                })
                .collect(),
        })
        .collect();
    let other: Vec<f64> = timeline
        .iter()
        .map(|b| {
            b.lost_by_cause
                .iter()
                .filter(|c| !named.contains(&c.cause.as_str()))
                .map(|c| c.customers.mean)
                .sum()
        })
        .collect();
    if other.iter().any(|v| *v > 0.0) {
        series.push(Series {
            label: t.get("timeline.other").to_owned(),
            color: svg::QUIET,
            values: other,
        });
    }
    let start = outcome.scenario.warmup_h;
    let labels: Vec<String> = timeline
        .iter()
        .map(|b| lang.grouped(((b.from_h - start) / WEEK_H).round() + 1.0))
        .collect();
    let chart = svg::stacked_bars(
        &series,
        &labels,
        t.get("timeline.axis"),
        &[],
        t.get("timeline.title"),
    );
    Some(html! {
        section {
            h2 { (t.get("timeline.title")) }
            p.note { (t.get("timeline.note")) }
            (PreEscaped(chart))
        }
    })
}

fn revenue_section(s: &Metrics<Stat>, lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    let mut causes: Vec<_> = s
        .lost_by_cause
        .iter()
        .filter(|c| c.revenue.mean > 0.0)
        .collect();
    if causes.is_empty() {
        return None;
    }
    causes.sort_by(|a, b| {
        b.revenue
            .mean
            .total_cmp(&a.revenue.mean)
            .then_with(|| a.cause.cmp(&b.cause))
    });
    let bars: Vec<Bar> = causes
        .iter()
        .take(CAUSES_IN_BARS)
        .map(|c| Bar {
            label: cause_words(&c.cause, lang),
            value: c.revenue.mean,
            ci95: c.revenue.ci95,
            shown: lang.grouped(c.revenue.mean),
        })
        .collect();
    Some(html! {
        section {
            h2 { (t.get("revenue.title")) }
            p.note { (t.fill("revenue.note", &[("total", &lang.grouped(s.revenue.lost.mean))])) }
            (PreEscaped(svg::ranked_bars(&bars, t.get("revenue.title"))))
        }
    })
}

fn paths_section(s: &Metrics<Stat>, lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    if s.paths.iter().all(|p| p.problems.mean <= 0.0) {
        return None;
    }
    let rows: Vec<StayRow> = TARP_STAYED
        .iter()
        .map(|(path, reference)| {
            let p = s.paths.iter().find(|p| p.path == *path);
            let share = p
                .filter(|p| p.problems.mean > 0.0)
                .map(|p| p.stayed.mean / p.problems.mean);
            let problems = p.map_or(0.0, |p| p.problems.mean);
            StayRow {
                label: t.get(&format!("path.{path}")).to_owned(),
                share,
                shown: match share {
                    Some(x) => t.fill(
                        "paths.shown",
                        &[
                            ("share", &lang.percent(x)),
                            ("problems", &lang.count(problems)),
                        ],
                    ),
                    None => t.get("paths.none").to_owned(),
                },
                reference: *reference,
                reference_shown: t.fill(
                    "paths.reference_shown",
                    &[("share", &lang.percent(*reference))],
                ),
            }
        })
        .collect();
    Some(html! {
        section {
            h2 { (t.get("paths.title")) }
            p.note { (t.get("paths.note")) }
            (PreEscaped(svg::stay_bars(&rows, t.get("paths.legend_model"), t.get("paths.legend_reference"), t.get("paths.title"))))
        }
    })
}

fn stories_section(stories: &[String], lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    if stories.is_empty() {
        return None;
    }
    Some(html! {
        section.stories {
            h2 { (t.get("stories.title")) }
            p.note { (t.get("stories.note")) }
            @for story in stories {
                @let mut lines = story.lines();
                article.story {
                    @if let Some(first) = lines.next() {
                        h3 { (first.trim()) }
                    }
                    ul {
                        @for line in lines {
                            li { (line.trim()) }
                        }
                    }
                }
            }
        }
    })
}

/// Metric names as the room reads them.
fn metric_words(metric: &str, lang: Lang) -> String {
    let t = lang.catalogue();
    if let Some(rest) = metric.strip_prefix("departments.") {
        if let Some(name) = rest.strip_suffix(".utilization") {
            return t.fill("metric.utilization", &[("dept", name)]);
        }
        if let Some(name) = rest.strip_suffix(".mean_wait_h") {
            return t.fill("metric.mean_wait_h", &[("dept", name)]);
        }
    }
    let key = format!("metric.{metric}");
    match lang.catalogue().keys().any(|k| k == key) {
        true => t.get(&key).to_owned(),
        false => metric.to_owned(),
    }
}

/// A statistic as text in the unit of `metric`.
fn metric_value(metric: &str, s: Stat, lang: Lang) -> String {
    if metric.ends_with("_h") {
        // Durations pick a unit that fits (min, h, d), mean and interval alike.
        let text = crate::report::human::stat_duration(s).joined();
        return match lang {
            Lang::En => text,
            Lang::Es => text.replace('.', ","),
        };
    }
    let show = |x: f64| {
        if metric.ends_with(".utilization") {
            lang.percent(x)
        } else if metric.starts_with("revenue.") {
            lang.grouped(x)
        } else {
            lang.count(x)
        }
    };
    match s.ci95 {
        Some(h) => format!("{} ± {}", show(s.mean), show(h)),
        None => show(s.mean),
    }
}

fn stat_of(outcome: &Outcome, metric: &str) -> Option<Stat> {
    outcome
        .summary
        .named()
        .into_iter()
        .find(|(k, _)| k == metric)
        .map(|(_, v)| v)
}

/// Whether scenario `i` differs significantly from the first in `metric`.
fn significant<'c>(
    c: &'c Comparison,
    i: usize,
    metric: &str,
) -> Option<&'c crate::experiment::Difference> {
    let name = &c.outcomes[i].scenario.name;
    let per = c.metrics.len();
    c.differences
        .get((i - 1) * per..i * per)?
        .iter()
        .find(|d| d.metric == metric && &d.scenario == name)
}

fn compare_sentences(c: &Comparison, lang: Lang) -> Vec<String> {
    let t = lang.catalogue();
    let first = &c.outcomes[0].scenario.name;
    if c.replications < 2 {
        return vec![t.get("compare.one_replication").to_owned()];
    }
    (1..c.outcomes.len())
        .map(|i| {
            let name = &c.outcomes[i].scenario.name;
            let Some(d) = significant(c, i, "customers.lost") else {
                return String::new();
            };
            let amount = lang.count(d.mean.abs());
            let ci = d.ci95.map_or(String::new(), |h| lang.count(h));
            let revenue = significant(c, i, "revenue.lost")
                .map_or(String::new(), |r| lang.grouped(r.mean.abs()));
            let key = match (d.significant, d.mean < 0.0) {
                (false, _) => "compare.no_difference",
                (true, true) => "compare.fewer",
                (true, false) => "compare.more",
            };
            t.fill(
                key,
                &[
                    ("name", name),
                    ("first", first),
                    ("amount", &amount),
                    ("ci", &ci),
                    ("revenue", &revenue),
                ],
            )
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn compare_table(c: &Comparison, files: &[String], lang: Lang) -> Markup {
    let t = lang.catalogue();
    html! {
        table {
            thead {
                tr {
                    th { (t.get("compare.metric")) }
                    @for (i, o) in c.outcomes.iter().enumerate() {
                        th {
                            span.swatch style=(format!("background:{}", svg::PALETTE[i % svg::PALETTE.len()])) {}
                            (o.scenario.name)
                            @if let Some(f) = files.get(i) { br; small { (f) } }
                        }
                    }
                }
            }
            tbody {
                @for metric in &c.metrics {
                    tr {
                        th { (metric_words(metric, lang)) }
                        @for (i, o) in c.outcomes.iter().enumerate() {
                            @let value = stat_of(o, metric).map_or("–".to_owned(), |s| metric_value(metric, s, lang));
                            @let marked = i > 0 && significant(c, i, metric).is_some_and(|d| d.significant);
                            @if marked {
                                td.significant { (value) " ◆" }
                            } @else {
                                td { (value) }
                            }
                        }
                    }
                }
            }
        }
        p.note { (t.get("compare.mark_note")) }
    }
}

/// The customer-facing metrics as dots with intervals.
fn metric_rows(c: &Comparison, lang: Lang) -> Vec<IntervalRow> {
    const SHOWN: [&str; 7] = [
        "customers.lost",
        "customers.prospects_deterred",
        "customers.silent_defections",
        "customers.complaints",
        "revenue.lost",
        "orders.late",
        "orders.defects",
    ];
    SHOWN
        .iter()
        .filter(|m| c.metrics.iter().any(|x| x == *m))
        .map(|metric| IntervalRow {
            label: metric_words(metric, lang),
            points: c
                .outcomes
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let s = stat_of(o, metric).unwrap_or(Stat {
                        mean: f64::NAN,
                        ci95: None,
                    });
                    let sig = i > 0 && significant(c, i, metric).is_some_and(|d| d.significant);
                    (s.mean, s.ci95, metric_value(metric, s, lang), sig)
                })
                .collect(),
        })
        .collect()
}

/// The costliest causes across scenarios, each with its customers lost per
/// scenario and its interval (the comparison keeps paired differences for the
/// key metrics only, so no cause is marked significant).
fn cause_rows(c: &Comparison, lang: Lang) -> Option<Vec<IntervalRow>> {
    let mut causes: Vec<(f64, &str)> = Vec::new();
    for o in &c.outcomes {
        for cause in &o.summary.lost_by_cause {
            match causes.iter_mut().find(|(_, n)| *n == cause.cause) {
                Some(entry) => entry.0 = entry.0.max(cause.customers.mean),
                None => causes.push((cause.customers.mean, &cause.cause)),
            }
        }
    }
    causes.retain(|(v, _)| *v > 0.0);
    if causes.is_empty() {
        return None;
    }
    causes.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    Some(
        causes
            .iter()
            .take(CAUSES_IN_BARS)
            .map(|(_, cause)| {
                IntervalRow {
                    label: cause_words(cause, lang),
                    points: c
                        .outcomes
                        .iter()
                        .map(|o| {
                            let s = o
                                .summary
                                .lost_by_cause
                                .iter()
                                .find(|x| x.cause == *cause)
                                .map_or(
                                    Stat {
                                        mean: 0.0,
                                        ci95: None,
                                    },
                                    |x| x.customers,
                                );
                            // Paired differences per cause are not kept by the comparison:
                            // every dot is drawn as a ring beside the first scenario's.
                            (s.mean, s.ci95, metric_value("customers", s, lang), false)
                        })
                        .collect(),
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn page_text(lang: Lang) -> String {
        let outcome = fixture::outcome(3);
        let stories = vec!["Customer 7 left on day 3.\n  day 1.0  placed order 1\n".to_owned()];
        let data = crate::report::json::render(&outcome);
        String::from_utf8(run(&outcome, &stories, &data, lang)).unwrap()
    }

    #[test]
    fn the_page_stands_alone() {
        for lang in [Lang::En, Lang::Es] {
            let page = page_text(lang);
            for outside in ["http:", "https:", "//", "src=", "href=", "url(", "@import"] {
                assert!(!page.contains(outside), "{lang:?} page contains {outside}");
            }
            assert!(page.starts_with("<!DOCTYPE html>"));
            assert!(page.contains("<script type=\"application/json\" id=\"handoff-data\">{"));
        }
    }

    #[test]
    fn the_embedded_data_is_the_json_report() {
        let outcome = fixture::outcome(3);
        let data = crate::report::json::render(&outcome);
        let page = String::from_utf8(run(&outcome, &[], &data, Lang::En)).unwrap();
        let start = page.find("id=\"handoff-data\">").unwrap() + "id=\"handoff-data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        let embedded: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        let original: serde_json::Value = serde_json::from_slice(&data).unwrap();
        assert_eq!(embedded, original);
    }

    #[test]
    fn a_closing_tag_in_a_name_cannot_end_the_data_block() {
        let mut outcome = fixture::outcome(3);
        outcome.scenario.name = "</script><b>x".into();
        let data = crate::report::json::render(&outcome);
        let page = String::from_utf8(run(&outcome, &[], &data, Lang::En)).unwrap();
        assert_eq!(page.matches("</script>").count(), 1);
        assert!(page.trim_end().ends_with("</script></body></html>"));
        // Outside the data block, the name is text, never markup.
        assert!(page.contains("<h1>&lt;/script&gt;&lt;b&gt;x</h1>"));
    }

    #[test]
    fn the_languages_differ_and_the_numbers_follow_them() {
        let en = page_text(Lang::En);
        let es = page_text(Lang::Es);
        assert!(en.contains("<html lang=\"en\">"));
        assert!(es.contains("<html lang=\"es\">"));
        assert!(en.contains(Lang::En.catalogue().get("iceberg.title")));
        assert!(es.contains(Lang::Es.catalogue().get("iceberg.title")));
        assert_ne!(
            Lang::En.catalogue().get("iceberg.title"),
            Lang::Es.catalogue().get("iceberg.title")
        );
    }

    #[test]
    fn causes_read_as_words() {
        assert_eq!(
            cause_words("handoff:sales->billing:error", Lang::En),
            Lang::En
                .catalogue()
                .fill("cause.error", &[("from", "sales"), ("to", "billing")])
        );
        let to_customer = cause_words("handoff:billing->customer:lose", Lang::Es);
        assert!(to_customer.contains(Lang::Es.catalogue().get("chain.customer")));
        assert!(cause_words("department:pack:wait", Lang::En).contains("pack"));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(page_text(Lang::Es), page_text(Lang::Es));
    }
}
