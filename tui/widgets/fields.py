"""Form widgets that behave the way an officer filling a form expects, shared by every form of the UI.

- `Dropdown`: a Select whose list does not wrap round (one Down too many stays on the last option instead of
  landing back on the prompt) and whose key descriptions are Chinese (Textual's own say "Dismiss menu").
- `Checklist`: a SelectionList with a Chinese description of its toggle key.
- `DateTimeInput`: a time edited as a whole: the text is selected when the field gets the focus (typing
  replaces it), Up / Down move it by one day and Shift+Up / Shift+Down by one hour. Reading and moving the
  text is left to the owner (`shift` callback), so the widget knows nothing of the case clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import _widget_navigation
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Select, SelectionList
from textual.widgets._select import SelectCurrent, SelectOverlay


class DropdownList(SelectOverlay):
    """The open list of a Dropdown: Chinese key descriptions, no wrapping at either end."""

    BINDINGS = [Binding("escape", "dismiss", "收起列表")]

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def _move(self, direction: int) -> None:
        if self.highlighted is None:
            self.highlighted = _widget_navigation.find_first_enabled(self.options)
            return
        found = _widget_navigation.find_next_enabled_no_wrap(
            self.options, anchor=self.highlighted, direction=direction  # type: ignore[arg-type]
        )
        if found is not None:
            self.highlighted = found


class Dropdown(Select[Any]):
    """A Select that does not wrap round and speaks Chinese in the footer."""

    BINDINGS = [Binding("enter,down,space,up", "show_overlay", "展开列表", show=False)]

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield DropdownList(type_to_search=self._type_to_search).data_bind(compact=Select.compact)


class Checklist(SelectionList[Any]):
    BINDINGS = [Binding("space", "select", "勾选", show=False)]


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
