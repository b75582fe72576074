"""The trainer screen: validation results with jump to file and line, reload on change (a workbench keeps
the trainee's acts), weak-spot statistics, the state graph view; and `lawdrill trainer` without a terminal."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from textual.notifications import Notify
from tui_helpers import FIXTURE_CASE, FROZEN_WALL, auxiliary_trap, keys, screen_text

from sim.selftest import play
from sim.store import Store
from tui.widgets.dialogs import NameDialog
from tui.trainee.graph import GraphScreen
from tui.trainer.screen import FileViewer, TrainerScreen, editor_command
from tui.trainee.workbench import WorkbenchScreen

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = "# A case with a mistake: it has no discovery time.\nid: broken-case\ntitle: 坏案例\n" \
         "procedure: ui-fixture-penalty\n"


@pytest.fixture
def lib(tmp_path):
    """A trainer's own library: a copy of the fixture library they can edit."""
    root = tmp_path / "lib"
    shutil.copytree(FIXTURES, root)
    return root


@pytest.fixture(autouse=True)
def no_editor(monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)


def trainer_app(lib, home, **kw):
    from tui.app import make_app

    kw.setdefault("trainer", True)
    return make_app([lib], home=home, trainee="王小明", clock=lambda: FROZEN_WALL, **kw)


async def settle(pilot, done, what: str) -> None:
    """Let workers finish and messages be handled until `done()` holds. Bounded, so a hang still fails;
    a condition, not a fixed number of rounds, since a worker may only start after the next refresh."""
    from textual.worker import WorkerCancelled

    for _ in range(100):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive check replaced by a newer one (a second change came in)
            pass
        await pilot.pause()
        if done():
            return
    raise AssertionError(f"timed out waiting for {what}")


def checks(app) -> int:
    """Checks the trainer screen has shown (0 when it is not open)."""
    return next((s.checks_done for s in app.screen_stack if isinstance(s, TrainerScreen)), 0)


async def loaded(pilot) -> None:
    await settle(pilot, lambda: pilot.app.store is not None, "the library")


async def checked(pilot, n: int = 1, reloads: int = 0) -> None:
    app = pilot.app
    await settle(pilot, lambda: app.reload_count >= reloads and checks(app) >= n, f"check {n}, reload {reloads}")


