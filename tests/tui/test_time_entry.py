"""The form's time entry: short forms against the case clock, Up / Down moves, and the preview's legal status."""

from __future__ import annotations

import datetime as dt

from sim import Session
from tui.trainee.forms import normalize_time, shift_time, status_text

NOW = dt.datetime(2026, 6, 3, 10, 20)


def test_short_entries_read_against_the_case_clock():
    assert normalize_time("10:30", NOW) == "2026-06-03 10:30"
    assert normalize_time("6-4", NOW) == "2026-06-04"
    assert normalize_time("6-4 9:00", NOW) == "2026-06-04 09:00"
    assert normalize_time("2026-06-25", NOW) == "2026-06-25"
    assert normalize_time("+2 工作日", NOW) == "+2 工作日"
    assert normalize_time("", NOW) == ""
    assert normalize_time("2-30", NOW) is None and normalize_time("25:00", NOW) is None
    assert normalize_time("10:30") is None  # without a case clock a bare time means nothing


def test_up_and_down_move_by_a_day_and_shift_by_an_hour(scenario):
    s = Session(scenario)
    assert shift_time(s, "2026-06-03 10:20", 1, 0) == "2026-06-04 10:20"
    assert shift_time(s, "2026-06-05", -1, 0) == "2026-06-04"
    assert shift_time(s, "", 0, 1) == f"{s.now + dt.timedelta(hours=1):%Y-%m-%d %H:%M}"
    assert shift_time(s, "+1 工作日", 1, 0) is not None
    assert shift_time(s, "不是时间", 1, 0) is None


def test_the_day_status_is_the_legal_one(scenario):
    cal = Session(scenario).calendar
    assert status_text(cal.day(dt.date(2026, 6, 3))).plain == "工作日"
    assert status_text(cal.day(dt.date(2026, 6, 6))).plain == "休息日"
    assert status_text(cal.day(dt.date(2026, 10, 1))).plain.startswith("法定节假日（")
