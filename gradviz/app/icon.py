"""gradviz's icon, drawn in code: contour rings of a hill, a vermillion exact-gradient arrow
and a blue estimate beside it.  ``python -m gradviz.app.icon assets/icon.png`` saves it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QIcon, QImage, QLinearGradient, QPainter, QPen,
                           QPixmap, QPolygonF)

from . import style


def _arrow(painter: QPainter, start: QPointF, end: QPointF, colour: str, width: float) -> None:
    """A shaft and a filled triangular head, both outlined so they read on any background."""
    direction = end - start
    length = (direction.x() ** 2 + direction.y() ** 2) ** 0.5
    ux, uy = direction.x() / length, direction.y() / length
    head, half = 3.2 * width, 1.9 * width
    base = QPointF(end.x() - head * ux, end.y() - head * uy)
    triangle = QPolygonF([end, QPointF(base.x() - half * uy, base.y() + half * ux),
                          QPointF(base.x() + half * uy, base.y() - half * ux)])
    for pen_width, pen_colour in ((width + 6, style.OUTLINE), (width, colour)):
        painter.setPen(QPen(QColor(pen_colour), pen_width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        painter.setBrush(QColor(pen_colour))
        painter.drawLine(start, base)
        painter.drawPolygon(triangle)


def icon_image(size: int = 256) -> QImage:
    image = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
    image.fill(Qt.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.Antialiasing)
    p.scale(size / 256, size / 256)
    gradient = QLinearGradient(0, 256, 256, 0)
    gradient.setColorAt(0.0, QColor("#00204C"))
    gradient.setColorAt(0.55, QColor("#7C7B78"))
    gradient.setColorAt(1.0, QColor("#FFE945"))
    p.setBrush(QBrush(gradient))
    p.setPen(Qt.NoPen)
    p.drawRoundedRect(QRectF(8, 8, 240, 240), 44, 44)
    p.setBrush(Qt.NoBrush)
    centre = QPointF(178, 82)
    for i, radius in enumerate((26, 52, 80, 110)):
        p.setPen(QPen(QColor(255, 255, 255, 170 - 30 * i), 4))
        p.drawEllipse(centre, radius * 1.15, radius)
    _arrow(p, QPointF(62, 196), QPointF(166, 112), style.EXACT, 12)
    _arrow(p, QPointF(62, 196), QPointF(104, 78), style.ESTIMATE, 10)
    p.setPen(Qt.NoPen)
    p.setBrush(QColor("#FFFFFF"))
    p.drawEllipse(QPointF(62, 196), 13, 13)
    p.end()
    return image


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 64, 128, 256):
        icon.addPixmap(QPixmap.fromImage(icon_image(size)))
    return icon


if __name__ == "__main__":
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    icon_image(256).save(sys.argv[1] if len(sys.argv) > 1 else "icon.png")
