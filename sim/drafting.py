"""The drafting round (文书制作): a contestant gets a case and drafts named documents of it; the sheet is scored
element by element with the case's own rules.

A sheet is ``{"documents": {action id: {field id: value}}}``. Each element (one field of one named document)
is judged in isolation: the case's first reference path is played with that one field replaced by what the
contestant wrote; the element is right when that play has no finding the reference path does not have. So
every verdict is a rule of the case — cited, explained — and a wrong basis, amount, period, party or remedy in
one field costs that field only. The score is the weighted share of right elements (weights per element in
the contest file, `weights: {decide.kind_basis: 3}`; 1 each by default), 0..100. The whole sheet is also
played once: findings between documents (a decision citing what the notice did not tell) are reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .model import Scenario, Step
from .selftest import play_steps

DECISIONS = ("decide", "decide_on_spot", "decide_no_penalty", "decide_licence")


class DraftingError(ValueError):
    """A sheet of the wrong shape, or a document the round does not ask for (Chinese message)."""


@attrs.frozen
class Element:
    document: str  # action id
    field: str
    label: str  # 《行政处罚决定书》「处罚种类和依据」
    weight: float
    right: bool
    findings: tuple[str, ...]  # rule ids the contestant's text caused
    problems: tuple[str, ...]  # what the findings say (actual)


@attrs.frozen
class DraftingScore:
    points: int
    elements: tuple[Element, ...]
    cross: tuple[str, ...]  # rule ids of the whole sheet beyond the elements' own
    articles: tuple[str, ...]  # catalogue keys of the findings (weak spots)

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for e in self.elements for r in e.findings) | dict.fromkeys(self.cross))

    def to_json(self) -> dict[str, Any]:
        return {"points": self.points, "cross": list(self.cross), "elements": [
            {"document": e.document, "field": e.field, "label": e.label, "weight": e.weight, "right": e.right,
             "findings": list(e.findings), "problems": list(e.problems)} for e in self.elements]}


def default_documents(scenario: Scenario) -> tuple[str, ...]:
    """The documents a round asks for when it names none: the decision of the case's reference path."""
    if not scenario.references:
        return ()
    done = [st.do for st in scenario.references[0].steps]
    return tuple(d for d in DECISIONS if d in done)[:1]


def drafting_problem(scenario: Scenario, documents: Sequence[str]) -> str:
    """Why a round cannot ask for these documents of this case ('' if it can)."""
    if not scenario.references:
        return f"案例「{scenario.id}」没有参考路径，无从评判文书"
    done = {st.do for st in scenario.references[0].steps if isinstance(st.params.get("document"), dict)}
    for d in documents:
        spec = scenario.procedure.actions.get(d)
        if spec is None or spec.document is None or not spec.document.fields:
            return f"案例「{scenario.id}」的程序中没有需要填写的文书「{d}」"
        if d not in done:
            return f"案例「{scenario.id}」的参考路径没有制作《{spec.document.name}》"
    return "" if documents else f"案例「{scenario.id}」的参考路径没有作出决定，请用 documents 写明要制作的文书"


def blank_sheet(scenario: Scenario, documents: Sequence[str]) -> dict[str, Any]:
    """An empty sheet: every named document with its fields unfilled (what the contestant starts from)."""
    return {"documents": {d: {} for d in documents}}


def model_sheet(scenario: Scenario, documents: Sequence[str]) -> dict[str, Any]:
    """The reference path's own documents: the sheet that scores 100."""
    out: dict[str, Any] = {}
    for st in scenario.references[0].steps:
        if st.do in documents and st.do not in out and isinstance(st.params.get("document"), dict):
            out[st.do] = dict(st.params["document"])
    return {"documents": out}


def _read_sheet(sheet: Any, scenario: Scenario, documents: Sequence[str]) -> dict[str, dict[str, Any]]:
    if not isinstance(sheet, Mapping) or not isinstance(sheet.get("documents", {}), Mapping):
        raise DraftingError("文书答卷应为 {documents: {文书: {栏目: 内容}}}")
    docs = sheet.get("documents", {})
    out: dict[str, dict[str, Any]] = {}
    for d, values in docs.items():
        if d not in documents:
            raise DraftingError(f"本轮不要求制作「{d}」")
        if not isinstance(values, Mapping):
            raise DraftingError(f"「{d}」的内容应为栏目与内容的映射")
        spec = scenario.procedure.actions[d].document
        assert spec is not None
        for fid, v in values.items():
            f = spec.field(fid)
            if f is None:
                raise DraftingError(f"《{spec.name}》没有栏目「{fid}」")
            ok = (isinstance(v, bool) if f.kind == "bool" else v in {o.id for o in f.options} if f.kind == "choice"
                  else isinstance(v, (int, float)) and not isinstance(v, bool) if f.kind == "amount"
                  else isinstance(v, str) and len(v) <= 5000)
            if v is not None and not ok:
                raise DraftingError(f"《{spec.name}》「{f.label}」的内容「{str(v)[:20]}」无效")
        out[d] = {k: v for k, v in values.items() if v is not None and v != ""}
    return out


def _play(scenario: Scenario, replace: Mapping[str, Mapping[str, Any]], whole: bool) -> Any:
    steps: list[Step] = []
    seen: set[str] = set()
    for st in scenario.references[0].steps:
        if st.do in replace and st.do not in seen and isinstance(st.params.get("document"), dict):
            seen.add(st.do)
            doc = dict(replace[st.do]) if whole else {**st.params["document"], **replace[st.do]}
            if not whole:
                doc = {k: v for k, v in doc.items() if v is not None}
            st = attrs.evolve(st, params={**st.params, "document": doc})
        steps.append(st)
    s, _ = play_steps(scenario, tuple(steps), script=scenario.references[0].script)
    return s


def score_drafting(scenario: Scenario, documents: Sequence[str], sheet: Any,
                   weights: Mapping[str, float] | None = None) -> DraftingScore:
    """Score a drafting sheet element by element (see the module doc); raises DraftingError for a bad sheet."""
    drafted = _read_sheet(sheet, scenario, documents)
    base = _play(scenario, {}, False)
    base_ids = set(base.result.rule_ids())
    elements = []
    weights = weights or {}
    for d in documents:
        spec = scenario.procedure.actions[d].document
        assert spec is not None
        mine = drafted.get(d, {})
        for f in spec.fields:
            s = _play(scenario, {d: {f.id: mine.get(f.id)}}, False)
            new = [x for x in s.result.findings if x.rule_id not in base_ids]
            elements.append(Element(d, f.id, f"《{spec.name}》「{f.label}」", float(weights.get(f"{d}.{f.id}", 1)),
                                    not new, tuple(x.rule_id for x in new), tuple(x.actual for x in new)))
    whole = _play(scenario, {d: drafted.get(d, {}) for d in documents}, True)
    own = {r for e in elements for r in e.findings}
    cross = tuple(r for r in whole.result.rule_ids() if r not in base_ids and r not in own)
    total = sum(e.weight for e in elements) or 1.0
    points = round(100 * sum(e.weight for e in elements if e.right) / total)
    cited = [c for x in whole.result.findings if x.rule_id not in base_ids for c in x.cites]
    return DraftingScore(points, tuple(elements), cross, tuple(dict.fromkeys(cited)))
