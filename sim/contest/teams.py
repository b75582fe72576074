"""Team standings: a township's officers as one team (the campaign ranks townships as well as officers).

A team's score is the average over its whole roster of each officer's total (an officer with no result counts
0), so a township cannot climb by sending only its best officer. Ties share a rank and are broken by the
number of veto items (fewer first), then by the township's name.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .model import Contest
from .store import Standing


@attrs.frozen
class TeamStanding:
    rank: int
    township: str
    division: str | None
    members: int  # officers on the roster
    took_part: int  # officers with at least one result
    score: float  # average total over the roster, one decimal
    criticals: int


def team_standings(contest: Contest, people: Sequence[Standing], *, division: str | None = None) -> list[
        TeamStanding]:
    """Rank the townships from the officers' standings (`people`, already filtered by round or freeze)."""
    by_id = {s.contestant_id: s for s in people}
    towns: dict[str, list[str]] = {}
    for c in contest.roster:
        if division is None or c.division == division:
            towns.setdefault(c.township, []).append(c.id)
    teams = []
    for town, ids in towns.items():
        mine = [by_id[i] for i in ids if i in by_id]
        div = contest.contestant(ids[0])
        teams.append(TeamStanding(0, town, div.division if div else None, len(ids), len(mine),
                                  round(sum(s.score for s in mine) / len(ids), 1), sum(s.criticals for s in mine)))
    teams.sort(key=lambda t: (-t.score, t.criticals, t.township))
    out: list[TeamStanding] = []
    for i, t in enumerate(teams):
        same = out and (out[-1].score, out[-1].criticals) == (t.score, t.criticals)
        out.append(attrs.evolve(t, rank=out[-1].rank if same else i + 1))
    return out


TEAM_HEADERS = ("名次", "乡镇", "组别", "名单人数", "参赛人数", "团体得分（人均）", "否决项")
TEAM_NOTE = "团体得分为该乡镇名单上每人总分的平均，未交卷者按 0 分计；同分时否决项少者在前"


def team_rows(contest: Contest, teams: Sequence[TeamStanding]) -> list[list[str]]:
    from .export import division_name

    return [[str(t.rank), t.township, division_name(contest, t.division), str(t.members), str(t.took_part),
             f"{t.score:.1f}", str(t.criticals)] for t in teams]


def team_json(teams: Sequence[TeamStanding]) -> list[dict[str, object]]:
    return [attrs.asdict(t) for t in teams]
