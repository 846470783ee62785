"""The drawing layer: plain Qt items painted without Python, ranges that move seldom,
hovering, and the gate that pauses the engine while the GUI sets plot data."""

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QGraphicsView

from gradviz.app.arrows import (HEAD_ANGLE, HEAD_FRACTION, arrow_segments, clamp_length,
                                ellipse_factor)
from gradviz.app.nice import FINE, nice_above, nice_below
from gradviz.app.views.histogram import bulk_range, count_top
from gradviz.app.views.live_range import LiveRange, value_range
from gradviz.app.views.landscape import _ellipse_transform
from gradviz.engine.history import COLUMN
from gradviz.app.views.native import (band_path, discs_path, histogram_path, polyline_path, qpen,
                                      segments_path, similarity, simplify)
from gradviz.app.worker import DrawGate


def test_paths_hold_what_they_are_given():
    assert segments_path([0, 1, 2, 3], [0, 1, 0, np.nan]).elementCount() == 2   # NaN pair dropped
    assert polyline_path([0, 1, np.nan, 3], [0, 1, 2, 3]).elementCount() == 3
    assert polyline_path([1.0], [1.0]).isEmpty()
    discs = discs_path([0, 10], [0, 0], (1.0, 2.0), sides=8)
    assert discs.elementCount() == 2 * 9
    box = discs.boundingRect()
    assert box.left() == pytest.approx(-1) and box.right() == pytest.approx(11)
    assert box.top() == pytest.approx(-2) and box.bottom() == pytest.approx(2)
    outline = histogram_path([0, 1, 2], [3, 5])
    assert outline.boundingRect().height() == pytest.approx(5)
    assert band_path([0, 1, 2], [0, 0, 0], [1, 2, 1]).boundingRect().height() == pytest.approx(2)


def test_simplify_keeps_one_point_per_cell_and_both_ends():
    x = np.concatenate([np.linspace(0, 0.5, 50), [3.0, 3.2, 7.0]])
    y = np.zeros_like(x)
    sx, sy = simplify(x, y, (1.0, 1.0))
    assert list(sx) == [0.0, 3.0, 7.0] and len(sy) == 3


def test_nice_numbers_and_value_range_move_in_jumps():
    assert [nice_above(v, FINE) for v in (1, 11, 16, 29, 31, 60, 71, 101)] == \
        [1, 15, 20, 30, 50, 70, 100, 150]
    first = value_range(None, 0.0, 1.0)
    assert first[0] < 0 < 1 < first[1]
    assert value_range(first, 0.2, 0.9) == first             # still inside and filling it
    assert value_range(first, 0.0, 2.0) != first             # left it
    assert value_range(first, 0.5, 0.55) != first            # fills too little of it
    lo, hi = value_range(None, -1.2, -1.2, min_span=1.0)     # one point on a log axis
    assert hi - lo == pytest.approx(1.0) and lo < -1.2 < hi


def test_histogram_bins_the_bulk_and_keeps_its_count_axis_steady():
    values = np.concatenate([np.arange(1000.0), [1e6, -1e6]])   # two far-out contributions
    lo, hi = bulk_range(values)
    inside = np.count_nonzero((values >= lo) & (values <= hi))
    assert lo >= 0 and hi <= 999 and 0.98 * len(values) <= inside < len(values)
    assert bulk_range(np.arange(10.0)) == (0.0, 9.0)             # few values: all of them
    assert bulk_range(np.full(300, 2.0)) == (1.5, 2.5)           # all equal: a unit wide
    top = count_top(None, 68)
    assert top == 100                                            # the next FINE number above 71.4
    assert count_top(top, 95) == count_top(top, 51) == top       # fits and fills half: kept
    assert count_top(top, 101) == 150 and count_top(top, 49) == 70


def test_views_leave_painting_to_qt(make_window):
    window = make_window()
    views = [window.views["landscape"], window.views["objective"], window.views["quality"], window.views["histogram"].plot,
             window.views["variance"], window.views["replicas"], window.views["simplex"], window.views["policy"]]
    for view in views:   # no Python paintEvent: Qt paints without taking the GIL
        assert type(view).paintEvent is QGraphicsView.paintEvent


