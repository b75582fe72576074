"""The leaderboard: standings of a seeded results store in the configured tie-break order, divisions, the
freeze banner and the organiser's bottom-up reveal, refresh, export.

The store is seeded the way an organiser fills it: review-round bundles written with `write_bundle` and
imported with `ContestStore.import_bundles` (review bundles are quick to make and their scores are exact).
Everything runs on the tests' own small library (tests/tui/fixtures), so the board does not move when the
bundled cases are edited."""

from __future__ import annotations

from pathlib import Path

import pytest
from contest_helpers import TRAP, FakeClock, contest_key, cst, load, seed, write_contest
from tui_helpers import FIXTURE_CASE, keys, screen_text

from sim.contest import ContestStore
from tui.contest.board import BoardScreen, make_board_app
from tui.widgets.dialogs import ConfirmDialog

__all__ = ["contest_key", "seeded"]

@pytest.fixture
def seeded(tmp_path, fixture_library, contest_key):
    path = write_contest(tmp_path / "contest", play=(FIXTURE_CASE,), review=(FIXTURE_CASE, TRAP))
    contest = load(path, fixture_library)
    store = ContestStore.open(None, home=tmp_path / "store")
    seed(contest, fixture_library, store, tmp_path / "bundles")
    return contest, store


def table_rows(app) -> list[list[str]]:
    table = app.screen.query_one("#board-table")
    return [[getattr(c, "plain", c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def names(app) -> list[str]:
    return [r[1] for r in table_rows(app)]


async def opened(app, pilot) -> BoardScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, BoardScreen)
    return app.screen


async def refreshed(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_standings_in_the_configured_tiebreak_order_with_divisions(seeded, tmp_path, fixture_library):
    contest, store = seeded
    clock = FakeClock(cst("2026-05-29 18:30"))  # after the round: the board is frozen until the reveal
    app = make_board_app(contest, store, round_id="r2", clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(app, pilot)
        # score, then criticals (60 without a veto item before 60 with one), then time spent.
        assert [(r[0], r[1], r[4], r[5], r[6]) for r in table_rows(app)] == [
            ("1", "李华", "100", "0", "10分00秒"),
            ("2", "王小明", "100", "0", "20分00秒"),
            ("3", "周敏", "60", "0", "5分00秒"),
            ("4", "赵强", "60", "1", "5分00秒"),
        ]
        assert "排名依据：总分高 → 否决项少 → 用时少 → 交卷早 → 编号" in screen_text(app)
        await keys(pilot, "right")  # 东片
        await refreshed(app, pilot)
        assert names(app) == ["李华", "王小明", "周敏"]
        await keys(pilot, "right")  # 西片 (孙丽's only result is after the freeze)
        await refreshed(app, pilot)
        assert names(app) == ["赵强"]
        assert [r[3] for r in table_rows(app)] == ["西片"]
    # The same results under another tie-break order: time first, then the contestant id.
    other = tmp_path / "contest-by-time"
    other.mkdir()
    text = Path(contest.path).read_text("utf-8").replace(
        "tiebreak: [score, criticals, wall_time, finish_time, id]", "tiebreak: [wall_time, id]"
    )
    (other / "contest.yaml").write_text(text, encoding="utf-8")
    by_time = load(other / "contest.yaml", fixture_library)
    app = make_board_app(by_time, ContestStore.open(store.url), round_id="r2", clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(app, pilot)
        assert [(r[0], r[1]) for r in table_rows(app)] == [("1", "赵强"), ("2", "周敏"), ("3", "李华"), ("4", "王小明")]
        assert "排名依据：用时少 → 编号" in screen_text(app)


async def test_freeze_banner_and_the_reveal_from_the_bottom_up(tmp_path, fixture_library, contest_key):
    path = write_contest(tmp_path / "contest", play=(FIXTURE_CASE,), review=(FIXTURE_CASE, TRAP))
    contest = load(path, fixture_library)
    store = ContestStore.open(None, home=tmp_path / "store")
    seed(contest, fixture_library, store, tmp_path / "b1", who=["p01", "p02", "p03", "p05"])
    clock = FakeClock(cst("2026-05-29 16:00"))
    app = make_board_app(contest, store, round_id="r2", clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        board = await opened(app, pilot)
        assert "实时排名" in screen_text(app) and "封榜" not in screen_text(app)
        assert names(app) == ["李华", "王小明", "周敏", "赵强"]
        seed(contest, fixture_library, store, tmp_path / "b2", who=["p04"])
        clock.now = cst("2026-05-29 17:30")  # after the freeze: 孙丽's 17:03 hand-in stays hidden
        await keys(pilot, "r")
        await refreshed(app, pilot)
        text = screen_text(app)
        assert "封榜　05-29 17:00 以后交卷的成绩暂不公布，最终排名由组织者揭晓" in text
        assert names(app) == ["李华", "王小明", "周敏", "赵强"] and "孙丽" not in text
        await keys(pilot, "v")  # the round is still open: no reveal yet
        assert isinstance(app.screen, BoardScreen) and board.revealed is None
        clock.now = cst("2026-05-29 18:05")
        await keys(pilot, "v")
        assert isinstance(app.screen, ConfirmDialog)
        await keys(pilot, "y")
        # One row revealed: the last of the final standings, with its final rank; the others wait, frozen.
        assert [(r[0], r[1]) for r in table_rows(app)] == [
            ("…", "李华"), ("…", "王小明"), ("…", "周敏"), ("…", "孙丽"), ("5", "赵强"),
        ]
        assert "揭晓中：已揭晓 1 / 5 名" in screen_text(app)
        await keys(pilot, "v", "v", "v")
        assert [(r[0], r[1]) for r in table_rows(app)] == [
            ("…", "孙丽"), ("2", "李华"), ("3", "王小明"), ("4", "周敏"), ("5", "赵强"),
        ]
        await keys(pilot, "v")
        rows = table_rows(app)
        assert [(r[0], r[1]) for r in rows] == [("1", "孙丽"), ("2", "李华"), ("3", "王小明"), ("4", "周敏"), ("5", "赵强")]
        assert rows[0][4] == "100（+100）"  # her score arrived after the freeze
        assert "最终排名（已全部揭晓）" in screen_text(app)
        # The refresh timer does not undo the reveal.
        board.refresh_board()
        await refreshed(app, pilot)
        assert names(app)[0] == "孙丽"


async def test_refresh_shows_new_imports_and_export_writes_the_board(tmp_path, fixture_library, contest_key):
    path = write_contest(tmp_path / "contest", play=(FIXTURE_CASE,), review=(FIXTURE_CASE, TRAP))
    contest = load(path, fixture_library)
    store = ContestStore.open(None, home=tmp_path / "store")
    seed(contest, fixture_library, store, tmp_path / "b1", who=["p01"])
    clock = FakeClock(cst("2026-05-29 14:00"))
    app = make_board_app(contest, store, round_id="r2", clock=clock, export_dir=tmp_path / "exports")
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(app, pilot)
        assert names(app) == ["王小明"]
        seed(contest, fixture_library, store, tmp_path / "b2", who=["p02"])  # another machine's bundle arrives
        await keys(pilot, "r")
        await refreshed(app, pilot)
        assert names(app) == ["李华", "王小明"]
        await keys(pilot, "e", "c")
        csv = (tmp_path / "exports" / "nanyang-2026-r2.csv").read_text("utf-8-sig").splitlines()
        assert csv[0].startswith("名次,编号,姓名") and csv[1].startswith("1,p02,李华")


def test_board_command_refuses_a_bad_store_or_round(tmp_path, fixture_library, contest_key, capsys):
    from tui.cli import main

    path = write_contest(tmp_path / "contest")
    assert main(["contest", "board", str(path), "--store", "nosuch://x"]) == 2
    err = capsys.readouterr().err
    assert "不支持的数据库「nosuch」" in err and "Traceback" not in err
    assert main(["contest", "board", str(path), "--round", "r9", "--home", str(tmp_path / "h")]) == 2
    err = capsys.readouterr().err
    assert "没有编号为「r9」的一轮" in err and "第二轮 案卷评查（r2）" in err
