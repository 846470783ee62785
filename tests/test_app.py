"""The app under pytest-qt, offscreen: assertions are on the engine's records and state."""

import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from gradviz.app.worker import RunState

FAST = {"speed": None}


def run_until(qtbot, window, steps, timeout=20000):
    window.panel.speed.setCurrentIndex(window.panel.speed.count() - 1)  # as fast as it goes
    window.toggle_run()
    qtbot.waitUntil(lambda: window.model.latest is not None and window.model.latest.step >= steps, timeout=timeout)
    window.toggle_run()
    qtbot.waitUntil(lambda: window.state == RunState.PAUSED, timeout=5000)


def step_and_wait(qtbot, window):
    """Take one step and return its record (a preview, Run.preview, counts as no step)."""
    done = 0 if window.model.latest is None else window.model.latest.steps_taken
    window.step_once()
    qtbot.waitUntil(lambda: window.model.latest is not None and not window.model.latest.preview
                    and window.model.latest.step == done)
    return window.model.latest


def test_running_climbs_a_single_hill(qtbot, make_window):
    window = make_window(reward="hill", theta0=[-2.0, -2.0], lr=1.0, batch=64)
    run_until(qtbot, window, 80)
    J = window.model.series.column("J")
    assert J[-1] > J[0] + 0.2
    assert window.frames.redraws > 0


def test_sliders_change_what_the_engine_uses_at_the_next_step(qtbot, make_window):
    window = make_window()
    step_and_wait(qtbot, window)
    window.panel.lr.slider.setValue(300)          # as a drag would
    window.panel.batch.slider.setValue(800)
    lr, batch = window.panel.lr.value(), window.panel.batch.value()
    assert lr != 0.5 and batch != 16
    record = step_and_wait(qtbot, window)
    assert record.lr == lr and record.batch == batch and len(record.rewards) == batch


def test_typed_values_apply_and_bad_ones_get_a_message(qtbot, make_window):
    window = make_window()
    window.panel.lr.edit.setText("0.125")
    window.panel.lr.edit.editingFinished.emit()
    assert step_and_wait(qtbot, window).lr == 0.125
    window.panel.lr.edit.setText("fast")
    window.panel.lr.edit.editingFinished.emit()
    assert window.messages.last[0] == "Invalid setting" and "learning rate" in window.messages.last[1]
    assert step_and_wait(qtbot, window).lr == 0.125


def test_step_reset_and_problem_switch(qtbot, make_window):
    window = make_window()
    assert step_and_wait(qtbot, window).step == 0
    assert step_and_wait(qtbot, window).step == 1
    old_run = window.model.run
    window.reset()
    # the new run: no step yet (at most a preview batch at θ₀, which comes just after)
    qtbot.waitUntil(lambda: window.model.run != old_run and window.model.status.step == 0)
    assert window.model.latest is None or window.model.latest.preview
    window.panel.problem.textActivated.emit("softmax")
    qtbot.waitUntil(lambda: window.model.status.config.problem == "softmax")
    record = step_and_wait(qtbot, window)
    assert record.theta.shape == (1, 3) and record.actions is not None
    window.panel.problem.textActivated.emit("bandit")
    qtbot.waitUntil(lambda: window.model.status.config.problem == "bandit")
    assert step_and_wait(qtbot, window).theta.shape == (1, 10)
    assert window.central.currentWidget() is window.views["policy"]


def test_clicking_the_landscape_sets_theta(qtbot, make_window):
    window = make_window()
    view = window.views["landscape"]
    qtbot.waitUntil(lambda: view.levels is not None and not view.image.pixmap().isNull())
    scene_point = view.viewbox.mapViewToScene(pg_point(1.0, 1.5))
    pixel = view.mapFromScene(scene_point)
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(pixel.x(), pixel.y()))
    qtbot.waitUntil(lambda: np.allclose(window.model.status.theta[0], [1.0, 1.5], atol=0.05))
    record = step_and_wait(qtbot, window)
    assert record.step == 0 and np.allclose(record.theta[0], [1.0, 1.5], atol=0.05)


def pg_point(x, y):
    from PySide6.QtCore import QPointF
    return QPointF(x, y)


