"""Exact J(μ) = ∫∫ f(u, v) φσ(u − μx) φσ(v − μy) du dv for a reward with jumps and kinks.

A formula that uses a comparison, abs, floor, min, where, % … is smooth wherever its
branch indicators (Formula.branches) are constant, and jumps or kinks where one changes.
The trapezoid rule converges only like the spacing across such a break, so this module
builds, once per window of x-space, a rule that puts no node across a break:

1. rows v at the Gauss–Legendre nodes of y-pieces; a y-piece is split where the sequence
   of branches met along a row changes (a horizontal jump such as y > 1, or where a curved
   break begins), so that the row integral I(v) = ∫ f(u, v) φ du is smooth on each piece,
   and graded geometrically towards each split (I(v) ~ √|v − v*| at a tangent row);
2. along each row, x-pieces of Gauss–Legendre nodes; a piece in which the branches change
   is split at each change, located by bisection to 1e-13, and integrated piece by piece.

Pieces no break cuts share their x-nodes across rows, so their part of J is two matrix
products; the cut pieces add a short list of nodes.  Each step only evaluates the Gaussian
weights at the nodes: f and the breaks stay fixed while μ moves.  Whether the rule is fine
enough is checked by building it again with pieces half as wide (problems.py).
"""

from __future__ import annotations

import numpy as np

from .quadrature import REACH, SHELL_MASS, TAIL_SHARE

ORDER = 8                               # Gauss–Legendre nodes a piece
_T, _W = np.polynomial.legendre.leggauss(ORDER)
BISECTIONS = 48                         # an interval of 10 shrinks below 1e-13
GRADING = 24                            # y-pieces w/2 … w/2²⁴ on each side of a split
MARGIN = 4.0                            # σ kept beyond the replicas' reach: fewer rebuilds
MAX_NODES = 4_000_000                   # rows × row nodes held; beyond, the rule refuses


def _gauss_legendre(a: np.ndarray, b: np.ndarray):
    """Nodes and weights (k, ORDER) of Gauss–Legendre on each [a_k, b_k]."""
    middle, half = 0.5 * (a + b), 0.5 * (b - a)
    return middle[:, None] + half[:, None] * _T, half[:, None] * _W


def _differs(signature: np.ndarray) -> np.ndarray:
    """Where consecutive points (last axis) differ in any branch indicator (first axis)."""
    return (signature[..., 1:] != signature[..., :-1]).any(axis=0)


def _locate(branches, lo, hi, row_y):
    """Each break between lo and hi on the row y = row_y (arrays), by bisection: the point
    where the branches stop being those at lo."""
    start = branches(lo, row_y)
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        same = (branches(mid, row_y) == start).all(axis=0)
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    return 0.5 * (lo + hi)


