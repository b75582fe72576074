"""Enumerate what trainees can do in a case: every act sequence up to a depth, with parameters grouped into
equivalence classes, and what the case's rules make of them.

A trainer asks "what can happen in this case?": which procedural states can a trainee reach, which of the
case's rules can ever fire, where does a session end and with what scores. `explore()` answers by a bounded
search over the public Session API (act / advance / finish / state / why_not / clocks), forking the session
(`Session.fork()`) to try each next move from the same situation. Sequences that stray less from the case's
reference path are explored first (then shorter before longer): the reference path itself, then every way of
varying, skipping or adding one act, then two, ... So a budget cut removes the most contrived sequences, not
whole stretches of the procedure.

Parameters are not enumerated value by value but by class. For each act the search derives one *base* set of
parameters (the reference path's own values for that act when the case has them, otherwise the catalogue's
lawful-looking defaults below) and then varies **one class at a time**:

| parameter | classes |
|---|---|
| officers | two certified officers / one certified / a certified officer with an uncertified assistant |
| credentials_shown, recorded, record_made, approved, urgent | yes / no |
| method (service) | each service method of sim.params.SERVICE_METHODS |
| proof | the base proofs / none |
| evidence | the base evidence / none collected |
| amount | inside the case's `penalty` min–max / below the minimum / above the maximum (if it has a range) |
| document | every field filled / one field missing |
| words | a proper phrase / an improper one (when the case has one) |
| target | each document drafted so far |
| timing | on schedule (the reference path's time for this act if it is still ahead, else at once) / after the
  earliest running statutory deadline |

Waiting is a move too: advancing the clock to the next `advance:` time of a reference path.

Two sequences that reach the same situation are explored once: the signature is the procedural state, how
often each act was done, how often the clock was advanced, the world events still due, the rules found so
far and the world flags. The search stops at `depth` moves (default: the longest reference path plus two, at
least 8), and after `budget` distinct situations (the report says when the budget cut it). That signature is
a heuristic: the budgeted search proves nothing.

`--exhaustive` proves. It runs the budgeted search first (what it finds needs no proof), then settles every
rule still open: by the state graph (no reachable state allows the rule's act), by a proof over every
parameter class (sim.situations.Prover: the rule reads only the act, the case and other acts' parameters,
and no combination of the classes fires it), and for the rules left by a breadth-first search over every
situation within the depth, one per class of a sound equivalence relative to the open rules
(sim.situations.Situations, whose docstring holds the soundness argument). The coverage is proven when
every open rule is settled; the search stops at its limit (`budget`, default EXHAUSTIVE_LIMIT) or `seconds`
and then says how deep its proof reached.
"""

from __future__ import annotations

import ast
import datetime as dt
import heapq
import itertools
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from .gaming import passes_outside
from .machine import machine_for
from .model import ActionSpec, ParamKind, RuleKind, RuleSpec, Scenario
from .session import Outcome, Session
from .situations import Prover, Situations

DEFAULT_DEPTH = 8
DEFAULT_BUDGET = 120
UNFINISHED = "unfinished"  # ending key: the depth limit was reached before a final state
STUCK = "stuck"  # ending key: a non-final state from which no act is possible

_FILLER = "（探索生成）"


@attrs.frozen
class Move:
    """One step the search tried: an act with its parameters, or a wait."""

    kind: str  # act | advance
    name: str  # action id ("advance" for a wait)
    label: str  # Chinese: the act's label and the class that was varied
    at: str  # ISO case time
    params: dict[str, Any] = attrs.field(factory=dict)
    varied: int = 0  # 1 when a parameter class or the timing differs from the base

    def step(self) -> dict[str, Any]:
        """The move as a self-test / `lawdrill run` step."""
        if self.kind == "advance":
            return {"advance": self.at}
        return {"do": self.name, "at": self.at, **self.params}


@attrs.frozen
class Ending:
    key: str  # final state id, or UNFINISHED / STUCK
    label: str
    scores: tuple[int, ...]
    example: tuple[Move, ...]  # the first sequence found that ends here

    @property
    def count(self) -> int:
        return len(self.scores)

    def spread(self) -> tuple[int, float, int]:
        return min(self.scores), statistics.median(self.scores), max(self.scores)


@attrs.frozen
class Unreached:
    """A rule no explored move fired, and why, in words a case author can act on."""

    rule_id: str
    title: str
    reason: str  # Chinese
    detail: str = ""  # the expression or the states concerned (the author's own text)
    proven: bool = False  # no sequence of moves can fire it (state graph, sim.situations.Prover, or exhaustive search)

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule_id, "title": self.title, "reason": self.reason, "detail": self.detail,
                "proven": self.proven}


@attrs.frozen
class ExploreReport:
    case_id: str
    title: str
    depth: int
    budget: int
    nodes: int  # distinct situations explored
    steps: int  # act / advance calls made (successful or refused)
    cut: bool  # the budget stopped the search before the depth limit did
    seconds: float
    states: tuple[tuple[str, str], ...]  # every state of the machine: (id, label)
    states_reached: frozenset[str]
    transitions: frozenset[tuple[str, str]]  # (state, action) pairs the machine allows
    transitions_covered: frozenset[tuple[str, str]]
    rules: tuple[tuple[str, str], ...]  # every rule of the case: (id, title)
    rules_triggered: frozenset[str]
    endings: tuple[Ending, ...]
    gamed: tuple[tuple[Move, ...], ...] = ()  # hand-ins that pass outside the lawful outcomes (sim.gaming)
    stop: str = "done"  # what ended the main search: done (nothing left), budget, time
    exhaustive: bool = False
    proven: bool = False  # exhaustive and finished: every situation within the depth was explored
    seconds_limit: float | None = None
    main_nodes: int = 0  # situations of the main search (the rest: goal-directed)
    goal_nodes: int = 0
    unreached: tuple[Unreached, ...] = ()  # every rule not found, with its reason
    first_found: tuple[tuple[str, tuple[int, int, float]], ...] = ()  # rule -> (situations, steps, s), in order
    # Exhaustive: every situation up to this many moves was explored (the search runs breadth first), so the
    # coverage is proven up to that depth even when the time or the limit stopped it (= depth when proven).
    proven_depth: int = 0

    @property
    def rules_never(self) -> list[tuple[str, str]]:
        return [(rid, title) for rid, title in self.rules if rid not in self.rules_triggered]

    @property
    def last_found(self) -> tuple[int, int, float] | None:
        """(situations, steps, seconds) when the last rule found was found."""
        return self.first_found[-1][1] if self.first_found else None

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case_id, "title": self.title, "depth": self.depth, "budget": self.budget,
            "nodes": self.nodes, "steps": self.steps, "cut_by_budget": self.cut,
            "states": {"reached": len(self.states_reached), "total": len(self.states),
                       "missing": [sid for sid, _ in self.states if sid not in self.states_reached]},
            "transitions": {"covered": len(self.transitions_covered), "total": len(self.transitions),
                            "missing": [list(t) for t in sorted(self.transitions - self.transitions_covered)],
                            },
            "rules": {"triggered": len(self.rules_triggered), "total": len(self.rules),
                      "never": [rid for rid, _ in self.rules_never]},
            "endings": [
                {"ending": e.key, "label": e.label, "count": e.count, "min": e.spread()[0],
                 "median": e.spread()[1], "max": e.spread()[2], "example": [m.step() for m in e.example]}
                for e in self.endings
            ],
            "gamed": [[m.step() for m in path] for path in self.gamed],
            "stop": self.stop, "exhaustive": self.exhaustive, "proven": self.proven,
            "proven_depth": self.proven_depth,
            "seconds": round(self.seconds, 3), "seconds_limit": self.seconds_limit,
            "main_nodes": self.main_nodes, "goal_nodes": self.goal_nodes,
            "unreached": [u.to_json() for u in self.unreached],
            "last_found": ({"situations": self.last_found[0], "steps": self.last_found[1],
                            "seconds": round(self.last_found[2], 3)} if self.last_found else None),
        }


