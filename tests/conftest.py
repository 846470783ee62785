"""Test setup: Qt draws offscreen, always (set here, before any Qt import, not by hand);
settings go to a temporary folder; app tests get a fresh main window."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_settings(request, tmp_path):
    """Point QSettings at tmp_path for tests that use Qt, so no test reads a user's settings."""
    if "qtbot" not in request.fixturenames and "window" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QSettings

    from gradviz.app.launch import create_application

    create_application()
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    yield


@pytest.fixture(autouse=True)
def closed_windows_deleted_in_order(request):
    """After a Qt test, delete its closed main windows through Qt (parents before children)
    and collect their Python garbage at once, with no engine running.

    Left to Python's collector, a closed window's reference cycles (pyqtgraph's scenes,
    items and views refer to each other) are broken in arbitrary order at an arbitrary later
    moment: a scene could go before its items while a later test's window was starting,
    which crashed the interpreter now and then (pyqtgraph issues #55 and #1628)."""
    yield
    if "qtbot" not in request.fixturenames:
        return
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    from gradviz.app.window import MainWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and not widget.isVisible():
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    gc.collect()


@pytest.fixture(autouse=True)
def no_dangling_threads_or_timers(request, monkeypatch):
    """Fail a Qt test that leaves an engine thread or a started QTimer running (napari-style)."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    import shiboken6
    from PySide6.QtCore import QTimer

    from gradviz.app import worker

    started = []
    original_start = QTimer.start

    def recording_start(timer, *args):
        started.append(timer)
        return original_start(timer, *args)

    monkeypatch.setattr(QTimer, "start", recording_start)
    yield
    threads = [e for e in list(worker.ENGINES) if shiboken6.isValid(e.thread) and e.thread.isRunning()]
    timers = [t for t in started if shiboken6.isValid(t) and t.isActive()]
    for engine in threads:
        engine.stop()
    assert not threads, f"{len(threads)} engine thread(s) left running"
    assert not timers, f"{len(timers)} QTimer(s) left running: {[t.objectName() or t for t in timers]}"


@pytest.fixture
def make_window(qtbot):
    """make_window(**settings) → a shown main window whose engine has reported once."""
    from gradviz.app.window import MainWindow
    from gradviz.engine.config import from_mapping

    windows = []

    def make(**settings):
        window = MainWindow(from_mapping({"steps": 0, **settings}))
        windows.append(window)
        # the first-launch size: the offscreen screen (800×800) would shrink it to fit
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.model.status is not None, timeout=5000)
        return window

    yield make
    for window in windows:
        window.close()