def test_live_range_leaves_a_zoomed_view_to_the_user(qtbot, make_window):
    window = make_window()
    plot = window.views["objective"].getPlotItem()
    live = LiveRange(plot.getViewBox())
    live.follow(37, np.array([0.1, 0.4]))
    (x0, x1), (y0, y1) = plot.getViewBox().viewRange()
    assert x0 < 0 and x1 == pytest.approx(50 * 1.02) and y0 < 0.1 and y1 > 0.4
    plot.getViewBox().setRange(xRange=(5, 6), yRange=(0, 1), padding=0)   # a zoom: auto off
    live.follow(80, np.array([0.1, 0.9]))
    assert plot.getViewBox().viewRange()[0] == pytest.approx([5, 6])
    plot.getViewBox().enableAutoRange()                        # pyqtgraph's "A" button
    live.follow(80, np.array([0.1, 0.9]))
    assert plot.getViewBox().viewRange()[0][1] == pytest.approx(100 * 1.02)


def test_a_colour_bar_gets_its_transform_before_painting(qtbot, make_window):
    """pyqtgraph applies view transforms just before a paint; without its Python
    paintEvent an event filter must do it, or the colour bar stays blank."""
    window = make_window()
    qtbot.waitUntil(lambda: window.views["landscape"].levels is not None)
    window.views["landscape"].viewport().repaint()
    assert not window.views["landscape"].colorbar.vb._matrixNeedsUpdate


def _drawn_after_one_step(qtbot, window):
    """``window`` after one engine step, with that step drawn."""
    window.step_once()
    qtbot.waitUntil(lambda: window.model.latest is not None)
    window.frames.dirty = True
    window.frames.tick()
    return window


def test_hovering_a_sample_highlights_its_contribution(qtbot, make_window):
    window = _drawn_after_one_step(qtbot, make_window(batch=16))
    view = window.views["landscape"]
    x, y = view._samples[3]
    view._mouse_moved(view.viewbox.mapViewToScene(QPointF(x, y)))
    assert np.allclose(view._samples[view._hovered], (x, y))   # 3, or one on top of it
    assert view.hover_text.isVisible() and not view.highlight.path().isEmpty()
    view._mouse_moved(view.viewbox.mapViewToScene(QPointF(1e6, 1e6)))
    assert view._hovered is None and not view.hover_text.isVisible()


def test_a_closed_gate_holds_the_engine_between_steps():
    gate, stepped, stop = DrawGate(), threading.Event(), threading.Event()

    def engine():
        while not stop.is_set():   # as the worker steps (DrawGate's docstring)
            if gate.closed:
                gate.wait_open()
            with gate.stepping:
                stepped.set()

    thread = threading.Thread(target=engine)
    thread.start()
    try:
        assert stepped.wait(5)
        assert gate.close(timeout=1.0)
        stepped.clear()
        assert not stepped.wait(0.05)   # while the GUI draws, the engine takes no step
        gate.open()
        assert stepped.wait(5)          # and steps again once the gate opens
    finally:
        stop.set()
        thread.join(2)
    assert not thread.is_alive()


def test_a_gate_that_cannot_close_in_time_stays_open():
    gate = DrawGate()
    gate.stepping.acquire()                 # the engine is in a step longer than the wait
    assert not gate.close(timeout=0.01)
    assert not gate.closed
    gate.stepping.release()
    waiting = threading.Thread(target=gate.wait_open)
    waiting.start()
    waiting.join(2)
    assert not waiting.is_alive()           # nothing holds the engine back
    assert gate.close(timeout=0.01)         # and the gate still works
    gate.open()


@pytest.mark.parametrize("experimental", [True, False])
def test_points_path_starts_a_subpath_exactly_where_asked(experimental):
    """Both of pyqtgraph's ways from arrays to a path give the same path (the app turns on
    the faster, "experimental" one)."""
    import pyqtgraph as pg

    from gradviz.app.views.native import points_path
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=500), rng.normal(size=500)
    move = rng.random(500) < 0.2
    before = pg.getConfigOption("enableExperimental")
    pg.setConfigOption("enableExperimental", experimental)
    try:
        path = points_path(x, y, move)
    finally:
        pg.setConfigOption("enableExperimental", before)
    move[0] = True
    assert [path.elementAt(i).isMoveTo() for i in range(500)] == list(move)
    assert [(path.elementAt(i).x, path.elementAt(i).y) for i in range(500)] == list(zip(x, y))
    rect = path.controlPointRect()                          # bounds are not stale
    assert (rect.left(), rect.right()) == (x.min(), x.max())


def test_one_pixel_pens_are_hairlines_and_wider_ones_keep_their_width():
    assert qpen("#000000", 1).widthF() == 0 and qpen("#000000", 0.5).widthF() == 0
    assert qpen("#000000", 2.5).widthF() == 2.5 and qpen("#000000", 1).isCosmetic()


