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

use std::borrow::Borrow;
use std::io;

use serde::Serialize;
use serde::ser::Serializer;

use crate::experiment::shard::VERSION;
use crate::experiment::sweep::{Axis, Point, Sweep};
use crate::metrics::Stat;

/// The sweep as CSV, one row per point in grid order.
pub fn csv(sweep: &Sweep) -> Vec<u8> {
    let mut out = Vec::new();
    write_csv(sweep, sweep.points.iter().map(io::Result::Ok), &mut out).expect("writing to memory");
    out
}

/// As [`csv`], streamed to `out` with the points given one at a time by
/// `points` (in grid order; `sweep.points` is not read), so a sweep of
/// millions of points never needs them in memory at once. The columns are the
/// first point's statistics (every point of a sweep has the same).
pub fn write_csv<P: Borrow<Point>, E: From<io::Error>>(
    sweep: &Sweep,
    points: impl Iterator<Item = Result<P, E>>,
    out: &mut dyn io::Write,
) -> Result<(), E> {
    let mut points = points.peekable();
    let names: Vec<String> = match points.peek() {
        Some(Ok(p)) => p.borrow().metrics.iter().map(|(k, _)| k.clone()).collect(),
        _ => Vec::new(),
    };
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = sweep.axes.iter().map(|a| a.path.clone()).collect();
    for n in &names {
        header.push(format!("{n}.mean"));
        header.push(format!("{n}.ci95"));
    }
    w.write_record(&header).map_err(csv_error)?;
    for p in points {
        let p = p?;
        let p = p.borrow();
        let mut row: Vec<String> = p.values.clone();
        for n in &names {
            match p.metrics.iter().find(|(k, _)| k == n) {
                Some((_, s)) => row.extend(super::csv::cells(s)),
                None => row.extend([String::new(), String::new()]),
            }
        }
        w.write_record(&row).map_err(csv_error)?;
    }
    w.flush()?;
    Ok(())
}

/// The CSV writer fails only when its output does.
fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[derive(Serialize)]
struct Document<'a> {
    // `points` stays the last field: `write_json` streams them in its place.
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
    let mut out = Vec::new();
    write_json(sweep, sweep.points.iter().map(io::Result::Ok), &mut out)
        .expect("writing to memory");
    out
}

/// As [`json`], streamed to `out` with the points given one at a time by
/// `points` (in grid order; `sweep.points` is not read): the same bytes as
/// pretty-printing the whole document, written a point at a time.
pub fn write_json<P: Borrow<Point>, E: From<io::Error>>(
    sweep: &Sweep,
    points: impl Iterator<Item = Result<P, E>>,
    out: &mut dyn io::Write,
) -> Result<(), E> {
    let head = Document {
        version: VERSION,
        scenario: &sweep.scenario,
        hash: &sweep.hash,
        seed: sweep.seed,
        replications: sweep.replications,
        axes: &sweep.axes,
        points: Vec::new(),
    };
    let text = serde_json::to_string_pretty(&head).expect("a sweep is plain data");
    // `points` is the last key: its empty list is where the points go.
    let prefix = text
        .strip_suffix("[]\n}")
        .expect("the document ends with its points");
    out.write_all(prefix.as_bytes())?;
    out.write_all(b"[")?;
    let mut any = false;
    for point in points {
        let point = point?;
        let doc = PointDoc {
            axes: &sweep.axes,
            point: point.borrow(),
        };
        let body = serde_json::to_string_pretty(&doc).expect("a point is plain data");
        // Inside the list, two levels deep: four more spaces on every line.
        out.write_all(if any { b",\n    " } else { b"\n    " })?;
        out.write_all(body.replace('\n', "\n    ").as_bytes())?;
        any = true;
    }
    out.write_all(if any { b"\n  ]\n}\n" } else { b"]\n}\n" })?;
    Ok(())
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
             2d,4.5,0.25,,\n\
             3d,3,1,1,\n"
        );
    }

    #[test]
    fn streamed_json_is_the_whole_document_pretty_printed() {
        #[derive(Serialize)]
        struct Whole<'a> {
            version: &'static str,
            scenario: &'a str,
            hash: &'a str,
            seed: u64,
            replications: u32,
            axes: &'a [Axis],
            points: Vec<PointDoc<'a>>,
        }
        for sweep in [
            sweep(),
            Sweep {
                points: vec![],
                ..sweep()
            },
        ] {
            let whole = Whole {
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
            let mut expected = serde_json::to_vec_pretty(&whole).unwrap();
            expected.push(b'\n');
            assert_eq!(
                String::from_utf8(json(&sweep)).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
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
