//! Each malformed scenario in `tests/cases/invalid/` gives the errors it should:
//! at the right line and column, with a message a student can act on.

use std::path::{Path, PathBuf};

use handoff::scenario::{self, Diagnostics, LoadError};

fn case_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases/invalid")
        .join(format!("{name}.toml"))
}

/// Parse a case; it must fail.
fn diagnostics(name: &str) -> Diagnostics {
    let path = case_path(name);
    let source =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match scenario::parse(&source, &format!("{name}.toml")) {
        Ok(_) => panic!("{name}.toml parsed, but it is an invalid case"),
        Err(d) => d,
    }
}

/// An error expected at `line:col`, whose message contains `phrase` and whose
/// help (if `help` is given) contains `help`.
struct Expect {
    line: usize,
    col: usize,
    phrase: &'static str,
    help: Option<&'static str>,
}

const fn at(line: usize, col: usize, phrase: &'static str) -> Expect {
    Expect {
        line,
        col,
        phrase,
        help: None,
    }
}

const fn help(line: usize, col: usize, phrase: &'static str, help: &'static str) -> Expect {
    Expect {
        line,
        col,
        phrase,
        help: Some(help),
    }
}

fn check(name: &str, expected: &[Expect]) {
    let d = diagnostics(name);
    let rendered = d.render(false);
    let got: Vec<String> = d
        .iter()
        .map(|x| {
            format!(
                "{}:{} {}",
                x.line(d.source()),
                x.column(d.source()),
                x.message
            )
        })
        .collect();
    assert_eq!(
        d.len(),
        expected.len(),
        "{name}: expected {} errors, got {got:#?}\n{rendered}",
        expected.len()
    );
    for (x, e) in d.iter().zip(expected) {
        let src = d.source();
        assert_eq!(
            (x.line(src), x.column(src)),
            (e.line, e.col),
            "{name}: {:?}\n{rendered}",
            x.message
        );
        assert!(
            x.message.contains(e.phrase),
            "{name}: message {:?} lacks {:?}",
            x.message,
            e.phrase
        );
        if let Some(h) = e.help {
            let text = x.help.as_deref().unwrap_or("");
            assert!(text.contains(h), "{name}: help {text:?} lacks {h:?}");
        }
        let place = format!("{name}.toml:{}:{}", e.line, e.col);
        assert!(
            rendered.contains(&place),
            "{name}: rendering lacks {place}:\n{rendered}"
        );
        assert!(
            rendered.contains(&format!("error: {}", x.message)),
            "{name}:\n{rendered}"
        );
        assert!(
            rendered.contains(&x.label),
            "{name}: rendering lacks the label:\n{rendered}"
        );
        if let Some(h) = &x.help {
            assert!(
                rendered.contains(&format!("help: {h}")),
                "{name}: rendering lacks the help:\n{rendered}"
            );
        }
    }
}

#[test]
fn toml_syntax() {
    check("toml_syntax", &[at(20, 19, "invalid TOML")]);
}

#[test]
fn nested_too_deep() {
    // Not "check quotes, brackets and `=`": the brackets may all be right.
    check(
        "nested_too_deep",
        &[help(
            22,
            491,
            "invalid TOML: tables or arrays nested too deeply",
            "a scenario nests at most a few levels",
        )],
    );
}

#[test]
fn unknown_field() {
    check(
        "unknown_field",
        &[help(
            26,
            1,
            "unknown field `staf` in department `billing`",
            "did you mean `staff`?",
        )],
    );
}

#[test]
fn unknown_section() {
    check(
        "unknown_section",
        &[help(
            9,
            2,
            "unknown field `custmers`",
            "did you mean `customers`?",
        )],
    );
}

#[test]
fn wrong_type() {
    check(
        "wrong_type",
        &[at(21, 9, "wrong type for `staff`: expected a whole number")],
    );
}

#[test]
fn duration_without_unit() {
    check(
        "duration_without_unit",
        &[help(6, 12, "`duration` needs a unit", "\"100d\"")],
    );
}

#[test]
fn rate_without_unit() {
    check(
        "rate_without_unit",
        &[help(10, 16, "`arrival_rate` needs a unit", "\"20/d\"")],
    );
}

#[test]
fn unknown_unit() {
    check(
        "unknown_unit",
        &[help(
            12,
            12,
            "unknown time unit `wekks`",
            "did you mean `weeks`?",
        )],
    );
}

#[test]
fn unknown_distribution() {
    check(
        "unknown_distribution",
        &[help(
            27,
            20,
            "unknown distribution `expnential`",
            "did you mean `exponential`?",
        )],
    );
}

#[test]
fn missing_parameter() {
    check(
        "missing_parameter",
        &[at(
            22,
            11,
            "`gamma` distribution needs `mean` and `cv`; missing `cv`",
        )],
    );
}

#[test]
fn zero_time() {
    check("zero_time", &[at(27, 42, "`mean` must be positive")]);
}

#[test]
fn probability_out_of_range() {
    check(
        "probability_out_of_range",
        &[help(
            37,
            9,
            "`error` must be a probability between 0 and 1, got 3",
            "error = 0.03",
        )],
    );
}

#[test]
fn staff_zero() {
    check(
        "staff_zero",
        &[at(
            26,
            9,
            "department `billing` has no staff and no pool serves it",
        )],
    );
}

#[test]
fn never_through() {
    check(
        "never_through",
        &[at(
            24,
            9,
            "with `error = 1` and `catch = 1` every transfer is sent back",
        )],
    );
}

#[test]
fn unknown_department() {
    check(
        "unknown_department",
        &[help(
            31,
            19,
            "unknown department `prodution` in flow `standard`",
            "did you mean `production`?",
        )],
    );
}

