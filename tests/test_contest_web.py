"""The projector board over real HTTP (aiohttp's test client): standings with per-case scores, freeze and the
organiser's reveal, divisions and the rotating projector view, the collection view, the control key, bad
queries, mounting under `lawdrill serve`; and one render of the page in headless Chromium (CJK glyphs from
an installed font, nothing fetched from elsewhere)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import socket
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from sim.contest import ContestStore, write_bundle
from tui.contest.web import CSP, add_board_routes, board_app

from chromium_support import Pdf, cjk_font, contains, print_pdf
from contest_support import CLOSES, FREEZE, OPENS, RESULTS_PLAN, library, make_contest, play

PLAN = RESULTS_PLAN
KEY = "organiser-key-for-tests"


class Clock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> float:
        return self.at.timestamp()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("web")
    contest = make_contest(tmp)
    for who, case, path, minutes in PLAN:
        j = play(case, tmp / f"{who}-{case}.jsonl", path=path, start=OPENS + dt.timedelta(minutes=minutes))
        write_bundle(contest, "r1", who, case, j, tmp / "bundles", library=library())
    store = ContestStore.open(None, home=tmp / "home")
    out = store.import_bundles(contest, library(), [tmp / "bundles"])
    assert [o.code for o in out] == ["ok"] * len(PLAN)
    yield contest, store
    store.close()


@pytest.fixture
async def client(seeded) -> AsyncIterator[tuple[TestClient, Clock]]:
    contest, store = seeded
    clock = Clock(OPENS + dt.timedelta(minutes=90))  # 10:30: before the freeze
    app, _state = board_app(store, contest, library=library(), clock=clock, key=KEY)
    async with TestClient(TestServer(app)) as c:
        yield c, clock


def rows_of(page: str) -> list[list[str]]:
    """The table's rows as text cells (tags stripped)."""
    out = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)[1:]:
        out.append([re.sub(r"<[^>]+>", "", td) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)])
    return out


def external_refs(page: str) -> list[str]:
    """Every address the page would make a browser fetch or go to outside this server."""
    refs = re.findall(r"""(?:src|href|action)\s*=\s*["']([^"']*)["']""", page)
    refs += re.findall(r"url\(([^)]*)\)", page) + re.findall(r"@import[^;]*", page)
    return [r for r in refs if re.match(r"(?i)\s*(?:[a-z]+:)?//", r)]


async def test_live_board_with_per_case_scores(client) -> None:
    c, _clock = client
    resp = await c.get("/board/?round=r1")
    page = await resp.text()
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/html")
    assert resp.headers["Content-Security-Policy"] == CSP and "default-src 'none'" in CSP
    assert "<script" not in page and not external_refs(page)
    assert '<meta http-equiv="refresh" content="10">' in page and "实时排名" in page
    rows = rows_of(page)
    # rank, name, township, division, total, vetoes, time, case 1, case 2, cases handed in
    assert [(r[0], r[1], r[4], r[7], r[8], r[9]) for r in rows] == [
        ("1", "张一", "160", "100", "60", "2"), ("2", "王二", "130", "30", "100", "2"),
        ("3", "李三", "100", "100", "—", "1"), ("4", "赵四", "85", "—", "85", "1")]
    assert re.fullmatch(r"\d+分\d\d秒", rows[0][6])  # time spent with its units
    sc = library().scenario("straw-burning-01")
    assert f"第1案：{sc.title}" in page and "东片" in page


