"""The trainer's commands: `lawdrill graph`, `lawdrill stats` and `lawdrill trainer`.

Like every module of tui.cli this imports only the standard library at the top:
the engine inside each command, Textual only in `trainer`, which opens the app.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from tui.cli import common
from tui.cli.common import (
    EXIT_OK, AddCommand, UsageError, count_arg, emit, find_case, library_note, library_option, open_library,
    print_json, require_paths, screen_width, table,
)


def add_commands(command: AddCommand) -> None:
    p = command("graph", "画出案例或程序模板的状态图",
                "按引擎实际运行的状态机画出程序的状态图：状态（标出起始和结束状态）、执法动作和外部事件（虚线），\n"
                "每个动作标出涉及的规则条数；--path N 标出第 N 条参考路径经过的转换及步骤序号。\n"
                "例：lawdrill graph straw-burning-01 --path 1 --format dot --output graph.dot",
                cmd_graph)
    p.add_argument("case", metavar="CASE", help="案例编号、案例 YAML 文件路径，或程序模板编号")
    p.add_argument("--format", choices=["mermaid", "dot"], default="mermaid",
                   help="mermaid（默认，可直接贴入 Markdown）或 dot（Graphviz）")
    p.add_argument("--output", metavar="FILE", help="写入文件（默认输出到终端）")
    p.add_argument("--path", type=count_arg, metavar="N", help="标出案例第 N 条参考路径（从 1 起）")
    library_option(p)

    p = command("stats", "薄弱环节统计",
                "统计学习记录中已完成的演练最常触犯的规则：规则标题、法律依据、次数和占演练次数的比例。\n"
                "可按案例或按乡镇分组。", cmd_stats)
    p.add_argument("--by", choices=["case", "township"], help="分组：case 按案例，township 按乡镇（默认：不分组）")
    p.add_argument("--trainee", metavar="NAME", help="只统计这位学员（默认：全部学员）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--home", metavar="DIR", help="学习记录保存目录（默认：用户数据目录，或环境变量 LAWDRILL_HOME）")
    library_option(p)

    p = command("trainer", "打开教员界面",
                "打开教员界面：案例库的加载错误和自测结果（Enter 在编辑器中打开出错的文件和行），\n"
                "文件修改后自动重新加载并重新检查，以及学员的薄弱环节统计。", cmd_trainer)
    p.add_argument("paths", nargs="*", metavar="PATH", help="案例库目录或 YAML 文件（默认：随程序附带的案例库）")
    p.add_argument("--home", metavar="DIR", help="学习记录保存目录（默认：用户数据目录，或环境变量 LAWDRILL_HOME）")


def cmd_graph(args: argparse.Namespace) -> int:
    """The state graph of a case (or of a procedure template) as Mermaid or Graphviz DOT."""
    from sim.graph import GraphError, build_graph, case_graph, render

    ref = args.case
    lib = open_library(args.library)
    try:
        if ref in lib.procedures and ref not in lib.scenarios:
            if args.path is not None:
                raise UsageError(f"「{ref}」是程序模板，没有参考路径；--path 只能用于案例。")
            graph = build_graph(lib.procedures[ref])
        else:
            if ref not in lib.scenarios and not Path(ref).is_file() and not ref.endswith((".yaml", ".yml")):
                cases = "、".join(sorted(lib.scenarios)) or "无"
                templates = "、".join(sorted(p for p, v in lib.procedures.items() if v.states)) or "无"
                raise UsageError(f"找不到案例或程序模板「{ref}」。", f"案例：{cases}\n程序模板：{templates}")
            sc = lib.scenarios[ref] if ref in lib.scenarios else find_case(ref, args.library)[1]
            graph = case_graph(sc, args.path)
        text = render(graph, args.format)
    except GraphError as exc:
        raise UsageError(str(exc)) from None
    if args.output:
        out = Path(args.output)
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"无法写入 {out}：{exc.strerror or exc}") from None
        emit(f"状态图已写入 {out}（{'Mermaid' if args.format == 'mermaid' else 'Graphviz DOT'}，"
             f"状态 {len(graph.nodes)} 个，转换 {len(graph.edges)} 条）。")
        return EXIT_OK
    print(text, end="")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """Weak spots from the local history: the rules broken most, overall, by case or by township."""
    from sim.store import Store
    from sim.weakspots import group_label, weak_spots

    home = args.home
    if home is not None:
        require_paths([home], "学习记录目录")
    lib = open_library(args.library)
    library_note(lib)
    try:
        store = Store(home)
    except (OSError, sqlite3.Error) as exc:
        raise UsageError(f"无法打开学习记录目录 {home or ''}：{exc}") from None
    try:
        spots = weak_spots(store, lib, args.by, trainee=args.trainee)
        sizes = store.attempt_counts(args.by, trainee=args.trainee)
    finally:
        store.close()
    total = sum(sizes.values())
    if args.json:
        print_json({"by": args.by or "all", "trainee": args.trainee, "attempts": total,
               "groups": {g: n for g, n in sizes.items()}, "rules": [w.to_json() for w in spots]})
        return EXIT_OK
    who = f"学员「{args.trainee}」的" if args.trainee else ""
    if not total:
        emit(f"{who}学习记录中还没有已完成的演练，暂无统计。")
        return EXIT_OK
    by_text = {None: "", "case": "（按案例）", "township": "（按乡镇）"}[args.by]
    emit(f"薄弱环节{by_text}：{who}已完成的演练共 {total} 次；“次数”为触发该规则的演练次数，“占比”为其占该组演练的比例。")
    rows_of: dict[str, list[list[str]]] = {}
    for w in spots:
        rows_of.setdefault(w.group, []).append(
            [w.rule, w.title, w.severity or "—", w.citations or "—", str(w.count), f"{w.share:.0%}"])
    headers = ("规则", "标题", "严重程度", "依据", "次数", "占比")
    for group, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        rows = rows_of.get(group, [])
        emit("")
        if args.by is not None:
            emit(f"■ {group_label(lib, args.by, group)}（演练 {n} 次）")
        if rows:
            emit(*table(headers, rows, indent="  " if args.by else "", max_width=screen_width(),
                        shrink={3: 12, 1: 12}))
        else:
            emit(("  " if args.by else "") + "没有触发任何规则。")
    return EXIT_OK


def cmd_trainer(args: argparse.Namespace) -> int:
    """Open the app on the trainer screen (validation, reload on change, weak spots)."""
    if args.paths:
        require_paths(args.paths, "案例库路径")
    if not common.terminal_ok():
        raise UsageError("当前不是交互式终端，无法打开教员界面。",
                         "检查案例库请用 lawdrill check，统计薄弱环节请用 lawdrill stats。")
    from tui.app import run_ui  # Textual is imported only here

    return run_ui(None, home=args.home, library_paths=list(args.paths) or None, trainer=True)
