"""A run's configuration: every setting, validated with a message that names it.

The same validation serves the command line, session files (TOML) and the app.  A run is
a pure function of its config: the ``schedule`` records changes made mid-run (learning
rate, batch, …) at the step they took effect, so a saved session replays bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from .errors import ConfigError
from .problems import KINDS, all_settings, kind_of
from .settings import boolean as _bool
from .settings import choice as _choice
from .settings import integer as _integer
from .settings import number as _number
from .settings import vector as _vector
from .streams import GENERATORS

ESTIMATORS = {
    "score": "score function (the log-derivative trick): mean of (f(x) − b)·∇log p(x|θ)",
    "pathwise": "reparameterisation: mean of ∇θ f(μ + σε) (gaussian only)",
    "togo": "reward-to-go: Σ_t ∇log π(a_t|s_t) times the return after t only (trajectories; "
            "no baseline)",
    "value": "reward-to-go minus the exact state value, Σ_t (G_t − γ^t V(s_t)) ∇log π(a_t|s_t) "
             "(trajectories; no baseline)",
    "learned": "reward-to-go minus a learned state value, the running mean (--ema-rate) of the returns "
               "seen from each cell in earlier steps (trajectories; no baseline)",
    "exact": "the exact gradient, by enumeration, quadrature or dynamic programming (no sampling noise)",
}
BASELINES = {
    "none": "b = 0",
    "mean": "b = batch mean including the sample itself: biased by the factor (N−1)/N",
    "loo": "b_i = mean of the other N−1 rewards: unbiased",
    "average": "b = mean of all rewards so far, this batch's included (Sutton & Barto's R̄_t, "
               "eq. 2.12): slightly biased",
    "past": "b = mean of all rewards received before this step: unbiased",
    "ema": "b = exponential running average of past batch means (--ema-rate): unbiased",
    "optimal": "b_k ≈ E[f g_k²]/E[g_k²] per component (the variance-minimising constant), "
               "estimated from the other samples with E[g_k²] exact: unbiased",
}
OPTIMIZERS = {
    "sgd": "θ ← θ + α ĝ",
    "momentum": "v ← 0.9 v + ĝ;  θ ← θ + α v",
    "adam": "Adam (β₁ 0.9, β₂ 0.999, ε 1e-8), ascending",
}

MAX_BATCH = 1_000_000
MAX_RUNS = 10_000
MAX_NUMBERS_PER_STEP = 40_000_000  # runs × batch × parameters: bounds one step's memory
MAX_STEPS = 100_000_000
LR_RANGE = (1e-8, 1e3)

# the run's settings that may change between steps (a problem marks its own: Setting.live)
LIVE_RUN_SETTINGS = ("lr", "batch", "baseline", "estimator", "optimizer", "ema_rate", "seed", "freeze",
                     "runs", "theta")


def live_settings() -> tuple[str, ...]:
    """Every setting that may change between steps without restarting the run."""
    return LIVE_RUN_SETTINGS + tuple(s.name for s in all_settings().values() if s.live)


@dataclass(frozen=True)
class RunConfig:
    """Every setting of a run.  The problem's own settings (problems/…: σ, rewards, …) are
    kept in ``options`` and read as attributes (``config.sigma``); every registered
    problem's settings are kept, so switching problems back and forth loses nothing."""

    problem: str = "gaussian"
    estimator: str = "score"
    baseline: str = "none"
    ema_rate: float = 0.1
    optimizer: str = "sgd"
    lr: float = 0.5
    batch: int = 16
    steps: int = 200
    runs: int = 1
    theta0: tuple | None = None
    seed: int = 0
    generator: str = "sfc64"      # the random stream's bit generator (streams.py)
    theta_bound: float = 1e4
    freeze: bool = False          # hold θ: every step draws a new batch at the same θ
    schedule: tuple = field(default=())
    options: tuple = field(default=())    # (name, value) pairs of the problems' settings

    def __getattr__(self, name: str):
        if name.startswith("_") or name == "options":
            raise AttributeError(name)
        for key, value in self.options:
            if key == name:
                return value
        setting = all_settings().get(name)
        if setting is None:
            raise AttributeError(f"RunConfig has no setting {name!r}")
        return setting.default

    @property
    def kind(self):
        """The problem's kind (problems/base.py: ProblemKind)."""
        return kind_of(self.problem)

    @property
    def dim(self) -> int:
        """Number of parameters d."""
        return self.kind.dim(self)

    def initial_theta(self) -> tuple:
        """θ₀: as given, else the problem's own start."""
        return self.theta0 if self.theta0 is not None else tuple(self.kind.initial_theta(self))

    def with_changes(self, **changes) -> "RunConfig":
        """A validated copy with ``changes`` applied."""
        return from_mapping({**to_mapping(self), **changes})

    def replaced(self, **changes) -> "RunConfig":
        """A copy with already-validated ``changes`` (run settings or problem settings)."""
        own = {k: v for k, v in changes.items() if k in RUN_FIELDS}
        options = dict(self.options)
        options.update((k, v) for k, v in changes.items() if k not in RUN_FIELDS)
        return replace(self, **own, options=tuple(sorted(options.items())))


_FIELD_ORDER = [f.name for f in fields(RunConfig)]     # options last
RUN_FIELDS = frozenset(_FIELD_ORDER) - {"options"}


