"""Plots over steps, drawn from the decimated history: J, gradient quality, replicas.

Curves are plain Qt path items (views/native.py) and the ranges move in jumps
(views/live_range.py), so a redraw costs the engine thread little."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QBrush, QColor

from ...engine.history import COLUMN, FIELDS
from .. import style
from .base import View
from .live_range import LiveRange
from .native import (NativeLayoutWidget, NativePlotWidget, band_path, disc_item, discs_path,
                     path_item, pixel_radius, polyline_path, qpen, segments_path, set_title)


def _log10_positive(x, y):
    """(x, log₁₀ y) where y > 0: the plot's axis is in log mode and shows 10^value."""
    keep = np.isfinite(y) & (y > 0)
    return x[keep], np.log10(y[keep])


class SeriesView(View):
    """A plot over steps: drawn from the model's thinned series once the run has stepped,
    emptied when a new run begins."""

    def on_run(self, model) -> None:
        self.show_series(np.empty((0, len(FIELDS))))

    def draw(self, model) -> None:
        if model.stepped_yet:
            self.show_series(model.thinned())


class ObjectiveView(SeriesView, NativePlotWidget):
    """Exact J(θ_t) and the batch's mean reward over steps."""

    def __init__(self, parent=None):
        super().__init__(parent)
        plot = self.getPlotItem()
        style.axes(plot, "step t", "J(θ_t)")
        plot.setTitle(style.coloured("— exact J(θ_t)", style.EXACT) + "   "
                      + style.coloured("· batch mean reward", style.REWARD), size="9pt")
        self.reward = disc_item(plot, style.REWARD, alpha=110, z=1)
        self.J = path_item(plot, qpen(style.EXACT, 2), z=2)   # smooth: a wide pen is cheap
        self.live_range = LiveRange(plot.getViewBox())

    def show_series(self, rows: np.ndarray) -> None:
        step = rows[:, COLUMN["step"]]
        J, reward = rows[:, COLUMN["J"]], rows[:, COLUMN["reward_mean"]]
        if len(step):
            self.live_range.follow(step[-1], np.concatenate([J, reward]))
        self.J.setPath(polyline_path(step, J))   # path builders skip non-finite points
        self.reward.setPath(discs_path(step, reward, pixel_radius(self.getPlotItem(), 1.8), 6))


