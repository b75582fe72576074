"""The engine gives the same results as the recorded oracle (tests/engine_oracle.py): every self-test's
findings, score, state and log, and every case's deep-check figures, over the bundled library."""

from __future__ import annotations

import json

import pytest

from tests.engine_oracle import ORACLE, deepcheck_results, selftest_results


@pytest.fixture(scope="module")
def oracle() -> dict:
    return json.loads(ORACLE.read_text(encoding="utf-8"))


def _norm(value):
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True))


def test_selftest_results_match_the_oracle(oracle: dict) -> None:
    now = _norm(selftest_results())
    want = oracle["selftests"]
    assert sorted(now) == sorted(want), "the bundled cases changed: regenerate the oracle (python -m tests.engine_oracle --write)"
    for case_id in want:
        assert sorted(now[case_id]) == sorted(want[case_id]), case_id
        for name, expected in want[case_id].items():
            got = now[case_id][name]
            for key in expected:
                assert got[key] == expected[key], f"{case_id} / {name}: {key} differs from the oracle"


def test_deepcheck_results_match_the_oracle(oracle: dict) -> None:
    now = _norm(deepcheck_results())
    want = oracle["deepcheck"]
    assert sorted(now) == sorted(want)
    for case_id, expected in want.items():
        assert now[case_id] == expected, f"{case_id}: deep check differs from the oracle"
