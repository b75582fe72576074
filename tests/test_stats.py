"""Weak-spot statistics: the store's township column (with its migration) and `lawdrill stats`."""

from __future__ import annotations

import json
import sqlite3

import pytest

from sim import load_library
from sim.selftest import play
from sim.store import Store
from sim.weakspots import weak_spots
from tui.cli import main

CASE = "straw-burning-01"

OLD_SCHEMA = """
CREATE TABLE attempts (
    id TEXT PRIMARY KEY, trainee TEXT NOT NULL, scenario TEXT NOT NULL, title TEXT NOT NULL,
    content_hash TEXT NOT NULL, mode TEXT NOT NULL, seed INTEGER NOT NULL, journal TEXT NOT NULL,
    started REAL NOT NULL, finished REAL, status TEXT NOT NULL DEFAULT 'open', score INTEGER, passed INTEGER,
    grade TEXT, rules TEXT
);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO attempts VALUES ('old-1', '李华', 'straw-burning-01', '麦收期间露天焚烧秸秆', 'h', 'exam', 0, 'j.jsonl',
    1.0, 2.0, 'finished', 60, 1, '合格', '["uncertified-officer"]');
"""


@pytest.fixture(scope="module")
def library():
    return load_library()


def seed_store(home, library) -> dict[str, list[str]]:
    """Three finished attempts: two at 城关镇 (a trap, then the reference path), one at 河口乡 (the trap).
    Returns the rules each attempt broke."""
    sc = library.scenarios[CASE]
    trap = next(t for t in sc.traps if "uncertified-officer" in (t.expect_findings or ()))
    store = Store(home)
    broken = {}
    for i, (test, township, trainee) in enumerate(
            [(trap, "城关镇", "王小明"), (sc.references[0], "城关镇", "王小明"), (trap, "河口乡", "李华")]):
        session, _ = play(sc, test)
        store.start(f"a{i}", trainee=trainee, scenario=sc.id, title=sc.title, content_hash=sc.content_hash,
                    mode="exam", seed=0, journal=home / f"a{i}.jsonl", started=float(i), township=township)
        store.finish(f"a{i}", session.result, float(i) + 0.5)
        broken[f"a{i}"] = sorted(set(session.result.rule_ids()))
    store.close()
    return broken


def test_old_store_gets_the_township_column(tmp_path):
    db = sqlite3.connect(tmp_path / "lawdrill.sqlite3")
    db.executescript(OLD_SCHEMA)
    db.commit()
    db.close()
    store = Store(tmp_path)
    [old] = store.history()
    assert (old.id, old.township, old.rules) == ("old-1", "", ("uncertified-officer",))
    store.start("new-1", trainee="李华", scenario=CASE, title="t", content_hash="h", mode="exam", seed=0,
                journal=tmp_path / "n.jsonl", started=3.0, township="河口乡")
    assert store.get_attempt("new-1").township == "河口乡"
    store.close()
    Store(tmp_path).close()  # opening a migrated store again changes nothing
    db = sqlite3.connect(tmp_path / "lawdrill.sqlite3")
    cols = [r[1] for r in db.execute("PRAGMA table_info(attempts)")]
    db.close()
    assert cols.count("township") == 1


def test_weak_spots_count_attempts_per_rule_and_group(tmp_path, library):
    broken = seed_store(tmp_path, library)
    trap_rules = broken["a0"]
    assert trap_rules and broken["a1"] == []
    store = Store(tmp_path)
    overall = weak_spots(store, library)
    assert {w.rule: (w.count, w.attempts) for w in overall} == {r: (2, 3) for r in trap_rules}
    by_town = weak_spots(store, library, "township")
    assert {(w.group, w.rule): (w.count, w.attempts) for w in by_town} == {
        **{("城关镇", r): (1, 2) for r in trap_rules}, **{("河口乡", r): (1, 1) for r in trap_rules}}
    assert by_town[0].group == "城关镇"  # the group with more attempts first
    rule = library.scenarios[CASE].procedure.rule(trap_rules[0])
    w = next(w for w in overall if w.rule == rule.id)
    assert w.title == rule.title and w.citations.startswith("《") and round(w.share, 2) == 0.67
    assert {w.rule for w in weak_spots(store, library, trainee="李华")} == set(trap_rules)
    store.close()


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_stats_text_and_json(capsys, tmp_path, library):
    broken = seed_store(tmp_path, library)
    code, out, _ = run(capsys, "stats", "--home", tmp_path)
    assert code == 0 and "已完成的演练共 3 次" in out
    first = library.scenarios[CASE].procedure.rule(broken["a0"][0])
    line = next(ln for ln in out.splitlines() if ln.startswith(first.id))
    assert first.title in line and line.split()[-2:] == ["2", "67%"]
    code, out, _ = run(capsys, "stats", "--home", tmp_path, "--by", "township", "--json")
    data = json.loads(out)
    assert code == 0 and data["attempts"] == 3 and data["groups"] == {"城关镇": 2, "河口乡": 1}
    assert {(r["group"], r["count"], r["attempts"]) for r in data["rules"]} == {("城关镇", 1, 2), ("河口乡", 1, 1)}
    code, out, _ = run(capsys, "stats", "--home", tmp_path, "--by", "case")
    assert code == 0 and "■ 麦收期间露天焚烧秸秆（演练 3 次）" in out


def test_cli_stats_empty_and_bad_input(capsys, tmp_path):
    code, out, _ = run(capsys, "stats", "--home", tmp_path)
    assert code == 0 and "还没有已完成的演练" in out
    code, _, err = run(capsys, "stats", "--home", tmp_path / "missing")
    assert code == 2 and "找不到学习记录目录" in err
    code, _, err = run(capsys, "stats", "--by", "village")
    assert code == 2 and "village" in err


def test_cli_trainer_without_a_terminal_and_with_a_bad_path(capsys, tmp_path):
    code, _, err = run(capsys, "trainer", tmp_path / "missing")
    assert code == 2 and "找不到案例库路径" in err
    code, _, err = run(capsys, "trainer")  # pytest captures stdout: no terminal to draw on
    assert code == 2 and "无法打开教员界面" in err and "lawdrill check" in err
    code, out, _ = run(capsys, "-h")
    assert code == 0 and all(c in out for c in ("graph", "stats", "trainer"))
