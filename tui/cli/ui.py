"""`lawdrill` with no command, `lawdrill ui`, `lawdrill play CASE` (the trainee app) and `lawdrill list`
(the overview printed when there is no terminal)."""

from __future__ import annotations

import argparse

from tui.cli import common
from tui.cli.catalogue import CASE_HEADERS, CASE_SHRINK, case_rows
from tui.cli.common import (
    COMMANDS, EXIT_OK, AddCommand, UsageError, emit, emit_error, library_note, open_library, pad, screen_width, table,
    text_width, ui_options,
)


def add_commands(command: AddCommand) -> None:
    p = command("play", "打开训练界面并直接进入一个案例", "打开训练界面并直接进入指定案例的案情简介。", cmd_play)
    p.add_argument("case", metavar="CASE", help="案例编号，或案例 YAML 文件路径")
    ui_options(p)

    p = command("ui", "打开训练界面（与不带命令相同）", "打开训练界面：案例库、案情简介、办案工作台、讲评和历史记录。",
                cmd_ui)
    ui_options(p)

    command("list", "在终端列出案例库概览", "在终端列出案例库中的案例和可用命令，不打开界面。", cmd_overview)


def cmd_ui(args: argparse.Namespace) -> int:
    """The trainee app. Without a terminal (a pipe, CI) there is nothing to draw on: show the overview."""
    if not common.terminal_ok():
        emit_error("当前不是交互式终端，无法打开训练界面；以下为案例库概览（可用 lawdrill list 查看）。")
        return cmd_overview(args)
    from tui.app import run_ui  # Textual is imported only here

    return run_ui(None, mode=getattr(args, "mode", "practice"), home=getattr(args, "home", None),
                  library_paths=getattr(args, "library", None))


def cmd_play(args: argparse.Namespace) -> int:
    lib = open_library(args.library)
    try:
        lib.scenario(args.case)
    except KeyError:
        raise UsageError(f"找不到案例「{args.case}」。", "用 lawdrill list 查看案例编号。") from None
    if not common.terminal_ok():
        raise UsageError("当前不是交互式终端，无法打开训练界面。", "无界面办理请用 lawdrill run CASE --steps FILE。")
    from tui.app import run_ui  # Textual is imported only here

    return run_ui(args.case, mode=args.mode, home=args.home, library_paths=args.library)


def cmd_overview(args: argparse.Namespace) -> int:
    from sim import __version__

    lib = open_library(None)
    library_note(lib)
    rows = case_rows(lib)
    emit(f"执法演练 lawdrill {__version__}：乡镇综合行政执法程序模拟训练", "")
    if rows:
        emit(f"案例库（{len(rows)} 个案例）：",
             *table(CASE_HEADERS, rows, indent="  ", max_width=screen_width(), shrink=CASE_SHRINK))
    else:
        emit("案例库中没有案例。")
    width = max(text_width(c) for c, _ in COMMANDS) + 11
    emit("", "命令：", *(f"  {pad(('lawdrill ' + c).rstrip(), width)}{h}" for c, h in COMMANDS),
         "", "运行「lawdrill 命令 -h」查看各命令的用法。")
    return EXIT_OK
