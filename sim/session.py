"""One trainee working one case: act(), advance(), finish().

The case clock only moves forward. Scripted world events fire deterministically for a given seed. Every
call that changes the session is journaled (and fsynced) before it returns, and `replay` rebuilds the same
session, findings and score from the scenario and the journal alone.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from . import __version__
from .bounds import BoundsError, check_moment
from .calendar import Deadline, LegalCalendar, Unit, parse_period
from .documents import check_amount, check_date, check_period, spans
from .documents.case import (
    check_basis, check_party_named, extra_citations, law_index, meaningful, required_citations, says_something,
)
from .expr import FUNCTIONS_KEY, Expr, Rec
from .journal import JOURNAL_VERSION, Journal, JournalError, check_entries, read_journal
from .actplan import rules_function
from .quickcheck import unstorable
from .machine import CasePlan, RulePlan, event_trigger, machine_for, plan_for
from .model import ActionSpec, Anchor, ParamKind, RuleKind, RuleSpec, Scenario, ScheduledEvent
from .outcomes import Assessment, assess, verdict_chain
from .scoring import Finding, DeadlineFact, Omission, Result, score_findings

# The kinds of 《行政处罚法》第九条 from light to heavy (sim.params.PENALTY_KINDS): warning and criticism; fines and
# confiscation; 暂扣/降低资质/吊销许可证件; 责令停产停业、责令关闭 and, by its effect on property, 限期拆除.
PENALTY_RANK = {"none": 0, "correct": 0, "warning": 1, "criticism": 1, "fine": 2, "confiscation": 2, "revoke": 3,
                "suspend": 4, "demolish": 4}

# 公告送达: deemed served 30 days after publication (民事诉讼法 第九十五条).
PUBLIC_NOTICE_DAYS = 30
DEFAULT_POST_DAYS = 3  # training assumption: days a registered letter takes to be signed for


class ReplayError(Exception):
    """A journal that does not belong to this scenario (or is damaged)."""


class CaseChanged(ReplayError):
    """A well-formed journal of this case written on an earlier version of it (the content hash differs): its
    acts cannot be replayed as they were, but can be carried over to the new version."""


# An act's record, a log line and an act's outcome are made on every act: plain slotted classes, whose __init__
# assigns the fields directly (a frozen attrs class sets each through object.__setattr__, which costs about
# three times as much: 0.7 against 0.2 µs for ActRecord). Nothing changes them once made; they hash and compare
# by value as the frozen classes did.
_PER_ACT = attrs.define(unsafe_hash=True)


@_PER_ACT
class ActRecord:
    index: int
    name: str
    label: str
    at: dt.datetime
    params: dict[str, Any]
    effective: dt.datetime | None  # when a served document takes effect (service acts)
    state_before: str
    state_after: str


@_PER_ACT
class LogEntry:
    at: dt.datetime
    kind: str  # act | event | refused | finding | note
    text: str


@_PER_ACT
class Outcome:
    ok: bool
    reason: str = ""
    act: ActRecord | None = None
    findings: tuple[Finding, ...] = ()
    events: tuple[LogEntry, ...] = ()


@attrs.frozen
class Clock:
    """A running statutory clock, for the workbench."""

    rule_id: str
    title: str
    start: dt.datetime
    start_label: str  # what it runs from, e.g. 立案, 《行政处罚事先告知书》送达
    period: str
    due: dt.date
    kind: str  # within | not_before
    remaining_days: int  # calendar days from the case date to the due date (negative: overdue)
    remaining_working_days: int
    provisional: bool
    end_label: str = ""  # the act that ends it, e.g. 作出行政处罚决定 ('' when the rule names none)

    @property
    def neutral(self) -> str:
        """What the period asks, in neutral words (the rule's title names the violation, which has not
        happened while the period runs): 自立案起 90日 内作出行政处罚决定 / 《…》送达后满 3个工作日 方可作出决定."""
        end = self.end_label or "办结"
        if self.kind == "within":
            return f"自{self.start_label}起{self.period}内{end}"
        return f"{self.start_label}后满{self.period}方可{end}"


def _to_datetime(value: Any, now: dt.datetime, cal: LegalCalendar) -> dt.datetime:
    """Accept a datetime, a date, an ISO string, or a relative "+N unit" from the current case time, inside
    the year window (sim.bounds); raises ValueError (BoundsError) otherwise."""
    if type(value) is str:
        hit = _CHECKED.get(value)
        if hit is not None:
            return hit
    moment = check_moment(_read_time(value, now, cal), "时间")
    if type(value) is str and _ABSOLUTE.get(value) is moment:  # a full moment, inside the window
        if len(_CHECKED) >= _ABSOLUTE_MAX:
            _CHECKED.clear()
        _CHECKED[value] = moment
    return moment


def _time_problem(exc: Exception) -> str:
    return str(exc) if isinstance(exc, BoundsError) else f"时间格式不正确：{exc}"


# A script's events by the anchor each waits for (the scripts are the cases' own, kept with their index).
_SCRIPTS: dict[int, tuple[Any, dict[str, tuple[int, ...]]]] = {}


def _script_on(script: Any) -> dict[str, tuple[int, ...]]:
    hit = _SCRIPTS.get(id(script))
    if hit is not None and hit[0] is script:
        return hit[1]
    on: dict[str, list[int]] = {}
    for i, ev in enumerate(script):
        on.setdefault(ev.after.key, []).append(i)
    index = {k: tuple(v) for k, v in on.items()}
    if len(_SCRIPTS) >= 4096:
        _SCRIPTS.clear()
    _SCRIPTS[id(script)] = (script, index)
    return index


# Moments written as full ISO date-times (reference paths and journals repeat the same few), parsed once.
_ABSOLUTE: dict[str, dt.datetime] = {}
_ABSOLUTE_MAX = 4096
_CHECKED: dict[str, dt.datetime] = {}  # those of them inside the year window (what _to_datetime returns)


def _read_time(value: Any, now: dt.datetime, cal: LegalCalendar) -> dt.datetime:
    if value is None:
        return now
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return now if value == now.date() else dt.datetime.combine(value, dt.time(9, 0))
    if isinstance(value, str):
        hit = _ABSOLUTE.get(value)
        if hit is not None:
            return hit
        text = value.strip()
        if text.startswith("+"):
            length, unit = parse_period(text[1:])
            if unit == Unit.HOURS:
                return now + dt.timedelta(hours=length)
            if unit == Unit.WORKING_DAYS:
                return dt.datetime.combine(cal.add_working_days(now.date(), length), now.time())
            if unit == Unit.DAYS:
                return now + dt.timedelta(days=length)
            d = cal.deadline(now, length, unit).due
            return dt.datetime.combine(d, now.time())
        parsed = dt.datetime.fromisoformat(text.replace("T", " ")) if len(text) > 10 else None
        if parsed is not None:
            parsed = parsed.replace(tzinfo=None)
            if len(_ABSOLUTE) >= _ABSOLUTE_MAX:
                _ABSOLUTE.clear()
            _ABSOLUTE[value] = parsed  # a moment written in full means the same whatever the case clock
            return parsed
        return _read_time(dt.date.fromisoformat(text), now, cal)
    raise ValueError(f"无法识别的时间：{value!r}")


def _listing(values: Any, most: int = 12) -> str:
    """The valid values of a parameter, for a refusal message: a、b、c (and how many more)."""
    shown = sorted(str(v) for v in values)
    text = "、".join(shown[:most]) or "无"
    return text + (f" 等 {len(shown)} 个" if len(shown) > most else "")


_LIST_KINDS = frozenset((ParamKind.OFFICERS, ParamKind.EVIDENCE, ParamKind.CHOICES))
_FREE_TEXT_KINDS = frozenset((ParamKind.TEXT, ParamKind.DOCUMENT))


class Session:
    """A trainee's attempt at one scenario."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int = 0,
        journal: Journal | str | Path | None = None,
        mode: str = "exam",
        trainee: str = "",
        wall_clock: Callable[[], float] = time.time,
        calendar: LegalCalendar | None = None,
        script: tuple[ScheduledEvent, ...] | None = None,
        _header: dict[str, Any] | None = None,
    ):
        self.scenario = scenario
        self.proc = scenario.procedure
        # The world's script: the case's, or a self-test's own (a trap where the party does something else).
        self.script = scenario.script if script is None else script
        self._waiting = _script_on(self.script)  # the script's events by the anchor each waits for (shared)
        self.seed = seed
        self.mode = mode
        self.trainee = trainee
        self.calendar = calendar or LegalCalendar.default()
        self._wall_clock = wall_clock
        self._machine = machine_for(self.proc)
        self._plan: CasePlan = plan_for(scenario)
        self._state = self.proc.initial
        self.now: dt.datetime = scenario.discovered
        self.acts: list[ActRecord] = []
        # Indexes over the acts, kept as acts are recorded, so that done()/count()/last() and the evidence
        # collected cost the same at the 10,000th act as at the first: replay stays linear in the journal.
        self._acts_by_name: dict[str, list[ActRecord]] = {}
        self._evidence: set[str] = set()
        self.log: list[LogEntry] = []
        self.findings: list[Finding] = []
        self.flags: dict[str, Any] = dict(self.proc.flags)
        self.diagnostics: list[str] = []  # expression errors: authoring problems, reported by `check`
        self.finished = False
        self.result: Result | None = None
        self._fired_rules: set[str] = set()
        # What the element checks of the rule being evaluated found wrong (cites_basis, states_fine …): the
        # finding's actual text names them.
        self._element_problems: list[str] = []
        self._done: dict[str, int] = {}  # how often each act was done
        self._recs: list[Rec] = []  # each act as expressions read it (`act`, `last(...)`), built once
        self._deadlines: dict[tuple[dt.datetime, int, str], Deadline] = {}
        self._anchors: dict[str, dt.datetime] = {"discovered": scenario.discovered}
        self._events_happened: list[str] = []
        self._pending: list[tuple[dt.datetime, int, int]] = []  # (time, seq, script index)
        self._scheduled: set[int] = set()
        self._seq = 0
        self._replaying = False
        self.started_wall = float(_header.get("wall", 0.0)) if _header else wall_clock()
        self.journal: Journal | None = None
        self.log.append(LogEntry(self.now, "note", f"发现案件线索：{scenario.title}"))
        self._schedule_anchor("discovered", self.now)
        if journal is not None:
            if _header is None and not isinstance(journal, Journal) and Path(journal).exists() \
                    and Path(journal).stat().st_size > 0:
                raise JournalError(f"记录文件 {journal} 已存在：继续原来的演练请用 resume()，不能在其中开始新的会话")
            self.journal = journal if isinstance(journal, Journal) else Journal(journal)
            if _header is None:
                self._write({"t": "start", "v": JOURNAL_VERSION, "engine": __version__, "scenario": scenario.id,
                             "hash": scenario.content_hash, "seed": seed, "mode": mode, "trainee": trainee,
                             "wall": self.started_wall})

    # --- public API ------------------------------------------------------------------------------------

    @property
    def state(self) -> str:
        return self._state

    @property
    def state_label(self) -> str:
        return self.proc.state(self.state).label

    def actions(self) -> list[ActionSpec]:
        """The whole action catalogue (the interface never offers only the valid next steps)."""
        return list(self.proc.actions.values())

    def events_happened(self) -> list[str]:
        """The world events that have happened so far, by id, in order."""
        return list(self._events_happened)

    def resolve_time(self, value: Any) -> dt.datetime:
        """The case time a trainee's entry means: a date, a datetime, ISO text, or "+N unit" from now
        (units: working_days/days/months/hours or 工作日/日/个月/小时). Raises ValueError if unreadable."""
        try:
            return _to_datetime(value, self.now, self.calendar)
        except (TypeError, OverflowError) as exc:
            raise ValueError(str(exc)) from None

    def why_not(self, name: str) -> str:
        """'' if the act is physically possible now, else the reason it would be refused."""
        spec = self.proc.actions.get(name)
        if spec is None:
            return f"没有名为「{name}」的执法动作"
        return self._why_not(spec)

    def _why_not(self, spec: ActionSpec) -> str:
        if self.finished:
            return "本案已结案，不能再进行执法动作"
        if self._state in self._machine.final_states:
            return f"案件已处于「{self.state_label}」，程序已经结束"
        if spec.once and spec.id in self._done:
            return f"「{spec.label}」在本案中已经进行过，不能重复"
        if (self._state, spec.id) not in self._machine.table:
            return f"案件当前处于「{self.state_label}」，此时无法「{spec.label}」"
        return ""

    def act(self, name: str, at: Any = None, /, **params: Any) -> Outcome:
        """Perform an act. An impossible act is refused with a reason; an unlawful one happens and is scored."""
        if self.closed:
            return Outcome(False, "本次演练已关闭，请重新打开后继续")
        wall = self._wall_clock()
        return self._act(name, at, params, wall)

    def advance(self, to: Any = None, *, days: int | None = None, working_days: int | None = None) -> Outcome:
        """Move the case clock forward (to a date/datetime, or by days / working days)."""
        if self.closed:
            return Outcome(False, "本次演练已关闭，请重新打开后继续")
        wall = self._wall_clock()
        if to is None:
            if days is not None:
                to = f"+{days} days"
            elif working_days is not None:
                to = f"+{working_days} working_days"
            else:
                return Outcome(False, "请指定推进到的日期或天数")
        return self._advance(to, wall)

    def finish(self) -> Result:
        """Close the session: checks at closure, final score. Idempotent."""
        if self.result is not None:
            return self.result
        wall = self._wall_clock()
        return self._finish(wall)

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()

    def score_now(self) -> Result:
        return score_findings(self.scenario, self.findings, self.state, finished=self.finished)

    def clocks(self) -> list[Clock]:
        """Statutory clocks that have started and are not yet satisfied, counted the legal way."""
        out = []
        for r, start, period, d in self._running():
            today = self.now.date()
            if d.due >= today:
                wd = self.calendar.working_days_between(today, d.due)
            else:
                wd = -self.calendar.working_days_between(d.due, today)
            out.append(Clock(r.id, r.title, start, self._anchor_label(r.deadline.start), period.label(), d.due,
                             "within" if r.deadline.within else "not_before", (d.due - today).days, wd,
                             d.provisional,
                             self._anchor_label(r.deadline.end) if r.deadline.end is not None else ""))
        return sorted(out, key=lambda c: c.due)

    def clock_status(self) -> tuple[tuple[str, bool], ...]:
        """The statutory clocks of clocks() reduced to their legal status: (rule id, expired), by due date."""
        today = self.now.date()
        return tuple((r.id, d.due < today) for r, _, _, d in sorted(self._running(), key=lambda x: x[3].due))

    def _running(self) -> Iterator[tuple[RuleSpec, dt.datetime, Any, Deadline]]:
        names: dict[str, Any] | None = None
        for r in self._machine.deadline_rules:
            if r.id in self._fired_rules or r.deadline is None:
                continue
            start = self._start(r.deadline.start)
            if start is None or (r.deadline.start.after is not None and start > self.now):
                continue
            if r.deadline.end is not None and r.deadline.end.key in self._anchors:
                continue
            names = names or self._names(None)
            if not self._applies(r, names):
                continue
            period = r.deadline.within or r.deadline.not_before
            assert period is not None
            yield r, start, period, self._deadline(start, period.length, period.unit)

    def started_deadlines(self) -> list[tuple[RuleSpec, Deadline]]:
        """Every statutory period that has started in this case (met, missed or running), counted legally."""
        out = []
        for r in self._machine.deadline_rules:
            assert r.deadline is not None
            start = self._start(r.deadline.start)
            period = r.deadline.within or r.deadline.not_before
            if start is None or period is None:
                continue
            out.append((r, self._deadline(start, period.length, period.unit)))
        return out

    def anchor(self, key: str) -> dt.datetime | None:
        """When an anchor (`inspect`, `served:decide`, `event:hearing_requested`, `discovered`) first happened;
        for a deadline that runs from the expiry of an earlier period (`served:decide+6 months`), that expiry."""
        derived = self._machine.derived_anchors.get(key)
        return self._start(derived) if derived is not None else self._anchors.get(key)

    def _start(self, anchor: Anchor) -> dt.datetime | None:
        """When a deadline starts: its anchor, or the last day of the `after` period counted from it the legal way
        (the period that follows runs from that day, the day itself not counted)."""
        base = self._anchors.get(anchor.base.key)
        if base is None or anchor.after is None:
            return base
        d = self._deadline(base, anchor.after.length, anchor.after.unit)
        return dt.datetime.combine(d.due, dt.time(23, 59)) if d.due_at is None else d.due_at

    def documents(self) -> list[ActRecord]:
        """The case file: acts that produced a document, in order."""
        return [a for a in self.acts if self.proc.actions[a.name].document is not None]

    def pending_events(self) -> int:
        return len(self._pending)

    def fork(self) -> Session:
        """An independent copy of this session as it stands, without a journal (for exploring alternatives:
        sim.explore tries many next acts from one situation). Acting on the copy never changes the original.

        Every attribute is copied generically: containers shallowly (their items are frozen records, tuples,
        scalars and the per-act records expressions read, which nothing changes once built), so state a later
        change adds to the session is forked too; only the journal is left behind.
        """
        new = object.__new__(Session)
        d = new.__dict__
        for key, value in self.__dict__.items():
            t = type(value)
            d[key] = value.copy() if t is list or t is dict or t is set else value
        d["_deadlines"] = self._deadlines  # a pure cache of calendar answers: sharing it is safe and cheap
        d["_waiting"] = self._waiting  # an index of the script, never changed
        d["_acts_by_name"] = {name: acts.copy() for name, acts in self._acts_by_name.items()}  # one level deeper
        d["journal"] = None
        return new

    # --- internals: acts ------------------------------------------------------------------------------

    def _write(self, entry: dict[str, Any]) -> None:
        # A closed session refuses acts; finishing it still gives the result, with nothing more to record.
        if self.journal is not None and not self._replaying and not self.journal.closed:
            at = entry.get("at")
            if isinstance(at, dt.datetime):  # an act's moment is written out only when there is a journal
                entry["at"] = at.isoformat()
            self.journal.write(entry)

    @property
    def closed(self) -> bool:
        return self.journal is not None and self.journal.closed

    def _refuse(self, reason: str, wall: float, entry: dict[str, Any]) -> Outcome:
        self.log.append(LogEntry(self.now, "refused", reason))
        entry["refused"] = reason
        self._write(entry)
        return Outcome(False, reason)

    def _act(self, name: str, at: Any, params: dict[str, Any], wall: float) -> Outcome:
        # The journal line (`_act_entry`) is made only when it is written: for a journal, or a refusal.
        try:
            when = _to_datetime(at, self.now, self.calendar)
        except (ValueError, TypeError, OverflowError) as exc:
            return self._refuse(_time_problem(exc), wall, _act_entry(name, wall))
        if self.finished:
            return self._refuse("本案已结案，不能再进行执法动作", wall, _act_entry(name, wall, when))
        spec = self.proc.actions.get(name)
        if spec is None:
            return self._refuse(f"没有名为「{name}」的执法动作", wall, _act_entry(name, wall, when))
        if when < self.now:
            return self._refuse(
                f"案件时钟只能向前：当前为 {self.now:%Y-%m-%d %H:%M}，不能在 {when:%Y-%m-%d %H:%M} 进行「{spec.label}」",
                wall, _act_entry(name, wall, when))
        try:
            clean = self._clean_params(spec, params)
        except ValueError as exc:
            return self._refuse(str(exc), wall, _act_entry(name, wall, when, _jsonable(params)))
        except (TypeError, OverflowError):
            return self._refuse(f"「{spec.label}」的参数取值无效", wall, _act_entry(name, wall, when, _jsonable(params)))
        # A refused act leaves no trace: not on the case clock, the world or the findings. If an event due
        # before the act could change the case's situation, a copy of the session lets the world move first
        # to find out; only an act that is then possible moves the real world.
        reason = self._why_refused(name, spec, clean)
        if reason and self._state_may_change_by(when):
            probe = self.fork()
            probe._run_until(when)
            reason = probe._why_refused(name, spec, clean)
        if reason:
            return self._refuse(reason, wall, _act_entry(name, wall, when, clean))
        # The world moves up to the moment of the act first (a hearing request may already have arrived).
        fired = self._run_until(when)
        before = self._state
        after = self._machine.table.get((before, name))
        if after is None:  # an event on the way made the act impossible after all: the world has moved
            entry = _act_entry(name, wall, when, clean)
            entry["moved"] = True  # replay moves the world too, then refuses
            out = self._refuse(f"案件当前处于「{self.state_label}」，此时无法「{spec.label}」", wall, entry)
            return attrs.evolve(out, events=tuple(fired))
        self._state = after
        effective = self._effective(spec, when, clean) if spec.effective == "service" else None
        rec = ActRecord(len(self.acts), name, spec.label, when, clean, effective, before, after)
        self.acts.append(rec)
        self._done[name] = self._done.get(name, 0) + 1
        same = self._acts_by_name.get(name)
        if same is None:
            self._acts_by_name[name] = [rec]
        else:
            same.append(rec)
        evidence = clean.get("evidence")
        if isinstance(evidence, list):
            self._evidence.update(evidence)  # ids: a validated list holds only strings
        self.log.append(LogEntry(when, "act", self._describe(rec)))
        new = self._check_act(rec, wall)
        self._mark_anchor(name, when)
        if effective is not None and clean.get("target"):
            self._mark_anchor(f"served:{clean['target']}", effective)
        pending = self._pending
        if pending and pending[0][0] <= when:  # events the act's anchors scheduled at once (the clock is at `when`)
            fired += self._run_until(when)
        new += self._check_expired(wall)
        if self.journal is not None:
            self._write(_act_entry(name, wall, when, clean))
        return Outcome(True, "", rec, tuple(new), tuple(fired))

    def _why_refused(self, name: str, spec: ActionSpec, clean: dict[str, Any]) -> str:
        reason = self._why_not(spec)
        if not reason and spec.id in self._machine.targeted:
            reason = self._target_problem(spec, clean)
        return reason

    def _deadline(self, start: dt.datetime, length: int, unit: str) -> Deadline:
        """A statutory period, counted once: every later act asks again whether it has expired."""
        key = (start, length, unit)
        d = self._deadlines.get(key)
        if d is None:
            d = self._deadlines[key] = self.calendar.deadline(start, length, unit)
        return d

    def _state_may_change_by(self, when: dt.datetime) -> bool:
        return any(t <= when and self.proc.events[self.script[i].event].dest is not None
                   for t, _, i in self._pending)

    def _target_problem(self, spec: ActionSpec, clean: dict[str, Any]) -> str:
        target = clean.get("target")
        if not target:
            return f"「{spec.label}」需要指明所涉文书"
        tspec = self.proc.actions.get(target)
        if tspec is None or not tspec.servable:
            return f"「{target}」不是制作文书的动作"
        if not any(a.name == target for a in self.acts):
            return f"尚未制作《{tspec.document.name}》，无从「{spec.label}」"
        return ""

    def _clean_params(self, spec: ActionSpec, params: Mapping[str, Any]) -> dict[str, Any]:
        """Validate parameter values; return a JSON-safe copy (what the journal stores)."""
        # The values a well-formed act passes (lists of known ids, booleans, known choices and phrases, texts, the
        # act's document), checked by the case plan's compiled function for the action; None for anything else
        # (then `_clean_values` validates everything and words every refusal).
        quick = (self._plan.quick_functions.get(spec.id) or self._plan.quick_function(spec))(params)
        if quick is not None and self._plan.ids_storable:
            return quick  # closed-set ids and booleans only: nothing free to look at
        out = quick if quick is not None else self._clean_values(spec, params)
        # Values that matched one of the case's ids are as storable as the ids (checked once per case); only
        # free text has to be looked at.
        free: Any = out if not self._plan.ids_storable else [
            v for k, v in out.items() if self.proc.params[k].kind in _FREE_TEXT_KINDS]
        if free and not _storable(free):
            raise ValueError(f"「{spec.label}」的文字中有无法保存的字符")
        return out

    def _clean_values(self, spec: ActionSpec, params: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in params.items():
            if key not in spec.params:
                raise ValueError(f"「{spec.label}」没有参数「{key}」")
            p = self.proc.params[key]
            if value is None:
                continue
            k = p.kind
            if k in _LIST_KINDS:
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                    raise ValueError(f"「{p.label}」应为列表")
                valid = self._plan.valid_values[key]
                for v in value:
                    if v not in valid:
                        raise ValueError(f"「{p.label}」中的「{v}」不存在（可用：{_listing(valid)}）")
                out[key] = list(dict.fromkeys(value))
            elif k == ParamKind.BOOL:
                if not isinstance(value, bool):
                    raise ValueError(f"「{p.label}」应为是/否")
                out[key] = value
            elif k == ParamKind.CHOICE:
                if value not in self._plan.choice_ids[key]:
                    raise ValueError(f"「{p.label}」的取值「{value}」无效（可用：{_listing(self._plan.choice_ids[key])}）")
                out[key] = value
            elif k == ParamKind.AMOUNT:
                if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
                        or value < 0 or value > 10**9):
                    raise ValueError(f"「{p.label}」应为不小于 0 的金额")
                out[key] = int(value) if float(value).is_integer() else float(value)
            elif k == ParamKind.TARGET:
                if not isinstance(value, str) or value not in self.proc.actions:
                    raise ValueError(f"「{p.label}」的取值「{value}」无效")
                out[key] = value
            elif k == ParamKind.DATETIME:
                out[key] = _to_datetime(value, self.now, self.calendar).isoformat()
            elif k == ParamKind.PHRASE:
                if value not in self.proc.phrases:
                    raise ValueError(f"话术「{value}」不存在")
                out[key] = value
            elif k == ParamKind.DOCUMENT:
                out[key] = self._clean_document(spec, value)
            else:  # TEXT
                if not isinstance(value, str) or len(value) > 5000:
                    raise ValueError(f"「{p.label}」应为不超过 5000 字的文字")
                out[key] = value
        return out

    def _clean_document(self, spec: ActionSpec, value: Any) -> dict[str, Any]:
        doc = spec.document
        assert doc is not None
        if not isinstance(value, Mapping):
            raise ValueError(f"《{doc.name}》的内容应为各字段的取值")
        out: dict[str, Any] = {}
        for fid, fv in value.items():
            f = doc.field(fid)
            if f is None:
                raise ValueError(f"《{doc.name}》没有字段「{fid}」")
            if fv is None or fv == "":
                continue
            if f.kind == "choice":
                if fv not in {o.id for o in f.options}:
                    raise ValueError(f"《{doc.name}》「{f.label}」的取值「{fv}」无效")
            elif f.kind == "bool":
                if not isinstance(fv, bool):
                    raise ValueError(f"《{doc.name}》「{f.label}」应为是/否")
            elif f.kind == "amount":
                if isinstance(fv, bool) or not isinstance(fv, (int, float)) or not math.isfinite(fv) or fv < 0:
                    raise ValueError(f"《{doc.name}》「{f.label}」应为金额")
            elif not isinstance(fv, str) or len(fv) > 5000:
                raise ValueError(f"《{doc.name}》「{f.label}」应为文字")
            out[fid] = fv
        return out

    def _effective(self, spec: ActionSpec, when: dt.datetime, params: dict[str, Any]) -> dt.datetime | None:
        """When a service act's document takes effect (the caller asks only for a service act)."""
        method = params.get("method")
        if method == "public_notice":
            return when + dt.timedelta(days=PUBLIC_NOTICE_DAYS)
        if method == "post":
            return when + dt.timedelta(days=int(self.scenario.party.get("post_days", DEFAULT_POST_DAYS)))
        return when

    def _describe(self, rec: ActRecord) -> str:
        # The act's words without the service date depend only on the act and its target: built once per
        # procedure (the machine is shared by every session of it).
        key = (rec.name, rec.params.get("target"))
        texts = self._machine.act_texts
        text = texts.get(key)
        if text is None:
            text = rec.label
            spec = self.proc.actions[rec.name]
            if "target" in rec.params:
                target = self.proc.actions[rec.params["target"]]
                text += f"《{target.document.name if target.document else target.label}》"
            elif spec.document is not None:
                text += f"（制作《{spec.document.name}》）"
            texts[key] = text
        if rec.effective is not None and rec.effective != rec.at:
            text += f"，视为于 {rec.effective:%Y-%m-%d} 送达"
        return text

    # --- internals: clock and events -------------------------------------------------------------------

    def _advance(self, to: Any, wall: float) -> Outcome:
        entry: dict[str, Any] = {"t": "advance", "wall": wall}
        if self.finished:
            return self._refuse("本案已结案", wall, entry)
        try:
            target = _to_datetime(to, self.now, self.calendar)
        except (ValueError, TypeError, OverflowError) as exc:
            return self._refuse(_time_problem(exc), wall, entry)
        entry["to"] = target.isoformat()
        if target < self.now:
            return self._refuse(f"案件时钟只能向前：当前为 {self.now:%Y-%m-%d %H:%M}", wall, entry)
        fired = self._run_until(target)
        self.now = target
        new = self._check_expired(wall)
        self._write(entry)
        return Outcome(True, "", None, tuple(new), tuple(fired))

    def _mark_anchor(self, key: str, when: dt.datetime) -> None:
        if key not in self._anchors:
            self._anchors[key] = when
            if key in self._waiting:  # (most anchors have no event waiting for them)
                self._schedule_anchor(key, when)
        # else: its events were scheduled when it first happened (each event waits for one anchor)

    def _schedule_anchor(self, key: str, when: dt.datetime) -> None:
        waiting = self._waiting.get(key)
        if not waiting:
            return
        for i in waiting:
            if i in self._scheduled:
                continue
            ev = self.script[i]
            self._scheduled.add(i)
            fire_at = when
            if ev.wait is not None:
                # The world keeps its own time: a party who pays "5 days later" does so on that day even if
                # it is a Sunday. Only legal periods move off rest days; working-day waits count working days.
                if ev.legal:
                    d = self.calendar.deadline(when, ev.wait.length, ev.wait.unit)
                    fire_at = d.due_at or dt.datetime.combine(d.due, dt.time(23, 59))
                elif ev.wait.unit == Unit.HOURS:
                    fire_at = when + dt.timedelta(hours=ev.wait.length)
                elif ev.wait.unit == Unit.DAYS:
                    fire_at = when + dt.timedelta(days=ev.wait.length)
                elif ev.wait.unit == Unit.WORKING_DAYS:
                    fire_at = dt.datetime.combine(self.calendar.add_working_days(when.date(), ev.wait.length),
                                                  when.time())
                else:
                    d = self.calendar.deadline(when, ev.wait.length, ev.wait.unit)
                    fire_at = dt.datetime.combine(d.extended_from or d.due, when.time())
            self._seq += 1
            heapq.heappush(self._pending, (fire_at, self._seq, i))

    def _run_until(self, until: dt.datetime) -> list[LogEntry]:
        fired: list[LogEntry] = []
        while self._pending and self._pending[0][0] <= until:
            fire_at, _, i = heapq.heappop(self._pending)
            if fire_at > self.now:
                self.now = fire_at
            entry = self._fire(self.script[i], i)
            if entry is not None:
                fired.append(entry)
        if until > self.now:
            self.now = until
        return fired

    def _fire(self, ev: ScheduledEvent, index: int) -> LogEntry | None:
        if ev.chance < 1.0:
            rng = random.Random(f"{self.seed}:{self.scenario.id}:{index}")
            if rng.random() >= ev.chance:
                return None
        if ev.when is not None and not self._truthy(ev.when, self._names(None), "事件安排 {}", ev.event):
            return None
        spec = self.proc.events[ev.event]
        self.flags.update(spec.sets)
        if spec.dest is not None:
            self._state = self._machine.table.get((self._state, event_trigger(spec.id)), self._state)
        self._events_happened.append(spec.id)
        entry = LogEntry(self.now, "event", spec.message)
        self.log.append(entry)
        self._mark_anchor(f"event:{spec.id}", self.now)
        return entry

    # --- internals: rules --------------------------------------------------------------------------------

    def _collected(self) -> set[str]:
        return self._evidence

    def law_index(self) -> Any:
        """The law names a citation in this case's documents may use (sim.documents.LawIndex)."""
        return law_index(tuple((short, full) for short, full, _ in self.scenario.laws))

    def required_citations(self, *, penalty_only: bool = False) -> tuple[str, ...]:
        """The provisions this case's notice (and, `penalty_only`, its decision) must cite
        (sim.documents.case.required_citations)."""
        a = self.scenario.analysis
        return required_citations(self.scenario.penalty, getattr(a, "violated", ()) or (),
                                  (short for short, _, citable in self.scenario.laws if citable), penalty_only=penalty_only)

    def _act_rec(self, a: ActRecord) -> Rec:
        """The act as expressions read it; built once per act (nothing changes an act once done)."""
        recs = self._recs
        if len(recs) == a.index:  # the act just done, all before it read already: the usual case
            rec = self._make_rec(a)
            recs.append(rec)
            return rec
        while len(recs) <= a.index:
            recs.append(self._make_rec(self.acts[len(recs)]))
        return recs[a.index]

    def _make_rec(self, a: ActRecord) -> Rec:
        # Cleaned parameters are scalars, lists of ids and documents of scalar fields (both validations make them
        # so): only a document needs converting, the lists are read as they are (nothing changes an act's
        # parameters once done). What to look at, per action: sim.machine.ProcedureMachine.rec_plans.
        r = Rec(a.params)
        documents, has_document, texts, doc_texts = self._machine.rec_plans[a.name]
        for k in documents:
            v = r.get(k)
            if type(v) is dict:
                r[k] = Rec(v)
        if has_document and "document" not in r:
            r["document"] = Rec()  # an act that drafted nothing has an empty document, not a missing one
        # A text that says nothing ("x", "…") is read by the rules as not written: the element is missing.
        # (`meaningful`, for texts both validations keep within 5,000 characters.)
        params = a.params
        for k in texts:
            v = params.get(k)
            if type(v) is str and says_something(v) is None:
                r[k] = None
        if doc_texts:
            doc = r.get("document")
            if type(doc) is Rec:
                for fid in doc_texts:
                    v = doc.get(fid)
                    if type(v) is str and says_something(v) is None:
                        doc[fid] = None
        at = a.at
        r["name"] = a.name
        r["at"] = at
        r["date"] = at.date()
        r["effective"] = a.effective
        r["index"] = a.index
        return r

    def _names(self, act: ActRecord | None) -> dict[str, Any]:
        """What expressions read at this moment (case data is converted once per case), with the engine's
        functions and this session for them to read."""
        return {**self._plan.static_names, "act": self._act_rec(act) if act is not None else Rec(),
                "flags": Rec(self.flags), "now": self.now, "state": self._state, "_session": self,
                FUNCTIONS_KEY: ENGINE_FUNCTIONS}

    def _fill_conditions(self, conditions: tuple[str, ...], names: dict[str, Any]) -> None:
        for n in conditions:
            if n not in names:
                names[n] = self._value(self.proc.conditions[n], names, 1)

    def _value(self, e: Expr, names: dict[str, Any], _depth: int = 0) -> Any:
        # The named conditions it reads are evaluated first (once per context: later rules reuse them).
        conditions = self._machine.conditions_read(e)
        if not conditions:
            return e.fn(names)
        for n in conditions:
            if n not in names and _depth < 20:
                names[n] = self._value(self.proc.conditions[n], names, _depth + 1)
        return e.fn(names)

    def _truthy(self, e: Expr, names: dict[str, Any], where: str, *where_args: str) -> bool | None:
        """Evaluate to bool; None (and a diagnostic) if the expression fails at run time. `where` is
        formatted with `where_args` only then (a rule is evaluated thousands of times, and fails rarely)."""
        try:
            return bool(self._value(e, names))
        except Exception as exc:  # noqa: BLE001 - an author's expression must never crash a trainee's session
            self.diagnostics.append(f"{where.format(*where_args)}：表达式「{e.source}」求值出错："
                                    f"{type(exc).__name__}: {exc}")
            return None

    def _applies(self, r: RuleSpec, names: dict[str, Any]) -> bool:
        if r.when is not None and self._truthy(r.when, names, "规则 {} 的 when", r.id) is not True:
            return False
        if r.unless is not None and self._truthy(r.unless, names, "规则 {} 的 unless", r.id) is not False:
            return False
        return True

    def _check_act(self, act: ActRecord, wall: float) -> list[Finding]:
        new: list[Finding] = []
        # The action's rules, compiled into one function per action and case (sim.actplan): what each rule that
        # found something found, in rule order. `ctx` holds the full evaluation context once a rule needs it.
        rules = self._plan.rule_functions.get(act.name)
        if rules is None:
            rules = self._plan.rule_functions[act.name] = rules_function(
                self._machine.plans_on[act.name], self._plan.static_names, ENGINE_FUNCTIONS, QUIET_FUNCTIONS,
                Session._judge)
        ctx: list[Any] = [None, act]
        for i, found in rules(self, self._act_rec(act), self._fired_rules, ctx):
            if type(found) is str:  # an order rule's own words
                actual = found
            else:
                actual = self._describe(act)
                if found:
                    actual += "：" + "；".join(dict.fromkeys(found))
            new.append(self._find(self._machine.plans_on[act.name][i].rule, act.at, act, wall, actual))
        served = f"served:{act.params['target']}" if act.effective is not None and act.params.get("target") else None
        for r in self._machine.deadlines_ended_by(act.name, served):
            end = r.deadline.end  # type: ignore[union-attr]
            if end is None or r.id in self._fired_rules:
                continue
            hit = (end.kind == "act" and end.ref == act.name) or (served is not None and end.key == served)
            if not hit or end.key in self._anchors:
                continue  # only the first occurrence of the end event is measured
            start = self._start(r.deadline.start)  # type: ignore[union-attr]
            if start is None:
                continue
            names = ctx[0]
            if names is None:
                names = ctx[0] = self._names(act)
            if not self._applies(r, names):
                continue
            moment = act.effective if end.kind == "served" and act.effective else act.at
            f = self._deadline_finding(r, start, moment, act, wall)
            if f is not None:
                new.append(f)
        if new:
            for f in new:
                self._fired_rules.add(f.rule_id)
            self.findings.extend(new)
        return new

    def _judge(self, p: RulePlan, ctx: list[Any]) -> list[str] | str | None:
        """One act rule of `ctx[1]`, the act just done, judged against the full evaluation context (`ctx[0]`,
        built on first need): the definition of what an act rule finds, which the compiled rule functions
        (sim.actplan) come back to whenever their inline code does not answer. None if the rule finds
        nothing; a check or forbid that finds something gives the element problems its functions named, an
        order rule the text of its finding. An expression that fails is a diagnostic, and finds nothing."""
        act: ActRecord = ctx[1]
        names = ctx[0]
        if names is None:
            names = ctx[0] = self._names(act)
        r = p.rule
        self._element_problems = problems = []
        part = "when"
        try:
            if p.when is not None:
                if p.when_conditions:
                    self._fill_conditions(p.when_conditions, names)
                if not p.when(names):
                    return None
            part = "unless"
            if p.unless is not None:
                if p.unless_conditions:
                    self._fill_conditions(p.unless_conditions, names)
                if p.unless(names):
                    return None
            if p.order:
                # done before this act (the act itself, the last one done, is counted in _done already)
                missing = [a for a in r.requires if self._done.get(a, 0) - (a == act.name) <= 0]
                if not missing:
                    return None
                labels = "、".join(self.proc.actions[m].label for m in missing)
                return f"在「{act.label}」之前未进行：{labels}"
            part = ""
            if p.expr_conditions:
                self._fill_conditions(p.expr_conditions, names)
            ok = bool(p.expr(names))
        except Exception as exc:  # noqa: BLE001 - an author's expression must never crash a trainee's session
            e = r.when if part == "when" else r.unless if part == "unless" else r.expr
            self.diagnostics.append(f"规则 {r.id}{f' 的 {part}' if part else ''}：表达式「{e.source if e else ''}」"
                                    f"求值出错：{type(exc).__name__}: {exc}")
            return None
        return problems if ok is p.forbid else None  # a check that fails, a forbidden thing that holds

    def _deadline_finding(self, r: RuleSpec, start: dt.datetime, moment: dt.datetime, act: ActRecord | None,
                          wall: float) -> Finding | None:
        assert r.deadline is not None
        period = r.deadline.within or r.deadline.not_before
        assert period is not None
        d = self._deadline(start, period.length, period.unit)
        start_label = self._anchor_label(r.deadline.start)
        if r.deadline.within is not None:
            if not d.is_late(moment):
                return None
            late = d.days_late(moment) if d.unit != Unit.HOURS else 0
            fact = DeadlineFact(start_label, start, period.label(), period.unit, d.due, d.due_at, late, False,
                                d.provisional)
            what = f"{act.label if act else ''}于 {moment:%Y-%m-%d} 进行，" if act else ""
            actual = f"{what}期限届满日为 {d.due:%Y-%m-%d}" + (f"，逾期 {late} 日" if late else "，已超过时限")
            return self._find(r, moment, act, wall, actual, fact)
        if d.is_late(moment) or (r.deadline.inclusive and moment.date() >= d.due):
            return None
        fact = DeadlineFact(start_label, start, period.label(), period.unit, d.due, d.due_at, 0, True, d.provisional,
                            r.deadline.inclusive)
        when_ok = f"不得早于 {d.due:%Y-%m-%d}" if r.deadline.inclusive else f"须在 {d.due:%Y-%m-%d} 之后"
        actual = (f"{act.label if act else ''}于 {moment:%Y-%m-%d} 进行，"
                  f"但自{start_label}起的 {period.label()} 于 {d.due:%Y-%m-%d} 届满，{when_ok}")
        return self._find(r, moment, act, wall, actual, fact)

    def _anchor_label(self, anchor: Anchor) -> str:
        return self.proc.anchor_label(anchor)

    def _check_expired(self, wall: float) -> list[Finding]:
        """Within-deadlines whose end act has not happened and whose last day has passed."""
        new: list[Finding] = []
        names: dict[str, Any] | None = None
        anchors = self._anchors
        for r, base_key, end_key in self._machine.within_plan:
            if base_key not in anchors or r.id in self._fired_rules or end_key in anchors:
                continue
            assert r.deadline is not None and r.deadline.within is not None
            start = self._start(r.deadline.start)
            if start is None:
                continue
            d = self._deadline(start, r.deadline.within.length, r.deadline.within.unit)
            if not d.is_late(self.now):
                continue
            names = names or self._names(None)
            if not self._applies(r, names):
                continue
            late = d.days_late(self.now) if d.unit != Unit.HOURS else 0
            fact = DeadlineFact(self._anchor_label(r.deadline.start), start, r.deadline.within.label(),
                                r.deadline.within.unit, d.due, d.due_at, late, False, d.provisional)
            end = self._anchor_label(r.deadline.end) if r.deadline.end else "相应处理"
            f = self._find(r, self.now, None, wall, f"期限已于 {d.due:%Y-%m-%d} 届满，仍未{end}", fact)
            self._fired_rules.add(r.id)
            self.findings.append(f)
            new.append(f)
        return new

    def _find(self, r: RuleSpec, when: dt.datetime, act: ActRecord | None, wall: float, actual: str,
              deadline: DeadlineFact | None = None) -> Finding:
        f = Finding(
            rule_id=r.id, title=r.title, severity=r.severity, cites=r.cite, explain=r.explain, expected=r.expected,
            actual=actual, at=when, act_index=act.index if act else None, wall=wall, deadline=deadline,
            points=r.points,
        )
        # Logged in every mode; the UI shows "finding" entries at once only in practice mode.
        self.log.append(LogEntry(when, "finding", f"{r.severity.label}：{r.title}"))
        return f

    def rule_status(self, rule_id: str, act_index: int | None = None) -> str:
        """Why rule `rule_id` has or has not found anything, judged as the engine judges it now: on the act
        `act_index` for an act rule (the act just done, for a deadline it ends), at hand-in for a closure rule.
        For sim.explore's reasons; not on the hot path.

        'fired' (it has fired in this session), 'when' (its `when` was not true), 'unless' (its `unless` held),
        'not_started' (a deadline whose start never happened), 'error' (an expression failed), 'held' (the check
        held, the forbidden thing did not, the required acts were done, the deadline was met), 'breached' (the
        check fails now although the rule has not fired: it was not asked at this moment).
        """
        if rule_id in self._fired_rules:
            return "fired"
        r = next((x for x in self.proc.rules if x.id == rule_id), None)
        if r is None:
            raise KeyError(rule_id)
        act = self.acts[act_index] if act_index is not None else None
        names = self._names(act)
        for part, e in (("when", r.when), ("unless", r.unless)):
            if e is None:
                continue
            got = self._truthy(e, names, "规则 {} 的 {}", r.id, part)
            if got is None:
                return "error"
            if got is not (part == "when"):
                return part
        if r.kind == RuleKind.DEADLINE:
            return "not_started" if r.deadline is None or self._start(r.deadline.start) is None else "held"
        if r.kind == RuleKind.ORDER:
            return "held"
        if r.expr is not None:
            got = self._truthy(r.expr, names, "规则 {}", r.id)
            if got is None:
                return "error"
            return "held" if got is not (r.kind == RuleKind.FORBID) else "breached"
        return "held"

    def assess_outcome(self) -> Assessment:
        """Where the case stands against its lawful outcomes (sim.outcomes), as of now."""
        names = self._names(None)
        return assess(self.scenario.outcomes, lambda e, where: self._truthy(e, dict(names), where) is True,
                      self.state)

    def _ending_finding(self, wall: float) -> Finding | None:
        """At hand-in: a case outside its lawful outcomes gets its verdict's ending rule, naming what is missing."""
        a = self.assess_outcome()
        if a.verdict is None or a.closest is None:
            return None
        rule = next((self._machine.ending_rules[v] for v in verdict_chain(a.verdict)
                     if v in self._machine.ending_rules), None)
        if rule is None or rule.id in self._fired_rules or not self._applies(rule, self._names(None)):
            return None
        f = self._find(rule, self.now, None, wall, f"交卷时案件处于「{self.state_label}」，未达到本案的合法结果")
        return attrs.evolve(f, outcome=a.closest.label,
                            omitted=tuple(Omission(st.omitted, st.cite) for st in a.missing))

    def _finish(self, wall: float) -> Result:
        new = self._check_expired(wall)
        names = self._names(None)
        for r in self._machine.finish_rules:
            if r.id in self._fired_rules or not self._applies(r, names):
                continue
            assert r.expr is not None
            ok = self._truthy(r.expr, names, "规则 {}", r.id)
            if ok is False:
                f = self._find(r, self.now, None, wall, "结案时仍未满足")
                self._fired_rules.add(r.id)
                self.findings.append(f)
                new.append(f)
        ending = self._ending_finding(wall)
        if ending is not None:
            self._fired_rules.add(ending.rule_id)
            self.findings.append(ending)
            new.append(ending)
        self.finished = True
        self._write({"t": "finish", "wall": wall})
        self.result = score_findings(self.scenario, self.findings, self.state, finished=True)
        self.log.append(LogEntry(self.now, "note", f"结案。得分 {self.result.score}"))
        return self.result

    # --- replay ------------------------------------------------------------------------------------------

    def apply(self, entry: Mapping[str, Any]) -> None:
        """Re-execute one journal entry (used by replay and resume)."""
        t = entry.get("t")
        wall = float(entry.get("wall", 0.0))
        if "refused" in entry:
            # A refused call is never re-attempted and changes nothing. Journals written before refusals
            # left no trace may say the world moved to the refused act's time first: replay them as recorded.
            if entry.get("moved") and entry.get("at"):
                self._run_until(dt.datetime.fromisoformat(str(entry["at"])))
            self.log.append(LogEntry(self.now, "refused", str(entry["refused"])))
            return
        if t == "act":
            self._act(str(entry.get("name")), entry.get("at"), dict(entry.get("params") or {}), wall)
        elif t == "advance":
            self._advance(entry.get("to"), wall)
        elif t == "finish":
            self._finish(wall)
        else:
            raise ReplayError(f"记录中有未知的条目类型「{t}」")


