"""The debrief: score, grade, pass or fail, veto items, every finding with its citation, and the trainee's
timeline beside the reference path. Exports the same report as HTML and Markdown (sim.report)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from sim.model import Severity
from sim.report import (
    Row, act_rows, findings_by_severity, reference_rows, render_case_file_html, render_html, render_markdown,
)
from sim.scoring import finding_lines

from ..widgets.guard import when_active
from ..widgets.text import MODE_LABELS, Prose

if TYPE_CHECKING:
    from sim.scoring import Result
    from sim.session import Session

    from ..host import TraineeHost

SEVERITY_STYLES = {Severity.CRITICAL: "bold red", Severity.MAJOR: "bold yellow", Severity.MINOR: "bold cyan"}


def rows_text(rows: list[Row], *, marks: bool) -> Text:
    text = Text()
    if not rows:
        text.append("（没有进行任何执法动作）", style="dim")
    for i, r in enumerate(rows, 1):
        text.append(f"{i:>2}. ", style="dim")
        text.append(f"{r.at} ", style="cyan")
        text.append(r.what, style="bold")
        if marks and r.marks:
            text.append(f"（问题 {r.marks}）", style="bold red")
        text.append("\n")
        if r.details:
            text.append(f"    {r.details}\n", style="dim")
    return text


class DebriefScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("debrief.tcss")
    AUTO_FOCUS = "#debrief-body"
    BINDINGS = [
        Binding("e", "export", "导出报告", id="export"),
        Binding("escape", "back", "返回", id="back"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    app: TraineeHost

    def __init__(
        self,
        session: Session,
        result: Result,
        attempt_id: str,
        *,
        from_history: bool = False,
        reference_withheld: str = "",
    ) -> None:
        """`reference_withheld`: why the reference path is not shown yet (a contest round still open: the model
        answer would reach contestants still playing); empty shows it."""
        super().__init__()
        self.session = session
        self.result = result
        self.attempt_id = attempt_id
        self.from_history = from_history
        self.reference_withheld = reference_withheld

    def compose(self) -> ComposeResult:
        s, r = self.session, self.result
        sc = s.scenario
        verdict = Text()
        verdict.append(f" {r.score} 分 ", style="bold reverse")
        verdict.append(f"　等级 {r.grade}　")
        verdict.append("通过" if r.passed else "未通过", style="bold green" if r.passed else "bold red")
        if r.vetoed:
            verdict.append("　存在否决项", style="bold red reverse")
        groups = findings_by_severity(r)
        counts = "　".join(f"{sev.label} {len(g)} 项" for sev, g in groups)
        meta = (
            f"学员：{s.trainee or '未署名'}　{MODE_LABELS.get(s.mode, s.mode)}模式　"
            f"结束时案件状态：{s.state_label}\n问题：{counts}"
        )
        findings = Text()
        if not r.findings:
            findings.append("未发现程序错误。", style="green")
        for sev, group in groups:
            if not group:
                continue
            findings.append(f"{sev.label}（{len(group)} 项）\n", style=SEVERITY_STYLES[sev] + " underline")
            for f in group:
                first, *rest = finding_lines(f, sc.articles)
                findings.append(first + "\n", style=SEVERITY_STYLES[sev])
                for line in rest:
                    findings.append(line + "\n")
                findings.append("\n")
        ref_name, ref = ("", []) if self.reference_withheld else reference_rows(sc)
        if self.reference_withheld:
            ref_text = Text(self.reference_withheld, style="dim")
        elif ref:
            ref_text = rows_text(ref, marks=False)
        else:
            ref_text = Text("本案没有参考路径。", style="dim")
        yield Static(
            Text(f"讲评 · {sc.title}" + ("（历史记录）" if self.from_history else "")),
            classes="bar",
            id="debrief-title",
        )
        with VerticalScroll(id="debrief-body"):
            yield Static(Prose(verdict), id="verdict")
            yield Static(Text(meta), id="debrief-meta")
            yield Static("发现的问题", classes="section")
            yield Static(Prose(findings), id="findings")
            yield Static("过程对照", classes="section")
            with Horizontal(id="compare"):
                with Vertical(id="mine-col", classes="compare-col"):
                    yield Static("你的执法过程", classes="col-title")
                    yield Static(Prose(rows_text(act_rows(s), marks=True)), id="mine")
                with Vertical(id="ref-col", classes="compare-col"):
                    yield Static(
                        Text(f"参考路径「{ref_name}」" if ref_name else "参考路径"), classes="col-title"
                    )
                    yield Static(Prose(ref_text), id="reference")
            yield Static("", id="export-path")
        with Horizontal(id="debrief-buttons"):
            yield Button("导出报告（e）", variant="primary", id="debrief-export", compact=True)
            yield Button("返回（Esc）", id="debrief-back", compact=True)
        yield Footer()

    def export(self, formats: tuple[str, ...] = ("html", "md")) -> list[Path]:
        """Write the report (HTML and/or Markdown) and, with "casefile", the case file's documents as printed
        forms (HTML for A4) to <home>/reports/; returns the paths written."""
        s, sc = self.session, self.session.scenario
        folder = self.app.reports_dir()
        folder.mkdir(parents=True, exist_ok=True)
        render = {"html": render_html, "md": render_markdown}
        context = self.app.report_context()
        when = dt.datetime.fromtimestamp(self.app.clock()).astimezone()
        written = []
        for fmt in formats:
            if fmt == "casefile":
                path = folder / f"{self.attempt_id}-{sc.id}-案卷文书.html"
                path.write_text(render_case_file_html(sc, s), encoding="utf-8")
                written.append(path)
                continue
            path = folder / f"{self.attempt_id}-{sc.id}.{fmt}"
            text = render[fmt](sc, s, self.result, context=context, generated=when,
                               reference=not self.reference_withheld)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written

    @on(Button.Pressed, "#debrief-export")
    @when_active
    def _export_pressed(self) -> None:
        self.action_export()

    def action_export(self, formats: tuple[str, ...] = ("html", "md", "casefile")) -> None:
        try:
            paths = self.export(formats)
        except OSError as exc:
            self.notify(f"{exc}", title="导出失败", severity="error", markup=False)
            return
        listing = "\n".join(f"　{p}" for p in paths)
        self.query_one("#export-path", Static).update(Text(f"报告已导出：\n{listing}", style="green"))
        self.notify(listing, title="报告已导出", timeout=8, markup=False)

    @on(Button.Pressed, "#debrief-back")
    @when_active
    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active  # keys typed quickly can reach a screen a dialog has just covered

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            ("导出报告（HTML）", "把讲评写成网页文件（reports 目录）", lambda: self.action_export(("html",))),
            (
                "导出报告（Markdown）",
                "把讲评写成 Markdown 文件（reports 目录）",
                lambda: self.action_export(("md",)),
            ),
            ("历史记录", "查看已完成的演练和成绩", self.app.open_history),
        ]
