"""What a long run keeps: a per-step summary for plots (decimated, bounded memory) and
every step's CSV row spooled to a temporary file (constant memory, nothing dropped)."""

from __future__ import annotations

import csv
import os
import tempfile

import numpy as np

from . import table
from .files import atomic_write

FIELDS = ("step", "J", "J_sd", "reward_mean", "error", "cosine", "var_trace", "plane_x",
          "plane_y", "p_best", "p_best_sd", "lr", "batch", "estimate_x", "estimate_y")
COLUMN = {name: i for i, name in enumerate(FIELDS)}


def summarise(stacked: list[table.Stack], plane) -> np.ndarray:
    """One row of FIELDS per step (means over replicas; replica 0's point, and its estimate
    ĝ as a vector, on the problem's ``plane``, NaN without one),
    vectorised over the steps' ``stacked`` fields (table.stacks of the records):

    error = ‖ĝ − ∇J‖;  cosine = ĝ·∇J / (‖ĝ‖‖∇J‖);  var_trace = Σ_k Var(ĝ_k).
    """
    out = []
    for stack in stacked:
        f = stack.fields
        est, grad, J = f["estimate"], f["grad"], f["J"][..., 0]     # (k, R, d), (k, R)
        with np.errstate(all="ignore"):
            norms = np.linalg.norm(est, axis=2) * np.linalg.norm(grad, axis=2)
            cos = np.where(norms > 0, np.einsum("krd,krd->kr", est, grad) / norms, np.nan)
            finite = np.isfinite(cos)
            cosine = np.where(finite, cos, 0.0).sum(axis=1) / finite.sum(axis=1)  # NaN if none
            points = (plane.vectors(f["theta"][:, 0, :]) if plane is not None     # (k, 2)
                      else np.full((len(stack.steps), 2), np.nan))
            moves = (plane.vectors(est[:, 0, :]) if plane is not None
                     else np.full((len(stack.steps), 2), np.nan))
            if stack.has_p_best:
                p = f["p_best"][..., 0]
                p_best, p_sd = p.mean(axis=1), table.replica_sd(p)
            else:
                p_best = p_sd = np.full(len(stack.steps), np.nan)
            out.append(np.column_stack([
                stack.steps, J.mean(axis=1), table.replica_sd(J), f["reward_mean"][..., 0].mean(axis=1),
                np.linalg.norm(est - grad, axis=2).mean(axis=1), cosine,
                f["variance"].sum(axis=2).mean(axis=1), points[:, 0], points[:, 1], p_best, p_sd,
                stack.tail[:, 0], stack.tail[:, 1], moves[:, 0], moves[:, 1]]))
    return np.concatenate(out) if out else np.empty((0, len(FIELDS)))


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
        """Every kept row, plus the newest row if decimation skipped it (a copy)."""
        return self.thinned(self.count)

    def thinned(self, points: int, names: tuple[str, ...] | None = None) -> np.ndarray:
        """About ``points`` kept rows, evenly spaced, ending with the newest row (of the
        columns ``names``, or all); a copy."""
        columns = [COLUMN[name] for name in names] if names else slice(None)
        rows = self._data[:self.count:max(1, self.count // max(points, 1))]
        newest = self.last is not None and (len(rows) == 0 or rows[-1, 0] != self.last[0])
        rows = rows[:, columns] if names else rows.copy()
        return np.vstack([rows, self.last[columns]]) if newest else rows

    def column(self, name: str) -> np.ndarray:
        return self.rows()[:, COLUMN[name]]

    @property
    def nbytes(self) -> int:
        return self._data.nbytes


# bytes the spool collects before each write to its file: a burst of ~110 steps of 15
# numbers adds 13 kB, so one system call per ~80 bursts (numpy's tofile flushed and wrote
# twice per burst)
SPOOL_BUFFER = 1 << 20


class Spool:
    """Every step's table row (table.py's columns), appended to a temporary file as raw
    float64 blocks; formatted as CSV only when exported (formatting as the run goes cost
    6 % of the engine's time at batch 10³)."""

    def __init__(self, dim: int, runs: int):
        self.dim = dim
        self.most_runs = runs                 # the most replicas any step had: fixes the columns
        fd, self.path = tempfile.mkstemp(prefix="gradviz-run-", suffix=".f64")
        self._file = os.fdopen(fd, "wb", buffering=SPOOL_BUFFER)
        self.steps = 0

    def add(self, stacked: list[table.Stack]) -> None:
        """Append the rows of the steps' ``stacked`` fields (table.stacks of the records),
        each block as its shape (k, width) then its k·width numbers.  An OSError (a full
        disk) may surface here or at a later add, when the buffer is written."""
        self.most_runs = max([self.most_runs] + [stack.replicas for stack in stacked])
        for block in table.blocks(stacked):
            self._file.write(np.array(block.shape, dtype=np.float64).tobytes())
            self._file.write(np.asarray(block, dtype=np.float64).tobytes())
        self.steps += sum(len(stack.steps) for stack in stacked)

    def export(self, path) -> None:
        """Write everything spooled so far to ``path`` as CSV, atomically (a WriteError
        names ``path`` if the spool's own buffer cannot be written either)."""
        with atomic_write(path, "w", newline="") as out, open(self.path, "rb") as source:
            self._file.flush()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(self.header)
            aggregate = self.most_runs > 1
            while len(shape := np.fromfile(source, dtype=np.float64, count=2)) == 2:
                k, width = int(shape[0]), int(shape[1])
                block = np.fromfile(source, dtype=np.float64, count=k * width).reshape(k, width)
                writer.writerows(table.text(block if aggregate else table.narrowed(block, self.dim)))

    @property
    def header(self) -> list[str]:
        return table.header(self.dim, self.most_runs)

    def close(self) -> None:
        """Discard the spool (its last buffer too, whether or not it can be written)."""
        try:
            self._file.close()
        except OSError:
            pass
        try:
            os.unlink(self.path)
        except OSError:
            pass
