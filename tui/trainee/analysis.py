"""Case analysis (一事一议, 违法行为分析研判) answered on one screen, then scored element by element.

Two tabs: 案情与证据 (the case's briefing and every piece of evidence the case holds) and 作答, a structured
sheet: 案由 (picked from the violations the library names), the provision violated and the penalty provision
(typed — read as it is typed by the documents' citation parser, which shows what it understood — or picked from
the catalogue with Ctrl+O), for each element of the violation the evidence that proves it, the aggravating and
mitigating circumstances, the disposal and the fine proposed. Ctrl+S hands in; the result screen explains each
element: the points, what the case requires, and each mistake.

From the library (key a) it is practice: the sheet is recorded in the store (feeding the weak spots by
article). The contest app runs the same screen in an analysis round (tui/contest/sheets.py), saving the sheet
at every change.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Select, SelectionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from ..widgets.dialogs import FilterPicker
from ..widgets.guard import when_active
from .briefing import briefing_body

if TYPE_CHECKING:
    from sim.analysis import AnalysisAnswer, AnalysisScore, CaseKey
    from sim.model import Article, Scenario

    from ..host import TraineeHost

CITATION_FIELDS = {"an-violated": "违反的条款", "an-basis": "处罚（处理）依据"}


class ArticlePicker(FilterPicker):
    """Pick a provision from the law catalogue, filtered by typing (law name, number or words of its text)."""

    part = "article"

    def __init__(
        self, articles: tuple[Article, ...], what: str, *, needle: str = "", current: str | None = None
    ) -> None:
        super().__init__(f"从条文目录选取 · {what}", "输入关键字筛选（法律名称、条号或条文内容）",
                         needle=needle, current=current)
        self.articles = articles
        self.what = what

    def options(self, needle: str) -> list[Option]:
        words = needle.split()
        out = []
        for a in self.articles:
            hay = f"{a.label} {a.text}"
            if all(w in hay for w in words):
                prompt = Text(a.label + a.caveat)
                prompt.append(f"\n  {a.text[:60]}", style="dim")
                out.append(Option(prompt, id=a.key))
        return out


def short_label(label: str) -> str:
    """An element's label without its bracketed remark (违法事实（缺少即…） -> 违法事实)."""
    return re.sub(r"（[^（）]*）$", "", label) or label


def evidence_text(sc: Scenario) -> Text:
    text = Text()
    text.append("本案证据材料\n", style="bold")
    for e in sc.evidence:
        text.append(f"　· {e.label}")
        if e.how:
            text.append(f"（{e.how}）", style="dim")
        text.append("\n")
    if not sc.evidence:
        text.append("　（本案没有列明证据）\n", style="dim")
    return text


