"""Contest files: rounds, roster, divisions, tie-break order and the contest key.

A contest file is YAML read with `sim.yamlsrc`, so every problem is reported as file:line:col, like a case
file.
Times written without a UTC offset are China Standard Time (UTC+8): every contest is run in China, and an
organiser writes `2026-12-01 09:00` meaning Beijing time. All times are kept timezone-aware.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import attrs

from ..loader import Library, LoadError, load_library
from ..bounds import BoundsError, read_file
from ..yamlsrc import YamlError, YList, YMap, parse_file

CST = dt.timezone(dt.timedelta(hours=8), "CST")
KINDS = ("play", "review", "quiz", "analysis", "drafting")
KIND_NAMES = {"play": "实操", "review": "案卷评查", "quiz": "法律知识", "analysis": "案例分析", "drafting": "文书制作"}
# The one entry of a knowledge round: the paper drawn by the round's seed (sim.contest.papers).
PAPER = "paper"
DEFAULT_QUESTIONS = 30
MAX_QUESTIONS = 200
MODES = ("exam", "practice")
TIEBREAKS = ("score", "criticals", "wall_time", "finish_time", "id")
DEFAULT_TIEBREAK = ("score", "criticals", "wall_time", "finish_time", "id")
MIN_KEY_BYTES = 16
MAX_KEY_FILE_BYTES = 64 * 1024  # a key is a line of hex; a larger "key file" is a wrong path (or /dev/zero)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ContestError(Exception):
    """A contest file that cannot be used; `problems` are LoadError(file, line, col, message)."""

    def __init__(self, problems: list[LoadError]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@attrs.frozen
class Division:
    id: str
    name: str
    townships: tuple[str, ...]


@attrs.frozen
class Contestant:
    id: str
    name: str
    township: str
    division: str | None


@attrs.frozen
class Round:
    """One round. `cases` are case ids; in a review round each entry is "case-id#trap name" (the finished
    case file a contestant reviews is that trap path of the case, see `sim.contest.review`)."""

    id: str
    title: str
    kind: str  # play | review | quiz | analysis
    cases: tuple[str, ...]  # quiz: (PAPER,), the one paper every contestant answers
    time_limit: dt.timedelta
    opens: dt.datetime
    closes: dt.datetime
    freeze: dt.datetime | None
    seed: int
    mode: str = "exam"
    questions: int = DEFAULT_QUESTIONS  # quiz: the paper's size
    documents: tuple[str, ...] = ()  # drafting: the documents (action ids) to draft; () = each case's decision
    weights: tuple[tuple[str, float], ...] = ()  # drafting: ("decide.kind_basis", 3) …; other elements weigh 1

    def drafting_documents(self, scenario: Any) -> tuple[str, ...]:
        """The documents a drafting round asks for in this case (sim.drafting)."""
        from ..drafting import default_documents

        return self.documents or default_documents(scenario)

    def is_open(self, now: dt.datetime) -> bool:
        now = aware(now)
        return self.opens <= now < self.closes

    def frozen_at(self, now: dt.datetime) -> bool:
        """Whether the public board is frozen at `now` (after the freeze time, before the round closes)."""
        return self.freeze is not None and aware(now) >= self.freeze

    def items(self) -> tuple[tuple[str, str | None], ...]:
        """(case id, trap name or None) for each entry of `cases`."""
        return tuple(split_case_ref(c) for c in self.cases)


@attrs.frozen
class Contest:
    id: str
    name: str
    path: str
    key: bytes = attrs.field(repr=False)
    rounds: tuple[Round, ...]
    roster: tuple[Contestant, ...]
    divisions: tuple[Division, ...]
    tiebreak: tuple[str, ...]
    library: tuple[str, ...]  # case library paths (absolute); empty = the bundled library
    engines: tuple[str, ...] = ()  # engine versions accepted in bundles; empty = this engine's version only
    warnings: tuple[LoadError, ...] = ()
    # The day relative round times ("today+7 18:00") were counted from; None if the file writes dates only.
    relative_to: dt.date | None = None

    def round(self, rid: str) -> Round | None:
        return next((r for r in self.rounds if r.id == rid), None)

    def round_at(self, now: dt.datetime) -> Round | None:
        """The round open at `now` (naive times are China Standard Time), or None."""
        return next((r for r in self.rounds if r.is_open(now)), None)

    def contestant(self, cid: str) -> Contestant | None:
        return next((c for c in self.roster if c.id == cid), None)

    def case_columns(self, round_id: str | None = None) -> list[tuple[str, str]]:
        """(round id, case ref) of every case of one round, or of all rounds, in the file's order: the
        per-case score columns of the standings and the cases a contestant is expected to hand in."""
        return [(r.id, ref) for r in self.rounds if round_id is None or r.id == round_id for ref in r.cases]

    def division(self, did: str) -> Division | None:
        return next((d for d in self.divisions if d.id == did), None)

    def load_library(self) -> Library:
        """The case library of this contest's cases (loaded once per process, see `contest_library`)."""
        return contest_library(self.library)


