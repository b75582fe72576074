"""Sign-in codes: `lawdrill contest codes` and the checks behind the sign-in screen.

Codes are issued per roster entry, printed on a slip sheet and stored only as digests; a wrong code, a
revoked (re-issued) one, another contestant's, one for another round, one in use and one used elsewhere are
refused; the same code at the same place resumes. A store made before the codes table opens and gains it.
The same on PostgreSQL when a server is available (LAWDRILL_TEST_PG_URL)."""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from sim.contest import ContestStore, write_bundle
from sim.contest import signin
from sim.contest.store import results
from tui.cli import main
from tui.cli.common import UsageError
from tui.cli.contest import run_contest

from contest_support import OPENS, library, make_contest, pg_url, play  # noqa: F401 - fixture

DEAD = "999999999:gone"  # a holder process that does not exist
T = OPENS.timestamp() + 600  # round r1 is open


def _codes(store, contest, **kw) -> dict[str, str]:
    return {c.contestant.id: c.code for c in signin.issue_codes(store, contest, **kw)}


def _slip_codes(html: str) -> dict[str, str]:
    """contestant id -> the code as printed (ABCD-EFGH) on a slip sheet."""
    found = re.findall(r'参赛编号 ([A-Z0-9]+)</div><div class="code">([A-Z0-9-]+)</div>', html)
    return dict(found)


def test_contest_codes_prints_slips_and_stores_only_digests(tmp_path: Path, capsys) -> None:
    contest = make_contest(tmp_path)
    home = ["--home", str(tmp_path / "home")]
    slips = tmp_path / "slips.html"
    assert main(["contest", "codes", str(contest.path), "-o", str(slips), *home]) == 0
    out = capsys.readouterr().out
    assert "已发放签到码 4 人（各轮通用；现有有效签到码 4 人）" in out and str(slips) in out
    # where the codes went, so that the organiser serves from the same store
    assert f"签到码存入成绩库 sqlite:///{tmp_path / 'home' / 'contests.sqlite3'}" in out
    assert "lawdrill serve --home 目录 时，发码用 --home 目录/contest" in out
    html = slips.read_text(encoding="utf-8")
    printed = _slip_codes(html)
    assert sorted(printed) == ["A1", "A2", "A3", "B1"]
    for person in contest.roster:  # name, township, id and code on each slip
        assert f'<div class="who">{person.name}</div>' in html and person.township in html
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", c) for c in printed.values())
    assert len(set(printed.values())) == 4
    assert "@page{size:A4" in html and "dashed" in html and "http" not in html  # A4, cut lines, offline
    assert all(c not in out for c in printed.values())  # the codes are on the sheet, not in the terminal log

    # The store holds no code in any form: not in a column, not anywhere in the file.
    db = tmp_path / "home" / "contests.sqlite3"
    raw = db.read_bytes()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT * FROM contest_signin_codes").fetchall()
    assert len(rows) == 4
    for code in printed.values():
        plain = code.replace("-", "")
        assert code.encode() not in raw and plain.encode() not in raw
        assert all(plain not in str(v) and code not in str(v) for row in rows for v in row)
    # ...and each printed code signs its own contestant in.
    with ContestStore.open(None, home=tmp_path / "home") as store:
        for cid, code in printed.items():
            got = signin.sign_in(store, contest, code, round_id="r1", place="p", holder=DEAD)
            assert (got.ok, got.contestant_id) == (True, cid)

    # Running again issues nothing new and never overwrites a sheet.
    assert main(["contest", "codes", str(contest.path), "-o", str(tmp_path / "again.html"), *home]) == 0
    assert "名单上 4 人都已有签到码" in capsys.readouterr().out and not (tmp_path / "again.html").exists()
    assert main(["contest", "codes", str(contest.path), "-o", str(slips), "--reissue", "A2", *home]) == 2
    assert "签到条文件已存在" in capsys.readouterr().err
    assert main(["contest", "codes", str(contest.path), "-o", str(tmp_path / "x.html"), "--reissue", "Z9", *home]) == 2
    assert "名单中没有参赛人员「Z9」" in capsys.readouterr().err and not (tmp_path / "x.html").exists()
    assert main(["contest", "codes", str(contest.path), "--round", "r9", *home]) == 2
    assert "没有轮次「r9」" in capsys.readouterr().err


