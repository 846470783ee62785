"""gradviz against hand-written NumPy, measured in the same run (python benchmarks/versus_numpy.py).

Each line prints gradviz's time per step, the hand-written baseline's, and their ratio
(hand / gradviz: 1.0 means as fast as the hand version, higher is faster).  gradviz does
more each step than the hand versions: exact J and ∇J, Var(ĝ) and a frozen record.  The
hand versions draw from numpy's default generator (PCG64), gradviz from SFC64; one block
gives the hand version SFC64 too, to show what the generator alone is worth.

Targets (issue 17): ≥ 1.0 at batch 10⁴–10⁶ and ≥ 0.6 at 10³, for catalogue rewards and
formulas, API and CLI; bandit R = 2000 ≥ 1.0; softmax K = 1000 at batch 10⁴ ≥ 1.0;
a formula's time per replica flat from R = 10 to 1000 (linear in R).
"""

from __future__ import annotations

import csv
import io
import time

import numpy as np

from gradviz.engine import table
from gradviz.engine.allocator import tune_allocator
from gradviz.engine.config import from_mapping
from gradviz.engine.rewards import resolve_reward
from gradviz.engine.run import Run

FORMULA = "exp(-(x-1)**2 - y**2) - 0.5*exp(-(x+1)**2)"


def per_step(step, steps: int, repeat: int = 5) -> float:
    """The fastest of ``repeat`` timings of ``steps`` calls, per call, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def hand_gaussian(reward, n: int, write_rows: bool = False, bits=np.random.PCG64):
    """One score-function step written by hand: sample, reward, contributions, mean,
    variance, ascent (optionally one CSV row of θ, ĝ, Var as `gradviz run` writes).  It
    draws from numpy's default bit generator unless given another."""
    rng, mu, sigma = np.random.Generator(bits(0)), np.array([-1.0, -2.5]), 0.5
    writer = csv.writer(io.StringIO())

    def step():
        nonlocal mu
        eps = rng.standard_normal((2, n))
        x = mu[:, None] + sigma * eps
        c = reward(x[0], x[1]) * (eps / sigma)
        estimate, variance = c.mean(axis=1), c.var(axis=1, ddof=1) / n
        if write_rows:
            writer.writerow([repr(v) for v in (*mu, *estimate, *variance)])
        mu = mu + 1e-3 * estimate
    return step


def hand_bandit(runs: int, arms: int = 10, alpha: float = 0.1):
    """Sutton & Barto's gradient bandit vectorised over runs, preferences laid out (R, K)."""
    rng = np.random.default_rng(0)
    q_star, H, r_bar, t = rng.normal(size=(runs, arms)), np.zeros((runs, arms)), np.zeros(runs), [0]
    rows = np.arange(runs)

    def step():
        t[0] += 1
        pi = np.exp(H - H.max(axis=1, keepdims=True))
        pi /= pi.sum(axis=1, keepdims=True)
        action = (rng.random((runs, 1)) < pi.cumsum(axis=1)).argmax(axis=1)
        reward = q_star[rows, action] + rng.normal(size=runs)
        r_bar[:] += (reward - r_bar) / t[0]
        grad = -pi * (reward - r_bar)[:, None]
        grad[rows, action] += reward - r_bar
        H[:] += alpha * grad
    return step


def hand_softmax(values: np.ndarray, n: int):
    """The softmax score-function step by bincount: ĝ = (Σ_{aᵢ=k} fᵢ − π_k Σ fᵢ)/N."""
    rng, theta, k = np.random.default_rng(0), np.zeros(len(values)), len(values)

    def step():
        nonlocal theta
        pi = np.exp(theta - theta.max())
        pi /= pi.sum()
        actions = np.minimum(np.searchsorted(np.cumsum(pi), rng.random(n)), k - 1)
        f = values[actions]
        estimate = (np.bincount(actions, weights=f, minlength=k) - pi * f.sum()) / n
        theta = theta + 1e-3 * estimate
    return step


