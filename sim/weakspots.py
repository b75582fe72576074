"""Weak spots: the rules trainees break most, from the local history, with the rules' titles and citations.

The store counts (sim/store.py `weak_spots`); this module names the rules from the loaded library, so the
CLI (`lawdrill stats`) and the trainer screen show the same figures in the same words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from .scoring import cite_labels

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
            title, cites, severity = UNKNOWN_RULE, "", ""
        else:
            title = rule.title
            cites = cite_labels(rule.cite, library.articles)
            severity = rule.severity.label
        out.append(WeakSpot(t.group, group_label(library, by, t.group), t.rule, title, cites, severity,
                            t.count, t.attempts))
    order = {g: i for i, g in enumerate(sorted(sizes, key=lambda g: (-sizes[g], g)))}
    return sorted(out, key=lambda w: (order.get(w.group, 0), -w.count, w.rule))
