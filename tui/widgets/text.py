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


# --- Chinese line breaking (禁则) ------------------------------------------------------------------------
# A line never starts with closing punctuation (，。、；：）》」…) and never ends with opening punctuation
# (（《「“…); a run of ASCII letters and digits (a number, an amount, a date) is not cut in the middle where a
# break before it is near. GB/T 15834 and the usual typesetting practice; Rich and Textual fold CJK text at
# any character.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…—·%‰℃,.;:?!)]}>%·～")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{<")


def _cells(ch: str) -> int:
    from rich.cells import cell_len

    return cell_len(ch)


def _word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "-_./")


def _mend(text: str, start: int, end: int, *, words: bool) -> int | None:
    """The latest break at or before `end` (keeping at least one character on the line) that obeys 禁则 (and
    does not cut an ASCII word, with `words`), or None."""

    def bad(cut: int) -> bool:
        return (
            text[cut] in NO_LINE_START
            or text[cut - 1] in NO_LINE_END
            or (words and _word(text[cut]) and _word(text[cut - 1]))
        )

    cut = end
    while cut > start + 1 and bad(cut):
        cut -= 1
    return None if bad(cut) else cut


def break_offsets(text: str, width: int) -> list[int]:
    """Where to break one paragraph (no newlines) so that each line fits `width` cells: the offsets of the
    characters that begin a new line. Greedy fill, then the break moves earlier until the new line does not
    start with closing punctuation, the old one does not end with opening punctuation, and an ASCII word is
    not cut (as long as the line keeps at least one character; a line that cannot be mended is left as is)."""
    width = max(width, 2)
    breaks: list[int] = []
    start = 0
    n = len(text)
    while True:
        used = 0
        end = start
        while end < n and used + _cells(text[end]) <= width:
            used += _cells(text[end])
            end += 1
        if end >= n:
            return breaks
        if end == start:  # one character wider than the line: it goes alone
            end = start + 1
            if end >= n:
                return breaks
        cut = _mend(text, start, end, words=True) or _mend(text, start, end, words=False) or end
        breaks.append(cut)
        start = cut


def break_lines(text: str, width: int) -> list[str]:
    """`text` laid out in lines of at most `width` cells (existing newlines kept), with 禁则."""
    out: list[str] = []
    for para in text.split("\n"):
        cuts = [0, *break_offsets(para, width), len(para)]
        out.extend(para[a:b] for a, b in zip(cuts, cuts[1:]))
    return out


class Prose:
    """A Rich renderable: a rich Text wrapped with the breaks of `break_offsets` (styles kept). Give it to a
    Static instead of the Text wherever Chinese sentences wrap."""

    def __init__(self, text: object) -> None:
        from rich.text import Text

        self.text = text if isinstance(text, Text) else Text(str(text))

    @property
    def plain(self) -> str:
        return self.text.plain

    def __str__(self) -> str:
        return self.text.plain

    def lines(self, width: int) -> list[object]:
        out = []
        for para in self.text.split("\n", allow_blank=True):
            cuts = break_offsets(para.plain, width)
            out.extend(para.divide(cuts) if cuts else [para])
        return out

    def __rich_console__(self, console: object, options: object) -> object:
        for line in self.lines(options.max_width):  # type: ignore[attr-defined]
            line.no_wrap = True  # type: ignore[attr-defined]
            line.overflow = "crop"  # type: ignore[attr-defined]
            line.end = "\n"  # type: ignore[attr-defined]
            yield line

    def __rich_measure__(self, console: object, options: object) -> object:
        from rich.measure import Measurement

        plain = self.text.plain.split("\n")
        widest = max((sum(_cells(c) for c in ln) for ln in plain), default=0)
        return Measurement(min(2, widest), widest)
