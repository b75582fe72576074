"""Discretion (裁量), major enforcement decisions (重大执法决定) and the approver, through the public API and CLI.

The traps of the bundled cases prove each rule fires on its case (`lawdrill check`, tests/test_library.py);
these tests cover what a trap cannot: the band over every amount (Hypothesis), the derivation of the band from
the circumstances, the loader's messages for a wrong penalty or approval block, and what the trainee reads.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, strategies as st
import pytest

from sim import Session, load_library
from sim import discretion as D
from sim.scoring import citations
from sim.selftest import play_more
from tui.cli import main

from strategies import library
from test_loader_errors import bad_case, line_of, load, the_error

LIB = library()
MAJOR = LIB.scenarios["major-logistics-fire-lane-01"]
COMPANY = LIB.scenarios["general-fire-lane-company-01"]
NO_FAULT = LIB.scenarios["nopenalty-stolen-tricycle-01"]
WHEAT = LIB.scenarios["nopenalty-wheat-drying-01"]
EBIKE = LIB.scenarios["nopenalty-ebike-corridor-01"]
DISCRETION_RULES = {"discretion-outside-band", "discretion-reasons-missing", "decision-approver-not-allowed",
                    "penalty-though-not-punishable", "first-offence-penalised"}


def before_decision(sc):
    """A session of `sc` played along its reference path up to (not including) the decision."""
    ref = next(t for t in sc.selftests if t.reference)
    upto = next(i for i, step in enumerate(ref.steps) if step.do in ("decide", "decide_no_penalty"))
    s = Session(sc, wall_clock=lambda: 0.0)
    assert play_more(s, ref.steps[:upto]) == []
    return s, ref.steps[upto]


def decide_like_reference(sc, **changes):
    s, step = before_decision(sc)
    params = {**step.params, **changes}
    document = {**params.pop("document", {}), **changes.pop("document", {})}
    params.pop("document", None)
    out = s.act("decide", step.at, **{k: v for k, v in params.items() if k != "document"}, document=document)
    assert out.ok, out.message
    return {f.rule_id for f in s.findings}, s


# --- the band (Hypothesis over the amount) -------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=80000))
def test_band_of_an_aggravated_case_is_the_statutory_range(amount):
    """major-logistics: only aggravating circumstances, no benchmark cited: [5,000, 50,000] (消防法 第六十条)."""
    found, _ = decide_like_reference(MAJOR, amount=amount)
    assert ("discretion-outside-band" in found) == (not 5000 <= amount <= 50000)


@given(st.integers(min_value=0, max_value=60000))
def test_band_stated_by_the_case_is_used_instead_of_the_range(amount):
    """general-fire-lane-company: the briefing's second tier, 20,000 to 40,000, is the band."""
    found, _ = decide_like_reference(COMPANY, amount=amount)
    assert ("discretion-outside-band" in found) == (not 20000 <= amount <= 40000)


circumstance_sets = st.lists(st.sampled_from(sorted(D.CIRCUMSTANCES)), unique=True).filter(
    lambda cs: len({"no_harm", "minor_harm", "serious_harm"} & set(cs)) <= 1)


@given(circumstance_sets, st.integers(0, 10000), st.integers(1, 100000), st.integers(0, 200000))
def test_derived_band_follows_articles_32_and_33(circumstances, lo, span, amount):
    hi = lo + span
    p = D.derive({"basis": "x#1", "min": lo, "max": hi, "circumstances": circumstances})
    mitigating = any(D.CIRCUMSTANCES[c].kind == "mitigating" for c in circumstances)
    aggravating = any(D.CIRCUMSTANCES[c].kind == "aggravating" for c in circumstances)
    if not circumstances:
        assert p["band_min"] is None and D.in_band(p, amount)  # nothing stated: nothing judged
    elif mitigating:
        # 应当从轻或者减轻: below the minimum is allowed; the maximum is not, unless facts also aggravate.
        assert D.in_band(p, 0)
        assert D.in_band(p, hi) == aggravating
        assert D.in_band(p, amount) == (amount < hi or (aggravating and amount == hi))
    else:
        assert D.in_band(p, amount) == (lo <= amount <= hi)
    assert p["no_penalty_due"] == ("no_fault" in circumstances or {"minor", "corrected", "no_harm"} <= set(circumstances))


# --- what the decision is judged on ------------------------------------------------------------------------


def test_reference_decisions_raise_no_discretion_finding():
    for sc in (MAJOR, COMPANY):
        found, _ = decide_like_reference(sc)
        assert not found & DISCRETION_RULES


def test_reasons_missing_is_its_own_finding_and_reads_in_chinese():
    found, s = decide_like_reference(MAJOR, document={"discretion_reasons": ""})
    assert "discretion-reasons-missing" in found and "discretion-outside-band" not in found
    f = next(f for f in s.findings if f.rule_id == "discretion-reasons-missing")
    assert f.title == "决定书未写明裁量理由"
    assert "执法实务规范" in citations(f, MAJOR.articles) and "非条文原话" in citations(f, MAJOR.articles)


