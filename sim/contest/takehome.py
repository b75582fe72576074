"""Contest results taken home (赛后复盘): a contestant's verified result bundles recorded in their own training
store, where they join the practice history in the weak spots (sim.weakspots) and the drill.

How a result reaches the trainee, as a county contest runs: the contestant's machine writes one signed bundle
per case into its outbox (`contest run --out`); the organiser collects them, imports them and publishes the
standings. Once a round has closed, the officer brings the bundles home — from their own machine's outbox, or
from the folder the organiser hands back to the township (the collected inbox: every file is named after its
contestant) — and runs `lawdrill contest results CONTEST --as ID [BUNDLE|DIR…]`. Nothing is trusted: every
bundle is verified and re-scored with `read_bundle`, exactly as on the organiser's import. Bundles of other
contestants in the folder are passed over, and a round still open is refused, so an exam round's results never
show before its window closes (the contest app withholds them the same way).

Each result becomes one row of the store's `sheets` (kind play, review, quiz, analysis or drafting; `contest` the
contest's id, `origin` the bundle id, so bringing the same bundle home twice records it once) with what it
missed: the broken rules and the articles they cite (play), the defects not found and their articles (review),
the questions' rules and articles (quiz), the mistake codes and articles (analysis).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from ..bounds import BoundsError, NotJson, loads_json, read_file
from ..loader import Library
from ..store import Store
from .bundle import MAX_BUNDLE_BYTES, BundleRejected, VerifiedBundle, bundle_files, read_bundle
from .model import PAPER, Contest, Round, aware, split_case_ref


@attrs.frozen
class HomeResult:
    """One contest result recorded in (or already in) a trainee's store."""

    path: str
    round: Round
    entry: str  # case id, or the quiz paper
    title: str  # the case's title, or 法律知识试卷
    score: int
    rules: tuple[str, ...]  # what it missed (rule ids, question rules, mistake codes)
    articles: tuple[str, ...]  # catalogue keys missed
    stored: bool  # False: this bundle was brought home before
    finished: float  # epoch seconds of the hand-in
    notes: tuple[str, ...] = ()  # an analysis: each mistake as the result screen says it


@attrs.frozen
class NotTaken:
    """A bundle that was not recorded: rejected on verification, or its round not over yet."""

    path: str
    code: str  # a BundleRejected code, or round_open
    message: str  # Chinese


@attrs.frozen
class TakeHome:
    results: tuple[HomeResult, ...]
    refused: tuple[NotTaken, ...]
    others: int  # bundles of other contestants (or of other contests) passed over


def _peek(path: Path) -> dict[str, Any] | None:
    """The unverified payload of a bundle file, to tell whose it is (None: not a readable bundle)."""
    try:
        doc = loads_json(read_file(path, MAX_BUNDLE_BYTES))
    except (BoundsError, NotJson, OSError):
        return None
    payload = doc.get("payload") if isinstance(doc, dict) else None
    return payload if isinstance(payload, dict) else None


def _cites(library: Library, case_id: str, rules: Iterable[str]) -> tuple[str, ...]:
    scenario = library.scenarios.get(case_id)
    if scenario is None:
        return ()
    by_id = {r.id: r for r in scenario.procedure.rules}
    keys = (c for rid in rules if rid in by_id for c in by_id[rid].cite)
    return tuple(k for k in dict.fromkeys(keys) if k in library.articles)


def missed(vb: VerifiedBundle, library: Library) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a verified result missed, as (rules, articles)."""
    case_id, _trap = split_case_ref(vb.case)
    if vb.kind in ("play", "drafting"):  # a drafted element is judged by the case's own rules
        return vb.rules, _cites(library, case_id, vb.rules)
    if vb.kind == "review":
        rules = tuple(dict.fromkeys(str(d["rule"]) for d in vb.details.get("missed", ())))
        return rules, _cites(library, case_id, rules)
    articles = tuple(k for k in vb.details.get("missed_articles", ()) if k in library.articles)
    return vb.rules, articles


def entry_title(vb: VerifiedBundle, library: Library) -> str:
    if vb.case == PAPER:
        return "法律知识试卷"
    case_id, _trap = split_case_ref(vb.case)
    sc = library.scenarios.get(case_id)
    return sc.title if sc is not None else case_id


def take_home(paths: Iterable[str | Path], contest: Contest, library: Library, contestant_id: str, store: Store,
              *, trainee: str, township: str = "", now: dt.datetime) -> TakeHome:
    """Verify the bundles of `contestant_id` among `paths` (files or folders) and record the results of rounds
    closed by `now` in `store` under `trainee`."""
    now = aware(now)
    results: list[HomeResult] = []
    refused: list[NotTaken] = []
    others = 0
    for path in bundle_files(paths):
        payload = _peek(path)
        if payload is not None and (payload.get("contestant"), payload.get("contest")) != (contestant_id,
                                                                                         contest.id):
            others += 1
            continue
        r = contest.round(str(payload.get("round"))) if payload is not None else None
        if r is not None and now < r.closes:
            refused.append(NotTaken(str(path), "round_open",
                                    f"「{r.title}」尚未结束（{r.closes:%m月%d日 %H:%M} 结束），结束后才能导入成绩"))
            continue
        try:
            vb = read_bundle(path, contest, library)
        except BundleRejected as exc:
            refused.append(NotTaken(str(path), exc.code, exc.message_zh))
            continue
        r = contest.round(vb.round_id)
        assert r is not None
        rules, articles = missed(vb, library)
        title = entry_title(vb, library)
        case_id, _trap = split_case_ref(vb.case)
        finished = vb.finished.timestamp()
        sheet = store.record_sheet(trainee=trainee, kind=vb.kind, ref=case_id,
                                   title=f"{contest.name}·{r.title}·{title}", score=vb.score, rules=rules,
                                   articles=articles, finished=finished, township=township, contest=contest.id,
                                   origin=vb.bundle_id)
        notes = tuple(str(m[2]) for m in vb.details.get("mistakes", ()) if isinstance(m, list) and len(m) > 2)
        results.append(HomeResult(str(path), r, vb.case, title, vb.score, rules, articles, sheet is not None,
                                  finished, notes))
    order = {r.id: i for i, r in enumerate(contest.rounds)}
    results.sort(key=lambda h: (order.get(h.round.id, 0), h.round.cases.index(h.entry)
                                if h.entry in h.round.cases else 0))
    return TakeHome(tuple(results), tuple(refused), others)
