"""Generated knowledge questions on who decides, what a document must contain and how a document is served.

Each family reads its answer from the data the engine runs on, the way sim.quiz does for periods and
thresholds:

- 谁来决定 (family "authority"): which body acts on a case's matter, from the case's `power` (an assigned
  power is exercised by the township under 《行政处罚法》第二十四条; a statutory one by the body its basis names;
  a matter outside the township's powers by the department the case names), and who may sign a case's
  decision, from the case's `approval` and the template's approver options;
- 文书内容 (family "contents"): which elements a document must contain — the fields of the act's document that
  the rules citing the article check (the 处罚决定书 of 第五十九条, the 事先告知书 of 第四十四条, the 当场处罚
  决定书 of 第五十二条); distractors are fields of the template's other documents none of whose wording the
  article uses;
- 送达方式 (family "service"): which proof each service method needs and in which situation it may be used,
  found by evaluating the service rules' own expressions over the proofs and the situations.

Only rules and articles whose every citation is verified (P or S) make a question.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from . import expr as X
from .model import Article, Option, Procedure, RuleSpec, Scenario
from .params import SERVICE_METHODS, SERVICE_PROOFS
from .quiz import QKind, Question, _fill_conditions, _verified, cite_text, parse_zh_int

# --- 谁来决定 -------------------------------------------------------------------------------------------

TOWNSHIP = "乡镇人民政府"
# Bodies offered beside the right one; a case's own competent department joins them.
_BODIES = ("乡镇人民政府", "县级人民政府", "村民委员会", "县市场监督管理局", "县自然资源局", "县公安局")
_PAREN = re.compile(r"（[^（）]*）$")
_BASIS = re.compile(r"^《?([^《》第]+?)》?第([零〇一二两三四五六七八九十百]+)条(?:第([零〇一二两三四五六七八九十]+)款)?$")


def body_name(competent: str) -> str:
    """县市场监督管理局（无证无照经营查处办法第六条） -> 县市场监督管理局."""
    return _PAREN.sub("", competent.strip()).strip()


def basis_key(basis: str, articles: Mapping[str, Article]) -> str | None:
    """城乡规划法第六十五条 -> 城乡规划法#65 (when the catalogue has it)."""
    m = _BASIS.match(basis.strip())
    if m is None:
        return None
    law, art, para = m.group(1), parse_zh_int(m.group(2)), m.group(3) and parse_zh_int(m.group(3))
    for key in ([f"{law}#{art}.{para}"] if para else []) + [f"{law}#{art}"]:
        if key in articles:
            return key
    return None


def _rule(proc: Procedure | None, rid: str) -> RuleSpec | None:
    return None if proc is None else next((r for r in proc.rules if r.id == rid), None)


def _body_options(answer: str, seed: str) -> tuple[Option, ...]:
    rng = random.Random(f"lawdrill-quiz:{seed}")
    others = [b for b in _BODIES if b != answer and answer not in b and b not in answer]
    rng.shuffle(others)
    return tuple(Option(f"b{i}", b) for i, b in enumerate(sorted([answer, *others[:3]])))


def _power_question(s: Scenario, procedures: Mapping[str, Procedure], articles: Mapping[str, Article]) -> (
        Question | None):
    power = s.power or {}
    source, item = power.get("source"), str(power.get("item") or "").strip()
    if not item:
        return None
    competence = _rule(procedures.get("general-penalty"), "penalty-outside-competence")
    if source == "assigned" and power.get("list"):
        cite, answer = ("行政处罚法#24",), TOWNSHIP
        rules = (competence.id,) if competence else ()
        stem = (f"「{item}」的行政处罚权已依照省的决定交由乡镇人民政府行使（列入{power['list']}）。"
                f"依照{{cite}}，发现这一违法行为的，由谁实施行政处罚？")
    elif source == "statutory" and power.get("basis"):
        key = basis_key(str(power["basis"]), articles)
        if key is None or TOWNSHIP not in articles[key].text.replace("乡、镇", "乡镇").replace("乡（镇）", "乡镇"):
            return None
        cite, answer, rules = (key,), TOWNSHIP, ()
        stem = f"「{item}」的，依照{{cite}}，由谁责令停止建设、限期改正？"
    elif source == "none" and power.get("competent") and competence is not None and s.procedure.id != "licensing":
        cite, answer, rules = tuple(competence.cite), body_name(str(power["competent"])), (competence.id,)
        stem = (f"「{item}」既不是乡镇人民政府的法定职权，也未交由乡镇人民政府行使。依照{{cite}}，"
                "镇综合行政执法队发现这一违法行为的，应当由谁依法查处？")
    else:
        return None
    if not _verified(cite, articles):
        return None
    options = _body_options(answer, s.id)
    right = next(o.id for o in options if o.label == answer)
    explain = (f"本案职权来源：{'、'.join(str(v) for v in power.values() if isinstance(v, str))}。"
               if source == "none" else "")
    return Question(f"gen.authority.power.{s.id}", QKind.SINGLE, stem.format(cite=cite_text(cite, articles)),
                    (right,), cite, options, rules, explain, "authority", s.pos)


