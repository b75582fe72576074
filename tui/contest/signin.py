"""The sign-in screen (签到): the contestant types the code from their slip before the round opens.

`lawdrill contest run CONTEST --signin` (a browser connection of `lawdrill serve`) shows it to whoever sits down:
the code names the contestant. `contest run --as ID` without `--code` shows it too, for that contestant only.
The checking is sim.contest.signin.SignInDesk (the store, the place, the attempt limiter); this screen only
asks, shows the answer in Chinese and, on success, hands over to the app (`ContestApp.signed_in`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from sim.contest.export import limit_text

if TYPE_CHECKING:
    from ..host import ContestHost


class SignInScreen(Screen[None]):
    """参赛签到: one input, one answer line; nothing of the round is shown before a code is accepted."""

    AUTO_FOCUS = "#signin-code"

    app: ContestHost

    def compose(self) -> ComposeResult:
        app = self.app
        r = app.round
        yield Static(Text(f"{app.contest.name} · {r.title}"), id="signin-title")
        with Vertical(id="signin-center"):
            with Vertical(id="signin-box"):
                yield Static("参赛签到", id="signin-heading")
                assert app.desk is not None
                expected = app.contest.contestant(app.desk.expected) if app.desk.expected else None
                if expected is not None:
                    yield Static(Text(f"参赛人员：{expected.name}（{expected.township}）{expected.id}"),
                                 id="signin-who")
                yield Static(Text(f"本轮限时 {limit_text(r.time_limit)}，开放时间 {r.opens:%m月%d日 %H:%M} 至 "
                                  f"{r.closes:%m月%d日 %H:%M}。"), id="signin-round")
                yield Static("输入签到条上的 8 位签到码后按 Enter（不分大小写，横线可省略）：",
                             id="signin-prompt")
                yield Input(placeholder="例如 ABCD-EFGH", max_length=20, id="signin-code")
                yield Static(id="signin-message")
                yield Static("签到码只供本人使用。首次签到后签到码即与本人的作答绑定；断线或关闭窗口后，"
                             "在同一处重新输入签到码可继续作答。", id="signin-note")
        yield Footer()

    @on(Input.Submitted, "#signin-code")
    def submit(self, event: Input.Submitted) -> None:
        app = self.app
        assert app.desk is not None
        field = self.query_one("#signin-code", Input)
        text = event.value.strip()
        message = self.query_one("#signin-message", Static)
        if not text:
            message.update("请输入签到码。")
            message.set_class(True, "-error")
            return
        outcome = app.desk.attempt(text)
        if outcome.ok:
            app.signed_in()
            return
        field.value = ""
        message.update(Text(outcome.message))
        message.set_class(True, "-error")
