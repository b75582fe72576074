"""Safe condition expressions for scenario files.

Conditions such as "two certified officers" or "hearing thresholds by party kind" are written in YAML as
small Python-syntax expressions and evaluated by `simpleeval` (an AST-walking evaluator; no `eval`, no
imports, no dunder access). Each expression is parsed once, at load time, and checked against the names the
engine will provide: an unknown name, an unknown function, a method call or an unknown attribute of a known
record is a load error, not a surprise in the middle of a trainee's session.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import simpleeval

# Nodes an author may use. Everything else (lambda, comprehension, assignment, f-strings, walrus...) is refused.
_ALLOWED_NODES = (
    ast.Expression, ast.Expr, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
    ast.IfExp, ast.Call, ast.Name, ast.Load, ast.Attribute, ast.Constant, ast.List, ast.Tuple,
    ast.Subscript,
)
MAX_EXPR_CHARS = 2000
# Names that would read as a dict method instead of a key in `rec.key`: refused as parameter, field, fact,
# party or flag names.
RESERVED_KEYS = frozenset(n for n in dir(dict) if not n.startswith("_"))


class ExprError(ValueError):
    """An expression that cannot be accepted; message is for the scenario author (Chinese)."""


class Rec(dict):  # type: ignore[type-arg]
    """A record readable as `rec.key`; a missing key reads as None (an act that did not set a parameter).

    The loader refuses keys that are names of dict methods (`items`, `get`...), so `rec.key` always means the
    key."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)


@attrs.frozen(eq=False)
class Expr:
    """A parsed expression; `names` are the root names it reads, `attrs_read` the (root, attribute) pairs."""

    source: str
    tree: ast.AST = attrs.field(repr=False)
    names: frozenset[str]
    calls: tuple[tuple[str, tuple[Any, ...]], ...]
    attrs_read: frozenset[tuple[str, str]]

    def __str__(self) -> str:
        return self.source


def parse(source: Any) -> Expr:
    """Parse and statically check the shape of an expression (names are checked by `check_names`)."""
    if isinstance(source, bool):
        source = "True" if source else "False"
    if not isinstance(source, str):
        raise ExprError(f"条件表达式应为字符串，实际是 {type(source).__name__}")
    text = source.strip()
    if not text:
        raise ExprError("条件表达式为空")
    if len(text) > MAX_EXPR_CHARS:
        raise ExprError(f"条件表达式过长（超过 {MAX_EXPR_CHARS} 字符）")
    try:
        module = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"条件表达式语法错误（第 {exc.offset or 0} 个字符附近）：{text}") from None
    names: set[str] = set()
    calls: list[tuple[str, tuple[Any, ...]]] = []
    attrs_read: set[tuple[str, str]] = set()
    # Refuse forbidden constructs first, so `(lambda: 1)()` is reported as a lambda, not as a method call.
    for node in ast.walk(module):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExprError(f"条件表达式中不允许使用「{type(node).__name__}」：{text}")
    for node in ast.walk(module):
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExprError(f"名称不能以下划线开头：{node.id}")
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise ExprError(f"属性不能以下划线开头：{node.attr}")
            root = node.value
            if isinstance(root, ast.Name):
                attrs_read.add((root.id, node.attr))
            elif isinstance(root, ast.Call) and isinstance(root.func, ast.Name):
                arg0 = root.args[0].value if root.args and isinstance(root.args[0], ast.Constant) else None
                attrs_read.add((f"{root.func.id}({arg0})", node.attr))
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ExprError(f"只能调用内置函数，不能调用方法：{ast.unparse(node.func)}")
            if node.keywords:
                raise ExprError(f"函数 {node.func.id} 不接受关键字参数")
            consts = tuple(a.value if isinstance(a, ast.Constant) else None for a in node.args)
            calls.append((node.func.id, consts))
    return Expr(text, module.body, frozenset(names), tuple(calls), frozenset(attrs_read))


def check_names(expr: Expr, names: Iterable[str], functions: Iterable[str]) -> None:
    """Raise ExprError if the expression reads a name or calls a function the engine does not provide."""
    names, functions = set(names), set(functions)
    called = {fn for fn, _ in expr.calls}
    for fn in sorted(called):
        if fn not in functions:
            raise ExprError(f"未知函数「{fn}」（可用：{'、'.join(sorted(functions))}）：{expr.source}")
    for name in sorted(expr.names - called):
        if name not in names and name not in ("True", "False", "None"):
            raise ExprError(f"未知名称「{name}」（可用：{'、'.join(sorted(names))}）：{expr.source}")


class _DataOnlyEval(simpleeval.EvalWithCompoundTypes):  # type: ignore[misc]
    """simpleeval re-scans every intermediate value for modules and forbidden builtins, walking whole records
    each time. Here every value an expression can reach is engine-built data (dicts, lists, strings, numbers,
    dates) or one of the whitelisted functions, and `parse` has already refused method calls, dunders and
    every node outside a small whitelist, so the scan can never find anything; it was most of a step's cost."""

    def _check_disallowed_items(self, item: Any) -> None:
        return None


class Evaluator:
    """Evaluates parsed expressions against a context. One per session: it is cheap and not shared."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]]):
        self._ev = _DataOnlyEval(functions=dict(functions), names={})
        self._ev.ATTR_INDEX_FALLBACK = True

    def __call__(self, expr: Expr, names: Mapping[str, Any]) -> Any:
        self._ev.names = names  # type: ignore[assignment]
        self._ev.expr = expr.source
        return self._ev._eval(expr.tree)  # noqa: SLF001 - simpleeval's documented fast path for pre-parsed trees
