"""One step in slow motion: the batch shown sample by sample, then the update.  With the
first k samples of the newest record, the estimate arrow is their running mean
(1/k) Σ_{i≤k} cᵢ, the ellipse its spread, and sample k is highlighted with its x, f(x),
∇log p and contribution; at k = N it is the step's ĝ; at stage N + 1, θ moves:
θ ← θ + α ĝ.  The lecturer steps through with keys, or lets it play at a chosen pace."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

PACES = (0.5, 1.0, 2.0, 4.0, 8.0)      # stages a second the player offers


def first_samples(record, k: int, plane):
    """``record`` as if its batch (replica 0) held only its first ``k`` samples: samples,
    rewards, contributions and scores cut to k, the estimate their mean, the plane
    covariance their spread over k (k ≥ 2)."""
    contributions = np.asarray(record.contributions[:k], dtype=float)     # (k, d)
    estimate = record.estimate.copy()
    estimate[0] = contributions.mean(axis=0)
    covariance = None
    if k > 1 and plane is not None:
        moves = plane.vectors(contributions)
        covariance = np.cov(moves.T) / k
    cut = {name: getattr(record, name)[:k] for name in ("samples", "actions", "scores")
           if getattr(record, name) is not None}
    return replace(record, rewards=record.rewards[:k], contributions=contributions,
                   estimate=estimate, plane_covariance=covariance, **cut)


class SlowMotionPlayer(QObject):
    """Plays slow motion: ``advance`` every 1/pace seconds until ``done`` says the last
    stage is shown.  ``changed`` when it starts, stops or changes pace."""

    changed = Signal()

    def __init__(self, advance, done, parent=None):
        super().__init__(parent)
        self.advance, self.done = advance, done
        self.pace = 2.0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def toggle(self) -> None:
        self.stop() if self.playing else self.play()

    def play(self) -> None:
        if not self.done():
            self.timer.start(round(1000 / self.pace))
            self.changed.emit()

    def stop(self) -> None:
        if self.playing:
            self.timer.stop()
            self.changed.emit()

    def faster(self, steps: int) -> None:
        """Move ``steps`` paces along PACES (negative: slower)."""
        index = int(np.clip(np.searchsorted(PACES, self.pace) + steps, 0, len(PACES) - 1))
        self.pace = PACES[index]
        if self.playing:
            self.timer.start(round(1000 / self.pace))
        self.changed.emit()

    def _tick(self) -> None:
        self.advance()
        if self.done():
            self.stop()


def slow_motion_actions(make_action, view) -> list:
    """The window's slow-motion actions for the landscape ``view``, made by
    ``make_action(text, slot, keys, tip)``; the first is the checkable mode."""
    mode = make_action("Slow motion", view.set_slow_motion, ["M"],
                       "Show the batch sample by sample, then the update: . next, , back, P play")
    mode.setCheckable(True)
    player = view.player
    return [mode,
            make_action("Next sample", view.next_sample, ["."], "Slow motion: one stage more"),
            make_action("Previous sample", view.previous_sample, [","], "Slow motion: one stage back"),
            make_action("Play slow motion", lambda: (mode.isChecked() or mode.trigger(), player.toggle()),
                        ["P"], "Play the slow motion at its pace, or pause it"),
            make_action("Slower", lambda: player.faster(-1), ["["], "Slow motion: a slower pace"),
            make_action("Faster", lambda: player.faster(1), ["]"], "Slow motion: a faster pace")]
