"""Snapshots of the trainer screen and the state graph view at 100x30 (see test_snapshots.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tui_helpers import FIXTURE_CASE, FROZEN_WALL, keys

SIZE = (100, 30)
FIXTURES = Path(__file__).parent / "fixtures"


async def settle_workers(pilot) -> None:
    """Until the trainer screen has shown its first check (the library loads first, in a worker that only
    starts after the first refresh). Bounded: a hang still fails."""
    from tui.trainer.screen import TrainerScreen

    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if isinstance(pilot.app.screen, TrainerScreen) and pilot.app.screen.checks_done:
            return
    raise AssertionError("the trainer screen never showed its check")


def test_trainer_screen_with_a_broken_file(snap_compare, tmp_path, monkeypatch):
    from tui.app import make_app

    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    lib = tmp_path / "lib"
    shutil.copytree(FIXTURES, lib)
    (lib / "broken.yaml").write_text("id: broken-case\ntitle: 坏案例\nprocedure: ui-fixture-penalty\n",
                                     encoding="utf-8")
    app = make_app([lib], home=tmp_path / "home", trainee="王小明", clock=lambda: FROZEN_WALL, trainer=True)

    async def run_before(pilot):
        await settle_workers(pilot)
        pilot.app.clear_notifications()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_graph_view_from_the_workbench(snap_compare, fixture_library, tmp_path):
    """Two acts in: the current state marked; p lays the reference path over the graph."""
    from tui.app import make_app

    app = make_app(fixture_library, home=tmp_path / "home", trainee="王小明", clock=lambda: FROZEN_WALL)

    async def run_before(pilot):
        sc = pilot.app.library.scenarios[FIXTURE_CASE]
        await keys(pilot, "enter")
        await keys(pilot, "enter")
        for step in sc.references[0].steps[:2]:  # the acts themselves: the form has its own snapshot
            assert pilot.app.screen.perform(step.do, step.at, dict(step.params)).ok
        await keys(pilot, "g")
        await keys(pilot, "p")
        pilot.app.clear_notifications()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
