"""The procedure state machine, built with `transitions` once per procedure.

The machine answers one question: is an act physically possible in the case's current procedural situation
(you cannot serve a decision that does not exist)? Whether the act is lawful is the rules' business.

`transitions` is the machine the graph, the authoring checks and the tests are built from. A session's hot
path reads the same transitions from `ProcedureMachine.table`, a (state, trigger) -> state dict derived from
the machine once per procedure (tests/test_machine_table.py proves the two agree for every procedure): firing
a trigger through `transitions` costs more than the rest of an act.
Engine metadata (citations, deadlines, scoring) never goes into the `transitions` configuration, the YAML can
name no callbacks, and `resolve_callable` refuses names anyway, so nothing in a scenario file is imported.
"""

from __future__ import annotations

import ast
import logging
from typing import Any, NamedTuple

from transitions import Machine, MachineError

from .expr import Expr, Rec, record
from .model import ActionSpec, ParamKind, Procedure, RuleKind, RuleSpec, Scenario
from .quickcheck import BOOL, DOC, LIST, ONE, TEXT, quick_function

# model_override + a quiet logger keeps add_model cheap (no per-model trigger partials, no warning per skip).
logging.getLogger("transitions").setLevel(logging.ERROR)


class _NoNamedCallbacks(Machine):
    @staticmethod
    def resolve_callable(func: Any, event_data: Any) -> Any:  # noqa: ARG004 - signature fixed by transitions
        if isinstance(func, str):
            raise ValueError("lawdrill machines take no callbacks by name")
        return func


def event_trigger(event_id: str) -> str:
    """Trigger name of a world event (kept apart from action ids)."""
    return f"event:{event_id}"


class CaseModel:
    """The object whose `state` the machine moves; one per session."""

    state: str


class RulePlan(NamedTuple):
    """One act rule as an act evaluates it: compiled parts and the named conditions each part reads."""

    rule: RuleSpec
    order: bool
    forbid: bool
    when: Any
    when_conditions: tuple[str, ...]
    unless: Any
    unless_conditions: tuple[str, ...]
    expr: Any
    expr_conditions: tuple[str, ...]


