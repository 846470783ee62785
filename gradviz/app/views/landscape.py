"""The objective landscape: J(θ) as a heatmap with contours, θ's path, the samples coloured
by f(x), and arrows from θ for ∇J (exact), ĝ (estimate) and each sample's contribution."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal

from ...engine.history import plane_point
from .. import style
from ..paint_clock import TimedPaint
from ..arrows import arrow_segments, covariance_ellipse, nice_scale

MAX_DRAWN = 2_000           # samples and contribution tips drawn at most (pyqtgraph's scatter
                            # walks every point in Python on each update)
ARROW_PIXELS = 100_000      # pixels of per-sample arrow shafts drawn per frame at most
MIN_ARROWS = 50
SAMPLE_COLOURS = 8          # f(x) bins: one scatter item per bin, each with one shared brush


def plane_vectors(vectors: np.ndarray, problem: str) -> np.ndarray:
    """Gradient-like vectors (n, d) as motion in the drawn plane (n, 2): μ components for
    gaussian; (v₁ − v_K, v₂ − v_K) for logits (how θ₁ − θ_K, θ₂ − θ_K move)."""
    vectors = np.atleast_2d(vectors)
    if problem == "gaussian":
        return vectors[:, :2]
    return np.stack([vectors[:, 0] - vectors[:, -1], vectors[:, 1] - vectors[:, -1]], axis=1)


class _PickingViewBox(pg.ViewBox):
    """Left click or drag sets θ; drag with the right or middle button (or Shift) pans."""

    picked = Signal(float, float)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.LeftButton:
            ev.accept()
            p = self.mapSceneToView(ev.scenePos())
            self.picked.emit(p.x(), p.y())
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() == Qt.LeftButton and not ev.modifiers() & Qt.ShiftModifier:
            ev.accept()
            p = self.mapSceneToView(ev.scenePos())
            self.picked.emit(p.x(), p.y())
        else:
            if ev.button() == Qt.LeftButton:  # Shift+drag pans like a middle drag
                ev.accept()
                delta = self.mapToView(ev.lastPos()) - self.mapToView(ev.pos())
                self.translateBy(x=delta.x(), y=delta.y())
                return
            super().mouseDragEvent(ev, axis)


class LandscapeView(TimedPaint, pg.PlotWidget):
    """Emits ``thetaPicked(x, y)`` when the user clicks or drags on the plane."""

    thetaPicked = Signal(float, float)

    def __init__(self, parent=None):
        self.viewbox = _PickingViewBox()
        super().__init__(parent, viewBox=self.viewbox)
        self.viewbox.picked.connect(self.thetaPicked)
        self.problem = "gaussian"
        self.show_contributions = True
        self.show_raw = False
        self.scale = None
        self._mean_square = 0.0
        self._landscape = None
        self._record = None
        self._hovered = None
        plot = self.getPlotItem()
        plot.setLabel("bottom", "θ₁ (μ_x)")
        plot.setLabel("left", "θ₂ (μ_y)")
        plot.setAspectLocked(True)
        plot.showGrid(x=False, y=False)
        self.cmap = pg.colormap.get(style.LANDSCAPE_MAP)
        self.image = pg.ImageItem()
        self.image.setColorMap(self.cmap)
        self.image.setZValue(-10)
        self.image.setCacheMode(pg.QtWidgets.QGraphicsItem.DeviceCoordinateCache)
        plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=self.cmap, interactive=False,
                                        width=14)
        self.colorbar.setImageItem(self.image, insert_in=plot)
        # contours come computed from the worker (pyqtgraph's IsocurveItem runs marching
        # squares in Python on the GUI thread: hundreds of ms per landscape)
        self.contours = pg.PlotCurveItem(connect="pairs", pen=style.pen("#FFFFFF", 1, alpha=110))
        self.contours.setCacheMode(pg.QtWidgets.QGraphicsItem.DeviceCoordinateCache)
        plot.addItem(self.contours)
        self.trajectory = pg.PlotCurveItem(pen=style.pen(style.TRAJECTORY, 2.5))
        self.trajectory_shadow = pg.PlotCurveItem(pen=style.pen(style.OUTLINE, 4.5, alpha=140))
        for item in (self.trajectory, self.trajectory_shadow):
            item.setSegmentedLineMode("on")  # long wide polylines: fast as segments
        # Software rendering is fill-rate bound (10⁴ long translucent arrows: ~0.6 s a frame),
        # so every contribution's tip is a dot and whole arrows are drawn for as many samples
        # as fit ARROW_PIXELS; the title says how many.
        self.contrib = pg.PlotCurveItem(connect="pairs", antialias=False,
                                        pen=style.pen(style.CONTRIBUTION, 1))  # opaque: cheaper to fill
        self.tips = pg.ScatterPlotItem(size=4, pen=None, brush=style.brush(style.CONTRIBUTION, 170))
        self.cmap_bins = [pg.mkBrush(self.cmap.map(v, mode="qcolor"))
                          for v in np.linspace(0, 1, SAMPLE_COLOURS)]
        self.sample_bins = []
        for b in self.cmap_bins:
            item = pg.ScatterPlotItem(size=9, brush=b, pen=style.pen(style.OUTLINE, 0.6, alpha=160),
                                      hoverable=True, hoverSize=12,
                                      hoverPen=style.pen(style.HIGHLIGHT, 2))
            item.sigHovered.connect(self._hover)
            self.sample_bins.append(item)
        self.highlight = pg.PlotCurveItem(connect="pairs", pen=style.pen(style.HIGHLIGHT, 3))
        self.ellipse = pg.PlotCurveItem(pen=style.pen(style.ESTIMATE, 2, style=Qt.DashLine))
        self.arrows = {}
        for name, colour in (("exact", style.EXACT), ("estimate", style.ESTIMATE)):
            shadow = pg.PlotCurveItem(connect="pairs", pen=style.pen(style.OUTLINE, 6.5, alpha=200))
            line = pg.PlotCurveItem(connect="pairs", pen=style.pen(colour, 3.5))
            self.arrows[name] = (shadow, line)
        self.theta_marker = pg.ScatterPlotItem(size=13, brush=style.brush("#FFFFFF"),
                                               pen=style.pen(style.OUTLINE, 2))
        for item in (self.trajectory_shadow, self.trajectory, self.contrib, self.tips,
                     *self.sample_bins, self.highlight, self.ellipse, *self.arrows["exact"], *self.arrows["estimate"],
                     self.theta_marker):
            plot.addItem(item)
        self.hover_text = pg.TextItem(color=style.FOREGROUND, fill=style.brush("#FFFFFF", 225),
                                      border=style.pen(style.OUTLINE, 1), anchor=(0, 1))
        self.hover_text.setZValue(50)
        self.hover_text.hide()
        plot.addItem(self.hover_text)
        # translucent, so θ shows through when it climbs behind it (drag to move it)
        self.legend = plot.addLegend(offset=(6, 6), labelTextSize="9pt", verSpacing=-4,
                                     brush=style.brush("#FFFFFF", 150))
        self.legend.addItem(self.arrows["exact"][1], "exact ∇J(θ)")
        self.legend.addItem(self.arrows["estimate"][1], "estimate ĝ")
        self.legend.addItem(self.ellipse, "ĝ ± 2 s.d. (86 %)")
        self.legend.addItem(self.contrib, "each f(xᵢ)∇log p(xᵢ) (• tip)")
        self.legend.addItem(self.trajectory, "θ's path")
        plot.disableAutoRange()
        style.plain_axes(plot)
        self.colorbar.axis.setSIPrefixEnableRanges(((0.0, 0.0),))
        self.colorbar.axis.enableAutoSIPrefix(False)

    # --- updates -----------------------------------------------------------------------------

    def set_problem(self, problem: str) -> None:
        self.problem = problem
        self._record, self._hovered = None, None
        self.hover_text.hide()
        self.highlight.setData([], [])
        plot = self.getPlotItem()
        if problem == "gaussian":
            plot.setLabel("bottom", "θ₁ = μ_x  (also x)")
            plot.setLabel("left", "θ₂ = μ_y  (also y)")
        else:
            plot.setLabel("bottom", "θ₁ − θ₃  (logit)")
            plot.setLabel("left", "θ₂ − θ₃  (logit)")
        for item in self.sample_bins:
            item.setVisible(problem == "gaussian")
        self.scale = None

    def set_landscape(self, landscape) -> None:
        self._landscape = landscape
        self._draw_image()
        xs, ys = landscape.xs, landscape.ys
        self.getPlotItem().setRange(xRange=(xs[0], xs[-1]), yRange=(ys[0], ys[-1]), padding=0.02)

    def _draw_image(self) -> None:
        land = self._landscape
        if land is None:
            return
        data = land.raw if (self.show_raw and land.raw is not None) else land.J
        lines = (land.contours or {}).get("raw" if data is land.raw else "J", ([], []))
        data = np.ascontiguousarray(data, dtype=np.float32)
        lo, hi = float(np.nanmin(data)), float(np.nanmax(data))
        if not hi > lo:
            hi = lo + 1e-9
        self.image.setImage(data, levels=(lo, hi), autoLevels=False)
        dx, dy = land.xs[1] - land.xs[0], land.ys[1] - land.ys[0]
        self.image.setRect(land.xs[0] - dx / 2, land.ys[0] - dy / 2,
                           land.xs[-1] - land.xs[0] + dx, land.ys[-1] - land.ys[0] + dy)
        self.colorbar.setLevels((lo, hi))
        self.colorbar.axis.setLabel("f(x) (unsmoothed)" if self.show_raw else "J(θ) = E[f(x)]")
        self.contours.setData(*lines)

    def set_show_raw(self, on: bool) -> None:
        self.show_raw = on
        self._draw_image()

    def set_show_contributions(self, on: bool) -> None:
        self.show_contributions = on
        self.contrib.setVisible(on)
        self.tips.setVisible(on)
        if self._record is not None:
            self.show_record(self._record)

    def show_path(self, xs: np.ndarray, ys: np.ndarray) -> None:
        self.trajectory.setData(xs, ys)
        self.trajectory_shadow.setData(xs, ys)

    def show_record(self, record) -> None:
        """Samples, arrows and ellipse for the newest step (replica 0)."""
        self._record = record
        theta = record.theta_next[0]
        origin = np.array(plane_point(theta, self.problem))
        here = np.array(plane_point(record.theta[0], self.problem))
        exact = plane_vectors(record.grad[0], self.problem)[0]
        estimate = plane_vectors(record.estimate[0], self.problem)[0]
        self._update_scale(exact, estimate)
        s = self.scale
        for name, vector in (("exact", exact), ("estimate", estimate)):
            x, y = arrow_segments(here, s * vector)
            for item in self.arrows[name]:
                item.setData(x, y)
        self.theta_marker.setData([origin[0]], [origin[1]])
        title = f"arrows drawn at {s:g} × gradient"
        contributions = record.contributions
        n = len(record.rewards)
        drawn = min(n, MAX_DRAWN)
        if contributions is not None and self.show_contributions:
            vectors = s * plane_vectors(contributions[:drawn], self.problem)
            pixel = max(self.viewbox.viewPixelSize()[0], 1e-12)
            mean_length = float(np.hypot(vectors[:, 0], vectors[:, 1]).mean()) / pixel
            arrows = int(np.clip(ARROW_PIXELS / max(mean_length, 1.0), MIN_ARROWS, drawn))
            x, y = arrow_segments(np.broadcast_to(here, vectors[:arrows].shape), vectors[:arrows])
            self.contrib.setData(x, y)
            self.tips.setData(here[0] + vectors[:, 0], here[1] + vectors[:, 1])
            if arrows < n:
                title += f"  ·  arrows for {arrows:,} of {n:,} samples, dots for {drawn:,}"
            cov = np.cov(plane_vectors(contributions, self.problem).T) / n if n > 1 else None
            if cov is not None and np.isfinite(cov).all():
                ex, ey = covariance_ellipse(here + s * estimate, cov, s)
                self.ellipse.setData(ex, ey)
            else:
                self.ellipse.setData([], [])
        else:
            self.contrib.setData([], [])
            self.tips.setData([], [])
            self.ellipse.setData([], [])
            if n > drawn:
                title += f"  ·  showing {drawn:,} of {n:,} samples"
        if self.problem == "gaussian" and record.samples is not None:
            self._draw_samples(record.samples[:drawn], record.rewards[:drawn])
        self.getPlotItem().setTitle(title, size="10pt")
        if self._hovered is not None:
            self._show_hover(self._hovered)

    def _update_scale(self, exact, estimate) -> None:
        """One 1-2-5 scale for all arrows, sized by max(‖∇J‖, RMS of recent ‖ĝ‖) so that
        neither a vanishing gradient (at an optimum) nor one noisy estimate blows it up;
        changed only when that size leaves [1/20, 1/2.5] of the view."""
        span = self.viewRange()[0][1] - self.viewRange()[0][0]
        square = float(np.dot(estimate, estimate))
        self._mean_square = square if self.scale is None else 0.9 * self._mean_square + 0.1 * square
        size = max(np.linalg.norm(exact), np.sqrt(self._mean_square), 1e-12)
        if self.scale is None or not (span / 20 <= self.scale * size <= span / 2.5):
            self.scale = nice_scale(span / 6 / size)

    def _draw_samples(self, points, rewards) -> None:
        """Samples coloured by f(x) on the landscape's colour scale, one item per colour bin."""
        lo, hi = self.image.levels if self.image.levels is not None else (0.0, 1.0)
        level = np.clip((rewards - lo) / (hi - lo if hi > lo else 1.0), 0, 1)
        index = np.round(level * (SAMPLE_COLOURS - 1)).astype(int)
        for b, item in enumerate(self.sample_bins):
            members = np.flatnonzero(index == b)
            item.setData(points[members, 0], points[members, 1], data=members)

    # --- hover -------------------------------------------------------------------------------

    def _hover(self, item, points, ev) -> None:
        if len(points) == 0:
            self._hovered = None
            self.highlight.setData([], [])
            self.hover_text.hide()
            return
        self._hovered = int(points[0].data())
        self._show_hover(self._hovered)

    def _show_hover(self, i: int) -> None:
        record = self._record
        if (record is None or record.samples is None or self.scale is None
                or i >= len(record.rewards)):
            return
        x, f = record.samples[i], record.rewards[i]
        lines = [f"x = ({x[0]:.3f}, {x[1]:.3f})", f"f(x) = {f:.4g}"]
        if record.scores is not None:
            lines.append("∇log p = (" + ", ".join(f"{v:.3g}" for v in record.scores[i]) + ")")
        if record.contributions is not None:
            c = record.contributions[i]
            lines.append("contribution = (" + ", ".join(f"{v:.3g}" for v in c) + ")")
            here = np.array(plane_point(record.theta[0], self.problem))
            hx, hy = arrow_segments(here, self.scale * plane_vectors(c, self.problem)[0])
            self.highlight.setData(hx, hy)
        self.hover_text.setText("\n".join(lines))
        self.hover_text.setPos(QPointF(float(x[0]), float(x[1])))
        self.hover_text.show()
