"""Snapshots of the main screens at 80x24 (the minimum the UI is laid out for), 100x30 and 120x40: Chinese
text, frozen wall clock, no cursor blink.

Update after a deliberate change with `pytest tests/tui --snapshot-update`, then read the SVGs' text."""

from __future__ import annotations

import pytest
from tui_helpers import FIXTURE_CASE, FROZEN_WALL, auxiliary_trap, finish, keys, open_form, play_steps

SIZES = [(80, 24), (100, 30), (120, 40)]
sizes = pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])


def app_for(library, tmp_path, **kw):
    from tui.app import make_app

    return make_app(library, home=tmp_path / "home", trainee="王小明", clock=lambda: FROZEN_WALL, **kw)


async def to_workbench(pilot, acts: int = 0):
    sc = pilot.app.library.scenarios[FIXTURE_CASE]
    await keys(pilot, "enter")  # open the (only) case
    await keys(pilot, "enter")  # start from the briefing
    await play_steps(pilot, sc, sc.references[0].steps[:acts])
    pilot.app.clear_notifications()  # toasts time out; a snapshot must not depend on when it is taken


@sizes
def test_library(snap_compare, fixture_library, tmp_path, size):
    assert snap_compare(app_for(fixture_library, tmp_path), terminal_size=size)


@sizes
def test_briefing(snap_compare, fixture_library, tmp_path, size):
    assert snap_compare(app_for(fixture_library, tmp_path), press=["enter"], terminal_size=size)


@sizes
def test_workbench_after_two_acts(snap_compare, fixture_library, tmp_path, size):
    async def run_before(pilot):
        await to_workbench(pilot, acts=2)

    assert snap_compare(app_for(fixture_library, tmp_path), terminal_size=size, run_before=run_before)


@sizes
def test_action_form(snap_compare, fixture_library, tmp_path, size):
    async def run_before(pilot):
        await to_workbench(pilot, acts=2)
        await open_form(pilot, "inspect")

    assert snap_compare(app_for(fixture_library, tmp_path), terminal_size=size, run_before=run_before)


@sizes
def test_debrief(snap_compare, fixture_library, tmp_path, size):
    async def run_before(pilot):
        sc = pilot.app.library.scenarios[FIXTURE_CASE]
        await to_workbench(pilot)
        await play_steps(pilot, sc, auxiliary_trap(sc).steps)
        await finish(pilot)
        pilot.app.clear_notifications()

    assert snap_compare(
        app_for(fixture_library, tmp_path, mode="exam"), terminal_size=size, run_before=run_before
    )
