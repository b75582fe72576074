"""The round's screen (the contestant's case list, locked to the round) and the contest workbench.

The header — contest, round, contestant and township, and the countdown — is the same widget on both screens
(and on the review screen): the contestant always sees how much time is left.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from sim.contest.export import limit_text

from ..widgets.guard import when_active
from ..widgets.text import MODE_LABELS, clock_text
from ..trainee.briefing import CaseSheet, briefing_body
from ..trainee.workbench import WorkbenchScreen

if TYPE_CHECKING:
    from sim.model import Scenario

    from ..host import ContestHost

WARN_SECONDS = 5 * 60  # the countdown turns red in the last five minutes


class ContestHeader(Horizontal):
    """大比武 · contest · round │ contestant (township) │ 剩余 00:42:13."""

    app: ContestHost

    DEFAULT_CSS = """
    ContestHeader { height: 1; background: $primary; }
    ContestHeader > Static {
        height: 1; padding: 0 1; color: $text; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis;
    }
    ContestHeader > #contest-title { width: 1fr; background: $primary; }
    ContestHeader > #contest-who { width: auto; background: $primary-darken-1; }
    ContestHeader > #contest-clock { width: auto; min-width: 16; background: $success-darken-2; }
    ContestHeader > #contest-clock.-late { background: $error; }
    """

    def compose(self) -> ComposeResult:
        app = self.app
        c = app.contestant
        yield Static(
            Text(f"{app.contest.name} · {app.round.title}"), id="contest-title"
        )
        yield Static(Text(f"{c.name}（{c.township}）{c.id}" if c is not None else "未签到"), id="contest-who")
        yield Static(id="contest-clock")

    def show_who(self) -> None:
        c = self.app.contestant
        self.query_one("#contest-who", Static).update(Text(f"{c.name}（{c.township}）{c.id}"))

    _shown = ""

    def on_mount(self) -> None:
        self.show_time()

    def show_time(self) -> None:
        app = self.app
        left = app.remaining()
        if app.timed_out or (left is not None and left <= 0):
            text, late = "时间到", True
        elif left is None:
            text, late = f"限时 {limit_text(app.round.time_limit)}", False
        else:
            text, late = f"剩余 {clock_text(left)}", left <= WARN_SECONDS
        if text == self._shown:
            return  # called every second: repaint only when the text changes
        clocks = self.query("#contest-clock").results(Static)
        clock = next(clocks, None)
        if clock is None:  # the app's tick found the header before its clock was mounted (a loaded host): on_mount
            return  # shows the time once it is
        width_changed = Text(text).cell_len != Text(self._shown).cell_len
        self._shown = text
        clock.update(Text(text, style="bold"), layout=width_changed)
        clock.set_class(late, "-late")


class CaseList(DataTable[Any]):
    BINDINGS = [Binding("enter", "select_cursor", "办理 / 查看", id="open-case")]


class RoundScreen(Screen[None]):
    """The round's cases and where each stands; nothing else of the library is reachable."""

    AUTO_FOCUS = "#round-cases"  # styled by round.tcss, which ContestApp loads (the default screen)
    BINDINGS = [
        Binding("f", "hand_in", "交卷（本案）", id="hand-in"),
        Binding("a", "hand_in_all", "全部交卷", id="hand-in-all"),
    ]

    app: ContestHost

    def compose(self) -> ComposeResult:
        yield ContestHeader(id="contest-header")
        yield Static(id="round-status", classes="subbar")
        table = CaseList(id="round-cases", cursor_type="row", zebra_stripes=True)
        for key, label in (("n", "序"), ("title", "案件"), ("state", "状态")):
            table.add_column(label, key=key)
        yield table
        with VerticalScroll(id="round-outbox-scroll"):
            yield Static(id="round-outbox")
        yield Footer()

    def on_mount(self) -> None:
        if self.app.store is None:
            return  # the sign-in screen is on top; `signed_in` does this once the contestant is known
        self.signed_in()

    def signed_in(self) -> None:
        self.query_one(ContestHeader).show_who()
        self.app.ensure_bundles()
        self.show_round()
        self.app.tick()  # reopened after the end (the terminal died): hand in at once, not a second later

    def on_screen_resume(self) -> None:
        if self.app.store is not None:
            self.show_round()

    def show_round(self) -> None:
        app = self.app
        self.query_one(ContestHeader).show_time()
        table = self.query_one("#round-cases", CaseList)
        keep = table.cursor_row
        table.clear()
        done = 0
        for i, ref in enumerate(app.round.cases, 1):
            state = self._state(ref)
            done += state.plain.startswith("已交卷")
            table.add_row(str(i), Text(app.case_title(ref)), state, key=ref)
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
        kind, unit = app.kind.label, app.kind.unit
        total = len(app.round.cases)
        if app.started_at is None:
            status = (
                f"{kind} · 共 {total} {unit} · 限时 {limit_text(app.round.time_limit)} · "
                "按 Enter 开始（开始后计时，不能暂停）"
            )
        elif app.timed_out or (app.remaining() or 0) <= 0:
            status = f"{kind} · 时间已到，已交卷 {done} / {total} {unit}（未作答的不计成绩）" + (
                " · 按 Enter 查看成绩" if app.results_visible() and done else ""
            )
        elif done == total:
            status = f"{kind} · {total} {unit}已全部交卷 · " + (
                "按 Enter 查看成绩" if app.results_visible() else "成绩在本轮结束后公布"
            )
        else:
            status = f"{kind} · 已交卷 {done} / {total} {unit} · 时间到时自动交卷"
        self.query_one("#round-status", Static).update(Text(status))
        paths = [p for ref in app.round.cases if (p := app.bundle_of(ref)) is not None]
        outbox = Text()
        if paths:
            outbox.append(f"成绩文件（交给比赛组织者）：{app.outbox}\n", style="bold")
            for p in paths:
                outbox.append(f"　{p.name}\n")
        self.query_one("#round-outbox", Static).update(outbox)
        self.query_one("#round-outbox-scroll").display = bool(paths)

    def _state(self, ref: str) -> Text:
        app = self.app
        if app.bundle_of(ref) is not None:
            return Text("已交卷", style="bold green")
        return app.kind.state(app, ref)

    @on(DataTable.RowSelected, "#round-cases")
    @when_active
    def _open(self, event: DataTable.RowSelected) -> None:
        from ..widgets.dialogs import ConfirmDialog

        ref = str(event.row_key.value)
        app = self.app
        if app.bundle_of(ref) is not None:
            if app.results_visible():
                app.show_result(ref)
            else:
                self.notify(f"「{app.case_title(ref)}」已交卷。成绩在本轮结束后公布。", title="已交卷", markup=False)
            return
        if app.timed_out:
            self.notify("本轮时间已到，不能再作答。", title="时间到", markup=False)
            return
        if app.started_at is not None:
            app.open_case(ref)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                app.open_case(ref)

        self.app.push_screen(
            ConfirmDialog(
                "开始本轮",
                f"开始后计时 {limit_text(app.round.time_limit)}，中途退出也不会暂停；时间到时自动交卷。\n"
                f"本轮结束时间：{app.round.closes:%Y-%m-%d %H:%M}。",
                yes="开始",
            ),
            answer,
        )

    def _cursor_ref(self) -> str | None:
        table = self.query_one("#round-cases", CaseList)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_hand_in(self) -> None:
        from ..widgets.dialogs import ConfirmDialog

        app = self.app
        ref = self._cursor_ref()
        if ref is None or app.bundle_of(ref) is not None:
            return
        if not app.can_hand_in(ref):
            self.notify("本案还没有作答，无需交卷。", title="交卷", markup=False)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                path = app.hand_in_case(ref)
                app.announce_hand_in([ref], [path] if path else [])

        app.push_screen(
            ConfirmDialog(
                "交卷",
                f"交卷「{app.case_title(ref)}」？\n交卷后不能再修改，成绩在本轮结束后公布。",
                yes="交卷",
            ),
            answer,
        )

    def action_hand_in_all(self) -> None:
        from ..widgets.dialogs import ConfirmDialog

        app = self.app
        refs = [r for r in app.round.cases if app.bundle_of(r) is None and app.can_hand_in(r)]
        if not refs:
            self.notify("没有需要交卷的案件。", title="交卷", markup=False)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                paths = [p for r in refs if (p := app.hand_in_case(r)) is not None]
                app.announce_hand_in(refs, paths)

        untouched = len([r for r in app.round.cases if app.bundle_of(r) is None]) - len(refs)
        note = f"\n另有 {untouched} 件尚未作答，不计成绩。" if untouched else ""
        app.push_screen(
            ConfirmDialog(
                "全部交卷", f"交卷本轮作答中的 {len(refs)} 件案件？交卷后不能再修改。{note}", yes="交卷"
            ),
            answer,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            ("交卷（本案）", "交卷选中的案件", self.action_hand_in),
            ("全部交卷", "交卷本轮所有作答中的案件", self.action_hand_in_all),
        ]