class ProcedureMachine:
    def __init__(self, proc: Procedure):
        non_final = [s.id for s in proc.states if not s.final]
        transitions: list[dict[str, Any]] = []
        for a in proc.actions.values():
            sources = non_final if "*" in a.sources else list(a.sources)
            transitions.append({"trigger": a.id, "source": sources, "dest": a.dest})
        for e in proc.events.values():
            if e.dest is not None and e.sources:
                transitions.append({"trigger": event_trigger(e.id), "source": list(e.sources), "dest": e.dest})
        self.machine = _NoNamedCallbacks(
            model=None,
            states=[{"name": s.id, "final": s.final} for s in proc.states],
            transitions=transitions,
            initial=proc.initial,
            auto_transitions=False,
            model_override=True,
            send_event=False,
        )
        self.initial = proc.initial
        self.proc = proc
        self.final_states = frozenset(s.id for s in proc.states if s.final)
        self.targeted = frozenset(a.id for a in proc.actions.values() if "target" in a.params)  # acts on a document
        # (state, trigger) -> destination, read off the machine's own events (what `fire` would do).
        self.table: dict[tuple[str, str], str] = {
            (src, trigger): ts[0].dest if ts[0].dest is not None else src
            for trigger, event in self.machine.events.items() for src, ts in event.transitions.items() if ts
        }
        # Rules indexed once per procedure, so an act only looks at the rules that can concern it.
        self.rules_on: dict[str, list[Any]] = {a: [] for a in proc.actions}
        self.deadline_rules = [r for r in proc.rules if r.kind == RuleKind.DEADLINE and r.deadline is not None]
        # Deadlines that run from the expiry of an earlier period, by their start key (`served:decide+6 months`).
        self.derived_anchors = {r.deadline.start.key: r.deadline.start for r in self.deadline_rules
                                if r.deadline.start.after is not None}
        # The within-deadlines an act or a clock move may find expired: (rule, the anchor its start rests on,
        # the anchor that ends it, or None). None of them can expire before its base anchor happened.
        self.within_plan = [(r, r.deadline.start.base.key, r.deadline.end.key if r.deadline.end is not None else None)
                            for r in self.deadline_rules if r.deadline is not None and r.deadline.within is not None]
        self.finish_rules = [r for r in proc.rules if r.kind == RuleKind.FINISH]
        self.ending_rules = {r.ending: r for r in proc.rules if r.kind == RuleKind.ENDING}
        for r in proc.rules:
            if r.kind in (RuleKind.ORDER, RuleKind.CHECK, RuleKind.FORBID):
                for a in r.on:
                    self.rules_on[a].append(r)
        # Deadline rules by the anchor that ends them (an act id, or `served:<act>`), in rule order.
        self._ended_by: dict[str, list[tuple[int, RuleSpec]]] = {}
        for i, r in enumerate(self.deadline_rules):
            if r.deadline is not None and r.deadline.end is not None:
                self._ended_by.setdefault(str(r.deadline.end), []).append((i, r))
        self._ended_by_act = {key: [r for _, r in rs] for key, rs in self._ended_by.items()}
        self._conditions_read: dict[int, tuple[str, ...]] = {}
        self.act_texts: dict[tuple[str, Any], str] = {}  # Session._describe's words per (act, target)
        self._keep: list[Expr] = []
        # Per action, its rules as an act of it evaluates them. A `when` that reads nothing but the act's own name
        # (`act.name in ['seize', ...]`: a rule shared by several acts) has one value per action, found here: a
        # rule it rules out is left out of the action's plan, one it lets through is planned without it.
        self.plans_on: dict[str, list[RulePlan]] = {}
        for a, rs in self.rules_on.items():
            plans = []
            for r in rs:
                plan = self._plan(r)
                known = _value_on_name(r.when, a)
                if known is False:
                    continue
                if known is True:
                    plan = plan._replace(when=None, when_conditions=())
                plans.append(plan)
            self.plans_on[a] = plans
        # Per action, what Session._make_rec looks at: the parameters that hold a drafted document (the only
        # values a record converts), whether a missing document reads as an empty one, the text parameters and
        # the document's text fields (a text that says nothing reads as not written).
        self.rec_plans: dict[str, tuple[tuple[str, ...], bool, tuple[str, ...], tuple[str, ...]]] = {
            a.id: (tuple(k for k in a.params if k in proc.params and proc.params[k].kind == ParamKind.DOCUMENT),
                   "document" in a.params,
                   tuple(k for k in a.params if k in proc.params and proc.params[k].kind == ParamKind.TEXT),
                   tuple(f.id for f in a.document.fields if f.kind == "text") if a.document is not None else ())
            for a in proc.actions.values()}

    def _plan(self, r: RuleSpec) -> RulePlan:
        def fn(e: Expr | None) -> Any:
            return None if e is None else e.fn

        def conds(e: Expr | None) -> tuple[str, ...]:
            return () if e is None else self.conditions_read(e)

        return RulePlan(r, r.kind == RuleKind.ORDER, r.kind == RuleKind.FORBID, fn(r.when), conds(r.when),
                        fn(r.unless), conds(r.unless), fn(r.expr), conds(r.expr))

    def deadlines_ended_by(self, act: str, served: str | None) -> list[RuleSpec]:
        """The deadline rules an act may end: those ended by the act itself or by the service it makes (a list the
        machine may keep: read it, do not change it)."""
        by_service = self._ended_by.get(served) if served is not None else None
        if not by_service:
            return self._ended_by_act.get(act, [])
        return [r for _, r in sorted(self._ended_by.get(act, []) + by_service, key=lambda p: p[0])]

    def conditions_read(self, e: Expr) -> tuple[str, ...]:
        """The procedure's named conditions an expression reads directly (computed once per expression)."""
        got = self._conditions_read.get(id(e))
        if got is None:
            got = self._conditions_read[id(e)] = tuple(sorted(n for n in e.names if n in self.proc.conditions))
            self._keep.append(e)  # the id stays this expression's while cached
        return got

    def new_model(self, state: str | None = None) -> CaseModel:
        """A model in the initial state (or in `state`, for a copy of a session)."""
        model = CaseModel()
        self.machine.add_model(model, initial=state or self.initial)
        return model

    def detached_model(self, state: str) -> CaseModel:
        """A model in `state` that is not registered with the machine: `fire` and `possible` work on it (they
        go through the machine's events, not the convenience methods `add_model` attaches), and it costs
        nothing to make. Session.fork uses it: exploring a case forks thousands of sessions."""
        model = CaseModel()
        model.state = state
        return model

    def release(self, model: CaseModel) -> None:
        if model in self.machine.models:
            self.machine.remove_model(model)

    def possible(self, trigger: str, state: str) -> bool:
        event = self.machine.events.get(trigger)
        return bool(event and event.transitions.get(state))

    def fire(self, trigger: str, model: CaseModel) -> bool:
        try:
            return bool(self.machine.events[trigger].trigger(model))
        except (MachineError, KeyError):
            return False


