"""The engine's side of the thread boundary.

An :class:`EngineWorker` lives in its own QThread and owns the :class:`Run`.  The GUI sends
it commands through one queued signal; it answers with immutable reports: a
:class:`Tick` per burst of steps, landscapes, variance curves, stop reasons.  A QTimer in the
worker's thread paces the steps (a steps-per-second cap, or bursts of about 25 ms as fast
as it goes), so the GUI's event loop is never flooded and a command waits at most one burst.
"""

from __future__ import annotations

import sys
import threading
import time
import weakref
from dataclasses import dataclass
from enum import Enum

import numpy as np
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from pyqtgraph.util.garbage_collector import GarbageCollector

from ..engine import session, table
from ..engine.analysis import theta_slice, variance_curve
from ..engine.config import RunConfig
from ..engine.derivation import chain
from ..engine.errors import ConfigError, RunStopped
from ..engine.files import WriteError
from ..engine.history import FIELDS, Spool, summarise
from ..engine.run import Run, StepRecord

# a Tick per 25-30 ms: more often than the 30 Hz redraw, even when a step takes 5 ms
BURST_SECONDS = 0.025
# Python hands the GIL to a waiting thread after this long (default 5 ms).  The GUI thread
# lets go of the GIL in numpy operations on large arrays and in Qt's virtual calls, and
# taking it back waits for the engine thread to yield: at 5 ms a frame's dozen such waits
# cost ~60 ms, at 1 ms ~12 ms.
SWITCH_INTERVAL = 0.001
MEASURE_DELAY_MS = 100
# Flat out, the periodic variance curve may take this share of the engine's time at most
# (the curve costs ~26 ms: one every 6.5 s instead of 3).  A changed setting is measured at
# once.
MEASURE_SHARE = 0.004
# A new run shows a batch at θ₀ at once (a preview: a few ms) when it has at most this many
# samples a step; a larger one shows its first when it steps (a reset queued behind a
# preview of 2·10⁶ samples would wait 0.3 s).
PREVIEW_MAX_SAMPLES = 50_000


_COLLECTOR = None


def collect_garbage_on_gui_thread() -> None:
    """Turn Python's automatic cyclic garbage collection off and collect on a GUI-thread
    timer instead (pyqtgraph's GarbageCollector), once per process.

    Automatic collection runs in whichever thread crosses the allocation threshold.  On
    the engine thread it would destroy Qt objects of the GUI found in cycles (a closed
    window's), which Qt allows only on their own thread: it crashed the test run, or
    deadlocked it with the engine inside ``ast.parse``, about once in ten runs."""
    global _COLLECTOR
    if _COLLECTOR is None:
        _COLLECTOR = GarbageCollector(interval=1.0)


class DrawGate:
    """Lets the GUI pause the engine between steps while it sets plot data.

    Both threads need the GIL.  Left to compete, the GUI hands the GIL to the engine at
    each numpy operation on a large array and each virtual Qt call while drawing, and waits
    up to Python's switch interval to get it back: a 4 ms draw took 11 ms and cost the
    engine more than that.  With the gate closed the engine waits (without the GIL) and the
    draw runs at its own speed.

    The engine side is a flag and a lock, used directly: a Python context manager around
    each step cost twice as much (0.9 % of the steps at batch 10³, against 0.45 %)::

        if gate.closed:
            gate.wait_open()
        with gate.stepping:
            record = run.step()

    The GUI holds a second lock while the gate is closed, where the engine waits: opening
    took 14 µs (median, the engine stepping alongside), where a threading.Event (a Python
    Condition) took 19-26 µs.
    """

    def __init__(self):
        self.stepping = threading.Lock()   # held by the engine during each step
        self._door = threading.Lock()      # held by the GUI while the gate is closed
        self.closed = False

    def wait_open(self) -> None:
        """Engine side: wait while the gate is closed."""
        with self._door:
            pass

    def close(self, timeout: float) -> bool:
        """GUI side: stop the engine after its current step (waiting ``timeout`` seconds at
        most; False if that step takes longer).  Reopen with :meth:`open`."""
        self._door.acquire()
        self.closed = True
        if self.stepping.acquire(timeout=timeout):
            return True
        self._reopen()
        return False

    def open(self) -> None:
        self.stepping.release()
        self._reopen()

    def _reopen(self) -> None:
        self.closed = False
        self._door.release()


