"""`lawdrill contest pack`: the offline pack loads on its own (same key, same case content hashes), a bundle
played from the pack imports into the organiser's store, the zip holds the same files, the manifest's
digests are right, and bad output paths or wheel folders are refused with a message."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest

from sim.contest import ContestStore, load_contest, write_bundle
from sim.contest.model import CST
from sim.contest.pack import PackError, set_top_key, pack_contest
from sim.loader import load_library
from tui.cli import main

from contest_support import OPENS, contest_doc, library, make_contest, play, write_contest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "contests" / "township-winter-2026.yaml"


def test_pack_of_the_example_plays_and_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    today = dt.datetime.now(CST).date()
    home = ["--home", str(tmp_path / "home")]
    assert main(["contest", "pack", str(EXAMPLE), "-o", str(tmp_path / "nocodes"), *home]) == 2
    assert "没有本次比武的签到码" in capsys.readouterr().err  # a room without codes could not sign in
    slips = tmp_path / "slips.html"
    assert main(["contest", "codes", str(EXAMPLE), "-o", str(slips), *home]) == 0
    capsys.readouterr()
    code = main(["contest", "pack", str(EXAMPLE), "-o", str(tmp_path / "pack"), *home])
    out = capsys.readouterr().out
    assert code == 0 and "已生成离线比武包" in out and "核对案例 5 个" in out
    pack = tmp_path / "pack"
    assert {p.name for p in pack.iterdir()} == {"contest.yaml", "keys", "library", "manifest.json", "说明.txt",
                                                "codes.sqlite3"}
    text = (pack / "contest.yaml").read_text(encoding="utf-8")
    assert "key_file: keys/contest.key" in text and 'library: ["library/base"]' in text
    assert "A real contest writes dates instead" in text  # the organiser's comments are kept
    ours = load_contest(EXAMPLE, today=today)
    packed = load_contest(pack / "contest.yaml", today=today)
    assert packed.key == ours.key and packed.rounds == ours.rounds and packed.roster == ours.roster
    # The packed library is the organiser's, file for file: every round case has the same content hash.
    lib = load_library([pack / "library" / "base"])
    for case in ("straw-burning-01", "fire-lane-01", "spot-watermelon-stall-01"):
        assert lib.scenario(case).content_hash == library().scenario(case).content_hash
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cases"]["straw-burning-01"] == library().scenario("straw-burning-01").content_hash
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((pack / rel).read_bytes()).hexdigest() == digest
    guide = (pack / "说明.txt").read_text(encoding="utf-8")
    assert "pip install --no-index --find-links wheels lawdrill" in guide and "pip wheel . -w wheels" in guide
    assert "lawdrill contest run contest.yaml --as 参赛编号 --store sqlite:///codes.sqlite3" in guide
    assert ours.name in guide
    # The room signs in against the pack's codes: a code from the slip sheet works there, once per place.
    from sim.contest import signin

    first = re.search(r'<div class="code">([A-Z0-9-]+)</div>', slips.read_text(encoding="utf-8")).group(1)
    assert first not in (pack / "codes.sqlite3").read_bytes().decode("latin-1")
    with ContestStore.open(f"sqlite:///{pack / 'codes.sqlite3'}") as room:
        ok = signin.sign_in(room, packed, first, round_id="prelim", place="room-pc-1", holder="1:x")
        assert ok.ok and ok.contestant_id == packed.roster[0].id

    # A contestant's bundle made with the pack imports into the organiser's store.
    noon = dt.datetime.combine(today, dt.time(12, 0), tzinfo=CST)
    journal = play("fire-lane-01", tmp_path / "j.jsonl", seed=packed.round("prelim").seed, start=noon)
    bundle = write_bundle(packed, "prelim", "B02", "fire-lane-01", journal, tmp_path / "out",
                          library=packed.load_library())
    with ContestStore.open(None, home=tmp_path / "home") as store:
        assert [o.code for o in store.import_bundles(ours, library(), [bundle])] == ["ok"]


def test_zip_pack_with_wheels_and_an_own_library(tmp_path: Path) -> None:
    own = tmp_path / "own-cases"
    own.mkdir()
    for case in ("straw-burning-01", "fire-lane-01"):
        src = library().scenario(case).path
        (own / f"{case}.yaml").write_text(Path(src).read_text(encoding="utf-8"), encoding="utf-8")
    doc = contest_doc(library=["own-cases"])
    contest = load_contest(write_contest(tmp_path, doc), library=load_library([own]))
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    (wheels / "lawdrill-0.1.0-py3-none-any.whl").write_bytes(b"PK-wheel")
    (wheels / "attrs-25.1.0-py3-none-any.whl").write_bytes(b"PK-attrs")
    result = pack_contest(contest, tmp_path / "room.zip", wheels=wheels)
    assert result.wheels == 2 and result.cases == 3
    with zipfile.ZipFile(tmp_path / "room.zip") as z:
        names = set(z.namelist())
        assert "test-cup/wheels/lawdrill-0.1.0-py3-none-any.whl" in names
        assert "test-cup/library/1-own-cases/straw-burning-01.yaml" in names
        text = z.read("test-cup/contest.yaml").decode("utf-8")
        assert 'library: ["library/base", "library/1-own-cases"]' in text
        z.extractall(tmp_path / "unzipped")
    packed = load_contest(tmp_path / "unzipped" / "test-cup" / "contest.yaml")
    assert packed.load_library().scenario("straw-burning-01").content_hash == \
        contest.load_library().scenario("straw-burning-01").content_hash
    assert "pip install --no-index --find-links wheels lawdrill" in \
        (tmp_path / "unzipped" / "test-cup" / "说明.txt").read_text(encoding="utf-8")


def test_pack_refuses_bad_places(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contest = make_contest(tmp_path)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x", encoding="utf-8")
    with pytest.raises(PackError, match="输出位置已存在"):
        pack_contest(contest, tmp_path / "full")
    with pytest.raises(PackError, match="输出目录不存在"):
        pack_contest(contest, tmp_path / "no" / "such" / "pack")
    (tmp_path / "nowheels").mkdir()
    with pytest.raises(PackError, match="没有 lawdrill 的安装文件"):
        pack_contest(contest, tmp_path / "p1", wheels=tmp_path / "nowheels")
    assert not (tmp_path / "p1").exists()  # nothing half-written
    code = main(["contest", "pack", str(tmp_path / "cup.yaml"), "-o", str(tmp_path / "full"),
                 "--home", str(tmp_path / "home")])
    err = capsys.readouterr().err
    assert code == 2 and "输出位置已存在" in err and "Traceback" not in err


@pytest.mark.parametrize("text, expected", [
    ("a: 1\nlibrary:\n  - x\n  - y\n\n# next\nb: 2\n", "a: 1\nlibrary: [z]\n\n# next\nb: 2\n"),
    ("a: 1\nlibrary: [x]\n", "a: 1\nlibrary: [z]\n"),
    ("a: 1\n", "a: 1\n# Written by `lawdrill contest pack`.\nlibrary: [z]\n"),
])
def test_top_level_key_replacement_keeps_the_rest(text: str, expected: str) -> None:
    assert set_top_key(text, "library", "[z]") == expected


def test_pack_uses_the_same_windows_as_the_organiser(tmp_path: Path) -> None:
    contest = make_contest(tmp_path)
    pack_contest(contest, tmp_path / "p")
    packed = load_contest(tmp_path / "p" / "contest.yaml")
    assert packed.round("r1").opens == OPENS and packed.rounds == contest.rounds


def test_pack_of_a_contest_with_quiz_and_analysis_rounds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A knowledge round's paper is checked by its digest in the packed library (it is no case), an analysis
    round's cases by their content hash; a paper answered with the pack imports into the organiser's store."""
    from sim.contest.model import PAPER
    from sim.contest.papers import round_paper

    doc = contest_doc()
    doc["rounds"] += [
        {"id": "r3", "title": "法律知识", "kind": "quiz", "questions": 10, "time_limit": "40 minutes",
         "opens": "2026-12-02T09:00:00+08:00", "closes": "2026-12-02T10:00:00+08:00", "seed": 2026},
        {"id": "r4", "title": "一事一议", "kind": "analysis", "cases": ["fire-lane-01"], "time_limit": "60 minutes",
         "opens": "2026-12-02T14:00:00+08:00", "closes": "2026-12-02T16:00:00+08:00", "seed": 9},
    ]
    cfile = write_contest(tmp_path, doc)
    home = ["--home", str(tmp_path / "home")]
    assert main(["contest", "codes", str(cfile), "-o", str(tmp_path / "slips.html"), *home]) == 0
    capsys.readouterr()
    code = main(["contest", "pack", str(cfile), "-o", str(tmp_path / "pack"), *home])
    out = capsys.readouterr().out
    assert code == 0 and "已生成离线比武包" in out, out
    manifest = json.loads((tmp_path / "pack" / "manifest.json").read_text(encoding="utf-8"))
    ours = load_contest(cfile)
    assert manifest["cases"]["r3/paper"] == round_paper(ours.round("r3"), library()).digest
    assert manifest["cases"]["fire-lane-01"] == library().scenario("fire-lane-01").content_hash
    packed = load_contest(tmp_path / "pack" / "contest.yaml")
    r3 = packed.round("r3")
    paper = round_paper(r3, packed.load_library())
    t0 = r3.opens.timestamp()
    bundle = write_bundle(packed, "r3", "A1", PAPER, None, tmp_path / "out",
                          answers={i.question.id: list(i.question.answer) for i in paper.items},
                          started=t0 + 60, handed_in=t0 + 600, library=packed.load_library())
    with ContestStore.open(None, home=tmp_path / "home") as store:
        assert [o.code for o in store.import_bundles(ours, library(), [bundle])] == ["ok"]
