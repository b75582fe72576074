"""Scenario library loading: YAML files -> frozen model objects, with file:line:col errors.

Three kinds of file, told apart by their top-level keys:
- a law catalogue (`law:`), one law per file, articles with their status tag;
- a procedure template (`states:` / `abstract:` / `extends:`), the state machine and the rules once;
- a case (`procedure:`), the facts of one case plus self-tests, naming its template.

One broken file never stops the others: each error is recorded and the file (and anything that depends on
it) is left out. Expressions are parsed and name-checked here, once.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
import typing
from typing import Any, NoReturn, TypeVar

import attrs

from .files import bundled_scenarios, library_files
from .files import yaml_files as _yaml_files
from . import expr as X
from . import params as P
from .bounds import BoundsError, check_id, check_moment
from .calendar import parse_period
from . import discretion as D
from . import outcomes as O
from .model import (
    MUTATIONS, ActionSpec, Anchor, Article, DeadlineSpec, DocumentSpec, Evidence, FieldSpec, Law, LawfulMark,
    LawfulOutcome, Officer, Option, OutcomeKind,
    ParamKind, ParamSpec, Period, Phrase, Pos, Procedure, RuleKind, RuleSpec, Scenario, ScheduledEvent,
    SelfTest, Severity, Stage, StateSpec, Status, Step, Verdict, WorldEventSpec,
)
from .yamlsrc import FULL_WIDTH_KEY, YamlError, YList, YMap, parse_file, read_source

# Functions available in expressions; the engine binds them per session (sim.session).
FUNCTIONS = (
    "done", "count", "last", "first", "happened", "certified", "all_certified", "len", "min", "max", "abs",
    "proper", "is_rest_day", "is_holiday", "is_night", "working_days_between", "days_between", "has", "date", "served",
    "collected", "key_evidence_collected", "has_all", "in_time", "all_of", "competent_receiver",
    "states_facts_and_basis", "penalty_rank", "failed_service", "count_where", "cites_basis", "states_fine", "fine_agrees",
    "names_party", "states_period", "same_basis", "cites_penalty_basis", "cites_no_penalty_basis", "names_officers",
    "names_served_document", "states_date",
    "text_without_content",
)
ROOT_NAMES = ("act", "party", "facts", "case", "flags", "penalty", "now", "state")

# What every case's party has (a case may add more). Rules in templates can rely on these keys.
PARTY_DEFAULTS: dict[str, Any] = {
    "name": "",
    "present": True,  # present at the scene / at announcement
    "cooperative": True,
    "refuses_to_sign": False,  # refuses to sign for documents (service must be by leave-behind)
    "whereabouts_unknown": False,  # cannot be found (public notice becomes lawful once tried)
    "cohabiting_adult": False,  # an adult family member lives with the party (can sign for them)
    "e_service_consent": False,  # has signed the e-service confirmation (确认书)
    "post_days": 3,  # days a registered letter takes to be signed for (training assumption)
    "address": "",
}
CALLBACK_KEYS = {
    "before", "after", "prepare", "on_enter", "on_exit", "conditions", "callbacks", "on_exception",
    "finalize_event", "before_state_change", "after_state_change", "on_final", "trigger", "source", "dest",
}


@attrs.frozen
class LoadError:
    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class _Bad(Exception):
    def __init__(self, error: LoadError):
        super().__init__(str(error))
        self.error = error


def _fail(node: Any, message: str, key: str | int | None = None) -> NoReturn:
    file = getattr(node, "file", "?")
    if key is not None and isinstance(node, (YMap, YList)):
        line, col = node.at(key)  # type: ignore[arg-type]
    else:
        line, col = getattr(node, "line", 0), getattr(node, "col", 0)
    raise _Bad(LoadError(file, line, col, message))


def _pos(node: Any, key: str | int | None = None) -> Pos:
    file = getattr(node, "file", "?")
    if key is not None and isinstance(node, (YMap, YList)):
        line, col = node.at(key)  # type: ignore[arg-type]
        return Pos(file, line, col)
    return Pos(file, getattr(node, "line", 0), getattr(node, "col", 0))


def _colon_hint(value: Any) -> str:
    """Where a mapping was expected and the text reads `key： value`, the full-width colon is the cause."""
    found = FULL_WIDTH_KEY.match(value) if isinstance(value, str) else None
    return (f"（「{found.group(2)}：」用了全角冒号，应改为半角冒号「:」并在其后加一个空格）" if found else "")


_TYPE_NAMES = {str: "字符串", int: "整数", bool: "布尔值（true/false）", dict: "映射", list: "列表", float: "数字"}


def _check_keys(node: YMap, allowed: Iterable[str], what: str, required: Iterable[str] = ()) -> None:
    allowed = set(allowed)
    for key in node:
        if key not in allowed:
            if key in CALLBACK_KEYS:
                _fail(node, f"{what}中不允许「{key}」：场景文件不能指定回调或直接配置状态机（安全原因）", key)
            _fail(node, f"{what}中有未知的键「{key}」（可用：{'、'.join(sorted(allowed))}）", key)
    for key in required:
        if key not in node:
            _fail(node, f"{what}缺少必填的键「{key}」")


def _get(node: YMap, key: str, typ: type | tuple[type, ...], what: str, default: Any = None,
         required: bool = False) -> Any:
    if key not in node:
        if required:
            _fail(node, f"{what}缺少必填的键「{key}」")
        return default
    value = node[key]
    types = typ if isinstance(typ, tuple) else (typ,)
    ok = isinstance(value, types) and not (bool in (type(value),) and bool not in types and int in types)
    if not ok:
        names = "或".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
        _fail(node, f"{what}的「{key}」应为{names}，实际是「{value!r}」{_colon_hint(value) if dict in types else ''}", key)
    return value


def _map(node: YMap, key: str, what: str) -> YMap:
    value = _get(node, key, dict, what, default=None)
    if value is None:
        empty = YMap()
        empty.file, empty.line, empty.col, empty.key_where = node.file, node.line, node.col, {}
        return empty
    return value


def _list(node: YMap, key: str, what: str) -> YList:
    value = node.get(key)
    if value is None:
        empty = YList()
        empty.file, empty.line, empty.col, empty.item_where = node.file, node.line, node.col, []
        return empty
    if isinstance(value, str):
        one = YList([value])
        one.file, (one.line, one.col) = node.file, node.at(key)
        one.item_where = [node.at(key)]
        return one
    if not isinstance(value, list):
        _fail(node, f"{what}的「{key}」应为列表", key)
    return value


def _strs(node: YMap, key: str, what: str) -> tuple[str, ...]:
    items = _list(node, key, what)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            _fail(items, f"{what}的「{key}」中应为字符串，实际是「{item!r}」", i)
    return tuple(items)


# Names the state machine itself gives the case model: an action by one of them could not be a trigger.
RESERVED_ACTIONS = frozenset({"state", "trigger", "machine"})


def _id(node: YMap, key: str, what: str) -> str:
    """An id value (`id: …`): a string matching the documented pattern (it may become part of a file name)."""
    value = _get(node, key, str, what, required=True)
    try:
        return check_id(value, f"{what}编号")
    except BoundsError as exc:
        _fail(node, str(exc), key)


def _key_id(node: YMap, key: str, what: str) -> str:
    """An id written as a mapping key (actions, events)."""
    try:
        return check_id(key, f"{what}编号")
    except BoundsError as exc:
        _fail(node, str(exc), key)


def _expr(node: Any, key: str | int, raw: Any) -> X.Expr:
    try:
        return X.parse(raw)
    except X.ExprError as exc:
        _fail(node, str(exc), key)


def _period(node: Any, key: str, raw: Any) -> Period:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = f"{raw} days"
    if not isinstance(raw, str):
        _fail(node, f"「{key}」应为期间，如 \"5 working_days\"、\"90 days\"、\"3 months\"、\"24 hours\"", key)
    try:
        length, unit = parse_period(raw)
    except ValueError as exc:
        _fail(node, f"无法识别的期间「{raw}」：{exc}", key)
    if length < 0:
        _fail(node, f"期间不能为负数：{raw}", key)
    return Period(length, str(unit))


def _anchor(node: Any, key: str, raw: Any) -> Anchor:
    if not isinstance(raw, str) or not raw:
        _fail(node, f"「{key}」应为起算事件，如 file_case、served:decide、event:hearing_requested、discovered", key)
    if raw == "discovered":
        return Anchor("discovered")
    if raw.startswith("served:"):
        return Anchor("served", raw[len("served:"):])
    if raw.startswith("event:"):
        return Anchor("event", raw[len("event:"):])
    return Anchor("act", raw)


def _datetime(node: Any, key: str | int, raw: Any) -> dt.datetime:
    value: dt.datetime | None = None
    if isinstance(raw, dt.datetime):
        value = raw.replace(tzinfo=None)
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time(9, 0))
    elif isinstance(raw, str):
        text = raw.replace("T", " ").strip()
        try:
            if len(text) <= 10:  # a date alone means 09:00, as a YAML date does
                value = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(9, 0))
            else:
                value = dt.datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            pass
    if value is not None:
        try:
            return check_moment(value, f"「{key}」的时间")
        except BoundsError as exc:
            _fail(node, str(exc), key)
    _fail(node, f"「{key}」应为日期或日期时间，如 2025-06-03 或 2025-06-03T10:20，实际是「{raw!r}」", key)


# --- law ---------------------------------------------------------------------------------------------------


def _load_law(doc: YMap) -> Law:
    what = "法律条文目录"
    _check_keys(doc, ("law", "full", "version", "articles"), what, required=("law", "articles"))
    short = _get(doc, "law", str, what)
    arts = _map(doc, "articles", what)
    articles: dict[str, Article] = {}
    for number, body in arts.items():
        if not isinstance(body, dict):
            _fail(arts, f"条文「{number}」应为映射（text、status、source）", number)
        _check_keys(body, ("text", "status", "source"), f"条文「{short}#{number}」", required=("text", "status"))
        if not all(part.isdigit() for part in str(number).split(".")):
            _fail(arts, f"条文编号「{number}」应为数字，款项用点分隔，如 61.2", number)
        status_raw = _get(body, "status", str, "条文")
        try:
            status = Status(status_raw)
        except ValueError:
            _fail(body, f"未知的核实状态「{status_raw}」（可用：P、S、AN、PR、UNVERIFIED）", "status")
        articles[str(number)] = Article(
            short, str(number), _get(body, "text", str, "条文"), status, _get(body, "source", str, "条文", ""),
            _pos(arts, number),
        )
    return Law(short, _get(doc, "full", str, what, short), _get(doc, "version", str, what, ""), articles)


# --- procedures ------------------------------------------------------------------------------------------


def _params(doc: YMap, what: str) -> dict[str, ParamSpec]:
    out: dict[str, ParamSpec] = {}
    node = _map(doc, "params", what)
    for pid, body in node.items():
        if not isinstance(body, dict):
            _fail(node, f"参数「{pid}」应为映射", pid)
        _check_keys(body, ("label", "kind", "options", "help"), f"参数「{pid}」", required=("label", "kind"))
        kind_raw = _get(body, "kind", str, "参数")
        try:
            kind = ParamKind(kind_raw)
        except ValueError:
            _fail(body, f"未知的参数类型「{kind_raw}」（可用：{'、'.join(k.value for k in ParamKind)}）", "kind")
        out[pid] = ParamSpec(pid, _get(body, "label", str, "参数"), kind, _options(body, "参数"),
                             _get(body, "help", str, "参数", ""))
    return out


def _options(body: YMap, what: str) -> tuple[Option, ...]:
    opts = _get(body, "options", dict, what, None)
    if opts is None:
        return ()
    return tuple(Option(str(k), str(v)) for k, v in opts.items())


def _wordings(body: YMap, fid: str, kind: str) -> tuple[str, ...]:
    """A text field's `wordings`: at least two phrases an officer writes (the right one and others)."""
    if "wordings" not in body:
        return ()
    if kind != "text":
        _fail(body, f"只有文字型字段可以有 wordings（「{fid}」是 {kind}）", "wordings")
    raw = _list(body, "wordings", f"文书字段「{fid}」")
    out: list[str] = []
    for i, item in enumerate(raw):
        if not isinstance(item, str) or not item.strip():
            _fail(raw, f"文书字段「{fid}」的 wordings 每一项应为一句非空文字，实际是「{item!r}」", i)
        if item.strip() in out:
            _fail(raw, f"文书字段「{fid}」的 wordings 中「{item.strip()}」重复", i)
        out.append(item.strip())
    if len(out) < 2:
        _fail(body, f"文书字段「{fid}」的 wordings 至少要有两项（含错误选项，不能只列正确答案）", "wordings")
    return tuple(out)


