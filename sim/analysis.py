"""Case analysis (一事一议, 违法行为分析研判): from a case's facts and evidence the trainee names the violation
(案由), the provision violated and the penalty provision, ties the evidence to what it proves, judges the
circumstances and proposes a disposal within the discretion band; scored element by element.

The answer key is derived from the case itself (`answer_key`): 案由 from the case's type (or the power
item), the penalty provision from `penalty.basis`, the band from `penalty.min`/`max`, the main evidence from
the evidence marked `key: true`, the disposal from the acts of the case's reference path (the decision the
library itself shows to be lawful: its penalty kind, a transfer to the police, a referral, 不予处罚, 代履行).
Authors add only what cannot be read off the case, under an optional `analysis:` key (`parse_analysis`): the
provision violated when the penalty article does not itself state the prohibition, the elements of the
violation with the evidence proving each, the circumstances, or a name for the violation shared by similar
cases.

Citations in an answer are catalogue keys (picked from the catalogue) or typed text. Typed text is read with
the documents' citation parser (`sim.documents.parse_citations`: 《消防法》第六十条第一款, 消防法第60条第1款,
大气法第一百一十九条 — abbreviations, Arabic numerals, several provisions in one line; `read_citations` splits
a typed line into one citation per provision); a typed citation is matched as written, so 《消防法》第六十条 is
found to lack its 款.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import Any

import attrs

from .model import Article, Law, Scenario, Status

ANALYSIS_KEYS = ("violation", "violated", "elements", "circumstances", "note")
ELEMENT_KEYS = ("id", "label", "evidence")

# Aggravating and mitigating circumstances a trainee may find (从重、从轻、减轻、不予处罚的情节).
CIRCUMSTANCES: dict[str, tuple[str, str]] = {
    "first_offence": ("初次违法", "从轻"),
    "corrected": ("及时改正或者主动消除违法状态", "从轻"),
    "no_harm": ("未造成危害后果或者危害后果轻微", "从轻"),
    "harm_caused": ("造成危害后果（事故、人员受伤或者财产损失）", "从重"),
    "refused_correction": ("经劝阻、责令后仍不停止或者不改正", "从重"),
    "repeated": ("曾因同类违法行为受过处理", "从重"),
    "obstructed": ("拒绝、阻碍执法或者隐匿、销毁证据", "从重"),
    "crime_suspected": ("情节严重，涉嫌犯罪", "移送"),
}

# What the case ends in (处理意见): the penalty kinds of the act catalogue, and the other dispositions.
DISPOSALS: dict[str, str] = {
    "warning": "警告", "criticism": "通报批评", "fine": "罚款", "confiscation": "没收违法所得、没收非法财物",
    "suspend": "责令停产停业、责令关闭", "demolish": "责令限期拆除", "correct": "责令限期改正",
    "none": "不予行政处罚", "transfer": "移送公安机关追究刑事责任", "refer": "移送有管辖权的机关处理",
    "substitute": "代履行（排除妨碍）",
}

WEIGHTS = {"violation": 15, "violated": 20, "basis": 20, "evidence": 20, "circumstances": 10, "disposal": 15}
ELEMENT_LABELS = {"violation": "案由", "violated": "违反的条款", "basis": "处罚（处理）依据", "evidence": "证据与待证事实",
                  "circumstances": "从重从轻情节", "disposal": "处理意见及处罚幅度"}
DEFAULT_ELEMENT = ("facts", "违法事实（缺少即事实不清、证据不足的主要证据）")


@attrs.frozen
class Element:
    """An element of the violation and the evidence that proves it."""

    id: str
    label: str
    evidence: tuple[str, ...]


@attrs.frozen
class AnalysisSpec:
    """What an author adds under `analysis:` (everything optional)."""

    violation: str | None = None
    violated: tuple[str, ...] = ()
    elements: tuple[Element, ...] = ()
    circumstances: tuple[str, ...] | None = None
    note: str = ""


def _check_members(node: Any, key: str, values: Sequence[str], allowed: Container[str],
                   message: Callable[[str], str]) -> None:
    """Each of `values` (read from node[key]) must be in `allowed`; the error points at the item itself."""
    from .loader import _fail

    items = node.get(key)
    for i, v in enumerate(values):
        if v not in allowed:
            _fail(items if isinstance(items, list) else node, message(v), i if isinstance(items, list) else key)


def parse_analysis(node: Any, evidence_ids: Iterable[str], articles: Mapping[str, Article]) -> AnalysisSpec:
    """The `analysis:` key of a case (raises the loader's error with file:line:col)."""
    from .loader import _check_keys, _fail, _get, _list, _strs

    what = "案例分析（analysis）"
    if not isinstance(node, dict):
        _fail(node, f"{what}应为映射（violation、violated、elements、circumstances、note）")
    _check_keys(node, ANALYSIS_KEYS, what)
    violation = _get(node, "violation", str, what)
    violated = _strs(node, "violated", what)
    _check_members(node, "violated", violated, articles, lambda key: f"{what}的违反条款「{key}」不在法律条文目录中")
    known = set(evidence_ids)
    elements: list[Element] = []
    for i, body in enumerate(_list(node, "elements", what)):
        if not isinstance(body, dict):
            _fail(node["elements"], f"{what}第 {i + 1} 个待证事实应为 {{id, label, evidence}}", i)
        _check_keys(body, ELEMENT_KEYS, f"{what}第 {i + 1} 个待证事实", required=ELEMENT_KEYS)
        eid = _get(body, "id", str, what)
        if any(e.id == eid for e in elements):
            _fail(body, f"{what}的待证事实「{eid}」重复", "id")
        ev = _strs(body, "evidence", what)
        if not ev:
            _fail(body, f"{what}的待证事实「{eid}」至少要有一项证据", "evidence")
        for j, x in enumerate(ev):
            if x not in known:
                _fail(body["evidence"], f"{what}的待证事实「{eid}」引用的证据「{x}」不在本案证据中", j)
        elements.append(Element(eid, _get(body, "label", str, what), ev))
    circumstances = None
    if "circumstances" in node:
        circumstances = _strs(node, "circumstances", what)
        _check_members(node, "circumstances", circumstances, CIRCUMSTANCES,
                       lambda c: f"{what}的情节「{c}」无效（可用：{'、'.join(CIRCUMSTANCES)}）")
    return AnalysisSpec(violation, violated, tuple(elements), circumstances, _get(node, "note", str, what, ""))


# --- the answer key -------------------------------------------------------------------------------------


@attrs.frozen
class CaseKey:
    violation: str
    violated: tuple[str, ...]  # empty: not asked
    basis: tuple[str, ...]  # empty: the case has no penalty provision (referral, 代履行)
    elements: tuple[Element, ...]
    circumstances: tuple[str, ...] | None  # None: not asked
    disposal: str
    band: tuple[int, int] | None  # the fine's range, when the disposal is a fine
    amount: int | None  # the reference path's amount (shown in the key, not required)


def violation_name(scenario: Scenario) -> str:
    """案由: the author's name for it, else the case type (or the power item) without the bracketed remark
    about the procedure."""
    spec = scenario.analysis
    if spec is not None and spec.violation:
        return spec.violation
    raw = scenario.case_type or str(scenario.power.get("item", "")) or scenario.title
    return re.sub(r"（[^（）]*）$", "", raw).strip()


def _disposal(scenario: Scenario) -> tuple[str, int | None]:
    refs = scenario.references
    steps = refs[0].steps if refs else ()
    names = [s.do for s in steps]
    if "transfer_crime" in names:
        return "transfer", None
    if "refer" in names:
        return "refer", None
    if "immediate_perform" in names or "execute" in names and scenario.procedure.id == "substitute-performance":
        return "substitute", None
    for s in steps:
        if s.do in ("decide", "decide_on_spot") and s.params.get("penalty_kind"):
            amount = s.params.get("amount")
            return str(s.params["penalty_kind"]), (int(amount) if isinstance(amount, int) else None)
    return "none", None


def answer_key(scenario: Scenario) -> CaseKey:
    spec = scenario.analysis or AnalysisSpec()
    basis_key = scenario.penalty.get("basis")
    disposal, amount = _disposal(scenario)
    if disposal == "substitute" or not basis_key:
        # 代履行 and a township's own demolition power rest on the article its power names (power.basis).
        basis_key = label_index(scenario.articles).get(str(scenario.power.get("basis", ""))) or (
            None if disposal == "substitute" else basis_key)
    basis = (str(basis_key),) if basis_key and disposal != "refer" else ()
    # Where the penalty article itself states the prohibited act (消防法第六十条, 城乡规划法第六十五条), it is also
    # the provision violated; the basis of a 代履行 is not.
    violated = spec.violated or (basis if disposal != "substitute" else ())
    elements = spec.elements or ((Element(*DEFAULT_ELEMENT, tuple(e.id for e in scenario.evidence if e.key)),)
                                 if any(e.key for e in scenario.evidence) else ())
    band = None
    if disposal == "fine" and isinstance(scenario.penalty.get("min"), int) and isinstance(
            scenario.penalty.get("max"), int):
        band = (int(scenario.penalty["min"]), int(scenario.penalty["max"]))
    # Circumstances are asked only where the author weighed them: a fact alone (first_offence: true) does not
    # say whether it mitigates in this case.
    return CaseKey(violation_name(scenario), tuple(violated), basis, tuple(elements), spec.circumstances,
                   disposal, band, amount)


# --- the answer -----------------------------------------------------------------------------------------


@attrs.frozen
class Citation:
    """One cited provision: a catalogue key (picked) or typed text."""

    key: str | None = None
    text: str | None = None

    def to_json(self) -> dict[str, str]:
        return {"key": self.key} if self.key is not None else {"text": self.text or ""}

    @classmethod
    def from_json(cls, raw: Any) -> Citation:
        if isinstance(raw, str):
            return cls(key=raw) if "#" in raw else cls(text=raw)
        if isinstance(raw, Mapping):
            if isinstance(raw.get("key"), str):
                return cls(key=raw["key"])
            if isinstance(raw.get("text"), str):
                return cls(text=raw["text"])
        raise ValueError("引用的条文应为条文编号（法#条）或条文名称文字")


@attrs.frozen
class AnalysisAnswer:
    violation: str = ""
    violated: tuple[Citation, ...] = ()
    basis: tuple[Citation, ...] = ()
    evidence: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)  # element id -> evidence ids
    circumstances: tuple[str, ...] = ()
    disposal: str = ""
    amount: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"violation": self.violation, "violated": [c.to_json() for c in self.violated],
                "basis": [c.to_json() for c in self.basis],
                "evidence": {k: list(v) for k, v in sorted(self.evidence.items())},
                "circumstances": list(self.circumstances), "disposal": self.disposal, "amount": self.amount}

    @classmethod
    def from_json(cls, raw: Any) -> AnalysisAnswer:
        """Raises ValueError (Chinese message) for an answer sheet of the wrong shape."""
        if not isinstance(raw, Mapping):
            raise ValueError("分析答卷应为映射")

        def strs(v: Any, what: str) -> tuple[str, ...]:
            if v is None:
                return ()
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise ValueError(f"分析答卷的「{what}」应为文字列表")
            return tuple(v)

        def cites(v: Any, what: str) -> tuple[Citation, ...]:
            if v is None:
                return ()
            if not isinstance(v, list):
                raise ValueError(f"分析答卷的「{what}」应为列表")
            return tuple(Citation.from_json(x) for x in v)

        ev = raw.get("evidence")
        ev = {} if ev is None else ev
        if not isinstance(ev, Mapping):
            raise ValueError("分析答卷的「evidence」应为映射")
        amount = raw.get("amount")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 0):
            raise ValueError("分析答卷的罚款数额应为非负整数")
        violation, disposal = raw.get("violation") or "", raw.get("disposal") or ""
        if not isinstance(violation, str) or not isinstance(disposal, str):
            raise ValueError("分析答卷的案由和处理意见应为文字")
        return cls(violation, cites(raw.get("violated"), "violated"), cites(raw.get("basis"), "basis"),
                   {str(k): strs(v, "evidence") for k, v in ev.items()},
                   strs(raw.get("circumstances"), "circumstances"), disposal, amount)