class RunState(Enum):
    """One state drives which buttons are enabled (ScopeFoundry-style)."""

    READY = "ready"        # reset, not yet stepped
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"    # the run cannot go on (reason shown); reset to continue


@dataclass(frozen=True)
class Tick:
    """A burst of steps: the newest full record and a summary row for every step."""

    latest: StepRecord
    summaries: np.ndarray     # (k, len(history.FIELDS))
    steps_per_second: float
    run: int = 0              # which run (EngineStatus.run) the steps belong to
    chain: object = None      # engine.derivation.Chain at the newest record's θ


@dataclass(frozen=True)
class EngineStatus:
    """What the engine is using now; sent after every command."""

    state: RunState
    config: RunConfig         # the live config (lr, batch, … as the next step will use them)
    step: int
    theta: np.ndarray         # (R, d), read-only
    policy: tuple | None = None  # (π, true values) of replica 0 for a categorical policy
    reason: str = ""
    handled: int = 0          # commands handled so far (the GUI knows how many it sent)
    run: int = 0              # counts resets: reports of an older run are out of date


def status_of(run: Run, state: RunState, reason: str = "", handled: int = 0,
              run_number: int = 0) -> EngineStatus:
    """What ``run`` is using now, as an immutable report."""
    return EngineStatus(state, run.config, run.t, run.theta.copy(),
                        run.problem.policy_bars(run.theta[0]), reason, handled, run_number)


def landscape_key(run: Run) -> tuple:
    """What the landscape depends on (the problem's kind says)."""
    return run.config.kind.landscape_key(run.config, run.theta)


def landscape_for(run: Run):
    """J over the drawn plane for the run's problem, or None (no plane)."""
    return run.config.kind.landscape(run.config, run.theta)


