"""A new case to start from (`lawdrill new`): small enough to rewrite, and passing `lawdrill check` at once.

The new case is cut down from the library's case of the template with the shortest reference path: the keys
the loader requires, that reference path (with its `lawful` marks, which the mutation test needs), and every
other section only when the check fails without it (a case's own rules, events, flags, evidence the path does
not collect ...). Its one trap is made here rather than copied: the reference path with one step left out,
expecting exactly the findings that omission produces, the single most serious one preferred. Every candidate
is proven by loading it and running its self-tests and the deep check, as `lawdrill check` does.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml

from sim.deepcheck import facts_read
from sim.loader import Library, load_library, plain_data
from sim.model import Scenario, Severity
from sim.yamlsrc import parse_file

# What each section means, for the trainer who edits the new file (comment lines above the key).
SECTION_NOTES = {
    "procedure": "程序模板（决定状态、动作和规则）。",
    "case_type": "待修改：案件类型。",
    "difficulty": "难度 1–5。",
    "tags": "待修改：标签（用于案例库筛选）。",
    "power": "职权来源：statutory 法定职权、assigned 赋权事项、none 非乡镇职权。",
    "discovered": "发现案件的时间：案件时钟从此开始。改动时请同时调整参考路径和陷阱中各步骤的时间。",
    "briefing": "待修改：案情简介（告诉受训人的情况，不写办理步骤）。",
    "party": "当事人：kind 为 citizen（公民）或 organisation（法人或其他组织）。待修改：姓名、地址等按实际案情填写。",
    "facts": "案件事实：规则表达式读作 facts.X，文书内容也按此检查。",
    "penalty": "处罚依据和幅度：规则据此检查处罚种类和罚款金额。",
    "evidence": "证据：key: true 的关键证据须在作出处罚前收集。",
    "officers": "本案的执法人员名单（替代模板中的名单）。",
    "phrases": "本案增加的话术。",
    "flags": "本案增加的外界标志。",
    "conditions": "本案的命名条件。",
    "params": "本案增加的动作参数。",
    "event_types": "本案自己的外界事件定义。",
    "rules": "本案特有的规则（如罚款幅度和适用的条文）。",
    "disable_rules": "本案不适用的模板规则。",
    "events": "外界事件安排：当事人在何时做什么。",
    "outcomes": "本案的合法结果：交卷时须达到其中之一，否则判为案件未依法办结（行政许可等没有处罚的案件必须写明）。",
    "reference": "参考路径：规范办理应得满分。改动案情后请相应调整步骤，然后运行 lawdrill check 检查。",
    "traps": "陷阱：常见的错误办法，expect.findings 写明应当触发的规则。这一个是漏办一步，可照此增加。",
}
ORDER = ("procedure", "case_type", "difficulty", "tags", "power", "discovered", "briefing", "party", "facts",
         "penalty", "evidence", "officers", "phrases", "flags", "conditions", "params", "event_types",
         "rules", "disable_rules", "events", "outcomes", "reference", "traps")
# Sections a new case keeps whatever the check says: what the loader requires and what a trainer rewrites
# first. Every other section is left out when the case passes without it (tried in this order).
KEPT = ("procedure", "case_type", "discovered", "briefing", "party", "facts", "penalty", "reference", "traps")
# What no rule reads (library filters only): left out without a trial.
UNREAD = ("tags", "difficulty")
OPTIONAL = ("disable_rules", "phrases", "conditions", "params", "officers", "rules",
            "outcomes", "power", "flags", "events", "event_types", "evidence")
_SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2}


class ScaffoldError(Exception):
    """No case can be made for the template (the message is for the trainer)."""


class _Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line (self-test steps, as in the library's own cases)."""


class _FlowList(list):  # type: ignore[type-arg]
    """A list of plain values written on one line: [zhang, wang]."""


def _flowing(value: Any) -> Any:
    """Short lists of plain values on one line, like the library's hand-written files."""
    if isinstance(value, dict):
        return type(value)((k, _flowing(v)) for k, v in value.items())
    if isinstance(value, list):
        items = [_flowing(v) for v in value]
        if all(not isinstance(v, (dict, list)) for v in items):
            return _FlowList(items)
        return items
    return value


def dump(data: dict[str, Any]) -> str:
    """YAML as the library's cases are written: keys in order, CJK as is, a briefing as a literal block."""

    class Dumper(yaml.SafeDumper):
        pass

    MAP, SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"  # noqa: N806 - tags, as YAML names them

    def text(d: yaml.SafeDumper, s: str) -> Any:
        return d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)

    Dumper.add_representer(_Flow, lambda d, m: d.represent_mapping(MAP, m, flow_style=True))
    Dumper.add_representer(_FlowList, lambda d, m: d.represent_sequence(SEQ, m, flow_style=True))
    Dumper.add_representer(str, text)
    return yaml.dump(_flowing(data), Dumper=Dumper, allow_unicode=True, sort_keys=False, width=110,
                     default_flow_style=False)


def _with_flow_steps(test: dict[str, Any]) -> dict[str, Any]:
    out = dict(test)
    out["steps"] = [_Flow(s) if isinstance(s, dict) else s for s in test.get("steps", [])]
    if isinstance(out.get("expect"), dict):
        out["expect"] = _Flow(out["expect"])
    return out


