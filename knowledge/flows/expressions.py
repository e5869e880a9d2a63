"""The expression language of flows, and the ``{customer.name}`` templates.

Expressions are Python-like one-liners, read once by a strict checker and evaluated by
``simpleeval`` (never ``eval``)::

    answers.budget >= 150 and customer.tier == 'A'
    owns('5G-PLUS-129') or any_of(answers.apps, ['video', 'games'])
    days_since(customer.created_at) < 90

They can read exactly three things: ``answers.<var>`` (what the questions stored),
``customer.<field>`` (the 360 summary, read-only) and ``call.<field>`` (the call). Everything
else is refused before it runs: names other than those three, attributes other than a field of
those three (so no ``__class__``, no methods), indexing, comprehensions, lambdas, f-strings,
keyword arguments, functions outside a short whitelist. Numbers and text are bounded at run
time too (powers, text length, list length), so an expression cannot hang a call.

Templates are text with fields in braces: ``您好，{customer.name}`` or
``您选择了 {answers.plan|未选择}`` (after ``|``: what to show when there is no value). A choice
answer shows its option's label; ``{{`` and ``}}`` are literal braces.

Standard library plus ``simpleeval``; pure (``today`` is passed in).
"""

from __future__ import annotations

import ast
import difflib
import operator as op
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import simpleeval  # type: ignore[import-untyped]

from knowledge.model import normalize_code

# --- what expressions can see --------------------------------------------------------------

ROOTS: tuple[str, ...] = ("answers", "customer", "call")
#: Fields of the customer's 360 summary that flows may read.
CUSTOMER_FIELDS: frozenset[str] = frozenset(
    {
        "id",
        "kind",  # individual | enterprise
        "name",
        "short_name",
        "contact_name",
        "tier",  # A | B | C | None
        "tags",
        "products",  # product codes the customer has
        "city",
        "province",
        "industry",
        "phones",
        "emails",
        "created_at",  # customer since (ISO date)
    }
)
#: Fields of the call that flows may read.
CALL_FIELDS: frozenset[str] = frozenset({"ivr", "queue", "dnis", "ani", "channel"})
FIELDS: Mapping[str, frozenset[str]] = {"customer": CUSTOMER_FIELDS, "call": CALL_FIELDS}
#: Lower-case spellings accepted besides Python's True, False and None.
CONSTANT_NAMES: Mapping[str, Any] = {"true": True, "false": False, "null": None}

#: Function name → (fewest, most) arguments; None is "any number".
FUNCTIONS: Mapping[str, tuple[int, int | None]] = {
    "has_tag": (1, 1),
    "owns": (1, 1),
    "len": (1, 1),
    "lower": (1, 1),
    "upper": (1, 1),
    "contains": (2, 2),
    "any_of": (2, 2),
    "all_of": (2, 2),
    "days_since": (1, 1),
    "min": (1, None),
    "max": (1, None),
    "abs": (1, 1),
    "round": (1, 2),
}

# --- limits ----------------------------------------------------------------------------------

MAX_EXPRESSION_CHARS = 500
MAX_EXPRESSION_NODES = 200
MAX_LIST_ITEMS = 1_000
MAX_TEXT_CHARS = 10_000
MAX_EXPONENT = 100
MAX_POWER_BITS = 4_096
MAX_ROUND_DIGITS = 15


