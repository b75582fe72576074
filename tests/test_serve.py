"""`lawdrill serve`: sign-in, limits, idle timeout, and reaping every app process (tui.serve.server).

The reaping tests serve a stand-in app that behaves like the worst case seen in practice: it ignores SIGTERM,
spins the CPU and leaves a child of its own running. Clients vanish without a closing handshake (the
transport is aborted, as when a browser tab is killed or the network drops).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from serve_support import ROOT, Served, Terminal, children_of, free_port, play_case, sign_in

from sim.store import Store
from tui.serve.server import LawdrillServer, Person, ServeConfig

# The worst-behaved app: announces itself as a Textual app would, says "ready" in one data packet, starts a
# grandchild, then ignores SIGTERM and the quit message and spins.
SPINNER = textwrap.dedent("""
    import os, signal, subprocess, sys
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(3600)"])
    out = sys.stdout.buffer
    out.write(b"__GANGLION__\\n")
    out.write(b"D" + len(b"ready").to_bytes(4, "big") + b"ready")
    out.flush()
    while True:
        pass
""")


def spinner(_session):
    return [sys.executable, "-c", SPINNER], {}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def until(condition, timeout: float = 60) -> None:
    """Wait for a condition the server reaches by itself (a process reaped, a session closed)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        assert loop.time() < end, "condition not reached in time"
        await asyncio.sleep(0.02)


class Running:
    """A LawdrillServer on an aiohttp runner in this process, on a free port."""

    def __init__(self, server: LawdrillServer):
        self.server = server
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Running:
        self.runner = web.AppRunner(self.server.make_app())
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()


def make_server(tmp_path: Path, **kw) -> LawdrillServer:
    command = kw.pop("command", spinner)
    clock = kw.pop("clock", None)
    config = ServeConfig(home=tmp_path / "home", grace=kw.pop("grace", 0.2), **kw)
    extra = {"clock": clock} if clock is not None else {}
    return LawdrillServer(config, command=command, **extra)


async def open_terminals(http, base: str, server: LawdrillServer, count: int) -> list[Terminal]:
    terms = []
    for i in range(count):
        ticket = await sign_in(http, base, f"学员{i}", "城关镇")
        term = await Terminal.open(http, base, ticket)
        await term.wait_for("ready")
        terms.append(term)
    return terms


async def test_abruptly_dropped_clients_leave_no_process(tmp_path):
    """Three spinning apps that ignore SIGTERM, each with a grandchild; the browsers vanish: every process of
    every group is gone, and nothing is left under this test process either."""
    server = make_server(tmp_path)
    async with Running(server) as run, aiohttp.ClientSession() as http:
        terms = await open_terminals(http, run.base, server, 3)
        await until(lambda: len(server.live_processes()) == 6)  # three apps, three grandchildren
        assert len(server.sessions) == 3
        for term in terms:
            term.drop()
        await until(lambda: not server.sessions)
        assert server.live_processes() == []
    assert children_of(os.getpid()) == []


async def test_shutdown_reaps_open_sessions(tmp_path):
    server = make_server(tmp_path)
    async with Running(server) as run, aiohttp.ClientSession() as http:
        terms = await open_terminals(http, run.base, server, 2)
        await until(lambda: len(server.live_processes()) == 4)
        await run.runner.cleanup()  # what Ctrl+C does: the server's shutdown handler ends every session
        assert server.live_processes() == []
        for term in terms:
            await asyncio.wait_for(term.closed.wait(), 30)  # the page then says the connection closed
        run.runner = web.AppRunner(web.Application())  # nothing left to clean up
        await run.runner.setup()
    assert children_of(os.getpid()) == []


