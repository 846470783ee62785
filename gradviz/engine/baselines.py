"""Baselines b for the score-function estimator ĝ = (1/N) Σᵢ (f(xᵢ) − bᵢ) ∇log p(xᵢ|θ).

Any b that does not depend on sample i keeps E[ĝ] = ∇J, because E[∇log p] = 0.
Shapes: rewards f (R, N), scores g (R, d, N); a baseline is (R, 1, N) or (R, d, N).
"""

from __future__ import annotations

import numpy as np


def batch_mean(f: np.ndarray) -> np.ndarray:
    """b = (1/N) Σⱼ fⱼ, including sample i itself: E[ĝ] = (N−1)/N · ∇J (biased)."""
    return f.mean(axis=1, keepdims=True)[:, None, :]


def leave_one_out(f: np.ndarray) -> np.ndarray:
    """bᵢ = (Σⱼ fⱼ − fᵢ)/(N − 1); 0 when N = 1 (there is no other sample)."""
    n = f.shape[1]
    if n == 1:
        return np.zeros_like(f)[:, None, :]
    return ((f.sum(axis=1, keepdims=True) - f) / (n - 1))[:, None, :]


def optimal(f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """b_{i,k} = Σ_{j≠i} fⱼ g²ⱼₖ / Σ_{j≠i} g²ⱼₖ: the variance-minimising constant
    E[f g_k²]/E[g_k²] for each component k, estimated without sample i (so unbiased).
    Where the other samples carry no score (Σ_{j≠i} g²ⱼₖ = 0), bᵢₖ = 0."""
    g2 = g * g
    num = np.einsum("rn,rkn->rk", f, g2)[:, :, None] - f[:, None, :] * g2
    total = g2.sum(axis=2, keepdims=True)
    den = total - g2
    tiny = 1e-12 * np.maximum(total, 1e-300)
    safe = den > tiny
    return np.where(safe, num / np.where(safe, den, 1.0), 0.0)


class RunningBaseline:
    """Baselines from rewards of earlier steps only, per replica.

    average: b_t = (all rewards before step t summed) / (their count);
    ema:     b_t = b_{t−1} + ρ (mean f_{t−1} − b_{t−1}), starting at the first batch mean.
    Both are 0 before any reward has been seen.
    """

    def __init__(self, replicas: int):
        self.total = np.zeros(replicas)
        self.count = 0
        self.ema = np.zeros(replicas)

    def average(self) -> np.ndarray:
        return self.total / self.count if self.count else np.zeros_like(self.total)

    def update(self, f: np.ndarray, ema_rate: float) -> None:
        batch_mean_f = f.mean(axis=1)
        self.ema = batch_mean_f if self.count == 0 else self.ema + ema_rate * (batch_mean_f - self.ema)
        self.total = self.total + f.sum(axis=1)
        self.count += f.shape[1]

    def select(self, index: np.ndarray) -> None:
        self.total, self.ema = self.total[index], self.ema[index]


def baseline_values(name: str, f: np.ndarray, g: np.ndarray, running: RunningBaseline) -> np.ndarray:
    """The baseline ``name`` for every sample, broadcastable against g."""
    if name == "none":
        return np.zeros((f.shape[0], 1, 1))
    if name == "mean":
        return batch_mean(f)
    if name == "loo":
        return leave_one_out(f)
    if name == "average":
        return running.average()[:, None, None]
    if name == "ema":
        return running.ema[:, None, None]
    if name == "optimal":
        return optimal(f, g)
    raise ValueError(f"unknown baseline {name!r}")