def _approver_questions(s: Scenario, procedures: Mapping[str, Procedure], articles: Mapping[str, Article]) -> (
        list[Question]):
    if not s.approvers:
        return []
    rule = _rule(s.procedure, "decision-approver-not-allowed")
    spec = s.procedure.params.get("approver") if hasattr(s.procedure, "params") else None
    if rule is None or spec is None or not _verified(rule.cite, articles):
        return []
    options = tuple(spec.options)
    out = []
    for which, allowed, what in (("ordinary", s.approvers, "一般案件"),
                                 ("major", s.major_approvers or s.approvers, "重大行政执法决定")):
        ids = tuple(sorted(set(allowed)))
        if not ids or len(ids) == len(options):
            continue
        kind = QKind.SINGLE if len(ids) == 1 else QKind.MULTIPLE
        stem = (f"「{s.title}」一案按案情说明的审批权限办理。依照{cite_text(rule.cite, articles)}，该案作为{what}"
                f"作出行政处罚决定的，处罚决定审批表可以由下列{'哪一人' if kind is QKind.SINGLE else '哪些人'}签署审批意见？")
        out.append(Question(f"gen.authority.approver-{which}.{s.id}", kind, stem, ids, tuple(rule.cite), options,
                            (rule.id,), rule.expected, "authority", s.pos))
    return out


def authority_questions(scenarios: Mapping[str, Scenario], procedures: Mapping[str, Procedure],
                        articles: Mapping[str, Article]) -> list[Question]:
    out: list[Question] = []
    seen: set[tuple[Any, ...]] = set()
    for sid in sorted(scenarios):
        s = scenarios[sid]
        q = _power_question(s, procedures, articles)
        if q is not None:
            key = (q.stem, q.answer)
            if key not in seen:  # two cases on the same matter ask the same question once
                seen.add(key)
                out.append(q)
        for q in _approver_questions(s, procedures, articles):
            key = (tuple(sorted(s.approvers)), tuple(sorted(s.major_approvers)), q.id.split(".")[2])
            if key not in seen:
                seen.add(key)
                out.append(q)
    return out


# --- 文书内容 -------------------------------------------------------------------------------------------


@attrs.frozen
class Contents:
    """A document whose required elements the rules citing `article` check."""

    name: str
    procedure: str
    action: str
    rules: tuple[str, ...]
    article: str


CONTENTS = (
    Contents("decision", "general-penalty", "decide",
             ("decision-elements-missing", "decision-party-wrong", "decision-basis-wrong"), "行政处罚法#59"),
    Contents("notice", "general-penalty", "notify", ("notice-incomplete", "notice-basis-wrong"), "行政处罚法#44"),
    Contents("spot-decision", "simple-penalty", "decide_on_spot",
             ("spot-decision-elements-missing", "spot-decision-party-wrong", "spot-decision-basis-wrong"),
             "行政处罚法#52"),
)

# Fields the rules read that are the form of the document, not an element it states.
_FORM_ONLY = frozenset({"numbered_form"})
_DOC_FIELD = re.compile(r"act\.document\.(\w+)")


def required_fields(proc: Procedure, c: Contents) -> tuple[str, ...]:
    """The document fields the rules of `c` read, in the document's order."""
    action = proc.actions.get(c.action)
    if action is None or action.document is None:
        return ()
    read: set[str] = set()
    for rid in c.rules:
        r = _rule(proc, rid)
        if r is not None and r.expr is not None and c.article in r.cite:
            read.update(_DOC_FIELD.findall(r.expr.source))
    return tuple(f.id for f in action.document.fields if f.id in read and f.id not in _FORM_ONLY)


# Two-character words too common in the law's text to tell one element from another.
_COMMON = frozenset({"行政", "处罚", "当事", "事人", "机关", "决定", "政处", "执法", "人员"})


def shared_words(label: str, text: str) -> set[str]:
    """The two-character words of `label` (punctuation aside, the common ones left out) that `text` uses."""
    label = re.sub(r"[（）()、，。；：“”\s]", "", label)
    return ({label[i:i + 2] for i in range(len(label) - 1)} - _COMMON) & _bigrams(text)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def foreign_fields(proc: Procedure, c: Contents, articles: Mapping[str, Article]) -> list[tuple[str, str]]:
    """(action.field, label) of the template's other documents that the article's text does not speak of."""
    text = articles[c.article].text
    own = proc.actions[c.action].document
    assert own is not None
    own_labels = {f.label for f in own.fields}
    out = []
    for aid in sorted(proc.actions):
        doc = proc.actions[aid].document
        if aid == c.action or doc is None:
            continue
        for f in doc.fields:
            label = f.label
            if (label in own_labels or shared_words(label, text) or len(label) < 4
                    or any(label == o for _k, o in out)):
                continue
            out.append((f"{aid}.{f.id}", label))
    return out