def test_clamp_length_shortens_long_vectors_along_their_direction():
    v = np.array([[3.0, 4.0], [30.0, -40.0], [0.0, 0.0]])
    out, lengths = clamp_length(v, 10.0)
    assert np.allclose(out[0], [3, 4]) and np.allclose(out[1], [6, -8]) and np.all(out[2] == 0)
    assert np.allclose(lengths, np.hypot(out[:, 0], out[:, 1]))


def test_arrows_have_a_shaft_and_two_barbs_at_25_degrees_of_a_fifth_of_its_length():
    rng = np.random.default_rng(4)
    origins, vectors = rng.normal(size=(50, 2)), rng.normal(size=(50, 2)) * 3
    x, y = arrow_segments(origins, vectors)
    points = np.stack([x, y], axis=1).reshape(50, 6, 2)
    tips = origins + vectors
    assert np.allclose(points[:, 0], origins) and np.allclose(points[:, [1, 2, 4]], tips[:, None])
    for barb in (points[:, 3] - tips, points[:, 5] - tips):
        length = np.hypot(*barb.T)
        assert np.allclose(length, HEAD_FRACTION * np.hypot(*vectors.T))
        cos = np.sum(barb * -vectors, axis=1) / (length * np.hypot(*vectors.T))
        assert np.allclose(cos, np.cos(HEAD_ANGLE))
    cross = lambda a, b: a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]  # noqa: E731
    # one barb on each side of the shaft
    assert np.all(cross(vectors, points[:, 3] - tips) * cross(vectors, points[:, 5] - tips) < 0)
    one = arrow_segments(origins[0], vectors)   # one origin for all arrows
    assert np.array_equal(np.stack(one), np.stack(arrow_segments(np.tile(origins[0], (50, 1)), vectors)))


def test_the_ellipse_factor_is_a_cholesky_factor_of_the_scaled_covariance():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(2, 2))
    for cov in (a @ a.T, np.array([[4.0, 2.0], [2.0, 1.0]]), np.array([[0.0, 0.0], [0.0, 9.0]])):
        l11, l21, l22 = ellipse_factor(cov, scale=0.5, k=2.0)
        L = np.array([[l11, 0.0], [l21, l22]])
        assert np.allclose(L @ L.T, cov), cov          # (k·scale)² = 1 here
    assert ellipse_factor(np.zeros((2, 2)), 3.0) == (0.0, 0.0, 0.0)
    assert similarity((1, 2), (0, 0)) is None and similarity((1, 2), (np.nan, 1)) is None
    for cov in (np.zeros((2, 2)), np.array([[1.0, 0.0], [0.0, np.nan]]), np.full((2, 2), np.inf)):
        assert _ellipse_transform((0.0, 0.0), cov, 1.0) is None, cov   # hidden, never NaN


def _mapped(item) -> np.ndarray:
    """The item's path through the item's own transform: (n, 2) points in data units."""
    path = item.transform().map(item.path())
    return np.array([(path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())])


def test_gradient_arrows_and_the_ellipse_sit_where_the_maths_puts_them(qtbot, make_window):
    window = _drawn_after_one_step(qtbot, make_window(batch=64))
    view, record = window.views["landscape"], window.model.latest
    here, s = record.theta[0, :2], view.scale
    for name, vector in (("exact", record.grad[0, :2]), ("estimate", record.estimate[0, :2])):
        x, y = arrow_segments(here, s * vector)
        for item in view.arrows[name]:
            assert item.isVisible() and np.allclose(_mapped(item), np.stack([x, y], axis=1))
    # every point of the drawn ellipse is at 2 standard deviations of the estimate, in the
    # metric of its covariance Cov(ĝ) = Cov(cᵢ)/N, at the arrows' scale
    cov = np.cov(np.asarray(record.contributions)[:, :2].T) / 64
    offsets = _mapped(view.ellipse) - (here + s * record.estimate[0, :2])
    distance = np.einsum("ij,jk,ik->i", offsets, np.linalg.inv((2 * s) ** 2 * cov), offsets)
    assert view.ellipse.isVisible() and np.allclose(distance, 1.0)
    window.panel.contributions.setChecked(False)   # no contributions drawn: no ellipse
    qtbot.waitUntil(lambda: not view.ellipse.isVisible())


def test_nice_below_and_nice_above():
    assert [nice_below(v) for v in (1, 1.9, 2, 4.99, 5, 9.9, 10, 730)] == [1, 1, 2, 2, 5, 5, 10, 500]
    assert [nice_above(v) for v in (0.7, 1, 1.01, 3, 7e-6, 0, float("nan"))] == [1, 1, 2, 5, 1e-5, 1, 1]


