//! Stories of individual customers, in a few plain lines each: the first
//! counted customers who were lost (optionally to chosen causes), and one
//! customer saved by a quick recovery, when there is one.
//!
//! Only customers the report counts are told: those who arrived after the
//! warm-up. Customers are numbered in the order they arrive, so the first
//! customer who arrives after the warm-up divides the counted from the rest.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;

use crate::engine::{Observer, Path, TraceEvent, TraceKind};
use crate::model::{Cause, Model, Target};
use crate::report::i18n::{CUSTOMER, Lang};
use crate::scenario::suggest;

/// Lines kept per customer: a long-lived customer's story keeps its latest part.
const MAX_LINES: usize = 40;

/// Collects the stories of the first `wanted` counted customers who leave,
/// and of the first counted customer who stays after a complaint resolved quickly.
///
/// Only counted customers still alive are followed, and each keeps at most a
/// few dozen events, so memory stays bounded by the live population.
pub struct Stories<'m> {
    model: &'m Model,
    wanted: usize,
    /// The causes a story must be about; empty for any.
    causes: Vec<Cause>,
    /// The number of the first customer who arrived after the warm-up, once one has.
    first_counted: Option<u64>,
    following: HashMap<u64, VecDeque<TraceEvent>>,
    /// Customers who left, in the order they left; complete once `done` is set.
    lost: Vec<Story>,
    /// The first customer saved by a quick recovery (their story up to that moment).
    saved: Option<Story>,
}

struct Story {
    customer: u64,
    events: VecDeque<TraceEvent>,
    done: bool,
}

/// A `--cause` that names no cause of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCause {
    pub given: String,
    /// Every cause id of the model.
    pub known: Vec<String>,
    /// What `given` was most likely meant to be, if anything is close: a cause
    /// id, or the start of the ids of one handoff or department
    /// (`handoff:billing->customer` for `handoff:billing->custmer`).
    pub suggestion: Option<String>,
}

/// The causes of `model` whose id is `given` or starts with it (`handoff:billing->customer`
/// selects its `lose`, `error` and `delay`).
pub fn causes_matching(model: &Model, given: &str) -> Result<Vec<Cause>, UnknownCause> {
    let all = Cause::all(model);
    let wanted = given.trim();
    let matching: Vec<Cause> = all
        .iter()
        .copied()
        .filter(|c| !wanted.is_empty() && c.name(model).starts_with(wanted))
        .collect();
    if !matching.is_empty() {
        return Ok(matching);
    }
    let known: Vec<String> = all.iter().map(|c| c.name(model)).collect();
    let suggestion = closest_cause(wanted, &known);
    Err(UnknownCause {
        given: given.to_owned(),
        known,
        suggestion,
    })
}

/// The valid `--cause` closest to `wanted` ([`suggest::closest`], as for every
/// misspelt name): every id in `known`, and the start shared by the ids of one
/// handoff or department, which selects all of them. A mistyped route is
/// answered with the route, not with one of its kinds picked at random; a
/// route given without its `handoff:` is found too.
///
/// [`suggest::closest`]: crate::scenario::suggest::closest
fn closest_cause<'c>(wanted: &str, known: &'c [String]) -> Option<String> {
    let mut candidates: Vec<&'c str> = Vec::new();
    for id in known {
        // `handoff:billing->customer:error` starts with `handoff:billing->customer`.
        if let Some((start, _)) = id.rsplit_once(':')
            && start.contains(':')
            && !candidates.contains(&start)
        {
            candidates.push(start);
        }
    }
    candidates.extend(known.iter().map(String::as_str));
    let exact_or_closest = |word: &str, names: &[&'c str]| {
        names
            .iter()
            .find(|n| **n == word)
            .copied()
            .or_else(|| suggest::closest(word, names.iter().copied()))
    };
    if let Some(found) = exact_or_closest(wanted, &candidates) {
        return Some(found.to_owned());
    }
    // A route or a department without its kind (`billing->customer:error`,
    // `support`): compared with the names after each kind, so the kind added
    // does not make a far name look close.
    let first = wanted.split(':').next().unwrap_or_default();
    if first != wanted && !first.contains("->") {
        return None;
    }
    ["handoff:", "department:"].iter().find_map(|kind| {
        let rests: Vec<&str> = candidates
            .iter()
            .filter_map(|c| c.strip_prefix(kind))
            .collect();
        exact_or_closest(wanted, &rests).map(|rest| format!("{kind}{rest}"))
    })
}