class ContestBriefing(Screen[None]):
    """Where every case of the round opens: the case's briefing (facts, party, team and, at the end of the
    story, what the contestant is asked to do) under the contest header. Enter goes on to the workbench (or, in a
    review round, to the case file); Esc back to the list. The clock runs while the contestant reads."""

    CSS_PATH = Path(__file__).parent.parent / "trainee" / "briefing.tcss"
    AUTO_FOCUS = "#brief-body"
    BINDINGS = [
        Binding("enter", "enter_case", "开始办理", id="enter-case"),
        Binding("escape", "leave", "返回列表", id="leave"),
    ]

    app: ContestHost

    def __init__(self, ref: str, scenario: Scenario) -> None:
        super().__init__()
        self.ref = ref
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        app = self.app
        yield ContestHeader(id="contest-header")
        yield Static(Text(f"案情简介 · {self.scenario.title}"), classes="bar", id="brief-title")
        yield briefing_body(self.scenario)
        note = Text(app.kind.task(app, self.ref))
        note.append("\n办理中按 b 可随时再看案情；Esc 返回本轮案件列表。计时不会暂停。", style="dim")
        yield Static(note, id="brief-mode")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active

    def action_enter_case(self) -> None:
        self.app.enter_case(self.ref)

    def action_leave(self) -> None:
        self.app.pop_screen()