def _document(node: YMap, key: str) -> DocumentSpec:
    raw = node[key]
    if isinstance(raw, str):
        return DocumentSpec(raw)
    if not isinstance(raw, dict):
        _fail(node, "「document」应为文书名称或 {name, fields} 映射", key)
    _check_keys(raw, ("name", "fields"), "文书", required=("name",))
    fields: list[FieldSpec] = []
    fnode = _map(raw, "fields", "文书")
    for fid, fbody in fnode.items():
        if isinstance(fbody, str):
            fields.append(FieldSpec(fid, fbody))
            continue
        if not isinstance(fbody, dict):
            _fail(fnode, f"文书字段「{fid}」应为标签文字或映射", fid)
        _check_keys(fbody, ("label", "kind", "options", "help", "wordings"), f"文书字段「{fid}」",
                    required=("label",))
        kind = _get(fbody, "kind", str, "文书字段", "text")
        if kind not in ("text", "choice", "amount", "bool"):
            _fail(fbody, f"文书字段类型「{kind}」未知（可用：text、choice、amount、bool）", "kind")
        opts = _options(fbody, "文书字段")
        if kind == "choice" and not opts:
            _fail(fbody, f"选择型字段「{fid}」需要 options", "kind")
        fields.append(FieldSpec(fid, _get(fbody, "label", str, "文书字段"), kind, opts,
                                _get(fbody, "help", str, "文书字段", ""), _wordings(fbody, fid, kind)))
    return DocumentSpec(_get(raw, "name", str, "文书"), tuple(fields))


_ACTION_KEYS = ("label", "phase", "from", "to", "params", "document", "once", "effective", "help")


def _action(aid: str, body: Any, parent: YMap) -> ActionSpec:
    what = f"动作「{aid}」"
    if not isinstance(body, dict):
        _fail(parent, f"{what}应为映射", aid)
    _check_keys(body, _ACTION_KEYS, what, required=("label", "phase", "from"))
    sources = _strs(body, "from", what)
    dest = _get(body, "to", str, what, None)
    effective = _get(body, "effective", str, what, None)
    if effective not in (None, "service"):
        _fail(body, f"{what}的 effective 只能是 service", "effective")
    return ActionSpec(
        aid, _get(body, "label", str, what), _get(body, "phase", str, what), sources, dest,
        _strs(body, "params", what), _document(body, "document") if "document" in body else None,
        bool(_get(body, "once", bool, what, False)), effective, _get(body, "help", str, what, ""),
        _pos(parent, aid),
    )