class PiecewiseRule:
    """The rule over the window [x0, x1] × [y0, y1] with pieces ``width`` wide."""

    def __init__(self, reward, sigma: float, width: float, mu: np.ndarray):
        self.reward, self.width = reward, width
        pad = (REACH + MARGIN) * sigma
        self.lo = np.floor((mu.min(axis=0) - pad) / width) * width
        self.hi = np.ceil((mu.max(axis=0) + pad) / width) * width
        x_edges = np.arange(round((self.hi[0] - self.lo[0]) / width) + 1) * width + self.lo[0]
        y_edges = np.arange(round((self.hi[1] - self.lo[1]) / width) + 1) * width + self.lo[1]
        if (len(x_edges) - 1) * (len(y_edges) - 1) * ORDER**2 > MAX_NODES:
            raise OverflowError("too many nodes")
        self._build(reward.func.branches, x_edges, y_edges)

    def covers(self, mu: np.ndarray, sigma: float) -> bool:
        """Whether every replica's μ ± 8σ lies in the window."""
        reach = REACH * sigma
        return bool((mu.min(axis=0) - reach >= self.lo).all() and (mu.max(axis=0) + reach <= self.hi).all())

    # --- building ------------------------------------------------------------------------

    def _build(self, branches, x_edges, y_edges) -> None:
        xs, x_weights = _gauss_legendre(x_edges[:-1], x_edges[1:])        # (pieces, ORDER)
        probes = np.concatenate([x_edges[:-1, None], xs, x_edges[1:, None]], axis=1)
        rows, row_weights = self._rows(branches, probes.ravel(), y_edges)
        flat_x = xs.ravel()
        # which x-pieces a break cuts, row by row
        signature = branches(probes[None, :, :], rows[:, None, None])    # (m, rows, pieces, 10)
        steps = _differs(signature)                                      # (rows, pieces, 9)
        cut = steps.any(axis=2)
        shared = np.repeat(~cut, ORDER, axis=1)                          # (rows, pieces·ORDER)
        F = self.reward(flat_x[None, :], rows[:, None])
        self.f_max = float(np.abs(F[np.isfinite(F)]).max(initial=0.0))
        self.x, self.y = flat_x, rows
        self.G = np.where(shared, F, 0.0) * row_weights[:, None] * x_weights.ravel()[None, :]
        self.cut_u, self.cut_row, self.cut_w = self._cut_nodes(branches, probes, steps, cut, rows,
                                                               x_edges)
        self.cut_f = self.reward(self.cut_u, rows[self.cut_row]) * row_weights[self.cut_row]
        self._finish()

    def _rows(self, branches, probes_x, y_edges):
        """Row positions and weights: Gauss–Legendre in y-pieces split where the sequence
        of branches along a row changes."""
        ys, _ = _gauss_legendre(y_edges[:-1], y_edges[1:])
        probe_y = np.concatenate([y_edges[:-1, None], ys], axis=1).ravel()
        probe_y = np.append(probe_y, y_edges[-1])
        keys = [self._row_key(branches, probes_x, y) for y in probe_y]
        splits = []
        for i in range(len(probe_y) - 1):     # a loop over rows: building, once per window
            if keys[i] != keys[i + 1]:
                lo, hi = probe_y[i], probe_y[i + 1]
                for _ in range(BISECTIONS):
                    mid = 0.5 * (lo + hi)
                    if self._row_key(branches, probes_x, mid) == keys[i]:
                        lo = mid
                    else:
                        hi = mid
                splits.append(0.5 * (lo + hi))
        # where a curved break begins (a tangent row) I(v) behaves like √|v − v*|: pieces
        # graded geometrically towards v* keep Gauss–Legendre's fast convergence (hp-style)
        grading = self.width * 0.5 ** np.arange(1, GRADING + 1)
        graded = [split + sign * grading for split in splits for sign in (-1.0, 1.0)]
        edges = np.unique(np.concatenate([y_edges, splits, *graded]))
        edges = edges[(edges >= y_edges[0]) & (edges <= y_edges[-1])]
        rows, weights = _gauss_legendre(edges[:-1], edges[1:])
        return rows.ravel(), weights.ravel()

    @staticmethod
    def _row_key(branches, probes_x, y) -> bytes:
        """The branches met along the row at y, in order, each run counted once: equal keys
        mean the row integral changes smoothly between the two rows."""
        signature = branches(probes_x, np.full_like(probes_x, y))           # (m, n)
        starts = np.concatenate([[0], np.flatnonzero(_differs(signature)) + 1])
        return signature[:, starts].tobytes()

    def _cut_nodes(self, branches, probes, steps, cut, rows, x_edges):
        """Nodes and weights of the cut pieces, split at every located break."""
        row_index, piece, step = np.nonzero(steps)
        breaks = _locate(branches, probes[piece, step], probes[piece, step + 1], rows[row_index])
        order = np.lexsort((breaks, piece, row_index))
        row_index, piece, breaks = row_index[order], piece[order], breaks[order]
        cut_rows, cut_pieces = np.nonzero(cut)
        starts, ends, owners = [], [], []
        b = 0
        for j, k in zip(cut_rows, cut_pieces):  # pieces that a break cuts: about one per row
            inner = []
            while b < len(breaks) and row_index[b] == j and piece[b] == k:
                inner.append(breaks[b])
                b += 1
            bounds = [x_edges[k], *inner, x_edges[k + 1]]
            starts += bounds[:-1]
            ends += bounds[1:]
            owners += [j] * (len(bounds) - 1)
        if not starts:
            return np.empty(0), np.empty(0, dtype=np.intp), np.empty(0)
        nodes, weights = _gauss_legendre(np.array(starts), np.array(ends))
        return nodes.ravel(), np.repeat(np.array(owners, dtype=np.intp), ORDER), weights.ravel()

    def _finish(self) -> None:
        finite_G, finite_cut = np.isfinite(self.G), np.isfinite(self.cut_f)
        self.bad_G = (~finite_G).astype(float) if not finite_G.all() else None
        self.bad_cut = (~finite_cut).astype(float) if not finite_cut.all() else None
        self.G = np.where(finite_G, self.G, 0.0)
        self.cut_fw = np.where(finite_cut, self.cut_f, 0.0) * self.cut_w
        if len(self.cut_f):
            self.f_max = max(self.f_max, float(np.abs(self.cut_f[finite_cut]).max(initial=0.0)))
        self.bounded = self.f_max * SHELL_MASS <= TAIL_SHARE     # the tail test cannot fail

    # --- one step ------------------------------------------------------------------------

    def expect(self, mu: np.ndarray, sigma: np.ndarray):
        """J (R,), ∇J (R, 3): ∂/∂μx, ∂/∂μy, ∂/∂log σ, largest E|f| and whether f·p has not
        decayed by 7σ (as Lattice.expect), for replicas at μ (R, 2) with σ (R,).
        ∇μJ = E[f·(x − μ)]/σ², ∂J/∂log σ = E[f·(‖x − μ‖²/σ² − 2)]."""
        s2 = (sigma**2)[:, None]
        norm = 1.0 / (2 * np.pi * s2)
        dx = self.x[None, :] - mu[:, :1]                       # (R, nodes of a row)
        dy = self.y[None, :] - mu[:, 1:2]                      # (R, rows)
        px, qx = np.exp(-0.5 * dx * dx / s2), dx * dx / s2
        py = np.exp(-0.5 * dy * dy / s2) * norm
        along = py @ self.G
        across = (py * dy * dy / s2) @ self.G
        J = np.einsum("ru,ru->r", along, px)
        gx = np.einsum("ru,ru->r", along, px * dx) / s2[:, 0]
        gy = np.einsum("ru,ru->r", (py * dy) @ self.G, px) / s2[:, 0]
        gs = np.einsum("ru,ru->r", along, px * qx) + np.einsum("ru,ru->r", across, px) - 2 * J
        total = np.einsum("ru,ru->r", py @ np.abs(self.G), px)
        shell = self._shared_shell(mu, s2, total) if not self.bounded else 0.0
        bad = np.zeros_like(J)
        if self.bad_G is not None:
            bad += np.einsum("ru,ru->r", py @ self.bad_G, px)
        if len(self.cut_u):
            cdx = self.cut_u[None, :] - mu[:, :1]
            cdy = self.y[self.cut_row][None, :] - mu[:, 1:2]
            r2 = (cdx * cdx + cdy * cdy) / s2
            weight = np.exp(-0.5 * r2) * norm
            J = J + weight @ self.cut_fw
            gx = gx + (weight * cdx) @ self.cut_fw / s2[:, 0]
            gy = gy + (weight * cdy) @ self.cut_fw / s2[:, 0]
            gs = gs + (weight * (r2 - 2)) @ self.cut_fw
            total = total + weight @ np.abs(self.cut_fw)
            if not self.bounded:
                outside = (np.abs(cdx) >= (REACH - 1) * np.sqrt(s2)) | (np.abs(cdy) >= (REACH - 1) * np.sqrt(s2))
                shell = shell + (weight * outside) @ np.abs(self.cut_fw)
            if self.bad_cut is not None:
                bad += weight @ self.bad_cut
        slow_tail = bool((np.asarray(shell) > TAIL_SHARE * np.maximum(total, 1.0)).any())
        J = np.where(bad > 0, np.nan, J)
        return J, np.stack([gx, gy, gs], axis=1), float(total.max()), slow_tail

    def _shared_shell(self, mu, s2, total_shared) -> np.ndarray:
        """E|f| of the shared nodes at 7σ or more from μ (max-norm), per replica."""
        sigma = np.sqrt(s2)
        dx, dy = self.x[None, :] - mu[:, :1], self.y[None, :] - mu[:, 1:2]
        px = np.exp(-0.5 * dx * dx / s2) * (np.abs(dx) < (REACH - 1) * sigma)
        py = np.exp(-0.5 * dy * dy / s2) * (np.abs(dy) < (REACH - 1) * sigma) / (2 * np.pi * s2)
        return total_shared - np.einsum("ru,ru->r", py @ np.abs(self.G), px)
