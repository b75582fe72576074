"""Legal calendar: which days count, and when a statutory period ends.

Pure logic (stdlib, attrs, PyYAML safe loader, chinese-calendar); no UI imports.

Counting rules (see ``/work/shared/domain/legal-procedure.md`` section 0.2):

* The starting day is not counted; counting starts the next day
  (民事诉讼法 第八十五条第二款, 民法典 第二百零一条).
* ``WORKING_DAYS``: only legal working days count. Saturdays, Sundays and statutory-holiday rest days are
  skipped; official make-up working days (调休上班日) count (行政处罚法 第八十五条, 行政强制法 第六十九条).
* ``DAYS``: calendar days; if the last day is a rest day the period runs to the next working day
  (民事诉讼法 第八十五条第三款, 民法典 第二百零三条).
* ``MONTHS``: the corresponding date of the final month, or its last day when there is none
  (民法典 第二百零二条); then the same rest-day extension as ``DAYS``.
* ``HOURS``: exactly N hours after the triggering moment; no rest-day logic.

Year coverage: ``chinese-calendar`` knows 2004-2026 (State Council notices). Further years come from YAML
tables (``sim/data/calendar/YYYY.yaml``, see the README there). Any other year is answered with a
*provisional* rule-based estimate (weekends plus the fixed-date holidays) that is always flagged as such:
never a silent guess.
"""

from __future__ import annotations

import datetime
import enum
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from .bounds import check_period, shown

__all__ = [
    "WEEKDAYS_ZH",
    "CalendarDataError",
    "DayInfo",
    "Deadline",
    "LegalCalendar",
    "Unit",
    "YearTable",
    "deadline",
    "format_date_zh",
    "parse_period",
]

WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

#: Where the bundled year tables live (loaded by :meth:`LegalCalendar.default`).
DATA_DIR = Path(__file__).resolve().parent / "data" / "calendar"

_ONE_DAY = datetime.timedelta(days=1)

# Fixed-date statutory holidays (全国年节及纪念日放假办法 第二条, as revised 2024-11-10). Used only for
# years with no official schedule; lunar holidays and make-up days are deliberately not guessed.
_FIXED_HOLIDAYS: Mapping[tuple[int, int], str] = MappingProxyType(
    {
        (1, 1): "元旦",
        (5, 1): "劳动节",
        (5, 2): "劳动节",
        (10, 1): "国庆节",
        (10, 2): "国庆节",
        (10, 3): "国庆节",
    }
)
_FIXED_HOLIDAYS_TEXT = "元旦1月1日，劳动节5月1日至2日，国庆节10月1日至3日"

# chinese-calendar's English holiday values -> the names used in the State Council notices.
_CC_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

_STATUSES = ("official", "provisional")
_PROVISIONAL_SUFFIX = "（暂定）"


class CalendarDataError(Exception):
    """A calendar data file (or table) is unusable. ``path`` and ``problem`` say which and why."""

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        where = self.path if self.path is not None else "<节假日数据 calendar data>"
        super().__init__(f"{where}: {problem}")


class Unit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    DAYS = "days"
    MONTHS = "months"
    HOURS = "hours"


# --------------------------------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------------------------------


