"""Freeze θ and resample, drawn on the landscape: with θ held (RunConfig.freeze) every step
is a new batch at the same θ; the tip of each estimate ĝ is a dot, and their running mean
(a ring) with its 2-standard-error ellipse closes in on the exact gradient's tip as the
batches add up: unbiasedness made visible."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QPainterPath

from ...engine.history import COLUMN
from .. import style
from ..arrows import unit_circle
from .native import Marker, disc_item, discs_path, path_item, pixel_radius, polyline_path, qpen

MAX_TIPS = 400          # the newest tips drawn (the mean takes every batch kept)


def held_estimates(rows: np.ndarray) -> np.ndarray:
    """The estimates (n, 2) of the trailing rows taken at the newest row's θ (the steps
    since θ was last held), in the drawn plane."""
    if len(rows) == 0:
        return np.empty((0, 2))
    here = rows[-1, [COLUMN["plane_x"], COLUMN["plane_y"]]]
    same = (rows[:, COLUMN["plane_x"]] == here[0]) & (rows[:, COLUMN["plane_y"]] == here[1])
    start = len(same) - np.argmin(same[::-1]) if not same.all() else 0
    return rows[start:, [COLUMN["estimate_x"], COLUMN["estimate_y"]]]


class ResampleOverlay:
    """The tips, their mean and its ellipse, as items of ``plot`` at depth ``z``."""

    def __init__(self, plot, z: float):
        self.plot = plot
        self.tips = disc_item(plot, style.ESTIMATE, alpha=120, z=z)
        self.ellipse = path_item(plot, qpen(style.ESTIMATE, 2, alpha=230), z=z + 1)
        self.mean = Marker(plot, style.ESTIMATE, (6.0, 3.5), z=z + 2)
        self.ellipse.setPath(polyline_path(*unit_circle()))
        self.batches = 0            # estimates in the mean last drawn
        self.hide()

    def hide(self) -> None:
        self.batches = 0
        self.tips.setPath(QPainterPath())
        self.ellipse.setVisible(False)
        for item in self.mean.items:
            item.setVisible(False)

    def show(self, here: np.ndarray, scale: float, estimates: np.ndarray, ellipse) -> None:
        """Tips at here + scale·ĝ; the mean's ring and, from ``ellipse(centre, cov, scale)``
        (the landscape's own map of a covariance to an ellipse), its 2-s.e. ellipse."""
        estimates = estimates[np.isfinite(estimates).all(axis=1)]
        self.batches = n = len(estimates)
        if n == 0:
            self.hide()
            return
        tips = here + scale * estimates[-MAX_TIPS:]
        self.tips.setPath(discs_path(tips[:, 0], tips[:, 1], pixel_radius(self.plot, 2.2), 8))
        mean = estimates.mean(axis=0)
        centre = here + scale * mean
        for item in self.mean.items:
            item.setVisible(True)
        self.mean.move_to(*centre)
        transform = ellipse(centre, np.cov(estimates.T) / n, scale) if n > 2 else None
        self.ellipse.setVisible(transform is not None)
        if transform is not None:
            self.ellipse.setTransform(transform)
