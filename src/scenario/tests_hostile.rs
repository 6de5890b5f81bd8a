//! Hostile and careless input: names that would break reports or the
//! terminal, limits, and messages that used to mislead (issue 7).

use super::*;

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
[[flow]]
name = "f"
steps = ["a"]
"#;

/// `MINIMAL` with `from` replaced by `to` (which must be in it).
fn edit(from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "{from}");
    MINIMAL.replacen(from, to, 1)
}

/// The one error in `src`, rendered too (so rendering is exercised).
fn one(src: &str) -> Diagnostic {
    match parse(src, "t.toml") {
        Ok(_) => panic!("expected an error in:\n{src}"),
        Err(d) => {
            let rendered = d.render(false);
            assert!(
                !rendered.chars().any(|c| c.is_control() && c != '\n'),
                "a control character reaches the terminal:\n{rendered:?}"
            );
            assert_eq!(d.len(), 1, "{rendered}");
            d.iter().next().cloned().unwrap()
        }
    }
}

fn help(d: &Diagnostic) -> &str {
    d.help.as_deref().unwrap_or("")
}

#[test]
fn minimal_is_valid() {
    assert!(parse(MINIMAL, "t.toml").is_ok());
}

#[test]
fn names_that_break_handoffs_or_the_terminal_are_refused() {
    for (name, phrase) in [
        ("a->b", "contains `->`"),
        ("a\\u001b[31m", "contains a control character (\\u{1b})"),
        ("a\\nb", "contains a line break (\\n)"),
        ("\\u202Eb", "contains an invisible character (\\u{202e})"),
        ("a\\u200Bb", "contains an invisible character (\\u{200b})"),
        (" a", "begins with a space"),
        ("a ", "ends with a space"),
    ] {
        let src = edit("name = \"a\"", &format!("name = \"{name}\""));
        let d = one(&src.replace("steps = [\"a\"]", &format!("steps = [\"{name}\"]")));
        assert!(d.message.contains(phrase), "{name}: {}", d.message);
        // The caret is on the name, line 9 (the file starts with a newline).
        assert_eq!((d.line(&src), d.column(&src)), (9, 8), "{name}");
        let flow = edit("name = \"f\"", &format!("name = \"{name}\""));
        assert!(one(&flow).message.contains(phrase), "flow {name}");
    }
    let d = one(&edit("name = \"t\"", "name = \"t\\u0007\""));
    assert!(d.message.contains("\\u{7}"), "{}", d.message);
}

/// Invisible characters never reach the terminal raw, in messages or
/// excerpts; the zero-width joiner of emoji sequences is no such character.
#[test]
fn invisible_characters_are_escaped_and_emoji_sequences_allowed() {
    let src = edit("name = \"a\"", "name = \"\\u202Ea\"")
        .replace("steps = [\"a\"]", "steps = [\"\\u202Ea\"]");
    let rendered = parse(&src, "t.toml").unwrap_err().render(false);
    assert!(!rendered.contains('\u{202E}'), "{rendered}");
    assert!(rendered.contains("\\u{202e}"), "{rendered}");
    let raw = edit("name = \"a\"", "name = \"\u{202E}a\"")
        .replace("steps = [\"a\"]", "steps = [\"\u{202E}a\"]");
    let rendered = parse(&raw, "t.toml").unwrap_err().render(false);
    assert!(!rendered.contains('\u{202E}'), "{rendered}");
    let emoji = "👩\u{200D}💻";
    let ok = edit("name = \"a\"", &format!("name = \"{emoji}\""))
        .replace("steps = [\"a\"]", &format!("steps = [\"{emoji}\"]"));
    assert!(parse(&ok, "t.toml").is_ok());
}

#[test]
fn steps_of_only_spaces_are_not_called_empty() {
    let d = one(&edit("steps = [\"a\"]", "steps = [\"  \"]"));
    assert!(d.message.contains("only spaces"), "{}", d.message);
}

