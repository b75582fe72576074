"""One compiled function per action: the fast validation of an act's parameters (issue 15).

`CasePlan.quick_params` says, per action, the shape of each parameter whose values the fast path can judge (a
boolean, one id or a list of ids of a closed set, a free text, the act's drafted document with each field's
options or kind). `quick_function` turns that table into a single Python function that checks and copies an
act's parameters in one pass, with no loop and no dispatch on the kind: one block per parameter (and per field
of the document), made from the fixed templates below, in which the ids are constants and the sets of valid
values are globals bound per case. For straw-burning-01's `inspect`:

    def quick(_params):
        if not _params.keys() <= _keys:          # a parameter the table has no entry for
            return None
        _out = _params.copy()                    # the values kept as given stay where they are
        _v = _out.get('officers')                # a list of ids of a closed set
        if _v is not None:
            if type(_v) is not list or not _valid0.issuperset(_v):
                return None
            _out['officers'] = <a copy, each id once, in order>
        elif 'officers' in _out:                 # left unset: left out
            del _out['officers']
        ...
        _v = _out.get('document')                # the drafted document, field by field
        ...
        return _out

It returns what `Session._clean_values` returns for parameters it accepts (the same values, in the same order),
and None for anything else: then the full validation judges the act and words the refusal. The table is the
one source of what the fast path accepts; the templates are this module's fixed text (never an author's), and
the code of a function depends only on the table's shape (parameter ids, tags, document field ids and kinds),
so it is compiled once per shape and shared by the cases of a template.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import Any

from .expr import function_code, make_function

# The shapes of parameter value (CasePlan.quick_params' tags): a boolean, a list of ids of a closed set, one id of
# a closed set, a free text, a drafted document (its fields by id).
BOOL, LIST, ONE, TEXT, DOC = range(5)

MAX_TEXT = 5000  # the longest text a parameter or a document field may hold (as Session._clean_values)
_BIG = 10**300  # an int below this converts to a finite float (math.isfinite would overflow above ~1.8e308)


def unstorable(text: str) -> bool:
    """Whether a text holds a code point UTF-8 cannot encode (a lone surrogate, from a broken paste or terminal):
    what makes a text unstorable in the journal. (Encoding is quicker than searching for one, in Chinese text.)"""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# The blocks, by tag. `_K` is the parameter's id (a constant in the compiled code), `_V` the global holding the
# values it accepts.
_PARAM = {
    BOOL: """
_v = _out.get(_K)
if _v is not None:
    if _v is not True and _v is not False:
        return None
elif _K in _out:
    del _out[_K]
""",
    ONE: """
_v = _out.get(_K)
if _v is not None:
    if type(_v) is not str or _v not in _V:
        return None
elif _K in _out:
    del _out[_K]
""",
    LIST: """
_v = _out.get(_K)
if _v is not None:
    if type(_v) is not list or not _V.issuperset(_v):
        return None
    if len(_v) < 2 or (len(_v) == 2 and _v[0] != _v[1]) or len(set(_v)) == len(_v):
        _out[_K] = _v.copy()
    else:
        _out[_K] = list(dict.fromkeys(_v))
elif _K in _out:
    del _out[_K]
""",
    TEXT: f"""
_v = _out.get(_K)
if _v is not None:
    if type(_v) is not str or len(_v) > {MAX_TEXT} or _unstorable(_v):
        return None
elif _K in _out:
    del _out[_K]
""",
}
# A document: a dict of known fields (`_V`: their ids), copied; then each field (`_F`). A field left empty (None
# or '') is left out; a text is kept to be searched, with the others, for a character the journal cannot store.
_DOC_HEAD = """
_v = _out.get(_K)
if _v is not None:
    if type(_v) is not dict or not _v.keys() <= _V:
        return None
    _d = _out[_K] = _v.copy()
    _t = []
elif _K in _out:
    del _out[_K]
"""
_DOC_TAIL = """
if _v is not None and _t and _unstorable(''.join(_t)):
    return None
"""
_EMPTY = """
if _f is None or (type(_f) is str and not _f):
    if _F in _d:
        del _d[_F]
"""
_TEXT_FIELD = f"""
_f = _d.get(_F)
if type(_f) is str:
    if not _f:
        del _d[_F]
    elif len(_f) > {MAX_TEXT}:
        return None
    else:
        _t.append(_f)
