"""Text a document field can take from the case file, where the case file already knows it.

An officer writing the decision copies the party's name and address, the facts and the legal basis from the
notice already in the file, and the list of evidence from what was collected; nobody retypes them. This module
says, for one field of the document an act is about to make, which text the case file already holds and where
it comes from. Only what the trainee wrote in earlier documents, what the acts recorded (evidence collected,
the penalty chosen in this form) and what the world said (the party's statement, the payment) is used: the
engine never writes a judgement for the trainee (a first legal basis, reasons, an opinion).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import datetime as dt

import attrs


if TYPE_CHECKING:
    from .session import Session

# Field ids whose meaning is the same in every document that has them (the same facts, the same basis); other
# ids are reused words with different meanings (`performance` is 履行方式和期限 in a decision and 履行情况 when
# closing) and are never copied from one document to another.
SAME_MEANING = frozenset(
    {"facts", "basis", "evidence", "party", "facts_evidence", "kind_basis", "penalty", "reasons_basis"}
)
# Fields that record what the world did: the message of the latest world event that set one of these flags.
_FROM_EVENTS = {"statement": ("defence_submitted",)}
_PERFORMED_FLAGS = ("paid", "self_performed")


@attrs.frozen
class Known:
    text: str
    source: str  # where it comes from, for the form's note: 《行政处罚事先告知书》, 当事人信息, 收集的证据…


def _documents(session: Session) -> list[Any]:
    return [a for a in session.acts if isinstance(a.params.get("document"), Mapping)]


def _earlier(session: Session, fid: str) -> Known | None:
    for a in reversed(_documents(session)):
        value = a.params["document"].get(fid)
        if isinstance(value, str) and value.strip():
            spec = session.proc.actions.get(a.name)
            name = spec.document.name if spec is not None and spec.document is not None else a.label
            return Known(value.strip(), f"《{name}》")
    return None


def _of_action(session: Session, actions: tuple[str, ...], fid: str) -> Known | None:
    """Field `fid` of the latest document made by one of `actions` (a field id whose meaning depends on the
    document, such as `content`: what an inspection found is not what an interview recorded)."""
    for a in reversed(_documents(session)):
        if a.name not in actions:
            continue
        value = a.params["document"].get(fid)
        if isinstance(value, str) and value.strip():
            spec = session.proc.actions.get(a.name)
            name = spec.document.name if spec is not None and spec.document is not None else a.label
            return Known(value.strip(), f"《{name}》")
    return None


def _evidence(session: Session) -> Known | None:
    sc = session.scenario
    seen: dict[str, None] = {}
    for a in session.acts:
        for eid in a.params.get("evidence") or ():
            seen.setdefault(eid, None)
    by_id = {e.id: e.label for e in sc.evidence}
    labels = [by_id[e] for e in seen if e in by_id]
    return Known("、".join(labels), "收集的证据") if labels else None


def _penalty(session: Session, params: Mapping[str, Any]) -> Known | None:
    kind = params.get("penalty_kind")
    if not kind:
        return None
    spec = session.proc.params.get("penalty_kind")
    text = next((o.label for o in spec.options if o.id == kind), str(kind)) if spec is not None else str(kind)
    amount = params.get("amount")
    if kind == "fine" and amount:
        text = f"{text}{amount}元"
    return Known(text, "本次填写的处罚种类和金额")


def _event(session: Session, flags: tuple[str, ...], at: dt.datetime | None = None) -> Known | None:
    """The message of the latest world event that set one of `flags`, by the act's time `at` (what the party
    sent arrives on its day whether or not the case clock was moved there first; the events a later time
    brings are read from a fork of the session, the session itself does not move)."""
    events = session.proc.events
    world = session
    if at is not None and at > session.now and session.pending_events():
        world = session.fork()
        world.advance(at)
    happened = [e for e in world.events_happened() if any(events[e].sets.get(f) for f in flags)]
    if not happened:
        return None
    spec = events[happened[-1]]
    return Known(spec.message, f"事件「{spec.label}」")


def _when(at: dt.datetime) -> str:
    """2026年6月3日10时30分 (minutes left out on the hour), as a record writes the time."""
    text = f"{at.year}年{at.month}月{at.day}日{at.hour}时"
    return text + (f"{at.minute}分" if at.minute else "")


def _team(session: Session, params: Mapping[str, Any]) -> Known | None:
    """The officers chosen in this form, each with the certificate number the case gives them."""
    names = []
    for oid in params.get("officers") or ():
        o = session.scenario.officer(oid)
        if o is not None:
            names.append(f"{o.name}（{o.cert_no}）" if o.cert_no else o.name)
    return Known("、".join(names), "本次选择的执法人员") if names else None


def _served(session: Session, params: Mapping[str, Any]) -> Known | None:
    """The name of the document chosen in this form as the one served."""
    target = params.get("target")
    spec = session.proc.actions.get(target) if isinstance(target, str) else None
    if spec is None or spec.document is None:
        return None
    return Known(f"《{spec.document.name}》", "本次选择的送达文书")


# Fields a form's own entries answer: the time of the act, the team chosen, the document chosen for service.
_FROM_FORM = {"time_place", "served_at", "officers_certs", "served_doc", "receiver"}


def known_text(session: Session, action: str, fid: str, params: Mapping[str, Any] = {},
               at: dt.datetime | None = None) -> Known | None:
    """The text the case file holds for field `fid` of the document `action` makes, or None.
    `params` are the act's parameters as filled in the form so far (the penalty chosen, the team, the document
    served); `at` the act's time as entered in the form (None: no time is filled in)."""
    spec = session.proc.actions[action]
    if spec.document is None:
        return None
    field = spec.document.field(fid)
    if field is None or field.kind != "text":
        return None
    if fid in _FROM_FORM:
        if fid in ("time_place", "served_at"):
            # the time only: where the act took place is the officer's to write
            return Known(_when(at), "本次填写的时间") if at is not None else None
        if fid == "officers_certs":
            return _team(session, params)
        if fid == "served_doc":
            return _served(session, params)
        name = session.scenario.party.get("name")  # receiver: the party, where the field is 受送达人
        return Known(str(name), "当事人信息") if name and "受送达人" in field.label else None
    if fid in SAME_MEANING:
        found = _earlier(session, fid)
        if found is not None:
            return found
    party = session.scenario.party
    if fid == "party" and party.get("name"):
        text = str(party["name"]) + (f"，{party['address']}" if party.get("address") else "")
        return Known(text, "当事人信息")
    if fid == "evidence":
        return _evidence(session)
    if fid == "facts":
        return _earlier(session, "brief")
    if fid == "brief":  # 简要案情 of the filing form: what the inspection record says was found
        return _of_action(session, ("inspect",), "content")
    if fid == "penalty":
        return _penalty(session, params)
    if fid == "facts_evidence":
        facts = _earlier(session, "facts") or _earlier(session, "brief")
        evidence = _earlier(session, "evidence") or _evidence(session)
        if facts is None:
            return None
        text = facts.text if evidence is None else f"{facts.text}；证据：{evidence.text}"
        return Known(text, facts.source)
    if fid == "kind_basis":
        penalty = _penalty(session, params)
        basis = _earlier(session, "basis")
        if penalty is None or basis is None:
            return None
        return Known(f"{penalty.text}；{basis.text}", basis.source)
    if fid in _FROM_EVENTS:
        return _event(session, _FROM_EVENTS[fid], at)
    if fid == "performance" and "情况" in field.label:
        return _event(session, _PERFORMED_FLAGS, at)
    return None


