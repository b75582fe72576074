"""Tests for sim.calendar: legal working days and statutory periods.

Fixed vectors are transcribed from the State Council notices (国务院办公厅关于2024/2025/2026年部分节假日安排的
通知) and cross-checked against chinese-calendar 1.11.0. The 2027 tables used below are synthetic test
data written to tmp_path, not the real (not yet published) 2027 notice.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.calendar import (
    DATA_DIR,
    WEEKDAYS_ZH,
    CalendarDataError,
    DayInfo,
    LegalCalendar,
    Unit,
    YearTable,
    deadline,
    format_date_zh,
    parse_period,
)

D = datetime.date
DT = datetime.datetime


@pytest.fixture(scope="module")
def cal() -> LegalCalendar:
    # A private calendar without bundled files: behaviour does not change when a 2027.yaml ships.
    return LegalCalendar()


# ------------------------------------------------------------------------------------------------
# DayInfo vectors from the notices
# ------------------------------------------------------------------------------------------------

# (date, workday, holiday, makeup)
DAY_VECTORS = [
    # 2026: 元旦 1/1-1/3, 1/4 (Sun) 上班
    (D(2026, 1, 1), False, "元旦", False),
    (D(2026, 1, 3), False, "元旦", False),
    (D(2026, 1, 4), True, None, True),
    # 2026 春节 2/15-2/23, 2/14 (Sat) and 2/28 (Sat) 上班
    (D(2026, 2, 13), True, None, False),
    (D(2026, 2, 14), True, None, True),
    (D(2026, 2, 15), False, "春节", False),
    (D(2026, 2, 17), False, "春节", False),
    (D(2026, 2, 23), False, "春节", False),
    (D(2026, 2, 24), True, None, False),
    (D(2026, 2, 28), True, None, True),
    # 2026 清明 4/4-4/6, 劳动节 5/1-5/5 with 5/9 (Sat) 上班
    (D(2026, 4, 6), False, "清明节", False),
    (D(2026, 5, 5), False, "劳动节", False),
    (D(2026, 5, 9), True, None, True),
    # 2026 国庆 10/1-10/7, 9/20 (Sun) and 10/10 (Sat) 上班
    (D(2026, 9, 20), True, None, True),
    (D(2026, 10, 1), False, "国庆节", False),
    (D(2026, 10, 7), False, "国庆节", False),
    (D(2026, 10, 8), True, None, False),
    (D(2026, 10, 10), True, None, True),
    (D(2026, 10, 11), False, None, False),
    # 2025 春节 1/28-2/4, 1/26 (Sun) and 2/8 (Sat) 上班
    (D(2025, 1, 26), True, None, True),
    (D(2025, 1, 28), False, "春节", False),
    (D(2025, 2, 4), False, "春节", False),
    (D(2025, 2, 5), True, None, False),
    (D(2025, 2, 8), True, None, True),
    # 2025 劳动节 5/1-5/5, 4/27 (Sun) 上班; 端午 5/31-6/2
    (D(2025, 4, 27), True, None, True),
    (D(2025, 5, 5), False, "劳动节", False),
    (D(2025, 6, 2), False, "端午节", False),
    # 2025 国庆、中秋 10/1-10/8, 9/28 (Sun) and 10/11 (Sat) 上班
    (D(2025, 9, 28), True, None, True),
    (D(2025, 10, 1), False, "国庆节", False),
    (D(2025, 10, 8), False, "国庆节", False),
    (D(2025, 10, 11), True, None, True),
    # 2024 春节 2/10-2/17, 2/4 (Sun) and 2/18 (Sun) 上班; 除夕 2/9 (Fri) is a working day
    (D(2024, 2, 4), True, None, True),
    (D(2024, 2, 9), True, None, False),
    (D(2024, 2, 10), False, "春节", False),
    (D(2024, 2, 17), False, "春节", False),
    (D(2024, 2, 18), True, None, True),
    # 2024 劳动节 5/1-5/5, 4/28 (Sun) and 5/11 (Sat) 上班
    (D(2024, 4, 28), True, None, True),
    (D(2024, 5, 3), False, "劳动节", False),
    (D(2024, 5, 11), True, None, True),
    # 2024 国庆 10/1-10/7, 9/29 (Sun) and 10/12 (Sat) 上班
    (D(2024, 9, 29), True, None, True),
    (D(2024, 10, 7), False, "国庆节", False),
    (D(2024, 10, 12), True, None, True),
    # ordinary days
    (D(2024, 3, 5), True, None, False),
    (D(2024, 3, 9), False, None, False),
]


@pytest.mark.parametrize(
    ("day", "workday", "holiday", "makeup"), DAY_VECTORS, ids=[v[0].isoformat() for v in DAY_VECTORS]
)
def test_day_vectors(cal: LegalCalendar, day, workday, holiday, makeup) -> None:
    info = cal.day(day)
    assert (info.workday, info.holiday, info.makeup, info.provisional) == (workday, holiday, makeup, False)
    assert cal.is_workday(day) is workday
    # and the library agrees
    assert chinese_calendar.is_workday(day) is workday


def test_labels(cal: LegalCalendar) -> None:
    assert cal.day(D(2026, 2, 16)).label == "春节假期"
    assert cal.day(D(2026, 10, 2)).label == "国庆节假期"
    assert cal.day(D(2026, 2, 14)).label == "调休上班日"
    assert cal.day(D(2026, 3, 7)).label == "周末"
    assert cal.day(D(2026, 3, 9)).label == "工作日"
    assert cal.day(D(2027, 3, 6)).label == "周末（暂定）"
    assert cal.day(D(2027, 3, 8)).label == "工作日（暂定）"
    assert cal.day(D(2027, 10, 1)).label == "国庆节假期（暂定）"


def test_day_accepts_datetime(cal: LegalCalendar) -> None:
    assert cal.day(DT(2026, 10, 10, 9, 30)) == cal.day(D(2026, 10, 10))
    assert cal.is_workday(DT(2026, 10, 1, 9, 30)) is False


def test_matches_chinese_calendar_2024_to_2026(cal: LegalCalendar) -> None:
    d = D(2024, 1, 1)
    while d.year <= 2026:
        info = cal.day(d)
        assert info.workday == chinese_calendar.is_workday(d), d
        assert (info.holiday is not None) == (d in chinese_calendar.holidays), d
        assert info.makeup == (d in chinese_calendar.workdays), d
        d += datetime.timedelta(days=1)


def test_helpers(cal: LegalCalendar) -> None:
    assert cal.next_workday(D(2026, 10, 1)) == D(2026, 10, 8)
    assert cal.next_workday(D(2026, 10, 8)) == D(2026, 10, 8)
    assert cal.next_workday(D(2026, 10, 8), include_self=False) == D(2026, 10, 9)
    assert cal.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert cal.add_working_days(D(2026, 9, 30), 0) == D(2026, 9, 30)
    assert cal.add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4  # 10/8, 10/9, 10/10, 10/12
    assert cal.working_days_between(D(2026, 10, 12), D(2026, 9, 30)) == -4
    assert 2026 in cal.known_years() and 2004 in cal.known_years()
    assert 2027 not in cal.known_years() and 2003 not in cal.known_years()
    assert cal.is_provisional_year(2027) and not cal.is_provisional_year(2025)


def test_format_date_zh() -> None:
    assert format_date_zh(D(2026, 10, 8)) == "2026年10月8日（星期四）"
    assert format_date_zh(DT(2026, 10, 10, 8, 0)) == "2026年10月10日（星期六）"
    assert WEEKDAYS_ZH[0] == "星期一" and WEEKDAYS_ZH[6] == "星期日"


# ------------------------------------------------------------------------------------------------
# Deadline vectors
# ------------------------------------------------------------------------------------------------

# (start, length, unit, due, extended_from)
DEADLINE_VECTORS = [
    # 3 working days over National Day 2026; the make-up Saturday 10/10 is the 3rd working day
    (D(2026, 9, 30), 3, Unit.WORKING_DAYS, D(2026, 10, 10), None),
    # 5 working days across Spring Festival 2026: 2/14 (make-up Sat), then 2/24, 2/25, 2/26, 2/27
    (D(2026, 2, 13), 5, Unit.WORKING_DAYS, D(2026, 2, 27), None),
    # 10-working-day 催告 around National Day 2024: 9/29 (Sun) and 10/12 (Sat) count
    (D(2024, 9, 25), 10, Unit.WORKING_DAYS, D(2024, 10, 14), None),
    # 7 working days over Labour Day 2025 (4/27 Sun counts)
    (D(2025, 4, 25), 7, Unit.WORKING_DAYS, D(2025, 5, 8), None),
    # 2 working days from an ordinary Friday
    (D(2024, 3, 8), 2, Unit.WORKING_DAYS, D(2024, 3, 12), None),
    # 3 calendar days ending on 10/3 (holiday) -> first working day after the holiday
    (D(2026, 9, 30), 3, Unit.DAYS, D(2026, 10, 8), D(2026, 10, 3)),
    # 90-day decision limit ending on 10/1 -> 10/8
    (D(2026, 7, 3), 90, Unit.DAYS, D(2026, 10, 8), D(2026, 10, 1)),
    # 15-day payment ending on 2025-02-04 (last day of Spring Festival) -> 2/5
    (D(2025, 1, 20), 15, Unit.DAYS, D(2025, 2, 5), D(2025, 2, 4)),
    # 15 days ending on an ordinary Saturday -> Monday
    (D(2026, 3, 6), 15, Unit.DAYS, D(2026, 3, 23), D(2026, 3, 21)),
    # 15 days ending on a make-up Saturday: a working day, no extension
    (D(2026, 2, 13), 15, Unit.DAYS, D(2026, 2, 28), None),
    # month periods: no corresponding day -> last day of the month
    (D(2024, 1, 31), 1, Unit.MONTHS, D(2024, 2, 29), None),
    (D(2025, 1, 31), 1, Unit.MONTHS, D(2025, 2, 28), None),
    (D(2026, 1, 31), 1, Unit.MONTHS, D(2026, 2, 28), None),  # 2026-02-28 is a make-up Saturday
    (D(2027, 1, 31), 1, Unit.MONTHS, D(2027, 3, 1), D(2027, 2, 28)),  # Sunday -> Monday (provisional year)
    # 2 months ending on 2025-05-31 (Dragon Boat holiday 5/31-6/2) -> 6/3
    (D(2025, 3, 31), 2, Unit.MONTHS, D(2025, 6, 3), D(2025, 5, 31)),
    # 3-month court-application window
    (D(2026, 7, 15), 3, Unit.MONTHS, D(2026, 10, 15), None),
    # 6-month litigation period crossing a year end
    (D(2025, 8, 31), 6, Unit.MONTHS, D(2026, 2, 28), None),
]


@pytest.mark.parametrize(
    ("start", "length", "unit", "due", "extended_from"),
    DEADLINE_VECTORS,
    ids=[f"{v[0]}+{v[1]}{v[2].value}" for v in DEADLINE_VECTORS],
)
def test_deadline_vectors(cal: LegalCalendar, start, length, unit, due, extended_from) -> None:
    dl = cal.deadline(start, length, unit)
    assert dl.due == due
    assert dl.extended_from == extended_from
    assert dl.due_at is None
    assert dl.start == DT.combine(start, datetime.time())
    assert all(not s.workday for s in dl.skipped)
    assert dl.explanation[0] == f"起算日（{start.year}年{start.month}月{start.day}日）不计入，自次日开始计算。"
    assert dl.provisional == (due.year == 2027)


def test_working_days_explanation(cal: LegalCalendar) -> None:
    dl = cal.deadline(D(2026, 9, 30), 3, "working_days")
    assert [s.day for s in dl.skipped] == [D(2026, 10, d) for d in range(1, 8)]
    assert {s.holiday for s in dl.skipped} == {"国庆节"}
    text = "".join(dl.explanation)
    assert "期间以工作日计，跳过法定节假日和周末，调休上班日计入。" in dl.explanation
    assert "按国务院办公厅放假通知，调休上班日计为工作日" in text
    assert "2026年10月10日（星期六）" in text
    assert not dl.provisional and dl.provisional_years == ()


def test_days_extension_explanation(cal: LegalCalendar) -> None:
    dl = cal.deadline(D(2026, 9, 30), 3, Unit.DAYS)
    assert "期间届满日2026年10月3日为法定节假日，顺延至节后第一个工作日2026年10月8日。" in dl.explanation
    assert [s.day for s in dl.skipped] == [D(2026, 10, d) for d in range(3, 8)]
    weekend = cal.deadline(D(2026, 3, 6), 15, Unit.DAYS)
    assert [s.label for s in weekend.skipped] == ["周末", "周末"]
    assert any("周末" in line and "顺延" in line for line in weekend.explanation)


def test_month_explanation(cal: LegalCalendar) -> None:
    dl = cal.deadline(D(2024, 1, 31), 1, Unit.MONTHS)
    assert any("没有对应日" in line and "2024年2月29日" in line for line in dl.explanation)


def test_hours(cal: LegalCalendar) -> None:
    dl = cal.deadline(DT(2026, 10, 1, 14, 30), 24, Unit.HOURS)
    assert dl.due_at == DT(2026, 10, 2, 14, 30)
    assert dl.due == D(2026, 10, 2)  # a holiday: hours are never extended
    assert dl.extended_from is None and dl.skipped == () and not dl.provisional
    assert not dl.is_late(DT(2026, 10, 2, 14, 30))
    assert dl.is_late(DT(2026, 10, 2, 14, 31))
    assert dl.hours_late(DT(2026, 10, 2, 20, 30)) == pytest.approx(6.0)
    assert dl.hours_late(DT(2026, 10, 2, 10, 0)) == 0.0
    assert dl.days_late(DT(2026, 10, 4, 9, 0)) == 2
    # a date is promoted to 00:00
    assert cal.deadline(D(2026, 10, 1), 24, "hours").due_at == DT(2026, 10, 2, 0, 0)
    # 2027 hours are never provisional: no calendar day is consulted
    assert not cal.deadline(DT(2027, 2, 6, 8), 24, Unit.HOURS).provisional


def test_datetime_start_and_lateness(cal: LegalCalendar) -> None:
    dl = cal.deadline(DT(2026, 3, 2, 16, 0), 15, Unit.DAYS)
    assert dl.start == DT(2026, 3, 2, 16, 0)
    assert dl.due == D(2026, 3, 17)
    assert not dl.is_late(D(2026, 3, 17))
    assert not dl.is_late(DT(2026, 3, 17, 23, 59))
    assert dl.is_late(D(2026, 3, 18))
    assert dl.days_late(D(2026, 3, 17)) == 0
    assert dl.days_late(D(2026, 3, 20)) == 3
    assert dl.hours_late(DT(2026, 3, 18, 6, 0)) == pytest.approx(6.0)


def test_to_json(cal: LegalCalendar) -> None:
    dl = cal.deadline(D(2026, 9, 30), 3, Unit.DAYS)
    data = dl.to_json()
    json.dumps(data, ensure_ascii=False)
    assert data["start"] == "2026-09-30T00:00:00"
    assert (data["length"], data["unit"], data["due"], data["due_at"]) == (3, "days", "2026-10-08", None)
    assert data["weekday"] == "星期四"
    assert data["extended_from"] == "2026-10-03"
    assert data["skipped"][0] == {"date": "2026-10-03", "label": "国庆节假期"}
    assert data["provisional"] is False and data["provisional_years"] == []
    assert data["explanation"] == list(dl.explanation)
    hours = cal.deadline(DT(2026, 10, 1, 14, 30), 24, Unit.HOURS).to_json()
    assert hours["due_at"] == "2026-10-02T14:30:00"


def test_module_level_deadline_and_units() -> None:
    assert deadline(D(2026, 9, 30), 3, "working_days").due == D(2026, 10, 10)
    assert deadline(D(2026, 9, 30), 3, "calendar_days").due == D(2026, 10, 8)
    assert deadline(D(2026, 9, 30), 3, Unit.DAYS, calendar=LegalCalendar()).due == D(2026, 10, 8)
    assert LegalCalendar.default() is LegalCalendar.default()
    with pytest.raises(ValueError, match="fortnights"):
        deadline(D(2026, 9, 30), 3, "fortnights")
    with pytest.raises(ValueError):
        deadline(D(2026, 9, 30), -1, "days")
    assert deadline(D(2026, 9, 30), 0, Unit.WORKING_DAYS).due == D(2026, 9, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 working_days", (5, Unit.WORKING_DAYS)),
        ("5 working days", (5, Unit.WORKING_DAYS)),
        ("90 days", (90, Unit.DAYS)),
        ("90 calendar_days", (90, Unit.DAYS)),
        ("3 months", (3, Unit.MONTHS)),
        ("24 hours", (24, Unit.HOURS)),
        ("5个工作日", (5, Unit.WORKING_DAYS)),
        ("15日", (15, Unit.DAYS)),
        ("15天", (15, Unit.DAYS)),
        ("3个月", (3, Unit.MONTHS)),
        ("24小时", (24, Unit.HOURS)),
        ("十日", (10, Unit.DAYS)),
        ("六十日", (60, Unit.DAYS)),
        ("二十四小时", (24, Unit.HOURS)),
        ("两年", (24, Unit.MONTHS)),
        (" 7 Working_Days ", (7, Unit.WORKING_DAYS)),
    ],
)
def test_parse_period(text, expected) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["", "5", "five days", "5 weeks", "3月", "days 5", "5 工作 日子"])
def test_parse_period_rejects(text) -> None:
    with pytest.raises(ValueError, match="period|期间"):
        parse_period(text)


# ------------------------------------------------------------------------------------------------
# Unknown years, data files
# ------------------------------------------------------------------------------------------------


def test_unknown_year_is_provisional(cal: LegalCalendar) -> None:
    dl = cal.deadline(D(2027, 2, 5), 1, Unit.WORKING_DAYS)
    # no 2027 notice: Spring Festival is not guessed, only the weekend is skipped
    assert dl.due == D(2027, 2, 8)
    assert dl.provisional and dl.provisional_years == (2027,)
    warning = [line for line in dl.explanation if "暂定" in line]
    assert warning and "未载入该年度国务院放假安排，结果为暂定，仅按周末和固定日期节日推算" in warning[0]
    assert "2027.yaml" in warning[0]
    info = cal.day(D(2027, 5, 2))
    assert (info.workday, info.holiday, info.provisional) == (False, "劳动节", True)
    assert cal.day(D(2027, 5, 3)).workday  # 5/3 is not a fixed holiday: no guessing
    assert cal.deadline(D(2030, 6, 3), 3, Unit.DAYS).provisional_years == (2030,)
    assert cal.day(D(2003, 10, 1)).provisional


def test_cross_year_into_2027(cal: LegalCalendar) -> None:
    dl = cal.deadline(D(2026, 12, 25), 10, Unit.WORKING_DAYS)
    assert dl.provisional and 2027 in dl.provisional_years
    assert dl.due == D(2027, 1, 11)  # estimate: weekends and 元旦 only
    assert any("2027年" in line and "暂定" in line for line in dl.explanation)
    # the same period wholly inside 2026 is not provisional
    assert not cal.deadline(D(2026, 11, 2), 10, Unit.WORKING_DAYS).provisional


SYNTHETIC_2027 = """\
# Synthetic test data, NOT the real 2027 notice.
year: 2027
source: "测试用虚构数据 (synthetic test data)"
status: {status}
holidays:
  元旦: [2027-01-01, 2027-01-02, 2027-01-03]
  春节: ["2027-02-06..2027-02-14"]
