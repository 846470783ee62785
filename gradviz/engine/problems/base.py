"""What a problem is: a kind (its settings, its parameters, its plane, its landscape, its
views) that builds a policy object (its sampling, scores and exact maths).

Shapes: θ is (R, d) for R replicas; a batch holds R × N samples; scores ∇θ log p(x|θ) are
(R, d, N), component-major, so that every reduction over the batch runs along contiguous
memory; rewards f are (R, N).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..settings import Setting


@dataclass(frozen=True)
class Batch:
    """One step's samples: points x (R, 2, N) with their noise ε, or actions (R, N).  A
    problem may keep anything else it needs in ``extra``."""

    x: np.ndarray | None = None
    eps: np.ndarray | None = None
    actions: np.ndarray | None = None
    extra: object = None


class Plane:
    """Where θ is drawn: a linear map A (2 × d) from θ-space to a plane with two labelled
    axes.  A gradient-like vector v moves the drawn point by A v."""

    def __init__(self, matrix, labels: tuple[str, str], samples_live_here: bool = False):
        self.matrix = np.asarray(matrix, dtype=float)
        self.matrix.setflags(write=False)
        self.labels = labels
        self.samples_live_here = samples_live_here   # x-space is the plane (draw the samples)
        self._inverse = np.linalg.pinv(self.matrix)  # (d, 2)

    def point(self, theta_row) -> tuple[float, float]:
        """A θ for one replica (d,) → (x, y)."""
        x, y = self.matrix @ np.asarray(theta_row, dtype=float)
        return float(x), float(y)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """Vectors as rows (d, n) → (2, n): A · rows."""
        return self.matrix @ rows

    def vectors(self, vectors) -> np.ndarray:
        """Vectors (n, d) → (n, 2)."""
        return np.atleast_2d(np.asarray(vectors, dtype=float)) @ self.matrix.T

    def theta_at(self, theta_row, x: float, y: float) -> np.ndarray:
        """The θ nearest ``theta_row`` that is drawn at (x, y): θ + A⁺((x, y) − Aθ), which
        keeps the components the plane does not show."""
        theta = np.asarray(theta_row, dtype=float)
        return theta + self._inverse @ (np.array([x, y]) - self.matrix @ theta)


class Problem:
    """A policy p(x|θ) with its reward, vectorised over replicas.  A problem implements
    ``sample``, ``reward``, ``score`` and ``exact``; the rest has defaults.

    Optional: ``pathwise(theta, batch)`` (the reparameterisation gradient, for the
    pathwise estimator), ``score_second_moment(theta)`` (E[g_k²], for the optimal
    baseline), ``summed_estimate`` (gaussian.py, categorical.py)."""

    dim: int
    plane: Plane | None = None
    sample_cost = 1.0       # the work of one sample against one Gaussian draw (analysis.py)
    exact_cost = 1.0        # the work of exact J at one θ, in the same units

    def sample(self, theta: np.ndarray, n: int, rng: np.random.Generator) -> Batch:
        raise NotImplementedError

    def reward(self, batch: Batch, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def score(self, theta: np.ndarray, batch: Batch) -> np.ndarray:
        raise NotImplementedError

    def exact(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def estimator_terms(self, name: str, theta: np.ndarray, batch: Batch) -> np.ndarray:
        """Per-sample contributions (R, d, N) of an estimator this problem brings itself
        (its kind lists it in ``estimators``; gridworld.py: reward-to-go)."""
        raise NotImplementedError(f"estimator {name!r}")

    def learn(self, batch: Batch, rate: float) -> None:
        """After a step is taken (never after a preview): learn from its batch, for an
        estimator whose baseline is learned from earlier steps (gridworld.py)."""

    def report(self, theta: np.ndarray, batch: Batch) -> object:
        """Anything else a step should report for drawing (StepRecord.extra), or None."""
        return None

    def exact_terms(self, theta: np.ndarray) -> tuple | None:
        """How many terms the exact sum over x takes, and of what: (3, "actions")."""
        return None

    def p_best(self, theta: np.ndarray) -> np.ndarray | None:
        """π of the best action(s) per replica, (R,), where that means something."""
        return None

    def density(self, theta_row: np.ndarray):
        """(centre (2,), covariance (2, 2)) of p(x|θ) in the drawn plane, where x lives
        there (a Gaussian policy); else None."""
        return None

    def policy_bars(self, theta_row: np.ndarray):
        """(π (K,), true values (K,)) for a categorical policy, drawn as bars; else None."""
        return None

    def parameter_blocks(self) -> list | None:
        """Index arrays of θ that belong together (a cell's logits, a unit's incoming
        weights), for the filter-normalised slice; None where there are none."""
        return None

    def select(self, index: np.ndarray) -> None:
        """Keep replicas ``index`` (a problem with per-replica state selects it)."""

    def update(self, key: str, value, theta: np.ndarray) -> np.ndarray:
        """Apply a live setting of this problem between steps; returns θ (changed if the
        setting is part of it)."""
        return theta

    def bounded(self, theta: np.ndarray) -> np.ndarray:
        """The part of θ that the divergence bound applies to."""
        return theta

    def theta_trouble(self, theta: np.ndarray) -> str | None:
        """Why the run cannot go on at ``theta`` (beyond the divergence bound), or None."""
        return None

    def samples_drawn(self, batch: Batch) -> np.ndarray | None:
        """Replica 0's samples as points in the plane, (N, 2), or None."""
        return None if batch.x is None else batch.x[0].T

    def actions_drawn(self, batch: Batch) -> np.ndarray | None:
        """Replica 0's actions, (N,), or None."""
        return None if batch.actions is None else batch.actions[0]

    def describe_sample(self, batch: Batch, replica: int, i: int) -> str:
        """Where sample i of a replica is, in words (for a message about its reward)."""
        if batch.x is not None:
            return f"x = ({batch.x[replica, 0, i]:.4g}, {batch.x[replica, 1, i]:.4g})"
        if batch.actions is not None:
            return f"action {batch.actions[replica, i] + 1}"
        return f"sample {i + 1}"


