"""`gradviz export`: render a run's figure or animation without a display."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .console import EXIT_STOPPED, Parser, fail
from .plots import PLOTS

SUFFIXES = (".png", ".svg", ".gif")


def _parser():
    p = Parser(prog="gradviz export", description=(
        "Run a session headless and render one plot (or the whole window) to PNG or SVG, or "
        "the run as an animated GIF, frame by frame. Needs no display."))
    p.add_argument("--config", metavar="FILE.toml", help="the session to run (default: the "
                   "teaching default, gaussian on 'hills')")
    p.add_argument("--lesson", metavar="NAME", help="the lesson's session instead (`gradviz list`)")
    p.add_argument("--steps", type=int, metavar="N", help="steps to run (default: the session's)")
    p.add_argument("--plot", default="landscape", help=f"{' | '.join(PLOTS)} (default landscape); "
                   "`gradviz list` says what each shows")
    p.add_argument("--out", required=True, metavar="FILE", help="FIG.png, FIG.svg or RUN.gif")
    p.add_argument("--width", type=int, default=1600, metavar="PX", help="PNG width in pixels "
                   "(default 1600)")
    p.add_argument("--frames", type=int, default=100, metavar="K",
                   help="GIF frames, evenly over the run (default 100, at most 150)")
    p.add_argument("--window", default="1400x900", metavar="WxH",
                   help="the size of the window the plot is laid out in, in pixels (default "
                        "1400x900; the app passes its own, so that a GIF looks like the screen)")
    p.add_argument("--progress", action="store_true",
                   help="report progress on standard error, one 'progress N%%' line per percent")
    return p


def _window_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        fail(f"--window: {text!r} must be WIDTHxHEIGHT in pixels, e.g. 1400x900")
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        fail(f"--window: {text} is outside 200 … 8000 pixels a side")
    return width, height


def export_command(argv) -> int:
    args = _parser().parse_args(argv)
    if args.plot not in PLOTS:
        fail(f"--plot: unknown plot {args.plot!r} (choose from {', '.join(PLOTS)})")
    suffix = Path(args.out).suffix.lower()
    if suffix not in SUFFIXES:
        fail(f"--out: {args.out!r} must end in .png, .svg or .gif")
    if args.steps is not None and not 0 <= args.steps <= 10_000_000:
        fail(f"--steps: {args.steps} is out of range (0 … 10000000)")
    if not 16 <= args.width <= 16000:
        fail(f"--width: {args.width} is outside 16 … 16000 pixels")
    if not 1 <= args.frames <= 150:
        fail(f"--frames: {args.frames} is outside 1 … 150")
    size = _window_size(args.window)
    if not Path(args.out).parent.is_dir():
        fail(f"cannot write {args.out}: no such folder")
    from .engine import session
    from .engine.config import RunConfig
    from .engine.errors import ConfigError

    if args.config is not None and args.lesson is not None:
        fail("--config and --lesson: give one of them")
    try:
        if args.lesson is not None:
            from .engine import presets
            config = presets.lesson(args.lesson).config
        else:
            config = session.load(args.config)[0] if args.config is not None else RunConfig()
    except ConfigError as err:
        fail(str(err))
    steps = config.steps if args.steps is None else args.steps
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from .app.exporting import ExportError, export_figure, plot_widget, write_gif
    from .app.launch import create_application
    from .app.render import headless_window, play
    from .engine.run import Run

    _quiet_offscreen_notices()
    app = create_application()  # noqa: F841  (kept alive while rendering)
    window = headless_window(config, size)
    try:
        widget = plot_widget(window, args.plot)
    except ExportError as err:
        window.close()
        fail(f"--plot: {err}")
    frames, reason = play(window, Run(config.with_changes(schedule=list(config.schedule))), steps,
                          frames=args.frames if suffix == ".gif" else 0, plot=widget,
                          progress=_report_progress if args.progress else None)
    try:
        if suffix == ".gif":
            if not frames:
                fail("no steps to animate (use --steps N with N ≥ 1)")
            write_gif(frames, args.out)
        else:
            export_figure(widget, args.out, args.width if suffix == ".png" else None)
    except ExportError as err:
        fail(str(err))
    finally:
        window.close()
    if reason:
        fail(f"{reason} (the figure shows the run up to there)", EXIT_STOPPED)
    return 0


def _report_progress(share: float) -> None:
    print(f"progress {round(100 * share)}%", file=sys.stderr, flush=True)


# what Qt's offscreen platform says on every export, though nothing is wrong
OFFSCREEN_NOTICES = ("This plugin does not support propagateSizeHints",)


def _quiet_offscreen_notices() -> None:
    """Drop the offscreen platform's notices, so that an error is the one line it should
    be; every other Qt message still goes to standard error."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode, context, message):
        if not message.startswith(OFFSCREEN_NOTICES):
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


if __name__ == "__main__":
    sys.exit(export_command(sys.argv[1:]))