def edit(path: Path, old: str, new: str) -> None:
    """Change a file on disk the way an editor does, and make sure its mtime moves."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def check_rows(screen: TrainerScreen) -> list[tuple[str, ...]]:
    table = screen.query_one("#checks")
    return [tuple(c.plain if hasattr(c, "plain") else str(c) for c in table.get_row_at(i))
            for i in range(table.row_count)] if table.display else []


def editor_args(file, line, **env):
    return editor_command(file, line, env)


def test_editor_command_conventions():
    assert editor_args("a.yaml", 12, EDITOR="vim") == ["vim", "+12", "a.yaml"]
    assert editor_args("a.yaml", 12, VISUAL="emacs -nw", EDITOR="nano") == ["emacs", "-nw", "+12", "a.yaml"]
    assert editor_args("a.yaml", 12, EDITOR="/usr/bin/code --wait") == [
        "/usr/bin/code", "--wait", "-g", "a.yaml:12"]
    assert editor_args("a.yaml", 0, EDITOR="nano") == ["nano", "a.yaml"]
    assert editor_args("a.yaml", 3) is None


async def test_broken_file_shows_file_line_and_enter_opens_the_viewer_there(lib, home):
    (lib / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    app = trainer_app(lib, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await checked(pilot)
        screen = app.screen
        assert isinstance(screen, TrainerScreen)
        [row] = [r for r in screen.report.rows if r.code == "load"]
        assert Path(row.file).name == "broken.yaml" and row.line == 2
        [shown] = check_rows(screen)
        assert shown[0] == "错误" and shown[2] == "broken.yaml:2" and "discovered" in shown[3]
        assert "加载错误 1 处" in screen_text(app)
        await keys(pilot, "enter")
        viewer = app.screen
        assert isinstance(viewer, FileViewer)
        assert viewer.selected_line == 2
        text = screen_text(app)
        assert "broken.yaml:2" in text and "id: broken-case" in text
        await keys(pilot, "escape")
        assert app.screen is screen


async def test_an_editor_that_cannot_take_the_terminal_falls_back_to_the_viewer(lib, home, monkeypatch):
    """Under a driver with no terminal to hand over (here: the test's), Enter still shows the line."""
    monkeypatch.setenv("EDITOR", "vi")
    (lib / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    app = trainer_app(lib, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await checked(pilot)
        await keys(pilot, "enter")
        assert isinstance(app.screen, FileViewer) and app.screen.selected_line == 2


async def test_a_changed_file_reloads_and_the_check_follows(lib, home):
    messages: list = []
    app = trainer_app(lib, home)
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await checked(pilot)
        screen = app.screen
        assert check_rows(screen) == [] and "没有发现问题" in screen_text(app)
        assert screen.check_files() is False  # nothing changed yet
        edit(lib / "case.yaml", "title: 麦收期间露天焚烧秸秆", "title: 麦收期间露天焚烧秸秆（修订）")
        assert screen.check_files() is True
        await checked(pilot, 2, 1)
        assert app.library.scenarios[FIXTURE_CASE].title == "麦收期间露天焚烧秸秆（修订）"
        assert "自动重新加载：已 1 次" in screen_text(app).replace("\n", "")
        # Now break it: the error appears with its place, and the last good version keeps running.
        edit(lib / "case.yaml", "discovered: 2026-06-03T10:20", "discovered: 2026-13-45T10:20")
        assert screen.check_files() is True
        await checked(pilot, 3, 2)
        rows = check_rows(screen)
        assert [r[2] for r in rows] == ["case.yaml:9"] and rows[0][0] == "错误"
        assert app.library.scenarios[FIXTURE_CASE].title == "麦收期间露天焚烧秸秆（修订）"
        notes = [m.notification.message for m in messages if isinstance(m, Notify)]
        assert any("新版本有错误，继续使用原来的版本" in n for n in notes)
        cases = screen.query_one("#cases-graph")
        assert str(cases.get_row_at(0)[3]) == "旧版本（文件有错）"


async def test_the_watch_thread_reloads_while_the_screen_stays_responsive(lib, home):
    """The files are looked at in the watch thread, not on the event loop: while a look is stuck (a slow
    network drive), the trainer still switches tabs; once it returns, the change reloads on its own (no
    explicit poll) and the check follows."""
    app = trainer_app(lib, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await checked(pilot)
        watch = app.library_watcher
        assert watch is not None and watch.alive
        entered, release = threading.Event(), threading.Event()
        look = watch.watcher.snapshot

        def stuck() -> dict:
            entered.set()
            assert release.wait(30), "the test never released the look"
            return look()

        watch.watcher.snapshot = stuck  # type: ignore[method-assign]
        edit(lib / "case.yaml", "title: 麦收期间露天焚烧秸秆", "title: 麦收期间露天焚烧秸秆（修订）")
        watch.wake()
        assert entered.wait(30)  # the watch thread is now inside its look at the files
        tabs = app.screen.query_one("#trainer-tabs")
        await keys(pilot, "3")
        assert tabs.active == "tab-cases"  # handled while the look is still stuck
        await keys(pilot, "1")
        assert tabs.active == "tab-checks" and app.reload_count == 0
        release.set()
        await settle(pilot, lambda: app.reload_count >= 1 and checks(app) >= 2, "the watch thread's reload")
        assert app.library.scenarios[FIXTURE_CASE].title == "麦收期间露天焚烧秸秆（修订）"
        assert "自动重新加载：已 1 次" in screen_text(app).replace("\n", "")
    assert watch.stopped  # stopped with the app


async def test_the_workbench_keeps_the_trainees_acts_after_a_reload(lib, home):
    messages: list = []
    app = trainer_app(lib, home, trainer=False)
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await loaded(pilot)
        sc = app.library.scenarios[FIXTURE_CASE]
        await keys(pilot, "enter")
        await keys(pilot, "enter")
        bench = app.screen
        assert isinstance(bench, WorkbenchScreen)
        for step in sc.references[0].steps[:3]:  # inspect, file_case, notify (the form has its own tests)
            assert bench.perform(step.do, step.at, dict(step.params)).ok
        old_attempt, old_journal = bench.attempt_id, bench.session.journal.path
        app.watch_library()
        edit(lib / "case.yaml", "过火面积约3亩", "过火面积约4亩")
        assert app.check_library_files()
        await settle(pilot, lambda: app.reload_count >= 1, "the reload")
        assert app.screen is bench and bench.attempt_id != old_attempt
        assert [a.name for a in bench.session.acts] == ["inspect", "file_case", "notify"]
        assert bench.session.state == "notified"
        assert bench.session.scenario is app.library.scenarios[FIXTURE_CASE]
        assert old_journal.exists()  # the old attempt's journal is kept
        store = Store(home)
        assert store.get_attempt(old_attempt).status == "abandoned"
        assert store.get_attempt(bench.attempt_id).status == "open"
        store.close()
        notes = [m.notification.message for m in messages if isinstance(m, Notify)]
        assert any("已按新版本重新办理 3 个执法动作" in n and "案情" in n for n in notes)
        # The template changes so that a case can no longer be notified once filed: the trainer is told
        # which act the new version refuses; the others are kept.
        edit(lib / "procedure.yaml", "    from: [filed]\n    to: notified",
             "    from: [discovered]\n    to: notified")
        assert app.check_library_files()
        await settle(pilot, lambda: app.reload_count >= 2, "the reload")
        assert [a.name for a in bench.session.acts] == ["inspect", "file_case"]
        notes = [m.notification.message for m in messages if isinstance(m, Notify)]
        assert any("在新版本中被拒绝" in n and "「事先告知」" in n for n in notes)
        # The trainee goes on acting on the new version.
        await keys(pilot, "g")
        assert isinstance(app.screen, GraphScreen) and "▶ ◆" not in screen_text(app)
        assert "← 当前所处状态" in screen_text(app)


async def test_an_open_briefing_shows_the_new_version(lib, home):
    app = trainer_app(lib, home, trainer=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await keys(pilot, "enter")
        app.watch_library()
        edit(lib / "case.yaml", "过火面积约3亩", "过火面积约5亩")
        assert app.check_library_files()
        await settle(pilot, lambda: "面积约5亩" in screen_text(app),
                     "the briefing to show the new version")
        text = screen_text(app)
        assert "面积约5亩" in text and "面积约3亩" not in text
        assert "本案有一次未完成的演练" not in text and not app.screen.query_one("#brief-start").can_focus


async def test_weak_spots_show_counts_from_the_store(lib, home, fixture_library):
    sc = fixture_library.scenarios[FIXTURE_CASE]
    trap = auxiliary_trap(sc)
    store = Store(home)
    for i, (test, town) in enumerate([(trap, "城关镇"), (sc.references[0], "城关镇"), (trap, "河口乡")]):
        session, _ = play(sc, test)
        store.start(f"a{i}", trainee="王小明", scenario=sc.id, title=sc.title, content_hash=sc.content_hash,
                    mode="exam", seed=0, journal=home / f"a{i}.jsonl", started=float(i), township=town)
        store.finish(f"a{i}", session.result, float(i) + 1)
    store.close()
    app = trainer_app(lib, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await checked(pilot)
        await keys(pilot, "2")
        table = app.screen.query_one("#stats")
        rows = [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert sorted(r[1] for r in rows) == sorted(trap.expect_findings)
        assert all(r[4:] == ["2", "67%"] for r in rows)
        assert "已完成的演练 3 次" in screen_text(app)
        await keys(pilot, "b", "b")  # 全部 -> 按案例 -> 按乡镇
        rows = [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)]
        n = len(trap.expect_findings)
        assert [r[0] for r in rows] == ["城关镇（2 次）"] + [""] * (n - 1) + ["河口乡（1 次）"] + [""] * (n - 1)
        assert [r[4:] for r in rows] == [["1", "50%"]] * n + [["1", "100%"]] * n
        assert "依据：《" in screen_text(app)  # the highlighted rule's citations in full


async def test_library_key_opens_trainer_and_briefing_key_opens_the_graph(lib, home):
    app = trainer_app(lib, home, trainer=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await keys(pilot, "v")
        assert isinstance(app.screen, TrainerScreen)
        await checked(pilot)
        await keys(pilot, "3")
        await keys(pilot, "enter")
        assert isinstance(app.screen, GraphScreen)
        assert "★1 现场检查（勘验）" in screen_text(app)  # the reference path is shown to a trainer
        await keys(pilot, "escape")
        await keys(pilot, "escape")
        await keys(pilot, "enter")
        await keys(pilot, "g")
        assert isinstance(app.screen, GraphScreen)
        await keys(pilot, "escape")
        await keys(pilot, "m", "g")  # exam mode: no map
        assert not isinstance(app.screen, GraphScreen)


async def test_first_run_asks_the_township_with_the_name(lib, home):
    from tui.app import make_app

    app = make_app([lib], home=home, clock=lambda: FROZEN_WALL)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, NameDialog), "the name dialog")
        await keys(pilot, *"李华", "tab", *"城关镇", "enter")
        assert (app.trainee, app.township) == ("李华", "城关镇")
        assert "学员：李华（城关镇）" in screen_text(app)
        await keys(pilot, "enter")
        await keys(pilot, "enter")
        attempt = app.screen.attempt_id
    store = Store(home)
    assert store.get("township") == "城关镇" and store.get_attempt(attempt).township == "城关镇"
    store.close()


def test_the_check_is_the_deep_check_of_lawdrill_check(fixture_library):
    """The trainer screen runs the same deep check as `lawdrill check`: the mutation figures agree with
    sim.deepcheck case by case, and --fast skips the mutants."""
    from sim.deepcheck import check_case
    from tui.trainer.screen import check_library

    report = check_library(fixture_library)
    assert report.engine == "deepcheck" and report.cases == (FIXTURE_CASE,)
    assert [r for r in report.rows if r.level == "error"] == []
    cc = check_case(fixture_library, fixture_library.scenarios[FIXTURE_CASE])
    needed = cc.mutation.total - cc.mutation.lawful
    assert needed > 0 and report.mutants == (needed, cc.mutation.killed, len(cc.mutation.survivors))
    assert check_library(fixture_library, fast=True).mutants == (0, 0, 0)


def test_graph_text_wraps_between_acts_within_the_width(library):
    """At 100 columns (96 inside the view) no line overflows and no rule mark or act starts a line bare."""
    from rich.cells import cell_len

    from sim.graph import case_graph
    from tui.trainee.graph import LOOP_INDENT, graph_text

    for sc in library.scenarios.values():
        lines = graph_text(case_graph(sc), width=96).plain.splitlines()
        assert all(cell_len(line) <= 96 for line in lines), sc.id
        assert not [line for line in lines if line and not line.startswith((" ", "─"))], sc.id
        assert all(line.endswith("、") for line, nxt in zip(lines, lines[1:])
                   if nxt.startswith(LOOP_INDENT) and not nxt.startswith(LOOP_INDENT + " "))


async def test_no_trainer_tools_in_exam_mode(lib, home):
    """The trainer's graphs show the reference paths: in exam mode neither the key nor the palette opens them."""
    app = trainer_app(lib, home, trainer=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await keys(pilot, "m")
        assert app.mode == "exam"
        await keys(pilot, "v")
        assert not isinstance(app.screen, TrainerScreen)
        app.screen.action_trainer()
        await pilot.pause()
        assert not isinstance(app.screen, TrainerScreen)
        await keys(pilot, "m", "v")  # back in practice mode: open to the trainer again
        assert isinstance(app.screen, TrainerScreen)
