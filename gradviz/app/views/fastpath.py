"""QPainterPaths from numpy arrays, written straight into the path's element list.

A frame of the landscape builds about 17 paths of up to a few thousand points (discs,
arrows, θ's path).  pyqtgraph's ``arrayToQPath`` serialises the points into a QDataStream
that Qt then parses (79 µs for 1,125 points); its experimental mode writes into the path
as we do but converts a ctypes type to a numpy dtype on every call (31 µs).  Writing with
a fixed dtype takes 6 µs (7 µs a path all told, from 11 µs, since the field offsets are
looked up once and no ctypes array type is built per call).  The element layout is Qt's
``QPainterPath::Element`` and the path's private data as pyqtgraph describes it
(``pyqtgraph.Qt.internals``); a self-test on first use compares against ``arrayToQPath``
and falls back to it if they ever differ.
"""

from __future__ import annotations

import ctypes

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import compat, internals
from PySide6.QtGui import QPainterPath

# QPainterPath::Element: qreal x, y; ElementType type (an int, padded to 8 bytes), where
# MoveToElement = 0 and LineToElement = 1
ELEMENT = np.dtype([("x", "<f8"), ("y", "<f8"), ("type", "<i4"), ("pad", "<i4")])
# where QPainterPathPrivate keeps its element pointer and count (pyqtgraph's description)
_DATA = getattr(internals.QPainterPathPrivate, "data", None)
_SIZE = getattr(internals.QPainterPathPrivate, "size", None)
_memory = ctypes.pythonapi.PyMemoryView_FromMemory
_memory.restype = ctypes.py_object
_memory.argtypes = (ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_int)
_WRITABLE = 0x200   # PyBUF_WRITE

_direct: bool | None = None   # None until the self-test has run


def _write(x: np.ndarray, y: np.ndarray, move: np.ndarray) -> QPainterPath:
    n = len(x)
    path = QPainterPath()
    path.reserve(n)
    private = ctypes.c_void_p.from_address(compat.unwrapinstance(path)).value
    ctypes.c_ssize_t.from_address(private + _SIZE.offset).value = n
    data = ctypes.c_void_p.from_address(private + _DATA.offset).value
    elements = np.frombuffer(_memory(data, n * ELEMENT.itemsize, _WRITABLE), dtype=ELEMENT)
    elements["x"], elements["y"] = x, y
    elements["type"] = ~move      # a new subpath (True) → MoveToElement, else LineToElement
    return path


def _self_test() -> bool:
    x, y = np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5, 2.0])
    move = np.array([True, False, True, False])
    try:
        fast = _write(x, y, move)
    except Exception:   # a pyqtgraph or Qt without these internals
        return False
    reference = pg.arrayToQPath(x, y, connect=np.array([1, 0, 1, 0], dtype=np.int32))
    return fast == reference and fast.controlPointRect() == reference.controlPointRect()


def _use_direct() -> bool:
    global _direct
    if _direct is None:
        _direct = _self_test()
    return _direct


def points_path(x: np.ndarray, y: np.ndarray, move: np.ndarray) -> QPainterPath:
    """A path through the points (x[i], y[i]), all finite: a line from each point to the
    next, except where ``move[i]`` starts a new subpath at point i (move[0] always does)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) == 0:
        return QPainterPath()
    move = np.asarray(move, dtype=bool).copy()
    move[0] = True
    if _use_direct():
        return _write(x, y, move)
    connect = np.ones(len(x), dtype=np.int32)
    connect[:-1] = ~move[1:]   # arrayToQPath: connect[i] joins point i to point i + 1
    return pg.arrayToQPath(x, y, connect=connect, finiteCheck=False)
