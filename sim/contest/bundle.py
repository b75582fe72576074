"""Result bundles: one signed JSON file per contestant, round and case, collected without network.

A bundle carries the whole journal (or, in a review round, the answer sheet), the pinned case content hash,
the engine version, the seed and the contest/round/contestant ids under a unique bundle id, signed with
HMAC-SHA256 over a canonical serialisation of that payload. The key sits on every contestant's machine, so the
signature proves only that the file was made with the contest's key and not changed by accident or by someone
without it: `read_bundle` therefore never trusts what a bundle reports. It replays the journal (or re-scores
the answers) with the organiser's copy of the case and rejects the bundle if anything disagrees. The threat
model is written down in docs/contests.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .. import __version__
from ..bounds import BoundsError, FileTooLarge, NotJson, check_wall, loads_json, read_file
from ..journal import JournalError, check_entries, read_journal
from ..loader import Library
from ..model import Scenario, Severity
from .model import Contest, Round, cst_time, split_case_ref
from .papers import SHEETS, SheetError, content_hash, score_sheet
from .review import Mark, ReviewError, score_review

FORMAT = "lawdrill-contest-bundle"
FORMAT_VERSION = 1
SUFFIX = ".bundle.json"
MAX_BUNDLE_BYTES = 16 * 1024 * 1024  # a long session's journal is a few hundred KiB
# Clock skew allowed between a contestant's machine and the round window / time limit. Machines in a
# township hall are set by hand; two minutes forgives a slow clock without letting anyone play on.
GRACE = dt.timedelta(minutes=2)

# Stable rejection codes (also the `code` column of `contest import --json`).
CODES = {
    "unreadable": "无法读取文件",
    "not_bundle": "不是比武成绩包",
    "bad_signature": "签名校验失败（文件被改动，或不是用本次比武的密钥生成的）",
    "wrong_contest": "成绩包属于另一场比武",
    "unknown_round": "本次比武没有这一轮",
    "not_in_roster": "参赛人员不在名单中",
    "case_not_in_round": "该案例不属于这一轮",
    "case_missing": "案例库中找不到该案例",
    "case_version": "案例版本不一致（内容校验值不同）",
    "engine_version": "程序版本不在本次比武允许的范围内",
    "wrong_seed": "随机种子与本轮规定的不一致",
    "journal_mismatch": "操作记录与成绩包的信息不一致",
    "unfinished": "该案例尚未交卷（记录中没有结案）",
    "outside_window": "作答时间不在本轮开放时段内",
    "over_time": "作答用时超过本轮时限",
    "tampered": "成绩包报告的成绩与按记录重新评分的结果不一致（疑似篡改）",
    "replayed": "同一成绩包重复提交",
    "duplicate": "该参赛人员本轮此案例已有成绩，保留先提交的一份",
    "copied_journal": "操作记录与另一份已导入的成绩完全相同（疑似拷贝他人记录）",
}


class BundleRejected(Exception):
    def __init__(self, code: str, message_zh: str):
        super().__init__(f"{code}: {message_zh}")
        self.code = code
        self.message_zh = message_zh


class BundleError(ValueError):
    """write_bundle was called with something that cannot go into a bundle (a Chinese message)."""


@attrs.frozen
class VerifiedBundle:
    path: str
    bundle_id: str
    contest_id: str
    round_id: str
    contestant_id: str
    case: str  # case id, "case-id#trap" in a review round, model.PAPER in a quiz round
    kind: str  # play | review | quiz | analysis
    content_hash: str
    engine: str
    seed: int
    score: int  # recomputed, never the reported one
    criticals: int
    rules: tuple[str, ...]  # play: rule ids of the findings; review: rule ids of missed veto items
    started: dt.datetime
    finished: dt.datetime
    journal_digest: str | None  # sha256 of the canonical journal (play rounds), for copy detection
    details: dict[str, Any] = attrs.field(factory=dict, eq=False)  # result or review score as JSON

    @property
    def wall_seconds(self) -> float:
        return (self.finished - self.started).total_seconds()


def canonical(value: Any) -> bytes:
    """The bytes the signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sign(key: bytes, payload: Mapping[str, Any]) -> str:
    return hmac.new(key, canonical(payload), hashlib.sha256).hexdigest()


def _round_of(contest: Contest, round_: Round | str) -> Round:
    r = contest.round(round_ if isinstance(round_, str) else round_.id)
    if r is None:
        raise BundleError(f"比武「{contest.name}」没有轮次「{round_ if isinstance(round_, str) else round_.id}」")
    return r


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:48]


