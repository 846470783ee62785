"""A lesson in the app: its run starts, its question is asked in a small window beside the
main one; "Run the lesson" plays its steps, and the explanation appears when they are done."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout

from ..engine import presets
from .worker import RunState


class Lessons(QObject):
    """The Lessons menu and the lesson shown.  No Python reference back to the window
    (its parent): a cycle would keep it, and its Qt objects, for the garbage collector."""

    def __init__(self, window):
        super().__init__(window)
        self.dialog: LessonDialog | None = None

    def fill(self, menu) -> None:
        for lesson in presets.lessons():
            action = menu.addAction(f"{lesson.order}. {lesson.title}")
            action.setData(lesson.name)
            action.triggered.connect(self._chosen)

    def _chosen(self) -> None:
        self.start(presets.lesson(self.sender().data()))

    def start(self, lesson) -> None:
        """Start a lesson's run (not its steps: the question comes first) and ask."""
        window = self.parent()
        if self.dialog is not None:
            self.dialog.close()
        window.controller.start(lesson.config.with_changes(steps=0, schedule=[]))
        self.dialog = LessonDialog(window, lesson)
        self.dialog.destroyed.connect(self._closed)
        self.dialog.show()
        # top right, over the plots beside the landscape, which stays in view
        corner = window.mapToGlobal(QPoint(window.width() - self.dialog.width() - 16, 64))
        self.dialog.move(corner)

    def _closed(self) -> None:
        self.dialog = None


class LessonDialog(QDialog):
    def __init__(self, window, lesson):
        super().__init__(window)
        self.lesson = lesson
        self.setWindowTitle(f"Lesson: {lesson.title}")
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.setModal(False)
        self.question = QLabel(f"<b>{lesson.title}</b><p>{lesson.question}</p>")
        self.explanation = QLabel(f"<p><b>What happened.</b> {lesson.explanation}</p>")
        for label in (self.question, self.explanation):
            label.setWordWrap(True)
            label.setTextFormat(Qt.RichText)
            label.setMinimumWidth(420)
        self.explanation.hide()
        self.play = QPushButton(f"Run the lesson ({lesson.config.steps} steps)")
        self.play.clicked.connect(self.run_lesson)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.addButton(self.play, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addWidget(self.explanation)
        layout.addWidget(buttons)
        window.model.statusChanged.connect(self._progress)
        self._running = False

    def run_lesson(self) -> None:
        self._running = True
        self.play.setEnabled(False)
        self.parent().engine.run_to(self.lesson.config.steps)

    def _progress(self) -> None:
        """Once the run has taken the lesson's steps and paused, explain."""
        status = self.parent().model.status
        if (self._running and status.step >= self.lesson.config.steps
                and status.state != RunState.RUNNING):
            self._running = False
            self.explanation.show()
            self.play.setText("Run it again")
            self.play.setEnabled(True)
            self.play.clicked.disconnect(self.run_lesson)
            self.play.clicked.connect(self._again)

    def _again(self) -> None:
        self.parent().lessons.start(self.lesson)