_CITATION = re.compile(r"《[^》]{2,}》(第[一二三四五六七八九十百零〇0-9]+条)?")


def states_facts_and_basis(text: Any) -> bool:
    """Whether a referral letter's reason states the facts and the basis: it names a law (《…》, an article
    where it can) and says at least ten characters besides (who did what, where, since when). A heuristic a
    trainer can read: a blank reason or "不属于本镇管辖" alone does not pass."""
    if not isinstance(text, str) or not _CITATION.search(text):
        return False
    rest = _CITATION.sub("", text)
    return len(re.sub(r"[\s，。；、,.;:：（）()“”\"']", "", rest)) >= 10


def _act_entry(name: str, wall: float, when: dt.datetime | None = None, params: Any = None) -> dict[str, Any]:
    """The journal line of an act: its name, parameters (cleaned, or as given when refused for them), wall
    clock, and its moment once read (the keys in the order the journal has always had them)."""
    entry: dict[str, Any] = {"t": "act", "name": name, "params": {} if params is None else params, "wall": wall}
    if when is not None:
        entry["at"] = when
    return entry


def _storable(value: Any) -> bool:
    """Whether every string in the value can be written to the journal as UTF-8 (no lone surrogates)."""
    if isinstance(value, str):
        return not unstorable(value)
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return True
    for v in value:
        if type(v) is str:
            if unstorable(v):
                return False
        elif not _storable(v):
            return False
    return True