async def test_host_full_shows_a_chinese_page_and_refuses_the_connection(tmp_path):
    server = make_server(tmp_path, max_sessions=1)
    async with Running(server) as run, aiohttp.ClientSession() as http:
        [first] = await open_terminals(http, run.base, server, 1)
        async with http.post(f"{run.base}/start", data={"name": "李四", "township": "城关镇"},
                             allow_redirects=False) as r:
            assert r.status == 503
            page = await r.text()
        assert "人数已满" in page and "同时在线的答题人数已满（1 人）" in page
        # A terminal page opened before the host filled up: the connection says so in the terminal.
        server.tickets["late"] = Person("李四", "城关镇")
        late = await Terminal.open(http, run.base, "late")
        await asyncio.wait_for(late.closed.wait(), 30)
        assert "人数已满" in late.screen()
        assert len(server.sessions) == 1 and server.refused == 2
        first.drop()
        await until(lambda: not server.sessions)
        # Room again: the same trainee gets in.
        async with http.post(f"{run.base}/start", data={"name": "李四", "township": "城关镇"},
                             allow_redirects=False) as r:
            assert r.status == 303
    assert server.live_processes() == []


async def test_idle_sessions_are_closed_and_told_why(tmp_path):
    clock = Clock()
    server = make_server(tmp_path, idle_timeout=600, clock=clock)
    async with Running(server) as run, aiohttp.ClientSession() as http:
        quiet, busy = await open_terminals(http, run.base, server, 2)
        clock.now += 599
        await busy.keys("x")  # a key press is activity
        await until(lambda: any(s.last_input == clock.now for s in server.sessions.values()))
        assert await server.sweep_idle() == 0
        clock.now += 1
        assert await server.sweep_idle() == 1
        await asyncio.wait_for(quiet.closed.wait(), 30)
        assert "已超过 10 分钟没有操作，本次会话已关闭。" in quiet.screen()
        assert "刷新页面即可继续" in quiet.screen()
        assert not busy.closed.is_set() and len(server.sessions) == 1
    assert server.live_processes() == []


async def test_the_same_trainee_in_a_new_window_takes_over(tmp_path):
    server = make_server(tmp_path)
    async with Running(server) as run, aiohttp.ClientSession() as http:
        [old] = await open_terminals(http, run.base, server, 1)
        ticket = await sign_in(http, run.base, "学员0", "城关镇")
        new = await Terminal.open(http, run.base, ticket)
        await new.wait_for("ready")
        await asyncio.wait_for(old.closed.wait(), 30)
        assert "您已在另一个窗口中进入" in old.screen()
        assert len(server.sessions) == 1
    assert server.live_processes() == []


async def test_sign_in_form_checks_the_name_and_keys_the_home_by_person(tmp_path):
    server = make_server(tmp_path)
    async with Running(server) as run, aiohttp.ClientSession() as http:
        async with http.get(f"{run.base}/") as r:
            page = await r.text()
            assert "姓名" in page and "乡镇" in page and "开始训练" in page
            assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        async with http.post(f"{run.base}/start", data={"name": "  ", "township": ""}) as r:
            assert r.status == 400 and "请填写姓名。" in await r.text()
        async with http.post(f"{run.base}/start", data={"name": "王" * 21, "township": ""}) as r:
            assert r.status == 400 and "姓名不能超过 20 个字" in await r.text()
        async with http.post(f"{run.base}/start", data={"name": "王\x1b[2J", "township": ""}) as r:
            assert r.status == 400
        async with http.get(f"{run.base}/play/nonsense") as r:
            assert r.status == 404 and "请重新登录" in await r.text()
        first = await sign_in(http, run.base, "王小明", "城关镇")
        again = await sign_in(http, run.base, "王小明", "城关镇")
        other = await sign_in(http, run.base, "王小明", "柳河镇")
    a, b, c = (server.tickets[t] for t in (first, again, other))
    assert a.key == b.key != c.key
    store = Store(server.trainee_home(a))
    try:
        assert (store.get("trainee"), store.get("township")) == ("王小明", "城关镇")
    finally:
        store.close()


