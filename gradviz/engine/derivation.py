"""The log-derivative trick's chain, line by line, with numbers at the current θ.

    ∇θ E[f(x)] = ∇θ Σ_x p(x|θ) f(x) = Σ_x f(x) ∇θ p(x|θ) = Σ_x f(x) ∇θ log p(x|θ) p(x|θ)
               = E[f(x) ∇θ log p(x|θ)] ≈ (1/N) Σᵢ (f(xᵢ) − bᵢ) ∇θ log p(xᵢ|θ)

The sum's lines are exact: "∇ of the sum" by central differences of the exact J
(J(θ + h e_k) − J(θ − h e_k)) / 2h, which never uses the score; "the sum of f ∇p" as the
problem computes it exactly (enumeration over the actions, or quadrature); the last line is
the batch's estimate ĝ with its standard error.  That the first two agree is the trick.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from .errors import InexactError

STEP = 1e-5       # central differences: h = STEP · max(1, |θ_k|), error O(h²)
SHOWN = 3         # components differenced (and shown); the rest are NaN


@dataclass(frozen=True)
class Chain:
    grad: np.ndarray            # (d,) Σ f ∇p, exact (the problem's own way)
    grad_of_sum: np.ndarray     # (d,) ∇ of J by central differences of exact J (first SHOWN)
    terms: tuple | None         # (how many, of what) the exact sum takes, e.g. (3, "actions")
    estimate: np.ndarray        # (d,) ĝ of the batch drawn
    stderr: np.ndarray          # (d,) √Var(ĝ_k) (NaN for N = 1; 0 for the exact estimator)
    samples: int                # N
    estimator: str
    baseline: str


def chain(problem, record) -> Chain | None:
    """The chain at replica 0's θ of ``record`` (a StepRecord made by ``problem``); None
    if exact J cannot be had there (the run says why)."""
    theta = np.asarray(record.theta[0], dtype=float)
    d = min(len(theta), SHOWN)
    h = STEP * np.maximum(1.0, np.abs(theta[:d]))
    probes = np.repeat(theta[None, :], 2 * d, axis=0)
    probes[np.arange(d), np.arange(d)] += h
    probes[d + np.arange(d), np.arange(d)] -= h
    probe = copy.copy(problem)          # replica 0's problem for every probe (bandit: q*)
    probe.select(np.zeros(2 * d, dtype=np.intp))
    try:
        with np.errstate(all="ignore"):
            J, _ = probe.exact(probes)
    except InexactError:
        return None
    grad_of_sum = np.full(len(theta), np.nan)
    grad_of_sum[:d] = (J[:d] - J[d:]) / (2 * h)
    return Chain(grad=np.asarray(record.grad[0]), grad_of_sum=grad_of_sum,
                 terms=problem.exact_terms(record.theta[:1]), estimate=np.asarray(record.estimate[0]),
                 stderr=np.sqrt(np.asarray(record.variance[0])), samples=record.batch,
                 estimator=record.estimator, baseline=record.baseline_name)
