"""Lawful outcomes of a case, and what a hand-in outside them lacks (omission, not commission).

Rules watch acts: they find what was done wrongly. A case can also be wrong by what was never done — the two
defects every 案卷评查 rubric treats as veto items: 不作为 (handed in before a lawful ending) and 推诿 /
应移送未移送 (sent away a matter within the township's power, or kept one outside it). So every case states the
endings that are lawful for its facts and the township's power, each as a list of stages that must hold at
hand-in. The default is derived here from what the case already says:

- `power.source` statutory / assigned: a decision within the case's penalty range, served, performed or
  enforced, any seized or preserved goods disposed of, closed; where the template offers a 不予行政处罚 decision
  (行政处罚法 第三十三条), that decision, served, the party educated, closed — lawful when the case's
  `np_mandatory` / `np_discretionary` conditions hold (and the penalty is then lawful only if not mandatory);
- `power.source: none`: a referral to the competent organ (`facts.refer_to`) with the facts and basis stated;
- `facts.crime_suspected: true`: the transfer to the police (行政执法机关移送涉嫌犯罪案件的规定).

A case may replace the derived list with its own `outcomes:` (docs/scenario-format.md). At hand-in
`Session.finish()` calls `assess`; if no applicable outcome is reached, the ending rule of the verdict
(`ending:` rules in the templates) fires once, critical, naming the closest outcome and each missing stage
with its article.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from . import expr as X
from .model import LawfulOutcome, OutcomeKind, Pos, Procedure, Stage, Verdict

# 结案归档 has no article of its own that says "a case must be closed"; 处罚法 第四十七条 requires the record
# to be archived and the review rubric treats an unfinished case as a veto item: cited as practice.
CLOSURE_CITE = ("行政处罚法#47", "执法实务规范#61")
REFERRAL_CITE = ("行政处罚法#17", "执法实务规范#51")
CRIME_CITE = ("行政处罚法#27", "行政执法机关移送涉嫌犯罪案件的规定#5")

# Verdicts whose rule a procedure may lack fall back to the next, more general one.
_FALLBACK = {Verdict.CRIME_NOT_TRANSFERRED: Verdict.NOT_REFERRED, Verdict.NOT_REFERRED: Verdict.UNFINISHED,
             Verdict.SHIRKED: Verdict.UNFINISHED}


@attrs.frozen
class Assessment:
    """Where a case stands against its lawful outcomes."""

    applicable: tuple[LawfulOutcome, ...]
    reached: LawfulOutcome | None
    closest: LawfulOutcome | None  # the applicable outcome with most stages holding (first declared on a tie)
    missing: tuple[Stage, ...]  # stages of `closest` that do not hold
    verdict: Verdict | None  # None: a lawful outcome is reached, or the case declares none


def assess(outcomes: tuple[LawfulOutcome, ...], holds: Callable[[X.Expr, str], bool], state: str) -> Assessment:
    """`holds(expr, where)` evaluates an expression in the session (False on a run-time error)."""
    applicable = tuple(o for o in outcomes if o.when is None or holds(o.when, f"合法结果 {o.id} 的 when"))
    best: tuple[int, LawfulOutcome, tuple[Stage, ...]] | None = None
    for o in applicable:
        missing = tuple(st for st in o.stages if not holds(st.holds, f"合法结果 {o.id} 的环节 {st.id}"))
        if not missing:
            return Assessment(applicable, o, o, (), None)
        done = len(o.stages) - len(missing)
        if best is None or done > best[0]:
            best = (done, o, missing)
    if best is None:
        return Assessment(applicable, None, None, (), None)
    _, closest, missing = best
    if closest.kind is OutcomeKind.CRIME_REFERRAL:
        verdict = Verdict.CRIME_NOT_TRANSFERRED
    elif closest.kind is OutcomeKind.REFERRAL:
        verdict = Verdict.NOT_REFERRED
    elif state == "referred":
        verdict = Verdict.SHIRKED
    else:
        verdict = Verdict.UNFINISHED
    return Assessment(applicable, None, closest, missing, verdict)


def verdict_chain(verdict: Verdict) -> list[Verdict]:
    """The verdict and the more general ones whose rule reports it when a procedure lacks the specific rule."""
    out = [verdict]
    while out[-1] in _FALLBACK:
        out.append(_FALLBACK[out[-1]])
    return out


# --- the default, derived from the case --------------------------------------------------------------------


def derive(proc: Procedure, values: Mapping[str, Any], pos: Pos) -> tuple[LawfulOutcome, ...]:
    """The lawful outcomes a case's power, facts and penalty range imply under its procedure."""
    power = values.get("power") or {}
    facts = values.get("facts") or {}
    if facts.get("crime_suspected") is True:
        return (_crime(proc, pos),)
    if power.get("source") == "none":
        return (_referral(proc, facts, pos),)
    out = []
    immediate = _immediate(proc, pos)
    if immediate is not None:
        out.append(immediate)
    no_penalty = _no_penalty(proc, pos)
    mandatory = "np_mandatory" in proc.conditions
    if no_penalty is not None:
        out.append(no_penalty)
    penalty = _penalty(proc, values.get("penalty") or {}, pos, when="not np_mandatory" if mandatory else None)
    if penalty is not None:
        out.insert(0, penalty)
    return tuple(out)


