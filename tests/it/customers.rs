//! External customers: each mechanism of issue #3 moves the numbers in the right
//! direction and by the right amount, and the books always balance.
//!
//! Sizes are checked against the probability the scenario sets, within a
//! binomial 99.9 % interval computed from the observed counts (z = 3.29), so a
//! tolerance follows from the sample size and is never tuned by hand.

use handoff::engine::{self, RunResult};
use handoff::metrics::{Metrics, Stat};
use handoff::scenario;
use rayon::prelude::*;

const Z999: f64 = 3.290_526_731;

/// A one-department chain with every order delivered with a defect (unless `error` says otherwise).
fn scenario(extra_customers: &str, sections: &str, error: f64) -> String {
    format!(
        r#"
[scenario]
name = "customers test"

[simulation]
duration = "400d"
warmup = "20d"
seed = 11
replications = 4

[customers]
arrival_rate = "20/d"
order_value = 100.0
promise = "30d"
patience = "3d"
{extra_customers}

{sections}

[[department]]
name = "shop"
staff = 2
service = {{ dist = "exponential", mean = "1h" }}

[[department]]
name = "support"
staff = 2
service = {{ dist = "exponential", mean = "2h" }}

[[flow]]
name = "buy"
share = 1.0
steps = ["shop"]

[[handoff]]
from = "shop"
to = "customer"
error = {error}
"#
    )
}

/// A scenario's summary and every replication's result (the summary keeps
/// none: these tests look inside each replication).
struct Outcome {
    summary: Metrics<Stat>,
    runs: Vec<RunResult>,
}

fn run(source: &str) -> Outcome {
    let model =
        scenario::parse(source, "test.toml").unwrap_or_else(|d| panic!("{}", d.render(false)));
    let runs: Vec<RunResult> = (0..model.simulation.replications.max(1))
        .into_par_iter()
        .map(|r| engine::run(&model, r).expect("the scenario runs"))
        .collect();
    let metrics: Vec<Metrics<f64>> = runs.iter().map(|r| r.metrics.clone()).collect();
    let mut summary = Metrics::summarise(&metrics);
    summary.rank_causes();
    Outcome { summary, runs }
}

/// Pooled count over replications of a statistic.
fn total(out: &Outcome, pick: impl Fn(&Metrics<f64>) -> f64) -> f64 {
    out.runs.iter().map(|r| pick(&r.metrics)).sum()
}

/// Asserts `successes / trials` agrees with `p` within a 99.9 % binomial interval.
fn assert_share(what: &str, successes: f64, trials: f64, p: f64) {
    assert!(
        trials >= 500.0,
        "{what}: only {trials} trials, too few to test"
    );
    let half = Z999 * (p * (1.0 - p) / trials).sqrt();
    let got = successes / trials;
    assert!(
        (got - p).abs() <= half.max(1e-12),
        "{what}: {got:.4} vs {p:.4} ± {half:.4} ({successes}/{trials})"
    );
}

fn assert_books_balance(out: &Outcome) {
    for (r, run) in out.runs.iter().enumerate() {
        let m = &run.metrics;
        let c = &m.customers;
        let by_cause = |f: &dyn Fn(&handoff::metrics::CauseMetrics<f64>) -> f64| -> f64 {
            m.lost_by_cause.iter().map(f).sum()
        };
        assert_eq!(
            by_cause(&|x| x.customers),
            c.lost,
            "run {r}: customers by cause"
        );
        assert_eq!(
            by_cause(&|x| x.prospects),
            c.prospects_deterred,
            "run {r}: prospects by cause"
        );
        assert!((by_cause(&|x| x.revenue) - m.revenue.lost).abs() < 1e-6 * m.revenue.lost.max(1.0));
        assert_eq!(
            c.arrived,
            c.active + c.lost,
            "run {r}: arrived = active + lost"
        );
        assert_eq!(
            c.complaints,
            c.complaints_resolved + c.complaints_unresolved + c.complaints_open,
            "run {r}: every complaint resolved, unresolved or open"
        );
        let path_problems: f64 = m.paths.iter().map(|p| p.problems).sum();
        assert_eq!(
            c.problems,
            path_problems + c.complaints_open,
            "run {r}: problems by path"
        );
        let silent = m.paths.iter().find(|p| p.path == "silent").unwrap();
        assert_eq!(
            c.silent_defections,
            silent.problems - silent.stayed,
            "run {r}: silent defections"
        );
    }
}

