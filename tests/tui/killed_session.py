"""Run by test_resume_after_a_killed_session…: start an attempt, play two acts by keys, write what the
timeline shows, then die with SIGKILL (no clean-up, no finish) — a crash or a power cut."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

from tui_helpers import keys, play_steps, row_title

from sim import load_library
from tui.app import make_app


async def main(home: str, out: str) -> None:
    lib = load_library()
    sc = lib.scenarios["straw-burning-01"]
    app = make_app(lib, home=home, trainee="王小明", clock=lambda: 1_780_000_000.0)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#cases")
        while row_title(table, table.cursor_row) != sc.title:
            await keys(pilot, "down")
        await keys(pilot, "enter")
        await keys(pilot, "enter")
        await play_steps(pilot, sc, sc.references[0].steps[:2])
        bench = app.screen
        timeline = bench.query_one("#timeline")
        rows = [[getattr(c, "plain", c) for c in timeline.get_row_at(i)] for i in range(timeline.row_count)]
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(
                {"timeline": rows, "now": f"{bench.session.now:%Y-%m-%d %H:%M}"}, fh, ensure_ascii=False
            )
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