def _as_dt(x: Any) -> dt.datetime:
    if isinstance(x, str):
        return dt.datetime.fromisoformat(x)
    if isinstance(x, dt.datetime):
        return x
    return dt.datetime.combine(x, dt.time(12, 0))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def replay(scenario: Scenario, journal: str | Path | Iterable[Mapping[str, Any]], *, strict: bool = True,
           calendar: LegalCalendar | None = None, wall_clock: Callable[[], float] = time.time) -> Session:
    """Rebuild a session from its journal. With strict=True a journal of another case version is refused."""
    try:
        entries = read_journal(journal) if isinstance(journal, (str, Path)) else check_entries(journal)
    except JournalError as exc:
        raise ReplayError(str(exc)) from None
    head = entries[0]
    if head.get("scenario") != scenario.id:
        raise ReplayError(f"记录属于案例「{head.get('scenario')}」，不是「{scenario.id}」")
    if strict and head.get("hash") != scenario.content_hash:
        raise CaseChanged("案例内容与记录时的版本不同（内容校验值不一致），无法按原案重放")
    s = Session(scenario, seed=int(head.get("seed", 0)), mode=str(head.get("mode", "exam")),
                trainee=str(head.get("trainee", "")), calendar=calendar, wall_clock=wall_clock, _header=dict(head))
    s._replaying = True
    for i, entry in enumerate(entries[1:], 2):
        try:
            s.apply(entry)
        except ReplayError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
            # The entries are well-formed (checked above); one whose content the engine cannot take is a
            # damaged or forged journal, not a crash of the caller.
            raise ReplayError(f"记录第 {i} 条无法重放（内容不符合办案记录的格式：{type(exc).__name__}）") from None
    s._replaying = False
    return s


