//! Stories of individual lost customers, in a few plain lines each.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;

use crate::engine::{Observer, Path, TraceEvent, TraceKind};
use crate::model::{Cause, Model};

/// Lines kept per customer: a long-lived customer's story keeps its latest part.
const MAX_LINES: usize = 40;

/// Collects the stories of the first `wanted` customers who leave.
///
/// Only customers still alive are followed, and each keeps at most a few dozen
/// events, so memory stays bounded by the live population.
pub struct Stories<'m> {
    model: &'m Model,
    wanted: usize,
    following: HashMap<u64, VecDeque<TraceEvent>>,
    /// Customers who left, in the order they left; complete once `done` is set.
    lost: Vec<Story>,
}

struct Story {
    customer: u64,
    events: VecDeque<TraceEvent>,
    done: bool,
}

impl<'m> Stories<'m> {
    pub fn new(model: &'m Model, wanted: usize) -> Self {
        Self {
            model,
            wanted,
            following: HashMap::new(),
            lost: Vec::new(),
        }
    }

    /// How many lost customers' stories were collected (at most `wanted`).
    pub fn len(&self) -> usize {
        self.lost.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lost.is_empty()
    }

    /// The stories as text, one paragraph per customer.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for story in &self.lost {
            self.render_one(story, &mut out);
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
        let collecting = self.lost.len() < self.wanted;
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
        if !collecting {
            self.following.clear();
            return;
        }
        match e.kind {
            TraceKind::ServiceStarted | TraceKind::ServiceEnded => {}
            TraceKind::Done => {
                self.following.remove(&customer);
            }
            TraceKind::Left => {
                let mut events = self.following.remove(&customer).unwrap_or_default();
                events.push_back(*e);
                self.lost.push(Story {
                    customer,
                    events,
                    done: false,
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