def source_case(lib: Library, template: str) -> Scenario:
    """The library's case of `template` to cut the new one from: the shortest reference path (then the
    shortest file, then the id), among the cases with a reference path."""
    cases = [sc for sc in lib.scenarios.values() if sc.procedure.id == template and sc.references]
    if not cases:
        raise ScaffoldError(f"案例库中没有使用程序模板「{template}」且带参考路径的案例，无从生成可运行的新案例。"
                            "请先在案例库中为该模板编写一个案例，或选用其他模板。")

    def size(sc: Scenario) -> tuple[int, int, str]:
        try:
            lines = len(Path(sc.path).read_text(encoding="utf-8").splitlines())
        except OSError:
            lines = 1 << 30
        return len(sc.references[0].steps), lines, sc.id

    return min(cases, key=size)


def case_text(case_id: str, title: str, doc: dict[str, Any], head: list[str]) -> str:
    """The new file's text: `head` comment lines, id and title, then each section under its note."""
    lines = [*head, dump({"id": case_id}).rstrip(), "# 待修改：案例标题（一句话概括违法行为）。",
             dump({"title": title}).rstrip()]
    for key in ORDER:
        if key not in doc:
            continue
        value = doc[key]
        if key in ("reference", "traps"):
            value = [_with_flow_steps(t) for t in value]
        elif key == "events":
            value = [_Flow(e) if isinstance(e, dict) else e for e in value]
        lines += ["", f"# {SECTION_NOTES[key]}", dump({key: value}).rstrip()]
    return "\n".join(lines) + "\n"


def _trial(case_id: str, text: str, folder: Path) -> tuple[Library, Scenario | None, bool]:
    """Load the candidate alone (on the bundled laws and templates) and check it as `lawdrill check` does:
    (library, case or None, passes)."""
    from sim.deepcheck import check_case

    path = folder / f"{case_id}.yaml"
    path.write_text(text, encoding="utf-8")
    lib = load_library([path])
    sc = lib.scenarios.get(case_id)
    if lib.errors or sc is None:
        return lib, None, False
    return lib, sc, not check_case(lib, sc).errors


def _trap(sc: Scenario, reference: dict[str, Any]) -> dict[str, Any] | None:
    """The reference path with one act left out that is found most seriously, with the fewest findings;
    None when leaving out any act finds nothing or makes a later act impossible."""
    from sim.selftest import play_steps

    steps = sc.references[0].steps
    best: tuple[tuple[int, int, int], int, list[str]] | None = None
    for i, step in enumerate(steps):
        if step.do in ("advance", "finish") or i == 0:
            continue
        rest = steps[:i] + steps[i + 1:]
        s, refused = play_steps(sc, rest)
        result = s.result
        s.close()
        if refused or result is None or not result.findings:
            continue
        rank = (min(_SEVERITY_RANK[f.severity] for f in result.findings), len(result.findings), i)
        if best is None or rank < best[0]:
            best = rank, i, result.rule_ids()
    if best is None:
        return None
    _, i, findings = best
    action = sc.procedure.actions.get(steps[i].do)
    label = action.label if action else steps[i].do
    return {"name": f"漏办「{label}」", "note": f"待修改：常见的错误办法及其后果。本陷阱为参考路径去掉第 {i + 1} 步（{label}）。",
            "steps": [s for j, s in enumerate(reference["steps"]) if j != i], "expect": {"findings": findings}}


def new_case(lib: Library, source: Scenario, case_id: str, head: list[str]) -> str:
    """The text of a minimal new case named `case_id` that passes the check, cut down from `source` (the
    template's case `source_case` chose). `head`: the comment lines the file starts with (schema, provenance)."""
    full = plain_data(parse_file(Path(source.path)))
    proc = lib.procedures[source.procedure.id]
    title = f"新案例（{proc.title}）：{source.title}"
    reference = dict(full["reference"][0])
    doc: dict[str, Any] = {k: full[k] for k in ORDER if k in full and k not in ("reference", "traps", *UNREAD)}
    doc["reference"] = [reference]
    with tempfile.TemporaryDirectory(prefix="lawdrill-new-") as tmp:
        folder = Path(tmp)

        def attempt(candidate: dict[str, Any]) -> tuple[Scenario | None, bool]:
            _, sc, ok = _trial(case_id, case_text(case_id, title, candidate, head), folder)
            return sc, ok

        sc, ok = attempt(doc)
        if sc is None or not ok:
            raise ScaffoldError(f"参照案例 {source.id}（{source.path}）本身未通过检查，无从生成新案例。"
                                f"请先运行 lawdrill check {source.path} 修正它。")
        for key in OPTIONAL:
            if key not in doc:
                continue
            smaller = {k: v for k, v in doc.items() if k != key}
            if key == "evidence":  # keep what the path collects; the rest may go
                used = {e for st in reference["steps"] if isinstance(st, dict) for e in st.get("evidence") or ()}
                kept = {k: v for k, v in doc[key].items() if k in used}
                if kept == doc[key]:
                    continue
                smaller[key] = kept
            got, passes = attempt(smaller)
            if passes and got is not None:
                doc, sc = smaller, got
        assert sc is not None
        unread = set(sc.facts) - facts_read(sc)
        if unread and isinstance(doc.get("facts"), dict):  # narrative the rules never read: the briefing says it
            smaller = {**doc, "facts": {k: v for k, v in doc["facts"].items() if k not in unread}}
            got, passes = attempt(smaller)
            if passes and got is not None:
                doc, sc = smaller, got
        trap = _trap(sc, reference)
        if trap is not None:
            with_trap = {**doc, "traps": [trap]}
            got, passes = attempt(with_trap)
            if passes:
                doc = with_trap
        if "traps" not in doc and full.get("traps"):  # no single omission is found: the source's first trap
            with_trap = {**doc, "traps": [full["traps"][0]]}
            if attempt(with_trap)[1]:
                doc = with_trap
    return case_text(case_id, title, doc, head)