_LIBRARIES: dict[tuple[str, ...], Library] = {}


def contest_library(paths: tuple[str, ...]) -> Library:
    """The library at `paths` (empty: the bundled one), loaded once per process: checking the contest file,
    verifying bundles and writing them all read the same cases, and the contest pins their content hashes,
    so a library edited while a contest runs is what import rejects (case_version), not what it reloads."""
    lib = _LIBRARIES.get(paths)
    if lib is None:
        lib = _LIBRARIES[paths] = load_library(list(paths)) if paths else load_library()
    return lib


def aware(t: dt.datetime) -> dt.datetime:
    """A naive time is China Standard Time."""
    return t.replace(tzinfo=CST) if t.tzinfo is None else t


def cst_time(wall: float) -> dt.datetime:
    """A wall-clock moment (seconds since the epoch) in China Standard Time, as contest times are shown."""
    return dt.datetime.fromtimestamp(wall, CST)


def split_case_ref(ref: str) -> tuple[str, str | None]:
    case, sep, trap = ref.partition("#")
    return case, (trap if sep else None)


# --- loading ---------------------------------------------------------------------------------------------


class _Problems:
    def __init__(self, file: str, today: dt.date | None = None):
        self.file = file
        self.items: list[LoadError] = []
        self.today = today  # the day relative times count from (None: today in Beijing, looked up once)
        self.relative = False  # a relative time was read

    def day(self) -> dt.date:
        if self.today is None:
            self.today = dt.datetime.now(CST).date()
        return self.today

    def add(self, node: Any, message: str, key: str | int | None = None) -> None:
        if key is not None and isinstance(node, (YMap, YList)):
            line, col = node.at(key)  # type: ignore[arg-type]
        else:
            line, col = getattr(node, "line", 0), getattr(node, "col", 0)
        self.items.append(LoadError(getattr(node, "file", self.file), line, col, message))


_TOP_KEYS = {"contest", "key_env", "key_file", "key", "library", "engines", "tiebreak", "divisions", "rounds",
             "roster"}
_ROUND_KEYS = {"id", "title", "kind", "mode", "cases", "time_limit", "opens", "closes", "freeze", "seed",
               "questions", "documents", "weights"}
_PERSON_KEYS = {"id", "name", "township", "division"}
_DIVISION_KEYS = {"id", "name", "townships"}
_DURATION = re.compile(r"^\s*(\d+)\s*(minutes?|min|分钟|hours?|h|小时)\s*$")


def _unknown(p: _Problems, node: YMap, allowed: set[str], what: str) -> None:
    for k in node:
        if k not in allowed:
            p.add(node, f"{what}中有未知的键「{k}」（可用：{'、'.join(sorted(allowed))}）", k)


