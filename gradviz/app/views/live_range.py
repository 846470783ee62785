"""View ranges for live, growing data that change seldom.

Every change of a plot's range makes pyqtgraph rebuild its axes in Python, which holds the
GIL the engine needs.  So the step axis grows in jumps (to the next of 1, 1.5, 2, 3, 5, 7 ×
10ᵏ: the data fill two thirds of it or more), and the value axis changes only when the data
leave it or fill less than a third of it.  Once the user zooms or pans, the view is theirs
until they press pyqtgraph's auto-range button ("A")."""

from __future__ import annotations

import numpy as np

from ..nice import FINE, nice_above

PADDING = 0.06
MIN_FILL = 1 / 3


def value_range(current, lo: float, hi: float, min_span: float = 0.0):
    """The current (lo, hi) if it holds [lo, hi] and they fill ≥ MIN_FILL of it (or the
    range is min_span wide); else [lo, hi] padded by PADDING each side and widened about its
    centre to min_span."""
    if current is not None:
        c_lo, c_hi = current
        if c_lo <= lo and hi <= c_hi and (hi - lo >= MIN_FILL * (c_hi - c_lo)
                                          or c_hi - c_lo <= min_span * (1 + 1e-9)):
            return current
    span = hi - lo if hi > lo else max(abs(hi), 1.0) * 0.1
    lo, hi = lo - PADDING * span, hi + PADDING * span
    if hi - lo < min_span:
        centre = 0.5 * (lo + hi)
        lo, hi = centre - min_span / 2, centre + min_span / 2
    return (lo, hi)


class LiveRange:
    """Keeps one ViewBox's range on live data, changing it only when asked for a different
    range and only while the user has not taken the view over (auto-range off)."""

    def __init__(self, viewbox, min_span: float = 0.0):
        """``min_span``: the narrowest value range ``follow`` shows (1 for a log axis: one
        decade, so its labels never crowd)."""
        self.viewbox = viewbox
        self.min_span = min_span
        self.shown = None               # ((x0, x1), (y0, y1)) as last set, before margins

    def show(self, x: tuple, y: tuple | None, x_margin: float = 0.0) -> bool:
        """Set the view to ``x`` (widened by x_margin each side) and ``y``, if that differs
        from what is shown and the user has not zoomed; True if the view changed."""
        if not all(self.viewbox.autoRangeEnabled()):
            self.shown = None
            return False
        if (x, y) == self.shown:
            return False
        self.shown = (x, y)
        self.viewbox.setRange(xRange=(x[0] - x_margin, x[1] + x_margin), yRange=y, padding=0,
                              disableAutoRange=False)
        return True

    def follow(self, x_max: float, y_values: np.ndarray) -> bool:
        """Steps 0 … x_max (rounded up to a nice number) and the values (see value_range);
        True if the view changed."""
        y = self.shown[1] if self.shown else None
        finite = y_values[np.isfinite(y_values)]
        if len(finite):
            y = value_range(y, float(finite.min()), float(finite.max()), self.min_span)
        x_end = nice_above(max(x_max, 1.0), FINE)
        return self.show((0.0, x_end), y, x_margin=0.02 * x_end)   # margin: labels not cut