def _as_date(d: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(d, datetime.datetime):
        return d.date()
    if isinstance(d, datetime.date):
        return d
    raise TypeError(f"expected datetime.date or datetime.datetime, got {type(d).__name__}")


def _zh(d: datetime.date) -> str:
    """``2026年9月30日`` (no weekday)."""
    return f"{d.year}年{d.month}月{d.day}日"


def format_date_zh(d: datetime.date | datetime.datetime) -> str:
    """``2026年10月8日（星期四）``. A datetime is shown by its date."""
    d = _as_date(d)
    return f"{_zh(d)}（{WEEKDAYS_ZH[d.weekday()]}）"


def _format_datetime_zh(t: datetime.datetime) -> str:
    return f"{format_date_zh(t)}{t:%H:%M}"


def _days_in_month(year: int, month: int) -> int:
    # Avoids importing the stdlib ``calendar`` module from a module that is itself called ``calendar``.
    if month == 12:
        return 31
    return (datetime.date(year, month + 1, 1) - _ONE_DAY).day


# --------------------------------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------------------------------


@attrs.frozen
class DayInfo:
    day: datetime.date
    workday: bool
    holiday: str | None
    makeup: bool
    provisional: bool
    label: str

    @property
    def rest(self) -> bool:
        return not self.workday

    @property
    def status(self) -> str:
        """The day's legal status as a period count reads it: 工作日 (make-up working days included),
        法定节假日 (a rest day of a statutory holiday, weekend days inside it included), or 休息日."""
        if self.workday:
            return "工作日"
        return "法定节假日" if self.holiday is not None else "休息日"

    @property
    def weekday_zh(self) -> str:
        return WEEKDAYS_ZH[self.day.weekday()]


def _mapping_proxy(m: Mapping[datetime.date, str]) -> Mapping[datetime.date, str]:
    return MappingProxyType(dict(m))


@attrs.frozen
class YearTable:
    """One year's holiday schedule, as published in the State Council notice.

    ``holidays`` maps every rest day inside a holiday (weekend days included) to the holiday's name;
    ``workdays`` maps every make-up working day (调休上班日) to the holiday it belongs to ("" if unknown).
    Dates are normally inside ``year``; the notice may also fix days in the last week of the previous
    December (e.g. 2011-12-31 was a make-up day in the 2012 notice).
    """

    year: int
    holidays: Mapping[datetime.date, str] = attrs.field(converter=_mapping_proxy, hash=False)
    workdays: Mapping[datetime.date, str] = attrs.field(converter=_mapping_proxy, hash=False)
    status: str = "official"
    source: str = ""
    path: str | None = attrs.field(default=None, eq=False)

    @property
    def provisional(self) -> bool:
        return self.status != "official"

    @classmethod
    def from_mapping(cls, data: Any, path: str | Path | None = None) -> YearTable:
        """Validate a parsed YAML document; raise :class:`CalendarDataError` naming ``path``."""
        return _parse_year_table(data, path)

    @classmethod
    def from_file(cls, path: str | Path) -> YearTable:
        return _read_year_file(path)


@attrs.frozen
class Deadline:
    start: datetime.datetime
    length: int
    unit: Unit
    due: datetime.date
    due_at: datetime.datetime | None
    provisional: bool
    provisional_years: tuple[int, ...]
    skipped: tuple[DayInfo, ...]
    extended_from: datetime.date | None
    explanation: tuple[str, ...]

    @property
    def weekday_zh(self) -> str:
        return WEEKDAYS_ZH[self.due.weekday()]

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "length": self.length,
            "unit": self.unit.value,
            "due": self.due.isoformat(),
            "due_at": self.due_at.isoformat() if self.due_at is not None else None,
            "weekday": self.weekday_zh,
            "provisional": self.provisional,
            "provisional_years": list(self.provisional_years),
            "skipped": [{"date": s.day.isoformat(), "label": s.label} for s in self.skipped],
            "extended_from": self.extended_from.isoformat() if self.extended_from is not None else None,
            "explanation": list(self.explanation),
        }

    def _end_moment(self) -> datetime.datetime:
        """The first instant after the period (HOURS: due_at; otherwise 00:00 of the day after due)."""
        if self.due_at is not None:
            return self.due_at
        return datetime.datetime.combine(self.due + _ONE_DAY, datetime.time())

    def is_late(self, when: datetime.date | datetime.datetime) -> bool:
        """True when an act at ``when`` is strictly after the period.

        Day-based periods compare dates (any time on the due date is in time). HOURS periods compare the
        moment with ``due_at`` when given a datetime, or the date with ``due`` when given a date.
        """
        if self.unit is Unit.HOURS and isinstance(when, datetime.datetime):
            assert self.due_at is not None
            return when > self.due_at
        return _as_date(when) > self.due

    def days_late(self, when: datetime.date | datetime.datetime) -> int:
        """Calendar days after ``due`` (0 when in time)."""
        if not self.is_late(when):
            return 0
        return max(0, (_as_date(when) - self.due).days)

    def hours_late(self, when: datetime.date | datetime.datetime) -> float:
        """Hours after the end of the period (0.0 when in time). A date means 00:00 of that day."""
        if not isinstance(when, datetime.datetime):
            when = datetime.datetime.combine(_as_date(when), datetime.time())
        late = (when - self._end_moment()).total_seconds() / 3600.0
        return late if late > 0 else 0.0


# --------------------------------------------------------------------------------------------------
# chinese-calendar, precomputed once
# --------------------------------------------------------------------------------------------------


