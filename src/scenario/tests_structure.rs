//! The structure fields: `hours`, `cost`, `[[pool]]`, `priority` (issue 9).

use super::*;

const BASE: &str = r#"
[scenario]
name = "t"
[simulation]
duration = "10d"
[customers]
arrival_rate = "12/d"
[[department]]
name = "billing"
staff = 1
service = { dist = "exponential", mean = "1h" }
[[department]]
name = "support"
staff = 1
service = { dist = "exponential", mean = "1h" }
[[flow]]
name = "f"
share = 0.5
steps = ["billing"]
[[flow]]
name = "g"
share = 0.5
steps = ["support"]
"#;

/// `BASE` with `from` replaced by `to` (which must be in it), and `extra` appended.
fn edit(from: &str, to: &str, extra: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    format!("{}{extra}", BASE.replacen(from, to, 1))
}

fn ok(src: &str) -> Model {
    parse(src, "t.toml").unwrap_or_else(|d| panic!("{}", d.render(false)))
}

fn only(src: &str) -> (Diagnostic, String) {
    match parse(src, "t.toml") {
        Ok(_) => panic!("expected an error in:\n{src}"),
        Err(d) => {
            let rendered = d.render(false);
            assert_eq!(d.len(), 1, "{rendered}");
            (d.iter().next().cloned().unwrap(), rendered)
        }
    }
}

const BILLING: &str = "name = \"billing\"\nstaff = 1\n";

#[test]
fn hours_cost_and_priority_are_read() {
    let m = ok(&edit(
        BILLING,
        "name = \"billing\"\nstaff = 1\nhours = [\"mon-fri 09:00-17:00\", \"sat 10:00-14:00\"]\ncost = 35\n",
        "",
    ));
    let b = &m.departments[0];
    assert_eq!(b.hours.as_ref().unwrap().open_hours_per_week(), 44.0);
    assert_eq!(b.cost, 35.0);
    assert!(m.departments[1].hours.is_none());
    let m = ok(&edit("name = \"g\"\n", "name = \"g\"\npriority = 2\n", ""));
    assert_eq!((m.flows[0].priority, m.flows[1].priority), (0, 2));
    // Open all week is no hours at all.
    let m = ok(&edit(
        BILLING,
        "name = \"billing\"\nstaff = 1\nhours = \"daily 00:00-24:00\"\n",
        "",
    ));
    assert!(m.departments[0].hours.is_none());
}

#[test]
fn a_pool_serves_departments_without_staff() {
    let src = edit(
        BILLING,
        "name = \"billing\"\nstaff = 0\n",
        "[[pool]]\nname = \"back office\"\nstaff = 2\nserves = [\"billing\", \"support\"]\ncost = 40\nhours = \"mon-fri 08:00-18:00\"\n",
    );
    let m = ok(&src);
    assert_eq!(m.departments[0].staff, 0);
    let p = &m.pools[0];
    assert_eq!((p.name.as_str(), p.staff, p.cost), ("back office", 2, 40.0));
    assert_eq!(p.serves, vec![0, 1]);
    assert_eq!(p.hours.as_ref().unwrap().open_hours_per_week(), 50.0);
}

#[test]
fn no_staff_and_no_pool_is_an_error_with_a_fix() {
    let (d, _) = only(&edit(BILLING, "name = \"billing\"\nstaff = 0\n", ""));
    assert!(d.message.contains("no staff and no pool"), "{}", d.message);
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("serves = [\"billing\"]")
    );
}

#[test]
fn pool_mistakes_point_at_the_name() {
    let (d, _) = only(&edit(
        "",
        "",
        "[[pool]]\nname = \"p\"\nstaff = 1\nserves = [\"biling\"]\n",
    ));
    assert!(
        d.message.contains("unknown department `biling`"),
        "{}",
        d.message
    );
    assert!(d.help.as_deref().unwrap().contains("`billing`"));
    let (d, _) = only(&edit(
        "",
        "",
        "[[pool]]\nname = \"p\"\nstaff = 1\nserves = [\"billing\"]\n[[pool]]\nname = \"p\"\nstaff = 1\nserves = [\"support\"]\n",
    ));
    assert!(d.message.contains("declared twice"), "{}", d.message);
    let (d, _) = only(&edit(
        "",
        "",
        "[[pool]]\nname = \"p\"\nstaff = 1\nserves = [\"billing\"]\nserve = 1\n",
    ));
    assert!(d.message.contains("unknown field `serve`"), "{}", d.message);
}

