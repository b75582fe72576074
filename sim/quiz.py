"""Knowledge questions (法律知识题): generated from the library's verified data, plus hand-written ones.

Generated questions are correct by construction: each answer is read from the same data the engine runs on
— a deadline rule's period, the legal calendar's count of that period, the boundary of a rule's own
threshold expression, an article's operative text — and a question is only built when every article it rests
on is verified (status P or S). Inferences (AN), practice (PR) and UNVERIFIED entries never make a question.

Hand-written questions live in YAML files with a top-level `questions:` list (scenarios/quiz/); the library
loader hands them to `parse_quiz_doc`, which reports each problem as file:line:col and skips only the bad
question. A paper is drawn from the bank by seed (`draw_paper`): everyone in a round with the same seed gets
the same questions, in the same order, with the same option order.

Answers are plain strings keyed by question id (see `Question.normalise`), so they journal and sign as JSON.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from . import expr as X
from .calendar import LegalCalendar, Unit, format_date_zh
from .model import Article, Option, Period, Pos, Procedure, RuleKind, RuleSpec, Status

VERIFIED = frozenset({Status.P, Status.S})
QUIZ_FILE_KEYS = ("quiz", "questions")
QUESTION_KEYS = ("id", "kind", "stem", "options", "answer", "articles", "rules", "explain")
PERIOD_UNITS = {"days": "日", "working_days": "个工作日", "months": "个月", "hours": "小时"}


class QKind(enum.StrEnum):
    SINGLE = "single"  # 单选题
    MULTIPLE = "multiple"  # 多选题
    TRUEFALSE = "truefalse"  # 判断题
    NUMBER = "number"  # 填空题（数字）
    PERIOD = "period"  # 填空题（期限）

    @property
    def label(self) -> str:
        return {"single": "单选题", "multiple": "多选题", "truefalse": "判断题", "number": "填空题",
                "period": "填空题"}[self.value]


TRUE_FALSE = (Option("true", "正确"), Option("false", "错误"))


@attrs.frozen
class Question:
    """One question. `answer` is normalised: option ids (sorted) for choice questions, "true"/"false", the
    number as digits, or a period as "90 days" / "7 working_days"."""

    id: str
    kind: QKind
    stem: str
    answer: tuple[str, ...]
    articles: tuple[str, ...]  # catalogue keys it tests
    options: tuple[Option, ...] = ()
    rules: tuple[str, ...] = ()  # rule ids it tests (weak spots by rule)
    explain: str = ""
    family: str = "written"  # generator name, or "written"
    pos: Pos = Pos()

    def choices(self) -> tuple[Option, ...]:
        return TRUE_FALSE if self.kind is QKind.TRUEFALSE else self.options

    def normalise(self, response: Any) -> tuple[str, ...] | None:
        """A trainee's response in the answer's form, or None when it cannot be read (counts as wrong)."""
        if response is None:
            return None
        if self.kind in (QKind.SINGLE, QKind.MULTIPLE, QKind.TRUEFALSE):
            items = [response] if isinstance(response, (str, bool)) else list(response)
            ids = set()
            valid = {o.id for o in self.choices()}
            for item in items:
                key = ("true" if item else "false") if isinstance(item, bool) else str(item)
                if key not in valid:
                    return None
                ids.add(key)
            if not ids or (self.kind is not QKind.MULTIPLE and len(ids) != 1):
                return None
            return tuple(sorted(ids))
        if isinstance(response, (list, tuple)):  # the answer's own form, as JSON carries it
            if len(response) != 1:
                return None
            response = response[0]
        if self.kind is QKind.NUMBER:
            n = parse_number(response)
            return None if n is None else (str(n),)
        p = parse_period(response)
        return None if p is None else (f"{p.length} {p.unit}",)

    def is_correct(self, response: Any) -> bool:
        return self.normalise(response) == self.answer

    def answer_text(self) -> str:
        """The correct answer as the trainee reads it."""
        if self.kind is QKind.PERIOD:
            length, unit = self.answer[0].split()
            return Period(int(length), unit).label()
        if self.kind is QKind.NUMBER:
            return self.answer[0]
        by_id = {o.id: o.label for o in self.choices()}
        return "；".join(by_id[a] for a in self.answer)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "stem": self.stem, "answer": list(self.answer),
                "options": [[o.id, o.label] for o in self.options], "articles": list(self.articles),
                "rules": list(self.rules), "explain": self.explain, "family": self.family}


# --- reading typed answers ------------------------------------------------------------------------------

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}


def parse_zh_int(text: str) -> int | None:
    """二百 -> 200, 三千 -> 3000, 五万 -> 50000, 十五 -> 15, 九十 -> 90; None if not a Chinese numeral."""
    if not text or any(c not in _ZH_DIGITS and c not in _ZH_UNITS and c != "万" for c in text):
        return None
    total, section, digit = 0, 0, None
    for c in text:
        if c in _ZH_DIGITS:
            digit = _ZH_DIGITS[c]
        elif c in _ZH_UNITS:
            section += (1 if digit is None else digit) * _ZH_UNITS[c]
            digit = None
        else:  # 万
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
    return total + section + (digit or 0)


def parse_number(value: Any) -> int | None:
    """A whole number typed as 5000, 5,000, 5000元, 五千 or 五千元."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元").removesuffix("人").strip()
    if text.isdigit():
        return int(text)
    return parse_zh_int(text)


