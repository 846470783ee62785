"""Small probability helpers shared by the categorical problems and their drawings."""

import numpy as np


def softmax(theta: np.ndarray, action_major: bool = False) -> np.ndarray:
    """π = exp(θ − max θ) / Σ exp(θ − max θ) over the last axis: stable for logits up to ±1e300.

    The maximum and the sum run across the other axes, the last one moved to the front:
    numpy reduces a short last axis row by row, slowly.  Working in place on that one copy
    halves the time again: 2000 replicas × 10 arms of N(0, 1) logits, 78 µs, where the same
    steps with temporaries took 167 µs and the direct way 176 µs.  With ``action_major`` π
    is returned as it was computed, action by action in memory (numpy's F order for a 2-D
    θ), which later reductions and broadcasts across actions run along fast (categorical.py)."""
    t = np.asarray(theta, dtype=float)
    if t.ndim == 1:
        z = np.exp(t - t.max())
        return z / z.sum()
    z = np.moveaxis(t, -1, 0).copy()        # always a copy: it is written below
    z -= z.max(axis=0)
    np.exp(z, out=z)
    z *= 1.0 / z.sum(axis=0)                # a product: division is 3× slower here
    z = np.moveaxis(z, 0, -1)
    return z if action_major else np.ascontiguousarray(z)
