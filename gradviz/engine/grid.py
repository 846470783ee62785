"""A gridworld: its map, its dynamics, exact values by dynamic programming, and episodes
sampled in lockstep.  No policy parameters here: a policy is π(a|s) as an array (R, S, 4)
over the S decision cells (neither wall nor terminal), in row-major order.

Map: rows separated by "/"; S start (exactly one), G goal, X pit, # wall, . free.  Actions
0 up, 1 right, 2 down, 3 left; a move into a wall or off the grid stays put.  With
probability 1 − slip the intended action is executed, with probability slip a uniformly
random one of the four (possibly the same): executed e has μ(e|s) = (1 − slip) π(e|s) +
slip/4.  Entering G pays +1 and ends the episode, entering X pays −1 and ends it, every
other move pays the step reward; an episode also ends after H actions.
f(τ) = Σ_{t<H} γ^t r_{t+1}.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .errors import ConfigError

ACTIONS = ("up", "right", "down", "left")
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
SYMBOLS = "SGX#."
MAX_CELLS = 2500


@dataclass(frozen=True)
class GridMap:
    """The parsed map.  Nodes: the S decision cells first (0 … S−1, row-major), then the
    terminal cells (goals and pits).  ``successor[s, e]`` is the node that executing e in
    decision cell s leads to; ``payoff[n]`` what entering node n pays apart from the step
    reward (+1 goal, −1 pit, 0 otherwise); ``terminal[n]`` whether it ends the episode."""

    rows: tuple[str, ...]
    cells: np.ndarray          # (S, 2) row, column of each decision cell
    nodes: np.ndarray          # (nodes, 2) row, column of every node
    start: int                 # the start's node
    successor: np.ndarray      # (S, 4) node
    payoff: np.ndarray         # (nodes,)
    terminal: np.ndarray       # (nodes,) bool

    @property
    def states(self) -> int:
        return len(self.cells)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.rows[0])


@lru_cache(maxsize=32)
def parse(text: str) -> GridMap:
    """The map from its text, or ConfigError with one line that says what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError("grid: empty (rows of S G X # . separated by '/')")
    rows = tuple(row.strip() for row in text.strip().split("/"))
    if any(not row for row in rows):
        raise ConfigError("grid: an empty row (rows are separated by '/', each at least one cell)")
    if len({len(row) for row in rows}) > 1:
        raise ConfigError("grid: rows differ in length "
                          f"({', '.join(str(len(r)) for r in rows)} cells)")
    unknown = sorted(set("".join(rows)) - set(SYMBOLS))
    if unknown:
        raise ConfigError(f"grid: unknown cell {unknown[0]!r} (use S start, G goal, X pit, # wall, "
                          ". free)")
    if len(rows) * len(rows[0]) > MAX_CELLS:
        raise ConfigError(f"grid: at most {MAX_CELLS} cells")
    starts = sum(row.count("S") for row in rows)
    if starts != 1:
        raise ConfigError(f"grid: needs exactly one start S, found {starts}")
    where = {(i, j): c for i, row in enumerate(rows) for j, c in enumerate(row)}
    decision = [cell for cell, c in where.items() if c in "S."]
    ends = [cell for cell, c in where.items() if c in "GX"]
    node_of = {cell: k for k, cell in enumerate(decision + ends)}

    def step(cell, move):
        target = (cell[0] + move[0], cell[1] + move[1])
        return cell if where.get(target, "#") == "#" else target

    successor = np.array([[node_of[step(cell, m)] for m in MOVES] for cell in decision], dtype=np.intp)
    payoff = np.array([0.0] * len(decision) + [1.0 if where[c] == "G" else -1.0 for c in ends])
    terminal = np.array([False] * len(decision) + [True] * len(ends))
    grid = GridMap(rows=rows, cells=np.array(decision, dtype=np.intp).reshape(-1, 2),
                   nodes=np.array(decision + ends, dtype=np.intp).reshape(-1, 2),
                   start=node_of[next(c for c, v in where.items() if v == "S")],
                   successor=successor, payoff=payoff, terminal=terminal)
    if not _goal_reachable(grid):
        raise ConfigError("grid: no goal G can be reached from the start S")
    return grid


