"""Lessons: shipped sessions with a question before the run and an explanation after."""

import subprocess
import sys

import numpy as np
import pytest

from gradviz.engine import presets
from gradviz.engine.run import Run

LESSONS = presets.lessons()


def test_there_are_at_least_eight_lessons_in_course_order():
    assert len(LESSONS) >= 8
    assert [lesson.order for lesson in LESSONS] == sorted(lesson.order for lesson in LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_each_lesson_runs_its_steps_and_moves(lesson):
    """Every lesson runs to its end without stopping, and θ moves, but for the plateau
    (whose point is that nothing moves) and a lesson that holds θ."""
    run = Run(lesson.config)
    records = list(run.steps(lesson.config.steps))
    assert len(records) == lesson.config.steps
    moved = np.abs(records[-1].theta_next - records[0].theta).max()
    still = lesson.name == "plateau" or lesson.config.freeze
    assert (moved == 0) if still else (moved > 0.1)


def test_the_lessons_claims_hold_where_they_give_numbers():
    """What the explanations say, measured (same seeds as the lessons)."""
    def end(name, **changes):
        config = presets.lesson(name).config.with_changes(**changes)
        return list(Run(config).steps(config.steps))[-1]

    assert end("gradient-bandit").p_best.mean() > 0.75 > 0.55 > end("gradient-bandit", baseline="none").p_best.mean()
    assert end("local-optima").J[0] == pytest.approx(0.47, abs=0.02)
    assert end("trajectories").J[0] == pytest.approx(0.3, abs=0.06)      # 0.25-0.31 over seeds 0-7
    spread = {name: Run(presets.lesson("trajectories").config.with_changes(
        estimator=name, runs=2000)).step().estimate.var(axis=0).sum() for name in ("score", "togo", "value")}
    assert spread["togo"] / spread["score"] == pytest.approx(0.63, abs=0.05)
    assert spread["value"] / spread["score"] == pytest.approx(0.05, abs=0.02)
    held = presets.lesson("unbiased").config
    estimates = np.array([r.estimate[0] for r in Run(held).steps(held.steps)])
    error = estimates.mean(axis=0) - Run(held).step().grad[0]
    assert (np.abs(error) < 3 * estimates.std(axis=0, ddof=1) / np.sqrt(held.steps)).all()
    sigma = np.exp(end("learning-sigma").theta_next[0, 2])
    assert 0.1 < sigma < 0.35
    first = Run(presets.lesson("baselines").config).step()
    loo = Run(presets.lesson("baselines").config.with_changes(baseline="loo")).step()
    assert loo.variance[0].sum() < 1e-3 * first.variance[0].sum()
    many = presets.lesson("pathwise").config.with_changes(runs=2000)      # "much smaller": 0.21
    score, path = (Run(many.with_changes(estimator=name)).step() for name in ("score", "pathwise"))
    assert path.estimate.var(axis=0).sum() < 0.3 * score.estimate.var(axis=0).sum()


def test_list_prints_the_lessons_under_their_heading():
    out = subprocess.run([sys.executable, "-m", "gradviz", "list"], capture_output=True, text=True).stdout
    lines = out.split("lessons:\n", 1)[1].splitlines()[:len(LESSONS)]
    assert [line.split()[0] for line in lines] == [lesson.name for lesson in LESSONS]


def test_an_unknown_lesson_is_one_line_and_status_2():
    result = subprocess.run([sys.executable, "-m", "gradviz", "--lesson", "nope"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "unknown lesson 'nope'" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_lesson_exports_headless_with_its_derivation(tmp_path):
    out = tmp_path / "d.png"
    result = subprocess.run([sys.executable, "-m", "gradviz", "export", "--lesson", "baselines",
                             "--plot", "derivation", "--steps", "3", "--out", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 2000


def test_a_lesson_in_the_app_asks_first_then_explains_after_its_steps(qtbot, make_window):
    from gradviz.app.worker import RunState

    window = make_window()
    lesson = presets.lesson("batch-size")
    window.lessons.start(lesson)
    dialog = window.lessons.dialog
    qtbot.waitUntil(lambda: window.model.status.config.batch == lesson.config.batch
                    and window.model.status.step == 0)
    assert dialog.isVisible() and dialog.question.isVisibleTo(dialog)
    assert not dialog.explanation.isVisibleTo(dialog)
    dialog.play.click()
    qtbot.waitUntil(lambda: window.model.status.step == lesson.config.steps
                    and window.state == RunState.PAUSED, timeout=20000)
    qtbot.waitUntil(lambda: dialog.explanation.isVisibleTo(dialog))
    dialog.close()
