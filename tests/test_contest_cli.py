"""`lawdrill contest …` on the command line: check, import (exit 1 on any rejection), standings, export,
report; bad input is a Chinese message and exit 2, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim.contest import write_bundle
from tui.cli import main

from contest_support import OPENS, contest_doc, library, load_doc, make_contest, play, resign, write_contest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "contests" / "township-winter-2026.yaml"


def run_cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_check_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "contest", "check", EXAMPLE)
    assert code == 0, err
    assert "2026年冬季乡镇综合行政执法大比武" in out and "检查通过：2 轮，8 人" in out
    assert "20261123" in out and "90 分钟" in out
    assert "本文件的轮次时间相对于读取当天" in out  # the example's windows follow the calendar


def test_check_reports_problems_with_positions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = contest_doc()
    doc["rounds"][0]["cases"] = ["no-such-case"]
    doc["roster"][1]["id"] = "A1"
    path = write_contest(tmp_path, doc)
    code, out, _ = run_cli(capsys, "contest", "check", path)
    assert code == 1
    lines = out.splitlines()
    assert any(re.match(rf"{re.escape(str(path))}:\d+:\d+: 轮次「r1」的案例「no-such-case」不在案例库中", x) for x in lines)
    assert any("参赛人员编号「A1」重复" in x for x in lines) and lines[-1] == "检查未通过：2 处错误。"


def test_literal_key_is_accepted_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = contest_doc()
    doc.pop("key_file")
    doc["key"] = "a-literal-key-that-is-long-enough"
    code, out, _ = run_cli(capsys, "contest", "check", write_contest(tmp_path, doc))
    assert code == 0 and "（警告）" in out and "key_file" in out


def test_import_standings_export_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contest = make_contest(tmp_path)
    cfile = tmp_path / "cup.yaml"
    journal = play("straw-burning-01", tmp_path / "a1.jsonl")
    good = write_bundle(contest, "r1", "A1", "straw-burning-01", journal, tmp_path / "inbox", library=library())
    write_bundle(contest, "r1", "B1", "straw-burning-01",
                         play("straw-burning-01", tmp_path / "b1.jsonl", path="同日告知同日决定",
                              start=OPENS + dt.timedelta(minutes=7)), tmp_path / "inbox", library=library())
    doc = load_doc(good)
    doc["payload"]["reported"]["score"] = 99
    doc["payload"]["bundle_id"] = "a" * 32
    forged = resign(tmp_path / "forged.bundle.json", doc)
    home = tmp_path / "home"

    code, out, _ = run_cli(capsys, "contest", "import", cfile, tmp_path / "inbox", forged, "--home", home,
                           "--json")
    assert code == 1  # one rejected
    res = json.loads(out)
    assert (res["imported"], res["rejected"]) == (2, 1)
    bad = [o for o in res["outcomes"] if not o["ok"]]
    assert bad[0]["code"] == "tampered" and "重新评分" in bad[0]["message"]

    code, out, _ = run_cli(capsys, "contest", "import", cfile, good, "--home", home)
    assert code == 0 and "= " in out and "已导入过" in out and "导入 0 份，此前已导入 1 份，拒绝 0 份。" in out

    # Re-importing the whole inbox is idempotent: reported as already stored, exit 0.
    code, out, _ = run_cli(capsys, "contest", "import", cfile, tmp_path / "inbox", "--home", home, "--json")
    res = json.loads(out)
    assert code == 0 and (res["imported"], res["already_stored"], res["rejected"]) == (0, 2, 0)

    code, out, _ = run_cli(capsys, "contest", "standings", cfile, "--home", home, "--json")
    assert code == 0
    board = json.loads(out)["standings"]
    assert [(s["rank"], s["id"], s["score"], s["division_name"]) for s in board] == [
        (1, "A1", 100, "东片"), (2, "B1", 45, "西片")]  # B1: decided inside the window (15), left open (40)

    code, out, _ = run_cli(capsys, "contest", "standings", cfile, "--home", home, "--division", "west")
    assert code == 0 and "赵四" in out and "张一" not in out and "名次" in out

    code, out, _ = run_cli(capsys, "contest", "export", cfile, "--home", home, "--format", "html", "-o",
                           tmp_path / "board.html")
    assert code == 0 and "张一" in (tmp_path / "board.html").read_text(encoding="utf-8")

    code, out, _ = run_cli(capsys, "contest", "report", cfile, "--home", home)
    assert code == 0
    assert "| 城关镇 | 东片 | 2 | 1 | 50.0% | 1 | 100.0 | 100.0% | — |" in out
    assert "决定" in out.split("## 违反最多的规则")[1]  # decided-inside-defence-window, with its title

    code, _, err = run_cli(capsys, "contest", "report", cfile, "--home", home, "--format", "xlsx")
    assert code == 2 and "-o" in err


@pytest.mark.parametrize("args, needle", [
    (["contest", "standings", "missing.yaml"], "找不到比武文件"),
    (["contest", "standings", "{cup}", "--round", "r9"], "没有轮次「r9」"),
    (["contest", "standings", "{cup}", "--division", "north"], "没有组别「north」"),
    (["contest", "import", "{cup}", "nothing-here.bundle.json"], "找不到成绩包"),
    (["contest", "standings", "{cup}", "--store", "mysql://x/y"], "只支持 SQLite 与 PostgreSQL"),
    (["contest", "export", "{cup}", "--format", "pdf", "-o", "x"], "pdf"),
    (["contest", "standings", "{bad}"], "比武文件有错误"),
    (["contest", "run", "missing.yaml", "--as", "A1"], "找不到比武文件：missing.yaml"),
    (["contest", "run", "{bad}", "--as", "A1"], "比武文件有错误"),
    (["contest", "board", "missing.yaml"], "找不到比武文件：missing.yaml"),
    (["contest", "board", "{cup}", "--round", "r9"], "没有编号为「r9」的一轮"),
    (["contest", "board", "{cup}", "--store", "postgresql+pg8000://u@localhost/db"], "缺少数据库驱动 pg8000"),
    (["contest"], "缺少子命令"),
])
def test_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                           needle: str) -> None:
    cup = write_contest(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("contest: {id: x}\n", encoding="utf-8")
    code, out, err = run_cli(capsys, *[a.format(cup=cup, bad=bad) for a in args], *(
        ["--home", str(tmp_path / "home")] if args[1:2] == ["standings"] else []))
    assert code == 2, out + err
    assert needle in err and "Traceback" not in err


def test_contest_commands_do_not_import_the_ui(tmp_path: Path) -> None:
    cup = write_contest(tmp_path)
    code = f"""
