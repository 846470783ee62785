"""Plot parts that Qt paints in C++, so the engine thread keeps stepping while a plot draws.

The engine thread and the GUI thread share Python's GIL.  PySide6 keeps the GIL through
most C++ calls made from Python: with a numpy thread competing, it got almost no time while
the GUI thread called ``setPath``, ``setPos`` or ``QPainter.drawPath`` in a loop, and all of
it during calls to virtual methods such as ``boundingRect`` (measured here).  So a
pyqtgraph item, which paints itself in Python, holds the GIL while Qt rasterises it, and
so does a Python ``paintEvent`` for everything under it.  A plain ``QGraphicsPathItem`` or
``QGraphicsPixmapItem`` in a view with no Python ``paintEvent`` is painted by Qt alone,
with the GIL free; each Python method Qt still calls while painting (an item's
``boundingRect`` or ``paint``) waits for the engine thread to hand the GIL over, which is
why axes are shown as pictures of themselves (AxisPicture) and view boxes and containers
are flagged as having no contents (quiet_scene).

The app shortens Python's switch interval (worker.SWITCH_INTERVAL), so a thread waiting
for the GIL gets it within 1 ms rather than 5 ms.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPixmap, QTransform
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsPathItem, QGraphicsPixmapItem,
                               QGraphicsScene, QGraphicsView, QGraphicsWidget,
                               QStyleOptionGraphicsItem, QWidget)

from .. import style as app_style


class _PrepareForPaint(QObject):
    """pyqtgraph applies range changes and auto-ranging in ``scene.prepareForPaint()``, which
    its Python ``paintEvent`` calls; this event filter prepares the view (NativePaint.prepare)
    just before Qt delivers each paint event, then lets Qt paint on its own."""

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Paint:
            self.parent().prepare()
        return False


class NativeViewBox(pg.ViewBox):
    """A ViewBox whose outline Qt reads in C++.

    A view box clips its items to its ``shape()``, and Qt asks for it (and for the
    ``boundingRect()`` that bounds its items' updates) on every repaint of a changed item:
    pyqtgraph answers both in Python, so each frame of a live plot waited twice for the
    engine thread to hand over the GIL.  QGraphicsWidget's own answers, the widget's
    rectangle, are the same but for the half pixel pyqtgraph adds for a border, which
    these plots do not draw."""

    boundingRect = QGraphicsWidget.boundingRect
    shape = QGraphicsWidget.shape


class NativePaint:
    """Mixin for pyqtgraph's GraphicsView widgets: Qt's own paintEvent, so painting starts
    in C++ without the GIL (the Python items in the scene take it only for themselves)."""

    paintEvent = QGraphicsView.paintEvent

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # items move every frame: keeping Qt's BSP index of them up to date costs more
        # (12 % of a landscape frame) than searching ~100 items when the mouse moves
        self.scene().setItemIndexMethod(QGraphicsScene.NoIndex)
        self.axis_pictures: list[AxisPicture] = []
        self.viewboxes: list[pg.ViewBox] = []
        self._prepared_ratio = None
        self._prepare = _PrepareForPaint(self)
        self.prepare_on_paint(True)

    def showEvent(self, event):
        # by now the view has built its items
        self.axis_pictures += quiet_scene(self.scene())
        self.viewboxes = [item for item in self.scene().items() if isinstance(item, pg.ViewBox)]
        super().showEvent(event)

    def prepare(self) -> None:
        """What must happen before a paint: pyqtgraph's deferred range and auto-range
        changes, and the axes' pictures brought up to date."""
        self.scene().prepareForPaint()
        # what every axis's picture depends on besides the axis itself
        placement = (self.viewportTransform(), self.devicePixelRatioF())
        self._prepared_ratio = placement[1]
        for picture in self.axis_pictures:
            picture.refresh(placement)

    def needs_prepare(self) -> bool:
        """Whether a paint now would need :meth:`prepare` first: a view box has deferred a
        range change or auto-range (pyqtgraph's flags; True if they are ever renamed), an
        axis has dropped its picture, or the pixel ratio changed.  Flags and one Qt getter per
        axis: 1-4 µs a view, measured warm."""
        return (any(getattr(box, "_matrixNeedsUpdate", True)
                    or getattr(box, "_autoRangeNeedsUpdate", True) for box in self.viewboxes)
                or any(picture.stale() for picture in self.axis_pictures)
                or self.devicePixelRatioF() != self._prepared_ratio)

    def prepare_on_paint(self, on: bool) -> None:
        """Prepare before every paint event (the default), or not: then the caller prepares
        the view after each change and checks it (:meth:`needs_prepare`) once a frame.  Each
        paint's Python hook waits for the GIL, and its first Python runs on caches the
        engine thread has just used: 0.2 ms a paint, 0.6 % of the engine's steps at 31
        landscape frames a second."""
        self.prepares_on_paint = on
        if on:
            self.viewport().installEventFilter(self._prepare)
        else:
            self.viewport().removeEventFilter(self._prepare)


class AxisPicture(QGraphicsPixmapItem):
    """A pyqtgraph axis shown as a picture of itself, which Qt paints without Python.

    An AxisItem paints in Python, and Qt asks for its Python ``boundingRect`` several times
    a repaint.  Flagged ItemHasNoContents, the axis is no longer asked; this child item shows
    what it paints, redrawn by the axis's own ``paint`` only when pyqtgraph has dropped the
    axis's picture (its range, size or style changed) or the pixel ratio changed.  Exports
    draw the axis itself (:func:`live_axes`, and pyqtgraph's exporters through the axis's
    ``setExportMode``), so that a 2× PNG or an SVG stays sharp."""

    def __init__(self, axis: pg.AxisItem):
        super().__init__(axis)
        self.axis = axis
        self._key = None
        self._drawn = None   # (the axis's QPicture, its scene position, view placement) drawn
        axis.setCacheMode(QGraphicsItem.NoCache)
        # pyqtgraph calls the axis's update() (from Python) after each change: with no
        # contents the axis repaints nothing, so let that repaint this picture instead
        axis.update = lambda *_: self.update()
        # pyqtgraph's own exporters (the plots' right-click menu) announce themselves to
        # each item: the axis then paints itself, at the export's resolution
        export_mode = axis.setExportMode

        def set_export_mode(export, opts=None):
            export_mode(export, opts)
            self.set_live(export)

        axis.setExportMode = set_export_mode
        self.set_live(False)

    def set_live(self, live: bool) -> None:
        """Paint the axis itself (True) or this picture of it (False)."""
        self.axis.setFlag(QGraphicsItem.ItemHasNoContents, not live)
        self.setVisible(not live)

    def stale(self) -> bool:
        """pyqtgraph has dropped or replaced the axis's picture since this one was drawn."""
        return self.isVisible() and (self._drawn is None or self.axis.picture is not self._drawn[0])

    def refresh(self, placement: tuple) -> None:
        """Redraw the picture if the axis changed; drawn to land on whole device pixels
        where the axis itself would, so that it matches the axis pixel for pixel.
        ``placement`` is its view's (viewport transform, device pixel ratio)."""
        axis = self.axis
        if not (self.isVisible() and axis.isVisible()):
            return
        # pyqtgraph replaces the axis's QPicture whenever its range, size, ticks or style
        # change: the same picture at the same place needs no work (the usual frame; the
        # full check below asks the axis for its Python boundingRect)
        drawn = (axis.picture, axis.scenePos(), placement)
        if axis.picture is not None and drawn == self._drawn:
            return
        transform, ratio = placement
        origin = transform.map(drawn[1]) * ratio   # the axis's scene position, in device pixels
        shift = QPointF(origin.x() % 1.0, origin.y() % 1.0) / ratio
        # pyqtgraph draws its axis line up to a pixel outside the axis's bounding rectangle
        rect = QRectF(axis.boundingRect().toAlignedRect().adjusted(-2, -2, 2, 2))
        key = (rect.getRect(), shift.x(), shift.y(), ratio)
        if axis.picture is not None and key == self._key:
            self._drawn = drawn
            return
        self._key = key
        image = QPixmap(math.ceil(rect.width() * ratio), math.ceil(rect.height() * ratio))
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.transparent)
        offset = rect.topLeft() - shift
        painter = QPainter(image)
        try:
            painter.translate(-offset)
            axis.paint(painter, QStyleOptionGraphicsItem(), None)
        finally:
            painter.end()
        self.setOffset(offset)
        self.setPixmap(image)
        self._drawn = (axis.picture, drawn[1], placement)   # the picture the paint made