async def test_freeze_then_reveal_from_the_control_page(client) -> None:
    c, clock = client
    clock.at = FREEZE + dt.timedelta(minutes=30)  # 11:30: frozen, the round still open
    page = await (await c.get("/board/?round=r1")).text()
    assert "封榜" in page and "赵四" not in page  # B1's only result came after the freeze
    # The control page needs the organiser's key; the reveal waits for the round to close.
    assert (await c.get("/board/control")).status == 403
    assert (await c.get("/board/control?key=wrong")).status == 403
    resp = await c.post("/board/control", data={"key": "wrong", "round": "r1", "action": "all"})
    assert resp.status == 403
    resp = await c.post("/board/control", data={"key": KEY, "round": "r1", "action": "next"})
    assert resp.status == 200 and "尚未结束" in await resp.text()
    assert "封榜" in await (await c.get("/board/?round=r1")).text()

    clock.at = CLOSES + dt.timedelta(minutes=5)
    resp = await c.post("/board/control", data={"key": KEY, "round": "r1", "action": "next"})
    assert resp.status == 200 and "已揭晓 1 / 4 名" in await resp.text()
    page = await (await c.get("/board/?round=r1")).text()
    rows = rows_of(page)
    assert "揭晓中" in page and [r[0] for r in rows] == ["…", "…", "…", "4"]
    assert rows[-1][1] == "赵四"  # the last of the final standings (handed in after the freeze), revealed first
    resp = await c.get("/board/standings.json?round=r1")
    data = await resp.json()
    assert data["view"] == "reveal" and [s["rank"] for s in data["standings"]] == [None, None, None, 4]

    await c.post("/board/control", data={"key": KEY, "round": "r1", "action": "all"})
    page = await (await c.get("/board/?round=r1")).text()
    assert "最终排名" in page and "赵四" in page and "…" not in page
    # Another board (the west division) has its own reveal: still frozen.
    page = await (await c.get("/board/?round=r1&division=west")).text()
    assert "封榜" in page and "赵四" not in page
    await c.post("/board/control", data={"key": KEY, "round": "r1", "action": "reset"})
    assert "封榜" in await (await c.get("/board/?round=r1")).text()


async def test_divisions_and_the_rotating_projector(client) -> None:
    c, _clock = client
    page = await (await c.get("/board/?division=west")).text()
    assert [r[1] for r in rows_of(page)] == ["赵四"] and "西片" in page
    page = await (await c.get("/board/?cycle=1&refresh=20")).text()
    # Each refresh moves the projector to the next division: all -> east -> west -> all.
    assert '<meta http-equiv="refresh" content="20;url=/board/?division=east&amp;cycle=1&amp;refresh=20">' in page
    page = await (await c.get("/board/?division=west&cycle=1")).text()
    assert 'content="10;url=/board/?cycle=1"' in page
    page = await (await c.get("/board/?refresh=1")).text()
    assert 'content="3"' in page  # a refresh too fast for the store is raised to the minimum


async def test_collection_view(client) -> None:
    c, _clock = client
    resp = await c.get("/board/collection?round=r1")
    page = await resp.text()
    assert resp.status == 200 and not external_refs(page) and "<script" not in page
    assert "名单 4 人：已交齐 2 人，未交齐 2 人，未交卷 0 人（本轮 2 个案例）" in page
    fire = library().scenario("fire-lane-01").title
    assert re.search(rf"A3 李三　未交齐 1/2，缺：{re.escape(fire)}", page)
    assert "城关镇（东片）" in page and "已交齐 2　未交齐 0　未交卷 0" in page
    page = await (await c.get("/board/collection?round=r1&township=黄山乡")).text()
    assert "赵四" in page and "张一" not in page
    page = await (await c.get("/board/collection?round=r2")).text()
    assert "未交卷 4 人" in page


