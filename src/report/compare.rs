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
use super::text::{Align, Cell, Table};
use crate::experiment::{Comparison, Difference};
use crate::metrics::{Metrics, Stat};

/// The mark after a difference whose 95 % interval excludes zero.
pub const SIGNIFICANT_MARK: &str = "*";

/// A metric name (`customers.lost`, `departments.billing.utilization`) in words.
pub fn metric_label(metric: &str) -> String {
    let fixed = match metric {
        "customers.lost" => "customers lost",
        "customers.prospects_deterred" => "prospects deterred",
        "customers.silent_defections" => "silent defections",
        "customers.complaints" => "complaints",
        "customers.recovered" => "complaints recovered",
        "revenue.earned" => "revenue earned",
        "revenue.lost" => "revenue lost",
        "orders.delivered" => "orders delivered",
        "orders.late" => "late orders",
        "orders.defects" => "defects delivered",
        "orders.lost_chased" => "orders lost and chased",
        "orders.mean_lead_time_h" => "mean lead time",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_owned();
    }
    if let Some(rest) = metric.strip_prefix("flows.") {
        if let Some(name) = rest.strip_suffix(".customers_lost") {
            return format!("flow {name}: customers lost");
        }
        if let Some(name) = rest.strip_suffix(".mean_lead_time_h") {
            return format!("flow {name}: mean lead time");
        }
    }
    if let Some(rest) = metric.strip_prefix("departments.") {
        if let Some(name) = rest.strip_suffix(".utilization") {
            return format!("{name}: utilisation");
        }
        if let Some(name) = rest.strip_suffix(".mean_wait_h") {
            return format!("{name}: mean wait");
        }
    }
    metric.to_owned()
}

/// A statistic of `metric`, formatted as its kind asks: a duration, a share or a count.
fn shown(metric: &str, s: Stat) -> Shown {
    if metric.ends_with("_h") {
        human::stat_duration(s)
    } else if metric.ends_with(".utilization") {
        human::stat_percent(s)
    } else {
        human::stat_count(s)
    }
}

/// A difference with its sign (`+8 ± 3`, `-8 ± 3`, `0`) and the mark when significant.
fn shown_difference(d: &Difference) -> Shown {
    let mut s = shown(
        &d.metric,
        Stat {
            mean: d.mean,
            ci95: d.ci95,
        },
    );
    if d.mean > 0.0 && s.mean.chars().any(|c| matches!(c, '1'..='9')) {
        s.mean = format!("+{}", s.mean);
    }
    if d.significant {
        match &mut s.ci95 {
            Some(ci) => ci.push_str(&format!(" {SIGNIFICANT_MARK}")),
            None => s.mean.push_str(&format!(" {SIGNIFICANT_MARK}")),
        }
    }
    s
}

/// The summary statistic `metric` of one scenario.
fn summary_stat(summary: &Metrics<Stat>, metric: &str) -> Stat {
    summary
        .named()
        .into_iter()
        .find(|(name, _)| name == metric)
        .map_or(
            Stat {
                mean: f64::NAN,
                ci95: None,
            },
            |(_, s)| s,
        )
}

/// The differences of scenario `i` (1, 2, …) from the first, in metric order.
fn differences_of(c: &Comparison, i: usize) -> &[Difference] {
    let n = c.metrics.len();
    let start = (i - 1) * n;
    c.differences.get(start..start + n).unwrap_or(&[])
}

