"""Helpers for the TUI tests: read the screen as text, and drive the act form by key presses only."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select, SelectionList

FROZEN_WALL = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC; stands still during a test
CASE = "straw-burning-01"  # the bundled case the pilot tests play
FIXTURE_CASE = "ui-straw-burning"  # tests/tui/fixtures: the snapshots' own small library
PRESSES: list[str] = []  # every key sent by keys(), in order: benchmarks/keystrokes.py and the key-count test


def auxiliary_trap(sc: Any) -> Any:
    """The case's trap where one uncertified auxiliary inspects alone without showing credentials."""
    return next(t for t in sc.traps if "uncertified-officer" in (t.expect_findings or ()))


def screen_text(app: Any) -> str:
    """The current screen as plain text (what a screenshot would show, without colours)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the app and the screen have handled every pending message (three rounds: handling a key
    posts more messages — the bubbling key, focus changes, refreshes). Much quicker than `pilot.pause()`,
    which waits for 20 ms of CPU idleness each time."""
    import asyncio

    screen = pilot.app.screen
    for _ in range(3):
        await pilot._wait_for_screen()
        await asyncio.sleep(0)
    if pilot.app.screen is not screen:  # a screen was pushed or popped: let it mount the slow, sure way
        await pilot.pause()
    pilot.app.screen._on_timer_update()


_MOVES_FOCUS = {"tab", "shift+tab", "enter", "escape"}
_PRIORITY = {"ctrl+s", "ctrl+p", "ctrl+q"}


async def keys(pilot: Pilot[Any], *names: str) -> None:
    """Send key presses as a terminal does — one key event per key, carrying its character.

    Unlike `pilot.press` this does not wait for the screen to settle after every key (typing one character
    into an Input re-lays the screen out, about 50 ms here), and it keeps characters `pilot.press` drops:
    it names a key like 、 after its Unicode name and cannot map that name back to the character.

    Named keys (backspace, down, space…) act through bindings, after the event has bubbled up to the app, so
    a character sent right behind one would overtake it: the batch waits there. It also waits after a key
    that moves the focus (a key is delivered to the widget focused when the app reads it) and before a
    priority binding (ctrl+s runs at once, ahead of bindings still bubbling)."""
    import unicodedata

    from textual import events
    from textual.keys import _character_to_key, _get_unicode_name_from_key

    driver = pilot.app._driver
    previous = None
    PRESSES.extend(names)
    for name in names:
        if (
            previous is not None
            and len(previous) > 1
            and name != previous
            and (len(name) == 1 or previous in _MOVES_FOCUS or name in _PRIORITY)
        ):
            await settle(pilot)
        if len(name) == 1:
            key, char = (name if name.isalnum() else _character_to_key(name)), name
        else:
            key = name
            try:
                char = unicodedata.lookup(_get_unicode_name_from_key(name))
            except KeyError:
                char = None
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        driver.send_message(event)
        previous = name
    await settle(pilot)


async def steady_focus(pilot: Pilot[Any], rounds: int = 10) -> None:
    """Wait until the focus stops moving (a pick, a closed overlay or a submitted field may still have a focus
    change queued under load): Tabs counted from a widget about to lose the focus land one field off. Rounds of
    work, not time."""
    before = pilot.app.focused
    for _ in range(rounds):
        await settle(pilot)
        if pilot.app.focused is before:
            return
        before = pilot.app.focused


def tabs_to(pilot: Pilot[Any], widget_id: str) -> tuple[Any, list[str]]:
    """The widget and the Tab presses that move the focus to it along the screen's focus chain (after
    `steady_focus`, or the count starts from a stale focus)."""
    chain = pilot.app.screen.focus_chain
    target = next(w for w in chain if w.id == widget_id)
    if pilot.app.focused is target:
        return target, []
    here = chain.index(pilot.app.focused) if pilot.app.focused in chain else -1
    return target, ["tab"] * ((chain.index(target) - here) % len(chain))


async def wait_focus(pilot: Pilot[Any], target: Any, rounds: int = 10) -> None:
    """Wait until `target` has the focus: each round handles every message pending in the app and the screen
    (a focus change posted by Tab may still be queued under load). Rounds of work, not time: no sleeps; fails
    with the widget that has the focus instead when the rounds run out."""
    for _ in range(rounds):
        if pilot.app.focused is target:
            return
        await settle(pilot)
    assert pilot.app.focused is target, (pilot.app.focused, target)


