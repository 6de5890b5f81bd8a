//! The structure fields of a scenario: `[[pool]]`, and the `hours`, `cost` and
//! `priority` of departments, flows and complaints (read here, hooked into `build.rs`).

use std::collections::HashMap;

use toml::de::DeValue;

use super::build::{Lookup, POOL_FIELDS};
use super::diagnostic::Diagnostic;
use super::hours;
use super::read::{
    Errors, Field, Span, Table, Value, as_i64, declared_name, integer_at_least, money, wrong_type,
};
use crate::model::{DeptId, Hours, Pool};

/// `hours` of a department or a pool; `Some(None)` when absent (always open).
pub fn read_hours(errs: &mut Errors, t: &Table<'_, '_>) -> Option<Option<Hours>> {
    match t.field(errs, "hours", hours::read) {
        Field::Missing => Some(None),
        Field::Invalid => None,
        // Open every minute of the week is the same as no `hours`: keep it off the engine.
        Field::Ok(h) => Some(Some(h).filter(|h| !h.is_always())),
    }
}

/// `cost`: money per staff member per open hour, 0 when absent.
pub fn read_cost(errs: &mut Errors, t: &Table<'_, '_>) -> Option<f64> {
    t.field(errs, "cost", money).or(0.0)
}

/// `priority`: a whole number, higher served first, 0 when absent.
pub fn read_priority(errs: &mut Errors, t: &Table<'_, '_>) -> Option<i32> {
    t.field(errs, "priority", |errs, key, v| {
        let n = match as_i64(v.get_ref()) {
            Some(n) => n,
            None => {
                let mut d = wrong_type(v.span(), key, "a whole number", v.get_ref());
                d = match v.get_ref() {
                    DeValue::String(s) if s.trim().parse::<i64>().is_ok() => {
                        d.with_help(format!("remove the quotes: `{key} = {}`", s.trim()))
                    }
                    _ => d.with_help(format!(
                        "write e.g. `{key} = 1`: higher is served first, the default is 0"
                    )),
                };
                errs.push(d);
                return None;
            }
        };
        match i32::try_from(n) {
            Ok(p) => Some(p),
            Err(_) => {
                errs.push(
                    Diagnostic::new(
                        v.span(),
                        format!(
                            "`{key}` is too {}, got {n}",
                            if n < 0 { "small" } else { "large" }
                        ),
                        format!("expected a whole number from {} to {}", i32::MIN, i32::MAX),
                    )
                    .with_help("priorities only compare: use small numbers such as -1, 0, 1, 2"),
                );
                None
            }
        }
    })
    .or(0)
}

/// A pool as read, before cross-checks.
pub struct PoolSpec {
    pub name: Option<(String, Span)>,
    pub staff: Option<u32>,
    pub serves: Option<Vec<DeptId>>,
    pub hours: Option<Option<Hours>>,
    pub cost: Option<f64>,
}

/// One `[[pool]]` table.
pub fn read_pool(errs: &mut Errors, t: &Table<'_, '_>, lookup: &Lookup<'_>) -> PoolSpec {
    let mut t = Table::new(t.what.clone(), t.span.clone(), t.entries);
    if let Some(n) = t.get("name").and_then(|v| v.get_ref().as_str()) {
        t.what = format!("pool `{n}`");
    }
    t.check_fields(errs, POOL_FIELDS);
    let name = t.required(errs, "name", "name = \"back office\"", declared_name);
    let name_span = t.get("name").map_or(t.span.clone(), |v| v.span());
    let staff = t
        .required(errs, "staff", "staff = 2", integer_at_least(1))
        .and_then(|n| match u32::try_from(n) {
            Ok(x) => Some(x),
            Err(_) => {
                let span = t.get("staff").map_or(t.span.clone(), |v| v.span());
                errs.push(Diagnostic::new(
                    span,
                    format!("`staff` is too large, got {n}"),
                    format!("expected at most {}", u32::MAX),
                ));
                None
            }
        });
    let context = t.what.clone();
    let serves = t.required(
        errs,
        "serves",
        "serves = [\"billing\", \"support\"]",
        |errs, key, v: &Value<'_>| {
            let DeValue::Array(items) = v.get_ref() else {
                errs.push(
                    wrong_type(v.span(), key, "a list of department names", v.get_ref())
                        .with_help("write e.g. `serves = [\"billing\", \"support\"]`"),
                );
                return None;
            };
            if items.is_empty() {
                errs.push(
                    Diagnostic::new(v.span(), format!("{context} serves no department"), "expected at least one department")
                        .with_help("list the departments whose queues it serves, e.g. `serves = [\"billing\", \"support\"]`"),
                );
                return None;
            }
            let mut ids: Vec<DeptId> = Vec::new();
            let mut ok = true;
            let mut seen: HashMap<DeptId, Span> = HashMap::new();
            for item in items.iter() {
                match lookup.department(errs, key, item, &context) {
                    Some(id) => {
                        if let Some(first) = seen.get(&id) {
                            errs.push(
                                Diagnostic::new(item.span(), format!("{context} lists a department twice"), "listed again here")
                                    .with_related(first.clone(), "first listed here")
                                    .with_help("list each department once"),
                            );
                            ok = false;
                        } else {
                            seen.insert(id, item.span());
                            ids.push(id);
                        }
                    }
                    None => ok = false,
                }
            }
            ok.then_some(ids)
        },
    );
    PoolSpec {
        name: name.map(|n| (n, name_span)),
        staff,
        serves,
        hours: read_hours(errs, &t),
        cost: read_cost(errs, &t),
    }
}

/// Pool names are unique; a department with `staff = 0` is served by a pool.
///
/// `zero_staff` lists each department declared with no staff of its own, with
/// the span of its `staff`.
pub fn check_pools(errs: &mut Errors, pools: &[PoolSpec], zero_staff: &[(DeptId, String, Span)]) {
    let mut seen: HashMap<&str, &Span> = HashMap::new();
    for p in pools {
        let Some((n, span)) = &p.name else { continue };
        if let Some(first) = seen.get(n.as_str()) {
            errs.push(
                Diagnostic::new(
                    span.clone(),
                    format!("pool `{n}` is declared twice"),
                    "declared again here",
                )
                .with_related((*first).clone(), "first declared here")
                .with_help("give each pool a unique name"),
            );
        } else {
            seen.insert(n, span);
        }
    }
    let unreadable = pools.iter().any(|p| p.serves.is_none());
    for (dept, name, span) in zero_staff {
        let served = pools
            .iter()
            .any(|p| p.serves.as_ref().is_some_and(|s| s.contains(dept)));
        if !served && !unreadable {
            errs.push(
                Diagnostic::new(
                    span.clone(),
                    format!("department `{name}` has no staff and no pool serves it"),
                    "expected 1 or more",
                )
                .with_help(format!(
                    "give it staff (`staff = 1`), or add a [[pool]] with `serves = [\"{name}\"]`"
                )),
            );
        }
    }
}

/// The pools of the model, once every pool read well.
pub fn assemble(pools: Vec<PoolSpec>) -> Option<Vec<Pool>> {
    pools
        .into_iter()
        .map(|p| {
            Some(Pool {
                name: p.name?.0,
                staff: p.staff?,
                serves: p.serves?,
                hours: p.hours?,
                cost: p.cost?,
            })
        })
        .collect()
}
