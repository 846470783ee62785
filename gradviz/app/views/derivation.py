"""The derivation on screen: the log-derivative trick line by line, each line's value at the
current θ beside it (engine/derivation.py computes them).  The exact lines need every x
(the note says how many terms); the last needs only the N samples drawn."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from .. import style
from .base import View

SHOWN = 3       # components of a vector written out


def _math(text: str) -> str:
    """Plain notation to rich text: _x → subscript, θ-italics left to the font."""
    for plain, rich in (("∇θ", "∇<sub>θ</sub>"), ("E_x", "𝔼<sub>x∼p(x|θ)</sub>"),
                        ("E_τ", "𝔼<sub>τ∼p(τ|θ)</sub>"),
                        ("E_ε", "𝔼<sub>ε∼N(0,I)</sub>"), ("Σ_x", "Σ<sub>x</sub>"),
                        ("Σ_τ", "Σ<sub>τ</sub>"), ("Σ_t", "Σ<sub>t</sub>"), ("γ^t", "γ<sup>t</sup>"),
                        ("Σ_i", "Σ<sub>i</sub>"), ("x_i", "x<sub>i</sub>"), ("τ_i", "τ<sub>i</sub>"),
                        ("b_i", "b<sub>i</sub>"), ("G_t", "G<sub>t</sub>"), ("a_t", "a<sub>t</sub>"),
                        ("s_t", "s<sub>t</sub>"), ("ε_i", "ε<sub>i</sub>")):
        text = text.replace(plain, rich)
    return text


def lines(estimator: str, baseline: str, kind):
    """(formula, which value, note) for each line of the chain, in the notation of the
    problem's ``kind`` (its sum, its sample x or τ): the value is "sum" (∇ of the exact sum,
    by differences), "exact" (Σ f ∇p as the problem computes it) or "estimate" (ĝ ± s.e.)."""
    s = kind.sum_over_x
    if estimator == "pathwise":
        return [("∇θ E_x[ f(x) ]", "sum", "the derivative of the exact sum"),
                ("= ∇θ E_ε[ f(μ + σε) ]", "sum", "x = μ + σε: θ moves x, not the density"),
                ("= E_ε[ ∇θ f(μ + σε) ]", "exact", "exact"),
                ("≈ (1/N) Σ_i ∇θ f(μ + σε_i)", "estimate", "")]
    weight = "f(x_i)" if baseline == "none" else "(f(x_i) − b_i)"
    chain = [("∇θ E_x[ f(x) ]", "sum", "what we want"),
             (f"= ∇θ {s} p(x|θ) f(x)", "sum", "the derivative of the exact sum"),
             (f"= {s} f(x) ∇θ p(x|θ)", "exact", ""),
             (f"= {s} f(x) (∇θ p(x|θ) / p(x|θ)) p(x|θ)", "exact", "× p/p = 1"),
             (f"= {s} f(x) ∇θ log p(x|θ) p(x|θ)", "exact", "∇ log p = ∇p / p"),
             ("= E_x[ f(x) ∇θ log p(x|θ) ]", "exact", "a mean under p: samples can estimate it")]
    if kind.score_expansion:
        chain.append((f"= E_x[ f(x) {kind.score_expansion} ]", "exact",
                       "log p(τ|θ) = Σ log π(a|s) + Σ log P(s′|s, a): the world's P has no θ"))
    if estimator == "exact":
        chain.append(("= ∇J, no sampling", "exact", "the exact estimator"))
    elif estimator in kind.estimator_formulas:
        formula, note = kind.estimator_formulas[estimator]
        chain.append((f"≈ {formula}", "estimate", note))
    else:
        score = kind.score_expansion or "∇θ log p(x_i|θ)"
        chain.append((f"≈ (1/N) Σ_i {weight} {score}", "estimate", ""))
    symbol = kind.sample_symbol
    return [(_named(formula, symbol), which, note) for formula, which, note in chain]


def _named(formula: str, symbol: str) -> str:
    """The formula with the sample called ``symbol`` (x → τ for a trajectory)."""
    return formula if symbol == "x" else formula.replace("x", symbol)


def count_text(count: int) -> str:
    """A count in full up to a billion, beyond that as 1.10·10¹² (4^H grows past any float)."""
    if count < 10**9:
        return f"{count:,}"
    digits = str(count)
    exponent = str(len(digits) - 1).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{digits[0]}.{digits[1:3]}·10{exponent}"


def vector_text(values, errors=None) -> str:
    """(v₁, v₂, …) to 4 significant digits, the first SHOWN components, each ± its error."""
    values = np.asarray(values, dtype=float)
    finite = np.abs(values[np.isfinite(values)])
    tiny = 1e-12 * (finite.max() if len(finite) else 0.0)    # rounding's zero is shown as 0
    parts = []
    for k, v in enumerate(values[:SHOWN]):
        text = "…" if not np.isfinite(v) else ("0" if abs(v) <= tiny else f"{v:.4g}")
        if errors is not None and np.isfinite(errors[k]) and errors[k] > 0:
            text += f" ± {errors[k]:.2g}"
        parts.append(text)
    more = len(values) - SHOWN
    return "(" + ", ".join(parts) + (f", … {more} more" if more > 0 else "") + ")"


class DerivationView(View, QScrollArea):
    """One row a line: the formula, its value at θ, a note.  It scrolls, so that a narrow
    dock squeezes it rather than the plots beside it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.page = QWidget()
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        self.grid.setColumnStretch(2, 1)
        self.title = QLabel()
        self.title.setWordWrap(True)
        layout = QVBoxLayout(self.page)
        layout.addWidget(self.title)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self.setWidget(self.page)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.rows: list[tuple[QLabel, QLabel, QLabel]] = []
        self.shown = (None, None, None)     # (estimator, baseline, problem kind) laid out
        self._texts: dict[QLabel, str] = {}

    def export_widget(self):
        """The page itself, all of it: the scroll area would cut it to the dock's size."""
        self.page.adjustSize()
        return self.page

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.FontChange:   # the UI scale changed: lay out again
            self.shown = (None, None, None)
        super().changeEvent(event)

    def on_run(self, model) -> None:
        self.shown = (None, None, None)
        self._set(self.title, "")

    def _lay_out(self, estimator: str, baseline: str, notation) -> None:
        for row in self.rows:
            for label in row:
                self.grid.removeWidget(label)
                label.deleteLater()
        self.rows, self._texts = [], {}
        font = self.font()
        if font.pixelSize() > 0:        # the UI scale sets the font in pixels
            font.setPixelSize(round(font.pixelSize() * 1.25))
        else:
            font.setPointSizeF(font.pointSizeF() * 1.25)
        for i, (formula, _, note) in enumerate(lines(estimator, baseline, notation)):
            row = (QLabel(_math(formula), self.page), QLabel(self.page), QLabel(note, self.page))
            for column, label in enumerate(row):
                label.setFont(font)
                label.setTextFormat(Qt.RichText)
                label.setTextInteractionFlags(Qt.TextSelectableByMouse)
                self.grid.addWidget(label, i, column)
                label.show()            # a child added to a shown widget starts hidden
            row[2].setStyleSheet("color: #555555")
            self.rows.append(row)
        self.shown = (estimator, baseline, notation)

    def _set(self, label: QLabel, text: str) -> None:
        if self._texts.get(label) != text:      # each setText lays the grid out again
            self._texts[label] = text
            label.setText(text)

    def draw(self, model) -> None:
        chain = model.chain
        if chain is None:
            return
        notation = model.kind
        if self.shown != (chain.estimator, chain.baseline, notation):
            self._lay_out(chain.estimator, chain.baseline, notation)
        count, what = chain.terms if chain.terms else (None, "")
        exact_note = f"exact: a sum over all {count_text(count)} {what}" if count else "exact"
        values = {"sum": (vector_text(chain.grad_of_sum), style.EXACT),
                  "exact": (vector_text(chain.grad), style.EXACT),
                  "estimate": (vector_text(chain.estimate, chain.stderr), style.ESTIMATE)}
        for (label_formula, label_value, label_note), (_, which, note) in zip(
                self.rows, lines(chain.estimator, chain.baseline, notation)):
            text, colour = values[which]
            self._set(label_value, style.coloured(text, colour))
            if which == "estimate":
                note = (f"from the N = {chain.samples:,} samples drawn (± 1 s.e.)" if chain.samples > 1
                        else "from the one sample drawn (N = 1: no standard error)")
            elif which == "exact" and not note:
                note = exact_note
            self._set(label_note, note)
        symbol = model.kind.sample_symbol
        self._set(self.title, f"Each line equals the next; the exact lines need every {symbol}, the "
                              "last only the samples. Values at the current θ, component by component.")
