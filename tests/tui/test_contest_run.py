"""Contest mode (`lawdrill contest run`): a contestant plays the round's cases against a countdown, by keys.

The wall clock is a FakeClock the test moves by hand; `app.tick()` is what the app's one-second timer calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from contest_helpers import KEY, PLAY_CASES, FakeClock, contest_app, contest_key, cst, load, write_contest
from textual.notifications import Notify
from tui_helpers import FROZEN_WALL, do_act, keys, open_form, play_steps, screen_text, settle

from sim.contest import read_bundle
from tui.contest.round import ContestWorkbench, RoundScreen
from tui.trainee.debrief import DebriefScreen
from tui.widgets.dialogs import ConfirmDialog
from tui.trainee.forms import ActionForm

__all__ = ["contest_key"]  # the fixture, imported for pytest

HERE = Path(__file__).parent
LIMIT = 3600


@pytest.fixture
def contest(tmp_path, library, contest_key):
    return load(write_contest(tmp_path / "contest"), library)


def notes(messages: list) -> list[tuple[str, str]]:
    return [(m.notification.title, m.notification.message) for m in messages if isinstance(m, Notify)]


def rows(table) -> list[list[str]]:
    return [[getattr(c, "plain", c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def start_case(pilot, index: int) -> None:
    """On the round's list: move to the case, open it (confirming the start of the round the first time)."""
    table = pilot.app.screen.query_one("#round-cases")
    table.move_cursor(row=index)
    await keys(pilot, "enter")
    if isinstance(pilot.app.screen, ConfirmDialog):
        assert "开始后计时 1 小时" in screen_text(pilot.app)
        await keys(pilot, "y")
    assert isinstance(pilot.app.screen, ContestWorkbench)


async def test_the_round_shows_only_its_cases_and_no_hints(contest, library, home):
    messages: list = []
    app = contest_app(contest, library, home, FakeClock())
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen) and len(app.screen_stack) == 1
        titles = [r[1] for r in rows(app.screen.query_one("#round-cases"))]
        assert titles == [library.scenarios[c].title for c in PLAY_CASES]
        top = screen_text(app)
        assert "南阳市乡镇执法大比武 · 第一轮 实操" in top and "王小明（城关镇）p01" in top
        assert "限时 1 小时" in top and app.started_at is None  # nothing counts until the contestant starts
        await start_case(pilot, 0)
        bench = app.screen
        assert app.started_at == FROZEN_WALL
        assert bench.session.mode == "exam" and bench.session.seed == 7
        assert "剩余 01:00:00" in screen_text(app)
        await keys(pilot, "h")  # no hint key in a contest
        assert not any(title == "提示" for title, _ in notes(messages))
        assert "提示" not in screen_text(app)
        await keys(pilot, "escape", "y")  # back to the list; the case stays open, the clock runs
        assert isinstance(app.screen, RoundScreen)
        assert rows(app.screen.query_one("#round-cases"))[0][2] == "办理中"
        app.clock.advance(125)
        app.tick()
        await settle(pilot)
        assert "剩余 00:57:55" in screen_text(app)


