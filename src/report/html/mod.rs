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

mod failures;
mod figure;
mod mechanisms;

use std::collections::{HashMap, HashSet};

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::i18n::CUSTOMER;
pub use super::i18n::{Catalogue, Lang};

use crate::experiment::{Comparison, Difference, Outcome};
use crate::metrics::timeline::WEEK_H;
use crate::metrics::{Metrics, Stat};
use crate::report::compare as compare_text;
use crate::report::human::{self, Shown};
use crate::report::svg::{self, Bar, ChainEdge, ChainNode, IntervalRow, Series, StayRow};
use crate::trace::Told;
use figure::{DataTable, figure};

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

/// The page for one scenario's outcome. `stories` are a few customers'
/// stories in `lang`, `data` the JSON report embedded in the page.
pub fn run(outcome: &Outcome, stories: &[Told], data: &[u8], lang: Lang) -> Vec<u8> {
    let t = lang.catalogue();
    let s = &outcome.summary;
    let sections: Vec<Option<Markup>> = vec![
        Some(headline(outcome, lang)),
        Some(chain_section(s, &outcome.scenario.departments, lang)),
        Some(iceberg_section(s, lang)),
        mechanisms::staff_section(s, lang),
        timeline_section(outcome, lang),
        mechanisms::incidents_section(outcome, lang),
        revenue_section(s, lang),
        paths_section(s, lang),
        mechanisms::morale_section(outcome, lang),
        failures::failures_section(outcome, lang),
        mechanisms::learning_section(outcome, lang),
        mechanisms::scorecard_section(s, lang),
        mechanisms::policy_section(s, lang),
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
            p { (run_method(outcome, lang)) }
            @if outcome.scenario.replications > 1 {
                p { (t.get("page.interval")) }
            } @else {
                p { (t.get("page.no_interval")) }
            }
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
            @for (big, sentence) in compare_sentences(c, lang) {
                @if big { p.big { (sentence) } } @else { p.medium { (sentence) } }
            }
        }
        section {
            h2 { (t.get("compare.table_title")) }
            (compare_table(c, files, lang))
        }
        section {
            h2 { (t.get("compare.metrics_title")) }
            p.note { (t.get("compare.metrics_note")) }
            (interval_figure(&metric_rows(c, lang), &names, "chart-metrics", t.get("compare.metrics_title"), lang))
        }
        @if let Some(rows) = cause_rows(c, lang) {
            section {
                h2 { (t.get("compare.causes_title")) }
                p.note { (t.get("compare.causes_note")) }
                (interval_figure(&rows, &names, "chart-causes", t.get("compare.causes_title"), lang))
            }
        }
        footer {
            p { (t.fill("compare.method", &[
                ("replications", &replications(c.replications, lang)),
                ("seed", &c.seed.to_string()),
            ])) }
            @if c.replications > 1 {
                p { (t.get("page.interval")) }
            } @else {
                p { (t.get("page.no_interval")) }
            }
            p { (t.fill("page.made_by", &[("version", env!("CARGO_PKG_VERSION"))])) }
        }
    };
    page(&title, body, data, lang)
}

/// "20 replications of 365 days each (seed 42); the first 60 days are a warm-up …"
fn run_method(outcome: &Outcome, lang: Lang) -> String {
    let t = lang.catalogue();
    let scenario = &outcome.scenario;
    let warmup_days = lang.count(scenario.warmup_h / 24.0);
    let warmup = if scenario.warmup_h > 0.0 {
        t.counted("run.warmup", ("warmup", &warmup_days), &[])
    } else {
        t.get("run.no_warmup").to_owned()
    };
    t.fill(
        "run.method",
        &[
            ("replications", &replications(scenario.replications, lang)),
            (
                "days",
                &t.counted(
                    "n.days",
                    ("n", &lang.count(scenario.duration_h / 24.0)),
                    &[],
                ),
            ),
            ("seed", &scenario.seed.to_string()),
            ("warmup", &warmup),
        ],
    )
}

/// "20 replications", "1 replication".
fn replications(n: u32, lang: Lang) -> String {
    lang.catalogue()
        .counted("n.replications", ("n", &lang.grouped(n.into())), &[])
}

