"""The main window: controls on the left, the landscape large in the middle, the other plots
in docks around it (rearrangeable).  The engine runs in an :class:`EngineThread`; this window
only sends it commands and draws the newest state it reported, at a steady 30 Hz."""

from __future__ import annotations

import sys
import time
import weakref

import numpy as np
from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMessageBox, QScrollArea,
                               QStackedWidget)

from .. import __version__
from ..engine import config as cfg
from ..engine.errors import ConfigError
from ..engine.history import DecimatedSeries
from ..engine.plane import plane_point
from . import sessions
from .animation import AnimationJob
from .controls import ControlPanel
from .icon import app_icon
from .views.histogram import HistogramView
from .views.landscape import LandscapeView
from .views.policy import PolicyBarsView, SimplexView
from .views.series import ObjectiveView, QualityView, ReplicasView
from .views.variance import VarianceView
from .worker import EngineStatus, EngineThread, RunState, Tick

REDRAW_MS = 32           # 31 Hz: a busy event loop fires it a little late; ≥ 30 redraws/s
SLOWEST_REDRAW_MS = 100  # 10 Hz: the slowest pace when the engine runs flat out
GUI_SHARE = 0.25         # flat out, setting plot data (Python: holds the GIL) may take this share
SLOW_EVERY = 6          # secondary plots redraw every 6th frame (5 Hz); the landscape at 30 Hz
MAX_PATH_POINTS = 600   # θ's path, before the landscape drops what is under a pixel (it draws ≤ 300)
SERIES_POINTS = 600     # plots over steps: about one point per pixel column (see native.py)
VARIANCE_EVERY_S = 3.0
GATE_WAIT_S = 0.005      # the engine pauses for drawing after its step, if that ends by then
APP_MAX_SAMPLES = 2_000_000   # replicas × batch per step in the app: keeps a step ≲ 0.2 s
TEACHING_DEFAULT = cfg.RunConfig()  # gaussian on 'hills', batch 16, per-sample arrows on

ABOUT = f"""<h3>gradviz {__version__}</h3>
<p>The log-derivative trick, made visible:</p>
<p style="font-size:13pt">∇<sub>θ</sub> E<sub>x~p(x|θ)</sub>[f(x)] =
E<sub>x~p(x|θ)</sub>[ f(x) ∇<sub>θ</sub> log p(x|θ) ]</p>
<p>Each sample x<sub>i</sub> contributes f(x<sub>i</sub>)∇log p(x<sub>i</sub>|θ); their mean
is the estimate ĝ, and gradient ascent moves θ ← θ + α ĝ.</p>"""


