//! What the departments are asked to do, worked out from the model alone.
//!
//! With new customers arriving at rate λ, department `d` sees first orders at
//! rate λ × Σ (flow share × visits per order at each of its steps), where a
//! step is visited again for every lost transfer (the sender redoes it after
//! the chase) and every caught error (the sender reworks it):
//! visits = 1 / ((1 − lose) (1 − error × catch)). Offered load per server is
//! that rate times the mean service time, divided by the staff: at 1 or more
//! the queue grows without bound.
//!
//! Reorders multiply the rate. A customer who arrived `s` hours ago has had
//! about `n = s / mean(reorder)` chances to reorder, each taken only if they
//! have not churned: `1 + k + k² + … + kⁿ` orders with `k = 1 − churn`, the
//! discrete sum the revenue formula uses (docs/customers.md). At the end of
//! a run of length `T` the customers still ordering place
//! `1 + k (1 − kⁿ) / (1 − k)` orders per first order per reorder interval,
//! with `n = T / mean(reorder)`: `1 / churn` once the base has settled.
//!
//! Opening hours count each staff member for the share of the week they are
//! on duty. Departments that pools link share their staff and the pools'
//! ([`Model::loads`]); a maximum flow finds the part of such a group that
//! cannot keep up though the group can. Incident windows change the work (a
//! handoff's `lose` and caught errors) and the staff and service inside them
//! ([`Model::window_loads`], [`Backlog`]); the long-run load weighs each
//! window by the share of the run it lasts ([`Model::long_run_workload`]).

use std::collections::BTreeMap;

use super::in_force::{InForce, Settings};
use super::{DeptId, Hours, Model};

/// More window boundaries than this in a run (an incident every minute for
/// years), and the long-run load mixes each incident's window alone by its
/// share of time instead of walking every window.
const MAX_WINDOW_EDGES: u64 = 100_000;

/// Work asked of the departments and the staff on duty to do it, in hours per
/// hour of calendar time, each staff member counted for the share of the week
/// they are open.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Per department: hours of work asked per hour (jobs × mean service).
    pub work: Vec<f64>,
    /// Per department: jobs asked per hour (first visits, redone visits and rework).
    pub jobs: Vec<f64>,
    /// Per department: its own staff on duty on average (staff × open share of the week).
    pub own: Vec<f64>,
    /// Per pool: its staff on duty on average.
    pub pools: Vec<f64>,
    /// Per handoff: transfers along it per hour (every visit to a step ends in
    /// its handoff, so a redone visit is another transfer).
    pub transfers: Vec<f64>,
}

impl Workload {
    /// Work and jobs multiplied by `growth` (reorders); staff unchanged.
    pub fn grown(mut self, growth: f64) -> Self {
        for w in self
            .work
            .iter_mut()
            .chain(self.jobs.iter_mut())
            .chain(self.transfers.iter_mut())
        {
            *w *= growth;
        }
        self
    }

    fn zero(m: &Model) -> Self {
        let departments = m.departments.len();
        Self {
            work: vec![0.0; departments],
            jobs: vec![0.0; departments],
            own: vec![0.0; departments],
            pools: vec![0.0; m.pools.len()],
            transfers: vec![0.0; m.handoffs.len()],
        }
    }

    /// Adds `weight` × `other`, field by field (a time average, piece by piece).
    fn add_weighted(&mut self, other: &Self, weight: f64) {
        let pairs = [
            (&mut self.work, &other.work),
            (&mut self.jobs, &other.jobs),
            (&mut self.own, &other.own),
            (&mut self.pools, &other.pools),
            (&mut self.transfers, &other.transfers),
        ];
        for (mine, theirs) in pairs {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += weight * t;
            }
        }
    }

    /// The work and staff of some departments and the pools that help them.
    pub fn strain(&self, departments: &[DeptId], pools: &[usize]) -> Strain {
        Strain {
            departments: departments.to_vec(),
            pools: pools.to_vec(),
            work: departments.iter().map(|&d| self.work[d]).sum(),
            jobs: departments.iter().map(|&d| self.jobs[d]).sum(),
            staff: departments.iter().map(|&d| self.own[d]).sum::<f64>()
                + pools.iter().map(|&p| self.pools[p]).sum::<f64>(),
        }
    }
}

/// Departments that share their staff (one department alone, a group that
/// pools link, or the part of such a group that cannot keep up) with the work
/// asked of them and the staff on duty for it, in hours per hour.
#[derive(Debug, Clone, PartialEq)]
pub struct Strain {
    pub departments: Vec<DeptId>,
    /// The pools whose staff count here.
    pub pools: Vec<usize>,
    pub work: f64,
    pub jobs: f64,
    pub staff: f64,
}

impl Strain {
    /// Work over staff on duty: at 1 or more the queue grows without bound.
    pub fn load(&self) -> f64 {
        if self.staff > 0.0 {
            self.work / self.staff
        } else if self.work > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }

    /// Mean hours of work per job (0 without jobs).
    pub fn work_per_job(&self) -> f64 {
        if self.jobs > 0.0 {
            self.work / self.jobs
        } else {
            0.0
        }
    }
}

/// Each department's load, and the sets of departments that bear it together.
#[derive(Debug, Clone, PartialEq)]
pub struct Loads {
    /// Departments alone, groups linked by pools, and parts of groups that
    /// cannot keep up though their group as a whole can.
    pub sets: Vec<Strain>,
    /// Per department, the index in `sets` whose load it bears: its group's,
    /// or that of the part of its group that cannot keep up when that is higher.
    pub of_department: Vec<usize>,
    /// Per set, the index in `sets` of the group it is a part of (`None` for
    /// a department alone or a whole group).
    pub part_of: Vec<Option<usize>>,
}

impl Loads {
    pub fn per_department(&self) -> Vec<f64> {
        self.of_department
            .iter()
            .map(|&s| self.sets[s].load())
            .collect()
    }
}

