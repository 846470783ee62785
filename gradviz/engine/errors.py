"""Errors the engine raises: each carries a message fit to show a user as it is."""


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the setting and what is allowed."""


class FormulaError(ConfigError):
    """A reward formula does not parse, names something unknown, or is unsafe."""


class RunStopped(RuntimeError):
    """The run cannot go on (non-finite reward, divergence); θ is left at its last good value."""

    def __init__(self, reason: str, step: int):
        super().__init__(f"run stopped at step {step}: {reason}")
        self.reason = reason
        self.step = step


class InexactError(ArithmeticError):
    """Exact J cannot be computed to its stated accuracy here (an infinite or slowly
    converging expectation, a non-smooth reward whose grids do not agree); the message
    says why, fit to show a user."""
