"""Writing files so that a failure never leaves a half-written one behind, and nothing that
was not ours is replaced.

- A regular file (or a new one) is written to a temporary file beside it and renamed over
  it once complete and flushed to disk; an existing file keeps its mode.
- A symbolic link is written through: the file it points at is replaced, the link stays.
- A FIFO or a device (``--out /dev/stdout``, ``/dev/null``) is written into directly: it
  cannot be replaced atomically, and replacing it would destroy it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


class WriteError(OSError):
    """A file could not be written; the message names the path and the reason."""


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _error(path, err: OSError) -> WriteError:
    return WriteError(f"cannot write {path}: {err.strerror or err}")


@contextlib.contextmanager
def atomic_write(path, mode: str = "w", **kwargs):
    """Yield a file handle for ``path`` (see the module's rules); on any error ``path`` is
    left as it was (a FIFO or device may have received part) and a WriteError names it."""
    path = Path(path)
    if str(path) == "":
        raise WriteError("cannot write '': empty file name")
    target = Path(os.path.realpath(path))        # through every symbolic link
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise _error(path, err) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise WriteError(f"cannot write {path}: it is a folder")
    if info is not None and not stat.S_ISREG(info.st_mode):
        try:
            with open(target, mode, **kwargs) as handle:
                yield handle
        except OSError as err:
            raise _error(path, err) from None
        return
    file_mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~current_umask()
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as err:
        raise _error(path, err) from None
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, file_mode)          # mkstemp makes 0600
        os.replace(tmp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError) and not isinstance(err, WriteError):
            raise _error(path, err) from None
        raise


def write_bytes(path, data: bytes) -> None:
    """``data`` to ``path`` by :func:`atomic_write`'s rules."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)
