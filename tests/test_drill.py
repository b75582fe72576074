"""Weak spots by article from play, papers and analyses, and `lawdrill drill` aimed at them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sim import load_library
from sim.analysis import own_answer, score_analysis
from sim.quiz import question_bank
from sim.store import Store
from sim.weakspots import article_spots, drill_paper, weak_spots
from tui.cli import main
from tui.cli.drill import parse_response


@pytest.fixture(scope="module")
def lib():
    return load_library()


def _record_analysis(store: Store, lib, case: str, answer) -> None:
    s = score_analysis(lib.scenarios[case], answer, lib.articles)
    store.record_sheet(trainee="李明", kind="analysis", ref=case, title="x", score=s.points, rules=(),
                       articles=s.missed_articles, finished=1.0, township="城关镇")


def test_sheets_feed_the_rule_and_article_statistics(lib, tmp_path: Path) -> None:
    import attrs

    store = Store(tmp_path)
    q = next(q for q in question_bank(lib) if q.rules and q.articles)
    store.record_sheet(trainee="李明", kind="quiz", ref="drill", title="x", score=0, rules=q.rules,
                       articles=q.articles, finished=1.0)
    wrong = attrs.evolve(own_answer(lib.scenarios["straw-burning-01"]), basis=())
    _record_analysis(store, lib, "straw-burning-01", wrong)
    spots = article_spots(store, lib, trainee="李明")
    keys = {w.article for w in spots}
    assert set(q.articles) <= keys
    missed = score_analysis(lib.scenarios["straw-burning-01"], wrong, lib.articles).missed_articles
    assert missed and set(missed) <= keys
    assert all(w.sheets == w.count and w.play == 0 for w in spots)
    assert article_spots(store, lib, trainee="别人") == []
    rules = {w.rule for w in weak_spots(store, lib, trainee="李明")}
    assert set(q.rules) <= rules
    by_case = {w.group for w in weak_spots(store, lib, "case", trainee="李明")}
    assert "quiz" in by_case
    store.close()


def test_drill_aims_at_the_weakest_articles(lib, tmp_path: Path) -> None:
    store = Store(tmp_path)
    target = "行政处罚法#64"
    for _ in range(3):
        store.record_sheet(trainee="李明", kind="quiz", ref="drill", title="x", score=0, rules=(),
                           articles=(target,), finished=1.0)
    paper, spots = drill_paper(store, lib, 5, 6, trainee="李明")
    assert spots[0].article == target and spots[0].count == 3
    aimed = [i for i in paper.items if target in i.question.articles]
    assert aimed and paper.items[0].question in [i.question for i in aimed]
    assert len(paper.items) == 6 and [i.number for i in paper.items] == list(range(1, 7))
    again, _ = drill_paper(store, lib, 5, 6, trainee="李明")
    assert again.digest == paper.digest
    store.close()


def test_typed_answers_are_read_like_a_trainee_types_them(lib) -> None:
    from sim.quiz import QKind, draw_paper

    paper = draw_paper(question_bank(lib), 1, 60)
    for item in paper.items:
        q = item.question
        if q.kind in (QKind.SINGLE, QKind.MULTIPLE):
            typed = "、".join(item.letter(a) for a in q.answer).lower()
        elif q.kind is QKind.TRUEFALSE:
            typed = "对" if q.answer == ("true",) else "错"
        else:
            typed = q.answer_text()
        assert q.is_correct(parse_response(item, typed)), (q.id, typed)
    assert parse_response(paper.items[0], "") is None


def test_drill_on_the_command_line(lib, tmp_path: Path, monkeypatch, capsys) -> None:
    store = Store(tmp_path)
    store.record_sheet(trainee="李明", kind="quiz", ref="drill", title="x", score=0, rules=(),
                       articles=("行政处罚法#64",), finished=1.0)
    store.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("Z\n"))  # one unreadable answer, then end of input
    code = main(["drill", "--trainee", "李明", "--questions", "3", "--seed", "4", "--home", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "《行政处罚法》第六十四条（出错 1 次）" in out and "共 3 题" in out
    assert "得分：0 分（答对 0 / 3 题）" in out and out.count("正确答案：") == 3 and "输入已结束" in out
    store = Store(tmp_path)
    assert len(store.sheets("李明")) == 2
    store.close()
    code = main(["drill", "--questions", "0", "--home", str(tmp_path)])
    assert code == 2 and "题量" in capsys.readouterr().err


def test_analysis_mistakes_are_named_in_the_weak_spots(lib, tmp_path: Path) -> None:
    """A case analysis records its mistake codes as the sheet's rules: the weak-spot list names them in words
    (never a code nor the 'rule no longer in the library' line)."""
    import attrs

    from sim.analysis import MISTAKE_TITLES, Citation

    store = Store(tmp_path)
    sc = lib.scenarios["fire-lane-01"]
    wrong = attrs.evolve(own_answer(sc), basis=(Citation("消防法#60.1"),), amount=10**7)
    s = score_analysis(sc, wrong, lib.articles)
    store.record_sheet(trainee="李明", kind="analysis", ref=sc.id, title=sc.title, score=s.points,
                       rules=tuple(dict.fromkeys(m.code for m in s.mistakes)), articles=s.missed_articles,
                       finished=1.0)
    spots = weak_spots(store, lib, "case", trainee="李明")
    titles = {w.rule: w.title for w in spots}
    assert titles["wrong_paragraph"] == "案例分析：款、项引用错误"
    assert set(titles) <= set(MISTAKE_TITLES) and all(t.startswith("案例分析：") for t in titles.values())
    assert {w.group_label for w in spots} == {sc.title}
    assert "消防法#60.2" in {w.article for w in article_spots(store, lib, trainee="李明")}
    store.close()
