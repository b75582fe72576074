"""Knowledge (quiz) and case-analysis rounds in a contest: the contest file, signed bundles re-scored on
import, tampering caught, standings and exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.analysis import own_answer
from sim.contest import ContestError, ContestStore, load_contest, read_bundle, write_bundle
from sim.contest.bundle import BundleError
from sim.contest.export import export_standings
from sim.contest.model import PAPER
from sim.contest.papers import round_paper

from contest_support import contest_doc, library, load_doc, resign, write_contest

ANALYSIS_CASES = ["straw-burning-01", "road-piling-hearing-01"]


def _doc() -> dict:
    doc = contest_doc()
    doc["rounds"] += [
        {"id": "r3", "title": "法律知识", "kind": "quiz", "questions": 30, "time_limit": "40 minutes",
         "opens": "2026-12-02T09:00:00+08:00", "closes": "2026-12-02T10:00:00+08:00", "seed": 2026},
        {"id": "r4", "title": "一事一议", "kind": "analysis", "cases": ANALYSIS_CASES, "time_limit": "60 minutes",
         "opens": "2026-12-02T14:00:00+08:00", "closes": "2026-12-02T16:00:00+08:00", "seed": 9},
    ]
    return doc


@pytest.fixture()
def contest(tmp_path: Path):
    return load_contest(write_contest(tmp_path, _doc()), library=library())


def _rejected(path: Path, contest) -> str:
    from sim.contest.bundle import BundleRejected

    with pytest.raises(BundleRejected) as exc:
        read_bundle(path, contest, library())
    return exc.value.code


def test_quiz_round_is_one_paper_drawn_by_the_seed(contest, tmp_path: Path) -> None:
    r3 = contest.round("r3")
    assert (r3.kind, r3.cases, r3.questions) == ("quiz", (PAPER,), 30)
    (tmp_path / "again").mkdir()
    again = load_contest(write_contest(tmp_path / "again", _doc()), library=library())
    assert round_paper(r3, library()).digest == round_paper(again.round("r3"), library()).digest
    assert len(round_paper(r3, library()).items) == 30


@pytest.mark.parametrize("change, message", [
    (lambda d: d["rounds"][2].update(cases=["straw-burning-01"]), "不应写「cases」"),
    (lambda d: d["rounds"][2].update(questions=100000), "questions"),
    (lambda d: d["rounds"][3].update(questions=5), "不是法律知识轮"),
    (lambda d: d["rounds"][3].update(cases=[{"case": "straw-burning-01", "trap": "x"}]), "不应写 trap"),
    (lambda d: d["rounds"][3].update(kind="essay"), "kind「essay」无效"),
])
def test_contest_file_errors_for_the_new_kinds(tmp_path: Path, change, message) -> None:
    doc = _doc()
    change(doc)
    with pytest.raises(ContestError) as exc:
        load_contest(write_contest(tmp_path, doc), library=library())
    assert any(message in p.message and p.line > 0 for p in exc.value.problems), exc.value.problems


def test_quiz_bundle_rescored_tamper_evident_and_ranked(contest, tmp_path: Path) -> None:
    r3 = contest.round("r3")
    paper = round_paper(r3, library())
    right = {i.question.id: list(i.question.answer) for i in paper.items}
    half = dict(list(right.items())[:15])
    t0 = r3.opens.timestamp()
    out = tmp_path / "out"
    full = write_bundle(contest, r3, "A1", PAPER, None, out, answers=right, started=t0 + 60,
                        handed_in=t0 + 1200, library=library())
    part = write_bundle(contest, r3, "B1", PAPER, None, out, answers=half, started=t0 + 60,
                        handed_in=t0 + 1500, library=library())
    v = read_bundle(full, contest, library())
    assert (v.kind, v.case, v.score, v.criticals, v.rules) == ("quiz", PAPER, 100, 0, ())
    assert read_bundle(part, contest, library()).score == 50
    # Same reported score, better answers: re-scoring disagrees.
    doc = load_doc(part)
    doc["payload"]["answers"]["sheet"] = right
    resign(part, doc)
    assert _rejected(part, contest) == "tampered"
    # A question that is not on the paper.
    with pytest.raises(BundleError, match="不属于本试卷"):
        write_bundle(contest, r3, "A2", PAPER, None, out, answers={"nope": ["a"]}, handed_in=t0 + 60,
                     library=library())
    late = write_bundle(contest, r3, "A2", PAPER, None, out, answers=right, started=t0, handed_in=t0 + 3000,
                        library=library())
    assert _rejected(late, contest) == "over_time"
    with ContestStore.open(None, home=tmp_path / "home") as store:
        codes = [o.code for o in store.import_bundles(contest, library(), [full, part, late])]
        board = store.standings(contest)
    assert codes == ["ok", "tampered", "over_time"]
    assert [(s.contestant_id, s.score) for s in board] == [("A1", 100)]
    export_standings(contest, board, "csv", tmp_path / "board.csv")
    assert "张一" in (tmp_path / "board.csv").read_text(encoding="utf-8-sig")


def test_analysis_bundle_scores_the_case_and_finds_mistakes(contest, tmp_path: Path) -> None:
    r4 = contest.round("r4")
    t0 = r4.opens.timestamp()
    sc = library().scenarios[ANALYSIS_CASES[0]]
    good = own_answer(sc).to_json()
    bad = {**good, "basis": [{"text": "《行政处罚法》第九条"}]}
    out = tmp_path / "out"
    b1 = write_bundle(contest, r4, "A1", ANALYSIS_CASES[0], None, out, answers=good, started=t0,
                      handed_in=t0 + 600, library=library())
    b2 = write_bundle(contest, r4, "A3", ANALYSIS_CASES[0], None, out, answers=bad, started=t0,
                      handed_in=t0 + 600, library=library())
    assert read_bundle(b1, contest, library()).score == 100
    v2 = read_bundle(b2, contest, library())
    assert v2.score < 100 and "wrong_article" in v2.rules
    with pytest.raises(BundleError, match="不属于"):
        write_bundle(contest, r4, "A1", "fire-lane-01", None, out, answers=good, library=library())
    with pytest.raises(BundleError, match="分析答卷"):
        write_bundle(contest, r4, "A1", ANALYSIS_CASES[1], None, out, answers=["x"], handed_in=t0 + 60,
                     library=library())
    doc = load_doc(b2)
    doc["payload"]["answers"]["sheet"] = good
    resign(b2, doc)
    assert _rejected(b2, contest) == "tampered"


def test_both_kinds_end_to_end_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from tui.cli import main

    def cli(*args: object) -> tuple[int, str]:
        code = main([str(a) for a in args])
        return code, capsys.readouterr().out

    cfile = write_contest(tmp_path, _doc())
    code, out = cli("contest", "check", cfile)
    assert code == 0 and "法律知识" in out and "30 题" in out and "案例分析" in out and "检查通过：4 轮" in out
    contest = load_contest(cfile, library=library())
    r3, r4 = contest.round("r3"), contest.round("r4")
    paper = round_paper(r3, library())
    right = {i.question.id: list(i.question.answer) for i in paper.items}
    inbox = tmp_path / "inbox"
    t3, t4 = r3.opens.timestamp(), r4.opens.timestamp()
    write_bundle(contest, r3, "A1", PAPER, None, inbox, answers=right, started=t3, handed_in=t3 + 600,
                 library=library())
    write_bundle(contest, r3, "A2", PAPER, None, inbox, answers=dict(list(right.items())[:6]), started=t3,
                 handed_in=t3 + 900, library=library())
    write_bundle(contest, r3, "B1", PAPER, None, inbox, answers=dict(list(right.items())[:24]), started=t3,
                 handed_in=t3 + 900, library=library())
    for case in ANALYSIS_CASES:
        sheet = own_answer(library().scenarios[case]).to_json()
        write_bundle(contest, r4, "B1", case, None, inbox, answers=sheet, started=t4, handed_in=t4 + 900,
                     library=library())
    home = tmp_path / "home"
    code, out = cli("contest", "import", cfile, inbox, "--home", home, "--json")
    assert code == 0 and json.loads(out)["imported"] == 5
    code, out = cli("contest", "standings", cfile, "--home", home, "--round", "r3", "--json")
    assert [(s["id"], s["score"]) for s in json.loads(out)["standings"]] == [("A1", 100), ("B1", 80), ("A2", 20)]
    code, out = cli("contest", "standings", cfile, "--home", home, "--json")
    assert [(s["id"], s["score"]) for s in json.loads(out)["standings"]][0] == ("B1", 280)
    # Teams: 城关镇 (A1 100 + A2 20) / 2 = 60; 石桥镇: A3 took no part = 0; 黄山乡: B1 alone = 280.
    code, out = cli("contest", "standings", cfile, "--home", home, "--teams", "--json")
    assert [(t["township"], t["score"], t["took_part"]) for t in json.loads(out)["teams"]] == [
        ("黄山乡", 280.0, 1), ("城关镇", 60.0, 2), ("石桥镇", 0.0, 0)]
    code, out = cli("contest", "standings", cfile, "--home", home, "--teams")
    assert code == 0 and "团体得分" in out and "黄山乡" in out
    code, out = cli("contest", "export", cfile, "--home", home, "--format", "xlsx", "-o", tmp_path / "b.xlsx")
    assert code == 0 and (tmp_path / "b.xlsx").stat().st_size > 0
    # The township teams in every export: a second sheet, a second table.
    from openpyxl import load_workbook

    teams = load_workbook(tmp_path / "b.xlsx")["乡镇团体"]
    assert [c.value for c in teams[3]] == ["名次", "乡镇", "组别", "名单人数", "参赛人数", "团体得分（人均）", "否决项"]
    assert [[c.value for c in r] for r in teams.iter_rows(min_row=4)] == [
        [1, "黄山乡", "西片", 1, 1, 280.0, 0], [2, "城关镇", "东片", 2, 2, 60.0, 0], [3, "石桥镇", "东片", 1, 0, 0.0, 0]]
    code, _ = cli("contest", "export", cfile, "--home", home, "--format", "csv", "-o", tmp_path / "b.csv")
    lines = (tmp_path / "b.csv").read_text(encoding="utf-8-sig").splitlines()
    at = lines.index("名次,乡镇,组别,名单人数,参赛人数,团体得分（人均）,否决项")
    assert lines[at - 1].startswith("乡镇团体排名（团体得分为该乡镇名单上每人总分的平均")
    assert lines[at + 1:] == ["1,黄山乡,西片,1,1,280.0,0", "2,城关镇,东片,2,2,60.0,0", "3,石桥镇,东片,1,0,0.0,0"]
    code, _ = cli("contest", "export", cfile, "--home", home, "--format", "html", "-o", tmp_path / "b.html")
    page = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "<h2>乡镇团体排名</h2>" in page and '<td>黄山乡</td><td>西片</td><td class="n">1</td>' in page
    # A division's export ranks that division's townships only.
    code, _ = cli("contest", "export", cfile, "--home", home, "--format", "csv", "--division", "east", "-o",
                  tmp_path / "east.csv")
    tail = (tmp_path / "east.csv").read_text(encoding="utf-8-sig").splitlines()
    assert tail[-2:] == ["1,城关镇,东片,2,2,60.0,0", "2,石桥镇,东片,1,0,0.0,0"]
    code, out = cli("contest", "report", cfile, "--home", home, "--round", "r3")
    assert code == 0 and "城关镇" in out


# --- the drafting round (文书制作) ---------------------------------------------------------------------------

DRAFTING_CASES = ["straw-burning-01", "fire-lane-01"]


def _drafting_doc(**extra) -> dict:
    doc = contest_doc()
    doc["rounds"] += [
        {"id": "r5", "title": "文书制作", "kind": "drafting", "cases": DRAFTING_CASES, "time_limit": "60 minutes",
         "opens": "2026-12-03T09:00:00+08:00", "closes": "2026-12-03T11:00:00+08:00", "seed": 5, **extra},
    ]
    return doc


def test_drafting_round_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from sim.drafting import blank_sheet, model_sheet
    from tui.cli import main

    def cli(*args: object) -> tuple[int, str]:
        code = main([str(a) for a in args])
        return code, capsys.readouterr().out

    cfile = write_contest(tmp_path, _drafting_doc(weights={"decide.kind_basis": 4}))
    code, out = cli("contest", "check", cfile)
    assert code == 0 and "文书制作" in out, out
    contest = load_contest(cfile, library=library())
    r5 = contest.round("r5")
    t5 = r5.opens.timestamp()
    inbox = tmp_path / "inbox"
    sheets = {}
    for case in DRAFTING_CASES:
        sc = library().scenarios[case]
        docs = r5.drafting_documents(sc)
        good = model_sheet(sc, docs)
        wrong = json.loads(json.dumps(good))
        if case == "straw-burning-01":  # the penalty provision without its paragraph, the amount wrong
            wrong["documents"]["decide"]["kind_basis"] = "罚款人民币伍佰元；《大气污染防治法》第一百一十九条"
        else:
            wrong["documents"]["decide_on_spot"]["party"] = "周某某"
        sheets[case] = (good, wrong, blank_sheet(sc, docs))
    for who, pick in (("A1", 0), ("B1", 1), ("A2", 2)):
        for case in DRAFTING_CASES:
            write_bundle(contest, r5, who, case, None, inbox, answers=sheets[case][pick], started=t5,
                         handed_in=t5 + 1200, library=library())
    # the score a tampered bundle claims is not trusted: re-scored from the sheet on import
    [b1_straw] = [p for p in inbox.glob("*.json") if "B1" in p.name and "straw" in p.name]
    doc = load_doc(b1_straw)
    doc["payload"]["answers"]["sheet"] = sheets["straw-burning-01"][0]
    resign(b1_straw, doc)
    assert _rejected(b1_straw, contest)  # same claimed score, better sheet: re-scoring disagrees
    b1_straw.unlink()
    write_bundle(contest, r5, "B1", "straw-burning-01", None, inbox, answers=sheets["straw-burning-01"][1],
                 started=t5, handed_in=t5 + 1200, library=library())
    home = tmp_path / "home"
    code, out = cli("contest", "import", cfile, inbox, "--home", home, "--json")
    assert code == 0 and json.loads(out)["imported"] == 6, out
    code, out = cli("contest", "standings", cfile, "--home", home, "--round", "r5", "--json")
    ranked = [(s["id"], s["score"]) for s in json.loads(out)["standings"]]
    assert ranked[0] == ("A1", 200) and [i for i, _ in ranked] == ["A1", "B1", "A2"], ranked
    b1 = dict(ranked)["B1"]
    assert 100 < b1 < 200  # one element wrong in each case, the weighted one costs more


def test_drafting_sheet_scored_element_by_element() -> None:
    from sim.drafting import model_sheet, score_drafting

    sc = library().scenarios["straw-burning-01"]
    sheet = model_sheet(sc, ("notify", "decide"))
    sheet["documents"]["notify"]["penalty"] = "拟处罚款人民币伍佰元"
    s = score_drafting(sc, ("notify", "decide"), sheet, {"notify.penalty": 5})
    [wrong] = [e for e in s.elements if not e.right]
    assert wrong.label == "《行政处罚事先告知书》「拟作出的处罚种类和幅度」" and wrong.findings == ("notice-amount-wrong",)
    assert "500元" in wrong.problems[0]
    total = sum(e.weight for e in s.elements)
    assert s.points == round(100 * (total - 5) / total)


@pytest.mark.parametrize("change,message", [
    ({"documents": ["nope"]}, "没有需要填写的文书「nope」"),
    ({"documents": ["inspect"], "cases": ["fire-lane-01"]}, "没有需要填写的文书「inspect」"),
    ({"documents": ["hearing_notice"]}, "参考路径没有制作《行政处罚听证通知书》"),
    ({"kind": "play", "documents": ["decide"]}, "不是文书制作轮"),
    ({"weights": {"decide.nope": 2}}, "没有这一栏目"),
    ({"weights": {"decide.kind_basis": 0}}, "0 到 100"),
])
def test_drafting_round_file_errors(tmp_path: Path, change, message) -> None:
    doc = _drafting_doc()
    doc["rounds"][-1].update(change)
    if "cases" not in change:
        doc["rounds"][-1]["cases"] = ["straw-burning-01"]
    with pytest.raises(ContestError, match=message):
        load_contest(write_contest(tmp_path, doc), library=library())
