"""User-defined rewards f(x, y): a formula is data, never code.

The grammar (everything else is refused with a FormulaError that says what):

    expr     := number | x | y | pi | e | ( expr )
              | expr OP expr          OP: + - * / ** %
              | - expr | + expr
              | expr CMP expr [CMP expr …]   CMP: < <= > >= == !=   (1.0 if true, else 0.0;
                                             a chain a < b < c means both hold)
              | NAME ( expr, … )      NAME one of FUNCTIONS, with exactly its arity

Numbers are floats (``10**10**10`` overflows to inf, it never builds a huge integer).
The text is parsed by Python's own ``ast`` parser; every node is checked against the
grammar, then the tree is compiled once into a code object whose only names are x, y,
the constants and the functions below, each a numpy function called with exactly its
arity and no keywords.  So a formula cannot reach an attribute, index, string, keyword
(numpy's ``out=``), or allocate more than one array of the batch's shape per operation.
Evaluating it costs what the numpy operations cost.
"""

from __future__ import annotations

import ast
import copy

import numpy as np

from .errors import FormulaError

MAX_LENGTH = 500
MAX_DEPTH = 60


def _sigmoid(z):
    """1 / (1 + e^−z), written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _where(condition, a, b):
    """a where condition ≠ 0, else b."""
    return np.where(np.asarray(condition) != 0, a, b)


# name: (numpy function, arity, smooth)
FUNCTIONS = {
    "exp": (np.exp, 1, True), "log": (np.log, 1, True), "log10": (np.log10, 1, True),
    "sqrt": (np.sqrt, 1, True), "sin": (np.sin, 1, True), "cos": (np.cos, 1, True),
    "tan": (np.tan, 1, True), "tanh": (np.tanh, 1, True), "sinh": (np.sinh, 1, True),
    "cosh": (np.cosh, 1, True), "arctan": (np.arctan, 1, True), "atan": (np.arctan, 1, True),
    "sigmoid": (_sigmoid, 1, True),
    "arctan2": (np.arctan2, 2, True), "atan2": (np.arctan2, 2, True),
    "hypot": (np.hypot, 2, True),
    "abs": (np.abs, 1, False), "floor": (np.floor, 1, False), "ceil": (np.ceil, 1, False),
    "sign": (np.sign, 1, False),
    "min": (np.minimum, 2, False), "max": (np.maximum, 2, False),
    "minimum": (np.minimum, 2, False), "maximum": (np.maximum, 2, False),
    "where": (_where, 3, False),
}
CONSTANTS = {"pi": np.pi, "e": np.e}
VARIABLES = ("x", "y")

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.Mod: "%"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_REFUSED = {
    ast.Attribute: "attribute access ('.')", ast.Subscript: "indexing ('[...]')",
    ast.JoinedStr: "text (f-strings)", ast.Tuple: "tuples", ast.List: "lists",
    ast.Dict: "dictionaries", ast.Set: "sets", ast.Lambda: "lambda", ast.IfExp: "'… if … else …' "
    "(use where(condition, a, b))", ast.BoolOp: "'and' / 'or' (multiply 0/1 comparisons, or use "
    "where)", ast.NamedExpr: "assignment (':=')", ast.Starred: "'*' unpacking",
    ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.SetComp: "comprehensions", ast.DictComp: "comprehensions", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield",
}
_HELP = "use x, y, numbers, pi, e, + - * / ** %, comparisons and the listed functions"


def _float_of(condition):
    """A comparison's truth as 1.0 / 0.0 (numpy refuses −True)."""
    return np.asarray(condition, dtype=float)


