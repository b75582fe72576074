"""The deep check (`lawdrill check`, sim.deepcheck): cases written wrong on purpose are caught, through the CLI,
with exit status 1 and a message naming file:line; every library case passes; mutation scores hold."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import attrs
import pytest

from sim import load_library
from sim.calendar import LegalCalendar
from sim.deepcheck import DELAY, check_case, check_library_structure, naive_last_moment, stated_periods
from sim.model import Period
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
CASE_ID = "straw-burning-01"
CASE_FILE = ROOT / "scenarios" / "cases" / f"{CASE_ID}.yaml"
FIXTURES = ROOT / "tests" / "tui" / "fixtures"


def run_cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out, _ = capsys.readouterr()
    return code, out


def broken_case(tmp_path: Path, old: str, new: str) -> Path:
    """The straw-burning case with one edit, as its own file (own id, so it loads beside the library)."""
    text = CASE_FILE.read_text(encoding="utf-8").replace(f"id: {CASE_ID}", "id: broken-01", 1)
    assert old in text, old
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def errors_at(out: str, path: Path) -> dict[int, str]:
    """line -> message of each `file:line:col: 错误：…` the check printed for `path`."""
    found = {}
    for m in re.finditer(rf"{re.escape(str(path))}:(\d+)(?::\d+)?: (?:错误：)?(.*)", out):
        found[int(m.group(1))] = found.get(int(m.group(1)), "") + m.group(2)
    return found


# --- wrong on purpose, through the CLI ------------------------------------------------------------------------


def test_rule_citing_a_missing_article(capsys, tmp_path):
    path = broken_case(tmp_path, "cite: [大气污染防治法#119]", "cite: [大气污染防治法#999]")
    code, out = run_cli(capsys, "check", path)
    assert code == 1
    assert "大气污染防治法#999" in errors_at(out, path).get(line_of(path, "- id: fine-out-of-range"), "")


def test_trap_that_no_longer_fails(capsys, tmp_path):
    # The first trap: an auxiliary alone at the scene. Give him two certified colleagues and the trap finds
    # nothing of what it promises.
    path = broken_case(tmp_path, "officers: [zhao], credentials_shown: false",
                       "officers: [zhang, wang], credentials_shown: true")
    code, out = run_cli(capsys, "check", path)
    assert code == 1
    assert "陷阱「协管员一人现场检查」" in out
    assert f"{path}:{line_of(path, '- name: 协管员一人现场检查')}" in out
    assert "未触发：credentials-not-shown、two-officers、uncertified-officer" in out


@pytest.mark.parametrize("period", ["6 working_days", "8 working_days"])
def test_deadline_one_day_off(capsys, tmp_path, period):
    """A case that restates the template's 7-day service rule one day off: the article says 七日内, and at the
    law's last day (or the day after) the rule gives the wrong answer."""
    rule = (
        "  - id: decision-served-late\n    title: 处罚决定书未在七日内送达\n    severity: major\n"
        "    cite: [行政处罚法#61]\n"
        f"    deadline: {{from: decide, to: \"served:decide\", within: \"{period}\"}}\n"
        "    explain: 决定书未在七日内送达。\n    expected: 七日内送达。\n"
    )
    path = broken_case(tmp_path, "rules:\n", "rules:\n" + rule)
    code, out = run_cli(capsys, "check", path)
    assert code == 1
    msg = errors_at(out, path).get(line_of(path, "- id: decision-served-late"), "")
    assert "期限与所引条文不一致" in msg and "7日" in msg
    assert "按所引条文的 7个工作日" in msg
    assert ("仍被认定违反期限" if period.startswith("6") else "却没有被发现") in msg


def test_engine_and_day_by_day_count_disagree_is_an_error():
    """The boundary check counts the last day itself; a calendar whose period arithmetic is a day off is
    caught (here a deliberately wrong subclass stands in for an engine bug)."""

    class OffByOne(LegalCalendar):
        def deadline(self, start, length, unit):  # type: ignore[override]
            d = super().deadline(start, length, unit)
            return attrs.evolve(d, due=d.due + dt.timedelta(days=1))

    lib = load_library()
    sc = lib.scenarios[CASE_ID]
    res = check_case(lib, sc, calendar=OffByOne())
    bad = [p for p in res.errors if p.code == "deadline-arithmetic"]
    assert bad and all(p.file.endswith(".yaml") and p.line > 0 for p in bad)
    assert "期限计算不一致" in bad[0].message


