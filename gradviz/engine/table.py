"""The step table: one CSV row per step (or per run and step), as `gradviz run` writes it.

Row t holds θ_t and what was computed there, before the update.  With several runs a row
holds the mean across runs plus the spread (sample standard deviation) of J and p_best.
Empty cells mean "not available": p_best for gaussian, var when the batch is 1, baseline
for estimators without one.  Floats are written with repr(), so they read back bit for bit.
"""

from __future__ import annotations

import csv
from typing import Iterable, TextIO

import numpy as np

from .run import StepRecord


def header(dim: int, runs: int = 1, per_run: bool = False) -> list[str]:
    """The column names, in order."""
    aggregate = runs > 1 and not per_run
    vec = lambda name: [f"{name}_{i + 1}" for i in range(dim)]  # noqa: E731
    return (["step"] + (["run"] if per_run else []) + vec("theta") + ["J"]
            + (["J_sd"] if aggregate else []) + vec("grad") + vec("est") + vec("var")
            + ["baseline", "reward_mean", "p_best"] + (["p_best_sd"] if aggregate else [])
            + ["lr", "batch"])


def _cell(value) -> str:
    return "" if value is None or value != value else repr(float(value))


def _sd(values: np.ndarray) -> float:
    return float(values.std(ddof=1)) if len(values) > 1 else 0.0


def rows(record: StepRecord, per_run: bool = False) -> list[list[str]]:
    """The table rows one record contributes."""
    R = record.replicas
    per_replica = [record.theta, record.J[:, None], record.grad, record.estimate,
                   record.variance, _column(record.baseline, R), record.reward_mean[:, None],
                   _column(record.p_best, R)]
    lr, batch = repr(float(record.lr)), str(record.batch)
    if per_run:
        table = np.hstack(per_replica).tolist()
        return [[str(record.step), str(r)] + [_cell(v) for v in values] + [lr, batch]
                for r, values in enumerate(table)]
    with np.errstate(all="ignore"):
        means = [_cell(v) for v in np.hstack([block.mean(axis=0) for block in per_replica])]
    d = record.theta.shape[1]
    if R == 1:
        return [[str(record.step)] + means + [lr, batch]]
    j_at = d + 1                  # after step-less theta_1..d and J
    p_at = len(means)             # after p_best
    p_sd = "" if record.p_best is None else _cell(_sd(record.p_best))
    return [[str(record.step)] + means[:j_at] + [_cell(_sd(record.J))] + means[j_at:p_at]
            + [p_sd, lr, batch]]


def _column(values, replicas):
    return np.full((replicas, 1), np.nan) if values is None else values[:, None]


def write(records: Iterable[StepRecord], out: TextIO, dim: int, runs: int,
          per_run: bool = False) -> int:
    """Write the header and a block of rows per record; returns the number of records."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header(dim, runs, per_run))
    count = 0
    for record in records:
        writer.writerows(rows(record, per_run))
        count += 1
    return count