class _Checker(ast.NodeTransformer):
    """Checks each node against the grammar and rewrites the tree for evaluation:
    numbers become named float64 constants (so ** and / overflow to inf or nan, never raise),
    comparisons become 0/1 floats.  Records whether anything non-smooth is used."""

    def __init__(self):
        self.constants: dict[str, np.float64] = {}
        self.smooth = True
        self.depth = 0
        self.branches: list[ast.expr] = []   # f is smooth where all of these are constant

    def visit(self, node):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula: nested more than {MAX_DEPTH} deep")
        try:
            return super().visit(node)
        finally:
            self.depth -= 1

    def generic_visit(self, node):
        what = _REFUSED.get(type(node), f"'{type(node).__name__}'")
        raise FormulaError(f"formula: {what} is not allowed ({_HELP})")

    def visit_Expression(self, node):
        node.body = self.visit(node.body)
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"formula: only numbers are allowed as constants, not {node.value!r}")
        name = f"_c{len(self.constants)}"
        try:
            self.constants[name] = np.float64(node.value)
        except OverflowError:     # an integer literal beyond float range
            self.constants[name] = np.float64(np.inf)
        return ast.copy_location(ast.Name(name, ast.Load()), node)

    def visit_Name(self, node):
        if node.id in VARIABLES or node.id in CONSTANTS:
            return node
        if node.id in FUNCTIONS:
            raise FormulaError(f"formula: {node.id} is a function: write {node.id}(…)")
        raise FormulaError(f"formula: unknown name {node.id!r} (use x, y, pi, e)")

    def visit_UnaryOp(self, node):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise FormulaError(f"formula: operator '{type(node.op).__name__}' is not allowed "
                               "(use + - * / ** % and comparisons)")
        node.operand = self.visit(node.operand)
        return node

    def visit_BinOp(self, node):
        if type(node.op) not in _BINARY:
            raise FormulaError(f"formula: operator '{type(node.op).__name__}' is not allowed "
                               "(use + - * / ** % and comparisons)")
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Mod):             # a % b jumps where floor(a / b) does
            self.smooth = False
            self.branches.append(self._call("floor", [ast.BinOp(copy.deepcopy(left), ast.Div(),
                                                                copy.deepcopy(right))]))
        node.left, node.right = left, right
        return node

    def visit_Compare(self, node):
        if any(type(op) not in _COMPARE for op in node.ops):
            raise FormulaError("formula: only the comparisons < <= > >= == != are allowed")
        self.smooth = False
        operands = [self.visit(node.left)] + [self.visit(c) for c in node.comparators]
        pairs = [self._call("_float_of", [ast.Compare(a, [op], [b])])
                 for a, op, b in zip(operands, node.ops, operands[1:])]
        self.branches += [copy.deepcopy(pair) for pair in pairs]
        result = pairs[0]
        for pair in pairs[1:]:
            result = ast.BinOp(result, ast.Mult(), pair)
        return ast.copy_location(result, node)

    def visit_Call(self, node):
        if not isinstance(node.func, ast.Name):
            raise FormulaError(f"formula: calling anything but a listed function is not allowed "
                               f"({', '.join(sorted(FUNCTIONS))})")
        if node.func.id not in FUNCTIONS:
            raise FormulaError(f"formula: unknown function {node.func.id!r} "
                               f"(allowed: {', '.join(sorted(FUNCTIONS))})")
        name = node.func.id
        _, arity, smooth = FUNCTIONS[name]
        if node.keywords:
            raise FormulaError(f"formula: {name}() takes no keyword arguments")
        if any(isinstance(a, ast.Starred) for a in node.args) or len(node.args) != arity:
            raise FormulaError(f"formula: {name}() takes exactly {arity} argument"
                               f"{'s' if arity > 1 else ''}, not {len(node.args)}")
        self.smooth &= smooth
        args = [self.visit(a) for a in node.args]
        if not smooth:
            self.branches.append(self._branch(name, [copy.deepcopy(a) for a in args]))
        return ast.copy_location(self._call(name, args), node)

    def _branch(self, name, args):
        """The indicator whose changes are this call's kinks or jumps."""
        if name in ("abs", "sign"):
            return self._call("sign", args)
        if name in ("floor", "ceil"):
            return self._call(name, args)
        if name in ("min", "max", "minimum", "maximum"):
            return self._call("_float_of", [ast.Compare(args[0], [ast.Lt()], [args[1]])])
        return self._call("_float_of", [ast.Compare(args[0], [ast.NotEq()], [ast.Name("_zero", ast.Load())])])

    @staticmethod
    def _call(name, args):
        return ast.Call(ast.Name(name, ast.Load()), args, [])


class Formula:
    """A reward f(x, y) given as text, e.g. ``exp(-(x-1)**2 - y**2)``; see the module's
    grammar.  ``smooth`` is False when it uses a comparison, %, abs, floor, ceil, sign,
    min, max or where (its exact expectation then needs adaptive quadrature)."""

    def __init__(self, text: str):
        if not isinstance(text, str) or not text.strip():
            raise FormulaError("formula: empty formula")
        if len(text) > MAX_LENGTH:
            raise FormulaError(f"formula: longer than {MAX_LENGTH} characters")
        self.text = text.strip()
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError as err:
            raise FormulaError(f"formula: syntax error at column {err.offset}: {self.text!r}") from None
        except (RecursionError, MemoryError, ValueError):
            raise FormulaError(f"formula: nested more than {MAX_DEPTH} deep") from None
        checker = _Checker()
        tree = ast.fix_missing_locations(checker.visit(tree))
        self.smooth = checker.smooth
        self._code = compile(tree, "<formula>", "eval")
        branches = ast.fix_missing_locations(ast.Expression(ast.Tuple(checker.branches, ast.Load())))
        self._branch_code = compile(branches, "<formula branches>", "eval")
        self._names = {"__builtins__": {}, **CONSTANTS, **checker.constants,
                       **{name: f for name, (f, _, _) in FUNCTIONS.items()},
                       "_float_of": _float_of, "_zero": np.float64(0.0)}
        probe_x, probe_y = np.meshgrid(np.linspace(-2.0, 2.0, 7), np.linspace(-1.7, 2.3, 7))
        if not np.isfinite(self(probe_x, probe_y)).any():
            raise FormulaError("formula: gives no finite value anywhere on [-2, 2]²")

    def branches(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """(m, *shape): the value of each of the formula's m branch indicators (a comparison's
        outcome, the sign under abs, floor's value, which argument min picks, …) at x, y.
        f is smooth on any region where all of them are constant."""
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        with np.errstate(all="ignore"):
            values = eval(self._branch_code, self._names, {"x": x, "y": y})   # noqa: S307
        if not values:
            return np.zeros((0,) + shape)
        return np.stack([np.broadcast_to(np.asarray(v, dtype=float), shape) for v in values])

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """f at arrays x, y (broadcast together); a new float array of their shape."""
        with np.errstate(all="ignore"):
            value = eval(self._code, self._names, {"x": x, "y": y})   # noqa: S307 (checked tree)
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        if value is x or value is y:      # f = x: never hand out the caller's own array
            value = value.copy()
        value = np.asarray(value, dtype=float)
        return value if value.shape == shape else np.broadcast_to(value, shape).copy()