def _text(p: _Problems, node: YMap, key: str, what: str, *, required: bool = True) -> str | None:
    if key not in node:
        if required:
            p.add(node, f"{what}缺少「{key}」")
        return None
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        p.add(node, f"{what}的「{key}」应为非空文字", key)
        return None
    return str(value).strip()


def _ident(p: _Problems, node: YMap, key: str, what: str) -> str | None:
    value = _text(p, node, key, what)
    if value is not None and not _ID.match(value):
        p.add(node, f"{what}的「{key}」「{value}」只能由字母、数字、点、下划线和连字符组成（不超过 64 个字符）", key)
        return None
    return value


# A time relative to the day the file is read (Beijing date): "today 08:00", "today+7 18:00", "today-3".
# For demonstration and practice contests that must work on any day (the example contest); a real contest
# writes dates. The window slides with the calendar: a bundle imports while it lies inside the window as
# computed on the day of the import.
_RELATIVE = re.compile(r"^today\s*(?:([+-])\s*(\d{1,3})\s*(?:d|days?)?)?(?:\s+(\d{1,2}):(\d{2}))?$", re.I)


def _relative_time(p: _Problems, raw: str) -> dt.datetime | None:
    m = _RELATIVE.match(raw.strip())
    if m is None:
        return None
    sign, days, hour, minute = m.groups()
    offset = int(days or 0) * (-1 if sign == "-" else 1)
    h, mi = int(hour or 0), int(minute or 0)
    if h > 23 or mi > 59:
        return None
    p.relative = True
    return dt.datetime.combine(p.day() + dt.timedelta(days=offset), dt.time(h, mi), tzinfo=CST)


def _time(p: _Problems, node: YMap, key: str, what: str, *, required: bool = True) -> dt.datetime | None:
    if key not in node:
        if required:
            p.add(node, f"{what}缺少「{key}」（如 2026-12-01 09:00，或相对今天的 today+7 18:00）")
        return None
    raw = node[key]
    if isinstance(raw, str) and raw.strip().lower().startswith("today"):
        value = _relative_time(p, raw)
        if value is None:
            p.add(node, f"{what}的「{key}」「{raw}」不是有效的相对时间（如 today 08:00、today+7 18:00、today-3）", key)
        return value
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time())
    elif isinstance(raw, str):
        try:
            value = dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            p.add(node, f"{what}的「{key}」「{raw}」不是有效的时间（如 2026-12-01 09:00）", key)
            return None
    else:
        p.add(node, f"{what}的「{key}」应为时间（如 2026-12-01 09:00）", key)
        return None
    return aware(value).astimezone(CST)


def _duration(p: _Problems, node: YMap, key: str, what: str) -> dt.timedelta | None:
    if key not in node:
        p.add(node, f"{what}缺少「{key}」（如 90 minutes 或 2 hours）")
        return None
    raw = node[key]
    m = _DURATION.match(str(raw)) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
    if m is None:
        p.add(node, f"{what}的「{key}」「{raw}」应写成分钟或小时（如 90 minutes、2 hours、90 分钟）", key)
        return None
    n = int(m.group(1))
    unit = m.group(2)
    delta = dt.timedelta(hours=n) if unit.startswith(("h", "小")) else dt.timedelta(minutes=n)
    if delta <= dt.timedelta(0):
        p.add(node, f"{what}的「{key}」必须大于零", key)
        return None
    return delta


def _str_list(p: _Problems, node: YMap, key: str, what: str) -> list[tuple[str, YList, int]]:
    value = node.get(key)
    if not isinstance(value, YList):
        p.add(node, f"{what}的「{key}」应为列表", key if key in node else None)
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, (str, int)) or not str(item).strip():
            p.add(value, f"{what}的「{key}」第 {i + 1} 项应为非空文字", i)
            continue
        out.append((str(item).strip(), value, i))
    return out


