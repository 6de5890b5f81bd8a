//! The comparison of scenarios, as text for people and JSON for scripts.
//!
//! Pure functions of a [`Comparison`] (and the files the scenarios came from):
//! the same comparison always gives the same bytes.
//!
//! The text shows one column per scenario (`mean ± 95 % half-width` over its
//! replications) and, for every scenario after the first, its paired
//! difference from the first, marked [`SIGNIFICANT_MARK`] when the 95 %
//! interval excludes zero; then one plain sentence on the biggest significant
//! change in customers lost.
//!
//! The JSON is one object: `version`, `seed`, `replications`, `metrics` (the
//! compared metric names, in order), `scenarios` (each `name`, `file`,
//! `events` and its summary in the shape of `handoff run --format json`), and
//! `differences`, each `{scenario, metric, mean, ci95, significant}`. Those
//! field names are a contract with scripts: add, never rename.

use std::fmt::Write as _;

use serde::Serialize;

use super::human::{self, Shown};
use super::i18n::Lang;
use super::text::{Align, Cell, Table, Words, key_values};
use crate::experiment::{Comparison, Difference};
use crate::metrics::{Metrics, Stat};

/// The mark after a difference whose 95 % interval excludes zero.
pub const SIGNIFICANT_MARK: &str = "*";

/// Where a compared scenario came from: its file and, for a `--variant`, the
/// changes that made it (`department.billing.staff=3`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    pub file: String,
    pub variant: Option<String>,
}

impl Source {
    pub fn file(file: impl Into<String>) -> Self {
        Source {
            file: file.into(),
            variant: None,
        }
    }

    /// `scenarios/a.toml`, or `scenarios/a.toml with department.billing.staff=3`.
    pub fn describe(&self) -> String {
        self.describe_in(Lang::En)
    }

    /// [`Source::describe`] in `lang`.
    pub fn describe_in(&self, lang: Lang) -> String {
        match &self.variant {
            Some(changes) => lang.catalogue().fill(
                "text.compare.with",
                &[("file", &self.file), ("changes", changes)],
            ),
            None => self.file.clone(),
        }
    }
}

/// A cause id in a few words for a table row: `billing → customer errors`.
fn cause_short(cause: &str, w: &Words) -> String {
    let kind_words = |kind: &str| match kind {
        "lose" | "error" | "delay" | "wait" | "rude" => {
            w.get(&format!("text.compare.cause.{kind}")).to_owned()
        }
        other => other.to_owned(),
    };
    if let Some(rest) = cause.strip_prefix("handoff:")
        && let Some((route, kind)) = rest.rsplit_once(':')
        && let Some((from, to)) = route.split_once("->")
    {
        let route = format!("{from} → {}", w.lang.handoff_end(to));
        return w.fill(
            "text.compare.cause_at",
            &[("place", &route), ("what", &kind_words(kind))],
        );
    }
    if let Some(rest) = cause.strip_prefix("department:")
        && let Some((name, kind)) = rest.rsplit_once(':')
    {
        return w.fill(
            "text.compare.cause_at",
            &[("place", name), ("what", &kind_words(kind))],
        );
    }
    cause.to_owned()
}

/// A metric name (`customers.lost`, `departments.billing.utilization`) in words.
pub fn metric_label(metric: &str) -> String {
    metric_label_in(metric, Lang::En)
}

/// The metrics named in words by the catalogue (`text.compare.metric.<metric>`).
const NAMED_METRICS: [&str; 20] = [
    "customers.lost",
    "customers.prospects_deterred",
    "customers.silent_defections",
    "customers.complaints",
    "customers.recovered",
    "revenue.earned",
    "revenue.lost",
    "revenue.staff_cost",
    "orders.delivered",
    "orders.late",
    "orders.defects",
    "orders.lost_chased",
    "orders.mean_lead_time_h",
    "policy.abusive_orders",
    "policy.abuse_caught",
    "policy.abuse_cost",
    "policy.abuse_saved",
    "policy.friction_problems",
    "policy.customers_lost",
    "policy.revenue_lost",
];

