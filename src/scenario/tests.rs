//! Unit tests of the scenario reader: the model it builds and the errors it finds.

use super::*;
use crate::model::Target;

const MINIMAL: &str = r#"
[scenario]
name = "t"
[simulation]
duration = "10d"
[customers]
arrival_rate = "12/d"
[[department]]
name = "a"
staff = 1
service = { dist = "exponential", mean = "1h" }
"#;

fn with(extra: &str) -> String {
    format!("{MINIMAL}{extra}")
}

fn ok(src: &str) -> Model {
    match parse(src, "t.toml") {
        Ok(m) => m,
        Err(d) => panic!("{}", d.render(false)),
    }
}

fn errors(src: &str) -> Vec<Diagnostic> {
    match parse(src, "t.toml") {
        Ok(_) => panic!("expected errors in:\n{src}"),
        Err(d) => d.iter().cloned().collect(),
    }
}

fn one_error(src: &str) -> Diagnostic {
    let errs = errors(src);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    errs.into_iter().next().unwrap()
}

fn service(dist: &str) -> Result<f64, Vec<Diagnostic>> {
    let src = format!(
        "{}\n[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n",
        MINIMAL.replace("{ dist = \"exponential\", mean = \"1h\" }", dist)
    );
    parse(&src, "t.toml")
        .map(|m| m.departments[0].service.mean())
        .map_err(|d| d.iter().cloned().collect())
}

#[test]
fn baseline_parses_with_its_values() {
    let src = include_str!("../../scenarios/baseline.toml");
    let m = ok(src);
    assert_eq!(m.name, "Baseline");
    assert_eq!(m.simulation.duration_h, 365.0 * 24.0);
    assert_eq!(m.simulation.warmup_h, 60.0 * 24.0);
    assert_eq!(m.simulation.seed, 7);
    assert_eq!(m.simulation.replications, 5);
    assert!((m.customers.arrival_rate_per_h - 4.0 / 24.0).abs() < 1e-12);
    assert_eq!(m.customers.reorder.as_ref().unwrap().mean(), 30.0 * 24.0);
    assert_eq!(m.customers.churn, 0.2);
    assert_eq!(m.departments.len(), 4);
    assert_eq!(m.flows.len(), 1);
    assert_eq!(m.handoff_name(0), "sales->production");
    assert_eq!(m.handoff_name(2), "billing->customer");
    // Utilisations of the flow's steps in the healthy range once the customer
    // base has settled: arrival rate / churn orders.
    for &s in &m.flows[0].steps {
        let d = &m.departments[s];
        let orders = m.customers.arrival_rate_per_h / m.customers.churn;
        let rho = orders * d.service.mean() / f64::from(d.staff);
        assert!((0.6..=0.8).contains(&rho), "{}: {rho}", d.name);
    }
    let complaints = m.complaints.as_ref().unwrap();
    assert_eq!(m.departments[complaints.department].name, "support");
    assert_eq!(complaints.resolve_within_h, 48.0);
}

