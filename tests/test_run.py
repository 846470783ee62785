"""Runs: reproducibility, live changes, numerical safety."""

import numpy as np
import pytest

from gradviz.engine.config import from_mapping
from gradviz.engine.errors import ConfigError, RunStopped
from gradviz.engine.run import Run


def thetas(config, steps=30):
    return np.stack([r.theta for r in Run(config).steps(steps)])


@pytest.mark.parametrize("problem", ["gaussian", "softmax", "bandit"])
def test_same_seed_same_thetas_bit_for_bit_and_other_seeds_differ(problem):
    config = from_mapping({"problem": problem, "runs": 3, "baseline": "optimal", "optimizer": "adam"})
    np.testing.assert_array_equal(thetas(config), thetas(config))
    assert not np.array_equal(thetas(config), thetas(config.with_changes(seed=1)))


def test_replaying_the_recorded_changes_reproduces_the_run():
    run = Run(from_mapping({"runs": 2}))
    live = [r.theta for r in run.steps(5)]
    run.set(lr=0.1, batch=64, baseline="loo")
    live += [r.theta for r in run.steps(5)]
    run.set(seed=9, runs=3, theta=[0.5, 0.5], sigma=0.8)
    live += [r.theta[:2] for r in run.steps(5)]
    replay = Run(run.session_config())
    replayed = [r.theta[:2] for r in replay.steps(15)]
    for a, b in zip(live, replayed):
        np.testing.assert_array_equal(a, b)


def test_a_change_applies_at_the_very_next_step():
    run = Run(from_mapping({}))
    run.step()
    run.set(lr=0.01, batch=7)
    record = run.step()
    assert (record.lr, record.batch, record.rewards.shape) == (0.01, 7, (7,))


def test_invalid_live_change_is_refused_and_changes_nothing():
    run = Run(from_mapping({}))
    with pytest.raises(ConfigError, match="batch"):
        run.set(batch=0)
    with pytest.raises(ConfigError, match="theta"):
        run.set(theta=[1.0, 2.0, 3.0])
    assert run.config.batch == 16 and run.changes == []


def test_growing_replicas_copies_existing_ones():
    run = Run(from_mapping({"problem": "bandit", "runs": 2}))
    run.steps(3)
    run.set(runs=5)
    np.testing.assert_array_equal(run.problem.q_star[2], run.problem.q_star[0])
    assert run.step().theta.shape == (5, 10)


def test_nan_reward_stops_the_run_with_a_reason_and_keeps_theta():
    run = Run(from_mapping({"reward": "log(x + 1)", "theta0": [3.0, 0.0], "sigma": 0.5}))
    with pytest.raises(RunStopped, match="not finite|nan"):
        for _ in range(50):
            run.step()
    assert np.isfinite(run.theta).all()


def test_reward_nan_at_a_sample_names_the_point():
    run = Run(from_mapping({"reward": "where(x > 0, 1/(x - x), 0)", "theta0": [3.0, 0.0]}))
    with pytest.raises(RunStopped, match=r"reward is (inf|nan) at x = \("):
        run.step()


def test_divergence_stops_before_theta_leaves_the_bound():
    run = Run(from_mapping({"reward": "linear", "lr": 1000.0, "theta_bound": 100.0}))
    with pytest.raises(RunStopped, match="diverged") as caught:
        for _ in range(10):
            run.step()
    assert np.abs(run.theta).max() <= 100.0 and caught.value.step == run.t


def test_learned_sigma_that_collapses_stops_with_a_reason():
    run = Run(from_mapping({"reward": "positive", "learn_sigma": True, "lr": 5.0, "batch": 1}))
    with pytest.raises(RunStopped):
        for _ in range(2000):
            run.step()
    assert np.isfinite(run.theta).all()


def test_logits_of_a_thousand_keep_every_number_finite():
    run = Run(from_mapping({"problem": "softmax", "theta0": [1000.0, -1000.0, 999.0], "lr": 10.0,
                            "batch": 1, "baseline": "optimal"}))
    for record in run.steps(50):
        assert np.isfinite(record.theta_next).all() and np.isfinite(record.J).all()


