"""Case analysis in the trainee app (library key a): the sheet answered by keys only — citations typed and
read by the documents' parser, or picked from the catalogue — handed in, scored element by element with the
reasons on the result screen, recorded in the store so the weak-spot statistics and the drill see it;
snapshots at 80x24."""

from __future__ import annotations

import attrs
from sheet_helpers import fill_analysis, hand_in
from tui_helpers import FIXTURE_CASE, FROZEN_WALL, keys, settle, screen_text, type_into

from sim.analysis import Citation, own_answer

SIZE = (80, 24)


def app_for(library, tmp_path, **kw):
    from tui.app import make_app

    return make_app(library, home=tmp_path / "home", trainee="王小明", clock=lambda: FROZEN_WALL, **kw)


async def open_analysis(pilot, case_id: str) -> None:
    await settle(pilot)
    table = pilot.app.screen.query_one("#cases")
    table.move_cursor(row=table.get_row_index(case_id))
    await keys(pilot, "a")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "AnalysisScreen"
    assert pilot.app.screen.scenario.id == case_id


async def test_the_case_own_data_typed_by_keys_scores_100_and_is_recorded(library, tmp_path) -> None:
    sc = library.scenarios["straw-burning-01"]
    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot, sc.id)
        assert "案由" in screen_text(app) and "作答" in screen_text(app)
        await fill_analysis(pilot, library, own_answer(sc))
        assert app.screen.answer() == attrs.evolve(
            own_answer(sc), violated=tuple(Citation(text=library.articles[c.key].label) for c in own_answer(sc).violated),
            basis=tuple(Citation(text=library.articles[c.key].label) for c in own_answer(sc).basis))
        await hand_in(pilot)
        text = screen_text(app)
        assert type(app.screen).__name__ == "AnalysisResultScreen"
        assert "100 分" in text and "✗" not in text, text
        sheets = app.store.sheets("王小明")
        assert [(s.kind, s.ref, s.score, s.articles) for s in sheets] == [("analysis", sc.id, 100, ())]
        await keys(pilot, "escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "LibraryScreen"


async def test_mistakes_are_explained_element_by_element_and_feed_the_weak_spots(library, tmp_path) -> None:
    from sim.weakspots import article_spots

    sc = library.scenarios["fire-lane-01"]
    right = own_answer(sc)
    (basis,) = right.basis
    assert basis.key == "消防法#60.2"
    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot, sc.id)
        # 消防法第60条第1款 typed with Arabic numerals and the short name: read by the parser, but the wrong 款.
        await fill_analysis(pilot, library, attrs.evolve(right, basis=(), violated=()))
        await type_into(pilot, "an-basis", "消防法第60条第1款")
        assert "识别为 《消防法》第六十条第一款" in screen_text(app) or "识别为" in str(
            app.screen.query_one("#an-basis-read").render())
        await type_into(pilot, "an-violated", "违反了某某规定")
        assert "无法识别" in str(app.screen.query_one("#an-violated-read").render())
        await hand_in(pilot)
        result = app.screen
        assert result.score.points < 100
        text = str(result.query_one("#an-result").render())
        assert "✗ 处罚（处理）依据" in text and "款、项引用错误" in text and "第六十条第二款" in text
        assert "无法识别的条文「违反了某某规定」" in text
        assert "✓ 案由" in text
        spots = article_spots(app.store, library, trainee="王小明")
        assert "消防法#60.2" in {w.article for w in spots}
        await keys(pilot, "escape")
        await settle(pilot)
        # The drill (key k) aims at what the analysis missed.
        await keys(pilot, "k")
        await settle(pilot)
        assert "针对薄弱条文：《消防法》第六十条第二款" in screen_text(app)


async def test_a_citation_picked_from_the_catalogue(library, tmp_path) -> None:
    sc = library.scenarios["straw-burning-01"]
    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot, sc.id)
        await type_into(pilot, "an-basis", "")  # waits for the focus: Ctrl+O picks for the focused field
        await keys(pilot, "ctrl+o")
        await settle(pilot)
        assert type(app.screen).__name__ == "ArticlePicker"
        await keys(pilot, *"大气污染防治法 第一百一十九条", "enter")
        await settle(pilot)
        if type(app.screen).__name__ == "ArticlePicker":  # several matched: Enter on the highlighted one
            await keys(pilot, "enter")
        await settle(pilot)
        assert app.screen.query_one("#an-basis").value.startswith("《大气污染防治法》第一百一十九条")
        assert app.screen.answer().basis[0].text.startswith("《大气污染防治法》第一百一十九条")


async def test_leaving_unanswered_says_it_is_not_recorded(library, tmp_path) -> None:
    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot, "straw-burning-01")
        await keys(pilot, "ctrl+t")
        assert app.screen.query_one("#an-tabs").active == "an-tab-facts"
        assert "本案证据材料" in screen_text(app) or app.screen.query_one("#an-evidence")
        await keys(pilot, "escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "LibraryScreen"
        assert app.store.sheets("王小明") == []


def test_analysis_sheet_snapshot(snap_compare, fixture_library, tmp_path):
    assert snap_compare(app_for(fixture_library, tmp_path), press=["a"], terminal_size=SIZE)


def test_analysis_result_snapshot(snap_compare, fixture_library, tmp_path):
    async def run_before(pilot):
        await settle(pilot)
        await keys(pilot, "a")
        await settle(pilot)
        right = own_answer(fixture_library.scenarios[FIXTURE_CASE])
        one = {k: v[:1] for k, v in right.evidence.items()}  # one piece of evidence missing
        await fill_analysis(pilot, fixture_library, attrs.evolve(right, evidence=one))
        await hand_in(pilot)

    assert snap_compare(app_for(fixture_library, tmp_path), terminal_size=SIZE, run_before=run_before)


async def test_every_bundled_case_is_answerable_on_the_sheet_and_scores_100(library, tmp_path) -> None:
    """Each case of the library opens as an analysis sheet; its own answer, with the citations as typed text,
    put on the form and read back, scores 100 on the result screen."""
    from tui.trainee.analysis import AnalysisResultScreen, AnalysisScreen

    app = app_for(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for case_id in sorted(library.scenarios):
            sc = library.scenarios[case_id]
            right = own_answer(sc)
            typed = attrs.evolve(right, violated=tuple(Citation(text=library.articles[c.key].label) for c in right.violated),
                                 basis=tuple(Citation(text=library.articles[c.key].label) for c in right.basis))
            await app.push_screen(AnalysisScreen(sc, answer=typed))
            await settle(pilot)
            assert app.screen.answer() == typed, case_id
            await keys(pilot, "ctrl+s")
            assert isinstance(app.screen, AnalysisResultScreen), case_id
            assert app.screen.score.points == 100, (case_id, app.screen.score.mistakes)
            await keys(pilot, "escape")
            await settle(pilot)
        assert len(app.store.sheets("王小明")) == len(library.scenarios)
