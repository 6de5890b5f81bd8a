//! Random durations (in hours) and the samplers behind them.
//!
//! This is the only module that uses `rand_distr`: the scenario layer builds a
//! [`Distribution`] from checked numbers and the engine only calls
//! [`Distribution::sample`].

use rand::Rng;
use rand_distr::{Distribution as _, Exp, Gamma, LogNormal, Normal, Triangular, Uniform, Weibull};

/// A distribution of non-negative durations, in hours.
#[derive(Debug, Clone)]
pub struct Distribution {
    kind: Kind,
    mean: f64,
}

#[derive(Debug, Clone)]
enum Kind {
    Constant(f64),
    Exponential(Exp<f64>),
    Uniform(Uniform<f64>),
    Triangular(Triangular<f64>),
    /// Normal truncated at zero: negative draws are drawn again.
    Normal(Normal<f64>),
    LogNormal(LogNormal<f64>),
    Gamma(Gamma<f64>),
    Weibull(Weibull<f64>),
    /// A table of values; `cumulative` holds the running sum of the weights, ending at 1.
    Empirical {
        values: Vec<f64>,
        cumulative: Vec<f64>,
    },
}

/// How many of `n` independent trials succeed, each with probability `p`: one
/// draw, however large `n` (0 when `p` is not a probability).
pub fn binomial<R: Rng + ?Sized>(n: u64, p: f64, rng: &mut R) -> u64 {
    match rand_distr::Binomial::new(n, p) {
        Ok(b) => b.sample(rng),
        Err(_) => 0,
    }
}

/// Why a set of parameters does not describe a distribution.
pub type ParamError = String;

fn positive(what: &str, x: f64) -> Result<f64, ParamError> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(format!("{what} must be positive, got {x}"))
    }
}

fn non_negative(what: &str, x: f64) -> Result<f64, ParamError> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(format!("{what} must be zero or more, got {x}"))
    }
}

impl Distribution {
    /// Always `value`.
    pub fn constant(value: f64) -> Result<Self, ParamError> {
        let value = non_negative("value", value)?;
        Ok(Self {
            kind: Kind::Constant(value),
            mean: value,
        })
    }

    /// Exponential with the given mean (cv = 1).
    pub fn exponential(mean: f64) -> Result<Self, ParamError> {
        let mean = positive("mean", mean)?;
        let exp = Exp::new(1.0 / mean).map_err(|e| e.to_string())?;
        Ok(Self {
            kind: Kind::Exponential(exp),
            mean,
        })
    }

    /// Uniform on `[min, max]`.
    pub fn uniform(min: f64, max: f64) -> Result<Self, ParamError> {
        non_negative("min", min)?;
        if max.is_nan() || max <= min {
            return Err(format!("max ({max}) must be greater than min ({min})"));
        }
        let u = Uniform::new_inclusive(min, max).map_err(|e| e.to_string())?;
        Ok(Self {
            kind: Kind::Uniform(u),
            mean: (min + max) / 2.0,
        })
    }

