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
use crate::model::{Cause, Model};

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
    /// The known id closest to what was given, if any is close.
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
    let suggestion = known
        .iter()
        .map(|k| {
            // Compare with the id cut to the length given, so a prefix with a typo is found too.
            let cut: String = k.chars().take(wanted.chars().count().max(1)).collect();
            (strsim::jaro_winkler(wanted, &cut), k)
        })
        .filter(|(score, _)| *score > 0.8)
        // The first of the closest: ids of one route come lose, error, delay.
        .fold(
            None,
            |best: Option<(f64, &String)>, (score, k)| match best {
                Some((b, _)) if b >= score => best,
                _ => Some((score, k)),
            },
        )
        .map(|(_, k)| k.clone());
    Err(UnknownCause {
        given: given.to_owned(),
        known,
        suggestion,
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

    /// The stories as text, one paragraph per customer: the lost, then the saved one.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for story in &self.lost {
            self.render_one(story, &mut out);
            out.push('\n');
        }
        if let Some(story) = &self.saved {
            self.render_saved(story, &mut out);
            out.push('\n');
        }
        out
    }

    fn render_one(&self, story: &Story, out: &mut String) {
        let model = self.model;
        let left = story.events.iter().find(|e| e.kind == TraceKind::Left);
        let (when, cause, path) = match left {
            Some(e) => (e.time, e.cause, e.path),
            None => (f64::NAN, None, None),
        };
        let _ = writeln!(
            out,
            "Customer {} left on day {:.1}, because of {} ({}).",
            story.customer,
            when / 24.0,
            cause.map_or("an unknown cause".to_string(), |c| describe_cause(model, c)),
            path.map_or("", describe_path),
        );
        self.render_events(story, out);
    }

    fn render_saved(&self, story: &Story, out: &mut String) {
        let stayed = story.events.back();
        let _ = writeln!(
            out,
            "Customer {} stayed on day {:.1}, saved by a quick recovery: {}.",
            story.customer,
            stayed.map_or(f64::NAN, |e| e.time) / 24.0,
            stayed
                .and_then(|e| e.cause)
                .map_or("a complaint resolved quickly".to_string(), |c| {
                    describe_cause(self.model, c)
                }),
        );
        self.render_events(story, out);
    }

    fn render_events(&self, story: &Story, out: &mut String) {
        for e in &story.events {
            if let Some(line) = self.line(e) {
                let _ = writeln!(out, "  day {:>6.1}  {line}", e.time / 24.0);
            }
        }
    }

    /// One plain sentence for an event, or nothing for events a story leaves out.
    fn line(&self, e: &TraceEvent) -> Option<String> {
        let model = self.model;
        let order = e.order.map_or(String::new(), |o| format!("order {o}"));
        let handoff = e.handoff.map(|h| {
            let h = &model.handoffs[h];
            format!(
                "{} → {}",
                model.departments[h.from].name,
                model.target_name(h.to)
            )
        });
        let cause = e
            .cause
            .map(|c| describe_cause(model, c))
            .unwrap_or_default();
        Some(match e.kind {
            TraceKind::Arrived => "first came to us".to_string(),
            TraceKind::Ordered => format!("placed {order}"),
            TraceKind::Lost => format!("{order} vanished in the handoff {}", handoff?),
            TraceKind::Caught => format!("{order}: an error in {} was caught and redone", handoff?),
            TraceKind::Escaped => format!("{order}: an error slipped through {}", handoff?),
            TraceKind::Delivered => format!("received {order}"),
            TraceKind::Chased => format!("chased {order}, which nobody could find"),
            TraceKind::Problem => format!("was unhappy: {cause}"),
            TraceKind::Complained => "complained".to_string(),
            TraceKind::Resolved if e.path == Some(Path::ResolvedQuickly) => {
                "the complaint was resolved quickly".to_string()
            }
            TraceKind::Resolved => "the complaint was resolved, but slowly".to_string(),
            TraceKind::Unresolved => "gave up waiting for an answer to the complaint".to_string(),
            TraceKind::Stayed => "decided to stay".to_string(),
            TraceKind::Left => "left for good".to_string(),
            TraceKind::Told if e.count == 0 => "told others, but nobody was put off".to_string(),
            TraceKind::Told if e.count == 1 => {
                "told others; 1 prospect will never come".to_string()
            }
            TraceKind::Told => format!("told others; {} prospects will never come", e.count),
            TraceKind::Cancelled => format!("{order} was cancelled"),
            _ => return None,
        })
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

fn describe_cause(model: &Model, cause: Cause) -> String {
    let handoff = |h: usize| {
        let h = &model.handoffs[h];
        format!(
            "{} → {}",
            model.departments[h.from].name,
            model.target_name(h.to)
        )
    };
    match cause {
        Cause::HandoffLose(h) => format!("an order lost in the handoff {}", handoff(h)),
        Cause::HandoffError(h) => format!("a defect from the handoff {}", handoff(h)),
        Cause::HandoffDelay(h) => format!("a late order, slowed by the handoff {}", handoff(h)),
        Cause::DepartmentWait(d) => format!(
            "a late order, stuck waiting in {}",
            model.departments[d].name
        ),
        Cause::PolicyFriction => "the checks of the policy against abusive customers".to_owned(),
        Cause::DepartmentRude(d) => format!("a rude contact in {}", model.departments[d].name),
    }
}

fn describe_path(path: Path) -> &'static str {
    match path {
        Path::Silent => "without a word",
        Path::Unresolved => "after a complaint nobody resolved",
        Path::Resolved => "even though the complaint was resolved",
        Path::ResolvedQuickly => "even though the complaint was resolved quickly",
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
