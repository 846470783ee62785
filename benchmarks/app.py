"""The app under load, offscreen (run by hand: python benchmarks/app.py [--seconds S]).

For batch 10³ and 10⁵, per-sample arrows on and off, as fast as it goes, prints:
engine steps/s inside the app vs the same config headless (the ratio), redraws/s, GUI
event-loop latency p50/p99 (a 10 ms QTimer probe: how late it fires), and resident memory
after --memory-steps steps (default 10⁵) with the history the app keeps.
Targets: ratio ≥ 0.8, ≥ 30 redraws/s, p99 latency < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer  # noqa: E402

from gradviz.app.launch import create_application  # noqa: E402
from gradviz.engine.config import from_mapping  # noqa: E402
from gradviz.engine.run import Run  # noqa: E402

PROBE_MS = 10


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def headless_rate(config, seconds: float) -> float:
    run = Run(config)
    run.step()
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        run.step()
        steps += 1
    return steps / (time.perf_counter() - start)


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


def in_app(app, config, arrows: bool, seconds: float, memory_steps: int, redraw: bool = True):
    from gradviz.app.window import MainWindow

    window = MainWindow(config)
    if not redraw:
        window.redraw_timer.stop()
    window.resize(1600, 1000)
    window.show()
    window.panel.contributions.setChecked(arrows)
    wait(app, lambda: window.status is not None, 10)
    window.panel.speed.setCurrentIndex(window.panel.speed.count() - 1)
    lateness, clock = [], QElapsedTimer()

    def probe():
        lateness.append(max(0.0, clock.restart() - PROBE_MS))

    timer = QTimer()
    timer.timeout.connect(probe)
    clock.start()
    timer.start(PROBE_MS)
    window.toggle_run()
    wait(app, lambda: window.latest is not None, 10)
    step0, redraw0, t0 = window.latest.step, window.redraws, time.perf_counter()
    wait(app, lambda: False, seconds)
    elapsed = time.perf_counter() - t0
    rate = (window.latest.step - step0) / elapsed
    if not redraw:
        window.close()
        return rate
    redraws = (window.redraws - redraw0) / elapsed
    timer.stop()
    wait(app, lambda: window.latest.step >= memory_steps - 1, 3600)
    memory = rss_mb()
    steps = window.latest.step + 1
    window.close()
    return rate, redraws, np.percentile(lateness, 50), np.percentile(lateness, 99), memory, steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--memory-steps", type=int, default=100_000)
    args = parser.parse_args()
    app = create_application()
    settings = tempfile.mkdtemp(prefix="gradviz-bench-")   # never touch the user's settings
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, settings)
    print(f"{'batch':>7} {'arrows':>6} {'app steps/s':>12} {'headless':>9} {'ratio':>6} "
          f"{'redraws/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'RSS MB':>7} {'after steps':>11}")
    for batch in (10**3, 10**5):
        config = from_mapping({"batch": batch, "lr": 0.05, "steps": 0})
        headless = headless_rate(config, args.seconds)
        bare = in_app(app, config, False, args.seconds, 0, redraw=False)
        print(f"{batch:>7} {'(no redraw)':>6} {bare:>12,.0f} {headless:>9,.0f} {bare / headless:>6.2f}")
        for arrows in (True, False):
            # at batch 10⁵ a step takes ~7 ms: 10⁵ steps would take 12 minutes per row
            memory_steps = args.memory_steps if batch <= 10**3 else min(args.memory_steps, 5000)
            rate, redraws, p50, p99, memory, steps = in_app(app, config, arrows, args.seconds,
                                                           memory_steps)
            print(f"{batch:>7} {'on' if arrows else 'off':>6} {rate:>12,.0f} {headless:>9,.0f} "
                  f"{rate / headless:>6.2f} {redraws:>9.1f} {p50:>7.1f} {p99:>7.1f} "
                  f"{memory:>7.0f} {steps:>11,}")


if __name__ == "__main__":
    main()
