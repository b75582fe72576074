"""What the trainee reads is Chinese: a walk through the library, the briefing, every workbench tab, a form
with a dropdown open, the help, and the debrief of a clean path and of a trap, at 80x24, fails on any English
word on screen (the footer's key names aside: esc, tab, enter, ^s are what the keyboard says). The debrief's
prose lines must not begin with closing punctuation (禁则) nor carry an ASCII rule id inside a sentence."""

from __future__ import annotations

import re
from typing import Any

from tui_helpers import keys, screen_text, settle

from sim import Session
from tui.widgets.text import NO_LINE_START

SIZE = (80, 24)
# The footer names keys as the keyboard does; Textual draws them in ASCII. Everything else is a word.
KEY_NAMES = {"esc", "tab", "enter", "space", "up", "down", "left", "right", "home", "end", "del", "pgup", "pgdn", "ctrl", "shift", "alt"}
WORD = re.compile(r"[A-Za-z][A-Za-z_\-]{2,}")
RULE_ID = re.compile(r"[a-z]+(?:-[a-z0-9]+)+")  # fire-out-of-range, two-officers: an engine id
HAN = re.compile(r"[\u3400-\u9fff]")


def english(text: str) -> list[str]:
    """The English words on a screen (3+ letters, not a key name)."""
    return [w for w in WORD.findall(text) if w.lower() not in KEY_NAMES]


def lines(text: str) -> list[str]:
    """The screen's lines, frame characters and scroll bars taken off."""
    out = []
    for line in text.splitlines():
        stripped = line.strip(" │┃║|▊▎▌▐▕▏▔▁▂▃▄▅▆▇█─━═╭╮╰╯┌┐└┘┏┓┗┛╹╻")
        if stripped:
            out.append(stripped)
    return out


async def _shots(pilot: Any, scenario: Any) -> dict[str, str]:
    app = pilot.app
    shots = {"library": screen_text(app)}
    await keys(pilot, "f1")
    await settle(pilot)
    shots["library help"] = screen_text(app)
    await keys(pilot, "escape")
    await settle(pilot)
    table = app.screen.query_one("#cases")
    table.focus()
    await settle(pilot)
    await keys(pilot, "enter")
    await settle(pilot)
    shots["briefing"] = screen_text(app)
    await keys(pilot, "enter")
    await settle(pilot)
    for n, name in enumerate(["timeline", "file", "clocks", "log", "findings"], start=1):
        await keys(pilot, str(n))
        await settle(pilot)
        shots[f"workbench {name}"] = screen_text(app)
    await keys(pilot, "1")
    await keys(pilot, "enter")  # the palette's first act: a form
    await settle(pilot)
    shots["form"] = screen_text(app)
    form = app.screen
    select = next(iter(form.query("Select")), None)
    if select is not None:  # a dropdown open: the footer must not say "Dismiss menu"
        select.focus()
        await settle(pilot)
        await keys(pilot, "enter")
        await settle(pilot)
        shots["form dropdown"] = screen_text(app)
        await keys(pilot, "escape")
        await settle(pilot)
    return shots


def played(scenario: Any, steps: Any) -> Session:
    s = Session(scenario)
    for step in steps:
        if step.do == "finish":
            break
        s.advance(step.at) if step.do == "advance" else s.act(step.do, step.at, **step.params)
    s.finish()
    return s


async def _debrief_lines(pilot: Any, session: Session) -> list[str]:
    """Every line of the debrief's body, scrolled page by page (the screen shows one page at a time)."""
    app = pilot.app
    app.show_debrief(session, "walk", from_history=True)
    await settle(pilot)
    assert type(app.screen).__name__ == "DebriefScreen"
    seen: list[str] = []
    for _ in range(60):
        page = screen_text(app)
        seen.extend(lines(page))
        before = app.screen.query_one("#debrief-body").scroll_y
        await keys(pilot, "pagedown")
        await settle(pilot)
        if app.screen.query_one("#debrief-body").scroll_y == before:
            break
    app.pop_screen()
    await settle(pilot)
    return seen


async def test_no_english_on_any_screen_or_footer(make, scenario):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shots = await _shots(pilot, scenario)
    assert set(shots) >= {"briefing", "workbench clocks", "form", "form dropdown"}
    problems = {name: sorted(set(english(text))) for name, text in shots.items() if english(text)}
    assert not problems, problems
    cut = {name: text.splitlines()[-1] for name, text in shots.items()
           if "F1" in text.splitlines()[-1] and "F1 帮助" not in text.splitlines()[-1]}
    assert not cut, cut  # the footer cut at 80 columns


async def test_debrief_lines_are_chinese_prose_without_ids_or_leading_punctuation(make, scenario):
    from tui_helpers import auxiliary_trap

    sessions = [played(scenario, scenario.references[0].steps), played(scenario, auxiliary_trap(scenario).steps)]
    for t in scenario.selftests:
        if not t.reference:
            sessions.append(played(scenario, t.steps))
            break
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bad = []
        for session in sessions:
            for line in await _debrief_lines(pilot, session):
                if line[0] in NO_LINE_START:
                    bad.append(("starts with closing punctuation", line))
                if HAN.search(line) and RULE_ID.search(line):
                    bad.append(("rule id in Chinese prose", line))
                if english(line):
                    bad.append(("English", line))
        assert not bad, "\n".join(f"{why}: {line}" for why, line in bad)