GENERIC_VIEWS = ("objective", "quality", "histogram", "derivation", "variance", "replicas")


class ProblemKind:
    """A kind of problem, registered by name (problems/__init__.py).  It owns its settings
    (a schema: settings.Setting), checks them, and builds the policy object for a run.

    Subclasses set ``name``, ``description`` and ``settings`` and implement ``dim`` and
    ``build``; everything else has a default."""

    name = ""
    description = ""
    settings: tuple[Setting, ...] = ()
    estimators = ("score", "exact")
    sum_over_x = "Σ_x"          # how the exact sum over x is written ("∫dx" for a density)
    sample_symbol = "x"         # what one sample is called in the derivation ("τ": a trajectory)
    score_expansion = ""        # ∇θ log p(x|θ) written out, when that teaches (trajectories)
    estimator_formulas: dict = {}   # the derivation's last line for the problem's own estimators

    def dim(self, config) -> int:
        raise NotImplementedError

    def build(self, config, rng: np.random.Generator) -> Problem:
        raise NotImplementedError

    def check(self, config) -> None:
        """Refuse (ConfigError) a combination of settings this problem cannot run."""

    def initial_theta(self, config) -> tuple:
        return (0.0,) * self.dim(config)

    def parameter_names(self, config) -> list[str]:
        return [f"θ{k + 1}" for k in range(self.dim(config))]

    def readout(self, config, theta_row) -> str:
        """A short reading of θ for the status bar, beyond J (e.g. a learned σ), or ""."""
        return ""

    def plane(self, config) -> Plane | None:
        """Where θ is drawn, or None (no plane: the policy is drawn as bars)."""
        return None

    def landscape_key(self, config, theta: np.ndarray) -> tuple:
        """What the landscape depends on (it is recomputed when this changes)."""
        return (self.name,) + tuple(getattr(config, s.name) for s in self.settings)

    def landscape(self, config, theta: np.ndarray):
        """J (and contours) over the plane (engine.landscape.Landscape), or None."""
        return None

    def views(self, config) -> tuple[str, ...]:
        """The plots that show this problem (names in gradviz.plots.PLOTS); the first is the
        window's central one.  Without a plane: the policy's bars, and a slice of θ-space
        when there are more than two parameters."""
        if self.plane(config) is not None:
            return ("landscape",) + GENERIC_VIEWS
        return ("policy",) + GENERIC_VIEWS + (("slice",) if self.dim(config) > 2 else ())