workdays:
  春节: [2027-02-20]
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_official_year_file_makes_year_known(tmp_path: Path) -> None:
    c = LegalCalendar()
    assert c.deadline(D(2027, 2, 5), 1, Unit.WORKING_DAYS).due == D(2027, 2, 8)
    c.load_year_file(_write(tmp_path, "2027.yaml", SYNTHETIC_2027.format(status="official")))
    dl = c.deadline(D(2027, 2, 5), 1, Unit.WORKING_DAYS)
    assert dl.due == D(2027, 2, 15)
    assert not dl.provisional and dl.provisional_years == ()
    assert not any("暂定" in line for line in dl.explanation)
    assert c.day(D(2027, 2, 8)).label == "春节假期"
    assert c.day(D(2027, 2, 20)).makeup and c.day(D(2027, 2, 20)).workday
    assert c.day(D(2027, 10, 1)).workday  # the table is authoritative: no fixed-date guess remains
    assert 2027 in c.known_years()
    # the cross-year period from 2026 is no longer provisional
    assert not c.deadline(D(2026, 12, 25), 10, Unit.WORKING_DAYS).provisional


def test_provisional_year_file_stays_provisional(tmp_path: Path) -> None:
    c = LegalCalendar()
    c.load_year_file(_write(tmp_path, "2027.yaml", SYNTHETIC_2027.format(status="provisional")))
    dl = c.deadline(D(2027, 2, 5), 1, Unit.WORKING_DAYS)
    assert dl.due == D(2027, 2, 15)
    assert dl.provisional and dl.provisional_years == (2027,)
    assert any("标注为暂定" in line for line in dl.explanation)
    assert c.day(D(2027, 2, 8)).label == "春节假期（暂定）"
    assert 2027 not in c.known_years()