#[test]
fn max_live_is_read_and_bounded() {
    let m = parse(MINIMAL, "t.toml").unwrap();
    assert_eq!(m.simulation.max_live, build::DEFAULT_MAX_LIVE);
    let m = parse(
        &edit("duration = \"10d\"", "duration = \"10d\"\nmax_live = 5000"),
        "t.toml",
    )
    .unwrap();
    assert_eq!(m.simulation.max_live, 5000);
    let d = one(&edit(
        "duration = \"10d\"",
        "duration = \"10d\"\nmax_live = 0",
    ));
    assert!(d.message.contains("at least 1"), "{}", d.message);
    let d = one(&edit(
        "duration = \"10d\"",
        "duration = \"10d\"\nmax_live = 1000000000000",
    ));
    assert!(d.message.contains("too large"), "{}", d.message);
}

#[test]
fn durations_have_a_maximum_shown_briefly() {
    let d = one(&edit("\"10d\"", "\"1e300d\""));
    assert!(
        d.message.contains("more than 36500 days (100 years)"),
        "{}",
        d.message
    );
    assert!(d.message.len() < 100, "{}", d.message);
    assert!(parse(&edit("\"10d\"", "\"36500d\""), "t.toml").is_ok());
}

#[test]
fn times_below_the_clocks_resolution_are_refused() {
    let d = one(&edit("mean = \"1h\"", "mean = \"1e-20h\""));
    assert!(
        d.message.contains("too short for the clock"),
        "{}",
        d.message
    );
    let d = one(&edit("\"12/d\"", "\"1e30/h\""));
    assert!(
        d.message
            .contains("`arrival_rate` is too high for the clock"),
        "{}",
        d.message
    );
    // Short, but the clock can still add it at the end of the run.
    assert!(parse(&edit("mean = \"1h\"", "mean = \"1e-9h\""), "t.toml").is_ok());
}

/// `patience` left out is twice `promise`: a `promise` too short for the
/// clock is reported at `promise`, not as a `patience` nobody wrote at 1:1.
#[test]
fn a_promise_too_short_for_the_clock_is_reported_at_the_promise() {
    let src = edit("\"12/d\"", "\"12/d\"\npromise = \"1e-20s\"");
    let d = one(&src);
    assert!(
        d.message
            .starts_with("`promise` is too short for the clock"),
        "{}",
        d.message
    );
    assert_eq!(&src[d.span.clone()], "\"1e-20s\"");
    // With `patience` given, a short promise is only a threshold.
    let src = edit(
        "\"12/d\"",
        "\"12/d\"\npromise = \"1e-20s\"\npatience = \"1d\"",
    );
    assert!(parse(&src, "t.toml").is_ok());
}

#[test]
fn bare_infinity_is_not_suggested_back() {
    for bad in ["inf", "nan", "-inf"] {
        let d = one(&edit("\"10d\"", bad));
        assert!(
            !help(&d).contains("inf") && !help(&d).contains("NaN"),
            "{}",
            help(&d)
        );
        assert!(help(&d).contains("\"7d\""), "{}", help(&d));
        let d = one(&edit("\"12/d\"", bad));
        assert!(!help(&d).to_lowercase().contains("inf"), "{}", help(&d));
    }
}

#[test]
fn units_below_a_second_are_not_typos_of_seconds() {
    for (text, fix) in [("7ms", "\"0.007s\""), ("7μs", "\"0.000007s\"")] {
        let d = one(&edit("mean = \"1h\"", &format!("mean = \"{text}\"")));
        assert!(d.message.contains("shorter than a second"), "{}", d.message);
        assert!(!help(&d).contains("did you mean"), "{}", help(&d));
        assert!(help(&d).contains(fix), "{}", help(&d));
    }
}

#[test]
fn a_rate_per_zero_time_is_not_too_large() {
    let d = one(&edit("\"12/d\"", "\"5/0d\""));
    assert!(d.message.contains("per zero time"), "{}", d.message);
    assert!(!d.message.contains("too large"), "{}", d.message);
}

