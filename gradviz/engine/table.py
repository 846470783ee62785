"""The step table: one CSV row per step (or per run and step), as `gradviz run` writes it.

Row t holds θ_t and what was computed there, before the update.  With several runs a row
holds the mean across runs plus the spread (sample standard deviation) of J and p_best.
Empty cells mean "not available": p_best for gaussian, var when the batch is 1, baseline
for estimators without one.  Floats are written with repr(), so they read back bit for bit.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from typing import Iterable, TextIO

import numpy as np

from .run import StepRecord


CHUNK = 256  # records formatted together


def header(dim: int, runs: int = 1, per_run: bool = False) -> list[str]:
    """The column names, in order."""
    aggregate = runs > 1 and not per_run
    vec = lambda name: [f"{name}_{i + 1}" for i in range(dim)]  # noqa: E731
    return (["step"] + (["run"] if per_run else []) + vec("theta") + ["J"]
            + (["J_sd"] if aggregate else []) + vec("grad") + vec("est") + vec("var")
            + ["baseline", "reward_mean", "p_best"] + (["p_best_sd"] if aggregate else [])
            + ["lr", "batch"])


def _text(values: np.ndarray) -> list:
    """repr() of each float, '' for NaN (not available)."""
    return [["" if v != v else repr(v) for v in row] for row in values.tolist()]


def replica_sd(values: np.ndarray) -> np.ndarray:
    """Sample standard deviation over replicas (axis 1); 0 for a single replica."""
    return values.std(axis=1, ddof=1) if values.shape[1] > 1 else np.zeros(values.shape[0])


COLUMNS = ("theta", "J", "grad", "estimate", "variance", "baseline", "reward_mean", "p_best")


@dataclass(frozen=True)
class Stack:
    """Consecutive same-shaped records, field by field: ``fields[name]`` is (k, R, width)
    for each name in COLUMNS (NaN where unavailable), ``steps`` (k,), ``tail`` (k, 2) the
    lr and batch.  The table and the app's summaries both read it, so a burst of records
    is stacked once."""

    fields: dict
    steps: np.ndarray
    tail: np.ndarray
    has_p_best: bool

    @property
    def replicas(self) -> int:
        return self.fields["J"].shape[1]


def parts(record: StepRecord) -> tuple:
    """What the table needs of a record: its COLUMNS arrays (None where unavailable) and
    (step, lr, batch).  The app's engine thread keeps these for each step of a burst and
    lets the record (with its per-sample arrays) go: 0.1 µs a step, where packing them into
    one row took 2 µs."""
    return (record.theta, record.J, record.grad, record.estimate, record.variance,
            record.baseline, record.reward_mean, record.p_best,
            (record.step, record.lr, record.batch))


def _shape(kept: tuple) -> tuple:
    """Replicas, and which columns are missing: a session's schedule may change either
    between two steps of one burst."""
    return kept[0].shape[0], kept[5] is None, kept[7] is None


def stack_parts(kept: list[tuple]) -> list[Stack]:
    """Consecutive records' ``parts`` as Stacks, one per run of same-shaped records: each
    field one concatenation, (k·R, w) viewed as (k, R, w); NaN where unavailable."""
    stacked = []
    for _, group in itertools.groupby(kept, key=_shape):
        columns = list(zip(*group))
        k, R = len(columns[0]), columns[0][0].shape[0]
        fields = {name: np.full((k, R, 1), np.nan) if column[0] is None
                  else np.concatenate(column).reshape(k, R, -1)
                  for name, column in zip(COLUMNS, columns)}
        meta = np.array(columns[-1], dtype=float)
        stacked.append(Stack(fields, meta[:, 0], meta[:, 1:], columns[7][0] is not None))
    return stacked


def stacks(records) -> list[Stack]:
    """The records as Stacks, one per run of same-shaped records."""
    return stack_parts([parts(record) for record in records])


def blocks(stacked: list[Stack], per_run: bool = False):
    """The table's numbers, vectorised over the records' ``stacked`` fields (``stacks``):
    one float64 array per Stack, columns as ``header`` (step, [run,] …, lr, batch) of a
    table with several runs (J_sd and p_best_sd empty where a step had one replica; drop
    them with ``narrowed`` for a table that never had more than one)."""
    for stack in stacked:
        fields = [stack.fields[name] for name in COLUMNS]      # each (k, R, w)
        steps, tail = stack.steps, stack.tail
        k, R = len(steps), stack.replicas
        if per_run:
            values = np.concatenate(fields, axis=2).reshape(k * R, -1)
            yield np.column_stack([np.repeat(steps, R), np.tile(np.arange(R), k), values,
                                   np.repeat(tail, R, axis=0)])
            continue
        with np.errstate(all="ignore"):
            means = np.concatenate([b.mean(axis=1) for b in fields], axis=1)   # (k, columns)
        d = fields[0].shape[2]
        spread = R > 1
        J_sd = replica_sd(fields[1][..., 0]) if spread else np.full(k, np.nan)
        p_sd = replica_sd(fields[7][..., 0]) if spread and stack.has_p_best else np.full(k, np.nan)
        means = np.concatenate([means[:, :d + 1], J_sd[:, None], means[:, d + 1:], p_sd[:, None]],
                               axis=1)
        yield np.column_stack([steps, means, tail])


def narrowed(block: np.ndarray, dim: int) -> np.ndarray:
    """A block of ``blocks`` without J_sd and p_best_sd: the table of a single run."""
    keep = np.ones(block.shape[1], dtype=bool)
    keep[[2 + dim, block.shape[1] - 3]] = False      # after J; after p_best
    return block[:, keep]


def max_runs(config) -> int:
    """The most replicas a config's run has at any step (its schedule may change them):
    the table has J_sd and p_best_sd columns throughout when this is over 1."""
    return max([config.runs] + [entry["runs"] for entry in config.schedule if "runs" in entry])


def text(block: np.ndarray, per_run: bool = False) -> list[list[str]]:
    """A block's rows as CSV cells: integers for step, run and batch, repr() for floats,
    '' for NaN."""
    lead = 2 if per_run else 1
    ints = block[:, :lead].astype(np.int64).tolist()
    lr, batch = block[:, -2].tolist(), block[:, -1].astype(np.int64).tolist()
    return [[str(i) for i in head] + values + [repr(a), str(b)]
            for head, values, a, b in zip(ints, _text(block[:, lead:-2]), lr, batch)]


def write(records: Iterable[StepRecord], out: TextIO, dim: int, runs: int,
          per_run: bool = False) -> int:
    """Write the header and a block of rows per CHUNK records; returns the number of records.
    ``runs`` is the most replicas any step has (``max_runs``): it fixes the columns.  Only
    each record's table numbers are kept until its chunk is written (``parts``), never its
    per-sample arrays, so memory stays that of one step however large the batch."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header(dim, runs, per_run))
    aggregate = runs > 1 and not per_run
    count, kept = 0, []

    def flush():
        for block in blocks(stack_parts(kept), per_run):
            writer.writerows(text(block if per_run or aggregate else narrowed(block, dim), per_run))

    try:
        for record in records:
            kept.append(parts(record))
            del record
            if len(kept) == CHUNK:
                flush()
                count, kept = count + len(kept), []
    finally:  # a run that stops early still writes every step before the stop
        if kept:
            flush()
    return count + len(kept)
