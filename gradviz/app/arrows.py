"""Arrow geometry as line-segment pairs, so that thousands of arrows are one curve item
(``PlotCurveItem(connect="pairs")``), never one QGraphicsItem each."""

from __future__ import annotations

import math

import numpy as np

HEAD_FRACTION = 0.22
HEAD_ANGLE = np.deg2rad(25)


def arrow_segments(origins: np.ndarray, vectors: np.ndarray):
    """x, y arrays of point pairs drawing shaft and two barbs for each arrow.

    origins: (n, 2), or one (2,) for all; vectors: (n, 2).  Each arrow becomes 3 segments
    (6 points): the shaft o → t (t = o + v) and the barbs t → t − R(±25°)·h, with h = 22 %
    of v.  Since R(±α)h = cos α·h ± sin α·h⊥ (h⊥ = (−h₂, h₁)), the barbs end at
    t − cos α·h ∓ sin α·h⊥.
    """
    origins = np.asarray(origins, dtype=float).reshape(-1, 2)
    vectors = np.asarray(vectors, dtype=float).reshape(-1, 2)
    head = HEAD_FRACTION * vectors
    across = np.sin(HEAD_ANGLE) * head[:, ::-1] * (-1.0, 1.0)   # sin α·h⊥
    points = np.empty((len(vectors), 6, 2))
    points[:, 0] = origins
    points[:, 1] = origins + vectors
    points[:, 2] = points[:, 4] = points[:, 1]
    back = points[:, 1] - np.cos(HEAD_ANGLE) * head
    np.subtract(back, across, out=points[:, 3])
    np.add(back, across, out=points[:, 5])
    points = points.reshape(-1, 2)
    return points[:, 0], points[:, 1]


def clamp_length(vectors: np.ndarray, max_length: float) -> tuple[np.ndarray, np.ndarray]:
    """Vectors (n, 2) shortened to ``max_length`` where longer, direction kept, and their
    lengths after that: (v·min(1, m/‖v‖), min(‖v‖, m))."""
    length = np.hypot(vectors[:, 0], vectors[:, 1])
    factor = np.minimum(1.0, max_length / np.maximum(length, 1e-300))
    return vectors * factor[:, None], np.minimum(length, max_length)


def unit_circle(points: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """x, y of ``points`` points around the unit circle, the last one repeating the first."""
    t = np.linspace(0, 2 * np.pi, points)
    return np.cos(t), np.sin(t)


def ellipse_factor(cov: np.ndarray, scale: float, k: float = 2.0) -> tuple[float, float, float]:
    """(l₁₁, l₂₁, l₂₂) of the lower-triangular L with L Lᵀ = (k·scale)² cov (its Cholesky
    factor, in closed form for 2 × 2).  The ellipse {c + L u : ‖u‖ = 1} holds the estimates
    within k standard deviations (k = 2: 86 % of a 2-D normal), drawn at the arrows' scale."""
    a, b, c = float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])
    l11 = math.sqrt(max(a, 0.0))
    l21 = b / l11 if l11 > 0 else 0.0
    l22 = math.sqrt(max(c - l21 * l21, 0.0))
    f = k * scale
    return f * l11, f * l21, f * l22
