//! Streaming statistics: constant memory, whatever the horizon.

/// Mean and variance of a stream of values (Welford's algorithm).
#[derive(Debug, Clone, Copy, Default)]
pub struct Welford {
    count: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The mean, or 0 when nothing was added.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The mean, or not a number when nothing was added: a mean of no values,
    /// which a summary over replications leaves out rather than count as 0.
    pub fn observed_mean(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.mean }
    }

    /// The sample variance (n − 1 in the denominator), or 0 below two values.
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            0.0
        } else {
            self.m2 / (self.count - 1) as f64
        }
    }
}

/// The time average of a piecewise-constant level, such as a queue length or busy servers.
///
/// The level counts from `start`; changes before it move the level without weighting it,
/// so a warm-up can be discarded by starting late.
#[derive(Debug, Clone, Copy)]
pub struct TimeWeighted {
    start: f64,
    last_time: f64,
    level: f64,
    area: f64,
}

impl TimeWeighted {
    pub fn new(start: f64) -> Self {
        Self {
            start,
            last_time: start,
            level: 0.0,
            area: 0.0,
        }
    }

    /// The level becomes `level` at time `now` (times never go backwards).
    #[inline]
    pub fn set(&mut self, now: f64, level: f64) {
        if now > self.last_time {
            self.area += self.level * (now - self.last_time);
            self.last_time = now;
        }
        self.level = level;
    }

    /// The time average over `[start, end]`.
    pub fn average(&self, end: f64) -> f64 {
        let span = end - self.start;
        if span <= 0.0 {
            return 0.0;
        }
        let tail = if end > self.last_time {
            self.level * (end - self.last_time)
        } else {
            0.0
        };
        (self.area + tail) / span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_two_pass() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut w = Welford::default();
        xs.iter().for_each(|&x| w.add(x));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        assert_eq!(w.count(), 8);
        assert!((w.mean() - mean).abs() < 1e-12);
        assert!((w.variance() - var).abs() < 1e-12);
    }

    #[test]
    fn time_weighted_ignores_time_before_start() {
        let mut q = TimeWeighted::new(10.0);
        q.set(2.0, 5.0); // before the start: sets the level, adds no area
        q.set(12.0, 1.0); // level 5 over [10, 12]
        q.set(16.0, 0.0); // level 1 over [12, 16]
        // level 0 over [16, 20]
        assert!((q.average(20.0) - (5.0 * 2.0 + 1.0 * 4.0) / 10.0).abs() < 1e-12);
    }
}
