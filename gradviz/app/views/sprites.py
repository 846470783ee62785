"""Many small dots of a few styles, drawn as copies of pre-drawn images.

The landscape draws up to 1,000 sample dots and 1,000 arrow tips every frame.  As filled
polygons they cost 3.4 ms of painting and 1.2 ms of path building a frame; as sprites
(``QPainter.drawPixmapFragments``: Qt copies one small image per point, in C++) the
frame's Python work is one numpy pass over the points, and painting is a fraction of that.
Both kinds of dot are one item: each item's Python ``paint`` waits for the engine thread
to hand over the GIL (twice: Qt lets go of it while it copies), and a second item cost the
engine 0.5 % of its steps.

The device positions are computed when the points are set (while the engine waits at the
draw gate), for the view's transform at that moment; ``paint`` recomputes them only if the
transform has changed since.  The dots are pre-drawn for the screen's device pixel ratio
(again when the window moves to a screen with another).  Anything that is not the screen
at that same transform (a PNG export at another width, an SVG) gets vector discs, so
exports stay sharp.
"""

from __future__ import annotations

import math

import numpy as np
from pyqtgraph.Qt import internals
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEngine, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsRectItem

from .native import discs_path, finite_mask

# PixmapFragment: x, y (centre), sourceLeft, sourceTop, width, height, scaleX, scaleY,
# rotation, opacity
_FIELDS = 10


class Sprites(QGraphicsRectItem):
    """Dots at data points (x, y), dot i in style kind[i]: ``colours[k]`` (a QColor, alpha
    included), ``radius`` pixels and an optional ``rim`` pen, each either one for every
    style or a list with one per style.  Dots are painted in the order given (vector
    exports paint them style by style: give overlapping dots in style order).

    A rectangle item only for its bounds: Qt asks an item for its bounding rectangle
    several times a frame, and QGraphicsRectItem answers in C++, where a Python
    ``boundingRect`` would wait for the engine thread's GIL each time.  Only ``paint`` is
    Python."""

    def __init__(self, colours: list[QColor], radius: float, rim: QPen | None = None,
                 ratio: float = 1.0):
        super().__init__()
        self.setPen(QPen(Qt.NoPen))   # the rectangle's own outline is never drawn
        n = len(colours)
        self.colours = colours
        self.radii = list(radius) if isinstance(radius, (list, tuple)) else [radius] * n
        self.rims = list(rim) if isinstance(rim, (list, tuple)) else [rim] * n
        self.count = 0
        self.x = self.y = np.empty(0)
        self.kind = np.empty(0, dtype=np.intp)
        self._pixel = (0.0, 0.0)
        self._transform = None
        self._fragments = internals.PrimitiveArray(QPainter.PixmapFragment, _FIELDS)
        self._atlas, self._cell = self._draw_atlas(ratio)

    def _draw_atlas(self, ratio: float) -> tuple[QPixmap, int]:
        """One dot per style side by side, drawn at ``ratio`` device pixels a pixel."""
        rim = max(r.widthF() if r is not None else 0.0 for r in self.rims)
        cell = math.ceil(2 * max(self.radii) + rim + 2)
        image = QImage(round(cell * ratio) * len(self.colours), round(cell * ratio),
                       QImage.Format_ARGB32_Premultiplied)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.scale(ratio, ratio)
        for k, colour in enumerate(self.colours):
            painter.setPen(self.rims[k] if self.rims[k] is not None else Qt.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(QPointF(k * cell + cell / 2, cell / 2), self.radii[k], self.radii[k])
        painter.end()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        return pixmap, cell

    # --- data ------------------------------------------------------------------------------

    def set_points(self, x, y, kind, pixel: tuple[float, float]) -> None:
        """Show a dot at each finite (x, y) in style ``kind``; ``pixel`` is the view's
        pixel size in data units (for the bounds and for exported discs).  Arrays given
        are kept, not copied, when all points are finite."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        kind = np.asarray(kind, dtype=np.intp)
        keep = finite_mask(x, y)
        if keep is not None:
            x, y, kind = x[keep], y[keep], kind[keep]
        self.x, self.y, self.kind = x, y, kind
        self.count = len(self.x)
        self._pixel = pixel
        if self.count:
            pad_x, pad_y = self._cell * pixel[0], self._cell * pixel[1]
            left, right = float(self.x.min()), float(self.x.max())
            low, high = float(self.y.min()), float(self.y.max())
            self.setRect(QRectF(left - pad_x, low - pad_y, right - left + 2 * pad_x,
                                high - low + 2 * pad_y))
        else:
            self.setRect(QRectF())
        views = self.scene().views() if self.scene() is not None else []
        if views and self.count:
            self._place(self.deviceTransform(views[0].viewportTransform()))
        else:
            self._transform = None
        self.update()

    def _place(self, transform) -> None:
        """Fragments at the device positions of the points under ``transform``:
        (u, v) = (m11 x + m21 y + m31, m12 x + m22 y + m32)."""
        n = self.count
        self._fragments.resize(n)
        f = self._fragments.ndarray()
        f[:, 0] = transform.m11() * self.x + transform.m21() * self.y + transform.m31()
        f[:, 1] = transform.m12() * self.x + transform.m22() * self.y + transform.m32()
        ratio = self._atlas.devicePixelRatio()
        size = round(self._cell * ratio)
        f[:, 2] = self.kind * size
        # sourceTop, width, height, scaleX, scaleY, rotation, opacity
        f[:, 3:] = (0.0, size, size, 1.0 / ratio, 1.0 / ratio, 0.0, 1.0)
        self._transform = transform

    # --- QGraphicsItem ---------------------------------------------------------------------

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not self.count:
            return
        if painter.paintEngine().type() != QPaintEngine.Raster:
            self._paint_vector(painter)   # an SVG
            return
        transform = painter.transform()
        if transform != self._transform:   # (the usual frame skips the checks below)
            if self._transform is not None and not _same_scale(transform, self._transform):
                self._paint_vector(painter)   # a PNG at another size than the screen
                return
            self._place(transform)         # scrolled or resized
        ratio = painter.device().devicePixelRatioF()
        if ratio != self._atlas.devicePixelRatio():   # the window moved to another screen
            self._atlas, _ = self._draw_atlas(ratio)
            self._place(transform)
        painter.save()
        painter.resetTransform()
        painter.drawPixmapFragments(*self._fragments.drawargs(), self._atlas)
        painter.restore()

    def _paint_vector(self, painter: QPainter) -> None:
        """Discs as paths in data coordinates: sharp at any export size."""
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        for k, colour in enumerate(self.colours):
            mine = self.kind == k
            if mine.any():
                painter.setPen(self.rims[k] if self.rims[k] is not None else Qt.NoPen)
                painter.setBrush(colour)
                radius = (self.radii[k] * self._pixel[0], self.radii[k] * self._pixel[1])
                painter.drawPath(discs_path(self.x[mine], self.y[mine], radius, 16))
        painter.restore()


def _same_scale(a, b) -> bool:
    """True if transforms ``a`` and ``b`` differ by a translation only (the view scrolled
    or the window was resized): the sprites are still the right size."""
    return (math.isclose(a.m11(), b.m11()) and math.isclose(a.m22(), b.m22())
            and math.isclose(a.m12(), b.m12()) and math.isclose(a.m21(), b.m21()))
