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
    /// The family's shape, for [`Distribution::tail_share`] (not used to sample).
    tail: Tail,
}

/// What decides how far a distribution's draws spread: the lognormal's σ
/// (σ² = ln(1 + cv²)), the gamma's and the weibull's shape.
#[derive(Debug, Clone, Copy)]
enum Tail {
    /// No heavier than an exponential's: constant, exponential, uniform,
    /// triangular, truncated normal, a table of finite values.
    Light,
    LogNormal {
        sigma: f64,
    },
    Gamma {
        shape: f64,
    },
    Weibull {
        shape: f64,
    },
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
            tail: Tail::Light,
        })
    }

    /// Exponential with the given mean (cv = 1).
    pub fn exponential(mean: f64) -> Result<Self, ParamError> {
        let mean = positive("mean", mean)?;
        let exp = Exp::new(1.0 / mean).map_err(|e| e.to_string())?;
        Ok(Self {
            kind: Kind::Exponential(exp),
            mean,
            tail: Tail::Light,
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
            tail: Tail::Light,
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
            tail: Tail::Light,
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
            tail: Tail::Light,
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
            tail: Tail::LogNormal {
                sigma: cv.mul_add(cv, 1.0).ln().sqrt(),
            },
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
            tail: Tail::Gamma { shape },
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
            tail: Tail::Gamma { shape },
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
            tail: Tail::Gamma { shape },
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
            tail: Tail::Weibull { shape },
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
            tail: Tail::Light,
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

/// How far past its draws a distribution's mean lies: the shares of the mean
/// that draws rarer than one in N carry (see [`Distribution::tail_share`]).
impl Distribution {
    /// The coefficient of variation when the family spreads further than an
    /// exponential (a lognormal, gamma or weibull with cv above 1); `None`
    /// for every other distribution, whose mean no run misses by much.
    pub fn heavy_cv(&self) -> Option<f64> {
        let cv = match self.tail {
            Tail::Light => return None,
            Tail::LogNormal { sigma } => (sigma * sigma).exp_m1().sqrt(),
            Tail::Gamma { shape } => 1.0 / shape.sqrt(),
            Tail::Weibull { shape } => weibull_cv(shape),
        };
        (cv > 1.0).then_some(cv)
    }

    /// The family's name as a file writes it: `lognormal`, `gamma` (an erlang
    /// too), `weibull`, or `distribution` for the others.
    pub fn family(&self) -> &'static str {
        match self.tail {
            Tail::LogNormal { .. } => "lognormal",
            Tail::Gamma { .. } => "gamma",
            Tail::Weibull { .. } => "weibull",
            Tail::Light => "distribution",
        }
    }

    /// The share of the mean carried by the draws rarer than one in `draws`,
    /// `S(N) = ∫_{1−1/N}^1 Q(u) du / mean` with `Q` the quantile function,
    /// for a family that spreads further than an exponential ([`Distribution::heavy_cv`]);
    /// `None` for the others.
    ///
    /// - lognormal, σ² = ln(1 + cv²): `S = Φ(σ − z)`, `z = Φ⁻¹(1 − 1/N)`;
    /// - gamma of shape `k`: `S = Q(k + 1, x)` where `Q(k, x) = 1/N` (`Q` the
    ///   regularized upper incomplete gamma), that is `1/N + xᵏ e⁻ˣ / Γ(k + 1)`;
    /// - weibull of shape `k`: `S = Q(1 + 1/k, ln N)`.
    ///
    /// A run of `N` draws mostly sees none of them: when `S` is large its
    /// average draw reads far below the mean.
    pub fn tail_share(&self, draws: f64) -> Option<f64> {
        self.heavy_cv()?;
        Some(share_beyond(self.tail, draws))
    }

    /// The fewest draws at which the share of the mean rarer than one in
    /// that many falls to `share` (see [`Distribution::tail_share`]); `None`
    /// for the light families, or beyond 1e300 draws.
    pub fn draws_for_tail_share(&self, share: f64) -> Option<f64> {
        self.heavy_cv()?;
        let s = |ln_n: f64| share_beyond(self.tail, ln_n.exp());
        let (mut lo, mut hi) = (0.0_f64, 300.0 * std::f64::consts::LN_10);
        if s(hi) > share {
            return None;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if s(mid) > share {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(hi.exp())
    }

    /// The largest cv, at least 1, that a distribution of the same family and
    /// mean may have for the draws rarer than one in `draws` to carry at most
    /// `share` of its mean; `None` for the light families.
    pub fn cv_for_tail_share(&self, draws: f64, share: f64) -> Option<f64> {
        let cv = self.heavy_cv()?;
        let limit = match self.tail {
            Tail::Light => return None,
            Tail::LogNormal { .. } => {
                // Φ(σ − z) ≤ share: σ ≤ z + Φ⁻¹(share).
                let sigma = upper_normal_quantile(1.0 / draws) - upper_normal_quantile(share);
                (sigma.max(0.0).powi(2)).exp_m1().sqrt()
            }
            Tail::Gamma { shape } => {
                // More shape, less spread: the least shape in [shape, 1] whose share is small enough.
                let s = |ln_k: f64| share_beyond(Tail::Gamma { shape: ln_k.exp() }, draws);
                1.0 / bisect_least(shape.ln(), 0.0, |l| s(l) <= share)
                    .exp()
                    .sqrt()
            }
            Tail::Weibull { shape } => {
                let s = |k: f64| share_beyond(Tail::Weibull { shape: k }, draws);
                weibull_cv(bisect_least(shape, 1.0, |k| s(k) <= share))
            }
        };
        Some(limit.clamp(1.0, cv))
    }
}

/// The least `x` in `[lo, hi]` for which `ok` holds, `ok` false below and
/// true above some point (`hi` when it holds nowhere below).
fn bisect_least(mut lo: f64, mut hi: f64, ok: impl Fn(f64) -> bool) -> f64 {
    if ok(lo) {
        return lo;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// [`Distribution::tail_share`] for a family's shape.
fn share_beyond(tail: Tail, draws: f64) -> f64 {
    if draws.is_nan() || draws <= 1.0 {
        return 1.0;
    }
    let rare = 1.0 / draws;
    match tail {
        Tail::Light => 0.0,
        Tail::LogNormal { sigma } => normal_cdf(sigma - upper_normal_quantile(rare)),
        Tail::Gamma { shape } => {
            let ln_x = gamma_upper_quantile_ln(shape, draws.ln());
            let x = ln_x.exp();
            (rare + (shape * ln_x - x - ln_gamma(shape + 1.0)).exp()).min(1.0)
        }
        Tail::Weibull { shape } => ln_incomplete_gamma(1.0 + 1.0 / shape, draws.ln().ln())
            .1
            .exp(),
    }
}

/// Φ, the standard normal distribution function.
fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The `z` with `1 − Φ(z) = p`, `0 < p < 1` (bisection on [`erfc`]: its
/// relative error, below 1.2e-7, moves `z` by less than 1e-7).
fn upper_normal_quantile(p: f64) -> f64 {
    let above = |z: f64| 0.5 * erfc(z / std::f64::consts::SQRT_2);
    let (mut lo, mut hi) = (-40.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if above(mid) > p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// `ln x` for the `x` with `Q(a, x) = e^(−ln_n)` (the upper `1/N` quantile of a
/// gamma of shape `a` and scale 1), in logarithms: for a small shape it is far
/// below the smallest number a float holds (`ln x ≈ −1/(N a)`).
fn gamma_upper_quantile_ln(a: f64, ln_n: f64) -> f64 {
    // ln Q + ln N falls as x grows.
    let f = |ln_x: f64| ln_incomplete_gamma(a, ln_x).1 + ln_n;
    let (mut lo, mut hi) = (a.ln().min(0.0), a.ln().min(0.0));
    let mut step = 1.0;
    while f(lo) < 0.0 && lo > -f64::MAX / 4.0 {
        lo -= step;
        step *= 2.0;
    }
    step = 1.0;
    while f(hi) > 0.0 && hi < 1e3 {
        hi += step;
        step *= 2.0;
    }
    for _ in 0..2000 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * lo.abs().max(hi.abs()).max(1e-3) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// `ln P(a, x)` and `ln Q(a, x)`, the regularized lower and upper incomplete
/// gamma functions, for `x = e^ln_x` (which may be too small for a float):
/// the series for `x < a + 1`, the continued fraction beyond (Numerical
/// Recipes' `gser` and `gcf`), each tail taken from the other as `ln(1 − e^l)`
/// without cancellation.
fn ln_incomplete_gamma(a: f64, ln_x: f64) -> (f64, f64) {
    let x = ln_x.exp();
    // ln(xᵃ e⁻ˣ / Γ(a + 1)).
    let front = a * ln_x - x - ln_gamma(a + 1.0);
    let ln_one_minus_exp = |l: f64| {
        if l > -std::f64::consts::LN_2 {
            (-l.exp_m1()).ln()
        } else {
            (-l.exp()).ln_1p()
        }
    };
    if x < a + 1.0 {
        // P = xᵃ e⁻ˣ / Γ(a + 1) × Σₙ xⁿ / ((a + 1)…(a + n)).
        let (mut term, mut sum, mut ap) = (1.0_f64, 1.0_f64, a);
        for _ in 0..100_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term < sum * 1e-17 {
                break;
            }
        }
        let ln_p = (front + sum.ln()).min(0.0);
        (ln_p, ln_one_minus_exp(ln_p))
    } else {
        // Q = xᵃ e⁻ˣ / Γ(a) × 1 / (x + 1 − a − 1·(1 − a) / (x + 3 − a − …)), by Lentz.
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let an = -f64::from(i) * (f64::from(i) - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        let ln_q = (front + a.ln() + h.ln()).min(0.0);
        (ln_one_minus_exp(ln_q), ln_q)
    }
}

/// `ln Γ(x)` for `x > 0` (the Lanczos sum of [`gamma_fn`], in logarithms).
fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        // Γ(x) = Γ(x + 1) / x: exact for the tiny shapes of very spread gammas.
        return ln_gamma(x + 1.0) - x.ln();
    }
    let x = x - 1.0;
    let t = x + LANCZOS_G + 0.5;
    let mut a = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// A weibull's coefficient of variation from its shape.
fn weibull_cv(k: f64) -> f64 {
    let g1 = gamma_fn(1.0 + 1.0 / k);
    (gamma_fn(1.0 + 2.0 / k) / (g1 * g1) - 1.0).sqrt()
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

const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
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

/// The gamma function, by the Lanczos approximation (g = 7, 9 terms).
fn gamma_fn(x: f64) -> f64 {
    const G: f64 = LANCZOS_G;
    const C: [f64; 9] = LANCZOS;
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
    let cv_of = weibull_cv;
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

    #[test]
    fn incomplete_gamma_matches_known_values() {
        let q = |a: f64, x: f64| ln_incomplete_gamma(a, x.ln()).1.exp();
        let p = |a: f64, x: f64| ln_incomplete_gamma(a, x.ln()).0.exp();
        let close = |got: f64, want: f64| (got - want).abs() <= 1e-9 * want;
        // Q(1, x) = e⁻ˣ; Q(3, x) = e⁻ˣ (1 + x + x²/2); Q(½, x) = erfc(√x).
        for x in [0.01, 0.5, 1.0, 2.0, 7.5, 30.0] {
            assert!(close(q(1.0, x), (-x).exp()), "Q(1, {x}) = {}", q(1.0, x));
            let three = (-x).exp() * (1.0 + x + x * x / 2.0);
            assert!(close(q(3.0, x), three), "Q(3, {x}) = {}", q(3.0, x));
            assert!(
                (p(3.0, x) - (1.0 - three)).abs() < 1e-15,
                "P(3, {x}) = {}",
                p(3.0, x)
            );
        }
        // erfc (Abramowitz and Stegun, table 7.1): erfc(1) = 0.157 299 207,
        // erfc(0.5) = 0.479 500 122, erfc(2) = 0.004 677 735.
        for (x, erfc) in [
            (1.0, 0.157_299_207),
            (0.25, 0.479_500_122),
            (4.0, 0.004_677_735),
        ] {
            assert!(
                (q(0.5, x) / erfc - 1.0).abs() < 1e-8,
                "Q(½, {x}) = {}",
                q(0.5, x)
            );
        }
        // A tiny shape: P(a, x) = xᵃ e⁻ˣ Σ … / Γ(a + 1) ≈ xᵃ, and Q ≈ −a ln x
        // without cancellation, for an x no float holds.
        let (ln_p, ln_q) = ln_incomplete_gamma(1e-12, -1e6);
        assert!((ln_p + 1e-6).abs() < 1e-12, "{ln_p}");
        assert!((ln_q.exp() / 1e-6 - 1.0).abs() < 1e-5, "{}", ln_q.exp());
        assert!((ln_gamma(10.0) - 362_880f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(1e-200) - 200.0 * std::f64::consts::LN_10).abs() < 1e-9);
    }

    #[test]
    fn normal_quantile_matches_tables() {
        // 1 − Φ(z) = p for the familiar z (to the accuracy of `erfc`).
        for (p, z) in [
            (0.5, 0.0),
            (0.025, 1.959_963_985),
            (1e-3, 3.090_232_306),
            (1e-6, 4.753_424_309),
            (1e-9, 5.997_807_015),
        ] {
            let got = upper_normal_quantile(p);
            assert!((got - z).abs() < 2e-6, "p {p}: {got} against {z}");
        }
    }

    #[test]
    fn tail_shares_of_an_exponential_in_each_family_agree_with_the_formula() {
        // A gamma of shape 1 and a weibull of shape 1 are the exponential:
        // ∫_{1−1/N}^1 −ln(1 − u) du = (1 + ln N) / N.
        for n in [2.0, 10.0, 1e3, 1e8] {
            let want = (1.0 + f64::ln(n)) / n;
            for tail in [Tail::Gamma { shape: 1.0 }, Tail::Weibull { shape: 1.0 }] {
                let got = share_beyond(tail, n);
                assert!(
                    (got / want - 1.0).abs() < 1e-9,
                    "{tail:?} N {n}: {got} vs {want}"
                );
            }
        }
        // The light families and cv ≤ 1 are not asked.
        for d in [
            Distribution::exponential(1.0).unwrap(),
            Distribution::uniform(0.0, 1.0).unwrap(),
            Distribution::normal(1.0, 5.0).unwrap(),
            Distribution::erlang(1.0, 1).unwrap(),
            Distribution::gamma(1.0, 1.0).unwrap(),
            Distribution::lognormal(1.0, 0.99).unwrap(),
            Distribution::weibull(1.0, 1.0).unwrap(),
            Distribution::empirical(vec![0.0, 1e9], Some(vec![1e9, 1.0])).unwrap(),
        ] {
            assert_eq!(d.tail_share(3.0), None, "{d:?}");
        }
    }

    /// The share of the mean above the (1 − 1/N) quantile, counted in draws
    /// with a fixed seed: the draws above the quantile over all the draws.
    #[test]
    fn tail_shares_match_monte_carlo() {
        let n = 200.0;
        let cases = [
            Distribution::lognormal(1.0, 3.0).unwrap(),
            Distribution::gamma(1.0, 3.0).unwrap(),
            Distribution::gamma_shape_scale(0.3, 2.0).unwrap(),
            Distribution::weibull(0.5, 1.0).unwrap(),
        ];
        for d in &cases {
            let share = d.tail_share(n).unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            let m = 2_000_000;
            let mut xs: Vec<f64> = (0..m).map(|_| d.sample(&mut rng)).collect();
            xs.sort_by(f64::total_cmp);
            let top = &xs[m - (m as f64 / n) as usize..];
            let total = d.mean() * m as f64;
            let got = top.iter().sum::<f64>() / total;
            // Its standard error: from the spread of the draws in the tail.
            let k = top.len() as f64;
            let tail_mean = top.iter().sum::<f64>() / k;
            let var = top.iter().map(|x| (x - tail_mean).powi(2)).sum::<f64>() / (k - 1.0);
            let se = (var * k).sqrt() / total;
            assert!(
                (got - share).abs() <= 4.5 * se + 1e-3,
                "{d:?}: counted {got}, computed {share}, se {se}"
            );
        }
    }

    #[test]
    fn very_spread_distributions_put_their_mean_beyond_any_run() {
        // Almost all the mean of a gamma of cv 1e5 lies beyond one draw in 10⁴.
        let g = Distribution::gamma(1.0, 1e5).unwrap();
        assert!(g.tail_share(1e4).unwrap() > 0.999_99);
        // A lognormal of cv 1e10 has σ = √ln(1 + 1e20) = 6.786; one draw in
        // 10⁶ is z = 4.753 (tables): Φ(2.033) = 0.979 of its mean lies beyond.
        let l = Distribution::lognormal(1.0, 1e10).unwrap();
        assert!((l.tail_share(1e6).unwrap() - 0.979).abs() < 1e-3);
        // Lognormal: Φ(σ − z) = ½ at σ = z: the cv that just keeps half the mean in
        // N draws is √(e^(z²) − 1); the draws needed for a given σ invert it.
        let z = upper_normal_quantile(1e-4);
        let cv = (z * z).exp_m1().sqrt();
        let at = Distribution::lognormal(1.0, cv).unwrap();
        assert!((at.tail_share(1e4).unwrap() - 0.5).abs() < 1e-6);
        let wider = Distribution::lognormal(1.0, 2.0 * cv).unwrap();
        let limit = wider.cv_for_tail_share(1e4, 0.5).unwrap();
        assert!((limit / cv - 1.0).abs() < 1e-5, "{limit} vs {cv}");
        let needed = at.draws_for_tail_share(0.5).unwrap();
        assert!((needed / 1e4 - 1.0).abs() < 1e-4, "{needed}");
        // The same for the gamma and the weibull, by bisection: the share at
        // the cv found is one half.
        for d in [
            Distribution::gamma(1.0, 1e3).unwrap(),
            Distribution::weibull_mean_cv(1.0, 400.0).unwrap(),
        ] {
            assert!(d.tail_share(1e4).unwrap() > 0.5, "{d:?}");
            let limit = d.cv_for_tail_share(1e4, 0.5).unwrap();
            let same = match d.tail {
                Tail::Gamma { .. } => Distribution::gamma(1.0, limit).unwrap(),
                _ => Distribution::weibull_mean_cv(1.0, limit).unwrap(),
            };
            let s = same.tail_share(1e4).unwrap();
            assert!((s - 0.5).abs() < 1e-6, "{d:?}: cv {limit}, share {s}");
            let needed = d.draws_for_tail_share(0.5).unwrap();
            assert!((d.tail_share(needed).unwrap() - 0.5).abs() < 1e-6);
        }
        // It keeps half its mean within N draws from z = σ: 1 − Φ(6.786) =
        // 5.8e-12, some 1.7e11 draws.
        let needed = l.draws_for_tail_share(0.5).unwrap();
        assert!((1.6e11..1.8e11).contains(&needed), "{needed:e}");
        // A gamma of tiny shape k: Q(k, x) ≈ k E₁(x) and the share beyond x is
        // about e⁻ˣ, one half at x = ln 2, where E₁ = 0.3787 (its series):
        // 1 / (k E₁) = 2.64e10 draws for cv 1e5 (k = 1e-10).
        let needed = g.draws_for_tail_share(0.5).unwrap();
        assert!((needed / 2.641e10 - 1.0).abs() < 2e-3, "{needed:e}");
    }
}
