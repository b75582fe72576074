"""Knowledge (kind: quiz) and case-analysis (kind: analysis) rounds end to end: `contest check` on the file,
`contest run`'s app answered by keys under the countdown, a crash in the middle (the app rebuilt on the same
home: every answer is back), hand-in and time-out hand-in as signed bundles, then the organiser's `contest
import` (re-scored), `contest standings` (officers and township teams) and `contest export`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import attrs
import pytest
from contest_helpers import CONTEST_YAML, FakeClock, contest_app, contest_key, cst, load
from sheet_helpers import answer_question, fill_analysis
from tui_helpers import keys, screen_text, settle

from sim.analysis import own_answer
from sim.contest import read_bundle
from sim.contest.model import PAPER
from sim.contest.papers import round_paper
from tui.cli import main
from tui.contest.round import RoundScreen
from tui.contest.sheets import ContestAnalysisResult, ContestAnalysisScreen, ContestQuizScreen
from tui.widgets.dialogs import ConfirmDialog

__all__ = ["contest_key"]  # the fixture, imported for pytest

ANALYSIS = ("straw-burning-01", "fire-lane-01")
SHEET_ROUNDS = f"""\
  - id: r3
    title: 第三轮 法律知识
    kind: quiz
    questions: 10
    time_limit: 40 minutes
    opens: 2026-05-30 09:00
    closes: 2026-05-30 12:00
    seed: 2026
    mode: exam
  - id: r4
    title: 第四轮 一事一议
    kind: analysis
    cases: [{", ".join(ANALYSIS)}]
    time_limit: 60 minutes
    opens: 2026-05-30 14:00
    closes: 2026-05-30 18:00
    seed: 9
    mode: exam
roster:
"""


@pytest.fixture
def contest_file(tmp_path, contest_key):
    from contest_helpers import write_contest

    path = write_contest(tmp_path / "contest")
    path.write_text(path.read_text(encoding="utf-8").replace("roster:\n", SHEET_ROUNDS, 1), encoding="utf-8")
    return path


def cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out + err


async def begin(pilot, row: int = 0) -> None:
    """On the round's list: open the entry at `row`, confirming the start of the round the first time."""
    table = pilot.app.screen.query_one("#round-cases")
    table.move_cursor(row=row)
    await keys(pilot, "enter")
    if isinstance(pilot.app.screen, ConfirmDialog):
        await keys(pilot, "y")
    await settle(pilot)