class AnalysisScreen(Screen[None]):
    """The structured answer sheet of one case (see the module docstring)."""

    CSS_PATH = Path(__file__).with_name("analysis.tcss")
    AUTO_FOCUS = "#an-violation"
    BINDINGS = [
        Binding("ctrl+s", "hand_in", "交卷", id="hand-in", priority=True),
        Binding("ctrl+o", "pick_article", "选取条文", id="pick-article", priority=True),
        Binding("ctrl+t", "switch_tab", "案情/作答", id="switch-tab", priority=True),
        Binding("escape", "back", "返回", id="back"),
    ]

    app: TraineeHost

    def __init__(self, scenario: Scenario, *, answer: AnalysisAnswer | None = None, title: str = "",
                 facts_first: bool = False) -> None:
        from sim.analysis import answer_key

        super().__init__()
        self.scenario = scenario
        self.key: CaseKey = answer_key(scenario)
        self.initial = answer
        self.title_text = title or f"案例分析 · {scenario.title}"
        self.facts_first = facts_first  # open on the case's facts (a contest's fresh sheet)
        self._ready = False

    # --- layout ---------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from sim.analysis import CIRCUMSTANCES, DISPOSALS, violation_options

        assert self.app.library is not None
        sc = self.scenario
        yield from self.header()
        yield Static(Text(self.title_text), classes="subbar", id="an-title")
        with TabbedContent(id="an-tabs", initial="an-tab-facts" if self.facts_first else "an-tab-answer"):
            with TabPane("案情与证据", id="an-tab-facts"):
                yield briefing_body(sc, Static(evidence_text(sc), id="an-evidence"))
            with TabPane("作答", id="an-tab-answer"):
                with VerticalScroll(id="an-form"):
                    yield Static("案由", classes="an-label")
                    self.violations = violation_options(self.app.library.scenarios.values())
                    yield Select([(v, v) for v in self.violations],
                                 prompt="请选择案由", id="an-violation", compact=True)
                    for fid, label in CITATION_FIELDS.items():
                        yield Static(f"{label}（输入条文，如《消防法》第六十条第一款；Ctrl+O 从目录选取）",
                                     classes="an-label")
                        yield Input(placeholder="法律名称和条、款、项，多条用顿号分隔", id=fid, compact=True)
                        yield Static("", id=f"{fid}-read", classes="an-read")
                    for i, el in enumerate(self.key.elements):
                        yield Static(f"证明「{short_label(el.label)}」的证据（空格选定，可多选）", classes="an-label")
                        yield SelectionList[str](*[(e.label, e.id) for e in sc.evidence], id=f"an-ev-{i}",
                                                 classes="an-choices")
                    yield Static("从重、从轻、减轻情节（空格选定，可选多项；没有则不选）", classes="an-label")
                    yield SelectionList[str](*[(f"{label}（{how}）", cid) for cid, (label, how) in CIRCUMSTANCES.items()],
                                             id="an-circumstances", classes="an-choices")
                    yield Static("处理意见", classes="an-label")
                    yield Select([(label, did) for did, label in DISPOSALS.items()], prompt="请选择处理意见",
                                 id="an-disposal", compact=True)
                    yield Static("罚款数额（元，处理意见为罚款时填写）", classes="an-label")
                    yield Input(placeholder="如 1000", id="an-amount", type="integer", compact=True)
        yield Footer()

    def header(self) -> ComposeResult:
        """What sits above the title (the contest header in a contest)."""
        yield Static(Text("执法演练 · 案例分析（一事一议）"), classes="bar", id="an-bar")

    def on_mount(self) -> None:
        if self.initial is not None:
            self.fill(self.initial)
        self._ready = True
        self._show_reads()
        if self.facts_first:
            self.query_one("#brief-body").focus()

    def fill(self, answer: AnalysisAnswer) -> None:
        """Put a saved sheet back on the form (a contest sheet reopened after a crash)."""
        violation = self.query_one("#an-violation", Select)
        if answer.violation in self.violations:
            violation.value = answer.violation
        for fid, cites in (("an-violated", answer.violated), ("an-basis", answer.basis)):
            self.query_one(f"#{fid}", Input).value = "、".join(self._cite_text(c) for c in cites)
        for i, el in enumerate(self.key.elements):
            box = self.query_one(f"#an-ev-{i}", SelectionList)
            for x in answer.evidence.get(el.id, ()):
                box.select(x)
        box = self.query_one("#an-circumstances", SelectionList)
        for c in answer.circumstances:
            box.select(c)
        if answer.disposal:
            self.query_one("#an-disposal", Select).value = answer.disposal
        if answer.amount is not None:
            self.query_one("#an-amount", Input).value = str(answer.amount)

    def _cite_text(self, c: Any) -> str:
        if c.key is not None:
            art = self.app.library.articles.get(c.key) if self.app.library is not None else None
            return art.label if art is not None else c.key
        return c.text or ""

    # --- the answer -----------------------------------------------------------------------------------

    def _index(self) -> Any:
        from sim.analysis import law_index

        if not hasattr(self, "_law_index"):
            lib = self.app.library
            assert lib is not None
            self._law_index = law_index(lib.articles, lib.laws)
        return self._law_index

    def answer(self) -> AnalysisAnswer:
        """The sheet as the form stands."""
        from sim.analysis import AnalysisAnswer, read_citations

        def chosen(sel: Select[str]) -> str:
            return sel.value if isinstance(sel.value, str) else ""

        amount_text = self.query_one("#an-amount", Input).value.strip()
        amount = int(amount_text) if amount_text.isdigit() else None
        return AnalysisAnswer(
            chosen(self.query_one("#an-violation", Select)),
            read_citations(self.query_one("#an-violated", Input).value, self._index()),
            read_citations(self.query_one("#an-basis", Input).value, self._index()),
            {el.id: tuple(self.query_one(f"#an-ev-{i}", SelectionList).selected)
             for i, el in enumerate(self.key.elements)},
            tuple(self.query_one("#an-circumstances", SelectionList).selected),
            chosen(self.query_one("#an-disposal", Select)),
            amount,
        )

    def _show_reads(self) -> None:
        """Under each citation field, what the parser read (so a typo is seen before hand-in)."""
        from sim.analysis import read_citations, resolve

        lib = self.app.library
        assert lib is not None
        for fid in CITATION_FIELDS:
            typed = self.query_one(f"#{fid}", Input).value
            out = Text()
            for c in read_citations(typed, self._index()):
                if resolve(c, lib.articles, laws=self._index()) is None:
                    out.append(f"无法识别「{c.text}」　", style="bold red")
                else:
                    out.append(f"识别为 {c.text}　", style="green")
            self.query_one(f"#{fid}-read", Static).update(out)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(self, event: Any) -> None:
        if not self._ready:
            return
        if isinstance(event, Input.Changed) and event.input.id in CITATION_FIELDS:
            self._show_reads()
        self.changed(self.answer())

    def changed(self, answer: AnalysisAnswer) -> None:
        """The sheet changed (a contest saves it here)."""

    # --- actions --------------------------------------------------------------------------------------

    def action_switch_tab(self) -> None:
        tabs = self.query_one("#an-tabs", TabbedContent)
        tabs.active = "an-tab-facts" if tabs.active == "an-tab-answer" else "an-tab-answer"
        if tabs.active == "an-tab-answer":
            self.query_one("#an-violation").focus()
        else:
            self.query_one("#brief-body").focus()

    @when_active
    def action_pick_article(self) -> None:
        from sim.analysis import article_options

        focused = self.focused
        fid = focused.id if isinstance(focused, Input) and focused.id in CITATION_FIELDS else "an-basis"
        field = self.query_one(f"#{fid}", Input)
        assert self.app.library is not None

        def picked(key: str | None) -> None:
            if key and self.app.library is not None:
                label = self.app.library.articles[key].label
                field.value = f"{field.value.rstrip('、 ')}、{label}" if field.value.strip() else label
                field.focus()

        self.app.push_screen(ArticlePicker(article_options(self.app.library.articles), CITATION_FIELDS[fid]),
                             picked)

    @when_active
    def action_hand_in(self) -> None:
        from sim.analysis import score_analysis

        lib = self.app.library
        assert lib is not None
        answer = self.answer()
        score = score_analysis(self.scenario, answer, lib.articles, lib.laws)
        store = self.app.store
        if store is not None:
            store.record_sheet(trainee=self.app.trainee, kind="analysis", ref=self.scenario.id,
                               title=self.scenario.title, score=score.points,
                               rules=tuple(dict.fromkeys(m.code for m in score.mistakes)),
                               articles=score.missed_articles, finished=self.app.clock(),
                               township=self.app.township)
        self.app.switch_screen(AnalysisResultScreen(self.scenario, answer, score))

    @when_active
    def action_back(self) -> None:
        self.notify("未交卷就返回：本次作答不计入学习记录。", markup=False)
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active