def test_decade_ticks_thin_out_to_stay_readable():
    from gradviz.app.views.series import decade_ticks
    major, minor = decade_ticks(-10.2, -1.5, 400)
    assert [k for k, _ in major] == list(range(-11, 0)) and minor == []
    assert major[-1] == (-1, "0.1")
    major, minor = decade_ticks(-10.2, -1.5, 55)   # room for 3 labels
    visible = [k for k, _ in major if -10.2 <= k <= -1.5]
    assert 2 <= len(visible) <= 3
    assert sorted(k for k, _ in major + minor) == list(range(-11, 0))


def test_sprites_draw_their_dots_on_screen_and_in_sharper_exports(qtbot):
    """Dots are image copies at the screen's transform and vector discs otherwise (a PNG
    at twice the width): both put the dot's colour where its point is."""
    from PySide6.QtGui import QColor

    from gradviz.app.exporting import render_image
    from gradviz.app.views.sprites import Sprites

    widget, view = _shown_plot(qtbot, 300)
    dots = Sprites([QColor("#00FF00"), QColor("#FF0000")], 6.0)
    view.addItem(dots, ignoreBounds=True)
    dots.set_points([0.5, -0.5, np.nan], [0.5, -0.5, 0.0], [1, 0, 1], view.viewPixelSize())
    assert dots.count == 2 and list(dots.kind) == [1, 0]          # the NaN point is dropped
    assert dots.boundingRect().contains(QPointF(0.5, 0.5))
    for scale in (1, 2):
        image = render_image(widget, width=scale * widget.width())
        for x, y, colour in ((0.5, 0.5, QColor("#FF0000")), (-0.5, -0.5, QColor("#00FF00"))):
            at = widget.mapFromScene(view.mapViewToScene(QPointF(x, y)))
            assert image.pixelColor(at.x() * scale, at.y() * scale) == colour, scale


def _shown_plot(qtbot, pixels: int):
    """A shown plot ``pixels`` wide and high over [-1, 1]², and its view box."""
    from gradviz.app.views.native import NativePlotWidget

    widget = NativePlotWidget()
    qtbot.addWidget(widget)
    widget.resize(pixels, pixels)
    view = widget.getPlotItem().getViewBox()
    view.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, view


