"""The workbench: the case clock, the whole action catalogue, the timeline, the case file, the running
statutory clocks and the event log of one session.

The palette lists every action of the procedure, grouped by phase, whatever the case's state: the interface
must not give away the next step. In practice mode actions that are impossible right now are dimmed (they
can still be chosen, and the engine says why it refuses); in exam mode they all look alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from sim.report import act_details, act_rows, act_title, document_fields, document_name, param_text
from sim.scoring import finding_lines

from ..widgets.guard import when_active
from ..widgets.text import LOG_KINDS, LOG_STYLES, MODE_LABELS, Prose
from .forms import day_text

if TYPE_CHECKING:
    from sim.session import Outcome, Session

    from ..host import TraineeHost

TABS = ("tab-timeline", "tab-file", "tab-clocks", "tab-log", "tab-findings")


class ActionPalette(OptionList):
    """All actions, grouped by phase; Enter opens the parameter form of the highlighted action, Left / Right
    jump to the first action of the previous / next phase (the list is long, a case moves phase by phase)."""

    BINDINGS = [
        Binding("enter", "select", "办理", id="do-action"),
        Binding("right", "phase(1)", "下一阶段", show=False, id="next-phase"),
        Binding("left", "phase(-1)", "上一阶段", show=False, id="previous-phase"),
    ]

    dimmed: Callable[[str], bool] = staticmethod(lambda action: False)  # practice mode: the workbench's own

    def action_phase(self, direction: int) -> None:
        """Highlight the first action of the next (1) or previous (-1) phase that has one (the first not
        dimmed, if any: in practice mode what cannot be done now is dimmed); stay at the ends."""
        heads = [i for i in range(self.option_count) if (self.get_option_at_index(i).id or "").startswith("phase:")]
        here = self.highlighted if self.highlighted is not None else -1
        current = max((h for h in heads if h <= here), default=-1)
        if direction > 0:
            targets = [h for h in heads if h > current]
        else:
            targets = [h for h in reversed(heads) if h < current]
        for head in targets:
            acts = []
            for i in range(head + 1, self.option_count):
                oid = self.get_option_at_index(i).id or ""
                if oid.startswith("phase:"):
                    break
                acts.append(i)
            if acts:
                self.highlighted = next(
                    (i for i in acts if not self.dimmed(self.get_option_at_index(i).id or "")), acts[0]
                )
                return


class TimelineTable(DataTable[Any]):
    BINDINGS = [Binding("enter", "select_cursor", "查看详情", id="act-detail")]


class WorkbenchScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("workbench.tcss")
    AUTO_FOCUS = "#palette"
    BINDINGS = [
        Binding("t", "advance", "推进时间", id="advance"),
        Binding("b", "briefing", "案情", id="briefing"),
        Binding("h", "hint", "提示", id="hint"),
        Binding("f", "finish", "交卷", id="finish"),
        Binding("g", "graph", "状态图", show=False, id="graph"),  # in F1 help: the footer keeps 帮助 whole at 80 columns
        Binding("1", "tab('tab-timeline')", "时间线", show=False, id="tab-timeline"),
        Binding("2", "tab('tab-file')", "案卷", show=False, id="tab-file"),
        Binding("3", "tab('tab-clocks')", "法定期限", show=False, id="tab-clocks"),
        Binding("4", "tab('tab-log')", "事件", show=False, id="tab-log"),
        Binding("5", "tab('tab-findings')", "问题", show=False, id="tab-findings"),
        Binding("escape", "leave", "暂离", id="leave"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    app: TraineeHost

    def __init__(self, session: Session, attempt_id: str) -> None:
        super().__init__(classes=f"-{session.mode}")
        self.session = session
        self.attempt_id = attempt_id

    @property
    def practice(self) -> bool:
        return self.session.mode == "practice"

    # --- layout ------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        s = self.session
        with Horizontal(id="wb-top"):
            yield Static(Text(f"执法演练 · {s.scenario.title}"), id="wb-title", classes="bar")
            yield Static(
                Text(f"{MODE_LABELS.get(s.mode, s.mode)}模式 · {s.trainee or '未署名'}"),
                id="wb-mode",
                classes="bar",
            )
        yield Static(id="wb-clock", classes="subbar")
        with Horizontal(id="wb-body"):
            with Vertical(id="wb-left"):
                palette = ActionPalette(*self._palette_options(), id="palette")
                palette.border_title = "执法动作"
                if self.practice:
                    palette.dimmed = lambda action: bool(self.session.why_not(action))
                yield palette
                yield Static(id="action-help")
            with TabbedContent(id="wb-tabs", initial="tab-timeline"):
                with TabPane("时间线", id="tab-timeline"):
                    yield TimelineTable(id="timeline", cursor_type="row", zebra_stripes=True)
                    yield Static(
                        "尚未进行执法动作。在左侧选择动作，按 Enter 办理。",
                        id="timeline-empty",
                        classes="empty",
                    )
                with TabPane("案卷", id="tab-file"):
                    with VerticalScroll(id="casefile-scroll"):
                        yield Static(id="casefile")
                with TabPane("法定期限", id="tab-clocks"):
                    yield DataTable(id="clocks", cursor_type="row", zebra_stripes=True)
                    yield Static("目前没有正在计算的法定期限。", id="clocks-empty", classes="empty")
                with TabPane("事件", id="tab-log"):
                    with VerticalScroll(id="log-scroll"):
                        yield Static(id="log")
                if self.practice:  # exam mode: findings wait for the debrief
                    with TabPane("问题 0", id="tab-findings"):
                        with VerticalScroll(id="findings-scroll"):
                            yield Static("目前没有发现问题。", id="wb-findings")
        yield Footer()

    def on_mount(self) -> None:
        timeline = self.query_one("#timeline", TimelineTable)
        timeline.add_column("序", key="n")
        timeline.add_column("时间", key="at")
        timeline.add_column("执法动作", key="what")
        timeline.add_column("要点", key="details")
        clocks = self.query_one("#clocks", DataTable)
        for key, label in (
            ("title", "期限"),
            ("due", "届满日"),
            ("left", "剩余"),
            ("period", "期间"),
            ("start", "起算"),
            ("kind", "要求"),
        ):
            clocks.add_column(label, key=key)
        palette = self.query_one("#palette", ActionPalette)
        palette.highlighted = next(
            (i for i in range(palette.option_count) if not palette.get_option_at_index(i).disabled), None
        )
        self.refresh_case()

    def _palette_options(self) -> list[Option]:
        proc = self.session.proc
        actions = self.session.actions()
        phases = list(proc.phases) + sorted({a.phase for a in actions} - set(proc.phases))
        options: list[Option] = []
        for phase in phases:
            in_phase = [a for a in actions if a.phase == phase]
            if not in_phase:
                continue
            options.append(Option(Text(phase, style="bold"), id=f"phase:{phase}", disabled=True))
            options.extend(Option(self._action_prompt(a.id, a.label), id=a.id) for a in in_phase)
        return options

    def _action_prompt(self, action: str, label: str) -> Text:
        """One line per action (a wrapped label would look like two actions); a long one is cut with an
        ellipsis and named in full in the help under the palette."""
        style = "dim" if self.practice and self.session.why_not(action) else ""
        return Text(f"  {label}", style=style, no_wrap=True, overflow="ellipsis")

    # --- refresh -------------------------------------------------------------------------------------------

    def refresh_case(self) -> None:
        s = self.session
        clocks = s.clocks()
        self._clock_bar(clocks)
        if self.practice:
            palette = self.query_one("#palette", ActionPalette)
            for a in s.actions():
                palette.replace_option_prompt(a.id, self._action_prompt(a.id, a.label))
        self._refresh_timeline()
        self._refresh_casefile()
        self._refresh_clocks(clocks)
        self._refresh_log()
        self._refresh_findings()
        self._show_action_help()

    def _clock_bar(self, clocks: list[Any] | None = None) -> None:
        """Case clock, state and the nearest due date; on a narrow terminal in short form, never cut."""
        s = self.session
        clocks = s.clocks() if clocks is None else clocks
        bar = day_text(s)
        bar.append("　│　")
        bar.append(s.state_label, style="bold")
        if clocks:
            bar.append(f"　│　期限 {len(clocks)} 项，最近届满 {clocks[0].due:%m-%d}")
        if bar.cell_len > self.size.width - 2 and self.size.width:
            day = s.calendar.day(s.now)
            bar = Text.assemble(
                (f"{s.now:%m-%d %H:%M} ", "bold"),
                (day.status, "bold green" if day.workday else "bold red"),
                " │ ",
                (s.state_label, "bold"),
            )
            if clocks:
                bar.append(f" │ 最近届满 {clocks[0].due:%m-%d}")
        self.query_one("#wb-clock", Static).update(bar)

    def on_resize(self) -> None:
        self._clock_bar()

    def _refresh_timeline(self) -> None:
        table = self.query_one("#timeline", TimelineTable)
        keep = table.cursor_row
        table.clear()
        for i, row in enumerate(act_rows(self.session, with_marks=self.practice), 1):
            what = Text(row.what)
            if row.marks:  # practice mode only: exam mode shows no findings before the debrief
                what.append(f"（问题 {row.marks}）", style="bold red")
            table.add_row(str(i), row.at, what, Text(row.details), key=str(i - 1))
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
        table.display = table.row_count > 0
        self.query_one("#timeline-empty").display = table.row_count == 0

    def _refresh_casefile(self) -> None:
        s = self.session
        sc = s.scenario
        text = Text()
        docs = s.documents()
        if not docs:
            text.append("案卷中还没有文书。", style="dim")
        for a in docs:
            text.append(document_name(sc, a.name), style="bold")
            text.append(f"　{a.at:%Y-%m-%d %H:%M} · {a.label}\n", style="dim")
            fields = document_fields(sc, a)
            for label, value in fields:
                text.append(f"　{label}：", style="cyan")
                text.append(f"{value}\n", style="dim" if value == "（未填写）" else "")
            if not fields:
                text.append("　（已制作）\n", style="dim")
            for served in (x for x in s.acts if x.params.get("target") == a.name):
                how = param_text(sc, "method", served.params.get("method")) or "送达"
                text.append(f"　{served.label} {served.at:%Y-%m-%d %H:%M}　{how}", style="green")
                if served.effective is not None and served.effective != served.at:
                    text.append(f"（视为于 {served.effective:%Y-%m-%d} 送达）", style="green")
                text.append("\n")
            text.append("\n")
        self.query_one("#casefile", Static).update(Prose(text))

    def _refresh_clocks(self, clocks: list[Any]) -> None:
        table = self.query_one("#clocks", DataTable)
        table.clear()
        for c in clocks:
            if c.remaining_days >= 0:
                left = Text(
                    f"{c.remaining_days} 日 / {c.remaining_working_days} 个工作日",
                    style="bold red" if c.kind == "within" and c.remaining_working_days <= 2 else "",
                )
            else:
                left = Text(f"已逾期 {-c.remaining_days} 日", style="bold red")
            # 2026-09-01 周二: as the start column writes dates, and short enough that at 80 columns the
            # due date stays whole beside the period's name
            due = Text(f"{c.due:%Y-%m-%d} 周{'一二三四五六日'[c.due.weekday()]}")
            if c.provisional:
                due.append("（暂定）", style="yellow")
            kind = "届满前完成" if c.kind == "within" else "届满后方可"
            title = Text(c.neutral) if c.remaining_days >= 0 else Text(c.title, style="bold red")
            table.add_row(
                title, due, left, Text(c.period), f"{c.start:%Y-%m-%d}", kind, key=c.rule_id
            )
        table.display = bool(clocks)
        self.query_one("#clocks-empty").display = not clocks

    def _refresh_log(self) -> None:
        text = Text()
        for entry in self.session.log:
            if entry.kind == "finding" and not self.practice and not self.session.finished:
                continue  # exam mode: findings wait for the debrief
            text.append(f"{entry.at:%Y-%m-%d %H:%M} ", style="dim")
            text.append(f"[{LOG_KINDS.get(entry.kind, entry.kind)}] ", style=LOG_STYLES.get(entry.kind, ""))
            text.append(f"{entry.text}\n")
        self.query_one("#log", Static).update(Prose(text))
        self.query_one("#log-scroll", VerticalScroll).scroll_end(animate=False)

    def _refresh_findings(self) -> None:
        """Practice mode: every finding so far in one place, newest first; the tab's label counts them."""
        if not self.practice:
            return
        found = self.session.findings
        text = Text()
        for f in reversed(found):
            lines = finding_lines(f, self.session.scenario.articles)
            text.append(f"{f.at:%Y-%m-%d %H:%M}　", style="dim")
            text.append(f"{f.severity.label}\n", style="bold red" if f.severity.value == "critical" else "bold yellow")
            for line in lines:
                text.append(f"　{line}\n")
            text.append("\n")
        self.query_one("#wb-findings", Static).update(Prose(text if found else Text("目前没有发现问题。", style="dim")))
        tabs = self.query_one("#wb-tabs", TabbedContent)
        tabs.get_tab("tab-findings").label = f"问题 {len(found)}"

    @on(OptionList.OptionHighlighted, "#palette")
    def _show_action_help(self) -> None:
        palette = self.query_one("#palette", ActionPalette)
        option = palette.highlighted_option
        help_widget = self.query_one("#action-help", Static)
        if option is None or option.id is None or option.id.startswith("phase:"):
            help_widget.update("")
            return
        spec = self.session.proc.actions[option.id]
        text = Text()
        text.append(f"{spec.label}\n", style="bold")
        if spec.document is not None:
            text.append(f"制作《{spec.document.name}》\n", style="cyan")
        if self.practice:
            text.append(spec.help or "")
        help_widget.update(Prose(text))

    # --- acting ----------------------------------------------------------------------------------------

    def perform(self, name: str, at: str | None, params: dict[str, Any]) -> Outcome:
        """Do one act through the engine (the form calls this); refresh and announce what happened."""
        out = self.session.act(name, at, **params)
        self.refresh_case()
        if out.ok:
            self._highlight_after(name)
            self.announce(out)
        return out

    def _highlight_after(self, name: str) -> None:
        """After an act the palette's highlight moves on to the next act in the palette's order, as a checklist
        is worked down (in practice mode the next one not dimmed, if any): often the next step is one Enter
        away, and the order says nothing the palette does not show."""
        palette = self.query_one("#palette", ActionPalette)
        ids = [palette.get_option_at_index(i).id or "" for i in range(palette.option_count)]
        if name not in ids:
            return
        after = [i for i in range(ids.index(name) + 1, len(ids)) if not ids[i].startswith("phase:")]
        open_now = [i for i in after if not palette.dimmed(ids[i])]
        target = (open_now or after or [None])[0]
        if target is not None:
            palette.highlighted = target

    def advance(self, to: str) -> Outcome:
        out = self.session.advance(to)
        self.refresh_case()
        if out.ok:
            self.announce(out)
        return out

    def announce(self, out: Outcome) -> None:
        """One toast for what was done and one per world event; findings go to the 问题 tab, not toasts.
        Older toasts (a hint, the last act) no longer apply once the case has moved on: they are cleared."""
        self.app.clear_notifications()
        if out.act is not None:
            self.notify(
                f"{act_title(self.session.scenario, out.act)}（{out.act.at:%Y-%m-%d %H:%M}）",
                title="已办理",
                timeout=4,
                markup=False,
            )
        else:
            self.notify(
                f"案件时间已推进到 {self.session.now:%Y-%m-%d %H:%M}",
                title="推进时间",
                timeout=4,
                markup=False,
            )
        for entry in out.events:
            self.notify(entry.text, title="事件", timeout=8, markup=False)

    @on(OptionList.OptionSelected, "#palette")
    @when_active
    def _open_form(self, event: OptionList.OptionSelected) -> None:
        from .forms import ActionForm

        if event.option.id is None or event.option.id.startswith("phase:"):
            return
        self.app.push_screen(ActionForm(self, event.option.id))

    @on(DataTable.RowSelected, "#timeline")
    @when_active
    def _act_detail(self, event: DataTable.RowSelected) -> None:
        from ..widgets.dialogs import InfoDialog

        if event.row_key.value is None:
            return
        act = self.session.acts[int(event.row_key.value)]
        sc = self.session.scenario
        text = Text()
        proc = self.session.proc
        text.append(
            f"{act.at:%Y-%m-%d %H:%M}　{proc.state(act.state_before).label} → "
            f"{proc.state(act.state_after).label}\n\n",
            style="dim",
        )
        for line in act_details(sc, act):
            text.append(f"{line}\n")
        fields = document_fields(sc, act)
        if fields:
            text.append(f"\n{document_name(sc, act.name)}\n", style="bold")
            for label, value in fields:
                text.append(f"　{label}：{value}\n")
        self.app.push_screen(InfoDialog(act_title(sc, act), text))

    def action_advance(self) -> None:
        from .forms import AdvanceDialog

        self.app.push_screen(AdvanceDialog(self))

    def action_briefing(self) -> None:
        """The case's briefing again (facts, party, what is asked), over the workbench."""
        from .briefing import CaseSheet

        self.app.push_screen(CaseSheet(self.session.scenario))

    def action_hint(self) -> None:
        from sim.hints import next_step

        hint = next_step(self.session)
        self.notify("\n".join(hint.lines()), title="提示", timeout=20, markup=False)
        if hint.action is not None:  # the act the hint names is then one Enter away
            palette = self.query_one("#palette", ActionPalette)
            palette.highlighted = palette.get_option_index(hint.action)

    def action_finish(self) -> None:
        from ..widgets.dialogs import ConfirmDialog

        def answer(yes: bool | None) -> None:
            if yes:
                self.app.finish_session(self.session, self.attempt_id)

        self.app.push_screen(
            ConfirmDialog("交卷", "结束本次演练并查看讲评？\n交卷后不能再办理执法动作。", yes="交卷"), answer
        )

    def action_leave(self) -> None:
        from ..widgets.dialogs import ConfirmDialog

        def answer(yes: bool | None) -> None:
            if yes:
                self.session.close()
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmDialog(
                "暂离", "返回案例库？办案记录已自动保存，下次启动或在案情简介中按 c 可继续。", yes="暂离"
            ),
            answer,
        )

    def action_graph(self) -> None:
        self.app.open_graph(self.session.scenario, current=self.session.state)

    def replace_session(self, session: Session, attempt_id: str) -> None:
        """Go on with another session: the same trainee's acts on a new version of the case (a reload)."""
        self.session = session
        self.attempt_id = attempt_id
        self.query_one("#wb-title", Static).update(Text(f"执法演练 · {session.scenario.title}"))
        palette = self.query_one("#palette", ActionPalette)
        keep = palette.highlighted_option.id if palette.highlighted_option is not None else None
        palette.clear_options()
        palette.add_options(self._palette_options())
        if keep is not None and keep in session.proc.actions:
            palette.highlighted = palette.get_option_index(keep)
        self.refresh_case()

    def action_tab(self, tab: str) -> None:
        self.query_one("#wb-tabs", TabbedContent).active = tab

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_active:
            return False  # keys typed quickly can reach a screen a dialog has just covered
        if action == "tab" and parameters == ("tab-findings",):
            return self.practice  # exam mode has no findings tab
        if action in ("hint", "graph"):
            return self.practice  # exam mode: no hints or procedure map at all, not even a greyed-out key
        return True

    def commands(self) -> list[tuple[str, str, Any]]:
        out: list[tuple[str, str, Any]] = []
        if self.practice:
            out.append(("提示", "下一步依法应当做什么，依据哪一条", self.action_hint))
            out.append(("状态图", "本案程序的状态和执法动作，标出当前所处的状态", self.action_graph))
        out += [
            ("案情简介", "再看一遍本案的案情、当事人和要求办理的事项", self.action_briefing),
            ("推进时间", "让案件时间向前推进（到某日，或若干日 / 工作日）", self.action_advance),
            ("交卷", "结束本次演练并查看讲评", self.action_finish),
            ("暂离", "返回案例库，下次继续（进度已自动保存）", self.action_leave),
        ]
        return out
