"""Local store of a trainee's attempts: an SQLite file in the user data directory.

Feeds the library's best scores, the history screen and the resume offer after a crash. The journal stays
the source of truth for an attempt: the store only indexes it, and a finished attempt's score is recomputed
from the journal whenever it is replayed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import attrs

from .bounds import check_id
from .scoring import Result

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id TEXT PRIMARY KEY,
    trainee TEXT NOT NULL,
    scenario TEXT NOT NULL,
    title TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    mode TEXT NOT NULL,
    seed INTEGER NOT NULL,
    journal TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL,
    status TEXT NOT NULL DEFAULT 'open',
    score INTEGER,
    passed INTEGER,
    grade TEXT,
    rules TEXT,
    township TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS attempts_trainee ON attempts(trainee, scenario);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sheets (
    id TEXT PRIMARY KEY,
    trainee TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    finished REAL NOT NULL,
    score INTEGER NOT NULL,
    rules TEXT NOT NULL,
    articles TEXT NOT NULL,
    township TEXT NOT NULL DEFAULT '',
    contest TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sheets_trainee ON sheets(trainee);
"""

# Columns added after the first release: a store written by an older lawdrill gets them on opening (SQLite's
# CREATE TABLE IF NOT EXISTS leaves an existing table as it was).
MIGRATIONS = (
    ("attempts", "township", "TEXT NOT NULL DEFAULT ''"),
    ("sheets", "contest", "TEXT NOT NULL DEFAULT ''"),
    ("sheets", "origin", "TEXT NOT NULL DEFAULT ''"),
)

# Kinds of answer sheet (and contest result) recorded against a case: grouped under the case by `--by case`.
CASE_KINDS = ("analysis", "drafting", "play", "review")


def default_home() -> Path:
    """Where lawdrill keeps its data: $LAWDRILL_HOME, else the platform's user data directory."""
    env = os.environ.get("LAWDRILL_HOME")
    if env:
        return Path(env)
    import platformdirs  # imported here: only the store needs it

    return Path(platformdirs.user_data_dir("lawdrill", appauthor=False))


@attrs.frozen
class Attempt:
    id: str
    trainee: str
    scenario: str
    title: str
    content_hash: str
    mode: str
    seed: int
    journal: str
    started: float
    finished: float | None
    status: str  # open | finished | abandoned
    score: int | None
    passed: bool | None
    grade: str | None
    rules: tuple[str, ...]
    township: str = ""


@attrs.frozen
class Sheet:
    """A finished answer sheet: a knowledge paper (kind quiz, ref "drill" or "practice") or a case analysis
    (kind analysis, ref the case id), or a contest result brought home (`contest` the contest's id, `origin`
    the result bundle's id; kind play, review, quiz or analysis, ref the case id or "paper"). `rules` and
    `articles` are what it missed (weak spots)."""

    id: str
    trainee: str
    kind: str  # quiz | analysis
    ref: str
    title: str
    finished: float
    score: int
    rules: tuple[str, ...]
    articles: tuple[str, ...]
    township: str = ""
    contest: str = ""  # a contest result: the contest's id ("" for practice)
    origin: str = ""  # a contest result: the bundle id (one row per bundle)


@attrs.frozen
class RuleTally:
    """How often one rule was broken within a group of finished attempts (the whole history, a case or a
    township)."""

    group: str  # "" (overall), a case id or a township
    rule: str
    count: int  # attempts in which the rule was broken (once per attempt)
    attempts: int  # finished attempts in the group

    @property
    def share(self) -> float:
        return self.count / self.attempts if self.attempts else 0.0


def _where(base: str, **equal: str | None) -> tuple[str, tuple[str, ...]]:
    """A WHERE clause: `base` and column = value for each filter given (None: not filtered). The column
    names are this module's own keywords, never input."""
    given = {k: v for k, v in equal.items() if v is not None}
    return "WHERE " + " AND ".join([base] + [f"{k}=?" for k in given]), tuple(given.values())


