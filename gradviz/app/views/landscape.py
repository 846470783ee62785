"""The objective landscape: J(θ) as a heatmap with contours, θ's path, the samples coloured
by f(x), and arrows from θ for ∇J (exact), ĝ (estimate) and each sample's contribution."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainterPath, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

from .. import style
from ..arrows import arrow_segments, clamp_length, ellipse_factor, unit_circle
from ..nice import nice_above, nice_below
from ..labels import contribution_terms
from .base import View
from .legend import Legend
from .resampling import ResampleOverlay, held_estimates
from .slow_motion import SlowMotionPlayer, first_samples
from .native import (Marker, NativePlotWidget, NativeViewBox, add_item, disc_item, discs_path,
                     path_item, pixel_radius, polyline_path, qpen, segments_path, set_title,
                     show_heatmap, similarity, simplify)
from .sprites import Sprites

MAX_DRAWN = 1_000           # samples and contribution tips drawn at most: more is a blur
ARROW_PIXELS = 100_000      # pixels of per-sample arrow shafts drawn per frame at most
MIN_ARROWS = 50
SAMPLE_COLOURS = 8          # f(x) bins: one sprite per bin (after the tips' one)
HOVER_PIXELS = 8            # a sample within this many pixels of the mouse is hovered
SAMPLE_PIXELS = 5.0         # radius of a sample's disc
TIP_PIXELS = 2.2
MARKER_PIXELS = (7.5, 5.5)  # θ: dark rim, white disc
HOVER_HALO_PIXELS = 7.5
PATH_CELL_PIXELS = 1.5      # θ's path keeps one point per 1.5-pixel cell it enters …
MAX_PATH_DRAWN = 300        # … and at most this many


def _place(items, transform: QTransform | None) -> None:
    """Show ``items`` under ``transform``, or hide them when it is None."""
    for item in items:
        item.setVisible(transform is not None)
        if transform is not None:
            item.setTransform(transform)


def _ellipse_transform(centre, cov: np.ndarray, scale: float) -> QTransform | None:
    """The map u ↦ centre + L u, L the Cholesky factor of (2·scale)² cov, which takes the
    unit circle to the estimate's 2-s.d. ellipse; None when cov is zero or not finite.  A
    flat ellipse (cov of rank 1) keeps a sliver of width so that the map stays invertible."""
    l11, l21, l22 = ellipse_factor(cov, scale)
    size = max(l11, l22)
    if not (size > 0 and all(map(math.isfinite, (l11, l21, l22)))):
        return None
    least = 1e-9 * size
    return QTransform(max(l11, least), l21, 0.0, max(l22, least), float(centre[0]), float(centre[1]))


class _PickingViewBox(NativeViewBox):
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


class LandscapeView(View, NativePlotWidget):
    """Emits ``thetaPicked(x, y)`` when the user clicks or drags on the plane.

    Everything on the plane is a plain Qt item (see views/native.py): Qt paints it in C++
    while the engine thread keeps the GIL."""

    thetaPicked = Signal(float, float)

    def __init__(self, parent=None):
        self.viewbox = _PickingViewBox()
        super().__init__(parent, viewBox=self.viewbox)
        self.viewbox.picked.connect(self.thetaPicked)
        self.plane = None               # the problem's Plane (problems/base.py)
        self.show_contributions = True
        self.show_raw = False
        self.scale = None
        self.arrows_small = False       # the gradient has shrunk below 1/20 of the view at this scale
        self.title_note = ""            # what the title adds (θ held)
        self.slow_motion = None         # samples shown in slow motion (None: off)
        self.levels = None              # the heatmap's (low, high), once there is one
        self.arrows_drawn = 0           # per-sample arrows in the last frame
        self.dots_drawn = 0             # per-sample tips in the last frame …
        self.tips_in_view = 0           # … of which inside the view (the others are not drawn)
        self._mean_square = 0.0
        self._landscape = None
        self._record = None
        self._samples = None            # the drawn samples (n, 2), for hovering
        self._hovered = None
        plot = self.getPlotItem()
        plot.setAspectLocked(True)
        plot.showGrid(x=False, y=False)
        self.cmap = pg.colormap.get(style.LANDSCAPE_MAP)
        self.image = QGraphicsPixmapItem()
        self.image.setTransformationMode(Qt.SmoothTransformation)
        self.image.setCacheMode(QGraphicsItem.DeviceCoordinateCache)   # rescaled on zoom only
        self.viewbox.addItem(self.image, ignoreBounds=True)
        self.image.setZValue(-10)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=self.cmap, interactive=False,
                                        width=14)
        plot.layout.addItem(self.colorbar, 2, 5)   # right of the plot, as pyqtgraph inserts it
        # the bar fills its view box: nothing to clip, and Qt no longer asks the box for its
        # Python shape() on every frame of the plot beside it (NativeViewBox)
        self.colorbar.vb.setFlag(QGraphicsItem.ItemClipsChildrenToShape, False)
        plot.layout.setColumnFixedWidth(4, 5)
        # contours come computed from the worker (pyqtgraph's IsocurveItem runs marching
        # squares in Python on the GUI thread: hundreds of ms per landscape)
        self.contours = path_item(plot, qpen("#FFFFFF", 1, alpha=110), z=-5)
        self.contours.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        pens = {
            "path_shadow": qpen(style.OUTLINE, 4.5, alpha=140),
            "path": qpen(style.TRAJECTORY, 2.5),
            "contribution": qpen(style.CONTRIBUTION, 1),
            "highlight": qpen(style.HIGHLIGHT, 3),
            "ellipse": qpen(style.ESTIMATE, 2, style=Qt.DashLine, cap=Qt.FlatCap),
            "density": qpen("#FFFFFF", 1.5, alpha=200, style=Qt.DotLine),
            "arrow_shadow": qpen(style.OUTLINE, 6.5, alpha=200),
            "exact": qpen(style.EXACT, 3.5),
            "estimate": qpen(style.ESTIMATE, 3.5),
        }
        layers = ["density", "path_shadow", "path", "contribution", "hover", "dots", "highlight",
                  "ellipse", "arrow_shadow", "exact", "arrow_shadow", "estimate",
                  "marker"]   # bottom to top; the dots are the tips, then the samples above them
        items = [path_item(plot, pens[name], z) for z, name in enumerate(layers) if name in pens]
        (density_1, self.trajectory_shadow, self.trajectory, self.contrib, self.highlight,
         self.ellipse, *arrows) = items
        # p(x|θ) itself where x lives in the plane: its 1σ and 2σ contours
        self.density = (density_1, path_item(plot, pens["density"], 0))
        self.hover_dot = disc_item(plot, style.HIGHLIGHT, z=layers.index("hover"))
        self.arrows = {"exact": tuple(arrows[:2]), "estimate": tuple(arrows[2:])}
        # ∇J, ĝ and the ellipse are fixed shapes placed by a transform each frame: no path
        # is built for them while the engine waits
        unit_arrow = segments_path(*arrow_segments(np.zeros(2), np.array([1.0, 0.0])))
        for item in arrows:
            item.setPath(unit_arrow)
        self.ellipse.setPath(polyline_path(*unit_circle()))
        for ring in self.density:
            ring.setPath(polyline_path(*unit_circle()))
        self.marker = Marker(plot, style.OUTLINE, MARKER_PIXELS, z=layers.index("marker"))
        # slow motion's last stage: θ ← θ + α ĝ, the move itself
        self.update_step = path_item(plot, qpen(style.OUTLINE, 3, style=Qt.DashLine),
                                     z=layers.index("marker") - 0.5)
        # the hovered (or slow motion's) sample's ∇log p, before f(x) scales it
        self.score_arrow = path_item(plot, qpen(style.HIGHLIGHT, 2, style=Qt.DashLine),
                                     z=layers.index("highlight") - 0.5)
        self.player = SlowMotionPlayer(self.next_sample, self._slow_motion_done, self)
        self.player.changed.connect(self._slow_motion_changed)     # the title says its pace
        self.resampling = ResampleOverlay(plot, z=layers.index("ellipse") + 0.5)
        self.cmap_colours = [self.cmap.map(v, mode="qcolor").name()
                             for v in np.linspace(0, 1, SAMPLE_COLOURS)]
        tip = QColor(style.CONTRIBUTION)
        tip.setAlpha(170)
        # 1 px: Qt draws 1 px pens on a fast path; light, so that a low-reward sample (dark,
        # from the map's low end) still shows on the dark low end of the heatmap
        rim = qpen(style.SAMPLE_RIM, 1, alpha=220)
        # style 0 a contribution's tip, 1 … SAMPLE_COLOURS a sample by its f(x) bin
        self.dots = add_item(plot, Sprites(
            [tip] + [QColor(c) for c in self.cmap_colours],
            [TIP_PIXELS] + [SAMPLE_PIXELS] * SAMPLE_COLOURS, [None] + [rim] * SAMPLE_COLOURS,
            ratio=self.devicePixelRatioF()), layers.index("dots"))
        self.hover_text = pg.TextItem(color=style.FOREGROUND, fill=style.brush("#FFFFFF", 225),
                                      border=style.pen(style.OUTLINE, 1), anchor=(0, 1))
        self.hover_text.setZValue(50)
        self.hover_text.hide()
        plot.addItem(self.hover_text)
        self.scene().sigMouseMoved.connect(self._mouse_moved)
        # translucent, so θ shows through when it climbs behind it (drag to move it)
        self.legend = Legend(self.viewbox, offset=(6, 6), point_size=9,
                             text_colour=style.FOREGROUND, fill=QColor(255, 255, 255, 150))
        rows = {name: self.legend.add(pens[name], text)
                for name, text in (("exact", "exact ∇J(θ)"), ("estimate", "estimate ĝ"),
                                   ("ellipse", "ĝ ± 2 s.d. (86 %)"),
                                   ("density", "p(x|θ): 1σ and 2σ"),
                                   ("contribution", "each f(xᵢ)∇log p(xᵢ) (• tip)"))}
        self.contribution_row = rows["contribution"]   # renamed for each estimator and baseline
        self.density_row = rows["density"]             # shown where the policy is drawn
        # the path is white on a dark shadow: its sample is the shadow with θ's white marker
        self.legend.add(pens["path_shadow"], "θ's path",
                        disc=(4.5, QColor("#FFFFFF"), qpen(style.OUTLINE, 1)))
        # discs are sized in pixels: redraw them when the user zooms
        self.viewbox.sigRangeChanged.connect(self._view_changed)
        plot.disableAutoRange()
        style.plain_axes(plot)
        self.colorbar.axis.setSIPrefixEnableRanges(((0.0, 0.0),))
        self.colorbar.axis.enableAutoSIPrefix(False)

    def _view_changed(self, *_) -> None:
        if self._record is not None:
            self.show_record(self._record)

    # --- updates -----------------------------------------------------------------------------

    every_frame = True
    needs_clipping = True   # arrows and the heatmap reach past the view (window_svg.py)

    def on_run(self, model) -> None:
        """A new run: its plane's axes, nothing of the old run's batch."""
        self.set_plane(model.plane)

    def on_landscape(self, model) -> None:
        if model.landscape is not None:
            self.set_landscape(model.landscape)

    def draw(self, model) -> None:
        """θ's path so far and the newest batch (replica 0)."""
        here = model.theta_now()
        if self.plane is None or here is None:
            return
        x, y = self.plane.point(here)
        path = model.thinned(("plane_x", "plane_y")) if model.stepped_yet else np.empty((0, 2))
        self.show_path(np.append(path[:, 0], x), np.append(path[:, 1], y))
        held = model.config.freeze and model.stepped_yet
        self.title_note = "  ·  θ held: dots each ĝ, ring their mean" if held else ""
        if model.latest is not None:
            self.show_record(model.latest)
        if held and self.scale is not None:
            self.resampling.show(np.array([x, y]), self.scale, held_estimates(model.series.rows()),
                                 _ellipse_transform)
        else:
            self.resampling.hide()

    def set_plane(self, plane) -> None:
        self.plane = plane
        self._record, self._samples = None, None
        self._unhover()
        plot = self.getPlotItem()
        if plane is not None:
            plot.setLabel("bottom", plane.labels[0])
            plot.setLabel("left", plane.labels[1])
        self.dots.set_points([], [], [], (0.0, 0.0))
        self.contrib.setPath(QPainterPath())
        for item in self.arrows.values():
            _place(item, None)
        _place([self.ellipse], None)
        self.scale = None

    def set_landscape(self, landscape) -> None:
        self._landscape = landscape
        self._draw_image()
        x0, x1, y0, y1 = landscape.view
        self.getPlotItem().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _draw_image(self) -> None:
        """The heatmap as a pixmap: value v ↦ colour map((v − low) / (high − low)), pixel
        (i, j) centred on (xs[j], ys[i]); Qt rescales it smoothly, and only when zoomed."""
        land = self._landscape
        if land is None:
            return
        data = land.raw if (self.show_raw and land.raw is not None) else land.J
        lines = (land.contours or {}).get("raw" if data is land.raw else "J", ([], []))
        lo, hi = self.levels = show_heatmap(self.image, self.cmap, land.xs, land.ys, data)
        self.colorbar.setLevels((lo, hi))
        self.colorbar.axis.setLabel("f(x) (unsmoothed)" if self.show_raw else "J(θ) = E[f(x)]")
        style.fit_tick_labels(self.colorbar.axis, lo, hi)
        self.contours.setPath(segments_path(*lines))

    def set_show_raw(self, on: bool) -> None:
        self.show_raw = on
        self._draw_image()

    def set_show_contributions(self, on: bool) -> None:
        self.show_contributions = on
        self.contrib.setVisible(on)
        if self._record is not None:
            self.show_record(self._record)

    def show_path(self, xs: np.ndarray, ys: np.ndarray) -> None:
        xs, ys = simplify(xs, ys, pixel_radius(self.getPlotItem(), PATH_CELL_PIXELS))
        if len(xs) > MAX_PATH_DRAWN:   # a wide pen: keep the stroke cheap (native.polyline_path)
            stride = -(-len(xs) // MAX_PATH_DRAWN)
            xs, ys = np.append(xs[:-1:stride], xs[-1]), np.append(ys[:-1:stride], ys[-1])
        path = polyline_path(xs, ys)
        self.trajectory.setPath(path)
        self.trajectory_shadow.setPath(path)

    def _discs(self, x, y, pixels: float, sides: int = 12):
        return discs_path(x, y, pixel_radius(self.getPlotItem(), pixels), sides)

    def set_slow_motion(self, on: bool) -> None:
        """Show the newest batch sample by sample (next_sample), then its update, or all
        of it at once."""
        self.slow_motion = 1 if on else None
        if not on:
            self.player.stop()
            self._unhover()
        if self._record is not None:
            self.show_record(self._record)

    def next_sample(self) -> None:
        """In slow motion, show one sample more."""
        self._move_sample(1)

    def previous_sample(self) -> None:
        self._move_sample(-1)

    def _move_sample(self, delta: int) -> None:
        """Stages 1 … N show samples 1 … N; stage N + 1 the update."""
        if self.slow_motion is not None and self._record is not None:
            self.slow_motion = int(np.clip(self.slow_motion + delta, 1, len(self._record.rewards) + 1))
            self.show_record(self._record)

    def _slow_motion_changed(self) -> None:
        if self.slow_motion is not None and self._record is not None:
            self.show_record(self._record)

    def _slow_motion_done(self) -> bool:
        return (self.slow_motion is None or self._record is None
                or self.slow_motion > len(self._record.rewards))

    def show_record(self, record) -> None:
        """Samples, arrows and ellipse for the newest step (replica 0); in slow motion, its
        first samples only, the newest of them highlighted."""
        if record is not self._record and self.slow_motion is not None:
            self.slow_motion = 1            # a new batch starts again from its first sample
        self._record = record
        n = len(record.rewards)
        playing = f"playing at {self.player.pace:g}/s, P pauses" if self.player.playing else \
            ". next, , back, P plays"
        if self.slow_motion is not None and record.contributions is not None and self.slow_motion <= n:
            k = self.slow_motion
            self._show(first_samples(record, k, self.plane),
                       f"  ·  slow motion: sample {k} of {n} ({playing})", moved=False)
            self._hovered = k - 1
            self._show_hover(k - 1)
        elif self.slow_motion is not None:
            self._unhover()
            note = ("no step yet: → takes it" if record.preview else "→ takes the next step")
            self._show(record, f"  ·  slow motion: the update θ ← θ + α ĝ, α = {record.lr:g} "
                               f"({note})", moved=True, update=not record.preview)
        else:
            self._show(record, "")

    def _show(self, record, note: str, moved: bool = True, update: bool = False) -> None:
        """The record drawn: arrows from θ_t, the θ marker at θ_{t+1} (``moved``) or at θ_t,
        and (``update``) the move θ_t → θ_{t+1} drawn as a dashed line."""
        theta = record.theta_next[0]
        plane = self.plane
        origin = np.array(plane.point(theta))
        here = np.array(plane.point(record.theta[0]))
        self.update_step.setPath(segments_path([here[0], origin[0]], [here[1], origin[1]])
                                 if update else QPainterPath())
        exact = plane.vectors(record.grad[0])[0]
        estimate = plane.vectors(record.estimate[0])[0]
        self._update_scale(exact, estimate)
        terms = contribution_terms(record)
        self.legend.set_text(self.contribution_row, f"each {terms} (• tip)" if terms else
                             "no samples (exact estimator)")
        s = self.scale
        for name, vector in (("exact", exact), ("estimate", estimate)):
            _place(self.arrows[name], similarity(here, s * vector))
        self.marker.move_to(*(origin if moved else here))
        density = record.density
        self.legend.set_shown(self.density_row, density is not None)
        for k, ring in enumerate(self.density, start=1):   # k σ: the 2-s.d. map at scale k/2
            _place([ring], None if density is None else _ellipse_transform(density[0], density[1], k / 2))
        title = (f"arrows drawn at {s:g} × gradient" + ("  (small now: A fits them)" if self.arrows_small else "")
                 + self.title_note + note)
        contributions = record.contributions
        n = len(record.rewards)
        drawn = min(n, MAX_DRAWN)
        pixel = self.viewbox.viewPixelSize()
        self.arrows_drawn = self.dots_drawn = self.tips_in_view = 0
        in_view = np.empty((0, 2))   # the tips inside the view
        if contributions is not None and self.show_contributions:
            # far-off tips only cost (Qt clips huge paths polygon by polygon): shorten
            # arrows to end off-screen, drop tips outside the view
            (x0, x1), (y0, y1) = self.viewRange()
            centre, half = np.array([x0 + x1, y0 + y1]) / 2, np.array([x1 - x0, y1 - y0]) / 2
            reach = 2 * (math.hypot(*(here - centre)) + 2 * math.hypot(*half))
            vectors, lengths = clamp_length(s * plane.vectors(contributions[:drawn]),
                                            reach)
            tips = here + vectors
            seen = (np.abs(tips - centre) <= half).all(axis=1)
            mean_length = float(lengths.mean()) / max(pixel[0], 1e-12)
            # a 1-2-5 count keeps the title (rich text, costly to lay out) still
            arrows = int(min(drawn, max(MIN_ARROWS, nice_below(ARROW_PIXELS / max(mean_length, 1.0)))))
            x, y = arrow_segments(here, vectors[:arrows])
            self.contrib.setPath(segments_path(x, y))
            in_view = tips[seen]
            self.arrows_drawn, self.dots_drawn, self.tips_in_view = arrows, drawn, len(in_view)
            if arrows < n:
                title += f"  ·  arrows for {arrows:,}, dots for {drawn:,} of {n:,} samples"
            cov = record.plane_covariance
            tip = here + s * estimate   # the ellipse is centred on the estimate's arrow tip
            _place([self.ellipse], None if cov is None else _ellipse_transform(tip, cov, s))
        else:
            self.contrib.setPath(QPainterPath())
            _place([self.ellipse], None)
            if n > drawn:
                title += f"  ·  showing {drawn:,} of {n:,} samples"
        samples, styles = np.empty((0, 2)), np.empty(0, dtype=np.uint8)
        if plane.samples_live_here and record.samples is not None:
            samples, styles = self._sample_dots(record.samples[:drawn], record.rewards[:drawn])
        dots = np.concatenate((in_view, samples))   # the tips under the samples
        self.dots.set_points(dots[:, 0], dots[:, 1],
                             np.concatenate((np.zeros(len(in_view), dtype=np.uint8), styles)), pixel)
        set_title(self.getPlotItem(), title, size="10pt")
        if self._hovered is not None:
            self._show_hover(self._hovered)

    def fit_arrows(self) -> None:
        """Choose the arrows' scale afresh at the next frame (the user asked: key A)."""
        self.scale = None
        if self._record is not None:
            self.show_record(self._record)

    def _update_scale(self, exact, estimate) -> None:
        """One 1-2-5 scale for all arrows, sized by max(‖∇J‖, RMS of recent ‖ĝ‖) so that
        one noisy estimate does not blow it up.  It is chosen at the start of a run and when
        the user asks (fit_arrows); after that it only shrinks, when that size passes 1/2.5
        of the view.  It never grows by itself: a gradient that vanishes (an optimum, a
        collapsing σ) is seen to shrink, not hidden by a larger scale."""
        (x0, x1), _ = self.viewRange()
        span = x1 - x0
        square = float(estimate[0]) ** 2 + float(estimate[1]) ** 2
        self._mean_square = square if self.scale is None else 0.9 * self._mean_square + 0.1 * square
        size = max(math.hypot(float(exact[0]), float(exact[1])), math.sqrt(self._mean_square), 1e-12)
        self.arrows_small = False
        if self.scale is None or self.scale * size > span / 2.5:
            self.scale = nice_above(span / 6 / size)
        elif self.scale * size < span / 20:
            self.arrows_small = True

    def _sample_dots(self, points, rewards) -> tuple[np.ndarray, np.ndarray]:
        """The samples' dots, coloured by f(x) on the landscape's colour scale in
        SAMPLE_COLOURS bins (the dots' styles 1, 2, …), the highest last (on top):
        (points (n, 2), styles (n,))."""
        lo, hi = self.levels if self.levels is not None else (0.0, 1.0)
        # fmax/fmin clip to [0, 1] and send NaN to 0; small unsigned keys sort by radix
        level = np.fmin(np.fmax((rewards - lo) * ((SAMPLE_COLOURS - 1) / (hi - lo)), 0.0),
                        SAMPLE_COLOURS - 1)
        index = np.rint(level).astype(np.uint8)
        self._samples = np.asarray(points[:, :2], dtype=float)
        order = np.argsort(index, kind="stable")
        return self._samples[order], index[order] + np.uint8(1)

    # --- hover -------------------------------------------------------------------------------

    def _mouse_moved(self, scene_pos) -> None:
        """Hover the drawn sample nearest the mouse, if it is within HOVER_PIXELS."""
        samples = self._samples
        if samples is None or len(samples) == 0 or not self.viewbox.sceneBoundingRect().contains(scene_pos):
            self._unhover()
            return
        p = self.viewbox.mapSceneToView(scene_pos)
        pixel_x, pixel_y = self.viewbox.viewPixelSize()
        distance = np.hypot((samples[:, 0] - p.x()) / pixel_x, (samples[:, 1] - p.y()) / pixel_y)
        i = int(np.argmin(distance))
        if distance[i] > HOVER_PIXELS:
            self._unhover()
        elif i != self._hovered:
            self._hovered = i
            self._show_hover(i)

    def _unhover(self) -> None:
        if self._hovered is None:
            return
        self._hovered = None
        self.highlight.setPath(QPainterPath())
        self.score_arrow.setPath(QPainterPath())
        self.hover_dot.setPath(QPainterPath())
        self.hover_text.hide()

    def _show_hover(self, i: int) -> None:
        record = self._record
        if (record is None or record.samples is None or self.scale is None
                or i >= len(record.rewards)):
            return
        x, f = record.samples[i], record.rewards[i]
        lines = [f"x = ({x[0]:.3f}, {x[1]:.3f})", f"f(x) = {f:.4g}"]
        here = np.array(self.plane.point(record.theta[0]))
        if record.scores is not None:
            g = record.scores[i]
            lines.append("∇log p = (" + ", ".join(f"{v:.3g}" for v in g) + ")  (dashed)")
            (x0, x1), _ = self.viewRange()          # at the arrows' scale, but within reach
            vector, _ = clamp_length(self.scale * self.plane.vectors(g), 0.3 * (x1 - x0))
            self.score_arrow.setPath(segments_path(*arrow_segments(here, vector[0])))
        self.hover_dot.setPath(self._discs([x[0]], [x[1]], HOVER_HALO_PIXELS, 24))
        if record.contributions is not None:
            c = record.contributions[i]
            lines.append("contribution = (" + ", ".join(f"{v:.3g}" for v in c) + ")  (solid)")
            self.highlight.setPath(segments_path(
                *arrow_segments(here, self.scale * self.plane.vectors(c)[0])))
        self.hover_text.setText("\n".join(lines))
        self.hover_text.setPos(QPointF(float(x[0]), float(x[1])))
        self.hover_text.show()
