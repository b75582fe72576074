"""The inspection template (涉企行政检查) through the public engine API: approval before the check, the
yearly cap of routine inspections (only routine checks count, 执法实务规范#102), the result told within five working
days (a training assumption, 执法实务规范#101) counted across the 2026 National Day holiday, a result never told
(one finding, not two), and a fine written into the result notice (以查代罚, a veto item)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sim import LegalCalendar, Session, load_library
from sim.loader import bundled_scenarios

LIB = load_library([bundled_scenarios()])
RESTAURANT = LIB.scenarios["inspect-fire-restaurant-01"]
SUPERMARKET = LIB.scenarios["inspect-fire-lane-supermarket-01"]
CAL = LegalCalendar.default()

BASIS = "《中华人民共和国消防法》第六十条第一款第五项；本镇公布的涉企行政检查事项清单"


def approve(kind: str = "routine") -> tuple[str, dict[str, Any]]:
    return ("approve_inspection", {"check_kind": kind, "approved": True,
                                   "document": {"basis": BASIS, "matter": "老街店消防车通道、疏散通道是否被占用",
                                                "plan": "张明、王强现场检查"}})


NOTICE = ("notify_inspection", {"words": "inspection_notice",
                                "document": {"matter": "消防车通道、疏散通道是否被占用", "rights": True, "signed": True}})
INSPECT = ("inspect", {"officers": ["zhang", "wang"], "credentials_shown": True, "recorded": True,
                       "record_made": True, "evidence": ["site_record", "scene_photos"], "words": "greet_show_id"})


def result(kind: str = "compliant") -> tuple[str, dict[str, Any]]:
    return ("inform_result", {"document": {"result": kind, "findings": "消防车通道、疏散通道畅通，未发现违法行为",
                                           "signed": True}})


CLOSE = ("close_inspection", {"document": {"summary": "未发现违法行为，材料归档"}})


def one_check(day: str, kind: str = "routine") -> list[tuple[str, dict[str, Any], str]]:
    return [(*approve(kind), f"{day}T09:00"), (*NOTICE, f"{day}T09:30"), (*INSPECT, f"{day}T09:35"),
            (*result(), f"{day}T10:30")]


def play(steps: list[tuple[str, dict[str, Any], str]], scenario: Any = RESTAURANT) -> Session:
    s = Session(scenario, wall_clock=lambda: 0.0)
    for name, params, at in steps:
        out = s.act(name, at, **params)
        assert out.ok, (name, at, out.reason)
    s.finish()
    return s


def do(s: Session, step: tuple[str, dict[str, Any]], at: str) -> Any:
    return s.act(step[0], at, **step[1])


def found(s: Session) -> list[str]:
    assert s.result is not None
    return sorted(f.rule_id for f in s.result.findings)


def test_one_routine_check_approved_told_and_closed_scores_100() -> None:
    s = play([*one_check("2026-03-17"), (*CLOSE, "2026-03-18T10:00")])
    assert found(s) == []
    assert s.result is not None and s.result.score == 100 and s.state == "inspection_closed"


def test_a_second_routine_check_in_the_year_is_over_the_published_cap() -> None:
    s = play([*one_check("2026-03-17"), *one_check("2026-03-24"), (*CLOSE, "2026-03-25T10:00")])
    assert found(s) == ["inspection-frequency-exceeded"]
    f = next(f for f in s.result.findings if f.rule_id == "inspection-frequency-exceeded")
    assert f.at.date() == dt.date(2026, 3, 24)  # the second approval, not the first


@pytest.mark.parametrize("kind", ["case", "special"])
def test_a_complaint_or_special_check_does_not_count_against_the_routine_cap(kind: str) -> None:
    # The cap of 执法实务规范#102 counts routine checks only: a second check on a complaint is no finding.
    s = play([*one_check("2026-03-17"), *one_check("2026-03-24", kind), (*CLOSE, "2026-03-25T10:00")])
    assert found(s) == []


def test_the_supermarket_already_had_its_routine_check_this_year() -> None:
    # routine_checks_this_year: 1, cap 1 — the complaint check reported as routine is over the cap.
    assert SUPERMARKET.facts["routine_checks_this_year"] == SUPERMARKET.facts["routine_cap"] == 1
    s = Session(SUPERMARKET, wall_clock=lambda: 0.0)
    do(s, approve("routine"), "2026-06-08T10:00")
    assert [f.rule_id for f in s.findings] == ["inspection-frequency-exceeded"]
    s2 = Session(SUPERMARKET, wall_clock=lambda: 0.0)
    do(s2, approve("case"), "2026-06-08T10:00")
    assert s2.findings == []


def test_checking_before_approval_and_notice_is_found_at_the_check() -> None:
    s = Session(RESTAURANT, wall_clock=lambda: 0.0)
    out = do(s, INSPECT, "2026-03-17T09:35")
    assert out.ok
    assert sorted(f.rule_id for f in s.findings) == ["inspection-no-notice", "inspection-not-approved"]


def next_workday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not CAL.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def test_five_working_days_run_across_the_national_day_holiday() -> None:
    due = CAL.deadline(dt.datetime(2026, 9, 29, 9, 35), 5, "working_days").due
    # 9月30日, 10月8日, 10月9日, 10月10日（星期六调休上班）, 10月12日: the holiday 10月1日-7日 and Sunday 10月11日
    # are not counted; a count of calendar days would have ended on 10月4日 (moved off the holiday to 10月8日).
    assert due == dt.date(2026, 10, 12)


@pytest.mark.parametrize("late", [False, True])
def test_the_result_told_on_the_last_day_or_the_working_day_after(late: bool) -> None:
    last = dt.date(2026, 10, 12)
    day = next_workday(last) if late else last
    s = play([(*approve(), "2026-09-28T09:00"), (*NOTICE, "2026-09-29T09:30"), (*INSPECT, "2026-09-29T09:35"),
              (*result(), f"{day}T10:30"), (*CLOSE, f"{day}T15:00")])
    assert found(s) == (["inspection-result-late"] if late else [])
    if late:
        f = next(f for f in s.result.findings if f.rule_id == "inspection-result-late")
        assert f.deadline is not None and f.deadline.due == last


def test_a_result_never_told_is_one_finding_even_after_the_five_days() -> None:
    s = play([(*approve(), "2026-03-16T09:00"), (*NOTICE, "2026-03-17T09:30"), (*INSPECT, "2026-03-17T09:35"),
              (*CLOSE, "2026-04-10T10:00")])
    assert found(s) == ["inspection-result-not-communicated"]


def test_a_fine_in_the_result_notice_is_a_veto_item_and_no_penalty() -> None:
    s = play([(*approve("case"), "2026-06-08T10:00"), (*NOTICE, "2026-06-08T14:30"), (*INSPECT, "2026-06-08T14:35"),
              (*result("fine"), "2026-06-08T15:30"), (*CLOSE, "2026-06-09T10:00")], SUPERMARKET)
    assert found(s) == ["case-left-open", "inspection-penalty-without-filing"]
    assert s.result is not None and not s.result.passed
    veto = next(f for f in s.result.findings if f.rule_id == "inspection-penalty-without-filing")
    assert veto.severity == "critical"


def test_a_violation_found_goes_on_to_filing_in_the_same_case() -> None:
    # After the inspection the penalty procedure of general-penalty continues: 立案 from the inspection state.
    s = Session(SUPERMARKET, wall_clock=lambda: 0.0)
    for name, params, at in [(*approve("case"), "2026-06-08T10:00"), (*NOTICE, "2026-06-08T14:30"),
                             (*INSPECT, "2026-06-08T14:35"), (*result("case"), "2026-06-08T15:30")]:
        assert s.act(name, at, **params).ok
    out = s.act("file_case", "2026-06-08T17:00", approved=True,
                document={"source": "投诉转办，检查发现", "brief": "占用消防车通道", "officer_opinion": "建议立案"})
    assert out.ok and s.state == "filed"
    assert do(s, CLOSE, "2026-06-09T10:00").ok is False  # an inspection turned into a case is not "closed"
