"""Can a case be gamed? The cheapest hand-ins a contestant would try, played against the case's own rules.

A score that only subtracts for wrong acts rewards doing little; sim.outcomes makes an ending outside the
lawful outcomes a veto. This module proves it case by case (`lawdrill check`, `lawdrill explore`, the tests):

- the empty path (hand in at once);
- every strict prefix of every reference path, handed in (stopping halfway);
- the shortest path to each final state of the procedure (refer at once, close at once...), acted with the
  reference path's own parameters where the act occurs in one (so only the ending can make it fail) and with
  nothing otherwise (a blank referral letter);
- every reference path with every free-text field written as "x" (the acts right, the documents empty of
  content: issue 13's drafting busywork), which must not pass at all.

None of them may pass unless it reaches a lawful outcome, and a strict prefix may not pass at all (the steps
after it would be superfluous). `attempts()` gives the lazy attempts of issue 10 (nothing / refer at once
with a blank letter / refer at once with a filled letter to a wrong receiver / half of each reference path), for
the figures and tests/test_outcomes.py.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import attrs

from .calendar import LegalCalendar
from .model import ParamKind, Pos, Scenario, ScheduledEvent, Step
from .scoring import Result
from .selftest import play_more
from .session import Session

SHORTEST_DEPTH = 8  # acts: deeper final states are not "cheap" endings any more


@attrs.frozen
class Probe:
    """One hand-in to try: what it is (Chinese, for the trainer), its steps, and where to point an error."""

    kind: str  # empty | prefix | final | refer_blank | half
    label: str
    steps: tuple[Step, ...]
    pos: Pos
    script: tuple[ScheduledEvent, ...] | None = None  # a reference path's own world script


@attrs.frozen
class Hit:
    """A probe that passed although it reached no lawful outcome."""

    probe: Probe
    result: Result

    reached: bool = False  # a strict prefix of a reference path that already reaches a lawful outcome

    def message(self) -> str:
        head = f"{self.probe.label}就交卷，得分 {self.result.score}、判定通过"
        if self.probe.kind == "blank_text":
            return (f"{head}：文书只写“{BLANK}”也能通过，文书内容没有被检查。请为本案的文书要素写规则"
                    "（cites_basis、states_fine、names_party 等，见 docs/scenario-format.md）")
        if self.probe.kind == "prefix" and self.reached:
            return (f"{head}（已达到合法结果）：参考路径其后的步骤是多余的，或者本案的合法结果少要求了这些环节，"
                    "案件可以这样取巧")
        return f"{head}：案件可以这样取巧。请检查本案的合法结果（outcomes）是否要求了应有的环节"


def passes_outside(s: Session, result: Result) -> bool:
    """A finished session that passes without reaching a lawful outcome (the case can be gamed)."""
    return result.passed and s.assess_outcome().reached is None


def _case_pos(sc: Scenario) -> Pos:
    return sc.outcomes[0].pos if sc.outcomes and not sc.outcomes[0].derived else sc.pos


def _params_by_act(sc: Scenario) -> dict[str, dict[str, Any]]:
    """The first parameters each act has in the case's reference paths (what a careful contestant copies)."""
    out: dict[str, dict[str, Any]] = {}
    for t in sc.references:
        for st in t.steps:
            if st.do not in ("advance", "finish"):
                out.setdefault(st.do, dict(st.params))
    return out


def shortest_to_finals(sc: Scenario, *, depth: int = SHORTEST_DEPTH,
                       calendar: LegalCalendar | None = None) -> dict[str, tuple[Step, ...]]:
    """The shortest act sequence (breadth first, acts at the current case time) reaching each final state."""
    proc = sc.procedure
    params = _params_by_act(sc)
    finals = {st.id for st in proc.states if st.final}
    root = Session(sc, wall_clock=lambda: 0.0, calendar=calendar)
    found: dict[str, tuple[Step, ...]] = {}
    seen = {(root.state, frozenset())}
    queue: deque[tuple[Session, tuple[Step, ...]]] = deque([(root, ())])
    while queue and len(found) < len(finals):
        s, path = queue.popleft()
        if len(path) >= depth:
            continue
        done = {a.name for a in s.acts}
        for name, spec in proc.actions.items():
            if s.why_not(name):
                continue
            options = [dict(params.get(name, {}))]
            if "target" in spec.params:  # serve what exists: each document drafted so far
                options = [{**o, "target": t} for o in options for t in dict.fromkeys(
                    a.name for a in s.acts if proc.actions[a.name].servable)]
            for p in options:
                child = s.fork()
                if not child.act(name, None, **p).ok:
                    continue
                key = (child.state, frozenset(done | {name}))
                if key in seen:
                    continue
                seen.add(key)
                step = Step(name, None, p, sc.pos)
                if child.state in finals:
                    found.setdefault(child.state, path + (step,))
                else:
                    queue.append((child, path + (step,)))
    return found


