#!/usr/bin/env python3
"""The plain chain (benches/scenarios/plain-chain.toml) in SimPy, for a speed comparison.

Not part of CI; needs `pip install simpy` (measured with SimPy 4.1.2, Python 3.11).
It models the chain at the level of detail of the bare Rust reference,
benches/engine/bare_chain.rs (docs/performance.md, "The bare model"):

- Poisson arrivals (20 a day); each prospect orders once;
- sales (2 staff, lognormal 1.7 h, cv 0.5), production (4, gamma 3.6 h, cv 0.8),
  billing (1, exponential 50 min): SimPy Resources, FIFO;
- the three handoffs: delays (2 h; uniform 30 min-2 h; triangular 1, 2, 4 d),
  losses (a lost order is chased 14 days after the order or the last chase,
  then done again by the sender), errors and catches (a caught error is sent
  back to the sender for rework; an escaped one is a defect);
- at the delivery (late if over the 7-day promise) each defect (p 0.8) and
  lateness (p 0.3) may become the customer's problem, and at a chase the lost
  order (p 0.9); a customer who has left reacts to nothing more;
- a problem is complained about (0.037) or, silent, the customer stays with
  p 0.37; a complaint is resolved at the first contact (empowerment 0.3, stay
  0.95) or is a SimPy process queued at `support` (1 staff, exponential 2 h):
  resolved within 2 days (stay 0.95) or later (0.70), or, if its 14-day
  patience runs out first, unresolved (0.46);
- a customer who leaves tells 9 people, each deterred with p 0.3; each
  deterred prospect skips a later arrival;
- orders, deliveries, late deliveries and lost customers are counted after the
  30-day warm-up.

Like bare_chain.rs it keeps none of handoff's statistics (waits, utilisation,
lead times, causes, timeline, revenue).

    python3 benches/simpy_chain.py 3650            # simulated days (default 365), seed 7
    python3 benches/simpy_chain.py 3650 1 2 3      # ... one run per seed given

prints, per seed, the counters, the SimPy events processed, and the wall and
CPU time of `env.run` alone (CPU time is the steadier figure on a shared
machine); compare with a tenth of

    /usr/bin/time -f %U target/release/handoff run benches/scenarios/plain-chain.toml \\
        --replications 1 --set simulation.duration=36500d --format json -q

(docs/performance.md, "SimPy", has the figures and the agreement check).
"""

import math
import random
import sys
import time

import simpy

DAY = 24.0  # hours
WARMUP = 30 * DAY
PROMISE = 7 * DAY
PATIENCE = 14 * DAY
# Per step: sales -> production, production -> billing, billing -> customer.
LOSE = (0.002, 0.0, 0.0)
ERROR = (0.03, 0.01, 0.01)
CATCH = (0.6, 0.5, 0.0)
P_LATE, P_LOST, P_DEFECT = 0.3, 0.9, 0.8  # P(problem | late, lost order, defect)
COMPLAIN = 0.037
EMPOWER = 0.3
RESOLVE_WITHIN = 2 * DAY
# P(stay) after a problem kept silent, a complaint unresolved, resolved, resolved quickly.
SILENT, UNRESOLVED, RESOLVED, QUICKLY = 0.37, 0.46, 0.70, 0.95
TOLD, DETER = 9, 0.3


