"""The case library: every case with its type, procedure, difficulty, tags and the trainee's best score."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from ..widgets.guard import when_active
from ..widgets.text import MODE_HELP, MODE_LABELS, stars

if TYPE_CHECKING:
    from sim.model import Scenario

    from ..host import TraineeHost

COLUMNS = (
    ("title", "案例"),
    ("difficulty", "难度"),
    ("best", "最好成绩"),
    ("procedure", "程序"),
    ("type", "类型"),
    ("tags", "标签"),
)


class CaseTable(DataTable[Any]):
    """The library table; Enter opens the highlighted case (shown in the footer)."""

    BINDINGS = [Binding("enter", "select_cursor", "打开案例", id="open-case")]


class LibraryScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("library.tcss")
    AUTO_FOCUS = "#cases"
    BINDINGS = [
        Binding("slash", "focus_filter", "搜索", key_display="/", id="search"),
        Binding("m", "toggle_mode", "切换模式", id="toggle-mode"),
        Binding("h", "history", "历史记录", id="history"),
        Binding("k", "quiz", "知识练习", id="quiz"),
        Binding("a", "analysis", "案例分析", id="analysis"),
        Binding("w", "weak_spots", "薄弱环节", id="weak-spots"),
        Binding("n", "rename", "更换学员", id="rename"),
        Binding("v", "trainer", "教员工具", id="trainer"),
        Binding("escape", "leave_filter", "返回列表", show=False, id="leave-filter"),
    ]

    app: TraineeHost

    def __init__(self) -> None:
        super().__init__()
        self._best: dict[str, int] = {}  # case id -> the trainee's best score
        self._open: set[str] = set()  # cases with an unfinished attempt

    def compose(self) -> ComposeResult:
        yield Static("执法演练 · 案例库", id="lib-title", classes="bar")
        yield Static("正在载入案例库…", id="lib-status", classes="subbar")
        yield Input(placeholder="搜索标题、类型、标签（按 / 搜索，Esc 返回列表）", id="filter", compact=True)
        table = CaseTable(id="cases", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static("", id="lib-empty")
        yield Footer()

    def on_mount(self) -> None:
        self.app.begin()

    def on_resize(self) -> None:
        self._fill()

    def on_screen_resume(self) -> None:
        if self.app.store is not None:
            self.show_library()

    # --- content ---------------------------------------------------------------------------------------

    def _matches(self, sc: Scenario, needle: str) -> bool:
        if not needle:
            return True
        hay = " ".join((sc.id, sc.title, sc.case_type, sc.procedure.title, *sc.tags)).lower()
        return all(word in hay for word in needle.lower().split())

    def show_library(self) -> None:
        """Read the trainee's best scores and unfinished attempts from the store, then fill the table."""
        app = self.app
        if app.library is None or app.store is None:
            return
        self._best = app.store.best_scores(app.trainee) if app.trainee else {}
        self._open = {a.scenario for a in app.store.open_attempts(app.trainee)} if app.trainee else set()
        total = len(app.library.scenarios)
        done = sum(1 for sid in self._best if sid in app.library.scenarios)
        who = (app.trainee or "（未署名）") + (f"（{app.township}）" if app.township else "")
        self.query_one("#lib-status", Static).update(
            Text(
                f"学员：{who}　　模式：{MODE_LABELS[app.mode]}（按 m 切换）"
                f"　　案例 {total} 个，已完成 {done} 个"
            )
        )
        self._fill()

    def _fill(self) -> None:
        """The cases that match the search box."""
        library = self.app.library
        if library is None:
            return
        table = self.query_one("#cases", CaseTable)
        keep = table.cursor_row
        table.clear()
        needle = self.query_one("#filter", Input).value.strip()
        # The title gives way (cut with an ellipsis) so that the difficulty and the best score stay in view;
        # the procedure, type and tags columns come next and scroll sideways on a narrow terminal.
        width = self.size.width
        room = max(16, width - 4 - 3 * 2 * table.cell_padding - 10 - 10 - 2) if width else 0
        for sc in sorted(library.scenarios.values(), key=lambda s: (s.difficulty, s.title)):
            if not self._matches(sc, needle):
                continue
            if sc.id in self._best:
                score = self._best[sc.id]
                best = Text(str(score), style="bold green" if score >= 60 else "bold red")
            else:
                best = Text("—", style="dim")
            if sc.id in self._open:
                best.append(" 进行中", style="yellow")
            title = Text(sc.title)
            if room:
                title.truncate(room, overflow="ellipsis")
            table.add_row(
                title,
                Text(stars(sc.difficulty), style="yellow"),
                best,
                Text(sc.procedure.title),
                Text(sc.case_type or "—"),
                Text("、".join(sc.tags)),
                key=sc.id,
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        empty = self.query_one("#lib-empty", Static)
        if not library.scenarios:
            empty.update(Text("案例库是空的。"))
        elif not table.row_count:
            empty.update(Text(f"没有与「{needle}」相符的案例。"))
        empty.display = not table.row_count

    # --- actions -----------------------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        self._fill()

    @on(Input.Submitted, "#filter")
    @when_active
    def _filter_done(self) -> None:
        """Enter in the search box: the one case found opens at once; with several, on to the list."""
        table = self.query_one("#cases", CaseTable)
        table.focus()
        if table.row_count == 1 and self.app.library is not None:
            key = table.coordinate_to_cell_key(Coordinate(0, 0)).row_key.value
            if key is not None:
                self.app.open_briefing(self.app.library.scenarios[key])

    @on(DataTable.RowSelected, "#cases")
    @when_active
    def _open(self, event: DataTable.RowSelected) -> None:
        if self.app.library is None or event.row_key.value is None:
            return
        self.app.open_briefing(self.app.library.scenarios[event.row_key.value])

    def action_focus_filter(self) -> None:
        self.query_one("#filter").focus()

    def action_leave_filter(self) -> None:
        self.query_one("#cases").focus()

    def action_toggle_mode(self) -> None:
        self.app.mode = "exam" if self.app.mode == "practice" else "practice"
        self.show_library()
        self.notify(MODE_HELP[self.app.mode], title=f"{MODE_LABELS[self.app.mode]}模式", markup=False)

    def action_history(self) -> None:
        if self.app.store is not None:
            self.app.open_history()

    def action_quiz(self) -> None:
        if self.app.store is not None:
            self.app.open_quiz()

    def action_weak_spots(self) -> None:
        """The trainee's weak spots, practice and contest results together, with the matching practice."""
        from .weakspots import WeakSpotsScreen

        if self.app.library is not None and self.app.store is not None:
            self.app.push_screen(WeakSpotsScreen())

    def action_analysis(self) -> None:
        """The highlighted case as a case analysis (一事一议)."""
        table = self.query_one("#cases", CaseTable)
        if self.app.library is None or self.app.store is None or not table.row_count:
            return
        ref = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if ref in self.app.library.scenarios:
            self.app.open_analysis(self.app.library.scenarios[ref])

    def action_rename(self) -> None:
        if self.app.store is not None:
            self.app.ask_name()

    def action_trainer(self) -> None:
        if self.app.mode == "exam":  # the palette reaches here too
            self.notify("考试模式下不能打开教员工具（状态图会显示参考路径）。先按 m 切换到练习模式。",
                        severity="warning", markup=False)
            return
        if self.app.store is not None:
            self.app.open_trainer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_active:
            return False  # keys typed quickly can reach a screen a dialog has just covered
        if action in ("history", "rename", "toggle_mode", "trainer", "weak_spots") and self.app.store is None:
            return None  # still loading
        if action == "trainer" and self.app.mode == "exam":
            return None  # the trainer's graphs show the reference paths: not during an exam
        return True

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            ("历史记录", "查看已完成的演练和成绩", self.action_history),
            ("薄弱环节", "练习与比武中最常出错的条文，以及对应的练习案例和题目", self.action_weak_spots),
            ("切换模式", "在练习模式和考试模式之间切换", self.action_toggle_mode),
            ("更换学员", "修改学员姓名和所在乡镇", self.action_rename),
            ("教员工具", "案例库检查、文件修改后自动重新加载、薄弱环节统计", self.action_trainer),
        ]