_PERIOD = re.compile(r"^\s*([0-9]+|[零〇一二两三四五六七八九十百]+)\s*(个工作日|工作日|个月|月|小时|日|天|days|working_days|"
                     r"months|hours)\s*$")


def parse_period(value: Any) -> Period | None:
    """A period typed as 90日, 九十日, 90天, 7个工作日, 6个月, 24小时 (or the file form "90 days")."""
    if isinstance(value, Period):
        return value
    if isinstance(value, Mapping):
        length, unit = value.get("length"), value.get("unit")
        if isinstance(length, int) and not isinstance(length, bool) and unit in PERIOD_UNITS:
            return Period(length, str(unit))
        return None
    m = _PERIOD.match(str(value))
    if m is None:
        return None
    n = int(m.group(1)) if m.group(1).isdigit() else parse_zh_int(m.group(1))
    unit = {"个工作日": "working_days", "工作日": "working_days", "个月": "months", "月": "months",
            "小时": "hours", "日": "days", "天": "days"}.get(m.group(2), m.group(2))
    return None if n is None else Period(n, unit)


# --- hand-written questions -----------------------------------------------------------------------------


def parse_quiz_doc(doc: Any, articles: Mapping[str, Article], rule_ids: Iterable[str] = ()) -> tuple[
        list[Question], list[Any]]:
    """The questions of one quiz file and the problems found (LoadError each, file:line:col). A bad question
    is left out; the rest of the file loads."""
    from .loader import LoadError, _Bad, _check_keys, _fail

    questions: list[Question] = []
    errors: list[LoadError] = []
    try:
        _check_keys(doc, QUIZ_FILE_KEYS, "题库文件", required=("questions",))
        items = doc["questions"]
        if not isinstance(items, list):
            _fail(doc, "题库文件的「questions」应为列表", "questions")
    except _Bad as exc:
        return [], [exc.error]
    stem_name = doc.file.rsplit("/", 1)[-1].removesuffix(".yaml").removesuffix(".yml")
    known_rules = set(rule_ids)
    seen: dict[str, Pos] = {}
    for i, body in enumerate(items):
        try:
            q = _written_question(body, items, i, stem_name, articles, known_rules)
        except _Bad as exc:
            errors.append(exc.error)
            continue
        if q.id in seen:
            errors.append(LoadError(q.pos.file, q.pos.line, q.pos.col, f"题目编号「{q.id}」重复（已在 {seen[q.id]} 定义）"))
            continue
        seen[q.id] = q.pos
        questions.append(q)
    return questions, errors


