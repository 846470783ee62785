"""A problem registered from this file runs in `gradviz run` and in the app, with no other
module touched: the registry, the settings schema and the problem's views are the whole
interface (problems/base.py)."""

import io
from contextlib import redirect_stdout

import numpy as np
import pytest

from gradviz.engine import problems
from gradviz.engine.problems import Batch, Problem, ProblemKind
from gradviz.engine.settings import Setting


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


class Coin(Problem):
    """x ~ Bernoulli(s), s = sigmoid(θ); f(1) = payout, f(0) = 0.
    ∇θ log p(x|θ) = x − s;  J = payout·s;  ∇J = payout·s(1 − s)."""

    dim = 1

    def __init__(self, payout):
        self.payout = payout

    def sample(self, theta, n, rng):
        return Batch(actions=(rng.random((theta.shape[0], n)) < sigmoid(theta[:, :1])).astype(np.intp))

    def reward(self, batch, rng):
        return self.payout * batch.actions.astype(float)

    def score(self, theta, batch):
        return (batch.actions - sigmoid(theta[:, :1]))[:, None, :]

    def exact(self, theta):
        s = sigmoid(theta[:, 0])
        return self.payout * s, (self.payout * s * (1 - s))[:, None]

    def policy_bars(self, theta_row):
        s = float(sigmoid(theta_row[0]))
        return np.array([1 - s, s]), np.array([0.0, self.payout])


class CoinKind(ProblemKind):
    name = "coin"
    description = "a biased coin with logit θ that pays --payout on heads"
    settings = (Setting("payout", "number", 2.0, label="payout", lo=0.0, hi=100.0,
                        help="what heads pays"),)

    def dim(self, config):
        return 1

    def build(self, config, rng):
        return Coin(config.payout)


@pytest.fixture
def coin():
    problems.register(CoinKind())
    yield
    problems.unregister("coin")


def test_a_registered_problem_runs_from_the_command_line(coin):
    from gradviz.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["run", "--problem", "coin", "--payout", "3", "--theta0", "0.5", "--steps", "2",
                     "--estimator", "exact"]) == 0
    header, first, second = out.getvalue().splitlines()
    row = dict(zip(header.split(","), (float(v or "nan") for v in first.split(","))))
    s = sigmoid(0.5)
    assert row["J"] == pytest.approx(3 * s, rel=1e-12)
    assert row["grad_1"] == pytest.approx(3 * s * (1 - s), rel=1e-12)
    assert float(second.split(",")[1]) == pytest.approx(0.5 + 0.5 * 3 * s * (1 - s), rel=1e-12)


def test_its_settings_are_checked_by_their_schema(coin):
    from gradviz.engine.config import from_mapping
    from gradviz.engine.errors import ConfigError

    with pytest.raises(ConfigError, match="payout: 200 is out of range"):
        from_mapping({"problem": "coin", "payout": 200})
    with pytest.raises(ConfigError, match="pathwise is not available for the coin problem"):
        from_mapping({"problem": "coin", "estimator": "pathwise"})


def test_a_registered_problem_runs_in_the_app_with_its_own_control(coin, qtbot, make_window):
    from gradviz.app.worker import RunState

    window = make_window(problem="coin", payout=4.0, batch=64)
    control = window.panel.settings["payout"]
    assert control.widget.isVisibleTo(window) and control.value() == 4.0
    assert not window.panel.settings["sigma"].widget.isVisibleTo(window)
    assert window.central.currentWidget() is window.views["policy"]   # no plane: bars
    window.step_once()
    qtbot.waitUntil(lambda: window.model.latest is not None and not window.model.latest.preview)
    record = window.model.latest
    s = sigmoid(record.theta[0, 0])
    np.testing.assert_allclose(record.grad[0], [4 * s * (1 - s)], rtol=1e-12)
    np.testing.assert_allclose(record.policy[0], [1 - sigmoid(record.theta_next[0, 0]),
                                                  sigmoid(record.theta_next[0, 0])], rtol=1e-12)
    control.input.setValue(6.0)
    control.input.editingFinished.emit()              # a structural setting: a new run
    qtbot.waitUntil(lambda: window.model.status.config.payout == 6.0
                    and window.state == RunState.READY)
    assert window.model.status.step == 0