def test_major_decision_needs_the_major_approver():
    assert "decision-approver-not-allowed" in decide_like_reference(MAJOR, approver="deputy_mayor")[0]
    assert "decision-approver-not-allowed" in decide_like_reference(MAJOR, approver=None)[0]
    assert "decision-approver-not-allowed" not in decide_like_reference(MAJOR, approver="mayor")[0]


def test_ordinary_decision_accepts_the_deputy_but_not_the_team_leader():
    # 20,000 yuan on an organisation is below the major threshold: the ordinary list applies.
    assert "decision-approver-not-allowed" not in decide_like_reference(COMPANY, approver="deputy_mayor")[0]
    assert "decision-approver-not-allowed" not in decide_like_reference(COMPANY, approver="mayor")[0]
    assert "decision-approver-not-allowed" in decide_like_reference(COMPANY, approver="team_leader")[0]


def test_a_smaller_fine_is_no_longer_major_so_the_deputy_may_sign():
    found, _ = decide_like_reference(MAJOR, amount=40000, approver="deputy_mayor")
    assert "decision-approver-not-allowed" not in found


def test_cases_without_an_approval_list_are_not_checked_for_the_approver():
    straw = LIB.scenarios["straw-burning-01"]
    assert straw.approvers == () and "decision-approver-not-allowed" not in decide_like_reference(straw)[0]


def test_no_fault_case_cannot_be_fined():
    s, _ = before_decision(NO_FAULT)
    assert NO_FAULT.penalty["no_penalty_due"] is True
    out = s.act("decide", "2026-09-15T10:00", penalty_kind="fine", amount=200, approved=True,
                document={"discretion_reasons": "初次违法"})
    assert "penalty-though-not-punishable" in {f.rule_id for f in out.findings}
    f = next(f for f in s.findings if f.rule_id == "penalty-though-not-punishable")
    assert f.severity.value == "critical"
    assert "《行政处罚法》第三十三条第二款" in citations(f, NO_FAULT.articles)


def test_first_offence_penalised_is_found_for_a_stated_first_offence(tmp_path):
    text = bad_case(("penalty: {basis: 大气污染防治法#119, min: 500, max: 2000}",
                     "penalty: {basis: 大气污染防治法#119, min: 500, max: 2000, "
                     "circumstances: [first_offence, minor_harm, corrected]}"),
                    ("power: {source: none", "power: {source: assigned"))
    lib = load(tmp_path, {"first.yaml": text})
    sc = lib.scenarios["bad-case"]
    assert sc.penalty["first_offence_applies"] and not sc.penalty["no_penalty_due"]
    s = Session(sc, wall_clock=lambda: 0.0, script=())
    assert s.act("file_case", "2026-06-03T15:00", approved=True).ok
    out = s.act("decide", "2026-06-05T10:00", penalty_kind="fine", amount=500, approved=True,
                document={"discretion_reasons": "初次违法，从轻"})
    assert out.ok
    assert "first-offence-penalised" in {f.rule_id for f in s.findings}
    assert "penalty-though-not-punishable" not in {f.rule_id for f in s.findings}


def fine_first_offender(sc, *, correct: bool = True, kind: str = "fine", amount: int | None = 500):
    """Play `sc`'s reference path up to its no-penalty decision (leaving out the order to correct and the
    re-check when `correct` is false, so the party never corrects), then notify and decide a penalty instead."""
    ref = next(t for t in sc.selftests if t.reference)
    upto = next(i for i, step in enumerate(ref.steps) if step.do == "decide_no_penalty")
    steps = list(ref.steps[:upto])
    if not correct:
        inspections = [i for i, st in enumerate(steps) if st.do == "inspect"]
        steps = [st for i, st in enumerate(steps) if st.do != "order_correct" and i != inspections[1]
                 and not (st.do == "serve" and st.params.get("target") == "order_correct")]
    s = Session(sc, wall_clock=lambda: 0.0)
    assert play_more(s, steps) == []
    at = steps[-1].at
    words = {"fine": f"罚款{amount}元", "warning": "警告"}[kind]
    assert s.act("notify", "+1 hours", penalty_kind=kind, amount=amount,
                 document={"facts": "违法事实", "reasons": "理由", "basis": "依据", "penalty": words,
                           "rights_defence": True, "rights_hearing": False, "reply_days": 3}).ok, at
    assert s.act("serve", "+1 hours", target="notify", method="direct", proof=["signature"]).ok
    out = s.act("decide", "+10 days", penalty_kind=kind, amount=amount, approved=True,
                document={"party": "当事人", "facts_evidence": "事实和证据", "kind_basis": words, "performance": "十五日内",
                          "remedy": "county_gov", "agency_seal_date": True, "correction_order": True,
                          "discretion_reasons": "初次违法，配合调查"})
    assert out.ok, out.reason
    return {f.rule_id for f in s.findings}


