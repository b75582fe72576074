"""What a case expects its drafted documents to say, derived from the case data (the penalty provision, the
violated provision, the party) or written by the author where it cannot be derived (`penalty.cite`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from .citation import LawIndex, LawInfo, Problem, check_citations, ref_from_key
from .elements import check_party

_CJK = re.compile(r"[\u3400-\u9fff]")
_NOTE = re.compile(r"[（(][^）)]*[）)]")


# The search `meaningful` makes, for a caller that knows its text is a str of at most 5,000 characters (an act's
# validated texts): `says_something(text) is not None` is `meaningful(text)`.
says_something = _CJK.search


def meaningful(text: Any) -> bool:
    """Whether a drafted text says anything: at least one Chinese character ("x", "…", "123" say nothing)."""
    return isinstance(text, str) and says_something(text[:5000]) is not None


@functools.lru_cache(maxsize=64)
def law_index(laws: tuple[tuple[str, str], ...]) -> LawIndex:
    """The index of the library's laws ((short, full) names), built once per library."""
    return LawIndex.build(LawInfo(short, full) for short, full in laws)


def required_citations(penalty: dict[str, Any], violated: Iterable[str], laws: Iterable[str], *,
                       penalty_only: bool = False) -> tuple[str, ...]:
    """The provisions a notice's basis must cite: the violated provisions of the case analysis and the penalty
    provision — `penalty.cite` where the author wrote it (the paragraph or item `penalty.basis` does not say:
    第一百一十九条第一款), else `penalty.basis`. A decision's 处罚依据 (`penalty_only`) needs the penalty provision
    only (the violated provision is stated with the facts). Keys of catalogue entries that are not laws
    (培训假设依据, practice standards) are left out: a document cannot cite them."""
    known = set(laws)
    cite = penalty.get("cite")
    punish = [str(k) for k in cite] if isinstance(cite, (list, tuple)) else (
        [str(penalty["basis"])] if penalty.get("basis") else [])
    keys = punish if penalty_only else [*[str(k) for k in violated], *punish]
    out: list[str] = []
    for k in keys:
        try:
            r = ref_from_key(k)
        except ValueError:
            continue
        if r.law in known and k not in out:
            out.append(k)
    return tuple(out)


def check_basis(text: Any, required: tuple[str, ...], index: LawIndex) -> list[Problem]:
    """The basis of a document against the case: nothing to require (a case with no statutory basis) is only
    checked for being a citation at all."""
    return check_citations(text if isinstance(text, str) else "", required, index)


def party_addresses(address: str) -> list[str]:
    """The addresses a document may give for the party: 登记住所 and 经营场所 written as one case value
    (separated by ；) are alternatives; notes in brackets are not part of the address."""
    parts = [_NOTE.sub("", p).strip() for p in re.split(r"[；;]", address or "")]
    return [p for p in parts if p] or [""]


def check_party_named(text: Any, name: str, address: str) -> list[Problem]:
    """The party's name and one of its addresses as the case records them."""
    text = text if isinstance(text, str) else ""
    best: list[Problem] | None = None
    for addr in party_addresses(address):
        problems = check_party(text, _NOTE.sub("", name).strip() if _NOTE.sub("", name).strip() else name, addr)
        if not problems:
            return []
        if best is None or len(problems) < len(best):
            best = problems
    return best or []


def extra_citations(earlier: Any, later: Any, index: LawIndex) -> list[Problem]:
    """Provisions the later document (the decision) cites that the earlier one (the notice) did not tell."""
    from .citation import parse_citations

    told = parse_citations(earlier if isinstance(earlier, str) else "", index)

    def was_told(r: Any) -> bool:  # the same provision, or the notice cited the whole article (or paragraph)
        return any(t.law == r.law and t.article == r.article and (t.para is None or t.para == (r.para or 1))
                   and (t.item is None or t.item == r.item) for t in told)

    new = [r for r in parse_citations(later if isinstance(later, str) else "", index) if r.law and not was_told(r)]
    if not told or not new:
        return []
    return [Problem("differs", f"决定书引用的{'、'.join(dict.fromkeys(r.label() for r in new))}在事先告知书中没有告知")]
