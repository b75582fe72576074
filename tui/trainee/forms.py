"""The parameter form of an act, and the advance-time dialog.

The form is built from the action's declared parameters (sim.params) and its document's fields: one widget
per parameter kind. It never fills anything in for the trainee except the time (the case clock). The engine
does all the work: the form only checks that a time and an amount are well-formed, submits, and shows the
engine's refusal reason when an act is impossible.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from sim.calendar import format_date_zh
from sim.model import ParamKind
from sim.report import document_name

from .briefing import officer_line
from ..widgets.dialogs import Dialog
from ..widgets.guard import when_active
from ..widgets.text import ADVANCE_HELP, DATE_HELP

if TYPE_CHECKING:
    from sim.model import FieldSpec, ParamSpec
    from sim.session import Outcome, Session


class Bench(Protocol):
    """What the forms need of the workbench that opens them (WorkbenchScreen; forms do not import it)."""

    session: Session

    def perform(self, name: str, at: str | None, params: dict[str, Any]) -> Outcome: ...

    def advance(self, to: str) -> Outcome: ...

_ABSOLUTE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?$")
_RELATIVE = re.compile(r"^\+\s*\d+\s*(?:个?工作日|日|天|个?小时)$")


def normalize_time(text: str) -> str | None:
    """A time the engine accepts ('' for the case clock), or None if it is not one of the accepted forms:
    YYYY-MM-DD, YYYY-MM-DD HH:MM, +N 日 / 天 / 工作日 / 小时. Syntax only; the engine resolves it."""
    text = text.strip()
    if not text or _RELATIVE.match(text):
        return text
    m = _ABSOLUTE.match(text)
    if not m:
        return None
    day, hour, minute = m.groups()
    value = day if hour is None else f"{day} {int(hour):02d}:{minute}"
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return value


def day_text(session: Session) -> Text:
    """2026年6月3日（星期三） 工作日 10:20 — the label says 周末 / 春节假期 / 调休上班日 / （暂定）."""
    now = session.now
    day = session.calendar.day(now)
    style = "bold yellow" if day.makeup else ("bold green" if day.workday else "bold red")
    if day.provisional:
        style += " underline"
    return Text.assemble((f"{format_date_zh(now)} ", "bold"), (day.label, style), (f" {now:%H:%M}", "bold"))



def time_preview(bench: Bench, text: str) -> Text:
    """What kind of day an absolute date is (工作日 / 周末 / 假期 / 调休上班日), per the engine calendar."""
    value = normalize_time(text)
    if value is None:
        return Text("格式不正确。" + DATE_HELP, style="red")
    if not value:
        return Text("当前案件时间", style="dim")
    if value.startswith("+"):
        return Text("从当前案件时间起算", style="dim")
    day = bench.session.calendar.day(dt.date.fromisoformat(value[:10]))
    style = "yellow" if day.makeup else ("green" if day.workday else "red")
    return Text.assemble((f"{format_date_zh(day.day)} ", "dim"), (day.label, style))


class TimeText(Validator):
    def validate(self, value: str) -> ValidationResult:
        return self.success() if normalize_time(value) is not None else self.failure("时间格式不正确")


class AmountText(Validator):
    def validate(self, value: str) -> ValidationResult:
        return self.success() if parse_amount(value) is not False else self.failure("金额应为不小于 0 的数字")


def parse_amount(text: str) -> int | float | None | bool:
    """None for empty, the number, or False when it is not a non-negative number."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return False
    if not 0 <= value < float("inf"):  # also rejects NaN
        return False
    return int(value) if value.is_integer() else value


class TimeInput(Input):
    """A time as the trainee types it; read with normalize_time."""

    def __init__(self, value: str = "", *, placeholder: str = DATE_HELP, **kwargs: Any) -> None:
        super().__init__(value, placeholder=placeholder, validators=[TimeText()], compact=True, **kwargs)