    /// Triangular on `[min, max]` with the given mode.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, ParamError> {
        non_negative("min", min)?;
        if min == max {
            return Err(format!(
                "min and max are both {min}: a triangular needs min < max; for a time that \
                 does not vary, use {{ dist = \"constant\", value = ... }}"
            ));
        }
        if !(min <= mode && mode <= max && min < max) {
            return Err(format!(
                "need min <= mode <= max and min < max, got min {min}, mode {mode}, max {max}"
            ));
        }
        let t = Triangular::new(min, max, mode).map_err(|e| e.to_string())?;
        Ok(Self {
            kind: Kind::Triangular(t),
            mean: (min + mode + max) / 3.0,
        })
    }

    /// Normal with the given mean and standard deviation, truncated at zero.
    ///
    /// The reported mean is the mean of the truncated distribution.
    pub fn normal(mean: f64, sd: f64) -> Result<Self, ParamError> {
        let mean = positive("mean", mean)?;
        let sd = non_negative("sd", sd)?;
        let n = Normal::new(mean, sd).map_err(|e| e.to_string())?;
        Ok(Self {
            kind: Kind::Normal(n),
            mean: truncated_normal_mean(mean, sd),
        })
    }

    /// Lognormal with the given mean and coefficient of variation.
    pub fn lognormal(mean: f64, cv: f64) -> Result<Self, ParamError> {
        let mean = positive("mean", mean)?;
        let cv = positive("cv", cv)?;
        // σ² = ln(1 + cv²): past about 1e154, cv² overflows (rand_distr would
        // say "variation parameter is non-finite", of a parameter the file never gave).
        if !(cv * cv).is_finite() {
            return Err(format!(
                "its cv, {cv:e}, is too large to compute (cv² overflows): a cv above a few \
                 hundred already puts nearly all the mean in a few huge draws"
            ));
        }
        let l = LogNormal::from_mean_cv(mean, cv).map_err(|e| e.to_string())?;
        Ok(Self {
            kind: Kind::LogNormal(l),
            mean,
        })
    }

    /// Gamma with the given mean and coefficient of variation (shape = 1/cv²).
    pub fn gamma(mean: f64, cv: f64) -> Result<Self, ParamError> {
        let mean = positive("mean", mean)?;
        let cv = positive("cv", cv)?;
        let shape = 1.0 / (cv * cv);
        if !(shape.is_finite() && mean / shape > 0.0) {
            // rand_distr would say "scale is not positive", about a scale the file never gave.
            return Err(format!(
                "its cv, {cv:e}, is too small to compute (the shape, 1/cv², overflows): \
                 for a time that hardly varies, use {{ dist = \"constant\", value = ... }}"
            ));
        }
        let g = Gamma::new(shape, mean / shape).map_err(|e| e.to_string())?;
        Ok(Self {
            kind: Kind::Gamma(g),
            mean,
        })
    }

    /// Gamma with the given shape and scale (mean = shape × scale).
    pub fn gamma_shape_scale(shape: f64, scale: f64) -> Result<Self, ParamError> {
        let shape = positive("shape", shape)?;
        let scale = positive("scale", scale)?;
        let mean = shape * scale;
        if !mean.is_finite() {
            return Err(format!(
                "its mean, shape × scale, is too large to compute ({shape:e} × {scale:e} hours)"
            ));
        }
        let g = Gamma::new(shape, scale).map_err(|e| e.to_string())?;
        Ok(Self {
            kind: Kind::Gamma(g),
            mean,
        })
    }

    /// Erlang: the sum of `k` exponential phases, with the given overall mean.
    pub fn erlang(mean: f64, k: u32) -> Result<Self, ParamError> {
        let mean = positive("mean", mean)?;
        if k == 0 {
            return Err("k must be at least 1".into());
        }
        let shape = f64::from(k);
        let g = Gamma::new(shape, mean / shape).map_err(|e| e.to_string())?;
        Ok(Self {
            kind: Kind::Gamma(g),
            mean,
        })
    }

    /// Weibull with the given shape and scale.
    pub fn weibull(shape: f64, scale: f64) -> Result<Self, ParamError> {
        let shape = positive("shape", shape)?;
        let scale = positive("scale", scale)?;
        let w = Weibull::new(scale, shape).map_err(|e| e.to_string())?;
        let mean = scale * gamma_fn(1.0 + 1.0 / shape);
        Ok(Self {
            kind: Kind::Weibull(w),
            mean,
        })
    }

    /// Weibull with the given mean and coefficient of variation (the shape is solved for).
    pub fn weibull_mean_cv(mean: f64, cv: f64) -> Result<Self, ParamError> {
        let mean = positive("mean", mean)?;
        let cv = positive("cv", cv)?;
        let shape = weibull_shape_for_cv(cv)?;
        let scale = mean / gamma_fn(1.0 + 1.0 / shape);
        Self::weibull(shape, scale)
    }

    /// A table of values with weights (equal weights when `weights` is `None`).
    pub fn empirical(values: Vec<f64>, weights: Option<Vec<f64>>) -> Result<Self, ParamError> {
        if values.is_empty() {
            return Err("values must not be empty".into());
        }
        for &v in &values {
            non_negative("every value", v)?;
        }
        let weights = weights.unwrap_or_else(|| vec![1.0; values.len()]);
        if weights.len() != values.len() {
            let entries = |n: usize| {
                if n == 1 {
                    "1 entry".to_owned()
                } else {
                    format!("{n} entries")
                }
            };
            return Err(format!(
                "weights has {} but values has {}",
                entries(weights.len()),
                entries(values.len())
            ));
        }
        for &w in &weights {
            non_negative("every weight", w)?;
        }
        let total: f64 = weights.iter().sum();
        if total.is_infinite() {
            return Err(
                "the weights add up to more than a number can hold: scale them down (only their ratios matter)"
                    .into(),
            );
        }
        if total.is_nan() || total <= 0.0 {
            return Err("the weights must not all be zero".into());
        }
        let mut running = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                running += w / total;
                running
            })
            .collect();
        *cumulative.last_mut().expect("non-empty") = 1.0;
        let mean = values
            .iter()
            .zip(&weights)
            .map(|(v, w)| v * w / total)
            .sum();
        Ok(Self {
            kind: Kind::Empirical { values, cumulative },
            mean,
        })
    }

    /// The mean of the distribution, in hours.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Whether every draw is zero, however the distribution is written (a
    /// constant 0, or a table whose values with weight are all 0).
    pub fn is_always_zero(&self) -> bool {
        match &self.kind {
            Kind::Constant(v) => *v == 0.0,
            Kind::Empirical { values, cumulative } => {
                let mut before = 0.0;
                values.iter().zip(cumulative).all(|(&v, &c)| {
                    let weighed = c > before;
                    before = c;
                    v == 0.0 || !weighed
                })
            }
            _ => false,
        }
    }

    /// Whether every draw is zero (an instant step needs no event).
    pub fn is_zero(&self) -> bool {
        matches!(self.kind, Kind::Constant(v) if v == 0.0)
    }

    /// One draw, in hours; never negative.
    // Always inlined: it has three callers, two on the engine's hot path, where a
    // call (with its register saves) costs the plain chain about 1 % of its
    // instructions.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.kind {
            Kind::Constant(v) => *v,
            Kind::Exponential(d) => d.sample(rng),
            Kind::Uniform(d) => d.sample(rng),
            Kind::Triangular(d) => d.sample(rng),
            Kind::Normal(d) => loop {
                let x = d.sample(rng);
                if x >= 0.0 {
                    break x;
                }
            },
            Kind::LogNormal(d) => d.sample(rng),
            Kind::Gamma(d) => d.sample(rng),
            Kind::Weibull(d) => d.sample(rng),
            Kind::Empirical { values, cumulative } => {
                let u: f64 = rand::RngExt::random(rng);
                let i = cumulative
                    .partition_point(|&c| c <= u)
                    .min(values.len() - 1);
                values[i]
            }
        }
    }
}

