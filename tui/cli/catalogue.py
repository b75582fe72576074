"""`lawdrill rules` and `lawdrill cases`: the rule catalogue and the case list (text or Markdown for docs/)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui.cli.check import deep_check
from tui.cli.common import EXIT_OK, AddCommand, emit, library_note, library_option, open_library, screen_width, table

if TYPE_CHECKING:
    from sim.loader import Library
    from sim.model import Procedure, RuleSpec, Scenario


def add_commands(command: AddCommand) -> None:
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


def _md(text: str) -> str:
    """Escape what would break a Markdown table cell or start markup."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("*", "\\*").strip()


def _severity_points(r: RuleSpec) -> int:
    from sim.scoring import DEDUCTION

    return r.points if r.points is not None else DEDUCTION[r.severity]


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

    lib = open_library(args.library)
    library_note(lib)
    procs = _procedures_in_order(lib)
    index = _rules_by_file(lib)

    def cites(r: RuleSpec) -> str:
        return cite_labels(r.cite, lib.articles)

    if args.markdown:
        def rule_md(r: RuleSpec, level: str) -> None:
            emit(f"{level} `{r.id}` {_md(r.title)}", "",
                 f"- 严重程度：{r.severity.label}（扣 {_severity_points(r)} 分）",
                 f"- 依据：{_md(cites(r))}",
                 f"- 问题：{_md(r.explain)}",
                 f"- 应当：{_md(r.expected)}", "")

        emit("# 规则目录", "", "本文件由 `lawdrill rules --markdown` 生成，请勿手工修改；规则写在 "
             "`scenarios/procedures/` 的程序模板和各案例文件中。", "",
             f"评分：满分 100 分，按问题扣分，扣完为止。严重问题（否决项）扣 {DEDUCTION[Severity.CRITICAL]} 分"
             f"且本案不合格；较重问题扣 {DEDUCTION[Severity.MAJOR]} 分；轻微问题扣 {DEDUCTION[Severity.MINOR]} 分；"
             f"{PASS_MARK} 分及格。", "")
        for p in procs:
            kind = "（通用模板，不直接用于案例）" if p.abstract else ""
            emit(f"## {_md(p.title)}（`{p.id}`）{kind}", "")
            for origin, n in _inherited(lib, p):
                emit(f"另适用继承自 `{origin}` 的 {n} 条规则（见下文）。", "")
            skipped = _not_applied(lib, p, index)
            if skipped:
                emit("本程序不适用（停用或不涉及相应动作）的继承规则：" + "、".join(f"`{r}`" for r in skipped) + "。", "")
            for r in _own_rules(p, index):
                rule_md(r, "###")
        cases = _case_rules(lib)
        if cases:
            emit("## 案例自有的规则", "")
            for sc, rules in cases:
                emit(f"### {_md(sc.title)}（`{sc.id}`）", "")
                for r in rules:
                    rule_md(r, "####")
        return EXIT_OK

    def rule_text(r: RuleSpec) -> None:
        emit("", f"  {r.id}  {r.title}  【{r.severity.label}，扣 {_severity_points(r)} 分】",
             f"    依据：{cites(r)}",
             f"    问题：{r.explain.strip()}",
             f"    应当：{r.expected.strip()}")

    for n, p in enumerate(procs):
        if n:
            emit("")
        kind = "（通用模板）" if p.abstract else ""
        extends = f"，继承 {'、'.join(p.extends)}" if p.extends else ""
        emit(f"■ {p.title}（{p.id}{extends}）{kind}")
        for origin, count in _inherited(lib, p):
            emit(f"  另适用继承自 {origin} 的 {count} 条规则（见下文）")
        skipped = _not_applied(lib, p, index)
        if skipped:
            emit(f"  本程序不适用（停用或不涉及相应动作）的继承规则：{'、'.join(skipped)}")
        for r in _own_rules(p, index):
            rule_text(r)
    for sc, rules in _case_rules(lib):
        emit("", f"■ 案例自有的规则：{sc.title}（{sc.id}）")
        for r in rules:
            rule_text(r)
    return EXIT_OK


CASE_HEADERS = ("编号", "标题", "案件类型", "程序", "难度", "标签", "职权来源", "参考/陷阱")


# docs/cases.md (`cases --markdown`) adds the mutation score; the terminal listings skip it (it takes the whole
# deep check: `lawdrill check` shows it per case).
_MUTATION_HEADER = "变异测试"


# On a narrow terminal the tags give way first, then the case type, the procedure and the title (min widths).
CASE_SHRINK = {5: 4, 2: 8, 3: 8, 1: 14}


def case_rows(lib: Library, mutation: bool = False) -> list[list[str]]:
    """One row per case; with `mutation`, a last column with the mutation score of the deep check (killed /
    variations that need a finding), which tests/test_deepcheck.py holds each case to."""
    rows = []
    for sc in sorted(lib.scenarios.values(), key=lambda s: s.id):
        source = str(sc.power.get("source", "")) if isinstance(sc.power, dict) else ""
        rows.append([
            sc.id, sc.title, sc.case_type or "—", sc.procedure.title, str(sc.difficulty),
            "、".join(sc.tags) or "—", POWER_SOURCES.get(source, source or "—"),
            f"{len(sc.references)}/{len(sc.traps)}",
        ] + ([deep_check(lib, sc, False).mutation.label()] if mutation else []))
    return rows


def cmd_cases(args: argparse.Namespace) -> int:
    lib = open_library(args.library)
    library_note(lib)
    if args.markdown:
        headers = (*CASE_HEADERS, _MUTATION_HEADER)
        rows = case_rows(lib, mutation=True)
        emit("| " + " | ".join(headers) + " |", "|" + "---|" * len(headers))
        for r in rows:
            emit("| " + " | ".join(_md(c) for c in r) + " |")
        return EXIT_OK
    rows = case_rows(lib)
    if not rows:
        emit("案例库中没有案例。")
        return EXIT_OK
    emit(*table(CASE_HEADERS, rows, max_width=screen_width(), shrink=CASE_SHRINK))
    emit(f"共 {len(rows)} 个案例。")
    return EXIT_OK
