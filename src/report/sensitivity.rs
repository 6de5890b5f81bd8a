//! A sensitivity analysis as a tornado chart in plain text, or as JSON.
//!
//! JSON: `{version, scenario, metric, by, seed, replications, base: {mean, ci95},
//! parameters: [{parameter, path, base_value, low_value, high_value, low, high,
//! effect, effect_ci95, significant, overloaded_low, overloaded_high}], not_varied,
//! not_used}`, largest effect first. `low_value`/`high_value` are
//! the `--set` values used (with their unit); `low`/`high` the metric's mean
//! with the parameter there; `effect` is `|high − low|` and `effect_ci95` the
//! 95 % half-width of `high − low` paired by replication; `significant` says
//! whether that interval excludes zero; `overloaded_low`/`overloaded_high` name
//! the departments whose expected load reaches 100 % in that variant (its
//! queue grows for the whole run, so its figure says little but "overloaded").
//! `not_used` lists parameters the scenario sets that no mechanism uses yet.

use std::fmt::Write as _;

use super::human;
use super::i18n::Lang;
use super::text::Words;
use crate::experiment::sensitivity::Sensitivity;

/// Half the width of the bars, in characters.
const HALF: usize = 20;
/// The bar of the parameter set low, and set high.
const LOW: char = '░';
const HIGH: char = '█';

/// `x` with `decimals` decimals, or the missing mark, in the marks of `lang`.
fn num_in(x: f64, decimals: usize, lang: Lang) -> String {
    human::in_lang(human::decimal(x, decimals), lang)
}

/// The tornado: one line per parameter, largest effect first, bars drawn
/// from the metric at the scenario's values (`│`) to the metric with the
/// parameter low (`░`) and high (`█`).
pub fn text(s: &Sensitivity) -> String {
    text_in(s, Lang::En)
}

