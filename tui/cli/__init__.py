"""lawdrill's command line: `main()` builds the parser and runs the command (pyproject: `tui.cli:main`).

One module per command group, each with an `add_commands(command)` that registers its commands and the
`cmd_*` functions that run them; what they share (exit codes, `UsageError`, output, tables, the Chinese
argparse parser, opening the library and a case) is public in `tui.cli.common`:

    ui         lawdrill [ui], play, list        the trainee app, and the overview without a terminal
    check      check                            load errors, self-tests, deep check
    run        run, replay                      a case played headless, a journal re-scored
    deadline   deadline                         the statutory period calculator
    catalogue  rules, cases                     the rule catalogue and the case list
    tools      explore, new, schema             case authors' tools
    trainer    graph, stats, trainer            the trainer's commands
    drill      drill                            a knowledge paper aimed at a trainee's weakest articles
    contest    contest check|import|…|board     contests
    serve      serve                            the apps in browsers on the local network (tui.serve)

Start-up time matters (style.md, item 7): `lawdrill deadline` is a calculator people run many times a day.
So every module here imports only the standard library at the top; the engine is imported inside the command
that needs it, and Textual only by the commands that open an app. tests/test_import_hygiene.py holds us to
that.

Every message a user reads is in Simplified Chinese, including argparse's own (see `common.ARGPARSE_ZH`). Bad
input is a one- or two-line message on stderr and exit status 2, never a traceback.

Exit status: 0 done; 1 `check` found errors or failing self-tests; 2 bad input; 3 internal error (a bug:
`--debug` shows the traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from tui.cli import catalogue, check, contest, deadline, drill, run, serve, tools, trainer, ui
from tui.cli.common import (
    ARGPARSE_ZH, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, Parser, UsageError, emit, emit_error,
    ngettext_zh,
)

# The order of the help's command list.
GROUPS = (ui, check, run, deadline, catalogue, tools, trainer, drill, contest, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="lawdrill",
        description="执法演练：乡镇综合行政执法程序模拟训练。\n不带命令运行时打开训练界面。",
        epilog="运行「lawdrill 命令 -h」查看各命令的用法。",
    )
    parser.add_argument("--debug", action="store_true", help="出现内部错误时显示完整的错误追踪（供开发人员排查）")
    parser.add_argument("--version", action="store_true", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", title="命令", metavar="命令", parser_class=Parser)

    def command(name: str, help_text: str, description: str, func: Callable[[argparse.Namespace], int],
                ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=description)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="出现内部错误时显示完整的错误追踪")
        p.set_defaults(func=func)
        return p

    for group in GROUPS:
        group.add_commands(command)
    return parser


# --- entry point -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    _tolerant_streams()
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = lambda s: ARGPARSE_ZH.get(s, s)  # type: ignore[attr-defined]
    argparse.ngettext = ngettext_zh
    try:
        try:
            args = build_parser().parse_args(args_in)
        except UsageError as exc:
            emit_error(exc.message, *([exc.hint] if exc.hint else []))
            return EXIT_USAGE
        except SystemExit as exc:  # -h / --help
            return exc.code if isinstance(exc.code, int) else EXIT_OK
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
    name = args.command or ""
    try:
        if args.version:
            from sim import __version__

            emit(f"lawdrill {__version__}")
            return EXIT_OK
        return int(args.func(args)) if name else ui.cmd_ui(args)
    except UsageError as exc:
        emit_error(exc.message, *([exc.hint] if exc.hint else []))
        return EXIT_USAGE
    except KeyboardInterrupt:
        emit_error("已中断。")
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
            emit_error(f"{what}：内部错误（{type(exc).__name__}：{exc}）。",
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