def decade_ticks(low: float, high: float, pixels: float, spacing: float = 15.0):
    """Ticks for a log₁₀ axis showing [low, high] on ``pixels`` of height: labels on whole
    decades, on every k-th one (k = 1, 2, 3, 5, 10, …) so that labels stay ``spacing``
    pixels apart, and an unlabelled tick on each decade between them."""
    lo, hi = int(np.floor(low)), int(np.ceil(high))
    room = max(2, int(pixels // spacing))
    stride = next(k for k in (1, 2, 3, 5, 10, 20, 50, 100, 10**9)
                  if np.floor(high / k) - np.ceil(low / k) + 1 <= room)
    return [[(k, f"{10.0 ** k:g}") for k in range(lo, hi + 1) if k % stride == 0],
            [(k, "") for k in range(lo, hi + 1) if k % stride]]


class QualityView(SeriesView, NativeLayoutWidget):
    """‖ĝ − ∇J‖ and tr Var(ĝ) on a log scale; cos(ĝ, ∇J) below."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.top = self.addPlot(row=0, col=0)
        self.top.setLogMode(y=True)
        self.top.setLabel("left", "size (log)")
        self.top.showGrid(x=True, y=True, alpha=0.25)
        self.top.setTitle(style.coloured("— ‖ĝ − ∇J‖ (error)", style.ESTIMATE) + "   "
                          + style.coloured("— tr Var(ĝ) (estimated)", style.SPREAD), size="9pt")
        self.error = path_item(self.top, qpen(style.ESTIMATE, 1), z=2)   # noisy: 1 px
        self.spread = path_item(self.top, qpen(style.SPREAD, 1), z=1)
        self.bottom = self.addPlot(row=1, col=0)
        self.bottom.setXLink(self.top)
        self.bottom.setYRange(-1.05, 1.05)
        self.bottom.setLabel("left", "cos(ĝ, ∇J)")
        self.bottom.setLabel("bottom", "step t")
        self.bottom.showGrid(x=True, y=True, alpha=0.25)
        # a plain item across the view, not an InfiniteLine (which Qt asks for its Python
        # boundingRect and paint on every repaint)
        self.zero = path_item(self.bottom, qpen("#888888", 1), z=0)
        self.bottom.getViewBox().sigXRangeChanged.connect(self._span_zero_line)
        self.cosine = path_item(self.bottom, qpen(style.ESTIMATE, 1), z=1)
        style.plain_axes(self.top)
        style.plain_axes(self.bottom)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        # log₁₀ values: at least one decade; the bottom plot follows its x
        self.top_range = LiveRange(self.top.getViewBox(), min_span=1.0)
        self._tick_key = None

    def _span_zero_line(self, _, x_range) -> None:
        self.zero.setPath(segments_path(list(x_range), [0.0, 0.0]))

    def show_series(self, rows: np.ndarray) -> None:
        step = rows[:, COLUMN["step"]]
        error = _log10_positive(step, rows[:, COLUMN["error"]])
        spread = _log10_positive(step, rows[:, COLUMN["var_trace"]])
        if len(step):
            self.top_range.follow(step[-1], np.concatenate([error[1], spread[1]]))
        # decade ticks for what is on screen, followed or zoomed by the user
        box = self.top.getViewBox()
        key = (box.height(), tuple(box.viewRange()[1]))
        if key != self._tick_key:
            self._tick_key = key
            self.top.getAxis("left").setTicks(decade_ticks(*key[1], key[0]))
        self.error.setPath(polyline_path(*error))
        self.spread.setPath(polyline_path(*spread))
        self.cosine.setPath(polyline_path(step, rows[:, COLUMN["cosine"]]))


class ReplicasView(SeriesView, NativePlotWidget):
    """Mean ± 1 s.d. of J across the R runs (and of π(best) for softmax and bandit)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        plot = self.getPlotItem()
        style.axes(plot, "step t", "across runs")
        self.items = {}
        for z, (name, colour) in enumerate((("J", style.EXACT), ("p_best", style.REWARD))):
            band = path_item(plot, qpen(colour, 1, alpha=90), z=z)
            fill = QColor(colour)
            fill.setAlpha(55)
            band.setBrush(QBrush(fill))
            self.items[name] = (path_item(plot, qpen(colour, 2), z=z + 2), band)
        self.live_range = LiveRange(plot.getViewBox())

    def on_run(self, model) -> None:
        self.show_series(np.empty((0, len(FIELDS))), model.config.runs)

    def draw(self, model) -> None:
        if model.stepped_yet:
            self.show_series(model.thinned(), model.latest.replicas)

    def show_series(self, rows: np.ndarray, runs: int) -> None:
        if runs <= 1:
            set_title(self.getPlotItem(), "one run: set replicas R > 1 to see the spread")
            rows = rows[:0]
        else:
            set_title(self.getPlotItem(),
                      f"{runs:,} runs: " + style.coloured("J mean ± 1 s.d.", style.EXACT) + "   "
                      + style.coloured("π(best action) mean ± 1 s.d.", style.REWARD))
        step = rows[:, COLUMN["step"]]
        shown = []
        for name, (mean, band) in self.items.items():
            m, sd = rows[:, COLUMN[name]], rows[:, COLUMN[f"{name}_sd"]]
            keep = np.isfinite(m) & np.isfinite(sd)
            mean.setPath(polyline_path(step[keep], m[keep]))
            band.setPath(band_path(step[keep], (m - sd)[keep], (m + sd)[keep]))
            shown += [(m - sd)[keep], (m + sd)[keep]]
        if len(step):
            self.live_range.follow(step[-1], np.concatenate(shown))