def gradviz_step(settings: dict):
    run = Run(from_mapping({"lr": 1e-3, **settings}))
    run.step()
    return run.step


def gradviz_cli(settings: dict):
    """`gradviz run` without the interpreter's start: steps written as CSV rows."""
    run = Run(from_mapping({"lr": 1e-3, **settings}))
    run.step()
    out = io.StringIO()

    def step():
        table.write(run.steps(table.CHUNK), out, run.config.dim, run.config.runs)
        out.seek(0)
        out.truncate()
    return step


def line(label: str, ours: float, hand: float, target: float) -> None:
    ratio = hand / ours
    mark = "ok" if ratio >= target else "below target"
    print(f"  {label:<34} gradviz {ours * 1e3:9.3f} ms   hand {hand * 1e3:9.3f} ms   "
          f"ratio {ratio:5.2f}  (target ≥ {target}: {mark})")


def main() -> None:
    tune_allocator()   # as `gradviz run` and the app do
    print("gaussian, score function (API: Run.step)")
    for name in ("hills", FORMULA):
        reward = resolve_reward(name)
        for n, steps in ((10**3, 400), (10**4, 100), (10**5, 20), (10**6, 3)):
            ours = per_step(gradviz_step({"batch": n, "reward": name}), steps)
            hand = per_step(hand_gaussian(reward, n), steps)
            line(f"{name[:12]:<12} batch {n:>9,}", ours, hand, 0.6 if n == 10**3 else 1.0)

    print("gaussian, the fixed cost of a step (batch 16: sampling costs next to nothing); what")
    print("it leaves for the batch sets the ratio at batch 10³ and 10⁴")
    ours = per_step(gradviz_step({"batch": 16, "reward": "hills"}), 2000)
    hand = per_step(hand_gaussian(resolve_reward("hills"), 16), 2000)
    print(f"  hills        batch        16       gradviz {ours * 1e6:7.1f} µs     hand {hand * 1e6:7.1f} µs")

    print("gaussian, the hand version drawing from SFC64 as gradviz does (streams.py): how much")
    print("of the ratio above is the faster generator")
    for n, steps in ((10**4, 100), (10**5, 20), (10**6, 3)):
        ours = per_step(gradviz_step({"batch": n, "reward": "hills"}), steps)
        hand = per_step(hand_gaussian(resolve_reward("hills"), n, bits=np.random.SFC64), steps)
        line(f"hills        batch {n:>9,}", ours, hand, 0.6 if n == 10**3 else 1.0)

    print("gaussian, `gradviz run` (steps written as CSV rows; per step)")
    for n in (10**3, 10**4, 10**5):
        ours = per_step(gradviz_cli({"batch": n}), 2, repeat=3) / table.CHUNK
        hand = per_step(hand_gaussian(resolve_reward("hills"), n, write_rows=True), 100)
        line(f"hills        batch {n:>9,}", ours, hand, 0.6 if n == 10**3 else 1.0)

    print("bandit: 10 arms, R = 2000 replicas, batch 1")
    ours = per_step(gradviz_step({"problem": "bandit", "runs": 2000, "batch": 1,
                                  "baseline": "average"}), 200)
    line("gradient bandit", ours, per_step(hand_bandit(2000), 200), 1.0)

    print("softmax: K = 1000 actions, batch 10⁴")
    values = np.linspace(-1.0, 1.0, 1000)
    ours = per_step(gradviz_step({"problem": "softmax", "rewards": values.tolist(),
                                  "batch": 10**4}), 20)
    line("softmax K = 1000", ours, per_step(hand_softmax(values, 10**4), 20), 1.0)

    print("formula, batch 16: time per replica as R grows (flat = linear in R)")
    for runs in (10, 100, 1000):
        seconds = per_step(gradviz_step({"reward": FORMULA, "batch": 16, "runs": runs}), 20)
        print(f"  R = {runs:>5}: {seconds / runs * 1e6:8.2f} µs per replica-step")


if __name__ == "__main__":
    main()
