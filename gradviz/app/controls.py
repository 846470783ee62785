"""The control panel: every setting, with tooltips that say what it does to the estimator.

It emits what the user changed; the window validates it with the engine's own validator
and sends it on.  ``liveChanged`` settings apply at the next step; ``structureChanged``
settings (problem, reward, …) start a new run.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QSpinBox, QVBoxLayout, QWidget)

from ..engine import config as cfg
from ..engine.problems import all_settings
from .setting_controls import SettingControl
from .widgets import LogSlider

SPEEDS = [("1 step/s", 1.0), ("2 steps/s", 2.0), ("5 steps/s", 5.0), ("10 steps/s", 10.0),
          ("30 steps/s", 30.0), ("100 steps/s", 100.0), ("1000 steps/s", 1000.0),
          ("as fast as it goes", None)]
TIPS = {
    "problem": "The policy p(x|θ) and its reward (each is described in the list). Changing it "
               "starts a new run.",
    "estimator": "score: the log-derivative trick, mean of (f(x) − b)∇log p(x|θ). pathwise: "
                 "∇θ f(μ + σε), needs a differentiable f (Gaussian only). exact: the true "
                 "gradient, no noise.",
    "baseline": "A b subtracted from each reward. It leaves the estimate unbiased if it does not "
                "depend on the sample itself, and can cut the variance a lot. 'mean' includes "
                "the sample, so it shrinks ĝ by (N−1)/N.",
    "ema_rate": "How fast the ema baseline follows the batch means, b ← b + ρ(mean f − b), and the "
                "learned estimator's V̂ the returns seen from each cell.",
    "optimizer": "How θ moves: sgd θ ← θ + αĝ; momentum averages past ĝ (smooths noise); Adam "
                 "rescales each component.",
    "lr": "Learning rate α: the step is α·ĝ. Too large and the noise in ĝ throws θ around, or "
          "diverges.",
    "batch": "Samples per step N. The variance of ĝ falls as 1/N; the cost grows as N.",
    "speed": "Steps per second while running (a cap), or as fast as the machine goes.",
    "seed": "Random seed. The same seed and settings give the same run bit for bit. Changing it "
            "mid-run reseeds from the next step.",
    "freeze": "Hold θ where it is: every step draws a new batch at the same θ. The dots are the "
              "estimates, the ring their mean: it closes in on the exact gradient (unbiased), "
              "whatever the estimator's noise.",
    "runs": "Replicas R: independent runs advanced together, for the spread across runs. "
            "Replica 1 is the one drawn on the landscape.",
    "contributions": "Draw every sample's contribution as an arrow from θ: f(x)∇log p(x|θ), "
                     "(f(x) − b)∇log p(x|θ) with a baseline b, ∇f(μ + σε) for pathwise (the "
                     "legend says which). Their mean is the estimate.",
    "raw": "Show the raw reward f(x) instead of J(θ) = E[f(x)], to see how σ smooths f.",
}


def _group(title: str, rows) -> tuple[QGroupBox, QFormLayout]:
    """A titled box of labelled rows."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    for label, widget in rows:
        form.addRow(label, widget)
    return box, form


