"""straw-burning-01's reference path worked as an officer works it, by key presses at 80x24, counted.

The path does what the reference does (the same acts in the same order, on the same days, with the same team,
evidence, choices, amounts and yes/no answers); what it saves is the keys. The hour of each act is the
officer's: the form proposes the case's current time and the path keeps it on the reference's day (the
reference's hours are incidental; the days are what the periods count). It takes the shortest keys the
screens offer: the library's search opened on the one case found by Enter; in the palette the highlight
that moves on to the next act after each one (in practice mode the next not dimmed), Left / Right to jump phase
by phase; the team, credentials and recording carried over from the previous act, a day moved with Ctrl+Up
from any field or typed short ("6-25"), choices and amounts carried over, the penalty the report proposed
carried onto the notice, the document just made preselected for service. The form opens on its first blank
field; Enter (or a pick) moves on to the next blank one, and on entering the document the form fills what
the case file knows (the texts then follow the time, team and document served until the officer edits them);
a dropdown's option is picked by its number; a legal basis is picked from the whole law catalogue (Ctrl+L,
a filter of a character or two, Down, Enter); a phrase the template lists among a field's usual wordings
(案件来源, 承办人意见, 复核意见, the payment clause: right and wrong ones alike) is taken by Ctrl+G and its
number. A text field the case file cannot know and no wording covers (the first statement of the facts, the
proposal, the reasons, the party's words) is typed, in the shortest lawful words that pass (WORDS).

Issue 14 asks for at most 120 key presses, typed characters included, and a score of 100. The path takes 166
now (BOUND keeps it from growing back; the test prints where each press goes):
  58  the trainee's own drafting: 42 typed characters (what was seen, what was said, the proposal, the
      reasons), 8 for the two provisions picked from the catalogue, 8 for four wordings taken by number;
  36  the legal choices of the forms: team, credentials, recording, evidence, words, the record's and the
      receipt's signature, approval, rights told, the reply period, service method and proof, remedy, seal,
      correction order (each tick or pick, with the Down presses inside its list);
  20  choosing the next act in the palette (10 Enter, 10 moves: the order of the acts is what the trainee is
      tested on, so the highlight only moves on in the palette's order, never to the act the case requires);
  20  Enter / Tab from a field to the next blank one (5 of them leave a field blank on purpose: the
      confiscated value twice, the approver, the party's statement, the right to a hearing);
  10  submitting the ten forms; 9 the acts' days (Ctrl+Up); 6 the advance to the reference's day;
   5  opening the case (search, Enter, start); 2 handing in.
Even with every move between fields and in the palette gone (30) it would stay above 120: the rest is the
trainee's drafting, choices and dates, which the engine never writes. TARGET stays the goal, BOUND is what is
measured.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.widgets import Checkbox, Input, Select, SelectionList
from tui_helpers import PRESSES, keys, move_to, screen_text, steady_focus, wait_focus

from tui.trainee.debrief import DebriefScreen
from tui.trainee.forms import normalize_time
from tui.trainee.workbench import WorkbenchScreen

TARGET = 120  # issue 14's goal, not reached: benchmarks/keystrokes.py prints the gap (the docstring says why)
# What this path takes now. It was 215 before documents were checked on content (issue 13), then 631 with each
# document written in full; filling times, team and receipts from the form's own entries brought it to 452;
# the officer's short words and the fills from the case file of issue 14 to 256; the law-catalogue picker,
# wordings, numbered dropdowns, the form opening on its first blank field and Ctrl+Up to 184; the document
# filled on entering it (no Ctrl+R), Enter to the next blank field, the palette moving on after an act and
# the library's search opening the one case found to 171; the evidence list opening past what was collected
# and, in practice mode, Left / Right to a phase's first act not dimmed to 168; the law picker reopening on
# the last pick's filter and provision to 166.
BOUND = 166
# (what, presses) for each part of the path, in order: the test prints it so a change shows where keys went.
BREAKDOWN: list[tuple[str, int]] = []


def _mark(what: str, since: int) -> None:
    if len(PRESSES) > since:
        BREAKDOWN.append((what, len(PRESSES) - since))


# What the officer types where the case file cannot know it: the shortest text an officer would lawfully
# write that passes the content checks, in place of the reference's fuller wording (None: left blank, the
# field being no required element). Everything else comes from the reference path or the case file.
WORDS: dict[tuple[str, str], str | None] = {
    ("inspect", "content"): "禁烧区内焚烧秸秆约3亩",  # what was seen: the quantity the later documents repeat
    ("inspect", "party_statement"): None,  # refused to sign: the signature choice records it
    ("file_case", "source"): "巡查发现",  # a wording of the template (Ctrl+G, then its number)
    ("file_case", "officer_opinion"): "建议立案",
    ("interview", "content"): "问：秸秆是谁点的？答：我点的。",
    ("end_investigation", "basis"): "《大气污染防治法》第七十七条、第一百一十九条第一款",
    ("end_investigation", "proposal"): "罚款800元，系初犯",
    ("notify", "reasons"): "违反禁烧规定",
    ("hear_defence", "review"): "当事人未提出新的事实、理由和证据，维持原拟处罚意见",
    ("decide", "performance"): "自收到本决定书之日起十五日内到指定银行缴纳罚款",
}
# Legal bases picked from the law catalogue (Ctrl+L, a few characters of the filter, Up / Down, Enter), in place
# of typing them: the provisions the reference cites, joined with 、 by the picker.
CITES: dict[tuple[str, str], list[str]] = {
    ("end_investigation", "basis"): ["大气污染防治法#77", "大气污染防治法#119.1"],
}


def _officer_document(action: str, doc: dict[str, Any]) -> dict[str, Any]:
    out = dict(doc)
    for (act, fid), text in WORDS.items():
        if act == action:
            if text is None:
                out.pop(fid, None)
            else:
                out[fid] = text
    return out


def _moves(pilot: Any, widget_id: str) -> tuple[Any, list[str]]:
    """The widget and the fewest Tab / Shift+Tab / Enter presses that bring the focus to it (Enter in a text
    field, a checklist or a box moves on to the form's next blank field)."""
    chain = pilot.app.screen.focus_chain
    target = next(w for w in chain if w.id == widget_id)
    here = pilot.app.focused
    if here is target:
        return target, []
    form = pilot.app.screen
    fields = form._fields() if hasattr(form, "_fields") else []

    def step(w: Any, key: str) -> Any:
        if key == "enter":
            if w not in fields or w is fields[-1] or not isinstance(w, (Input, SelectionList, Checkbox)):
                return None  # a dropdown opens, the last text field submits
            later = fields[fields.index(w) + 1:]
            return next((x for x in later if form._blank(x)), later[0])
        at = chain.index(w) if w in chain else -1
        return chain[(at + (1 if key == "tab" else -1)) % len(chain)]

    paths: dict[Any, list[str]] = {here: []}
    frontier = [here]
    while target not in paths:
        nxt = []
        for w in frontier:
            for key in ("enter", "tab", "shift+tab"):
                there = step(w, key)
                if there is not None and there not in paths:
                    paths[there] = [*paths[w], key]
                    nxt.append(there)
        frontier = nxt
    return target, paths[target]


async def _enter_document(pilot: Any) -> None:
    """The fewest presses that put the focus on a field of the document (the form then fills what the case
    file knows and moves the focus on to the first field still blank)."""
    form = pilot.app.screen
    ids = [w.id for w in form._fields() if (w.id or "").startswith("d-")]
    best = min((_moves(pilot, wid)[1] for wid in ids), key=len)
    for press in best:
        await keys(pilot, press)
        await steady_focus(pilot)
    assert form._drafting


async def _go(pilot: Any, widget_id: str) -> Any:
    target, presses = _moves(pilot, widget_id)
    for press in presses:  # one at a time: an Enter right behind another would reach the field it left
        await keys(pilot, press)
        await steady_focus(pilot)
    await wait_focus(pilot, target)  # under load the focus change may still be queued
    return target


def _time_keys(pilot: Any, session: Any, shown: str, wanted: dt.datetime) -> tuple[bool, list[str]]:
    """The fewest keys that put the time field on the reference's day, and whether they are typed in the time
    field (the focus goes there first): nothing (the form proposes the case's current time), Ctrl+Up presses
    from any field (one day each, same hour), or a short entry in the field. The hour of the day is the
    officer's: the reference's hours are incidental, its days are what the law counts."""
    now = session.now
    current = session.resolve_time(normalize_time(shown, now) or None)
    if current.date() == wanted.date():
        return False, []
    options: list[tuple[bool, list[str]]] = []
    days = (wanted.date() - current.date()).days
    if 0 < days <= 9:
        options.append((False, ["ctrl+up"] * days))
    typed = list(f"{wanted.month}-{wanted.day}")  # a date alone means 09:00 on a later day
    options.append((True, typed))
    tabs = len(_moves(pilot, "p-at")[1])
    return min(options, key=lambda o: len(o[1]) + (tabs if o[0] else 0))


def _palette_keys(palette: Any, target: int) -> list[str]:
    """The fewest Up / Down / Left / Right presses that move the palette's highlight to `target`: Up and Down
    step over the phase headings and stop at the ends, Left and Right jump to the first action of the
    previous / next phase (in practice mode its first not dimmed)."""
    ids = [palette.get_option_at_index(i).id or "" for i in range(palette.option_count)]
    heads = [i for i, oid in enumerate(ids) if oid.startswith("phase:")]
    acts = [i for i, oid in enumerate(ids) if not oid.startswith("phase:")]

    def moves(here: int) -> dict[str, int]:
        out = {}
        below = [i for i in acts if i > here]
        above = [i for i in acts if i < here]
        if below:
            out["down"] = below[0]
        if above:
            out["up"] = above[-1]
        current = max(h for h in heads if h < here)

        def first(head: int) -> int | None:  # the phase's first act not dimmed, else its first act
            phase = []
            for i in range(head + 1, len(ids)):
                if i in heads:
                    break
                phase.append(i)
            return next((i for i in phase if not palette.dimmed(ids[i])), phase[0]) if phase else None

        later = [first(h) for h in heads if h > current and first(h) is not None]
        earlier = [first(h) for h in reversed(heads) if h < current and first(h) is not None]
        if later:
            out["right"] = later[0]
        if earlier:
            out["left"] = earlier[0]
        return out

    start = palette.highlighted
    paths = {start: []}
    frontier = [start]
    while target not in paths:
        nxt = []
        for here in frontier:
            for key, there in moves(here).items():
                if there not in paths:
                    paths[there] = [*paths[here], key]
                    nxt.append(there)
        frontier = nxt
    return paths[target]


async def _set(pilot: Any, wid: str, kind: str, value: Any, short: dict[str, str]) -> None:
    since = len(PRESSES)
    try:
        await _set_widget(pilot, wid, kind, value)
    finally:
        _mark(f"  {wid}", since)


async def _set_widget(pilot: Any, wid: str, kind: str, value: Any) -> None:
    widget = pilot.app.screen.query_one(f"#{wid}")
    if kind in ("officers", "evidence", "choices"):
        assert isinstance(widget, SelectionList)
        if sorted(widget.selected) == sorted(value):
            return
        await _go(pilot, wid)
        for index in range(widget.option_count):
            option = widget.get_option_at_index(index)
            if (option.value in widget.selected) != (option.value in value):
                await move_to(pilot, widget, index)
                await keys(pilot, "space")
        assert sorted(widget.selected) == sorted(value)
    elif kind == "bool":
        assert isinstance(widget, Checkbox)
        if widget.value != bool(value):
            await _go(pilot, wid)
            await keys(pilot, "space")
        assert widget.value == bool(value)
    elif kind in ("choice", "target", "phrase"):
        from textual.widgets._select import SelectOverlay

        assert isinstance(widget, Select)
        if widget.value == value:
            return
        await _go(pilot, wid)
        await keys(pilot, "enter")
        index = [v for _, v in widget._options].index(value)
        number = next((n for n in range(1, 10) if widget.numbered_index(n) == index), None)
        if number is not None:  # the open list is numbered: the digit picks and the focus moves on
            await keys(pilot, str(number))
        else:
            overlay = widget.query_one(SelectOverlay)
            await move_to(pilot, overlay, index)
            await keys(pilot, "enter")
        assert widget.value == value
    else:  # text, amount
        assert isinstance(widget, Input)
        text = str(value)
        if widget.value == text:
            return
        form = pilot.app.screen
        fid = wid.removeprefix("d-")
        field = form.spec.document.field(fid) if wid.startswith("d-") and form.spec.document else None
        if field is not None and text in field.wordings and not widget.value:
            # A usual wording: Ctrl+G offers the focused field's (or the first blank one's) as a numbered list
            target = form._target(lambda f: bool(f.wordings))
            if target is None or target[1] is not widget:
                await _go(pilot, wid)
            await keys(pilot, "ctrl+g")
            await keys(pilot, str(field.wordings.index(text) + 1))
            assert widget.value == text, (widget.value, text)
            return
        await _go(pilot, wid)
        if widget.value:
            await keys(pilot, "ctrl+shift+a") if widget.selection.is_empty else None
        await keys(pilot, *text)
        assert widget.value == text, (widget.value, text)


async def _cite(pilot: Any, wid: str, wanted: list[str]) -> None:
    """Pick each provision from the law catalogue into the field: Ctrl+L, the shortest filter that keeps the
    picks near the top, Down to it, Enter; or, the picker reopened on the last pick's filter, Down / Up from
    the provision picked last and Enter."""
    form = pilot.app.screen
    widget = form.query_one(f"#{wid}", Input)
    target = form._target(lambda f: "依据" in f.label)
    if target is None or target[1] is not widget:
        await _go(pilot, wid)
    labels = []
    for key in wanted:
        await keys(pilot, "ctrl+l")
        picker = pilot.app.screen
        await wait_focus(pilot, picker.query_one("#article-filter"))
        law = key.split("#")[0]
        best: list[str] | None = None
        listed = picker._list()
        ids = [listed.get_option_at_index(i).id for i in range(listed.option_count)]
        if picker.needle and key in ids and listed.highlighted is not None:  # reopened where it left off
            step = ids.index(key) - listed.highlighted
            best = ["down"] * step + ["up"] * -step + ["enter"]
        for n in range(1, len(law) + 1):
            ids = [o.id for o in picker.options(law[:n])]
            if key not in ids:
                continue
            at = ids.index(key)
            tail = ["enter"] if len(ids) == 1 else (["enter", "enter"] if at == 0 else ["down"] * at + ["enter"])
            if best is None or n + len(tail) < len(best):
                best = [*law[:n], *tail]
        assert best is not None, key
        if best[-2:] == ["enter", "enter"]:  # Enter to the list, then Enter on its first row
            await keys(pilot, *best[:-1])
            await wait_focus(pilot, picker.query_one("#article-list"))
            best = ["enter"]
        await keys(pilot, *best)
        await wait_focus(pilot, widget)
        labels.append(pilot.app.library.articles[key].label)
    assert widget.value == "、".join(labels), widget.value


def _unique_search(pilot: Any, sc: Any) -> str:
    """The shortest piece of the case's title the library's search finds this case alone by."""
    library = pilot.app.screen
    cases = list(pilot.app.library.scenarios.values())
    for n in range(1, len(sc.title) + 1):
        for i in range(len(sc.title) - n + 1):
            word = sc.title[i:i + n]
            if [c.id for c in cases if library._matches(c, word)] == [sc.id]:
                return word
    raise AssertionError(sc.title)


async def officer_path(pilot: Any, sc: Any) -> None:
    """Open the case from the library, work its first reference path, hand in: by keys."""
    BREAKDOWN.clear()
    since = len(PRESSES)
    await keys(pilot, "/")  # search: the fewest characters of the title that find this case alone
    await keys(pilot, *_unique_search(pilot, sc))
    await keys(pilot, "enter")  # the one case found opens
    assert type(pilot.app.screen).__name__ == "BriefingScreen"
    await keys(pilot, "enter")  # start from the briefing
    bench = pilot.app.screen
    assert isinstance(bench, WorkbenchScreen)
    _mark("open the case", since)
    session = bench.session
    proc = sc.procedure
    for step in sc.references[0].steps:
        if step.do == "finish":
            break
        since = len(PRESSES)
        if step.do == "advance":
            wanted = session.resolve_time(step.at)
            await keys(pilot, "t")
            await keys(pilot, *f"{wanted.month}-{wanted.day}", "enter")
            assert session.now == wanted
            _mark("advance", since)
            continue
        palette = bench.query_one("#palette")
        target = palette.get_option_index(step.do)
        presses = _palette_keys(palette, target)
        if presses:
            await keys(pilot, *presses)
        assert palette.highlighted == target
        await keys(pilot, "enter")
        _mark(f"{step.do}: palette, open", since)
        form = pilot.app.screen
        at = form.query_one("#p-at", Input)
        wanted = session.resolve_time(step.at)
        await steady_focus(pilot)  # the form opens on its first blank field (a document's: filled, then on)
        assert pilot.app.focused in form._fields()
        in_field, presses = _time_keys(pilot, session, at.value, wanted)
        since = len(PRESSES)
        if in_field:
            await _go(pilot, "p-at")
            await keys(pilot, *presses)
        elif presses:
            await keys(pilot, *presses)
        _mark("  time", since)
        params = dict(step.params)
        kept = [p for p in params if form.query(f".kept #p-{p}") and not form.query_one(f"#p-{p}").display]
        if any(form.query_one(f"#p-{p}") is not None for p in kept):
            carried = form.carried
            if any(carried.get(p) != params[p] for p in kept):
                await keys(pilot, "ctrl+o")
                _mark("  ctrl+o", len(PRESSES) - 1)
        # The penalty the report proposed is the case file's too (Ctrl+R): chosen after the fill, if still needed.
        later = ("penalty_kind", "amount")
        for pid, value in params.items():
            if pid != "document" and pid not in later:
                await _set(pilot, f"p-{pid}", proc.params[pid].kind.value, value, {})
        doc = _officer_document(step.do, params.get("document") or {})
        spec = proc.actions[step.do].document
        for pid in later:
            if pid in params:
                await _set(pilot, f"p-{pid}", proc.params[pid].kind.value, params[pid], {})
        if doc and not form._drafting:  # into the document: the form fills what the case file knows
            since = len(PRESSES)
            await _enter_document(pilot)
            _mark("  into the document", since)
        for fid, value in doc.items():
            field = spec.field(fid)
            widget = form.query_one(f"#d-{fid}")
            if field.kind == "text" and isinstance(widget, Input) and widget.value.strip():
                continue  # filled from the case file
            if (step.do, fid) in CITES:
                since = len(PRESSES)
                await _cite(pilot, f"d-{fid}", CITES[(step.do, fid)])
                _mark(f"  d-{fid}", since)
                continue
            await _set(pilot, f"d-{fid}", field.kind, value, {})
        await keys(pilot, "ctrl+s")
        _mark("  ctrl+s", len(PRESSES) - 1)
        assert pilot.app.screen is bench, form.query_one("#form-error").render()
    since = len(PRESSES)
    await keys(pilot, "f", "y")
    _mark("hand in", since)


async def test_reference_path_as_an_officer_by_keys_counted(make, scenario):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        PRESSES.clear()
        await officer_path(pilot, scenario)
        count = len(PRESSES)
        assert isinstance(app.screen, DebriefScreen)
        print(f"\nstraw-burning-01 reference path by keys at 80x24: {count} key presses, score {app.screen.result.score}")
        for what, n in BREAKDOWN:
            print(f"{n:>5}  {what}")
        assert sum(n for _, n in BREAKDOWN) == count
        assert app.screen.result.score == 100, screen_text(app)
        assert count <= BOUND, (count, PRESSES)
