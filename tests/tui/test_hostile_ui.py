"""Hostile input in the UI (issue 12): a journal that cannot be resumed gets a dialog instead of a traceback and
loses no progress; hostile case ids never make the app write outside its data folder; the trainer screen
reports hostile files and never reads a FIFO or a device."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from textual.notifications import Notify
from tui_helpers import FROZEN_WALL, keys, screen_text

from sim import Session
from sim.store import Store
from tui.trainer.screen import TrainerScreen
from tui.widgets.dialogs import DamagedJournalDialog, ResumeDialog


def _seed_abc(lines):
    return [{**lines[0], "seed": "abc"}, *lines[1:]]


def _wall_soon(lines):
    return [lines[0], {**lines[1], "wall": "soon"}, *lines[2:]]


def _params_5(lines):
    return [lines[0], {**lines[1], "params": 5}, *lines[2:]]


def _foreign(lines):  # another case's journal under this attempt
    return [{**lines[0], "scenario": "other-case-01"}, *lines[1:]]


def _deep(lines):  # nesting far deeper than any journal the program writes
    value: object = 1
    for _ in range(200):
        value = [value]
    return [*lines, {"t": "act", "wall": 1, "params": value}]


DAMAGE = {"seed abc": _seed_abc, "wall soon": _wall_soon, "params 5": _params_5, "foreign": _foreign,
          "deep nesting": _deep}


def toasts(messages: list) -> str:
    """Every notification the app raised (title and message), one a line."""
    return "\n".join(f"{m.notification.title}：{m.notification.message}" for m in messages
                     if isinstance(m, Notify))


def open_attempt(home: Path, scenario, lines_of=lambda lines: lines, *, hash_: str | None = None):
    """An unfinished attempt with one act, its journal rewritten by `lines_of`, recorded in the store."""
    store = Store(home)
    attempt_id, path = store.new_journal_path(scenario.id)
    s = Session(scenario, journal=path, trainee="王小明", wall_clock=lambda: FROZEN_WALL)
    step = scenario.references[0].steps[0]
    assert s.act(step.do, step.at, **step.params).ok
    s.close()
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("".join(json.dumps(e) + "\n" for e in lines_of(lines)), encoding="utf-8")
    store.start(attempt_id, trainee="王小明", scenario=scenario.id, title=scenario.title,
                content_hash=hash_ or scenario.content_hash, mode="exam", seed=0, journal=path,
                started=FROZEN_WALL)
    store.close()
    return attempt_id, path, step


@pytest.mark.parametrize("damage", list(DAMAGE))
async def test_a_damaged_or_foreign_journal_gets_a_dialog_and_can_be_kept_aside(make, home, scenario, damage):
    attempt_id, path, _ = open_attempt(home, scenario, DAMAGE[damage])
    original = path.read_bytes()
    app = make()
    messages: list = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeDialog)
        await keys(pilot, "c")
        assert isinstance(app.screen, DamagedJournalDialog), screen_text(app)
        text = screen_text(app)
        assert "办案记录已损坏或不属于本案例" in text and "内部错误" not in text
        assert ("other-case-01" in text) if damage == "foreign" else ("格式" in text or "嵌套" in text), text
        await keys(pilot, "k")
        assert not isinstance(app.screen, (DamagedJournalDialog, ResumeDialog))
        assert "办案记录已另存到" in toasts(messages)
        assert attempt_id not in [a.id for a in app.store.open_attempts("王小明")]
    kept = home / "damaged" / path.name
    assert kept.read_bytes() == original and not path.exists()  # moved inside the data folder, byte for byte


@pytest.mark.parametrize("choice", ["d", "escape"])
async def test_discarding_or_postponing_a_damaged_journal_deletes_nothing(make, home, scenario, choice):
    attempt_id, path, _ = open_attempt(home, scenario, _seed_abc)
    original = path.read_bytes()
    app = make()
    messages: list = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await pilot.pause()
        await keys(pilot, "c")
        assert isinstance(app.screen, DamagedJournalDialog)
        await keys(pilot, choice)
        assert not isinstance(app.screen, (DamagedJournalDialog, ResumeDialog)), screen_text(app)
        still_open = attempt_id in [a.id for a in app.store.open_attempts("王小明")]
    assert still_open == (choice == "escape")
    assert path.read_bytes() == original and not (home / "damaged").exists()


async def test_an_unreadable_damaged_folder_keeps_the_attempt_open(make, home, scenario):
    """另存 fails (a file where the damaged folder should be): a message, and the attempt stays as it was."""
    attempt_id, path, _ = open_attempt(home, scenario, _wall_soon)
    (home / "damaged").write_text("not a folder", encoding="utf-8")
    app = make()
    messages: list = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await pilot.pause()
        await keys(pilot, "c", "k")
        assert "无法另存办案记录" in toasts(messages)
        assert attempt_id in [a.id for a in app.store.open_attempts("王小明")]
    assert path.exists()


async def test_a_journal_of_an_earlier_version_of_the_case_is_carried_over(make, home, scenario):
    """The case was edited after the attempt began: 继续 re-applies the trainee's acts on the new version
    instead of refusing the journal; the old journal stays on disk."""
    attempt_id, path, step = open_attempt(home, scenario, lambda lines: [{**lines[0], "hash": "0" * 64},
                                                                         *lines[1:]], hash_="0" * 64)
    app = make()
    messages: list = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await pilot.pause()
        await keys(pilot, "c")
        text = toasts(messages)
        assert "已按新版本重新办理 1 个执法动作" in text, text
        session = app.screen.session
        assert [a.name for a in session.acts] == [step.do]
        open_ids = [a.id for a in app.store.open_attempts("王小明")]
        assert attempt_id not in open_ids and len(open_ids) == 1
    assert path.exists()


def _outside(tmp_path: Path, home: Path) -> list[Path]:
    """Files written under tmp_path but outside the data folder and the case files."""
    return [p for p in tmp_path.rglob("*") if p.is_file() and home not in p.parents and p.suffix != ".yaml"]


@pytest.mark.parametrize("case_id", ["x/../../../../outside", "a" * 300])
async def test_a_case_file_with_a_hostile_id_is_refused_and_nothing_is_written_outside(
        make, home, tmp_path, scenario, case_id):
    """`lawdrill play FILE` on a case whose id would climb out of the journal folder or is too long to be a
    file name: a message naming the file and line, the library stays usable, no journal anywhere."""
    case = Path(scenario.path)  # a bundled case, loaded with the bundled templates as `play FILE` does
    text = case.read_text(encoding="utf-8").replace(f"\nid: {scenario.id}\n", f"\nid: {json.dumps(case_id)}\n", 1)
    assert case_id in text
    (tmp_path / "lib").mkdir()
    hostile = tmp_path / "lib" / "hostile.yaml"
    hostile.write_text(text, encoding="utf-8")
    app = make(library=[str(hostile.parent)], case=str(hostile))
    messages: list = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = toasts(messages)
        assert "hostile.yaml:" in said and "编号" in said, said
        assert app.is_running and not app.store.open_attempts("王小明")
    assert not _outside(tmp_path, home)
    assert not list((home / "journals").iterdir())


async def test_the_trainer_screen_lists_hostile_files_and_never_reads_a_fifo(home, tmp_path, monkeypatch):
    from tui.app import make_app

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    lib = tmp_path / "lib"
    lib.mkdir()
    src = Path(__file__).parent / "fixtures"
    for p in src.rglob("*.yaml"):
        (lib / p.relative_to(src)).parent.mkdir(parents=True, exist_ok=True)
        (lib / p.relative_to(src)).write_bytes(p.read_bytes())
    (lib / "tag.yaml").write_text("id: !!bool maybe\ntitle: 坏\n", encoding="utf-8")
    (lib / "escape\x1b[2J.yaml").write_text("id: esc-case\ntitle: 坏\n", encoding="utf-8")
    (lib / os.fsdecode(b"\xb0\xb8.yaml")).write_text("id: !!int many\n", encoding="utf-8")  # a GBK name
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    app = make_app([lib, pipe], home=home, trainee="王小明", clock=lambda: FROZEN_WALL, trainer=True)
    messages: list = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        for _ in range(100):
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = next((s for s in app.screen_stack if isinstance(s, TrainerScreen)), None)
            if screen is not None and screen.checks_done:
                break
        assert isinstance(app.screen, TrainerScreen)
        rows = {Path(r.file).name: r for r in app.screen.report.rows if r.code == "load"}
        assert {"tag.yaml", "pipe.yaml", "escape\x1b[2J.yaml"} <= set(rows), rows
        assert "不是普通文件" in rows["pipe.yaml"].message
        text = screen_text(app)
        assert "\x1b[2J" not in text and "内部错误" not in text
        assert "escape\\x1b[2J.yaml" in text and "\\xb0\\xb8.yaml" in text, text
        assert "\\xb0\\xb8.yaml" in toasts(messages)  # the start-up toast names it the same way
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text + toasts(messages))
        before = len(messages)
        app.screen.open_location(str(pipe), 1)  # what Enter on its row does
        await pilot.pause()
        assert f"无法打开：不是普通文件：{pipe}" in toasts(messages[before:]).splitlines()
        assert isinstance(app.screen, TrainerScreen)


async def test_terminal_escapes_in_a_title_are_shown_escaped_on_screen(make, tmp_path, scenario):
    """A title with a clear-screen escape and a right-to-left override: the library shows them as text."""
    text = Path(scenario.path).read_text(encoding="utf-8")
    old = f"title: {scenario.title}\n"
    assert old in text
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "esc.yaml").write_text(text.replace(old, 'title: "\\e[2J焚烧\\u202e秸秆"\n', 1),
                                               encoding="utf-8")
    app = make(library=[str(tmp_path / "lib")])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = screen_text(app)
        assert "\\x1b[2J焚烧\\u202e秸秆" in shown, shown
        assert "\x1b[2J" not in shown and "\u202e" not in shown
