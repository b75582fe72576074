"""The compiled fast validation (sim.quickcheck) accepts only what the full validation accepts, and returns the
same clean values (the same keys, in the same order) for it.

Every step of every reference path and trap of the bundled library is taken, then varied parameter by
parameter and document field by field: left unset (None), empty, of the wrong type, an unknown id, a repeated
id, a lone surrogate, too long, an unknown key. For each variant the compiled function either declines (None:
the full validation then judges it) or gives exactly what `Session._clean_values` gives, and a variant the full
validation refuses, or a text the journal cannot store, is never accepted.
"""

from __future__ import annotations

import json

import pytest

import sim
from sim.machine import plan_for
from sim.quickcheck import unstorable

LIBRARY = sim.load_library()
CASES = sorted(LIBRARY.scenarios)

ODD_VALUES = (None, "", "x", "\ud800", "a" * 5001, True, False, 0, 1.5, -1, float("nan"), 10**400, [], ["x"],
              ("x",), {}, {"x": 1})


def _variants(value):
    yield from ODD_VALUES
    if isinstance(value, list):
        yield value + value[:1]  # a repeated id
        yield value[:1] * 3
        yield [*value, "no-such-id"]
        yield tuple(value)
    if isinstance(value, str):
        yield value + "\udc00"
        yield value * 2
    if isinstance(value, dict):
        for fid, fv in value.items():
            for odd in (*ODD_VALUES, *(() if not isinstance(fv, str) else (fv + "\ud83d", "\udc00" + fv))):
                yield {**value, fid: odd}
        yield {**value, "no_such_field": "x"}
        yield {k: value[k] for k in reversed(value)}


def _full(s, spec, params):
    try:
        out = s._clean_values(spec, params)  # noqa: SLF001
    except (ValueError, TypeError, OverflowError):
        return None
    return out


@pytest.mark.parametrize("case_id", CASES)
def test_quick_validation_agrees_with_the_full_one(case_id: str) -> None:
    sc = LIBRARY.scenarios[case_id]
    plan = plan_for(sc)
    s = sim.Session(sc, wall_clock=lambda: 0.0)
    accepted = 0
    for test in (*sc.references, *sc.traps):
        for step in test.steps:
            spec = sc.procedure.actions.get(step.do)
            if spec is None or not step.params:
                continue
            quick = plan.quick_function(spec)
            tries = [dict(step.params), {**step.params, "no_such_param": 1}]
            for key, value in step.params.items():
                tries += [{**step.params, key: v} for v in _variants(value)]
            for params in tries:
                got = quick(params)
                if got is None:
                    continue
                accepted += 1
                want = _full(s, spec, params)
                assert want is not None, (step.do, params)
                assert list(got.items()) == list(want.items()), (step.do, params)
                assert json.dumps(got, ensure_ascii=False)  # storable as the journal stores it
                assert not any(unstorable(v) for v in got.values() if isinstance(v, str))
                for v in got.values():
                    if isinstance(v, dict):
                        assert list(v) == [k for k in v if v[k] not in (None, "")]
                        assert not any(unstorable(x) for x in v.values() if isinstance(x, str))
                assert got is not params and all(
                    got[k] is not params[k] for k in got if isinstance(got[k], (list, dict)))
    assert accepted or not sc.references


def test_a_surrogate_split_across_two_texts_is_unstorable() -> None:
    assert unstorable("\ud83d") and unstorable("甲\udc00乙") and not unstorable("甲乙 abc")
    assert unstorable("".join(["甲\ud83d", "\ude00乙"]))  # two halves are not a pair in a Python string
