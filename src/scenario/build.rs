//! The spanned TOML tree → [`Model`]: every section read, every cross-reference
//! checked, every error collected.

use std::collections::HashMap;

use toml::de::{DeTable, DeValue};

use super::diagnostic::Diagnostic;
use super::distribution::{self, Use};
use super::read::{
    Errors, Field, Need, Span, Table, Value, declared_name, duration, integer_at_least, money,
    name, probability, rate, show, shown_text, unknown_field, wrong_type,
};
use super::structure;
use super::suggest::{closest, did_you_mean, list};
use crate::model::{
    Complaints, Customers, Department, DeptId, Distribution, Flow, Handoff, HandoffId, Hours,
    Model, ProblemOdds, Simulation, StayOdds, Target,
};

/// Top-level tables a scenario may have.
pub const SECTIONS: &[&str] = &[
    "scenario",
    "simulation",
    "customers",
    "problem",
    "stay",
    "complaints",
    "department",
    "flow",
    "handoff",
    "incident",
    "pool",
    "learning",
    "policy",
    "morale",
];
const SINGLE: &[&str] = &[
    "scenario",
    "simulation",
    "customers",
    "problem",
    "stay",
    "complaints",
    "learning",
    "policy",
    "morale",
];

pub const SCENARIO_FIELDS: &[&str] = &["name", "description"];
pub const SIMULATION_FIELDS: &[&str] = &["duration", "warmup", "seed", "replications", "max_live"];
pub const CUSTOMER_FIELDS: &[&str] = &[
    "arrival_rate",
    "reorder",
    "churn",
    "order_value",
    "promise",
    "patience",
    "complain_share",
    "word_of_mouth",
    "deter",
    "abusive_share",
];
pub const PROBLEM_FIELDS: &[&str] = &["late", "lost_order", "defect", "rude", "friction"];
pub const STAY_FIELDS: &[&str] = &[
    "silent",
    "unresolved",
    "resolved",
    "resolved_quickly",
    "recovery_paradox",
];
pub const COMPLAINT_FIELDS: &[&str] = &["department", "empowerment", "resolve_within", "priority"];
pub const DEPARTMENT_FIELDS: &[&str] = &["name", "staff", "service", "hours", "cost", "rude"];
pub const FLOW_FIELDS: &[&str] = &["name", "share", "steps", "priority"];
pub const POOL_FIELDS: &[&str] = &["name", "staff", "serves", "hours", "cost"];
pub const HANDOFF_FIELDS: &[&str] = &["from", "to", "delay", "lose", "error", "catch"];

/// Defaults of the `[customers]` fields that have one.
pub const DEFAULT_PROMISE_H: f64 = 7.0 * 24.0;
/// Patience defaults to this many promises.
pub const DEFAULT_PATIENCE_PROMISES: f64 = 2.0;
pub const DEFAULT_COMPLAIN_SHARE: f64 = 1.0 / 27.0;
pub const DEFAULT_WORD_OF_MOUTH: u32 = 9;
pub const DEFAULT_DETER: f64 = 0.3;
pub const DEFAULT_ABUSIVE_SHARE: f64 = 0.02;
pub const DEFAULT_RESOLVE_WITHIN_H: f64 = 2.0 * 24.0;
/// The longest `duration`: a hundred years of 365 days.
pub const MAX_DURATION_H: f64 = 36_500.0 * 24.0;
/// The shortest `duration`: less simulates nothing a report could show (and
/// `1e-9s`, a slip of the unit, ran and reported a horizon of 0 days).
pub const MIN_DURATION_H: f64 = 1.0;
/// Orders and complaints in progress at which a replication stops (`max_live`).
pub const DEFAULT_MAX_LIVE: u64 = 1_000_000;
/// The most new customers a replication may expect (`arrival_rate` ×
/// `duration`): each is thousands of instructions and several events, so a
/// billion is minutes per replication already; more is nearly always a unit
/// typo (`"20/s"` for `"20/d"`) that would run for hours or days.
pub const MAX_ARRIVALS: f64 = 1e9;
/// The largest `max_live`: order and complaint slots are 32-bit.
pub const MAX_MAX_LIVE: u64 = 100_000_000;

/// The most `replications` a scenario may ask for (docs/scenario.md), as
/// `experiment::MAX_REPLICATIONS` (which `--replications` is held to; the
/// CLI checks the model against that one too).
pub const MAX_REPLICATIONS: u32 = 1_000_000;

/// Span of the very start of the file, for things missing from the whole file.
const TOP: Span = 0..0;

/// A department as read, before cross-checks.
struct DeptSpec {
    name: Option<(String, Span)>,
    staff: Option<u32>,
    /// Where `staff` is written, for a department with none of its own.
    staff_span: Span,
    service: Option<Distribution>,
    rude: Option<f64>,
    hours: Option<Option<Hours>>,
    cost: Option<f64>,
}

struct FlowSpec {
    name: String,
    span: Span,
    share: Option<f64>,
    share_span: Span,
    /// `None` when some step is not a department (already reported).
    steps: Option<Vec<DeptId>>,
    priority: Option<i32>,
}

struct HandoffSpec {
    span: Span,
    from: Option<DeptId>,
    to: Option<Target>,
    delay: Option<Option<Distribution>>,
    lose: Option<f64>,
    error: Option<f64>,
    catch: Option<f64>,
}