def _stage(sid: str, omitted: str, cite: tuple[str, ...], source: str, pos: Pos) -> Stage:
    return Stage(sid, omitted, cite, X.parse(source), pos)


def _any(terms: list[str]) -> str:
    return " or ".join(terms) if terms else "False"


def _penalty(proc: Procedure, penalty: Mapping[str, Any], pos: Pos, when: str | None) -> LawfulOutcome | None:
    acts = proc.actions
    d = "decide" if "decide" in acts else "decide_on_spot" if "decide_on_spot" in acts else None
    if d is None:
        return None
    simple = d == "decide_on_spot"
    kind = f"last('{d}').penalty_kind"
    amount = f"(last('{d}').amount or 0)"
    stages = [_stage("decided", "未作出处罚决定", ("行政处罚法#51",) if simple else ("行政处罚法#57.1.1",),
                     f"done('{d}') and {kind} != 'none'", pos)]
    lo, hi, basis = penalty.get("min"), penalty.get("max"), penalty.get("basis")
    # A case whose rules already check the range (fine-out-of-range) finds a wrong amount as an error of
    # commission; the stage is the safety net for a case that has no such rule.
    checked = any(("penalty", "max") in e.attrs_read for r in proc.rules for e in (r.when, r.expr) if e is not None)
    if isinstance(lo, int) and isinstance(hi, int) and hi > 0 and not checked:
        cite = (str(basis),) if basis else ("行政处罚法#40",)
        stages.append(_stage("in_range", f"罚款数额不在法定幅度（{lo}元至{hi}元）之内", cite,
                             f"{kind} != 'fine' or ({amount} >= {lo} and {amount} <= {hi})", pos))
    stages.append(_stage("served", "决定书未送达", ("行政处罚法#52",) if simple else ("行政处罚法#61",),
                         f"served('{d}') is not None", pos))
    fine_terms = ["flags.paid"] + [f"done('{a}')" for a in ("collect_fine", "apply_court") if a in acts]
    other_terms = [f"flags.{f}" for f in ("self_performed", "court_enforced") if f in proc.flags] + [
        f"done('{a}')" for a in ("execute", "immediate_perform", "apply_court") if a in acts]
    performed = f"({kind} == 'fine' and ({_any(fine_terms)}))"
    performed += f" or {kind} in ['warning', 'criticism', 'none']"
    if other_terms:
        performed += f" or ({kind} not in ['fine', 'warning', 'criticism', 'none'] and ({_any(other_terms)}))"
    else:
        performed += f" or {kind} not in ['fine', 'warning', 'criticism', 'none']"
    performed = f"done('{d}') and ({performed})"
    fines = isinstance(hi, int) and hi > 0
    stages.append(_stage(
        "performed", "罚款未执行或申请强制执行" if fines else "处罚决定未履行，也未依法强制执行或申请人民法院强制执行",
        ("行政处罚法#72", "行政强制法#53") if fines else ("行政强制法#34", "行政强制法#53"), performed, pos))
    stages.extend(_measures(proc, pos))
    stages.append(_stage("closed", "案件未结案归档", CLOSURE_CITE, "state == 'closed'", pos))
    return LawfulOutcome("penalty", OutcomeKind.PENALTY,
                         "依法作出处罚决定（在法定幅度内），送达，履行或依法强制执行后结案",
                         tuple(stages), X.parse(when) if when else None, True, pos)


def _measures(proc: Procedure, pos: Pos) -> list[Stage]:
    """Goods seized or evidence preserved during the case must have been dealt with by the end of it."""
    out = []
    if "seize" in proc.actions and "seize_dispose" in proc.actions:
        out.append(_stage("seized_disposed", "查封、扣押的财物未作出处理决定", ("行政强制法#27",),
                          "not done('seize') or done('seize_dispose')", pos))
    if "preserve" in proc.actions and "preserve_handle" in proc.actions:
        out.append(_stage("preserved_handled", "先行登记保存的证据未作出处理决定", ("行政处罚法#56",),
                          "not done('preserve') or done('preserve_handle')", pos))
    return out