# --- parameter classes -------------------------------------------------------------------------------------


class _Classes:
    """Base parameters and their one-class-at-a-time variations for one case."""

    def __init__(self, sc: Scenario):
        self.sc = sc
        self.proc = sc.procedure
        certified = [o.id for o in sc.officers if o.certified]
        uncertified = [o.id for o in sc.officers if not o.certified]
        self.officer_classes: list[tuple[str, list[str]]] = []
        if len(certified) >= 2:
            self.officer_classes.append(("两名持证执法人员", certified[:2]))
        if certified:
            self.officer_classes.append(("仅一名持证执法人员", certified[:1]))
            if uncertified:
                self.officer_classes.append(("持证人员带无证协管员", [certified[0], uncertified[0]]))
        lo, hi = sc.penalty.get("min"), sc.penalty.get("max")
        self.range = (lo, hi) if all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                     for v in (lo, hi)) else None
        self.proper = next((p.id for p in self.proc.phrases.values() if p.proper), None)
        self.improper = next((p.id for p in self.proc.phrases.values() if not p.proper), None)
        # The reference paths' own steps, per action, in order: the base parameters of each occurrence.
        self.ref_steps: dict[str, list[Any]] = {}
        self.ref_waits: list[dt.datetime] = []
        for test in sc.references:
            for step in test.steps:
                if step.do == "advance":
                    if step.at and not step.at.startswith("+"):
                        self.ref_waits.append(dt.datetime.fromisoformat(step.at))
                elif step.do != "finish":
                    self.ref_steps.setdefault(step.do, []).append(step)
        self.ref_waits.sort()
        # The first reference path, step by step: the search's yardstick (see _moves).
        self.path = tuple(st for st in (sc.references[0].steps if sc.references else ()) if st.do != "finish")

    def generic(self, spec: ActionSpec, s: Session) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pid in spec.params:
            p = self.proc.params[pid]
            k = p.kind
            if k == ParamKind.OFFICERS and self.officer_classes:
                out[pid] = self.officer_classes[0][1]
            elif k == ParamKind.BOOL:
                out[pid] = pid != "urgent"
            elif k == ParamKind.EVIDENCE and self.sc.evidence:
                out[pid] = [e.id for e in self.sc.evidence]
            elif pid == "method":
                out[pid] = "direct"
            elif pid == "proof":
                out[pid] = ["signature"]
            elif pid == "penalty_kind":
                out[pid] = "fine" if self.range else p.options[0].id
            elif k == ParamKind.AMOUNT and self.range:
                out[pid] = int((self.range[0] + self.range[1]) // 2)
            elif k == ParamKind.CHOICE and p.options:
                out[pid] = p.options[0].id
            elif k == ParamKind.CHOICES and p.options:
                out[pid] = [p.options[0].id]
            elif k == ParamKind.DATETIME:
                out[pid] = (s.now + dt.timedelta(days=3)).isoformat()
            elif k == ParamKind.PHRASE and self.proper:
                out[pid] = self.proper
            elif k == ParamKind.DOCUMENT and spec.document is not None:
                doc: dict[str, Any] = {}
                for f in spec.document.fields:
                    if f.kind == "choice" and f.options:
                        doc[f.id] = f.options[0].id
                    elif f.kind == "bool":
                        doc[f.id] = True
                    elif f.kind == "amount":
                        doc[f.id] = out.get("amount", 0)
                    else:
                        doc[f.id] = _FILLER
                out[pid] = doc
        return out

    def base(self, spec: ActionSpec, s: Session, target: str | None) -> tuple[dict[str, Any], dt.datetime]:
        """The base parameters and on-schedule time of the next occurrence of `spec` in session `s`."""
        done = sum(1 for a in s.acts if a.name == spec.id)
        refs = self.ref_steps.get(spec.id, [])
        if target is not None:
            refs = [r for r in refs if r.params.get("target") == target]
            done = sum(1 for a in s.acts if a.name == spec.id and a.params.get("target") == target)
        if refs:
            step = refs[min(done, len(refs) - 1)]
            params = dict(step.params)
            when = s.resolve_time(step.at) if step.at else s.now
        else:
            params, when = self.generic(spec, s), s.now
        if target is not None:
            params["target"] = target
        return params, max(when, s.now)

    def variants(self, spec: ActionSpec, base: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        """One-class-at-a-time variations of `base`: (Chinese label of the class, parameters)."""
        for pid in spec.params:
            if pid not in base and pid not in ("officers", "amount"):
                continue
            p = self.proc.params[pid]
            value = base.get(pid)
            if p.kind == ParamKind.OFFICERS:
                for label, ids in self.officer_classes:
                    if value is None or set(ids) != set(value):
                        yield label, {**base, pid: ids}
            elif p.kind == ParamKind.BOOL:
                yield f"{p.label}：{'否' if value else '是'}", {**base, pid: not value}
            elif pid == "method":
                for o in p.options:
                    if o.id != value:
                        yield f"{p.label}：{o.label}", {**base, pid: o.id}
            elif p.kind in (ParamKind.CHOICES, ParamKind.EVIDENCE) and value:
                yield f"无{p.label}", {**base, pid: []}
            elif p.kind == ParamKind.AMOUNT and self.range and base.get("penalty_kind", "fine") == "fine":
                lo, hi = self.range
                if lo > 0:
                    yield f"{p.label}低于下限", {**base, pid: int(lo) // 2}
                yield f"{p.label}高于上限", {**base, pid: int(hi) * 2}
            elif p.kind == ParamKind.DOCUMENT and isinstance(value, dict) and value and spec.document:
                fid = next(iter(value))
                field = spec.document.field(fid)
                rest = {k: v for k, v in value.items() if k != fid}
                yield f"文书缺「{field.label if field else fid}」", {**base, pid: rest}
            elif p.kind == ParamKind.PHRASE and self.improper and value != self.improper:
                yield "不规范用语", {**base, pid: self.improper}


# --- the search --------------------------------------------------------------------------------------------


REPEAT_CAP = 2  # an act done more often than this is "done repeatedly" for the search


def _moves(classes: _Classes, s: Session, pointer: int | None) -> Iterator[tuple[Move, int, int]]:
    """Every move to try from session `s`, with its cost and the reference pointer after it.

    `pointer` is the index of the next step of the case's first reference path. Taking that step costs 0;
    taking a later reference step costs the steps it skips; varying a class costs 1 more; a move the
    reference path does not make costs 1 (and leaves the pointer where it was).

    `pointer` None (the exhaustive search): the moves depend on the situation alone. Each act's base is the
    reference paths' own step for its next occurrence (`_Classes.base`), an act impossible now is tried only
    when a reference path does it, and a wait goes to the next reference wait; every move costs 1, so the
    search runs breadth first and two paths to one situation are one situation.
    """
    path = classes.path
    late: tuple[str, dt.datetime] | None = None
    running = [c for c in s.clocks() if c.kind == "within"]
    if running:
        c = running[0]
        late = (f"超过「{c.title}」期限", dt.datetime.combine(c.due + dt.timedelta(days=1), dt.time(9, 0)))
    for spec in s.actions():
        # An act impossible now may become possible by its time (the party's hearing request arrives first):
        # the session moves the world before it decides. Such an act is tried only as the reference path does it.
        blocked = bool(s.why_not(spec.id))
        targets: list[str | None] = [None]
        if "target" in spec.params:
            drafted = [a.name for a in s.acts if s.proc.actions[a.name].servable]
            targets = list(dict.fromkeys(drafted))
        for target in targets:
            j = None if pointer is None else next(
                (k for k in range(pointer, len(path)) if path[k].do == spec.id
                 and (target is None or path[k].params.get("target") == target)), None)
            if pointer is None:
                if blocked and not any(target is None or r.params.get("target") == target
                                       for r in classes.ref_steps.get(spec.id, ())):
                    continue
                base, when = classes.base(spec, s, target)
                cost, after = 1, 0
            elif j is not None:
                base = dict(path[j].params)
                when = max(s.resolve_time(path[j].at) if path[j].at else s.now, s.now)
                cost, after = j - pointer, j + 1
            elif blocked:
                continue
            else:
                base, when = classes.base(spec, s, target)
                cost, after = 1, pointer
            tlabel = ""
            if target is not None:
                doc = s.proc.actions[target].document
                tlabel = f"《{doc.name}》" if doc else f"「{target}」"
            label = spec.label + tlabel
            at = when.isoformat()
            yield Move("act", spec.id, label, at, base), cost, after
            if blocked:
                continue
            for what, params in classes.variants(spec, base):
                yield Move("act", spec.id, f"{label}（{what}）", at, params, 1), cost + 1, after
            if late is not None and late[1] > when:
                late_move = Move("act", spec.id, f"{label}（{late[0]}）", late[1].isoformat(), base, 1)
                yield late_move, cost + 1, after
    j = None if pointer is None else next((k for k in range(pointer, len(path)) if path[k].do == "advance"), None)
    if pointer is None:
        wait = next((t for t in classes.ref_waits if t > s.now), None)
        if wait is not None:
            yield Move("advance", "advance", f"等待至 {wait:%Y-%m-%d}", wait.isoformat()), 1, 0
    elif j is not None and path[j].at is not None and s.resolve_time(path[j].at) > s.now:
        wait = s.resolve_time(path[j].at)
        yield Move("advance", "advance", f"等待至 {wait:%Y-%m-%d}", wait.isoformat()), j - pointer, j + 1
    else:
        wait = next((t for t in classes.ref_waits if t > s.now), None)
        if wait is not None:
            yield Move("advance", "advance", f"等待至 {wait:%Y-%m-%d}", wait.isoformat()), 1, pointer


def _apply(s: Session, move: Move) -> Outcome | None:
    """The move's outcome if the session took it, None if it was refused."""
    try:
        out = s.advance(move.at) if move.kind == "advance" else s.act(move.name, move.at, **move.params)
    except (TypeError, ValueError, OverflowError):
        return None
    return out if out.ok else None


@attrs.define
class _Acc:
    scores: list[int] = attrs.Factory(list)
    example: tuple[Move, ...] = ()


def default_depth(sc: Scenario) -> int:
    """Long enough for the longest reference path and two more moves (at least DEFAULT_DEPTH)."""
    longest = max((sum(1 for st in t.steps if st.do != "finish") for t in sc.references), default=0)
    return max(DEFAULT_DEPTH, longest + 2)


def _repeat_caps(sc: Scenario) -> dict[str, int]:
    """How often each act counts for "the same situation": as often as a reference path does it, and at least
    twice for the acts an expression counts (`count('serve') > 1`), once (done or not) for the others."""
    counted: set[str] = set()
    proc = sc.procedure
    exprs = [e for r in proc.rules for e in (r.when, r.unless, r.expr) if e is not None]
    exprs += list(proc.conditions.values())
    for e in exprs:
        for fname, args in e.calls:
            if fname == "count" and args and isinstance(args[0], str):
                counted.add(args[0])
    most = Counter[str]()
    for test in sc.references:
        most |= Counter(st.do for st in test.steps)
    return {a: max(REPEAT_CAP if a in counted else 1, most[a]) for a in proc.actions}


def _constants(sc: Scenario, r: RuleSpec) -> list[int]:
    """The amounts a rule's expressions compare with (its own and those of the named conditions it reads,
    e.g. the hearing threshold), and one more than each: the goal-directed search tries them as amounts."""
    proc = sc.procedure
    seen: set[str] = set()
    todo = [e for e in (r.when, r.unless, r.expr) if e is not None]
    out: set[int] = set()
    while todo:
        e = todo.pop()
        for node in ast.walk(e.tree):
            v = getattr(node, "value", None)
            if isinstance(node, ast.Constant) and isinstance(v, (int, float)) and not isinstance(v, bool) \
                    and 0 < v < 10**9:
                out.update((int(v), int(v) + 1))
        for n in e.names:
            if n in proc.conditions and n not in seen:
                seen.add(n)
                todo.append(proc.conditions[n])
    return sorted(out)[:8]


def _read_acts(sc: Scenario, r: RuleSpec) -> set[str]:
    """The acts whose parameters a rule's expressions read (`last('notify').amount`, `done('x')`, ...), its
    own and those of the named conditions it reads: changing how such an act is done is the first of the two
    linked changes a rule may need (a large fine proposed in the notice, then a decision too soon after it)."""
    proc = sc.procedure
    seen: set[str] = set()
    todo = [e for e in (r.when, r.unless, r.expr) if e is not None]
    out: set[str] = set()
    while todo:
        e = todo.pop()
        for _fname, args in e.calls:
            out.update(a for a in args if isinstance(a, str) and a in proc.actions)
        for n in e.names:
            if n in proc.conditions and n not in seen:
                seen.add(n)
                todo.append(proc.conditions[n])
    return out


def _reachable_states(sc: Scenario) -> set[str]:
    """The states any sequence of acts and of the case's own world events can reach (the machine graph)."""
    proc = sc.procedure
    machine = machine_for(proc)
    scripted = {ev.event for ev in sc.script}
    edges: dict[str, set[str]] = {}
    for (src, a), dest in machine.table.items():
        if a in proc.actions:  # the table holds the world events' triggers too: those count only if scripted
            edges.setdefault(src, set()).add(dest)
    for ev in proc.events.values():
        if ev.dest is not None and ev.id in scripted:
            for src in ev.sources or [st.id for st in proc.states if not st.final]:
                edges.setdefault(src, set()).add(ev.dest)
    seen, todo = {proc.initial}, [proc.initial]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _triggers(sc: Scenario, r: RuleSpec) -> tuple[str, ...]:
    """The acts at which the engine asks a rule (empty: it is asked at hand-in or when a period expires)."""
    if r.kind in (RuleKind.ORDER, RuleKind.CHECK, RuleKind.FORBID):
        return tuple(a for a in r.on if a in sc.procedure.actions)
    if r.kind == RuleKind.DEADLINE and r.deadline is not None and r.deadline.end is not None:
        end = r.deadline.end
        if end.kind == "act":
            return (end.ref,)
        if end.kind == "served":
            return tuple(a for a, spec in sc.procedure.actions.items() if "target" in spec.params
                         and spec.effective == "service")
    return ()


STOP_DONE, STOP_BUDGET, STOP_TIME = "done", "budget", "time"
EXHAUSTIVE_LIMIT = 20_000  # --exhaustive gives up (and says so) beyond this many distinct situations
SAMPLES = 6  # situations per act kept to explain, after the search, why a rule on that act never fired
GOAL_SHARE = 0.25  # the share of the node budget the goal-directed phase may use, over all its rules
GOAL_STALL = 150  # a goal-directed round that explores this many situations without finding a rule gives up


class _Search:
    """The state one exploration shares between its phases: what was found, when, and samples."""

    def __init__(self, sc: Scenario, seed: int, depth: int, clock: Callable[[], float],
                 until: float | None, progress: Callable[[dict[str, Any]], None] | None):
        self.sc, self.seed, self.depth, self.clock, self.until, self.progress = sc, seed, depth, clock, until, progress
        self.proc = sc.procedure
        self.started = clock()
        self.classes = _Classes(sc)
        self.caps = _repeat_caps(sc)
        self.reached: set[str] = set()
        self.covered: set[tuple[str, str]] = set()
        self.triggered: set[str] = set()
        self.first: dict[str, tuple[int, int, float]] = {}  # rule -> (situations, steps, seconds) when first found
        self.endings: dict[str, _Acc] = {}
        self.gamed: list[tuple[Move, ...]] = []
        self.done_acts: Counter[str] = Counter()  # successful acts per action, over all phases
        self.samples: dict[str, list[tuple[Move, ...]]] = {}  # action -> paths ending with that act
        self.hand_ins: list[tuple[Move, ...]] = []
        self.handed_in = 0
        self.steps = self.nodes = 0
        self.stop = STOP_DONE
        self.proven_depth = 0  # run_exhaustive: every situation with at most this many moves was explored

    def out_of_time(self) -> bool:
        return self.until is not None and self.clock() >= self.until

    def signature(self, s: Session, waits: int) -> tuple[Any, ...]:
        """What makes two situations different for the search: the state, how often each act was done up to
        its repeat cap (see _repeat_caps), the waits, the world's events still due, the flags, the legal status
        of each running statutory clock (within its period or expired, not the exact case time), the anchors
        reached (which documents were served), and the rules found so far (they also tell apart acts done
        with different parameter classes). This is a heuristic for the budgeted search, which proves nothing;
        the exhaustive search's equivalence is sim.situations (sound, coarser where it can be)."""
        caps = self.caps
        return (s.state, tuple(sorted((k, min(v, caps.get(k, 1))) for k, v in s._done.items())), waits,
                s.pending_events(), tuple(sorted((k, repr(v)) for k, v in s.flags.items())), s.clock_status(),
                frozenset(s._anchors), frozenset(s._fired_rules))

    def found(self, rule_ids: Iterable[str]) -> None:
        for rid in rule_ids:
            if rid not in self.triggered:
                self.triggered.add(rid)
                self.first[rid] = (self.nodes, self.steps, self.clock() - self.started)

    def rebuild(self, path: tuple[Move, ...]) -> Session:
        s = Session(self.sc, seed=self.seed, wall_clock=lambda: 0.0)
        for move in path:
            self.steps += 1
            _apply(s, move)
        return s

    def hand_in(self, s: Session, path: tuple[Move, ...]) -> Any:
        """Finish a fork of `s`; a pass outside the lawful outcomes is recorded as a way to game the case."""
        f = s.fork()
        result = f.finish()
        if passes_outside(f, result) and len(self.gamed) < 10:
            self.gamed.append(path)
        f.close()
        self.found(result.rule_ids())
        self.handed_in += 1
        if len(self.hand_ins) < SAMPLES * 4:
            self.hand_ins.append(path)
        return result

    def end(self, s: Session, key: str, path: tuple[Move, ...]) -> None:
        result = self.hand_in(s, path)
        acc = self.endings.setdefault(key, _Acc())
        acc.scores.append(result.score)
        if not acc.example:
            acc.example = path

    def try_move(self, s: Session, move: Move, path: tuple[Move, ...]) -> Session | None:
        """`move` on a fork of `s`: the fork if the session took it (its findings counted), else None."""
        child = s.fork()
        self.steps += 1
        before = child.state
        out = _apply(child, move)
        if out is None:
            child.close()
            return None
        self.found(f.rule_id for f in out.findings)
        if move.kind == "act":
            self.covered.add((before, move.name))
            self.done_acts[move.name] += 1
            kept = self.samples.setdefault(move.name, [])
            if len(kept) < SAMPLES and path + (move,) not in kept:
                kept.append(path + (move,))
        return child

    def report_progress(self) -> None:
        if self.progress is not None:
            self.progress({"nodes": self.nodes, "steps": self.steps, "rules": len(self.triggered),
                           "rules_total": len(self.proc.rules), "states": len(self.reached),
                           "seconds": self.clock() - self.started})

    def run(self, limit: int, goal: Callable[[Session], int] | None = None,
            extra: Callable[[Session], Iterator[Move]] | None = None,
            stop_when: Callable[[], bool] | None = None) -> bool:
        """One best-first search from the start of the case; True if it ran out of situations to explore.

        Without `goal`, situations are taken by how far their path strays from the reference path, then by
        length. With `goal` (the goal-directed phase), by the goal's distance first. `extra` adds moves to
        try in a situation; `stop_when` ends the search early (the goal was reached)."""
        depth = self.depth
        root = Session(self.sc, seed=self.seed, wall_clock=lambda: 0.0)
        sig0 = self.signature(root, 0)
        g0 = goal(root) if goal else 0
        root.close()
        best: dict[Any, tuple[int, int, int]] = {sig0: (g0, 0, 0)}
        seq = explored = 0
        heap: list[tuple[int, int, int, int, int, Any, tuple[Move, ...]]] = [(g0, 0, 0, 0, 0, sig0, ())]
        while heap:
            g, cost, length, _, pointer, sig, path = heapq.heappop(heap)
            if best.get(sig, (g, cost, length)) < (g, cost, length):
                continue  # reached more directly since this path was queued
            if explored >= limit:
                self.stop = STOP_BUDGET
                return False
            if self.out_of_time():
                self.stop = STOP_TIME
                return False
            if stop_when is not None and stop_when():
                return False
            explored += 1
            s, expand = self.visit(path, length)
            if expand:
                moved = False
                waits = sum(m.kind == "advance" for m in path)
                candidates: Iterator[tuple[Move, int, int]] = _moves(self.classes, s, pointer)
                if extra is not None:
                    candidates = itertools.chain(candidates, ((m, 1, pointer) for m in extra(s)))
                for move, add, after in candidates:
                    child = self.try_move(s, move, path)
                    if child is None:
                        continue
                    moved = True
                    csig: Any = self.signature(child, waits + (move.kind == "advance"))
                    prio = (goal(child) if goal else 0, cost + add, length + 1)
                    if prio < best.get(csig, (depth * depth + 1, depth * depth + 1, depth + 1)):
                        best[csig] = prio
                        seq += 1
                        heapq.heappush(heap, (*prio, seq, after, csig, path + (move,)))
                    child.close()
                if not moved:
                    self.end(s, STUCK, path)
            s.close()
        return True

    def visit(self, path: tuple[Move, ...], length: int) -> tuple[Session, bool]:
        """A situation taken from the queue: rebuilt and counted; a final state or the depth ends it, else what
        closing the case here would find counts for rule coverage (a trainee may stop anywhere). The session,
        and whether its moves are to be tried."""
        self.nodes += 1
        if self.nodes % 64 == 0:
            self.report_progress()
        s = self.rebuild(path)
        self.reached.add(s.state)
        if self.proc.state(s.state).final:
            self.end(s, s.state, path)
            return s, False
        if length >= self.depth:
            self.end(s, UNFINISHED, path)
            return s, False
        self.hand_in(s, path)
        return s, True

    def run_exhaustive(self, limit: int, rules: list[RuleSpec]) -> bool:
        """Breadth first over every situation within the depth, one of each class of sim.situations (the view
        relative to `rules`, the rules still open, with the documents drafted compared by subsumption); True
        if it ran out of situations (no sequence of its moves fires a rule of `rules` that it did not fire).
        Moves: `_moves(pointer=None)` and the goal-directed moves for `rules` (_goal_moves)."""
        depth = self.depth
        view = Situations(self.sc, self.classes.ref_steps)
        view.set_open(r.id for r in rules if r.id not in self.triggered)
        extra = _goal_moves(self, rules)
        root = Session(self.sc, seed=self.seed, wall_clock=lambda: 0.0)
        key, drafted = view.key(root)
        root.close()
        seen: dict[Any, list[frozenset[str]]] = {key: [drafted]}
        # Every situation queued, in order (breadth first: never shallower than one before it).
        entries: list[list[Any]] = [[key, drafted, (), False]]  # view, drafted, path, dropped
        at = explored = 0
        open_ids = {r.id for r in rules}
        while at < len(entries):
            if view.set_open(open_ids - self.triggered):
                # Rules were found: the view is coarser now. Re-key everything seen, in order; a queued situation
                # now covered by an earlier one is dropped.
                seen = {}
                for i, e in enumerate(entries):
                    if e[3]:
                        continue
                    e[0] = view.project(e[0])
                    same = seen.setdefault(e[0], [])
                    if any(e[1] <= d for d in same) and i >= at:
                        e[3] = True
                    else:
                        same.append(e[1])
            entry = entries[at]
            at += 1
            if entry[3]:
                continue
            path = entry[2]
            self.proven_depth = max(self.proven_depth, len(path) - 1)
            if explored >= limit:
                self.stop = STOP_BUDGET
                return False
            if self.out_of_time():
                self.stop = STOP_TIME
                return False
            if not open_ids - self.triggered:
                break  # every rule it looks for was found
            explored += 1
            s, expand = self.visit(path, len(path))
            if expand:
                moved = False
                candidates = itertools.chain((m for m, _, _ in _moves(self.classes, s, None)), extra(s))
                tried: set[Any] = set()
                for move in candidates:
                    mk = (move.name, move.at, repr(move.params))
                    if mk in tried:
                        continue
                    tried.add(mk)
                    child = self.try_move(s, move, path)
                    if child is None:
                        continue
                    moved = True
                    ckey, cdrafted = view.key(child)
                    child.close()
                    same = seen.setdefault(ckey, [])
                    if any(cdrafted <= d for d in same):
                        continue
                    same.append(cdrafted)
                    entries.append([ckey, cdrafted, path + (move,), False])
                if not moved:
                    self.end(s, STUCK, path)
            s.close()
        self.proven_depth = depth
        return True


_TIME_CHECKS = frozenset({"working_days_between", "days_between", "in_time"})


def _goal_moves(search: _Search, rules: list[RuleSpec]) -> Callable[[Session], Iterator[Move]]:
    """In a situation where an act of the rules is possible: that act with the amounts its rules compare with,
    combined with each single-class variation and with every document field flipped or chosen otherwise."""
    classes = search.classes
    by_act: dict[str, set[int]] = {}
    early: set[str] = set()  # acts a rule wants done before a waiting period ends (not_before): tried at once too
    for r in rules:
        consts = _constants(search.sc, r)
        for a in (*_triggers(search.sc, r), *sorted(_read_acts(search.sc, r))):
            by_act.setdefault(a, set()).update(consts)
        if r.kind == RuleKind.DEADLINE and r.deadline is not None and r.deadline.not_before is not None:
            early.update(_triggers(search.sc, r))
        elif any(f in _TIME_CHECKS for e in (r.when, r.unless, r.expr) if e is not None for f, _ in e.calls):
            early.update(_triggers(search.sc, r))  # a check of the act's time against a served date or period

    def moves(s: Session) -> Iterator[Move]:
        for name, consts in by_act.items():
            constants = sorted(consts)[:8]
            if s.why_not(name):
                continue
            spec = s.proc.actions[name]
            targets: list[str | None] = [None]
            if "target" in spec.params:
                targets = list(dict.fromkeys(a.name for a in s.acts if s.proc.actions[a.name].document is not None))
            for target in targets:
                base, when = classes.base(spec, s, target)
                singles = [("", base), *classes.variants(spec, base)]
                doc = base.get("document")
                if spec.document is not None and isinstance(doc, dict):
                    for f in spec.document.fields:
                        if f.kind == "bool":
                            singles.append((f"「{f.label}」相反", {**base, "document": {**doc, f.id: not doc.get(f.id)}}))
                        elif f.kind == "choice":
                            singles += [(f"「{f.label}」：{o.label}", {**base, "document": {**doc, f.id: o.id}})
                                        for o in f.options if o.id != doc.get(f.id)]
                amounts = [pid for pid in spec.params if s.proc.params[pid].kind == ParamKind.AMOUNT]
                times = [(when, "")]
                if name in early and when > s.now:
                    times.append((s.now, "（立即进行，不等期限届满）"))
                # The times innermost: a capped prefix of these moves (_probe_linked) has both.
                for amount in [None, *constants] if amounts else [None]:
                    for what, params in singles:
                        for at, tlabel in times:
                            label = spec.label + (f"（{what}）" if what else "") + tlabel
                            if amount is not None:
                                params = {**params, **{pid: amount for pid in amounts}}
                                label += f"（金额 {amount}）"
                            yield Move("act", name, label, at.isoformat(), params, 1)
    return moves


LINKED_TRIES = 40  # moves of the rule's own act tried after each linked change (see _probe_linked)


def _ref_move(s: Session, step: Any) -> Move:
    """A reference path's step as a move from session `s`."""
    at = s.resolve_time(step.at) if step.at else s.now
    if step.do == "advance":
        return Move("advance", "advance", f"等待至 {at:%Y-%m-%d}", at.isoformat())
    return Move("act", step.do, s.proc.actions[step.do].label, at.isoformat(), dict(step.params))


def _play_ref(search: _Search, s: Session, step: Any) -> Move | None:
    """A reference path's step played on `s` (an explored step): its move, or None if the session refused it."""
    move = _ref_move(s, step)
    search.steps += 1
    return move if _apply(s, move) is not None else None


def _probe_linked(search: _Search, rules: list[RuleSpec]) -> None:
    """Rules that need two linked changes: the first reference path with one act the rule reads done another
    way (the amounts the rule compares with, a document field otherwise), then, at each later step that is
    one of the rule's own acts, that act tried every goal-directed way (at once instead of on schedule,
    with the amounts, ...). E.g. a fine above the hearing threshold proposed in the notice, then a decision
    before the hearing request period is over (hearing-request-window)."""
    sc, path = search.sc, search.classes.path
    for r in rules:
        reads, triggers = _read_acts(sc, r), set(_triggers(sc, r))
        if r.id in search.triggered or not reads or not triggers:
            continue
        moves = _goal_moves(search, [r])
        s = Session(sc, seed=search.seed, wall_clock=lambda: 0.0)
        done: tuple[Move, ...] = ()
        for i, step in enumerate(path):
            if r.id in search.triggered or search.out_of_time():
                break
            if step.do in reads:
                firsts = [m for m in moves(s) if m.name == step.do and m.params != step.params][:LINKED_TRIES]
                for first in firsts:
                    cur = search.try_move(s, first, done)
                    if cur is None:
                        continue
                    trail = done + (first,)
                    for later in path[i + 1:]:
                        if later.do in triggers:
                            for second in [m for m in moves(cur) if m.name == later.do][:LINKED_TRIES]:
                                tried = search.try_move(cur, second, trail)
                                if tried is not None:
                                    tried.close()
                                if r.id in search.triggered:
                                    break
                        if r.id in search.triggered:
                            break
                        move = _play_ref(search, cur, later)
                        if move is None:
                            break
                        trail += (move,)
                    cur.close()
                    if r.id in search.triggered or search.out_of_time():
                        break
            move = _play_ref(search, s, step)
            if move is None:
                break
            done += (move,)
        s.close()


def _reads_order(r: RuleSpec) -> bool:
    """Whether a rule's expressions compare when acts were done (`last('x').index`, `first('y').index`)."""
    return any(attr == "index" and root != "act" for e in (r.when, r.unless, r.expr) if e is not None
               for root, attr in e.attrs_read)


INSERTED_TRIES = 400  # moves of the rule's own act tried after each ordering of the inserted acts (_probe_inserted)


def _probe_inserted(search: _Search, rules: list[RuleSpec]) -> None:
    """Rules that read acts the first reference path never does (`done('legal_review') and
    done('collective_discussion')`), or compare the order of acts (`last('x').index > first('y').index`):
    the path is replayed without those acts up to the first of the rule's own acts, the acts it reads are
    done there in each order (at most three of them), and the rule's act is tried every goal-directed way
    (e.g. a decision above the hearing threshold after a collective discussion held before the legal review:
    major-decision-discussed-before-review)."""
    sc, path = search.sc, search.classes.path
    on_path = {st.do for st in path}
    for r in rules:
        triggers = set(_triggers(sc, r))
        reads = sorted(a for a in _read_acts(sc, r) if a not in triggers)
        if r.id in search.triggered or not triggers or not reads or len(reads) > 3 \
                or all(a in on_path for a in reads) and not _reads_order(r):
            continue
        moves = _goal_moves(search, [r])
        s = Session(sc, seed=search.seed, wall_clock=lambda: 0.0)
        done: tuple[Move, ...] = ()
        missing = reads
        for step in path:
            if step.do in reads:
                continue  # done below, in each order, before the rule's act
            if step.do in triggers:
                for order in itertools.permutations(missing):
                    cur, trail = s.fork(), done
                    for a in order:
                        spec = sc.procedure.actions[a]
                        base, when = search.classes.base(spec, cur, None)
                        move = Move("act", a, spec.label, when.isoformat(), base)
                        nxt = search.try_move(cur, move, trail)
                        cur.close()
                        if nxt is None:
                            break
                        cur, trail = nxt, trail + (move,)
                    else:
                        for second in itertools.islice((m for m in moves(cur) if m.name in triggers), INSERTED_TRIES):
                            tried = search.try_move(cur, second, trail)
                            if tried is not None:
                                tried.close()
                            if r.id in search.triggered or search.out_of_time():
                                break
                    if not cur.closed:
                        cur.close()
                    if r.id in search.triggered or search.out_of_time():
                        break
                break
            move = _play_ref(search, s, step)
            if move is None:
                break
            done += (move,)
        s.close()


def _probe_blank_documents(search: _Search) -> None:
    """A closure rule on the case file's blank fields (`text_without_content()`): the first reference path
    replayed with every document drafted one field short (the parameter class "文书缺一项"), then handed in.
    One document short is judged by its own rules; the share of blank fields needs many."""
    sc, proc = search.sc, search.proc
    wanted = [r for r in proc.rules if r.kind == RuleKind.FINISH and r.id not in search.triggered
              and any(f == "text_without_content" for e in (r.when, r.unless, r.expr) if e is not None
                      for f, _ in e.calls)]
    if not wanted:
        return
    s = Session(sc, seed=search.seed, wall_clock=lambda: 0.0)
    done: tuple[Move, ...] = ()
    for step in search.classes.path:
        move = _ref_move(s, step)
        spec = proc.actions.get(step.do)
        if spec is not None and spec.document is not None and isinstance(step.params.get("document"), dict):
            short = next((p for what, p in search.classes.variants(spec, dict(step.params))
                          if what.startswith("文书缺")), None)
            if short is not None:
                move = Move("act", step.do, f"{move.label}（文书缺一项）", move.at, short, 1)
        nxt = search.try_move(s, move, done)
        s.close()
        if nxt is None:
            return
        s, done = nxt, done + (move,)
    search.hand_in(s, done)
    s.close()


def _distance(sc: Scenario, triggers: tuple[str, ...]) -> Callable[[Session], int]:
    """Moves from a situation's state to the nearest state where one of `triggers` is possible (the graph)."""
    machine = machine_for(sc.procedure)
    back: dict[str, set[str]] = {}
    for (src, a), dest in machine.table.items():
        if a in sc.procedure.actions:
            back.setdefault(dest, set()).add(src)
    for ev in sc.procedure.events.values():
        if ev.dest is not None:
            for src in ev.sources:
                back.setdefault(ev.dest, set()).add(src)
    dist = {src: 0 for (src, a) in machine.table if a in triggers}
    todo = list(dist)
    while todo:
        nxt: list[str] = []
        for st in todo:
            for src in back.get(st, ()):
                if src not in dist:
                    dist[src] = dist[st] + 1
                    nxt.append(src)
        todo = nxt
    far = len(sc.procedure.states) + 1
    return lambda s: dist.get(s.state, far)


def _graph_unreachable(sc: Scenario, r: RuleSpec, reachable: set[str]) -> bool:
    """A rule judged on acts that no state the machine graph can reach allows."""
    triggers = _triggers(sc, r)
    table = machine_for(sc.procedure).table
    return bool(triggers) and not any(src in reachable for (src, a) in table if a in triggers)


def _proofs(search: _Search, reachable: set[str]) -> dict[str, str]:
    """A proof (sim.situations.Prover) for each rule still open that the state graph does not rule out."""
    sc = search.sc
    prover = Prover(sc, search.classes, search.depth, (c for r in sc.procedure.rules for c in _constants(sc, r)))
    proofs = {r.id: why for r in sc.procedure.rules if r.id not in search.triggered
              and not _graph_unreachable(sc, r, reachable) and (why := prover.prove(r))}
    prover.close()
    return proofs


def _exhaustive(search: _Search, limit: int, reachable: set[str], proofs: dict[str, str]) -> bool:
    """After the budgeted search and the proofs: breadth first over every situation within the depth for the
    rules still open that no proof settles (_Search.run_exhaustive). True if every open rule is settled (the
    coverage is proven)."""
    sc = search.sc
    search.stop = STOP_DONE
    rest = [r for r in sc.procedure.rules if r.id not in search.triggered and r.id not in proofs
            and not _graph_unreachable(sc, r, reachable)]
    if not rest:
        search.proven_depth = search.depth
        return True
    if search.out_of_time():
        search.stop = STOP_TIME
        return False
    return search.run_exhaustive(limit, rest)


def _reason(search: _Search, r: RuleSpec, reachable: set[str], proven: bool, proof: str = "") -> Unreached:
    """Why no explored move fired `r`, from the state graph, from a proof (sim.situations.Prover) and from sample
    situations."""
    sc, proc = search.sc, search.proc
    if _graph_unreachable(sc, r, reachable):
        proof = ""  # the state graph's reason says more
    elif proof:
        detail = next((f"{w}：{e.source}" for w, e in (("适用条件", r.when), ("检查", r.expr)) if e is not None), "")
        return Unreached(r.id, r.title, proof, detail, True)
    labels = {st.id: st.label for st in proc.states}
    triggers = _triggers(sc, r)
    if triggers:
        acts = "、".join(f"「{proc.actions[a].label}」" for a in triggers)
        table = machine_for(proc).table
        sources = sorted({src for (src, a) in table if a in triggers and a in proc.actions}, key=list(labels).index)
        if not any(src in reachable for src in sources):
            events = [ev for ev in proc.events.values() if ev.dest in sources]
            why = (f"本案没有安排使案件进入该状态的外界事件（{'、'.join('「' + e.label + '」' for e in events)}）"
                   if events else "没有动作或外界事件能使案件进入该状态")
            return Unreached(r.id, r.title, f"规则看的是{acts}，只能在「{'、'.join(labels[x] for x in sources)}」"
                             f"状态进行，{why}，任何办法都触发不了", "", True)
        done = sum(search.done_acts[a] for a in triggers)
        if not done:
            return Unreached(r.id, r.title, f"规则看的是{acts}，探索中始终未能进行"
                             f"（须先到达「{'、'.join(labels[x] for x in sources)}」状态）"
                             + ("" if proven else "；可加大 --budget、--seconds 或用 --exhaustive"), "", proven)
        paths = [p for a in triggers for p in search.samples.get(a, [])][:SAMPLES]
        statuses: Counter[str] = Counter()
        for path in paths:
            s = search.rebuild(path)
            statuses[s.rule_status(r.id, len(s.acts) - 1 if s.acts else None)] += 1
            s.close()
        head = f"{acts}在探索中进行了 {done} 次（抽查 {len(paths)} 次）"
    else:
        acts = ""
        statuses = Counter()
        for path in search.hand_ins[:SAMPLES]:
            s = search.rebuild(path)
            statuses[s.rule_status(r.id)] += 1
            s.close()
        head = f"探索中交卷 {search.handed_in} 次（抽查 {sum(statuses.values())} 次）"
    words = {
        "when": "规则的适用条件不成立",
        "unless": "规则的除外条件成立",
        "not_started": "期限的起算点从未出现",
        "error": "规则的表达式求值出错",
        "breached": "违反的情形出现了，但不在规则检查的时点",
        "fired": "规则已触发",
    }
    held = {RuleKind.ORDER: "每次之前都已进行" + "、".join(f"「{proc.actions[a].label}」" for a in r.requires
                                                      if a in proc.actions),
            RuleKind.CHECK: "规则检查的要求每次都满足", RuleKind.FORBID: "规则禁止的情形从未出现",
            RuleKind.DEADLINE: "每次都在期限内", RuleKind.FINISH: "交卷时的要求每次都满足",
            RuleKind.ENDING: "每次交卷都不属于该结局"}
    parts = [f"{words.get(k) or held.get(r.kind, '规则的要求每次都满足')} {n} 次" for k, n in statuses.most_common()]
    detail = ""
    if statuses and statuses.most_common(1)[0][0] == "when" and r.when is not None:
        detail = f"适用条件：{r.when.source}"
    elif statuses and statuses.most_common(1)[0][0] == "unless" and r.unless is not None:
        detail = f"除外条件：{r.unless.source}"
    elif r.expr is not None:
        detail = f"检查：{r.expr.source}"
    return Unreached(r.id, r.title, head + ("：" + "，".join(parts) if parts else ""), detail, proven)


def explore(sc: Scenario, *, depth: int | None = None, budget: int | None = None, seed: int = 0,
            seconds: float | None = None, exhaustive: bool = False,
            progress: Callable[[dict[str, Any]], None] | None = None,
            clock: Callable[[], float] = time.perf_counter) -> ExploreReport:
    """Explore `sc` from its start: at most `depth` moves per sequence, at most `budget` distinct situations
    (DEFAULT_BUDGET; EXHAUSTIVE_LIMIT with `exhaustive`) and at most `seconds` of wall time.

    Situations are taken in order of how far their path strays from the case's first reference path (0: the
    reference path itself; 1: one act varied, skipped or added; ...), then of length, so a budget cut leaves
    the most contrived sequences unexplored rather than whole parts of the procedure. Each situation is
    rebuilt by replaying its path; its next moves are tried on forks of it, and what a move finds counts at
    once. Then, for each rule still not found, a goal-directed search heads for the states where the rule's
    acts are possible and tries them with the amounts the rule compares with and every document field varied.
    Every rule left has a reason (sim.explore.Unreached).

    `exhaustive`: after the budgeted search (DEFAULT_BUDGET), each rule still open is proven unreachable
    (state graph, sim.situations.Prover) or searched for breadth first over sim.situations' equivalence classes
    until none is left (the report's `proven`) or the limit (`budget`, EXHAUSTIVE_LIMIT by default) or
    `seconds` stops it, and the report says so. `progress` is called every 64 situations with the counts so far.
    """
    depth = default_depth(sc) if depth is None else depth
    budget = (EXHAUSTIVE_LIMIT if exhaustive else DEFAULT_BUDGET) if budget is None else budget
    search = _Search(sc, seed, depth, clock, None, progress)
    if seconds is not None:
        search.until = search.started + seconds
    proc = sc.procedure
    # --exhaustive starts as the budgeted search does: the rules it finds need no proof.
    first = DEFAULT_BUDGET if exhaustive else budget
    search.run(first)
    main_stop = search.stop
    main_nodes = search.nodes
    reachable = _reachable_states(sc)
    # Goal-directed: toward the states where the acts of the rules not found yet are possible, trying those
    # acts with the values the rules look at; restarted (with the rules left) whenever one is found.
    goal_left = max(20, int(first * GOAL_SHARE))
    goal_nodes = 0
    table = machine_for(proc).table
    if not search.out_of_time():
        _probe_linked(search, [r for r in proc.rules if r.id not in search.triggered and _triggers(sc, r)
                               and any(src in reachable for (src, a) in table if a in _triggers(sc, r))])
        _probe_inserted(search, [r for r in proc.rules if r.id not in search.triggered and _triggers(sc, r)
                                 and any(src in reachable for (src, a) in table if a in _triggers(sc, r))])
        _probe_blank_documents(search)
    while goal_left > 0 and not search.out_of_time():
        targets = [r for r in proc.rules if r.id not in search.triggered and _triggers(sc, r)
                   and any(src in reachable for (src, a) in table if a in _triggers(sc, r))]
        if not targets:
            break
        before, found_before = search.nodes, len(search.triggered)
        acts = tuple(dict.fromkeys(a for r in targets for a in _triggers(sc, r)))
        ids = {r.id for r in targets}
        start_nodes = search.nodes
        search.run(goal_left, goal=_distance(sc, acts), extra=_goal_moves(search, targets),
                   stop_when=lambda ids=ids, n0=start_nodes: bool(ids & search.triggered)
                   or search.nodes - n0 >= GOAL_STALL)
        goal_left -= search.nodes - before
        goal_nodes += search.nodes - before
        if len(search.triggered) == found_before:
            break  # the search ran out of situations or budget without finding one more
    # Rules no sequence can fire, shown over the parameter classes (cheap: no search).
    proofs = _proofs(search, reachable)
    finished = exhaustive and _exhaustive(search, budget, reachable, proofs)
    proven = exhaustive and finished
    unreached = tuple(_reason(search, r, reachable, proven, proofs.get(r.id, ""))
                      for r in proc.rules if r.id not in search.triggered)
    search.report_progress()
    non_final = [st.id for st in proc.states if not st.final]
    transitions = frozenset((src, a.id) for a in proc.actions.values()
                            for src in (non_final if "*" in a.sources else a.sources))
    labels = {st.id: st.label for st in proc.states}
    labels[UNFINISHED] = f"未完成（达到 {depth} 步上限）"
    labels[STUCK] = "停滞（无可进行的动作）"
    order = [st.id for st in proc.states] + [STUCK, UNFINISHED]
    endings = search.endings
    return ExploreReport(
        sc.id, sc.title, depth, budget, search.nodes, search.steps, main_stop != STOP_DONE,
        clock() - search.started,
        tuple((st.id, st.label) for st in proc.states), frozenset(search.reached), transitions,
        frozenset(search.covered & transitions), tuple((r.id, r.title) for r in proc.rules),
        frozenset(search.triggered),
        tuple(Ending(k, labels[k], tuple(endings[k].scores), endings[k].example) for k in order if k in endings),
        tuple(search.gamed),
        stop=search.stop if exhaustive else main_stop, exhaustive=exhaustive, proven=proven, seconds_limit=seconds, main_nodes=main_nodes,
        goal_nodes=goal_nodes, unreached=unreached,
        first_found=tuple(sorted(search.first.items(), key=lambda kv: kv[1])),
        proven_depth=min(search.proven_depth, depth) if exhaustive else 0,
    )