def _goal_reachable(grid: GridMap) -> bool:
    """Whether some path of moves leads from S into a G (pits end episodes, walls block)."""
    seen, frontier = {grid.start}, [grid.start]
    while frontier:
        node = frontier.pop()
        for nxt in grid.successor[node]:
            if grid.payoff[nxt] > 0 and grid.terminal[nxt]:
                return True
            if not grid.terminal[nxt] and nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


@dataclass(frozen=True)
class Dynamics:
    """The map with its slip, discount γ, step reward and horizon H."""

    grid: GridMap
    slip: float
    gamma: float
    step_reward: float
    horizon: int

    @property
    def reward_of(self) -> np.ndarray:
        """r(n): what entering node n pays, (nodes,)."""
        return np.where(self.grid.terminal, self.grid.payoff, self.step_reward)

    def executed(self, pi: np.ndarray) -> np.ndarray:
        """μ(e|s) = (1 − slip) π(e|s) + slip/4, (R, S, 4)."""
        return (1.0 - self.slip) * pi + self.slip / 4.0

    def occupancy(self, pi: np.ndarray) -> np.ndarray:
        """d_t(s) = P(s_t = s, episode not ended) for t = 0 … H−1, (H, R, S), from
        d₀ = 1{s = S} and d_{t+1}(n) = Σ_{s,e} d_t(s) μ(e|s) 1{succ(s, e) = n}, n not terminal."""
        g = self.grid
        R, S = pi.shape[0], g.states
        nodes = len(g.payoff)
        mu = self.executed(pi)
        index = (g.successor[None, :, :] + nodes * np.arange(R)[:, None, None]).ravel()
        d = np.zeros((self.horizon, R, S))
        d[0, :, g.start] = 1.0
        for t in range(self.horizon - 1):
            flow = np.bincount(index, weights=(d[t][:, :, None] * mu).ravel(), minlength=R * nodes)
            d[t + 1] = flow.reshape(R, nodes)[:, :S]
        return d

    def _q(self, v_before: np.ndarray, replicas: int) -> np.ndarray:
        g = self.grid
        v_nodes = np.zeros((replicas, len(g.payoff)))
        v_nodes[:, :g.states] = v_before
        U = self.reward_of[g.successor][None] + self.gamma * v_nodes[:, g.successor]
        return (1.0 - self.slip) * U + self.slip * U.mean(axis=2, keepdims=True)

    def exact(self, pi: np.ndarray) -> "Programme":
        """The dynamic programme, swept once backwards over h = 1 … H actions left:

            U_h(s, e) = r(succ(s, e)) + γ V_{h−1}(succ(s, e))   (V = 0 at terminal nodes)
            Q_h(s, a) = (1 − slip) U_h(s, a) + slip · mean_e U_h(s, e)
            V_h(s)    = Σ_a π(a|s) Q_h(s, a),   V₀ = 0,

        giving J = V_H(S) and, for logits z with π = softmax(z) per cell,

            ∂J/∂z(s, b) = Σ_{t<H} γ^t d_t(s) π(b|s) (Q_{H−t}(s, b) − V_{H−t}(s))

        (the policy-gradient theorem with the time-dependent state distribution d_t)."""
        d = self.occupancy(pi)
        R, S = pi.shape[0], self.grid.states
        V = np.zeros((self.horizon + 1, R, S))
        dlogits = np.zeros((R, S, 4))
        for h in range(1, self.horizon + 1):
            q = self._q(V[h - 1], R)
            V[h] = np.einsum("rsa,rsa->rs", pi, q)
            t = self.horizon - h
            dlogits += (self.gamma ** t) * d[t][:, :, None] * pi * (q - V[h][:, :, None])
        return Programme(J=V[-1][:, self.grid.start], dlogits=dlogits, visits=d.sum(axis=0), V=V)

    def trajectories(self, pi: np.ndarray, n: int, rng: np.random.Generator) -> "Episodes":
        """R × n episodes from S, advanced together one time step at a time (each step is a
        few array operations over all episodes; no loop over episodes or cells).  Stops
        early once every episode has ended."""
        g = self.grid
        R, S = pi.shape[:2]
        # flat tables read with take (a 1-D gather): the CDF's first three columns at
        # replica × S + state, the successor at 4 × state + executed action
        cdf = np.cumsum(pi, axis=2)
        cdf = [np.ascontiguousarray(cdf[:, :, k]).ravel() for k in range(3)]
        successor = g.successor.ravel()
        first = (S * np.arange(R))[:, None]
        state = np.full((R, n), g.start, dtype=np.intp)
        alive = np.ones((R, n), dtype=bool)
        position = state.copy()                              # the node each episode is at
        states, actions, rewards, alives = [], [], [], []
        reward_of = self.reward_of
        for t in range(self.horizon):
            u = rng.random((R, n))
            at = first + state
            action = ((u >= cdf[0].take(at)).astype(np.intp) + (u >= cdf[1].take(at))
                      + (u >= cdf[2].take(at)))
            slipped = rng.random((R, n)) < self.slip
            random_move = rng.integers(0, 4, (R, n))
            executed = np.where(slipped, random_move, action)
            nxt = successor.take(4 * state + executed)
            states.append(state)
            actions.append(action)
            alives.append(alive)
            rewards.append(np.where(alive, reward_of[nxt], 0.0))
            position = np.where(alive, nxt, position)
            alive = alive & ~g.terminal[nxt]
            state = np.where(alive, nxt, state)
            if not alive.any():
                break
        return Episodes(np.array(states), np.array(actions), np.array(rewards), np.array(alives),
                        position, self.gamma)


