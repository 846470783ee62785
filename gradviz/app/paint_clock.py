"""How long the GUI thread spends painting plots.

Painting holds Python's GIL, which the engine thread needs too, so the window paces its
redraws by this clock: see MainWindow._pace."""

from __future__ import annotations

import time


class PaintClock:
    seconds = 0.0   # total time spent in plot paintEvents so far


class TimedPaint:
    """Mixin for pyqtgraph views: adds each paintEvent's duration to PaintClock.seconds."""

    def paintEvent(self, event):
        start = time.perf_counter()
        try:
            super().paintEvent(event)
        finally:
            PaintClock.seconds += time.perf_counter() - start
