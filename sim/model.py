"""The engine's domain objects: frozen values parsed from the scenario library.

Nothing here knows about YAML or terminals. Every object that comes from a file carries a `Pos` so that a
problem found later (a failing self-test, a rule that never fires) can still point at a file and line.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import attrs

from .expr import Expr


@attrs.frozen
class Pos:
    file: str = "?"
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"

    @property
    def label(self) -> str:
        return {"critical": "严重（否决项）", "major": "较重", "minor": "轻微"}[self.value]


class Status(enum.StrEnum):
    """Verification status of a law-catalogue entry (the legal reference's tags)."""

    P = "P"  # checked against the official text
    S = "S"  # secondary source reproducing the text
    AN = "AN"  # inference from cited texts: a design decision, not law
    PR = "PR"  # documented practice / inspection standard, not a statute
    UNVERIFIED = "UNVERIFIED"


# --- law catalogue -------------------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    """Chinese numerals as used for article numbers: 42 -> 四十二, 110 -> 一百一十, 205 -> 二百零五."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = _DIGITS[n // 100] + "百"
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + _DIGITS[rest]
        if rest < 20:
            return head + "一十" + (_DIGITS[rest % 10] if rest % 10 else "")
        return head + zh_number(rest)
    return str(n)


@attrs.frozen
class Article:
    law: str  # short name, e.g. 行政处罚法
    number: str  # "42", or "61.2" for article 61 paragraph 2
    text: str  # the operative phrase
    status: Status
    source: str = ""
    pos: Pos = Pos()

    @property
    def key(self) -> str:
        return f"{self.law}#{self.number}"

    @property
    def label(self) -> str:
        """《行政处罚法》第六十一条第二款"""
        if self.number == "0":  # a document without articles (a court's reply): cited as a whole
            return f"《{self.law}》"
        parts = self.number.split(".")
        out = f"《{self.law}》第{zh_number(int(parts[0]))}条"
        if len(parts) > 1:
            out += f"第{zh_number(int(parts[1]))}款"
        if len(parts) > 2:
            out += f"第（{zh_number(int(parts[2]))}）项"
        return out

    @property
    def caveat(self) -> str:
        """What a user must be told about the status of this entry ('' when it is law as read)."""
        if self.status is Status.UNVERIFIED:
            return "（培训假设：该依据尚未核实，不作为法律依据）"
        if self.status is Status.AN:
            return "（依据条文推定的规则，非条文原话）"
        if self.status is Status.PR:
            return "（执法实务或评查标准，非法律条文）"
        return ""


@attrs.frozen
class Law:
    short: str
    full: str
    version: str
    articles: dict[str, Article]


# --- procedure templates ---------------------------------------------------------------------------------


class ParamKind(enum.StrEnum):
    OFFICERS = "officers"  # list of officer ids from the case team
    BOOL = "bool"
    EVIDENCE = "evidence"  # list of evidence ids from the case
    CHOICE = "choice"  # one of a closed set
    CHOICES = "choices"  # several of a closed set
    AMOUNT = "amount"  # whole yuan, >= 0
    TARGET = "target"  # id of an earlier act whose document this act concerns (e.g. what is served)
    DATETIME = "datetime"
    TEXT = "text"
    PHRASE = "phrase"  # id of a phrase (words said to the party)
    DOCUMENT = "document"  # the fields of the document this act drafts


@attrs.frozen
class Option:
    id: str
    label: str


@attrs.frozen
class ParamSpec:
    id: str
    label: str
    kind: ParamKind
    options: tuple[Option, ...] = ()
    help: str = ""

    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)


@attrs.frozen
class FieldSpec:
    """One field of a drafted document (e.g. the remedy clause of a decision)."""

    id: str
    label: str
    kind: str = "text"  # text | choice | amount | bool
    options: tuple[Option, ...] = ()
    help: str = ""
    # Phrases an officer writes in a text field (案件来源: 巡查发现 / 群众举报 …), offered as a numbered list:
    # right and wrong alike, never only the answer; the trainee still chooses.
    wordings: tuple[str, ...] = ()


