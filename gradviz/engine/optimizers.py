"""Gradient-ascent rules, vectorised over replicas: θ (R, d), ĝ (R, d).

Each ``proposal`` is pure: it returns the new θ and the new optimiser state, so a step that
is refused (divergence) leaves everything as it was.
"""

from __future__ import annotations

import numpy as np

MOMENTUM = 0.9
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8


def initial_state(theta: np.ndarray) -> dict:
    """Zero velocity and moments; t counts Adam's updates for its bias correction."""
    return {"v": np.zeros_like(theta), "m": np.zeros_like(theta), "s": np.zeros_like(theta), "t": 0}


def proposal(name: str, theta: np.ndarray, grad: np.ndarray, lr: float, state: dict):
    """(θ_new, state_new) for one ascent step.

    sgd:      θ ← θ + α ĝ
    momentum: v ← 0.9 v + ĝ;  θ ← θ + α v
    adam:     m ← β₁m + (1−β₁)ĝ;  s ← β₂s + (1−β₂)ĝ²;  θ ← θ + α m̂/(√ŝ + ε),
              m̂ = m/(1−β₁ᵗ), ŝ = s/(1−β₂ᵗ)
    """
    if name == "sgd":
        return theta + lr * grad, state
    if name == "momentum":
        v = MOMENTUM * state["v"] + grad
        return theta + lr * v, {**state, "v": v}
    if name == "adam":
        t = state["t"] + 1
        m = ADAM_BETA1 * state["m"] + (1 - ADAM_BETA1) * grad
        s = ADAM_BETA2 * state["s"] + (1 - ADAM_BETA2) * grad * grad
        step = (m / (1 - ADAM_BETA1**t)) / (np.sqrt(s / (1 - ADAM_BETA2**t)) + ADAM_EPS)
        return theta + lr * step, {**state, "m": m, "s": s, "t": t}
    raise ValueError(f"unknown optimizer {name!r}")


def select(state: dict, index: np.ndarray) -> dict:
    """The state of replicas ``index``."""
    return {k: (v[index] if isinstance(v, np.ndarray) else v) for k, v in state.items()}
