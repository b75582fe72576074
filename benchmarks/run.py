"""lawdrill benchmarks: every figure is a ratio against a baseline measured in the same run, on the same machine.

    python benchmarks/run.py            # full run (a minute or two)
    python benchmarks/run.py --quick    # smoke run (well under 30 s)

a. CLI start      `python -m tui deadline 2026-09-30 --working-days 3` (best of N processes) vs
                  `python -c "import transitions, yaml, attrs, chinese_calendar, simpleeval"`   target <= 1.5x
b. check          `load_library` of a generated 1,000-case library vs `yaml.load(..., CSafeLoader)` of the
                  same files                                                                   target <= 3x
                  (+ informational: all self-tests of that library)
c. engine step    `Session.act('inspect', ...)` on straw-burning-01, no journal, fresh sessions vs a bare
                  `transitions` trigger on a machine with the same states and transitions     target <= 3x
                  (+ informational: the same act with a journal, i.e. one fsync per step)
d. explore        `sim.explore.explore` on straw-burning-01 at its default budget (<= 2 s) and `--exhaustive`
                  (<= 60 s, proven), time per explored step (an act or
                  advance on a forked or rebuilt session) vs playing the case's reference path step by step
                  in fresh sessions (bare Session.act / advance)                              info (no target)

See benchmarks/README.md for what each figure means. Results are also written to benchmarks/.out/latest.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

import sim  # noqa: E402
from sim.selftest import run_selftest  # noqa: E402

CASE_ID = "straw-burning-01"
BASELINE_IMPORTS = "import transitions, yaml, attrs, chinese_calendar, simpleeval"
CLI_ARGS = ["-m", "tui", "deadline", "2026-09-30", "--working-days", "3"]
# Steps are timed in batches and the best batch is kept: a batch is short enough (a few ms) to run between two
# preemptions on a busy machine, where one long loop would charge the engine for other processes' time.
BATCH = 100


class Row:
    def __init__(self, name: str, measured: float, unit: str, baseline: float | None = None,
                 target: float | None = None, note: str = "", limit: float | None = None):
        self.name, self.measured, self.unit = name, measured, unit
        self.baseline, self.target, self.note = baseline, target, note
        self.limit = limit  # an absolute wall-time target (seconds), where the issue sets one

    @property
    def ratio(self) -> float | None:
        return self.measured / self.baseline if self.baseline else None

    @property
    def verdict(self) -> str:
        if self.limit is not None:
            return "PASS" if self.measured <= self.limit else "OVER"
        if self.target is None or self.ratio is None:
            return "info"
        return "PASS" if self.ratio <= self.target else "OVER"

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "measured_s": self.measured, "baseline_s": self.baseline, "ratio": self.ratio,
                "target": self.target, "limit_s": self.limit, "result": self.verdict, "note": self.note}


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


# --- a. CLI start ------------------------------------------------------------------------------------------


def child_env(bytecode: bool, cache_dir: Path) -> dict[str, str]:
    """The environment of the timed processes.

    With bytecode=True the children may cache compiled modules (in a private folder, not in the checkout), as
    an installed lawdrill does; many sandboxes set PYTHONDONTWRITEBYTECODE, which would make every start
    recompile the engine's sources and measure the compiler instead of the start-up.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache_dir)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def best_of_processes(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, float]:
    """Best wall time of each command; runs are interleaved so that machine noise hits all alike."""
    best = {name: float("inf") for name in commands}
    for name, cmd in commands.items():  # warm-up: fill the OS file cache and the bytecode cache
        subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    for _ in range(runs):
        for name, cmd in commands.items():
            t = time.perf_counter()
            subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def bench_cli(runs: int, scratch: Path) -> list[Row]:
    commands = {"cli": [sys.executable, *CLI_ARGS], "base": [sys.executable, "-c", BASELINE_IMPORTS],
                "sim": [sys.executable, "-c", "import sim"], "python": [sys.executable, "-c", "pass"]}
    warm = best_of_processes(commands, runs, child_env(True, scratch / "pycache"))
    cold = best_of_processes({"cli": commands["cli"], "base": commands["base"]}, max(3, runs // 4),
                             child_env(False, scratch / "pycache"))
    return [
        Row("a. CLI start: lawdrill deadline (python -m tui)", warm["cli"], "s", warm["base"], 1.5,
            f"best of {runs}; baseline: bare import of the engine's dependencies"),
        Row("   same, without a bytecode cache (info)", cold["cli"], "s", cold["base"], None,
            "PYTHONDONTWRITEBYTECODE=1: sources recompiled at every start"),
        Row("   python -c 'import sim' (info)", warm["sim"], "s", warm["base"], None,
            "the engine package alone (its public names are imported lazily)"),
        Row("   python -c pass (info)", warm["python"], "s", None, None, "interpreter start alone"),
    ]


# --- b. check ----------------------------------------------------------------------------------------------


def generate_library(dest: Path, n_cases: int) -> list[Path]:
    """Bundled law + templates, and n_cases variants of the bundled cases with unique ids."""
    src = sim.bundled_scenarios()
    for part in ("law", "procedures"):
        shutil.copytree(src / part, dest / part)
    cases = dest / "cases"
    cases.mkdir()
    originals = sorted((src / "cases").glob("*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in originals]
    for i in range(n_cases):
        text = texts[i % len(texts)]
        text, n = re.subn(r"(?m)^id:\s*(\S+)\s*$", lambda m, i=i: f"id: {m.group(1)}-g{i:04d}", text, count=1)
        assert n == 1, "every case file starts its mapping with `id:`"
        text = re.sub(r"(?m)^title:\s*(.+)$", lambda m, i=i: f"title: {m.group(1)}（变体{i}）", text, count=1)
        text = re.sub(r"(?m)^difficulty:\s*\d\s*$", f"difficulty: {i % 5 + 1}", text, count=1)
        (cases / f"case-{i:04d}.yaml").write_text(text, encoding="utf-8")
    return sorted(dest.rglob("*.yaml"))


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return best, value


DEEP_SAMPLE = 40  # cases of the generated library the deep check is timed on (it costs several times their self-tests)


def bench_check(n_cases: int, repeats: int, scratch: Path) -> list[Row]:
    lib_dir = scratch / "library"
    files = generate_library(lib_dir, n_cases)
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        raise SystemExit("PyYAML was built without libyaml: the CSafeLoader baseline is not available")

    def parse_all() -> int:
        return sum(1 for f in files if yaml.load(f.read_text(encoding="utf-8"), Loader=loader) is not None)  # noqa: S506

    def load() -> sim.Library:
        # The generated library is self-contained (it has its own copy of the law and the templates), so the
        # bundled ones are not loaded underneath: both sides read exactly the same files.
        return sim.load_library([lib_dir], base=False)

    # Alternate the two so that a busy machine slows both sides alike; keep the best of each.
    t_yaml = t_load = float("inf")
    lib: sim.Library | None = None
    for _ in range(repeats):
        t_yaml = min(t_yaml, best_of(parse_all, 1)[0])
        t, lib = best_of(load, 1)
        t_load = min(t_load, t)
    assert lib is not None
    loaded = sum(1 for s in lib.scenarios.values() if s.path.startswith(str(lib_dir)))
    if loaded != n_cases or lib.errors:
        print(f"warning: generated library loaded {loaded}/{n_cases} cases, {len(lib.errors)} errors "
              f"(first: {lib.errors[0] if lib.errors else '-'})", file=sys.stderr)

    def selftests() -> tuple[int, int]:
        reports = [run_selftest(sc, t) for sc in lib.scenarios.values() for t in sc.selftests]
        return len(reports), sum(not r.ok for r in reports)

    t_tests, (n_tests, n_failed) = best_of(selftests, 1)

    # The deep check (mutation testing and deadline boundaries) replays each reference path a few dozen times;
    # measured on a sample of the cases against the self-tests of the same cases, in the same run.
    from sim.deepcheck import check_case

    sample = sorted(lib.scenarios.values(), key=lambda s: s.id)[:DEEP_SAMPLE]

    def sample_selftests() -> None:
        for sc in sample:
            for t in sc.selftests:
                run_selftest(sc, t)

    def sample_deep() -> int:
        return sum(check_case(lib, sc, selftests=False).mutation.total for sc in sample)

    t_sample_tests, _ = best_of(sample_selftests, 1)
    t_deep, n_mutants = best_of(sample_deep, 1)
    return [
        Row(f"b. check: load_library, {n_cases} cases", t_load, "s", t_yaml, 1.5,
            f"{len(files)} files; baseline: CSafeLoader yaml.load of the same files; best of {repeats}"),
        Row("   self-tests of the library (info)", t_tests, "s", None, None,
            f"{n_tests} self-tests, {n_failed} failing; `lawdrill check` = load + self-tests + report"),
        Row(f"   deep check of {len(sample)} cases (info)", t_deep, "s", t_sample_tests, None,
            f"{n_mutants} mutants + deadline boundaries; baseline: the self-tests of the same cases; "
            "`lawdrill check --fast` skips this"),
    ]


def bench_cached_check(runs: int, scratch: Path) -> list[Row]:
    """`lawdrill check` of the bundled library as a trainer runs it: a cold cache, then unchanged (the stored
    report), then after a one-case edit (only that case is checked again). Child processes with their own
    cache folder and bytecode cache."""
    lib_dir = scratch / "check-library"
    shutil.copytree(sim.bundled_scenarios(), lib_dir)
    env = child_env(True, scratch / "pycache")
    env["LAWDRILL_CACHE_DIR"] = str(scratch / "check-cache")
    env.pop("LAWDRILL_NO_CACHE", None)
    cmd = [sys.executable, "-m", "tui", "check", "-q", str(lib_dir)]

    def once() -> float:
        t = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t

    cold = once()  # fills the cache (and the bytecode cache)
    unchanged = min(once() for _ in range(runs))
    case = sorted((lib_dir / "cases").glob("*.yaml"))[0]
    edited = float("inf")
    for i in range(runs):
        text = case.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^(title:\s*.+?)(（改\d+）)?$", lambda m, i=i: f"{m.group(1)}（改{i}）", text, count=1)
        case.write_text(text, encoding="utf-8")
        edited = min(edited, once())
    base = best_of_processes({"base": [sys.executable, "-c", BASELINE_IMPORTS]}, max(3, runs), env)["base"]
    return [
        Row("b. cached check: lawdrill check, unchanged library", unchanged, "s", base, None,
            f"bundled library, second run (the stored report), best of {runs}; cold cache: {fmt(cold)}; "
            "ratio against the bare import of the engine's dependencies", limit=0.5),
        Row("   cached check: after a one-case edit", edited, "s", base, None,
            f"the edited case is checked again, the others read from the cache; best of {runs}", limit=1.0),
    ]


# --- c. engine step ----------------------------------------------------------------------------------------


def bench_step(n_sessions: int, n_journal: int, repeats: int, scratch: Path) -> list[Row]:
    from transitions import Machine

    lib = sim.load_library()
    sc = lib.scenarios[CASE_ID]
    step = next(s for t in sc.references for s in t.steps if s.do == "inspect")
    proc = sc.procedure

    def engine_acts() -> float:
        sessions = [sim.Session(sc, wall_clock=lambda: 0.0) for _ in range(n_sessions)]
        gc.collect()
        best = float("inf")
        for k in range(0, n_sessions, BATCH):
            batch = sessions[k:k + BATCH]
            t = time.perf_counter()
            for s in batch:
                out = s.act("inspect", step.at, **step.params)
            best = min(best, (time.perf_counter() - t) / len(batch))
            assert out.ok, out.reason
        for s in sessions:
            s.close()
        return best

    # The same states and transitions as the engine's machine for this procedure, used the textbook way.
    non_final = [s.id for s in proc.states if not s.final]
    machine = Machine(
        model=None,
        states=[s.id for s in proc.states],
        transitions=[{"trigger": a.id, "source": non_final if "*" in a.sources else list(a.sources), "dest": a.dest}
                     for a in proc.actions.values()],
        initial=proc.initial,
        auto_transitions=False,
    )

    class Case:
        pass

    def bare_triggers() -> float:
        models = [Case() for _ in range(n_sessions)]
        for m in models:
            machine.add_model(m)
        gc.collect()
        best = float("inf")
        for k in range(0, n_sessions, BATCH):
            batch = models[k:k + BATCH]
            t = time.perf_counter()
            for m in batch:
                m.trigger("inspect")  # type: ignore[attr-defined]
            best = min(best, (time.perf_counter() - t) / len(batch))
        for m in models:
            machine.remove_model(m)
        return best

    def journaled_acts() -> float:
        folder = scratch / f"journals-{time.perf_counter_ns()}"
        sessions = [sim.Session(sc, journal=folder / f"{i}.jsonl", wall_clock=lambda: 0.0) for i in range(n_journal)]
        t = time.perf_counter()
        for s in sessions:
            s.act("inspect", step.at, **step.params)
        elapsed = time.perf_counter() - t
        for s in sessions:
            s.close()
        return elapsed / n_journal

    def creations() -> tuple[float, float]:
        """Best batch of Session() creation, and of fork() of a session one act in."""
        best_new = best_fork = float("inf")
        first = sim.Session(sc, wall_clock=lambda: 0.0)
        first.act("inspect", step.at, **step.params)
        gc.collect()
        for _ in range(max(1, n_sessions // BATCH)):
            t = time.perf_counter()
            made = [sim.Session(sc, wall_clock=lambda: 0.0) for _ in range(BATCH)]
            best_new = min(best_new, (time.perf_counter() - t) / BATCH)
            t = time.perf_counter()
            forks = [first.fork() for _ in range(BATCH)]
            best_fork = min(best_fork, (time.perf_counter() - t) / BATCH)
            del made, forks
        return best_new, best_fork

    engine = bare = new = fork = float("inf")
    for _ in range(repeats):  # alternated, best of each (see bench_check)
        engine = min(engine, engine_acts())
        bare = min(bare, bare_triggers())
        got_new, got_fork = creations()
        new, fork = min(new, got_new), min(fork, got_fork)
    journaled = min(journaled_acts() for _ in range(max(1, repeats // 2)))
    return [
        Row("c. engine step: Session.act('inspect')", engine, "s", bare, 3.0,
            f"{n_sessions} fresh sessions x {repeats} rounds, best batch of {BATCH}; baseline: "
            f"model.trigger('inspect') on a plain transitions Machine with the same states and transitions"),
        Row("   Session() creation", new, "s", bare, 5.0, "a fresh session of straw-burning-01, no journal; "
            "baseline: the same bare trigger"),
        Row("   Session.fork()", fork, "s", bare, 5.0, "a copy of a session one act in (what explore does "
            "per move); baseline: the same bare trigger"),
        Row("   act() with a journal, fsync per step (info)", journaled, "s", None, None,
            f"{n_journal} sessions; disk-bound"),
    ]


# --- d. explore ---------------------------------------------------------------------------------------------


def bench_explore(budget: int, n_paths: int, repeats: int) -> list[Row]:
    from sim.explore import explore

    lib = sim.load_library()
    sc = lib.scenarios[CASE_ID]
    steps = [st for st in sc.references[0].steps if st.do != "finish"]

    def reference_steps() -> float:
        sessions = [sim.Session(sc, wall_clock=lambda: 0.0) for _ in range(n_paths)]
        gc.collect()
        t = time.perf_counter()
        for s in sessions:
            for st in steps:
                out = s.advance(st.at) if st.do == "advance" else s.act(st.do, st.at, **st.params)
                assert out.ok, out.reason
        elapsed = time.perf_counter() - t
        for s in sessions:
            s.close()
        return elapsed / (n_paths * len(steps))

    def explored() -> tuple[float, int]:
        gc.collect()
        rep = explore(sc, budget=budget)
        return rep.seconds / rep.steps, rep.steps

    bare = per_step = float("inf")
    n = 0
    for _ in range(repeats):  # alternated, best of each (see bench_check)
        bare = min(bare, reference_steps())
        got, n = explored()
        per_step = min(per_step, got)
    t_default = float("inf")
    rep = None
    for _ in range(repeats):
        gc.collect()
        t = time.perf_counter()
        rep = explore(sc)
        t_default = min(t_default, time.perf_counter() - t)
    assert rep is not None
    found = "notice-before-decision" in rep.rules_triggered
    rows = [
        Row("d. explore straw-burning-01 at its default budget", t_default, "s", bare, None,
            f"{len(rep.rules_triggered)}/{len(rep.rules)} rules triggered (decided without notice: "
            f"{'yes' if found else 'NO'}), {len(rep.unreached)} with a reason, "
            f"{sum(u.proven for u in rep.unreached)} of them proven unreachable; ratio against one reference step",
            limit=2.0),
    ]
    # The exhaustive search (stopped at 60 s, its limit): proven coverage, and whether the default budget
    # reached every rule it proves reachable.
    t = time.perf_counter()
    full = explore(sc, exhaustive=True, seconds=60)
    took = time.perf_counter() - t
    missed = sorted(full.rules_triggered - rep.rules_triggered)
    rows.append(Row("   explore --exhaustive straw-burning-01", took, "s", None, None,
                    f"{full.nodes} situations, {'coverage proven' if full.proven else 'NOT finished: ' + full.stop}"
                    f" (proven up to depth {full.proven_depth} of {full.depth}), {len(full.rules_triggered)}/"
                    f"{len(full.rules)} rules reachable, {sum(u.proven for u in full.unreached)} proven unreachable; "
                    f"default budget missed {', '.join(missed) if missed else 'none'}", limit=60.0))
    return rows + [
        Row("d. explore: time per explored step", per_step, "s", bare, None,
            f"{n} steps for a budget of {budget} situations ({1 / per_step:,.0f} steps/s); baseline: the "
            f"reference path's {len(steps)} steps played in {n_paths} fresh sessions "
            f"({1 / bare:,.0f} steps/s)"),
    ]


# --- report ------------------------------------------------------------------------------------------------


def render(rows: list[Row], header: str) -> str:
    cols = ["figure", "measured", "baseline", "ratio", "target", "result"]
    cells = [[r.name, fmt(r.measured), fmt(r.baseline), f"{r.ratio:.2f}x" if r.ratio else "",
              f"<= {r.target:g}x" if r.target else (f"<= {fmt(r.limit)}" if r.limit else ""), r.verdict]
             for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = [header, ""]
    lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cols, widths))))
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    lines.append("")
    lines += [f"{r.name.strip()}: {r.note}" for r in rows if r.note]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smoke run: fewer cases, runs and sessions")
    ap.add_argument("--cases", type=int, default=None, help="cases in the generated library (default 1000; quick 200)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a figure is over its target")
    ap.add_argument("--only", choices=["cli", "check", "cached", "step", "explore"], action="append",
                    help="run only these figures")
    args = ap.parse_args(argv)
    quick = args.quick
    n_cases = args.cases or (200 if quick else 1000)
    only = set(args.only or ["cli", "check", "cached", "step", "explore"])
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lawdrill-bench-") as tmp:
        scratch = Path(tmp)
        if "cli" in only:
            rows += bench_cli(runs=8 if quick else 30, scratch=scratch)
        if "check" in only:
            rows += bench_check(n_cases, repeats=1 if quick else 2, scratch=scratch)
        if "cached" in only:
            rows += bench_cached_check(runs=3 if quick else 5, scratch=scratch)
        if "step" in only:
            rows += bench_step(n_sessions=500 if quick else 3000, n_journal=30 if quick else 200,
                               repeats=3 if quick else 7, scratch=scratch)
        if "explore" in only:
            rows += bench_explore(budget=100 if quick else 500, n_paths=50 if quick else 200,
                                  repeats=1 if quick else 3)
    header = (f"lawdrill benchmarks ({'quick' if quick else 'full'} run, {time.perf_counter() - started:.0f} s) - "
              f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
              f"{os.cpu_count()} CPUs, PyYAML {yaml.__version__} (libyaml: {hasattr(yaml, 'CSafeLoader')})")
    print(render(rows, header))
    out = ROOT / "benchmarks" / ".out"
    try:
        out.mkdir(exist_ok=True)
        (out / "latest.json").write_text(json.dumps({"header": header, "quick": quick,
                                                     "rows": [r.as_json() for r in rows]}, indent=2,
                                                    ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass
    return 1 if args.strict and any(r.verdict == "OVER" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