def resume(scenario: Scenario, path: str | Path, *, calendar: LegalCalendar | None = None,
           wall_clock: Callable[[], float] = time.time) -> Session:
    """Reopen an unfinished session after a crash: replay its journal, then keep appending to it."""
    s = replay(scenario, path, calendar=calendar, wall_clock=wall_clock)
    _drop_torn_tail(Path(path))
    s.journal = Journal(path)
    return s


def _drop_torn_tail(path: Path) -> None:
    """Cut a half-written last line (the crash happened mid-write) so new lines start clean."""
    with open(path, "rb+") as fh:
        data = fh.read()
        if data and not data.endswith(b"\n"):
            fh.truncate(data.rfind(b"\n") + 1)


# --- the functions rule expressions call --------------------------------------------------------------------
#
# Plain module-level functions in the calling convention of compiled expressions (sim.expr): the evaluation
# context first, where `_session` is the session being judged. Nothing is bound per session, so creating and
# forking a session costs nothing for them. They read nothing else from the context: the compiled rule
# functions (sim.actplan) call them with a context holding only `_session`.


def _session(n: Mapping[str, Any]) -> Session:
    return n["_session"]  # type: ignore[no-any-return]


def _acts_named(s: Session, name: str) -> list[ActRecord]:
    return s._acts_by_name.get(name, []) if isinstance(name, str) else []  # noqa: SLF001


