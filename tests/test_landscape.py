"""The landscape grid agrees with the per-step exact values."""

import numpy as np
import pytest

from gradviz.engine.landscape import gaussian_landscape, softmax_landscape
from gradviz.engine.problems import GaussianProblem, SoftmaxProblem
from gradviz.engine.rewards import CATALOGUE


@pytest.mark.parametrize("name", list(CATALOGUE))
@pytest.mark.parametrize("sigma", [0.05, 0.5, 2.0])
def test_gaussian_landscape_matches_quadrature(name, sigma):
    land = gaussian_landscape(CATALOGUE[name], sigma, size=50)
    rows, cols = np.array([3, 20, 41]), np.array([7, 25, 44])
    theta = np.stack([land.xs[cols], land.ys[rows]], axis=1)
    J, grad = GaussianProblem(CATALOGUE[name], sigma, False).exact(theta)
    scale = max(1.0, np.abs(land.J).max())
    np.testing.assert_allclose(land.J[rows, cols], J, atol=1e-8 * scale)


def test_landscape_shows_at_least_200_by_200_in_its_view_and_fills_a_margin_around_it():
    land = gaussian_landscape(CATALOGUE["hills"], 0.5)
    x0, x1, y0, y1 = land.view
    inside = ((land.xs >= x0) & (land.xs <= x1)).sum(), ((land.ys >= y0) & (land.ys <= y1)).sum()
    assert min(inside) >= 200 and land.view == CATALOGUE["hills"].view
    assert land.xs[0] < x0 - 0.2 * (x1 - x0) and land.xs[-1] > x1 + 0.2 * (x1 - x0)


def test_softmax_landscape_matches_enumeration():
    values = [1.0, 2.0, -0.5]
    land = softmax_landscape(values, size=40)
    theta = np.array([[land.xs[5], land.ys[30], 0.0], [land.xs[33], land.ys[2], 0.0]])
    J, grad = SoftmaxProblem(values).exact(theta)
    np.testing.assert_allclose(land.J[[30, 2], [5, 33]], J, rtol=1e-12)


def test_contour_segments_lie_on_their_level():
    """Each contour point interpolates J to its level (to the grid's linear accuracy)."""
    from gradviz.engine.landscape import contour_segments
    land = gaussian_landscape(CATALOGUE["hill"], 0.5, size=120)
    level = 0.3
    x, y = contour_segments(land.xs, land.ys, land.J, [level])
    assert len(x) > 50 and len(x) % 2 == 0
    J, _ = GaussianProblem(CATALOGUE["hill"], 0.5, False).exact(np.stack([x, y], axis=1))
    np.testing.assert_allclose(J, level, atol=2e-3)
