"""Exact J(θ) on a grid over the 2-D parameter plane, for drawing.

gaussian: J(μ) = ∫ f(u) φσ(u − μ) du is f convolved with the Gaussian.  On a uniform
grid u with spacing h = min(σ, s)/2 (s: the reward's feature width) the trapezoid rule is
exact to ~1e-12 (see quadrature.py), and the 2-D convolution separates into two matrix
products:  J = K_y F K_xᵀ,  with F[v, u] = f(u_u, u_v) and K[i, u] ∝ exp(−(u_u − μ_i)²/2σ²).
softmax (K = 3): J(θ₁, θ₂, 0) = Σ_a π_a r_a, by enumeration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .probability import softmax
from .quadrature import REACH
from .rewards import Reward

MAX_FINE = 1200      # fine points an axis: F costs MAX_FINE² reward evaluations (a view 2⁸ wide, 60 ms)


MARGIN = 1.5      # the grid spans the view × this: a plot wider than tall still shows J at its sides
SIZE = 300        # grid points a side (the view's 200 of them)


def widened(view: tuple, factor: float = MARGIN) -> tuple:
    """``view`` (x0, x1, y0, y1) scaled by ``factor`` about its centre."""
    x0, x1, y0, y1 = view
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, factor * (x1 - x0) / 2, factor * (y1 - y0) / 2
    return (cx - hx, cx + hx, cy - hy, cy + hy)


@dataclass(frozen=True)
class Landscape:
    """J on the grid xs × ys (arrays indexed [y, x], row-major images), which spans
    ``view``, the part to show, and a margin around it."""

    xs: np.ndarray
    ys: np.ndarray
    J: np.ndarray
    view: tuple
    raw: np.ndarray | None = None  # f itself on the grid (gaussian), to show what σ smooths
    contours: dict | None = None   # {"J": (x, y), "raw": (x, y)} point pairs, see with_contours

    def with_contours(self, count: int = 9) -> "Landscape":
        """A copy carrying contour lines of J (and of raw f) as point pairs."""
        from dataclasses import replace
        lines = {"J": contour_segments(self.xs, self.ys, self.J, contour_levels(self.J, count))}
        if self.raw is not None:
            lines["raw"] = contour_segments(self.xs, self.ys, self.raw, contour_levels(self.raw, count))
        return replace(self, contours=lines)


def _kernel(centres: np.ndarray, fine: np.ndarray, sigma: float) -> np.ndarray:
    """Row-normalised Gaussian weights K[i, u] ∝ exp(−(u − μᵢ)²/2σ²)."""
    K = np.exp(-0.5 * ((fine[None, :] - centres[:, None]) / sigma) ** 2)
    return K / K.sum(axis=1, keepdims=True)


def gaussian_landscape(reward: Reward, sigma: float, view=None, size: int = SIZE,
                       margin: float = MARGIN) -> Landscape:
    """J over ``view`` (and a margin around it), f blurred by the Gaussian of width σ.  On a
    view so wide that MAX_FINE points an axis are coarser than σ, the blur is the points'
    spacing instead: what a pixel of such a view would average anyway."""
    view = tuple(view or reward.view)
    x0, x1, y0, y1 = widened(view, margin)
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    h = min(sigma, reward.scale) / 2.0
    pad = REACH * sigma
    count = min(int(np.ceil((max(x1 - x0, y1 - y0) + 2 * pad) / h)) + 1, MAX_FINE)
    fine_x = np.linspace(x0 - pad, x1 + pad, count)
    fine_y = np.linspace(y0 - pad, y1 + pad, count)
    F = np.nan_to_num(reward(fine_x[None, :], fine_y[:, None]), nan=0.0, posinf=0.0, neginf=0.0)
    blur = max(sigma, fine_x[1] - fine_x[0], fine_y[1] - fine_y[0])
    J = (_kernel(ys, fine_y, blur) @ F) @ _kernel(xs, fine_x, blur).T
    raw = reward(xs[None, :], ys[:, None])
    return Landscape(xs, ys, J, view, np.array(raw))


LOGIT_VIEW = (-6.0, 6.0, -6.0, 6.0)


def view_around(view: tuple, point, share: float = 0.9, doublings: int = 12) -> tuple:
    """``view`` (x0, x1, y0, y1) doubled about its centre until ``point`` lies in its inner
    ``share`` (at most ``doublings`` times): the landscape grows when θ leaves it."""
    x0, x1, y0, y1 = view
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    for _ in range(doublings):
        if not (abs(point[0] - cx) > share * hx or abs(point[1] - cy) > share * hy):
            break
        hx, hy = 2 * hx, 2 * hy
    return (cx - hx, cx + hx, cy - hy, cy + hy)


def softmax_landscape(values, size: int = SIZE, view: tuple = LOGIT_VIEW,
                      margin: float = MARGIN) -> Landscape:
    """J over (θ₁, θ₂) with θ₃ = 0, for three actions with rewards ``values``."""
    values = np.asarray(values, dtype=float)
    x0, x1, y0, y1 = widened(view, margin)
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    t1, t2 = np.meshgrid(xs, ys)
    pi = softmax(np.stack([t1, t2, np.zeros_like(t1)], axis=-1))
    return Landscape(xs, ys, pi @ values, tuple(view))


# marching squares: for each corner pattern (bit 1: bottom-left ≥ level, 2: bottom-right,
# 4: top-right, 8: top-left) the cell edges the contour joins (0 bottom, 1 right, 2 top,
# 3 left); saddles (5, 10) are split one fixed way
_CASES = {1: ((3, 0),), 2: ((0, 1),), 3: ((3, 1),), 4: ((1, 2),), 5: ((3, 0), (1, 2)),
          6: ((0, 2),), 7: ((3, 2),), 8: ((2, 3),), 9: ((0, 2),), 10: ((0, 1), (2, 3)),
          11: ((1, 2),), 12: ((1, 3),), 13: ((0, 1),), 14: ((0, 3),)}


def contour_segments(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, levels) -> tuple:
    """Contour lines of Z[y, x] at ``levels`` as point pairs (x, y) for a pairs-connected
    curve: marching squares over the cells each level crosses (found at once from the
    cells' lowest and highest corners), each crossing placed by linear interpolation."""
    a, b, c, d = Z[:-1, :-1], Z[:-1, 1:], Z[1:, 1:], Z[1:, :-1]   # bl, br, tr, tl
    low = np.minimum(np.minimum(a, b), np.minimum(c, d))
    high = np.maximum(np.maximum(a, b), np.maximum(c, d))
    out_x, out_y = [], []
    for level in levels:
        rows, cols = np.nonzero((low < level) & (high >= level))
        A, B, C, D = a[rows, cols], b[rows, cols], c[rows, cols], d[rows, cols]
        x0, x1, y0, y1 = xs[cols], xs[cols + 1], ys[rows], ys[rows + 1]

        def cross(p, q):
            with np.errstate(all="ignore"):
                t = (level - p) / (q - p)
            return np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0)

        edges = (  # the crossing on each edge of each cell: bottom, right, top, left
            (x0 + cross(A, B) * (x1 - x0), y0), (x1, y0 + cross(B, C) * (y1 - y0)),
            (x0 + cross(D, C) * (x1 - x0), y1), (x0, y0 + cross(A, D) * (y1 - y0)))
        case = (A >= level) * 1 + (B >= level) * 2 + (C >= level) * 4 + (D >= level) * 8
        for code, pairs in _CASES.items():
            cells = case == code
            if not cells.any():
                continue
            for e, f in pairs:
                out_x.append(np.stack([edges[e][0][cells], edges[f][0][cells]], 1).ravel())
                out_y.append(np.stack([edges[e][1][cells], edges[f][1][cells]], 1).ravel())
    if not out_x:
        return np.empty(0), np.empty(0)
    return np.concatenate(out_x), np.concatenate(out_y)


def contour_levels(Z: np.ndarray, count: int = 9) -> np.ndarray:
    """``count`` evenly spaced levels strictly inside Z's range."""
    lo, hi = float(np.nanmin(Z)), float(np.nanmax(Z))
    return np.linspace(lo, hi, count + 2)[1:-1]
