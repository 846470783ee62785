"""Exact J(θ) and ∇J(θ) on a grid over the 2-D parameter plane, for drawing.

gaussian: J(μ) = ∫ f(u) φσ(u − μ) du is f convolved with the Gaussian.  On a uniform
grid u with spacing h = min(σ, s)/2 (s: the reward's feature width) the trapezoid rule is
exact to ~1e-12 (see quadrature.py), and the 2-D convolution separates into two matrix
products:  J = K_y F K_xᵀ,  with F[v, u] = f(u_u, u_v) and K[i, u] ∝ exp(−(u_u − μ_i)²/2σ²).
The gradient uses ∇μ J = E[f(x)(x − μ)]/σ², i.e. K'[i, u] = K[i, u](u_u − μ_i)/σ².
softmax (K = 3): J(θ₁, θ₂, 0) = Σ_a π_a r_a and ∂J/∂θ_a = π_a (r_a − J), by enumeration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problems import softmax
from .quadrature import REACH
from .rewards import Reward

MAX_FINE = 4000


@dataclass(frozen=True)
class Landscape:
    """J and ∇J on the grid xs × ys; arrays are indexed [y, x] (row-major images)."""

    xs: np.ndarray
    ys: np.ndarray
    J: np.ndarray
    grad_x: np.ndarray
    grad_y: np.ndarray
    raw: np.ndarray | None = None  # f itself on the grid (gaussian), to show what σ smooths


def _kernels(centres: np.ndarray, fine: np.ndarray, sigma: float):
    """Row-normalised Gaussian weights K[i, u] and K'[i, u] = K[i, u](u − μᵢ)/σ²."""
    d = fine[None, :] - centres[:, None]
    K = np.exp(-0.5 * (d / sigma) ** 2)
    K /= K.sum(axis=1, keepdims=True)
    return K, K * d / sigma**2


def gaussian_landscape(reward: Reward, sigma: float, view=None, size: int = 200) -> Landscape:
    x0, x1, y0, y1 = view or reward.view
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    h = min(sigma, reward.scale) / 2.0
    pad = REACH * sigma
    count = min(int(np.ceil((max(x1 - x0, y1 - y0) + 2 * pad) / h)) + 1, MAX_FINE)
    fine_x = np.linspace(x0 - pad, x1 + pad, count)
    fine_y = np.linspace(y0 - pad, y1 + pad, count)
    F = np.nan_to_num(reward(fine_x[None, :], fine_y[:, None]), nan=0.0, posinf=0.0, neginf=0.0)
    Kx, dKx = _kernels(xs, fine_x, sigma)
    Ky, dKy = _kernels(ys, fine_y, sigma)
    along_y = Ky @ F            # (size, count): smoothed in y
    J = along_y @ Kx.T
    grad_x = along_y @ dKx.T
    grad_y = (dKy @ F) @ Kx.T
    raw = reward(xs[None, :], ys[:, None])
    return Landscape(xs, ys, J, grad_x, grad_y, np.array(raw))


def softmax_landscape(values, size: int = 200, span: float = 6.0) -> Landscape:
    """J over (θ₁, θ₂) with θ₃ = 0, for three actions with rewards ``values``."""
    values = np.asarray(values, dtype=float)
    xs = ys = np.linspace(-span, span, size)
    t1, t2 = np.meshgrid(xs, ys)
    pi = softmax(np.stack([t1, t2, np.zeros_like(t1)], axis=-1))
    J = pi @ values
    return Landscape(xs, ys, J, pi[..., 0] * (values[0] - J), pi[..., 1] * (values[1] - J))
