"""lawdrill's command line: check the library, play a case headless, replay a journal, compute a deadline,
list the rules and the cases.

Start-up time matters (style.md, item 7): `lawdrill deadline` is a calculator people run many times a day.
So this module imports only the standard library at the top; the engine is imported inside the command that
needs it, and Textual is never imported here (the trainee app, when it comes, is imported lazily by the
command that opens it). tests/test_import_hygiene.py holds us to that.

Every message a user reads is in Simplified Chinese, including argparse's own (see `_ARGPARSE_ZH`). Bad input
is a one- or two-line message on stderr and exit status 2, never a traceback.

Exit status: 0 done; 1 `check` found errors or failing self-tests; 2 bad input; 3 internal error (a bug:
`--debug` shows the traceback); 130 interrupted.
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
    from sim.calendar import Deadline, LegalCalendar
    from sim.deepcheck import CaseCheck, Problem
    from sim.loader import Library
    from sim.model import Procedure, RuleSpec, Scenario, Step
    from sim.selftest import SelfTestReport

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

# Period lengths beyond any statutory period (the longest is a few years): refusing them keeps a typo such as
# `--working-days 100000000` from counting days for minutes.
MAX_PERIOD = {"working_days": 20_000, "days": 40_000, "months": 1_200, "hours": 1_000_000}

UNIT_LABELS = {"working_days": "个工作日", "days": "日（自然日）", "months": "个月", "hours": "小时"}

# `power.source` of a case -> how the trainee reads it (design.md section 6: assigned powers vs the
# township's own statutory power; a case outside its powers is itself a lesson).
POWER_SOURCES = {
    "assigned": "赋权事项",
    "statutory": "法定职权",
    "statutory-township": "法定职权",
    "own": "法定职权",
    "not-township": "非乡镇职权",
    "none": "非乡镇职权",
}


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


def _screen_width() -> int | None:
    """The terminal's width when stdout is a terminal; None (no limit) when it is piped or captured."""
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return _terminal_columns()


