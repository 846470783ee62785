"""Session files: a run's config (and the app's view settings) as TOML.

    format = 2                  # 1: recorded before SFC64; replays with PCG64 (streams.py)
    problem = "gaussian"        # every RunConfig key; missing keys take their defaults
    reward = "hills"
    lr = 0.5
    steps = 120                 # steps run when saved: running again replays them
    [[schedule]]                # changes made mid-run, at the step they took effect
    step = 40
    lr = 0.1
    [app]                       # optional: the app's view settings (the engine ignores them)

Reading is strict: unknown keys, wrong types and unsafe formulas are refused with a
message that names the key, and nothing is changed until the whole file is valid.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import tomli_w

from .config import RunConfig, from_mapping, to_mapping
from .errors import ConfigError
from .files import atomic_write

FORMAT = 2
GENERATOR_OF_FORMAT = {1: "pcg64", 2: "sfc64"}   # the stream a format was recorded with
MAX_BYTES = 1_000_000


def loads(text: str, source: str = "session") -> tuple[RunConfig, dict]:
    """Parse session text; returns the config and the [app] table (may be empty)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: not a valid TOML file ({err})") from None
    except RecursionError:
        raise ConfigError(f"{source}: nested too deeply") from None
    fmt = data.pop("format", FORMAT)
    if isinstance(fmt, bool) or fmt not in GENERATOR_OF_FORMAT:
        raise ConfigError(f"{source}: format {fmt!r} is not supported (this gradviz reads "
                          f"{' and '.join(map(str, GENERATOR_OF_FORMAT))})")
    data.setdefault("generator", GENERATOR_OF_FORMAT[fmt])
    app = data.pop("app", {})
    if not isinstance(app, dict):
        raise ConfigError(f"{source}: [app] must be a table")
    try:
        return from_mapping(data), app
    except ConfigError as err:
        raise ConfigError(f"{source}: {err}") from None


def load(path) -> tuple[RunConfig, dict]:
    """Read a session file: a regular file (or a link to one) of at most 1 MB of UTF-8
    TOML.  A FIFO, device or folder is refused without reading it (a FIFO would block,
    /dev/zero would never end)."""
    if str(path) == "":
        raise ConfigError("session: empty file name")
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror or err}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ConfigError(f"{path}: not a regular file; a session is a .toml file")
    with os.fdopen(fd, "rb") as handle:
        try:
            raw = handle.read(MAX_BYTES + 1)
        except OSError as err:
            raise ConfigError(f"cannot read {path}: {err.strerror or err}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_BYTES // 1000} kB; not a session file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file (not UTF-8)") from None
    return loads(text, str(path))


def dumps(config: RunConfig, app: dict | None = None) -> str:
    data = {"format": FORMAT, **to_mapping(config)}
    if not data.get("schedule"):
        data.pop("schedule", None)
    if app:
        data["app"] = app
    return "# gradviz session\n" + tomli_w.dumps(data)


def save(path, config: RunConfig, app: dict | None = None) -> None:
    """Write atomically: the old file stays whole if anything fails."""
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(dumps(config, app))