fn stat<'a>(s: &'a Metrics<Stat>, cause: &str) -> Option<&'a handoff::metrics::CauseMetrics<Stat>> {
    s.lost_by_cause.iter().find(|c| c.cause == cause)
}

#[test]
fn with_no_complaints_every_loss_is_silent_and_matches_the_stay_rate() {
    let src = scenario(
        "complain_share = 0.0\nword_of_mouth = 0",
        "[problem]\ndefect = 1.0\n\n[stay]\nsilent = 0.37",
        1.0,
    );
    let out = run(&src);
    assert_books_balance(&out);
    let c = &out.summary.customers;
    assert_eq!(c.complaints.mean, 0.0);
    assert_eq!(c.silent_defections.mean, c.lost.mean);
    // Every delivered order is defective and a problem, so every delivery is a silent
    // touchpoint where the customer stays with probability 0.37.
    let silent_problems = total(&out, |m| m.paths[0].problems);
    let stayed = total(&out, |m| m.paths[0].stayed);
    assert_share("stay after a silent problem", stayed, silent_problems, 0.37);
    assert_eq!(
        out.summary
            .lost_by_cause
            .iter()
            .map(|c| c.cause.as_str())
            .collect::<Vec<_>>(),
        ["handoff:shop->customer:error"]
    );
}

#[test]
fn complaints_take_the_share_given_and_empowerment_keeps_customers() {
    let base = |empowerment: f64| {
        scenario(
            "complain_share = 0.5\nword_of_mouth = 0",
            &format!(
                "[problem]\ndefect = 1.0\n\n[complaints]\ndepartment = \"support\"\nempowerment = {empowerment}\nresolve_within = \"1h\""
            ),
            1.0,
        )
    };
    let slow = run(&base(0.0));
    let empowered = run(&base(1.0));
    assert_books_balance(&slow);
    assert_books_balance(&empowered);
    let problems = total(&slow, |m| m.customers.problems);
    let complaints = total(&slow, |m| m.customers.complaints);
    assert_share("complain share", complaints, problems, 0.5);
    // Empowered: every complaint is resolved on first contact, so quickly, and the
    // customer stays with the resolved_quickly rate (0.95 by default).
    let quick = &empowered
        .runs
        .iter()
        .map(|r| r.metrics.paths[3].clone())
        .collect::<Vec<_>>();
    let (p, s): (f64, f64) = quick
        .iter()
        .fold((0.0, 0.0), |a, q| (a.0 + q.problems, a.1 + q.stayed));
    assert_share("stay after a quick resolution", s, p, 0.95);
    assert!(
        empowered.summary.customers.lost.mean < slow.summary.customers.lost.mean,
        "empowerment keeps customers: lost {} vs {}",
        empowered.summary.customers.lost.mean,
        slow.summary.customers.lost.mean
    );
}

#[test]
fn word_of_mouth_deters_the_expected_number_of_prospects() {
    let told = run(&scenario(
        "complain_share = 0.0\nword_of_mouth = 9\ndeter = 0.3",
        "[problem]\ndefect = 0.5",
        1.0,
    ));
    assert_books_balance(&told);
    let lost = total(&told, |m| m.customers.lost);
    let deterred = total(&told, |m| m.customers.prospects_deterred);
    // Each lost customer tells 9 people, each deterred with probability 0.3.
    assert_share("deterred per person told", deterred, 9.0 * lost, 0.3);
    // Deterred prospects never come: fewer customers arrive than without talk.
    let quiet = run(&scenario(
        "complain_share = 0.0\nword_of_mouth = 9\ndeter = 0.0",
        "[problem]\ndefect = 0.5",
        1.0,
    ));
    assert_eq!(quiet.summary.customers.prospects_deterred.mean, 0.0);
    assert!(told.summary.customers.arrived.mean < quiet.summary.customers.arrived.mean);
    let cause =
        stat(&told.summary, "handoff:shop->customer:error").expect("the error handoff is a cause");
    assert_eq!(
        cause.prospects.mean,
        told.summary.customers.prospects_deterred.mean
    );
}