# --- validation ---------------------------------------------------------------------------

def validate_live(key, value, config: RunConfig):
    """Validate one live setting against the (already valid) config."""
    if key == "theta":
        return _vector("theta", value, length=config.dim)
    checked = from_mapping({**to_mapping(config), key: value, "schedule": ()})
    return getattr(checked, key)


def _schedule(value, config: RunConfig):
    """Each entry validated against the config as the entries before it left it, so a
    change that is only invalid in combination (a batch, then more runs) is refused on
    load, not met mid-run."""
    if not isinstance(value, (list, tuple)):
        raise ConfigError("schedule: must be a list of tables with a step and settings")
    entries, last, current = [], -1, config
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or "step" not in entry:
            raise ConfigError(f"schedule[{i}]: must be a table with a 'step' and settings")
        step = _integer(f"schedule[{i}].step", entry["step"], 0, MAX_STEPS)
        if step < last:
            raise ConfigError(f"schedule[{i}].step: steps must not decrease")
        last = step
        changes = {}
        for key, v in entry.items():
            if key == "step":
                continue
            if key not in live_settings():
                raise ConfigError(f"schedule[{i}]: {key!r} cannot change mid-run "
                                  f"(allowed: {', '.join(live_settings())})")
            try:
                changes[key] = validate_live(key, v, current)
            except ConfigError as err:
                raise ConfigError(f"schedule[{i}]: {err}") from None
        if "theta" in changes and max(map(abs, changes["theta"])) > current.theta_bound:
            raise ConfigError(f"schedule[{i}].theta: beyond the divergence bound "
                              f"{current.theta_bound:g}")
        settled = {k: v for k, v in changes.items() if k != "theta"}
        if settled:
            try:
                current = from_mapping({**to_mapping(current), **settled, "schedule": ()})
            except ConfigError as err:
                raise ConfigError(f"schedule[{i}]: {err}") from None
        entries.append({"step": step, **changes})
    return tuple(entries)


def from_mapping(values: dict[str, Any]) -> RunConfig:
    """Build a RunConfig from plain values (TOML, command line), checking every one: the
    run's settings here, every problem's settings by their schema, then the chosen
    problem's own checks (ProblemKind.check)."""
    if not isinstance(values, dict):
        raise ConfigError("config: must be a table of settings")
    schema = all_settings()
    known = RUN_FIELDS | set(schema)
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
    v = {**to_mapping(RunConfig()), **values}
    kind = kind_of(_choice("problem", v["problem"], problems()))
    cfg = RunConfig(
        problem=kind.name,
        estimator=_choice("estimator", v["estimator"], ESTIMATORS),
        baseline=_choice("baseline", v["baseline"], BASELINES),
        ema_rate=_number("ema_rate", v["ema_rate"], 0.0, 1.0, lo_open=True),
        optimizer=_choice("optimizer", v["optimizer"], OPTIMIZERS),
        lr=_number("lr", v["lr"], LR_RANGE[0], LR_RANGE[1]),
        batch=_integer("batch", v["batch"], 1, MAX_BATCH),
        steps=_integer("steps", v["steps"], 0, MAX_STEPS),
        runs=_integer("runs", v["runs"], 1, MAX_RUNS),
        theta0=None,
        seed=_integer("seed", v["seed"], 0, 2**63 - 1),
        generator=_choice("generator", v["generator"], GENERATORS),
        theta_bound=_number("theta_bound", v["theta_bound"], 0.0, 1e12, lo_open=True),
        freeze=_bool("freeze", v["freeze"]),
        options=tuple(sorted((name, setting.parse(v.get(name, setting.default)))
                             for name, setting in schema.items())),
    )
    kind.check(cfg)
    if cfg.estimator not in kind.estimators:
        raise ConfigError(f"estimator: {cfg.estimator} is not available for the {kind.name} "
                          f"problem (choose from {', '.join(kind.estimators)})")
    if cfg.runs * cfg.batch * cfg.dim > MAX_NUMBERS_PER_STEP:
        raise ConfigError(f"runs × batch × parameters = {cfg.runs:,} × {cfg.batch:,} × {cfg.dim} is "
                          f"over {MAX_NUMBERS_PER_STEP:,} numbers a step (memory)")
    if v.get("theta0") is not None:
        theta0 = _vector("theta0", v["theta0"], length=cfg.dim)
        if max(abs(t) for t in theta0) > cfg.theta_bound:
            raise ConfigError(f"theta0: beyond the divergence bound {cfg.theta_bound:g}")
        cfg = replace(cfg, theta0=theta0)
    return replace(cfg, schedule=_schedule(v["schedule"], cfg))


def problems() -> dict[str, str]:
    """Every registered problem's name and description."""
    return {name: kind.description for name, kind in KINDS.items()}


def to_mapping(config: RunConfig) -> dict[str, Any]:
    """Plain values (lists, not tuples), as TOML stores them, with the problems' settings
    alongside the run's; None values left out."""
    out = {}
    problem_settings = dict.fromkeys([*all_settings(), *(name for name, _ in config.options)])
    for key in [*_FIELD_ORDER[:-1], *problem_settings]:
        value = getattr(config, key)
        if value is None:
            continue
        if key == "schedule":
            value = [{k: list(v) if isinstance(v, tuple) else v for k, v in e.items()}
                     for e in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out