def contents_questions(procedures: Mapping[str, Procedure], articles: Mapping[str, Article]) -> list[Question]:
    out: list[Question] = []
    for c in CONTENTS:
        proc = procedures.get(c.procedure)
        if proc is None or c.article not in articles or not _verified((c.article,), articles):
            continue
        fields = required_fields(proc, c)
        doc = proc.actions[c.action].document
        if len(fields) < 3 or doc is None:
            continue
        rules = tuple(r for r in c.rules if _rule(proc, r) is not None)
        labels = {f.id: f.label.removeprefix("载明") for f in doc.fields}
        rng = random.Random(f"lawdrill-quiz:contents:{c.name}")
        foreign = foreign_fields(proc, c, articles)
        rng.shuffle(foreign)
        wrong = foreign[:min(3, 10 - len(fields))]  # ten options at most: letters A to J
        if len(wrong) < 2:
            continue
        cite = (c.article,)
        where = cite_text(cite, articles)
        options = tuple(Option(fid, labels[fid]) for fid in fields) + tuple(Option(k, lab) for k, lab in wrong)
        out.append(Question(f"gen.contents.{c.name}", QKind.MULTIPLE,
                            f"依照{where}，《{doc.name}》应当载明下列哪些事项？", tuple(sorted(fields)), cite,
                            options, rules, _rule(proc, rules[0]).expected if rules else "", "contents", proc.pos))
        for fid in fields:
            out.append(Question(f"gen.contents-item.{c.name}.{fid}", QKind.TRUEFALSE,
                                f"依照{where}，《{doc.name}》应当载明“{labels[fid]}”。", ("true",), cite, (), rules,
                                "", "contents", proc.pos))
        for k, lab in wrong[:1]:
            out.append(Question(f"gen.contents-item.{c.name}.{k}", QKind.TRUEFALSE,
                                f"依照{where}，“{lab}”是《{doc.name}》必须载明的事项之一。", ("false",), cite, (),
                                rules, "", "contents", proc.pos))
    return out


# --- 送达方式 -------------------------------------------------------------------------------------------

# The situations a service rule may depend on: (id, what the trainee reads, the names it sets). A situation
# the rules never read makes no difference and is offered as a distractor only when it changes nothing.
SITUATIONS = (
    ("refuses", "受送达人拒绝签收", {"party.refuses_to_sign": True}),
    ("family", "受送达人是公民，不在时有同住的成年家属", {"party.cohabiting_adult": True, "party.kind": "citizen"}),
    ("consent", "当事人同意电子送达并签订了确认书", {"party.e_service_consent": True}),
    ("missing", "受送达人下落不明", {"party.whereabouts_unknown": True}),
    ("failed", "用直接送达、邮寄送达等其他方式均无法送达", {"failed": ("direct", "post")}),
)
_DEFAULT_PARTY = {"kind": "organisation", "refuses_to_sign": False, "cohabiting_adult": False,
                  "e_service_consent": False, "whereabouts_unknown": False}
_METHOD_WHEN = re.compile(r"^act\.method == '(\w+)'$")


def method_rules(proc: Procedure, articles: Mapping[str, Article]) -> dict[str, list[RuleSpec]]:
    """The check rules of each service method (`when: act.method == 'M'`), verified citations only."""
    out: dict[str, list[RuleSpec]] = {}
    for r in proc.rules:
        m = _METHOD_WHEN.match(r.when.source) if r.when is not None else None
        if m and r.expr is not None and r.kind.value == "check" and _verified(r.cite, articles):
            out.setdefault(m.group(1), []).append(r)
    return out


def service_lawful(proc: Procedure, rules: Sequence[RuleSpec], method: str, proofs: Iterable[str],
                   situation: Iterable[str]) -> bool:
    """Whether every rule of `method` holds for a service with `proofs` in the situations named."""
    party = dict(_DEFAULT_PARTY)
    failed: tuple[str, ...] = ()
    for sid, _label, sets in SITUATIONS:
        if sid in situation:
            for k, v in sets.items():
                if k == "failed":
                    failed = tuple(v)
                else:
                    party[k.removeprefix("party.")] = v
    act = X.Rec(method=method, proof=tuple(proofs), target=0)
    ev = X.Evaluator({"has": lambda seq, item: seq is not None and item in seq,
                      "failed_service": lambda _target: failed})
    names: dict[str, Any] = {"act": act, "party": X.Rec(**party), "flags": X.Rec(unreachable=False)}
    for r in rules:
        _fill_conditions(proc, r.expr, names, ev)
        if not ev(r.expr, names):
            return False
    return True