/// Read the whole tree into a model, or collect every error in `errs`.
pub fn model(root: &DeTable<'_>, errs: &mut Errors) -> Option<Model> {
    let mut singles: HashMap<&str, Table<'_, '_>> = HashMap::new();
    let mut arrays: HashMap<&str, Vec<Table<'_, '_>>> = HashMap::new();
    let present: Vec<&str> = root.keys().map(|k| -> &str { k.get_ref() }).collect();
    let missing_section = |errs: &mut Errors, key: &str, example: &str| {
        // A section written wrongly, or misspelt, was reported already.
        let misspelt = present
            .iter()
            .any(|p| !SECTIONS.contains(p) && closest(p, SECTIONS.iter().copied()) == Some(key));
        if !present.contains(&key) && !misspelt {
            errs.push(missing_section(key, example));
        }
    };
    for (key, value) in root.iter() {
        let k: &str = key.get_ref();
        if SINGLE.contains(&k) {
            if let Some(t) = single_section(errs, k, value) {
                singles.insert(k, t);
            }
        } else if SECTIONS.contains(&k) {
            arrays.insert(k, array_section(errs, k, value));
        } else {
            errs.push(unknown_field(key.span(), k, "the scenario file", SECTIONS));
        }
    }

    let (scenario_name, description) = match singles.get("scenario") {
        Some(t) => {
            let mut t = Table::new(t.what.clone(), t.span.clone(), t.entries);
            t.check_fields(errs, SCENARIO_FIELDS);
            let n = t
                .required(errs, "name", "name = \"Baseline\"", name)
                .filter(|_| {
                    let check = shown_text(false);
                    t.get("name")
                        .is_none_or(|v| check(errs, "name", v).is_some())
                });
            let d = t
                .field(errs, "description", |errs, key, v| {
                    let text = shown_text(true)(errs, key, v)?;
                    let chars = text.chars().count();
                    if chars > super::MAX_DESCRIPTION_CHARS {
                        errs.push(
                            Diagnostic::new(
                                v.span(),
                                format!("`{key}` is too long: {chars} characters"),
                                format!(
                                    "expected at most {} characters",
                                    super::MAX_DESCRIPTION_CHARS
                                ),
                            )
                            .with_help("the description is shown under the report's title: keep it to a paragraph or two, and the rest in comments (`#`) in the file"),
                        );
                        return None;
                    }
                    Some(text)
                })
                .or(String::new());
            (n, d)
        }
        None => {
            missing_section(errs, "scenario", "name = \"Baseline\"");
            (None, Some(String::new()))
        }
    };

    let simulation = match singles.get_mut("simulation") {
        Some(t) => read_simulation(errs, t),
        None => {
            missing_section(errs, "simulation", "duration = \"365d\"");
            None
        }
    };

    let horizon = simulation.as_ref().map(|s| s.duration_h);
    let customers = match singles.get_mut("customers") {
        Some(t) => read_customers(errs, t, horizon),
        None => {
            missing_section(errs, "customers", "arrival_rate = \"20/d\"");
            None
        }
    };

    let problem = singles
        .get_mut("problem")
        .map_or(Some(ProblemOdds::default()), |t| {
            t.check_fields(errs, PROBLEM_FIELDS);
            let d = ProblemOdds::default();
            Some(ProblemOdds {
                late: t.field(errs, "late", probability).or(d.late)?,
                lost_order: t.field(errs, "lost_order", probability).or(d.lost_order)?,
                defect: t.field(errs, "defect", probability).or(d.defect)?,
                rude: t.field(errs, "rude", probability).or(d.rude)?,
                friction: t.field(errs, "friction", probability).or(d.friction)?,
            })
        });

    let stay = singles
        .get_mut("stay")
        .map_or(Some(StayOdds::default()), |t| {
            t.check_fields(errs, STAY_FIELDS);
            let d = StayOdds::default();
            let silent = t.field(errs, "silent", probability).or(d.silent);
            let unresolved = t.field(errs, "unresolved", probability).or(d.unresolved);
            let resolved = t.field(errs, "resolved", probability).or(d.resolved);
            let resolved_quickly = t
                .field(errs, "resolved_quickly", probability)
                .or(d.resolved_quickly);
            let recovery_paradox = t
                .field(errs, "recovery_paradox", probability)
                .or(d.recovery_paradox);
            Some(StayOdds {
                silent: silent?,
                unresolved: unresolved?,
                resolved: resolved?,
                resolved_quickly: resolved_quickly?,
                recovery_paradox: recovery_paradox?,
            })
        });

    let morale = match singles.get_mut("morale") {
        Some(t) => super::morale::read_morale(errs, t).map(Some),
        None => Some(None),
    };

    // Departments.
    let dept_tables = arrays.remove("department").unwrap_or_default();
    if dept_tables.is_empty() && !present.contains(&"department") {
        errs.push(missing_array(
            "department",
            "a scenario needs at least one department",
            "[[department]] name = \"sales\", staff = 2, service = { dist = \"exponential\", mean = \"1h\" }",
        ));
    }
    at_most_tables(errs, &dept_tables, "department", crate::engine::MAX_UNITS);
    let depts: Vec<DeptSpec> = dept_tables
        .iter()
        .map(|t| read_department(errs, t, horizon))
        .collect();
    let mut dept_ids: HashMap<String, DeptId> = HashMap::new();
    let mut first_span: HashMap<String, Span> = HashMap::new();
    for (i, d) in depts.iter().enumerate() {
        let Some((n, span)) = &d.name else { continue };
        if n == "customer" {
            errs.push(
                Diagnostic::new(span.clone(), "`customer` cannot be a department name", "reserved for the external customer")
                    .with_help("handoffs name the external customer `customer`; choose another name, e.g. `customer service`"),
            );
            continue;
        }
        if let Some(first) = first_span.get(n) {
            errs.push(
                Diagnostic::new(
                    span.clone(),
                    format!("department `{n}` is declared twice"),
                    "declared again here",
                )
                .with_related(first.clone(), "first declared here")
                .with_help("give each department a unique name"),
            );
            continue;
        }
        first_span.insert(n.clone(), span.clone());
        dept_ids.insert(n.clone(), i);
    }
    let dept_names: Vec<&str> = depts
        .iter()
        .filter_map(|d| d.name.as_ref().map(|(n, _)| n.as_str()))
        .collect();
    let dept_names = {
        // A set beside the list: a file may declare thousands.
        let mut seen = std::collections::HashSet::new();
        let mut names = Vec::new();
        for n in dept_names {
            if n != "customer" && seen.insert(n) {
                names.push(n);
            }
        }
        names
    };
    // Names refused above: a reference to one is not reported again as unknown.
    let refused: std::collections::HashSet<&str> = dept_tables
        .iter()
        .zip(&depts)
        .filter(|(_, d)| d.name.is_none())
        .filter_map(|(t, _)| t.get("name").and_then(|v| v.get_ref().as_str()))
        .collect();
    let lookup = Lookup {
        refused: &refused,
        ids: &dept_ids,
        names: &dept_names,
        suggested: std::cell::Cell::new(0),
        declared: std::cell::OnceCell::new(),
    };

    // Pools (scenario/structure.rs), and departments with no staff of their own.
    let pool_tables = arrays.remove("pool").unwrap_or_default();
    at_most_tables(errs, &pool_tables, "pool", crate::engine::MAX_UNITS);
    let pools: Vec<structure::PoolSpec> = pool_tables
        .iter()
        .map(|t| structure::read_pool(errs, t, &lookup))
        .collect();
    let zero_staff: Vec<(DeptId, String, Span)> = depts
        .iter()
        .enumerate()
        .filter(|(_, d)| d.staff == Some(0))
        .filter_map(|(i, d)| Some((i, d.name.as_ref()?.0.clone(), d.staff_span.clone())))
        .collect();
    structure::check_pools(errs, &pools, &zero_staff);

    // Complaints.
    let complaints = match singles.get_mut("complaints") {
        None => Some(None),
        Some(t) => {
            t.check_fields(errs, COMPLAINT_FIELDS);
            let dept = t.required(
                errs,
                "department",
                "department = \"support\"",
                |errs, key, v| lookup.department(errs, key, v, "complaints"),
            );
            let empowerment = t.field(errs, "empowerment", probability).or(0.0);
            let priority = structure::read_priority(errs, t);
            let within = t
                .field(errs, "resolve_within", duration(Need::Positive, "d"))
                .or(DEFAULT_RESOLVE_WITHIN_H)
                .filter(|&w| {
                    resolvable(
                        errs,
                        horizon,
                        t.get("resolve_within").map(|v| v.span()),
                        "resolve_within",
                        w,
                    )
                });
            match (dept, empowerment, within, priority) {
                (Some(department), Some(empowerment), Some(resolve_within_h), Some(priority)) => {
                    Some(Some(Complaints {
                        department,
                        empowerment,
                        resolve_within_h,
                        priority,
                    }))
                }
                _ => None,
            }
        }
    };

    let learning = super::people::read_learning(errs, singles.get_mut("learning"));
    let policy = super::people::read_policy(errs, singles.get_mut("policy"));

    // Flows.
    let flow_tables = arrays.remove("flow").unwrap_or_default();
    if flow_tables.is_empty() && !present.contains(&"flow") {
        errs.push(missing_array(
            "flow",
            "a scenario needs at least one flow: the route orders take",
            "[[flow]] name = \"standard\", steps = [\"sales\", \"production\"]",
        ));
    }
    let single_flow = flow_tables.len() == 1;
    let flows: Vec<FlowSpec> = flow_tables
        .iter()
        .map(|t| read_flow(errs, t, single_flow, &lookup))
        .collect();
    check_flows(errs, &flows);

    // Which handoffs the flows use, in order of first appearance.
    let all_steps_known = flows.iter().all(|f| f.steps.is_some());
    let mut used: Vec<(DeptId, Target)> = Vec::new();
    let mut used_set: std::collections::HashSet<PairKey> = std::collections::HashSet::new();
    for f in &flows {
        for pair in flow_pairs(f.steps.as_deref().unwrap_or(&[])) {
            if used_set.insert(key(pair.0, pair.1)) {
                used.push(pair);
            }
        }
    }

    // Listed handoffs.
    let handoff_tables = arrays.remove("handoff").unwrap_or_default();
    let handoffs: Vec<HandoffSpec> = handoff_tables
        .iter()
        .map(|t| read_handoff(errs, t, &lookup, horizon))
        .collect();
    let mut listed: HashMap<PairKey, usize> = HashMap::new();
    for (i, h) in handoffs.iter().enumerate() {
        let (Some(from), Some(to)) = (h.from, h.to) else {
            continue;
        };
        let pair_name = pair_name_of(&depts, from, to);
        if let Some(&first) = listed.get(&key(from, to)) {
            errs.push(
                Diagnostic::new(
                    h.span.clone(),
                    format!("handoff `{pair_name}` is listed twice"),
                    "listed again here",
                )
                .with_related(handoffs[first].span.clone(), "first listed here")
                .with_help("merge the two [[handoff]] tables into one"),
            );
            continue;
        }
        listed.insert(key(from, to), i);
        if all_steps_known && !used_set.contains(&key(from, to)) {
            let connected: Vec<String> = used
                .iter()
                .map(|&(f, t)| pair_name_of(&depts, f, t))
                .collect();
            let (from_name, to_name) = pair_name.split_once("->").unwrap_or((&pair_name, ""));
            errs.push(
                Diagnostic::new(
                    h.span.clone(),
                    format!("no flow hands work from `{from_name}` to `{to_name}`"),
                    format!("handoff `{pair_name}` is never used"),
                )
                .with_help(if connected.is_empty() {
                    "no flow connects any departments yet".to_owned()
                } else if to_name == "customer" {
                    // `customer` is never a step: work goes to the customer after a flow's last step.
                    format!(
                        "flows connect {}; work reaches the customer after a flow's last step, so use one of these, or make `{from_name}` the last step of a flow",
                        list(connected.iter().map(String::as_str))
                    )
                } else {
                    format!(
                        "flows connect {}; use one of these, or add `{to_name}` right after `{from_name}` in a flow's steps",
                        list(connected.iter().map(String::as_str))
                    )
                }),
            );
        }
    }

    // Incident windows, on the handoffs the flows use (ids in the order of `used`).
    let incident_tables = arrays.remove("incident").unwrap_or_default();
    let handoff_names: Vec<String> = used
        .iter()
        .map(|&(f, t)| pair_name_of(&depts, f, t))
        .collect();
    let incidents = super::incident::read(errs, &incident_tables, &lookup, &handoff_names, horizon);

    // Assemble; any error above means no model.
    if !errs.0.is_empty() {
        return None;
    }
    let departments = depts
        .into_iter()
        .map(|d| {
            Some(Department {
                name: d.name?.0,
                staff: d.staff?,
                service: d.service?,
                hours: d.hours?,
                cost: d.cost?,
                rude: d.rude?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let mut table: Vec<Handoff> = Vec::new();
    let mut ids: HashMap<PairKey, HandoffId> = HashMap::new();
    for &(from, to) in &used {
        let h = match listed.get(&key(from, to)) {
            Some(&i) => {
                let h = &handoffs[i];
                Handoff {
                    from,
                    to,
                    delay: h.delay.clone()?,
                    lose: h.lose?,
                    error: h.error?,
                    catch: h.catch?,
                }
            }
            None => Handoff {
                from,
                to,
                delay: None,
                lose: 0.0,
                error: 0.0,
                catch: 0.0,
            },
        };
        ids.insert(key(from, to), table.len());
        table.push(h);
    }
    let flows = flows
        .into_iter()
        .map(|f| {
            let steps = f.steps?;
            let handoffs = flow_pairs(&steps)
                .map(|(f, t)| ids.get(&key(f, t)).copied())
                .collect::<Option<Vec<_>>>()?;
            Some(Flow {
                name: f.name,
                share: f.share?,
                steps,
                handoffs,
                priority: f.priority?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Model {
        name: scenario_name?,
        description: description?,
        simulation: simulation?,
        customers: customers?,
        problem: problem?,
        stay: stay?,
        complaints: complaints?,
        departments,
        flows,
        handoffs: table,
        pools: structure::assemble(pools)?,
        incidents: incidents?,
        morale: morale?,
        learning: learning?,
        policy: policy?,
    })
}

/// A handoff pair as a map key (`None`: the customer).
type PairKey = (DeptId, Option<DeptId>);

fn key(from: DeptId, to: Target) -> PairKey {
    match to {
        Target::Department(d) => (from, Some(d)),
        Target::Customer => (from, None),
    }
}

/// The transfers a route makes: each step to the next, the last to the customer.
fn flow_pairs(steps: &[DeptId]) -> impl Iterator<Item = (DeptId, Target)> + '_ {
    steps.iter().enumerate().map(|(i, &s)| {
        let to = steps
            .get(i + 1)
            .map_or(Target::Customer, |&n| Target::Department(n));
        (s, to)
    })
}

fn pair_name_of(depts: &[DeptSpec], from: DeptId, to: Target) -> String {
    let name = |d: DeptId| {
        depts
            .get(d)
            .and_then(|d| d.name.as_ref())
            .map_or("?", |(n, _)| n.as_str())
    };
    let to = match to {
        Target::Department(d) => name(d),
        Target::Customer => "customer",
    };
    format!("{}->{to}", name(from))
}

fn missing_section(key: &str, example: &str) -> Diagnostic {
    Diagnostic::new(
        TOP,
        format!("missing section [{key}]"),
        format!("expected a [{key}] table in this file"),
    )
    .with_help(format!(
        "add a [{key}] table with at least `{example}`; see docs/scenario.md"
    ))
}

/// Refuses more `[[key]]` tables than `max`, at the first one too many. The
/// engine names a department or a pool in 28 bits of each event
/// ([`crate::engine::MAX_UNITS`]): a scenario beyond that is not a model of a
/// company (and would not fit in memory), but it gets an error, not wrong answers.
fn at_most_tables(errs: &mut Errors, tables: &[Table], key: &str, max: usize) {
    if let Some(first_too_many) = tables.get(max) {
        errs.push(Diagnostic::new(
            first_too_many.span.clone(),
            format!("too many [[{key}]] tables: {}", tables.len()),
            format!("expected at most {max}"),
        ));
    }
}

fn missing_array(key: &str, why: &str, example: &str) -> Diagnostic {
    Diagnostic::new(TOP, format!("no [[{key}]] in this file"), why)
        .with_help(format!("add e.g. `{example}` (one field per line)"))
}

/// A section that must appear once: `[simulation]`.
fn single_section<'a, 'i>(
    errs: &mut Errors,
    key: &str,
    value: &'a Value<'i>,
) -> Option<Table<'a, 'i>> {
    match value.get_ref() {
        DeValue::Table(t) => Some(Table::new(format!("[{key}]"), value.span(), t)),
        DeValue::Array(a) if a.iter().all(|e| e.get_ref().is_table()) => {
            errs.push(
                Diagnostic::new(
                    value.span(),
                    format!("`[[{key}]]` should be `[{key}]`"),
                    format!("expected a single [{key}] table"),
                )
                .with_help(format!(
                    "write `[{key}]` with single brackets: a scenario has only one"
                )),
            );
            None
        }
        other => {
            errs.push(wrong_type(
                value.span(),
                key,
                &format!("a [{key}] table"),
                other,
            ));
            None
        }
    }
}

/// A section that may appear many times: `[[department]]`.
fn array_section<'a, 'i>(errs: &mut Errors, key: &str, value: &'a Value<'i>) -> Vec<Table<'a, 'i>> {
    match value.get_ref() {
        DeValue::Array(a) => a
            .iter()
            .filter_map(|e| match e.get_ref() {
                DeValue::Table(t) => Some(Table::new(format!("[[{key}]]"), e.span(), t)),
                other => {
                    errs.push(wrong_type(
                        e.span(),
                        key,
                        &format!("a [[{key}]] table"),
                        other,
                    ));
                    None
                }
            })
            .collect(),
        DeValue::Table(t) => {
            errs.push(
                Diagnostic::new(
                    value.span(),
                    format!("`[{key}]` should be `[[{key}]]`"),
                    "expected double brackets",
                )
                .with_help(format!(
                    "write `[[{key}]]`: each [[{key}]] table adds one {key}"
                )),
            );
            // Still read it, to find the errors inside.
            vec![Table::new(format!("[[{key}]]"), value.span(), t)]
        }
        other => {
            errs.push(wrong_type(
                value.span(),
                key,
                &format!("[[{key}]] tables"),
                other,
            ));
            Vec::new()
        }
    }
}

fn to_u32(errs: &mut Errors, t: &Table<'_, '_>, key: &str, n: i64) -> Option<u32> {
    match u32::try_from(n) {
        Ok(x) => Some(x),
        Err(_) => {
            let span = t.get(key).map_or(t.span.clone(), |v| v.span());
            errs.push(Diagnostic::new(
                span,
                format!("`{key}` is too large, got {n}"),
                format!("expected at most {}", u32::MAX),
            ));
            None
        }
    }
}

fn read_simulation(errs: &mut Errors, t: &mut Table<'_, '_>) -> Option<Simulation> {
    t.check_fields(errs, SIMULATION_FIELDS);
    let duration_h = t.required(
        errs,
        "duration",
        "duration = \"365d\"",
        duration(Need::Positive, "d"),
    );
    let warmup_h = t
        .field(errs, "warmup", duration(Need::NonNegative, "d"))
        .or(0.0);
    let seed = t.field(errs, "seed", integer_at_least(0)).or(1);
    let replications = t.field(errs, "replications", integer_at_least(1)).or(1);
    let replications = replications.and_then(|n| {
        if n <= i64::from(MAX_REPLICATIONS) {
            return to_u32(errs, t, "replications", n);
        }
        let span = t.get("replications").map_or(t.span.clone(), |v| v.span());
        errs.push(
            Diagnostic::new(
                span,
                format!("`replications` is too large: {n} is more than {MAX_REPLICATIONS}"),
                format!("expected at most {MAX_REPLICATIONS}"),
            )
            .with_help(
                "a few hundred replications already give tight intervals; split long experiments with --shard I/N",
            ),
        );
        None
    });
    let max_live = t
        .field(errs, "max_live", integer_at_least(1))
        .or(DEFAULT_MAX_LIVE as i64)
        .and_then(|n| at_most(errs, t, "max_live", n, MAX_MAX_LIVE));
    let duration_h = duration_h.and_then(|d| {
        if d < MIN_DURATION_H {
            let span = t.get("duration").map_or(t.span.clone(), |v| v.span());
            errs.push(
                Diagnostic::new(
                    span,
                    format!(
                        "`duration` is too short: {} is less than an hour",
                        if d * 60.0 < 1.0 { format!("{:.2e}s", d * 3600.0) } else { show(d) }
                    ),
                    "expected at least \"1h\"",
                )
                .with_help("`duration` is the simulated time of one replication, warm-up included, e.g. \"365d\""),
            );
            return None;
        }
        if d <= MAX_DURATION_H {
            return Some(d);
        }
        let span = t.get("duration").map_or(t.span.clone(), |v| v.span());
        errs.push(
            Diagnostic::new(
                span,
                format!("`duration` is too long: {} is more than 36500 days (100 years)", show(d)),
                "expected at most \"36500d\"",
            )
            .with_help("a replication may simulate at most 36500 days (100 years); use more `replications` for more data"),
        );
        None
    });
    if let (Some(d), Some(w)) = (duration_h, warmup_h)
        && w >= d
    {
        let warm_span = t.get("warmup").map_or(t.span.clone(), |v| v.span());
        let mut diag = Diagnostic::new(
            warm_span,
            format!(
                "`warmup` ({}) must be shorter than `duration` ({})",
                show(w),
                show(d)
            ),
            "expected less than the duration",
        )
        .with_help("`duration` includes the warm-up: make it longer, or the warm-up shorter");
        if let Some(v) = t.get("duration") {
            diag = diag.with_related(v.span(), "the whole run, warm-up included");
        }
        errs.push(diag);
        return None;
    }
    Some(Simulation {
        duration_h: duration_h?,
        warmup_h: warmup_h?,
        seed: u64::try_from(seed?).ok()?,
        replications: replications?,
        max_live: max_live?,
    })
}

/// `n`, or an error when it is above `max`.
fn at_most(errs: &mut Errors, t: &Table<'_, '_>, key: &str, n: i64, max: u64) -> Option<u64> {
    match u64::try_from(n) {
        Ok(x) if x <= max => Some(x),
        _ => {
            let span = t.get(key).map_or(t.span.clone(), |v| v.span());
            errs.push(Diagnostic::new(
                span,
                format!("`{key}` is too large, got {n}"),
                format!("expected at most {max}"),
            ));
            None
        }
    }
}

/// Whether the clock can add `hours` at the end of the run (`horizon`): a
/// positive time so short that `horizon + hours == horizon` would stop the
/// clock, and is reported at `span` (the value of `key`).
fn resolvable(
    errs: &mut Errors,
    horizon: Option<f64>,
    span: Option<Span>,
    key: &str,
    hours: f64,
) -> bool {
    let Some(horizon) = horizon else { return true };
    if hours <= 0.0 || horizon + hours != horizon {
        return true;
    }
    // The smallest time the clock can still add at the horizon, with margin.
    let resolution = horizon * f64::EPSILON;
    errs.push(
        Diagnostic::new(
            span.unwrap_or(TOP),
            if key == "arrival_rate" {
                format!(
                    "`arrival_rate` is too high for the clock: the mean time between arrivals, {:.2e} s, is below its resolution near the end of the run",
                    hours * 3600.0
                )
            } else {
                format!(
                    "`{key}` is too short for the clock: {:.2e} s is below its resolution near the end of the run",
                    hours * 3600.0
                )
            },
            "the simulated clock cannot advance by this",
        )
        .with_help(format!(
            "at {} the clock cannot tell apart times closer than about {:.1e} s: use a longer time, or a shorter `duration`",
            show(horizon),
            resolution * 3600.0
        )),
    );
    false
}

/// Whether `rate` (per hour) over the run (`horizon`) asks for at most
/// [`MAX_ARRIVALS`] new customers; an error at `span` otherwise.
fn bounded_arrivals(
    errs: &mut Errors,
    horizon: Option<f64>,
    span: Option<Span>,
    rate: f64,
) -> bool {
    let Some(horizon) = horizon else { return true };
    let expected = rate * horizon;
    if expected <= MAX_ARRIVALS {
        return true;
    }
    errs.push(
        Diagnostic::new(
            span.unwrap_or(TOP),
            format!(
                "`arrival_rate` asks for too many customers: {expected:.2e} new prospects in one replication of {}, more than 1e9",
                show(horizon)
            ),
            "expected at most 1e9 arrivals over `duration`",
        )
        .with_help(
            "is the unit right? \"20/d\" is per day, \"20/s\" per second; a run this large would take hours per replication: lower the rate, or shorten `duration` and add `replications` for more data",
        ),
    );
    false
}

fn read_customers(
    errs: &mut Errors,
    t: &mut Table<'_, '_>,
    horizon: Option<f64>,
) -> Option<Customers> {
    t.check_fields(errs, CUSTOMER_FIELDS);
    let arrival = t
        .required(errs, "arrival_rate", "arrival_rate = \"20/d\"", rate)
        .filter(|&r| {
            let span = t.get("arrival_rate").map(|v| v.span());
            resolvable(errs, horizon, span.clone(), "arrival_rate", 1.0 / r)
                && bounded_arrivals(errs, horizon, span, r)
        });
    let reorder = match t.field(errs, "reorder", |errs, key, v| {
        distribution::read(
            errs,
            key,
            v,
            Use {
                positive_mean: true,
                unit: "d",
            },
        )
    }) {
        Field::Missing => Some(None),
        Field::Invalid => None,
        Field::Ok(d) => {
            let span = t.get("reorder").map(|v| v.span());
            resolvable(errs, horizon, span, "reorder", d.mean()).then_some(Some(d))
        }
    };
    let order_value = t.field(errs, "order_value", money).or(0.0);
    let promise = t
        .field(errs, "promise", duration(Need::Positive, "d"))
        .or(DEFAULT_PROMISE_H);
    let patience = match t.field(errs, "patience", duration(Need::Positive, "d")) {
        // Its default follows `promise`: a `promise` too short for the clock
        // is reported there, as `promise` (it was `patience`, at line 1:1).
        Field::Missing => promise
            .filter(|&p| {
                let span = t.get("promise").map(|v| v.span());
                resolvable(errs, horizon, span, "promise", p)
            })
            .map(|p| p * DEFAULT_PATIENCE_PROMISES),
        Field::Invalid => None,
        Field::Ok(p) => {
            let span = t.get("patience").map(|v| v.span());
            resolvable(errs, horizon, span, "patience", p).then_some(p)
        }
    };
    let complain_share = t
        .field(errs, "complain_share", probability)
        .or(DEFAULT_COMPLAIN_SHARE);
    let word_of_mouth = t
        .field(errs, "word_of_mouth", integer_at_least(0))
        .or(i64::from(DEFAULT_WORD_OF_MOUTH));
    let word_of_mouth = word_of_mouth.and_then(|n| to_u32(errs, t, "word_of_mouth", n));
    let deter = t.field(errs, "deter", probability).or(DEFAULT_DETER);
    let abusive_share = t
        .field(errs, "abusive_share", probability)
        .or(DEFAULT_ABUSIVE_SHARE);
    let churn = t.field(errs, "churn", probability).or(0.0);
    Some(Customers {
        arrival_rate_per_h: arrival?,
        reorder: reorder?,
        churn: churn?,
        order_value: order_value?,
        promise_h: promise?,
        patience_h: patience?,
        complain_share: complain_share?,
        word_of_mouth: word_of_mouth?,
        deter: deter?,
        abusive_share: abusive_share?,
    })
}

/// A name string of a section, if it has a readable one (for messages).
fn peek_name(t: &Table<'_, '_>) -> Option<String> {
    t.get("name")
        .and_then(|v| v.get_ref().as_str())
        .map(str::to_owned)
}

fn read_department(errs: &mut Errors, t: &Table<'_, '_>, horizon: Option<f64>) -> DeptSpec {
    let mut t = Table::new(t.what.clone(), t.span.clone(), t.entries);
    if let Some(n) = peek_name(&t) {
        t.what = format!("department `{n}`");
    }
    t.check_fields(errs, DEPARTMENT_FIELDS);
    let name_field = t.required(errs, "name", "name = \"sales\"", declared_name);
    let name_span = t.get("name").map_or(t.span.clone(), |v| v.span());
    // 0 only when a pool serves it (checked with the pools).
    let staff = t
        .required(errs, "staff", "staff = 2", integer_at_least(0))
        .and_then(|n| to_u32(errs, &t, "staff", n));
    let staff_span = t.get("staff").map_or(t.span.clone(), |v| v.span());
    let service = t.required(
        errs,
        "service",
        "service = { dist = \"exponential\", mean = \"1h\" }",
        |errs, key, v| {
            distribution::read(
                errs,
                key,
                v,
                Use {
                    positive_mean: true,
                    unit: "h",
                },
            )
        },
    );
    let service_span = t.get("service").map(|v| v.span());
    let service = service.filter(|d| resolvable(errs, horizon, service_span, "service", d.mean()));
    DeptSpec {
        name: name_field.map(|n| (n, name_span)),
        staff,
        staff_span,
        service,
        rude: super::morale::read_rude(errs, &t),
        hours: structure::read_hours(errs, &t),
        cost: structure::read_cost(errs, &t),
    }
}

/// Departments by name, for resolving references with suggestions.
pub(super) struct Lookup<'a> {
    /// Names of departments whose name was refused (already reported).
    refused: &'a std::collections::HashSet<&'a str>,
    ids: &'a HashMap<String, DeptId>,
    names: &'a [&'a str],
    /// Unknown names met so far: suggestions compare with every department,
    /// so only the errors shown in full get one.
    suggested: std::cell::Cell<usize>,
    /// The list of declared departments for messages, written once.
    declared: std::cell::OnceCell<String>,
}

impl Lookup<'_> {
    /// The department a string names; `context` says who refers to it.
    pub(super) fn department(
        &self,
        errs: &mut Errors,
        key: &str,
        v: &Value<'_>,
        context: &str,
    ) -> Option<DeptId> {
        let n = name(errs, key, v)?;
        if let Some(&id) = self.ids.get(&n) {
            return Some(id);
        }
        if !self.refused.contains(n.as_str()) {
            errs.push(self.unknown(v.span(), &n, context, false));
        }
        None
    }

    fn unknown(&self, span: Span, n: &str, context: &str, customer_ok: bool) -> Diagnostic {
        let candidates = self
            .names
            .iter()
            .copied()
            .chain(customer_ok.then_some("customer"));
        let declared = self.declared.get_or_init(|| {
            if self.names.is_empty() {
                "no departments are declared".to_owned()
            } else {
                format!("declared departments: {}", list(self.names.iter().copied()))
            }
        });
        self.suggested.set(self.suggested.get() + 1);
        let suggestion = if self.suggested.get() <= super::diagnostic::SHOWN_IN_FULL {
            did_you_mean(n, candidates)
        } else {
            None
        };
        let help = match suggestion {
            Some(d) => format!("{d} ({declared})"),
            None if n == "customer" => {
                "`customer` is the external customer: it can only be the `to` of a handoff"
                    .to_owned()
            }
            None => format!("{declared}; add a [[department]] named `{n}`, or fix the spelling"),
        };
        let expected = if customer_ok {
            "expected a declared department or `customer`"
        } else {
            "expected a declared department"
        };
        Diagnostic::new(
            span,
            format!("unknown department `{n}` in {context}"),
            expected,
        )
        .with_help(help)
    }
}

fn read_flow(errs: &mut Errors, t: &Table<'_, '_>, single: bool, lookup: &Lookup<'_>) -> FlowSpec {
    let mut t = Table::new(t.what.clone(), t.span.clone(), t.entries);
    if let Some(n) = peek_name(&t) {
        t.what = format!("flow `{n}`");
    }
    t.check_fields(errs, FLOW_FIELDS);
    let flow_name = t.required(errs, "name", "name = \"standard\"", declared_name);
    let share = if single {
        t.field(errs, "share", probability).or(1.0)
    } else {
        t.required(errs, "share", "share = 0.5", probability)
    };
    let share_span = t.get("share").map_or(t.span.clone(), |v| v.span());
    let context = t.what.clone();
    let steps = t.required(errs, "steps", "steps = [\"sales\", \"production\", \"billing\"]", |errs, key, v| {
        let DeValue::Array(items) = v.get_ref() else {
            errs.push(
                wrong_type(v.span(), key, "a list of department names", v.get_ref())
                    .with_help("write e.g. `steps = [\"sales\", \"production\"]`"),
            );
            return None;
        };
        if items.is_empty() {
            errs.push(
                Diagnostic::new(v.span(), format!("{context} has no steps"), "expected at least one department")
                    .with_help("list the departments an order passes through, e.g. `steps = [\"sales\", \"production\"]`"),
            );
            return None;
        }
        let mut ok = true;
        let mut ids = Vec::new();
        for item in items.iter() {
            match lookup.department(errs, "steps", item, &context) {
                Some(id) => ids.push(id),
                None => ok = false,
            }
        }
        ok.then_some(ids)
    });
    FlowSpec {
        name: flow_name.unwrap_or_default(),
        span: t.span.clone(),
        share,
        share_span,
        steps,
        priority: structure::read_priority(errs, &t),
    }
}

/// Flow names are unique and shares add up to 1.
fn check_flows(errs: &mut Errors, flows: &[FlowSpec]) {
    let mut seen: HashMap<&str, &Span> = HashMap::new();
    for f in flows {
        if f.name.is_empty() {
            continue;
        }
        if let Some(first) = seen.get(f.name.as_str()) {
            errs.push(
                Diagnostic::new(
                    f.span.clone(),
                    format!("flow `{}` is declared twice", f.name),
                    "declared again here",
                )
                .with_related((*first).clone(), "first declared here")
                .with_help("give each flow a unique name"),
            );
        } else {
            seen.insert(&f.name, &f.span);
        }
    }
    let Some(shares) = flows.iter().map(|f| f.share).collect::<Option<Vec<f64>>>() else {
        return;
    };
    if shares.is_empty() {
        return;
    }
    let sum: f64 = shares.iter().sum();
    if (sum - 1.0).abs() <= 1e-9 {
        return;
    }
    let sum_text = format!("{}", (sum * 1e9).round() / 1e9);
    let terms = shares
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    let mut d = Diagnostic::new(
        flows[0].share_span.clone(),
        format!("flow shares add up to {sum_text}, not 1"),
        format!("share {} of flow `{}`", shares[0], flows[0].name),
    )
    .with_help(if flows.len() == 1 {
        "with one flow, its share must be 1 (or leave `share` out)".to_owned()
    } else {
        format!("the shares of all flows must add up to 1, now {terms} = {sum_text}")
    });
    for (f, s) in flows.iter().zip(&shares).skip(1) {
        d = d.with_related(
            f.share_span.clone(),
            format!("share {s} of flow `{}`", f.name),
        );
    }
    errs.push(d);
}

fn read_handoff(
    errs: &mut Errors,
    t: &Table<'_, '_>,
    lookup: &Lookup<'_>,
    horizon: Option<f64>,
) -> HandoffSpec {
    let mut t = Table::new(t.what.clone(), t.span.clone(), t.entries);
    let from_text = t.get("from").and_then(|v| v.get_ref().as_str());
    let to_text = t.get("to").and_then(|v| v.get_ref().as_str());
    if let (Some(f), Some(to)) = (from_text, to_text) {
        t.what = format!("handoff `{f}->{to}`");
    }
    t.check_fields(errs, HANDOFF_FIELDS);
    let context = t.what.clone();
    let from = t.required(errs, "from", "from = \"sales\"", |errs, key, v| {
        lookup.department(errs, key, v, &context)
    });
    let to = t.required(errs, "to", "to = \"production\"", |errs, key, v| {
        let n = name(errs, key, v)?;
        if n == "customer" {
            return Some(Target::Customer);
        }
        if let Some(&id) = lookup.ids.get(&n) {
            return Some(Target::Department(id));
        }
        if !lookup.refused.contains(n.as_str()) {
            errs.push(lookup.unknown(v.span(), &n, &context, true));
        }
        None
    });
    let delay = match t.field(errs, "delay", |errs, key, v| {
        distribution::read(
            errs,
            key,
            v,
            Use {
                positive_mean: false,
                unit: "h",
            },
        )
    }) {
        Field::Missing => Some(None),
        Field::Invalid => None,
        Field::Ok(d) if d.is_zero() => Some(None),
        Field::Ok(d) => {
            let span = t.get("delay").map(|v| v.span());
            resolvable(errs, horizon, span, "delay", d.mean()).then_some(Some(d))
        }
    };
    let error = t.field(errs, "error", probability).or(0.0);
    let catch = t.field(errs, "catch", probability).or(0.0);
    // Every transfer carries an error and every error is sent back: no order
    // ever gets through, and the run spins on the same work until its limits
    // stop it (minutes to hours of computing for nothing to report).
    if error == Some(1.0) && catch == Some(1.0) {
        errs.push(
            Diagnostic::new(
                t.get("catch").map_or(t.span.clone(), |v| v.span()),
                "with `error = 1` and `catch = 1` every transfer is sent back: no work ever gets through this handoff",
                "expected below 1 with `error = 1`",
            )
            .with_help("lower `error` (the share of transfers with an error) or `catch` (the share of errors the receiver notices)"),
        );
    }
    HandoffSpec {
        span: t.span.clone(),
        from,
        to,
        delay,
        lose: t.field(errs, "lose", probability).or(0.0),
        error,
        catch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// More tables than allowed: one error, at the first table too many.
    #[test]
    fn tables_beyond_the_limit_are_refused_at_the_first_too_many() {
        let empty = DeTable::default();
        let tables: Vec<Table> = [0..5, 10..15, 20..25]
            .into_iter()
            .map(|span| Table::new("department", span, &empty))
            .collect();
        let mut errs = Errors::default();
        at_most_tables(&mut errs, &tables, "department", 3);
        assert!(errs.0.is_empty());
        at_most_tables(&mut errs, &tables, "department", 2);
        let [d] = &errs.0[..] else {
            panic!("one error expected, got {:?}", errs.0)
        };
        assert_eq!(d.span, 20..25);
        assert_eq!(d.message, "too many [[department]] tables: 3");
        assert_eq!(d.label, "expected at most 2");
    }
}