@pytest.mark.parametrize("kind, amount", [("fine", 1), ("fine", 500), ("fine", 5000), ("warning", None)])
def test_bundled_first_offence_case_finds_any_penalty_after_the_correction(kind, amount):
    """nopenalty-wheat-drying-01: first offence, minor harm, corrected within the hour. Any penalty, the
    smallest fine or a warning included, is the first-offence finding, and not the critical one of a mandatory
    不予处罚 (the harm was not nil)."""
    assert WHEAT.penalty["first_offence_applies"] and not WHEAT.penalty["no_penalty_due"]
    found = fine_first_offender(WHEAT, kind=kind, amount=amount)
    assert "first-offence-penalised" in found
    assert not found & {"penalty-though-not-punishable", "np-penalty-in-mandatory-case"}


def test_no_first_offence_finding_when_the_party_never_corrected():
    """In the no-penalty template correction is an event of the world: without the order to correct the party
    does not correct, 第三十三条第一款后段 does not apply, and the fine is no first-offence finding although the
    case lists `corrected` among its circumstances."""
    found = fine_first_offender(WHEAT, correct=False)
    assert "first-offence-penalised" not in found


def test_a_no_penalty_case_stating_only_facts_is_judged_the_same_way():
    """nopenalty-ebike-corridor-01 states no penalty.circumstances; its facts (first offence, minor harm) and the
    correction it scripts are enough."""
    assert EBIKE.penalty.get("circumstances") == []
    assert "first-offence-penalised" in fine_first_offender(EBIKE, amount=100)
    assert "first-offence-penalised" not in fine_first_offender(EBIKE, correct=False, amount=100)


# --- the author's mistakes: clear Chinese messages at file:line ----------------------------------------------


def test_unknown_circumstance_is_refused_at_its_line(tmp_path):
    text = bad_case(("penalty: {basis: 大气污染防治法#119, min: 500, max: 2000}",
                     "penalty:\n  basis: 大气污染防治法#119\n  min: 500\n  max: 2000\n"
                     "  circumstances:\n    - first_offence\n    - remorseful"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "remorseful"), "未知的裁量情节「remorseful」", "first_offence（初次违法）")


def test_band_below_the_minimum_needs_a_mitigating_circumstance(tmp_path):
    text = bad_case(("penalty: {basis: 大气污染防治法#119, min: 500, max: 2000}",
                     "penalty:\n  basis: 大气污染防治法#119\n  min: 500\n  max: 2000\n"
                     "  circumstances: [cooperative]\n  band: {min: 200, max: 800, basis: 县裁量基准（培训假设）}"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "band:"), "下限低于法定最低罚款数额", "第三十二条")


def test_band_needs_its_source(tmp_path):
    text = bad_case(("penalty: {basis: 大气污染防治法#119, min: 500, max: 2000}",
                     "penalty:\n  basis: 大气污染防治法#119\n  min: 500\n  max: 2000\n  band: {min: 500, max: 800}"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "band:"), "basis", "出处")


def test_derived_keys_cannot_be_written_by_the_author(tmp_path):
    text = bad_case(("penalty: {basis: 大气污染防治法#119, min: 500, max: 2000}",
                     "penalty:\n  basis: 大气污染防治法#119\n  band_max: 900"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "band_max"), "band_max", "系统根据情节推算")


def test_unknown_approver_is_refused_at_its_line(tmp_path):
    text = bad_case(("evidence:\n", "approval:\n  ordinary: [mayor, secretary]\nevidence:\n"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "ordinary:"), "审批人「secretary」不存在", "mayor（镇长")


def test_cli_check_reports_a_bad_circumstance_without_a_traceback(tmp_path, capsys):
    text = bad_case(("penalty: {basis: 大气污染防治法#119, min: 500, max: 2000}",
                     "penalty: {basis: 大气污染防治法#119, min: 500, max: 2000, circumstances: [sorry]}"))
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    code = main(["check", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code != 0
    assert f"{tmp_path / 'bad.yaml'}:{line_of(text, 'circumstances')}" in out + err
    assert "未知的裁量情节「sorry」" in out + err and "Traceback" not in out + err


def test_cli_rules_lists_the_discretion_rules(capsys):
    assert main(["rules", "--markdown"]) == 0
    out = capsys.readouterr().out
    for title in ("罚款数额超出应适用的裁量幅度", "决定书未写明裁量理由", "处罚决定审批人不适格",
                  "依法应当不予处罚却作出了处罚", "符合首违不罚条件仍予处罚"):
        assert title in out


def test_bundled_library_loads_the_new_cases_cleanly():
    lib = load_library([Path(__file__).resolve().parent.parent / "scenarios"])
    assert not lib.errors
    assert {"major-logistics-fire-lane-01", "nopenalty-stolen-tricycle-01"} <= set(lib.scenarios)


@pytest.mark.parametrize("case_id", ["major-logistics-fire-lane-01", "general-fire-lane-company-01"])
def test_approval_lists_are_read_from_the_case(case_id):
    sc = LIB.scenarios[case_id]
    assert sc.approvers == ("deputy_mayor", "mayor") and sc.major_approvers == ("mayor",)
