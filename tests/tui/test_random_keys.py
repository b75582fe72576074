"""Thousands of random keys, seeded, across every screen: the app must never raise.

Keys arrive in bursts (as from a fast typist or a paste), which also exercises events overtaking one
another. Ctrl+Q is left out so the run is not cut short; if the keys still close the app (the command
palette's 退出), a new app opens on the same home and the keys go on — which also exercises the resume
offer."""

from __future__ import annotations

import os
import random
import time

from tui_helpers import FROZEN_WALL, settle

KEYS = (
    list("abcdefghmnpqrtvwyz0123456789")
    + [
        "tab",
        "shift+tab",
        "enter",
        "escape",
        "up",
        "down",
        "left",
        "right",
        "home",
        "end",
        "pageup",
        "pagedown",
        "f1",
        "question_mark",
        "slash",
        "space",
        "backspace",
        "delete",
        "ctrl+p",
        "ctrl+s",
        "ctrl+c",
        "plus",
        "minus",
        "colon",
    ]
    + list("立案送达工作日二〇、，")
)
# The keys that matter most get more weight: moving around, confirming and the workbench's own keys.
WEIGHTS = {
    "enter": 8,
    "tab": 6,
    "down": 6,
    "up": 3,
    "escape": 3,
    "space": 4,
    "t": 3,
    "f": 2,
    "y": 3,
    "c": 2,
    "h": 2,
    "e": 2,
}

# A longer soak: LAWDRILL_RANDOM_KEYS=20000 LAWDRILL_RANDOM_SEED=7 pytest tests/tui/test_random_keys.py
TOTAL = int(os.environ.get("LAWDRILL_RANDOM_KEYS", 2000))
BURST = 25


async def burst(pilot, names) -> None:
    """Send the keys without waiting between them, then wait for the app to settle."""
    from textual import events
    from textual.keys import _character_to_key

    driver = pilot.app._driver
    for name in names:
        if len(name) == 1:
            event = events.Key(name if name.isalnum() else _character_to_key(name), name)
        else:
            event = events.Key(
                name,
                {
                    "space": " ",
                    "plus": "+",
                    "minus": "-",
                    "colon": ":",
                    "slash": "/",
                    "question_mark": "?",
                }.get(name),
            )
        event.set_sender(pilot.app)
        driver.send_message(event)
    await settle(pilot)


async def test_thousands_of_random_keys_never_crash(library, tmp_path):
    from tui.app import make_app

    rng = random.Random(int(os.environ.get("LAWDRILL_RANDOM_SEED", 20260603)))
    weights = [WEIGHTS.get(k, 1) for k in KEYS]
    home = tmp_path / "home"
    sent = apps = 0
    screens: set[str] = set()
    started = time.perf_counter()
    while sent < TOTAL:
        apps += 1
        app = make_app(library, home=home, trainee="王小明", clock=lambda: FROZEN_WALL, seed=apps)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            while sent < TOTAL and app.is_running and app.return_code is None:
                await burst(pilot, rng.choices(KEYS, weights, k=BURST))
                sent += BURST
                screens.add(type(app.screen).__name__)
        # run_test re-raises anything the app raised; an orderly exit has no error code.
        assert app.return_code in (None, 0), app.return_code
    elapsed = time.perf_counter() - started
    print(f"{sent} keys, {apps} app(s), screens seen: {sorted(screens)}, {elapsed:.1f}s")
    # The walk got somewhere: past the library into a case.
    assert {"WorkbenchScreen", "ActionForm"} <= screens