async def test_terminal_page_names_only_this_server(tmp_path):
    """The page, its stylesheet and script are all served here; no Google Fonts link; CJK faces by local()."""
    import re

    server = make_server(tmp_path)
    async with Running(server) as run, aiohttp.ClientSession() as http:
        ticket = await sign_in(http, run.base, "王小明")
        async with http.get(f"{run.base}/play/{ticket}") as r:
            page = await r.text()
            policy = r.headers["Content-Security-Policy"]
        refs = re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(r'url\("([^"]+)"\)', page)
        assert refs and all(ref.startswith("/") for ref in refs), refs
        assert "googleapis" not in page and "http" not in page.replace(f"ws://127.0.0.1:{run.port}", "")
        assert 'local("Noto Sans Mono CJK SC")' in page and "U+4E00-9FFF" in page
        assert f"connect-src 'self' ws://127.0.0.1:{run.port}" in policy
        for ref in refs:
            async with http.get(f"{run.base}{ref}") as r:
                assert r.status == 200, ref


def test_serve_bad_input_is_a_chinese_message(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args, said in [
        (["--round", "r1"], "--round 和 --store 只用于比武"),
        (["--port", "0"], "端口 0 无效"),
        (["--max-sessions", "0"], "不是正整数"),
        (["--library", str(tmp_path / "nowhere")], "找不到案例库路径"),
        (["--contest", str(tmp_path / "none.yaml")], "找不到比武文件"),
    ]:
        proc = subprocess.run([sys.executable, "-m", "tui", "serve", "--home", str(tmp_path / "h"), *args],
                              capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 2, (args, proc.stderr)
        assert said in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


async def test_served_trainee_plays_a_case_and_resumes_after_a_restart(tmp_path):
    """`lawdrill serve` as a user starts it: a trainee signs in, plays a case to the debrief over the
    websocket; the attempt is in the trainee's store on the server; after a server restart the same name
    finds it in the history, and the server leaves no process behind."""
    served = Served(tmp_path)
    try:
        async with aiohttp.ClientSession() as http:
            ticket = await sign_in(http, served.base, "王小明", "城关镇")
            term = await Terminal.open(http, served.base, ticket)
            took = await play_case(term)
            assert len(took) == 7
            term.drop()
    finally:
        assert served.stop() == 0
    assert "已停止，所有会话均已结束。" in served.output()
    assert children_of(served.proc.pid) == []
    home = tmp_path / "server" / "trainees" / Person("王小明", "城关镇").key
    store = Store(home)
    try:
        [attempt] = store.history("王小明")
        assert attempt.status == "finished" and attempt.score is not None
    finally:
        store.close()
    with Served(tmp_path) as again:
        async with aiohttp.ClientSession() as http:
            ticket = await sign_in(http, again.base, "王小明", "城关镇")
            term = await Terminal.open(http, again.base, ticket)
            await term.wait_for("已完成 1 个", timeout=120)
            await term.close()


async def test_an_app_that_cannot_start_says_so_in_the_browser(tmp_path):
    def broken(_session):
        return [sys.executable, "-c", "import sys; sys.exit('no such contest')"], {}

    server = make_server(tmp_path, command=broken)
    async with Running(server) as run, aiohttp.ClientSession() as http:
        ticket = await sign_in(http, run.base, "王小明")
        term = await Terminal.open(http, run.base, ticket)
        await asyncio.wait_for(term.closed.wait(), 60)
        assert "程序未能启动，请联系考务人员" in term.screen()
        await until(lambda: not server.sessions)
    assert server.live_processes() == []


def test_a_contest_without_sign_in_codes_is_refused_before_serving(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    contest = ROOT / "contests" / "township-winter-2026.yaml"
    proc = subprocess.run([sys.executable, "-m", "tui", "serve", "--home", str(tmp_path / "h"), "--contest",
                           str(contest), "--port", str(free_port())], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "本次比武尚未发放签到码" in proc.stderr and "lawdrill contest codes" in proc.stderr
