"""The gridworld's speed (issue 20), each figure beside a hand-written baseline measured in
the same run (python benchmarks/gridworld.py).

1. Environment steps per second with R × N = 10⁴ episodes a step on the cliff (H = 20),
   gradviz's whole step (episodes, exact J and ∇J by dynamic programming, reward-to-go
   contributions, Var(ĝ), a frozen record) against a hand-written NumPy REINFORCE with
   reward-to-go (episodes and gradient only).  Targets: ≥ 10⁶ steps/s, and hand / gradviz ≥ 1.
2. The exact dynamic programme on a 10 × 10 grid with H = 50, one replica: target < 10 ms;
   beside it, a hand-written value iteration over a dense transition matrix.
3. The grid view with 1,000 episodes drawn, offscreen: draw + paint per frame, target ≥ 30/s.
"""

from __future__ import annotations

import os
import time

import numpy as np

from gradviz.engine.config import from_mapping
from gradviz.engine.run import Run, make_problem

CLIFF = "...../...../SXXXG"
TEN = "/".join(["S........."] + ["....X....."] * 3 + [".........."] * 5 + [".........G"])


def fastest(call, repeat: int = 7) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def hand_reinforce(runs: int, n: int, horizon: int = 20, slip: float = 0.1, gamma: float = 0.95):
    """REINFORCE with reward-to-go on the cliff written by hand, lockstep over R × N episodes:
    the transition table built once, logits (R, S, 4), one ascent step per call.  Returns the
    step and a counter of environment steps taken."""
    rows = CLIFF.split("/")
    cells = [(i, j) for i, r in enumerate(rows) for j, c in enumerate(r) if c in "S."]
    ends = [(i, j) for i, r in enumerate(rows) for j, c in enumerate(r) if c in "GX"]
    index = {cell: k for k, cell in enumerate(cells + ends)}
    S = len(cells)
    where = {(i, j): c for i, r in enumerate(rows) for j, c in enumerate(r)}
    moves = ((-1, 0), (0, 1), (1, 0), (0, -1))
    succ = np.array([[index[(i + di, j + dj)] if (i + di, j + dj) in where else index[(i, j)]
                      for di, dj in moves] for i, j in cells])
    reward = np.array([0.0] * S + [1.0 if where[c] == "G" else -1.0 for c in ends])
    end = np.arange(len(reward)) >= S
    start = index[next(c for c, v in where.items() if v == "S")]
    theta = np.zeros((runs, S, 4))
    rng = np.random.default_rng(0)
    taken = [0]

    def step():
        nonlocal theta
        z = np.exp(theta - theta.max(axis=2, keepdims=True))
        pi = z / z.sum(axis=2, keepdims=True)
        cdf = np.cumsum(pi, axis=2)
        state = np.full((runs, n), start)
        alive = np.ones((runs, n), dtype=bool)
        r_idx = np.arange(runs)[:, None]
        log = []
        for t in range(horizon):
            u = rng.random((runs, n))
            a = (u[..., None] > cdf[r_idx, state][..., :3]).sum(axis=2)
            e = np.where(rng.random((runs, n)) < slip, rng.integers(0, 4, (runs, n)), a)
            nxt = succ[state, e]
            log.append((state, a, alive, np.where(alive, gamma ** t * reward[nxt], 0.0)))
            taken[0] += int(alive.sum())
            alive = alive & ~end[nxt]
            state = np.where(alive, nxt, state)
            if not alive.any():
                break
        togo = np.cumsum([r for *_, r in log][::-1], axis=0)[::-1]
        grad = np.zeros((runs, S, 4))
        for (s, a, live, _), g in zip(log, togo):
            w = np.where(live, g, 0.0)
            onehot = np.zeros((runs, n, 4))
            np.put_along_axis(onehot, a[..., None], 1.0, axis=2)
            psi = onehot - pi[r_idx, s]
            flat = (r_idx * S + s).ravel()
            np.add.at(grad.reshape(-1, 4), flat, (w[..., None] * psi).reshape(-1, 4))
        theta = theta + 0.5 * grad / n

    return step, taken