class EngineWorker(QObject):
    tick = Signal(object)            # Tick
    status = Signal(object)          # EngineStatus
    landscape = Signal(object)       # engine.landscape.Landscape | None
    variance = Signal(object)        # (batch sizes, tr Cov) arrays
    slice = Signal(object)           # engine.analysis.ThetaSlices | None
    message = Signal(str, str)       # (title, text): a problem to show the user
    exported = Signal(str)           # path written
    saved = Signal(str)              # session file written

    def __init__(self, config: RunConfig, gate: "DrawGate | None" = None):
        super().__init__()
        self._gate = gate or DrawGate()
        self._config = config
        self._run: Run | None = None
        self._spool: Spool | None = None
        self._state = RunState.READY
        self._reason = ""
        self._cap: float | None = 30.0
        self._timer: QTimer | None = None
        self._rate = (time.perf_counter(), 0)
        self._landscape_key = None
        self._target: int | None = None   # run_to: pause when the run reaches this step
        self._handled = 0
        self._run_number = 0
        self._measured = (0.0, 0.0)   # when the last variance curve ended, and its seconds
        self._estimate = None         # replica 0's newest ĝ (the θ slice's second direction)

    # --- lifecycle (in the worker thread) ---------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Called when the thread starts: build the run and its timer here, in this thread."""
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._burst)
        self._measure_timer = QTimer(self)   # coalesces bursts of measure requests into one
        self._measure_timer.setSingleShot(True)
        self._measure_timer.timeout.connect(self._measure_now)
        self._reset(self._config)
        self._emit_status()

    @Slot(object, object)
    def handle(self, command, payload) -> None:
        """Every GUI request arrives here, in order, between bursts: ``command`` is one of
        this class's command methods (EngineThread names them)."""
        self._handled += 1
        try:
            command(self, payload)
        except ConfigError as err:
            self.message.emit("Invalid setting", str(err))
        except WriteError as err:
            self.message.emit("Export failed", str(err))
        self._emit_status()

    def run(self, _=None):
        if self._state in (RunState.READY, RunState.PAUSED):
            self._state = RunState.RUNNING
            self._rate = (time.perf_counter(), self._run.t)
            self._schedule()

    def pause(self, _=None):
        if self._state == RunState.RUNNING:
            self._state = RunState.PAUSED
            self._target = None
            self._timer.stop()

    def step(self, _=None):
        if self._state in (RunState.READY, RunState.PAUSED):
            self._state = RunState.PAUSED
            self._advance(1)

    def reset(self, config):
        self._reset(config if config is not None else self._config)

    def apply(self, changes: dict):
        self._run.set(**changes)
        self._send_landscape()
        if self._state == RunState.STOPPED and "theta" in changes:
            self._state, self._reason = RunState.PAUSED, ""
        if "theta" in changes and self._state != RunState.RUNNING:
            self._send_preview()

    def _send_preview(self) -> None:
        """θ set while the run waits: show a batch at the new θ at once (Run.preview, no
        step taken, nothing recorded)."""
        try:
            record = self._run.preview()
        except RunStopped as stopped:
            self.message.emit("Cannot show this θ", stopped.reason)
            return
        self.tick.emit(Tick(record, np.empty((0, len(FIELDS))), self._steps_per_second(),
                            self._run_number, chain(self._run.problem, record)))

    def speed(self, cap):
        self._cap = cap
        if self._state == RunState.RUNNING:
            self._schedule()

    def measure(self, periodic):
        """Measure the variance curve soon (requests within MEASURE_DELAY_MS coalesce); a
        ``periodic`` refresh while the engine runs flat out waits until the last curve's
        cost is MEASURE_SHARE of the time since it."""
        delay = MEASURE_DELAY_MS
        if periodic and self._state == RunState.RUNNING and self._cap is None:
            ended, seconds = self._measured
            due = ended + seconds / MEASURE_SHARE
            delay = max(delay, round(1000 * (due - time.perf_counter())))
        timer = self._measure_timer
        if not timer.isActive() or timer.remainingTime() > delay:
            timer.start(delay)

    @Slot()
    def _measure_now(self) -> None:
        if self._run is not None:
            start = time.perf_counter()
            curve = variance_curve(self._run)
            self.variance.emit(curve)
            self.slice.emit(theta_slice(self._run, self._estimate))
            end = time.perf_counter()
            self._measured = (end, end - start)

    def run_to(self, step: int):
        """Replay to ``step`` as fast as it goes (an opened session), then pause."""
        if step > self._run.t and self._state != RunState.STOPPED:
            self._target = step
            self._state = RunState.RUNNING
            self._rate = (time.perf_counter(), self._run.t)
            self._schedule()

    def save(self, payload):
        path, app_settings = payload
        session.save(path, self._run.session_config(), app_settings)
        self.saved.emit(str(path))

    def export_csv(self, path):
        self._spool.export(path)
        self.exported.emit(str(path))

    def ping(self, _=None):
        """Nothing: the status every command sends back tells the GUI the engine caught up."""

    def shutdown(self, _=None):
        if self._timer is not None:
            self._timer.stop()
            self._measure_timer.stop()
        if self._spool is not None:
            self._spool.close()
        self._state = RunState.PAUSED
        QThread.currentThread().quit()

    # --- stepping --------------------------------------------------------------------------

    def _reset(self, config: RunConfig) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._spool is not None:
            self._spool.close()
        self._config = config
        self._run = Run(config)
        self._estimate = None
        self._spool = Spool(config.dim, config.runs)
        self._state, self._reason = RunState.READY, ""
        self._target = None
        self._landscape_key = None
        self._run_number += 1
        self._emit_status()         # first, so that the GUI drops the old run's reports
        self._send_landscape()
        if config.runs * config.batch <= PREVIEW_MAX_SAMPLES:
            self._send_preview()    # the new run's first batch, J and ĝ at θ₀, before a step

    def _schedule(self) -> None:
        fast = self._cap is None or self._target is not None
        self._timer.start(0 if fast else max(1, round(1000 / self._cap)))

    @Slot()
    def _burst(self) -> None:
        if self._state != RunState.RUNNING or QThread.currentThread().isInterruptionRequested():
            self._timer.stop()
            return
        if self._target is not None:
            self._advance(self._target - self._run.t)
            if self._run.t >= self._target and self._state == RunState.RUNNING:
                self._target, self._state = None, RunState.PAUSED
                self._timer.stop()
                self._emit_status()
            return
        self._advance(1 if self._cap is not None else None)

    def _advance(self, count: int | None) -> None:
        """Run ``count`` steps at most, and no more than fit in one burst (when count is
        None or large); report them as one Tick."""
        kept, record = [], None
        gate, step = self._gate, self._run.step
        deadline = time.perf_counter() + BURST_SECONDS
        try:
            while True:
                if gate.closed:
                    gate.wait_open()
                with gate.stepping:
                    record = step()
                # Keep each step's table numbers and let its record go (the newest is
                # reported whole): holding the records' per-sample arrays slowed the steps
                # by 5 % (memory no longer in the cache).
                kept.append(table.parts(record))
                if count is not None and len(kept) >= count:
                    break
                if time.perf_counter() >= deadline:   # no Qt call per step: each gives up the GIL
                    break
        except RunStopped as stopped:
            self._timer.stop()
            self._state, self._reason = RunState.STOPPED, stopped.reason
            self.message.emit("Run stopped", str(stopped))
        if kept:
            self._estimate = record.estimate[0].copy()
            stacked = table.stack_parts(kept)
            try:
                self._spool.add(stacked)
            except OSError as err:  # the spool's disk is full or gone
                self._timer.stop()
                self._state, self._reason = RunState.STOPPED, f"cannot record the run: {err}"
                self.message.emit("Run stopped", self._reason)
            summaries = summarise(stacked, self._run.problem.plane)
            self.tick.emit(Tick(record, summaries, self._steps_per_second(), self._run_number,
                                chain(self._run.problem, record)))
            self._send_landscape()      # a learned σ moves it
        if self._state != RunState.RUNNING or not kept:
            self._emit_status()

    def _steps_per_second(self) -> float:
        start, first_step = self._rate
        elapsed = time.perf_counter() - start
        return (self._run.t - first_step) / elapsed if elapsed > 0 else 0.0

    # --- reports ---------------------------------------------------------------------------

    def _send_landscape(self) -> None:
        """Recompute the landscape when what it depends on changed (σ, reward, problem)."""
        key = landscape_key(self._run)
        if key != self._landscape_key:
            self._landscape_key = key
            self.landscape.emit(landscape_for(self._run))

    def _emit_status(self) -> None:
        self.status.emit(status_of(self._run, self._state, self._reason, self._handled,
                                   self._run_number))


