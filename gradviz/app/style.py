"""Colours and pens shared by every view, chosen to stay distinct for colour-blind readers
(Okabe–Ito palette): exact is vermillion, the estimate is blue, samples are sky blue."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor

EXACT = "#D55E00"        # vermillion: the truth
ESTIMATE = "#0072B2"     # blue: what the samples say
CONTRIBUTION = "#56B4E9" # sky blue: one sample's f(x)∇log p
REWARD = "#009E73"       # bluish green: rewards
TRAJECTORY = "#FFFFFF"
HIGHLIGHT = "#F0E442"    # yellow: the hovered sample
SPREAD = "#CC79A7"       # reddish purple: variance, spread across runs
OUTLINE = "#111111"
SAMPLE_RIM = "#E8E8E8"  # light grey: shows on the heatmap's dark and bright ends alike
LANDSCAPE_MAP = "cividis"  # perceptually uniform and colour-blind safe

BACKGROUND = "#FAFAFA"
FOREGROUND = "#222222"

# the UI scale (projector.py sets it): text sizes are multiplied by TEXT_SCALE; in projector
# mode a line is widened to 1.5 times its width, and at least LINE_MIN pixels
TEXT_SCALE = 1.0
LINE_MIN = 0.0


def set_scale(text_scale: float, minimum_line: float) -> None:
    global TEXT_SCALE, LINE_MIN
    TEXT_SCALE, LINE_MIN = text_scale, minimum_line


def scaled_pt(size: str) -> str:
    """A point size such as "9pt" at the UI scale."""
    return f"{float(size.removesuffix('pt')) * TEXT_SCALE:.3g}pt"


def line_width(width: float) -> float:
    """A line's width in pixels at the UI scale (0 is a hairline, 1 px)."""
    return max(1.5 * max(width, 1.0), LINE_MIN) if LINE_MIN else width


def configure_pyqtgraph() -> None:
    """Light background (projects well), antialiasing, row-major images, and pyqtgraph's
    fast path from arrays to QPainterPaths ("experimental": it writes the points into the
    path instead of serialising them; 26 µs for 6,000 points against 325 µs)."""
    pg.setConfigOptions(antialias=True, background=BACKGROUND, foreground=FOREGROUND,
                        imageAxisOrder="row-major", enableExperimental=True)


def pen(colour: str, width: float = 2.0, alpha: int = 255, **kw):
    c = QColor(colour)
    c.setAlpha(alpha)
    return pg.mkPen(c, width=width, **kw)


def brush(colour: str, alpha: int = 255):
    c = QColor(colour)
    c.setAlpha(alpha)
    return pg.mkBrush(c)


def axes(plot_item, bottom: str, left: str, grid: bool = True) -> None:
    """Axis labels, a light grid and plain numbers."""
    plot_item.setLabel("bottom", bottom)
    plot_item.setLabel("left", left)
    if grid:
        plot_item.showGrid(x=True, y=True, alpha=0.25)
    plain_axes(plot_item)


def plain_axes(plot_item) -> None:
    """Plain numbers on every axis: no automatic SI prefixes ("× 0.001" confuses readers)."""
    for name in ("left", "bottom", "right", "top"):
        axis = plot_item.getAxis(name)
        # pyqtgraph 0.14's enableAutoSIPrefix(False) still recomputes the scale from the
        # current range and keeps it; an empty enable-range makes that scale 1.
        axis.setSIPrefixEnableRanges(((0.0, 0.0),))
        axis.enableAutoSIPrefix(False)


def fit_tick_labels(axis, lo: float, hi: float) -> None:
    """Make room on a vertical ``axis`` for the labels of its ticks over [lo, hi] now.
    pyqtgraph widens an axis only after a paint has measured its labels, so the first
    picture (an export's only one) clipped them, or they ran into the axis title."""
    from PySide6.QtGui import QFontMetrics

    length = max(axis.size().height(), 100.0)
    metrics = QFontMetrics(axis.style["tickFont"] or axis.font())
    width = 0
    for spacing, values in axis.tickValues(lo, hi, length):
        for text in axis.tickStrings(values, 1.0, spacing):
            width = max(width, metrics.horizontalAdvance(text))
    if not width:
        return
    width += 2 + axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"])
    if axis.label.isVisible():
        width += axis.label.boundingRect().height() + 2
    if width != axis.fixedWidth:
        axis.setWidth(width)


def coloured(text: str, colour: str) -> str:
    return f'<span style="color:{colour}; font-weight:600">{text}</span>'
