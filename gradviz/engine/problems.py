"""Policies p(x|θ) with their rewards, vectorised over R replicas and a batch of N samples.

Shapes: θ is (R, d); a batch holds R × N samples; scores ∇θ log p(x|θ) are (R, d, N),
component-major so that every reduction over the batch runs along contiguous memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InexactError
from .lattice import Lattice
from .piecewise import MAX_NODES as PIECEWISE_NODES
from .piecewise import PiecewiseRule
from .quadrature import NONSMOOTH_TOLERANCE, SHELL, TAIL_SHARE, gaussian_rule
from .rewards import Reward

MAX_QUADRATURE_POINTS = 2_000_000  # replicas × nodes evaluated at once by exact()
SLOW_TAIL = (f"E[f(x)] is infinite or converges too slowly to compute exactly: f·p has not "
             f"decayed {SHELL:g}σ from μ (f grows about as fast as p falls)")


@dataclass(frozen=True)
class Batch:
    """One step's samples: points x (R, 2, N) with their noise ε, or actions (R, N)."""

    x: np.ndarray | None = None
    eps: np.ndarray | None = None
    actions: np.ndarray | None = None


class GaussianProblem:
    """x ~ N(μ, σ²I) in R², reward f(x) (+ optional N(0, noise²)).

    θ = μ (d = 2), or θ = (μ, log σ) (d = 3) when σ is learned.  With x = μ + σε:
      ∇μ log p = (x − μ)/σ² = ε/σ,   ∂/∂log σ log p = ‖x − μ‖²/σ² − 2 = ‖ε‖² − 2.
    """

    kind = "gaussian"

    def __init__(self, reward: Reward, sigma: float, learn_sigma: bool, noise: float = 0.0):
        self.reward_fn = reward
        self.sigma = sigma
        self.learn_sigma = learn_sigma
        self.noise = noise
        self.dim = 3 if learn_sigma else 2
        self._lattice_of: Lattice | None = None
        self._rules: dict = {}          # piecewise rules by level (non-smooth rewards)
        self._agreed_level = 0

    def sigmas(self, theta: np.ndarray) -> np.ndarray:
        """σ of each replica, shape (R,)."""
        if self.learn_sigma:
            return np.exp(theta[:, 2])
        return np.full(theta.shape[0], self.sigma)

    def sample(self, theta: np.ndarray, n: int, rng: np.random.Generator) -> Batch:
        eps = rng.standard_normal((theta.shape[0], 2, n))
        x = theta[:, :2, None] + self.sigmas(theta)[:, None, None] * eps
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
        """J = E[f(μ + σZ)], ∇μ J = E[f·Z]/σ, ∂J/∂log σ = E[f·(‖Z‖² − 2)], by quadrature:
        the trapezoid rule for a smooth reward (quadrature.py, lattice.py), a rule placed
        around the breaks for one with jumps or kinks (piecewise.py).  Raises InexactError
        where that cannot be had to its accuracy, or where f·p has not decayed by |Z| = 7
        (an infinite expectation, or one that converges too slowly to truncate)."""
        if not self.reward_fn.smooth:
            return self._piecewise_exact(theta)
        J, grad, _ = self._quadrature(theta)
        return J, grad

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
        """(J, ∇J, largest E|f|) on gaussian_rule's grid: from the cached
        lattice of f (lattice.py) when σ is fixed and the window fits, else evaluated per
        replica, chunked.  InexactError if the outer shell |Z| ≥ 7 holds more than
        TAIL_SHARE of max(1, E|f|)."""
        if not self.learn_sigma:
            lattice = self._lattice()
            if lattice.prepare(theta):
                J, grad, size, slow_tail = lattice.expect(theta)
                if slow_tail:
                    raise InexactError(SLOW_TAIL)
                return J, grad, size
        sigmas = self.sigmas(theta)
        t, w = gaussian_rule(float(sigmas.max()), self.reward_fn.scale)
        z = np.stack(np.meshgrid(t, t, indexing="ij")).reshape(2, -1)
        weights = np.outer(w, w).ravel()
        shell = np.abs(z).max(axis=0) >= SHELL
        J = np.empty(theta.shape[0])
        grad = np.empty_like(theta)
        size = 0.0
        chunk = max(1, MAX_QUADRATURE_POINTS // z.shape[1])
        for lo in range(0, theta.shape[0], chunk):  # bounds memory; one pass when R·n² ≤ 2e6
            part = slice(lo, lo + chunk)
            mu, sig = theta[part, :2, None], sigmas[part, None]
            fw = self.reward_fn(mu[:, 0] + sig * z[0], mu[:, 1] + sig * z[1]) * weights
            magnitude = np.abs(fw)
            total = magnitude.sum(axis=1)
            outer = magnitude[:, shell].sum(axis=1)
            if (outer > TAIL_SHARE * np.maximum(total, 1.0)).any():
                raise InexactError(SLOW_TAIL)
            size = max(size, float(total.max()))
            J[part] = fw.sum(axis=1)
            grad[part, :2] = (fw @ z.T) / sig
            if self.learn_sigma:
                grad[part, 2] = fw @ ((z * z).sum(axis=0) - 2.0)
        return J, grad, size

    def _lattice(self) -> Lattice:
        """The lattice of f for this σ (a new one when σ changes)."""
        if self._lattice_of is None or self._lattice_of.sigma != self.sigma:
            spacing = min(self.sigma, self.reward_fn.scale) / 2.0
            self._lattice_of = Lattice(self.reward_fn, self.sigma, spacing)
        return self._lattice_of

    def p_best(self, theta: np.ndarray) -> None:
        return None

    def select(self, index: np.ndarray) -> None:
        """Keep replicas ``index`` (no per-replica state here)."""


def softmax(theta: np.ndarray) -> np.ndarray:
    """π = exp(θ − max θ) / Σ exp(θ − max θ): stable for logits up to ±1e300."""
    z = np.exp(theta - theta.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


class CategoricalTerms:
    """One replica's per-sample terms wᵢ (e_{aᵢ} − π) as a read-only (N, K) array that is
    built only where it is read: ``terms[:, k]`` (a component's N values, as the histogram
    reads them), ``terms[i]`` (one sample's K values) or ``np.asarray(terms)`` (all)."""

    def __init__(self, actions: np.ndarray, weights: np.ndarray, pi: np.ndarray):
        self.actions, self.weights, self.pi = actions, weights, pi
        for array in (actions, weights, pi):
            array.setflags(write=False)
        self.shape = (len(actions), len(pi))

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index):
        rows, columns = index if isinstance(index, tuple) else (index, slice(None))
        actions, weights = self.actions[rows], self.weights[rows]
        which = np.arange(self.shape[1])[columns]
        onehot = np.asarray(actions)[..., None] == which if np.ndim(which) else actions == which
        weights = np.asarray(weights)[..., None] if np.ndim(which) else weights
        return weights * (onehot - self.pi[columns])

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self[:, :], dtype=dtype)

    @property
    def T(self) -> np.ndarray:
        return np.asarray(self).T


