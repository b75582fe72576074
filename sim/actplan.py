"""One compiled function per action: the act rules an act of it is judged by (issue 15).

`ProcedureMachine.plans_on` lists, per action, the order / check / forbid rules that can concern it
(`sim.machine.RulePlan`). `rules_function` turns one action's list into a single Python function, built from
the rules' whitelisted trees (`sim.expr.rewritten`: never from source text, every name checked by the loader),
so an act evaluates all its rules in one call instead of one call per rule and per part:

    def rules(_s, _r_act, _fired, _ctx):          # session, the act's record, the rules fired, see below
        _out = None                               # what was found: a list once a rule finds something
        _n = {'_session': _s}                     # what the engine's functions read
        _k0 = _r_act.get('officers')              # each `act.key` the rules read, read once
        _w0 = None                                # a `when` reading only the act, evaluated once per act
        if 'two-officers' not in _fired:          # a rule compiled inline
            try:
                _s._element_problems = _p = []    # only for a rule calling a function that names problems
                if <when>:
                    if not <unless>:
                        if not <expr>:            # a check that fails (`if <expr>:` for a forbid)
                            <found (1, _p)>
            except Exception:                     # whatever fails is judged again the generic way
                _g = _generic(_s, _plans[1], _ctx)
                if _g is not None:
                    <found (1, _g)>
        if 'order-rule' not in _fired:            # a rule left to the generic way
            _g = _generic(_s, _plans[2], _ctx)
            if _g is not None:
                <found (2, _g)>
        return () if _out is None else _out

It returns, in rule order, `(index in the plan list, what was found)`: the element problems of a check or
forbid that found something (`None` when the rule calls no function that names problems), or the text of an
order rule's finding. The session words the findings (`Session._check_act`).

The generic way is `Session._judge`: one rule, read against the full evaluation context (`Session._names`,
built on first need and kept in `_ctx[0]` for the act's other rules), with diagnostics for an expression that
fails. It is the definition of what a rule means; the inline code is only a faster way to the same answer, so
a rule is compiled inline only where the answer cannot differ:

- it is a check or a forbid (an order rule is judged the generic way);
- it reads no named condition (conditions are evaluated once per context, in the generic way's context) and
  no root name but the ones read here: `act` (the parameter), `party` / `facts` / `penalty` / `case` (the
  case's, globals of the function), `flags` / `now` / `state` (read from the session when the function starts:
  nothing changes them while an act's rules are judged);
- every function it calls is one of the engine's (bound as globals, called with a context holding the session,
  which is all they read).

Whenever inline code raises, the rule is judged again from the start the generic way, which evaluates the same
expressions through the same compiled functions and their closures: the result, the diagnostic and the element
problems are the generic way's. Evaluating a rule changes nothing but the element problems (which the generic
way starts afresh) and caches, so judging it twice is judging it once.

The code of a function depends only on its rules' texts, ids and kinds, and is compiled once per distinct
list (a library's cases share their templates' rules); each case binds it to its own data.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from .expr import Expr, Rec, function_code, make_function, parse, rewritten

# The root names inline code reads, and where from: the act's record is the function's parameter; the case's
# data are globals bound per case; the session's flags, clock and state are read once when the function starts.
_STATIC_ROOTS = ("party", "facts", "penalty", "case")
_SESSION_ROOTS = {"flags": "_Rec(_s.flags)", "now": "_s.now", "state": "_s._state"}
_ROOTS = frozenset(("act", *_STATIC_ROOTS, *_SESSION_ROOTS))
# The roots whose value is always a record (`Rec`): the act's (Session._make_rec) and the flags' (built here);
# the case's data are records too where the case has them (`record()` of a mapping). `act.officers` then reads
# `_r_act.get('officers')` with no test of the type.
_RECORDS = frozenset(("act", "flags"))

Generic = Callable[[Any, Any, list[Any]], Any]  # Session._judge(session, plan, ctx)

# Compiled code by what it depends on (the rules' texts, ids and kinds; which roots are records; which functions
# are quiet), bounded like sim.expr's memo.
_CODES: dict[tuple[Any, ...], Any] = {}
_CODES_MAX = 4096


def _local(name: str) -> str:
    return f"_r_{name}"


def _read(name: str) -> ast.expr:
    return ast.Name(_local(name), ast.Load())


def _function(fname: str) -> ast.expr:
    return ast.Name(f"_f_{fname}", ast.Load())


def _parts(plan: Any) -> tuple[Expr | None, Expr | None, Expr | None]:
    """The when / unless / expression a plan evaluates (a `when` decided per action is gone from the plan)."""
    r = plan.rule
    return (r.when if plan.when is not None else None, r.unless if plan.unless is not None else None,
            r.expr if plan.expr is not None else None)


def _inline(plan: Any, functions: Collection[str]) -> bool:
    """Whether a rule is compiled inline (see the module's docstring)."""
    if plan.order or plan.expr is None or plan.when_conditions or plan.unless_conditions or plan.expr_conditions:
        return False
    parts = [e for e in _parts(plan) if e is not None]
    called = {f for e in parts for f, _ in e.calls}
    read = {n for e in parts for n in e.names} - called
    return read <= _ROOTS and called <= set(functions)


def _act_only(e: Expr) -> bool:
    """A `when` that reads only the act (and `len`): one value per act, however many rules share it."""
    called = {f for f, _ in e.calls}
    return e.names - called == {"act"} and called <= {"len"}


def _key(plans: Sequence[Any], functions: Collection[str], inline: bool) -> tuple[Any, ...]:
    out = []
    for p in plans:
        when, unless, expr = _parts(p)
        out.append((p.rule.id, p.order, p.forbid, inline and _inline(p, functions),
                    *(e.source if e is not None else None for e in (when, unless, expr))))
    return tuple(out)


def _stmt(text: str) -> ast.stmt:
    """A statement of the function's own scaffolding (fixed text of this module, never an author's)."""
    return ast.parse(text).body[0]


def _found(i: int, what: str) -> ast.stmt:
    return _stmt(f"if _out is None:\n    _out = [({i}, {what})]\nelse:\n    _out.append(({i}, {what}))")


def _generic_call(i: int) -> list[ast.stmt]:
    return [_stmt(f"_g = _generic(_s, _plans[{i}], _ctx)"), ast.If(_stmt("_g is not None").value, [_found(i, "_g")], [])]


def _code(key: tuple[Any, ...], records: frozenset[str], quiet: frozenset[str]) -> Any:
    got = _CODES.get((key, records, quiet))
    if got is not None:
        return got
    body: list[ast.stmt] = [_stmt("_out = None")]  # a list once a rule finds something
    # `root.key` of a root that is always a record reads the same value in every rule: read once, at the start
    # (`.get` cannot fail, and nothing changes the records while the rules are judged).
    keys: dict[tuple[str, str], str] = {}

    def key_read(root: str, attr: str) -> ast.expr | None:
        if root not in records:
            return None
        return ast.Name(keys.setdefault((root, attr), f"_k{len(keys)}"), ast.Load())

    def rewrite(source: str) -> ast.expr:
        return rewritten(source, _read, _function, key_read)

    reads: set[str] = set()
    calls = False
    memo: dict[str, str] = {}  # act-only whens by text -> their local
    rules: list[ast.stmt] = []
    for i, (rid, _order, forbid, inline, when, unless, expr) in enumerate(key):
        if not inline:
            rules.append(ast.If(ast.Compare(ast.Constant(rid), [ast.NotIn()], [ast.Name("_fired", ast.Load())]),
                                _generic_call(i), []))
            continue
        exprs = {part: parse(src) for part, src in (("when", when), ("unless", unless), ("expr", expr)) if src}
        for e in exprs.values():
            reads |= e.names - {f for f, _ in e.calls}
        resets = any(f not in quiet for e in exprs.values() for f, _ in e.calls)
        calls = calls or any(e.calls for e in exprs.values())
        hit: ast.expr = rewrite(expr)
        if not forbid:
            hit = ast.UnaryOp(ast.Not(), hit)
        inner: list[ast.stmt] = [ast.If(hit, [_found(i, "_p" if resets else "None")], [])]
        if unless:
            inner = [ast.If(ast.UnaryOp(ast.Not(), rewrite(unless)), inner, [])]
        if when:
            test = rewrite(when)
            if _act_only(exprs["when"]):
                w = memo.setdefault(when, f"_w{len(memo)}")
                # (_wK if _wK is not None else (_wK := _bool(<when>)))
                test = ast.IfExp(ast.Compare(ast.Name(w, ast.Load()), [ast.IsNot()], [ast.Constant(None)]),
                                 ast.Name(w, ast.Load()),
                                 ast.NamedExpr(ast.Name(w, ast.Store()),
                                               ast.Call(ast.Name("_bool", ast.Load()), [test], [])))
            inner = [ast.If(test, inner, [])]
        if resets:
            inner.insert(0, _stmt("_s._element_problems = _p = []"))
        handler = ast.ExceptHandler(ast.Name("Exception", ast.Load()), None, _generic_call(i))
        rules.append(ast.If(ast.Compare(ast.Constant(rid), [ast.NotIn()], [ast.Name("_fired", ast.Load())]),
                            [ast.Try(inner, [handler], [], [])], []))
    if calls:
        body.append(_stmt("_n = {'_session': _s}"))
    for name, source in _SESSION_ROOTS.items():
        if name in reads:
            body.append(_stmt(f"{_local(name)} = {source}"))
    for (root, attr), local in keys.items():
        body.append(ast.Assign([ast.Name(local, ast.Store())], ast.Call(
            ast.Attribute(_read(root), "get", ast.Load()), [ast.Constant(attr)], [])))
    body += [_stmt(f"{w} = None") for w in memo.values()]
    body += rules
    body.append(_stmt("return () if _out is None else _out"))
    code = function_code("rules", ["_s", _local("act"), "_fired", "_ctx"], body)
    if len(_CODES) < _CODES_MAX:
        _CODES[key, records, quiet] = code
    return code


def rules_function(plans: Sequence[Any], statics: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]],
                   quiet: frozenset[str], generic: Generic, *, inline: bool = True,
                   ) -> Callable[[Any, Any, set[str], list[Any]], list[tuple[int, Any]]]:
    """The function that judges an act of one action by `plans` (its `ProcedureMachine.plans_on` list): see the
    module's docstring. `statics` are the case's data as expressions read them (`CasePlan.static_names`),
    `functions` the engine's, `quiet` those of them that never name an element problem (a rule calling only
    these needs no fresh list of problems), `generic` the generic way (`Session._judge`). `inline=False` judges
    every rule the generic way (tests/test_actplan.py compares the two)."""
    key = _key(plans, functions, inline)
    scope: dict[str, Any] = {"_plans": list(plans), "_generic": generic, "_bool": bool}
    for name in _STATIC_ROOTS:
        scope[_local(name)] = statics[name]
    for fname, fn in functions.items():
        scope[f"_f_{fname}"] = fn
    records = _RECORDS | {n for n in _STATIC_ROOTS if type(statics[n]) is Rec}
    return make_function(_code(key, frozenset(records), quiet), scope)  # type: ignore[return-value]
