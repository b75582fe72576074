"""Safe condition expressions for scenario files.

Conditions such as "two certified officers" or "hearing thresholds by party kind" are written in YAML as
small Python-syntax expressions. Each expression is parsed once, at load time, against a small whitelist of
AST nodes (no `eval`, no imports, no dunder access, no method calls), checked against the names the engine
will provide (an unknown name, an unknown function or an unknown attribute of a known record is a load error,
not a surprise in the middle of a trainee's session), and compiled into closures (see `compile_tree`) that
keep the semantics of `simpleeval`, the evaluator the engine used to walk the trees with.
"""

from __future__ import annotations

import ast
import operator
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


def record(value: Any) -> Any:
    """Plain data as expressions read it: every dict a `Rec` (lists and scalars kept)."""
    if isinstance(value, dict):
        return Rec({k: record(v) if isinstance(v, (dict, list)) else v for k, v in value.items()})
    if isinstance(value, list):
        return [record(v) if isinstance(v, (dict, list)) else v for v in value]
    return value


@attrs.frozen(eq=False)
class Expr:
    """A parsed expression; `names` are the root names it reads, `attrs_read` the (root, attribute) pairs."""

    source: str
    tree: ast.AST = attrs.field(repr=False)
    names: frozenset[str]
    calls: tuple[tuple[str, tuple[Any, ...]], ...]
    attrs_read: frozenset[tuple[str, str]]
    # The compiled closures (see compile_tree), built once when the expression is parsed.
    fn: Compiled = attrs.field(repr=False, eq=False, default=attrs.Factory(
        lambda self: compile_fast(self.tree, compile_tree(self.tree, self.source), self.source), takes_self=True))

    def __str__(self) -> str:
        return self.source


# Parsed expressions by their text. An Expr is immutable and everything in it (names, calls, the compiled
# functions) follows from the text alone, so one text is parsed and compiled once per process: a library's
# cases repeat their templates' conditions. Only accepted texts are kept (a refusal raises again each time);
# the memo is bounded, and when it is full new texts are parsed without being kept.
_PARSED: dict[str, Expr] = {}
_PARSED_MAX = 20_000


def parse(source: Any) -> Expr:
    """Parse and statically check the shape of an expression (names are checked by `check_names`)."""
    if type(source) is str:
        got = _PARSED.get(source)
        if got is not None:
            return got
        got = _parse(source)
        if len(_PARSED) < _PARSED_MAX:
            _PARSED[source] = got
        return got
    return _parse(source)


def _parse(source: Any) -> Expr:
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


# --- compilation --------------------------------------------------------------------------------------------
#
# A parsed expression is compiled once, at load time, into a tree of closures: one Python function per AST
# node, built from the whitelisted nodes only (`parse` has refused everything else), so evaluating a rule is a
# handful of plain calls instead of simpleeval walking the tree node by node, dispatching on the node type and
# re-checking every intermediate value. Nothing is ever `eval`ed or `compile`d from source text. The closures
# keep simpleeval's semantics (its length-guarded `+` and `*`, `a.b` reading a record's key when `b` is not an
# attribute, its exception classes for a missing name or attribute), so results are the same as before.
#
# A closure takes the evaluation context: a mapping of the root names (act, party, flags...) plus, under
# FUNCTIONS_KEY, the functions an expression may call. A function is called as `f(context, *args)`, so the
# engine's functions are plain module-level functions that find their session in the context (nothing is
# bound per session or per evaluation).

FUNCTIONS_KEY = "_functions"  # an underscore name: no author-written name can read or shadow it
Compiled = Callable[[Mapping[str, Any]], Any]

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: simpleeval.safe_add, ast.Sub: operator.sub, ast.Mult: simpleeval.safe_mult,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda x, y: x in y, ast.NotIn: lambda x, y: x not in y,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos}