def _as_date(x: Any) -> dt.date | None:
    if x is None:
        return None
    if isinstance(x, str):
        x = dt.datetime.fromisoformat(x)
    return x.date() if isinstance(x, dt.datetime) else x  # type: ignore[no-any-return]


def _fn_done(n: Mapping[str, Any], name: str) -> bool:
    return n["_session"]._done.get(name, 0) > 0  # noqa: SLF001 - the commonest call of all: no helper call


def _fn_count(n: Mapping[str, Any], name: str) -> int:
    return _session(n)._done.get(name, 0)  # noqa: SLF001


def _fn_last(n: Mapping[str, Any], name: str) -> Rec:
    s = _session(n)
    found = _acts_named(s, name)
    return s._act_rec(found[-1]) if found else Rec()  # noqa: SLF001


def _fn_first(n: Mapping[str, Any], name: str) -> Rec:
    s = _session(n)
    found = _acts_named(s, name)
    return s._act_rec(found[0]) if found else Rec()  # noqa: SLF001


def _fn_served(n: Mapping[str, Any], name: str) -> dt.datetime | None:
    """When the document of act `name` was (first) served: the effective date, or None if it has not taken
    effect yet (a public notice runs 30 days; a letter takes days to arrive)."""
    s = _session(n)
    t = s._anchors.get(f"served:{name}")  # noqa: SLF001
    return t if t is not None and t <= s.now else None


