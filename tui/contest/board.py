"""The leaderboard (排行榜) of a contest: live standings from the results store, divisions by township, the
scoreboard freeze (封榜) and the organiser's reveal of the final standings, row by row from the bottom up.

The public view is `ContestStore.standings(..., frozen=True, now=...)`: from a round's freeze time on it does
not show results handed in after that time, and the board says so with a 封榜 banner. The organiser reveals
the final standings with `v` (one row, from the bottom) or `A` (all): the revealed rows at the bottom are the
final standings' last rows, with their final rank; the rows above them are the contestants not yet revealed,
in their frozen order and with their frozen score.

The store is read in a worker thread (a PostgreSQL server across the network must not freeze the screen)
every few seconds and on `r`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Static, Tab, Tabs

from sim.contest.board import freeze_in_force, reveal_rows, still_open, tiebreak_text

from ..widgets.dialogs import AppCommands, Dialog

if TYPE_CHECKING:
    from sim.contest import Contest, ContestStore, Standing

REFRESH_SECONDS = 5.0
ALL = "all"


class StandingsTable(DataTable[Any]):
    pass


class BoardScreen(Screen[None]):
    AUTO_FOCUS = "#board-table"  # styled by contest_board.tcss, which BoardApp loads (the default screen)
    BINDINGS = [
        Binding("r", "refresh_now", "刷新", id="refresh"),
        Binding("left,[", "division(-1)", "上一组", show=False, id="prev-division"),
        Binding("right,]", "division(1)", "下一组", show=False, id="next-division"),
        Binding("v", "reveal(1)", "揭晓下一名", id="reveal"),
        Binding("A", "reveal(0)", "全部揭晓", id="reveal-all"),
        Binding("e", "export", "导出", id="export"),
    ]

    app: BoardApp

    def __init__(self) -> None:
        super().__init__()
        self.public: list[Standing] = []
        self.final: list[Standing] = []
        self.revealed: int | None = None  # None: not revealing; else rows revealed from the bottom
        self.loaded = False

    @property
    def contest(self) -> Contest:
        return self.app.contest

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.app.clock(), tz=dt.timezone.utc)

    def freeze_time(self) -> dt.datetime | None:
        """The freeze in force now (the earliest passed freeze time of the rounds shown), or None."""
        return freeze_in_force(self.contest, self.app.round_id, self.now())

    def compose(self) -> ComposeResult:
        c = self.contest
        r = self.contest.round(self.app.round_id) if self.app.round_id else None
        title = f"{c.name} · 排行榜 · {r.title if r else '总成绩'}"
        yield Static(Text(title), classes="bar", id="board-title")
        yield Static(id="board-banner")
        tabs = [Tab("全部", id=f"div-{ALL}")] + [Tab(d.name, id=f"div-{d.id}") for d in c.divisions]
        yield Tabs(*tabs, id="board-divisions")
        table = StandingsTable(id="board-table", cursor_type="row", zebra_stripes=True)
        for key, label in (
            ("rank", "名次"),
            ("name", "姓名"),
            ("township", "乡镇"),
            ("division", "组别"),
            ("score", "总分"),
            ("criticals", "否决项"),
            ("time", "用时"),
            *((f"case-{i}", f"第{i}案") for i in range(1, len(c.case_columns(self.app.round_id)) + 1)),
            ("finished", "最后交卷"),
            ("done", "已交"),
        ):
            table.add_column(label, key=key)
        yield table
        yield Static("成绩库中还没有成绩。", id="board-empty", classes="empty")
        yield Static(id="board-status", classes="subbar")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#board-divisions").display = bool(self.contest.divisions)
        self.set_interval(REFRESH_SECONDS, self.refresh_board, name="board-refresh")
        self.refresh_board()

    # --- data ----------------------------------------------------------------------------------------------

    @property
    def division(self) -> str | None:
        active = self.query_one("#board-divisions", Tabs).active or f"div-{ALL}"
        did = active.removeprefix("div-")
        return None if did == ALL else did

    def refresh_board(self) -> None:
        self._fetch(self.app.round_id, self.division, self.now())

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def _fetch(self, round_id: str | None, division: str | None, now: dt.datetime) -> None:
        store = self.app.store
        try:
            public = store.standings(self.contest, round_id, division, frozen=True, now=now)
            final = store.standings(self.contest, round_id, division)
        except Exception as exc:  # noqa: BLE001 - a lost database connection: say so, keep the last board
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._show, public, final)

    def _failed(self, exc: Exception) -> None:
        self.query_one("#board-status", Static).update(
            Text(f"读取成绩库失败（{type(exc).__name__}），显示的是上次的排名。按 r 重试。", style="bold red")
        )

    def _show(self, public: list[Standing], final: list[Standing]) -> None:
        self.public, self.final, self.loaded = public, final, True
        self.show_board()

    def show_board(self) -> None:
        frozen = self.freeze_time()
        banner = self.query_one("#board-banner", Static)
        if self.revealed is not None and self.revealed >= len(self.final):
            rows = [(s, True) for s in self.final]
            banner.update(Text("最终排名（已全部揭晓）", style="bold"))
            banner.set_classes("-final")
        elif self.revealed is not None:
            rows = reveal_rows(self.public, self.final, self.revealed)
            banner.update(
                Text(f"揭晓中：已揭晓 {self.revealed} / {len(self.final)} 名（v 揭晓下一名）", style="bold")
            )
            banner.set_classes("-reveal")
        elif frozen is not None:
            rows = [(s, False) for s in self.public]
            banner.update(
                Text(
                    f"封榜　{frozen.astimezone(_cst()):%m-%d %H:%M} 以后交卷的成绩暂不公布，"
                    "最终排名由组织者揭晓",
                    style="bold",
                )
            )
            banner.set_classes("-frozen")
        else:
            rows = [(s, True) for s in self.final]
            banner.update(Text("实时排名", style="bold"))
            banner.set_classes("-live")
        self._fill(rows)
        stamp = dt.datetime.fromtimestamp(self.app.clock(), tz=_cst())
        self.query_one("#board-status", Static).update(
            Text(
                f"{tiebreak_text(self.contest.tiebreak)}　　"
                f"更新于 {stamp:%H:%M:%S}（每 {REFRESH_SECONDS:g} 秒刷新）"
            )
        )

    def _fill(self, rows: list[tuple[Standing, bool]]) -> None:
        """The rows as the exports write them (sim.contest.export.standings_rows), with the board's styling."""
        from sim.contest.export import standings_rows

        table = self.query_one("#board-table", StandingsTable)
        keep = table.cursor_row
        table.clear()
        before = {s.contestant_id: s.score for s in self.public}
        revealing = self.revealed is not None
        cells = standings_rows(self.contest, [s for s, _ in rows], self.contest.case_columns(self.app.round_id))
        for (s, final), (_rank, _cid, name, town, division, _score, _crit, used, finished, done, *cases) in zip(
            rows, cells, strict=True
        ):
            style = "bold" if revealing and final else ""
            rank = Text(str(s.rank), style=style) if final or not revealing else Text("…", style="dim")
            score = Text(str(s.score), style=style or "bold")
            gained = s.score - before.get(s.contestant_id, 0)
            if revealing and final and gained:
                score.append(f"（+{gained}）" if gained > 0 else f"（{gained}）", style="green")
            table.add_row(
                rank,
                Text(name, style=style),
                Text(town),
                Text(division or "—"),
                score,
                Text(str(s.criticals), style="red" if s.criticals else ""),
                used,
                *(Text(c, style="dim" if c == "—" else "") for c in cases),
                finished or "—",
                done,
                key=s.contestant_id,
            )
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
        table.display = bool(rows)
        empty = self.query_one("#board-empty", Static)
        empty.display = not rows and self.loaded

    # --- keys ----------------------------------------------------------------------------------------------

    def action_refresh_now(self) -> None:
        self.refresh_board()
        self.notify("已刷新", timeout=2, markup=False)

    @on(Tabs.TabActivated, "#board-divisions")
    def _division_changed(self) -> None:
        self.revealed = None
        if self.is_mounted:
            self.refresh_board()

    def action_division(self, step: int) -> None:
        tabs = self.query_one("#board-divisions", Tabs)
        if step > 0:
            tabs.action_next_tab()
        else:
            tabs.action_previous_tab()

    def action_reveal(self, step: int) -> None:
        """Organiser: reveal the final standings, `step` rows at a time from the bottom (0: all at once)."""
        from ..widgets.dialogs import ConfirmDialog

        if self.freeze_time() is None and self.revealed is None:
            self.notify("尚未封榜，当前显示的就是实时排名。", title="揭晓", markup=False)
            return
        r = still_open(self.contest, self.app.round_id, self.now())
        if r is not None:
            self.notify(
                f"「{r.title}」尚未结束（{r.closes:%m-%d %H:%M}），结束后才能揭晓最终排名。",
                title="揭晓",
                markup=False,
            )
            return

        def go(yes: bool | None = True) -> None:
            if not yes:
                return
            n = len(self.final)
            self.revealed = n if step == 0 else min(n, (self.revealed or 0) + step)
            self.show_board()

        if self.revealed is None:
            self.app.push_screen(
                ConfirmDialog(
                    "揭晓最终排名", "开始揭晓最终排名？将从最后一名起逐名公布封榜后的成绩。", yes="开始揭晓"
                ),
                go,
            )
        else:
            go()

    def shown(self) -> tuple[list[Standing], bool]:
        """What the public may take away: the frozen standings until the reveal is complete."""
        if self.freeze_time() is not None and (self.revealed is None or self.revealed < len(self.final)):
            return self.public, True
        return self.final, False

    def export(self, fmt: str) -> Path:
        from sim.contest.export import export_standings

        standings, frozen = self.shown()
        c = self.contest
        parts = [c.id, self.app.round_id or "all", *([self.division] if self.division else [])]
        name = "-".join(parts) + ("-frozen" if frozen else "") + f".{fmt}"
        self.app.export_dir.mkdir(parents=True, exist_ok=True)
        return export_standings(
            c,
            standings,
            fmt,
            self.app.export_dir / name,
            round_id=self.app.round_id,
            division=self.division,
            frozen=frozen,
            generated=dt.datetime.fromtimestamp(self.app.clock(), tz=_cst()),
        )

    def action_export(self) -> None:
        def chosen(fmt: str | None) -> None:
            if not fmt:
                return
            try:
                path = self.export(fmt)
            except OSError as exc:
                self.notify(f"{exc.strerror or exc}", title="导出失败", severity="error", markup=False)
                return
            self.notify(str(path), title="排名已导出", timeout=10, markup=False)

        self.app.push_screen(ExportDialog(), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            ("刷新", "立即从成绩库读取最新成绩", self.action_refresh_now),
            ("揭晓下一名", "组织者：封榜后从最后一名起逐名揭晓最终排名", lambda: self.action_reveal(1)),
            ("全部揭晓", "组织者：一次揭晓全部最终排名", lambda: self.action_reveal(0)),
            ("导出", "把当前排名导出为 CSV、Excel 或网页文件", self.action_export),
        ]


