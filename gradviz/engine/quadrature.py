"""Quadrature for Gaussian expectations E[g(Z)], Z ~ N(0, 1), and its limits.

We use the trapezoid rule on a uniform grid t_k = k·δ, k = −K … K, with weights
w_k ∝ exp(−t_k²/2) normalised to sum 1.  For a Gaussian-weighted integrand that is
analytic with feature width s (in units of Z: s/σ), the error falls like
exp(−2π² (min(1, s/σ)/δ)²): with δ = min(1, s/σ)/2 that is below 1e-30, and the grid
reaches |t| ≤ 8 (tail mass < 1e-15).  Unlike Gauss–Hermite, it stays exact when σ is
many times wider than the reward's narrowest feature (measured: 1e-15 vs 1e-2 on the
ridge at σ = 3).

Limits, so that "exact" stays exact:
- at most MAX_NODES nodes per axis, so σ ≤ SIGMA_PER_SCALE · s (the widest σ at which
  δ = s/(2σ) still reaches |t| = 8);
- a non-smooth g (a jump or kink) converges only like δ or δ² here: piecewise.py places
  nodes around its breaks instead, and its rules must agree to NONSMOOTH_TOLERANCE;
- the integrand must have decayed by |t| = 7 (at most TAIL_SHARE of max(1, E|g|) on the
  outer shell |t| ≥ 7; a Gaussian-tailed g leaves 1e-12 there and 1e-15 beyond 8),
  else the expectation is infinite or converges too slowly to truncate at 8.
"""

from __future__ import annotations

import numpy as np

REACH = 8.0
MAX_NODES = 1601
SIGMA_PER_SCALE = (MAX_NODES - 1) / (4 * REACH)          # 50: n = 4·REACH·σ/s + 1
NONSMOOTH_TOLERANCE = 1e-6
# a smooth reward's rule is checked every step against the same rule on nodes moved half a
# step, as exact as it (error ≈ half the change), relative to E|f| (gaussian.py _quadrature)
MOVED_CHECK = 1e-8
# below this E|f| the check is absolute: a reward tiny within reach, or alive only where the
# rule truncates (8σ out, where moving the nodes moves J by ~1e-14 of f there)
SIZE_FLOOR = 1e-3
TAIL_SHARE = 1e-9
SHELL = REACH - 1.0
# P(max(|Z₁|, |Z₂|) ≥ 7) ≤ 2·P(|Z| ≥ 7) = 5.12e-12: a 2-D rule whose |g| stays below
# TAIL_SHARE / SHELL_MASS cannot fail the tail test, which is then skipped
SHELL_MASS = 5.2e-12


def rule_step(sigma: float, scale: float, level: int = 0) -> float:
    """The rule's spacing in units of σ: δ = min(1, scale/σ)/2, halved ``level`` times."""
    return min(1.0, scale / sigma) / 2.0 ** (1 + level)


def gaussian_rule(sigma: float, scale: float, level: int = 0,
                  offset: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Nodes t and weights w with Σ w_k g(t_k) ≈ E[g(Z)] for g varying on scale/σ: t = (k +
    ``offset``)·δ for |k| ≤ 8/δ (rule_step), w ∝ exp(−t²/2) normalised."""
    delta = rule_step(sigma, scale, level)
    half = int(np.ceil(REACH / delta - 1e-9))
    t = (np.arange(-half, half + 1) + offset) * delta
    w = np.exp(-0.5 * t * t)
    return t, w / w.sum()


def relative_change(moments: np.ndarray, other: np.ndarray, mean_size: np.ndarray) -> float:
    """The largest change from ``moments`` to ``other`` (each (R, m): J, σ∂J/∂μ, …, in J's
    units) over the replicas, relative to E|f| (``mean_size``, (R,)), which bounds them all
    up to a factor |Z| and does not cancel, or to SIZE_FLOOR where E|f| is smaller."""
    size = np.maximum(np.abs(moments).max(axis=1), np.maximum(mean_size, SIZE_FLOOR))
    return float((np.abs(moments - other).max(axis=1) / size).max())


def widest_sigma(scale: float) -> float:
    """The widest σ whose grid fits MAX_NODES nodes per axis."""
    return SIGMA_PER_SCALE * scale
