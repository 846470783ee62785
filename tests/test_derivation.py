"""The derivation's lines agree: the derivative of the exact sum (central differences of
exact J, no score involved) equals Σ f ∇p as each problem computes it, and the panel shows
the chain the run's estimator makes."""

import numpy as np
import pytest

from gradviz.engine.config import from_mapping
from gradviz.engine.derivation import chain
from gradviz.engine.run import Run


@pytest.mark.parametrize("settings", [
    {"problem": "gaussian", "reward": "hills"},
    {"problem": "gaussian", "reward": "hills", "learn_sigma": True, "sigma": 0.7},
    {"problem": "gaussian", "reward": "x > 1", "sigma": 0.3, "theta0": [0.9, 0.0]},
    {"problem": "softmax", "rewards": [1, 2, -0.5], "theta0": [0.3, -0.2, 0.1]},
    {"problem": "bandit", "arms": 5},
])
def test_the_derivative_of_the_sum_is_the_sum_of_f_grad_p(settings):
    run = Run(from_mapping({**settings, "steps": 0, "batch": 8}))
    record = run.step()
    c = chain(run.problem, record)
    shown = min(3, len(c.grad))
    scale = max(1e-3, np.abs(c.grad[:shown]).max())
    np.testing.assert_allclose(c.grad_of_sum[:shown], c.grad[:shown], atol=1e-6 * scale)
    np.testing.assert_array_equal(c.estimate, record.estimate[0])
    assert c.samples == 8 and c.terms[0] >= (3 if settings["problem"] == "softmax" else 5)


@pytest.mark.parametrize("estimator,rows", [("score", 7), ("pathwise", 4), ("exact", 7)])
def test_the_panel_shows_the_estimators_chain_with_the_batchs_estimate(qtbot, make_window,
                                                                       estimator, rows):
    from gradviz.app.views.derivation import vector_text

    window = make_window(estimator=estimator, baseline="none", batch=32)
    qtbot.waitUntil(lambda: window.model.chain is not None)
    window.frames.draw_now()
    view = window.views["derivation"]
    assert len(view.rows) == rows
    chain_ = window.model.chain
    last = view.rows[-1][1].text()
    if estimator == "exact":
        assert vector_text(chain_.grad) in last
    else:
        assert vector_text(chain_.estimate, chain_.stderr) in last
        assert np.all(chain_.stderr > 0)