@attrs.frozen
class _BaseData:
    years: frozenset[int]
    rest_days: frozenset[datetime.date]
    makeup_days: frozenset[datetime.date]
    names: Mapping[datetime.date, str] = attrs.field(hash=False)


_BASE: _BaseData | None = None
_BASE_LOCK = threading.Lock()


def _base() -> _BaseData:
    """chinese-calendar's tables as frozensets (its own ``is_workday`` costs ~90 µs per call)."""
    global _BASE
    if _BASE is None:
        with _BASE_LOCK:
            if _BASE is None:
                import chinese_calendar

                rest = dict(chinese_calendar.holidays)
                work = dict(chinese_calendar.workdays)
                names = {d: _CC_NAMES.get(str(v), str(v)) for d, v in {**rest, **work}.items()}
                first, last = min(rest).year, max(rest).year
                _BASE = _BaseData(
                    years=frozenset(range(first, last + 1)),
                    rest_days=frozenset(rest),
                    makeup_days=frozenset(work),
                    names=MappingProxyType(names),
                )
    return _BASE


# --------------------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------------------

_DEFAULT: LegalCalendar | None = None
_DEFAULT_LOCK = threading.Lock()


class LegalCalendar:
    """Legal working days and statutory periods.

    Sources, by priority: loaded year tables (``extra_years`` / :meth:`load_year_file`), then
    chinese-calendar (2004-2026), then a provisional rule-based estimate.
    """

    def __init__(self, extra_years: Mapping[int, YearTable] | None = None) -> None:
        self._tables: dict[int, YearTable] = {}
        self._rest: dict[datetime.date, str] = {}
        self._makeup: dict[datetime.date, str] = {}
        self._cache: dict[datetime.date, DayInfo] = {}
        for year, table in (extra_years or {}).items():
            if not isinstance(table, YearTable):
                raise TypeError(f"extra_years[{year!r}] must be a YearTable, got {type(table).__name__}")
            if year != table.year:
                raise CalendarDataError(
                    table.path, f"extra_years 的键 {year} 与表中年份 {table.year} 不一致 (key/year mismatch)"
                )
            self._tables[year] = table
        self._rebuild()

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def default(cls) -> LegalCalendar:
        """Shared instance with the bundled ``sim/data/calendar/*.yaml`` tables loaded.

        It is shared: do not load scenario-specific tables into it; build your own ``LegalCalendar``.
        """
        global _DEFAULT
        if _DEFAULT is None:
            with _DEFAULT_LOCK:
                if _DEFAULT is None:
                    cal = cls()
                    for path in sorted(DATA_DIR.glob("*.yaml")):
                        cal.load_year_file(path)
                    _DEFAULT = cal
        return _DEFAULT

    def load_year_file(self, path: str | Path) -> None:
        """Load (or replace) one year's table from a YAML file; raises :class:`CalendarDataError`."""
        self.add_year_table(_read_year_file(path))

    def add_year_table(self, table: YearTable) -> None:
        """Load (or replace) one year's table."""
        self._tables[table.year] = table
        self._rebuild()

    def _rebuild(self) -> None:
        rest: dict[datetime.date, str] = {}
        makeup: dict[datetime.date, str] = {}

        def put(d: datetime.date, name: str, is_rest: bool) -> None:
            (rest if is_rest else makeup)[d] = name
            (makeup if is_rest else rest).pop(d, None)

        tables = [self._tables[y] for y in sorted(self._tables)]
        # Days a notice fixes outside its own year first, so that each year's own notice wins.
        for own_year in (False, True):
            for t in tables:
                for d, name in t.holidays.items():
                    if (d.year == t.year) is own_year:
                        put(d, name, True)
                for d, name in t.workdays.items():
                    if (d.year == t.year) is own_year:
                        put(d, name, False)
        self._rest, self._makeup = rest, makeup
        self._cache = {}

    # -- coverage -----------------------------------------------------------------------------

    def known_years(self) -> frozenset[int]:
        """Years answered from an official schedule (chinese-calendar or an official table)."""
        years = set(_base().years)
        for y, t in self._tables.items():
            if t.provisional:
                years.discard(y)
            else:
                years.add(y)
        return frozenset(years)

    def is_provisional_year(self, year: int) -> bool:
        table = self._tables.get(year)
        if table is not None:
            return table.provisional
        return year not in _base().years

    def year_table(self, year: int) -> YearTable | None:
        return self._tables.get(year)

    # -- days ---------------------------------------------------------------------------------

    def day(self, d: datetime.date | datetime.datetime) -> DayInfo:
        if type(d) is not datetime.date:
            d = _as_date(d)
        info = self._cache.get(d)
        if info is None:
            info = self._cache[d] = self._classify(d)
        return info

    def _classify(self, d: datetime.date) -> DayInfo:
        year = d.year
        table = self._tables.get(year)
        base = _base()
        if table is not None:
            provisional = table.provisional
        else:
            provisional = year not in base.years

        holiday: str | None = None
        makeup = False
        if d in self._makeup:
            makeup = True
        elif d in self._rest:
            holiday = self._rest[d]
        elif table is None and year in base.years:
            if d in base.makeup_days:
                makeup = True
            elif d in base.rest_days:
                holiday = base.names[d]
        elif table is None:
            holiday = _FIXED_HOLIDAYS.get((d.month, d.day))

        weekend = d.weekday() >= 5
        workday = makeup or (holiday is None and not weekend)
        if makeup:
            label = "调休上班日"
        elif holiday is not None:
            label = f"{holiday}假期"
        elif weekend:
            label = "周末"
        else:
            label = "工作日"
        if provisional:
            label += _PROVISIONAL_SUFFIX
        return DayInfo(d, workday, holiday, makeup, provisional, label)

    def is_workday(self, d: datetime.date | datetime.datetime) -> bool:
        return self.day(d).workday

    def next_workday(self, d: datetime.date | datetime.datetime, include_self: bool = True) -> datetime.date:
        cur = _as_date(d)
        if not include_self:
            cur += _ONE_DAY
        while not self.day(cur).workday:
            cur += _ONE_DAY
        return cur

    def add_working_days(self, start: datetime.date | datetime.datetime, n: int) -> datetime.date:
        """The n-th working day after ``start`` (``start`` itself not counted).

        ``n == 0`` returns ``start``. ``n < 0`` counts backwards: the |n|-th working day before ``start``.
        """
        cur = _as_date(start)
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            cur += step
            if self.day(cur).workday:
                remaining -= 1
        return cur

    def working_days_between(
        self, a: datetime.date | datetime.datetime, b: datetime.date | datetime.datetime
    ) -> int:
        """Number of working days in (a, b]; negative (minus those in (b, a]) when b < a."""
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        cur = a
        while cur < b:
            cur += _ONE_DAY
            if self.day(cur).workday:
                count += 1
        return count

    def days(self, first: datetime.date, last: datetime.date) -> tuple[DayInfo, ...]:
        """DayInfo for every date in [first, last] (empty if last < first)."""
        out = []
        cur = _as_date(first)
        last = _as_date(last)
        while cur <= last:
            out.append(self.day(cur))
            cur += _ONE_DAY
        return tuple(out)

    # -- periods ------------------------------------------------------------------------------

    def deadline(
        self, start: datetime.date | datetime.datetime, length: int, unit: Unit | str
    ) -> Deadline:
        unit = _coerce_unit(unit)
        if isinstance(length, bool) or not isinstance(length, int):
            raise TypeError(f"length must be an int, got {type(length).__name__}")
        if length < 0:
            raise ValueError(f"期间长度不能为负数：{length}")
        check_period(length, str(unit))
        if isinstance(start, datetime.datetime):
            start_at = start
        elif isinstance(start, datetime.date):
            start_at = datetime.datetime.combine(start, datetime.time())
        else:
            raise TypeError(f"start must be a date or datetime, got {type(start).__name__}")

        if unit is Unit.HOURS:
            return self._deadline_hours(start_at, length)
        if unit is Unit.WORKING_DAYS:
            return self._deadline_working_days(start_at, length)
        return self._deadline_calendar(start_at, length, unit)

    def _deadline_hours(self, start_at: datetime.datetime, n: int) -> Deadline:
        due_at = start_at + datetime.timedelta(hours=n)
        explanation = (
            f"期间以小时计，自{_format_datetime_zh(start_at)}起算{n}小时，"
            f"至{_format_datetime_zh(due_at)}届满。",
            "以小时计算的期间不因法定节假日或周末顺延。",
        )
        return Deadline(
            start=start_at,
            length=n,
            unit=Unit.HOURS,
            due=due_at.date(),
            due_at=due_at,
            provisional=False,
            provisional_years=(),
            skipped=(),
            extended_from=None,
            explanation=explanation,
        )

    def _deadline_working_days(self, start_at: datetime.datetime, n: int) -> Deadline:
        s = start_at.date()
        lines = [_start_sentence(s), "期间以工作日计，跳过法定节假日和周末，调休上班日计入。"]
        consulted: list[DayInfo] = []
        cur = s
        counted = 0
        while counted < n:
            cur += _ONE_DAY
            info = self.day(cur)
            consulted.append(info)
            if info.workday:
                counted += 1
        due = cur
        skipped = tuple(i for i in consulted if not i.workday)
        makeups = [i for i in consulted if i.makeup]
        if skipped:
            lines.append(f"其间跳过休息日{len(skipped)}天：{_summarise_rest(skipped)}。")
        if makeups:
            lines.append(
                "按国务院办公厅放假通知，调休上班日计为工作日："
                + "、".join(format_date_zh(i.day) for i in makeups)
                + "。"
            )
        if n == 0:
            lines.append(f"期间为0个工作日，届满日即起算日{format_date_zh(due)}。")
        else:
            lines.append(f"第{n}个工作日为{format_date_zh(due)}，即期间届满日。")
        lines.append("计算依据：《民事诉讼法》第八十五条、《民法典》第二百零一条；《行政处罚法》第八十五条、《行政强制法》第六十九条。")
        return self._finish(start_at, n, Unit.WORKING_DAYS, due, skipped, None, lines, consulted)

    def _deadline_calendar(self, start_at: datetime.datetime, n: int, unit: Unit) -> Deadline:
        s = start_at.date()
        lines = [_start_sentence(s)]
        if unit is Unit.DAYS:
            nominal = s + datetime.timedelta(days=n)
            lines.append(f"期间以自然日计，{_zh(s)}后第{n}日为{_zh(nominal)}。")
            basis = "计算依据：《民事诉讼法》第八十五条、《民法典》第二百零一条、第二百零三条。"
        else:
            months = s.month - 1 + n
            year, month = s.year + months // 12, months % 12 + 1
            last = _days_in_month(year, month)
            nominal = datetime.date(year, month, min(s.day, last))
            if s.day > last:
                lines.append(
                    f"期间以月计，到期月（{year}年{month}月）没有对应日，以该月末日{_zh(nominal)}为期间最后一日。"
                )
            else:
                lines.append(f"期间以月计，到期月的对应日{_zh(nominal)}为期间最后一日。")
            basis = "计算依据：《民事诉讼法》第八十五条、《民法典》第二百零一条至第二百零三条。"

        consulted = [self.day(nominal)]
        due = nominal
        extended_from: datetime.date | None = None
        skipped: tuple[DayInfo, ...] = ()
        if n > 0 and not consulted[0].workday:
            extended_from = nominal
            rest = [consulted[0]]
            due = nominal + _ONE_DAY
            while True:
                info = self.day(due)
                consulted.append(info)
                if info.workday:
                    break
                rest.append(info)
                due += _ONE_DAY
            skipped = tuple(rest)
            first = consulted[0]
            if first.holiday is not None:
                lines.append(f"期间届满日{_zh(nominal)}为法定节假日，顺延至节后第一个工作日{_zh(due)}。")
            else:
                lines.append(f"期间届满日{_zh(nominal)}为周末休息日，顺延至其后第一个工作日{_zh(due)}。")
            lines.append(f"顺延跳过休息日{len(skipped)}天：{_summarise_rest(skipped)}。")
        lines.append(f"期间届满日为{format_date_zh(due)}。")
        lines.append(basis)
        return self._finish(start_at, n, unit, due, skipped, extended_from, lines, consulted)

    def _finish(
        self,
        start_at: datetime.datetime,
        n: int,
        unit: Unit,
        due: datetime.date,
        skipped: tuple[DayInfo, ...],
        extended_from: datetime.date | None,
        lines: list[str],
        consulted: Iterable[DayInfo],
    ) -> Deadline:
        years = tuple(sorted({i.day.year for i in consulted if i.provisional}))
        lines.extend(self._provisional_sentences(years))
        return Deadline(
            start=start_at,
            length=n,
            unit=unit,
            due=due,
            due_at=None,
            provisional=bool(years),
            provisional_years=years,
            skipped=skipped,
            extended_from=extended_from,
            explanation=tuple(lines),
        )

    def _provisional_sentences(self, years: tuple[int, ...]) -> list[str]:
        out = []
        unknown = [y for y in years if y not in self._tables]
        if unknown:
            ys = "、".join(f"{y}年" for y in unknown)
            files = "、".join(f"sim/data/calendar/{y}.yaml" for y in unknown)
            out.append(
                f"注意：{ys}未载入该年度国务院放假安排，结果为暂定，仅按周末和固定日期节日推算"
                f"（{_FIXED_HOLIDAYS_TEXT}），未计春节、清明节、端午节、中秋节等农历节日及调休上班日。"
                f"国务院办公厅放假通知发布后，请按 sim/data/calendar/README.md 的格式添加 {files} 后重新计算。"
            )
        for y in years:
            table = self._tables.get(y)
            if table is not None:
                src = f"（来源：{table.source}）" if table.source else ""
                out.append(
                    f"注意：{y}年的放假安排数据标注为暂定{src}，结果为暂定；"
                    f"国务院办公厅正式通知发布后请更新该年度数据文件。"
                )
        return out


