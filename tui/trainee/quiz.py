"""A knowledge paper answered question by question (法律知识练习), then scored with each missed answer and its
citation. From the library (key k) the paper is aimed at the trainee's weakest articles
(sim.weakspots.drill_paper); the finished sheet is recorded in the store and feeds the weak spots."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, SelectionList, Static

from ..widgets.guard import when_active

if TYPE_CHECKING:
    from sim.quiz import Paper, PaperItem, QuizScore

    from ..host import TraineeHost

PLACEHOLDER = {"number": "填写数字，如 5000", "period": "填写期限，如 15日、七个工作日、六个月"}


class QuizScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("quiz.tcss")
    AUTO_FOCUS = None  # _show focuses the question's own widget
    BINDINGS = [
        # Priority: the option list would page through its options with these keys.
        Binding("pagedown", "move(1)", "下一题", key_display="PgDn", id="next-question", priority=True),
        Binding("pageup", "move(-1)", "上一题", key_display="PgUp", id="previous-question", priority=True),
        Binding("ctrl+s", "hand_in", "交卷", id="hand-in", priority=True),
        Binding("escape", "back", "返回", id="back"),
    ]

    app: TraineeHost

    BACK_TO = "案例库"  # where Esc goes after the hand-in

    def __init__(self, paper: Paper, title: str, aimed: str = "", answers: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.paper = paper
        self.title_text = title
        self.aimed = aimed  # the weak articles the paper is aimed at, in words
        self.index = 0
        self.answers: dict[str, Any] = dict(answers or {})
        self.result: QuizScore | None = None

    def compose(self) -> ComposeResult:
        yield from self.header()
        yield Static("", classes="subbar", id="quiz-status")
        with VerticalScroll(id="quiz-body"):
            yield Static("", id="quiz-stem")
            yield SelectionList[str](id="quiz-options")
            yield Input(id="quiz-input")
            yield Static("", id="quiz-result")
        yield Footer()

    def header(self) -> ComposeResult:
        """What sits above the status line (the contest header in a contest)."""
        yield Static(Text(self.title_text), classes="bar", id="quiz-title")

    def on_mount(self) -> None:
        if self.result is None:  # a subclass may open on a sheet already scored
            self._show()

    def sheet(self) -> dict[str, Any]:
        """The answers as they are scored and saved: question id -> answer, None when left empty."""
        return {k: v or None for k, v in self.answers.items()}

    def changed(self) -> None:
        """An answer changed (a contest saves the sheet here)."""

    # --- one question at a time -----------------------------------------------------------------------

    @property
    def item(self) -> PaperItem:
        return self.paper.items[self.index]

    def _show(self) -> None:
        from sim.quiz import QKind

        item = self.item
        q = item.question
        answered = sum(1 for v in self.answers.values() if v not in (None, "", []))
        status = f"第 {item.number}/{len(self.paper.items)} 题 · 已作答 {answered} 题"
        self.query_one("#quiz-status", Static).update(Text(status + (f" · {self.aimed}" if self.aimed else "")))
        hint = {QKind.SINGLE: "（单选，空格选定）", QKind.MULTIPLE: "（多选，空格选定，可选多项）",
                QKind.TRUEFALSE: "（判断，空格选定）"}.get(q.kind, "（填空，输入后按 PgDn 下一题）")
        self.query_one("#quiz-stem", Static).update(Text(f"{item.number}.【{q.kind.label}】{q.stem}{hint}"))
        options = self.query_one("#quiz-options", SelectionList)
        field = self.query_one("#quiz-input", Input)
        choice = q.kind in (QKind.SINGLE, QKind.MULTIPLE, QKind.TRUEFALSE)
        options.display, field.display = choice, not choice
        if choice:
            chosen = set(self.answers.get(q.id) or ())
            options.clear_options()
            options.add_options([(f"{item.letter(o.id)}. {o.label}", o.id, o.id in chosen) for o in item.options()])
            options.highlighted = 0
            options.focus()
        else:
            field.value = str(self.answers.get(q.id) or "")
            field.placeholder = PLACEHOLDER.get(q.kind.value, "")
            field.focus()

    def _keep(self) -> None:
        from sim.quiz import QKind

        q = self.item.question
        if q.kind in (QKind.SINGLE, QKind.MULTIPLE, QKind.TRUEFALSE):
            self.answers[q.id] = list(self.query_one("#quiz-options", SelectionList).selected)
        else:
            self.answers[q.id] = self.query_one("#quiz-input", Input).value.strip()

    @on(SelectionList.SelectedChanged, "#quiz-options")
    def _chosen(self, event: SelectionList.SelectedChanged[str]) -> None:
        from sim.quiz import QKind

        q = self.item.question
        selected = list(event.selection_list.selected)
        if q.kind is not QKind.MULTIPLE and len(selected) > 1:  # one answer: the newest choice replaces the old
            old = set(self.answers.get(q.id) or ())
            keep = [s for s in selected if s not in old][:1] or selected[-1:]
            with event.selection_list.prevent(SelectionList.SelectedChanged):
                event.selection_list.deselect_all()
                for s in keep:
                    event.selection_list.select(s)
            selected = keep
        self.answers[q.id] = selected
        self.changed()

    @on(Input.Changed, "#quiz-input")
    def _typing(self, event: Input.Changed) -> None:
        from sim.quiz import QKind

        q = self.item.question
        if self.result is not None or q.kind in (QKind.SINGLE, QKind.MULTIPLE, QKind.TRUEFALSE):
            return
        value = event.value.strip()
        if (self.answers.get(q.id) or "") != value:
            self.answers[q.id] = value
            self.changed()

    @on(Input.Submitted, "#quiz-input")
    def _typed(self) -> None:
        self.action_move(1)

    @when_active
    def action_move(self, step: int) -> None:
        if self.result is not None:
            return
        self._keep()
        self.index = max(0, min(len(self.paper.items) - 1, self.index + step))
        self._show()

    # --- hand in ----------------------------------------------------------------------------------------

    @when_active
    def action_hand_in(self) -> None:
        if self.result is not None:
            return
        from sim.quiz import score_paper

        self._keep()
        self.result = score_paper(self.paper, self.sheet())
        store = self.app.store
        if store is not None:
            store.record_sheet(trainee=self.app.trainee, kind="quiz", ref="practice", title=self.title_text,
                               score=self.result.points, rules=self.result.missed_rules,
                               articles=self.result.missed_articles, finished=self.app.clock(),
                               township=self.app.township)
        self._show_result()

    def _show_result(self) -> None:
        from sim.quiz import QKind
        from sim.scoring import cite_labels

        r = self.result
        assert r is not None
        self.query_one("#quiz-options").display = False
        self.query_one("#quiz-input").display = False
        self.query_one("#quiz-stem", Static).update(Text(f"得分：{r.points} 分（答对 {r.correct} / {r.total} 题）"))
        self.query_one("#quiz-status", Static).update(
            Text(f"已交卷：答错的题、正确答案和法律依据如下；Esc 返回{self.BACK_TO}"))
        articles = self.app.library.articles if self.app.library is not None else {}
        lines = Text()
        for res in r.results:
            if res.correct:
                continue
            item = self.paper.items[res.number - 1]
            q = item.question
            right = q.answer_text()
            if q.kind in (QKind.SINGLE, QKind.MULTIPLE):
                right = "".join(sorted(item.letter(a) for a in q.answer)) + f"（{right}）"
            lines.append(f"第 {res.number} 题  {q.stem}\n", style="bold")
            lines.append(f"  正确答案：{right}\n  依据：{cite_labels(q.articles, articles)}\n")
            if q.explain:
                lines.append(f"  说明：{q.explain}\n")
        if not lines:
            lines.append("全部答对。")
        self.query_one("#quiz-result", Static).update(lines)
        self.query_one("#quiz-body", VerticalScroll).focus()

    @when_active
    def action_back(self) -> None:
        if self.result is None:
            self.notify("未交卷就返回：本次作答不计入学习记录。", markup=False)
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("move", "hand_in") and self.result is not None:
            return None  # shown greyed out once the paper is handed in
        return True