async def test_quiz_round_answered_survives_a_crash_and_is_ranked(contest_file, library, home, tmp_path, capsys):
    code, out = cli(capsys, "contest", "check", contest_file)
    assert code == 0 and "法律知识" in out and "案例分析" in out, out
    contest = load(contest_file, library)
    r3 = contest.round("r3")
    paper = round_paper(r3, library)
    clock = FakeClock(cst("2026-05-30 09:05"))
    outbox = tmp_path / "outbox"

    app = contest_app(contest, library, home, clock, round_id="r3", out=outbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen)
        text = screen_text(app)
        assert "法律知识 · 共 1 份 · 限时 40 分钟" in text and "法律知识试卷（共 10 题）" in text
        await begin(pilot)
        assert isinstance(app.screen, ContestQuizScreen)
        assert "剩余 00:40:00" in screen_text(app) and "第 1/10 题" in screen_text(app)
        for item in paper.items[:6]:
            await answer_question(pilot, item, right=item.number != 1)  # the first one wrong
        saved = app.sheet_answers(PAPER)
        assert len([v for v in saved.values() if v]) == 6
    # The terminal closed (or the machine crashed) mid-paper: the app is rebuilt on the same home.
    clock.advance(600)
    app = contest_app(contest, library, home, clock, round_id="r3", out=outbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "作答中（已答 6 / 10 题）" in screen_text(app)
        assert "剩余 00:30:00" in screen_text(app)  # the countdown did not stop
        await begin(pilot)
        screen = app.screen
        assert isinstance(screen, ContestQuizScreen) and screen.sheet() == saved
        for item in paper.items[:6]:  # skip to the seventh question (the answers stay as they were)
            await keys(pilot, "pagedown")
        for item in paper.items[6:]:
            await answer_question(pilot, item)
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmDialog) and "已答 10 / 10 题" in app.screen.text
        await keys(pilot, "y")
        assert isinstance(app.screen, RoundScreen) and "已交卷" in screen_text(app)
        assert "分" not in app.screen.query_one("#round-cases").get_row_at(0)[2].plain  # no score in an exam
        bundle = app.bundle_of(PAPER)
        assert bundle is not None and bundle.parent == outbox
        # After the window closes the scored paper can be read.
        clock.now = cst("2026-05-30 12:01")
        app.tick()
        await keys(pilot, "enter")
        assert isinstance(app.screen, ContestQuizScreen) and "得分：90 分（答对 9 / 10 题）" in screen_text(app)
    verified = read_bundle(bundle, contest, library)
    assert (verified.kind, verified.case, verified.score, verified.contestant_id) == ("quiz", PAPER, 90, "p01")
    assert verified.wall_seconds == 600  # opened at 09:05, handed in at 09:15

    store = tmp_path / "results"
    code, out = cli(capsys, "contest", "import", contest_file, outbox, "--home", store)
    assert code == 0 and "导入 1 份" in out, out
    code, out = cli(capsys, "contest", "standings", contest_file, "--home", store, "--round", "r3")
    assert code == 0 and "王小明" in out and "90" in out, out
    code, out = cli(capsys, "contest", "standings", contest_file, "--home", store, "--round", "r3", "--teams")
    assert code == 0 and "城关镇" in out and "45.0" in out, out  # two officers on 城关镇's roster: (90 + 0) / 2
    code, out = cli(capsys, "contest", "export", contest_file, "--home", store, "--round", "r3", "-o",
                    tmp_path / "r3.csv", "--format", "csv")
    assert code == 0, out
    rows = list(csv.reader((tmp_path / "r3.csv").open(encoding="utf-8-sig")))
    assert any("王小明" in r and "90" in r for r in rows), rows
    assert rows[0][-1] == "法律知识试卷"  # the paper's score column, in words


async def test_analysis_round_by_keys_with_a_time_out_hand_in(contest_file, library, home, tmp_path, capsys):
    contest = load(contest_file, library)
    clock = FakeClock(cst("2026-05-30 14:02"))
    outbox = tmp_path / "outbox"
    first, second = (library.scenarios[c] for c in ANALYSIS)
    app = contest_app(contest, library, home, clock, round_id="r4", out=outbox, who="p03")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "案例分析 · 共 2 件" in screen_text(app)
        await begin(pilot, 0)
        screen = app.screen
        assert isinstance(screen, ContestAnalysisScreen)
        # A fresh sheet opens on the case's facts and evidence; Ctrl+T goes to the answers.
        assert screen.query_one("#an-tabs").active == "an-tab-facts"
        assert "剩余 01:00:00" in screen_text(app)
        await keys(pilot, "ctrl+t")
        await fill_analysis(pilot, library, own_answer(first))
        clock.advance(1200)
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmDialog)
        await keys(pilot, "y")
        assert isinstance(app.screen, RoundScreen)
        # The second case: the disposal right but the fine beyond the band, then back to the list.
        await begin(pilot, 1)
        await keys(pilot, "ctrl+t")
        wrong = attrs.evolve(own_answer(second), amount=999999)
        await fill_analysis(pilot, library, wrong)
        typed = app.screen.answer()
        await keys(pilot, "escape")
        assert isinstance(app.screen, RoundScreen) and "作答中" in screen_text(app)
        assert app.bundle_of(second.id) is None
        # Reopened: the saved sheet is back on the form, on the answers tab.
        await begin(pilot, 1)
        assert isinstance(app.screen, ContestAnalysisScreen) and app.screen.answer() == typed
        assert app.screen.query_one("#an-tabs").active == "an-tab-answer"
        # Time runs out with the sheet on screen: it is handed in as it stands.
        clock.now = cst("2026-05-30 15:02")
        app.tick()
        await pilot.pause()
        assert app.bundle_of(second.id) is not None
        assert "本轮时间已到" in screen_text(app) or app.timed_out
        # After the window: each analysis explained element by element.
        clock.now = cst("2026-05-30 18:01")
        app.tick()
        app.screen.query_one("#round-cases").move_cursor(row=1)
        await keys(pilot, "enter")
        assert isinstance(app.screen, ContestAnalysisResult)
        body = str(app.screen.query_one("#an-result").render())
        assert "超出法定幅度" in body and "✗ 处理意见及处罚幅度" in body
        paths = [app.bundle_of(c) for c in ANALYSIS]
    bundles = [read_bundle(p, contest, library) for p in paths]
    assert [b.score for b in bundles][0] == 100
    assert bundles[1].score < 100 and "band_exceeded" in bundles[1].rules
    assert bundles[1].wall_seconds == 2400  # opened at 14:22, handed in when the hour ran out at 15:02

    store = tmp_path / "results"
    code, out = cli(capsys, "contest", "import", contest_file, outbox, "--home", store)
    assert code == 0 and "导入 2 份" in out, out
    code, out = cli(capsys, "contest", "standings", contest_file, "--home", store, "--round", "r4", "--json")
    data = json.loads(out)
    (row,) = data["standings"]
    assert row["id"] == "p03" and row["score"] == 100 + bundles[1].score, row
    for fmt in ("html", "xlsx", "csv"):
        target = tmp_path / f"r4.{fmt}"
        code, out = cli(capsys, "contest", "export", contest_file, "--home", store, "--round", "r4", "-o",
                        target, "--format", fmt)
        assert code == 0 and target.stat().st_size > 0, out
    html = (tmp_path / "r4.html").read_text(encoding="utf-8")
    assert "赵强" in html and first.title in html
    assert "乡镇团体" in html and "安皋镇" in html  # the team table: 安皋镇's two officers, p03 alone took part


