"""Case analysis (一事一议, sim.analysis): every bundled case answered with its own data scores 100; the typical
mistakes are found and cost points; the answer sheet round-trips through JSON; `analysis:` errors name their
line."""

from __future__ import annotations

import attrs
import pytest

from sim import load_library
from sim.analysis import (CIRCUMSTANCES, AnalysisAnswer, Citation, answer_key, own_answer, score_analysis,
                          violation_options)

LIB = load_library()
CASES = sorted(LIB.scenarios)


def _score(case_id, **changes):
    sc = LIB.scenario(case_id)
    return score_analysis(sc, attrs.evolve(own_answer(sc), **changes), LIB.articles)


@pytest.mark.parametrize("case_id", CASES)
def test_every_bundled_case_scores_100_with_its_own_data(case_id):
    sc = LIB.scenario(case_id)
    key = answer_key(sc)
    assert key.violation in violation_options(LIB.scenarios.values())
    assert key.disposal
    result = score_analysis(sc, own_answer(sc), LIB.articles)
    assert result.points == 100, result.mistakes
    assert result.mistakes == ()
    assert all(e.full for e in result.elements)
    assert {"violation", "disposal"} <= {e.id for e in result.elements}


def test_the_key_is_read_from_the_case_data():
    key = answer_key(LIB.scenario("straw-burning-01"))
    assert key.basis == ("大气污染防治法#119",)  # penalty.basis
    assert key.violated == ("大气污染防治法#77",)  # analysis.violated (authored)
    assert key.band == (500, 2000) and key.disposal == "fine" and key.amount == 800  # the reference path
    assert key.elements[0].evidence == ("scene_photos", "site_record", "interview_record")  # key: true
    assert answer_key(LIB.scenario("refer-straw-fire-crime-01")).disposal == "transfer"
    assert answer_key(LIB.scenario("refer-unlicensed-shop-01")).disposal == "refer"
    assert answer_key(LIB.scenario("nopenalty-road-stalks-01")).disposal == "none"
    assert answer_key(LIB.scenario("dailvxing-rainstorm-sand-01")).basis == ("行政强制法#52",)  # power.basis
    assert answer_key(LIB.scenario("landgrab-house-01")).disposal == "demolish"


def test_wrong_article_is_found():
    r = _score("fire-lane-01", basis=(Citation("消防法#60.1"),))  # the unit's paragraph for a person
    assert r.points < 100
    (m,) = [m for m in r.mistakes if m.element == "basis"]
    assert m.code == "wrong_paragraph" and "第六十条第二款" in m.message
    r = _score("straw-burning-01", basis=(Citation("行政处罚法#28"),))
    codes = {m.code for m in r.mistakes}
    assert {"missing_article", "wrong_article"} <= codes
    assert "大气污染防治法#119" in r.missed_articles


def test_missing_paragraph_is_found_in_a_typed_citation():
    r = _score("fire-lane-01", basis=(Citation(text="《消防法》第六十条"),))
    (m,) = [m for m in r.mistakes if m.element == "basis"]
    assert m.code == "missing_paragraph"
    assert "未具体到款" in m.message and "第六十条第二款" in m.message
    assert [e.id for e in r.elements if not e.full] == ["basis"]
    assert r.points == 78  # 20 of the 90 points this case asks (it weighs no circumstances)
    typed_right = _score("fire-lane-01", basis=(Citation(text="《消防法》第六十条第二款"),))
    assert typed_right.points == 100


def test_band_exceeded_is_found():
    r = _score("straw-burning-01", amount=2500)
    (m,) = r.mistakes
    assert m.code == "band_exceeded" and "500元至2000元" in m.message
    assert r.points < 100
    assert _score("straw-burning-01", amount=2000).points == 100  # the top of the band is inside it
    assert _score("straw-burning-01", amount=None).mistakes[0].code == "no_amount"


def test_wrong_violation_disposal_and_evidence_cost_points():
    r = _score("straw-burning-01", violation="在公路及公路用地范围内堆放物品")
    assert r.mistakes[0].code == "wrong_violation" and r.points == 85
    r = _score("straw-burning-01", disposal="warning")
    assert [m.code for m in r.mistakes] == ["wrong_disposal"] and r.points == 85
    r = _score("straw-burning-01", evidence={"facts": ("scene_photos",)})
    assert [m.code for m in r.mistakes] == ["missing_evidence", "missing_evidence"]
    assert r.points < 100


