"""Append-only, crash-safe record of a session.

One JSON object per line. Every line is flushed and fsynced before the call that wrote it returns, so a
crash or a power cut loses at most the step that was being written; a torn last line is ignored on reading.
Anyone holding the scenario and the journal can replay the session and get the same findings and score.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .bounds import BoundsError, NotJson, check_depth, check_moment, check_wall, loads_json, read_file, shown

JOURNAL_VERSION = 1


class JournalError(Exception):
    pass


class Journal:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "ab")  # noqa: SIM115 - kept open for the life of the session

    def write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
        try:
            data = line.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: escape it, which JSON reads back exactly
            data = (json.dumps(entry, ensure_ascii=True, separators=(",", ":"), sort_keys=True) + "\n").encode()
        self._fh.write(data)
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


MAX_JOURNAL_BYTES = 64 * 1024 * 1024  # a long session writes a few hundred KiB; far beyond that is not a journal
MAX_TEXT = 10_000  # characters in one text field of an entry (a name, a time, a refusal reason)


def read_journal(path: str | Path) -> list[dict[str, Any]]:
    """Entries of a journal file. A torn final line (crash mid-write) is dropped; damage elsewhere is an error.

    Every entry is checked against the journal's format and limits (sim.bounds) before anything replays it:
    a damaged or forged file gives a JournalError naming the line, never an exception from deeper down.
    """
    try:
        raw = read_file(path, MAX_JOURNAL_BYTES)
    except BoundsError as exc:
        raise JournalError(f"{shown(str(path))}: {exc}") from None
    lines = raw.split(b"\n")
    out: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            entry = loads_json(line)
        except BoundsError as exc:
            if i == len(lines) - 1 and isinstance(exc, NotJson):  # being written when the process died
                break
            raise JournalError(f"{shown(str(path))}:{i + 1}: 记录文件已损坏（第 {i + 1} 行：{exc}）") from None
        problem = entry_problem(entry, first=not out, depth_checked=True)
        if problem:
            raise JournalError(f"{shown(str(path))}:{i + 1}: 第 {i + 1} 行格式不正确：{problem}")
        out.append(entry)
    if not out:
        raise JournalError(f"{shown(str(path))}: 记录文件缺少开头的会话信息")
    return out


def check_entries(entries: Iterable[Any]) -> list[dict[str, Any]]:
    """Journal entries that came from elsewhere (a result bundle), checked like a file's lines."""
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        problem = entry_problem(entry, first=not out)
        if problem:
            raise JournalError(f"记录第 {i + 1} 条格式不正确：{problem}")
        out.append(entry)
    if not out:
        raise JournalError("记录缺少开头的会话信息")
    return out


_KINDS = ("start", "act", "advance", "finish")


def entry_problem(entry: Any, *, first: bool, depth_checked: bool = False) -> str:
    """'' if `entry` is a well-formed journal entry, else what is wrong with it (Chinese)."""
    if not depth_checked:
        try:
            check_depth(entry)
        except BoundsError as exc:
            return str(exc)
    if not isinstance(entry, dict):
        return "不是一个条目（应为 JSON 对象）"
    t = entry.get("t")
    if first and t != "start":
        return "记录文件缺少开头的会话信息"
    if not first and t not in _KINDS[1:]:
        return f"未知的条目类型「{shown(str(t))[:40]}」"
    try:
        check_wall(entry.get("wall", 0.0), "「wall」（记录时刻）")
    except BoundsError as exc:
        return str(exc)
    texts = {"start": ("scenario", "hash", "mode", "trainee", "engine"), "act": ("name", "at", "refused"),
             "advance": ("to", "refused"), "finish": ()}[t]
    for key in texts:
        if key in entry and not (isinstance(entry[key], str) and len(entry[key]) <= MAX_TEXT):
            return f"「{key}」应为文本"
    if t == "start":
        if not isinstance(entry.get("scenario"), str):
            return "缺少案例编号"
        seed = entry.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) > 2**63:
            return f"「seed」（随机种子）应为整数，实际是「{shown(repr(seed))[:40]}」"
        return ""
    for key in ("at", "to"):
        if key in entry:
            try:
                check_moment(dt.datetime.fromisoformat(entry[key]), "时间")
            except (ValueError, TypeError) as exc:
                return str(exc) if isinstance(exc, BoundsError) else f"「{key}」不是有效的时间"
    if t == "act" and "params" in entry and not isinstance(entry["params"], dict):
        return "「params」（参数）应为映射"
    if t in ("act", "advance") and "refused" not in entry and ("at" if t == "act" else "to") not in entry:
        return "缺少时间"
    return ""
