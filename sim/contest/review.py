"""Review rounds (案卷评查): a contestant reads a finished case file and marks each defect with its rule.

The case file is a trap path of a library case, played headless by the engine (`sim.selftest.play`): its
numbered steps (the acts), every document the acts produced, and the timeline of acts and world events. The
answer key is the engine's own findings for that path: each finding's rule id and the step (act) that produced
it. Scoring is defined exactly in docs/contests.md ("Review scoring"); in short:

* a mark is (step, rule id); duplicate marks count once;
* a mark matches a finding when the rule ids are equal and, for a finding produced by an act, the steps are
  equal (a finding not produced by an act — a deadline that ran out, a check at closure — matches a mark of
  that rule at any step);
* precision = matched / marks, recall = matched / findings, F1 their harmonic mean (an empty side counts as
  1.0 when the other side is empty too, else 0.0);
* points = 100 − the deduction of every missed finding (its rule's deduction in the case: 否决项 40,
  较重 15, 轻微 5, or the rule's own `points`) − 5 for every false mark (误判), floored at 0;
* missing any critical finding (否决项) fails the review whatever the points, like a veto item in the rubric.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..model import Scenario, Severity
from ..report import Row, _as_time, act_details, act_title, document_fields, document_name
from ..scoring import PASS_MARK, cite_labels, grade_for

FALSE_MARK_DEDUCTION = 5  # 误判: reporting a defect the file does not have, weighted like a minor item


class ReviewError(Exception):
    """The review cannot be built (unknown trap)."""


@attrs.frozen
class Mark:
    step: int  # 1-based step number as shown in the case file; 0 = the file as a whole
    rule_id: str

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "rule": self.rule_id}

    @classmethod
    def from_json(cls, data: Any) -> Mark:
        if isinstance(data, Mark):
            return data
        if not isinstance(data, Mapping):
            raise ValueError("评查标记应为 {step, rule}")
        step, rule = data.get("step"), data.get("rule", data.get("rule_id"))
        bad_step = isinstance(step, bool) or not isinstance(step, int) or step < 0
        if bad_step or not isinstance(rule, str) or not rule:
            raise ValueError(f"评查标记格式不正确：{dict(data)!r}")
        return cls(step, rule)


@attrs.frozen
class ReviewStep:
    number: int  # 1-based
    at: str
    title: str
    details: str
    document: str | None  # 《…》 when the act produced a document


@attrs.frozen
class ReviewDocument:
    step: int
    name: str
    at: str
    fields: tuple[tuple[str, str], ...]


@attrs.frozen
class RuleChoice:
    """A rule the contestant can pick; every rule of the case's procedure, so the list reveals nothing."""

    id: str
    title: str
    severity: str  # severity label
    citations: str


@attrs.frozen
class Defect:
    """One finding of the answer key."""

    rule_id: str
    title: str
    severity: Severity
    step: int | None  # None: not produced by an act (expired deadline, closure check)
    deduction: int


@attrs.frozen
class ReviewFile:
    case_id: str
    trap: str
    title: str
    documents: tuple[ReviewDocument, ...]
    timeline: tuple[Row, ...]
    steps: tuple[ReviewStep, ...]
    rules: tuple[RuleChoice, ...]
    final_state: str


@attrs.frozen
class ReviewScore:
    precision: float
    recall: float
    f1: float
    points: int
    veto_missed: tuple[str, ...]  # rule ids of missed critical findings
    matched: tuple[Mark, ...]
    missed: tuple[Defect, ...]
    false_marks: tuple[Mark, ...]
    passed: bool
    grade: str

    @property
    def criticals(self) -> int:
        return len(self.veto_missed)

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": self.precision, "recall": self.recall, "f1": self.f1, "points": self.points,
            "veto_missed": list(self.veto_missed), "matched": [m.to_json() for m in self.matched],
            "missed": [{"rule": d.rule_id, "step": d.step} for d in self.missed],
            "false_marks": [m.to_json() for m in self.false_marks], "passed": self.passed,
            "grade": self.grade,
        }


def _trap(scenario: Scenario, trap_name: str) -> Any:
    test = next((t for t in scenario.traps if t.name == trap_name), None)
    if test is None:
        raise ReviewError(f"案例「{scenario.id}」没有名为「{trap_name}」的陷阱路径")
    return test