#[test]
fn defaults_fill_optional_fields() {
    let m = ok(&with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n"));
    assert_eq!(m.description, "");
    assert_eq!(m.simulation.warmup_h, 0.0);
    assert_eq!(m.simulation.seed, 1);
    assert_eq!(m.simulation.replications, 1);
    let c = &m.customers;
    assert!(c.reorder.is_none());
    assert_eq!(c.order_value, 0.0);
    assert_eq!(c.promise_h, 168.0);
    assert_eq!(c.patience_h, 336.0);
    assert!((c.complain_share - 1.0 / 27.0).abs() < 1e-15);
    assert_eq!(c.word_of_mouth, 9);
    assert_eq!(c.deter, 0.3);
    assert_eq!(c.abusive_share, 0.02);
    assert_eq!(m.problem.late, ProblemOddsDefault::late());
    assert_eq!(m.stay.resolved_quickly, 0.95);
    assert_eq!(m.flows[0].share, 1.0);
    assert_eq!(m.handoffs.len(), 1);
    assert_eq!(m.handoffs[0].to, Target::Customer);
}

struct ProblemOddsDefault;
impl ProblemOddsDefault {
    fn late() -> f64 {
        crate::model::ProblemOdds::default().late
    }
}

#[test]
fn handoff_table_covers_every_pair_in_order_of_first_use() {
    let src = r#"
[scenario]
name = "t"
[simulation]
duration = "10d"
[customers]
arrival_rate = "12/d"
[[department]]
name = "a"
staff = 1
service = "1h"
[[department]]
name = "b"
staff = 1
service = "1h"
[[department]]
name = "c"
staff = 1
service = "1h"
[[flow]]
name = "one"
share = 0.25
steps = ["a", "b", "c"]
[[flow]]
name = "two"
share = 0.75
steps = ["a", "c", "b", "b"]
[[handoff]]
from = "c"
to = "b"
delay = { dist = "exponential", mean = "30m" }
lose = 0.1
error = 0.2
catch = 0.3
[[handoff]]
from = "a"
to = "b"
delay = "0h"
error = 0.5
"#;
    let m = ok(src);
    let names: Vec<String> = (0..m.handoffs.len()).map(|i| m.handoff_name(i)).collect();
    assert_eq!(
        names,
        [
            "a->b",
            "b->c",
            "c->customer",
            "a->c",
            "c->b",
            "b->b",
            "b->customer"
        ]
    );
    assert_eq!(m.flows[0].steps, [0, 1, 2]);
    assert_eq!(m.flows[0].handoffs, [0, 1, 2]);
    assert_eq!(m.flows[1].steps, [0, 2, 1, 1]);
    assert_eq!(m.flows[1].handoffs, [3, 4, 5, 6]);
    // Listed ones carry their parameters; a zero constant delay is no delay.
    let ab = &m.handoffs[0];
    assert!(ab.delay.is_none());
    assert_eq!((ab.lose, ab.error, ab.catch), (0.0, 0.5, 0.0));
    let cb = &m.handoffs[4];
    assert!((cb.delay.as_ref().unwrap().mean() - 0.5).abs() < 1e-12);
    assert_eq!((cb.lose, cb.error, cb.catch), (0.1, 0.2, 0.3));
    // Unlisted ones are perfect and instant.
    for i in [1, 2, 3, 5, 6] {
        let h = &m.handoffs[i];
        assert!(h.delay.is_none() && h.lose == 0.0 && h.error == 0.0 && h.catch == 0.0);
    }
    assert_eq!(m.flows[0].share + m.flows[1].share, 1.0);
}

#[test]
fn every_distribution_and_its_mean() {
    let cases = [
        ("\"4h\"", 4.0),
        ("{ dist = \"constant\", value = \"30m\" }", 0.5),
        ("{ dist = \"exponential\", mean = \"2h\" }", 2.0),
        ("{ dist = \"uniform\", min = \"1h\", max = \"3h\" }", 2.0),
        (
            "{ dist = \"triangular\", min = \"1h\", mode = \"2h\", max = \"6h\" }",
            3.0,
        ),
        ("{ dist = \"normal\", mean = \"10h\", sd = \"0h\" }", 10.0),
        ("{ dist = \"normal\", mean = \"10h\", cv = 0.01 }", 10.0),
        ("{ dist = \"lognormal\", mean = \"1d\", cv = 0.5 }", 24.0),
        ("{ dist = \"gamma\", mean = \"6h\", cv = 0.8 }", 6.0),
        ("{ dist = \"weibull\", mean = \"3h\", cv = 0.4 }", 3.0),
        ("{ dist = \"weibull\", shape = 1, scale = \"2h\" }", 2.0),
        ("{ dist = \"erlang\", mean = \"4h\", k = 3 }", 4.0),
        ("{ dist = \"empirical\", values = [\"1h\", \"3h\"] }", 2.0),
        (
            "{ dist = \"empirical\", values = [\"1h\", \"3h\"], weights = [3, 1] }",
            1.5,
        ),
        // Other ways to write them: a mean and a cv where natural (an erlang's
        // cv is 1/√k), a mean and an sd, a gamma's shape and scale, a constant's mean.
        ("{ dist = \"erlang\", mean = \"4h\", cv = 0.5 }", 4.0),
        (
            "{ dist = \"lognormal\", mean = \"1d\", sd = \"12h\" }",
            24.0,
        ),
        ("{ dist = \"gamma\", mean = \"6h\", sd = \"3h\" }", 6.0),
        ("{ dist = \"gamma\", shape = 2, scale = \"3h\" }", 6.0),
        ("{ dist = \"constant\", mean = \"30m\" }", 0.5),
    ];
    for (text, mean) in cases {
        let got = service(text).unwrap_or_else(|e| panic!("{text}: {e:#?}"));
        assert!(
            (got - mean).abs() < 1e-6,
            "{text}: mean {got}, expected {mean}"
        );
    }
}

#[test]
fn distribution_errors_name_what_is_expected() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "{ dist = \"expnential\", mean = \"2h\" }",
            "unknown distribution `expnential`",
            Some("did you mean `exponential`?"),
        ),
        ("{ mean = \"2h\" }", "has no `dist`", None),
        (
            "{ dist = \"exponential\", mean = \"2h\", cv = 1 }",
            "`exponential` distribution does not take `cv`",
            None,
        ),
        (
            "{ dist = \"gamma\", mean = \"2h\", cvv = 1 }",
            "does not take `cvv`",
            Some("did you mean `cv`?"),
        ),
        (
            "{ dist = \"lognormal\", mean = \"2h\" }",
            "missing `cv`",
            None,
        ),
        (
            "{ dist = \"normal\", mean = \"2h\", sd = \"1h\", cv = 0.5 }",
            "takes `mean` and `sd`, or `mean` and `cv`",
            None,
        ),
        (
            "{ dist = \"uniform\", min = \"3h\", max = \"1h\" }",
            "invalid `uniform` distribution",
            None,
        ),
        (
            "{ dist = \"exponential\", mean = \"0h\" }",
            "`mean` must be positive",
            None,
        ),
        (
            "{ dist = \"exponential\", mean = 2 }",
            "`mean` needs a unit",
            Some("write `mean = \"2h\"`"),
        ),
        (
            "{ dist = \"gamma\", mean = \"2h\", cv = \"0.5\" }",
            "wrong type for `cv`",
            Some("remove the quotes"),
        ),
        (
            "{ dist = \"erlang\", mean = \"2h\", k = 0 }",
            "`k` must be at least 1",
            None,
        ),
        (
            "{ dist = \"erlang\", mean = \"2h\", k = 1.5 }",
            "wrong type for `k`",
            None,
        ),
        (
            "{ dist = \"empirical\", values = [\"1h\"], weights = [1, 2] }",
            "`weights` has 2 entries",
            None,
        ),
        (
            "{ dist = \"empirical\", values = [] }",
            "`values` is empty",
            None,
        ),
        (
            // A list: the fix is the list with units, not `values = "1h"`.
            "{ dist = \"empirical\", values = [1, 2.5, \"3h\"] }",
            "`values` needs units",
            Some("`values = [\"1h\", \"2.5h\", \"3h\"]`"),
        ),
        (
            "{ dist = \"erlang\", mean = \"2h\", cv = 0.6 }",
            "cv 0.6 gives k = 2.778: write `k = 3` (cv 0.577)",
            None,
        ),
        (
            "{ dist = \"gamma\", mean = \"2h\", sd = \"0h\" }",
            "its `sd` is zero",
            None,
        ),
        ("{ dist = 3 }", "wrong type for `dist`", None),
        ("\"0h\"", "`service` must be positive", None),
        (
            "{ dist = \"constant\", value = \"0h\" }",
            "always zero",
            None,
        ),
        ("2", "`service` needs a unit", None),
        ("true", "wrong type for `service`", None),
    ];
    for (text, phrase, help) in cases {
        let errs = service(text)
            .map(|m| panic!("{text}: parsed, mean {m}"))
            .unwrap_err();
        assert_eq!(errs.len(), 1, "{text}: {errs:#?}");
        assert!(
            errs[0].message.contains(phrase),
            "{text}: {:?} lacks {phrase:?}",
            errs[0].message
        );
        if let Some(h) = help {
            assert!(
                errs[0].help.as_deref().unwrap_or("").contains(h),
                "{text}: {:?} lacks {h:?}",
                errs[0].help
            );
        }
    }
}