def test_extra_years_and_override(tmp_path: Path) -> None:
    table = YearTable.from_file(_write(tmp_path, "2027.yaml", SYNTHETIC_2027.format(status="official")))
    c = LegalCalendar(extra_years={2027: table})
    assert not c.day(D(2027, 2, 8)).workday
    with pytest.raises(CalendarDataError):
        LegalCalendar(extra_years={2028: table})
    # a table for a year chinese-calendar covers replaces that year
    c.load_year_file(
        _write(tmp_path, "2026.yaml", 'year: 2026\nsource: "test"\nstatus: official\nholidays: {}\n')
    )
    assert c.day(D(2026, 10, 1)).workday
    assert not c.day(D(2026, 10, 10)).workday  # Saturday, no longer a make-up day
    assert c.day(D(2025, 10, 1)).holiday == "国庆节"  # other years untouched


def test_late_december_of_previous_year(tmp_path: Path) -> None:
    text = (
        'year: 2027\nsource: "test"\nstatus: official\n'
        "holidays: {元旦: [2027-01-01]}\nworkdays: [2026-12-26]\n"
    )
    c = LegalCalendar()
    c.load_year_file(_write(tmp_path, "t.yaml", text))
    assert c.day(D(2026, 12, 26)).makeup and not c.day(D(2026, 12, 26)).provisional