def _render_view(widget, ratio: float = 1.0):
    """The view as the screen shows it (no export switches), on a white image of device
    pixel ratio ``ratio``: an (h, w, 3) int array."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QImage, QPainter

    from gradviz.app.exporting import image_to_array

    image = QImage(widget.size() * ratio, QImage.Format_ARGB32)
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.white)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    viewport = widget.viewport().rect()
    widget.render(painter, QRectF(viewport), viewport, Qt.IgnoreAspectRatio)
    painter.end()
    return image_to_array(image).astype(int)


def test_axis_pictures_match_the_axes_pixel_for_pixel_and_follow_the_range(qtbot, make_window):
    """The screen shows pictures of the axes (no Python per repaint); exports draw the axes
    themselves.  Both must be the same pixels, also after a zoom and new colour levels."""
    from gradviz.app.exporting import image_to_array, render_image

    window = make_window(batch=16)
    view = window.views["landscape"]
    qtbot.waitUntil(lambda: view.levels is not None)
    shown = [p.axis.orientation for p in view.axis_pictures if p.axis.isVisible()]
    assert sorted(shown) == ["bottom", "bottom", "left", "left", "right", "top"]  # plot + colour bar
    before = _render_view(view)
    for change in (lambda: view.getPlotItem().setRange(xRange=(-1, 2.5), yRange=(-2, 1), padding=0),
                   lambda: view.colorbar.setLevels((0.0, 7.0))):
        change()
        view.viewport().repaint()   # what the screen does next: pictures are redrawn before it
        screen = _render_view(view)
        assert np.abs(screen - before).max() > 100             # the picture changed …
        live = image_to_array(render_image(view)).astype(int)
        # … to the axis's own pixels (antialiased text through a transparent picture may
        # round one level differently)
        assert np.abs(screen - live).max() <= 2
        before = screen


def test_running_plots_are_prepared_once_a_frame_not_before_each_paint(qtbot, make_window):
    """A paint's Python hook waits for the engine's GIL: while the engine runs, the window
    prepares each plot once a frame if it needs it, so a zoom still lands within a frame;
    the hooks are back once the run pauses."""
    from gradviz.app.views.native import NativePaint
    from gradviz.app.worker import RunState

    window = make_window(batch=16)
    qtbot.waitUntil(lambda: window.views["landscape"].levels is not None)
    shown = {view for view in window.findChildren(QGraphicsView) if isinstance(view, NativePaint)}
    assert {w for v in window.views.values() for w in v.painted()} == shown and all(view.prepares_on_paint for view in shown)
    window.toggle_run()
    qtbot.waitUntil(lambda: window.state == RunState.RUNNING
                    and not any(view.prepares_on_paint for view in shown))
    for view in (window.views["landscape"], window.views["objective"]):
        axis = view.getPlotItem().getAxis("bottom")   # a picture, redrawn by a prepare
        qtbot.waitUntil(lambda: axis.picture is not None and not view.needs_prepare())
        view.getPlotItem().setRange(xRange=(-1, 2), yRange=(-2, 1), padding=0)   # a zoom
        assert view.needs_prepare()
        view.viewport().repaint()
        assert axis.picture is None             # no hook: the paint did not prepare …
        qtbot.waitUntil(lambda: axis.picture is not None, timeout=1000)   # … the frame did
    window.toggle_run()
    qtbot.waitUntil(lambda: window.state == RunState.PAUSED
                    and all(view.prepares_on_paint for view in shown))
    view = window.views["landscape"]
    view.getPlotItem().setRange(xRange=(-2, 2), yRange=(-2, 2), padding=0)
    assert view.getPlotItem().getAxis("bottom").picture is None
    view.viewport().repaint()
    assert view.getPlotItem().getAxis("bottom").picture is not None   # paused: paints prepare


def test_the_cosine_plots_zero_line_spans_the_view(qtbot, make_window):
    window = _drawn_after_one_step(qtbot, make_window(batch=16))
    window.views["quality"].bottom.setXRange(-50, 250, padding=0)
    line = window.views["quality"].zero.path().boundingRect()
    assert (line.left(), line.right(), line.top(), line.bottom()) == pytest.approx((-50, 250, 0, 0))


def test_exports_draw_the_axes_themselves_not_their_screen_pictures(qtbot, make_window):
    """A PNG at twice the width must draw the axes' text at that resolution: the screen's
    1× pictures scaled up would blur it."""
    from gradviz.app.exporting import image_to_array, render_image

    window = make_window(batch=16)
    view = window.views["landscape"]
    qtbot.waitUntil(lambda: view.levels is not None)
    view.viewport().repaint()
    sharp = image_to_array(render_image(view, width=2 * view.width())).astype(int)
    for picture in view.axis_pictures:      # what an export would be without the switch
        picture.set_live = lambda live: None
    blurred = image_to_array(render_image(view, width=2 * view.width())).astype(int)
    assert np.abs(sharp - blurred).max() > 100
    assert all(p.isVisible() and p.axis.flags() & p.axis.GraphicsItemFlag.ItemHasNoContents
               for p in view.axis_pictures if p.axis.isVisible())   # pictures again after it


def test_pyqtgraphs_own_exporter_draws_the_axes_themselves(qtbot, make_window, tmp_path):
    """The plots' right-click menu exports through pyqtgraph's ImageExporter: at twice the
    width the axes must be drawn at that resolution too."""
    import pyqtgraph.exporters
    from PySide6.QtGui import QImage

    from gradviz.app.exporting import image_to_array

    window = make_window(batch=16)
    view = window.views["landscape"]
    qtbot.waitUntil(lambda: view.levels is not None)
    view.viewport().repaint()

    def export(path):
        exporter = pyqtgraph.exporters.ImageExporter(view.getPlotItem())
        exporter.parameters()["width"] = 2 * view.getPlotItem().width()
        exporter.export(str(path))
        return image_to_array(QImage(str(path))).astype(int)

    sharp = export(tmp_path / "sharp.png")
    assert all(p.isVisible() for p in view.axis_pictures if p.axis.isVisible())   # restored
    for picture in view.axis_pictures:
        picture.set_live = lambda live: None
    assert np.abs(sharp - export(tmp_path / "scaled.png")).max() > 100


def test_sprites_are_redrawn_for_a_screen_with_another_pixel_ratio(qtbot):
    """Moved to a 2× screen, the dots are pre-drawn at 2×: as sharp as vector discs there,
    not a 1× image scaled up."""
    from PySide6.QtGui import QColor

    from gradviz.app.views.sprites import Sprites

    class VectorDots(Sprites):
        def paint(self, painter, option, widget=None):
            self._paint_vector(painter)

    widget, view = _shown_plot(qtbot, 200)

    def render_at_2x(kind):
        dots = kind([QColor("#D55E00")], 6.0, ratio=1.0)   # drawn for a 1× screen
        view.addItem(dots, ignoreBounds=True)
        dots.set_points([0.3], [0.2], [0], view.viewPixelSize())
        image = _render_view(widget, ratio=2.0)
        view.removeItem(dots)
        return image

    def edge_and_inside(image):
        """Pixels of the blurred rim (neither background nor fill) and of the fill."""
        off_fill = np.abs(image - np.array([0xD5, 0x5E, 0x00])).max(axis=2) > 12
        off_white = np.abs(image - 255).max(axis=2) > 12
        return int((off_white & off_fill).sum()), int((~off_fill).sum())

    (sprite_rim, sprite_fill), (vector_rim, vector_fill) = (
        edge_and_inside(render_at_2x(Sprites)), edge_and_inside(render_at_2x(VectorDots)))
    assert sprite_fill > 0.9 * vector_fill > 100          # the same disc …
    assert sprite_rim <= 1.25 * vector_rim                # … as sharp (a 1× image scaled up: 1.5×)


def test_a_zoomed_quality_plot_keeps_drawing_after_a_resize(qtbot, make_window):
    """Zooming hands the view to the user (LiveRange.shown is None): the decade ticks
    follow the zoomed range instead of failing on the followed one."""
    window = _drawn_after_one_step(qtbot, make_window(batch=16))
    box = window.views["quality"].top.getViewBox()
    box.setRange(xRange=(0, 1), yRange=(-3, 1), padding=0)
    window.resize(900, 700)
    window.step_once()
    qtbot.waitUntil(lambda: window.model.latest.step >= 1)
    window.frames.dirty = True
    window.frames.tick()
    values = [value for value, _ in window.views["quality"].top.getAxis("left")._tickLevels[0]]
    assert len(values) >= 2 and all(-3 <= v <= 1 and v == int(v) for v in values)


@pytest.mark.parametrize("settings,legend,axis", [
    ({}, "each f(xᵢ)∇log p(xᵢ) (• tip)", "contribution f(xᵢ)·∂log p/∂θ_k"),
    ({"baseline": "mean"}, "each (f(xᵢ) − b)∇log p(xᵢ), b = ", "contribution (f(xᵢ) − b)·∂log p/∂θ_k"),
    ({"baseline": "loo"}, "each (f(xᵢ) − bᵢ)∇log p(xᵢ) (• tip)", "contribution (f(xᵢ) − b)·∂log p/∂θ_k"),
    ({"estimator": "pathwise"}, "each ∇f(μ + σεᵢ) (• tip)", "∂f(μ + σεᵢ)/∂θ_k (pathwise)"),
    ({"estimator": "exact"}, "no samples (exact estimator)", None),
])
def test_the_terms_are_named_for_the_estimator_and_baseline_that_made_them(qtbot, make_window,
                                                                          settings, legend, axis):
    """Pathwise was labelled f(x)∇log p, and a baseline's b was never shown."""
    window = _drawn_after_one_step(qtbot, make_window(batch=16, **settings))
    assert legend in window.views["landscape"].legend.texts[window.views["landscape"].contribution_row]
    if settings.get("baseline") == "mean":
        b = window.model.latest.baseline[0]
        assert f"b = {b:.3g}" in window.views["landscape"].legend.texts[window.views["landscape"].contribution_row]
    if axis is not None:
        assert window.views["histogram"].plot.getPlotItem().getAxis("bottom").labelText == axis


