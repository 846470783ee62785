"""What the user asks for, turned into engine commands: settings from the controls (checked
with the engine's own validator first), θ picked on the plane, run / step / reset, sessions.

The engine's reported config is the truth (model.py).  ``wanted`` is only what this side
has asked for and the engine has not yet confirmed; once the engine has answered every
command sent, the controls show the engine's config again (a refused setting, a replayed
schedule)."""

from __future__ import annotations

from PySide6.QtCore import QObject

from ..engine import config as cfg
from ..engine.errors import ConfigError
from .worker import RunState

APP_MAX_SAMPLES = 2_000_000   # replicas × batch per step in the app: keeps a step ≲ 0.2 s


class Controller(QObject):
    def __init__(self, model, panel, frames, messages, parent=None):
        super().__init__(parent)
        self.model, self.panel, self.frames, self.messages = model, panel, frames, messages
        self.engine = None
        self.wanted = model.config
        self._state = None
        panel.liveChanged.connect(self.live_changed)
        panel.structureChanged.connect(self.structure_changed)
        panel.speedChanged.connect(self.speed_changed)
        panel.invalid.connect(self.invalid_input)
        model.statusChanged.connect(self._status_changed)

    def attach(self, engine) -> None:
        self.engine = engine

    # --- run control ---------------------------------------------------------------------------

    def toggle_run(self) -> None:
        if self.model.state == RunState.RUNNING:
            self.engine.pause()
        else:
            self.engine.run()

    def step_once(self) -> None:
        self.engine.step()
        self.frames.request_variance()

    def reset(self) -> None:
        self.start(self.wanted)

    def start(self, config: cfg.RunConfig, replay_to: int = 0) -> None:
        """A new run with ``config`` (a new problem, reward, … or an opened session, replayed
        to step ``replay_to``).  The views change when the engine reports the new run."""
        self.wanted = config
        self.panel.show_config(config)
        self.engine.reset(config)
        if replay_to:
            self.engine.run_to(replay_to)
        self.frames.request_variance()

    # --- settings ------------------------------------------------------------------------------

    def _changed(self, changes: dict) -> dict:
        return {k: v for k, v in changes.items() if getattr(self.wanted, k) != v}

    def _refuse(self, err: ConfigError) -> None:
        self.messages.show("Invalid setting", str(err))
        self.panel.show_config(self.wanted)

    def live_changed(self, changes: dict) -> None:
        changes = self._changed(changes)
        if not changes:
            return
        try:
            config = self.wanted.with_changes(**changes)
            if config.runs * config.batch > APP_MAX_SAMPLES:
                raise ConfigError(f"replicas × batch = {config.runs * config.batch:,} is over the "
                                  f"app's {APP_MAX_SAMPLES:,} samples a step, where it stays "
                                  "responsive; lower one of them (gradviz run takes up to "
                                  f"{cfg.MAX_NUMBERS_PER_STEP:,} numbers a step: R × N × d)")
        except ConfigError as err:
            self._refuse(err)
            return
        self.wanted = config
        self.panel.show_config(config)
        self.engine.apply(changes)
        self.frames.request_variance()

    def structure_changed(self, changes: dict) -> None:
        changes = self._changed(changes)
        if not changes:
            return
        try:
            if "problem" in changes and self.wanted.estimator not in cfg.kind_of(changes["problem"]).estimators:
                changes["estimator"] = "score"      # e.g. pathwise, for a problem without it
            config = self.wanted.with_changes(theta0=None, schedule=[], **changes)
        except ConfigError as err:
            self._refuse(err)
            return
        self.start(config)

    def speed_changed(self, cap) -> None:
        if self.engine is not None:     # a remembered speed restored before the engine starts
            self.engine.speed(cap)

    def invalid_input(self, text: str) -> None:
        self.messages.show("Invalid setting", text)

    def theta_picked(self, x: float, y: float) -> None:
        """θ moved to the point picked on the plane (keeping what the plane does not show)."""
        status, plane = self.model.status, self.model.plane
        if status is None or plane is None:
            return
        self.engine.apply({"theta": plane.theta_at(status.theta[0], x, y).tolist()})
        self.frames.request_variance()

    # --- what the engine reports -----------------------------------------------------------------

    def _status_changed(self) -> None:
        status = self.model.status
        if self.engine is not None and self.engine.caught_up(status) and status.config != self.wanted:
            # every command sent is in this status, so it is the truth (a refused setting,
            # or a replayed session's schedule): show what the engine uses
            self.wanted = status.config
            self.panel.show_config(status.config)
        if self._state == RunState.RUNNING and status.state != RunState.RUNNING:
            self.frames.request_variance()
        self._state = status.state
