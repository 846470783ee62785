"""The plots gradviz can draw and export, by name: the window, its export dialog, the export
function and `gradviz export --plot` all read this one registry (no Qt here, so the command
line can name them without loading it).  A new plot is a module with a View
(app/views/base.py) and one entry here; a problem says which plots show it
(ProblemKind.views)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plot:
    description: str        # what it shows (`gradviz list`)
    title: str = ""         # its dock's title
    view: str = ""          # "module:Class" of its View; empty for the whole window
    area: str = ""          # "central", "right", "bottom" or "tabs" (bottom, tabbed together)


PLOTS = {
    "landscape": Plot("J(θ) with θ's path, the batch, its contributions, ĝ and ∇J (for a problem "
                      "without a plane, such as the bandit: π(a) against the true values)",
                      "Landscape", "gradviz.app.views.landscape:LandscapeView", "central"),
    "policy": Plot("π(a|θ) as bars against each action's true value", "Policy",
                   "gradviz.app.views.policy:PolicyBarsView", "central"),
    "objective": Plot("exact J over steps, with the batch's mean reward", "J over steps",
                      "gradviz.app.views.series:ObjectiveView", "right"),
    "quality": Plot("‖ĝ − ∇J‖, tr Var(ĝ) and cos(ĝ, ∇J) over steps", "Gradient quality",
                    "gradviz.app.views.series:QualityView", "right"),
    "histogram": Plot("the contributions of one component, their mean ĝ and the exact value",
                      "Contributions", "gradviz.app.views.histogram:HistogramView", "bottom"),
    "derivation": Plot("the trick line by line, ∇θ E[f] = Σ f ∇p = E[f ∇log p] ≈ (1/N) Σ f ∇log p, "
                       "with each line's value at the current θ", "Derivation",
                       "gradviz.app.views.derivation:DerivationView", "tabs"),
    "variance": Plot("tr Cov(ĝ) against the batch size, with the c/N line",
                     "Variance vs batch size", "gradviz.app.views.variance:VarianceView", "tabs"),
    "replicas": Plot("the spread of J (and π(best)) across replicas", "Replicas",
                     "gradviz.app.views.series:ReplicasView", "tabs"),
    "slice": Plot("exact J on a 2-D slice of θ-space through θ, along ∇J and across it along ĝ "
                  "(a problem with more parameters than a plane shows)", "θ slice",
                  "gradviz.app.views.slice:SliceView", "tabs"),
    "simplex": Plot("π's path on the probability simplex (three actions)", "Policy simplex",
                    "gradviz.app.views.policy:SimplexView", "tabs"),
    "grid": Plot("the gridworld: π(a|s) as arrows in every cell, the batch's episodes coloured "
                 "by return, and the cells' visits", "Gridworld", "gradviz.app.views.grid:GridView",
                 "central"),
    "window": Plot("the whole window"),
}


def describe() -> dict[str, str]:
    return {name: plot.description for name, plot in PLOTS.items()}
