"""Python calls Qt makes while it lays out and repaints the plots (run by hand).

Each Python method Qt calls while painting waits for the engine thread's GIL, so the plots
are built to be repainted in C++: only the sample dots (``Sprites.paint``) and, where a
range moved, a view box's item group (``ChildGroup.boundingRect``, abstract in C++) should
call Python.  This script steps a window, draws each step, repaints every plot and counts
the Python calls per repaint, by kind.  Baseline: the two expected kinds, one or two calls
each a frame; anything else printed is a regression to look at.  (It was a test; Qt's
timers may fire inside processEvents, so the count is not deterministic enough to assert.)
"""

from __future__ import annotations

import collections
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

EXPECTED = {"Sprites.paint", "ChildGroup.boundingRect"}


def main(frames: int = 50) -> None:
    from PySide6.QtWidgets import QApplication, QGraphicsItem

    from gradviz.app.launch import create_application
    from gradviz.app.window import MainWindow
    from gradviz.engine.config import from_mapping

    app = create_application()
    window = MainWindow(from_mapping({"steps": 0, "batch": 100}))
    window.show()
    calls = collections.Counter()

    def count(frame, event, arg):
        item = frame.f_locals.get("self")
        if (event == "call" and isinstance(item, QGraphicsItem) and frame.f_back is not None
                and frame.f_back.f_code.co_name == "update_plots"):
            calls[f"{type(item).__name__}.{frame.f_code.co_name}"] += 1

    def update_plots():
        QApplication.processEvents()    # Qt's deferred layout and dirty-item handling
        for view in [w for v in window.views.values() for w in v.painted()]:
            view.viewport().repaint()

    for step in range(frames):
        window.step_once()
        while window.model.latest is None or window.model.latest.step < step:
            app.processEvents()
        window.frames.dirty = True     # as a frame with new data does
        window.frames.draw_now()
        sys.setprofile(count)
        try:
            update_plots()
        finally:
            sys.setprofile(None)
    window.close()
    print(f"Python calls from Qt per repaint of every plot, over {frames} frames:")
    for name, n in calls.most_common():
        mark = "" if name in EXPECTED else "   <- not expected"
        print(f"  {name:<40} {n / frames:6.2f} a frame{mark}")
    print(f"baseline (by design): only {', '.join(sorted(EXPECTED))}")


if __name__ == "__main__":
    main()
