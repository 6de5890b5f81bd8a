//! `[[incident]]`: a named time window whose values replace the scenario's
//! (a billing system migration, a strike, a feud between two departments).
//!
//! An incident names one handoff (`handoff = "FROM->TO"`, with any of `lose`,
//! `error`, `catch`, `delay`) or one department (`department = "NAME"`, with
//! `staff` and/or `service`), a window `from`..`to` (durations since the start
//! of the run), and optionally `every`: the window repeats with that period.

use std::collections::HashMap;

use super::build::Lookup;
use super::diagnostic::Diagnostic;
use super::distribution::{self, Use};
use super::read::{
    Errors, Field, Need, Span, Table, declared_name, duration, integer_at_least, name, probability,
    show,
};
use super::suggest::{did_you_mean, list};
use crate::model::{Distribution, HandoffId, Incident, IncidentTarget};

pub const INCIDENT_FIELDS: &[&str] = &[
    "name",
    "from",
    "to",
    "every",
    "handoff",
    "department",
    "lose",
    "error",
    "catch",
    "delay",
    "staff",
    "service",
];

/// The fields that change a handoff, and those that change a department.
const HANDOFF_CHANGES: &[&str] = &["lose", "error", "catch", "delay"];
const DEPARTMENT_CHANGES: &[&str] = &["staff", "service"];

/// The most `[[incident]]` tables a scenario may have. Telling which
/// repeating incidents are in force at each incident's start (`validate`'s
/// estimates) costs the product of their numbers; 10 000 take a second or two,
/// and a year of daily outages replayed one by one is 365.
pub const MAX_INCIDENTS: usize = 10_000;

/// Most incident windows one replication may open, all incidents together.
/// Each window is two events, which are work for the engine however little
/// they change: a billion is minutes per replication, as many as the most
/// arrivals a run may ask for ([`super::build`]'s `MAX_ARRIVALS`).
pub const MAX_WINDOWS: f64 = 1e9;

/// The shortest `every`: a minute, the resolution of opening hours.
const MIN_EVERY_H: f64 = 1.0 / 60.0;

/// Read every `[[incident]]` table. `handoffs` are the handoffs the flows use,
/// by name (`FROM->TO`) in the order of their ids. `None` when any is wrong
/// (reported).
pub(super) fn read(
    errs: &mut Errors,
    tables: &[Table<'_, '_>],
    lookup: &Lookup<'_>,
    handoffs: &[String],
    horizon: Option<f64>,
) -> Option<Vec<Incident>> {
    let by_name: HashMap<&str, HandoffId> = handoffs
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    if let Some(first_extra) = tables.get(MAX_INCIDENTS) {
        errs.push(
            Diagnostic::new(
                first_extra.span.clone(),
                format!(
                    "too many incidents: {} here, at most {MAX_INCIDENTS}",
                    tables.len()
                ),
                format!("incident {} of {}", MAX_INCIDENTS + 1, tables.len()),
            )
            .with_help("a window that comes back at a fixed interval is one incident: give it `every` (e.g. `every = \"7d\"`)"),
        );
        return None;
    }
    let mut seen: HashMap<String, Span> = HashMap::new();
    let mut out = Vec::new();
    let mut ok = true;
    for t in tables {
        match read_one(errs, t, lookup, handoffs, &by_name) {
            Some((incident, span)) => {
                if let Some(first) = seen.get(&incident.name) {
                    errs.push(
                        Diagnostic::new(
                            span,
                            format!("incident `{}` is declared twice", incident.name),
                            "declared again here",
                        )
                        .with_related(first.clone(), "first declared here")
                        .with_help("give each incident a unique name (`--set incident.NAME.FIELD` picks one by name)"),
                    );
                    ok = false;
                } else {
                    seen.insert(incident.name.clone(), span);
                    out.push(incident);
                }
            }
            None => ok = false,
        }
    }
    (ok && bounded_windows(errs, tables, &out, horizon)).then_some(out)
}