def compile_tree(node: ast.AST, source: str) -> Compiled:  # noqa: C901, PLR0911, PLR0912 - one case per node type
    """Closures for a tree `parse` accepted (see the module comment)."""
    c = compile_tree
    if isinstance(node, ast.Expression):
        return c(node.body, source)
    if isinstance(node, ast.Constant):
        value = node.value
        return lambda n: value
    if isinstance(node, ast.Name):
        key = node.id

        def name(n: Mapping[str, Any]) -> Any:
            try:
                return n[key]
            except KeyError:
                raise simpleeval.NameNotDefined(key, source) from None
        return name
    if isinstance(node, ast.Attribute):
        return _compile_attribute(c(node.value, source), node.attr, source)
    if isinstance(node, ast.Subscript):
        container, index = c(node.value, source), c(node.slice, source)
        return lambda n: container(n)[index(n)]
    if isinstance(node, ast.Call):
        return _compile_call(node.func.id, [c(a, source) for a in node.args])  # type: ignore[attr-defined]
    if isinstance(node, ast.BoolOp):
        parts = [c(v, source) for v in node.values]
        if isinstance(node.op, ast.And):
            def all_(n: Mapping[str, Any]) -> Any:
                value: Any = False
                for p in parts:
                    value = p(n)
                    if not value:
                        return value
                return value
            return all_

        def any_(n: Mapping[str, Any]) -> Any:
            value: Any = False
            for p in parts:
                value = p(n)
                if value:
                    return value
            return value
        return any_
    if isinstance(node, ast.Compare):
        return _compile_compare(c(node.left, source), [_CMPOPS[type(o)] for o in node.ops],
                                [c(x, source) for x in node.comparators])
    if isinstance(node, ast.IfExp):
        test, body, orelse = c(node.test, source), c(node.body, source), c(node.orelse, source)
        return lambda n: body(n) if test(n) else orelse(n)
    if isinstance(node, ast.UnaryOp):
        fn1, operand = _UNARY[type(node.op)], c(node.operand, source)
        return lambda n: fn1(operand(n))
    if isinstance(node, ast.BinOp):
        fn2, left, right = _BINOPS[type(node.op)], c(node.left, source), c(node.right, source)
        return lambda n: fn2(left(n), right(n))
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [c(x, source) for x in node.elts]
        if isinstance(node, ast.List):
            return lambda n: [i(n) for i in items]
        return lambda n: tuple(i(n) for i in items)
    # `parse` refuses every other node; reaching this is a bug in the whitelist, not an author's mistake.
    raise ExprError(f"条件表达式中不允许使用「{type(node).__name__}」：{source}")


# Names a record (`Rec`) has as attributes: reading one of them finds the attribute, as simpleeval would.
_REC_ATTRS = frozenset(dir(dict)) | {"__getattr__"}


def _compile_attribute(value: Compiled, attr: str, source: str) -> Compiled:
    plain_key = attr not in _REC_ATTRS

    def attribute(n: Mapping[str, Any]) -> Any:
        obj = value(n)
        if plain_key and type(obj) is Rec:
            return obj.get(attr)  # what getattr would find through Rec.__getattr__, without the detour
        try:
            return getattr(obj, attr)
        except (AttributeError, TypeError):
            try:
                return obj[attr]
            except (KeyError, TypeError):
                raise simpleeval.AttributeDoesNotExist(attr, source) from None
    return attribute


def _compile_call(fname: str, args: list[Compiled]) -> Compiled:
    if not args:
        return lambda n: n[FUNCTIONS_KEY][fname](n)
    if len(args) == 1:
        a0 = args[0]
        return lambda n: n[FUNCTIONS_KEY][fname](n, a0(n))
    if len(args) == 2:
        a0, a1 = args
        return lambda n: n[FUNCTIONS_KEY][fname](n, a0(n), a1(n))
    return lambda n: n[FUNCTIONS_KEY][fname](n, *[a(n) for a in args])


def _compile_compare(left: Compiled, ops: list[Callable[[Any, Any], Any]], rights: list[Compiled]) -> Compiled:
    if len(ops) == 1:
        op, right = ops[0], rights[0]
        return lambda n: op(left(n), right(n))
    pairs = list(zip(ops, rights))

    def chain(n: Mapping[str, Any]) -> Any:
        lhs = left(n)
        result: Any = True
        for op, right in pairs:
            rhs = right(n)
            result = op(lhs, rhs)
            if not result:
                return result
            lhs = rhs
        return result
    return chain


