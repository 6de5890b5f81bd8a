//! Distribution tables (`{ dist = "gamma", mean = "6h", cv = 0.8 }`) → [`Distribution`].

use toml::de::DeValue;

use super::diagnostic::Diagnostic;
use super::read::{
    Errors, Need, Span, Value, as_f64, as_i64, bare_number, duration_value, escape, wrong_type,
};
use super::suggest::{closest, did_you_mean, list};
use super::units::UNIT_LIST;
use crate::model::Distribution;

/// Every distribution a scenario may name, and the sets of parameters each accepts.
pub const DISTRIBUTIONS: &[(&str, &[&[&str]])] = &[
    ("constant", &[&["value"]]),
    ("exponential", &[&["mean"]]),
    ("uniform", &[&["min", "max"]]),
    ("triangular", &[&["min", "mode", "max"]]),
    ("normal", &[&["mean", "sd"], &["mean", "cv"]]),
    ("lognormal", &[&["mean", "cv"]]),
    ("gamma", &[&["mean", "cv"]]),
    ("weibull", &[&["shape", "scale"], &["mean", "cv"]]),
    ("erlang", &[&["mean", "k"]]),
    ("empirical", &[&["values"], &["values", "weights"]]),
];

/// Other ways to write some of them, accepted but not offered in messages (the
/// forms above are the documented ones): a mean and a `cv` where that is
/// natural (an erlang's cv is 1/√k), a standard deviation beside a mean, as
/// `normal` takes, a gamma's shape and scale, as `weibull` takes, and a
/// constant's mean (its value; `--set …delay.mean` names it so).
const ALIASES: &[(&str, &[&[&str]])] = &[
    ("constant", &[&["mean"]]),
    ("lognormal", &[&["mean", "sd"]]),
    ("gamma", &[&["mean", "sd"], &["shape", "scale"]]),
    ("erlang", &[&["mean", "cv"]]),
];

fn names() -> impl Iterator<Item = &'static str> {
    DISTRIBUTIONS.iter().map(|(n, _)| *n)
}

/// How a distribution is used, for the checks beyond its own parameters.
#[derive(Clone, Copy)]
pub struct Use {
    /// Its mean must be above zero (service and reorder times); otherwise zero is fine (delays).
    pub positive_mean: bool,
    /// The unit examples in messages use.
    pub unit: &'static str,
}

