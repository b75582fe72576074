"""Keys saved without choosing for the trainee (issue 14), as the trainee sees them at 80x24: the document
fills what the case file knows when the officer enters it (and stays blank when nobody does), the filled
texts follow the form's own entries until the officer edits them, Enter moves on to the next blank field,
the report's penalty is carried onto the notice, the palette's highlight moves on after an act (and to the
act a hint names), and Enter in the library's search opens the one case found."""

from __future__ import annotations

import contextlib

from textual.widgets import Input, Select
from tui_helpers import keys, open_case_keys, open_form, screen_text, steady_focus, wait_focus

from test_play import notes
from tui.trainee.briefing import BriefingScreen
from tui.trainee.forms import ActionForm
from tui.trainee.workbench import WorkbenchScreen


def _reference(scenario, upto: str, count: int = 1):
    """The reference path's acts before the `count`-th `upto`."""
    out = []
    for step in scenario.references[0].steps:
        if step.do == upto:
            count -= 1
            if not count:
                return out
        out.append(step)
    raise AssertionError(upto)


@contextlib.asynccontextmanager
async def _bench(make, scenario, upto: str, count: int = 1, messages: list | None = None, **kw):
    """The case opened at 80x24 and worked along the reference path up to (not including) `upto`."""
    app = make(**kw)
    hook = messages.append if messages is not None else None
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await pilot.pause()
        await open_case_keys(pilot, scenario.title)
        bench = app.screen
        assert isinstance(bench, WorkbenchScreen)
        for step in _reference(scenario, upto, count):
            if step.do == "end_investigation":  # the officer's short proposal (tests/tui/test_keystrokes.py)
                doc = {**step.params["document"], "proposal": "罚款800元，系初犯"}
                params = {**step.params, "document": doc}
            else:
                params = dict(step.params)
            out = bench.advance(step.at) if step.do == "advance" else bench.perform(step.do, step.at, params)
            assert out.ok, out.reason
        await pilot.pause()
        yield pilot, bench


async def test_entering_the_document_fills_what_the_case_file_knows(make, scenario):
    async with _bench(make, scenario, "file_case") as (pilot, bench):
        form = await open_form(pilot, "file_case")
        await steady_focus(pilot)
        brief = form.query_one("#d-brief", Input)
        content = bench.session.acts[0].params["document"]["content"]
        assert pilot.app.focused is form.query_one("#p-approved")  # the first blank field
        assert brief.value == "" and "已按案卷填入" not in screen_text(pilot.app)  # not drafting yet
        await keys(pilot, "space")
        await keys(pilot, "enter")  # done with the approval: on into the document
        await wait_focus(pilot, form.query_one("#d-source"))  # its first field still blank
        assert brief.value == content
        text = screen_text(pilot.app)
        assert "已按案卷填入 1 项" in text
        assert content[:8] in text  # the filled text is on the screen, where the officer can change it


async def test_a_form_submitted_without_entering_the_document_leaves_it_blank(make, scenario):
    """The engine reads a blank document as not drafted: a form whose document nobody opened must not send
    one drafted from the case file alone."""
    async with _bench(make, scenario, "inspect") as (pilot, bench):
        form = await open_form(pilot, "inspect")
        await steady_focus(pilot)
        assert pilot.app.focused is form.query_one("#p-officers")
        await keys(pilot, "space")  # one officer; nothing else
        await keys(pilot, "ctrl+s")
        await steady_focus(pilot)
        assert pilot.app.screen is bench
        assert bench.session.acts[-1].params["document"] == {}


async def test_filled_texts_follow_the_time_and_team_until_the_officer_edits_them(make, scenario):
    async with _bench(make, scenario, "interview") as (pilot, bench):
        form = await open_form(pilot, "interview")
        await steady_focus(pilot)
        when = form.query_one("#d-time_place", Input)
        team = form.query_one("#d-officers_certs", Input)
        await keys(pilot, "ctrl+r")  # into the document at once
        assert when.value.startswith("2026年6月3日") and "张明（豫执A41130001）" in team.value
        await keys(pilot, "ctrl+up")  # the interview is the next day
        assert when.value.startswith("2026年6月4日")
        assert "2026年6月4日" in screen_text(pilot.app)
        await keys(pilot, "ctrl+o")  # the team unfolds: 王强 is dropped
        sl = form.query_one("#p-officers")
        await wait_focus(pilot, sl)
        wang = next(i for i in range(sl.option_count) if sl.get_option_at_index(i).value == "wang")
        await keys(pilot, *["down"] * wang, "space")
        assert "王强" not in team.value and "张明" in team.value
        form.query_one("#d-time_place", Input).focus()
        await wait_focus(pilot, when)
        await keys(pilot, "end", *"，镇执法队询问室")  # the officer writes the place
        written = when.value
        await keys(pilot, "ctrl+up")
        assert when.value == written  # the officer's own words are left alone