def test_unreachable_ending(capsys, tmp_path):
    shutil.copy(FIXTURES / "law.yaml", tmp_path / "law.yaml")
    text = (FIXTURES / "procedure.yaml").read_text(encoding="utf-8")
    text = text.replace("  - {id: closed, label: 已结案, final: true}\n",
                        "  - {id: closed, label: 已结案, final: true}\n  - {id: archived, label: 已移交档案室, final: true}\n")
    proc = tmp_path / "procedure.yaml"
    proc.write_text(text, encoding="utf-8")
    code, out = run_cli(capsys, "check", tmp_path)
    assert code == 1
    msg = errors_at(out, proc).get(line_of(proc, "id: archived"), "")
    assert "结束状态「已移交档案室」" in msg and "没有任何途径可以到达" in msg


def test_surviving_mutant(capsys, tmp_path):
    marking = "        - {delay: close_case, why: 结案归档法律没有规定期限，推迟结案不影响已经依法完成的处罚和执行程序}\n"
    path = broken_case(tmp_path, marking, "")
    code, out = run_cli(capsys, "check", path)
    assert code == 1
    msg = errors_at(out, path).get(line_of(path, "- &close {do: close_case"), "")
    assert "推迟 120 日" in msg and "没有任何规则发现问题" in msg and "{delay: close_case, why: 理由}" in msg
    assert "变异 23/24 (95%)" in out


def test_stale_lawful_marking(capsys, tmp_path):
    path = broken_case(tmp_path, "    lawful:", "    lawful:\n        - {drop: decide, why: 当事人已经缴纳罚款}")
    code, out = run_cli(capsys, "check", path)
    assert code == 1
    msg = errors_at(out, path).get(line_of(path, "{drop: decide, why"), "")
    assert "已过时" in msg and "会触发 case-left-open" in msg


def test_unknown_step_name_in_lawful(capsys, tmp_path):
    path = broken_case(tmp_path, "    lawful:", "    lawful:\n        - {drop: demolish, why: 不需要}\n"
                                               "        - {swap: serve, why: 顺序无关}")
    code, out = run_cli(capsys, "check", "--json", path)
    assert code == 1
    data = json.loads(out)
    (case,) = data["cases"]
    unknown = {p["line"]: p["message"] for p in case["problems"] if p["code"] == "lawful-unknown-step"}
    assert "没有步骤「demolish」" in unknown[line_of(path, "{drop: demolish")]
    assert "有 2 个「serve」步骤" in unknown[line_of(path, "{swap: serve,")]


def test_lawful_marking_needs_a_reason(capsys, tmp_path):
    path = broken_case(tmp_path, "    lawful:", "    lawful:\n        - {drop: interview, why: ''}")
    code, out = run_cli(capsys, "check", path)
    assert code == 1
    assert f"{path}:{line_of(path, '{drop: interview')}" in out and "why" in out


def test_fast_skips_mutation_and_boundaries(capsys, tmp_path):
    path = broken_case(tmp_path, "        - {delay: close_case, why: 结案归档法律没有规定期限，推迟结案不影响已经依法完成的处罚和执行程序}\n",
                       "")
    code, out = run_cli(capsys, "check", "--fast", path)
    assert code == 0 and "快速检查" in out and "变异" not in out.splitlines()[0]


# --- the library -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def library():
    lib = load_library()
    assert not lib.errors
    return lib


def _documented_scores() -> dict[str, tuple[int, int]]:
    rows = (ROOT / "docs" / "cases.md").read_text(encoding="utf-8").splitlines()[2:]
    out = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        killed, total = re.match(r"(\d+)/(\d+)", cells[-1]).groups()  # type: ignore[union-attr]
        out[cells[0]] = (int(killed), int(total))
    return out


def test_library_structure_is_sound(library):
    assert [p for p in check_library_structure(library) if p.level == "error"] == []