def test_records_are_read_only():
    record = Run(from_mapping({})).step()
    with pytest.raises(ValueError):
        record.theta[0, 0] = 1.0
    with pytest.raises(ValueError):
        record.contributions[0, 0] = 1.0


def test_contributions_are_the_per_sample_terms_of_the_estimate():
    record = Run(from_mapping({"baseline": "loo", "batch": 10})).step()
    f, x = record.rewards, record.samples
    mu, sigma = record.theta[0], 0.5
    loo = (f.sum() - f) / 9
    expected = (f - loo)[:, None] * (x - mu) / sigma**2
    np.testing.assert_allclose(record.contributions, expected, rtol=1e-12)
    np.testing.assert_allclose(record.estimate[0], expected.mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize("settings", [{"problem": "gaussian", "estimator": "pathwise"},
                                      {"problem": "softmax", "baseline": "loo", "runs": 3}])
def test_kept_parts_stack_into_the_same_fields_as_the_records(settings):
    """The app keeps each step's table parts; stacked, they must equal the records' fields
    (NaN where a column is unavailable) and give the spool the same table."""
    from gradviz.engine import table

    run = Run(from_mapping({"batch": 20, "steps": 0, **settings}))
    records = [run.step() for _ in range(5)]
    R = records[0].replicas
    field = lambda name: np.array([np.full((R, 1), np.nan) if getattr(r, name) is None  # noqa: E731
                                   else getattr(r, name).reshape(R, -1) for r in records])
    (kept,) = table.stack_parts([table.parts(r) for r in records])
    assert list(kept.fields) == list(table.COLUMNS) and kept.has_p_best == (records[0].p_best is not None)
    for name in table.COLUMNS:
        np.testing.assert_array_equal(kept.fields[name], field(name), err_msg=name)
    np.testing.assert_array_equal(kept.steps, [r.step for r in records])
    np.testing.assert_array_equal(kept.tail, [(r.lr, r.batch) for r in records])
    (table_block,) = table.blocks(table.stacks(records))
    np.testing.assert_array_equal(table_block[:, 0], [r.step for r in records])
    np.testing.assert_allclose(table_block[:, 1 + records[0].theta.shape[1]],
                               [r.J.mean() for r in records], rtol=1e-15)


def test_a_burst_whose_shape_changes_midway_stacks_in_pieces():
    """A session's schedule may change the replica count and the estimator (so whether there
    is a baseline) between two steps of one burst: one Stack per run of same-shaped steps,
    each with its own records' values."""
    from gradviz.engine import table

    run = Run(from_mapping({"batch": 20, "steps": 0}))
    records = [run.step() for _ in range(3)]
    run.set(runs=3)
    records += [run.step() for _ in range(2)]
    run.set(estimator="pathwise")
    records += [run.step() for _ in range(2)]
    stacked = table.stack_parts([table.parts(r) for r in records])
    assert [(list(s.steps), s.replicas) for s in stacked] == [([0, 1, 2], 1), ([3, 4], 3), ([5, 6], 3)]
    np.testing.assert_array_equal(stacked[1].fields["theta"], [r.theta for r in records[3:5]])
    np.testing.assert_array_equal(stacked[1].fields["baseline"][..., 0], [r.baseline for r in records[3:5]])
    assert np.isnan(stacked[2].fields["baseline"]).all()


@pytest.mark.parametrize("problem", ["gaussian", "softmax"])
def test_summary_rows_are_the_replica_means_of_each_record(problem):
    """summarise vectorises over a burst whose replica count changes mid-way; each row must
    equal the formulas applied to its record alone."""
    from gradviz.engine import table
    from gradviz.engine.history import COLUMN, FIELDS, summarise

    def plane_point(theta, problem):   # μ, or the logits' differences to the last (by hand)
        return theta[:2] if problem == "gaussian" else theta[:2] - theta[2]

    run = Run(from_mapping({"problem": problem, "batch": 20, "runs": 3, "steps": 0}))
    records = [run.step() for _ in range(4)]
    run.set(runs=1)
    records += [run.step() for _ in range(3)]
    rows = summarise(table.stacks(records), run.problem.plane)
    assert rows.shape == (7, len(FIELDS))
    for row, r in zip(rows, records):
        est, grad = r.estimate, r.grad
        cosine = np.mean([e @ g / np.linalg.norm(e) / np.linalg.norm(g) for e, g in zip(est, grad)])
        expected = {"step": r.step, "J": r.J.mean(), "J_sd": r.J.std(ddof=1) if r.replicas > 1 else 0,
                    "reward_mean": r.reward_mean.mean(),
                    "error": np.linalg.norm(est - grad, axis=1).mean(), "cosine": cosine,
                    "var_trace": r.variance.sum(axis=1).mean(),
                    "plane_x": plane_point(r.theta[0], problem)[0],
                    "plane_y": plane_point(r.theta[0], problem)[1], "lr": r.lr, "batch": r.batch}
        if problem == "softmax":
            expected.update(p_best=r.p_best.mean(),
                            p_best_sd=r.p_best.std(ddof=1) if r.replicas > 1 else 0)
        else:
            assert np.isnan(row[COLUMN["p_best"]]) and np.isnan(row[COLUMN["p_best_sd"]])
        for name, value in expected.items():
            assert row[COLUMN[name]] == pytest.approx(value, rel=1e-12, abs=1e-15), name


def test_thinned_series_ends_with_the_newest_step_and_stays_small():
    from gradviz.engine.history import COLUMN, FIELDS, DecimatedSeries
    series = DecimatedSeries(capacity=100)
    rows = np.zeros((1001, len(FIELDS)))
    rows[:, 0] = np.arange(1001)
    rows[:, COLUMN["J"]] = np.arange(1001) * 2.0
    series.extend(rows)
    thinned = series.thinned(20)
    assert thinned[-1, 0] == 1000 and 20 <= len(thinned) <= 42
    assert np.all(np.diff(thinned[:, 0]) > 0)
    J = series.thinned(20, ("J",))
    assert J.shape == (len(thinned), 1) and J[-1, 0] == 2000.0
    thinned[:] = -1   # a copy: the series is untouched
    assert series.thinned(20)[-1, 0] == 1000


def test_tune_allocator_is_accepted_here_and_idempotent():
    from gradviz.engine.allocator import tune_allocator
    assert tune_allocator() and tune_allocator()


def test_the_policy_cache_never_serves_a_theta_written_in_place():
    from gradviz.engine.problems import SoftmaxProblem, softmax
    problem = SoftmaxProblem([1.0, 2.0, 3.0])
    theta = np.zeros((2, 3))
    problem.policy(theta)
    theta[0, 0] = 5.0
    np.testing.assert_array_equal(problem.policy(theta), softmax(theta))
    theta.setflags(write=False)
    assert problem.policy(theta) is problem.policy(theta)


def summed_and_dense(problem, theta, n, baseline, rng):
    """A batch's summed estimate (Problem.summed_estimate), and its terms built densely:
    (the summed result, the contributions (R, d, N), the scores (R, d, N))."""
    from gradviz.engine.baselines import RunningBaseline, baseline_values

    batch = problem.sample(theta, n, rng)
    f = problem.reward(batch, rng)
    running = RunningBaseline(len(theta))
    running.update(rng.normal(size=(len(theta), 3)), 0.1)
    b = baseline_values(baseline, f, None, None, running)
    g = problem.score(theta, batch)
    return problem.summed_estimate(theta, batch, f, b), (f[:, None, :] - b) * g, g


@pytest.mark.parametrize("baseline,n", [("none", 7), ("past", 7), ("ema", 1), ("average", 1), ("mean", 1)])
def test_summed_categorical_estimate_equals_the_dense_per_sample_terms(baseline, n):
    """With many actions the softmax sums its terms per action (bincount); the estimate,
    its variance and every per-sample term equal those built from dense (R, K, N) scores."""
    from gradviz.engine.problems import SoftmaxProblem

    rng = np.random.default_rng(3)
    problem = SoftmaxProblem(rng.normal(size=6), noise=0.3)
    theta = rng.normal(size=(4, 6))
    theta.setflags(write=False)
    (estimate, variance, contributions, scores, _), dense, g = summed_and_dense(problem, theta, n, baseline, rng)
    np.testing.assert_allclose(estimate, dense.mean(axis=2), rtol=1e-12, atol=1e-15)
    if n > 1:
        np.testing.assert_allclose(variance, dense.var(axis=2, ddof=1) / n, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(np.asarray(contributions), dense[0].T, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(contributions[:, 2], dense[0, 2], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(contributions[n - 1], dense[0, :, n - 1], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(np.asarray(scores), g[0].T)
    with pytest.raises(ValueError):
        contributions.weights[0] = 1.0                                   # read-only, as records are


@pytest.mark.parametrize("baseline,n", [("none", 9), ("past", 9), ("ema", 1), ("average", 2)])
def test_summed_gaussian_estimate_equals_the_dense_per_sample_terms(baseline, n):
    """The Gaussian sums its terms (ĝ by a matrix product, Σ c² by one einsum): the estimate,
    its variance, replica 0's covariance and every per-sample term and score equal those
    built from dense (R, 2, N) arrays."""
    from gradviz.engine.problems import GaussianProblem
    from gradviz.engine.rewards import resolve_reward

    rng = np.random.default_rng(4)
    problem = GaussianProblem(resolve_reward("hills"), 0.7, False, noise=0.2)
    theta = rng.normal(size=(3, 2))
    (estimate, variance, contributions, scores, cov0), dense, g = summed_and_dense(problem, theta, n, baseline, rng)
    np.testing.assert_allclose(estimate, dense.mean(axis=2), rtol=1e-12, atol=1e-15)
    if n > 1:
        np.testing.assert_allclose(variance, dense.var(axis=2, ddof=1) / n, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(cov0, np.cov(dense[0]) / n, rtol=1e-9, atol=1e-15)
    else:
        assert np.isnan(variance).all() and cov0 is None
    np.testing.assert_allclose(np.asarray(contributions), dense[0].T, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(contributions[:, 1], dense[0, 1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(contributions[n - 1], dense[0, :, n - 1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(contributions[:2], dense[0, :, :2].T, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(contributions.T, dense[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.asarray(scores), g[0].T, rtol=1e-15)
    with pytest.raises(ValueError):
        contributions[0, 0] = 1.0                                      # read-only, as records are
    with pytest.raises(ValueError):
        contributions.eps[0, 0] = 1.0


def test_summed_gaussian_estimate_steps_as_the_dense_one_did():
    """A run with the summed Gaussian estimate takes the same steps, and reports the same
    variance and ellipse, as the dense per-sample arithmetic it replaced."""
    config = from_mapping({"batch": 50, "runs": 3, "lr": 0.05, "steps": 5})
    summed = Run(config)
    dense = Run(config)
    dense.problem.summed_estimate = lambda *args, **kwargs: None
    for a, b in zip(summed.steps(5), dense.steps(5)):
        for field in ("theta_next", "estimate", "variance", "plane_covariance"):
            np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(np.asarray(a.contributions), b.contributions, rtol=1e-12)


def test_the_loop_sampler_counts_the_inverse_cdf():
    """With few actions (a loop over them): a = #{k < K−1 : u ≥ F_k}, exactly."""
    from gradviz.engine.problems import SoftmaxProblem

    theta = np.repeat(np.random.default_rng(1).normal(size=(3, 40)) * 3, 20, axis=0)   # 60 ≥ 40
    by_loop = SoftmaxProblem(np.zeros(40)).sample(theta, 500, np.random.default_rng(9)).actions
    u = np.random.default_rng(9).random((60, 500))
    cdf = np.cumsum(np.exp(theta - theta.max(1, keepdims=True)) / np.exp(theta - theta.max(1, keepdims=True)).sum(1, keepdims=True), 1)
    np.testing.assert_array_equal(by_loop, (u[:, :, None] >= cdf[:, None, :-1]).sum(axis=2))


def test_the_many_actions_sampler_draws_independent_actions_with_probabilities_pi():
    """With more actions than replicas (multinomial counts in a random order): the counts
    fit π (chi-square, 39 degrees of freedom, below its 0.999 quantile 72.1), and the order
    is random: neighbours agree as often as independent draws do, Σ π² (within 4 s.e.)."""
    from gradviz.engine.problems import SoftmaxProblem

    problem = SoftmaxProblem(np.zeros(40))
    theta = np.random.default_rng(1).normal(size=(1, 40))
    n = 200_000
    actions = problem.sample(theta, n, np.random.default_rng(9)).actions[0]
    pi = problem.policy(theta)[0]
    counts = np.bincount(actions, minlength=40)
    assert ((counts - n * pi) ** 2 / (n * pi)).sum() < 72.1
    same = np.mean(actions[1:] == actions[:-1])
    p = (pi * pi).sum()
    assert abs(same - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_a_preview_shows_step_t_without_taking_it_or_touching_the_random_stream():
    settings = {"problem": "softmax", "batch": 8, "baseline": "past", "optimizer": "adam", "seed": 4}
    plain, previewed = Run(from_mapping(settings)), Run(from_mapping(settings))
    plain.step()
    previewed.step()
    peek = previewed.preview()
    assert peek.preview and peek.step == 1 and previewed.t == 1
    np.testing.assert_array_equal(peek.theta_next, peek.theta)
    np.testing.assert_array_equal(peek.theta, previewed.theta)
    for a, b in zip(plain.steps(5), previewed.steps(5)):         # the same run afterwards
        np.testing.assert_array_equal(a.theta_next, b.theta_next)
        np.testing.assert_array_equal(a.actions, b.actions)


def test_the_plane_covariance_is_the_nearest_positive_semidefinite_matrix():
    """_in_plane's closed form agrees with clipping numpy's eigendecomposition at 0, for
    definite, indefinite, negative and singular 2 × 2 matrices."""
    from gradviz.engine.problems.gaussian import mean_plane
    from gradviz.engine.run import _in_plane

    rng = np.random.default_rng(5)
    plane = mean_plane(2)
    cases = [rng.normal(size=(2, 2)) for _ in range(200)]
    cases += [np.diag([1.0, 0.0]), np.diag([-1.0, -2.0]), np.zeros((2, 2)), np.diag([3.0, -1e-18])]
    for m in cases:
        c = (m + m.T) / 2
        values, vectors = np.linalg.eigh(c)
        expected = (vectors * np.maximum(values, 0.0)) @ vectors.T
        np.testing.assert_allclose(_in_plane(plane, c), expected, atol=1e-12)
    assert _in_plane(None, np.eye(2)) is None and _in_plane(plane, None) is None


def test_the_bandit_pays_each_replicas_own_true_value_of_the_arm_pulled():
    """A pull pays q*(a) of its own replica (read from q* laid out arm by arm), before and
    after the replicas are resized; without noise f = q*[r, a] exactly."""
    run = Run(from_mapping({"problem": "bandit", "runs": 7, "batch": 5, "arms": 4}))
    problem = run.problem
    actions = np.random.default_rng(2).integers(0, 4, size=(7, 5))
    np.testing.assert_array_equal(problem.values_of(actions), np.take_along_axis(problem.q_star, actions, axis=1))
    problem.noise = 0.0
    batch = problem.sample(run.theta, 5, run.rng)
    np.testing.assert_array_equal(problem.reward(batch, run.rng),
                                  np.take_along_axis(problem.q_star, batch.actions, axis=1))
    run.set(runs=3)
    np.testing.assert_array_equal(problem.values_of(actions[:3]),
                                  np.take_along_axis(problem.q_star, actions[:3], axis=1))
