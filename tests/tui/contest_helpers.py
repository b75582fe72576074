"""Helpers for the contest UI tests: a contest file on the bundled library, a fake wall clock that a test moves
by hand (no sleeping), and the contest app built on them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import FIXTURE_CASE, FROZEN_WALL

CST = dt.timezone(dt.timedelta(hours=8))
KEY = "tests-only-contest-key-0123456789abcdef"
PLAY_CASES = ("straw-burning-01", "spot-watermelon-stall-01")
REVIEW_CASE = "straw-burning-01"
REVIEW_TRAP = "协管员一人现场检查"
# FROZEN_WALL is 2026-05-29 04:26:40 Beijing time: round r1 is open then.
CONTEST_YAML = """\
contest: {id: nanyang-2026, name: 南阳市乡镇执法大比武}
key_env: LAWDRILL_TEST_CONTEST_KEY
tiebreak: [score, criticals, wall_time, finish_time, id]
divisions:
  - {id: east, name: 东片, townships: [城关镇, 石桥镇]}
  - {id: west, name: 西片, townships: [安皋镇]}
rounds:
  - id: r1
    title: 第一轮 实操
    kind: play
    cases: [@PLAY@]
    time_limit: 60 minutes
    opens: 2026-05-29 00:00
    closes: 2026-05-29 12:00
    freeze: 2026-05-29 11:00
    seed: 7
    mode: @PLAYMODE@
  - id: r2
    title: 第二轮 案卷评查
    kind: review
    mode: @MODE@
    cases: [{case: @REVIEW@, trap: @TRAP@}]
    time_limit: 30 minutes
    opens: 2026-05-29 13:00
    closes: 2026-05-29 18:00
    freeze: 2026-05-29 17:00
    seed: 7
roster:
  - {id: p01, name: 王小明, township: 城关镇}
  - {id: p02, name: 李华, township: 石桥镇}
  - {id: p03, name: 赵强, township: 安皋镇}
  - {id: p04, name: 孙丽, township: 安皋镇}
  - {id: p05, name: 周敏, township: 城关镇}
"""


def cst(text: str) -> float:
    """'2026-05-29 13:05' Beijing time -> epoch seconds."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST).timestamp()


class FakeClock:
    """The wall clock of a test: stands still until the test moves it."""

    def __init__(self, now: float = FROZEN_WALL) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def write_contest(folder: Path, *, review_mode: str = "exam", play: tuple[str, ...] = PLAY_CASES,
                  review: tuple[str, str] = (REVIEW_CASE, REVIEW_TRAP), play_mode: str = "exam") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "contest.yaml"
    text = (CONTEST_YAML.replace("@PLAY@", ", ".join(play)).replace("@MODE@", review_mode)
            .replace("@PLAYMODE@", play_mode)
            .replace("@REVIEW@", review[0]).replace("@TRAP@", review[1]))
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, library: Any) -> Any:
    from sim.contest import load_contest

    return load_contest(path, library=library)


def contest_app(contest: Any, library: Any, home: Path, clock: FakeClock, *, who: str = "p01",
                round_id: str = "r1", out: Path | None = None) -> Any:
    from tui.contest.app import make_contest_app

    r = contest.round(round_id)
    return make_contest_app(contest, r, contest.contestant(who), library, home=home, out=out, clock=clock)


TRAP = "协管员一人现场检查"  # the trap of the tests' own case (tests/tui/fixtures)
FIXTURE_REF = f"{FIXTURE_CASE}#{TRAP}"


def marks_for(library: Any, kind: str) -> list[Any]:
    """Answer sheets with known scores (the fixture trap has 4 defects: 15 + 40 + 15 + 5)."""
    from sim.contest import Mark, answer_key

    key = answer_key(library.scenarios[FIXTURE_CASE], TRAP)
    right = [Mark(d.step or 0, d.rule_id) for d in key]
    if kind == "all":  # 100, no veto item missed
        return right
    if kind == "miss-veto":  # 60, the critical one missed
        return [m for m in right if m.rule_id != "uncertified-officer"]
    if kind == "two-missed-two-false":  # 100 - 15 - 15 - 2 x 5 = 60, no veto item missed
        kept = [m for m in right if m.rule_id not in ("two-officers", "credentials-not-shown")]
        return kept + [Mark(1, "case-left-open"), Mark(0, "uncertified-officer")]
    raise ValueError(kind)


# (contestant, answer sheet, started, handed in) on 2026-05-29; the round freezes at 17:00.
SEED = [
    ("p01", "all", "13:00", "13:20"),  # 100, 20 min
    ("p02", "all", "13:00", "13:10"),  # 100, 10 min
    ("p03", "miss-veto", "13:01", "13:06"),  # 60, 1 veto item missed, 5 min
    ("p05", "two-missed-two-false", "13:00", "13:05"),  # 60, none missed, 5 min
    ("p04", "all", "16:58", "17:03"),  # 100 in 5 min — handed in after the freeze
]


def seed(contest: Any, library: Any, store: Any, out: Path, who: list[str] | None = None) -> None:
    """Bundles of SEED (review round r2 on the fixture case) written and imported as an organiser would."""
    from sim.contest import write_bundle

    for cid, kind, start, end in SEED:
        if who is not None and cid not in who:
            continue
        write_bundle(contest, "r2", cid, FIXTURE_REF, None, out, answers=marks_for(library, kind),
                     started=cst(f"2026-05-29 {start}"), handed_in=cst(f"2026-05-29 {end}"), library=library)
    outcomes = store.import_bundles(contest, library, [out])
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]


@pytest.fixture
def contest_key(monkeypatch):
    monkeypatch.setenv("LAWDRILL_TEST_CONTEST_KEY", KEY)
    return KEY
