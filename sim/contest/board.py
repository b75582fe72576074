"""What a leaderboard shows, for every front end (the terminal board, the web board): which freeze is in
force, the rows during the organiser's reveal, and whether the reveal may start. No UI imports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .model import Contest, Round, aware

if TYPE_CHECKING:
    from .store import Standing

TIEBREAK_LABELS = {
    "score": "总分高",
    "criticals": "否决项少",
    "wall_time": "用时少",
    "finish_time": "交卷早",
    "id": "编号",
}


def tiebreak_text(order: Sequence[str]) -> str:
    return "排名依据：" + " → ".join(TIEBREAK_LABELS.get(t, t) for t in order)


def scope(contest: Contest, round_id: str | None) -> list[Round]:
    """The rounds a board of `round_id` covers (all of them for the overall standings)."""
    return [r for r in contest.rounds if round_id is None or r.id == round_id]


def freeze_in_force(contest: Contest, round_id: str | None, now: dt.datetime) -> dt.datetime | None:
    """The freeze in force at `now`: the earliest passed freeze time of the rounds shown, or None."""
    now = aware(now)
    passed = [r.freeze for r in scope(contest, round_id) if r.freeze is not None and now >= r.freeze]
    return min(passed) if passed else None


def still_open(contest: Contest, round_id: str | None, now: dt.datetime) -> Round | None:
    """A round of the board that has not closed yet (the final standings may not be revealed before)."""
    now = aware(now)
    return next((r for r in scope(contest, round_id) if now < r.closes), None)


def reveal_rows(public: list[Standing], final: list[Standing], revealed: int) -> list[tuple[Standing, bool]]:
    """The board during the reveal: the final standings' last `revealed` rows at the bottom (True), above them
    everyone not yet revealed in their frozen order (False); contestants with no result before the freeze come
    last among those."""
    n = len(final)
    revealed = max(0, min(revealed, n))
    bottom = final[n - revealed :]
    waiting = {s.contestant_id for s in final[: n - revealed]}
    top = [s for s in public if s.contestant_id in waiting]
    seen = {s.contestant_id for s in top}
    top += [s for s in final[: n - revealed] if s.contestant_id not in seen]
    return [(s, False) for s in top] + [(s, True) for s in bottom]
