"""The catalogue of 2-D reward landscapes f(x, y) for the gaussian problem.

Each reward teaches one lesson.  ``scale`` is the width of its narrowest feature; the
quadrature that computes exact J = E[f(x)] uses it to choose a fine enough grid.
"""

from __future__ import annotations

import functools

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import ConfigError
from .formula import Formula
from .quadrature import widest_sigma

VIEW = (-4.0, 4.0, -4.0, 4.0)
FORMULA_SCALE = 0.1


def _bump(x, y, cx, cy, height, width):
    """height · exp(−((x−cx)² + (y−cy)²) / (2 width²))"""
    return height * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2.0 * width**2))


def _sigmoid(z):
    """1 / (1 + e^−z), written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def hill(x, y):
    return _bump(x, y, 1.0, 0.5, 1.0, 1.0)


def hills(x, y):
    return (_bump(x, y, -1.5, 1.0, 0.6, 0.6) + _bump(x, y, 1.5, 1.2, 1.0, 0.5)
            + _bump(x, y, 0.0, -1.5, 0.8, 0.6))


def ridge(x, y):
    return np.exp(-((y - 0.5 * x**2 + 1.0) ** 2) / (2 * 0.2**2) - (x - 1.5) ** 2 / 8.0)


def plateau(x, y):
    return _sigmoid((0.64 - (x - 2.0) ** 2 - (y - 2.0) ** 2) / 0.15)


def positive(x, y):
    return 5.0 + _bump(x, y, 1.0, 1.0, 2.0, 1.0)


def linear(x, y):
    return x + 0.5 * y


@dataclass(frozen=True)
class Reward:
    """A reward f: R² → R, vectorised over arrays of points."""

    name: str
    func: Callable[[np.ndarray, np.ndarray], np.ndarray]
    description: str
    scale: float = FORMULA_SCALE
    view: tuple = VIEW
    smooth: bool = True

    @property
    def widest_sigma(self) -> float:
        """The widest σ at which exact J stays exact (quadrature.py)."""
        return widest_sigma(self.scale)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """f(x, y) elementwise, for arrays x and y that broadcast together: a new float array
        of their broadcast shape (the caller may write into it)."""
        with np.errstate(all="ignore"):
            value = np.asarray(self.func(x, y), dtype=float)
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        return value if value.shape == shape else np.broadcast_to(value, shape).copy()

    def gradient(self, x: np.ndarray, y: np.ndarray, step: float = 1e-5):
        """(∂f/∂x, ∂f/∂y) by central differences (f(p + h e) − f(p − h e)) / 2h,
        h = step·max(1, |p|): error O(h²) ≈ 1e-10 for smooth f."""
        hx = step * np.maximum(1.0, np.abs(x))
        hy = step * np.maximum(1.0, np.abs(y))
        return ((self(x + hx, y) - self(x - hx, y)) / (2 * hx),
                (self(x, y + hy) - self(x, y - hy)) / (2 * hy))


CATALOGUE = {
    r.name: r
    for r in (
        Reward("hill", hill, "one smooth hill: every estimator climbs it; "
               "watch the noise shrink as the batch grows", scale=1.0),
        Reward("hills", hills, "three hills of heights 0.6, 1.0, 0.8: local optima; a small σ "
               "stops on the nearest hill, a large σ smooths them into one", scale=0.5),
        Reward("ridge", ridge, "a narrow curved ridge: noisy estimates zig-zag across it; "
               "momentum and Adam follow it", scale=0.2),
        Reward("plateau", plateau, "a mesa at (2, 2), flat almost everywhere: far from it the "
               "true gradient vanishes, so only a wide σ finds it", scale=0.15),
        Reward("positive", positive, "rewards all ≥ 5: without a baseline every contribution "
               "pulls θ towards its own sample; a baseline removes the offset", scale=1.0),
        Reward("linear", linear, "the plane x + y/2: ∇J = (1, 0.5) for every θ and σ, the "
               "plainest check that the estimate is unbiased", scale=10.0),
    )
}


def resolve_reward(text: str) -> Reward:
    """A catalogue name, or else a formula in x and y (raises FormulaError if unsafe).
    Rewards are immutable: a formula is compiled once per text (the worker asks for the
    landscape's reward after every burst)."""
    if not isinstance(text, str):
        raise ConfigError("reward: must be a catalogue name or a formula in x and y")
    return _resolve(text)


@functools.lru_cache(maxsize=64)
def _resolve(text: str) -> Reward:
    if text.strip() in CATALOGUE:
        return CATALOGUE[text.strip()]
    if text.strip().isidentifier() and text.strip() not in ("x", "y", "pi", "e"):
        raise ConfigError(f"reward: unknown name {text.strip()!r} "
                          f"(catalogue: {', '.join(CATALOGUE)}; or a formula in x and y)")
    formula = Formula(text)
    return Reward(formula.text, formula, "user formula", smooth=formula.smooth)
