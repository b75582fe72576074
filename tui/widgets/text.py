"""The UI's own words (the case words — labels, documents, findings — come from the scenario and `sim`).

No Textual or engine import: the first screen reads these before the engine is loaded.
"""

from __future__ import annotations

import time

MODE_LABELS = {"practice": "练习", "exam": "考试"}
MODE_HELP = {
    "practice": "可按 h 查看下一步提示，发现的问题当即提示",
    "exam": "没有提示，问题在交卷后的讲评中统一列出",
}
POWER_SOURCES = {"assigned": "赋权事项", "statutory": "法定职权"}
PARTY_KINDS = {"citizen": "公民", "organisation": "法人或者其他组织"}
LOG_KINDS = {"act": "执法", "event": "事件", "refused": "拒绝", "finding": "问题", "note": "记事"}
LOG_STYLES = {"act": "bold", "event": "cyan", "refused": "red", "finding": "bold yellow", "note": "dim"}

DATE_HELP = "格式：2026-06-03、2026-06-03 14:30、+3 日、+2 工作日；留空即当前案件时间"
ADVANCE_HELP = "推进到：2026-06-25、2026-06-25 09:00，或相对当前：+3 日、+2 工作日、+4 小时"
FORM_KEYS = "Tab / Shift+Tab 切换项目　空格 勾选　Enter 展开下拉框　Ctrl+S 提交　Esc 取消"


def paragraphs(text: str) -> str:
    """Re-flow hard-wrapped YAML prose: lines of a paragraph are joined (no space between Chinese
    characters), blank lines stay paragraph breaks; the widget then wraps to its own width."""
    out = []
    for para in text.strip().split("\n\n"):
        joined = ""
        for line in (ln.strip() for ln in para.splitlines()):
            if joined and line and (joined[-1].isascii() and line[0].isascii()):
                joined += " "
            joined += line
        out.append(joined)
    return "\n\n".join(out)


def stars(n: int, of: int = 5) -> str:
    n = max(0, min(n, of))
    return "★" * n + "☆" * (of - n)


def wall_time(ts: float | None) -> str:
    """A wall-clock moment (attempt start/finish) in local time."""
    if ts is None:
        return "—"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def clock_text(seconds: float) -> str:
    """01:02:03 (hours may exceed 24 in a long round)."""
    s = max(0, int(seconds + 0.999))  # 0.4 s left still shows 00:00:01: the round is not over yet
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
