"""`gradviz run`, `list` and `--version` from the command line, as a user types them."""

import csv
import io
import subprocess
import sys

import numpy as np
import pytest

from gradviz.engine import session
from gradviz.engine.config import from_mapping
from gradviz.engine.run import Run


def gradviz(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gradviz", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def read_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_run_writes_the_documented_columns():
    result = gradviz("run", "--steps", "4", "--batch", "8")
    assert result.returncode == 0, result.stderr
    rows = read_csv(result.stdout)
    assert list(rows[0]) == ["step", "theta_1", "theta_2", "J", "grad_1", "grad_2", "est_1", "est_2",
                             "var_1", "var_2", "baseline", "reward_mean", "p_best", "lr", "batch"]
    assert [r["step"] for r in rows] == ["0", "1", "2", "3"]
    assert rows[0]["p_best"] == "" and rows[0]["batch"] == "8"


def test_csv_equals_the_python_run_bit_for_bit(tmp_path):
    out = tmp_path / "run.csv"
    result = gradviz("run", "--steps", "20", "--problem", "softmax", "--baseline", "loo",
                     "--seed", "7", "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = read_csv(out.read_text())
    run = Run(from_mapping({"problem": "softmax", "baseline": "loo", "seed": 7, "steps": 20}))
    for row, record in zip(rows, run.steps(20), strict=True):
        assert [float(row[f"theta_{k + 1}"]) for k in range(3)] == record.theta[0].tolist()
        assert float(row["J"]) == record.J[0] and float(row["p_best"]) == record.p_best[0]


def test_generator_flag_replays_a_format_1_session(tmp_path):
    """--generator pcg64 draws the stream a format-1 session was recorded with."""
    path = tmp_path / "old.toml"
    path.write_text("format = 1\nseed = 4\nsteps = 3\n")
    from_file = gradviz("run", "--config", str(path))
    by_flag = gradviz("run", "--seed", "4", "--steps", "3", "--generator", "pcg64")
    default = gradviz("run", "--seed", "4", "--steps", "3")
    assert from_file.returncode == by_flag.returncode == 0, from_file.stderr + by_flag.stderr
    assert from_file.stdout == by_flag.stdout != default.stdout


def test_runs_write_means_and_spreads_and_per_run_rows():
    rows = read_csv(gradviz("run", "--problem", "bandit", "--runs", "5", "--steps", "3").stdout)
    assert {"J_sd", "p_best_sd"} <= set(rows[0]) and len(rows) == 3
    assert float(rows[2]["J_sd"]) > 0
    per_run = read_csv(gradviz("run", "--problem", "bandit", "--runs", "5", "--steps", "3",
                               "--per-run").stdout)
    assert len(per_run) == 15 and [r["run"] for r in per_run[:5]] == ["0", "1", "2", "3", "4"]
    mean_J = np.mean([float(r["J"]) for r in per_run[:5]])
    assert mean_J == pytest.approx(float(rows[0]["J"]), rel=1e-12)


@pytest.mark.parametrize("args,message", [
    (["--batch", "0"], "batch"),
    (["--lr", "0"], "lr"),
    (["--lr", "-1"], "lr"),
    (["--lr", "abc"], "lr"),
    (["--lr", "nan"], "lr"),
    (["--problem", "nope"], "problem"),
    (["--baseline", "median"], "baseline"),
    (["--estimator", "magic"], "estimator"),
    (["--optimizer", "lbfgs"], "optimizer"),
    (["--theta0", "1,2,3"], "theta0"),
    (["--theta0", "a,b"], "theta0"),
    (["--reward", "__import__('os').system('echo hacked')"], "formula"),
    (["--reward", "x.__class__"], "formula"),
    (["--reward", "exp(x"], "formula"),
    (["--reward", "hils"], "reward"),
    (["--problem", "softmax", "--estimator", "pathwise"], "pathwise"),
    (["--runs", "0"], "runs"),
    (["--sigma", "0"], "sigma"),
    (["--config", "/nonexistent/session.toml"], "cannot read"),
    (["--bogus"], "unrecognized"),
])
def test_bad_input_gets_one_line_and_exit_status_2(args, message):
    result = gradviz("run", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr and "hacked" not in result.stdout


def test_a_run_that_diverges_writes_its_rows_and_says_why(tmp_path):
    out = tmp_path / "d.csv"
    result = gradviz("run", "--reward", "linear", "--lr", "30", "--theta-bound", "100",
                     "--steps", "50", "--out", str(out))
    assert result.returncode == 1 and "diverged" in result.stderr
    assert result.stderr.count("\n") == 1
    assert len(read_csv(out.read_text())) >= 1


def test_config_file_drives_the_run_and_options_override_it(tmp_path):
    path = tmp_path / "s.toml"
    session.save(path, from_mapping({"problem": "softmax", "lr": 0.25, "steps": 3}))
    rows = read_csv(gradviz("run", "--config", str(path), "--batch", "5").stdout)
    assert len(rows) == 3 and rows[0]["lr"] == "0.25" and rows[0]["batch"] == "5"


def test_unwritable_output_gets_a_message_and_no_partial_file(tmp_path):
    result = gradviz("run", "--out", str(tmp_path / "missing" / "x.csv"))
    assert result.returncode == 2 and "cannot write" in result.stderr


def test_list_and_version_and_help():
    listing = gradviz("list").stdout
    for name in ("hills", "ridge", "plateau", "positive", "optimal", "pathwise", "bandit"):
        assert name in listing
    assert gradviz("--version").stdout.startswith("gradviz ")
    help_text = gradviz("run", "--help").stdout
    for flag in ("--problem", "--reward", "--rewards", "--arms", "--offset", "--sigma",
                 "--learn-sigma", "--estimator", "--baseline", "--ema-rate", "--optimizer", "--lr",
                 "--batch", "--steps", "--runs", "--per-run", "--theta0", "--seed", "--config",
                 "--out"):
        assert flag in help_text


def test_run_does_not_import_qt(tmp_path):
    code = ("import sys; from gradviz.cli import main; main(['run', '--steps', '2', '--out', "
            f"r'{tmp_path / 'q.csv'}']); "
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))], 'Qt imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_engine_package_imports_no_qt():
    """The numeric engine is Qt-free: importing every engine module (found, not listed)
    pulls in no Qt."""
    code = ("import pkgutil, sys, importlib, gradviz.engine as e\n"
            "names = [m.name for m in pkgutil.iter_modules(e.__path__)]\n"
            "assert len(names) >= 18, names\n"
            "for name in names: importlib.import_module('gradviz.engine.' + name)\n"
            "import gradviz.cli\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'superqt'))]\n"
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
