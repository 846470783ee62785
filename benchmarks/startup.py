"""Time from launching `gradviz` to its window shown and painted (run by hand).

Runs the real command several times with GRADVIZ_QUIT_WHEN_SHOWN=1, which makes the app
quit as soon as its event loop has shown the window; prints the wall time of each whole
process (interpreter start, imports, window, first paint, exit). Target: under 2 s.
Uses the display if there is one (DISPLAY set), else Qt's offscreen platform."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time


def main(runs: int = 5):
    env = {**os.environ, "GRADVIZ_QUIT_WHEN_SHOWN": "1"}
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gradviz"], env=env, check=True,
                       capture_output=True, timeout=60)
        times.append(time.perf_counter() - start)
    print(f"gradviz to a shown window ({env.get('QT_QPA_PLATFORM', 'xcb')}): "
          f"median {statistics.median(times):.2f} s, best {min(times):.2f} s, "
          f"worst {max(times):.2f} s over {runs} launches (target < 2 s)")


if __name__ == "__main__":
    main()
