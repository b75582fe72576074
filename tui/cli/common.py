"""What every command group of the command line shares: exit codes, `UsageError`, output, display width and
tables, the Chinese argparse parser, argument types, and opening the library and a case.

Standard library only at the top, like every module of tui.cli: the engine is imported inside the function
that needs it (style.md, item 7).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.loader import Library
    from sim.model import Scenario

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad input: shown as a short message on stderr, exit status 2."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


# --- display width (Chinese characters take two terminal columns) ------------------------------------------


def text_width(text: str) -> int:
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - text_width(text))


_NO_LINE_START = set("，。；：、）」』》！？,.;:!?)")


def wrap(text: str, width: int) -> list[str]:
    """Wrap mixed Chinese/ASCII text by display width; ASCII words are not split."""
    lines: list[str] = []
    cur, cur_w = "", 0
    for token in re.findall(r"[!-~]+|\s+|.", text):
        if token.isspace():
            if cur:
                cur, cur_w = cur + " ", cur_w + 1
            continue
        tw = text_width(token)
        if cur and cur_w + tw > width and token not in _NO_LINE_START:
            lines.append(cur.rstrip())
            cur, cur_w = "", 0
        cur, cur_w = cur + token, cur_w + tw
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


def truncate(text: str, width: int) -> str:
    if text_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = text_width(ch)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "",
          max_width: int | None = None, shrink: dict[int, int] | None = None) -> list[str]:
    """Columns aligned by display width. With max_width, the `shrink` columns (index -> minimum width, in order
    of priority) are narrowed and their cells cut with an ellipsis until the table fits."""
    widths = [max([text_width(h)] + [text_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    if max_width is not None and shrink:
        def total() -> int:
            return len(indent) + sum(widths) + 2 * (len(widths) - 1)

        for i, floor in shrink.items():  # in order of priority: the first column gives way first
            while total() > max_width and widths[i] > floor:
                widths[i] -= 1

    def line(cells: Sequence[str]) -> str:
        return (indent + "  ".join(pad(truncate(c, w), w) for c, w in zip(cells, widths, strict=True))).rstrip()

    return [line(headers), indent + "  ".join("─" * w for w in widths)] + [line(r) for r in rows]


def screen_width() -> int | None:
    """The terminal's width when stdout is a terminal; None (no limit) when it is piped or captured."""
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return terminal_columns()


def emit(*lines: str) -> None:
    # Titles, ids and file names come from files: shown() keeps their escape sequences off the terminal.
    from sim.bounds import shown

    for line in lines:
        print(shown(line))


def emit_error(*lines: str) -> None:
    from sim.bounds import shown

    for line in lines:
        print(shown(line), file=sys.stderr)


def print_json(data: Any) -> None:
    from sim.bounds import dumps_json

    print(dumps_json(data, indent=2))


# --- argparse, in Chinese ----------------------------------------------------------------------------------

# argparse builds its messages with gettext at call time (`argparse._`); main() swaps in this table while it
# builds and runs the parser, so usage errors and help read in Chinese. Unknown strings stay as they are.
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必填参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有 %(value)r 这个选项（可选：%(choices)s）",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能给一个值",
    "one of the arguments %s is required": "必须指定以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r",
    "ignored explicit argument %r": "多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开「%(filename)s」：%(error)s",
}


def ngettext_zh(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return "需要 %s 个值"
    return singular if n == 1 else plural


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions keep their line breaks; option help is wrapped by display width, not by characters."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None):
        # argparse builds a formatter for every add_argument() and, without a width, imports shutil (and
        # with it bz2 and lzma) to ask for the terminal size: a few milliseconds of every start.
        if width is None:
            width = terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(" ".join(text.split()), width)

    def _format_action(self, action: argparse.Action) -> str:
        # List the commands directly under their heading, without argparse's extra "{check,run,...}" line.
        if isinstance(action, argparse._SubParsersAction):
            return "".join(self._format_action(a) for a in action._get_subactions())
        return super()._format_action(action)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> Any:  # argparse's signature; never returns
        unknown = re.match(r"参数 命令：没有 '(.*)' 这个选项", message)
        if unknown:
            message = f"没有「{unknown.group(1)}」这个命令（可用：{'、'.join(c.split()[0] for c, _ in COMMANDS if c)}）"
        raise UsageError(f"{self.prog}：{message}", f"运行「{self.prog} -h」查看用法。")


def terminal_columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def count_arg(text: str) -> int:
    if not re.fullmatch(r"\s*\+?\d+\s*", text):
        raise argparse.ArgumentTypeError(f"「{text}」不是非负整数")
    return int(text)


def seed_arg(text: str) -> int:
    if not re.fullmatch(r"\s*[+-]?\d+\s*", text):
        raise argparse.ArgumentTypeError(f"「{text}」不是整数")
    return int(text)


COMMANDS = (
    ("", "打开训练界面（案例库 → 案情简介 → 办案工作台 → 讲评）"),
    ("play CASE [--mode exam]", "直接打开一个案例（练习模式或考试模式）"),
    ("list", "在终端列出案例库概览（不打开界面）"),
    ("check [PATH…]", "检查案例库：加载错误（文件:行:列）、每个案例的自测和深度检查"),
    ("run CASE --steps FILE", "无界面按步骤文件办理一个案例，给出问题和得分"),
    ("replay JOURNAL", "按办案记录重放并重新评分"),
    ("deadline START --working-days N", "计算法定期限（也可 --days / --months / --hours）"),
    ("rules", "规则目录：每条规则的严重程度、法律依据和应当如何做"),
    ("cases", "案例列表"),
    ("explore CASE [--depth N]", "探索一个案例：受训人可能的办法、覆盖率、结局和得分分布"),
    ("new CASE --template NAME", "按程序模板生成一个可直接通过检查的新案例文件"),
    ("schema", "输出场景文件的 JSON Schema（编辑器补全和检查用）"),
    ("graph CASE [--format dot]", "画出案例（或程序模板）的状态图：Mermaid 或 Graphviz DOT"),
    ("stats [--by case|township]", "薄弱环节：学习记录中被触犯最多的规则"),
    ("trainer [PATH…]", "打开教员界面：案例库校验、文件修改后自动重新加载、薄弱环节统计"),
    ("contest check|import|standings|export|report|run|board", "大比武：比武文件、成绩包导入、排名、导出与报告"),
    ("serve [--contest CONTEST]", "在局域网内以网页提供训练界面或比武答题（浏览器访问）"),
)


# --- the library and a case --------------------------------------------------------------------------------


def require_paths(paths: Iterable[str | Path], what: str) -> None:
    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"找不到{what}：{p}")