/// The document around a body: styles inline, the data as inert JSON.
fn page(title: &str, body: Markup, data: &[u8], lang: Lang) -> Vec<u8> {
    let t = lang.catalogue();
    // `</` cannot end the script block early once written `<\/`, and `<!--`
    // (which, followed by `<script`, would make the browser read on past the
    // block's own `</script>`) is written `<\u0021--`: the same JSON strings.
    let data = String::from_utf8_lossy(data)
        .replace("</", "<\\/")
        .replace("<!--", "<\\u0021--");
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
    let lost = if c.arrived.mean > 0.0 {
        t.counted(
            "headline.lost",
            ("lost", &lang.count(c.lost.mean)),
            &[
                ("share", &lang.percent(share)),
                ("arrived", &lang.count(c.arrived.mean)),
            ],
        )
    } else {
        // Not "0 customers lost: – of the 0 who came".
        t.get("headline.nobody_came").to_owned()
    };
    let revenue = t.counted(
        "headline.revenue",
        ("prospects", &lang.count(c.prospects_deterred.mean)),
        &[("revenue", &lang.grouped(r.lost.mean))],
    );
    let iceberg = iceberg_sentence(&outcome.summary, lang);
    // The headline's means, with how sure they are (several replications only).
    let interval = match (c.lost.ci95, r.lost.ci95) {
        (Some(l), Some(v)) if l.is_finite() && v.is_finite() => Some(t.fill(
            "headline.interval",
            &[
                ("lost", &with_ci(c.lost, lang)),
                ("revenue", &with_ci(r.lost, lang)),
            ],
        )),
        _ => None,
    };
    html! {
        section.headline {
            p.big { (lost) }
            p.medium { (revenue) }
            p.medium { (iceberg) }
            @if let Some(interval) = interval {
                p.note { (interval) }
            }
        }
    }
}

/// "For every complaint heard, N customers left without a word."
fn iceberg_sentence(s: &Metrics<Stat>, lang: Lang) -> String {
    let t = lang.catalogue();
    let c = &s.customers;
    let silent = lang.count(c.silent_defections.mean);
    if c.complaints.mean > 0.0 {
        let complaints = lang.count(c.complaints.mean);
        t.counted(
            "headline.iceberg",
            (
                "ratio",
                &lang.fixed(c.silent_defections.mean / c.complaints.mean, 1),
            ),
            &[
                (
                    "complaints",
                    &t.counted("n.complaints", ("n", &complaints), &[]),
                ),
                ("silent", &t.counted("n.silent", ("n", &silent), &[])),
            ],
        )
    } else if c.silent_defections.mean > 0.0 {
        t.counted("headline.iceberg_no_complaints", ("silent", &silent), &[])
    } else {
        t.get("headline.iceberg_nothing").to_owned()
    }
}

/// A root cause in the room's words: `handoff:sales->billing:error` → "errors passed from sales to billing".
fn cause_words(cause: &str, lang: Lang) -> String {
    let t = lang.catalogue();
    if let Some(rest) = cause.strip_prefix("handoff:")
        && let Some((pair, kind)) = rest.rsplit_once(':')
        && let Some((from, to)) = pair.split_once("->")
    {
        let key = match kind {
            "lose" => "cause.lose",
            "error" => "cause.error",
            _ => "cause.delay",
        };
        return t.fill(key, &[("from", from), ("to", lang.handoff_end(to))]);
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

/// The rows of `lost_by_cause` under each prefix of their cause ids that
/// ends with `:` (`handoff:a->b:`, `department:a:`), in their order, so that
/// the causes of one department or handoff are found without a search of
/// every cause for each (which took minutes with 100 000 departments).
struct CausesByPrefix<'a> {
    s: &'a Metrics<Stat>,
    rows: HashMap<&'a str, Vec<usize>>,
}

impl<'a> CausesByPrefix<'a> {
    fn new(s: &'a Metrics<Stat>) -> CausesByPrefix<'a> {
        let mut rows: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, c) in s.lost_by_cause.iter().enumerate() {
            for (at, _) in c.cause.match_indices(':') {
                rows.entry(&c.cause[..=at]).or_default().push(i);
            }
        }
        CausesByPrefix { s, rows }
    }

    /// Customers lost to every cause whose id starts with `prefix` (which
    /// ends with `:`), summed in the order of `lost_by_cause`.
    fn customers(&self, prefix: &str) -> f64 {
        self.rows
            .get(prefix)
            .into_iter()
            .flatten()
            .map(|&i| self.s.lost_by_cause[i].customers.mean)
            .sum()
    }

    /// Customers one handoff's breaks cost (its lose, error and delay causes).
    fn handoff(&self, from: &str, to: &str) -> f64 {
        self.customers(&format!("handoff:{from}->{to}:"))
    }

    /// Customers lost to every cause attributed to department `name` (its
    /// queue's wait, its rudeness, and any later `department:NAME:…` cause),
    /// summed: the box must carry all of them, not only the waiting.
    fn department(&self, name: &str) -> f64 {
        self.customers(&format!("department:{name}:"))
    }
}

/// Departments in the order work first reaches them along the handoffs.
fn chain_order(s: &Metrics<Stat>) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for h in &s.handoffs {
        for name in [&h.from, &h.to] {
            if name != CUSTOMER && seen.insert(name) {
                order.push(name.clone());
            }
        }
    }
    order
}