def _fn_in_time(n: Mapping[str, Any], start: Any, moment: Any, period: str) -> bool | None:
    """Whether `moment` is within `period` from `start`, counted the legal way (None if either is unset)."""
    if start is None or moment is None:
        return None
    length, unit = parse_period(str(period))
    return not _session(n)._deadline(_as_dt(start), length, str(unit)).is_late(_as_dt(moment))  # noqa: SLF001


def _fn_all_of(n: Mapping[str, Any], name: str, param: str) -> list[Any]:
    """Every value of list parameter `param` over all acts `name` (e.g. every item any disposal listed)."""
    out: list[Any] = []
    for a in _acts_named(_session(n), name):
        value = a.params.get(param) or []
        out.extend(v for v in (value if isinstance(value, list) else [value]) if v not in out)
    return out


def _fn_count_where(n: Mapping[str, Any], name: str, param: str, value: Any) -> int:
    """How many acts `name` (the one being judged included) have parameter `param` equal to `value`: e.g. the
    routine inspections (日常检查) of this enterprise approved so far, against a published yearly cap."""
    return sum(1 for a in _acts_named(_session(n), name) if a.params.get(param) == value)


def _fn_failed_service(n: Mapping[str, Any], target: str) -> list[Any]:
    """The service methods tried and recorded as failed for one document (act attempt_service): 民事诉讼法
    第九十五条 allows public notice where "用本节规定的其他方式无法送达"."""
    return [a.params.get("method") for a in _acts_named(_session(n), "attempt_service")
            if a.params.get("target") == target]