BAD_FILES = [
    ("- 2027-01-01\n- 2027-01-02\n", "mapping"),
    ('year: 2027\nsource: "x"\nstatus: official\nholidays: {春节: [2026-06-01]}\n', "not in year 2027"),
    (
        'year: 2027\nsource: "x"\nstatus: official\nholidays: {春节: [2027-02-30]}\n',
        "unparseable date 2027-02-30",
    ),
    ('year: 2027\nsource: "x"\nstatus: official\nholidays: {春节: ["2027-13-01"]}\n', "unparseable date"),
    ('year: 2027\nsource: "x"\nstatus: official\nholidays: {春节: [next friday]}\n', "unparseable date"),
    ('year: 2027\nsource: "x"\nstatus: final\nholidays: {}\n', "status"),
    ('year: 2027\nstatus: official\nholidays: {}\n', "source"),
    ('year: "2027"\nsource: "x"\nstatus: official\nholidays: {}\n', "year"),
    ('year: 2027\nsource: "x"\nstatus: official\nholiday: {}\n', "unknown keys"),
    (
        'year: 2027\nsource: "x"\nstatus: official\nholidays: {}\nworkdays: [2027-02-19]\n',
        "Saturday or Sunday",
    ),
    (
        'year: 2027\nsource: "x"\nstatus: official\nholidays: {春节: [2027-02-20]}\nworkdays: [2027-02-20]\n',
        "both",
    ),
    ('year: 2027\nsource: "x"\nstatus: official\nholidays: [2027-01-01]\n', "holidays must be a mapping"),
    ("year: 2027\n  bad: [indent\n", "invalid YAML"),
]


