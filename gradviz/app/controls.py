"""The control panel: every setting, with tooltips that say what it does to the estimator.

It emits what the user changed; the window validates it with the engine's own validator
and sends it on.  ``liveChanged`` settings apply at the next step; ``structureChanged``
settings (problem, reward, …) start a new run.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ..engine import config as cfg
from ..engine.rewards import CATALOGUE
from .widgets import LogSlider

SPEEDS = [("1 step/s", 1.0), ("2 steps/s", 2.0), ("5 steps/s", 5.0), ("10 steps/s", 10.0),
          ("30 steps/s", 30.0), ("100 steps/s", 100.0), ("1000 steps/s", 1000.0),
          ("as fast as it goes", None)]
TIPS = {
    "problem": "The policy p(x|θ): a 2-D Gaussian over points, a softmax over actions, or the "
               "k-armed bandit. Changing it starts a new run.",
    "reward": "The reward f(x) the Gaussian policy is scored by. J(θ) = E[f(x)] is f blurred "
              "by the Gaussian of width σ. Changing it starts a new run.",
    "formula": "Your own reward in x and y, e.g. exp(-(x-1)**2 - y**2). Numbers, x, y, pi, e, "
               "+ − * / **, and functions like exp, sin, sqrt, tanh, where. Press Enter to use it.",
    "rewards": "Reward of each action, comma-separated. Three actions also draw the landscape "
               "over (θ₁ − θ₃, θ₂ − θ₃) and the probability simplex.",
    "arms": "Number of arms K. Each run draws its true values q*(a) ~ N(offset, 1).",
    "offset": "Mean of the true arm values. A large offset makes every reward positive: the "
              "classic case for a baseline.",
    "learn_sigma": "Also learn log σ: θ = (μ, log σ). The estimator then decides how widely to "
                   "explore.",
    "estimator": "score: the log-derivative trick, mean of (f(x) − b)∇log p(x|θ). pathwise: "
                 "∇θ f(μ + σε), needs a differentiable f (Gaussian only). exact: the true "
                 "gradient, no noise.",
    "baseline": "A b subtracted from each reward. It leaves the estimate unbiased if it does not "
                "depend on the sample itself, and can cut the variance a lot. 'mean' includes "
                "the sample, so it shrinks ĝ by (N−1)/N.",
    "ema_rate": "How fast the ema baseline follows the batch means: b ← b + ρ(mean f − b).",
    "optimizer": "How θ moves: sgd θ ← θ + αĝ; momentum averages past ĝ (smooths noise); Adam "
                 "rescales each component.",
    "lr": "Learning rate α: the step is α·ĝ. Too large and the noise in ĝ throws θ around, or "
          "diverges.",
    "batch": "Samples per step N. The variance of ĝ falls as 1/N; the cost grows as N.",
    "sigma": "Width of the Gaussian policy. Larger σ explores more and smooths J (fewer local "
             "optima), but the score ε/σ and its noise change too.",
    "noise": "Standard deviation of noise added to every reward: more variance, same J.",
    "speed": "Steps per second while running (a cap), or as fast as the machine goes.",
    "seed": "Random seed. The same seed and settings give the same run bit for bit. Changing it "
            "mid-run reseeds from the next step.",
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
        self.problem = self._combo(cfg.PROBLEMS, "problem")
        self.reward = self._combo(list(CATALOGUE) + ["(formula)"], "reward")
        self.formula = QLineEdit()
        self.formula.setPlaceholderText("exp(-(x-1)**2 - y**2)")
        self.formula.setToolTip(TIPS["formula"])
        self.rewards = QLineEdit()
        self.rewards.setToolTip(TIPS["rewards"])
        self.arms = QSpinBox()
        self.arms.setRange(2, 100)
        self.arms.setToolTip(TIPS["arms"])
        self.offset = QDoubleSpinBox()
        self.offset.setRange(-100, 100)
        self.offset.setSingleStep(0.5)
        self.offset.setToolTip(TIPS["offset"])
        self.learn_sigma = QCheckBox("learn log σ too")
        self.learn_sigma.setToolTip(TIPS["learn_sigma"])
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
        self.sigma = LogSlider(*cfg.SIGMA_RANGE, config.sigma, name="σ")   # beyond a reward's widest σ: a dialog says why
        self.sigma.setToolTip(TIPS["sigma"])
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 10.0)
        self.noise.setSingleStep(0.1)
        self.noise.setToolTip(TIPS["noise"])
        self.speed = QComboBox()
        for label, _ in SPEEDS:
            self.speed.addItem(label)
        self.speed.setCurrentIndex(4)
        self.speed.setToolTip(TIPS["speed"])
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip(TIPS["seed"])
        self.runs = QSpinBox()
        self.runs.setRange(1, cfg.MAX_RUNS)        # the engine's own limit: typing 10000 is 10000
        self.runs.setKeyboardTracking(False)
        self.runs.setToolTip(TIPS["runs"])
        self.contributions = QCheckBox("per-sample arrows")
        self.contributions.setChecked(True)
        self.contributions.setToolTip(TIPS["contributions"])
        self.raw = QCheckBox("show raw f(x)")
        self.raw.setToolTip(TIPS["raw"])
        self.use_formula = QPushButton("Use")
        self.use_formula.setToolTip(TIPS["formula"])
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.formula, 1)
        row.addWidget(self.use_formula)
        self.formula_row = QWidget()
        self.formula_row.setLayout(row)

        problem_box, self.problem_form = _group("Policy and reward", [
            ("problem", self.problem), ("reward", self.reward), ("formula", self.formula_row),
            ("rewards", self.rewards), ("arms", self.arms), ("offset", self.offset),
            ("σ", self.sigma), ("", self.learn_sigma), ("reward noise", self.noise)])
        estimator_box, _ = _group("Estimator", [
            ("estimator", self.estimator), ("baseline", self.baseline),
            ("ema rate ρ", self.ema_rate), ("batch N", self.batch)])
        ascent_box, _ = _group("Ascent", [
            ("optimizer", self.optimizer), ("learning rate α", self.lr), ("speed", self.speed),
            ("seed", self.seed), ("replicas R", self.runs)])

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
                "ema_rate": self.ema_rate, "noise": self.noise, "lr": self.lr, "batch": self.batch,
                "sigma": self.sigma, "seed": self.seed, "runs": self.runs}
        structure = {"problem": self.problem, "arms": self.arms, "offset": self.offset,
                     "learn_sigma": self.learn_sigma}
        for key, widget in {**live, **structure}.items():
            widget.setProperty("config_key", key)
        for combo in (self.estimator, self.baseline, self.optimizer):
            combo.textActivated.connect(self._live_value)
        for box in (self.ema_rate, self.noise):
            box.editingFinished.connect(self._live_box)
        for widget in (self.lr, self.batch, self.sigma, self.seed, self.runs):
            widget.valueChanged.connect(self._live_value)
        for slider in (self.lr, self.batch, self.sigma):
            slider.invalid.connect(self.invalid)
        self.problem.textActivated.connect(self._structure_value)
        self.learn_sigma.toggled.connect(self._structure_value)
        for box in (self.arms, self.offset):
            box.editingFinished.connect(self._structure_box)
        self.reward.textActivated.connect(self._reward_chosen)
        self.formula.returnPressed.connect(self._formula_entered)
        self.use_formula.clicked.connect(self._formula_entered)
        self.rewards.editingFinished.connect(self._rewards_entered)
        self.speed.currentIndexChanged.connect(self._speed_chosen)
        self.contributions.toggled.connect(self.contributionsToggled)
        self.raw.toggled.connect(self.rawToggled)

    def _live_value(self, value) -> None:
        key = self.sender().property("config_key")
        self.liveChanged.emit({key: int(value) if key == "batch" else value})

    def _live_box(self) -> None:
        box = self.sender()
        self.liveChanged.emit({box.property("config_key"): box.value()})

    def _structure_value(self, value) -> None:
        self.structureChanged.emit({self.sender().property("config_key"): value})

    def _structure_box(self) -> None:
        box = self.sender()
        self.structureChanged.emit({box.property("config_key"): box.value()})

    def _speed_chosen(self, index: int) -> None:
        self.speedChanged.emit(SPEEDS[index][1])

    def _reward_chosen(self, name: str) -> None:
        if name == "(formula)":
            self.formula.setFocus()
            return
        self.structureChanged.emit({"reward": name})

    def _formula_entered(self) -> None:
        text = self.formula.text().strip()
        if text:
            self.structureChanged.emit({"reward": text})

    def _rewards_entered(self) -> None:
        text = self.rewards.text().strip()
        if text != ",".join(f"{v:g}" for v in self._shown_rewards):
            self.structureChanged.emit({"rewards": text})

    def speed_cap(self):
        return SPEEDS[self.speed.currentIndex()][1]

    def show_config(self, config: cfg.RunConfig) -> None:
        """Show ``config`` without emitting anything."""
        widgets = [self.problem, self.reward, self.formula, self.rewards, self.arms, self.offset,
                   self.learn_sigma, self.estimator, self.baseline, self.ema_rate, self.optimizer,
                   self.noise, self.seed, self.runs]
        for w in widgets:
            w.blockSignals(True)
        self.problem.setCurrentText(config.problem)
        if config.reward in CATALOGUE:
            self.reward.setCurrentText(config.reward)
        else:
            self.reward.setCurrentText("(formula)")
            self.formula.setText(config.reward)
        self._shown_rewards = config.rewards
        self.rewards.setText(",".join(f"{v:g}" for v in config.rewards))
        self.arms.setValue(config.arms)
        self.offset.setValue(config.offset)
        self.learn_sigma.setChecked(config.learn_sigma)
        self.estimator.setCurrentText(config.estimator)
        self.baseline.setCurrentText(config.baseline)
        self.ema_rate.setValue(config.ema_rate)
        self.optimizer.setCurrentText(config.optimizer)
        self.noise.setValue(config.noise)
        self.seed.setValue(min(config.seed, 2**31 - 1))
        self.runs.setValue(min(config.runs, self.runs.maximum()))
        for w in widgets:
            w.blockSignals(False)
        self.lr.setValue(config.lr)
        self.batch.setValue(config.batch)
        self.sigma.setValue(config.sigma)
        self._show_for_problem(config)

    def _show_for_problem(self, config) -> None:
        gaussian = config.problem == "gaussian"
        for widget, visible in ((self.reward, gaussian), (self.formula_row, gaussian),
                                (self.sigma, gaussian), (self.learn_sigma, gaussian),
                                (self.rewards, config.problem == "softmax"),
                                (self.arms, config.problem == "bandit"),
                                (self.offset, config.problem == "bandit"),
                                (self.noise, config.problem != "bandit")):
            widget.setVisible(visible)
            label = self.problem_form.labelForField(widget)
            if label is not None:
                label.setVisible(visible)
        self.ema_rate.setEnabled(config.baseline == "ema")
        self.baseline.setEnabled(config.estimator == "score")
        model = self.estimator.model()
        model.item(list(cfg.ESTIMATORS).index("pathwise")).setEnabled(gaussian)

    def values(self) -> dict:
        """What the controls show, as config values (for checking against the engine)."""
        values = {"problem": self.problem.currentText(), "estimator": self.estimator.currentText(),
                  "baseline": self.baseline.currentText(), "optimizer": self.optimizer.currentText(),
                  "lr": self.lr.value(), "batch": int(self.batch.value()), "seed": self.seed.value(),
                  "runs": self.runs.value(), "ema_rate": self.ema_rate.value()}
        if values["problem"] == "gaussian":
            values["sigma"] = self.sigma.value()
            values["reward"] = (self.reward.currentText() if self.reward.currentText() != "(formula)"
                                else self.formula.text().strip())
        return values
