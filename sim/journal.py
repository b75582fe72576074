"""Append-only, crash-safe record of a session.

One JSON object per line. Every line is flushed and fsynced before the call that wrote it returns, so a
crash or a power cut loses at most the step that was being written; a torn last line is ignored on reading.
Anyone holding the scenario and the journal can replay the session and get the same findings and score.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

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


def read_journal(path: str | Path) -> list[dict[str, Any]]:
    """Entries of a journal file. A torn final line (crash mid-write) is dropped; damage elsewhere is an error."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise JournalError(f"无法读取记录文件 {path}：{exc.strerror}") from None
    lines = raw.split(b"\n")
    out: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            entry = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            if i == len(lines) - 1:  # the last line was being written when the process died
                break
            raise JournalError(f"{path}:{i + 1}: 记录文件已损坏（第 {i + 1} 行不是有效的 JSON）") from None
        if not isinstance(entry, dict) or "t" not in entry:
            raise JournalError(f"{path}:{i + 1}: 记录文件第 {i + 1} 行格式不正确")
        out.append(entry)
    if not out or out[0].get("t") != "start":
        raise JournalError(f"{path}: 记录文件缺少开头的会话信息")
    return out