def _play_result(scenario: Scenario, entries: list[dict[str, Any]]) -> tuple[Any, Any]:
    from ..session import replay

    s = replay(scenario, entries, wall_clock=lambda: 0.0)
    try:
        return s, s.result
    finally:
        s.close()


def write_bundle(contest: Contest, round: Round | str, contestant_id: str, case_id: str,
                 journal_path: str | Path | None, out_dir: str | Path, *,
                 answers: Iterable[Mark | Mapping[str, Any]] | None = None, started: float | None = None,
                 handed_in: float | None = None, library: Library | None = None) -> Path:
    """Sign one result into `out_dir` and return the file's path.

    Play round: `journal_path` is the finished session's journal. Review round: `answers` are the marks, and
    `started` / `handed_in` the wall-clock (epoch seconds) the contestant opened the file and handed in
    (`handed_in` defaults to now); `journal_path` is not used. `library` defaults to the contest's library.
    Raises BundleError (Chinese message) for a contestant, round or case that does not fit the contest.
    """
    r = _round_of(contest, round)
    person = contest.contestant(contestant_id)
    if person is None:
        raise BundleError(f"参赛人员「{contestant_id}」不在本次比武的名单中")
    if case_id not in r.cases:
        raise BundleError(f"案例「{case_id}」不属于轮次「{r.title}」")
    library = library if library is not None else contest.load_library()
    cid, trap = split_case_ref(case_id)
    scenario = library.scenarios.get(cid)
    if scenario is None and r.kind not in SHEETS:
        raise BundleError(f"案例库中找不到案例「{cid}」")
    try:
        pinned = content_hash(r, cid, library) if r.kind in SHEETS else scenario.content_hash  # type: ignore[union-attr]
    except SheetError as exc:
        raise BundleError(str(exc)) from None
    payload: dict[str, Any] = {
        "bundle_id": uuid.uuid4().hex, "contest": contest.id, "round": r.id, "contestant": person.id,
        "case": case_id, "kind": r.kind, "content_hash": pinned, "engine": __version__,
        "created": time.time(), "journal": None, "answers": None,
    }
    if r.kind in SHEETS:
        handed = time.time() if handed_in is None else float(handed_in)
        begun = handed if started is None else float(started)
        try:
            ss = score_sheet(r, cid, answers if answers is not None else {}, library)
        except SheetError as exc:
            raise BundleError(str(exc)) from None
        payload.update(seed=r.seed, answers={"sheet": ss.sheet, "started": begun, "handed_in": handed})
        payload["reported"] = {"score": ss.score, "criticals": ss.criticals, "rules": list(ss.rules),
                               "started": begun, "finished": handed}
    elif r.kind == "review":
        assert scenario is not None
        assert trap is not None
        marks = [Mark.from_json(m) for m in (answers or ())]
        handed = time.time() if handed_in is None else float(handed_in)
        begun = handed if started is None else float(started)
        rs = score_review(scenario, trap, marks)
        payload.update(seed=r.seed, answers={"marks": [m.to_json() for m in marks], "started": begun,
                                             "handed_in": handed})
        payload["reported"] = {"score": rs.points, "criticals": rs.criticals, "rules": list(rs.veto_missed),
                               "started": begun, "finished": handed}
    else:
        if journal_path is None:
            raise BundleError("实操轮的成绩包需要操作记录文件")
        try:
            entries = read_journal(journal_path)
        except JournalError as exc:
            raise BundleError(str(exc)) from None
        head = entries[0]
        if head.get("scenario") != cid:
            raise BundleError(f"操作记录属于案例「{head.get('scenario')}」，不是「{cid}」")
        assert scenario is not None
        _s, result = _play_result(scenario, entries)
        if result is None:
            raise BundleError("该案例尚未结案，不能交卷（请先结案）")
        walls = [float(e.get("wall", 0.0)) for e in entries]
        payload.update(seed=int(head.get("seed", 0)), journal=entries)
        payload["reported"] = {
            "score": result.score, "rules": result.rule_ids(),
            "criticals": sum(1 for f in result.findings if f.severity is Severity.CRITICAL),
            "started": min(walls), "finished": max(walls),
        }
    doc = {"format": FORMAT, "version": FORMAT_VERSION, "payload": payload,
           "hmac_sha256": sign(contest.key, payload)}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    index = r.cases.index(case_id) + 1
    name = (f"{_safe(contest.id)}_{_safe(r.id)}_{_safe(person.id)}_{index:02d}-{_safe(cid)}_"
            f"{payload['bundle_id'][:8]}")
    path = out / (name + SUFFIX)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(canonical(doc) + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def _reject(code: str, detail: str = "") -> BundleRejected:
    return BundleRejected(code, CODES[code] + (f"：{detail}" if detail else ""))


def _number(value: Any) -> float:
    """A wall-clock moment of the bundle (a signed bundle may still carry 1e20 or -1e12)."""
    try:
        return check_wall(value, "时间字段")
    except BoundsError as exc:
        raise _reject("not_bundle", str(exc)) from None


def read_bundle(path: str | Path, contest: Contest, library: Library) -> VerifiedBundle:
    """Verify a bundle and recompute its result; raises BundleRejected(code, message_zh)."""
    path = Path(path)
    try:
        raw = read_file(path, MAX_BUNDLE_BYTES)
    except FileTooLarge:
        raise _reject("not_bundle", f"文件过大（超过 {MAX_BUNDLE_BYTES // (1024 * 1024)} MiB）") from None
    except BoundsError as exc:
        raise _reject("unreadable", str(exc)) from None
    try:
        doc = loads_json(raw)  # bounded: no key is needed to send a 100,000-deep or 5,000-digit file
    except NotJson:
        raise _reject("not_bundle", "文件不是有效的 JSON") from None
    except BoundsError as exc:
        raise _reject("not_bundle", str(exc)) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("payload"), dict):
        raise _reject("not_bundle")
    if doc.get("version") != FORMAT_VERSION:
        raise _reject("not_bundle", f"格式版本 {doc.get('version')!r} 不受支持")
    payload: dict[str, Any] = doc["payload"]
    sig = doc.get("hmac_sha256")
    try:
        expected = sign(contest.key, payload)
    except ValueError:  # NaN / Infinity: json.loads accepts them, the canonical form refuses them
        raise _reject("not_bundle", "包含无效的数值") from None
    if not isinstance(sig, str) or not hmac.compare_digest(sig.encode("ascii", "replace"),
                                                           expected.encode("ascii")):
        raise _reject("bad_signature")
    if payload.get("contest") != contest.id:
        raise _reject("wrong_contest", f"「{payload.get('contest')}」")
    r = contest.round(str(payload.get("round")))
    if r is None:
        raise _reject("unknown_round", f"「{payload.get('round')}」")
    person = contest.contestant(str(payload.get("contestant")))
    if person is None:
        raise _reject("not_in_roster", f"「{payload.get('contestant')}」")
    case = payload.get("case")
    if not isinstance(case, str) or case not in r.cases:
        raise _reject("case_not_in_round", f"「{case}」不在轮次「{r.title}」中")
    bundle_id = payload.get("bundle_id")
    if not isinstance(bundle_id, str) or not re.fullmatch(r"[0-9a-f]{32}", bundle_id):
        raise _reject("not_bundle", "成绩包编号格式不正确")
    if payload.get("kind") != r.kind:
        raise _reject("journal_mismatch", f"成绩包的轮次类型「{payload.get('kind')}」与本轮「{r.kind}」不符")
    cid, trap = split_case_ref(case)
    scenario = library.scenarios.get(cid)
    if r.kind in SHEETS:
        try:
            pinned = content_hash(r, cid, library)
        except SheetError as exc:
            raise _reject("case_missing", str(exc)) from None
        if payload.get("content_hash") != pinned:
            raise _reject("case_version", "试卷版本不一致（题库已改动）" if r.kind == "quiz" else f"案例「{cid}」")
    elif scenario is None:
        raise _reject("case_missing", f"「{cid}」")
    elif payload.get("content_hash") != scenario.content_hash:
        raise _reject("case_version", f"案例「{scenario.title}」")
    engine = payload.get("engine")
    allowed = contest.engines or (__version__,)
    if engine not in allowed:
        raise _reject("engine_version", f"成绩包为 {engine}，允许 {'、'.join(allowed)}")
    if payload.get("seed") != r.seed or isinstance(payload.get("seed"), bool):
        raise _reject("wrong_seed", f"成绩包为 {payload.get('seed')}，本轮为 {r.seed}")
    reported = payload.get("reported")
    if not isinstance(reported, dict):
        raise _reject("not_bundle", "缺少成绩信息")

    if payload.get("answers" if r.kind == "play" else "journal") is not None:
        raise _reject("not_bundle", "实操轮成绩包不应含答卷" if r.kind == "play" else "答卷类成绩包不应含操作记录")
    if r.kind in SHEETS:
        answers = payload.get("answers")
        if not isinstance(answers, dict) or "sheet" not in answers:
            raise _reject("not_bundle", "成绩包缺少答卷")
        walls = [_number(answers.get("started")), _number(answers.get("handed_in"))]
        try:
            ss = score_sheet(r, cid, answers["sheet"], library)
        except SheetError as exc:
            raise _reject("not_bundle", str(exc)) from None
        if reported.get("rules") != list(ss.rules) or reported.get("criticals") != ss.criticals:
            raise _reject("tampered", "报告的失分项与重新评分不符")
        score, criticals, rules = ss.score, ss.criticals, ss.rules
        details = {**ss.details, "missed_articles": list(ss.articles)}
        digest = None
    elif r.kind == "review":
        assert scenario is not None
        assert trap is not None
        answers = payload.get("answers")
        if not isinstance(answers, dict) or not isinstance(answers.get("marks"), list):
            raise _reject("not_bundle", "评查轮成绩包缺少评查标记")
        try:
            marks = [Mark.from_json(m) for m in answers["marks"]]
        except ValueError as exc:
            raise _reject("not_bundle", str(exc)) from None
        walls = [_number(answers.get("started")), _number(answers.get("handed_in"))]
        try:
            rs = score_review(scenario, trap, marks)
        except ReviewError as exc:
            raise _reject("case_missing", str(exc)) from None
        score, criticals, rules = rs.points, rs.criticals, tuple(rs.veto_missed)
        details: dict[str, Any] = rs.to_json()
        digest = None
    else:
        entries = payload.get("journal")
        if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
            raise _reject("not_bundle", "缺少操作记录")
        try:
            check_entries(entries)
        except JournalError as exc:
            raise _reject("not_bundle", str(exc)) from None
        head = entries[0]
        if head.get("t") != "start" or head.get("scenario") != cid:
            raise _reject("journal_mismatch", f"记录属于案例「{head.get('scenario')}」")
        if head.get("hash") != scenario.content_hash:
            raise _reject("case_version", "记录开头的案例校验值与成绩包不一致")
        if head.get("seed") != r.seed:
            raise _reject("wrong_seed", f"记录中为 {head.get('seed')}，本轮为 {r.seed}")
        if head.get("engine") not in allowed:
            raise _reject("engine_version", f"记录中为 {head.get('engine')}")
        if head.get("trainee") and head.get("trainee") != person.id:
            raise _reject("journal_mismatch", f"记录属于参赛人员「{head.get('trainee')}」，不是「{person.id}」")
        if head.get("mode") != r.mode:
            raise _reject("journal_mismatch", f"记录的模式「{head.get('mode')}」与本轮「{r.mode}」不符")
        walls = [_number(e.get("wall", head.get("wall"))) for e in entries]
        if entries[-1].get("t") != "finish":
            raise _reject("unfinished")
        assert scenario is not None
        try:
            _s, result = _play_result(scenario, entries)
        except Exception as exc:  # noqa: BLE001 - a forged journal may break replay in any way; reject it
            raise _reject("tampered", f"记录无法重放（{type(exc).__name__}）") from None
        if result is None:
            raise _reject("unfinished")
        crit = sum(1 for f in result.findings if f.severity is Severity.CRITICAL)
        if reported.get("rules") != result.rule_ids() or reported.get("criticals") != crit:
            raise _reject("tampered", "报告的问题与重新评分不符")
        score, criticals, rules = result.score, crit, tuple(result.rule_ids())
        details = result.to_json()
        digest = hashlib.sha256(canonical(entries)).hexdigest()
    if reported.get("score") != score or isinstance(reported.get("score"), bool):
        raise _reject("tampered", f"报告 {reported.get('score')} 分，重新评分为 {score} 分")
    if any(b < a for a, b in itertools.pairwise(walls)):
        raise _reject("journal_mismatch", "记录中的时间倒退")
    started, finished = cst_time(min(walls)), cst_time(max(walls))
    if reported.get("started") != min(walls) or reported.get("finished") != max(walls):
        raise _reject("tampered", "报告的作答时间与记录不符")
    if started < r.opens - GRACE or finished > r.closes + GRACE:
        raise _reject("outside_window", f"作答于 {started:%m-%d %H:%M}–{finished:%m-%d %H:%M}，"
                                        f"本轮开放 {r.opens:%m-%d %H:%M}–{r.closes:%m-%d %H:%M}")
    if finished - started > r.time_limit + GRACE:
        minutes = int((finished - started).total_seconds() // 60)
        raise _reject("over_time", f"用时 {minutes} 分钟，时限 {int(r.time_limit.total_seconds() // 60)} 分钟")
    return VerifiedBundle(str(path), bundle_id, contest.id, r.id, person.id, case, r.kind,
                          str(payload["content_hash"]), str(engine), r.seed, score, criticals, rules, started,
                          finished, digest, details)


def bundle_files(paths: Iterable[str | Path]) -> list[Path]:
    """Bundle files given on the command line; a directory stands for every *.bundle.json under it."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob(f"*{SUFFIX}") if q.is_file()))
        else:
            out.append(p)
    return list(dict.fromkeys(out))
