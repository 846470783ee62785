"""The app's one state: what the engine last reported, kept on the GUI thread.

The engine's reports (worker.py) arrive here and nowhere else; views and the status bar
read from here and subscribe to its signals.  A report of an older run (sent before a
reset was handled) is dropped, so after a reset, a new problem or an opened session every
view shows the new run as soon as the engine has started it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..engine.config import RunConfig
from ..engine.history import DecimatedSeries
from .worker import EngineStatus, RunState, Tick

SERIES_POINTS = 600     # plots over steps: about one point per pixel column (see native.py)


class AppModel(QObject):
    runChanged = Signal()          # a new run: its config, plane and views may differ
    statusChanged = Signal()
    landscapeChanged = Signal()
    varianceChanged = Signal()
    sliceChanged = Signal()
    stepped = Signal()             # new records (drawn at the next frame, not at once)

    def __init__(self, config: RunConfig, parent=None):
        super().__init__(parent)
        self.config = config                    # the engine's, once it has reported
        self.status: EngineStatus | None = None
        self.latest = None                      # the newest StepRecord (or a preview)
        self.chain = None                       # the derivation's numbers at its θ
        self.series = DecimatedSeries()
        self.landscape = None
        self.variance = None                    # (batch sizes, tr Cov) of the last measurement
        self.slice = None                       # analysis.ThetaSlices through θ, or None
        self.steps_per_second = 0.0
        self.run = None                         # EngineStatus.run of the current run
        self._thinned = (None, None)
        self._set_kind(config)

    def _set_kind(self, config: RunConfig) -> None:
        self.kind = config.kind
        self.plane = self.kind.plane(config)
        self.views = self.kind.views(config)

    # --- what the engine reports ---------------------------------------------------------------

    def take_status(self, status: EngineStatus) -> None:
        self.status = status
        self.config = status.config
        if status.run != self.run:
            self.run = status.run
            self.latest = self.chain = self.slice = None
            self.series = DecimatedSeries()
            self._thinned = (None, None)    # keyed by the series' id, which a new one may reuse
            self._set_kind(status.config)
            self.runChanged.emit()
        self.statusChanged.emit()

    def take_tick(self, tick: Tick) -> None:
        if self.run is not None and tick.run != self.run:
            return              # a burst of the run before the reset
        self.series.extend(tick.summaries)
        self.latest, self.chain = tick.latest, tick.chain
        self.steps_per_second = tick.steps_per_second
        self.stepped.emit()

    def take_landscape(self, landscape) -> None:
        self.landscape = landscape
        self.landscapeChanged.emit()

    def take_variance(self, curve) -> None:
        self.variance = curve
        self.varianceChanged.emit()

    def take_slice(self, theta_slice) -> None:
        """Slices of θ-space (analysis.theta_slice); those of another run's θ are dropped."""
        theta = self.theta_now()
        if theta_slice is None or theta is None or theta_slice.centre.shape == theta.shape:
            self.slice = theta_slice
            self.sliceChanged.emit()

    # --- what views read ------------------------------------------------------------------------

    @property
    def state(self) -> RunState:
        return self.status.state if self.status else RunState.READY

    @property
    def stepped_yet(self) -> bool:
        """Whether the run has taken a step (a preview may come first)."""
        return self.series.last is not None

    def theta_now(self) -> np.ndarray | None:
        """Replica 0's θ as the newest report has it (after the newest step)."""
        if self.latest is not None:
            return self.latest.theta_next[0]
        return self.status.theta[0] if self.status is not None else None

    def policy_now(self):
        """(π, true values) now, for a categorical policy; else None."""
        if self.latest is not None and self.latest.policy is not None:
            return self.latest.policy
        return self.status.policy if self.status is not None else None

    def thinned(self, columns=None) -> np.ndarray:
        """The series thinned to about SERIES_POINTS rows (computed once per new step)."""
        if columns is not None:
            return self.series.thinned(SERIES_POINTS, columns)
        key = (id(self.series), self.series.seen)
        if self._thinned[0] != key:
            self._thinned = (key, self.series.thinned(SERIES_POINTS))
        return self._thinned[1]