def test_reissue_revokes_the_old_code(tmp_path: Path, capsys) -> None:
    contest = make_contest(tmp_path)
    home = ["--home", str(tmp_path / "home")]
    assert main(["contest", "codes", str(contest.path), "-o", str(tmp_path / "all.html"), *home]) == 0
    old = _slip_codes((tmp_path / "all.html").read_text(encoding="utf-8"))["A2"]
    assert main(["contest", "codes", str(contest.path), "-o", str(tmp_path / "a2.html"), "--reissue", "A2", *home]) == 0
    assert "已补发签到码 1 人" in capsys.readouterr().out
    sheet = (tmp_path / "a2.html").read_text(encoding="utf-8")
    new = _slip_codes(sheet)
    assert list(new) == ["A2"] and new["A2"] != old and "补发，原签到码已作废" in sheet
    with ContestStore.open(None, home=tmp_path / "home") as store:
        was = signin.sign_in(store, contest, old, round_id="r1", place="p", holder=DEAD)
        assert (was.ok, was.code) == (False, "revoked") and "已作废" in was.message
        assert signin.sign_in(store, contest, new["A2"], round_id="r1", place="p", holder=DEAD).contestant_id == "A2"
        assert signin.issued_count(store, contest) == 4


def _refusals(store, contest, tmp_path: Path) -> None:
    """Every refusal of a sign-in, on one store (SQLite or PostgreSQL)."""
    mine = _codes(store, contest)
    here, there = signin.place_of(tmp_path / "server"), signin.place_of(tmp_path / "other")

    def attempt(code, place=here, holder=DEAD, **kw):
        return signin.sign_in(store, contest, code, round_id="r1", place=place, holder=holder, **kw)

    wrong = next(c for c in ("22222222", "33333333", "44444444") if c not in mine.values())
    assert attempt(wrong).code == "wrong"
    assert attempt("ABC").code == "malformed" and attempt("A1B2C3D4").code == "malformed"  # 1 is not used
    assert attempt(mine["A2"], expected="A1").code == "other_contestant"
    first = attempt(mine["A1"])
    assert (first.ok, first.resumed, first.contestant_id) == (True, False, "A1")
    again = attempt(mine["A1"], holder="another:1")  # the holder process has ended: resume
    assert (again.ok, again.resumed) == (True, True)
    assert attempt(mine["A1"], holder=DEAD).ok  # "another:1" is not running either
    me = signin.holder_of()
    assert attempt(mine["A1"], holder=me).ok  # this test's own process takes it
    refused = attempt(mine["A1"], holder="someone:2")
    assert (refused.ok, refused.code) == (False, "in_use")
    signin.release(store, refused.code_id or first.code_id or 0, me)  # a clean exit frees it at once
    assert attempt(mine["A1"], holder="someone:2").ok
    elsewhere = attempt(mine["A1"], place=there)
    assert (elsewhere.ok, elsewhere.code) == (False, "other_place")
    # A code for round r2 only does not open r1.
    (r2,) = signin.issue_codes(store, contest, round_id="r2", reissue=["B1"])
    other_round = attempt(r2.code)
    assert other_round.code == "wrong_round" and "评查轮" in other_round.message
    assert signin.sign_in(store, contest, r2.code, round_id="r2", place=here, holder=DEAD).ok
    # A contestant the round does not admit (it closed, nothing pending) keeps the code unused.
    no = attempt(mine["A3"], admit=lambda cid: "比赛时间已结束")
    assert (no.ok, no.code, no.message) == (False, "not_admitted", "比赛时间已结束")
    assert attempt(mine["A3"], place=there).ok  # not used up by the refusal


def test_refusals_on_sqlite(tmp_path: Path) -> None:
    contest = make_contest(tmp_path)
    with ContestStore.open(None, home=tmp_path / "home") as store:
        _refusals(store, contest, tmp_path)


def test_refusals_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    contest = make_contest(tmp_path)
    with ContestStore.open(pg_url) as store:
        _refusals(store, contest, tmp_path)


