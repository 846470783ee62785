"""The policy itself: π on the probability simplex (three actions) or as bars against the
true action values (any K, the bandit)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsPathItem

from ...engine.probability import softmax
from .. import style
from .base import View
from .native import (Marker, NativePlotWidget, NativeViewBox, bars_path, path_item, picture_plot,
                     polyline_path, qpen, set_title)

CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])


def simplex_xy(pi: np.ndarray) -> np.ndarray:
    """Barycentric π (n, 3) to points in the triangle with corners a₁, a₂, a₃."""
    return np.atleast_2d(pi) @ CORNERS


class SimplexView(View, NativePlotWidget):
    """π's path on the triangle of three-action policies; corners are the pure actions.
    It reads θ's path on the logit plane (θ₁ − θ₃, θ₂ − θ₃), the plane of three actions."""

    def __init__(self, parent=None):
        super().__init__(parent)
        p = self.getPlotItem()
        picture_plot(p)
        closed = np.vstack([CORNERS, CORNERS[:1]])
        p.plot(closed[:, 0], closed[:, 1], pen=style.pen(style.FOREGROUND, 1.5))
        self.labels = []
        for corner, anchor in zip(CORNERS, ((1, 0), (0, 0), (0.5, 1))):
            label = pg.TextItem(anchor=anchor, color=style.FOREGROUND)
            label.setPos(*corner)
            p.addItem(label)
            self.labels.append(label)
        self.path = path_item(p, qpen(style.ESTIMATE, 2), z=1)
        self.now = Marker(p, style.OUTLINE, (7.0, 5.0), z=2)
        p.setRange(xRange=(-0.15, 1.15), yRange=(-0.12, 1.0))

    def on_run(self, model) -> None:
        policy = model.policy_now()
        if policy is not None and len(policy[1]) == 3:
            self.set_values(policy[1])
        self.path.setPath(polyline_path([], []))

    def draw(self, model) -> None:
        if model.stepped_yet and model.plane is not None:
            path = model.thinned(("plane_x", "plane_y"))
            x, y = model.plane.point(model.theta_now())
            self.show_path(np.append(path[:, 0], x), np.append(path[:, 1], y))

    def set_values(self, values) -> None:
        for label, value, a in zip(self.labels, values, (1, 2, 3)):
            label.setText(f"action {a}  (r = {value:g})")

    def show_path(self, plane_x: np.ndarray, plane_y: np.ndarray) -> None:
        pi = softmax(np.stack([plane_x, plane_y, np.zeros_like(plane_x)], axis=1))
        xy = simplex_xy(pi)
        self.path.setPath(polyline_path(xy[:, 0], xy[:, 1]))
        self.now.move_to(*xy[-1])


class PolicyBarsView(View, NativePlotWidget):
    """π(a) as bars, beside each action's true value (q*(a) for the bandit)."""

    every_frame = True      # the window's central view when the problem has no plane

    def __init__(self, parent=None):
        super().__init__(parent)
        p = self.getPlotItem()
        style.axes(p, "action a", "π(a|θ)")
        self.bars = path_item(p, qpen(style.OUTLINE, 1, alpha=120), z=1)
        self.bars.setBrush(style.brush(style.ESTIMATE))
        self.value_axis = NativeViewBox()
        p.showAxis("right")
        p.scene().addItem(self.value_axis)
        p.getAxis("right").linkToView(self.value_axis)
        p.getAxis("right").setLabel("true value q*(a)", color=style.EXACT)
        self.value_axis.setXLink(p)
        self.values = QGraphicsPathItem()
        self.values.setPen(qpen(style.OUTLINE, 1, alpha=120))
        self.values.setBrush(style.brush(style.EXACT, 170))
        self.value_axis.addItem(self.values, ignoreBounds=True)
        self._shown = None
        p.vb.sigResized.connect(self._sync)
        p.setYRange(0, 1.02, padding=0)

    def _sync(self) -> None:
        self.value_axis.setGeometry(self.getPlotItem().vb.sceneBoundingRect())

    def draw(self, model) -> None:
        policy = model.policy_now()
        if policy is not None:
            self.show_policy(*policy)

    def show_policy(self, pi: np.ndarray, values: np.ndarray) -> None:
        k = len(pi)
        actions = np.arange(1, k + 1)
        self.bars.setPath(bars_path(actions - 0.2, pi, 0.38))
        if self._shown is None or not np.array_equal(self._shown, values):
            # the true values stay put during a run: redraw them and the axes when they change
            self._shown = np.array(values, dtype=float)
            self.values.setPath(bars_path(actions + 0.2, values, 0.38))
            # both axes put 0 at the same height: the value axis spans its values and 0, the
            # π axis 0 … 1.02 with the same share below 0
            lo, hi = min(0.0, float(values.min())), max(0.0, float(values.max()))
            hi = max(hi, 0.25 * (hi - lo), 1e-9)         # room above 0 for π, whatever the values
            span = (hi - lo) * 1.05
            below = -lo * 1.05 / span                    # the share of the height under 0
            self.value_axis.setYRange(-below * span, (1 - below) * span, padding=0)
            self.getPlotItem().setYRange(-1.02 * below / (1 - below), 1.02, padding=0)
            self.getPlotItem().setXRange(0.4, k + 0.6, padding=0)
        best = int(np.argmax(values)) + 1
        set_title(self.getPlotItem(), f"blue: π(a|θ)   vermillion: true value   best action: {best}")
