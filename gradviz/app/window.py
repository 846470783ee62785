"""The main window: it lays out and wires, nothing more.  Controls on the left, the problem's
central plot (the landscape, or the policy's bars) in the middle, the other plots of the
registry (gradviz.plots) in docks around it.

Who does what: the engine runs in an EngineThread (worker.py) and reports to the model
(model.py), the one state; the views (views/…) draw the model when the frame clock
(frames.py) says; the controller (controller.py) turns what the user asks into engine
commands."""

from __future__ import annotations

import importlib
import sys
import weakref

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox, QScrollArea, QStackedWidget

from .. import __version__
from ..engine import config as cfg
from ..plots import PLOTS
from . import sessions
from .animation import Animations
from .controller import Controller
from .controls import ControlPanel
from .frames import FrameClock
from .icon import app_icon
from .layout import restore_layout, save_layout
from .lessons import Lessons
from .messages import MessageBoard
from .model import AppModel
from .projector import Projector
from .statusbar import RunStatus
from .views.slow_motion import slow_motion_actions
from .worker import EngineThread, RunState

TEACHING_DEFAULT = cfg.RunConfig()  # gaussian on 'hills', batch 16, per-sample arrows on
AREAS = {"right": Qt.RightDockWidgetArea, "bottom": Qt.BottomDockWidgetArea,
         "tabs": Qt.BottomDockWidgetArea}

ABOUT = f"""<h3>gradviz {__version__}</h3>
<p>The log-derivative trick, made visible:</p>
<p style="font-size:13pt">∇<sub>θ</sub> E<sub>x~p(x|θ)</sub>[f(x)] =
E<sub>x~p(x|θ)</sub>[ f(x) ∇<sub>θ</sub> log p(x|θ) ]</p>
<p>Each sample x<sub>i</sub> contributes f(x<sub>i</sub>)∇log p(x<sub>i</sub>|θ); their mean
is the estimate ĝ, and gradient ascent moves θ ← θ + α ĝ.</p>"""


def make_view(name: str):
    """A new instance of plot ``name``'s View (plots.PLOTS says which class)."""
    module, _, cls = PLOTS[name].view.partition(":")
    return getattr(importlib.import_module(module), cls)()


