"""Rendering without a window system: a run is fed straight into the app's own views
(no engine thread), for `gradviz export` and for GIF animations."""

from __future__ import annotations

import numpy as np

from ..engine import table
from ..engine.analysis import theta_slice, variance_curve
from ..engine.config import RunConfig
from ..engine.derivation import chain
from ..engine.errors import RunStopped
from ..engine.history import summarise
from ..engine.run import Run
from .worker import RunState, Tick, landscape_for, landscape_key, status_of

MAX_FRAMES = 150


def headless_window(config: RunConfig, size=(1400, 900)):
    """A main window that is drawn but never shown and has no engine thread."""
    from .window import MainWindow

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window = MainWindow(config, start_engine=False)
    window.resize(*size)
    window.setAttribute(Qt.WA_DontShowOnScreen, True)  # laid out like a shown window, invisible
    window.show()
    QApplication.processEvents()
    return window


def play(window, run: Run, steps: int, frames: int = 0, plot=None, progress=None):
    """Advance ``run`` by ``steps`` feeding ``window``; return (frames as arrays, stop reason).

    With ``frames`` > 0, ``plot`` (a widget of the window) is captured after steps
    round(linspace(0, steps − 1, frames)): ``frames`` images when steps ≥ frames.  Memory
    is one step's: only each step's table numbers are kept, and handed to the window's
    bounded series every table.CHUNK steps.  ``progress(share)`` is told each new percent."""
    from .exporting import caption, image_to_array, render_image

    model = window.model
    key = landscape_key(run)
    model.take_status(status_of(run, RunState.READY))
    model.take_landscape(landscape_for(run))
    frame_steps = set(np.unique(np.round(np.linspace(0, steps - 1, frames)).astype(int)).tolist()
                      if frames and steps else [])
    captured, pending, reason, told = [], [], "", 0
    try:
        for record in run.steps(steps):
            pending.append(table.parts(record))
            percent = 100 * (record.step + 1) // max(steps, 1)
            if progress is not None and percent > told:
                told = percent
                progress(percent / 100)
            if landscape_key(run) != key:     # a learned σ moves it
                key = landscape_key(run)
                model.take_landscape(landscape_for(run))
            if record.step in frame_steps:
                _show(window, run, record, pending)
                pending = []
                text = f"step {record.step + 1:,}   J = {record.J.mean():.4g}"
                captured.append(image_to_array(caption(render_image(plot), text)))
            elif len(pending) == table.CHUNK:
                model.take_tick(Tick(record, summarise(table.stack_parts(pending),
                                                       run.problem.plane), 0.0))
                pending = []
            latest = record
    except RunStopped as stopped:
        reason = str(stopped)
    if run.t and pending:
        _show(window, run, latest, pending)
    if run.t:
        model.take_variance(variance_curve(run))
        model.take_slice(theta_slice(run, latest.estimate[0]))
        _draw(window)
    return captured, reason


def _show(window, run, record, kept):
    """Draw ``record`` with the summaries of the steps ``kept`` (table.parts) since the last."""
    window.model.take_tick(Tick(record, summarise(table.stack_parts(kept), run.problem.plane), 0.0,
                                chain=chain(run.problem, record)))
    window.model.take_status(status_of(run, RunState.PAUSED))
    _draw(window)


def _draw(window):
    """Draw the views, and lay them out as the event loop would before the next paint (an
    axis that just made room for its labels), since no event loop runs between here and
    the capture."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.frames.draw_now()
    QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