_played: dict[tuple[str, str, str], tuple[ReviewFile, tuple[Defect, ...]]] = {}


def _play(scenario: Scenario, trap_name: str) -> tuple[ReviewFile, tuple[Defect, ...]]:
    """The case file and answer key of a trap path, played headless by the engine's self-test player (cached
    per case version: the file is the same for every contestant)."""
    key = (scenario.id, scenario.content_hash, trap_name)
    hit = _played.get(key)
    if hit is not None:
        return hit
    from ..selftest import play

    s, _problems = play(scenario, _trap(scenario, trap_name))
    try:
        steps = []
        documents = []
        for a in s.acts:
            spec = scenario.procedure.actions[a.name]
            doc = document_name(scenario, a.name) if spec.document is not None else None
            steps.append(ReviewStep(a.index + 1, _as_time(a.at), act_title(scenario, a),
                                    "；".join(act_details(scenario, a)), doc))
            if doc is not None:
                documents.append(ReviewDocument(a.index + 1, doc, _as_time(a.at),
                                                tuple(document_fields(scenario, a))))
        # The timeline is the session log without its findings and without the closing line (it states the
        # score): what a reviewer sees in a file is what happened, not what was wrong with it.
        timeline = tuple(
            Row(_as_time(e.at), e.text) for e in s.log
            if e.kind in ("act", "event") or (e.kind == "note" and not e.text.startswith("结案。"))
        )
        rules = tuple(sorted(
            (RuleChoice(r.id, r.title, r.severity.label,
                        cite_labels(r.cite, scenario.articles))
             for r in scenario.procedure.rules),
            key=lambda c: (c.title, c.id)))
        file = ReviewFile(scenario.id, trap_name, scenario.title, tuple(documents), timeline, tuple(steps),
                          rules, s.state_label)
        defects = tuple(
            Defect(f.rule_id, f.title, f.severity, None if f.act_index is None else f.act_index + 1,
                   f.deduction)
            for f in s.findings
        )
    finally:
        s.close()
    hit = _played[key] = (file, defects)
    return hit


def review_file(scenario: Scenario, trap_name: str) -> ReviewFile:
    """What the contestant reads: the trap path's numbered steps, documents and timeline (no findings)."""
    return _play(scenario, trap_name)[0]


def answer_key(scenario: Scenario, trap_name: str) -> tuple[Defect, ...]:
    """The engine's findings of the trap path, as defects (rule id + the step that produced it)."""
    return _play(scenario, trap_name)[1]


def _ratio(num: int, den: int, empty: float) -> float:
    return num / den if den else empty


def score_review(scenario: Scenario, trap_name: str,
                 marks: Iterable[Mark | Mapping[str, Any]]) -> ReviewScore:
    """Score an answer sheet against the engine's findings (defined in the module docstring and
    docs/contests.md)."""
    key = answer_key(scenario, trap_name)
    unique: list[Mark] = []
    for m in marks:
        mark = Mark.from_json(m)
        if mark not in unique:
            unique.append(mark)
    remaining = list(key)
    matched: list[Mark] = []
    false_marks: list[Mark] = []
    # Exact (rule, step) matches first, so a mark at the right step is never spent on a step-less finding.
    for m in sorted(unique, key=lambda m: (m.rule_id, m.step)):
        hit = next((d for d in remaining if d.rule_id == m.rule_id and d.step == m.step), None)
        if hit is None:
            hit = next((d for d in remaining if d.rule_id == m.rule_id and d.step is None), None)
        if hit is None:
            false_marks.append(m)
        else:
            remaining.remove(hit)
            matched.append(m)
    n_match, n_marks, n_key = len(matched), len(unique), len(key)
    precision = _ratio(n_match, n_marks, 1.0 if n_key == 0 else 0.0)
    recall = _ratio(n_match, n_key, 1.0)
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    points = max(0, 100 - sum(d.deduction for d in remaining) - FALSE_MARK_DEDUCTION * len(false_marks))
    veto = tuple(d.rule_id for d in remaining if d.severity is Severity.CRITICAL)
    passed = not veto and points >= PASS_MARK
    order = {m: i for i, m in enumerate(unique)}
    return ReviewScore(precision, recall, f1, points, veto, tuple(sorted(matched, key=order.__getitem__)),
                       tuple(remaining), tuple(sorted(false_marks, key=order.__getitem__)), passed,
                       grade_for(points, bool(veto)))