#[test]
fn duplicate_department() {
    check(
        "duplicate_department",
        &[at(30, 8, "department `sales` is declared twice")],
    );
}

#[test]
fn shares_not_one() {
    check(
        "shares_not_one",
        &[help(
            31,
            9,
            "flow shares add up to 0.9, not 1",
            "0.6 + 0.3 = 0.9",
        )],
    );
}

#[test]
fn handoff_not_connected() {
    check(
        "handoff_not_connected",
        &[help(
            33,
            1,
            "no flow hands work from `sales` to `billing`",
            "`sales->production`, `production->billing`, `billing->customer`",
        )],
    );
}

#[test]
fn duplicate_handoff() {
    check(
        "duplicate_handoff",
        &[at(40, 1, "handoff `sales->production` is listed twice")],
    );
}

#[test]
fn warmup_too_long() {
    check(
        "warmup_too_long",
        &[at(
            7,
            10,
            "`warmup` (120d) must be shorter than `duration` (100d)",
        )],
    );
}

#[test]
fn hours_mistakes() {
    check(
        "hours_mistakes",
        &[
            help(15, 9, "`9` is not a time of day", "\"mon-fri 09:00-17:00\""),
            help(21, 33, "unknown day `tues`", "did you mean `tue`?"),
            help(
                27,
                33,
                "overlaps \"mon-fri 08:00-12:00\" (both open Monday 11:00-12:00)",
                "each moment may be in one window only",
            ),
            at(33, 9, "`hours` is empty: it would never open"),
        ],
    );
}

#[test]
fn incident_mistakes() {
    check(
        "incident_mistakes",
        &[
            at(
                44,
                11,
                "unknown handoff `biling->customer` in incident `billing system migration`",
            ),
            at(
                46,
                9,
                "`staff` changes a department, but incident `billing system migration` is about a handoff",
            ),
        ],
    );
}

#[test]
fn several_errors() {
    check(
        "several_errors",
        &[
            at(6, 12, "`duration` needs a unit"),
            at(
                21,
                9,
                "department `production` has no staff and no pool serves it",
            ),
            help(
                27,
                20,
                "unknown distribution `expnential`",
                "did you mean `exponential`?",
            ),
            help(
                31,
                19,
                "unknown department `prodution`",
                "did you mean `production`?",
            ),
            at(
                37,
                9,
                "`error` must be a probability between 0 and 1, got 1.5",
            ),
        ],
    );
    assert!(
        diagnostics("several_errors")
            .render(false)
            .contains("due to 5 previous errors")
    );
}

/// Every file in the folder is a case above, and every case fails.
#[test]
fn every_invalid_case_is_checked() {
    let this = include_str!("scenario_errors.rs");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/invalid");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        assert!(
            this.contains(&format!("\"{name}\"")),
            "{name}.toml has no test in scenario_errors.rs"
        );
        assert!(
            matches!(scenario::load(&path), Err(LoadError::Invalid(_))),
            "{name}.toml should be invalid"
        );
    }
}

#[test]
fn baseline_scenario_loads() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let model = scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model.departments.len(), 4);
    assert_eq!(model.simulation.replications, 5);
}

#[test]
fn missing_file_is_an_io_error() {
    let err = scenario::load(&case_path("does_not_exist")).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }));
    assert!(err.to_string().contains("does_not_exist.toml"), "{err}");
}

#[test]
fn a_file_that_never_ends_is_refused_at_once() {
    // A file just over the limit: refused without being parsed.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.toml");
    let mut text = vec![b'#'; scenario::MAX_SCENARIO_BYTES as usize + 1];
    text.push(b'\n');
    std::fs::write(&path, text).unwrap();
    let err = scenario::load(&path).unwrap_err();
    assert!(matches!(err, LoadError::TooLarge { .. }), "{err}");
    assert!(
        err.to_string().contains("too large for a scenario"),
        "{err}"
    );
    // A device that never ends: read up to the limit, not until the memory is full.
    if Path::new("/dev/zero").exists() {
        let err = scenario::load(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(err, LoadError::TooLarge { .. }), "{err}");
    }
}

/// Tens of thousands of errors: reported in about a second (it was quadratic:
/// a line count per error, the whole file drawn per error, every department
/// compared per unknown name), the first 50 in full and the rest counted.
#[test]
fn many_errors_answer_quickly_and_are_counted() {
    let mut text = String::from(
        "[scenario]\nname = \"many\"\n[simulation]\nduration = \"10d\"\n[customers]\narrival_rate = \"1/d\"\n",
    );
    for i in 0..20_000 {
        text.push_str(&format!(
            "[[department]]\nname = \"d{i}\"\nstaff = 0\nservice = \"1h\"\n"
        ));
    }
    for i in 0..5_000 {
        text.push_str(&format!(
            "[[flow]]\nname = \"f{i}\"\nshare = 0.0002\nsteps = [\"nowhere{i}\"]\n"
        ));
    }
    let start = std::time::Instant::now();
    let d = scenario::parse(&text, "many.toml").unwrap_err();
    let rendered = d.render(false);
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(d.len(), 25_000);
    assert_eq!(
        rendered.matches("\nerror: ").count() + 1,
        51,
        "50 in full and the summary"
    );
    assert!(
        rendered.contains("24950 more errors are not shown"),
        "{}",
        &rendered[rendered.len() - 300..]
    );
    assert!(rendered.contains("many.toml:9:9"), "{}", &rendered[..600]);
    // Minutes before; well under a second now, even on a busy machine.
    assert!(seconds < 10.0, "{seconds} s");
}
