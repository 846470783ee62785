"""Small probability helpers shared by the categorical problems and their drawings."""

import numpy as np


def softmax(theta: np.ndarray) -> np.ndarray:
    """π = exp(θ − max θ) / Σ exp(θ − max θ) over the last axis: stable for logits up to ±1e300."""
    z = np.exp(theta - theta.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)
