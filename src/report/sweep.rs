//! A sweep as CSV (one row per point) or JSON: pure functions of the [`Sweep`].
//!
//! CSV: a column per swept path (its value as set, with its unit: `3d`), then
//! two per statistic, `NAME.mean` and `NAME.ci95` (empty for a single
//! replication), in the order of `Metrics::named`.
//!
//! JSON: `{version, scenario, hash, seed, replications, axes: [{path, values}],
//! points: [{values: {PATH: VALUE}, metrics: {NAME: {mean, ci95}}}]}`; keys keep
//! the order of the axes and of `Metrics::named`; a value that is not a finite
//! number is null.

use serde::Serialize;
use serde::ser::Serializer;

use crate::experiment::shard::VERSION;
use crate::experiment::sweep::{Axis, Point, Sweep};
use crate::metrics::Stat;
use crate::scenario::format_number;

/// Every statistic's name, in the order first met (points normally share one list).
fn metric_names(sweep: &Sweep) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in &sweep.points {
        for (name, _) in &p.metrics {
            if seen.insert(name.as_str()) {
                names.push(name);
            }
        }
    }
    names
}

/// The sweep as CSV, one row per point in grid order.
pub fn csv(sweep: &Sweep) -> Vec<u8> {
    let names = metric_names(sweep);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = sweep.axes.iter().map(|a| a.path.clone()).collect();
    for n in &names {
        header.push(format!("{n}.mean"));
        header.push(format!("{n}.ci95"));
    }
    w.write_record(&header).expect("writing to memory");
    for p in &sweep.points {
        let mut row: Vec<String> = p.values.clone();
        for n in &names {
            match p.metrics.iter().find(|(k, _)| k == n) {
                Some((_, s)) => {
                    row.push(format_number(s.mean));
                    row.push(s.ci95.map(format_number).unwrap_or_default());
                }
                None => row.extend([String::new(), String::new()]),
            }
        }
        w.write_record(&row).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    scenario: &'a str,
    hash: &'a str,
    seed: u64,
    replications: u32,
    axes: &'a [Axis],
    points: Vec<PointDoc<'a>>,
}

struct PointDoc<'a> {
    axes: &'a [Axis],
    point: &'a Point,
}

impl Serialize for PointDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Inner<'b> {
            values: Ordered<'b, &'b String>,
            metrics: Ordered<'b, &'b Stat>,
        }
        Inner {
            values: Ordered(
                self.axes
                    .iter()
                    .map(|a| a.path.as_str())
                    .zip(&self.point.values)
                    .collect(),
            ),
            metrics: Ordered(
                self.point
                    .metrics
                    .iter()
                    .map(|(k, v)| (k.as_str(), v))
                    .collect(),
            ),
        }
        .serialize(s)
    }
}

/// A JSON object whose keys keep their order.
struct Ordered<'a, V>(Vec<(&'a str, V)>);

impl<V: Serialize> Serialize for Ordered<'_, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// The sweep as pretty-printed JSON with a trailing newline.
pub fn json(sweep: &Sweep) -> Vec<u8> {
    let doc = Document {
        version: VERSION,
        scenario: &sweep.scenario,
        hash: &sweep.hash,
        seed: sweep.seed,
        replications: sweep.replications,
        axes: &sweep.axes,
        points: sweep
            .points
            .iter()
            .map(|point| PointDoc {
                axes: &sweep.axes,
                point,
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&doc).expect("a sweep is plain data");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep() -> Sweep {
        let stat = |mean, ci95| Stat { mean, ci95 };
        Sweep {
            scenario: "Tiny".into(),
            hash: "0123".into(),
            seed: 7,
            replications: 2,
            axes: vec![Axis {
                path: "customers.promise".into(),
                values: vec!["2d".into(), "3d".into()],
            }],
            points: vec![
                Point {
                    index: 0,
                    values: vec!["2d".into()],
                    metrics: vec![
                        ("customers.lost".into(), stat(4.5, Some(0.25))),
                        ("orders.late".into(), stat(f64::NAN, None)),
                    ],
                },
                Point {
                    index: 1,
                    values: vec!["3d".into()],
                    metrics: vec![
                        ("customers.lost".into(), stat(3.0, Some(1.0))),
                        ("orders.late".into(), stat(1.0, None)),
                    ],
                },
            ],
        }
    }

    #[test]
    fn csv_has_a_row_per_point_and_two_columns_per_statistic() {
        let text = String::from_utf8(csv(&sweep())).unwrap();
        assert_eq!(
            text,
            "customers.promise,customers.lost.mean,customers.lost.ci95,orders.late.mean,orders.late.ci95\n\
             2d,4.5,0.25,nan,\n\
             3d,3,1,1,\n"
        );
    }

    #[test]
    fn json_keeps_the_order_of_axes_and_statistics() {
        let bytes = json(&sweep());
        let text = std::str::from_utf8(&bytes).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["points"][1]["values"]["customers.promise"], "3d");
        assert_eq!(v["points"][0]["metrics"]["customers.lost"]["ci95"], 0.25);
        assert!(v["points"][0]["metrics"]["orders.late"]["mean"].is_null());
        assert!(text.find("customers.lost").unwrap() < text.find("orders.late").unwrap());
        assert_eq!(v["axes"][0]["values"][1], "3d");
    }
}
