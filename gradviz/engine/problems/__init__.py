"""The problems gradviz knows, by name.  A new problem is one module with a ProblemKind
(base.py) and one line in BUILT_IN; code outside the problems' modules asks the kind,
never which problem it is.  ``register`` adds one at run time (a plug-in, or a test)."""

from __future__ import annotations

from ..errors import ConfigError
from ..settings import Setting
from .bandit import KIND as BANDIT
from .bandit import BanditProblem
from .base import Batch, Plane, Problem, ProblemKind
from .categorical import CategoricalTerms, SoftmaxProblem
from .categorical import KIND as SOFTMAX
from .gaussian import KIND as GAUSSIAN
from .gaussian import GaussianProblem
from .gridworld import KIND as GRIDWORLD
from ..probability import softmax

BUILT_IN = (GAUSSIAN, SOFTMAX, BANDIT, GRIDWORLD)
KINDS: dict[str, ProblemKind] = {}


def register(kind: ProblemKind) -> ProblemKind:
    """Add a problem.  A setting it shares with another problem must be the same setting."""
    for setting in kind.settings:
        known = all_settings().get(setting.name)
        if known is not None and known != setting:
            raise ValueError(f"problem {kind.name!r}: setting {setting.name!r} differs from the "
                             "one another problem declares")
    KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    KINDS.pop(name, None)


def kind_of(name: str) -> ProblemKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ConfigError(f"problem: unknown problem {name!r} (choose from {', '.join(KINDS)})") from None


def all_settings() -> dict[str, Setting]:
    """Every problem's settings by name (a setting two problems share appears once)."""
    return {s.name: s for kind in KINDS.values() for s in kind.settings}


def users_of(name: str) -> list[str]:
    """The problems that use setting ``name``."""
    return [kind.name for kind in KINDS.values() if any(s.name == name for s in kind.settings)]


for _kind in BUILT_IN:
    register(_kind)

__all__ = ["BanditProblem", "Batch", "CategoricalTerms", "GaussianProblem", "KINDS", "Plane",
           "Problem", "ProblemKind", "SoftmaxProblem", "all_settings", "kind_of", "register",
           "softmax", "unregister", "users_of"]