def test_an_empty_variance_curve_names_its_cause(qtbot, make_window):
    """Far from the plateau every reward is 0: the score estimator's spread is 0 there,
    which is not the exact estimator's 'no sampling'."""
    window = make_window(batch=16)
    window.views["variance"].show_curve((np.array([1.0, 2.0]), np.zeros(2)), "score")
    assert "exact" not in window.views["variance"].getPlotItem().titleLabel.text
    window.views["variance"].show_curve((np.array([1.0, 2.0]), np.zeros(2)), "exact")
    assert "exact estimator" in window.views["variance"].getPlotItem().titleLabel.text


def test_the_arrow_scale_shrinks_by_itself_but_grows_only_when_asked(qtbot, make_window):
    """A vanishing gradient must be seen to vanish (#10): near the optimum the arrows keep
    their scale and the title says they are small; A (fit_arrows) scales them again."""
    window = make_window(reward="hill", estimator="exact", theta0=[0.2, 0.0])
    view = window.views["landscape"]
    qtbot.waitUntil(lambda: window.model.latest is not None and view.levels is not None)
    window.frames.draw_now()
    far = view.scale
    window.controller.theta_picked(0.999, 0.499)        # beside the hill's top at (1, 0.5)
    qtbot.waitUntil(lambda: window.model.latest is not None
                    and abs(window.model.latest.theta[0, 0] - 0.999) < 1e-12)
    for _ in range(60):                 # the size it goes by is a running mean over frames
        window.frames.draw_now()
    assert view.scale == far and view.arrows_small
    view.fit_arrows()
    assert view.scale > 100 * far and not view.arrows_small


