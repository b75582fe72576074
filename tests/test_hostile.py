"""Hostile input (issue 12): every reproduction of the fuzzing pass gives a clear Chinese message and exit 1 or 2,
never an internal error, a hang, a huge allocation or a write outside the data folder; one bad item never
stops the good ones beside it.

Each boundary (scenario YAML, steps files, journals, bundles, contest files, file arguments, ids) has a
regression test per reproduction and a Hypothesis property over arbitrary values (deep nesting, huge
numbers, odd strings) asserting the exit code is in {0, 1, 2} and no 内部错误 is printed.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import ReplayError, Session, load_library, replay, resume
from sim.bounds import ID_MAX, MAX_PERIOD, BoundsError, loads_json, read_file, shown
from sim.contest import write_bundle
from sim.loader import StepsError, load_steps
from sim.store import Store
from tui.cli import main

from contest_support import OPENS, library, load_doc, make_contest, play, resign

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "scenarios" / "cases" / "refer-unlicensed-shop-01.yaml"
CASE_ID = "refer-unlicensed-shop-01"
HEARING_CASE = "road-piling-hearing-01"  # a hearing request (a state-changing event) follows the served notice
FAST = 5.0  # CPU seconds of this process (not wall time, which other processes on a loaded machine inflate):
#           "no run in the tests takes more than a few seconds on a hostile input"


def run_cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def timed_cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    start = time.process_time()
    code, out, err = run_cli(capsys, *args)
    took = time.process_time() - start
    assert took < FAST, f"lawdrill {' '.join(map(str, args))} took {took:.1f} s"
    assert "内部错误" not in out + err and "Traceback" not in out + err
    return code, out, err


def english(message: str) -> str:
    """The message without what it quotes (「…」: a field name, a tag) and the word YAML: what must be Chinese."""
    return re.sub(r"「[^」]*」", "", message).replace("YAML", "")


def case_text(**changes: str) -> str:
    """The bundled case's text with top-level lines replaced (`id="id: x"`)."""
    text = CASE.read_text(encoding="utf-8")
    for key, line in changes.items():
        text, n = re.subn(rf"^{key}:.*$", line.replace("\\", "\\\\"), text, count=1, flags=re.M)
        assert n == 1, key
    return text


