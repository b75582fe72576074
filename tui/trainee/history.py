"""Past attempts of the trainee; Enter replays an attempt's journal and reopens its debrief."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ..widgets.guard import when_active
from ..widgets.text import MODE_LABELS, wall_time

if TYPE_CHECKING:
    from ..host import TraineeHost


class AttemptTable(DataTable[Any]):
    BINDINGS = [Binding("enter", "select_cursor", "查看讲评", id="open-attempt")]


class HistoryScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("history.tcss")
    AUTO_FOCUS = "#attempts"
    BINDINGS = [Binding("escape", "back", "返回", id="back")]

    app: TraineeHost

    def compose(self) -> ComposeResult:
        yield Static(Text(f"历史记录 · {self.app.trainee or '未署名'}"), classes="bar", id="history-title")
        table = AttemptTable(id="attempts", cursor_type="row", zebra_stripes=True)
        for key, label in (
            ("date", "日期"),
            ("case", "案例"),
            ("mode", "模式"),
            ("score", "得分"),
            ("grade", "等级"),
            ("passed", "结果"),
        ):
            table.add_column(label, key=key)
        yield table
        yield Static("还没有完成的演练。", id="history-empty", classes="empty")
        yield Footer()

    def on_mount(self) -> None:
        assert self.app.store is not None
        table = self.query_one("#attempts", AttemptTable)
        attempts = self.app.store.history(self.app.trainee)
        for a in attempts:
            result = Text("通过", style="green") if a.passed else Text("未通过", style="red")
            table.add_row(
                wall_time(a.finished or a.started),
                Text(a.title),
                MODE_LABELS.get(a.mode, a.mode),
                str(a.score if a.score is not None else "—"),
                a.grade or "—",
                result,
                key=a.id,
            )
        table.display = bool(attempts)
        self.query_one("#history-empty").display = not attempts

    @on(DataTable.RowSelected, "#attempts")
    @when_active
    def _open(self, event: DataTable.RowSelected) -> None:
        from sim import ReplayError, replay

        app = self.app
        assert app.store is not None and app.library is not None
        attempt = app.store.get_attempt(str(event.row_key.value))
        if attempt is None:
            return
        sc = app.library.scenarios.get(attempt.scenario)
        if sc is None:
            self.notify(
                f"案例库中已没有「{attempt.title}」", title="无法重放", severity="error", markup=False
            )
            return
        changed = attempt.content_hash != sc.content_hash
        try:
            session = replay(sc, attempt.journal, strict=not changed)
        except ReplayError as exc:
            self.notify(str(exc), title="无法重放", severity="error", timeout=10, markup=False)
            return
        if changed:
            self.notify(
                "案例内容在这次演练之后有更新，讲评按现在的版本重新评分，可能与当时的成绩不同。",
                title="注意",
                severity="warning",
                timeout=10,
                markup=False,
            )
        if session.result is None:  # a journal without its closing line: score it as it stands
            session.finish()
        app.show_debrief(session, attempt.id, from_history=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active  # keys typed quickly can reach a screen a dialog has just covered

    def action_back(self) -> None:
        self.app.pop_screen()
