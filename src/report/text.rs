//! The text report: what a workshop room reads at a glance.
//!
//! A header (which scenario, how it was run), a headline in plain words, then
//! one table each for the flows, the departments and the handoffs, with every
//! handoff that lost work or passed on errors marked, and the lost customers
//! and prospects by root cause. Over several
//! replications each figure is `mean ± 95 % half-width`. Number formats live
//! in [`super::human`]; every word comes from the catalogue of the language
//! asked for ([`super::i18n`], keys `text.*`), English as much as Spanish.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::human::{self, Shown};
use super::i18n::{Catalogue, Lang};
use crate::experiment::Outcome;
use crate::metrics::{CauseMetrics, HandoffMetrics, LinkMetrics, PolicyMetrics, Stat};

/// The mark in front of a handoff that lost work or passed on errors.
pub const BREAK_MARK: &str = "!";

/// The widest line of the report (without `--wide`), in columns.
pub const MAX_WIDTH: usize = 100;

/// The arrow between the two departments of a handoff, everywhere in the report.
pub const ARROW: &str = "→";

/// Choices about the text report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Add the cause ids (as in JSON and traces) to the root-cause table,
    /// which then no longer fits [`MAX_WIDTH`] columns.
    pub wide: bool,
    /// The language of every word and of the decimal mark.
    pub lang: Lang,
}

/// The words and the numbers of the text reports in one language: messages
/// from its catalogue, numbers as [`human`] writes them with the language's
/// decimal mark (thousands stay grouped by a plain space, which every
/// terminal shows one column wide).
pub(crate) struct Words {
    pub(crate) lang: Lang,
    catalogue: &'static Catalogue,
}

impl Words {
    pub(crate) fn new(lang: Lang) -> Self {
        Words {
            lang,
            catalogue: lang.catalogue(),
        }
    }

