"""The Gaussian policy in the plane: x ~ N(μ, σ²I), reward f(x) from the catalogue or a
formula in x and y.  θ = μ, or (μ, log σ) when σ is learned; θ-space and x-space are the
same plane, so the samples are drawn where θ is."""

from __future__ import annotations

import math

import numpy as np

from ..errors import ConfigError, InexactError
from ..landscape import gaussian_landscape, view_around
from ..lattice import Lattice
from ..piecewise import MAX_NODES as PIECEWISE_NODES
from ..piecewise import PiecewiseRule
from ..quadrature import (MAX_NODES, MOVED_CHECK, NONSMOOTH_TOLERANCE, SHELL, TAIL_SHARE,
                          gaussian_rule, relative_change, rule_step)
from ..rewards import CATALOGUE, Reward, resolve_reward
from ..settings import Setting
from .base import Batch, Plane, Problem, ProblemKind
from .shared import NOISE
from .terms import LazyTerms

MAX_QUADRATURE_POINTS = 2_000_000  # replicas × nodes evaluated at once by exact()
SLOW_TAIL = (f"E[f(x)] is infinite or converges too slowly to compute exactly: f·p has not "
             f"decayed {SHELL:g}σ from μ (f grows about as fast as p falls)")
SIGMA_RANGE = (0.01, 10.0)
LEARNED_SIGMA_RANGE = (1e-4, 1e3)


def mean_plane(dim: int) -> Plane:
    """θ drawn at μ = (θ₁, θ₂), which is also where the samples x live."""
    return Plane(np.eye(2, dim), ("θ₁ = μ_x  (also x)", "θ₂ = μ_y  (also y)"),
                 samples_live_here=True)


class GaussianTerms(LazyTerms):
    """One replica's per-sample terms wᵢ εᵢ/σ, (N, 2), built where read (terms.py)."""

    def __init__(self, weights: np.ndarray, eps: np.ndarray, sigma: float):
        super().__init__(weights, eps.shape[1], eps.shape[0])
        self.eps, self.sigma = eps.view(), sigma        # eps: (2, N)
        self.eps.setflags(write=False)

    def vectors(self, rows, columns) -> np.ndarray:
        """∇μ log p(xᵢ|θ) = εᵢ/σ."""
        return self.eps[:, rows].T[..., columns] / self.sigma