/// The one error of `billing`'s `hours = VALUE`, rendered.
fn hours_error(value: &str) -> (Diagnostic, String) {
    only(&edit(
        BILLING,
        &format!("name = \"billing\"\nstaff = 1\nhours = {value}\n"),
        "",
    ))
}

#[test]
fn hours_mistakes_get_a_fix_at_their_line() {
    let (d, r) = hours_error("\"mon-fri 9-17\"");
    assert!(r.contains("t.toml:11:9"), "{r}");
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("\"mon-fri 09:00-17:00\""),
        "{r}"
    );
    let (d, r) = hours_error("\"mon 25:00-26:00\"");
    assert!(d.message.contains("25:00"), "{r}");
    let (d, r) = hours_error("\"mondy 09:00-17:00\"");
    assert!(d.help.as_deref().unwrap().contains("`mon`"), "{r}");
    let (d, r) = hours_error("[]");
    assert!(d.message.contains("never open"), "{r}");
    let (d, r) = hours_error("9");
    assert!(d.message.contains("wrong type"), "{r}");
}

#[test]
fn overlapping_windows_point_at_both() {
    let (d, r) = hours_error("[\"mon-fri 09:00-17:00\", \"daily 16:00-18:00\"]");
    assert!(d.message.contains("overlaps"), "{r}");
    assert!(d.message.contains("Monday 16:00-17:00"), "{r}");
    assert_eq!(d.related.len(), 1, "{r}");
    // Sunday night into Monday morning overlaps Monday's early shift.
    let (d, r) = hours_error("[\"sun 22:00-06:00\", \"mon 05:00-09:00\"]");
    assert!(d.message.contains("Monday 05:00-06:00"), "{r}");
    // Touching is fine.
    let m = ok(&edit(
        BILLING,
        "name = \"billing\"\nstaff = 1\nhours = [\"mon 09:00-12:00\", \"mon 12:00-17:00\"]\n",
        "",
    ));
    assert_eq!(
        m.departments[0].hours.as_ref().unwrap().windows,
        vec![(540, 1020)]
    );
}

#[test]
fn priorities_must_be_whole_numbers() {
    let (d, r) = only(&edit(
        "name = \"g\"\n",
        "name = \"g\"\npriority = \"high\"\n",
        "",
    ));
    assert!(d.message.contains("whole number"), "{r}");
    let (d, _) = only(&edit(
        "name = \"g\"\n",
        "name = \"g\"\npriority = 1.5\n",
        "",
    ));
    assert!(d.message.contains("whole number"), "{}", d.message);
}

#[test]
fn overrides_reach_hours_cost_and_pools() {
    let src = edit(
        "",
        "",
        "[[pool]]\nname = \"p\"\nstaff = 1\nserves = [\"billing\"]\n",
    );
    let sets: Vec<Override> = [
        "department.billing.hours=mon-fri 09:00-17:00",
        "department.support.cost=12.5",
        "pool.p.staff=3",
        "pool.p.cost=7",
        "flow.g.priority=1",
    ]
    .iter()
    .map(|s| Override::parse(s).unwrap())
    .collect();
    let m = parse_with(&src, "t.toml", &sets).unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert_eq!(
        m.departments[0]
            .hours
            .as_ref()
            .unwrap()
            .open_hours_per_week(),
        40.0
    );
    assert_eq!(m.departments[1].cost, 12.5);
    assert_eq!((m.pools[0].staff, m.pools[0].cost), (3, 7.0));
    assert_eq!(m.flows[1].priority, 1);
    // A wrong value in an override points at the argument.
    let bad = [Override::parse("department.billing.hours=mon-fri 9-17").unwrap()];
    let d = parse_with(&src, "t.toml", &bad).unwrap_err();
    assert!(
        d.render(false).contains("09:00-17:00"),
        "{}",
        d.render(false)
    );
}