def lognormal_params(mean, cv):
    sigma2 = math.log(1 + cv * cv)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def simulate(days, seed):
    rng = random.Random(seed)
    rand = rng.random
    env = simpy.Environment()
    sales = simpy.Resource(env, capacity=2)
    production = simpy.Resource(env, capacity=4)
    billing = simpy.Resource(env, capacity=1)
    support = simpy.Resource(env, capacity=1)
    mu, sigma = lognormal_params(1.7, 0.5)
    shape = 1 / (0.8 * 0.8)
    steps = (
        (sales, lambda: rng.lognormvariate(mu, sigma), lambda: 2.0),
        (production, lambda: rng.gammavariate(shape, 3.6 / shape),
         lambda: rng.uniform(0.5, 2.0)),
        (billing, lambda: rng.expovariate(60 / 50),
         lambda: rng.triangular(DAY, 4 * DAY, 2 * DAY)),
    )
    counts = dict(orders=0, delivered=0, late=0, customers_lost=0)
    deterred = [0]
    # A customer is [counted after the warm-up, has left].

    def decide(customer, p_stay):
        """Stay with probability p_stay, or leave and deter some of the people told."""
        if rand() < p_stay:
            return True
        customer[1] = True
        counts["customers_lost"] += customer[0]
        deterred[0] += sum(rand() < DETER for _ in range(TOLD))
        return False

    def complaint(customer, settled):
        opened = env.now
        with support.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1 / 2.0))
        if not settled[0]:
            settled[0] = True
            if not customer[1]:
                decide(customer, QUICKLY if env.now - opened <= RESOLVE_WITHIN else RESOLVED)

    def complaint_patience(customer, settled):
        yield env.timeout(PATIENCE)
        if not settled[0]:
            settled[0] = True
            if not customer[1]:
                decide(customer, UNRESOLVED)

    def react(customer):
        """A customer with a problem complains or decides in silence; returns whether they stay for now."""
        if rand() >= COMPLAIN:
            return decide(customer, SILENT)
        if rand() < EMPOWER:
            decide(customer, QUICKLY)  # resolved at the first contact
            return True  # as bare_chain.rs: the order in hand goes on
        settled = [False]
        env.process(complaint(customer, settled))
        env.process(complaint_patience(customer, settled))
        return True

    def order(customer):
        placed = patience_from = env.now
        defects = 0
        step = 0
        while step < 3:
            department, service, delay = steps[step]
            with department.request() as req:
                yield req
                yield env.timeout(service())
            # The handoff out of this step: lost (chased later), or delayed and maybe wrong.
            if LOSE[step] and rand() < LOSE[step]:
                yield env.timeout(max(patience_from + PATIENCE - env.now, 0.0))
                patience_from = env.now
                if customer[1] or (rand() < P_LOST and not react(customer)):
                    return  # the customer gave up on the order
                continue  # the sender does the lost work again
            error = rand() < ERROR[step]
            caught = error and rand() < CATCH[step]
            yield env.timeout(delay())
            if caught:
                continue  # sent back: the sender does it again
            defects += error
            step += 1
        late = env.now - placed > PROMISE
        if env.now >= WARMUP:
            counts["delivered"] += 1
            counts["late"] += late
        if not customer[1]:
            problem = any(rand() < P_DEFECT for _ in range(defects)) or (
                late and rand() < P_LATE)
            if problem:
                react(customer)

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(20 / DAY))
            if deterred[0]:
                deterred[0] -= 1  # a lost customer told this prospect to stay away
                continue
            counted = env.now >= WARMUP
            counts["orders"] += counted
            env.process(order([counted, False]))

    env.process(arrivals())
    start, cpu = time.perf_counter(), time.process_time()
    env.run(until=days * DAY)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    # Events scheduled (SimPy numbers each one) less those still pending at the
    # horizon, less run()'s own stop event: what env.step() processed.
    events = next(env._eid) - len(env._queue) - 1
    return counts, events, wall, cpu


def main():
    days = float(sys.argv[1]) if len(sys.argv) > 1 else 365.0
    seeds = [int(s) for s in sys.argv[2:]] or [7]
    for seed in seeds:
        c, events, wall, cpu = simulate(days, seed)
        print(
            f"{days:g} simulated days, seed {seed}: {c['orders']} orders, "
            f"{c['delivered']} delivered, {c['late']} late, "
            f"{c['customers_lost']} customers lost (after the {WARMUP / DAY:g}-day warm-up); "
            f"{events} SimPy events; {wall:.2f} s wall, {cpu:.2f} s CPU"
        )


if __name__ == "__main__":
    main()
