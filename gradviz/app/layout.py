"""The window's remembered layout (size, docks, speed), kept with QSettings between launches."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings


def save_layout(window) -> None:
    settings = QSettings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    settings.setValue("window/speed", window.panel.speed.currentText())


def restore_layout(window) -> list[str]:
    """Restore the remembered window size, docks and speed; what could not be used is left
    out and named in the returned list."""
    settings, ignored = QSettings(), []
    for key, restore in (("window/geometry", window.restoreGeometry),
                         ("window/state", window.restoreState)):
        value = settings.value(key)
        if value is None:
            continue
        if not isinstance(value, (QByteArray, bytes)) or not restore(value):
            ignored.append(f"{key} is unreadable")
    speed = settings.value("window/speed")
    if speed is not None:
        index = window.panel.speed.findText(speed) if isinstance(speed, str) else -1
        if index < 0:
            ignored.append("window/speed is unreadable")
        else:
            window.panel.speed.setCurrentIndex(index)
    return ignored
