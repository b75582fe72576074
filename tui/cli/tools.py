"""Trainer tools on the command line: `schema`, `explore`, `new`.

Like every command, each imports the engine inside the function (start-up time, style.md item 7) and never imports Textual.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from tui.cli.common import (
    EXIT_FAILED, EXIT_OK, AddCommand, UsageError, count_arg, emit, find_case, library_note, library_option, open_library,
    print_json, screen_width, seed_arg, table,
)

def add_commands(command: AddCommand) -> None:
    p = command("explore", "探索一个案例：受训人可能的办法、覆盖率、结局和得分分布",
                "从案件开始枚举受训人可能的动作序列（参数按等价类取值：人员、证件、录像、送达方式、\n"
                "罚款在幅度内/外、文书缺项、按时/超期……），报告状态、状态转换和规则的覆盖情况，\n"
                "各结局的得分分布（最低/中位数/最高），以及从未触发的规则。\n"
                "先探索参考路径，再探索偏离参考路径一步、两步……的办法；达到深度上限、预算或时限时停止。\n"
                "随后对尚未触发的规则做定向搜索（奔向能进行其所看动作的状态，试规则比较的金额和文书各项），\n"
                "最后对每条未触发的规则说明原因（如适用条件从未成立、没有外界事件使案件进入所需状态）。\n"
                "--exhaustive 穷尽深度以内的全部情形：完成时证明覆盖完整，超过上限时如实报告未完成。", cmd_explore)
    p.add_argument("case", metavar="CASE", help="案例编号，或案例 YAML 文件路径")
    p.add_argument("--depth", type=count_arg, default=None, metavar="N",
                   help="每个序列最多几步（默认：最长参考路径的步数加 2，至少 8）")
    p.add_argument("--budget", type=count_arg, default=None, metavar="N",
                   help="最多探索多少个不同情形（默认 120；--exhaustive 时为上限，默认 20000）")
    p.add_argument("--seconds", type=float, default=None, metavar="S",
                   help="最多用时几秒：到时停止，并报告已探索到哪一步")
    p.add_argument("--exhaustive", action="store_true",
                   help="穷尽搜索：探索深度以内的全部情形，完成时报告覆盖已得到证明")
    p.add_argument("--seed", type=seed_arg, default=0, metavar="N", help="随机种子（决定带概率的事件，默认 0）")
    p.add_argument("--json", action="store_true", help="输出机器可读的 JSON 报告")
    library_option(p)

    p = command("new", "按程序模板生成新案例文件",
                "按程序模板生成一个新案例文件 CASE.yaml：只含模板要求的内容（当事人、事实、处罚幅度等）、\n"
                "一条参考路径和一个陷阱（漏办一步），取自案例库中使用该模板、参考路径最短的案例，\n"
                "生成时已逐项检查，可直接通过 lawdrill check；标有「待修改」的内容请按实际案情改写。\n"
                "不会覆盖已有文件。", cmd_new)
    p.add_argument("case", metavar="CASE", help="新案例的编号（也是文件名），如 straw-burning-02")
    p.add_argument("--template", required=True, metavar="NAME", help="程序模板编号，如 general-penalty")
    p.add_argument("--dir", metavar="DIR", help="写入的目录（默认：当前目录）")
    library_option(p)

    p = command("schema", "输出场景文件的 JSON Schema",
                "输出场景文件（法律条文目录、程序模板、案例）的 JSON Schema（draft 2020-12），\n"
                "供编辑器补全和检查（VS Code 的 Red Hat YAML 扩展等，见 docs/authoring.md）。", cmd_schema)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--path", action="store_true", help="只输出随程序附带的 schema 文件的路径")
    out.add_argument("-o", "--output", metavar="FILE", help="写入文件而不是输出到屏幕")


# --- schema ------------------------------------------------------------------------------------------------


def cmd_schema(args: argparse.Namespace) -> int:
    from sim.schema import schema_path, schema_text

    if args.path:
        emit(str(schema_path()))
        return EXIT_OK
    text = schema_text()
    if args.output:
        out = Path(args.output)
        if out.is_dir():
            raise UsageError(f"「{out}」是目录，请给出要写入的文件名（如 {out / 'lawdrill.schema.json'}）")
        if not out.parent.is_dir():
            raise UsageError(f"目录不存在：{out.parent}")
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"无法写入 {out}：{exc.strerror or exc}") from None
        emit(f"已写入 JSON Schema：{out}")
        return EXIT_OK
    print(text, end="")
    return EXIT_OK


# --- explore -----------------------------------------------------------------------------------------------


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 // whole}%" if whole else "—"


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _progress_line(d: dict[str, Any]) -> None:
    import sys

    sys.stderr.write(f"\r已探索情形 {d['nodes']} 个，执行动作 {d['steps']} 次，触发规则 {d['rules']}/{d['rules_total']} 条，"
                     f"用时 {d['seconds']:.1f} 秒")
    sys.stderr.flush()


def _proven_to(depth: int) -> str:
    """The part of an unfinished exhaustive search that is proven (it runs breadth first)."""
    return f"（{depth} 步以内的全部办法已探索完毕，这一深度以内的覆盖是完整的）" if depth > 0 else ""


def cmd_explore(args: argparse.Namespace) -> int:
    import sys

    from sim.explore import EXHAUSTIVE_LIMIT, explore

    if args.depth is not None and not 1 <= args.depth <= 60:
        raise UsageError("--depth 应在 1 到 60 之间")
    if args.budget is not None and not 1 <= args.budget <= 1_000_000:
        raise UsageError("--budget 应在 1 到 1000000 之间")
    if args.seconds is not None and not 0 < args.seconds <= 86_400:
        raise UsageError("--seconds 应大于 0、不超过 86400（一天）")
    lib, sc = find_case(args.case, args.library)
    library_note(lib)
    live = not args.json and sys.stderr.isatty()
    rep = explore(sc, depth=args.depth, budget=args.budget, seed=args.seed, seconds=args.seconds,
                  exhaustive=args.exhaustive, progress=_progress_line if live else None)
    if live:
        sys.stderr.write("\r\033[K")
    code = EXIT_FAILED if args.exhaustive and not rep.proven else EXIT_OK
    if args.json:
        print_json(rep.to_json())
        return code
    states = dict(rep.states)
    limit = f"时限 {_num(rep.seconds_limit)} 秒，" if rep.seconds_limit is not None else ""
    lines = [
        f"案例探索：{sc.title}（{sc.id}）",
        f"{'穷尽搜索，' if rep.exhaustive else ''}深度上限 {rep.depth} 步，"
        f"{'情形上限' if rep.exhaustive else '预算'} {rep.budget} 个情形，{limit}"
        f"共探索情形 {rep.nodes} 个（定向搜索 {rep.goal_nodes} 个），执行动作 {rep.steps} 次，用时 {rep.seconds:.1f} 秒。",
    ]
    if rep.last_found is not None:
        n, _, secs = rep.last_found
        lines.append(f"最后一条新触发的规则出现在第 {n} 个情形（第 {secs:.1f} 秒）。")
    if rep.exhaustive:
        if rep.proven:
            lines.append(f"覆盖已得到证明：{rep.depth} 步以内、按参数等价类的全部办法中，下面列出的未触发规则"
                         "任何一种都触发不了（每条的原因即其证明）。")
        elif rep.stop == "time":
            lines.append(f"穷尽搜索未完成：已到时限（{_num(rep.seconds_limit or 0)} 秒），{rep.depth} 步以内的覆盖"
                         f"未得到证明{_proven_to(rep.proven_depth)}；可放宽 --seconds 或减小 --depth。")
        else:
            lines.append(f"穷尽搜索未完成：本案 {rep.depth} 步以内的情形超过上限 {rep.budget} 个，覆盖未得到证明"
                         f"{_proven_to(rep.proven_depth)}；可减小 --depth，或加大 --budget（默认 {EXHAUSTIVE_LIMIT}）。")
    elif rep.stop == "time":
        lines.append(f"注意：已到时限，搜索在第 {rep.main_nodes} 个情形处停止，偏离参考路径较多的办法未探索；"
                     "可放宽 --seconds，或用 --exhaustive 穷尽。")
    elif rep.cut:
        lines.append("注意：预算已用尽，搜索未穷尽（偏离参考路径较多的办法未探索）；可加大 --budget、减小 --depth，"
                     "或用 --exhaustive 穷尽。")
    lines += ["", "覆盖情况："]
    lines += table(["项目", "已覆盖", "总数", "比例"], [
        ["状态", str(len(rep.states_reached)), str(len(rep.states)),
         _pct(len(rep.states_reached), len(rep.states))],
        ["状态转换（状态 × 动作）", str(len(rep.transitions_covered)), str(len(rep.transitions)),
         _pct(len(rep.transitions_covered), len(rep.transitions))],
        ["规则（触发过的）", str(len(rep.rules_triggered)), str(len(rep.rules)),
         _pct(len(rep.rules_triggered), len(rep.rules))],
    ], indent="  ")
    lines += ["", "结局和得分分布："]
    if rep.endings:
        rows = []
        for e in rep.endings:
            lo, mid, hi = e.spread()
            rows.append([e.label, str(e.count), str(lo), _num(mid), str(hi)])
        lines += table(["结局", "情形数", "最低分", "中位数", "最高分"], rows, indent="  ")
    else:
        lines.append("  （未到达任何结局：深度或预算太小）")
    if rep.gamed:
        lines += ["", f"问题：{len(rep.gamed)} 种办法未达到本案的合法结果却判定通过（案件可以取巧），例如："]
        lines += [f"  {i}. " + ("、".join(m.label for m in path) or "什么都不做") + " → 交卷"
                  for i, path in enumerate(rep.gamed[:3], 1)]
    missing = [f"{states[sid]}（{sid}）" for sid, _ in rep.states if sid not in rep.states_reached]
    if missing:
        lines += ["", f"未到达的状态：{'、'.join(missing)}"]
    if rep.unreached:
        lines += ["", f"从未触发的规则（{len(rep.unreached)} 条）及原因："]
        for u in rep.unreached:
            mark = "（不可能触发）" if u.proven else ""
            lines.append(f"  {u.title}（{u.rule_id}）{mark}")
            lines.append(f"    原因：{u.reason}。")
            if u.detail:
                lines.append(f"    {u.detail}")
    else:
        lines += ["", "案例的每条规则都至少触发过一次。"]
    emit(*lines)
    return code


# --- new ---------------------------------------------------------------------------------------------------

def _schema_target(dest: Path) -> str:
    """Relative path to the library's schema when the file lands inside the library, else absolute."""
    from sim.loader import bundled_scenarios
    from sim.schema import schema_path

    root = bundled_scenarios().resolve()
    folder = dest.parent.resolve()
    if folder == root or root in folder.parents:
        return Path(os.path.relpath(schema_path().resolve(), folder)).as_posix()
    return schema_path().resolve().as_posix()


