"""The exhaustive search's proofs (sim.situations): the view of a situation relative to the rules still open,
and the proofs over every parameter class (Prover). The end-to-end figures (straw-burning-01 proven, the
default budget reaching all of it) are in test_trainer_cli."""

from __future__ import annotations

import pytest

import sim
from sim.explore import _constants, _Search, default_depth, explore
from sim.session import Session
from sim.situations import Prover, Situations


@pytest.fixture(scope="module")
def library() -> sim.Library:
    return sim.load_library()


def _prover(sc: sim.Scenario) -> Prover:
    search = _Search(sc, 0, default_depth(sc), lambda: 0.0, None, None)
    return Prover(sc, search.classes, search.depth, (c for r in sc.procedure.rules for c in _constants(sc, r)))


@pytest.mark.parametrize("case", ["straw-burning-01", "fire-lane-01", "seize-electrofishing-01"])
def test_no_rule_the_search_fires_is_proven_unreachable(library: sim.Library, case: str) -> None:
    # Every rule a real sequence fired is one the proofs must leave alone: a proof of it would be wrong.
    sc = library.scenarios[case]
    found = explore(sc).rules_triggered
    prover = _prover(sc)
    wrong = [r.id for r in sc.procedure.rules if r.id in found and prover.prove(r)]
    proved = [r.id for r in sc.procedure.rules if r.id not in found and prover.prove(r)]
    prover.close()
    assert wrong == []
    assert proved  # and it does prove some (the case's rules that read only case data, for one)


def test_prover_leaves_a_rule_that_reads_the_order_of_acts(library: sim.Library) -> None:
    # `last('collective_discussion').index > first('legal_review').index` reads when acts were done: not a
    # parameter class, so no proof (the search has to decide it).
    sc = library.scenarios["straw-burning-01"]
    rule = next(r for r in sc.procedure.rules if r.id == "major-decision-discussed-before-review")
    prover = _prover(sc)
    assert prover.prove(rule) == ""
    prover.close()


def _view(sc: sim.Scenario, open_rules: list[str]) -> Situations:
    search = _Search(sc, 0, default_depth(sc), lambda: 0.0, None, None)
    v = Situations(sc, search.classes.ref_steps)
    v.set_open(open_rules)
    return v


def _session_after(sc: sim.Scenario, upto: str, **notify: object) -> Session:
    s = Session(sc, wall_clock=lambda: 0.0)
    for st in sc.references[0].steps:
        if st.do == "advance":
            s.advance(st.at)
            continue
        params = {**st.params, **notify} if st.do == "notify" else st.params
        assert s.act(st.do, st.at, **params).ok
        if st.do == upto:
            return s
    raise AssertionError(upto)


def test_view_keeps_what_an_open_rule_reads_and_drops_it_once_found(library: sim.Library) -> None:
    sc = library.scenarios["straw-burning-01"]
    low = _session_after(sc, "notify")
    high = _session_after(sc, "notify", amount=6000)
    # hearing-request-window reads the notice's amount (the hearing threshold): the two notices differ.
    view = _view(sc, ["hearing-request-window", "decided-without-notice"])
    assert view.key(low) != view.key(high)
    # The deadline rules' `when` is always read (it decides which clocks run): with no rule open they still
    # differ, the clock of the hearing request runs only after the large fine.
    closed = _view(sc, [])
    assert closed.key(low) != closed.key(high)
    # What no open rule and no clock reads merges: the notice's document text.
    other = _session_after(sc, "notify", document={**next(
        st for st in sc.references[0].steps if st.do == "notify").params["document"], "facts": "另一种写法的事实"})
    assert closed.key(low) == closed.key(other)
    # Unless an open rule reads the notice's document: then the two differ, and once that rule is found the
    # views taken while it was open merge (the search re-keys what it has seen).
    reading = _view(sc, ["decision-basis-differs-from-notice"])
    (a, _), (b, _) = reading.key(low), reading.key(other)
    assert a != b
    assert reading.set_open([]) is True
    assert reading.project(a) == reading.project(b) == closed.key(low)[0]


def test_view_drafted_documents_compare_by_subsumption(library: sim.Library) -> None:
    sc = library.scenarios["straw-burning-01"]
    view = _view(sc, [])
    early = _session_after(sc, "inspect")
    later = _session_after(sc, "file_case")
    (_, drafted_early), (_, drafted_later) = view.key(early), view.key(later)
    assert drafted_early < drafted_later  # the drafted documents only grow: what one may serve, the other may