/// Whether the incidents open at most [`MAX_WINDOWS`] windows in one
/// replication of `horizon` hours; an error at the incident whose windows
/// pass the limit otherwise (at its `every`, which is what to change).
fn bounded_windows(
    errs: &mut Errors,
    tables: &[Table<'_, '_>],
    incidents: &[Incident],
    horizon: Option<f64>,
) -> bool {
    let Some(horizon) = horizon else { return true };
    let counts: Vec<f64> = incidents
        .iter()
        .map(|i| i.windows_before(horizon) as f64)
        .collect();
    let total: f64 = counts.iter().sum();
    if total <= MAX_WINDOWS {
        return true;
    }
    // Every incident was read, so tables and incidents are in step.
    let mut so_far = 0.0;
    let past = counts
        .iter()
        .position(|&n| {
            so_far += n;
            so_far > MAX_WINDOWS
        })
        .unwrap_or(counts.len() - 1);
    let table = &tables[past];
    let at = table.get("every").map_or(table.span.clone(), |v| v.span());
    errs.push(
        Diagnostic::new(
            at,
            format!(
                // One incident opens at most a window a minute: 5.3e7 in 100 years.
                "the incidents open too many windows: {total:.2e} in one replication of {}, more than 1e9",
                show(horizon)
            ),
            format!(
                "`{}` brings the count past 1e9 ({:.2e} windows of its own)",
                incidents[past].name, counts[past]
            ),
        )
        .with_help(
            "each window is work for the simulation, however little it changes: a run this large would take hours per replication; repeat less often (a longer `every`), or shorten `duration` and add `replications` for more data",
        ),
    );
    false
}

