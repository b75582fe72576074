"""Snapshots: the contest workbench with its header and countdown and the frozen leaderboard at 100 columns, the
case's briefing at 80x24.

On the tests' own small library (tests/tui/fixtures), a fake wall clock and Chinese names, so a width
regression shows. Update after a deliberate change with `pytest tests/tui --snapshot-update`."""

from __future__ import annotations

from contest_helpers import TRAP, FakeClock, contest_app, contest_key, cst, load, seed, write_contest
from tui_helpers import FIXTURE_CASE, FROZEN_WALL, keys, play_steps

from sim.contest import ContestStore
from tui.contest.board import make_board_app

__all__ = ["contest_key"]

SIZE = (100, 30)


def fixture_contest(tmp_path, fixture_library):
    path = write_contest(tmp_path / "contest", play=(FIXTURE_CASE,), review=(FIXTURE_CASE, TRAP))
    return load(path, fixture_library)


def test_contest_workbench(snap_compare, fixture_library, tmp_path, contest_key):
    contest = fixture_contest(tmp_path, fixture_library)
    clock = FakeClock()
    app = contest_app(contest, fixture_library, tmp_path / "home", clock)

    async def run_before(pilot):
        sc = fixture_library.scenarios[FIXTURE_CASE]
        await keys(pilot, "enter", "y", "enter")  # open the round's case, start the countdown, leave the briefing
        await play_steps(pilot, sc, sc.references[0].steps[:2])
        clock.now = FROZEN_WALL + 3600 - 4 * 60 - 10  # the last five minutes: the countdown turns red
        pilot.app.tick()
        pilot.app.clear_notifications()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_contest_briefing_at_80x24(snap_compare, fixture_library, tmp_path, contest_key):
    """Where a round's case opens: the briefing under the contest header, Enter to begin, the clock running."""
    contest = fixture_contest(tmp_path, fixture_library)
    clock = FakeClock()
    app = contest_app(contest, fixture_library, tmp_path / "home", clock)

    async def run_before(pilot):
        await keys(pilot, "enter", "y")  # open the round's case: the countdown starts on its briefing
        clock.advance(95)
        pilot.app.tick()
        pilot.app.clear_notifications()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_frozen_leaderboard(snap_compare, fixture_library, tmp_path, contest_key):
    contest = fixture_contest(tmp_path, fixture_library)
    store = ContestStore.open(None, home=tmp_path / "store")
    seed(contest, fixture_library, store, tmp_path / "bundles")
    app = make_board_app(contest, store, round_id="r2", clock=FakeClock(cst("2026-05-29 17:30")))

    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def sheet_contest(tmp_path, fixture_library):
    """The fixture contest with a knowledge round (r3, 5 questions) and an analysis round (r4) on 2026-05-30."""
    path = write_contest(tmp_path / "contest", play=(FIXTURE_CASE,), review=(FIXTURE_CASE, TRAP))
    path.write_text(path.read_text(encoding="utf-8").replace("roster:\n", f"""\
  - id: r3
    title: 第三轮 法律知识
    kind: quiz
    questions: 5
    time_limit: 40 minutes
    opens: 2026-05-30 09:00
    closes: 2026-05-30 12:00
    seed: 2026
  - id: r4
    title: 第四轮 一事一议
    kind: analysis
    cases: [{FIXTURE_CASE}]
    time_limit: 60 minutes
    opens: 2026-05-30 14:00
    closes: 2026-05-30 18:00
    seed: 9
roster:
""", 1), encoding="utf-8")
    return load(path, fixture_library)


def test_contest_quiz_paper_at_80x24(snap_compare, fixture_library, tmp_path, contest_key):
    """A knowledge round's paper in contest mode, under the contest header and countdown."""
    contest = sheet_contest(tmp_path, fixture_library)
    clock = FakeClock(cst("2026-05-30 09:05"))
    app = contest_app(contest, fixture_library, tmp_path / "home", clock, round_id="r3")

    async def run_before(pilot):
        await keys(pilot, "enter", "y")  # open the paper: the countdown starts
        clock.advance(125)
        pilot.app.tick()
        pilot.app.clear_notifications()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_contest_analysis_sheet_at_80x24(snap_compare, fixture_library, tmp_path, contest_key):
    """An analysis round's case (一事一议) in contest mode: the sheet under the contest header and countdown,
    on the answers tab after reading the facts."""
    contest = sheet_contest(tmp_path, fixture_library)
    clock = FakeClock(cst("2026-05-30 14:05"))
    app = contest_app(contest, fixture_library, tmp_path / "home", clock, round_id="r4")

    async def run_before(pilot):
        await keys(pilot, "enter", "y")  # open the round's case: the countdown starts, the facts first
        await keys(pilot, "ctrl+t")
        clock.advance(65)
        pilot.app.tick()
        pilot.app.clear_notifications()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
