"""Scores that mean what they say (issue 10): a case handed in outside its lawful outcomes fails, with a finding
that names every stage it did not reach; referral letters are checked; `lawdrill check` proves a case cannot
be gamed. Played through the public Session API and the CLI over the whole bundled library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import Session, render_result
from sim.gaming import attempts, hits, play
from sim.model import Severity
from strategies import library, move_lists, next_moves, scenario, scenario_ids
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
CASES = scenario_ids()
ENDING_RULES = {"case-left-open", "referral-within-competence", "not-referred-outside-competence",
                "crime-not-transferred"}


def run_cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out, _ = capsys.readouterr()
    return code, out


# --- the gaming attempts, over the whole library --------------------------------------------------------------


@pytest.mark.parametrize("case_id", CASES)
def test_gaming_attempts_fail_and_name_what_was_omitted(case_id):
    """Nothing / refer at once with a blank letter / refer at once with a filled letter to a wrong receiver /
    half of each reference path: each fails, vetoed by one ending finding that lists the missing stages, each
    with its article, in the debrief a trainee reads."""
    sc = scenario(case_id)
    tried = attempts(sc)
    # A template without a referral act (licensing) has no referral to try.
    lazy = {"empty", "half"} | ({"refer_blank", "refer_wrong"} if "refer" in sc.procedure.actions else set())
    assert {p.kind for p in tried} >= lazy
    for probe in tried:
        s, result = play(sc, probe)
        assert not result.passed, (probe.label, result.score, result.rule_ids())
        endings = [f for f in result.findings if f.rule_id in ENDING_RULES]
        assert len(endings) == 1, (probe.label, result.rule_ids())
        ending = endings[0]
        assert ending.severity is Severity.CRITICAL and ending.omitted and ending.outcome
        text = render_result(result, sc)
        for o in ending.omitted:
            assert o.label in text and o.cites
        s.close()


@pytest.mark.parametrize("case_id", CASES)
def test_reference_paths_reach_a_lawful_outcome_and_score_100(case_id):
    sc = scenario(case_id)
    assert sc.outcomes, "every bundled case has lawful outcomes (derived or its own)"
    for t in sc.references:
        s = Session(sc, wall_clock=lambda: 0.0, script=t.script)
        for st_ in t.steps:
            if st_.do == "advance":
                s.advance(st_.at)
            elif st_.do != "finish":
                assert s.act(st_.do, st_.at, **st_.params).ok, st_
        result = s.finish()
        assert result.score == 100 and result.passed, (t.name, result.rule_ids())
        assert s.assess_outcome().reached is not None
        s.close()


@pytest.mark.parametrize("case_id", CASES)
def test_no_case_of_the_library_can_be_gamed(case_id):
    """Empty path, every strict prefix of every reference path, shortest path to every final state."""
    assert hits(scenario(case_id)) == []


def test_half_done_case_says_how_far_it_got():
    sc = scenario("straw-burning-01")
    s = Session(sc, wall_clock=lambda: 0.0)
    ref = sc.references[0]
    for step in ref.steps:
        if step.do == "decide":
            break
        s.advance(step.at) if step.do == "advance" else s.act(step.do, step.at, **step.params)
    result = s.finish()
    text = render_result(result, sc)
    assert not result.passed and "case-left-open" in result.rule_ids()
    assert "未完成：未作出处罚决定（《行政处罚法》第五十七条第一款第（一）项）" in text
    assert "未完成：决定书未送达（《行政处罚法》第六十一条）" in text
    assert "未完成：罚款未执行或申请强制执行（《行政处罚法》第七十二条；《行政强制法》第五十三条）" in text
    # Closure has no article of its own: the practice source is cited as such.
    assert "未完成：案件未结案归档（《行政处罚法》第四十七条；《执法实务规范》第六十一条（执法实务或评查标准，非法律条文））" in text


def test_served_but_unpaid_names_only_what_is_left():
    sc = scenario("straw-burning-01")
    s = Session(sc, wall_clock=lambda: 0.0, script=())  # the party never pays
    for step in sc.references[0].steps:
        if step.do == "close_case":
            break
        s.advance(step.at) if step.do == "advance" else s.act(step.do, step.at, **step.params)
    result = s.finish()
    ending = next(f for f in result.findings if f.rule_id == "case-left-open")
    assert [o.label for o in ending.omitted] == ["罚款未执行或申请强制执行", "案件未结案归档"]


def test_referring_a_township_power_case_is_shirking():
    sc = scenario("fire-lane-01")
    s = Session(sc, wall_clock=lambda: 0.0)
    assert s.act("refer", document={"receiver": "police", "materials": True,
                                    "reason": "某某占用消防车通道，依《消防法》第六十条由公安机关查处"}).ok
    result = s.finish()
    assert "referral-within-competence" in result.rule_ids() and not result.passed
    assert "推诿" in render_result(result, sc)


# --- the referral letter ----------------------------------------------------------------------------------------

GOOD_REASON = ("陈某自2026年6月中旬起在镇区解放路东段未取得营业执照经营超市；依《无证无照经营查处办法》第六条、"
               "第十三条，由市场监督管理部门查处")


@pytest.mark.parametrize("document, expected", [
    ({"receiver": "market", "reason": GOOD_REASON, "materials": True}, []),
    ({}, ["not-referred-outside-competence", "referral-letter-incomplete", "referral-wrong-receiver"]),
    ({"receiver": "market", "reason": "不属于本镇管辖", "materials": True},
     ["not-referred-outside-competence", "referral-letter-incomplete"]),
    ({"receiver": "market", "reason": "陈某无照经营超市，自六月中旬开业至今未办理营业执照", "materials": True},
     ["not-referred-outside-competence", "referral-letter-incomplete"]),  # facts without a basis
    ({"receiver": "housing", "reason": GOOD_REASON, "materials": True},
     ["not-referred-outside-competence", "referral-wrong-receiver"]),
])
def test_referral_letter_is_checked(document, expected):
    sc = scenario("refer-unlicensed-shop-01")
    s = Session(sc, wall_clock=lambda: 0.0)
    assert s.act("refer", **{"document": document}).ok
    result = s.finish()
    assert result.rule_ids() == expected
    assert result.passed == (not expected)


def test_the_filled_wrong_receiver_attempt_has_a_letter_that_passes_the_letter_check():
    """The wrong-receiver attempt is only wrong in its receiver: the letter states facts and basis, so what
    fails it is the receiver (and, for a township power, the referral itself)."""
    sc = scenario("refer-unlicensed-shop-01")
    [probe] = [p for p in attempts(sc) if p.kind == "refer_wrong"]
    assert probe.steps[0].params["document"]["receiver"] != sc.facts["refer_to"]
    s, result = play(sc, probe)
    assert "referral-letter-incomplete" not in result.rule_ids()
    assert {"referral-wrong-receiver", "not-referred-outside-competence"} <= set(result.rule_ids())
    assert not result.passed


def test_referral_receiver_is_a_choice_from_the_candidates():
    sc = scenario("straw-burning-01")
    out = Session(sc).act("refer", document={"receiver": "县城管局"})
    assert not out.ok and "接收机关" in out.reason


# --- a random act sequence that reaches no lawful outcome never passes ---------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case_id=st.sampled_from(CASES), n=st.integers(min_value=0, max_value=12), data=st.data())
def test_random_sequence_outside_the_lawful_outcomes_never_passes(case_id, n, data):
    sc = scenario(case_id)
    s = Session(sc, wall_clock=lambda: 0.0)
    for move in data.draw(move_lists(sc, max_size=0), label="prefix"):
        move.apply(s)
    for i in range(n):
        data.draw(next_moves(s), label=f"move {i}").apply(s)
    result = s.finish()
    if s.assess_outcome().reached is None:
        assert not result.passed, (result.score, result.rule_ids())
    if result.passed:  # independent of sim.outcomes: a passing case has come to a procedural end
        assert s.proc.state(s.state).final
    s.close()


# --- `lawdrill check` fails a gameable case -------------------------------------------------------------------------

CASE_FILE = ROOT / "scenarios" / "cases" / "straw-burning-01.yaml"


def gameable_case(tmp_path: Path, outcomes: str) -> Path:
    text = CASE_FILE.read_text(encoding="utf-8").replace("id: straw-burning-01", "id: gameable-01", 1)
    path = tmp_path / "gameable.yaml"
    path.write_text(text.replace("\nparty:", f"\n{outcomes}party:", 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("outcomes", [
    # An outcome any hand-in reaches.
    "outcomes:\n  - id: anything\n    kind: other\n    label: 交卷即可\n    stages:\n"
    "      - {id: handed_in, omitted: 未交卷, cite: [执法实务规范#63], holds: \"True\"}\n",
    # No outcomes at all: nothing the case requires to be achieved.
    "outcomes: []\n",
])
def test_check_fails_a_gameable_case_with_its_file_and_line(capsys, tmp_path, outcomes):
    path = gameable_case(tmp_path, outcomes)
    code, out = run_cli(capsys, "check", "--fast", path)
    assert code == 1
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("outcomes:") or text.startswith("  - id: anything"))
    assert "什么都不做就交卷" in out and "可以这样取巧" in out, out
    assert f"{path}:" in out
    if outcomes != "outcomes: []\n":
        assert f"{path}:{line + 1}:" in out or f"{path}:{line}:" in out
    # A strict prefix of the reference path that passes is an error at that step.
    assert "参考路径「" in out and "只做到第 1 步" in out


def test_check_passes_the_library(capsys):
    code, out = run_cli(capsys, "check", "--fast", ROOT / "scenarios")
    assert code == 0, out
    assert "取巧" not in out


def test_explicit_outcomes_replace_the_derived_ones(tmp_path):
    from sim import load_library

    path = gameable_case(tmp_path, (
        "outcomes:\n  - id: warned\n    kind: other\n    label: 警告后结案\n    stages:\n"
        "      - {id: closed, omitted: 案件未结案归档, cite: [执法实务规范#61], holds: \"state == 'closed'\"}\n"))
    lib = load_library([path])
    assert not lib.errors, lib.errors
    sc = lib.scenarios["gameable-01"]
    assert [(o.id, o.derived) for o in sc.outcomes] == [("warned", False)]
    result = Session(sc).finish()
    ending = next(f for f in result.findings if f.rule_id == "case-left-open")
    assert ending.outcome == "警告后结案" and [o.label for o in ending.omitted] == ["案件未结案归档"]


@pytest.mark.parametrize("outcomes, message", [
    ("outcomes:\n  - {id: x, kind: other, label: 空, stages: []}\n", "至少要有一个环节"),
    ("outcomes:\n  - id: x\n    kind: sometimes\n    label: x\n    stages:\n"
     "      - {id: a, omitted: a, cite: [执法实务规范#63], holds: \"True\"}\n", "kind「sometimes」未知"),
    ("outcomes:\n  - id: x\n    kind: other\n    label: x\n    stages:\n"
     "      - {id: a, omitted: a, cite: [某法#1], holds: \"True\"}\n", "不在法律条文目录中"),
    ("outcomes:\n  - id: x\n    kind: other\n    label: x\n    stages:\n"
     "      - {id: a, omitted: a, cite: [执法实务规范#63], holds: \"done('nothing')\"}\n", "不存在的动作"),
])
def test_bad_outcomes_are_load_errors_with_a_position(tmp_path, outcomes, message):
    from sim import load_library

    path = gameable_case(tmp_path, outcomes)
    lib = load_library([path])
    errs = [e for e in lib.errors if e.file == str(path)]
    assert errs and message in errs[0].message and errs[0].line > 0, lib.errors


def test_a_case_outside_the_townships_power_must_name_its_receiver(tmp_path):
    from sim import load_library

    src = (ROOT / "scenarios" / "cases" / "refer-unlicensed-shop-01.yaml").read_text(encoding="utf-8")
    path = tmp_path / "noreceiver.yaml"
    path.write_text(src.replace("id: refer-unlicensed-shop-01", "id: noreceiver-01", 1)
                    .replace("  refer_to: market\n", "", 1), encoding="utf-8")
    lib = load_library([path])
    assert any("facts.refer_to" in e.message and e.file == str(path) for e in lib.errors), lib.errors


def test_library_fixture_loads():
    assert library().scenarios


def test_explore_lists_a_passing_ending_outside_the_lawful_outcomes(capsys, tmp_path):
    path = gameable_case(tmp_path, "outcomes: []\n")
    code, out = run_cli(capsys, "explore", path, "--budget", "40", "--depth", "3")
    assert code == 0
    assert "未达到本案的合法结果却判定通过（案件可以取巧）" in out and "什么都不做 → 交卷" in out
    code, out = run_cli(capsys, "explore", "straw-burning-01", "--budget", "40", "--depth", "3", "--json")
    assert code == 0 and json.loads(out)["gamed"] == []
