"""The engine and the non-UI commands never import Textual or Rich (style.md, items 1 and 7).

Each check runs in a fresh interpreter: in this process pytest-textual-snapshot has long since imported both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CASE_FILE = ROOT / "scenarios" / "cases" / "straw-burning-01.yaml"

UI_PACKAGES = ("textual", "rich")


def _run(code: str, tmp_path: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          encoding="utf-8", cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_sim_does_not_import_ui(tmp_path: Path) -> None:
    found = _run(f"""
        import json, sys
        import sim
        import sim.calendar, sim.loader, sim.session, sim.scoring, sim.selftest, sim.journal
        lib = sim.load_library()
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {UI_PACKAGES!r})))
    """, tmp_path)
    assert found == []


def test_cli_commands_do_not_import_ui(tmp_path: Path) -> None:
    steps = tmp_path / "steps.yaml"
    reference = yaml.safe_load(CASE_FILE.read_text(encoding="utf-8"))["reference"][0]["steps"]
    steps.write_text(yaml.safe_dump(reference, allow_unicode=True), encoding="utf-8")
    journal = tmp_path / "j.jsonl"
    found = _run(f"""
        import contextlib, io, json, sys
        import sim
        from tui.cli import main

        commands = [
            ["check", "-q", {str(CASE_FILE)!r}],
            ["deadline", "2026-09-30", "--working-days", "3"],
            ["deadline", "2026-09-30", "--days", "10", "--json"],
            ["run", "straw-burning-01", "--steps", {str(steps)!r}, "--journal", {str(journal)!r}],
            ["replay", {str(journal)!r}],
            ["rules"],
            ["cases"],
            ["deadline", "not-a-date", "--days", "1"],
        ]
        codes = []
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            for args in commands:
                codes.append(main(args))
        ui = sorted(m for m in sys.modules if m.split(".")[0] in {UI_PACKAGES!r})
        print(json.dumps({{"codes": codes, "ui": ui}}))
    """, tmp_path)
    # check may legitimately report problems in the library (exit 1); it must not crash (3).
    assert found["codes"][0] in (0, 1)
    assert found["codes"][1:] == [0, 0, 0, 0, 0, 0, 2]
    assert found["ui"] == []


def test_cli_module_imports_only_the_standard_library_at_top(tmp_path: Path) -> None:
    """Importing tui.cli alone loads no engine module: each command imports what it needs."""
    found = _run("""
        import json, sys
        import tui.cli
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("sim", "textual", "rich", "yaml"))))
    """, tmp_path)
    assert found == []
