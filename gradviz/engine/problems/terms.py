"""One replica's per-sample terms as a read-only (N, d) array that is built only where it
is read.  A summed estimate (Problem.summed_estimate) never forms the terms cᵢ = wᵢ vᵢ;
the record still offers them, for the app's arrows and histogram, at the cost of the rows
and columns read: ``terms[:, k]`` (a component's N values), ``terms[i]`` (one sample's d
values), ``terms[:m]`` (the first m samples) or ``np.asarray(terms)`` (all)."""

from __future__ import annotations

import numpy as np


class LazyTerms:
    """Terms wᵢ vᵢ with weights w (N,); a subclass builds the vectors vᵢ (``vectors``)."""

    def __init__(self, weights: np.ndarray, n: int, d: int):
        self.weights = weights.view()
        self.weights.setflags(write=False)
        self.shape = (n, d)

    def vectors(self, rows, columns) -> np.ndarray:
        """vᵢ for the rows and columns asked for, shaped as ndarray indexing would give."""
        raise NotImplementedError

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index):
        rows, columns = index if isinstance(index, tuple) else (index, slice(None))
        vectors = self.vectors(rows, columns)
        weights = np.asarray(self.weights[rows])
        return weights.reshape(weights.shape + (1,) * (vectors.ndim - weights.ndim)) * vectors

    def __setitem__(self, index, value):
        raise ValueError("per-sample terms are read-only, as records are")

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self[:, :], dtype=dtype)

    @property
    def T(self) -> np.ndarray:
        return np.asarray(self).T