# The first words of each penalty kind as a proposal writes them (sim.params.PENALTY_KINDS).
_KIND_WORDS = {
    "warning": ("警告",), "criticism": ("通报批评",), "fine": ("罚款",), "confiscation": ("没收",),
    "revoke": ("吊销", "降低资质等级"), "suspend": ("停产停业", "责令关闭"), "demolish": ("拆除",),
    "correct": ("责令限期改正", "责令改正"), "none": ("不予行政处罚", "不予处罚"),
}


def known_penalty(session: Session, action: str) -> dict[str, Any]:
    """The penalty kind and fine the investigation report proposed (处理意见), for an act that chooses a
    penalty: the notice states what the agency head approved in the report. Read from the trainee's own
    words: only one kind named and, for a fine, exactly one sum; otherwise nothing (the officer chooses)."""
    from .documents.money import read_amounts

    spec = session.proc.actions[action]
    if "penalty_kind" not in spec.params:
        return {}
    proposal = _of_action(session, ("end_investigation",), "proposal")
    if proposal is None:
        return {}
    text = proposal.text
    if "不予" in text and not any(w in text for w in _KIND_WORDS["none"]):
        return {}  # 不予罚款 and the like: read it yourself
    kinds = [k for k, words in _KIND_WORDS.items() if any(w in text for w in words)]
    options = session.proc.params["penalty_kind"].options
    if len(kinds) != 1 or kinds[0] not in {o.id for o in options}:
        return {}
    out: dict[str, Any] = {"penalty_kind": kinds[0]}
    if kinds[0] == "fine" and "amount" in spec.params:
        sums = set(read_amounts(text))
        if len(sums) != 1:
            return {}
        value = sums.pop()
        out["amount"] = int(value) if value == value.to_integral_value() else float(value)
    return out


def known_texts(session: Session, action: str, params: Mapping[str, Any] = {},
                at: dt.datetime | None = None) -> dict[str, Known]:
    """Every text field of the act's document the case file (or the form's own entries) can fill, by field id."""
    spec = session.proc.actions[action]
    if spec.document is None:
        return {}
    out = {}
    for f in spec.document.fields:
        found = known_text(session, action, f.id, params, at)
        if found is not None and found.text:
            out[f.id] = found
    return out
