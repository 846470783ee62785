"""Statistical properties of the estimators, with fixed seeds and bounds from their variance.

Replicas give independent estimates at once: for R replicas, mean_r(ĝ_r − ∇J(θ_r)) has
standard error sd/√R, and an unbiased estimator keeps every component within 4.5 of them.
"""

import numpy as np
import pytest

from gradviz.engine.config import from_mapping
from gradviz.engine.run import Run

R = 4000
Z_BOUND = 4.5
PROBLEMS = {
    "gaussian": {"problem": "gaussian", "reward": "positive", "theta0": [0.2, -0.3]},
    "gaussian-learn-sigma": {"problem": "gaussian", "reward": "hills", "learn_sigma": True,
                             "theta0": [0.2, -0.3, np.log(0.6)]},
    "softmax": {"problem": "softmax", "rewards": [1.0, 2.0, -0.5], "theta0": [0.3, -0.2, 0.1],
                "noise": 0.5},
    "bandit": {"problem": "bandit", "arms": 5},
}


def records_at(settings, steps=3, runs=R, seed=11, **extra):
    """The records of the first ``steps`` steps (lr tiny, so θ stays where it starts)."""
    run = Run(from_mapping({**settings, "runs": runs, "seed": seed, "lr": 1e-8, **extra}))
    return list(run.steps(steps))


def z_scores(record, scale=1.0):
    """(mean over replicas of ĝ − scale·∇J) / its standard error, per component."""
    diff = record.estimate - scale * record.grad
    return diff.mean(axis=0) / (diff.std(axis=0, ddof=1) / np.sqrt(len(diff)))


UNBIASED = [(p, b) for p in PROBLEMS for b in ("none", "loo", "average", "ema", "optimal")]


@pytest.mark.parametrize("problem,baseline", UNBIASED)
def test_score_function_is_unbiased(problem, baseline):
    # the last step: average and ema then use rewards from two earlier steps
    record = records_at(PROBLEMS[problem], baseline=baseline, batch=8)[-1]
    assert np.abs(z_scores(record)).max() < Z_BOUND


@pytest.mark.parametrize("learn_sigma", [False, True])
def test_pathwise_is_unbiased(learn_sigma):
    settings = PROBLEMS["gaussian-learn-sigma" if learn_sigma else "gaussian"]
    record = records_at(settings, steps=1, estimator="pathwise", batch=8)[0]
    assert np.abs(z_scores(record)).max() < Z_BOUND


@pytest.mark.parametrize("problem", ["gaussian", "softmax"])
def test_mean_baseline_is_biased_by_n_minus_one_over_n(problem):
    n = 2
    record = records_at(PROBLEMS[problem], steps=1, baseline="mean", batch=n)[0]
    assert np.abs(z_scores(record, scale=(n - 1) / n)).max() < Z_BOUND
    assert np.abs(z_scores(record, scale=1.0)).max() > 2 * Z_BOUND  # the bias is visible


def test_exact_estimator_has_no_noise():
    record = records_at(PROBLEMS["softmax"], steps=1, runs=3, estimator="exact")[0]
    np.testing.assert_array_equal(record.estimate, record.grad)
    assert (record.variance == 0).all()


@pytest.mark.parametrize("problem", ["gaussian", "softmax", "bandit"])
def test_variance_falls_as_one_over_n(problem):
    """Var(ĝ − ∇J) across replicas at N = 4 is 16 times that at N = 64 (within 25 %).
    (ĝ − ∇J, not ĝ: bandit replicas each draw their own arm values, so ∇J differs.)"""
    def spread(n):
        record = records_at(PROBLEMS[problem], steps=1, batch=n, seed=5 + n)[0]
        return (record.estimate - record.grad).var(axis=0).sum()
    var = {n: spread(n) for n in (4, 64)}
    assert 16 * 0.75 < var[4] / var[64] < 16 * 1.25


@pytest.mark.parametrize("estimator", ["score", "pathwise"])
def test_reported_variance_matches_the_spread_across_replicas(estimator):
    record = records_at(PROBLEMS["gaussian"], steps=1, batch=32, estimator=estimator)[0]
    reported = record.variance.mean(axis=0)   # mean of s²/N over replicas
    observed = record.estimate.var(axis=0, ddof=1)
    np.testing.assert_allclose(reported, observed, rtol=0.1)


@pytest.mark.parametrize("settings", [{"problem": "gaussian"}, {"problem": "gaussian", "learn_sigma": True},
                                      {"problem": "softmax"}, {"problem": "gaussian", "estimator": "pathwise"}])
def test_the_plane_covariance_is_the_contributions_covariance_over_n(settings):
    """The ellipse's Cov(Aĝ) = A S Aᵀ / N (S the sample covariance of replica 0's
    contributions, A the map to the drawn plane), reported by the engine; its diagonal
    agrees with Var(ĝ) where the plane is two of θ's own components."""
    from gradviz.engine.plane import plane_vectors

    record = Run(from_mapping({"batch": 40, "runs": 3, "steps": 0, **settings})).step()
    expected = np.cov(plane_vectors(record.contributions, settings["problem"]).T) / 40
    np.testing.assert_allclose(record.plane_covariance, expected, rtol=1e-12)
    if settings["problem"] == "gaussian":
        np.testing.assert_allclose(np.diag(record.plane_covariance), record.variance[0, :2], rtol=1e-12)
    assert Run(from_mapping({"batch": 1, "steps": 0, **settings})).step().plane_covariance is None
    # ten arms are drawn as bars, never on the plane: not worth a pass over the batch
    assert Run(from_mapping({"problem": "bandit", "steps": 0})).step().plane_covariance is None


@pytest.mark.parametrize("baseline", ["mean", "loo", "average", "ema", "optimal"])
def test_baselines_cut_the_variance_on_all_positive_rewards(baseline):
    """On rewards ≥ 5 the offset dominates ĝ's variance; every baseline removes most of it."""
    settings = PROBLEMS["gaussian"]
    none = records_at(settings, baseline="none", batch=16)[-1].estimate.var(axis=0).sum()
    with_baseline = records_at(settings, baseline=baseline, batch=16)[-1].estimate.var(axis=0).sum()
    assert with_baseline < none / 10


def test_optimal_baseline_beats_the_leave_one_out_mean_where_scores_differ():
    """On the bandit, per-component optimal baselines weigh rewards by g_k²."""
    settings = {"problem": "softmax", "rewards": [10.0, 0.0, 0.0], "theta0": [2.0, 0.0, -2.0]}
    loo = records_at(settings, baseline="loo", batch=16, steps=1)[0].estimate.var(axis=0).sum()
    opt = records_at(settings, baseline="optimal", batch=16, steps=1)[0].estimate.var(axis=0).sum()
    assert opt < loo
