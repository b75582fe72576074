"""The command line: every command, its --json shape, exit codes, and every kind of bad input.

Most tests call `tui.cli.main([...])` in-process (fast, capsys); a few run `python -m tui` for real, since
that is what a trainer types. Steps for `run` are taken from the bundled case's own self-tests, so these tests
follow the case when its author edits it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tui.cli import catalogue, common, main

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
CASE_ID = "straw-burning-01"
CASE_FILE = SCENARIOS / "cases" / f"{CASE_ID}.yaml"


def _case_doc() -> dict[str, Any]:
    return yaml.safe_load(CASE_FILE.read_text(encoding="utf-8"))


def _steps_file(tmp_path: Path, steps: list[Any], name: str = "steps.yaml") -> Path:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(steps, ensure_ascii=False, indent="\t", default=str), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(steps, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def reference_steps(tmp_path: Path) -> Path:
    return _steps_file(tmp_path, _case_doc()["reference"][0]["steps"])


@pytest.fixture
def trap() -> dict[str, Any]:
    """The case's last trap (several findings at once)."""
    return _case_doc()["traps"][-1]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def run_module(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "tui", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=cwd, timeout=120)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --- deadline ----------------------------------------------------------------------------------------------


def test_deadline_json_known_vector(capsys: pytest.CaptureFixture[str]) -> None:
    # 2026 National Day: Oct 1-7 off, Saturday Oct 10 is a make-up working day (调休上班).
    code, out, err = run_cli(capsys, "deadline", "2026-09-30", "--working-days", "3", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["due"] == "2026-10-10"
    assert data["provisional"] is False
    assert data["unit"] == "working_days"


def test_deadline_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "deadline", "2026-09-30", "--working-days", "3")
    assert code == 0
    assert "2026年10月10日（星期六）" in out
    assert "起算日（2026年9月30日）不计入" in out
    assert "跳过的休息日（7 天）" in out
    assert "2026年10月1日（星期四）  国庆节假期" in out
    assert "暂定" not in out


