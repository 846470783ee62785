"""Plots over steps, drawn from the decimated history: J, gradient quality, replicas."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ...engine.history import COLUMN
from .. import style
from ..paint_clock import TimedPaint


def _finite_positive(x, y):
    keep = np.isfinite(y) & (y > 0)
    return x[keep], y[keep]


def _fast(item):
    """Long series: draw only what is in view, thinned to the pixels (peak-preserving), as
    separate segments (Qt strokes a long antialiased polyline wider than 1 px as one path,
    measured at ~100 ms for 2,000 points; as segments it is a few ms)."""
    item.setDownsampling(auto=True, method="peak")
    item.setClipToView(True)
    item.curve.setSegmentedLineMode("on")
    return item


class ObjectiveView(TimedPaint, pg.PlotWidget):
    """Exact J(θ_t) and the batch's mean reward over steps."""

    def __init__(self, parent=None):
        super().__init__(parent)
        plot = self.getPlotItem()
        style.axes(plot, "step t", "J(θ_t)")
        plot.setTitle(style.coloured("— exact J(θ_t)", style.EXACT) + "   "
                      + style.coloured("· batch mean reward", style.REWARD), size="9pt")
        self.reward = _fast(plot.plot(pen=None, symbol="o", symbolSize=3, symbolPen=None,
                                      symbolBrush=style.brush(style.REWARD, 110)))
        self.J = _fast(plot.plot(pen=style.pen(style.EXACT, 2.5)))

    def show_series(self, rows: np.ndarray) -> None:
        step = rows[:, COLUMN["step"]]
        self.J.setData(step, rows[:, COLUMN["J"]])
        self.reward.setData(step, rows[:, COLUMN["reward_mean"]])


class QualityView(TimedPaint, pg.GraphicsLayoutWidget):
    """‖ĝ − ∇J‖ and tr Var(ĝ) on a log scale; cos(ĝ, ∇J) below."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.top = self.addPlot(row=0, col=0)
        self.top.setLogMode(y=True)
        self.top.setLabel("left", "size (log)")
        self.top.showGrid(x=True, y=True, alpha=0.25)
        self.top.setTitle(style.coloured("— ‖ĝ − ∇J‖ (error)", style.ESTIMATE) + "   "
                          + style.coloured("— tr Var(ĝ) (estimated)", style.SPREAD), size="9pt")
        self.error = _fast(self.top.plot(pen=style.pen(style.ESTIMATE, 1.5)))
        self.spread = _fast(self.top.plot(pen=style.pen(style.SPREAD, 1.5)))
        self.bottom = self.addPlot(row=1, col=0)
        self.bottom.setXLink(self.top)
        self.bottom.setYRange(-1.05, 1.05)
        self.bottom.setLabel("left", "cos(ĝ, ∇J)")
        self.bottom.setLabel("bottom", "step t")
        self.bottom.showGrid(x=True, y=True, alpha=0.25)
        self.bottom.addItem(pg.InfiniteLine(0, angle=0, pen=style.pen("#888888", 1)))
        self.cosine = _fast(self.bottom.plot(pen=style.pen(style.ESTIMATE, 1.2)))
        style.plain_axes(self.top)
        style.plain_axes(self.bottom)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)

    def show_series(self, rows: np.ndarray) -> None:
        step = rows[:, COLUMN["step"]]
        self.error.setData(*_finite_positive(step, rows[:, COLUMN["error"]]))
        self.spread.setData(*_finite_positive(step, rows[:, COLUMN["var_trace"]]))
        cos = rows[:, COLUMN["cosine"]]
        keep = np.isfinite(cos)
        self.cosine.setData(step[keep], cos[keep])


class ReplicasView(TimedPaint, pg.PlotWidget):
    """Mean ± 1 s.d. of J across the R runs (and of π(best) for softmax and bandit)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        plot = self.getPlotItem()
        style.axes(plot, "step t", "across runs")
        self.items = {}
        for name, colour in (("J", style.EXACT), ("p_best", style.REWARD)):
            upper = pg.PlotDataItem(pen=style.pen(colour, 1, alpha=90))
            lower = pg.PlotDataItem(pen=style.pen(colour, 1, alpha=90))
            band = pg.FillBetweenItem(upper, lower, brush=style.brush(colour, 55))
            mean = plot.plot(pen=style.pen(colour, 2.5))
            for item in (upper, lower, band):
                plot.addItem(item)
            self.items[name] = (mean, upper, lower)

    def show_series(self, rows: np.ndarray, runs: int) -> None:
        if runs <= 1:
            self.getPlotItem().setTitle("one run: set replicas R > 1 to see the spread", size="9pt")
            rows = rows[:0]
        else:
            self.getPlotItem().setTitle(
                f"{runs:,} runs: " + style.coloured("J mean ± 1 s.d.", style.EXACT) + "   "
                + style.coloured("π(best action) mean ± 1 s.d.", style.REWARD), size="9pt")
        step = rows[:, COLUMN["step"]]
        for name, (mean, upper, lower) in self.items.items():
            m, sd = rows[:, COLUMN[name]], rows[:, COLUMN[f"{name}_sd"]]
            keep = np.isfinite(m) & np.isfinite(sd)
            mean.setData(step[keep], m[keep])
            upper.setData(step[keep], (m + sd)[keep])
            lower.setData(step[keep], (m - sd)[keep])