#[test]
fn durations_and_rates_in_fields() {
    let m = ok(&with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n")
        .replace("\"10d\"", "\"2 weeks\"")
        .replace("\"12/d\"", "\"1.5/h\""));
    assert_eq!(m.simulation.duration_h, 336.0);
    assert_eq!(m.customers.arrival_rate_per_h, 1.5);

    let e = one_error(&with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n").replace("\"10d\"", "365"));
    assert!(e.message.contains("`duration` needs a unit"), "{e:?}");
    assert!(e.help.clone().unwrap().contains("\"365d\""));

    let e = one_error(
        &with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n").replace("\"10d\"", "\"10 dayz\""),
    );
    assert!(e.message.contains("unknown time unit `dayz`"), "{e:?}");
    assert!(e.help.clone().unwrap().contains("did you mean `day`?"));

    let e =
        one_error(&with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n").replace("\"10d\"", "\"1y\""));
    assert!(e.help.clone().unwrap().contains("365d"));

    let e = one_error(&with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n").replace("\"12/d\"", "12"));
    assert!(e.message.contains("`arrival_rate` needs a unit"), "{e:?}");
    let e = one_error(
        &with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n").replace("\"12/d\"", "\"0/d\""),
    );
    assert!(e.message.contains("must be positive"), "{e:?}");
}

