"""The landscape of a policy with many parameters: exact J on a 2-D slice of θ-space through
θ, spanned by the exact gradient and a second direction picked in its box: the estimate's
part across it, a fixed random direction, or that direction filter-normalised
(engine.analysis.theta_slice, measured beside the run).  The slice's centre, θ now
(projected on the slice), and ∇J and ĝ, projected too."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QComboBox, QGraphicsPixmapItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...engine.analysis import SLICE_DIRECTIONS
from .. import style
from ..arrows import arrow_segments
from .base import View
from .native import (Marker, NativePlotWidget, add_item, path_item, qpen, segments_path,
                     set_title, show_heatmap)

ARROW_SHARE = 0.6     # the longer arrow reaches this share of the slice's half-width


class SliceView(View, QWidget):
    """J(θ_c + a u + b v) with u along ∇J(θ_c) and v the direction chosen in its box."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.direction = QComboBox()
        for name, text in SLICE_DIRECTIONS.items():
            self.direction.addItem(text, name)
        self.direction.setToolTip("The slice's second direction, across ∇J: the estimate shows "
                                  "where ĝ leads; a fixed random one, the landscape around θ; "
                                  "filter-normalised, one that moves each cell's logits (each "
                                  "unit's weights) in proportion to their size")
        self.direction.currentIndexChanged.connect(lambda _: self.on_slice(self.model))
        top = QHBoxLayout()
        top.addWidget(QLabel("across ∇J:"))
        top.addWidget(self.direction)
        top.addStretch(1)
        self.plot = NativePlotWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        plot = self.plot.getPlotItem()
        plot.setAspectLocked(True)
        style.axes(plot, "a: along ∇J at the slice's centre (θ units)", "b: across ∇J", grid=False)
        self.cmap = pg.colormap.get(style.LANDSCAPE_MAP)
        self.image = add_item(plot, QGraphicsPixmapItem(), z=-10)
        self.image.setTransformationMode(Qt.SmoothTransformation)
        self.contours = path_item(plot, qpen("#FFFFFF", 1, alpha=110), z=-5)
        self.exact = path_item(plot, qpen(style.EXACT, 3), z=6)
        self.estimate = path_item(plot, qpen(style.ESTIMATE, 3), z=6)
        self.centre = Marker(plot, style.OUTLINE, (5.0, 3.5), z=4)
        self.now = Marker(plot, style.OUTLINE, (7.0, 5.0), z=5)
        self.shown = None
        self.levels = (np.nan, np.nan)      # the heatmap's J from dark to bright

    def painted(self) -> list:
        return [self.plot]

    def export_widget(self):
        return self.plot

    def on_run(self, model) -> None:
        self.shown = None
        for item in (self.exact, self.estimate, self.contours):
            item.setPath(segments_path([], []))
        self.image.setPixmap(QPixmap())
        set_title(self.plot.getPlotItem(), "the slice comes with the first measurement")

    def on_slice(self, model) -> None:
        if model.slice is None:
            set_title(self.plot.getPlotItem(), "no slice: θ has not moved from a stationary point, "
                                               "or the problem is too large to slice")
            return
        cut = model.slice.get(self.direction.currentData())
        land = cut.landscape
        self.levels = show_heatmap(self.image, self.cmap, land.xs, land.ys, land.J)
        self.contours.setPath(segments_path(*(land.contours or {}).get("J", ([], []))))
        x0, x1, y0, y1 = land.view
        self.plot.getPlotItem().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)
        self.centre.move_to(0.0, 0.0)
        self.shown = cut
        self.draw(model)

    def draw(self, model) -> None:
        cut, record = self.shown, model.latest
        if cut is None or record is None or record.theta.shape[1] != cut.centre.shape[0]:
            return
        a, b = cut.coordinates(record.theta_next[0])
        self.now.move_to(a, b)
        vectors = np.array([cut.coordinates(cut.centre + record.grad[0]),
                            cut.coordinates(cut.centre + record.estimate[0])])
        longest = np.abs(vectors).max()
        scale = ARROW_SHARE * (cut.landscape.view[1]) / longest if longest > 0 else 0.0
        at = cut.coordinates(record.theta[0])
        for item, vector in zip((self.exact, self.estimate), vectors):
            item.setPath(segments_path(*arrow_segments(np.array([at]), scale * vector[None, :])))
        across = SLICE_DIRECTIONS[cut.second]
        set_title(self.plot.getPlotItem(),
                  f"exact J through θ at step {cut.step}: {self.levels[0]:.3g} (dark) … "
                  f"{self.levels[1]:.3g} (bright)<br>→ along ∇J, ↑ along {across}; "
                  + style.coloured("∇J", style.EXACT) + ", " + style.coloured("ĝ", style.ESTIMATE)
                  + f" of step {record.step} × {scale:.2g}; ring: θ now")