impl Distribution {
    /// For a normal: the mean and cv the file gave, and the mean and cv of the
    /// draws after truncation at zero (`(mean, cv, real_mean, real_cv)`);
    /// `None` for every other kind. Truncation matters from a cv of about 0.4.
    pub fn normal_truncation(&self) -> Option<(f64, f64, f64, f64)> {
        let Kind::Normal(n) = &self.kind else {
            return None;
        };
        let (mean, sd) = (n.mean(), n.std_dev());
        if sd == 0.0 {
            return Some((mean, 0.0, mean, 0.0));
        }
        // Normal truncated below at 0: with α = −mean / sd and λ = φ(α) / (1 − Φ(α)),
        // the draws' mean is mean + sd λ and their variance sd² (1 + α λ − λ²).
        let alpha = -mean / sd;
        let phi = (-0.5 * alpha * alpha).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let tail = 0.5 * erfc(alpha / std::f64::consts::SQRT_2);
        let lambda = phi / tail;
        let real_mean = mean + sd * lambda;
        let real_sd = sd * (1.0 + alpha * lambda - lambda * lambda).max(0.0).sqrt();
        Some((mean, sd / mean, real_mean, real_sd / real_mean))
    }
}

/// Mean of a normal(mean, sd) truncated to [0, ∞).
fn truncated_normal_mean(mean: f64, sd: f64) -> f64 {
    if sd == 0.0 {
        return mean;
    }
    let alpha = -mean / sd;
    let phi = (-0.5 * alpha * alpha).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let tail = 0.5 * erfc(alpha / std::f64::consts::SQRT_2);
    mean + sd * phi / tail
}

/// Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The gamma function, by the Lanczos approximation (g = 7, 9 terms).
fn gamma_fn(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma_fn(1.0 - x));
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
}