def _md(text: str) -> str:
    """Escape what would break a Markdown table cell or start markup."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("*", "\\*").strip()


def _out(*lines: str) -> None:
    # Titles, ids and file names come from files: shown() keeps their escape sequences off the terminal.
    from sim.bounds import shown

    for line in lines:
        print(shown(line))


def _err(*lines: str) -> None:
    from sim.bounds import shown

    for line in lines:
        print(shown(line), file=sys.stderr)


def _json(data: Any) -> None:
    from sim.bounds import dumps_json

    print(dumps_json(data, indent=2))


# --- argparse, in Chinese ----------------------------------------------------------------------------------

# argparse builds its messages with gettext at call time (`argparse._`); main() swaps in this table while it
# builds and runs the parser, so usage errors and help read in Chinese. Unknown strings stay as they are.
_ARGPARSE_ZH = {
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


def _ngettext_zh(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return "需要 %s 个值"
    return singular if n == 1 else plural


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions keep their line breaks; option help is wrapped by display width, not by characters."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None):
        # argparse builds a formatter for every add_argument() and, without a width, imports shutil (and
        # with it bz2 and lzma) to ask for the terminal size: a few milliseconds of every start.
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(" ".join(text.split()), width)

    def _format_action(self, action: argparse.Action) -> str:
        # List the commands directly under their heading, without argparse's extra "{check,run,...}" line.
        if isinstance(action, argparse._SubParsersAction):
            return "".join(self._format_action(a) for a in action._get_subactions())
        return super()._format_action(action)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> Any:  # argparse's signature; never returns
        unknown = re.match(r"参数 命令：没有 '(.*)' 这个选项", message)
        if unknown:
            message = f"没有「{unknown.group(1)}」这个命令（可用：{'、'.join(c.split()[0] for c, _ in COMMANDS if c)}）"
        raise UsageError(f"{self.prog}：{message}", f"运行「{self.prog} -h」查看用法。")


def _terminal_columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def _count(text: str) -> int:
    if not re.fullmatch(r"\s*\+?\d+\s*", text):
        raise argparse.ArgumentTypeError(f"「{text}」不是非负整数")
    return int(text)


def _seed(text: str) -> int:
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
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lawdrill",
        description="执法演练：乡镇综合行政执法程序模拟训练。\n不带命令运行时打开训练界面。",
        epilog="运行「lawdrill 命令 -h」查看各命令的用法。",
    )
    parser.add_argument("--debug", action="store_true", help="出现内部错误时显示完整的错误追踪（供开发人员排查）")
    parser.add_argument("--version", action="store_true", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", title="命令", metavar="命令", parser_class=_Parser)

    def command(name: str, help_text: str, description: str, func: Callable[[argparse.Namespace], int],
                ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=description)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="出现内部错误时显示完整的错误追踪")
        p.set_defaults(func=func)
        return p

    def library_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--library", nargs="+", action="extend", metavar="PATH",
                       help="案例库目录或 YAML 文件（可多个；默认：随程序附带的案例库）")

    def ui_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--mode", choices=["practice", "exam"], default="practice",
                       help="practice 练习模式（可提示、即时反馈）；exam 考试模式（结束后才讲评）")
        p.add_argument("--home", metavar="DIR",
                       help="学习记录保存目录（默认：用户数据目录，或环境变量 LAWDRILL_HOME）")
        library_option(p)

    p = command("play", "打开训练界面并直接进入一个案例", "打开训练界面并直接进入指定案例的案情简介。", cmd_play)
    p.add_argument("case", metavar="CASE", help="案例编号，或案例 YAML 文件路径")
    ui_options(p)

    p = command("ui", "打开训练界面（与不带命令相同）", "打开训练界面：案例库、案情简介、办案工作台、讲评和历史记录。",
                cmd_ui)
    ui_options(p)

    command("list", "在终端列出案例库概览", "在终端列出案例库中的案例和可用命令，不打开界面。", cmd_overview)

    p = command("check", "检查案例库：加载错误、自测和深度检查",
                "加载案例库，逐条列出文件中的错误（文件:行:列: 说明），并运行每个案例的自测\n"
                "（参考路径应得满分，陷阱应触发所写明的规则）；再做深度检查：程序状态能否到达、\n"
                "规则的变异测试（省略、对调、重复、推迟参考路径的每一步都应被发现，除非标明合法）、\n"
                "期限边界（最后一日办理不算超期，晚一日即超期）和期限是否与所引条文一致。\n"
                "有任何错误或自测失败时退出状态为 1。", cmd_check)
    p.add_argument("paths", nargs="*", metavar="PATH", help="案例库目录或 YAML 文件（默认：随程序附带的案例库）")
    p.add_argument("--json", action="store_true", help="输出机器可读的 JSON 报告")
    p.add_argument("-q", "--quiet", action="store_true", help="只显示错误和汇总")
    p.add_argument("--fast", action="store_true", help="快速检查：跳过变异测试和期限边界检查")

    p = command("run", "无界面按步骤文件办理一个案例并评分",
                "按步骤文件无界面地办理一个案例，结案后给出发现的问题和得分。\n"
                "步骤文件为 YAML 或 JSON 列表，格式与案例自测的步骤相同，例如：\n"
                "  - {do: inspect, at: 2026-06-03T10:30, officers: [zhang, wang], credentials_shown: true}\n"
                "  - {advance: \"+3 working_days\"}\n"
                "  - {finish: true}\n"
                "被拒绝的步骤（此时无法进行的动作）会列出原因，其余步骤照常进行。", cmd_run)
    p.add_argument("case", metavar="CASE", help="案例编号，或案例 YAML 文件路径")
    p.add_argument("--steps", required=True, metavar="FILE", help="步骤文件（YAML 或 JSON）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.add_argument("--seed", type=_seed, default=0, metavar="N", help="随机种子（决定带概率的事件，默认 0）")
    p.add_argument("--journal", metavar="PATH", help="把办案过程写入记录文件（可用 lawdrill replay 重放）")
    library_option(p)

    p = command("replay", "按办案记录重放并重新评分",
                "按办案记录（run --journal 或训练界面生成）重放整个办案过程，重新计算问题和得分。\n"
                "默认要求案例内容与记录时完全一致（内容校验值相同）。", cmd_replay)
    p.add_argument("journal", metavar="JOURNAL", help="办案记录文件")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.add_argument("--allow-changed", action="store_true", help="案例内容已修改时仍按当前版本重放（结果仅供参考）")
    library_option(p)

    p = command("deadline", "计算法定期限",
                "按法定期间计算规则计算期限届满日：起算日不计入；以工作日计的期间跳过周末和法定节假日、\n"
                "调休上班日计入；以日、月计的期间届满日为休息日的，顺延至其后第一个工作日。\n"
                "例：lawdrill deadline 2026-09-30 --working-days 3", cmd_deadline)
    p.add_argument("start", metavar="START", help="起算日 YYYY-MM-DD，或起算时刻 YYYY-MM-DDTHH:MM")
    unit = p.add_mutually_exclusive_group(required=True)
    unit.add_argument("--working-days", type=_count, metavar="N", help="期间为 N 个工作日")
    unit.add_argument("--days", type=_count, metavar="N", help="期间为 N 日（自然日）")
    unit.add_argument("--months", type=_count, metavar="N", help="期间为 N 个月")
    unit.add_argument("--hours", type=_count, metavar="N", help="期间为 N 小时")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（含 due 届满日与 provisional 是否暂定）")
    p.add_argument("--calendar-file", nargs="+", action="extend", metavar="FILE",
                   help="另行载入的年度放假安排 YAML 文件（格式见 sim/data/calendar/README.md）")

    p = command("rules", "规则目录",
                "列出每个程序模板的规则：编号、严重程度、标题、法律依据、问题说明和应当如何做。\n"
                "先列具体程序，再列它们继承的通用（抽象）模板。", cmd_rules)
    p.add_argument("--markdown", action="store_true", help="输出 Markdown 文档（用于生成 docs/rules.md）")
    library_option(p)

    p = command("cases", "案例列表",
                "列出案例库中的案例：编号、标题、案件类型、程序、难度、标签、职权来源、参考路径和陷阱数；\n--markdown 另有变异测试得分（深度检查发现的变异数 / 需要发现的变异数）。",
                cmd_cases)
    p.add_argument("--markdown", action="store_true", help="输出 Markdown 表格")
    library_option(p)

    from . import cli_tools as tools  # trainer tools; the module imports only the standard library at load

    p = command("explore", "探索一个案例：受训人可能的办法、覆盖率、结局和得分分布",
                "从案件开始枚举受训人可能的动作序列（参数按等价类取值：人员、证件、录像、送达方式、\n"
                "罚款在幅度内/外、文书缺项、按时/超期……），报告状态、状态转换和规则的覆盖情况，\n"
                "各结局的得分分布（最低/中位数/最高），以及从未触发的规则。\n"
                "先探索参考路径，再探索偏离参考路径一步、两步……的办法；达到深度上限或预算时停止。", tools.cmd_explore)
    p.add_argument("case", metavar="CASE", help="案例编号，或案例 YAML 文件路径")
    p.add_argument("--depth", type=_count, default=None, metavar="N",
                   help="每个序列最多几步（默认：最长参考路径的步数加 2，至少 8）")
    p.add_argument("--budget", type=_count, default=1000, metavar="N", help="最多探索多少个不同情形（默认 1000）")
    p.add_argument("--seed", type=_seed, default=0, metavar="N", help="随机种子（决定带概率的事件，默认 0）")
    p.add_argument("--json", action="store_true", help="输出机器可读的 JSON 报告")
    library_option(p)

    p = command("new", "按程序模板生成新案例文件",
                "按程序模板生成一个新案例文件 CASE.yaml：当事人、事实、证据、处罚幅度、一条参考路径和一个陷阱\n"
                "取自案例库中使用该模板的案例，生成后即可通过 lawdrill check；标有「待修改」的内容请按实际案情改写。\n"
                "不会覆盖已有文件。", tools.cmd_new)
    p.add_argument("case", metavar="CASE", help="新案例的编号（也是文件名），如 straw-burning-02")
    p.add_argument("--template", required=True, metavar="NAME", help="程序模板编号，如 general-penalty")
    p.add_argument("--dir", metavar="DIR", help="写入的目录（默认：当前目录）")
    library_option(p)

    p = command("schema", "输出场景文件的 JSON Schema",
                "输出场景文件（法律条文目录、程序模板、案例）的 JSON Schema（draft 2020-12），\n"
                "供编辑器补全和检查（VS Code 的 Red Hat YAML 扩展等，见 docs/authoring.md）。", tools.cmd_schema)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--path", action="store_true", help="只输出随程序附带的 schema 文件的路径")
    out.add_argument("-o", "--output", metavar="FILE", help="写入文件而不是输出到屏幕")

    # The trainer's commands; implementations in tui/cli_trainer.py (imported when one of them runs).
    def trainer_command(name: str) -> Callable[[argparse.Namespace], int]:
        def run(args: argparse.Namespace) -> int:
            from tui import cli_trainer

            return int(getattr(cli_trainer, name)(args))

        return run

    p = command("graph", "画出案例或程序模板的状态图",
                "按引擎实际运行的状态机画出程序的状态图：状态（标出起始和结束状态）、执法动作和外部事件（虚线），\n"
                "每个动作标出涉及的规则条数；--path N 标出第 N 条参考路径经过的转换及步骤序号。\n"
                "例：lawdrill graph straw-burning-01 --path 1 --format dot --output graph.dot",
                trainer_command("cmd_graph"))
    p.add_argument("case", metavar="CASE", help="案例编号、案例 YAML 文件路径，或程序模板编号")
    p.add_argument("--format", choices=["mermaid", "dot"], default="mermaid",
                   help="mermaid（默认，可直接贴入 Markdown）或 dot（Graphviz）")
    p.add_argument("--output", metavar="FILE", help="写入文件（默认输出到终端）")
    p.add_argument("--path", type=_count, metavar="N", help="标出案例第 N 条参考路径（从 1 起）")
    library_option(p)

    p = command("stats", "薄弱环节统计",
                "统计学习记录中已完成的演练最常触犯的规则：规则标题、法律依据、次数和占演练次数的比例。\n"
                "可按案例或按乡镇分组。", trainer_command("cmd_stats"))
    p.add_argument("--by", choices=["case", "township"], help="分组：case 按案例，township 按乡镇（默认：不分组）")
    p.add_argument("--trainee", metavar="NAME", help="只统计这位学员（默认：全部学员）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--home", metavar="DIR", help="学习记录保存目录（默认：用户数据目录，或环境变量 LAWDRILL_HOME）")
    library_option(p)

    p = command("trainer", "打开教员界面",
                "打开教员界面：案例库的加载错误和自测结果（Enter 在编辑器中打开出错的文件和行），\n"
                "文件修改后自动重新加载并重新检查，以及学员的薄弱环节统计。", trainer_command("cmd_trainer"))
    p.add_argument("paths", nargs="*", metavar="PATH", help="案例库目录或 YAML 文件（默认：随程序附带的案例库）")
    p.add_argument("--home", metavar="DIR", help="学习记录保存目录（默认：用户数据目录，或环境变量 LAWDRILL_HOME）")

    from tui.cli_contest import add_commands  # standard library only at its top, like this module

    add_commands(sub, command)
    return parser


# --- entry point -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    _tolerant_streams()
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = lambda s: _ARGPARSE_ZH.get(s, s)  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext_zh
    try:
        try:
            args = build_parser().parse_args(args_in)
        except UsageError as exc:
            _err(exc.message, *([exc.hint] if exc.hint else []))
            return EXIT_USAGE
        except SystemExit as exc:  # -h / --help
            return exc.code if isinstance(exc.code, int) else EXIT_OK
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
    name = args.command or ""
    try:
        if args.version:
            from sim import __version__

            _out(f"lawdrill {__version__}")
            return EXIT_OK
        return int(args.func(args)) if name else cmd_ui(args)
    except UsageError as exc:
        _err(exc.message, *([exc.hint] if exc.hint else []))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("已中断。")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `lawdrill rules | head`: the reader left; nothing more to say
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug must not become a traceback
        if getattr(args, "debug", False):
            import traceback

            traceback.print_exc()
        else:
            what = f"lawdrill {name}" if name else "lawdrill"
            _err(f"{what}：内部错误（{type(exc).__name__}：{exc}）。",
                 "这是程序缺陷，请加 --debug 重新运行并把输出报告给开发人员。")
        return EXIT_INTERNAL


def _tolerant_streams() -> None:
    """A console that cannot show ✓ or a Chinese character gets '?' instead of an exception."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding not in ("utf8", "utf16", "utf32"):
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# --- shared helpers ----------------------------------------------------------------------------------------