/// A count with its interval, `12 ± 3`, rounded as the text report rounds it
/// (whole counts, the half-width to the same place as the mean).
fn with_ci(x: Stat, lang: Lang) -> String {
    on_page(human::stat_count(x), lang)
}

/// A statistic rounded by the text reports' rules ([`human`], [`compare_text`]),
/// written as the page writes numbers: the language's decimal mark, thousands
/// grouped by a thin space, `%` and `±` held to their numbers by non-breaking
/// spaces. The digits are the text report's: only the spacing differs.
fn on_page(shown: Shown, lang: Lang) -> String {
    let number = |text: String| {
        let text: Vec<char> = human::in_lang(text, lang).chars().collect();
        let digit = |i: Option<&char>| i.is_some_and(|c| c.is_ascii_digit());
        let mut out = String::with_capacity(text.len() + 4);
        for (i, &c) in text.iter().enumerate() {
            if c == ' ' && i > 0 && digit(text.get(i - 1)) && digit(text.get(i + 1)) {
                out.push('\u{202f}');
            } else if c == ' ' && text.get(i + 1) == Some(&'%') {
                out.push('\u{a0}');
            } else {
                out.push(c);
            }
        }
        out
    };
    match shown.ci95 {
        Some(ci) => format!("{}{PLUS_MINUS}{}", number(shown.mean), number(ci)),
        None => number(shown.mean),
    }
}