def _rule(body: Any, parent: YList, index: int) -> RuleSpec:
    if not isinstance(body, dict):
        _fail(parent, "规则应为映射", index)
    what = f"规则「{body.get('id', index)}」"
    _check_keys(
        body,
        ("id", "title", "severity", "cite", "explain", "expected", "on", "when", "check", "forbid", "require",
         "deadline", "at_finish", "ending", "unless", "points"),
        what, required=("id", "title", "severity", "cite", "explain", "expected"),
    )
    rid = _get(body, "id", str, what)
    sev_raw = _get(body, "severity", str, what)
    try:
        severity = Severity(sev_raw)
    except ValueError:
        _fail(body, f"{what}的 severity「{sev_raw}」未知（可用：critical、major、minor）", "severity")
    kinds = [k for k in ("check", "forbid", "require", "deadline", "at_finish", "ending") if k in body]
    if len(kinds) != 1:
        _fail(body, f"{what}必须且只能有 check、forbid、require、deadline、at_finish、ending 之一")
    kind_key = kinds[0]
    when = _expr(body, "when", body["when"]) if "when" in body else None
    unless = _expr(body, "unless", body["unless"]) if "unless" in body else None
    common: dict[str, Any] = dict(
        id=rid, title=_get(body, "title", str, what), severity=severity, cite=_strs(body, "cite", what),
        explain=_get(body, "explain", str, what), expected=_get(body, "expected", str, what),
        on=_strs(body, "on", what), when=when, unless=unless,
        points=_get(body, "points", int, what, None), pos=_pos(parent, index),
    )
    if not common["cite"]:
        _fail(body, f"{what}至少要引用一个法律条文（cite）", "cite")
    if common["points"] is not None and not 0 <= common["points"] <= 100:
        # A negative deduction would lift a score above 100 ("扣完为止，不计负分" works only downwards).
        _fail(body, f"{what}的 points（扣分）应在 0 到 100 之间", "points")
    if kind_key == "check":
        return RuleSpec(kind=RuleKind.CHECK, expr=_expr(body, "check", body["check"]), **common)
    if kind_key == "forbid":
        return RuleSpec(kind=RuleKind.FORBID, expr=_expr(body, "forbid", body["forbid"]), **common)
    if kind_key == "at_finish":
        return RuleSpec(kind=RuleKind.FINISH, expr=_expr(body, "at_finish", body["at_finish"]), **common)
    if kind_key == "ending":
        raw = body["ending"]
        if raw not in {v.value for v in Verdict}:
            _fail(body, f"{what}的 ending「{raw}」未知（可用：{'、'.join(v.value for v in Verdict)}）", "ending")
        return RuleSpec(kind=RuleKind.ENDING, ending=Verdict(raw), **common)
    if kind_key == "require":
        req = body["require"]
        if not isinstance(req, dict):
            _fail(body, f"{what}的 require 应为 {{before: 动作, done: [动作]}}", "require")
        _check_keys(req, ("before", "done"), f"{what}的 require", required=("before", "done"))
        common["on"] = _strs(req, "before", what)
        return RuleSpec(kind=RuleKind.ORDER, requires=_strs(req, "done", what), **common)
    dl = body["deadline"]
    if not isinstance(dl, dict):
        _fail(body, f"{what}的 deadline 应为映射", "deadline")
    _check_keys(dl, ("from", "after", "to", "within", "not_before", "at_least"), f"{what}的 deadline",
                required=("from",))
    if sum(k in dl for k in ("within", "not_before", "at_least")) != 1:
        _fail(dl, f"{what}的 deadline 必须且只能有 within、not_before、at_least 之一")
    if "at_least" in dl:
        dl["not_before"] = dl.pop("at_least")
        inclusive = True
    else:
        inclusive = False
    end = _anchor(dl, "to", dl["to"]) if "to" in dl else None
    if "not_before" in dl and end is None:
        _fail(dl, f"{what}：not_before 期限必须写明 to（哪个动作不得早于期满）")
    start = _anchor(dl, "from", dl["from"])
    if "after" in dl:
        start = attrs.evolve(start, after=_period(dl, "after", dl["after"]))
    spec = DeadlineSpec(
        start, end,
        _period(dl, "within", dl["within"]) if "within" in dl else None,
        _period(dl, "not_before", dl["not_before"]) if "not_before" in dl else None,
        inclusive,
    )
    return RuleSpec(kind=RuleKind.DEADLINE, deadline=spec, **common)


_PROC_KEYS = ("id", "title", "abstract", "extends", "states", "actions", "events", "rules", "disable_rules",
              "conditions", "flags", "phrases", "officers", "params", "phases")


@attrs.define
class _RawProcedure:
    """A template before inheritance is resolved: parsed pieces, each remembering its file."""

    id: str
    doc: YMap
    title: str = ""
    abstract: bool = False
    extends: tuple[str, ...] = ()
    states: dict[str, StateSpec] = attrs.Factory(dict)
    actions: dict[str, ActionSpec] = attrs.Factory(dict)
    events: dict[str, WorldEventSpec] = attrs.Factory(dict)
    rules: dict[str, RuleSpec] = attrs.Factory(dict)
    disable: tuple[str, ...] = ()
    conditions: dict[str, X.Expr] = attrs.Factory(dict)
    flags: dict[str, Any] = attrs.Factory(dict)
    phrases: dict[str, Phrase] = attrs.Factory(dict)
    officers: tuple[Officer, ...] | None = None
    params: dict[str, ParamSpec] = attrs.Factory(dict)
    phases: tuple[str, ...] | None = None


def _parse_parts(doc: YMap, raw: _RawProcedure, what: str, events_key: str = "events") -> None:
    """The parts a template and a case may both declare (cases add to / override their template)."""
    states = _list(doc, "states", what)
    for i, s in enumerate(states):
        if not isinstance(s, dict):
            _fail(states, "状态应为映射 {id, label}", i)
        _check_keys(s, ("id", "label", "initial", "final"), "状态", required=("id", "label"))
        sid = _id(s, "id", "状态")
        raw.states[sid] = StateSpec(sid, _get(s, "label", str, "状态"), bool(_get(s, "initial", bool, "状态", False)),
                                    bool(_get(s, "final", bool, "状态", False)), _pos(states, i))
    actions = _map(doc, "actions", what)
    for aid, body in actions.items():
        _key_id(actions, aid, "动作")
        if aid in RESERVED_ACTIONS:
            _fail(actions, f"动作编号「{aid}」是状态机的保留名称，不能用作动作编号（保留：{'、'.join(sorted(RESERVED_ACTIONS))}）",
                  aid)
        raw.actions[aid] = _action(aid, body, actions)
    events = _map(doc, events_key, what)
    for eid, body in events.items():
        _key_id(events, eid, "事件")
        if not isinstance(body, dict):
            _fail(events, f"事件「{eid}」应为映射", eid)
        _check_keys(body, ("label", "message", "from", "to", "sets"), f"事件「{eid}」", required=("label", "message"))
        sets = _get(body, "sets", dict, f"事件「{eid}」", {})
        raw.events[eid] = WorldEventSpec(
            eid, _get(body, "label", str, "事件"), _get(body, "message", str, "事件"),
            _strs(body, "from", "事件"), _get(body, "to", str, "事件", None), dict(sets), _pos(events, eid))
    rules = _list(doc, "rules", what)
    for i, body in enumerate(rules):
        rule = _rule(body, rules, i)
        raw.rules[rule.id] = rule
    raw.disable = raw.disable + _strs(doc, "disable_rules", what)
    conds = _map(doc, "conditions", what)
    for cid, body in conds.items():
        raw.conditions[cid] = _expr(conds, cid, body)
    flags = _map(doc, "flags", what)
    for fid, value in flags.items():
        if not isinstance(value, (bool, int, str)) and value is not None:
            _fail(flags, f"标志「{fid}」的初始值应为简单值", fid)
        raw.flags[fid] = value
    phrases = _map(doc, "phrases", what)
    for pid, body in phrases.items():
        if not isinstance(body, dict):
            _fail(phrases, f"话术「{pid}」应为映射 {{text, proper}}", pid)
        _check_keys(body, ("text", "proper", "note"), f"话术「{pid}」", required=("text", "proper"))
        text = _get(body, "text", str, "话术")
        if not text.strip():  # reported here, where the phrase is written (not at each template using it)
            _fail(body, f"话术「{pid}」内容为空", "text")
        raw.phrases[pid] = Phrase(pid, text, _get(body, "proper", bool, "话术"), _get(body, "note", str, "话术", ""))
    if "officers" in doc:
        officers = _list(doc, "officers", what)
        out = []
        for i, o in enumerate(officers):
            if not isinstance(o, dict):
                _fail(officers, "执法人员应为映射 {id, name, certified}", i)
            _check_keys(o, ("id", "name", "certified", "cert_no", "role", "note"), "执法人员",
                        required=("id", "name", "certified"))
            out.append(Officer(_get(o, "id", str, "执法人员"), _get(o, "name", str, "执法人员"),
                               _get(o, "certified", bool, "执法人员"), str(o.get("cert_no", "")),
                               _get(o, "role", str, "执法人员", ""), _get(o, "note", str, "执法人员", "")))
        raw.officers = tuple(out)
    raw.params.update(_params(doc, what))
    if "phases" in doc:
        raw.phases = _strs(doc, "phases", what)


