"""User-defined rewards f(x, y): a formula is data, never code.

The formula is parsed with Python's own ``ast`` parser and evaluated by ``simpleeval``,
a small, maintained evaluator that walks the syntax tree and only performs the operations
it is given.  We chose it over ``numexpr`` (which compiles through ``eval`` behind a
blacklist) and ``asteval`` (a whole Python interpreter: loops, assignments, function
definitions) because a whitelist of numpy functions and arithmetic operators is exactly
the language a reward needs.  On top of simpleeval we refuse attribute access,
subscripts, strings and comparisons-with-side-effects, and turn every constant into a float
so that ``10**10**10`` overflows to inf instead of hanging on a huge integer.
"""

from __future__ import annotations

import ast
import operator

import numpy as np
import simpleeval

from .errors import FormulaError

MAX_LENGTH = 500

FUNCTIONS = {
    "exp": np.exp, "log": np.log, "log10": np.log10, "sqrt": np.sqrt, "abs": np.abs,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh, "sinh": np.sinh,
    "cosh": np.cosh, "arctan": np.arctan, "atan": np.arctan, "arctan2": np.arctan2,
    "atan2": np.arctan2, "hypot": np.hypot, "minimum": np.minimum, "maximum": np.maximum,
    "min": np.minimum, "max": np.maximum, "floor": np.floor, "ceil": np.ceil,
    "sign": np.sign, "where": np.where,
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
}
CONSTANTS = {"pi": np.pi, "e": np.e}
VARIABLES = ("x", "y")

OPERATORS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: np.power, ast.Mod: np.mod,
    ast.USub: operator.neg, ast.UAdd: operator.pos,
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}


class _ArrayEval(simpleeval.SimpleEval):
    """simpleeval restricted to float arithmetic on numpy arrays."""

    def _eval_constant(self, node):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"formula: only numbers are allowed as constants, not {node.value!r}")
        return float(node.value)

    def _eval_attribute(self, node):
        raise FormulaError("formula: attribute access ('.') is not allowed")

    def _eval_subscript(self, node):
        raise FormulaError("formula: indexing ('[...]') is not allowed")

    def _eval_compare(self, node):
        if len(node.ops) != 1:
            raise FormulaError("formula: chained comparisons are not allowed; use where()")
        return super()._eval_compare(node)

    def _eval_call(self, node):
        if node.keywords:
            raise FormulaError("formula: keyword arguments are not allowed")
        return super()._eval_call(node)


class Formula:
    """A reward f(x, y) given as text, e.g. ``exp(-(x-1)**2 - y**2)``.

    Allowed: numbers, x, y, pi, e, + - * / ** %, comparisons (give 0/1), and the functions
    in ``FUNCTIONS``.  Everything else is refused with a :class:`FormulaError`.
    """

    def __init__(self, text: str):
        if not isinstance(text, str) or not text.strip():
            raise FormulaError("formula: empty formula")
        if len(text) > MAX_LENGTH:
            raise FormulaError(f"formula: longer than {MAX_LENGTH} characters")
        self.text = text.strip()
        try:
            self._tree = ast.parse(self.text, mode="eval")
        except SyntaxError as err:
            raise FormulaError(f"formula: syntax error at column {err.offset}: {self.text!r}") from None
        except (RecursionError, MemoryError, ValueError):
            raise FormulaError("formula: too deeply nested") from None
        self._evaluator = _ArrayEval(operators=OPERATORS, functions=FUNCTIONS,
                                     names=dict(CONSTANTS))
        # unknown names, bad calls and shapes fail here, not mid-run
        probe_x, probe_y = np.meshgrid(np.linspace(-2.0, 2.0, 7), np.linspace(-1.7, 2.3, 7))
        if not np.isfinite(self(probe_x, probe_y)).any():
            raise FormulaError("formula: gives no finite value anywhere on [-2, 2]²")

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Evaluate f at arrays x, y of one shape; returns a float array of that shape."""
        self._evaluator.names = {**CONSTANTS, "x": x, "y": y}
        try:
            with np.errstate(all="ignore"):
                value = self._evaluator._eval(self._tree.body)
        except FormulaError:
            raise
        except simpleeval.NameNotDefined as err:
            raise FormulaError(f"formula: unknown name {err.name!r} (use x, y, pi, e)") from None
        except simpleeval.FunctionNotDefined as err:
            raise FormulaError(f"formula: unknown function {err.func_name!r} "
                               f"(allowed: {', '.join(sorted(FUNCTIONS))})") from None
        except simpleeval.FeatureNotAvailable as err:
            raise FormulaError(f"formula: not allowed: {err}") from None
        except simpleeval.OperatorNotDefined as err:
            raise FormulaError(f"formula: operator {type(err.attr).__name__} is not allowed "
                               "(use + - * / ** % < > <= >=)") from None
        except simpleeval.InvalidExpression as err:
            raise FormulaError(f"formula: {err}") from None
        except (TypeError, ValueError, ArithmeticError) as err:
            raise FormulaError(f"formula: cannot evaluate: {err}") from None
        except RecursionError:
            raise FormulaError("formula: too deeply nested") from None
        try:
            value = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise FormulaError("formula: does not give a number (a function without '(...)'?)") from None
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        if value.shape != shape:
            try:
                value = np.broadcast_to(value, shape).copy()
            except ValueError:
                raise FormulaError("formula: does not give one number per point") from None
        return value