def _value_on_name(e: Expr | None, action: str) -> bool | None:
    """The truth of an expression that reads only `act.name` (no other name, no call, no other use of `act`),
    for an act of `action`; None for any other expression, or one that fails (it fails again, and is reported,
    when an act evaluates it)."""
    if e is None or e.calls or e.names != {"act"}:
        return None
    name_reads = set()
    for node in ast.walk(e.tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr != "name":
                return None
            name_reads.add(id(node.value))
        elif isinstance(node, ast.Call):
            return None
    if any(isinstance(node, ast.Name) and id(node) not in name_reads for node in ast.walk(e.tree)):
        return None  # `act` read otherwise than as `act.name`
    try:
        return bool(e.fn({"act": Rec(name=action)}))
    except Exception:  # noqa: BLE001 - left to the act, which reports it
        return None


_CACHE: dict[int, tuple[Procedure, ProcedureMachine]] = {}


def machine_for(proc: Procedure) -> ProcedureMachine:
    """One machine per loaded procedure, built on first use and reused by every session of it.

    The cache holds the procedure itself, so its id cannot be reused by another object while cached.
    """
    hit = _CACHE.get(id(proc))
    if hit is not None and hit[0] is proc:
        return hit[1]
    m = ProcedureMachine(proc)
    _CACHE[id(proc)] = (proc, m)
    return m


class CasePlan:
    """What a session of one case looks up on every act, computed once per case: the case data as
    expressions read it, officers by id, and the values each list or choice parameter accepts."""

    def __init__(self, sc: Scenario):
        self.officers = {}
        for o in sc.officers:
            self.officers.setdefault(o.id, o)  # the first of an id, as Scenario.officer finds it
        self.certified = frozenset(i for i, o in self.officers.items() if o.certified)
        evidence = frozenset(e.id for e in sc.evidence)
        self.valid_values: dict[str, frozenset[str]] = {}
        self.choice_ids: dict[str, tuple[str, ...]] = {}
        for pid, p in sc.procedure.params.items():
            if p.kind == ParamKind.OFFICERS:
                self.valid_values[pid] = frozenset(self.officers)
            elif p.kind == ParamKind.EVIDENCE:
                self.valid_values[pid] = evidence
            elif p.kind == ParamKind.CHOICES:
                self.valid_values[pid] = frozenset(p.option_ids())
            elif p.kind == ParamKind.CHOICE:
                self.choice_ids[pid] = p.option_ids()
        self._phrases = frozenset(sc.procedure.phrases)
        self.proper = {pid: ph.proper for pid, ph in sc.procedure.phrases.items()}
        self._params = sc.procedure.params
        self.quick: dict[str, dict[str, tuple[int, Any]]] = {}  # quick_params' answers, by action
        # Per action, the function that checks and copies an act's parameters by its quick_params table
        # (sim.quickcheck), built on first use.
        self.quick_functions: dict[str, Any] = {}
        # Per action, the function that judges an act of it by its rules (sim.actplan), built on first use.
        self.rule_functions: dict[str, Any] = {}
        ids = [*self.officers, *evidence, *sc.procedure.phrases, *sc.procedure.actions,
               *(o.id for p in sc.procedure.params.values() for o in p.options),
               *(o.id for a in sc.procedure.actions.values() if a.document for f in a.document.fields
                 for o in f.options)]
        # Whether every id an act parameter can match is storable as UTF-8 (then only free text needs a look).
        self.ids_storable = all(_utf8(i) for i in ids)
        self.static_names: dict[str, Any] = {
            "party": record(sc.party), "facts": record(sc.facts), "penalty": record(sc.penalty),
            "case": record({"id": sc.id, "type": sc.case_type, "power": sc.power, "penalty": sc.penalty,
                          "discovered": sc.discovered, "approvers": list(sc.approvers),
                          "major_approvers": list(sc.major_approvers)}),
        }

    def quick_params(self, spec: ActionSpec) -> dict[str, tuple[int, Any]]:
        """For each parameter of an act whose values are a closed set, a boolean, a text or the act's document:
        its shape and the values it accepts (for a document: each field's options or kind, by field id, the
        first field of an id as DocumentSpec.field finds it), built on the act's first use, for any action a
        template declares."""
        got = self.quick.get(spec.id)
        if got is None:
            got = {}
            for pid in spec.params:
                p = self._params.get(pid)
                if p is None:
                    continue
                if p.kind == ParamKind.BOOL:
                    got[pid] = (BOOL, frozenset())
                elif pid in self.valid_values:
                    got[pid] = (LIST, self.valid_values[pid])
                elif p.kind == ParamKind.CHOICE:
                    got[pid] = (ONE, frozenset(self.choice_ids[pid]))
                elif p.kind == ParamKind.PHRASE:
                    got[pid] = (ONE, self._phrases)
                elif p.kind == ParamKind.TEXT:
                    got[pid] = (TEXT, frozenset())
                elif p.kind == ParamKind.DOCUMENT and spec.document is not None:
                    # each field: the ids of its options for a choice, else its kind ("text", "bool", "amount")
                    fields: dict[str, Any] = {}
                    for f in spec.document.fields:
                        fields.setdefault(f.id, frozenset(o.id for o in f.options) if f.kind == "choice" else f.kind)
                    got[pid] = (DOC, fields)
            self.quick[spec.id] = got
        return got

    def quick_function(self, spec: ActionSpec) -> Any:
        """The fast validation of an act of `spec` (sim.quickcheck): its parameters checked and copied, or None
        for anything the full validation has to judge."""
        got = self.quick_functions.get(spec.id)
        if got is None:
            got = self.quick_functions[spec.id] = quick_function(self.quick_params(spec))
        return got


def _utf8(text: Any) -> bool:
    try:
        str(text).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_PLANS: dict[int, tuple[Scenario, CasePlan]] = {}


def plan_for(sc: Scenario) -> CasePlan:
    """One plan per loaded case, like `machine_for` (the cache holds the case, so its id is not reused)."""
    hit = _PLANS.get(id(sc))
    if hit is not None and hit[0] is sc:
        return hit[1]
    plan = CasePlan(sc)
    _PLANS[id(sc)] = (sc, plan)
    return plan