@attrs.frozen
class DocumentSpec:
    name: str
    fields: tuple[FieldSpec, ...] = ()

    def field(self, fid: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.id == fid), None)


@attrs.frozen
class StateSpec:
    id: str
    label: str
    initial: bool = False
    final: bool = False
    pos: Pos = Pos()


@attrs.frozen
class ActionSpec:
    id: str
    label: str
    phase: str
    sources: tuple[str, ...]  # states it may start from; ("*",) = any state that is not final
    dest: str | None  # None: the act happens but the procedural state does not change
    params: tuple[str, ...] = ()
    document: DocumentSpec | None = None
    once: bool = False  # can be done only once per case
    effective: str | None = None  # how the effective date is derived ("service": per service method)
    help: str = ""  # explanation shown in practice mode
    pos: Pos = Pos()

    @property
    def servable(self) -> bool:
        """Whether the document this act drafts can be served: a document of its own, not the 送达回证 a
        service act fills in about another document."""
        return self.document is not None and "target" not in self.params


@attrs.frozen
class WorldEventSpec:
    """Something the world does (the party asks for a hearing, pays, cannot be found...)."""

    id: str
    label: str
    message: str  # log line shown to the trainee
    sources: tuple[str, ...] = ()  # if set with dest: state change when the case is in one of these states
    dest: str | None = None
    sets: dict[str, Any] = attrs.field(factory=dict)  # flag -> value
    pos: Pos = Pos()


@attrs.frozen
class Period:
    length: int
    unit: str  # sim.calendar.Unit value

    def label(self) -> str:
        names = {"working_days": "个工作日", "days": "日", "months": "个月", "hours": "小时"}
        return f"{self.length}{names.get(self.unit, self.unit)}"


@attrs.frozen
class Anchor:
    """A moment in the case: an act, the effective service of an act's document, a world event, or the
    discovery of the case."""

    kind: str  # act | served | event | discovered
    ref: str = ""
    # A deadline may run from the expiry of an earlier period instead of the moment itself (a deadline's
    # `after`): 《行政强制法》第五十三条 "自期限届满之日起三个月内" runs from the end of the litigation period,
    # which runs from the decision's service. The engine counts the first period the legal way, then the second.
    after: Period | None = None
    key: str = attrs.field(init=False, eq=False, repr=False)  # str(anchor), computed once: used per act

    @key.default
    def _key(self) -> str:
        base = {"act": self.ref, "served": f"served:{self.ref}", "event": f"event:{self.ref}"}.get(
            self.kind, "discovered"
        )
        return base if self.after is None else f"{base}+{self.after.length} {self.after.unit}"

    @property
    def base(self) -> Anchor:
        """The moment itself, without the `after` period."""
        return self if self.after is None else Anchor(self.kind, self.ref)

    def __str__(self) -> str:
        return self.key


@attrs.frozen
class DeadlineSpec:
    start: Anchor
    end: Anchor | None  # the act that must come in time (None: only the expiry itself matters)
    within: Period | None = None
    not_before: Period | None = None
    inclusive: bool = False  # not_before only: the act may fall on the last day of the period (at_least)


class RuleKind(enum.StrEnum):
    ORDER = "order"  # require: {before: A, done: [B]}
    CHECK = "check"  # on acts, the expression must hold
    FORBID = "forbid"  # on acts, the expression must not hold
    DEADLINE = "deadline"
    FINISH = "finish"  # at case closure, the expression must hold
    ENDING = "ending"  # at hand-in, the case ended outside its lawful outcomes (sim.outcomes picks the verdict)