/// [`metric_label`] in `lang`; department, flow and handoff names stay as they are.
pub fn metric_label_in(metric: &str, lang: Lang) -> String {
    let w = Words::new(lang);
    if NAMED_METRICS.contains(&metric) {
        return w.get(&format!("text.compare.metric.{metric}")).to_owned();
    }
    if let Some(rest) = metric.strip_prefix("flows.") {
        if let Some(name) = rest.strip_suffix(".customers_lost") {
            return w.fill("text.compare.flow_lost", &[("name", name)]);
        }
        if let Some(name) = rest.strip_suffix(".mean_lead_time_h") {
            return w.fill("text.compare.flow_lead_time", &[("name", name)]);
        }
    }
    if let Some(rest) = metric.strip_prefix("departments.") {
        if let Some(name) = rest.strip_suffix(".utilization") {
            return w.fill("text.compare.utilisation", &[("name", name)]);
        }
        if let Some(name) = rest.strip_suffix(".mean_wait_h") {
            return w.fill("text.compare.mean_wait", &[("name", name)]);
        }
    }
    if let Some(name) = metric
        .strip_prefix("pools.")
        .and_then(|rest| rest.strip_suffix(".utilization"))
    {
        return w.fill("text.compare.pool_utilisation", &[("name", name)]);
    }
    if let Some(rest) = metric.strip_prefix("handoffs.")
        && let Some((route, field)) = rest.rsplit_once('.')
        && let Some((from, to)) = route.split_once("->")
    {
        let field = match field {
            "error_final" | "lose_final" | "lost" | "errors" => {
                w.get(&format!("text.compare.{field}")).to_owned()
            }
            other => other.to_owned(),
        };
        return format!("{from} → {}: {field}", w.lang.handoff_end(to));
    }
    if let Some(cause) = metric
        .strip_prefix("lost_by_cause.")
        .and_then(|rest| rest.strip_suffix(".customers"))
    {
        return w.fill(
            "text.compare.lost_to",
            &[("cause", &cause_short(cause, &w))],
        );
    }
    metric.to_owned()
}

/// How a metric's values are shown: (scale to the shown unit, formatter with decimals).
fn unit_of(metric: &str, mean: f64) -> (f64, Box<dyn Fn(f64, usize) -> String>) {
    if metric.ends_with("_h") {
        let unit = human::TimeUnit::for_hours(mean);
        let scale = match unit {
            human::TimeUnit::Minutes => 60.0,
            human::TimeUnit::Hours => 1.0,
            human::TimeUnit::Days => 1.0 / 24.0,
        };
        (scale, Box::new(move |x, d| unit.show_with(x, d)))
    } else if metric.ends_with(".utilization")
        || metric.ends_with(".error_final")
        || metric.ends_with(".lose_final")
    {
        (100.0, Box::new(human::percent_with))
    } else {
        (1.0, Box::new(human::grouped))
    }
}

/// Decimals that show a half-width of `h` (in the shown unit) to two significant digits.
fn decimals_for(h: f64) -> usize {
    if !(h.is_finite() && h > 0.0) {
        return 0;
    }
    (1 - h.log10().floor() as i64).clamp(0, 6) as usize
}

/// A statistic of `metric`, with as many decimals as its half-width has meaning:
/// `0.85 ± 0.46`, `22 ± 20`, `-8.4 ± 6.1`; with `signed`, a `+` before a positive mean;
/// with `significant`, never a mean that looks no bigger than its half-width.
/// The comparison page rounds with this too, so it shows what this text shows.
pub(crate) fn shown(metric: &str, s: Stat, signed: bool, significant: bool) -> Shown {
    if !s.mean.is_finite() {
        return Shown {
            mean: human::MISSING.to_owned(),
            ci95: None,
        };
    }
    let (scale, f) = unit_of(metric, s.mean);
    let never = s.mean == 0.0 && s.ci95 == Some(0.0);
    let ci = s.ci95.filter(|h| h.is_finite() && !never);
    let base = match ci {
        Some(h) if h > 0.0 => decimals_for(h * scale),
        _ if never => 0,
        // No interval: the usual decimals of the unit (a whole count, `2.9 d`, `71.2 %`).
        _ if scale == 1.0 && !metric.ends_with("_h") => 0,
        _ => 1,
    };
    let mut decimals = base;
    if significant && let Some(h) = ci {
        // A significant difference shows a mean beyond its half-width.
        while decimals < base + 3 && f(s.mean.abs(), decimals) == f(h, decimals) {
            decimals += 1;
        }
    }
    let mut mean = f(s.mean, decimals);
    if signed && s.mean > 0.0 && mean.chars().any(|c| matches!(c, '1'..='9')) {
        mean = format!("+{mean}");
    }
    Shown {
        mean,
        ci95: ci.map(|h| f(h, decimals)),
    }
}

