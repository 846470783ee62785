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
    ("sin", "does not give a number"),
    ("x @ y", "not allowed"),
    ("(" * 300 + "x" + ")" * 300, "longer than"),
    ("", "empty"),
])
def test_unsafe_or_broken_formulas_are_refused_with_a_message(text, message):
    with pytest.raises(FormulaError, match=message):
        Formula(text)


def test_deep_but_short_nesting_is_evaluated_not_crashed():
    assert Formula("-" * 400 + "x")(np.ones(2), np.ones(2)).tolist() == [1.0, 1.0]