def _start_sentence(s: datetime.date) -> str:
    return f"起算日（{_zh(s)}）不计入，自次日开始计算。"


def _summarise_rest(days: Iterable[DayInfo]) -> str:
    counts: dict[str, int] = {}
    for i in days:
        key = f"{i.holiday}假期" if i.holiday is not None else "周末"
        counts[key] = counts.get(key, 0) + 1
    return "、".join(f"{k}{v}天" for k, v in counts.items())


# --------------------------------------------------------------------------------------------------
# Module-level conveniences
# --------------------------------------------------------------------------------------------------


def deadline(
    start: datetime.date | datetime.datetime,
    length: int,
    unit: Unit | str,
    calendar: LegalCalendar | None = None,
) -> Deadline:
    """:meth:`LegalCalendar.deadline` on ``calendar`` (default: :meth:`LegalCalendar.default`)."""
    return (calendar or LegalCalendar.default()).deadline(start, length, unit)


_UNIT_ALIASES: dict[str, tuple[Unit, int]] = {}
for _unit, _aliases in {
    Unit.WORKING_DAYS: (
        "working_days", "working_day", "workdays", "workday", "work_days", "work_day", "wd",
        "工作日", "个工作日",
    ),
    Unit.DAYS: (
        "days", "day", "d", "calendar_days", "calendar_day", "natural_days",
        "日", "天", "自然日", "个自然日", "日历日",
    ),
    Unit.MONTHS: ("months", "month", "mon", "个月"),
    Unit.HOURS: ("hours", "hour", "h", "hr", "hrs", "小时", "个小时"),
}.items():
    for _alias in _aliases:
        _UNIT_ALIASES[_alias] = (_unit, 1)