def own_answer(scenario: Scenario) -> AnalysisAnswer:
    """The answer the case's own data gives (scores 100)."""
    key = answer_key(scenario)
    return AnalysisAnswer(key.violation, tuple(Citation(k) for k in key.violated),
                          tuple(Citation(k) for k in key.basis), {e.id: e.evidence for e in key.elements},
                          key.circumstances or (), key.disposal, key.amount)


# --- scoring --------------------------------------------------------------------------------------------


# What each kind of mistake is called where weak spots are listed (a sheet records its mistake codes as its
# "rules": sim.store.record_sheet, sim.weakspots).
MISTAKE_TITLES: dict[str, str] = {
    "wrong_violation": "案例分析：案由认定错误", "wrong_article": "案例分析：引用了不适用的条文",
    "missing_paragraph": "案例分析：条文未具体到款、项", "wrong_paragraph": "案例分析：款、项引用错误",
    "missing_article": "案例分析：遗漏或引错条文", "unknown_citation": "案例分析：条文写法无法识别",
    "missing_evidence": "案例分析：待证事实缺少证据", "extra_evidence": "案例分析：证据与待证事实不对应",
    "missed_circumstance": "案例分析：遗漏从重从轻情节", "extra_circumstance": "案例分析：认定了本案不存在的情节",
    "wrong_disposal": "案例分析：处理意见错误", "band_exceeded": "案例分析：罚款超出法定幅度",
    "no_amount": "案例分析：未提出罚款数额",
}


