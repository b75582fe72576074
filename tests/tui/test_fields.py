"""The shared form widgets: a dropdown stops at its ends and says its keys in Chinese."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, OptionList
from tui_helpers import keys

from tui.widgets.fields import Dropdown


class One(App[None]):
    def compose(self) -> ComposeResult:
        yield Dropdown([("甲", "a"), ("乙", "b"), ("丙", "c")], prompt="请选择", id="dd")
        yield Footer()


async def test_the_list_does_not_wrap_and_its_footer_key_is_chinese():
    app = One()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await keys(pilot, "enter")
        overlay = app.query_one("#dd").query_one(OptionList)
        await keys(pilot, *["down"] * 8)
        assert overlay.highlighted == overlay.option_count - 1  # stays on 丙, never back to 请选择
        await keys(pilot, *["up"] * 8)
        assert overlay.highlighted == 0
        descriptions = [b.binding.description for b in app.screen.active_bindings.values() if b.binding.show]
        assert "收起列表" in descriptions and "Dismiss menu" not in descriptions
