"""One step in slow motion: the batch shown sample by sample.  With the first k samples
of the newest record, the estimate arrow is their running mean (1/k) Σ_{i≤k} cᵢ, the
ellipse its spread, and sample k is highlighted with its x, f(x), ∇log p and contribution;
at k = N it is the step's ĝ.  The lecturer steps through with keys."""

from __future__ import annotations

from dataclasses import replace

import numpy as np


def first_samples(record, k: int, plane):
    """``record`` as if its batch (replica 0) held only its first ``k`` samples: samples,
    rewards, contributions and scores cut to k, the estimate their mean, the plane
    covariance their spread over k (k ≥ 2)."""
    contributions = np.asarray(record.contributions[:k], dtype=float)     # (k, d)
    estimate = record.estimate.copy()
    estimate[0] = contributions.mean(axis=0)
    covariance = None
    if k > 1 and plane is not None:
        moves = plane.vectors(contributions)
        covariance = np.cov(moves.T) / k
    cut = {name: getattr(record, name)[:k] for name in ("samples", "actions", "scores")
           if getattr(record, name) is not None}
    return replace(record, rewards=record.rewards[:k], contributions=contributions,
                   estimate=estimate, plane_covariance=covariance, **cut)
