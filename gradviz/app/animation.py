"""A GIF rendered in the background by `gradviz export` of a saved copy of the session, so
the window never waits for it.  Each job owns its process and temporary folder: several can
run at once, and a job ends by finishing, failing or being cancelled, always removing its
folder."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal


class AnimationJob(QObject):
    """Render ``path`` from the session the engine saves at ``session_path``, in a window
    of ``window_size`` (the app's own, so that the GIF looks like the screen)."""

    finished = Signal(str, str)   # GIF path, error ('' on success)
    progress = Signal(str, int)   # GIF path, percent done

    def __init__(self, path: str, window_size=(1400, 900), parent=None):
        super().__init__(parent)
        self.path = path
        self.window_size = window_size
        self._errors: list[str] = []
        self.folder = tempfile.mkdtemp(prefix="gradviz-gif-")
        self.session_path = str(Path(self.folder) / "session.toml")
        self.process: QProcess | None = None

    def start(self) -> None:
        """Render, once the session file is saved."""
        self.process = QProcess(self)
        self.process.setProgram(sys.executable)
        width, height = self.window_size
        self.process.setArguments(["-m", "gradviz", "export", "--config", self.session_path,
                                   "--plot", "landscape", "--out", self.path, "--progress",
                                   "--window", f"{width}x{height}"])
        self.process.readyReadStandardError.connect(self._read_errors)
        self.process.finished.connect(self._process_finished)
        self.process.start()

    def _read_errors(self) -> None:
        """'progress N%' lines become progress; anything else is kept for the message."""
        text = bytes(self.process.readAllStandardError()).decode(errors="replace")
        for line in text.splitlines():
            if line.startswith("progress ") and line.endswith("%"):
                self.progress.emit(self.path, int(line[9:-1]))
            elif line.strip():
                self._errors.append(line.strip())

    def _process_finished(self, exit_code: int, _status) -> None:
        self._read_errors()
        shutil.rmtree(self.folder, ignore_errors=True)
        if exit_code == 0:
            self.finished.emit(self.path, "")
        else:
            self.finished.emit(self.path, self._errors[-1] if self._errors
                               else f"could not render {self.path}")

    def cancel(self) -> None:
        """Stop the render (if it started) and remove the temporary folder."""
        if self.process is not None:
            self.process.finished.disconnect(self._process_finished)
            self.process.kill()
            self.process.waitForFinished(5000)
        shutil.rmtree(self.folder, ignore_errors=True)


class Animations(QObject):
    """The window's GIF exports in flight, by the session file each waits for."""

    done = Signal(str, str)   # GIF path, error ('' on success)
    progress = Signal(str, int)   # GIF path, percent done

    def __init__(self, parent=None):
        super().__init__(parent)
        self.jobs: dict[str, AnimationJob] = {}
        self.last_done: str | None = None

    def begin(self, path: str, window_size) -> str:
        """A job for ``path``; returns the session file the engine must save for it."""
        job = AnimationJob(path, window_size, self)
        job.finished.connect(self._finished)
        job.progress.connect(self.progress)
        self.jobs[job.session_path] = job
        return job.session_path

    def saved(self, session_path: str) -> bool:
        """The engine saved ``session_path``: start its job (False if it is not a job's)."""
        job = self.jobs.get(session_path)
        if job is None:
            return False
        job.start()
        return True

    def _finished(self, path: str, error: str) -> None:
        job = self.jobs.pop(self.sender().session_path)
        job.deleteLater()
        if not error:
            self.last_done = path
        self.done.emit(path, error)

    def cancel_all(self) -> list[str]:
        """Cancel every job (quitting mid-render); returns their GIF paths."""
        paths = [job.path for job in self.jobs.values()]
        for job in self.jobs.values():
            job.cancel()
        self.jobs.clear()
        return paths