/// How many of the other incidents in force a [`WindowLoad`] names: the
/// reader wants a few names, and thousands of overlapping incidents must not
/// cost memory in the square of their number.
pub const OTHERS_LISTED: usize = 5;

/// What the departments face inside one incident's window, against outside any.
#[derive(Debug, Clone)]
pub struct WindowLoad {
    pub incident: usize,
    /// The first [`OTHERS_LISTED`] other incidents in force at the start of
    /// its first window, in the order listed, and how many there are in all
    /// (all of them count in `inside`: later ones win for the fields they set).
    pub others: Vec<usize>,
    pub others_in_force: usize,
    /// The first window within the run, in hours since its start.
    pub from_h: f64,
    pub to_h: f64,
    /// How many windows start within the run (1 without `every`).
    pub windows: u64,
    /// Orders per first order, at the end of the last window within the run.
    pub growth: f64,
    pub outside: Workload,
    pub inside: Workload,
}

/// What a window in which a set of departments cannot keep up costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backlog {
    /// Hours of work left undone at the end of the window.
    pub work_h: f64,
    /// Jobs waiting at the end of the window beyond the usual queue.
    pub jobs: f64,
    /// Hours the spare staff-time outside the windows takes to clear them
    /// (infinite when there is none).
    pub clear_h: f64,
}

impl Backlog {
    /// A window of `window_h` hours in which `inside` holds, cleared afterwards
    /// by the same departments and pools as `outside` (fluid approximation:
    /// jobs queue at the excess rate, `(λ·E[S] − c) / E[S]`).
    pub fn of(inside: &Strain, outside: &Strain, window_h: f64) -> Self {
        let excess = (inside.work - inside.staff).max(0.0) * window_h;
        let per_job = inside.work_per_job();
        let jobs = if per_job > 0.0 { excess / per_job } else { 0.0 };
        // Jobs waiting are served at the usual speed once the window is over.
        let to_clear = jobs * outside.work_per_job();
        let spare = outside.staff - outside.work;
        let clear_h = if to_clear <= 0.0 {
            0.0
        } else if spare > 0.0 {
            to_clear / spare
        } else {
            f64::INFINITY
        };
        Self {
            work_h: excess,
            jobs,
            clear_h,
        }
    }
}

/// Whether time `t` (hours) falls inside a window of an incident, any repetition
/// (the engine's rule: `[from, to)`, repeated every `every`).
fn in_window(from: f64, to: f64, every: Option<f64>, t: f64) -> bool {
    if t < from {
        return false;
    }
    match every {
        None => t < to,
        Some(period) => (t - from).rem_euclid(period) < to - from,
    }
}

/// Share of the week a unit with `hours` is open (1 without).
fn open_share(hours: Option<&Hours>) -> f64 {
    hours.map_or(1.0, |h| h.open_hours_per_week() / 168.0)
}

impl Model {
    /// Work and staff per hour with the incidents `active` (indices, in the
    /// order listed: later ones win for the fields they set) in force; first
    /// orders only (see [`Workload::grown`] for reorders).
    ///
    /// A handoff's `lose` and caught errors send work back to its sender:
    /// visits = 1 / ((1 − lose) (1 − error × catch)).
    pub fn workload(&self, active: &[usize]) -> Workload {
        self.workload_under(&Settings::with(self, active))
    }

    /// [`Model::workload`] with the values `s` in force.
    fn workload_under(&self, s: &Settings) -> Workload {
        let (odds, staff, service) = (&s.odds, &s.staff, &s.service);
        let mut w = Workload::zero(self);
        let rate = self.customers.arrival_rate_per_h;
        for flow in self.flows.iter().filter(|f| f.share > 0.0) {
            for (&dept, &handoff) in flow.steps.iter().zip(&flow.handoffs) {
                let (lose, error, catch) = odds[handoff];
                let redo = (1.0 - lose) * (1.0 - error * catch);
                let visits = if redo > 0.0 {
                    1.0 / redo
                } else {
                    f64::INFINITY
                };
                let jobs = rate * flow.share * visits;
                w.jobs[dept] += jobs;
                w.transfers[handoff] += jobs;
                w.work[dept] += jobs * service[dept];
            }
        }
        for (d, spec) in self.departments.iter().enumerate() {
            w.own[d] = f64::from(staff[d]) * open_share(spec.hours.as_ref());
        }
        for (p, pool) in self.pools.iter().enumerate() {
            w.pools[p] = f64::from(pool.staff) * open_share(pool.hours.as_ref());
        }
        w
    }

    /// Who bears the work of `w`: each department alone, or the groups that
    /// pools link, which share their own staff and their pools'. Inside a group,
    /// a part whose work is more than its own staff and every pool that serves
    /// it can do is found too (a minimum cut: see [`Model::overloaded_part`]),
    /// so a department that the group's total hides is not missed.
    pub fn loads(&self, w: &Workload) -> Loads {
        let n = self.departments.len();
        let mut group: Vec<usize> = (0..n).collect();
        fn root(group: &mut [usize], mut d: usize) -> usize {
            while group[d] != d {
                group[d] = group[group[d]];
                d = group[d];
            }
            d
        }
        for pool in &self.pools {
            if let Some(&first) = pool.serves.first() {
                for &d in &pool.serves[1..] {
                    let (a, b) = (root(&mut group, first), root(&mut group, d));
                    group[b] = a;
                }
            }
        }
        // Sets in the order of their first department.
        let mut set_of_root: BTreeMap<usize, usize> = BTreeMap::new();
        let mut members: Vec<Vec<DeptId>> = Vec::new();
        let mut pools_of: Vec<Vec<usize>> = Vec::new();
        let mut of_department = vec![0; n];
        for (d, slot) in of_department.iter_mut().enumerate() {
            let r = root(&mut group, d);
            let next = members.len();
            let s = *set_of_root.entry(r).or_insert(next);
            if s == next {
                members.push(Vec::new());
                pools_of.push(Vec::new());
            }
            members[s].push(d);
            *slot = s;
        }
        for (p, pool) in self.pools.iter().enumerate() {
            if let Some(&first) = pool.serves.first() {
                pools_of[of_department[first]].push(p);
            }
        }
        let mut sets: Vec<Strain> = members
            .iter()
            .zip(&pools_of)
            .map(|(d, p)| w.strain(d, p))
            .collect();
        let mut part_of = vec![None; sets.len()];
        for s in 0..sets.len() {
            if sets[s].departments.len() < 2 || sets[s].pools.is_empty() {
                continue;
            }
            if let Some(part) = self.overloaded_part(w, &sets[s])
                && part.departments.len() < sets[s].departments.len()
                && part.load() > sets[s].load()
            {
                for &d in &part.departments {
                    of_department[d] = sets.len();
                }
                sets.push(part);
                part_of.push(Some(s));
            }
        }
        Loads {
            sets,
            of_department,
            part_of,
        }
    }

