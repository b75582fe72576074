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

from textual.binding import Binding
from textual.widgets import Input, OptionList, Select, SelectionList


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
    """A Select that does not wrap round and speaks Chinese in the footer. Textual's list is not public, so
    the one this Select made is adjusted when mounted: its moves and its one footer key."""

    BINDINGS = [Binding("enter,down,space,up", "show_overlay", "展开列表", show=False)]

    def on_mount(self) -> None:
        overlay = self.query_one(OptionList)
        _no_wrap(overlay)
        keys = overlay._bindings.copy()  # noqa: SLF001 - the description is all that changes
        keys.key_to_bindings["escape"] = [Binding("escape", "dismiss", "收起列表")]
        overlay._bindings = keys  # noqa: SLF001


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
