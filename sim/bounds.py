"""Limits on untrusted input, and the checks every boundary shares.

Scenario files, steps files, journals, contest files and result bundles all come from people who may try to
break the program (a contestant hunting for a cheap pass, a trainer's half-finished file, a zip from another
machine). Each boundary checks its input against the limits here, so the engine behind it only ever sees
values of sane size: a date inside the year window, a period no longer than the longest one the law knows,
an id that is safe as a file name, JSON of bounded depth and number size, a regular file of bounded length.
Every violation is a `BoundsError` with a Chinese message; the caller adds the file and line.

The limits are documented for authors in docs/scenario-format.md ("Limits").
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

# Case time: every case date, act, clock move and scheduled event lies in this window. It covers every
# case a township could be training on (past cases written up from files, and years ahead) with room for
# the longest period below, and keeps all date arithmetic far from Python's year 9999.
YEAR_MIN = 2000
YEAR_MAX = 2100
EARLIEST = dt.datetime(YEAR_MIN, 1, 1)
LATEST = dt.datetime(YEAR_MAX, 12, 31, 23, 59, 59)

# The longest period a case may name. The longest statutory period in administrative procedure is the
# twenty-year bar on actions concerning real property (《行政诉讼法》第四十六条第二款); each unit's limit is
# twenty years of it (a year has about 250 working days).
MAX_PERIOD_YEARS = 20
MAX_PERIOD = {"working_days": 250 * MAX_PERIOD_YEARS, "days": 7305, "months": 12 * MAX_PERIOD_YEARS,
              "hours": 7305 * 24}
_UNIT_ZH = {"working_days": "个工作日", "days": "日", "months": "个月", "hours": "小时"}

# Ids of cases and procedure templates become parts of file names (journals, reports); ids of states,
# actions and events become names inside the state machine. One pattern for all: lower-case letters,
# digits, hyphens and underscores, starting with a letter or digit, at most 64 characters.
ID_MAX = 64
ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
ID_RULE = f"编号只能由小写字母、数字、连字符（-）和下划线（_）组成，以字母或数字开头，最长 {ID_MAX} 个字符"

# JSON from journals and bundles: nesting deeper than any file the program writes, integers of at most 18
# digits (a fine in yuan, a seed), finite numbers of bounded size (wall-clock seconds, amounts).
MAX_JSON_DEPTH = 64
MAX_INT_DIGITS = 18
MAX_NUMBER = 1e15

# Wall-clock moments (Unix seconds) a journal or a bundle may record: from the epoch (tests and tools run
# sessions on a clock that starts at 0) to the end of the year window.
WALL_MIN = 0.0
WALL_MAX = dt.datetime(YEAR_MAX, 12, 31, 23, 59, 59, tzinfo=dt.UTC).timestamp()


class BoundsError(ValueError):
    """A value outside the documented limits; the message is Chinese and names the limit."""


class NotJson(BoundsError):
    """Text that is not JSON at all (a torn last line of a journal is one)."""


class FileTooLarge(BoundsError):
    """A file over its size limit (the only read refusal that is about the file's content)."""


# --- ids, moments, periods ---------------------------------------------------------------------------------


def check_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not ID_RE.fullmatch(value):
        text = value if isinstance(value, str) else repr(value)
        if len(text) > 80:
            text = text[:80] + f"…（共 {len(text)} 个字符）"
        raise BoundsError(f"{what}「{shown(text)}」不合规：{ID_RULE}")
    return value


def check_moment(value: dt.datetime, what: str = "时间") -> dt.datetime:
    if not EARLIEST <= value <= LATEST:
        raise BoundsError(f"{what} {value:%Y-%m-%d} 超出允许的范围（{YEAR_MIN}—{YEAR_MAX} 年）")
    return value


def check_period(length: int, unit: str, text: str = "") -> None:
    limit = MAX_PERIOD.get(str(unit))
    if limit is not None and length > limit:
        raise BoundsError(f"期间「{shown(text) or f'{length} {unit}'}」过长：最长 {limit}{_UNIT_ZH[str(unit)]}"
                          f"（{MAX_PERIOD_YEARS} 年，法定最长期间）")


def check_wall(value: Any, what: str = "时间戳") -> float:
    """A wall-clock moment in Unix seconds, inside the year window."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not WALL_MIN <= value <= WALL_MAX:
        raise BoundsError(f"{what}「{shown(repr(value))[:40]}」不是有效的时刻（应为 1970—{YEAR_MAX} 年之间的秒数）")
    return float(value)


# --- JSON --------------------------------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"数字过大（超过 {MAX_INT_DIGITS} 位）")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text) if len(text) <= 64 else math.inf
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise _Refused("数值过大")
    return value


def _parse_constant(text: str) -> Any:
    raise _Refused(f"不允许的数值「{text}」")


def loads_json(data: bytes | str) -> Any:
    """Parse JSON within the limits (depth, digits, finite numbers); raises BoundsError in Chinese."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotJson(f"不是 UTF-8 编码的文本（第 {exc.start} 字节）") from None
    try:
        value = json.loads(data, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except RecursionError:
        raise BoundsError(f"嵌套层级过深（超过 {MAX_JSON_DEPTH} 层）") from None
    except _Refused as exc:
        raise BoundsError(str(exc)) from None
    except json.JSONDecodeError as exc:
        raise NotJson(f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）") from None
    except ValueError as exc:  # anything else the decoder refuses (e.g. a number it cannot represent)
        raise BoundsError(f"不是有效的 JSON（{type(exc).__name__}）") from None
    if data.count("[") + data.count("{") > MAX_JSON_DEPTH:  # else it cannot be nested too deep: skip the walk
        check_depth(value)
    return value


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse containers nested deeper than `limit` (iteratively: no recursion on hostile input)."""
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if depth > limit:
            raise BoundsError(f"嵌套层级过深（超过 {limit} 层）")
        if isinstance(item, dict):
            todo.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, depth + 1) for v in item)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def dumps_json(value: Any, **kwargs: Any) -> str:
    """json.dumps(ensure_ascii=False) whose text can always be written as UTF-8: a lone surrogate (a
    journal may hold one) is left as its \\uXXXX escape, which reads back to the same string."""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --- files -------------------------------------------------------------------------------------------------


def read_file(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. A FIFO, a device (a link to /dev/zero), a
    directory or an oversized file is refused without reading it: opening is non-blocking, so a FIFO
    named on the command line cannot hang the program, and at most limit + 1 bytes are ever read.
    The BoundsError's message does not name the file: the caller puts it in front."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise BoundsError(f"无法读取文件：{exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "目录" if stat.S_ISDIR(st.st_mode) else "管道" if stat.S_ISFIFO(st.st_mode) else "设备或特殊文件"
            raise BoundsError(f"不是普通文件（是{kind}），拒绝读取")
        too_big = f"文件过大（上限 {_size(limit)}），拒绝读取"
        if st.st_size > limit:
            raise FileTooLarge(too_big)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # it grew while being read
            raise FileTooLarge(too_big)
        return b"".join(chunks)
    except OSError as exc:
        raise BoundsError(f"无法读取文件：{exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 and n % (1 << 20) == 0 else f"{max(1, n // 1024)} KiB"


def inside(root: str | Path, path: str | Path) -> bool:
    """Whether `path` (resolved, links followed) lies inside `root`."""
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return False
    return True


# --- text for a terminal -----------------------------------------------------------------------------------

# Control characters (C0 but tab and newline, DEL, C1) would let a title or a file name move the cursor,
# recolour or clear the terminal; bidirectional overrides would let it reorder what the reader sees.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    if 0xDC80 <= c <= 0xDCFF:  # a byte of a non-UTF-8 file name, kept by surrogateescape
        return f"\\x{c - 0xDC00:02x}"
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def shown(text: str) -> str:
    """Text safe to print on a terminal: control characters, bidirectional overrides and undecodable bytes
    of file names become visible escapes (\\x1b, \\u202e, \\xb0); everything else is unchanged."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text
