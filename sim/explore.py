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
least 8), and after `budget` distinct situations (the report says when the budget cut it).
"""

from __future__ import annotations

import datetime as dt
import heapq
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import attrs

from .gaming import passes_outside
from .model import ActionSpec, ParamKind, Scenario
from .session import Session

DEFAULT_DEPTH = 8
DEFAULT_BUDGET = 1000
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

    @property
    def rules_never(self) -> list[tuple[str, str]]:
        return [(rid, title) for rid, title in self.rules if rid not in self.rules_triggered]

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


def _signature(s: Session, waits: int = 0) -> tuple[Any, ...]:
    """What makes two situations different for the search (time only through waits and the world's events)."""
    return (s.state, tuple(sorted(Counter(a.name for a in s.acts).items())), waits, s.pending_events(),
            frozenset(f.rule_id for f in s.findings), tuple(sorted((k, repr(v)) for k, v in s.flags.items())))


def _moves(classes: _Classes, s: Session, pointer: int) -> Iterator[tuple[Move, int, int]]:
    """Every move to try from session `s`, with its cost and the reference pointer after it.

    `pointer` is the index of the next step of the case's first reference path. Taking that step costs 0;
    taking a later reference step costs the steps it skips; varying a class costs 1 more; a move the
    reference path does not make costs 1 (and leaves the pointer where it was).
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
            j = next((k for k in range(pointer, len(path)) if path[k].do == spec.id
                      and (target is None or path[k].params.get("target") == target)), None)
            if j is not None:
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
    j = next((k for k in range(pointer, len(path)) if path[k].do == "advance"), None)
    if j is not None and path[j].at is not None and s.resolve_time(path[j].at) > s.now:
        wait = s.resolve_time(path[j].at)
        yield Move("advance", "advance", f"等待至 {wait:%Y-%m-%d}", wait.isoformat()), j - pointer, j + 1
    else:
        wait = next((t for t in classes.ref_waits if t > s.now), None)
        if wait is not None:
            yield Move("advance", "advance", f"等待至 {wait:%Y-%m-%d}", wait.isoformat()), 1, pointer


def _apply(s: Session, move: Move) -> bool:
    try:
        if move.kind == "advance":
            return s.advance(move.at).ok
        return s.act(move.name, move.at, **move.params).ok
    except (TypeError, ValueError, OverflowError):
        return False


@attrs.define
class _Acc:
    scores: list[int] = attrs.Factory(list)
    example: tuple[Move, ...] = ()


def default_depth(sc: Scenario) -> int:
    """Long enough for the longest reference path and two more moves (at least DEFAULT_DEPTH)."""
    longest = max((sum(1 for st in t.steps if st.do != "finish") for t in sc.references), default=0)
    return max(DEFAULT_DEPTH, longest + 2)


def explore(sc: Scenario, *, depth: int | None = None, budget: int = DEFAULT_BUDGET, seed: int = 0,
            clock: Any = time.perf_counter) -> ExploreReport:
    """Explore `sc` from its start: at most `depth` moves per sequence, at most `budget` distinct situations.

    Situations are taken in order of how far their path strays from the case's first reference path (0: the
    reference path itself; 1: one act varied, skipped or added; ...), then of length, so a budget cut leaves
    the most contrived sequences unexplored rather than whole parts of the procedure. Each situation is
    rebuilt by replaying its path; its next moves are tried on forks of it.
    """
    started = clock()
    depth = default_depth(sc) if depth is None else depth
    classes = _Classes(sc)
    proc = sc.procedure
    non_final = [st.id for st in proc.states if not st.final]
    transitions = frozenset((src, a.id) for a in proc.actions.values()
                            for src in (non_final if "*" in a.sources else a.sources))
    best: dict[tuple[Any, ...], tuple[int, int]] = {}
    reached: set[str] = set()
    covered: set[tuple[str, str]] = set()
    triggered: set[str] = set()
    endings: dict[str, _Acc] = {}
    gamed: list[tuple[Move, ...]] = []
    steps = nodes = 0

    def hand_in(s: Session, path: tuple[Move, ...]) -> Any:
        """Finish a fork of `s`; a pass outside the lawful outcomes is recorded as a way to game the case."""
        f = s.fork()
        result = f.finish()
        if passes_outside(f, result) and len(gamed) < 10:
            gamed.append(path)
        f.close()
        return result
    cut = False

    def end(s: Session, key: str, path: tuple[Move, ...]) -> None:
        result = hand_in(s, path)
        triggered.update(result.rule_ids())
        acc = endings.setdefault(key, _Acc())
        acc.scores.append(result.score)
        if not acc.example:
            acc.example = path

    def rebuild(path: tuple[Move, ...]) -> Session:
        nonlocal steps
        s = Session(sc, seed=seed, wall_clock=lambda: 0.0)
        for move in path:
            steps += 1
            _apply(s, move)
        return s

    root = Session(sc, seed=seed, wall_clock=lambda: 0.0)
    sig0 = _signature(root)
    root.close()
    best[sig0] = (0, 0)
    seq = 0
    heap: list[tuple[int, int, int, int, tuple[Any, ...], tuple[Move, ...]]] = [(0, 0, 0, 0, sig0, ())]
    while heap:
        cost, length, _, pointer, sig, path = heapq.heappop(heap)
        if best.get(sig, (cost, length)) < (cost, length):
            continue  # reached more directly since this path was queued
        if nodes >= budget:
            cut = True
            break
        nodes += 1
        s = rebuild(path)
        reached.add(s.state)
        if proc.state(s.state).final:
            end(s, s.state, path)
        elif length >= depth:
            end(s, UNFINISHED, path)
        else:
            # A trainee may stop anywhere: what closing the case here would find counts for rule coverage.
            triggered.update(hand_in(s, path).rule_ids())
            moved = False
            waits = sum(m.kind == "advance" for m in path)
            for move, extra, after in _moves(classes, s, pointer):
                child = s.fork()
                steps += 1
                before = child.state
                if _apply(child, move):
                    moved = True
                    if move.kind == "act":
                        covered.add((before, move.name))
                    csig = _signature(child, waits + (move.kind == "advance"))
                    prio = (cost + extra, length + 1)
                    if prio < best.get(csig, (depth * depth + 1, depth + 1)):
                        best[csig] = prio
                        seq += 1
                        heapq.heappush(heap, (*prio, seq, after, csig, path + (move,)))
                child.close()
            if not moved:
                end(s, STUCK, path)
        s.close()
    labels = {st.id: st.label for st in proc.states}
    labels[UNFINISHED] = f"未完成（达到 {depth} 步上限）"
    labels[STUCK] = "停滞（无可进行的动作）"
    order = [st.id for st in proc.states] + [STUCK, UNFINISHED]
    return ExploreReport(
        sc.id, sc.title, depth, budget, nodes, steps, cut, clock() - started,
        tuple((st.id, st.label) for st in proc.states), frozenset(reached), transitions,
        frozenset(covered & transitions), tuple((r.id, r.title) for r in proc.rules), frozenset(triggered),
        tuple(Ending(k, labels[k], tuple(endings[k].scores), endings[k].example)
              for k in order if k in endings),
        tuple(gamed),
    )
