"""Knowledge questions (sim.quiz): generated from the library's verified data, hand-written in YAML, drawn into
papers by seed and scored."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim import load_library
from sim.calendar import LegalCalendar, Unit
from sim.model import Period, Status, zh_number
from sim.quiz import (VERIFIED, QKind, THRESHOLDS, draw_paper, parse_number, parse_period, question_bank,
                      score_paper, threshold_value)

ROOT = Path(__file__).resolve().parent.parent
# The articles that define a period as working days: 《行政处罚法》第八十五条, 《行政强制法》第六十九条,
# 《行政许可法》第八十二条.
WORKING_DAY_ARTICLES = {"行政处罚法#85", "行政强制法#69", "行政许可法#82"}
UNIT_WORDS = {"days": "日", "working_days": "日", "months": "个月", "hours": "小时"}


@pytest.fixture(scope="module")
def lib():
    return load_library()


@pytest.fixture(scope="module")
def bank(lib):
    return question_bank(lib)


def _rule(lib, rid):
    for p in lib.procedures.values():
        for r in p.rules:
            if r.id == rid and r.deadline is not None and r.when is None:
                return r
    raise KeyError(rid)


def _cited_text(lib, q):
    return "".join(lib.articles[k].text for k in q.articles)


def test_bank_has_every_family(bank):
    families = {q.family for q in bank}
    assert {"period", "workdays", "calendar", "threshold", "source", "written", "authority", "contents",
            "service"} <= families
    assert len({q.id for q in bank}) == len(bank)


def test_paper_of_30_is_identical_across_runs(bank):
    a = draw_paper(bank, 20261203, 30)
    b = draw_paper(bank, 20261203, 30)
    assert len(a.items) == 30
    assert a == b
    other = draw_paper(bank, 20261204, 30)
    assert [i.question.id for i in other.items] != [i.question.id for i in a.items]
    # Another process, another hash seed: the same paper, option order included.
    code = ("from sim import load_library; from sim.quiz import question_bank, draw_paper; "
            "p = draw_paper(question_bank(load_library()), 20261203, 30); "
            "import json; print(json.dumps([p.digest, [[i.question.id, list(i.order)] for i in p.items]]))")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    digest, items = json.loads(out.stdout)
    assert digest == a.digest
    assert items == [[i.question.id, list(i.order)] for i in a.items]


def test_paper_mixes_families(bank):
    paper = draw_paper(bank, 7, 30)
    assert len({i.question.family for i in paper.items}) >= 5


def test_no_question_cites_an_unverified_or_assumed_article(lib, bank):
    for q in bank:
        assert q.articles, q.id
        for key in q.articles:
            assert lib.articles[key].status in VERIFIED, (q.id, key)
            assert lib.articles[key].status not in (Status.UNVERIFIED, Status.AN, Status.PR)


def test_period_answers_come_from_the_rule_and_the_cited_text(lib, bank):
    qs = [q for q in bank if q.family == "period"]
    assert len(qs) >= 16
    for q in qs:
        r = _rule(lib, q.rules[0])
        period = r.deadline.within or r.deadline.not_before
        assert q.answer in ((f"{period.length} {period.unit}",), (f"p{period.length}{period.unit}",)), q.id
        # The law says the number in words: 九十日, 七日, 六个月…
        assert f"{zh_number(period.length)}{UNIT_WORDS[period.unit]}" in _cited_text(lib, q), q.id
        # A working-day period rests on one of the articles that defines it so, and only then.
        assert (period.unit == "working_days") == bool(WORKING_DAY_ARTICLES & set(q.articles)), q.id


def test_period_choice_distractors_are_never_right(bank):
    qs = [q for q in bank if q.id.startswith("gen.period-choice.")]
    assert qs
    for q in qs:
        (right,) = q.answer
        assert len(q.options) == 4
        answer = parse_period(next(o.label for o in q.options if o.id == right))
        for o in q.options:
            if o.id != right:
                p = parse_period(o.label)
                assert p is not None and p.length != answer.length, (q.id, o.label)


def test_working_day_claims_follow_the_defining_articles(bank):
    qs = [q for q in bank if q.family == "workdays"]
    assert len(qs) >= 8
    assert {q.answer for q in qs} == {("true",), ("false",)}
    for q in qs:
        assert (q.answer == ("true",)) == bool(WORKING_DAY_ARTICLES & set(q.articles)), q.id


def test_calendar_answers_count_the_legal_way(lib, bank):
    cal = LegalCalendar.default()
    qs = [q for q in bank if q.family == "calendar"]
    assert len(qs) >= 10
    for q in qs:
        r = _rule(lib, q.rules[0])
        period = r.deadline.within or r.deadline.not_before
        start = _stem_date(q.stem)
        due = _count_by_hand(cal, start, period)
        (right,) = q.answer
        assert right == f"d{due:%Y%m%d}", q.id
        assert sum(o.id == right for o in q.options) == 1
        assert len({o.id for o in q.options}) == 4  # three other dates: none of them is the last day
        assert cal.deadline(start, period.length, Unit(period.unit)).due == due


def _stem_date(stem: str) -> dt.date:
    import re

    y, m, d = map(int, re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", stem).groups())
    return dt.date(y, m, d)


def _count_by_hand(cal: LegalCalendar, start: dt.date, p: Period) -> dt.date:
    """The period rules of the legal reference, counted day by day (the starting day is not counted)."""
    if p.unit == "working_days":
        day, left = start, p.length
        while left:
            day += dt.timedelta(days=1)
            left -= cal.is_workday(day)
        return day
    if p.unit == "days":
        day = start + dt.timedelta(days=p.length)
    else:
        month = start.month - 1 + p.length
        year, month = start.year + month // 12, month % 12 + 1
        import calendar

        day = dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    while not cal.is_workday(day):  # a last day that is a rest day runs to the next working day
        day += dt.timedelta(days=1)
    return day


def test_threshold_answers_are_the_boundary_of_the_engine_expression(lib, bank):
    qs = {q.id: q for q in bank if q.family == "threshold"}
    assert set(qs) == {f"gen.threshold.{t.name}" for t in THRESHOLDS}
    expected = {"spot-citizen": 200, "spot-organisation": 3000, "hearing-citizen": 5000,
                "hearing-organisation": 50000}
    for t in THRESHOLDS:
        q = qs[f"gen.threshold.{t.name}"]
        value = int(q.answer[0])
        assert value == expected[t.name] == threshold_value(lib.procedures[t.procedure], t)
        text = _cited_text(lib, q)
        words = {200: "二百元", 3000: "三千元", 5000: "5000元", 50000: "5万元"}[value]
        assert words in text, (q.id, words)


def test_source_questions_offer_one_matching_article(lib, bank):
    qs = [q for q in bank if q.family == "source"]
    assert len(qs) >= 100
    for q in qs:
        (key,) = q.answer
        quoted = q.stem.split("「", 1)[1].rstrip("」").removesuffix("……")
        assert lib.articles[key].text.startswith(quoted)
        for o in q.options:
            if o.id != key:
                assert quoted not in lib.articles[o.id].text, (q.id, o.id)
                assert lib.articles[o.id].label != lib.articles[key].label


def test_written_questions_load_with_their_articles(lib):
    ids = {q.id for q in lib.questions}
    assert "zhishi-jichu.decision-contents" in ids
    q = next(q for q in lib.questions if q.id == "zhishi-jichu.decision-contents")
    assert q.kind is QKind.MULTIPLE and q.answer == ("a", "b", "c", "e")
    assert q.articles == ("行政处罚法#59",)


BAD_QUIZ = """\
questions:
  - {id: ok-one, kind: truefalse, stem: 执法人员不得少于两人。, answer: true, articles: [行政处罚法#42]}
  - {id: no-article, kind: truefalse, stem: 某题。, answer: true, articles: [行政处罚法#999]}
  - {id: assumed, kind: truefalse, stem: 某题。, answer: true, articles: [培训假设依据#31]}
  - id: bad-answer
    kind: single
    stem: 某题。
    options: {a: 甲, b: 乙}
    answer: c
    articles: [行政处罚法#42]
  - {id: ok-two, kind: period, stem: 几日？, answer: 15日, articles: [行政处罚法#67]}
  - {id: ok-one, kind: number, stem: 几人？, answer: 2, articles: [行政处罚法#42]}
"""


def test_a_bad_question_names_file_and_line_and_the_rest_loads(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(BAD_QUIZ, encoding="utf-8")
    lib = load_library([f])
    got = {q.id for q in lib.questions}
    assert got == {"mine.ok-one", "mine.ok-two"}
    msgs = [str(e) for e in lib.errors]
    assert any(f"{f}:3:" in m and "不在法律条文目录中" in m for m in msgs), msgs
    assert any(f"{f}:4:" in m and "不能作为出题依据" in m for m in msgs), msgs
    assert any(f"{f}:9:" in m and "不是选项之一" in m for m in msgs), msgs
    assert any(f"{f}:12:" in m and "重复" in m for m in msgs), msgs
    two = next(q for q in lib.questions if q.id == "mine.ok-two")
    assert two.answer == ("15 days",)


@pytest.mark.parametrize(("text", "want"), [
    ("90日", Period(90, "days")), ("九十日", Period(90, "days")), ("90天", Period(90, "days")),
    ("7个工作日", Period(7, "working_days")), ("七个工作日", Period(7, "working_days")),
    ("六个月", Period(6, "months")), ("24小时", Period(24, "hours")), ("15 days", Period(15, "days")),
    ("十五", None), ("", None), ("很多天", None),
])
def test_parse_period(text, want):
    assert parse_period(text) == want


@pytest.mark.parametrize(("text", "want"), [
    ("200", 200), ("5,000", 5000), ("五千元", 5000), ("5万", None), ("五万", 50000), ("二百", 200),
    ("两", 2), ("-3", None), ("abc", None),
])
def test_parse_number(text, want):
    assert parse_number(text) == want


def test_scoring_a_paper(bank):
    paper = draw_paper(bank, 11, 20)
    right = {i.question.id: list(i.question.answer) for i in paper.items}
    for item in paper.items:  # answers as a trainee types them
        if item.question.kind is QKind.PERIOD:
            right[item.question.id] = item.question.answer_text()
    full = score_paper(paper, right)
    assert (full.points, full.correct, full.total) == (100, 20, 20)
    assert full.missed_articles == ()
    blank = score_paper(paper, {})
    assert blank.points == 0 and blank.correct == 0
    assert set(blank.missed_articles) == {a for i in paper.items for a in i.question.articles}
    first = paper.items[0].question
    one_wrong = {**right, first.id: None}
    s = score_paper(paper, one_wrong)
    assert s.correct == 19 and s.points == 95
    assert not s.results[0].correct and s.results[0].response is None