#[test]
fn overflowing_distributions_are_not_always_zero() {
    let d = one(&edit(
        "{ dist = \"exponential\", mean = \"1h\" }",
        "{ dist = \"empirical\", values = [\"1h\", \"2h\"], weights = [1e308, 1e308] }",
    ));
    assert!(!d.message.contains("always zero"), "{}", d.message);
    assert!(
        d.message.contains("add up to more than a number can hold"),
        "{}",
        d.message
    );
    let d = one(&edit(
        "{ dist = \"exponential\", mean = \"1h\" }",
        "{ dist = \"weibull\", shape = 1e-3, scale = \"1h\" }",
    ));
    assert!(d.message.contains("too large to compute"), "{}", d.message);
    let d = one(&edit(
        "{ dist = \"exponential\", mean = \"1h\" }",
        "{ dist = \"empirical\", values = [\"0h\", \"0h\"] }",
    ));
    assert!(d.message.contains("always zero"), "{}", d.message);
}

#[test]
fn duplicates_say_what_to_write() {
    let src = edit("[[department]]", "[department]").replace(
        "[[flow]]",
        "[department]\nname = \"b\"\nstaff = 1\nservice = \"1h\"\n[[flow]]",
    );
    let d = one(&src);
    assert!(
        d.message.contains("`[department]` appears twice"),
        "{}",
        d.message
    );
    assert!(
        help(&d).contains("use `[[department]]` for each one"),
        "{}",
        help(&d)
    );
    let d = one(&edit("staff = 1", "staff = 1\nstaff = 2"));
    assert!(d.message.contains("`staff` is set twice"), "{}", d.message);
    assert!(!help(&d).contains("quotes"), "{}", help(&d));
}

#[test]
fn a_probability_just_above_one_is_not_a_percentage() {
    let src = format!("{MINIMAL}[[handoff]]\nfrom = \"a\"\nto = \"customer\"\nerror = 1.0000001\n");
    let d = one(&src);
    assert!(!help(&d).contains('%'), "{}", help(&d));
    assert!(help(&d).contains("error = 1`"), "{}", help(&d));
    let d = one(&src.replace("1.0000001", "1.1"));
    assert!(help(&d).contains("error = 0.011`"), "{}", help(&d));
}

#[test]
fn a_fractional_seed_does_not_count_something() {
    let d = one(&edit(
        "duration = \"10d\"",
        "duration = \"10d\"\nseed = 1.5",
    ));
    assert!(!help(&d).contains("counts"), "{}", help(&d));
    assert!(help(&d).contains("seed = 2"), "{}", help(&d));
}

#[test]
fn articles_and_plurals() {
    let d = one(&edit("mean = \"1h\" }", "mean = \"1h\", man = 2 }"));
    assert!(!help(&d).contains("a `exponential`"), "{}", help(&d));
    let d = one(&edit("mean = \"1h\" }", "mean = \"1h\", colour = 2 }"));
    assert!(help(&d).contains("an `exponential`"), "{}", help(&d));
    let d = one(&edit(
        "{ dist = \"exponential\", mean = \"1h\" }",
        "{ dist = \"empirical\", values = [\"1h\", \"2h\"], weights = [1] }",
    ));
    assert!(d.message.contains("has 1 entry but"), "{}", d.message);
}

#[test]
fn an_error_in_a_table_a_set_changed_points_at_the_set() {
    let o: Override = "department.a.service.dist=gamma".parse().unwrap();
    let d = parse_with(MINIMAL, "t.toml", &[o]).unwrap_err();
    let rendered = d.render(false);
    assert!(rendered.contains("--set:1:1"), "{rendered}");
    assert!(
        rendered.contains("department.a.service.dist=gamma"),
        "{rendered}"
    );
}

#[test]
fn a_set_nested_too_deeply_is_told_so_at_the_set() {
    let o: Override = format!("customers.arrival_rate={}", "[".repeat(10_000))
        .parse()
        .unwrap();
    let d = parse_with(MINIMAL, "t.toml", &[o]).unwrap_err();
    let rendered = d.render(false);
    assert_eq!(d.len(), 1, "{rendered}");
    let e = d.iter().next().unwrap();
    assert_eq!(
        e.message,
        "invalid TOML in override: tables or arrays nested too deeply"
    );
    assert!(!rendered.contains("recurse"), "{rendered}");
    assert!(rendered.contains("--set:1:"), "{rendered}");
    assert!(
        help(e).contains("a scenario nests at most a few levels"),
        "{rendered}"
    );
}

