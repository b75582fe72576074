"""The licensing cases through the trainee UI at 80x24: every reference path, act by act through the action
forms (the licensing documents' choice and yes/no fields included), ends on a debrief of 100 and 通过."""

from __future__ import annotations

import pytest
from tui_helpers import finish, play_steps, screen_text

from test_play import open_case
from tui.trainee.debrief import DebriefScreen
from tui.trainee.workbench import WorkbenchScreen

LICENSING = ["licence-food-outside-competence-01", "licence-homestead-grant-01", "licence-homestead-refuse-01"]


@pytest.mark.parametrize("case_id", LICENSING)
async def test_licensing_reference_path_by_keys_scores_100(make, library, case_id):
    sc = library.scenarios[case_id]
    assert sc.procedure.id == "licensing"
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