@contextmanager
def live_axes(widget: QWidget):
    """Within this block the axes of every plot in ``widget`` paint themselves, with every
    deferred range change applied (exports)."""
    views = ([widget] if isinstance(widget, NativePaint) else []) + [
        view for view in widget.findChildren(QGraphicsView) if isinstance(view, NativePaint)]
    pictures = [picture for view in views for picture in view.axis_pictures]
    for view in views:      # a render is not a paint event: apply deferred range changes now
        view.scene().prepareForPaint()
    for picture in pictures:
        picture.set_live(True)
    try:
        yield
    finally:
        for picture in pictures:
            picture.set_live(False)


# pyqtgraph containers that paint nothing themselves (their children paint)
_CONTAINERS = (pg.PlotItem, pg.GraphicsLayout, pg.LabelItem)


def quiet_scene(scene) -> list[AxisPicture]:
    """Keep Python out of each repaint; returns the axis pictures it made.

    Every item with contents costs a Python ``boundingRect`` (and maybe ``paint``) call per
    repaint, and each such call waits for the engine thread to hand over the GIL.
    Containers that draw nothing, and view boxes without a border (whose ``paint`` draws
    only that), are flagged ItemHasNoContents, so Qt skips them (their children still
    paint).  Axes, grid lines included, are shown as pictures of themselves (AxisPicture)."""
    pictures = []
    for item in scene.items():
        if isinstance(item, _CONTAINERS) or (isinstance(item, pg.ViewBox)
                                              and item.border.style() == Qt.NoPen):
            item.setFlag(QGraphicsItem.ItemHasNoContents)
        elif isinstance(item, pg.AxisItem):
            if not any(isinstance(child, AxisPicture) for child in item.childItems()):
                pictures.append(AxisPicture(item))
    return pictures


