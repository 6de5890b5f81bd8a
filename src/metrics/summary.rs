//! From one value per replication to a mean and a 95 % confidence half-width.

use serde::{Deserialize, Serialize};

use super::{Metrics, Welford};

/// A statistic over replications: the mean and the Student-t 95 % half-width
/// (`None` for a single replication, where no interval can be computed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub mean: f64,
    pub ci95: Option<f64>,
}

impl Stat {
    /// Summarise independent observations (one per replication).
    pub fn from_values(values: &[f64]) -> Self {
        let mut running = Running::default();
        values.iter().for_each(|&x| running.add(x));
        running.stat()
    }

    /// Whether the interval excludes zero (for differences).
    pub fn excludes_zero(&self) -> bool {
        matches!(self.ci95, Some(h) if self.mean.abs() > h)
    }
}

/// A [`Stat`] built one observation at a time, in constant memory: the mean is
/// the plain sum in the order given divided by the count (so it does not depend
/// on how the observations were computed, only on their order), the variance
/// Welford's.
#[derive(Debug, Clone, Copy)]
pub struct Running {
    count: u64,
    sum: f64,
    welford: Welford,
}

impl Default for Running {
    fn default() -> Self {
        Running {
            count: 0,
            // What `Iterator::sum` starts from: the sum of no values is -0.
            sum: -0.0,
            welford: Welford::default(),
        }
    }
}

impl Running {
    /// Adds one observation; not a number (a replication's mean of nothing, such
    /// as the lead time of a run that delivered no order) is left out, so the
    /// summary is over the replications that observed something.
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.count += 1;
        self.sum += x;
        self.welford.add(x);
    }

    /// How many observations were added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The observations so far, summarised (the mean is not a number for none).
    pub fn stat(&self) -> Stat {
        let n = self.count;
        if n == 0 {
            return Stat {
                mean: f64::NAN,
                ci95: None,
            };
        }
        let mean = self.sum / n as f64;
        if n < 2 {
            return Stat { mean, ci95: None };
        }
        let half = t_quantile_975((n - 1) as usize) * (self.welford.variance() / n as f64).sqrt();
        Stat {
            mean,
            ci95: Some(half),
        }
    }
}

/// Replications summarised as they come, in constant memory: every statistic
/// of [`Metrics::named`] as a [`Running`] column. The first replication sets the
/// shape (departments, handoffs, causes, …); a later one of another shape is refused.
#[derive(Debug, Clone, Default)]
pub struct Summariser {
    /// The first replication (its names and structure, for the summary) and its statistics' names.
    first: Option<(Metrics<f64>, Vec<String>)>,
    columns: Vec<Running>,
}

impl Summariser {
    /// Add one replication; `Err` says how its shape differs from the first one's.
    pub fn add(&mut self, run: &Metrics<f64>) -> Result<(), String> {
        let named = run.named();
        match &self.first {
            None => {
                self.columns = vec![Running::default(); named.len()];
                self.first = Some((run.clone(), named.iter().map(|(k, _)| k.clone()).collect()));
            }
            Some((_, names)) => {
                if named.len() != names.len() || named.iter().zip(names).any(|((k, _), n)| k != n) {
                    let got: Vec<String> = named.iter().map(|(k, _)| k.clone()).collect();
                    return Err(shape_difference(names, &got));
                }
            }
        }
        for (column, (_, v)) in self.columns.iter_mut().zip(named) {
            column.add(v);
        }
        Ok(())
    }

    /// The summary of every replication added, in the shape of the first; `None` if none was.
    pub fn finish(&self) -> Option<Metrics<Stat>> {
        let (first, _) = self.first.as_ref()?;
        let mut columns = self.columns.iter();
        Some(first.map(&mut |_| columns.next().expect("one column per statistic").stat()))
    }
}

/// How statistics named `got` differ from the `expected` ones, in words.
pub fn shape_difference(expected: &[String], got: &[String]) -> String {
    if let Some(missing) = expected.iter().find(|n| !got.contains(n)) {
        return format!("it has no statistic `{missing}`");
    }
    if let Some(extra) = got.iter().find(|n| !expected.contains(n)) {
        return format!("it has a statistic `{extra}` the scenario does not have");
    }
    "its statistics are not in the scenario's order".to_owned()
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (two-sided 95 %).
///
/// Exact table values up to 30; beyond, the Cornish–Fisher expansion around the
/// normal quantile, accurate to better than 1e-5 there.
pub fn t_quantile_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706_204_736,
        4.302_652_730,
        3.182_446_305,
        2.776_445_105,
        2.570_581_836,
        2.446_911_851,
        2.364_624_252,
        2.306_004_135,
        2.262_157_163,
        2.228_138_852,
        2.200_985_160,
        2.178_812_830,
        2.160_368_656,
        2.144_786_688,
        2.131_449_546,
        2.119_905_299,
        2.109_815_578,
        2.100_922_040,
        2.093_024_054,
        2.085_963_447,
        2.079_613_845,
        2.073_873_068,
        2.068_657_610,
        2.063_898_562,
        2.059_538_553,
        2.055_529_439,
        2.051_830_516,
        2.048_407_142,
        2.045_229_642,
        2.042_272_456,
    ];
    assert!(df >= 1, "Student t needs at least one degree of freedom");
    if df <= TABLE.len() {
        return TABLE[df - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let v = df as f64;
    let z3 = z.powi(3);
    let z5 = z.powi(5);
    let z7 = z.powi(7);
    let z9 = z.powi(9);
    z + (z3 + z) / (4.0 * v)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * v.powi(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_published_values() {
        // Published two-sided 95 % critical values.
        for (df, t) in [
            (1, 12.706),
            (5, 2.571),
            (30, 2.042),
            (40, 2.021),
            (60, 2.000),
            (120, 1.980),
        ] {
            assert!(
                (t_quantile_975(df) - t).abs() < 1e-3,
                "df {df}: {}",
                t_quantile_975(df)
            );
        }
        assert!((t_quantile_975(100_000) - 1.96).abs() < 1e-3);
    }

    #[test]
    fn stat_of_known_sample() {
        let s = Stat::from_values(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.mean, 2.5);
        // sd = sqrt(5/3); half = t(3) * sd / 2
        let expected = 3.182_446_305 * (5.0_f64 / 3.0).sqrt() / 2.0;
        assert!((s.ci95.unwrap() - expected).abs() < 1e-9);
        assert_eq!(Stat::from_values(&[7.0]).ci95, None);
    }
}