fn read_one(
    errs: &mut Errors,
    t: &Table<'_, '_>,
    lookup: &Lookup<'_>,
    handoffs: &[String],
    by_name: &HashMap<&str, HandoffId>,
) -> Option<(Incident, Span)> {
    let mut t = Table::new(t.what.clone(), t.span.clone(), t.entries);
    if let Some(n) = t.get("name").and_then(|v| v.get_ref().as_str()) {
        t.what = format!("incident `{n}`");
    }
    t.check_fields(errs, INCIDENT_FIELDS);
    let what = t.what.clone();
    let incident_name = t.required(errs, "name", "name = \"billing migration\"", declared_name);
    let name_span = t.get("name").map_or(t.span.clone(), |v| v.span());
    let from = t.required(
        errs,
        "from",
        "from = \"120d\"",
        duration(Need::NonNegative, "d"),
    );
    let to = t.required(errs, "to", "to = \"150d\"", duration(Need::Positive, "d"));
    let to = match (from, to) {
        (Some(f), Some(e)) if e <= f => {
            let mut d = Diagnostic::new(
                t.get("to").map_or(t.span.clone(), |v| v.span()),
                format!(
                    "{what} ends at {} but starts at {}: `to` must be after `from`",
                    show(e),
                    show(f)
                ),
                "expected a time after `from`",
            )
            .with_help("`from` and `to` are times since the start of the run: e.g. `from = \"120d\"`, `to = \"150d\"`");
            if let Some(v) = t.get("from") {
                d = d.with_related(v.span(), "the window starts here");
            }
            errs.push(d);
            None
        }
        _ => to,
    };
    let every = match t.field(errs, "every", duration(Need::Positive, "d")) {
        Field::Missing => Some(None),
        Field::Invalid => None,
        Field::Ok(p) if p < MIN_EVERY_H => {
            // Each repetition of a department window is two changes of the
            // staff on duty: a period of seconds over a long run is billions
            // of events for what is really a change of the scenario's values.
            errs.push(
                Diagnostic::new(
                    t.get("every").map_or(t.span.clone(), |v| v.span()),
                    format!("{what} repeats more often than once a minute: too often to be a window"),
                    "expected a period of at least 1 minute",
                )
                .with_help("an incident is an episode (an outage each month: `every = \"30d\"`); for a change that lasts the whole run, set the handoff's or department's own value instead"),
            );
            None
        }
        Field::Ok(p) => match (from, to) {
            (Some(f), Some(e)) if p <= e - f => {
                errs.push(
                    Diagnostic::new(
                        t.get("every").map_or(t.span.clone(), |v| v.span()),
                        format!(
                            "{what} repeats every {} but lasts {}: `every` must be longer than the window",
                            show(p),
                            show(e - f)
                        ),
                        "expected a period longer than `to` - `from`",
                    )
                    .with_help("`every` is the time from one start of the window to the next: e.g. a 2-day outage each month is `from = \"0d\"`, `to = \"2d\"`, `every = \"30d\"`; leave `every` out for a window that happens once"),
                );
                None
            }
            _ => Some(Some(p)),
        },
    };
    let present = |keys: &'static [&'static str]| -> Vec<&'static str> {
        keys.iter()
            .copied()
            .filter(|k| t.get(k).is_some())
            .collect()
    };
    let target = match (t.get("handoff"), t.get("department")) {
        (Some(_), Some(d)) => {
            let mut diag = Diagnostic::new(
                d.span(),
                format!("{what} names both a handoff and a department"),
                "expected either `handoff` or `department`, not both",
            )
            .with_help("an incident changes one handoff or one department: split it into two [[incident]] tables with different names");
            if let Some(h) = t.get("handoff") {
                diag = diag.with_related(h.span(), "the handoff it names");
            }
            errs.push(diag);
            None
        }
        (None, None) => {
            errs.push(
                Diagnostic::new(
                    t.span.clone(),
                    format!("{what} names neither a handoff nor a department"),
                    "expected `handoff` or `department`",
                )
                .with_help("add `handoff = \"billing->customer\"` (with `lose`, `error`, `catch` or `delay`) or `department = \"billing\"` (with `staff` or `service`)"),
            );
            None
        }
        (Some(h), None) => {
            let misplaced = present(DEPARTMENT_CHANGES);
            for k in &misplaced {
                let span = t.get(k).map_or(t.span.clone(), |v| v.span());
                errs.push(
                    Diagnostic::new(
                        span,
                        format!("`{k}` changes a department, but {what} is about a handoff"),
                        "expected `lose`, `error`, `catch` or `delay` on a handoff incident",
                    )
                    .with_help(format!(
                        "a handoff incident changes `lose`, `error`, `catch` or `delay`; for `{k}`, write a second [[incident]] with `department = \"NAME\"`"
                    )),
                );
            }
            let handoff = handoff_named(errs, h, handoffs, by_name, &what);
            let changes = present(HANDOFF_CHANGES);
            if changes.is_empty() && misplaced.is_empty() {
                errs.push(nothing_changes(&t, &what, "error = 0.25"));
            }
            let lose = t.field(errs, "lose", probability);
            let error = t.field(errs, "error", probability);
            let catch = t.field(errs, "catch", probability);
            let delay = t.field(errs, "delay", |errs, key, v| {
                distribution::read(
                    errs,
                    key,
                    v,
                    Use {
                        positive_mean: false,
                        unit: "h",
                    },
                )
            });
            let opt = |f: Field<f64>| match f {
                Field::Missing => Some(None),
                Field::Invalid => None,
                Field::Ok(x) => Some(Some(x)),
            };
            let delay: Option<Option<Option<Distribution>>> = match delay {
                Field::Missing => Some(None),
                Field::Invalid => None,
                Field::Ok(d) if d.is_zero() => Some(Some(None)),
                Field::Ok(d) => Some(Some(Some(d))),
            };
            let (lose, error, catch) = (opt(lose), opt(error), opt(catch));
            if !misplaced.is_empty() || (changes.is_empty()) {
                None
            } else {
                Some(IncidentTarget::Handoff {
                    handoff: handoff?,
                    lose: lose?,
                    error: error?,
                    catch: catch?,
                    delay: delay?,
                })
            }
        }
        (None, Some(d)) => {
            let misplaced = present(HANDOFF_CHANGES);
            for k in &misplaced {
                let span = t.get(k).map_or(t.span.clone(), |v| v.span());
                errs.push(
                    Diagnostic::new(
                        span,
                        format!("`{k}` changes a handoff, but {what} is about a department"),
                        "expected `staff` or `service` on a department incident",
                    )
                    .with_help(format!(
                        "a department incident changes `staff` or `service`; for `{k}`, write a second [[incident]] with `handoff = \"FROM->TO\"`"
                    )),
                );
            }
            let department = lookup.department(errs, "department", d, &what);
            let changes = present(DEPARTMENT_CHANGES);
            if changes.is_empty() && misplaced.is_empty() {
                errs.push(nothing_changes(&t, &what, "staff = 0"));
            }
            let staff = match t.field(errs, "staff", integer_at_least(0)) {
                Field::Missing => Some(None),
                Field::Invalid => None,
                Field::Ok(n) => match u32::try_from(n) {
                    Ok(n) => Some(Some(n)),
                    Err(_) => {
                        errs.push(Diagnostic::new(
                            t.get("staff").map_or(t.span.clone(), |v| v.span()),
                            format!("`staff` is too large, got {n}"),
                            format!("expected at most {}", u32::MAX),
                        ));
                        None
                    }
                },
            };
            let service = match t.field(errs, "service", |errs, key, v| {
                distribution::read(
                    errs,
                    key,
                    v,
                    Use {
                        positive_mean: true,
                        unit: "h",
                    },
                )
            }) {
                Field::Missing => Some(None),
                Field::Invalid => None,
                Field::Ok(s) => Some(Some(s)),
            };
            if !misplaced.is_empty() || changes.is_empty() {
                None
            } else {
                Some(IncidentTarget::Department {
                    department: department?,
                    staff: staff?,
                    service: service?,
                })
            }
        }
    };
    Some((
        Incident {
            name: incident_name?,
            from_h: from?,
            to_h: to?,
            every_h: every?,
            target: target?,
        },
        name_span,
    ))
}