@pytest.mark.parametrize(("text", "problem"), BAD_FILES)
def test_bad_data_files(tmp_path: Path, text: str, problem: str) -> None:
    path = _write(tmp_path, "bad-2027.yaml", text)
    c = LegalCalendar()
    with pytest.raises(CalendarDataError) as excinfo:
        c.load_year_file(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert problem in message
    assert excinfo.value.path == str(path)
    assert c.is_provisional_year(2027)  # nothing half-loaded


def test_file_name_must_match_year_and_file_must_exist(tmp_path: Path) -> None:
    path = _write(tmp_path, "2028.yaml", SYNTHETIC_2027.format(status="official"))
    with pytest.raises(CalendarDataError, match="2028"):
        LegalCalendar().load_year_file(path)
    with pytest.raises(CalendarDataError, match="无法读取文件：文件不存在"):
        LegalCalendar().load_year_file(tmp_path / "missing.yaml")


def test_bundled_data_files_load() -> None:
    assert (DATA_DIR / "README.md").exists()
    for path in sorted(DATA_DIR.glob("*.yaml")):
        table = YearTable.from_file(path)
        assert table.source
    LegalCalendar.default()  # loads every bundled file without error


# ------------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------------

dates = st.dates(min_value=D(2004, 1, 1), max_value=D(2028, 12, 31))
PROP_CAL = LegalCalendar()


def _naive_add(start: datetime.date, n: int) -> datetime.date:
    d, counted = start, 0
    while counted < n:
        d += datetime.timedelta(days=1)
        if PROP_CAL.is_workday(d):
            counted += 1
    return d


@given(dates, st.integers(0, 40))
def test_prop_working_days_match_naive_count(start, n) -> None:
    dl = PROP_CAL.deadline(start, n, Unit.WORKING_DAYS)
    assert dl.due == _naive_add(start, n) == PROP_CAL.add_working_days(start, n)
    span = [start + datetime.timedelta(days=k) for k in range(1, (dl.due - start).days + 1)]
    assert [s.day for s in dl.skipped] == [d for d in span if not PROP_CAL.is_workday(d)]
    expected_years = tuple(sorted({d.year for d in span if PROP_CAL.is_provisional_year(d.year)}))
    assert dl.provisional_years == expected_years and dl.provisional == bool(expected_years)


@given(dates, st.integers(1, 40), st.sampled_from([Unit.WORKING_DAYS, Unit.DAYS, Unit.MONTHS]))
def test_prop_due_after_start_and_a_working_day(start, n, unit) -> None:
    dl = PROP_CAL.deadline(start, n, unit)
    assert dl.due > start
    assert PROP_CAL.is_workday(dl.due)
    if dl.extended_from is not None:
        assert not PROP_CAL.is_workday(dl.extended_from)
        assert dl.skipped[0].day == dl.extended_from


@given(dates, st.integers(0, 40), st.sampled_from(list(Unit)))
def test_prop_monotone(start, n, unit) -> None:
    a = PROP_CAL.deadline(start, n, unit)
    b = PROP_CAL.deadline(start, n + 1, unit)
    assert b.due >= a.due
    if unit is Unit.HOURS:
        assert b.due_at > a.due_at


@given(dates, st.integers(1, 120))
def test_prop_calendar_days_first_working_day_on_or_after(start, n) -> None:
    nominal = start + datetime.timedelta(days=n)
    dl = PROP_CAL.deadline(start, n, Unit.DAYS)
    assert dl.due == PROP_CAL.next_workday(nominal)
    assert dl.due >= nominal
    gap = [nominal + datetime.timedelta(days=k) for k in range((dl.due - nominal).days)]
    assert not any(PROP_CAL.is_workday(d) for d in gap)
    assert (dl.extended_from is None) == (dl.due == nominal)


@given(dates, st.integers(0, 60))
def test_prop_working_days_between_inverts_add(start, n) -> None:
    assert PROP_CAL.working_days_between(start, PROP_CAL.add_working_days(start, n)) == n


@given(dates, st.integers(1, 30))
def test_prop_backwards(start, n) -> None:
    back = PROP_CAL.add_working_days(start, -n)
    assert back < start and PROP_CAL.is_workday(back)
    assert PROP_CAL.working_days_between(back, start) == n - 1 + int(PROP_CAL.is_workday(start))


@given(st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31)))
def test_prop_agrees_with_chinese_calendar(d) -> None:
    info: DayInfo = PROP_CAL.day(d)
    assert info.workday == chinese_calendar.is_workday(d)
    assert not info.provisional
    assert info.makeup == (d in chinese_calendar.workdays)