impl<'m> Stories<'m> {
    pub fn new(model: &'m Model, wanted: usize) -> Self {
        Self {
            model,
            wanted,
            causes: Vec::new(),
            first_counted: None,
            following: HashMap::new(),
            lost: Vec::new(),
            saved: None,
        }
    }

    /// Tell only of customers lost to one of `causes` (and saved after a problem of one).
    pub fn about(mut self, causes: Vec<Cause>) -> Self {
        self.causes = causes;
        self
    }

    /// How many lost customers' stories were collected (at most `wanted`).
    pub fn len(&self) -> usize {
        self.lost.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lost.is_empty()
    }

    /// Whether a customer saved by a quick recovery was found.
    pub fn has_saved(&self) -> bool {
        self.saved.is_some()
    }

    /// The stories as text, one paragraph per customer: the lost, then the
    /// saved one. In English, as `--explain` prints them.
    pub fn render(&self) -> String {
        self.render_in(Lang::En)
    }

    /// The stories as text in `lang`: a heading line, then `  day    3.2  what happened`.
    pub fn render_in(&self, lang: Lang) -> String {
        let t = lang.catalogue();
        let mut out = String::new();
        for story in self.told(lang) {
            let _ = writeln!(out, "{}", story.heading);
            for (day, line) in &story.events {
                let day = format!("{:>6}", lang.fixed(*day, 1));
                let _ = writeln!(out, "  {}  {line}", t.fill("story.day", &[("day", &day)]));
            }
            out.push('\n');
        }
        out
    }

    /// The stories in `lang`, the lost customers first, then the saved one;
    /// their words come from the catalogue of `lang`.
    pub fn told(&self, lang: Lang) -> Vec<Told> {
        let words = Words {
            model: self.model,
            lang,
        };
        let mut out: Vec<Told> = self.lost.iter().map(|s| words.lost(s)).collect();
        out.extend(self.saved.as_ref().map(|s| words.saved(s)));
        out
    }

    /// A cause a story may be about.
    fn wanted_cause(&self, cause: Option<Cause>) -> bool {
        self.causes.is_empty() || cause.is_some_and(|c| self.causes.contains(&c))
    }

    /// Still looking for a lost customer's story, or for a saved one.
    fn collecting(&self) -> bool {
        self.lost.len() < self.wanted || self.saved.is_none()
    }
}

/// One customer's story in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Told {
    /// Who, what became of them, and why: `Customer 7 left on day 3.2, because of …`.
    pub heading: String,
    /// What happened, in order: the day (simulated days since the start) and a sentence.
    pub events: Vec<(f64, String)>,
}

/// The sentences of stories in one language.
struct Words<'m> {
    model: &'m Model,
    lang: Lang,
}