def _load_procedure_raw(doc: YMap) -> _RawProcedure:
    what = "程序模板"
    _check_keys(doc, _PROC_KEYS, what, required=("id", "title"))
    raw = _RawProcedure(_id(doc, "id", what), doc, title=_get(doc, "title", str, what),
                        abstract=bool(_get(doc, "abstract", bool, what, False)), extends=_strs(doc, "extends", what))
    _parse_parts(doc, raw, what)
    if raw.abstract:
        raw.rules = {rid: attrs.evolve(r, shared=True) for rid, r in raw.rules.items()}
    return raw


def _merge(base: _RawProcedure, child: _RawProcedure) -> _RawProcedure:
    out = _RawProcedure(child.id, child.doc, title=child.title or base.title, abstract=child.abstract,
                        extends=child.extends)
    out.states = {**base.states, **child.states}
    out.actions = {**base.actions, **child.actions}
    out.events = {**base.events, **child.events}
    out.rules = {**base.rules, **child.rules}
    out.disable = base.disable + child.disable
    out.conditions = {**base.conditions, **child.conditions}
    out.flags = {**base.flags, **child.flags}
    out.phrases = {**base.phrases, **child.phrases}
    out.officers = child.officers if child.officers is not None else base.officers
    out.params = {**base.params, **child.params}
    out.phases = child.phases if child.phases is not None else base.phases
    return out


def _resolve(pid: str, raws: dict[str, _RawProcedure], stack: tuple[str, ...] = ()) -> _RawProcedure:
    raw = raws[pid]
    if pid in stack:
        _fail(raw.doc, f"程序模板继承成环：{' → '.join(stack + (pid,))}", "extends")
    merged = _RawProcedure(pid, raw.doc)
    for parent in raw.extends:
        if parent not in raws:
            _fail(raw.doc, f"继承的程序模板「{parent}」不存在（已有：{'、'.join(sorted(raws))}）", "extends")
        merged = _merge(merged, _resolve(parent, raws, stack + (pid,)))
    return _merge(merged, raw)


# --- validation of a finished procedure (template, or template + case) -------------------------------------


class _Names:
    """What expressions in a given procedure/case may read."""

    def __init__(self, proc: Procedure, case_values: dict[str, Any] | None):
        self.proc = proc
        self.case_values = case_values  # None while validating an abstract template alone

    def check(self, node: Any, key: str | int, e: X.Expr, acts: Sequence[str] | None) -> None:
        names = set(ROOT_NAMES) | set(self.proc.conditions)
        try:
            X.check_names(e, names, FUNCTIONS)
        except X.ExprError as exc:
            _fail(node, str(exc), key)
        for fn, args in e.calls:
            if fn in ("done", "count", "last", "first", "served", "count_where") and args and isinstance(args[0], str):
                if args[0] not in self.proc.actions:
                    _fail(node, f"{fn}() 引用了不存在的动作「{args[0]}」：{e.source}", key)
            if fn == "happened" and args and isinstance(args[0], str) and args[0] not in self.proc.events:
                _fail(node, f"happened() 引用了不存在的事件「{args[0]}」：{e.source}", key)
            if fn == "proper" and args and isinstance(args[0], str) and args[0] not in self.proc.phrases:
                _fail(node, f"proper() 引用了不存在的话术「{args[0]}」：{e.source}", key)
            if fn == "in_time" and len(args) >= 3 and isinstance(args[2], str):
                try:  # the period is read when the rule runs; a bad one is the author's error, found here
                    parse_period(args[2])
                except ValueError as exc:
                    _fail(node, f"in_time() 的期间有误：{exc}", key)
        for root, attr in e.attrs_read:
            self._check_attr(node, key, e, root, attr, acts)

    def _check_attr(self, node: Any, key: str | int, e: X.Expr, root: str, attr: str,
                    acts: Sequence[str] | None) -> None:
        known: set[str] | None = None
        if root == "act":
            pool = acts if acts is not None else list(self.proc.actions)
            known = set(P.ACT_BUILTINS)
            for a in pool:
                known |= set(self.proc.actions[a].params)
        elif root.startswith(("last(", "first(")):
            aid = root[root.index("(") + 1:-1]
            if aid in self.proc.actions:
                known = set(P.ACT_BUILTINS) | set(self.proc.actions[aid].params)
        elif root == "flags":
            known = set(self.proc.flags)
        elif root in ("party", "facts", "penalty", "case") and self.case_values is not None:
            value = self.case_values.get(root)
            if isinstance(value, dict):
                known = set(value)
        if known is not None and attr not in known:
            _fail(node, f"「{root}.{attr}」不存在（可用：{'、'.join(sorted(known)) or '无'}）：{e.source}", key)


def _validate_procedure(proc: Procedure, articles: dict[str, Article], case_values: dict[str, Any] | None,
                        doc: YMap) -> None:
    """Cross-reference checks. Raises _Bad at the first problem (with its own position)."""
    if not proc.states:
        _fail(doc, f"程序「{proc.id}」没有定义任何状态")
    for what, keys in (("参数", proc.params), ("标志", proc.flags)):
        for k in keys:
            if k in X.RESERVED_KEYS:
                _fail(doc, f"{what}名「{k}」是保留字（会被读成字典方法），请换一个名称")
    for a in proc.actions.values():
        for f in (a.document.fields if a.document else ()):
            if f.id in X.RESERVED_KEYS:
                raise _Bad(LoadError(a.pos.file, a.pos.line, a.pos.col,
                                     f"动作「{a.id}」的文书字段名「{f.id}」是保留字（会被读成字典方法），请换一个名称"))
    initials = [s for s in proc.states if s.initial]
    if len(initials) != 1:
        _fail(doc, f"程序「{proc.id}」必须恰有一个初始状态（initial: true），现有 {len(initials)} 个")
    state_ids = {s.id for s in proc.states}
    for a in proc.actions.values():
        for s in a.sources:
            if s != "*" and s not in state_ids:
                raise _Bad(LoadError(a.pos.file, a.pos.line, a.pos.col, f"动作「{a.id}」的 from 中有不存在的状态「{s}」"))
        if a.dest is not None and a.dest not in state_ids:
            raise _Bad(LoadError(a.pos.file, a.pos.line, a.pos.col, f"动作「{a.id}」的 to 是不存在的状态「{a.dest}」"))
        for p in a.params:
            if p not in proc.params:
                raise _Bad(LoadError(a.pos.file, a.pos.line, a.pos.col,
                                     f"动作「{a.id}」使用了未知参数「{p}」（可用：{'、'.join(sorted(proc.params))}）"))
        if "document" in a.params and a.document is None:
            raise _Bad(LoadError(a.pos.file, a.pos.line, a.pos.col, f"动作「{a.id}」有 document 参数但没有定义文书"))
        if proc.phases and a.phase not in proc.phases:
            raise _Bad(LoadError(a.pos.file, a.pos.line, a.pos.col,
                                 f"动作「{a.id}」的阶段「{a.phase}」不在 phases 中（{'、'.join(proc.phases)}）"))
    for ev in proc.events.values():
        for s in ev.sources:
            if s not in state_ids:
                raise _Bad(LoadError(ev.pos.file, ev.pos.line, ev.pos.col, f"事件「{ev.id}」的 from 中有不存在的状态「{s}」"))
        if ev.dest is not None and ev.dest not in state_ids:
            raise _Bad(LoadError(ev.pos.file, ev.pos.line, ev.pos.col, f"事件「{ev.id}」的 to 是不存在的状态「{ev.dest}」"))
        for flag in ev.sets:
            if flag not in proc.flags:
                raise _Bad(LoadError(ev.pos.file, ev.pos.line, ev.pos.col, f"事件「{ev.id}」设置了未声明的标志「{flag}」"))
    names = _Names(proc, case_values)
    cond_node = doc
    for cid, e in proc.conditions.items():
        names.check(cond_node, "conditions", e, None)
    _check_condition_cycles(proc, doc)
    for r in proc.rules:
        here = LoadError(r.pos.file, r.pos.line, r.pos.col, "")

        def bad(msg: str, r: RuleSpec = r, here: LoadError = here) -> NoReturn:
            raise _Bad(attrs.evolve(here, message=f"规则「{r.id}」：{msg}"))

        for c in r.cite:
            if c not in articles:
                bad(f"引用的条文「{c}」不在法律条文目录中")
        for a in r.on + r.requires:
            if a not in proc.actions:
                bad(f"引用了不存在的动作「{a}」")
        acts = r.on or None
        for e in (r.when, r.expr, r.unless):
            if e is None:
                continue
            pos_node = _PosNode(r.pos)
            try:
                names.check(pos_node, None, e, acts)  # type: ignore[arg-type]
            except _Bad as exc:
                bad(exc.error.message)
        if r.kind in (RuleKind.CHECK, RuleKind.FORBID) and not r.on:
            bad("check/forbid 规则需要 on（适用于哪些动作），或在表达式中读取某些动作才有的参数（act.X）")
        if r.kind == RuleKind.DEADLINE and r.deadline is not None:
            for anchor in (r.deadline.start, r.deadline.end):
                if anchor is None or anchor.kind == "discovered":
                    continue
                if anchor.kind in ("act", "served") and anchor.ref not in proc.actions:
                    bad(f"期限引用了不存在的动作「{anchor.ref}」")
                if anchor.kind == "event" and anchor.ref not in proc.events:
                    bad(f"期限引用了不存在的事件「{anchor.ref}」")


