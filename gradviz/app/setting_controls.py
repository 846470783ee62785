"""A control for each problem setting, made from its schema (engine/settings.Setting), so a
new problem's settings appear in the app without code here."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLineEdit,
                               QPushButton, QSpinBox, QWidget)

from .widgets import LogSlider

SPIN_LIMIT = 1e6     # spin boxes show at most ±this (the engine checks the setting's own range)


def _vector_text(values) -> str:
    return ",".join(f"{v:g}" for v in values)


class SettingControl(QObject):
    """A widget for one Setting.  ``changed(name, value)`` when the user changes it; ``show``
    sets it without emitting.  ``invalid(text)`` when typed text cannot be read."""

    changed = Signal(str, object)
    invalid = Signal(str)

    def __init__(self, setting, parent=None):
        super().__init__(parent)
        self.setting = setting
        kind, tip = setting.kind, setting.help[:1].upper() + setting.help[1:] + "."
        self._shown = None
        if kind == "log":
            self.input = self.widget = LogSlider(setting.lo, setting.hi, setting.default,
                                                 name=setting.label or setting.name)
            self.input.valueChanged.connect(self._emit_value)
            self.input.invalid.connect(self.invalid)
        elif kind == "bool":
            self.input = self.widget = QCheckBox(setting.label)
            self.input.toggled.connect(self._emit_value)
        elif kind in ("number", "integer"):
            self.input = self.widget = QSpinBox() if kind == "integer" else QDoubleSpinBox()
            lo, hi = max(setting.lo, -SPIN_LIMIT), min(setting.hi, SPIN_LIMIT)
            self.input.setRange(int(lo), int(hi)) if kind == "integer" else self.input.setRange(lo, hi)
            if kind == "number":
                self.input.setDecimals(3)
                self.input.setSingleStep(0.1)
            self.input.setKeyboardTracking(False)
            self.input.editingFinished.connect(self._emit_box)
        elif kind == "vector":
            self.input = self.widget = QLineEdit()
            self.input.editingFinished.connect(self._emit_text)
        elif kind == "choice":
            self.input = self.widget = QComboBox()
            for name, description in setting.suggestions:
                self.input.addItem(name)
                self.input.setItemData(self.input.count() - 1, description, Qt.ToolTipRole)
            self.input.textActivated.connect(self._emit_text)
        else:   # text, with suggestions to pick from (the reward catalogue)
            self.input = QComboBox()
            self.input.setEditable(True)
            self.input.setInsertPolicy(QComboBox.NoInsert)
            for name, description in setting.suggestions:   # what each teaches, on hover
                self.input.addItem(name)
                self.input.setItemData(self.input.count() - 1, description, Qt.ToolTipRole)
            self.input.lineEdit().setPlaceholderText("pick, or type and press Enter")
            self.input.textActivated.connect(self._emit_text)
            use = QPushButton("Use")
            use.setToolTip("Use the text typed in the box")
            use.clicked.connect(self._emit_text)
            self.use = use
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(self.input, 1)
            row.addWidget(use)
            self.widget = QWidget()
            self.widget.setLayout(row)
        self.widget.setToolTip(tip)
        self.input.setToolTip(tip)

    @property
    def label(self) -> str:
        return "" if self.setting.kind == "bool" else (self.setting.label or self.setting.name)

    def value(self):
        kind = self.setting.kind
        if kind == "log":
            return self.input.value()
        if kind == "bool":
            return self.input.isChecked()
        if kind in ("number", "integer"):
            return self.input.value()
        if kind in ("text", "choice"):
            return self.input.currentText().strip()
        return self.input.text().strip()

    def show(self, value) -> None:
        """Show ``value`` without emitting anything."""
        kind = self.setting.kind
        self._shown = value
        if kind == "log":
            self.input.setValue(value)
            return
        self.input.blockSignals(True)
        if kind == "bool":
            self.input.setChecked(bool(value))
        elif kind in ("number", "integer"):
            self.input.setValue(value)
        elif kind == "vector":
            self.input.setText(_vector_text(value))
        else:
            self.input.setCurrentText(str(value))
        self.input.blockSignals(False)

    def _emit_value(self, value) -> None:
        self.changed.emit(self.setting.name, value)

    def _emit_box(self) -> None:
        if self.input.value() != self._shown:
            self.changed.emit(self.setting.name, self.input.value())

    def _emit_text(self, *_) -> None:
        text = self.value()
        shown = _vector_text(self._shown) if self.setting.kind == "vector" and self._shown else self._shown
        if text and text != shown:
            self.changed.emit(self.setting.name, text)