class SoftmaxProblem:
    """Categorical policy π(a|θ) = softmax(θ)_a over K actions with fixed rewards r_a.

    ∇θ log π(a|θ) = e_a − π;  J = Σ_a π_a r_a;  ∂J/∂θ_a = π_a (r_a − J).
    """

    kind = "softmax"

    def __init__(self, rewards, noise: float = 0.0):
        self.values = np.asarray(rewards, dtype=float)
        self.noise = noise
        self.dim = len(self.values)
        self._policy = (None, None)
        self._best = None               # which actions are best, per replica (p_best)

    def policy(self, theta: np.ndarray) -> np.ndarray:
        """π = softmax(θ), (R, K), computed once per read-only θ array: sampling, scores,
        exact J and p_best all need it, and a run freezes each step's θ (a writable array
        might change in place, so it is never served from the cache)."""
        seen, pi = self._policy
        if seen is not theta or theta.flags.writeable:
            pi = softmax(theta)
            self._policy = (theta, pi)
        return pi

    def action_values(self, replicas: int) -> np.ndarray:
        """Expected reward of each action for each replica, (R, K)."""
        return np.broadcast_to(self.values, (replicas, self.dim))

    def sample(self, theta: np.ndarray, n: int, rng: np.random.Generator) -> Batch:
        """Inverse-CDF sampling: a = #{k < K−1 : u ≥ F_k}, u ~ U[0, 1).  The same count
        either way: by a loop over actions (vectorised over replicas and batch) when there
        are fewer actions than replicas, else by a binary search per replica."""
        cdf = np.cumsum(self.policy(theta), axis=1)
        u = rng.random((theta.shape[0], n))
        actions = np.zeros(u.shape, dtype=np.intp)
        if self.dim <= theta.shape[0]:
            for k in range(self.dim - 1):
                actions += u >= cdf[:, k:k + 1]
        else:
            for r in range(theta.shape[0]):
                actions[r] = np.searchsorted(cdf[r, :-1], u[r], side="right")
        return Batch(actions=actions)

    def reward(self, batch: Batch, rng: np.random.Generator) -> np.ndarray:
        values = self.action_values(batch.actions.shape[0])
        f = np.take_along_axis(values, batch.actions, axis=1)
        if self.noise > 0:
            f = f + self.noise * rng.standard_normal(f.shape)
        return f

    def score(self, theta: np.ndarray, batch: Batch) -> np.ndarray:
        """e_a − π for every sample, (R, K, N), by broadcast comparison (ufuncs release the
        GIL; fancy indexing would hold it, stalling the GUI thread on large batches)."""
        onehot = batch.actions[:, None, :] == np.arange(self.dim)[None, :, None]
        return onehot - self.policy(theta)[:, :, None]

    def summed_estimate(self, theta: np.ndarray, batch: Batch, f: np.ndarray, b: np.ndarray):
        """The score-function estimate by sums per action, without (R, K, N) arrays, for
        K > 3 actions (fewer are drawn on the plane, from dense per-sample terms; None then).

        With wᵢ = fᵢ − bᵢ, cᵢ = wᵢ (e_{aᵢ} − π):  ĝ_k = (S1_k − π_k W1)/N and
        Σᵢ c²ᵢₖ = (1 − 2π_k) S2_k + π_k² W2, where S1_k, S2_k sum w, w² over the samples of
        action k and W1, W2 over all; Var(ĝ_k) = (Σᵢ c²ᵢₖ − N ĝ²_k)/((N − 1) N) ≥ 0.
        Returns (ĝ, Var, replica 0's contributions and scores as CategoricalTerms)."""
        if self.dim <= 3:
            return None
        R, n, K = f.shape[0], f.shape[1], self.dim
        pi = self.policy(theta)
        w = f - b.reshape(b.shape[0], -1)                       # b: (R, 1, 1) or (R, 1, N)
        index = (batch.actions + K * np.arange(R)[:, None]).ravel()
        S1 = np.bincount(index, weights=w.ravel(), minlength=R * K).reshape(R, K)
        S2 = np.bincount(index, weights=(w * w).ravel(), minlength=R * K).reshape(R, K)
        W1, W2 = w.sum(axis=1, keepdims=True), (w * w).sum(axis=1, keepdims=True)
        estimate = (S1 - pi * W1) / n
        if n > 1:
            squares = (1.0 - 2.0 * pi) * S2 + pi * pi * W2
            variance = np.maximum(squares - n * estimate * estimate, 0.0) / ((n - 1) * n)
        else:
            variance = np.full_like(estimate, np.nan)
        contributions = CategoricalTerms(batch.actions[0], w[0], pi[0])
        scores = CategoricalTerms(batch.actions[0], np.ones(n), pi[0])
        return estimate, variance, contributions, scores

    def score_second_moment(self, theta: np.ndarray) -> np.ndarray:
        """E[(1{a=k} − π_k)²] = π_k (1 − π_k), (R, K)."""
        pi = self.policy(theta)
        return pi * (1.0 - pi)

    def exact(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pi = self.policy(theta)
        values = self.action_values(theta.shape[0])
        J = np.einsum("ra,ra->r", pi, values)
        return J, pi * (values - J[:, None])

    def p_best(self, theta: np.ndarray) -> np.ndarray:
        """π of the truly best actions, (R,): Σ π_a over every a whose value is the largest
        (the values are fixed, so which actions are best is found once)."""
        replicas = theta.shape[0]
        if self._best is None or self._best.shape[0] != replicas:
            values = self.action_values(replicas)
            self._best = (values == values.max(axis=1, keepdims=True)).astype(float)
        return np.einsum("ra,ra->r", self.policy(theta), self._best)

    def select(self, index: np.ndarray) -> None:
        """Keep replicas ``index`` (fixed rewards: nothing per replica)."""


class BanditProblem(SoftmaxProblem):
    """The k-armed testbed: each replica draws q*(a) ~ N(offset, 1); a pull pays q*(a) + N(0, 1)."""

    kind = "bandit"

    def __init__(self, arms: int, offset: float, replicas: int, rng: np.random.Generator):
        super().__init__(np.zeros(arms), noise=1.0)
        self.q_star = offset + rng.standard_normal((replicas, arms))

    def action_values(self, replicas: int) -> np.ndarray:
        return self.q_star

    def select(self, index: np.ndarray) -> None:
        self.q_star = self.q_star[index]
        self._best = None
