"""Round numbers for scales, counts and ranges: m × 10ᵏ with m from a short list."""

from __future__ import annotations

import math

ONE_TWO_FIVE = (1.0, 2.0, 5.0)                 # arrow scales and counts a legend can state
FINE = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)          # axis ends: the data fill most of the range
_TOLERANCE = 1e-9                               # log10 and products round in the last bits


def nice_above(value: float, mantissas=ONE_TWO_FIVE) -> float:
    """The smallest m × 10ᵏ ≥ ``value`` with m in ``mantissas`` (1 if value ≤ 0 or is not
    finite)."""
    if not (math.isfinite(value) and value > 0):
        return 1.0
    k = math.floor(math.log10(value))
    return min(m * 10.0 ** e for e in (k, k + 1) for m in mantissas
               if m * 10.0 ** e >= value * (1 - _TOLERANCE))


def nice_below(value: float, mantissas=ONE_TWO_FIVE) -> float:
    """The largest m × 10ᵏ ≤ ``value`` with m in ``mantissas`` (value > 0)."""
    k = math.floor(math.log10(value))
    return max(m * 10.0 ** e for e in (k - 1, k) for m in mantissas
               if m * 10.0 ** e <= value * (1 + _TOLERANCE))