def test_contest_run_no_longer_refuses_sheet_rounds(contest_file, library, home, monkeypatch):
    """`contest run` opens the quiz round in its window (the app is built; only its run is stubbed)."""
    from tui.cli import contest as cli_contest

    contest = load(contest_file, library)
    ran = []
    monkeypatch.setattr("tui.contest.app.ContestApp.run", lambda self: ran.append(self.round.id))
    from sim.contest import ContestStore
    from sim.contest import signin as codes

    store = ContestStore.open(None, home=home)  # the default store of the data directory, as `contest codes`
    try:
        issued = {c.contestant.id: c.code for c in codes.issue_codes(store, contest)}
    finally:
        store.close()
    code = cli_contest.run_contest(contest, library, contest.contestant("p01"), home=home,
                                   clock=lambda: cst("2026-05-30 09:30"), code=issued["p01"])
    assert code == 0 and ran == ["r3"]


@pytest.mark.parametrize("saved", ["{not json", "[1, 2]", '"text"'])
async def test_a_damaged_saved_sheet_starts_again_instead_of_crashing(contest_file, library, home, saved):
    contest = load(contest_file, library)
    clock = FakeClock(cst("2026-05-30 09:05"))
    app = contest_app(contest, library, home, clock, round_id="r3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.store.set(f"answers:{PAPER}", saved)
        await begin(pilot)
        assert isinstance(app.screen, ContestQuizScreen) and app.screen.sheet() == {}


async def test_a_practice_round_shows_the_result_at_hand_in(contest_file, library, home, tmp_path):
    text = contest_file.read_text(encoding="utf-8")
    at = text.index("id: r4")
    contest_file.write_text(text[:at] + text[at:].replace("mode: exam", "mode: practice", 1), encoding="utf-8")
    contest = load(contest_file, library)
    assert contest.round("r4").mode == "practice"
    sc = library.scenarios[ANALYSIS[0]]
    clock = FakeClock(cst("2026-05-30 14:02"))
    app = contest_app(contest, library, home, clock, round_id="r4", out=tmp_path / "outbox")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await begin(pilot, 0)
        await keys(pilot, "ctrl+t")
        await fill_analysis(pilot, library, attrs.evolve(own_answer(sc), violation=""))
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmDialog) and "交卷后显示成绩" in app.screen.text
        await keys(pilot, "y")
        await pilot.pause()
        assert isinstance(app.screen, ContestAnalysisResult)
        body = str(app.screen.query_one("#an-result").render())
        assert "✗ 案由" in body and "案由认定错误" in body
        await keys(pilot, "escape")
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen) and app.bundle_of(sc.id) is not None