def test_held_theta_draws_each_batchs_estimate_and_their_mean(qtbot, make_window):
    """Freeze θ and resample: θ stays, the overlay counts every batch since θ was held, and
    its ring (the estimates' mean) is within 3 standard errors of ∇J."""
    from gradviz.app.worker import RunState
    window = make_window(batch=8, seed=11)
    window.panel.freeze.setChecked(True)
    qtbot.waitUntil(lambda: window.model.status.config.freeze)
    window.panel.speed.setCurrentIndex(window.panel.speed.count() - 1)
    window.toggle_run()
    qtbot.waitUntil(lambda: window.model.latest is not None and window.model.latest.step >= 300,
                    timeout=20000)
    window.toggle_run()
    qtbot.waitUntil(lambda: window.state == RunState.PAUSED)
    window.frames.draw_now()
    rows = window.model.series.rows()
    theta = window.model.status.theta[0]
    np.testing.assert_array_equal(theta, [-1.0, -2.5])                   # never moved
    overlay = window.views["landscape"].resampling
    assert overlay.batches == len(rows) == window.model.status.step
    estimates = rows[:, [COLUMN["estimate_x"], COLUMN["estimate_y"]]]
    spread = estimates.std(axis=0, ddof=1) / np.sqrt(len(estimates))
    assert (np.abs(estimates.mean(axis=0) - window.model.latest.grad[0]) < 3 * spread).all()


@pytest.mark.parametrize("problem", ["gaussian", "softmax"])
def test_the_policy_is_drawn_where_x_lives_in_the_plane(qtbot, make_window, problem):
    """Gaussian: p(x|θ)'s 1σ and 2σ contours around the θ the batch was drawn at; softmax
    (x an action, not a point of the plane): none."""
    window = make_window(problem=problem, sigma=0.7)
    qtbot.waitUntil(lambda: window.model.latest is not None)
    window.frames.draw_now()
    view = window.views["landscape"]
    rings = view.density
    assert view.legend.shown[view.density_row] == (problem == "gaussian")   # and in the legend
    if problem == "softmax":
        assert not any(ring.isVisible() for ring in rings)
        return
    centre = window.model.latest.theta[0, :2]
    for k, ring in enumerate(rings, start=1):
        box = ring.mapRectToParent(ring.path().boundingRect())
        assert ring.isVisible()
        assert box.width() / 2 == pytest.approx(k * 0.7, rel=2e-3)   # a 64-gon's extent
        assert box.center().x() == pytest.approx(centre[0], abs=2e-3 * k)
        assert box.center().y() == pytest.approx(centre[1], abs=2e-3 * k)


def test_the_colour_bar_makes_room_for_its_labels_before_the_first_paint(qtbot, make_window):
    """#4: at σ = 5 the labels (0.016 … 0.028) ran into the bar's title, and at batch 10⁵
    they were clipped: the bar's axis is as wide as its widest label plus its title."""
    from PySide6.QtGui import QFontMetrics
    window = make_window(sigma=5.0)
    view = window.views["landscape"]
    qtbot.waitUntil(lambda: view.levels is not None)
    axis = view.colorbar.axis
    lo, hi = view.levels
    metrics = QFontMetrics(axis.style["tickFont"] or axis.font())
    widest = max(metrics.horizontalAdvance(text)
                 for spacing, values in axis.tickValues(lo, hi, axis.size().height())
                 for text in axis.tickStrings(values, 1.0, spacing))
    assert widest > metrics.horizontalAdvance("0.00")            # long labels at this σ
    assert axis.fixedWidth >= widest + axis.label.boundingRect().height()


def marker_at(view) -> tuple[float, float]:
    position = view.marker.items[0].pos()
    return position.x(), position.y()


def stepped(qtbot, make_window, **settings):
    """A window that has taken one step (not a preview) and drawn it; and its landscape."""
    window = make_window(**settings)
    view = window.views["landscape"]
    window.step_once()
    qtbot.waitUntil(lambda: window.model.latest is not None and not window.model.latest.preview
                    and view.levels is not None)
    window.frames.draw_now()
    return window, view