/// A difference with its sign (`+8.2 ± 3.1`, `-8.2 ± 3.1`, `0`), marked when significant;
/// a dash when one of the two scenarios does not have the metric.
fn shown_difference(d: &Difference) -> Shown {
    let mut s = shown(
        &d.metric,
        Stat {
            mean: d.mean,
            ci95: d.ci95,
        },
        true,
        d.significant,
    );
    if d.significant {
        match &mut s.ci95 {
            Some(ci) => ci.push_str(&format!(" {SIGNIFICANT_MARK}")),
            None => s.mean.push_str(&format!(" {SIGNIFICANT_MARK}")),
        }
    }
    s
}

/// The differences of scenario `i` (1, 2, …) from the first, in metric order.
fn differences_of(c: &Comparison, i: usize) -> &[Difference] {
    let n = c.metrics.len();
    let start = (i - 1) * n;
    c.differences.get(start..start + n).unwrap_or(&[])
}

/// Metric `k` of scenario `i`.
fn stat_of(c: &Comparison, i: usize, k: usize) -> Stat {
    c.stats
        .get(i)
        .and_then(|s| s.get(k))
        .copied()
        .unwrap_or(Stat {
            mean: f64::NAN,
            ci95: None,
        })
}

/// Scenario `i`'s name, with its file when another scenario has the same name.
fn display_name(c: &Comparison, sources: &[Source], i: usize, lang: Lang) -> String {
    let name = &c.outcomes[i].scenario.name;
    let shared = c
        .outcomes
        .iter()
        .filter(|o| &o.scenario.name == name)
        .count()
        > 1;
    match sources.get(i) {
        Some(source) if shared => format!("{name} ({})", source.describe_in(lang)),
        _ => name.clone(),
    }
}

/// The text comparison; `sources[i]` is where scenario `i` came from.
/// Lines end with `\n`, no trailing spaces, no colour.
pub fn text(c: &Comparison, sources: &[Source]) -> String {
    text_in(c, sources, Lang::En)
}

