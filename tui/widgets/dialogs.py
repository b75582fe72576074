"""Small modal dialogs: the trainee's name and township, the resume offer (and the offer for a journal that
cannot be resumed), a yes/no confirmation, and the help screen.

Styled by app.tcss (they are small and shared); the major screens have their own .tcss files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from .text import FORM_KEYS, MODE_LABELS, wall_time

if TYPE_CHECKING:
    from sim.store import Attempt


ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal screen that closes once: keys typed fast (Enter Enter) reach it again before it is gone,
    and a second dismiss would pop the screen underneath and run the caller's callback twice."""

    _dismissing = False

    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        if self._dismissing or not self.is_active:  # not active: something covers it; that one closes first
            return AwaitComplete()
        self._dismissing = True
        return super().dismiss(result)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active


class NameDialog(Dialog[tuple[str, str] | None]):
    """The trainee's name and township: asked once on the first run (and with n on the library to change
    them). Dismissed with (name, township); the township may be left empty."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="cancel")]

    def __init__(self, current: str = "", township: str = "", *, required: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self.current = current
        self.township = township
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="name-dialog"):
            yield Static("学员姓名", classes="dialog-title")
            yield Static(
                "请输入你的姓名。成绩和历史记录按姓名保存，下次启动会自动记住。", classes="dialog-text"
            )
            yield Input(self.current, placeholder="例如：王小明", id="name-input", max_length=40)
            yield Static("所在乡镇（可不填；用于按乡镇统计薄弱环节）", classes="dialog-text", id="township-label")
            yield Input(self.township, placeholder="例如：城关镇", id="township-input", max_length=40)
            yield Static("", id="name-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("确定", variant="primary", id="name-ok")

    @on(Input.Submitted, "#name-input")
    @on(Input.Submitted, "#township-input")
    @on(Button.Pressed, "#name-ok")
    def _submit(self) -> None:
        name = self.query_one("#name-input", Input).value.strip()
        if not name:
            self.query_one("#name-error", Static).update("姓名不能为空")
            return
        self.dismiss((name, self.query_one("#township-input", Input).value.strip()))

    def action_cancel(self) -> None:
        if self.required:
            self.query_one("#name-error", Static).update("请先输入姓名")
            return
        self.dismiss(None)


class ChoiceDialog(Dialog[str | None]):
    """A dialog dismissed with the choice of a key binding (`choose('…')`) or of a button (CHOICES maps button
    ids to choices; any other button is "later")."""

    CHOICES: dict[str, str] = {}

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.CHOICES.get(event.button.id or "", "later"))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class ResumeDialog(ChoiceDialog):
    """继续 / 放弃 / 稍后 for an attempt that was not finished (crash, power cut, or the trainee left)."""

    CHOICES = {"resume-yes": "resume", "resume-abandon": "abandon"}

    BINDINGS = [
        Binding("c", "choose('resume')", "继续", id="resume"),
        Binding("d", "choose('abandon')", "放弃", id="abandon"),
        Binding("escape", "choose('later')", "稍后", id="later"),
    ]

    def __init__(self, attempt: Attempt, title: str, waiting: int) -> None:
        super().__init__(classes="dialog-screen")
        self.attempt = attempt
        self.case_title = title
        self.waiting = waiting

    def compose(self) -> ComposeResult:
        a = self.attempt
        more = f"（共有 {self.waiting} 次未完成的演练）" if self.waiting > 1 else ""
        with Vertical(classes="dialog", id="resume-dialog"):
            yield Static("发现未完成的演练", classes="dialog-title")
            yield Static(
                Text(
                    f"案例：{self.case_title}\n"
                    f"模式：{MODE_LABELS.get(a.mode, a.mode)}　　开始于：{wall_time(a.started)}\n\n"
                    f"上次演练没有结束（程序退出、断电或暂离）。办案记录已逐步保存，可以从中断处继续。{more}"
                ),
                classes="dialog-text",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("继续（c）", variant="primary", id="resume-yes")
                yield Button("放弃（d）", variant="error", id="resume-abandon")
                yield Button("稍后（Esc）", id="resume-later")

    def on_mount(self) -> None:
        self.query_one("#resume-yes").focus()


class DamagedJournalDialog(ChoiceDialog):
    """An unfinished attempt whose journal cannot be replayed (damaged, edited or from another case):
    放弃 / 另存后放弃 / 稍后, for the same files `lawdrill replay` refuses."""

    CHOICES = {"damaged-abandon": "abandon", "damaged-keep": "keep"}

    BINDINGS = [
        Binding("d", "choose('abandon')", "放弃", id="abandon"),
        Binding("k", "choose('keep')", "另存后放弃", id="keep"),
        Binding("escape", "choose('later')", "稍后", id="later"),
    ]

    def __init__(self, title: str, reason: str) -> None:
        super().__init__(classes="dialog-screen")
        self.case_title = title
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="damaged-dialog"):
            yield Static("办案记录已损坏或不属于本案例，无法继续", classes="dialog-title")
            yield Static(
                Text(f"案例：{self.case_title}\n\n{self.reason}\n\n"
                     "可以放弃这次演练，或把记录文件另存到数据目录的 damaged 文件夹（供排查）后放弃。"),
                classes="dialog-text",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("放弃（d）", variant="error", id="damaged-abandon")
                yield Button("另存后放弃（k）", id="damaged-keep")
                yield Button("稍后（Esc）", id="damaged-later")

    def on_mount(self) -> None:
        self.query_one("#damaged-keep").focus()


class ConfirmDialog(Dialog[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "确定", id="yes"),
        Binding("n,escape", "answer(False)", "取消", id="no"),
    ]

    def __init__(self, title: str, text: str, *, yes: str = "确定") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.text = text
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Static(Text(self.text), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes}（y）", variant="primary", id="confirm-yes")
                yield Button("取消（n）", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no").focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def binding_rows(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, description) for the screen's own bindings and the app's, as the footer names them."""
    app = screen.app
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for node in (screen, app):
        for binding in getattr(type(node), "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description or binding.system:
                continue
            if binding.action in seen:
                continue
            if node is screen and screen.check_action(binding.action, ()) is False:
                continue  # e.g. the hint key in exam mode
            seen.add(binding.action)
            keys = "、".join(
                app.get_key_display(Binding(k.strip(), binding.action)) for k in binding.key.split(",")
            )
            rows.append((keys, binding.description))
    return rows


class HelpScreen(Dialog[None]):
    """F1 / ?: the keys of the screen underneath, the form keys, and the palette."""

    BINDINGS = [Binding("escape,f1,q", "dismiss_help", "关闭", id="close-help")]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__(classes="dialog-screen")
        self.rows = binding_rows(under)  # now, while that screen is still the active one

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        table.add_column("按键", style="bold cyan", no_wrap=True)
        table.add_column("作用")
        for keys, desc in self.rows:
            table.add_row(keys, desc)
        table.add_row("Tab / Shift+Tab", "在界面各部分之间移动")
        table.add_row("Ctrl+P", "命令面板：提示、推进时间、交卷、导出、历史记录……")
        with Vertical(classes="dialog", id="help-dialog"):
            yield Static("按键说明", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(table)
                yield Static(
                    Text.assemble(("\n填写执法动作表单时：", "bold"), "\n", FORM_KEYS), classes="dialog-text"
                )
                yield Static(Text("\n鼠标也可以使用：点击选项、按钮和标签页。", style="dim"))
            with Horizontal(classes="dialog-buttons"):
                yield Button("关闭（Esc）", id="help-close")

    @on(Button.Pressed, "#help-close")
    def action_dismiss_help(self) -> None:
        self.dismiss(None)


class InfoDialog(Dialog[None]):
    """Read-only details (an act of the timeline)."""

    BINDINGS = [Binding("escape,enter,q", "close", "关闭", id="close-info")]

    def __init__(self, title: str, body: Text | str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="info-dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            with VerticalScroll(id="info-body"):
                yield Static(self.body, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("关闭（Esc）", id="info-close")

    @on(Button.Pressed, "#info-close")
    def action_close(self) -> None:
        self.dismiss(None)



class FilterPicker(Dialog["str | None"]):
    """Pick one item of a long list, filtered by typing: Up / Down in the filter move the highlight in the list
    and Enter then takes it; Enter alone takes the only match or moves to the list. A subclass names its
    widgets (`part`: #<part>-dialog, -filter, -list), its title and its placeholder, and builds the options
    that match the words typed (`options`)."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="cancel"),
        Binding("down", "move(1)", "下一项", show=False),
        Binding("up", "move(-1)", "上一项", show=False),
    ]
    part = "item"

    def __init__(self, title: str, placeholder: str, *, needle: str = "", current: str | None = None) -> None:
        """`needle` and `current`: where the last pick left off (its filter, the item it took), to reopen there."""
        super().__init__(classes="dialog-screen")
        self.picker_title = title
        self.placeholder = placeholder
        self._moved = False  # the highlight was moved from the filter box: Enter there takes it
        self._needle = ""  # the filter the list shows
        self._start = (needle, current)
        self._reopened = bool(needle)

    def _sync(self) -> None:
        """Show the list for the filter's text now: its Changed message may still be queued behind a key."""
        needle = self.query_one(f"#{self.part}-filter", Input).value
        if needle != self._needle:
            self._refilter(needle)

    def action_move(self, step: int) -> None:
        self._sync()
        options = self._list()
        if not options.option_count:
            return
        here = -1 if options.highlighted is None else options.highlighted
        options.highlighted = max(0, min(options.option_count - 1, here + step))
        self._moved = True

    def options(self, needle: str) -> list[Option]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id=f"{self.part}-dialog"):
            yield Static(Text(self.picker_title), classes="dialog-title")
            yield Input(placeholder=self.placeholder, id=f"{self.part}-filter", compact=True)
            yield OptionList(*self.options(""), id=f"{self.part}-list")
            yield Static("↑↓ 选择　Enter 确定　Esc 取消", classes="field-note")

    def on_mount(self) -> None:
        box = self.query_one(f"#{self.part}-filter", Input)
        needle, current = self._start
        if needle:  # reopened where the last pick left off: its filter (selected: typing replaces it), the
            box.value = needle  # item it took highlighted, so Down / Up and Enter take its neighbour
            self._refilter(needle)
            options = self._list()
            ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
            if current in ids:
                options.highlighted = ids.index(current)
                self._moved = True
            box.select_all()
        box.focus()

    def _list(self) -> OptionList:
        return self.query_one(f"#{self.part}-list", OptionList)

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        if self._reopened and event.value == self._start[0]:
            self._reopened = False  # the filter put back on reopening, not typed: the highlight stays
        elif self._start[0]:  # the first words typed over it (the same ones again too): the list from the top
            self._start = ("", None)
            self._refilter(self.query_one(f"#{self.part}-filter", Input).value)
        self._sync()  # the text now, not the event's (older)

    def _refilter(self, needle: str) -> None:
        self._needle = needle
        self._moved = False
        options = self._list()
        options.clear_options()
        options.add_options(self.options(needle))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Submitted)
    def _to_list(self) -> None:
        self._sync()
        options = self._list()
        if options.option_count == 1:
            self.dismiss(options.get_option_at_index(0).id)
            return
        if self._moved and options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)
            return
        options.focus()
        if options.highlighted is None and options.option_count:
            options.highlighted = 0

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @property
    def needle(self) -> str:
        """The filter the list shows (what the picker was left with)."""
        return self._needle

    def action_cancel(self) -> None:
        self.dismiss(None)


class Palette(CommandPalette):
    """The command palette, with a Chinese placeholder and two fixes for races the random-key test found
    in Textual 8.2.8's palette."""

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        # A key typed right after Esc still reaches the search box: the search then starts while the palette
        # is being taken down, and its CommandList is already gone (NoMatches ended the app).
        try:
            await CommandPalette._gather_commands.__wrapped__(self, search_value)  # type: ignore[attr-defined]
        except NoMatches:
            if self.is_attached and self.is_active:
                raise

    def _action_command_list(self, action: str) -> None:
        # Textual 8.2.8: OptionList._move_page reads line positions that are computed only once the list has
        # a size, so PageUp/PageDown while the results are still hidden raised KeyError (found by the
        # random-key test). Nothing to page through yet: ignore the key.
        if action in ("page_up", "page_down") and not self.query_one(CommandList).scrollable_content_region:
            return
        super()._action_command_list(action)


class AppCommands:
    """App-wide help, command palette and quit behaviour shared by the trainee app and the leaderboard (mixed
    into a Textual App). The base screen stays: a second Esc reaching a screen already on its way out (keys
    typed quickly) has nothing under it to go back to."""

    HELP_COMMAND = "查看当前界面的按键说明"
    QUIT_COMMAND = "退出执法演练（进度已自动保存，下次启动可继续）"
    QUIT_HINT = "按 Ctrl+Q 退出执法演练（进度已自动保存）"

    def pop_screen(self) -> AwaitComplete:
        if len(self.screen_stack) <= 1:  # type: ignore[attr-defined]
            return AwaitComplete()
        return super().pop_screen()  # type: ignore[misc, no-any-return]

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):  # type: ignore[attr-defined]
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))  # type: ignore[attr-defined]

    def action_help_quit(self) -> None:
        self.notify(self.QUIT_HINT, title="退出", markup=False)  # type: ignore[attr-defined]

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[attr-defined, arg-type]
            self.push_screen(Palette(id="--command-palette", placeholder="搜索命令…"))  # type: ignore[attr-defined]

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        from textual.app import SystemCommand

        commands = getattr(screen, "commands", None)
        if callable(commands):
            for title, help_text, callback in commands():
                yield SystemCommand(title, help_text, self._on_screen(screen, callback))
        yield SystemCommand("帮助", self.HELP_COMMAND, self.action_help)
        yield SystemCommand("退出", self.QUIT_COMMAND, self.action_quit)  # type: ignore[attr-defined]

    @staticmethod
    def _on_screen(screen: Screen[Any], callback: Any) -> Any:
        """A palette command runs after the palette has closed; by then the screen it was chosen on may
        be gone (keys typed quickly: a finish chosen twice). Run it only if that screen is on top again."""

        def run() -> None:
            if screen.is_active:
                callback()

        return run
