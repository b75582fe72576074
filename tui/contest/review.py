"""Review round (案卷评查): read a finished case file, mark each defect with the rule it breaks, hand in.

The file is `sim.contest.review_file(...)`: the numbered steps (acts), the documents they produced and the
timeline. A mark is (step, rule); step 0 is the file as a whole (a period that ran out, a file closed too
early). The rule list is every rule of the case's procedure, by title — it never shows which ones fired.

Marks are saved in the contestant's local store at every change, so a crash loses none; the bundle carries
them as `answers`. The score (sim.contest.score_review) is shown after hand-in only in a practice round; in
an exam round after the round is over.
"""

from __future__ import annotations

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

from sim.contest.model import split_case_ref

from .round import ContestCaseSheet, ContestHeader
from ..widgets.dialogs import FilterPicker
from ..widgets.guard import when_active

if TYPE_CHECKING:
    from sim.contest import Mark, ReviewFile, ReviewScore, RuleChoice

    from ..host import ContestHost

WHOLE_FILE = 0


def review_of(app: ContestHost, ref: str) -> ReviewFile:
    from sim.contest import review_file

    assert app.library is not None
    case, trap = split_case_ref(ref)
    return review_file(app.library.scenarios[case], trap or "")


def score_text(score: ReviewScore, file: ReviewFile, titles: dict[str, str]) -> Text:
    """The review's result as the contestant reads it."""
    text = Text()
    text.append(f" {score.points} 分 ", style="bold reverse")
    text.append(f"　等级 {score.grade}　")
    text.append("通过" if score.passed else "未通过", style="bold green" if score.passed else "bold red")
    if score.veto_missed:
        text.append("　漏查否决项", style="bold red reverse")
    text.append(
        f"\n查准率 {score.precision:.0%}　查全率 {score.recall:.0%}　F1 {score.f1:.2f}\n\n",
    )

    def where(step: int | None) -> str:
        return "整卷" if not step else f"第 {step} 步"

    text.append(f"查对（{len(score.matched)} 处）\n", style="bold green")
    for m in score.matched:
        text.append(f"　{where(m.step)}　{titles.get(m.rule_id, m.rule_id)}\n")
    text.append(f"漏查（{len(score.missed)} 处）\n", style="bold red")
    for d in score.missed:
        text.append(f"　{where(d.step)}　{d.title}〔{d.severity.label}，扣 {d.deduction} 分〕\n")
    text.append(f"误判（{len(score.false_marks)} 处）\n", style="bold yellow")
    for m in score.false_marks:
        text.append(f"　{where(m.step)}　{titles.get(m.rule_id, m.rule_id)}\n")
    return text


def show_score(app: ContestHost, ref: str) -> None:
    from sim.contest import score_review

    from ..widgets.dialogs import InfoDialog

    assert app.library is not None
    case, trap = split_case_ref(ref)
    file = review_of(app, ref)
    score = score_review(app.library.scenarios[case], trap or "", app.review_marks(ref))
    titles = {r.id: r.title for r in file.rules}
    app.push_screen(InfoDialog(f"评查结果 · {file.title}", score_text(score, file, titles)))


class RulePicker(FilterPicker):
    """Pick the rule a step breaks: every rule of the procedure by title, filtered by typing."""

    part = "rule"

    def __init__(self, rules: tuple[RuleChoice, ...], where: str) -> None:
        super().__init__(f"标记问题 · {where}", "输入关键字筛选规则（标题或法律依据）")
        self.rules = rules
        self.where = where

    def options(self, needle: str) -> list[Option]:
        words = needle.lower().split()
        out = []
        for r in self.rules:
            hay = f"{r.title} {r.citations} {r.id}".lower()
            if all(w in hay for w in words):
                prompt = Text(r.title)
                prompt.append(f"　〔{r.severity}〕", style="dim")
                if r.citations:
                    prompt.append(f"\n  {r.citations}", style="dim")
                out.append(Option(prompt, id=r.id))
        return out


class StepTable(DataTable[Any]):
    BINDINGS = [Binding("enter", "select_cursor", "标记问题", id="mark-step")]


class MarkList(OptionList):
    BINDINGS = [Binding("delete,d,backspace", "remove", "删除标记", id="remove-mark")]

    def action_remove(self) -> None:
        screen = self.screen
        if isinstance(screen, ReviewScreen) and self.highlighted is not None:
            screen.remove_mark(self.highlighted)


class ReviewScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("review.tcss")
    AUTO_FOCUS = "#review-steps"
    BINDINGS = [
        Binding("m", "mark", "标记问题", show=False, id="mark"),
        Binding("w", "mark_whole", "整卷问题", id="mark-whole"),
        Binding("b", "briefing", "案情", id="briefing"),
        Binding("f", "hand_in", "交卷", id="hand-in"),
        Binding("1", "tab('tab-steps')", "步骤", show=False, id="tab-steps"),
        Binding("2", "tab('tab-docs')", "文书", show=False, id="tab-docs"),
        Binding("3", "tab('tab-timeline')", "经过", show=False, id="tab-timeline"),
        Binding("escape", "leave", "返回", id="leave"),
    ]

    app: ContestHost

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref

    def compose(self) -> ComposeResult:
        file = review_of(self.app, self.ref)
        self.file = file
        self.titles = {r.id: r.title for r in file.rules}
        yield ContestHeader(id="contest-header")
        yield Static(
            Text(f"案卷评查 · {file.title} · 办理结果：{file.final_state}"),
            classes="subbar",
            id="review-title",
        )
        with Horizontal(id="review-body"):
            with TabbedContent(id="review-tabs", initial="tab-steps"):
                with TabPane("步骤", id="tab-steps"):
                    yield StepTable(id="review-steps", cursor_type="row", zebra_stripes=True)
                with TabPane("文书", id="tab-docs"):
                    with VerticalScroll(id="review-docs-scroll"):
                        yield Static(self._documents(file), id="review-docs")
                with TabPane("经过", id="tab-timeline"):
                    with VerticalScroll(id="review-timeline-scroll"):
                        yield Static(self._timeline(file), id="review-timeline")
            with Vertical(id="review-side"):
                marks = MarkList(id="review-marks")
                marks.border_title = "我的标记"
                yield marks
                yield Static(
                    "选中步骤按 Enter 或 m 标记它违反的规则；w 标记整卷的问题（如期限届满）；"
                    "在标记上按 d 删除；b 再看案情；f 交卷。",
                    id="review-help",
                )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#review-steps", StepTable)
        for key, label in (("n", "步"), ("at", "时间"), ("what", "执法动作"), ("details", "要点")):
            table.add_column(label, key=key)
        for s in self.file.steps:
            what = Text(s.title)
            if s.document:
                what.append(f" {s.document}", style="cyan")
            table.add_row(str(s.number), s.at, what, Text(s.details), key=str(s.number))
        self.show_marks()

    @staticmethod
    def _documents(file: ReviewFile) -> Text:
        text = Text()
        if not file.documents:
            text.append("案卷中没有文书。", style="dim")
        for d in file.documents:
            text.append(f"第 {d.step} 步　{d.name}", style="bold")
            text.append(f"　{d.at}\n", style="dim")
            for label, value in d.fields:
                text.append(f"　{label}：", style="cyan")
                text.append(f"{value}\n", style="dim" if value == "（未填写）" else "")
            if not d.fields:
                text.append("　（已制作）\n", style="dim")
            text.append("\n")
        return text

    @staticmethod
    def _timeline(file: ReviewFile) -> Text:
        text = Text()
        for row in file.timeline:
            text.append(f"{row.at} ", style="dim")
            text.append(f"{row.what}\n")
        return text

    # --- marks ----------------------------------------------------------------------------------------------

    @property
    def marks(self) -> list[Mark]:
        return self.app.review_marks(self.ref)

    def show_marks(self) -> None:
        options = self.query_one("#review-marks", MarkList)
        keep = options.highlighted
        options.clear_options()
        marks = self.marks
        for m in marks:
            where = "整卷" if m.step == WHOLE_FILE else f"第 {m.step} 步"
            title = self.titles.get(m.rule_id, m.rule_id)
            options.add_option(Option(Text.assemble((f"{where}　", "bold"), title)))
        if marks:
            options.highlighted = min(keep or 0, len(marks) - 1)
        options.border_subtitle = f"{len(marks)} 处"

    def add_mark(self, step: int, rule_id: str) -> None:
        from sim.contest import Mark

        marks = self.marks
        mark = Mark(step, rule_id)
        if mark in marks:
            self.notify("这一处已经标记过了。", title="标记", markup=False)
            return
        marks.append(mark)
        marks.sort(key=lambda m: (m.step, self.titles.get(m.rule_id, m.rule_id)))
        self.app.save_marks(self.ref, marks)
        self.show_marks()

    def remove_mark(self, index: int) -> None:
        marks = self.marks
        if 0 <= index < len(marks):
            del marks[index]
            self.app.save_marks(self.ref, marks)
            self.show_marks()

    def _pick(self, step: int) -> None:
        where = "整卷" if step == WHOLE_FILE else f"第 {step} 步"

        def picked(rule_id: str | None) -> None:
            if rule_id:
                self.add_mark(step, rule_id)

        self.app.push_screen(RulePicker(self.file.rules, where), picked)

    @on(DataTable.RowSelected, "#review-steps")
    @when_active
    def _step_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self._pick(int(event.row_key.value))

    def action_mark(self) -> None:
        table = self.query_one("#review-steps", StepTable)
        if not table.row_count:
            return
        self.action_tab("tab-steps")
        self._pick(self.file.steps[table.cursor_row].number)

    def action_mark_whole(self) -> None:
        self._pick(WHOLE_FILE)

    def action_tab(self, tab: str) -> None:
        self.query_one("#review-tabs", TabbedContent).active = tab
        if tab == "tab-steps":
            self.query_one("#review-steps").focus()

    def action_hand_in(self) -> None:
        from ..widgets.dialogs import ConfirmDialog

        app = self.app
        n = len(self.marks)

        def answer(yes: bool | None) -> None:
            if yes and self.is_active:
                app.hand_in_sheet(self.ref)

        after = "交卷后显示评查结果。" if app.mode == "practice" else "成绩在本轮结束后公布。"
        app.push_screen(
            ConfirmDialog(
                "交卷", f"交卷本案卷的评查意见（已标记 {n} 处）？交卷后不能再修改，{after}", yes="交卷"
            ),
            answer,
        )

    def action_briefing(self) -> None:
        assert self.app.library is not None
        self.app.push_screen(ContestCaseSheet(self.app.library.scenarios[split_case_ref(self.ref)[0]]))

    def action_leave(self) -> None:
        self.app.pop_screen()  # marks are saved at every change; the clock keeps running

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            ("标记问题", "为选中的步骤标记它违反的规则", self.action_mark),
            ("整卷问题", "标记整卷的问题（不属于某一步）", self.action_mark_whole),
            ("案情简介", "再看一遍本案的案情和当事人（计时不会暂停）", self.action_briefing),
            ("交卷", "交卷本案卷的评查意见", self.action_hand_in),
            ("返回案件列表", "标记已保存，计时不会暂停", self.action_leave),
        ]
