"""The bundled scenario library: it loads cleanly, every case's self-tests pass, and every rule rests on an
entry of the law catalogue that is shown to trainees with its verification caveat.

Everything here iterates over whatever the library holds, so new cases and templates are checked as soon as
they are added.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sim.model import Severity, Status
from sim.scoring import Finding, cite_label, citations, finding_lines, is_law, render_result
from sim.selftest import play, run_selftest

from strategies import library

LIB = library()
SELFTESTS = [(sid, t.name) for sid, sc in sorted(LIB.scenarios.items()) for t in sc.selftests]
REFERENCES = [(sid, t.name) for sid, sc in sorted(LIB.scenarios.items()) for t in sc.references]
TRAPS = [(sid, t.name) for sid, sc in sorted(LIB.scenarios.items()) for t in sc.traps]
CASES = sorted(LIB.scenarios)
NOT_LAW = (Status.UNVERIFIED, Status.AN, Status.PR)


def _ids(pairs):
    return [f"{a}/{b}" for a, b in pairs]


def _test(case_id, name):
    return next(t for t in LIB.scenarios[case_id].selftests if t.name == name)


def test_library_loads_without_errors():
    assert not LIB.errors, "\n".join(str(e) for e in LIB.errors)
    assert LIB.scenarios, "the bundled library has no cases"
    assert LIB.laws and LIB.procedures


def test_every_case_has_a_reference_path_and_a_trap():
    for sid, sc in LIB.scenarios.items():
        assert sc.references, f"{sid} has no reference path"
        assert sc.traps, f"{sid} has no trap"


@pytest.mark.parametrize(("case_id", "test_name"), SELFTESTS, ids=_ids(SELFTESTS))
def test_selftest_passes(case_id, test_name):
    report = run_selftest(LIB.scenarios[case_id], _test(case_id, test_name))
    assert report.ok, f"{report.where}\n" + "\n".join(report.problems)


@pytest.mark.parametrize(("case_id", "test_name"), REFERENCES, ids=_ids(REFERENCES))
def test_reference_path_scores_100(case_id, test_name):
    sc, t = LIB.scenarios[case_id], _test(case_id, test_name)
    session, refused = play(sc, t)
    assert not refused, "\n".join(refused)
    res = session.result
    assert res is not None
    assert res.score == 100 and res.passed and not res.findings, render_result(res, sc)
    assert not session.diagnostics, session.diagnostics
    if t.expect_state is not None:
        assert session.state == t.expect_state
    session.close()


@pytest.mark.parametrize(("case_id", "test_name"), TRAPS, ids=_ids(TRAPS))
def test_trap_produces_exactly_its_findings(case_id, test_name):
    sc, t = LIB.scenarios[case_id], _test(case_id, test_name)
    session, refused = play(sc, t)
    assert not refused, "a trap must be playable to the end:\n" + "\n".join(refused)
    res = session.result
    assert res is not None and t.expect_findings
    assert sorted(f.rule_id for f in res.findings) == sorted(t.expect_findings)
    assert res.score == max(0, 100 - sum(f.deduction for f in res.findings))
    if t.expect_score is not None:
        assert res.score == t.expect_score
    assert not session.diagnostics, session.diagnostics
    session.close()


def test_every_concrete_template_is_used_by_a_case():
    def chain(pid):
        out, todo = set(), [pid]
        while todo:
            p = todo.pop()
            if p not in out and p in LIB.procedures:
                out.add(p)
                todo.extend(LIB.procedures[p].extends)
        return out

    used = set().union(*(chain(sc.procedure.id) for sc in LIB.scenarios.values()))
    unused = sorted(pid for pid, proc in LIB.procedures.items() if not proc.abstract and pid not in used)
    assert not unused, f"templates no case uses: {unused}"


def test_abstract_templates_are_not_used_directly():
    for sc in LIB.scenarios.values():
        assert not LIB.procedures[sc.procedure.id].abstract


@pytest.mark.parametrize("case_id", CASES)
def test_rule_citations_exist_in_law_catalogue(case_id):
    sc = LIB.scenarios[case_id]
    for rule in sc.procedure.rules:
        assert rule.cite, f"{rule.pos}: {rule.id} cites nothing"
        for key in rule.cite:
            assert key in LIB.articles, f"{rule.pos}: {rule.id} cites {key}, not in the catalogue"
            assert sc.articles[key] is LIB.articles[key]


def _finding(rule) -> Finding:
    return Finding(rule.id, rule.title, rule.severity, rule.cite, rule.explain, rule.expected, "（测试）",
                   dt.datetime(2026, 6, 3, 10, 0), None, None)


@pytest.mark.parametrize("case_id", CASES)
def test_citations_not_verified_as_law_carry_their_caveat(case_id):
    sc = LIB.scenarios[case_id]
    for rule in sc.procedure.rules:
        rendered = citations(_finding(rule), sc.articles)
        debrief = "\n".join(finding_lines(_finding(rule), sc.articles))
        for key in rule.cite:
            art = LIB.articles[key]
            label = cite_label(key, sc.articles)
            assert label.startswith(art.label)
            if art.status in NOT_LAW:
                assert art.caveat, f"{key} ({art.status}) has no caveat text"
                assert label == art.label + art.caveat, f"{rule.pos}: {rule.id} shows {key} as law"
                assert not is_law(key, sc.articles)
            else:
                assert label == art.label, f"{key} is verified law and must not carry a caveat"
                assert is_law(key, sc.articles)
            assert label in rendered and label in debrief


@pytest.mark.parametrize("case_id", CASES)
def test_veto_items_rest_on_verified_law(case_id):
    # A critical finding fails the trainee's case outright; that may not rest on practice or inference alone.
    for rule in LIB.scenarios[case_id].procedure.rules:
        if rule.severity is Severity.CRITICAL:
            assert any(is_law(c, LIB.articles) for c in rule.cite), \
                f"{rule.pos}: {rule.id} cites no verified law"


def test_caveats_are_distinct_per_status():
    from sim.model import Article

    texts = {s: Article("某法", "1", "", s).caveat for s in Status}
    assert texts[Status.P] == texts[Status.S] == ""
    assert len({texts[s] for s in NOT_LAW}) == 3 and all(texts[s] for s in NOT_LAW)
    assert "未核实" in texts[Status.UNVERIFIED]


@pytest.mark.parametrize("case_id", CASES)
def test_penalty_basis_is_in_catalogue(case_id):
    basis = LIB.scenarios[case_id].penalty.get("basis")
    if isinstance(basis, str) and "#" in basis:
        assert basis in LIB.articles, f"{case_id}: penalty basis {basis} not in the law catalogue"


@pytest.mark.parametrize("case_id", CASES)
def test_reference_paths_are_deterministic(case_id):
    """Two runs of the same reference with the same seed give the same log, world events included."""
    sc = LIB.scenarios[case_id]
    a, _ = play(sc, sc.references[0], seed=3)
    b, _ = play(sc, sc.references[0], seed=3)
    assert [(e.at, e.kind, e.text) for e in a.log] == [(e.at, e.kind, e.text) for e in b.log]
    assert [f.to_json() for f in a.findings] == [f.to_json() for f in b.findings]
    a.close()
    b.close()
