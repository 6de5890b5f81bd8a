//! `--set PATH=VALUE` overrides: each form changes the model as it should,
//! and each mistake gives a diagnostic that points at the `--set` argument,
//! rendered like the errors in files.

use handoff::model::Model;
use handoff::scenario::{self, Diagnostic, Diagnostics, LoadError, Override, format_number};

const CASE: &str = "tests/cases/ok/overrides.toml";

fn source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CASE);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sets(args: &[&str]) -> Vec<Override> {
    args.iter()
        .map(|a| Override::parse(a).unwrap_or_else(|e| panic!("{a}: {e}")))
        .collect()
}

fn ok(args: &[&str]) -> Model {
    match scenario::parse_with(&source(), CASE, &sets(args)) {
        Ok(m) => m,
        Err(d) => panic!("{args:?}:\n{}", d.render(false)),
    }
}

fn fails(args: &[&str]) -> Diagnostics {
    match scenario::parse_with(&source(), CASE, &sets(args)) {
        Ok(_) => panic!("{args:?} should not load"),
        Err(d) => d,
    }
}

/// The one error of one override, checked to be shown at `--set:1:col`
/// under the argument, with the note naming the file and `phrase` in its message.
fn one_error(arg: &str, col: usize, phrase: &str) -> Diagnostic {
    let d = fails(&[arg]);
    let rendered = d.render(false);
    assert_eq!(d.len(), 1, "{arg}:\n{rendered}");
    let e = d.iter().next().unwrap().clone();
    assert_eq!(e.source, 1, "{arg}:\n{rendered}");
    assert_eq!(d.source_of(&e), arg);
    assert_eq!(d.origin_of(&e), "--set");
    assert_eq!(
        (e.line(d.source_of(&e)), e.column(d.source_of(&e))),
        (1, col),
        "{arg}:\n{rendered}"
    );
    assert_eq!(d.location(&e), format!("--set:1:{col}"));
    assert!(
        e.message.contains(phrase),
        "{arg}: {:?} lacks {phrase:?}",
        e.message
    );
    assert!(
        rendered.contains(&format!(" --> --set:1:{col}\n")),
        "{rendered}"
    );
    assert!(rendered.contains(&format!("1 | {arg}\n")), "{rendered}");
    assert!(
        rendered.contains(&format!("note: this `--set` was applied to `{CASE}`")),
        "{rendered}"
    );
    assert!(
        rendered.contains(&format!(
            "could not load `{CASE}` with 1 `--set` override due to 1 previous error"
        )),
        "{rendered}"
    );
    e
}

fn handoff<'m>(m: &'m Model, name: &str) -> &'m handoff::model::Handoff {
    let i = (0..m.handoffs.len())
        .find(|&i| m.handoff_name(i) == name)
        .unwrap_or_else(|| panic!("no handoff {name}"));
    &m.handoffs[i]
}

fn dept<'m>(m: &'m Model, name: &str) -> &'m handoff::model::Department {
    m.departments.iter().find(|d| d.name == name).unwrap()
}

#[test]
fn no_overrides_is_parse() {
    let a = ok(&[]);
    let b = scenario::parse(&source(), CASE).unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(handoff(&a, "billing->customer").error, 0.01);
    assert_eq!(dept(&a, "billing").staff, 1);
}

#[test]
fn a_listed_handoff_is_addressed_by_from_and_to() {
    let m = ok(&["handoff.billing->customer.error=0.1"]);
    let h = handoff(&m, "billing->customer");
    assert_eq!(h.error, 0.1);
    assert_eq!(h.catch, 0.0);
    // Only that handoff changed.
    assert_eq!(handoff(&m, "sales->production").error, 0.03);
    let m = ok(&["handoff.sales->production.catch=0.9"]);
    assert_eq!(handoff(&m, "sales->production").catch, 0.9);
    assert_eq!(handoff(&m, "sales->production").error, 0.03);
}

