"""Generated questions on who decides, what a document must contain and how it is served (sim.quizfamilies):
each answer checked against the case, rule or article it came from, by other means than the generator."""

from __future__ import annotations

import re

import pytest

from sim import expr as X
from sim import load_library
from sim.params import SERVICE_METHODS
from sim.quiz import VERIFIED, draw_paper, question_bank
from sim.quizfamilies import CONTENTS, body_name

FAMILIES = ("authority", "contents", "service")


@pytest.fixture(scope="module")
def lib():
    return load_library()


@pytest.fixture(scope="module")
def bank(lib):
    return question_bank(lib)


def _family(bank, name):
    return [q for q in bank if q.family == name]


def _label(q, oid):
    return next(o.label for o in q.choices() if o.id == oid)


def _text(lib, q):
    return "".join(lib.articles[k].text for k in q.articles)


def test_each_family_is_in_the_bank_on_verified_articles_only(lib, bank):
    for fam in FAMILIES:
        qs = _family(bank, fam)
        assert len(qs) >= 8, fam
        for q in qs:
            assert q.articles and all(lib.articles[k].status in VERIFIED for k in q.articles), q.id
            assert all(not line.startswith(("，", "。", "、", "；", "）")) for line in q.stem.splitlines())
            assert not re.search(r"[A-Za-z_]{3,}", q.stem), q.stem  # no ids inside the Chinese
            assert all(not re.search(r"[A-Za-z_]{3,}", o.label) for o in q.options), q.id
            if q.options:
                assert set(q.answer) < {o.id for o in q.options}, q.id  # never every option right


def test_a_paper_of_30_draws_from_the_new_families_and_is_stable(bank):
    a, b = draw_paper(bank, 20261204, 30), draw_paper(bank, 20261204, 30)
    assert a == b and len(a.items) == 30
    assert set(FAMILIES) <= {i.question.family for i in a.items}


# --- 谁来决定 -------------------------------------------------------------------------------------------


def test_power_answers_come_from_the_case_and_the_cited_article(lib, bank):
    qs = [q for q in bank if q.id.startswith("gen.authority.power.")]
    assert len(qs) >= 10
    sources = set()
    for q in qs:
        case = lib.scenarios[q.id.removeprefix("gen.authority.power.")]
        power = case.power
        sources.add(power["source"])
        (right,) = q.answer
        answer = _label(q, right)
        assert power["item"] in q.stem
        if power["source"] == "none":
            assert answer == body_name(power["competent"]) and answer in power["competent"]
            assert answer != "乡镇人民政府"
        else:
            assert answer == "乡镇人民政府"
            text = _text(lib, q).replace("乡、镇", "乡镇").replace("乡（镇）", "乡镇")
            assert "乡镇人民政府" in text, q.id
        assert [o.label for o in q.options].count(answer) == 1
    assert sources == {"assigned", "statutory", "none"}


def test_approver_answers_are_the_case_approvals(lib, bank):
    qs = [q for q in bank if q.id.startswith("gen.authority.approver-")]
    assert {q.id.split(".")[2] for q in qs} == {"approver-ordinary", "approver-major"}
    for q in qs:
        which, case_id = q.id.split(".")[2], q.id.split(".", 3)[3]
        case = lib.scenarios[case_id]
        allowed = case.approvers if which == "approver-ordinary" else case.major_approvers
        assert set(q.answer) == set(allowed)
        assert {o.id for o in q.options} == set(case.procedure.params["approver"].option_ids())
        assert "case_officer" not in q.answer and "team_leader" not in q.answer
        assert "行政处罚法#57" in q.articles


# --- 文书内容 -------------------------------------------------------------------------------------------


def _holds(lib, c, document, penalty_kind="warning"):
    """Whether every rule of `c` holds for a drafted document (content checks read as "written")."""
    proc = lib.procedures[c.procedure]
    written = lambda text: bool(text)  # noqa: E731
    ev = X.Evaluator({"names_party": written, "cites_basis": written, "cites_penalty_basis": written,
                      "fine_agrees": lambda *a: True, "states_fine": lambda *a: True})
    act = X.Rec(document=X.Rec(**document), penalty_kind=penalty_kind, amount=0)
    rules = [r for r in proc.rules if r.id in c.rules]
    return all(ev(r.expr, {"act": act}) for r in rules)


@pytest.mark.parametrize("c", CONTENTS, ids=lambda c: c.name)
def test_each_element_is_required_by_the_engine_rules(lib, bank, c):
    q = next(q for q in bank if q.id == f"gen.contents.{c.name}")
    doc = lib.procedures[c.procedure].actions[c.action].document
    filled = {f.id: (True if f.kind == "bool" else "有内容") for f in doc.fields}
    if c.name == "spot-decision":
        filled["numbered_form"] = True
    assert _holds(lib, c, filled)
    for fid in q.answer:
        # Leaving the element out breaks one of the rules, for a fine (amount elements) or any other penalty.
        blank = {**filled, fid: (False if isinstance(filled[fid], bool) else "")}
        assert not (_holds(lib, c, blank) and _holds(lib, c, blank, "fine")), (c.name, fid)
    for o in q.options:
        if o.id not in q.answer:
            assert o.id not in filled  # a distractor is no field of this document
    text = lib.articles[c.article].text
    for fid in q.answer:  # and each element is a thing the article names
        label = _label(q, fid)
        assert any(label[i:i + 2] in text for i in range(len(label) - 1)), (c.name, label)


