"""`lawdrill serve` under load: N contestants in one served contest round at once, against one alone.

One command, no setup beyond the project's venv:

    python benchmarks/serve_load.py                 # 50 concurrent sessions (a few minutes on 2 cores)
    python benchmarks/serve_load.py --sessions 8    # a smaller run
    python benchmarks/serve_load.py --think 0       # no pause between key presses (a stress test)
    python benchmarks/serve_load.py --timeout 120   # give up on a screen after 120 s (default 900)

What it does, in one run on one server:

1. Writes a contest (the example's rounds, a roster of N + 1, a fresh key) in a temporary folder, issues the
   sign-in codes into the server's SQLite store, and starts `lawdrill serve --contest` as an organiser would.
2. **Baseline**: one scripted browser terminal alone (tests/serve_support.py's Terminal: textual-serve's
   websocket protocol, what textual.js sends and reads) signs in with its code, starts the round, opens the
   first case, does three acts (立案, 现场检查, 询问: each the form opened and submitted), and hands in. Every
   step is timed from the key press to the text it brings on the screen; the memory of the session's process
   group is read after the acts.
3. **Load**: N terminals do the same at the same moment (they all connect together, as a room does at the
   start signal), with `--think` seconds between key presses. Memory is read when every session has done its
   acts (all N apps alive at once), then they hand in.
4. Stops the server (SIGINT, as Ctrl+C) and checks: results in the store = hand-ins seen on the screens (0
   lost) = contestants whose journal on the server holds the three acts, and no process of any session left.
   What a failed session's terminal last showed is written to benchmarks/.out/serve_load_failed.txt.

Figures: app start (connect to the sign-in screen), time per act (form opened, form submitted) and per step
(all steps) at p50 and p95, each as a ratio to the same figure of the session alone; resident memory (RSS, and
PSS, which shares the interpreter's pages fairly) per session, as a ratio to the session alone; the server's
own RSS. The table is printed and written to benchmarks/.out/serve_load.json (the server log to serve_load.log).
Exit 1 if a result was lost, a
session failed or a process was left.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

CONTEST = ROOT / "contests" / "township-winter-2026.yaml"
DOWN = "\x1b[B"
# (keys, what the screen then shows, step kind). The palette of the contest workbench starts on 立案; two Downs
# reach 现场检查（勘验）, one more 询问当事人或证人; each form opens with the team and time carried over and is
# submitted as it stands (Ctrl+S). The form closes only when the act was done, so a submit is timed to the
# workbench's footer coming back ("f 交卷"). Not to the act's 已办理 toast: a toast lasts 4 s from the moment it
# is raised, and on a starved host the workbench was often drawn only after that, so the toast never reached the
# screen and the run waited 900 s for it (43 of 50 sessions, 2026-12-04). The acts are counted in the server's
# journals at the end instead.
ACTS = (
    ("\r", "^s 提交", "act"), ("\x13", "f 交卷", "act"),
    (DOWN * 2 + "\r", "^s 提交", "act"), ("\x13", "f 交卷", "act"),
    (DOWN + "\r", "^s 提交", "act"), ("\x13", "f 交卷", "act"),
)
ACT_NAMES = ("file_case", "inspect", "interview")  # what the journals must hold, in order, for each contestant
HAND_IN = (("f", "交卷后本案不能再办理", "step"), ("y", "已交卷", "step"))
TIMEOUT = 900.0  # seconds a screen may take to show (--timeout)


def write_contest(folder: Path, people: int) -> Path:
    import yaml

    doc = yaml.safe_load(CONTEST.read_text(encoding="utf-8"))
    towns = [t for d in doc["divisions"] for t in d["townships"]]
    doc["roster"] = [{"id": f"L{i:03d}", "name": f"考生{i:03d}", "township": towns[i % len(towns)]}
                     for i in range(people)]
    doc["contest"] = {"id": "serve-load", "name": "网上答题负载测试"}
    (folder / "keys").mkdir(parents=True, exist_ok=True)
    (folder / "keys" / "load.key").write_text(secrets.token_hex(32) + "\n")
    doc["key_file"] = "keys/load.key"
    path = folder / "serve-load.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def acts_journaled(home: Path) -> int:
    """Contestants whose journal on the server holds exactly the three acts, in order."""
    complete = 0
    for journal in home.glob("contests/*/*/*/journals/*.jsonl"):
        lines = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines() if line.strip()]
        complete += [e["name"] for e in lines if e.get("t") == "act"] == list(ACT_NAMES)
    return complete


def proc_children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path("/proc", entry, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB (0, 0 if it is gone)."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def group_memory(pgids: list[int]) -> tuple[int, int]:
    from tui.serve.server import group_members

    rss = pss = 0
    for g in pgids:
        for pid in group_members(g):
            r, p = memory_kb(pid)
            rss, pss = rss + r, pss + p
    return rss, pss


class Run:
    """What one phase measured."""

    def __init__(self) -> None:
        self.start: list[float] = []
        self.acts: list[float] = []
        self.steps: list[float] = []
        self.handed_in = 0
        self.failed: list[str] = []
        self.screens: list[str] = []  # what each failed session's terminal showed (serve_load_failed.txt)


async def contestant(http, base: str, code: str, run: Run, think: float, acted: asyncio.Event,
                     counter: list[int], total: int, release: asyncio.Event) -> None:
    from serve_support import Terminal

    counted = False

    def arrive() -> None:  # this contestant is through the acts (or failed): the barrier counts it once
        nonlocal counted
        if not counted:
            counted = True
            counter[0] += 1
            if counter[0] == total:
                acted.set()

    began = time.perf_counter()
    term = None
    try:
        term = await Terminal.open(http, base, "round", width=100, height=30)
        await term.wait_for("参赛签到", timeout=TIMEOUT)
        await term.ws.send_str(json.dumps(["focus"]))  # the window has the focus (a click on the page)
        await term.wait_for("^p", timeout=TIMEOUT)
        run.start.append(time.perf_counter() - began)
        steps = [(code.replace("-", "") + "\r", "签到成功", "step"), ("\r", "开始本轮", "step"),
                 ("y", "开始办理", "step"), ("\r", "f 交卷", "step"), *ACTS]
        for keys, shown, kind in steps:
            await step(term, keys, shown, kind, run, think)
        arrive()
        await release.wait()
        for keys, shown, kind in HAND_IN:
            await step(term, keys, shown, kind, run, think)
        run.handed_in += 1
    except Exception as exc:  # noqa: BLE001 - any failure (a screen never shown, a dropped socket) is one failed session
        run.failed.append(f"{type(exc).__name__}: {str(exc)[:600]}")
        run.screens.append(f"{code}: {type(exc).__name__}: {exc}\n--- whole output, escapes stripped, last 6000"
                           f" characters ---\n{term.screen()[-6000:] if term is not None else ''}\n")
    finally:
        arrive()  # a failed session must not hold the others at the barrier
        if term is not None:
            await term.close()


async def step(term, keys: str, shown: str, kind: str, run: Run, think: float) -> None:
    if think:
        await asyncio.sleep(think)
    mark = term.mark()
    started = time.perf_counter()
    await term.keys(keys)
    await term.wait_for(shown, since=mark, timeout=TIMEOUT)
    took = time.perf_counter() - started
    run.steps.append(took)
    if kind == "act":
        run.acts.append(took)


async def phase(served, codes: list[str], think: float) -> tuple[Run, tuple[int, int], int]:
    """Run len(codes) contestants at once; memory of their app groups (and the server's RSS) once all acted."""
    import aiohttp

    run = Run()
    acted, release = asyncio.Event(), asyncio.Event()
    counter = [0]
    async with aiohttp.ClientSession() as http:
        tasks = [asyncio.ensure_future(contestant(http, served.base, c, run, think, acted, counter, len(codes),
                                                  release)) for c in codes]
        await acted.wait()
        groups = proc_children(served.proc.pid)  # each app leads its own group
        mem = group_memory(groups)
        server_rss = memory_kb(served.proc.pid)[0]
        alive = len(groups)
        release.set()
        await asyncio.gather(*tasks)
    per = (mem[0] // max(alive, 1), mem[1] // max(alive, 1))
    return run, per, server_rss


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def main_async(args: argparse.Namespace) -> int:
    from serve_support import Served

    from sim.contest import ContestStore, load_contest
    from sim.contest import signin

    n = args.sessions
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        folder = Path(tmp)
        path = write_contest(folder, n + 1)
        contest = load_contest(path)
        home = folder / "serve" / "server" / "contest"
        home.mkdir(parents=True)
        with ContestStore.open(None, home=home) as store:
            issued = {c.contestant.id: c.code for c in signin.issue_codes(store, contest)}
        codes = [issued[f"L{i:03d}"] for i in range(n + 1)]
        served = Served(folder / "serve", "--contest", str(path), "--max-sessions", str(n + 10),
                        "--idle-timeout", "0", timeout=300)
        seen_groups: set[int] = set()
        try:
            alone, alone_mem, _ = await phase(served, codes[:1], args.think)
            load_started = time.perf_counter()
            load, load_mem, server_rss = await phase(served, codes[1:], args.think)
            load_wall = time.perf_counter() - load_started
            seen_groups.update(proc_children(served.proc.pid))
        finally:
            status = served.stop()
            out = ROOT / "benchmarks" / ".out"
            out.mkdir(exist_ok=True)
            (out / "serve_load.log").write_bytes(served.log.read_bytes())  # the server's log, kept for a look
        from tui.serve.server import group_members

        left = [p for g in seen_groups for p in group_members(g)] + proc_children(served.proc.pid)
        with ContestStore.open(None, home=home) as store:
            stored = len(store.results(contest.id))
        journaled = acts_journaled(home)
        handed_in = alone.handed_in + load.handed_in

    def row(name: str, base: float, loaded: float, unit: str) -> dict:
        return {"figure": name, "alone": base, f"{n} at once": loaded,
                "ratio": loaded / base if base else float("nan"), "unit": unit}

    rows = [
        row("app start p50", pct(alone.start, 50), pct(load.start, 50), "s"),
        row("app start p95", pct(alone.start, 95), pct(load.start, 95), "s"),
        row("time per act p50", pct(alone.acts, 50), pct(load.acts, 50), "s"),
        row("time per act p95", pct(alone.acts, 95), pct(load.acts, 95), "s"),
        row("time per step p50", pct(alone.steps, 50), pct(load.steps, 50), "s"),
        row("time per step p95", pct(alone.steps, 95), pct(load.steps, 95), "s"),
        row("RSS per session", alone_mem[0] / 1024, load_mem[0] / 1024, "MiB"),
        row("PSS per session", alone_mem[1] / 1024, load_mem[1] / 1024, "MiB"),
    ]
    print(f"lawdrill serve, contest round: 1 session alone, then {n} at once "
          f"(think {args.think:g} s between key presses; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})")
    print(f"{'figure':<20}{'alone':>10}{f'{n} at once':>12}{'ratio':>8}")
    for r in rows:
        print(f"{r['figure']:<20}{r['alone']:>10.3f}{r[f'{n} at once']:>12.3f}{r['ratio']:>7.2f}x  {r['unit']}")
    print(f"server process RSS with {n} sessions: {server_rss / 1024:.1f} MiB; load phase wall time "
          f"{load_wall:.0f} s; {len(load.acts)} acts, {len(load.steps)} steps timed")
    print(f"results stored {stored} = handed in {handed_in} (lost {handed_in - stored}); "
          f"sessions failed {len(alone.failed) + len(load.failed)}; processes left after shutdown {len(left)}; "
          f"server exit status {status}")
    print(f"contestants with the three acts in their journal on the server: {journaled} of {n + 1}")
    for failure in (alone.failed + load.failed)[:3]:
        print("failed:", failure)
    failed_log = out / "serve_load_failed.txt"
    failed_log.write_text("".join(alone.screens + load.screens), encoding="utf-8")
    if alone.screens or load.screens:
        print(f"what the failed sessions' terminals showed: {failed_log}")
    (out / "serve_load.json").write_text(json.dumps({
        "sessions": n, "think": args.think, "rows": rows, "server_rss_mib": server_rss / 1024,
        "stored": stored, "handed_in": handed_in, "failed": len(alone.failed) + len(load.failed),
        "left": len(left), "load_wall_s": load_wall, "journaled": journaled,
        "load_average": os.getloadavg()}, indent=2, ensure_ascii=False))
    ok = stored == handed_in == journaled == n + 1 and not left and not alone.failed and not load.failed
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=50, help="concurrent sessions in the load phase (50)")
    ap.add_argument("--think", type=float, default=1.0,
                    help="seconds each contestant waits before each key press (1.0; 0 = as fast as possible)")
    ap.add_argument("--timeout", type=float, default=TIMEOUT,
                    help=f"seconds a screen may take to show before the session counts as failed ({TIMEOUT:g})")
    args = ap.parse_args()
    globals()["TIMEOUT"] = args.timeout
    if args.sessions < 1:
        ap.error("--sessions must be at least 1")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
