"""The drafting round in contest mode (文书制作, `kind: drafting`): the contestant gets a case file — the case's
briefing, its evidence and the acts of the case up to the documents asked for — and drafts the documents the
round names, each in the document view (tui/trainee/document.py) laid out as the printed form.

Two tabs: 案情与证据 (what the case file holds) and 制作文书 (the named documents, each with how many of its
blanks are filled and a preview of its finished text; Enter opens it in the document view, Ctrl+S there keeps
what was written, Esc puts back what was there before; every keystroke in the view is saved too, so a time-out
with the view open hands in what is typed). The sheet — {"documents": {act: {field: value}}}, what sim.drafting scores — is saved in
the local store at every change; Ctrl+S on the screen asks before handing in; Esc goes back to the round's
list with the clock running. After hand-in the result (at once in a practice round, after the window in an
exam) is each element right or wrong, with what the contestant wrote, what the reference document has and
what the case's rules found.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from ..trainee.analysis import evidence_text
from ..trainee.briefing import briefing_body
from ..widgets.guard import when_active
from .round import ContestHeader

if TYPE_CHECKING:
    from sim.model import DocumentSpec, Scenario
    from sim.session import ActRecord, Session

    from ..host import ContestHost


class DraftingCase:
    """The reference path of a case played once: the record (date, number) each named document stands at, and
    the acts before the first of them (the case file's history)."""

    def __init__(self, scenario: Scenario, documents: tuple[str, ...]) -> None:
        from sim.selftest import play_steps

        self.scenario = scenario
        self.documents = documents
        ref = scenario.references[0]
        self.session: Session
        self.session, _ = play_steps(scenario, ref.steps, script=ref.script)
        acts = [a for a in self.session.acts if isinstance(a.params.get("document"), dict)]
        self.records: dict[str, ActRecord] = {}
        for a in acts:
            if a.name in documents and a.name not in self.records:
                self.records[a.name] = a
        first = min((a.index for a in self.records.values()), default=0)
        self.before = [a for a in self.session.acts if a.index < first]

    def spec(self, action: str) -> DocumentSpec:
        doc = self.scenario.procedure.actions[action].document
        assert doc is not None
        return doc

    def number(self, action: str) -> str:
        from sim.report import document_number

        return document_number(self.session, self.records[action])

    def history(self) -> Text:
        """The acts of the case before the documents to draft (what the case file already records)."""
        text = Text("案卷记载的办案经过\n", style="bold")
        for a in self.before:
            text.append(f"　· {a.at:%Y年%-m月%-d日 %H:%M}　{a.label}\n")
        if not self.before:
            text.append("　（要制作的文书之前没有其他执法行为）\n", style="dim")
        names = "、".join(self.spec(d).name for d in self.documents)
        text.append(f"\n本轮要求制作：{names}\n", style="bold")
        return text


def filled(case: DraftingCase, sheet: dict[str, Any], action: str) -> tuple[int, int]:
    """(blanks filled, blanks) of one document of the sheet."""
    values = sheet.get("documents", {}).get(action, {})
    fields = case.spec(action).fields
    return sum(1 for f in fields if values.get(f.id) not in (None, "")), len(fields)


class DraftingScreen(Screen[None]):
    """One case of a drafting round (see the module docstring)."""

    CSS_PATH = Path(__file__).with_name("drafting.tcss")
    BINDINGS = [
        Binding("ctrl+s", "hand_in", "交卷", id="hand-in", priority=True),
        Binding("ctrl+t", "switch_tab", "案情/文书", id="switch-tab", priority=True),
        Binding("escape", "back", "返回", id="back"),
    ]

    app: ContestHost

    def __init__(self, ref: str, case: DraftingCase, sheet: dict[str, Any]) -> None:
        super().__init__()
        self.ref = ref
        self.case = case
        docs = sheet.get("documents") if isinstance(sheet, dict) else None
        self.sheet: dict[str, Any] = {"documents": {
            d: dict(docs[d]) for d in case.documents if isinstance(docs, dict) and isinstance(docs.get(d), dict)}}
        self.fresh = not any(self.sheet["documents"].values())

    def compose(self) -> ComposeResult:
        sc = self.case.scenario
        yield ContestHeader(id="contest-header")
        yield Static(Text(f"文书制作 · {sc.title}"), classes="subbar", id="dr-title")
        with TabbedContent(id="dr-tabs", initial="dr-tab-facts" if self.fresh else "dr-tab-docs"):
            with TabPane("案情与证据", id="dr-tab-facts"):
                yield briefing_body(sc, Static(evidence_text(sc), id="dr-evidence"),
                                    Static(self.case.history(), id="dr-history"))
            with TabPane("制作文书", id="dr-tab-docs"):
                yield Static(Text("选定文书按 Enter 在文书视图中填写；全部写好后按 Ctrl+S 交卷。", style="dim"),
                             id="dr-hint")
                yield OptionList(*self._options(), id="dr-docs")
                with VerticalScroll(id="dr-preview-box", can_focus=False):
                    yield Static(self._preview(self.case.documents[0]), id="dr-preview")
        yield Footer()

    def on_mount(self) -> None:
        if self.fresh:
            self.query_one("#brief-body").focus()
        else:
            self.query_one("#dr-docs", OptionList).focus()

    def _options(self) -> list[Option]:
        out = []
        for d in self.case.documents:
            n, m = filled(self.case, self.sheet, d)
            state = Text("未填写", style="dim") if n == 0 else Text(f"已填 {n} / {m} 栏",
                                                                   style="green" if n == m else "yellow")
            out.append(Option(Text.assemble(self.case.spec(d).name, "　", state), id=d))
        return out

    def _preview(self, action: str) -> Text:
        from sim.report import form_text

        rec = self.case.records[action]
        text = Text("成文预览\n", style="bold cyan")
        text.append(form_text(self.case.scenario, action, self.sheet["documents"].get(action, {}), rec.at,
                              self.case.number(action), width=36))
        return text

    def _current(self) -> str:
        ol = self.query_one("#dr-docs", OptionList)
        i = ol.highlighted if ol.highlighted is not None else 0
        return self.case.documents[i]

    @on(OptionList.OptionHighlighted, "#dr-docs")
    def _highlighted(self) -> None:
        self.query_one("#dr-preview", Static).update(self._preview(self._current()))

    @on(OptionList.OptionSelected, "#dr-docs")
    def _open(self, event: OptionList.OptionSelected) -> None:
        from ..trainee.document import DocumentView

        action = str(event.option.id)
        rec = self.case.records[action]
        before = dict(self.sheet["documents"].get(action, {}))

        class View(DocumentView):
            """The document view, each keystroke kept in the local store (time-out hands in what is typed)."""

            def _refresh(inner) -> None:  # noqa: N805 - the view; `self` is the drafting screen
                super()._refresh()
                self._keep(action, inner.values, quiet=True)

        view = View(self.case.session, action, before, rec.at)
        view.number = self.case.number(action)
        self.app.push_screen(view, lambda values: self._drafted(action, values, before))

    def _keep(self, action: str, values: dict[str, Any], *, quiet: bool = False) -> None:
        kept: dict[str, Any] = {}
        for f in self.case.spec(action).fields:
            v = values.get(f.id)
            if f.kind == "amount" and isinstance(v, str):  # not a number: the blank is left empty, and said so
                if not quiet:
                    self.app.notify(f"「{f.label}」应填写数字（元），「{v[:20]}」未保存。", title="未保存",
                                    severity="warning", markup=False)
                continue
            if v is not None and v != "" and v is not False:  # an unticked box is not written (as the act form)
                kept[f.id] = v
        self.sheet["documents"][action] = kept
        self.changed()

    def _drafted(self, action: str, values: dict[str, Any] | None, before: dict[str, Any]) -> None:
        self._keep(action, before if values is None else values)  # Esc in the view: what was there before
        ol = self.query_one("#dr-docs", OptionList)
        at = ol.highlighted
        ol.clear_options()
        ol.add_options(self._options())
        ol.highlighted = at
        self.query_one("#dr-preview", Static).update(self._preview(action))

    def changed(self) -> None:
        self.app.save_sheet(self.ref, self.sheet)

    @when_active
    def action_switch_tab(self) -> None:
        tabs = self.query_one("#dr-tabs", TabbedContent)
        tabs.active = "dr-tab-docs" if tabs.active == "dr-tab-facts" else "dr-tab-facts"
        if tabs.active == "dr-tab-docs":
            self.query_one("#dr-docs", OptionList).focus()
        else:
            self.query_one("#brief-body").focus()

    @when_active
    def action_hand_in(self) -> None:
        from .sheets import confirm_hand_in

        self.changed()
        parts = []
        for d in self.case.documents:
            n, m = filled(self.case, self.sheet, d)
            parts.append(f"{self.case.spec(d).name}已填 {n} / {m} 栏")
        confirm_hand_in(self.app, self.ref, f"本案文书（{'；'.join(parts)}）")

    def action_back(self) -> None:
        self.changed()  # saved; the clock keeps running
        self.app.pop_screen()


def result_text(case: DraftingCase, sheet: dict[str, Any], score: Any, library: Any) -> Text:
    """A scored sheet element by element: right or wrong, what was written, what the reference document has,
    what the case's rules found; findings between documents after."""
    from sim.drafting import model_sheet
    from sim.weakspots import rule_names

    model = model_sheet(case.scenario, case.documents)["documents"]
    text = Text()
    text.append(f"得分 {score.points} 分", style="bold")
    right = sum(1 for e in score.elements if e.right)
    text.append(f"（{right} / {len(score.elements)} 栏正确）\n")
    for d in case.documents:
        spec = case.spec(d)
        text.append(f"\n{spec.name}\n", style="bold cyan")
        mine = sheet.get("documents", {}).get(d, {})
        for e in (e for e in score.elements if e.document == d):
            f = spec.field(e.field)
            label = f.label if f is not None else e.field
            text.append("　✓ " if e.right else "　✗ ", style="green" if e.right else "bold red")
            text.append(label + (f"（权重 {e.weight:g}）" if e.weight != 1 else ""))
            text.append("\n")
            if e.right:
                continue
            written = _shown(f, mine.get(e.field))
            text.append(f"　　所写：{written}\n", style="dim")
            text.append(f"　　参考：{_shown(f, model.get(d, {}).get(e.field))}\n", style="dim")
            for p in e.problems:
                text.append(f"　　{p}\n", style="red")
    if score.cross:
        text.append("\n文书之间\n", style="bold cyan")
        for title, cites in rule_names(library, case.scenario.id, score.cross):
            text.append(f"　✗ {title}" + (f"（{cites}）" if cites else "") + "\n", style="red")
    return text


def _shown(f: Any, v: Any) -> str:
    if v is None or v == "":
        return "（未填写）"
    if f is not None and f.kind == "bool":
        return "是" if v else "否"
    if f is not None and f.kind == "choice":
        return next((o.label for o in f.options if o.id == v), str(v))
    return str(v)


class DraftingResultScreen(Screen[None]):
    """A handed-in drafting sheet, scored element by element (see result_text)."""

    CSS_PATH = Path(__file__).with_name("drafting.tcss")
    AUTO_FOCUS = "#dr-result-body"
    BINDINGS = [Binding("escape,q", "back", "返回", id="back")]

    app: ContestHost

    def __init__(self, case: DraftingCase, sheet: dict[str, Any], score: Any) -> None:
        super().__init__()
        self.case = case
        self.sheet = sheet
        self.score = score

    def compose(self) -> ComposeResult:
        yield ContestHeader(id="contest-header")
        yield Static(Text(f"文书制作结果 · {self.case.scenario.title}"), classes="subbar", id="dr-result-title")
        with VerticalScroll(id="dr-result-body"):
            yield Static(result_text(self.case, self.sheet, self.score, self.app.library), id="dr-result")
        yield Footer()

    def action_back(self) -> None:
        self.app.pop_screen()
