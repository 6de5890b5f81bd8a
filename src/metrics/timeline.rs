//! The counted period in weeks: what happened when, for the "over time" charts.
//!
//! The engine counts orders, deliveries and losses into the bucket of the
//! simulated time they happen in; the buckets of a run add up to the run's
//! totals because each is counted under the same condition as its total, at a
//! time after the warm-up. Buckets are one week wide unless the counted period
//! is longer than [`MAX_BUCKETS`] weeks; then each is a whole number of weeks,
//! so memory stays bounded whatever the duration.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::Stat;
use super::summary::Running;

/// One week of simulated time, in hours.
pub const WEEK_H: f64 = 168.0;
/// At most this many buckets per run (20 years of weeks).
pub const MAX_BUCKETS: usize = 1040;

/// Where the buckets of a run lie: the first starts at the warm-up's end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    pub start_h: f64,
    pub end_h: f64,
    /// Width of every bucket but perhaps the last, which ends at `end_h`.
    pub width_h: f64,
    pub buckets: usize,
}

impl Grid {
    /// The buckets of a run counted from `warmup_h` to `duration_h`.
    pub fn new(warmup_h: f64, duration_h: f64) -> Grid {
        let span = (duration_h - warmup_h).max(0.0);
        let weeks = (span / WEEK_H).ceil().max(1.0);
        // Whole weeks per bucket, enough to stay within MAX_BUCKETS.
        let weeks_per_bucket = (weeks / MAX_BUCKETS as f64).ceil().max(1.0);
        let width_h = weeks_per_bucket * WEEK_H;
        let buckets = ((span / width_h).ceil() as usize).clamp(1, MAX_BUCKETS);
        Grid {
            start_h: warmup_h,
            end_h: duration_h,
            width_h,
            buckets,
        }
    }

    /// The bucket holding time `t` (times outside the period go to the nearest end).
    #[inline]
    pub fn index(&self, t: f64) -> usize {
        let k = (t - self.start_h) / self.width_h;
        if k.is_nan() || k < 0.0 {
            0
        } else {
            // `as` truncates, which for k ≥ 0 is the floor (and saturates at
            // infinity): the same bucket as `k.floor()` without its call into
            // compiler-builtins, paid twice per order on the hot path.
            (k as usize).min(self.buckets - 1)
        }
    }

    /// Start and end of bucket `k`, in hours from the start of the run.
    pub fn bounds(&self, k: usize) -> (f64, f64) {
        let from = self.start_h + k as f64 * self.width_h;
        let to = if k + 1 == self.buckets {
            self.end_h
        } else {
            from + self.width_h
        };
        (from, to)
    }
}

/// What one run counted in one bucket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekCounts {
    pub orders: u64,
    pub delivered: u64,
    pub late: u64,
    pub defects: u64,
    pub customers_lost: u64,
    pub prospects_deterred: u64,
    /// Customers lost, by the cause's position in `Cause::all` (sparse: losses are rare).
    pub lost_by_cause: Vec<(u32, u64)>,
    /// Each department's time-average morale over the bucket, in the scenario's
    /// order; empty without `[morale]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub morale: Vec<f64>,
    /// Per handoff, in the model's order: the odds its transfers met in this
    /// bucket, summed; empty unless incidents, learning or morale can change
    /// a handoff's odds (the engine's `odds_vary`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub odds: Vec<OddsSums>,
}

/// The odds the transfers of one handoff met in one bucket of one run: how
/// many transfers were attempted and their probabilities summed, so that the
/// bucket's mean probability is `sum / transfers`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OddsSums {
    pub transfers: u64,
    pub lose: f64,
    pub error: f64,
    pub catch: f64,
}

impl WeekCounts {
    /// One transfer on handoff `id` met these odds (only when odds vary: the
    /// plain chain never calls this).
    #[inline]
    pub fn note_transfer(&mut self, id: usize, lose: f64, error: f64, catch: f64) {
        if let Some(sums) = self.odds.get_mut(id) {
            sums.transfers += 1;
            sums.lose += lose;
            sums.error += error;
            sums.catch += catch;
        }
    }

    /// One more customer lost to cause number `cause`.
    pub fn lose(&mut self, cause: usize) {
        self.customers_lost += 1;
        let cause = cause as u32;
        match self.lost_by_cause.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, n)) => *n += 1,
            None => self.lost_by_cause.push((cause, 1)),
        }
    }
}

