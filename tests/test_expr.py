"""Safe condition expressions (sim.expr): what an author may write, what is refused at load time, what the
checker learns from an expression (root names, calls, attributes), and how evaluation treats missing data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.expr import MAX_EXPR_CHARS, Evaluator, ExprError, Rec, check_names, parse
from sim.loader import FUNCTIONS, ROOT_NAMES


@pytest.mark.parametrize("source", [
    "len(act.officers) >= 2",
    "act.credentials_shown == True",
    "all_certified(act.officers)",
    "party.kind == 'citizen' and (last('notify').amount or 0) >= 5000",
    "last('notify').penalty_kind in ['demolish', 'suspend']",
    "penalty.min <= (act.amount or 0) <= penalty.max",
    "not flags.waived",
    "served('notify') is not None",
    "working_days_between(served('notify'), act.date) > (last('notify').document.reply_days or 3)",
    "act.document.remedy if act.document else None",
    "-1 < abs(facts.burned_area_mu - 3) * 2 // 1 % 7",
    "has(act.proof, 'signature') or has(act.proof, 'photo_video')",
    "act.officers[0] != 'zhao'",
    "(1, 2) != [1, 2]",
    True,  # YAML `check: true`
])
def test_allowed_expressions_parse(source):
    e = parse(source)
    assert str(e) == (source if isinstance(source, str) else "True")


@pytest.mark.parametrize(("source", "fragment"), [
    ("lambda: True", "Lambda"),
    ("(lambda: 1)()", "Lambda"),  # reported as the lambda it is, not as a method call
    ("[o for o in act.officers]", "ListComp"),
    ("{o for o in act.officers}", "SetComp"),
    ("{o: 1 for o in act.officers}", "DictComp"),
    ("any(o for o in act.officers)", "GeneratorExp"),
    ("(n := 1)", "NamedExpr"),
    ("f'{act.amount}'", "JoinedStr"),
    ("{'a': 1}", "Dict"),
    ("2 ** 64", "Pow"),
    ("1 << 64", "LShift"),
    ("act.officers[0:1]", "Slice"),
    ("act.officers.count('x')", "不能调用方法"),
    ("'abc'.upper()", "不能调用方法"),
    ("len()()", "不能调用方法"),
    ("len(act.officers, key=1)", "keyword"),
    ("act.__class__", "下划线"),
    ("act.x.__globals__", "下划线"),
    ("__import__('os')", "下划线"),
    ("_private", "下划线"),
    ("penalty.min <=", "语法错误"),
    ("a = 1", "语法错误"),
    ("import os", "语法错误"),
    ("", "为空"),
    ("   ", "为空"),
    (5, "字符串"),
    (None, "字符串"),
    ("x or " * 500 + "x", "过长"),
])
def test_refused_expressions(source, fragment):
    with pytest.raises(ExprError) as info:
        parse(source)
    assert fragment in str(info.value)


def test_max_length_is_exact():
    parse("1" * MAX_EXPR_CHARS)
    with pytest.raises(ExprError, match="过长"):
        parse("1" * (MAX_EXPR_CHARS + 1))


def test_names_calls_and_attributes_are_collected():
    e = parse("len(act.officers) >= 2 and last('notify').amount > penalty.min and done('file_case') and ok")
    assert e.names == {"len", "act", "last", "penalty", "done", "ok"}
    assert set(e.calls) == {("len", (None,)), ("last", ("notify",)), ("done", ("file_case",))}
    assert e.attrs_read == {("act", "officers"), ("last(notify)", "amount"), ("penalty", "min")}


def test_check_names_refuses_unknown_names_and_functions():
    check_names(parse("all_certified(act.officers) and flags.paid"), ROOT_NAMES, FUNCTIONS)
    with pytest.raises(ExprError, match="未知名称「pen」") as info:
        check_names(parse("pen.min > 0"), ROOT_NAMES, FUNCTIONS)
    assert "penalty" in str(info.value)  # the message lists what exists
    with pytest.raises(ExprError, match="未知函数「getattr」"):
        check_names(parse("getattr(act, 'x')"), ROOT_NAMES, FUNCTIONS)
    with pytest.raises(ExprError, match="未知函数「act」"):
        check_names(parse("act()"), ROOT_NAMES, FUNCTIONS)
    with pytest.raises(ExprError, match="未知名称「done」"):
        check_names(parse("done"), ROOT_NAMES, FUNCTIONS)  # a function used as a bare name
    check_names(parse("True and not False and None is None"), (), ())


@pytest.fixture
def ev() -> Evaluator:
    return Evaluator({"len": lambda x: 0 if x is None else len(x),
                      "has": lambda s, i: s is not None and i in s})


def test_evaluation_reads_records_and_missing_keys_are_none(ev):
    act = Rec(officers=["zhang", "wang"], document=Rec(remedy="county_gov"))
    assert ev(parse("len(act.officers) >= 2"), {"act": act}) is True
    assert ev(parse("act.document.remedy == 'county_gov'"), {"act": act}) is True
    assert ev(parse("act.amount"), {"act": act}) is None
    assert ev(parse("(act.amount or 0) >= 5000"), {"act": act}) is False
    assert ev(parse("has(act.proof, 'signature')"), {"act": act}) is False
    assert ev(parse("act.officers[1]"), {"act": act}) == "wang"


def test_evaluation_cannot_reach_private_attributes(ev):
    with pytest.raises(AttributeError):
        Rec(a=1).__getattr__("_secret")
    assert Rec(a=1).missing is None


def test_parsed_expression_evaluates_like_python_on_plain_values(ev):
    sources = ["1 + 2 * 3", "7 // 2", "7 % 3", "not 0", "3 if 1 < 2 else 4", "'a' in ['a', 'b']", "-5 + +2"]
    for source in sources:
        assert ev(parse(source), {}) == eval(source)  # noqa: S307 - comparing against Python on constants


@given(st.text(max_size=60))
def test_parse_only_raises_expr_error(source):
    try:
        parse(source)
    except ExprError:
        pass