BLANK = "x"


def blank_text(sc: Scenario, steps: tuple[Step, ...], filler: str = BLANK) -> tuple[Step, ...]:
    """The steps with every free-text value — a text parameter, a text field of a drafted document — replaced
    by `filler`: the same acts with documents that say nothing."""
    proc = sc.procedure
    out = []
    for st in steps:
        spec = proc.actions.get(st.do)
        if spec is None:
            out.append(st)
            continue
        params: dict[str, Any] = {}
        for k, v in st.params.items():
            p = proc.params.get(k)
            if p is not None and p.kind == ParamKind.TEXT and isinstance(v, str):
                v = filler
            elif k == "document" and isinstance(v, dict) and spec.document is not None:
                v = {fid: filler if isinstance(fv, str) and (f := spec.document.field(fid)) is not None
                     and f.kind == "text" else fv for fid, fv in v.items()}
            params[k] = v
        out.append(attrs.evolve(st, params=params))
    return tuple(out)


def probes(sc: Scenario, *, calendar: LegalCalendar | None = None) -> list[Probe]:
    """Every hand-in `lawdrill check` requires to fail (unless it reaches a lawful outcome)."""
    out = [Probe("empty", "什么都不做", (), _case_pos(sc))]
    for t in sc.references:
        steps = tuple(st for st in t.steps if st.do != "finish")
        for k in range(1, len(steps)):
            last = steps[k - 1]
            out.append(Probe("prefix", f"参考路径「{t.name}」只做到第 {k} 步（{last.do}）", steps[:k], last.pos,
                             t.script))
    for t in sc.references:
        steps = tuple(st for st in t.steps if st.do != "finish")
        out.append(Probe("blank_text", f"参考路径「{t.name}」的各项文书文字都只写“{BLANK}”", blank_text(sc, steps),
                         t.pos, t.script))
    labels = {st.id: st.label for st in sc.procedure.states}
    for state, steps in shortest_to_finals(sc, calendar=calendar).items():
        acts = "、".join(st.do for st in steps)
        out.append(Probe("final", f"以最短路径（{acts}）进入「{labels[state]}」", steps, _case_pos(sc)))
    return out


def wrong_receiver(sc: Scenario) -> str | None:
    """A receiver of the template's referral letter that is not the case's competent one (facts.refer_to); for a
    case within the township's power every receiver is wrong, the first is taken. None without a referral act."""
    refer = sc.procedure.actions.get("refer")
    field = refer.document.field("receiver") if refer is not None and refer.document is not None else None
    if field is None:
        return None
    return next((o.id for o in field.options if o.id != sc.facts.get("refer_to")), None)


def filled_letter(sc: Scenario, receiver: str) -> dict[str, Any]:
    """A referral letter a careful contestant would write: facts stated, a basis cited, materials attached."""
    name = sc.party.get("name") or "当事人"
    reason = f"{name}的违法行为：{sc.title}。依据《中华人民共和国行政处罚法》第十七条，移送有管辖权的机关依法查处"
    return {"receiver": receiver, "reason": reason, "materials": True}


def attempts(sc: Scenario) -> list[Probe]:
    """The gaming attempts of issue 10: nothing; refer at once with a blank letter; refer at once with a filled
    letter to a receiver that is not the competent one; half of each reference path."""
    out = [Probe("empty", "什么都不做", (), sc.pos)]
    if "refer" in sc.procedure.actions:
        out.append(Probe("refer_blank", "立即以空白移送函移送", (Step("refer", None, {"document": {}}, sc.pos),),
                         sc.pos))
    wrong = wrong_receiver(sc)
    if wrong is not None:
        letter = {"document": filled_letter(sc, wrong)}
        out.append(Probe("refer_wrong", f"立即以写明事实和依据的移送函移送「{wrong}」",
                         (Step("refer", None, letter, sc.pos),), sc.pos))
    for t in sc.references:
        steps = tuple(st for st in t.steps if st.do != "finish")
        out.append(Probe("half", f"参考路径「{t.name}」只做前一半", steps[: len(steps) // 2], t.pos, t.script))
    return out


def play(sc: Scenario, probe: Probe, *, calendar: LegalCalendar | None = None) -> tuple[Session, Result]:
    s = Session(sc, wall_clock=lambda: 0.0, calendar=calendar, script=probe.script)
    play_more(s, probe.steps)
    return s, s.finish()


def hits(sc: Scenario, *, calendar: LegalCalendar | None = None) -> list[Hit]:
    """The probes that pass outside the lawful outcomes: each one is a way to game the case."""
    out = []
    for probe in probes(sc, calendar=calendar):
        s, result = play(sc, probe, calendar=calendar)
        if passes_outside(s, result):
            out.append(Hit(probe, result))
        elif probe.kind in ("empty", "prefix", "blank_text") and result.passed:  # these must not pass at all
            out.append(Hit(probe, result, reached=True))
        s.close()
    return out