class Verdict(enum.StrEnum):
    """How a case that was handed in outside its lawful outcomes went wrong (the review rubric's veto items)."""

    UNFINISHED = "unfinished"  # 不作为 / 案件未办结: handed in before a lawful ending
    SHIRKED = "shirked"  # 推诿 (不应移送而移送): a matter within the township's power sent to another organ
    NOT_REFERRED = "not_referred"  # 应移送未移送: outside the township's power, not referred to the competent organ
    CRIME_NOT_TRANSFERRED = "crime_not_transferred"  # a suspected crime not transferred to the police


@attrs.frozen
class RuleSpec:
    id: str
    title: str
    severity: Severity
    cite: tuple[str, ...]  # law-catalogue keys
    explain: str  # what is wrong, in Chinese
    expected: str  # what should have been done, in Chinese
    kind: RuleKind
    on: tuple[str, ...] = ()  # action ids the rule looks at (ORDER: the later act; CHECK/FORBID: acts)
    when: Expr | None = None
    expr: Expr | None = None  # CHECK / FORBID / FINISH
    requires: tuple[str, ...] = ()  # ORDER: acts that must have been done before
    deadline: DeadlineSpec | None = None
    unless: Expr | None = None
    points: int | None = None  # deduction override
    pos: Pos = Pos()
    shared: bool = False  # written in an abstract base: ignores the actions a procedure does not have
    ending: Verdict | None = None  # ENDING rules: the verdict this rule reports


@attrs.frozen
class Phrase:
    id: str
    text: str
    proper: bool
    note: str = ""


@attrs.frozen
class Officer:
    id: str
    name: str
    certified: bool
    cert_no: str = ""
    role: str = ""
    note: str = ""


@attrs.frozen
class Procedure:
    id: str
    title: str
    states: tuple[StateSpec, ...]
    actions: dict[str, ActionSpec]
    events: dict[str, WorldEventSpec]
    rules: tuple[RuleSpec, ...]
    conditions: dict[str, Expr]
    flags: dict[str, Any]
    phrases: dict[str, Phrase]
    officers: tuple[Officer, ...]
    params: dict[str, ParamSpec]
    phases: tuple[str, ...]
    abstract: bool = False
    extends: tuple[str, ...] = ()
    pos: Pos = Pos()

    @property
    def initial(self) -> str:
        return next(s.id for s in self.states if s.initial)

    def state(self, sid: str) -> StateSpec:
        return next(s for s in self.states if s.id == sid)

    def rule(self, rid: str) -> RuleSpec:
        return next(r for r in self.rules if r.id == rid)

    def anchor_label(self, anchor: Anchor) -> str:
        """The moment an anchor names, in words: 立案, 《行政处罚决定书》送达, 发现案件…"""
        if anchor.after is not None:
            return f"{self.anchor_label(anchor.base)}之日起 {anchor.after.label()}届满"
        if anchor.kind == "discovered":
            return "发现案件"
        if anchor.kind == "event":
            return self.events[anchor.ref].label
        a = self.actions[anchor.ref]
        if anchor.kind == "served":
            return f"《{a.document.name if a.document else a.label}》送达"
        return a.label


# --- cases -------------------------------------------------------------------------------------------------


@attrs.frozen
class Evidence:
    id: str
    label: str
    how: str = ""  # how it is obtained (for the briefing / hints)
    key: bool = False  # key evidence: deciding without it means the facts are not established


@attrs.frozen
class ScheduledEvent:
    event: str  # world event id
    after: Anchor
    wait: Period | None = None  # None: at the moment of the anchor
    when: Expr | None = None
    chance: float = 1.0
    pos: Pos = Pos()
    # legal=True: `wait` is a statutory period counted by the legal rules, and the event marks its expiry
    # (it fires at the end of the period's last day); False: plain world time ("pays 5 days later").
    legal: bool = False


@attrs.frozen
class Step:
    """One step of a self-test path: an act, a jump of the clock, or the closure."""

    do: str  # action id, or "advance" / "finish"
    at: str | None = None
    params: dict[str, Any] = attrs.field(factory=dict)
    pos: Pos = Pos()


MUTATIONS = ("drop", "swap", "repeat", "delay")


