"""Contest results taken home (赛后复盘): a contestant's own bundles, verified and re-scored, recorded in their
training store, where they join the practice history in the weak spots, the drill and `lawdrill stats`;
`lawdrill contest results` on the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sim.analysis import own_answer
from sim.contest import load_contest, write_bundle
from sim.contest.model import CST, PAPER
from sim.contest.papers import round_paper
from sim.contest.takehome import take_home
from sim.store import Store
from sim.weakspots import article_spots, drill_paper, practice_cases, weak_spots
from tui.cli import contest as contest_cli
from tui.cli import main

from contest_support import OPENS, REVIEW_TRAP, contest_doc, library, play, write_contest

AFTER_ALL = dt.datetime(2026, 12, 3, 9, 0, tzinfo=CST)  # every round below has closed
DURING_REVIEW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=CST)  # r1 closed, r2 (14:00-16:00) still open


def _doc() -> dict:
    doc = contest_doc()
    doc["rounds"] += [
        {"id": "r3", "title": "法律知识", "kind": "quiz", "questions": 20, "time_limit": "40 minutes",
         "opens": "2026-12-02T09:00:00+08:00", "closes": "2026-12-02T10:00:00+08:00", "seed": 2026},
        {"id": "r4", "title": "一事一议", "kind": "analysis", "cases": ["straw-burning-01"],
         "time_limit": "60 minutes", "opens": "2026-12-02T14:00:00+08:00", "closes": "2026-12-02T16:00:00+08:00",
         "seed": 9},
    ]
    return doc


@pytest.fixture()
def cup(tmp_path: Path):
    """The contest file, and an inbox with every round of A1 (with mistakes in each) and one result of B1."""
    path = write_contest(tmp_path, _doc())
    contest = load_contest(path, library=library())
    inbox = tmp_path / "inbox"
    lib = library()
    # r1, play: the fire-lane case with the trap 当事人申辩后未予理会 (60 points).
    write_bundle(contest, "r1", "A1", "fire-lane-01",
                 play("fire-lane-01", tmp_path / "a1.jsonl", path="当事人申辩后未予理会"), inbox, library=lib)
    write_bundle(contest, "r1", "B1", "straw-burning-01",
                 play("straw-burning-01", tmp_path / "b1.jsonl", start=OPENS + dt.timedelta(minutes=7)), inbox,
                 library=lib)
    # r2, review: one of the four defects found.
    t2 = contest.round("r2").opens.timestamp()
    write_bundle(contest, "r2", "A1", "#".join(REVIEW_TRAP), None, inbox,
                 answers=[{"step": 1, "rule": "two-officers"}], started=t2 + 60, handed_in=t2 + 900, library=lib)
    # r3, quiz: the first half right, the rest left blank.
    r3 = contest.round("r3")
    paper = round_paper(r3, lib)
    half = {i.question.id: list(i.question.answer) for i in paper.items[:10]}
    t3 = r3.opens.timestamp()
    write_bundle(contest, r3, "A1", PAPER, None, inbox, answers=half, started=t3 + 60, handed_in=t3 + 900,
                 library=lib)
    # r4, analysis: the case's own answer with a wrong penalty provision.
    sc = lib.scenarios["straw-burning-01"]
    bad = {**own_answer(sc).to_json(), "basis": [{"text": "《行政处罚法》第九条"}]}
    t4 = contest.round("r4").opens.timestamp()
    write_bundle(contest, "r4", "A1", "straw-burning-01", None, inbox, answers=bad, started=t4 + 60,
                 handed_in=t4 + 900, library=lib)
    return path, contest, inbox, paper


def test_every_round_kind_comes_home_with_what_it_missed(cup, tmp_path: Path) -> None:
    _path, contest, inbox, paper = cup
    lib = library()
    store = Store(tmp_path / "home")
    got = take_home([inbox], contest, lib, "A1", store, trainee="张一", township="城关镇", now=AFTER_ALL)
    assert got.others == 1 and not got.refused
    by_round = {h.round.id: h for h in got.results}
    assert list(by_round) == ["r1", "r2", "r3", "r4"] and all(h.stored for h in got.results)
    assert by_round["r1"].score == 60 and by_round["r1"].rules  # the play result's broken rules
    # Review: the defects not found, not only the missed veto item.
    assert {"uncertified-officer", "credentials-not-shown", "case-left-open"} <= set(by_round["r2"].rules)
    assert "two-officers" not in by_round["r2"].rules
    # Quiz: the ten blank questions' articles.
    blank = {a for i in paper.items[10:] for a in i.question.articles}
    assert set(by_round["r3"].articles) == blank & set(lib.articles) and by_round["r3"].score == 50
    assert "wrong_article" in by_round["r4"].rules and by_round["r4"].articles
    assert any("第九条" in n for n in by_round["r4"].notes)  # the analysis mistakes as the result screen says

    sheets = store.sheets("张一")
    assert {s.kind for s in sheets} == {"play", "review", "quiz", "analysis"}
    assert all(s.contest == "test-cup" and s.township == "城关镇" for s in sheets)
    assert all(s.title.startswith("测试杯执法比武·") for s in sheets)

    # The same bundles again change nothing.
    again = take_home([inbox], contest, lib, "A1", store, trainee="张一", now=AFTER_ALL)
    assert not any(h.stored for h in again.results) and len(store.sheets("张一")) == 4
    store.close()


def test_contest_misses_merge_with_practice_and_aim_the_drill(cup, tmp_path: Path) -> None:
    _path, contest, inbox, _paper = cup
    lib = library()
    store = Store(tmp_path / "home")
    # Practice before the contest: a quiz sheet that missed one article of the analysis round's case.
    practice_article = next(iter(lib.scenarios["straw-burning-01"].procedure.rules[0].cite))
    store.record_sheet(trainee="张一", kind="quiz", ref="practice", title="练习", score=50, rules=[],
                       articles=[practice_article], finished=1.0)
    take_home([inbox], contest, lib, "A1", store, trainee="张一", now=AFTER_ALL)
    spots = {w.article: w for w in article_spots(store, lib, trainee="张一")}
    assert spots[practice_article].sheets == 1
    assert sum(w.contest for w in spots.values()) > 0
    assert all(w.count == w.play + w.sheets + w.contest for w in spots.values())
    # The rule tallies count contest results beside practice, by case too.
    by_case = weak_spots(store, lib, "case", trainee="张一")
    assert any(w.group == "fire-lane-01" for w in by_case)
    assert any(w.group == "straw-burning-01" and w.rule == "uncertified-officer" for w in by_case)
    # The drill aims at the merged weakest articles.
    paper, aimed = drill_paper(store, lib, seed=1, size=5, trainee="张一")
    assert aimed and any(set(i.question.articles) & {w.article for w in aimed} for i in paper.items)
    # Practice cases offered for a contest miss train that article or rule.
    offers = practice_cases(lib, [aimed[0].article], ["uncertified-officer"])
    assert offers and all(o.articles or o.rules for o in offers)
    assert any("uncertified-officer" in o.rules for o in offers)
    store.close()


def test_an_open_round_stays_withheld(cup, tmp_path: Path) -> None:
    _path, contest, inbox, _paper = cup
    store = Store(tmp_path / "home")
    got = take_home([inbox], contest, library(), "A1", store, trainee="张一", now=DURING_REVIEW)
    assert [h.round.id for h in got.results] == ["r1"]
    codes = {n.code for n in got.refused}
    assert codes == {"round_open"}
    assert any("「评查轮」尚未结束" in n.message for n in got.refused)
    assert [s.kind for s in store.sheets("张一")] == ["play"]
    store.close()


def test_a_tampered_bundle_is_refused_not_recorded(cup, tmp_path: Path) -> None:
    _path, contest, inbox, _paper = cup
    victim = next(p for p in inbox.iterdir() if "_r1_A1_" in p.name)
    doc = json.loads(victim.read_text(encoding="utf-8"))
    doc["payload"]["reported"]["score"] = 100  # signature no longer matches
    victim.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    store = Store(tmp_path / "home")
    got = take_home([inbox], contest, library(), "A1", store, trainee="张一", now=AFTER_ALL)
    assert [n.code for n in got.refused] == ["bad_signature"]
    assert "play" not in {s.kind for s in store.sheets("张一")}
    store.close()


def _cli(capsys, monkeypatch, now: dt.datetime, *args: object) -> tuple[int, str, str]:
    monkeypatch.setattr(contest_cli, "_clock", now.timestamp)
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_results_command_lists_misses_weak_articles_and_practice(cup, tmp_path: Path, capsys, monkeypatch
                                                                  ) -> None:
    path, _contest, inbox, _paper = cup
    home = tmp_path / "home"
    code, out, err = _cli(capsys, monkeypatch, AFTER_ALL, "contest", "results", path, inbox, "--as", "A1",
                          "--home", home)
    assert code == 0, err
    assert "学员「张一」（A1，城关镇）的成绩包 4 份，新导入学习记录 4 份" in out
    assert "其他人员或其他比武的成绩包 1 份已略过" in out
    assert "■ 第一轮·" in out and "■ 评查轮·" in out and "■ 法律知识·法律知识试卷：50 分" in out
    assert "失分：" in out and "《" in out  # rule titles with citations
    assert "薄弱条文（平时练习与比武合计" in out and "比武 " in out
    assert "建议练习：" in out and "lawdrill play " in out and "lawdrill drill --trainee 张一" in out
    assert not any(line.startswith(("，", "。", "、", "）")) for line in out.splitlines())

    code, out, _ = _cli(capsys, monkeypatch, AFTER_ALL, "contest", "results", path, inbox, "--as", "A1",
                        "--home", home, "--json")
    res = json.loads(out)
    assert code == 0 and (res["imported"], res["already_stored"]) == (0, 4)
    assert res["practice"]["cases"] and res["practice"]["questions"] > 0

    # `lawdrill stats` and `lawdrill drill` read the same store.
    code, out, _ = _cli(capsys, monkeypatch, AFTER_ALL, "stats", "--home", home, "--trainee", "张一", "--json")
    assert code == 0 and json.loads(out)["attempts"] == 4


def test_results_command_refuses_open_rounds_and_bad_input(cup, tmp_path: Path, capsys, monkeypatch) -> None:
    path, _contest, inbox, _paper = cup
    home = tmp_path / "home"
    code, out, _ = _cli(capsys, monkeypatch, DURING_REVIEW, "contest", "results", path, inbox, "--as", "A1",
                        "--home", home)
    assert code == 1 and "✗ " in out and "尚未结束" in out and "［round_open］" in out
    code, _, err = _cli(capsys, monkeypatch, AFTER_ALL, "contest", "results", path, inbox, "--as", "Z9",
                        "--home", home)
    assert code == 2 and "名单中没有编号「Z9」" in err and "Traceback" not in err
    code, _, err = _cli(capsys, monkeypatch, AFTER_ALL, "contest", "results", path, inbox, "--as", "A3",
                        "--home", home)
    assert code == 2 and "没有参赛人员「李三」（A3）的成绩包" in err
    code, _, err = _cli(capsys, monkeypatch, AFTER_ALL, "contest", "results", path, "--as", "A1",
                        "--home", home)
    assert code == 2 and "找不到成绩包" in err and "contest-outbox" in err


def test_the_default_folder_is_the_outbox_contest_run_writes(cup, tmp_path: Path, capsys, monkeypatch) -> None:
    path, _contest, inbox, _paper = cup
    home = tmp_path / "home"
    (home / "contest-outbox").mkdir(parents=True)
    for p in inbox.iterdir():
        if "_A1_" in p.name:
            (home / "contest-outbox" / p.name).write_bytes(p.read_bytes())
    code, out, err = _cli(capsys, monkeypatch, AFTER_ALL, "contest", "results", path, "--as", "A1",
                          "--home", home)
    assert code == 0, err
    assert "新导入学习记录 4 份" in out and "已略过" not in out


def test_bundles_of_another_contest_in_the_folder_are_passed_over(cup, tmp_path: Path) -> None:
    _path, contest, inbox, _paper = cup
    other_doc = _doc()
    other_doc["contest"] = {"id": "other-cup", "name": "另一场比武"}
    (tmp_path / "other").mkdir()
    other = load_contest(write_contest(tmp_path / "other", other_doc), library=library())
    write_bundle(other, "r1", "A1", "straw-burning-01",
                 play("straw-burning-01", tmp_path / "x.jsonl"), inbox, library=library())
    store = Store(tmp_path / "home")
    got = take_home([inbox], contest, library(), "A1", store, trainee="张一", now=AFTER_ALL)
    assert got.others == 2 and not got.refused and len(got.results) == 4
    store.close()


def test_any_batches_in_any_order_record_each_result_once(cup, tmp_path: Path) -> None:
    """Bringing bundles home in any batches, any order, any number of times: each of the contestant's results is
    recorded once, and the weak spots equal those of one import of everything brought."""
    import itertools

    from hypothesis import given, settings
    from hypothesis import strategies as st

    _path, contest, inbox, _paper = cup
    files = sorted(inbox.iterdir())
    lib = library()
    once = Store(tmp_path / "once")
    take_home(files, contest, lib, "A1", once, trainee="张一", now=AFTER_ALL)
    counter = itertools.count()

    @settings(max_examples=12, deadline=None)
    @given(st.lists(st.lists(st.sampled_from(files), max_size=6), min_size=1, max_size=4))
    def prop(batches: list[list[Path]]) -> None:
        store = Store(tmp_path / f"h{next(counter)}")
        for batch in batches:
            take_home(batch, contest, lib, "A1", store, trainee="张一", now=AFTER_ALL)
        brought = {p for b in batches for p in b if "_A1_" in p.name}
        sheets = store.sheets("张一")
        assert len(sheets) == len({s.origin for s in sheets}) == len(brought)
        if len(brought) == 4:
            assert article_spots(store, lib, trainee="张一") == article_spots(once, lib, trainee="张一")
        store.close()

    prop()
    once.close()