def _require_paths(paths: Iterable[str | Path], what: str) -> None:
    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"找不到{what}：{p}")


def _load_library(paths: Sequence[str] | None) -> Library:
    from sim.loader import load_library

    if paths:
        _require_paths(paths, "案例库路径")
    return load_library(list(paths) if paths else None)


def _where(file: str, line: int, col: int = 0) -> str:
    if line <= 0:
        return file
    return f"{file}:{line}:{col}" if col > 0 else f"{file}:{line}"


def _error_line(e: Any) -> str:
    return f"{_where(e.file, e.line, e.col)}: {e.message}"


def _library_note(lib: Library) -> None:
    if lib.errors:
        _err(f"注意：案例库中有 {len(lib.errors)} 处错误，出错的文件未列入（运行 lawdrill check 查看详情）。")


def _find_case(ref: str, library: Sequence[str] | None) -> tuple[Library, Scenario]:
    """A case by id (in the library) or by the path of its file."""
    from sim.loader import load_library

    path = Path(ref)
    looks_like_file = ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref
    if looks_like_file or path.is_file():
        if not path.is_file():
            raise UsageError(f"找不到案例文件：{ref}")
        if library:
            _require_paths(library, "案例库路径")
        lib = load_library([*library, path] if library else [path])
        try:
            return lib, lib.scenario(str(path))
        except KeyError:
            mine = [e for e in lib.errors if Path(e.file).resolve() == path.resolve()] or lib.errors
            _err(*(_error_line(e) for e in mine[:10]))
            raise UsageError(f"案例文件 {ref} 有错误，无法加载（运行「lawdrill check {ref}」查看全部错误）。") from None
    lib = _load_library(library)
    if ref in lib.scenarios:
        return lib, lib.scenarios[ref]
    known = "、".join(sorted(lib.scenarios)) or "无"
    hint = "（案例库中有加载错误，运行 lawdrill check 查看）" if lib.errors else ""
    raise UsageError(f"找不到案例「{ref}」。可用的案例：{known}{hint}")


