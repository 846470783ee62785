"""Measurements made beside a run, at its current θ, without moving it."""

from __future__ import annotations

import copy

import numpy as np

from .errors import InexactError
from .run import Run, estimate_gradient

BATCH_SIZES = tuple(2**k for k in range(11))  # 1 … 1024


def variance_curve(run: Run, batch_sizes=BATCH_SIZES, repeats: int = 200, seed: int = 0):
    """tr Cov(ĝ) at θ = replica 0's θ for each batch size N, from ``repeats`` independent
    estimates with the run's current estimator and baseline.  Theory: c/N for unbiased
    baselines with fixed b; returns (N array, tr Cov array; NaN where undefined)."""
    rng = np.random.default_rng(seed)
    theta = np.repeat(run.theta[:1], repeats, axis=0)
    replica0 = np.zeros(repeats, dtype=np.intp)
    problem = copy.copy(run.problem)      # bandit: every repeat uses replica 0's arm values
    problem.select(replica0)
    running = copy.copy(run.running)      # average / ema: replica 0's history
    running.select(replica0)
    traces = []
    for n in batch_sizes:
        batch = problem.sample(theta, n, rng)
        f = problem.reward(batch, rng)
        try:
            with np.errstate(all="ignore"):
                _, grad = problem.exact(theta[:1])
        except InexactError:      # the run itself stops with the reason at its next step
            return np.asarray(batch_sizes, dtype=float), np.full(len(batch_sizes), np.nan)
        estimate = estimate_gradient(problem, run.config, theta, batch, f,
                                     np.repeat(grad, repeats, axis=0), running)[0]
        traces.append(estimate.var(axis=0, ddof=1).sum())
    return np.asarray(batch_sizes, dtype=float), np.asarray(traces)


