"""Form widgets that behave the way an officer filling a form expects, shared by every form of the UI.

- `Dropdown`: a Select whose list does not wrap round (one Down too many stays on the last option instead of
  landing back on the prompt) and whose key descriptions are Chinese (Textual's own say "Dismiss menu"). Its
  open list is numbered: a digit picks that option; after a pick (digit or Enter) the focus moves on to the
  next field.
- `Checklist` / `Tick`: a SelectionList / Checkbox whose Space ticks and whose Enter moves on (the officer is
  done with the field), with Chinese key descriptions.

- `DateTimeInput`: a time edited as a whole: the text is selected when the field gets the focus (typing
  replaces it), Up / Down move it by one day and Shift+Up / Shift+Down by one hour. Reading and moving the
  text is left to the owner (`shift` callback), so the widget knows nothing of the case clock.

A field the officer is done with (a pick in a Dropdown, Enter in a Checklist or Tick) moves the focus on where
its screen says (the screen's `move_on(widget)`, the act form's next blank field), else to the next field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Checkbox, Input, OptionList, Select, SelectionList
from textual.widgets.option_list import Option


def move_on(widget: Widget) -> None:
    """Move the focus on from a field the officer is done with: where the screen says, else the next field."""
    screen = widget.screen
    hook = getattr(screen, "move_on", None)
    if callable(hook):
        hook(widget)
    else:
        screen.focus_next()


def _no_wrap(options: OptionList) -> None:
    """Make Up / Down stop at the ends of an option list instead of wrapping round."""

    def move(direction: int) -> None:
        count = options.option_count
        here = options.highlighted
        index = (-1 if direction > 0 else count) if here is None else here
        index += direction
        while 0 <= index < count:
            if not options.get_option_at_index(index).disabled:
                options.highlighted = index
                return
            index += direction

    options.action_cursor_down = lambda: move(1)  # type: ignore[method-assign]
    options.action_cursor_up = lambda: move(-1)  # type: ignore[method-assign]


class Dropdown(Select[Any]):
    """A Select that does not wrap round, is numbered (a digit in the open list picks that option) and speaks
    Chinese in the footer. Textual's list is not public, so it is reached as the OptionList it is: its labels
    numbered, its moves and its one footer key adjusted when mounted."""

    BINDINGS = [Binding("enter,down,space,up", "show_overlay", "展开列表", show=False)]
    picked = False  # set by the open list when the trainee picks: the focus then moves on

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["type_to_search"] = False  # a digit picks by number; with search on, the open list would take it
        super().__init__(*args, **kwargs)

    def _on_key(self, event: events.Key) -> None:
        """Keys that reach the Select from its open list (it handles no printable key with search off)."""
        if not self.expanded:
            return
        if event.key == "enter":
            self.picked = True  # the list's own Enter binding then selects the highlighted option
        elif event.character is not None and event.character in "123456789":
            event.stop()
            event.prevent_default()
            index = self.numbered_index(int(event.character))
            if index is not None:
                overlay = self.query_one(OptionList)
                self.picked = True
                overlay.highlighted = index
                overlay.action_select()  # as Enter would: the list posts the selection, the Select takes it

    def _numbered(self) -> list[int]:
        """The indexes of the options that have numbers (1, 2, …), the blank prompt excluded."""
        return [i for i, (_, value) in enumerate(self._options) if value != self.NULL][:9]

    def numbered_index(self, number: int) -> int | None:
        numbered = self._numbered()
        return numbered[number - 1] if 1 <= number <= len(numbered) else None

    def _setup_options_renderables(self) -> None:
        super()._setup_options_renderables()
        overlay = self.query_one(OptionList)
        number = {index: n for n, index in enumerate(self._numbered(), 1)}  # the tenth option on has none
        options = []
        for i, (prompt, value) in enumerate(self._options):
            if value == self.NULL:
                options.append(Option(Text(self.prompt, style="dim")))
                continue
            label = Text(f"{number[i]} " if i in number else "  ", style="bold")
            label.append_text(prompt if isinstance(prompt, Text) else Text(str(prompt)))
            options.append(Option(label))
        overlay.clear_options()
        overlay.add_options(options)

    def _watch_expanded(self, expanded: bool) -> None:
        super()._watch_expanded(expanded)
        if not expanded and self.picked:
            self.picked = False
            self.app.call_later(self._move_on)

    def _move_on(self) -> None:
        if self.is_attached and self.screen.focused is self:
            move_on(self)

    def on_mount(self) -> None:
        overlay = self.query_one(OptionList)
        _no_wrap(overlay)
        keys = overlay._bindings.copy()  # noqa: SLF001 - the description is all that changes
        keys.key_to_bindings["escape"] = [Binding("escape", "dismiss", "收起列表")]
        overlay._bindings = keys  # noqa: SLF001


class Checklist(SelectionList[Any]):
    BINDINGS = [
        Binding("space", "select", "勾选", show=False),
        Binding("enter", "move_on", "下一项", show=False),
    ]

    def action_move_on(self) -> None:
        move_on(self)


class Tick(Checkbox):
    BINDINGS = [
        Binding("space", "toggle_button", "勾选", show=False),
        Binding("enter", "move_on", "下一项", show=False),
    ]

    def action_move_on(self) -> None:
        move_on(self)


class DateTimeInput(Input):
    """A date and time edited as a whole; `shift(text, days, hours)` returns the moved text or None."""

    BINDINGS = [
        Binding("up", "shift(1, 0)", "后一日", show=False),
        Binding("down", "shift(-1, 0)", "前一日", show=False),
        Binding("shift+up", "shift(0, 1)", "后一小时", show=False),
        Binding("shift+down", "shift(0, -1)", "前一小时", show=False),
    ]

    def __init__(
        self,
        value: str = "",
        *,
        shift: Callable[[str, int, int], str | None] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(value, select_on_focus=True, **kwargs)
        self._shift = shift

    def action_shift(self, days: int, hours: int) -> None:
        if self._shift is None:
            return
        moved = self._shift(self.value, days, hours)
        if moved is not None:
            self.value = moved
            self.cursor_position = len(moved)
