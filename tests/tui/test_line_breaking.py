"""Chinese line breaking (禁则): no line starts with closing punctuation or ends with opening punctuation,
nothing is lost or reordered, every line fits; and the screens that wrap Chinese prose use it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from tui.widgets.text import NO_LINE_END, NO_LINE_START, Prose, break_lines

PUNCT = sorted(NO_LINE_START | NO_LINE_END)
HAN = "执法人员张明王强出示证件现场检查笔录当事人李某罚款元"
ASCII = "0123456789abc-"


def _no_two_punct(text: str) -> bool:
    marks = NO_LINE_START | NO_LINE_END
    return not any(a in marks and b in marks for a, b in zip(text, text[1:]))


prose = st.text(alphabet=st.sampled_from([*HAN, *PUNCT, *ASCII, " "]), max_size=200).filter(_no_two_punct)


@given(prose, st.integers(min_value=6, max_value=60))
def test_breaks_obey_kinsoku_and_keep_every_character(text, width):
    lines = break_lines(text, width)
    assert "".join(lines) == text
    for line in lines:
        assert cell_len(line) <= width, (line, width)
    for before, line in zip(lines, lines[1:]):
        assert line[0] not in NO_LINE_START, lines
        assert before[-1] not in NO_LINE_END, lines


@given(st.text(alphabet=st.sampled_from([*HAN, *PUNCT]), max_size=80), st.integers(min_value=2, max_value=20))
def test_any_text_any_width_loses_nothing(text, width):
    lines = break_lines(text, width)
    assert "".join(lines) == text
    assert all(cell_len(line) <= width for line in lines)


def test_a_number_is_not_cut_when_a_break_before_it_is_near():
    lines = break_lines("当事人应当缴纳罚款2000元", 20)
    assert lines == ["当事人应当缴纳罚款", "2000元"], lines


def test_prose_keeps_styles_and_renders_the_same_lines():
    from rich.text import Text

    text = Text("执法人员：张明、王强；", style="bold")
    text.append("已出示执法证件：是。", style="red")
    console = Console(width=10, record=True, file=None, force_terminal=False)
    with console.capture() as cap:
        console.print(Prose(text))
    shown = cap.get().splitlines()
    assert [ln.rstrip() for ln in shown] == break_lines(text.plain, 10)
    assert not any(ln.startswith(tuple(NO_LINE_START)) for ln in shown)