def _key(p: _Problems, doc: YMap, base: Path) -> tuple[bytes, list[LoadError]]:
    warnings: list[LoadError] = []
    given = [k for k in ("key_env", "key_file", "key") if k in doc]
    if len(given) != 1:
        if not given:
            p.add(doc, "缺少比武密钥：请用 key_env: 环境变量名 或 key_file: 密钥文件（相对于本文件）给出")
        else:
            p.add(doc, f"密钥只能用一种方式给出，现在同时写了 {'、'.join(given)}", given[1])
        return b"", warnings
    how = given[0]
    raw = doc[how]
    if not isinstance(raw, str) or not raw.strip():
        p.add(doc, f"「{how}」应为非空文字", how)
        return b"", warnings
    raw = raw.strip()
    if how == "key_env":
        value = os.environ.get(raw)
        if not value:
            p.add(doc, f"环境变量 {raw} 未设置或为空：比武密钥从这里读取", how)
            return b"", warnings
        key = value.encode("utf-8")
    elif how == "key_file":
        path = (base / raw)
        try:
            key = read_file(path, MAX_KEY_FILE_BYTES).strip()
        except BoundsError as exc:
            p.add(doc, f"无法读取密钥文件 {path}：{exc}", how)
            return b"", warnings
    else:
        key = raw.encode("utf-8")
        line, col = doc.at("key")
        warnings.append(LoadError(doc.file, line, col,
                                  "密钥直接写在比武文件里：公布或转发本文件就泄露了密钥；建议改用 key_file 或 key_env"))
    if len(key) < MIN_KEY_BYTES:
        p.add(doc, f"比武密钥太短（{len(key)} 字节，至少 {MIN_KEY_BYTES} 字节；可用 `python -c \"import secrets;"
                   f" print(secrets.token_hex(32))\"` 生成）", how)
    return key, warnings


def _cases(p: _Problems, node: YMap, kind: str | None, what: str, library: Library | None) -> tuple[str, ...]:
    value = node.get("cases")
    if not isinstance(value, YList) or not value:
        p.add(node, f"{what}的「cases」应为非空列表", "cases" if "cases" in node else None)
        return ()
    out: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, YMap):
            _unknown(p, item, {"case", "trap"}, f"{what}第 {i + 1} 个案例")
            case = _text(p, item, "case", f"{what}第 {i + 1} 个案例")
            trap = _text(p, item, "trap", f"{what}第 {i + 1} 个案例", required=False)
        elif isinstance(item, str) and item.strip():
            case, trap = split_case_ref(item.strip())
        else:
            p.add(value, f"{what}的「cases」第 {i + 1} 项应为案例编号，或 {{case: 编号, trap: 陷阱名称}}", i)
            continue
        if case is None:
            continue
        if kind == "review" and not trap:
            p.add(value, f"{what}是评查轮（review），第 {i + 1} 项要写明评查哪条办理路径：{{case: {case}, trap: 陷阱名称}}",
                  i)
            continue
        if kind in ("play", "analysis", "drafting") and trap:
            p.add(value, f"{what}是{KIND_NAMES[kind]}轮（{kind}），第 {i + 1} 项不应写 trap", i)
            continue
        if library is not None:
            scenario = library.scenarios.get(case)
            if scenario is None:
                p.add(value, f"{what}的案例「{case}」不在案例库中", i)
                continue
            if trap and not any(t.name == trap for t in scenario.traps):
                names = "、".join(t.name for t in scenario.traps) or "（无）"
                p.add(value, f"案例「{case}」没有名为「{trap}」的陷阱路径（可用：{names}）", i)
                continue
        ref = f"{case}#{trap}" if trap else case
        if ref in out:
            p.add(value, f"{what}的「cases」中「{ref}」重复出现", i)
            continue
        out.append(ref)
    return tuple(out)


