"""Rendering without a window system: a run is fed straight into the app's own views
(no engine thread), for `gradviz export` and for GIF animations."""

from __future__ import annotations

import numpy as np

from ..engine import table
from ..engine.analysis import variance_curve
from ..engine.config import RunConfig
from ..engine.errors import RunStopped
from ..engine.history import summarise
from ..engine.run import Run
from .worker import EngineStatus, RunState, Tick, landscape_for, landscape_key

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


def play(window, run: Run, steps: int, frames: int = 0, plot=None):
    """Advance ``run`` by ``steps`` feeding ``window``; return (frames as arrays, stop reason).

    With ``frames`` > 0, ``plot`` (a widget of the window) is captured after steps
    round(linspace(0, steps − 1, frames)): ``frames`` images when steps ≥ frames.  Memory
    is one step's: only each step's table numbers are kept, and handed to the window's
    bounded series every table.CHUNK steps."""
    from .exporting import caption, image_to_array, render_image

    key = landscape_key(run)
    window._on_landscape(landscape_for(run))
    frame_steps = set(np.unique(np.round(np.linspace(0, steps - 1, frames)).astype(int)).tolist()
                      if frames and steps else [])
    captured, pending, reason = [], [], ""
    try:
        for record in run.steps(steps):
            pending.append(table.parts(record))
            if run.config.learn_sigma and landscape_key(run) != key:
                key = landscape_key(run)
                window._on_landscape(landscape_for(run))
            if record.step in frame_steps:
                _show(window, run, record, pending)
                pending = []
                text = f"step {record.step + 1:,}   J = {record.J.mean():.4g}"
                captured.append(image_to_array(caption(render_image(plot), text)))
            elif len(pending) == table.CHUNK:
                window._on_tick(Tick(record, summarise(table.stack_parts(pending),
                                                       run.config.problem), 0.0))
                pending = []
            latest = record
    except RunStopped as stopped:
        reason = str(stopped)
    if run.t and pending:
        _show(window, run, latest, pending)
    if run.t:
        window.variance.show_curve(variance_curve(run), run.config.estimator)
        window._redraw()
    return captured, reason


def _show(window, run, record, kept):
    """Draw ``record`` with the summaries of the steps ``kept`` (table.parts) since the last."""
    window._on_tick(Tick(record, summarise(table.stack_parts(kept), run.config.problem), 0.0))
    q_star = getattr(run.problem, "q_star", None)
    window._on_status(EngineStatus(RunState.PAUSED, run.config, run.t, run.theta.copy(),
                                   None if q_star is None else q_star[0].copy()))
    window._redraw()
