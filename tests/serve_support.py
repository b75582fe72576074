"""Helpers for the `lawdrill serve` tests and benchmarks/serve_load.py: start the server as a user would, and a
scripted browser terminal that speaks textual-serve's websocket protocol (what textual.js sends and reads).

The client reads the app's output as the browser would receive it and finds text in it with the escape
sequences taken out: a Textual screen writes each run of same-styled text in one piece, so a word on the
screen is a substring of the stripped stream.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")


class Stripped:
    """Terminal output with the escape sequences removed, stripped as it arrives (each chunk once: re-stripping
    the whole output per message is quadratic and, with 50 terminals in one benchmark process, starved the
    client's event loop until the server's heartbeat dropped it). A sequence split across two messages is held
    back from the last ESC until the next message completes it."""

    def __init__(self) -> None:
        self.text = bytearray()
        self._held = b""

    def feed(self, data: bytes) -> bytearray:
        buf = self._held + data
        cut = buf.rfind(b"\x1b")
        if cut >= 0 and not ESCAPES.match(buf, cut):
            buf, self._held = buf[:cut], buf[cut:]
        else:
            self._held = b""
        self.text += ESCAPES.sub(b"", buf)
        return self.text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """`lawdrill serve` running as a subprocess (its own process group) on 127.0.0.1 and a free port."""

    def __init__(self, home: Path, *args: str, timeout: float = 120):
        self.home = home
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        env.pop("TEXTUAL_DRIVER", None)
        self.log = home / "serve.log"
        home.mkdir(parents=True, exist_ok=True)
        self._out = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--home", str(home / "server"), *args],
            stdout=self._out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while "已启动" not in self.output():
            if self.proc.poll() is not None:
                raise AssertionError(f"lawdrill serve exited {self.proc.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"lawdrill serve did not start:\n{self.output()}")
            time.sleep(0.05)

    def output(self) -> str:
        return self.log.read_bytes().decode("utf-8", "replace")

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, as a service manager or Ctrl+C would; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._out.close()
        return self.proc.returncode

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def processes_descended_from_sessions(pgids: set[int]) -> list[int]:
    from tui.serve.server import group_members

    return [pid for g in pgids for pid in group_members(g)]


def children_of(pid: int) -> list[int]:
    """Every descendant of `pid` still in the process table (zombies included), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path("/proc", entry, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


async def sign_in(http: aiohttp.ClientSession, base: str, name: str, township: str = "") -> str:
    """The trainee sign-in form; returns the ticket of the terminal page it redirects to."""
    async with http.post(f"{base}/start", data={"name": name, "township": township},
                         allow_redirects=False) as r:
        assert r.status == 303, (r.status, await r.text())
        return r.headers["Location"].rsplit("/", 1)[1]


class Terminal:
    """One scripted browser terminal on /ws/{ticket}."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse):
        self.ws = ws
        self._stripped = Stripped()
        self.text = b""
        self._changed = asyncio.Event()
        self.closed = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, http: aiohttp.ClientSession, base: str, ticket: str, *, width: int = 100,
                   height: int = 30) -> Terminal:
        ws = await http.ws_connect(f"{base.replace('http', 'ws', 1)}/ws/{ticket}?width={width}&height={height}",
                                   max_msg_size=0)
        term = cls(ws)
        await ws.send_str(json.dumps(["resize", {"width": width, "height": height}]))
        await ws.send_str(json.dumps(["focus"]))  # textual.js sends it when the window has the focus
        return term

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type == aiohttp.WSMsgType.BINARY:
                    self.text = self._stripped.feed(msg.data)
                    self._changed.set()
        finally:
            self.closed.set()
            self._changed.set()

    def screen(self, since: int = 0) -> str:
        return self.text[since:].decode("utf-8", "replace")

    def mark(self) -> int:
        return len(self.text)

    async def wait_for(self, needle: str, *, since: int = 0, timeout: float = 60) -> int:
        """Wait until `needle` appears in the output after offset `since`; returns the offset past it."""
        data = needle.encode("utf-8")

        async def seen() -> int:
            while True:
                at = self.text.find(data, since)
                if at >= 0:
                    return at + len(data)
                if self.closed.is_set():
                    raise AssertionError(f"connection closed before {needle!r}:\n{self.screen(since)[-2000:]}")
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(seen(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"{needle!r} not shown within {timeout} s:\n{self.screen(since)[-2000:]}") from None

    async def keys(self, text: str) -> None:
        await self.ws.send_str(json.dumps(["stdin", text]))

    async def close(self) -> None:
        await self.ws.close()
        await self._reader

    def drop(self) -> None:
        """Vanish without a closing handshake, as a browser on a dropped network or a killed tab does."""
        transport = self.ws._response.connection.transport if self.ws._response.connection else None
        if transport is None:
            transport = self.ws._writer.transport  # type: ignore[attr-defined]
        transport.abort()


# The trainee's way through one case in the served app, as (keys, what the screen then shows): focus the
# case list, open the first case's briefing, start, ask for a hint (the engine names the next lawful act),
# hand in, confirm; the debrief shows the score.
CASE_FLOW = (
    ("/", "F1 帮助"),            # the search field
    ("\r", "打开案例"),          # leave it: the case list has the focus
    ("\r", "开始演练（Enter）"),  # the briefing of the first case
    ("\r", "f 交卷"),            # the workbench
    ("h", "下一步"),             # a hint
    ("f", "结束本次演练并查看讲评"),
    ("y", "讲评 · "),            # handed in: the debrief
)


async def play_case(term: Terminal, *, timeout: float = 120) -> list[float]:
    """Play CASE_FLOW once the library is on screen; returns the seconds each step took to show."""
    import time as _time

    await term.wait_for("案例库", timeout=timeout)
    await term.wait_for("★", timeout=timeout)  # the case list has been filled
    await term.ws.send_str(json.dumps(["focus"]))  # the browser window has the focus (a click on the page)
    await term.wait_for("^p", timeout=timeout)
    took = []
    for keys, shown in CASE_FLOW:
        mark = term.mark()
        started = _time.perf_counter()
        await term.keys(keys)
        await term.wait_for(shown, since=mark, timeout=timeout)
        took.append(_time.perf_counter() - started)
    return took


# --- a real browser: headless Chromium driven over the Chrome DevTools protocol ---------------------------

_KEYS = {"\r": ("Enter", "Enter", 13), "/": ("/", "Slash", 191), "\t": ("Tab", "Tab", 9),
         "\x1b": ("Escape", "Escape", 27)}


class Browser:
    """Headless Chromium (tests/chromium_support.py's flags: no network of its own, a fresh profile) with
    one page, driven over the DevTools websocket. It records every request the page makes and every
    websocket frame it receives (the terminal's output, read like Terminal.text)."""

    def __init__(self, exe: str, profile: Path):
        self.exe, self.profile = exe, profile
        self.requests: list[str] = []
        self.sockets: list[str] = []
        self._stripped = Stripped()
        self.text = b""
        self._next = 0
        self._pending: dict[int, asyncio.Future] = {}
        self._events: dict[str, asyncio.Event] = {}
        self._changed = asyncio.Event()

    async def __aenter__(self) -> Browser:
        from chromium_support import FLAGS

        flags = [f for f in FLAGS if f != "--no-pdf-header-footer"]
        self.proc = await asyncio.create_subprocess_exec(
            self.exe, *flags, "--remote-debugging-port=0", "--remote-allow-origins=*",
            f"--user-data-dir={self.profile}", "--window-size=1280,860", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, start_new_session=True)
        assert self.proc.stderr is not None
        url = None
        while url is None:
            line = await asyncio.wait_for(self.proc.stderr.readline(), 60)
            if not line:
                raise AssertionError("chromium exited before it listened for DevTools")
            found = re.search(rb"DevTools listening on (ws://\S+)", line)
            if found:
                url = found.group(1).decode()
        self._drain = asyncio.ensure_future(self._drain_stderr())
        self.http = aiohttp.ClientSession()
        self.ws = await self.http.ws_connect(url, max_msg_size=0)
        self._reader = asyncio.ensure_future(self._read())
        target = await self.call("Target.createTarget", {"url": "about:blank"})
        attached = await self.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        self.session = attached["sessionId"]
        for domain in ("Network", "Page", "Runtime"):
            await self.call(f"{domain}.enable", session=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.call("Browser.close")
        except Exception:  # noqa: BLE001 - the browser may already be gone
            pass
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except asyncio.TimeoutError:
            os.killpg(self.proc.pid, signal.SIGKILL)
            await self.proc.wait()
        self._reader.cancel()
        self._drain.cancel()
        await self.http.close()

    async def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        while await self.proc.stderr.readline():
            pass

    async def _read(self) -> None:
        import base64

        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if "id" in data:
                fut = self._pending.pop(data["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(data)
                continue
            method, params = data.get("method"), data.get("params", {})
            if method == "Network.requestWillBeSent":
                self.requests.append(params["request"]["url"])
            elif method == "Network.webSocketCreated":
                self.sockets.append(params["url"])
            elif method == "Network.webSocketFrameReceived":
                frame = params["response"]
                if frame.get("opcode") == 2:
                    self.text = self._stripped.feed(base64.b64decode(frame["payloadData"]))
                    self._changed.set()
            if method in self._events:
                self._events[method].set()

    async def call(self, method: str, params: dict | None = None, *, session: bool = False) -> dict:
        self._next += 1
        message: dict = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        fut = asyncio.get_running_loop().create_future()
        self._pending[self._next] = fut
        await self.ws.send_str(json.dumps(message))
        reply = await asyncio.wait_for(fut, 60)
        if "error" in reply:
            raise AssertionError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def evaluate(self, expression: str) -> object:
        result = await self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                      "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def goto(self, url: str) -> None:
        loaded = self._events["Page.loadEventFired"] = asyncio.Event()
        await self.call("Page.navigate", {"url": url}, session=True)
        await asyncio.wait_for(loaded.wait(), 60)

    async def until(self, expression: str, timeout: float = 60) -> object:
        """Wait until a page expression is truthy (a page load, a redirect) and return its value."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            try:
                value = await self.evaluate(expression)
            except AssertionError:
                value = None  # the page is navigating
            if value:
                return value
            assert loop.time() < end, f"{expression} not true within {timeout} s"
            await asyncio.sleep(0.05)

    def mark(self) -> int:
        return len(self.text)

    async def wait_for(self, needle: str, *, since: int = 0, timeout: float = 120) -> int:
        data = needle.encode("utf-8")

        async def seen() -> int:
            while (at := self.text.find(data, since)) < 0:
                self._changed.clear()
                await self._changed.wait()
            return at + len(data)

        try:
            return await asyncio.wait_for(seen(), timeout)
        except asyncio.TimeoutError:
            shown = self.text[since:].decode("utf-8", "replace")[-2000:]
            raise AssertionError(f"{needle!r} not shown in the browser within {timeout} s:\n{shown}") from None

    async def press(self, text: str) -> None:
        """Type into the page as a keyboard does: one key down/up per character (Enter for a line end)."""
        for ch in text:
            key, code, vk = _KEYS.get(ch) or (ch, f"Key{ch.upper()}" if ch.isalpha() else f"Digit{ch}",
                                              ord(ch.upper()))
            down = {"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk}
            if ch not in ("\t", "\x1b"):
                down["text"] = ch
            await self.call("Input.dispatchKeyEvent", down, session=True)
            await self.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": code,
                                                       "windowsVirtualKeyCode": vk}, session=True)