@attrs.frozen
class Mistake:
    code: str  # wrong_violation | wrong_article | missing_paragraph | wrong_paragraph | missing_article |
    #            unknown_citation | missing_evidence | extra_evidence | missed_circumstance |
    #            extra_circumstance | wrong_disposal | band_exceeded | no_amount
    element: str  # a WEIGHTS key
    message: str  # Chinese
    articles: tuple[str, ...] = ()  # catalogue keys the mistake is about (weak spots)


@attrs.frozen
class ElementScore:
    id: str
    label: str
    weight: int
    earned: float

    @property
    def full(self) -> bool:
        return self.earned >= self.weight - 1e-9


@attrs.frozen
class AnalysisScore:
    points: int
    elements: tuple[ElementScore, ...]
    mistakes: tuple[Mistake, ...]

    @property
    def missed_articles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a for m in self.mistakes for a in m.articles))

    def to_json(self) -> dict[str, Any]:
        return {"points": self.points,
                "elements": [[e.id, e.weight, round(e.earned, 3)] for e in self.elements],
                "mistakes": [[m.code, m.element, m.message, list(m.articles)] for m in self.mistakes]}


def label_index(articles: Mapping[str, Article]) -> dict[str, str]:
    """Typed citation text -> catalogue key: the label (《消防法》第六十条第一款) and the label without 《》."""
    out: dict[str, str] = {}
    for key, art in articles.items():
        out[art.label] = key
        out[art.label.replace("《", "").replace("》", "")] = key
    return out


