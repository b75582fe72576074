"""The screens' one surface to the app (tui/host.py): the apps implement it, and the screens use nothing else.

The import-hygiene test keeps screens from importing the app module; this keeps them from reaching past the
protocol at run time (`self.app.anything` is not checked by Python): a screen that needs something new from
the app has to add it to the protocol, where the app classes are checked against it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from contest_helpers import FakeClock, contest_app, contest_key, load, write_contest

from tui.host import ContestHost, TraineeHost

__all__ = ["contest_key"]  # the fixture, imported for pytest

TUI = Path(__file__).resolve().parents[2] / "tui"

# screen modules -> the host their `app` is. The leaderboard is its own small app (BoardApp, same module).
SCREENS = {
    **{f"trainee/{m}.py": TraineeHost for m in ("library", "briefing", "workbench", "forms", "debrief", "history",
                                               "graph", "quiz")},
    "trainer/screen.py": TraineeHost,
    "contest/round.py": ContestHost,
    "contest/review.py": ContestHost,
}


def members(protocol: type) -> set[str]:
    names: set[str] = set()
    for cls in protocol.__mro__:
        if cls.__module__ == "tui.host":
            names |= set(getattr(cls, "__annotations__", {})) | {n for n in vars(cls) if not n.startswith("_")}
    return names


def app_uses(path: Path) -> set[str]:
    """Every `self.app.X` and `app.X` (a local or parameter holding the app) in a module."""
    used = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Attribute):
            continue
        v = node.value
        if (isinstance(v, ast.Attribute) and v.attr == "app" and isinstance(v.value, ast.Name)
                and v.value.id == "self") or (isinstance(v, ast.Name) and v.id == "app"):
            used.add(node.attr)
    return used


@pytest.mark.parametrize("module", sorted(SCREENS))
def test_screens_use_only_the_host_protocol(module: str) -> None:
    assert app_uses(TUI / module) - members(SCREENS[module]) == set()


def test_the_check_sees_a_screen_reaching_past_the_protocol(tmp_path: Path) -> None:
    screen = tmp_path / "screen.py"
    screen.write_text("class S:\n    def f(self):\n        self.app.store.get('x')\n        app = self.app\n"
                      "        app._declined.clear()\n", encoding="utf-8")
    assert app_uses(screen) - members(TraineeHost) == {"_declined"}


def test_the_trainee_app_is_a_trainee_host(make) -> None:
    assert isinstance(make(), TraineeHost)


def test_the_contest_app_is_a_contest_host(tmp_path: Path, library, contest_key) -> None:
    contest = load(write_contest(tmp_path / "contest"), library)
    app = contest_app(contest, library, tmp_path / "home", FakeClock())
    assert isinstance(app, ContestHost)
    # A report printed in a contest says which contest, round, township and contestant it belongs to.
    fields = dict(app.report_context())
    assert fields["比武"] == contest.name and fields["轮次"] == app.round.title
    assert fields["乡镇"] == app.contestant.township and app.contestant.id in fields["参赛人员"]
