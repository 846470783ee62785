"""What the per-sample terms are, in words, for the estimator and baseline a record was
computed with: the legend, the histogram and the variance plot all say it the same way."""

from __future__ import annotations

# baselines that are one number for the whole batch (the record's mean b is that number)
SHARED_B = ("mean", "past", "average", "ema")


def contribution_terms(record) -> str:
    """The formula of one sample's term cᵢ, as drawn (plain text, for legends)."""
    if record.estimator == "pathwise":
        return "∇f(μ + σεᵢ)"
    if record.estimator == "exact":
        return ""
    if record.baseline_name == "none":
        return "f(xᵢ)∇log p(xᵢ)"
    if record.baseline_name in SHARED_B:
        return f"(f(xᵢ) − b)∇log p(xᵢ), b = {float(record.baseline[0]):.3g}"
    if record.baseline_name == "loo":
        return "(f(xᵢ) − bᵢ)∇log p(xᵢ)"            # bᵢ: the mean of the other rewards
    return "(f(xᵢ) − bᵢₖ)∂ₖ log p(xᵢ)"              # optimal: one bᵢₖ per component


def component_terms(record) -> str:
    """The histogram's axis: the k-th component of each sample's term."""
    if record.estimator == "pathwise":
        return "∂f(μ + σεᵢ)/∂θ_k (pathwise)"
    if record.baseline_name == "none":
        return "contribution f(xᵢ)·∂log p/∂θ_k"
    return "contribution (f(xᵢ) − b)·∂log p/∂θ_k"


def no_spread(estimator: str) -> str:
    """Why the variance curve is empty."""
    if estimator == "exact":
        return "no sampling noise (exact estimator)"
    return "Var(ĝ) is 0 here: every sampled reward gives the same term"
