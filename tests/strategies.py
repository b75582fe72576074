"""Hypothesis strategies over the scenario library and the `sim.Session` API.

A *move* is one thing a trainee can do: an act from the procedure's whole action catalogue (the interface
never offers only the valid next step) with random but type-correct parameters, or an advance of the case
clock. Times are mostly "now" or forward; sometimes backward, which the engine must refuse.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

import attrs
from hypothesis import strategies as st

from sim import Library, Outcome, Session, load_library
from sim.model import ActionSpec, FieldSpec, ParamKind, ParamSpec, Scenario, Step


@functools.lru_cache(maxsize=1)
def library() -> Library:
    """The bundled library, loaded once per process (xdist workers load their own)."""
    return load_library()


def scenario_ids() -> list[str]:
    return sorted(library().scenarios)


def scenario(case_id: str) -> Scenario:
    return library().scenarios[case_id]


# --- moves -------------------------------------------------------------------------------------------------


@attrs.frozen
class Move:
    """One call on a session. `at` is None (now), a timedelta from the session's current time (may be
    negative), or a string the engine parses itself ("+3 working_days", an ISO date)."""

    kind: str  # "act" | "advance"
    name: str = ""
    at: Any = None
    params: dict[str, Any] = attrs.field(factory=dict)

    def when(self, now: dt.datetime) -> Any:
        if isinstance(self.at, dt.timedelta):
            return now + self.at
        return self.at

    def apply(self, session: Session) -> Outcome:
        at = self.when(session.now)
        if self.kind == "advance":
            return session.advance(at)
        return session.act(self.name, at, **self.params)

    def __repr__(self) -> str:  # short, readable falsifying examples
        if self.kind == "advance":
            return f"advance({self.at!r})"
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"act({self.name!r}, at={self.at!r}{', ' if args else ''}{args})"


def moves_from_steps(steps: Iterable[Step]) -> list[Move]:
    """A self-test's steps as moves (so a random walk can start from a known-good prefix)."""
    out = []
    for s in steps:
        if s.do == "finish":
            break
        if s.do == "advance":
            out.append(Move("advance", at=s.at))
        else:
            out.append(Move("act", s.do, s.at, dict(s.params)))
    return out


# --- times --------------------------------------------------------------------------------------------------

forward_offsets = st.one_of(
    st.integers(min_value=0, max_value=72).map(lambda h: dt.timedelta(hours=h)),
    st.integers(min_value=1, max_value=40).map(lambda d: dt.timedelta(days=d)),
    st.integers(min_value=1, max_value=10).map(lambda n: f"+{n} working_days"),
)
backward_offsets = st.integers(min_value=1, max_value=24 * 20).map(lambda h: dt.timedelta(hours=-h))
# Mostly "now", often forward, sometimes backward (to be refused).
act_times = st.one_of(st.none(), st.none(), forward_offsets, backward_offsets)
advance_targets = st.one_of(
    forward_offsets,
    # far enough to let statutory periods expire
    st.integers(min_value=30, max_value=120).map(lambda d: dt.timedelta(days=d)),
    backward_offsets,
)


# --- parameter values ---------------------------------------------------------------------------------------

AMOUNTS = st.one_of(
    st.sampled_from([0, 50, 200, 500, 800, 1500, 2000, 2500, 3000, 5000, 20000, 50000, 100000]),
    st.integers(min_value=0, max_value=200_000),
)
SHORT_TEXT = st.one_of(st.sampled_from(["", "李某", "焚烧秸秆约3亩", "第一百一十九条", "罚款800元"]),
                       st.text(max_size=12))


def _subset(ids: Iterable[str], max_size: int | None = None) -> st.SearchStrategy[list[str]]:
    pool = list(ids)
    if not pool:
        return st.just([])
    return st.lists(st.sampled_from(pool), unique=True, max_size=max_size or len(pool))


def field_value(f: FieldSpec) -> st.SearchStrategy[Any]:
    if f.kind == "choice":
        return st.sampled_from([o.id for o in f.options])
    if f.kind == "bool":
        return st.booleans()
    if f.kind == "amount":
        return st.integers(min_value=0, max_value=30)
    return SHORT_TEXT