class MainWindow(QMainWindow):
    def __init__(self, config: cfg.RunConfig | None = None, app_settings: dict | None = None,
                 start_engine: bool = True):
        """``start_engine=False`` builds the window without its engine thread, for headless
        rendering (render.py), which reports to the model directly."""
        super().__init__()
        self.setWindowTitle("gradviz — the log-derivative trick, live")
        self.setWindowIcon(app_icon())
        replay_to = config.steps if config is not None and start_engine else 0
        ignored = []          # remembered settings that could not be used, and why
        if config is None and start_engine:
            config, reason = sessions.last_config()
            if reason:
                ignored.append(reason)
        self.engine: EngineThread | None = None
        self.model = AppModel(config or TEACHING_DEFAULT, self)
        self.messages = MessageBoard(self)
        self.panel = ControlPanel(self.model.config)
        self.views = {name: make_view(name) for name, plot in PLOTS.items() if plot.view}
        for view in self.views.values():
            view.bind(self.model)
        self.central = QStackedWidget()
        self.setCentralWidget(self.central)
        self._build_docks()
        self.run_status = RunStatus(self.statusBar())
        self.frames = FrameClock(self.model, self.views, self.central, [self.run_status], self)
        self.frames.speed_cap = self.panel.speed_cap
        self.controller = Controller(self.model, self.panel, self.frames, self.messages, self)
        self.animations = Animations(self)
        self.animations.done.connect(self._animation_done)
        self.animations.progress.connect(self._animation_progress)
        self.lessons = Lessons(self)
        self.projector = Projector(self)
        self._build_actions()

        landscape = self.views["landscape"]
        self.panel.contributionsToggled.connect(landscape.set_show_contributions)
        self.panel.rawToggled.connect(landscape.set_show_raw)
        landscape.thetaPicked.connect(self.controller.theta_picked)
        self.model.runChanged.connect(self.arrange)
        self.model.statusChanged.connect(self._show_state)
        self.arrange()
        self._fit_to_screen(1400, 900)
        if start_engine:    # headless, the default layout: a figure must not depend on it
            ignored += restore_layout(self)
        if ignored:
            self.statusBar().showMessage("Ignored remembered settings: " + "; ".join(ignored), 15000)
        self.rebuild_recent_menu()
        if start_engine:
            self._start_engine()
            if replay_to:
                self.engine.run_to(replay_to)

    def _start_engine(self) -> None:
        # No Qt parent: the engine must outlive the window's C++ object long enough to be
        # stopped, however the window goes (closed, or just dropped without closing).
        self.engine = EngineThread(self.model.config)
        weakref.finalize(self, self.engine.stop)
        worker = self.engine.worker
        worker.tick.connect(self.model.take_tick)
        worker.status.connect(self.model.take_status)
        worker.landscape.connect(self.model.take_landscape)
        worker.variance.connect(self.model.take_variance)
        worker.slice.connect(self.model.take_slice)
        worker.message.connect(self.messages.show)
        worker.saved.connect(self._on_saved)
        worker.exported.connect(self._on_exported)
        self.controller.attach(self.engine)
        self.frames.start(self.engine)
        self.engine.start()
        self.engine.speed(self.panel.speed_cap())
        self.frames.request_variance()

    # --- layout ------------------------------------------------------------------------------

    def _fit_to_screen(self, width: int, height: int) -> None:
        """The first-launch size, shrunk to the screen's free area (a 1280×800 laptop or
        projector would otherwise cut the window off)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            free = screen.availableGeometry()
            width, height = min(width, free.width()), min(height, free.height())
        self.resize(width, height)

    def _build_docks(self) -> None:
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.panel.sizeHint().width() + 18)
        self.docks = {"controls": self._dock("Controls", scroll, Qt.LeftDockWidgetArea, "controls")}
        tabs = []
        for name, plot in PLOTS.items():
            if plot.area == "central":
                self.central.addWidget(self.views[name])
            elif plot.area in AREAS:
                self.docks[name] = self._dock(plot.title, self.views[name], AREAS[plot.area], name)
                if plot.area == "tabs":
                    tabs.append(self.docks[name])
        for first, second in zip(tabs, tabs[1:]):
            self.tabifyDockWidget(first, second)
        if tabs:
            tabs[0].raise_()
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.BottomDockWidgetArea)
        self.resizeDocks([self.docks["objective"]], [400], Qt.Horizontal)
        self.resizeDocks([self.docks["histogram"]], [260], Qt.Vertical)
        if tabs:        # the derivation (first of the tabs) needs the width more than the histogram
            self.resizeDocks([self.docks["histogram"], tabs[0]], [380, 700], Qt.Horizontal)

    def _dock(self, title: str, widget, area, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def arrange(self) -> None:
        """Show the plots the run's problem names (ProblemKind.views), those projector mode
        keeps: its first in the middle; docks of plots it does not name are hidden, and
        shown again when a problem names them."""
        wanted = self.model.views
        self.central.setCurrentWidget(self.views[wanted[0]])
        for name, dock in self.docks.items():
            if name in self.views or self.projector.on:
                dock.setVisible(name in wanted and self.projector.keeps(name))

    def plot_widget(self, name: str):
        """The widget that draws plot ``name`` (a key of plots.PLOTS): "landscape" is the
        problem's central plot, "window" the whole window.  A plot's dock is brought forward
        first: behind another tab (or closed) the plot has no size to draw at."""
        if name == "window":
            return self
        if name == "landscape":
            return self.central.currentWidget()
        dock = self.docks.get(name)
        if dock is not None:
            dock.show()
            dock.raise_()
            QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
            self.frames.draw_now()
        return self.views[name].export_widget()

    # --- actions -----------------------------------------------------------------------------

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
        landscape = self.views["landscape"]
        fit = self._action("Fit arrows", landscape.fit_arrows, ["A"],
                           "Scale the arrows to the gradient now (they keep their scale while it shrinks)")
        self.slow_action, *slow_keys = slow_motion_actions(self._action, landscape)
        export = self._action("Export…", self.export_dialog, ["Ctrl+E"],
                              "Export plots, the window, the data or an animation")
        save = self._action("Save session…", self.save_dialog, ["Ctrl+S"], "Save the session as TOML")
        open_ = self._action("Open session…", self.open_dialog, ["Ctrl+O"], "Open a session file")
        quit_ = self._action("Quit", self.close, ["Ctrl+Q"], "Quit gradviz")
        about = self._action("About gradviz", self.about, [], "Version and formula")
        runs, files = (self.run_action, self.step_action, self.reset_action), (open_, save, export)
        toolbar = self.addToolBar("Run")
        toolbar.setObjectName("run-toolbar")
        toolbar.addActions(runs)
        toolbar.addSeparator()
        toolbar.addActions(files)
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addActions(files)
        self.recent_menu = file_menu.addMenu("Open recent")
        file_menu.addSeparator()
        file_menu.addAction(quit_)
        menu.addMenu("&Run").addActions(runs)
        view_menu = menu.addMenu("&View")
        view_menu.addActions([fit, self.slow_action, *slow_keys[2:], *self.projector.actions(self._action)])
        view_menu.addSeparator()
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        self.lessons.fill(menu.addMenu("&Lessons"))
        menu.addMenu("&Help").addAction(about)

    def _show_state(self) -> None:
        state = self.model.state
        self.run_action.setText("Pause" if state == RunState.RUNNING else "Run")
        self.step_action.setEnabled(state in (RunState.READY, RunState.PAUSED))
        self.run_action.setEnabled(state != RunState.STOPPED)

    @property
    def state(self) -> RunState:
        return self.model.state

    def toggle_run(self) -> None:
        self.controller.toggle_run()

    def step_once(self) -> None:
        self.controller.step_once()

    def reset(self) -> None:
        self.controller.reset()

    def start_session(self, config: cfg.RunConfig) -> None:
        """Start ``config`` (an opened session) and replay it to its saved step."""
        self.controller.start(config, replay_to=config.steps)

    def show_message(self, title: str, text: str) -> None:
        self.messages.show(title, text)

    # --- files -------------------------------------------------------------------------------

    def export_animation(self, path: str) -> None:
        """The run as a GIF, rendered in the background (animation.py) from this exact
        session, saved first."""
        size = (self.width(), self.height())
        self.engine.save(self.animations.begin(path, size), {"purpose": "animation"})
        self.statusBar().showMessage(f"rendering {path} …")

    def _animation_progress(self, path: str, percent: int) -> None:
        self.statusBar().showMessage(f"rendering {path} … {percent} %")

    def _animation_done(self, path: str, error: str) -> None:
        if error:
            self.messages.show("Export failed", error)
        else:
            self.statusBar().showMessage(f"exported {path}", 8000)

    def _on_saved(self, path: str) -> None:
        if self.animations.saved(path):
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
        self.frames.stop()
        self.views["landscape"].player.stop()
        if self.engine is not None:
            self.engine.stop()
            try:
                save_layout(self)
                sessions.remember_last_config(self.controller.wanted)
            except OSError:
                pass
        self.messages.close_all()
        for path in self.animations.cancel_all():   # quitting mid-render: say so, leave no folder
            print(f"gradviz: the GIF export to {path} was cancelled by quitting", file=sys.stderr)
        super().closeEvent(event)
