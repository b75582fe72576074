"""Answer-sheet rounds beyond review: the knowledge round (`kind: quiz`) and the case-analysis round
(`kind: analysis`, 一事一议).

A quiz round's one entry is the paper (`PAPER`) drawn by the round's seed from the contest library's question
bank, so every contestant gets the same paper; its content hash is the paper's digest (questions, answers and
option order), which pins it the way a case's content hash pins a case. An analysis round's entries are case
ids; the sheet is a `sim.analysis.AnalysisAnswer`. Both are re-scored on import from the organiser's copy,
never trusted from the bundle (sim.contest.bundle).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..analysis import AnalysisAnswer, score_analysis
from ..loader import Library
from ..quiz import Paper, draw_paper, question_bank, score_paper
from .model import PAPER, Round

SHEET_KINDS = ("quiz", "analysis", "drafting")


class SheetError(ValueError):
    """An answer sheet of the wrong shape, or an entry the library does not have (Chinese message)."""


@attrs.frozen
class SheetScore:
    score: int
    criticals: int
    rules: tuple[str, ...]  # quiz: rule ids of the questions missed; analysis: mistake codes
    articles: tuple[str, ...]  # catalogue keys missed (weak spots)
    details: dict[str, Any]
    sheet: Any  # the answers in their JSON form, as signed


def round_paper(r: Round, library: Library) -> Paper:
    """The paper of a quiz round: the same for every contestant and every run (drawn by the round's seed)."""
    return draw_paper(question_bank(library), r.seed, r.questions)


def content_hash(r: Round, entry: str, library: Library) -> str:
    """What pins an entry's version: the paper's digest, or the case's content hash."""
    if r.kind == "quiz":
        if entry != PAPER:
            raise SheetError(f"法律知识轮只有一份试卷，不是「{entry}」")
        return round_paper(r, library).digest
    scenario = library.scenarios.get(entry)
    if scenario is None:
        raise SheetError(f"案例库中找不到案例「{entry}」")
    return scenario.content_hash


def score_sheet(r: Round, entry: str, sheet: Any, library: Library) -> SheetScore:
    """Score one answer sheet of a quiz or analysis round; raises SheetError for a sheet of the wrong shape."""
    if r.kind == "quiz":
        if not isinstance(sheet, Mapping) or not all(isinstance(k, str) for k in sheet):
            raise SheetError("法律知识答卷应为「题目编号: 答案」的映射")
        paper = round_paper(r, library)
        known = {i.question.id for i in paper.items}
        stray = sorted(set(sheet) - known)
        if stray:
            raise SheetError(f"答卷中有不属于本试卷的题目「{stray[0]}」")
        qs = score_paper(paper, sheet)
        return SheetScore(qs.points, 0, tuple(dict.fromkeys(qs.missed_rules)),
                          tuple(dict.fromkeys(qs.missed_articles)), qs.to_json(), dict(sheet))
    scenario = library.scenarios.get(entry)
    if scenario is None:
        raise SheetError(f"案例库中找不到案例「{entry}」")
    if r.kind == "drafting":
        from ..drafting import DraftingError, score_drafting

        try:
            d = score_drafting(scenario, r.drafting_documents(scenario), sheet, dict(r.weights))
        except DraftingError as exc:
            raise SheetError(str(exc)) from None
        return SheetScore(d.points, 0, d.missed, d.articles, d.to_json(), dict(sheet))
    try:
        answer = AnalysisAnswer.from_json(sheet)
    except ValueError as exc:
        raise SheetError(str(exc)) from None
    s = score_analysis(scenario, answer, library.articles)
    return SheetScore(s.points, 0, tuple(dict.fromkeys(m.code for m in s.mistakes)), s.missed_articles,
                      s.to_json(), answer.to_json())
