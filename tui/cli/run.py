"""`lawdrill run` (a case played headless from a steps file) and `lawdrill replay` (a journal re-scored)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.common import (
    EXIT_OK, AddCommand, UsageError, emit, error_line, find_case, library_option, open_library, print_json,
    seed_arg,
)

if TYPE_CHECKING:
    from sim.model import Step


def add_commands(command: AddCommand) -> None:
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
    p.add_argument("--seed", type=seed_arg, default=0, metavar="N", help="随机种子（决定带概率的事件，默认 0）")
    p.add_argument("--journal", metavar="PATH", help="把办案过程写入记录文件（可用 lawdrill replay 重放）")
    library_option(p)

    p = command("replay", "按办案记录重放并重新评分",
                "按办案记录（run --journal 或训练界面生成）重放整个办案过程，重新计算问题和得分。\n"
                "默认要求案例内容与记录时完全一致（内容校验值相同）。", cmd_replay)
    p.add_argument("journal", metavar="JOURNAL", help="办案记录文件")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.add_argument("--allow-changed", action="store_true", help="案例内容已修改时仍按当前版本重放（结果仅供参考）")
    library_option(p)


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
    lib, sc = find_case(args.case, args.library)
    try:
        steps = load_steps(steps_path, sc)
    except StepsError as exc:
        raise UsageError(f"步骤文件有错误：{error_line(exc.error)}") from None
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
        print_json({**result.to_json(), "refused": refused})
        return EXIT_OK
    emit(*lines, "", render_result(result, sc))
    if journal is not None:
        emit("", f"办案记录已写入 {journal}（lawdrill replay {journal} 可重放）。")
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
    lib = open_library(args.library)
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
        print_json({**result.to_json(), "journal": str(path), "steps": steps, "content_changed": changed,
               "refused": [e.text for e in session.log if e.kind == "refused"]})
        return EXIT_OK
    trainee = head.get("trainee") or "（未署名）"
    emit(f"记录：{path}　学员：{trainee}　模式：{head.get('mode', 'exam')}　种子：{head.get('seed', 0)}　"
         f"记录条目：{steps}")
    if changed:
        emit("注意：案例内容在记录之后已修改，以下按当前版本重放，结果仅供参考。")
    if not finished:
        emit("注意：该会话尚未结案，以下为截至记录末尾的得分（结案时的检查尚未进行）。")
    emit("", render_result(result, sc))
    return EXIT_OK
