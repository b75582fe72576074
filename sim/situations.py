"""When two situations of `lawdrill explore --exhaustive` are the same for rule coverage.

The exhaustive search (sim.explore) proves that every rule any sequence of its moves can fire within the depth
has fired. It may explore one situation of each class below instead of all of them, because the class
determines everything that decides which *new* rules (rules not found yet anywhere in the search) a later
sequence of moves fires. Rules already found count once, so what only they read is left out: the equivalence
is taken relative to the set of rules still open and gets coarser as rules are found.

Soundness. Write `view(s)` for the key below (`Situations.key`). The claim is that for situations `a`, `b`
with `view(a) == view(b)` (drafted documents aside, see subsumption) every move the search makes from `b` is
a move it makes from `a`, taken or refused alike, the same open rules fire, and the two successors again have
equal views. Then, by induction on the number of moves, the open rules that sequences from `b` can fire are
those from `a`, and exploring `a` (with at least as many moves left: the search runs breadth first, so `a` is
never deeper than `b`) covers `b`. The view holds:

- what the engine's own course reads: the procedural state (the machine's transitions and `why_not`), the
  case time `now` (exactly: the moves' times, the world's events, the deadlines, expressions reading `now`),
  the flags, the world's events pending (time, script entry, in order) and already scheduled, and for each
  deadline rule whose end has happened, that it has (it can neither run nor fire again), and for each whose
  start has happened and whose end has not, when it started and whether it has fired (the running clocks of
  `Session.clocks()`, a period that expires on a wait, a later act that ends it); one with neither has
  nothing to record yet;
- what the search's moves read (`sim.explore._moves` with `pointer=None`): which `once` acts were done (they
  are refused after), for an act a reference path does several times how often it was done up to the last
  reference occurrence (the base parameters are the reference step of its next occurrence), and the
  earliest running period (the "late" variation: covered by the deadlines above). Everything else a move
  reads (the catalogue, the reference paths, the parameter classes) is the case's;
- what the open rules read from the past, found by reading their expressions (`when`, `unless`, the check,
  and the named conditions these read, transitively), plus the `when`/`unless` of every deadline rule (they
  decide which clocks run), the scripted events' `when`, and for an open ending rule the case's lawful
  outcomes: `done(x)` (done or not), `count(x)` (up to one more than the largest number it is compared with,
  exactly when it is not compared with a number), `last` / `first` / `all_of` / `count_where(x, ...)` (every
  record of act `x`: parameters, time, effective service), `failed_service` (the service attempts),
  `text_without_content` (every act that drafts a document), `collected` / `key_evidence_collected` (the
  evidence collected), `happened` (the events so far), `served(x)` (when `x` was served), `act.index`
  (how many acts were done), an order rule's required acts (done or not). The act being judged (`act`) is
  the move itself, the case's data (`case`, `penalty`, the officers, the law index) never change, and the
  functions that read only their arguments and the case (`cites_basis`, `len`, `in_time`, ...) read nothing
  else. An expression calling a function not known here, or `last(x)` with `x` not a constant, makes every
  act's record part of the view.

A rule already found may still fire again in one situation and not in another: that changes nothing the
view holds except for deadline rules, whose fired flag is kept (it decides whether the clock runs).

Subsumption. The documents drafted so far only decide which documents a service act may name (the act is
refused for a document not drafted); that is everything they decide unless an open rule reads the drafting
acts, and then their records are part of the view anyway. So a situation whose view equals that of one
already seen and whose drafted documents are a subset of that one's is covered by it: every move from it is
a move from the other, with the same outcome, and the successors stand in the same relation.

What is proven is relative to the search's moves, i.e. to the parameter classes of sim.explore: a rule left
needs a value no class has.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from .expr import Expr, Rec, parse
from .machine import machine_for
from .model import RuleKind, RuleSpec, Scenario
from .documents.case import meaningful
from .session import Session

# Engine functions that read only their arguments and the case (never the session's history).
PURE_FUNCTIONS = frozenset({
    "cites_basis", "cites_penalty_basis", "names_officers", "names_served_document", "states_date",
    "cites_no_penalty_basis", "states_fine", "fine_agrees", "names_party", "states_period", "same_basis",
    "certified", "all_certified", "len", "min", "max", "abs", "proper", "is_rest_day", "is_holiday", "is_night",
    "working_days_between", "days_between", "has", "has_all", "in_time", "date", "penalty_rank",
    "competent_receiver", "states_facts_and_basis",
})
EXACT = 10**6  # a count compared with something other than a number is kept exactly


def _freeze(value: Any) -> Any:
    t = type(value)
    if t is dict:
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if t is list or t is tuple:
        return tuple(_freeze(v) for v in value)
    if t is set or t is frozenset:
        return frozenset(value)
    return value


def _count_caps(e: Expr) -> dict[str, int]:
    """For each `count('x')` of `e`: the count beyond which the expression cannot tell two values apart, when
    every use compares it with a number (`count('serve') > 1`: 2), else EXACT."""
    caps: dict[str, int] = {}
    compared: set[int] = set()
    for node in ast.walk(e.tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            a, b = node.left, node.comparators[0]
            for x, y in ((a, b), (b, a)):
                if _is_count(x) and isinstance(y, ast.Constant) and isinstance(y.value, int) \
                        and not isinstance(y.value, bool):
                    compared.add(id(x))
                    name = x.args[0].value  # type: ignore[attr-defined]
                    caps[name] = max(caps.get(name, 1), y.value + 1)
    for node in ast.walk(e.tree):
        if _is_count(node) and id(node) not in compared:
            caps[node.args[0].value] = EXACT  # type: ignore[attr-defined]
    return caps


def _is_count(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "count"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))


class Reads:
    """What a set of expressions (and order rules) reads from a session's past: the parts of the view."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}  # act -> cap (1: done or not)
        self.parts: set[tuple[Any, ...]] = set()

    def components(self) -> tuple[Any, ...]:
        """The names of the view's parts (sorted): see Situations.key."""
        return tuple(sorted({("count", a) for a in self.counts} | self.parts, key=repr))