for _alias in ("years", "year", "y", "年", "周年"):
    _UNIT_ALIASES[_alias] = (Unit.MONTHS, 12)  # 民法典 第二百零二条: a year ends on the corresponding date
del _unit, _aliases, _alias

_PERIOD_RE = re.compile(r"^([0-9]+|[零〇一二两三四五六七八九十百]+)\s*(.*?)$")
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _zh_number(text: str) -> int:
    """Small Chinese numerals (up to 999): 五, 十, 十五, 二十四, 九十, 一百八十."""
    total = 0
    digit: int | None = None
    for ch in text:
        if ch in _ZH_DIGITS:
            if digit is not None:
                raise ValueError(text)
            digit = _ZH_DIGITS[ch]
        elif ch == "百":
            total += (1 if digit is None else digit) * 100
            digit = None
        elif ch == "十":
            total += (1 if digit is None else digit) * 10
            digit = None
        else:
            raise ValueError(text)
    return total + (digit or 0)


def _coerce_unit(unit: Unit | str) -> Unit:
    if isinstance(unit, Unit):
        return unit
    key = re.sub(r"[\s\-]+", "_", str(unit).strip().lower())
    hit = _UNIT_ALIASES.get(key)
    if hit is None or hit[1] != 1:
        raise ValueError(
            f"未知的期间单位 unknown period unit {unit!r}; expected one of {[u.value for u in Unit]}"
        )
    return hit[0]


