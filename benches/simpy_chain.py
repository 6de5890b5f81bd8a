#!/usr/bin/env python3
"""The plain chain (benches/scenarios/plain-chain.toml) in SimPy, for a speed comparison.

Not part of CI; needs `pip install simpy`. Models what the engine spends its
events on: Poisson arrivals (20/d), three departments with their staff and
service-time distributions, and the three handoffs with their delays, losses
(chased after the customer's patience, then redone) and errors (caught ones
sent back for rework). Customer decisions (complaints, word of mouth) are left
out, which only flatters SimPy.

    python3 benches/simpy_chain.py 3650     # simulated days (default 365)

prints the simulated days, orders delivered, and the wall and CPU time of the
simulation (CPU time is the steadier figure on a shared machine); compare with

    /usr/bin/time -f '%e s wall, %U s user' target/release/handoff run benches/scenarios/plain-chain.toml \\
        --replications 1 --set simulation.duration=3650d --format json -q

(docs/performance.md has the figures).
"""

import math
import random
import sys
import time

import simpy

HOUR = 1.0
DAY = 24.0


def lognormal(rng, mean, cv):
    sigma2 = math.log(1 + cv * cv)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


def gamma(rng, mean, cv):
    shape = 1 / (cv * cv)
    return rng.gammavariate(shape, mean / shape)


def main():
    days = float(sys.argv[1]) if len(sys.argv) > 1 else 365.0
    rng = random.Random(7)
    env = simpy.Environment()
    sales = simpy.Resource(env, capacity=2)
    production = simpy.Resource(env, capacity=4)
    billing = simpy.Resource(env, capacity=1)
    patience = 14 * DAY
    delivered = [0]

    steps = [
        # department, service sampler, handoff: (delay, lose, error, catch)
        (sales, lambda: lognormal(rng, 1.7, 0.5), (lambda: 2.0, 0.002, 0.03, 0.6)),
        (production, lambda: gamma(rng, 3.6, 0.8),
         (lambda: rng.uniform(0.5, 2.0), 0.0, 0.01, 0.5)),
        (billing, lambda: rng.expovariate(1 / (50 / 60)),
         (lambda: rng.triangular(1 * DAY, 4 * DAY, 2 * DAY), 0.0, 0.01, 0.0)),
    ]

    def order(env):
        for department, service, (delay, lose, error, catch) in steps:
            while True:
                with department.request() as req:
                    yield req
                    yield env.timeout(service())
                d = delay()
                lost = rng.random() < lose
                erred = rng.random() < error
                caught = rng.random() < catch
                if lost:
                    yield env.timeout(patience)  # chased, then done again
                    continue
                if d > 0:
                    yield env.timeout(d)
                if erred and caught:
                    continue  # sent back: the sender serves it again
                break
        delivered[0] += 1

    def arrivals(env):
        while True:
            yield env.timeout(rng.expovariate(20 / DAY))
            env.process(order(env))

    env.process(arrivals(env))
    start, cpu = time.perf_counter(), time.process_time()
    env.run(until=days * DAY)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{days:g} simulated days, {delivered[0]} orders delivered, "
        f"{wall:.2f} s wall, {cpu:.2f} s CPU"
    )


if __name__ == "__main__":
    main()