    /// The departments of `set` that cannot keep up even when the pools help
    /// them as well as they can, with those pools; `None` when all can.
    ///
    /// Work flows from each department to its own staff, or to a pool that
    /// serves it; the most that can be served is a maximum flow (Edmonds–Karp
    /// on the departments whose own staff are not enough). When it falls short,
    /// the departments still reachable from the source in the residual network
    /// are asked for more than their own staff and every pool that serves them
    /// can do (Hall's condition fails for them).
    fn overloaded_part(&self, w: &Workload, set: &Strain) -> Option<Strain> {
        let short: Vec<DeptId> = set
            .departments
            .iter()
            .copied()
            .filter(|&d| w.work[d] > w.own[d])
            .collect();
        let wanted: f64 = short.iter().map(|&d| w.work[d] - w.own[d]).sum();
        if short.is_empty() || !wanted.is_finite() {
            return None;
        }
        // Nodes: 0 source, 1..=D short departments, then the pools, then the sink.
        let pools = &set.pools;
        let sink = 1 + short.len() + pools.len();
        let mut net = Network::new(sink + 1);
        let mut index = vec![usize::MAX; self.departments.len()];
        for (i, &d) in short.iter().enumerate() {
            index[d] = i;
        }
        let to_sink: Vec<usize> = (0..pools.len())
            .map(|j| net.edge(1 + short.len() + j, sink, w.pools[pools[j]]))
            .collect();
        let from_source: Vec<usize> = short
            .iter()
            .enumerate()
            .map(|(i, &d)| net.edge(0, 1 + i, w.work[d] - w.own[d]))
            .collect();
        let mut helpers: Vec<Vec<(usize, usize)>> = vec![Vec::new(); short.len()];
        for (j, &p) in pools.iter().enumerate() {
            for &d in &self.pools[p].serves {
                if index[d] != usize::MAX {
                    let e = net.edge(1 + index[d], 1 + short.len() + j, f64::INFINITY);
                    helpers[index[d]].push((e, j));
                }
            }
        }
        // A first flow, greedily: each department takes what its pools have
        // left. Augmenting paths then only fix what the greedy order got wrong.
        let mut greedy = 0.0;
        for (i, pools_of_i) in helpers.iter().enumerate() {
            for &(e, j) in pools_of_i {
                let push = net.left(from_source[i]).min(net.left(to_sink[j]));
                if push > 0.0 {
                    net.push(from_source[i], push);
                    net.push(e, push);
                    net.push(to_sink[j], push);
                    greedy += push;
                }
            }
        }
        let tolerance = 1e-9 * wanted.max(1e-12);
        let served = greedy + net.max_flow(0, sink, tolerance);
        if served >= wanted - tolerance {
            return None;
        }
        let reached = net.reachable(0, tolerance);
        let part: Vec<DeptId> = (0..short.len())
            .filter(|&i| reached[1 + i])
            .map(|i| short[i])
            .collect();
        let helping: Vec<usize> = (0..pools.len())
            .filter(|&j| reached[1 + short.len() + j])
            .map(|j| pools[j])
            .collect();
        Some(w.strain(&part, &helping))
    }

    /// The incidents whose window is open at `t`, in the order listed.
    pub fn incidents_active_at(&self, t: f64) -> Vec<usize> {
        (0..self.incidents.len())
            .filter(|&i| {
                let x = &self.incidents[i];
                in_window(x.from_h, x.to_h, x.every_h, t)
            })
            .collect()
    }

    /// Work and staff per hour averaged over the whole run, incident windows
    /// included for the time they last (first orders only).
    ///
    /// The run is cut at every window's start and end and each piece weighs
    /// its length; with more than [`MAX_WINDOW_EDGES`] cuts, each incident's
    /// windows are weighed alone by their share of the run instead (overlaps
    /// between incidents then count as if apart).
    pub fn long_run_workload(&self) -> Workload {
        let plain = self.workload(&[]);
        let end = self.simulation.duration_h;
        if self.incidents.is_empty() || end.is_nan() || end <= 0.0 {
            return plain;
        }
        let starts = |from: f64, every: Option<f64>| -> u64 {
            match every {
                _ if from >= end => 0,
                None => 1,
                Some(p) => ((end - from) / p).ceil().min(u64::MAX as f64) as u64,
            }
        };
        let edges: u64 = self
            .incidents
            .iter()
            .map(|i| starts(i.from_h, i.every_h).saturating_mul(2))
            .fold(0, u64::saturating_add);
        let mut total = Workload::zero(self);
        if edges > MAX_WINDOW_EDGES {
            let mut rest = 1.0;
            let shares: Vec<f64> = self
                .incidents
                .iter()
                .map(|i| share_inside(i.from_h, i.to_h, i.every_h, end))
                .collect();
            let sum: f64 = shares.iter().sum();
            let scale = if sum > 1.0 { 1.0 / sum } else { 1.0 };
            for (i, share) in shares.iter().enumerate() {
                total.add_weighted(&self.workload(&[i]), share * scale);
                rest -= share * scale;
            }
            total.add_weighted(&plain, rest.max(0.0));
            return total;
        }
        // Every window's edges within reach, in time order; between two of
        // them the same incidents are in force.
        let mut edges: Vec<(f64, usize, bool)> = Vec::new();
        for (i, x) in self.incidents.iter().enumerate() {
            for k in 0..starts(x.from_h, x.every_h) {
                let shift = k as f64 * x.every_h.unwrap_or(0.0);
                edges.push((x.from_h + shift, i, true));
                edges.push((x.to_h + shift, i, false));
            }
        }
        edges.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut cuts: Vec<f64> = edges
            .iter()
            .map(|e| e.0)
            .filter(|&t| t > 0.0 && t < end)
            .chain([0.0, end])
            .collect();
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let mut in_force = InForce::new(self);
        let mut edges = edges.into_iter().peekable();
        for piece in cuts.windows(2) {
            let (a, b) = (piece[0], piece[1]);
            while let Some((_, i, opens)) = edges.next_if(|e| e.0 <= a) {
                if opens {
                    in_force.open(i);
                } else {
                    in_force.close(i);
                }
            }
            let w = self.workload_under(in_force.settings());
            total.add_weighted(&w, (b - a) / end);
        }
        total
    }