def _severity_points(r: RuleSpec) -> int:
    from sim.scoring import DEDUCTION

    return r.points if r.points is not None else DEDUCTION[r.severity]


# --- check -------------------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from sim.deepcheck import check_library_structure
    from sim.loader import bundled_scenarios

    paths = list(args.paths) or [str(bundled_scenarios())]
    _require_paths(paths, "路径")
    lib = _load_library(paths)
    given = {Path(f).resolve() for f in lib.files}
    cases = [sc for sc in lib.scenarios.values() if Path(sc.path).resolve() in given]
    reports = {sc.id: _selftests(sc) for sc in cases}
    deep = {sc.id: _deep_check(lib, sc, args.fast) for sc in cases}
    # Template-level problems belong to the templates the user asked about (not to the bundled base).
    structure = [p for p in check_library_structure(lib) if Path(p.file).resolve() in given]
    problems = structure + [p for sc in cases for p in deep[sc.id].problems]
    deep_errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level == "warning"]
    passed = sum(r.ok for rs in reports.values() for r in rs)
    failed = sum(not r.ok for rs in reports.values() for r in rs)
    ok = not lib.errors and failed == 0 and not deep_errors
    mutants = sum(d.mutation.total - d.mutation.lawful for d in deep.values())
    killed = sum(d.mutation.killed for d in deep.values())
    summary = {
        "cases": len(cases), "procedures": len(lib.procedures), "articles": len(lib.articles),
        "selftests_passed": passed, "selftests_failed": failed, "errors": len(lib.errors) + len(deep_errors),
        "load_errors": len(lib.errors), "deep_errors": len(deep_errors), "warnings": len(warnings),
        "mutants": mutants, "mutants_killed": killed,
        "lawful": sum(d.mutation.lawful for d in deep.values()),
        "boundaries_checked": sum(d.boundaries_checked for d in deep.values()), "deep": not args.fast,
    }
    errors = sorted(lib.errors, key=lambda e: (e.file, e.line, e.col))
    if args.json:
        _json({
            "ok": ok,
            "paths": paths,
            "errors": [{"file": e.file, "line": e.line, "col": e.col, "message": e.message} for e in errors],
            "problems": [_problem_json(p) for p in structure],
            "cases": [_case_report_json(sc, reports[sc.id], deep[sc.id]) for sc in cases],
            "summary": summary,
        })
        return EXIT_OK if ok else EXIT_FAILED
    for e in errors:
        _out(_error_line(e))
    for p in sorted(structure, key=lambda p: (p.file, p.line)):
        _out(_problem_line(p))
    id_w = max([text_width(sc.id) for sc in cases] + [0])
    title_w = max([text_width(sc.title) for sc in cases] + [0])
    for sc in cases:
        rs, d = reports[sc.id], deep[sc.id]
        if args.quiet:
            for p in d.errors:
                _out(_problem_line(p))
            continue
        refs = [r for r in rs if r.reference]
        traps = [r for r in rs if not r.reference]
        mark = "✓" if all(r.ok for r in rs) and not d.errors else "✗"
        extra = "" if args.fast else f"  变异 {d.mutation.label()}  期限边界 {d.boundaries_checked}"
        _out(f"{mark} {pad(sc.id, id_w)}  {pad(sc.title, title_w)}  "
             f"参考路径 {sum(r.ok for r in refs)}/{len(refs)}  陷阱 {sum(r.ok for r in traps)}/{len(traps)}{extra}")
        for r in rs:
            if r.ok:
                continue
            kind = "参考路径" if r.reference else "陷阱"
            _out(f"    ✗ {kind}「{r.name}」 {r.where}")
            for problem in r.problems:
                _out(f"        {problem}")
        for p in sorted(d.problems, key=lambda p: p.level != "error"):  # errors first, then the warnings
            _out(f"    {'✗' if p.level == 'error' else '!'} {_problem_line(p)}")
    verdict = "检查通过" if ok else "检查未通过"
    deep_note = "（快速检查：未做变异测试和期限边界检查）" if args.fast else (
        f"；变异 {killed}/{mutants} 被发现（另有 {summary['lawful']} 项标明合法），期限边界 {summary['boundaries_checked']} 项")
    _out(f"{verdict}：案例 {summary['cases']} 个，程序模板 {summary['procedures']} 个，"
         f"法律条文 {summary['articles']} 条；自测通过 {passed} 项、失败 {failed} 项{deep_note}；"
         f"错误 {summary['errors']} 处，提示 {len(warnings)} 处。")
    return EXIT_OK if ok else EXIT_FAILED


