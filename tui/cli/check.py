"""`lawdrill check`: load errors (file:line:col), each case's self-tests and its deep check."""

from __future__ import annotations

import re

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.common import (
    EXIT_FAILED, EXIT_OK, AddCommand, emit, error_line, open_library, pad, print_json, require_paths, text_width,
    where,
)

if TYPE_CHECKING:
    from sim.deepcheck import CaseCheck, Problem
    from sim.loader import Library
    from sim.model import Scenario
    from sim.selftest import SelfTestReport


def add_commands(command: AddCommand) -> None:
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
    p.add_argument("--no-cache", action="store_true",
                   help="不使用检查结果缓存，全部重新检查（缓存按文件内容和程序版本保存，内容未变的案例不再重复检查）")


def cmd_check(args: argparse.Namespace) -> int:
    """The check, through the result cache (sim.cache): an unchanged library prints its stored report; after
    an edit only the cases whose content changed are checked again."""
    import contextlib
    import io
    import sys

    from sim.cache import ResultCache, check_run_key
    from sim.files import bundled_scenarios

    paths = list(args.paths) or [str(bundled_scenarios())]
    require_paths(paths, "路径")
    cache = ResultCache(enabled=not getattr(args, "no_cache", False))
    run_key = check_run_key(paths, (args.fast, args.json, args.quiet)) if cache.enabled else None
    stored = cache.get("check-run", run_key) if run_key else None
    if stored is not None:
        sys.stdout.write(stored[0])
        return int(stored[1])
    buffer = io.StringIO()
    code: int | None = None
    try:
        with contextlib.redirect_stdout(buffer):
            code = _check(args, paths, cache)
    finally:
        sys.stdout.write(buffer.getvalue())  # also what was printed before a crash
    if run_key and not cache.crashed:
        cache.put("check-run", run_key, (buffer.getvalue(), code))
    return code


def _check(args: argparse.Namespace, paths: list[str], cache: Any) -> int:
    from sim.cache import case_check_key
    from sim.deepcheck import check_library_structure

    lib = open_library(paths)
    given = {Path(f).resolve() for f in lib.files}
    cases = [sc for sc in lib.scenarios.values() if Path(sc.path).resolve() in given]
    reports: dict[str, list[SelfTestReport]] = {}
    deep: dict[str, CaseCheck] = {}
    for sc in cases:
        key = case_check_key(lib, sc, args.fast)
        stored = cache.get("case-check", key)
        if stored is not None:
            reports[sc.id], deep[sc.id] = stored
            continue
        reports[sc.id], deep[sc.id] = _selftests(sc), deep_check(lib, sc, args.fast)
        crashed = any(p.code == "internal" for p in deep[sc.id].problems) or any(
            r.result is None for r in reports[sc.id])
        if crashed:  # an engine crash is reported, never remembered
            cache.crashed = True
        else:
            cache.put("case-check", key, (reports[sc.id], deep[sc.id]))
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
        print_json({
            "ok": ok,
            "paths": paths,
            "errors": [{"file": e.file, "line": e.line, "col": e.col, "message": e.message} for e in errors],
            "problems": [_problem_json(p) for p in structure],
            "cases": [_case_report_json(sc, reports[sc.id], deep[sc.id]) for sc in cases],
            "summary": summary,
        })
        return EXIT_OK if ok else EXIT_FAILED
    for e in errors:
        emit(error_line(e))
    for p in sorted(structure, key=lambda p: (p.file, p.line)):
        emit(_problem_line(p))
    id_w = max([text_width(sc.id) for sc in cases] + [0])
    title_w = max([text_width(sc.title) for sc in cases] + [0])
    for sc in cases:
        rs, d = reports[sc.id], deep[sc.id]
        refusals, rest = _refusals(rs)
        if args.quiet:  # errors only, but each failing self-test still says why, once
            failing = [r for r in rs if not r.ok]
            if failing:
                emit(f"✗ {sc.id}  {sc.title}")
            for line in refusals:
                emit(f"    {line}")
            for r in failing:
                kind = "参考路径" if r.reference else "陷阱"
                emit(f"    ✗ {kind}「{r.name}」 {r.where}" + (f"：{rest[id(r)][0]}" if rest[id(r)] else ""))
            for p in d.errors:
                emit(_problem_line(p))
            continue
        refs = [r for r in rs if r.reference]
        traps = [r for r in rs if not r.reference]
        mark = "✓" if all(r.ok for r in rs) and not d.errors else "✗"
        extra = "" if args.fast else f"  变异 {d.mutation.label()}  期限边界 {d.boundaries_checked}"
        emit(f"{mark} {pad(sc.id, id_w)}  {pad(sc.title, title_w)}  "
             f"参考路径 {sum(r.ok for r in refs)}/{len(refs)}  陷阱 {sum(r.ok for r in traps)}/{len(traps)}{extra}")
        for line in refusals:  # a step shared by several self-tests (a YAML anchor) is refused once, said once
            emit(f"    {line}")
        for r in rs:
            if r.ok:
                continue
            kind = "参考路径" if r.reference else "陷阱"
            emit(f"    ✗ {kind}「{r.name}」 {r.where}")
            for problem in rest[id(r)]:
                emit(f"        {problem}")
        for p in sorted(d.problems, key=lambda p: p.level != "error"):  # errors first, then the warnings
            emit(f"    {'✗' if p.level == 'error' else '!'} {_problem_line(p)}")
    verdict = "检查通过" if ok else "检查未通过"
    deep_note = "（快速检查：未做变异测试和期限边界检查）" if args.fast else (
        f"；变异 {killed}/{mutants} 被发现（另有 {summary['lawful']} 项标明合法），期限边界 {summary['boundaries_checked']} 项")
    emit(f"{verdict}：案例 {summary['cases']} 个，程序模板 {summary['procedures']} 个，"
         f"法律条文 {summary['articles']} 条；自测通过 {passed} 项、失败 {failed} 项{deep_note}；"
         f"错误 {summary['errors']} 处，提示 {len(warnings)} 处。")
    return EXIT_OK if ok else EXIT_FAILED