/// [`text`] in `lang`: the words from the catalogue (`text.sensitivity.*`); the
/// metric and the parameters keep the names the JSON report and `--set` use.
pub fn text_in(s: &Sensitivity, lang: Lang) -> String {
    let w = Words::new(lang);
    let num = |x: f64, decimals: usize| num_in(x, decimals, lang);
    let mut out = String::new();
    let pct = num(
        s.by * 100.0,
        if (s.by * 100.0).fract() == 0.0 { 0 } else { 1 },
    );
    let metric = s.metric.as_str();
    let _ = writeln!(
        out,
        "{}",
        w.fill(
            "text.sensitivity.title",
            &[("metric", metric), ("pct", &pct)]
        )
    );
    let replications = w.counted(
        "text.sensitivity.replications",
        ("n", &human::count(f64::from(s.replications))),
        &[],
    );
    let _ = writeln!(
        out,
        "{}",
        w.fill(
            "text.sensitivity.run",
            &[
                ("scenario", &s.scenario),
                ("seed", &s.seed.to_string()),
                ("replications", &replications),
            ],
        )
    );
    let base = match s.base.ci95 {
        Some(h) => format!("{} ± {}", num(s.base.mean, 2), num(h, 2)),
        None => num(s.base.mean, 2),
    };
    let _ = writeln!(
        out,
        "{}",
        w.fill(
            "text.sensitivity.base",
            &[("metric", metric), ("base", &base)]
        )
    );
    out.push('\n');
    if s.parameters.is_empty() {
        out.push_str(w.get("text.sensitivity.nothing"));
        out.push('\n');
        return out;
    }
    // Bars are scaled to the variants that do not overload a department: one
    // overloaded variant would otherwise shrink every other bar to nothing.
    // When every variant overloads (an overloaded scenario), all of them set it.
    let widest = |only_fitting: bool| {
        s.parameters
            .iter()
            .flat_map(|p| {
                [
                    (p.low, p.overloaded_low.is_empty()),
                    (p.high, p.overloaded_high.is_empty()),
                ]
            })
            .filter(|&(_, fits)| fits || !only_fitting)
            .map(|(v, _)| (v - s.base.mean).abs())
            .filter(|d| d.is_finite())
            .fold(0.0_f64, f64::max)
    };
    let fitting = widest(true);
    let spread = if fitting > 0.0 {
        fitting
    } else {
        widest(false)
    };
    let cells = |v: f64| -> usize {
        if spread > 0.0 && v.is_finite() {
            (((v - s.base.mean).abs() / spread) * HALF as f64).round() as usize
        } else {
            0
        }
    };
    let mut any_overload = false;
    let mut any_significant = false;
    let rows: Vec<[String; 6]> = s
        .parameters
        .iter()
        .map(|p| {
            let mut bar = vec![' '; 2 * HALF + 1];
            bar[HALF] = '│';
            // The longer bar first, so the shorter one stays visible on top of it.
            let mut sides = [(p.low, LOW), (p.high, HIGH)];
            sides.sort_by_key(|&(v, _)| std::cmp::Reverse(cells(v)));
            for (v, c) in sides {
                let n = cells(v).min(HALF);
                let range = if v < s.base.mean {
                    HALF - n..HALF
                } else {
                    HALF + 1..HALF + 1 + n
                };
                for cell in &mut bar[range] {
                    *cell = c;
                }
            }
            let mut effect = match p.effect_ci95 {
                Some(h) => format!("{} ± {}", num(p.effect, 2), num(h, 2)),
                None => num(p.effect, 2),
            };
            // A mark column of its own, so that the numbers stay aligned.
            effect.push_str(if p.significant { " *" } else { "  " });
            any_significant |= p.significant;
            let mut bar = bar.into_iter().collect::<String>().trim_end().to_owned();
            let overloads: Vec<String> = [
                ("text.sensitivity.low_overloads", &p.overloaded_low),
                ("text.sensitivity.high_overloads", &p.overloaded_high),
            ]
            .into_iter()
            .filter(|(_, names)| !names.is_empty())
            .map(|(key, names)| w.fill(key, &[("departments", &names.join(", "))]))
            .collect();
            if !overloads.is_empty() {
                any_overload = true;
                bar.push_str(&format!("  ! {}", overloads.join("; ")));
            }
            [
                p.parameter.clone(),
                format!("{} → {}", p.low_value, p.high_value),
                num(p.low, 2),
                num(p.high, 2),
                effect,
                bar,
            ]
        })
        .collect();
    let head = [
        w.get("text.sensitivity.parameter"),
        w.get("text.sensitivity.low_high"),
        w.get("text.sensitivity.at_low"),
        w.get("text.sensitivity.at_high"),
        w.get("text.sensitivity.effect"),
        "",
    ];
    let width = |k: usize| {
        rows.iter()
            .map(|r| r[k].chars().count())
            .chain([head[k].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..5).map(width).collect();
    let line = |cols: [&str; 6]| {
        let mut l = String::new();
        for (k, c) in cols.iter().enumerate().take(5) {
            let pad = widths[k] - c.chars().count();
            if k >= 2 {
                // Numbers right-aligned.
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            } else {
                l.push_str(c);
                l.push_str(&" ".repeat(pad));
            }
            l.push_str("  ");
        }
        l.push_str(cols[5]);
        l.trim_end().to_owned()
    };
    let _ = writeln!(out, "{}", line(head));
    for r in &rows {
        let cols = [
            r[0].as_str(),
            r[1].as_str(),
            r[2].as_str(),
            r[3].as_str(),
            r[4].as_str(),
            r[5].as_str(),
        ];
        let _ = writeln!(out, "{}", line(cols));
    }
    let (low, high) = (LOW.to_string(), HIGH.to_string());
    let _ = writeln!(
        out,
        "\n{}",
        w.fill(
            "text.sensitivity.legend",
            &[
                ("low", &low),
                ("high", &high),
                ("pct", &pct),
                ("metric", metric)
            ],
        )
    );
    let _ = writeln!(
        out,
        "{}",
        w.fill("text.sensitivity.moved", &[("pct", &pct)])
    );
    if any_significant {
        out.push_str(w.get("text.sensitivity.significant"));
        out.push('\n');
    }
    if any_overload {
        out.push_str(w.get("text.sensitivity.overloaded"));
        out.push('\n');
    }
    if !s.not_used.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            w.fill(
                "text.sensitivity.not_used",
                &[("parameters", &s.not_used.join(", "))]
            )
        );
    }
    if !s.not_varied.is_empty() {
        let _ = writeln!(out, "\n{}", w.get("text.sensitivity.not_varied"));
        for n in &s.not_varied {
            let _ = writeln!(out, "  {n}");
        }
    }
    out
}

