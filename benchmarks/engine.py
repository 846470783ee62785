"""Engine speed, printed as figures (run by hand: python benchmarks/engine.py).

- score-function samples per second for the gaussian problem at batch 10³ … 10⁶
- the bandit at R = 2000 replicas, batch 1: steps per second
- the 200×200 landscape: seconds per recompute
- the textbook per-sample Python loop, as a ratio to the vectorised step
Targets on a 2-core machine: ≥ 10 million samples/s at batch 10⁵; landscape < 0.2 s.
"""

from __future__ import annotations

import time

import numpy as np

from gradviz.engine.allocator import tune_allocator
from gradviz.engine.config import from_mapping
from gradviz.engine.landscape import gaussian_landscape, softmax_landscape
from gradviz.engine.rewards import CATALOGUE
from gradviz.engine.run import Run


def best_of(func, repeat=5):
    """The fastest of ``repeat`` timings, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def run_steps(run: Run, steps: int) -> None:
    """Step without keeping the records, as the app and `gradviz run` do (a list of them
    would hold every step's arrays: 224 MB for 40 steps at batch 10⁵)."""
    for _ in range(steps):
        run.step()


def samples_per_second(batch: int, steps: int) -> float:
    run = Run(from_mapping({"batch": batch, "lr": 1e-3}))
    run.step()  # warm up
    seconds = best_of(lambda: run_steps(run, steps), repeat=3)
    return batch * steps / seconds


def textbook_loop(batch: int) -> float:
    """Seconds for one estimate written the textbook way: a Python loop over samples."""
    rng = np.random.default_rng(0)
    reward, mu, sigma = CATALOGUE["hills"], np.array([-1.0, -2.5]), 0.5

    def one_estimate():
        total = np.zeros(2)
        for _ in range(batch):
            x = mu + sigma * rng.standard_normal(2)
            f = float(reward.func(x[0], x[1]))
            total += f * (x - mu) / sigma**2
        return total / batch

    return best_of(one_estimate, repeat=3)


def main():
    tune_allocator()   # as `gradviz run` does
    print("gaussian, score function, reward 'hills' (exact J and ∇J included every step)")
    for batch, steps in ((10**3, 400), (10**4, 200), (10**5, 40), (10**6, 4)):
        print(f"  batch {batch:>9,}: {samples_per_second(batch, steps) / 1e6:7.2f} million samples/s")

    run = Run(from_mapping({"problem": "bandit", "runs": 2000, "batch": 1, "lr": 0.1}))
    run.step()
    seconds = best_of(lambda: run_steps(run, 200), repeat=3)
    print(f"bandit, R = 2000 replicas, batch 1: {200 / seconds:,.0f} steps/s "
          f"({2000 * 200 / seconds / 1e6:.2f} million replica-steps/s)")

    print("landscape 200×200, J and ∇J:")
    for name in CATALOGUE:
        for sigma in (0.05, 0.5, 2.0):
            seconds = best_of(lambda: gaussian_landscape(CATALOGUE[name], sigma), repeat=3)
            print(f"  {name:<9} σ = {sigma:<4}: {seconds * 1000:6.1f} ms")
    seconds = best_of(lambda: softmax_landscape([1.0, 2.0, -0.5]), repeat=3)
    print(f"  softmax K = 3      : {seconds * 1000:6.1f} ms")

    batch = 10**4
    loop = textbook_loop(batch)
    vectorised = batch / samples_per_second(batch, 50)
    print(f"textbook per-sample loop at batch {batch:,}: {loop * 1000:.1f} ms per estimate vs "
          f"{vectorised * 1000:.2f} ms vectorised (with exact J): {loop / vectorised:,.0f}× slower")


if __name__ == "__main__":
    main()
