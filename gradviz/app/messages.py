"""Messages to the user: a non-blocking dialog (the run and the window keep going) and the
status bar; a dialog already open is reused, so a burst of problems does not pile up."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox


class MessageBoard(QObject):
    def __init__(self, window):
        super().__init__(window)     # no Python reference back: a cycle would outlive the window
        self.last: tuple[str, str] | None = None   # (title, text) of the newest message
        self.count = 0
        self.dialogs: list[QMessageBox] = []

    def show(self, title: str, text: str) -> None:
        self.last = (title, text)
        self.count += 1
        window = self.parent()
        window.statusBar().showMessage(f"{title}: {text}", 15000)
        if self.dialogs and self.dialogs[-1].isVisible():
            self.dialogs[-1].setWindowTitle(title)
            self.dialogs[-1].setText(text)
            return
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, window)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.finished.connect(self._forget)
        self.dialogs.append(box)
        box.open()

    def _forget(self) -> None:
        self.dialogs = [d for d in self.dialogs if d is not self.sender()]

    def close_all(self) -> None:
        for box in list(self.dialogs):
            box.close()