def test_deadline_calendar_days_extended_and_hours(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "deadline", "2026-09-24", "--days", "7", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["due"] == "2026-10-08" and data["extended_from"] == "2026-10-01"
    code, out, _ = run_cli(capsys, "deadline", "2026-09-30T14:00", "--hours", "30")
    assert code == 0
    assert "2026年10月1日（星期四）20:00" in out
    code, out, _ = run_cli(capsys, "deadline", "2026-01-31", "--months", "1", "--json")
    assert json.loads(out)["due"] == "2026-02-28"


def test_deadline_provisional_is_flagged(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "deadline", "2035-03-01", "--days", "10", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["provisional"] is True and data["provisional_years"] == [2035]
    code, out, _ = run_cli(capsys, "deadline", "2035-03-01", "--days", "10")
    assert code == 0
    assert out.startswith("【暂定】")
    assert "届满：2035年3月12日（星期一）【暂定】" in out


def test_deadline_calendar_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    table = tmp_path / "2035.yaml"
    table.write_text("year: 2035\nstatus: official\nsource: 测试用放假安排\n"
                     "holidays:\n  元旦: [2035-01-01]\n  劳动节: [2035-03-12]\nworkdays: []\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "deadline", "2035-03-01", "--days", "10", "--json", "--calendar-file", table)
    assert code == 0, err
    data = json.loads(out)
    assert data["provisional"] is False
    assert data["due"] == "2035-03-13"  # the 11th is a Sunday, the 12th the (test) holiday


# --- check -------------------------------------------------------------------------------------------------


@pytest.fixture
def mixed_library(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(CASE_FILE, lib / "good.yaml")
    (lib / "broken.yaml").write_text(
        "id: broken-01\ntitle: 坏案例\nprocedure: general-penalty\ndiscovered: 2026-06-03\n"
        "party: {kind: citizen}\n", encoding="utf-8")
    (lib / "syntax.yaml").write_text("id: x\n  bad: [\n", encoding="utf-8")
    return lib


def test_check_reports_errors_with_positions_and_still_runs_good_cases(
        capsys: pytest.CaptureFixture[str], mixed_library: Path) -> None:
    code, out, _ = run_cli(capsys, "check", mixed_library)
    assert code == 1
    assert f"{mixed_library / 'broken.yaml'}:1:1: " in out
    assert "briefing" in out
    assert f"{mixed_library / 'syntax.yaml'}:2:" in out
    good = [line for line in out.splitlines() if CASE_ID in line]
    assert good and good[0].startswith("✓ ") and "参考路径 1/1" in good[0]
    assert re.search(r"陷阱 (\d+)/\1  变异 (\d+)/\2 \(100%\)  期限边界 \d+$", good[0])
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("检查未通过") and "案例 1 个" in summary


def test_check_quiet_and_json(capsys: pytest.CaptureFixture[str], mixed_library: Path) -> None:
    code, out, _ = run_cli(capsys, "check", "-q", mixed_library)
    assert code == 1
    assert CASE_ID not in out  # only errors and the summary
    assert "broken.yaml:1:1" in out and out.strip().splitlines()[-1].startswith("检查未通过")
    code, out, _ = run_cli(capsys, "check", "--json", mixed_library)
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert {"file", "line", "col", "message"} <= set(data["errors"][0])
    assert any(e["file"].endswith("broken.yaml") and e["line"] == 1 for e in data["errors"])
    (case,) = data["cases"]
    assert case["id"] == CASE_ID and case["ok"] is True
    assert case["reference"] == {"passed": 1, "total": 1}
    assert all(t["ok"] for t in case["selftests"])
    assert set(data["summary"]) == {"cases", "procedures", "articles", "selftests_passed", "selftests_failed",
                                    "errors", "load_errors", "deep_errors", "warnings", "mutants", "mutants_killed",
                                    "lawful", "boundaries_checked", "deep"}
    assert case["mutation"]["score"] == 1.0 and case["mutation"]["killed"] > 0
    assert data["summary"]["cases"] == 1 and data["summary"]["selftests_failed"] == 0


def test_check_failing_selftest_names_problem_and_place(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    text = CASE_FILE.read_text(encoding="utf-8").replace(f"id: {CASE_ID}", "id: wrong-expect-01", 1)
    text = text.replace("expect: {score: 100, state: closed}", "expect: {score: 90, state: closed}", 1)
    bad = tmp_path / "wrong-expect.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", bad)
    assert code == 1
    assert "✗ wrong-expect-01" in out
    assert f"{bad}:" in out
    assert "期望得分 90，实际 100" in out


def test_check_good_single_case_file_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    case = tmp_path / "only.yaml"
    shutil.copy(CASE_FILE, case)
    code, out, _ = run_cli(capsys, "check", "--json", case)
    data = json.loads(out)
    assert [c["id"] for c in data["cases"]] == [CASE_ID]
    assert data["cases"][0]["ok"] is True
    # Errors elsewhere (the bundled templates) would make it fail; the case itself must be clean.
    assert not [e for e in data["errors"] if e["file"] == str(case)]
    assert code == (0 if data["ok"] else 1)


# --- run and replay ----------------------------------------------------------------------------------------


def test_run_reference_scores_100(capsys: pytest.CaptureFixture[str], reference_steps: Path) -> None:
    code, out, err = run_cli(capsys, "run", CASE_ID, "--steps", reference_steps)
    assert code == 0, err
    assert "得分：100" in out
    assert "被拒绝" not in out
    code, out, _ = run_cli(capsys, "run", CASE_ID, "--steps", reference_steps, "--json")
    data = json.loads(out)
    assert data["score"] == 100 and data["findings"] == [] and data["refused"] == []
    assert data["scenario"] == CASE_ID and data["finished"] is True


def test_run_trap_gives_expected_findings(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          trap: dict[str, Any]) -> None:
    steps = _steps_file(tmp_path, trap["steps"])
    code, out, _ = run_cli(capsys, "run", str(CASE_FILE), "--steps", steps, "--json")
    assert code == 0
    data = json.loads(out)
    expected = sorted(trap["expect"]["findings"])
    assert sorted(f["rule_id"] for f in data["findings"]) == expected
    assert data["score"] < 100
    code, out, _ = run_cli(capsys, "run", CASE_ID, "--steps", steps)
    assert code == 0
    for finding in data["findings"]:  # the text debrief names each finding by its Chinese title, not its id
        assert finding["title"] in out
        assert finding["rule_id"] not in out
    assert "依据：《" in out


def test_run_json_steps_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    first_trap = _case_doc()["traps"][0]
    steps = _steps_file(tmp_path, first_trap["steps"], "steps.json")
    code, out, _ = run_cli(capsys, "run", CASE_ID, "--steps", steps, "--json")
    assert code == 0
    assert sorted(f["rule_id"] for f in json.loads(out)["findings"]) == sorted(first_trap["expect"]["findings"])


def test_run_refused_steps_are_reported_and_run_continues(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    steps = _steps_file(tmp_path, [
        {"do": "close_case", "at": "2026-06-03T11:00"},  # nothing to close yet: impossible, refused
        {"do": "inspect", "at": "2026-06-03T11:30", "officers": ["nobody"]},  # no such officer: refused
        {"do": "file_case", "at": "2026-06-03T15:00", "approved": True},
        {"finish": True},
        {"do": "inspect", "at": "2026-06-04T09:00"},  # after finish: not played
    ])
    code, out, _ = run_cli(capsys, "run", CASE_ID, "--steps", steps, "--json")
    assert code == 0
    data = json.loads(out)
    assert [r["step"] for r in data["refused"]] == [1, 2]
    assert all(r["reason"] and r["where"].startswith(str(steps)) for r in data["refused"])
    code, out, _ = run_cli(capsys, "run", CASE_ID, "--steps", steps)
    assert code == 0
    assert out.count("✗ 被拒绝") == 2
    assert "其后的 1 步未执行" in out
    assert "得分：" in out


def test_run_values_the_engine_cannot_take_are_refusals_not_crashes(capsys: pytest.CaptureFixture[str],
                                                                    tmp_path: Path) -> None:
    steps = _steps_file(tmp_path, [
        {"do": "inspect", "at": "2026-06-03T10:30", "words": ["greet_show_id", "threaten"]},  # one phrase expected
        {"do": "inspect", "at": "2026-06-03T11:00", "officers": ["zhang", "wang"]},
    ])
    journal = tmp_path / "j.jsonl"
    code, out, err = run_cli(capsys, "run", CASE_ID, "--steps", steps, "--json", "--journal", journal)
    assert code == 0, err
    played = json.loads(out)
    assert [r["step"] for r in played["refused"]] == [1]
    code, out, err = run_cli(capsys, "replay", journal, "--json")
    assert code == 0, err
    assert json.loads(out)["score"] == played["score"]


def test_replay_of_run_journal_gives_same_score(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                trap: dict[str, Any]) -> None:
    steps = _steps_file(tmp_path, trap["steps"])
    journal = tmp_path / "session.jsonl"
    code, out, _ = run_cli(capsys, "run", CASE_ID, "--steps", steps, "--journal", journal, "--json")
    assert code == 0
    played = json.loads(out)
    assert journal.is_file()
    code, out, err = run_cli(capsys, "replay", journal, "--json")
    assert code == 0, err
    replayed = json.loads(out)
    assert replayed["score"] == played["score"]
    assert [f["rule_id"] for f in replayed["findings"]] == [f["rule_id"] for f in played["findings"]]
    assert replayed["content_changed"] is False
    code, out, _ = run_cli(capsys, "replay", journal)
    assert code == 0
    assert f"得分：{played['score']}" in out


def test_run_refuses_to_append_to_an_existing_journal(capsys: pytest.CaptureFixture[str],
                                                     reference_steps: Path, tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    journal.write_text("", encoding="utf-8")
    code, _, err = run_cli(capsys, "run", CASE_ID, "--steps", reference_steps, "--journal", journal)
    assert code == 2 and "已存在" in err


def test_replay_detects_an_edited_case(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       reference_steps: Path) -> None:
    library = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, library)
    journal = tmp_path / "j.jsonl"
    code, _, err = run_cli(capsys, "run", CASE_ID, "--library", library, "--steps", reference_steps,
                           "--journal", journal)
    assert code == 0, err
    code, _, err = run_cli(capsys, "replay", journal, "--library", library)
    assert code == 0, err
    case = library / "cases" / f"{CASE_ID}.yaml"
    text = case.read_text(encoding="utf-8")
    assert "\ntitle: " in text
    case.write_text(text.replace("\ntitle: ", "\ntitle: 修改后的", 1), encoding="utf-8")  # any edit changes the hash
    code, out, err = run_cli(capsys, "replay", journal, "--library", library)
    assert code == 2
    assert "校验值" in err and "--allow-changed" in err
    assert "Traceback" not in out + err
    code, out, err = run_cli(capsys, "replay", journal, "--library", library, "--allow-changed")
    assert code == 0, err
    assert "已修改" in out and "得分：100" in out


# --- rules, cases, overview, help --------------------------------------------------------------------------


def test_rules_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rules")
    assert code == 0
    assert "■ 行政处罚普通程序（general-penalty" in out
    assert out.index("general-penalty") < out.index("（通用模板）")  # concrete procedures first
    assert "two-officers" in out and "《行政处罚法》第四十二条" in out
    assert "应当：" in out and "问题：" in out
    assert "fine-out-of-range" in out  # a rule the case adds to its template


def test_rules_catalogue_lists_every_rule_in_effect(capsys: pytest.CaptureFixture[str]) -> None:
    import sim

    lib = sim.load_library()
    code, out, _ = run_cli(capsys, "rules")
    assert code == 0
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("  ") and "【" in line}
    in_effect = {r.id for p in lib.procedures.values() for r in p.rules}
    in_effect |= {r.id for sc in lib.scenarios.values() for r in sc.procedure.rules}
    assert in_effect <= listed


def test_rules_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rules", "--markdown")
    assert code == 0
    assert out.startswith("# 规则目录")
    assert "## 行政处罚普通程序（`general-penalty`）" in out
    assert "### `two-officers` " in out
    assert "- 依据：《行政处罚法》第四十二条" in out


def test_cases_table_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "cases")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith(CASE_ID))
    doc = _case_doc()
    counts = f"{len(doc.get('reference') or [])}/{len(doc.get('traps') or [])}"
    for cell in (doc["title"], doc["case_type"], "行政处罚普通程序", catalogue.POWER_SOURCES[doc["power"]["source"]],
                 str(doc["difficulty"]), counts):
        assert cell in row
    code, out, _ = run_cli(capsys, "cases", "--markdown")
    assert code == 0
    assert out.startswith("| 编号 | 标题 |")
    assert f"| {CASE_ID} | {doc['title']} |" in out


def test_no_command_without_a_terminal_prints_overview_and_commands(capsys: pytest.CaptureFixture[str]) -> None:
    # With a terminal `lawdrill` opens the trainee UI (tests/tui); piped, it says so and shows the overview.
    code, out, err = run_cli(capsys)
    assert code == 0
    assert "无法打开训练界面" in err
    assert CASE_ID in out
    for command in ("check", "run", "replay", "deadline", "rules", "cases"):
        assert f"lawdrill {command}" in out
    assert "coming soon" not in out.lower() and "敬请期待" not in out


def test_list_prints_the_overview(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "list")
    assert code == 0 and CASE_ID in out and "lawdrill play" in out and not err


def test_play_unknown_case_or_no_terminal_is_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "play", "no-such-case")
    assert code == 2 and "找不到案例「no-such-case」" in err and "Traceback" not in out + err
    code, out, err = run_cli(capsys, "play", CASE_ID)
    assert code == 2 and "不是交互式终端" in err


def test_play_opens_the_app_on_the_case(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.app

    seen: dict[str, object] = {}
    monkeypatch.setattr(common, "terminal_ok", lambda: True)
    monkeypatch.setattr(tui.app, "run_ui", lambda case, **kw: seen.update(case=case, **kw) or 0)
    assert main(["play", CASE_ID, "--mode", "exam", "--home", "/tmp/x"]) == 0
    assert seen == {"case": CASE_ID, "mode": "exam", "home": "/tmp/x", "library_paths": None}
    assert main([]) == 0 and seen["case"] is None


@pytest.mark.parametrize("args", [["-h"], ["deadline", "-h"], ["check", "--help"]])
def test_help_is_chinese(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, _ = run_cli(capsys, *args)
    assert code == 0
    assert out.startswith("用法：") and "显示本帮助并退出" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.startswith("lawdrill ")


def test_chinese_table_alignment() -> None:
    lines = common.table(["标题", "编号"], [["麦收期间", "a"], ["x", "b"]])
    # Chinese characters take two columns: the second column starts at the same display column everywhere.
    columns = {common.text_width(line[: line.rindex(" ") + 1]) for line in (lines[0], lines[2], lines[3])}
    assert columns == {10}
    assert common.text_width("麦收ab") == 6
    assert common.wrap("事先告知书 notice 送达", 8) == ["事先告知", "书", "notice", "送达"]


# --- bad input ---------------------------------------------------------------------------------------------


def _bad_inputs(tmp: Path) -> list[list[str]]:
    (tmp / "bad-yaml.yaml").write_text("- {do: inspect\n", encoding="utf-8")
    (tmp / "not-a-list.yaml").write_text("do: inspect\n", encoding="utf-8")
    (tmp / "unknown-action.yaml").write_text("- {do: fly, at: 2026-06-03}\n", encoding="utf-8")
    (tmp / "unknown-param.yaml").write_text("- {do: inspect, colour: red}\n", encoding="utf-8")
    (tmp / "empty.yaml").write_text("", encoding="utf-8")
    (tmp / "latin1.yaml").write_bytes("- {do: inspect, note: caf\xe9}\n".encode("latin-1"))
    (tmp / "damaged.jsonl").write_text('{"t":"start","scenario":"x"}\n{oops\n{"t":"finish"}\n', encoding="utf-8")
    (tmp / "ghost.jsonl").write_text('{"t":"start","scenario":"no-such-case","hash":"x"}\n', encoding="utf-8")
    (tmp / "odd.jsonl").write_text('{"t":"start","scenario":"%s","hash":"x"}\n{"t":"act","params":[1]}\n'
                                   % CASE_ID, encoding="utf-8")
    (tmp / "bad-calendar.yaml").write_text("year: twenty\n", encoding="utf-8")
    ok = str(tmp / "unknown-action.yaml")
    # One case instead of the whole bundled library: the same code paths, a fraction of the loading time.
    small = tmp / "small-library"
    small.mkdir()
    shutil.copy(CASE_FILE, small / CASE_FILE.name)
    lib = ["--library", str(small)]
    return [
        ["deadline", "2026-13-01", "--days", "3"],
        ["deadline", "2026-02-30", "--days", "3"],
        ["deadline", "yesterday", "--days", "3"],
        ["deadline", "2026-01-01", "--days", "abc"],
        ["deadline", "2026-01-01", "--working-days", "-3"],
        ["deadline", "2026-01-01"],
        ["deadline", "2026-01-01", "--days", "3", "--hours", "4"],
        ["deadline", "2026-01-01", "--days", "999999999"],
        ["deadline", "9999-12-30", "--days", "30"],
        ["deadline", "2026-01-01", "--days", "3", "--calendar-file", str(tmp / "missing.yaml")],
        ["deadline", "2026-01-01", "--days", "3", "--calendar-file", str(tmp / "bad-calendar.yaml")],
        ["check", str(tmp / "missing-dir")],
        ["run", "no-such-case", "--steps", ok, *lib],
        ["run", str(tmp / "missing-case.yaml"), "--steps", ok, *lib],
        ["run", CASE_ID, "--steps", str(tmp / "missing-steps.yaml"), *lib],
        ["run", CASE_ID],
        ["run", CASE_ID, "--steps", str(tmp / "bad-yaml.yaml"), *lib],
        ["run", CASE_ID, "--steps", str(tmp / "not-a-list.yaml"), *lib],
        ["run", CASE_ID, "--steps", str(tmp / "unknown-action.yaml"), *lib],
        ["run", CASE_ID, "--steps", str(tmp / "unknown-param.yaml"), *lib],
        ["run", CASE_ID, "--steps", str(tmp / "empty.yaml"), *lib],
        ["run", CASE_ID, "--steps", str(tmp / "latin1.yaml"), *lib],
        ["run", CASE_ID, "--steps", ok, "--seed", "x"],
        ["run", CASE_ID, "--steps", ok, "--library", str(tmp / "missing-lib")],
        ["replay", str(tmp / "missing.jsonl")],
        ["replay", str(tmp / "damaged.jsonl")],
        ["replay", str(tmp / "ghost.jsonl"), *lib],
        ["replay", str(tmp / "odd.jsonl"), "--allow-changed", *lib],
        ["replay", str(tmp / "bad-yaml.yaml")],
        ["rules", "--library", str(tmp / "missing-lib")],
        ["cases", "--library", str(tmp / "missing-lib")],
        ["no-such-command"],
        ["check", "--no-such-option"],
    ]


def test_bad_input_is_a_short_chinese_message_and_exit_2(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    for args in _bad_inputs(tmp_path):
        code, out, err = run_cli(capsys, *args)
        assert code == 2, (args, out, err)
        assert "Traceback" not in out + err, args
        lines = err.strip().splitlines()
        assert 1 <= len(lines) <= 2, (args, err)
        assert has_chinese(lines[0]), (args, err)


def test_step_file_errors_point_at_file_line_col(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    steps = tmp_path / "steps.yaml"
    steps.write_text("- {do: inspect, at: 2026-06-03T10:30}\n- {do: inspect, colour: red}\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "run", CASE_ID, "--steps", steps)
    assert code == 2
    assert f"{steps}:2:17: " in err and "colour" in err


def test_internal_error_names_the_command_without_traceback(capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.calendar

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(sim.calendar, "deadline", broken)
    code, out, err = run_cli(capsys, "deadline", "2026-09-30", "--days", "3")
    assert code == 3
    assert "lawdrill deadline" in err and "内部错误" in err and "--debug" in err
    assert "Traceback" not in out + err
    code, _, err = run_cli(capsys, "--debug", "deadline", "2026-09-30", "--days", "3")
    assert code == 3 and "Traceback" in err and "boom" in err
    code, _, err = run_cli(capsys, "deadline", "2026-09-30", "--days", "3", "--debug")
    assert code == 3 and "Traceback" in err


# --- real processes ----------------------------------------------------------------------------------------


def test_module_deadline_json() -> None:
    proc = run_module("deadline", "2026-09-30", "--working-days", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["due"] == "2026-10-10" and data["provisional"] is False


def test_module_check_and_bad_input(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    shutil.copy(CASE_FILE, case)
    proc = run_module("check", case)
    assert proc.returncode in (0, 1), proc.stderr
    assert f"✓ {CASE_ID}" in proc.stdout
    proc = run_module("deadline", "2026-02-30", "--days", "3")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and has_chinese(proc.stderr)


def test_module_run_then_replay(tmp_path: Path, reference_steps: Path) -> None:
    journal = tmp_path / "j.jsonl"
    proc = run_module("run", CASE_ID, "--steps", reference_steps, "--journal", journal)
    assert proc.returncode == 0, proc.stderr
    assert "得分：100" in proc.stdout
    proc = run_module("replay", journal, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["score"] == 100
