"""The session's (state, trigger) -> state table agrees with the `transitions` machine it is derived from, for
every procedure of the bundled library and every case's own procedure: every trigger, from every state."""

from __future__ import annotations

import pytest
from transitions import MachineError

import sim
from sim.machine import ProcedureMachine, event_trigger


def _procedures() -> list:
    lib = sim.load_library()
    procs = {id(p): p for p in lib.procedures.values() if not p.abstract}  # abstract ones have no states
    procs.update({id(sc.procedure): sc.procedure for sc in lib.scenarios.values()})
    return list(procs.values())


PROCEDURES = _procedures()


@pytest.mark.parametrize("proc", PROCEDURES, ids=[p.id for p in PROCEDURES])
def test_table_agrees_with_the_transitions_machine(proc) -> None:
    m = ProcedureMachine(proc)
    triggers = list(proc.actions) + [event_trigger(e) for e in proc.events]
    checked = 0
    for state in proc.states:
        for trigger in triggers:
            model = m.new_model(state.id)
            try:
                moved = bool(m.machine.events[trigger].trigger(model)) if trigger in m.machine.events else False
            except MachineError:
                moved = False
            expected = model.state if moved else None
            assert m.table.get((state.id, trigger)) == expected, (proc.id, state.id, trigger)
            assert m.possible(trigger, state.id) == (expected is not None)
            m.release(model)
            checked += 1
    assert checked == len(proc.states) * len(triggers)
    assert m.table, f"{proc.id}: a procedure with no transition at all"
