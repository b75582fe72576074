"""Answer-sheet rounds beyond review: the knowledge round (`kind: quiz`), the case-analysis round
(`kind: analysis`, 一事一议) and the drafting round (`kind: drafting`, 文书制作).

A quiz round's one entry is the paper (`PAPER`) drawn by the round's seed from the contest library's question
bank, so every contestant gets the same paper; its content hash is the paper's digest (questions, answers and
option order), which pins it the way a case's content hash pins a case. An analysis round's entries are case
ids; the sheet is a `sim.analysis.AnalysisAnswer`. A drafting round's entries are case ids too; the sheet is
{document act: {field: text}} scored by `sim.drafting.score_drafting`. All are re-scored on import from the organiser's copy,
never trusted from the bundle (sim.contest.bundle).

Every kind of round whose result is an answer sheet is one `SheetKind` in `SHEETS` (what pins an entry's
version, and how a sheet is scored); the bundle code asks the registry and knows no kind by name, so a new
kind of sheet round registers here (`register_sheet_kind`) and needs nothing else of the bundle code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..analysis import AnalysisAnswer, score_analysis
from ..loader import Library
from ..quiz import Paper, draw_paper, question_bank, score_paper
from .model import PAPER, Round



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


def _paper_hash(r: Round, entry: str, library: Library) -> str:
    if entry != PAPER:
        raise SheetError(f"法律知识轮只有一份试卷，不是「{entry}」")
    return round_paper(r, library).digest


def _case_hash(r: Round, entry: str, library: Library) -> str:
    scenario = library.scenarios.get(entry)
    if scenario is None:
        raise SheetError(f"案例库中找不到案例「{entry}」")
    return scenario.content_hash


def _score_quiz(r: Round, entry: str, sheet: Any, library: Library) -> SheetScore:
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


def _score_analysis(r: Round, entry: str, sheet: Any, library: Library) -> SheetScore:
    scenario = library.scenarios.get(entry)
    if scenario is None:
        raise SheetError(f"案例库中找不到案例「{entry}」")
    try:
        answer = AnalysisAnswer.from_json(sheet)
    except ValueError as exc:
        raise SheetError(str(exc)) from None
    s = score_analysis(scenario, answer, library.articles, library.laws)
    return SheetScore(s.points, 0, tuple(dict.fromkeys(m.code for m in s.mistakes)), s.missed_articles,
                      s.to_json(), answer.to_json())


def _score_drafting(r: Round, entry: str, sheet: Any, library: Library) -> SheetScore:
    """A drafting round's sheet: {document act: {field: text}}, scored element by element (sim.drafting)."""
    from ..drafting import DraftingError, score_drafting

    scenario = library.scenarios.get(entry)
    if scenario is None:
        raise SheetError(f"案例库中找不到案例「{entry}」")
    try:
        d = score_drafting(scenario, r.drafting_documents(scenario), sheet, dict(r.weights))
    except DraftingError as exc:
        raise SheetError(str(exc)) from None
    return SheetScore(d.points, 0, d.missed, d.articles, d.to_json(), dict(sheet))


@attrs.frozen
class SheetKind:
    """One kind of answer-sheet round: what pins an entry's version (`content_hash`, raising SheetError for an
    entry that does not exist) and how a sheet is scored (`score`, raising SheetError for a sheet of the wrong
    shape). Both take (round, entry, sheet or nothing, library)."""

    kind: str
    content_hash: Callable[[Round, str, Library], str]
    score: Callable[[Round, str, Any, Library], SheetScore]


SHEETS: dict[str, SheetKind] = {}


def register_sheet_kind(kind: SheetKind) -> SheetKind:
    SHEETS[kind.kind] = kind
    return kind


register_sheet_kind(SheetKind("quiz", _paper_hash, _score_quiz))
register_sheet_kind(SheetKind("analysis", _case_hash, _score_analysis))
register_sheet_kind(SheetKind("drafting", _case_hash, _score_drafting))


def is_sheet_round(r: Round | str) -> bool:
    """Whether a round (or a round kind) is handed in as an answer sheet (not a play journal, not review
    marks)."""
    return (r if isinstance(r, str) else r.kind) in SHEETS


def content_hash(r: Round, entry: str, library: Library) -> str:
    """What pins an entry's version: the paper's digest, or the case's content hash."""
    return SHEETS[r.kind].content_hash(r, entry, library)


def score_sheet(r: Round, entry: str, sheet: Any, library: Library) -> SheetScore:
    """Score one answer sheet of a sheet round; raises SheetError for a sheet of the wrong shape."""
    return SHEETS[r.kind].score(r, entry, sheet, library)