/// The text comparison; `files[i]` is where scenario `i` was read from.
/// Lines end with `\n`, no trailing spaces, no colour.
pub fn text(c: &Comparison, files: &[String]) -> String {
    let mut out = String::new();
    let names: Vec<&str> = c
        .outcomes
        .iter()
        .map(|o| o.scenario.name.as_str())
        .collect();
    let _ = writeln!(
        out,
        "Comparing {} scenarios with common random numbers",
        c.outcomes.len()
    );
    out.push('\n');
    let rows = [
        ("seed", c.seed.to_string()),
        ("replications", format!("{} of each", c.replications)),
    ];
    for (key, value) in rows {
        let _ = writeln!(out, "  {key:<12}  {value}");
    }
    for (i, name) in names.iter().enumerate() {
        let file = files.get(i).map_or("", String::as_str);
        let label = format!("[{}]", i + 1);
        let _ = writeln!(out, "  {label:<12}  {name} ({file})");
    }
    out.push('\n');

    let mut headers: Vec<(String, Align)> = vec![("metric".to_owned(), Align::Left)];
    for i in 0..names.len() {
        headers.push((format!("[{}]", i + 1), Align::Right));
    }
    for i in 1..names.len() {
        headers.push((format!("[{}] − [1]", i + 1), Align::Right));
    }
    let header_refs: Vec<(&str, Align)> = headers.iter().map(|(h, a)| (h.as_str(), *a)).collect();
    let mut table = Table::new(&header_refs);
    let mut marked = false;
    for (k, metric) in c.metrics.iter().enumerate() {
        let mut row = vec![Cell::Text(metric_label(metric))];
        for o in &c.outcomes {
            row.push(Cell::Stat(shown(metric, summary_stat(&o.summary, metric))));
        }
        for i in 1..names.len() {
            match differences_of(c, i).get(k) {
                Some(d) => {
                    marked |= d.significant;
                    row.push(Cell::Stat(shown_difference(d)));
                }
                None => row.push(Cell::Text(human::MISSING.to_owned())),
            }
        }
        table.row(row);
    }
    table.write(&mut out);
    if c.replications > 1 {
        let _ = writeln!(
            out,
            "  ± is the 95 % confidence half-width; differences are paired replication by replication."
        );
        if marked {
            let _ = writeln!(
                out,
                "  {SIGNIFICANT_MARK} the difference's 95 % interval excludes zero."
            );
        }
    }
    out.push('\n');
    let _ = writeln!(out, "{}", reading(c));
    out
}

/// One plain sentence on the biggest significant change in customers lost.
pub fn reading(c: &Comparison) -> String {
    let first = c
        .outcomes
        .first()
        .map_or("the first scenario", |o| o.scenario.name.as_str());
    if c.outcomes.len() < 2 {
        return "Only one scenario: nothing to compare.".to_owned();
    }
    if c.replications < 2 {
        return "One replication gives no confidence interval: run several to tell a difference from chance.".to_owned();
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
            let name = &c.outcomes[i].scenario.name;
            let amount = human::stat_count(Stat {
                mean: d.mean.abs(),
                ci95: d.ci95,
            })
            .joined();
            let verb = if d.mean < 0.0 { "keeps" } else { "loses" };
            format!("{name} {verb} {amount} more customers than {first}.")
        }
        None => format!(
            "No scenario loses significantly more or fewer customers than {first} (95 % confidence)."
        ),
    }
}

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    seed: u64,
    replications: u32,
    metrics: &'a [String],
    scenarios: Vec<ScenarioDocument<'a>>,
    differences: &'a [Difference],
}

#[derive(Serialize)]
struct ScenarioDocument<'a> {
    name: &'a str,
    file: &'a str,
    description: &'a str,
    events: u64,
    #[serde(flatten)]
    summary: &'a Metrics<Stat>,
}

/// The JSON comparison, pretty-printed with a trailing newline; `files[i]` is
/// where scenario `i` was read from. Non-finite numbers are written as null.
pub fn json(c: &Comparison, files: &[String]) -> Vec<u8> {
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
                file: files.get(i).map_or("", String::as_str),
                description: &o.scenario.description,
                events: o.events,
                summary: &o.summary,
            })
            .collect(),
        differences: &c.differences,
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
        Comparison {
            seed: 42,
            replications: 3,
            outcomes: vec![a, b],
            metrics,
            differences,
        }
    }

    fn files() -> Vec<String> {
        vec!["a.toml".to_owned(), "b.toml".to_owned()]
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
                "20",
                "±",
                "3",
                "12",
                "±",
                "3",
                "-8",
                "±",
                "3",
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
            report.ends_with("\nBetter keeps 8 ± 3 more customers than Two desks.\n"),
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
            reading(&c),
            "Better loses 5 ± 3 more customers than Two desks."
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
            })
        );
        assert_eq!(v["differences"].as_array().unwrap().len(), 2);
    }
}
