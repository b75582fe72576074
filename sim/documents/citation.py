"""Legal citations as officers write them, read into normalised article references and checked against what a
case requires.

《中华人民共和国大气污染防治法》第一百一十九条第一款, 《大气法》第119条第1款, 依据《公路法》第四十六条、第七十七条和
《河南省农村公路条例》第五十五条, 第六十条第一款第（五）项 — Chinese or Arabic numerals, 条/款/项/目, several laws in
one field (a bare 第N条 belongs to the law named last before it). Law names are resolved through a `LawIndex`
built from the law catalogue: the catalogue's short and full names and the abbreviations derived from them
(大气法, 处罚法, 行诉法 …); an abbreviation two laws share is dropped rather than guessed.

A reference's key has the law catalogue's form: ``大气污染防治法#119.1`` (article 119, paragraph 1),
``行政强制法#18.1.3`` (paragraph 1, item 3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import attrs

from .numerals import NUMERAL_CHARS, chinese, read_number

# --- the law index -------------------------------------------------------------------------------------------


@attrs.frozen
class LawInfo:
    short: str  # the catalogue's name: 大气污染防治法
    full: str  # 中华人民共和国大气污染防治法
    size: int | None = None  # number of articles of the version in force (None: not recorded)


_PREFIXES = ("中华人民共和国", "河南省", "最高人民法院关于适用")
_GENERIC = ("行政",)  # 行政处罚法 -> 处罚法, 行政执法条例 -> 执法条例


def _strip_notes(name: str) -> str:
    """Drop a parenthetical note: 无证无照经营查处办法（国务院令第684号） -> 无证无照经营查处办法."""
    return re.sub(r"[（(][^）)]*[）)]", "", name).strip()


def derived_aliases(short: str, full: str) -> set[str]:
    """The names and abbreviations a law goes by, derived from its catalogue names.

    大气污染防治法 -> 大气法; 行政处罚法 -> 处罚法, 行处法; 民事诉讼法 -> 民诉法; 行政诉讼法 -> 行诉法;
    河南省农村公路条例 -> 农村公路条例; 中华人民共和国X -> X. Ambiguity between laws is resolved by LawIndex."""
    names = {short, full, _strip_notes(full), _strip_notes(short)}
    out = set(names)
    for n in names:
        for p in _PREFIXES:
            if n.startswith(p) and len(n) > len(p) + 1:
                out.add(n[len(p):])
    for n in list(out):
        for suffix in ("法", "条例", "办法", "规定"):
            if not n.endswith(suffix):
                continue
            stem = n[: -len(suffix)]
            for g in _GENERIC:
                if stem.startswith(g) and len(stem) > len(g) + 1:
                    out.add(stem[len(g):] + suffix)  # 行政处罚法 -> 处罚法
            if suffix == "法" and len(stem) >= 4 and len(stem) % 2 == 0:
                words = [stem[i:i + 2] for i in range(0, len(stem), 2)]
                if len(words) >= 3:
                    out.add(words[0] + "法")  # 大气污染防治法 -> 大气法
                out.add("".join(w[0] for w in words) + "法")  # 民事诉讼法 -> 民诉法, 土地管理法 -> 土管法
    return {a for a in out if len(a) >= 2}


@attrs.frozen
class LawIndex:
    """Which law a name in a citation means, and how many articles each law has."""

    laws: Mapping[str, LawInfo]
    aliases: Mapping[str, str]  # alias -> short name

    @classmethod
    def build(cls, laws: Iterable[LawInfo]) -> LawIndex:
        infos = {law.short: law for law in laws}
        claims: dict[str, set[str]] = {}
        exact: dict[str, str] = {}
        for law in infos.values():
            exact[law.short] = law.short
            exact[law.full] = law.short
            exact[_strip_notes(law.full)] = law.short
            for a in derived_aliases(law.short, law.full):
                claims.setdefault(a, set()).add(law.short)
        aliases = {a: next(iter(owners)) for a, owners in claims.items() if len(owners) == 1}
        aliases.update(exact)  # a law's own name always wins over another law's abbreviation
        return cls(infos, aliases)

    def resolve(self, name: str) -> str | None:
        """The short name of the law `name` means, or None. Leading words are ignored for an unbracketed name
        (依据大气法 -> 大气污染防治法): the longest alias the name ends with wins."""
        n = _strip_notes(name.strip())
        if n in self.aliases:
            return self.aliases[n]
        for i in range(1, len(n) - 1):
            if n[i:] in self.aliases:
                return self.aliases[n[i:]]
        return None

    def full_name(self, short: str) -> str:
        info = self.laws.get(short)
        return info.full if info is not None else short


# --- references ----------------------------------------------------------------------------------------------


@attrs.frozen
class Ref:
    """One normalised provision: law (catalogue short name, or None when the text names none), article,
    paragraph (款), item (项), sub-item (目). `sub` is the 之N of an inserted article (第二十条之一)."""

    law: str | None
    article: int
    para: int | None = None
    item: int | None = None
    subitem: int | None = None
    sub: int | None = None
    name: str = attrs.field(default="", eq=False)  # the law's name as written (for messages)

    @property
    def key(self) -> str:
        """The law catalogue's key: 大气污染防治法#119.1 (an item without a paragraph counts as paragraph 1)."""
        parts = [str(self.article)]
        if self.para is not None or self.item is not None:
            parts.append(str(self.para or 1))
        if self.item is not None:
            parts.append(str(self.item))
            if self.subitem is not None:
                parts.append(str(self.subitem))
        return f"{self.law or ''}#{'.'.join(parts)}"

    def provision(self) -> str:
        """第一百一十九条第一款 (the part after the law's name)."""
        text = f"第{chinese(self.article)}条"
        if self.sub:
            text += f"之{chinese(self.sub)}"
        if self.para is not None:
            text += f"第{chinese(self.para)}款"
        if self.item is not None:
            text += f"第{chinese(self.item)}项"
        if self.subitem is not None:
            text += f"第{chinese(self.subitem)}目"
        return text

    def label(self) -> str:
        """《行政处罚法》第四十四条: the short name, as the product's citations read."""
        law = self.law or self.name
        return (f"《{law}》" if law else "") + self.provision()

    def canonical(self, index: LawIndex) -> str:
        """《中华人民共和国大气污染防治法》第一百一十九条第一款: the form a decision is written in."""
        return f"《{index.full_name(self.law)}》{self.provision()}" if self.law else self.provision()


