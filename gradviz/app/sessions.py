"""Opening and saving sessions from the app; recent files and remembered settings (QSettings)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from ..engine import session
from ..engine.errors import ConfigError

RECENT_KEY = "sessions/recent"
LAST_KEY = "sessions/last"
MAX_RECENT = 8
FILTER = "gradviz session (*.toml);;All files (*)"


def recent_sessions() -> list[str]:
    value = QSettings().value(RECENT_KEY, [])
    if isinstance(value, str):
        value = [value]
    return [v for v in (value or []) if isinstance(v, str)]


def remember(path) -> None:
    path = str(Path(path).resolve())
    paths = [path] + [p for p in recent_sessions() if p != path]
    QSettings().setValue(RECENT_KEY, paths[:MAX_RECENT])


def remember_last_config(config) -> None:
    """Keep the settings (not the run) for the next start."""
    QSettings().setValue(LAST_KEY, session.dumps(config.with_changes(schedule=[], steps=200)))


def last_config():
    """(the settings of the last session or None, why they were ignored or None): none
    remembered is no problem; unreadable ones are ignored, with the reason."""
    text = QSettings().value(LAST_KEY, "")
    if text in ("", None):
        return None, None
    if not isinstance(text, str):
        return None, "the remembered settings are not text"
    try:
        return session.loads(text, "remembered settings")[0], None
    except ConfigError as err:
        return None, str(err)


def open_session(window, path) -> bool:
    """Load ``path`` and replay it to its saved step.  A bad file gets a message naming the
    problem and leaves the current session untouched."""
    try:
        config, _ = session.load(path)
    except ConfigError as err:
        window.show_message("Cannot open session", str(err))
        return False
    window.start_session(config)
    remember(path)
    window.rebuild_recent_menu()
    return True


def open_session_dialog(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Open session", _folder(), FILTER)
    if path:
        open_session(window, path)


def save_session_dialog(window) -> None:
    path, _ = QFileDialog.getSaveFileName(window, "Save session", _folder() + "/session.toml", FILTER)
    if path:
        if not path.endswith(".toml"):
            path += ".toml"
        window.engine.save(path)


def _folder() -> str:
    recent = recent_sessions()
    return str(Path(recent[0]).parent) if recent else str(Path.home())