def _round(p: _Problems, node: Any, index: int, library: Library | None) -> Round | None:
    what = f"第 {index + 1} 轮"
    if not isinstance(node, YMap):
        p.add(node, f"{what}应为映射（id、title、kind、cases…）")
        return None
    _unknown(p, node, _ROUND_KEYS, what)
    rid = _ident(p, node, "id", what)
    if rid:
        what = f"轮次「{rid}」"
    title = _text(p, node, "title", what)
    kind = _text(p, node, "kind", what, required=False) or "play"
    if kind not in KINDS:
        p.add(node, f"{what}的 kind「{kind}」无效：只能是 "
                    + "、".join(f"{k}（{KIND_NAMES[k]}）" for k in KINDS), "kind")
        kind = None  # type: ignore[assignment]
    questions = DEFAULT_QUESTIONS
    if "questions" in node:
        q = node["questions"]
        if kind != "quiz":
            p.add(node, f"{what}不是法律知识轮（quiz），不应写「questions」", "questions")
        elif isinstance(q, bool) or not isinstance(q, int) or not 1 <= q <= MAX_QUESTIONS:
            p.add(node, f"{what}的 questions（试卷题量）应为 1 到 {MAX_QUESTIONS} 的整数", "questions")
        else:
            questions = q
    mode = _text(p, node, "mode", what, required=False) or "exam"
    if mode not in MODES:
        p.add(node, f"{what}的 mode「{mode}」无效：只能是 exam（考试）或 practice（练习）", "mode")
    if kind == "quiz":
        if "cases" in node:
            p.add(node, f"{what}是法律知识轮（quiz），试卷由本轮 seed 从题库抽取，不应写「cases」", "cases")
        cases: tuple[str, ...] = (PAPER,)
        if library is not None:
            from ..quiz import question_bank

            if len(question_bank(library)) < questions:
                p.add(node, f"{what}要求 {questions} 道题，题库只有 {len(question_bank(library))} 道",
                      "questions" if "questions" in node else None)
    else:
        cases = _cases(p, node, kind, what, library)
    limit = _duration(p, node, "time_limit", what)
    opens = _time(p, node, "opens", what)
    closes = _time(p, node, "closes", what)
    freeze = _time(p, node, "freeze", what, required=False)
    seed = node.get("seed")
    if "seed" not in node:
        p.add(node, f"{what}缺少「seed」（同一轮所有参赛者使用同一随机种子，保证公平）")
    elif isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        p.add(node, f"{what}的 seed 应为非负整数", "seed")
        seed = None
    if opens and closes and closes <= opens:
        p.add(node, f"{what}的结束时间（closes）必须晚于开始时间（opens）", "closes")
    if freeze and opens and closes and not opens <= freeze <= closes:
        p.add(node, f"{what}的封榜时间（freeze）应在开始（opens）与结束（closes）之间", "freeze")
    if limit and opens and closes and closes > opens and limit > closes - opens:
        p.add(node, f"{what}的答题时限（time_limit）长于整个开放时段", "time_limit")
    documents, weights = _drafting(p, node, kind, what, cases, library)
    if None in (rid, title, kind, limit, opens, closes, seed) or not cases or mode not in MODES:
        return None
    assert rid and title and limit and opens and closes and isinstance(seed, int)
    return Round(rid, title, kind, cases, limit, opens, closes, freeze, seed, mode, questions, documents, weights)