def law_index(articles: Mapping[str, Article], laws: Mapping[str, Law] | None = None) -> Any:
    """The documents' law index over the catalogue's laws (full names from `laws` when given)."""
    from .documents import LawIndex, LawInfo

    names = {a.law for a in articles.values()}
    full = {k: v.full for k, v in (laws or {}).items()}
    return LawIndex.build(LawInfo(n, full.get(n, n)) for n in sorted(names))


def parse_typed(text: str, index: Any) -> str | None:
    """A typed citation (《消防法》第六十条第一款, 消防法第60条, 大气法第一百一十九条) as a key in the
    catalogue's form (消防法#60.1), whether or not the catalogue holds that exact entry: so 《消防法》第六十条 is
    read as 消防法#60 and found to lack its 款. None when the text is not one citation of a law the index
    knows."""
    from .documents import parse_citations

    refs = parse_citations(text, index)
    if len(refs) != 1 or refs[0].law is None:
        return None
    return refs[0].key


def read_citations(text: str, index: Any) -> tuple[Citation, ...]:
    """A typed line as the answer keeps it: one typed citation per provision the parser finds (依据《大气法》
    第七十七条、第一百一十九条 gives two), each in the product's own form (《大气污染防治法》第七十七条); a line that
    names no provision of a known law is kept as typed (scored as a citation that cannot be read)."""
    from .documents import parse_citations

    if not text.strip():
        return ()
    refs = [r for r in parse_citations(text, index) if r.law is not None]
    if not refs:
        return (Citation(text=text.strip()),)
    return tuple(dict.fromkeys(Citation(text=r.label()) for r in refs))