def test_two_first_sign_ins_at_once_bind_one_place(tmp_path: Path) -> None:
    contest = make_contest(tmp_path)
    with ContestStore.open(None, home=tmp_path / "home") as store:
        code = _codes(store, contest)["A1"]
        go = threading.Barrier(2)
        got: dict[str, str] = {}

        def sign(place: str) -> None:
            go.wait()
            got[place] = signin.sign_in(store, contest, code, round_id="r1", place=place, holder=DEAD).code

        threads = [threading.Thread(target=sign, args=(p,)) for p in ("pc-1", "pc-2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(got.values()) == ["ok", "other_place"]


def test_a_store_made_before_the_codes_table_opens_and_gains_it(tmp_path: Path) -> None:
    contest = make_contest(tmp_path)
    db = tmp_path / "old.sqlite3"
    engine = sa.create_engine(f"sqlite:///{db}")
    results.create(engine)  # the first release's store: the results table only
    engine.dispose()
    journal = play("straw-burning-01", tmp_path / "j.jsonl")
    bundle = write_bundle(contest, "r1", "A1", "straw-burning-01", journal, tmp_path / "out", library=library())
    with ContestStore.open(f"sqlite:///{db}") as store:
        assert [o.code for o in store.import_bundles(contest, library(), [bundle])] == ["ok"]
        code = _codes(store, contest)["A1"]
        assert signin.sign_in(store, contest, code, round_id="r1", place="p", holder=DEAD).ok
        assert [o.code for o in store.import_bundles(contest, library(), [bundle])] == ["already_stored"]


@given(st.text(alphabet=signin.ALPHABET, min_size=8, max_size=8), st.sampled_from(["", " ", "-", "  "]))
def test_case_spaces_and_hyphens_do_not_matter(code: str, sep: str) -> None:
    typed = code[:4].lower() + sep + code[4:]
    assert signin.normalize(typed) == code == signin.normalize(signin.grouped(code))


@given(st.text(min_size=0, max_size=12))
def test_anything_else_is_refused_as_malformed_or_read_as_a_code(text: str) -> None:
    try:
        code = signin.normalize(text)
    except signin.SignInError as exc:
        assert "8 位" in str(exc)
    else:
        assert len(code) == 8 and set(code) <= set(signin.ALPHABET)


def test_contest_run_needs_a_good_code(tmp_path: Path) -> None:
    """`contest run --as ID --code C`: refused before the app opens, in Chinese, without using the code up."""
    contest = make_contest(tmp_path)
    home = tmp_path / "room"

    def run(who: str | None, code: str | None, **kw) -> str:
        person = contest.contestant(who) if who else None
        with pytest.raises(UsageError) as exc:
            run_contest(contest, library(), person, home=home, clock=lambda: T, code=code, **kw)
        return str(exc.value)

    assert "尚未发放签到码" in run("A1", "22222222")
    with ContestStore.open(None, home=home) as store:
        mine = _codes(store, contest)
    assert "签到失败：签到码不正确" in run("A1", "22222222")
    assert "签到失败：这不是本人的签到码" in run("A1", mine["A2"])
    assert "签到失败：签到码应为 8 位" in run("A1", "1234")
    # A2's code used at another place (another PC, another data directory) cannot open A2's round here.
    with ContestStore.open(None, home=home) as store:
        assert signin.sign_in(store, contest, mine["A2"], round_id="r1", place="pc-9:/data", holder=DEAD).ok
    assert "已在另一处签到使用" in run("A2", mine["A2"])
    # A round that has not opened yet refuses the contestant, code or not.
    assert "「评查轮」尚未开始" in run("A1", mine["A1"], round_id="r2")


def test_contest_run_options(tmp_path: Path, capsys) -> None:
    contest = make_contest(tmp_path)
    assert main(["contest", "run", str(contest.path), "--signin", "--as", "A1"]) == 2
    assert "--as：不能与参数 --signin 同时使用" in capsys.readouterr().err
    assert main(["contest", "run", str(contest.path)]) == 2
    assert "--signin" in capsys.readouterr().err
    assert main(["contest", "run", str(contest.path), "--signin", "--code", "ABCDEFGH"]) == 2
    assert "--code 只能与 --as 同用" in capsys.readouterr().err
    assert main(["contest", "run", str(contest.path), "--signin", "--round", "r9"]) == 2
    assert "没有轮次「r9」" in capsys.readouterr().err


def test_wrong_codes_at_one_place_brake_every_connection(tmp_path: Path, monkeypatch) -> None:
    """A new browser connection gets a fresh screen limiter, not a fresh store: past PLACE_LIMIT wrong codes
    in WINDOW seconds at one place, sign-in there pauses for everyone (other places are not affected)."""
    monkeypatch.setattr(signin, "PLACE_LIMIT", 3)
    contest = make_contest(tmp_path)
    now = [T]
    with ContestStore.open(None, home=tmp_path / "home") as store:
        mine = _codes(store, contest)
        for _ in range(3):  # three connections, one wrong code each: no screen limiter ever trips
            desk = signin.SignInDesk(store, contest, "r1", "server", clock=lambda: now[0], holder=DEAD)
            assert desk.attempt("22222222").code == "wrong"
        fresh = signin.SignInDesk(store, contest, "r1", "server", clock=lambda: now[0], holder=DEAD)
        paused = fresh.attempt(mine["A1"])
        assert (paused.ok, paused.code) == (False, "locked") and "签到暂停，约 10 分钟后恢复" in paused.message
        other = signin.SignInDesk(store, contest, "r1", "another-server", clock=lambda: now[0], holder=DEAD)
        assert other.attempt(mine["A2"]).ok
        now[0] += signin.WINDOW + 1
        assert fresh.attempt(mine["A1"]).ok