async def test_play_and_hand_in_writes_a_bundle_the_organiser_verifies(contest, library, home):
    sc = library.scenarios[PLAY_CASES[0]]
    clock = FakeClock()
    app = contest_app(contest, library, home, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await start_case(pilot, 0)
        await play_steps(pilot, sc, sc.references[0].steps[:2])  # the case is left unfinished: it scores less
        clock.advance(900)
        await keys(pilot, "f")
        assert isinstance(app.screen, ConfirmDialog) and "成绩在本轮结束后公布" in screen_text(app)
        await keys(pilot, "y")
        assert isinstance(app.screen, RoundScreen)  # no debrief during the round
        text = screen_text(app)
        assert "已交卷" in text and "分" not in text
        bundle = app.bundle_of(sc.id)
        assert bundle is not None and bundle.parent == home / "contest-outbox"
        outbox = app.screen.query_one("#round-outbox").content.plain  # a long path wraps on screen
        assert bundle.name in outbox and str(home / "contest-outbox") in outbox
        # A handed-in case cannot be reopened.
        await keys(pilot, "enter")
        assert isinstance(app.screen, RoundScreen)
        attempt = app.attempt_of(sc.id)
    verified = read_bundle(bundle, contest, library)
    assert (verified.contestant_id, verified.round_id, verified.case) == ("p01", "r1", sc.id)
    assert attempt is not None and attempt.status == "finished"
    assert verified.score == attempt.score < 100 and verified.wall_seconds == 900
    assert "case-left-open" in verified.rules


async def test_time_out_hands_in_every_open_case(contest, library, home):
    """Case 1 left open in the background, case 2 on screen under an act form: at 0 both are handed in,
    every dialog closes, the bundles are in the outbox and import with times inside the limit."""
    first, second = (library.scenarios[c] for c in PLAY_CASES)
    messages: list = []
    clock = FakeClock()
    app = contest_app(contest, library, home, clock)
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await pilot.pause()
        await start_case(pilot, 0)
        await play_steps(pilot, first, first.references[0].steps[:2])
        await keys(pilot, "escape", "y")
        await start_case(pilot, 1)
        step = second.references[0].steps[0]
        await do_act(pilot, second, step.do, step.at, step.params)
        await open_form(pilot, second.references[0].steps[1].do)
        assert isinstance(app.screen, ActionForm)
        clock.advance(LIMIT - 1)
        app.tick()
        await settle(pilot)
        assert isinstance(app.screen, ActionForm) and app.bundle_of(first.id) is None  # one second left
        clock.advance(30)  # the terminal was busy: the timer fires late
        app.tick()
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen) and len(app.screen_stack) == 1
        assert "时间到" in screen_text(app)
        [(title, message)] = [n for n in notes(messages) if n[0] == "时间到"]
        assert "已自动交卷" in message and first.title in message and second.title in message
        paths = [app.bundle_of(c) for c in PLAY_CASES]
        assert all(p is not None and p.is_file() for p in paths)
        assert all(str(p) in message for p in paths)  # the contestant is told where the files are
        # Nothing more can be played.
        await keys(pilot, "down", "enter")
        assert isinstance(app.screen, RoundScreen)
    acts = {}
    for p in paths:
        v = read_bundle(p, contest, library)
        acts[v.case] = len([e for e in json.loads(p.read_text("utf-8"))["payload"]["journal"] if e["t"] == "act"])
        assert v.finished.timestamp() <= FROZEN_WALL + LIMIT  # handed in as it stood at the end
    assert acts == {first.id: 2, second.id: 1}


