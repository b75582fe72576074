"""Helpers for the contest tests: a contest file with fixed windows, journals played with a chosen wall clock,
bundles re-signed after tampering, and a fresh PostgreSQL database per test when a server is available."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim import Session, load_library
from sim.contest import Contest, load_contest
from sim.contest.bundle import sign
from sim.contest.model import CST
from sim.loader import Library

KEY = "0123456789abcdef0123456789abcdef-test-key"
OPENS = dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST)
CLOSES = dt.datetime(2026, 12, 1, 12, 0, tzinfo=CST)
FREEZE = dt.datetime(2026, 12, 1, 11, 0, tzinfo=CST)
PLAY_CASES = ["straw-burning-01", "fire-lane-01"]
REVIEW_TRAP = ("straw-burning-01", "协管员一人现场检查")
SEED = 777

# Results for round r1 of the contest below (contestant, case, journal path, start offset in minutes):
# A1 both cases (100 + 60), A2 both (30 + 100), A3 the first only, B1 the second after the 11:00 freeze.
RESULTS_PLAN = [
    ("A1", "straw-burning-01", "reference", 1),
    ("A1", "fire-lane-01", "当事人申辩后未予理会", 20),
    ("A2", "straw-burning-01", "申辩后加罚且超出幅度", 2),
    ("A2", "fire-lane-01", "reference", 25),
    ("A3", "straw-burning-01", "reference", 3),
    ("B1", "fire-lane-01", "用白纸手写处罚决定，未签名", 125),
]

_LIBRARY: Library | None = None


def library() -> Library:
    global _LIBRARY
    if _LIBRARY is None:
        _LIBRARY = load_library()
    return _LIBRARY


def contest_doc(**top: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "contest": {"id": "test-cup", "name": "测试杯执法比武"},
        "key_file": "contest.key",
        "tiebreak": ["score", "criticals", "wall_time", "finish_time", "id"],
        "divisions": [{"id": "east", "name": "东片", "townships": ["城关镇", "石桥镇"]},
                      {"id": "west", "name": "西片", "townships": ["黄山乡"]}],
        "rounds": [
            {"id": "r1", "title": "第一轮", "kind": "play", "mode": "exam", "cases": PLAY_CASES,
             "time_limit": "60 minutes", "opens": OPENS.isoformat(), "closes": CLOSES.isoformat(),
             "freeze": FREEZE.isoformat(), "seed": SEED},
            {"id": "r2", "title": "评查轮", "kind": "review",
             "cases": [{"case": REVIEW_TRAP[0], "trap": REVIEW_TRAP[1]}], "time_limit": "30 minutes",
             "opens": "2026-12-01T14:00:00+08:00", "closes": "2026-12-01T16:00:00+08:00", "seed": 5},
        ],
        "roster": [
            {"id": "A1", "name": "张一", "township": "城关镇"},
            {"id": "A2", "name": "王二", "township": "城关镇"},
            {"id": "A3", "name": "李三", "township": "石桥镇"},
            {"id": "B1", "name": "赵四", "township": "黄山乡"},
        ],
    }
    doc.update(top)
    return doc


def write_contest(tmp_path: Path, doc: dict[str, Any] | None = None, name: str = "cup.yaml") -> Path:
    (tmp_path / "contest.key").write_text(KEY + "\n", encoding="utf-8")
    path = tmp_path / name
    text = yaml.safe_dump(doc or contest_doc(), allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def make_contest(tmp_path: Path, **top: Any) -> Contest:
    return load_contest(write_contest(tmp_path, contest_doc(**top)), library=library())


class WallClock:
    """A wall clock that starts at `start` and moves `step` seconds per reading (no sleeping)."""

    def __init__(self, start: dt.datetime, step: float = 30.0):
        self.now = start.timestamp()
        self.step = step

    def __call__(self) -> float:
        t = self.now
        self.now += self.step
        return t


def play(case_id: str, journal: Path, *, path: str = "reference", seed: int = SEED, mode: str = "exam",
         start: dt.datetime = OPENS + dt.timedelta(minutes=5), step: float = 30.0, finish: bool = True,
         trainee: str = "") -> Path:
    """Play a case's reference path (or the trap named `path`) into a journal with a controlled wall clock."""
    sc = library().scenario(case_id)
    test = sc.references[0] if path == "reference" else next(t for t in sc.traps if t.name == path)
    # The case's own world script, as a contestant plays it (a trap's own script is for self-tests only).
    s = Session(sc, seed=seed, journal=journal, mode=mode, trainee=trainee, wall_clock=WallClock(start, step))
    for st in test.steps:
        if st.do == "finish":
            break
        if st.do == "advance":
            s.advance(st.at)
        else:
            s.act(st.do, st.at, **st.params)
    if finish:
        s.finish()
    s.close()
    return journal


def load_doc(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def resign(path: Path, doc: dict[str, Any], key: str = KEY) -> Path:
    """Write a tampered bundle signed again with the contest key (a contestant has the key)."""
    doc["hmac_sha256"] = sign(key.encode(), doc["payload"])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (dropped afterwards). Skipped without a server, unless
    LAWDRILL_REQUIRE_PG=1 (CI), where a missing server is a failure."""
    base = os.environ.get("LAWDRILL_TEST_PG_URL")
    if not base:
        if os.environ.get("LAWDRILL_REQUIRE_PG") == "1":
            pytest.fail("LAWDRILL_REQUIRE_PG=1 but LAWDRILL_TEST_PG_URL is not set: CI must start PostgreSQL")
        pytest.skip("no PostgreSQL server (set LAWDRILL_TEST_PG_URL; .ci/run starts one)")
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
