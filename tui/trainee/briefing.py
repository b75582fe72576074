"""The briefing: what happened, where, who the party is, who is on the team — then start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from ..widgets.guard import when_active
from ..widgets.text import MODE_HELP, MODE_LABELS, PARTY_KINDS, POWER_SOURCES, Prose, paragraphs, stars, wall_time

if TYPE_CHECKING:
    from sim.model import Officer, Scenario
    from sim.store import Attempt

    from ..host import TraineeHost


def officer_line(o: Officer) -> str:
    """张明　执法队员　豫执A41130001 — with the note that matters (无执法证, 证件过期) when not certified."""
    line = "　".join((o.name, o.role or "—", o.cert_no or "无执法证号"))
    if not o.certified:
        line += f"　〔{o.note or '无有效执法证'}〕"
    return line


def power_text(power: dict[str, object]) -> str:
    """The matter and where the township's power over it comes from. A case with no power ('none') shows
    only the matter: saying so would give the lesson away."""
    item = str(power.get("item") or "—")
    source = POWER_SOURCES.get(str(power.get("source")))
    if source is None:
        return item
    where = power.get("list") or power.get("basis")
    return f"{item}（{source}" + (f"：{where}）" if where else "）")


def briefing_body(sc: Scenario, *extra: Static) -> VerticalScroll:
    """What the case says before the first act: type, procedure, matter, when it was discovered, the story
    (which ends with what the trainee is asked to do), the party and the team. The trainee's briefing, the
    contest's and the sheet re-read from the workbench show the same body; `extra` goes below it (a case
    analysis adds the evidence)."""
    from sim.calendar import LegalCalendar, format_date_zh

    day = LegalCalendar.default().day(sc.discovered)
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold", no_wrap=True)
    meta.add_column()
    for label, value in (
        ("类型", sc.case_type or "—"),
        ("程序", sc.procedure.title),
        ("难度", stars(sc.difficulty)),
        ("标签", "、".join(sc.tags) or "—"),
        ("事项", power_text(sc.power)),
        ("发现", f"{format_date_zh(sc.discovered)} {day.label} {sc.discovered:%H:%M}"),
    ):
        meta.add_row(label, Text(value))
    party = sc.party
    party_text = Text()
    party_text.append("当事人　", style="bold")
    party_text.append(
        "　".join(
            str(x)
            for x in (party.get("name"), PARTY_KINDS.get(party.get("kind", ""), ""), party.get("address"))
            if x
        )
    )
    team = Text()
    team.append("执法队伍（办理时从中选择在场人员）\n", style="bold")
    for o in sc.officers:
        team.append(f"　{officer_line(o)}\n", style="" if o.certified else "yellow")
    return VerticalScroll(
        Static(meta, id="brief-meta"),
        Static(Prose(paragraphs(sc.briefing)), id="brief-text"),
        Static(Prose(party_text), id="brief-party"),
        Static(team, id="brief-team"),
        *extra,
        id="brief-body",
    )


class BriefingScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("briefing.tcss")
    BINDINGS = [
        Binding("enter", "start", "开始演练", id="start"),
        Binding("m", "toggle_mode", "切换模式", id="toggle-mode"),
        Binding("c", "resume", "继续上次", id="resume"),
        Binding("g", "graph", "状态图", id="graph"),
        Binding("escape", "back", "返回案例库", id="back"),
    ]

    app: TraineeHost

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def _open_attempt(self) -> Attempt | None:
        store = self.app.store
        if store is None:
            return None
        return next(
            (a for a in store.open_attempts(self.app.trainee) if a.scenario == self.scenario.id), None
        )

    def compose(self) -> ComposeResult:
        sc = self.scenario
        yield Static(Text(f"案情简介 · {sc.title}"), classes="bar", id="brief-title")
        yield briefing_body(sc)
        yield Static("", id="brief-mode")
        with Horizontal(id="brief-buttons"):
            yield Button("开始演练（Enter）", variant="primary", id="brief-start", compact=True)
            yield Button("切换模式（m）", id="brief-mode-button", compact=True)
            yield Button("继续上次（c）", id="brief-resume", compact=True)
            yield Button("返回（Esc）", id="brief-back", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False  # keys are the screen's bindings; the buttons are for the mouse
        self._show_mode()

    async def show_scenario(self, scenario: Scenario) -> None:
        """Show another version of the case (the library was reloaded after its file changed)."""
        self.scenario = scenario
        await self.recompose()
        self.on_mount()

    def _show_mode(self) -> None:
        mode = self.app.mode
        text = Text()
        text.append(f" {MODE_LABELS[mode]}模式 ", style="bold reverse")
        text.append(f"　{MODE_HELP[mode]}")
        attempt = self._open_attempt()
        if attempt is not None:
            text.append(
                f"\n本案有一次未完成的演练（{MODE_LABELS.get(attempt.mode, attempt.mode)}，"
                f"开始于 {wall_time(attempt.started)}），按 c 继续。",
                style="yellow",
            )
        self.query_one("#brief-mode", Static).update(text)
        self.query_one("#brief-resume").display = attempt is not None
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_active:
            return False  # keys typed quickly can reach a screen a dialog has just covered
        if action == "resume":
            return self._open_attempt() is not None
        if action == "graph":
            return self.app.mode == "practice"  # exam mode: the procedure map would give the answer away
        return True

    @on(Button.Pressed, "#brief-start")
    @when_active
    def action_start(self) -> None:
        self.app.start_session(self.scenario)

    @on(Button.Pressed, "#brief-mode-button")
    def action_toggle_mode(self) -> None:
        self.app.mode = "exam" if self.app.mode == "practice" else "practice"
        self._show_mode()

    @on(Button.Pressed, "#brief-resume")
    @when_active
    def action_resume(self) -> None:
        attempt = self._open_attempt()
        if attempt is not None:
            self.app.resume_attempt(attempt)

    def action_graph(self) -> None:
        self.app.open_graph(self.scenario)

    @on(Button.Pressed, "#brief-back")
    @when_active
    def action_back(self) -> None:
        self.app.pop_screen()


class CaseSheet(Screen[None]):
    """The briefing re-read from the workbench (key b): the same body, nothing to start; any of Esc, b or Enter
    goes back to the case."""

    CSS_PATH = Path(__file__).with_name("briefing.tcss")
    AUTO_FOCUS = "#brief-body"
    BINDINGS = [Binding("escape,b,enter", "back", "返回办案", key_display="Esc", id="back")]

    app: TraineeHost

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        yield Static(Text(f"案情简介 · {self.scenario.title}"), classes="bar", id="brief-title")
        yield briefing_body(self.scenario)
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active

    def action_back(self) -> None:
        self.app.pop_screen()
