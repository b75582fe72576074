"""Weak spots: the rules trainees break most, from the local history, with the rules' titles and citations,
and the articles they miss most (rules broken in play, questions and case analyses missed).

The store counts (sim/store.py `weak_spots`); this module names the rules from the loaded library, so the
CLI (`lawdrill stats`) and the trainer screen show the same figures in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .scoring import cite_label, cite_labels

if TYPE_CHECKING:
    from .loader import Library
    from .model import RuleSpec
    from .store import Store

GROUPINGS = (None, "case", "township")
NO_TOWNSHIP = "（未填写乡镇）"
UNKNOWN_RULE = "（案例库中已没有这条规则）"


@attrs.frozen
class WeakSpot:
    group: str  # "" overall, else a case id or a township
    group_label: str  # 全部 / the case title / the township
    rule: str
    title: str
    citations: str  # 《行政处罚法》第四十四条；…
    severity: str  # 严重 / 较重 / 轻微, "" when the rule is no longer in the library
    count: int  # attempts in which the rule was broken
    attempts: int  # finished attempts in the group

    @property
    def share(self) -> float:
        return self.count / self.attempts if self.attempts else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "group_label": self.group_label, "rule": self.rule, "title": self.title,
                "citations": self.citations, "severity": self.severity, "count": self.count,
                "attempts": self.attempts, "share": round(self.share, 4)}


def _rule_index(library: Library) -> tuple[dict[str, RuleSpec], dict[str, dict[str, RuleSpec]]]:
    """Rules by id across the library (template rules first), and each case's own view of its rules."""
    anywhere: dict[str, RuleSpec] = {}
    for p in sorted(library.procedures.values(), key=lambda p: p.id):
        for r in p.rules:
            anywhere.setdefault(r.id, r)
    per_case: dict[str, dict[str, RuleSpec]] = {}
    for sc in library.scenarios.values():
        per_case[sc.id] = {r.id: r for r in sc.procedure.rules}
        for r in sc.procedure.rules:
            anywhere.setdefault(r.id, r)
    return anywhere, per_case


def group_label(library: Library, by: str | None, group: str) -> str:
    if by is None:
        return "全部"
    if by == "case":
        if group == "quiz":
            return "法律知识答题"
        sc = library.scenarios.get(group)
        return sc.title if sc is not None else group
    return group or NO_TOWNSHIP


def _named(library: Library, anywhere: dict[str, RuleSpec], per_case: dict[str, dict[str, RuleSpec]],
           case: str, rule_id: str) -> tuple[str, str, str]:
    rule = per_case.get(case, {}).get(rule_id) or anywhere.get(rule_id)
    if rule is None:
        from .analysis import MISTAKE_TITLES  # a case analysis records its mistake codes

        return MISTAKE_TITLES.get(rule_id, UNKNOWN_RULE), "", ""
    return rule.title, cite_labels(rule.cite, library.articles), rule.severity.label


def rule_names(library: Library, case: str, rules: Sequence[str]) -> list[tuple[str, str]]:
    """What a result missed, in words: (title, citations) per rule id, mistake code or question rule, as the
    case (`case`, "" for none) names it."""
    anywhere, per_case = _rule_index(library)
    return [_named(library, anywhere, per_case, case, r)[:2] for r in dict.fromkeys(rules)]


def weak_spots(store: Store, library: Library, by: str | None = None, *, trainee: str | None = None,
               ) -> list[WeakSpot]:
    """Every (group, rule) broken at least once, most broken first within each group; groups ordered by
    their number of attempts (most first)."""
    anywhere, per_case = _rule_index(library)
    tallies = store.weak_spots(by, trainee=trainee)
    sizes = store.attempt_counts(by, trainee=trainee)
    out = []
    for t in tallies:
        title, cites, severity = _named(library, anywhere, per_case, t.group if by == "case" else "", t.rule)
        out.append(WeakSpot(t.group, group_label(library, by, t.group), t.rule, title, cites, severity,
                            t.count, t.attempts))
    order = {g: i for i, g in enumerate(sorted(sizes, key=lambda g: (-sizes[g], g)))}
    return sorted(out, key=lambda w: (order.get(w.group, 0), -w.count, w.rule))


@attrs.frozen
class ArticleSpot:
    article: str  # catalogue key
    label: str  # 《行政处罚法》第四十四条
    count: int  # finished attempts, answer sheets and contest results that missed it
    play: int  # of which practice play attempts (a broken rule that cites it)
    sheets: int  # of which practice knowledge papers and case analyses
    contest: int = 0  # of which contest results brought home (sim.contest.takehome)

    def to_json(self) -> dict[str, Any]:
        return {"article": self.article, "label": self.label, "count": self.count, "play": self.play,
                "sheets": self.sheets, "contest": self.contest}