async def test_bad_queries_are_explained(client) -> None:
    c, _clock = client
    resp = await c.get("/board/?round=nope")
    assert resp.status == 400 and "没有轮次「nope」" in await resp.text()
    resp = await c.get("/board/?division=north")
    assert resp.status == 400 and "没有组别「north」" in await resp.text()
    resp = await c.get("/board/collection?township=桃源乡")
    assert resp.status == 400 and "名单中没有乡镇「桃源乡」" in await resp.text()
    resp = await c.get("/board/standings.json?round=nope")
    assert resp.status == 400
    resp = await c.get("/", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/board/"


async def test_routes_mount_on_another_app(seeded) -> None:
    """`lawdrill serve` builds its own application and mounts the board on it."""
    contest, store = seeded
    app = web.Application()

    async def home(request: web.Request) -> web.Response:
        return web.Response(text="served rounds")

    app.router.add_get("/", home)
    state = add_board_routes(app, store, contest, prefix="/board", library=library(),
                             clock=Clock(OPENS + dt.timedelta(hours=1)))
    assert len(state.key) >= 16
    async with TestClient(TestServer(app)) as c:
        assert await (await c.get("/")).text() == "served rounds"
        assert "张一" in await (await c.get("/board/")).text()
        resp = await c.get("/board", allow_redirects=False)
        assert resp.status == 302 and resp.headers["Location"] == "/board/"
        assert (await c.get(f"/board/control?key={state.key}")).status == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_board_renders_in_headless_chromium(seeded, tmp_path: Path) -> None:
    """A real browser on a real server: the names come out as text in a CJK font (no missing glyphs), the
    page fits, and the server saw requests for its own pages only."""
    contest, store = seeded
    seen: list[str] = []

    @web.middleware
    async def log(request: web.Request, handler):  # type: ignore[no-untyped-def]
        seen.append(request.path)
        return await handler(request)

    app, _state = board_app(store, contest, library=library(), clock=Clock(OPENS + dt.timedelta(hours=1)))
    app.middlewares.append(log)
    port = _free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        pdf = Pdf(print_pdf(f"http://127.0.0.1:{port}/board/?round=r1", tmp_path / "board.pdf"))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.run_until_complete(runner.cleanup())
        loop.close()
    text = pdf.text()
    for name in ("张一", "王二", "李三", "赵四", "测试杯执法比武", "实时排名"):
        assert contains(text, name), name
    assert not contains(text, "孙丽")  # not on this roster: the check can fail
    assert cjk_font(pdf), pdf.fonts()
    assert set(seen) <= {"/board/", "/favicon.ico"}, seen


def test_board_benchmark_runs_scaled_down() -> None:
    """benchmarks/board_web.py, scaled down: every page answers 200 on a generated county contest."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, str(root / "benchmarks" / "board_web.py"), "--people", "40",
                           "--requests", "3"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "40 contestants" in proc.stdout and "GET /board/collection" in proc.stdout


async def test_township_teams_page_live_then_frozen(client) -> None:
    """A township's officers as one team: the roster's average (an officer without a result counts 0); while
    the freeze holds the team table is ranked from the public standings, so it leaks no hidden result."""
    c, clock = client
    resp = await c.get("/board/teams?round=r1")
    page = await resp.text()
    assert resp.status == 200 and "乡镇团体" in page and resp.headers["Content-Security-Policy"] == CSP
    assert external_refs(page) == []
    teams = {r[1]: r for r in rows_of(page)}
    assert teams["城关镇"][3:6] == ["2", "2", "145.0"]  # A1 160 and A2 130
    assert teams["石桥镇"][3:6] == ["1", "1", "100.0"]
    live_b1 = float(teams["黄山乡"][5])
    assert live_b1 > 0  # B1 handed in at 11:05, after the freeze: shown while the board is live
    assert 'href="/board/?round=r1"' in page and "收卷情况" in page
    data = await (await c.get("/board/standings.json?round=r1")).json()
    assert [t["township"] for t in data["teams"]][:1] == ["城关镇"]
    clock.at = FREEZE + dt.timedelta(minutes=30)
    page = await (await c.get("/board/teams?round=r1")).text()
    assert "封榜" in page
    teams = {r[1]: r for r in rows_of(page)}
    assert teams["黄山乡"][4:6] == ["0", "0.0"]  # hidden by the freeze, so not counted for the team
    data = await (await c.get("/board/standings.json?round=r1")).json()
    assert {t["township"]: t["score"] for t in data["teams"]}["黄山乡"] == 0.0
    # By division: only that division's townships.
    page = await (await c.get("/board/teams?round=r1&division=west")).text()
    assert [r[1] for r in rows_of(page)] == ["黄山乡"]
