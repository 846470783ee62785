"""The plots gradviz can draw and export, by name: the app's export dialog, the export
function and `gradviz export --plot` all read this one list (no Qt here, so the command
line can name them without loading it)."""

PLOTS = {
    "landscape": "J(θ) with θ's path, the batch, its contributions, ĝ and ∇J "
                 "(for the bandit: π(a) against the true values)",
    "objective": "exact J over steps, with the batch's mean reward",
    "quality": "‖ĝ − ∇J‖, tr Var(ĝ) and cos(ĝ, ∇J) over steps",
    "histogram": "the contributions of one component, their mean ĝ and the exact value",
    "variance": "tr Cov(ĝ) against the batch size, with the c/N line",
    "replicas": "the spread of J (and π(best)) across replicas",
    "window": "the whole window",
}
