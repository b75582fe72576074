"""The element checkers of drafted documents (sim.documents): real-world spellings with their expected parse,
and Hypothesis properties (canonical forms read back to themselves, Chinese and Arabic numerals agree, no
input raises)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.documents import (
    LawIndex, LawInfo, Ref, Span, agree, amount_text, check_field, chinese, date_text, parse_citations,
    read_amounts, read_bodies, read_dates, read_number, read_periods, spans,
)

# The catalogue's laws as the loader hands them over (sizes: number of articles of the version in force).
INDEX = LawIndex.build([
    LawInfo("大气污染防治法", "中华人民共和国大气污染防治法", 129),
    LawInfo("行政处罚法", "中华人民共和国行政处罚法", 86),
    LawInfo("行政强制法", "中华人民共和国行政强制法", 71),
    LawInfo("行政复议法", "中华人民共和国行政复议法", 90),
    LawInfo("行政诉讼法", "中华人民共和国行政诉讼法", 103),
    LawInfo("民事诉讼法", "中华人民共和国民事诉讼法"),
    LawInfo("消防法", "中华人民共和国消防法", 74),
    LawInfo("公路法", "中华人民共和国公路法", 87),
    LawInfo("城乡规划法", "中华人民共和国城乡规划法", 70),
    LawInfo("土地管理法", "中华人民共和国土地管理法", 87),
    LawInfo("河南省农村公路条例", "河南省农村公路条例"),
    LawInfo("河南省行政执法条例", "河南省行政执法条例"),
    LawInfo("无证无照经营查处办法", "无证无照经营查处办法（国务院令第684号）"),
])

CITATIONS = [
    ("《中华人民共和国大气污染防治法》第一百一十九条第一款", ["大气污染防治法#119.1"]),
    ("《大气法》第119条第1款", ["大气污染防治法#119.1"]),
    ("《大气污染防治法》第一百一十九条", ["大气污染防治法#119"]),
    ("依据大气污染防治法第七十七条、第一百一十九条第一款", ["大气污染防治法#77", "大气污染防治法#119.1"]),
    ("违反了《中华人民共和国大气污染防治法》第七十七条的规定", ["大气污染防治法#77"]),
    ("《大气污染防治法》（2018年修正）第119条第一款", ["大气污染防治法#119.1"]),
    ("罚款；大气污染防治法第一百一十九条第一款", ["大气污染防治法#119.1"]),
    ("《中华人民共和国公路法》第四十六条；《河南省农村公路条例》第四十一条、第五十五条",
     ["公路法#46", "河南省农村公路条例#41", "河南省农村公路条例#55"]),
    ("《公路法》第四十六条和第七十七条", ["公路法#46", "公路法#77"]),
    ("《农村公路条例》第55条", ["河南省农村公路条例#55"]),
    ("《消防法》第六十条第一款第（五）项", ["消防法#60.1.5"]),
    ("《消防法》第六十条第一款第五项", ["消防法#60.1.5"]),
    ("《消防法》第六十条第一款（五）", ["消防法#60.1.5"]),
    ("《消防法》第60条第2款", ["消防法#60.2"]),
    ("《中华人民共和国消防法》第六十条第一款第五项、第六项", ["消防法#60.1.5", "消防法#60.1.6"]),
    ("《行政强制法》第十八条第（三）项", ["行政强制法#18.1.3"]),
    ("《行政处罚法》第四十四条", ["行政处罚法#44"]),
    ("《处罚法》第59条", ["行政处罚法#59"]),
    ("处罚法第六十七条第一款", ["行政处罚法#67.1"]),
    ("《中华人民共和国行政处罚法》第五十七条第一款第（一）项", ["行政处罚法#57.1.1"]),
    ("《行政强制法》第四十四条、第五十条、第五十一条", ["行政强制法#44", "行政强制法#50", "行政强制法#51"]),
    ("《强制法》第52条", ["行政强制法#52"]),
    ("行诉法第46条", ["行政诉讼法#46"]),
    ("《行政诉讼法》第四十六条第一款", ["行政诉讼法#46.1"]),
    ("《复议法》第二十条", ["行政复议法#20"]),
    ("民诉法第八十九条", ["民事诉讼法#89"]),
    ("《城乡规划法》第六十五条、《行政强制法》第四十四条", ["城乡规划法#65", "行政强制法#44"]),
    ("《中华人民共和国土地管理法》第七十八条第一款", ["土地管理法#78.1"]),
    ("《土管法》第七十八条", ["土地管理法#78"]),
    ("《无证无照经营查处办法》第六条、第十三条", ["无证无照经营查处办法#6", "无证无照经营查处办法#13"]),
    ("《河南省行政执法条例》第二十九条", ["河南省行政执法条例#29"]),
    ("《执法条例》第31条", ["河南省行政执法条例#31"]),
    ("《大气污染防治法》第一百一十九条第一款、第二款", ["大气污染防治法#119.1", "大气污染防治法#119.2"]),
    ("《大气法》第１１９条第１款", ["大气污染防治法#119.1"]),
    ("依照《中华人民共和国行政处罚法》第二十八条第一款和《大气法》第一百一十九条第一款的规定",
     ["行政处罚法#28.1", "大气污染防治法#119.1"]),
    ("第一百一十九条", ["#119"]),
    ("x", []),
    ("", []),
    ("罚款800元", []),
    ("2026年6月12日", []),
]

AMOUNTS = [
    ("800元", [800]),
    ("罚款800元", [800]),
    ("罚款人民币800元", [800]),
    ("人民币八百元", [800]),
    ("捌佰元整", [800]),
    ("罚款人民币捌佰元整", [800]),
    ("罚款人民币伍佰元", [500]),
    ("800.00元", [800]),
    ("￥800", [800]),
    ("¥1,200.50", [Decimal("1200.50")]),
    ("罚款5万元", [50000]),
    ("1.5万元", [15000]),
    ("壹万贰仟元整", [12000]),
    ("壹仟零伍拾圆整", [1050]),
    ("二千元", [2000]),
    ("两千元", [2000]),
    ("三千元", [3000]),
    ("罚款三千元", [3000]),
    ("罚款800元（大写：捌佰元整）", [800, 800]),
    ("五百元以上二千元以下", [500, 2000]),
    ("捌佰元伍角", [Decimal("800.5")]),
    ("过火面积3亩", []),
    ("第一百一十九条", []),
    ("十五日内缴纳", []),
    ("x", []),
]


@pytest.mark.parametrize("text,keys", CITATIONS)
def test_citation_spellings(text, keys):
    assert [r.key for r in parse_citations(text, INDEX)] == keys


@pytest.mark.parametrize("text,values", AMOUNTS)
def test_amount_spellings(text, values):
    assert read_amounts(text) == [Decimal(str(v)) for v in values]


def test_table_is_large_enough():
    assert len(CITATIONS) + len(AMOUNTS) >= 40 and len(CITATIONS) >= 30


REQUIRED = ["大气污染防治法#77", "大气污染防治法#119.1"]


@pytest.mark.parametrize("text,codes", [
    ("《大气污染防治法》第七十七条、第一百一十九条第一款", []),
    ("《大气法》第77条、第119条第1款", []),
    ("《大气污染防治法》第七十七条、第一百一十九条", ["para_missing"]),
    ("《大气污染防治法》第七十七条、第一百一十九条第二款", ["wrong_para"]),
    ("《大气污染防治法》第七十七条、第一百一十八条第一款", ["wrong_article"]),
    ("《大气污染防治法》第一百一十九条第一款", ["missing"]),
    ("《大气污染防治法》第七十七条、第二百一十九条第一款", ["nonexistent", "missing"]),
    ("《秸秆法》第七十七条", ["unknown_law", "missing", "missing"]),
    ("第七十七条、第一百一十九条第一款", ["no_law", "no_law", "missing", "missing"]),
    ("x", ["none"]),
])
def test_citations_checked_against_the_case(text, codes):
    assert [p.code for p in check_field("citation", text, REQUIRED, INDEX)] == codes


def test_item_and_paragraph_levels():
    req = ["消防法#60.1.5"]
    assert check_field("citation", "《消防法》第六十条第一款第五项", req, INDEX) == []
    assert [p.code for p in check_field("citation", "《消防法》第六十条第一款", req, INDEX)] == ["item_missing"]
    assert [p.code for p in check_field("citation", "《消防法》第六十条第一款第三项", req, INDEX)] == ["wrong_item"]
    # a 项 written without its 款 reads as the first paragraph (single-paragraph articles are cited that way)
    assert check_field("citation", "《行政强制法》第十八条第三项", ["行政强制法#18.1.3"], INDEX) == []


def test_problem_sentences_name_what_is_wrong():
    [p] = check_field("citation", "《大气污染防治法》第七十七条、第一百一十九条", REQUIRED, INDEX)
    assert p.text == "《大气污染防治法》第一百一十九条未写明第一款，应为《大气污染防治法》第一百一十九条第一款"
    [p] = check_field("money", "罚款人民币伍佰元", 800)
    assert p.text == "写明的数额500元与作出的罚款数额800元不一致"


def test_aliases_ambiguous_between_laws_are_dropped():
    # 诉讼法 alone could be either procedure law once both carry it; 民诉法/行诉法 are unambiguous
    idx = LawIndex.build([LawInfo("行政诉讼法", "中华人民共和国行政诉讼法"),
                          LawInfo("民事诉讼法", "中华人民共和国民事诉讼法")])
    assert idx.resolve("行诉法") == "行政诉讼法" and idx.resolve("民诉法") == "民事诉讼法"
    assert idx.resolve("诉法") is None


def test_money_checks():
    assert check_field("money", "罚款人民币捌佰元整", 800) == []
    assert check_field("money", "罚款800元", 800) == []
    assert [p.code for p in check_field("money", "罚款800元", 500)] == ["mismatch"]
    assert [p.code for p in check_field("money", "罚款", 800)] == ["none"]


def test_party_address_date_period_body():
    assert check_field("party", "李某，李庄村三组", ("李某", "李庄村三组")) == []
    assert check_field("party", "当事人：李某，男，住李庄村三组", ("李某", "李庄村三组")) == []
    assert [p.code for p in check_field("party", "李某某，李庄村三组", ("李某", "李庄村三组"))] == ["wrong_name"]
    assert [p.code for p in check_field("party", "王某，李庄村三组", ("李某", "李庄村三组"))] == ["wrong_name"]
    assert [p.code for p in check_field("party", "李某", ("李某", "李庄村三组"))] == ["address_missing"]
    assert check_field("address", "住所：李庄村 三组", "李庄村三组") == []
    assert read_dates("二〇二六年六月十二日；2026-06-12；2026.6.12") == [dt.date(2026, 6, 12)] * 3
    assert [p.code for p in check_field("date", "2026年6月13日", dt.date(2026, 6, 12))] == ["mismatch"]
    assert read_periods("自收到本决定书之日起十五日内缴纳") == [Span(15, "days")]
    assert read_periods("六十日内；6个月内；五个工作日内；60天内") == [
        Span(60, "days"), Span(6, "months"), Span(5, "working_days"), Span(60, "days")]
    assert read_periods("2026年6月12日前") == []
    assert check_field("period", "十五日内到指定银行缴纳", spans(["15 days"])) == []
    assert [p.text for p in check_field("period", "十日内缴纳", spans(["15 days"]))] == [
        "写明的期限「十日」不正确，应为十五日"]
    assert read_bodies("向宛城区人民政府申请行政复议，或者向南阳市中级人民法院起诉") == ["county_gov", "intermediate_court"]
    assert check_field("body", "县公安局", ["police"]) == []
    assert [p.code for p in check_field("body", "县市场监督管理局", ["police"])] == ["wrong"]


@pytest.mark.parametrize("text,codes", [
    ("可在六十日内向县人民政府申请行政复议，或在六个月内向县人民法院提起行政诉讼", []),
    ("如不服本决定，可以在收到本决定书之日起六十日内向某县人民政府申请行政复议，也可以在六个月内直接向某县人民法院提起行政诉讼。", []),
    ("可在十五日内向县人民政府申请行政复议，或在六个月内向县人民法院提起行政诉讼", ["wrong"]),
    ("可在六十日内向县人民政府申请行政复议，或在三个月内向县人民法院提起行政诉讼", ["wrong"]),
    ("可在六十日内向县农业农村局申请行政复议，或在六个月内向县人民法院提起行政诉讼", ["wrong"]),
    ("可在六十日内向县人民政府申请行政复议", ["no_litigation"]),
    ("x", ["no_review", "no_litigation"]),
])
def test_remedy_clause(text, codes):
    assert [p.code for p in check_field("remedy", text)] == codes


def test_notice_and_decision_must_agree():
    assert agree("citation", "《大气法》第119条第1款", "《大气污染防治法》第一百一十九条第一款", INDEX) == []
    assert [p.code for p in agree("citation", "《大气法》第119条第1款", "《大气法》第119条第2款", INDEX)] == ["differs"]
    assert agree("money", "拟罚款800元", "罚款人民币捌佰元整") == []
    assert [p.code for p in agree("money", "拟罚款800元", "罚款人民币伍佰元")] == ["differs"]
    assert agree("text", "在禁烧区焚烧秸秆约3亩", "焚烧秸秆约三亩；照片为证") == []
    assert [p.code for p in agree("text", "焚烧秸秆约3亩", "焚烧秸秆约5亩")] == ["differs"]


# --- properties --------------------------------------------------------------------------------------------

numbers = st.integers(min_value=0, max_value=9_999_999)


@given(numbers)
def test_chinese_and_arabic_numerals_agree(n):
    assert read_number(chinese(n)) == n
    assert read_number(chinese(n, financial=True)) == n
    assert read_number(str(n)) == n


@given(st.integers(min_value=1, max_value=9_999_999))
def test_canonical_amount_reads_back(n):
    assert read_amounts(amount_text(n)) == [Decimal(n)]
    assert read_amounts(amount_text(n, financial=False)) == [Decimal(n)]
    assert read_amounts(f"罚款人民币{chinese(n)}元") == [Decimal(n)]
    assert amount_text(int(read_amounts(amount_text(n))[0])) == amount_text(n)


laws = st.sampled_from(sorted(INDEX.laws))


@st.composite
def refs(draw):
    para = draw(st.none() | st.integers(1, 12))
    item = draw(st.none() | st.integers(1, 20)) if para is not None else None
    return Ref(draw(laws), draw(st.integers(1, 999)), para, item)


@given(st.lists(refs(), min_size=1, max_size=4))
def test_canonical_citations_read_back_to_themselves(rs):
    text = "、".join(r.canonical(INDEX) for r in rs)
    parsed = parse_citations(text, INDEX)
    assert [r.key for r in parsed] == [r.key for r in rs]
    assert "、".join(r.canonical(INDEX) for r in parsed) == text


@given(refs())
def test_arabic_citation_equals_chinese(r):
    arabic = f"《{r.law}》第{r.article}条" + (f"第{r.para}款" if r.para else "") + (f"第{r.item}项" if r.item else "")
    assert [x.key for x in parse_citations(arabic, INDEX)] == [r.key]


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dates_read_back(d):
    assert read_dates(date_text(d)) == [d]
    assert read_dates(d.isoformat()) == [d]


@given(st.text(max_size=200) | st.text(alphabet="第条款项目之、，《》（）一二三四五六七八九十百千万零两0123456789元人民币整日内个月年法", max_size=80))
def test_no_input_raises(text):
    for kind in ("citation", "money", "party", "address", "date", "period", "body", "remedy"):
        expected = {"citation": REQUIRED, "money": 800, "party": ("李某", "李庄村三组"), "address": "李庄村三组",
                    "date": dt.date(2026, 6, 12), "period": spans(["15 days"]), "body": ["county_gov"]}.get(kind)
        assert isinstance(check_field(kind, text, expected, INDEX), list)
    for kind in ("citation", "money", "text"):
        assert isinstance(agree(kind, text, text[::-1], INDEX), list)
    read_number(text)


# --- the library: documents are checked on content ------------------------------------------------------------

from sim import bundled_scenarios, load_library  # noqa: E402
from sim.gaming import blank_text  # noqa: E402
from sim.selftest import play_steps  # noqa: E402

LIB = load_library(bundled_scenarios())
REFERENCES = [(sc, t) for sc in sorted(LIB.scenarios.values(), key=lambda s: s.id) for t in sc.references]


def test_library_has_references():
    assert len(REFERENCES) >= 25 and not LIB.errors


@pytest.mark.parametrize("sc,test", REFERENCES, ids=[f"{sc.id}:{i}" for i, (sc, _) in enumerate(REFERENCES)])
def test_reference_scores_100_and_fails_with_every_text_written_as_x(sc, test):
    steps = tuple(st for st in test.steps if st.do != "finish")
    s, refused = play_steps(sc, steps, script=test.script)
    assert not refused and s.result.score == 100, s.result.rule_ids()
    blank = blank_text(sc, steps)
    assert blank != steps  # the path drafts something in words
    s, refused = play_steps(sc, blank, script=test.script)
    assert not refused  # the same acts are all possible: only the content is gone
    assert not s.result.passed, f"{sc.id}: 文书只写 x 仍得分 {s.result.score}"


def _straw_path(**changes):
    sc = LIB.scenarios["straw-burning-01"]
    steps = []
    for st in sc.references[0].steps:
        if st.do in changes:
            doc = {**st.params["document"], **changes[st.do]}
            st = attrs.evolve(st, params={**st.params, "document": doc})
        steps.append(st)
    s, refused = play_steps(sc, steps)
    assert not refused
    return s.result


def test_a_drafting_error_is_named_in_the_finding():
    r = _straw_path(notify={"penalty": "拟罚款人民币伍佰元"})
    [f] = r.findings
    assert f.rule_id == "notice-amount-wrong"
    assert "写明的数额500元与作出的罚款数额800元不一致" in f.actual
    r = _straw_path(decide={"kind_basis": "罚款捌佰元；《大气法》第119条"})
    [f] = r.findings
    assert f.rule_id == "decision-basis-wrong" and "未写明第一款" in f.actual
    r = _straw_path(decide={"party": "李某"})
    assert [f.rule_id for f in r.findings] == ["decision-party-wrong"]
    assert "李庄村三组" in r.findings[0].actual


def test_spellings_officers_use_pass():
    # the same decision written the ways officers write it: Arabic or Chinese numerals, short law names
    for basis in ("《中华人民共和国大气污染防治法》第一百一十九条第一款", "《大气法》第119条第1款",
                  "依据大气污染防治法第一百一十九条第一款的规定"):
        r = _straw_path(decide={"kind_basis": f"罚款人民币捌佰元整；{basis}"})
        assert r.score == 100, (basis, r.rule_ids())


def test_debrief_shows_the_drafted_document_beside_the_correct_one():
    from sim.report import render_html, render_markdown

    sc = LIB.scenarios["straw-burning-01"]
    trap = next(t for t in sc.traps if "伍佰元" in t.name and "告知书" in t.name)
    s, _ = play_steps(sc, trap.steps)
    md = render_markdown(sc, s, s.result)
    assert "| 栏目 | 你制作的文书 | 规范文书（参考路径） |" in md
    assert "| 拟作出的处罚种类和幅度 | 拟处罚款人民币伍佰元 | 罚款800元 |" in md
    assert "<th>规范文书（参考路径）</th>" in render_html(sc, s, s.result)
    # a contest round still open withholds the reference path, so also the correct documents
    assert "规范文书" not in render_markdown(sc, s, s.result, reference=False)