    /// Expected utilisation of each department from new customers' first orders
    /// outside incident windows (complaints and reorders not included, so a
    /// lower bound when either is present).
    ///
    /// The load is over the hours on duty: a week's work over the staff-hours
    /// on duty in a week. Departments that pools link share their staff and
    /// the pools' (see [`Model::loads`]).
    pub fn offered_load(&self) -> Vec<f64> {
        self.loads(&self.workload(&[])).per_department()
    }

    /// The load on each department with the incidents in force at time `t`
    /// (first orders and reorders up to `t`): what the engine faces then.
    pub fn load_at(&self, t: f64) -> Vec<f64> {
        let w = self
            .workload(&self.incidents_active_at(t))
            .grown(self.reorder_growth_at(t));
        self.loads(&w).per_department()
    }

    /// Each incident's first window within the run, against the same moment
    /// outside any window; incidents that start after the run are left out.
    ///
    /// The incidents in force at each window's start come from one walk
    /// through time: one-off windows open and close as the walk passes their
    /// edges; repeating ones are checked at each start (their windows may be
    /// too many to walk).
    pub fn window_loads(&self) -> Vec<WindowLoad> {
        let end = self.simulation.duration_h;
        let plain = self.workload(&[]);
        let mut starts: Vec<usize> = (0..self.incidents.len())
            .filter(|&i| self.incidents[i].from_h < end)
            .collect();
        starts.sort_by(|&a, &b| {
            self.incidents[a]
                .from_h
                .total_cmp(&self.incidents[b].from_h)
        });
        let (repeating, once): (Vec<usize>, Vec<usize>) =
            (0..self.incidents.len()).partition(|&i| self.incidents[i].every_h.is_some());
        let mut edges: Vec<(f64, usize, bool)> = once
            .iter()
            .flat_map(|&i| {
                let x = &self.incidents[i];
                [(x.from_h, i, true), (x.to_h, i, false)]
            })
            .collect();
        edges.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut edges = edges.into_iter().peekable();
        let mut in_force = InForce::new(self);
        let mut out = Vec::with_capacity(starts.len());
        for i in starts {
            let incident = &self.incidents[i];
            let at = incident.from_h;
            // `[from, to)`: a window closing at `at` is over, one opening at it in force.
            while let Some((_, j, opens)) = edges.next_if(|e| e.0 <= at) {
                if opens {
                    in_force.open(j);
                } else {
                    in_force.close(j);
                }
            }
            for &j in &repeating {
                let x = &self.incidents[j];
                let inside = in_window(x.from_h, x.to_h, x.every_h, at);
                if inside && !in_force.is_open(j) {
                    in_force.open(j);
                } else if !inside && in_force.is_open(j) {
                    in_force.close(j);
                }
            }
            let windows = incident.windows_before(end);
            // Reorders grow the work: take it at the end of the last window.
            let last_end = if windows > 1 {
                end
            } else {
                incident.to_h.min(end)
            };
            let growth = self.reorder_growth_at(last_end);
            out.push(WindowLoad {
                incident: i,
                inside: self.workload_under(in_force.settings()).grown(growth),
                outside: plain.clone().grown(growth),
                others: in_force
                    .active()
                    .filter(|&j| j != i)
                    .take(OTHERS_LISTED)
                    .collect(),
                others_in_force: in_force.len() - usize::from(in_force.is_open(i)),
                from_h: incident.from_h,
                to_h: incident.to_h.min(end),
                windows,
                growth,
            });
        }
        out.sort_by_key(|w| w.incident);
        out
    }

    /// Orders per hour at the end of the run for each first order per hour:
    /// 1 without reorders, `1 + k (1 − kⁿ) / (1 − k)` with them (see the module
    /// notes). Problems drive some customers away sooner, so this is an upper bound.
    pub fn reorder_growth(&self) -> f64 {
        self.reorder_growth_at(self.simulation.duration_h)
    }

    /// Orders per hour at time `t` for each first order per hour (see
    /// [`Model::reorder_growth`]).
    pub fn reorder_growth_at(&self, t: f64) -> f64 {
        let Some(reorder) = &self.customers.reorder else {
            return 1.0;
        };
        let cycles = t.max(0.0) / reorder.mean();
        1.0 + orders_after_the_first(1.0 - self.customers.churn, cycles)
    }

    /// Who bears the load by the end of the run: first orders and reorders
    /// ([`Model::reorder_growth`]), incident windows weighed by the time they
    /// last ([`Model::long_run_workload`]); complaints not included.
    pub fn expected_loads(&self) -> Loads {
        let growth = self.reorder_growth();
        self.loads(&self.long_run_workload().grown(growth))
    }

