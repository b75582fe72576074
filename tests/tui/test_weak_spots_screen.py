"""The trainee's weak spots (library key w): contest results brought home (sim.contest.takehome) beside the
practice history, the cases offered for them (Enter opens the briefing, a the case analysis) and the drill (k);
a snapshot at 80x24."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from tui_helpers import FROZEN_WALL, keys, screen_text, settle

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: the contest helpers

from contest_support import play, write_contest, contest_doc  # noqa: E402

SIZE = (80, 24)


def app_for(library, tmp_path, **kw):
    from tui.app import make_app

    return make_app(library, home=tmp_path / "home", trainee="张一", clock=lambda: FROZEN_WALL, **kw)


def _bring_home(library, tmp_path: Path) -> None:
    """A1's play result of the fire-lane case (trap 当事人申辩后未予理会) taken home after the round."""
    from sim.contest import load_contest, write_bundle
    from sim.contest.model import CST
    from sim.contest.takehome import take_home
    from sim.store import Store

    contest = load_contest(write_contest(tmp_path, contest_doc()), library=library)
    write_bundle(contest, "r1", "A1", "fire-lane-01",
                 play("fire-lane-01", tmp_path / "a1.jsonl", path="当事人申辩后未予理会"), tmp_path / "inbox",
                 library=library)
    store = Store(tmp_path / "home")
    got = take_home([tmp_path / "inbox"], contest, library, "A1", store, trainee="张一",
                    now=dt.datetime(2026, 12, 2, tzinfo=CST))
    assert got.results and not got.refused
    store.close()


async def test_contest_misses_show_with_practice_offered(library, tmp_path) -> None:
    _bring_home(library, tmp_path)
    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await keys(pilot, "w")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "WeakSpotsScreen"
        text = screen_text(pilot.app)
        assert "薄弱环节 · 张一" in text and "比武成绩 1 份" in text
        assert "《行政处罚法》第四十五条" in text  # the article the contest's broken rule cites
        assert "比武失分" in text and "第一轮" in text and "60 分" in text and "未听取当事人的陈述申辩" in text
        assert "建议练习的案例" in text
        table = pilot.app.screen.query_one("#practice")
        assert table.row_count > 0
        # Enter opens the first offered case's briefing; Esc comes back.
        first = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        await keys(pilot, "enter")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "BriefingScreen"
        assert library.scenarios[first].title in screen_text(pilot.app)
        await keys(pilot, "escape")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "WeakSpotsScreen"
        await keys(pilot, "a")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "AnalysisScreen"
        await keys(pilot, "escape")
        await settle(pilot)
        # k: a knowledge paper aimed at these articles.
        await keys(pilot, "k")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "QuizScreen"
        assert pilot.app.screen.aimed.startswith("针对薄弱条文：《行政处罚法》第四十五条")


async def test_results_imported_from_the_screen(library, tmp_path) -> None:
    """i: the contest file and the number typed, the bundles taken from the data directory's outbox."""
    from sim.contest import load_contest, write_bundle
    from sim.contest.model import CST
    from tui.app import make_app

    cfile = write_contest(tmp_path, contest_doc())
    contest = load_contest(cfile, library=library)
    write_bundle(contest, "r1", "A1", "fire-lane-01",
                 play("fire-lane-01", tmp_path / "a1.jsonl", path="当事人申辩后未予理会"),
                 tmp_path / "home" / "contest-outbox", library=library)
    after = dt.datetime(2026, 12, 2, tzinfo=CST).timestamp()
    app = make_app(library, home=tmp_path / "home", trainee="张一", clock=lambda: after)
    messages: list = []

    def notes() -> list[tuple[str, str]]:
        from textual.notifications import Notify

        return [(m.notification.title, m.notification.message) for m in messages if isinstance(m, Notify)]

    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        await keys(pilot, "w", "i")
        await settle(pilot)
        assert "导入比武成绩" in screen_text(pilot.app)
        await keys(pilot, "enter")  # nothing typed yet
        await settle(pilot)
        assert "请填写比武文件和参赛编号" in screen_text(pilot.app)
        await pilot.press(*str(cfile), "tab", "Z", "9", "enter")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert notes() == [("未能导入", "比武「测试杯执法比武」的名单中没有编号「Z9」")]
        await keys(pilot, "i")
        await settle(pilot)
        await pilot.press(*str(cfile), "tab", "A", "1", "enter")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert notes()[-1] == ("比武成绩", "「测试杯执法比武」：新导入 1 份。")
        text = screen_text(pilot.app)
        assert "比武成绩 1 份" in text and "未听取当事人的陈述申辩" in text


async def test_no_record_yet_says_so(library, tmp_path) -> None:
    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await keys(pilot, "w")
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "还没有出错记录" in text and "比武成绩 0 份" in text


def test_weak_spots_snapshot(snap_compare, fixture_library, tmp_path):
    from sim.store import Store

    store = Store(tmp_path / "home")
    art = next(iter(fixture_library.articles))
    store.record_sheet(trainee="张一", kind="quiz", ref="paper", title="测试杯执法比武·法律知识·法律知识试卷",
                       score=50, rules=[], articles=[art], finished=FROZEN_WALL, contest="test-cup", origin="b" * 32)
    store.record_sheet(trainee="张一", kind="quiz", ref="practice", title="练习", score=80, rules=[],
                       articles=[art], finished=FROZEN_WALL)
    store.close()
    assert snap_compare(app_for(fixture_library, tmp_path), press=["w"], terminal_size=SIZE)
