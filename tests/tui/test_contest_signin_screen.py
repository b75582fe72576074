"""Sign-in (签到) in the contest app: the code from the slip opens the round; wrong, revoked, another
contestant's and in-use codes are refused on screen; a closed session resumes on the same place; wrong codes
in a row lock the screen for a while; a hand-in goes straight into the contest store (SQLite, and PostgreSQL
when a server is available), and importing the outbox afterwards reports it as already stored.

The wall clock is a FakeClock the test moves by hand; no sleeping."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from contest_helpers import PLAY_CASES, FakeClock, contest_key, load, write_contest
from textual.notifications import Notify
from tui_helpers import FIXTURE_CASE, keys, play_steps, screen_text, settle

from sim.contest import ContestStore
from sim.contest import signin as codes
from tui.contest.app import make_contest_app
from tui.contest.round import ContestBriefing, ContestWorkbench, RoundScreen
from tui.contest.signin import SignInScreen
from tui.widgets.dialogs import ConfirmDialog

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/contest_support.py: the pg_url fixture
from contest_support import pg_url  # noqa: E402

__all__ = ["contest_key", "pg_url"]  # fixtures, imported for pytest

ROOT = Path(__file__).resolve().parents[2]
DEAD = "999999999:gone"  # a holder process that does not exist


@pytest.fixture
def contest(tmp_path, library, contest_key):
    return load(write_contest(tmp_path / "contest"), library)


@pytest.fixture
def store(tmp_path):
    with ContestStore.open(None, home=tmp_path / "server") as s:
        yield s


def issued(store, contest) -> dict[str, str]:
    return {c.contestant.id: c.code for c in codes.issue_codes(store, contest)}


def desk(store, contest, home: Path, clock, *, expected: str | None = None, holder: str = "test:1"):
    return codes.SignInDesk(store, contest, "r1", codes.place_of(home), expected=expected, clock=clock,
                            holder=holder)


def app_for(contest, library, home, clock, the_desk, *, results=None, who: str | None = None):
    person = contest.contestant(who) if who else None
    return make_contest_app(contest, contest.round("r1"), person, library, home=home, clock=clock,
                            desk=the_desk, results=results)


def notes(messages: list) -> list[tuple[str, str]]:
    return [(m.notification.title, m.notification.message) for m in messages if isinstance(m, Notify)]


async def type_code(pilot, text: str) -> None:
    await pilot.press(*text)
    await keys(pilot, "enter")
    await settle(pilot)


def answer(app) -> str:
    return str(app.screen.query_one("#signin-message").render())


async def test_the_code_names_the_contestant_and_opens_the_round(contest, library, home, store):
    mine = issued(store, contest)
    messages: list = []
    app = app_for(contest, library, home, FakeClock(), desk(store, contest, home, FakeClock()))
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        text = screen_text(app)
        assert "参赛签到" in text and "南阳市乡镇执法大比武 · 第一轮 实操" in text
        assert "王小明" not in text  # nobody is named before a code is accepted
        await type_code(pilot, mine["p02"].lower()[:4] + " " + mine["p02"][4:])  # case and spaces do not matter
        assert isinstance(app.screen, RoundScreen)
        assert app.contestant.id == "p02" and "李华（石桥镇）p02" in screen_text(app)
        assert ("签到成功", "李华（石桥镇）p02") in notes(messages)


async def test_wrong_revoked_and_malformed_codes_are_refused(contest, library, home, store):
    old = issued(store, contest)["p01"]
    (new,) = codes.issue_codes(store, contest, reissue=["p01"])
    app = app_for(contest, library, home, FakeClock(), desk(store, contest, home, FakeClock()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        wrong = "".join("A" if ch != "A" else "B" for ch in old)  # a well-formed code issued to nobody
        await type_code(pilot, wrong)
        assert isinstance(app.screen, SignInScreen) and "签到码不正确" in answer(app)
        assert app.screen.query_one("#signin-code").value == ""  # cleared for the next try
        await type_code(pilot, "0O1I0O1I")
        assert "不含 0、O、1、I" in answer(app)
        await type_code(pilot, old)
        assert "已作废" in answer(app) and isinstance(app.screen, SignInScreen)
        await type_code(pilot, new.code)
        assert isinstance(app.screen, RoundScreen) and app.contestant.id == "p01"


async def test_another_contestants_code_is_refused_for_as(contest, library, home, store):
    """`contest run --as p01` without --code: the screen names p01 and takes only p01's code."""
    mine = issued(store, contest)
    the_desk = desk(store, contest, home, FakeClock(), expected="p01")
    app = app_for(contest, library, home, FakeClock(), the_desk, who=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "参赛人员：王小明（城关镇）p01" in screen_text(app)
        await type_code(pilot, mine["p02"])
        assert "这不是本人的签到码" in answer(app) and isinstance(app.screen, SignInScreen)
        await type_code(pilot, mine["p01"])
        assert isinstance(app.screen, RoundScreen) and app.contestant.id == "p01"
    # p02's code was not used up by the refusal.
    assert codes.sign_in(store, contest, mine["p02"], round_id="r1", place="elsewhere", holder=DEAD).ok


async def test_a_used_code_resumes_here_and_is_refused_elsewhere_or_while_held(contest, library, home, store,
                                                                               tmp_path):
    code = issued(store, contest)["p01"]
    clock = FakeClock()
    messages: list = []
    app = app_for(contest, library, home, clock, desk(store, contest, home, clock, holder=DEAD))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await type_code(pilot, code)
        await keys(pilot, "enter", "y")  # open the first case: the countdown starts
        assert isinstance(app.screen, ContestBriefing)
        started = app.started_at
    assert started is not None
    # The session's process has ended (DEAD): the same code at the same place takes the session up again.
    clock.advance(600)
    again = app_for(contest, library, home, clock, desk(store, contest, home, clock, holder=codes.holder_of()))
    async with again.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await pilot.pause()
        await type_code(pilot, code)
        assert isinstance(again.screen, RoundScreen)
        assert again.started_at == started and "剩余 00:50:00" in screen_text(again)
        assert ("签到成功", "王小明（城关镇）p01，继续上次的作答") in notes(messages)
        # While this session holds the code (this very process is alive), a second sign-in is refused...
        held = codes.sign_in(store, contest, code, round_id="r1", place=codes.place_of(home),
                             holder="someone-else:1")
        assert (held.ok, held.code) == (False, "in_use") and "正在另一处使用中" in held.message
    # ...and at another place (another host or data directory) always: the journals are not there.
    other = codes.sign_in(store, contest, code, round_id="r1", place=codes.place_of(tmp_path / "other"),
                          holder=DEAD)
    assert (other.ok, other.code) == (False, "other_place") and "已在另一处签到使用" in other.message


async def test_wrong_codes_in_a_row_lock_the_screen_for_a_while(contest, library, home, store):
    code = issued(store, contest)["p01"]
    clock = FakeClock()
    app = app_for(contest, library, home, clock, desk(store, contest, home, clock))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(4):
            await type_code(pilot, "AAAABBBB")
            assert answer(app).startswith("签到码不正确") and "输错次数过多" not in answer(app)
        await type_code(pilot, "AAAABBBB")
        assert "输错次数过多，30 秒后可再次输入" in answer(app)
        await type_code(pilot, code)  # even the right code waits
        assert isinstance(app.screen, SignInScreen) and "30 秒后可再次输入" in answer(app)
        clock.advance(31)
        await type_code(pilot, code)
        assert isinstance(app.screen, RoundScreen)


def test_sign_in_screen_at_80x24(snap_compare, fixture_library, tmp_path, contest_key):
    """The sign-in screen after one wrong code, at 80x24, on the tests' own library."""
    from contest_helpers import TRAP

    contest = load(write_contest(tmp_path / "contest", play=(FIXTURE_CASE,), review=(FIXTURE_CASE, TRAP)),
                   fixture_library)
    s = ContestStore.open(None, home=tmp_path / "server")
    codes.issue_codes(s, contest)
    clock = FakeClock()
    app = app_for(contest, fixture_library, tmp_path / "home", clock, desk(s, contest, tmp_path / "home", clock))

    async def run_before(pilot):
        await type_code(pilot, "AAAA-BBBB")

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
    finally:
        s.close()


async def _hand_in_one_case(contest, library, home, results) -> Path:
    """Sign in as p01, play the first case's reference path, hand it in; returns the bundle file."""
    code = {c.contestant.id: c.code for c in codes.issue_codes(results, contest)}["p01"]
    sc = library.scenarios[PLAY_CASES[0]]
    clock = FakeClock()
    messages: list = []
    app = app_for(contest, library, home, clock, desk(results, contest, home, clock), results=results)
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await pilot.pause()
        await type_code(pilot, code)
        await keys(pilot, "enter", "y", "enter")
        assert isinstance(app.screen, ContestWorkbench)
        await play_steps(pilot, sc, [s for s in sc.references[0].steps if s.do != "finish"])
        clock.advance(600)
        await keys(pilot, "f")
        assert isinstance(app.screen, ConfirmDialog)
        await keys(pilot, "y")
        assert isinstance(app.screen, RoundScreen)
        bundle = app.bundle_of(sc.id)
    assert not [n for n in notes(messages) if n[0] in ("成绩未能入库", "成绩库暂时无法写入")], notes(messages)
    assert bundle is not None and bundle.is_file()  # the archive copy is written as before
    return bundle


def _stored(store, contest) -> list[tuple[str, str, str, int]]:
    return [(r.contestant_id, r.round_id, r.case, r.score) for r in store.results(contest.id)]


async def test_hand_in_goes_straight_into_the_store_and_reimport_is_idempotent(contest, library, home, store,
                                                                               tmp_path, contest_key):
    bundle = await _hand_in_one_case(contest, library, home, store)
    assert _stored(store, contest) == [("p01", "r1", PLAY_CASES[0], 100)]
    # The organiser later imports the outbox from the same store: nothing new, exit 0.
    store_url = store.url
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "contest", "import", str(contest.path), str(bundle.parent),
         "--store", store_url, "--json"],
        capture_output=True, text=True, cwd=ROOT, env={**_env(), "LAWDRILL_TEST_CONTEST_KEY": contest_key})
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert (report["imported"], report["already_stored"], report["rejected"]) == (0, 1, 0)
    assert "已导入过" in report["outcomes"][0]["message"]
    assert _stored(store, contest) == [("p01", "r1", PLAY_CASES[0], 100)]


async def test_hand_in_goes_into_postgresql(contest, library, home, pg_url):
    with ContestStore.open(pg_url) as pg:
        await _hand_in_one_case(contest, library, home, pg)
        assert _stored(pg, contest) == [("p01", "r1", PLAY_CASES[0], 100)]


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "LAWDRILL_TEST_CONTEST_KEY"}
