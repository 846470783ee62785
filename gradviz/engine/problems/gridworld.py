"""The seed's chess-board case: a policy π_θ(a|s) over the cells of a gridworld, episodes
τ = (s₀, a₀, r₁, s₁, …) sampled from it, and f(τ) their discounted return.

The trick on a trajectory: p(τ|θ) = Π_t π(a_t|s_t) P(s_{t+1}|s_t, a_t), so
∇θ log p(τ|θ) = Σ_t ∇θ log π(a_t|s_t): the dynamics P drop out, and the estimate needs no
model of the world.  The exact J and ∇J come from dynamic programming (engine/grid.py),
which does need the model: that is the sum over every trajectory the samples avoid.

Estimators: score (the whole return times Σ_t ∇log π), togo (reward-to-go: each
∇log π(a_t|s_t) times the return after t, G_t = Σ_{t'≥t} γ^{t'} r_{t'+1}), value (G_t minus
γ^t V_{H−t}(s_t), the exact state value with H − t actions left), learned (G_t minus
γ^t V̂(s_t), V̂ a running mean of the returns seen from each cell in earlier steps), exact.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import ConfigError
from ..cell_policy import MLPPolicy, TabularPolicy
from ..grid import ACTIONS, Dynamics, Episodes, GridMap, parse
from ..probability import softmax
from ..settings import Setting
from .base import Batch, Problem, ProblemKind

MAPS = {        # named maps: --grid NAME, or a map of your own
    "cliff": ("...../...../SXXXG", "the short path runs beside three pits, the safe one two rows "
                                   "up: slip, γ and the step reward decide which is best"),
    "tiny": ("S.X/..G", "two by three, small enough to enumerate every trajectory by hand"),
    "rooms": ("S..#..../...#..X./......../...#...G", "two rooms joined by a door, a pit near "
                                                      "the goal"),
    "bridge": ("#.....#/S..X..G/#.....#", "a hole in the middle of a bridge: round it above or "
                                          "below"),
}
GRIDS = tuple((name, f"{text}  {description}") for name, (text, description) in MAPS.items())
MAX_EPISODE_NUMBERS = 40_000_000   # runs × batch × max(H, 4 cells): bounds one step's memory
DRAWN_EPISODES = 1000      # replica 0's episodes reported for drawing (all are used in ĝ)


@dataclass(frozen=True)
class GridReport:
    """What the app draws of one step (replica 0): the map, π(·|s) at θ_t (S, 4), up to
    DRAWN_EPISODES episodes (their nodes (T, n) while alive, the node each ended in, their
    returns), the batch's visits to each cell (S,) and the exact expected visits
    Σ_t d_t(s) (S,)."""

    grid: GridMap
    policy: np.ndarray
    states: np.ndarray
    alive: np.ndarray
    last: np.ndarray
    returns: np.ndarray
    visits: np.ndarray
    expected_visits: np.ndarray


class GridworldProblem(Problem):
    """Episodes from S under π_θ; θ parameterises the logits of every decision cell (a
    table, or a network), and every gradient with respect to the logits is carried to θ by
    the parameterisation's backward pass (the chain rule)."""

    def __init__(self, dynamics: Dynamics, parameters):
        self.dynamics = dynamics
        self.parameters = parameters
        self.dim = parameters.dim
        self.sample_cost = 4.0 * dynamics.horizon + parameters.dim    # an episode, measured ≈ so
        self.exact_cost = float(dynamics.grid.states * dynamics.horizon)   # the programme's size
        self._policy = (None, None)
        self._programme = (None, None)
        self.learned = None            # V̂(s) per replica (R, S), learned from earlier steps

    def policy(self, theta: np.ndarray) -> np.ndarray:
        """π(·|s) for every replica and cell (R, S, 4), cached per read-only θ (as the
        softmax problem does)."""
        seen, pi = self._policy
        if seen is not theta or theta.flags.writeable:
            pi = softmax(self.parameters.logits(theta))
            self._policy = (theta, pi)
        return pi

    def sample(self, theta: np.ndarray, n: int, rng: np.random.Generator) -> Batch:
        return Batch(extra=self.dynamics.trajectories(self.policy(theta), n, rng))

    def reward(self, batch: Batch, rng: np.random.Generator) -> np.ndarray:
        return batch.extra.returns()

    def _to_theta(self, theta: np.ndarray, logit_terms: np.ndarray) -> np.ndarray:
        """Per-episode gradients in logit space (R, N, S, 4) → θ-space (R, d, N)."""
        return np.ascontiguousarray(self.parameters.backward(theta, logit_terms).transpose(0, 2, 1))

    def score(self, theta: np.ndarray, batch: Batch) -> np.ndarray:
        """∇θ log p(τ|θ) = Σ_t ∇θ log π(a_t|s_t) per episode, (R, d, N)."""
        return self._to_theta(theta, batch.extra.logit_scores(self.policy(theta)))

    def estimator_terms(self, name: str, theta: np.ndarray, batch: Batch) -> np.ndarray:
        """Per-episode contributions (R, d, N) of this problem's own estimators:
        togo:  Σ_t G_t ∇θ log π(a_t|s_t);   value:  Σ_t (G_t − γ^t V_{H−t}(s_t)) ∇θ log π(a_t|s_t);
        learned:  the same with V̂(s_t) (learn) for V.  All are unbiased: a reward before t,
        or a function of s_t alone, times ∇log π(a_t|s_t) has expectation 0."""
        episodes: Episodes = batch.extra
        pi = self.policy(theta)
        weights = episodes.to_go()
        replica = np.arange(pi.shape[0])[None, :, None]
        if name == "learned":
            V = self.learned if self.learned is not None else np.zeros(pi.shape[:2])
            weights = weights - episodes.discounts * V[replica, episodes.states]
        elif name == "value":
            left = self.dynamics.horizon - np.arange(episodes.states.shape[0])[:, None, None]
            V = self.programme(theta).V                                # (H + 1, R, S)
            weights = weights - episodes.discounts * V[left, replica, episodes.states]
        elif name != "togo":
            raise ValueError(f"unknown estimator {name!r}")
        return self._to_theta(theta, episodes.logit_scores(pi, weights))

    def learn(self, batch: Batch, rate: float) -> None:
        """V̂(s) ← V̂(s) + ρ (mean of R_t over this batch's visits to s − V̂(s)) for each cell
        the batch visited (R_t the return from t, discounted from t), per replica; V̂ starts
        at 0.  A baseline fixed before the batch it is used on, so `learned` stays unbiased."""
        episodes: Episodes = batch.extra
        T, R, n = episodes.states.shape
        S = self.dynamics.grid.states
        alive = episodes.alive.ravel()
        index = (np.arange(R)[None, :, None] * S + episodes.states).ravel()[alive]
        count = np.bincount(index, minlength=R * S).reshape(R, S)
        total = np.bincount(index, weights=episodes.returns_from().ravel()[alive],
                            minlength=R * S).reshape(R, S)
        current = self.learned if self.learned is not None else np.zeros((R, S))
        seen = count > 0
        self.learned = np.where(seen, current + rate * (total / np.maximum(count, 1) - current), current)

    def select(self, index: np.ndarray) -> None:
        if self.learned is not None:
            self.learned = self.learned[index]

    def programme(self, theta: np.ndarray):
        """The dynamic programme at θ (grid.Dynamics.exact), computed once per read-only θ:
        the exact J, the value estimator's V and the expected visits all read it."""
        seen, programme = self._programme
        if seen is not theta or theta.flags.writeable:
            programme = self.dynamics.exact(self.policy(theta))
            self._programme = (theta, programme)
        return programme

    def exact(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """J = V_H(S) and ∇J = (∂z/∂θ)ᵀ ∂J/∂z by the dynamic programme."""
        programme = self.programme(theta)
        return programme.J, self.parameters.backward(theta, programme.dlogits[:, None])[:, 0]

    def expected_visits(self, theta: np.ndarray) -> np.ndarray:
        """Σ_t d_t(s), (R, S)."""
        return self.programme(theta).visits

    def score_second_moment(self, theta: np.ndarray) -> np.ndarray:
        """E[g_k²] of g = ∇θ log p(τ), exact (the parameterisation's score_moment), for the
        optimal baseline."""
        return self.parameters.score_moment(theta, self.policy(theta), self.expected_visits(theta))

    def parameter_blocks(self) -> list:
        return self.parameters.blocks()

    def exact_terms(self, theta: np.ndarray) -> tuple:
        return (4 ** self.dynamics.horizon, "action sequences (4ᴴ, before the slips)")

    def update(self, key: str, value, theta: np.ndarray) -> np.ndarray:
        if key in ("slip", "gamma", "step_reward"):
            self.dynamics = replace(self.dynamics, **{key: value})
            self._programme = (None, None)          # computed under the old dynamics
        return theta

    def describe_sample(self, batch: Batch, replica: int, i: int) -> str:
        return f"episode {i + 1}"

    def report(self, theta: np.ndarray, batch: Batch) -> GridReport:
        episodes: Episodes = batch.extra
        shown = min(episodes.states.shape[2], DRAWN_EPISODES)
        S = self.dynamics.grid.states
        alive = episodes.alive[:, 0]
        visits = np.bincount(episodes.states[:, 0][alive], minlength=S)[:S]
        return GridReport(grid=self.dynamics.grid, policy=self.policy(theta)[0],
                          states=episodes.states[:, 0, :shown], alive=alive[:, :shown],
                          last=episodes.last[0, :shown], returns=episodes.returns()[0, :shown],
                          visits=visits, expected_visits=self.expected_visits(theta)[0])


class GridworldKind(ProblemKind):
    name = "gridworld"
    description = "episodes on a grid (S start, G goal, X pit, # wall): π_θ(a|s) over cells, f(τ) the return"
    estimators = ("score", "togo", "value", "learned", "exact")
    sum_over_x = "Σ_τ"
    sample_symbol = "τ"
    score_expansion = "Σ_t ∇θ log π(a_t|s_t)"
    estimator_formulas = {
        "togo": ("(1/N) Σ_i Σ_t G_t ∇θ log π(a_t|s_t)",
                 "reward-to-go G_t: rewards before t do not depend on a_t"),
        "value": ("(1/N) Σ_i Σ_t (G_t − γ^t V(s_t)) ∇θ log π(a_t|s_t)",
                  "minus the exact value of s_t: E[∇log π(a_t|s_t) | s_t] = 0"),
        "learned": ("(1/N) Σ_i Σ_t (G_t − γ^t V̂(s_t)) ∇θ log π(a_t|s_t)",
                    "V̂ learned from earlier steps' returns: fixed before this batch"),
    }
    settings = (
        Setting("grid", "text", "cliff", label="grid", suggestions=GRIDS,
                help="a named map (cliff, tiny, rooms, bridge) or your own: rows separated by "
                     "'/', S start (one), G goal (+1, ends), X pit (−1, ends), # wall, . free"),
        Setting("slip", "number", 0.1, label="slip", lo=0.0, hi=1.0, live=True,
                help="probability that a uniformly random action is executed instead of the "
                     "chosen one: it changes J and ∇J, never an episode's score ∇log p(τ), "
                     "which holds only the policy's own choices"),
        Setting("gamma", "number", 0.95, label="γ", lo=0.0, hi=1.0, live=True,
                help="discount γ: f(τ) = Σ_t γ^t r_{t+1}"),
        Setting("horizon", "integer", 20, label="horizon H", lo=1, hi=1000,
                help="an episode ends after H actions at the latest"),
        Setting("step_reward", "number", 0.0, label="step reward", lo=-1e3, hi=1e3, live=True,
                help="what every move that does not end in G or X pays"),
        Setting("policy", "choice", "tabular", label="policy",
                suggestions=(("tabular", "four logits per cell"),
                             ("mlp", "a small network from a cell's coordinates to its logits")),
                help="tabular: four logits per cell; mlp: a one-hidden-layer tanh network from "
                     "the cell's coordinates to its four logits"),
        Setting("hidden", "integer", 16, label="hidden units", lo=1, hi=256,
                help="hidden units of the mlp policy", applies_when=(("policy", "mlp"),)),
    )

    def _map(self, config) -> GridMap:
        return parse(MAPS.get(config.grid, (config.grid,))[0])

    def _parameters(self, config, grid: GridMap):
        if config.policy == "mlp":
            return MLPPolicy(grid.cells, grid.shape, config.hidden)
        return TabularPolicy(grid.cells, grid.shape)

    def check(self, config) -> None:
        grid = self._map(config)
        widest = max(config.horizon, 4 * grid.states)
        if config.runs * config.batch * widest > MAX_EPISODE_NUMBERS:
            raise ConfigError(f"runs × batch × max(horizon, 4 × cells) = {config.runs:,} × "
                              f"{config.batch:,} × {widest:,} is over {MAX_EPISODE_NUMBERS:,} "
                              "numbers a step (memory)")

    def dim(self, config) -> int:
        return self._parameters(config, self._map(config)).dim

    def initial_theta(self, config) -> tuple:
        return tuple(self._parameters(config, self._map(config)).initial_theta())

    def build(self, config, rng) -> GridworldProblem:
        grid = self._map(config)
        dynamics = Dynamics(grid, config.slip, config.gamma, config.step_reward, config.horizon)
        return GridworldProblem(dynamics, self._parameters(config, grid))

    def parameter_names(self, config) -> list[str]:
        grid = self._map(config)
        if config.policy == "mlp":
            return [f"θ{k + 1}" for k in range(self.dim(config))]
        return [f"θ{4 * k + a + 1} ({ACTIONS[a]} at row {r + 1}, col {c + 1})"
                for k, (r, c) in enumerate(grid.cells) for a in range(4)]

    def views(self, config) -> tuple[str, ...]:
        return ("grid", "objective", "quality", "histogram", "derivation", "slice", "variance",
                "replicas")


KIND = GridworldKind()
