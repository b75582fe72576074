"""The server behind `lawdrill serve`: aiohttp, textual-serve's wire protocol, one app process per connection.

Pages: `/` the sign-in form (trainee app) or the landing page (contest), `/play/{ticket}` the terminal page,
`/ws/{ticket}` the websocket that drives one app process, `/static/` textual-serve's script, stylesheet and
font (served from the installed package), `/board/` the projector board of a served contest
(tui.contest.web.add_board_routes).

Processes. Each connection gets its own app process (`python -m tui.cli ui …` or `python -m tui.cli contest
run …`), started in a new session, so it leads its own process group. An app whose browser went away can keep
spinning and ignore SIGTERM, so every stop goes the whole way: the polite quit of textual-serve's protocol,
then SIGTERM to the group, then SIGKILL to the group after a short grace; and a last SIGKILL to the group
for any straggler the app left behind. The same stop runs when the websocket closes (a closed tab, a dropped
network: aiohttp's heartbeat notices a browser that vanished without a word), when a session has been idle
too long, when the same trainee signs in from another window, and for every session at shutdown.

Progress. The apps journal every act (sim.journal, fsynced) in a data directory on the server: a trainee's
under home/trainees/<key>, keyed by name and township, so the same person resumes after a closed tab or a
server restart; contest rounds under home/contest (the contest app keys each contestant's folder by the id
its sign-in code names) and the results straight into the contest store.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import secrets
import signal
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from tui.serve import page

if TYPE_CHECKING:
    from sim.contest import Contest, ContestStore
    from sim.loader import Library

log = logging.getLogger("lawdrill.serve")

STATIC = Path(textual_serve.__file__).parent / "static"  # textual.js, xterm.css, Roboto Mono
NAME_MAX, TOWNSHIP_MAX = 20, 30


@attrs.define
class ServeConfig:
    """What `lawdrill serve` was asked to serve. `idle_timeout` and `grace` in seconds (0: no idle limit)."""

    home: Path
    contest_path: str | None = None  # None: the trainee app
    library: list[str] | None = None
    mode: str = "practice"
    store_url: str | None = None
    round_id: str | None = None
    max_sessions: int = 60
    idle_timeout: float = 30 * 60
    grace: float = 3.0
    heartbeat: float = 15.0
    python: str = sys.executable


@attrs.frozen
class Person:
    """A trainee as the sign-in form named them; `key` names their data folder on the server."""

    name: str
    township: str

    @property
    def key(self) -> str:
        text = unicodedata.normalize("NFKC", f"{self.name}\n{self.township}")
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def clean_field(value: str, limit: int) -> str:
    """A form field as typed, NFKC-folded and stripped; '' if it holds a control character or is too long."""
    text = unicodedata.normalize("NFKC", value).strip()
    if len(text) > limit or any(unicodedata.category(c).startswith("C") for c in text):
        return ""
    return text


def terminal_text(*lines: str) -> bytes:
    """A message written straight into the browser's terminal (no app behind it): clear, home, lines."""
    return ("\x1b[2J\x1b[H\x1b[?25l\r\n" + "".join(f"  {line}\r\n" for line in lines)).encode("utf-8")


def _proc_stats() -> list[tuple[int, str, int, int]]:
    """(pid, state, ppid, pgid) of every process, from /proc."""
    rows = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue
        state, ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        rows.append((int(entry), state, int(ppid), int(pgrp)))
    return rows


def group_members(pgid: int) -> list[int]:
    """The processes (zombies included) whose process group is `pgid`."""
    return [pid for pid, _state, _ppid, pgrp in _proc_stats() if pgrp == pgid]