#[test]
fn a_handoff_the_flows_use_but_the_file_does_not_list_can_be_set() {
    let base = ok(&[]);
    assert_eq!(handoff(&base, "production->billing").error, 0.0);
    let m = ok(&["handoff.production->billing.error=0.2"]);
    let h = handoff(&m, "production->billing");
    assert_eq!((h.error, h.lose, h.catch), (0.2, 0.0, 0.0));
    assert_eq!(m.handoffs.len(), base.handoffs.len());
    // Two overrides of the same new handoff fill one table.
    let m = ok(&[
        "handoff.sales->billing.error=0.2",
        "handoff.sales->billing.catch=0.5",
    ]);
    let h = handoff(&m, "sales->billing");
    assert_eq!((h.error, h.catch), (0.2, 0.5));
}

#[test]
fn departments_are_addressed_by_name() {
    let m = ok(&["department.billing.staff=3"]);
    assert_eq!(dept(&m, "billing").staff, 3);
    assert_eq!(dept(&m, "sales").staff, 2);
    let m = ok(&["department.production.service={ dist = \"gamma\", mean = \"5h\", cv = 0.5 }"]);
    assert!((dept(&m, "production").service.mean() - 5.0).abs() < 1e-12);
    // A path into a table-valued field changes one parameter.
    let m = ok(&["department.sales.service.mean=2h"]);
    assert!((dept(&m, "sales").service.mean() - 2.0).abs() < 1e-12);
    // Quoted path segments.
    let m = ok(&["department.\"billing\".staff = 2"]);
    assert_eq!(dept(&m, "billing").staff, 2);
}

#[test]
fn bare_words_are_strings_so_units_need_no_quotes() {
    let m = ok(&["customers.arrival_rate=10/d", "customers.promise=5d"]);
    assert!((m.customers.arrival_rate_per_h - 10.0 / 24.0).abs() < 1e-12);
    assert_eq!(m.customers.promise_h, 120.0);
    // `patience` is absent from the file: its default follows the new promise.
    assert_eq!(m.customers.patience_h, 240.0);
    let m = ok(&["customers.promise=\"36h\""]);
    assert_eq!(m.customers.promise_h, 36.0);
    let m = ok(&[
        "scenario.name=Renamed",
        "scenario.description=\"Two words\"",
    ]);
    assert_eq!(m.name, "Renamed");
    assert_eq!(m.description, "Two words");
    let m = ok(&["complaints.department=billing"]);
    let billing = m.departments.iter().position(|d| d.name == "billing");
    assert_eq!(m.complaints.unwrap().department, billing.unwrap());
}

#[test]
fn single_sections_and_absent_fields() {
    let m = ok(&["simulation.seed=3"]);
    assert_eq!(m.simulation.seed, 3);
    assert_eq!(m.simulation.replications, 1);
    let m = ok(&["simulation.replications=4"]);
    assert_eq!(m.simulation.replications, 4);
    let m = ok(&["complaints.empowerment=0.8"]);
    assert_eq!(m.complaints.unwrap().empowerment, 0.8);
    // [problem] and [stay] are not in the file: they are added.
    let m = ok(&["problem.late=0.5", "stay.silent=0.3"]);
    assert_eq!(m.problem.late, 0.5);
    assert_eq!(
        m.problem.defect,
        handoff::model::ProblemOdds::default().defect
    );
    assert_eq!(m.stay.silent, 0.3);
    assert_eq!(
        m.stay.resolved,
        handoff::model::StayOdds::default().resolved
    );
    let m = ok(&["customers.reorder={ dist = \"exponential\", mean = \"30d\" }"]);
    assert_eq!(m.customers.reorder.unwrap().mean(), 720.0);
}

#[test]
fn flows_are_addressed_by_name() {
    let m = ok(&["flow.standard.share=0.5", "flow.rush.share=0.5"]);
    assert_eq!(m.flows[0].share, 0.5);
    assert_eq!(m.flows[1].share, 0.5);
    let m = ok(&["flow.rush.steps=[\"sales\", \"production\", \"billing\"]"]);
    assert_eq!(m.flows[1].steps, m.flows[0].steps);
}

#[test]
fn a_later_override_wins() {
    let m = ok(&["simulation.seed=3", "simulation.seed=4"]);
    assert_eq!(m.simulation.seed, 4);
}

