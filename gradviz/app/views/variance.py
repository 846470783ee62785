"""tr Cov(ĝ) against the batch size N at the current θ, on log-log axes, with the line c/N
through the measurements: the 1/N law of Monte Carlo averages."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ...engine.analysis import BATCH_SIZES
from .. import style
from ..labels import no_spread
from .base import View
from .native import NativePlotWidget


class VarianceView(View, NativePlotWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        p = self.getPlotItem()
        p.setLogMode(x=True, y=True)
        p.setLabel("bottom", "batch size N")
        p.setLabel("left", "tr Cov(ĝ)")
        p.showGrid(x=True, y=True, alpha=0.25)
        self.law = p.plot(pen=style.pen("#777777", 2, style=pg.QtCore.Qt.DashLine))
        self.measured = p.plot(pen=None, symbol="o", symbolSize=9, symbolPen=style.pen(style.OUTLINE, 1),
                               symbolBrush=style.brush(style.SPREAD))
        style.plain_axes(p)
        # label the measured batch sizes only (log-mode minor labels collide on wide plots)
        p.getAxis("bottom").setTicks([[(np.log10(n), f"{n:g}") for n in BATCH_SIZES], []])

    def on_run(self, model) -> None:
        self.measured.setData([], [])
        self.law.setData([], [])

    def on_variance(self, model) -> None:
        self.show_curve(model.variance, model.config.estimator)

    def show_curve(self, curve, estimator: str = "score") -> None:
        """tr Cov(ĝ) against N (analysis.variance_curve) for ``estimator``."""
        n, trace = curve
        keep = np.isfinite(trace) & (trace > 0)
        self.measured.setData(n[keep], trace[keep])
        if keep.any():
            c = float(np.exp(np.mean(np.log(trace[keep] * n[keep]))))
            self.law.setData(n, c / n)
            self.getPlotItem().setTitle(style.coloured("● measured", style.SPREAD)
                                        + f" (200 batches)   - - c/N, c = {c:.3g}", size="9pt")
        else:
            self.law.setData([], [])
            self.getPlotItem().setTitle(no_spread(estimator), size="9pt")
