"""The gridworld (issue 20): exact J and ∇J against brute-force enumeration of every
trajectory, written here independently of engine/grid.py, and against finite differences;
the estimators unbiased within confidence bounds; reward-to-go and the value baseline lower
the variance; the network's backward pass against finite differences; bad grids refused."""

import io
import itertools
import math
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pytest

from gradviz.cli import main
from gradviz.engine.config import from_mapping
from gradviz.engine.errors import ConfigError
from gradviz.engine.run import Run, make_problem

def run_cli(*argv):
    """(exit status, stdout, stderr) of `gradviz ARGV`, in this process."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


MOVES = {0: (-1, 0), 1: (0, 1), 2: (1, 0), 3: (0, -1)}


def brute_force_J(rows, theta_table, slip, gamma, step_reward, horizon):
    """J = Σ_τ p(τ) f(τ) over every sequence of (chosen, executed) actions, by recursion on
    dictionaries: the definitions of issue 20, read afresh."""
    cells = {(i, j): c for i, row in enumerate(rows) for j, c in enumerate(row)}
    decision = [cell for cell, c in sorted(cells.items()) if c in "S."]
    start = next(cell for cell, c in cells.items() if c == "S")

    def pi(cell):
        z = np.asarray(theta_table[decision.index(cell)], dtype=float)
        e = np.exp(z - z.max())
        return e / e.sum()

    def move(cell, a):
        target = (cell[0] + MOVES[a][0], cell[1] + MOVES[a][1])
        return cell if cells.get(target, "#") == "#" else target

    def value(cell, t):
        if t == horizon:
            return 0.0
        total = 0.0
        for a, e in itertools.product(range(4), range(4)):
            p = pi(cell)[a] * ((1 - slip) * (a == e) + slip / 4)
            target = move(cell, e)
            kind = cells[target]
            r = 1.0 if kind == "G" else -1.0 if kind == "X" else step_reward
            rest = 0.0 if kind in "GX" else value(target, t + 1)
            total += p * (gamma ** t * r + rest)
        return total

    return value(start, 0)


SMALL = dict(problem="gridworld", grid="S.X/..G", slip=0.2, gamma=0.9, step_reward=-0.05, horizon=4)


def exact_at(theta, **settings):
    config = from_mapping({**SMALL, **settings})
    problem = make_problem(config, np.random.default_rng(0))
    J, grad = problem.exact(np.asarray(theta, dtype=float)[None, :])
    return J[0], grad[0]


def test_exact_J_and_gradient_equal_brute_force_enumeration():
    rng = np.random.default_rng(3)
    theta = rng.normal(0, 1.5, 16)                  # 4 decision cells × 4 actions
    rows = SMALL["grid"].split("/")
    J, grad = exact_at(theta)
    args = (SMALL["slip"], SMALL["gamma"], SMALL["step_reward"], SMALL["horizon"])
    assert J == pytest.approx(brute_force_J(rows, theta.reshape(4, 4), *args), abs=1e-12)
    h = 1e-6
    for k in range(16):
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        difference = (brute_force_J(rows, up.reshape(4, 4), *args)
                      - brute_force_J(rows, down.reshape(4, 4), *args)) / (2 * h)
        assert grad[k] == pytest.approx(difference, abs=1e-9)


@pytest.mark.parametrize("horizon", [1, 3, 5])
def test_exact_matches_brute_force_at_several_horizons_with_no_slip(horizon):
    theta = np.linspace(-1, 1, 16)
    J, _ = exact_at(theta, horizon=horizon, slip=0.0)
    rows = SMALL["grid"].split("/")
    assert J == pytest.approx(brute_force_J(rows, theta.reshape(4, 4), 0.0, 0.9, -0.05, horizon),
                              abs=1e-12)


@pytest.mark.parametrize("policy", ["tabular", "mlp"])
def test_exact_gradient_equals_central_differences_on_the_cliff(policy):
    config = from_mapping({"problem": "gridworld", "policy": policy, "hidden": 5, "horizon": 12})
    problem = make_problem(config, np.random.default_rng(0))
    theta = np.asarray(config.initial_theta()) + np.random.default_rng(1).normal(0, 0.5, config.dim)
    _, grad = problem.exact(theta[None])
    h = 1e-6
    probes = np.repeat(theta[None], 2 * config.dim, axis=0)
    probes[np.arange(config.dim), np.arange(config.dim)] += h
    probes[config.dim + np.arange(config.dim), np.arange(config.dim)] -= h
    J, _ = problem.exact(probes)
    difference = (J[:config.dim] - J[config.dim:]) / (2 * h)
    np.testing.assert_allclose(grad[0], difference, atol=1e-9)


def test_mlp_backward_pass_equals_finite_differences_of_its_logits():
    config = from_mapping({"problem": "gridworld", "policy": "mlp", "hidden": 6})
    network = make_problem(config, np.random.default_rng(0)).parameters
    rng = np.random.default_rng(2)
    theta = rng.normal(0, 1, (1, network.dim))
    upstream = rng.normal(0, 1, (1, 1) + network.logits(theta).shape[1:])
    backward = network.backward(theta, upstream)[0, 0]
    h = 1e-6
    for k in range(network.dim):
        up, down = theta.copy(), theta.copy()
        up[0, k] += h
        down[0, k] -= h
        slope = (network.logits(up) - network.logits(down)) / (2 * h)
        assert backward[k] == pytest.approx(float((slope * upstream[0]).sum()), abs=1e-8)
    jacobian = network.jacobian(theta)[0]                       # (S, 4, d)
    np.testing.assert_allclose(np.einsum("sa,sak->k", upstream[0, 0], jacobian), backward, atol=1e-12)


def replica_estimates(estimator, baseline="none", runs=4000, batch=4, **settings):
    """ĝ of one step from θ (a fixed non-uniform policy) in each of ``runs`` replicas."""
    config = from_mapping({**SMALL, "horizon": 5, "estimator": estimator, "baseline": baseline,
                           "runs": runs, "batch": batch, "seed": 11, "steps": 1,
                           "theta0": tuple(np.linspace(-0.8, 0.8, 16)), **settings})
    record = Run(config).step()
    return record.estimate, record.grad[0], record.variance


@pytest.mark.parametrize("estimator,baseline", [("score", "none"), ("score", "loo"),
                                                ("togo", "none"), ("value", "none"),
                                                ("score", "optimal")])
def test_estimators_are_unbiased_within_four_standard_errors(estimator, baseline):
    estimates, grad, _ = replica_estimates(estimator, baseline)
    mean = estimates.mean(axis=0)
    stderr = estimates.std(axis=0, ddof=1) / math.sqrt(len(estimates))
    # 16 components at 4 s.e.: a false alarm has probability about 16 × 6e-5 = 1e-3
    assert np.all(np.abs(mean - grad) <= 4 * stderr + 1e-12), (mean - grad) / stderr


def test_reward_to_go_and_the_value_baseline_lower_the_variance():
    spread = {name: replica_estimates(name)[0].var(axis=0).sum() for name in ("score", "togo", "value")}
    assert spread["togo"] < spread["score"]
    assert spread["value"] < spread["togo"]


def test_reported_variance_is_honest_for_independent_episodes():
    estimates, _, variance = replica_estimates("togo", batch=16, runs=3000)
    ratio = variance.mean(axis=0).sum() / estimates.var(axis=0, ddof=1).sum()
    assert 0.9 < ratio < 1.1


def test_slip_changes_J_but_not_the_score_of_a_trajectory():
    theta = np.linspace(-1, 1, 16)
    J_dry, _ = exact_at(theta, slip=0.0)
    J_wet, _ = exact_at(theta, slip=0.5)
    assert abs(J_dry - J_wet) > 1e-3
    scores = []
    for slip in (0.0, 0.5):
        config = from_mapping({**SMALL, "slip": slip})
        problem = make_problem(config, np.random.default_rng(0))
        episodes = problem.sample(theta[None], 64, np.random.default_rng(5))
        scores.append((episodes, problem.score(theta[None], episodes)))
    # the same score function of (states, actions) whatever the slip: recompute one with the other
    (wet, wet_scores), (_, _) = scores[1], scores[0]
    config = from_mapping({**SMALL, "slip": 0.0})
    dry_problem = make_problem(config, np.random.default_rng(0))
    np.testing.assert_array_equal(dry_problem.score(theta[None], wet), wet_scores)


def test_a_run_learns_to_avoid_the_cliff():
    config = from_mapping({"problem": "gridworld", "estimator": "togo", "batch": 64, "steps": 150,
                           "lr": 2.0, "seed": 1})
    run = Run(config)
    records = list(run.steps(config.steps))
    assert records[-1].J[0] > records[0].J[0] + 0.5


@pytest.mark.parametrize("grid,message", [
    ("..G", "exactly one start"),
    ("S.G/S..", "exactly one start"),
    ("S.Q", "unknown cell 'Q'"),
    ("S#G", "no goal G can be reached"),
    ("S.X", "no goal G can be reached"),
    ("S.G//...", "empty row"),
    ("S.G/..", "differ in length"),
    ("", "empty"),
])
def test_bad_grids_are_refused_with_one_line_and_exit_2(grid, message):
    code, out, err = run_cli("run", "--problem", "gridworld", "--grid", grid, "--steps", "1")
    assert code == 2
    assert message in err and err.count("\n") == 1
    assert out == ""


@pytest.mark.parametrize("flag,value", [("--horizon", "0"), ("--slip", "1.5"), ("--slip", "-0.1"),
                                        ("--gamma", "1.01"), ("--policy", "lstm")])
def test_bad_settings_are_refused_with_exit_2(flag, value):
    code, _, err = run_cli("run", "--problem", "gridworld", flag, value, "--steps", "1")
    assert code == 2 and err.count("\n") == 1 and flag.strip("-") in err


def test_memory_bound_counts_the_horizon():
    with pytest.raises(ConfigError, match="horizon"):
        from_mapping({"problem": "gridworld", "horizon": 1000, "runs": 10_000, "batch": 100})


def test_a_named_map_is_the_map_it_names():
    assert exact_at(np.zeros(16), grid="tiny")[0] == exact_at(np.zeros(16), grid="S.X/..G")[0]


def test_the_app_draws_the_engine_s_grid_report(qtbot, make_window):
    """The grid view draws what the step reported: π's arrows at θ_t, the drawn episodes split
    by the sign of their return, the cells shaded by visits."""
    from gradviz.app.views.grid import SHADES, arrows, episode_points

    window = make_window(problem="gridworld", estimator="togo", batch=40, theta0=tuple(
        np.linspace(-1, 1, 44)))
    view = window.views["grid"]
    assert window.central.currentWidget() is view
    window.step_once()
    qtbot.waitUntil(lambda: window.model.latest is not None and not window.model.latest.preview)
    window.frames.draw_now()
    record = window.model.latest
    report = record.extra
    np.testing.assert_allclose(report.policy, make_problem(
        window.model.status.config, np.random.default_rng(0)).policy(record.theta[:1])[0], rtol=1e-12)
    assert report.returns.shape == (40,)
    np.testing.assert_allclose(report.returns, record.rewards, rtol=0, atol=0)
    sx, _, heads = arrows(report.grid.cells[:, ::-1].astype(float), report.policy)
    assert view.shafts.path().elementCount() == len(sx)
    assert view.heads.path().elementCount() == 4 * len(heads)        # move + 2 lines + close
    x, _, move, episode = episode_points(report)
    counts = [(report.returns > 0).sum(), (report.returns < 0).sum(), (report.returns == 0).sum()]
    for item, count in zip(view.paths, counts):
        starts = sum(1 for i in range(item.path().elementCount()) if item.path().elementAt(i).isMoveTo())
        assert starts == count
    shaded = sum(item.path().elementCount() // 5 for item in view.heat)  # a square: 5 elements
    assert shaded == int((report.visits > 0).sum())
    assert len(view.heat) == SHADES


@pytest.mark.parametrize("settings", [{"problem": "gridworld"}, {"problem": "gridworld", "policy": "mlp"},
                                      {"problem": "bandit"}, {"problem": "softmax", "rewards": "1,2,3,4"}])
def test_the_theta_slice_is_exact_J_on_the_plane_along_the_gradient(settings):
    from gradviz.engine.analysis import theta_slice

    run = Run(from_mapping({**settings, "batch": 16, "seed": 2}))
    run.step()
    record = run.step()
    slices = theta_slice(run, record.estimate[0])
    expected = {"estimate", "random"} | ({"filter"} if settings["problem"] == "gridworld" else set())
    assert set(slices.cuts) == expected
    for cut in slices.cuts.values():
        check_slice(run, record, cut)


def check_slice(run, record, cut):
    assert abs(cut.u @ cut.v) < 1e-12 and np.linalg.norm(cut.u) == pytest.approx(1) \
        and np.linalg.norm(cut.v) == pytest.approx(1)
    from gradviz.engine.streams import generator

    probe = make_problem(run.config, generator(run.config.generator, run.config.seed))   # replica 0's world
    J0, grad = probe.exact(run.theta[:1])
    np.testing.assert_allclose(cut.u, grad[0] / np.linalg.norm(grad[0]), atol=1e-12)
    land = cut.landscape
    middle = len(land.xs) // 2
    assert land.xs[middle] == 0 and land.J[middle, middle] == pytest.approx(J0[0], abs=1e-12)
    for i, j in [(0, 0), (3, len(land.xs) - 2), (len(land.ys) - 1, 5)]:
        theta = cut.centre + land.xs[j] * cut.u + land.ys[i] * cut.v
        assert land.J[i, j] == pytest.approx(probe.exact(theta[None])[0][0], abs=1e-12)
    # along a, J rises at the rate ‖∇J‖ (the slice's a axis is the gradient's direction):
    # fourth-order differences of the slice's own grid
    h, row = land.xs[1] - land.xs[0], land.J[middle]
    slope = (-row[middle + 2] + 8 * row[middle + 1] - 8 * row[middle - 1] + row[middle - 2]) / (12 * h)
    assert slope == pytest.approx(np.linalg.norm(grad[0]), rel=0.03)
    if cut.second == "estimate":       # ĝ lies in the slice's plane
        g = record.estimate[0]
        rest = g - (g @ cut.u) * cut.u - (g @ cut.v) * cut.v
        assert np.linalg.norm(rest) < 1e-9 * np.linalg.norm(g)


def test_a_problem_drawn_on_its_plane_has_no_slice():
    from gradviz.engine.analysis import theta_slice

    assert theta_slice(Run(from_mapping({"problem": "gaussian"}))) is None
    assert theta_slice(Run(from_mapping({"problem": "softmax"}))) is None


def test_the_app_shows_the_slice_the_engine_measured(qtbot, make_window):
    window = make_window(problem="gridworld", estimator="togo", batch=32)
    window.step_once()
    qtbot.waitUntil(lambda: window.model.status.step == 1)
    window.frames.request_variance()
    qtbot.waitUntil(lambda: window.model.slice is not None and window.model.slice.step == 1)
    view = window.views["slice"]
    for index in range(view.direction.count()):
        view.direction.setCurrentIndex(index)
        cut = window.model.slice.cuts[view.direction.currentData()]
        assert view.shown is cut and cut.second == view.direction.currentData()
        assert not view.image.pixmap().isNull()
        assert view.levels == (cut.landscape.J.min(), cut.landscape.J.max())
    assert window.docks["slice"].isVisibleTo(window)
    gaussian = make_window()
    assert not gaussian.docks["slice"].isVisibleTo(gaussian)


@pytest.mark.parametrize("name", ["cliff", "tiny", "rooms", "bridge"])
def test_every_named_map_runs(name):
    config = from_mapping({"problem": "gridworld", "grid": name, "batch": 8, "steps": 2})
    records = list(Run(config).steps(2))
    assert np.isfinite(records[-1].J).all() and records[-1].extra.grid.rows


def test_a_slice_ignores_an_estimate_of_another_run():
    from gradviz.engine.analysis import theta_slice

    slices = theta_slice(Run(from_mapping({"problem": "gridworld"})), np.ones(3))
    assert "estimate" not in slices.cuts and slices.get("estimate").second == "random"


def test_filter_normalisation_gives_each_block_theta_s_own_size():
    from gradviz.engine.analysis import filter_normalised

    rng = np.random.default_rng(4)
    theta, direction = rng.normal(size=10), rng.normal(size=10)
    blocks = [np.arange(0, 4), np.arange(4, 7), np.array([7, 8, 9])]
    out = filter_normalised(direction, theta, blocks)
    for block in blocks:
        assert np.linalg.norm(out[block]) == pytest.approx(np.linalg.norm(theta[block]))
        cosine = out[block] @ direction[block] / (np.linalg.norm(out[block]) * np.linalg.norm(direction[block]))
        assert cosine == pytest.approx(1.0)
    config = from_mapping({"problem": "gridworld", "policy": "mlp", "hidden": 5})
    blocks = make_problem(config, np.random.default_rng(0)).parameter_blocks()
    assert sorted(np.concatenate(blocks).tolist()) == list(range(config.dim))   # each weight once


def test_the_hidden_units_control_is_greyed_out_for_a_table(qtbot, make_window):
    window = make_window(problem="gridworld")
    hidden = window.panel.settings["hidden"].widget
    assert hidden.isVisibleTo(window) and not hidden.isEnabled()
    assert not window.panel.contributions.isEnabled() and not window.panel.raw.isEnabled()
    mlp = make_window(problem="gridworld", policy="mlp")
    assert mlp.panel.settings["hidden"].widget.isEnabled()
    gaussian = make_window()
    assert gaussian.panel.contributions.isEnabled() and gaussian.panel.raw.isEnabled()


def learned_run(runs=4000, steps=6, **settings):
    """A run of ``steps`` steps with θ held (lr tiny): V̂ learns from each batch."""
    return Run(from_mapping({**SMALL, "horizon": 5, "estimator": "learned", "runs": runs, "batch": 4,
                             "seed": 5, "lr": 1e-8, "ema_rate": 0.5,
                             "theta0": tuple(np.linspace(-0.8, 0.8, 16)), **settings}))


def test_the_learned_value_baseline_is_unbiased_and_lowers_the_variance_once_learned():
    run = learned_run()
    first = run.step()                       # V̂ = 0: reward-to-go itself
    for _ in range(4):
        run.step()
    assert np.abs(run.problem.learned).max() > 0.1
    record = run.step()
    mean = (record.estimate - record.grad).mean(axis=0)
    stderr = record.estimate.std(axis=0, ddof=1) / math.sqrt(len(record.estimate))
    assert np.all(np.abs(mean) <= 4 * stderr + 1e-12)
    assert record.estimate.var(axis=0).sum() < 0.9 * first.estimate.var(axis=0).sum()   # 0.84 here


def test_previews_teach_the_learned_baseline_nothing():
    plain, previewed = learned_run(runs=2, steps=0), learned_run(runs=2, steps=0)
    for _ in range(5):
        previewed.preview()
        a, b = plain.step(), previewed.step()
        np.testing.assert_array_equal(a.theta_next, b.theta_next)
    np.testing.assert_array_equal(plain.problem.learned, previewed.problem.learned)


def test_a_live_change_of_the_world_is_not_answered_from_the_old_programme():
    config = from_mapping({**SMALL})
    problem = make_problem(config, np.random.default_rng(0))
    theta = np.linspace(-1, 1, 16)[None]
    theta.setflags(write=False)                  # a run's θ: the programme is kept for it
    before = problem.exact(theta)[0][0]
    problem.update("slip", 0.6, theta)
    after = problem.exact(theta)[0][0]
    assert after == pytest.approx(exact_at(theta[0], slip=0.6)[0], abs=1e-14) and after != before
