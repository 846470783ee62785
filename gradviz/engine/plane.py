"""The plane the app draws θ in: μ for the gaussian problem; logit differences otherwise."""

from __future__ import annotations

import numpy as np


def plane_point(theta_row: np.ndarray, problem: str) -> tuple[float, float]:
    """Where θ sits in the drawn plane (:func:`plane_rows` of one θ): μ for gaussian;
    (θ₁ − θ_K, θ₂ − θ_K) for logits, which is exact for K = 3 since softmax ignores a shift
    of all logits."""
    x, y = plane_rows(np.asarray(theta_row, dtype=float), problem)
    return float(x), float(y)


def plane_rows(rows: np.ndarray, problem: str) -> np.ndarray:
    """Gradient-like components as rows (d, n) → motion in the drawn plane as rows (2, n):
    μ components for gaussian; (v₁ − v_K, v₂ − v_K) for logits (how θ₁ − θ_K, θ₂ − θ_K
    move).  Rows, so that a pass over many samples reads memory in order."""
    if problem == "gaussian":
        return rows[:2]
    return np.stack((rows[0] - rows[-1], rows[1] - rows[-1]))


def plane_vectors(vectors: np.ndarray, problem: str) -> np.ndarray:
    """The same map for vectors (n, d) → (n, 2)."""
    return plane_rows(np.atleast_2d(vectors).T, problem).T