def test_slow_motion_plays_to_the_update_and_stops(qtbot, make_window):
    """P plays slow motion from sample 1 through the update at its pace, then stops; ] and
    [ change the pace."""
    window, view = stepped(qtbot, make_window, batch=4, seed=3)
    QTest.keyClick(window, Qt.Key_BracketRight)
    QTest.keyClick(window, Qt.Key_BracketRight)
    assert view.player.pace == 8.0
    QTest.keyClick(window, Qt.Key_BracketLeft)
    assert view.player.pace == 4.0
    QTest.keyClick(window, Qt.Key_P)
    assert window.slow_action.isChecked() and view.player.playing and view.slow_motion == 1
    qtbot.waitUntil(lambda: not view.player.playing, timeout=10000)
    assert view.slow_motion == 5                                   # N = 4, then the update
    assert marker_at(view) == pytest.approx(tuple(window.model.latest.theta_next[0]), abs=1e-9)


def test_slow_motion_shows_the_batch_sample_by_sample(qtbot, make_window):
    """M, then '.': the estimate arrow is the running mean of the first k contributions,
    sample k is highlighted, θ's marker waits at θ_t; at k = N it is the step's ĝ; one
    stage more shows the update θ ← θ + α ĝ, the marker at θ_{t+1}."""
    window, view = stepped(qtbot, make_window, batch=5, seed=3)
    window.slow_action.trigger()
    record = window.model.latest
    contributions = np.asarray(record.contributions)
    for k in range(1, 6):
        assert view.slow_motion == k
        estimate_item = view.arrows["estimate"][1]
        shown = estimate_item.transform().map(QPointF(1.0, 0.0)) - estimate_item.transform().map(QPointF(0, 0))
        expected = view.scale * contributions[:k].mean(axis=0)
        assert (shown.x(), shown.y()) == pytest.approx(tuple(expected), rel=1e-9, abs=1e-12)
        assert view.dots_drawn == k and view.hover_text.isVisible()
        assert marker_at(view) == pytest.approx(tuple(record.theta[0]), abs=1e-9)
        assert view.update_step.path().isEmpty()
        # sample k's ∇log p (dashed, pointing at x_k for the Gaussian mean) and f(x_k) times it
        score = np.asarray(record.scores[k - 1])
        tip = view.highlight.path().elementAt(1)
        expected = record.theta[0] + view.scale * record.rewards[k - 1] * score
        assert (tip.x, tip.y) == pytest.approx(tuple(expected), abs=1e-9)
        tip = view.score_arrow.path().elementAt(1)       # ∇log p's direction (clamped to the view)
        drawn = np.array([tip.x, tip.y]) - record.theta[0]
        assert drawn @ score / (np.linalg.norm(drawn) * np.linalg.norm(score)) == pytest.approx(1.0)
        towards = record.samples[k - 1] - record.theta[0]
        assert score @ towards / (np.linalg.norm(score) * np.linalg.norm(towards)) == pytest.approx(1.0)
        QTest.keyClick(window, Qt.Key_Period)
    assert view.slow_motion == 6                                   # the update
    QTest.keyClick(window, Qt.Key_Period)
    assert view.slow_motion == 6                                   # stays there
    np.testing.assert_allclose(contributions.mean(axis=0), record.estimate[0], rtol=1e-12)
    step = record.theta_next[0] - record.theta[0]
    np.testing.assert_allclose(step, record.lr * record.estimate[0], rtol=1e-12)
    assert marker_at(view) == pytest.approx(tuple(record.theta_next[0]), abs=1e-9)
    path = view.update_step.path()
    assert (path.elementAt(0).x, path.elementAt(0).y) == pytest.approx(tuple(record.theta[0]))
    assert (path.elementAt(1).x, path.elementAt(1).y) == pytest.approx(tuple(record.theta_next[0]))
    window.slow_action.trigger()
    assert view.slow_motion is None and view.dots_drawn == 5


@pytest.mark.parametrize("offset", [4.0, -4.0, 0.0])
def test_the_policy_bars_two_axes_share_their_zero(qtbot, make_window, offset):
    """#6: π(a) on the left, the true values on the right, 0 at one height on both."""
    window = make_window(problem="bandit", offset=offset)
    view = window.views["policy"]
    qtbot.waitUntil(lambda: window.model.policy_now() is not None)
    window.frames.draw_now()
    left = view.getPlotItem().vb.mapViewToScene(QPointF(1.0, 0.0)).y()
    right = view.value_axis.mapViewToScene(QPointF(1.0, 0.0)).y()
    assert abs(left - right) < 1.0
    (_, _), (low, high) = view.getPlotItem().vb.viewRange()
    assert high == pytest.approx(1.02) and low <= 0
