"""The contest results store: SQLAlchemy Core over a SQLite file (default) or a PostgreSQL server (a URL).

Only verified results go in (`import_bundles` runs `read_bundle` first). The database enforces what must never
happen twice: a bundle id (a replayed bundle) and a (contest, round, contestant, case) result (a second
hand-in); a journal digest is unique per contest too (a copied journal). SQLite runs in WAL mode with a busy
timeout, and every write transaction is retried while the file is locked, so many importing processes do not
lose results.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError

from ..loader import Library
from .bundle import CODES, GRACE, BundleRejected, VerifiedBundle, bundle_files, read_bundle
from .model import Contest, Contestant, aware, cst_time

T = TypeVar("T")

metadata = sa.MetaData()
results = sa.Table(
    "contest_results", metadata,
    sa.Column("bundle_id", sa.String(32), primary_key=True),
    sa.Column("contest", sa.String(64), nullable=False),
    sa.Column("round", sa.String(64), nullable=False),
    sa.Column("contestant", sa.String(64), nullable=False),
    sa.Column("case_ref", sa.String(512), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("criticals", sa.Integer, nullable=False),
    sa.Column("rules", sa.Text, nullable=False),  # JSON list of rule ids
    sa.Column("started", sa.Float, nullable=False),  # epoch seconds (wall clock of the contestant's machine)
    sa.Column("finished", sa.Float, nullable=False),
    sa.Column("journal_digest", sa.String(64), nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("engine", sa.String(32), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("imported", sa.Float, nullable=False),
    sa.UniqueConstraint("contest", "round", "contestant", "case_ref", name="uq_contest_result_once"),
    sa.UniqueConstraint("contest", "journal_digest", name="uq_contest_journal_once"),
)
sa.Index("ix_contest_results_round", results.c.contest, results.c.round)

# Sign-in codes (sim.contest.signin): only a keyed lookup tag, a salt and the scrypt digest of each code are
# kept, never the code. Added after the first release: `metadata.create_all` creates the table in a store
# made before it, so existing stores open unchanged.
signin_codes = sa.Table(
    "contest_signin_codes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("contest", sa.String(64), nullable=False),
    sa.Column("scope", sa.String(64), nullable=False),  # the round the code is for, "" for every round
    sa.Column("contestant", sa.String(64), nullable=False),
    sa.Column("tag", sa.String(8), nullable=False),  # 12 bits of HMAC(contest key, code): the lookup bucket
    sa.Column("salt", sa.String(32), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),  # scrypt(code, salt)
    sa.Column("issued", sa.Float, nullable=False),
    sa.Column("revoked", sa.Float, nullable=True),  # set when a new code is issued to the same person
    sa.Column("used", sa.Float, nullable=True),  # the first successful sign-in
    sa.Column("place", sa.String(512), nullable=True),  # where it was used: host and data directory
    sa.Column("holder", sa.String(64), nullable=True),  # the process holding the session there ("pid:start")
    sa.Column("round", sa.String(64), nullable=True),  # the round signed in to first
)
sa.Index("ix_contest_signin_lookup", signin_codes.c.contest, signin_codes.c.tag)
# Wrong codes typed at a place (a server's data directory): the store-wide brake on guessing, which a new
# browser connection (a fresh sign-in screen and its own limiter) does not reset.
signin_failures = sa.Table(
    "contest_signin_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("contest", sa.String(64), nullable=False),
    sa.Column("place", sa.String(512), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
sa.Index("ix_contest_signin_failures", signin_failures.c.contest, signin_failures.c.place, signin_failures.c.at)


ALREADY_STORED = "already_stored"


@attrs.frozen
class ImportOutcome:
    path: str
    ok: bool  # stored now, or already stored (the same bundle imported before): nothing for the organiser to do
    code: str  # "ok", "already_stored" or a rejection code (sim.contest.bundle.CODES)
    message: str  # Chinese
    result_id: str | None  # the bundle id stored

    @property
    def already_stored(self) -> bool:
        return self.code == ALREADY_STORED


@attrs.frozen
class ResultRow:
    bundle_id: str
    contest_id: str
    round_id: str
    contestant_id: str
    case: str
    kind: str
    score: int
    criticals: int
    rules: tuple[str, ...]
    started: dt.datetime
    finished: dt.datetime
    imported: dt.datetime

    @property
    def wall_seconds(self) -> float:
        return (self.finished - self.started).total_seconds()


@attrs.frozen
class Standing:
    rank: int
    contestant_id: str
    name: str
    township: str
    division: str | None
    score: int
    criticals: int
    wall_seconds: float
    finished_at: dt.datetime | None
    cases_done: int
    # Each result counted: (round id, case ref, score), in the order of the contest's rounds and cases.
    cases: tuple[tuple[str, str, int], ...] = ()

    def case_score(self, round_id: str, case_ref: str) -> int | None:
        """The score of one case (None: not handed in, or hidden by the freeze)."""
        return next((score for r, c, score in self.cases if r == round_id and c == case_ref), None)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that `_sqlite_begin` decides how to begin.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=FULL")  # an imported result survives a power cut
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    # A write transaction takes the write lock at BEGIN (waiting up to the busy timeout): a deferred one that
    # reads first and then writes can fail at once under WAL when another process wrote in between.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


def _locked(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "locked" in text or "busy" in text or "deadlock" in text or "could not serialize" in text


class ContestStore:
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self._create_tables()

    @classmethod
    def open(cls, url: str | None = None, *, home: str | Path | None = None) -> ContestStore:
        """None -> the SQLite file contests.sqlite3 in `home` (default: lawdrill's data directory);
        a SQLAlchemy URL otherwise ("sqlite:///file", "postgresql+psycopg://user@host/db")."""
        if url is None:
            from ..store import default_home

            base = Path(home) if home is not None else default_home()
            base.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{(base / 'contests.sqlite3').resolve()}"
        try:
            sa_url = sa.make_url(url)
        except sa.exc.ArgumentError:
            raise ValueError(f"无法识别的数据库地址「{url}」（应为 sqlite:///文件 或 postgresql+psycopg://…）") from None
        if sa_url.get_backend_name() == "sqlite":
            engine = sa.create_engine(sa_url, connect_args={"timeout": 30}, poolclass=sa.pool.NullPool)
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            sa.event.listen(engine, "begin", _sqlite_begin)
        elif sa_url.get_backend_name() == "postgresql":
            engine = sa.create_engine(sa_url, pool_pre_ping=True)
        else:
            raise ValueError(f"不支持的数据库「{sa_url.get_backend_name()}」：只支持 SQLite 与 PostgreSQL")
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ContestStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _create_tables(self) -> None:
        """Create the table if missing. Importers started together on a new database race to create it; the
        loser sees "already exists" (or, on PostgreSQL, a duplicate row in its catalogue) and checks again."""
        for attempt in range(10):
            try:
                self._retry(lambda: metadata.create_all(self.engine))
                return
            except (IntegrityError, sa.exc.ProgrammingError, OperationalError) as exc:
                text = str(exc).lower()
                if attempt == 9 or ("already exists" not in text and "duplicate key" not in text):
                    raise
                time.sleep(0.02 * (1 + random.random()))

    def _retry(self, work: Callable[[], T], attempts: int = 60) -> T:
        """Run a transaction, again while the database says it is locked or busy (with jittered backoff)."""
        delay = 0.01
        for attempt in range(attempts):
            try:
                return work()
            except OperationalError as exc:
                if not _locked(exc) or attempt == attempts - 1:
                    raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")

    # --- writing ---------------------------------------------------------------------------------------

    def add(self, v: VerifiedBundle, *, source: str = "", contest: Contest | None = None) -> ImportOutcome:
        """Store one verified result, or refuse it as a replay, a second hand-in, a copied journal, or (given
        the contest) a hand-in beyond the round's time limit counted from the contestant's first start."""
        def work() -> ImportOutcome:
            with self.engine.connect() as conn:
                conn.execution_options(write=True)  # SQLite: BEGIN IMMEDIATE
                with conn.begin():
                    rejected = self._conflict(conn, v, contest)
                    if rejected is not None:
                        return rejected
                    conn.execute(results.insert().values(
                        bundle_id=v.bundle_id, contest=v.contest_id, round=v.round_id,
                        contestant=v.contestant_id, case_ref=v.case, kind=v.kind, score=v.score,
                        criticals=v.criticals,
                        rules=json.dumps(list(v.rules)), started=v.started.timestamp(),
                        finished=v.finished.timestamp(), journal_digest=v.journal_digest,
                        content_hash=v.content_hash, engine=v.engine, source=source or v.path,
                        imported=time.time()))
            message = f"已导入：{v.contestant_id} {v.round_id} {v.case} {v.score} 分"
            return ImportOutcome(v.path, True, "ok", message, v.bundle_id)

        try:
            return self._retry(work)
        except IntegrityError:
            # Another process stored a conflicting result between our check and our insert: say which.
            with self.engine.connect() as conn:
                found = self._conflict(conn, v, None)
            if found is not None:
                return found
            raise

    def _conflict(self, conn: sa.Connection, v: VerifiedBundle,
                  contest: Contest | None) -> ImportOutcome | None:
        def no(code: str, detail: str = "") -> ImportOutcome:
            return ImportOutcome(v.path, False, code, CODES[code] + (f"：{detail}" if detail else ""), None)

        stored = conn.execute(sa.select(results).where(results.c.bundle_id == v.bundle_id)).first()
        if stored is not None:
            same = (stored.contest, stored.round, stored.contestant, stored.case_ref, stored.journal_digest,
                    stored.score) == (v.contest_id, v.round_id, v.contestant_id, v.case, v.journal_digest,
                                      v.score)
            if same:
                # The very bundle imported before (an inbox imported again, a second copy of the file): it
                # changes nothing, so it is reported as stored, not as a rejection.
                return ImportOutcome(v.path, True, ALREADY_STORED,
                                     f"已导入过（{stored.contestant} {stored.round} {stored.case_ref} "
                                     f"{stored.score} 分），未重复计入", v.bundle_id)
            return no("replayed", f"成绩包编号 {v.bundle_id}")
        mine = (results.c.contest == v.contest_id, results.c.round == v.round_id,
                results.c.contestant == v.contestant_id)
        first = conn.execute(sa.select(results.c.source).where(*mine, results.c.case_ref == v.case)).first()
        if first is not None:
            return no("duplicate", f"先提交的是 {Path(first.source).name}")
        if v.journal_digest is not None:
            other = conn.execute(sa.select(results.c.contestant).where(
                results.c.contest == v.contest_id, results.c.journal_digest == v.journal_digest)).first()
            if other is not None:
                return no("copied_journal", f"与参赛人员 {other.contestant} 的记录相同")
        r = contest.round(v.round_id) if contest is not None else None
        if r is not None:
            # The time limit is for the whole round: from the contestant's first start to this hand-in.
            span = conn.execute(sa.select(sa.func.min(results.c.started), sa.func.max(results.c.finished))
                                .where(*mine)).first()
            if span is not None and span[0] is not None:
                start, end = min(cst_time(span[0]), v.started), max(cst_time(span[1]), v.finished)
                if end - start > r.time_limit + GRACE:
                    return no("over_time", f"本轮各案例合计用时 {int((end - start).total_seconds() // 60)} 分钟，"
                                           f"时限 {int(r.time_limit.total_seconds() // 60)} 分钟")
        return None

    def import_bundles(self, contest: Contest, library: Library,
                       paths: Iterable[str | Path]) -> list[ImportOutcome]:
        """Verify and store bundle files (directories are expanded to their *.bundle.json files)."""
        out: list[ImportOutcome] = []
        for path in bundle_files(paths):
            try:
                v = read_bundle(path, contest, library)
            except BundleRejected as exc:
                out.append(ImportOutcome(str(path), False, exc.code, exc.message_zh, None))
                continue
            except Exception as exc:  # noqa: BLE001 - one hostile file never stops the import of the others
                out.append(ImportOutcome(str(path), False, "not_bundle",
                                         f"{CODES['not_bundle']}：无法校验（{type(exc).__name__}）", None))
                continue
            out.append(self.add(v, source=str(path), contest=contest))
        return out

    # --- reading ---------------------------------------------------------------------------------------

    def results(self, contest_id: str, round_id: str | None = None) -> list[ResultRow]:
        q = sa.select(results).where(results.c.contest == contest_id)
        if round_id is not None:
            q = q.where(results.c.round == round_id)
        q = q.order_by(results.c.finished, results.c.bundle_id)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [ResultRow(r.bundle_id, r.contest, r.round, r.contestant, r.case_ref, r.kind, r.score,
                          r.criticals, tuple(json.loads(r.rules)), cst_time(r.started), cst_time(r.finished),
                          cst_time(r.imported))
                for r in rows]

    def count(self, contest_id: str | None = None) -> int:
        q = sa.select(sa.func.count()).select_from(results)
        if contest_id is not None:
            q = q.where(results.c.contest == contest_id)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def standings(self, contest: Contest, round_id: str | None = None, division: str | None = None,
                  frozen: bool = False, now: dt.datetime | None = None) -> list[Standing]:
        """Ranked standings (see `rank`). `frozen`: the public board, which from a round's freeze time on does
        not show results handed in at or after it (`now`, if given, is the moment the board is seen: before
        the freeze time nothing is hidden). Without `frozen` (the reveal): every result."""
        rows = self.results(contest.id, round_id)
        if frozen:
            at = aware(now) if now is not None else None
            kept = []
            for row in rows:
                r = contest.round(row.round_id)
                freeze = r.freeze if r is not None else None
                hidden = freeze is not None and (at is None or at >= freeze) and row.finished >= freeze
                if not hidden:
                    kept.append(row)
            rows = kept
        return rank(contest, rows, division=division)


def _sort_key(tiebreak: Sequence[str], s: Standing) -> tuple[Any, ...]:
    parts: list[Any] = []
    for t in tiebreak:
        if t == "score":
            parts.append(-s.score)
        elif t == "criticals":
            parts.append(s.criticals)
        elif t == "wall_time":
            parts.append(round(s.wall_seconds, 3))
        elif t == "finish_time":
            parts.append(s.finished_at.timestamp() if s.finished_at else float("inf"))
        elif t == "id":
            parts.append(s.contestant_id)
    return tuple(parts)


def rank(contest: Contest, rows: Iterable[ResultRow], *, division: str | None = None) -> list[Standing]:
    """Sum each contestant's results (score, criticals, time spent; last hand-in), order by the contest's
    tie-break list, and rank: contestants equal on every tie-break key share a rank (1, 2, 2, 4)."""
    order = {key: (i,) for i, key in enumerate(contest.case_columns())}
    agg: dict[str, list[ResultRow]] = {}
    for row in rows:
        agg.setdefault(row.contestant_id, []).append(row)
    people: list[Standing] = []
    for cid, mine in agg.items():
        c = contest.contestant(cid) or Contestant(cid, cid, "", None)
        if division is not None and c.division != division:
            continue
        cases = tuple(sorted(((r.round_id, r.case, r.score) for r in mine),
                             key=lambda x: order.get((x[0], x[1]), (len(order), x[0], x[1]))))
        people.append(Standing(0, cid, c.name, c.township, c.division, sum(r.score for r in mine),
                               sum(r.criticals for r in mine), sum(r.wall_seconds for r in mine),
                               max(r.finished for r in mine), len(mine), cases))
    people.sort(key=lambda s: (_sort_key(contest.tiebreak, s), s.contestant_id))
    out: list[Standing] = []
    for i, s in enumerate(people):
        if out and _sort_key(contest.tiebreak, s) == _sort_key(contest.tiebreak, people[i - 1]):
            rank_ = out[-1].rank
        else:
            rank_ = i + 1
        out.append(attrs.evolve(s, rank=rank_))
    return out
