"""Small probability helpers shared by the categorical problems and their drawings."""

import numpy as np


def softmax(theta: np.ndarray) -> np.ndarray:
    """π = exp(θ − max θ) / Σ exp(θ − max θ) over the last axis: stable for logits up to ±1e300.

    The maximum and the sum run across the other axes, the last one moved to the front:
    numpy reduces a short last axis row by row, slowly (2000 replicas × 10 arms: 77 µs
    this way, 181 µs the direct way)."""
    t = np.asarray(theta, dtype=float)
    if t.ndim == 1:
        z = np.exp(t - t.max())
        return z / z.sum()
    t = np.ascontiguousarray(np.moveaxis(t, -1, 0))
    z = np.exp(t - t.max(axis=0))
    z /= z.sum(axis=0)
    return np.ascontiguousarray(np.moveaxis(z, 0, -1))
