"""The app under load, offscreen (run by hand: python benchmarks/app.py [--seconds S]).

For batch 10³ and 10⁵, per-sample arrows on and off, as fast as it goes, prints:
engine steps/s inside the app vs the same config headless (the ratio), redraws/s, GUI
event-loop latency p50/p99 (a 10 ms QTimer probe: how late it fires), and resident memory
after --memory-steps steps (default 10⁵) with the history the app keeps.
Targets: ratio ≥ 0.8, ≥ 30 redraws/s, p99 latency < 50 ms.

This machine's speed drifts by ±15 % over tens of seconds, so the headless and in-app
rates are measured in alternating slices (--rounds of each) and compared as totals; the
± is the standard error of the rounds' ratios.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402

from gradviz.app.launch import create_application  # noqa: E402
from gradviz.engine.config import from_mapping  # noqa: E402
from gradviz.engine.run import Run  # noqa: E402

PROBE_MS = 10


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def wait(app, condition, seconds):
    """Run the Qt event loop (as app.exec() would: idle in C++, GIL released) until
    ``condition()`` holds or ``seconds`` pass; a Python busy loop would starve the engine."""
    loop, deadline = QEventLoop(), time.perf_counter() + seconds
    check = QTimer()
    check.timeout.connect(lambda: (condition() or time.perf_counter() >= deadline) and loop.quit())
    check.start(20)
    if not condition():
        loop.exec()
    check.stop()


def idle(app, seconds):
    """Run the Qt event loop for ``seconds``, with no Python in between (a polling timer's
    calls would each wait for the engine thread to hand over the GIL)."""
    loop = QEventLoop()
    QTimer.singleShot(round(1000 * seconds), loop.quit)
    loop.exec()


def open_window(app, config, arrows: bool = True, redraw: bool = True):
    """The main window at 1600×1000 on ``config``, shown, speed cap off, not yet running;
    settings go to a temporary folder, never the user's."""
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tempfile.mkdtemp())
    from gradviz.app.window import MainWindow

    window = MainWindow(config)
    if not redraw:
        window.frames.stop()
    window.resize(1600, 1000)
    window.show()
    window.panel.contributions.setChecked(arrows)
    wait(app, lambda: window.model.status is not None, 10)
    window.panel.speed.setCurrentIndex(window.panel.speed.count() - 1)
    return window


def run_for(app, window, seconds: float):
    """Run the app's engine for ``seconds``; steps, redraws and the probe's lateness (ms)."""
    from gradviz.app.worker import RunState

    lateness, last = [], [0.0]

    def fired():
        # Python's clock, not QElapsedTimer: each Qt call lets go of the GIL, and taking it
        # back waits for the engine thread (the probe would cost the engine more)
        now = time.perf_counter()
        lateness.append(max(0.0, 1000 * (now - last[0]) - PROBE_MS))
        last[0] = now

    probe = QTimer()
    probe.timeout.connect(fired)
    window.toggle_run()
    step0 = window.model.latest.step if window.model.latest is not None else -1
    wait(app, lambda: window.model.latest is not None and window.model.latest.step > step0, 10)
    step0, redraws0, t0 = window.model.latest.step, window.frames.redraws, time.perf_counter()
    last[0] = time.perf_counter()
    probe.start(PROBE_MS)
    idle(app, seconds)
    steps, redraws = window.model.latest.step - step0, window.frames.redraws - redraws0
    elapsed = time.perf_counter() - t0
    probe.stop()
    window.toggle_run()
    wait(app, lambda: window.model.status.state != RunState.RUNNING, 10)
    return steps, redraws, elapsed, lateness


def headless_for(run: Run, seconds: float):
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        run.step()
        steps += 1
    return steps, time.perf_counter() - start


def measure(app, config, arrows: bool, seconds: float, rounds: int, redraw: bool = True):
    """Alternate headless and in-app slices; (headless steps/s, app steps/s, redraws/s,
    the ratio's standard error over the rounds, lateness samples, window)."""
    window = open_window(app, config, arrows, redraw)
    run = Run(config)
    run.step()
    totals = np.zeros(5)   # headless steps, seconds; app steps, redraws, seconds
    lateness, ratios = [], []
    for _ in range(rounds):
        headless_steps, headless_seconds = headless_for(run, seconds / rounds)
        steps, redraws, elapsed, late = run_for(app, window, seconds / rounds)
        totals += (headless_steps, headless_seconds, steps, redraws, elapsed)
        ratios.append((steps / elapsed) / (headless_steps / headless_seconds))
        lateness += late
    error = np.std(ratios, ddof=1) / np.sqrt(rounds) if rounds > 1 else np.nan
    return (totals[0] / totals[1], totals[2] / totals[4], totals[3] / totals[4], error, lateness,
            window)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="in-app seconds per row")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--memory-steps", type=int, default=100_000)
    parser.add_argument("--batches", type=int, nargs="+", default=[10**3, 10**5])
    args = parser.parse_args()
    app = create_application()
    print(f"{'batch':>7} {'arrows':>11} {'app steps/s':>12} {'headless':>9} {'ratio ± s.e.':>13} "
          f"{'redraws/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'RSS MB':>7} {'after steps':>11}")
    for batch in args.batches:
        config = from_mapping({"batch": batch, "lr": 0.05, "steps": 0})
        headless, rate, _, error, _, window = measure(app, config, False, args.seconds,
                                                      args.rounds, redraw=False)
        window.close()
        print(f"{batch:>7} {'(no redraw)':>11} {rate:>12,.0f} {headless:>9,.0f} "
              f"{rate / headless:>6.2f} ± {error:.2f}", flush=True)
        for arrows in (True, False):
            headless, rate, redraws, error, lateness, window = measure(app, config, arrows,
                                                                       args.seconds, args.rounds)
            # at batch 10⁵ a step takes ~7 ms: 10⁵ steps would take 12 minutes per row
            memory_steps = args.memory_steps if batch <= 10**3 else min(args.memory_steps, 5000)
            window.toggle_run()
            wait(app, lambda: window.model.latest.step >= memory_steps - 1, 3600)
            memory, steps = rss_mb(), window.model.latest.step + 1
            window.close()
            p50, p99 = np.percentile(lateness, [50, 99])
            print(f"{batch:>7} {'on' if arrows else 'off':>11} {rate:>12,.0f} {headless:>9,.0f} "
                  f"{rate / headless:>6.2f} ± {error:.2f} {redraws:>9.1f} {p50:>7.1f} {p99:>7.1f} "
                  f"{memory:>7.0f} {steps:>11,}", flush=True)


if __name__ == "__main__":
    main()
