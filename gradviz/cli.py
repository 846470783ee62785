"""The `gradviz` command: the app by default; `run`, `list` and `export` work headless.

Nothing here imports Qt unless the app (or an export) is asked for.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from .engine import config as cfg
from .engine.errors import ConfigError, RunStopped
from .console import EXIT_STOPPED, Parser, fail
from .engine.files import WriteError, atomic_write
from .plots import describe as describe_plots

RUN_OPTIONS = [
    # (flag, config key, help); each problem's own settings follow (problem_options)
    ("--problem", "problem", "the problem: see `gradviz list` (default gaussian)"),
    ("--estimator", "estimator", " | ".join(cfg.ESTIMATORS) + " (default score; which a problem "
                                 "offers: `gradviz list`)"),
    ("--baseline", "baseline", " | ".join(cfg.BASELINES) + " (default none; for score)"),
    ("--ema-rate", "ema_rate", "rate ρ of the ema baseline, 0 < ρ ≤ 1 (default 0.1)"),
    ("--optimizer", "optimizer", "sgd | momentum | adam (default sgd)"),
    ("--lr", "lr", "learning rate α > 0 (default 0.5)"),
    ("--batch", "batch", "samples per step N ≥ 1 (default 16)"),
    ("--steps", "steps", "number of steps (default 200)"),
    ("--runs", "runs", "independent replicas R advanced together (default 1)"),
    ("--theta0", "theta0", "initial θ, comma-separated, d numbers (gaussian −1,−2.5; logits 0); "
                           "write --theta0=-1,2 when the first is negative"),
    ("--seed", "seed", "random seed ≥ 0 (default 0)"),
    ("--generator", "generator", "sfc64 | pcg64: the random stream's bit generator (default "
                                 "sfc64; pcg64 replays runs made before session format 2)"),
    ("--theta-bound", "theta_bound", "stop when |θ| exceeds this (default 1e4)"),
]


def problem_options() -> list[tuple[str, str, str, bool]]:
    """(flag, key, help, is a switch) for every registered problem's settings."""
    from .engine.problems import all_settings, users_of

    options = []
    for name, setting in all_settings().items():
        default = ",".join(f"{v:g}" for v in setting.default) if isinstance(setting.default, tuple) \
            else setting.default
        text = f"{', '.join(users_of(name))}: {setting.help}"
        options.append((setting.flag, name, text if setting.kind == "bool" else f"{text} (default {default})",
                        setting.kind == "bool"))
    return options


