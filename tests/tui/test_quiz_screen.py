"""The knowledge paper in the trainee app (library key k): answered by keys only, handed in, scored, recorded
in the store; snapshots at 80x24."""

from __future__ import annotations

from sheet_helpers import answer_question as answer
from tui_helpers import FROZEN_WALL, keys, screen_text, settle

SIZE = (80, 24)


def app_for(library, tmp_path, **kw):
    from tui.app import make_app

    return make_app(library, home=tmp_path / "home", trainee="王小明", clock=lambda: FROZEN_WALL, **kw)


async def test_paper_answered_by_keys_scores_and_is_recorded(library, tmp_path) -> None:
    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await keys(pilot, "k")
        await settle(pilot)
        screen = pilot.app.screen
        assert type(screen).__name__ == "QuizScreen"
        text = screen_text(pilot.app)
        assert "法律知识练习" in text and "第 1/10 题" in text
        assert pilot.app.focused is not None and pilot.app.focused.id in ("quiz-options", "quiz-input")
        items = screen.paper.items
        for n, item in enumerate(items):
            await answer(pilot, item, right=n != 0)  # the first one wrong
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "得分：90 分（答对 9 / 10 题）" in text, text
        assert "第 1 题" in text and "正确答案：" in text and "依据：《" in text
        sheets = pilot.app.store.sheets("王小明")
        assert [(s.kind, s.score) for s in sheets] == [("quiz", 90)]
        assert set(sheets[0].articles) == set(items[0].question.articles)
        await keys(pilot, "escape")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "LibraryScreen"
        # The next paper aims at what was missed.
        await keys(pilot, "k")
        await settle(pilot)
        assert "针对薄弱条文" in screen_text(pilot.app)


def test_quiz_snapshot(snap_compare, fixture_library, tmp_path):
    assert snap_compare(app_for(fixture_library, tmp_path), press=["k"], terminal_size=SIZE)


def test_quiz_result_snapshot(snap_compare, fixture_library, tmp_path):
    async def run_before(pilot):
        await keys(pilot, "k")
        await settle(pilot)
        await keys(pilot, "ctrl+s")
        await settle(pilot)

    assert snap_compare(app_for(fixture_library, tmp_path), terminal_size=SIZE, run_before=run_before)


async def test_who_decides_contents_and_service_questions_answered_by_keys(library, tmp_path) -> None:
    """The generated 谁来决定, 文书内容 and 送达方式 questions on the screen: each stem and every option readable
    at 80x24 (the body scrolls), answered by keys, scored 100 and recorded with their articles."""
    from sim.quiz import draw_paper, question_bank
    from tui.trainee.quiz import QuizScreen

    families = {"authority", "contents", "service"}
    paper = draw_paper(question_bank(library), 17, 6, keep=lambda q: q.family in families)
    assert {i.question.family for i in paper.items} == families
    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.push_screen(QuizScreen(paper, "法律知识练习"))
        await settle(pilot)
        for item in paper.items:
            stem = pilot.app.screen.query_one("#quiz-stem").render()
            assert item.question.stem.splitlines()[0][:20] in str(stem)
            options = pilot.app.screen.query_one("#quiz-options")
            assert options.option_count == len(item.order)
            for n, o in enumerate(item.options()):
                assert o.label in str(options.get_option_at_index(n).prompt), (item.question.id, o.label)
            await answer(pilot, item)
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "得分：100 分（答对 6 / 6 题）" in text, text
        sheets = pilot.app.store.sheets("王小明")
        assert [(s.kind, s.score) for s in sheets] == [("quiz", 100)]
