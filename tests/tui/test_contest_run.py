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
from tui.contest.round import ContestBriefing, ContestCaseSheet, ContestWorkbench, RoundScreen
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
    """On the round's list: move to the case, open it (confirming the start of the round the first time) on its
    briefing, and go on to the workbench."""
    table = pilot.app.screen.query_one("#round-cases")
    table.move_cursor(row=index)
    await keys(pilot, "enter")
    if isinstance(pilot.app.screen, ConfirmDialog):
        assert "开始后计时 1 小时" in screen_text(pilot.app)
        await keys(pilot, "y")
    assert isinstance(pilot.app.screen, ContestBriefing)
    await keys(pilot, "enter")
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
        # Handed in unfinished by the clock: scored as any hand-in, so the ending is a critical finding (the
        # case is not lawfully concluded) naming the stages not reached, and the case does not pass.
        ending = [f for f in v.details["findings"] if f["rule_id"] == "case-left-open"]
        assert len(ending) == 1 and ending[0]["severity"] == "critical", v.rules
        omitted = [o["label"] for o in ending[0]["omitted"]]
        assert omitted[0] == "未作出处罚决定" and "决定书未送达" in omitted and "案件未结案归档" in omitted
        assert v.criticals >= 1 and v.details["vetoed"] and not v.details["passed"]
        assert v.details["grade"] == "不合格" and v.details["state"] != "closed"
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
        assert isinstance(app.screen, ContestBriefing) and "按 Enter 继续办理" in screen_text(app)
        await keys(pilot, "enter")
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
        assert isinstance(app.screen, ContestBriefing)  # the case opens on its briefing; going on replays it
        await keys(pilot, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ContestBriefing)  # refused with a message: the briefing stays
        await keys(pilot, "escape")
        assert isinstance(app.screen, RoundScreen)
        [(title, message)] = [n for n in notes(messages) if n[0] == "无法继续本案"]
        assert "格式不正确" in message and "内部错误" not in message, message
        await start_case(pilot, 1)  # the next case still opens


