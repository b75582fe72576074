"""The inspection cases through the trainee UI at 80x24: each reference path, act by act through the action
forms (the approval's inspection kind, the notice's and the result's yes/no and choice fields included), ends on a
debrief of 100 and 通过; the 以查代罚 trap, played the same way, fails on its veto item."""

from __future__ import annotations

import pytest
from tui_helpers import finish, play_steps, screen_text

from test_play import open_case
from tui.trainee.debrief import DebriefScreen
from tui.trainee.workbench import WorkbenchScreen

INSPECTION = ["inspect-fire-restaurant-01", "inspect-fire-lane-supermarket-01"]


@pytest.mark.parametrize("case_id", INSPECTION)
async def test_inspection_reference_path_by_keys_scores_100(make, library, case_id):
    sc = library.scenarios[case_id]
    assert sc.procedure.id == "inspection"
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, sc.title)
        await play_steps(pilot, sc, sc.references[0].steps)
        bench = app.screen
        assert isinstance(bench, WorkbenchScreen)
        assert bench.session.findings == []
        await finish(pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert app.screen.result.score == 100
        text = screen_text(app)
        assert "100 分" in text and "通过" in text and "未通过" not in text


async def test_a_fine_written_into_the_result_notice_fails_the_case(make, library):
    sc = library.scenarios["inspect-fire-lane-supermarket-01"]
    trap = next(t for t in sc.traps if "结果告知书" in t.name and "罚款" in t.name)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, sc.title)
        await play_steps(pilot, sc, trap.steps)
        bench = app.screen
        assert isinstance(bench, WorkbenchScreen)
        assert [f.rule_id for f in bench.session.findings] == ["inspection-penalty-without-filing"]
        await finish(pilot)
        assert isinstance(app.screen, DebriefScreen)
        result = app.screen.result
        assert not result.passed
        text = screen_text(app)
        assert "未通过" in text