#[test]
fn a_header_or_key_of_hundreds_of_dotted_parts_is_reported_where_it_is() {
    let deep = vec!["a"; 300].join(".");
    for (src, line, column) in [
        (edit("[customers]", &format!("[{deep}]\n[customers]")), 6, 2),
        (
            edit("[customers]", &format!("[customers]\n{deep} = 1")),
            7,
            1,
        ),
    ] {
        let d = one(&src);
        assert_eq!(
            d.message,
            "invalid TOML: a key or table header of 300 dotted parts, nested too deeply"
        );
        assert_eq!((d.line(&src), d.column(&src)), (line, column), "{src}");
        assert!(
            help(&d).contains("write this one with fewer"),
            "{}",
            help(&d)
        );
    }
}

#[test]
fn files_that_are_not_utf8_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"[scenario]\nname = \"caf\xe9\"\n").unwrap();
    let e = load(&path).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("latin1.toml:2:12"), "{text}");
    assert!(
        text.contains("0xE9") && text.contains("save the file as UTF-8"),
        "{text}"
    );
}

#[test]
fn units_below_a_second_in_a_rate_are_written_per_second() {
    let d = one(&edit("\"12/d\"", "\"5/ms\""));
    assert!(d.message.contains("shorter than a second"), "{}", d.message);
    assert!(help(&d).contains("\"5000/s\""), "{}", help(&d));
    assert!(
        !help(&d).contains("0.007s"),
        "a rate is not a duration: {}",
        help(&d)
    );
}

#[test]
fn a_rate_of_nan_or_infinity_per_day_is_not_a_rate() {
    for bad in ["\"nan/d\"", "\"-inf/d\"", "\"inf/d\""] {
        let d = one(&edit("\"12/d\"", bad));
        assert!(!help(&d).to_lowercase().contains("inf"), "{}", help(&d));
        assert!(!help(&d).contains("NaN"), "{}", help(&d));
    }
}

#[test]
fn a_set_that_pushes_a_time_below_the_clocks_resolution_is_refused() {
    let short = edit("mean = \"1h\"", "mean = \"1e-11h\"");
    assert!(parse(&short, "t.toml").is_ok(), "fine over ten days");
    let longer: Override = "simulation.duration=36500d".parse().unwrap();
    match parse_with(&short, "t.toml", &[longer]) {
        Ok(_) => panic!("1e-11 h cannot be added to a clock at 100 years"),
        Err(d) => {
            let text = d.render(false);
            assert!(text.contains("too short for the clock"), "{text}");
        }
    }
}

#[test]
fn incident_windows_repeating_by_the_second_are_refused() {
    // A department window every few seconds over a long run would be billions
    // of staff changes: refused with the period located, a minute accepted.
    let incident = |every: &str| {
        format!(
            "{MINIMAL}[[incident]]\nname = \"blip\"\nfrom = \"0d\"\nto = \"1s\"\nevery = \"{every}\"\ndepartment = \"a\"\nstaff = 0\n"
        )
    };
    let d = one(&incident("2s"));
    assert!(
        d.message.contains("too often to be a window"),
        "{}",
        d.message
    );
    assert!(help(&d).contains("every = \\\"30d\\\"") || help(&d).contains("every = \"30d\""));
    assert!(parse(&incident("1m"), "t.toml").is_ok());
    // The largest staff an incident can name is read, not overflowed.
    let big = format!(
        "{MINIMAL}[[incident]]\nname = \"surge\"\nfrom = \"1d\"\nto = \"2d\"\ndepartment = \"a\"\nstaff = 4294967295\n"
    );
    assert!(parse(&big, "t.toml").is_ok());
}