import contextlib, io, json, sys
from tui.cli import main
sink = io.StringIO()
with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
    codes = [main(["contest", "check", {str(cup)!r}]),
             main(["contest", "standings", {str(cup)!r}, "--home", {str(tmp_path / 'home')!r}])]
ui = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
print(json.dumps({{"codes": codes, "ui": ui}}))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"codes": [0, 0], "ui": []}


@pytest.mark.parametrize("command, needle", [
    (["run", "--as", "A1"], "无法打开比武界面"),
    (["board"], "无法打开排行榜界面"),
])
def test_ui_commands_without_a_terminal_exit_2(tmp_path: Path, command: list[str], needle: str) -> None:
    """`lawdrill contest board C </dev/null >file` (cron, a pipe): a Chinese message and exit 2, not escape
    codes written into the file and a UI waiting for keys that never come."""
    cup = write_contest(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LAWDRILL_HOME": str(tmp_path / "home")}
    out = tmp_path / "out.txt"
    with out.open("w", encoding="utf-8") as sink:
        proc = subprocess.run([sys.executable, "-m", "tui", "contest", command[0], str(cup), *command[1:]],
                              stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.PIPE, text=True,
                              encoding="utf-8", env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert f"当前不是交互式终端，{needle}" in proc.stderr and "Traceback" not in proc.stderr
    assert out.read_text("utf-8") == ""
    if command[0] == "board":
        assert f"lawdrill contest standings {cup}" in proc.stderr


def test_collection_and_per_case_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Who has handed in what, per township; the standings' per-case columns with their legend."""
    contest = make_contest(tmp_path)
    cfile = tmp_path / "cup.yaml"
    inbox = tmp_path / "inbox"
    write_bundle(contest, "r1", "A1", "straw-burning-01", play("straw-burning-01", tmp_path / "1.jsonl"), inbox,
                 library=library())
    write_bundle(contest, "r1", "A1", "fire-lane-01",
                 play("fire-lane-01", tmp_path / "2.jsonl", start=OPENS + dt.timedelta(minutes=30)), inbox,
                 library=library())
    write_bundle(contest, "r1", "A3", "fire-lane-01",
                 play("fire-lane-01", tmp_path / "3.jsonl", start=OPENS + dt.timedelta(minutes=9)), inbox,
                 library=library())
    home = tmp_path / "home"
    assert run_cli(capsys, "contest", "import", cfile, inbox, "--home", home)[0] == 0

    code, out, _ = run_cli(capsys, "contest", "collection", cfile, "--round", "r1", "--home", home)
    straw = library().scenario("straw-burning-01").title
    assert code == 0
    assert "城关镇（东片）：2 人，已交齐 1，未交齐 0，未交卷 1" in out
    assert "✓ A1 张一　已交齐 2/2" in out and "✗ A2 王二　未交卷 0/2" in out
    assert f"△ A3 李三　未交齐 1/2，缺：{straw}" in out
    assert "合计 4 人：已交齐 1 人，未交齐 1 人，未交卷 2 人。" in out

    code, out, _ = run_cli(capsys, "contest", "collection", cfile, "--round", "r1", "--home", home, "--missing",
                           "--township", "城关镇")
    assert code == 0 and "A2 王二" in out and "A1 张一" not in out and "李三" not in out

    code, out, _ = run_cli(capsys, "contest", "collection", cfile, "--round", "r1", "--home", home, "--json")
    data = json.loads(out)
    assert data["counts"] == {"complete": 1, "partial": 1, "none": 2}
    a3 = next(p for t in data["townships"] for p in t["people"] if p["id"] == "A3")
    assert (a3["state"], a3["missing"]) == ("partial", ["straw-burning-01"])

    code, _, err = run_cli(capsys, "contest", "collection", cfile, "--township", "桃源乡", "--home", home)
    assert code == 2 and "名单中没有乡镇「桃源乡」" in err

    code, out, _ = run_cli(capsys, "contest", "standings", cfile, "--round", "r1", "--home", home)
    assert code == 0
    head = next(line for line in out.splitlines() if line.startswith("名次"))
    assert head.split() == ["名次", "编号", "姓名", "乡镇（单位）", "组别", "总分", "否决项", "用时", "最后交卷",
                            "完成案例", "第1案", "第2案"]
    a3_line = next(line for line in out.splitlines() if "李三" in line)
    assert a3_line.split()[-2:] == ["—", "100"]
    assert f"第1案：{straw}（第一轮）" in out

    code, out, _ = run_cli(capsys, "contest", "standings", cfile, "--round", "r1", "--home", home, "--json")
    a1 = next(s for s in json.loads(out)["standings"] if s["id"] == "A1")
    assert [c["case"] for c in a1["cases"]] == ["straw-burning-01", "fire-lane-01"] and a1["wall_time"].endswith("秒")


def test_web_board_on_a_busy_port_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    cup = write_contest(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, _, err = run_cli(capsys, "contest", "board", cup, "--web", "--port", port, "--home",
                               tmp_path / "home")
    assert code == 2 and f"无法在 127.0.0.1:{port} 启动网页排行榜" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "contest", "board", cup, "--web", "--port", "70000")
    assert code == 2 and "端口 70000 无效" in err