def ref_from_key(key: str) -> Ref:
    """大气污染防治法#119.1 -> Ref. Raises ValueError for a key that is not of that form."""
    law, sep, num = key.partition("#")
    parts = num.split(".")
    if not sep or not law or not all(p.isdigit() for p in parts) or not 1 <= len(parts) <= 4:
        raise ValueError(f"not a catalogue key: {key!r}")
    n = [int(p) for p in parts] + [None] * (4 - len(parts))
    return Ref(law, n[0], n[1], n[2], n[3])  # type: ignore[arg-type]


_NUM = f"[{NUMERAL_CHARS}]{{1,12}}"
_BRACKET_LAW = r"《(?P<blaw>[^》《]{1,80})》(?:[（(][^）)]{0,40}[）)])?"
# An unbracketed law name: a run of CJK characters ending in a law-type word, directly before 第.
_BARE_LAW = r"(?P<law>[\u4e00-\u9fff]{1,40}?(?:法|条例|办法|规定|解释|细则|决定))"
_PROVISION = (
    rf"第(?P<art>{_NUM})条(?:之(?P<sub>{_NUM}))?"
    rf"(?P<rest>(?:[、，,和及与或以\s]*(?:第{_NUM}[款项目]|第?[（(]{_NUM}[）)](?:项)?))*)"
)
_CITE = re.compile(rf"(?:{_BRACKET_LAW}|{_BARE_LAW})?\s*(?:的)?\s*{_PROVISION}")
_PART = re.compile(rf"[、，,和及与或以\s]*(?:第(?P<n>{_NUM})(?P<u>[款项目])|第?[（(](?P<b>{_NUM})[）)](?:项)?)")
_LIMIT = 5000  # characters read from one field


def parse_citations(text: str, index: LawIndex) -> list[Ref]:
    """Every provision cited in `text`, in order. 第七十七条、第一百一十九条第一款 gives two references; so does
    第一百一十九条第一款、第二款 (one article, two paragraphs). Never raises."""
    if not isinstance(text, str):
        return []
    out: list[Ref] = []
    current: str | None = None  # the law a bare 第N条 belongs to
    current_name = ""
    for m in _CITE.finditer(text[:_LIMIT]):
        name = m.group("blaw") or m.group("law")
        if name:
            law = index.resolve(name)
            if law is None and m.group("law") and not m.group("blaw"):
                # an unbracketed run that names no known law (依据第…, 违反本…): keep the current law
                law, name = current, current_name
            current, current_name = law, _strip_notes(name) if law is None else name
        art = read_number(m.group("art"))
        if art is None or art <= 0:
            continue
        sub = read_number(m.group("sub")) if m.group("sub") else None
        base = Ref(current, art, sub=sub, name=current_name)
        refs = _parts(base, m.group("rest") or "")
        out.extend(refs)
    return out