def _run_parser() -> argparse.ArgumentParser:
    p = Parser(prog="gradviz run", description=(
        "Run a configuration without a window and write one CSV row per step: row t holds θ_t "
        "and what was computed there, before the update."),
        epilog=("Columns: step, theta_1..d, J (exact), grad_1..d (exact), est_1..d (the estimate), "
                "var_1..d (Var(ĝ_k), estimated as the README says), baseline, reward_mean, "
                "p_best, lr, batch; with --runs R > 1 the mean across runs plus J_sd and p_best_sd. "
                "Exit status: 0 done, 1 the run stopped early (divergence, non-finite reward; the "
                "rows before it are written), 2 bad input."),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    for flag, key, text in RUN_OPTIONS[:1]:
        p.add_argument(flag, dest=key, metavar=key.upper(), default=argparse.SUPPRESS, help=text)
    for flag, key, text, switch in problem_options():
        if switch:
            p.add_argument(flag, dest=key, action="store_true", default=argparse.SUPPRESS, help=text)
        else:
            p.add_argument(flag, dest=key, metavar=key.upper(), default=argparse.SUPPRESS, help=text)
    for flag, key, text in RUN_OPTIONS[1:]:
        p.add_argument(flag, dest=key, metavar=key.upper(), default=argparse.SUPPRESS, help=text)
    p.add_argument("--freeze", dest="freeze", action="store_true", default=argparse.SUPPRESS,
                   help="hold θ: every step draws a new batch at θ₀ (the estimates' spread and mean)")
    p.add_argument("--per-run", action="store_true", help="one row per run and step (with a run column)")
    p.add_argument("--config", metavar="FILE.toml", help="start from a session file; options given "
                   "here override its values")
    p.add_argument("--preset", metavar="NAME", help="start from a session shipped with gradviz "
                   "(see `gradviz list`); options given here override its values")
    p.add_argument("--out", metavar="FILE", help="write the CSV here (default: standard output)")
    return p


def build_config(args: argparse.Namespace) -> cfg.RunConfig:
    """The session file's config (if any) overridden by the options given."""
    from .engine import session

    from .engine import presets

    if args.config is not None and args.preset is not None:
        raise ConfigError("--config and --preset: give one of them")
    if args.preset is not None:
        base = cfg.to_mapping(presets.load(args.preset))
    else:
        base = cfg.to_mapping(session.load(args.config)[0]) if args.config is not None else {}
    keys = [key for _, key, _ in RUN_OPTIONS] + [key for _, key, _, _ in problem_options()] + ["freeze"]
    given = {key: getattr(args, key) for key in keys if hasattr(args, key)}
    if "theta0" not in given and args.config is None and args.preset is None:
        base.pop("theta0", None)
    return cfg.from_mapping({**base, **given})


def run_command(argv) -> int:
    from .engine import table
    from .engine.run import Run

    args = _run_parser().parse_args(argv)
    try:
        config = build_config(args)
    except ConfigError as err:
        fail(str(err))
    run = Run(config)
    try:
        if args.out:
            with atomic_write(args.out, "w", newline="") as handle:
                stopped = _write_table(table, run, handle, config, args.per_run)
        else:
            stopped = _write_table(table, run, sys.stdout, config, args.per_run)
    except WriteError as err:
        fail(str(err))
    if stopped:
        fail(str(stopped), EXIT_STOPPED)
    return 0


def _write_table(table, run, handle, config, per_run) -> RunStopped | None:
    """Write every step; a run that stops early keeps its rows and returns the reason."""
    try:
        table.write(run.steps(config.steps), handle, config.dim, table.max_runs(config), per_run)
    except RunStopped as err:
        return err
    return None


def list_command(argv) -> int:
    Parser(prog="gradviz list", description="List problems, rewards, estimators and baselines."
            ).parse_args(argv)
    from .engine import presets
    from .engine.problems import KINDS

    offered = [(f"{setting.name} ({kind.name} {setting.flag} VALUE: one of these, or your own)",
                dict(setting.suggestions))
               for kind in KINDS.values() for setting in kind.settings
               if setting.kind == "text" and setting.suggestions]
    sections = [("problems", cfg.problems()), *offered,
                ("estimators", cfg.ESTIMATORS), ("baselines", cfg.BASELINES),
                ("optimizers", cfg.OPTIMIZERS),
                ("plots (gradviz export --plot NAME)", describe_plots()),
                ("presets (gradviz run --preset NAME)", {n: presets.describe(n) for n in presets.names()}),
                ("lessons", {item.name: f"{item.title} (gradviz --lesson {item.name})"
                             for item in presets.lessons()})]
    for title, entries in sections:
        print(f"{title}:")
        width = max(map(len, entries), default=0)
        for name, text in entries.items():
            print(f"  {name:<{width}}  {text}")
    return 0


def app_command(argv) -> int:
    p = Parser(prog="gradviz", description=(
        "gradviz: watch the log-derivative trick ∇θ E[f(x)] = E[f(x) ∇θ log p(x|θ)] at work. "
        "With no command, opens the desktop app."),
        epilog="commands: run (headless CSV), list (catalogue), export (figures and GIFs); "
               "`gradviz COMMAND --help` for each.")
    p.add_argument("--version", action="version", version=f"gradviz {__version__}")
    p.add_argument("--config", metavar="FILE.toml", help="open a saved session")
    p.add_argument("--lesson", metavar="NAME", help="open a lesson (see `gradviz list`): a run "
                   "with a question to think about first and an explanation after")
    p.add_argument("--projector", action="store_true",
                   help="start in projector mode (F5 switches): a lecture-hall layout, large text")
    args = p.parse_args(argv)
    if args.config is not None and args.lesson is not None:
        fail("--config and --lesson: give one of them")
    config = lesson = None
    try:
        if args.config is not None:
            from .engine import session
            config = session.load(args.config)
        if args.lesson is not None:
            from .engine import presets
            lesson = presets.lesson(args.lesson)
    except ConfigError as err:
        fail(str(err))
    from .app.launch import launch

    return launch(config, lesson, projector=args.projector)


COMMANDS = {"run": run_command, "list": list_command}


def main(argv=None) -> int:
    """Dispatch to a command.  Standard output that is closed, full or a pipe whose reader
    has gone (`gradviz run | head -1`) ends the command with one line and status 2; every
    other OSError is turned into a message where it happens."""
    from .engine.allocator import tune_allocator

    tune_allocator()   # before any thread starts: steps reuse their memory (allocator.py)
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if argv and argv[0] == "export":
            from .export_cli import export_command
            return export_command(argv[1:])
        if argv and argv[0] in COMMANDS:
            if sys.stdout is None:
                fail("standard output is closed (give --out FILE, or redirect it)")
            status = COMMANDS[argv[0]](argv[1:])
            sys.stdout.flush()
            return status
        return app_command(argv)
    except OSError as err:   # what escaped is a write to standard output
        _silence_stdout()
        fail(f"cannot write to standard output: {err.strerror or err}")


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so that Python's own flush at exit does not
    fail a second time with a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