@pytest.mark.parametrize("case_id", sorted(_documented_scores()))
def test_library_case_passes_the_deep_check(library, case_id):
    res = check_case(library, library.scenarios[case_id])
    assert [f"{p.where}: {p.message}" for p in res.errors] == []
    killed, total = _documented_scores()[case_id]
    assert res.mutation.score >= (killed / total if total else 1.0)
    assert res.mutation.killed >= killed


# --- the pieces ------------------------------------------------------------------------------------------------


def test_stated_periods_reads_chinese_numerals():
    got = stated_periods("应当在七个工作日内作出；十五日内缴纳；三个月内申请；二十四小时内报告；二年内未被发现")
    assert got == [Period(7, "working_days"), Period(15, "days"), Period(3, "months"), Period(24, "hours"),
                   Period(24, "months")]


def test_naive_counter_walks_over_the_national_day_break():
    cal = LegalCalendar.default()
    start = dt.datetime(2026, 9, 30, 10, 0)
    # 10-01..10-07 (and the weekend after) are rest days; make-up working days count.
    last = naive_last_moment(cal, start, Period(2, "working_days"))
    assert last.date() == cal.deadline(start, 2, "working_days").due
    assert naive_last_moment(cal, start, Period(24, "hours")) == start + dt.timedelta(hours=24)
    month_end = dt.datetime(2026, 1, 31)
    assert naive_last_moment(cal, month_end, Period(1, "months")).date() == cal.deadline(month_end, 1, "months").due


def test_delay_exceeds_every_within_period_in_the_library(library):
    """The documented choice of DELAY: longer than any `within` period plus the longest rest-day extension."""
    cal = LegalCalendar.default()
    for sc in library.scenarios.values():
        for r in sc.procedure.rules:
            if r.deadline is None or r.deadline.within is None:
                continue
            start = sc.discovered
            d = cal.deadline(start, r.deadline.within.length, r.deadline.within.unit)
            assert dt.datetime.combine(d.due, dt.time()) < start + DELAY, r.id


def test_fork_plays_on_like_a_fresh_session_and_leaves_the_original_alone(library):
    """The deep check plays variations from a shared beginning (Session.fork): a fork must end exactly as
    the whole path played from scratch, and what the fork does must not leak into the original."""
    from sim.selftest import play_more, play_steps
    from sim.session import Session

    sc = library.scenarios[CASE_ID]
    ref = sc.references[0]
    whole, refused = play_steps(sc, ref.steps)
    assert not refused
    for k in range(len(ref.steps)):
        base = Session(sc, wall_clock=lambda: 0.0)
        assert not play_more(base, ref.steps[:k])
        before = (base.state, base.now, len(base.log), dict(base.flags))
        fork = base.fork()
        assert not play_more(fork, ref.steps[k:])
        fork.finish()
        assert (fork.result.score, fork.result.rule_ids(), fork.state) == \
            (whole.result.score, whole.result.rule_ids(), whole.state)
        assert len(base.acts) == sum(1 for st in ref.steps[:k] if st.do not in ("advance", "finish"))
        assert (base.state, base.now, len(base.log), base.flags) == before


def test_dead_end_and_unreachable_state_in_a_template(tmp_path):
    shutil.copy(FIXTURES / "law.yaml", tmp_path / "law.yaml")
    text = (FIXTURES / "procedure.yaml").read_text(encoding="utf-8")
    text = text.replace("  - {id: closed, label: 已结案, final: true}\n",
                        "  - {id: closed, label: 已结案, final: true}\n  - {id: stuck, label: 中止调查}\n"
                        "  - {id: orphan, label: 无人到达}\n")
    text = text.replace("actions:\n", "actions:\n  suspend:\n    label: 中止调查\n    phase: 调查取证\n"
                                      "    from: [filed]\n    to: stuck\n", 1)
    proc = tmp_path / "procedure.yaml"
    proc.write_text(text, encoding="utf-8")
    lib = load_library([tmp_path])
    assert not lib.errors, lib.errors
    found = {(p.code, p.line) for p in check_library_structure(lib) if p.file == str(proc)}
    assert found == {("dead-end", line_of(proc, "id: stuck")), ("unreachable-state", line_of(proc, "id: orphan"))}