/// [`text`] in `lang`.
pub fn text_in(c: &Comparison, sources: &[Source], lang: Lang) -> String {
    let w = &Words::new(lang);
    let mut out = String::new();
    let count = c.outcomes.len();
    let _ = writeln!(
        out,
        "{}",
        w.fill("text.compare.title", &[("count", &count.to_string())])
    );
    out.push('\n');
    let mut rows = vec![
        (w.get("text.header.seed").to_owned(), c.seed.to_string()),
        (
            w.get("text.header.replications").to_owned(),
            w.fill(
                "text.compare.of_each",
                &[("n", &c.replications.to_string())],
            ),
        ),
    ];
    for (i, o) in c.outcomes.iter().enumerate() {
        let from = sources
            .get(i)
            .map_or(String::new(), |s| s.describe_in(lang));
        rows.push((
            format!("[{}]", i + 1),
            format!("{} ({from})", o.scenario.name),
        ));
    }
    let rows: Vec<(&str, String)> = rows.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    key_values(&mut out, &rows, 12);
    out.push('\n');

    let mut headers: Vec<(String, Align)> =
        vec![(w.get("text.compare.metric").to_owned(), Align::Left)];
    for i in 0..count {
        headers.push((format!("[{}]", i + 1), Align::Right));
    }
    for i in 1..count {
        headers.push((format!("[{}] − [1]", i + 1), Align::Right));
    }
    let header_refs: Vec<(&str, Align)> = headers.iter().map(|(h, a)| (h.as_str(), *a)).collect();
    let mut table = Table::new(&header_refs);
    let mut marked = false;
    let mut absent = false;
    for (k, metric) in c.metrics.iter().enumerate() {
        let mut row = vec![Cell::Text(metric_label_in(metric, lang))];
        for i in 0..count {
            let s = stat_of(c, i, k);
            absent |= !s.mean.is_finite();
            row.push(Cell::Stat(shown(metric, s, false, false).in_lang(lang)));
        }
        for i in 1..count {
            match differences_of(c, i).get(k) {
                Some(d) => {
                    marked |= d.significant;
                    row.push(Cell::Stat(shown_difference(d).in_lang(lang)));
                }
                None => row.push(Cell::Text(human::MISSING.to_owned())),
            }
        }
        table.row(row);
    }
    table.write(&mut out);
    if c.replications > 1 {
        w.note(&mut out, "text.compare.interval_note", &[]);
        if marked {
            w.note(
                &mut out,
                "text.compare.mark_note",
                &[("mark", SIGNIFICANT_MARK)],
            );
        }
    }
    if absent {
        w.note(
            &mut out,
            "text.compare.absent_note",
            &[("missing", human::MISSING)],
        );
    }
    out.push('\n');
    let _ = writeln!(out, "{}", reading_in(c, sources, lang));
    out
}

/// One plain sentence on the biggest significant change in customers lost.
pub fn reading(c: &Comparison, sources: &[Source]) -> String {
    reading_in(c, sources, Lang::En)
}

/// [`reading`] in `lang`.
pub fn reading_in(c: &Comparison, sources: &[Source], lang: Lang) -> String {
    let w = Words::new(lang);
    if c.outcomes.len() < 2 {
        return w.get("text.compare.only_one").to_owned();
    }
    let first = display_name(c, sources, 0, lang);
    if c.replications < 2 {
        return w.get("compare.one_replication").to_owned();
    }
    let biggest = (1..c.outcomes.len())
        .filter_map(|i| {
            differences_of(c, i)
                .iter()
                .find(|d| d.metric == "customers.lost" && d.significant)
                .map(|d| (i, d))
        })
        .fold(
            None,
            |best: Option<(usize, &Difference)>, (i, d)| match best {
                Some((_, b)) if b.mean.abs() >= d.mean.abs() => best,
                _ => Some((i, d)),
            },
        );
    match biggest {
        Some((i, d)) => {
            let name = display_name(c, sources, i, lang);
            let amount = shown(
                "customers.lost",
                Stat {
                    mean: d.mean.abs(),
                    ci95: d.ci95,
                },
                false,
                true,
            )
            .in_lang(lang);
            let key = if d.mean < 0.0 {
                "text.compare.keeps"
            } else {
                "text.compare.loses"
            };
            // Singular or plural by the difference alone, not its "± half-width".
            w.counted(
                key,
                ("difference", &amount.mean),
                &[
                    ("name", &name),
                    ("amount", &amount.joined()),
                    ("first", &first),
                ],
            )
        }
        None => w.fill("text.compare.no_change", &[("first", &first)]),
    }
}

