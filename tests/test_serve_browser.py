"""`lawdrill serve` in a real browser: headless Chromium (Debian's chromium) over the DevTools protocol.

A trainee signs in on the form and plays a case to the debrief; a contestant signs in with the code from the
slip sheet, plays a case and hands it in, and the result is in the contest store and on the board. Every
request the page made went to the server itself, and the Chinese text was set in a CJK font found by its
local name. Without Chromium the tests skip, unless LAWDRILL_REQUIRE_CHROMIUM=1 (tests/chromium_support.py).
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
from chromium_support import chromium
from serve_support import CASE_FLOW, ROOT, Browser, Served, children_of

from sim.contest import ContestStore, load_contest
from sim.contest import signin as codes
from sim.store import Store
from tui.serve.server import Person

CONTEST = ROOT / "contests" / "township-winter-2026.yaml"


def only_this_server(browser: Browser, served: Served) -> list[str]:
    """The requests and websockets that went anywhere but the server (data: URLs are the page itself)."""
    ws = served.base.replace("http", "ws", 1)
    return [u for u in browser.requests + browser.sockets
            if not (u.startswith(served.base + "/") or u.startswith(ws + "/") or u.startswith("data:")
                    or u == "about:blank")]


async def cjk_faces(browser: Browser) -> list[dict]:
    """The faces of the terminal's font family (textual.js draws with "Roboto Mono"), with their load status,
    and whether Chinese text in that family is ready to draw without a fallback."""
    return await browser.evaluate(
        "[...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'Roboto Mono')"
        ".map(f => ({range: f.unicodeRange, status: f.status,"
        " ready: document.fonts.check('16px \"Roboto Mono\"', '执法演练案例库')}))")  # type: ignore[return-value]


async def into_terminal(browser: Browser) -> None:
    """The terminal page is up and connected; give the terminal the keyboard focus (a click would)."""
    await browser.until("document.body && document.body.classList.contains('-first-byte')")
    await browser.evaluate("document.querySelector('.xterm-helper-textarea').focus()")


async def test_trainee_signs_in_plays_a_case_and_it_is_stored(tmp_path):
    exe = chromium()
    with Served(tmp_path / "serve") as served:
        async with Browser(exe, tmp_path / "profile") as browser:
            await browser.goto(served.base + "/")
            assert await browser.evaluate("document.title") == "执法演练（网上训练）"
            await browser.evaluate("document.getElementById('name').value = '王小明';"
                                   "document.getElementById('township').value = '城关镇';"
                                   "document.getElementById('start').click()")
            await browser.until("location.pathname.startsWith('/play/')")
            await into_terminal(browser)
            await browser.wait_for("★")  # the case list
            await browser.wait_for("^p")
            for keys, shown in CASE_FLOW:
                mark = browser.mark()
                await browser.press(keys)
                await browser.wait_for(shown, since=mark)
            faces = await cjk_faces(browser)
            assert only_this_server(browser, served) == []
    home = tmp_path / "serve" / "server" / "trainees" / Person("王小明", "城关镇").key
    store = Store(home)
    try:
        [attempt] = store.history("王小明")
        assert attempt.status == "finished" and attempt.score is not None
    finally:
        store.close()
    assert children_of(served.proc.pid) == []
    assert "已停止，所有会话均已结束。" in served.output()
    # The CJK face (local() fonts only) was found and loaded for the Chinese text.
    assert any("U+4E00-9FFF" in f["range"] and f["status"] == "loaded" and f["ready"] for f in faces), faces


async def test_contestant_signs_in_with_a_code_hands_in_and_the_store_has_it(tmp_path):
    exe = chromium()
    contest = load_contest(CONTEST)
    home = tmp_path / "serve" / "server" / "contest"
    with ContestStore.open(None, home=home) as store:
        mine = {c.contestant.id: c.code for c in codes.issue_codes(store, contest)}
    with Served(tmp_path / "serve", "--contest", str(CONTEST)) as served:
        async with Browser(exe, tmp_path / "profile") as browser:
            await browser.goto(served.base + "/")
            await browser.evaluate("document.getElementById('enter').click()")
            await browser.until("location.pathname === '/play/round'")
            await into_terminal(browser)
            await browser.wait_for("参赛签到")
            await browser.wait_for("^p")
            steps = [
                (mine["A03"].replace("-", "") + "\r", "签到成功"),  # the slip's code names the contestant
                ("\r", "开始本轮"),
                ("y", "开始办理"),      # the first case's briefing
                ("\r", "f 交卷"),       # the workbench
                ("f", "交卷后本案不能再办理"),
                ("y", "已交卷"),
            ]
            for keys, shown in steps:
                mark = browser.mark()
                await browser.press(keys)
                await browser.wait_for(shown, since=mark)
            assert "刘芳（石桥镇）A03" in browser.text.decode("utf-8", "replace")
            async with aiohttp.ClientSession() as http, http.get(served.base + "/board/") as r:
                board = await r.text()
            assert only_this_server(browser, served) == []
    assert "刘芳" in board
    with ContestStore.open(None, home=home) as store:
        [row] = store.results(contest.id)
        assert (row.contestant_id, row.round_id, row.case) == ("A03", "prelim", "straw-burning-01")
    assert children_of(served.proc.pid) == []


async def test_served_pages_make_no_request_elsewhere(tmp_path):
    """Every page of a served contest (landing, terminal, board, collection) in the browser's network log:
    all requests went to this server, and the log did see the terminal's script, stylesheet and font."""
    exe = chromium()
    with ContestStore.open(None, home=tmp_path / "serve" / "server" / "contest") as store:
        codes.issue_codes(store, load_contest(CONTEST))
    with Served(tmp_path / "serve", "--contest", str(CONTEST)) as served:
        async with Browser(exe, tmp_path / "profile") as browser:
            for path in ("/", "/board/", "/board/collection", "/play/round"):
                await browser.goto(served.base + path)
            await into_terminal(browser)
            await browser.wait_for("参赛签到")
            external = only_this_server(browser, served)
            seen = set(browser.requests)
    assert external == []
    for path in ("/", "/play/round", "/static/js/textual.js", "/static/css/xterm.css",
                 "/static/fonts/RobotoMono-VariableFont_wght.ttf", "/board/", "/board/collection"):
        assert served.base + path in seen, (path, sorted(seen))
    assert browser.sockets and all(s.startswith(served.base.replace("http", "ws", 1) + "/ws/round?")
                                   for s in browser.sockets)