def counting(problem):
    """Count the environment steps the problem's episodes take (wraps its sample)."""
    sample, taken = problem.sample, [0]

    def counted(theta, n, rng):
        batch = sample(theta, n, rng)
        taken[0] += int(batch.extra.alive.sum())
        return batch
    problem.sample = counted
    return taken


def environment_steps() -> None:
    print("1. environment steps per second, R × N = 10⁴ episodes a step (cliff, H = 20)")
    for runs, n in ((1, 10_000), (100, 100)):
        config = from_mapping({"problem": "gridworld", "estimator": "togo", "runs": runs, "batch": n,
                               "lr": 0.5, "steps": 10})
        run = Run(config)
        taken = counting(run.problem)
        hand, hand_taken = hand_reinforce(runs, n)
        results = []
        for step, counter in ((run.step, taken), (hand, hand_taken)):
            step()                                   # warm
            best = float("inf")
            for _ in range(7):
                before = counter[0]
                start = time.perf_counter()
                step()
                elapsed = time.perf_counter() - start
                best = min(best, elapsed / (counter[0] - before))
            results.append(best)
        ours, theirs = results
        print(f"   R = {runs:>3}, N = {n:>6}: gradviz {1e-6 / ours:5.2f} M env steps/s, hand NumPy "
              f"{1e-6 / theirs:5.2f} M/s; hand / gradviz time per env step {theirs / ours:4.2f} "
              "(target ≥ 1)")


def dense_value_iteration(problem, theta, horizon):
    """The same J by a dense transition matrix P_π (nodes × nodes), written by hand."""
    dyn = problem.dynamics
    pi = problem.policy(theta)[0]
    g = dyn.grid
    nodes = len(g.payoff)
    mu = dyn.executed(pi[None])[0]
    P = np.zeros((nodes, nodes))
    for e in range(4):
        np.add.at(P, (np.arange(g.states), g.successor[:, e]), mu[:, e])
    r = P @ dyn.reward_of
    live = ~g.terminal
    V = np.zeros(nodes)
    for _ in range(horizon):
        V = np.where(live, r + dyn.gamma * P @ np.where(live, V, 0.0), 0.0)
    return V[g.start]


def exact_programme() -> None:
    print("2. exact J and ∇J by dynamic programming, 10 × 10 grid, H = 50, one replica")
    config = from_mapping({"problem": "gridworld", "grid": TEN, "horizon": 50})
    problem = make_problem(config, np.random.default_rng(0))
    theta = np.random.default_rng(0).normal(0, 1, (1, config.dim))
    theta.setflags(write=False)
    ours = fastest(lambda: problem.exact(theta.copy()), repeat=20)
    hand = fastest(lambda: dense_value_iteration(problem, theta, 50), repeat=20)
    J = problem.exact(theta.copy())[0][0]
    assert abs(J - dense_value_iteration(problem, theta, 50)) < 1e-12
    print(f"   gradviz J and ∇J: {ours * 1e3:5.2f} ms (target < 10 ms); hand dense value iteration, "
          f"J only: {hand * 1e3:5.2f} ms; J agrees to 1e-12")


def grid_view_frames() -> None:
    print("3. the grid view with 1,000 episodes drawn (offscreen): draw + paint")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from gradviz.app.views.grid import GridView

    app = QApplication.instance() or QApplication([])
    config = from_mapping({"problem": "gridworld", "batch": 1000, "steps": 1})
    record = Run(config).step()

    class Model:
        latest = record

    view = GridView()
    view.resize(1000, 700)
    view.show()
    app.processEvents()

    def frame():
        view.draw(Model)
        view.viewport().repaint()

    frame()
    per_frame = fastest(lambda: [frame() for _ in range(10)]) / 10
    print(f"   {per_frame * 1e3:5.2f} ms a frame → {1 / per_frame:5.0f} frames/s (target ≥ 30)")
    view.close()


if __name__ == "__main__":
    environment_steps()
    exact_programme()
    grid_view_frames()