_REFUSED = re.compile(r"^第 \d+ 步（(?P<step>[^）]*)）被拒绝：(?P<why>.*)$", re.S)


def _refusals(rs: list[SelfTestReport]) -> tuple[list[str], dict[int, list[str]]]:
    """The refused steps of a case's self-tests, each said once with the tests it broke, and every test's
    other problems (by id of the report)."""
    seen: dict[str, dict[str, set[str]]] = {}  # reason -> step (act, file:line) -> self-tests that use it
    rest: dict[int, list[str]] = {}
    for r in rs:
        rest[id(r)] = []
        for problem in r.problems:
            m = _REFUSED.match(problem)
            if m is None:
                rest[id(r)].append(problem)
            else:
                seen.setdefault(m["why"], {}).setdefault(m["step"], set()).add(r.name)
    lines = []
    for why, steps in seen.items():
        tests = set().union(*steps.values())
        places: dict[tuple[str, str], list[str]] = {}  # (file, act) -> lines
        for step in steps:
            act, _, pos = step.partition("，")
            file, _, line = pos.rpartition(":")
            places.setdefault((file, act), []).append(line)
        where_ = "；".join(f"{file} 第 {'、'.join(ls)} 行（{act}）" for (file, act), ls in places.items())
        lines.append(f"✗ {where_}被拒绝：{why}（影响 {len(tests)} 项自测）")
    return lines, rest


def deep_check(lib: Library, sc: Scenario, fast: bool) -> CaseCheck:
    """The deep check of one case; an engine crash becomes that case's error, not ours."""
    from sim.deepcheck import CaseCheck, MutationStats, Problem, check_case

    try:
        return check_case(lib, sc, fast=fast, selftests=False)
    except Exception as exc:  # noqa: BLE001 - report and go on: the other cases still deserve a verdict
        return CaseCheck(sc.id, (Problem("error", "internal", f"深度检查时引擎出错：{type(exc).__name__}：{exc}",
                                         sc.path, 0, 0, sc.id),), MutationStats(0, 0, 0, ()), 0)


def _problem_line(p: Problem) -> str:
    level = "错误" if p.level == "error" else "提示"
    return f"{where(p.file, p.line, p.col)}: {level}：{p.message}"


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
