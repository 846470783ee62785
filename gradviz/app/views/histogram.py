"""Histogram of the per-sample contributions cᵢ,k = (f(xᵢ) − bᵢ)∂θk log p(xᵢ|θ) for one
component k, with their mean (the estimate ĝ_k) and the exact ∂J/∂θk marked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .. import style
from ..paint_clock import TimedPaint

MAX_BINS = 60


class TimedPlotWidget(TimedPaint, pg.PlotWidget):
    """A plain PlotWidget whose painting counts on the paint clock."""


class HistogramView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.component = QComboBox()
        self.component.setToolTip("Which parameter's contributions to show")
        self.component.currentIndexChanged.connect(self._redraw)
        top = QHBoxLayout()
        top.addWidget(QLabel("component"))
        top.addWidget(self.component)
        top.addStretch(1)
        self.plot = TimedPlotWidget()
        p = self.plot.getPlotItem()
        p.setLabel("bottom", "contribution f(xᵢ)·∂log p/∂θ_k")
        p.setLabel("left", "samples")
        self.bars = p.plot(stepMode="center", fillLevel=0, pen=style.pen(style.CONTRIBUTION, 1.5),
                           fillBrush=style.brush(style.CONTRIBUTION, 120))
        style.plain_axes(p)
        self.mean_line = pg.InfiniteLine(angle=90, pen=style.pen(style.ESTIMATE, 3))
        self.exact_line = pg.InfiniteLine(angle=90, pen=style.pen(style.EXACT, 3, style=pg.QtCore.Qt.DashLine))
        p.addItem(self.mean_line)
        p.addItem(self.exact_line)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self._record = None

    def set_dimension(self, dim: int, names) -> None:
        self.component.blockSignals(True)
        self.component.clear()
        self.component.addItems(list(names)[:dim])
        self.component.blockSignals(False)

    def show_record(self, record) -> None:
        self._record = record
        self._redraw()

    def _redraw(self) -> None:
        record, k = self._record, max(self.component.currentIndex(), 0)
        p = self.plot.getPlotItem()
        if record is None or record.contributions is None or k >= record.contributions.shape[1]:
            self.bars.setData([0, 1], [0])
            p.setTitle("no per-sample contributions (exact estimator)" if record is not None else "",
                       size="9pt")
            return
        values = record.contributions[:, k]
        lo, hi = np.percentile(values, [0.5, 99.5]) if len(values) > 200 else (values.min(), values.max())
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
        bins = int(np.clip(np.sqrt(len(values)), 5, MAX_BINS))
        counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
        self.bars.setData(edges, counts)
        self.mean_line.setValue(record.estimate[0, k])
        self.exact_line.setValue(record.grad[0, k])
        p.setTitle(f"N = {len(values):,}   "
                   + style.coloured(f"mean ĝ = {record.estimate[0, k]:.3g}", style.ESTIMATE) + "   "
                   + style.coloured(f"exact {record.grad[0, k]:.3g}", style.EXACT),
                   size="9pt")