def test_marking_everything_is_not_the_cheapest_pass():
    sc = LIB.scenario("straw-burning-01")
    everything = attrs.evolve(own_answer(sc), evidence={"facts": tuple(e.id for e in sc.evidence)},
                              circumstances=tuple(CIRCUMSTANCES),
                              violated=tuple(Citation(k) for k in LIB.articles if k.startswith("大气")))
    r = score_analysis(sc, everything, LIB.articles)
    assert r.points < 90
    assert {"extra_evidence", "extra_circumstance", "wrong_article"} <= {m.code for m in r.mistakes}


def test_an_empty_answer_scores_nothing():
    sc = LIB.scenario("road-piling-hearing-01")
    assert score_analysis(sc, AnalysisAnswer(), LIB.articles).points == 0


def test_answer_sheet_round_trips_through_json():
    sc = LIB.scenario("road-piling-hearing-01")
    a = attrs.evolve(own_answer(sc), basis=(Citation(text="《公路法》第七十七条"),))
    back = AnalysisAnswer.from_json(a.to_json())
    assert back == a
    assert score_analysis(sc, back, LIB.articles).points == 100
    for bad in ([], {"amount": -1}, {"amount": True}, {"violated": "公路法#46"}, {"evidence": []},
                {"violated": [3]}):
        with pytest.raises(ValueError):
            AnalysisAnswer.from_json(bad)


CASE = LIB.scenario("straw-burning-01").path


@pytest.mark.parametrize(("analysis", "message"), [
    ("{violated: [大气污染防治法#999]}", "不在法律条文目录中"),
    ("{elements: [{id: act, label: 焚烧行为, evidence: [no_such]}]}", "不在本案证据中"),
    ("{circumstances: [lucky]}", "情节「lucky」无效"),
    ("{verdict: x}", "未知的键「verdict」"),
])
def test_analysis_errors_name_file_and_line(tmp_path, analysis, message):
    text = open(CASE, encoding="utf-8").read()
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("analysis:"))
    lines[at] = f"analysis: {analysis}"
    f = tmp_path / "case.yaml"
    f.write_text("\n".join(lines), encoding="utf-8")
    lib = load_library([f])
    assert "straw-burning-01" not in lib.scenarios or lib.scenarios["straw-burning-01"].path != str(f)
    assert any(f"{f}:{at + 1}:" in str(e) and message in str(e) for e in lib.errors), lib.errors


def test_typed_citations_are_read_by_the_documents_parser():
    from sim.analysis import law_index, read_citations, resolve

    index = law_index(LIB.articles, LIB.laws)
    two = read_citations("依据《大气法》第七十七条、第一百一十九条", index)
    assert [c.text for c in two] == ["《大气污染防治法》第七十七条", "《大气污染防治法》第一百一十九条"]
    assert [resolve(c, LIB.articles, laws=index) for c in two] == ["大气污染防治法#77", "大气污染防治法#119"]
    # Full name, Arabic numerals, the 中华人民共和国 prefix: the same provision.
    for typed in ("《中华人民共和国大气污染防治法》第119条", "大气污染防治法第一百一十九条", "大气法第119条"):
        (c,) = read_citations(typed, index)
        assert resolve(c, LIB.articles, laws=index) == "大气污染防治法#119", typed
    assert read_citations("  ", index) == ()
    (junk,) = read_citations("违反了相关规定", index)
    assert junk.text == "违反了相关规定" and resolve(junk, LIB.articles, laws=index) is None


def test_an_answer_typed_as_an_officer_writes_it_scores_like_the_catalogue_keys():
    from sim.analysis import law_index, read_citations

    sc = LIB.scenario("straw-burning-01")
    index = law_index(LIB.articles, LIB.laws)
    typed = attrs.evolve(own_answer(sc), violated=read_citations("《大气法》第77条", index),
                         basis=read_citations("大气法第一百一十九条", index))
    assert score_analysis(sc, typed, LIB.articles, LIB.laws).points == 100
    wrong = attrs.evolve(own_answer(sc), basis=read_citations("违反了相关规定", index))
    r = score_analysis(sc, wrong, LIB.articles, LIB.laws)
    assert r.points < 100 and "unknown_citation" in {m.code for m in r.mistakes}