#[test]
fn generated_values_parse_where_an_integer_is_needed() {
    let staff = format!("department.billing.staff={}", format_number(3.0));
    let error = format!("handoff.billing->customer.error={}", format_number(0.05));
    let promise = format!("customers.promise=\"{}d\"", format_number(2.5));
    let rate = format!("customers.arrival_rate=\"{}/d\"", format_number(12.0));
    let seed = format!("simulation.seed={}", format_number(11.0));
    let m = ok(&[&staff, &error, &promise, &rate, &seed]);
    assert_eq!(dept(&m, "billing").staff, 3);
    assert_eq!(handoff(&m, "billing->customer").error, 0.05);
    assert_eq!(m.customers.promise_h, 60.0);
    assert!((m.customers.arrival_rate_per_h - 0.5).abs() < 1e-12);
    assert_eq!(m.simulation.seed, 11);
}

#[test]
fn load_with_reads_the_file_then_applies() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CASE);
    let m = scenario::load_with(&path, &sets(&["department.billing.staff=5"])).unwrap();
    assert_eq!(dept(&m, "billing").staff, 5);
    match scenario::load_with(&path, &sets(&["department.billing.staff=0"])) {
        Err(LoadError::Invalid(d)) => {
            assert!(d.render(false).contains("--> --set:1:26"));
        }
        other => panic!("{other:?}"),
    }
}

// ---- errors ----

#[test]
fn unknown_section() {
    let e = one_error("custmers.promise=5d", 1, "unknown section `custmers`");
    assert_eq!(e.help.as_deref(), Some("did you mean `customers`?"));
}

#[test]
fn unknown_department_suggests_the_closest() {
    let e = one_error(
        "department.biling.staff=3",
        12,
        "unknown department `biling`",
    );
    let help = e.help.unwrap();
    assert!(help.contains("did you mean `billing`?"), "{help}");
    let e = one_error(
        "department.finance.staff=3",
        12,
        "unknown department `finance`",
    );
    assert!(e.help.unwrap().contains("cannot add one"));
    one_error("flow.express.share=0.5", 6, "unknown flow `express`");
}

#[test]
fn unknown_handoff_lists_what_the_flows_connect() {
    let e = one_error(
        "handoff.production->sales.error=0.1",
        9,
        "no flow hands work from `production` to `sales`",
    );
    let help = e.help.unwrap();
    for pair in [
        "`sales->production`",
        "`production->billing`",
        "`billing->customer`",
        "`sales->billing`",
    ] {
        assert!(help.contains(pair), "{help}");
    }
    // A misspelt department inside FROM->TO points at that name.
    let e = one_error(
        "handoff.sales->biling.error=0.1",
        16,
        "unknown department `biling` in handoff `sales->biling`",
    );
    assert!(e.help.unwrap().contains("did you mean `billing`?"));
    one_error(
        "handoff.billing.error=0.1",
        9,
        "`billing` does not name a handoff",
    );
}