/// One bucket of the summary over replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket<T> {
    pub from_h: f64,
    pub to_h: f64,
    pub orders: T,
    pub delivered: T,
    pub late: T,
    pub defects: T,
    pub customers_lost: T,
    pub prospects_deterred: T,
    /// Causes that cost a customer in this bucket in some replication.
    pub lost_by_cause: Vec<CauseCustomers<T>>,
    /// Each department's time-average morale over the bucket; only with `[morale]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub morale: Vec<DepartmentMorale<T>>,
    /// The failure probabilities each handoff's transfers met in the bucket;
    /// only where incidents, learning or morale can change them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<HandoffFailures<T>>,
}

/// The odds in force on one handoff in one bucket. `lose`, `error` and
/// `catch` are, per replication, the mean probability over the transfers
/// attempted on the handoff in the bucket (each transfer counted with the
/// odds it met), summarised over the replications that attempted at least
/// one; `None` (JSON null) when none did: no transfer, no probability.
/// `transfers` is the number attempted, over all replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoffFailures<T> {
    pub handoff: String,
    pub transfers: T,
    pub lose: Option<T>,
    pub error: Option<T>,
    pub catch: Option<T>,
}

/// One department's morale in one bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentMorale<T> {
    pub department: String,
    pub morale: T,
}

/// Customers one cause cost in one bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CauseCustomers<T> {
    pub cause: String,
    pub customers: T,
}

/// The buckets of replications summarised as they come, in memory bounded
/// by the number of buckets and causes (not of replications).
#[derive(Debug, Clone)]
pub struct Summariser {
    grid: Grid,
    runs: u64,
    /// Per bucket: orders, delivered, late, defects, customers lost, prospects deterred.
    fields: Vec<[Running; 6]>,
    /// Per bucket and cause number: the sum and a running summary with the
    /// zeros of runs that did not lose a customer to it added at the end.
    causes: Vec<BTreeMap<u32, Vec<(u64, u64)>>>,
    /// Per bucket, each department's morale (empty without `[morale]`).
    morale: Vec<Vec<Running>>,
    /// Per bucket and handoff: transfers (every run), then the mean lose,
    /// error and catch probabilities (runs with a transfer there).
    odds: Vec<Vec<[Running; 4]>>,
    /// Per handoff: some run attempted a transfer on it in some bucket.
    odds_seen: Vec<bool>,
    /// A run came without a timeline (a part that predates it): no summary.
    incomplete: bool,
}

impl Summariser {
    pub fn new(grid: Grid) -> Summariser {
        Summariser {
            grid,
            runs: 0,
            fields: vec![Default::default(); grid.buckets],
            causes: vec![BTreeMap::new(); grid.buckets],
            morale: vec![Vec::new(); grid.buckets],
            odds: vec![Vec::new(); grid.buckets],
            odds_seen: Vec::new(),
            incomplete: false,
        }
    }

    /// One more replication's buckets.
    pub fn add(&mut self, weeks: &[WeekCounts]) {
        // A part from elsewhere may be malformed: then there is no timeline, but no panic either.
        let well_formed = weeks.len() == self.grid.buckets
            && weeks.iter().all(|w| {
                let mut causes: Vec<u32> = w.lost_by_cause.iter().map(|(c, _)| *c).collect();
                causes.sort_unstable();
                causes.windows(2).all(|p| p[0] != p[1])
            })
            && weeks
                .iter()
                .all(|w| w.morale.len() == weeks.first().map_or(0, |f| f.morale.len()))
            && (self.runs == 0
                || self.morale.first().map(Vec::len) == weeks.first().map(|w| w.morale.len()))
            && weeks
                .iter()
                .all(|w| w.odds.len() == weeks.first().map_or(0, |f| f.odds.len()))
            && (self.runs == 0
                || self.odds.first().map(Vec::len) == weeks.first().map(|w| w.odds.len()));
        if !well_formed || self.incomplete {
            self.incomplete = true;
            return;
        }
        let run = self.runs;
        self.runs += 1;
        for (k, w) in weeks.iter().enumerate() {
            let values = [
                w.orders,
                w.delivered,
                w.late,
                w.defects,
                w.customers_lost,
                w.prospects_deterred,
            ];
            for (slot, v) in self.fields[k].iter_mut().zip(values) {
                slot.add(v as f64);
            }
            for &(cause, n) in &w.lost_by_cause {
                self.causes[k].entry(cause).or_default().push((run, n));
            }
            let morale = &mut self.morale[k];
            morale.resize(w.morale.len(), Running::default());
            for (slot, &m) in morale.iter_mut().zip(&w.morale) {
                slot.add(m);
            }
            let odds = &mut self.odds[k];
            odds.resize(w.odds.len(), Default::default());
            self.odds_seen.resize(w.odds.len(), false);
            for ((slot, sums), seen) in odds.iter_mut().zip(&w.odds).zip(&mut self.odds_seen) {
                slot[0].add(sums.transfers as f64);
                if sums.transfers > 0 {
                    *seen = true;
                    let n = sums.transfers as f64;
                    slot[1].add(sums.lose / n);
                    slot[2].add(sums.error / n);
                    slot[3].add(sums.catch / n);
                }
            }
        }
    }