@attrs.frozen
class _PosNode:
    pos: Pos

    @property
    def file(self) -> str:
        return self.pos.file

    @property
    def line(self) -> int:
        return self.pos.line

    @property
    def col(self) -> int:
        return self.pos.col


def _check_condition_cycles(proc: Procedure, doc: YMap) -> None:
    def visit(cid: str, path: tuple[str, ...]) -> None:
        if cid in path:
            _fail(doc, f"命名条件循环引用：{' → '.join(path + (cid,))}", "conditions")
        for n in proc.conditions[cid].names:
            if n in proc.conditions:
                visit(n, path + (cid,))

    for cid in proc.conditions:
        visit(cid, ())


def _derive_on(rule: RuleSpec, actions: dict[str, ActionSpec], params: dict[str, ParamSpec]) -> RuleSpec | None:
    """A check/forbid rule without `on` applies to every action that has all the act parameters it reads.

    A shared rule about a parameter that no action of this procedure takes (say, the written-record rule in a
    procedure without 笔录) simply does not apply here: None. A parameter nobody has ever declared is left for
    validation to report as an unknown name.
    """
    if rule.on or rule.kind not in (RuleKind.CHECK, RuleKind.FORBID):
        return rule
    read = set()
    for e in (rule.when, rule.expr, rule.unless):
        if e is not None:
            read |= {attr for root, attr in e.attrs_read if root == "act" and attr not in P.ACT_BUILTINS}
    if not read:
        return rule
    on = tuple(a.id for a in actions.values() if read <= set(a.params))
    if on:
        return attrs.evolve(rule, on=on)
    return None if read <= set(params) else rule


def _fit_shared(rule: RuleSpec, actions: dict[str, ActionSpec]) -> RuleSpec | None:
    """A rule written once in an abstract base names actions that some procedures do not have: there it
    looks only at the actions that exist, and does not apply at all if none of the ones it needs exist."""
    if not rule.shared:
        return rule
    on = tuple(a for a in rule.on if a in actions)
    requires = tuple(a for a in rule.requires if a in actions)
    if rule.on and not on:
        return None
    if rule.kind == RuleKind.ORDER and not requires:
        return None
    if rule.deadline is not None:
        for anchor in (rule.deadline.start, rule.deadline.end):
            if anchor is not None and anchor.kind in ("act", "served") and anchor.ref not in actions:
                return None
    for e in (rule.when, rule.expr, rule.unless):
        if e is None:
            continue
        for fn, args in e.calls:
            if fn in ("done", "count", "last", "first", "served", "count_where") and args \
                    and isinstance(args[0], str) and args[0] not in actions:
                return None
    return attrs.evolve(rule, on=on, requires=requires)


def _freeze(raw: _RawProcedure) -> Procedure:
    params = dict(P.BUILTIN)
    params.update(raw.params)
    phases = raw.phases or tuple(dict.fromkeys(a.phase for a in raw.actions.values()))
    return Procedure(
        id=raw.id, title=raw.title, states=tuple(raw.states.values()), actions=dict(raw.actions),
        events=dict(raw.events),
        rules=tuple(r for r in (_derive_on(f, raw.actions, params) for f in (
            _fit_shared(r, raw.actions) for rid, r in raw.rules.items() if rid not in raw.disable) if f is not None)
                    if r is not None),
        conditions=dict(raw.conditions), flags=dict(raw.flags), phrases=dict(raw.phrases),
        officers=raw.officers or (), params=params, phases=tuple(phases), abstract=raw.abstract,
        extends=raw.extends, pos=_pos(raw.doc),
    )


# --- cases -------------------------------------------------------------------------------------------------

_CASE_KEYS = ("id", "title", "procedure", "case_type", "difficulty", "tags", "briefing", "discovered", "party",
              "facts", "evidence", "penalty", "power", "officers", "phrases", "rules", "disable_rules",
              "conditions", "flags", "events", "event_types", "reference", "traps", "params", "outcomes",
              "analysis", "approval")


