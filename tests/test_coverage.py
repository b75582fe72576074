"""Coverage of the case library: what a trainer or contest organiser relies on the library to teach.

Each template is used by at least two cases; every service method appears in some case; every rule is
triggered by at least one trap (or is listed below with the reason no trap can show it); at least three cases
have a short working-day clock that crosses a statutory holiday or a make-up working day; every case has one
reference path and at least three traps; docs/cases.md is the output of `lawdrill cases --markdown`.
"""

from __future__ import annotations

import io
from collections import Counter
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from sim import load_library
from sim.calendar import Unit
from sim.selftest import play

ROOT = Path(__file__).resolve().parent.parent

# Rules that no trap triggers, with the reason. The test below also fails if one of these becomes triggered,
# so the list stays honest.
UNTRIGGERED: dict[str, str] = {}

SERVICE_METHODS = {
    "direct": "直接送达",
    "family": "交同住成年家属签收",
    "leave": "留置送达",
    "post": "邮寄送达",
    "electronic": "电子送达（经同意并签确认书）",
    "public_notice": "公告送达",
}


@pytest.fixture(scope="module")
def library():
    lib = load_library()
    assert not lib.errors, [str(e) for e in lib.errors]
    return lib


@pytest.fixture(scope="module")
def trap_rules(library):
    """rule id -> set of cases whose traps trigger it (from actually playing the traps)."""
    found: dict[str, set[str]] = {}
    for sc in library.scenarios.values():
        for t in sc.traps:
            s, _ = play(sc, t)
            for f in s.findings:
                found.setdefault(f.rule_id, set()).add(sc.id)
    return found


def test_at_least_sixteen_cases(library):
    assert len(library.scenarios) >= 16


def test_each_template_used_by_two_cases(library):
    used = Counter(sc.procedure.id for sc in library.scenarios.values())
    concrete = [p for p in library.procedures.values() if not p.abstract]
    thin = {p.id: used[p.id] for p in concrete if used[p.id] < 2}
    assert not thin, f"templates used by fewer than two cases: {thin}"


def test_each_case_has_reference_and_three_traps(library):
    for sc in library.scenarios.values():
        assert len(sc.references) >= 1, sc.id
        assert len(sc.traps) >= 3, sc.id
        assert sc.briefing.strip() and sc.tags and sc.power.get("source"), sc.id
        assert 1 <= sc.difficulty <= 5


def test_every_service_method_is_used(library):
    used: dict[str, set[str]] = {}
    for sc in library.scenarios.values():
        for t in sc.selftests:
            for step in t.steps:
                method = step.params.get("method")
                if method:
                    used.setdefault(method, set()).add(sc.id)
    missing = {m: label for m, label in SERVICE_METHODS.items() if m not in used}
    assert not missing, f"service methods no case uses: {missing}"


def test_every_service_method_is_used_lawfully_in_a_reference_path(library):
    """Not only as a trap: each method is shown done right somewhere."""
    used: set[str] = set()
    for sc in library.scenarios.values():
        for t in sc.references:
            used |= {step.params["method"] for step in t.steps if step.params.get("method")}
    assert set(SERVICE_METHODS) <= used, set(SERVICE_METHODS) - used


def test_a_case_outside_township_powers(library):
    assert any(sc.power.get("source") == "none" for sc in library.scenarios.values())


def test_holiday_crossing_clocks(library):
    """At least three cases whose working-day clocks (or short calendar ones) cross a statutory holiday or a
    make-up working day in the reference path, so counting the wrong kind of day is a visible error."""
    crossing = set()
    for sc in library.scenarios.values():
        s, _ = play(sc, sc.references[0])
        for _rule, d in s.started_deadlines():
            short = d.unit == Unit.WORKING_DAYS or (d.unit == Unit.DAYS and d.length <= 30)
            days = s.calendar.days(d.start.date(), d.due)
            if short and any(x.holiday or x.makeup for x in days):
                crossing.add(sc.id)
    assert len(crossing) >= 3, crossing


def test_every_rule_is_triggered_by_a_trap(library, trap_rules):
    rules = {r.id for sc in library.scenarios.values() for r in sc.procedure.rules}
    untriggered = rules - set(trap_rules) - set(UNTRIGGERED)
    assert not untriggered, f"rules no trap triggers (add a trap, or list them with a reason): {sorted(untriggered)}"
    stale = set(UNTRIGGERED) & set(trap_rules)
    assert not stale, f"listed as untriggered but a trap triggers them now: {sorted(stale)}"


def test_cases_doc_is_generated(library):
    from tui.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["cases", "--markdown"]) == 0
    doc = (ROOT / "docs" / "cases.md").read_text(encoding="utf-8")
    assert doc == buf.getvalue(), "docs/cases.md is stale: run `lawdrill cases --markdown > docs/cases.md`"


def test_rules_doc_is_generated():
    from tui.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["rules", "--markdown"]) == 0
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert doc == buf.getvalue(), "docs/rules.md is stale: run `lawdrill rules --markdown > docs/rules.md`"