def _deep_check(lib: Library, sc: Scenario, fast: bool) -> CaseCheck:
    """The deep check of one case; an engine crash becomes that case's error, not ours."""
    from sim.deepcheck import CaseCheck, MutationStats, Problem, check_case

    try:
        return check_case(lib, sc, fast=fast, selftests=False)
    except Exception as exc:  # noqa: BLE001 - report and go on: the other cases still deserve a verdict
        return CaseCheck(sc.id, (Problem("error", "internal", f"深度检查时引擎出错：{type(exc).__name__}：{exc}",
                                         sc.path, 0, 0, sc.id),), MutationStats(0, 0, 0, ()), 0)


def _problem_line(p: Problem) -> str:
    level = "错误" if p.level == "error" else "提示"
    return f"{_where(p.file, p.line, p.col)}: {level}：{p.message}"


def _problem_json(p: Problem) -> dict[str, Any]:
    return {"level": p.level, "code": p.code, "message": p.message, "file": p.file, "line": p.line, "col": p.col,
            "case": p.case}


def _selftests(sc: Scenario) -> list[SelfTestReport]:
    """Run every self-test of a case; an engine crash in one test becomes that test's failure, not ours."""
    from sim.selftest import SelfTestReport, run_selftest

    out = []
    for t in sc.selftests:
        try:
            out.append(run_selftest(sc, t))
        except Exception as exc:  # noqa: BLE001 - report and go on: the other cases still deserve a verdict
            out.append(SelfTestReport(sc.id, t.name, t.reference, False,
                                      (f"自测运行时引擎出错：{type(exc).__name__}：{exc}",), None,
                                      f"{t.pos.file}:{t.pos.line}"))
    return out


def _case_report_json(sc: Scenario, rs: list[SelfTestReport], deep: CaseCheck) -> dict[str, Any]:
    refs = [r for r in rs if r.reference]
    traps = [r for r in rs if not r.reference]
    m = deep.mutation
    return {
        "id": sc.id, "title": sc.title, "path": sc.path, "ok": all(r.ok for r in rs) and not deep.errors,
        "problems": [_problem_json(p) for p in deep.problems],
        "mutation": {"total": m.total, "lawful": m.lawful, "killed": m.killed, "impossible": m.impossible,
                     "score": m.score, "survivors": list(m.survivors)},
        "boundaries_checked": deep.boundaries_checked,
        "reference": {"passed": sum(r.ok for r in refs), "total": len(refs)},
        "traps": {"passed": sum(r.ok for r in traps), "total": len(traps)},
        "selftests": [
            {"name": r.name, "kind": "reference" if r.reference else "trap", "ok": r.ok,
             "problems": list(r.problems), "where": r.where,
             "score": r.result.score if r.result else None,
             "findings": r.result.rule_ids() if r.result else None}
            for r in rs
        ],
    }


# --- run ---------------------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from sim.loader import StepsError, load_steps
    from sim.scoring import render_result
    from sim.session import Session

    steps_path = Path(args.steps)
    if not steps_path.exists():  # a FIFO or a device is not "missing": load_steps refuses it by name
        raise UsageError(f"找不到步骤文件：{args.steps}")
    journal = None
    if args.journal:
        journal = Path(args.journal)
        if journal.exists():
            raise UsageError(f"记录文件已存在：{journal}（请换一个文件名，或先删除旧记录）")
    lib, sc = _find_case(args.case, args.library)
    try:
        steps = load_steps(steps_path, sc)
    except StepsError as exc:
        raise UsageError(f"步骤文件有错误：{_error_line(exc.error)}") from None
    try:
        session = Session(sc, seed=args.seed, journal=journal, mode="exam")
    except OSError as exc:
        raise UsageError(f"无法创建记录文件 {journal}：{exc.strerror or exc}") from None
    refused: list[dict[str, Any]] = []
    lines: list[str] = [f"案例：{sc.title}（{sc.id}）", f"步骤文件：{steps_path}（{len(steps)} 步）"]
    try:
        for i, step in enumerate(steps, 1):
            if step.do == "finish":
                if i < len(steps):
                    lines.append(f"  第 {i} 步结案，其后的 {len(steps) - i} 步未执行。")
                break
            lines.extend(_play_step(session, i, step, refused))
        result = session.finish()
    finally:
        session.close()
    if args.json:
        _json({**result.to_json(), "refused": refused})
        return EXIT_OK
    _out(*lines, "", render_result(result, sc))
    if journal is not None:
        _out("", f"办案记录已写入 {journal}（lawdrill replay {journal} 可重放）。")
    return EXIT_OK