def _plain(value: Any) -> Any:
    """Strip position wrappers (for hashing and for the engine's read-only case data)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# The public name for front ends (`lawdrill new` copies a parsed case file): no module imports a private name
# from another (tests/test_import_hygiene.py).
plain_data = _plain


def _steps(node: YList, what: str, proc: Procedure, seen: dict[int, Step] | None = None) -> tuple[Step, ...]:
    """Self-test steps. `seen` caches steps by mapping: a step reused through a YAML alias (`*inspect`) is the
    same mapping object and is read once per case."""
    out = []
    seen = {} if seen is None else seen
    for i, s in enumerate(node):
        hit = seen.get(id(s))
        if hit is not None:
            out.append(attrs.evolve(hit, pos=_pos(node, i)))
            continue
        if not isinstance(s, dict):
            _fail(node, f"{what}的步骤应为映射，如 {{do: file_case, at: 2025-06-03}}{_colon_hint(s)}", i)
        if "advance" in s:
            out.append(Step("advance", _step_time(s, "advance"), {}, _pos(node, i)))
            continue
        if "finish" in s:
            out.append(Step("finish", None, {}, _pos(node, i)))
            continue
        do = _get(s, "do", str, what, required=True)
        if do not in proc.actions:
            _fail(s, f"{what}中的动作「{do}」不存在（可用：{'、'.join(proc.actions)}）", "do")
        at = _step_time(s, "at") if "at" in s else None
        params = {k: _plain(v) for k, v in s.items() if k not in ("do", "at")}
        allowed = set(proc.actions[do].params)
        for k in params:
            if k not in allowed:
                _fail(s, f"动作「{do}」没有参数「{k}」（可用：{'、'.join(sorted(allowed)) or '无'}）", k)
        out.append(Step(do, at, params, _pos(node, i)))
        seen[id(s)] = out[-1]
    return tuple(out)


def _step_time(s: YMap, key: str) -> str:
    raw = s[key]
    if isinstance(raw, str) and raw.startswith("+"):
        try:
            parse_period(raw[1:])
        except ValueError as exc:
            _fail(s, f"时间推进「{raw[:40]}」无效：{exc}", key)
        return raw
    return _datetime(s, key, raw).isoformat()


def _script(doc: YMap, key: str, proc: Procedure, names: _Names) -> tuple[ScheduledEvent, ...]:
    """Scheduled world events: the case's `events`, or a self-test's own `events` replacing them."""
    what = "案例"
    script = []
    events_node = _list(doc, key, what)
    for i, ev in enumerate(events_node):
        if not isinstance(ev, dict):
            _fail(events_node, "事件安排应为映射 {then, after, wait, when, chance}", i)
        _check_keys(ev, ("then", "after", "wait", "period", "when", "chance"), "事件安排", required=("then", "after"))
        if "wait" in ev and "period" in ev:
            _fail(ev, "事件安排只能有 wait（事件发生前经过的时间）或 period（法定期间届满）之一", "period")
        eid = _get(ev, "then", str, "事件安排")
        if eid not in proc.events:
            _fail(ev, f"事件「{eid}」未在程序模板或案例的 events 中定义", "then")
        after = _anchor(ev, "after", ev["after"])
        if after.kind in ("act", "served") and after.ref not in proc.actions:
            _fail(ev, f"事件安排引用了不存在的动作「{after.ref}」", "after")
        if after.kind == "event" and after.ref not in proc.events:
            _fail(ev, f"事件安排引用了不存在的事件「{after.ref}」", "after")
        when = _expr(ev, "when", ev["when"]) if "when" in ev else None
        if when is not None:
            names.check(ev, "when", when, None)
        chance = ev.get("chance", 1.0)
        if isinstance(chance, bool) or not isinstance(chance, (int, float)) or not 0 <= chance <= 1:
            _fail(ev, "chance 应为 0 到 1 之间的数", "chance")
        key = "period" if "period" in ev else "wait"
        script.append(ScheduledEvent(eid, after, _period(ev, key, ev[key]) if key in ev else None,
                                     when, float(chance), _pos(events_node, i), legal=key == "period"))
    return tuple(script)


def _selftests(doc: YMap, key: str, proc: Procedure, reference: bool, names: _Names,
               seen: dict[int, Step] | None = None) -> list[SelfTest]:
    out = []
    items = _list(doc, key, "案例")
    for i, t in enumerate(items):
        what = f"{'参考路径' if reference else '陷阱'}「{t.get('name', i) if isinstance(t, dict) else i}」"
        if not isinstance(t, dict):
            _fail(items, f"{what}应为映射 {{name, steps, expect}}", i)
        keys = ("name", "steps", "expect", "note", "events") + (("lawful",) if reference else ())
        if not reference and "lawful" in t:
            _fail(t, f"{what}：lawful（合法变异）只能写在参考路径中", "lawful")
        _check_keys(t, keys, what, required=("name", "steps", "expect"))
        exp = _get(t, "expect", dict, what)
        _check_keys(exp, ("score", "findings", "state"), f"{what}的 expect")
        findings = None
        if "findings" in exp:
            findings = tuple(sorted(_strs(exp, "findings", what)))
            known = {r.id for r in proc.rules}
            for f in findings:
                if f not in known:
                    _fail(exp, f"{what}期望的规则「{f}」不存在或已停用", "findings")
        if not reference and not findings:
            _fail(t, f"{what}必须写明期望触发的规则（expect.findings）", "expect")
        state = _get(exp, "state", str, what, None)
        if state is not None and state not in {s.id for s in proc.states}:
            _fail(exp, f"{what}期望的状态「{state}」不存在", "state")
        out.append(SelfTest(_get(t, "name", str, what), _steps(_list(t, "steps", what), what, proc, seen),
                            _get(exp, "score", int, what, 100 if reference else None), findings, state,
                            reference, _pos(items, i),
                            _script(t, "events", proc, names) if "events" in t else None,
                            _lawful(t, what) if "lawful" in t else ()))
    return out


def _lawful(t: YMap, what: str) -> tuple[LawfulMark, ...]:
    """`lawful:` of a reference path: mutations the deep check must not require a finding for. Step names are
    resolved against the path by sim.deepcheck, which reports unknown or stale ones with this position."""
    items = _list(t, "lawful", what)
    out = []
    for i, m in enumerate(items):
        if not isinstance(m, dict):
            _fail(items, f"{what}的 lawful 条目应为映射，如 {{drop: interview, why: 理由}}", i)
        _check_keys(m, MUTATIONS + ("why",), f"{what}的 lawful 条目", required=("why",))
        kinds = [k for k in MUTATIONS if k in m]
        if len(kinds) != 1:
            _fail(m, f"{what}的 lawful 条目必须且只能有 drop、swap、repeat、delay 之一")
        step = _get(m, kinds[0], str, f"{what}的 lawful 条目")
        why = _get(m, "why", str, f"{what}的 lawful 条目")
        if not why.strip():
            _fail(m, f"{what}的 lawful 条目须在 why 中写明这样做为什么合法", "why")
        out.append(LawfulMark(kinds[0], step.strip(), why.strip(), _pos(items, i)))
    return tuple(out)


def _approval(doc: YMap, proc: Procedure, what: str) -> tuple[list[str], list[str]]:
    """`approval: {ordinary: [...], major: [...]}`: who may approve the decision (the case's own list of the
    agency's 负责人), ids of the template's `approver` options; `major` defaults to `ordinary`."""
    node = _map(doc, "approval", what)
    if not node:
        return [], []
    _check_keys(node, ("ordinary", "major"), "approval", required=("ordinary",))
    spec = proc.params.get("approver")
    if spec is None:
        _fail(doc, f"程序模板「{proc.id}」没有审批人参数（approver），案例不能规定审批人", "approval")
    known = {o.id: o.label for o in spec.options}
    out = []
    for key in ("ordinary", "major"):
        ids = _strs(node, key, "approval")
        items = _list(node, key, "approval")
        for i, a in enumerate(ids):
            if a not in known:
                _fail(items, f"审批人「{a}」不存在（可用：{'、'.join(f'{k}（{v}）' for k, v in known.items())}）", i)
        out.append(list(ids))
    return out[0], out[1] or out[0]


def _check_penalty_cite(doc: YMap, articles: dict[str, Article]) -> None:
    """`penalty.cite`: the provisions the case's documents must cite for the penalty (法#条[.款[.项]]), each in
    a law of the catalogue."""
    penalty = doc.get("penalty")
    if not isinstance(penalty, YMap) or "cite" not in penalty:
        return
    cite = penalty["cite"]
    if not isinstance(cite, YList) or not cite:
        _fail(penalty, "penalty.cite 应为条文列表，如 [大气污染防治法#119.1]", "cite")
    laws = {a.law for a in articles.values()}
    for i, key in enumerate(cite):
        law, _, number = str(key).partition("#")
        if not isinstance(key, str) or not re.fullmatch(r"[1-9][0-9]{0,3}(\.[1-9][0-9]?){0,3}", number):
            _fail(cite, f"penalty.cite 的「{key}」应写成“法律名称#条.款.项”，如 大气污染防治法#119.1", i)
        if law not in laws:
            _fail(cite, f"penalty.cite 的「{key}」：法律目录中没有《{law}》", i)


def _load_case(doc: YMap, procedures: dict[str, _RawProcedure], articles: dict[str, Article],
               text_hash: str) -> Scenario:
    what = "案例"
    _check_keys(doc, _CASE_KEYS, what, required=("id", "title", "procedure", "discovered", "party", "briefing"))
    pid = _get(doc, "procedure", str, what)
    if pid not in procedures:
        _fail(doc, f"程序模板「{pid}」不存在（已有：{'、'.join(sorted(procedures))}）", "procedure")
    own = _RawProcedure(pid, doc)
    _parse_parts(doc, own, what, events_key="event_types")
    if own.states:
        _fail(doc, "案例不能定义状态（states）；状态属于程序模板", "states")
    base = _resolve(pid, procedures)
    merged = _merge(base, own)
    merged.abstract = False
    proc = _freeze(merged)
    if base.abstract:
        _fail(doc, f"程序模板「{pid}」是抽象模板，案例不能直接使用", "procedure")
    party = _get(doc, "party", dict, what)
    if "kind" not in party or party["kind"] not in ("citizen", "organisation"):
        _fail(party, "party.kind 应为 citizen（公民）或 organisation（法人或其他组织）", "kind" if "kind" in party else None)
    difficulty = _get(doc, "difficulty", int, what, 1)
    if not 1 <= difficulty <= 5:
        _fail(doc, "difficulty 应在 1 到 5 之间", "difficulty")
    evidence_node = doc.get("evidence") or {}
    if not isinstance(evidence_node, dict):
        _fail(doc, "evidence 应为映射 {证据编号: 说明}", "evidence")
    evidence = []
    for eid, body in evidence_node.items():
        if isinstance(body, str):
            evidence.append(Evidence(eid, body))
        elif isinstance(body, dict):
            _check_keys(body, ("label", "how", "key"), f"证据「{eid}」", required=("label",))
            evidence.append(Evidence(eid, body["label"], str(body.get("how", "")),
                                     bool(_get(body, "key", bool, f"证据「{eid}」", False))))
        else:
            _fail(evidence_node, f"证据「{eid}」应为文字说明或 {{label, how}}", eid)
    penalty_node = _map(doc, "penalty", what)
    try:
        penalty = D.derive(_plain(penalty_node))
    except D.DiscretionError as exc:
        if exc.index is not None and isinstance(penalty_node.get(exc.key), YList):
            _fail(penalty_node[exc.key], str(exc), exc.index)
        _fail(penalty_node, str(exc), exc.key if exc.key in penalty_node else None)
    approvers, major_approvers = _approval(doc, proc, what)
    case_values = {
        "party": {**PARTY_DEFAULTS, **_plain(party)}, "facts": _plain(_map(doc, "facts", what)),
        "penalty": penalty, "power": _plain(_map(doc, "power", what)),
    }
    case_values["case"] = {"id": doc["id"], "power": case_values["power"], "penalty": case_values["penalty"],
                           "type": doc.get("case_type", ""), "discovered": _plain(doc["discovered"]),
                           "approvers": approvers, "major_approvers": major_approvers}
    for part in ("party", "facts", "penalty"):
        node = doc.get(part)
        for k in (node or {}):
            if k in X.RESERVED_KEYS:
                _fail(node, f"{part} 中的键「{k}」是保留字（会被读成字典方法），请换一个名称", k)
    _validate_procedure(proc, articles, case_values, doc)
    _check_penalty_cite(doc, articles)
    if not proc.officers:
        _fail(doc, "没有执法人员名单（officers）：请在模板或案例中提供")
    names = _Names(proc, case_values)
    outcomes = _outcomes(doc, proc, case_values, articles, names)
    script = _script(doc, "events", proc, names)
    seen: dict[int, Step] = {}
    tests = (_selftests(doc, "reference", proc, True, names, seen)
             + _selftests(doc, "traps", proc, False, names, seen))
    return Scenario(
        id=_id(doc, "id", what), title=_get(doc, "title", str, what), procedure=proc,
        briefing=_get(doc, "briefing", str, what), discovered=_datetime(doc, "discovered", doc["discovered"]),
        party=case_values["party"], facts=case_values["facts"], evidence=tuple(evidence),
        penalty=case_values["penalty"], power=case_values["power"], script=tuple(script),
        selftests=tuple(tests), difficulty=difficulty, tags=_strs(doc, "tags", what),
        case_type=_get(doc, "case_type", str, what, ""), content_hash=text_hash, path=doc.file,
        articles={c: articles[c] for c in [c for r in proc.rules for c in r.cite]
                  + [c for o in outcomes for st in o.stages for c in st.cite]},
        pos=_pos(doc), outcomes=outcomes, analysis=_case_analysis(doc, evidence, articles),
        approvers=tuple(approvers), major_approvers=tuple(major_approvers),
    )


def _case_analysis(doc: YMap, evidence: list[Evidence], articles: dict[str, Article]) -> Any:
    """The optional `analysis:` key (sim.analysis): what a case analysis needs beyond the case data."""
    if "analysis" not in doc:
        return None
    from .analysis import parse_analysis

    return parse_analysis(doc["analysis"], [e.id for e in evidence], articles)


_OUTCOME_KEYS = ("id", "kind", "label", "when", "stages")
_STAGE_KEYS = ("id", "omitted", "cite", "holds")


def _outcomes(doc: YMap, proc: Procedure, case_values: dict[str, Any], articles: dict[str, Article],
              names: _Names) -> tuple[LawfulOutcome, ...]:
    """The case's lawful outcomes: its own `outcomes:`, else those derived from its power, facts and template
    (sim.outcomes). Every expression is checked like a rule's; every citation must be in the catalogue."""
    what = "案例"
    receivers = O.receiver_ids(proc)
    refer_to = case_values["facts"].get("refer_to")
    if case_values["power"].get("source") == "none" and "outcomes" not in doc and receivers \
            and refer_to not in receivers:
        node = doc.get("facts") if isinstance(doc.get("facts"), dict) else doc
        _fail(node, "power.source 为 none 的案例须在 facts.refer_to 中写明有管辖权的接收机关"
                    f"（可用：{'、'.join(receivers)}）", "refer_to" if "refer_to" in node else None)
    if "outcomes" in doc:
        items = _list(doc, "outcomes", what)
        out = []
        for i, body in enumerate(items):
            if not isinstance(body, dict):
                _fail(items, "合法结果应为映射 {id, kind, label, stages}", i)
            ow = f"合法结果「{body.get('id', i)}」"
            _check_keys(body, _OUTCOME_KEYS, ow, required=("id", "kind", "label", "stages"))
            kind = _get(body, "kind", str, ow)
            if kind not in {k.value for k in OutcomeKind}:
                _fail(body, f"{ow}的 kind「{kind}」未知（可用：{'、'.join(k.value for k in OutcomeKind)}）", "kind")
            when = _expr(body, "when", body["when"]) if "when" in body else None
            if when is not None:
                names.check(body, "when", when, None)
            st_items = _list(body, "stages", ow)
            if not st_items:
                _fail(body, f"{ow}至少要有一个环节（stages）：没有环节的结果等于什么都不做也合法", "stages")
            stages = []
            for j, st in enumerate(st_items):
                if not isinstance(st, dict):
                    _fail(st_items, "环节应为映射 {id, omitted, cite, holds}", j)
                sw = f"{ow}的环节「{st.get('id', j)}」"
                _check_keys(st, _STAGE_KEYS, sw, required=_STAGE_KEYS)
                holds = _expr(st, "holds", st["holds"])
                names.check(st, "holds", holds, None)
                cites = _strs(st, "cite", sw)
                if not cites:
                    _fail(st, f"{sw}至少要引用一个条文或实务依据（cite）", "cite")
                for c in cites:
                    if c not in articles:
                        _fail(st, f"{sw}引用的条文「{c}」不在法律条文目录中", "cite")
                stages.append(Stage(_get(st, "id", str, sw), _get(st, "omitted", str, sw), cites, holds,
                                    _pos(st_items, j)))
            out.append(LawfulOutcome(_get(body, "id", str, ow), OutcomeKind(kind), _get(body, "label", str, ow),
                                     tuple(stages), when, False, _pos(items, i)))
        result = tuple(out)
    else:
        try:
            result = O.derive(proc, case_values, _pos(doc))
        except X.ExprError as exc:  # a template whose shape the derivation does not know
            _fail(doc, f"无法推导本案的合法结果：{exc}；请在案例中写明 outcomes")
        for o in result:
            for e in [o.when] + [st.holds for st in o.stages]:
                if e is not None:
                    names.check(doc, None, e, None)  # type: ignore[arg-type]
        # A trainer's own small catalogue may lack an article the default cites: the stage keeps the rest.
        result = tuple(attrs.evolve(o, stages=tuple(attrs.evolve(st, cite=tuple(c for c in st.cite if c in articles))
                                                    for st in o.stages)) for o in result)
    if result and not any(r.kind == RuleKind.ENDING and r.ending is Verdict.UNFINISHED for r in proc.rules):
        _fail(doc, "程序模板没有 ending: unfinished 规则，无法对未达到合法结果的交卷作出认定")
    return result


# --- the library -------------------------------------------------------------------------------------------


@attrs.define
class Library:
    laws: dict[str, Law] = attrs.Factory(dict)
    articles: dict[str, Article] = attrs.Factory(dict)
    procedures: dict[str, Procedure] = attrs.Factory(dict)
    scenarios: dict[str, Scenario] = attrs.Factory(dict)
    errors: list[LoadError] = attrs.Factory(list)
    files: list[str] = attrs.Factory(list)
    questions: list[Any] = attrs.Factory(list)  # sim.quiz.Question: the hand-written knowledge questions
    _hashes: dict[str, str] = attrs.Factory(dict)

    def scenario(self, ref: str) -> Scenario:
        """Find a case by id or by file path."""
        if ref in self.scenarios:
            return self.scenarios[ref]
        for s in self.scenarios.values():
            if s.path == ref or Path(s.path).resolve() == Path(ref).resolve():
                return s
        raise KeyError(ref)

    def citation(self, key: str) -> Article | None:
        return self.articles.get(key)


# The file lists live in sim.files (pathlib only), so that a cached `lawdrill check` can key its result without
# importing the loader; re-exported here for the callers that have always found them in the loader.
yaml_files = _yaml_files


_P = typing.ParamSpec("_P")
_R = TypeVar("_R")


def _collector_paused(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `fn` with the cyclic garbage collector paused. Loading builds hundreds of thousands of objects that
    all survive (the library), so every collection triggered while it grows scans a larger heap to free
    nothing: more than half of a large library's load time was spent there. Reference counting still frees
    the temporaries; anything cyclic left over is collected once the collector runs again."""

    @functools.wraps(fn)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()
    return paused


@_collector_paused
def load_library(paths: Sequence[str | Path] | str | Path | None = None, *, base: bool = True) -> Library:
    """Load law catalogues, procedure templates and cases. Never raises for bad files: see `.errors`.

    With `base=True` (the default) the bundled laws and templates are loaded first, so a trainer's single
    case file can be checked on its own; files given explicitly override bundled ones with the same id.
    """
    if paths is None:
        paths = [bundled_scenarios()]
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    given = _yaml_files(Path(p) for p in paths)
    lib = Library()
    docs: list[tuple[str, YMap, str]] = []
    bundled: list[Path] = []
    if base:
        root = bundled_scenarios()
        bundled = [p for p in _yaml_files([root / "law", root / "procedures"]) if (root / "law").exists()]
    given_set = {p.resolve() for p in given}
    given_docs: set[int] = set()  # id() of the docs read from explicitly given files
    for origin, path in [("base", p) for p in bundled] + [("given", p) for p in given]:
        if origin == "base" and path.resolve() in given_set:
            continue  # also given explicitly (e.g. the default library): read it once, as given
        if not path.exists():
            lib.errors.append(LoadError(str(path), 0, 0, "文件或目录不存在"))
            continue
        try:
            doc, raw_text = read_source(path)
        except YamlError as exc:
            lib.errors.append(LoadError(exc.file, exc.line, exc.col, exc.message))
            continue
        if not isinstance(doc, YMap):
            lib.errors.append(LoadError(str(path), 1, 1, "文件顶层应为映射（键: 值）"))
            continue
        kind = "law" if "law" in doc else "case" if "procedure" in doc else "quiz" if "questions" in doc else (
            "procedure" if {"states", "abstract", "extends", "actions"} & set(doc) else None)
        if kind is None:
            lib.errors.append(LoadError(str(path), 1, 1, "无法判断文件类型：法律目录应有 law，程序模板应有 states，案例应有 procedure，"
                                                         "题库应有 questions"))
            continue
        text_hash = hashlib.sha256(raw_text).hexdigest()
        if origin == "given":
            lib.files.append(str(path))
            given_docs.add(id(doc))
        docs.append((kind, doc, text_hash))
    # Laws first, then templates (inheritance resolved), then cases.
    given_articles: set[str] = set()
    for kind, doc, _ in docs:
        if kind != "law":
            continue
        try:
            law = _load_law(doc)
        except _Bad as exc:
            lib.errors.append(exc.error)
            continue
        own = list(law.articles.values())
        if law.short in lib.laws:  # a law's articles may be split across files; merge them
            merged = {**lib.laws[law.short].articles, **law.articles}
            law = attrs.evolve(law, articles=merged, full=lib.laws[law.short].full or law.full)
        lib.laws[law.short] = law
        is_given = id(doc) in given_docs
        for art in own:
            prior = lib.articles.get(art.key)
            # A trainer's own files may restate a bundled article (a copy of the library); within one origin
            # an article is defined once.
            clash = prior is not None and prior is not art and prior.pos != art.pos
            if clash and (art.key in given_articles or not is_given):
                lib.errors.append(LoadError(art.pos.file, art.pos.line, art.pos.col,
                                            f"条文「{art.key}」重复定义（已在 {prior.pos} 定义）"))
                continue
            if is_given:
                given_articles.add(art.key)
            lib.articles[art.key] = art
    raws: dict[str, _RawProcedure] = {}
    broken: set[str] = set()
    for kind, doc, h in docs:
        if kind != "procedure":
            continue
        try:
            raw = _load_procedure_raw(doc)
        except _Bad as exc:
            lib.errors.append(exc.error)
            if isinstance(doc.get("id"), str):
                broken.add(doc["id"])
            continue
        if raw.id in raws and (id(raws[raw.id].doc) in given_docs) == (id(doc) in given_docs):
            # A given file may replace a bundled template of the same id; two files of one origin may not.
            first = raws[raw.id].doc
            lib.errors.append(LoadError(doc.file, doc.line, doc.col,
                                        f"程序模板编号「{raw.id}」与 {first.file} 重复"))
            continue
        raws[raw.id] = raw
        lib._hashes[raw.id] = h
    good: dict[str, _RawProcedure] = {}
    for pid, raw in raws.items():
        try:
            merged = _resolve(pid, raws)
            proc = _freeze(merged)
            if not proc.abstract:
                _validate_procedure(proc, lib.articles, None, raw.doc)
        except _Bad as exc:
            lib.errors.append(exc.error)
            continue
        good[pid] = raw
        lib.procedures[pid] = proc
    # The laws a drafted document may name, and whether a case's basis in it is required in its documents:
    # a catalogue of practice standards or design inferences only (执法实务规范) is not cited in a document.
    law_names = tuple(sorted((law.short, law.full, any(a.status not in (Status.PR, Status.AN)
                                                         for a in law.articles.values()))
                             for law in lib.laws.values()))
    for kind, doc, h in docs:
        if kind != "case":
            continue
        try:
            _get(doc, "procedure", str, "案例")  # a list or map here is unhashable: report it, do not crash
            if doc.get("procedure") in broken or (doc.get("procedure") in raws and doc.get("procedure") not in good):
                _fail(doc, f"程序模板「{doc.get('procedure')}」有错误，本案例无法加载", "procedure")
            # The pinned content of a case is its own text plus every template it rests on.
            chain = _template_chain(str(doc.get("procedure")), raws)
            pinned = hashlib.sha256(
                json.dumps([h] + [lib._hashes.get(c, "") for c in chain]).encode()).hexdigest()
            sc = _load_case(doc, good, lib.articles, pinned)
        except _Bad as exc:
            lib.errors.append(exc.error)
            continue
        if sc.id in lib.scenarios:
            first = lib.scenarios[sc.id]
            lib.errors.append(LoadError(doc.file, doc.line, doc.col, f"案例编号「{sc.id}」与 {first.path} 重复"))
            continue
        lib.scenarios[sc.id] = attrs.evolve(sc, laws=law_names)
    _load_questions(lib, [doc for kind, doc, _ in docs if kind == "quiz"])
    return lib


def _load_questions(lib: Library, docs: list[YMap]) -> None:
    """Hand-written knowledge questions (sim.quiz), checked against the catalogue and the rules."""
    if not docs:
        return
    from .quiz import parse_quiz_doc

    rule_ids = {r.id for p in lib.procedures.values() for r in p.rules}
    for doc in docs:
        questions, errors = parse_quiz_doc(doc, lib.articles, rule_ids)
        clash = {q.id for q in lib.questions} & {q.id for q in questions}
        for q in questions:
            if q.id in clash:
                lib.errors.append(LoadError(q.pos.file, q.pos.line, q.pos.col, f"题目编号「{q.id}」与其他题库文件重复"))
            else:
                lib.questions.append(q)
        lib.errors.extend(errors)


def _template_chain(pid: str, raws: dict[str, _RawProcedure]) -> list[str]:
    out: list[str] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        if p in out or p not in raws:
            continue
        out.append(p)
        todo.extend(raws[p].extends)
    return out


# --- step lists (`lawdrill run --steps FILE`) --------------------------------------------------------------


class StepsError(Exception):
    """A steps file that cannot be played; `.error` says where (file:line:col) and why."""

    def __init__(self, error: LoadError):
        super().__init__(str(error))
        self.error = error


def load_steps(path: str | Path, scenario: Scenario) -> tuple[Step, ...]:
    """Read a list of steps for `scenario` from a YAML or JSON file (JSON is read as YAML: same positions).

    The steps have the form of a self-test's `steps:`: `{do: action, at: ..., <params>}`,
    `{advance: date | "+N unit"}`, `{finish: true}`. Raises StepsError with file:line:col on bad input.
    """
    path = Path(path)
    try:
        doc = parse_file(path)
    except YamlError as exc:
        raise StepsError(LoadError(exc.file, exc.line, exc.col, exc.message)) from None
    if not isinstance(doc, YList):
        line, col = getattr(doc, "line", 1), getattr(doc, "col", 1)
        raise StepsError(LoadError(str(path), line, col,
                                   "步骤文件的顶层应为步骤列表，如 - {do: inspect, at: 2026-06-03T10:30}"))
    try:
        return _steps(doc, "步骤文件", scenario.procedure)
    except _Bad as exc:
        raise StepsError(exc.error) from None