elif _f is not None:
    return None
elif _F in _d:
    del _d[_F]
"""
_FIELD = {  # what a non-empty value of a field of each kind must be
    "choice": """
elif type(_f) is not str or _f not in _V:
    return None
""",
    "bool": """
elif type(_f) is not bool:
    return None
""",
    "amount": """
elif type(_f) is int:
    if not 0 <= _f < _big:
        return None
elif type(_f) is not float or not 0 <= _f < _inf:
    return None
""",
    "": """
else:
    return None
""",
}


def _block(template: str, key: str, valid: str | None = None, field: str | None = None) -> list[ast.stmt]:
    """A template's statements with `_K` / `_F` the constants `key` / `field` and `_V` the global `valid`."""
    tree = ast.parse(template.strip())

    class Fill(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id == "_K":
                return ast.copy_location(ast.Constant(key), node)
            if node.id == "_F":
                return ast.copy_location(ast.Constant(field), node)
            if node.id == "_V":
                return ast.copy_location(ast.Name(valid, node.ctx), node)
            return node

    return Fill().visit(tree).body


def _field_block(fid: str, kind: str, valid: str | None) -> list[ast.stmt]:
    """A document field's block: left out when empty (`_EMPTY`), else what its kind requires (`_FIELD`); a text
    field's block does the same with one test of the type."""
    if kind == "text":
        return _block(_TEXT_FIELD, "", None, fid)
    head = _block(_EMPTY, "", None, fid)[0]
    assert isinstance(head, ast.If)
    head.orelse = _block("if _f:\n    pass\n" + _FIELD[kind].strip(), "", valid, fid)[0].orelse
    return [*_block("_f = _d.get(_F)", "", None, fid), head]


def _shape(table: Mapping[str, tuple[int, Any]]) -> tuple[Any, ...]:
    """What the code depends on: each parameter's id and tag, and a document's field ids and kinds."""
    out = []
    for pid, (tag, valid) in table.items():
        fields = None
        if tag == DOC:
            fields = tuple((fid, "choice" if type(v) is frozenset else v if v == "text" or v in _FIELD else "")
                           for fid, v in valid.items())
        out.append((pid, tag, fields))
    return tuple(out)


_CODES: dict[tuple[Any, ...], Any] = {}
_CODES_MAX = 4096


def _code(shape: tuple[Any, ...]) -> Any:
    got = _CODES.get(shape)
    if got is not None:
        return got
    body: list[ast.stmt] = [*ast.parse("if not _params.keys() <= _keys:\n    return None\n_out = _params.copy()").body]
    for i, (pid, tag, fields) in enumerate(shape):
        if tag != DOC:
            body += _block(_PARAM[tag], pid, f"_valid{i}")
            continue
        head = _block(_DOC_HEAD, pid, f"_valid{i}")
        inner = head[1].body  # the `if _v is not None:` branch
        for j, (fid, kind) in enumerate(fields):
            inner += _field_block(fid, kind, f"_valid{i}_{j}" if kind == "choice" else None)
        body += head + _block(_DOC_TAIL, pid)
    body += ast.parse("return _out").body
    code = function_code("quick", ["_params"], body)
    if len(_CODES) < _CODES_MAX:
        _CODES[shape] = code
    return code


def quick_function(table: Mapping[str, tuple[int, Any]]) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """The function that checks and copies an act's parameters by `table` (CasePlan.quick_params' entry for the
    action): see the module's docstring."""
    shape = _shape(table)
    scope: dict[str, Any] = {
        "_keys": frozenset(table), "_unstorable": unstorable, "_inf": math.inf, "_big": _BIG,
        "type": type, "str": str, "list": list, "dict": dict, "set": set, "len": len, "int": int, "float": float,
        "bool": bool,
    }
    for i, (tag, valid) in enumerate(table.values()):
        if tag == DOC:
            scope[f"_valid{i}"] = frozenset(valid)
            for j, v in enumerate(valid.values()):
                if type(v) is frozenset:
                    scope[f"_valid{i}_{j}"] = v
        else:
            scope[f"_valid{i}"] = valid
    return make_function(_code(shape), scope)  # type: ignore[return-value]