def _play_step(session: Any, i: int, step: Step, refused: list[dict[str, Any]]) -> list[str]:
    where = f"{step.pos.file}:{step.pos.line}"
    try:
        if step.do == "advance":
            out = session.advance(step.at)
        else:
            out = session.act(step.do, step.at, **step.params)
    except (TypeError, ValueError, OverflowError):
        # The engine validates parameter values before it changes anything and refuses what it cannot take;
        # should a value shape it has not foreseen still raise, that is bad input in a steps file, not a
        # crash of the command: report it as a refusal (nothing was journaled for it).
        reason = "参数的取值无效（类型不对或超出范围），该步骤未执行"
        refused.append({"step": i, "do": step.do, "at": step.at, "where": where, "reason": reason})
        return [f"{i:>4}. ✗ 被拒绝（{step.do}，{where}）：{reason}"]
    lines = []
    if not out.ok:
        refused.append({"step": i, "do": step.do, "at": step.at, "where": where, "reason": out.reason})
        lines.append(f"{i:>4}. ✗ 被拒绝（{step.do}，{where}）：{out.reason}")
    elif out.act is not None:
        lines.append(f"{i:>4}. {out.act.at:%Y-%m-%d %H:%M}  {session.log[_last_act_log(session)].text}")
    else:
        lines.append(f"{i:>4}. {session.now:%Y-%m-%d %H:%M}  时间推进")
    lines.extend(f"        · {e.at:%Y-%m-%d %H:%M} {e.text}" for e in out.events)
    return lines


def _last_act_log(session: Any) -> int:
    for k in range(len(session.log) - 1, -1, -1):
        if session.log[k].kind == "act":
            return k
    return -1


# --- replay ------------------------------------------------------------------------------------------------


def cmd_replay(args: argparse.Namespace) -> int:
    from sim.journal import JournalError, read_journal
    from sim.scoring import render_result
    from sim.session import ReplayError, replay

    path = Path(args.journal)
    if not path.exists():
        raise UsageError(f"找不到记录文件：{args.journal}")
    try:
        entries = read_journal(path)
    except JournalError as exc:
        raise UsageError(f"记录文件无法使用：{exc}") from None
    head = entries[0]
    case_id = head.get("scenario")
    lib = _load_library(args.library)
    sc = lib.scenarios.get(case_id) if isinstance(case_id, str) else None
    if sc is None:
        hint = "可用 --library 指定该案例所在的案例库。"
        raise UsageError(f"记录属于案例「{case_id}」，但案例库中没有这个案例。", hint)
    changed = head.get("hash") != sc.content_hash
    try:
        session = replay(sc, entries, strict=not args.allow_changed)
    except ReplayError as exc:
        hint = "如确需按当前版本重放，加 --allow-changed（结果仅供参考）。" if changed else ""
        raise UsageError(f"无法重放 {path}：{exc}", hint) from None
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
        raise UsageError(f"记录文件已损坏，无法重放：{path}（有条目的内容不符合办案记录的格式）") from None
    finished = session.result is not None
    result = session.result if session.result is not None else session.score_now()
    steps = len(entries) - 1
    if args.json:
        _json({**result.to_json(), "journal": str(path), "steps": steps, "content_changed": changed,
               "refused": [e.text for e in session.log if e.kind == "refused"]})
        return EXIT_OK
    trainee = head.get("trainee") or "（未署名）"
    _out(f"记录：{path}　学员：{trainee}　模式：{head.get('mode', 'exam')}　种子：{head.get('seed', 0)}　"
         f"记录条目：{steps}")
    if changed:
        _out("注意：案例内容在记录之后已修改，以下按当前版本重放，结果仅供参考。")
    if not finished:
        _out("注意：该会话尚未结案，以下为截至记录末尾的得分（结案时的检查尚未进行）。")
    _out("", render_result(result, sc))
    return EXIT_OK


# --- deadline ----------------------------------------------------------------------------------------------

_START_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")


def _parse_start(text: str) -> Any:
    import datetime as dt

    m = _START_RE.fullmatch(text.strip())
    if m is None:
        raise UsageError(f"起算时间「{text}」格式不正确：应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM，"
                         f"如 2026-09-30 或 2026-09-30T14:00")
    y, mo, d, hh, mm, ss = m.groups()
    try:
        if hh is None:
            return dt.date(int(y), int(mo), int(d))
        return dt.datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0))
    except ValueError:
        raise UsageError(f"起算时间「{text}」不是有效的日期或时刻") from None


def _calendar(files: Sequence[str] | None) -> LegalCalendar | None:
    if not files:
        return None
    from sim.calendar import DATA_DIR, CalendarDataError, LegalCalendar

    _require_paths(files, "节假日数据文件")
    cal = LegalCalendar()  # not the shared default: a trainer's extra years must not leak into other calls
    try:
        for path in sorted(DATA_DIR.glob("*.yaml")):
            cal.load_year_file(path)
        for f in files:
            cal.load_year_file(f)
    except CalendarDataError as exc:
        raise UsageError(f"节假日数据文件有错误：{exc}") from None
    return cal


def cmd_deadline(args: argparse.Namespace) -> int:
    from sim.calendar import deadline

    unit, length = next((u, getattr(args, u)) for u in MAX_PERIOD if getattr(args, u) is not None)
    start = _parse_start(args.start)
    if length > MAX_PERIOD[unit]:
        raise UsageError(f"期间过长：{length}{UNIT_LABELS[unit]}（上限 {MAX_PERIOD[unit]}）")
    cal = _calendar(args.calendar_file)
    try:
        d = deadline(start, length, unit, cal)
    except OverflowError:
        raise UsageError("期限超出可计算的日期范围") from None
    if args.json:
        print(json.dumps(d.to_json(), ensure_ascii=False))
        return EXIT_OK
    _out(*deadline_lines(d, start, args.calendar_file or ()))
    return EXIT_OK


