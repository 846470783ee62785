"""The gridworld itself: walls, pits and the goal; π(a|s) in every cell as four arrows sized by
probability; the batch's episodes as paths coloured by their return; and how often the batch
visited each cell, shaded.  Hovering a cell reads out its π and visits (sampled and exact)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainterPath

from .. import style
from .base import View
from .native import (NativePlotWidget, outlines_path, path_item, picture_plot, points_path, qpen,
                     segments_path, set_title)

ARROW = 0.42          # an arrow of π = 1 reaches this far from the cell's centre (cells are 1 wide)
SHADES = 8           # visits are shaded in this many steps, from white to sky blue
CROWD = 200          # more episodes than this keep 1 px lines in projector mode (cheap to draw)
JITTER = 0.22         # episodes are spread over this much of a cell so that a bundle shows
DIRECTIONS = np.array([[0.0, -1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])   # (x, y) with y down
RETURN_COLOURS = ((lambda f: f > 0, style.REWARD, "f(τ) &gt; 0"),     # titles are rich text
                  (lambda f: f < 0, style.EXACT, "f(τ) &lt; 0"),
                  (lambda f: f == 0, "#777777", "f(τ) = 0"))


SQUARE = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]])


def cells_path(cells) -> QPainterPath:
    """Unit squares centred on (col, row) of each cell (k, 2), as closed outlines."""
    centres = np.asarray(cells, dtype=float).reshape(-1, 2)[:, ::-1]
    corners = centres[:, None, :] + SQUARE[None]                          # (k, 5, 2)
    return outlines_path(corners[..., 0], corners[..., 1])


def triangles_path(triangles: np.ndarray) -> QPainterPath:
    """Closed triangles (k, 3, 2), as outlines to fill."""
    closed = np.concatenate([triangles, triangles[:, :1]], axis=1)      # (k, 4, 2)
    return outlines_path(closed[..., 0], closed[..., 1])


def arrows(centres: np.ndarray, pi: np.ndarray):
    """Shafts (x, y as segment pairs) and heads (triangles) of four arrows per cell, each
    ARROW·π(a|s) long: centres (S, 2) as (col, row), π (S, 4)."""
    length = ARROW * pi[:, :, None]                                    # (S, 4, 1)
    tips = centres[:, None, :] + length * DIRECTIONS[None]             # (S, 4, 2)
    starts = np.broadcast_to(centres[:, None, :], tips.shape)
    shafts = np.stack([starts, tips], axis=2).reshape(-1, 2)
    size = np.minimum(0.12, 0.5 * length)
    side = DIRECTIONS[:, ::-1] * np.array([1.0, -1.0])                  # perpendicular
    back = tips - size * DIRECTIONS[None]
    heads = np.stack([tips, back + 0.6 * size * side[None], back - 0.6 * size * side[None]], axis=2)
    return shafts[:, 0], shafts[:, 1], heads.reshape(-1, 3, 2)


def episode_points(report, jitter_seed: int = 0):
    """Every drawn episode's path through cell centres, jittered per episode: x, y, move (a
    new subpath starts) and the episode each point belongs to."""
    states, alive, last = report.states, report.alive, report.last
    T, n = states.shape
    length = alive.sum(axis=0)                                          # actions taken
    nodes = np.concatenate([states.T, np.zeros((n, 1), dtype=states.dtype)], axis=1)
    nodes[np.arange(n), length] = last
    keep = np.arange(T + 1)[None, :] <= length[:, None]
    offset = np.random.default_rng(jitter_seed).uniform(-JITTER, JITTER, (n, 2))
    where = report.grid.nodes[nodes]                                    # (n, T + 1, 2) row, col
    x = (where[..., 1] + offset[:, None, 0])[keep]
    y = (where[..., 0] + offset[:, None, 1])[keep]
    episode = np.broadcast_to(np.arange(n)[:, None], keep.shape)[keep]
    move = np.ones(len(x), dtype=bool)
    move[1:] = episode[1:] != episode[:-1]
    return x, y, move, episode


class GridView(View, NativePlotWidget):
    """The map with the policy, the batch's episodes and its visits."""

    every_frame = True      # the window's central view for this problem

    def __init__(self, parent=None):
        super().__init__(parent)
        p = self.getPlotItem()
        picture_plot(p)
        p.invertY(True)
        p.setMouseEnabled(False, False)
        shades = pg.ColorMap([0.0, 1.0], ["#FFFFFF", "#A6D8F5"])    # light: paths show on it
        self.heat = []          # one path item per shade, the cells visited that often
        for level in range(1, SHADES + 1):
            item = path_item(p, qpen("#FFFFFF", 1, alpha=0), z=-2)
            item.setBrush(pg.mkBrush(shades.map(level / SHADES, mode="qcolor")))
            self.heat.append(item)
        self.walls = path_item(p, qpen("#555555", 1), z=-1)
        self.walls.setBrush(style.brush("#555555"))
        self.goals = path_item(p, qpen(style.OUTLINE, 1), z=-1)
        self.goals.setBrush(style.brush(style.REWARD, 200))
        self.pits = path_item(p, qpen(style.OUTLINE, 1), z=-1)
        self.pits.setBrush(style.brush(style.OUTLINE, 220))
        self.lines = path_item(p, qpen("#BBBBBB", 1), z=-1.5)
        self.paths = [path_item(p, qpen(colour, 1, alpha=70, crowd=True), z=1)
                      for _, colour, _ in RETURN_COLOURS]
        self.shafts = path_item(p, qpen(style.OUTLINE, 2.5), z=3)
        self.heads = path_item(p, qpen(style.OUTLINE, 1), z=3)
        self.heads.setBrush(style.brush(style.OUTLINE))
        self.labels: list[pg.TextItem] = []
        self.report = None
        self._map = None
        self._batch = 1
        p.scene().sigMouseMoved.connect(self._hover)
        p.vb.sigResized.connect(self._fit)

    def on_run(self, model) -> None:
        self.report = None
        for item in (*self.paths, self.shafts, self.heads):
            item.setPath(QPainterPath())
        self.draw(model)

    def draw(self, model) -> None:
        record = model.latest
        report = getattr(record, "extra", None) if record is not None else None
        if report is None or not hasattr(report, "grid"):
            return
        self.report, self._batch = report, record.batch
        if self._map != report.grid.rows:
            self._draw_map(report.grid)
        centres = report.grid.cells[:, ::-1].astype(float)
        sx, sy, heads = arrows(centres, report.policy)
        self.shafts.setPath(segments_path(sx, sy))
        self.heads.setPath(triangles_path(heads))
        x, y, move, episode = episode_points(report)
        summary = []
        shown = len(report.returns)
        alpha = int(np.clip(12000 / max(shown, 1), 30, 200))    # a bundle darkens, one path shows
        for item, (test, colour, name) in zip(self.paths, RETURN_COLOURS):
            chosen = test(report.returns)
            keep = chosen[episode]
            item.setPen(qpen(colour, 1, alpha=alpha, crowd=shown > CROWD))
            item.setPath(points_path(x[keep], y[keep], move[keep]) if keep.any() else QPainterPath())
            summary.append(style.coloured(f"{int(chosen.sum()):,} with {name}", colour))
        visits = report.visits / max(record.batch, 1)
        most = max(float(visits.max()), 1e-12)
        level = np.ceil(SHADES * visits / most).astype(int)          # 0: never visited
        for k, item in enumerate(self.heat, start=1):
            item.setPath(cells_path(report.grid.cells[level == k]))
        drawn = f"{shown:,} of {record.batch:,}" if shown < record.batch else f"{shown:,}"
        # two short lines: a title's width is the plot's minimum width
        set_title(self.getPlotItem(), f"{drawn} episodes: {', '.join(summary)}<br>arrows: π(a|s) "
                                      f"· shade: visits per episode (darkest {most:.2g})")

    def _draw_map(self, grid) -> None:
        self._map = grid.rows
        text = [(i, j, c) for i, row in enumerate(grid.rows) for j, c in enumerate(row)]
        self.walls.setPath(cells_path([(i, j) for i, j, c in text if c == "#"]))
        self.goals.setPath(cells_path([(i, j) for i, j, c in text if c == "G"]))
        self.pits.setPath(cells_path([(i, j) for i, j, c in text if c == "X"]))
        rows, cols = grid.shape
        lines = [(x - 0.5, -0.5, x - 0.5, rows - 0.5) for x in range(cols + 1)]
        lines += [(-0.5, y - 0.5, cols - 0.5, y - 0.5) for y in range(rows + 1)]
        xy = np.array(lines).reshape(-1, 2)
        self.lines.setPath(segments_path(xy[:, 0], xy[:, 1]))
        plot = self.getPlotItem()
        for label in self.labels:
            plot.removeItem(label)
        self.labels = []
        names = {"S": ("S", style.OUTLINE), "G": ("G +1", "#FFFFFF"), "X": ("X −1", "#FFFFFF")}
        for i, j, c in text:
            if c in names:
                label = pg.TextItem(names[c][0], color=names[c][1], anchor=(0.5, 0.5))
                label.setPos(j, i + (0.32 if c == "S" else 0.0))
                plot.addItem(label)
                label.setZValue(2)          # above the episodes' paths, below π's arrows
                self.labels.append(label)
        self._fit()

    def _fit(self) -> None:
        """The whole map in view (again after a resize: the locked aspect keeps one axis)."""
        if self._map is not None:
            rows, cols = len(self._map), len(self._map[0])
            self.getPlotItem().setRange(xRange=(-0.6, cols - 0.4), yRange=(-0.6, rows - 0.4),
                                        padding=0)

    def _hover(self, position) -> None:
        report = self.report
        if report is None:
            return
        point = self.getPlotItem().vb.mapSceneToView(position)
        row, col = int(round(point.y())), int(round(point.x()))
        match = np.flatnonzero((report.grid.cells[:, 0] == row) & (report.grid.cells[:, 1] == col))
        if not len(match):
            return
        k = int(match[0])
        pi = ", ".join(f"{name} {p:.2f}" for name, p in zip(("↑", "→", "↓", "←"), report.policy[k]))
        visits = report.visits[k] / max(self._batch, 1)
        set_title(self.getPlotItem(), f"row {row + 1}, col {col + 1}:  π = {pi}<br>visits per "
                                      f"episode {visits:.2f} (exact {report.expected_visits[k]:.2f})")
