"""The document view (文书视图) at 80x24: a decision drafted field by field as its printed form, with the
preview of the finished text following each field, carried back into the act form and submitted."""

from __future__ import annotations

from tui_helpers import FIXTURE_CASE, FROZEN_WALL, fill_value, keys, open_form, play_steps, row_title, screen_text

from tui.trainee.document import DocumentView
from tui.trainee.forms import ActionForm

SIZE = (80, 24)


def app_for(library, tmp_path):
    from tui.app import make_app

    return make_app(library, home=tmp_path / "home", trainee="王小明", clock=lambda: FROZEN_WALL)


def _decide_step(sc):
    ref = sc.references[0].steps
    i = next(i for i, st in enumerate(ref) if st.do == "decide")
    return ref[:i], ref[i]


async def _to_decision_view(pilot):
    sc = pilot.app.library.scenarios["straw-burning-01"]
    before, decide = _decide_step(sc)
    await pilot.pause()
    table = pilot.app.screen.query_one("#cases")
    for _ in range(table.row_count):
        if row_title(table, table.cursor_row) == sc.title:
            break
        await keys(pilot, "down")
    await keys(pilot, "enter")
    await keys(pilot, "enter")
    await play_steps(pilot, sc, before)
    pilot.app.clear_notifications()
    await open_form(pilot, "decide")
    await keys(pilot, "f2")
    assert isinstance(pilot.app.screen, DocumentView)
    return sc, decide


async def test_decision_drafted_in_the_document_view(library, tmp_path):
    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        sc, decide = await _to_decision_view(pilot)
        text = screen_text(app)
        assert "行政处罚决定书" in text and "〔2026〕第" in text and "成文预览" in text
        doc = sc.procedure.actions["decide"].document
        for fid, value in decide.params["document"].items():
            await fill_value(pilot, f"v-{fid}", doc.field(fid).kind, value)
        preview = str(app.screen.query_one("#doc-preview").render())
        assert "依据《中华人民共和国大气污染防治法》第一百一十九条第一款" in preview
        assert "当事人姓名或者名称、地址：李某，男，住李庄村三组" in preview
        await keys(pilot, "ctrl+s")  # back in the act form, the fields filled in
        form = app.screen
        assert isinstance(form, ActionForm)
        assert form.query_one("#d-party").value == "李某，男，住李庄村三组"
        for pid in ("penalty_kind", "amount", "approved"):
            await fill_value(pilot, f"p-{pid}", sc.procedure.params[pid].kind.value, decide.params[pid])
        from tui_helpers import time_text, type_into

        await type_into(pilot, "p-at", time_text(decide.at))
        await keys(pilot, "ctrl+s")
        assert not isinstance(app.screen, ActionForm), str(form.query_one("#form-error").render())
        s = app.screen.session
        act = s.acts[-1]
        assert act.name == "decide" and act.params["document"] == dict(decide.params["document"])
        assert not [f for f in s.findings if f.act_index == act.index]


async def test_cancelled_view_changes_nothing(library, tmp_path):
    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _to_decision_view(pilot)
        await fill_value(pilot, "v-party", "text", "王某")
        await keys(pilot, "escape")
        assert isinstance(app.screen, ActionForm) and app.screen.query_one("#d-party").value == ""


def test_document_view_snapshot(snap_compare, library, tmp_path):
    async def run_before(pilot):
        sc, decide = await _to_decision_view(pilot)
        await fill_value(pilot, "v-party", "text", decide.params["document"]["party"])
        await fill_value(pilot, "v-kind_basis", "text", decide.params["document"]["kind_basis"])

    assert snap_compare(app_for(library, tmp_path), terminal_size=SIZE, run_before=run_before)