@pytest.mark.parametrize("key", [Qt.Key_Right, Qt.Key_S])
def test_step_shortcuts(qtbot, make_window, key):
    window = make_window()
    QTest.keyClick(window, key)
    qtbot.waitUntil(lambda: window.model.latest is not None and not window.model.latest.preview
                    and window.model.latest.step == 0)   # a step, not the new run's preview


def test_space_runs_and_pauses_and_r_resets(qtbot, make_window):
    window = make_window()
    QTest.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: window.state == RunState.RUNNING)
    qtbot.waitUntil(lambda: window.model.latest is not None and window.model.latest.step >= 2)
    QTest.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: window.state == RunState.PAUSED)
    QTest.keyClick(window, Qt.Key_R)
    qtbot.waitUntil(lambda: window.state == RunState.READY and window.model.status.step == 0)


def test_ctrl_e_opens_the_export_dialog(qtbot, make_window):
    from gradviz.app.exporting import ExportDialog
    window = make_window()
    QTest.keyClick(window, Qt.Key_E, Qt.ControlModifier)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ExportDialog)))


def test_ctrl_s_and_ctrl_o_save_and_open_a_session(qtbot, make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog
    window = make_window(seed=5)
    for _ in range(3):
        step_and_wait(qtbot, window)
    path = tmp_path / "s.toml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(path.exists)
    thetas = window.model.series.rows()[:, 7:9].copy()
    window.reset()
    qtbot.waitUntil(lambda: window.model.status.step == 0)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    QTest.keyClick(window, Qt.Key_O, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.model.status.step == 3 and window.state == RunState.PAUSED)
    qtbot.waitUntil(lambda: len(window.model.series.rows()) == 3)
    np.testing.assert_array_equal(window.model.series.rows()[:, 7:9], thetas)


def test_a_session_whose_replicas_change_mid_run_replays_whole(qtbot, make_window, tmp_path,
                                                              capfd):
    """Replaying runs a session's schedule in bursts: a replica count that changes between
    two steps of one burst must still reach the plots and the spool, every step of it."""
    from gradviz.app import sessions
    path = tmp_path / "replicas.toml"
    path.write_text('batch = 16\nsteps = 8\n[[schedule]]\nstep = 3\nruns = 3\n')
    window = make_window()
    assert sessions.open_session(window, str(path))
    qtbot.waitUntil(lambda: window.model.status.step == 8 and window.state == RunState.PAUSED)
    qtbot.waitUntil(lambda: window.model.latest is not None and window.model.latest.step == 7)
    assert window.model.latest.replicas == 3
    assert list(window.model.series.rows()[:, 0]) == list(range(8))
    assert window.engine.worker._spool.steps == 8
    assert "Traceback" not in capfd.readouterr().err


def test_garbage_is_collected_on_the_gui_thread_only(qtbot, make_window):
    """Automatic collection would run in whichever thread allocates, mostly the engine's,
    and destroy GUI objects there: it is off, and a GUI-thread timer collects cycles."""
    import gc
    import threading

    class Cycle:
        def __del__(self):
            collected_on.append(threading.current_thread())

    def make_cycles(count):
        for _ in range(count):
            cycle = Cycle()
            cycle.itself = cycle

    window = make_window()
    assert not gc.isenabled()
    collected_on = []
    make_cycles(100)                       # garbage waiting for a collection …
    run_until(qtbot, window, 3000)         # … while the engine thread allocates
    make_cycles(1000)                      # past the first generation's threshold
    qtbot.waitUntil(lambda: len(collected_on) == 1100, timeout=5000)
    assert set(collected_on) == {threading.main_thread()}


def test_the_variance_curve_comes_at_once_after_a_change_and_paced_when_flat_out(qtbot):
    """Flat out, a periodic refresh waits until the last curve's cost is MEASURE_SHARE of
    the time since; a change is measured within MEASURE_DELAY_MS, as is any request when
    the engine is not flat out.  (The worker runs on this thread: its timers are readable.)"""
    from gradviz.app.worker import MEASURE_DELAY_MS, MEASURE_SHARE, EngineWorker
    from gradviz.engine.config import from_mapping

    worker = EngineWorker(from_mapping({"steps": 0, "batch": 16}))
    curves = []
    worker.variance.connect(curves.append)
    worker.start()
    timer = worker._measure_timer
    try:
        worker._measure_now()
        assert len(curves) == 1 and worker._measured[1] > 0     # its cost is recorded
        worker.handle(EngineWorker.speed, None)
        worker.handle(EngineWorker.run, None)
        worker._measured = (time.perf_counter(), 1.0)           # a 1 s curve just ended
        worker.handle(EngineWorker.measure, True)
        assert timer.isActive() and timer.interval() > 0.9 * 1000 / MEASURE_SHARE   # ≈ 250 s
        worker.handle(EngineWorker.measure, False)                         # a setting changed
        assert timer.isActive() and timer.interval() == MEASURE_DELAY_MS
        timer.stop()
        worker.handle(EngineWorker.speed, 30.0)                            # capped: the engine idles
        worker.handle(EngineWorker.measure, True)
        assert timer.isActive() and timer.interval() == MEASURE_DELAY_MS
    finally:
        worker.handle(EngineWorker.pause, None)
        timer.stop()
        worker._spool.close()


def test_ctrl_q_quits(qtbot, make_window):
    window = make_window()
    QTest.keyClick(window, Qt.Key_Q, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert not window.engine.thread.isRunning()


def test_closing_mid_run_stops_the_thread_quickly(qtbot, make_window, capfd):
    window = make_window(batch=4096)
    window.panel.speed.setCurrentIndex(window.panel.speed.count() - 1)
    window.toggle_run()
    qtbot.waitUntil(lambda: window.model.latest is not None and window.model.latest.step >= 5)
    window.close()
    assert not window.engine.thread.isRunning()
    err = capfd.readouterr().err
    assert "QThread: Destroyed while thread is still running" not in err
    assert "Traceback" not in err


def test_a_formula_that_fails_mid_run_pauses_and_says_why(qtbot, make_window):
    # sqrt(3 − x) is NaN for x > 3: fine near θ₀, undefined once θ climbs to the right
    window = make_window(reward="x + sqrt(3 - x)", theta0=[-3.0, 0.0], lr=0.5, batch=8)
    window.panel.speed.setCurrentIndex(window.panel.speed.count() - 1)
    window.toggle_run()
    qtbot.waitUntil(lambda: window.state == RunState.STOPPED, timeout=20000)
    assert window.messages.last[0] == "Run stopped" and "not finite" in window.messages.last[1]
    assert np.isfinite(window.model.status.theta).all()
    window.panel.structureChanged.emit({"reward": "hill"})   # still usable
    qtbot.waitUntil(lambda: window.state == RunState.READY and window.model.status.config.reward == "hill")
    assert step_and_wait(qtbot, window).step == 0


def test_a_bad_formula_typed_in_gets_a_message_and_changes_nothing(qtbot, make_window):
    window = make_window()
    window.panel.settings["reward"].input.setEditText("__import__('os').system('echo hacked')")
    window.panel.settings["reward"].use.click()
    assert window.messages.last[0] == "Invalid setting" and "formula" in window.messages.last[1]
    assert window.model.config.reward == "hills" and window.model.status.config.reward == "hills"


def test_per_sample_arrows_are_one_item_and_the_subset_is_stated(qtbot, make_window):
    from gradviz.app.views.landscape import MAX_DRAWN, MIN_ARROWS
    window = make_window(batch=20000)
    step_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: window.frames.redraws > 0 and window.views["landscape"]._record is not None)
    window.frames.dirty = True
    window.frames.tick()
    view = window.views["landscape"]
    arrows = view.arrows_drawn
    # every shaft and barb is in one path item: 3 segments (6 path elements) an arrow
    assert view.contrib.path().elementCount() == 6 * arrows
    assert MIN_ARROWS <= arrows <= MAX_DRAWN and view.dots_drawn == MAX_DRAWN
    # a dot a tip, for the tips inside the view
    tips = view.dots.kind == 0
    assert 0 < view.tips_in_view <= MAX_DRAWN and tips.sum() == view.tips_in_view
    (x0, x1), (y0, y1) = view.viewRange()
    assert ((x0 <= view.dots.x[tips]) & (view.dots.x[tips] <= x1)).all()
    assert ((y0 <= view.dots.y[tips]) & (view.dots.y[tips] <= y1)).all()
    assert f"arrows for {arrows:,}, dots for {MAX_DRAWN:,} of 20,000 samples" in window.views["landscape"].getPlotItem().titleLabel.text


def test_a_window_dropped_without_closing_still_stops_its_thread(qtbot):
    import gc

    from gradviz.app.window import MainWindow
    from gradviz.engine.config import from_mapping

    window = MainWindow(from_mapping({"steps": 0}))
    qtbot.waitUntil(lambda: window.model.status is not None)
    thread = window.engine.thread
    window.toggle_run()
    qtbot.waitUntil(lambda: window.state == RunState.RUNNING)
    del window
    gc.collect()
    assert thread.wait(2000) and not thread.isRunning()


@pytest.mark.parametrize("content", [b"problem = 'gaussian'\nlr = 'fast'\n", b"\x00\xff\xfe junk",
                                     b"reward = \"__import__('os').system('x')\"\n", b"problem = 'gau"])
def test_a_bad_session_file_gets_a_message_and_leaves_the_session_untouched(
        qtbot, make_window, tmp_path, content):
    from gradviz.app import sessions
    window = make_window(seed=3)
    step_and_wait(qtbot, window)
    before = window.model.status.config
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    assert not sessions.open_session(window, path)
    assert window.messages.last[0] == "Cannot open session" and str(path) in window.messages.last[1]
    assert window.model.config == before and window.model.status.step == 1


def test_recent_sessions_and_last_settings_are_remembered(qtbot, make_window, tmp_path):
    from gradviz.app import sessions
    from gradviz.app.window import MainWindow
    from gradviz.engine import session
    from gradviz.engine.config import from_mapping
    path = tmp_path / "good.toml"
    session.save(path, from_mapping({"problem": "softmax", "steps": 2}))
    window = make_window()
    assert sessions.open_session(window, path)
    qtbot.waitUntil(lambda: window.model.status.step == 2)
    assert sessions.recent_sessions()[0] == str(path.resolve())
    assert [a.data() for a in window.recent_menu.actions()] == [str(path.resolve())]
    window.close()
    restarted = MainWindow()           # no config: the last settings come back
    try:
        assert restarted.model.config.problem == "softmax"
    finally:
        restarted.close()


def test_missing_x11_libraries_are_named_instead_of_a_qt_abort(monkeypatch):
    from gradviz.app import launch
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(launch.ctypes.util, "find_library",
                        lambda name: None if name == "xcb-cursor" else f"lib{name}.so")
    problem = launch.display_problem()
    assert "sudo apt-get install libxcb-cursor0" in problem
    monkeypatch.delenv("DISPLAY")
    assert "DISPLAY" in launch.display_problem()


def test_about_box_shows_the_version_and_the_formula(qtbot, make_window):
    from PySide6.QtWidgets import QMessageBox

    from gradviz import __version__
    window = make_window()
    window.about()
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and __version__ in boxes[0].text() and "log p(x|θ)" in boxes[0].text()


def test_paused_redraw_fills_every_visible_plot(qtbot, make_window):
    window = make_window()
    for _ in range(3):
        step_and_wait(qtbot, window)
    window.frames.dirty = True
    window.frames.tick()
    assert window.views["objective"].J.path().elementCount() == 3        # a polyline through 3 steps
    assert window.views["quality"].error.path().elementCount() == 3


def test_the_app_uses_one_blas_thread(qtbot):
    """The engine and GUI threads share the two cores; OpenBLAS threads would spin beside them."""
    import numpy  # noqa: F401  (BLAS is loaded with it)
    from threadpoolctl import threadpool_info

    from gradviz.app.launch import create_application
    create_application()
    threads = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert threads and set(threads) == {1}      # numpy's BLAS (and scipy's, once loaded)


def test_unreadable_remembered_settings_are_ignored_with_a_message(qtbot):
    """A window geometry stored as text and a remembered session that no longer loads
    used to stop the app at every launch."""
    from PySide6.QtCore import QSettings

    from gradviz.app import sessions
    from gradviz.app.window import MainWindow
    QSettings().setValue("window/geometry", "not a geometry")
    QSettings().setValue(sessions.LAST_KEY, 'reward = "sin(x, y)"\n')
    window = MainWindow()
    qtbot.addWidget(window)
    try:
        message = window.statusBar().currentMessage()
        assert "window/geometry" in message and "sin" in message
        assert window.model.config.reward == "hills"
    finally:
        window.close()


def test_a_formula_refused_in_the_box_says_why_and_changes_nothing(qtbot, make_window):
    window = make_window()
    before = window.model.config
    window.panel.settings["reward"].input.setEditText("sin(x, y)")
    window.panel.settings["reward"].use.click()
    assert window.messages.last[0] == "Invalid setting" and "exactly 1 argument" in window.messages.last[1]
    assert window.model.config == before


def test_ten_thousand_replicas_typed_are_ten_thousand_and_too_many_say_both_limits(qtbot, make_window):
    window = make_window(batch=16)
    window.panel.runs.setValue(10_000)
    qtbot.waitUntil(lambda: window.model.status.config.runs == 10_000)
    window.panel.batch.setValue(1000, emit=True)    # 10⁷ samples a step: over the app's limit
    assert window.messages.last[0] == "Invalid setting"
    assert "2,000,000" in window.messages.last[1] and "40,000,000" in window.messages.last[1]
    assert window.model.config.batch == 16 and window.model.config.runs == 10_000


def test_setting_theta_while_paused_shows_a_batch_there_at_once(qtbot, make_window, tmp_path):
    """The marker, the batch and its arrows move to the new θ without a step; the step
    count, the history and the exported data are unchanged."""
    window = make_window(batch=16)
    step_and_wait(qtbot, window)
    window.controller.theta_picked(1.0, 1.5)
    qtbot.waitUntil(lambda: window.model.latest is not None and window.model.latest.preview)
    record = window.model.latest
    assert np.allclose(record.theta[0], [1.0, 1.5]) and record.step == 1
    assert window.model.status.step == 1 and window.model.series.count == 1
    window.frames.dirty = True
    window.frames.tick()
    assert [item.pos().x() for item in window.views["landscape"].marker.items] == pytest.approx([1.0, 1.0])
    path = tmp_path / "run.csv"
    window.engine.export_csv(str(path))
    qtbot.waitUntil(path.exists)
    assert len(path.read_text().splitlines()) == 2          # the header and the one step


def test_the_first_window_fits_the_screen(qtbot):
    """On a screen smaller than 1400×900 (the offscreen one is 800×800) the window fits."""
    from gradviz.app.window import MainWindow
    window = MainWindow()
    qtbot.addWidget(window)
    try:
        free = window.screen().availableGeometry()
        assert window.width() <= free.width() and window.height() <= free.height()
    finally:
        window.close()


def test_a_learned_sigma_is_shown_where_it_is_now(qtbot, make_window):
    window = make_window(learn_sigma=True, sigma=0.7, lr=0.5)
    record = step_and_wait(qtbot, window)
    window.run_status.draw(window.model)
    sigma = float(np.exp(record.theta_next[0, 2]))
    assert window.run_status.labels["problem"].text() == f"σ = {sigma:.3g}" and sigma != 0.7


def test_a_shortcut_typed_in_a_number_field_runs_and_is_not_typed(qtbot, make_window):
    """The batch field had become '16rs': letters are now left to the window's shortcuts."""
    window = make_window(batch=16)
    field = window.panel.batch.edit
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    QTest.keyClicks(field, "s")                      # S: one step
    qtbot.waitUntil(lambda: window.model.latest is not None and not window.model.latest.preview
                    and window.model.latest.step == 0)
    QTest.keyClicks(field, "2")
    assert field.text() == "162"                      # digits still type
    assert window.model.config.batch == 16


def test_the_speed_is_remembered_with_the_window(qtbot):
    from gradviz.app.controls import SPEEDS
    from gradviz.app.window import MainWindow
    first = MainWindow()
    qtbot.addWidget(first)
    first.panel.speed.setCurrentIndex(len(SPEEDS) - 1)
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    try:
        assert second.panel.speed.currentIndex() == len(SPEEDS) - 1
        qtbot.waitUntil(lambda: second.engine.worker._cap == SPEEDS[-1][1])
    finally:
        second.close()


def test_the_landscape_grows_to_keep_theta_in_view(qtbot, make_window):
    """θ driven off the reward's [−4, 4]² (linear reward, large α): the engine sends a
    landscape over a view doubled until θ is inside, and the plot shows that view."""
    window = make_window(reward="linear", lr=3.0, batch=4, theta0=[3.0, 3.0])
    for _ in range(3):
        step_and_wait(qtbot, window)
    x, y = window.model.theta_now()[:2]
    assert max(abs(x), abs(y)) > 4
    qtbot.waitUntil(lambda: window.model.landscape is not None
                    and window.model.landscape.view[1] >= abs(x) / 0.9
                    and window.model.landscape.view[3] >= abs(y) / 0.9)
    x0, x1, y0, y1 = window.model.landscape.view
    doublings = np.log2((x1 - x0) / 8.0)
    assert doublings >= 1 and doublings == round(doublings)
    window.frames.dirty = True
    window.frames.tick()
    (x0, x1), (y0, y1) = window.views["landscape"].viewRange()
    assert x0 <= x <= x1 and y0 <= y <= y1


def test_a_new_problem_shows_in_every_view_at_once(qtbot, make_window):
    """#18: after a switch (softmax from gaussian) every view drops the old run and shows
    the new one before any step: no old J curve, histogram or gaussian arrows left over."""
    window = make_window(batch=32)
    run_until(qtbot, window, 5)
    old_run = window.model.run
    window.panel.problem.textActivated.emit("softmax")
    qtbot.waitUntil(lambda: window.model.run != old_run and window.model.latest is not None)
    assert window.model.latest.preview and window.model.series.count == 0
    window.frames.draw_now()
    views = window.views
    assert views["objective"].J.path().isEmpty()                       # no old J curve
    assert views["histogram"].component.count() == 3                   # three logits
    assert views["landscape"].plane is window.model.plane and "θ₃" in window.model.plane.labels[0]
    assert window.docks["simplex"].isVisibleTo(window)
    record = window.model.latest
    assert record.theta.shape[1] == 3 and record.samples is None       # a softmax batch
    assert window.run_status.labels["J"].text() == f"J = {record.J.mean():.4g}"   # the new J


def test_each_catalogue_reward_says_what_it_teaches_on_hover(qtbot, make_window):
    from PySide6.QtCore import Qt

    from gradviz.engine.rewards import CATALOGUE
    window = make_window()
    box = window.panel.settings["reward"].input
    hints = {box.itemText(i): box.itemData(i, Qt.ToolTipRole) for i in range(box.count())}
    assert hints == {name: reward.description for name, reward in CATALOGUE.items()}


def test_a_typed_formula_and_the_speed_are_remembered(qtbot, make_window):
    """#15: the last settings include a formula typed in the reward box (and the speed)."""
    from gradviz.app.window import MainWindow
    window = make_window()
    box = window.panel.settings["reward"]
    box.input.setEditText("exp(-(x-1)**2 - y**2)")
    box.use.click()
    window.panel.speed.setCurrentIndex(2)
    qtbot.waitUntil(lambda: window.model.status.config.reward == "exp(-(x-1)**2 - y**2)")
    window.close()
    again = MainWindow()
    try:
        assert again.model.config.reward == "exp(-(x-1)**2 - y**2)"
        assert again.panel.settings["reward"].value() == "exp(-(x-1)**2 - y**2)"
        assert again.panel.speed.currentIndex() == 2
    finally:
        again.close()


def test_the_export_dialog_offers_the_plots_this_problem_shows(qtbot, make_window):
    from gradviz.app.exporting import ExportDialog
    window = make_window(problem="bandit")
    qtbot.waitUntil(lambda: window.model.kind.name == "bandit")
    dialog = ExportDialog(window)
    offered = [dialog.what.itemData(i) for i in range(dialog.what.count())]
    assert offered[0] == "policy" and "landscape" not in offered and "simplex" not in offered
    assert {"derivation", "window", "csv", "gif"} <= set(offered)
    dialog.close()