/// The comparison as CSV, one row per scenario and metric:
/// `scenario,file,variant,metric,mean,ci95,difference,difference_ci95,significant`, the
/// difference being from the first scenario (empty for the first, and where a scenario
/// does not have the metric). Numbers in full precision.
pub fn csv(c: &Comparison, sources: &[Source]) -> Vec<u8> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let number = |x: Option<f64>| {
        x.filter(|v| v.is_finite())
            .map_or(String::new(), |v| v.to_string())
    };
    let _ = w.write_record([
        "scenario",
        "file",
        "variant",
        "metric",
        "mean",
        "ci95",
        "difference",
        "difference_ci95",
        "significant",
    ]);
    for (i, o) in c.outcomes.iter().enumerate() {
        let source = sources.get(i).cloned().unwrap_or_default();
        for (k, metric) in c.metrics.iter().enumerate() {
            let s = stat_of(c, i, k);
            let d = (i > 0).then(|| differences_of(c, i).get(k)).flatten();
            let _ = w.write_record([
                o.scenario.name.clone(),
                source.file.clone(),
                source.variant.clone().unwrap_or_default(),
                metric.clone(),
                number(Some(s.mean)),
                number(s.ci95.filter(|_| s.mean.is_finite())),
                number(d.map(|d| d.mean)),
                number(d.and_then(|d| d.ci95.filter(|_| d.mean.is_finite()))),
                d.map_or(String::new(), |d| d.significant.to_string()),
            ]);
        }
    }
    w.into_inner().expect("writing to memory cannot fail")
}

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    seed: u64,
    replications: u32,
    metrics: &'a [String],
    scenarios: Vec<ScenarioDocument<'a>>,
    differences: Vec<DifferenceDocument<'a>>,
}

/// A difference, with the file of its scenario (names may repeat).
#[derive(Serialize)]
struct DifferenceDocument<'a> {
    #[serde(flatten)]
    difference: &'a Difference,
    file: &'a str,
}

#[derive(Serialize)]
struct ScenarioDocument<'a> {
    name: &'a str,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    variant: Option<&'a str>,
    description: &'a str,
    events: u64,
    #[serde(flatten)]
    summary: &'a Metrics<Stat>,
}

