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
  deadline rule whose start has happened and whose end has not: when it started and whether it has fired
  (the running clocks of `Session.clocks()`, a period that expires on a wait, a later act that ends it). A
  deadline whose end has happened can neither run nor fire again; one whose start has not happened has
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
from collections.abc import Iterable
from typing import Any

from .expr import Expr
from .machine import machine_for
from .model import RuleKind, RuleSpec, Scenario
from .session import Session

# Engine functions that read only their arguments and the case (never the session's history).
PURE_FUNCTIONS = frozenset({
    "cites_basis", "cites_penalty_basis", "names_officers", "names_served_document", "states_date",
    "cites_no_penalty_basis", "states_fine", "fine_agrees", "names_party", "states_period", "same_basis",
    "certified", "all_certified", "len", "min", "max", "abs", "proper", "is_rest_day", "is_holiday", "is_night",
    "working_days_between", "days_between", "has", "has_all", "in_time", "date", "penalty_rank",
    "competent_receiver", "states_facts_and_basis",
})
_RECORD_FUNCTIONS = frozenset({"last", "first", "all_of", "count_where"})
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
        self.records: set[str] = set()  # acts whose every record matters
        self.all_records = False
        self.evidence = False
        self.events = False
        self.served: set[str] = set()  # anchors served:x
        self.index = False

    def components(self) -> tuple[Any, ...]:
        """The names of the view's parts (sorted): see Situations.key."""
        out: list[Any] = [("count", a) for a in sorted(self.counts)]
        out += [("records", a) for a in sorted(self.records)]
        if self.all_records:
            out.append(("records", "*"))
        if self.evidence:
            out.append(("evidence",))
        if self.events:
            out.append(("events",))
        out += [("served", a) for a in sorted(self.served)]
        if self.index:
            out.append(("index",))
        return tuple(out)


def _read(sc: Scenario, exprs: Iterable[Expr], into: Reads) -> None:
    proc = sc.procedure
    documents = [a for a, spec in proc.actions.items() if spec.document is not None]
    seen: set[str] = set()
    todo = list(exprs)
    while todo:
        e = todo.pop()
        for act, cap in _count_caps(e).items():
            into.counts[act] = max(into.counts.get(act, 1), cap)
        for fname, args in e.calls:
            arg = args[0] if args else None
            if fname == "done" and isinstance(arg, str):
                into.counts.setdefault(arg, 1)
            elif fname == "count" and isinstance(arg, str):
                into.counts.setdefault(arg, EXACT)  # not a constant argument list: see _count_caps
            elif fname in _RECORD_FUNCTIONS and isinstance(arg, str):
                into.records.add(arg)
            elif fname == "failed_service":
                into.records.add("attempt_service")
            elif fname == "text_without_content":
                into.records.update(documents)
            elif fname in ("collected", "key_evidence_collected"):
                into.evidence = True
            elif fname == "happened":
                into.events = True
            elif fname == "served" and isinstance(arg, str):
                into.served.add(f"served:{arg}")
            elif fname not in PURE_FUNCTIONS:
                into.all_records = into.events = into.evidence = True
                into.index = True
                into.served.update(f"served:{a}" for a in documents)
        if ("act", "index") in e.attrs_read:
            into.index = True
        for n in e.names:
            if n in proc.conditions and n not in seen:
                seen.add(n)
                todo.append(proc.conditions[n])


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
        self.set_open(r.id for r in proc.rules)

    def set_open(self, rule_ids: Iterable[str]) -> bool:
        """The rules still open; True if the view changed."""
        open_ = frozenset(rule_ids)
        if open_ == self.open and self.parts:
            return False
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
        deadlines = tuple((rid, anchors[start], rid in fired) for rid, start, end in self.deadlines
                          if start in anchors and (end is None or end not in anchors))
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
        if kind == "count":
            return min(s._done.get(part[1], 0), self.caps[part[1]])  # noqa: SLF001
        if kind == "records":
            acts = s.acts if part[1] == "*" else s._acts_by_name.get(part[1], ())  # noqa: SLF001
            return tuple((a.name, a.at, a.effective, _freeze(a.params)) for a in acts)
        if kind == "evidence":
            return frozenset(s._evidence)  # noqa: SLF001
        if kind == "events":
            return tuple(s._events_happened)  # noqa: SLF001
        if kind == "served":
            return s._anchors.get(part[1])  # noqa: SLF001
        if kind == "index":
            return len(s.acts)
        raise ValueError(part)

    def project(self, view: tuple[Any, ...]) -> tuple[Any, ...]:
        """A view taken when more rules were open, reduced to the parts read now."""
        fixed, values = view
        wanted, caps = set(self.parts), self.caps
        return fixed, tuple((part, min(v, caps[part[1]]) if part[0] == "count" else v)
                            for part, v in values if part in wanted)