def test_element_true_false_questions_follow_the_multiple_choice(bank):
    multi = {q.id.removeprefix("gen.contents."): q for q in bank if q.id.startswith("gen.contents.")}
    items = [q for q in bank if q.id.startswith("gen.contents-item.")]
    assert items
    for q in items:
        name, key = q.id.removeprefix("gen.contents-item.").split(".", 1)
        parent = multi[name]
        assert (q.answer == ("true",)) == (key in parent.answer), q.id
        assert _label(parent, key) in q.stem


# --- 送达方式 -------------------------------------------------------------------------------------------

# What the law says each method needs, read from the articles (the words that must appear in them).
PROOFS = {"direct": ({"signature"}, "签名"), "post": ({"receipt"}, "回执"),
          "electronic": ({"consent", "delivery_record"}, "确认书"), "leave": ({"witness", "photo_video"}, "拍照、录像"),
          "public_notice": ({"attempts"}, "记明原因和经过")}
SITUATIONS = {"leave": ({"refuses"}, "拒绝接收"), "electronic": ({"consent"}, "同意"),
              "family": ({"family"}, "同住成年家属"), "public_notice": ({"missing", "failed"}, "下落不明")}


@pytest.mark.parametrize("method", sorted(PROOFS))
def test_service_proof_answers_match_the_law(lib, bank, method):
    q = next(q for q in bank if q.id == f"gen.service-proof.{method}")
    want, words = PROOFS[method]
    assert set(q.answer) == want
    assert words in _text(lib, q)
    assert ("之一即可" in q.stem) == (method == "leave")


@pytest.mark.parametrize("method", sorted(SITUATIONS))
def test_service_situation_answers_match_the_law(lib, bank, method):
    q = next(q for q in bank if q.id == f"gen.service-when.{method}")
    want, words = SITUATIONS[method]
    assert set(q.answer) == want
    assert words in _text(lib, q)


def test_service_answers_agree_with_a_played_case(lib, bank):
    """The engine's own verdict: a service by each method, with the answer's proofs, raises none of the
    method's rules; with the distractors instead, it raises one."""
    proc = lib.procedures["general-penalty"]
    fns = {"has": lambda seq, item: seq is not None and item in seq, "failed_service": lambda _t: ("direct", "post")}
    ev = X.Evaluator(fns)
    party = X.Rec(kind="citizen", refuses_to_sign=True, cohabiting_adult=True, e_service_consent=True,
                  whereabouts_unknown=True)
    for q in (q for q in bank if q.id.startswith("gen.service-proof.")):
        method = q.id.rsplit(".", 1)[1]
        rules = [r for r in proc.rules if r.id in q.rules]
        assert rules and all(r.when.source == f"act.method == '{method}'" for r in rules)

        def ok(proofs, rules=rules, method=method):
            names = {"act": X.Rec(method=method, proof=tuple(proofs), target=0), "party": party,
                     "flags": X.Rec(unreachable=False)}
            for cond in ("other_service_failed", "public_notice_lawful"):
                names[cond] = ev(proc.conditions[cond], names)
            return all(ev(r.expr, names) for r in rules)

        assert ok(q.answer), q.id
        wrong = [o.id for o in q.options if o.id not in q.answer]
        assert not ok(wrong), q.id
    assert {m.id for m in SERVICE_METHODS} >= set(PROOFS)


def test_paper_command_prints_the_same_paper_with_its_answers(capsys):
    from tui.cli import main

    def run(*args):
        code = main(["paper", *map(str, args)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, out, _ = run("--seed", 5, "--questions", 6, "--family", "service", "--family", "authority", "--answers")
    assert code == 0
    assert out.startswith("法律知识试卷（随机种子 5，共 6 题")
    assert "答案与依据" in out and "类别：送达方式" in out and "类别：谁来决定" in out
    assert "类别：文书内容" not in out
    assert run("--seed", 5, "--questions", 6, "--family", "service", "--family", "authority", "--answers")[1] == out
    other = run("--seed", 6, "--questions", 6, "--family", "service", "--family", "authority")[1]
    assert other.splitlines()[1:] != out.split("\n\n答案与依据")[0].splitlines()[1:]
    code, _, err = run("--seed", 5, "--questions", 99, "--family", "service")
    assert code == 2 and "所选类别只有" in err and "不够抽 99 道" in err
    code, _, err = run("--seed", 5, "--family", "nonsense")
    assert code == 2 and "nonsense" in err