def _drafting(p: _Problems, node: YMap, kind: str | None, what: str, cases: tuple[str, ...],
              library: Library | None) -> tuple[tuple[str, ...], tuple[tuple[str, float], ...]]:
    """A drafting round's `documents` (action ids) and `weights` ({文书.栏目: weight}), checked against the
    cases: each named document must be drafted in the case's reference path."""
    for key in ("documents", "weights"):
        if key in node and kind != "drafting":
            p.add(node, f"{what}不是文书制作轮（drafting），不应写「{key}」", key)
    if kind != "drafting":
        return (), ()
    documents: list[str] = []
    if "documents" in node:
        value = node["documents"]
        if not isinstance(value, YList) or not value or not all(isinstance(v, str) for v in value):
            p.add(node, f"{what}的 documents 应为要制作的文书（动作编号）列表，如 [notify, decide]", "documents")
        else:
            documents = list(dict.fromkeys(value))
    weights: list[tuple[str, float]] = []
    if "weights" in node:
        value = node["weights"]
        if not isinstance(value, YMap):
            p.add(node, f"{what}的 weights 应为「文书.栏目: 分值」的映射，如 {{decide.kind_basis: 3}}", "weights")
        else:
            for k, w in value.items():
                doc, _, field = str(k).partition(".")
                if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 < w <= 100:
                    p.add(value, f"{what}的 weights「{k}」应为 0 到 100 之间的分值", k)
                elif not field or (documents and doc not in documents):
                    p.add(value, f"{what}的 weights「{k}」应写成“文书.栏目”，文书须是本轮要制作的文书", k)
                else:
                    weights.append((str(k), float(w)))
    if library is not None:
        from ..drafting import default_documents, drafting_problem

        used: set[str] = set()
        for i, case in enumerate(cases):
            sc = library.scenarios.get(case)
            if sc is None:
                continue
            asked = documents or default_documents(sc)
            problem = drafting_problem(sc, asked)
            if problem:
                p.add(node["cases"], f"{what}：{problem}", i)
                continue
            for k, _ in weights:
                doc, _, field = k.partition(".")
                spec = sc.procedure.actions.get(doc)
                if doc not in asked or spec is None or spec.document is None:
                    continue  # a weight for another case's document
                used.add(k)
                if spec.document.field(field) is None:
                    p.add(node["weights"], f"{what}的 weights「{k}」：《{spec.document.name}》中没有这一栏目", k)
                    used.discard(k)
        for k, _ in weights:
            if k not in used and not any(e.message.startswith(f"{what}的 weights「{k}」") for e in p.items):
                p.add(node["weights"], f"{what}的 weights「{k}」：本轮各案例要制作的文书中没有这一栏目", k)
    return tuple(documents), tuple(weights)


