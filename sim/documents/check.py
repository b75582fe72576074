"""One entry point for every element kind: `check_field(kind, text, expected, index)` -> problems, and
`agree(kind, a, b, index)` for two documents that must say the same thing (the notice and the decision)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .citation import LawIndex, Problem, check_citations, parse_citations
from .elements import Span, check_address, check_body, check_date, check_party, check_period, check_remedy
from .money import check_amount, read_amounts, yuan

# Element kinds a document field may have beyond text/choice/amount/bool, and what `expected` each takes.
KINDS = {
    "citation": "catalogue keys the text must cite (the violated provision and the penalty provision)",
    "money": "the amount in yuan the act decides",
    "party": "(name, address) of the party",
    "address": "the address",
    "date": "the date",
    "period": "the periods (Span) the text must state",
    "body": "the kinds of body (county_gov, basic_court …) the text may name",
    "remedy": "(review body kinds, court kinds) of a 复议/诉讼 clause",
}


def check_field(kind: str, text: Any, expected: Any = None, index: LawIndex | None = None) -> list[Problem]:
    """What is wrong with one drafted element. `expected` as in KINDS (None: only that the element is there
    and well formed). Never raises for any text."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if kind == "citation":
        return check_citations(text, tuple(expected or ()), index or LawIndex.build(()))
    if kind == "money":
        return check_amount(text, expected)
    if kind == "party":
        name, address = (tuple(expected) + ("", ""))[:2] if expected else ("", "")
        return check_party(text, str(name or ""), str(address or ""))
    if kind == "address":
        return check_address(text, str(expected or ""))
    if kind == "date":
        return check_date(text, expected if isinstance(expected, dt.date) else None)
    if kind == "period":
        return check_period(text, tuple(expected or ()))
    if kind == "body":
        return check_body(text, tuple(expected or ("county_gov",)))
    if kind == "remedy":
        review, court = (tuple(expected) + ((), ()))[:2] if expected else ((), ())
        return check_remedy(text, review_body=tuple(review) or ("county_gov",), court=tuple(court) or ("basic_court",))
    raise ValueError(f"unknown element kind {kind!r}")


_QUANTITY = re.compile(r"([0-9０-９]+(?:[.．][0-9]+)?|[一二三四五六七八九十百千万两]+)\s*(亩|平方米|立方米|米|元|吨|块|辆|处|间|层|棵|株|人|次)")


def agree(kind: str, a: Any, b: Any, index: LawIndex | None = None) -> list[Problem]:
    """Whether text `b` (the later document) says what `a` (the earlier one) said. citation: the same
    provisions; money: the same sums; text: every quantity of `a` (3亩, 90平方米) recurs in `b`."""
    a = a if isinstance(a, str) else ""
    b = b if isinstance(b, str) else ""
    if kind == "citation":
        idx = index or LawIndex.build(())
        ka = {r.key for r in parse_citations(a, idx)}
        kb = {r.key for r in parse_citations(b, idx)}
        if ka and kb and ka != kb:
            only_a = [r.label() for r in parse_citations(a, idx) if r.key in ka - kb]
            only_b = [r.label() for r in parse_citations(b, idx) if r.key in kb - ka]
            parts = []
            if only_a:
                parts.append(f"告知的{'、'.join(dict.fromkeys(only_a))}未出现")
            if only_b:
                parts.append(f"另引用了{'、'.join(dict.fromkeys(only_b))}")
            return [Problem("differs", "前后文书引用的依据不一致：" + "，".join(parts))]
        return []
    if kind in ("money", "amount"):
        sa = set(read_amounts(a)) if kind == "money" else {Decimal(str(a))} if a else set()
        sb = set(read_amounts(b)) if kind == "money" else {Decimal(str(b))} if b else set()
        if sa and sb and sa != sb:
            return [Problem("differs", f"前后文书的数额不一致：{'、'.join(yuan(x) for x in sorted(sa))}与"
                                       f"{'、'.join(yuan(x) for x in sorted(sb))}")]
        return []
    qa = {_norm_quantity(m) for m in _QUANTITY.finditer(a)}
    qb = {_norm_quantity(m) for m in _QUANTITY.finditer(b)}
    missing = [q for q in qa if q not in qb]
    if missing:
        return [Problem("differs", f"认定的事实前后不一致：前一文书中的「{'、'.join(sorted(missing))}」在后一文书中没有或不同")]
    return []


def _norm_quantity(m: re.Match[str]) -> str:
    from .numerals import read_number

    n = read_number(m.group(1))
    return f"{n if n is not None else m.group(1)}{m.group(2)}"


def spans(values: Sequence[str]) -> tuple[Span, ...]:
    """"15 days" / "6 months" (the template's notation) -> Span."""
    out = []
    for v in values:
        length, _, unit = str(v).strip().partition(" ")
        out.append(Span(int(length), unit.strip()))
    return tuple(out)