/// The Weibull shape whose coefficient of variation is `cv` (bisection; cv falls as shape rises).
fn weibull_shape_for_cv(cv: f64) -> Result<f64, ParamError> {
    let cv_of = |k: f64| {
        let g1 = gamma_fn(1.0 + 1.0 / k);
        (gamma_fn(1.0 + 2.0 / k) / (g1 * g1) - 1.0).sqrt()
    };
    let (mut lo, mut hi) = (0.1_f64, 100.0_f64);
    if cv > cv_of(lo) || cv < cv_of(hi) {
        return Err(format!(
            "a weibull cv must lie between {:.3} and {:.1}, got {cv}",
            cv_of(hi),
            cv_of(lo)
        ));
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cv_of(mid) > cv {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_no_distribution_has_are_said_in_the_file_s_terms() {
        let huge = Distribution::lognormal(1.0, 1e300).unwrap_err();
        assert!(huge.contains("its cv, 1e300, is too large"), "{huge}");
        assert!(Distribution::lognormal(1.0, 1e150).is_ok());
        let flat = Distribution::triangular(1.0, 1.0, 1.0).unwrap_err();
        assert!(flat.contains("min and max are both 1"), "{flat}");
        assert!(flat.contains("constant"), "{flat}");
    }
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    fn sample_mean(d: &Distribution, n: usize) -> (f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut sum = 0.0;
        let mut sum2 = 0.0;
        for _ in 0..n {
            let x = d.sample(&mut rng);
            assert!(x >= 0.0);
            sum += x;
            sum2 += x * x;
        }
        let m = sum / n as f64;
        let var = sum2 / n as f64 - m * m;
        (m, (var / n as f64).sqrt())
    }

    #[test]
    fn sample_means_match_declared_means() {
        let cases = [
            Distribution::constant(2.0).unwrap(),
            Distribution::exponential(3.0).unwrap(),
            Distribution::uniform(1.0, 5.0).unwrap(),
            Distribution::triangular(1.0, 2.0, 6.0).unwrap(),
            Distribution::normal(1.0, 0.8).unwrap(),
            Distribution::lognormal(2.0, 0.5).unwrap(),
            Distribution::gamma(6.0, 0.8).unwrap(),
            Distribution::erlang(4.0, 3).unwrap(),
            Distribution::weibull(1.5, 2.0).unwrap(),
            Distribution::weibull_mean_cv(3.0, 0.4).unwrap(),
            Distribution::empirical(vec![1.0, 2.0, 10.0], Some(vec![1.0, 2.0, 1.0])).unwrap(),
        ];
        for d in &cases {
            let (m, se) = sample_mean(d, 200_000);
            // 4.5 standard errors: a false alarm about once in 150 000 checks.
            assert!(
                (m - d.mean()).abs() <= 4.5 * se + 1e-12,
                "{d:?}: sample mean {m}, declared {}, se {se}",
                d.mean()
            );
        }
    }

    #[test]
    fn weibull_shape_solver_hits_cv() {
        for cv in [0.2, 0.5, 1.0, 2.0] {
            let k = weibull_shape_for_cv(cv).unwrap();
            let g1 = gamma_fn(1.0 + 1.0 / k);
            let got = (gamma_fn(1.0 + 2.0 / k) / (g1 * g1) - 1.0).sqrt();
            assert!((got - cv).abs() < 1e-9, "cv {cv}: got {got}");
        }
        // cv = 1 is the exponential: shape 1.
        assert!((weibull_shape_for_cv(1.0).unwrap() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn gamma_function_known_values() {
        assert!((gamma_fn(5.0) - 24.0).abs() < 1e-9);
        assert!((gamma_fn(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(Distribution::exponential(0.0).is_err());
        assert!(Distribution::uniform(3.0, 1.0).is_err());
        assert!(Distribution::triangular(1.0, 5.0, 3.0).is_err());
        assert!(Distribution::lognormal(-1.0, 0.5).is_err());
        assert!(Distribution::erlang(1.0, 0).is_err());
        assert!(Distribution::empirical(vec![], None).is_err());
        assert!(Distribution::empirical(vec![1.0], Some(vec![0.0])).is_err());
    }
    #[test]
    fn truncated_normal_reports_what_is_drawn() {
        let d = Distribution::normal(1.0, 0.8).unwrap();
        let (mean, cv, real_mean, real_cv) = d.normal_truncation().unwrap();
        assert_eq!((mean, cv), (1.0, 0.8));
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let n = 400_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        // The sample mean's standard error is below 0.002 here; 4 of them.
        assert!((m - real_mean).abs() < 0.008, "{m} vs {real_mean}");
        assert!((sd / m - real_cv).abs() < 0.01, "{} vs {real_cv}", sd / m);
        assert!(real_mean > 1.1 && real_cv < 0.7, "{real_mean} {real_cv}");
        assert!(
            Distribution::exponential(1.0)
                .unwrap()
                .normal_truncation()
                .is_none()
        );
    }
}