class NativePlotWidget(NativePaint, pg.PlotWidget):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("viewBox", NativeViewBox())
        super().__init__(*args, **kwargs)


class NativeLayoutWidget(NativePaint, pg.GraphicsLayoutWidget):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # pyqtgraph binds addPlot to the layout on each instance, so replace it there
        self.addPlot = self._add_native_plot

    def _add_native_plot(self, *args, **kwargs) -> pg.PlotItem:
        """The layout's addPlot, with a NativeViewBox unless one is given."""
        kwargs.setdefault("viewBox", NativeViewBox())
        return self.ci.addPlot(*args, **kwargs)


def qpen(colour: str, width: float, alpha: int = 255, style=Qt.SolidLine,
         cap=Qt.RoundCap, crowd: bool = False) -> QPen:
    """A cosmetic pen (``width`` in pixels at any zoom).

    A 1 px pen is made a hairline (width 0), which looks the same: for any other width a
    ``QGraphicsPathItem`` finds its bounding rectangle by stroking the whole path, every
    time the path is set (29 % of the GUI thread's time with 1,000 arrows and 1 px pens).
    The UI scale widens it (style.line_width) unless it draws a ``crowd``."""
    c = QColor(colour)
    c.setAlpha(alpha)
    pen = QPen(c)
    if not crowd:       # a crowd of thousands of lines (episodes) keeps them fine: fast
        width = app_style.line_width(width)
    pen.setWidthF(0.0 if width <= 1 else width)
    pen.setCosmetic(True)
    pen.setStyle(style)
    pen.setCapStyle(cap)
    pen.setJoinStyle(Qt.RoundJoin)
    return pen


def add_item(plot: pg.PlotItem, item: QGraphicsItem, z: float = 0.0) -> QGraphicsItem:
    """``item`` placed in ``plot``'s data coordinates at depth ``z`` (not in auto-range)."""
    plot.getViewBox().addItem(item, ignoreBounds=True)
    item.setZValue(z)   # after addItem, which lifts items below the ViewBox
    return item


def path_item(plot: pg.PlotItem, pen: QPen, z: float = 0.0) -> QGraphicsPathItem:
    """An empty path item in ``plot``'s data coordinates."""
    item = QGraphicsPathItem()
    item.setPen(pen)
    return add_item(plot, item, z)