def _written_question(body: Any, items: Any, index: int, prefix: str, articles: Mapping[str, Article],
                      known_rules: set[str]) -> Question:
    from .loader import _check_keys, _fail, _get, _pos, _strs

    if not isinstance(body, dict):
        _fail(items, f"第 {index + 1} 题应为映射（id、kind、stem、answer、articles…）", index)
    what = f"第 {index + 1} 题"
    _check_keys(body, QUESTION_KEYS, what, required=("id", "kind", "stem", "answer", "articles"))
    qid = _get(body, "id", str, what)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", qid):
        _fail(body, f"{what}的编号「{qid}」只能由字母、数字、点、下划线和连字符组成", "id")
    what = f"题目「{qid}」"
    kind_raw = _get(body, "kind", str, what)
    try:
        kind = QKind(kind_raw)
    except ValueError:
        _fail(body, f"{what}的题型「{kind_raw}」无效（可用：single 单选、multiple 多选、truefalse 判断、"
                    "number 数字填空、period 期限填空）", "kind")
    stem = _get(body, "stem", str, what).strip()
    if not stem:
        _fail(body, f"{what}的题干为空", "stem")
    cites = _strs(body, "articles", what)
    if not cites:
        _fail(body, f"{what}应至少注明一条所考查的条文（articles）", "articles")
    for j, key in enumerate(cites):
        art = articles.get(key)
        node = body["articles"] if isinstance(body["articles"], list) else body
        where: Any = j if isinstance(body["articles"], list) else "articles"
        if art is None:
            _fail(node, f"{what}引用的条文「{key}」不在法律条文目录中", where)
        if art.status not in VERIFIED:
            _fail(node, f"{what}引用的「{art.label}」未经核实或属培训假设、实务做法（{art.status.value}），"
                        "不能作为出题依据", where)
    rules = _strs(body, "rules", what)
    for j, rid in enumerate(rules):
        if known_rules and rid not in known_rules:
            _fail(body["rules"] if isinstance(body["rules"], list) else body, f"{what}的规则「{rid}」不存在",
                  j if isinstance(body["rules"], list) else "rules")
    options: tuple[Option, ...] = ()
    raw = body["answer"]
    if kind in (QKind.SINGLE, QKind.MULTIPLE):
        opts = _get(body, "options", dict, what, required=True)
        if len(opts) < 2:
            _fail(body, f"{what}至少要有两个选项", "options")
        for oid, label in opts.items():
            if not isinstance(label, str) or not label.strip():
                _fail(opts, f"{what}的选项「{oid}」应为非空文字", oid)
        options = tuple(Option(str(k), str(v).strip()) for k, v in opts.items())
        ids = [raw] if isinstance(raw, str) else raw
        if not isinstance(ids, list) or not ids or not all(isinstance(a, str) for a in ids):
            _fail(body, f"{what}的答案应为选项编号{'（多选题写成列表）' if kind is QKind.MULTIPLE else ''}", "answer")
        for a in ids:
            if a not in opts:
                _fail(body, f"{what}的答案「{a}」不是选项之一（选项：{'、'.join(map(str, opts))}）", "answer")
        if kind is QKind.SINGLE and len(set(ids)) != 1:
            _fail(body, f"{what}是单选题，答案只能有一个", "answer")
        if kind is QKind.MULTIPLE and len(set(ids)) == len(options):
            _fail(body, f"{what}的所有选项都是正确答案，起不到考查作用", "answer")
        answer = tuple(sorted(set(ids)))
    elif kind is QKind.TRUEFALSE:
        if not isinstance(raw, bool):
            _fail(body, f"{what}是判断题，答案应为 true（正确）或 false（错误）", "answer")
        answer = ("true" if raw else "false",)
    elif kind is QKind.NUMBER:
        n = parse_number(raw) if isinstance(raw, int) else None
        if n is None:
            _fail(body, f"{what}的答案应为非负整数", "answer")
        answer = (str(n),)
    else:
        p = parse_period(raw)
        if p is None or p.unit not in PERIOD_UNITS:
            _fail(body, f"{what}的答案应为期限，如「15 days」「7 working_days」「6 months」或「15日」", "answer")
        answer = (f"{p.length} {p.unit}",)
    if "options" in body and kind not in (QKind.SINGLE, QKind.MULTIPLE):
        _fail(body, f"{what}是{kind.label}，不应有选项", "options")
    return Question(f"{prefix}.{qid}", kind, stem, answer, cites, options, rules,
                    _get(body, "explain", str, what, "").strip(), "written", _pos(body))