async def test_each_case_opens_on_its_briefing_and_b_shows_it_again_at_80x24(contest, library, home):
    """The contestant reads the case before the first act (facts, party, what is asked), goes on with Enter,
    and gets the same briefing back with b while the clock runs on; Esc returns to the case as it stood."""
    sc = library.scenarios[PLAY_CASES[0]]
    clock = FakeClock()
    app = contest_app(contest, library, home, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await keys(pilot, "enter", "y")
        brief = app.screen
        assert isinstance(brief, ContestBriefing) and app.started_at == FROZEN_WALL  # reading counts
        shown = screen_text(app)
        assert f"案情简介 · {sc.title}"[:30] in shown and "剩余 01:00:00" in shown
        assert "开始办理" in shown and "返回列表" in shown  # the footer's keys
        assert app.attempt_of(sc.id) is None  # nothing to hand in until the contestant begins
        assert "请依法办理本案：调查取证、立案、告知、作" in shown  # what the contestant is asked to do
        assert "当事人　李某　公民　李庄村三组" in shown and "交卷时按是否依法办结评分" in shown
        await keys(pilot, "end")  # the whole team is below: the body scrolls
        await pilot.wait_for_scheduled_animations()  # the scroll is animated; a loaded host lags behind it
        await pilot.pause()
        assert "孙伟　执法队员　豫执A41120417　〔执法证已过有效期〕" in screen_text(app)
        await keys(pilot, "enter")
        bench = app.screen
        assert isinstance(bench, ContestWorkbench) and len(app.screen_stack) == 2  # the briefing gave way
        assert "b 案情" in screen_text(app)
        await play_steps(pilot, sc, sc.references[0].steps[:1])
        await keys(pilot, "b")
        assert isinstance(app.screen, ContestCaseSheet) and app.screen.scenario is sc
        clock.advance(61)
        app.tick()
        await settle(pilot)
        shown = screen_text(app)
        assert "剩余 00:58:59" in shown and "返回办案" in shown and sc.title[:10] in shown
        await keys(pilot, "escape")
        assert app.screen is bench and len(bench.session.acts) == 1
        await keys(pilot, "ctrl+p")  # the command palette lists it too
        await keys(pilot, *"案情简介")
        await settle(pilot)
        assert "再看一遍本案的案情" in screen_text(app)


async def test_time_out_on_the_briefing_hands_in_only_what_was_begun(contest, library, home):
    clock = FakeClock()
    app = contest_app(contest, library, home, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await start_case(pilot, 0)
        await keys(pilot, "b")
        assert isinstance(app.screen, ContestCaseSheet)
        clock.advance(LIMIT)
        app.tick()
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen) and len(app.screen_stack) == 1
        assert app.bundle_of(PLAY_CASES[0]) is not None and app.bundle_of(PLAY_CASES[1]) is None
        await keys(pilot, "down", "enter")  # the unopened case cannot be opened any more
        assert isinstance(app.screen, RoundScreen)


async def test_practice_round_debrief_withholds_the_reference_path_until_the_round_closes(
    tmp_path, library, home, contest_key
):
    """A practice round shows the result at hand-in: the findings, but not the model answer while other
    contestants may still be playing; after the round's window closes the same debrief shows it."""
    contest = load(write_contest(tmp_path / "practice", play_mode="practice"), library)
    sc = library.scenarios[PLAY_CASES[0]]
    ref_name = sc.references[0].name
    clock = FakeClock()
    app = contest_app(contest, library, home, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await start_case(pilot, 0)
        await play_steps(pilot, sc, sc.references[0].steps[:3])
        await keys(pilot, "f", "y")
        assert isinstance(app.screen, RoundScreen) and app.results_visible()
        await keys(pilot, "enter")
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        await pilot.pause()
        shown = debrief.query_one("#reference").content.plain
        assert shown == "参考路径在本轮结束（2026-05-29 12:00）后公布。"
        assert "案件未依法办结" in debrief.query_one("#findings").content.plain  # the findings are named
        assert ref_name not in screen_text(app)
        md, page = debrief.export(("md", "html"))
        for path in (md, page):
            text = path.read_text("utf-8")
            assert "案件未依法办结" in text and "参考路径" not in text and ref_name not in text
        await keys(pilot, "escape")
        clock.now = cst("2026-05-29 12:00")  # the window closes
        app.tick()
        for _ in range(3):
            await pilot.pause()
        await keys(pilot, "enter")
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        await pilot.pause()
        assert f"参考路径「{ref_name}」"[:20] in screen_text(app)
        assert "后公布" not in debrief.query_one("#reference").content.plain
        [md] = debrief.export(("md",))
        assert f"## 参考路径「{ref_name}」" in md.read_text("utf-8")


async def test_the_clock_tick_before_a_header_is_mounted_does_not_crash_the_round(contest, library, home):
    """Under load (50 served rounds on 2 cores) the one-second tick found a freshly composed header whose clock
    was not mounted yet, and the app died with NoMatches. The tick skips such a header; its mount shows the time."""
    from tui.contest.round import ContestHeader

    app = contest_app(contest, library, home, FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await start_case(pilot, 0)
        header = ContestHeader()
        header.show_time()  # composed, not mounted: what the tick met
        await app.screen.mount(header)
        app.tick()
        await pilot.pause()
        assert "剩余 01:00:00" in str(header.query_one("#contest-clock").render())


async def test_the_clock_tick_repaints_only_the_clock_on_screen(contest, library, home):
    """The countdown changes once a second; only the header on screen may be redrawn. The tick used to update the
    header of every screen in the stack, and a change to the round's list hidden under the workbench made Textual
    repaint the whole workbench: a served round sent its whole terminal once a second (3.7 kB/s at 100×30, 2 % of
    a core per idle contestant; part of what starved a host serving 50). A header hidden meanwhile shows the time
    again as soon as its screen is back on top."""
    app = contest_app(contest, library, home, FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await start_case(pilot, 0)
        # The workbench's own settling first (a scroll into view, a scrollbar shown under load): not the tick's.
        await app.workers.wait_for_complete()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        bench = app.screen
        assert isinstance(app.screen_stack[-2], RoundScreen)
        compositor = bench._compositor
        repainted: list = []
        render_update = compositor.render_update

        def spy(*args, **kwargs):
            repainted.extend(compositor._dirty_regions)
            return render_update(*args, **kwargs)

        compositor.render_update = spy
        for _ in range(3):
            app.clock.advance(1)
            app.tick()
            await pilot.pause()
            await pilot.pause()
        compositor.render_update = render_update
        assert "剩余 00:59:57" in screen_text(app)
        assert repainted and all(r.y == 0 and r.height == 1 for r in repainted), repainted  # the header line only
        await keys(pilot, "escape", "y")  # back to the list, its header not ticked while hidden
        assert isinstance(app.screen, RoundScreen)
        await pilot.pause()
        assert "剩余 00:59:57" in screen_text(app)