    /// Expected utilisation of each department by the end of the run (see
    /// [`Model::expected_loads`]).
    pub fn expected_load(&self) -> Vec<f64> {
        self.expected_loads().per_department()
    }

    /// Departments that no flow passes through (the complaint desk among them, if it is one).
    pub fn departments_in_no_flow(&self) -> Vec<DeptId> {
        // One pass over the steps: a scenario may have 100 000 departments
        // and as many steps, where a search per department is quadratic.
        let mut in_a_flow = vec![false; self.departments.len()];
        for &d in self.flows.iter().flat_map(|f| &f.steps) {
            if let Some(seen) = in_a_flow.get_mut(d) {
                *seen = true;
            }
        }
        (0..self.departments.len())
            .filter(|&d| !in_a_flow[d])
            .collect()
    }
}

/// Share of `[0, end)` inside the windows `[from, to)` repeated every `every`.
pub(super) fn share_inside(from: f64, to: f64, every: Option<f64>, end: f64) -> f64 {
    let before = |t: f64| -> f64 {
        let since = t - from;
        if since <= 0.0 {
            return 0.0;
        }
        match every {
            None => since.min(to - from),
            Some(p) => {
                let whole = (since / p).floor();
                whole * (to - from) + (since - whole * p).min(to - from)
            }
        }
    };
    if end > 0.0 {
        (before(end) / end).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// A flow network with real capacities, for [`Model::overloaded_part`].
struct Network {
    /// Per node: indices into `edges`.
    out: Vec<Vec<usize>>,
    /// (to, residual capacity); edge `e ^ 1` is the reverse of edge `e`.
    edges: Vec<(usize, f64)>,
}

impl Network {
    fn new(nodes: usize) -> Self {
        Self {
            out: vec![Vec::new(); nodes],
            edges: Vec::new(),
        }
    }

    /// Adds an edge and its reverse; returns the edge's index.
    fn edge(&mut self, from: usize, to: usize, capacity: f64) -> usize {
        let id = self.edges.len();
        self.out[from].push(id);
        self.edges.push((to, capacity));
        self.out[to].push(id + 1);
        self.edges.push((from, 0.0));
        id
    }

    /// Capacity left on edge `e`.
    fn left(&self, e: usize) -> f64 {
        self.edges[e].1
    }

    /// Sends `amount` along edge `e`.
    fn push(&mut self, e: usize, amount: f64) {
        self.edges[e].1 -= amount;
        self.edges[e ^ 1].1 += amount;
    }

    /// Breadth-first search over edges with more than `tolerance` left: the
    /// edge each node was reached by (`usize::MAX` for the start and the unreached).
    fn search(&self, source: usize, tolerance: f64) -> (Vec<bool>, Vec<usize>) {
        let mut reached = vec![false; self.out.len()];
        let mut by = vec![usize::MAX; self.out.len()];
        let mut queue = std::collections::VecDeque::from([source]);
        reached[source] = true;
        while let Some(node) = queue.pop_front() {
            for &e in &self.out[node] {
                let (to, left) = self.edges[e];
                if left > tolerance && !reached[to] {
                    reached[to] = true;
                    by[to] = e;
                    queue.push_back(to);
                }
            }
        }
        (reached, by)
    }

    /// Edmonds–Karp: augment along shortest paths until the sink is cut off.
    fn max_flow(&mut self, source: usize, sink: usize, tolerance: f64) -> f64 {
        let mut total = 0.0;
        loop {
            let (reached, by) = self.search(source, tolerance);
            if !reached[sink] {
                return total;
            }
            let mut push = f64::INFINITY;
            let mut node = sink;
            while node != source {
                let e = by[node];
                push = push.min(self.edges[e].1);
                node = self.edges[e ^ 1].0;
            }
            let mut node = sink;
            while node != source {
                let e = by[node];
                self.edges[e].1 -= push;
                self.edges[e ^ 1].1 += push;
                node = self.edges[e ^ 1].0;
            }
            total += push;
        }
    }

    fn reachable(&self, source: usize, tolerance: f64) -> Vec<bool> {
        self.search(source, tolerance).0
    }
}

/// `k + k² + … + kⁿ` for a real `n ≥ 0`: `k (1 − kⁿ) / (1 − k)`, or `n` when `k` is 1.
pub fn orders_after_the_first(keep: f64, cycles: f64) -> f64 {
    if keep >= 1.0 {
        cycles
    } else if keep <= 0.0 {
        0.0
    } else {
        keep * (1.0 - keep.powf(cycles)) / (1.0 - keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Customers, Department, Distribution, Flow, Incident, IncidentTarget, Pool, ProblemOdds,
        Simulation, StayOdds, Target,
    };

    /// Two departments, one flow each, λ = 1/h half to each, service 1 h.
    fn two(staff: [u32; 2], hours: Option<Hours>, pools: Vec<Pool>) -> Model {
        let dept = |i: usize| Department {
            name: format!("d{i}"),
            staff: staff[i],
            service: Distribution::exponential(1.0).unwrap(),
            hours: if i == 0 { hours.clone() } else { None },
            cost: 0.0,
            rude: 0.0,
        };
        let flow = |i: usize| Flow {
            name: format!("f{i}"),
            share: 0.5,
            steps: vec![i],
            handoffs: vec![i],
            priority: 0,
        };
        let handoff = |i: usize| crate::model::Handoff {
            from: i,
            to: Target::Customer,
            delay: None,
            lose: 0.0,
            error: 0.0,
            catch: 0.0,
        };
        Model {
            name: "t".into(),
            description: String::new(),
            simulation: Simulation {
                duration_h: 100.0,
                warmup_h: 0.0,
                seed: 1,
                replications: 1,
                max_live: 1000,
            },
            customers: Customers {
                arrival_rate_per_h: 1.0,
                reorder: None,
                churn: 0.0,
                order_value: 0.0,
                promise_h: 1.0,
                patience_h: 1.0,
                complain_share: 0.0,
                word_of_mouth: 0,
                deter: 0.0,
                abusive_share: 0.0,
            },
            problem: ProblemOdds::default(),
            stay: StayOdds::default(),
            complaints: None,
            departments: vec![dept(0), dept(1)],
            flows: vec![flow(0), flow(1)],
            handoffs: vec![handoff(0), handoff(1)],
            pools,
            incidents: Vec::new(),
            morale: None,
            learning: None,
            policy: None,
        }
    }

    #[test]
    fn load_counts_open_hours_and_pools() {
        assert_eq!(two([1, 1], None, vec![]).offered_load(), vec![0.5, 0.5]);
        // Open 42 h of 168: four times the load.
        let quarter = Hours {
            windows: vec![(0, 42 * 60)],
        };
        assert_eq!(
            two([1, 1], Some(quarter), vec![]).offered_load(),
            vec![2.0, 0.5]
        );
        // Pooled: both departments' work (168 h a week) over 3 × 168 staff-hours.
        let pool = Pool {
            name: "p".into(),
            staff: 3,
            serves: vec![0, 1],
            hours: None,
            cost: 0.0,
        };
        let load = two([0, 0], None, vec![pool]).offered_load();
        assert!((load[0] - 1.0 / 3.0).abs() < 1e-12 && load[0] == load[1]);
    }

    #[test]
    fn the_reorder_sum_is_the_discrete_one() {
        // Whole n: the sum written out.
        for (keep, n) in [(0.75, 6), (0.5, 1), (0.9, 40)] {
            let written: f64 = (1..=n).map(|j| f64::powi(keep, j)).sum();
            let closed = orders_after_the_first(keep, f64::from(n));
            assert!((written - closed).abs() < 1e-12, "{keep} {n}");
        }
        // Settled (n large): 1 + k / (1 − k) = 1 / churn orders per first order;
        // at churn 0.25 that is 4, where the continuous formula gave 4.48.
        let settled = 1.0 + orders_after_the_first(0.75, 1e6);
        assert!((settled - 4.0).abs() < 1e-12, "{settled}");
        assert_eq!(orders_after_the_first(1.0, 2.5), 2.5);
        assert_eq!(orders_after_the_first(0.0, 2.5), 0.0);
    }

    /// One flow per department, each to the customer: `(staff, share, mean service h)`.
    fn flows(rate: f64, depts: &[(u32, f64, f64)], pools: Vec<Pool>, days: f64) -> Model {
        let mut m = two([1, 1], None, pools);
        m.customers.arrival_rate_per_h = rate;
        m.simulation.duration_h = days * 24.0;
        m.departments = depts
            .iter()
            .enumerate()
            .map(|(i, &(staff, _, mean))| Department {
                name: format!("d{i}"),
                staff,
                service: Distribution::exponential(mean).unwrap(),
                hours: None,
                cost: 0.0,
                rude: 0.0,
            })
            .collect();
        m.flows = depts
            .iter()
            .enumerate()
            .map(|(i, &(_, share, _))| Flow {
                name: format!("f{i}"),
                share,
                steps: vec![i],
                handoffs: vec![i],
                priority: 0,
            })
            .collect();
        m.handoffs = (0..depts.len())
            .map(|i| crate::model::Handoff {
                from: i,
                to: Target::Customer,
                delay: None,
                lose: 0.0,
                error: 0.0,
                catch: 0.0,
            })
            .collect();
        m
    }

    fn pool(staff: u32, serves: Vec<DeptId>) -> Pool {
        Pool {
            name: format!("p{}", serves.len()),
            staff,
            serves,
            hours: None,
            cost: 0.0,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    /// A desk of 2 with 1 job an hour of 1.5 h: 75 %. A strike (days 10–12)
    /// leaves 1; an outage each week (hours 24–30) makes every job be done
    /// twice (error 0.5, all caught).
    fn desk_with_incidents(days: f64) -> Model {
        let mut m = flows(1.0, &[(2, 1.0, 1.5)], vec![], days);
        m.incidents = vec![
            Incident {
                name: "strike".into(),
                from_h: 240.0,
                to_h: 288.0,
                every_h: None,
                target: IncidentTarget::Department {
                    department: 0,
                    staff: Some(1),
                    service: None,
                },
            },
            Incident {
                name: "outage".into(),
                from_h: 24.0,
                to_h: 30.0,
                every_h: Some(168.0),
                target: IncidentTarget::Handoff {
                    handoff: 0,
                    lose: None,
                    error: Some(0.5),
                    catch: Some(1.0),
                    delay: None,
                },
            },
        ];
        m
    }

    #[test]
    fn an_incident_changes_the_load_inside_its_window_and_costs_a_backlog() {
        let m = desk_with_incidents(30.0);
        assert_eq!(m.offered_load(), vec![0.75]);
        let windows = m.window_loads();
        assert_eq!(windows.len(), 2);
        // Strike: 1.5 h of work an hour for 1 person, 48 h: 24 h of work
        // undone, 16 jobs of 1.5 h, cleared at 2 − 1.5 = 0.5 spare: 48 h.
        let strike = &windows[0];
        assert_eq!((strike.others.clone(), strike.others_in_force), (vec![], 0));
        assert_eq!(strike.windows, 1);
        let inside = m.loads(&strike.inside);
        assert_eq!(inside.per_department(), vec![1.5]);
        let b = Backlog::of(
            &inside.sets[0],
            &strike.outside.strain(&[0], &[]),
            strike.to_h - strike.from_h,
        );
        assert!(
            close(b.work_h, 24.0) && close(b.jobs, 16.0) && close(b.clear_h, 48.0),
            "{b:?}"
        );
        // Outage: 2 visits a job, 3 h of work an hour for 2 people over 6 h:
        // 6 h undone, 4 jobs, cleared in 4 × 1.5 / 0.5 = 12 h; it starts at
        // days 1, 8, 15, 22 and 29 of 30.
        let outage = &windows[1];
        assert_eq!((outage.others.clone(), outage.others_in_force), (vec![], 0));
        assert_eq!(outage.windows, 5);
        let inside = m.loads(&outage.inside);
        assert_eq!(inside.per_department(), vec![1.5]);
        assert_eq!(outage.inside.jobs, vec![2.0]);
        let b = Backlog::of(&inside.sets[0], &outage.outside.strain(&[0], &[]), 6.0);
        assert!(
            close(b.work_h, 6.0) && close(b.jobs, 4.0) && close(b.clear_h, 12.0),
            "{b:?}"
        );
        // The long run: 30 h of 720 at double work, 48 h at one person.
        let work = 1.5 + 1.5 * 30.0 / 720.0;
        let staff = 2.0 - 48.0 / 720.0;
        let long = m.expected_load();
        assert!(close(long[0], work / staff), "{long:?} vs {}", work / staff);
        assert!((long[0] - 0.808).abs() < 1e-3);
        // At a moment inside the strike the engine faces 150 %.
        assert_eq!(m.load_at(250.0), vec![1.5]);
        assert_eq!(m.load_at(200.0), vec![0.75]);
    }

    #[test]
    fn windows_every_minute_weigh_their_share_whether_walked_or_mixed() {
        // A window of 1 min every 2 min leaving one of two people: half the
        // time 1 person, so 1.5 people on average for 1.5 h of work an hour.
        for days in [10.0, 3650.0] {
            let mut m = desk_with_incidents(days);
            m.incidents.truncate(1);
            m.incidents[0].from_h = 0.0;
            m.incidents[0].to_h = 1.0 / 60.0;
            m.incidents[0].every_h = Some(2.0 / 60.0);
            // 10 days are walked window by window (14 400 edges); ten years
            // are over the limit and mixed by share: the same answer.
            let edges = days * 24.0 * 60.0;
            assert_eq!(edges > MAX_WINDOW_EDGES as f64, days > 100.0);
            let long = m.expected_load();
            assert!(close(long[0], 1.0), "{days}: {long:?}");
        }
    }

    #[test]
    fn a_pool_group_can_be_overloaded_though_each_department_with_the_pool_is_not() {
        // 1.5 h of work an hour each, 1 person each, a pool of 1 for both:
        // each with the whole pool, 1.5 / 2 = 75 %; together 3 / 3 = 100 %.
        let m = flows(
            3.0,
            &[(1, 0.5, 1.0), (1, 0.5, 1.0)],
            vec![pool(1, vec![0, 1])],
            30.0,
        );
        let alone = |d: usize| m.workload(&[]).work[d] / (1.0 + 1.0);
        assert_eq!((alone(0), alone(1)), (0.75, 0.75));
        let loads = m.loads(&m.workload(&[]));
        assert_eq!(loads.per_department(), vec![1.0, 1.0]);
        assert_eq!(loads.sets.len(), 1, "one warning for the group: {loads:?}");
        assert_eq!(loads.sets[0].departments, vec![0, 1]);
    }

    #[test]
    fn a_department_that_the_group_total_hides_is_found() {
        // d0: 3 h an hour, 1 person; d1: 1 h an hour, 10 people; a pool of 1
        // for both. Together 4 / 12 = 33 %, but d0 gets at most its own and
        // the pool: 3 / 2 = 150 %.
        let m = flows(
            4.0,
            &[(1, 0.75, 1.0), (10, 0.25, 1.0)],
            vec![pool(1, vec![0, 1])],
            30.0,
        );
        let loads = m.loads(&m.workload(&[]));
        let per = loads.per_department();
        assert!(close(per[0], 1.5) && close(per[1], 4.0 / 12.0), "{per:?}");
        let part = &loads.sets[loads.of_department[0]];
        assert_eq!(
            (part.departments.clone(), part.pools.clone()),
            (vec![0], vec![0])
        );

        // Three departments, two pools: p (2) serves d0 and d1, q (3) serves
        // d1 and d2. d0 (2.5 h an hour, nobody of its own) only has p; d1
        // (2 h) is served by q; d2 (0.5 h, 5 people) needs no help. Together
        // 5 / 10 = 50 %; d0 with p: 2.5 / 2 = 125 %. d1 is not part of it.
        let p = pool(2, vec![0, 1]);
        let mut q = pool(3, vec![1, 2]);
        q.name = "q".into();
        let m = flows(
            5.0,
            &[(0, 0.5, 1.0), (0, 0.4, 1.0), (5, 0.1, 1.0)],
            vec![p, q],
            30.0,
        );
        let loads = m.loads(&m.workload(&[]));
        let per = loads.per_department();
        assert!(
            close(per[0], 1.25) && close(per[1], 0.5) && close(per[2], 0.5),
            "{per:?}"
        );
        let part = &loads.sets[loads.of_department[0]];
        assert_eq!(
            (part.departments.clone(), part.pools.clone()),
            (vec![0], vec![0])
        );
        // With enough in q for both, d1 could send all its work there and
        // leave p to d0: give d0 2 h (p covers it) and nothing is overloaded.
        let m2 = flows(
            4.5,
            &[
                (0, 4.0 / 9.0, 1.0),
                (0, 4.0 / 9.0, 1.0),
                (5, 1.0 / 9.0, 1.0),
            ],
            {
                let mut q = pool(3, vec![1, 2]);
                q.name = "q".into();
                vec![pool(2, vec![0, 1]), q]
            },
            30.0,
        );
        let loads = m2.loads(&m2.workload(&[]));
        assert_eq!(loads.sets.len(), 1, "{loads:?}");
        assert!(loads.per_department().iter().all(|&l| close(l, 4.5 / 10.0)));

        // The greedy first flow gives p to d0, which could use q instead, and
        // leaves d1 (only p) short: the augmenting path moves d0 to q. 4 h of
        // work an hour for 5 people, nobody overloaded.
        let mut q = pool(3, vec![0]);
        q.name = "q".into();
        let m3 = flows(
            4.0,
            &[(0, 0.5, 1.0), (0, 0.5, 1.0)],
            vec![pool(2, vec![0, 1]), q],
            30.0,
        );
        let loads = m3.loads(&m3.workload(&[]));
        assert_eq!(loads.sets.len(), 1, "{loads:?}");
        assert!(
            loads.per_department().iter().all(|&l| close(l, 0.8)),
            "{loads:?}"
        );
        // With d1 at 2.5 h it is short by 0.5 whatever the order: d1 and p.
        let m4 = flows(
            4.5,
            &[(0, 4.0 / 9.0, 1.0), (0, 5.0 / 9.0, 1.0)],
            m3.pools.clone(),
            30.0,
        );
        let loads = m4.loads(&m4.workload(&[]));
        let part = &loads.sets[loads.of_department[1]];
        assert_eq!(
            (part.departments.clone(), part.pools.clone()),
            (vec![1], vec![0])
        );
        assert!(close(part.load(), 2.5 / 2.0), "{loads:?}");
    }

    #[test]
    fn growth_at_the_end_is_the_run_growth() {
        let mut m = two([1, 1], None, vec![]);
        m.customers.reorder = Some(Distribution::exponential(10.0).unwrap());
        m.customers.churn = 0.5;
        assert_eq!(m.reorder_growth(), m.reorder_growth_at(100.0));
        // 10 reorder intervals: 1 + 0.5 + … + 0.5¹⁰.
        let sum: f64 = (0..=10).map(|j| 0.5f64.powi(j)).sum();
        assert!(close(m.reorder_growth(), sum));
        assert_eq!(m.reorder_growth_at(0.0), 1.0);
    }

    #[test]
    fn departments_in_no_flow_takes_one_pass() {
        // 200 000 departments and as many steps: a search of the steps per
        // department (4e10 comparisons) would take minutes.
        let mut m = two([1, 1], None, Vec::new());
        let n = 200_000;
        let d0 = m.departments[0].clone();
        m.departments = (0..n)
            .map(|i| Department {
                name: format!("d{i}"),
                ..d0.clone()
            })
            .collect();
        // Every department but the last two is in the first flow.
        m.flows[0].steps = (0..n - 2).collect();
        m.flows[1].steps = vec![0];
        let start = std::time::Instant::now();
        assert_eq!(m.departments_in_no_flow(), vec![n - 2, n - 1]);
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    }

    /// Many random incidents, once or repeating, on handoffs and departments,
    /// overlapping or not: the walk through time gives what checking every
    /// incident at each moment gives (the way these were computed before),
    /// exactly.
    #[test]
    fn the_walk_through_incidents_matches_checking_each_one() {
        use rand::rngs::ChaCha8Rng;
        use rand::{RngExt, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for round in 0..200 {
            let mut m = two([2, 3], None, vec![]);
            let n = rng.random_range(1..40);
            // Times on a coarse grid, so that windows often start and end together.
            let at = |rng: &mut ChaCha8Rng| f64::from(rng.random_range(0..40_u32)) * 2.5;
            m.incidents = (0..n)
                .map(|i| {
                    let from = at(&mut rng);
                    let to = from + 2.5 * f64::from(rng.random_range(1..12_u32));
                    let every = rng
                        .random_bool(0.4)
                        .then(|| to - from + 2.5 * f64::from(rng.random_range(1..8_u32)));
                    let some = |rng: &mut ChaCha8Rng, v: f64| rng.random_bool(0.6).then_some(v);
                    let target = if rng.random_bool(0.5) {
                        IncidentTarget::Handoff {
                            handoff: rng.random_range(0..2),
                            lose: some(&mut rng, f64::from(i) / 100.0),
                            error: some(&mut rng, 0.5),
                            catch: some(&mut rng, f64::from(i) / 50.0),
                            delay: None,
                        }
                    } else {
                        IncidentTarget::Department {
                            department: rng.random_range(0..2),
                            staff: some(&mut rng, f64::from(i % 5)).map(|s| s as u32),
                            service: some(&mut rng, 1.0 + f64::from(i))
                                .map(|mean| Distribution::exponential(mean).unwrap()),
                        }
                    };
                    Incident {
                        name: format!("i{i}"),
                        from_h: from,
                        to_h: to,
                        every_h: every,
                        target,
                    }
                })
                .collect();
            for w in m.window_loads() {
                let x = &m.incidents[w.incident];
                let active = m.incidents_active_at(x.from_h);
                let others: Vec<usize> = active
                    .iter()
                    .copied()
                    .filter(|&j| j != w.incident)
                    .collect();
                assert_eq!(w.others_in_force, others.len(), "round {round}");
                assert_eq!(
                    w.others,
                    others[..others.len().min(OTHERS_LISTED)],
                    "round {round}"
                );
                assert_eq!(
                    w.inside,
                    m.workload(&active).grown(w.growth),
                    "round {round}"
                );
            }
            assert_eq!(
                m.long_run_workload(),
                checked_piece_by_piece(&m),
                "round {round}"
            );
        }
    }

    /// [`Model::long_run_workload`] as it was first written: every incident
    /// checked at the middle of each piece between window edges.
    fn checked_piece_by_piece(m: &Model) -> Workload {
        let end = m.simulation.duration_h;
        let mut cuts = vec![0.0, end];
        for i in &m.incidents {
            let windows = match i.every_h {
                _ if i.from_h >= end => 0,
                None => 1,
                Some(p) => ((end - i.from_h) / p).ceil() as u64,
            };
            for k in 0..windows {
                let shift = k as f64 * i.every_h.unwrap_or(0.0);
                for t in [i.from_h + shift, i.to_h + shift] {
                    if t > 0.0 && t < end {
                        cuts.push(t);
                    }
                }
            }
        }
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let mut total = Workload::zero(m);
        for piece in cuts.windows(2) {
            let (a, b) = (piece[0], piece[1]);
            let w = m.workload(&m.incidents_active_at(a + (b - a) / 2.0));
            total.add_weighted(&w, (b - a) / end);
        }
        total
    }
}
