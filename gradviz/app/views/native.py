"""Plot parts that Qt paints in C++, so the engine thread keeps stepping while a plot draws.

The engine thread and the GUI thread share Python's GIL.  PySide6 keeps the GIL for the whole
of any C++ call made from Python: a pyqtgraph item paints itself in Python, so it holds the
GIL while Qt rasterises it, and so does a Python ``paintEvent`` for everything under it.
A plain ``QGraphicsPathItem`` or ``QGraphicsPixmapItem`` in a view with no Python
``paintEvent`` is painted by Qt alone, with the GIL free.  Measured here (benchmarks/app.py):
a spinning Python thread kept 75–100 % of its speed while such a view painted, 25 % while a
pyqtgraph one did.

Each update (``setPath``) releases and re-takes the GIL; the app shortens Python's switch
interval (worker.SWITCH_INTERVAL) so that re-taking it costs ≤ 1 ms, not 5 ms.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsView


class _PrepareForPaint(QObject):
    """pyqtgraph applies range changes and auto-ranging in ``scene.prepareForPaint()``, which
    its Python ``paintEvent`` calls; this event filter calls it just before Qt delivers each
    paint event, then lets Qt paint on its own."""

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Paint:
            self.parent().scene().prepareForPaint()
        return False


class NativePaint:
    """Mixin for pyqtgraph's GraphicsView widgets: Qt's own paintEvent, so painting starts
    in C++ without the GIL (the Python items in the scene take it only for themselves)."""

    paintEvent = QGraphicsView.paintEvent

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare = _PrepareForPaint(self)
        self.viewport().installEventFilter(self._prepare)


class NativePlotWidget(NativePaint, pg.PlotWidget):
    def __init__(self, parent=None, **kwargs):
        super().__init__(parent, **kwargs)
        cache_axes(self.getPlotItem())


class NativeLayoutWidget(NativePaint, pg.GraphicsLayoutWidget):
    def add_plot(self, row: int, col: int) -> pg.PlotItem:
        plot = self.addPlot(row=row, col=col)
        cache_axes(plot)
        return plot


def cache_axes(plot: pg.PlotItem) -> None:
    """Axes change only with the range: Qt keeps each as a pixmap and blits it, instead of
    calling its Python paint every frame."""
    for name in ("left", "bottom", "right", "top"):
        plot.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)


def qpen(colour: str, width: float, alpha: int = 255, style=Qt.SolidLine,
         cap=Qt.RoundCap) -> QPen:
    """A cosmetic pen (``width`` in pixels at any zoom)."""
    c = QColor(colour)
    c.setAlpha(alpha)
    pen = QPen(c)
    pen.setWidthF(width)
    pen.setCosmetic(True)
    pen.setStyle(style)
    pen.setCapStyle(cap)
    pen.setJoinStyle(Qt.RoundJoin)
    return pen


def path_item(plot: pg.PlotItem, pen: QPen, z: float = 0.0) -> QGraphicsPathItem:
    """An empty path item in ``plot``'s data coordinates."""
    item = QGraphicsPathItem()
    item.setPen(pen)
    plot.getViewBox().addItem(item, ignoreBounds=True)
    item.setZValue(z)   # after addItem, which lifts items below the ViewBox
    return item


def legend_proxy(pen: QPen, **symbol) -> pg.PlotDataItem:
    """A never-drawn pyqtgraph item whose only use is a legend sample of ``pen`` (and of a
    symbol: pyqtgraph's symbol, symbolBrush, … options)."""
    return pg.PlotDataItem(pen=pen, **symbol)


def _finite_pairs(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    keep = keep[0::2] & keep[1::2]
    return x.reshape(-1, 2)[keep].ravel(), y.reshape(-1, 2)[keep].ravel()


def segments_path(x, y) -> QPainterPath:
    """Separate segments (x[0],y[0])–(x[1],y[1]), (x[2],y[2])–(x[3],y[3]), …"""
    x, y = _finite_pairs(x, y)
    if len(x) == 0:
        return QPainterPath()
    return pg.arrayToQPath(x, y, connect="pairs")


def polyline_path(x, y) -> QPainterPath:
    """A polyline through the finite points.

    Cost is the catch: Qt's software rasteriser strokes a pen wider than 1 px by filling
    the outline of the whole path, which for a noisy curve is a polygon full of
    self-intersections.  Measured on 2,000 noisy points: 3 ms at 1 px, 820 ms at 2.5 px.
    So noisy curves get 1 px pens, and wide pens only short or smooth curves (≲ 500 points)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 2:
        return QPainterPath()
    return pg.arrayToQPath(x[keep], y[keep], connect="all")


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


def discs_path(x, y, radius: tuple[float, float], sides: int = 12) -> QPainterPath:
    """A filled disc (a ``sides``-gon) at each point; ``radius`` = (rx, ry) in data units,
    so that a view can pass its pixel size times a radius in pixels.  Filling polygons is
    several times cheaper for Qt's software rasteriser than stroking round-capped dots."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) == 0:
        return QPainterPath()
    angle = np.linspace(0, 2 * np.pi, sides + 1)
    xs = (x[:, None] + radius[0] * np.cos(angle)).ravel()
    ys = (y[:, None] + radius[1] * np.sin(angle)).ravel()
    connect = np.ones(len(xs), dtype=np.int32)
    connect[sides::sides + 1] = 0          # no line from one disc to the next
    path = pg.arrayToQPath(xs, ys, connect=connect)
    path.setFillRule(Qt.WindingFill)       # overlapping discs add up instead of cancelling
    return path


def disc_item(plot: pg.PlotItem, colour: str, alpha: int = 255, z: float = 0.0) -> QGraphicsPathItem:
    """A path item that fills (discs_path) and draws no outline."""
    item = path_item(plot, QPen(Qt.NoPen), z)
    c = QColor(colour)
    c.setAlpha(alpha)
    item.setBrush(c)
    return item


def pixel_radius(plot: pg.PlotItem, pixels: float) -> tuple[float, float]:
    """``pixels`` in data units along x and y of ``plot``'s view."""
    px, py = plot.getViewBox().viewPixelSize()
    return pixels * px, pixels * py


def set_title(plot: pg.PlotItem, text: str, size: str = "9pt") -> None:
    """Set the title only when it changes: laying out rich text costs more than most curves."""
    if getattr(plot, "_gradviz_title", None) != (text, size):
        plot._gradviz_title = (text, size)
        plot.setTitle(text, size=size)


def polygon_path(x, y) -> QPainterPath:
    """One closed polygon through the points (for filled areas)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 3:
        return QPainterPath()
    path = pg.arrayToQPath(x[keep], y[keep], connect="all")
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
