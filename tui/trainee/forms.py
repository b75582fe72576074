"""The parameter form of an act, and the advance-time dialog.

The form is built from the action's declared parameters (sim.params) and its document's fields: one widget
per parameter kind. It fills in only what the trainee already decided in this case: the time (the case
clock), what an officer keeps from one act to the next (the team on duty, credentials shown, recording: shown
as one line, Ctrl+O opens them), the choices and amounts of the same parameter in the last act that had it,
the penalty the investigation report proposed, and the document just made as the one to serve. When the focus
first enters the document (the officer starts drafting it), its blank fields get what the case file already
knows (sim.casefile), and those texts follow the form's time, team and document served until the officer
edits them; a document the focus never entered stays blank, which the engine reads as not drafted. Ctrl+R
fills again what was emptied since; Ctrl+L picks a provision for a legal-basis (依据) field from the whole law
catalogue, Ctrl+G offers a text field's usual wordings (the template's `wordings`, right and wrong alike) as a
numbered list. The form opens on the first field still blank; Enter (in a text field, a list or a box) or a
pick moves on to the next blank field, past what was carried over or filled (Tab visits every field); Enter
in the last field submits; Ctrl+Up / Ctrl+Down move the act's time by a day from any field. The engine does
all the work: the form only checks that a time and an amount are
well-formed, submits, and shows the engine's refusal reason when an act is impossible.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from sim.calendar import format_date_zh
from sim.casefile import known_choices, known_penalty, known_texts
from sim.model import ParamKind
from sim.report import document_name

from .briefing import officer_line
from ..widgets.dialogs import Dialog
from ..widgets.fields import Checklist, DateTimeInput, Dropdown, Tick
from ..widgets.guard import when_active
from ..widgets.text import ADVANCE_HELP, DATE_HELP, Prose

if TYPE_CHECKING:
    from sim.calendar import DayInfo
    from sim.model import FieldSpec, ParamSpec
    from sim.session import Outcome, Session


class Bench(Protocol):
    """What the forms need of the workbench that opens them (WorkbenchScreen; forms do not import it)."""

    session: Session

    def perform(self, name: str, at: str | None, params: dict[str, Any]) -> Outcome: ...

    def advance(self, to: str) -> Outcome: ...

_ABSOLUTE = re.compile(r"^(?:(\d{4})-)?(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_RELATIVE = re.compile(r"^\+\s*\d+\s*(?:个?工作日|日|天|个?小时)$")


def normalize_time(text: str, now: dt.datetime | None = None) -> str | None:
    """A time the engine accepts ('' for the case clock), or None if it is not one of the accepted forms:
    YYYY-MM-DD, YYYY-MM-DD HH:MM, +N 日 / 天 / 工作日 / 小时; with the case clock `now` also the short forms
    an officer types: HH:MM (that day), M-D and M-D HH:MM (that year). Syntax only; the engine resolves it."""
    text = text.strip()
    if not text or _RELATIVE.match(text):
        return text
    clock = _CLOCK.match(text)
    if clock and now is not None:
        text = f"{now:%Y-%m-%d} {text}"
    m = _ABSOLUTE.match(text)
    if not m:
        return None
    year, month, day, hour, minute = m.groups()
    if year is None:
        if now is None:
            return None
        year = str(now.year)
    try:
        value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        return None
    return f"{value:%Y-%m-%d}" if hour is None else f"{value:%Y-%m-%d %H:%M}"


def shift_time(session: Session, text: str, days: int, hours: int) -> str | None:
    """The entry moved by days / hours (Up / Down in a time field), written out in full; from the case clock
    when empty; None if the entry cannot be read."""
    value = normalize_time(text, session.now)
    if value is None:
        return None
    try:
        moment = session.resolve_time(value or None)
    except ValueError:
        return None
    moved = moment + dt.timedelta(days=days, hours=hours)
    if len(value) == 10 and not hours:
        return f"{moved:%Y-%m-%d}"
    return f"{moved:%Y-%m-%d %H:%M}"


def status_text(day: DayInfo) -> Text:
    """工作日 / 休息日 / 法定节假日（春节）, with 调休上班 and 暂定 where they apply."""
    style = "yellow" if day.makeup else ("green" if day.workday else "red")
    text = day.status
    if day.makeup:
        text += "（调休上班）"
    elif day.holiday is not None:
        text += f"（{day.holiday}）"
    if day.provisional:
        text += "（暂定）"
    return Text(text, style=style)


def day_text(session: Session) -> Text:
    """2026年6月3日（星期三） 工作日 10:20 — the label says 周末 / 春节假期 / 调休上班日 / （暂定）."""
    now = session.now
    day = session.calendar.day(now)
    style = "bold yellow" if day.makeup else ("bold green" if day.workday else "bold red")
    if day.provisional:
        style += " underline"
    return Text.assemble((f"{format_date_zh(now)} ", "bold"), (day.label, style), (f" {now:%H:%M}", "bold"))


def time_preview(bench: Bench, text: str) -> Text:
    """The moment an entry resolves to (relative entries included), with the day's legal status."""
    s = bench.session
    value = normalize_time(text, s.now)
    if value is None:
        return Text("格式不正确。" + DATE_HELP, style="red")
    try:
        moment = s.resolve_time(value or None)
    except ValueError as exc:
        return Text(str(exc), style="red")
    out = Text()
    if not value:
        out.append("当前案件时间：", style="dim")
    elif value.startswith("+"):
        out.append("即 ", style="dim")
    out.append(f"{format_date_zh(moment)} {moment:%H:%M} ", style="dim")
    out.append_text(status_text(s.calendar.day(moment)))
    if moment < s.now:
        out.append("　早于当前案件时间", style="bold red")
    return out


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


