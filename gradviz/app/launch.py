"""Start the app: check that Qt can open a window, then show the main window."""

from __future__ import annotations

import ctypes.util
import os
import sys

# Debian/Ubuntu package → the library Qt's xcb platform plugin loads from it
X11_PACKAGES = {
    "libxcb-cursor0": "xcb-cursor", "libxcb-icccm4": "xcb-icccm", "libxcb-keysyms1": "xcb-keysyms",
    "libxcb-image0": "xcb-image", "libxcb-render-util0": "xcb-render-util",
    "libxcb-shape0": "xcb-shape", "libxcb-xkb1": "xcb-xkb", "libxkbcommon-x11-0": "xkbcommon-x11",
    "libegl1": "EGL", "libgl1": "GL", "libfontconfig1": "fontconfig", "libdbus-1-3": "dbus-1",
}


def missing_display_packages() -> list[str]:
    """Debian packages whose libraries Qt's X11 plugin needs and this machine lacks."""
    return [pkg for pkg, lib in X11_PACKAGES.items() if ctypes.util.find_library(lib) is None]


def display_problem() -> str | None:
    """Why Qt could not open a window here, in words a user can act on (None if it can)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform in ("offscreen", "minimal", "vnc"):
        return None
    if platform.startswith("wayland") or (not platform and os.environ.get("WAYLAND_DISPLAY")
                                          and not os.environ.get("DISPLAY")):
        return None
    if not os.environ.get("DISPLAY"):
        return ("no display: DISPLAY is not set. Run gradviz on a desktop, or use "
                "`gradviz run` / `gradviz export` without a window.")
    missing = missing_display_packages()
    if missing:
        return ("Qt cannot load its X11 display plugin: missing system libraries. Install them with\n"
                f"  sudo apt-get install {' '.join(missing)}")
    return None


def limit_blas_threads() -> None:
    """One BLAS thread in the app: the engine thread and the GUI thread already share the
    two cores, and OpenBLAS's own threads spin-wait for work (the 200×200 landscape took
    177 ms under load with them)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def create_application(argv=None):
    from PySide6.QtWidgets import QApplication

    from ..engine.allocator import tune_allocator
    from .icon import app_icon
    from .style import configure_pyqtgraph
    from .worker import collect_garbage_on_gui_thread

    tune_allocator()   # before Qt starts its threads
    limit_blas_threads()
    # Qt's raster engine splits large fills across a pool of threads and waits for them.
    # With the engine thread busy on one of two cores, those threads preempt it: the
    # engine kept 73 % of its headless speed with the pool, 76 % without (batch 10⁵).
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("gradviz")
    app.setOrganizationName("gradviz")
    app.setWindowIcon(app_icon())
    configure_pyqtgraph()
    collect_garbage_on_gui_thread()   # never on the engine thread (see there)
    return app


def launch(session=None, lesson=None, projector: bool = False) -> int:
    """Open the main window (on ``session`` = (config, app settings), or on ``lesson``, if
    given; in projector mode if ``projector``) and run."""
    problem = display_problem()
    if problem:
        print(f"gradviz: {problem}", file=sys.stderr)
        return 2
    app = create_application()
    from .window import MainWindow

    config, app_settings = session if session else (None, None)
    window = MainWindow(config, app_settings)
    window.show()
    if projector:
        window.projector.toggle()
    if lesson is not None:
        window.lessons.start(lesson)
    elif session is None:
        window.step_once()  # one step at once: the batch, its arrows and the estimate are visible
    if os.environ.get("GRADVIZ_QUIT_WHEN_SHOWN"):  # benchmarks/startup.py: time to a shown window
        from PySide6.QtCore import QTimer
        QTimer.singleShot(0, app.quit)
    return app.exec()