    /// The message `key`.
    pub(crate) fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.catalogue.get(key)
    }

    /// The message `key` with its `{name}` placeholders filled.
    pub(crate) fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.catalogue.fill(key, args)
    }

    /// The message `key` in the plural form the number `count.1` (as shown) asks for.
    pub(crate) fn counted(&self, key: &str, count: (&str, &str), args: &[(&str, &str)]) -> String {
        self.catalogue.counted(key, count, args)
    }

    /// Text written by [`human`] with this language's decimal mark.
    pub(crate) fn num(&self, text: String) -> String {
        human::in_lang(text, self.lang)
    }

    pub(crate) fn count(&self, x: f64) -> String {
        human::count(x)
    }

    pub(crate) fn decimal(&self, x: f64, decimals: usize) -> String {
        self.num(human::decimal(x, decimals))
    }

    pub(crate) fn percent(&self, share: f64) -> String {
        self.num(human::percent(share))
    }

    pub(crate) fn percent_of(&self, part: f64, whole: f64) -> String {
        self.num(human::percent_of(part, whole))
    }

    pub(crate) fn duration(&self, hours: f64) -> String {
        self.num(human::duration(hours))
    }

    pub(crate) fn days(&self, hours: f64) -> String {
        self.num(human::days(hours))
    }

    pub(crate) fn stat_count(&self, s: Stat) -> Shown {
        human::stat_count(s).in_lang(self.lang)
    }

    pub(crate) fn stat_percent(&self, s: Stat) -> Shown {
        human::stat_percent(s).in_lang(self.lang)
    }

    pub(crate) fn stat_decimal(&self, s: Stat, decimals: usize) -> Shown {
        human::stat_decimal(s, decimals).in_lang(self.lang)
    }

    pub(crate) fn stat_duration(&self, s: Stat) -> Shown {
        human::stat_duration(s).in_lang(self.lang)
    }

    /// Table headers from their keys.
    pub(crate) fn headers<'a>(&'a self, columns: &[(&'a str, Align)]) -> Vec<(&'a str, Align)> {
        columns
            .iter()
            .map(|&(key, align)| (if key.is_empty() { "" } else { self.get(key) }, align))
            .collect()
    }

    /// The note `key` under a table, each of its lines indented by two.
    pub(crate) fn note(&self, out: &mut String, key: &str, args: &[(&str, &str)]) {
        for line in self.fill(key, args).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
}

/// Render the report in English; lines end with `\n`, no trailing spaces, no colour.
///
/// After the header comes what a workshop room should hear first: the
/// customers and prospects lost, by root cause (worst first), the iceberg
/// (silent defections and deterred prospects per complaint heard), what
/// happened after a problem on each path, and the revenue. Then the orders,
/// the departments and the handoffs.
pub fn render(outcome: &Outcome) -> String {
    render_with(outcome, Options::default())
}

/// [`render`], with `options`.
pub fn render_with(outcome: &Outcome, options: Options) -> String {
    let w = &Words::new(options.lang);
    let mut out = String::new();
    header(&mut out, outcome, w);
    out.push('\n');
    customers_headline(&mut out, outcome, w);
    if !outcome.summary.lost_by_cause.is_empty() {
        out.push('\n');
        causes(&mut out, outcome, options, w);
    }
    out.push('\n');
    iceberg(&mut out, outcome, w);
    if !outcome.summary.paths.is_empty() {
        out.push('\n');
        paths(&mut out, outcome, w);
    }
    out.push('\n');
    revenue(&mut out, outcome, w);
    super::structure::cost_line(&mut out, outcome, w);
    if !outcome.summary.incidents.is_empty() {
        out.push('\n');
        super::structure::incident_windows(&mut out, outcome, w);
    }
    if let Some(p) = &outcome.summary.policy {
        out.push('\n');
        policy(&mut out, p, w);
    }
    out.push('\n');
    orders(&mut out, outcome, w);
    if !outcome.summary.flows.is_empty() {
        out.push('\n');
        flows(&mut out, outcome, w);
    }
    out.push('\n');
    departments(&mut out, outcome, w);
    out.push('\n');
    handoffs(&mut out, outcome, w);
    if outcome
        .summary
        .handoffs
        .iter()
        .any(|h| h.error_final.is_some() || h.lose_final.is_some())
    {
        out.push('\n');
        learned(&mut out, outcome, w);
    }
    if !outcome.summary.scorecard.is_empty() {
        out.push('\n');
        scorecard(&mut out, outcome, w);
    }
    if options.wide {
        out
    } else {
        wrap(&out, MAX_WIDTH)
    }
}

/// Every line longer than `max` columns broken at spaces; a continuation keeps the
/// line's indentation (one more space inside a parenthesis).
pub(crate) fn wrap(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if width(line) <= max {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let body = line.trim_start();
        let mut indent = " ".repeat(width(line) - width(body));
        let first_indent = indent.clone();
        if body.starts_with('(') {
            indent.push(' ');
        }
        let mut current = first_indent;
        let mut fresh = true;
        for word in &unbreakable_words(body) {
            if !fresh && width(&current) + 1 + width(word) > max {
                out.push_str(current.trim_end());
                out.push('\n');
                current = indent.clone();
                fresh = true;
            }
            if !fresh {
                current.push(' ');
            }
            current.push_str(word);
            fresh = false;
        }
        out.push_str(current.trim_end());
        out.push('\n');
    }
    out
}

/// The words of `line` split at spaces where a line may break: never inside a
/// number (`246 163`, the space between thousands) nor around `±`, so that
/// `246 163 ± 52 145` stays on one line.
fn unbreakable_words(line: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let thousands = |w: &str| {
        let digits = w.trim_end_matches(|c: char| !c.is_ascii_digit());
        digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit())
    };
    for word in line.split(' ') {
        let glue = words.last().is_some_and(|prev: &String| {
            (prev.ends_with(|c: char| c.is_ascii_digit()) && thousands(word))
                || prev.ends_with('±')
                || word == "±"
        });
        match words.last_mut() {
            Some(prev) if glue => {
                prev.push(' ');
                prev.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
    }
    words
}

/// `key  value` rows, the values lined up after the widest key.
pub(crate) fn key_values(out: &mut String, rows: &[(&str, String)], min_width: usize) {
    let width = rows
        .iter()
        .map(|(k, _)| self::width(k))
        .max()
        .unwrap_or(0)
        .max(min_width);
    for (key, value) in rows {
        let _ = writeln!(out, "  {}  {value}", pad(key, width, Align::Left));
    }
}

fn header(out: &mut String, outcome: &Outcome, w: &Words) {
    let sc = &outcome.scenario;
    let _ = writeln!(out, "{}", sc.name);
    let _ = writeln!(out, "{}", "=".repeat(sc.name.chars().count().max(1)));
    if !sc.description.trim().is_empty() {
        let _ = writeln!(out, "{}", sc.description.trim());
    }
    out.push('\n');
    let days = w.counted("text.header.days", ("days", &w.days(sc.duration_h)), &[]);
    let horizon = if sc.warmup_h > 0.0 {
        w.counted(
            "text.header.warmup",
            ("warmup", &w.days(sc.warmup_h)),
            &[("horizon", &days)],
        )
    } else {
        w.fill("text.header.no_warmup", &[("horizon", &days)])
    };
    let events = w.count(outcome.events as f64 / f64::from(sc.replications.max(1)));
    let rows = [
        (w.get("text.header.seed"), sc.seed.to_string()),
        (
            w.get("text.header.replications"),
            sc.replications.to_string(),
        ),
        (w.get("text.header.horizon"), horizon),
        (
            w.get("text.header.events"),
            w.fill("text.header.per_replication", &[("events", &events)]),
        ),
    ];
    key_values(out, &rows, 0);
}

/// Who was lost, as shares of the customers and of the revenue, and how to read the figures.
fn customers_headline(out: &mut String, outcome: &Outcome, w: &Words) {
    let c = &outcome.summary.customers;
    let r = &outcome.summary.revenue;
    if c.lost.mean > 0.0 || c.prospects_deterred.mean > 0.0 {
        let silent = if c.silent_defections.mean.round() == c.lost.mean.round() {
            w.get("text.headline.all_silent").to_owned()
        } else {
            w.fill(
                "text.headline.some_silent",
                &[("silent", &w.count(c.silent_defections.mean))],
            )
        };
        let prospects = w.counted(
            "text.prospects_never_came",
            ("n", &w.count(c.prospects_deterred.mean)),
            &[],
        );
        let _ = writeln!(
            out,
            "{}",
            w.counted(
                "text.headline.lost",
                ("lost", &w.count(c.lost.mean)),
                &[
                    ("arrived", &w.count(c.arrived.mean)),
                    ("share", &w.percent_of(c.lost.mean, c.arrived.mean)),
                    ("silent", &silent),
                    ("prospects", &prospects),
                ],
            )
        );
        // Without an order value there is no revenue to speak of.
        if r.earned.mean > 0.0 {
            let _ = writeln!(
                out,
                "{}",
                w.fill(
                    "text.headline.revenue",
                    &[
                        ("revenue", &w.count(r.lost.mean)),
                        ("share", &w.percent_of(r.lost.mean, r.earned.mean)),
                    ],
                )
            );
        }
    } else {
        let _ = writeln!(out, "{}", w.get("text.headline.nobody_left"));
    }
    let days = w.days(outcome.scenario.duration_h - outcome.scenario.warmup_h);
    let n = outcome.scenario.replications;
    let key = if n > 1 {
        "text.headline.means"
    } else {
        "text.headline.one_replication"
    };
    // "after the warm-up" only when there was one.
    let after = if outcome.scenario.warmup_h > 0.0 {
        w.get("text.headline.after_warmup")
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{}",
        w.counted(
            key,
            ("days", &days),
            &[("n", &n.to_string()), ("after", after)]
        )
    );
}

/// The iceberg: for each complaint heard, how many customers left silently and
/// how many prospects never came (ratios of the mean counts).
fn iceberg(out: &mut String, outcome: &Outcome, w: &Words) {
    let c = &outcome.summary.customers;
    let (complaints, silent, deterred) = (
        c.complaints.mean,
        c.silent_defections.mean,
        c.prospects_deterred.mean,
    );
    let parts = |silent: String, deterred: String| {
        [
            (
                "silent",
                w.counted("text.iceberg.left_silently", ("n", &silent), &[]),
            ),
            (
                "deterred",
                w.counted("text.prospects_never_came", ("n", &deterred), &[]),
            ),
        ]
    };
    let fill = |key: &str, parts: [(&str, String); 2]| {
        let args: Vec<(&str, &str)> = parts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        w.fill(key, &args)
    };
    let line = if complaints > 0.0 {
        let n = w.num(ratio(silent / complaints));
        let m = w.num(ratio(deterred / complaints));
        fill("text.iceberg.per_complaint", parts(n, m))
    } else if silent > 0.0 || deterred > 0.0 {
        fill(
            "text.iceberg.nobody_complained",
            parts(w.count(silent), w.count(deterred)),
        )
    } else if c.problems.mean > 0.0 {
        w.get("text.iceberg.nobody_left").to_owned()
    } else {
        w.get("text.iceberg.no_problem").to_owned()
    };
    let _ = writeln!(out, "{line}");
}

/// A ratio for a sentence: whole from 10 up, else one decimal (`2.0` shows as `2`).
fn ratio(x: f64) -> String {
    if !x.is_finite() {
        return human::MISSING.to_owned();
    }
    if x >= 9.95 {
        return human::count(x);
    }
    let s = format!("{x:.1}");
    match s.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => s,
    }
}

/// A path's name in words.
fn path_name(path: &str, w: &Words) -> String {
    match path {
        "silent" | "unresolved" | "resolved" | "resolved_quickly" => {
            w.get(&format!("text.path.{path}")).to_owned()
        }
        other => other.replace('_', " "),
    }
}

fn paths(out: &mut String, outcome: &Outcome, w: &Words) {
    let mut table = Table::new(&w.headers(&[
        ("text.paths.path", Align::Left),
        ("text.paths.problems", Align::Right),
        ("text.paths.stayed", Align::Right),
        ("text.paths.share", Align::Right),
    ]));
    for p in &outcome.summary.paths {
        table.row(vec![
            Cell::Text(path_name(&p.path, w)),
            Cell::Stat(w.stat_count(p.problems)),
            Cell::Stat(w.stat_count(p.stayed)),
            Cell::Text(w.percent_of(p.stayed.mean, p.problems.mean)),
        ]);
    }
    let _ = writeln!(out, "{}", w.get("text.paths.title"));
    table.write(out);
    let open = outcome.summary.customers.complaints_open.mean;
    if open > 0.0 {
        let _ = writeln!(
            out,
            "  {}",
            w.counted("text.paths.open", ("n", &w.num(ratio(open))), &[])
        );
    }
}

fn revenue(out: &mut String, outcome: &Outcome, w: &Words) {
    let r = &outcome.summary.revenue;
    if r.earned.mean == 0.0 && r.lost.mean == 0.0 {
        // Nothing delivered and nobody lost or put off: no revenue to count,
        // whatever the order value (a run too short for a first delivery).
        let c = &outcome.summary.customers;
        let nothing = outcome.summary.orders.delivered.mean == 0.0
            && c.lost.mean == 0.0
            && c.prospects_deterred.mean == 0.0;
        let key = if nothing {
            "text.revenue.nothing"
        } else {
            "text.revenue.not_counted"
        };
        let _ = writeln!(out, "{}", w.get(key));
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        w.fill(
            "text.revenue.earned_and_lost",
            &[
                ("earned", &w.stat_count(r.earned).joined()),
                ("lost", &w.stat_count(r.lost).joined()),
            ],
        )
    );
}

/// What the policy against abuse saved, against what its friction lost.
fn policy(out: &mut String, p: &PolicyMetrics<Stat>, w: &Words) {
    let joined = |s: Stat| w.stat_count(s).joined();
    let _ = writeln!(
        out,
        "{}",
        w.fill(
            "text.policy.abusive",
            &[("orders", &joined(p.abusive_orders))]
        )
    );
    let _ = writeln!(
        out,
        "{}",
        w.fill(
            "text.policy.caught",
            &[
                ("caught", &joined(p.abuse_caught)),
                ("saved", &joined(p.abuse_saved)),
                ("cost", &joined(p.abuse_cost)),
            ],
        )
    );
    let _ = writeln!(
        out,
        "{}",
        w.fill(
            "text.policy.friction",
            &[
                ("problems", &joined(p.friction_problems)),
                ("customers", &joined(p.customers_lost)),
                ("revenue", &joined(p.revenue_lost)),
            ],
        )
    );
    let (saved, lost) = (p.abuse_saved.mean, p.revenue_lost.mean);
    let verdict = if saved == 0.0 && lost == 0.0 {
        w.get("text.policy.neither").to_owned()
    } else if lost > saved {
        w.fill(
            "text.policy.costs_more",
            &[("ratio", &w.decimal(lost / saved.max(f64::MIN_POSITIVE), 1))],
        )
    } else {
        w.fill(
            "text.policy.saves_more",
            &[("ratio", &w.decimal(saved / lost.max(f64::MIN_POSITIVE), 1))],
        )
    };
    let _ = writeln!(out, "{verdict}");
}

/// With learning: each handoff's failure probabilities at the end of the run.
fn learned(out: &mut String, outcome: &Outcome, w: &Words) {
    let mut table = Table::new(&w.headers(&[
        ("text.learned.handoff", Align::Left),
        ("text.learned.lose", Align::Right),
        ("text.learned.error", Align::Right),
    ]));
    let shown = |s: Option<Stat>| {
        s.map_or(Cell::Text(String::new()), |s| {
            if s.mean == 0.0 {
                Cell::Text("0".to_owned())
            } else {
                Cell::Stat(w.stat_percent(s))
            }
        })
    };
    for h in &outcome.summary.handoffs {
        let (lose, error) = (h.lose_final, h.error_final);
        if lose.is_none_or(|s| s.mean == 0.0) && error.is_none_or(|s| s.mean == 0.0) {
            continue;
        }
        table.row(vec![
            Cell::Text(handoff_name(h, w)),
            shown(lose),
            shown(error),
        ]);
    }
    let _ = writeln!(out, "{}", w.get("text.learned.title"));
    table.write(out);
    w.note(out, "text.learned.note", &[]);
}

/// The orders in words, and the handoff with the most failed transfers.
fn orders(out: &mut String, outcome: &Outcome, w: &Words) {
    let o = &outcome.summary.orders;
    let _ = writeln!(
        out,
        "{}",
        w.fill(
            "text.orders.summary",
            &[
                ("orders", &w.count(o.arrived.mean)),
                ("delivered", &w.count(o.delivered.mean)),
                ("late", &w.count(o.late.mean)),
                ("share", &w.percent_of(o.late.mean, o.delivered.mean)),
                ("defects", &w.count(o.defects.mean)),
                ("lost", &w.count(o.lost_chased.mean)),
            ],
        )
    );
    // What became of the rest, so that every order is accounted for (the
    // note below says how the figures add up).
    let warmup = outcome.scenario.warmup_h > 0.0;
    let key = if warmup {
        "text.orders.ended_warmup"
    } else {
        "text.orders.ended"
    };
    let _ = writeln!(
        out,
        "{}",
        w.fill(
            key,
            &[
                ("cancelled", &w.count(o.cancelled.mean)),
                ("in_progress", &w.count(o.in_progress.mean)),
                ("at_warmup", &w.count(o.in_progress_at_warmup.mean)),
            ],
        )
    );
    let counted = if warmup {
        "text.orders.counted"
    } else {
        "text.orders.counted_all"
    };
    let _ = writeln!(out, "{}", w.get(counted));
    // The identity holds on the means; their rounded figures can miss it by one or two.
    let whole = |x: f64| x.round();
    let before = if warmup {
        whole(o.in_progress_at_warmup.mean)
    } else {
        0.0
    };
    let sides = (
        before + whole(o.arrived.mean),
        whole(o.delivered.mean) + whole(o.cancelled.mean) + whole(o.in_progress.mean),
    );
    if sides.0 != sides.1 {
        let _ = writeln!(out, "{}", w.get("text.orders.rounded"));
    }
    let _ = writeln!(
        out,
        "{}",
        w.fill(
            "text.orders.lead_time",
            &[("time", &w.stat_duration(o.mean_lead_time_h).joined())],
        )
    );
    match worst_handoff(&outcome.summary.handoffs) {
        Some(h) => {
            let _ = writeln!(
                out,
                "{}",
                w.fill(
                    "text.orders.worst",
                    &[
                        ("handoff", &handoff_name(h, w)),
                        ("lost", &w.count(h.lost.mean)),
                        ("errors", &w.count(h.errors.mean)),
                        ("caught", &w.count(h.caught.mean)),
                        ("escaped", &w.count(h.escaped.mean)),
                    ],
                )
            );
            if !outcome.summary.lost_by_cause.is_empty() {
                let _ = writeln!(out, "{}", w.get("text.orders.ranked"));
            }
        }
        None => {
            let _ = writeln!(out, "{}", w.get("text.orders.clean"));
        }
    }
}

/// One row per route, adding up to the orders line and the customers lost.
fn flows(out: &mut String, outcome: &Outcome, w: &Words) {
    let mut table = Table::new(&w.headers(&[
        ("text.flows.flow", Align::Left),
        ("text.flows.orders", Align::Right),
        ("text.flows.delivered", Align::Right),
        ("text.flows.late", Align::Right),
        ("text.flows.customers_lost", Align::Right),
        ("text.flows.lead_time", Align::Right),
        ("text.flows.in_queues", Align::Right),
    ]));
    for f in &outcome.summary.flows {
        table.row(vec![
            Cell::Text(f.name.clone()),
            Cell::Stat(w.stat_count(f.orders)),
            Cell::Stat(w.stat_count(f.delivered)),
            Cell::Stat(w.stat_count(f.late)),
            Cell::Stat(w.stat_count(f.customers_lost)),
            Cell::Stat(w.stat_duration(f.mean_lead_time_h)),
            Cell::Stat(w.stat_duration(f.mean_wait_h)),
        ]);
    }
    let _ = writeln!(out, "{}", w.get("text.flows.title"));
    table.write(out);
    w.note(out, "text.flows.note", &[]);
}

fn departments(out: &mut String, outcome: &Outcome, w: &Words) {
    let with_morale = outcome
        .summary
        .departments
        .iter()
        .any(|d| d.morale.is_some());
    let mut columns = vec![
        ("text.departments.department", Align::Left),
        ("text.departments.utilisation", Align::Right),
        ("text.departments.mean_wait", Align::Right),
        ("text.departments.mean_queue", Align::Right),
        ("text.departments.served", Align::Right),
    ];
    if with_morale {
        columns.push(("text.departments.morale", Align::Right));
    }
    let mut table = Table::new(&w.headers(&columns));
    let mut pools_only = false;
    for d in &outcome.summary.departments {
        // Its own staff were never busy, yet it served work: pools did all of
        // it (a department with `staff = 0`). Its "0 %" would read as idle.
        let all_by_pools =
            !outcome.summary.pools.is_empty() && d.utilization.mean == 0.0 && d.served.mean > 0.0;
        pools_only |= all_by_pools;
        let mut row = vec![
            Cell::Text(d.name.clone()),
            if all_by_pools {
                Cell::Text("-".to_owned())
            } else {
                Cell::Stat(w.stat_percent(d.utilization))
            },
            Cell::Stat(w.stat_duration(d.mean_wait_h)),
            Cell::Stat(w.stat_decimal(d.mean_queue, 2)),
            Cell::Stat(w.stat_count(d.served)),
        ];
        if with_morale {
            row.push(match d.morale {
                Some(m) => Cell::Stat(w.stat_decimal(m, 2)),
                None => Cell::Text("-".to_owned()),
            });
        }
        table.row(row);
    }
    let _ = writeln!(out, "{}", w.get("text.departments.title"));
    table.write(out);
    if pools_only {
        w.note(out, "text.departments.pools_only", &[]);
    }
    if with_morale {
        w.note(out, "text.departments.morale_note", &[]);
    }
    if !outcome.summary.pools.is_empty() {
        out.push('\n');
        pools(out, outcome, w);
    }
}

/// The internal-customer scorecard: each link between two departments, worst
/// first, then each department's score as a customer and as a supplier.
fn scorecard(out: &mut String, outcome: &Outcome, w: &Words) {
    let s = &outcome.summary;
    let mut links: Vec<&LinkMetrics<Stat>> = s.scorecard.iter().collect();
    // The good share of the mean work handed (as the department scores below
    // are computed, so that the two agree); worst first, nothing handed last.
    let good_share = |l: &LinkMetrics<Stat>| l.good.mean / l.handed.mean;
    let key = |l: &LinkMetrics<Stat>| {
        let share = good_share(l);
        if share.is_finite() {
            share
        } else {
            f64::INFINITY
        }
    };
    links.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let mut table = Table::new(&w.headers(&[
        ("text.scorecard.link", Align::Left),
        ("text.scorecard.handed", Align::Right),
        ("text.scorecard.good", Align::Right),
        ("text.scorecard.lost", Align::Right),
        ("text.scorecard.caught", Align::Right),
        ("text.scorecard.escaped", Align::Right),
        ("text.scorecard.mean_delay", Align::Right),
    ]));
    for l in links {
        table.row(vec![
            Cell::Text(format!(
                "{} {ARROW} {}",
                l.supplier,
                w.lang.handoff_end(&l.customer)
            )),
            Cell::Stat(w.stat_count(l.handed)),
            Cell::Text(if good_share(l).is_finite() {
                w.percent(good_share(l))
            } else {
                "-".to_owned()
            }),
            Cell::Stat(w.stat_count(l.lost)),
            Cell::Stat(w.stat_count(l.caught)),
            Cell::Stat(w.stat_count(l.escaped)),
            Cell::Stat(w.stat_duration(l.mean_delay_h)),
        ]);
    }
    let _ = writeln!(out, "{}", w.get("text.scorecard.title"));
    table.write(out);
    w.note(out, "text.scorecard.good_note", &[]);
    // Each department's score: the good share of all it received (as a customer)
    // and of all it handed on, to the external customer too (as a supplier).
    let mut scores = Table::new(&w.headers(&[
        ("text.departments.department", Align::Left),
        ("text.scorecard.as_customer", Align::Right),
        ("text.scorecard.as_supplier", Align::Right),
    ]));
    let share = |handoffs: Vec<&HandoffMetrics<Stat>>| {
        let handed: f64 = handoffs
            .iter()
            .map(|h| h.passed.mean + h.lost.mean + h.caught.mean)
            .sum();
        let good: f64 = handoffs
            .iter()
            .map(|h| h.passed.mean - h.escaped.mean)
            .sum();
        if handed > 0.0 && good.is_finite() {
            w.percent(good / handed)
        } else {
            "-".to_owned()
        }
    };
    // Each department's handoffs, found once (filtering every handoff for
    // every department took hours with 200 000 departments in a flow).
    let mut received: HashMap<&str, Vec<&HandoffMetrics<Stat>>> = HashMap::new();
    let mut handed: HashMap<&str, Vec<&HandoffMetrics<Stat>>> = HashMap::new();
    for h in &s.handoffs {
        received.entry(h.to.as_str()).or_default().push(h);
        handed.entry(h.from.as_str()).or_default().push(h);
    }
    for d in &s.departments {
        let received = received.remove(d.name.as_str()).unwrap_or_default();
        let handed = handed.remove(d.name.as_str()).unwrap_or_default();
        scores.row(vec![
            Cell::Text(d.name.clone()),
            Cell::Text(share(received)),
            Cell::Text(share(handed)),
        ]);
    }
    scores.write(out);
    w.note(out, "text.scorecard.scores_note", &[]);
}

/// Cross-trained pools: how busy their staff were and how many jobs they served.
fn pools(out: &mut String, outcome: &Outcome, w: &Words) {
    let mut table = Table::new(&w.headers(&[
        ("text.pools.pool", Align::Left),
        ("text.departments.utilisation", Align::Right),
        ("text.departments.served", Align::Right),
    ]));
    for p in &outcome.summary.pools {
        table.row(vec![
            Cell::Text(p.name.clone()),
            Cell::Stat(w.stat_percent(p.utilization)),
            Cell::Stat(w.stat_count(p.served)),
        ]);
    }
    let _ = writeln!(out, "{}", w.get("text.pools.title"));
    table.write(out);
    w.note(out, "text.pools.note", &[]);
}

fn handoffs(out: &mut String, outcome: &Outcome, w: &Words) {
    let mut table = Table::new(&w.headers(&[
        ("", Align::Left),
        ("text.handoffs.handoff", Align::Left),
        ("text.handoffs.passed", Align::Right),
        ("text.handoffs.lost", Align::Right),
        ("text.handoffs.errors", Align::Right),
        ("text.handoffs.caught", Align::Right),
        ("text.handoffs.escaped", Align::Right),
    ]));
    let mut marked = false;
    for h in &outcome.summary.handoffs {
        let broken = failures(h) > 0.0;
        marked |= broken;
        table.row(vec![
            Cell::Text(if broken { BREAK_MARK } else { "" }.to_owned()),
            Cell::Text(handoff_name(h, w)),
            Cell::Stat(w.stat_count(h.passed)),
            Cell::Stat(w.stat_count(h.lost)),
            Cell::Stat(w.stat_count(h.errors)),
            Cell::Stat(w.stat_count(h.caught)),
            Cell::Stat(w.stat_count(h.escaped)),
        ]);
    }
    let _ = writeln!(out, "{}", w.get("text.handoffs.title"));
    table.write(out);
    if marked {
        w.note(out, "text.handoffs.mark_note", &[("mark", BREAK_MARK)]);
        w.note(out, "text.handoffs.lost_note", &[]);
    }
}

fn causes(out: &mut String, outcome: &Outcome, options: Options, w: &Words) {
    let mut columns = vec![
        ("text.causes.what_broke", Align::Left),
        ("text.causes.customers", Align::Right),
        ("text.causes.prospects", Align::Right),
        ("text.causes.revenue", Align::Right),
    ];
    if options.wide {
        columns.push(("text.causes.cause", Align::Left));
    }
    let mut table = Table::new(&w.headers(&columns));
    let rows = &outcome.summary.lost_by_cause;
    for c in rows {
        let mut row = vec![
            Cell::Text(cause_in_words_in(&c.cause, w.lang).unwrap_or_else(|| c.cause.clone())),
            Cell::Stat(w.stat_count(c.customers)),
            Cell::Stat(w.stat_count(c.prospects)),
            Cell::Stat(w.stat_count(c.revenue)),
        ];
        if options.wide {
            row.push(Cell::Text(c.cause.clone()));
        }
        table.row(row);
    }
    let totals = &outcome.summary;
    let total = [
        totals.customers.lost,
        totals.customers.prospects_deterred,
        totals.revenue.lost,
    ];
    let mut row = vec![Cell::Text(w.get("text.causes.all").to_owned())];
    row.extend(total.iter().map(|s| Cell::Stat(w.stat_count(*s))));
    if options.wide {
        row.push(Cell::Text(String::new()));
    }
    table.row(row);
    let _ = writeln!(out, "{}", w.get("text.causes.title"));
    table.write(out);
    // Each row is a mean rounded on its own: say so when the rounded rows miss the total.
    let shown_sum = |f: fn(&CauseMetrics<Stat>) -> f64| -> f64 {
        rows.iter().map(|c| f(c).round()).sum::<f64>()
    };
    let adds_up = shown_sum(|c| c.customers.mean) == total[0].mean.round()
        && shown_sum(|c| c.prospects.mean) == total[1].mean.round()
        && shown_sum(|c| c.revenue.mean) == total[2].mean.round();
    if !adds_up {
        w.note(out, "text.causes.rounded", &[]);
    }
    if !options.wide {
        w.note(out, "text.causes.ids", &[]);
    }
}

/// A cause id in plain English words: `handoff:billing->customer:error` →
/// `billing → customer: wrong information (defects)`; `None` for an id it does not know.
pub fn cause_in_words(cause: &str) -> Option<String> {
    cause_in_words_in(cause, Lang::En)
}

/// [`cause_in_words`] in `lang`: the departments keep their names, the external
/// customer and the meaning are translated (`billing → cliente: datos erróneos`).
pub fn cause_in_words_in(cause: &str, lang: Lang) -> Option<String> {
    let t = lang.catalogue();
    if let Some(rest) = cause.strip_prefix("handoff:") {
        let (route, kind) = rest.rsplit_once(':')?;
        let (from, to) = route.split_once("->")?;
        let what = match kind {
            "lose" | "error" | "delay" => t.get(&format!("text.cause.{kind}")).to_owned(),
            _ => return None,
        };
        return Some(format!("{from} {ARROW} {}: {what}", lang.handoff_end(to)));
    }
    if let Some(rest) = cause.strip_prefix("department:") {
        let (name, kind) = rest.rsplit_once(':')?;
        let what = match kind {
            "wait" | "rude" => t.get(&format!("text.cause.{kind}")).to_owned(),
            _ => return None,
        };
        return Some(format!("{name}: {what}"));
    }
    match cause {
        "policy:friction" => Some(t.get("text.cause.friction").to_owned()),
        _ => None,
    }
}

/// `sales → production`, `billing → cliente` (the customer in the report's language).
fn handoff_name(h: &HandoffMetrics<Stat>, w: &Words) -> String {
    format!("{} {ARROW} {}", h.from, w.lang.handoff_end(&h.to))
}

/// Mean transfers that went wrong: lost, or arrived with an error.
fn failures(h: &HandoffMetrics<Stat>) -> f64 {
    let f = h.lost.mean + h.errors.mean;
    if f.is_finite() { f } else { 0.0 }
}

/// The handoff with the most failures, if any failed; the first listed wins a tie.
fn worst_handoff(handoffs: &[HandoffMetrics<Stat>]) -> Option<&HandoffMetrics<Stat>> {
    handoffs.iter().filter(|h| failures(h) > 0.0).fold(
        None,
        |best: Option<&HandoffMetrics<Stat>>, h| match best {
            Some(b) if failures(b) >= failures(h) => Some(b),
            _ => Some(h),
        },
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A table cell: plain text, or a statistic whose `±` lines up down the column.
pub(crate) enum Cell {
    Text(String),
    Stat(Shown),
}

/// Columns sized to their widest cell, two spaces apart, indented by two.
pub(crate) struct Table {
    headers: Vec<(String, Align)>,
    rows: Vec<Vec<Cell>>,
}

/// `header` folded into at most `most` lines as narrow as they can be, but
/// no narrower than `least` (the column's figures) or its longest word: the
/// width and the lines, or `None` when that is no narrower than one line.
fn folded(header: &str, least: usize, most: usize) -> Option<(usize, Vec<String>)> {
    let one_line = width(header).max(least);
    let longest = header.split(' ').map(width).max().unwrap_or(0);
    (longest.max(least)..one_line)
        .map(|w| (w, fold(header, w)))
        .find(|(_, lines)| lines.len() <= most)
}

/// `text` broken at spaces into lines of at most `max` columns (a word
/// longer than that gets a line of its own).
fn fold(text: &str, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if width(line) + 1 + width(word) <= max => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// Display width of a string (every character here is one column wide).
fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad(s: &str, w: usize, align: Align) -> String {
    let fill = " ".repeat(w.saturating_sub(width(s)));
    match align {
        Align::Left => format!("{s}{fill}"),
        Align::Right => format!("{fill}{s}"),
    }
}

impl Table {
    pub(crate) fn new(headers: &[(&str, Align)]) -> Self {
        Self {
            headers: headers.iter().map(|&(h, a)| (h.to_owned(), a)).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    pub(crate) fn write(&self, out: &mut String) {
        // Per column: widest mean and widest half-width (0 when none).
        let ncol = self.headers.len();
        let mut mean_w = vec![0; ncol];
        let mut ci_w = vec![0; ncol];
        for row in &self.rows {
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(t) => mean_w[c] = mean_w[c].max(width(t)),
                    Cell::Stat(s) => {
                        mean_w[c] = mean_w[c].max(width(&s.mean));
                        if let Some(ci) = &s.ci95 {
                            ci_w[c] = ci_w[c].max(width(ci));
                        }
                    }
                }
            }
        }
        let body_w: Vec<usize> = (0..ncol)
            .map(|c| mean_w[c] + if ci_w[c] > 0 { 3 + ci_w[c] } else { 0 })
            .collect();
        let mut col_w: Vec<usize> = (0..ncol)
            .map(|c| body_w[c].max(width(&self.headers[c].0)))
            .collect();
        // A table too wide for the report would be broken up by `wrap`, its
        // rows no longer under their headers.
        let total = |w: &[usize]| 2 + w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
        let mut headers: Vec<Vec<String>> =
            self.headers.iter().map(|(h, _)| vec![h.clone()]).collect();
        // Headers wider than their column's figures take two lines, or
        // three, until the table fits.
        for most in 2..=3 {
            if total(&col_w) <= MAX_WIDTH {
                break;
            }
            for c in 0..ncol {
                if let Some((w, lines)) = folded(&self.headers[c].0, body_w[c], most) {
                    col_w[c] = w;
                    headers[c] = lines;
                }
            }
        }
        let header_lines = headers.iter().map(Vec::len).max().unwrap_or(1);
        for line in 0..header_lines {
            let header: Vec<String> = headers
                .iter()
                .enumerate()
                .map(|(c, lines)| {
                    // The last line of each header sits just above the figures.
                    let shift = header_lines - lines.len();
                    let text = line.checked_sub(shift).map_or("", |i| lines[i].as_str());
                    pad(text, col_w[c], self.headers[c].1)
                })
                .collect();
            Self::line(out, &header);
        }
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| {
                    let body = match cell {
                        Cell::Text(t) => pad(t, body_w[c], self.headers[c].1),
                        Cell::Stat(s) => {
                            let mean = pad(&s.mean, mean_w[c], Align::Right);
                            match (&s.ci95, ci_w[c]) {
                                (_, 0) => mean,
                                (Some(ci), w) => format!("{mean} ± {}", pad(ci, w, Align::Left)),
                                (None, w) => format!("{mean}{}", " ".repeat(3 + w)),
                            }
                        }
                    };
                    pad(&body, col_w[c], self.headers[c].1)
                })
                .collect();
            Self::line(out, &cells);
        }
    }

    fn line(out: &mut String, cells: &[String]) {
        let line = format!("  {}", cells.join("  "));
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn lines(s: &str) -> Vec<&str> {
        s.lines().collect()
    }

    /// The words of `s` joined by single spaces: sentences whatever the line breaks.
    fn flat(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// `report` holds `sentence`, however it was wrapped.
    fn says(report: &str, sentence: &str) -> bool {
        flat(report).contains(&flat(sentence))
    }

    /// The line of `report` that starts (after indentation) with `start`.
    fn line_starting<'a>(report: &'a str, start: &str) -> &'a str {
        report
            .lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line starting with {start:?} in\n{report}"))
    }

    /// The line of `report` after the line `section` that starts (after indentation) with `start`.
    fn line_in<'a>(report: &'a str, section: &str, start: &str) -> &'a str {
        report
            .lines()
            .skip_while(|l| *l != section)
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| {
                panic!("no line starting with {start:?} in {section:?} of\n{report}")
            })
    }

    #[test]
    fn header_names_the_scenario_and_how_it_was_run() {
        let report = render(&fixture::outcome(3));
        let l = lines(&report);
        assert_eq!(l[0], "Two desks");
        assert_eq!(l[1], "=========");
        assert_eq!(l[2], "Sales hands orders to billing.");
        assert!(report.contains("  seed          42\n"), "{report}");
        assert!(report.contains("  replications  3\n"), "{report}");
        // 672 h = 28 days, 48 h = 2 days.
        assert!(
            report.contains("  horizon       28 days, the first 2 of them warm-up (not counted)\n"),
            "{report}"
        );
        // 123 456 events over 3 replications.
        assert!(
            report.contains("  events        41 152 per replication\n"),
            "{report}"
        );
    }

    #[test]
    fn headline_tells_the_story_in_words() {
        let report = render(&fixture::outcome(3));
        // late 60 of 1 200 delivered = 5.0 %; arrived 1 250.2 rounds to 1 250.
        assert!(
            report.contains("1 250 orders placed; 1 200 delivered, 60 late (5.0 %), 10 with a defect, 4 lost and chased.\n"),
            "{report}"
        );
        // 50.4 h = 2.1 d, half-width 2.4 h = 0.1 d.
        assert!(
            report.contains("An order took 2.1 d ± 0.1 d on average"),
            "{report}"
        );
        assert!(says(
            &report,
            "Most failed transfers at sales → billing: 4 lost, 40 with errors (30 caught, 10 escaped).\n(Ranked by transfers lost or with errors; the causes above, by customers lost.)"
        ));
        assert!(
            says(
                &report,
                "over 26 days after the warm-up; ± is the 95 % confidence half-width over 3 replications"
            ),
            "{report}"
        );
    }

    #[test]
    fn departments_table_shows_means_and_half_widths() {
        let report = render(&fixture::outcome(3));
        let sales = line_in(&report, "Departments", "sales ");
        let billing = line_in(&report, "Departments", "billing ");
        // utilisation 0.712 ± 0.004; wait 0.75 h ± 0.05 h = 45 ± 3 min; queue 0.853 ± 0.021; served 1 234.4 ± 12.2
        let words: Vec<&str> = sales.split_whitespace().collect();
        assert_eq!(
            words,
            [
                "sales", "71.2", "%", "±", "0.4", "%", "45", "min", "±", "3", "min", "0.85", "±",
                "0.02", "1", "234", "±", "12"
            ]
        );
        // wait 31.2 h ± 2.4 h = 1.3 d ± 0.1 d
        assert!(billing.contains("50.0 % ± 1.0 %"), "{billing}");
        assert!(billing.contains("1.3 d ± 0.1 d"), "{billing}");
        assert!(billing.contains("12.00 ± 1.00"), "{billing}");
        assert!(billing.ends_with("1 200 ± 14"), "{billing}");
    }

    #[test]
    fn columns_line_up() {
        let report = render(&fixture::outcome(3));
        let header = line_starting(&report, "department");
        let sales = line_in(&report, "Departments", "sales ");
        let billing = line_in(&report, "Departments", "billing ");
        // Right-aligned columns: every row ends where the header does.
        assert_eq!(width(header), width(sales));
        assert_eq!(width(header), width(billing));
        // The ± of a column is at the same place in every row.
        let pm = |l: &str| {
            l.char_indices()
                .filter(|(_, c)| *c == '±')
                .map(|(i, _)| l[..i].chars().count())
                .collect::<Vec<_>>()
        };
        assert_eq!(pm(sales), pm(billing));
        assert_eq!(pm(sales).len(), 4);
    }

    #[test]
    fn handoffs_with_failures_are_marked() {
        let report = render(&fixture::outcome(3));
        let broken = line_starting(&report, &format!("{BREAK_MARK}  sales → billing"));
        let clean = line_starting(&report, "billing → customer");
        let words: Vec<&str> = broken.split_whitespace().collect();
        assert_eq!(
            words,
            [
                "!", "sales", "→", "billing", "1", "190", "±", "10", "4", "±", "2", "40", "±", "5",
                "30", "±", "4", "10", "±", "2"
            ]
        );
        assert!(!clean.contains(BREAK_MARK));
        // Nothing ever failed there: plain zeros, no `0 ± 0`.
        assert_eq!(
            clean.split_whitespace().collect::<Vec<_>>(),
            [
                "billing", "→", "customer", "1", "200", "±", "14", "0", "0", "0", "0"
            ]
        );
        assert!(report.contains(&format!("\n  {BREAK_MARK} lost work or passed on errors")));
    }

    #[test]
    fn lost_customers_are_listed_by_root_cause() {
        let report = render(&fixture::outcome(3));
        let section = "Lost customers and prospects by root cause, worst first";
        assert!(report.contains(&format!("\n{section}\n")), "{report}");
        let row = line_in(&report, section, "sales → billing");
        assert_eq!(
            row.split_whitespace().collect::<Vec<_>>(),
            [
                "sales",
                "→",
                "billing:",
                "wrong",
                "information",
                "(defects)",
                "14",
                "±",
                "3",
                "4",
                "±",
                "2",
                "21",
                "200",
                "±",
                "3",
                "000"
            ]
        );
        // The cause ids only with --wide.
        assert!(!report.contains("handoff:sales->billing:error"), "{report}");
        let wide = render_with(
            &fixture::outcome(3),
            Options {
                wide: true,
                ..Options::default()
            },
        );
        assert!(
            line_in(&wide, section, "sales → billing").ends_with("  handoff:sales->billing:error"),
            "{wide}"
        );
        let row = line_in(&report, section, "billing: waiting");
        assert!(
            row.starts_with("  billing: waiting in the queue (late orders)"),
            "{row}"
        );
        assert!(row.ends_with("10 000 ± 2 000"), "{row}");
        // Worst first: the 14 customers before the 6.
        assert!(
            report.find("sales → billing: wrong").unwrap()
                < report.find("billing: waiting").unwrap()
        );
        // Nobody lost: no table, and the headline says so.
        let mut outcome = fixture::outcome(3);
        outcome.summary.lost_by_cause.clear();
        outcome.summary.customers.lost = Stat {
            mean: 0.0,
            ci95: Some(0.0),
        };
        outcome.summary.customers.prospects_deterred = Stat {
            mean: 0.0,
            ci95: Some(0.0),
        };
        let report = render(&outcome);
        assert!(!report.contains("by root cause"), "{report}");
        assert!(report.contains("\nNo customer left.\n"), "{report}");
    }

    #[test]
    fn causes_in_plain_words() {
        for (id, words) in [
            (
                "handoff:billing->customer:error",
                Some("billing → customer: wrong information (defects)"),
            ),
            (
                "handoff:production->billing:lose",
                Some("production → billing: work lost (chased by the customer)"),
            ),
            (
                "handoff:sales->production:delay",
                Some("sales → production: slow transfer (late orders)"),
            ),
            (
                "department:support:wait",
                Some("support: waiting in the queue (late orders)"),
            ),
            ("handoff:a->b:sneeze", None),
            ("weather", None),
        ] {
            assert_eq!(cause_in_words(id).as_deref(), words, "{id}");
        }
    }

    #[test]
    fn customers_come_first_then_orders_then_the_tables() {
        let report = render(&fixture::outcome(3));
        let at = |s: &str| {
            report
                .find(s)
                .unwrap_or_else(|| panic!("no {s:?} in\n{report}"))
        };
        let order = [
            at("  events "),
            at(
                "20 of 1 250 new customers left (1.6 %; 19 without a word) and 6 prospects never came.\n",
            ),
            at("\nLost customers and prospects by root cause"),
            at("\nThe iceberg"),
            at("\nWhat customers did after a problem"),
            at("\nRevenue earned"),
            at("\n1 250 orders placed"),
            at("\nFlows\n"),
            at("\nDepartments\n"),
            at("\nHandoffs\n"),
        ];
        assert!(order.is_sorted(), "{order:?}\n{report}");
    }

    #[test]
    fn flows_table_has_a_row_per_flow() {
        let report = render(&fixture::outcome(3));
        let header = line_in(&report, "Flows", "flow ");
        for column in [
            "orders",
            "delivered",
            "late",
            "customers lost",
            "lead time",
            "in queues",
        ] {
            assert!(header.contains(column), "{column}: {header}");
        }
        let standard = line_in(&report, "Flows", "standard ");
        let cells: Vec<&str> = standard.split_whitespace().collect();
        assert_eq!(
            cells,
            [
                "standard", "1", "000", "±", "12", "960", "±", "11", "40", "±", "5", "15", "±",
                "3", "2.0", "d", "±", "0.1", "d", "1.3", "d", "±", "0.1", "d"
            ],
            "{standard}"
        );
        let rush = line_in(&report, "Flows", "rush ");
        assert!(rush.starts_with("  rush "), "{rush}");
    }

    #[test]
    fn the_iceberg_divides_by_the_complaints_heard() {
        // 19 silent defections / 3 complaints = 6.33; 6 prospects / 3 = 2.
        let report = render(&fixture::outcome(3));
        assert!(
            says(
                &report,
                "\nThe iceberg: for each complaint you heard, 6.3 customers left without a word and 2 prospects never came.\n"
            ),
            "{report}"
        );
        // From ten up, whole numbers; one of each is singular.
        let mut outcome = fixture::outcome(3);
        outcome.summary.customers.complaints.mean = 1.0;
        outcome.summary.customers.prospects_deterred.mean = 1.0;
        let report = render(&outcome);
        assert!(
            says(
                &report,
                "for each complaint you heard, 19 customers left without a word and 1 prospect never came.\n"
            ),
            "{report}"
        );
        // Nobody complained: no division by zero, the plain counts.
        outcome.summary.customers.complaints.mean = 0.0;
        let report = render(&outcome);
        assert!(
            says(
                &report,
                "\nThe iceberg: nobody complained, yet 19 customers left without a word and 1 prospect never came.\n"
            ),
            "{report}"
        );
        outcome.summary.customers.silent_defections.mean = 0.0;
        outcome.summary.customers.prospects_deterred.mean = 0.0;
        let report = render(&outcome);
        assert!(
            report.contains("\nThe iceberg: nobody complained, and nobody left without a word.\n"),
            "{report}"
        );
    }

    #[test]
    fn paths_show_problems_stayed_and_the_share_that_stayed() {
        let report = render(&fixture::outcome(3));
        let section = "What customers did after a problem";
        let words = |start: &str| {
            line_in(&report, section, start)
                .split_whitespace()
                .collect::<Vec<_>>()
        };
        // 48 of 67 = 71.6 %.
        assert_eq!(
            words("silent"),
            [
                "silent",
                "(did",
                "not",
                "complain)",
                "67",
                "±",
                "7",
                "48",
                "±",
                "5",
                "71.6",
                "%"
            ]
        );
        // Nobody ever stayed there: a plain 0, and 0 of 1 = 0.0 %.
        assert_eq!(
            words("complained, not resolved"),
            [
                "complained,",
                "not",
                "resolved",
                "1",
                "±",
                "1",
                "0",
                "0.0",
                "%"
            ]
        );
        assert!(line_in(&report, section, "complained, resolved slowly").ends_with("100.0 %"));
        assert!(line_in(&report, section, "complained, resolved quickly").ends_with("100.0 %"));
        assert!(!report.contains("still open"), "{report}");
        let mut outcome = fixture::outcome(3);
        outcome.summary.customers.complaints_open.mean = 2.0;
        assert!(
            render(&outcome).contains("\n  (and 2 complaints still open when the run ended)\n")
        );
    }

    #[test]
    fn revenue_earned_and_lost() {
        let report = render(&fixture::outcome(3));
        assert!(
            report.contains("\nRevenue earned: 1 440 000 ± 16 800.\nRevenue lost with the customers who left and the prospects who never came: 31 200 ± 4 000.\n"),
            "{report}"
        );
    }

    #[test]
    fn one_replication_shows_no_intervals() {
        let report = render(&fixture::outcome(1));
        assert!(!report.contains('±'), "{report}");
        assert!(says(&report, "run several for confidence intervals"));
        assert!(report.contains("  replications  1\n"));
        let sales = line_in(&report, "Departments", "sales ");
        assert_eq!(
            sales.split_whitespace().collect::<Vec<_>>(),
            ["sales", "71.2", "%", "45", "min", "0.85", "1", "234"]
        );
    }

    #[test]
    fn a_clean_chain_says_so() {
        let mut outcome = fixture::outcome(3);
        for h in &mut outcome.summary.handoffs {
            h.lost = Stat {
                mean: 0.0,
                ci95: Some(0.0),
            };
            h.errors = Stat {
                mean: 0.0,
                ci95: Some(0.0),
            };
        }
        let report = render(&outcome);
        assert!(report.contains("No handoff lost work or passed on errors.\n"));
        assert!(!report.contains("lost work or passed on errors (caught"));
    }

    #[test]
    fn nothing_measured_is_a_dash_not_nan() {
        let mut outcome = fixture::outcome(3);
        outcome.summary.departments[1].mean_wait_h = Stat {
            mean: f64::NAN,
            ci95: None,
        };
        outcome.summary.orders.delivered = Stat {
            mean: 0.0,
            ci95: Some(0.0),
        };
        let report = render(&outcome);
        assert!(!report.to_lowercase().contains("nan"), "{report}");
        assert!(report.contains(&format!("late ({})", human::MISSING)));
        let billing = line_in(&report, "Departments", "billing ");
        assert!(billing.contains(human::MISSING));
    }

    #[test]
    fn no_trailing_spaces() {
        for n in [1, 3] {
            let report = render(&fixture::outcome(n));
            assert!(report.ends_with('\n'));
            for l in report.lines() {
                assert_eq!(l, l.trim_end(), "trailing space in {l:?}");
            }
        }
    }

    #[test]
    fn the_report_agrees_with_itself() {
        let report = render(&fixture::outcome(3));
        // One arrow style for handoffs (ids with `->` only with --wide).
        assert!(!report.contains("->"), "{report}");
        // A total row; 14 + 6 = 20, 4 + 2 = 6, 21 200 + 10 000 = 31 200: no note.
        let total = line_in(
            &report,
            "Lost customers and prospects by root cause, worst first",
            "all causes",
        );
        assert_eq!(flat(total), "all causes 20 ± 3 6 ± 2 31 200 ± 4 000");
        assert!(!report.contains("rows are rounded"), "{report}");
        // Rows that round away from the total say so.
        let mut outcome = fixture::outcome(3);
        outcome.summary.lost_by_cause[0].customers.mean = 13.5;
        outcome.summary.lost_by_cause[1].customers.mean = 6.5;
        assert!(
            render(&outcome)
                .contains("\n  (rows are rounded: they add up to the total before rounding)\n")
        );
        // Deliveries can outnumber orders: said, not left to puzzle over.
        assert!(says(
            &report,
            "deliveries include orders placed during it, so there can be more deliveries than orders"
        ));
        // Every order accounted for (the fixture's means: 30 + 1 250.2 = 1 200 + 1 + 79.2).
        assert!(says(
            &report,
            "Cancelled: 1 (given up after a chase); in progress: 79 at the end, \
             30 when counting began."
        ));
        assert!(says(
            &report,
            "in progress when counting began + placed = delivered + cancelled + in progress at the end"
        ));
        // Lost work in the handoff table and the chased orders: why they differ.
        assert!(says(
            &report,
            "the orders line counts the chases, which come later"
        ));
        // Shares in the headline.
        assert!(says(
            &report,
            "The revenue lost with them, 31 200, is 2.2 % of the revenue earned."
        ));
    }

    #[test]
    fn rounded_orders_that_miss_the_identity_say_so() {
        let rounded = "(These figures are rounded: the two sides add up before rounding.)";
        // The fixture's means add up once rounded too (30 + 1 250 = 1 200 + 1 + 79).
        let mut outcome = fixture::outcome(3);
        assert!(!says(&render(&outcome), rounded));
        // 24.4 + 3 887.6 = 3 865.4 + 3.4 + 43.2 on the means, but 24 + 3 888 ≠ 3 865 + 3 + 43.
        let o = &mut outcome.summary.orders;
        o.in_progress_at_warmup.mean = 24.4;
        o.arrived.mean = 3887.6;
        o.delivered.mean = 3865.4;
        o.cancelled.mean = 3.4;
        o.in_progress.mean = 43.2;
        let report = render(&outcome);
        assert!(says(&report, rounded), "{report}");
        // Without a warm-up the left side is the orders placed alone:
        // 3 887.6 = 3 865.6 + 3.2 + 18.8, and 3 888 = 3 866 + 3 + 19.
        outcome.scenario.warmup_h = 0.0;
        let o = &mut outcome.summary.orders;
        o.delivered.mean = 3865.6;
        o.cancelled.mean = 3.2;
        o.in_progress.mean = 18.8;
        assert!(!says(&render(&outcome), rounded));
    }

    #[test]
    fn without_a_warm_up_no_order_was_in_progress_when_counting_began() {
        let mut outcome = fixture::outcome(3);
        outcome.scenario.warmup_h = 0.0;
        let report = render(&outcome);
        assert!(says(
            &report,
            "Cancelled: 1 (given up after a chase); in progress: 79 at the end."
        ));
        assert!(!says(&report, "30 when counting began"), "{report}");
        assert!(!says(&report, "Counted after the warm-up"), "{report}");
        assert!(says(&report, "over 28 days;"), "{report}");
        assert!(says(
            &report,
            "Every order is accounted for: placed = delivered + cancelled + in progress at the end."
        ));
    }

    #[test]
    fn without_an_order_value_no_revenue_is_claimed() {
        let mut outcome = fixture::outcome(3);
        let zero = Stat {
            mean: 0.0,
            ci95: Some(0.0),
        };
        outcome.summary.revenue.earned = zero;
        outcome.summary.revenue.lost = zero;
        for c in &mut outcome.summary.lost_by_cause {
            c.revenue = zero;
        }
        let report = render(&outcome);
        assert!(!report.contains("of revenue lost"), "{report}");
        assert!(!report.contains("revenue earned"), "{report}");
        assert!(
            report
                .contains("Revenue: not counted (the scenario gives no customers.order_value).\n")
        );
    }

    #[test]
    fn with_nothing_delivered_and_nobody_lost_there_is_no_revenue_to_count() {
        let mut outcome = fixture::outcome(3);
        let zero = Stat {
            mean: 0.0,
            ci95: Some(0.0),
        };
        let s = &mut outcome.summary;
        s.revenue.earned = zero;
        s.revenue.lost = zero;
        s.orders.delivered = zero;
        s.customers.lost = zero;
        s.customers.prospects_deterred = zero;
        let report = render(&outcome);
        assert!(!report.contains("order_value"), "{report}");
        assert!(
            report.contains("Revenue: none earned or lost (nothing was delivered"),
            "{report}"
        );
    }

    #[test]
    fn lines_fit_100_columns_unless_wide() {
        let mut outcome = fixture::outcome(3);
        outcome.summary.lost_by_cause[0].cause = format!(
            "handoff:{}->{}:error",
            "order-intake-and-qualification", "production-planning-department"
        );
        outcome.summary.handoffs[0].from = "order-intake-and-qualification".into();
        let report = render(&outcome);
        for l in report.lines() {
            assert!(width(l) <= MAX_WIDTH, "{} columns: {l:?}", width(l));
        }
        let wide = render_with(
            &outcome,
            Options {
                wide: true,
                ..Options::default()
            },
        );
        assert!(wide.lines().any(|l| width(l) > MAX_WIDTH));
    }

    fn spanish() -> Options {
        Options {
            lang: Lang::Es,
            ..Options::default()
        }
    }

    #[test]
    fn the_spanish_report_says_the_same_in_spanish() {
        let report = render_with(&fixture::outcome(3), spanish());
        for sentence in [
            "Se fueron 20 clientes nuevos de 1 250 (1,6 %; 19 sin decir nada) y 6 posibles clientes nunca llegaron.",
            "El iceberg: por cada queja recibida, 6,3 clientes se fueron sin decir nada y 2 posibles clientes nunca llegaron.",
            "Ingresos obtenidos: 1 440 000 ± 16 800.",
            "1 250 pedidos hechos; 1 200 entregados, 60 con retraso (5,0 %), 10 con un defecto, 4 perdidos y reclamados.",
            "Un pedido tardó de media 2,1 d ± 0,1 d desde el pedido hasta la entrega.",
            "(Las cifras son medias por réplica de 26 días tras el calentamiento; ± es la mitad del intervalo de confianza del 95 %, con 3 réplicas.)",
        ] {
            assert!(says(&report, sentence), "{sentence}\n{report}");
        }
        assert!(
            report.contains(
                "  horizonte  28 días; los 2 primeros son de calentamiento (no se cuentan)\n"
            ),
            "{report}"
        );
        let sales = line_in(&report, "Departamentos", "sales ");
        assert_eq!(
            sales.split_whitespace().collect::<Vec<_>>(),
            [
                "sales", "71,2", "%", "±", "0,4", "%", "45", "min", "±", "3", "min", "0,85", "±",
                "0,02", "1", "234", "±", "12"
            ]
        );
        // The same alignment rules: rows end where their header does, ± in line.
        let header = line_starting(&report, "departamento");
        let billing = line_in(&report, "Departamentos", "billing ");
        assert_eq!(width(header), width(sales));
        assert_eq!(width(header), width(billing));
        let row = line_in(&report, w_title(Lang::Es), "sales → billing");
        assert!(
            row.starts_with("  sales → billing: datos erróneos (defectos)"),
            "{row}"
        );
        // One of each is singular.
        let mut outcome = fixture::outcome(3);
        outcome.summary.customers.complaints.mean = 19.0;
        outcome.summary.customers.prospects_deterred.mean = 19.0;
        let report = render_with(&outcome, spanish());
        assert!(
            says(
                &report,
                "por cada queja recibida, 1 cliente se fue sin decir nada y 1 posible cliente nunca llegó."
            ),
            "{report}"
        );
    }

    #[test]
    fn no_english_heading_in_the_spanish_report() {
        let report = render_with(&fixture::outcome(3), spanish());
        for english in [
            "Lost customers and prospects by root cause",
            "What customers did after a problem",
            "The iceberg",
            "Revenue earned",
            "orders placed",
            "\nFlows\n",
            "\nDepartments\n",
            "\nHandoffs\n",
            "Internal-customer scorecard",
            "what broke",
            "all causes",
            "utilisation",
            "mean wait",
            "  seed ",
            "  horizon ",
            "  events ",
            "after a problem",
            "customers lost",
            "lead time",
            "escaped",
            "caught",
            "run with",
        ] {
            assert!(!report.contains(english), "{english:?} in\n{report}");
        }
    }

    #[test]
    fn spanish_tables_fit_100_columns_as_the_english_ones_do() {
        let mut outcome = fixture::outcome(3);
        outcome.summary.handoffs[0].from = "order-intake".into();
        outcome.summary.lost_by_cause[0].cause = "handoff:order-intake->billing:lose".into();
        for lang in [Lang::En, Lang::Es] {
            let options = Options {
                lang,
                ..Options::default()
            };
            let report = render_with(&outcome, options);
            for l in report.lines() {
                assert!(width(l) <= MAX_WIDTH, "{} columns: {l:?}", width(l));
            }
            // No table row was broken to fit: each still holds all its columns.
            let causes = line_in(&report, w_title(lang), "order-intake → billing");
            assert!(
                causes.ends_with("21 200 ± 3 000"),
                "{lang:?}: {causes}\n{report}"
            );
        }
    }

    fn w_title(lang: Lang) -> &'static str {
        lang.catalogue().get("text.causes.title")
    }

    /// A table too wide for the report gives its long headers two lines,
    /// instead of having its rows broken under them; a narrow one keeps one.
    #[test]
    fn a_table_too_wide_folds_its_headers_not_its_rows() {
        let table = |headers: &[(&str, Align)], row: &[&str]| {
            let mut t = Table::new(headers);
            t.row(row.iter().map(|c| Cell::Text((*c).to_owned())).collect());
            let mut out = String::new();
            t.write(&mut out);
            wrap(&out, MAX_WIDTH)
        };
        let wide = [
            ("incident", Align::Left),
            ("window in days from the start", Align::Left),
            ("customers lost inside the window", Align::Right),
            ("per week inside the window", Align::Right),
            ("per week outside the windows", Align::Right),
            ("revenue lost", Align::Right),
        ];
        let out = table(
            &wide,
            &[
                "billing migration",
                "day 120–150",
                "21 ± 5",
                "4.8",
                "0.4",
                "375 044 ± 59 040",
            ],
        );
        let lines = lines(&out);
        // Three header lines (at two, the table is still too wide), one row.
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines.iter().all(|l| width(l) <= MAX_WIDTH), "{out}");
        let (header, row) = (lines[2], lines[3]);
        assert!(row.starts_with("  billing migration  day 120–150"), "{out}");
        assert!(row.ends_with("375 044 ± 59 040"), "{out}");
        // Each right-aligned header ends where its figures end.
        let end = |line: &str, text: &str| line.find(text).map(|i| width(&line[..i]) + width(text));
        assert_eq!(end(header, "the window"), end(row, "21 ± 5"), "{out}");
        assert_eq!(end(header, "revenue lost"), end(row, "59 040"), "{out}");
        assert!(
            lines[0].contains("window in") && lines[1].contains("days from"),
            "{out}"
        );
        let narrow = table(&wide[..3], &["billing migration", "day 120–150", "21 ± 5"]);
        assert_eq!(narrow.lines().count(), 2, "{narrow}");
    }

    #[test]
    fn wrapping_never_breaks_a_number_or_its_interval() {
        let line = format!(
            "{} against 246 163 ± 52 145 of revenue lost.",
            "x".repeat(80)
        );
        let wrapped = wrap(&line, 100);
        assert!(
            wrapped.lines().any(|l| l.contains("246 163 ± 52 145")),
            "{wrapped}"
        );
        assert_eq!(wrapped.replace('\n', " ").trim_end(), line);
    }

    #[test]
    fn wrapping_keeps_every_word_and_the_indentation() {
        let text = format!("  {}\n", "word ".repeat(40).trim_end());
        let wrapped = wrap(&text, 30);
        assert_eq!(flat(&wrapped), flat(&text));
        for l in wrapped.lines() {
            assert!(width(l) <= 30 && l.starts_with("  word"), "{l:?}");
        }
    }
}