def _fn_collected(n: Mapping[str, Any], ids: Any) -> bool:
    got = _session(n)._collected()  # noqa: SLF001
    return all(i in got for i in ([ids] if isinstance(ids, str) else ids or []))


def _fn_key_evidence_collected(n: Mapping[str, Any]) -> bool:
    s = _session(n)
    got = s._collected()  # noqa: SLF001
    return all(e.id in got for e in s.scenario.evidence if e.key)


def _problems(n: Mapping[str, Any], problems: list[Any]) -> bool:
    """Record what an element check found (the finding names it) and answer whether the element is right."""
    _session(n)._element_problems.extend(p.text for p in problems)  # noqa: SLF001
    return not problems


def _fn_cites_basis(n: Mapping[str, Any], text: Any) -> bool:
    """The drafted basis (a notice's) cites the provisions the case requires — the violated and the penalty
    provision (sim.documents.case.required_citations) — with the right article, 款 and 项."""
    s = _session(n)
    return _problems(n, check_basis(text, s.required_citations(), s.law_index()))


def _fn_cites_penalty_basis(n: Mapping[str, Any], text: Any) -> bool:
    """The drafted 处罚依据 (a decision's) cites the penalty provision the case requires."""
    s = _session(n)
    return _problems(n, check_basis(text, s.required_citations(penalty_only=True), s.law_index()))


