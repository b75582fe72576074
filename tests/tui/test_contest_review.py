"""Review round (案卷评查): the contestant reads the finished case file, marks defects with rules, hands in."""

from __future__ import annotations

import json

import pytest
from contest_helpers import REVIEW_CASE, REVIEW_TRAP, FakeClock, contest_app, contest_key, cst, load, write_contest
from tui_helpers import keys, screen_text

from sim.contest import answer_key, read_bundle
from tui.contest.review import ReviewScreen, RulePicker
from tui.contest.round import ContestBriefing
from tui.contest.round import RoundScreen
from tui.widgets.dialogs import ConfirmDialog, InfoDialog

__all__ = ["contest_key"]

REF = f"{REVIEW_CASE}#{REVIEW_TRAP}"


def review_contest(tmp_path, library, mode: str):
    return load(write_contest(tmp_path / f"contest-{mode}", review_mode=mode), library)


async def mark(pilot, rule_title: str, *, whole: bool = False) -> None:
    """m (the highlighted step) or w (the whole file), type part of the rule's title, Enter."""
    await keys(pilot, "w" if whole else "m")
    assert isinstance(pilot.app.screen, RulePicker)
    await keys(pilot, *rule_title, "enter")
    if isinstance(pilot.app.screen, RulePicker):  # several rules matched: take the highlighted one
        await keys(pilot, "enter")
    assert isinstance(pilot.app.screen, ReviewScreen)


async def open_review(pilot) -> ReviewScreen:
    await pilot.pause()
    await keys(pilot, "enter")
    assert isinstance(pilot.app.screen, ConfirmDialog)
    await keys(pilot, "y")
    assert isinstance(pilot.app.screen, ContestBriefing)  # every entry opens on the case's briefing
    await keys(pilot, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


@pytest.mark.parametrize("mode", ["exam", "practice"])
async def test_marking_the_defects_and_handing_in_puts_the_answers_in_the_bundle(tmp_path, library, home, contest_key, mode):
    contest = review_contest(tmp_path, library, mode)
    sc = library.scenarios[REVIEW_CASE]
    titles = {r.id: r.title for r in sc.procedure.rules}
    defects = answer_key(sc, REVIEW_TRAP)
    clock = FakeClock(cst("2026-05-29 13:05"))
    app = contest_app(contest, library, home, clock, round_id="r2")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        text = screen_text(app)
        assert "案卷评查 · 麦收期间露天焚烧秸秆" in text and "剩余 00:30:00" in text
        steps = screen.query_one("#review-steps")
        assert steps.row_count == len(screen.file.steps) and steps.get_row_at(0)[0] == "1"
        # Every defect of the answer key, at its step (or on the whole file), by its rule's title…
        for d in defects:
            await mark(pilot, titles[d.rule_id], whole=d.step is None)
        # …plus one wrong mark, seen in the list and then removed.
        await mark(pilot, "超出法定幅度")
        marks = screen.query_one("#review-marks")
        assert marks.option_count == len(defects) + 1
        wrong = next(
            i for i in range(marks.option_count) if "超出法定幅度" in marks.get_option_at_index(i).prompt.plain
        )
        marks.focus()
        marks.highlighted = wrong
        await keys(pilot, "d")
        assert marks.option_count == len(defects)
        assert "超出法定幅度" not in screen_text(app)
        clock.advance(600)
        await keys(pilot, "f")
        assert isinstance(app.screen, ConfirmDialog) and f"已标记 {len(defects)} 处" in app.screen.text
        await keys(pilot, "y")
        await pilot.pause()
        if mode == "practice":  # the score at once
            assert isinstance(app.screen, InfoDialog)
            shown = screen_text(app)
            assert "100 分" in shown and "查准率 100%　查全率 100%" in shown
            await keys(pilot, "escape")
        assert isinstance(app.screen, RoundScreen)
        assert "100 分" not in screen_text(app)
        bundle = app.bundle_of(REF)
    expected = sorted(({"step": d.step or 0, "rule": d.rule_id} for d in defects), key=json.dumps)
    answers = json.loads(bundle.read_text("utf-8"))["payload"]["answers"]
    assert sorted(answers["marks"], key=json.dumps) == expected
    assert answers["handed_in"] - answers["started"] == 600
    verified = read_bundle(bundle, contest, library)
    assert verified.kind == "review" and verified.score == 100 and verified.criticals == 0


async def test_exam_review_score_hidden_until_the_round_is_over(tmp_path, library, home, contest_key):
    contest = review_contest(tmp_path, library, "exam")
    clock = FakeClock(cst("2026-05-29 13:05"))
    app = contest_app(contest, library, home, clock, round_id="r2")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot)
        await mark(pilot, "未出示执法证件")
        await keys(pilot, "f", "y")
        assert isinstance(app.screen, RoundScreen) and "成绩在本轮结束后公布" in screen_text(app)
        await keys(pilot, "enter")
        assert isinstance(app.screen, RoundScreen)  # during the round: no score
        clock.now = cst("2026-05-29 18:00")  # the window closes
        app.tick()  # what the once-a-second timer does: time is up, and the hand-in runs first
        for _ in range(3):
            await pilot.pause()
        assert app.timed_out and isinstance(app.screen, RoundScreen)
        app.screen.show_round()
        await keys(pilot, "enter")
        assert isinstance(app.screen, InfoDialog)
        shown = screen_text(app)
        assert "漏查否决项" in shown and "无执法资格人员参与执法" in shown


async def test_rule_list_shows_every_rule_and_not_which_fired(tmp_path, library, home, contest_key):
    contest = review_contest(tmp_path, library, "exam")
    sc = library.scenarios[REVIEW_CASE]
    app = contest_app(contest, library, home, FakeClock(cst("2026-05-29 13:05")), round_id="r2")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot)
        await keys(pilot, "m")
        picker = app.screen
        assert isinstance(picker, RulePicker)
        options = picker.query_one("#rule-list")
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert sorted(ids) == sorted(r.id for r in sc.procedure.rules)  # all of them, fired or not
        titles = [next(r.title for r in sc.procedure.rules if r.id == i) for i in ids]
        assert titles == sorted(titles)  # by title: the order says nothing either
        await keys(pilot, *"送达")
        assert 0 < options.option_count < len(ids)
        await keys(pilot, "escape")
        assert isinstance(app.screen, ReviewScreen) and app.review_marks(REF) == []


async def test_time_out_hands_in_the_marks_made_so_far(tmp_path, library, home, contest_key):
    contest = review_contest(tmp_path, library, "exam")
    clock = FakeClock(cst("2026-05-29 13:05"))
    app = contest_app(contest, library, home, clock, round_id="r2")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot)
        await mark(pilot, "未出示执法证件")
        await keys(pilot, "m")  # picking the next rule when the time runs out
        clock.advance(30 * 60)
        app.tick()
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen) and len(app.screen_stack) == 1
        assert "时间已到，已交卷 1 / 1 件" in screen_text(app)
        bundle = app.bundle_of(REF)
    verified = read_bundle(bundle, contest, library)
    assert verified.details["matched"] == [{"step": 1, "rule": "credentials-not-shown"}]
    assert verified.wall_seconds == 30 * 60