/// The handoff `FROM->TO` a value names, among those the flows use.
fn handoff_named(
    errs: &mut Errors,
    v: &super::read::Value<'_>,
    handoffs: &[String],
    by_name: &HashMap<&str, HandoffId>,
    what: &str,
) -> Option<HandoffId> {
    let text = name(errs, "handoff", v)?;
    let normalised = match text.split_once("->") {
        Some((f, t)) => format!("{}->{}", f.trim(), t.trim()),
        None => text.clone(),
    };
    if let Some(&id) = by_name.get(normalised.as_str()) {
        return Some(id);
    }
    let used = if handoffs.is_empty() {
        "no flow hands work on yet".to_owned()
    } else {
        format!(
            "the flows use {}",
            list(handoffs.iter().map(String::as_str))
        )
    };
    let help = if !text.contains("->") {
        format!(
            "name a handoff by its two ends, `FROM->TO` (the last step's is `NAME->customer`); {used}"
        )
    } else {
        match did_you_mean(&normalised, handoffs.iter().map(String::as_str)) {
            Some(d) => format!("{d} ({used})"),
            None => format!("{used}: an incident changes a handoff some flow makes"),
        }
    };
    errs.push(
        Diagnostic::new(
            v.span(),
            format!("unknown handoff `{text}` in {what}"),
            "expected a handoff some flow uses, `FROM->TO`",
        )
        .with_help(help),
    );
    None
}

fn nothing_changes(t: &Table<'_, '_>, what: &str, example: &str) -> Diagnostic {
    Diagnostic::new(
        t.span.clone(),
        format!("{what} changes nothing"),
        "expected a value that replaces the scenario's inside the window",
    )
    .with_help(format!(
        "add what changes during the window, e.g. `{example}`"
    ))
}
