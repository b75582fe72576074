"""The check-result cache (sim.cache) through `lawdrill check`: a re-check prints exactly what a full check
prints; an edit re-checks the edited case only; a corrupt, planted or unwritable cache changes nothing;
`--no-cache` bypasses it."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

import sim
import tui.cli.check
from sim.cache import ResultCache, case_check_key
from tui.cli import main

CASE = "straw-burning-01"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("LAWDRILL_CACHE_DIR", str(folder))
    monkeypatch.delenv("LAWDRILL_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of the bundled library holding three cases (the law and templates come as the bundled base)."""
    dest = tmp_path / "lib"
    (dest / "cases").mkdir(parents=True)
    for name in (CASE, "fire-lane-01", "spot-watermelon-stall-01"):
        shutil.copy(sim.bundled_scenarios() / "cases" / f"{name}.yaml", dest / "cases")
    return dest


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the cases whose self-tests actually ran."""
    seen: list[str] = []
    real = tui.cli.check._selftests

    def counting(sc):
        seen.append(sc.id)
        return real(sc)

    monkeypatch.setattr(tui.cli.check, "_selftests", counting)
    return seen


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *map(str, args)])
    out, _ = capsys.readouterr()
    return code, out


def test_a_recheck_prints_the_same_report_without_checking_again(cache_dir, library, checked, capsys) -> None:
    first = check(capsys, library)
    assert sorted(checked) == sorted([CASE, "fire-lane-01", "spot-watermelon-stall-01"])
    checked.clear()
    assert check(capsys, library) == first
    assert checked == []
    assert check(capsys, library, "--json") == check(capsys, library, "--json", "--no-cache")
    assert first[0] == 0 and "检查通过" in first[1]


def test_an_edit_rechecks_only_the_edited_case(cache_dir, library, checked, capsys) -> None:
    check(capsys, library)
    checked.clear()
    case_file = library / "cases" / f"{CASE}.yaml"
    text = case_file.read_text(encoding="utf-8")
    case_file.write_text(text.replace("\ntitle: ", "\ntitle: 修改后的", 1), encoding="utf-8")
    code, out = check(capsys, library)
    assert checked == [CASE]
    assert (code, out) == check(capsys, library, "--no-cache")
    assert "修改后的" in out


def test_an_edit_that_breaks_a_self_test_is_reported(cache_dir, library, capsys) -> None:
    assert check(capsys, library)[0] == 0
    case_file = library / "cases" / f"{CASE}.yaml"
    text = case_file.read_text(encoding="utf-8")
    # Any change that makes a reference path lose points must show, whatever was cached before.
    broken = text.replace("expect: {score: 100, state: closed}", "expect: {score: 99, state: closed}", 1)
    assert broken != text
    case_file.write_text(broken, encoding="utf-8")
    code, out = check(capsys, library)
    assert code == 1 and "期望得分 99" in out


def test_corrupt_or_planted_entries_are_misses(cache_dir, library, checked, capsys) -> None:
    want = check(capsys, library)
    entries = [p for p in cache_dir.rglob("*.pickle")]
    assert entries
    planted = pickle.dumps((("x", "y", "z"), os.system))  # a global outside the allowed result classes
    for i, p in enumerate(entries):
        p.write_bytes(b"\x80\x05garbage" if i % 3 == 0 else planted if i % 3 == 1 else b"")
    checked.clear()
    assert check(capsys, library) == want
    assert sorted(checked) == sorted([CASE, "fire-lane-01", "spot-watermelon-stall-01"])


def test_an_entry_under_another_key_is_a_miss(cache_dir) -> None:
    lib = sim.load_library()
    sc = lib.scenarios[CASE]
    cache = ResultCache()
    key = case_check_key(lib, sc, False)
    cache.put("case-check", key, "stored")
    assert cache.get("case-check", key) == "stored"
    other = case_check_key(lib, sc, True)
    assert other != key
    (cache.folder / "case-check" / f"{key}.pickle").rename(cache.folder / "case-check" / f"{other}.pickle")
    assert cache.get("case-check", other) is None


def test_an_unwritable_cache_is_no_cache(tmp_path, library, monkeypatch, capsys) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("LAWDRILL_CACHE_DIR", str(blocker))
    monkeypatch.delenv("LAWDRILL_NO_CACHE", raising=False)
    first = check(capsys, library)
    assert first[0] == 0
    assert check(capsys, library) == first


def test_no_cache_option_and_environment_bypass_it(cache_dir, library, checked, capsys, monkeypatch) -> None:
    check(capsys, library)
    checked.clear()
    check(capsys, library, "--no-cache")
    assert len(checked) == 3
    checked.clear()
    monkeypatch.setenv("LAWDRILL_NO_CACHE", "1")
    check(capsys, library)
    assert len(checked) == 3