class GaussianProblem(Problem):
    """x ~ N(μ, σ²I) in R², reward f(x) (+ optional N(0, noise²)).

    θ = μ (d = 2), or θ = (μ, log σ) (d = 3) when σ is learned.  With x = μ + σε:
      ∇μ log p = (x − μ)/σ² = ε/σ,   ∂/∂log σ log p = ‖x − μ‖²/σ² − 2 = ‖ε‖² − 2.
    """

    def __init__(self, reward: Reward, sigma: float, learn_sigma: bool, noise: float = 0.0):
        self.reward_fn = reward
        self.sigma = sigma
        self.learn_sigma = learn_sigma
        self.noise = noise
        self.dim = 3 if learn_sigma else 2
        self.plane = mean_plane(self.dim)
        self._lattice_of: Lattice | None = None
        self._rules: dict = {}          # piecewise rules by level (non-smooth rewards)
        self._agreed_level = 0
        self._smooth_level = 0          # halvings of the trapezoid rule's spacing (smooth)

    def sigmas(self, theta: np.ndarray) -> np.ndarray:
        """σ of each replica, shape (R,)."""
        if self.learn_sigma:
            return np.exp(theta[:, 2])
        return np.full(theta.shape[0], self.sigma)

    def sample(self, theta: np.ndarray, n: int, rng: np.random.Generator) -> Batch:
        eps = rng.standard_normal((theta.shape[0], 2, n))
        x = eps * (self.sigmas(theta)[:, None, None] if self.learn_sigma else self.sigma)
        x += theta[:, :2, None]
        return Batch(x=x, eps=eps)

    def reward(self, batch: Batch, rng: np.random.Generator) -> np.ndarray:
        f = self.reward_fn(batch.x[:, 0], batch.x[:, 1])
        if self.noise > 0:
            f += self.noise * rng.standard_normal(f.shape)
        return f

    def score(self, theta: np.ndarray, batch: Batch) -> np.ndarray:
        """∇θ log p(x|θ) = (ε/σ, ‖ε‖² − 2)."""
        g_mu = batch.eps / self.sigmas(theta)[:, None, None]
        if not self.learn_sigma:
            return g_mu
        g_log_sigma = (batch.eps * batch.eps).sum(axis=1, keepdims=True) - 2.0
        return np.concatenate([g_mu, g_log_sigma], axis=1)

    def summed_estimate(self, theta: np.ndarray, batch: Batch, f: np.ndarray, b: np.ndarray,
                        shared: str | None = None):
        """The score-function estimate by sums over the batch, without the (R, 2, N) arrays
        of scores and contributions (σ fixed, a baseline whose variance is s²/N; else None).

        With wᵢ = fᵢ − bᵢ and cᵢ = wᵢ εᵢ/σ:  ĝ = Σᵢ wᵢ εᵢ / (σN),
        S = Σᵢ cᵢ cᵢᵀ = Σᵢ wᵢ² εᵢ εᵢᵀ / σ²  (2 × 2),  Cov(ĝ) = (S − N ĝ ĝᵀ)/((N − 1) N).
        Returns (ĝ, Var(ĝ), replica 0's contributions and scores as GaussianTerms, replica 0's
        Cov(ĝ) (2, 2) | None)."""
        if self.learn_sigma or shared is not None:
            return None
        n, sigma, eps = f.shape[1], self.sigma, batch.eps
        w = f - b.reshape(b.shape[0], -1)                          # b: (R, 1, 1) or (R, 1, N)
        estimate = np.matmul(eps, w[:, :, None])[..., 0] / (sigma * n)
        contributions = GaussianTerms(w[0], eps[0], sigma)
        scores = GaussianTerms(np.ones(n), eps[0], sigma)
        if n == 1:
            return estimate, np.full_like(estimate, np.nan), contributions, scores, None
        S = np.matmul(eps * (w * w)[:, None, :], eps.transpose(0, 2, 1)) / sigma**2
        cov = (S - n * estimate[:, :, None] * estimate[:, None, :]) / ((n - 1) * n)
        variance = np.maximum(np.diagonal(cov, axis1=1, axis2=2), 0.0)
        return estimate, variance, contributions, scores, cov[0]

    def score_second_moment(self, theta: np.ndarray) -> np.ndarray:
        """E[g_k²] (R, d): E[(ε/σ)²] = 1/σ² for μ; E[(‖ε‖² − 2)²] = Var(χ²₂) = 4 for log σ."""
        mu = np.repeat((1.0 / self.sigmas(theta) ** 2)[:, None], 2, axis=1)
        return np.concatenate([mu, np.full((theta.shape[0], 1), 4.0)], axis=1) if self.learn_sigma else mu

    def pathwise(self, theta: np.ndarray, batch: Batch) -> np.ndarray:
        """∇θ f(μ + σε) = (∇f(x), σ ∇f(x)·ε): the reparameterisation gradient."""
        grad_f = np.stack(self.reward_fn.gradient(batch.x[:, 0], batch.x[:, 1]), axis=1)
        if not self.learn_sigma:
            return grad_f
        d_log_sigma = (grad_f * batch.eps).sum(axis=1, keepdims=True) * self.sigmas(theta)[:, None, None]
        return np.concatenate([grad_f, d_log_sigma], axis=1)

    def exact(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact J and ∇J for each replica (_exact), computed once for replicas that share
        their θ (all of them after a reset or a θ set by hand: 10⁴ replicas at σ = 10 took
        2-3 s a step)."""
        if len(theta) > 1:
            unique, inverse = np.unique(theta, axis=0, return_inverse=True)
            if len(unique) < len(theta):
                J, grad = self._exact(unique)
                return J[inverse.ravel()], grad[inverse.ravel()]
        return self._exact(theta)

    def _exact(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """J = E[f(μ + σZ)], ∇μ J = E[f·Z]/σ, ∂J/∂log σ = E[f·(‖Z‖² − 2)], by quadrature:
        the trapezoid rule for a smooth reward (quadrature.py, lattice.py), a rule placed
        around the breaks for one with jumps or kinks (piecewise.py).  Raises InexactError
        where that cannot be had to its accuracy, or where f·p has not decayed by |Z| = 7
        (an infinite expectation, or one that converges too slowly to truncate)."""
        if not self.reward_fn.smooth:
            return self._piecewise_exact(theta)
        return self._quadrature(theta)

    def _piecewise_exact(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact J and ∇J of a reward with jumps or kinks (piecewise.py): rules with pieces
        of width w, w/2, w/4 … (w the power of two at or below min(σ, 1)) until two agree to
        NONSMOOTH_TOLERANCE; the level that agreed is where the next step starts."""
        sigmas = self.sigmas(theta)
        base = 2.0 ** np.floor(np.log2(min(float(sigmas.min()), 1.0)))
        level, previous = max(self._agreed_level - 1, 0), None
        while True:
            rule = self._rules.get(level)
            if rule is None or rule.width != base / 2**level or not rule.covers(theta[:, :2], float(sigmas.max())):
                try:
                    rule = PiecewiseRule(self.reward_fn, float(sigmas.max()), base / 2**level, theta[:, :2])
                except OverflowError:
                    raise InexactError(
                        f"exact J of this non-smooth reward did not settle to "
                        f"{NONSMOOTH_TOLERANCE:g} before the rule reached {PIECEWISE_NODES:,} "
                        "nodes (a break too fine, or σ too wide for it): write jumps and kinks "
                        "smoothly, e.g. sigmoid((x - 1)/0.05) for x > 1") from None
                self._rules[level] = rule
            J, grad, size, slow_tail = rule.expect(theta[:, :2], sigmas)
            if slow_tail:
                raise InexactError(SLOW_TAIL)
            grad = grad if self.learn_sigma else grad[:, :2]
            if previous is not None:
                change = max(np.abs(J - previous[0]).max(),
                             np.abs((grad - previous[1])[:, :2] * sigmas[:, None]).max())
                if not change > NONSMOOTH_TOLERANCE * max(1.0, size):   # NaN falls through
                    self._agreed_level = level
                    return J, grad
            previous = (J, grad)
            level += 1

    def _quadrature(self, theta: np.ndarray):
        """(J, ∇J) by the trapezoid rule at spacing h = min(σ, s)/2^(1 + level) (s the
        reward's narrowest feature as declared; level 0 at first), checked every step:
        on a fixed σ's lattice against the same rule on nodes moved by h/2, which is as
        exact, so that the change bounds the error (to MOVED_CHECK of E|f|), and the same on
        per-replica grids (σ learned, or a window too large).  Below quadrature.SIZE_FLOOR of
        E|f| the changes are absolute.
        While a check fails (a feature narrower than s, a pole, a reward periodic with the
        spacing) h is halved, from then on.  InexactError where the rule would need more
        than MAX_NODES nodes an axis, or where f·p has not decayed by |Z| = 7 (SLOW_TAIL)."""
        while True:
            J, grad, change = self._trapezoid(theta, self._smooth_level)
            if not change > MOVED_CHECK:            # NaN (an undefined J) falls through
                return J, grad
            finer = len(gaussian_rule(float(self.sigmas(theta).max()), self.reward_fn.scale,
                                      self._smooth_level + 1)[0])
            if finer > MAX_NODES:
                raise InexactError(
                    f"exact J did not settle: the trapezoid rule with {finer // 2:,} nodes an "
                    f"axis still moved by {change:.1e} of E|f| when checked against itself "
                    f"(allowed {MOVED_CHECK:g}). The reward has a feature too narrow for this σ, or "
                    "a singularity within 8σ (E[1/(x − c)] does not exist): widen it, or lower σ")
            self._smooth_level += 1

    def _trapezoid(self, theta: np.ndarray, level: int):
        """(J, ∇J, the relative change when the nodes move half a step) at ``level``: from the
        cached lattice of f (lattice.py) when σ is fixed and the window fits, else evaluated
        per replica, chunked."""
        if not self.learn_sigma:
            expected = self._lattice(level).expect(theta)
            if expected is not None:
                J, grad, slow_tail, change = expected
                if slow_tail:
                    raise InexactError(SLOW_TAIL)
                return J, grad, change
        sigmas = self.sigmas(theta)
        t, w = gaussian_rule(float(sigmas.max()), self.reward_fn.scale, level)
        moments, mean_size = self._grid_moments(theta, sigmas, t, w)
        moved, _ = self._grid_moments(theta, sigmas, *gaussian_rule(
            float(sigmas.max()), self.reward_fn.scale, level, offset=0.5))
        change = relative_change(moments, moved, mean_size)
        grad = np.empty_like(theta)
        grad[:, :2] = moments[:, 1:3] / sigmas[:, None]
        if self.learn_sigma:
            grad[:, 2] = moments[:, 3]
        return moments[:, 0], grad, change

    def _grid_moments(self, theta: np.ndarray, sigmas: np.ndarray, t: np.ndarray, w: np.ndarray):
        """E[f·g] for g = 1, Z₁, Z₂ (and ‖Z‖² − 2 when σ is learned) (R, 3 or 4), and E|f|
        (R,), on the grid μ + σ(tᵢ, tⱼ) with weights wᵢwⱼ, evaluated per replica, chunked.
        σ ∂J/∂μ = E[f Z] and ∂J/∂log σ = E[f (‖Z‖² − 2)]."""
        z = np.stack(np.meshgrid(t, t, indexing="ij")).reshape(2, -1)
        weights = np.outer(w, w).ravel()
        tests = np.vstack([np.ones(z.shape[1]), z] + ([(z * z).sum(axis=0) - 2.0]
                                                      if self.learn_sigma else []))
        shell = np.abs(z).max(axis=0) >= SHELL
        moments = np.empty((theta.shape[0], len(tests)))
        mean_size = np.empty(theta.shape[0])
        chunk = max(1, MAX_QUADRATURE_POINTS // z.shape[1])
        for lo in range(0, theta.shape[0], chunk):  # bounds memory; one pass when R·n² ≤ 2e6
            part = slice(lo, lo + chunk)
            mu, sig = theta[part, :2, None], sigmas[part, None]
            fw = self.reward_fn(mu[:, 0] + sig * z[0], mu[:, 1] + sig * z[1]) * weights
            magnitude = np.abs(fw)
            mean_size[part] = magnitude.sum(axis=1)
            outer = magnitude[:, shell].sum(axis=1)
            if (outer > TAIL_SHARE * np.maximum(mean_size[part], 1.0)).any():
                raise InexactError(SLOW_TAIL)
            moments[part] = fw @ tests.T
        return moments, mean_size

    def _lattice(self, level: int) -> Lattice:
        """The lattice of f for this σ and level (a new one when either changes)."""
        spacing = self.sigma * rule_step(self.sigma, self.reward_fn.scale, level)
        lattice = self._lattice_of
        if lattice is None or lattice.sigma != self.sigma or lattice.h != spacing:
            self._lattice_of = lattice = Lattice(self.reward_fn, self.sigma, spacing)
        return lattice

    def density(self, theta_row: np.ndarray):
        """N(μ, σ²I)."""
        variance = math.exp(2 * theta_row[2]) if self.learn_sigma else self.sigma**2
        return theta_row[:2], np.array([[variance, 0.0], [0.0, variance]])

    def exact_terms(self, theta: np.ndarray) -> tuple:
        """The quadrature's nodes (the smooth rule's; a non-smooth reward's rule has more)."""
        nodes = len(gaussian_rule(float(self.sigmas(theta).max()), self.reward_fn.scale,
                                  self._smooth_level)[0])
        return (nodes * nodes, "quadrature nodes")

    def update(self, key: str, value, theta: np.ndarray) -> np.ndarray:
        """σ and the reward noise change live; a learned σ is part of θ."""
        if key == "sigma" and self.learn_sigma:
            theta = theta.copy()
            theta[:, 2] = np.log(value)
        elif key == "sigma":
            self.sigma, self._smooth_level = value, 0
        elif key == "noise":
            self.noise = value
        return theta

    def bounded(self, theta: np.ndarray) -> np.ndarray:
        """The divergence bound applies to μ (log σ has its own range)."""
        return theta[:, :2]

    def theta_trouble(self, theta: np.ndarray) -> str | None:
        """A learned σ must stay where exact J stays exact."""
        if not self.learn_sigma:
            return None
        sigma = np.exp(theta[:, 2])
        lo, hi = LEARNED_SIGMA_RANGE[0], min(LEARNED_SIGMA_RANGE[1], self.reward_fn.widest_sigma)
        if sigma.min() < lo or sigma.max() > hi:
            return (f"σ would leave [{lo:g}, {hi:g}] (σ = "
                    f"{sigma.min() if sigma.min() < lo else sigma.max():.3g}), the range where "
                    "exact J stays exact; lower the learning rate")
        return None


class GaussianKind(ProblemKind):
    name = "gaussian"
    description = ("x ~ N(μ, σ²I) in the plane, reward f(x) from the catalogue or a formula; "
                   "θ = μ (or (μ, log σ) with --learn-sigma)")
    settings = (
        Setting("reward", "text", "hills", label="reward",
                help="a catalogue name (see `gradviz list`) or a formula in x and y, e.g. "
                     "'exp(-(x-1)**2 - y**2)'",
                suggestions=tuple((name, reward.description) for name, reward in CATALOGUE.items())),
        Setting("sigma", "log", 0.5, label="σ", lo=SIGMA_RANGE[0], hi=SIGMA_RANGE[1], live=True,
                help="standard deviation σ of the policy, 0.01…10"),
        Setting("learn_sigma", "bool", False, label="learn log σ too",
                help="also learn log σ (θ = (μ, log σ))"),
        NOISE,
    )
    estimators = ("score", "pathwise", "exact")
    sum_over_x = "∫dx"

    def dim(self, config) -> int:
        return 3 if config.learn_sigma else 2

    def initial_theta(self, config) -> tuple:
        """(−1, −2.5), with log σ when σ is learned."""
        return (-1.0, -2.5) + ((math.log(config.sigma),) if config.learn_sigma else ())

    def check(self, config) -> None:
        reward = resolve_reward(config.reward)   # raises a ConfigError naming what is wrong
        if config.sigma > reward.widest_sigma:
            raise ConfigError(f"sigma: {config.sigma:g} is wider than {reward.widest_sigma:g}, the "
                              "widest σ at which exact J stays exact for this reward (its "
                              f"narrowest feature is {reward.scale:g} wide)")

    def build(self, config, rng) -> GaussianProblem:
        return GaussianProblem(resolve_reward(config.reward), config.sigma, config.learn_sigma,
                               config.noise)

    def parameter_names(self, config) -> list[str]:
        return ["θ₁ = μ_x", "θ₂ = μ_y", "θ₃ = log σ"][:self.dim(config)]

    def readout(self, config, theta_row) -> str:
        """A learned σ moves with θ = (μ, log σ): where it is now."""
        return f"σ = {np.exp(theta_row[2]):.3g}" if config.learn_sigma else ""

    def plane(self, config) -> Plane:
        return mean_plane(self.dim(config))

    def landscape_key(self, config, theta) -> tuple:
        """The reward, σ (to 3 decimals; replica 0's σ when it is learned) and the view:
        the reward's own, grown while replica 0's μ is outside it."""
        sigma = float(np.exp(theta[0, 2])) if config.learn_sigma else config.sigma
        view = view_around(resolve_reward(config.reward).view, theta[0, :2])
        return (self.name, config.reward, round(sigma, 3), view)

    def landscape(self, config, theta):
        _, reward, sigma, view = self.landscape_key(config, theta)
        return gaussian_landscape(resolve_reward(reward), max(sigma, 1e-3), view).with_contours()


KIND = GaussianKind()