#[test]
fn a_handoff_without_failures_is_never_a_cause() {
    // shop -> pack is perfect; pack -> customer fails; a tight promise makes waits matter too.
    let src = scenario("complain_share = 0.1\npromise = \"3h\"", "[problem]\nlate = 0.5", 0.0)
        .replace("promise = \"30d\"\n", "")
        .replace("steps = [\"shop\"]", "steps = [\"shop\", \"pack\"]")
        .replace("from = \"shop\"\nto = \"customer\"", "from = \"pack\"\nto = \"customer\"\nlose = 0.05")
        .replace(
            "[[flow]]",
            "[[department]]\nname = \"pack\"\nstaff = 1\nservice = { dist = \"exponential\", mean = \"50m\" }\n\n[[flow]]",
        );
    let out = run(&src);
    assert_books_balance(&out);
    let causes: Vec<&str> = out
        .summary
        .lost_by_cause
        .iter()
        .map(|c| c.cause.as_str())
        .collect();
    assert!(
        causes.contains(&"handoff:pack->customer:lose"),
        "{causes:?}"
    );
    assert!(
        causes.iter().any(|c| c.starts_with("department:")),
        "{causes:?}"
    );
    assert!(
        causes.iter().all(|c| !c.starts_with("handoff:shop->pack")),
        "{causes:?}"
    );
}

#[test]
fn loyal_customers_reorder_until_they_leave() {
    let src = scenario(
        "complain_share = 0.0\nword_of_mouth = 0\nreorder = { dist = \"exponential\", mean = \"10d\" }",
        "[problem]\ndefect = 0.2",
        0.5,
    );
    let out = run(&src);
    assert_books_balance(&out);
    let s = &out.summary;
    // Customers order again: more orders than customers.
    assert!(s.orders.arrived.mean > 2.0 * s.customers.arrived.mean);
    assert!(s.customers.lost.mean > 0.0);
    assert!(s.revenue.lost.mean > 0.0);
}

/// Counts, for customers won over by a quick recovery of their first problem, how
/// many of their later deliveries became problems.
#[derive(Default)]
struct AfterRecovery {
    problems_so_far: std::collections::HashMap<u64, u32>,
    forgiving: std::collections::HashSet<u64>,
    deliveries: u64,
    problems: u64,
}

impl handoff::engine::Observer for AfterRecovery {
    fn record(&mut self, e: &handoff::engine::TraceEvent) {
        use handoff::engine::{Path, TraceKind};
        let Some(c) = e.customer else { return };
        match e.kind {
            TraceKind::Delivered if self.forgiving.contains(&c) => self.deliveries += 1,
            TraceKind::Problem => {
                *self.problems_so_far.entry(c).or_default() += 1;
                if self.forgiving.contains(&c) {
                    self.problems += 1;
                }
            }
            TraceKind::Stayed
                if e.path == Some(Path::ResolvedQuickly) && self.problems_so_far[&c] == 1 =>
            {
                self.forgiving.insert(c);
            }
            _ => {}
        }
    }
}