def deadline_lines(d: Deadline, start: Any, calendar_files: Sequence[str] = ()) -> list[str]:
    import datetime as dt

    from sim.calendar import format_date_zh

    lines = []
    if d.provisional:
        years = "、".join(f"{y}年" for y in d.provisional_years)
        lines += [f"【暂定】{years}尚未载入国务院办公厅正式放假安排，以下届满日为暂定结果，不能作为正式依据。", ""]
    start_text = format_date_zh(d.start)
    if isinstance(start, dt.datetime):
        start_text += f"{d.start:%H:%M}"
    due_text = format_date_zh(d.due) + (f"{d.due_at:%H:%M}" if d.due_at is not None else "")
    lines += [
        f"起算：{start_text}",
        f"期间：{d.length}{UNIT_LABELS[d.unit.value]}",
        f"届满：{due_text}" + ("【暂定】" if d.provisional else ""),
    ]
    if d.extended_from is not None:
        lines.append(f"　　　（原届满日 {format_date_zh(d.extended_from)} 为休息日，依法顺延）")
    lines += ["", "计算过程："] + [f"  {e}" for e in d.explanation]
    if d.skipped:
        lines += ["", f"跳过的休息日（{len(d.skipped)} 天）："]
        lines += [f"  {format_date_zh(s.day)}  {s.label}" for s in d.skipped]
    elif d.unit.value != "hours":
        lines += ["", "跳过的休息日：无"]
    for f in calendar_files:
        lines.append(f"已载入节假日数据：{f}")
    return lines


# --- rules -------------------------------------------------------------------------------------------------


def _procedures_in_order(lib: Library) -> list[Procedure]:
    procs = list(lib.procedures.values())
    return sorted(procs, key=lambda p: (p.abstract, p.id))


def _rules_by_file(lib: Library) -> dict[str, list[RuleSpec]]:
    """Every rule in effect in some procedure, under the file that defines it, in file order.

    A template's rules are read from the procedures that use them: the loader keeps in an abstract template
    only the rules it can already place, and fits shared rules to each concrete procedure's actions.
    """
    found: dict[str, dict[str, RuleSpec]] = {}
    for p in lib.procedures.values():
        for r in p.rules:
            found.setdefault(r.pos.file, {}).setdefault(r.id, r)
    return {f: sorted(rs.values(), key=lambda r: (r.pos.line, r.pos.col)) for f, rs in found.items()}


def _own_rules(p: Procedure, index: dict[str, list[RuleSpec]]) -> list[RuleSpec]:
    """Rules written in the procedure's own file (inherited ones are listed under their template)."""
    return index.get(p.pos.file, [])


def _inherited(lib: Library, p: Procedure) -> list[tuple[str, int]]:
    by_file = {q.pos.file: q.id for q in lib.procedures.values()}
    counts: dict[str, int] = {}
    for r in p.rules:
        if r.pos.file != p.pos.file:
            origin = by_file.get(r.pos.file, r.pos.file)
            counts[origin] = counts.get(origin, 0) + 1
    return list(counts.items())


def _not_applied(lib: Library, p: Procedure, index: dict[str, list[RuleSpec]]) -> list[str]:
    """Rules of the templates p rests on that p does not apply (disabled, or about acts p does not have)."""
    mine = {r.id for r in p.rules}
    out: list[str] = []
    todo = list(p.extends)
    seen: set[str] = set()
    while todo:
        base = lib.procedures.get(todo.pop(0))
        if base is None or base.id in seen:
            continue
        seen.add(base.id)
        out += [r.id for r in _own_rules(base, index) if r.id not in mine and r.id not in out]
        todo += list(base.extends)
    return out


def _case_rules(lib: Library) -> list[tuple[Scenario, list[RuleSpec]]]:
    """Rules a case adds to (or overrides in) its template, written in the case file itself."""
    out = []
    for sc in sorted(lib.scenarios.values(), key=lambda s: s.id):
        own = [r for r in sc.procedure.rules if r.pos.file == sc.path]
        if own:
            out.append((sc, own))
    return out


def cmd_rules(args: argparse.Namespace) -> int:
    from sim.model import Severity
    from sim.scoring import DEDUCTION, PASS_MARK, cite_labels

    lib = _load_library(args.library)
    _library_note(lib)
    procs = _procedures_in_order(lib)
    index = _rules_by_file(lib)

    def cites(r: RuleSpec) -> str:
        return cite_labels(r.cite, lib.articles)

    if args.markdown:
        def rule_md(r: RuleSpec, level: str) -> None:
            _out(f"{level} `{r.id}` {_md(r.title)}", "",
                 f"- 严重程度：{r.severity.label}（扣 {_severity_points(r)} 分）",
                 f"- 依据：{_md(cites(r))}",
                 f"- 问题：{_md(r.explain)}",
                 f"- 应当：{_md(r.expected)}", "")

        _out("# 规则目录", "", "本文件由 `lawdrill rules --markdown` 生成，请勿手工修改；规则写在 "
             "`scenarios/procedures/` 的程序模板和各案例文件中。", "",
             f"评分：满分 100 分，按问题扣分，扣完为止。严重问题（否决项）扣 {DEDUCTION[Severity.CRITICAL]} 分"
             f"且本案不合格；较重问题扣 {DEDUCTION[Severity.MAJOR]} 分；轻微问题扣 {DEDUCTION[Severity.MINOR]} 分；"
             f"{PASS_MARK} 分及格。", "")
        for p in procs:
            kind = "（通用模板，不直接用于案例）" if p.abstract else ""
            _out(f"## {_md(p.title)}（`{p.id}`）{kind}", "")
            for origin, n in _inherited(lib, p):
                _out(f"另适用继承自 `{origin}` 的 {n} 条规则（见下文）。", "")
            skipped = _not_applied(lib, p, index)
            if skipped:
                _out("本程序不适用（停用或不涉及相应动作）的继承规则：" + "、".join(f"`{r}`" for r in skipped) + "。", "")
            for r in _own_rules(p, index):
                rule_md(r, "###")
        cases = _case_rules(lib)
        if cases:
            _out("## 案例自有的规则", "")
            for sc, rules in cases:
                _out(f"### {_md(sc.title)}（`{sc.id}`）", "")
                for r in rules:
                    rule_md(r, "####")
        return EXIT_OK

    def rule_text(r: RuleSpec) -> None:
        _out("", f"  {r.id}  {r.title}  【{r.severity.label}，扣 {_severity_points(r)} 分】",
             f"    依据：{cites(r)}",
             f"    问题：{r.explain.strip()}",
             f"    应当：{r.expected.strip()}")

    for n, p in enumerate(procs):
        if n:
            _out("")
        kind = "（通用模板）" if p.abstract else ""
        extends = f"，继承 {'、'.join(p.extends)}" if p.extends else ""
        _out(f"■ {p.title}（{p.id}{extends}）{kind}")
        for origin, count in _inherited(lib, p):
            _out(f"  另适用继承自 {origin} 的 {count} 条规则（见下文）")
        skipped = _not_applied(lib, p, index)
        if skipped:
            _out(f"  本程序不适用（停用或不涉及相应动作）的继承规则：{'、'.join(skipped)}")
        for r in _own_rules(p, index):
            rule_text(r)
    for sc, rules in _case_rules(lib):
        _out("", f"■ 案例自有的规则：{sc.title}（{sc.id}）")
        for r in rules:
            rule_text(r)
    return EXIT_OK


