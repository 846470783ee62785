"""Policies over a gridworld's cells: θ → logits z(s, a) (R, S, 4), π(·|s) = softmax z(s, ·),
and the backward pass that takes ∂/∂z to ∂/∂θ (the chain rule), vectorised over replicas and
over any batch of upstream gradients (one per episode)."""

from __future__ import annotations

import numpy as np


class TabularPolicy:
    """Four logits per decision cell: θ_{4k+a} = z(k, a).  The backward pass is a reshape."""

    name = "tabular"

    def __init__(self, cells: np.ndarray, shape: tuple[int, int]):
        self.states = len(cells)
        self.dim = 4 * self.states

    def initial_theta(self) -> np.ndarray:
        return np.zeros(self.dim)

    def logits(self, theta: np.ndarray) -> np.ndarray:
        return theta.reshape(theta.shape[0], self.states, 4)

    def blocks(self) -> list:
        """Each cell's four logits."""
        return [np.arange(4 * k, 4 * k + 4) for k in range(self.states)]

    def backward(self, theta: np.ndarray, upstream: np.ndarray) -> np.ndarray:
        """∂/∂z (R, M, S, 4) → ∂/∂θ (R, M, d)."""
        return upstream.reshape(upstream.shape[0], upstream.shape[1], self.dim)

    def score_moment(self, theta, pi: np.ndarray, visits: np.ndarray) -> np.ndarray:
        """E[g_k²] of g = ∇θ log p(τ), (R, d): for θ_k = z(s, a), visits(s) π(a|s)(1 − π(a|s))
        (see MLPPolicy.score_moment with J_s the identity)."""
        return (visits[:, :, None] * pi * (1.0 - pi)).reshape(pi.shape[0], self.dim)


class MLPPolicy:
    """A one-hidden-layer network from a cell's coordinates to its four logits:

        u = (2 row/(rows − 1) − 1, 2 col/(cols − 1) − 1),  h = tanh(W₁ u + b₁),  z = W₂ h + b₂

    θ = (W₁ (H × 2, row-major), b₁ (H), W₂ (4 × H, row-major), b₂ (4)).  Backward, for an
    upstream gradient g = ∂/∂z(s, ·):  ∂b₂ = Σ_s g_s,  ∂W₂ = Σ_s g_s h_sᵀ,
    δ_s = (W₂ᵀ g_s) ⊙ (1 − h_s²),  ∂b₁ = Σ_s δ_s,  ∂W₁ = Σ_s δ_s u_sᵀ."""

    name = "mlp"
    INIT_SEED = 0        # the starting network is drawn from this fixed stream

    def __init__(self, cells: np.ndarray, shape: tuple[int, int], hidden: int):
        span = np.maximum(np.array(shape, dtype=float) - 1.0, 1.0)
        self.inputs = 2.0 * cells / span - 1.0                   # (S, 2)
        self.hidden = hidden
        self.states = len(cells)
        self.dim = 2 * hidden + hidden + 4 * hidden + 4

    def initial_theta(self) -> np.ndarray:
        """W₁ ~ N(0, 1), b₁ ~ N(0, 0.5²), W₂ ~ N(0, 0.1²), b₂ = 0: near-uniform π whose
        gradient reaches every weight (all-zero weights would leave W₁ and b₁ without one)."""
        rng = np.random.default_rng(self.INIT_SEED)
        H = self.hidden
        return np.concatenate([rng.normal(0, 1.0, 2 * H), rng.normal(0, 0.5, H),
                               rng.normal(0, 0.1, 4 * H), np.zeros(4)])

    def blocks(self) -> list:
        """Each unit's incoming weights and bias: hidden unit j's (W₁[j, :], b₁[j]), output
        a's (W₂[a, :], b₂[a])."""
        H = self.hidden
        hidden = [np.array([2 * j, 2 * j + 1, 2 * H + j]) for j in range(H)]
        outputs = [np.append(3 * H + a * H + np.arange(H), 7 * H + a) for a in range(4)]
        return hidden + outputs

    def _weights(self, theta: np.ndarray):
        H, R = self.hidden, theta.shape[0]
        w1, b1, w2, b2 = np.split(theta, np.cumsum([2 * H, H, 4 * H]), axis=1)
        return w1.reshape(R, H, 2), b1, w2.reshape(R, 4, H), b2

    def _hidden(self, theta: np.ndarray):
        w1, b1, w2, b2 = self._weights(theta)
        return np.tanh(np.einsum("rhi,si->rsh", w1, self.inputs) + b1[:, None, :])

    def logits(self, theta: np.ndarray) -> np.ndarray:
        _, _, w2, b2 = self._weights(theta)
        return np.einsum("rah,rsh->rsa", w2, self._hidden(theta)) + b2[:, None, :]

    def backward(self, theta: np.ndarray, upstream: np.ndarray) -> np.ndarray:
        """∂/∂z (R, M, S, 4) → ∂/∂θ (R, M, d)."""
        _, _, w2, _ = self._weights(theta)
        h = self._hidden(theta)                                  # (R, S, H)
        R, M = upstream.shape[:2]
        d_b2 = upstream.sum(axis=2)
        d_w2 = np.einsum("rmsa,rsh->rmah", upstream, h)
        delta = np.einsum("rmsa,rah->rmsh", upstream, w2) * (1.0 - h * h)[:, None]
        d_b1 = delta.sum(axis=2)
        d_w1 = np.einsum("rmsh,si->rmhi", delta, self.inputs)
        return np.concatenate([d_w1.reshape(R, M, -1), d_b1, d_w2.reshape(R, M, -1), d_b2], axis=2)

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """J_s = ∂z(s, ·)/∂θ, (R, S, 4, d): ∂z_a/∂b₂[b] = 1{a = b}, ∂z_a/∂W₂[b, j] =
        1{a = b} h_j, ∂z_a/∂b₁[j] = W₂[a, j](1 − h_j²), ∂z_a/∂W₁[j, i] = W₂[a, j](1 − h_j²) u_i."""
        _, _, w2, _ = self._weights(theta)
        h = self._hidden(theta)                                  # (R, S, H)
        R, S, H = h.shape
        eye = np.eye(4)
        through = w2[:, None] * (1.0 - h * h)[:, :, None, :]    # (R, S, 4, H)
        d_w1 = through[..., None] * self.inputs[None, :, None, None, :]
        d_w2 = eye[None, None, :, :, None] * h[:, :, None, None, :]
        return np.concatenate([d_w1.reshape(R, S, 4, 2 * H), through,
                               d_w2.reshape(R, S, 4, 4 * H),
                               np.broadcast_to(eye, (R, S, 4, 4))], axis=3)

    def score_moment(self, theta, pi: np.ndarray, visits: np.ndarray) -> np.ndarray:
        """E[g_k²] for g = ∇θ log p(τ) = Σ_t J_{s_t}ᵀ ψ_t, ψ_t = e_{a_t} − π(·|s_t): the ψ_t
        are martingale differences, so the cross terms vanish and
        E[g_k²] = Σ_s visits(s) (Σ_a π_a J²_{s,a,k} − (Σ_a π_a J_{s,a,k})²), (R, d)."""
        jac = self.jacobian(theta)
        mean = np.einsum("rsa,rsak->rsk", pi, jac)
        square = np.einsum("rsa,rsak->rsk", pi, jac * jac)
        return np.einsum("rs,rsk->rk", visits, square - mean * mean)
