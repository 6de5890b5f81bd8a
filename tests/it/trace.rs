//! The trace and the stories tell the truth about the run they watch.

use handoff::engine::{self, Unobserved};
use handoff::scenario;
use handoff::trace::{Stories, TraceFormat, TraceWriter};

const SOURCE: &str = r#"
[scenario]
name = "trace test"

[simulation]
duration = "60d"
seed = 5

[customers]
arrival_rate = "10/d"
order_value = 50.0
promise = "2d"
patience = "2d"
complain_share = 0.3
reorder = { dist = "exponential", mean = "15d" }

[complaints]
department = "support"
empowerment = 0.2
resolve_within = "4h"

[[department]]
name = "sales"
staff = 1
service = { dist = "exponential", mean = "1h" }

[[department]]
name = "billing"
staff = 1
service = { dist = "exponential", mean = "1h" }

[[department]]
name = "support"
staff = 1
service = { dist = "exponential", mean = "3h" }

[[flow]]
name = "order"
steps = ["sales", "billing"]

[[handoff]]
from = "sales"
to = "billing"
lose = 0.05

[[handoff]]
from = "billing"
to = "customer"
error = 0.2
"#;

#[test]
fn observing_a_run_does_not_change_it() {
    let model = scenario::parse(SOURCE, "trace.toml").unwrap();
    let plain = engine::run(&model, 0).expect("the scenario runs");
    let mut out = Vec::new();
    let mut writer = TraceWriter::new(&model, &mut out, TraceFormat::Csv);
    let traced = engine::run_observed(&model, 0, &mut writer).expect("the scenario runs");
    writer.finish().unwrap();
    assert_eq!(plain, traced);
    let _ = engine::run_observed(&model, 0, &mut Unobserved);
}

#[test]
fn csv_trace_counts_agree_with_the_metrics() {
    let model = scenario::parse(SOURCE, "trace.toml").unwrap();
    let mut out = Vec::new();
    let mut writer = TraceWriter::new(&model, &mut out, TraceFormat::Csv);
    let run = engine::run_observed(&model, 0, &mut writer).expect("the scenario runs");
    writer.finish().unwrap();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "time_h",
            "kind",
            "customer",
            "order",
            "department",
            "handoff",
            "cause",
            "path",
            "count",
            "warmup"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let count = |kind: &str| rows.iter().filter(|r| &r[1] == kind).count() as f64;
    let m = &run.metrics;
    assert_eq!(count("delivered"), m.orders.delivered);
    assert_eq!(count("chased"), m.orders.lost_chased);
    assert_eq!(count("left"), m.customers.lost);
    assert_eq!(count("complained"), m.customers.complaints);
    assert_eq!(count("arrived"), m.customers.arrived);
    assert!(m.customers.lost > 0.0, "the scenario should lose customers");
    // Times never go backwards.
    let times: Vec<f64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    // Every `left` row names the cause the metrics counted.
    for r in rows.iter().filter(|r| &r[1] == "left") {
        let cause = &r[6];
        assert!(
            m.lost_by_cause
                .iter()
                .any(|c| c.cause == cause && c.customers > 0.0),
            "{cause}"
        );
    }
}

#[test]
fn json_lines_trace_is_one_object_per_line() {
    let model = scenario::parse(SOURCE, "trace.toml").unwrap();
    let mut out = Vec::new();
    let mut writer = TraceWriter::new(&model, &mut out, TraceFormat::JsonLines);
    engine::run_observed(&model, 0, &mut writer).expect("the scenario runs");
    writer.finish().unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        kinds.insert(v["kind"].as_str().unwrap().to_string());
    }
    for kind in [
        "arrived",
        "ordered",
        "delivered",
        "lost",
        "chased",
        "escaped",
        "problem",
        "left",
        "told",
    ] {
        assert!(kinds.contains(kind), "no {kind} in {kinds:?}");
    }
}

