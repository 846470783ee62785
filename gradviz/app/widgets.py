"""Small widgets: a log-scale slider whose value is shown and typeable."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QSlider, QWidget

TICKS = 1000


class NumberEdit(QLineEdit):
    """A line edit for one number.  Keys that cannot be part of a number (the window's
    one-key shortcuts: Space, S, R) are not typed into it but left to the shortcut, so a
    field with focus neither swallows them nor turns "16" into "16rs"."""

    NUMBER_KEYS = frozenset("0123456789.eE+-")

    @classmethod
    def foreign(cls, text: str) -> bool:
        """Whether a key's text is printable but never part of a number."""
        return bool(text) and text.isprintable() and text not in cls.NUMBER_KEYS

    def event(self, event) -> bool:
        if event.type() == QEvent.ShortcutOverride:
            plain = not event.modifiers() & ~(Qt.ShiftModifier | Qt.KeypadModifier)
            if plain and self.foreign(event.text()):
                event.ignore()          # not accepted: the shortcut, if any, runs
                return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if self.foreign(event.text()):
            event.ignore()              # not a number's character: never typed in
            return
        super().keyPressEvent(event)


class LogSlider(QWidget):
    """A slider over [lo, hi] on a log scale, with a line edit showing the value.

    ``valueChanged(float)`` fires when the user drags the slider or types a valid value;
    ``invalid(str)`` fires with a message when the typed text is not a number in range.
    """

    valueChanged = Signal(float)
    invalid = Signal(str)

    def __init__(self, lo: float, hi: float, value: float, integer: bool = False, parent=None,
                 name: str = "value"):
        super().__init__(parent)
        self.lo, self.hi, self.integer, self.name = lo, hi, integer, name
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, TICKS)
        self.edit = NumberEdit()
        self.edit.setFixedWidth(72)
        self.edit.setAlignment(Qt.AlignRight)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.edit)
        self._value = None
        self.setValue(value)
        self.slider.valueChanged.connect(self._slider_moved)
        self.edit.editingFinished.connect(self._typed)

    def value(self) -> float:
        return self._value

    def setValue(self, value: float, emit: bool = False) -> None:
        value = min(max(value, self.lo), self.hi)
        value = int(round(value)) if self.integer else float(value)
        changed = value != self._value
        self._value = value
        self.slider.blockSignals(True)
        self.slider.setValue(self._position(value))
        self.slider.blockSignals(False)
        self.edit.setText(self._format(value))
        if emit and changed:
            self.valueChanged.emit(value)

    def _position(self, value: float) -> int:
        span = math.log10(self.hi) - math.log10(self.lo)
        return round((math.log10(value) - math.log10(self.lo)) / span * TICKS)

    def _from_position(self, position: int) -> float:
        span = math.log10(self.hi) - math.log10(self.lo)
        return 10 ** (math.log10(self.lo) + span * position / TICKS)

    def _format(self, value: float) -> str:
        return f"{value:d}" if self.integer else f"{value:.3g}"

    def _slider_moved(self, position: int) -> None:
        value = self._from_position(position)
        if not self.integer:
            value = float(f"{value:.3g}")  # round to what the box shows
        self.setValue(value, emit=True)

    def _typed(self) -> None:
        text = self.edit.text().strip()
        try:
            value = float(text)
            if self.integer and not value.is_integer():
                raise ValueError
        except ValueError:
            self.edit.setText(self._format(self._value))
            self.invalid.emit(f"{self.name}: {text!r} is not a {'whole ' if self.integer else ''}number")
            return
        if not (self.lo <= value <= self.hi) or not math.isfinite(value):
            self.edit.setText(self._format(self._value))
            self.invalid.emit(f"{self.name}: {text} is outside {self._format(self.lo)} … "
                              f"{self._format(self.hi)}")
            return
        self.setValue(value, emit=True)