#[test]
fn the_recovery_paradox_makes_customers_more_forgiving_after_a_first_recovery_only() {
    // Every order is defective; every complaint is resolved on the spot.
    let src = |paradox: f64| {
        scenario(
            "complain_share = 1.0\nword_of_mouth = 0\nreorder = { dist = \"exponential\", mean = \"10d\" }",
            &format!(
                "[problem]\ndefect = 0.5\nlate = 0.0\n\n[stay]\nresolved_quickly = 0.9\nrecovery_paradox = {paradox}\n\n\
                 [complaints]\ndepartment = \"support\"\nempowerment = 1.0\nresolve_within = \"1h\""
            ),
            1.0,
        )
    };
    let model = scenario::parse(&src(0.6), "paradox.toml").unwrap();
    let mut watch = AfterRecovery::default();
    handoff::engine::run_observed(&model, 0, &mut watch).expect("the scenario runs");
    // After the first quick recovery a defect becomes a problem with 0.5 × (1 − 0.6).
    assert_share(
        "problems after a first recovery",
        watch.problems as f64,
        watch.deliveries as f64,
        0.2,
    );

    // Off by default, and on it keeps customers.
    let off = run(&src(0.0));
    let on = run(&src(0.6));
    assert_books_balance(&on);
    assert!(on.summary.customers.lost.mean < off.summary.customers.lost.mean);
    let plain = scenario::parse(&scenario("", "", 1.0), "plain.toml").unwrap();
    assert_eq!(plain.stay.recovery_paradox, 0.0);
}

/// Orders placed by each customer who arrived before `before` hours, and whether they left.
#[derive(Default)]
struct OrdersPerCustomer {
    before: f64,
    early: std::collections::HashSet<u64>,
    orders: std::collections::HashMap<u64, u32>,
    left: std::collections::HashSet<u64>,
}

impl handoff::engine::Observer for OrdersPerCustomer {
    fn record(&mut self, e: &handoff::engine::TraceEvent) {
        use handoff::engine::TraceKind;
        let Some(c) = e.customer else { return };
        match e.kind {
            TraceKind::Arrived if e.time < self.before => {
                self.early.insert(c);
            }
            TraceKind::Ordered if self.early.contains(&c) => {
                *self.orders.entry(c).or_default() += 1
            }
            TraceKind::Left => {
                self.left.insert(c);
            }
            _ => {}
        }
    }
}

#[test]
fn churn_ends_loyal_customers_after_a_geometric_number_of_orders() {
    // No failures, so nobody leaves over a problem: only churn ends a customer.
    let src = scenario(
        "reorder = { dist = \"exponential\", mean = \"5d\" }\nchurn = 0.2",
        "",
        0.0,
    )
    .replace("arrival_rate = \"20/d\"", "arrival_rate = \"2/d\"");
    let model = scenario::parse(&src, "churn.toml").unwrap();
    // Customers who came in the first half: their expected life is 5 orders of
    // 5 days, so nearly all (all but about 0.8^40) have finished by the end.
    let mut watch = OrdersPerCustomer {
        before: model.simulation.duration_h / 2.0,
        ..Default::default()
    };
    let first = handoff::engine::run_observed(&model, 0, &mut watch).expect("the scenario runs");
    assert!(watch.left.is_empty() && first.metrics.customers.lost == 0.0);
    let counts: Vec<f64> = watch.orders.values().map(|&n| f64::from(n)).collect();
    let n = counts.len() as f64;
    assert!(n > 300.0, "{n} customers");
    let mean = counts.iter().sum::<f64>() / n;
    // Geometric on {1, 2, …} with p = 0.2: mean 1/p = 5, variance (1 − p)/p² = 20.
    let half = Z999 * (20.0 / n).sqrt();
    assert!(
        (mean - 5.0).abs() <= half,
        "mean orders per customer {mean} vs 5 ± {half}"
    );
    // Churned customers are not lost: the books still balance.
    assert_books_balance(&run(&src));
}

/// For the recovery paradox's rule: customers whose first complaint was resolved
/// quickly and who stayed, whether a second problem came before that resolution,
/// and problems any of them had afterwards.
#[derive(Default)]
struct FirstRecovery {
    problems_so_far: std::collections::HashMap<u64, u32>,
    decided: std::collections::HashSet<u64>,
    forgiving: std::collections::HashSet<u64>,
    /// Forgiving customers who had had a second problem when the first was resolved.
    second_problem_meanwhile: u64,
    problems_after: u64,
}