    /// The summary: `cause_names[i]` names cause number `i`; causes come in the
    /// order of `order` (names), any others after them by number; `departments`
    /// names the morale columns, `handoffs` the failure rows (every handoff
    /// some run transferred on, in this order). Empty if any run had no timeline.
    pub fn finish(
        &self,
        cause_names: &[String],
        order: &[String],
        departments: &[String],
        handoffs: &[String],
    ) -> Vec<Bucket<Stat>> {
        if self.incomplete || self.runs == 0 {
            return Vec::new();
        }
        let rank = |i: u32| {
            let name = cause_names.get(i as usize).map_or("", |n| n.as_str());
            order
                .iter()
                .position(|o| o == name)
                .unwrap_or(order.len() + i as usize)
        };
        (0..self.grid.buckets)
            .map(|k| {
                let f = &self.fields[k];
                let mut causes: Vec<(&u32, &Vec<(u64, u64)>)> = self.causes[k].iter().collect();
                causes.sort_by_key(|(c, _)| (rank(**c), **c));
                let lost_by_cause = causes
                    .into_iter()
                    .map(|(c, seen)| {
                        // Every run in order, zero where it lost nobody to this cause.
                        let mut running = Running::default();
                        let mut next = seen.iter().peekable();
                        for run in 0..self.runs {
                            let n = match next.peek() {
                                Some((r, n)) if *r == run => {
                                    next.next();
                                    *n
                                }
                                _ => 0,
                            };
                            running.add(n as f64);
                        }
                        CauseCustomers {
                            cause: cause_names
                                .get(*c as usize)
                                .cloned()
                                .unwrap_or_else(|| format!("cause {c}")),
                            customers: running.stat(),
                        }
                    })
                    .collect();
                let (from_h, to_h) = self.grid.bounds(k);
                Bucket {
                    from_h,
                    to_h,
                    orders: f[0].stat(),
                    delivered: f[1].stat(),
                    late: f[2].stat(),
                    defects: f[3].stat(),
                    customers_lost: f[4].stat(),
                    prospects_deterred: f[5].stat(),
                    lost_by_cause,
                    morale: self.morale[k]
                        .iter()
                        .enumerate()
                        .map(|(d, m)| DepartmentMorale {
                            department: departments
                                .get(d)
                                .cloned()
                                .unwrap_or_else(|| format!("department {d}")),
                            morale: m.stat(),
                        })
                        .collect(),
                    failures: self.odds[k]
                        .iter()
                        .zip(&self.odds_seen)
                        .enumerate()
                        .filter(|(_, (_, seen))| **seen)
                        .map(|(h, (r, _))| {
                            let probability = |r: &Running| (r.count() > 0).then(|| r.stat());
                            HandoffFailures {
                                handoff: handoffs
                                    .get(h)
                                    .cloned()
                                    .unwrap_or_else(|| format!("handoff {h}")),
                                transfers: r[0].stat(),
                                lose: probability(&r[1]),
                                error: probability(&r[2]),
                                catch: probability(&r[3]),
                            }
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `index` truncates instead of calling `floor`: the same bucket for every
    /// time, bucket edges, times before the start, NaN and infinity included.
    #[test]
    fn index_is_the_floor_of_the_bucket_position() {
        let by_floor = |g: &Grid, t: f64| {
            let k = ((t - g.start_h) / g.width_h).floor();
            if k.is_nan() || k < 0.0 {
                0
            } else {
                (k as usize).min(g.buckets - 1)
            }
        };
        for g in [
            Grid::new(30.0 * 24.0, 365.0 * 24.0),
            Grid::new(0.0, 36_500.0 * 24.0),
            Grid::new(1.5, 1.6),
        ] {
            let mut times = vec![f64::NAN, f64::INFINITY, -1.0, -1e-300, 0.0, -0.0];
            for k in 0..=g.buckets + 1 {
                let edge = g.start_h + k as f64 * g.width_h;
                times.extend([
                    edge,
                    edge.next_down(),
                    edge.next_up(),
                    edge + 0.5 * g.width_h,
                ]);
            }
            for t in times {
                assert_eq!(g.index(t), by_floor(&g, t), "time {t}");
            }
        }
    }

    #[test]
    fn a_year_after_a_month_is_48_weeks_the_last_one_short() {
        let g = Grid::new(30.0 * 24.0, 365.0 * 24.0);
        // 335 days = 47 weeks and 6 days.
        assert_eq!(g.buckets, 48);
        assert_eq!(g.width_h, WEEK_H);
        assert_eq!(g.bounds(0), (720.0, 888.0));
        assert_eq!(g.bounds(47), (720.0 + 47.0 * 168.0, 8760.0));
        assert_eq!(g.index(720.0), 0);
        assert_eq!(g.index(887.9), 0);
        assert_eq!(g.index(888.0), 1);
        assert_eq!(
            g.index(8760.0),
            47,
            "the end of the run is in the last bucket"
        );
    }

    #[test]
    fn very_long_runs_get_wider_buckets_not_more() {
        let g = Grid::new(0.0, 1e9);
        assert_eq!(g.buckets, MAX_BUCKETS);
        assert!(g.width_h > WEEK_H);
        assert_eq!(g.width_h % WEEK_H, 0.0, "whole weeks");
        assert_eq!(g.bounds(MAX_BUCKETS - 1).1, 1e9);
        assert!(g.bounds(MAX_BUCKETS - 1).0 < 1e9);
    }

    fn same(a: Stat, b: Stat) {
        assert_eq!(a.mean, b.mean);
        let (x, y) = (a.ci95.unwrap(), b.ci95.unwrap());
        assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{a:?} {b:?}");
    }

    #[test]
    fn summary_names_causes_in_the_given_order() {
        let g = Grid::new(0.0, 2.0 * WEEK_H);
        let mut a = vec![WeekCounts::default(); 2];
        let mut b = vec![WeekCounts::default(); 2];
        a[0].lose(2);
        a[0].lose(0);
        b[0].lose(2);
        b[1].lose(1);
        let names: Vec<String> = ["x", "y", "z"].map(String::from).to_vec();
        let mut summariser = Summariser::new(g);
        summariser.add(&a);
        summariser.add(&b);
        let out = summariser.finish(&names, &["z".into(), "x".into()], &[], &[]);
        assert_eq!(out.len(), 2);
        let causes: Vec<&str> = out[0].lost_by_cause.iter().map(|c| &*c.cause).collect();
        assert_eq!(causes, ["z", "x"]);
        same(
            out[0].lost_by_cause[0].customers,
            Stat::from_values(&[1.0, 1.0]),
        );
        same(
            out[0].lost_by_cause[1].customers,
            Stat::from_values(&[1.0, 0.0]),
        );
        same(out[0].customers_lost, Stat::from_values(&[2.0, 1.0]));
        assert_eq!(out[1].lost_by_cause[0].cause, "y");
        same(
            out[1].lost_by_cause[0].customers,
            Stat::from_values(&[0.0, 1.0]),
        );
        assert_eq!(out[1].to_h, 2.0 * WEEK_H);
    }

    #[test]
    fn a_run_without_a_timeline_leaves_none() {
        let mut summariser = Summariser::new(Grid::new(0.0, WEEK_H));
        summariser.add(&[WeekCounts::default()]);
        summariser.add(&[]);
        assert!(summariser.finish(&[], &[], &[], &[]).is_empty());
    }
}