#[test]
fn incidents_opening_more_than_a_billion_windows_per_replication_are_refused() {
    // Thousands of incidents every minute for 100 years: about 5e11 windows,
    // a day of computing per replication for nothing that stops it.
    let blips = |count: usize, every: &str| {
        let mut src = edit("duration = \"10d\"", "duration = \"36500d\"");
        for i in 0..count {
            src.push_str(&format!(
                "[[incident]]\nname = \"blip {i}\"\nfrom = \"{i}m\"\nto = \"{}s\"\nevery = \"{every}\"\ndepartment = \"a\"\nstaff = 2\n",
                i * 60 + 30
            ));
        }
        src
    };
    let d = one(&blips(100, "1m"));
    assert!(
        d.message.starts_with(
            "the incidents open too many windows: 5.26e9 in one replication of 36500d"
        ),
        "{d:?}"
    );
    // Pointed at the `every` of the incident that passes the limit: the 20th
    // (each opens about 5.26e7 windows, 19 of them 9.99e8).
    let src = blips(100, "1m");
    let line = src[..d.span.start].lines().count();
    assert!(
        src.lines().nth(line - 1).unwrap().starts_with("every"),
        "{d:?}"
    );
    let before: String = src[..d.span.start].to_owned();
    assert_eq!(before.matches("[[incident]]").count(), 20);
    assert!(help(&d).contains("a longer `every`"), "{d:?}");
    // Nineteen such incidents stay within the limit.
    assert!(parse(&blips(19, "1m"), "t.toml").is_ok());
}

#[test]
fn amounts_of_money_are_finite_and_bounded() {
    // 1e308 summed over orders was infinite revenue: `inf`/`nan` in CSV, `null` in JSON.
    for (field, to) in [
        (
            "order_value",
            "arrival_rate = \"12/d\"\norder_value = 1e308",
        ),
        (
            "order_value",
            "arrival_rate = \"12/d\"\norder_value = 1.5e12",
        ),
        ("cost", "staff = 1\ncost = 1e300"),
    ] {
        let from = if field == "cost" {
            "staff = 1"
        } else {
            "arrival_rate = \"12/d\""
        };
        let d = one(&edit(from, to));
        assert!(
            d.message.contains(&format!("`{field}` is too large")),
            "{d:?}"
        );
        assert!(help(&d).contains("1e12"), "{d:?}");
    }
    let ok = edit(
        "arrival_rate = \"12/d\"",
        "arrival_rate = \"12/d\"\norder_value = 1e12",
    );
    assert!(parse(&ok, "t.toml").is_ok());
    // `nan` is a TOML number, but not an amount: no "expected a number, found a number".
    let d = one(&edit(
        "arrival_rate = \"12/d\"",
        "arrival_rate = \"12/d\"\norder_value = nan",
    ));
    assert_eq!(d.message, "`order_value` must be a finite number, got NaN");
    let d = one(&edit("staff = 1", "staff = 1\ncost = -inf"));
    assert_eq!(d.message, "`cost` must be a finite number, got -inf");
}

#[test]
fn more_than_a_billion_arrivals_per_replication_is_refused() {
    // A million an hour for 100 years, with staff enough never to overload:
    // 8.8e11 arrivals per replication, days of computing, never stopped.
    let src = edit("duration = \"10d\"", "duration = \"36500d\"")
        .replace("arrival_rate = \"12/d\"", "arrival_rate = \"1000000/h\"");
    let d = one(&src);
    assert!(
        d.message
            .starts_with("`arrival_rate` asks for too many customers: 8.76e11"),
        "{d:?}"
    );
    assert!(help(&d).contains("is the unit right?"), "{d:?}");
    // A billion is still allowed.
    let src = edit("duration = \"10d\"", "duration = \"1000h\"")
        .replace("arrival_rate = \"12/d\"", "arrival_rate = \"1000000/h\"");
    assert!(parse(&src, "t.toml").is_ok());
}

#[test]
fn names_too_long_to_show_are_refused_without_being_repeated() {
    // A department named with a million characters: one error on the name,
    // and the message does not quote it whole.
    let long = "x".repeat(1_000_000);
    let src = edit("name = \"a\"", &format!("name = \"{long}\""))
        .replace("steps = [\"a\"]", &format!("steps = [\"{long}\"]"));
    let d = match parse(&src, "t.toml") {
        Ok(_) => panic!("a name of a million characters was accepted"),
        Err(d) => d,
    };
    let rendered = d.render(false);
    assert!(rendered.len() < 10_000, "{} bytes", rendered.len());
    assert!(
        rendered.contains("`name` is too long: 1000000 characters"),
        "{}",
        &rendered[..rendered.len().min(3000)]
    );
    assert!(rendered.contains("expected at most 200 characters"));
    // Exactly at the limit is fine, for every kind of name.
    let ok = "y".repeat(MAX_NAME_CHARS);
    let src = edit("name = \"a\"", &format!("name = \"{ok}\""))
        .replace("steps = [\"a\"]", &format!("steps = [\"{ok}\"]"))
        .replace("name = \"t\"", &format!("name = \"{ok}\""))
        .replace("name = \"f\"", &format!("name = \"{ok}\""));
    assert!(parse(&src, "t.toml").is_ok());
    let d = one(&edit("name = \"f\"", &format!("name = \"{ok}z\"")));
    assert!(d.message.contains("too long"), "{}", d.message);
    let d = one(&edit("name = \"t\"", &format!("name = \"{ok}z\"")));
    assert!(d.message.contains("too long"), "{}", d.message);
}

