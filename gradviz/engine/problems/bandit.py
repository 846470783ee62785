"""The k-armed bandit testbed (Sutton & Barto, ch. 2): a softmax policy over K arms whose
true values q*(a) ~ N(offset, 1) are drawn once per replica; a pull pays q*(a) + N(0, 1)."""

from __future__ import annotations

import numpy as np

from ..settings import Setting
from .base import ProblemKind
from .categorical import SoftmaxProblem


class BanditProblem(SoftmaxProblem):
    """The k-armed testbed: each replica draws q*(a) ~ N(offset, 1); a pull pays q*(a) + N(0, 1)."""

    def __init__(self, arms: int, offset: float, replicas: int, rng: np.random.Generator):
        super().__init__(np.zeros(arms), noise=1.0)
        self.q_star = np.asfortranarray(offset + rng.standard_normal((replicas, arms)))  # as π is

    def action_values(self, replicas: int) -> np.ndarray:
        return self.q_star

    def values_of(self, actions: np.ndarray) -> np.ndarray:
        """q*(a) of each replica's actions, read from q* laid out action by action."""
        replicas = actions.shape[0]
        return self.q_star.ravel(order="F")[actions * replicas + np.arange(replicas)[:, None]]

    def select(self, index: np.ndarray) -> None:
        self.q_star = np.asfortranarray(self.q_star[index])
        self._best = None

    def update(self, key: str, value, theta: np.ndarray) -> np.ndarray:
        return theta    # the testbed's noise is N(0, 1) by definition


class BanditKind(ProblemKind):
    name = "bandit"
    description = "the k-armed testbed: q*(a) ~ N(offset, 1) per run, pulls pay q*(a) + N(0, 1)"
    settings = (
        Setting("arms", "integer", 10, label="arms", lo=2, hi=1000,
                help="number of arms K; each run draws its true values q*(a) ~ N(offset, 1)"),
        Setting("offset", "number", 0.0, label="offset", lo=-1e6, hi=1e6,
                help="mean of the true arm values (a large offset makes every reward positive: "
                     "the classic case for a baseline)"),
    )

    def dim(self, config) -> int:
        return config.arms

    def build(self, config, rng) -> BanditProblem:
        return BanditProblem(config.arms, config.offset, config.runs, rng)

    def parameter_names(self, config) -> list[str]:
        return [f"θ{k + 1} (arm {k + 1})" for k in range(self.dim(config))]


KIND = BanditKind()