#[test]
fn unknown_field_has_the_same_wording_as_in_files() {
    let e = one_error(
        "department.billing.staf=3",
        20,
        "unknown field `staf` in department `billing`",
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `staff`?"));
    assert_eq!(
        e.label,
        "expected one of `name`, `staff`, `service`, `hours`, `cost`, `rude`"
    );
    let e = one_error(
        "customers.promis=5d",
        11,
        "unknown field `promis` in [customers]",
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `promise`?"));
    one_error(
        "handoff.billing->customer.eror=0.1",
        27,
        "unknown field `eror` in handoff `billing->customer`",
    );
}

#[test]
fn incomplete_paths() {
    one_error("simulation=3", 1, "does not name a field");
    let e = one_error("department.billing=3", 1, "does not name a field");
    assert!(e.help.unwrap().contains("department.billing.staff"));
}

#[test]
fn bad_values_point_at_the_value() {
    one_error(
        "department.billing.staff=0",
        26,
        "has no staff and no pool serves it",
    );
    let e = one_error("department.billing.staff=2.5", 26, "wrong type for `staff`");
    assert!(e.label.contains("whole number"));
    one_error(
        "handoff.billing->customer.error=1.5",
        33,
        "`error` must be a probability between 0 and 1, got 1.5",
    );
    let e = one_error(
        "customers.promise=5",
        19,
        "`promise` needs a unit: a bare number is not a duration",
    );
    assert!(e.help.unwrap().contains("\"5d\""));
    one_error(
        "customers.arrival_rate=10",
        24,
        "`arrival_rate` needs a unit",
    );
    one_error("simulation.seed=abc", 17, "wrong type for `seed`");
    one_error("customers.promise=5 fortnights", 19, "unknown time unit");
    one_error(
        "department.production.service={ dist = \"gamma\", mean = 5h }",
        56,
        "invalid TOML in override",
    );
    one_error(
        "department.production.service={ dist = \"gama\", mean = \"5h\" }",
        40,
        "unknown distribution",
    );
    one_error("department.sales.service.men=2h", 26, "`men`");
    one_error(
        "customers.reorder.mean=30d",
        11,
        "cannot set `mean` inside `reorder`",
    );
}

#[test]
fn a_check_across_values_shows_the_override_and_the_file() {
    // The shares now add up to 0.9: the caret is under the override, the
    // other share is shown in the file.
    let d = fails(&["flow.standard.share=0.7"]);
    let r = d.render(false);
    assert_eq!(d.len(), 1, "{r}");
    let e = d.iter().next().unwrap();
    assert!(e.message.contains("flow shares add up to 0.9"), "{r}");
    assert_eq!(d.location(e), "--set:1:21");
    assert_eq!(e.related.len(), 1);
    assert_eq!(e.related[0].source, 0);
    assert!(r.contains(&format!("::: {CASE}:")), "{r}");
    assert!(r.contains("share = 0.2"), "{r}");
    // The other way round: the caret is in the file, the note names the override.
    let d = fails(&["flow.rush.share=0.3"]);
    let r = d.render(false);
    let e = d.iter().next().unwrap();
    assert_eq!(e.source, 0);
    assert!(d.location(e).starts_with(CASE), "{r}");
    assert!(
        r.contains("note: includes a value from `--set flow.rush.share=0.3`"),
        "{r}"
    );
    assert!(
        r.contains("--> --set") || r.contains("::: --set:1:17"),
        "{r}"
    );
}

#[test]
fn file_errors_and_override_errors_are_reported_together() {
    let broken = source().replace("staff = 4", "staf = 4");
    let d = scenario::parse_with(
        &broken,
        "broken.toml",
        &sets(&["department.billing.staff=0", "custmers.promise=1d"]),
    )
    .unwrap_err();
    let r = d.render(false);
    let got: Vec<(usize, String)> = d.iter().map(|e| (e.source, e.message.clone())).collect();
    assert_eq!(d.len(), 3, "{r}");
    assert_eq!(got[0].0, 0);
    assert!(got[0].1.contains("unknown field `staf`"), "{r}");
    assert_eq!(got[1].0, 1);
    assert!(
        got[1].1.contains("has no staff and no pool serves it"),
        "{r}"
    );
    assert_eq!(got[2].0, 2);
    assert!(got[2].1.contains("unknown section `custmers`"), "{r}");
    assert!(r.contains("--> broken.toml:"), "{r}");
    assert!(r.contains("1 | custmers.promise=1d"), "{r}");
    assert!(
        r.contains("note: this `--set` was applied to `broken.toml`"),
        "{r}"
    );
    assert!(
        r.contains(
            "could not load `broken.toml` with 2 `--set` overrides due to 3 previous errors"
        ),
        "{r}"
    );

    // A TOML syntax error in the file still lets a value's syntax be checked.
    let d = scenario::parse_with(
        "[scenario\n",
        "syntax.toml",
        &sets(&["department.a.service={ mean = 1h }", "simulation.seed=3"]),
    )
    .unwrap_err();
    let got: Vec<usize> = d.iter().map(|e| e.source).collect();
    assert_eq!(got, [0, 1], "{}", d.render(false));
}

#[test]
fn malformed_arguments_are_refused_with_a_message() {
    for arg in [
        "seed",
        "simulation.seed=",
        "=3",
        "a..b=1",
        "department.\"x.staff=1",
    ] {
        let e = Override::parse(arg).unwrap_err();
        assert!(e.contains(arg), "{e}");
        assert!(e.contains("PATH=VALUE"), "{e}");
    }
}

#[test]
fn odd_overrides_never_panic() {
    let long = "x".repeat(10_000);
    let odd = [
        "a=b=c",
        "simulation.seed==3",
        "simulation.seed=\"",
        "simulation.seed='",
        "simulation.seed=[",
        "simulation.seed={",
        "simulation.seed=}",
        "simulation.seed=9999999999999999999999",
        "simulation.seed=-1",
        "simulation.seed=nan",
        "simulation.duration=inf",
        "simulation.duration=-3d",
        "simulation.duration=1979-05-27",
        "simulation.duration=07:32:00",
        "simulation.seed=1\n[x]\ny=2",
        "simulation.seed=1\r\n",
        "simulation.seed=\t3\t",
        "simulation.seed=3 # a comment",
        "scenario.name=\"é 🎉\"",
        "scenario.name=é🎉",
        "\"\".a=1",
        "a.\"\"=1",
        "\"\"=1",
        "é.ü=1",
        "département.ventes.staff=3",
        "department.🎉.staff=3",
        "department.sales.staff.x=3",
        "department.sales.service.mean.x=1h",
        "department.sales.name=customer",
        "department.sales.name=billing",
        "department.sales.name=\"\"",
        "handoff.->.error=0.1",
        "handoff.a->.error=0.1",
        "handoff.->b.error=0.1",
        "handoff.a->b->c.error=0.1",
        "handoff. sales -> billing .error=0.1",
        "handoff.\"sales->billing\".error=0.1",
        "handoff.sales->production.from=billing",
        "handoff.sales->production.to=customer",
        "handoff.sales->production.delay.value=1h",
        "handoff.sales->production.delay={ dist = \"constant\", value = \"-1h\" }",
        "handoff.billing->customer.error={}",
        "incident.x.y=1",
        "flow.standard.steps=[]",
        "flow.standard.steps=[\"nope\", 3]",
        "flow.standard.steps=sales",
        "flow.standard.name=rush",
        "complaints.department=customer",
        "complaints.department=3",
        "problem=1",
        "stay.silent.x=1",
        "customers.reorder=30d",
        "customers.reorder={ dist = \"empirical\", values = [] }",
        "scenario.name=[1, 2",
        "scenario.name={ a = 1 }",
        ".=.",
        "..=..",
        "\u{0}=\u{0}",
    ];
    let mut args: Vec<String> = odd.iter().map(|s| (*s).to_owned()).collect();
    args.push(format!("department.{long}.staff=3"));
    args.push(format!("scenario.name={long}"));
    let src = source();
    let mut all = Vec::new();
    for arg in &args {
        let Ok(o) = Override::parse(arg) else {
            continue;
        };
        all.push(o.clone());
        for (source, origin) in [(src.as_str(), CASE), ("", "empty.toml"), ("[x", "bad.toml")] {
            if let Err(d) = scenario::parse_with(source, origin, std::slice::from_ref(&o)) {
                check_renders(&d);
            }
        }
    }
    // All at once, and in reverse.
    if let Err(d) = scenario::parse_with(&src, CASE, &all) {
        check_renders(&d);
    }
    all.reverse();
    if let Err(d) = scenario::parse_with(&src, CASE, &all) {
        check_renders(&d);
    }
}

fn check_renders(d: &Diagnostics) {
    assert!(!d.is_empty());
    let r = d.render(true);
    assert!(r.contains("could not load"));
    for e in d.iter() {
        let _ = d.location(e);
        let text = d.source_of(e);
        assert!(e.span.end <= text.len().max(1), "{e:?}");
        for rel in &e.related {
            let _ = rel.span.clone();
        }
    }
}