def load_contest(path: str | Path, *, library: Library | None = None, today: dt.date | None = None) -> Contest:
    """Read and check a contest file. `library` defaults to the one the file names (or the bundled one).
    `today`: the day relative times ("today+7 18:00") count from (default: today in Beijing).
    Raises ContestError listing every problem found."""
    path = Path(path)
    file = str(path)
    try:
        doc = parse_file(path)
    except YamlError as exc:
        raise ContestError([LoadError(exc.file, exc.line, exc.col, exc.message)]) from None
    if not isinstance(doc, YMap):
        raise ContestError([LoadError(file, 1, 1, "比武文件顶层应为映射（contest、rounds、roster…）")])
    p = _Problems(file, today)
    _unknown(p, doc, _TOP_KEYS, "比武文件")
    base = path.resolve().parent

    head = doc.get("contest")
    cid = name = None
    if not isinstance(head, YMap):
        p.add(doc, "缺少「contest」（写明 id 与 name）", "contest" if "contest" in doc else None)
    else:
        _unknown(p, head, {"id", "name"}, "contest")
        cid = _ident(p, head, "id", "contest")
        name = _text(p, head, "name", "contest")

    key, warnings = _key(p, doc, base)

    lib_paths: tuple[str, ...] = ()
    if "library" in doc:
        found = []
        for v, n, i in _str_list(p, doc, "library", "比武文件"):
            full = (base / v).resolve()
            if not full.exists():
                p.add(n, f"案例库路径 {v} 不存在（相对于比武文件所在目录）", i)
            found.append(str(full))
        lib_paths = tuple(found)
    if library is None:
        library = contest_library(lib_paths)

    engines = tuple(v for v, _n, _i in _str_list(p, doc, "engines", "比武文件")) if "engines" in doc else ()

    tiebreak = DEFAULT_TIEBREAK
    if "tiebreak" in doc:
        items = _str_list(p, doc, "tiebreak", "比武文件")
        seen: list[str] = []
        for v, n, i in items:
            if v not in TIEBREAKS:
                p.add(n, f"排名依据「{v}」无效（可用：score 得分、criticals 否决项少者优先、wall_time 用时少者优先、"
                         "finish_time 交卷早者优先、id 编号）", i)
            elif v in seen:
                p.add(n, f"排名依据「{v}」重复", i)
            else:
                seen.append(v)
        if items and len(seen) == len(items):
            tiebreak = tuple(seen)

    divisions: list[Division] = []
    raw_div = doc.get("divisions", YList())
    if not isinstance(raw_div, list):
        p.add(doc, "「divisions」应为列表", "divisions")
        raw_div = []
    township_div: dict[str, str] = {}
    for i, node in enumerate(raw_div):
        what = f"第 {i + 1} 个组别"
        if not isinstance(node, YMap):
            p.add(raw_div, f"{what}应为映射（id、name、townships）", i)
            continue
        _unknown(p, node, _DIVISION_KEYS, what)
        did = _ident(p, node, "id", what)
        dname = _text(p, node, "name", what)
        towns = [v for v, _n, _i in _str_list(p, node, "townships", what)] if "townships" in node else []
        if did is None or dname is None:
            continue
        if any(d.id == did for d in divisions):
            p.add(node, f"组别编号「{did}」重复", "id")
            continue
        for t in towns:
            if t in township_div:
                p.add(node, f"乡镇「{t}」同时属于组别「{township_div[t]}」和「{did}」", "townships")
            township_div.setdefault(t, did)
        divisions.append(Division(did, dname, tuple(towns)))

    rounds: list[Round] = []
    raw_rounds = doc.get("rounds")
    if not isinstance(raw_rounds, YList) or not raw_rounds:
        p.add(doc, "「rounds」应为非空列表（至少一轮）", "rounds" if "rounds" in doc else None)
        raw_rounds = YList()
    for i, node in enumerate(raw_rounds):
        r = _round(p, node, i, library)
        if r is None:
            continue
        if any(x.id == r.id for x in rounds):
            p.add(node, f"轮次编号「{r.id}」重复", "id")
            continue
        if rounds and r.opens < rounds[-1].closes:
            p.add(node, f"轮次「{r.id}」的开放时段与上一轮「{rounds[-1].id}」重叠或早于它（各轮须按时间先后排列、互不重叠）",
                  "opens")
        rounds.append(r)

    roster: list[Contestant] = []
    raw_roster = doc.get("roster")
    if not isinstance(raw_roster, YList) or not raw_roster:
        p.add(doc, "「roster」应为非空列表（参赛人员名单）", "roster" if "roster" in doc else None)
        raw_roster = YList()
    for i, node in enumerate(raw_roster):
        what = f"名单第 {i + 1} 人"
        if not isinstance(node, YMap):
            p.add(raw_roster, f"{what}应为映射（id、name、township）", i)
            continue
        _unknown(p, node, _PERSON_KEYS, what)
        pid = _ident(p, node, "id", what)
        pname = _text(p, node, "name", what)
        town = _text(p, node, "township", what)
        div = _text(p, node, "division", what, required=False)
        if div is not None and not any(d.id == div for d in divisions):
            p.add(node, f"{what}的组别「{div}」未在 divisions 中定义", "division")
        if div is None and town is not None:
            div = township_div.get(town)
        if pid is None or pname is None or town is None:
            continue
        if any(c.id == pid for c in roster):
            p.add(node, f"参赛人员编号「{pid}」重复", "id")
            continue
        roster.append(Contestant(pid, pname, town, div))

    if p.items:
        raise ContestError(p.items)
    assert cid and name
    return Contest(cid, name, file, key, tuple(rounds), tuple(roster), tuple(divisions), tiebreak, lib_paths,
                   engines, tuple(warnings), p.today if p.relative else None)