def resolve(c: Citation, articles: Mapping[str, Article], index: Mapping[str, str] | None = None,
            laws: Any = None) -> str | None:
    """The catalogue-form key a citation means (None: it cannot be read). `laws` is a `law_index`."""
    if c.key is not None:
        return c.key if c.key in articles else None
    text = re.sub(r"\s+", "", c.text or "")
    found = (index if index is not None else label_index(articles)).get(text.replace("中华人民共和国", ""))
    return found or parse_typed(text, laws if laws is not None else law_index(articles))


def _label(articles: Mapping[str, Article], key: str) -> str:
    art = articles.get(key)
    if art is not None:
        return art.label + art.caveat
    law, _, number = key.partition("#")
    return Article(law, number, "", Status.P).label if re.fullmatch(r"\d+(\.\d+)*", number) else key


def _score_citations(element: str, expected: Sequence[str], given: Sequence[Citation],
                     articles: Mapping[str, Article], index: Mapping[str, str], laws: Any) -> tuple[
        float, list[Mistake]]:
    mistakes: list[Mistake] = []
    keys: list[str] = []
    for c in given:
        k = resolve(c, articles, index, laws)
        if k is None:
            mistakes.append(Mistake("unknown_citation", element,
                                    f"无法识别的条文「{c.text or c.key}」（应写明法律简称和条、款、项）"))
        elif k not in keys:
            keys.append(k)
    exp = set(expected)
    matched = exp & set(keys)
    for e in sorted(exp - matched):
        law, _, number = e.partition("#")
        base = number.split(".")[0]
        near = [k for k in keys if k not in exp and k.partition("#")[0] == law
                and k.partition("#")[2].split(".")[0] == base]
        if any(number.startswith(k.partition("#")[2] + ".") for k in near):
            mistakes.append(Mistake("missing_paragraph", element,
                                    f"条文未具体到款、项：应为{_label(articles, e)}", (e,)))
        elif near:
            mistakes.append(Mistake("wrong_paragraph", element,
                                    f"款、项引用错误：写成{_label(articles, near[0])}，应为{_label(articles, e)}",
                                    (e,)))
        else:
            mistakes.append(Mistake("missing_article", element, f"遗漏或引错条文：应为{_label(articles, e)}", (e,)))
        keys = [k for k in keys if k not in near]
    for k in keys:
        if k not in exp:
            mistakes.append(Mistake("wrong_article", element, f"引用了不适用的条文{_label(articles, k)}", (k,)))
    wrong = sum(1 for k in keys if k not in exp) + sum(1 for m in mistakes if m.code == "unknown_citation")
    denom = len(exp) + wrong
    return (len(matched) / denom if denom else 1.0), mistakes


def _f1(expected: set[str], given: set[str]) -> float:
    if not expected and not given:
        return 1.0
    hit = len(expected & given)
    return 2 * hit / (len(expected) + len(given)) if hit else 0.0


