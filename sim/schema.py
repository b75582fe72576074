"""The JSON Schema (draft 2020-12) of the scenario library's four file kinds (law catalogue, procedure
template, case, quiz), generated from the engine.

`scenarios/lawdrill.schema.json` is this module's output, checked into the library (and shipped in the wheel
next to it) so that editors with a YAML language server complete keys and flag mistakes while a trainer types.
The fixed sets (severities, verification statuses, parameter kinds, service methods and proofs, penalty kinds)
and the key sets the loader accepts are read from the engine here, never copied, so the schema and the loader
cannot drift: tests/test_trainer_cli.py checks that the shipped file equals `build_schema()`.

The loader stays the authority: the schema cannot see cross-references (a `from:` state that does not exist,
an expression reading an unknown name), which `lawdrill check` reports with file:line:col.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import discretion as D
from . import loader as L
from . import params as P
from .model import OutcomeKind, ParamKind, Severity, Status, Verdict

SCHEMA_FILE = "lawdrill.schema.json"
SCHEMA_ID = "https://lawdrill.invalid/lawdrill.schema.json"

_STATUS_TEXT = {
    "P": "P：已与官方文本核对",
    "S": "S：二手来源转载的条文",
    "AN": "AN：依据条文推定（设计决定，非法律原文）",
    "PR": "PR：执法实务或评查标准，非法律条文",
    "UNVERIFIED": "UNVERIFIED：尚未核实（显示时附带提示，不作为法律依据）",
}
_VERDICT_TEXT = {
    Verdict.UNFINISHED: "案件未依法办结（不作为）",
    Verdict.SHIRKED: "推诿：本机关有权查处的案件移送他机关",
    Verdict.NOT_REFERRED: "应移送未移送：不属本机关管辖的案件未依法移送",
    Verdict.CRIME_NOT_TRANSFERRED: "涉嫌犯罪案件未依法移送公安机关",
}
_OUTCOME_TEXT = {
    OutcomeKind.PENALTY: "作出处罚决定（未达到时：案件未办结，或移送了即推诿）",
    OutcomeKind.NO_PENALTY: "依法不予行政处罚",
    OutcomeKind.REFERRAL: "移送有管辖权的机关（未达到时：应移送未移送）",
    OutcomeKind.CRIME_REFERRAL: "移送涉嫌犯罪案件（未达到时：涉嫌犯罪案件未移送）",
    OutcomeKind.OTHER: "案例自定的结果",
}
_PARAM_KIND_TEXT = {
    ParamKind.OFFICERS: "执法人员编号列表", ParamKind.BOOL: "是/否", ParamKind.EVIDENCE: "证据编号列表",
    ParamKind.CHOICE: "单选（options 中的一项）", ParamKind.CHOICES: "多选（options 中的若干项）",
    ParamKind.AMOUNT: "金额（元）", ParamKind.TARGET: "所涉文书（此前制作文书的动作编号）",
    ParamKind.DATETIME: "日期时间", ParamKind.TEXT: "文字", ParamKind.PHRASE: "话术编号",
    ParamKind.DOCUMENT: "文书字段及其内容",
}
DOCUMENT_FIELD_KINDS = ("text", "choice", "amount", "bool")
PARTY_KINDS = {"citizen": "公民", "organisation": "法人或其他组织"}
POWER_SOURCES = ("statutory", "assigned", "none")

_DATE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
_RELATIVE = r"^\+\s*\d+\s*\S+$"
_STEP_NAME = r"^[A-Za-z_][A-Za-z0-9_-]*(@[1-9][0-9]*)?$"


def _enum(options: Any, description: str) -> dict[str, Any]:
    """An enum whose members are described one by one (oneOf + const: editors show each label)."""
    return {"description": description,
            "oneOf": [{"const": o.id, "description": o.label} for o in options]}


def _str(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _obj(description: str, props: dict[str, Any], required: tuple[str, ...] = (), *,
         closed: bool = True, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "description": description, "properties": props}
    if required:
        out["required"] = list(required)
    if closed:
        out["additionalProperties"] = False
    out.update(extra)
    return out


def _keys(schema: dict[str, Any], loader_keys: tuple[str, ...], what: str) -> dict[str, Any]:
    """The properties of a closed object must be exactly the keys the loader accepts."""
    have = set(schema["properties"])
    if have != set(loader_keys):
        raise AssertionError(f"schema keys of {what} differ from the loader's: "
                             f"missing {sorted(set(loader_keys) - have)}, "
                             f"extra {sorted(have - set(loader_keys))}")
    return schema


def _step_params() -> dict[str, Any]:
    """Self-test step parameters: the built-in catalogue, typed; templates may add their own (left open)."""
    out: dict[str, Any] = {}
    for p in P.BUILTIN.values():
        desc = f"{p.label}（{_PARAM_KIND_TEXT[p.kind]}）"
        if p.kind in (ParamKind.OFFICERS, ParamKind.EVIDENCE):
            out[p.id] = {"description": desc, "anyOf": [{"type": "string"},
                                                         {"type": "array", "items": {"type": "string"}}]}
        elif p.kind == ParamKind.CHOICES:
            item = _enum(p.options, p.label)
            out[p.id] = {"description": desc, "anyOf": [item, {"type": "array", "items": item}]}
        elif p.kind == ParamKind.CHOICE:
            out[p.id] = _enum(p.options, desc)
        elif p.kind == ParamKind.BOOL:
            out[p.id] = {"type": "boolean", "description": desc}
        elif p.kind == ParamKind.AMOUNT:
            out[p.id] = {"type": "number", "minimum": 0, "description": desc}
        elif p.kind == ParamKind.DOCUMENT:
            out[p.id] = {"type": "object", "description": desc}
        elif p.kind == ParamKind.DATETIME:
            out[p.id] = {"type": "string", "description": desc}
        else:
            out[p.id] = _str(desc)
    return out


def _defs() -> dict[str, Any]:
    d: dict[str, Any] = {}
    d["strs"] = {"description": "一个字符串，或字符串列表",
                 "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    d["expression"] = _str("条件表达式（Python 语法的单个表达式，如 \"len(act.officers) >= 2\"；可用的名称和函数见 "
                           "docs/scenario-format.md）", minLength=1)
    d["period"] = {"description": "期间，如 \"5 working_days\"、\"90 days\"、\"3 months\"、\"24 hours\"，"
                                  "或 5个工作日、15日、3个月、24小时；整数表示日",
                   "anyOf": [{"type": "string", "minLength": 1}, {"type": "integer", "minimum": 0}]}
    d["anchor"] = _str("起算事件：动作编号、served:动作（该动作文书生效送达）、event:事件、discovered（发现案件）",
                       minLength=1)
    d["datetime"] = _str("日期 2026-06-03 或日期时间 2026-06-03T10:20（只写日期时为 09:00）", pattern=_DATE)
    d["options"] = {"type": "object", "description": "选项编号 → 显示文字",
                    "additionalProperties": {"type": ["string", "number", "boolean"]}}
    # --- law catalogue ---
    d["article"] = _obj("一条条文", {
        "text": _str("条文的关键表述"),
        "status": {"description": "核实状态", "oneOf": [{"const": s.value, "description": _STATUS_TEXT[s.value]}
                                                    for s in Status]},
        "source": _str("出处（在哪里读到的）"),
    }, ("text", "status"))
    d["law"] = _obj("法律条文目录：一部法律（可分多个文件）", {
        "law": _str("简称，用于引用：简称#条（如 行政处罚法#61.2）", minLength=1),
        "full": _str("全称，显示在报告中"),
        "version": _str("版本（修订和施行日期）"),
        "articles": {"type": "object", "description": "条文编号 → 条文；款、项用点分隔，如 61.2、18.1.3",
                     "propertyNames": {"pattern": r"^\d+(\.\d+)*$"},
                     "additionalProperties": {"$ref": "#/$defs/article"}},
    }, ("law", "articles"))
    # --- template parts ---
    d["state"] = _obj("程序状态", {
        "id": _str("状态编号"), "label": _str("显示名称"),
        "initial": {"type": "boolean", "description": "初始状态（恰有一个）"},
        "final": {"type": "boolean", "description": "终结状态：程序在此结束"},
    }, ("id", "label"))
    d["document_field"] = {
        "description": "文书字段：标签文字，或 {label, kind, options, help, wordings}",
        "anyOf": [{"type": "string"}, _obj("文书字段", {
            "label": _str("字段名称"),
            "kind": {"enum": list(DOCUMENT_FIELD_KINDS), "description": "字段类型（默认 text）"},
            "options": {"$ref": "#/$defs/options"}, "help": _str("填写说明"),
            "wordings": {"type": "array", "minItems": 2, "uniqueItems": True,
                         "items": {"type": "string", "minLength": 1},
                         "description": "常用表述（文字型字段）：执法人员常写的几种说法，含错误选项，按数字选用"},
        }, ("label",), **{"if": {"properties": {"kind": {"const": "choice"}}, "required": ["kind"]},
                          "then": {"required": ["options"]}})],
    }
    d["document"] = {"description": "本动作制作的文书：文书名称，或 {name, fields}",
                     "anyOf": [{"type": "string"}, _obj("文书", {
                         "name": _str("文书名称，如 行政处罚决定书"),
                         "fields": {"type": "object", "description": "字段编号 → 字段",
                                    "additionalProperties": {"$ref": "#/$defs/document_field"}},
                     }, ("name",))]}
    d["action"] = _keys(_obj("执法动作：from/to 说明此时能否进行，是否合法由规则判断", {
        "label": _str("动作名称"), "phase": _str("所属阶段（如 立案、调查取证、送达）"),
        "from": {"$ref": "#/$defs/strs", "description": "可以开始的状态；\"*\" 表示任何未终结的状态"},
        "to": _str("动作完成后的状态（不写：状态不变）"),
        "params": {"description": "受训人填写的参数（内置参数或模板 params 中定义的）",
                   "anyOf": [{"type": "string"}, {"type": "array", "items": {
                       "anyOf": [{"enum": list(P.BUILTIN), "description": "内置参数"}, {"type": "string"}]}}]},
        "document": {"$ref": "#/$defs/document"},
        "once": {"type": "boolean", "description": "每案只能进行一次"},
        "effective": {"const": "service", "description": "送达类动作：生效日期随送达方式而定"},
        "help": _str("提示模式下显示的说明"),
    }, ("label", "phase", "from")), L._ACTION_KEYS, "action")
    d["event"] = _obj("外界事件（当事人申请听证、缴纳罚款……）", {
        "label": _str("事件名称"), "message": _str("事件日志中显示的话"),
        "from": {"$ref": "#/$defs/strs", "description": "与 to 一起：案件处于这些状态时才改变状态"},
        "to": _str("事件发生后的状态"),
        "sets": {"type": "object", "description": "设置的标志（须在 flags 中声明）"},
    }, ("label", "message"))
    rule_props = {
        "id": _str("规则编号（同编号覆盖上级模板的规则）"), "title": _str("规则标题"),
        "severity": {"description": "严重程度", "oneOf": [{"const": s.value, "description": s.label}
                                                       for s in Severity]},
        "cite": {"$ref": "#/$defs/strs", "description": "法律依据：条文目录中的 简称#条"},
        "explain": _str("问题说明：错在哪里"), "expected": _str("应当如何做"),
        "on": {"$ref": "#/$defs/strs", "description": "check/forbid 规则检查哪些动作"},
        "when": {"$ref": "#/$defs/expression", "description": "仅当此条件成立时适用"},
        "unless": {"$ref": "#/$defs/expression", "description": "此条件成立时不适用"},
        "check": {"$ref": "#/$defs/expression", "description": "动作发生时必须成立"},
        "forbid": {"$ref": "#/$defs/expression", "description": "动作发生时不得成立"},
        "require": _obj("顺序规则：before 动作发生时 done 中的动作必须已经进行", {
            "before": {"$ref": "#/$defs/strs"}, "done": {"$ref": "#/$defs/strs"}}, ("before", "done")),
        "deadline": _obj("期限规则（within、not_before、at_least 三选一）", {
            "from": {"$ref": "#/$defs/anchor"}, "to": {"$ref": "#/$defs/anchor"},
            "after": {"$ref": "#/$defs/period", "description": "期间自 from 起算的这一期间届满之日起计算（如起诉期限届满后三个月）"},
            "within": {"$ref": "#/$defs/period", "description": "to 必须在期间届满前进行"},
            "not_before": {"$ref": "#/$defs/period", "description": "to 不得在期间届满前（含最后一日）进行"},
            "at_least": {"$ref": "#/$defs/period", "description": "to 不得早于期间最后一日"},
        }, ("from",), oneOf=[{"required": [k]} for k in ("within", "not_before", "at_least")]),
        "at_finish": {"$ref": "#/$defs/expression", "description": "结案时必须成立"},
        "ending": {"description": "交卷时未达到合法结果（sim.outcomes）时报告的认定",
                   "oneOf": [{"const": v.value, "description": _VERDICT_TEXT[v]} for v in Verdict]},
        "points": {"type": "integer", "minimum": 0, "maximum": 100, "description": "扣分（覆盖严重程度的默认扣分）"},
    }
    d["rule"] = _obj("规则（check、forbid、require、deadline、at_finish、ending 六选一）", rule_props,
                     ("id", "title", "severity", "cite", "explain", "expected"),
                     oneOf=[{"required": [k]}
                            for k in ("check", "forbid", "require", "deadline", "at_finish", "ending")])
    d["phrase"] = _obj("执法人员可以说的话", {
        "text": _str("话术内容"), "proper": {"type": "boolean", "description": "是否规范（不规范的会被评分）"},
        "note": _str("说明")}, ("text", "proper"))
    d["officer"] = _obj("执法人员", {
        "id": _str("编号"), "name": _str("姓名"),
        "certified": {"type": "boolean", "description": "是否持有行政执法证件"},
        "cert_no": {"type": ["string", "integer"], "description": "执法证号"},
        "role": _str("身份（如 执法队员、协管员）"), "note": _str("说明")}, ("id", "name", "certified"))
    d["param"] = _obj("自定义参数", {
        "label": _str("参数名称"),
        "kind": {"description": "参数类型", "oneOf": [{"const": k.value, "description": _PARAM_KIND_TEXT[k]}
                                                   for k in ParamKind]},
        "options": {"$ref": "#/$defs/options"}, "help": _str("填写说明")}, ("label", "kind"))
    parts: dict[str, Any] = {
        "phases": {"$ref": "#/$defs/strs", "description": "动作面板的分组顺序"},
        "states": {"type": "array", "items": {"$ref": "#/$defs/state"}, "description": "状态列表（恰有一个 initial）"},
        "actions": {"type": "object", "additionalProperties": {"$ref": "#/$defs/action"},
                    "description": "动作编号 → 动作"},
        "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}, "description": "规则"},
        "disable_rules": {"$ref": "#/$defs/strs", "description": "不适用的继承规则编号"},
        "conditions": {"type": "object", "additionalProperties": {"$ref": "#/$defs/expression"},
                       "description": "命名条件，可在其他表达式中使用"},
        "flags": {"type": "object",
                  "additionalProperties": {"type": ["boolean", "integer", "string", "null"]},
                  "description": "外界标志及其初始值"},
        "phrases": {"type": "object", "additionalProperties": {"$ref": "#/$defs/phrase"},
                    "description": "话术编号 → 话术"},
        "officers": {"type": "array", "items": {"$ref": "#/$defs/officer"}, "description": "执法人员名单"},
        "params": {"type": "object", "additionalProperties": {"$ref": "#/$defs/param"},
                   "description": "自定义动作参数"},
    }
    d["procedure"] = _keys(_obj("程序模板：状态机和规则", {
        "id": _str("模板编号"), "title": _str("模板名称"),
        "abstract": {"type": "boolean", "description": "抽象模板：只提供共用部分，案例不能直接使用"},
        "extends": {"$ref": "#/$defs/strs", "description": "继承的模板编号"},
        "events": {"type": "object", "additionalProperties": {"$ref": "#/$defs/event"},
                   "description": "外界事件编号 → 事件"},
        **parts,
    }, ("id", "title")), L._PROC_KEYS, "procedure template")
    # --- cases ---
    d["scheduled_event"] = _obj("事件安排（wait 与 period 二选一或都不写）", {
        "then": _str("事件编号"), "after": {"$ref": "#/$defs/anchor"},
        "wait": {"$ref": "#/$defs/period", "description": "经过多久发生（外界时间，不顺延）"},
        "period": {"$ref": "#/$defs/period", "description": "法定期间届满时发生（按法定规则计算）"},
        "when": {"$ref": "#/$defs/expression", "description": "发生时此条件须成立"},
        "chance": {"type": "number", "minimum": 0, "maximum": 1, "description": "发生的概率（由随机种子决定）"},
    }, ("then", "after"), **{"not": {"required": ["wait", "period"]}})
    d["step"] = {"description": "自测步骤：{do: 动作, at: 时间, 参数…}、{advance: 时间} 或 {finish: true}", "oneOf": [
        _obj("推进案件时钟", {"advance": {"anyOf": [{"$ref": "#/$defs/datetime"},
                                                   _str("相对时间", pattern=_RELATIVE)]}}, ("advance",)),
        _obj("结案评分", {"finish": {"const": True}}, ("finish",)),
        _obj("执法动作", {
            "do": _str("动作编号"),
            "at": {"anyOf": [{"$ref": "#/$defs/datetime"},
                             _str("相对时间，如 \"+3 working_days\"", pattern=_RELATIVE)],
                   "description": "进行的时间"},
            **_step_params(),
        }, ("do",), closed=False,
            **{"not": {"anyOf": [{"required": ["advance"]}, {"required": ["finish"]}]}}),
    ]}
    d["lawful_deviation"] = _obj("与参考路径不同但同样合法的做法（drop、swap、repeat、delay 四选一，why 必填）", {
        "drop": _str("省略这一步也合法", pattern=_STEP_NAME),
        "swap": _str("这一步与下一步对调也合法", pattern=_STEP_NAME),
        "repeat": _str("重复这一步也合法", pattern=_STEP_NAME),
        "delay": _str("推迟这一步也合法", pattern=_STEP_NAME),
        "why": _str("为什么合法（给培训师看的理由）", minLength=1),
    }, ("why",), oneOf=[{"required": [k]} for k in ("drop", "swap", "repeat", "delay")])
    test_props = {
        "name": _str("自测名称"),
        "steps": {"type": "array", "items": {"$ref": "#/$defs/step"}, "description": "步骤"},
        "note": _str("说明"),
        "events": {"type": "array", "items": {"$ref": "#/$defs/scheduled_event"},
                   "description": "本自测自己的事件安排（替代案例的 events）"},
    }
    expect_props = {
        "score": {"type": "integer", "minimum": 0, "maximum": 100, "description": "期望得分（参考路径默认 100）"},
        "findings": {"$ref": "#/$defs/strs", "description": "期望触发的规则编号（恰好这些）"},
        "state": _str("期望的结束状态"),
    }
    d["reference"] = _obj("参考路径：应得满分的规范办理步骤", {
        **test_props,
        "expect": _obj("期望结果", expect_props),
        "lawful": {"type": "array", "items": {"$ref": "#/$defs/lawful_deviation"},
                   "description": "同样合法的变化：drop/swap/repeat/delay 某一步（如 interview、serve@2），并说明 why"},
    }, ("name", "steps", "expect"))
    d["trap"] = _obj("陷阱：应当恰好触发所写明规则的错误办法", {
        **test_props,
        "expect": _obj("期望结果（必须写明 findings）", expect_props, ("findings",)),
    }, ("name", "steps", "expect"))
    d["evidence"] = {"description": "证据：说明文字，或 {label, how, key}", "anyOf": [
        {"type": "string"},
        _obj("证据", {"label": _str("证据名称"), "how": _str("如何取得"),
                    "key": {"type": "boolean", "description": "关键证据：处罚前必须收集"}}, ("label",))]}
    party_props = {
        "kind": {"description": "当事人类型（决定简易程序和听证的金额标准）",
                 "oneOf": [{"const": k, "description": v} for k, v in PARTY_KINDS.items()]},
        "name": _str("姓名或名称"), "address": _str("地址"),
        "present": {"type": "boolean", "description": "在场"},
        "cooperative": {"type": "boolean", "description": "配合调查"},
        "refuses_to_sign": {"type": "boolean", "description": "拒绝签收文书（只能留置送达）"},
        "whereabouts_unknown": {"type": "boolean", "description": "下落不明（可公告送达）"},
        "cohabiting_adult": {"type": "boolean", "description": "有同住成年家属（可代收）"},
        "e_service_consent": {"type": "boolean", "description": "已签署电子送达确认书"},
        "post_days": {"type": "integer", "minimum": 0, "description": "挂号信签收所需天数（培训假设，默认 3）"},
    }
    d["stage"] = _keys(_obj("合法结果要求的一个环节", {
        "id": _str("环节编号"), "omitted": _str("缺少该环节时讲评中的说法，如 决定书未送达"),
        "cite": {"$ref": "#/$defs/strs", "description": "该环节的依据：条文目录中的 简称#条（无条文的写实务依据）"},
        "holds": {"$ref": "#/$defs/expression", "description": "交卷时此条件成立即已完成该环节"},
    }, L._STAGE_KEYS), L._STAGE_KEYS, "outcome stage")
    d["outcome"] = _keys(_obj("合法结果：本案依法可以结束的一种方式", {
        "id": _str("结果编号"),
        "kind": {"description": "结果类型（决定未达到时的认定）",
                 "oneOf": [{"const": k.value, "description": _OUTCOME_TEXT[k]} for k in OutcomeKind]},
        "label": _str("结果说明，如 作出处罚决定并送达、执行后结案"),
        "when": {"$ref": "#/$defs/expression", "description": "仅当此条件成立时该结果合法（不写：总是）"},
        "stages": {"type": "array", "items": {"$ref": "#/$defs/stage"}, "minItems": 1, "description": "要求的环节"},
    }, ("id", "kind", "label", "stages")), L._OUTCOME_KEYS, "lawful outcome")
    case = _obj("案例：一个案件的事实、外界事件和自测", {
        "id": _str("案例编号（全库唯一）", minLength=1), "title": _str("案例标题"),
        "procedure": _str("所用的程序模板编号（不能是抽象模板）"),
        "case_type": _str("案件类型"), "difficulty": {"type": "integer", "minimum": 1, "maximum": 5,
                                                   "description": "难度 1–5"},
        "tags": {"$ref": "#/$defs/strs", "description": "标签"},
        "briefing": _str("案情简介（告诉受训人的情况，不写步骤）"),
        "discovered": {"$ref": "#/$defs/datetime", "description": "发现案件的时间：案件时钟从此开始"},
        "party": _obj("当事人（可增加其他键供表达式读取）", party_props, ("kind",), closed=False),
        "facts": {"type": "object", "description": "案件事实（表达式读作 facts.X）"},
        "evidence": {"type": "object", "additionalProperties": {"$ref": "#/$defs/evidence"},
                     "description": "证据编号 → 证据"},
        "penalty": _obj("处罚依据和幅度，如 {basis: 法#条, min: 500, max: 2000}；可写明裁量情节和裁量基准幅度", {
            "basis": _str("罚则条文，如 消防法#60.1"),
            "min": {"type": "number", "description": "法定最低罚款数额（元）"},
            "max": {"type": "number", "description": "法定最高罚款数额（元）"},
            "circumstances": {"type": "array", "uniqueItems": True,
                              "items": _enum(list(D.CIRCUMSTANCES.values()), "裁量情节"),
                              "description": "本案查明的裁量情节：据此推算应适用的幅度和是否应当（可以）不予处罚"},
            "band": _obj("案情引用的裁量基准幅度（只在案情写明出处时使用；不写则按《行政处罚法》第三十二条、"
                         "第三十三条推算）", {
                "min": {"type": "number", "description": "幅度下限（元）"},
                "max": {"type": "number", "description": "幅度上限（元）"},
                "basis": _str("幅度出处：裁量基准名称和条目，或注明培训假设", minLength=1),
            }, ("min", "max", "basis")),
        }, closed=False),
        "approval": _obj("谁可以审批处罚决定（模板 approver 参数的选项编号）；不写则不检查审批人", {
            "ordinary": {"$ref": "#/$defs/strs", "description": "一般处罚决定的审批人"},
            "major": {"$ref": "#/$defs/strs", "description": "重大行政执法决定的审批人（不写：同 ordinary）"},
        }, ("ordinary",)),
        "power": {"type": "object", "description": "职权来源",
                  "properties": {"source": {"enum": list(POWER_SOURCES),
                                            "description": "statutory 法定职权、assigned 赋权事项、none 非乡镇职权"}}},
        "events": {"type": "array", "items": {"$ref": "#/$defs/scheduled_event"}, "description": "外界事件安排"},
        "event_types": {"type": "object", "additionalProperties": {"$ref": "#/$defs/event"},
                        "description": "案例自己的外界事件定义"},
        "reference": {"type": "array", "items": {"$ref": "#/$defs/reference"}, "description": "参考路径"},
        "outcomes": {"type": "array", "items": {"$ref": "#/$defs/outcome"},
                     "description": "本案的合法结果（不写：按职权、事实和模板推导）；写了就完全取代推导的结果"},
        "traps": {"type": "array", "items": {"$ref": "#/$defs/trap"}, "description": "陷阱"},
        "analysis": _analysis_def(),
        **{k: v for k, v in parts.items() if k not in ("states", "actions", "phases")},
    }, ("id", "title", "procedure", "discovered", "party", "briefing"))
    d["case"] = _keys(case, tuple(k for k in L._CASE_KEYS if k not in ("states", "actions", "phases")),
                      "case")
    d["quiz"] = _quiz_defs()
    return d


def _analysis_def() -> dict[str, Any]:
    """The optional `analysis:` key of a case (sim.analysis): what case analysis cannot derive."""
    from . import analysis as A

    element = _keys(_obj("待证事实及证明它的证据", {
        "id": _str("待证事实编号"), "label": _str("待证事实"),
        "evidence": {"$ref": "#/$defs/strs", "description": "证明该事实的证据编号"},
    }, A.ELEMENT_KEYS), A.ELEMENT_KEYS, "analysis element")
    return _keys(_obj("案例分析（一事一议）：案例数据推导不出的部分", {
        "violation": _str("案由（与同类案例统一的违法行为名称；默认取 case_type）"),
        "violated": {"$ref": "#/$defs/strs", "description": "违反的条款（法#条；默认为处罚依据）"},
        "elements": {"type": "array", "items": element, "description": "待证事实（默认：key 证据证明违法事实）"},
        "circumstances": {"type": "array", "description": "本案的从重、从轻情节（不写则不考查）",
                          "items": {"oneOf": [{"const": k, "description": f"{v[0]}（{v[1]}）"}
                                              for k, v in A.CIRCUMSTANCES.items()]}},
        "note": _str("说明"),
    }), A.ANALYSIS_KEYS, "analysis")


def _quiz_defs() -> dict[str, Any]:
    """A file of hand-written knowledge questions (sim.quiz)."""
    from . import quiz as Q

    period = _str("期限，如 15 days、7 working_days、6 months，或 15日、7个工作日")
    question = _obj("一道题", {
        "id": _str("题目编号（本文件内唯一）", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"),
        "kind": {"description": "题型", "oneOf": [{"const": k.value, "description": k.label} for k in Q.QKind]},
        "stem": _str("题干", minLength=1),
        "options": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1},
                    "minProperties": 2, "description": "选项编号 → 选项文字（单选、多选题）"},
        "answer": {"description": "答案：选项编号（多选题为列表）、true/false、数字或期限",
                   "anyOf": [{"type": "string"}, {"type": "boolean"}, {"type": "integer", "minimum": 0},
                             {"type": "array", "items": {"type": "string"}, "minItems": 1}, period]},
        "articles": {"$ref": "#/$defs/strs", "description": "所考查的条文（法#条，须为已核实的 P 或 S 条文）"},
        "rules": {"$ref": "#/$defs/strs", "description": "所考查的规则编号（计入薄弱环节统计）"},
        "explain": _str("答案解析"),
    }, ("id", "kind", "stem", "answer", "articles"))
    _keys(question, Q.QUESTION_KEYS, "quiz question")
    return _keys(_obj("法律知识题库（手写题）", {
        "quiz": _str("题库名称"),
        "questions": {"type": "array", "items": question, "description": "题目"},
    }, ("questions",)), Q.QUIZ_FILE_KEYS, "quiz")


def build_schema() -> dict[str, Any]:
    """The schema, as plain data (deterministic: the shipped file is json.dumps of this)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "lawdrill 场景文件（法律条文目录、程序模板、案例、题库）",
        "description": "执法演练场景库的文件格式（docs/scenario-format.md）。文件类型由顶层键决定："
                       "有 law 为法律条文目录，有 procedure 为案例，有 questions 为题库，否则为程序模板。",
        "$defs": _defs(),
        "if": {"type": "object", "required": ["law"]},
        "then": {"$ref": "#/$defs/law"},
        "else": {
            "if": {"type": "object", "required": ["procedure"]},
            "then": {"$ref": "#/$defs/case"},
            "else": {
                "if": {"type": "object", "required": ["questions"]},
                "then": {"$ref": "#/$defs/quiz"},
                "else": {"$ref": "#/$defs/procedure"},
            },
        },
    }


def schema_text() -> str:
    return json.dumps(build_schema(), ensure_ascii=False, indent=2) + "\n"


def schema_path() -> Path:
    """The schema file shipped with the library (repo checkout or installed wheel)."""
    return L.bundled_scenarios() / SCHEMA_FILE


def schema_comment(target: str) -> str:
    """The first line that points a YAML language server at the schema."""
    return f"# yaml-language-server: $schema={target}"
