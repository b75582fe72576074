"""`lawdrill deadline`: the statutory period calculator (working days, days, months, hours)."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tui.cli.common import EXIT_OK, AddCommand, UsageError, count_arg, emit, require_paths

if TYPE_CHECKING:
    from sim.calendar import Deadline, LegalCalendar


def add_commands(command: AddCommand) -> None:
    p = command("deadline", "计算法定期限",
                "按法定期间计算规则计算期限届满日：起算日不计入；以工作日计的期间跳过周末和法定节假日、\n"
                "调休上班日计入；以日、月计的期间届满日为休息日的，顺延至其后第一个工作日。\n"
                "例：lawdrill deadline 2026-09-30 --working-days 3", cmd_deadline)
    p.add_argument("start", metavar="START", help="起算日 YYYY-MM-DD，或起算时刻 YYYY-MM-DDTHH:MM")
    unit = p.add_mutually_exclusive_group(required=True)
    unit.add_argument("--working-days", type=count_arg, metavar="N", help="期间为 N 个工作日")
    unit.add_argument("--days", type=count_arg, metavar="N", help="期间为 N 日（自然日）")
    unit.add_argument("--months", type=count_arg, metavar="N", help="期间为 N 个月")
    unit.add_argument("--hours", type=count_arg, metavar="N", help="期间为 N 小时")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（含 due 届满日与 provisional 是否暂定）")
    p.add_argument("--calendar-file", nargs="+", action="extend", metavar="FILE",
                   help="另行载入的年度放假安排 YAML 文件（格式见 sim/data/calendar/README.md）")


# Period lengths beyond any statutory period (the longest is a few years): refusing them keeps a typo such as
# `--working-days 100000000` from counting days for minutes.
MAX_PERIOD = {"working_days": 20_000, "days": 40_000, "months": 1_200, "hours": 1_000_000}


UNIT_LABELS = {"working_days": "个工作日", "days": "日（自然日）", "months": "个月", "hours": "小时"}


_START_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")


def _parse_start(text: str) -> Any:
    import datetime as dt

    m = _START_RE.fullmatch(text.strip())
    if m is None:
        raise UsageError(f"起算时间「{text}」格式不正确：应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM，"
                         f"如 2026-09-30 或 2026-09-30T14:00")
    y, mo, d, hh, mm, ss = m.groups()
    try:
        if hh is None:
            return dt.date(int(y), int(mo), int(d))
        return dt.datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0))
    except ValueError:
        raise UsageError(f"起算时间「{text}」不是有效的日期或时刻") from None


def _calendar(files: Sequence[str] | None) -> LegalCalendar | None:
    if not files:
        return None
    from sim.calendar import DATA_DIR, CalendarDataError, LegalCalendar

    require_paths(files, "节假日数据文件")
    cal = LegalCalendar()  # not the shared default: a trainer's extra years must not leak into other calls
    try:
        for path in sorted(DATA_DIR.glob("*.yaml")):
            cal.load_year_file(path)
        for f in files:
            cal.load_year_file(f)
    except CalendarDataError as exc:
        raise UsageError(f"节假日数据文件有错误：{exc}") from None
    return cal


def cmd_deadline(args: argparse.Namespace) -> int:
    from sim.calendar import deadline

    unit, length = next((u, getattr(args, u)) for u in MAX_PERIOD if getattr(args, u) is not None)
    start = _parse_start(args.start)
    if length > MAX_PERIOD[unit]:
        raise UsageError(f"期间过长：{length}{UNIT_LABELS[unit]}（上限 {MAX_PERIOD[unit]}）")
    cal = _calendar(args.calendar_file)
    try:
        d = deadline(start, length, unit, cal)
    except OverflowError:
        raise UsageError("期限超出可计算的日期范围") from None
    if args.json:
        print(json.dumps(d.to_json(), ensure_ascii=False))
        return EXIT_OK
    emit(*deadline_lines(d, start, args.calendar_file or ()))
    return EXIT_OK


def deadline_lines(d: Deadline, start: Any, calendar_files: Sequence[str] = ()) -> list[str]:
    import datetime as dt

    from sim.calendar import format_date_zh

    lines = []
    if d.provisional:
        years = "、".join(f"{y}年" for y in d.provisional_years)
        lines += [f"【暂定】{years}尚未载入国务院办公厅正式放假安排，以下届满日为暂定结果，不能作为正式依据。", ""]
    start_text = format_date_zh(d.start)
    if isinstance(start, dt.datetime):
        start_text += f"{d.start:%H:%M}"
    due_text = format_date_zh(d.due) + (f"{d.due_at:%H:%M}" if d.due_at is not None else "")
    lines += [
        f"起算：{start_text}",
        f"期间：{d.length}{UNIT_LABELS[d.unit.value]}",
        f"届满：{due_text}" + ("【暂定】" if d.provisional else ""),
    ]
    if d.extended_from is not None:
        lines.append(f"　　　（原届满日 {format_date_zh(d.extended_from)} 为休息日，依法顺延）")
    lines += ["", "计算过程："] + [f"  {e}" for e in d.explanation]
    if d.skipped:
        lines += ["", f"跳过的休息日（{len(d.skipped)} 天）："]
        lines += [f"  {format_date_zh(s.day)}  {s.label}" for s in d.skipped]
    elif d.unit.value != "hours":
        lines += ["", "跳过的休息日：无"]
    for f in calendar_files:
        lines.append(f"已载入节假日数据：{f}")
    return lines