def require_file(path: str | Path, what: str) -> None:
    """A file argument that must be a regular file: missing, or a FIFO, a device or a folder, is bad input
    (never opened: a FIFO would block)."""
    p = Path(path)
    if not p.exists():
        raise UsageError(f"找不到{what}：{path}")
    if not p.is_file():
        raise UsageError(f"{what} {path} 不是普通文件，拒绝读取")


def open_library(paths: Sequence[str] | None) -> Library:
    from sim.loader import load_library

    if paths:
        require_paths(paths, "案例库路径")
    return load_library(list(paths) if paths else None)


def where(file: str, line: int, col: int = 0) -> str:
    if line <= 0:
        return file
    return f"{file}:{line}:{col}" if col > 0 else f"{file}:{line}"


def error_line(e: Any) -> str:
    return f"{where(e.file, e.line, e.col)}: {e.message}"


def library_note(lib: Library) -> None:
    if lib.errors:
        emit_error(f"注意：案例库中有 {len(lib.errors)} 处错误，出错的文件未列入（运行 lawdrill check 查看详情）。")


def find_case(ref: str, library: Sequence[str] | None) -> tuple[Library, Scenario]:
    """A case by id (in the library) or by the path of its file."""
    from sim.loader import load_library

    path = Path(ref)
    looks_like_file = ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref
    if looks_like_file or path.is_file():
        require_file(path, "案例文件")
        if library:
            require_paths(library, "案例库路径")
        lib = load_library([*library, path] if library else [path])
        try:
            return lib, lib.scenario(str(path))
        except KeyError:
            mine = [e for e in lib.errors if Path(e.file).resolve() == path.resolve()] or lib.errors
            emit_error(*(error_line(e) for e in mine[:10]))
            raise UsageError(f"案例文件 {ref} 有错误，无法加载（运行「lawdrill check {ref}」查看全部错误）。") from None
    lib = open_library(library)
    if ref in lib.scenarios:
        return lib, lib.scenarios[ref]
    known = "、".join(sorted(lib.scenarios)) or "无"
    hint = "（案例库中有加载错误，运行 lawdrill check 查看）" if lib.errors else ""
    raise UsageError(f"找不到案例「{ref}」。可用的案例：{known}{hint}")


def terminal_ok() -> bool:
    """A terminal to draw on: a tty, or the browser terminal of `lawdrill serve` (textual-serve's web driver
    speaks over the pipes it was started with)."""
    if os.environ.get("TEXTUAL_DRIVER", "").startswith("textual.drivers.web_driver"):
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


# --- registering commands ----------------------------------------------------------------------------------

# `command(name, help, description, func)`: adds `lawdrill NAME` to the main parser (tui.cli.build_parser)
# and returns its parser for the command's own arguments. Each command group's `add_commands(command)` calls it.
AddCommand = Callable[[str, str, str, Callable[[argparse.Namespace], int]], argparse.ArgumentParser]


def library_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--library", nargs="+", action="extend", metavar="PATH",
                   help="案例库目录或 YAML 文件（可多个；默认：随程序附带的案例库）")


def ui_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mode", choices=["practice", "exam"], default="practice",
                   help="practice 练习模式（可提示、即时反馈）；exam 考试模式（结束后才讲评）")
    p.add_argument("--home", metavar="DIR",
                   help="学习记录保存目录（默认：用户数据目录，或环境变量 LAWDRILL_HOME）")
    library_option(p)
