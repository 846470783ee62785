"""Figures, data and animations out of gradviz: PNG at a chosen width, SVG (vector), CSV
(every step), animated GIF.  Each is encoded in memory and written by files.atomic_write,
so a failure (a full disk too) leaves no partial file and replaces nothing.

SVG: window_svg.py (Qt's generator with strokes baked to pixels, or pyqtgraph's exporter
for a plot that needs clipping; pyqtgraph 0.14's exporter works with the PySide6 6.10 this
project pins, and raises on every plot with PySide6 ≥ 6.11, pyqtgraph issue #3485).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers the exporters)
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QWidget)

from ..engine.files import WriteError, write_bytes
from ..plots import PLOTS
from .window_svg import draw_widget, plot_item, plot_svg, window_svg
from . import style
from .views.native import live_axes

FIGURE_SUFFIXES = (".png", ".svg")


class ExportError(WriteError):
    """An export could not be made; the message says why."""


def plot_widget(window, name: str) -> QWidget:
    """The widget that draws plot ``name`` in the main window: a plot the run's problem
    shows, its central one ("landscape"), or the whole window ("window")."""
    if name not in PLOTS:
        raise ExportError(f"unknown plot {name!r} (choose from {', '.join(PLOTS)})")
    shown = window.model.views
    if name not in (*shown, "landscape", "window"):
        raise ExportError(f"plot {name!r} does not show the {window.model.kind.name} problem "
                          f"(it shows {', '.join(shown)})")
    return window.plot_widget(name)


def render_image(widget: QWidget, width: int | None = None) -> QImage:
    """The widget drawn into an image ``width`` pixels wide (vector-crisp, not scaled up)."""
    size = widget.size()
    scale = (width / size.width()) if width else 1.0
    image = QImage(QSize(round(size.width() * scale), round(size.height() * scale)),
                   QImage.Format_ARGB32)
    image.fill(Qt.white)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.Antialiasing)
        with live_axes(widget):
            if isinstance(widget, pg.GraphicsView):  # the view maps its viewport onto the image
                widget.render(painter, QRectF(image.rect()), widget.viewport().rect(),
                              Qt.IgnoreAspectRatio)
            else:
                painter.scale(scale, scale)
                draw_widget(widget, painter)
    finally:
        painter.end()  # an unfinished painter crashes Qt when its device is destroyed
    return image


def export_png(widget: QWidget, path, width: int | None = None) -> None:
    if width is not None and not 16 <= width <= 16000:
        raise ExportError(f"PNG width {width} is outside 16 … 16000 pixels")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    if not render_image(widget, width).save(buffer, "PNG"):
        raise ExportError(f"cannot write {path}: PNG encoding failed")
    buffer.close()
    _write(path, bytes(data))


def export_svg(widget: QWidget, path) -> None:
    """A plot or the whole window (window_svg.py says how)."""
    with live_axes(widget):
        plot = isinstance(widget, pg.GraphicsView) and plot_item(widget) is not None
        data = plot_svg(widget) if plot else window_svg(widget)
    _write(path, data)


def _write(path, data: bytes) -> None:
    """The encoded figure to ``path`` (files.atomic_write: a temporary file renamed, links
    written through, devices and FIFOs written into, a file's mode kept)."""
    if not data:
        raise ExportError(f"cannot write {path}: the encoder produced nothing")
    try:
        write_bytes(path, data)
    except WriteError as err:
        raise ExportError(str(err)) from None


def export_figure(widget: QWidget, path, width: int | None = None) -> None:
    """PNG or SVG by the file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        export_png(widget, path, width)
    elif suffix == ".svg":
        export_svg(widget, path)
    else:
        raise ExportError(f"{path}: a figure must end in .png or .svg")


# the colours a frame must keep exactly (a GIF holds 256): the arrows, dots and text
KEY_COLOURS = (style.EXACT, style.ESTIMATE, style.CONTRIBUTION, style.TRAJECTORY, style.OUTLINE,
               style.SAMPLE_RIM, style.BACKGROUND, style.FOREGROUND, "#FFFFFF", "#000000")


UNCHANGED = 255     # the palette index of "as in the frame before" (GIF transparency)


def gif_palette(frames: list[np.ndarray]):
    """One palette for every frame: KEY_COLOURS first, then the frames' own colours by
    median cut (Pillow's quantizer alone turned the vermillion ∇J arrow olive); the last
    index is left for UNCHANGED."""
    from PIL import Image

    keys = [int(c[i:i + 2], 16) for c in KEY_COLOURS for i in (1, 3, 5)]
    sample = np.concatenate([f[::2, ::2] for f in frames[:: max(1, len(frames) // 8)]])
    free = UNCHANGED - len(KEY_COLOURS)
    rest = Image.fromarray(sample).quantize(colors=free, method=Image.Quantize.MEDIANCUT)
    palette = Image.new("P", (1, 1))
    palette.putpalette(keys + rest.getpalette()[:3 * free] + [255, 255, 255])
    return palette


def write_gif(frames: list[np.ndarray], path, seconds_per_frame: float = 0.08) -> None:
    """Frames (h, w, 3) uint8 to an animated GIF that loops, every frame mapped (without
    dithering, which speckles flat areas) to one palette that keeps the app's colours.
    A pixel that has not changed since the frame before is written as UNCHANGED (a
    transparent index over the frame kept below it): the heatmap is stored once, and the
    file is about a third smaller."""
    from PIL import Image

    palette = gif_palette(frames)
    indices = [np.asarray(Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE))
               for f in frames]
    images = []
    for i, index in enumerate(indices):
        if i:
            index = np.where(index == indices[i - 1], np.uint8(UNCHANGED), index)
        image = Image.fromarray(index, mode="P")
        image.putpalette(palette.getpalette())
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], loop=0,
                   duration=int(seconds_per_frame * 1000), optimize=False,
                   transparency=UNCHANGED, disposal=1)
    _write(path, buffer.getvalue())


def caption(image: QImage, text: str) -> QImage:
    """``image`` below a band that holds ``text`` (a GIF frame's step and J), so that the
    text never covers the plot or its title."""
    pixels = max(12, image.height() // 36)
    band = round(1.8 * pixels)
    framed = QImage(image.width(), image.height() + band, QImage.Format_ARGB32)
    framed.fill(QColor(style.BACKGROUND))
    painter = QPainter(framed)
    try:
        font = painter.font()
        font.setPixelSize(pixels)
        painter.setFont(font)
        painter.setPen(QColor(style.FOREGROUND))
        painter.drawText(QRectF(8, 0, image.width() - 16, band), Qt.AlignLeft | Qt.AlignVCenter, text)
        painter.drawImage(0, band, image)
    finally:
        painter.end()
    return framed


def image_to_array(image: QImage) -> np.ndarray:
    """A QImage as an (h, w, 3) uint8 array."""
    image = image.convertToFormat(QImage.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return data.reshape(height, stride)[:, :width * 3].reshape(height, width, 3).copy()


class ExportDialog(QDialog):
    """Ctrl+E: choose what (a plot, the window, the data, an animation), where and how big."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.setWindowTitle("Export")
        self.what = QComboBox()
        for name in (*window.model.views, "window"):   # the plots this problem shows
            self.what.addItem("the whole window" if name == "window" else f"plot: {name}", name)
        self.what.addItem("data: every step (CSV)", "csv")
        self.what.addItem("animation: θ on the landscape (GIF)", "gif")
        self.format = QComboBox()
        self.format.addItems(["PNG", "SVG"])
        self.width = QSpinBox()
        self.width.setRange(16, 16000)
        self.width.setValue(1600)
        self.width.setSuffix(" px")
        self.path = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("export", self.what)
        form.addRow("format", self.format)
        form.addRow("PNG width", self.width)
        form.addRow("file", row)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.what.currentIndexChanged.connect(self._what_changed)
        self.format.currentIndexChanged.connect(self._what_changed)
        self.setAttribute(Qt.WA_DeleteOnClose)
        self._what_changed()

    def kind(self) -> str:
        """A plot's name (plots.PLOTS), "csv" or "gif"."""
        return self.what.currentData()

    def _suffix(self) -> str:
        kind = self.kind()
        if kind in ("csv", "gif"):
            return "." + kind
        return "." + self.format.currentText().lower()

    def _what_changed(self) -> None:
        figure = self.kind() not in ("csv", "gif")
        self.format.setEnabled(figure)
        self.width.setEnabled(figure and self.format.currentText() == "PNG")
        stem = Path(self.path.text()).with_suffix("") if self.path.text() else Path.home() / f"gradviz-{self.kind()}"
        self.path.setText(str(stem) + self._suffix())

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if path:
            self.path.setText(path)

    def export(self) -> None:
        path, kind = self.path.text().strip(), self.kind()
        if not path:
            self.window.show_message("Export failed", "choose a file to export to")
            return
        try:
            if kind == "csv":
                self.window.engine.export_csv(path)
            elif kind == "gif":
                self.window.export_animation(path)
            else:
                if Path(path).suffix.lower() not in FIGURE_SUFFIXES:
                    path += self._suffix()
                export_figure(plot_widget(self.window, kind), path,
                              self.width.value() if path.lower().endswith(".png") else None)
                self.window.statusBar().showMessage(f"exported {path}", 8000)
        except ExportError as err:
            self.window.show_message("Export failed", str(err))
            return
        self.accept()