class ExpressionError(ValueError):
    """An expression or template that is refused before it runs (a check error)."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


class EvaluationError(Exception):
    """An expression that failed while running (unset answer, wrong types, too large...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Reference:
    """``root.name`` read by an expression or template."""

    root: str
    name: str
    has_default: bool = False  # templates: ``{answers.x|...}``


@dataclass(frozen=True, slots=True)
class OptionUse:
    """An answer compared with a constant: ``answers.plan == 'family'``."""

    var: str
    value: object
    column: int | None = None


@dataclass(frozen=True, slots=True)
class Env:
    """What an expression sees. ``today`` is the date ``days_since`` counts to."""

    answers: Mapping[str, Any]
    customer: Mapping[str, Any]
    call: Mapping[str, Any]
    today: date
    language: str = "zh"


@dataclass(frozen=True, slots=True)
class Expression:
    source: str
    tree: ast.expr = field(compare=False, repr=False)
    references: tuple[Reference, ...] = ()
    option_uses: tuple[OptionUse, ...] = ()

    @property
    def answers_used(self) -> frozenset[str]:
        return frozenset(r.name for r in self.references if r.root == "answers")


# --- checking --------------------------------------------------------------------------------

_ALLOWED_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
_ALLOWED_UNARY = (ast.Not, ast.USub, ast.UAdd)
_ALLOWED_COMPARE = (
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
)
_REFUSED: Mapping[type[ast.AST], str] = {
    ast.ListComp: "comprehensions are not available",
    ast.SetComp: "comprehensions are not available",
    ast.DictComp: "comprehensions are not available",
    ast.GeneratorExp: "comprehensions are not available",
    ast.Lambda: "lambda is not available",
    ast.Subscript: "indexing with [ ] is not available",
    ast.Dict: "{...} dictionaries are not available",
    ast.JoinedStr: "f-strings are not available",
    ast.NamedExpr: "':=' is not available",
    ast.Starred: "'*' unpacking is not available",
    ast.Await: "await is not available",
    ast.Yield: "yield is not available",
    ast.YieldFrom: "yield is not available",
    ast.Slice: "slices are not available",
}


def _column(source: str, node: ast.AST) -> int | None:
    offset = getattr(node, "col_offset", None)
    if offset is None:
        return None
    # ast offsets count UTF-8 bytes; people count characters.
    return len(source.encode("utf-8")[:offset].decode("utf-8", errors="ignore")) + 1


def _field_problem(root: str, name: str) -> str | None:
    if name.startswith("_"):
        return f"names starting with '_' are not allowed ({root}.{name})"
    known = FIELDS.get(root)
    if known is not None and name not in known:
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        if close:
            return f"{root} has no field {name!r}; did you mean {close[0]!r}?"
        return f"{root} has no field {name!r}; known: {', '.join(sorted(known))}"
    return None


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.count = 0
        self.references: list[Reference] = []
        self.option_uses: list[OptionUse] = []

    def fail(self, message: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(message, _column(self.source, node))

    def visit(self, node: ast.AST) -> None:
        self.count += 1
        if self.count > MAX_EXPRESSION_NODES:
            raise self.fail(
                f"the expression is too complex (over {MAX_EXPRESSION_NODES} parts)", node
            )
        if type(node) in _REFUSED:
            raise self.fail(_REFUSED[type(node)], node)
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise self.fail(f"{type(node).__name__} is not available in flow expressions", node)
        method(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if node.value is not None and type(node.value) not in (str, int, float, bool):
            raise self.fail("only text, numbers, true/false and null can be written", node)

    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if name in CONSTANT_NAMES:
            return
        if name.startswith("_"):
            raise self.fail(f"{name!r} is not allowed: names starting with '_' are refused", node)
        if name in ROOTS:
            raise self.fail(f"write {name}.<field>, not {name} alone", node)
        if name in FUNCTIONS:
            raise self.fail(f"{name} is a function: call it, e.g. {name}(...)", node)
        raise self.fail(
            f"unknown name {name!r}: use answers.{name}, customer.<field> or call.<field>;"
            f" for text, quote it: '{name}'",
            node,
        )

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_"):
            raise self.fail(
                f"'.{node.attr}' is not allowed: names starting with '_' are refused", node
            )
        if not (isinstance(node.value, ast.Name) and node.value.id in ROOTS):
            raise self.fail(
                f"'.{node.attr}' is not available: only answers.<name>, customer.<field> and"
                " call.<field> are read with '.' (use lower(x), len(x)... for the rest)",
                node,
            )
        root = node.value.id
        problem = _field_problem(root, node.attr)
        if problem:
            raise self.fail(problem, node)
        self.references.append(Reference(root, node.attr))

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        for value in node.values:
            self.visit(value)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if not isinstance(node.op, _ALLOWED_UNARY):
            raise self.fail(f"the operator {type(node.op).__name__} is not available", node)
        self.visit(node.operand)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if not isinstance(node.op, _ALLOWED_BINOPS):
            raise self.fail(f"the operator {type(node.op).__name__} is not available", node)
        if (
            isinstance(node.op, ast.Pow)
            and isinstance(node.right, ast.Constant)
            and isinstance(node.right.value, int | float)
            and abs(node.right.value) > MAX_EXPONENT
        ):
            raise self.fail(f"the power is too large (exponents up to {MAX_EXPONENT})", node)
        self.visit(node.left)
        self.visit(node.right)

    def visit_Compare(self, node: ast.Compare) -> None:
        for operation in node.ops:
            if not isinstance(operation, _ALLOWED_COMPARE):
                raise self.fail(f"the comparison {type(operation).__name__} is not available", node)
        self.visit(node.left)
        for comparator in node.comparators:
            self.visit(comparator)
        left = node.left
        for operation, right in zip(node.ops, node.comparators, strict=True):
            self._option_compare(left, operation, right)
            left = right

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self.visit(node.test)
        self.visit(node.body)
        self.visit(node.orelse)

    def visit_Call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                if node.func.attr.startswith("_"):
                    self.visit(node.func)  # reports the '_' name
                self.visit(node.func.value)  # reports what it is called on first
            raise self.fail(
                "only the listed functions can be called (methods are not available):"
                f" {', '.join(FUNCTIONS)}",
                node,
            )
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.fail(
                f"the function {name!r} is not allowed; allowed: {', '.join(FUNCTIONS)}", node
            )
        if node.keywords:
            raise self.fail(f"{name}() takes no keyword arguments", node)
        fewest, most = FUNCTIONS[name]
        count = len(node.args)
        if count < fewest or (most is not None and count > most):
            wanted = str(fewest) if fewest == most else f"{fewest} or more"
            if most is not None and most != fewest:
                wanted = f"{fewest} to {most}"
            raise self.fail(f"{name}() takes {wanted} argument(s), got {count}", node)
        for argument in node.args:
            self.visit(argument)
        if name in ("contains", "any_of", "all_of"):
            var = _answer_var(node.args[0])
            if var is not None:
                for value in _constants(node.args[1]):
                    self.option_uses.append(OptionUse(var, value, _column(self.source, node)))

    def _sequence(self, node: ast.List | ast.Tuple | ast.Set) -> None:
        if len(node.elts) > MAX_LIST_ITEMS:
            raise self.fail(f"a list may hold at most {MAX_LIST_ITEMS} items", node)
        for element in node.elts:
            self.visit(element)

    def visit_List(self, node: ast.List) -> None:
        self._sequence(node)

    def visit_Tuple(self, node: ast.Tuple) -> None:
        self._sequence(node)

    def visit_Set(self, node: ast.Set) -> None:
        self._sequence(node)

    def _option_compare(self, left: ast.expr, operation: ast.cmpop, right: ast.expr) -> None:
        column = _column(self.source, left)
        if isinstance(operation, ast.Eq | ast.NotEq):
            for a, b in ((left, right), (right, left)):
                var = _answer_var(a)
                if var is not None and isinstance(b, ast.Constant):
                    self.option_uses.append(OptionUse(var, b.value, column))
        elif isinstance(operation, ast.In | ast.NotIn):
            var = _answer_var(left)
            if var is not None:  # answers.plan in ['a', 'b']
                for value in _constants(right):
                    self.option_uses.append(OptionUse(var, value, column))
            var = _answer_var(right)
            if var is not None and isinstance(left, ast.Constant):  # 'wifi' in answers.needs
                self.option_uses.append(OptionUse(var, left.value, column))


def _answer_var(node: ast.expr) -> str | None:
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "answers"
    ):
        return node.attr
    return None


def _constants(node: ast.expr) -> list[object]:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)]
    return []


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Expression:
    """Check ``source``; raises :class:`ExpressionError` naming what is refused and where."""
    text = source.strip()
    if not text:
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(
            f"the expression has {len(text)} characters; the limit is {MAX_EXPRESSION_CHARS}"
        )
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        column = exc.offset if exc.offset and exc.offset > 0 else None
        message = exc.msg or "invalid syntax"
        raise ExpressionError(f"syntax error: {message}", column) from None
    checker = _Checker(text)
    checker.visit(tree.body)
    return Expression(
        source=text,
        tree=tree.body,
        references=tuple(dict.fromkeys(checker.references)),
        option_uses=tuple(checker.option_uses),
    )


