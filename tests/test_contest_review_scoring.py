"""Review rounds (案卷评查): the file a contestant reads, and exact scores of known answer sheets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.contest import Mark, ReviewError, answer_key, review_file, score_review

from contest_support import library

CASE, TRAP = "straw-burning-01", "协管员一人现场检查"


@pytest.fixture(scope="module")
def scenario():
    return library().scenario(CASE)


def test_answer_key_is_the_engines_findings(scenario) -> None:
    # If the case's author changes this trap, this list changes first (and the hand-computed numbers below).
    assert [(d.rule_id, d.step, d.severity.value, d.deduction) for d in answer_key(scenario, TRAP)] == [
        ("two-officers", 1, "major", 15), ("uncertified-officer", 1, "critical", 40),
        ("credentials-not-shown", 1, "major", 15), ("case-left-open", None, "critical", 40)]


def test_review_file_shows_the_case_file_not_the_findings(scenario) -> None:
    f = review_file(scenario, "同日告知同日决定")
    assert [s.number for s in f.steps] == list(range(1, len(f.steps) + 1))
    assert f.steps[6].title == "作出行政处罚决定" and f.steps[6].document == "《行政处罚决定书》"
    assert {d.step for d in f.documents} <= {s.number for s in f.steps}
    assert [d.name for d in f.documents][:2] == ["《现场检查（勘验）笔录》", "《行政处罚案件立案审批表》"]
    shown = " ".join(r.what for r in f.timeline) + " ".join(s.details for s in f.steps)
    assert "得分" not in shown and "严重" not in shown
    # The rule list is every rule of the procedure: it does not give away which ones fired.
    ids = {r.id for r in f.rules}
    assert ids == {r.id for r in scenario.procedure.rules} and len(ids) > 10
    assert all(r.citations.startswith("《") for r in f.rules if r.citations)
    with pytest.raises(ReviewError):
        review_file(scenario, "没有这条路径")


def test_known_answer_sheet_scores_exactly(scenario) -> None:
    marks = [
        Mark(1, "two-officers"),  # right
        Mark(1, "credentials-not-shown"),  # right
        Mark(3, "case-left-open"),  # right: a finding not produced by an act matches at any step
        Mark(1, "two-officers"),  # duplicate: counted once
        Mark(2, "two-officers"),  # wrong step: a false mark
        Mark(1, "fine-out-of-range"),  # not in this file: a false mark
    ]
    s = score_review(scenario, TRAP, marks)
    assert s.matched == (Mark(1, "two-officers"), Mark(1, "credentials-not-shown"), Mark(3, "case-left-open"))
    assert s.false_marks == (Mark(2, "two-officers"), Mark(1, "fine-out-of-range"))
    assert [d.rule_id for d in s.missed] == ["uncertified-officer"]
    assert s.precision == pytest.approx(3 / 5) and s.recall == pytest.approx(3 / 4)
    assert s.f1 == pytest.approx(2 * 0.6 * 0.75 / (0.6 + 0.75))  # 2/3
    assert s.points == 100 - 40 - 2 * 5 == 50
    assert s.veto_missed == ("uncertified-officer",) and not s.passed and s.grade == "不合格"


def test_perfect_and_empty_sheets(scenario) -> None:
    perfect = score_review(scenario, TRAP, [Mark(d.step or 0, d.rule_id) for d in answer_key(scenario, TRAP)])
    assert (perfect.precision, perfect.recall, perfect.f1) == (1, 1, 1)
    assert (perfect.points, perfect.passed) == (100, True)
    assert perfect.grade == "优秀"
    empty = score_review(scenario, TRAP, [])
    assert (empty.precision, empty.recall, empty.points) == (0.0, 0.0, 0)  # 100 - 40 - 15 - 15 - 40, floored
    assert set(empty.veto_missed) == {"uncertified-officer", "case-left-open"}


def test_marks_from_a_bundle_are_accepted_as_json(scenario) -> None:
    a = score_review(scenario, TRAP, [{"step": 1, "rule": "two-officers"}])
    b = score_review(scenario, TRAP, [Mark(1, "two-officers")])
    assert a == b
    with pytest.raises(ValueError):
        score_review(scenario, TRAP, [{"step": "one", "rule": "two-officers"}])


@given(st.lists(st.tuples(st.integers(0, 12), st.sampled_from(
    ["two-officers", "uncertified-officer", "credentials-not-shown", "case-left-open", "fine-out-of-range"])),
    max_size=12))
def test_score_bounds(marks: list[tuple[int, str]]) -> None:
    sc = library().scenario(CASE)
    s = score_review(sc, TRAP, [Mark(*m) for m in marks])
    assert 0 <= s.precision <= 1 and 0 <= s.recall <= 1 and 0 <= s.points <= 100
    assert len(s.matched) + len(s.missed) == len(answer_key(sc, TRAP))
    assert len(s.matched) + len(s.false_marks) == len(set(marks))
    assert s.passed == (not s.veto_missed and s.points >= 60)