/// The JSON comparison, pretty-printed with a trailing newline; `sources[i]` is
/// where scenario `i` came from. Non-finite numbers (a metric a scenario does not
/// have) are written as null.
pub fn json(c: &Comparison, sources: &[Source]) -> Vec<u8> {
    let file = |i: usize| sources.get(i).map_or("", |s| s.file.as_str());
    let document = Document {
        version: env!("CARGO_PKG_VERSION"),
        seed: c.seed,
        replications: c.replications,
        metrics: &c.metrics,
        scenarios: c
            .outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| ScenarioDocument {
                name: &o.scenario.name,
                file: file(i),
                variant: sources.get(i).and_then(|s| s.variant.as_deref()),
                description: &o.scenario.description,
                events: o.events,
                summary: &o.summary,
            })
            .collect(),
        differences: c
            .differences
            .iter()
            .enumerate()
            .map(|(j, d)| DifferenceDocument {
                difference: d,
                file: file(1 + j / c.metrics.len().max(1)),
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&document)
        .expect("a comparison is plain data: strings, integers and floats");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::report::fixture;

    /// Two outcomes of the fixture, the second losing 8 ± 3 fewer customers.
    fn comparison(significant: bool) -> Comparison {
        let a = fixture::outcome(3);
        let mut b = fixture::outcome(3);
        b.scenario.name = "Better".into();
        b.summary.customers.lost.mean = 12.0;
        let metrics = vec![
            "customers.lost".to_owned(),
            "orders.mean_lead_time_h".to_owned(),
        ];
        let differences = vec![
            Difference {
                scenario: "Better".into(),
                metric: "customers.lost".into(),
                mean: -8.0,
                ci95: Some(3.0),
                significant,
            },
            Difference {
                scenario: "Better".into(),
                metric: "orders.mean_lead_time_h".into(),
                mean: 2.0,
                ci95: Some(4.0),
                significant: false,
            },
        ];
        let stats = [&a, &b]
            .iter()
            .map(|o| vec![o.summary.customers.lost, o.summary.orders.mean_lead_time_h])
            .collect();
        Comparison {
            seed: 42,
            replications: 3,
            outcomes: vec![a, b],
            metrics,
            stats,
            differences,
        }
    }

    fn files() -> Vec<Source> {
        vec![Source::file("a.toml"), Source::file("b.toml")]
    }

    #[test]
    fn text_has_a_column_per_scenario_and_the_difference() {
        let report = text(&comparison(true), &files());
        assert!(
            report.contains("  [1]           Two desks (a.toml)\n"),
            "{report}"
        );
        assert!(
            report.contains("  [2]           Better (b.toml)\n"),
            "{report}"
        );
        let row = report
            .lines()
            .find(|l| l.trim_start().starts_with("customers lost"))
            .unwrap();
        assert_eq!(
            row.split_whitespace().collect::<Vec<_>>(),
            [
                "customers",
                "lost",
                "20.0",
                "±",
                "3.0",
                "12.0",
                "±",
                "3.0",
                "-8.0",
                "±",
                "3.0",
                "*"
            ]
        );
        // 2 h ± 4 h: not significant, signed, no mark.
        let row = report
            .lines()
            .find(|l| l.trim_start().starts_with("mean lead time"))
            .unwrap();
        assert!(row.ends_with("+2.0 h ± 4.0 h"), "{row}");
        assert!(report.contains("\n  * the difference's 95 % interval excludes zero.\n"));
        assert!(
            report.ends_with("\nBetter keeps 8.0 ± 3.0 more customers than Two desks.\n"),
            "{report}"
        );
        for l in report.lines() {
            assert_eq!(l, l.trim_end(), "trailing space in {l:?}");
        }
    }

    #[test]
    fn without_a_significant_change_the_reading_says_so() {
        let report = text(&comparison(false), &files());
        assert!(!report.contains(" * the difference"), "{report}");
        assert!(report.ends_with(
            "\nNo scenario loses significantly more or fewer customers than Two desks (95 % confidence).\n"
        ));
        let mut c = comparison(true);
        c.differences[0].mean = 5.0;
        assert_eq!(
            reading(&c, &files()),
            "Better loses 5.0 ± 3.0 more customers than Two desks."
        );
    }

    #[test]
    fn metrics_in_words() {
        assert_eq!(metric_label("customers.lost"), "customers lost");
        assert_eq!(
            metric_label("flows.rush.customers_lost"),
            "flow rush: customers lost"
        );
        assert_eq!(
            metric_label("flows.rush.mean_lead_time_h"),
            "flow rush: mean lead time"
        );
        assert_eq!(
            metric_label("departments.billing.utilization"),
            "billing: utilisation"
        );
        assert_eq!(
            metric_label("departments.billing.mean_wait_h"),
            "billing: mean wait"
        );
        assert_eq!(metric_label("something.else"), "something.else");
    }

    #[test]
    fn json_keeps_the_contract() {
        let c = comparison(true);
        let v: Value = serde_json::from_slice(&json(&c, &files())).unwrap();
        assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["seed"], 42);
        assert_eq!(v["replications"], 3);
        assert_eq!(
            v["metrics"],
            json!(["customers.lost", "orders.mean_lead_time_h"])
        );
        assert_eq!(v["scenarios"][1]["name"], "Better");
        assert_eq!(v["scenarios"][1]["file"], "b.toml");
        assert_eq!(
            v["scenarios"][1]["customers"]["lost"],
            json!({"mean": 12.0, "ci95": 3.0})
        );
        assert_eq!(
            v["differences"][0],
            json!({
                "scenario": "Better",
                "metric": "customers.lost",
                "mean": -8.0,
                "ci95": 3.0,
                "significant": true,
                "file": "b.toml",
            })
        );
        assert_eq!(v["differences"].as_array().unwrap().len(), 2);
    }

    fn difference(metric: &str, mean: f64, ci95: f64, significant: bool) -> String {
        shown_difference(&Difference {
            scenario: "B".into(),
            metric: metric.into(),
            mean,
            ci95: Some(ci95),
            significant,
        })
        .joined()
    }

    #[test]
    fn decimals_follow_the_half_width() {
        // Two significant digits of the half-width, the mean to the same place.
        assert_eq!(
            difference("orders.late", 0.85, 0.46, true),
            "+0.85 ± 0.46 *"
        );
        assert_eq!(
            difference("customers.lost", -8.4, 6.1, true),
            "-8.4 ± 6.1 *"
        );
        assert_eq!(
            difference("revenue.lost", 21_960.0, 18_240.0, true),
            "+21 960 ± 18 240 *"
        );
        // Significant: the mean shows beyond its half-width, never `+2.0 ± 2.0 *`.
        let d = difference("orders.late", 2.004, 1.996, true);
        assert_eq!(d, "+2.004 ± 1.996 *");
        assert_eq!(difference("orders.late", 0.0, 0.0, false), "0");
        // A share in percentage points, a duration in the unit of its mean.
        assert_eq!(
            difference("departments.a.utilization", 0.0107, 0.0037, true),
            "+1.07 % ± 0.37 % *"
        );
        assert_eq!(
            difference("orders.mean_lead_time_h", -1.68, 0.21, true),
            "-1.68 h ± 0.21 h *"
        );
    }

    #[test]
    fn a_metric_only_some_scenarios_have_is_kept_with_a_dash() {
        let mut c = comparison(true);
        c.metrics.push("departments.support.utilization".into());
        c.stats[0].push(Stat {
            mean: f64::NAN,
            ci95: None,
        });
        c.stats[1].push(Stat {
            mean: 0.5,
            ci95: Some(0.01),
        });
        c.differences.push(Difference {
            scenario: "Better".into(),
            metric: "departments.support.utilization".into(),
            mean: f64::NAN,
            ci95: None,
            significant: false,
        });
        let report = text(&c, &files());
        let row = report
            .lines()
            .find(|l| l.trim_start().starts_with("support: utilisation"))
            .unwrap_or_else(|| panic!("{report}"));
        assert_eq!(
            row.split_whitespace().collect::<Vec<_>>(),
            [
                "support:",
                "utilisation",
                human::MISSING,
                "50.0",
                "%",
                "±",
                "1.0",
                "%",
                human::MISSING
            ]
        );
        assert!(report.contains("no such department"), "{report}");
        let v: Value = serde_json::from_slice(&json(&c, &files())).unwrap();
        assert_eq!(v["differences"][2]["mean"], Value::Null);
        let csv = String::from_utf8(csv(&c, &files())).unwrap();
        assert!(
            csv.contains("\nTwo desks,a.toml,,departments.support.utilization,,,,,\n"),
            "{csv}"
        );
    }

    #[test]
    fn scenarios_with_one_name_are_told_apart_by_file() {
        let mut c = comparison(true);
        c.outcomes[1].scenario.name = "Two desks".into();
        let sources = vec![
            Source::file("a.toml"),
            Source {
                file: "a.toml".into(),
                variant: Some("department.sales.staff=3".into()),
            },
        ];
        let report = text(&c, &sources);
        assert!(
            report.ends_with(
                "\nTwo desks (a.toml with department.sales.staff=3) keeps 8.0 ± 3.0 more customers than Two desks (a.toml).\n"
            ),
            "{report}"
        );
        let v: Value = serde_json::from_slice(&json(&c, &sources)).unwrap();
        assert_eq!(v["scenarios"][1]["variant"], "department.sales.staff=3");
        assert_eq!(v["differences"][0]["file"], "a.toml");
    }

    #[test]
    fn csv_has_a_row_per_scenario_and_metric() {
        let csv = String::from_utf8(csv(&comparison(true), &files())).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "scenario,file,variant,metric,mean,ci95,difference,difference_ci95,significant"
        );
        assert_eq!(lines.len(), 1 + 2 * 2);
        assert!(
            lines[1].starts_with("Two desks,a.toml,,customers.lost,20,"),
            "{csv}"
        );
        assert!(lines[1].ends_with(",,,"), "{csv}");
        assert!(
            lines[3].starts_with("Better,b.toml,,customers.lost,12,"),
            "{csv}"
        );
        assert!(lines[3].ends_with(",-8,3,true"), "{csv}");
    }

    #[test]
    fn causes_and_handoffs_in_words() {
        assert_eq!(
            metric_label("lost_by_cause.handoff:billing->customer:error.customers"),
            "lost to billing → customer errors"
        );
        assert_eq!(
            metric_label("handoffs.sales->billing.lost"),
            "sales → billing: lost"
        );
    }
}