#[test]
fn stories_tell_of_the_first_lost_customers() {
    let model = scenario::parse(SOURCE, "trace.toml").unwrap();
    let mut stories = Stories::new(&model, 3);
    let run = engine::run_observed(&model, 0, &mut stories).expect("the scenario runs");
    assert!(run.metrics.customers.lost >= 3.0);
    assert_eq!(stories.len(), 3);
    let text = stories.render();
    // The lost customers' stories, then (when there is one) a customer saved quickly.
    let paragraphs: Vec<&str> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty() && !p.contains("saved by a quick recovery"))
        .collect();
    assert_eq!(paragraphs.len(), 3, "{text}");
    for p in paragraphs {
        assert!(p.starts_with("Customer "), "{p}");
        assert!(p.contains("left for good"), "{p}");
        assert!(p.contains("placed order"), "{p}");
    }
}

#[test]
fn the_warmup_column_marks_what_the_report_leaves_out() {
    let o = handoff::scenario::Override::parse("simulation.warmup=20d").unwrap();
    let model = scenario::parse_with(SOURCE, "trace.toml", &[o]).unwrap();
    let mut out = Vec::new();
    let mut writer = TraceWriter::new(&model, &mut out, TraceFormat::Csv);
    let run = engine::run_observed(&model, 0, &mut writer).expect("the scenario runs");
    writer.finish().unwrap();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let after = |kind: &str| {
        rows.iter()
            .filter(|r| &r[1] == kind && &r[9] == "false")
            .count() as f64
    };
    let m = &run.metrics;
    assert!(rows.iter().any(|r| &r[9] == "true"), "no warm-up rows");
    assert_eq!(after("arrived"), m.customers.arrived);
    assert_eq!(after("delivered"), m.orders.delivered);
    for r in &rows {
        let time: f64 = r[0].parse().unwrap();
        assert_eq!(&r[9] == "true", time < 20.0 * 24.0, "{r:?}");
    }
}

/// Counting `service_started` and `service_ended` rows in file order never
/// finds more jobs in service than the staff and pool members who can serve
/// them: a server that ends one job and starts the next at the same instant is
/// traced in that order (the start came first once, three busy of two).
#[test]
fn a_server_ends_its_job_before_it_starts_the_next() {
    let source = r#"
[scenario]
name = "busy desk"
[simulation]
duration = "20d"
warmup = "0h"
seed = 3
[customers]
arrival_rate = "1.8/h"
[[department]]
name = "desk"
staff = 2
service = { dist = "exponential", mean = "1h" }
[[department]]
name = "office"
staff = 1
service = { dist = "exponential", mean = "20m" }
[[pool]]
name = "helpers"
staff = 1
serves = ["desk", "office"]
[[flow]]
name = "all"
steps = ["desk", "office"]
"#;
    let model = scenario::parse(source, "busy.toml").unwrap();
    let mut out = Vec::new();
    let mut writer = TraceWriter::new(&model, &mut out, TraceFormat::Csv);
    engine::run_observed(&model, 0, &mut writer).expect("the scenario runs");
    writer.finish().unwrap();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let mut busy = std::collections::HashMap::<String, i64>::new();
    let (mut starts, mut back_to_back) = (0, 0);
    let mut last_end = (f64::NAN, String::new());
    for row in reader.records().map(Result::unwrap) {
        let (time, kind, dept) = (&row[0], &row[1], row[4].to_owned());
        let count = busy.entry(dept.clone()).or_default();
        match kind {
            "service_started" => {
                *count += 1;
                starts += 1;
                if last_end == (time.parse().unwrap(), dept.clone()) {
                    back_to_back += 1;
                }
            }
            "service_ended" => {
                *count -= 1;
                last_end = (time.parse().unwrap(), dept.clone());
            }
            _ => continue,
        }
        // The desk's two and the pool's one; the office's one and the pool's one.
        let most = if dept == "desk" { 3 } else { 2 };
        assert!(
            (0..=most).contains(count),
            "{count} in service at {dept} at {time} h"
        );
    }
    assert!(starts > 500, "{starts} services");
    // The case in question happens: jobs waiting, a server takes the next at once.
    assert!(back_to_back > 100, "{back_to_back} back-to-back services");
}
