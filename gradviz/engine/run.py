"""A run: R replicas of gradient ascent on J(θ) = E_{x~p(x|θ)}[f(x)], advanced together.

Each step draws a batch x₁…x_N ~ p(x|θ) per replica, computes the per-sample
contributions cᵢ = (f(xᵢ) − bᵢ) ∇θ log p(xᵢ|θ) (score function), or ∇θ f(μ + σεᵢ)
(pathwise), their mean ĝ, the variance of ĝ, and the exact J and ∇J, then ascends
θ ← θ + α ĝ (or momentum / Adam).  The run is a pure function of its config: same config
and seed give the same θ sequence bit for bit.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, replace
from typing import Iterator

import numpy as np

from . import optimizers
from .baselines import (RunningBaseline, baseline_values, covariance_of_shared_estimate,
                        has_unbiased_variance, jackknife_spread, needs_jackknife, optimal_parts)
from .config import LIVE_RUN_SETTINGS, RunConfig, validate_live
from .errors import ConfigError, InexactError, RunStopped
from .streams import generator

PREVIEW_STREAM = 2**32 - 1      # previews draw from their own stream (Run.preview)


def _frozen(array):
    """The array made read-only (None passes through).  Records cross threads, so nothing
    may change them: the run only ever replaces its arrays, never writes into them."""
    if array is None:
        return None
    array = np.asarray(array)
    array.setflags(write=False)
    return array


def _frozen_terms(terms):
    """Per-sample terms made read-only: an array, or LazyTerms (read-only already)."""
    return _frozen(terms) if isinstance(terms, np.ndarray) else terms


@dataclass(frozen=True)
class StepRecord:
    """What step t computed, at θ_t, before the update.  Arrays hold one row per replica;
    ``samples``, ``actions``, ``rewards`` and ``contributions`` are for replica 0 only."""

    step: int
    lr: float
    batch: int
    estimator: str
    baseline_name: str
    theta: np.ndarray            # (R, d)  θ_t
    theta_next: np.ndarray       # (R, d)  θ_{t+1}
    J: np.ndarray                # (R,)    exact J(θ_t)
    grad: np.ndarray             # (R, d)  exact ∇J(θ_t)
    estimate: np.ndarray         # (R, d)  ĝ
    variance: np.ndarray         # (R, d)  Var(ĝ_k) estimated (estimate_gradient; NaN when N = 1)
    baseline: np.ndarray | None  # (R,)    mean baseline used (score function only)
    reward_mean: np.ndarray      # (R,)
    p_best: np.ndarray | None    # (R,)    π(best action) for softmax / bandit
    samples: np.ndarray | None   # (N, 2)  gaussian points
    actions: np.ndarray | None   # (N,)    categorical actions
    rewards: np.ndarray          # (N,)
    contributions: np.ndarray | None  # (N, d) cᵢ, after the baseline
    scores: np.ndarray | None = None  # (N, d) ∇θ log p(xᵢ|θ) (score function only)
    plane_covariance: np.ndarray | None = None  # (2, 2) Cov(ĝ) in the drawn plane (N > 1)
    preview: bool = False        # Run.preview: computed at θ_t without taking step t
    policy: tuple | None = None  # (π, true values) at θ_{t+1}, replica 0, for a categorical policy
    density: tuple | None = None  # (centre, covariance) of p(x|θ_t), whence the samples, replica 0
    extra: object = None         # anything else a problem reports (problems/base.py)

    @property
    def steps_taken(self) -> int:
        """Steps the run had taken once this record was made (a preview takes none)."""
        return self.step + (0 if self.preview else 1)

    @property
    def replicas(self) -> int:
        return self.theta.shape[0]


def make_problem(config: RunConfig, rng: np.random.Generator):
    """The policy and reward the config names (its problem kind builds it)."""
    return config.kind.build(config, rng)


def estimate_gradient(problem, cfg: RunConfig, theta, batch, f, grad, running: RunningBaseline):
    """ĝ for every replica from one batch, with what it is made of.

    score:    cᵢ = (f(xᵢ) − bᵢ) ∇θ log p(xᵢ|θ);   pathwise: cᵢ = ∇θ f(μ + σεᵢ);   exact: ĝ = ∇J;
    any other: the problem's own (Problem.estimator_terms: reward-to-go for trajectories).
    ĝ = (1/N) Σᵢ cᵢ.  Var(ĝ_k) = s²_k/N, s² the contributions' sample variance (ddof 1),
    when they are independent; when they share rewards (a baseline built from the batch)
    the U-statistic estimate or the jackknife (baselines.py).
    For replica 0 also Cov(Aĝ) in the drawn plane (A: the problem's Plane), the same way,
    for the app's ellipse.  The exact estimator has no sampling noise: Var = 0.
    A problem that can sums its terms instead (summed_estimate: the Gaussian with σ fixed, a
    categorical policy with many actions), without per-sample arrays.
    Returns (ĝ (R, d), Var (R, d), replica 0's contributions (N, d) | None and scores
    (N, d) | None (arrays, or LazyTerms), mean baseline (R,) | None,
    Cov(Aĝ) (2, 2) | None).
    """
    n = f.shape[1]
    baseline = scores = contributions = plane_cov = None
    spread = None
    summed = getattr(problem, "summed_estimate", None)
    if (summed is not None and cfg.estimator == "score" and cfg.baseline != "optimal"
            and not needs_jackknife(cfg.baseline, n)):
        b = baseline_values(cfg.baseline, f, None, None, running)
        result = summed(theta, batch, f, b,
                        shared=cfg.baseline if has_unbiased_variance(cfg.baseline, n) else None)
        if result is not None:      # the problem summed its terms (Gaussian, categorical K > 3)
            estimate, variance, contributions, scores, cov0 = result
            return (estimate, variance, contributions, scores, b.mean(axis=(1, 2)),
                    _in_plane(problem.plane, cov0))
    if cfg.estimator == "score":
        scores = problem.score(theta, batch)
        moment = shrink = None
        if cfg.baseline == "optimal":
            moment = problem.score_second_moment(theta)
            shrink, b_hat = optimal_parts(f, scores, moment)
            b = shrink * b_hat
        else:
            b = baseline_values(cfg.baseline, f, scores, moment, running)
        contributions = (f[:, None, :] if cfg.baseline == "none" else f[:, None, :] - b) * scores
        baseline = b.mean(axis=(1, 2))
        if needs_jackknife(cfg.baseline, n):
            with np.errstate(all="ignore"):
                spread = jackknife_spread(cfg.baseline, f, scores, moment, running)
    elif cfg.estimator == "pathwise":
        contributions = problem.pathwise(theta, batch)
    elif cfg.estimator != "exact":      # one the problem brings (reward-to-go, …)
        contributions = problem.estimator_terms(cfg.estimator, theta, batch)
    if contributions is None:
        return grad, np.zeros_like(grad), None, None, None, None
    contributions0, scores0 = contributions[0].T, (scores[0].T if scores is not None else None)
    with np.errstate(all="ignore"):
        estimate = contributions.mean(axis=2)
        if scores is not None and has_unbiased_variance(cfg.baseline, n):
            variance, cov0 = covariance_of_shared_estimate(cfg.baseline, f, scores,
                                                           full=problem.plane is not None,
                                                           second_moment=moment, shrink=shrink)
            plane_cov = _in_plane(problem.plane, cov0)
        elif n > 1:
            centred = contributions - estimate[..., None] if spread is None else spread
            variance = np.einsum("rdn,rdn->rd", centred, centred) / ((n - 1) * n)
            if problem.plane is not None:
                motion = problem.plane.rows(centred[0])            # (2, N)
                plane_cov = np.einsum("in,jn->ij", motion, motion) / ((n - 1) * n)
        else:
            variance = np.full_like(estimate, np.nan)
    return estimate, variance, contributions0, scores0, baseline, plane_cov


def _in_plane(plane, cov):
    """Cov(Aĝ) = A Cov(ĝ) Aᵀ in the drawn plane, with a negative eigenvalue (an unbiased or
    a summed estimate need not be positive semi-definite) set to 0; None without either.
    For a symmetric 2 × 2 C with eigenvalues λ₊ ≥ λ₋ = m ± √(((a − d)/2)² + b²):
    if λ₋ < 0 ≤ λ₊ the projection is λ₊ (C − λ₋I)/(λ₊ − λ₋), else 0 (both negative) or C."""
    if plane is None or cov is None:
        return None
    c = plane.matrix @ cov @ plane.matrix.T
    (a, b), (_, d) = c.tolist()
    mean, radius = (a + d) / 2, math.hypot((a - d) / 2, b)
    low, high = mean - radius, mean + radius
    if low >= 0:
        return c
    if high <= 0:
        return np.zeros((2, 2))
    return high * (c - low * np.eye(2)) / (high - low)


def _replicated(theta_row, runs: int) -> np.ndarray:
    """θ (runs, d), every replica at ``theta_row``, laid out parameter by parameter (F order):
    the categorical problems reduce across the parameters, which numpy does row by row, and
    slowly, in C order (probability.softmax)."""
    return np.asfortranarray(np.tile(np.asarray(theta_row, dtype=float), (runs, 1)))


class Run:
    """Advance with :meth:`step`; change live settings with :meth:`set` between steps."""

    def __init__(self, config: RunConfig):
        self.config = replace(config, schedule=())
        self._start = self.config
        self.rng = generator(config.generator, config.seed)
        self.problem = make_problem(config, self.rng)
        self.theta = _replicated(config.initial_theta(), config.runs)
        self.opt_state = optimizers.initial_state(self.theta)
        self.running = RunningBaseline(config.runs)
        self.t = 0
        self.changes: list[dict] = []          # live changes applied so far, with their step
        self._pending = [dict(e) for e in config.schedule]

    # --- live settings ---------------------------------------------------------------------

    def set(self, **changes) -> None:
        """Apply live settings from the next step on; raises ConfigError if one is invalid."""
        checked = {key: validate_live(key, value, self.config) for key, value in changes.items()}
        if "theta" in checked and max(map(abs, checked["theta"])) > self.config.theta_bound:
            raise ConfigError(f"theta: beyond the divergence bound {self.config.theta_bound:g}")
        for key, value in checked.items():
            self._apply(key, value)
        if self.changes and self.changes[-1]["step"] == self.t:
            self.changes[-1].update(checked)
        else:
            self.changes.append({"step": self.t, **checked})

    def _apply(self, key: str, value) -> None:
        if key == "theta":
            self.theta = _replicated(value, self.theta.shape[0])
            return
        if key == "seed":
            self.rng = generator(self.config.generator, [value, self.t])
        elif key == "runs":
            self._resize(value)
        elif key not in LIVE_RUN_SETTINGS:      # the problem's own (σ, reward noise, …)
            self.theta = self.problem.update(key, value, self.theta)
        self.config = self.config.replaced(**{key: value})

    def _resize(self, runs: int) -> None:
        """Grow or shrink to ``runs`` replicas; new ones copy existing ones cyclically."""
        index = np.arange(runs) % self.theta.shape[0]
        self.theta = np.asfortranarray(self.theta[index])
        self.opt_state = optimizers.select(self.opt_state, index)
        self.running.select(index)
        self.problem.select(index)

    def session_config(self) -> RunConfig:
        """The config that replays this run: its start, every change so far, steps = t."""
        return replace(self._start, steps=self.t,
                       schedule=tuple(dict(e) for e in self.changes + self._pending))

    # --- stepping --------------------------------------------------------------------------

    def step(self) -> StepRecord:
        """Compute step t at θ_t and move to θ_{t+1}; raises RunStopped (θ unchanged)."""
        while self._pending and self._pending[0]["step"] <= self.t:
            entry = self._pending.pop(0)
            self.set(**{k: v for k, v in entry.items() if k != "step"})
        record, f, new_state, batch = self._compute(self.rng)
        self.running.update(f, self.config.ema_rate)
        self.problem.learn(batch, self.config.ema_rate)
        self.theta, self.opt_state = record.theta_next, new_state
        self.t += 1
        return record

    def preview(self) -> StepRecord:
        """What step t would compute at θ_t (a batch, its contributions, ĝ, exact J), without
        moving: θ, t, the baselines' history and the run's random stream stay as they were
        (the batch comes from a generator of its own, seeded by the seed and t), so a session
        replays the same with or without previews.  Its theta_next is θ_t."""
        record, *_ = self._compute(generator(self.config.generator,
                                             [self.config.seed, self.t, PREVIEW_STREAM]))
        return replace(record, theta_next=record.theta, preview=True,
                       policy=self.problem.policy_bars(record.theta[0]))

    def _compute(self, rng: np.random.Generator):
        """(the record of step t at θ_t, its rewards f, the optimiser's next state, its batch)."""
        cfg, problem, theta = self.config, self.problem, self.theta
        n = cfg.batch
        batch = problem.sample(theta, n, rng)
        f = problem.reward(batch, rng)
        self._check_rewards(f, batch)
        try:
            with np.errstate(all="ignore"):
                J, grad = problem.exact(theta)
        except InexactError as err:
            raise RunStopped(str(err), self.t) from None
        if not (np.isfinite(J).all() and np.isfinite(grad).all()):
            raise RunStopped("the reward is not finite everywhere near θ, so exact J is undefined",
                             self.t)

        estimate, variance, contributions, scores, baseline, plane_cov = estimate_gradient(
            problem, cfg, theta, batch, f, grad, self.running)
        if not np.isfinite(estimate).all():
            raise RunStopped("the gradient estimate overflowed (rewards or scores too large)", self.t)

        if cfg.freeze:      # resampling at a held θ: the estimate is made, not followed
            new_theta, new_state = theta, self.opt_state
        else:
            new_theta, new_state = optimizers.proposal(cfg.optimizer, theta, estimate, cfg.lr,
                                                       self.opt_state)
            self._check_theta(new_theta)
        record = StepRecord(
            step=self.t, lr=cfg.lr, batch=n, estimator=cfg.estimator, baseline_name=cfg.baseline,
            theta=_frozen(theta), theta_next=_frozen(new_theta), J=_frozen(J),
            grad=_frozen(grad), estimate=_frozen(estimate), variance=_frozen(variance),
            baseline=_frozen(baseline), reward_mean=_frozen(f.sum(axis=1) / n),
            p_best=_frozen(problem.p_best(theta)),
            samples=_frozen(problem.samples_drawn(batch)),
            actions=_frozen(problem.actions_drawn(batch)),
            rewards=_frozen(f[0]),
            contributions=_frozen_terms(contributions),
            scores=_frozen_terms(scores),
            plane_covariance=_frozen(plane_cov),
            policy=problem.policy_bars(new_theta[0]),
            density=problem.density(theta[0]),
            extra=problem.report(theta, batch),
        )
        return record, f, new_state, batch

    def steps(self, count: int) -> Iterator[StepRecord]:
        """Yield ``count`` records (stops early by raising RunStopped)."""
        for _ in range(count):
            yield self.step()

    def _check_rewards(self, f: np.ndarray, batch) -> None:
        bad = ~np.isfinite(f)
        if bad.any():
            r, i = np.argwhere(bad)[0]
            raise RunStopped(f"the reward is {f[r, i]} at {self.problem.describe_sample(batch, r, i)}",
                             self.t)

    def _check_theta(self, new_theta: np.ndarray) -> None:
        bound = self.config.theta_bound
        if not np.isfinite(new_theta).all() or np.abs(self.problem.bounded(new_theta)).max() > bound:
            worst = np.nanmax(np.abs(np.where(np.isfinite(new_theta), new_theta, np.inf)))
            raise RunStopped(f"diverged: |θ| would reach {worst:.3g}, beyond the bound {bound:g}; "
                             "lower the learning rate", self.t)
        trouble = self.problem.theta_trouble(new_theta)
        if trouble:
            raise RunStopped(trouble, self.t)
