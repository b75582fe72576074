"""The trainee's terminal app: library → briefing → workbench → debrief, plus history.

`make_app(...)` builds a deterministic app for tests (a store home, a frozen wall clock, a seed, a library
already loaded); `run_ui(...)` is what the command line calls.

Start-up: the first screen (the case library) is painted before the engine is imported — importing `sim`
and parsing the scenario files costs about as much again as importing Textual — then a thread loads them and
the table fills in. Screens other than the library are imported when first opened.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker

from .widgets.dialogs import AppCommands
from .host import WallClock
from .trainee.library import LibraryScreen

if TYPE_CHECKING:
    from sim.loader import Library
    from sim.model import Scenario
    from sim.session import Session
    from sim.store import Attempt, Store

    from .trainer.reload import LibraryWatcher, Rebuilt, WatchThread

class LawdrillApp(AppCommands, App[None]):
    """执法演练."""

    TITLE = "执法演练"
    # The library is the default screen, which Textual installs without loading its own CSS_PATH: load it here.
    CSS_PATH = [Path(__file__).with_name("app.tcss"), Path(__file__).parent / "trainee" / "library.tcss"]
    BINDINGS = [
        Binding(
            "ctrl+q",
            "quit",
            "退出",
            tooltip="退出执法演练（进度已自动保存）",
            show=False,
            priority=True,
            id="quit",
        ),
        Binding("f1,question_mark", "help", "帮助", key_display="F1", id="help"),
        Binding("ctrl+p", "command_palette", "命令", show=False, priority=True, id="command-palette"),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        library: Library | None = None,
        *,
        library_paths: Sequence[str | Path] | None = None,
        home: str | Path | None = None,
        case: str | None = None,
        mode: str = "practice",
        trainee: str | None = None,
        clock: WallClock | None = None,
        seed: int = 0,
        trainer: bool = False,
    ) -> None:
        super().__init__()
        if mode not in ("practice", "exam"):
            raise ValueError(f"未知的演练模式：{mode}")
        self.library: Library | None = library
        self.library_paths = list(library_paths) if library_paths else None
        self.home = home
        self.case = case
        self.mode = mode
        self.trainee = trainee or ""
        self.clock: WallClock = clock or time.time
        self.seed = seed
        self.store: Store | None = None
        self.township = ""  # the trainee's township (乡镇), kept with the name and on every attempt
        self.start_trainer = trainer  # open on the trainer screen (`lawdrill trainer`)
        self._declined: set[str] = set()  # open attempts the trainee chose to leave for later
        self._watcher: LibraryWatcher | None = None  # reload on change, once the trainer screen has opened
        self._watch_thread: WatchThread | None = None  # polls the watcher off the event loop
        self.reload_count = 0  # library reloads applied (the trainer screen shows it; tests wait on it)

    # --- start-up --------------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return LibraryScreen()

    def begin(self) -> None:
        """Called by the library screen once it is on screen: load the engine and the cases."""
        if self.library is not None:
            self._loaded(self.library)
        else:
            self.call_after_refresh(self._load_library)

    @work(thread=True, exclusive=True, group="library", exit_on_error=True)
    def _load_library(self) -> None:
        from sim import load_library

        lib = load_library(self.library_paths)
        if self.case and self.case not in lib.scenarios and Path(self.case).is_file():
            try:
                lib.scenario(self.case)
            except KeyError:  # a case file outside the library: load it (with the bundled templates) alone
                lib = load_library([self.case])
        self.call_from_thread(self._loaded, lib)

    def _loaded(self, lib: Library) -> None:
        from sim.store import Store

        self.library = lib
        try:
            self.store = Store(self.home)
        except (OSError, sqlite3.Error) as exc:
            self.exit(return_code=2, message=f"无法打开数据目录 {self.home or ''}：{exc}")
            return
        if not self.trainee:
            self.trainee = self.store.get("trainee")
        self.township = self.store.get("township")
        self.library_screen.show_library()
        if lib.errors:  # a broken file is left out; the rest of the library works
            from sim.bounds import shown  # a file name's undecodable bytes and control characters as escapes

            first = "\n".join(shown(str(e)) for e in lib.errors[:3])
            more = f"\n……共 {len(lib.errors)} 处" if len(lib.errors) > 3 else ""
            self.notify(
                first + more, title="部分案例文件有错误，已跳过", severity="warning", timeout=10, markup=False
            )
        if self.start_trainer:
            self.open_trainer()
        if not self.trainee:
            self.ask_name(self._offer_resume)
        elif not self.start_trainer:
            self._offer_resume()

    @property
    def library_screen(self) -> LibraryScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, LibraryScreen)
        return screen

    def ask_name(self, then: Callable[[], None] | None = None) -> None:
        from .widgets.dialogs import NameDialog

        def got(answer: tuple[str, str] | None) -> None:
            if answer:
                self.trainee, self.township = answer
                assert self.store is not None
                self.store.set("trainee", self.trainee)
                self.store.set("township", self.township)
                self.library_screen.show_library()
            if then is not None:
                then()

        self.push_screen(NameDialog(self.trainee, self.township, required=not self.trainee), got)

    def _offer_resume(self) -> None:
        from .widgets.dialogs import ResumeDialog

        assert self.store is not None and self.library is not None
        waiting = [a for a in self.store.open_attempts(self.trainee) if a.id not in self._declined]
        if not waiting:
            self._open_case_argument()
            return
        attempt = waiting[0]
        sc = self.library.scenarios.get(attempt.scenario)

        def answer(choice: str | None) -> None:
            assert self.store is not None
            if choice == "resume" and self.resume_attempt(attempt):
                return
            if choice == "abandon":
                self.store.abandon(attempt.id)
                self.library_screen.show_library()
                self._offer_resume()
                return
            self._declined.update(a.id for a in waiting)
            self._open_case_argument()

        self.push_screen(ResumeDialog(attempt, sc.title if sc else attempt.title, len(waiting)), answer)

    def _open_case_argument(self) -> None:
        if not self.case:
            return
        case, self.case = self.case, None
        assert self.library is not None
        try:
            sc = self.library.scenario(case)
        except KeyError:
            self.notify(f"案例库中没有「{case}」", title="找不到案例", severity="error", markup=False)
            return
        self.open_briefing(sc)

    # --- navigation -------------------------------------------------------------------------------------

    def open_briefing(self, scenario: Scenario) -> None:
        from .trainee.briefing import BriefingScreen

        self.push_screen(BriefingScreen(scenario))

    def open_history(self) -> None:
        from .trainee.history import HistoryScreen

        self.push_screen(HistoryScreen())

    def open_quiz(self) -> None:
        from sim.weakspots import drill_paper

        from .trainee.quiz import QuizScreen

        if self.library is None or self.store is None:
            return
        paper, spots = drill_paper(self.store, self.library, int(self.clock()), 10, trainee=self.trainee)
        if not paper.items:
            self.notify("题库中没有题目。", severity="warning", markup=False)
            return
        aimed = ("针对薄弱条文：" + "、".join(w.label for w in spots[:3])) if spots else "随机抽题"
        self.push_screen(QuizScreen(paper, "执法演练 · 法律知识练习", aimed))

    def open_analysis(self, scenario: Scenario) -> None:
        from .trainee.analysis import AnalysisScreen

        self.push_screen(AnalysisScreen(scenario))

    def open_trainer(self) -> None:
        """The trainer screen; from then on the library's files are watched and reloaded when they change."""
        from .trainer.screen import TrainerScreen

        self.watch_library()
        self.push_screen(TrainerScreen())

    def open_graph(self, scenario: Scenario, *, current: str | None = None, path: int | None = None) -> None:
        from .trainee.graph import GraphScreen

        self.push_screen(GraphScreen(scenario, current=current, path=path))

    # --- reload on change ----------------------------------------------------------------------------------

    def watch_library(self) -> None:
        """Poll the library's files once a second (mtimes: no extra dependency, works on every platform), in a
        thread of its own (trainer.reload.WatchThread): the stat calls never hold up the event loop."""
        from .trainer.reload import LibraryWatcher, WatchThread

        if self._watcher is None:
            self._watcher = LibraryWatcher(self.library_paths)
            self._watch_thread = WatchThread(self._watcher, self._files_changed)
            self._watch_thread.start()

    @property
    def library_watcher(self) -> WatchThread | None:
        """The thread watching the library's files (None until the trainer screen has opened)."""
        return self._watch_thread

    def _files_changed(self, changed: list[str]) -> None:
        """From the watch thread: start the reload on the UI thread."""
        self.call_from_thread(self._start_reload, changed)

    def _start_reload(self, changed: list[str]) -> None:
        if self.library is not None:
            self._reload_library(changed)

    def check_library_files(self) -> bool:
        """Look at the library's files now; True if a reload started, or is under way for a change the watch
        thread saw first."""
        if self._watch_thread is None or self.library is None:
            return False
        changed = self._watch_thread.poll_now()
        if not changed:
            return self._watch_thread.pending
        self._watch_thread.pending = True
        self._reload_library(changed)
        return True

    @work(thread=True, exclusive=True, group="reload")
    def _reload_library(self, changed: list[str]) -> None:
        from sim import load_library

        try:
            lib = load_library(self.library_paths)
        except Exception as exc:  # noqa: BLE001 - the loader reports file errors; anything else: keep the old
            if self._watch_thread is not None:
                self._watch_thread.pending = False
            self.call_from_thread(
                self.notify, f"重新加载失败（{type(exc).__name__}：{exc}），继续使用原来的案例库。",
                title="案例库未更新", severity="error", timeout=10, markup=False)
            return
        if not get_current_worker().is_cancelled:  # a newer reload (another save) supersedes this one
            self.call_from_thread(self._reloaded, lib, changed)

    def _reloaded(self, lib: Library, changed: list[str]) -> None:
        from .trainer.reload import case_changes, merge_libraries

        old = self.library
        assert old is not None
        if self._watch_thread is not None:
            self._watch_thread.pending = False
        merge = merge_libraries(old, lib)
        self.library = merge.library
        self.reload_count += 1
        names = "、".join(Path(f).name for f in changed[:3]) + ("等" if len(changed) > 3 else "")
        lines = [f"已重新加载案例库（{names} 有修改）。"]
        if merge.changed:
            lines.append("内容有变化的案例：" + "、".join(lib.scenarios[c].title for c in merge.changed))
        if merge.added:
            lines.append("新增案例：" + "、".join(lib.scenarios[c].title for c in merge.added))
        if merge.removed:
            lines.append("已移除案例：" + "、".join(old.scenarios[c].title for c in merge.removed))
        if merge.kept_old:
            lines.append("以下案例的新版本有错误，继续使用原来的版本："
                         + "、".join(old.scenarios[c].title for c in merge.kept_old))
        severity = "warning" if lib.errors else "information"
        if lib.errors:
            lines.append(f"案例库中有 {len(lib.errors)} 处错误（教员界面中列出）。")
        self.notify("\n".join(lines), title="案例库已更新", severity=severity, timeout=10, markup=False)
        self._carry_over(old, merge.library, case_changes)
        if self.store is not None:
            self.library_screen.show_library()
        for screen in self.screen_stack:
            library_changed = getattr(screen, "library_changed", None)
            if callable(library_changed):
                library_changed()

    def _carry_over(self, old: Library, new: Library, case_changes: Callable[..., list[str]]) -> None:
        """Open screens follow the new version of their case: a briefing shows it, a workbench's session is
        rebuilt on it with the trainee's acts re-applied (new attempt; the old journal is kept)."""
        from .trainee.briefing import BriefingScreen
        from .trainee.workbench import WorkbenchScreen

        for screen in list(self.screen_stack):
            if isinstance(screen, BriefingScreen):
                fresh = new.scenarios.get(screen.scenario.id)
                if fresh is not None and fresh is not screen.scenario:
                    screen.call_next(screen.show_scenario, fresh)
            if not isinstance(screen, WorkbenchScreen) or screen.session.closed or self.store is None:
                continue
            session = screen.session
            sc_old = session.scenario
            fresh = new.scenarios.get(sc_old.id)
            if fresh is None:
                self.notify(f"案例「{sc_old.title}」已从案例库中移除，当前演练按原来的版本继续。",
                            title="案例已移除", severity="warning", timeout=10, markup=False)
                continue
            if fresh is sc_old or fresh.content_hash == sc_old.content_hash or session.journal is None:
                continue
            rebuilt = self._rebuild_attempt(session.journal.path, screen.attempt_id, fresh,
                                            case_changes(sc_old, fresh), keeps="当前演练按原来的版本继续")
            if rebuilt is not None:
                session.close()
                screen.replace_session(rebuilt.session, rebuilt.attempt_id)

    def _rebuild_attempt(self, journal: str | Path, attempt_id: str, fresh: Scenario, changes: list[str], *,
                         keeps: str) -> Rebuilt | None:
        """Carry an attempt over to the new version of its case: a new attempt with the acts of `journal`
        re-applied, recorded in the store; the old one is kept there and on disk, no longer offered. None
        (and a message saying what happens instead: `keeps`) if the acts cannot be carried over."""
        from .trainer.reload import rebuild_session

        assert self.store is not None
        try:
            rebuilt = rebuild_session(journal, fresh, self.store, wall_clock=self.clock)
        except Exception as exc:  # noqa: BLE001 - keep the old attempt whatever went wrong
            self.notify(f"无法在新版本上重新办理（{type(exc).__name__}：{exc}），{keeps}。",
                        title="演练未更新", severity="error", timeout=12, markup=False)
            return None
        s = rebuilt.session
        assert s.journal is not None
        self.store.start(rebuilt.attempt_id, trainee=s.trainee, scenario=fresh.id, title=fresh.title,
                         content_hash=fresh.content_hash, mode=s.mode, seed=s.seed, journal=s.journal.path,
                         started=s.started_wall, township=self.township)
        self.store.abandon(attempt_id)  # kept in the store and on disk; no longer offered
        lines = [f"案例「{fresh.title}」已修改，已按新版本重新办理 {rebuilt.replayed} 个执法动作"
                 f"（案件状态：{s.state_label}）。原来的办案记录已保留。", *changes]
        if rebuilt.refused:
            lines.append("以下步骤在新版本中被拒绝：")
            lines += [f"· {r}" for r in rebuilt.refused]
        self.notify("\n".join(lines), title="演练已按新版本更新",
                    severity="warning" if rebuilt.refused else "information", timeout=20, markup=False)
        return rebuilt

    def start_session(self, scenario: Scenario) -> None:
        """A new attempt: journal in the store home, recorded in the store, then the workbench."""
        from sim import Session

        from .trainee.workbench import WorkbenchScreen

        assert self.store is not None
        attempt_id, path = self.store.new_journal_path(scenario.id)
        session = Session(
            scenario,
            seed=self.seed,
            journal=path,
            mode=self.mode,
            trainee=self.trainee,
            wall_clock=self.clock,
        )
        self.store.start(
            attempt_id,
            trainee=self.trainee,
            scenario=scenario.id,
            title=scenario.title,
            content_hash=scenario.content_hash,
            mode=self.mode,
            seed=self.seed,
            journal=path,
            started=session.started_wall,
            township=self.township,
        )
        self._show(WorkbenchScreen(session, attempt_id))

    def resume_attempt(self, attempt: Attempt) -> bool:
        """Reopen an unfinished attempt from its journal; False (and a message) if it cannot be."""
        from sim import ReplayError, resume
        from sim.bounds import os_reason, shown
        from sim.session import CaseChanged

        from .trainee.workbench import WorkbenchScreen

        assert self.library is not None
        sc = self.library.scenarios.get(attempt.scenario)
        if sc is None:
            self.notify(
                f"案例库中已没有「{attempt.title}」，无法继续",
                title="无法继续",
                severity="error",
                markup=False,
            )
            return False
        try:
            session = resume(sc, attempt.journal)
        except CaseChanged:  # the case was edited since: carry the acts over to its new version
            rebuilt = self._rebuild_attempt(attempt.journal, attempt.id, sc, [], keeps="演练保留为未完成")
            if rebuilt is None:
                return False
            self._show(WorkbenchScreen(rebuilt.session, rebuilt.attempt_id))
            return True
        except ReplayError as exc:  # every damaged, edited or foreign journal lands here (sim.journal)
            self._offer_damaged(attempt, sc.title, shown(str(exc)))
            return True
        except OSError as exc:
            self.notify(f"无法读取办案记录 {shown(str(attempt.journal))}：{os_reason(exc)}",
                        title="无法继续上次的演练", severity="error", timeout=10, markup=False)
            return False
        self._show(WorkbenchScreen(session, attempt.id))
        self.notify(
            f"已恢复 {len(session.acts)} 个执法动作，案件时间 {session.now:%Y-%m-%d %H:%M}",
            title="继续上次的演练",
            markup=False,
        )
        return True

    def _offer_damaged(self, attempt: Attempt, title: str, reason: str) -> None:
        """放弃, 另存后放弃 (the journal moves to the data folder's damaged/) or 稍后 (the attempt stays open and
        its journal where it is): no choice deletes a journal."""
        from .widgets.dialogs import DamagedJournalDialog

        def answer(choice: str | None) -> None:
            assert self.store is not None
            if choice == "keep" and not self._keep_aside(Path(attempt.journal)):
                choice = "later"
            if choice in ("abandon", "keep"):
                self.store.abandon(attempt.id)
                self.library_screen.show_library()
            else:
                self._declined.add(attempt.id)
            self._offer_resume()

        self.push_screen(DamagedJournalDialog(title, reason), answer)

    def _keep_aside(self, journal: Path) -> bool:
        from sim.bounds import os_reason, shown

        assert self.store is not None
        dest = self.store.home / "damaged" / journal.name
        try:
            dest.parent.mkdir(exist_ok=True)
            journal.replace(dest)
        except OSError as exc:
            self.notify(f"无法另存办案记录：{os_reason(exc)}，演练保留为未完成", title="另存失败",
                        severity="error", timeout=10, markup=False)
            return False
        self.notify(f"办案记录已另存到 {shown(str(dest))}", title="已另存", markup=False)
        return True

    def _show(self, screen: Screen[Any]) -> None:
        """Replace a briefing with the workbench; on top of the library otherwise."""
        from .trainee.briefing import BriefingScreen

        if isinstance(self.screen, BriefingScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def show_debrief(self, session: Session, attempt_id: str, *, from_history: bool = False) -> None:
        from .trainee.debrief import DebriefScreen

        assert session.result is not None
        screen = DebriefScreen(session, session.result, attempt_id, from_history=from_history)
        if from_history:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def finish_session(self, session: Session, attempt_id: str) -> None:
        result = session.finish()
        assert self.store is not None
        self.store.finish(attempt_id, result, self.clock())
        session.close()
        self.show_debrief(session, attempt_id)

    def reports_dir(self) -> Path:
        assert self.store is not None
        return self.store.home / "reports"

    def report_context(self) -> list[tuple[str, str]]:
        return [("乡镇", self.township)] if self.township else []

    def on_unmount(self) -> None:
        if self._watch_thread is not None:
            self._watch_thread.stop()
        if self.store is not None:
            self.store.close()


def make_app(
    library: Library | Sequence[str | Path] | None = None,
    *,
    home: str | Path | None = None,
    case: str | None = None,
    mode: str = "practice",
    trainee: str | None = None,
    clock: WallClock | None = None,
    seed: int = 0,
    trainer: bool = False,
) -> LawdrillApp:
    """Build the app. `library`: a loaded Library, or paths to load (default: the bundled library);
    `home`: the store directory (default: the user data directory); `clock`: wall time, frozen in tests;
    `trainer`: open on the trainer screen."""
    paths = library if isinstance(library, (list, tuple)) else None
    loaded = None if paths is not None else library
    return LawdrillApp(
        loaded,
        library_paths=paths,
        home=home,
        case=case,
        mode=mode,  # type: ignore[arg-type]
        trainee=trainee,
        clock=clock,
        seed=seed,
        trainer=trainer,
    )


def run_ui(
    case: str | None = None,
    *,
    mode: str = "practice",
    home: str | None = None,
    library_paths: list[str] | None = None,
    trainer: bool = False,
) -> int:
    """Open the trainee app (on one case if given, on the trainer screen if asked); returns the exit
    status."""
    app = make_app(library_paths, home=home, case=case, mode=mode, trainer=trainer)
    app.run()
    return app.return_code or 0
