"""Key presses a trainee needs to work straw-burning-01's reference path at 80x24, typed characters included.

Two ways are counted in one run, both through the real app by key events only (tests/tui/tui_helpers.py):

- field by field: every form filled from empty as if nothing were carried over: each officer and checkbox
  ticked, each date typed in full, each text typed character by character (the baseline, what the workbench
  cost before forms carried values over);
- as an officer works: `tests/tui/test_keystrokes.py`'s path (carried-over team, date keys, fill from the
  case file). Target: <= 120 key presses and a score of 100.

Run: python benchmarks/keystrokes.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "tui")]

TARGET = 120


async def count(play) -> tuple[int, int]:
    import tui_helpers

    from sim import load_library
    from tui.app import make_app

    lib = load_library()
    lib.errors = []
    sc = lib.scenarios[tui_helpers.CASE]
    with tempfile.TemporaryDirectory() as home:
        app = make_app(lib, home=home, trainee="基准测试", clock=lambda: tui_helpers.FROZEN_WALL)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            tui_helpers.PRESSES.clear()
            await play(pilot, sc)
            return len(tui_helpers.PRESSES), app.screen.result.score


async def field_by_field(pilot, sc) -> None:
    from tui_helpers import finish, open_case_keys, play_steps

    await open_case_keys(pilot, sc.title)
    await play_steps(pilot, sc, sc.references[0].steps)
    await finish(pilot)


async def as_an_officer(pilot, sc) -> None:
    from test_keystrokes import officer_path

    await officer_path(pilot, sc)


def main() -> int:
    base, base_score = asyncio.run(count(field_by_field))
    try:
        import test_keystrokes  # noqa: F401
    except ImportError:
        print(f"field by field: {base} key presses, score {base_score}")
        return 0
    fast, fast_score = asyncio.run(count(as_an_officer))
    print(f"{'way':<16}{'key presses':>12}{'score':>7}")
    print(f"{'field by field':<16}{base:>12}{base_score:>7}")
    print(f"{'as an officer':<16}{fast:>12}{fast_score:>7}   target <= {TARGET}, ratio {fast / base:.2f}")
    return 0 if fast <= TARGET and fast_score == 100 else 1


if __name__ == "__main__":
    raise SystemExit(main())