#[test]
fn simulation_checks() {
    let base = with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n");
    let e = one_error(&base.replace("duration = \"10d\"", "duration = \"10d\"\nwarmup = \"10d\""));
    assert!(
        e.message
            .contains("`warmup` (10d) must be shorter than `duration` (10d)"),
        "{e:?}"
    );
    assert_eq!(e.related.len(), 1);
    let e = one_error(&base.replace("duration = \"10d\"", "duration = \"10d\"\nreplications = 0"));
    assert!(
        e.message.contains("`replications` must be at least 1"),
        "{e:?}"
    );
    let e = one_error(&base.replace("duration = \"10d\"", "duration = \"10d\"\nseed = -1"));
    assert!(e.message.contains("`seed` must be at least 0"), "{e:?}");
    let e = one_error(&base.replace(
        "duration = \"10d\"",
        "duration = \"10d\"\nreplications = 1e1",
    ));
    assert!(
        e.message
            .contains("wrong type for `replications`: expected a whole number"),
        "{e:?}"
    );
    let e = one_error(&base.replace("duration = \"10d\"", "duration = \"-1d\""));
    assert!(e.message.contains("`duration` must be positive"), "{e:?}");
}

#[test]
fn references_and_structure() {
    let base = with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n");
    let e = one_error(&base.replace("steps = [\"a\"]", "steps = [\"A\"]"));
    assert!(
        e.message.contains("unknown department `A` in flow `f`"),
        "{e:?}"
    );
    assert!(e.help.clone().unwrap().contains("did you mean `a`?"));

    let e = one_error(&format!("{base}[complaints]\ndepartment = \"suport\"\n"));
    assert!(
        e.message
            .contains("unknown department `suport` in complaints"),
        "{e:?}"
    );

    let e = one_error(&format!(
        "{base}[[department]]\nname = \"a\"\nstaff = 1\nservice = \"1h\"\n"
    ));
    assert!(
        e.message.contains("department `a` is declared twice"),
        "{e:?}"
    );

    let e = one_error(&format!("{base}[[handoff]]\nfrom = \"a\"\nto = \"a\"\n"));
    assert!(
        e.message.contains("no flow hands work from `a` to `a`"),
        "{e:?}"
    );
    assert!(e.help.clone().unwrap().contains("`a->customer`"));

    let e = one_error(&format!(
        "{base}[[handoff]]\nfrom = \"a\"\nto = \"customer\"\n[[handoff]]\nfrom = \"a\"\nto = \"customer\"\n"
    ));
    assert!(
        e.message.contains("handoff `a->customer` is listed twice"),
        "{e:?}"
    );

    let e = one_error(&format!(
        "{base}[[handoff]]\nfrom = \"customer\"\nto = \"a\"\n"
    ));
    assert!(e.message.contains("unknown department `customer`"), "{e:?}");

    let e = one_error(&format!(
        "{base}[[incident]]\nname = \"x\"\nfrom = \"1d\"\nto = \"2d\"\nhandoff = \"a->customer\"\n"
    ));
    assert!(e.message.contains("incident `x` changes nothing"), "{e:?}");

    let e = one_error(&format!("{base}[custmers]\n"));
    assert!(e.message.contains("unknown field `custmers`"), "{e:?}");
    assert_eq!(e.help.as_deref(), Some("did you mean `customers`?"));

    let e = one_error(&base.replace("[[flow]]", "[flow]"));
    assert!(e.message.contains("`[flow]` should be `[[flow]]`"), "{e:?}");

    let e = one_error(&base.replace("[simulation]", "[[simulation]]"));
    assert!(
        e.message
            .contains("`[[simulation]]` should be `[simulation]`"),
        "{e:?}"
    );

    let e = one_error(&base.replace("steps = [\"a\"]", "steps = []"));
    assert!(e.message.contains("has no steps"), "{e:?}");

    let e = one_error(&base.replace("steps = [\"a\"]", "steps = [\"a\"]\nshare = 0.5"));
    assert!(
        e.message.contains("flow shares add up to 0.5, not 1"),
        "{e:?}"
    );
}

