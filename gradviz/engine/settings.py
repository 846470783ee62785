"""Settings as a schema: each one names its type, range, default and help once, and the
command line, session files, the app's controls and validation all read that.

A problem brings its own settings (problems/…); the run's settings (estimator, batch, …)
are fields of RunConfig, checked with the same validators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import ConfigError


def number(key, value, lo=-math.inf, hi=math.inf, lo_open=False) -> float:
    """A finite float in [lo, hi] (or (lo, hi] when ``lo_open``); strings are parsed."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value) if isinstance(value, str) else None
        except ValueError:
            raise ConfigError(f"{key}: must be a number, not {value!r}") from None
        if value is None:
            raise ConfigError(f"{key}: must be a number")
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(f"{key}: must be a finite number, not {value}")
    if value < lo or value > hi or (lo_open and value == lo):
        bound = f"> {lo:g}" if lo_open else f"≥ {lo:g}"
        raise ConfigError(f"{key}: {value:g} is out of range (must be {bound} and ≤ {hi:g})")
    return value


def integer(key, value, lo, hi) -> int:
    """A whole number in [lo, hi] (a float that is whole, or a string, is accepted)."""
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise ConfigError(f"{key}: must be a whole number, not {value!r}") from None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{key}: must be a whole number")
    if not lo <= value <= hi:
        raise ConfigError(f"{key}: {value} is out of range ({lo} … {hi})")
    return value


def choice(key, value, options) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: must be a name (one of {', '.join(options)}), not {value!r}")
    if value not in options:
        raise ConfigError(f"{key}: unknown {key} {value!r} (choose from {', '.join(options)})")
    return value


def boolean(key, value) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key}: must be true or false")
    return value


def vector(key, value, length=None, min_length=1, max_length=None) -> tuple:
    """A tuple of finite floats; a string is split at commas."""
    if isinstance(value, str):
        try:
            value = [float(v) for v in value.split(",")]
        except ValueError:
            raise ConfigError(f"{key}: must be comma-separated numbers, not {value!r}") from None
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{key}: must be a list of numbers")
    if max_length is not None and len(value) > max_length:
        raise ConfigError(f"{key}: at most {max_length} numbers")
    result = tuple(number(key, v) for v in value)
    if length is not None and len(result) != length:
        raise ConfigError(f"{key}: needs {length} numbers for this problem, got {len(result)}")
    if len(result) < min_length:
        raise ConfigError(f"{key}: needs at least {min_length} numbers")
    return result


def text(key, value) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: must be text")
    return value.strip()


@dataclass(frozen=True)
class Setting:
    """One setting of a problem.

    ``kind`` says how it is typed and shown: "number", "integer", "log" (a number on a
    logarithmic slider), "bool", "vector" (comma-separated numbers), "choice" (one of
    ``suggestions``'s names) or "text" (free text, with ``suggestions`` offered, each with a
    sentence that says what it is).  ``live`` settings may change between steps; the others
    start a new run.  ``label`` is the control's label, ``help`` the command line's and the
    tooltip's text."""

    name: str
    kind: str
    default: object
    help: str
    label: str = ""
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    min_length: int = 1
    max_length: int | None = None
    suggestions: tuple = ()         # (name, what it is) pairs offered for a "text" setting
    live: bool = False
    applies_when: tuple = ()        # (setting, value) pairs under which it matters at all

    def applies(self, config) -> bool:
        """Whether the setting matters under ``config`` (the app greys it out otherwise)."""
        return all(getattr(config, name) == value for name, value in self.applies_when)

    def parse(self, value):
        """The value checked and converted; a ConfigError names the setting."""
        if self.kind in ("number", "log"):
            return number(self.name, value, self.lo, self.hi, self.lo_open)
        if self.kind == "integer":
            return integer(self.name, value, int(self.lo), int(self.hi))
        if self.kind == "bool":
            return boolean(self.name, value)
        if self.kind == "choice":
            return choice(self.name, value, [name for name, _ in self.suggestions])
        if self.kind == "vector":
            return vector(self.name, value, min_length=self.min_length, max_length=self.max_length)
        return text(self.name, value)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")