# --- running ---------------------------------------------------------------------------------


class _Unset(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _Root:
    """A read-only view of answers, customer or call, as the evaluator sees it."""

    __slots__ = ("name", "strict", "values")

    def __init__(self, name: str, values: Mapping[str, Any], strict: bool) -> None:
        self.name = name
        self.values = values
        self.strict = strict

    def get(self, key: str) -> Any:
        if key not in self.values or self.values[key] is None:
            if self.strict:
                raise _Unset(key)
            return None
        return _frozen(self.values[key])


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_frozen(v) for v in value)
    return value


def _too_long(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) > MAX_TEXT_CHARS
    if isinstance(value, list | tuple | set | frozenset):
        return len(value) > MAX_LIST_ITEMS
    return False


def _safe_add(a: Any, b: Any) -> Any:
    result = a + b
    if _too_long(result):
        raise EvaluationError("the result of '+' is too long")
    return result


def _safe_mult(a: Any, b: Any) -> Any:
    if not (isinstance(a, int | float) and isinstance(b, int | float)):
        raise EvaluationError("only numbers can be multiplied")
    return a * b


def _safe_mod(a: Any, b: Any) -> Any:
    if not (isinstance(a, int | float) and isinstance(b, int | float)):
        raise EvaluationError("'%' works on numbers only")
    return a % b