# --- the fast path -------------------------------------------------------------------------------------------
#
# On top of the closures, each expression gets one Python function built from a rewritten copy of its
# whitelisted tree (never from source text): every author name `x` becomes a read of the context,
# `_n['x']`; a call `f(a)` becomes `_n[FUNCTIONS_KEY]['f'](_n, a)`; `+` and `*` call simpleeval's
# length-guarded helpers; `a.b` reads a record's key directly (`_get`). The tree is compiled into a code object and wrapped with `types.FunctionType` in
# globals holding only those helpers and no builtins, so no name in a file can reach Python's namespace. One
# function call then evaluates a whole rule instead of one closure call per node. Whenever the fast function
# raises (a missing name, an attribute a record reads by key, a type error), the closures evaluate the same
# context instead, so the result and the exception (class and message) are exactly the closures'.


class _Rewrite(ast.NodeTransformer):
    """The fast path's rewrite of a whitelisted tree. `name(id)` gives the node that reads an author's root
    name, `function(fname)` the node that is the function a call calls; by default both read the evaluation
    context (`_n['x']`, `_n[FUNCTIONS_KEY]['f']`). sim.actplan passes its own, to read them from locals and
    from the function's globals."""

    def __init__(self, name: Callable[[str], ast.expr] | None = None,
                 function: Callable[[str], ast.expr] | None = None,
                 key: Callable[[str, str], ast.expr | None] | None = None):
        self._name = name or _context_read
        self._function = function or _context_function
        # `key(root, attr)`: the node that reads `root.attr` for a root name whose value is always a Rec (so the
        # read is `.get(attr)`), or None for the general read.
        self._key = key

    def visit(self, node: ast.AST) -> ast.AST:
        out = super().visit(node)
        _stamp(out, node)  # children come back stamped already: only the nodes made here lack a position
        return out

    def visit_Name(self, node: ast.Name) -> ast.AST:  # noqa: N802 - NodeTransformer's naming
        return self._name(node.id)

    def visit_Call(self, node: ast.Call) -> ast.AST:  # noqa: N802
        fname = node.func.id  # type: ignore[attr-defined] - parse allows plain names only
        args = [self.visit(a) for a in node.args]
        return ast.Call(self._function(fname), [ast.Name("_n", ast.Load()), *args], [])

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:  # noqa: N802
        value = self.visit(node.value)
        if node.attr in _REC_ATTRS:
            return ast.Attribute(value, node.attr, ast.Load())
        if self._key is not None and isinstance(node.value, ast.Name):
            read = self._key(node.value.id, node.attr)
            if read is not None:
                return read
        # `_get(value, attr)` inline, without the call: `(_t.get(attr) if _type(_t := value) is _Rec else
        # _getattr(_t, attr))`. The test binds `_t` right before either branch reads it; a nested read binds it
        # inside the test, before the outer binding, and every other operand is complete before the next starts.
        attr = ast.Constant(node.attr)
        bound = ast.NamedExpr(ast.Name("_t", ast.Store()), value)
        test = ast.Compare(ast.Call(ast.Name("_type", ast.Load()), [bound], []), [ast.Is()],
                           [ast.Name("_Rec", ast.Load())])
        read = ast.Call(ast.Attribute(ast.Name("_t", ast.Load()), "get", ast.Load()), [attr], [])
        other = ast.Call(ast.Name("_getattr", ast.Load()), [ast.Name("_t", ast.Load()), attr], [])
        return ast.IfExp(test, read, other)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:  # noqa: N802
        left, right = self.visit(node.left), self.visit(node.right)
        helper = {ast.Add: "_safe_add", ast.Mult: "_safe_mult"}.get(type(node.op))
        if helper is None:
            return ast.BinOp(left, node.op, right)
        return ast.Call(ast.Name(helper, ast.Load()), [left, right], [])


def _get(obj: Any, attr: str) -> Any:
    """`obj.attr` for an attribute name no dict has: a record's key without Rec.__getattr__'s detour (a
    failed normal lookup raises internally first), anything else's attribute."""
    if type(obj) is Rec:
        return obj.get(attr)
    return getattr(obj, attr)


def _context_read(key: str) -> ast.expr:
    return ast.Subscript(ast.Name("_n", ast.Load()), ast.Constant(key), ast.Load())


def _context_function(fname: str) -> ast.expr:
    return ast.Subscript(_context_read(FUNCTIONS_KEY), ast.Constant(fname), ast.Load())


