//! A run as CSV for spreadsheets: one row per statistic, `metric,mean,ci95`.
//!
//! Metric names are the paths of `Metrics::named` (`orders.late`,
//! `departments.billing.utilization`, `lost_by_cause.handoff:billing->customer:error.customers`),
//! the same names `compare`, `sweep` and `sensitivity` use. `ci95` is empty for a
//! single replication, and both are empty for a mean of nothing (a department
//! that served no one: `null` in the JSON); durations are hours, as in the JSON.

use crate::experiment::Outcome;
use crate::metrics::Stat;
use crate::scenario::format_number;

/// The summary of `outcome`, one statistic per row.
pub fn render(outcome: &Outcome) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["metric", "mean", "ci95"])
        .expect("writing to memory");
    for (name, stat) in outcome.summary.named() {
        let [mean, ci95] = cells(&stat);
        w.write_record([name, mean, ci95])
            .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// A statistic's `mean` and `ci95` cells: in full precision, empty where
/// there is no number (no interval, or a mean of nothing), as in `compare`'s
/// CSV, so that a spreadsheet reads an empty cell rather than the text `nan`.
pub(crate) fn cells(stat: &Stat) -> [String; 2] {
    let cell = |x: f64| {
        if x.is_finite() {
            format_number(x)
        } else {
            String::new()
        }
    };
    [
        cell(stat.mean),
        stat.ci95
            .filter(|_| stat.mean.is_finite())
            .map(cell)
            .unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn one_row_per_statistic_named_as_everywhere_else() {
        let outcome = fixture::outcome(3);
        let text = String::from_utf8(render(&outcome)).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("metric,mean,ci95"));
        let rows: Vec<&str> = lines.collect();
        let named = outcome.summary.named();
        assert_eq!(rows.len(), named.len());
        for (row, (name, stat)) in rows.iter().zip(&named) {
            let mut fields = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(row.as_bytes());
            let record = fields.records().next().unwrap().unwrap();
            assert_eq!(&record[0], name);
            assert_eq!(record[1].parse::<f64>().unwrap(), stat.mean);
            match stat.ci95 {
                Some(h) => assert_eq!(record[2].parse::<f64>().unwrap(), h),
                None => assert_eq!(&record[2], ""),
            }
        }
    }

    #[test]
    fn numbers_that_are_not_finite_are_empty_cells() {
        let mut outcome = fixture::outcome(3);
        outcome.summary.departments[1].mean_wait_h = crate::metrics::Stat {
            mean: f64::NAN,
            ci95: Some(f64::INFINITY),
        };
        outcome.summary.orders.mean_lead_time_h = crate::metrics::Stat {
            mean: f64::NEG_INFINITY,
            ci95: None,
        };
        let text = String::from_utf8(render(&outcome)).unwrap();
        assert!(text.contains("\norders.mean_lead_time_h,,\n"), "{text}");
        let wait = text
            .lines()
            .find(|l| l.starts_with("departments.") && l.contains(".mean_wait_h,,"));
        assert_eq!(wait.map(|l| l.ends_with(",,")), Some(true), "{text}");
        for bad in ["nan", "inf"] {
            assert!(
                !text
                    .lines()
                    .any(|l| l.split(',').skip(1).any(|c| c.contains(bad))),
                "{text}"
            );
        }
    }
}
