//! `handoff validate FILE…`: check scenarios without simulating them.
//!
//! Prints each department's expected load on standard output (nothing with
//! `-q`), and on standard error the warnings that `run`, `compare`, `sweep`
//! and `sensitivity` also print before they simulate ([`warn_before_simulating`]).

use std::fmt::Write as _;
use std::path::PathBuf;

use handoff::experiment::MAX_REPLICATIONS;
use handoff::model::{
    Backlog, DeptId, Drawn, IncidentTarget, Loads, Model, Strain, TAIL_SHARE_LIMIT, Target,
    TooSpread, WindowLoad,
};
use handoff::report::human;
use handoff::scenario::{MAX_DURATION_H, Override};

use super::{Failure, load_scenario, output};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  handoff validate scenarios/baseline.toml
  handoff validate scenarios/*.toml
  handoff validate scenarios/baseline.toml --set department.billing.staff=0")]
pub struct Args {
    /// The scenario files (TOML): each is checked, and every error in every file reported.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Change one value of the scenario (repeatable), e.g. `department.billing.staff=3`
    /// or `'handoff.billing->customer.error=0.1'`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<Override>,
    /// Print nothing for a valid file: only errors and warnings (on standard error).
    #[arg(short, long)]
    quiet: bool,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    // Every file is checked; the first failure that is not bad input stops at once.
    let mut problems = Vec::new();
    // With several files, each warning names its file (as `compare` does).
    let several = args.files.len() > 1;
    for file in &args.files {
        match validate(file, &args.set, several, args.quiet) {
            Ok(()) => {}
            Err(Failure::Input(message)) => problems.push(message),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let joined: Vec<&str> = problems.iter().map(|m| m.trim_end()).collect();
    Err(Failure::Input(joined.join("\n\n")))
}

/// Check one file: an ok line on stdout (none when `quiet`) and warnings on
/// stderr, each naming the file when `name_file`; or the errors.
fn validate(
    file: &std::path::Path,
    set: &[Override],
    name_file: bool,
    quiet: bool,
) -> Result<(), Failure> {
    let model = load_scenario(file, set)?;
    let count = |n: usize, one, many| human::plural(n as u64, one, many);
    let mut text = format!(
        "{}: ok — {}, {}, {}\n",
        file.display(),
        count(model.departments.len(), "department", "departments"),
        count(model.flows.len(), "flow", "flows"),
        count(model.handoffs.len(), "handoff", "handoffs"),
    );
    text.push_str(&load_table(&model));
    if !quiet {
        output::write_stdout(text.as_bytes())?;
    }
    let origin = file.display().to_string();
    warn_before_simulating(&model, name_file.then_some(origin.as_str()));
    Ok(())
}

/// Print the warnings of `validate` on standard error, before a command simulates
/// `model`; `origin` names the file when a command reads several.
pub fn warn_before_simulating(model: &Model, origin: Option<&str>) {
    for warning in warnings(model) {
        match origin {
            Some(file) => output::write_stderr(&format!("{file}: {warning}\n")),
            None => output::write_stderr(&format!("{warning}\n")),
        }
    }
}

/// A load as a percentage, whole, without absurd lengths.
fn percent(load: f64) -> String {
    if !load.is_finite() {
        "unbounded".to_owned()
    } else if load >= 100.0 {
        "over 10 000 %".to_owned()
    } else {
        format!("{:.0} %", load * 100.0)
    }
}

/// A load in a sentence ("asked for … of what they can do"): as
/// [`percent`], or "an unbounded share".
fn load_in_words(load: f64) -> String {
    if load.is_finite() {
        percent(load)
    } else {
        "an unbounded share".to_owned()
    }
}

/// What `reorder` adds to the load estimate, in words.
fn load_basis(model: &Model) -> String {
    let mut basis = if model.customers.reorder.is_some() {
        "at most, by the end of the run: first orders, reorders and rework; complaints not included"
    } else {
        "first orders and rework; complaints not included"
    }
    .to_owned();
    if model.departments.iter().any(|d| d.hours.is_some()) || !model.pools.is_empty() {
        basis.push_str("; over open hours, pools shared");
    }
    if !model.incidents.is_empty() {
        // A window's staff, service and failure odds hold for part of the run only.
        basis.push_str("; incident windows for the share of the run they last");
    }
    basis
}

/// Every department's expected load, one per line, then the groups that pools
/// link and each incident window's load.
fn load_table(model: &Model) -> String {
    let expected = model.expected_loads();
    let loads = expected.per_department();
    let plain = if model.incidents.is_empty() {
        None
    } else {
        let growth = model.reorder_growth();
        Some(
            model
                .loads(&model.workload(&[]).grown(growth))
                .per_department(),
        )
    };
    let idle = model.departments_in_no_flow();
    let desk = model.complaints.as_ref().map(|c| c.department);
    let width = model
        .departments
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("Expected load ({}):\n", load_basis(model));
    for (id, (d, load)) in model.departments.iter().zip(&loads).enumerate() {
        let value = if idle.contains(&id) {
            if desk == Some(id) {
                "complaints only (not estimated)".to_owned()
            } else {
                "0 % (in no flow)".to_owned()
            }
        } else {
            let mut v = percent(*load);
            if let Some(outside) = plain.as_ref().map(|p| percent(p[id]))
                && outside != v
            {
                let _ = write!(v, " ({outside} outside incident windows)");
            }
            v
        };
        let name = &d.name;
        let pad = width - name.chars().count();
        let _ = writeln!(out, "  {name}{}  {value}", " ".repeat(pad));
    }
    for (i, set) in expected.sets.iter().enumerate() {
        if set.pools.is_empty() || set.departments.iter().all(|d| idle.contains(d)) {
            continue;
        }
        let line = if group_of_part(i, &expected).is_some() {
            format!(
                "of them, {} can only call on {} besides {} own staff",
                departments(model, &set.departments),
                pools(model, &set.pools),
                if set.departments.len() == 1 {
                    "its"
                } else {
                    "their"
                },
            )
        } else if set.departments.len() == 1 {
            format!(
                "{} is helped by {}",
                departments(model, &set.departments),
                pools(model, &set.pools)
            )
        } else {
            format!(
                "{} share {}",
                departments(model, &set.departments),
                pools(model, &set.pools)
            )
        };
        let _ = writeln!(
            out,
            "  {line}: {} of {} on duty on average",
            percent(set.load()),
            if set.staff == 1.0 {
                "1 person".to_owned()
            } else {
                format!("{} people", number(set.staff))
            },
        );
    }
    let windows = model.window_loads();
    if !windows.is_empty() {
        out.push_str("Incident windows (load inside the first window, against outside any):\n");
    }
    // Thousands of incidents would bury the rest of the check: the first few
    // show what the windows do, a count says how many more there are.
    const WINDOWS_SHOWN: usize = 20;
    for window in windows.iter().take(WINDOWS_SHOWN) {
        let inside = model.loads(&window.inside).per_department();
        let outside = model.loads(&window.outside).per_department();
        let changes: Vec<String> = (0..model.departments.len())
            .filter(|&d| !idle.contains(&d) && percent(outside[d]) != percent(inside[d]))
            .map(|d| {
                format!(
                    "{} {} → {}",
                    model.departments[d].name,
                    percent(outside[d]),
                    percent(inside[d])
                )
            })
            .collect();
        let unchanged = match model.incidents[window.incident].target {
            IncidentTarget::Handoff { .. } => {
                "no department's load changes (only lost work and caught errors are done again)"
            }
            IncidentTarget::Department { .. } => "no department's load changes",
        };
        let shown = shorten(&changes, "departments");
        let _ = writeln!(
            out,
            "  `{}` ({}): {}",
            model.incidents[window.incident].name,
            when(model, window),
            if shown.is_empty() {
                unchanged.to_owned()
            } else {
                shown
            },
        );
    }
    if windows.len() > WINDOWS_SHOWN {
        let _ = writeln!(
            out,
            "  … and {} more incidents, later in the run",
            windows.len() - WINDOWS_SHOWN
        );
    }
    out
}

/// Whether two loads differ by more than rounding.
fn differs(a: f64, b: f64) -> bool {
    if a.is_finite() && b.is_finite() {
        (a - b).abs() > 1e-9 * a.abs().max(b.abs()).max(1e-12)
    } else {
        a.is_finite() != b.is_finite()
    }
}

/// Items of a list, joined with commas and `and`, cut after a few with a count.
fn shorten(items: &[String], what: &str) -> String {
    shorten_of(items, items.len(), what)
}

/// [`shorten`] for a list of `n` items of which `items` are the first (at least five of them, or all).
fn shorten_of(items: &[String], n: usize, what: &str) -> String {
    const SHOWN: usize = 5;
    // A window's other incidents come with this many names.
    const _: () = assert!(handoff::model::OTHERS_LISTED >= SHOWN);
    debug_assert!(items.len() >= n.min(SHOWN), "{} of {n} items", items.len());
    match n {
        0 => String::new(),
        1 => items[0].clone(),
        n if n <= SHOWN => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
        n => format!(
            "{}, … and {} more {what}",
            items[..SHOWN].join(", "),
            n - SHOWN
        ),
    }
}

/// `department `a``, `departments `a`, `b` and `c``.
fn departments(model: &Model, ids: &[DeptId]) -> String {
    let names: Vec<String> = ids
        .iter()
        .map(|&d| format!("`{}`", model.departments[d].name))
        .collect();
    let word = if ids.len() == 1 {
        "department"
    } else {
        "departments"
    };
    format!("{word} {}", shorten(&names, "departments"))
}

/// `the pool `team``, `the pools `a` and `b``.
fn pools(model: &Model, ids: &[usize]) -> String {
    let names: Vec<String> = ids
        .iter()
        .map(|&p| format!("`{}`", model.pools[p].name))
        .collect();
    let word = if ids.len() == 1 { "pool" } else { "pools" };
    format!("the {word} {}", shorten(&names, "pools"))
}

/// When an incident's window happens: `days 120–150, once`, `hours 24–30,
/// every 7 d: 5 windows in the run, 3.6 % of the time`.
fn when(model: &Model, window: &WindowLoad) -> String {
    let incident = &model.incidents[window.incident];
    match incident.every_h {
        Some(every) if window.windows > 1 => format!(
            "{}: {} windows in the run, {} of the time",
            when_briefly(model, window),
            window.windows,
            share(incident.to_h - incident.from_h, every),
        ),
        _ => format!("{}, once", when_briefly(model, window)),
    }
}

/// When an incident's window happens, in a few words: `days 120–150`,
/// `hours 24–30, every 7 d`.
fn when_briefly(model: &Model, window: &WindowLoad) -> String {
    let span = span(window.from_h, window.to_h);
    match model.incidents[window.incident].every_h {
        Some(every) if window.windows > 1 => format!("{span}, every {}", duration(every)),
        _ => span,
    }
}

/// A duration, short: `7 d`, `6 h`, `1 min`.
fn duration(h: f64) -> String {
    if h >= 48.0 {
        format!("{} d", trim(h / 24.0))
    } else if h >= 1.0 {
        format!("{} h", trim(h))
    } else if h * 60.0 >= 1.0 - 1e-9 {
        format!("{} min", trim(h * 60.0))
    } else {
        format!("{} s", trim(h * 3600.0))
    }
}

/// A time to suggest, rounded up to a whole unit: `127 d`, `5 h`, `1 min`.
fn rounded_up(h: f64) -> String {
    if h >= 48.0 {
        format!("{} d", number((h / 24.0).ceil()))
    } else if h >= 1.0 {
        format!("{} h", h.ceil())
    } else {
        format!("{} min", (h * 60.0).ceil().max(1.0))
    }
}

/// A share of time as a percentage with a decimal when small.
fn share(part: f64, whole: f64) -> String {
    let s = part / whole * 100.0;
    if s < 10.0 {
        format!("{s:.1} %")
    } else {
        format!("{s:.0} %")
    }
}

/// A stretch of the run: `days 120–150`, `hours 3–5.5`, `from hour 24 for 1 min`.
fn span(from: f64, to: f64) -> String {
    if to - from >= 48.0 {
        format!("days {}–{}", trim(from / 24.0), trim(to / 24.0))
    } else if to - from >= 2.0 {
        format!("hours {}–{}", trim(from), trim(to))
    } else {
        format!("from hour {} for {}", trim(from), duration(to - from))
    }
}

/// A number with at most two decimals, trailing zeros dropped.
fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A count for messages, three significant figures at most.
fn number(x: f64) -> String {
    if !x.is_finite() || x >= 1e6 {
        format!("{x:.3e}")
    } else if x >= 100.0 {
        format!("{x:.0}")
    } else {
        trim(x)
    }
}

/// What `validate` warns about: overloaded departments (the load estimate of
/// [`Model::expected_loads`]), and inside incident windows; departments that do
/// nothing, customer settings that do not do what they seem to, and truncated
/// normals whose draws differ from their parameters. Departments that share
/// staff get one warning together.
pub fn warnings(model: &Model) -> Vec<String> {
    let c = &model.customers;
    // With reorders the estimate is an upper bound (see `Model::reorder_growth`).
    let (asked, when_, grows) = if c.reorder.is_some() {
        (
            "may be asked for up to",
            " by the end of the run, with reorders (an upper bound: lead times and customers lost to problems make it less)",
            "may grow",
        )
    } else {
        ("is asked for", "", "will grow")
    };
    let incidents = if model.incidents.is_empty() {
        ""
    } else {
        " (incident windows counted for the share of the run they last)"
    };
    let expected = model.expected_loads();
    let mut warnings: Vec<String> = Vec::new();
    for (i, set) in expected
        .sets
        .iter()
        .enumerate()
        .filter(|(_, s)| s.load() >= 1.0)
    {
        let (asked, grows) = if set.departments.len() == 1 {
            (asked.to_owned(), format!("its queue {grows}"))
        } else {
            (
                asked.replacen("is", "are", 1),
                format!("their queues {grows}"),
            )
        };
        let hidden = group_of_part(i, &expected).map_or(String::new(), |whole| {
            format!(
                " (all the departments the pool{} serve{} are at {} together, but the others' \
                 own staff do not serve {})",
                if set.pools.len() == 1 { "" } else { "s" },
                if set.pools.len() == 1 { "s" } else { "" },
                percent(whole),
                if set.departments.len() == 1 {
                    "its work"
                } else {
                    "theirs"
                },
            )
        });
        let help = match (set.departments.len(), set.pools.is_empty()) {
            (1, true) => "add staff, shorten its service, or lower the arrival rate",
            (1, false) => {
                "add staff to it or to the pool, shorten its service, or lower the arrival rate"
            }
            _ => {
                "add staff to them or to the pool, shorten their service, or lower the arrival rate"
            }
        };
        warnings.push(format!(
            "warning: {} {asked} {} of what {} can do{when_}{incidents}{hidden}: \
             {grows} for as long as the run lasts.\n  \
             = help: {} (docs/scenario.md)",
            departments(model, &set.departments),
            load_in_words(set.load()),
            who_serves(model, set),
            help,
        ));
    }
    let mut warnings = capped(
        warnings,
        "departments (or groups that share a pool) that cannot keep up",
    );
    warnings.extend(capped(
        settling_warnings(model, &expected),
        "departments (or groups that share a pool) that take long to settle from the empty start",
    ));
    warnings.extend(window_warnings(model));
    warnings.extend(capped(
        spread_warnings(model, &expected),
        "distributions spread too far for the run to average",
    ));
    let desk = model.complaints.as_ref().map(|c| c.department);
    let idle: Vec<DeptId> = model
        .departments_in_no_flow()
        .into_iter()
        .filter(|&id| desk != Some(id))
        .collect();
    if !idle.is_empty() {
        let (is, gets) = if idle.len() == 1 {
            ("is", "it gets")
        } else {
            ("are", "they get")
        };
        warnings.push(format!(
            "warning: {} {is} in no flow's steps and handle{} no complaints: {gets} no work.\n  \
             = help: add it to a [[flow]]'s `steps`, name it in [complaints] `department`, or remove it",
            departments(model, &idle),
            if idle.len() == 1 { "s" } else { "" },
        ));
    }
    if c.reorder.is_some() && c.churn == 0.0 {
        warnings.push(
            "note: customers reorder and never leave unless a problem drives them away \
             (`churn` is 0), so the customer base and the load grow for the whole run.\n  \
             = help: set `churn` in [customers] for a steady load (docs/customers.md)"
                .to_string(),
        );
    }
    if c.reorder.is_none() && c.churn > 0.0 {
        warnings.push(
            "warning: `churn` is set but customers never reorder (no `reorder` in [customers]), \
             so `churn` changes nothing.\n  \
             = help: add `reorder = { dist = \"exponential\", mean = \"60d\" }`, or remove `churn`"
                .to_string(),
        );
    }
    let meets = model.meets_customers();
    let rude_alone: Vec<DeptId> = (0..model.departments.len())
        .filter(|&d| !meets[d] && model.departments[d].rude > 0.0 && !idle.contains(&d))
        .collect();
    if !rude_alone.is_empty() {
        let (has, deals, its) = if rude_alone.len() == 1 {
            ("has", "deals", "its")
        } else {
            ("have", "deal", "their")
        };
        warnings.push(format!(
            "warning: {} {has} a `rude` chance but never {deals} with a customer (no flow ends \
             there and complaints go elsewhere), so {its} `rude` changes nothing.\n  \
             = help: rude contacts are deliveries, at a flow's last step, and complaint contacts, \
             at the [complaints] department: set `rude` there, or remove it (docs/scenario.md)",
            departments(model, &rude_alone),
        ));
    }
    if model.learning.as_ref().is_some_and(|l| l.rate > 0.0) && c.complain_share == 0.0 {
        warnings.push(
            "note: [learning] is on but nobody complains (`complain_share` is 0): silence \
             teaches nothing, so no handoff learns.\n  \
             = help: raise `complain_share` in [customers] for the organisation to learn (docs/scenario.md)"
                .to_string(),
        );
    }
    for (id, h) in model.handoffs.iter().enumerate() {
        if h.to == Target::Customer && h.catch > 0.0 && h.error > 0.0 {
            warnings.push(format!(
                "note: handoff `{}` has `catch = {}`: the customer notices that share of its errors \
                 on receipt and sends the work back; `{}` redoes it, and the delivery is later but \
                 not a defect.\n  \
                 = help: leave `catch` out on a handoff to the customer if every error should reach them (docs/scenario.md)",
                &model.handoff_name(id),
                h.catch,
                &model.departments[h.from].name,
            ));
        }
    }
    let end = model.simulation.duration_h;
    for i in model.incidents.iter().filter(|i| i.from_h >= end) {
        warnings.push(format!(
            "warning: incident `{}` starts at {} but the run ends at {}: it never happens.\n  \
             = help: move its `from` before the end of the run, or make `duration` longer",
            i.name,
            hours(i.from_h),
            hours(end),
        ));
    }
    // Truncated normals, one warning for every use of the same parameters.
    let mut normals: Vec<(String, &handoff::model::Distribution)> = Vec::new();
    if let Some(r) = &c.reorder {
        normals.push(("customers.reorder".to_owned(), r));
    }
    for d in &model.departments {
        normals.push((format!("department `{}` service", &d.name), &d.service));
    }
    for (id, h) in model.handoffs.iter().enumerate() {
        if let Some(delay) = &h.delay {
            normals.push((
                format!("handoff `{}` delay", &model.handoff_name(id)),
                delay,
            ));
        }
    }
    let mut truncated: Vec<(String, Vec<String>)> = Vec::new();
    for (what, d) in normals {
        if let Some((mean, cv, real_mean, real_cv)) = d.normal_truncation()
            && cv > NORMAL_CV_LIMIT
        {
            let text = format!(
                "a normal with mean {} and cv {}; negative draws are redrawn, \
                 so its draws have mean {} and cv {real_cv:.2}",
                hours(mean),
                two_places(cv),
                hours(real_mean),
            );
            match truncated.iter_mut().find(|(t, _)| *t == text) {
                Some((_, uses)) => uses.push(what),
                None => truncated.push((text, vec![what])),
            }
        }
    }
    for (text, uses) in truncated {
        let is = if uses.len() == 1 { "is" } else { "are each" };
        warnings.push(format!(
            "warning: {} {is} {text}.\n  \
             = help: above cv {NORMAL_CV_LIMIT} use `lognormal` or `gamma`, which take `mean` and `cv` as they are (docs/scenario.md)",
            shorten(&uses, "uses"),
        ));
    }
    warnings
}

/// Distributions spread so far that the run will not see the draws that carry
/// their mean ([`Model::too_spread`]): what reads low, and what would do.
fn spread_warnings(model: &Model, expected: &Loads) -> Vec<String> {
    let sim = &model.simulation;
    let loads = expected.per_department();
    model
        .too_spread()
        .into_iter()
        .map(|t| {
            let (what, d, reads) = match t.drawn {
                Drawn::Service(d) => (
                    format!("department `{}` service", model.departments[d].name),
                    &model.departments[d].service,
                    if model.departments_in_no_flow().contains(&d) {
                        "its utilisation, waits and queues will read low".to_owned()
                    } else {
                        format!(
                            "its utilisation, waits and queues will read low (far below the {} \
                             load estimated)",
                            percent(loads[d])
                        )
                    },
                ),
                Drawn::Delay(h) => (
                    format!("handoff `{}` delay", model.handoff_name(h)),
                    model.handoffs[h].delay.as_ref().expect("a delay"),
                    "the lead times through it will read short".to_owned(),
                ),
                Drawn::Reorder => (
                    "customers.reorder".to_owned(),
                    model.customers.reorder.as_ref().expect("a reorder"),
                    "customers will reorder sooner than it says, and the orders and loads \
                     will read high"
                        .to_owned(),
                ),
                Drawn::IncidentService(i) | Drawn::IncidentDelay(i) => {
                    let incident = &model.incidents[i];
                    match &incident.target {
                        IncidentTarget::Department {
                            department,
                            service: Some(s),
                            ..
                        } => (
                            format!("incident `{}` service", incident.name),
                            s,
                            format!(
                                "department `{}`'s utilisation, waits and queues in its \
                                 windows will read low",
                                model.departments[*department].name
                            ),
                        ),
                        IncidentTarget::Handoff {
                            delay: Some(Some(s)),
                            ..
                        } => (
                            format!("incident `{}` delay", incident.name),
                            s,
                            "the lead times in its windows will read short".to_owned(),
                        ),
                        _ => unreachable!("too_spread names an incident's own distribution"),
                    }
                }
            };
            format!(
                "warning: {what} (a {} with mean {} and cv {}) is drawn about {} times a \
                 run, but {} of its mean lies in draws rarer than one in {}: a run almost \
                 never sees them, so its draws will average far below the mean and {reads}; \
                 the replications agree, so the confidence intervals will not show it.\n  \
                 = help: {} (docs/scenario.md)",
                d.family(),
                hours(t.mean),
                number(t.cv),
                number(t.draws),
                tail_percent(t.share),
                number(t.draws),
                spread_help(&t, sim),
            )
        })
        .collect()
}

/// What would let a run average a [`TooSpread`] distribution: a smaller cv,
/// or more draws when a run can make them.
fn spread_help(t: &TooSpread, sim: &handoff::model::Simulation) -> String {
    let cv = format!(
        "lower its `cv` to {} or less (the same mean)",
        number(t.cv_enough)
    );
    let Some(needed) = t.draws_needed else {
        return format!(
            "{cv}: more draws do not help, past 1e300 of them less than {:.0} % of its mean \
             is in the common draws",
            (1.0 - TAIL_SHARE_LIMIT) * 100.0
        );
    };
    let times = needed / t.draws;
    // The draws grow with the run's length, and the replications' average
    // pools the draws of all of them.
    let duration = sim.duration_h * times;
    let replications = f64::from(sim.replications) * times;
    let mut more = Vec::new();
    if matches!(
        t.drawn,
        Drawn::Service(_) | Drawn::Delay(_) | Drawn::Reorder
    ) && duration <= MAX_DURATION_H
    {
        more.push(format!("a `duration` of {}", rounded_up(duration)));
    }
    if replications <= f64::from(MAX_REPLICATIONS) {
        more.push(format!("{} `replications`", number(replications.ceil())));
    }
    if more.is_empty() {
        format!(
            "{cv}: the run would need about {} draws of it, more than 100 years or \
             {MAX_REPLICATIONS} replications make",
            number(needed)
        )
    } else {
        format!(
            "{cv}, or draw it about {} times: {}",
            number(needed),
            more.join(" or ")
        )
    }
}

/// A share of a mean: `73 %`, `99.9 %`, `over 99.99 %`.
fn tail_percent(share: f64) -> String {
    if share > 0.9999 {
        "over 99.99 %".to_owned()
    } else if share > 0.99 {
        format!("{:.2} %", share * 100.0)
    } else {
        format!("{:.0} %", share * 100.0)
    }
}

/// At most this many warnings of one kind (an overload, a slow start) are
/// written: 200 000 departments printed 600 000 lines, which buried every
/// other message.
const WARNINGS_SHOWN: usize = 20;

/// The first [`WARNINGS_SHOWN`] of `list`, and a count of the rest, `what` they are.
fn capped(mut list: Vec<String>, what: &str) -> Vec<String> {
    if list.len() > WARNINGS_SHOWN {
        let more = list.len() - WARNINGS_SHOWN;
        list.truncate(WARNINGS_SHOWN);
        list.push(format!(
            "warning: … and {more} more {what}, like those above (the first {WARNINGS_SHOWN} are listed)"
        ));
    }
    list
}

/// Warnings for the incident windows inside which some departments cannot keep
/// up: what the overload costs (the backlog it builds, and the time to clear it).
fn window_warnings(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    let end = model.simulation.duration_h;
    let long_run = model.expected_loads();
    for window in model.window_loads() {
        let incident = &model.incidents[window.incident];
        let inside = model.loads(&window.inside);
        let outside = model.loads(&window.outside);
        let length = window.to_h - window.from_h;
        let others: Vec<String> = window
            .others
            .iter()
            .map(|&i| format!("`{}`", model.incidents[i].name))
            .collect();
        let with = if others.is_empty() {
            String::new()
        } else {
            format!(
                " (with {} in force too)",
                shorten_of(&others, window.others_in_force, "incidents")
            )
        };
        for set in &inside.sets {
            let load = set.load();
            // Only what the incident makes worse: a set already overloaded
            // outside the windows has its own warning.
            let before = set
                .departments
                .iter()
                .map(|&d| outside.sets[outside.of_department[d]].load())
                .fold(0.0, f64::max);
            if load < 1.0 || before >= 1.0 || !differs(before, load) {
                continue;
            }
            let after = window.outside.strain(&set.departments, &set.pools);
            let backlog = Backlog::of(set, &after, length);
            if backlog.jobs < 1.0 {
                // Less than a job behind: what queues always absorb (if it
                // adds up from window to window, the long-run load says so).
                continue;
            }
            let (are, their) = if set.departments.len() == 1 {
                ("is", "its queue")
            } else {
                ("are", "their queues")
            };
            let asked = if set.staff > 0.0 {
                format!(
                    "{are} asked for {} of what the staff on duty can do",
                    load_in_words(load)
                )
            } else {
                format!(
                    "{} nobody on duty",
                    if are == "is" { "has" } else { "have" }
                )
            };
            let after_each = if window.windows > 1 {
                " after each"
            } else {
                ""
            };
            // Over the whole run, windows included, the same departments cannot
            // keep up: the backlog is never cleared (the long-run warning says so).
            let behind_for_good = set
                .departments
                .iter()
                .any(|&d| long_run.sets[long_run.of_department[d]].load() >= 1.0);
            let cleared = if behind_for_good {
                ", which is never cleared: over the whole run, windows included, the load is above 100 %"
                    .to_owned()
            } else if !backlog.clear_h.is_finite() {
                ", which nothing clears: outside the windows there is no spare capacity".to_owned()
            } else if backlog.clear_h < 1.0 / 60.0 {
                ", which the spare capacity outside the windows clears almost at once".to_owned()
            } else {
                let mut c = format!(
                    ", which the spare capacity outside the windows clears in about {}{after_each}",
                    duration(backlog.clear_h)
                );
                match incident.every_h {
                    Some(every) if window.windows > 1 && backlog.clear_h > every - length => {
                        c.push_str(
                            "; that is longer than the gap to the next window, so the queue grows from window to window",
                        );
                    }
                    _ if window.to_h + backlog.clear_h > end => {
                        c.push_str(" (past the end of the run)");
                    }
                    _ => {}
                }
                c
            };
            out.push(format!(
                "warning: during incident `{}` ({}){with}, {} {asked}: \
                 {their} grow{} by about {} jobs ({} hours of work) \
                 over {} window{cleared}.\n  \
                 = help: a temporary overload is what an incident costs; to shrink it, keep more \
                 staff on duty in the window, or shorten the window (docs/scenario.md)",
                incident.name,
                when_briefly(model, &window),
                departments(model, &set.departments),
                if set.departments.len() == 1 { "s" } else { "" },
                number(backlog.jobs),
                number(backlog.work_h),
                if window.windows > 1 { "each" } else { "the" },
            ));
        }
    }
    out
}

/// The share of a steady-state mean that starting empty may leave out of a
/// run's figures before `validate` warns (see [`settling_warnings`]).
const SETTLING_BIAS: f64 = 0.02;

/// Departments so close to full load that the run may not outlast their
/// start from empty.
///
/// A queue forgets its start at the pace of its relaxation time `τ = E[S] /
/// (c (1 − √ρ)²)` (Morse 1955, exact for M/M/1; taken as the estimate for
/// other service times and for `c` servers): an hour's service at 98 % load
/// takes 413 days. Started empty, a queue misses `D` hours of its steady
/// mean length over the whole transient: `D` is 1.1 to 1.5 times `E[S] / (c
/// (1 − ρ)²)` for M/M/1 to M/M/10 at 80–90 % (integrating the Kolmogorov
/// equations; 1.5 is taken), so after a warm-up `w` the counted `T` hours
/// read low by about `D/T · e^(−w/τ)` of the steady waits. Above [`SETTLING_BIAS`] `validate` warns:
/// every replication starts empty, so they agree on the low value and their
/// interval does not show it.
fn settling_warnings(model: &Model, expected: &Loads) -> Vec<String> {
    // With reorders the load grows through the run to the estimate, an upper
    // bound: the run is a transient by design, and the estimate overstates
    // the settling time.
    if model.customers.reorder.is_some() {
        return Vec::new();
    }
    let sim = &model.simulation;
    let counted = sim.duration_h - sim.warmup_h;
    let mut warnings = Vec::new();
    for (i, set) in expected.sets.iter().enumerate() {
        let (load, service) = (set.load(), set.work_per_job());
        // Parts of a pooled group settle with the group, which has its own entry.
        if !(load > 0.0 && load < 1.0)
            || service <= 0.0
            || set.staff <= 0.0
            || group_of_part(i, expected).is_some()
        {
            continue;
        }
        let settle = service / (set.staff * (1.0 - load.sqrt()).powi(2));
        let deficit = 1.5 * service / (set.staff * (1.0 - load).powi(2));
        if deficit / counted * (-sim.warmup_h / settle).exp() <= SETTLING_BIAS {
            continue;
        }
        let one = set.departments.len() == 1;
        // Two settling times leave e^-2 of the deficit; ten times it counted,
        // 1.4 %: suggest what falls short of those (one of them does).
        let (warmup, counted_enough) = (2.0 * settle, 10.0 * deficit);
        let mut longer = Vec::new();
        if sim.warmup_h < warmup {
            longer.push(format!("`warmup` to at least {}", rounded_up(warmup)));
        }
        if counted < counted_enough {
            longer.push(format!(
                "the counted time (`duration` minus `warmup`) to at least {}",
                rounded_up(counted_enough)
            ));
        }
        let help = if warmup.max(sim.warmup_h) + counted_enough.max(counted) <= MAX_DURATION_H {
            format!("set {}, or lower the load", longer.join(" and "))
        } else {
            "a run long enough to settle would be longer than the 100 years a run may last: \
             lower the load, or read the waits as lower bounds"
                .to_owned()
        };
        warnings.push(format!(
            "warning: {}, at {} of what {} can do, take{} about {} to settle from the \
             empty start, against a warm-up of {} and {} counted: {} waits will read low, \
             and the confidence intervals will not show it.\n  \
             = help: {help} (docs/scenario.md)",
            departments(model, &set.departments),
            percent(load),
            who_serves(model, set),
            if one { "s" } else { "" },
            rounded_up(settle),
            duration(sim.warmup_h),
            duration(counted),
            if one { "its" } else { "their" },
        ));
    }
    warnings
}

/// Who serves a set of departments, for the overload warning: `its 2 people`,
/// with their open hours and the pools that help when there are any.
fn who_serves(model: &Model, set: &Strain) -> String {
    let staff: u32 = set
        .departments
        .iter()
        .map(|&d| model.departments[d].staff)
        .fold(0, u32::saturating_add);
    let one = set.departments.len() == 1;
    let mut who = format!(
        "{} {}",
        if one { "its" } else { "their" },
        human::plural(u64::from(staff), "person", "people")
    );
    if one && let Some(h) = &model.departments[set.departments[0]].hours {
        let open = h.open_hours_per_week();
        let _ = if open >= 1.0 {
            let hours = trim(open);
            let s = if hours == "1" { "" } else { "s" };
            write!(who, " open {hours} hour{s} a week")
        } else {
            write!(who, " open {} a week", duration(open))
        };
    }
    if !set.pools.is_empty() {
        let pool_staff: u32 = set
            .pools
            .iter()
            .map(|&p| model.pools[p].staff)
            .fold(0, u32::saturating_add);
        let _ = write!(
            who,
            " and {} ({}) together",
            pools(model, &set.pools),
            human::plural(u64::from(pool_staff), "person", "people"),
        );
    }
    who
}

/// The load of the pooled group that set `i` is a part of, when it is one:
/// the group's total hides the part's overload. (Looked up, not searched
/// for: a search over every set, for every set, took minutes with 200 000
/// departments.)
fn group_of_part(i: usize, loads: &Loads) -> Option<f64> {
    loads.part_of[i].map(|g| loads.sets[g].load())
}

/// Above this cv a normal truncated at zero draws noticeably more than its `mean`
/// (0.7 % more at 0.4, 6 % at 0.6, 16 % at 0.8; docs/scenario.md).
const NORMAL_CV_LIMIT: f64 = 0.4;

/// Hours in a readable unit with enough decimals to show a truncation's effect.
fn hours(h: f64) -> String {
    if h >= 48.0 {
        format!("{} d", two_places(h / 24.0))
    } else if h >= 1.0 {
        format!("{h:.2} h")
    } else {
        format!("{:.1} min", h * 60.0)
    }
}

/// `x` with two decimals, or in scientific notation from a million on (a cv
/// of 1e300 is not printed as three hundred digits).
fn two_places(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{x:.2e}")
    } else {
        format!("{x:.2}")
    }
}
