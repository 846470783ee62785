"""The frame clock: the window's views are drawn from the model at a steady pace, never per
engine report, and the time spent drawing is kept to a share of the engine's.

Both threads need the GIL.  Setting plot data is Python: the clock closes the engine's
gate (worker.DrawGate) while it draws, when the engine's steps are short, and stretches the
interval between frames when the engine runs flat out.  Views are prepared for painting
here, once a frame, while the engine runs (NativePaint.prepare_on_paint)."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer

from ..plots import PLOTS
from .worker import RunState

REDRAW_MS = 32           # 31 Hz: a busy event loop fires it a little late; ≥ 30 redraws/s
SLOWEST_REDRAW_MS = 100  # 10 Hz: the slowest pace when the engine runs flat out
GUI_SHARE = 0.25         # flat out, setting plot data (Python: holds the GIL) may take this share
SLOW_EVERY = 6           # secondary plots redraw every 6th frame (5 Hz); the landscape at 30 Hz
GATE_WAIT_S = 0.005      # the engine pauses for drawing after its step, if that ends by then
VARIANCE_EVERY_S = 3.0


class FrameClock(QObject):
    """Draws ``views`` (name → View) from ``model`` when there is something new: those on
    screen (``central`` holds the central ones); ``extra`` are drawn like the slow views
    (the status bar).  ``engine`` (an EngineThread, or None headless) is paused while
    drawing and asked for a fresh variance curve every VARIANCE_EVERY_S while running."""

    def __init__(self, model, views: dict, central, extra=(), parent=None):
        super().__init__(parent)
        self.model, self.views, self.central, self.extra = model, views, central, tuple(extra)
        self.engine = None
        self.speed_cap = lambda: 30.0
        self.redraws = 0
        self.dirty = True
        self._last_variance = 0.0
        self._draw_seconds = 0.0
        self._draw_mark = (time.perf_counter(), 0.0)
        self._frames_since_mark = 0
        self._prepared_here = False
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.PreciseTimer)   # a coarse timer may run 5 % slow: 28.6 Hz
        self.timer.timeout.connect(self.tick)
        for signal in (model.stepped, model.statusChanged, model.runChanged, model.landscapeChanged):
            signal.connect(self.mark_dirty)

    def start(self, engine) -> None:
        self.engine = engine
        self.timer.start(REDRAW_MS)

    def stop(self) -> None:
        self.timer.stop()

    def mark_dirty(self) -> None:
        self.dirty = True

    def request_variance(self, periodic: bool = False) -> None:
        """A new variance curve: at once after a change, or as the run moves θ (periodic,
        which the engine paces when it runs flat out)."""
        self._last_variance = time.monotonic()
        if self.engine is not None:
            self.engine.measure(periodic)

    def tick(self) -> None:
        """One frame: draw if anything changed, else only keep the views prepared."""
        running = self.model.state == RunState.RUNNING
        if (self.engine is not None and running
                and time.monotonic() - self._last_variance > VARIANCE_EVERY_S):
            self.request_variance(periodic=True)
        self._pace(running)
        if not self.dirty:
            self._prepare_views(running)
            return
        self._frames_since_mark += 1
        start = time.perf_counter()
        # Short steps are Python, holding the GIL: pause the engine while drawing rather
        # than trade the GIL call by call.  Long steps are numpy, which lets go of it: draw
        # alongside them.
        gate = self.engine.gate if self.engine is not None else None
        short_steps = self.model.steps_per_second > 1 / GATE_WAIT_S or not running
        held = gate is not None and short_steps and gate.close(timeout=GATE_WAIT_S)
        try:
            self.draw_now()
            self._prepare_views(running)
        finally:
            if held:
                gate.open()
            self._draw_seconds += time.perf_counter() - start

    def shown(self, name: str) -> bool:
        """Whether a view is on screen (shown, not behind another tab); headless, every
        view the problem names is drawn."""
        view = self.views[name]
        if PLOTS[name].area == "central":
            return self.central.currentWidget() is view
        return name in self.model.views and (self.engine is None or view.isVisible())

    def draw_now(self) -> None:
        """Draw every shown view from the model (the landscape every frame; the others, and
        the status bar, every SLOW_EVERY-th frame while running, always otherwise)."""
        self.dirty = False
        self.redraws += 1
        slow = self.redraws % SLOW_EVERY == 0 or self.model.state != RunState.RUNNING
        for name, view in self.views.items():
            if (slow or view.every_frame) and self.shown(name):
                view.draw(self.model)
        if slow:   # text changing 30 times a second cannot be read
            for item in self.extra:
                item.draw(self.model)

    def _pace(self, running: bool) -> None:
        """Flat out, stretch the redraw interval so that the time spent drawing (which holds
        the GIL the engine thread needs) stays near GUI_SHARE of the wall clock; capped
        speeds and paused runs redraw every REDRAW_MS."""
        now = time.perf_counter()
        spent = self._draw_seconds - self._draw_mark[1]
        elapsed = now - self._draw_mark[0]
        if elapsed < 0.5:
            return
        self._draw_mark = (now, self._draw_seconds)
        per_frame = spent / max(self._frames_since_mark, 1)
        self._frames_since_mark = 0
        interval = REDRAW_MS
        if running and self.speed_cap() is None:
            interval = int(np.clip(1000 * per_frame / GUI_SHARE, REDRAW_MS, SLOWEST_REDRAW_MS))
        if interval != self.timer.interval():
            self.timer.setInterval(interval)

    def _prepare_views(self, running: bool) -> None:
        """While the engine runs, the plots are prepared for painting here, once a frame
        and only if they need it, instead of in a hook before each paint; a plot the user
        zooms or resizes meanwhile catches up within a frame."""
        widgets = [w for view in self.views.values() for w in view.painted()]
        if running != self._prepared_here:
            self._prepared_here = running
            for widget in widgets:
                widget.prepare_on_paint(not running)
        if running:
            for widget in widgets:
                if widget.isVisible() and widget.needs_prepare():
                    widget.prepare()