/// The analysis as pretty-printed JSON with a trailing newline.
pub fn json(s: &Sensitivity) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(s).expect("an analysis is plain data");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::sensitivity::Effect;
    use crate::metrics::Stat;

    fn effect(parameter: &str, low: f64, high: f64) -> Effect {
        Effect {
            parameter: parameter.into(),
            path: parameter.into(),
            base_value: "1".into(),
            low_value: "0.9".into(),
            high_value: "1.1".into(),
            low,
            high,
            effect: (high - low).abs(),
            effect_ci95: Some(0.5),
            significant: (high - low).abs() > 0.5,
            overloaded_low: vec![],
            overloaded_high: vec![],
        }
    }

    #[test]
    fn tornado_draws_the_worst_first_around_the_base() {
        let s = Sensitivity {
            version: "0",
            scenario: "Tiny".into(),
            metric: "customers.lost".into(),
            by: 0.1,
            seed: 1,
            replications: 3,
            base: Stat {
                mean: 10.0,
                ci95: Some(1.0),
            },
            parameters: vec![
                effect("customers.arrival_rate", 6.0, 14.0),
                effect("department.sales.staff", 11.0, 9.0),
            ],
            not_varied: vec![],
            not_used: vec![],
        };
        let t = text(&s);
        assert!(t.contains("−10 % and +10 %"), "{t}");
        let lines: Vec<&str> = t.lines().collect();
        let a = lines
            .iter()
            .find(|l| l.starts_with("customers.arrival_rate"))
            .unwrap();
        // 4 below and 4 above the base is the widest: a full bar each side.
        assert!(
            a.ends_with(&format!("{}│{}", "░".repeat(20), "█".repeat(20))),
            "{a}"
        );
        let b = lines
            .iter()
            .find(|l| l.starts_with("department.sales.staff"))
            .unwrap();
        assert!(
            b.ends_with(&format!("{}│{}", "█".repeat(5), "░".repeat(5))),
            "{b}"
        );
        assert!(
            t.find("customers.arrival_rate").unwrap() < t.find("department.sales.staff").unwrap()
        );
        let v: serde_json::Value = serde_json::from_slice(&json(&s)).unwrap();
        assert_eq!(v["parameters"][0]["effect"], 8.0);
        assert_eq!(v["parameters"][1]["low_value"], "0.9");
    }
    #[test]
    fn an_overloaded_variant_is_marked_and_does_not_flatten_the_others() {
        let mut overloaded = effect("department.billing.staff", 400.0, 10.0);
        overloaded.overloaded_low = vec!["billing".into()];
        let s = Sensitivity {
            version: "0",
            scenario: "Tiny".into(),
            metric: "customers.lost".into(),
            by: 0.1,
            seed: 1,
            replications: 3,
            base: Stat {
                mean: 10.0,
                ci95: Some(1.0),
            },
            parameters: vec![
                overloaded,
                effect("customers.arrival_rate", 6.0, 14.0),
                effect("problem.late", 9.9, 10.1),
            ],
            not_varied: vec![],
            not_used: vec!["problem.rude".into()],
        };
        let t = text(&s);
        let line = |name: &str| t.lines().find(|l| l.starts_with(name)).unwrap().to_owned();
        let b = line("department.billing.staff");
        assert!(b.ends_with("! low overloads billing"), "{b}");
        // The widest bar that fits sets the scale: arrival rate's is full.
        let a = line("customers.arrival_rate");
        assert!(
            a.contains(&format!("{}│{}", "░".repeat(20), "█".repeat(20))),
            "{a}"
        );
        assert!(a.contains("8.00 ± 0.50 *"), "{a}");
        assert!(!line("problem.late").contains('*'), "{t}");
        assert!(
            t.contains("Not used by this scenario, so not varied: problem.rude."),
            "{t}"
        );
        assert!(t.contains("clamped to [0, 1]"), "{t}");
        let v: serde_json::Value = serde_json::from_slice(&json(&s)).unwrap();
        assert_eq!(v["parameters"][0]["overloaded_low"][0], "billing");
        assert_eq!(v["parameters"][1]["significant"], true);
    }
}