async def test_enter_moves_on_past_what_the_case_file_filled_to_the_next_blank_field(make, scenario):
    async with _bench(make, scenario, "serve") as (pilot, bench):
        form = await open_form(pilot, "serve")
        await steady_focus(pilot)
        target = form.query_one("#p-target", Select)
        assert target.value == "notify"  # the document just made, preselected
        method = form.query_one("#p-method", Select)
        assert pilot.app.focused is method
        number = next(n for n in range(1, 10) if method._options[method.numbered_index(n)][1] == "leave")
        await keys(pilot, "enter")
        await keys(pilot, str(number))
        proof = form.query_one("#p-proof")
        await wait_focus(pilot, proof)
        await keys(pilot, "space")
        await keys(pilot, "enter")  # on: the receipt's name, receiver and time are filled and passed over
        await wait_focus(pilot, form.query_one("#d-signature"))
        assert form.query_one("#d-served_doc", Input).value == "《行政处罚事先告知书》"
        assert form.query_one("#d-receiver", Input).value == "李某"
        await pilot.pause()  # the form scrolls the focused field into view
        text = screen_text(pilot.app)
        assert "已按案卷填入 3 项" in text and "《行政处罚事先告知书》" in text


async def test_the_reports_penalty_is_carried_onto_the_notice(make, scenario):
    async with _bench(make, scenario, "notify") as (pilot, bench):
        form = await open_form(pilot, "notify")
        await steady_focus(pilot)
        assert form.query_one("#p-penalty_kind", Select).value == "fine"
        assert form.query_one("#p-amount", Input).value == "800"
        text = screen_text(pilot.app)
        assert "处罚种类和金额已按调查终结报告的处理意见填入" in text
        assert "800" in text


async def _after_hearing_the_defence(pilot, bench) -> str | None:
    form = await open_form(pilot, "hear_defence")
    await steady_focus(pilot)
    assert isinstance(form, ActionForm)
    for fid, text in (("statement", "称系初犯"), ("review", "维持拟处罚")):
        widget = form.query_one(f"#d-{fid}", Input)
        widget.focus()
        await wait_focus(pilot, widget)
        if not widget.value:
            await keys(pilot, *text)
    await keys(pilot, "ctrl+up")
    await keys(pilot, "ctrl+s")
    await steady_focus(pilot)
    assert pilot.app.screen is bench, form.query_one("#form-error").render()
    palette = bench.query_one("#palette")
    return palette.highlighted_option.id if palette.highlighted_option else None


async def _enter_opens(pilot, action: str) -> None:
    """Enter on the workbench opens the highlighted act's form: the one the trainee sees highlighted."""
    bench = pilot.app.screen
    bench.query_one("#palette").focus()
    await wait_focus(pilot, bench.query_one("#palette"))
    await keys(pilot, "enter")
    await steady_focus(pilot)
    form = pilot.app.screen
    assert isinstance(form, ActionForm) and form.spec.id == action
    assert f"办理：{form.spec.label}" in screen_text(pilot.app)


async def test_after_an_act_the_palette_moves_on_to_the_next_act(make, scenario):
    """Exam mode: the next act in the palette's order, whatever it is (nothing is given away)."""
    async with _bench(make, scenario, "hear_defence", mode="exam") as (pilot, bench):
        assert await _after_hearing_the_defence(pilot, bench) == "hearing_notice"
        await _enter_opens(pilot, "hearing_notice")


async def test_in_practice_mode_the_palette_moves_on_past_the_dimmed_acts(make, scenario):
    """Practice mode dims what cannot be done now; the highlight moves on to the next act not dimmed."""
    async with _bench(make, scenario, "hear_defence") as (pilot, bench):
        assert bench.session.why_not("hearing_notice")  # dimmed: no hearing was asked for
        assert await _after_hearing_the_defence(pilot, bench) == "decide"
        await _enter_opens(pilot, "decide")