def result_text(scenario: Scenario, answer: AnalysisAnswer, score: AnalysisScore,
                articles: dict[str, Article]) -> Text:
    """Each element: the points, what the case requires, what was answered wrong (the result screen and the
    contest's result dialog show the same text)."""
    from sim.analysis import CIRCUMSTANCES, DISPOSALS, answer_key
    from sim.scoring import cite_labels

    key = answer_key(scenario)
    ev = {e.id: e.label for e in scenario.evidence}
    text = Text()
    grade = "优秀" if score.points >= 90 else "良好" if score.points >= 80 else "合格" if score.points >= 60 else "不合格"
    text.append(f" {score.points} 分 ", style="bold reverse")
    text.append(f"　等级 {grade}　（逐项评分：满分 {sum(e.weight for e in score.elements)} 分折算为百分制）\n\n")

    def required(element: str) -> str:
        if element == "violation":
            return f"「{key.violation}」"
        if element == "violated":
            return cite_labels(key.violated, articles)
        if element == "basis":
            return cite_labels(key.basis, articles)
        if element == "evidence":
            return "；".join(f"{short_label(el.label)}：{'、'.join(ev.get(x, x) for x in el.evidence)}"
                            for el in key.elements)
        if element == "circumstances":
            return "、".join(CIRCUMSTANCES[c][0] for c in key.circumstances or ()) or "本案没有应当认定的情节"
        band = f"，罚款幅度 {key.band[0]} 元至 {key.band[1]} 元" if key.band else ""
        return DISPOSALS[key.disposal] + band

    for e in score.elements:
        full = e.full
        text.append("✓ " if full else "✗ ", style="bold green" if full else "bold red")
        text.append(f"{e.label}　{e.earned:.1f} / {e.weight} 分\n", style="bold")
        text.append(f"　应为：{required(e.id)}\n", style="dim" if full else "")
        for m in score.mistakes:
            if m.element == e.id:
                text.append(f"　· {m.message}\n", style="red")
    if key.circumstances is None:
        text.append("\n本案不评判从重从轻情节（案例作者未列明）。\n", style="dim")
    if key.amount is not None and key.disposal == "fine":
        text.append(f"参考处理：罚款 {key.amount} 元。\n", style="dim")
    if scenario.analysis is not None and scenario.analysis.note:
        text.append(f"说明：{scenario.analysis.note}\n")
    return text


class AnalysisResultScreen(Screen[None]):
    """The scored sheet, element by element (see result_text)."""

    CSS_PATH = Path(__file__).with_name("analysis.tcss")
    AUTO_FOCUS = "#an-result-body"
    BINDINGS = [Binding("escape,q", "back", "返回", id="back")]

    app: TraineeHost

    def __init__(self, scenario: Scenario, answer: AnalysisAnswer, score: AnalysisScore, *,
                 note: str = "") -> None:
        super().__init__()
        self.scenario = scenario
        self.answer = answer
        self.score = score
        self.note = note

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield Static(Text(f"分析结果 · {self.scenario.title}"), classes="subbar", id="an-result-title")
        articles = self.app.library.articles if self.app.library is not None else {}
        with VerticalScroll(id="an-result-body"):
            yield Static(result_text(self.scenario, self.answer, self.score, articles), id="an-result")
            if self.note:
                yield Static(Text(self.note, style="dim"), id="an-result-note")
        yield Footer()

    def header(self) -> ComposeResult:
        yield Static(Text("执法演练 · 案例分析（一事一议）"), classes="bar", id="an-bar")

    def action_back(self) -> None:
        self.app.pop_screen()