def _safe_power(a: Any, b: Any) -> Any:
    if not (isinstance(a, int | float) and isinstance(b, int | float)):
        raise EvaluationError("'**' works on numbers only")
    if abs(b) > MAX_EXPONENT:
        raise EvaluationError(f"the power is too large (exponents up to {MAX_EXPONENT})")
    if isinstance(a, int) and isinstance(b, int) and b > 0 and a.bit_length() * b > MAX_POWER_BITS:
        raise EvaluationError("the power is too large")
    return a**b


def _contains(container: Any, item: Any) -> bool:
    return item in container


def _not_contains(container: Any, item: Any) -> bool:
    return item not in container


_OPERATORS: Mapping[type[ast.AST], Callable[..., Any]] = {
    ast.Add: _safe_add,
    ast.Sub: op.sub,
    ast.Mult: _safe_mult,
    ast.Div: op.truediv,
    ast.FloorDiv: op.floordiv,
    ast.Mod: _safe_mod,
    ast.Pow: _safe_power,
    ast.Eq: op.eq,
    ast.NotEq: op.ne,
    ast.Lt: op.lt,
    ast.LtE: op.le,
    ast.Gt: op.gt,
    ast.GtE: op.ge,
    ast.In: lambda a, b: _contains(b, a),
    ast.NotIn: lambda a, b: _not_contains(b, a),
    ast.Is: op.is_,
    ast.IsNot: op.is_not,
    ast.Not: op.not_,
    ast.USub: op.neg,
    ast.UAdd: op.pos,
}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def to_date(value: Any) -> date:
    """A date from a date, a datetime or an ISO text (``2026-03-01``, ``2026-03-01T10:00``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)
        except ValueError:
            pass
    raise EvaluationError(f"{value!r} is not a date (write it like 2026-03-01)")


def _functions(env: Env) -> dict[str, Callable[..., Any]]:
    tags = {str(t).casefold() for t in _as_list(env.customer.get("tags"))}
    products = {normalize_code(str(p)) for p in _as_list(env.customer.get("products"))}

    def has_tag(tag: Any) -> bool:
        return str(tag).casefold() in tags

    def owns(product: Any) -> bool:
        return normalize_code(str(product)) in products

    def length(value: Any) -> int:
        return 0 if value is None else len(value)

    def lower(value: Any) -> str:
        return "" if value is None else str(value).lower()

    def upper(value: Any) -> str:
        return "" if value is None else str(value).upper()

    def contains(container: Any, item: Any) -> bool:
        if container is None:
            return False
        if isinstance(container, str):
            return str(item) in container
        return item in _as_list(container)

    def any_of(value: Any, options: Any) -> bool:
        wanted = _as_list(options)
        return any(v in wanted for v in _as_list(value))

    def all_of(value: Any, options: Any) -> bool:
        present = _as_list(value)
        return all(o in present for o in _as_list(options))

    def days_since(value: Any) -> int:
        if value is None:
            raise EvaluationError("days_since() got no date")
        return (env.today - to_date(value)).days

    def rounded(value: Any, digits: Any = None) -> Any:
        if digits is None:
            return round(value)
        if not isinstance(digits, int) or abs(digits) > MAX_ROUND_DIGITS:
            raise EvaluationError(f"round() takes at most {MAX_ROUND_DIGITS} digits")
        return round(value, digits)

    return {
        "has_tag": has_tag,
        "owns": owns,
        "len": length,
        "lower": lower,
        "upper": upper,
        "contains": contains,
        "any_of": any_of,
        "all_of": all_of,
        "days_since": days_since,
        "min": min,
        "max": max,
        "abs": abs,
        "round": rounded,
    }


class _Evaluator(simpleeval.SimpleEval):  # type: ignore[misc]
    """simpleeval with only the nodes the checker lets through, and our own roots."""

    def __init__(self, env: Env) -> None:
        super().__init__(operators=dict(_OPERATORS), functions=_functions(env), names={})
        self.roots = {
            "answers": _Root("answers", env.answers, strict=True),
            "customer": _Root("customer", env.customer, strict=False),
            "call": _Root("call", env.call, strict=False),
        }
        self.nodes = {
            ast.Constant: self._eval_constant,
            ast.Name: self._eval_name,
            ast.Attribute: self._eval_attribute,
            ast.BoolOp: self._eval_boolop,
            ast.UnaryOp: self._eval_unaryop,
            ast.BinOp: self._eval_binop,
            ast.Compare: self._eval_compare,
            ast.IfExp: self._eval_ifexp,
            ast.Call: self._eval_call,
            ast.List: self._eval_sequence,
            ast.Tuple: self._eval_sequence,
            ast.Set: self._eval_sequence,
        }

    def _eval_name(self, node: ast.Name) -> Any:
        if node.id in CONSTANT_NAMES:
            return CONSTANT_NAMES[node.id]
        if node.id in self.roots:
            return self.roots[node.id]
        raise simpleeval.NameNotDefined(node.id, self.expr)

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("_"):
            raise simpleeval.FeatureNotAvailable(f"'.{node.attr}' is not allowed")
        base = self._eval(node.value)
        if not isinstance(base, _Root):
            raise simpleeval.FeatureNotAvailable(f"'.{node.attr}' is not available")
        return base.get(node.attr)

    def _eval_sequence(self, node: ast.List | ast.Tuple | ast.Set) -> tuple[Any, ...]:
        return tuple(self._eval(element) for element in node.elts)


def evaluate(expression: Expression | str, env: Env) -> Any:
    """The value of ``expression`` in ``env``; raises :class:`EvaluationError` only."""
    if isinstance(expression, str):
        try:
            expression = compile_expression(expression)
        except ExpressionError as exc:
            raise EvaluationError(exc.message) from None
    try:
        result = _Evaluator(env).eval(expression.source, previously_parsed=expression.tree)
    except EvaluationError:
        raise
    except _Unset as exc:
        raise EvaluationError(f"answers.{exc.name} has no answer on this path") from None
    except simpleeval.InvalidExpression as exc:
        raise EvaluationError(str(exc)) from None
    except (ArithmeticError, TypeError, ValueError, RecursionError, MemoryError) as exc:
        raise EvaluationError(f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # the boundary: a call script never crashes the console
        raise EvaluationError(f"{type(exc).__name__}: {exc}") from None
    if _too_long(result):
        raise EvaluationError("the result is too long")
    return result


def truthy(expression: Expression | str, env: Env) -> bool:
    """``evaluate`` as a condition."""
    return bool(evaluate(expression, env))


# --- templates -------------------------------------------------------------------------------

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|\{")
_FIELD = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|(.*))?", re.S)


@dataclass(frozen=True, slots=True)
class Placeholder:
    root: str
    name: str
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Template:
    source: str
    parts: tuple[str | Placeholder, ...] = ()

    @property
    def references(self) -> tuple[Reference, ...]:
        return tuple(
            Reference(p.root, p.name, p.default is not None)
            for p in self.parts
            if isinstance(p, Placeholder)
        )


@lru_cache(maxsize=4096)
def compile_template(source: str) -> Template:
    """Split ``source`` into text and fields; raises :class:`ExpressionError` when a brace
    does not make a field."""
    parts: list[str | Placeholder] = []
    text: list[str] = []
    position = 0
    for match in _TOKEN.finditer(source):
        text.append(source[position : match.start()])
        position = match.end()
        found_text = match.group(0)
        if found_text in ("{{", "}}"):
            text.append(found_text[0])
            continue
        column = len(source[: match.start()]) + 1
        if found_text == "{":
            raise ExpressionError(
                "'{' opens a field that is never closed (write {{ for a brace)", column
            )
        inner = match.group(1) or ""
        found = _FIELD.fullmatch(inner)
        if not found or found.group(1) not in ROOTS:
            raise ExpressionError(
                f"{{{inner}}} is not a field: write {{customer.name}}, {{answers.plan}} or"
                " {call.queue} ({{ and }} for braces)",
                column,
            )
        root, name, default = found.group(1), found.group(2), found.group(3)
        problem = _field_problem(root, name)
        if problem:
            raise ExpressionError(problem, column)
        if text:
            parts.append("".join(text))
            text = []
        parts.append(Placeholder(root, name, default))
    text.append(source[position:])
    if "".join(text):
        parts.append("".join(text))
    return Template(source, tuple(parts))


def display(value: Any, language: str = "zh", labels: Mapping[str, str] | None = None) -> str:
    """How a value is shown in a template: labels for choices, 是/否 for yes/no..."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if language == "en":
            return "yes" if value else "no"
        return "是" if value else "否"
    if isinstance(value, list | tuple | set | frozenset):
        separator = ", " if language == "en" else "、"
        return separator.join(display(v, language, labels) for v in value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, str) and labels:
        return labels.get(value, value)
    return str(value)


def render(
    template: Template | str,
    env: Env,
    labels: Callable[[str], Mapping[str, str]] | None = None,
) -> str:
    """``template`` with its fields filled from ``env``; ``labels(var)`` gives option labels.
    Raises :class:`EvaluationError` for an answer with no value and no ``|default``."""
    if isinstance(template, str):
        try:
            template = compile_template(template)
        except ExpressionError as exc:
            raise EvaluationError(exc.message) from None
    out: list[str] = []
    sources: dict[str, Mapping[str, Any]] = {
        "answers": env.answers,
        "customer": env.customer,
        "call": env.call,
    }
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value = sources[part.root].get(part.name)
        if value is None or value == "" or value == [] or value == ():
            if part.default is not None:
                out.append(part.default)
                continue
            if part.root == "answers":
                raise EvaluationError(f"answers.{part.name} has no answer on this path")
            continue
        option_labels = labels(part.name) if labels and part.root == "answers" else None
        try:
            out.append(display(value, env.language, option_labels))
        except ValueError as exc:  # e.g. an int too long to print
            raise EvaluationError(str(exc)) from None
    result = "".join(out)
    if len(result) > MAX_TEXT_CHARS * 2:
        raise EvaluationError("the text is too long")
    return result
