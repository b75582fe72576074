"""The engine's observable results over the bundled library, recorded as an oracle.

Every self-test of every bundled case is played and everything a user sees of it is recorded: the findings
(rule, wording, case time, act, points, deadline facts), the score, the final state, the session log and the
self-test's verdict; and for every case the deep check's mutation figures and problems. The engine's speed
work (compiled expressions, the transition table, the caches) must leave all of it unchanged:
tests/test_engine_oracle.py compares a fresh run with the file written here.

    python -m tests.engine_oracle --write     # record the current engine's results

Regenerate it only when the results change for a legitimate reason (a rule or a case was edited), from the
code as merged, and say so in the commit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ORACLE = Path(__file__).resolve().parent / "data" / "engine_oracle.json"


def _rel(where: str) -> str:
    """A file:line relative to the scenarios folder, so the oracle does not depend on the checkout's path."""
    from sim.loader import bundled_scenarios

    base = str(bundled_scenarios().resolve())
    return where.replace(base + "/", "").replace(base, "")


def _finding(f: Any) -> dict[str, Any]:
    d = f.to_json()
    d.pop("wall", None)
    return d


def selftest_results() -> dict[str, Any]:
    from sim.loader import load_library
    from sim.selftest import play

    lib = load_library()
    out: dict[str, Any] = {}
    for sc in sorted(lib.scenarios.values(), key=lambda s: s.id):
        tests = {}
        for t in sc.selftests:
            s, refused = play(sc, t)
            r = s.result
            assert r is not None
            tests[t.name] = {
                "reference": t.reference, "score": r.score, "passed": r.passed, "grade": r.grade,
                "vetoed": r.vetoed, "state": s.state, "refused": [_rel(p) for p in refused],
                "findings": [_finding(f) for f in r.findings],
                "log": [[e.at.isoformat(), e.kind, e.text] for e in s.log],
                "diagnostics": list(s.diagnostics),
            }
            s.close()
        out[sc.id] = tests
    return out


def deepcheck_results() -> dict[str, Any]:
    from sim.deepcheck import check_case
    from sim.loader import load_library

    lib = load_library()
    out: dict[str, Any] = {}
    for sc in sorted(lib.scenarios.values(), key=lambda s: s.id):
        c = check_case(lib, sc)
        m = c.mutation
        out[sc.id] = {
            "mutation": [m.total, m.lawful, m.killed, m.impossible, list(m.survivors)],
            "boundaries": c.boundaries_checked,
            "problems": [[p.level, p.code, p.message, _rel(p.file), p.line] for p in c.problems],
        }
    return out


def results() -> dict[str, Any]:
    return {"selftests": selftest_results(), "deepcheck": deepcheck_results()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help=f"write the current results to {ORACLE}")
    args = ap.parse_args(argv)
    data = results()
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if args.write:
        ORACLE.parent.mkdir(exist_ok=True)
        ORACLE.write_text(text, encoding="utf-8")
        n = sum(len(v) for v in data["selftests"].values())
        print(f"wrote {ORACLE} ({len(data['selftests'])} cases, {n} self-tests)")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
