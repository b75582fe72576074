"""Properties of the session API over every case in the library (Hypothesis).

Random act sequences drawn from the whole action catalogue, with type-correct parameters and times that
are mostly forward and sometimes backward: the engine may refuse them, but never raises; the case clock never
goes back; the score stays in [0, 100]; a final state stays final; `passed` implies no critical finding; and
replaying the journal gives the same findings and score.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test,
)

from sim import Session, load_library, replay
from sim.journal import read_journal
from sim.model import Severity

from strategies import act_moves, advance_moves, move_lists, next_moves, scenario, scenario_ids

CASES = scenario_ids()
# Keep the whole file within a few seconds on 2 CI cores, whatever the profile says and however many cases
# the library grows to.
_PROFILE_EXAMPLES = settings().max_examples
_PER_CASE = max(4, min(_PROFILE_EXAMPLES, 80 // max(1, len(CASES))))  # a roughly fixed total budget
MACHINE_SETTINGS = settings(max_examples=min(_PER_CASE, 25), stateful_step_count=16, deadline=None,
                            suppress_health_check=[HealthCheck.too_slow])
GIVEN_SETTINGS = settings(max_examples=min(_PER_CASE, 20), deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(autouse=True)
def _no_fsync():
    # Crash safety (fsync before returning) is tested in test_engine; here it only costs time.
    with mock.patch("sim.journal.os.fsync"):
        yield


def _findings_json(session: Session) -> list[dict]:
    return [f.to_json() for f in session.findings]


def _assert_result_consistent(session: Session) -> None:
    res = session.score_now() if session.result is None else session.result
    assert 0 <= res.score <= 100
    critical = [f for f in res.findings if f.severity is Severity.CRITICAL]
    if res.passed:
        assert not critical, f"passed with critical findings {[f.rule_id for f in critical]}"
    if critical:
        assert not res.passed and res.vetoed
    assert res.score == max(0, 100 - sum(f.deduction for f in res.findings))


class SessionMachine(RuleBasedStateMachine):
    """A trainee doing random things to one case; the scenario is set by the parametrized test."""

    scenario_id: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.scenario = scenario(self.scenario_id)
        self.dir = Path(tempfile.mkdtemp(prefix="lawdrill-prop-"))
        self.path = self.dir / "journal.jsonl"
        ticks = itertools.count()
        self.session = Session(self.scenario, seed=7, journal=self.path,
                               wall_clock=lambda: float(next(ticks)))
        self.lines = 1  # the start entry
        self.last_now = self.session.now
        self.last_act_at = self.session.now

    def _is_final(self) -> bool:
        return self.session.finished or self.session.proc.state(self.session.state).final

    def _journal_grew(self) -> None:
        # Every call is on disk before it returns.
        self.lines += 1
        assert len(read_journal(self.path)) == self.lines

    def _do(self, move) -> None:
        s = self.session
        final_before = self._is_final()
        state_before, acts_before, findings_before = s.state, len(s.acts), len(s.findings)
        out = move.apply(s)
        self._journal_grew()
        if final_before:  # time may still pass, but the procedure is over
            assert move.kind == "advance" or not out.ok, f"{move!r} accepted in a final state"
            assert s.state == state_before
        if not out.ok:
            assert out.reason, "a refusal must say why"
            assert len(s.acts) == acts_before and s.state == state_before
            assert len(s.findings) == findings_before
        elif move.kind == "act":
            assert len(s.acts) == acts_before + 1
            assert s.acts[-1].at >= self.last_act_at
            self.last_act_at = s.acts[-1].at
        assert set(out.findings) <= set(s.findings)

    @rule(data=st.data())
    def act_any(self, data):
        self._do(data.draw(act_moves(self.scenario), label="move"))

    @rule(data=st.data())
    def act_possible_now(self, data):
        possible = [a.id for a in self.session.actions() if not self.session.why_not(a.id)]
        drafted = [a.name for a in self.session.documents()]
        self._do(data.draw(act_moves(self.scenario, possible or None, drafted), label="move"))

    @rule(data=st.data())
    def advance(self, data):
        self._do(data.draw(advance_moves(), label="move"))

    @precondition(lambda self: not self.session.finished and len(self.session.acts) >= 4)
    @rule()
    def finish(self):
        res = self.session.finish()
        self._journal_grew()
        assert self.session.finish() is res  # idempotent, and not journaled twice
        assert len(read_journal(self.path)) == self.lines
        assert res.finished

    @invariant()
    def clock_never_goes_back(self):
        assert self.session.now >= self.last_now
        self.last_now = self.session.now

    @invariant()
    def score_in_range_and_veto_respected(self):
        _assert_result_consistent(self.session)

    def teardown(self):
        try:
            again = replay(self.scenario, self.path)
            assert _findings_json(again) == _findings_json(self.session)
            assert again.state == self.session.state and again.now == self.session.now
            assert [a.params for a in again.acts] == [a.params for a in self.session.acts]
            assert again.score_now().score == self.session.score_now().score
            if self.session.result is not None:
                assert again.result is not None and again.result.to_json() == self.session.result.to_json()
            again.close()
        finally:
            self.session.close()
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.mark.parametrize("case_id", CASES)
def test_session_state_machine(case_id):
    machine = type(f"SessionMachine_{case_id.replace('-', '_')}", (SessionMachine,), {"scenario_id": case_id})
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)


@pytest.mark.parametrize("case_id", CASES)
def test_walk_finish_replay(case_id):
    """Walks that start from a self-test prefix reach deep states; finishing and replaying agree."""
    sc = scenario(case_id)

    @GIVEN_SETTINGS
    @given(prefix=move_lists(sc, max_size=0), n=st.integers(min_value=0, max_value=25),
           seed=st.integers(min_value=0, max_value=3), data=st.data())
    def check(prefix, n, seed, data):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "j.jsonl"
            s = Session(sc, seed=seed, journal=path, wall_clock=lambda: 1.0)
            last = s.now
            for i in range(len(prefix) + n):
                move = prefix[i] if i < len(prefix) else data.draw(next_moves(s), label=f"move {i}")
                move.apply(s)
                assert s.now >= last
                last = s.now
            res = s.finish()
            assert s.finish() is res
            _assert_result_consistent(s)
            if s.proc.state(s.state).final:
                assert all(not s.act(a.id).ok for a in s.actions())
            s.close()
            again = replay(sc, path)
            assert again.result is not None
            assert [f.to_json() for f in again.result.findings] == [f.to_json() for f in res.findings]
            assert again.result.score == res.score and again.result.passed == res.passed
            again.close()

    check()


# --- the loader never raises, whatever the bytes ------------------------------------------------------------

_GOOD = Path(scenario(CASES[0]).path).read_bytes() if CASES else b"id: x\n"


def _mutations() -> st.SearchStrategy[bytes]:
    def mutate(data: bytes, pos: int, cut: int, insert: bytes) -> bytes:
        pos = pos % (len(data) + 1)
        return data[:pos] + insert + data[pos + cut:]

    inserts = st.one_of(st.binary(max_size=8), st.sampled_from(
        [b"{", b"[", b"\t", b": ", b"- ", b"&a ", b"*a", b"!!python/object:os.system ", b"\xff", b"\n  ",
         b"#"]))
    return st.builds(mutate, st.just(_GOOD), st.integers(min_value=0), st.integers(min_value=0, max_value=40),
                     inserts)


@settings(max_examples=min(_PROFILE_EXAMPLES, 15), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(_mutations(), st.binary(max_size=200),
                      st.text(alphabet="{}[]:-&*!#'\" \n\tabc案例0123", max_size=80).map(str.encode)))
def test_loader_never_raises_on_damaged_files(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.yaml"
        path.write_bytes(data)
        lib = load_library([tmp])  # must not raise
        assert "general-penalty" in lib.procedures  # the bundled base still loads
        for e in lib.errors:
            assert e.file == str(path) and e.line >= 1 and e.message