# --- generated questions --------------------------------------------------------------------------------


def _verified(keys: Iterable[str], articles: Mapping[str, Article]) -> bool:
    keys = tuple(keys)
    return bool(keys) and all(k in articles and articles[k].status in VERIFIED for k in keys)


def cite_text(keys: Sequence[str], articles: Mapping[str, Article]) -> str:
    """《行政处罚法》第六十四条、第八十五条: one law named once."""
    out: list[str] = []
    last_law = None
    for k in keys:
        art = articles[k]
        label = art.label
        if art.law == last_law:
            label = label.removeprefix(f"《{art.law}》")
        out.append(label)
        last_law = art.law
    return "、".join(out)


# A rule shared by several templates is asked in the words of the general one: "作出行政处罚决定", not the
# demolition template's "作出责令限期改正（拆除）决定".
_NAMING_PROCEDURES = ("general-penalty",)


def _end_phrase(proc: Procedure, anchor: Any) -> str:
    """The act that must come in time, as a verb phrase: 作出行政处罚决定, 送达《行政处罚决定书》."""
    label = proc.anchor_label(anchor)
    if anchor.kind == "served":
        return "送达" + label.removesuffix("送达")
    return label


def _deadline_rules(procedures: Mapping[str, Procedure], articles: Mapping[str, Article]) -> list[
        tuple[Procedure, RuleSpec, Period, bool]]:
    """(procedure, rule, period, within?) of each deadline rule a question may rest on: verified citations,
    no applicability condition the question could not state, a period longer than nil. The first concrete
    procedure that carries a rule names its acts."""
    out: list[tuple[Procedure, RuleSpec, Period, bool]] = []
    seen: set[str] = set()
    for pid in sorted(procedures, key=lambda p: (p not in _NAMING_PROCEDURES, p)):
        proc = procedures[pid]
        if proc.abstract:
            continue
        for r in proc.rules:
            d = r.deadline
            if r.kind is not RuleKind.DEADLINE or d is None or r.id in seen or r.when is not None:
                continue
            period = d.within or d.not_before
            if period is None or period.length <= 0 or not _verified(r.cite, articles):
                continue
            if d.end is None:
                continue
            seen.add(r.id)
            out.append((proc, r, period, d.within is not None))
    return out


def _period_stem(proc: Procedure, r: RuleSpec, within: bool, articles: Mapping[str, Article]) -> str:
    d = r.deadline
    assert d is not None and d.end is not None
    start = proc.anchor_label(d.start)
    end = _end_phrase(proc, d.end)
    if within:
        return f"依照{cite_text(r.cite, articles)}，自{start}起，应当在多长期限内{end}？"
    return f"依照{cite_text(r.cite, articles)}，自{start}起，至少经过多长期限方可{end}？"


def _period_days(p: Period) -> float:
    return {"days": 1.0, "working_days": 1.4, "months": 30.0, "hours": 1 / 24}[p.unit] * p.length


_STOCK_PERIODS = (Period(3, "days"), Period(5, "days"), Period(10, "days"), Period(15, "days"),
                  Period(30, "days"), Period(60, "days"), Period(90, "days"), Period(6, "months"),
                  Period(3, "months"), Period(2, "working_days"), Period(5, "working_days"),
                  Period(10, "working_days"), Period(24, "hours"), Period(48, "hours"), Period(1, "months"))