impl Words<'_> {
    fn lost(&self, story: &Story) -> Told {
        let t = self.lang.catalogue();
        let left = story.events.iter().find(|e| e.kind == TraceKind::Left);
        let (when, cause, path) = match left {
            Some(e) => (e.time, e.cause, e.path),
            None => (f64::NAN, None, None),
        };
        let heading = t.fill(
            "story.lost",
            &[
                ("customer", &story.customer.to_string()),
                ("day", &self.lang.fixed(when / 24.0, 1)),
                (
                    "cause",
                    &cause.map_or_else(
                        || t.get("story.cause.unknown").to_owned(),
                        |c| self.cause(c),
                    ),
                ),
                ("path", path.map_or("", |p| self.path(p))),
            ],
        );
        Told {
            heading,
            events: self.events(story),
        }
    }

    fn saved(&self, story: &Story) -> Told {
        let t = self.lang.catalogue();
        let stayed = story.events.back();
        let heading = t.fill(
            "story.saved",
            &[
                ("customer", &story.customer.to_string()),
                (
                    "day",
                    &self
                        .lang
                        .fixed(stayed.map_or(f64::NAN, |e| e.time) / 24.0, 1),
                ),
                (
                    "cause",
                    &stayed
                        .and_then(|e| e.cause)
                        .map_or_else(|| t.get("story.cause.quick").to_owned(), |c| self.cause(c)),
                ),
            ],
        );
        Told {
            heading,
            events: self.events(story),
        }
    }

    fn events(&self, story: &Story) -> Vec<(f64, String)> {
        story
            .events
            .iter()
            .filter_map(|e| Some((e.time / 24.0, self.line(e)?)))
            .collect()
    }

    /// `billing → customer`, the customer in this language.
    fn handoff(&self, h: usize) -> String {
        let model = self.model;
        let h = &model.handoffs[h];
        let to = match h.to {
            Target::Customer => self.lang.handoff_end(CUSTOMER),
            Target::Department(d) => model.departments[d].name.as_str(),
        };
        format!("{} → {to}", model.departments[h.from].name)
    }

    fn cause(&self, cause: Cause) -> String {
        let t = self.lang.catalogue();
        match cause {
            Cause::HandoffLose(h) => t.fill("story.cause.lose", &[("handoff", &self.handoff(h))]),
            Cause::HandoffError(h) => t.fill("story.cause.error", &[("handoff", &self.handoff(h))]),
            Cause::HandoffDelay(h) => t.fill("story.cause.delay", &[("handoff", &self.handoff(h))]),
            Cause::DepartmentWait(d) => t.fill(
                "story.cause.wait",
                &[("dept", &self.model.departments[d].name)],
            ),
            Cause::PolicyFriction => t.get("story.cause.policy").to_owned(),
            Cause::DepartmentRude(d) => t.fill(
                "story.cause.rude",
                &[("dept", &self.model.departments[d].name)],
            ),
        }
    }

    fn path(&self, path: Path) -> &'static str {
        let t = self.lang.catalogue();
        t.get(match path {
            Path::Silent => "story.path.silent",
            Path::Unresolved => "story.path.unresolved",
            Path::Resolved => "story.path.resolved",
            Path::ResolvedQuickly => "story.path.resolved_quickly",
        })
    }

    /// One plain sentence for an event, or nothing for events a story leaves out.
    fn line(&self, e: &TraceEvent) -> Option<String> {
        let t = self.lang.catalogue();
        let order = e.order.map_or(String::new(), |o| {
            t.fill("story.order", &[("number", &o.to_string())])
        });
        let handoff = e.handoff.map(|h| self.handoff(h));
        let cause = e.cause.map(|c| self.cause(c)).unwrap_or_default();
        let with_order = |key: &str| t.fill(key, &[("order", &order)]);
        let with_handoff =
            |key: &str, handoff: String| t.fill(key, &[("order", &order), ("handoff", &handoff)]);
        Some(match e.kind {
            TraceKind::Arrived => t.get("story.arrived").to_owned(),
            TraceKind::Ordered => with_order("story.ordered"),
            TraceKind::Lost => with_handoff("story.vanished", handoff?),
            TraceKind::Caught => with_handoff("story.caught", handoff?),
            TraceKind::Escaped => with_handoff("story.escaped", handoff?),
            TraceKind::Delivered => with_order("story.delivered"),
            TraceKind::Chased => with_order("story.chased"),
            TraceKind::Problem => t.fill("story.problem", &[("cause", &cause)]),
            TraceKind::Complained => t.get("story.complained").to_owned(),
            TraceKind::Resolved if e.path == Some(Path::ResolvedQuickly) => {
                t.get("story.resolved_quickly").to_owned()
            }
            TraceKind::Resolved => t.get("story.resolved").to_owned(),
            TraceKind::Unresolved => t.get("story.unresolved").to_owned(),
            TraceKind::Stayed => t.get("story.stayed").to_owned(),
            TraceKind::Left => t.get("story.left").to_owned(),
            TraceKind::Told if e.count == 0 => t.get("story.told_nobody").to_owned(),
            TraceKind::Told => t.counted("story.told", ("count", &e.count.to_string()), &[]),
            TraceKind::Cancelled => with_order("story.cancelled"),
            _ => return None,
        })
    }
}