fn chain_section(s: &Metrics<Stat>, staff: &[crate::experiment::StaffInfo], lang: Lang) -> Markup {
    let t = lang.catalogue();
    let mut order = chain_order(s);
    let on_chain = order.len();
    // Looked up by name, not searched for: with 100 000 departments a search
    // per department took minutes.
    let position: HashMap<String, usize> = order
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), i))
        .collect();
    for d in &s.departments {
        if !position.contains_key(&d.name) {
            order.push(d.name.clone());
        }
    }
    let mut infos: HashMap<&str, &crate::experiment::StaffInfo> = HashMap::new();
    for d in staff {
        infos.entry(d.name.as_str()).or_insert(d);
    }
    let mut metrics: HashMap<&str, &crate::metrics::DepartmentMetrics<Stat>> = HashMap::new();
    for d in &s.departments {
        metrics.entry(d.name.as_str()).or_insert(d);
    }
    let causes = CausesByPrefix::new(s);
    let customer_at = on_chain;
    let mut nodes: Vec<ChainNode> = Vec::new();
    let department_node = |name: &str| {
        let info = infos.get(name).copied();
        let staff = info.map(|d| d.staff);
        let department = metrics.get(name).copied();
        let util = department.map(|d| d.utilization.mean);
        let cost = causes.department(name);
        let mut lines = Vec::new();
        // A department with no staff of its own is served by a shared pool:
        // its own "0 people, 0 % busy" would mislead.
        let pooled = staff == Some(0) && !s.pools.is_empty();
        if pooled {
            // Named with its pool(s) below, where the outcome knows them.
            if info.is_none_or(|i| i.pools.is_empty()) {
                lines.push(t.get("chain.pooled").to_owned());
            }
        } else if let Some(n) = staff {
            lines.push(t.counted("chain.staff", ("staff", &lang.grouped(n as f64)), &[]));
        }
        if let Some(u) = util.filter(|_| !pooled) {
            lines.push(t.fill("chain.busy", &[("share", &lang.percent(u))]));
        }
        if let Some(m) = department.and_then(|d| mechanisms::morale_line(d, lang)) {
            lines.push(m);
        }
        if let Some(info) = info {
            lines.extend(failures::hours_line(&info.hours, lang));
            // Its own staff helped by a pool when they are busy, or only a pool.
            let key = if pooled {
                "failures.pool"
            } else {
                "failures.hours_pool"
            };
            for pool in &info.pools {
                lines.push(t.fill(key, &[("name", pool)]));
            }
        }
        ChainNode {
            name: name.to_owned(),
            lines,
            cost,
            cost_shown: t.counted("chain.cost", ("customers", &lang.count(cost)), &[]),
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
        if name == CUSTOMER {
            Some(customer_at)
        } else {
            position.get(name).copied()
        }
    };
    let edges: Vec<ChainEdge> = s
        .handoffs
        .iter()
        .filter_map(|h| {
            let cost = causes.handoff(&h.from, &h.to);
            Some(ChainEdge {
                from: index(&h.from)?,
                to: index(&h.to)?,
                cost,
                cost_shown: t.counted("chain.cost", ("customers", &lang.count(cost)), &[]),
            })
        })
        .collect();
    // The boxes, then the arrows, each with the customers it cost.
    let mut rows: Vec<Vec<String>> = nodes
        .iter()
        .filter(|n| !n.customer)
        .map(|n| vec![n.name.clone(), lang.count(n.cost), n.lines.join(", ")])
        .collect();
    rows.extend(edges.iter().map(|e| {
        let name = format!("{} → {}", nodes[e.from].name, nodes[e.to].name);
        vec![name, lang.count(e.cost), String::new()]
    }));
    let table = DataTable {
        head: vec![
            String::new(),
            t.get("chart.customers_lost").to_owned(),
            t.get("chart.details").to_owned(),
        ],
        rows,
        // `sales: 0 lost, 3 people, 18 % busy; sales → production: 7.2 lost; …`
        summary: Some(format!(
            "{}.",
            nodes
                .iter()
                .filter(|n| !n.customer)
                .map(|n| (n.name.clone(), &n.cost_shown, n.lines.as_slice()))
                .chain(edges.iter().map(|e| {
                    let name = format!("{} → {}", nodes[e.from].name, nodes[e.to].name);
                    (name, &e.cost_shown, &[][..])
                }))
                .map(|(name, cost, lines)| {
                    let mut parts = vec![cost.clone()];
                    parts.extend(lines.iter().cloned());
                    format!("{name}: {}", parts.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; ")
        )),
    };
    let title = t.get("chain.title");
    html! {
        section {
            h2 { (title) }
            p.note { (t.get("chain.note")) }
            (figure(&svg::chain(&nodes, &edges, title), "chart-chain", title, &table, lang))
        }
    }
}

fn iceberg_section(s: &Metrics<Stat>, lang: Lang) -> Markup {
    let t = lang.catalogue();
    let c = &s.customers;
    let row = |key: &str, v: f64| {
        let shown = lang.count(v);
        (t.counted(key, ("n", &shown), &[]), shown, v)
    };
    let above = vec![row("iceberg.complaints", c.complaints.mean)];
    let below = vec![
        row("iceberg.silent", c.silent_defections.mean),
        row("iceberg.deterred", c.prospects_deterred.mean),
    ];
    let table = DataTable::pairs(
        "",
        t.get("chart.mean"),
        above
            .iter()
            .chain(&below)
            .map(|(label, shown, _)| (label.clone(), shown.clone()))
            .collect(),
    );
    let title = t.get("iceberg.title");
    let chart = svg::iceberg(&above, &below, t.get("iceberg.waterline"), title);
    html! {
        section {
            h2 { (title) }
            p.note { (iceberg_sentence(s, lang)) }
            (figure(&chart, "chart-iceberg", title, &table, lang))
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
    if series.is_empty() {
        // No customer lost in any week: a sentence, not an empty chart.
        return Some(html! {
            section {
                h2 { (t.get("timeline.title")) }
                p.medium { (t.get("timeline.none")) }
            }
        });
    }
    let start = outcome.scenario.warmup_h;
    let labels: Vec<String> = timeline
        .iter()
        .map(|b| lang.grouped(((b.from_h - start) / WEEK_H).round() + 1.0))
        .collect();
    let shaded = mechanisms::incident_shades(outcome);
    let chart = svg::stacked_bars(
        &series,
        &labels,
        t.get("timeline.axis"),
        &shaded,
        &|v| axis_number(v, lang),
        t.get("timeline.title"),
    );
    let value = |v: f64| lang.count(v);
    let mut table = DataTable::weekly(&series, &labels, &value, lang);
    table.summary = Some(figure::totals_summary(&series, &labels, &value, lang));
    Some(html! {
        section {
            h2 { (t.get("timeline.title")) }
            p.note {
                (t.get("timeline.note"))
                @if !shaded.is_empty() { " " (t.get("timeline.incidents_note")) }
            }
            (figure(&chart, "chart-timeline", t.get("timeline.title"), &table, lang))
            // The x axis in words, counted as incident windows are (days from the start).
            p.note {
                (t.fill("timeline.x_axis", &[("day", &lang.count(start / 24.0))]))
                // Only reorders make the counted base grow week by week.
                @if outcome.scenario.reorders { " " (t.get("timeline.growth_note")) }
            }
        }
    })
}

/// An axis value in the page's language, with only the decimals it has: `2`, `0,5`, `0,25`.
fn axis_number(v: f64, lang: Lang) -> String {
    let decimals = (0..3)
        .find(|&d| {
            let scale = 10f64.powi(d);
            ((v * scale).round() - v * scale).abs() < 1e-6
        })
        .unwrap_or(3) as usize;
    if decimals == 0 {
        lang.grouped(v)
    } else {
        lang.fixed(v, decimals)
    }
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
    let mut table = DataTable::pairs(
        t.get("chart.cause"),
        t.get("chart.revenue_lost"),
        bars.iter()
            .map(|b| (b.label.clone(), b.shown.clone()))
            .collect(),
    );
    if bars.iter().any(|b| b.ci95.is_some()) {
        table.head.push(t.get("chart.interval").to_owned());
        for (row, bar) in table.rows.iter_mut().zip(&bars) {
            row.push(
                bar.ci95
                    .map_or("–".to_owned(), |h| format!("±\u{a0}{}", lang.grouped(h))),
            );
        }
    }
    let title = t.get("revenue.title");
    Some(html! {
        section {
            h2 { (title) }
            p.note { (t.fill("revenue.note", &[("total", &lang.grouped(s.revenue.lost.mean))])) }
            (figure(&svg::ranked_bars(&bars, title), "chart-revenue", title, &table, lang))
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
                    Some(x) => t.counted(
                        "paths.shown",
                        ("problems", &lang.count(problems)),
                        &[("share", &lang.percent(x))],
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
    let table = DataTable {
        head: vec![
            String::new(),
            t.get("paths.legend_model").to_owned(),
            t.get("paths.legend_reference").to_owned(),
        ],
        rows: rows
            .iter()
            .map(|r| vec![r.label.clone(), r.shown.clone(), lang.percent(r.reference)])
            .collect(),
        // `said nothing: 37 % stayed, of 56 customers per replication, reference 37 %; …`
        summary: Some(format!(
            "{}.",
            rows.iter()
                .map(|r| format!("{}: {}, {}", r.label, r.shown, r.reference_shown))
                .collect::<Vec<_>>()
                .join("; ")
        )),
    };
    let title = t.get("paths.title");
    let chart = svg::stay_bars(
        &rows,
        t.get("paths.legend_model"),
        t.get("paths.legend_reference"),
        title,
    );
    Some(html! {
        section {
            h2 { (title) }
            p.note { (t.get("paths.note")) }
            (figure(&chart, "chart-paths", title, &table, lang))
        }
    })
}

fn stories_section(stories: &[Told], lang: Lang) -> Option<Markup> {
    let t = lang.catalogue();
    if stories.is_empty() {
        return None;
    }
    Some(html! {
        section.stories {
            h2 { (t.get("stories.title")) }
            p.note { (t.get("stories.note")) }
            @for story in stories {
                article.story {
                    h3 { (story.heading) }
                    ul {
                        @for (day, line) in &story.events {
                            li {
                                span.day { (t.fill("story.day", &[("day", &lang.fixed(*day, 1))])) }
                                " " (line)
                            }
                        }
                    }
                }
            }
        }
    })
}

/// The mark after a difference whose 95 % interval excludes zero.
const MARK: &str = "◆";
/// Between a mean and its half-width: never broken across lines.
const PLUS_MINUS: &str = "\u{a0}±\u{a0}";

/// Metric names as the room reads them: every metric a comparison shows has
/// words in the catalogue; an id only a future metric has is shown as it is.
fn metric_words(metric: &str, lang: Lang) -> String {
    let t = lang.catalogue();
    let key = format!("metric.{metric}");
    if t.has(&key) {
        return t.get(&key).to_owned();
    }
    if let Some(rest) = metric.strip_prefix("departments.") {
        if let Some(name) = rest.strip_suffix(".utilization") {
            return t.fill("metric.utilization", &[("dept", name)]);
        }
        if let Some(name) = rest.strip_suffix(".mean_wait_h") {
            return t.fill("metric.mean_wait_h", &[("dept", name)]);
        }
    }
    if let Some(name) = metric
        .strip_prefix("pools.")
        .and_then(|rest| rest.strip_suffix(".utilization"))
    {
        return t.fill("metric.pool_utilization", &[("pool", name)]);
    }
    if let Some(rest) = metric.strip_prefix("flows.") {
        if let Some(name) = rest.strip_suffix(".customers_lost") {
            return t.fill("metric.flow_lost", &[("flow", name)]);
        }
        if let Some(name) = rest.strip_suffix(".mean_lead_time_h") {
            return t.fill("metric.flow_lead_time", &[("flow", name)]);
        }
    }
    if let Some(rest) = metric.strip_prefix("handoffs.")
        && let Some((route, field)) = rest.rsplit_once('.')
        && let Some((from, to)) = route.split_once("->")
    {
        let key = match field {
            "lost" => "metric.handoff_lost",
            "errors" => "metric.handoff_errors",
            "error_final" => "metric.handoff_error_final",
            "lose_final" => "metric.handoff_lose_final",
            _ => return metric.to_owned(),
        };
        return t.fill(key, &[("from", from), ("to", lang.handoff_end(to))]);
    }
    if let Some(cause) = metric
        .strip_prefix("lost_by_cause.")
        .and_then(|rest| rest.strip_suffix(".customers"))
    {
        return t.fill(
            "metric.lost_by_cause",
            &[("cause", &cause_words(cause, lang))],
        );
    }
    metric.to_owned()
}

/// A statistic as text in the unit of `metric`, rounded as `compare`'s text
/// rounds it: `50.9 ± 2.9`, `2.78 d ± 0.01 d`, `16.2 % ± 0.5 %`.
fn metric_value(metric: &str, s: Stat, lang: Lang) -> String {
    stat_value(metric, s, false, lang)
}

/// [`metric_value`]; with `significant`, the mean shown beyond its half-width
/// (as `compare`'s text shows a significant difference).
fn stat_value(metric: &str, s: Stat, significant: bool, lang: Lang) -> String {
    if !s.mean.is_finite() {
        return "–".to_owned();
    }
    on_page(compare_text::shown(metric, s, false, significant), lang)
}

/// A paired difference with its sign, `+7.8 ± 1.3 ◆` (marked when significant).
fn difference_value(d: &Difference, lang: Lang) -> String {
    if !d.mean.is_finite() {
        return "–".to_owned();
    }
    let size = Stat {
        mean: d.mean.abs(),
        ci95: d.ci95,
    };
    let shown = stat_value(&d.metric, size, d.significant, lang);
    let zero = shown
        .split('\u{a0}')
        .next()
        .is_some_and(|m| m.chars().all(|c| !c.is_ascii_digit() || c == '0'));
    let sign = match () {
        _ if zero => "",
        _ if d.mean > 0.0 => "+",
        _ if d.mean < 0.0 => "\u{2212}",
        _ => "",
    };
    if d.significant {
        format!("{sign}{shown} {MARK}")
    } else {
        format!("{sign}{shown}")
    }
}

/// Scenario `i`'s `metric` as the comparison computed it: a cause the scenario
/// does not have is 0 customers there, a department served only by a pool has no
/// utilisation (`None`, a dash), as in the text and CSV.
fn stat_of(c: &Comparison, i: usize, metric: &str) -> Option<Stat> {
    let k = c.metrics.iter().position(|m| m == metric)?;
    c.stats
        .get(i)?
        .get(k)
        .copied()
        .filter(|s| s.mean.is_finite())
}

/// The paired difference of scenario `i` (1, 2, …) from the first in `metric`.
fn difference<'c>(c: &'c Comparison, i: usize, metric: &str) -> Option<&'c Difference> {
    let name = &c.outcomes[i].scenario.name;
    let per = c.metrics.len();
    c.differences
        .get((i - 1) * per..i * per)?
        .iter()
        .find(|d| d.metric == metric && &d.scenario == name)
}

/// Whether scenario `i` differs from the first in `metric` beyond chance.
fn significant(c: &Comparison, i: usize, metric: &str) -> bool {
    i > 0 && difference(c, i, metric).is_some_and(|d| d.significant)
}

/// The metric id of the customers lost to `cause`.
fn cause_metric(cause: &str) -> String {
    format!("lost_by_cause.{cause}.customers")
}

/// What changed, scenario by scenario: customers, revenue, and the causes
/// whose change is not chance. The first sentence of each is the big one.
fn compare_sentences(c: &Comparison, lang: Lang) -> Vec<(bool, String)> {
    let t = lang.catalogue();
    let first = &c.outcomes[0].scenario.name;
    if c.replications < 2 {
        return vec![(true, t.get("compare.one_replication").to_owned())];
    }
    let mut out = Vec::new();
    for i in 1..c.outcomes.len() {
        let name = &c.outcomes[i].scenario.name;
        let Some(d) = difference(c, i, "customers.lost") else {
            continue;
        };
        let ci = |d: &Difference, show: &dyn Fn(f64) -> String| d.ci95.map_or("–".to_owned(), show);
        let amount = lang.count(d.mean.abs());
        let args = [
            ("name", name.as_str()),
            ("first", first.as_str()),
            ("ci", &ci(d, &|h| lang.count(h))),
        ];
        let identical = d.mean == 0.0 && d.ci95.is_none_or(|h| h == 0.0);
        let customers = match (d.significant, d.mean < 0.0) {
            _ if identical => t.fill("compare.identical", &[args[0], args[1]]),
            (false, _) => t.fill(
                "compare.no_difference",
                &[args[0], args[1], args[2], ("amount", &amount)],
            ),
            (true, true) => t.counted("compare.fewer", ("amount", &amount), &args),
            (true, false) => t.counted("compare.more", ("amount", &amount), &args),
        };
        out.push((true, customers));
        if let Some(r) = difference(c, i, "revenue.lost")
            && !(r.mean == 0.0 && r.ci95.is_none_or(|h| h == 0.0))
        {
            let key = match (r.significant, r.mean < 0.0) {
                (false, _) => "compare.revenue_same",
                (true, true) => "compare.revenue_less",
                (true, false) => "compare.revenue_more",
            };
            out.push((
                false,
                t.fill(
                    key,
                    &[
                        ("amount", &lang.grouped(r.mean.abs())),
                        ("ci", &ci(r, &|h| lang.grouped(h))),
                    ],
                ),
            ));
        }
        let mut causes: Vec<&Difference> = c
            .differences
            .iter()
            .filter(|x| {
                &x.scenario == name && x.significant && x.metric.starts_with("lost_by_cause.")
            })
            .collect();
        causes.sort_by(|a, b| {
            b.mean
                .abs()
                .total_cmp(&a.mean.abs())
                .then_with(|| a.metric.cmp(&b.metric))
        });
        let changes: Vec<String> = causes
            .iter()
            .take(3)
            .map(|x| {
                let cause = x
                    .metric
                    .strip_prefix("lost_by_cause.")
                    .and_then(|m| m.strip_suffix(".customers"))
                    .unwrap_or(&x.metric);
                let shown = difference_value(x, lang);
                let shown = shown.trim_end_matches(MARK).trim_end();
                t.fill(
                    "compare.cause_change",
                    &[("cause", &cause_words(cause, lang)), ("difference", shown)],
                )
            })
            .collect();
        if !changes.is_empty() {
            out.push((
                false,
                t.fill(
                    "compare.causes_changed",
                    &[("changes", &changes.join("; "))],
                ),
            ));
        } else if d.significant {
            out.push((false, t.get("compare.causes_unchanged").to_owned()));
        }
    }
    out
}

fn compare_table(c: &Comparison, files: &[String], lang: Lang) -> Markup {
    let t = lang.catalogue();
    // Many scenarios side by side: smaller type, and a value may wrap before
    // its `±`, so the table fits the page instead of running off its edge.
    let many = c.outcomes.len() > 3;
    html! {
        div.wide {
        table.many[many] {
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
                        @for i in 0..c.outcomes.len() {
                            @let value = stat_of(c, i, metric).map_or("–".to_owned(), |s| metric_value(metric, s, lang));
                            @let d = if i > 0 { difference(c, i, metric) } else { None };
                            td.significant[d.is_some_and(|d| d.significant)] {
                                (breakable(&value))
                                @if let Some(d) = d {
                                    br;
                                    small.difference {
                                        (breakable(&difference_value(d, lang)))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        }
        p.note { (t.get("compare.mark_note")) " " (t.get("compare.absent_note")) }
    }
}

/// `value` in a table cell: it may wrap before its `±` (and only there), the
/// mark staying with the number before it.
fn breakable(value: &str) -> String {
    value
        .replace(' ', "\u{a0}")
        .replace("\u{a0}±\u{a0}", " ±\u{a0}")
}

/// A row of dots: each scenario's `metric`, marked where it differs from the first.
fn interval_row(c: &Comparison, metric: &str, label: String, lang: Lang) -> IntervalRow {
    IntervalRow {
        label,
        points: c
            .outcomes
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let s = stat_of(c, i, metric).unwrap_or(Stat {
                    mean: f64::NAN,
                    ci95: None,
                });
                let sig = significant(c, i, metric);
                let mut shown = metric_value(metric, s, lang);
                if sig {
                    shown = format!("{shown} {MARK}");
                }
                (s.mean, s.ci95, shown, sig)
            })
            .collect(),
    }
}

/// Dots with intervals, one row per metric, with their numbers as a table
/// (a column per scenario).
fn interval_figure(
    rows: &[IntervalRow],
    names: &[String],
    id: &str,
    title: &str,
    lang: Lang,
) -> Markup {
    let mut head = vec![String::new()];
    head.extend(names.iter().cloned());
    let table = DataTable {
        head,
        rows: rows
            .iter()
            .map(|r| {
                let mut row = vec![r.label.clone()];
                row.extend(r.points.iter().map(|p| p.2.clone()));
                row
            })
            .collect(),
        summary: None,
    };
    figure(
        &svg::interval_rows(rows, names, title),
        id,
        title,
        &table,
        lang,
    )
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
        .map(|metric| interval_row(c, metric, metric_words(metric, lang), lang))
        .collect()
}

/// The costliest causes across scenarios, each with its customers lost per
/// scenario and its interval, marked where the paired difference from the
/// first scenario is not chance.
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
                let mut row = interval_row(c, &cause_metric(cause), cause_words(cause, lang), lang);
                // A scenario without this cause lost nobody to it.
                for (point, o) in row.points.iter_mut().zip(&c.outcomes) {
                    if !point.0.is_finite()
                        && !o.summary.lost_by_cause.iter().any(|x| x.cause == *cause)
                    {
                        let zero = Stat {
                            mean: 0.0,
                            ci95: None,
                        };
                        *point = (0.0, None, metric_value("customers", zero, lang), false);
                    }
                }
                row
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
        let stories = vec![Told {
            heading: "Customer 7 left on day 3.0.".to_owned(),
            events: vec![(1.0, "placed order 1".to_owned())],
        }];
        let data = crate::report::json::render(&outcome);
        String::from_utf8(run(&outcome, &stories, &data, lang)).unwrap()
    }

    /// The page of an outcome where every count the headline shows is exactly `n`.
    fn page_with_counts(n: f64, lang: Lang) -> String {
        let mut outcome = fixture::outcome(3);
        let c = &mut outcome.summary.customers;
        for stat in [
            &mut c.lost,
            &mut c.complaints,
            &mut c.silent_defections,
            &mut c.prospects_deterred,
        ] {
            *stat = Stat {
                mean: n,
                ci95: Some(0.5),
            };
        }
        outcome.scenario.replications = n as u32;
        outcome.scenario.duration_h = 24.0 * n;
        outcome.scenario.warmup_h = 24.0 * n;
        let data = crate::report::json::render(&outcome);
        String::from_utf8(run(&outcome, &[], &data, lang)).unwrap()
    }

    #[test]
    fn one_is_singular_and_more_are_plural_in_both_languages() {
        let en = page_with_counts(1.0, Lang::En);
        for singular in [
            "1 customer lost:",
            "with the 1 prospect they put off",
            "left without a word (1 complaint, 1 silent departure)",
            "1 replication of 1 day each",
            "the first day is a warm-up and is not counted",
        ] {
            assert!(en.contains(singular), "English lacks {singular:?}");
        }
        let es = page_with_counts(1.0, Lang::Es);
        for singular in [
            "1 cliente perdido:",
            "con el 1 posible cliente al que ahuyentaron",
            "1,0 cliente se fue sin decir nada (1 queja, 1 salida silenciosa)",
            "1 réplica de 1 día cada una",
            "el primer día es de calentamiento",
        ] {
            assert!(es.contains(singular), "Spanish lacks {singular:?}");
        }
        let en = page_with_counts(2.0, Lang::En);
        for plural in [
            "2 customers lost:",
            "with the 2 prospects they put off",
            "(2 complaints, 2 silent departures)",
            "2 replications of 2 days each",
            "the first 2 days are a warm-up",
        ] {
            assert!(en.contains(plural), "English lacks {plural:?}");
        }
        let es = page_with_counts(2.0, Lang::Es);
        for plural in [
            "2 clientes perdidos:",
            "(2 quejas, 2 salidas silenciosas)",
            "2 réplicas de 2 días cada una",
        ] {
            assert!(es.contains(plural), "Spanish lacks {plural:?}");
        }
        // English says 1.0 in the plural, as CLDR does (a decimal is not "one").
        assert!(page_with_counts(1.0, Lang::En).contains("1.0 customers left without a word"));
        for page in [
            page_with_counts(1.0, Lang::En),
            page_with_counts(1.0, Lang::Es),
        ] {
            for wrong in [
                "1 customers",
                "1 complaints",
                "1 clientes",
                "1 quejas",
                "1 days",
                "1 días",
            ] {
                // An interval is plural however it ends: `1 ± 1 customers lost`.
                let alone = page.replace(&format!("±\u{a0}{wrong}"), "");
                assert!(!alone.contains(wrong), "{wrong}");
            }
        }
    }

    #[test]
    fn a_run_where_nobody_came_says_so() {
        for lang in [Lang::En, Lang::Es] {
            let mut outcome = fixture::outcome(3);
            let zero = Stat {
                mean: 0.0,
                ci95: Some(0.0),
            };
            outcome.summary.customers.arrived = zero;
            outcome.summary.customers.lost = zero;
            let data = crate::report::json::render(&outcome);
            let page = String::from_utf8(run(&outcome, &[], &data, lang)).unwrap();
            let said = lang.catalogue().get("headline.nobody_came");
            assert!(page.contains(said), "{lang:?}");
            assert!(
                !page.contains("–\u{a0}") && !page.contains(": – "),
                "{lang:?}"
            );
        }
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
    fn a_comment_opener_in_a_name_cannot_swallow_the_end_of_the_page() {
        // `<!--<script>` inside a script block puts the HTML parser in a state
        // where the block's own `</script>` no longer ends it.
        let mut outcome = fixture::outcome(3);
        outcome.scenario.name = "x <!--<script> y".into();
        let data = crate::report::json::render(&outcome);
        let page = String::from_utf8(run(&outcome, &[], &data, Lang::En)).unwrap();
        let start = page.find("id=\"handoff-data\">").unwrap() + "id=\"handoff-data\">".len();
        let block = &page[start..start + page[start..].find("</script>").unwrap()];
        assert!(!block.contains("<!--"));
        let embedded: serde_json::Value = serde_json::from_str(block).unwrap();
        assert_eq!(embedded["scenario"]["name"], "x <!--<script> y");
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
