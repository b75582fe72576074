"""Collection (收卷情况): for one round, who has handed in every case, who some, who nothing — per township.

The organiser with bundles arriving on USB sticks from twenty townships needs the list of who is still
missing, not only the standings of those who are not. Read from the results store's rows; no SQL here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from .model import Contest, Contestant, Round

if TYPE_CHECKING:
    from .store import ResultRow

COMPLETE, PARTIAL, NONE = "complete", "partial", "none"
STATE_LABELS = {COMPLETE: "已交齐", PARTIAL: "未交齐", NONE: "未交卷"}


@attrs.frozen
class PersonCollection:
    contestant: Contestant
    handed_in: tuple[str, ...]  # case refs stored for this round, in the round's order
    missing: tuple[str, ...]
    last: dt.datetime | None  # the latest hand-in

    @property
    def state(self) -> str:
        if not self.missing:
            return COMPLETE
        return PARTIAL if self.handed_in else NONE


@attrs.frozen
class TownshipCollection:
    township: str
    division: str | None
    people: tuple[PersonCollection, ...]

    def count(self, state: str) -> int:
        return sum(p.state == state for p in self.people)


@attrs.frozen
class Collection:
    round: Round
    townships: tuple[TownshipCollection, ...]  # in the roster's order of first appearance

    @property
    def people(self) -> tuple[PersonCollection, ...]:
        return tuple(p for t in self.townships for p in t.people)

    def count(self, state: str) -> int:
        return sum(t.count(state) for t in self.townships)

    @property
    def outstanding(self) -> tuple[PersonCollection, ...]:
        """Everyone who has not handed in every case, township by township."""
        return tuple(p for p in self.people if p.state != COMPLETE)


def collection(contest: Contest, round_: Round, rows: Sequence[ResultRow], *,
               township: str | None = None) -> Collection:
    """Who of the roster has handed in which of the round's cases (`rows`: the store's results; other
    rounds' rows are ignored). `township`: only that township."""
    stored: dict[str, dict[str, dt.datetime]] = {}
    for r in rows:
        if r.round_id == round_.id and r.case in round_.cases:
            stored.setdefault(r.contestant_id, {})[r.case] = r.finished
    towns: dict[str, list[PersonCollection]] = {}
    for c in contest.roster:
        if township is not None and c.township != township:
            continue
        mine = stored.get(c.id, {})
        done = tuple(ref for ref in round_.cases if ref in mine)
        missing = tuple(ref for ref in round_.cases if ref not in mine)
        towns.setdefault(c.township, []).append(
            PersonCollection(c, done, missing, max(mine.values()) if mine else None))
    out = []
    for town, people in towns.items():
        out.append(TownshipCollection(town, people[0].contestant.division, tuple(people)))
    return Collection(round_, tuple(out))


def default_round(contest: Contest, now: dt.datetime) -> Round:
    """The round to show when none is named: the one open now, else the last one that has opened, else
    the first."""
    current = contest.round_at(now)
    if current is not None:
        return current
    opened = [r for r in contest.rounds if r.opens <= now]
    return opened[-1] if opened else contest.rounds[0]