def _minimal(universe: Sequence[str], ok: Any, most: int = 3) -> list[tuple[str, ...]]:
    """The smallest subsets of `universe` for which `ok` holds (none contains another)."""
    found: list[tuple[str, ...]] = []
    for n in range(most + 1):
        for combo in itertools.combinations(universe, n):
            if not any(set(f) <= set(combo) for f in found) and ok(combo):
                found.append(combo)
    return found


def service_questions(procedures: Mapping[str, Procedure], articles: Mapping[str, Article]) -> list[Question]:
    proc = procedures.get("general-penalty")
    if proc is None:
        return []
    by_method = method_rules(proc, articles)
    labels = {o.id: o.label for o in SERVICE_METHODS}
    proof_ids = [o.id for o in SERVICE_PROOFS]
    proof_label = {o.id: o.label for o in SERVICE_PROOFS}
    sit_ids = [s[0] for s in SITUATIONS]
    sit_label = {s[0]: s[1] for s in SITUATIONS}
    out: list[Question] = []
    for method in [o.id for o in SERVICE_METHODS]:
        rules = by_method.get(method)
        if not rules:
            continue
        cite = tuple(dict.fromkeys(k for r in rules for k in r.cite))
        text = "".join(articles[k].text for k in cite)
        where, name = cite_text(cite, articles), labels[method].split("（")[0]
        rids = tuple(r.id for r in rules)
        situations = _minimal(sit_ids, lambda s: service_lawful(proc, rules, method, proof_ids, s), 2)
        if situations and situations[0]:
            if all(len(s) == 1 for s in situations):
                right, alone = tuple(sorted(s[0] for s in situations)), len(situations) > 1
            elif len(situations) == 1:
                right, alone = tuple(sorted(situations[0])), False
            else:
                right, alone = (), False
            wrong = [s for s in sit_ids if s not in right
                     and not service_lawful(proc, rules, method, proof_ids, (s,))]
            if right and wrong:
                opts = tuple(Option(s, sit_label[s]) for s in (*right, *wrong))
                kind = QKind.SINGLE if len(right) == 1 else QKind.MULTIPLE
                tail = "（具备其中之一即可）" if alone else "（须同时具备）" if len(right) > 1 else ""
                stem = f"依照{where}，下列{'哪种情形' if kind is QKind.SINGLE else '哪些情形'}可以采用{name}？{tail}"
                out.append(Question(f"gen.service-when.{method}", kind, stem, right, cite, opts, rids,
                                    rules[0].expected, "service", rules[0].pos))
        situation = situations[0] if situations else ()
        if method == "family":  # the proofs' wording speaks of the party's own signature
            continue
        proofs = _minimal(proof_ids, lambda p: service_lawful(proc, rules, method, p, situation))
        if not proofs or not proofs[0]:
            continue
        if len(proofs) == 1:
            right, alone = tuple(sorted(proofs[0])), False
        elif all(len(p) == 1 for p in proofs):
            right, alone = tuple(sorted(p[0] for p in proofs)), True
        else:
            continue
        used = {x for p in proofs for x in p}
        rng = random.Random(f"lawdrill-quiz:service:{method}")
        wrong = [p for p in proof_ids if p not in used and not shared_words(proof_label[p], text)]
        rng.shuffle(wrong)
        opts = tuple(Option(p, proof_label[p]) for p in (*right, *wrong[:3]))
        kind = QKind.SINGLE if len(right) == 1 else QKind.MULTIPLE
        tail = "（具备其中之一即可）" if alone else "（须同时具备）" if len(right) > 1 else ""
        out.append(Question(f"gen.service-proof.{method}", kind,
                            f"依照{where}，采用{name}的，应当留存下列{'哪项' if kind is QKind.SINGLE else '哪些'}送达凭证或者记录？{tail}",
                            right, cite, opts, rids, rules[0].expected, "service", rules[0].pos))
    return out


def generate_families(procedures: Mapping[str, Procedure], articles: Mapping[str, Article],
                      scenarios: Mapping[str, Scenario] | None = None) -> list[Question]:
    return [*authority_questions(scenarios or {}, procedures, articles), *contents_questions(procedures, articles),
            *service_questions(procedures, articles)]


# Every family of the bank, as an organiser reads it (`lawdrill paper --family`).
FAMILY_LABELS = {"period": "期限", "workdays": "工作日计算", "calendar": "期限推算", "threshold": "数额标准",
                 "source": "条文出处", "authority": "谁来决定", "contents": "文书内容", "service": "送达方式",
                 "written": "手写题"}