def steps_file(tmp_path: Path, text: str, name: str = "steps.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reference_steps_text(case_id: str = CASE_ID) -> list[dict[str, Any]]:
    path = ROOT / "scenarios" / "cases" / f"{case_id}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["reference"][0]["steps"]


# --- scenario YAML: explicit tags, reserved names, huge periods, ids -------------------------------------


@pytest.mark.parametrize("tag", ["!!bool maybe", "!!int many", "!!float x", "!!timestamp soon"])
def test_invalid_explicit_tag_is_a_load_error_and_the_good_case_is_still_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], tag: str) -> None:
    (tmp_path / "bad.yaml").write_text(case_text(id=f"id: {tag}"), encoding="utf-8")
    (tmp_path / "good.yaml").write_text(CASE.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = timed_cli(capsys, "check", "--fast", tmp_path)
    assert code == 1
    assert re.search(rf"{re.escape(str(tmp_path / 'bad.yaml'))}:3:5: \S*「[^」]+」(不是有效的|不存在)", out), out
    assert f"✓ {CASE_ID}" in out  # the good case beside it was checked


def test_invalid_tag_in_a_steps_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    steps = steps_file(tmp_path, "- {do: inspect, at: !!bool maybe}\n")
    code, _, err = timed_cli(capsys, "run", CASE_ID, "--steps", steps)
    assert code == 2 and f"{steps}:1:21: 「maybe」不是有效的布尔值" in err


def test_invalid_tag_in_a_contest_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_contest(tmp_path)
    path = tmp_path / "cup.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("seed: 777", "seed: !!int lucky"), encoding="utf-8")
    code, out, err = timed_cli(capsys, "contest", "check", path)
    assert code in (1, 2) and "「lucky」不是有效的整数" in out + err


def test_action_named_state_is_a_load_error_at_its_line(tmp_path: Path) -> None:
    proc = (ROOT / "scenarios" / "procedures" / "referral.yaml").read_text(encoding="utf-8")
    text = proc.replace("id: referral", "id: referral-x", 1).replace("\nactions:\n", "\nactions:\n  state: {label: 状态, phase: 立案, from: ['*']}\n", 1)
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    lib = load_library([tmp_path])
    line = text.splitlines().index("  state: {label: 状态, phase: 立案, from: ['*']}") + 1
    assert [(e.line, "保留名称" in e.message) for e in lib.errors] == [(line, True)], lib.errors


@pytest.mark.parametrize("where", ["rule", "deadline", "wait", "step", "in_time"])
def test_huge_periods_are_load_errors_found_in_well_under_a_second(tmp_path: Path, where: str) -> None:
    text = CASE.read_text(encoding="utf-8")
    huge = "99999999 working_days"
    rule = ("rules:\n  - {id: huge-rule, title: 超长, severity: minor, cite: 行政处罚法#36, explain: 说明, expected: 应当,\n"
            "     deadline: {from: inspect, to: refer, within: \"%s\"}}\n")
    if where in ("rule", "deadline"):
        text = text.replace("reference:\n", rule % huge + "reference:\n", 1)
    elif where == "in_time":
        text = text.replace("reference:\n", "conditions:\n  soon: \"in_time(now, now, '%s')\"\nreference:\n" % huge, 1)
    elif where == "wait":
        text = text.replace("reference:\n", "events:\n  - {then: party_pays, after: inspect, wait: \"%s\"}\nreference:\n"
                            % huge, 1)
    else:
        text = text.replace("      - {do: refer, at: 2026-07-07T10:00,", "      - {advance: \"+%s\"}\n"
                            "      - {do: refer, at: 2026-07-07T10:00," % huge, 1)
    path = tmp_path / "huge.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.process_time()
    lib = load_library([path])
    assert time.process_time() - start < FAST
    mine = [e for e in lib.errors if e.file == str(path)]
    assert mine, "a 99999999-working-day period was accepted"
    assert any(huge in e.message and "过长" in e.message and e.line > 0 for e in mine), mine


def test_run_advance_by_a_huge_period_is_refused_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    steps = steps_file(tmp_path, '- {advance: "+99999999 working_days"}\n')
    code, _, err = timed_cli(capsys, "run", CASE_ID, "--steps", steps)
    assert code == 2 and f"{steps}:1:4:" in err and "过长" in err
    s = Session(library().scenarios[CASE_ID])
    start = time.process_time()
    out = s.advance(working_days=99_999_999)
    assert time.process_time() - start < 1 and not out.ok and "过长" in out.reason
    assert s.now == library().scenarios[CASE_ID].discovered


def test_the_longest_period_is_still_accepted_and_fast() -> None:
    s = Session(library().scenarios[CASE_ID])
    start = time.process_time()
    assert s.advance(working_days=MAX_PERIOD["working_days"]).ok
    assert time.process_time() - start < FAST
    assert s.now.year >= 2045


@pytest.mark.parametrize("case_id", ["x/../../../../outside", "a" * 300, "Upper", "-dash", "名称", "a\x1b[31m"])
def test_case_ids_are_validated(tmp_path: Path, case_id: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(case_text(id=f"id: {json.dumps(case_id)}"), encoding="utf-8")
    lib = load_library([path])
    assert not lib.scenarios.get(case_id)
    assert [(e.line, "编号只能由小写字母" in e.message) for e in lib.errors] == [(3, True)], lib.errors
    assert "\x1b" not in str(lib.errors[0])  # shown escaped


def test_the_longest_allowed_id_loads(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(case_text(id=f"id: {'a' * ID_MAX}"), encoding="utf-8")
    lib = load_library([path])
    assert "a" * ID_MAX in lib.scenarios, lib.errors


def test_store_never_builds_a_journal_path_outside_its_folder(tmp_path: Path) -> None:
    store = Store(tmp_path / "home")
    with pytest.raises(BoundsError):
        store.new_journal_path("x/../../../../outside")
    _, path = store.new_journal_path(CASE_ID)
    assert path.resolve().is_relative_to((tmp_path / "home").resolve())
    store.close()


def test_blank_phrase_in_a_template_is_reported_at_the_phrase(tmp_path: Path) -> None:
    common = (ROOT / "scenarios" / "procedures" / "common.yaml").read_text(encoding="utf-8")
    text = common.replace("id: common", "id: common-x", 1).replace(
        "\nphrases:\n", "\nphrases:\n  mute: {text: \"  \", proper: true}\n", 1)
    assert text != common
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    lib = load_library([tmp_path])
    line = text.splitlines().index('  mute: {text: "  ", proper: true}') + 1
    assert [(e.line, e.message) for e in lib.errors] == [(line, "话术「mute」内容为空")]


@pytest.mark.parametrize(("text", "fragment"), [
    ("a: " + "[" * 2000, "嵌套层级过深"),
    ("a: - b\n", "此处不能出现列表项"),
    ("a: 2025-02-30\n", "日期「2025-02-30」不存在"),
    ('a: "\\q"\n', "无法识别的转义"),
    ("a: [1, 2\nb: 3\n", "方括号「[」没有闭合"),
    ("a: {b: 1, c\n", "花括号"),
    ("a: 9" + "9" * 5000 + "\n", "过大"),
    ("a: .nan\n", "超出允许的范围"),
    ("a: !!binary AAAA\n", "不允许使用 YAML 标签"),
    ("a: &x\n  - *y\n", "未定义的锚点"),
])
def test_parser_messages_are_chinese(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    lib = load_library([path])
    (err,) = lib.errors
    assert fragment in err.message and err.line >= 1, err
    assert not re.search(r"[A-Za-z]{4,}", english(err.message)), err  # no English sentence left


# --- file arguments ----------------------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


@pytest.fixture
def zero_link(tmp_path: Path) -> Path:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    path = tmp_path / "zero.yaml"
    path.symlink_to("/dev/zero")
    return path


@pytest.mark.parametrize("which", ["fifo", "zero_link"])
def test_special_files_named_directly_are_refused_without_reading(
        request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str], which: str) -> None:
    path = request.getfixturevalue(which)
    code, out, _ = timed_cli(capsys, "check", "--fast", path)
    assert code == 1 and f"{path}: 不是普通文件" in out
    code, _, err = timed_cli(capsys, "run", CASE_ID, "--steps", path)
    assert code == 2 and "不是普通文件" in err
    code, _, err = timed_cli(capsys, "replay", path)
    assert code == 2 and "不是普通文件" in err
    code, _, err = timed_cli(capsys, "deadline", "2026-07-01", "--days", "3", "--calendar-file", path)
    assert code == 2 and f"{path}: 不是普通文件" in err
    code, _, err = timed_cli(capsys, "run", path, "--steps", path)
    assert code == 2 and f"案例文件 {path} 不是普通文件" in err
    for command in ("check", "standings", "report"):
        code, _, err = timed_cli(capsys, "contest", command, path)
        assert code == 2 and f"比武文件 {path} 不是普通文件" in err, (command, err)
    with pytest.raises(BoundsError, match="不是普通文件"):
        read_file(path, 1024)


def test_special_files_named_directly_with_the_check_cache_on(
        fifo: Path, zero_link: Path, tmp_path: Path) -> None:
    """The way a user runs it: the check-result cache keys on the content of every file named, so it must
    refuse a FIFO or a device before the loader does (it used to block on the FIFO and grow on /dev/zero).
    In a child process with a timeout, so a regression fails instead of hanging the suite."""
    env = {**os.environ, "LAWDRILL_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("LAWDRILL_NO_CACHE", None)
    proc = subprocess.run([sys.executable, "-m", "tui", "check", "--fast", str(fifo), str(zero_link), str(CASE)],
                          capture_output=True, env=env, timeout=60)
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    assert f"{fifo}: 不是普通文件（是管道）" in out and f"{zero_link}: 不是普通文件（是设备或特殊文件）" in out
    assert f"✓ {CASE_ID}" in out  # the good case beside them is still checked


def test_non_utf8_file_name_under_a_strict_utf8_stdout(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX file names")
    folder = tmp_path / "lib"
    folder.mkdir()
    name = os.fsdecode(b"\xb0\xb8\xc0\xfd.yaml")  # 案例 in GBK, as a Windows zip leaves it
    (folder / name).write_bytes(case_text(id="id: !!bool maybe").encode())
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "tui", "check", "--fast", str(folder)], capture_output=True,
                          env=env, timeout=60)
    out = proc.stdout.decode("utf-8")  # strict: the output is valid UTF-8
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    assert "\\xb0\\xb8\\xc0\\xfd.yaml:3:5:" in out and "内部错误" not in out


def test_terminal_escapes_in_titles_and_file_names_are_shown_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case\x1b[2J.yaml"
    path.write_text(case_text(title='title: "\\e[31m红色标题\\e[0m\\u202e"'), encoding="utf-8")
    code, out, err = timed_cli(capsys, "check", "--fast", path)
    assert code == 0, out
    assert "\x1b" not in out + err and "\u202e" not in out
    assert "\\x1b[31m红色标题\\x1b[0m\\u202e" in out
    assert shown("a\x1b[2Jb\x9b\udcb0") == "a\\x1b[2Jb\\x9b\\xb0"


# --- steps and sessions: the year window, refusals leave no trace -----------------------------------------


def test_step_dated_9999_is_a_steps_file_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    steps = steps_file(tmp_path, "- {do: inspect, at: 9999-12-30T09:00}\n")
    code, _, err = timed_cli(capsys, "run", CASE_ID, "--steps", steps)
    assert code == 2 and f"{steps}:1:17:" in err and "2000—2100" in err


@pytest.mark.parametrize("at", ["9999-12-30T09:00", dt.datetime(9999, 12, 30, 9), "1900-01-01", "+99999 days"])
def test_acts_outside_the_year_window_are_refused_and_change_nothing(at: Any) -> None:
    s = Session(library().scenarios[CASE_ID])
    before = (s.now, s.state, len(s.acts), s.pending_events())
    out = s.act("inspect", at, officers=["zhang", "wang"])
    assert not out.ok and ("2000—2100" in out.reason or "过长" in out.reason)
    assert (s.now, s.state, len(s.acts), s.pending_events()) == before


def _hearing_steps() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    steps = reference_steps_text(HEARING_CASE)
    cut = next(i for i, st in enumerate(steps) if st.get("do") == "serve") + 1  # the notice is served
    return steps[:cut], steps[cut:]


def test_refused_step_with_a_state_changing_event_pending_leaves_no_trace(tmp_path: Path) -> None:
    sc = library().scenarios[HEARING_CASE]
    head, rest = _hearing_steps()
    s = Session(sc, journal=tmp_path / "j.jsonl")
    for st in head:
        assert s.act(st["do"], st["at"], **{k: v for k, v in st.items() if k not in ("do", "at")}).ok
    before = (s.now, s.state, s.pending_events(), list(s.findings), dict(s.flags))
    out = s.act("file_case", "2099-12-20T09:00")  # once only, and far beyond the hearing request
    assert not out.ok and not out.events
    assert (s.now, s.state, s.pending_events(), list(s.findings), dict(s.flags)) == before
    for st in rest:
        if "advance" in st:
            assert s.advance(st["advance"]).ok
        else:
            assert s.act(st["do"], st["at"], **{k: v for k, v in st.items() if k not in ("do", "at")}).ok, st
    result = s.finish()
    s.close()
    assert result.score == 100
    again = replay(sc, tmp_path / "j.jsonl")
    assert again.result is not None and again.result.to_json() == result.to_json()


def test_run_and_replay_agree_after_a_refused_far_future_step(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head, rest = _hearing_steps()
    steps = [*head, {"do": "file_case", "at": "2099-12-20T09:00"}, *rest]
    path = steps_file(tmp_path, yaml.safe_dump(steps, allow_unicode=True))
    journal = tmp_path / "run.jsonl"
    code, out, _ = timed_cli(capsys, "run", HEARING_CASE, "--steps", path, "--journal", journal, "--json")
    ran = json.loads(out)
    assert code == 0 and [r["step"] for r in ran["refused"]] == [len(head) + 1] and ran["score"] == 100
    code, out, _ = timed_cli(capsys, "replay", journal, "--json")
    assert code == 0 and json.loads(out)["score"] == ran["score"]


# --- journals: replay and resume on damaged files ----------------------------------------------------------


@pytest.fixture(scope="module")
def good_journal(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    path = tmp_path_factory.mktemp("j") / "good.jsonl"
    sc = library().scenarios[CASE_ID]
    s = Session(sc, journal=path, wall_clock=lambda: 1_790_000_000.0)
    for st in reference_steps_text():
        s.act(st["do"], st["at"], **{k: v for k, v in st.items() if k not in ("do", "at")})
    s.act("no-such-act", None)  # a refusal line
    s.close()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _set(entries: list[dict[str, Any]], index: int, key: str, value: Any) -> list[dict[str, Any]]:
    out = copy.deepcopy(entries)
    out[index][key] = value
    return out


DAMAGE: dict[str, Any] = {
    "seed abc": (0, "seed", "abc"), "seed null": (0, "seed", None), "seed list": (0, "seed", [1]),
    "seed float": (0, "seed", 1.5), "mode list": (0, "mode", [1]), "trainee map": (0, "trainee", {"a": 1}),
    "head wall text": (0, "wall", "x"), "scenario null": (0, "scenario", None),
    "params string": (1, "params", "string"), "params 5": (1, "params", 5),
    "wall soon": (1, "wall", "soon"), "wall null": (1, "wall", None), "wall 1e20": (1, "wall", 1e20),
    "wall negative": (1, "wall", -1e12), "name list": (1, "name", ["x"]),
    "refusal at garbage": (-1, "at", "garbage"), "at 9999": (1, "at", "9999-12-30T09:00:00"),
    "unknown kind": (1, "t", "boom"), "param values": (1, "params", {"officers": {"a": {"b": 1}}, "words": [1]}),
}
RAW_DAMAGE = {
    "seed NaN": lambda head, rest: head.replace('"seed":0', '"seed":NaN') + rest,
    "deep nesting": lambda head, rest: head + '{"t":"act","wall":1,"params":' + "[" * 100_000 + "]" * 100_000 + "}\n",
    "5000 digits": lambda head, rest: head + '{"t":"act","wall":1,"name":"inspect","at":"2026-07-06T10:00:00",'
                                             '"params":{"amount":' + "9" * 5000 + "}}\n",
    "not an object": lambda head, rest: head + "[1,2]\n" + rest,
    "binary": lambda head, rest: head + "\xff\xfe garbage\n" + rest,
    "empty": lambda head, rest: "",
    "no header": lambda head, rest: rest,
}


def _write(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return path


def damaged_journals(tmp_path: Path, good: list[dict[str, Any]]) -> dict[str, Path]:
    out = {}
    for name, (i, key, value) in DAMAGE.items():
        out[name] = _write(tmp_path / f"{len(out)}.jsonl", _set(good, i, key, value))
    head = json.dumps(good[0], separators=(",", ":"), sort_keys=True) + "\n"
    rest = "".join(json.dumps(e) + "\n" for e in good[1:])
    for name, make in RAW_DAMAGE.items():
        path = tmp_path / f"{len(out)}.jsonl"
        path.write_bytes(make(head, rest).encode("utf-8", "surrogateescape"))
        out[name] = path
    return out


def test_resume_and_replay_handle_every_damaged_journal(
        tmp_path: Path, good_journal: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    sc = library().scenarios[CASE_ID]
    journals = damaged_journals(tmp_path, good_journal)
    assert len(journals) >= 17
    outcomes = {}
    for name, path in journals.items():
        start = time.process_time()
        try:
            resume(sc, path).close()
            outcomes[name] = "resumed"
        except ReplayError as exc:
            assert str(exc) and not re.search(r"[A-Za-z]{6,}", english(str(exc).replace(str(path), ""))), (name, exc)
            outcomes[name] = "refused"
        assert time.process_time() - start < FAST, name
        code, out, err = timed_cli(capsys, "replay", path, "--json")
        assert code in (0, 2), (name, err)
        assert (code == 0) == (outcomes[name] == "resumed"), (name, err)
    assert outcomes["param values"] == "resumed"  # well-formed entries whose values the act refuses
    assert {n for n, o in outcomes.items() if o == "resumed"} == {"param values"}


def test_replay_json_with_a_lone_surrogate_in_a_refusal(
        tmp_path: Path, good_journal: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "s.jsonl", _set(good_journal, -1, "refused", "没有\ud800动作"))
    code, out, _ = timed_cli(capsys, "replay", path, "--json")
    assert code == 0 and json.loads(out)["refused"][-1] == "没有\ud800动作"
    out.encode("utf-8")  # printable on a strict UTF-8 stdout


def test_torn_last_line_is_still_tolerated(tmp_path: Path, good_journal: list[dict[str, Any]]) -> None:
    path = _write(tmp_path / "t.jsonl", good_journal)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"t":"act","na')
    s = resume(library().scenarios[CASE_ID], path)
    assert s.state == "referred"
    s.close()


def test_replay_is_linear_in_the_journal() -> None:
    """Replaying never walks every earlier act for each act (done(), count(), evidence collected…): the acts
    walked in total stay proportional to the journal, at 200 acts as at 800."""

    class Counting(list):  # type: ignore[type-arg]
        walked = 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            Counting.walked += len(self)
            return super().__iter__()

    sc = library().scenarios["straw-burning-01"]
    first = sc.references[0].steps[0]
    walked = {}
    for n in (200, 800):
        s = Session(sc, wall_clock=lambda: 1.0)
        t = sc.discovered
        for _ in range(n):
            t += dt.timedelta(minutes=20)
            assert s.act(first.do, t, **first.params).ok
        entries = [{"t": "start", "scenario": sc.id, "hash": sc.content_hash, "seed": 0, "wall": 1.0}]
        entries += [{"t": "act", "name": a.name, "at": a.at.isoformat(), "params": a.params, "wall": 1.0}
                    for a in s.acts]
        Counting.walked = 0
        again = Session(sc, wall_clock=lambda: 1.0)
        again.acts = Counting()
        for e in entries[1:]:
            again.apply(e)
        assert len(again.acts) == n
        walked[n] = Counting.walked
    assert walked[800] <= 4 * walked[200] + 800, walked


# --- contest bundles ---------------------------------------------------------------------------------------


def test_import_stores_the_honest_bundles_beside_hostile_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contest = make_contest(tmp_path)
    inbox = tmp_path / "inbox"
    honest = []
    for i, who in enumerate(("A1", "A2", "A3", "B1")):
        journal = play("straw-burning-01", tmp_path / f"{who}.jsonl", start=OPENS + dt.timedelta(minutes=5 + i))
        honest.append(write_bundle(contest, "r1", who, "straw-burning-01", journal, inbox, library=library()))
    (inbox / "deep.bundle.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (inbox / "digits.bundle.json").write_text('{"format": ' + "9" * 5000 + "}", encoding="utf-8")
    for name, wall in (("future", 1e20), ("past", -1e12)):
        doc = load_doc(honest[0])
        doc["payload"]["journal"][1]["wall"] = wall
        doc["payload"]["bundle_id"] = "0123456789abcdef" * 2 if name == "future" else "fedcba9876543210" * 2
        resign(inbox / f"{name}.bundle.json", doc)
    code, out, _ = timed_cli(capsys, "contest", "import", tmp_path / "cup.yaml", inbox, "--home", tmp_path / "h",
                             "--json")
    res = json.loads(out)
    assert code == 1 and (res["imported"], res["rejected"]) == (4, 4), res
    bad = {Path(o["path"]).name: o for o in res["outcomes"] if not o["ok"]}
    assert set(bad) == {"deep.bundle.json", "digits.bundle.json", "future.bundle.json", "past.bundle.json"}
    assert "嵌套层级过深" in bad["deep.bundle.json"]["message"]
    assert "数字过大" in bad["digits.bundle.json"]["message"]
    assert "数值过大" in bad["future.bundle.json"]["message"]  # 1e20: refused by the JSON reader itself
    assert "不是有效的时刻" in bad["past.bundle.json"]["message"]
    code, out, _ = timed_cli(capsys, "contest", "standings", tmp_path / "cup.yaml", "--home", tmp_path / "h", "--json")
    assert code == 0 and sorted(x["id"] for x in json.loads(out)["standings"]) == ["A1", "A2", "A3", "B1"]


# --- properties: arbitrary values at each boundary ---------------------------------------------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12))
json_values = st.recursive(json_scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                                 st.dictionaries(st.text(max_size=6), kids, max_size=4)),
                           max_leaves=20)


class Big:
    """A number of `digits` digits, written into JSON text as such (json.dumps refuses ints over 4300 digits)."""

    def __init__(self, digits: int):
        self.digits = digits


def dumps(value: Any) -> str:
    text = json.dumps(value, default=lambda o: f"@@BIG{o.digits}@@")
    return re.sub(r'"@@BIG(\d+)@@"', lambda m: "9" * int(m.group(1)), text)


big_numbers = st.integers(19, 6000).map(Big)


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


# The properties run as many examples as the Hypothesis profile asks (conftest: 60 under HYPOTHESIS_PROFILE=ci,
# 30 otherwise), but the two that load or play a whole case per example, which are capped at 25 to keep the
# suite fast (about 0.35 s an example).
hostile_json_text = st.one_of(
    json_values.map(json.dumps),
    st.integers(1, 3000).map(lambda n: json.dumps(nested(min(n, 900))) if n < 900 else "[" * n + "]" * n),
    st.integers(19, 6000).map(lambda n: "9" * n),
    st.sampled_from(["NaN", "-Infinity", '"\\ud800"', '{"a": "\\udfff"}', "1e400", "-0", "[", ""]),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(line=hostile_json_text, where=st.sampled_from(["entry", "params", "at", "seed", "wall"]))
def test_property_replay_of_any_journal_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             good_journal: list[dict[str, Any]], line: str, where: str) -> None:
    head = json.dumps(good_journal[0])
    if where == "entry":
        text = head + "\n" + line + "\n"
    elif where == "seed":
        text = head.replace('"seed": 0', f'"seed": {line or 0}') + "\n"
    else:
        entry = json.dumps({**good_journal[1], where: "@@"}).replace('"@@"', line or "0")
        text = head + "\n" + entry + "\n"
    path = tmp_path / "p.jsonl"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, out, err = timed_cli(capsys, "replay", path, "--json")
    assert code in (0, 1, 2), err
    # What the UI's resume offer does with the same file: it catches ReplayError only (tui/app.py), so resume
    # must raise nothing else, and agree with replay on whether the journal can be used.
    try:
        resume(library().scenarios[CASE_ID], path).close()
        resumed = True
    except ReplayError:
        resumed = False
    assert resumed == (code != 2), (code, err)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(value=json_values | st.integers(1, 300).map(nested) | big_numbers,
       field=st.sampled_from(["at", "officers", "amount", "document", "do", "advance", "words", "evidence"]))
def test_property_steps_files_with_any_value(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: Any,
                                             field: str) -> None:
    step: dict[str, Any] = {"do": "inspect", "at": "2026-07-06T09:40"}
    if field == "advance":
        step = {"advance": value}
    else:
        step[field] = value
    path = tmp_path / "s.json"
    path.write_text(dumps([step]), encoding="utf-8")
    code, out, err = timed_cli(capsys, "run", CASE_ID, "--steps", path, "--json")
    assert code in (0, 1, 2), err
    if code == 0:
        json.loads(out)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(value=json_values | st.integers(1, 300).map(nested) | big_numbers,
       field=st.sampled_from(["id", "discovered", "party", "facts", "events", "evidence", "difficulty",
                              "procedure", "phrases"]))
def test_property_case_files_with_any_value(tmp_path: Path, value: Any, field: str) -> None:
    """Any YAML value in any case field: load_library never raises, and the bad file is an error with a line."""
    text = CASE.read_text(encoding="utf-8")
    dumped = dumps(value)  # JSON is YAML: the value as an author could write it
    if re.search(rf"^{field}:", text, flags=re.M):
        text = re.sub(rf"^{field}:.*$", lambda _m: f"{field}: {dumped}", text, count=1, flags=re.M)
    else:
        text += f"\n{field}: {dumped}\n"
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.process_time()
    lib = load_library([path])
    assert time.process_time() - start < FAST
    assert lib.scenarios or all(e.line >= 0 and re.search(r"[\u4e00-\u9fff]", e.message) for e in lib.errors)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(text=hostile_json_text)
def test_property_bundles_of_any_content(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    make_contest(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / "x.bundle.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    code, out, err = timed_cli(capsys, "contest", "import", tmp_path / "cup.yaml", inbox, "--home", tmp_path / "h")
    assert code in (1, 2), out + err
    assert "拒绝 1 份" in out


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(value=json_values | st.integers(1, 300).map(nested) | big_numbers,
       field=st.sampled_from(["contest", "rounds", "roster", "tiebreak", "divisions", "key_file"]))
def test_property_contest_files_with_any_value(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: Any,
                                               field: str) -> None:
    make_contest(tmp_path)
    path = tmp_path / "cup.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc[field] = "@@"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True).replace("'@@'", dumps(value)), encoding="utf-8")
    code, out, err = timed_cli(capsys, "contest", "check", path)
    assert code in (0, 1, 2), out + err


@given(text=hostile_json_text)
def test_property_bounded_json_parser(text: str) -> None:
    try:
        loads_json(text)
    except BoundsError as exc:
        assert re.search(r"[\u4e00-\u9fff]", str(exc))


def test_steps_loader_rejects_values_beyond_the_limits(tmp_path: Path) -> None:
    sc = library().scenarios[CASE_ID]
    path = steps_file(tmp_path, '- {do: inspect, at: "2026-07-06", amount: ' + "9" * 40 + "}\n")
    with pytest.raises(StepsError, match="过大"):
        load_steps(path, sc)