#[test]
fn long_text_quoted_from_the_input_is_shortened_in_messages() {
    // An unknown step, an unknown field and an unknown department in
    // `--set`, each with a hundred thousand characters: every message stays short.
    let long = "z".repeat(100_000);
    for src in [
        edit("steps = [\"a\"]", &format!("steps = [\"{long}\"]")),
        edit("staff = 1", &format!("staff = 1\n{long} = 2")),
        edit(
            "steps = [\"a\"]",
            &format!("steps = [\"{}\"]", "z ".repeat(50_000)),
        ),
    ] {
        let Err(d) = parse(&src, "t.toml") else {
            panic!("accepted")
        };
        let rendered = d.render(false);
        assert!(
            rendered.len() < 10_000,
            "{} bytes:\n{}",
            rendered.len(),
            &rendered[..3000]
        );
        assert!(
            rendered.contains('…'),
            "{}",
            &rendered[..3000.min(rendered.len())]
        );
    }
}

#[test]
fn millions_of_errors_are_counted_but_not_all_kept() {
    // 300 000 departments with no field at all: three errors each.
    let src = format!("{}{}", MINIMAL, "[[department]]\n".repeat(300_000));
    let Err(d) = parse(&src, "t.toml") else {
        panic!("accepted")
    };
    assert_eq!(d.len(), 900_000);
    let kept = d.iter().count();
    assert!(kept <= 2 * read::KEPT_ERRORS, "{kept}");
    // The ones kept are the first in the file, in order.
    let starts: Vec<usize> = d.iter().map(|e| e.span.start).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(starts[0], MINIMAL.len());
    let rendered = d.render(false);
    assert!(
        rendered.contains("899950 more errors are not shown"),
        "{}",
        &rendered[rendered.len() - 500..]
    );
    assert!(rendered.contains("due to 900000 previous errors"));
}

#[test]
fn a_priority_out_of_range_says_which_way() {
    let d = one(&edit(
        "steps = [\"a\"]",
        "steps = [\"a\"]\npriority = -9223372036854775808",
    ));
    assert!(
        d.message.contains("`priority` is too small"),
        "{}",
        d.message
    );
    assert!(d.label.contains("-2147483648"), "{}", d.label);
    let d = one(&edit(
        "steps = [\"a\"]",
        "steps = [\"a\"]\npriority = 3000000000",
    ));
    assert!(
        d.message.contains("`priority` is too large"),
        "{}",
        d.message
    );
}

#[test]
fn a_gamma_cv_too_small_to_compute_names_the_cv_not_a_scale() {
    let d = one(&edit(
        "{ dist = \"exponential\", mean = \"1h\" }",
        "{ dist = \"gamma\", mean = \"1h\", cv = 1e-300 }",
    ));
    assert!(
        d.message.contains("its cv, 1e-300, is too small"),
        "{}",
        d.message
    );
    assert!(!d.message.contains("scale"), "{}", d.message);
    // Small but computable: accepted (a nearly constant time).
    assert!(
        parse(
            &edit(
                "{ dist = \"exponential\", mean = \"1h\" }",
                "{ dist = \"gamma\", mean = \"1h\", cv = 1e-6 }",
            ),
            "t.toml"
        )
        .is_ok()
    );
}

