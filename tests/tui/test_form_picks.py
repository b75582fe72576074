"""The form's picks that save keys without choosing for the trainee: the law catalogue for a legal basis
(Ctrl+L), a text field's usual wordings (Ctrl+G), numbered dropdowns (a digit picks), and where the focus goes
(the first blank field on opening, the next field after a pick, Enter on the last field submits)."""

from __future__ import annotations

import contextlib
import datetime as dt

from textual.app import App, ComposeResult
from textual.widgets import Footer, Input, OptionList
from tui_helpers import focus, keys, open_case_keys, open_form, settle, type_into, wait_focus

from tui.trainee.analysis import ArticlePicker
from tui.trainee.forms import ActionForm, WordingPicker
from tui.widgets.fields import Dropdown


class Two(App[None]):
    def compose(self) -> ComposeResult:
        yield Dropdown([("甲", "a"), ("乙", "b"), ("丙", "c")], prompt="请选择", id="dd")
        yield Input(id="after", compact=True)
        yield Footer()


async def test_a_digit_in_an_open_dropdown_picks_that_option_and_the_focus_moves_on():
    app = Two()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        dd = app.query_one("#dd", Dropdown)
        await keys(pilot, "enter")
        overlay = dd.query_one(OptionList)
        assert "1 甲" in str(overlay.get_option_at_index(1).prompt)  # numbered; the prompt row has no number
        await keys(pilot, "3")
        await wait_focus(pilot, app.query_one("#after"))
        assert dd.value == "c"
        await keys(pilot, "shift+tab")
        await wait_focus(pilot, dd)
        await keys(pilot, "enter", "9")  # no option 9: nothing picked, the list stays open
        assert dd.value == "c" and dd.expanded
        await keys(pilot, "enter")  # Enter takes the highlighted option (丙) and moves on too
        await wait_focus(pilot, app.query_one("#after"))


class Eleven(App[None]):
    def compose(self) -> ComposeResult:
        yield Dropdown([(f"选项{i}", str(i)) for i in range(1, 12)], prompt="请选择", id="dd")


async def test_options_past_the_ninth_keep_their_labels_without_a_number():
    app = Eleven()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await keys(pilot, "enter")
        overlay = app.query_one("#dd", Dropdown).query_one(OptionList)
        assert "9 选项9" in str(overlay.get_option_at_index(9).prompt)
        assert str(overlay.get_option_at_index(10).prompt).strip() == "选项10"  # listed, not numbered
        await keys(pilot, "9")
        assert app.query_one("#dd", Dropdown).value == "9"


async def _filed(pilot, scenario):
    await open_case_keys(pilot, scenario.title)
    bench = pilot.app.screen
    out = bench.perform("file_case", None, {"approved": True, "document": {"source": "巡查发现"}})
    assert out.ok, out.reason
    return bench


@contextlib.asynccontextmanager
async def _form_after_filing(make, scenario, action):
    """The case filed, then the form of `action` opened at 80x24: (pilot, workbench, form)."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bench = await _filed(pilot, scenario)
        yield pilot, bench, await open_form(pilot, action)


async def test_the_citation_picker_offers_the_whole_catalogue_and_a_wrong_pick_is_scored(make, scenario):
    async with _form_after_filing(make, scenario, "notify") as (pilot, bench, form):
        app = pilot.app
        assert isinstance(form, ActionForm)
        await type_into(pilot, "d-facts", "焚烧秸秆约3亩")
        await keys(pilot, "ctrl+l")  # from another field: the first blank legal-basis field is the one filled
        picker = app.screen
        assert isinstance(picker, ArticlePicker)
        await wait_focus(pilot, picker.query_one("#article-filter"))
        assert picker._list().option_count == len(app.library.articles)  # not only the case's answer
        await keys(pilot, *"大气", "down", "enter")  # the second match: article 119 without its paragraph
        basis = form.query_one("#d-basis", Input)
        await wait_focus(pilot, basis)
        assert basis.value == "《大气污染防治法》第一百一十九条"
        await keys(pilot, "ctrl+l")
        await wait_focus(pilot, app.screen.query_one("#article-filter"))
        await keys(pilot, *"大气", "enter")  # to the list
        await wait_focus(pilot, app.screen.query_one("#article-list"))
        await keys(pilot, "enter")  # the highlighted first match
        await wait_focus(pilot, basis)
        assert basis.value == "《大气污染防治法》第一百一十九条、《大气污染防治法》第七十七条"
        await type_into(pilot, "d-reasons", "违反禁烧规定")
        await type_into(pilot, "d-penalty", "罚款800元")
        await type_into(pilot, "p-amount", "800")
        await keys(pilot, "ctrl+s")
        assert app.screen is bench, form.query_one("#form-error").render()
        found = {f.rule_id for f in bench.session.findings}
        assert "notice-basis-wrong" in found  # the picker wrote it; the choice, and its finding, are the trainee's


async def test_wordings_are_offered_numbered_right_and_wrong_and_fill_the_field(make, scenario):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case_keys(pilot, scenario.title)
        form = await open_form(pilot, "file_case")
        await focus(pilot, "d-officer_opinion")
        await keys(pilot, "ctrl+g")
        picker = app.screen
        assert isinstance(picker, WordingPicker)
        assert "建议立案" in picker.wordings and "建议不予立案" in picker.wordings
        await keys(pilot, "2")
        opinion = form.query_one("#d-officer_opinion", Input)
        await wait_focus(pilot, opinion)  # the last field: the focus stays
        assert opinion.value == "建议不予立案"  # a wrong wording is there to be chosen, too
        await focus(pilot, "d-source")
        await keys(pilot, "ctrl+g", "3")
        opinion = form.query_one("#d-source", Input)
        await wait_focus(pilot, form._fields()[form._fields().index(opinion) + 1])  # on to the next field
        assert opinion.value == "上级交办"


async def test_the_form_opens_on_the_first_blank_field_and_enter_on_the_last_submits(make, scenario):
    async with _form_after_filing(make, scenario, "end_investigation") as (pilot, bench, form):
        app = pilot.app
        await wait_focus(pilot, form.query_one("#d-facts"))  # not the time, which the case clock fills
        await type_into(pilot, "d-proposal", "罚款800元")  # the last field
        await keys(pilot, "enter")
        await settle(pilot)
        assert app.screen is bench  # handed in (the engine then judges what is missing)


async def test_ctrl_up_moves_the_acts_time_by_a_day_from_any_field(make, scenario):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case_keys(pilot, scenario.title)
        form = await open_form(pilot, "inspect")
        at = form.query_one("#p-at", Input)
        before = at.value
        assert app.focused is not at  # the form opened on its first blank field, not the time
        await keys(pilot, "ctrl+up", "ctrl+up", "ctrl+down")
        await settle(pilot)
        day = form.session.now.date() + dt.timedelta(days=1)
        assert at.value[:10] == f"{day:%Y-%m-%d}", (before, at.value)
        assert at.value[11:] == before[11:]  # the same hour