class AmountInput(Input):
    """A non-negative amount; read with parse_amount."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(restrict=r"[0-9.]*", validators=[AmountText()], compact=True, **kwargs)


class _Invalid(Exception):
    def __init__(self, widget: Widget, message: str) -> None:
        super().__init__(message)
        self.widget = widget


class ActionForm(Dialog[None]):
    CSS_PATH = Path(__file__).with_name("form.tcss")
    VERTICAL_BREAKPOINTS = [(0, "-short"), (28, "-tall")]
    BINDINGS = [
        Binding("ctrl+s", "submit", "提交", priority=True, id="submit"),
        Binding("f2", "document_view", "文书视图", priority=True, id="document-view"),
        Binding("escape", "cancel", "取消", id="cancel"),
    ]

    def __init__(self, bench: Bench, action: str) -> None:
        super().__init__(classes="dialog-screen")
        self.bench = bench
        self.session = bench.session
        self.spec = self.session.proc.actions[action]

    # --- building -----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        spec, s = self.spec, self.session
        title = Text.assemble(("办理：", "dim"), (spec.label, "bold"))
        if spec.document is not None:
            title.append(f"　制作《{spec.document.name}》", style="cyan")
        with Vertical(id="form-dialog"):
            yield Static(title, id="form-title")
            if s.mode == "practice" and spec.help:
                yield Static(Text(spec.help), id="form-help")
            with VerticalScroll(id="form-fields", can_focus=False):
                yield self._row(
                    "时间",
                    TimeInput(f"{s.now:%Y-%m-%d %H:%M}", id="p-at"),
                    Static(
                        time_preview(self.bench, f"{s.now:%Y-%m-%d %H:%M}"),
                        id="at-preview",
                        classes="field-note",
                    ),
                )
                for pid in spec.params:
                    p = s.proc.params[pid]
                    if p.kind == ParamKind.DOCUMENT:
                        continue
                    yield self._row("" if p.kind == ParamKind.BOOL else p.label, self._param_widget(p))
                if spec.document is not None and "document" in spec.params:
                    yield Static(Text(f"《{spec.document.name}》"), classes="form-section")
                    if not spec.document.fields:
                        yield Static("（本文书没有需要填写的事项）", classes="field-note")
                    for f in spec.document.fields:
                        yield self._row("" if f.kind == "bool" else f.label, self._field_widget(f))
            yield Static(id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("提交（Ctrl+S）", variant="primary", id="form-submit", compact=True)
                yield Button("取消（Esc）", id="form-cancel", compact=True)
        yield Footer()

    @staticmethod
    def _row(label: str, widget: Widget, note: Widget | None = None) -> Horizontal:
        body = Vertical(widget, *([note] if note else []), classes="field-body")
        return Horizontal(Label(Text(label), classes="field-label"), body, classes="field")

    def _param_widget(self, p: ParamSpec) -> Widget:
        s, sc = self.session, self.session.scenario
        wid = f"p-{p.id}"
        k = p.kind
        if k == ParamKind.OFFICERS:
            return SelectionList[str](
                *(Selection(Text(officer_line(o)), o.id) for o in sc.officers), id=wid, compact=True
            )
        if k == ParamKind.EVIDENCE:
            return SelectionList[str](
                *(Selection(Text(e.label), e.id) for e in sc.evidence), id=wid, compact=True
            )
        if k == ParamKind.CHOICES:
            return SelectionList[str](
                *(Selection(Text(o.label), o.id) for o in p.options), id=wid, compact=True
            )
        if k == ParamKind.BOOL:
            return Checkbox(Text(p.label), id=wid, compact=True)
        if k == ParamKind.CHOICE:
            return Select([(Text(o.label), o.id) for o in p.options], prompt="请选择", id=wid, compact=True)
        if k == ParamKind.TARGET:
            made = dict.fromkeys(a.name for a in s.documents() if s.proc.actions[a.name].servable)
            return Select(
                [(Text(document_name(sc, name)), name) for name in made],
                id=wid,
                compact=True,
                prompt="请选择已制作的文书" if made else "（案卷中还没有文书）",
            )
        if k == ParamKind.PHRASE:
            return Select(
                [(Text(ph.text), ph.id) for ph in s.proc.phrases.values()],
                prompt="（不说）",
                id=wid,
                compact=True,
            )
        if k == ParamKind.AMOUNT:
            return AmountInput(placeholder="元", id=wid)
        if k == ParamKind.DATETIME:
            return TimeInput(id=wid)
        return Input(id=wid, compact=True, max_length=5000)

    @staticmethod
    def _field_widget(f: FieldSpec) -> Widget:
        wid = f"d-{f.id}"
        if f.kind == "bool":
            return Checkbox(Text(f.label), id=wid, compact=True)
        if f.kind == "choice":
            return Select([(Text(o.label), o.id) for o in f.options], prompt="请选择", id=wid, compact=True)
        if f.kind == "amount":
            return AmountInput(id=wid)
        return Input(id=wid, compact=True, max_length=5000)

    # --- reading -------------------------------------------------------------------------------------------

    def _value(self, widget: Widget, label: str) -> Any:
        if isinstance(widget, SelectionList):
            return list(widget.selected)
        if isinstance(widget, Checkbox):
            return widget.value
        if isinstance(widget, Select):
            return widget.selection
        assert isinstance(widget, Input)
        if isinstance(widget, AmountInput):
            amount = parse_amount(widget.value)
            if amount is False:
                raise _Invalid(widget, f"「{label}」应为不小于 0 的数字")
            return amount
        if isinstance(widget, TimeInput):
            value = normalize_time(widget.value)
            if value is None:
                raise _Invalid(widget, f"「{label}」格式不正确。{DATE_HELP}")
            return value or None
        return widget.value.strip() or None

    def collect(self) -> tuple[str | None, dict[str, Any]]:
        """(time, parameters) as the engine takes them; raises _Invalid for a malformed time or amount."""
        s, spec = self.session, self.spec
        at = self._value(self.query_one("#p-at"), "时间")
        params: dict[str, Any] = {}
        for pid in spec.params:
            p = s.proc.params[pid]
            if p.kind == ParamKind.DOCUMENT:
                continue
            value = self._value(self.query_one(f"#p-{pid}"), p.label)
            if value is not None:
                params[pid] = value
        if spec.document is not None and "document" in spec.params:
            doc: dict[str, Any] = {}
            for f in spec.document.fields:
                value = self._value(self.query_one(f"#d-{f.id}"), f.label)
                if value is not None:
                    doc[f.id] = value
            params["document"] = doc  # always present, even empty: the rules then read missing fields
        return at, params

    # --- events -------------------------------------------------------------------------------------------

    @on(Input.Changed, "#p-at")
    def _preview(self, event: Input.Changed) -> None:
        self.query_one("#at-preview", Static).update(time_preview(self.bench, event.value))

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Button.Pressed, "#form-submit")
    @when_active
    def action_submit(self) -> None:
        error = self.query_one("#form-error", Static)
        try:
            at, params = self.collect()
        except _Invalid as exc:
            error.update(Text(str(exc), style="bold red"))
            exc.widget.focus()
            return
        out = self.bench.perform(self.spec.id, at, params)
        if out.ok:
            self.dismiss(None)
        else:
            error.update(Text(f"无法办理：{out.reason}", style="bold red"))

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    # --- the document view (tui/trainee/document.py) --------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "document_view":
            spec = self.spec
            return self.is_active and spec.document is not None and bool(spec.document.fields) \
                and "document" in spec.params
        return super().check_action(action, parameters)

    def action_document_view(self) -> None:
        """The document laid out as its printed form, filled in there and brought back into this form."""
        from .document import DocumentView

        doc = self.spec.document
        assert doc is not None
        values: dict[str, Any] = {}
        for f in doc.fields:
            try:
                v = self._value(self.query_one(f"#d-{f.id}"), f.label)
            except _Invalid:
                v = None
            if v is not None:
                values[f.id] = v
        try:  # the date on the form; a relative time (+1 日) or none yet: the case clock
            when = dt.datetime.fromisoformat(normalize_time(self.query_one("#p-at", Input).value) or "")
        except ValueError:
            when = self.session.now
        self.app.push_screen(DocumentView(self.session, self.spec.id, values, when), self._from_document_view)

    def _from_document_view(self, values: dict[str, Any] | None) -> None:
        doc = self.spec.document
        if values is None or doc is None:
            return
        for f in doc.fields:
            w = self.query_one(f"#d-{f.id}")
            v = values.get(f.id)
            if isinstance(w, Checkbox):
                w.value = bool(v)
            elif isinstance(w, Select):
                w.value = v if v is not None else Select.NULL
            elif isinstance(w, Input):
                w.value = "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))


class AdvanceDialog(Dialog[None]):
    """Move the case clock forward: to a date, or by days / working days / hours."""

    CSS_PATH = Path(__file__).with_name("form.tcss")
    BINDINGS = [Binding("escape", "cancel", "取消", id="cancel")]
    QUICK = (
        ("+1 日", "quick-1d"),
        ("+1 工作日", "quick-1w"),
        ("+5 工作日", "quick-5w"),
        ("+15 日", "quick-15d"),
    )

    def __init__(self, bench: Bench) -> None:
        super().__init__(classes="dialog-screen")
        self.bench = bench

    def compose(self) -> ComposeResult:
        with Vertical(id="advance-dialog"):
            yield Static("推进案件时间", id="advance-title")
            yield Static(Text.assemble(("当前：", "dim"), day_text(self.bench.session)), id="advance-now")
            yield TimeInput(placeholder="例如 2026-06-25 或 +3 日", id="advance-to")
            yield Static(ADVANCE_HELP, id="advance-preview", classes="field-note")
            yield Static(id="advance-error")
            with Horizontal(id="advance-quick"):
                for label, bid in self.QUICK:
                    yield Button(label, id=bid, compact=True)
            with Horizontal(id="advance-buttons"):
                yield Button("推进（Enter）", variant="primary", id="advance-ok", compact=True)
                yield Button("取消（Esc）", id="advance-cancel", compact=True)
        yield Footer()

    @on(Input.Changed, "#advance-to")
    def _preview(self, event: Input.Changed) -> None:
        preview = (
            time_preview(self.bench, event.value) if event.value.strip() else Text(ADVANCE_HELP, style="dim")
        )
        self.query_one("#advance-preview", Static).update(preview)

    @on(Button.Pressed, "#advance-quick Button")
    @when_active
    def _quick(self, event: Button.Pressed) -> None:
        self._go(str(event.button.label))

    @on(Input.Submitted, "#advance-to")
    @on(Button.Pressed, "#advance-ok")
    @when_active
    def _submit(self) -> None:
        self._go(self.query_one("#advance-to", Input).value)

    def _go(self, text: str) -> None:
        error = self.query_one("#advance-error", Static)
        value = normalize_time(text)
        if not value:
            error.update(Text("请填写推进到的日期，或 +N 日 / +N 工作日", style="bold red"))
            return
        out = self.bench.advance(value)
        if out.ok:
            self.dismiss(None)
        else:
            error.update(Text(f"无法推进：{out.reason}", style="bold red"))

    @on(Button.Pressed, "#advance-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