async def focus(pilot: Pilot[Any], widget_id: str) -> Any:
    """Tab to a widget (key presses only, like a trainee would)."""
    await steady_focus(pilot)
    target, presses = tabs_to(pilot, widget_id)
    if presses:
        await keys(pilot, *presses)
    await wait_focus(pilot, target)
    return target


async def type_into(pilot: Pilot[Any], widget_id: str, text: str) -> None:
    """Tab to an Input, clear it (select all, delete) and type (one batch of key presses)."""
    await steady_focus(pilot)
    field, presses = tabs_to(pilot, widget_id)
    assert isinstance(field, Input)
    if presses:  # the focus first: a character sent while the focus change is queued goes to the old widget
        await keys(pilot, *presses)
    await wait_focus(pilot, field)
    presses = ["ctrl+shift+a", "backspace"] if field.value else []  # select all, delete: an officer's two keys
    await keys(pilot, *presses, *text)
    assert pilot.app.focused is field
    assert field.value == text, (field.value, text)


async def tick(pilot: Pilot[Any], widget_id: str, value: bool) -> None:
    await steady_focus(pilot)
    box, presses = tabs_to(pilot, widget_id)
    assert isinstance(box, Checkbox)
    if box.value != value:
        if presses:
            await keys(pilot, *presses)
        await wait_focus(pilot, box)
        await keys(pilot, "space")
    assert box.value == value


async def move_to(pilot: Pilot[Any], options: Any, index: int) -> None:
    """Move an OptionList-like widget's highlight with the arrow keys (disabled rows are skipped)."""
    if options.highlighted is None:
        await keys(pilot, "down")
    for _ in range(3):
        here = options.highlighted or 0
        if here == index:
            return
        step = "down" if here < index else "up"
        between = range(min(here, index) + 1, max(here, index) + 1)
        await keys(pilot, *[step] * sum(1 for i in between if not options.get_option_at_index(i).disabled))
    assert options.highlighted == index, (options.highlighted, index)


async def pick_many(pilot: Pilot[Any], widget_id: str, values: list[str]) -> None:
    sl = await focus(pilot, widget_id)
    assert isinstance(sl, SelectionList)
    for index in range(sl.option_count):
        want = sl.get_option_at_index(index).value in values
        if (sl.get_option_at_index(index).value in sl.selected) != want:
            await move_to(pilot, sl, index)
            await keys(pilot, "space")
    assert sorted(sl.selected) == sorted(values)


async def pick_one(pilot: Pilot[Any], widget_id: str, value: str) -> None:
    from textual.widgets._select import SelectOverlay

    await steady_focus(pilot)
    sel, presses = tabs_to(pilot, widget_id)
    assert isinstance(sel, Select)
    await keys(pilot, *presses, "enter")
    overlay = sel.query_one(SelectOverlay)
    index = [v for _, v in sel._options].index(value)
    await move_to(pilot, overlay, index)
    await keys(pilot, "enter")
    for _ in range(10):  # the pick travels list -> Select in messages that may still be queued under load
        if sel.value == value:
            break
        await settle(pilot)
    assert sel.value == value, (sel.value, value)


def time_text(at: str | None) -> str:
    """'2026-06-03T10:30:00' -> '2026-06-03 10:30' (what a trainee types)."""
    return "" if not at else at.replace("T", " ")[:16]


async def fill_value(pilot: Pilot[Any], wid: str, kind: str, value: Any) -> None:
    widget = pilot.app.screen.query_one(f"#{wid}")
    if not widget.display or not widget.parent.parent.display:  # the carried-over team, folded into one line
        await keys(pilot, "ctrl+o")
    if kind in ("officers", "evidence", "choices"):
        await pick_many(pilot, wid, list(value))
    elif kind == "bool":
        await tick(pilot, wid, bool(value))
    elif kind in ("choice", "target", "phrase"):
        await pick_one(pilot, wid, value)
    elif kind == "datetime":
        await type_into(pilot, wid, time_text(value))
    else:  # text, amount
        await type_into(pilot, wid, str(value))


