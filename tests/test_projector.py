"""Projector mode (F5) and the UI scale (Ctrl + / Ctrl −): the lecture-hall layout, text of
at least 18 px, lines of at least 2 px, and everything back as it was afterwards."""

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication, QGraphicsPathItem

from gradviz.app.views.legend import Legend


def shown_docks(window):
    return {name for name, dock in window.docks.items() if dock.isVisible()}


def path_widths(view):
    """Pixel widths of the visible, stroked path items in a plot (0 is a 1 px hairline)."""
    return [item.pen().widthF() for item in view.scene().items()
            if isinstance(item, QGraphicsPathItem) and item.isVisible()
            and item.pen().style() != Qt.NoPen]


def test_projector_mode_shows_the_lecture_layout_large_and_comes_back(qtbot, make_window):
    window = make_window()
    window.resize(1920, 1080)
    before = shown_docks(window)
    font_before = QFontInfo(QApplication.font()).pixelSize()
    landscape = window.views["landscape"]
    window.projector.toggle()
    assert window.projector.on
    assert shown_docks(window) == {"derivation", "objective"}
    assert window.central.currentWidget() is landscape and landscape.isVisible()
    assert QFontInfo(QApplication.font()).pixelSize() >= 18
    ticks = landscape.getPlotItem().getAxis("bottom").style["tickFont"]
    assert QFontInfo(ticks).pixelSize() >= 18
    assert min(path_widths(landscape)) >= 2
    legends = [item for item in landscape.scene().items() if isinstance(item, Legend)]
    assert legends and all(QFontInfo(legend.font).pixelSize() >= 18 for legend in legends)
    window.step_once()
    qtbot.waitUntil(lambda: window.model.latest is not None and not window.model.latest.preview)
    window.frames.draw_now()
    title = landscape.getPlotItem().titleLabel
    assert title.text and float(title.opts["size"].removesuffix("pt")) >= 13.5     # 18 px
    window.projector.toggle()
    assert not window.projector.on
    qtbot.waitUntil(lambda: shown_docks(window) == before)
    assert QFontInfo(QApplication.font()).pixelSize() == font_before
    assert 0 in path_widths(landscape)       # hairlines are hairlines again


def test_ctrl_plus_and_minus_scale_every_text_and_ctrl_0_resets(qtbot, make_window):
    window = make_window()
    base = QFontInfo(QApplication.font()).pixelSize()
    axis = window.views["objective"].getPlotItem().getAxis("left")
    window.projector.zoom(1)
    window.projector.zoom(1)
    larger = QFontInfo(QApplication.font()).pixelSize()
    assert larger > base and QFontInfo(axis.style["tickFont"]).pixelSize() == larger
    inner = window.views["histogram"].plot.getPlotItem().getAxis("bottom")  # a plot inside a view
    assert QFontInfo(inner.style["tickFont"]).pixelSize() == larger
    window.projector.zoom(-1)
    assert base <= QFontInfo(QApplication.font()).pixelSize() < larger
    window.projector.zoom(0)
    assert QFontInfo(QApplication.font()).pixelSize() == base
    for action in window.actions():
        if action.text() == "Larger text":
            assert [s.toString() for s in action.shortcuts()] == ["Ctrl++", "Ctrl+="]


def test_projector_mode_holds_for_the_gridworld_too(qtbot, make_window):
    window = make_window(problem="gridworld")
    window.projector.toggle()
    assert shown_docks(window) == {"derivation", "objective"}
    assert window.central.currentWidget() is window.views["grid"]
    grid_labels = [item for item in window.views["grid"].scene().items() if isinstance(item, pg.TextItem)]
    assert all(QFontInfo(label.textItem.font()).pixelSize() >= 18 for label in grid_labels)
    window.projector.toggle()


def test_a_few_episodes_are_drawn_wide_in_projector_mode_a_crowd_stays_fine(qtbot, make_window):
    window = make_window(problem="gridworld", batch=32)
    window.projector.toggle()
    view = window.views["grid"]
    window.step_once()
    qtbot.waitUntil(lambda: window.model.latest is not None and not window.model.latest.preview)
    window.frames.draw_now()
    assert min(item.pen().widthF() for item in view.paths) >= 2
    window.projector.toggle()
    window.frames.draw_now()
    assert max(item.pen().widthF() for item in view.paths) == 0          # 1 px hairlines
