"""Histogram of the per-sample contributions cᵢ,k = (f(xᵢ) − bᵢ)∂θk log p(xᵢ|θ) for one
component k, with their mean (the estimate ĝ_k) and the exact ∂J/∂θk marked."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .. import style
from ..labels import component_terms
from ..nice import FINE, nice_above
from .base import View
from .live_range import LiveRange, value_range
from .native import NativePlotWidget, histogram_path, path_item, qpen, segments_path, set_title

MAX_BINS = 60
TAIL = 0.005   # above 200 samples, the outer 0.5 % at each end are left out of the bins


def bulk_range(values: np.ndarray) -> tuple[float, float]:
    """The range the bins cover: [v₍ₖ₊₁₎, v₍ₙ₋ₖ₎] (order statistics, k = ⌊TAIL·(n − 1)⌋)
    above 200 values, so that a few far-out contributions do not squash the rest into one
    bar; [min, max] below; widened to 1 when all are equal."""
    n = len(values)
    k = int(TAIL * (n - 1)) if n > 200 else 0
    ends = np.partition(values, (k, n - 1 - k))
    lo, hi = float(ends[k]), float(ends[n - 1 - k])
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def count_top(current: float | None, tallest: int) -> float:
    """The count axis's top: the ``current`` one while the tallest bar fits under it and
    reaches half of it, else the next of 1, 1.5, 2, 3, 5, 7 × 10ᵏ above 1.05 × the tallest.
    A steady axis reads better, and each change re-renders it in Python (about 2 ms)."""
    if current is not None and tallest <= current <= 2 * tallest:
        return current
    return nice_above(1.05 * max(tallest, 1), FINE)


class HistogramView(View, QWidget):
    """The contributions of the component chosen in its box."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.component = QComboBox()
        self.component.setToolTip("Which parameter's contributions to show")
        self.component.currentIndexChanged.connect(self._redraw)
        top = QHBoxLayout()
        top.addWidget(QLabel("component"))
        top.addWidget(self.component)
        top.addStretch(1)
        self.plot = NativePlotWidget()
        p = self.plot.getPlotItem()
        self._axis_label = "contribution f(xᵢ)·∂log p/∂θ_k"
        p.setLabel("bottom", self._axis_label)
        p.setLabel("left", "samples")
        self.bars = path_item(p, qpen(style.CONTRIBUTION, 1.5), z=1)
        self.bars.setBrush(style.brush(style.CONTRIBUTION, 120))
        style.plain_axes(p)
        self.mean_line = path_item(p, qpen(style.ESTIMATE, 3, cap=Qt.FlatCap), z=3)
        self.exact_line = path_item(p, qpen(style.EXACT, 3, style=Qt.DashLine, cap=Qt.FlatCap), z=2)
        self.live_range = LiveRange(p.getViewBox())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self._record = None
        self._top = None   # the count axis's top, kept while the bars suit it (count_top)

    def on_run(self, model) -> None:
        self.set_dimension(model.config.dim, model.kind.parameter_names(model.config))
        self.show_record(None)

    def draw(self, model) -> None:
        if model.latest is not None:
            self.show_record(model.latest)

    def painted(self) -> list:
        return [self.plot]

    def export_widget(self):
        return self.plot

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
            for item in (self.bars, self.mean_line, self.exact_line):
                item.setPath(QPainterPath())
            set_title(p, "no per-sample contributions (exact estimator)" if record is not None else "")
            return
        label = component_terms(record)
        if label != self._axis_label:
            self._axis_label = label
            p.setLabel("bottom", label)
        values = record.contributions[:, k]
        lo, hi = bulk_range(values)
        bins = int(np.clip(np.sqrt(len(values)), 5, MAX_BINS))
        counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
        mean, exact = record.estimate[0, k], record.grad[0, k]
        self._top = count_top(self._top, int(counts.max()))
        top = self._top
        self.bars.setPath(histogram_path(edges, counts))
        self.mean_line.setPath(segments_path([mean, mean], [0, top]))
        self.exact_line.setPath(segments_path([exact, exact], [0, top]))
        # the view moves only when the histogram leaves it or shrinks in it
        shown = self.live_range.shown
        x = value_range(shown[0] if shown else None, min(lo, mean, exact), max(hi, mean, exact))
        self.live_range.show(x, (0, top))
        set_title(p, f"N = {len(values):,}   "
                  + style.coloured(f"mean ĝ = {mean:.3g}", style.ESTIMATE) + "   "
                  + style.coloured(f"exact {exact:.3g}", style.EXACT))