class ExportDialog(Dialog["str | None"]):
    """CSV (Excel opens it), XLSX or a self-contained web page of the standings on screen."""

    BINDINGS = [
        Binding("c", "pick('csv')", "CSV", id="csv"),
        Binding("x", "pick('xlsx')", "Excel", id="xlsx"),
        Binding("h", "pick('html')", "网页", id="html"),
        Binding("escape", "pick('')", "取消", id="cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Static("导出排名", classes="dialog-title")
            yield Static(
                "导出当前显示的排名（封榜期间导出的是封榜排名）。文件写入当前目录。", classes="dialog-text"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("CSV（c）", id="export-csv", variant="primary")
                yield Button("Excel（x）", id="export-xlsx")
                yield Button("网页（h）", id="export-html")
                yield Button("取消（Esc）", id="export-cancel")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("export-").replace("cancel", "") or None)

    def action_pick(self, fmt: str) -> None:
        self.dismiss(fmt or None)


def _cst() -> dt.tzinfo:
    from sim.contest.model import CST

    return CST


class BoardApp(AppCommands, App[None]):
    """排行榜."""

    HELP_COMMAND = "查看排行榜的按键说明"
    QUIT_COMMAND = "退出排行榜"
    QUIT_HINT = "按 Ctrl+Q 退出排行榜"

    TITLE = "执法演练 · 排行榜"
    # The board is the default screen, and Textual loads a screen's CSS_PATH only when it is pushed.
    CSS_PATH = [Path(__file__).parent.parent / "app.tcss", Path(__file__).with_name("board.tcss")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "退出", show=False, priority=True, id="quit"),
        Binding("f1,question_mark", "help", "帮助", key_display="F1", id="help"),
        Binding("ctrl+p", "command_palette", "命令", show=False, priority=True, id="command-palette"),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        contest: Contest,
        store: ContestStore,
        *,
        round_id: str | None = None,
        clock: Callable[[], float] = time.time,
        export_dir: str | Path | None = None,
    ) -> None:
        super().__init__()
        self.contest = contest
        self.store = store
        self.round_id = round_id
        self.clock = clock
        self.export_dir = Path(export_dir) if export_dir is not None else Path.cwd()

    def get_default_screen(self) -> Screen[Any]:
        return BoardScreen()

    @property
    def board(self) -> BoardScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, BoardScreen)
        return screen

    def on_unmount(self) -> None:
        self.store.close()


def make_board_app(
    contest: Contest,
    store: ContestStore,
    *,
    round_id: str | None = None,
    clock: Callable[[], float] = time.time,
    export_dir: str | Path | None = None,
) -> BoardApp:
    return BoardApp(contest, store, round_id=round_id, clock=clock, export_dir=export_dir)
