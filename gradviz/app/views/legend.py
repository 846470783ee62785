"""A plot legend made of plain Qt items, so that Qt paints it without calling Python.

pyqtgraph's LegendItem paints its box and each line sample in Python; every repaint of the
landscape (30 a second) then made 18 calls into Python, each of which waits for the engine
thread to hand over the GIL.  This legend is a box, line samples and text that Qt draws
alone.  It is a child of the view box, in its pixel coordinates, so zooming leaves it be.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsLineItem,
                               QGraphicsRectItem, QGraphicsSimpleTextItem)

SAMPLE_WIDTH = 20   # pixels of line shown for each entry
PADDING = 7
GAP = 8             # between a sample and its text


class Legend(QGraphicsRectItem):
    """Rows of (line sample, text) in a translucent box at ``offset`` pixels from the
    top-left corner of ``parent`` (a pyqtgraph ViewBox)."""

    def __init__(self, parent: QGraphicsItem, offset=(6, 6), point_size: float = 9,
                 text_colour: str = "#222222", fill: QColor | None = None):
        super().__init__(parent)
        self.setPos(*offset)
        self.setZValue(1000)                 # above everything the view box holds
        self.setPen(QPen(Qt.NoPen))
        self.setBrush(QBrush(fill if fill is not None else QColor(255, 255, 255, 150)))
        self.font = QFont()
        self.point_size = point_size
        self.font.setPointSizeF(point_size)
        self.text_colour = QColor(text_colour)
        self._row_height = max(QFontMetricsF(self.font).height(), 12.0) + 4
        self._text_width = 0.0
        self.texts: list[str] = []
        self.shown: list[bool] = []
        self._labels: list[QGraphicsSimpleTextItem] = []
        self._items: list[list[tuple]] = []     # each row's (item, height from the row's middle)

    def add(self, pen: QPen, text: str, disc: tuple[float, QColor, QPen] | None = None) -> int:
        """A row: a line drawn with ``pen`` (and a disc of (radius, fill, outline) at its
        middle, for a marker), then ``text``; returns the row's index (for ``set_text``)."""
        line = QGraphicsLineItem(QLineF(PADDING, 0, PADDING + SAMPLE_WIDTH, 0), self)
        line.setPen(pen)
        items = [(line, 0.0)]
        if disc is not None:
            radius, fill, outline = disc
            dot = QGraphicsEllipseItem(QRectF(-radius, -radius, 2 * radius, 2 * radius), self)
            dot.setX(PADDING + SAMPLE_WIDTH / 2)
            dot.setBrush(fill)
            dot.setPen(outline)
            items.append((dot, 0.0))
        label = QGraphicsSimpleTextItem(text, self)
        label.setFont(self.font)
        label.setBrush(self.text_colour)
        label.setX(PADDING + SAMPLE_WIDTH + GAP)
        items.append((label, -label.boundingRect().height() / 2))
        self.texts.append(text)
        self.shown.append(True)
        self._labels.append(label)
        self._items.append(items)
        self._fit()
        return len(self.texts) - 1

    def scale_text(self, scale: float) -> None:
        """Its text at ``scale`` times the size it was made with (the UI scale)."""
        self.font.setPointSizeF(self.point_size * scale)
        self._row_height = max(QFontMetricsF(self.font).height(), 12.0) + 4
        for label, items in zip(self._labels, self._items):
            label.setFont(self.font)
            items[-1] = (label, -label.boundingRect().height() / 2)
        self._fit()

    def set_shown(self, row: int, shown: bool) -> None:
        """Show or leave out row ``row`` (the rows below move up)."""
        if self.shown[row] != shown:
            self.shown[row] = shown
            self._fit()

    def set_text(self, row: int, text: str) -> None:
        """Change row ``row``'s text (only when it differs: each change lays out text)."""
        if self.texts[row] != text:
            self.texts[row] = text
            self._labels[row].setText(text)
            self._fit()

    def _fit(self) -> None:
        """Place the shown rows one under another and fit the box around them."""
        place = 0
        for shown, items in zip(self.shown, self._items):
            y = PADDING + (place + 0.5) * self._row_height
            for item, offset in items:
                item.setVisible(shown)
                item.setY(y + offset)
            place += shown
        widths = [label.boundingRect().width() for label, shown in zip(self._labels, self.shown) if shown]
        self._text_width = max(widths, default=0)
        self.setRect(0, 0, PADDING + SAMPLE_WIDTH + GAP + self._text_width + PADDING,
                     2 * PADDING + place * self._row_height)