# --- cases and the overview --------------------------------------------------------------------------------

_CASE_HEADERS = ("编号", "标题", "案件类型", "程序", "难度", "标签", "职权来源", "参考/陷阱")
# docs/cases.md (`cases --markdown`) adds the mutation score; the terminal listings skip it (it takes the whole
# deep check: `lawdrill check` shows it per case).
_MUTATION_HEADER = "变异测试"
# On a narrow terminal the tags give way first, then the case type, the procedure and the title (min widths).
_CASE_SHRINK = {5: 4, 2: 8, 3: 8, 1: 14}


def _case_rows(lib: Library, mutation: bool = False) -> list[list[str]]:
    """One row per case; with `mutation`, a last column with the mutation score of the deep check (killed /
    variations that need a finding), which tests/test_deepcheck.py holds each case to."""
    rows = []
    for sc in sorted(lib.scenarios.values(), key=lambda s: s.id):
        source = str(sc.power.get("source", "")) if isinstance(sc.power, dict) else ""
        rows.append([
            sc.id, sc.title, sc.case_type or "—", sc.procedure.title, str(sc.difficulty),
            "、".join(sc.tags) or "—", POWER_SOURCES.get(source, source or "—"),
            f"{len(sc.references)}/{len(sc.traps)}",
        ] + ([_deep_check(lib, sc, False).mutation.label()] if mutation else []))
    return rows


def cmd_cases(args: argparse.Namespace) -> int:
    lib = _load_library(args.library)
    _library_note(lib)
    if args.markdown:
        headers = (*_CASE_HEADERS, _MUTATION_HEADER)
        rows = _case_rows(lib, mutation=True)
        _out("| " + " | ".join(headers) + " |", "|" + "---|" * len(headers))
        for r in rows:
            _out("| " + " | ".join(_md(c) for c in r) + " |")
        return EXIT_OK
    rows = _case_rows(lib)
    if not rows:
        _out("案例库中没有案例。")
        return EXIT_OK
    _out(*table(_CASE_HEADERS, rows, max_width=_screen_width(), shrink=_CASE_SHRINK))
    _out(f"共 {len(rows)} 个案例。")
    return EXIT_OK


def _terminal_ok() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def cmd_ui(args: argparse.Namespace) -> int:
    """The trainee app. Without a terminal (a pipe, CI) there is nothing to draw on: show the overview."""
    if not _terminal_ok():
        _err("当前不是交互式终端，无法打开训练界面；以下为案例库概览（可用 lawdrill list 查看）。")
        return cmd_overview(args)
    from tui.app import run_ui  # Textual is imported only here

    return run_ui(None, mode=getattr(args, "mode", "practice"), home=getattr(args, "home", None),
                  library_paths=getattr(args, "library", None))


def cmd_play(args: argparse.Namespace) -> int:
    lib = _load_library(args.library)
    try:
        lib.scenario(args.case)
    except KeyError:
        raise UsageError(f"找不到案例「{args.case}」。", "用 lawdrill list 查看案例编号。") from None
    if not _terminal_ok():
        raise UsageError("当前不是交互式终端，无法打开训练界面。", "无界面办理请用 lawdrill run CASE --steps FILE。")
    from tui.app import run_ui  # Textual is imported only here

    return run_ui(args.case, mode=args.mode, home=args.home, library_paths=args.library)


def cmd_overview(args: argparse.Namespace) -> int:
    from sim import __version__

    lib = _load_library(None)
    _library_note(lib)
    rows = _case_rows(lib)
    _out(f"执法演练 lawdrill {__version__}：乡镇综合行政执法程序模拟训练", "")
    if rows:
        _out(f"案例库（{len(rows)} 个案例）：",
             *table(_CASE_HEADERS, rows, indent="  ", max_width=_screen_width(), shrink=_CASE_SHRINK))
    else:
        _out("案例库中没有案例。")
    width = max(text_width(c) for c, _ in COMMANDS) + 11
    _out("", "命令：", *(f"  {pad(('lawdrill ' + c).rstrip(), width)}{h}" for c, h in COMMANDS),
         "", "运行「lawdrill 命令 -h」查看各命令的用法。")
    return EXIT_OK
