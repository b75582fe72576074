"""Contest store under load: many processes storing results at once lose nothing.

For each backend (a SQLite file; PostgreSQL too when LAWDRILL_TEST_PG_URL is set) this measures
1. `--procs` processes storing `--each` results each, all released together by a barrier (on a new database
   they also race to create the table);
2. a single-process baseline: one process storing `--each` results;
and prints the throughput of both (results/s), the ratio, and the count check (stored == procs x each, no
rejections). Exit status 1 if any result was lost or refused.

    .venv/bin/python benchmarks/contest_load.py                 # 50 processes x 100 results
    .venv/bin/python benchmarks/contest_load.py --procs 8 --each 20

The results are verified results built directly (`VerifiedBundle`), so the figures are the store's
(transactions, locks, unique checks), not the replay's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.contest import ContestStore, VerifiedBundle  # noqa: E402
from sim.contest.model import CST  # noqa: E402

CONTEST = "load-test"
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST)


def result(proc: int, i: int, tag: str) -> VerifiedBundle:
    """The i-th result of process `proc`: its own contestant, a distinct case, a distinct journal digest."""
    start = START + dt.timedelta(seconds=i)
    return VerifiedBundle(
        path=f"{tag}/p{proc}/{i}.bundle.json", bundle_id=uuid.uuid4().hex, contest_id=CONTEST, round_id=tag,
        contestant_id=f"P{proc:03d}", case=f"case-{i:04d}", kind="play", content_hash="0" * 64,
        engine="0.1.0",
        seed=1, score=(proc * 7 + i) % 101, criticals=i % 2, rules=("two-officers",) if i % 2 else (),
        started=start, finished=start + dt.timedelta(minutes=5), journal_digest=uuid.uuid4().hex * 2)


def _worker(url: str, proc: int, each: int, tag: str, barrier: Any, queue: Any) -> None:
    store = ContestStore.open(url)
    items = [result(proc, i, tag) for i in range(each)]
    barrier.wait()
    t0 = time.perf_counter()
    codes = [store.add(v).code for v in items]
    t1 = time.perf_counter()
    store.close()
    queue.put((proc, t0, t1, sum(c == "ok" for c in codes), [c for c in codes if c != "ok"]))


def run(url: str, procs: int, each: int, tag: str) -> tuple[float, int, int, list[str]]:
    """(seconds from the first write to the last, results stored by the writers, rows in the store,
    refusals)."""
    # Each writer opens its own connections after the fork, as separate importers would.
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    barrier = ctx.Barrier(procs)
    queue: mp.Queue = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(url, p, each, tag, barrier, queue)) for p in range(procs)]
    for w in workers:
        w.start()
    reports = [queue.get(timeout=600) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    failed = [w.exitcode for w in workers if w.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} writer process(es) failed: exit codes {failed}")
    seconds = max(r[2] for r in reports) - min(r[1] for r in reports)
    stored = sum(r[3] for r in reports)
    refused = [c for r in reports for c in r[4]]
    with ContestStore.open(url) as store:
        rows = len(store.results(CONTEST, tag))
    return seconds, stored, rows, refused


def measure(name: str, url: str, procs: int, each: int) -> bool:
    # The concurrent run goes first: on a new database its writers also race to create the table.
    s, stored, rows, refused = run(url, procs, each, f"load-{uuid.uuid4().hex[:6]}")
    base_s, base_stored, base_rows, base_refused = run(url, 1, each, f"base-{uuid.uuid4().hex[:6]}")
    base_rate, rate = base_stored / base_s, stored / s
    ok = rows == stored == procs * each and not refused and base_rows == each and not base_refused
    print(f"{name}: 1 process x {each}: {base_rate:,.0f} results/s | {procs} processes x {each}: "
          f"{rate:,.0f} results/s ({s:.2f} s) | ratio {rate / base_rate:.2f}x of the single-process baseline")
    print(f"{name}: count check: expected {procs * each}, stored {rows}, refused {len(refused)}"
          f" -> {'OK' if ok else 'LOST OR REFUSED RESULTS'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--procs", type=int, default=50)
    ap.add_argument("--each", type=int, default=100)
    ap.add_argument("--sqlite-only", action="store_true")
    args = ap.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory(prefix="lawdrill-load-") as tmp:
        ok &= measure("SQLite", f"sqlite:///{tmp}/contests.sqlite3", args.procs, args.each)
    pg = os.environ.get("LAWDRILL_TEST_PG_URL")
    if pg and not args.sqlite_only:
        ok &= measure("PostgreSQL", pg, args.procs, args.each)
    elif not args.sqlite_only:
        print("PostgreSQL: skipped (set LAWDRILL_TEST_PG_URL to measure it)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
