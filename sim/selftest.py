"""Self-tests written into each case: reference paths must score as expected (100 by default), traps must
produce exactly the findings they name. `lawdrill check` runs them all."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .calendar import LegalCalendar
from .model import Scenario, ScheduledEvent, SelfTest, Step
from .scoring import Result
from .session import Session


@attrs.frozen
class SelfTestReport:
    scenario: str
    name: str
    reference: bool
    ok: bool
    problems: tuple[str, ...]
    result: Result | None
    where: str  # file:line of the self-test


def play(scenario: Scenario, test: SelfTest, *, seed: int = 0, calendar: LegalCalendar | None = None
         ) -> tuple[Session, list[str]]:
    """Play a self-test's steps headless; return the finished session and any refused steps."""
    s, refused = play_steps(scenario, test.steps, script=test.script, seed=seed, calendar=calendar)
    problems = [f"第 {i + 1} 步（{test.steps[i].do}，{test.steps[i].pos.file}:{test.steps[i].pos.line}）被拒绝：{why}"
                for i, why in refused]
    return s, problems


def play_steps(scenario: Scenario, steps: Sequence[Step], *, script: tuple[ScheduledEvent, ...] | None = None,
               seed: int = 0, calendar: LegalCalendar | None = None) -> tuple[Session, list[tuple[int, str]]]:
    """Play steps headless and finish; return the session and the refused steps as (index, reason)."""
    s = Session(scenario, seed=seed, calendar=calendar, wall_clock=lambda: 0.0, script=script)
    refused = play_more(s, steps)
    s.finish()
    return s, refused


def play_more(s: Session, steps: Sequence[Step]) -> list[tuple[int, str]]:
    """Play steps on a session (not finished); return the refused ones as (index in `steps`, reason)."""
    refused: list[tuple[int, str]] = []
    for i, step in enumerate(steps):
        if step.do == "finish":
            break
        out = s.advance(step.at) if step.do == "advance" else s.act(step.do, step.at, **step.params)
        if not out.ok:
            refused.append((i, out.reason))
    return refused


def run_selftest(scenario: Scenario, test: SelfTest, *, calendar: LegalCalendar | None = None) -> SelfTestReport:
    s, problems = play(scenario, test, calendar=calendar)
    result = s.result
    assert result is not None
    if test.expect_score is not None and result.score != test.expect_score:
        problems.append(f"期望得分 {test.expect_score}，实际 {result.score}"
                        + (f"（触发：{'、'.join(result.rule_ids())}）" if result.findings else ""))
    if test.expect_findings is not None and tuple(result.rule_ids()) != test.expect_findings:
        want, got = set(test.expect_findings), set(result.rule_ids())
        detail = []
        if want - got:
            detail.append(f"未触发：{'、'.join(sorted(want - got))}")
        if got - want:
            detail.append(f"多出：{'、'.join(sorted(got - want))}")
        if not detail:
            detail.append(f"期望 {list(test.expect_findings)}，实际 {result.rule_ids()}")
        problems.append("发现的问题与期望不符：" + "；".join(detail))
    if test.expect_state is not None and s.state != test.expect_state:
        problems.append(f"期望结束状态「{test.expect_state}」，实际「{s.state}」")
    problems.extend(f"表达式运行错误：{d}" for d in s.diagnostics)
    s.close()
    return SelfTestReport(scenario.id, test.name, test.reference, not problems, tuple(problems), result,
                          f"{test.pos.file}:{test.pos.line}")


def run_all(scenario: Scenario, *, calendar: LegalCalendar | None = None) -> list[SelfTestReport]:
    return [run_selftest(scenario, t, calendar=calendar) for t in scenario.selftests]