class TimeText(Validator):
    def __init__(self, now: Callable[[], dt.datetime] | None = None) -> None:
        super().__init__()
        self.now = now

    def validate(self, value: str) -> ValidationResult:
        ok = normalize_time(value, self.now() if self.now else None) is not None
        return self.success() if ok else self.failure("时间格式不正确")


class TimeInput(DateTimeInput):
    """A time as the trainee types it (read with normalize_time against the case clock); Up / Down move it
    by a day, Shift+Up / Shift+Down by an hour."""

    def __init__(self, session: Session, value: str = "", *, placeholder: str = DATE_HELP, **kwargs: Any) -> None:
        super().__init__(
            value,
            shift=lambda text, days, hours: shift_time(session, text, days, hours),
            placeholder=placeholder,
            validators=[TimeText(lambda: session.now)],
            **kwargs,
        )


class AmountInput(Input):
    """A non-negative amount; read with parse_amount."""

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        super().__init__(value, restrict=r"[0-9.]*", validators=[AmountText()], compact=True, **kwargs)


# What an officer keeps from one act to the next: the team on duty, credentials shown, the recording.
KEPT = ("officers", "credentials_shown", "recorded", "record_made")
# Parameter kinds whose last value in the case carries over to the next act that has the same parameter.
_CARRIED = frozenset((ParamKind.OFFICERS, ParamKind.BOOL, ParamKind.CHOICE, ParamKind.CHOICES, ParamKind.AMOUNT))


def carried_values(session: Session, params: Any) -> dict[str, Any]:
    """For each parameter of an act, the value the trainee gave it in the latest act of this case that had
    it (only kinds that carry over: team, yes/no, choices, amounts; never evidence, words, times or text)."""
    out: dict[str, Any] = {}
    for pid in params:
        p = session.proc.params.get(pid)
        if p is None or p.kind not in _CARRIED:
            continue
        for a in reversed(session.acts):
            if pid in a.params:
                out[pid] = a.params[pid]
                break
    return out