class ContestCaseSheet(CaseSheet):
    """The briefing re-read from the contest workbench or review screen (key b), under the contest header."""

    app: ContestHost

    def compose(self) -> ComposeResult:
        yield ContestHeader(id="contest-header")
        yield from super().compose()


class ContestWorkbench(WorkbenchScreen):
    """The ordinary workbench in exam mode, under the contest header; 交卷 hands the case in (no debrief until
    the round is over) and Esc goes back to the round's list (the clock keeps running)."""

    BINDINGS = [Binding("escape", "leave", "返回列表", id="leave")]

    app: ContestHost

    def compose(self) -> ComposeResult:
        yield ContestHeader(id="contest-header")
        yield from super().compose()

    def on_mount(self) -> None:  # Textual runs WorkbenchScreen.on_mount too (handlers run along the MRO)
        # The contest header names the contest and the contestant; this bar keeps the case and the mode.
        self.query_one("#wb-title", Static).update(Text(self.session.scenario.title))
        self.query_one("#wb-mode", Static).update(Text(f"{MODE_LABELS.get(self.session.mode, '')}模式"))

    def action_finish(self) -> None:
        from ..widgets.dialogs import ConfirmDialog

        def answer(yes: bool | None) -> None:
            if yes and self.is_active:
                self.app.finish_session(self.session, self.attempt_id)

        self.app.push_screen(
            ConfirmDialog(
                "交卷",
                f"交卷「{self.session.scenario.title}」？\n交卷后本案不能再办理，成绩在本轮结束后公布。",
                yes="交卷",
            ),
            answer,
        )

    def action_leave(self) -> None:
        from ..widgets.dialogs import ConfirmDialog

        def answer(yes: bool | None) -> None:
            if yes and self.is_active:
                self.session.close()
                self.app.left_case(self.session)
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmDialog("返回案件列表", "返回本轮案件列表？办案记录已自动保存，计时不会暂停。", yes="返回"),
            answer,
        )

    def action_briefing(self) -> None:
        self.app.push_screen(ContestCaseSheet(self.session.scenario))

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            ("案情简介", "再看一遍本案的案情、当事人和要求办理的事项（计时不会暂停）", self.action_briefing),
            ("推进时间", "让案件时间向前推进（到某日，或若干日 / 工作日）", self.action_advance),
            ("交卷", "交卷本案（成绩在本轮结束后公布）", self.action_finish),
            ("返回案件列表", "返回本轮案件列表（计时不会暂停）", self.action_leave),
        ]
