"""What a long run keeps: a per-step summary for plots (decimated, bounded memory) and
every step's CSV row spooled to a temporary file (constant memory, nothing dropped)."""

from __future__ import annotations

import os
import shutil
import tempfile

import numpy as np

from . import table
from .files import atomic_write
from .run import StepRecord

FIELDS = ("step", "J", "J_sd", "reward_mean", "error", "cosine", "var_trace", "plane_x",
          "plane_y", "p_best", "p_best_sd", "lr", "batch")
COLUMN = {name: i for i, name in enumerate(FIELDS)}


def plane_point(theta_row: np.ndarray, problem: str) -> tuple[float, float]:
    """Where θ sits in the drawn plane: μ for gaussian; (θ₁ − θ_K, θ₂ − θ_K) for logits,
    which is exact for K = 3 since softmax ignores a shift of all logits."""
    if problem == "gaussian":
        return float(theta_row[0]), float(theta_row[1])
    return float(theta_row[0] - theta_row[-1]), float(theta_row[1] - theta_row[-1])


def summarise(record: StepRecord, problem: str) -> np.ndarray:
    """One row of FIELDS for a record (means over replicas; plane point of replica 0).

    error = ‖ĝ − ∇J‖;  cosine = ĝ·∇J / (‖ĝ‖‖∇J‖);  var_trace = Σ_k Var(ĝ_k).
    """
    diff = record.estimate - record.grad
    with np.errstate(all="ignore"):
        norms = np.linalg.norm(record.estimate, axis=1) * np.linalg.norm(record.grad, axis=1)
        cosine = np.where(norms > 0, np.einsum("rk,rk->r", record.estimate, record.grad) / norms,
                          np.nan)
        spread = lambda v: float(v.std(ddof=1)) if len(v) > 1 else 0.0  # noqa: E731
        p_best = record.p_best if record.p_best is not None else np.array([np.nan])
        return np.array([
            record.step, record.J.mean(), spread(record.J), record.reward_mean.mean(),
            np.linalg.norm(diff, axis=1).mean(), np.nanmean(cosine) if np.isfinite(cosine).any()
            else np.nan, record.variance.sum(axis=1).mean(), *plane_point(record.theta[0], problem),
            p_best.mean(), spread(p_best) if record.p_best is not None else np.nan,
            record.lr, record.batch])


class DecimatedSeries:
    """Summary rows with bounded memory: when ``capacity`` rows are held, every other one
    is dropped and from then on only every 2nd (4th, 8th, …) step is kept.  Row i of the
    stream is kept while i mod stride = 0, so the kept steps stay evenly spaced; the newest
    row is always available as ``last``."""

    def __init__(self, width: int = len(FIELDS), capacity: int = 20_000):
        self._data = np.empty((capacity, width))
        self.capacity, self.count, self.stride, self.seen = capacity, 0, 1, 0
        self.last = None

    def extend(self, rows: np.ndarray) -> None:
        if len(rows) == 0:
            return
        index = self.seen + np.arange(len(rows))
        keep = rows[index % self.stride == 0]
        self.seen += len(rows)
        self.last = rows[-1].copy()
        while len(keep):
            room = self.capacity - self.count
            self._data[self.count:self.count + min(room, len(keep))] = keep[:room]
            self.count += min(room, len(keep))
            keep = keep[room:]
            if self.count == self.capacity:
                half = self._data[0:self.count:2].copy()
                self.count = len(half)
                self._data[:self.count] = half
                self.stride *= 2
                keep = keep[::2] if len(keep) else keep

    def rows(self) -> np.ndarray:
        """Kept rows, plus the newest row if decimation skipped it (a view: copy to keep)."""
        data = self._data[:self.count]
        if self.last is not None and (self.count == 0 or data[-1, 0] != self.last[0]):
            data = np.vstack([data, self.last])
        return data

    def column(self, name: str) -> np.ndarray:
        return self.rows()[:, COLUMN[name]]

    @property
    def nbytes(self) -> int:
        return self._data.nbytes


class Spool:
    """Every step's CSV rows (table.py's format), appended to a temporary file."""

    def __init__(self, dim: int, runs: int):
        fd, self.path = tempfile.mkstemp(prefix="gradviz-run-", suffix=".csv")
        self._file = os.fdopen(fd, "w", newline="")
        self._writer = table.csv.writer(self._file, lineterminator="\n")
        self._writer.writerow(table.header(dim, runs))
        self.steps = 0

    def add(self, record: StepRecord) -> None:
        self._writer.writerows(table.rows(record))
        self.steps += 1

    def export(self, path) -> None:
        """Copy everything spooled so far to ``path`` atomically."""
        self._file.flush()
        with open(self.path, newline="") as source, atomic_write(path, "w", newline="") as out:
            shutil.copyfileobj(source, out)

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
