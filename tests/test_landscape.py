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
    np.testing.assert_allclose(land.grad_x[rows, cols], grad[:, 0], atol=1e-7 * scale)
    np.testing.assert_allclose(land.grad_y[rows, cols], grad[:, 1], atol=1e-7 * scale)


def test_landscape_is_at_least_200_by_200_by_default():
    assert gaussian_landscape(CATALOGUE["hills"], 0.5).J.shape == (200, 200)


def test_softmax_landscape_matches_enumeration():
    values = [1.0, 2.0, -0.5]
    land = softmax_landscape(values, size=40)
    theta = np.array([[land.xs[5], land.ys[30], 0.0], [land.xs[33], land.ys[2], 0.0]])
    J, grad = SoftmaxProblem(values).exact(theta)
    np.testing.assert_allclose(land.J[[30, 2], [5, 33]], J, rtol=1e-12)
    np.testing.assert_allclose(land.grad_x[[30, 2], [5, 33]], grad[:, 0], rtol=1e-12)


def test_contour_segments_lie_on_their_level():
    """Each contour point interpolates J to its level (to the grid's linear accuracy)."""
    from gradviz.engine.landscape import contour_segments
    land = gaussian_landscape(CATALOGUE["hill"], 0.5, size=120)
    level = 0.3
    x, y = contour_segments(land.xs, land.ys, land.J, [level])
    assert len(x) > 50 and len(x) % 2 == 0
    J, _ = GaussianProblem(CATALOGUE["hill"], 0.5, False).exact(np.stack([x, y], axis=1))
    np.testing.assert_allclose(J, level, atol=2e-3)