#[test]
fn missing_sections_and_fields() {
    let errs = errors("");
    let msgs: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
    for m in [
        "missing section [scenario]",
        "missing section [simulation]",
        "missing section [customers]",
        "no [[department]]",
        "no [[flow]]",
    ] {
        assert!(msgs.iter().any(|x| x.contains(m)), "{msgs:?} lacks {m}");
    }
    let e =
        one_error(&with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n").replace("staff = 1\n", ""));
    assert_eq!(e.message, "missing field `staff` in department `a`");
}

#[test]
fn probabilities_are_checked() {
    let base = with("[[flow]]\nname = \"f\"\nsteps = [\"a\"]\n");
    let e = one_error(&format!("{base}[problem]\nlate = 30\n"));
    assert!(
        e.message
            .contains("`late` must be a probability between 0 and 1, got 30"),
        "{e:?}"
    );
    assert!(e.help.clone().unwrap().contains("late = 0.3"));
    let e = one_error(&format!("{base}[stay]\nsilent = \"37%\"\n"));
    assert!(e.help.clone().unwrap().contains("silent = 0.37"), "{e:?}");
    let e = one_error(&format!("{base}[stay]\nsilent = -0.1\n"));
    assert!(e.message.contains("got -0.1"), "{e:?}");
    let e = one_error(&format!("{base}[stay]\nsilent = nan\n"));
    assert!(e.message.contains("probability"), "{e:?}");
}

#[test]
fn all_errors_are_reported_in_file_order() {
    let src = r#"
[scenario]
nme = "x"
[simulation]
duration = 365
[customers]
arrival_rate = "12/d"
[[department]]
name = "a"
staff = 0
service = { dist = "gama", mean = "1h", cv = 1 }
[[flow]]
name = "f"
steps = ["b"]
"#;
    let errs = errors(src);
    let lines: Vec<usize> = errs.iter().map(|e| e.line(src)).collect();
    assert_eq!(lines, [3, 5, 10, 11, 14], "{errs:#?}");
}

#[test]
fn syntax_errors_come_alone_with_a_position() {
    let src = "[scenario]\nname = \"x\n";
    let e = one_error(src);
    assert!(e.message.starts_with("invalid TOML"), "{e:?}");
    assert_eq!(e.line(src), 2);
}

/// Deleting, doubling or replacing any character, or cutting the file short,
/// never makes the reader or the renderer panic.
#[test]
fn mutated_scenarios_never_panic() {
    let src = include_str!("../../scenarios/baseline.toml");
    let boundaries: Vec<usize> = src
        .char_indices()
        .map(|(i, _)| i)
        .chain([src.len()])
        .collect();
    let mut count = 0;
    for w in boundaries.windows(2) {
        let (i, j) = (w[0], w[1]);
        let variants = [
            format!("{}{}", &src[..i], &src[j..]),
            format!("{}{}", &src[..j], &src[i..]),
            format!("{}0{}", &src[..i], &src[j..]),
            format!("{}\"{}", &src[..i], &src[j..]),
            src[..i].to_owned(),
        ];
        for v in variants {
            if let Err(d) = parse(&v, "m.toml") {
                assert!(!d.is_empty());
                let out = d.render(false);
                assert!(out.contains("m.toml:"), "{out}");
                count += 1;
            }
        }
    }
    assert!(count > 1000, "only {count} variants failed");
}

/// Any value of any type in any field gives diagnostics (or a model), never a panic.
#[test]
fn odd_values_in_every_field_never_panic() {
    let src = include_str!("../../scenarios/baseline.toml");
    let odd = [
        "0",
        "-1",
        "1e400",
        "nan",
        "-inf",
        "\"x\"",
        "\"\"",
        "[]",
        "{}",
        "{ dist = \"normal\" }",
        "{ dist = \"weibull\", mean = \"1h\", cv = 1000 }",
        "{ dist = \"empirical\", values = [\"1h\"], weights = [-1] }",
        "{ dist = \"erlang\", mean = \"1h\", k = 99999999999 }",
        "true",
        "1979-05-27",
        "\"-1h\"",
        "\"1e400h\"",
        "\"5/0d\"",
        "[1, \"a\", {}]",
        "9223372036854775807",
        "\"customer\"",
        "\"sales\"",
    ];
    let lines: Vec<&str> = src.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some((key, _)) = line.split_once(" = ") else {
            continue;
        };
        if key.starts_with('#') {
            continue;
        }
        for value in odd {
            let mut changed = lines.clone();
            let replaced = format!("{key} = {value}");
            changed[i] = &replaced;
            if let Err(d) = parse(&changed.join("\n"), "odd.toml") {
                assert!(d.render(true).contains("odd.toml:"));
            }
        }
    }
}

#[test]
fn every_cause_sits_at_its_index_whatever_mechanisms_are_on() {
    use crate::model::Cause;
    let flows = "[[flow]]\nname = \"f\"\nsteps = [\"a\", \"b\"]\n[[department]]\nname = \"b\"\nstaff = 1\nservice = { dist = \"exponential\", mean = \"1h\" }\n";
    for extra in [
        "",
        "[policy]\nstrictness = 0.1\n",
        "[[department]]\nname = \"c\"\nstaff = 1\nrude = 0.1\nservice = { dist = \"exponential\", mean = \"1h\" }\n",
        "[policy]\nstrictness = 0.1\n[[department]]\nname = \"c\"\nstaff = 1\nrude = 0.1\nservice = { dist = \"exponential\", mean = \"1h\" }\n",
    ] {
        let m = ok(&with(&format!("{flows}{extra}")));
        let all = Cause::all(&m);
        for (i, c) in all.iter().enumerate() {
            assert_eq!(c.index(&m), i, "{} in a model with {extra:?}", c.name(&m));
        }
        assert_eq!(
            all.contains(&Cause::PolicyFriction),
            extra.contains("[policy]")
        );
    }
}
