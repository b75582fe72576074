"""The trainer's commands: `lawdrill graph`, `lawdrill stats` and `lawdrill trainer`.

Kept apart from tui/cli.py (which builds the parser and holds the shared helpers) so that the commands of
several authors merge without conflicts. Like cli.py this imports only the standard library at the top:
the engine inside each command, Textual only in `trainer`, which opens the app.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from tui.cli import (
    EXIT_OK,
    UsageError,
    _find_case,
    _json,
    _library_note,
    _load_library,
    _out,
    _require_paths,
    _screen_width,
    _terminal_ok,
    table,
)


def cmd_graph(args: argparse.Namespace) -> int:
    """The state graph of a case (or of a procedure template) as Mermaid or Graphviz DOT."""
    from sim.graph import GraphError, build_graph, case_graph, render

    ref = args.case
    lib = _load_library(args.library)
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
            sc = lib.scenarios[ref] if ref in lib.scenarios else _find_case(ref, args.library)[1]
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
        _out(f"状态图已写入 {out}（{'Mermaid' if args.format == 'mermaid' else 'Graphviz DOT'}，"
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
        _require_paths([home], "学习记录目录")
    lib = _load_library(args.library)
    _library_note(lib)
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
        _json({"by": args.by or "all", "trainee": args.trainee, "attempts": total,
               "groups": {g: n for g, n in sizes.items()}, "rules": [w.to_json() for w in spots]})
        return EXIT_OK
    who = f"学员「{args.trainee}」的" if args.trainee else ""
    if not total:
        _out(f"{who}学习记录中还没有已完成的演练，暂无统计。")
        return EXIT_OK
    by_text = {None: "", "case": "（按案例）", "township": "（按乡镇）"}[args.by]
    _out(f"薄弱环节{by_text}：{who}已完成的演练共 {total} 次；“次数”为触发该规则的演练次数，“占比”为其占该组演练的比例。")
    rows_of: dict[str, list[list[str]]] = {}
    for w in spots:
        rows_of.setdefault(w.group, []).append(
            [w.rule, w.title, w.severity or "—", w.citations or "—", str(w.count), f"{w.share:.0%}"])
    headers = ("规则", "标题", "严重程度", "依据", "次数", "占比")
    for group, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        rows = rows_of.get(group, [])
        _out("")
        if args.by is not None:
            _out(f"■ {group_label(lib, args.by, group)}（演练 {n} 次）")
        if rows:
            _out(*table(headers, rows, indent="  " if args.by else "", max_width=_screen_width(),
                        shrink={3: 12, 1: 12}))
        else:
            _out(("  " if args.by else "") + "没有触发任何规则。")
    return EXIT_OK


def cmd_trainer(args: argparse.Namespace) -> int:
    """Open the app on the trainer screen (validation, reload on change, weak spots)."""
    if args.paths:
        _require_paths(args.paths, "案例库路径")
    if not _terminal_ok():
        raise UsageError("当前不是交互式终端，无法打开教员界面。",
                         "检查案例库请用 lawdrill check，统计薄弱环节请用 lawdrill stats。")
    from tui.app import run_ui  # Textual is imported only here

    return run_ui(None, home=args.home, library_paths=list(args.paths) or None, trainer=True)
