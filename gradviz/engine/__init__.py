"""The numeric engine: policies, rewards, estimators and ascent, with no Qt in it."""

from .config import RunConfig, from_mapping
from .errors import ConfigError, FormulaError, RunStopped
from .run import Run, StepRecord

__all__ = ["RunConfig", "from_mapping", "ConfigError", "FormulaError", "RunStopped", "Run",
           "StepRecord"]