impl handoff::engine::Observer for FirstRecovery {
    fn record(&mut self, e: &handoff::engine::TraceEvent) {
        use handoff::engine::{Path, TraceKind};
        let Some(c) = e.customer else { return };
        match e.kind {
            TraceKind::Problem => {
                *self.problems_so_far.entry(c).or_default() += 1;
                if self.forgiving.contains(&c) {
                    self.problems_after += 1;
                }
            }
            // Every problem is a complaint, and complaints take the same time each,
            // with no queue: a customer's first decision is about their first problem.
            TraceKind::Stayed | TraceKind::Left if self.decided.insert(c) => {
                let won_over = e.kind == TraceKind::Stayed && e.path == Some(Path::ResolvedQuickly);
                if won_over {
                    self.forgiving.insert(c);
                    if self.problems_so_far[&c] > 1 {
                        self.second_problem_meanwhile += 1;
                    }
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_recovery_paradox_follows_the_first_problem_whatever_happened_meanwhile() {
    // Every order is defective and half the defects become problems; every problem is
    // complained about and resolved in exactly 2 days (quickly: within 3), and the
    // customer stays. Customers reorder twice a day, so many have a second problem
    // while the first is being resolved. With the full paradox (g = 1) a customer
    // won over by the first recovery never has a problem again.
    let src = scenario(
        "complain_share = 1.0\nword_of_mouth = 0\nreorder = { dist = \"exponential\", mean = \"12h\" }\nchurn = 0.2",
        "[problem]\ndefect = 0.5\nlate = 0.0\n\n[stay]\nresolved_quickly = 1.0\nrecovery_paradox = 1.0\n\n\
         [complaints]\ndepartment = \"support\"\nempowerment = 0.0\nresolve_within = \"3d\"",
        1.0,
    )
    .replace("patience = \"3d\"", "patience = \"10d\"")
    .replace(
        "name = \"support\"\nstaff = 2\nservice = { dist = \"exponential\", mean = \"2h\" }",
        "name = \"support\"\nstaff = 500\nservice = \"2d\"",
    )
    .replace("arrival_rate = \"20/d\"", "arrival_rate = \"5/d\"");
    assert!(src.contains("staff = 500"), "the support desk was replaced");
    let model =
        scenario::parse(&src, "paradox.toml").unwrap_or_else(|d| panic!("{}", d.render(false)));
    let mut watch = FirstRecovery::default();
    handoff::engine::run_observed(&model, 0, &mut watch).expect("the model runs");
    assert!(
        watch.second_problem_meanwhile >= 100,
        "only {} customers had a second problem before the first was resolved",
        watch.second_problem_meanwhile
    );
    assert_eq!(
        watch.problems_after,
        0,
        "{} problems after a first quick recovery ({} customers won over, {} of them with a second problem meanwhile)",
        watch.problems_after,
        watch.forgiving.len(),
        watch.second_problem_meanwhile
    );
}

/// Lead times that add up to the promise exactly are on time, although the
/// clock's additions round `now - placed` a few ulps either way; a second
/// more is late, every time.
#[test]
fn constant_times_that_add_up_to_the_promise_are_on_time() {
    // Staff enough that nobody waits: every lead time is 1.7 h + 0.3 h +
    // 50 min + 69 h 10 min = 72 h, and the clock reads up to 8 760 h.
    let chain = |last_delay: &str| {
        format!(
            r#"
[scenario]
name = "exact promise"
[simulation]
duration = "365d"
warmup = "0d"
seed = 3
replications = 2
[customers]
arrival_rate = "20/d"
promise = "3d"
[[department]]
name = "sales"
staff = 50
service = "1.7h"
[[department]]
name = "billing"
staff = 50
service = "50m"
[[flow]]
name = "f"
steps = ["sales", "billing"]
[[handoff]]
from = "sales"
to = "billing"
delay = "0.3h"
[[handoff]]
from = "billing"
to = "customer"
delay = "{last_delay}"
"#
        )
    };
    for (delay, all_late) in [("69h 10m", false), ("69h 10m 1s", true)] {
        for r in run(&chain(delay)).runs {
            let o = &r.metrics.orders;
            assert!(o.delivered > 3_000.0, "{delay}: {} delivered", o.delivered);
            let expected = if all_late { o.delivered } else { 0.0 };
            assert_eq!(
                o.late, expected,
                "{delay}: {} late of {}",
                o.late, o.delivered
            );
        }
    }
}
