"""The procedure state machine, built with `transitions` once per procedure.

The machine answers one question: is an act physically possible in the case's current procedural situation
(you cannot serve a decision that does not exist)? Whether the act is lawful is the rules' business.
Engine metadata (citations, deadlines, scoring) never goes into the `transitions` configuration, the YAML can
name no callbacks, and `resolve_callable` refuses names anyway, so nothing in a scenario file is imported.
"""

from __future__ import annotations

import logging
from typing import Any

from transitions import Machine, MachineError

from .model import Procedure, RuleKind

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
        # Rules indexed once per procedure, so an act only looks at the rules that can concern it.
        self.rules_on: dict[str, list[Any]] = {a: [] for a in proc.actions}
        self.deadline_rules = [r for r in proc.rules if r.kind == RuleKind.DEADLINE and r.deadline is not None]
        # Deadlines that run from the expiry of an earlier period, by their start key (`served:decide+6 months`).
        self.derived_anchors = {r.deadline.start.key: r.deadline.start for r in self.deadline_rules
                                if r.deadline.start.after is not None}
        self.finish_rules = [r for r in proc.rules if r.kind == RuleKind.FINISH]
        self.ending_rules = {r.ending: r for r in proc.rules if r.kind == RuleKind.ENDING}
        for r in proc.rules:
            if r.kind in (RuleKind.ORDER, RuleKind.CHECK, RuleKind.FORBID):
                for a in r.on:
                    self.rules_on[a].append(r)

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