impl Observer for Stories<'_> {
    fn record(&mut self, e: &TraceEvent) {
        let Some(customer) = e.customer else { return };
        if e.kind == TraceKind::Arrived
            && self.first_counted.is_none()
            && e.time >= self.model.simulation.warmup_h
        {
            self.first_counted = Some(customer);
        }
        // Warm-up customers are not counted by the report: no story of theirs.
        if self.first_counted.is_none_or(|first| customer < first) {
            return;
        }
        if let Some(story) = self
            .lost
            .iter_mut()
            .find(|s| s.customer == customer && !s.done)
        {
            // A lost customer's last events: what they told, a cancelled order.
            if e.kind == TraceKind::Done {
                story.done = true;
            } else {
                story.events.push_back(*e);
            }
            return;
        }
        if !self.collecting() {
            self.following.clear();
            return;
        }
        match e.kind {
            TraceKind::ServiceStarted | TraceKind::ServiceEnded => {}
            TraceKind::Done => {
                self.following.remove(&customer);
            }
            TraceKind::Left if self.lost.len() < self.wanted && self.wanted_cause(e.cause) => {
                let mut events = self.following.remove(&customer).unwrap_or_default();
                events.push_back(*e);
                self.lost.push(Story {
                    customer,
                    events,
                    done: false,
                });
            }
            TraceKind::Left => {
                self.following.remove(&customer);
            }
            TraceKind::Stayed
                if self.saved.is_none()
                    && e.path == Some(Path::ResolvedQuickly)
                    && self.wanted_cause(e.cause) =>
            {
                let mut events = self.following.get(&customer).cloned().unwrap_or_default();
                events.push_back(*e);
                self.saved = Some(Story {
                    customer,
                    events,
                    done: true,
                });
            }
            _ => {
                let log = self.following.entry(customer).or_default();
                if log.len() == MAX_LINES {
                    log.pop_front();
                }
                log.push_back(*e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::closest_cause;

    fn known() -> Vec<String> {
        [
            "handoff:sales->production:lose",
            "handoff:sales->production:error",
            "handoff:production->billing:lose",
            "handoff:production->billing:error",
            "handoff:billing->customer:lose",
            "handoff:billing->customer:error",
            "handoff:billing->customer:delay",
            "department:sales:wait",
            "department:support:wait",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    #[test]
    fn a_mistyped_cause_gets_the_closest_valid_one() {
        let known = known();
        let cases = [
            // A route: the route, which selects all its causes.
            (
                "handoff:billing->custmer",
                Some("handoff:billing->customer"),
            ),
            (
                "handof:billing->customer",
                Some("handoff:billing->customer"),
            ),
            (
                "handoff:sales->prodution",
                Some("handoff:sales->production"),
            ),
            // A whole id: the id.
            (
                "handoff:billing->customer:eror",
                Some("handoff:billing->customer:error"),
            ),
            (
                "handoff:production->biling:lose",
                Some("handoff:production->billing:lose"),
            ),
            ("department:suport", Some("department:support")),
            // Without its kind.
            (
                "billing->customer:error",
                Some("handoff:billing->customer:error"),
            ),
            ("billing->custmer", Some("handoff:billing->customer")),
            ("suport", Some("department:support")),
            ("sales", Some("department:sales")),
            // Nothing close: no guess (not `department:sales` for `policy`).
            ("policy", None),
            ("handoff:marketing->sales", None),
            ("xyz", None),
        ];
        for (given, expected) in cases {
            assert_eq!(closest_cause(given, &known).as_deref(), expected, "{given}");
        }
    }
}