#[test]
fn more_incidents_than_the_limit_are_refused_at_the_first_too_many() {
    let incident = |i: usize| {
        format!(
            "\n[[incident]]\nname = \"i{i}\"\nfrom = \"1d\"\nto = \"2d\"\ndepartment = \"a\"\nstaff = 2\n"
        )
    };
    let at_limit: String = (0..incident::MAX_INCIDENTS).map(incident).collect();
    assert!(parse(&format!("{MINIMAL}{at_limit}"), "t.toml").is_ok());
    let over = format!("{MINIMAL}{at_limit}{}", incident(incident::MAX_INCIDENTS));
    let d = one(&over);
    assert!(
        d.message
            .contains("too many incidents: 10001 here, at most 10000"),
        "{}",
        d.message
    );
    assert!(help(&d).contains("`every`"), "{}", help(&d));
    // Pointed at the first incident beyond the limit.
    let line = over[..d.span.start].lines().count() + 1;
    assert_eq!(line, over.lines().count() - 5, "{}", d.message);
}

#[test]
fn a_description_of_a_paragraph_or_two_is_fine_a_book_is_not() {
    let with = |chars: usize| {
        edit(
            "name = \"t\"",
            &format!("name = \"t\"\ndescription = \"{}\"", "é".repeat(chars)),
        )
    };
    assert!(parse(&with(MAX_DESCRIPTION_CHARS), "t.toml").is_ok());
    let d = one(&with(MAX_DESCRIPTION_CHARS + 1));
    assert!(
        d.message
            .contains("`description` is too long: 4001 characters"),
        "{}",
        d.message
    );
    assert!(help(&d).contains("comments"), "{}", help(&d));
}

/// A name typed with a composed `é` and the same name pasted as `e` plus a
/// combining accent look alike: they are one name, whichever way each
/// mention is written.
#[test]
fn names_that_look_alike_are_one_name_however_their_accents_are_encoded() {
    let (composed, decomposed) = ("caf\u{e9}", "cafe\u{301}");
    let mixed = edit("name = \"a\"", &format!("name = \"{composed}\""))
        .replace("steps = [\"a\"]", &format!("steps = [\"{decomposed}\"]"));
    let model = parse(&mixed, "t.toml").unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert_eq!(model.departments[0].name, composed);
    let twice = mixed.replace(
        "[[flow]]",
        &format!("[[department]]\nname = \"{decomposed}\"\nstaff = 1\nservice = \"1h\"\n[[flow]]"),
    );
    let d = one(&twice);
    assert!(d.message.contains("declared twice"), "{}", d.message);
    // A `--set` typed the other way finds the department too.
    let set =
        [crate::scenario::Override::parse(&format!("department.{decomposed}.staff=3")).unwrap()];
    let model =
        parse_with(&mixed, "t.toml", &set).unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert_eq!(model.departments[0].staff, 3);
}

/// A quoted `"nan"`, `"inf"` or `"1e999"` is not told to lose its quotes:
/// `complain_share = NaN` is not TOML, and `inf` is no probability.
#[test]
fn quoted_non_numbers_are_not_suggested_without_quotes() {
    for quoted in [
        "\"nan\"",
        "\"NaN\"",
        "\"inf\"",
        "\"-infinity\"",
        "\"1e999\"",
    ] {
        let d = one(&edit(
            "\"12/d\"",
            &format!("\"12/d\"\ncomplain_share = {quoted}"),
        ));
        assert!(
            !help(&d).contains("remove the quotes"),
            "{quoted}: {}",
            help(&d)
        );
        let d = one(&edit(
            "\"12/d\"",
            &format!("\"12/d\"\norder_value = {quoted}"),
        ));
        assert!(
            !help(&d).contains("remove the quotes"),
            "{quoted}: {}",
            help(&d)
        );
        let d = one(&edit(
            "{ dist = \"exponential\", mean = \"1h\" }",
            &format!("{{ dist = \"gamma\", mean = \"1h\", cv = {quoted} }}"),
        ));
        assert!(
            !help(&d).contains("remove the quotes"),
            "{quoted}: {}",
            help(&d)
        );
    }
    // A number in quotes still gets the hint.
    let d = one(&edit("\"12/d\"", "\"12/d\"\ncomplain_share = \"0.05\""));
    assert_eq!(help(&d), "remove the quotes: `complain_share = 0.05`");
}