def _read(sc: Scenario, exprs: Iterable[Expr], into: Reads) -> None:
    proc = sc.procedure
    seen: set[str] = set()
    todo = list(exprs)
    parts = into.parts
    while todo:
        e = todo.pop()
        for act, cap in _count_caps(e).items():
            into.counts[act] = max(into.counts.get(act, 1), cap)
        parents: dict[int, ast.AST] = {}
        for node in ast.walk(e.tree):
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
        for node in ast.walk(e.tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "act" \
                    and node.attr == "index":
                parts.add(("index",))
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            fname = node.func.id
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            arg = args[0] if args else None
            up = parents.get(id(node))
            if fname == "done" and isinstance(arg, str):
                into.counts.setdefault(arg, 1)
            elif fname == "count" and isinstance(arg, str):
                pass  # _count_caps
            elif fname in ("last", "first") and isinstance(arg, str):
                if isinstance(up, ast.Attribute) and up.value is node:
                    parts.add((fname, arg, up.attr))
                else:
                    parts.add((fname, arg, None))
            elif fname == "all_of" and isinstance(arg, str) and len(args) > 1 and isinstance(args[1], str):
                parts.add(("all_of", arg, args[1]))
            elif fname == "count_where" and isinstance(arg, str) and len(args) > 2 and isinstance(args[1], str) \
                    and args[2] is not None:
                parts.add(("count_where", arg, args[1], args[2]))
            elif fname == "failed_service":
                parts.add(("failed_service", arg if isinstance(arg, str) else None))
            elif fname == "text_without_content":
                parts.add(("text_content",))
            elif fname in ("collected", "key_evidence_collected"):
                parts.add(("evidence",))
            elif fname == "happened":
                parts.add(("events",))
            elif fname == "served" and isinstance(arg, str):
                parts.add(("served", f"served:{arg}"))
            elif fname not in PURE_FUNCTIONS:
                # Not known here (or its act not a constant): every record, the events, the evidence, the
                # anchors and the act count.
                parts.update((("records",), ("events",), ("evidence",), ("anchors",), ("index",)))
        for n in e.names:
            if n in proc.conditions and n not in seen:
                seen.add(n)
                todo.append(proc.conditions[n])


def _rec_attr(a: Any, attr: str | None) -> Any:
    """What `last(x).attr` reads of record `a` (the whole record if `attr` is None), finer than the engine's
    reading (sim.session.Session._make_rec derives it from these alone)."""
    if attr is None:
        return (a.at, a.effective, a.index, _freeze(a.params))
    if attr in ("at", "effective", "index", "name"):
        return getattr(a, attr)
    if attr == "date":
        return a.at.date()
    return _freeze(a.params.get(attr))


def _text_fields(s: Session) -> tuple[int, int]:
    """What text_without_content() reads of the documents drafted: (text fields, those without content). The
    future only adds documents, so these two sums decide every later value (sim.session._fn_text_without_content)."""
    total = empty = 0
    for a in s.documents():
        doc = s.proc.actions[a.name].document
        written = a.params.get("document")
        if not isinstance(written, dict) or not written:
            continue
        for f in doc.fields if doc is not None else ():
            if f.kind == "text":
                total += 1
                empty += not meaningful(written.get(f.id))
    return total, empty


def rule_exprs(r: RuleSpec) -> list[Expr]:
    return [e for e in (r.when, r.unless, r.expr) if e is not None]


class Situations:
    """The exhaustive search's view of a situation, relative to the rules still open (see the module doc)."""

    def __init__(self, sc: Scenario, ref_steps: dict[str, list[Any]]):
        self.sc = sc
        self.proc = proc = sc.procedure
        machine = machine_for(proc)
        self.deadlines = [(r.id, r.deadline.start.base.key, r.deadline.end.key if r.deadline.end else None)
                          for r in machine.deadline_rules if r.deadline is not None]
        self.once = frozenset(a for a, spec in proc.actions.items() if spec.once)
        self.servable = frozenset(a for a, spec in proc.actions.items() if spec.servable)
        # Acts a reference path does more than once (per document named): the moves' base parameters are the
        # reference step of the next occurrence, so their count matters up to the last one.
        self.occurrences: list[tuple[str, str | None, int]] = []
        for act, steps in ref_steps.items():
            if "target" in proc.actions[act].params:
                by: dict[str | None, int] = {}
                for st in steps:
                    by[st.params.get("target")] = by.get(st.params.get("target"), 0) + 1
                self.occurrences += [(act, t, n - 1) for t, n in sorted(by.items(), key=str) if n > 1]
            elif len(steps) > 1:
                self.occurrences.append((act, None, len(steps) - 1))
        # Always read: every deadline rule's when / unless (they decide which clocks run), the events' when.
        self.always: list[Expr] = [e for r in machine.deadline_rules for e in (r.when, r.unless) if e is not None]
        self.always += [ev.when for ev in sc.script if ev.when is not None]
        self.outcome_exprs = [e for o in sc.outcomes for e in (o.when, *(st.holds for st in o.stages))
                              if e is not None]
        self.open: frozenset[str] = frozenset()
        self.parts: tuple[Any, ...] = ()
        self.caps: dict[str, int] = {}
        self._read = False
        self.set_open(r.id for r in proc.rules)

    def set_open(self, rule_ids: Iterable[str]) -> bool:
        """The rules still open; True if the view changed."""
        open_ = frozenset(rule_ids)
        if open_ == self.open and self._read:
            return False
        self._read = True
        self.open = open_
        reads = Reads()
        exprs = list(self.always)
        for r in self.proc.rules:
            if r.id not in open_:
                continue
            exprs += rule_exprs(r)
            if r.kind == RuleKind.ORDER:
                for a in r.requires:
                    reads.counts.setdefault(a, 1)
            if r.kind == RuleKind.ENDING:
                exprs += self.outcome_exprs
        _read(self.sc, exprs, reads)
        parts = reads.components()
        changed = parts != self.parts or reads.counts != self.caps
        self.parts, self.caps = parts, reads.counts
        return changed

    def key(self, s: Session) -> tuple[tuple[Any, ...], frozenset[str]]:
        """(the view, the documents drafted): see the module doc. The view's last item holds the parts read
        by open rules, as (part, value) pairs, so that `project` can drop the parts of rules found later."""
        anchors = s._anchors  # noqa: SLF001 - the engine's own bookkeeping, read to tell situations apart
        fired = s._fired_rules  # noqa: SLF001
        done = s._done  # noqa: SLF001
        # Each deadline: ended (it can neither run nor fire again), or started (when, and whether it fired), or
        # neither (nothing to record yet: both anchors lie ahead).
        deadlines = tuple((rid, True) if end is not None and end in anchors else (rid, anchors[start], rid in fired)
                          for rid, start, end in self.deadlines if start in anchors or (end is not None and end in anchors))
        occ = []
        for act, target, most in self.occurrences:
            if target is None:
                n = done.get(act, 0)
            else:
                n = sum(1 for a in s._acts_by_name.get(act, ()) if a.params.get("target") == target)  # noqa: SLF001
            occ.append(min(n, most))
        fixed = (s.state, s.now, tuple(sorted((k, repr(v)) for k, v in s.flags.items())),
                 tuple((t, i) for t, _, i in sorted(s._pending)), frozenset(s._scheduled),  # noqa: SLF001
                 deadlines, frozenset(a for a in self.once if a in done), tuple(occ))
        values = tuple((part, self._value(s, part)) for part in self.parts)
        drafted = frozenset(a for a in done if a in self.servable)
        return (fixed, values), drafted

    def _value(self, s: Session, part: tuple[Any, ...]) -> Any:
        kind = part[0]
        by_name = s._acts_by_name  # noqa: SLF001
        if kind == "count":
            return min(s._done.get(part[1], 0), self.caps[part[1]])  # noqa: SLF001
        if kind in ("last", "first"):
            acts = by_name.get(part[1])
            return _rec_attr(acts[-1 if kind == "last" else 0], part[2]) if acts else None
        if kind == "all_of":
            return tuple(_freeze(a.params.get(part[2])) for a in by_name.get(part[1], ()))
        if kind == "count_where":
            return sum(1 for a in by_name.get(part[1], ()) if a.params.get(part[2]) == part[3])
        if kind == "failed_service":
            return tuple((a.params.get("target"), a.params.get("method")) for a in by_name.get("attempt_service", ())
                         if part[1] is None or a.params.get("target") == part[1])
        if kind == "text_content":
            return _text_fields(s)
        if kind == "records":
            return tuple((a.name, _rec_attr(a, None)) for a in s.acts)
        if kind == "evidence":
            return frozenset(s._evidence)  # noqa: SLF001
        if kind == "events":
            return tuple(s._events_happened)  # noqa: SLF001
        if kind == "served":
            return s._anchors.get(part[1])  # noqa: SLF001
        if kind == "anchors":
            return tuple(sorted(s._anchors.items()))  # noqa: SLF001
        if kind == "index":
            return len(s.acts)
        raise ValueError(part)

    def project(self, view: tuple[Any, ...]) -> tuple[Any, ...]:
        """A view taken when more rules were open, reduced to the parts read now."""
        fixed, values = view
        wanted, caps = set(self.parts), self.caps
        return fixed, tuple((part, min(v, caps[part[1]]) if part[0] == "count" else v)
                            for part, v in values if part in wanted)


# --- proofs without search ---------------------------------------------------------------------------------

# What a rule may read for `prove_unreachable` to judge it over the parameter classes alone: the act itself
# (its parameters, not its time), the case's data, flags no scripted event changes, the named conditions,
# pure functions, and other acts through `done(x)` / `last(x).p` / `first(x).p`; a closure rule also
# `text_without_content()`. Anything else (the time, the state, counts, service, evidence ...) is left to search.
_MODELLED_CALLS = frozenset({"done", "last", "first", "text_without_content"})
_TIME_ATTRS = frozenset({"at", "date", "effective", "index"})
MAX_WORLDS = 20_000


class _Unmodelled(Exception):
    pass


class Prover:
    """Rules no move of the search can fire, shown by trying every parameter class instead of every sequence.

    For a rule judged on an act, the engine's verdict depends only on what its expressions read; when they read
    only the modelled things above, every value they can see is one of finitely many: the act's own parameters
    are one of the search's parameter classes for it (`candidates`: each reference step's parameters, the
    catalogue defaults, and their one-class variations, cleaned as the engine cleans them), `last(x)` /
    `first(x)` is absent or one of the classes of act `x`, `done(x)` says which, a flag no scripted event sets
    keeps its initial value, and `text_without_content()` is one of the shares the documents of at most
    `depth` acts can give. Trying every combination (a superset of what sequences can produce: the combination
    ignores order and time) and finding none that fires the rule proves that no sequence fires it.
    An ending rule is judged by the verdicts the case's lawful outcomes allow (sim.outcomes.assess).
    """

    def __init__(self, sc: Scenario, classes: Any, depth: int, constants: Iterable[int] = ()):
        self.sc, self.classes, self.depth = sc, classes, depth
        self.constants = sorted(set(constants))
        self.proc = sc.procedure
        self.root = Session(sc, seed=0, wall_clock=lambda: 0.0)
        self.static = set(self.root._plan.static_names)  # noqa: SLF001
        scripted = {ev.event for ev in sc.script}
        self.changing_flags = {f for e in self.proc.events.values() if e.id in scripted for f in e.sets}
        self._candidates: dict[str, list[dict[str, Any]]] = {}
        self._others = False  # the proof being made reads other acts (for its words)

    def close(self) -> None:
        self.root.close()

    def candidates(self, act: str) -> list[dict[str, Any]]:
        """Every parameter set (cleaned) the search's moves can give act `act` (a superset)."""
        got = self._candidates.get(act)
        if got is not None:
            return got
        spec = self.proc.actions[act]
        refs = self.classes.ref_steps.get(act, [])
        bases: list[dict[str, Any]] = []
        if "target" in spec.params:
            for t, tspec in self.proc.actions.items():
                if not tspec.servable:
                    continue
                mine = [dict(r.params) for r in refs if r.params.get("target") == t]
                bases += mine or [{**self.classes.generic(spec, self.root), "target": t}]
        else:
            bases = [dict(r.params) for r in refs] or [self.classes.generic(spec, self.root)]
        out: list[dict[str, Any]] = []
        seen: set[Any] = set()
        amounts = [pid for pid in spec.params if self.proc.params[pid].kind.name == "AMOUNT"]
        for base in bases:
            singles = [base, *(p for _, p in self.classes.variants(spec, base))]
            doc = base.get("document")
            if spec.document is not None and isinstance(doc, dict):  # the goal-directed search's variations
                for f in spec.document.fields:
                    if f.kind == "bool":
                        singles.append({**base, "document": {**doc, f.id: not doc.get(f.id)}})
                    elif f.kind == "choice":
                        singles += [{**base, "document": {**doc, f.id: o.id}} for o in f.options if o.id != doc.get(f.id)]
            if amounts:
                singles += [{**p, **{pid: c for pid in amounts}} for c in self.constants for p in list(singles)]
            for params in singles:
                try:
                    clean = self.root._clean_params(spec, params)  # noqa: SLF001
                except (ValueError, TypeError, OverflowError):
                    continue  # the engine refuses the act: no record
                k = _freeze(clean)
                if k not in seen:
                    seen.add(k)
                    out.append(clean)
        self._candidates[act] = out
        return out

    def _record(self, act: str, params: dict[str, Any]) -> Any:
        from .session import ActRecord
        spec = self.proc.actions[act]
        return self.root._make_rec(ActRecord(0, act, spec.label, self.root.now, params, None, "", ""))  # noqa: SLF001

    def _check_modelled(self, exprs: list[Expr], on: str | None, history: dict[str, set[str]],
                        shares: list[bool]) -> None:
        """Raise _Unmodelled unless `exprs` read only modelled things; collect the other acts read."""
        seen: set[str] = set()
        todo = list(exprs)
        while todo:
            e = todo.pop()
            parents: dict[int, ast.AST] = {}
            for node in ast.walk(e.tree):
                for child in ast.iter_child_nodes(node):
                    parents[id(child)] = node
            for node in ast.walk(e.tree):
                up = parents.get(id(node))
                if isinstance(node, ast.Name):
                    n = node.id
                    if n in self.proc.conditions:
                        if n not in seen:
                            seen.add(n)
                            todo.append(self.proc.conditions[n])
                    elif n == "flags":
                        if not (isinstance(up, ast.Attribute) and up.value is node) or up.attr in self.changing_flags:
                            raise _Unmodelled(n)
                    elif n == "act":
                        if on is None or not (isinstance(up, ast.Attribute) and up.value is node):
                            raise _Unmodelled(n)
                        if up.attr in _TIME_ATTRS or self._is_time(on, up.attr):
                            raise _Unmodelled(up.attr)
                    elif n not in self.static and not (isinstance(up, ast.Call) and up.func is node):
                        raise _Unmodelled(n)
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    f = node.func.id
                    if f in PURE_FUNCTIONS:
                        continue
                    if f not in _MODELLED_CALLS:
                        raise _Unmodelled(f)
                    if f == "text_without_content":
                        if on is not None:
                            raise _Unmodelled(f)
                        shares.append(True)
                        continue
                    arg = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
                    if not isinstance(arg, str) or arg not in self.proc.actions:
                        raise _Unmodelled(f)
                    reads = history.setdefault(arg, set())
                    if f in ("last", "first"):
                        if not (isinstance(up, ast.Attribute) and up.value is node):
                            raise _Unmodelled(f)
                        if up.attr in _TIME_ATTRS or self._is_time(arg, up.attr):
                            raise _Unmodelled(up.attr)
                        reads.add(f)

    def _is_time(self, act: str, param: str) -> bool:
        spec = self.proc.actions[act]
        p = self.proc.params.get(param) if param in spec.params else None
        return p is not None and p.kind.name == "DATETIME"

    def shares(self) -> list[float]:
        """Every value text_without_content() can take with at most `depth` acts drafting documents."""
        contrib: set[tuple[int, int]] = {(0, 0)}
        for act, spec in self.proc.actions.items():
            if spec.document is None:
                continue
            for params in self.candidates(act):
                written = params.get("document")
                if not isinstance(written, dict) or not written:
                    continue
                fields = [f for f in spec.document.fields if f.kind == "text"]
                contrib.add((len(fields), sum(not meaningful(written.get(f.id)) for f in fields)))
        sums = {(0, 0)}
        for _ in range(self.depth):
            sums |= {(t + a, e + b) for t, e in sums for a, b in contrib}
        return sorted({e / t if t and e >= 3 else 0.0 for t, e in sums})

    def prove(self, r: RuleSpec) -> str:
        """'' if not shown here; else why no move of the search fires `r` (Chinese)."""
        if r.kind == RuleKind.ENDING:
            return self._ending(r)
        if r.kind in (RuleKind.CHECK, RuleKind.FORBID):
            acts: list[str | None] = [a for a in r.on if a in self.proc.actions]
        elif r.kind == RuleKind.FINISH:
            acts = [None]
        else:
            return ""
        n = sum(len(self.candidates(a)) for a in acts if a is not None)
        self._others = False
        if all(self._never(rule_exprs(r), on, lambda names: self._fires(r, names)) for on in acts):
            return f"规则只读{self._words(n)}，都不会触发"
        # A `when` of several conditions (a and b and ...) of which one reads only modelled things and never holds.
        if r.when is not None and isinstance(r.when.tree, ast.BoolOp) and isinstance(r.when.tree.op, ast.And):
            for part in r.when.tree.values:
                cond = parse(ast.unparse(part))
                self._others = False
                if all(self._never([cond], on, lambda names, c=cond: self._holds(c, names)) for on in acts):
                    return f"适用条件中的「{cond.source}」只读{self._words(n)}，都不成立"
        return ""

    def _words(self, n: int) -> str:
        """What the proof read and tried, in words: `n` ways of doing the act (0: a closure rule)."""
        if not n:
            return f"案卷文书的填写情况和案情，逐一试过 {self.depth} 步以内制作文书的各种组合"
        others = "和其他动作的参数" if self._others else ""
        tried = "及其他相关动作的各种做法" if self._others else ""
        return (f"本动作的参数、案情、本案外界事件不会改变的标记{others}，逐一试过所看动作的全部 {n} 种做法"
                f"（各参数等价类和定向搜索的取值）{tried}")

    def _never(self, exprs: list[Expr], on: str | None, happens: Any) -> bool:
        """Whether `happens(names)` is false in every world `exprs` can see (False when they read more)."""
        history: dict[str, set[str]] = {}
        shares: list[bool] = []
        try:
            self._check_modelled(exprs, on, history, shares)
        except _Unmodelled:
            return False
        self._others = self._others or any(x != on or "first" in how for x, how in history.items())
        worlds = self._worlds(on, history, bool(shares))
        return worlds is not None and not any(happens(names) for names in worlds)

    def _holds(self, e: Expr, names: dict[str, Any]) -> bool:
        try:
            return bool(self.root._value(e, names))  # noqa: SLF001
        except Exception:  # noqa: BLE001 - a failing `when` does not hold for the engine either
            return False

    def _worlds(self, on: str | None, history: dict[str, set[str]], shares: bool) -> Iterator[dict[str, Any]] | None:
        """Every combination of what the expressions can see (None if more than MAX_WORLDS)."""
        axes: list[tuple[str, list[Any]]] = []
        for x, how in sorted(history.items()):
            if x == on and "first" not in how:
                continue  # last(x) and done(x) of the act being judged: the act itself
            axes.append((x, [None, *self.candidates(x)] if how else [None, {}]))
        currents: list[Any] = list(self.candidates(on)) if on is not None else [None]
        values = self.shares() if shares else [0.0]
        total = len(currents) * len(values)
        for _, options in axes:
            total *= len(options)
        if total > MAX_WORLDS:
            return None
        return self._each_world(on, currents, axes, values)

    def _each_world(self, on: str | None, currents: list[Any], axes: list[tuple[str, list[Any]]],
                    values: list[float]) -> Iterator[dict[str, Any]]:
        from .expr import FUNCTIONS_KEY
        from .session import ENGINE_FUNCTIONS
        base = self.root._names(None)  # noqa: SLF001
        for cur in currents:
            act_rec = self._record(on, cur) if on is not None else None
            for world in itertools.product(*(opts for _, opts in axes)):
                chosen = {x: (None if p is None else self._record(x, p)) for (x, _), p in zip(axes, world)}
                if on is not None:
                    chosen.setdefault(on, act_rec)
                firsts = chosen
                lasts = {**chosen, on: act_rec} if on is not None else chosen
                for share in values:
                    fns = {**ENGINE_FUNCTIONS,
                           "done": lambda n, x, lasts=lasts: lasts.get(x) is not None,
                           "last": lambda n, x, lasts=lasts: lasts.get(x) or Rec(),
                           "first": lambda n, x, firsts=firsts: firsts.get(x) or Rec(),
                           "text_without_content": lambda n, share=share: share}
                    yield {**base, "act": act_rec if act_rec is not None else Rec(), FUNCTIONS_KEY: fns}

    def _fires(self, r: RuleSpec, names: dict[str, Any]) -> bool:
        s = self.root
        if not s._applies(r, names):  # noqa: SLF001
            return False
        if r.expr is None:
            return False
        try:
            ok = bool(s._value(r.expr, names))  # noqa: SLF001
        except Exception:  # noqa: BLE001 - the engine does not fire a rule whose expression fails
            return False
        return ok if r.kind == RuleKind.FORBID else not ok

    def _ending(self, r: RuleSpec) -> str:
        from .outcomes import verdict_chain
        from .model import OutcomeKind, Verdict
        kinds = {o.kind for o in self.sc.outcomes}
        verdicts = [Verdict.SHIRKED, Verdict.UNFINISHED]
        if OutcomeKind.REFERRAL in kinds:
            verdicts.append(Verdict.NOT_REFERRED)
        if OutcomeKind.CRIME_REFERRAL in kinds:
            verdicts.append(Verdict.CRIME_NOT_TRANSFERRED)
        rules = machine_for(self.proc).ending_rules
        chosen = {next((rules[v] for v in verdict_chain(x) if v in rules), None) for x in verdicts}
        if any(c is not None and c.id == r.id for c in chosen):
            return ""
        return "本案的合法结果中没有这一结局所对应的类型，交卷时的评判不会落到这条规则"
