"""Soak: the app runs flat out with per-sample arrows on for --minutes (default 30),
offscreen; prints resident memory every minute, the growth from minute 5 to the end
(target < 5 %), steps/s at the start and the end, and redraws/s.
Run by hand: python benchmarks/soak.py [--minutes 30]"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app import open_window, rss_mb, wait  # noqa: E402  (benchmarks/app.py)
from gradviz.app.launch import create_application  # noqa: E402
from gradviz.engine.config import from_mapping  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    app = create_application()
    window = open_window(app, from_mapping({"batch": args.batch, "lr": 0.05, "steps": 0}))
    window.toggle_run()
    wait(app, lambda: window.model.latest is not None, 10)
    memory, rates, start = {}, [], time.perf_counter()
    for minute in range(1, int(args.minutes) + 1):
        step0, redraws0, t0 = window.model.latest.step, window.frames.redraws, time.perf_counter()
        wait(app, lambda: False, 60 - (time.perf_counter() - start - 60 * (minute - 1)))
        elapsed = time.perf_counter() - t0
        rate = ((window.model.latest.step - step0) / elapsed, (window.frames.redraws - redraws0) / elapsed)
        rates.append(rate)
        memory[minute] = rss_mb()
        print(f"minute {minute:>3}: RSS {memory[minute]:7.1f} MB   {rate[0]:8,.0f} steps/s   "
              f"{rate[1]:5.1f} redraws/s   step {window.model.latest.step + 1:,}", flush=True)
    window.close()
    last = max(memory)
    first = 5 if last >= 5 else 1
    growth = 100 * (memory[last] - memory[first]) / memory[first]
    print(f"RSS growth from minute {first} to minute {last}: {growth:+.2f} % (target < 5 %)")
    print(f"steps/s at start {rates[0][0]:,.0f}, at end {rates[-1][0]:,.0f}; "
          f"redraws/s at start {rates[0][1]:.1f}, at end {rates[-1][1]:.1f}")


if __name__ == "__main__":
    main()