def cmd_new(args: argparse.Namespace) -> int:
    from sim.bounds import BoundsError, check_id
    from sim.scaffold import ScaffoldError, new_case, source_case
    from sim.schema import schema_comment
    from sim.yamlsrc import YamlError

    case_id = args.case[:-5] if args.case.endswith(".yaml") else args.case
    try:
        check_id(case_id, "案例编号")  # the loader's own rule: the id becomes the file's name
    except BoundsError as exc:
        raise UsageError(f"{exc}，如 straw-burning-02") from None
    folder = Path(args.dir or ".")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"「{folder}」是一个文件，不是目录")
    dest = folder / f"{case_id}.yaml"
    if dest.exists():
        raise UsageError(f"文件已存在：{dest}（不会覆盖；请换一个案例编号或目录）")
    lib = open_library(args.library)
    concrete = sorted(p.id for p in lib.procedures.values() if not p.abstract)
    if args.template not in lib.procedures or lib.procedures[args.template].abstract:
        what = "是抽象模板，案例不能直接使用" if args.template in lib.procedures else "不存在"
        listing = "、".join(f"{pid}（{lib.procedures[pid].title}）" for pid in concrete) or "无"
        raise UsageError(f"程序模板「{args.template}」{what}。可用的模板：{listing}")
    if case_id in lib.scenarios:
        raise UsageError(f"案例库中已有编号为「{case_id}」的案例（{lib.scenarios[case_id].path}），请换一个编号")
    proc = lib.procedures[args.template]
    try:
        source = source_case(lib, args.template)
        head = [
            schema_comment(_schema_target(dest)),
            f"# 由 lawdrill new 根据程序模板「{proc.title}」（{proc.id}）生成，参照案例 {source.id}。",
            "# 只含模板要求的内容、一条参考路径和一个陷阱；标有「待修改」的内容请按实际案情改写，"
            "改完运行 lawdrill check 检查本文件（参考路径应得满分，陷阱应触发所写明的规则）。",
            "# 文件格式见 docs/scenario-format.md；在 VS Code 中安装 Red Hat YAML 扩展即可获得键的补全和检查。",
        ]
        text = new_case(lib, source, case_id, head)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    except (OSError, YamlError) as exc:  # the source case changed or vanished since it was loaded
        raise UsageError(f"无法读取参照案例：{exc}") from None
    try:
        folder.mkdir(parents=True, exist_ok=True)  # a trainer starting a new collection names a new folder
        with dest.open("x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise UsageError(f"文件已存在：{dest}（不会覆盖）") from None
    except OSError as exc:
        raise UsageError(f"无法写入 {dest}：{exc.strerror or exc}") from None
    emit(f"已生成案例文件：{dest}",
         f"程序模板：{proc.title}（{proc.id}）；参照案例：{source.title}（{source.id}）。",
         f"下一步：按实际案情修改标有「待修改」的内容，然后运行「lawdrill check {dest}」。")
    return EXIT_OK