class Store:
    def __init__(self, home: str | Path | None = None):
        self.home = Path(home) if home is not None else default_home()
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "journals").mkdir(exist_ok=True)
        self.path = self.home / "lawdrill.sqlite3"
        self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        for table, column, decl in MIGRATIONS:
            have = {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")

    def close(self) -> None:
        self._db.close()

    # --- settings ---
    def get(self, key: str, default: str = "") -> str:
        row = self._db.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set(self, key: str, value: str) -> None:
        self._db.execute("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=?",
                         (key, value, value))

    # --- attempts ---
    def new_journal_path(self, scenario_id: str) -> tuple[str, Path]:
        check_id(scenario_id, "案例编号")  # the loader refuses such ids; a journal never lands outside the folder
        attempt_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        return attempt_id, self.home / "journals" / f"{attempt_id}-{scenario_id}.jsonl"

    def start(self, attempt_id: str, *, trainee: str, scenario: str, title: str, content_hash: str, mode: str,
              seed: int, journal: Path, started: float, township: str = "") -> None:
        self._db.execute(
            "INSERT INTO attempts(id, trainee, scenario, title, content_hash, mode, seed, journal, started,"
            " township) VALUES(?,?,?,?,?,?,?,?,?,?)",
            (attempt_id, trainee, scenario, title, content_hash, mode, seed, str(journal), started, township))

    def finish(self, attempt_id: str, result: Result, finished: float) -> None:
        self._db.execute(
            "UPDATE attempts SET status='finished', finished=?, score=?, passed=?, grade=?, rules=? WHERE id=?",
            (finished, result.score, int(result.passed), result.grade, json.dumps(result.rule_ids()), attempt_id))

    def abandon(self, attempt_id: str) -> None:
        self._db.execute("UPDATE attempts SET status='abandoned' WHERE id=? AND status='open'", (attempt_id,))

    def _rows(self, where: str, args: tuple[Any, ...]) -> list[Attempt]:
        rows = self._db.execute(
            "SELECT id, trainee, scenario, title, content_hash, mode, seed, journal, started, finished, status,"
            f" score, passed, grade, rules, township FROM attempts {where} ORDER BY started DESC", args
        ).fetchall()
        return [Attempt(*r[:12], None if r[12] is None else bool(r[12]), r[13],
                        tuple(json.loads(r[14] or "[]")), r[15] or "")
                for r in rows]

    def get_attempt(self, attempt_id: str) -> Attempt | None:
        found = self._rows("WHERE id=?", (attempt_id,))
        return found[0] if found else None

    def open_attempts(self, trainee: str | None = None) -> list[Attempt]:
        if trainee is None:
            return self._rows("WHERE status='open'", ())
        return self._rows("WHERE status='open' AND trainee=?", (trainee,))

    def history(self, trainee: str | None = None, scenario: str | None = None) -> list[Attempt]:
        where, args = _where("status='finished'", trainee=trainee, scenario=scenario)
        return self._rows(where, args)

    def best_scores(self, trainee: str) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT scenario, MAX(score) FROM attempts WHERE status='finished' AND trainee=? GROUP BY scenario",
            (trainee,)).fetchall()
        return {r[0]: r[1] for r in rows}

    # --- answer sheets (knowledge papers, case analyses) ---
    def record_sheet(self, *, trainee: str, kind: str, ref: str, title: str, score: int, rules: Any,
                     articles: Any, finished: float, township: str = "", contest: str = "",
                     origin: str = "") -> str | None:
        """Record a finished sheet; returns its id. A contest result (`origin` its bundle id) is recorded once:
        the same bundle again returns None and changes nothing."""
        if origin and self._db.execute("SELECT 1 FROM sheets WHERE origin=? AND trainee=?",
                                       (origin, trainee)).fetchone():
            return None
        sheet_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        self._db.execute(
            "INSERT INTO sheets(id, trainee, kind, ref, title, finished, score, rules, articles, township,"
            " contest, origin) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
            (sheet_id, trainee, kind, ref, title, finished, int(score), json.dumps(list(rules)),
             json.dumps(list(articles)), township, contest, origin))
        return sheet_id

    def sheets(self, trainee: str | None = None, kind: str | None = None, *, contest: str | None = None,
               ) -> list[Sheet]:
        """Finished sheets, newest first; `contest`: only the results of that contest ("" practice only)."""
        where, args = _where("1=1", trainee=trainee, kind=kind, contest=contest)
        rows = self._db.execute(
            "SELECT id, trainee, kind, ref, title, finished, score, rules, articles, township, contest, origin"
            f" FROM sheets {where} ORDER BY finished DESC", args).fetchall()
        return [Sheet(*r[:7], tuple(json.loads(r[7])), tuple(json.loads(r[8])), r[9] or "", r[10] or "",
                      r[11] or "") for r in rows]

    def _grouped(self, by: str | None, trainee: str | None) -> dict[str, list[tuple[str, ...]]]:
        """The rules missed by each finished attempt and answer sheet, by group: all in "" (by=None), by case
        id (by="case"; a knowledge paper under "quiz") or by township."""
        if by not in (None, "case", "township"):
            raise ValueError(f"unknown grouping {by!r}")
        out: dict[str, list[tuple[str, ...]]] = {}
        for a in self.history(trainee):
            out.setdefault("" if by is None else a.scenario if by == "case" else a.township, []).append(a.rules)
        for sh in self.sheets(trainee):
            group = "" if by is None else (sh.ref if sh.kind in CASE_KINDS else "quiz") if by == "case" \
                else sh.township
            out.setdefault(group, []).append(sh.rules)
        return out

    def weak_spots(self, by: str | None = None, *, trainee: str | None = None) -> list[RuleTally]:
        """Rules broken in finished attempts (and missed on answer sheets), most often first within each group: overall (by=None), per case
        (by="case") or per township (by="township"). A rule counts once per attempt however often it fired."""
        tallies = []
        for group, attempts in self._grouped(by, trainee).items():
            counts: dict[str, int] = {}
            for missed in attempts:
                for rule in dict.fromkeys(missed):
                    counts[rule] = counts.get(rule, 0) + 1
            tallies += [RuleTally(group, rule, n, len(attempts)) for rule, n in counts.items()]
        return sorted(tallies, key=lambda t: (t.group, -t.count, t.rule))

    def attempt_counts(self, by: str | None = None, *, trainee: str | None = None) -> dict[str, int]:
        """Finished attempts per group (see weak_spots), groups with no broken rule included."""
        return {group: len(attempts) for group, attempts in self._grouped(by, trainee).items()}
