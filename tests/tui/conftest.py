"""Fixtures for the TUI tests: a loaded library (once per run), a fresh store home per test, a frozen wall
clock, and no blinking cursor (so snapshots are stable)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tui_helpers.py

from tui_helpers import CASE, FIXTURE_CASE, FROZEN_WALL, auxiliary_trap  # noqa: E402

from sim import load_library  # noqa: E402


@pytest.fixture(scope="session")
def library():
    lib = load_library()
    assert CASE in lib.scenarios, lib.errors  # other files may be mid-edit: only our case must load
    lib.errors = []  # the app would announce them in a toast
    return lib


@pytest.fixture(scope="session")
def fixture_library():
    """tests/tui/fixtures only (its own small law catalogue, template and case): the snapshots show the
    screens and do not move whenever the bundled library is edited."""
    lib = load_library([Path(__file__).parent / "fixtures"], base=False)
    assert list(lib.scenarios) == [FIXTURE_CASE] and not lib.errors, lib.errors
    return lib


@pytest.fixture
def scenario(library):
    return library.scenarios[CASE]


@pytest.fixture
def trap(scenario):
    return auxiliary_trap(scenario)


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    """The cursor blinks on a timer; in a snapshot it must not (harlequin does the same)."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def make(library, home):
    """make(**kw) -> a deterministic app on the bundled library in this test's home."""
    from tui.app import make_app

    def build(**kw):
        kw.setdefault("home", home)
        kw.setdefault("trainee", "王小明")
        kw.setdefault("clock", lambda: FROZEN_WALL)
        return make_app(kw.pop("library", library), **kw)

    return build
