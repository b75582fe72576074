"""Legal-calendar day lookups against chinese_calendar, measured in the same run.

20,000 uncached days (2004 .. 2058): `LegalCalendar.day` then `is_workday` for each, against
`chinese_calendar.is_workday` alone on the same days. Target: <= 0.3x (the table is built once per year).

Run: python benchmarks/calendar_lookup.py
"""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import chinese_calendar  # noqa: E402

from sim.calendar import LegalCalendar  # noqa: E402


def main() -> int:
    days = [datetime.date(2004, 1, 1) + datetime.timedelta(days=k) for k in range(20000)]
    t0 = time.perf_counter()
    for d in days:
        try:
            chinese_calendar.is_workday(d)
        except NotImplementedError:  # years the library has no data for
            pass
    base = time.perf_counter() - t0
    fresh = LegalCalendar()
    t0 = time.perf_counter()
    for d in days:
        fresh.day(d)
    for d in days:
        fresh.is_workday(d)
    ours = time.perf_counter() - t0
    print(f"chinese_calendar.is_workday x{len(days)}: {base:.3f} s (baseline)")
    print(f"LegalCalendar day + is_workday x{len(days)}: {ours:.3f} s = {ours / base:.2f}x  (target <= 0.3x)")
    return 0 if ours / base <= 0.3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
