"""A run's configuration: every setting, validated with a message that names it.

The same validation serves the command line, session files (TOML) and the app.  A run is
a pure function of its config: the ``schedule`` records changes made mid-run (learning
rate, batch, …) at the step they took effect, so a saved session replays bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from .errors import ConfigError

PROBLEMS = {
    "gaussian": "x ~ N(μ, σ²I) in the plane, reward f(x) from the catalogue or a formula; θ = μ "
                "(or (μ, log σ) with --learn-sigma)",
    "softmax": "categorical over K actions with logits θ and fixed rewards (--rewards)",
    "bandit": "the k-armed testbed: q*(a) ~ N(offset, 1) per run, pulls pay q*(a) + N(0, 1)",
}
ESTIMATORS = {
    "score": "score function (the log-derivative trick): mean of (f(x) − b)·∇log p(x|θ)",
    "pathwise": "reparameterisation: mean of ∇θ f(μ + σε) (gaussian only)",
    "exact": "the exact gradient, by enumeration or quadrature (no sampling noise)",
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
SIGMA_RANGE = (0.01, 10.0)
LR_RANGE = (1e-8, 1e3)

# settings that may change between steps without restarting the run
LIVE_SETTINGS = ("lr", "batch", "baseline", "estimator", "optimizer", "sigma", "ema_rate",
                 "noise", "seed", "runs", "theta")


@dataclass(frozen=True)
class RunConfig:
    problem: str = "gaussian"
    reward: str = "hills"
    rewards: tuple = (1.0, 2.0, -0.5)
    arms: int = 10
    offset: float = 0.0
    sigma: float = 0.5
    learn_sigma: bool = False
    noise: float = 0.0
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
    theta_bound: float = 1e4
    schedule: tuple = field(default=())

    @property
    def dim(self) -> int:
        """Number of parameters d."""
        if self.problem == "gaussian":
            return 3 if self.learn_sigma else 2
        return len(self.rewards) if self.problem == "softmax" else self.arms

    def initial_theta(self) -> tuple:
        """θ₀: as given, else gaussian (−1, −2.5[, log σ]) and zero logits."""
        if self.theta0 is not None:
            return self.theta0
        if self.problem == "gaussian":
            return (-1.0, -2.5) + ((math.log(self.sigma),) if self.learn_sigma else ())
        return (0.0,) * self.dim

    def with_changes(self, **changes) -> "RunConfig":
        """A validated copy with ``changes`` applied."""
        return from_mapping({**to_mapping(self), **changes})


# --- validation ---------------------------------------------------------------------------

def _number(key, value, lo=-math.inf, hi=math.inf, lo_open=False):
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


def _integer(key, value, lo, hi):
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


def _choice(key, value, options):
    if not isinstance(value, str):
        raise ConfigError(f"{key}: must be a name (one of {', '.join(options)}), not {value!r}")
    if value not in options:
        raise ConfigError(f"{key}: unknown {key} {value!r} (choose from {', '.join(options)})")
    return value


def _bool(key, value):
    if not isinstance(value, bool):
        raise ConfigError(f"{key}: must be true or false")
    return value


def _vector(key, value, length=None, min_length=1):
    if isinstance(value, str):
        try:
            value = [float(v) for v in value.split(",")]
        except ValueError:
            raise ConfigError(f"{key}: must be comma-separated numbers, not {value!r}") from None
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{key}: must be a list of numbers")
    vector = tuple(_number(key, v) for v in value)
    if length is not None and len(vector) != length:
        raise ConfigError(f"{key}: needs {length} numbers for this problem, got {len(vector)}")
    if len(vector) < min_length:
        raise ConfigError(f"{key}: needs at least {min_length} numbers")
    return vector


def _live(key, value, config: RunConfig):
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
            if key not in LIVE_SETTINGS:
                raise ConfigError(f"schedule[{i}]: {key!r} cannot change mid-run "
                                  f"(allowed: {', '.join(LIVE_SETTINGS)})")
            try:
                changes[key] = _live(key, v, current)
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
    """Build a RunConfig from plain values (TOML, command line), checking every one."""
    if not isinstance(values, dict):
        raise ConfigError("config: must be a table of settings")
    known = {f.name for f in fields(RunConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
    v = {**to_mapping(RunConfig()), **values}
    problem = _choice("problem", v["problem"], PROBLEMS)
    cfg = RunConfig(
        problem=problem,
        reward=_reward_text(v["reward"], problem),
        rewards=_vector("rewards", v["rewards"], min_length=2),
        arms=_integer("arms", v["arms"], 2, 1000),
        offset=_number("offset", v["offset"], -1e6, 1e6),
        sigma=_number("sigma", v["sigma"], *SIGMA_RANGE),
        learn_sigma=_bool("learn_sigma", v["learn_sigma"]),
        noise=_number("noise", v["noise"], 0.0, 1e6),
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
        theta_bound=_number("theta_bound", v["theta_bound"], 0.0, 1e12, lo_open=True),
    )
    if problem == "gaussian":
        from .rewards import resolve_reward
        reward = resolve_reward(cfg.reward)
        if cfg.sigma > reward.widest_sigma:
            raise ConfigError(f"sigma: {cfg.sigma:g} is wider than {reward.widest_sigma:g}, the "
                              "widest σ at which exact J stays exact for this reward (its "
                              f"narrowest feature is {reward.scale:g} wide)")
    if len(cfg.rewards) > 1000:
        raise ConfigError("rewards: at most 1000 actions")
    if cfg.estimator == "pathwise" and problem != "gaussian":
        raise ConfigError("estimator: pathwise needs a differentiable x, so only the gaussian problem")
    if cfg.runs * cfg.batch * cfg.dim > MAX_NUMBERS_PER_STEP:
        raise ConfigError(f"runs × batch × parameters = {cfg.runs:,} × {cfg.batch:,} × {cfg.dim} is "
                          f"over {MAX_NUMBERS_PER_STEP:,} numbers a step (memory)")
    if v.get("theta0") is not None:
        theta0 = _vector("theta0", v["theta0"], length=cfg.dim)
        if max(abs(t) for t in theta0) > cfg.theta_bound:
            raise ConfigError(f"theta0: beyond the divergence bound {cfg.theta_bound:g}")
        cfg = replace(cfg, theta0=theta0)
    return replace(cfg, schedule=_schedule(v["schedule"], cfg))


def _reward_text(value, problem):
    if not isinstance(value, str):
        raise ConfigError("reward: must be a catalogue name or a formula in x and y")
    if problem == "gaussian":
        from .rewards import resolve_reward
        resolve_reward(value)  # raises a ConfigError naming what is wrong
    return value.strip()


def to_mapping(config: RunConfig) -> dict[str, Any]:
    """Plain values (lists, not tuples), as TOML stores them; None values left out."""
    out = {}
    for key, value in asdict(config).items():
        if value is None:
            continue
        if key == "schedule":
            value = [{k: list(v) if isinstance(v, tuple) else v for k, v in e.items()}
                     for e in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out
