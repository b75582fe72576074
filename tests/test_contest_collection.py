"""The collection view's model (sim.contest.collection): every roster entry is counted once, in its township,
as complete, partial or none; results of other rounds, other cases or people off the roster never count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.contest import ResultRow
from sim.contest.collection import COMPLETE, NONE, PARTIAL, collection, default_round

from contest_support import CLOSES, OPENS, make_contest

PEOPLE = ["A1", "A2", "A3", "B1", "X9"]  # X9 is not on the roster
REFS = ["straw-burning-01", "fire-lane-01", "not-in-round"]


def _row(who: str, round_id: str, case: str, minutes: int) -> ResultRow:
    t = OPENS + dt.timedelta(minutes=minutes)
    return ResultRow(f"{who}{round_id}{case}{minutes}", "test-cup", round_id, who, case, "play", 80, 0, (), t,
                     t + dt.timedelta(minutes=5), t)


@pytest.fixture(scope="module")
def contest(tmp_path_factory: pytest.TempPathFactory):
    return make_contest(tmp_path_factory.mktemp("c"))


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(["r1", "r2"]), st.sampled_from(REFS),
                          st.integers(0, 100)), max_size=20))
def test_everyone_counted_once(contest, rows: list[tuple[str, str, str, int]]) -> None:
    r1 = contest.round("r1")
    assert r1 is not None
    col = collection(contest, r1, [_row(*r) for r in rows])
    assert [p.contestant.id for p in col.people] == [c.id for c in contest.roster]
    assert col.count(COMPLETE) + col.count(PARTIAL) + col.count(NONE) == len(contest.roster)
    for p in col.people:
        mine = {case for who, rid, case, _m in rows if who == p.contestant.id and rid == "r1" and case in r1.cases}
        assert set(p.handed_in) == mine and set(p.missing) == set(r1.cases) - mine
        assert (p.state == COMPLETE) == (mine == set(r1.cases)) and (p.state == NONE) == (not mine)
    assert {p.contestant.id for p in col.outstanding} == {p.contestant.id for p in col.people if p.missing}
    assert all(p.contestant.township == t.township for t in col.townships for p in t.people)


def test_default_round_follows_the_clock(tmp_path: Path) -> None:
    contest = make_contest(tmp_path)
    assert default_round(contest, OPENS - dt.timedelta(days=1)).id == "r1"  # nothing opened yet: the first
    assert default_round(contest, OPENS + dt.timedelta(minutes=5)).id == "r1"  # open now
    assert default_round(contest, CLOSES + dt.timedelta(minutes=30)).id == "r1"  # between rounds: the last opened
    assert default_round(contest, CLOSES + dt.timedelta(hours=3)).id == "r2"


def test_one_township(tmp_path: Path) -> None:
    contest = make_contest(tmp_path)
    col = collection(contest, contest.round("r1"), [_row("A1", "r1", "fire-lane-01", 3)], township="城关镇")
    assert [t.township for t in col.townships] == ["城关镇"]
    assert [(p.contestant.id, p.state) for p in col.people] == [("A1", PARTIAL), ("A2", NONE)]