def document_value(action: ActionSpec) -> st.SearchStrategy[dict[str, Any]]:
    """A drafted document: a random subset of its fields (or all of them), each with a value of its kind."""
    assert action.document is not None
    fields = {f.id: field_value(f) for f in action.document.fields}
    return st.one_of(st.fixed_dictionaries({}, optional=fields), st.fixed_dictionaries(fields))


def param_value(sc: Scenario, action: ActionSpec, spec: ParamSpec,
                drafted: Iterable[str] = ()) -> st.SearchStrategy[Any]:
    """A type-correct value; `drafted` (acts whose documents exist) makes service targets more often valid."""
    proc = sc.procedure
    k = spec.kind
    if k == ParamKind.OFFICERS:
        return _subset((o.id for o in sc.officers), max_size=3)
    if k == ParamKind.EVIDENCE:
        return _subset(e.id for e in sc.evidence)
    if k == ParamKind.BOOL:
        return st.booleans()
    if k == ParamKind.CHOICE:
        return st.sampled_from(spec.option_ids())
    if k == ParamKind.CHOICES:
        return _subset(spec.option_ids())
    if k == ParamKind.AMOUNT:
        return AMOUNTS
    if k == ParamKind.TARGET:
        documented = [a.id for a in proc.actions.values() if a.document is not None]
        # mostly documents (those already drafted, when known), sometimes any action id
        return st.sampled_from(list(drafted) * 4 + documented * 2 + list(proc.actions))
    if k == ParamKind.DATETIME:
        return st.one_of(st.integers(min_value=0, max_value=30).map(lambda d: f"+{d} days"),
                         st.integers(min_value=1, max_value=15).map(lambda d: f"+{d} working_days"))
    if k == ParamKind.PHRASE:
        return st.sampled_from(sorted(proc.phrases)) if proc.phrases else st.none()
    if k == ParamKind.DOCUMENT:
        return document_value(action) if action.document is not None else st.none()
    return SHORT_TEXT  # TEXT


def act_params(sc: Scenario, action: ActionSpec,
               drafted: Iterable[str] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """A random subset of the action's parameters, or all of them."""
    proc = sc.procedure
    drafted = tuple(drafted)
    values = {p: param_value(sc, action, proc.params[p], drafted) for p in action.params}
    return st.one_of(st.fixed_dictionaries({}, optional=values), st.fixed_dictionaries(values))


def act_moves(sc: Scenario, names: Iterable[str] | None = None, drafted: Iterable[str] = ()
              ) -> st.SearchStrategy[Move]:
    """An act drawn from the scenario's whole action catalogue (or from `names`)."""
    catalogue = sc.procedure.actions
    actions = [catalogue[n] for n in names] if names is not None else list(catalogue.values())
    drafted = tuple(drafted)
    return st.sampled_from(actions).flatmap(
        lambda a: st.builds(Move, st.just("act"), st.just(a.id), act_times, act_params(sc, a, drafted)))


def next_moves(session: Session) -> st.SearchStrategy[Move]:
    """A move for a live session: any act of the catalogue, an act that is possible right now (so walks
    get deep into the procedure), or an advance of the clock."""
    sc = session.scenario
    drafted = [a.name for a in session.documents()]
    possible = [a.id for a in session.actions() if not session.why_not(a.id)]
    options = [act_moves(sc, drafted=drafted), advance_moves()]
    if possible:
        options += [act_moves(sc, possible, drafted)] * 3
    return st.one_of(options)


def advance_moves() -> st.SearchStrategy[Move]:
    return st.builds(Move, st.just("advance"), st.just(""), advance_targets)


def moves(sc: Scenario) -> st.SearchStrategy[Move]:
    return st.one_of(act_moves(sc), act_moves(sc), act_moves(sc), advance_moves())


def move_lists(sc: Scenario, max_size: int = 25) -> st.SearchStrategy[list[Move]]:
    """Random walks; half of them start from a prefix of one of the case's self-tests (to get deep)."""
    random_walk = st.lists(moves(sc), max_size=max_size)
    if not sc.selftests:
        return random_walk
    prefixes = st.sampled_from(sc.selftests).flatmap(
        lambda t: st.integers(min_value=0, max_value=len(t.steps)).map(
            lambda n: moves_from_steps(t.steps[:n])))
    return st.one_of(random_walk, st.tuples(prefixes, random_walk).map(lambda pair: pair[0] + pair[1]))
