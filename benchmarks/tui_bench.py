"""The trainee app's start-up time and memory, measured in one run.

1. Cold start to first screen: a fresh Python process starts the app headless; the time from spawning the
   process to the first refresh of the first screen, best of N, against a bare Textual app (one Static)
   measured the same way, alternating the two. Target: ratio <= 1.25.
   Also reported (no target): when the case library has been loaded into that first screen.
2. Resident memory: the peak RSS (ru_maxrss) of a process that opened the workbench of straw-burning-01,
   played its reference path through the workbench and finished it. Target: <= 120 MB. A bare Textual
   app's peak RSS is printed beside it for scale.

Run: python benchmarks/tui_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_TARGET = 1.25
MEMORY_TARGET_MB = 120

# Each child prints JSON: seconds since the epoch at the first refresh (and, for lawdrill, when the library
# was shown), so the parent measures spawn -> first screen on one clock.
BARE = """
import json, time
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello 行政执法")
    def on_mount(self):
        self.call_after_refresh(self.first)
    def first(self):
        print(json.dumps({"first": time.time()}), flush=True)
        self.exit()

Bare().run(headless=True)
"""

LAWDRILL = """
import json, sys, time
from tui.app import LawdrillApp
marks = {}

class Measured(LawdrillApp):
    def on_mount(self):
        self.call_after_refresh(self.first)
    def first(self):
        marks["first"] = time.time()
    def _loaded(self, lib):
        super()._loaded(lib)
        self.library_screen.call_after_refresh(self.ready)
    def ready(self):
        marks["ready"] = time.time()
        marks["cases"] = len(self.library.scenarios)
        self.exit()

Measured(home=sys.argv[1], trainee="基准测试").run(headless=True)
print(json.dumps(marks), flush=True)
"""

MEMORY = """
import asyncio, json, resource, sys
from sim import load_library
from tui.app import make_app
from tui.trainee.workbench import WorkbenchScreen

async def main():
    lib = load_library()
    sc = lib.scenarios["straw-burning-01"]
    app = make_app(lib, home=sys.argv[1], trainee="基准测试")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.open_briefing(sc)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        bench = app.screen
        assert isinstance(bench, WorkbenchScreen)
        for step in sc.references[0].steps:
            if step.do == "advance":
                out = bench.advance(step.at)
            elif step.do != "finish":
                out = bench.perform(step.do, step.at, dict(step.params))
            assert out.ok, out.reason
            await pilot.pause()
        app.finish_session(bench.session, bench.attempt_id)
        await pilot.pause()
        score = app.screen.result.score
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rss_mb": rss_kb / 1024, "score": score}), flush=True)

asyncio.run(main())
"""

BARE_MEMORY = """
import asyncio, json, resource
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello 行政执法")

async def main():
    async with Bare().run_test(size=(100, 40)) as pilot:
        await pilot.pause()
    print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)

asyncio.run(main())
"""


def child(code: str, *args: str) -> tuple[float, dict[str, float]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("TEXTUAL", None)
    spawned = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    last = [line for line in proc.stdout.splitlines() if line.startswith("{")][-1]
    return spawned, json.loads(last)


def main() -> int:
    parser = argparse.ArgumentParser(description="lawdrill TUI start-up and memory benchmark")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (3 instead of 9)")
    args = parser.parse_args()
    runs = 3 if args.quick else 9

    bare: list[float] = []
    ours: list[float] = []
    ready: list[float] = []
    cases = 0
    with tempfile.TemporaryDirectory() as tmp:
        child(BARE)  # warm the OS file cache once for both
        child(LAWDRILL, str(Path(tmp) / "warm"))
        for i in range(runs):
            spawned, marks = child(BARE)
            bare.append(marks["first"] - spawned)
            spawned, marks = child(LAWDRILL, str(Path(tmp) / f"home{i}"))
            ours.append(marks["first"] - spawned)
            ready.append(marks["ready"] - spawned)
            cases = int(marks["cases"])
        _, mem = child(MEMORY, str(Path(tmp) / "memory"))
        _, bare_mem = child(BARE_MEMORY)

    ratio = min(ours) / min(bare)

    def ms(values: list[float]) -> str:
        return f"{min(values) * 1000:5.0f} ms  (median {statistics.median(values) * 1000:.0f})"

    def verdict(ok: bool) -> str:
        return "OK" if ok else "OVER TARGET"

    print(f"lawdrill TUI benchmark: {runs} runs each, best of (median)")
    print("cold start to first screen")
    print(f"  bare Textual app (one Static)          {ms(bare)}")
    print(f"  lawdrill, case library screen          {ms(ours)}")
    print(
        f"  ratio                                  {ratio:5.2f} x   target <= {START_TARGET} x   "
        f"{verdict(ratio <= START_TARGET)}"
    )
    print(
        f"  {cases} cases listed (no target)           {ms(ready)}   "
        "engine and cases load after the first paint"
    )
    print("peak resident memory (ru_maxrss)")
    print(
        f"  workbench + reference path + debrief   {mem['rss_mb']:5.1f} MB  "
        f"target <= {MEMORY_TARGET_MB} MB   "
        f"{verdict(mem['rss_mb'] <= MEMORY_TARGET_MB)}   (score {mem['score']})"
    )
    print(f"  bare Textual app                       {bare_mem['rss_mb']:5.1f} MB")
    ok = ratio <= START_TARGET and mem["rss_mb"] <= MEMORY_TARGET_MB
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