def score_analysis(scenario: Scenario, answer: AnalysisAnswer, articles: Mapping[str, Article],
                   laws: Mapping[str, Law] | None = None) -> AnalysisScore:
    """Score one answer sheet against the case (points 0-100, rounded half up; element by element). `laws`
    (the library's) lets typed citations use a law's full name."""
    key = answer_key(scenario)
    index = label_index(articles)
    lindex = law_index(articles, laws)
    ev_labels = {e.id: e.label for e in scenario.evidence}
    earned: dict[str, float] = {}
    mistakes: list[Mistake] = []

    earned["violation"] = 1.0 if answer.violation.strip() == key.violation else 0.0
    if not earned["violation"]:
        mistakes.append(Mistake("wrong_violation", "violation", f"案由认定错误：应为「{key.violation}」",
                                key.violated or key.basis))
    if key.violated:
        earned["violated"], ms = _score_citations("violated", key.violated, answer.violated, articles, index, lindex)
        mistakes += ms
    if key.basis:
        earned["basis"], ms = _score_citations("basis", key.basis, answer.basis, articles, index, lindex)
        mistakes += ms
    if key.elements:
        parts = []
        for el in key.elements:
            got = set(answer.evidence.get(el.id, ()))
            exp = set(el.evidence)
            parts.append(_f1(exp, got))
            for x in sorted(exp - got):
                mistakes.append(Mistake("missing_evidence", "evidence",
                                        f"「{el.label}」缺少证据：{ev_labels.get(x, x)}"))
            for x in sorted(got - exp):
                mistakes.append(Mistake("extra_evidence", "evidence",
                                        f"「{ev_labels.get(x, x)}」不能证明「{el.label}」"))
        earned["evidence"] = sum(parts) / len(parts)
    if key.circumstances is not None:
        exp_c, got_c = set(key.circumstances), set(answer.circumstances)
        earned["circumstances"] = _f1(exp_c, got_c)
        for c in sorted(exp_c - got_c):
            mistakes.append(Mistake("missed_circumstance", "circumstances",
                                    f"未认定情节：{CIRCUMSTANCES[c][0]}（{CIRCUMSTANCES[c][1]}）"))
        for c in sorted(got_c - exp_c):
            label = CIRCUMSTANCES.get(c, (c, ""))[0]
            mistakes.append(Mistake("extra_circumstance", "circumstances", f"本案不存在的情节：{label}"))
    disposal = 0.0
    if answer.disposal == key.disposal:
        disposal = 0.5
        if key.band is None:
            disposal = 1.0
        elif answer.amount is None:
            mistakes.append(Mistake("no_amount", "disposal", "未提出罚款数额", key.basis))
        elif key.band[0] <= answer.amount <= key.band[1]:
            disposal = 1.0
        else:
            lo, hi = key.band
            mistakes.append(Mistake("band_exceeded", "disposal",
                                    f"罚款{answer.amount}元超出法定幅度（{lo}元至{hi}元）", key.basis))
    else:
        mistakes.append(Mistake("wrong_disposal", "disposal",
                                f"处理意见错误：应为「{DISPOSALS[key.disposal]}」", key.basis))
    earned["disposal"] = disposal
    elements = tuple(ElementScore(k, ELEMENT_LABELS[k], WEIGHTS[k], WEIGHTS[k] * v) for k, v in earned.items())
    total = sum(e.weight for e in elements)
    got = sum(e.earned for e in elements)
    points = int(got * 100 / total + 0.5 + 1e-9) if total else 0
    return AnalysisScore(points, elements, tuple(mistakes))


# --- what the trainee chooses from ----------------------------------------------------------------------


def violation_options(scenarios: Iterable[Scenario]) -> tuple[str, ...]:
    """Every violation named in the library (the trainee picks one), sorted."""
    return tuple(sorted({violation_name(s) for s in scenarios}))


def article_options(articles: Mapping[str, Article]) -> tuple[Article, ...]:
    """The catalogue a citation is picked from: every article, laws first, then by number."""

    def order(a: Article) -> tuple[str, tuple[int, ...]]:
        return a.law, tuple(int(p) for p in a.number.split("."))

    return tuple(sorted(articles.values(), key=order))