class WordingPicker(Dialog["str | None"]):
    """The usual wordings of a text field as a numbered list: a digit or Enter takes one, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="cancel")]

    def __init__(self, label: str, wordings: tuple[str, ...]) -> None:
        super().__init__(classes="dialog-screen")
        self.label = label
        self.wordings = wordings

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="wording-dialog"):
            yield Static(Text(f"常用表述 · {self.label}"), classes="dialog-title")
            yield OptionList(
                *(Option(Text.assemble((f"{i} ", "bold"), w)) for i, w in enumerate(self.wordings, 1)),
                id="wording-list",
            )
            yield Static("数字或↑↓ Enter 选用　Esc 取消", classes="field-note")

    def on_mount(self) -> None:
        options = self.query_one("#wording-list", OptionList)
        options.highlighted = 0
        options.focus()

    def on_key(self, event: Any) -> None:
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.wordings):
            event.stop()
            self.dismiss(self.wordings[int(event.character) - 1])

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.wordings[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


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
        Binding("ctrl+r", "fill", "从案卷填写", priority=True, id="fill"),
        Binding("ctrl+o", "team", "更改执法人员", priority=True, id="team"),
        Binding("ctrl+l", "cite", "选取依据", priority=True, id="cite"),
        Binding("ctrl+g", "wording", "常用表述", priority=True, id="wording"),
        Binding("ctrl+up", "move_time(1)", "时间后移一日", show=False, priority=True),
        Binding("ctrl+down", "move_time(-1)", "时间前移一日", show=False, priority=True),
        Binding("escape", "cancel", "取消", id="cancel"),
    ]

    def __init__(self, bench: Bench, action: str) -> None:
        super().__init__(classes="dialog-screen")
        self.bench = bench
        self.session = bench.session
        self.spec = self.session.proc.actions[action]
        self.carried = carried_values(self.session, self.spec.params)
        # The team, credentials and recording fold into one line when all of them carry over.
        kept = [pid for pid in self.spec.params if pid in KEPT]
        self.folded = bool(kept) and all(pid in self.carried for pid in kept)
        self._auto: dict[str, str] = {}  # document text fields the case file filled, with the text it put in
        self._drafting = False  # the focus has entered the document (or Ctrl+R): the case file's text is in it
        self._last_cite: tuple[str, str | None] = ("", None)  # the law picker reopens there: filter, provision

    # --- building -----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        spec, s = self.spec, self.session
        title = Text.assemble(("办理：", "dim"), (spec.label, "bold"))
        if spec.document is not None:
            title.append(f"　制作《{spec.document.name}》", style="cyan")
        with Vertical(id="form-dialog"):
            yield Static(title, id="form-title")
            if s.mode == "practice" and spec.help:
                yield Static(Prose(spec.help), id="form-help")
            with VerticalScroll(id="form-fields", can_focus=False):
                yield self._row(
                    "时间",
                    TimeInput(s, f"{s.now:%Y-%m-%d %H:%M}", id="p-at"),
                    Static(
                        time_preview(self.bench, f"{s.now:%Y-%m-%d %H:%M}"),
                        id="at-preview",
                        classes="field-note",
                    ),
                )
                if self.folded:
                    yield self._row("执法人员", Static(self._kept_text(), id="kept"))
                for pid in spec.params:
                    p = s.proc.params[pid]
                    if p.kind == ParamKind.DOCUMENT:
                        continue
                    row = self._row("" if p.kind == ParamKind.BOOL else p.label, self._param_widget(p))
                    if pid in KEPT:
                        row.add_class("kept")
                        row.display = not self.folded
                    yield row
                if spec.document is not None and "document" in spec.params:
                    section = Text(f"《{spec.document.name}》")
                    if any(f.kind == "text" for f in spec.document.fields):
                        section.append("　进入即按案卷填入已知内容", style="dim")
                    yield Static(section, classes="form-section")
                    if not spec.document.fields:
                        yield Static("（本文书没有需要填写的事项）", classes="field-note")
                    for f in spec.document.fields:
                        yield self._row("" if f.kind == "bool" else f.label, self._field_widget(f))
            yield Static(id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("提交（Ctrl+S）", variant="primary", id="form-submit", compact=True)
                yield Button("取消（Esc）", id="form-cancel", compact=True)
        yield Footer()

    def _kept_text(self) -> Text:
        sc, params = self.session.scenario, self.session.proc.params
        parts = []
        for pid in (p for p in self.spec.params if p in KEPT):
            value = self.carried[pid]
            if pid == "officers":
                parts.append("、".join((o.name if (o := sc.officer(i)) else i) for i in value))
            else:
                parts.append(params[pid].label if value else f"未{params[pid].label}")
        text = Text("；".join(parts))
        text.append("（沿用上一动作，Ctrl+O 更改）", style="dim")
        return text

    @staticmethod
    def _row(label: str, widget: Widget, note: Widget | None = None) -> Horizontal:
        body = Vertical(widget, *([note] if note else []), classes="field-body")
        return Horizontal(Label(Prose(label), classes="field-label"), body, classes="field")

    def _param_widget(self, p: ParamSpec) -> Widget:
        s, sc = self.session, self.session.scenario
        wid = f"p-{p.id}"
        k = p.kind
        if k == ParamKind.OFFICERS:
            kept = self.carried.get(p.id) or ()
            return Checklist(
                *(Selection(Text(officer_line(o)), o.id, o.id in kept) for o in sc.officers),
                id=wid,
                compact=True,
            )
        if k == ParamKind.EVIDENCE:
            had = self._collected()
            return Checklist(
                *(Selection(Text.assemble(e.label, ("（已取得）" if e.id in had else "", "dim")), e.id)
                  for e in sc.evidence),
                id=wid,
                compact=True,
            )
        if k == ParamKind.CHOICES:
            kept = self.carried.get(p.id) or ()
            return Checklist(
                *(Selection(Text(o.label), o.id, o.id in kept) for o in p.options), id=wid, compact=True
            )
        if k == ParamKind.BOOL:
            return Tick(Text(p.label), bool(self.carried.get(p.id)), id=wid, compact=True)
        if k == ParamKind.CHOICE:
            known = {o.id for o in p.options}
            value = self.carried.get(p.id)
            return Dropdown(
                [(Text(o.label), o.id) for o in p.options],
                prompt="请选择",
                id=wid,
                compact=True,
                value=value if value in known else Select.NULL,
            )
        if k == ParamKind.TARGET:
            made = list(dict.fromkeys(a.name for a in s.documents() if s.proc.actions[a.name].servable))
            return Dropdown(
                [(Text(document_name(sc, name)), name) for name in made],
                id=wid,
                compact=True,
                prompt="请选择已制作的文书" if made else "（案卷中还没有文书）",
                value=self._unserved(made) or Select.NULL,
            )
        if k == ParamKind.PHRASE:
            return Dropdown(
                [(Text(ph.text), ph.id) for ph in s.proc.phrases.values()],
                prompt="（不说）",
                id=wid,
                compact=True,
            )
        if k == ParamKind.AMOUNT:
            amount = self.carried.get(p.id)
            return AmountInput(value="" if amount is None else str(amount), placeholder="元", id=wid)
        if k == ParamKind.DATETIME:
            return TimeInput(s, id=wid)
        return Input(id=wid, compact=True, max_length=5000)

    def _collected(self) -> set[str]:
        """The evidence earlier acts of this case collected (marked in the list, which opens past them)."""
        return {e for a in self.session.acts for e in a.params.get("evidence") or ()}

    def _unserved(self, made: list[str]) -> str | None:
        """The latest document in the file that no act of this kind has taken as its target yet."""
        taken = {a.params.get("target") for a in self.session.acts if a.name == self.spec.id}
        return next((name for name in reversed(made) if name not in taken), None)

    @staticmethod
    def _field_widget(f: FieldSpec) -> Widget:
        wid = f"d-{f.id}"
        if f.kind == "bool":
            return Tick(Text(f.label), id=wid, compact=True)
        if f.kind == "choice":
            return Dropdown([(Text(o.label), o.id) for o in f.options], prompt="请选择", id=wid, compact=True)
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
            value = normalize_time(widget.value, self.session.now)
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
                # An unticked box is a blank on the paper, as an empty text is: a document nothing was entered
                # in is empty (the record and receipt rules read an empty document as not drafted).
                if value is not None and value is not False:
                    doc[f.id] = value
            params["document"] = doc  # always present, even empty: the rules then read missing fields
        return at, params

    # --- events -------------------------------------------------------------------------------------------

    def _fields(self) -> list[Widget]:
        """The form's fields in focus order (the time first), without the buttons."""
        box = self.query_one("#form-fields")
        return [w for w in self.focus_chain if box in w.ancestors]

    @staticmethod
    def _blank(widget: Widget) -> bool:
        if isinstance(widget, SelectionList):
            return not widget.selected
        if isinstance(widget, Checkbox):
            return not widget.value
        if isinstance(widget, Select):
            return widget.selection is None
        return isinstance(widget, Input) and not widget.value.strip()

    def first_blank(self) -> Widget | None:
        """The first field after the time that nothing has filled yet: where the officer's work starts."""
        return next((w for w in self._fields() if w.id != "p-at" and self._blank(w)), None)

    def on_mount(self) -> None:
        for sl in self.query("#p-evidence").results(SelectionList):
            had = self._collected()  # the list's highlight starts at the first item not yet collected
            fresh = next((i for i in range(sl.option_count) if sl.get_option_at_index(i).value not in had), None)
            if fresh is not None:
                sl.highlighted = fresh
        if self._fill_penalty():
            note = "处罚种类和金额已按调查终结报告的处理意见填入（可修改）"
            self.query_one("#form-error", Static).update(Text(note, style="green"))
        target = self._into_document(self.first_blank(), self.first_blank)  # the form may open in its document
        if target is not None:
            target.focus()

    def _into_document(self, target: Widget | None, blank: Callable[[], Widget | None]) -> Widget | None:
        """Where the focus goes next: `target`, unless it is the document's first entry; then the case file's
        text is filled in first and the focus goes to what `blank` finds still blank (else to `target`)."""
        if target is not None and (target.id or "").startswith("d-") and not self._drafting:
            self._start_document()
            return blank() or target
        return target

    def _text_fields(self, test: Callable[[FieldSpec], bool]) -> list[tuple[FieldSpec, Input]]:
        doc = self.spec.document
        if doc is None or "document" not in self.spec.params:
            return []
        return [(f, self.query_one(f"#d-{f.id}", Input)) for f in doc.fields if f.kind == "text" and test(f)]

    def _target(self, test: Callable[[FieldSpec], bool]) -> tuple[FieldSpec, Input] | None:
        """The focused text field if it qualifies, else the first blank one that does, else the first."""
        fields = self._text_fields(test)
        for f, w in fields:
            if w is self.focused:
                return f, w
        return next(((f, w) for f, w in fields if not w.value.strip()), fields[0] if fields else None)

    def _after(self, widget: Widget) -> None:
        """Move the focus on from `widget` (after a pick that filled it), as Enter would."""
        widget.focus()
        self.move_on(widget)

    def action_move_time(self, days: int) -> None:
        """Move the act's time by a day from whichever field has the focus (Up / Down do it in the field)."""
        at = self.query_one("#p-at", Input)
        moved = shift_time(self.session, at.value, days, 0)
        if moved is not None:
            at.value = moved

    @when_active
    def action_cite(self) -> None:
        """Pick a provision from the whole law catalogue into a legal-basis field; several picks join with 、."""
        from sim.analysis import article_options

        from .analysis import ArticlePicker

        target = self._target(lambda f: "依据" in f.label)
        library = getattr(self.app, "library", None)
        if target is None or library is None:
            return
        field, widget = target

        needle, current = self._last_cite

        def picked(key: str | None) -> None:
            widget.focus()
            if key:
                self._last_cite = (picker.needle, key)
                label = library.articles[key].label
                widget.value = f"{widget.value.rstrip('、 ')}、{label}" if widget.value.strip() else label
                widget.cursor_position = len(widget.value)

        picker = ArticlePicker(article_options(library.articles), field.label, needle=needle, current=current)
        self.app.push_screen(picker, picked)

    @when_active
    def action_wording(self) -> None:
        """Offer the focused (or first blank) text field's usual wordings; the one taken fills the field."""
        target = self._target(lambda f: bool(f.wordings))
        if target is None:
            return
        field, widget = target

        def picked(text: str | None) -> None:
            if text is None:
                widget.focus()
                return
            widget.value = f"{widget.value.rstrip('，。 ')}，{text}" if widget.value.strip() else text
            self.call_after_refresh(self._after, widget)  # once the form has its focus back

        self.app.push_screen(WordingPicker(field.label, field.wordings), picked)

    def action_team(self) -> None:
        """Unfold the carried-over team, credentials and recording, and put the focus on the first."""
        rows = list(self.query(".kept"))
        if not rows:
            return
        for row in rows:
            row.display = True
        if self.folded:
            self.folded = False
            self.query_one("#kept", Static).parent.parent.display = False  # type: ignore[union-attr]
        rows[0].query(".field-body > *").first().focus()

    def _entries(self) -> tuple[dt.datetime | None, dict[str, Any]]:
        """The act's time and parameters as the form holds them now (a malformed entry: none yet)."""
        try:
            at_text, params = self.collect()
        except _Invalid:
            at_text, params = None, {}
        try:
            at = self.session.resolve_time(at_text) if at_text else None
        except ValueError:
            at = None
        return at, params

    def _fill_penalty(self) -> int:
        """The penalty kind and fine the investigation report proposed, into the form's blank penalty entries
        (the officer's own proposal, carried to the notice and the decision as a choice is carried over)."""
        _, params = self._entries()
        filled = 0
        for pid, value in known_penalty(self.session, self.spec.id).items():
            widget = self.query_one(f"#p-{pid}")
            if pid in params:
                continue  # the officer already chose: keep it
            if isinstance(widget, Select):
                widget.value = value
            elif isinstance(widget, Input):
                widget.value = str(value)
            filled += 1
        return filled

    def _fill_known(self) -> int:
        """Fill what the case file already knows into the blank fields (the penalty the report proposed, the
        document's texts, the choices made in the same field of an earlier document); never overwrites an
        entry. Returns how many fields it filled."""
        filled = self._fill_penalty()
        at, params = self._entries()
        for fid, known in known_texts(self.session, self.spec.id, params, at).items():
            field = self.query_one(f"#d-{fid}", Input)
            if not field.value.strip():
                field.value = known.text
                self._auto[fid] = known.text
                filled += 1
        for fid, value in known_choices(self.session, self.spec.id).items():
            widget = self.query_one(f"#d-{fid}")
            if isinstance(widget, Checkbox) and not widget.value and value is True:
                widget.value = True
                filled += 1
            elif isinstance(widget, Select) and widget.selection is None:
                widget.value = value
                filled += 1
        return filled

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The focus enters the document for the first time (Tab, a click): the officer starts drafting it."""
        if (event.widget.id or "").startswith("d-"):
            self._start_document()

    def _start_document(self) -> None:
        """The officer starts drafting the document: what the case file already knows is filled in now, once
        (a document nobody opened stays blank: the engine reads a blank document as not drafted)."""
        if self._drafting or not self.check_action("fill", ()):
            return
        self._drafting = True
        filled = self._fill_known()
        if filled:
            note = f"已按案卷填入 {filled} 项（可修改，Ctrl+R 补填清空的项目）"
            self.query_one("#form-error", Static).update(Text(note, style="green"))

    def _follow_entries(self) -> None:
        """After a change of the form's own entries (the time, the team, the document served, the penalty):
        the text fields that still hold what the case file filled (or are still blank) say what the file says
        now; a field the officer wrote or changed is left alone."""
        if not self._drafting or self.spec.document is None or "document" not in self.spec.params:
            return
        at, params = self._entries()
        known = known_texts(self.session, self.spec.id, params, at)
        for f, widget in self._text_fields(lambda f: True):
            if widget.value != self._auto.get(f.id, ""):
                continue  # the officer's own words
            text = known[f.id].text if f.id in known else ""
            if text != widget.value:
                self._auto[f.id] = text
                widget.value = text

    @on(Input.Changed, "#p-at, AmountInput")
    @on(SelectionList.SelectedChanged)
    @on(Select.Changed)
    def _entries_changed(self, event: Any) -> None:
        widget = event.control
        if widget is not None and (widget.id or "").startswith("p-"):
            self._follow_entries()

    def action_fill(self) -> None:
        """Fill every empty field of the document with what the case file already says (the form did so when
        the focus entered the document; this fills what was emptied or became known since)."""
        self._drafting = True
        filled = self._fill_known()
        note = f"已从案卷填写 {filled} 项" if filled else "案卷中没有可填入的内容（空白的项目需要自己填写）"
        self.query_one("#form-error", Static).update(Text(note, style="green" if filled else "dim"))
        blank = self.first_blank()
        if blank is not None:  # the officer writes what the file cannot know: start there
            blank.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fill":
            doc = self.spec.document
            return doc is not None and any(f.kind == "text" for f in doc.fields)
        if action == "team":
            return bool(self.query(".kept"))
        if action == "cite":
            return bool(self._text_fields(lambda f: "依据" in f.label)) and \
                getattr(self.app, "library", None) is not None
        if action == "wording":
            return bool(self._text_fields(lambda f: bool(f.wordings)))
        if action == "document_view":  # the document view (tui/trainee/document.py)
            spec = self.spec
            return self.is_active and spec.document is not None and bool(spec.document.fields) \
                and "document" in spec.params
        return super().check_action(action, parameters)

    @on(Input.Changed, "#p-at")
    def _preview(self, event: Input.Changed) -> None:
        self.query_one("#at-preview", Static).update(time_preview(self.bench, event.value))

    def move_on(self, widget: Widget) -> None:
        """The officer is done with `widget` (Enter, a pick): on to the next field still blank, skipping what
        was carried over or filled from the case file (Tab still visits every field); the next field when none
        after it is blank."""
        fields = self._fields()
        later = fields[fields.index(widget) + 1:] if widget in fields else []

        def blank() -> Widget | None:
            return next((w for w in later if self._blank(w)), None)

        target = self._into_document(blank() or (later[0] if later else None), blank)
        if target is not None:
            target.focus()
        else:
            self.focus_next()  # the last field: on to the buttons

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        fields = self._fields()
        if fields and event.input is fields[-1]:
            self.action_submit()  # Enter on the last field hands the form in
        else:
            self.move_on(event.input)

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
            yield TimeInput(self.bench.session, placeholder="例如 6-25、2026-06-25 或 +3 日", id="advance-to")
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
        value = normalize_time(text, self.bench.session.now)
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