def parse_period(text: str) -> tuple[int, Unit]:
    """Parse a period: ``"5 working_days"``, ``"90 days"``, ``"90 calendar_days"``, ``"3 months"``,
    ``"24 hours"``, ``"5个工作日"``, ``"15日"``, ``"3个月"``, ``"24小时"``, ``"十日"``, ``"二年"`` (= 24 months).

    This is syntax only: whether a statute's ``五日`` means working days depends on the law (行政处罚法
    第八十五条); write ``"5 working_days"`` / ``"5个工作日"`` when it does.
    """
    if not isinstance(text, str):
        raise ValueError(f"期间必须是文本，实际是{type(text).__name__}")
    raw = text.strip()
    m = _PERIOD_RE.match(raw.lower())
    if not m:
        raise ValueError(f"无法解析期间「{shown(text[:40])}」：应为「数字 单位」，如 5 working_days、15 days、3 months、"
                         f"24 hours、5个工作日、15日、3个月、24小时")
    num, unit_text = m.groups()
    try:
        n = int(num) if num.isdigit() and len(num) <= 9 else _zh_number(num)
    except ValueError:
        raise ValueError(f"无法解析期间「{shown(text[:40])}」中的数字") from None
    key = re.sub(r"[\s\-]+", "_", unit_text.strip())
    hit = _UNIT_ALIASES.get(key)
    if hit is None:
        hint = "（“月”有歧义，请写“个月”或 months）" if key == "月" else ""
        raise ValueError(f"期间「{shown(text[:40])}」的单位「{shown(unit_text[:20])}」无法识别{hint}；可用 working_days、days、"
                         f"calendar_days、months、hours，或 个工作日、日、天、个月、小时")
    unit, factor = hit
    check_period(n * factor, unit, raw)
    return n * factor, unit


