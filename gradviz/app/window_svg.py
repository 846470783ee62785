"""Plots and the whole window as SVG that every renderer draws as the screen does.

Qt's SVG generator writes SVG Tiny, which has no clipping, and draws the plots' cosmetic
pens under scaling transforms marked vector-effect="non-scaling-stroke", which librsvg
(GNOME's viewers, many converters) ignores; pyqtgraph 0.14's exporter clips, but draws
histograms as one block and loses curves on log axes.  So a plot is written by Qt with its
strokes baked to pixels (svg_strokes.py), unless its data reach past its view box (the
landscape's arrows and heatmap: ``View.needs_clipping``), which pyqtgraph's exporter clips.
The window is Qt's drawing of its widgets with each plot's own SVG placed where it is shown.
Checked with librsvg and Qt's renderer: both draw the plots as the screen does, except
that Qt's renderer, which has no clip paths, lets the landscape's arrows run past its frame.
(Qt's SVG 1.1 output, which has clip paths, drew nothing in librsvg.)
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QObject, QPoint, QRectF
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from .svg_strokes import bake_non_scaling_strokes

SVG = "http://www.w3.org/2000/svg"


def plot_item(view: pg.GraphicsView):
    """What pyqtgraph's exporters take for a plot widget: its plot item, or its layout."""
    if isinstance(view, pg.PlotWidget):
        return view.getPlotItem()
    if isinstance(view, pg.GraphicsLayoutWidget):
        return view.ci
    return None


def draw_widget(widget: QWidget, painter: QPainter) -> None:
    """Draw ``widget`` with ``painter`` (QGraphicsView and QWidget take different arguments)."""
    if isinstance(widget, pg.GraphicsView):
        widget.render(painter)
    else:
        widget.render(painter, QPoint(0, 0))


def widgets_svg(widget: QWidget) -> bytes:
    """``widget`` drawn by Qt's SVG generator."""
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(widget.size())
    generator.setViewBox(QRectF(0, 0, widget.width(), widget.height()))
    generator.setTitle("gradviz")
    # the axes replay QPictures, which scale by the ratio of the devices' resolutions
    generator.setResolution(widget.logicalDpiX())
    painter = QPainter(generator)
    try:
        draw_widget(widget, painter)
    finally:
        painter.end()
    buffer.close()
    return bytes(array)


def plot_svg(view: pg.GraphicsView) -> bytes:
    """One plot widget as SVG (see the module's note for which exporter)."""
    if getattr(view, "needs_clipping", False):
        data = pg.exporters.SVGExporter(plot_item(view)).export(toBytes=True)
    else:
        data = widgets_svg(view)
    return bake_non_scaling_strokes(data)


class _Painted(QObject):
    """Notes which of ``views`` get a paint event (the ones on screen: a dock behind
    another tab is "visible" to Qt, and keeps a size it was never laid out to)."""

    def __init__(self, views):
        super().__init__()
        self.views = {view.viewport(): view for view in views}
        self.painted = []
        for viewport in self.views:
            viewport.installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Paint and watched in self.views:
            self.painted.append(self.views[watched])
        return False

    def remove(self) -> None:
        for viewport in self.views:
            viewport.removeEventFilter(self)


def window_svg(window: QWidget) -> bytes:
    """The window's widgets with the SVG of every plot on screen placed where it is shown."""
    views = [view for view in window.findChildren(pg.GraphicsView) if plot_item(view) is not None]
    blank = pg.GraphicsScene()      # a pyqtgraph scene: the views prepare theirs before painting
    scenes = [(view, view.scene()) for view in views]
    painted = _Painted(views)
    try:
        for view, _ in scenes:          # the generator draws the views' frames, not their plots
            view.setScene(blank)
        data = widgets_svg(window)
    finally:
        painted.remove()
        for view, scene in scenes:
            view.setScene(scene)
    plots = [(view.mapTo(window, QPoint(0, 0)), view.size(), plot_svg(view))
             for view in dict.fromkeys(painted.painted)]
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(data)
    for corner, size, svg in plots:
        # a group moved to the plot's place, not a nested <svg>, which SVG Tiny (Qt's own
        # renderer) does not have; each plot's drawing is in its own pixels
        placed = ET.SubElement(root, f"{{{SVG}}}g", transform=f"translate({corner.x()},{corner.y()})")
        for child in ET.fromstring(svg):
            if child.tag.split("}")[-1] in ("title", "desc", "style"):
                continue
            if child.get("width") == "100%":      # pyqtgraph's background: the plot's, not the page's
                child.set("width", str(size.width()))
                child.set("height", str(size.height()))
            placed.append(child)
    return bake_non_scaling_strokes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
