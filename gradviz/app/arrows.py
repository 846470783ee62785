"""Arrow geometry as line-segment pairs, so that thousands of arrows are one curve item
(``PlotCurveItem(connect="pairs")``), never one QGraphicsItem each."""

from __future__ import annotations

import functools

import numpy as np

HEAD_FRACTION = 0.22
HEAD_ANGLE = np.deg2rad(25)


def arrow_segments(origins: np.ndarray, vectors: np.ndarray, head: float | None = None):
    """x, y arrays of point pairs drawing shaft and two barbs for each arrow.

    origins, vectors: (n, 2).  Each arrow becomes 3 segments (6 points): the shaft
    origin→tip and barbs tip→tip − h·R(±25°)·v̂, with h = 22 % of the length (or ``head``).
    """
    origins = np.asarray(origins, dtype=float).reshape(-1, 2)
    vectors = np.asarray(vectors, dtype=float).reshape(-1, 2)
    tips = origins + vectors
    length = np.hypot(vectors[:, 0], vectors[:, 1])
    unit = np.divide(vectors, length[:, None], out=np.zeros_like(vectors), where=length[:, None] > 0)
    size = (HEAD_FRACTION * length if head is None else np.minimum(head, 0.5 * length))[:, None]
    c, s = np.cos(HEAD_ANGLE), np.sin(HEAD_ANGLE)
    left = np.stack([c * unit[:, 0] - s * unit[:, 1], s * unit[:, 0] + c * unit[:, 1]], axis=1)
    right = np.stack([c * unit[:, 0] + s * unit[:, 1], -s * unit[:, 0] + c * unit[:, 1]], axis=1)
    points = np.stack([origins, tips, tips, tips - size * left, tips, tips - size * right], axis=1)
    points = points.reshape(-1, 2)
    return points[:, 0], points[:, 1]


def clamp_length(vectors: np.ndarray, max_length: float) -> np.ndarray:
    """Vectors (n, 2) shortened to ``max_length`` where longer, direction kept."""
    length = np.hypot(vectors[:, 0], vectors[:, 1])
    factor = np.minimum(1.0, max_length / np.maximum(length, 1e-300))
    return vectors * factor[:, None]


def covariance(vectors: np.ndarray) -> np.ndarray:
    """Sample covariance (d, d) of the rows of ``vectors`` (n, d), n > 1:
    S = Σᵢ (vᵢ − v̄)(vᵢ − v̄)ᵀ / (n − 1)  (np.cov's result, at a third of its overhead)."""
    centred = vectors - vectors.mean(axis=0)
    return centred.T @ centred / (len(vectors) - 1)


@functools.lru_cache(maxsize=4)
def _unit_circle(points: int) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, points)
    circle = np.stack([np.cos(t), np.sin(t)])
    circle.setflags(write=False)
    return circle


def covariance_ellipse(centre, cov: np.ndarray, scale: float, k: float = 2.0, points: int = 64):
    """x, y of the ellipse {c + k·scale·L u : ‖u‖ = 1}, L Lᵀ = cov (k = 2: 86 % of a 2-D normal)."""
    vals, vecs = np.linalg.eigh(0.5 * (cov + cov.T))
    radii = k * scale * np.sqrt(np.clip(vals, 0, None))
    shape = vecs @ (radii[:, None] * _unit_circle(points))
    return centre[0] + shape[0], centre[1] + shape[1]