# --------------------------------------------------------------------------------------------------
# Year-table files
# --------------------------------------------------------------------------------------------------

_TABLE_KEYS = {"year", "source", "status", "holidays", "workdays", "url", "published", "note", "notes"}


def _read_year_file(path: str | Path) -> YearTable:
    from .bounds import BoundsError, read_file
    from .yamlsrc import MAX_FILE_BYTES, YamlError, parse_text  # the same guarded reader as the scenario files

    p = Path(path)
    try:  # a FIFO or a device named with --calendar-file is refused without reading it
        text = read_file(p, MAX_FILE_BYTES).decode("utf-8")
    except BoundsError as exc:
        raise CalendarDataError(p, str(exc)) from None
    except UnicodeDecodeError as exc:
        raise CalendarDataError(p, f"不是 UTF-8 编码的文本（第 {exc.start} 字节）") from None

    try:
        data = parse_text(text, str(p))
    except YamlError as exc:
        bad = [t for t in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text) if not _is_iso_date(t)]
        if bad:
            raise CalendarDataError(p, f"日期无法解析 unparseable date {', '.join(dict.fromkeys(bad))}: "
                                       f"{exc.message}") from exc
        raise CalendarDataError(p, f"YAML 格式错误 invalid YAML（第 {exc.line} 行）：{exc.message}") from exc
    except ValueError as exc:  # PyYAML raises ValueError for impossible timestamps such as 2027-02-30
        bad = [t for t in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text) if not _is_iso_date(t)]
        which = f" {', '.join(dict.fromkeys(bad))}" if bad else ""
        raise CalendarDataError(p, f"日期无法解析 unparseable date{which}: {exc}") from exc
    table = _parse_year_table(data, p)
    if p.stem.isdigit() and len(p.stem) == 4 and int(p.stem) != table.year:
        raise CalendarDataError(
            p, f"文件名年份 {p.stem} 与 year: {table.year} 不一致 (file name and year differ)"
        )
    return table