def rewritten(source: str, name: Callable[[str], ast.expr] | None = None,
              function: Callable[[str], ast.expr] | None = None,
              key: Callable[[str, str], ast.expr | None] | None = None) -> ast.expr:
    """A fresh fast-path tree of an accepted expression (see `_Rewrite`), parsed again from its text (cheaper
    than a deep copy of the stored tree): what `compile_fast` compiles, and what sim.actplan inlines."""
    fresh = ast.parse(source.strip(), mode="eval").body
    return _Rewrite(name, function, key).visit(fresh)  # type: ignore[return-value]


# What a compiled function's globals always hold besides the helpers it is given: no builtins at all.
_SCOPE: dict[str, Any] = {"__builtins__": {}, "Exception": Exception, "_get": _get, "_type": type,
                          "_getattr": getattr, "_Rec": Rec, "_safe_add": simpleeval.safe_add,
                          "_safe_mult": simpleeval.safe_mult}


def function_code(name: str, args: list[str], body: list[ast.stmt]) -> Any:
    """The code object of `def name(*args): body`, for a body built from rewritten whitelisted trees (never
    from source text). `make_function` gives it its globals."""
    import types

    fdef = ast.FunctionDef(name, ast.arguments([], [ast.arg(a) for a in args], None, [], [], None, []), body, [])
    module = ast.Module([fdef], [])
    _stamp(module)
    code = compile(module, f"<{name}>", "exec")
    return next(c for c in code.co_consts if isinstance(c, types.CodeType))


def make_function(code: Any, scope: Mapping[str, Any]) -> Callable[..., Any]:
    """A function of `code` whose globals are `_SCOPE` plus `scope`: no builtins, so no name in a file reaches
    Python's namespace."""
    import types

    return types.FunctionType(code, {**_SCOPE, **scope})


def _stamp(node: ast.AST, like: ast.AST | None = None) -> None:
    """Give the nodes the rewrite made a source position (`like`'s, or line 1), as `compile` needs; the walk
    stops at nodes that have one, whose subtrees are complete. Cheaper than `ast.fix_missing_locations`,
    which walks the whole tree each time."""
    line, col = getattr(like, "lineno", 1), getattr(like, "col_offset", 0)
    end_line, end_col = getattr(like, "end_lineno", line), getattr(like, "end_col_offset", col)
    stack = [node]
    while stack:
        n = stack.pop()
        if hasattr(n, "lineno"):
            continue
        if "lineno" in n._attributes:
            n.lineno, n.col_offset, n.end_lineno, n.end_col_offset = line, col, end_line, end_col
        for field in n._fields:
            value = getattr(n, field, None)
            if isinstance(value, ast.AST):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, ast.AST))


def compile_fast(tree: ast.AST, slow: Compiled, source: str | None = None) -> Compiled:
    """One function for the whole expression, falling back to `slow` (its closures) when it raises. The
    rewrite works on a fresh tree (parsed again from `source` when given: cheaper than a deep copy)."""
    if source is not None:
        body = rewritten(source)
    else:
        import copy

        fresh = copy.deepcopy(tree.body if isinstance(tree, ast.Expression) else tree)
        body = _Rewrite().visit(fresh)
    handler = ast.ExceptHandler(ast.Name("Exception", ast.Load()), None,
                                [ast.Return(ast.Call(ast.Name("_slow", ast.Load()), [ast.Name("_n", ast.Load())], []))])
    code = function_code("expression", ["_n"], [ast.Try([ast.Return(body)], [handler], [], [])])
    return make_function(code, {"_slow": slow})  # type: ignore[return-value]


def context_free(functions: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Plain functions (`len`, `min`...) in the calling convention of compiled calls (context first)."""
    return {k: (lambda f: lambda _n, *a: f(*a))(f) for k, f in functions.items()}


class Evaluator:
    """Evaluates parsed expressions against plain names with plain functions (for tools and tests; the
    session builds its context itself and calls `Expr.fn` directly)."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]]):
        self._functions = context_free(functions)

    def __call__(self, expr: Expr, names: Mapping[str, Any]) -> Any:
        return expr.fn({**names, FUNCTIONS_KEY: self._functions})
