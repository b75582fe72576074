"""Contests (大比武): rounds everyone plays on the same case, seed and time; signed result bundles; a results
store on SQLite or PostgreSQL; standings with a configurable tie-break order; review rounds (案卷评查).

No UI imports. The names are imported lazily (PEP 562): reading a contest file does not load SQLAlchemy.
See docs/contests.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Contest": "model", "ContestError": "model", "Contestant": "model", "Division": "model", "Round": "model",
    "load_contest": "model",
    "BundleError": "bundle", "BundleRejected": "bundle", "VerifiedBundle": "bundle", "read_bundle": "bundle",
    "write_bundle": "bundle", "bundle_files": "bundle",
    "ContestStore": "store", "ImportOutcome": "store", "ResultRow": "store", "Standing": "store",
    "rank": "store",
    "Mark": "review", "ReviewDocument": "review", "ReviewError": "review", "ReviewFile": "review",
    "ReviewScore": "review", "ReviewStep": "review", "RuleChoice": "review", "Defect": "review",
    "answer_key": "review", "review_file": "review", "score_review": "review",
    "TakeHome": "takehome", "take_home": "takehome",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .bundle import BundleError, BundleRejected, VerifiedBundle, bundle_files, read_bundle, write_bundle
    from .model import Contest, ContestError, Contestant, Division, Round, load_contest
    from .review import (Defect, Mark, ReviewDocument, ReviewError, ReviewFile, ReviewScore, ReviewStep,
                         RuleChoice, answer_key, review_file, score_review)
    from .store import ContestStore, ImportOutcome, ResultRow, Standing, rank
    from .takehome import TakeHome, take_home


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim.contest' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
