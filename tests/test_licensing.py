"""The licensing template (行政许可法) through the public engine API: each statutory period of the licence
procedure — 5 working days to tell what is missing (第三十二条), 20 working days to decide, 30 with an approved
extension (第四十二条), 10 working days to hand over the certificate (第四十四条) — counted in working days
(第八十二条) across the 2026 Mid-Autumn and National Day holidays and again across the 2026 Spring Festival (with its two
make-up Saturdays), on its last day (no finding, score 100) and the working day after (found, with that last day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from sim import LegalCalendar, Session, load_library, render_result
from sim.loader import bundled_scenarios

LIB = load_library([bundled_scenarios()])
GRANT = LIB.scenarios["licence-homestead-grant-01"]
CAL = LegalCalendar.default()

REASONS = "李某本户没有宅基地，申请使用村内空闲地约130平方米，符合《中华人民共和国土地管理法》第六十二条的规定"
CORRECT = ("notify_correction", {"words": "explain_correction",
                                 "document": {"missing": "村民小组会议讨论记录；《农村宅基地使用承诺书》", "seal_date": True}})
ACCEPT = ("accept", {"document": {"matter": "农村村民宅基地和建房申请", "seal_date": True}})
VERIFY = ("site_verify", {"officers": ["zhang", "wang"],
                          "document": {"findings": "东至王某院墙、西至村道，约130平方米，空闲地", "signed": True}})
INTERESTED = ("notify_interested", {"document": {"person": "东邻王某", "matter": "东界相邻", "rights": True, "hearing_right": True}})
GRANT_IT = ("decide_licence", {"document": {"outcome": "grant", "reasons": REASONS, "remedy": True,
                                            "seal_date": True}})
ISSUE = ("issue_certificate", {"document": {"certificate": "农村宅基地批准书", "signed": True}})
CLOSE = ("close_case", {"document": {"result": "准予使用宅基地"}})
EXTEND = ("extend", {"approved": True, "document": {"reason": "相邻户对东界有异议，需要进一步核实", "told": True}})


def play(steps: list[tuple[str, dict[str, Any], str]]) -> Session:
    s = Session(GRANT, wall_clock=lambda: 0.0)
    for name, params, at in steps:
        out = s.act(name, at, **params)
        assert out.ok, (name, at, out.reason)
    s.finish()
    return s


def found(s: Session) -> dict[str, Any]:
    assert s.result is not None
    return {f.rule_id: f for f in s.result.findings}


def next_workday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not CAL.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def due(start: str, working_days: int) -> dt.date:
    return CAL.deadline(dt.datetime.fromisoformat(start), working_days, "working_days").due


def test_the_periods_run_across_the_national_day_holiday() -> None:
    # Not a calendar count: the holiday days and the weekend are left out, the start day is not counted.
    assert due("2026-09-24T09:00", 5) == dt.date(2026, 10, 9)
    assert due("2026-09-30T09:00", 20) == dt.date(2026, 11, 3)
    assert due("2026-09-30T09:00", 30) == dt.date(2026, 11, 17)
    assert due("2026-09-29T16:00", 10) == dt.date(2026, 10, 19)  # 10月10日（星期六）调休上班


@pytest.mark.parametrize("late", [False, True])
def test_five_working_days_to_tell_what_is_missing(late: bool) -> None:
    last = due("2026-09-24T09:00", 5)
    day = next_workday(last) if late else last
    t = f"{day}T10:00"
    s = play([(*CORRECT, t), (*ACCEPT, f"{next_workday(day)}T11:00"), (*VERIFY, f"{next_workday(day)}T14:00"),
              (*INTERESTED, f"{next_workday(day)}T15:00"), (*GRANT_IT, f"{next_workday(next_workday(day))}T10:00"),
              (*ISSUE, f"{next_workday(next_workday(day))}T15:00"), (*CLOSE, f"{next_workday(next_workday(day))}T16:00")])
    f = found(s)
    assert ("licence-correction-late" in f) is late
    if late:
        assert f["licence-correction-late"].deadline.due == last


def _to_decision(decided: str, extend: str | None = None) -> Session:
    steps: list[tuple[str, dict[str, Any], str]] = [
        (*CORRECT, "2026-09-24T10:00"), (*ACCEPT, "2026-09-30T09:00"), (*VERIFY, "2026-10-09T09:30"),
        (*INTERESTED, "2026-10-09T15:00")]
    if extend:
        steps.append((*EXTEND, extend))
    day = dt.date.fromisoformat(decided)
    steps += [(*GRANT_IT, f"{day}T10:00"), (*ISSUE, f"{day}T15:00"), (*CLOSE, f"{day}T16:00")]
    return play(steps)


@pytest.mark.parametrize("late", [False, True])
def test_twenty_working_days_to_decide(late: bool) -> None:
    last = dt.date(2026, 11, 3)
    f = found(_to_decision(str(next_workday(last) if late else last)))
    assert ("licence-decision-late" in f) is late
    assert "licence-decision-late-extended" not in f
    if late:
        assert f["licence-decision-late"].deadline.due == last


@pytest.mark.parametrize("late", [False, True])
def test_an_approved_extension_gives_thirty_working_days(late: bool) -> None:
    last = dt.date(2026, 11, 17)
    f = found(_to_decision(str(next_workday(last) if late else last), extend="2026-10-28T10:00"))
    assert "licence-decision-late" not in f  # the extension was approved in time and told to the applicant
    assert ("licence-decision-late-extended" in f) is late
    assert "licence-extension-improper" not in f and "licence-extension-late" not in f


@pytest.mark.parametrize("late", [False, True])
def test_ten_working_days_to_hand_over_the_certificate(late: bool) -> None:
    last = due("2026-09-29T16:00", 10)  # decided the day before the holiday
    day = next_workday(last) if late else last
    s = play([(*CORRECT, "2026-09-24T10:00"), (*ACCEPT, "2026-09-29T11:00"), (*VERIFY, "2026-09-29T14:00"),
              (*INTERESTED, "2026-09-29T15:00"), (*GRANT_IT, "2026-09-29T16:00"), (*ISSUE, f"{day}T10:00"),
              (*CLOSE, f"{day}T16:00")])
    f = found(s)
    assert ("licence-certificate-late" in f) is late
    if not late:
        assert s.result.score == 100
    if late:
        assert f["licence-certificate-late"].deadline.due == last


def test_an_application_left_half_way_is_a_veto_not_a_pass() -> None:
    # The laziest hand-ins: nothing, or accepting and checking without a decision.
    for steps in ([], [(*CORRECT, "2026-09-24T10:00"), (*ACCEPT, "2026-09-30T09:00")]):
        s = play(steps)
        assert s.result is not None and not s.result.passed
        assert "case-left-open" in found(s)


# --- The same periods across the 2026 Spring Festival (2月15日至23日放假，2月14日、28日（星期六）调休上班) -------
# The application of the homestead case, received instead in February: every period of the licence runs over the
# nine-day holiday and over both make-up Saturdays, which count as working days.

def _in_february(received: str) -> Any:
    return attrs.evolve(GRANT, discovered=dt.datetime.fromisoformat(received))


def play_case(case: Any, steps: list[tuple[str, dict[str, Any], str]]) -> Session:
    s = Session(case, wall_clock=lambda: 0.0)
    for name, params, at in steps:
        out = s.act(name, at, **params)
        assert out.ok, (name, at, out.reason)
    s.finish()
    return s


def test_the_spring_festival_periods_count_the_make_up_saturdays() -> None:
    assert due("2026-02-12T09:00", 5) == dt.date(2026, 2, 26)  # 13日、14日（调休）、24日、25日、26日
    assert due("2026-02-11T09:00", 20) == dt.date(2026, 3, 17)
    assert due("2026-02-11T09:00", 30) == dt.date(2026, 3, 31)
    assert due("2026-02-12T16:00", 10) == dt.date(2026, 3, 4)
    assert CAL.is_workday(dt.date(2026, 2, 14)) and CAL.is_workday(dt.date(2026, 2, 28))
    assert not any(CAL.is_workday(dt.date(2026, 2, d)) for d in range(15, 24))


@pytest.mark.parametrize("late", [False, True])
def test_spring_festival_five_working_days_to_tell_what_is_missing(late: bool) -> None:
    last = dt.date(2026, 2, 26)
    day = dt.date(2026, 2, 27) if late else last
    later = dt.date(2026, 3, 5)  # after the applicant's supplement (five days after the notice)
    s = play_case(_in_february("2026-02-12T09:00"), [
        (*CORRECT, f"{day}T10:00"), (*ACCEPT, f"{later}T09:00"), (*VERIFY, f"{later}T14:00"),
        (*INTERESTED, f"{later}T15:00"), (*GRANT_IT, f"{later}T16:00"), (*ISSUE, f"{later}T17:00"),
        (*CLOSE, f"{later}T18:00")])
    f = found(s)
    assert ("licence-correction-late" in f) is late
    if late:
        assert f["licence-correction-late"].deadline.due == last
        assert "届满日 2026-02-26，逾期 1 日" in render_result(s.result, s.scenario)  # what the trainee reads
    else:
        assert s.result.score == 100, sorted(f)


def _february_decision(decided: str, extend: str | None = None) -> Session:
    steps: list[tuple[str, dict[str, Any], str]] = [
        (*CORRECT, "2026-02-05T10:00"), (*ACCEPT, "2026-02-11T09:00"), (*VERIFY, "2026-02-11T14:00"),
        (*INTERESTED, "2026-02-11T15:00")]
    if extend:
        steps.append((*EXTEND, extend))
    steps += [(*GRANT_IT, f"{decided}T10:00"), (*ISSUE, f"{decided}T15:00"), (*CLOSE, f"{decided}T16:00")]
    return play_case(_in_february("2026-02-05T09:00"), steps)


@pytest.mark.parametrize("late", [False, True])
def test_spring_festival_twenty_working_days_to_decide(late: bool) -> None:
    last = dt.date(2026, 3, 17)
    s = _february_decision(str(dt.date(2026, 3, 18) if late else last))
    f = found(s)
    assert ("licence-decision-late" in f) is late
    if late:
        assert f["licence-decision-late"].deadline.due == last
    else:
        assert s.result.score == 100, sorted(f)


@pytest.mark.parametrize("late", [False, True])
def test_spring_festival_thirty_working_days_with_the_heads_approval(late: bool) -> None:
    last = dt.date(2026, 3, 31)
    s = _february_decision(str(dt.date(2026, 4, 1) if late else last), extend="2026-03-16T10:00")
    f = found(s)
    assert "licence-decision-late" not in f
    assert ("licence-decision-late-extended" in f) is late
    if late:
        assert f["licence-decision-late-extended"].deadline.due == last
    else:
        assert s.result.score == 100, sorted(f)


@pytest.mark.parametrize("late", [False, True])
def test_spring_festival_ten_working_days_to_hand_over_the_certificate(late: bool) -> None:
    last = dt.date(2026, 3, 4)
    day = dt.date(2026, 3, 5) if late else last
    s = play_case(_in_february("2026-02-05T09:00"), [
        (*CORRECT, "2026-02-05T10:00"), (*ACCEPT, "2026-02-11T09:00"), (*VERIFY, "2026-02-11T14:00"),
        (*INTERESTED, "2026-02-11T15:00"), (*GRANT_IT, "2026-02-12T16:00"), (*ISSUE, f"{day}T10:00"),
        (*CLOSE, f"{day}T16:00")])
    f = found(s)
    assert ("licence-certificate-late" in f) is late
    if late:
        assert f["licence-certificate-late"].deadline.due == last
    else:
        assert s.result.score == 100, sorted(f)


@pytest.mark.parametrize("told", [True, False])
def test_the_hearing_right_is_told_before_the_decision(told: bool) -> None:
    # 《行政许可法》第四十七条: a licence directly touching the neighbour's major interests -> the applicant and the
    # neighbour are told, before the decision, that they may ask for a hearing.
    notice = ("notify_interested", {"document": {"person": "东邻王某", "matter": "东界相邻", "rights": True,
                                                 "hearing_right": told}})
    s = play([(*CORRECT, "2026-09-24T10:00"), (*ACCEPT, "2026-09-30T09:00"), (*VERIFY, "2026-10-09T09:30"),
              (*notice, "2026-10-09T15:00"), (*GRANT_IT, "2026-10-20T10:00"), (*ISSUE, "2026-10-22T10:00"),
              (*CLOSE, "2026-10-23T10:00")])
    f = found(s)
    assert ("licence-hearing-right-not-told" in f) is not told
    text = render_result(s.result, s.scenario)
    if told:
        assert s.result.score == 100, sorted(f)
    else:
        assert "未告知申请人、利害关系人享有要求听证的权利" in text and "第四十七条" in text