class ControlPanel(QWidget):
    liveChanged = Signal(dict)
    structureChanged = Signal(dict)
    speedChanged = Signal(object)
    contributionsToggled = Signal(bool)
    rawToggled = Signal(bool)
    invalid = Signal(str)

    def __init__(self, config: cfg.RunConfig, parent=None):
        super().__init__(parent)
        self.problem = self._combo(cfg.problems(), "problem")
        # every problem's settings, made from their schema; the current problem's are shown
        self.settings = {name: SettingControl(setting, self)
                         for name, setting in all_settings().items()}
        self.estimator = self._combo(cfg.ESTIMATORS, "estimator")
        self.baseline = self._combo(cfg.BASELINES, "baseline")
        self.ema_rate = QDoubleSpinBox()
        self.ema_rate.setRange(0.001, 1.0)
        self.ema_rate.setDecimals(3)
        self.ema_rate.setSingleStep(0.05)
        self.ema_rate.setToolTip(TIPS["ema_rate"])
        self.optimizer = self._combo(cfg.OPTIMIZERS, "optimizer")
        self.lr = LogSlider(1e-4, 10.0, config.lr, name="learning rate")
        self.lr.setToolTip(TIPS["lr"])
        self.batch = LogSlider(1, 100_000, config.batch, integer=True, name="batch size")
        self.batch.setToolTip(TIPS["batch"])
        self.speed = QComboBox()
        for label, _ in SPEEDS:
            self.speed.addItem(label)
        self.speed.setCurrentIndex(4)
        self.speed.setToolTip(TIPS["speed"])
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip(TIPS["seed"])
        self.freeze = QCheckBox("hold θ and resample")
        self.freeze.setToolTip(TIPS["freeze"])
        self.runs = QSpinBox()
        self.runs.setRange(1, cfg.MAX_RUNS)        # the engine's own limit: typing 10000 is 10000
        self.runs.setKeyboardTracking(False)
        self.runs.setToolTip(TIPS["runs"])
        self.contributions = QCheckBox("per-sample arrows")
        self.contributions.setChecked(True)
        self.contributions.setToolTip(TIPS["contributions"])
        self.raw = QCheckBox("show raw f(x)")
        self.raw.setToolTip(TIPS["raw"])
        problem_box, self.problem_form = _group("Policy and reward", [("problem", self.problem)] + [
            (control.label, control.widget) for control in self.settings.values()])
        estimator_box, _ = _group("Estimator", [
            ("estimator", self.estimator), ("baseline", self.baseline),
            ("ema rate ρ", self.ema_rate), ("batch N", self.batch)])
        ascent_box, _ = _group("Ascent", [
            ("optimizer", self.optimizer), ("learning rate α", self.lr), ("speed", self.speed),
            ("seed", self.seed), ("replicas R", self.runs), ("", self.freeze)])

        view_box = QGroupBox("Show")
        v = QVBoxLayout(view_box)
        v.addWidget(self.contributions)
        v.addWidget(self.raw)

        layout = QVBoxLayout(self)
        for box in (problem_box, estimator_box, ascent_box, view_box):
            layout.addWidget(box)
        layout.addStretch(1)

        self.show_config(config)
        self._connect()

    def _combo(self, names, tip_key) -> QComboBox:
        combo = QComboBox()
        for name in names:
            combo.addItem(name)
            if isinstance(names, dict):
                combo.setItemData(combo.count() - 1, names[name], 3)  # Qt.ToolTipRole
        combo.setToolTip(TIPS[tip_key])
        return combo

    def _connect(self) -> None:
        """Bound-method slots only (lambdas capturing widgets leave cycles the GC cannot
        clear); each widget carries its config key as a Qt property."""
        live = {"estimator": self.estimator, "baseline": self.baseline, "optimizer": self.optimizer,
                "ema_rate": self.ema_rate, "lr": self.lr, "batch": self.batch, "seed": self.seed,
                "runs": self.runs, "freeze": self.freeze}
        for key, widget in live.items():
            widget.setProperty("config_key", key)
        for combo in (self.estimator, self.baseline, self.optimizer):
            combo.textActivated.connect(self._live_value)
        self.ema_rate.editingFinished.connect(self._live_box)
        for widget in (self.lr, self.batch, self.seed, self.runs):
            widget.valueChanged.connect(self._live_value)
        self.freeze.toggled.connect(self._live_value)
        for slider in (self.lr, self.batch):
            slider.invalid.connect(self.invalid)
        self.problem.setProperty("config_key", "problem")
        self.problem.textActivated.connect(self._structure_value)
        for control in self.settings.values():
            control.changed.connect(self._setting_changed)
            control.invalid.connect(self.invalid)
        self.speed.currentIndexChanged.connect(self._speed_chosen)
        self.contributions.toggled.connect(self.contributionsToggled)
        self.raw.toggled.connect(self.rawToggled)

    def _setting_changed(self, name: str, value) -> None:
        """A problem setting: live ones apply at the next step, the others start a new run."""
        (self.liveChanged if self.settings[name].setting.live else self.structureChanged).emit({name: value})

    def _live_value(self, value) -> None:
        key = self.sender().property("config_key")
        self.liveChanged.emit({key: int(value) if key == "batch" else value})

    def _live_box(self) -> None:
        box = self.sender()
        self.liveChanged.emit({box.property("config_key"): box.value()})

    def _structure_value(self, value) -> None:
        self.structureChanged.emit({self.sender().property("config_key"): value})

    def _speed_chosen(self, index: int) -> None:
        self.speedChanged.emit(SPEEDS[index][1])

    def speed_cap(self):
        return SPEEDS[self.speed.currentIndex()][1]

    def show_config(self, config: cfg.RunConfig) -> None:
        """Show ``config`` without emitting anything."""
        widgets = [self.problem, self.estimator, self.baseline, self.ema_rate, self.optimizer,
                   self.seed, self.runs, self.freeze]
        for w in widgets:
            w.blockSignals(True)
        self.problem.setCurrentText(config.problem)
        self.estimator.setCurrentText(config.estimator)
        self.baseline.setCurrentText(config.baseline)
        self.ema_rate.setValue(config.ema_rate)
        self.optimizer.setCurrentText(config.optimizer)
        self.seed.setValue(min(config.seed, 2**31 - 1))
        self.runs.setValue(min(config.runs, self.runs.maximum()))
        self.freeze.setChecked(config.freeze)
        for w in widgets:
            w.blockSignals(False)
        self.lr.setValue(config.lr)
        self.batch.setValue(config.batch)
        for name, control in self.settings.items():
            control.show(getattr(config, name))
        self._show_for_problem(config)

    def _show_for_problem(self, config) -> None:
        """The problem's own settings, and the estimators it offers."""
        kind = config.kind
        own = {setting.name for setting in kind.settings}
        for name, control in self.settings.items():
            control.widget.setVisible(name in own)
            control.widget.setEnabled(control.setting.applies(config))
            label = self.problem_form.labelForField(control.widget)
            if label is not None:
                label.setVisible(name in own)
        plane = kind.plane(config)          # the show options are the landscape's
        self.contributions.setEnabled(plane is not None)
        self.raw.setEnabled(plane is not None and plane.samples_live_here)
        self.ema_rate.setEnabled(config.baseline == "ema" or config.estimator == "learned")
        self.baseline.setEnabled(config.estimator == "score")
        model = self.estimator.model()
        for i, name in enumerate(cfg.ESTIMATORS):
            model.item(i).setEnabled(name in kind.estimators)

    def values(self) -> dict:
        """What the controls show, as config values (for checking against the engine)."""
        values = {"problem": self.problem.currentText(), "estimator": self.estimator.currentText(),
                  "baseline": self.baseline.currentText(), "optimizer": self.optimizer.currentText(),
                  "lr": self.lr.value(), "batch": int(self.batch.value()), "seed": self.seed.value(),
                  "runs": self.runs.value(), "ema_rate": self.ema_rate.value()}
        kind = cfg.kind_of(values["problem"])
        values.update((s.name, self.settings[s.name].value()) for s in kind.settings)
        return values
