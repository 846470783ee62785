"""Measurements made beside a run, at its current θ, without moving it."""

from __future__ import annotations

import copy

import numpy as np

from .errors import InexactError
from .run import Run, estimate_gradient

BATCH_SIZES = tuple(2**k for k in range(11))  # 1 … 1024
SAMPLE_BUDGET = 200 * 1024    # samples × their cost (Problem.sample_cost) drawn for one N
MIN_REPEATS = 20              # fewer estimates than this give no variance worth drawing


def variance_curve(run: Run, batch_sizes=BATCH_SIZES, repeats: int = 200, seed: int = 0):
    """tr Cov(ĝ) at θ = replica 0's θ for each batch size N, from up to ``repeats``
    independent estimates with the run's current estimator and baseline: as many as
    SAMPLE_BUDGET pays for (a costly sample, such as a whole episode, buys fewer), and none
    (NaN) below MIN_REPEATS.  Theory: c/N for unbiased baselines with fixed b; returns
    (N array, tr Cov array; NaN where undefined or not measured)."""
    rng = np.random.default_rng(seed)
    cost = getattr(run.problem, "sample_cost", 1.0)
    traces = []
    for n in batch_sizes:
        count = min(repeats, int(SAMPLE_BUDGET // (n * cost)))
        if count < MIN_REPEATS:
            traces.append(np.nan)
            continue
        theta = np.repeat(run.theta[:1], count, axis=0)
        replica0 = np.zeros(count, dtype=np.intp)
        problem = copy.copy(run.problem)      # bandit: every repeat uses replica 0's arm values
        problem.select(replica0)
        running = copy.copy(run.running)      # average / ema: replica 0's history
        running.select(replica0)
        batch = problem.sample(theta, n, rng)
        f = problem.reward(batch, rng)
        try:
            with np.errstate(all="ignore"):
                _, grad = problem.exact(theta[:1])
        except InexactError:      # the run itself stops with the reason at its next step
            return np.asarray(batch_sizes, dtype=float), np.full(len(batch_sizes), np.nan)
        estimate = estimate_gradient(problem, run.config, theta, batch, f,
                                     np.repeat(grad, count, axis=0), running)[0]
        traces.append(estimate.var(axis=0, ddof=1).sum())
    return np.asarray(batch_sizes, dtype=float), np.asarray(traces)