def _period_distractors(answer: Period, pool: Iterable[Period], rng: random.Random, n: int = 3) -> list[Period]:
    """Periods that cannot also be right: another number, and not close in length (90日 is not offered next
    to 3个月)."""
    a = _period_days(answer)
    cands = sorted({p for p in (*pool, *_STOCK_PERIODS)
                    if p.length != answer.length and abs(_period_days(p) - a) > 0.15 * a},
                   key=lambda p: (p.unit, p.length))
    rng.shuffle(cands)
    return cands[:n]


# Dates a calendar question starts from: each sits just before a run of rest days in 2026, where counting
# the legal way and counting naively part company.
_CALENDAR_STARTS = (dt.date(2026, 4, 30), dt.date(2026, 9, 30), dt.date(2026, 2, 13), dt.date(2026, 6, 18),
                    dt.date(2026, 10, 9), dt.date(2026, 5, 29), dt.date(2026, 1, 30), dt.date(2026, 3, 27))


def _stable_index(text: str, n: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % n


def _calendar_question(proc: Procedure, r: RuleSpec, period: Period, articles: Mapping[str, Article],
                       cal: LegalCalendar) -> Question | None:
    if period.unit == "hours":
        return None
    d = r.deadline
    assert d is not None
    first = _stable_index(r.id, len(_CALENDAR_STARTS))
    for k in range(len(_CALENDAR_STARTS)):
        start = _CALENDAR_STARTS[(first + k) % len(_CALENDAR_STARTS)]
        due = cal.deadline(start, period.length, Unit(period.unit))
        if not due.provisional:
            break
    else:
        return None
    wrong: list[dt.date] = []
    naive = start + dt.timedelta(days=period.length) if period.unit != "months" else None
    for cand in (naive, due.extended_from, due.due - dt.timedelta(days=1), due.due + dt.timedelta(days=1),
                 due.due + dt.timedelta(days=2), due.due - dt.timedelta(days=2), due.due + dt.timedelta(days=3)):
        if cand is not None and cand != due.due and cand not in wrong:
            wrong.append(cand)
    wrong = wrong[:3]
    options = tuple(Option(f"d{x:%Y%m%d}", format_date_zh(x)) for x in sorted([due.due, *wrong]))
    start_label = proc.anchor_label(d.start)
    stem = (f"{start_label}的日期是{format_date_zh(start)}。依照{cite_text(r.cite, articles)}，"
            f"{period.label()}的期限（按法定方法计算）最后一日是哪一天？")
    return Question(f"gen.calendar.{r.id}", QKind.SINGLE, stem, (f"d{due.due:%Y%m%d}",),
                    tuple(r.cite), options, (r.id,), " ".join(due.explanation), "calendar", r.pos)


def _deadline_questions(procedures: Mapping[str, Procedure], articles: Mapping[str, Article],
                        cal: LegalCalendar) -> list[Question]:
    rules = _deadline_rules(procedures, articles)
    pool = [p for _proc, _r, p, _w in rules]
    out: list[Question] = []
    for proc, r, period, within in rules:
        stem = _period_stem(proc, r, within, articles)
        explain = r.expected
        out.append(Question(f"gen.period.{r.id}", QKind.PERIOD,
                            stem + "（填写期限，如“15日”“3个工作日”“6个月”；按工作日计算的写明“工作日”）",
                            (f"{period.length} {period.unit}",), tuple(r.cite), (), (r.id,), explain, "period",
                            r.pos))
        rng = random.Random(f"lawdrill-quiz:{r.id}")
        options = [period, *_period_distractors(period, pool, rng)]
        opts = tuple(Option(f"p{p.length}{p.unit}", p.label()) for p in sorted(options, key=_period_days))
        out.append(Question(f"gen.period-choice.{r.id}", QKind.SINGLE, stem,
                            (f"p{period.length}{period.unit}",), tuple(r.cite), opts, (r.id,), explain,
                            "period", r.pos))
        if period.unit in ("days", "working_days"):
            d = r.deadline
            assert d is not None and d.end is not None
            start, end = proc.anchor_label(d.start), _end_phrase(proc, d.end)
            span = (f"自{start}起{period.length}日内应当{end}" if within
                    else f"自{start}起须满{period.length}日方可{end}")
            claim = f"依照{cite_text(r.cite, articles)}，{span}，该期限按工作日计算，不含法定节假日。"
            out.append(Question(f"gen.workdays.{r.id}", QKind.TRUEFALSE, claim,
                                ("true" if period.unit == "working_days" else "false",), tuple(r.cite), (),
                                (r.id,), explain, "workdays", r.pos))
        q = _calendar_question(proc, r, period, articles, cal)
        if q is not None:
            out.append(q)
    return out


@attrs.frozen
class Threshold:
    """A threshold written in a rule's check or a named condition, asked as a number."""

    name: str
    procedure: str
    source: str  # "rule:<id>" (its check expression) or "condition:<name>"
    cite_rule: str  # the rule whose citations the question carries
    party: str  # citizen | organisation
    bound: str  # max: the largest amount for which the expression holds; min: the smallest
    stem: str


THRESHOLDS = (
    Threshold("spot-citizen", "simple-penalty", "rule:spot-threshold-exceeded", "spot-threshold-exceeded",
              "citizen", "max", "违法事实确凿并有法定依据，对公民当场作出罚款决定的，罚款数额最高为多少元？"),
    Threshold("spot-organisation", "simple-penalty", "rule:spot-threshold-exceeded", "spot-threshold-exceeded",
              "organisation", "max", "违法事实确凿并有法定依据，对法人或者其他组织当场作出罚款决定的，罚款数额最高为多少元？"),
    Threshold("hearing-citizen", "general-penalty", "condition:hearing_large_fine", "hearing-right-omitted",
              "citizen", "min", "在河南省，行政机关拟对公民处以多少元以上罚款的，应当告知当事人有要求听证的权利？"),
    Threshold("hearing-organisation", "general-penalty", "condition:hearing_large_fine", "hearing-right-omitted",
              "organisation", "min", "在河南省，行政机关拟对法人或者其他组织处以多少元以上罚款的，应当告知当事人有要求听证的权利？"),
)

_SEARCH_TOP = 10_000_000


def threshold_value(proc: Procedure, t: Threshold) -> int | None:
    """The boundary amount of the engine's own expression for a fine on a party of `t.party`, found by
    bisection (the expressions are monotone in the amount); None when there is none in range."""
    kind, _, ref = t.source.partition(":")
    if kind == "rule":
        rule = next((r for r in proc.rules if r.id == ref), None)
        expression = rule.expr if rule is not None else None
    else:
        expression = proc.conditions.get(ref)
    if expression is None:
        return None
    ev = X.Evaluator({"last": lambda _name: _amount_rec(amount), "first": lambda _name: _amount_rec(amount)})
    party = X.Rec(kind=t.party)
    amount = 0

    def holds(x: int) -> bool:
        nonlocal amount
        amount = x
        names: dict[str, Any] = {"act": _amount_rec(x), "party": party}
        _fill_conditions(proc, expression, names, ev)
        return bool(ev(expression, names))

    lo, hi = 0, _SEARCH_TOP
    if t.bound == "max":
        if not holds(0) or holds(hi):
            return None
        while lo + 1 < hi:  # holds(lo), not holds(hi)
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if holds(mid) else (lo, mid)
        return lo
    if holds(0) or not holds(hi):
        return None
    while lo + 1 < hi:  # not holds(lo), holds(hi)
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if holds(mid) else (mid, hi)
    return hi


def _fill_conditions(proc: Procedure, expression: X.Expr, names: dict[str, Any], ev: X.Evaluator,
                     depth: int = 0) -> None:
    """The named conditions an expression reads, evaluated first (a condition may read another, as the
    hearing condition reads `hearing_fine_threshold`), the way the session does."""
    for n in sorted(expression.names):
        if n in proc.conditions and n not in names and depth < 20:
            _fill_conditions(proc, proc.conditions[n], names, ev, depth + 1)
            names[n] = ev(proc.conditions[n], names)


def _amount_rec(x: int) -> X.Rec:
    return X.Rec(penalty_kind="fine", amount=x)


def _threshold_questions(procedures: Mapping[str, Procedure], articles: Mapping[str, Article]) -> list[Question]:
    out: list[Question] = []
    for t in THRESHOLDS:
        proc = procedures.get(t.procedure)
        if proc is None:
            continue
        rule = next((r for r in proc.rules if r.id == t.cite_rule), None)
        if rule is None or not _verified(rule.cite, articles):
            continue
        value = threshold_value(proc, t)
        if value is None:
            continue
        out.append(Question(f"gen.threshold.{t.name}", QKind.NUMBER, t.stem + "（填写数字）", (str(value),),
                            tuple(rule.cite), (), (rule.id,), rule.expected, "threshold", rule.pos))
    return out


_EXCERPT = 110


def excerpt(text: str, limit: int = _EXCERPT) -> str:
    """An article's text cut at a sentence end near `limit` characters."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in "。；")
    return (text[: cut + 1] if cut > 20 else text[:limit]) + "……"


def _source_questions(articles: Mapping[str, Article]) -> list[Question]:
    """Which article says this? The options are other articles (of the same law where there are enough): none
    shares the article's number, and none contains or is contained in its text."""
    good = sorted((a for a in articles.values() if a.status in VERIFIED), key=lambda a: a.key)
    out: list[Question] = []
    for art in good:
        base = art.number.split(".")[0]

        def unrelated(o: Article, art: Article = art, base: str = base) -> bool:
            if o.law == art.law and o.number.split(".")[0] == base:
                return False
            a, b = o.text.strip("…。 "), art.text.strip("…。 ")
            return a not in b and b not in a and o.label != art.label

        same = [o for o in good if o.law == art.law and unrelated(o)]
        other = [o for o in good if o.law != art.law and unrelated(o)]
        rng = random.Random(f"lawdrill-quiz:{art.key}")
        rng.shuffle(same)
        rng.shuffle(other)
        wrong = (same + other)[:3]
        if len(wrong) < 3:
            continue
        options = tuple(Option(o.key, o.label) for o in sorted([art, *wrong], key=lambda a: a.key))
        stem = f"下列规定出自哪一条？\n「{excerpt(art.text)}」"
        out.append(Question(f"gen.source.{art.key}", QKind.SINGLE, stem, (art.key,), (art.key,), options, (),
                            "", "source", art.pos))
    return out


def generate(procedures: Mapping[str, Procedure], articles: Mapping[str, Article],
             cal: LegalCalendar | None = None, scenarios: Mapping[str, Any] | None = None) -> list[Question]:
    """Every generated question, in a stable order. With `scenarios`, the cases' powers and approvals add
    their 谁来决定 questions (sim.quizfamilies)."""
    from .quizfamilies import generate_families

    cal = cal or LegalCalendar.default()
    out = [*_deadline_questions(procedures, articles, cal), *_threshold_questions(procedures, articles),
           *_source_questions(articles), *generate_families(procedures, articles, scenarios)]
    return sorted(out, key=lambda q: q.id)


def question_bank(library: Any) -> list[Question]:
    """Generated and hand-written questions of a library (cached on it: the library is read-only)."""
    cached = getattr(library, "_quiz_bank", None)
    if cached is not None:
        return cached
    bank = generate(library.procedures, library.articles, scenarios=library.scenarios) + sorted(library.questions, key=lambda q: q.id)
    try:
        object.__setattr__(library, "_quiz_bank", bank)
    except AttributeError:
        pass
    return bank


# --- papers ---------------------------------------------------------------------------------------------


@attrs.frozen
class PaperItem:
    number: int  # 1-based
    question: Question
    order: tuple[str, ...]  # option ids in the order shown (A, B, C…)

    def options(self) -> tuple[Option, ...]:
        by_id = {o.id: o for o in self.question.choices()}
        return tuple(by_id[i] for i in self.order)

    def letter(self, option_id: str) -> str:
        return "ABCDEFGHIJ"[self.order.index(option_id)]


@attrs.frozen
class Paper:
    seed: int
    items: tuple[PaperItem, ...]
    digest: str  # sha256 of the questions and their answers: pins the paper's version in a bundle

    def item(self, qid: str) -> PaperItem | None:
        return next((i for i in self.items if i.question.id == qid), None)


def _digest(items: Sequence[PaperItem]) -> str:
    data = [[i.question.to_json(), list(i.order)] for i in items]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def joined_paper(seed: int, *parts: Paper) -> Paper:
    """One paper of the items of `parts`, numbered again from 1 (a drill tops up its aimed questions)."""
    items = [attrs.evolve(i, number=n) for n, i in enumerate((i for p in parts for i in p.items), 1)]
    return Paper(seed, tuple(items), _digest(items))


def draw_paper(bank: Sequence[Question], seed: int, size: int = 30, *,
               keep: Callable[[Question], bool] | None = None) -> Paper:
    """`size` questions drawn by `seed`, spread over the question families (each family in turn, so a paper
    is not all 条文出处), with the options of each choice question shuffled by the same seed."""
    rng = random.Random(f"lawdrill-paper:{seed}")
    pool = sorted((q for q in bank if keep is None or keep(q)), key=lambda q: q.id)
    families: dict[str, list[Question]] = {}
    for q in pool:
        families.setdefault(q.family, []).append(q)
    for qs in families.values():
        rng.shuffle(qs)
    order = sorted(families)
    rng.shuffle(order)
    picked: list[Question] = []
    while len(picked) < size and any(families.values()):
        for fam in order:
            if families[fam] and len(picked) < size:
                picked.append(families[fam].pop())
    items = []
    for n, q in enumerate(picked, 1):
        ids = [o.id for o in q.choices()]
        if q.kind is not QKind.TRUEFALSE:
            rng.shuffle(ids)
        items.append(PaperItem(n, q, tuple(ids)))
    return Paper(seed, tuple(items), _digest(items))


# --- scoring --------------------------------------------------------------------------------------------


@attrs.frozen
class QuestionResult:
    number: int
    question_id: str
    correct: bool
    response: tuple[str, ...] | None


@attrs.frozen
class QuizScore:
    points: int  # 0-100
    correct: int
    total: int
    results: tuple[QuestionResult, ...]
    missed_articles: tuple[str, ...]  # catalogue keys of the questions missed (once per question)
    missed_rules: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"points": self.points, "correct": self.correct, "total": self.total,
                "results": [[r.number, r.question_id, r.correct, list(r.response) if r.response else None]
                            for r in self.results],
                "missed_articles": list(self.missed_articles), "missed_rules": list(self.missed_rules)}


def score_paper(paper: Paper, answers: Mapping[str, Any]) -> QuizScore:
    """Score answers keyed by question id. Each question counts the same; a question left blank or answered
    in a form that cannot be read is wrong. Points = correct / total × 100, rounded half up."""
    results = []
    missed_a: list[str] = []
    missed_r: list[str] = []
    for item in paper.items:
        q = item.question
        got = q.normalise(answers.get(q.id))
        ok = got == q.answer
        results.append(QuestionResult(item.number, q.id, ok, got))
        if not ok:
            missed_a.extend(q.articles)
            missed_r.extend(q.rules)
    correct = sum(r.correct for r in results)
    total = len(results)
    points = (correct * 100 * 2 + total) // (2 * total) if total else 0
    return QuizScore(points, correct, total, tuple(results), tuple(missed_a), tuple(missed_r))
