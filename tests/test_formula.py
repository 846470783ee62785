"""A formula is data, never code."""

import numpy as np
import pytest

from gradviz.engine.errors import FormulaError
from gradviz.engine.formula import Formula


def test_evaluates_the_example_formula_vectorised():
    x, y = np.array([1.0, -1.0]), np.array([0.0, 0.0])
    expected = np.exp(-(x - 1) ** 2 - y**2) - 0.5 * np.exp(-(x + 1) ** 2)
    np.testing.assert_allclose(Formula("exp(-(x-1)**2 - y**2) - 0.5*exp(-(x+1)**2)")(x, y), expected)


def test_a_constant_formula_gives_one_value_per_point():
    assert Formula("2")(np.zeros((3, 4)), np.zeros((3, 4))).shape == (3, 4)


@pytest.mark.parametrize("text,message", [
    ("__import__('os')", "unknown function"),
    ("x.__class__", "attribute"),
    ("(lambda: 1)()", "not allowed"),
    ("x[0]", "indexing"),
    ("'a' * 10", "only numbers"),
    ("open('/etc/passwd')", "unknown function"),
    ("z + 1", "unknown name 'z'"),
    ("exp(x", "syntax"),
    ("x; y", "syntax"),
    ("[i for i in x]", "not allowed"),
    ("10 ** 10 ** 10", "no finite value"),
    ("sin", "is a function"),
    ("x is y", "comparisons"),
    ("x in y", "comparisons"),
    ("exp(-x*x, x)", "exactly 1 argument"),
    ("sin(x, y)", "exactly 1 argument"),
    ("where(x > 0, 1)", "exactly 3 arguments"),
    ("exp(x, out=y)", "keyword"),
    ("exp(*x)", "exactly 1 argument"),
    ("f'{pi:{1e15}}'", "f-strings"),
    ("(1,) * 10**15", "tuples"),
    ("x if y else 1", "where"),
    ("x > 0 and y > 0", "'and'"),
    ("~x", "operator"),
    ("x // 2", "operator"),
    ("True + x", "only numbers"),
    ("x @ y", "not allowed"),
    ("(" * 300 + "x" + ")" * 300, "longer than"),
    ("", "empty"),
])
def test_unsafe_or_broken_formulas_are_refused_with_a_message(text, message):
    with pytest.raises(FormulaError, match=message):
        Formula(text)


def test_deep_but_short_nesting_is_refused_not_crashed():
    with pytest.raises(FormulaError, match="nested more than"):
        Formula("-" * 400 + "x")
    assert Formula("-" * 40 + "x")(np.ones(2), np.ones(2)).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("text,expected", [
    ("x == y", lambda x, y: (x == y) * 1.0),
    ("x != y", lambda x, y: (x != y) * 1.0),
    ("-(x > 0)", lambda x, y: -((x > 0) * 1.0)),
    ("0 < x < 1", lambda x, y: ((0 < x) & (x < 1)) * 1.0),
    ("where(x > y, x, y)", np.maximum),
    ("pi + e * x", lambda x, y: np.pi + np.e * x),
    ("2 ** 0.5 * x % 1.5", lambda x, y: (np.sqrt(2) * x) % 1.5),
    ("hypot(x, y) + atan2(y, x)", lambda x, y: np.hypot(x, y) + np.arctan2(y, x)),
])
def test_the_grammar_means_what_numpy_means(text, expected):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=50), rng.normal(size=50)
    x[:5] = y[:5]
    np.testing.assert_array_equal(Formula(text)(x, y), expected(x, y))


@pytest.mark.parametrize("text", ["pi", "e", "x", "y"])
def test_the_documented_names_alone_are_rewards(text):
    from gradviz.engine.rewards import resolve_reward
    assert resolve_reward(text)(np.zeros(3), np.ones(3)).shape == (3,)


def test_a_formula_never_writes_into_the_points_it_is_given():
    x, y = np.linspace(-1, 1, 9), np.linspace(2, 3, 9)
    before = x.copy(), y.copy()
    for text in ("x", "exp(-x*x)", "x + y", "where(x > 0, x, y)", "y"):
        out = Formula(text)(x, y)
        out[:] = 7.0
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(y, before[1])


def test_overflow_gives_inf_not_an_exception():
    assert np.isinf(Formula("1 / x")(np.array([0.0]), np.array([0.0]))).all()
    assert np.isinf(Formula("10.0 ** x")(np.array([1e6]), np.array([0.0]))).all()


@pytest.mark.parametrize("text,smooth", [
    ("exp(-x*x) + sin(y)", True), ("x > 1", False), ("abs(x)", False), ("floor(x)", False),
    ("where(x > 0, 1, 0)", False), ("x % 1", False), ("max(x, y)", False), ("hypot(x, y)", True),
])
def test_a_formula_knows_whether_it_is_smooth(text, smooth):
    assert Formula(text).smooth is smooth
