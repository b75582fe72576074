"""The rural construction planning permit (乡村建设规划许可证) for a villager's house on the original homestead,
through the public engine API and the CLI: 《河南省实施〈中华人民共和国城乡规划法〉办法》第四十七条 replaces the
licensing template's 20 (+10) working days to decide and 10 working days to hand over the certificate with one
period, ten days from receiving the application (counted in calendar days, 执法实务规范#84), which here runs across
the whole 2026 May Day holiday."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sim import LegalCalendar, Session, load_library
from sim.loader import bundled_scenarios
from sim.scoring import citations
from tui.cli import main

LIB = load_library([bundled_scenarios()])
PERMIT = LIB.scenarios["licence-rural-planning-permit-01"]
CAL = LegalCalendar.default()
CASE_FILE = Path(__file__).resolve().parent.parent / "scenarios/cases/licence-rural-planning-permit-01.yaml"

ACCEPT = ("accept", {"document": {"matter": "陈某原址翻建住房的乡村建设规划许可申请", "seal_date": True}})
VERIFY = ("site_verify", {"officers": ["zhang", "wang"],
                          "document": {"findings": "四至与不动产权证书一致，约120平方米，原址翻建，不占用农用地",
                                       "signed": True}})
GRANT = ("decide_licence", {"document": {
    "outcome": "grant", "remedy": True, "seal_date": True,
    "reasons": "原址翻建，符合村庄规划，依照《河南省实施〈中华人民共和国城乡规划法〉办法》第四十七条准予核发"}})
ISSUE = ("issue_certificate", {"document": {"certificate": "乡村建设规划许可证", "signed": True}})
CLOSE = ("close_case", {"document": {"result": "已核发乡村建设规划许可证"}})


def play(issue_on: dt.date, decide_on: dt.date | None = None) -> dict[str, Any]:
    """Accept on the day of receipt, verify and decide (on `decide_on`, else the day of issue), issue and close."""
    decide_on = decide_on or issue_on
    s = Session(PERMIT, wall_clock=lambda: 0.0)
    for name, params, at in [(*ACCEPT, "2026-04-27T15:00"), (*VERIFY, f"{decide_on}T08:30"),
                             (*GRANT, f"{decide_on}T10:00"), (*ISSUE, f"{issue_on}T15:00"),
                             (*CLOSE, f"{issue_on}T16:00")]:
        out = s.act(name, at, **params)
        assert out.ok, (name, at, out.reason)
    s.finish()
    assert s.result is not None
    return {f.rule_id: f for f in s.result.findings}


def test_ten_days_from_receipt_end_on_may_7_with_the_holiday_inside():
    d = CAL.deadline(dt.datetime(2026, 4, 27, 9, 0), 10, "days")
    assert d.due == dt.date(2026, 5, 7) and not d.skipped  # a calendar count: the holiday is not left out
    # The working-day reading (not the one the case takes) would end later, and the template's 20 working days
    # later still: the trap issuing on 05-20 is late on every reading.
    assert CAL.deadline(dt.datetime(2026, 4, 27, 9, 0), 10, "working_days").due == dt.date(2026, 5, 13)
    assert CAL.deadline(dt.datetime(2026, 4, 27, 9, 0), 20, "working_days").due == dt.date(2026, 5, 27)


@pytest.mark.parametrize("late", [False, True])
def test_the_permit_is_issued_within_ten_days_of_receipt(late: bool):
    day = dt.date(2026, 5, 8) if late else dt.date(2026, 5, 7)
    found = play(day, decide_on=dt.date(2026, 4, 30))
    assert ("planning-permit-late" in found) is late
    if late:
        f = found["planning-permit-late"]
        assert f.deadline.due == dt.date(2026, 5, 7) and f.severity.value == "major"
        text = citations(f, PERMIT.articles)
        assert "《河南省实施城乡规划法办法》第四十七条" in text and "培训假设" in text  # the counting caveat, #84


def test_the_template_periods_give_way_to_the_regulation():
    """A permit issued 20 working days after acceptance is one finding (the ten days), not three: the 20-day
    decision period and the 10-working-day certificate period of the template are disabled in this case."""
    found = play(dt.date(2026, 5, 28), decide_on=dt.date(2026, 5, 11))
    assert "planning-permit-late" in found
    assert not {"licence-decision-late", "licence-decision-late-extended", "licence-certificate-late"} & set(found)
    assert {"licence-decision-late", "licence-certificate-late"} <= {r.id for r in LIB.procedures["licensing"].rules}


def test_acceptance_after_the_holiday_is_late_on_its_last_day_plus_one():
    # Five working days from 04-27 skip the May Day holiday and end on 05-07, the same day as the ten days.
    s = Session(PERMIT, wall_clock=lambda: 0.0)
    assert s.act("accept", "2026-05-07T09:00", **ACCEPT[1]).ok
    assert "licence-acceptance-late" not in {f.rule_id for f in s.findings}
    s2 = Session(PERMIT, wall_clock=lambda: 0.0)
    assert s2.act("accept", "2026-05-08T09:00", **ACCEPT[1]).ok
    s2.finish()
    assert "licence-acceptance-late" in {f.rule_id for f in s2.findings}


def test_cli_check_passes_the_case(capsys):
    code = main(["check", str(CASE_FILE)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "licence-rural-planning-permit-01" in out and "检查通过" in out