@dataclass(frozen=True)
class Programme:
    """What Dynamics.exact computes: J (R,), ∂J/∂z (R, S, 4), the expected visits
    Σ_t d_t(s) (R, S), and V_h(s) for h = 0 … H actions left (H + 1, R, S)."""

    J: np.ndarray
    dlogits: np.ndarray
    visits: np.ndarray
    V: np.ndarray


@dataclass(frozen=True)
class Episodes:
    """R × N episodes over T ≤ H time steps: s_t, a_t (T, R, N) as node and action indices,
    r_{t+1} (T, R, N) (0 after the end), alive_t (T, R, N) whether a_t was taken."""

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    alive: np.ndarray
    last: np.ndarray      # (R, N) the node each episode ended in (or stood on at H)
    gamma: float

    @property
    def discounts(self) -> np.ndarray:
        return self.gamma ** np.arange(self.rewards.shape[0])[:, None, None]

    def returns(self) -> np.ndarray:
        """f(τ) = Σ_t γ^t r_{t+1}, (R, N)."""
        return (self.discounts * self.rewards).sum(axis=0)

    def returns_from(self) -> np.ndarray:
        """R_t = Σ_{t' ≥ t} γ^{t'−t} r_{t'+1}, the return from t on, discounted from t:
        R_t = r_{t+1} + γ R_{t+1} (no division by γ^t, which may be 0), (T, R, N)."""
        out = np.empty_like(self.rewards)
        ahead = np.zeros(self.rewards.shape[1:])
        for t in range(self.rewards.shape[0] - 1, -1, -1):
            ahead = self.rewards[t] + self.gamma * ahead
            out[t] = ahead
        return out

    def to_go(self) -> np.ndarray:
        """G_t = Σ_{t' ≥ t} γ^{t'} r_{t'+1} (discounted from time 0), (T, R, N)."""
        paid = self.discounts * self.rewards
        return np.cumsum(paid[::-1], axis=0)[::-1]

    def logit_scores(self, pi: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Σ_t w_t ∇_z log π(a_t|s_t) per episode, in logit space z (R, N, S, 4):
        ∂ log π(a|s)/∂z(s', b) = 1{s' = s} (1{b = a} − π(b|s)).  With w_t = 1 it is
        ∇_z log p(τ) (the dynamics drop out); with w_t = G_t, reward-to-go.  Summed by one
        weighted count over (episode, cell, action)."""
        T, R, n = self.states.shape
        S = pi.shape[1]
        alive = self.alive.ravel()
        episode = np.arange(R * n).reshape(1, R, n)
        index = (episode * (4 * S) + 4 * self.states + self.actions).ravel()[alive]
        w = None if weights is None else weights.ravel()[alive]
        counts = np.bincount(index, weights=w, minlength=R * n * S * 4).reshape(R, n, S, 4)
        scores = counts.astype(float, copy=False)
        visits = scores @ np.ones((4, 1))           # Σ_a over a short last axis: a matmul is fast
        scores -= visits * pi[:, None]
        return scores
