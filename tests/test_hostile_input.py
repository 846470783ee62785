"""Hostile input is normal input: wrong types, special files, closed and full streams.
Each gets one line on standard error and exit status 2, loses nothing and replaces nothing
that was not ours."""

import os
import stat
import subprocess
import sys
import weakref

import pytest

from gradviz.engine import table
from gradviz.engine.config import from_mapping
from gradviz.engine.run import Run

COMMAND = [sys.executable, "-m", "gradviz"]


def gradviz(*args, **kwargs):
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=120, **kwargs)


def refused(result, message):
    """Exit 2, one line on stderr naming the problem, nothing on stdout."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("text,message", [
    ('problem = ["x"]\n', "problem: must be a name"),
    ('optimizer = {a = 1}\n', "optimizer: must be a name"),
    ('steps = 3\n[[schedule]]\nstep = 1\nbaseline = ["x"]\n', "schedule[0]: baseline: must be a name"),
    ('steps = 5\n[[schedule]]\nstep = 2\ntheta = [1e9, 0]\n', "schedule[0].theta: beyond"),
    ('steps = 5\n[[schedule]]\nstep = 2\nbatch = 1000000\n[[schedule]]\nstep = 3\nruns = 100\n',
     "schedule[1]: runs × batch × parameters"),
    ('steps = 5\n[[schedule]]\nstep = 2\nreward = "x == y"\n', "'reward' cannot change"),
])
def test_bad_session_files_are_refused_before_any_step(tmp_path, text, message):
    path = tmp_path / "s.toml"
    path.write_text(text)
    refused(gradviz("run", "--config", str(path)), message)


def test_a_schedule_that_changes_the_runs_keeps_the_csv_one_width(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('steps = 4\n[[schedule]]\nstep = 2\nruns = 3\n')
    result = gradviz("run", "--config", str(path))
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and len(lines) == 5
    assert {line.count(",") for line in lines} == {lines[0].count(",")}
    assert "J_sd" in lines[0]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "empty"])
def test_config_that_is_not_a_regular_file_is_refused_without_reading_it(tmp_path, kind):
    """/dev/zero would never end and a FIFO would block."""
    path = {"device": "/dev/zero", "folder": str(tmp_path), "empty": ""}.get(kind)
    if kind == "fifo":
        path = str(tmp_path / "fifo")
        os.mkfifo(path)
    refused(gradviz("run", "--config", path), "empty file name" if kind == "empty" else "not a regular file")


def test_a_symlink_to_a_session_is_read_through(tmp_path):
    (tmp_path / "real.toml").write_text("steps = 2\n")
    (tmp_path / "link.toml").symlink_to(tmp_path / "real.toml")
    assert len(gradviz("run", "--config", str(tmp_path / "link.toml")).stdout.splitlines()) == 3


@pytest.mark.parametrize("command", [["run", "--steps", "3"], ["list"]])
def test_a_full_standard_output_is_one_line_and_status_2(command):
    with open("/dev/full", "w") as full:
        result = subprocess.run([*COMMAND, *command], stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=120)
    assert result.returncode == 2 and result.stderr == (
        "gradviz: cannot write to standard output: No space left on device\n")


@pytest.mark.parametrize("command", [["run", "--steps", "3"], ["list"]])
def test_a_closed_standard_output_is_one_line_and_status_2(command):
    result = subprocess.run([*COMMAND, *command], stderr=subprocess.PIPE, text=True, timeout=120,
                            preexec_fn=lambda: os.close(1))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "standard output is closed" in result.stderr


def test_a_reader_that_goes_away_is_one_line_and_status_2():
    """`gradviz run | head -1`: the pipe breaks after the first line."""
    process = subprocess.Popen([*COMMAND, "run", "--steps", "100000", "--batch", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.readline()
    process.stdout.close()
    error = process.stderr.read()
    assert process.wait(timeout=120) == 2
    assert error == "gradviz: cannot write to standard output: Broken pipe\n"


def test_out_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    target, link = tmp_path / "target.csv", tmp_path / "link.csv"
    target.write_text("old")
    link.symlink_to(target)
    assert gradviz("run", "--steps", "2", "--out", str(link)).returncode == 0
    assert link.is_symlink() and len(target.read_text().splitlines()) == 3


def test_out_keeps_an_existing_files_mode(tmp_path):
    out = tmp_path / "private.csv"
    out.write_text("old")
    out.chmod(0o600)
    assert gradviz("run", "--steps", "2", "--out", str(out)).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text().startswith("step")


def test_out_into_a_fifo_writes_through_it_and_leaves_the_fifo(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    process = subprocess.Popen([*COMMAND, "run", "--steps", "3", "--out", str(fifo)],
                               stderr=subprocess.PIPE, text=True)
    with open(fifo) as reader:
        lines = reader.read().splitlines()
    assert process.wait(timeout=120) == 0 and len(lines) == 4
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_out_onto_a_device_writes_into_it_and_leaves_the_device(tmp_path):
    link = tmp_path / "null.csv"
    link.symlink_to("/dev/null")
    assert gradviz("run", "--steps", "2", "--out", str(link)).returncode == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and link.is_symlink()
    refused(gradviz("run", "--steps", "2", "--out", "/dev/full"), "No space left on device")


@pytest.mark.parametrize("plot,suffix", [("window", ".svg"), ("landscape", ".png")])
def test_an_export_onto_a_full_disk_says_so_in_one_line(tmp_path, plot, suffix):
    link = tmp_path / f"figure{suffix}"
    link.symlink_to("/dev/full")
    result = gradviz("export", "--steps", "2", "--plot", plot, "--out", str(link))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "No space left on device" in result.stderr


def test_a_successful_export_prints_nothing(tmp_path):
    result = gradviz("export", "--steps", "2", "--out", str(tmp_path / "f.png"))
    assert result.returncode == 0 and result.stderr == ""


def test_writing_the_table_keeps_no_step_records_alive():
    """Only each step's table numbers are kept until its chunk is written: no record (with
    its per-sample arrays) outlives its step."""
    alive = []

    def records():
        for record in Run(from_mapping({"batch": 1000, "steps": 0})).steps(table.CHUNK + 10):
            alive.append(weakref.ref(record))
            yield record
            assert sum(ref() is not None for ref in alive) <= 2

    import io
    assert table.write(records(), io.StringIO(), 2, 1) == table.CHUNK + 10
