"""The compiled rule functions (sim.actplan) find exactly what the generic way (Session._judge) finds.

Every reference path and trap of the bundled library is played twice: with the compiled functions, and with
every rule judged the generic way. Findings (rule, wording, moment), diagnostics and scores must be the same.
A case of our own adds rules the library does not have: expressions that fail at run time (in a `when` and
in a check), a named condition, an `unless`, a forbid that names element problems.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path

import pytest

import sim
from sim import actplan, session as session_module
from sim.machine import plan_for
from sim.selftest import play

LIBRARY = sim.load_library()
CASES = sorted(LIBRARY.scenarios)


def _played(sc, generic: bool, monkeypatch) -> list:
    plan_for(sc).rule_functions.clear()
    if generic:
        monkeypatch.setattr(session_module, "rules_function",
                            functools.partial(actplan.rules_function, inline=False))
    try:
        out = []
        for test in (*sc.references, *sc.traps):
            s, refused = play(sc, test)
            out.append((test.name, refused, [(f.rule_id, f.actual, f.at, f.act_index) for f in s.findings],
                        list(s.diagnostics), s.result.score if s.result else None, s.state))
        return out
    finally:
        monkeypatch.undo()
        plan_for(sc).rule_functions.clear()


@pytest.mark.parametrize("case_id", CASES)
def test_compiled_rules_find_what_the_generic_way_finds(case_id, monkeypatch) -> None:
    sc = LIBRARY.scenarios[case_id]
    compiled = _played(sc, False, monkeypatch)
    assert compiled == _played(sc, True, monkeypatch)
    assert any(findings for _, _, findings, *_ in compiled), "the case's traps find nothing: nothing compared"


OWN_CASE = """\
id: actplan-case
title: 规则编译测试案例
case_type: 露天焚烧秸秆
procedure: general-penalty
difficulty: 2
tags: [测试]
power: {source: township, item: 露天焚烧秸秆}
discovered: 2026-06-03T10:20
briefing: 用于规则编译测试的案例。
party: {kind: citizen, name: 李某, present: true}
facts: {burned_area_mu: 3}
penalty: {basis: 大气污染防治法#119, min: 500, max: 2000}
evidence:
  scene_photos: {label: 现场照片, key: true}
conditions:
  big_fire: "facts.burned_area_mu > 2"
rules:
  - id: t-index-in-check
    title: 检查中的下标越界
    severity: minor
    cite: [大气污染防治法#119]
    on: [inspect]
    check: "act.officers[5] == 'zhang'"
    explain: 测试。
    expected: 测试。
  - id: t-index-in-when
    title: 条件中的下标越界
    severity: minor
    cite: [大气污染防治法#119]
    on: [inspect]
    when: "act.officers[9] == 'zhang'"
    check: "True"
    explain: 测试。
    expected: 测试。
  - id: t-condition
    title: 命名条件
    severity: minor
    cite: [大气污染防治法#119]
    on: [inspect]
    check: "not big_fire"
    explain: 测试。
    expected: 测试。
  - id: t-unless
    title: 除外条件
    severity: minor
    cite: [大气污染防治法#119]
    on: [inspect]
    unless: "party.present"
    check: "False"
    explain: 测试。
    expected: 测试。
  - id: t-element-forbid
    title: 笔录未写明执法人员
    severity: minor
    cite: [大气污染防治法#119]
    on: [inspect]
    when: "len(act.document) > 0"
    forbid: "not names_officers(act.document.officers_certs, act.officers)"
    explain: 测试。
    expected: 测试。
reference:
  - name: 检查
    steps:
      - {do: inspect, at: 2026-06-03T10:30, officers: [zhang, wang], credentials_shown: true, recorded: true,
         record_made: true, document: {time_place: 2026年6月3日李庄村, officers_certs: 张明, content: 现场有焚烧痕迹,
         signature: signed}}
    expect: {state: discovered}
"""


def _own(tmp_path: Path):
    (tmp_path / "case.yaml").write_text(OWN_CASE, encoding="utf-8")
    lib = sim.load_library([tmp_path])
    assert not lib.errors, "\n".join(map(str, lib.errors))
    return lib.scenarios["actplan-case"]


def _inspect(sc, generic: bool, monkeypatch) -> sim.Session:
    plan_for(sc).rule_functions.clear()
    if generic:
        monkeypatch.setattr(session_module, "rules_function",
                            functools.partial(actplan.rules_function, inline=False))
    try:
        step = sc.references[0].steps[0]
        s = sim.Session(sc)
        assert s.act(step.do, step.at, **step.params).ok
        return s
    finally:
        monkeypatch.undo()
        plan_for(sc).rule_functions.clear()


def test_failures_conditions_and_element_problems_agree(tmp_path, monkeypatch) -> None:
    sc = _own(tmp_path)
    compiled, generic = _inspect(sc, False, monkeypatch), _inspect(sc, True, monkeypatch)
    assert compiled.diagnostics == generic.diagnostics
    assert [(f.rule_id, f.actual) for f in compiled.findings] == [(f.rule_id, f.actual) for f in generic.findings]
    # what the trainer and the trainee read
    assert any(d.startswith("规则 t-index-in-check：表达式「act.officers[5] == 'zhang'」求值出错：IndexError")
               for d in compiled.diagnostics), compiled.diagnostics
    assert any(d.startswith("规则 t-index-in-when 的 when：") for d in compiled.diagnostics), compiled.diagnostics
    found = {f.rule_id: f.actual for f in compiled.findings}
    assert "t-condition" in found and "t-unless" not in found
    assert found["t-element-forbid"].endswith("：未写明（或写错）张明的执法证号豫执A41130001；未写明执法人员王强"), found


def test_quiet_functions_name_no_element_problem() -> None:
    """A function the compiled rules treat as quiet never touches the list of element problems."""
    for name in session_module.QUIET_FUNCTIONS:
        source = inspect.getsource(session_module.ENGINE_FUNCTIONS[name])
        assert "_problems" not in source, name
