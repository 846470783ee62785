"""Where the running app's time goes (run by hand: python benchmarks/app_time.py).

The app runs offscreen at 1600×1000, as fast as it goes (batch 10³, per-sample arrows on
unless --batch / --no-arrows say otherwise), with the 10 ms latency probe of app.py.  Every
engine step's start and end is timed, and so is each Python call the GUI thread makes
(frames, dot paints, ticks, probes).  Per slice it prints, as shares of the wall-clock time:

- the pauses at the draw gate (gaps between steps over 1 ms: the GUI setting plot data);
- the ends of bursts (gaps of 20 µs to 1 ms: stacking, spool, summaries, tick, event loop);
- the gaps between two steps of a burst (under 20 µs: keeping the step's numbers, the gate);
- how much longer than the mean headless step the steps were that overlap a GUI call;
- how much longer the other steps were (cold caches after pauses, and the machine's drift).

Each slice's headless steps are timed just before it, the same way, in the same process.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402

import app as bench  # noqa: E402  (benchmarks/app.py)
from gradviz.app import window as window_module  # noqa: E402
from gradviz.app.views.sprites import Sprites  # noqa: E402
from gradviz.app.worker import RunState  # noqa: E402
from gradviz.engine.config import from_mapping  # noqa: E402
from gradviz.engine.run import Run  # noqa: E402

STEPS: list[tuple[float, float]] = []
CALLS: dict[str, list[tuple[float, float]]] = {}


def timed(function, log: list):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            log.append((start, time.perf_counter()))
    return wrapper


def instrument() -> None:
    for label in ("frame", "tick", "dot paint", "probe"):
        CALLS[label] = []
    Run.step = timed(Run.step, STEPS)
    for cls, name, label in ((window_module.MainWindow, "_redraw", "frame"),
                             (window_module.MainWindow, "_on_tick", "tick"),
                             (Sprites, "paint", "dot paint")):
        setattr(cls, name, timed(getattr(cls, name), CALLS[label]))


def overlapping(steps: np.ndarray, calls: list) -> np.ndarray:
    """Which steps overlap one of the ``calls`` (start, end), sorted by start."""
    if not calls:
        return np.zeros(len(steps), dtype=bool)
    calls = np.array(calls)
    before = np.searchsorted(calls[:, 0], steps[:, 1]) - 1   # the last call starting before
    return (before >= 0) & (calls[np.maximum(before, 0), 1] > steps[:, 0])


def slice_report(steps: np.ndarray, headless_step: float) -> list[tuple[str, float, str]]:
    wall = steps[-1, 1] - steps[0, 0]
    extra = (steps[:, 1] - steps[:, 0]) - headless_step
    gaps = steps[1:, 0] - steps[:-1, 1]
    rows = []
    for label, low, high in (("draw gate", 1e-3, np.inf), ("ends of bursts", 20e-6, 1e-3),
                             ("between steps of a burst", 0, 20e-6)):
        gap = gaps[(gaps >= low) & (gaps < high)]
        rows.append((label, gap.sum() / wall, f"{len(gap) / wall:6.1f}/s, median "
                     f"{np.median(gap) * 1e6 if len(gap) else 0:7.1f} µs"))
    unclaimed = np.ones(len(steps), dtype=bool)
    for label in ("dot paint", "frame", "tick", "probe"):
        hit = overlapping(steps, CALLS[label]) & unclaimed
        unclaimed &= ~hit
        rows.append((f"steps during a {label}", extra[hit].sum() / wall,
                     f"{hit.sum() / wall:6.1f}/s, median {np.median(extra[hit]) * 1e6 if hit.any() else 0:7.1f} µs longer"))
    rows.append(("other steps, longer than headless", extra[unclaimed].sum() / wall,
                 f"mean {extra[unclaimed].mean() * 1e6:+.1f} µs"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--no-arrows", action="store_true")
    parser.add_argument("--slices", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="per slice")
    args = parser.parse_args()
    instrument()   # before the window exists: Qt looks up a Python paint override once
    app = bench.create_application()
    config = from_mapping({"batch": args.batch, "lr": 0.05, "steps": 0})
    window = bench.open_window(app, config, not args.no_arrows)
    run = Run(config)
    run.step()
    probe = QTimer()
    probe.timeout.connect(timed(lambda: None, CALLS["probe"]))
    for index in range(args.slices):
        STEPS.clear()
        bench.headless_for(run, args.seconds / 2)
        headless = np.array(STEPS)
        headless_step = float((headless[:, 1] - headless[:, 0]).mean())
        window.toggle_run()
        bench.wait(app, lambda: len(STEPS) > len(headless) + 100, 10)
        STEPS.clear()
        for log in CALLS.values():   # cleared in place: the wrappers hold these lists
            log.clear()
        probe.start(bench.PROBE_MS)
        bench.idle(app, args.seconds)
        probe.stop()
        steps = np.array(STEPS)
        window.toggle_run()
        bench.wait(app, lambda: window.model.status.state != RunState.RUNNING, 10)
        rate = len(steps) / (steps[-1, 1] - steps[0, 0])
        print(f"slice {index + 1}: {rate:,.0f} steps/s in the app, {1 / headless_step:,.0f} "
              f"headless (ratio {rate * headless_step:.3f})")
        for label, share, detail in slice_report(steps, headless_step):
            print(f"  {label:36s} {100 * share:5.1f} %   {detail}")
    window.close()


if __name__ == "__main__":
    main()