def finite_mask(x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Where both x and y are finite, or None when all are: one pass over the data in the
    usual case (a sum is finite only if every term is, barring overflow, which only sends
    the check down the full path)."""
    if np.isfinite(x.sum() + y.sum()):
        return None
    return np.isfinite(x) & np.isfinite(y)


def _finite_pairs(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = finite_mask(x, y)
    if keep is None:
        return x, y
    keep = keep[0::2] & keep[1::2]
    return x.reshape(-1, 2)[keep].ravel(), y.reshape(-1, 2)[keep].ravel()


def points_path(x: np.ndarray, y: np.ndarray, move: np.ndarray) -> QPainterPath:
    """A path through the points (x[i], y[i]), all finite: a line from each point to the
    next, except where ``move[i]`` starts a new subpath at point i (move[0] always does)."""
    if len(x) == 0:
        return QPainterPath()
    connect = np.ones(len(x), dtype=np.int32)
    connect[:-1] = ~np.asarray(move[1:], dtype=bool)   # connect[i] joins point i to i + 1
    return pg.arrayToQPath(np.asarray(x, dtype=float), np.asarray(y, dtype=float),
                           connect=connect, finiteCheck=False)


def segments_path(x, y) -> QPainterPath:
    """Separate segments (x[0],y[0])–(x[1],y[1]), (x[2],y[2])–(x[3],y[3]), …"""
    x, y = _finite_pairs(x, y)
    move = np.zeros(len(x), dtype=bool)
    move[0::2] = True
    return points_path(x, y, move)


def similarity(origin, vector) -> QTransform | None:
    """The map u ↦ origin + [[v₁, −v₂], [v₂, v₁]] u: a rotation and scaling that takes (1, 0)
    to ``vector`` (v₁, v₂) and puts (0, 0) at ``origin``.  It carries a shape drawn along the
    unit x axis (an arrow) onto ``vector``, its proportions kept.  None when the vector is
    zero or not finite (no invertible map)."""
    v1, v2 = float(vector[0]), float(vector[1])
    if not (v1 * v1 + v2 * v2 > 0 and math.isfinite(v1) and math.isfinite(v2)):
        return None
    return QTransform(v1, v2, -v2, v1, float(origin[0]), float(origin[1]))


def polyline_path(x, y) -> QPainterPath:
    """A polyline through the finite points.

    Cost is the catch: Qt's software rasteriser strokes a pen wider than 1 px by filling
    the outline of the whole path, which for a noisy curve is a polygon full of
    self-intersections.  Measured on 2,000 noisy points: 3 ms at 1 px, 820 ms at 2.5 px.
    So noisy curves get 1 px pens, and wide pens only short or smooth curves (≲ 500 points)."""
    return _connected(x, y, least=2)


def finite_points(x, y) -> tuple[np.ndarray, np.ndarray]:
    """x, y as float arrays without the points where either is NaN or infinite (one pass
    over the data when all are finite, the usual case)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = finite_mask(x, y)
    return (x, y) if keep is None else (x[keep], y[keep])


def _connected(x, y, least: int) -> QPainterPath:
    """One subpath through the finite points (empty if fewer than ``least``)."""
    x, y = finite_points(x, y)
    return points_path(x, y, np.zeros(len(x), dtype=bool)) if len(x) >= least else QPainterPath()


def simplify(x, y, cell: tuple[float, float]):
    """Drop points that fall in the same ``cell`` (w, h: a pixel or two in data units) as
    the point before them: the same picture, and a settled path shrinks to a few points."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3:
        return x, y
    gx, gy = np.floor(x / cell[0]), np.floor(y / cell[1])
    keep = np.ones(len(x), dtype=bool)
    keep[1:] = (np.diff(gx) != 0) | (np.diff(gy) != 0)
    keep[-1] = True
    return x[keep], y[keep]


def disc_outlines(x, y, radius: tuple[float, float], sides: int = 12):
    """Vertices (n, sides + 1) of a closed ``sides``-gon around each finite point (x, y);
    ``radius`` = (rx, ry) in data units (a view's pixel size times a radius in pixels)."""
    x, y = finite_points(x, y)
    angle = np.linspace(0, 2 * np.pi, sides + 1)
    return (x[:, None] + radius[0] * np.cos(angle)), (y[:, None] + radius[1] * np.sin(angle))


def outlines_path(xs: np.ndarray, ys: np.ndarray) -> QPainterPath:
    """One path of closed outlines, a row of ``xs``, ``ys`` each, to be filled (overlaps
    add up instead of cancelling).  Filling polygons is several times cheaper for Qt's
    software rasteriser than stroking round-capped dots."""
    move = np.zeros(xs.shape, dtype=bool)
    move[:, 0] = True           # no line from one outline to the next
    path = points_path(xs.ravel(), ys.ravel(), move.ravel())
    path.setFillRule(Qt.WindingFill)
    return path


def discs_path(x, y, radius: tuple[float, float], sides: int = 12) -> QPainterPath:
    """A filled disc (a ``sides``-gon) at each point (see disc_outlines)."""
    return outlines_path(*disc_outlines(x, y, radius, sides))


def disc_item(plot: pg.PlotItem, colour: str, alpha: int = 255, z: float = 0.0) -> QGraphicsPathItem:
    """A path item that fills (discs_path) and draws no outline."""
    item = path_item(plot, QPen(Qt.NoPen), z)
    c = QColor(colour)
    c.setAlpha(alpha)
    item.setBrush(c)
    return item


class Marker:
    """A dot of fixed pixel size at a moving point: a dark rim under a white disc, built
    about (0, 0) once per zoom level and moved with setPos (no path built per frame)."""

    def __init__(self, plot: pg.PlotItem, rim_colour: str, radii: tuple[float, float], z: float):
        self.plot, self.radii, self._unit = plot, radii, None
        self.items = (disc_item(plot, rim_colour, z=z), disc_item(plot, "#FFFFFF", z=z + 1))

    def move_to(self, x: float, y: float) -> None:
        unit = pixel_radius(self.plot, 1.0)
        if unit != self._unit:
            self._unit = unit
            for item, pixels in zip(self.items, self.radii):
                item.setPath(discs_path([0.0], [0.0], (pixels * unit[0], pixels * unit[1]), 24))
        for item in self.items:
            item.setPos(float(x), float(y))


def pixel_radius(plot: pg.PlotItem, pixels: float) -> tuple[float, float]:
    """``pixels`` in data units along x and y of ``plot``'s view."""
    px, py = plot.getViewBox().viewPixelSize()
    return pixels * px, pixels * py


def picture_plot(plot: pg.PlotItem) -> None:
    """A plot that is a picture, not a chart: no axes, one unit as long across as up."""
    plot.hideAxis("bottom")
    plot.hideAxis("left")
    plot.setAspectLocked(True)


def set_title(plot: pg.PlotItem, text: str, size: str = "9pt") -> None:
    """Set the title only when it changes: laying out rich text costs more than most curves.

    The plot is laid out at once: left to Qt's next event, that asks the title for its
    Python ``sizeHint`` while the engine thread holds the GIL (a wait for each call)."""
    if getattr(plot, "_gradviz_title", None) != (text, size, app_style.TEXT_SCALE):
        plot._gradviz_title = (text, size, app_style.TEXT_SCALE)
        plot.setTitle(text, size=app_style.scaled_pt(size))
        fit_title(plot)
        plot.layout.activate()


def fit_title(plot: pg.PlotItem) -> None:
    """Give the title's row the height its text needs: pyqtgraph fixes it at 30 px, which
    cuts off a second line, or one line of large text (projector mode)."""
    height = max(30.0, plot.titleLabel.item.boundingRect().height())
    plot.titleLabel.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


def polygon_path(x, y) -> QPainterPath:
    """One closed polygon through the finite points (for filled areas)."""
    path = _connected(x, y, least=3)
    if not path.isEmpty():
        path.closeSubpath()
    return path


def band_path(x, low, high) -> QPainterPath:
    """The area between two curves over the same x (mean ± s.d. bands)."""
    x = np.asarray(x, dtype=float)
    return polygon_path(np.concatenate([x, x[::-1]]),
                        np.concatenate([np.asarray(high, float), np.asarray(low, float)[::-1]]))


def histogram_path(edges, counts) -> QPainterPath:
    """The outline of a histogram's bars from 0: edges (n + 1,), counts (n,)."""
    edges, counts = np.asarray(edges, dtype=float), np.asarray(counts, dtype=float)
    x = np.concatenate([[edges[0]], np.repeat(edges, 2)[1:-1], [edges[-1]]])
    y = np.concatenate([[0.0], np.repeat(counts, 2), [0.0]])
    return polygon_path(x, y)


def bars_path(centres, heights, width: float) -> QPainterPath:
    """Rectangles from 0 to each height, ``width`` wide, centred on each x."""
    path = QPainterPath()
    for x, h in zip(np.asarray(centres, float).tolist(), np.asarray(heights, float).tolist()):
        if np.isfinite(h):
            path.addRect(x - width / 2, min(0.0, h), width, abs(h))
    return path


def show_heatmap(item: QGraphicsPixmapItem, cmap, xs, ys, data) -> tuple[float, float]:
    """Show ``data`` [y, x] on the grid xs × ys as a pixmap in ``item``: value v ↦
    cmap((v − low)/(high − low)), pixel (i, j) centred on (xs[j], ys[i]); Qt rescales it
    smoothly, and only when zoomed.  Returns (low, high)."""
    lo, hi = float(np.nanmin(data)), float(np.nanmax(data))
    if not hi > lo:
        hi = lo + 1e-9
    level = np.nan_to_num((np.asarray(data, dtype=float) - lo) / (hi - lo))
    rgba = np.ascontiguousarray(cmap.map(level, mode="byte"), dtype=np.uint8)
    height, width = level.shape
    image = QImage(rgba.data, width, height, 4 * width, QImage.Format_RGBA8888).copy()
    item.setPixmap(QPixmap.fromImage(image))
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    item.setTransform(QTransform(dx, 0, 0, dy, xs[0] - dx / 2, ys[0] - dy / 2))
    return lo, hi