ENGINES: "weakref.WeakSet[EngineThread]" = weakref.WeakSet()  # for leak checks in tests


class EngineThread(QObject):
    """Owns the QThread and the worker; the GUI talks to the engine only through this."""

    command = Signal(object, object)     # (an EngineWorker command method, its payload)

    def __init__(self, config: RunConfig, parent=None):
        super().__init__(parent)
        ENGINES.add(self)
        self.thread = QThread()
        self.thread.setObjectName("gradviz-engine")
        self.gate = DrawGate()
        self.worker = EngineWorker(config, self.gate)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.start)
        self.command.connect(self.worker.handle)
        self.thread.finished.connect(self.worker.deleteLater)
        self.sent = 0

    def start(self) -> None:
        sys.setswitchinterval(SWITCH_INTERVAL)
        collect_garbage_on_gui_thread()
        self.thread.start()

    def _send(self, command, payload=None) -> None:
        self.sent += 1
        self.command.emit(command, payload)

    # the commands, each queued to the worker's thread and answered by an EngineStatus
    def run(self) -> None:
        self._send(EngineWorker.run)

    def pause(self) -> None:
        self._send(EngineWorker.pause)

    def step(self) -> None:
        self._send(EngineWorker.step)

    def reset(self, config: RunConfig | None = None) -> None:
        self._send(EngineWorker.reset, config)

    def apply(self, changes: dict) -> None:
        """Live settings (engine.config.live_settings) from the next step on."""
        self._send(EngineWorker.apply, changes)

    def speed(self, cap: float | None) -> None:
        """At most ``cap`` steps a second (None: as fast as it goes)."""
        self._send(EngineWorker.speed, cap)

    def measure(self, periodic: bool = False) -> None:
        self._send(EngineWorker.measure, periodic)

    def run_to(self, step: int) -> None:
        self._send(EngineWorker.run_to, step)

    def save(self, path, app_settings: dict | None = None) -> None:
        self._send(EngineWorker.save, (path, app_settings or {}))

    def export_csv(self, path) -> None:
        self._send(EngineWorker.export_csv, path)

    def ping(self) -> None:
        self._send(EngineWorker.ping)

    def caught_up(self, status: EngineStatus) -> bool:
        """Whether ``status`` answers every command sent so far."""
        return status.handled == self.sent

    def stop(self, timeout_ms: int = 2000) -> bool:
        """Ask the worker to stop between steps, quit its loop and wait; never terminate()."""
        if not self.thread.isRunning():
            return True
        self.thread.requestInterruption()
        self._send(EngineWorker.shutdown)
        return self.thread.wait(timeout_ms)
