"""Findings -> score, grade and debrief text.

A finding is data; every sentence a trainee reads about it is rendered here, so the TUI, the command line
and exported reports say the same thing. Scoring follows the case-file review rubric's language: a critical
finding is a veto item (否决项) that fails the case whatever the points; other findings deduct points,
"扣完为止，不计负分" (floored at 0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from .model import Article, Severity, Status

if TYPE_CHECKING:
    from .model import Scenario

DEDUCTION = {Severity.CRITICAL: 40, Severity.MAJOR: 15, Severity.MINOR: 5}
PASS_MARK = 60


@attrs.frozen
class DeadlineFact:
    start_label: str
    start: dt.datetime
    period: str  # "5个工作日"
    unit: str
    due: dt.date
    due_at: dt.datetime | None
    days_late: int
    early: bool  # a "not before" period was not respected
    provisional: bool
    inclusive: bool = False  # early only: the act was allowed on the last day itself (at_least)


@attrs.frozen
class Omission:
    """A stage of a lawful outcome the case did not reach at hand-in ("决定书未送达"), with its basis."""

    label: str
    cites: tuple[str, ...]


@attrs.frozen
class Finding:
    rule_id: str
    title: str
    severity: Severity
    cites: tuple[str, ...]
    explain: str
    expected: str
    actual: str
    at: dt.datetime  # case time
    act_index: int | None
    wall: float | None  # wall-clock moment in the session
    deadline: DeadlineFact | None = None
    points: int | None = None
    # Ending findings (sim.outcomes): the lawful outcome the case was measured against and what it lacked.
    outcome: str = ""
    omitted: tuple[Omission, ...] = ()

    @property
    def deduction(self) -> int:
        return self.points if self.points is not None else DEDUCTION[self.severity]

    def to_json(self) -> dict[str, Any]:
        d = attrs.asdict(self, value_serializer=_ser)
        d["severity"] = self.severity.value
        return d


def _ser(_inst: Any, _field: Any, value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


@attrs.frozen
class Result:
    scenario_id: str
    score: int
    passed: bool
    grade: str
    vetoed: bool
    findings: tuple[Finding, ...]
    state: str
    finished: bool

    def rule_ids(self) -> list[str]:
        return sorted(f.rule_id for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_id, "score": self.score, "passed": self.passed, "grade": self.grade,
            "vetoed": self.vetoed, "state": self.state, "finished": self.finished,
            "findings": [f.to_json() for f in self.findings],
        }


def grade_for(score: int, vetoed: bool) -> str:
    if vetoed or score < PASS_MARK:
        return "不合格"
    if score >= 90:
        return "优秀"
    if score >= 80:
        return "良好"
    return "合格"


def score_findings(scenario: Scenario, findings: Iterable[Finding], state: str, *, finished: bool) -> Result:
    fs = tuple(findings)
    score = max(0, 100 - sum(f.deduction for f in fs))
    vetoed = any(f.severity is Severity.CRITICAL for f in fs)
    return Result(scenario.id, score, not vetoed and score >= PASS_MARK, grade_for(score, vetoed), vetoed, fs,
                  state, finished)


# --- rendering ---------------------------------------------------------------------------------------------


def cite_label(key: str, articles: dict[str, Article]) -> str:
    """《行政处罚法》第四十二条, with the caveat for entries that are not verified law."""
    art = articles.get(key)
    if art is None:
        law, _, num = key.partition("#")
        return f"《{law}》第{num}条"
    return art.label + art.caveat


def cite_labels(keys: Iterable[str], articles: dict[str, Article]) -> str:
    """Several citations on one line: 《行政处罚法》第四十二条；《行政处罚法》第五十五条."""
    return "；".join(cite_label(c, articles) for c in keys)


def citations(f: Finding, articles: dict[str, Article]) -> str:
    return cite_labels(f.cites, articles)


def is_law(key: str, articles: dict[str, Article]) -> bool:
    art = articles.get(key)
    return art is not None and art.status in (Status.P, Status.S)


def finding_lines(f: Finding, articles: dict[str, Article]) -> list[str]:
    """The finding as the debrief shows it, one line per aspect."""
    lines = [
        f"【{f.severity.label}】{f.title}（扣 {f.deduction} 分）",  # no engine id inside Chinese prose
        f"  依据：{citations(f, articles)}",
        f"  问题：{f.explain}",
        f"  实际：{f.actual}（案件时间 {f.at:%Y-%m-%d %H:%M}）",
        f"  应当：{f.expected}",
    ]
    if f.outcome:
        lines.append(f"  合法结果：{f.outcome}")
    for o in f.omitted:
        lines.append(f"  未完成：{o.label}" + (f"（{cite_labels(o.cites, articles)}）" if o.cites else ""))
    if f.deadline is not None:
        d = f.deadline
        if d.early:
            lines.append(f"  期限：自{d.start_label}（{d.start:%Y-%m-%d}）起 {d.period}，届满日 {d.due:%Y-%m-%d}，"
                         + ("此日之前不得进行" if d.inclusive else "须在届满日之后进行"))
        else:
            late = f"，逾期 {d.days_late} 日" if d.days_late else ""
            lines.append(f"  期限：自{d.start_label}（{d.start:%Y-%m-%d}）起 {d.period}，届满日 {d.due:%Y-%m-%d}{late}")
        if d.provisional:
            lines.append("  注意：该期限涉及尚未载入官方放假安排的年份，届满日为暂定结果")
    return lines


def render_result(result: Result, scenario: Scenario) -> str:
    out = [
        f"案例：{scenario.title}（{scenario.id}）",
        f"得分：{result.score}　等级：{result.grade}　{'通过' if result.passed else '未通过'}"
        + ("　（存在否决项）" if result.vetoed else ""),
    ]
    if not result.findings:
        out.append("未发现程序错误。")
    order = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2}
    for f in sorted(result.findings, key=lambda f: (order[f.severity], f.at)):
        out.extend(finding_lines(f, scenario.articles))
    return "\n".join(out)