def _is_iso_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _parse_date(value: Any, path: str | Path | None, where: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        raise CalendarDataError(path, f"{where}: {value!r} 应为日期而非日期时间 (expected a date, got a datetime)")
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarDataError(
        path, f"{where}: 无法解析的日期 unparseable date {value!r} (expected YYYY-MM-DD)"
    )


def _parse_dates(value: Any, path: str | Path | None, where: str) -> list[datetime.date]:
    """A date, a 'YYYY-MM-DD..YYYY-MM-DD' range, or a list of either."""
    items = value if isinstance(value, list) else [value]
    out: list[datetime.date] = []
    for item in items:
        if isinstance(item, str) and ".." in item:
            a_text, _, b_text = item.partition("..")
            a = _parse_date(a_text, path, where)
            b = _parse_date(b_text, path, where)
            if b < a or (b - a).days > 31:
                raise CalendarDataError(path, f"{where}: 日期范围无效 invalid date range {item!r}")
            out.extend(a + datetime.timedelta(days=k) for k in range((b - a).days + 1))
        else:
            out.append(_parse_date(item, path, where))
    return out


def _check_year(d: datetime.date, year: int, path: str | Path | None, where: str) -> None:
    if d.year == year:
        return
    if d.year == year - 1 and d.month == 12 and d.day >= 25:
        return  # the New Year holiday or its make-up day may start in late December of the previous year
    raise CalendarDataError(
        path, f"{where}: 日期 {d.isoformat()} 不在 {year} 年 (date is not in year {year})"
    )


def _parse_year_table(data: Any, path: str | Path | None) -> YearTable:
    if not isinstance(data, dict):
        raise CalendarDataError(
            path,
            "顶层必须是映射（year/source/status/holidays/workdays） "
            f"top level must be a mapping, got {type(data).__name__}",
        )
    unknown = sorted(str(k) for k in data if k not in _TABLE_KEYS)
    if unknown:
        raise CalendarDataError(
            path, f"未知字段 unknown keys {unknown}; allowed: {sorted(_TABLE_KEYS)}"
        )
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1949 < year < 2200:
        raise CalendarDataError(path, f"year 必须是年份整数 year must be an integer year, got {year!r}")
    status = data.get("status")
    if status not in _STATUSES:
        raise CalendarDataError(
            path,
            f"status 必须是 official 或 provisional (status must be one of {list(_STATUSES)}), "
            f"got {status!r}",
        )
    source = data.get("source", "")
    if not isinstance(source, str) or (status == "official" and not source.strip()):
        raise CalendarDataError(
            path, "source 必须写明国务院办公厅通知名称和文号 (an official table needs a non-empty source string)"
        )

    holidays_raw = data.get("holidays")
    if not isinstance(holidays_raw, dict):
        raise CalendarDataError(
            path,
            "holidays 必须是“节日名: [日期, ...]”的映射 "
            f"holidays must be a mapping name -> dates, got {type(holidays_raw).__name__}",
        )
    holidays: dict[datetime.date, str] = {}
    for name, value in holidays_raw.items():
        if not isinstance(name, str) or not name.strip():
            raise CalendarDataError(path, f"holidays: 节日名必须是文本 holiday name must be text, got {name!r}")
        where = f"holidays.{name}"
        for d in _parse_dates(value, path, where):
            _check_year(d, year, path, where)
            if d in holidays and holidays[d] != name:
                raise CalendarDataError(
                    path, f"{where}: {d.isoformat()} 同时列在 {holidays[d]} 中 (date listed under two holidays)"
                )
            holidays[d] = name.strip()

    workdays_raw = data.get("workdays", [])
    workdays: dict[datetime.date, str] = {}
    if workdays_raw is None:
        workdays_raw = []
    if isinstance(workdays_raw, dict):
        groups = list(workdays_raw.items())
    elif isinstance(workdays_raw, list):
        groups = [("", workdays_raw)]
    else:
        raise CalendarDataError(
            path, f"workdays 必须是日期列表 workdays must be a list of dates, got {type(workdays_raw).__name__}"
        )
    for name, value in groups:
        if not isinstance(name, str):
            raise CalendarDataError(path, f"workdays: 节日名必须是文本 holiday name must be text, got {name!r}")
        where = f"workdays.{name}" if name else "workdays"
        for d in _parse_dates(value, path, where):
            _check_year(d, year, path, where)
            if d.weekday() < 5:
                raise CalendarDataError(
                    path,
                    f"{where}: 调休上班日 {d.isoformat()} 是{WEEKDAYS_ZH[d.weekday()]}，应为周六或周日 "
                    f"(a make-up working day must be a Saturday or Sunday)",
                )
            if d in holidays:
                raise CalendarDataError(
                    path,
                    f"{where}: {d.isoformat()} 同时列为放假日和调休上班日 "
                    "(date is both a rest day and a make-up day)",
                )
            workdays[d] = name.strip()
    return YearTable(
        year=year,
        holidays=holidays,
        workdays=workdays,
        status=status,
        source=source,
        path=str(path) if path is not None else None,
    )