/// "an" before a vowel sound, "a" otherwise: "an `exponential`", "a `gamma`".
/// "1 entry", "2 entries".
fn entries(n: usize) -> String {
    if n == 1 {
        "1 entry".to_owned()
    } else {
        format!("{n} entries")
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// `a`, `a` and `b`, `a`, `b` and `c`.
fn and_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// What a distribution takes, for messages: "`mean` and `sd`, or `mean` and `cv`".
fn takes(alternatives: &[&[&str]]) -> String {
    alternatives
        .iter()
        .map(|a| and_list(a))
        .collect::<Vec<_>>()
        .join(", or ")
}

/// Read a distribution from a table or a duration string (a constant).
pub fn read(errs: &mut Errors, key: &str, v: &Value<'_>, usage: Use) -> Option<Distribution> {
    let span = v.span();
    let dist = match v.get_ref() {
        DeValue::String(_) => {
            let need = if usage.positive_mean {
                Need::Positive
            } else {
                Need::NonNegative
            };
            let h = duration_value(errs, key, v, need, usage.unit)?;
            return constant(errs, span, h);
        }
        DeValue::Table(t) => {
            let Some(d) = t.get("dist") else {
                errs.push(
                    Diagnostic::new(
                        span,
                        format!("the distribution in `{key}` has no `dist`"),
                        "expected `dist = \"...\"` in this table",
                    )
                    .with_help(format!("name one of {}, e.g. `{key} = {{ dist = \"exponential\", mean = \"2{}\" }}`", list(names()), usage.unit)),
                );
                return None;
            };
            let DeValue::String(name) = d.get_ref() else {
                errs.push(wrong_type(
                    d.span(),
                    "dist",
                    "the name of a distribution in quotes",
                    d.get_ref(),
                ));
                return None;
            };
            let Some((name, alternatives)) =
                DISTRIBUTIONS.iter().find(|(n, _)| *n == name.as_ref())
            else {
                errs.push(
                    Diagnostic::new(
                        d.span(),
                        format!("unknown distribution `{name}`"),
                        format!("expected one of {}", list(names())),
                    )
                    .with_help_opt(did_you_mean(name, names())),
                );
                return None;
            };
            let mut ok = true;
            let aliases: &[&[&str]] = ALIASES
                .iter()
                .find(|(n, _)| n == name)
                .map_or(&[], |(_, a)| a);
            let all_params: Vec<&str> = {
                let mut v: Vec<&str> = alternatives
                    .iter()
                    .chain(aliases)
                    .flat_map(|a| a.iter().copied())
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let mut given: Vec<&str> = Vec::new();
            let mut typos: Vec<&str> = Vec::new();
            for k in t.keys() {
                let k_name: &str = k.get_ref();
                if k_name == "dist" {
                    continue;
                }
                if all_params.contains(&k_name) {
                    given.push(k_name);
                } else {
                    if let Some(meant) = closest(k_name, all_params.iter().copied()) {
                        typos.push(meant);
                    }
                    let help =
                        did_you_mean(k_name, all_params.iter().copied()).unwrap_or_else(|| {
                            format!(
                                "{} `{name}` distribution takes {}",
                                article(name),
                                takes(alternatives)
                            )
                        });
                    errs.push(
                        Diagnostic::new(
                            k.span(),
                            format!("`{name}` distribution does not take `{k_name}`"),
                            format!("`{name}` takes {}", takes(alternatives)),
                        )
                        .with_help(help),
                    );
                    ok = false;
                }
            }
            let Some(chosen) = alternatives
                .iter()
                .chain(aliases)
                .find(|a| given.iter().all(|g| a.contains(g)))
            else {
                errs.push(
                    Diagnostic::new(
                        span,
                        format!(
                            "`{name}` distribution takes {}, not {}",
                            takes(alternatives),
                            and_list(&given)
                        ),
                        format!("give {}", takes(alternatives)),
                    )
                    .with_help("remove the parameters of the other form"),
                );
                return None;
            };
            // A misspelt parameter was reported already, with this one suggested.
            let missing: Vec<&str> = chosen
                .iter()
                .copied()
                .filter(|p| !given.contains(p) && !typos.contains(p))
                .collect();
            if !missing.is_empty() {
                errs.push(
                    Diagnostic::new(
                        span,
                        format!(
                            "`{name}` distribution needs {}; missing {}",
                            takes(alternatives),
                            and_list(&missing)
                        ),
                        format!("missing {}", and_list(&missing)),
                    )
                    .with_help(format!("add {} to this table", and_list(&missing))),
                );
                return None;
            }
            if !ok {
                return None;
            }
            build(errs, span.clone(), name, &Params { table: t }, chosen)?
        }
        other => {
            let mut d = wrong_type(span.clone(), key, "a distribution table or a duration", other)
                .with_help(format!(
                    "write e.g. `{key} = {{ dist = \"exponential\", mean = \"2{}\" }}` or `{key} = \"2{}\"`",
                    usage.unit, usage.unit
                ));
            if matches!(other, DeValue::Integer(_) | DeValue::Float(_)) {
                let n = super::read::bare_number(other, "2");
                d = Diagnostic::new(
                    span,
                    format!("`{key}` needs a unit: a bare number is not a duration"),
                    format!("expected a duration with a unit, like \"{n}{}\"", usage.unit),
                )
                .with_help(format!(
                    "write `{key} = \"{n}{u}\"` for a constant, or a table like `{{ dist = \"exponential\", mean = \"{n}{u}\" }}`",
                    u = usage.unit
                ));
            }
            errs.push(d);
            return None;
        }
    };
    if !dist.mean().is_finite() {
        errs.push(
            Diagnostic::new(
                span,
                format!("`{key}`: the mean of this distribution is too large to compute"),
                "its parameters overflow",
            )
            .with_help("use smaller numbers: a mean of years is written \"365d\", and only the ratios of `weights` matter"),
        );
        return None;
    }
    if usage.positive_mean && dist.mean() <= 0.0 {
        let d = if dist.is_always_zero() {
            Diagnostic::new(
                span,
                format!("`{key}` must take time: this distribution is always zero"),
                "expected a time longer than zero on average",
            )
        } else {
            Diagnostic::new(
                span,
                format!("`{key}`: the mean of this distribution is too small to compute"),
                "its mean rounds to zero",
            )
            .with_help("use times of at least a millisecond, e.g. \"0.001s\"")
        };
        errs.push(d);
        return None;
    }
    Some(dist)
}

fn constant(errs: &mut Errors, span: Span, h: f64) -> Option<Distribution> {
    param_result(errs, span, "constant", Distribution::constant(h))
}

fn param_result(
    errs: &mut Errors,
    span: Span,
    name: &str,
    r: Result<Distribution, String>,
) -> Option<Distribution> {
    match r {
        Ok(d) => Some(d),
        Err(e) => {
            errs.push(
                Diagnostic::new(
                    span,
                    format!("invalid `{name}` distribution: {e}"),
                    "these parameters do not describe a distribution",
                )
                .with_help("times in this message are in hours"),
            );
            None
        }
    }
}

struct Params<'a, 'i> {
    table: &'a toml::de::DeTable<'i>,
}

impl Params<'_, '_> {
    fn value(&self, p: &str) -> Option<&Value<'_>> {
        self.table.get(p)
    }
}

/// Read the parameters of a distribution whose keys were checked, and build it.
fn build(
    errs: &mut Errors,
    span: Span,
    name: &str,
    params: &Params<'_, '_>,
    chosen: &[&str],
) -> Option<Distribution> {
    let mut ok = true;
    let mut num = |p: &str| -> f64 {
        let Some(v) = params.value(p) else {
            ok = false;
            return 0.0;
        };
        let got = match p {
            // A constant's mean is its value: zero is a time too.
            "mean" if name == "constant" => duration_value(errs, p, v, Need::NonNegative, "h"),
            "mean" | "scale" => duration_value(errs, p, v, Need::Positive, "h"),
            "value" | "min" | "max" | "mode" | "sd" => {
                duration_value(errs, p, v, Need::NonNegative, "h")
            }
            "cv" | "shape" => positive_number(errs, p, v),
            "k" => match as_i64(v.get_ref()) {
                Some(k) if k >= 1 && k <= i64::from(u32::MAX) => Some(k as f64),
                Some(k) => {
                    errs.push(Diagnostic::new(
                        v.span(),
                        format!("`k` must be at least 1, got {k}"),
                        "expected a whole number of phases (1 or more)",
                    ));
                    None
                }
                None => {
                    errs.push(wrong_type(
                        v.span(),
                        "k",
                        "a whole number of phases (1 or more)",
                        v.get_ref(),
                    ));
                    None
                }
            },
            _ => None,
        };
        got.unwrap_or_else(|| {
            ok = false;
            0.0
        })
    };
    let result = match (name, chosen) {
        ("constant", ["mean"]) => Distribution::constant(num("mean")),
        ("constant", _) => Distribution::constant(num("value")),
        ("exponential", _) => Distribution::exponential(num("mean")),
        ("uniform", _) => Distribution::uniform(num("min"), num("max")),
        ("triangular", _) => Distribution::triangular(num("min"), num("mode"), num("max")),
        ("normal", ["mean", "sd"]) => Distribution::normal(num("mean"), num("sd")),
        ("normal", _) => {
            let mean = num("mean");
            Distribution::normal(mean, mean * num("cv"))
        }
        ("lognormal", ["mean", "sd"]) => {
            let mean = num("mean");
            cv_of_sd(mean, num("sd")).and_then(|cv| Distribution::lognormal(mean, cv))
        }
        ("lognormal", _) => Distribution::lognormal(num("mean"), num("cv")),
        ("gamma", ["mean", "sd"]) => {
            let mean = num("mean");
            cv_of_sd(mean, num("sd")).and_then(|cv| Distribution::gamma(mean, cv))
        }
        ("gamma", ["shape", "scale"]) => {
            Distribution::gamma_shape_scale(num("shape"), num("scale"))
        }
        ("gamma", _) => Distribution::gamma(num("mean"), num("cv")),
        ("weibull", ["shape", "scale"]) => Distribution::weibull(num("shape"), num("scale")),
        ("weibull", _) => Distribution::weibull_mean_cv(num("mean"), num("cv")),
        ("erlang", ["mean", "cv"]) => {
            let mean = num("mean");
            erlang_phases(num("cv")).and_then(|k| Distribution::erlang(mean, k))
        }
        ("erlang", _) => {
            let mean = num("mean");
            let k = num("k");
            // k was checked to lie in 1..=u32::MAX.
            Distribution::erlang(mean, k as u32)
        }
        ("empirical", _) => return empirical(errs, span, params),
        _ => Err(format!("`{name}` is not built yet")),
    };
    if !ok {
        return None;
    }
    param_result(errs, span, name, result)
}

/// The cv of a distribution given by its mean and standard deviation (both
/// read already: the mean above zero, `sd` at least zero).
fn cv_of_sd(mean: f64, sd: f64) -> Result<f64, String> {
    if sd > 0.0 {
        Ok(sd / mean)
    } else {
        Err("its `sd` is zero: for a time that does not vary, use \
             { dist = \"constant\", value = ... }"
            .to_owned())
    }
}

/// An erlang given a `cv`: the whole number of phases `k` with cv = 1/√k.
fn erlang_phases(cv: f64) -> Result<u32, String> {
    let k = 1.0 / (cv * cv);
    let whole = k.round();
    if (1.0..=f64::from(u32::MAX)).contains(&whole) && (k - whole).abs() <= 1e-6 * whole {
        // Checked to lie in 1..=u32::MAX.
        return Ok(whole as u32);
    }
    let near = whole.clamp(1.0, f64::from(u32::MAX));
    Err(format!(
        "an erlang's cv is 1/√k for a whole number of phases k, and cv {} gives k = {}: \
         write `k = {}` (cv {}), or use {{ dist = \"gamma\", mean = ..., cv = {} }} for any cv",
        short(cv),
        short(k),
        short(near),
        short(1.0 / near.sqrt()),
        short(cv),
    ))
}

/// A number with at most three decimals, for messages: `2.778`, `3`, `0.577`.
fn short(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn positive_number(errs: &mut Errors, p: &str, v: &Value<'_>) -> Option<f64> {
    match as_f64(v.get_ref()) {
        Some(x) if x.is_finite() && x > 0.0 => Some(x),
        Some(x) => {
            errs.push(Diagnostic::new(
                v.span(),
                format!("`{p}` must be positive, got {x}"),
                "expected a number above zero",
            ));
            None
        }
        None => {
            let mut d = wrong_type(v.span(), p, "a plain number (no unit)", v.get_ref());
            if let DeValue::String(s) = v.get_ref()
                && let Some(x) = super::read::unquoted_number(s)
            {
                d = d.with_help(format!("remove the quotes: `{p} = {x}`"));
            } else if p == "cv" {
                d = d.with_help("`cv` is the coefficient of variation, standard deviation / mean: a plain number like 0.5");
            }
            errs.push(d);
            None
        }
    }
}

fn empirical(errs: &mut Errors, span: Span, params: &Params<'_, '_>) -> Option<Distribution> {
    let mut ok = true;
    let mut values = Vec::new();
    if let Some(v) = params.value("values") {
        match v.get_ref() {
            DeValue::Array(items) => {
                let bare = |item: &Value<'_>| {
                    matches!(item.get_ref(), DeValue::Integer(_) | DeValue::Float(_))
                };
                if let Some(first) = items.iter().find(|item| bare(item)) {
                    // One message for the list, with the list written out with
                    // units (not `values = "1h"`, which is not a list).
                    let fixed: Vec<String> = items
                        .iter()
                        .map(|item| match item.get_ref() {
                            DeValue::String(s) => format!("\"{}\"", escape(s)),
                            other if bare(item) => format!("\"{}h\"", bare_number(other, "1")),
                            _ => "\"1h\"".to_owned(),
                        })
                        .collect();
                    let n = bare_number(first.get_ref(), "1");
                    let mut fix = fixed.join(", ");
                    if fix.len() > 120 {
                        fix = format!("{}, …", fixed[..fixed.len().min(4)].join(", "));
                    }
                    errs.push(
                        Diagnostic::new(
                            first.span(),
                            "`values` needs units: a bare number is not a duration",
                            format!("expected a duration with a unit, like \"{n}h\""),
                        )
                        .with_help(format!(
                            "write each value with its unit: `values = [{fix}]`; units: {UNIT_LIST}"
                        )),
                    );
                    ok = false;
                }
                for item in items.iter().filter(|item| !bare(item)) {
                    match duration_value(errs, "values", item, Need::NonNegative, "h") {
                        Some(h) => values.push(h),
                        None => ok = false,
                    }
                }
                if items.is_empty() {
                    errs.push(Diagnostic::new(
                        v.span(),
                        "`values` is empty",
                        "expected at least one duration",
                    ));
                    ok = false;
                }
            }
            other => {
                errs.push(
                    wrong_type(v.span(), "values", "an array of durations", other)
                        .with_help("write e.g. `values = [\"1h\", \"2h\", \"8h\"]`"),
                );
                ok = false;
            }
        }
    }
    let mut weights = None;
    if let Some(v) = params.value("weights") {
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut w = Vec::new();
                for item in items.iter() {
                    match as_f64(item.get_ref()) {
                        Some(x) if x.is_finite() && x >= 0.0 => w.push(x),
                        Some(x) => {
                            errs.push(Diagnostic::new(
                                item.span(),
                                format!("a weight must be zero or more, got {x}"),
                                "expected a number of 0 or more",
                            ));
                            ok = false;
                        }
                        None => {
                            errs.push(wrong_type(
                                item.span(),
                                "weights",
                                "a number",
                                item.get_ref(),
                            ));
                            ok = false;
                        }
                    }
                }
                if ok && w.len() != values.len() {
                    errs.push(Diagnostic::new(
                        v.span(),
                        format!(
                            "`weights` has {} but `values` has {}",
                            entries(w.len()),
                            entries(values.len())
                        ),
                        "expected one weight per value",
                    ));
                    ok = false;
                }
                weights = Some(w);
            }
            other => {
                errs.push(wrong_type(
                    v.span(),
                    "weights",
                    "an array of numbers",
                    other,
                ));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    param_result(
        errs,
        span,
        "empirical",
        Distribution::empirical(values, weights),
    )
}
