"""Weak spots: the rules trainees break most, from the local history, with the rules' titles and citations,
and the articles they miss most (rules broken in play, questions and case analyses missed).

The store counts (sim/store.py `weak_spots`); this module names the rules from the loaded library, so the
CLI (`lawdrill stats`) and the trainer screen show the same figures in the same words.
"""

from __future__ import annotations

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


def weak_spots(store: Store, library: Library, by: str | None = None, *, trainee: str | None = None,
               ) -> list[WeakSpot]:
    """Every (group, rule) broken at least once, most broken first within each group; groups ordered by
    their number of attempts (most first)."""
    anywhere, per_case = _rule_index(library)
    tallies = store.weak_spots(by, trainee=trainee)
    sizes = store.attempt_counts(by, trainee=trainee)
    out = []
    for t in tallies:
        rule = per_case.get(t.group, {}).get(t.rule) if by == "case" else None
        rule = rule or anywhere.get(t.rule)
        if rule is None:
            from .analysis import MISTAKE_TITLES  # a case analysis records its mistake codes

            title, cites, severity = MISTAKE_TITLES.get(t.rule, UNKNOWN_RULE), "", ""
        else:
            title = rule.title
            cites = cite_labels(rule.cite, library.articles)
            severity = rule.severity.label
        out.append(WeakSpot(t.group, group_label(library, by, t.group), t.rule, title, cites, severity,
                            t.count, t.attempts))
    order = {g: i for i, g in enumerate(sorted(sizes, key=lambda g: (-sizes[g], g)))}
    return sorted(out, key=lambda w: (order.get(w.group, 0), -w.count, w.rule))


@attrs.frozen
class ArticleSpot:
    article: str  # catalogue key
    label: str  # 《行政处罚法》第四十四条
    count: int  # finished attempts and answer sheets that missed it
    play: int  # of which play attempts (a broken rule that cites it)
    sheets: int  # of which knowledge papers and case analyses

    def to_json(self) -> dict[str, Any]:
        return {"article": self.article, "label": self.label, "count": self.count, "play": self.play,
                "sheets": self.sheets}


def article_spots(store: Store, library: Library, *, trainee: str | None = None) -> list[ArticleSpot]:
    """The catalogue articles missed most: each finished attempt counts the articles its broken rules cite,
    each answer sheet the articles of the questions (or analysis elements) it missed, once per attempt or
    sheet. Only articles still in the library are counted; most missed first."""
    anywhere, per_case = _rule_index(library)
    play: dict[str, int] = {}
    sheets: dict[str, int] = {}
    for a in store.history(trainee):
        rules = per_case.get(a.scenario, {})
        found = [rules.get(r) or anywhere.get(r) for r in a.rules]
        keys = {c for r in found if r is not None for c in r.cite}
        for k in keys & library.articles.keys():
            play[k] = play.get(k, 0) + 1
    for sh in store.sheets(trainee):
        for k in set(sh.articles) & library.articles.keys():
            sheets[k] = sheets.get(k, 0) + 1
    out = [ArticleSpot(k, cite_label(k, library.articles), play.get(k, 0) + sheets.get(k, 0), play.get(k, 0),
                       sheets.get(k, 0)) for k in play.keys() | sheets.keys()]
    return sorted(out, key=lambda w: (-w.count, w.article))



def drill_paper(store: Store, library: Library, seed: int, size: int = 10, *, trainee: str | None = None,
                top: int = 5) -> tuple[Any, list[ArticleSpot]]:
    """A short paper aimed at the trainee's weakest articles: questions testing any of the `top` most missed
    articles first, topped up from the whole bank when they are too few. Returns (paper, the articles aimed
    at); with no history the paper is drawn from the whole bank and the list is empty."""
    from .quiz import draw_paper, joined_paper, question_bank

    bank = question_bank(library)
    spots = article_spots(store, library, trainee=trainee)[:top]
    aimed = {w.article for w in spots}
    paper = draw_paper(bank, seed, size, keep=(lambda q: bool(aimed & set(q.articles))) if aimed else None)
    if len(paper.items) < size:
        have = {i.question.id for i in paper.items}
        paper = joined_paper(seed, paper, draw_paper(bank, seed, size - len(paper.items),
                                                     keep=lambda q: q.id not in have))
    return paper, spots
