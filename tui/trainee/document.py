"""The document view (文书视图): a drafted document laid out as its printed form — the title, the number, each
blank of the form in place — filled in field by field, with a preview of the finished text beneath that
follows every keystroke. Opened from the act form (F2); what is filled in here goes back into the form,
which submits the act as before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Input, Label, Select, Static

from sim.report import form_text

from ..widgets.dialogs import Dialog

if TYPE_CHECKING:
    from sim.model import FieldSpec
    from sim.session import Session


class DocumentView(Dialog["dict[str, Any] | None"]):
    """One document as the printed form; dismisses with the field values (None: cancelled)."""

    CSS_PATH = Path(__file__).with_name("document.tcss")
    BINDINGS = [
        Binding("ctrl+s", "done", "填好", priority=True, id="done"),
        Binding("escape", "cancel", "取消", id="cancel"),
    ]

    def __init__(self, session: Session, action: str, values: dict[str, Any], at: dt.datetime) -> None:
        super().__init__(classes="dialog-screen")
        self.session = session
        self.action = action
        self.spec = session.proc.actions[action]
        assert self.spec.document is not None
        self.values = dict(values)
        self.at = at
        self.number = f"〔{at:%Y}〕第{len(session.documents()) + 1}号"

    def compose(self) -> ComposeResult:
        doc = self.spec.document
        assert doc is not None
        with Vertical(id="doc-dialog"):
            yield Static(Text(doc.name, style="bold", justify="center"), id="doc-title")
            yield Static(Text(self.number, style="dim", justify="right"), id="doc-number")
            with VerticalScroll(id="doc-fields", can_focus=False):
                for f in doc.fields:
                    yield Horizontal(Label(Text("" if f.kind == "bool" else f.label), classes="doc-label"),
                                     self._widget(f), classes="doc-field")
            yield Static(self._preview(), id="doc-preview")
        yield Footer()

    def _widget(self, f: FieldSpec) -> Widget:
        wid = f"v-{f.id}"
        v = self.values.get(f.id)
        if f.kind == "bool":
            return Checkbox(Text(f.label), bool(v), id=wid, compact=True)
        if f.kind == "choice":
            return Select([(Text(o.label), o.id) for o in f.options], prompt="请选择", id=wid, compact=True,
                          value=v if v in {o.id for o in f.options} else Select.NULL)
        return Input("" if v is None else str(v), id=wid, compact=True, max_length=5000)

    def _preview(self) -> Text:
        text = Text("成文预览\n", style="bold cyan")
        text.append(form_text(self.session.scenario, self.action, self.values, self.at, self.number, width=36))
        return text

    def _read(self, f: FieldSpec) -> Any:
        w = self.query_one(f"#v-{f.id}")
        if isinstance(w, Checkbox):
            return w.value
        if isinstance(w, Select):
            return w.selection
        assert isinstance(w, Input)
        raw = w.value.strip()
        if f.kind == "amount":
            try:
                return float(raw) if raw and not float(raw).is_integer() else (int(float(raw)) if raw else None)
            except ValueError:
                return raw or None  # the act form says what is wrong with it
        return raw or None

    def _refresh(self) -> None:
        assert self.spec.document is not None
        self.values = {f.id: v for f in self.spec.document.fields if (v := self._read(f)) is not None}
        self.query_one("#doc-preview", Static).update(self._preview())

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self._refresh()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_done(self) -> None:
        self._refresh()
        self.dismiss(self.values)

    def action_cancel(self) -> None:
        self.dismiss(None)