async def open_form(pilot: Pilot[Any], action: str) -> Any:
    palette = pilot.app.screen.query_one("#palette")
    await focus(pilot, "palette")
    await move_to(pilot, palette, palette.get_option_index(action))
    await keys(pilot, "enter")
    assert pilot.app.screen.query_one("#p-at"), "the form did not open"
    return pilot.app.screen


async def do_act(
    pilot: Pilot[Any], scenario: Any, action: str, at: str | None, params: dict[str, Any]
) -> Any:
    """Choose the action in the palette, fill its form and submit it — by key presses only.
    Returns the screen shown afterwards (the workbench if the act was accepted, the form if refused)."""
    await open_form(pilot, action)
    if time_text(at) != pilot.app.screen.query_one("#p-at").value:
        await type_into(pilot, "p-at", time_text(at))
    proc = scenario.procedure
    for pid, value in params.items():
        if pid == "document":
            doc = proc.actions[action].document
            for fid, fv in value.items():
                await fill_value(pilot, f"d-{fid}", doc.field(fid).kind, fv)
        else:
            await fill_value(pilot, f"p-{pid}", proc.params[pid].kind.value, value)
    await clear_unlisted(pilot, scenario, action, params.get("document") or {})
    await keys(pilot, "ctrl+s")
    return pilot.app.screen


async def clear_unlisted(pilot: Pilot[Any], scenario: Any, action: str, listed: dict[str, Any]) -> None:
    """Blank, by keys, the document fields the step does not list that the form filled from the case file
    (once the focus entered the document): the act then holds exactly the step's document."""
    from textual.widgets._select import SelectOverlay

    spec = scenario.procedure.actions[action].document
    if spec is None or "document" not in scenario.procedure.actions[action].params:
        return
    form = pilot.app.screen
    for f in spec.fields:
        if f.id in listed:
            continue
        widget = form.query_one(f"#d-{f.id}")
        if isinstance(widget, Checkbox) and widget.value:
            await tick(pilot, widget.id, False)
        elif isinstance(widget, Select) and widget.value != Select.NULL:
            await steady_focus(pilot)
            _, presses = tabs_to(pilot, widget.id)
            await keys(pilot, *presses, "enter")
            await move_to(pilot, widget.query_one(SelectOverlay), 0)  # the prompt: nothing chosen
            await keys(pilot, "enter")
            for _ in range(10):
                if widget.value == Select.NULL:
                    break
                await settle(pilot)
            assert widget.value == Select.NULL, widget.value
        elif isinstance(widget, Input) and widget.value:
            await steady_focus(pilot)
            _, presses = tabs_to(pilot, widget.id)
            if presses:
                await keys(pilot, *presses)
            await wait_focus(pilot, widget)
            await keys(pilot, "ctrl+shift+a", "backspace")
            assert widget.value == "", widget.value


async def advance(pilot: Pilot[Any], to: str) -> None:
    await keys(pilot, "t")
    await type_into(pilot, "advance-to", to)
    await keys(pilot, "enter")


async def play_steps(pilot: Pilot[Any], scenario: Any, steps: Any) -> None:
    """A self-test path (reference or trap), step by step through the UI."""
    from tui.trainee.workbench import WorkbenchScreen

    for step in steps:
        if step.do == "finish":
            break
        if step.do == "advance":
            await advance(pilot, time_text(step.at))
        else:
            screen = await do_act(pilot, scenario, step.do, step.at, step.params)
            assert isinstance(
                screen, WorkbenchScreen
            ), f"{step.do} refused: {screen.query_one('#form-error').render()}"


async def open_case_keys(pilot: Pilot[Any], title: str) -> None:
    """From the library: move to the case's row, open it, start from the briefing."""
    table = pilot.app.screen.query_one("#cases")
    for _ in range(table.row_count):
        if row_title(table, table.cursor_row) == title:
            break
        await keys(pilot, "down")
    await keys(pilot, "enter")
    await keys(pilot, "enter")


async def finish(pilot: Pilot[Any]) -> None:
    await keys(pilot, "f")
    await keys(pilot, "y")


def row_title(table: Any, row: int) -> str:
    """The full title of the case on a library row (the cell may be cut with an ellipsis at 80 columns)."""
    from textual.coordinate import Coordinate

    key = table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value
    return table.app.library.scenarios[key].title
