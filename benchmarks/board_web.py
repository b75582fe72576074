"""The web board under a county's contest: 300 contestants from 20 townships, 3 cases each (900 results).

Measures, over real HTTP (aiohttp's test server on localhost), the time to serve
1. the projector board `/board/` (overall standings, per-case columns; the page reads the store twice: the
   frozen and the final standings),
2. the collection view `/board/collection`,
against a baseline measured in the same run: one `ContestStore.standings(contest)` call on the same store (what
`lawdrill contest standings` reads). Prints p50 and p95 of each and the ratio of the p50s.

    .venv/bin/python benchmarks/board_web.py                 # 300 contestants, 60 requests each
    .venv/bin/python benchmarks/board_web.py --people 900 --requests 30

The results are verified results built directly (`VerifiedBundle`), so the figures are the board's (store
reads, ranking, HTML), not the replay's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from sim.contest import ContestStore, VerifiedBundle, load_contest  # noqa: E402
from sim.contest.model import CST  # noqa: E402
from tui.contest.web import board_app  # noqa: E402

OPENS = dt.datetime(2026, 12, 1, 8, 0, tzinfo=CST)
CASES = ["straw-burning-01", "fire-lane-01", "spot-watermelon-stall-01"]


def _contest(folder: Path, people: int) -> Path:
    towns = [f"第{i + 1:02d}镇" for i in range(20)]
    doc = {
        "contest": {"id": "county-cup", "name": "全县执法能手大比武"},
        "key": "benchmark-key-0123456789abcdef",
        "divisions": [{"id": f"d{k}", "name": f"第{k + 1}片", "townships": towns[k * 5:(k + 1) * 5]}
                      for k in range(4)],
        "rounds": [{"id": "prelim", "title": "初赛", "cases": CASES, "time_limit": "90 minutes",
                    "opens": OPENS.isoformat(), "closes": (OPENS + dt.timedelta(hours=10)).isoformat(),
                    "freeze": (OPENS + dt.timedelta(hours=9)).isoformat(), "seed": 1}],
        "roster": [{"id": f"P{i:04d}", "name": f"参赛{i:04d}", "township": towns[i % 20]} for i in range(people)],
    }
    path = folder / "county.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _fill(store: ContestStore, people: int) -> int:
    n = 0
    for i in range(people):
        for k, case in enumerate(CASES):
            if (i + k) % 17 == 0:
                continue  # some cases not handed in: the collection view has people to list
            start = OPENS + dt.timedelta(minutes=(i % 400) + 25 * k)
            store.add(VerifiedBundle(
                path=f"p{i}-{k}.bundle.json", bundle_id=uuid.uuid4().hex, contest_id="county-cup",
                round_id="prelim", contestant_id=f"P{i:04d}", case=case, kind="play", content_hash="0" * 64,
                engine="0.1.0", seed=1, score=(i * 7 + k * 13) % 101, criticals=(i + k) % 5 == 0,
                rules=(), started=start, finished=start + dt.timedelta(minutes=8 + (i % 11)),
                journal_digest=uuid.uuid4().hex * 2))
            n += 1
    return n


def _stats(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


async def _measure(store: ContestStore, contest_path: Path, requests: int) -> dict[str, tuple[float, float]]:
    contest = load_contest(contest_path)
    library = contest.load_library()
    base = []
    for _ in range(requests):
        t = time.perf_counter()
        store.standings(contest)
        base.append(time.perf_counter() - t)
    app, _state = board_app(store, contest, library=library, clock=lambda: (OPENS + dt.timedelta(hours=5)).timestamp())
    out = {"baseline: store.standings()": _stats(base)}
    async with TestClient(TestServer(app)) as client:
        for label, url in (("GET /board/", "/board/"), ("GET /board/collection", "/board/collection")):
            times = []
            for _ in range(requests):
                t = time.perf_counter()
                resp = await client.get(url)
                await resp.read()
                times.append(time.perf_counter() - t)
                assert resp.status == 200
            out[label] = _stats(times)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=300)
    ap.add_argument("--requests", type=int, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = _contest(folder, args.people)
        with ContestStore.open(f"sqlite:///{folder / 'store.sqlite3'}") as store:
            stored = _fill(store, args.people)
            figures = asyncio.run(_measure(store, path, args.requests))
    print(f"{args.people} contestants, {stored} results, {args.requests} requests each")
    base = figures["baseline: store.standings()"][0]
    for label, (p50, p95) in figures.items():
        print(f"  {label:<30} p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   {p50 / base:5.2f}x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