@attrs.frozen
class LawfulMark:
    """A mutation of a reference path that the case declares lawful (`lawful:` in the reference path), so the
    deep check (sim.deepcheck) does not require a finding for it. `step` names the step as written: `do`
    action id, `name@N` (N-th occurrence, 1-based) or `advance@N`."""

    mutation: str  # one of MUTATIONS
    step: str
    why: str  # the legal reason, in Chinese
    pos: Pos = Pos()


@attrs.frozen
class SelfTest:
    name: str
    steps: tuple[Step, ...]
    expect_score: int | None = None
    expect_findings: tuple[str, ...] | None = None  # exact multiset (sorted) of rule ids
    expect_state: str | None = None
    reference: bool = False
    pos: Pos = Pos()
    script: tuple[ScheduledEvent, ...] | None = None  # replaces the case's scheduled events for this test
    lawful: tuple[LawfulMark, ...] = ()  # reference paths only: mutations declared lawful


class OutcomeKind(enum.StrEnum):
    PENALTY = "penalty"  # a decision within the case's range, served, performed or enforced, closed
    NO_PENALTY = "no_penalty"  # a lawful 不予行政处罚 decision (行政处罚法 第三十三条), served, closed
    REFERRAL = "referral"  # outside the township's power: referred to the competent organ, facts stated
    CRIME_REFERRAL = "crime_referral"  # a suspected crime: the criminal-transfer steps
    OTHER = "other"  # an ending a case author declares for its own facts


@attrs.frozen
class Stage:
    """One thing a lawful outcome requires at hand-in ("决定书已送达"). `omitted` is how the debrief names it
    when it is missing ("决定书未送达"); `cite` the article (or practice source) behind the requirement."""

    id: str
    omitted: str
    cite: tuple[str, ...]
    holds: Expr
    pos: Pos = Pos()


@attrs.frozen
class LawfulOutcome:
    """An ending that is lawful for the case's facts and the township's power (sim.outcomes). It applies
    when `when` holds at hand-in (None: always) and is reached when every stage holds."""

    id: str
    kind: OutcomeKind
    label: str
    stages: tuple[Stage, ...]
    when: Expr | None = None
    derived: bool = False  # derived from the case's power, facts and template (not written in the case)
    pos: Pos = Pos()


@attrs.frozen
class Scenario:
    id: str
    title: str
    procedure: Procedure
    briefing: str
    discovered: dt.datetime
    party: dict[str, Any]
    facts: dict[str, Any]
    evidence: tuple[Evidence, ...]
    penalty: dict[str, Any]
    power: dict[str, Any]
    script: tuple[ScheduledEvent, ...]
    selftests: tuple[SelfTest, ...]
    difficulty: int = 1
    tags: tuple[str, ...] = ()
    case_type: str = ""
    content_hash: str = ""
    path: str = ""
    articles: dict[str, Article] = attrs.field(factory=dict)  # the catalogue entries its rules cite
    pos: Pos = Pos()
    analysis: Any = None  # sim.analysis.AnalysisSpec: what the author adds for case analysis (一事一议)
    outcomes: tuple[LawfulOutcome, ...] = ()  # the lawful endings (sim.outcomes); () = none declared
    # Who may approve the decision (`approval:` of the case): ids of the template's `approver` options.
    approvers: tuple[str, ...] = ()
    major_approvers: tuple[str, ...] = ()
    # (short, full, citable) of the library's laws: what a citation may name; citable: not practice standards only
    laws: tuple[tuple[str, str, bool], ...] = ()

    @property
    def officers(self) -> tuple[Officer, ...]:
        return self.procedure.officers

    def officer(self, oid: str) -> Officer | None:
        return next((o for o in self.procedure.officers if o.id == oid), None)

    @property
    def references(self) -> tuple[SelfTest, ...]:
        return tuple(t for t in self.selftests if t.reference)

    @property
    def traps(self) -> tuple[SelfTest, ...]:
        return tuple(t for t in self.selftests if not t.reference)