async def test_a_hint_highlights_the_act_it_names(make, scenario):
    messages: list = []
    async with _bench(make, scenario, "interview", messages=messages) as (pilot, bench):
        palette = bench.query_one("#palette")
        palette.focus()
        await keys(pilot, "h")
        [hint] = [m for t, m in notes(messages) if t == "提示"]
        assert hint.startswith("下一步：询问当事人或证人")  # the toast names it
        assert palette.highlighted_option.id == "interview"
        await _enter_opens(pilot, "interview")


async def test_enter_in_the_search_box_opens_the_one_case_found(make, scenario):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#cases")
        await keys(pilot, "slash", *"秸秆")  # several cases
        assert table.row_count > 1
        await keys(pilot, "enter")
        await wait_focus(pilot, table)  # on to the list, nothing opened
        assert app.screen.query_one("#filter").value == "秸秆"
        await keys(pilot, "slash")
        await wait_focus(pilot, app.screen.query_one("#filter"))
        await keys(pilot, "end", "backspace", "backspace", *"麦收期间")
        assert app.screen.query_one("#filter").value == "麦收期间"
        assert table.row_count == 1
        await keys(pilot, "enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert scenario.title in screen_text(app)


async def test_the_evidence_list_marks_what_was_collected_and_opens_past_it(make, scenario):
    async with _bench(make, scenario, "interview") as (pilot, bench):
        form = await open_form(pilot, "interview")
        await steady_focus(pilot)
        sl = form.query_one("#p-evidence")
        assert pilot.app.focused is sl
        values = [sl.get_option_at_index(i).value for i in range(sl.option_count)]
        had = set(bench.session.acts[0].params["evidence"])
        assert sl.highlighted == next(i for i, v in enumerate(values) if v not in had)
        assert not sl.selected  # nothing chosen for the trainee
        text = screen_text(pilot.app)
        labels = {e.id: e.label for e in scenario.evidence}
        for eid in had:
            assert f"{labels[eid]}（已取得）" in text
        assert all(f"{labels[v]}（已取得）" not in text for v in values if v not in had)
        await keys(pilot, "space")
        assert sl.selected == [values[sl.highlighted]]


async def test_in_practice_mode_left_and_right_jump_to_a_phases_first_act_not_dimmed(make, scenario):
    async with _bench(make, scenario, "hear_defence") as (pilot, bench):
        palette = bench.query_one("#palette")
        palette.focus()
        palette.highlighted = palette.get_option_index("decide")
        await keys(pilot, "left")  # 告知/听证: the notice is done (dimmed), hearing the defence is not
        assert bench.session.why_not("notify")
        assert palette.highlighted_option.id == "hear_defence"


async def test_in_exam_mode_left_and_right_jump_to_a_phases_first_act(make, scenario):
    async with _bench(make, scenario, "hear_defence", mode="exam") as (pilot, bench):
        palette = bench.query_one("#palette")
        palette.focus()
        palette.highlighted = palette.get_option_index("decide")
        await keys(pilot, "left")
        assert palette.highlighted_option.id == "notify"  # nothing dimmed, nothing given away


async def test_the_law_picker_reopens_where_the_last_pick_left_off(make, scenario, library):
    async with _bench(make, scenario, "end_investigation") as (pilot, bench):
        form = await open_form(pilot, "end_investigation")
        await steady_focus(pilot)
        basis = form.query_one("#d-basis", Input)
        await wait_focus(pilot, basis)  # facts and evidence filled from the case file: on to the basis
        await keys(pilot, "ctrl+l")
        picker = pilot.app.screen
        await wait_focus(pilot, picker.query_one("#article-filter"))
        await keys(pilot, *"大气污染防治法")
        listed = picker._list()
        ids = [listed.get_option_at_index(i).id for i in range(listed.option_count)]
        first, second = ids.index("大气污染防治法#77"), ids.index("大气污染防治法#119.1")
        await keys(pilot, "down", *["down"] * first)  # Down from the filter: into the list, then on
        await keys(pilot, "up", "enter")
        await wait_focus(pilot, basis)
        assert basis.value == library.articles["大气污染防治法#77"].label
        await keys(pilot, "ctrl+l")
        picker = pilot.app.screen
        await wait_focus(pilot, picker.query_one("#article-filter"))
        assert picker.query_one("#article-filter", Input).value == "大气污染防治法"  # the filter kept
        assert picker._list().highlighted == first  # on the provision picked last
        assert "大气污染防治法" in screen_text(pilot.app)
        await keys(pilot, *["down"] * (second - first), "enter")
        await wait_focus(pilot, basis)
        labels = [library.articles[k].label for k in ("大气污染防治法#77", "大气污染防治法#119.1")]
        assert basis.value == "、".join(labels)