class MainWindow(QMainWindow):
    def __init__(self, config: cfg.RunConfig | None = None, app_settings: dict | None = None,
                 start_engine: bool = True):
        """``start_engine=False`` builds the window without its engine thread, for headless
        export, which feeds it records directly."""
        super().__init__()
        self.setWindowTitle("gradviz — the log-derivative trick, live")
        self.setWindowIcon(app_icon())
        replay_to = config.steps if config is not None and start_engine else 0
        ignored = []          # remembered settings that could not be used, and why
        if config is None and start_engine:
            config, reason = sessions.last_config()
            if reason:
                ignored.append(reason)
        self.config = config or TEACHING_DEFAULT
        self.status: EngineStatus | None = None
        self.latest = None                      # newest StepRecord
        self.series = DecimatedSeries()
        self.redraws = 0
        self.last_message: tuple[str, str] | None = None
        self.messages = 0
        self.status_count = 0
        self._dirty = False
        self._landscape = None
        self._rate = 0.0
        self._dialogs = []
        self._last_variance = 0.0
        self._draw_seconds = 0.0                # time spent setting plot data (holds the GIL)
        self._draw_mark = (time.perf_counter(), 0.0)
        self._frames_since_mark = 0
        self._views_prepared_here = False   # see _prepare_views
        self._animations: dict[str, AnimationJob] = {}   # by session file, while rendering
        self.animation_done = None

        self.landscape = LandscapeView()
        self.bars = PolicyBarsView()
        self.central = QStackedWidget()
        self.central.addWidget(self.landscape)
        self.central.addWidget(self.bars)
        self.setCentralWidget(self.central)
        self.panel = ControlPanel(self.config)
        self.objective = ObjectiveView()
        self.quality = QualityView()
        self.histogram = HistogramView()
        self.variance = VarianceView()
        self.replicas = ReplicasView()
        self.simplex = SimplexView()
        self.plot_views = (self.landscape, self.bars, self.objective, self.quality,
                           self.histogram.plot, self.variance, self.replicas, self.simplex)
        self._build_docks()
        self._build_actions()
        self._build_status_bar()

        self.engine = None
        self.panel.liveChanged.connect(self._live_changed)
        self.panel.structureChanged.connect(self._structure_changed)
        self.panel.speedChanged.connect(self._speed_changed)
        self.panel.invalid.connect(self._invalid_input)
        self.panel.contributionsToggled.connect(self.landscape.set_show_contributions)
        self.panel.rawToggled.connect(self.landscape.set_show_raw)
        self.landscape.thetaPicked.connect(self._theta_picked)

        self._apply_problem(self.config)
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setTimerType(Qt.PreciseTimer)   # a coarse timer may run 5 % slow: 28.6 Hz
        self.redraw_timer.timeout.connect(self._redraw)
        self._fit_to_screen(1400, 900)
        ignored += self._restore_layout()
        if ignored:
            self.statusBar().showMessage("Ignored remembered settings: " + "; ".join(ignored), 15000)
        self.rebuild_recent_menu()
        if start_engine:
            self._start_engine()
            if replay_to:
                self.engine.send("run_to", replay_to)

    def _start_engine(self) -> None:
        # No Qt parent: the engine must outlive the window's C++ object long enough to be
        # stopped, however the window goes (closed, or just dropped without closing).
        self.engine = EngineThread(self.config)
        weakref.finalize(self, self.engine.stop)
        worker = self.engine.worker
        worker.tick.connect(self._on_tick)
        worker.status.connect(self._on_status)
        worker.landscape.connect(self._on_landscape)
        worker.variance.connect(self._on_variance)
        worker.message.connect(self._on_engine_message)
        worker.saved.connect(self._on_saved)
        worker.exported.connect(self._on_exported)
        self.redraw_timer.start(REDRAW_MS)
        self.engine.start()
        self.engine.send("speed", self.panel.speed_cap())
        self._request_variance()

    # --- layout ------------------------------------------------------------------------------

    def _fit_to_screen(self, width: int, height: int) -> None:
        """The first-launch size, shrunk to the screen's free area (a 1280×800 laptop or
        projector would otherwise cut the window off)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            free = screen.availableGeometry()
            width, height = min(width, free.width()), min(height, free.height())
        self.resize(width, height)

    def plot_widget(self, name: str):
        """The widget that draws plot ``name`` (a key of plots.PLOTS)."""
        return {"landscape": self.central.currentWidget(), "objective": self.objective,
                "quality": self.quality, "histogram": self.histogram.plot,
                "variance": self.variance, "replicas": self.replicas, "window": self}[name]

    def _dock(self, title: str, widget, area, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.panel.sizeHint().width() + 18)
        self.docks = {
            "controls": self._dock("Controls", scroll, Qt.LeftDockWidgetArea, "controls"),
            "objective": self._dock("J over steps", self.objective, Qt.RightDockWidgetArea, "objective"),
            "quality": self._dock("Gradient quality", self.quality, Qt.RightDockWidgetArea, "quality"),
            "histogram": self._dock("Contributions", self.histogram, Qt.BottomDockWidgetArea, "histogram"),
            "variance": self._dock("Variance vs batch size", self.variance, Qt.BottomDockWidgetArea,
                                   "variance"),
            "replicas": self._dock("Replicas", self.replicas, Qt.BottomDockWidgetArea, "replicas"),
            "simplex": self._dock("Policy simplex", self.simplex, Qt.BottomDockWidgetArea, "simplex"),
        }
        self.tabifyDockWidget(self.docks["variance"], self.docks["replicas"])
        self.tabifyDockWidget(self.docks["replicas"], self.docks["simplex"])
        self.docks["variance"].raise_()
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.BottomDockWidgetArea)
        self.resizeDocks([self.docks["objective"]], [400], Qt.Horizontal)
        self.resizeDocks([self.docks["histogram"]], [260], Qt.Vertical)

    def _action(self, text: str, slot, shortcuts, tip: str) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.setShortcutContext(Qt.WindowShortcut)
        action.setToolTip(f"{tip} ({', '.join(shortcuts)})" if shortcuts else tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.run_action = self._action("Run", self.toggle_run, ["Space"], "Run or pause")
        self.step_action = self._action("Step", self.step_once, ["Right", "S"], "One step")
        self.reset_action = self._action("Reset", self.reset, ["R"], "Start the run again")
        self.export_action = self._action("Export…", self.export_dialog, ["Ctrl+E"],
                                          "Export plots, the window, the data or an animation")
        self.save_action = self._action("Save session…", self.save_dialog, ["Ctrl+S"],
                                        "Save the session as TOML")
        self.open_action = self._action("Open session…", self.open_dialog, ["Ctrl+O"],
                                        "Open a session file")
        self.quit_action = self._action("Quit", self.close, ["Ctrl+Q"], "Quit gradviz")
        self.about_action = self._action("About gradviz", self.about, [], "Version and formula")
        toolbar = self.addToolBar("Run")
        toolbar.setObjectName("run-toolbar")
        for action in (self.run_action, self.step_action, self.reset_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.open_action, self.save_action, self.export_action):
            toolbar.addAction(action)
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        for action in (self.open_action, self.save_action, self.export_action):
            file_menu.addAction(action)
        self.recent_menu = file_menu.addMenu("Open recent")
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        run_menu = menu.addMenu("&Run")
        for action in (self.run_action, self.step_action, self.reset_action):
            run_menu.addAction(action)
        view_menu = menu.addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        menu.addMenu("&Help").addAction(self.about_action)

    def _build_status_bar(self) -> None:
        self.status_labels = {}
        for key, width in (("state", 90), ("step", 110), ("J", 130), ("error", 150), ("sigma", 100),
                           ("rate", 120)):
            label = QLabel()
            label.setMinimumWidth(width)
            self.statusBar().addPermanentWidget(label)
            self.status_labels[key] = label
        self._status_texts = {}

    # --- commands ----------------------------------------------------------------------------

    @property
    def state(self) -> RunState:
        return self.status.state if self.status else RunState.READY

    def toggle_run(self) -> None:
        self.engine.send("pause" if self.state == RunState.RUNNING else "run")

    def step_once(self) -> None:
        self.engine.send("step")
        self._request_variance()

    def reset(self) -> None:
        self._start(self.config)

    def start_session(self, config: cfg.RunConfig) -> None:
        """Start ``config`` (an opened session) and replay it to its saved step."""
        self._start(config)
        if config.steps:
            self.engine.send("run_to", config.steps)

    def _start(self, config: cfg.RunConfig) -> None:
        """A new run with ``config`` (problem, reward, … or an opened session)."""
        self.config = config
        self.series = DecimatedSeries()
        self.latest = None
        self._apply_problem(config)
        self.engine.send("reset", config)
        self._request_variance()
        self._dirty = True

    def _apply_problem(self, config: cfg.RunConfig) -> None:
        self.panel.show_config(config)
        has_plane = config.problem == "gaussian" or (config.problem == "softmax"
                                                     and len(config.rewards) == 3)
        self.central.setCurrentWidget(self.landscape if has_plane else self.bars)
        self.landscape.set_problem(config.problem)
        self.docks["simplex"].setVisible(config.problem == "softmax" and len(config.rewards) == 3)
        if config.problem == "softmax" and len(config.rewards) == 3:
            self.simplex.set_values(config.rewards)
        names = (["θ₁ = μ_x", "θ₂ = μ_y", "θ₃ = log σ"] if config.problem == "gaussian"
                 else [f"θ{k + 1} (action {k + 1})" for k in range(config.dim)])
        self.histogram.set_dimension(config.dim, names)

    def _live_changed(self, changes: dict) -> None:
        changes = {k: v for k, v in changes.items() if getattr(self.config, k) != v}
        if not changes:
            return
        try:
            config = self.config.with_changes(**changes)
            if config.runs * config.batch > APP_MAX_SAMPLES:
                raise ConfigError(f"replicas × batch = {config.runs * config.batch:,} is over the "
                                  f"app's {APP_MAX_SAMPLES:,} samples a step, where it stays "
                                  "responsive; lower one of them (gradviz run takes up to "
                                  f"{cfg.MAX_NUMBERS_PER_STEP:,} numbers a step: R × N × d)")
            self.config = config
        except ConfigError as err:
            self.show_message("Invalid setting", str(err))
            self.panel.show_config(self.config)
            return
        self.panel.show_config(self.config)
        self.engine.send("apply", changes)
        self._request_variance()

    def _structure_changed(self, changes: dict) -> None:
        changes = {k: v for k, v in changes.items() if getattr(self.config, k) != v}
        if not changes:
            return
        try:
            config = self.config.with_changes(theta0=None, schedule=[], **changes)
        except ConfigError as err:
            self.show_message("Invalid setting", str(err))
            self.panel.show_config(self.config)
            return
        if config.estimator == "pathwise" and config.problem != "gaussian":
            config = config.with_changes(estimator="score")
        self._start(config)

    def _speed_changed(self, cap) -> None:
        if self.engine is not None:     # a remembered speed restored before the engine starts
            self.engine.send("speed", cap)

    def _theta_picked(self, x: float, y: float) -> None:
        if self.status is None:
            return
        theta = np.array(self.status.theta[0], dtype=float)
        if self.config.problem == "gaussian":
            theta[0], theta[1] = x, y
        else:  # logits: put θ₁ − θ₃, θ₂ − θ₃ at the point, θ₃ = 0
            theta = np.array([x, y, 0.0])
        self.engine.send("apply", {"theta": theta.tolist()})
        self._request_variance()

    def _invalid_input(self, text: str) -> None:
        self.show_message("Invalid setting", text)

    def _request_variance(self, periodic: bool = False) -> None:
        """A new variance curve: at once after a change, or as the run moves θ (periodic,
        which the engine paces when it runs flat out)."""
        self._last_variance = time.monotonic()
        self.engine.send("measure", periodic)

    # --- engine reports ----------------------------------------------------------------------

    def _on_tick(self, tick: Tick) -> None:
        self.series.extend(tick.summaries)
        self.latest = tick.latest
        self._rate = tick.steps_per_second
        self._dirty = True

    def _on_status(self, status: EngineStatus) -> None:
        previous = self.status.state if self.status else None
        self.status = status
        self.status_count += 1
        if (self.engine is not None and status.handled == self.engine.sent
                and status.config != self.config):
            # every command sent is in this status, so it is the truth (a refused setting,
            # or a replayed session's schedule): show what the engine uses
            self.config = status.config
            self.panel.show_config(self.config)
        if status.state != previous:
            self.run_action.setText("Pause" if status.state == RunState.RUNNING else "Run")
            self.step_action.setEnabled(status.state in (RunState.READY, RunState.PAUSED))
            self.run_action.setEnabled(status.state != RunState.STOPPED)
            if previous == RunState.RUNNING:
                self._request_variance()
        self._dirty = True

    def _on_variance(self, curve) -> None:
        self.variance.show_curve(curve, self.config.estimator)

    def _on_landscape(self, landscape) -> None:
        self._landscape = landscape
        if landscape is not None:
            self.landscape.set_landscape(landscape)
        self._dirty = True

    def export_animation(self, path: str) -> None:
        """The run as a GIF, rendered in the background (animation.py) from this exact
        session, saved first."""
        job = AnimationJob(path, self)
        job.finished.connect(self._animation_done)
        self._animations[job.session_path] = job
        self.engine.send("save", (job.session_path, {"purpose": "animation"}))
        self.statusBar().showMessage(f"rendering {path} …")

    def _animation_done(self, path: str, error: str) -> None:
        job = self._animations.pop(self.sender().session_path)
        job.deleteLater()
        if error:
            self.show_message("Export failed", error)
        else:
            self.statusBar().showMessage(f"exported {path}", 8000)
            self.animation_done = path

    def _on_saved(self, path: str) -> None:
        if path in self._animations:
            self._animations[path].start()
            return
        sessions.remember(path)
        self.rebuild_recent_menu()
        self.statusBar().showMessage(f"saved {path}", 8000)

    def _on_exported(self, path: str) -> None:
        self.statusBar().showMessage(f"exported {path}", 8000)

    def rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in sessions.recent_sessions():
            action = self.recent_menu.addAction(path)
            action.setData(path)
            action.triggered.connect(self._open_recent)
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    def _open_recent(self) -> None:
        sessions.open_session(self, self.sender().data())

    def _on_engine_message(self, title: str, text: str) -> None:
        self.show_message(title, text)

    def show_message(self, title: str, text: str) -> None:
        """A non-blocking dialog (the run and the window keep going) and the status bar;
        a dialog already open is reused, so a burst of problems does not pile up windows."""
        self.last_message = (title, text)
        self.messages += 1
        self.statusBar().showMessage(f"{title}: {text}", 15000)
        if self._dialogs and self._dialogs[-1].isVisible():
            self._dialogs[-1].setWindowTitle(title)
            self._dialogs[-1].setText(text)
            return
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, self)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.finished.connect(self._forget_dialog)
        self._dialogs.append(box)
        box.open()

    def _forget_dialog(self) -> None:
        self._dialogs = [d for d in self._dialogs if d is not self.sender()]

    # --- drawing -----------------------------------------------------------------------------

    def _pace(self) -> None:
        """Flat out, stretch the redraw interval so that the time spent drawing (which holds
        the GIL the engine thread needs) stays near GUI_SHARE of the wall clock; capped
        speeds and paused runs redraw every REDRAW_MS."""
        now = time.perf_counter()
        spent = self._draw_seconds - self._draw_mark[1]
        elapsed = now - self._draw_mark[0]
        if elapsed < 0.5:
            return
        self._draw_mark = (now, self._draw_seconds)
        flat_out = self.state == RunState.RUNNING and self.panel.speed_cap() is None
        per_frame = spent / max(self._frames_since_mark, 1)
        self._frames_since_mark = 0
        interval = REDRAW_MS
        if flat_out:
            interval = int(np.clip(1000 * per_frame / GUI_SHARE, REDRAW_MS, SLOWEST_REDRAW_MS))
        if interval != self.redraw_timer.interval():
            self.redraw_timer.setInterval(interval)

    def _redraw(self) -> None:
        if (self.engine is not None and self.state == RunState.RUNNING
                and time.monotonic() - self._last_variance > VARIANCE_EVERY_S):
            self._request_variance(periodic=True)
        self._pace()
        if not self._dirty:
            self._prepare_views()
            return
        self._frames_since_mark += 1
        start = time.perf_counter()
        # Short steps are Python, holding the GIL: pause the engine while drawing rather
        # than trade the GIL call by call.  Long steps are numpy, which lets go of it: draw
        # alongside them.
        gate = self.engine.gate if self.engine is not None else None
        short_steps = self._rate > 1 / GATE_WAIT_S or self.state != RunState.RUNNING
        held = gate is not None and short_steps and gate.close(timeout=GATE_WAIT_S)
        try:
            self._draw()
            self._prepare_views()
        finally:
            if held:
                gate.open()
            self._draw_seconds += time.perf_counter() - start

    def _prepare_views(self) -> None:
        """While the engine runs, the plots are prepared for painting here, once a frame
        and only if they need it, instead of in a hook before each paint
        (NativePaint.prepare_on_paint); a plot the user zooms or resizes meanwhile catches
        up within a frame."""
        running = self.state == RunState.RUNNING
        if running != self._views_prepared_here:
            self._views_prepared_here = running
            for view in self.plot_views:
                view.prepare_on_paint(not running)
        if running:
            for view in self.plot_views:
                if view.isVisible() and view.needs_prepare():
                    view.prepare()

    def _draw(self) -> None:
        self._dirty = False
        self.redraws += 1
        # setting plot data holds the GIL the engine thread needs: the landscape is updated
        # every frame, the other plots at 5 Hz (and always when paused), only when visible
        slow = self.redraws % SLOW_EVERY == 0 or self.state != RunState.RUNNING
        record = self.latest
        stepped = self.series.last is not None      # a preview (Run.preview) may come first
        if record is not None:
            if self.central.currentWidget() is self.landscape:
                path = (self.series.thinned(MAX_PATH_POINTS, ("plane_x", "plane_y")) if stepped
                        else np.empty((0, 2)))
                here = self._plane_now()
                xs, ys = np.append(path[:, 0], here[0]), np.append(path[:, 1], here[1])
                self.landscape.show_path(xs, ys)
                self.landscape.show_record(record)
                if self.config.problem == "softmax" and slow and self._visible("simplex"):
                    self.simplex.show_path(xs, ys)
            if slow and stepped:
                thinned = self.series.thinned(SERIES_POINTS)
                for name, view in (("objective", self.objective), ("quality", self.quality)):
                    if self._visible(name):
                        view.show_series(thinned)
                if self._visible("replicas"):
                    self.replicas.show_series(thinned, record.replicas)
            if slow and self._visible("histogram"):
                self.histogram.show_record(record)
        elif self.status is not None and self.central.currentWidget() is self.landscape:
            here = self._plane_now()
            self.landscape.show_path(np.array([here[0]]), np.array([here[1]]))
        if self.status is not None and self.central.currentWidget() is self.bars:
            self._draw_bars()
        if slow:   # text changing 30 times a second cannot be read
            self._update_status_bar()

    def _draw_bars(self) -> None:
        """π against the true values, from one engine snapshot (after a problem switch the
        window's config runs ahead of what the engine has reported)."""
        status = self.status
        if status.config.problem == "bandit":
            values = status.q_star
        elif status.config.problem == "softmax":
            values = np.asarray(status.config.rewards)
        else:
            return
        theta = status.theta[0]
        if self.latest is not None and self.latest.theta_next.shape[1] == len(values):
            theta = self.latest.theta_next[0]
        if len(theta) == len(values):
            self.bars.show_policy(theta, values)

    def _visible(self, dock: str) -> bool:
        """Shown and not behind another tab (Qt hides those); headless, all are drawn."""
        return self.engine is None or self.docks[dock].widget().isVisible()

    def _plane_now(self):
        theta = self.latest.theta_next[0] if self.latest is not None else self.status.theta[0]
        return plane_point(theta, self.config.problem)

    def _update_status_bar(self) -> None:
        record = self.latest
        texts = {"state": self.state.value, "step": "step 0"}
        if record is not None:
            error = np.linalg.norm(record.estimate - record.grad, axis=1).mean()
            texts.update(step=f"step {record.steps_taken:,}", J=f"J = {record.J.mean():.4g}",
                         error=f"‖ĝ − ∇J‖ = {error:.3g}",
                         rate=f"{self._rate:,.0f} steps/s" if self.state == RunState.RUNNING else "",
                         # a learned σ moves with θ = (μ, log σ): say where it is now
                         sigma=(f"σ = {np.exp(record.theta_next[0, 2]):.3g}"
                                if self.config.learn_sigma else ""))
        for key, text in texts.items():
            if self._status_texts.get(key) != text:   # each setText lays out the status bar
                self._status_texts[key] = text
                self.status_labels[key].setText(text)

    # --- dialogs (export and sessions live in their own module) --------------------------------

    def export_dialog(self) -> None:
        from .exporting import ExportDialog
        ExportDialog(self).open()

    def save_dialog(self) -> None:
        sessions.save_session_dialog(self)

    def open_dialog(self) -> None:
        sessions.open_session_dialog(self)

    def about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About gradviz")
        box.setIconPixmap(app_icon().pixmap(96, 96))
        box.setText(ABOUT)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    # --- shutdown ----------------------------------------------------------------------------

    def closeEvent(self, event) -> None:
        """Stop the engine first; remembering settings is best effort (a full disk must
        not keep the window, or its thread, alive)."""
        self.redraw_timer.stop()
        if self.engine is not None:
            self.engine.stop()
            try:
                self._save_layout()
                sessions.remember_last_config(self.config)
            except OSError:
                pass
        for box in list(self._dialogs):
            box.close()
        for job in self._animations.values():   # quitting mid-render: say so, leave no folder
            job.cancel()
            print(f"gradviz: the GIF export to {job.path} was cancelled by quitting", file=sys.stderr)
        self._animations.clear()
        super().closeEvent(event)

    def _save_layout(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/speed", self.panel.speed.currentText())

    def _restore_layout(self) -> list[str]:
        """Restore the remembered window size and docks; what could not be used is left
        out and named in the returned list."""
        settings, ignored = QSettings(), []
        for key, restore in (("window/geometry", self.restoreGeometry),
                             ("window/state", self.restoreState)):
            value = settings.value(key)
            if value is None:
                continue
            if not isinstance(value, (QByteArray, bytes)) or not restore(value):
                ignored.append(f"{key} is unreadable")
        speed = settings.value("window/speed")
        if speed is not None:
            index = self.panel.speed.findText(speed) if isinstance(speed, str) else -1
            if index < 0:
                ignored.append("window/speed is unreadable")
            else:
                self.panel.speed.setCurrentIndex(index)
        return ignored
