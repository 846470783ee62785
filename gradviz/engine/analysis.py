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
SLICE_BUDGET = 2_000_000      # grid points × their cost (Problem.exact_cost) for all slices
SLICE_POINTS = (11, 41)       # each grid's points an axis, at least and at most
SLICE_DIRECTIONS = {          # the slice's second direction, made orthogonal to ∇J
    "estimate": "ĝ across ∇J",
    "random": "a fixed random direction",
    "filter": "a random direction, filter-normalised",
}


@dataclass(frozen=True)
class ThetaSlice:
    """J on the plane θ(a, b) = θ_c + a u + b v through θ_c, replica 0's θ at ``step``:
    u = ∇J(θ_c)/‖∇J(θ_c)‖, and v the second direction (a key of SLICE_DIRECTIONS), made
    orthogonal to u and of unit length.  J (len(b), len(a)) indexed [b, a], with its
    contour lines."""

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


@dataclass(frozen=True)
class ThetaSlices:
    """The slices through one θ, one for each second direction that exists there."""

    centre: np.ndarray
    step: int
    cuts: dict

    def get(self, second: str) -> ThetaSlice:
        """The slice along ``second``, or the first there is."""
        return self.cuts.get(second) or next(iter(self.cuts.values()))


def _unit_orthogonal(vector: np.ndarray, to: np.ndarray) -> np.ndarray | None:
    """``vector`` minus its part along unit ``to``, of unit length; None if nothing is left."""
    rest = vector - (vector @ to) * to
    norm = np.linalg.norm(rest)
    return rest / norm if norm > 1e-9 * max(np.linalg.norm(vector), 1e-300) else None


def filter_normalised(direction: np.ndarray, theta: np.ndarray, blocks) -> np.ndarray:
    """Li et al.'s filter normalisation (2018): each block B of parameters (a cell's four
    logits, a unit's incoming weights) rescaled to θ's size there, d_B ‖θ_B‖/‖d_B‖, so
    that the slice moves every part of θ in proportion to its own scale."""
    out = np.zeros_like(direction)
    for block in blocks:
        size = np.linalg.norm(direction[block])
        if size > 0:
            out[block] = direction[block] * (np.linalg.norm(theta[block]) / size)
    return out


def _second_directions(problem, centre, u, estimate) -> dict:
    """The second directions that exist at θ_c, made orthogonal to u."""
    random = np.random.default_rng(0).standard_normal(len(u))
    candidates = {"random": random}
    if estimate is not None and np.shape(estimate) == u.shape and np.all(np.isfinite(estimate)):
        candidates["estimate"] = np.asarray(estimate, dtype=float)
    blocks = problem.parameter_blocks()
    if blocks is not None:
        candidates["filter"] = filter_normalised(random, centre, blocks)
    directions = {name: _unit_orthogonal(vector, u) for name, vector in candidates.items()}
    return {name: directions[name] for name in SLICE_DIRECTIONS if directions.get(name) is not None}


def theta_slice(run: Run, estimate: np.ndarray | None = None) -> ThetaSlices | None:
    """Exact J on 2-D slices of θ-space through replica 0's θ, for a problem with more
    parameters than a plane shows (no Plane): each spanned by the exact gradient and a
    second direction (SLICE_DIRECTIONS; the estimate's needs ``estimate``, ĝ of replica 0).
    None for a problem drawn on its plane, where ∇J = 0 or J is inexact, or where even the
    coarsest grid would cost more than SLICE_BUDGET."""
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
    seconds = _second_directions(problem, centre, u, estimate)
    points = int(min(np.sqrt(SLICE_BUDGET / (problem.exact_cost * len(seconds))), SLICE_POINTS[1]))
    if points < SLICE_POINTS[0]:
        return None             # too costly to slice (a large grid with a long horizon)
    points |= 1                 # odd: θ_c is on the grid
    axis = np.linspace(-SLICE_EXTENT, SLICE_EXTENT, points)
    a, b = (grid.reshape(-1, 1) for grid in np.meshgrid(axis, axis))          # [b, a]
    thetas = np.concatenate([centre + a * u + b * v for v in seconds.values()])
    probe = copy.copy(problem)
    probe.select(np.zeros(len(thetas), dtype=np.intp))               # replica 0's world (bandit)
    try:
        with np.errstate(all="ignore"):
            J, _ = probe.exact(thetas)
    except InexactError:
        return None
    view = (-SLICE_EXTENT, SLICE_EXTENT, -SLICE_EXTENT, SLICE_EXTENT)
    cuts = {}
    for k, (name, v) in enumerate(seconds.items()):
        field = Landscape(xs=axis, ys=axis, view=view,
                          J=J[k * points ** 2:(k + 1) * points ** 2].reshape(points, points))
        cuts[name] = ThetaSlice(centre=centre, u=u, v=v, second=name, step=run.t,
                                landscape=field.with_contours())
    return ThetaSlices(centre=centre, step=run.t, cuts=cuts)