async def test_resume_after_the_process_is_killed_keeps_the_acts_and_the_countdown(contest, library, home):
    out = home.parent / "before.json"
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parents[1])]),
        LAWDRILL_TEST_CONTEST_KEY=KEY,
    )
    proc = subprocess.run(
        [sys.executable, str(HERE / "killed_contest.py"), contest.path, str(home), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    before = json.loads(out.read_text(encoding="utf-8"))
    assert len(before["timeline"]) == 2
    sc = library.scenarios[PLAY_CASES[0]]

    clock = FakeClock(FROZEN_WALL + 600)  # ten minutes later: the countdown went on while the app was dead
    app = contest_app(contest, library, home, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen)
        assert "剩余 00:50:00" in screen_text(app)
        assert rows(app.screen.query_one("#round-cases"))[0][2] == "办理中"
        await keys(pilot, "enter")  # no second start dialog: the round is under way
        bench = app.screen
        assert isinstance(bench, ContestWorkbench)
        assert rows(bench.query_one("#timeline")) == before["timeline"]
        assert f"{bench.session.now:%Y-%m-%d %H:%M}" == before["now"]
        step = sc.references[0].steps[2]
        await do_act(pilot, sc, step.do, step.at, step.params)
        await keys(pilot, "f", "y")
        bundle = app.bundle_of(sc.id)
    v = read_bundle(bundle, contest, library)
    assert v.wall_seconds == 600
    entries = json.loads(bundle.read_text("utf-8"))["payload"]["journal"]
    assert [e["name"] for e in entries if e["t"] == "act"] == [s.do for s in sc.references[0].steps[:3]]


async def test_hand_in_all_from_the_list(contest, library, home):
    sc = library.scenarios[PLAY_CASES[0]]
    app = contest_app(contest, library, home, FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await start_case(pilot, 0)
        await play_steps(pilot, sc, sc.references[0].steps[:1])
        await keys(pilot, "escape", "y", "a")
        assert "另有 1 件尚未作答，不计成绩" in screen_text(app)
        await keys(pilot, "y")
        assert [r[2] for r in rows(app.screen.query_one("#round-cases"))] == ["已交卷", "未开始"]
        assert read_bundle(app.bundle_of(sc.id), contest, library).case == sc.id
        await keys(pilot, "up", "enter")  # during the round a handed-in case shows nothing
        assert isinstance(app.screen, RoundScreen)
        app.clock.now = cst("2026-05-29 12:00")  # the window has closed: the debrief is open to read
        app.tick()
        for _ in range(3):  # the time-up hand-in runs before the key
            await pilot.pause()
        await keys(pilot, "enter")
        assert isinstance(app.screen, DebriefScreen) and app.screen.session.scenario.id == sc.id
        await pilot.pause()
        assert f"{app.screen.result.score} 分" in screen_text(app) and "历史记录" not in screen_text(app)
        await keys(pilot, "escape")
        assert isinstance(app.screen, RoundScreen)


def run(argv: list[str], capsys) -> tuple[int, str]:
    from tui.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.err


def test_unknown_contestant_and_bad_contest_file_exit_2_without_traceback(contest, tmp_path, capsys):
    code, err = run(["contest", "run", contest.path, "--as", "p99", "--home", str(tmp_path / "h")], capsys)
    assert code == 2 and "参赛名单中没有编号为「p99」的选手" in err and "Traceback" not in err
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(contest.path).read_text("utf-8").replace("time_limit: 60 minutes", "time_limit: 一会儿"))
    code, err = run(["contest", "run", str(bad), "--as", "p01", "--home", str(tmp_path / "h")], capsys)
    assert code == 2 and "Traceback" not in err
    assert f"{bad}:12:5: 轮次「r1」的「time_limit」「一会儿」应写成分钟或小时" in err


def test_outside_the_round_window_is_refused(contest, library, tmp_path):
    from tui.cli.common import UsageError
    from tui.cli.contest import run_contest

    with pytest.raises(UsageError) as refused:  # the command line shows it and exits with status 2
        run_contest(contest, library, contest.contestant("p01"), home=tmp_path / "h",
                    clock=FakeClock(cst("2026-05-29 12:30")))  # between the two rounds
    err = f"{refused.value.message}\n{refused.value.hint}"
    assert "现在（2026-05-29 12:30）" in err
    assert "不在「南阳市乡镇执法大比武」任何一轮的比赛时间内" in err
    assert "第一轮 实操（r1）：2026-05-29 00:00 至 2026-05-29 12:00，限时 1 小时" in err


async def test_reopened_after_the_end_hands_in_at_once_as_it_stood(contest, library, home):
    """The terminal was closed mid-case and reopened after the time limit: the case is handed in on opening,
    stamped at the end of the limit (so it imports), with the acts the journal holds."""
    sc = library.scenarios[PLAY_CASES[0]]
    clock = FakeClock()
    app = contest_app(contest, library, home, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await start_case(pilot, 0)
        await play_steps(pilot, sc, sc.references[0].steps[:1])
    clock.advance(LIMIT + 3 * 3600)  # back three hours after the end (the window is still open)
    app = contest_app(contest, library, home, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen) and "时间到" in screen_text(app)
        bundle = app.bundle_of(sc.id)
        assert bundle is not None
    v = read_bundle(bundle, contest, library)
    assert v.wall_seconds == LIMIT and v.finished.timestamp() == FROZEN_WALL + LIMIT


async def test_a_damaged_journal_at_reopening_is_said_not_a_crash(contest, library, home):
    """A contestant's journal edited between two runs (issue 12): opening the case again says why it cannot be
    continued; the app, the round's list and the other cases stay usable."""
    app = contest_app(contest, library, home, FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await start_case(pilot, 0)
        await keys(pilot, "escape", "y")
        journal = Path(app.attempt_of(PLAY_CASES[0]).journal)
    lines = [json.loads(x) for x in journal.read_text(encoding="utf-8").splitlines()]
    journal.write_text("".join(json.dumps(e) + "\n" for e in [{**lines[0], "seed": "abc"}, *lines[1:]]),
                       encoding="utf-8")
    messages: list = []
    app = contest_app(contest, library, home, FakeClock(FROZEN_WALL + 60))
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await pilot.pause()
        await keys(pilot, "enter")
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen)
        [(title, message)] = [n for n in notes(messages) if n[0] == "无法继续本案"]
        assert "格式不正确" in message and "内部错误" not in message, message
        await start_case(pilot, 1)  # the next case still opens
