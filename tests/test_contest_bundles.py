"""Result bundles: honest ones re-score exactly; every kind of tampering is rejected with its stable code."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import replay
from sim.contest import BundleError, BundleRejected, ContestStore, Mark, read_bundle, write_bundle
from sim.contest.bundle import CODES
from sim.loader import load_library

from contest_support import (CLOSES, KEY, OPENS, REVIEW_TRAP, SEED, library, load_doc, make_contest, play,
                             resign)

TRAP = "申辩后加罚且超出幅度"  # straw-burning-01: 30 points, three findings, one critical


@pytest.fixture
def contest(tmp_path: Path):
    return make_contest(tmp_path)


def _bundle(contest, tmp_path: Path, who: str = "A1", case: str = "straw-burning-01", path: str = "reference",
            **play_kw) -> Path:
    journal = play(case, tmp_path / f"{who}-{case}-{path}.jsonl", path=path, **play_kw)
    return write_bundle(contest, "r1", who, case, journal, tmp_path / "out", library=library())


def _reject_code(path: Path, contest, lib=None) -> str:
    with pytest.raises(BundleRejected) as info:
        read_bundle(path, contest, lib or library())
    assert info.value.message_zh  # a Chinese reason for the organiser
    return info.value.code


@pytest.mark.parametrize("path", ["reference", TRAP])
def test_honest_bundle_rescores_identically(contest, tmp_path: Path, path: str) -> None:
    b = _bundle(contest, tmp_path, path=path)
    v = read_bundle(b, contest, library())
    session = replay(library().scenario("straw-burning-01"), load_doc(b)["payload"]["journal"])
    assert v.score == session.result.score == load_doc(b)["payload"]["reported"]["score"]
    assert list(v.rules) == session.result.rule_ids()
    assert (v.contest_id, v.round_id, v.contestant_id, v.seed) == ("test-cup", "r1", "A1", SEED)
    if path == TRAP:
        assert v.score == 30 and v.criticals == 1
    assert OPENS < v.started < v.finished < CLOSES


def test_score_edited_is_rejected(contest, tmp_path: Path) -> None:
    b = _bundle(contest, tmp_path, path=TRAP)
    doc = load_doc(b)
    doc["payload"]["reported"]["score"] = 100
    b.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert _reject_code(b, contest) == "bad_signature"  # edited without the key
    resign(b, doc)
    assert _reject_code(b, contest) == "tampered"  # edited with the key: re-scoring catches it


def test_journal_edited_is_rejected(contest, tmp_path: Path) -> None:
    """The journal is edited (the inspection is made to look like one officer's) and re-signed with the key,
    the reported result left alone: the replay finds what the edit implies, so the report no longer
    matches."""
    b = _bundle(contest, tmp_path)
    doc = load_doc(b)
    inspect = next(e for e in doc["payload"]["journal"] if e.get("t") == "act" and "officers" in e["params"])
    inspect["params"]["officers"] = inspect["params"]["officers"][:1]
    resign(b, doc)
    assert _reject_code(b, contest) == "tampered"
    doc["payload"]["journal"][1]["wall"] += 1  # edited without re-signing: the signature fails first
    b.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert _reject_code(b, contest) == "bad_signature"


def test_act_removed_is_rejected(contest, tmp_path: Path) -> None:
    """An act is cut out of the journal and the file re-signed, the reported result left as it was: the replay
    of what is left no longer gives the reported findings."""
    b = _bundle(contest, tmp_path, path=TRAP)
    doc = load_doc(b)
    entries = doc["payload"]["journal"]
    acts = [i for i, e in enumerate(entries) if e.get("t") == "act" and "refused" not in e]
    del entries[acts[2]]
    resign(b, doc)
    assert _reject_code(b, contest) == "tampered"


def test_wrong_key_is_rejected(contest, tmp_path: Path) -> None:
    b = _bundle(contest, tmp_path)
    resign(b, load_doc(b), key="another-contest-key-0000000000000")
    assert _reject_code(b, contest) == "bad_signature"


def test_other_case_version_is_rejected(contest, tmp_path: Path) -> None:
    b = _bundle(contest, tmp_path)
    edited = tmp_path / "lib"
    edited.mkdir()
    src = library().scenario("straw-burning-01").path
    text = Path(src).read_text(encoding="utf-8")
    (edited / "straw-burning-01.yaml").write_text(text + "\n# 修订：改了一个字\n", encoding="utf-8")
    other = load_library([edited])
    ours = library().scenario("straw-burning-01").content_hash
    assert other.scenario("straw-burning-01").content_hash != ours
    assert _reject_code(b, contest, other) == "case_version"


def test_replayed_bundle_and_second_hand_in_are_rejected(contest, tmp_path: Path) -> None:
    first = _bundle(contest, tmp_path)
    second = _bundle(contest, tmp_path, path=TRAP)  # same contestant, round and case: a second hand-in
    copy = tmp_path / "copy.bundle.json"
    shutil.copy(first, copy)
    with ContestStore.open(None, home=tmp_path / "home") as store:
        out = store.import_bundles(contest, library(), [first, second, copy])
        assert [o.code for o in out] == ["ok", "duplicate", "already_stored"]
        assert [o.ok for o in out] == [True, False, True]
        assert store.results("test-cup")[0].score == 100  # the first one is kept
        # The whole inbox again: nothing new, nothing rejected that was not rejected before, nothing doubled.
        again = store.import_bundles(contest, library(), [first, second, copy])
        assert [o.code for o in again] == ["already_stored", "duplicate", "already_stored"]
        assert "已导入过" in again[0].message and store.count("test-cup") == 1


def test_a_different_bundle_under_a_stored_id_is_a_replay(contest, tmp_path: Path) -> None:
    """Only the very bundle stored before counts as already stored: another journal signed under the same
    bundle id (made with the key) is still refused as a replay."""
    first = _bundle(contest, tmp_path)
    other = _bundle(contest, tmp_path, path=TRAP)
    doc = load_doc(other)
    doc["payload"]["bundle_id"] = load_doc(first)["payload"]["bundle_id"]
    doc["payload"]["contestant"] = "A1"
    forged = resign(tmp_path / "same-id.bundle.json", doc)
    with ContestStore.open(None, home=tmp_path / "home") as store:
        out = store.import_bundles(contest, library(), [first, forged])
    assert [o.code for o in out] == ["ok", "replayed"]


def test_copied_journal_is_rejected(contest, tmp_path: Path) -> None:
    """A2 hands in A1's journal under A2's name, signed with the (shared) key."""
    a1 = _bundle(contest, tmp_path)
    doc = load_doc(a1)
    doc["payload"]["contestant"] = "A2"
    doc["payload"]["bundle_id"] = "f" * 32
    stolen = resign(tmp_path / "stolen.bundle.json", doc)
    with ContestStore.open(None, home=tmp_path / "home") as store:
        out = store.import_bundles(contest, library(), [a1, stolen])
    assert [o.code for o in out] == ["ok", "copied_journal"]


def test_journal_of_another_contestant_is_rejected(contest, tmp_path: Path) -> None:
    journal = play("straw-burning-01", tmp_path / "a1.jsonl", trainee="A1")
    b = write_bundle(contest, "r1", "A2", "straw-burning-01", journal, tmp_path / "out", library=library())
    assert _reject_code(b, contest) == "journal_mismatch"
    own = write_bundle(contest, "r1", "A1", "straw-burning-01", journal, tmp_path / "out", library=library())
    assert read_bundle(own, contest, library()).contestant_id == "A1"


def test_wrong_seed_is_rejected(contest, tmp_path: Path) -> None:
    b = _bundle(contest, tmp_path, seed=SEED + 1)  # the contestant's machine played another seed
    assert _reject_code(b, contest) == "wrong_seed"
    doc = load_doc(b)
    doc["payload"]["seed"] = SEED  # claiming the round's seed does not help: the journal says otherwise
    resign(b, doc)
    assert _reject_code(b, contest) == "wrong_seed"


@pytest.mark.parametrize("start", [OPENS - dt.timedelta(hours=1), CLOSES + dt.timedelta(minutes=10)])
def test_outside_window_is_rejected(contest, tmp_path: Path, start: dt.datetime) -> None:
    b = _bundle(contest, tmp_path, start=start)
    assert _reject_code(b, contest) == "outside_window"


def test_over_time_limit_is_rejected(contest, tmp_path: Path) -> None:
    b = _bundle(contest, tmp_path, step=600)  # ten minutes a step: far beyond the 60-minute limit
    assert _reject_code(b, contest) == "over_time"


def test_round_time_limit_spans_the_contestants_cases(contest, tmp_path: Path) -> None:
    """Each case alone fits in 60 minutes, but the second is handed in 80 minutes after the first start."""
    first = _bundle(contest, tmp_path, start=OPENS + dt.timedelta(minutes=1))
    late = _bundle(contest, tmp_path, case="fire-lane-01", start=OPENS + dt.timedelta(minutes=80))
    with ContestStore.open(None, home=tmp_path / "home") as store:
        out = store.import_bundles(contest, library(), [first, late])
    assert [o.code for o in out] == ["ok", "over_time"]


def test_unfinished_case_cannot_be_bundled_or_smuggled(contest, tmp_path: Path) -> None:
    journal = play("straw-burning-01", tmp_path / "open.jsonl", finish=False)
    with pytest.raises(BundleError, match="结案"):
        write_bundle(contest, "r1", "A1", "straw-burning-01", journal, tmp_path / "out", library=library())
    b = _bundle(contest, tmp_path)
    doc = load_doc(b)
    doc["payload"]["journal"] = doc["payload"]["journal"][:-1]
    resign(b, doc)
    assert _reject_code(b, contest) == "unfinished"


def test_identity_checks(contest, tmp_path: Path) -> None:
    b = _bundle(contest, tmp_path)
    for field, value, code in [("contestant", "Z9", "not_in_roster"), ("round", "r9", "unknown_round"),
                               ("contest", "other-cup", "wrong_contest"),
                               ("engine", "0.0.1", "engine_version"),
                               ("case", "spot-watermelon-stall-01", "case_not_in_round")]:
        doc = load_doc(b)
        doc["payload"][field] = value
        resign(tmp_path / "x.bundle.json", doc)
        assert _reject_code(tmp_path / "x.bundle.json", contest) == code, field
    (tmp_path / "junk.bundle.json").write_text("not json", encoding="utf-8")
    assert _reject_code(tmp_path / "junk.bundle.json", contest) == "not_bundle"


def test_write_bundle_refuses_what_does_not_fit(contest, tmp_path: Path) -> None:
    journal = play("straw-burning-01", tmp_path / "j.jsonl")
    with pytest.raises(BundleError, match="名单"):
        write_bundle(contest, "r1", "nobody", "straw-burning-01", journal, tmp_path, library=library())
    with pytest.raises(BundleError, match="不属于"):
        write_bundle(contest, "r1", "A1", "spot-watermelon-stall-01", journal, tmp_path, library=library())


def test_review_bundle_is_rescored_and_tampering_caught(contest, tmp_path: Path) -> None:
    ref = f"{REVIEW_TRAP[0]}#{REVIEW_TRAP[1]}"
    r2 = contest.round("r2")
    marks = [Mark(1, "uncertified-officer"), Mark(1, "two-officers")]
    opens = r2.opens.timestamp()
    b = write_bundle(contest, r2, "A3", ref, None, tmp_path / "out", answers=marks, started=opens + 60,
                     handed_in=opens + 900, library=library())
    v = read_bundle(b, contest, library())
    # Missed: credentials-not-shown (15) and case-left-open (the unfinished case: a critical veto item, 40).
    assert (v.kind, v.score, v.criticals) == ("review", 100 - 15 - 40, 1)
    doc = load_doc(b)
    doc["payload"]["answers"]["marks"].append({"step": 1, "rule": "credentials-not-shown"})
    resign(b, doc)  # more marks, same reported score: re-scoring disagrees
    assert _reject_code(b, contest) == "tampered"
    late = write_bundle(contest, r2, "A3", ref, None, tmp_path / "out", answers=marks, started=opens,
                        handed_in=opens + 3600, library=library())
    assert _reject_code(late, contest) == "over_time"


def test_key_text_is_not_in_the_bundle(contest, tmp_path: Path) -> None:
    assert KEY not in _bundle(contest, tmp_path).read_text(encoding="utf-8")


_SCALARS = (st.none() | st.booleans() | st.integers(-5, 10**12)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8))
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)


@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("honest")
    contest = make_contest(tmp)
    return contest, _bundle(contest, tmp, path=TRAP).read_text(encoding="utf-8"), tmp


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_character_is_rejected(honest, data: st.DataObject) -> None:
    """A bundle with any one character changed is rejected (with a code, never a crash), or reads the same."""
    contest, text, tmp = honest
    body = text.rstrip("\n")
    i = data.draw(st.integers(0, len(body) - 1))
    ch = data.draw(st.characters(codec="utf-8").filter(lambda c: c != body[i]))
    path = tmp / "flipped.bundle.json"
    path.write_text(body[:i] + ch + body[i + 1:] + "\n", encoding="utf-8")
    try:
        read_bundle(path, contest, library())
    except BundleRejected as exc:
        assert exc.code in CODES
    else:
        assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["bundle_id", "contest", "round", "contestant", "case", "kind", "content_hash",
                              "engine", "seed", "journal", "reported", "answers"]), value=_JSON)
def test_forged_fields_signed_with_the_key_are_rejected(honest, field: str, value: object) -> None:
    """Whatever a forger puts in a field and signs with the key: a rejection with a code, never a crash."""
    contest, text, tmp = honest
    doc = json.loads(text)
    if doc["payload"][field] == value:
        return
    doc["payload"][field] = value
    path = resign(tmp / "forged.bundle.json", doc)
    with pytest.raises(BundleRejected) as info:
        read_bundle(path, contest, library())
    assert info.value.code in CODES
