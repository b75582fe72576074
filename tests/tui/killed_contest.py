"""Run by test_resume_after_the_process_is_killed…: a contestant starts the round, plays two acts of the first
case by keys, writes what the timeline shows, then dies with SIGKILL mid-round (a crash or a power cut)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from contest_helpers import KEY, PLAY_CASES, FakeClock, contest_app, load
from tui_helpers import keys, play_steps

from sim import load_library


async def main(contest_path: str, home: str, out: str) -> None:
    os.environ["LAWDRILL_TEST_CONTEST_KEY"] = KEY
    lib = load_library()
    contest = load(Path(contest_path), lib)
    sc = lib.scenarios[PLAY_CASES[0]]
    app = contest_app(contest, lib, Path(home), FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await keys(pilot, "enter")  # the first case of the round
        await keys(pilot, "y")  # start the round: the countdown starts
        await keys(pilot, "enter")  # from the case's briefing to the workbench
        await play_steps(pilot, sc, sc.references[0].steps[:2])
        bench = app.screen
        timeline = bench.query_one("#timeline")
        rows = [[getattr(c, "plain", c) for c in timeline.get_row_at(i)] for i in range(timeline.row_count)]
        with open(out, "w", encoding="utf-8") as fh:
            json.dump({"timeline": rows, "now": f"{bench.session.now:%Y-%m-%d %H:%M}"}, fh, ensure_ascii=False)
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
