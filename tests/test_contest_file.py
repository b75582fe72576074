"""Contest files: the shipped example loads; every mistake is reported with file:line and a Chinese reason."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sim.contest import ContestError, load_contest
from sim.contest.model import CST

from contest_support import FREEZE, OPENS, contest_doc, library, write_contest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "contests" / "township-winter-2026.yaml"


def test_example_contest_loads() -> None:
    c = load_contest(EXAMPLE, library=library())
    assert c.id == "township-winter-2026"
    assert [r.kind for r in c.rounds] == ["play", "review"]
    assert all(case in library().scenarios for r in c.rounds for case, _trap in r.items())
    assert len(c.key) >= 16 and not c.warnings
    # Divisions come from the township when the roster does not name one.
    assert {p.division for p in c.roster} == {"east", "west"}


def test_contest_api(tmp_path: Path) -> None:
    c = load_contest(write_contest(tmp_path), library=library())
    r1 = c.round("r1")
    assert r1 is not None and r1.time_limit == dt.timedelta(minutes=60) and r1.freeze == FREEZE
    assert c.round_at(OPENS + dt.timedelta(minutes=1)) is r1
    # A naive time is Beijing time: 09:30 naive is inside the 09:00-12:00 (UTC+8) window, 02:00 UTC is 10:00.
    assert c.round_at(dt.datetime(2026, 12, 1, 9, 30)) is r1
    assert c.round_at(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.timezone.utc)) is r1
    assert c.round_at(dt.datetime(2026, 12, 1, 13, 0, tzinfo=CST)) is None
    assert c.round("r2").cases == ("straw-burning-01#协管员一人现场检查",)
    assert c.contestant("A1").division == "east" and c.contestant("B1").division == "west"
    assert c.contestant("nobody") is None


def _problems(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    path = write_contest(tmp_path, doc)
    with pytest.raises(ContestError) as info:
        load_contest(path, library=library())
    return [f"{Path(p.file).name}:{p.line}: {p.message}" for p in info.value.problems]


def _line_of(tmp_path: Path, needle: str) -> int:
    lines = (tmp_path / "cup.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_unknown_case_names_its_line(tmp_path: Path) -> None:
    doc = contest_doc()
    doc["rounds"][0]["cases"] = ["straw-burning-01", "no-such-case"]
    found = _problems(tmp_path, doc)
    assert found == [f"cup.yaml:{_line_of(tmp_path, 'no-such-case')}: 第一轮的案例「no-such-case」不在案例库中"
                     .replace("第一轮", "轮次「r1」")]


def test_duplicate_roster_id(tmp_path: Path) -> None:
    doc = contest_doc()
    doc["roster"].append({"id": "A1", "name": "重名", "township": "城关镇"})
    found = _problems(tmp_path, doc)
    assert len(found) == 1 and "参赛人员编号「A1」重复" in found[0]
    # The second "id: A1" (the line above the duplicate's name) is where the problem is.
    assert found[0].startswith(f"cup.yaml:{_line_of(tmp_path, '重名') - 1}:")


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d["rounds"][0].update(closes=d["rounds"][0]["opens"]), "结束时间（closes）必须晚于开始时间"),
    (lambda d: d["rounds"][0].update(freeze="2026-12-02T09:00:00+08:00"), "封榜时间（freeze）应在开始"),
    (lambda d: d["rounds"][0].update(time_limit="5 hours"), "答题时限（time_limit）长于整个开放时段"),
    (lambda d: d["rounds"][0].update(time_limit="soon"), "应写成分钟或小时"),
    (lambda d: d["rounds"][1].update(opens="2026-12-01T10:00:00+08:00"), "重叠"),
    (lambda d: d["rounds"][0].update(kind="essay"), "kind「essay」无效"),
    (lambda d: d["rounds"][0].update(kind="quiz"), "试卷由本轮 seed 从题库抽取"),
    (lambda d: d["rounds"][0].pop("seed"), "缺少「seed」"),
    (lambda d: d.update(tiebreak=["score", "luck"]), "排名依据「luck」无效"),
    (lambda d: d["rounds"][1].update(cases=["straw-burning-01"]), "评查轮（review）"),
    (lambda d: d["rounds"][1].update(cases=[{"case": "straw-burning-01", "trap": "不存在的陷阱"}]), "没有名为「不存在的陷阱」"),
    (lambda d: d["roster"][0].update(division="north"), "组别「north」未在 divisions 中定义"),
    (lambda d: d["roster"][0].update(id="张 一"), "只能由字母、数字"),
    (lambda d: d.update(colour="red"), "未知的键「colour」"),
    (lambda d: d.pop("key_file"), "缺少比武密钥"),
    (lambda d: d.update(key_env="LAWDRILL_TEST_NO_SUCH_VAR"), "同时写了"),
])
def test_mistakes_are_reported_with_a_line(tmp_path: Path, edit: Any, expected: str) -> None:
    doc = copy.deepcopy(contest_doc())
    edit(doc)
    found = _problems(tmp_path, doc)
    assert any(expected in f for f in found), found
    assert all(int(f.split(":")[1]) > 0 for f in found), found


def test_key_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = contest_doc()
    doc.pop("key_file")
    found = _problems(tmp_path, dict(doc, key_env="LAWDRILL_TEST_CONTEST_KEY"))
    assert "环境变量 LAWDRILL_TEST_CONTEST_KEY 未设置" in found[0]
    monkeypatch.setenv("LAWDRILL_TEST_CONTEST_KEY", "k" * 32)
    path = write_contest(tmp_path, dict(doc, key_env="LAWDRILL_TEST_CONTEST_KEY"))
    c = load_contest(path, library=library())
    assert c.key == b"k" * 32 and not c.warnings
    assert "密钥太短" in _problems(tmp_path, dict(doc, key="short"))[0]
    c = load_contest(write_contest(tmp_path, dict(doc, key="x" * 40)), library=library())
    assert c.key == b"x" * 40 and "泄露" in c.warnings[0].message


def test_yaml_syntax_error_has_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("contest:\n  id: x\n  name: [unclosed\nrounds: []\n", encoding="utf-8")
    with pytest.raises(ContestError) as info:
        load_contest(path, library=library())
    p = info.value.problems[0]
    assert p.file == str(path) and p.line >= 3 and "YAML" in p.message


def test_relative_windows_count_from_the_day_read(tmp_path: Path) -> None:
    doc = contest_doc()
    doc["rounds"][0].update(opens="today-3 08:00", closes="today+4 18:00", freeze="today+4 12:00")
    doc["rounds"][1].update(opens="today+11 09:00", closes="today + 11d 11:00")
    path = write_contest(tmp_path, doc)
    c = load_contest(path, library=library(), today=dt.date(2031, 7, 1))
    r1, r2 = c.rounds
    assert (r1.opens, r1.closes) == (dt.datetime(2031, 6, 28, 8, 0, tzinfo=CST),
                                     dt.datetime(2031, 7, 5, 18, 0, tzinfo=CST))
    assert r2.closes == dt.datetime(2031, 7, 12, 11, 0, tzinfo=CST) and c.relative_to == dt.date(2031, 7, 1)
    assert c.round_at(dt.datetime(2031, 7, 1, 12, 0)) == r1
    # A file with dates only says so.
    (tmp_path / "fixed").mkdir()
    assert load_contest(write_contest(tmp_path / "fixed"), library=library()).relative_to is None


@pytest.mark.parametrize("raw", ["today+x 08:00", "today 25:00", "today+7 18:61", "tomorrow", "today*2"])
def test_bad_relative_times_are_reported(tmp_path: Path, raw: str) -> None:
    doc = contest_doc()
    doc["rounds"][0]["opens"] = raw
    found = _problems(tmp_path, doc)
    assert any("opens" in f and ("相对时间" in f or "不是有效的时间" in f) for f in found), found


@pytest.mark.parametrize("today", [dt.date(2027, 2, 11), dt.date(2031, 7, 1), dt.date(2099, 12, 28), None])
def test_example_contest_runs_on_any_day(tmp_path: Path, today: dt.date | None) -> None:
    """The README's flow on the example, whatever the date: the preliminary is open today, a case played
    today imports and ranks, and the final lies ahead (None: the real today)."""
    from sim.contest import ContestStore, write_bundle

    from contest_support import play

    c = load_contest(EXAMPLE, library=library(), today=today)
    day = c.relative_to
    assert day is not None and (today is None or day == today)
    noon = dt.datetime.combine(day, dt.time(12, 0), tzinfo=CST)
    prelim = c.round_at(noon)
    assert prelim is not None and prelim.id == "prelim"
    assert c.round("review").opens > prelim.closes > noon
    journal = play("straw-burning-01", tmp_path / "a01.jsonl", seed=prelim.seed, start=noon)
    bundle = write_bundle(c, "prelim", "A01", "straw-burning-01", journal, tmp_path / "out", library=library())
    with ContestStore.open(None, home=tmp_path / "home") as store:
        assert [o.code for o in store.import_bundles(c, library(), [bundle])] == ["ok"]
        assert [(s.contestant_id, s.score) for s in store.standings(c)] == [("A01", 100)]