def _immediate(proc: Procedure, pos: Pos) -> LawfulOutcome | None:
    """立即代履行 (行政强制法 第五十二条): an obstacle on a road the party cannot clear is removed at once, the party
    told afterwards and charged the cost; lawful when the case's `road_emergency` flag says so."""
    if not {"immediate_perform", "notify_after"} <= set(proc.actions) or "road_emergency" not in proc.flags:
        return None
    stages = [
        _stage("performed", "未立即实施代履行", ("行政强制法#52",), "done('immediate_perform')", pos),
        _stage("notified", "未事后通知当事人（通知书未送达）", ("行政强制法#52",), "served('notify_after') is not None", pos),
    ]
    if "cost_notice" in proc.actions:
        stages.append(_stage("cost", "未通知当事人承担代履行费用（通知书未送达）", ("行政强制法#51.2",),
                             "served('cost_notice') is not None", pos))
    stages.append(_stage("closed", "案件未结案归档", CLOSURE_CITE, "state == 'closed'", pos))
    return LawfulOutcome("immediate_substitute", OutcomeKind.OTHER,
                         "立即代履行清除障碍，事后通知当事人并通知其承担费用后结案", tuple(stages),
                         X.parse("flags.road_emergency"), True, pos)


def _no_penalty(proc: Procedure, pos: Pos) -> LawfulOutcome | None:
    if "decide_no_penalty" not in proc.actions or "np_decided" not in proc.conditions:
        return None
    conds = [c for c in ("np_mandatory", "np_discretionary") if c in proc.conditions]
    stages = [
        _stage("decided", "未作出不予行政处罚决定", ("行政处罚法#33", "行政处罚法#57.1.2"), "np_decided", pos),
        _stage("served", "不予行政处罚决定书未送达", ("河南省行政执法条例#30",),
               "served('decide_no_penalty') is not None or served('decide') is not None", pos),
    ]
    if "educate" in proc.actions:
        stages.append(_stage("educated", "未对当事人进行教育", ("行政处罚法#33",), "done('educate')", pos))
    stages.append(_stage("closed", "案件未结案归档", CLOSURE_CITE, "state == 'closed'", pos))
    return LawfulOutcome("no_penalty", OutcomeKind.NO_PENALTY,
                         "依《行政处罚法》第三十三条作出不予行政处罚决定，送达，对当事人进行教育后结案",
                         tuple(stages), X.parse(" or ".join(conds)) if conds else None, True, pos)


def _referral(proc: Procedure, facts: Mapping[str, Any], pos: Pos) -> LawfulOutcome:
    receiver = facts.get("refer_to")
    label = _receiver_label(proc, receiver)
    to = f" and last('refer').document.receiver == '{receiver}'" if isinstance(receiver, str) else ""
    stages = [
        _stage("referred", f"未向有管辖权的机关（{label}）移送" if label else "未移送有管辖权的机关", REFERRAL_CITE,
               f"done('refer'){to}", pos),
        _stage("letter", "案件移送函未写明违法事实和移送依据", ("执法实务规范#51",),
               "done('refer') and states_facts_and_basis(last('refer').document.reason)", pos),
    ]
    return LawfulOutcome("referral", OutcomeKind.REFERRAL,
                         f"以案件移送函移送{label or '有管辖权的机关'}，写明违法事实和移送依据", tuple(stages), None, True, pos)


def _crime(proc: Procedure, pos: Pos) -> LawfulOutcome:
    if "transfer_crime" in proc.actions:
        holds = "done('transfer_crime') and last('transfer_crime').document.receiver == 'county_police'"
    else:
        holds = "done('refer') and last('refer').document.receiver == 'police'"
    stage = _stage("transferred", "未向同级公安机关移送涉嫌犯罪案件", CRIME_CITE, holds, pos)
    return LawfulOutcome("crime_referral", OutcomeKind.CRIME_REFERRAL,
                         "依《行政执法机关移送涉嫌犯罪案件的规定》报批后向同级公安机关移送涉嫌犯罪案件", (stage,), None,
                         True, pos)


def _receiver_label(proc: Procedure, receiver: Any) -> str:
    spec = proc.actions.get("refer")
    field = spec.document.field("receiver") if spec is not None and spec.document is not None else None
    if field is None or not isinstance(receiver, str):
        return ""
    return next((o.label for o in field.options if o.id == receiver), "")


def receiver_ids(proc: Procedure) -> tuple[str, ...]:
    """The candidate receivers of the procedure's referral letter (empty: the letter names no closed set)."""
    spec = proc.actions.get("refer")
    field = spec.document.field("receiver") if spec is not None and spec.document is not None else None
    return tuple(o.id for o in field.options) if field is not None else ()
