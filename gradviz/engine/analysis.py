"""Measurements made beside a run, at its current θ, without moving it."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from .errors import InexactError
from .landscape import Landscape
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




SLICE_EXTENT = 3.0            # the slice spans a, b ∈ [−3, 3] (units of θ)
SLICE_BUDGET = 200_000        # grid points × their cost (Problem.sample_cost) for one slice
SLICE_POINTS = (11, 41)       # the grid's points an axis, at least and at most


@dataclass(frozen=True)
class ThetaSlice:
    """J on the plane θ(a, b) = θ_c + a u + b v through θ_c, replica 0's θ at ``step``:
    u = ∇J(θ_c)/‖∇J(θ_c)‖, and v the second direction (``second``: "estimate", ĝ's part
    orthogonal to u, or "random", a fixed random direction's), made orthogonal to u and of
    unit length.  J (len(b), len(a)) indexed [b, a], with its contour lines."""

    centre: np.ndarray
    u: np.ndarray
    v: np.ndarray
    second: str
    step: int
    landscape: Landscape

    def coordinates(self, theta: np.ndarray) -> tuple[float, float]:
        """Where θ falls on the slice: ((θ − θ_c)·u, (θ − θ_c)·v)."""
        offset = np.asarray(theta, dtype=float) - self.centre
        return float(offset @ self.u), float(offset @ self.v)


def _unit_orthogonal(vector: np.ndarray, to: np.ndarray) -> np.ndarray | None:
    """``vector`` minus its part along unit ``to``, of unit length; None if nothing is left."""
    rest = vector - (vector @ to) * to
    norm = np.linalg.norm(rest)
    return rest / norm if norm > 1e-9 * max(np.linalg.norm(vector), 1e-300) else None


def theta_slice(run: Run, estimate: np.ndarray | None = None) -> ThetaSlice | None:
    """Exact J on a 2-D slice of θ-space through replica 0's θ, for a problem with more
    parameters than a plane shows (no Plane): spanned by the exact gradient and the
    estimate's part across it (a fixed random direction when there is no estimate, or it
    is parallel).  None for a problem drawn on its plane, or where ∇J = 0 or J is inexact."""
    problem = run.problem
    if problem.plane is not None or run.theta.shape[1] < 3:
        return None
    centre = run.theta[0].copy()
    probe = copy.copy(problem)
    probe.select(np.zeros(1, dtype=np.intp))
    try:
        with np.errstate(all="ignore"):
            _, grad = probe.exact(centre[None, :])
    except InexactError:
        return None
    norm = np.linalg.norm(grad[0])
    if not np.isfinite(norm) or norm == 0:
        return None
    u = grad[0] / norm
    v, second = (None, "estimate")
    if estimate is not None and np.shape(estimate) == u.shape and np.all(np.isfinite(estimate)):
        v = _unit_orthogonal(np.asarray(estimate, dtype=float), u)
    if v is None:
        v, second = _unit_orthogonal(np.random.default_rng(0).standard_normal(len(u)), u), "random"
    cost = getattr(problem, "sample_cost", 1.0)
    points = int(np.clip(np.sqrt(SLICE_BUDGET / cost), *SLICE_POINTS)) | 1    # odd: θ_c on it
    axis = np.linspace(-SLICE_EXTENT, SLICE_EXTENT, points)
    a, b = np.meshgrid(axis, axis)                                   # [b, a]
    thetas = centre + a.reshape(-1, 1) * u + b.reshape(-1, 1) * v
    probe = copy.copy(problem)
    probe.select(np.zeros(len(thetas), dtype=np.intp))               # replica 0's world (bandit)
    try:
        with np.errstate(all="ignore"):
            J, _ = probe.exact(thetas)
    except InexactError:
        return None
    field = Landscape(xs=axis, ys=axis, J=J.reshape(points, points),
                      view=(-SLICE_EXTENT, SLICE_EXTENT, -SLICE_EXTENT, SLICE_EXTENT))
    return ThetaSlice(centre=centre, u=u, v=v, second=second, step=run.t,
                      landscape=field.with_contours())