def _parts(base: Ref, rest: str) -> list[Ref]:
    """The 款/项/目 written after one article: 第一款第（三）项, or a list 第一款、第二款."""
    refs: list[Ref] = []
    cur = base
    for m in _PART.finditer(rest):
        n = read_number(m.group("n") or m.group("b"))
        if n is None or n <= 0:
            continue
        unit = m.group("u") or "项"
        if unit == "款":
            if cur.para is not None or cur.item is not None:
                refs.append(cur)
                cur = attrs.evolve(base, para=n)
            else:
                cur = attrs.evolve(cur, para=n)
        elif unit == "项":
            if cur.item is not None:
                refs.append(cur)
                cur = attrs.evolve(cur, item=n, subitem=None)
            else:
                cur = attrs.evolve(cur, item=n)
        else:
            if cur.subitem is not None:
                refs.append(cur)
            cur = attrs.evolve(cur, subitem=n)
    refs.append(cur)
    return refs


# --- checking against the case ------------------------------------------------------------------------------


@attrs.frozen
class Problem:
    """One thing wrong with a drafted element: a code for programs, a sentence for the trainee."""

    code: str
    text: str


def check_citations(text: str, required: Sequence[str], index: LawIndex) -> list[Problem]:
    """What is wrong with the citations in `text`, given the catalogue keys the case requires (the violated
    provision and the penalty provision). Codes: none (no citation at all), unknown_law, no_law,
    nonexistent, missing, wrong_article, para_missing, wrong_para, item_missing, wrong_item."""
    refs = parse_citations(text, index)
    problems: list[Problem] = []
    if not refs:
        return [Problem("none", "未写明法律依据的具体条文（应写明法律名称和第几条、第几款、第几项）")]
    for r in refs:
        if r.law is None:
            if r.name:
                problems.append(Problem("unknown_law", f"《{r.name}》不是可以识别的法律、法规名称"))
            else:
                problems.append(Problem("no_law", f"{r.provision()}未写明是哪部法律、法规的条文"))
            continue
        size = index.laws[r.law].size if r.law in index.laws else None
        if size is not None and r.article > size:
            problems.append(Problem(
                "nonexistent", f"《{r.law}》共{chinese(size)}条，没有{r.provision()}"))
    wants: list[Ref] = []
    for key in required:
        try:
            wants.append(ref_from_key(key))
        except ValueError:
            continue
    for want in wants:
        same_law = [r for r in refs if r.law == want.law]
        same_art = [r for r in same_law if r.article == want.article]
        need = want.label()
        if not same_art:
            others = [r for r in same_law if not _exists_problem(r, index)
                      and not any(w.law == r.law and w.article == r.article for w in wants)]
            if others:
                wrote = "、".join(dict.fromkeys(r.provision() for r in others))
                problems.append(Problem("wrong_article", f"引用了《{want.law}》{wrote}，应为{need}"))
            else:
                problems.append(Problem("missing", f"未引用{need}"))
            continue
        if any(_covers(r, want) for r in same_art):
            continue
        r = same_art[0]
        if want.para is not None and r.para is None and r.item is None:
            problems.append(Problem("para_missing", f"{r.label()}未写明第{chinese(want.para)}款，应为{need}"))
        elif want.para is not None and (r.para or 1) != want.para:
            problems.append(Problem("wrong_para", f"引用了{r.label()}，款错误，应为{need}"))
        elif want.item is not None and r.item is None:
            problems.append(Problem("item_missing", f"{r.label()}未写明第{chinese(want.item)}项，应为{need}"))
        elif want.item is not None and r.item != want.item:
            problems.append(Problem("wrong_item", f"引用了{r.label()}，项错误，应为{need}"))
        elif want.subitem is not None:
            problems.append(Problem("wrong_item", f"引用了{r.label()}，目不准确，应为{need}"))
    return problems


def _exists_problem(r: Ref, index: LawIndex) -> bool:
    size = index.laws[r.law].size if r.law in index.laws else None
    return size is not None and r.article > size


def _covers(r: Ref, want: Ref) -> bool:
    """Whether written reference `r` cites required provision `want` precisely enough: every level the case
    requires is written and equal (a 项 written without its 款 is read as paragraph 1: 第十八条第三项)."""
    if r.article != want.article or (r.sub or None) != (want.sub or None):
        return False
    if want.para is not None:
        para = r.para if r.para is not None else (1 if r.item is not None else None)
        if para != want.para:
            return False
    if want.item is not None and r.item != want.item:
        return False
    return not (want.subitem is not None and r.subitem != want.subitem)


def same_provisions(a: str, b: str, index: LawIndex) -> bool:
    """Whether two drafted texts cite the same set of provisions (the notice's and the decision's basis)."""
    return {r.key for r in parse_citations(a, index)} == {r.key for r in parse_citations(b, index)}