def _fn_cites_no_penalty_basis(n: Mapping[str, Any], text: Any) -> bool:
    """A 不予行政处罚 decision cites 《行政处罚法》第三十三条 (its 款: the case's `penalty.no_penalty_cite`, else
    any 款 of it)."""
    s = _session(n)
    want = str(s.scenario.penalty.get("no_penalty_cite") or "行政处罚法#33")
    return _problems(n, check_basis(text, (want,), s.law_index()))


def _fn_text_without_content(n: Mapping[str, Any]) -> float:
    """The share of the text fields of the documents drafted (acts that wrote a document) left blank or written
    with no content ("x"); 0.0 with fewer than three such fields (one terse letter is judged by its own rules, not as a case file)."""
    s = _session(n)
    total = empty = 0
    for a in s.documents():
        doc = s.proc.actions[a.name].document
        written = a.params.get("document")
        if not isinstance(written, dict) or not written:  # recorded without drafting its document at all
            continue
        for f in doc.fields if doc is not None else ():
            if f.kind != "text":
                continue
            total += 1
            empty += not meaningful(written.get(f.id))
    return empty / total if total and empty >= 3 else 0.0


def _fn_names_officers(n: Mapping[str, Any], text: Any, ids: Any) -> bool:
    """The drafted record names each acting officer with the certificate number the case gives them."""
    s = n["_session"]
    if not ids:
        s._element_problems.append("未写明执法人员")  # noqa: SLF001 - the engine's own functions
        return False
    t = text if isinstance(text, str) else ""
    officers = s._plan.officers  # noqa: SLF001
    ok = True
    for i in ids:
        o = officers.get(i)
        if o is None:
            continue
        if o.name not in t:
            s._element_problems.append(f"未写明执法人员{o.name}")  # noqa: SLF001
            ok = False
        elif o.cert_no and o.cert_no not in t:
            s._element_problems.append(f"未写明（或写错）{o.name}的执法证号{o.cert_no}")  # noqa: SLF001
            ok = False
    return ok


def _fn_states_fine(n: Mapping[str, Any], text: Any, amount: Any) -> bool:
    """The drafted text states the fine the act decides (800元, 捌佰元整, 人民币八百元)."""
    return _problems(n, check_amount(text if isinstance(text, str) else "", amount))


def _fn_fine_agrees(n: Mapping[str, Any], text: Any, amount: Any) -> bool:
    """Any sum the drafted text states equals the act's amount (a text that states none is not wrong here)."""
    problems = check_amount(text if isinstance(text, str) else "", amount)
    return _problems(n, [p for p in problems if p.code != "none"])


def _fn_names_party(n: Mapping[str, Any], text: Any, with_address: bool = True) -> bool:
    """The drafted text names the case's party and (unless `with_address` is False) gives its address as the
    case records them."""
    party = _session(n).scenario.party
    address = str(party.get("address") or "") if with_address else ""
    return _problems(n, check_party_named(text, str(party.get("name") or ""), address))


def _fn_names_served_document(n: Mapping[str, Any], text: Any, target: Any) -> bool:
    """The receipt names the document served (its name, with or without 《》)."""
    s = _session(n)
    spec = s.proc.actions.get(target) if isinstance(target, str) else None
    if spec is None or spec.document is None:
        return True
    name = spec.document.name
    t = text if isinstance(text, str) else ""
    if name in t:
        return True
    s._element_problems.append(f"应写明送达的是《{name}》")  # noqa: SLF001
    return False


def _fn_states_date(n: Mapping[str, Any], text: Any, day: Any) -> bool:
    """The drafted text states the date (二〇二六年六月十二日, 2026年6月12日, 2026-06-12)."""
    return _problems(n, check_date(text if isinstance(text, str) else "", _as_date(day)))


def _fn_states_period(n: Mapping[str, Any], text: Any, *periods: str) -> bool:
    """The drafted text states the period(s), e.g. states_period(text, '15 days') for 十五日内."""
    return _problems(n, check_period(text if isinstance(text, str) else "", spans(periods)))


def _fn_same_basis(n: Mapping[str, Any], a: Any, b: Any) -> bool:
    """The later document (the decision) cites no provision the earlier one (the notice) did not tell."""
    return _problems(n, extra_citations(a, b, _session(n).law_index()))


ENGINE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "cites_basis": _fn_cites_basis,
    "cites_penalty_basis": _fn_cites_penalty_basis,
    "names_officers": _fn_names_officers,
    "names_served_document": _fn_names_served_document,
    "states_date": _fn_states_date,
    "text_without_content": _fn_text_without_content,
    "cites_no_penalty_basis": _fn_cites_no_penalty_basis,
    "states_fine": _fn_states_fine,
    "fine_agrees": _fn_fine_agrees,
    "names_party": _fn_names_party,
    "states_period": _fn_states_period,
    "same_basis": _fn_same_basis,
    "done": _fn_done,
    "count": _fn_count,
    "last": _fn_last,
    "first": _fn_first,
    "happened": lambda n, eid: eid in _session(n)._events_happened,  # noqa: SLF001
    # Officers by the case plan's set of certified ids (an id not in the team is not certified).
    "certified": lambda n, ids: sum(map(n["_session"]._plan.certified.__contains__, ids or ())),  # noqa: SLF001
    "all_certified": lambda n, ids: bool(ids) and n["_session"]._plan.certified.issuperset(ids),  # noqa: SLF001
    "len": lambda n, x: 0 if x is None else len(x),
    "min": lambda n, *a: min(*a),
    "max": lambda n, *a: max(*a),
    "abs": lambda n, x: abs(x),
    "proper": lambda n, pid: True if not pid else n["_session"]._plan.proper[pid],  # noqa: SLF001
    "is_rest_day": lambda n, x: x is not None and not _session(n).calendar.is_workday(_as_date(x)),
    # A rest day inside a statutory holiday (法定节假日), as opposed to an ordinary weekend.
    "is_holiday": lambda n, x: x is not None and _session(n).calendar.day(_as_date(x)).holiday is not None,
    # Night: 22:00-06:00. 行政强制法 第四十三条 forbids night enforcement without defining night; the hours are
    # a training assumption (common practice), marked AN in the law catalogue.
    "is_night": lambda n, x: x is not None and (_as_dt(x).hour >= 22 or _as_dt(x).hour < 6),
    "working_days_between": lambda n, a, b: _session(n).calendar.working_days_between(_as_date(a), _as_date(b)),
    "days_between": lambda n, a, b: (_as_date(b) - _as_date(a)).days,  # type: ignore[operator]
    "has": lambda n, seq, item: seq is not None and item in seq,
    "has_all": lambda n, seq, items: seq is not None and all(i in seq for i in (items or [])),
    "in_time": _fn_in_time,
    "all_of": _fn_all_of,
    "count_where": _fn_count_where,
    "date": lambda n, x: _as_date(x),
    "served": _fn_served,
    "collected": _fn_collected,
    "key_evidence_collected": _fn_key_evidence_collected,
    # How heavy a penalty kind is, in the order of 《行政处罚法》第九条 (a decision heavier than its notice).
    "penalty_rank": lambda n, kind: PENALTY_RANK.get(kind, 0),
    # The organ a referral of this case must go to (facts.refer_to), None if the case names none.
    "competent_receiver": lambda n: _session(n).scenario.facts.get("refer_to"),
    "states_facts_and_basis": lambda n, text: states_facts_and_basis(text),
    "failed_service": _fn_failed_service,
}

# The engine's functions that never name an element problem (Session._element_problems: what a finding's text
# says is wrong in a drafted document). A rule calling only these needs no fresh list of problems
# (sim.actplan); a function missing here only costs that list.
QUIET_FUNCTIONS = frozenset((
    "done", "count", "last", "first", "happened", "certified", "all_certified", "len", "min", "max", "abs",
    "proper", "is_rest_day", "is_holiday", "is_night", "working_days_between", "days_between", "has", "has_all",
    "in_time", "all_of", "count_where", "date", "served", "collected", "key_evidence_collected", "penalty_rank",
    "competent_receiver", "states_facts_and_basis", "failed_service", "text_without_content",
))