def article_spots(store: Store, library: Library, *, trainee: str | None = None) -> list[ArticleSpot]:
    """The catalogue articles missed most: each finished attempt counts the articles its broken rules cite,
    each answer sheet the articles of the questions (or analysis elements) it missed, once per attempt or
    sheet. Only articles still in the library are counted; most missed first."""
    anywhere, per_case = _rule_index(library)
    play: dict[str, int] = {}
    sheets: dict[str, int] = {}
    contest: dict[str, int] = {}
    for a in store.history(trainee):
        rules = per_case.get(a.scenario, {})
        found = [rules.get(r) or anywhere.get(r) for r in a.rules]
        keys = {c for r in found if r is not None for c in r.cite}
        for k in keys & library.articles.keys():
            play[k] = play.get(k, 0) + 1
    for sh in store.sheets(trainee):
        tally = contest if sh.contest else sheets
        for k in set(sh.articles) & library.articles.keys():
            tally[k] = tally.get(k, 0) + 1
    out = [ArticleSpot(k, cite_label(k, library.articles), play.get(k, 0) + sheets.get(k, 0) + contest.get(k, 0),
                       play.get(k, 0), sheets.get(k, 0), contest.get(k, 0))
           for k in play.keys() | sheets.keys() | contest.keys()]
    return sorted(out, key=lambda w: (-w.count, w.article))


@attrs.frozen
class PracticeCase:
    """A library case that trains some of a trainee's weak spots: its rules cite a weak article or are a weak
    rule, or its case analysis asks for a weak article."""

    case: str
    title: str
    articles: tuple[str, ...]  # the weak articles it trains, weakest first
    rules: tuple[str, ...]  # the weak rules it has

    def to_json(self) -> dict[str, Any]:
        return {"case": self.case, "title": self.title, "articles": list(self.articles), "rules": list(self.rules)}


def practice_cases(library: Library, articles: Sequence[str] = (), rules: Sequence[str] = (), *,
                   limit: int = 5) -> list[PracticeCase]:
    """The cases to practise the given weak articles and rules on: those touching most of them first (then the
    easier, then by title); at most `limit`."""
    from .analysis import answer_key

    out = []
    for sc in library.scenarios.values():
        cited = {c for r in sc.procedure.rules for c in r.cite}
        key = answer_key(sc)
        cited |= set(key.violated) | set(key.basis)
        have = {r.id for r in sc.procedure.rules}
        hit_a = tuple(a for a in articles if a in cited)
        hit_r = tuple(r for r in rules if r in have)
        if hit_a or hit_r:
            out.append(PracticeCase(sc.id, sc.title, hit_a, hit_r))
    weight = {a: i for i, a in enumerate(articles)}
    out.sort(key=lambda p: (-(len(p.articles) + len(p.rules)), min((weight[a] for a in p.articles), default=99),
                            library.scenarios[p.case].difficulty, p.title))
    return out[:limit]


def questions_for(library: Library, articles: Sequence[str]) -> int:
    """How many questions of the bank test any of the given articles."""
    from .quiz import question_bank

    aimed = set(articles)
    return sum(1 for q in question_bank(library) if aimed & set(q.articles))



def drill_paper(store: Store, library: Library, seed: int, size: int = 10, *, trainee: str | None = None,
                top: int = 5, articles: Sequence[str] | None = None) -> tuple[Any, list[ArticleSpot]]:
    """A short paper aimed at the trainee's weakest articles: questions testing any of the `top` most missed
    articles first (or of `articles`, when given: those of the trainee's weak spots), topped up from the whole
    bank when they are too few. Returns (paper, the articles aimed at); with no history the paper is drawn from
    the whole bank and the list is empty."""
    from .quiz import draw_paper, joined_paper, question_bank

    bank = question_bank(library)
    spots = article_spots(store, library, trainee=trainee)
    if articles is not None:
        chosen = set(articles)
        spots = [w for w in spots if w.article in chosen]
    spots = spots[:top]
    aimed = {w.article for w in spots}
    paper = draw_paper(bank, seed, size, keep=(lambda q: bool(aimed & set(q.articles))) if aimed else None)
    if len(paper.items) < size:
        have = {i.question.id for i in paper.items}
        paper = joined_paper(seed, paper, draw_paper(bank, seed, size - len(paper.items),
                                                     keep=lambda q: q.id not in have))
    return paper, spots
