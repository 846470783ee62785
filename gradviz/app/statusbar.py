"""The status bar's permanent fields: run state, step, J, ‖ĝ − ∇J‖, what the problem adds
(a learned σ), speed."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel

from .worker import RunState

FIELDS = (("state", 90), ("step", 110), ("J", 130), ("error", 150), ("problem", 100), ("rate", 120))


class RunStatus:
    """Draws the model's newest state into labels on ``bar`` (a QStatusBar)."""

    def __init__(self, bar):
        self.labels = {}
        for key, width in FIELDS:
            label = QLabel()
            label.setMinimumWidth(width)
            bar.addPermanentWidget(label)
            self.labels[key] = label
        self._texts = {}

    def draw(self, model) -> None:
        record, state = model.latest, model.state
        texts = {key: "" for key, _ in FIELDS}
        texts.update(state=state.value, step="step 0")
        if record is not None:
            error = np.linalg.norm(record.estimate - record.grad, axis=1).mean()
            texts.update(step=f"step {record.steps_taken:,}", J=f"J = {record.J.mean():.4g}",
                         error=f"‖ĝ − ∇J‖ = {error:.3g}",
                         rate=f"{model.steps_per_second:,.0f} steps/s" if state == RunState.RUNNING else "",
                         problem=model.kind.readout(model.config, record.theta_next[0]))
        for key, text in texts.items():
            if self._texts.get(key) != text:   # each setText lays out the status bar
                self._texts[key] = text
                self.labels[key].setText(text)
