"""Projector mode and the UI scale, for a lecture hall.

Projector mode (F5) lays the window out for a projected 1920 × 1080 screen: the central plot,
the derivation and J over steps, nothing else; text at least 18 px, lines at least 2 px
(but a crowd of more than 200 episodes' paths, which would cost too much to widen).
Ctrl + / Ctrl − scale every text in the window, in either mode (Ctrl 0: back to 100 %).

Text: the application font (every widget without a font of its own follows it), and in
each plot the axes' ticks and labels, the titles, legends and text items.  Lines: qpen
widens every pen made from now on (style.line_width), and the pens of the items already in
the plots are widened from the width they were made with (kept on the item)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractGraphicsShapeItem, QApplication, QGraphicsItem,
                               QGraphicsLineItem)

from . import style
from .views.legend import Legend
from .views.native import fit_title

PROJECTOR_TEXT_PX = 20      # the smallest text in projector mode (the issue: at least 18 px)
PROJECTOR_PLOTS = ("derivation", "objective")     # the docks shown beside the central plot
SCALE_RANGE = (0.6, 3.0)
STEP = 1.15
BASE_WIDTH = 0x6701         # QGraphicsItem data key: the pen width an item was made with


def _scene_items(view):
    """Every item of the view's plots (View.painted: the plot widgets inside it)."""
    return [item for plot in view.painted() for item in plot.scene().items()]


class Projector(QObject):
    """Owns the scale and the mode; ``changed`` after either changes."""

    changed = Signal()

    def __init__(self, window):
        super().__init__(window)
        self.scale = 1.0
        self.on = False
        self._layout = None          # the window's dock state before projector mode
        app = QApplication.instance()
        self._base_font = QFont(app.font())
        info = self._base_font.pixelSize()
        self._base_px = info if info > 0 else round(self._base_font.pointSizeF() * 96 / 72)

    @property
    def window(self):
        return self.parent()

    def text_px(self) -> int:
        """The body text's pixel size now."""
        px = self._base_px * self.scale
        return round(max(px, PROJECTOR_TEXT_PX * self.scale) if self.on else px)

    def keeps(self, plot: str) -> bool:
        """Whether the dock of ``plot`` may show in the current mode."""
        return not self.on or plot in PROJECTOR_PLOTS

    def toggle(self) -> None:
        """Into projector mode (full screen, the lecture layout, large) or back as it was."""
        window = self.window
        self.on = not self.on
        if self.on:
            self._layout = (window.saveState(), window.isMaximized(), window.geometry())
            screen = window.screen()
            if screen is not None:      # without a window manager, full screen is this
                window.setGeometry(screen.geometry())
            window.showFullScreen()
            window.arrange()
            window.docks["derivation"].raise_()
            QTimer.singleShot(0, self._size_docks)      # once the window is full screen
        elif self._layout is not None:
            state, maximized, geometry = self._layout
            window.showMaximized() if maximized else window.showNormal()
            if not maximized:
                window.setGeometry(geometry)
            window.restoreState(state)
        self.apply()

    def _size_docks(self) -> None:
        """The derivation's seven lines need the height, J a third of the width."""
        window = self.window
        if self.on:
            window.resizeDocks([window.docks["derivation"]], [int(0.34 * window.height())], Qt.Vertical)
            window.resizeDocks([window.docks["objective"]], [int(0.3 * window.width())], Qt.Horizontal)

    def actions(self, make_action) -> list:
        """The View menu's actions, made by the window's ``make_action(text, slot, keys, tip)``."""
        mode = make_action("Projector mode", self.toggle, ["F5"],
                           "A layout for a lecture hall: the central plot, the derivation and J; "
                           "large text, wide lines")
        mode.setCheckable(True)
        self.changed.connect(lambda: mode.setChecked(self.on))
        return [mode,
                make_action("Larger text", lambda: self.zoom(1), ["Ctrl++", "Ctrl+="], "Scale the UI up"),
                make_action("Smaller text", lambda: self.zoom(-1), ["Ctrl+-"], "Scale the UI down"),
                make_action("Normal text size", lambda: self.zoom(0), ["Ctrl+0"], "Scale 100 %")]

    def zoom(self, steps: int) -> None:
        """Scale every text by STEP**steps (0: back to 100 %)."""
        scale = self.scale * STEP ** steps if steps else 1.0
        self.scale = min(max(scale, SCALE_RANGE[0]), SCALE_RANGE[1])
        self.apply()

    def apply(self) -> None:
        px = self.text_px()
        style.set_scale(px / self._base_px, minimum_line=2.0 if self.on else 0.0)
        font = QFont(self._base_font)
        font.setPixelSize(px)
        QApplication.instance().setFont(font)
        for view in self.window.views.values():
            self._restyle(view, font)
        self.window.frames.draw_now()
        self.changed.emit()

    @staticmethod
    def _restyle(view, font: QFont) -> None:
        """The plot's text at the body size (titles at theirs, scaled), its lines
        widened from the width they were made with."""
        for item in _scene_items(view):
            if isinstance(item, pg.AxisItem):
                item.setStyle(tickFont=font)
                item.label.setFont(font)
                if item.fixedWidth is not None and item.orientation in ("left", "right"):
                    style.fit_tick_labels(item, *item.range)
            elif isinstance(item, Legend):
                item.scale_text(style.TEXT_SCALE)
            elif isinstance(item, pg.LabelItem) and item.text:
                base = getattr(item, "_gradviz_size", None) or item.opts.get("size") or "9pt"
                item._gradviz_size = base
                item.setText(item.text, size=style.scaled_pt(base))
                plot = item.parentItem()
                if isinstance(plot, pg.PlotItem) and plot.titleLabel is item:
                    fit_title(plot)
            elif isinstance(item, pg.TextItem):
                item.setFont(font)
            elif isinstance(item, pg.PlotDataItem):
                _widen(item, item.opts["pen"], item.setPen)
            elif isinstance(item, pg.PlotCurveItem) and not isinstance(item.parentItem(), pg.PlotDataItem):
                _widen(item, item.opts["pen"], item.setPen)
            elif isinstance(item, (QAbstractGraphicsShapeItem, QGraphicsLineItem)):
                _widen(item, item.pen(), item.setPen)


def _widen(item, pen, set_pen) -> None:
    """Set a pen's width at the UI scale, from the width the item was made with."""
    pen = pg.mkPen(pen)
    if pen.style() == Qt.NoPen:
        return
    base = QGraphicsItem.data(item, BASE_WIDTH)    # not the data method of pyqtgraph's curves
    if base is None:
        base = pen.widthF()
        QGraphicsItem.setData(item, BASE_WIDTH, base)
    width = style.line_width(base)
    pen.setWidthF(0.0 if width <= 1 else width)
    set_pen(pen)