def reap_orphans(pgid: int) -> None:
    """Collect the exit status of the group's processes that were orphaned to us (we are their subreaper)
    and have died: otherwise they stay in the process table as zombies."""
    me = os.getpid()
    for pid, state, ppid, pgrp in _proc_stats():
        if pgrp == pgid and ppid == me and state == "Z" and pid != pgid:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def become_subreaper() -> bool:
    """Linux: orphans of our app processes (a child the app started, left running when the app died) are
    reparented to this server instead of init, so the server can reap them. False where not supported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


class ServedApp(AppService):
    """textual-serve's AppService with the process handling `lawdrill serve` needs: an argv (no shell), a
    process group of its own, a data directory in the environment, and a stop that always ends the group."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], *, grace: float,
                 on_exit: Callable[[], Any], **kwargs: Any):
        super().__init__(" ".join(argv), **kwargs)
        self.argv = list(argv)
        self.extra_env = env
        self.grace = grace
        self.on_exit = on_exit
        self.pgid: int | None = None
        self._stopping: asyncio.Task[None] | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width, height)
        env.update(self.extra_env)
        return env

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        env = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env, start_new_session=True)
        self.pgid = process.pid  # a new session: the child leads its own group
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def start(self, width: int, height: int) -> None:
        await super().start(width, height)
        assert self._task is not None
        # The app ended by itself (quit, crash): close the browser's connection, which stops the session.
        self._task.add_done_callback(lambda _t: self.on_exit())

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop(self) -> None:
        """End the app and its whole process group; safe to call many times and from several tasks."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _wait(self, seconds: float) -> bool:
        assert self._process is not None
        try:
            await asyncio.wait_for(self._process.wait(), seconds)
        except asyncio.TimeoutError:
            return False
        return True

    def _signal_group(self, sig: int) -> None:
        if self.pgid is not None:
            try:
                os.killpg(self.pgid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    async def _group_gone(self) -> None:
        """Wait (a grace at most) until the kernel has removed every process of the group: the app's own
        children, killed with it, are reaped by init a moment later."""
        if self.pgid is None:
            return
        loop = asyncio.get_running_loop()
        end = loop.time() + max(self.grace, 1.0)
        while loop.time() < end:
            reap_orphans(self.pgid)
            if not group_members(self.pgid):
                return
            await asyncio.sleep(0.02)

    async def _stop(self) -> None:
        process = self._process
        if process is not None:
            if process.returncode is None:
                try:  # the polite way: textual-serve's quit message (the app may be too busy to read it)
                    await asyncio.wait_for(self.send_meta({"type": "quit"}), self.grace / 2)
                except (asyncio.TimeoutError, OSError, RuntimeError, AssertionError):
                    pass
                if not await self._wait(self.grace):
                    self._signal_group(signal.SIGTERM)
                    if not await self._wait(self.grace):
                        self._signal_group(signal.SIGKILL)
                        await process.wait()
            self._signal_group(signal.SIGKILL)  # whatever the app left running in its group
            await self._group_gone()
            if process.stdin is not None:
                process.stdin.close()
        if self._task is not None:
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None


@attrs.define(eq=False)
class Session:
    """One browser connection and the app process behind it."""

    id: str
    person: Person | None
    websocket: web.WebSocketResponse
    started: float
    last_input: float
    service: ServedApp | None = None
    closing: str = ""  # why the server closes it (shown in the terminal before the connection closes)


class LawdrillServer:
    """The aiohttp application of `lawdrill serve` and the sessions it runs."""

    def __init__(self, config: ServeConfig, *, contest: Contest | None = None, store: ContestStore | None = None,
                 library: Library | None = None, clock: Callable[[], float] = time.monotonic,
                 command: Callable[[Session], tuple[list[str], dict[str, str]]] | None = None):
        self.config = config
        self.contest = contest
        self.store = store
        self.library = library
        self.clock = clock
        self.command = command or self.app_command
        self.sessions: dict[str, Session] = {}
        self.tickets: dict[str, Person] = {}
        self.pgids: set[int] = set()  # every process group started (the shutdown check reads it)
        self.refused = 0  # connections turned away because the host was full
        self.download_manager = DownloadManager()
        self.board_key: str | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.title = f"{contest.name}（网上答题）" if contest is not None else "执法演练（网上训练）"

    # --- the application ----------------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_get("/", self.index)
        app.router.add_post("/start", self.start)
        app.router.add_get("/play/{ticket}", self.play)
        app.router.add_get("/ws/{ticket}", self.websocket)
        app.router.add_static("/static", STATIC, show_index=False, follow_symlinks=False)
        if self.contest is not None and self.store is not None:
            from tui.contest.web import add_board_routes

            self.board_key = add_board_routes(app, self.store, self.contest, library=self.library).key
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def _on_startup(self, _app: web.Application) -> None:
        become_subreaper()
        if self.config.idle_timeout > 0:
            self._sweeper = asyncio.ensure_future(self._sweep_forever())

    async def _on_shutdown(self, _app: web.Application) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        await self.close_all("服务器已停止，本次会话已结束；进度已保存。")

    # --- pages ----------------------------------------------------------------------------------------------

    def full(self) -> bool:
        return len(self.sessions) >= self.config.max_sessions

    def full_page(self, request: web.Request) -> web.Response:
        self.refused += 1
        return page.notice_page(request, "人数已满", [
            f"本机同时在线的答题人数已满（{self.config.max_sessions} 人），暂时不能进入。",
            "请稍候一两分钟再刷新本页，或联系考务人员。已有的进度不受影响。"], status=503)

    async def index(self, request: web.Request) -> web.Response:
        if self.contest is not None:
            from sim.contest.export import round_windows

            return page.contest_landing(request, self.title, round_windows(self.contest), self.store is not None)
        return page.signin_page(request, self.title)

    async def start(self, request: web.Request) -> web.StreamResponse:
        if self.contest is not None:
            raise web.HTTPSeeOther("/play/round")
        form = await request.post()
        raw_name, raw_town = str(form.get("name", "")), str(form.get("township", ""))
        name, township = clean_field(raw_name, NAME_MAX), clean_field(raw_town, TOWNSHIP_MAX)
        if not name:
            error = ("请填写姓名。" if not raw_name.strip() else
                     f"姓名不能超过 {NAME_MAX} 个字，也不能含有控制字符。")
            return page.signin_page(request, self.title, error=error, name=raw_name[:NAME_MAX],
                                    township=raw_town[:TOWNSHIP_MAX], status=400)
        if raw_town.strip() and not township:
            return page.signin_page(request, self.title, error=f"乡镇名称不能超过 {TOWNSHIP_MAX} 个字，也不能含有控制字符。",
                                    name=name, township=raw_town[:TOWNSHIP_MAX], status=400)
        if self.full():
            return self.full_page(request)
        person = Person(name, township)
        await asyncio.get_running_loop().run_in_executor(None, self.prepare_home, person)
        ticket = secrets.token_urlsafe(12)
        self.tickets[ticket] = person
        raise web.HTTPSeeOther(f"/play/{ticket}")

    def _known_ticket(self, ticket: str) -> bool:
        return ticket == "round" if self.contest is not None else ticket in self.tickets

    async def play(self, request: web.Request) -> web.Response:
        ticket = request.match_info["ticket"]
        if not self._known_ticket(ticket):
            return page.notice_page(request, "请重新登录", [
                "这个答题链接已失效（服务器重启过，或链接不完整）。", "请回到首页重新填写姓名和乡镇，进度不会丢失。"],
                status=404)
        if self.full():
            return self.full_page(request)
        size = request.query.get("fontsize", "16")
        font_size = int(size) if size.isdigit() and 8 <= int(size) <= 40 else 16
        return page.terminal_page(request, self.title, f"ws://{request.host}/ws/{ticket}", font_size=font_size)

    # --- homes and commands ---------------------------------------------------------------------------------

    def trainee_home(self, person: Person) -> Path:
        return self.config.home / "trainees" / person.key

    def contest_home(self) -> Path:
        return self.config.home / "contest"

    def prepare_home(self, person: Person) -> None:
        """The trainee's data folder, with their name and township stored (the app asks no more)."""
        from sim.store import Store

        store = Store(self.trainee_home(person))
        try:
            if not store.get("trainee"):
                store.set("trainee", person.name)
                store.set("township", person.township)
        finally:
            store.close()

    def app_command(self, session: Session) -> tuple[list[str], dict[str, str]]:
        """argv and extra environment of the app process for one connection."""
        cfg = self.config
        if self.contest is not None:
            home = self.contest_home()
            argv = [cfg.python, "-m", "tui.cli", "contest", "run", str(cfg.contest_path), "--signin",
                    "--home", str(home)]
            if cfg.store_url:
                argv += ["--store", cfg.store_url]
            if cfg.round_id:
                argv += ["--round", cfg.round_id]
        else:
            assert session.person is not None
            home = self.trainee_home(session.person)
            argv = [cfg.python, "-m", "tui.cli", "ui", "--home", str(home), "--mode", cfg.mode]
            if cfg.library:
                argv += ["--library", *cfg.library]
        return argv, {"LAWDRILL_HOME": str(home), "TEXTUAL_FPS": "30"}

    # --- sessions -------------------------------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=self.config.heartbeat or None, max_msg_size=64 * 1024)
        await ws.prepare(request)
        ticket = request.match_info["ticket"]
        if not self._known_ticket(ticket):
            await self._refuse(ws, "这个答题链接已失效，请回到首页重新登录。进度不会丢失。")
            return ws
        person = self.tickets.get(ticket)
        if person is not None:  # the same trainee in a new window: the old window's session ends first
            for old in [s for s in self.sessions.values() if s.person == person]:
                await self.close_session(old, "您已在另一个窗口中进入，这个窗口的会话已结束。")
        if self.full():
            self.refused += 1
            await self._refuse(ws, f"本机同时在线的答题人数已满（{self.config.max_sessions} 人），暂时不能进入。",
                               "请稍候一两分钟再刷新本页，或联系考务人员。")
            return ws
        now = self.clock()
        session = Session(secrets.token_hex(8), person, ws, now, now)
        self.sessions[session.id] = session
        try:
            await self._run(session, request)
        except Exception:  # noqa: BLE001 - one broken connection must not take the server down
            log.exception("session %s failed", session.id)
        finally:
            await self._end(session)
        return ws

    async def _refuse(self, ws: web.WebSocketResponse, *lines: str) -> None:
        try:
            await ws.send_bytes(terminal_text(*lines))
        finally:
            await ws.close()

    async def _run(self, session: Session, request: web.Request) -> None:
        width = _size(request.query.get("width"), 80, 20, 500)
        height = _size(request.query.get("height"), 24, 5, 200)
        argv, env = self.command(session)
        ws = session.websocket

        shown = 0

        async def write_bytes(data: bytes) -> None:
            nonlocal shown
            shown += len(data)
            await ws.send_bytes(data)

        async def ended() -> None:
            if not shown:  # the app stopped before drawing anything: bad setup on the server, say so
                log.error("app exited before drawing: %s", " ".join(argv))
                try:
                    await ws.send_bytes(terminal_text("程序未能启动，请联系考务人员（服务器窗口中有错误信息）。"))
                except (ConnectionError, RuntimeError):
                    pass
            await ws.close()

        def app_ended() -> None:
            if not ws.closed and not session.closing:  # closing: close_session tells the browser why first
                asyncio.ensure_future(ended())

        service = ServedApp(argv, env, grace=self.config.grace, on_exit=app_ended, write_bytes=write_bytes,
                            write_str=ws.send_str, close=ws.close, download_manager=self.download_manager)
        session.service = service
        await service.start(width, height)
        assert service.pgid is not None
        self.pgids.add(service.pgid)
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind = envelope[0]
            data = envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                session.last_input = self.clock()
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(_size(data.get("width"), 80, 20, 500),
                                                _size(data.get("height"), 24, 5, 200))
            elif kind == "ping":
                await ws.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _end(self, session: Session) -> None:
        try:
            if session.service is not None:
                await session.service.stop()
        finally:
            self.sessions.pop(session.id, None)
            if not session.websocket.closed:
                await session.websocket.close()

    async def close_session(self, session: Session, why: str) -> None:
        """End a session from the server's side: stop the app, tell the browser why, close the connection."""
        session.closing = why
        if session.service is not None:
            await session.service.stop()
        ws = session.websocket
        if not ws.closed:
            try:
                await ws.send_bytes(terminal_text(why, "进度已保存在服务器上；刷新页面即可继续。"))
            except (ConnectionError, RuntimeError):
                pass
            await ws.close()
        self.sessions.pop(session.id, None)

    async def close_all(self, why: str) -> None:
        await asyncio.gather(*(self.close_session(s, why) for s in list(self.sessions.values())))

    def idle_sessions(self) -> list[Session]:
        limit = self.config.idle_timeout
        now = self.clock()
        return [s for s in self.sessions.values() if limit > 0 and now - s.last_input >= limit]

    async def sweep_idle(self) -> int:
        """Close the sessions idle longer than the limit; returns how many."""
        idle = self.idle_sessions()
        minutes = self.config.idle_timeout / 60
        shown = f"{minutes:g} 分钟" if minutes >= 1 else f"{self.config.idle_timeout:g} 秒"
        await asyncio.gather(*(self.close_session(s, f"已超过 {shown}没有操作，本次会话已关闭。") for s in idle))
        return len(idle)

    async def _sweep_forever(self) -> None:
        every = max(1.0, min(30.0, self.config.idle_timeout / 4))
        while True:
            await asyncio.sleep(every)
            try:
                await self.sweep_idle()
            except Exception:  # noqa: BLE001 - the sweeper keeps going
                log.exception("idle sweep failed")

    def live_processes(self) -> list[int]:
        """Every process still alive (or unreaped) in a group this server started."""
        return [pid for pgid in self.pgids for pid in group_members(pgid)]


def _size(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)
