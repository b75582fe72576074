"""The results store and standings: the same imports give the same standings on SQLite and PostgreSQL;
tie-breaks order as configured; the frozen board hides late results; exports show the expected cells; many
processes writing at once lose nothing."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.contest import Contest, Contestant, ContestStore, ResultRow, Standing, rank, write_bundle
from sim.contest.export import export_standings, render_report, township_report

from contest_support import (FREEZE, OPENS, RESULTS_PLAN, library, make_contest, pg_url,  # noqa: F401 - fixture
                             play)

ROOT = Path(__file__).resolve().parent.parent
T = OPENS + dt.timedelta(minutes=5)

# (contestant, case, journal path, start offset in minutes): scores 100 / 30 / 60 / 100 / 85...
PLAN = [
    *RESULTS_PLAN[:5],
    ("A3", "fire-lane-01", "reference", 118),  # second case 2 hours after the first start: over time
    RESULTS_PLAN[5],  # B1: handed in after the 11:00 freeze
]


def _bundles(contest, tmp_path: Path) -> list[Path]:
    out = []
    for who, case, path, minutes in PLAN:
        start = OPENS + dt.timedelta(minutes=minutes)
        j = play(case, tmp_path / f"{who}-{case}.jsonl", path=path, start=start)
        out.append(write_bundle(contest, "r1", who, case, j, tmp_path / "bundles", library=library()))
    return out


def _import(url: str | None, tmp_path: Path, contest,
            bundles: list[Path]) -> tuple[list[str], list[Standing]]:
    with ContestStore.open(url, home=tmp_path / "home") as store:
        codes = [o.code for o in store.import_bundles(contest, library(), bundles)]
        return codes, store.standings(contest)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("seeded")
    contest = make_contest(tmp)
    return contest, _bundles(contest, tmp)


def _expected_codes() -> list[str]:
    return ["ok", "ok", "ok", "ok", "ok", "over_time", "ok"]


def test_sqlite_standings(seeded, tmp_path: Path) -> None:
    contest, bundles = seeded
    codes, board = _import(None, tmp_path, contest, bundles)
    assert codes == _expected_codes()
    assert [(s.rank, s.contestant_id, s.score, s.criticals, s.cases_done) for s in board] == [
        (1, "A1", 160, 1, 2), (2, "A2", 130, 1, 2), (3, "A3", 100, 0, 1), (4, "B1", 85, 0, 1)]
    assert board[0].name == "张一" and board[0].township == "城关镇" and board[3].division == "west"


def test_postgresql_gives_the_same_standings(seeded, tmp_path: Path, pg_url: str) -> None:
    contest, bundles = seeded
    sqlite_codes, sqlite_board = _import(None, tmp_path, contest, bundles)
    pg_codes, pg_board = _import(pg_url, tmp_path, contest, bundles)
    assert pg_codes == sqlite_codes == _expected_codes()
    assert pg_board == sqlite_board
    # The database itself refuses a second result for the same contestant, round and case.
    import sqlalchemy as sa

    from sim.contest.store import results

    with ContestStore.open(pg_url) as store, pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            row = conn.execute(sa.select(results).limit(1)).mappings().one()
            conn.execute(results.insert().values(dict(row, bundle_id="e" * 32, journal_digest=None)))


def test_frozen_board_hides_results_after_the_freeze(seeded, tmp_path: Path) -> None:
    contest, bundles = seeded
    with ContestStore.open(None, home=tmp_path / "home") as store:
        store.import_bundles(contest, library(), bundles)
        public = store.standings(contest, frozen=True)
        before_freeze = store.standings(contest, frozen=True, now=FREEZE - dt.timedelta(minutes=1))
        final = store.standings(contest)
        east = store.standings(contest, division="east")
        r1 = store.standings(contest, round_id="r1")
    assert [s.contestant_id for s in public] == ["A1", "A2", "A3"]  # B1 handed in after 11:00
    assert before_freeze == final and r1 == final
    assert [s.contestant_id for s in final] == ["A1", "A2", "A3", "B1"]
    assert [s.contestant_id for s in east] == ["A1", "A2", "A3"]


def _row(who: str, score: int, criticals: int, minutes: float, finished_min: float) -> ResultRow:
    end = T + dt.timedelta(minutes=finished_min)
    return ResultRow(f"{who}x", "test-cup", "r1", who, "c", "play", score, criticals, (),
                     end - dt.timedelta(minutes=minutes), end, end)


TIES = [
    _row("A1", 90, 1, 10, 50),  # same score as A2 and A3; one veto item
    _row("A2", 90, 0, 30, 40),  # no veto, slow, finished early
    _row("A3", 90, 0, 20, 45),  # no veto, faster, finished later
    _row("B1", 95, 2, 5, 5),
]


@pytest.mark.parametrize("tiebreak, order", [
    (["score", "criticals", "wall_time", "finish_time", "id"], ["B1", "A3", "A2", "A1"]),
    (["score", "criticals", "finish_time", "wall_time"], ["B1", "A2", "A3", "A1"]),
    (["score", "wall_time"], ["B1", "A1", "A3", "A2"]),
    (["criticals", "score"], ["A2", "A3", "A1", "B1"]),  # criticals first; A2/A3 tie on both keys: by id
])
def test_tiebreaks_order_as_configured(tmp_path: Path, tiebreak: list[str], order: list[str]) -> None:
    contest = make_contest(tmp_path, tiebreak=tiebreak)
    got = rank(contest, TIES)
    assert [s.contestant_id for s in got] == order


def test_equal_on_every_key_shares_a_rank(tmp_path: Path) -> None:
    contest = make_contest(tmp_path, tiebreak=["score", "criticals"])
    got = rank(contest, TIES)
    # A2 and A3: 90 points, no veto item -> both 2nd; A1 is 4th (competition ranking 1, 2, 2, 4).
    assert [(s.contestant_id, s.rank) for s in got] == [("B1", 1), ("A2", 2), ("A3", 2), ("A1", 4)]


def test_xlsx_export_cells(seeded, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    contest, bundles = seeded
    with ContestStore.open(None, home=tmp_path / "home") as store:
        store.import_bundles(contest, library(), bundles)
        board = store.standings(contest)
        rows = store.results(contest.id)
    out = export_standings(contest, board, "xlsx", tmp_path / "board.xlsx", library=library())
    ws = load_workbook(out).active
    assert ws.title == "排名"
    assert ws["A1"].value == "测试杯执法比武 · 总成绩 排名"
    straw, fire = (library().scenario(c).title for c in ("straw-burning-01", "fire-lane-01"))
    # One score column per case of every round (the review round's entry too), numbered by round.
    assert [c.value for c in ws[3]] == ["名次", "编号", "姓名", "乡镇（单位）", "组别", "总分", "否决项", "用时",
                                        "最后交卷", "完成案例", f"第1轮·{straw}", f"第1轮·{fire}",
                                        f"第2轮·案卷评查：{straw}"]
    assert [c.value for c in ws[4]][:7] == [1, "A1", "张一", "城关镇", "东片", 160, 1]
    assert [c.value for c in ws[4]][10:] == [100, 60, None]  # A1's two cases; no review result (empty cell)
    assert [c.value for c in ws[6]][10:] == [100, None, None]  # A3: the second case was over time
    assert [c.value for c in ws[7]][:7] == [4, "B1", "赵四", "黄山乡", "西片", 85, 0]
    assert ws[4][7].value.endswith("秒") and "分" in ws[4][7].value  # time spent, with its units
    assert ws.max_row == 7
    report = township_report(contest, rows, library())
    render_report(report, "xlsx", tmp_path / "report.xlsx")
    wb = load_workbook(tmp_path / "report.xlsx")
    town = {r[0].value: [c.value for c in r] for r in wb["各乡镇情况"].iter_rows(min_row=4)}
    # 城关镇: 2 on the roster, 2 took part, 4 results (100, 60, 30, 100) -> average 72.5, 2 of 4 passed.
    assert town["城关镇"][2:8] == [2, 2, 1, 4, 72.5, 0.5]
    assert town["合计"][2:6] == [4, 4, 1, 6]
    top = [[c.value for c in r] for r in wb["违反最多的规则"].iter_rows(min_row=2)]
    # Every rule broken in the imported results (not A3's over-time bundle), by count, with citations.
    broken = [r for v in rows for r in v.rules]
    assert [t[3] for t in top] == sorted((broken.count(r) for r in set(broken)), reverse=True)
    sc = library().scenario("straw-burning-01")
    heavier = next(r for r in sc.procedure.rules if r.id == "heavier-after-defence")
    assert [heavier.title, 1] in [[t[1], t[3]] for t in top]
    assert all(t[2].startswith("《") for t in top)


def test_csv_and_html_exports(seeded, tmp_path: Path) -> None:
    contest, bundles = seeded
    with ContestStore.open(None, home=tmp_path / "home") as store:
        store.import_bundles(contest, library(), bundles)
        board = store.standings(contest, frozen=True)
    csv_text = export_standings(contest, board, "csv", tmp_path / "b.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[1].startswith("1,A1,张一,城关镇,东片,160,1,")
    # Per-case columns (titles unknown without the library: the case ids), "—" for no result.
    assert csv_text.splitlines()[0].endswith(",第1轮·straw-burning-01,第1轮·fire-lane-01,第2轮·案卷评查：straw-burning-01")
    assert csv_text.splitlines()[1].endswith(",100,60,—")
    html_file = export_standings(contest, board, "html", tmp_path / "b.html", frozen=True)
    page = html_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "已封榜" in page and "<script" not in page and "张一" in page


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0分00秒"), (45.4, "0分45秒"), (67, "1分07秒"), (3599.6, "1小时00分00秒"), (4025, "1小时07分05秒"),
    (36000, "10小时00分00秒")])
def test_times_spent_carry_their_units(seconds: float, text: str) -> None:
    """"1:07" could be an hour and seven minutes or a minute and seven seconds: every time says which."""
    from sim.contest.export import duration_text

    assert duration_text(seconds) == text


def test_load_many_processes_lose_nothing() -> None:
    """The benchmark, scaled down: 8 processes x 20 results on SQLite (and PostgreSQL when available)."""
    env = dict(os.environ)
    args = [sys.executable, str(ROOT / "benchmarks" / "contest_load.py"), "--procs", "8", "--each", "20"]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SQLite: count check: expected 160, stored 160, refused 0 -> OK" in proc.stdout
    if env.get("LAWDRILL_TEST_PG_URL"):
        assert "PostgreSQL: count check: expected 160, stored 160, refused 0 -> OK" in proc.stdout
    elif env.get("LAWDRILL_REQUIRE_PG") == "1":
        pytest.fail("LAWDRILL_REQUIRE_PG=1 but LAWDRILL_TEST_PG_URL is not set")


@given(st.lists(st.tuples(st.sampled_from(["A1", "A2", "A3", "B1"]), st.integers(0, 100), st.integers(0, 2),
                          st.integers(1, 60), st.integers(0, 170)), max_size=12),
       st.permutations(["score", "criticals", "wall_time", "finish_time"]))
def test_ranking_follows_the_tiebreak_keys(rows: list[tuple[str, int, int, int, int]],
                                           order: list[str]) -> None:
    """Whatever the results and the configured order: ranks never go down the board, and two contestants
    share a rank exactly when they are equal on every configured key."""
    roster = tuple(Contestant(i, i, "城关镇", None) for i in ("A1", "A2", "A3", "B1"))
    contest = Contest("t", "测试", "", b"k" * 16, (), roster, (), tuple(order), ())
    board = rank(contest, [_row(*r) for r in rows])

    def key(s: Standing) -> tuple[object, ...]:
        return tuple({"score": -s.score, "criticals": s.criticals, "wall_time": round(s.wall_seconds, 3),
                      "finish_time": s.finished_at}[k] for k in order)

    assert len(board) == len({r[0] for r in rows})
    for a, b in zip(board, board[1:]):
        assert key(a) <= key(b)
        assert (a.rank == b.rank) == (key(a) == key(b))
        assert b.rank > a.rank or a.rank == b.rank
    assert all(s.rank == 1 + sum(key(o) < key(s) for o in board) for s in board)
