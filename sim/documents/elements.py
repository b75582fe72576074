"""The other elements of a drafted document: the party, an address, a date, a period (十五日内, 六十日内, 六个月内)
and the body a remedy goes to (the reconsideration organ, the court). Pure functions; never raise."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

import attrs

from .citation import Problem
from .numerals import FULLWIDTH, NUMERAL_CHARS, chinese, read_number

_LIMIT = 5000
_PUNCT = " \t\r\n，,。.；;：:、（）()《》“”\"'·-—"


def _squash(text: str) -> str:
    """Text without spaces and punctuation (addresses are compared this way)."""
    return "".join(ch for ch in text[:_LIMIT].translate(FULLWIDTH) if ch not in _PUNCT)


# --- party and address ---------------------------------------------------------------------------------------

_NAME_END = set(_PUNCT) | {"男", "女", "住", "地", "身", "系", "现", "法", "统", "公", "户"}


def check_party(text: str, name: str, address: str = "") -> list[Problem]:
    """The party's name (and address, when the case has one) as the document states it. A name inside a longer
    name does not count: 李某某 is not 李某. Codes: none, wrong_name, address_missing."""
    if not isinstance(text, str) or not text.strip():
        return [Problem("none", "未写明当事人")]
    if not name:
        return []
    t = text[:_LIMIT]
    found = False
    for m in re.finditer(re.escape(name), t):
        before = t[m.start() - 1] if m.start() else ""
        after = t[m.end()] if m.end() < len(t) else ""
        ok_before = not before or before in _PUNCT or t[: m.start()].endswith(("当事人", "被处罚人", "受送达人", "姓名", "名称"))
        ok_after = not after or after in _NAME_END or (address and _squash(t[m.end():]).startswith(_squash(address)[:2]))
        if ok_before and ok_after:
            found = True
            break
    problems: list[Problem] = []
    if not found:
        problems.append(Problem("wrong_name", f"当事人姓名或者名称与案件当事人「{name}」不一致"))
    if address:
        problems.extend(check_address(text, address))
    return problems


def check_address(text: str, address: str) -> list[Problem]:
    """The address must be written as the case records it (spaces and punctuation aside). Codes: none, wrong."""
    if not isinstance(text, str) or not text.strip():
        return [Problem("none", "未写明地址")]
    if not address or _squash(address) in _squash(text):
        return []
    return [Problem("address_missing", f"未写明或写错当事人地址（应为「{address}」）")]


# --- dates -----------------------------------------------------------------------------------------------------

_CN_NUM = f"[{NUMERAL_CHARS}]"
_DATE = re.compile(
    rf"(?P<y>[0-9０-９]{{4}}|[零〇○一二三四五六七八九]{{4}})\s*[年\-/.．]\s*(?P<m>{_CN_NUM}{{1,3}})\s*[月\-/.．]\s*"
    rf"(?P<d>{_CN_NUM}{{1,3}})\s*(?:日|号)?"
)


def read_dates(text: str) -> list[dt.date]:
    """2026年6月12日, 二〇二六年六月十二日, 2026-06-12, 2026.6.12, 2026/6/12."""
    if not isinstance(text, str):
        return []
    out: list[dt.date] = []
    for m in _DATE.finditer(text[:_LIMIT]):
        y, mo, d = (read_number(m.group(k)) for k in ("y", "m", "d"))
        if y is None or mo is None or d is None:
            continue
        try:
            out.append(dt.date(y, mo, d))
        except ValueError:
            continue
    return out


def date_text(d: dt.date) -> str:
    """2026年6月12日 (the canonical form)."""
    return f"{d.year}年{d.month}月{d.day}日"


def check_date(text: str, expected: dt.date | None) -> list[Problem]:
    """Codes: none (no date), mismatch."""
    dates = read_dates(text)
    if not dates:
        return [Problem("none", "未写明日期（如：2026年6月12日）")]
    if expected is not None and expected not in dates:
        wrote = "、".join(date_text(d) for d in dict.fromkeys(dates))
        return [Problem("mismatch", f"写明的日期{wrote}与实际日期{date_text(expected)}不一致")]
    return []


# --- periods ---------------------------------------------------------------------------------------------------


@attrs.frozen
class Span:
    """A period as a document states it: 15 days, 6 months, 5 working days."""

    length: int
    unit: str  # days | working_days | months | years

    def text(self) -> str:
        names = {"days": "日", "working_days": "个工作日", "months": "个月", "years": "年"}
        return f"{chinese(self.length)}{names[self.unit]}"


_PERIOD = re.compile(
    rf"(?P<n>{_CN_NUM}{{1,6}})\s*(?P<u>个工作日|工作日|个月|月|日|天|年)\s*(?:内|以内|之内|期限|期间)?"
)
_UNITS = {"个工作日": "working_days", "工作日": "working_days", "个月": "months", "月": "months", "日": "days",
          "天": "days", "年": "years"}


def read_periods(text: str) -> list[Span]:
    """十五日内 -> 15 days; 60天内 -> 60 days; 六个月内 -> 6 months; 五个工作日内 -> 5 working days. A date
    (2026年6月12日) is not a period."""
    if not isinstance(text, str):
        return []
    t = text[:_LIMIT]
    spans = [(m.start(), m.end()) for m in _DATE.finditer(t)]
    out: list[Span] = []
    for m in _PERIOD.finditer(t):
        if any(a <= m.start() < b for a, b in spans):
            continue
        unit = _UNITS[m.group("u")]
        if unit == "months" and m.group("u") == "月" and not m.group(0).endswith(("内", "以内", "之内")):
            continue  # 6月 alone is a month of the year, not a period
        if unit == "years" and not m.group(0).endswith(("内", "以内", "之内")):
            continue  # 2026年 is a year
        n = read_number(m.group("n"))
        if n is None or n <= 0 or n > 10_000:
            continue
        out.append(Span(n, unit))
    return out


def check_period(text: str, expected: Sequence[Span]) -> list[Problem]:
    """Every expected period must be stated; a stated period of the same unit with another length is named.
    Codes: none, wrong."""
    got = read_periods(text)
    if not got:
        return [Problem("none", "未写明期限（如：十五日内）")]
    problems: list[Problem] = []
    for want in expected:
        if want in got:
            continue
        near = [g for g in got if g.unit == want.unit or {g.unit, want.unit} <= {"days", "working_days"}]
        if near:
            problems.append(Problem("wrong", f"写明的期限「{near[0].text()}」不正确，应为{want.text()}"))
        else:
            problems.append(Problem("wrong", f"未写明{want.text()}的期限"))
    return problems


# --- bodies (where a remedy goes, who receives a referral) -------------------------------------------------------

BODY_LABELS = {
    "county_gov": "县级人民政府",
    "city_gov": "设区的市级人民政府",
    "department": "政府工作部门",
    "township": "乡镇人民政府",
    "basic_court": "基层人民法院",
    "intermediate_court": "中级人民法院",
    "court": "人民法院",
    "police": "公安机关",
    "procuratorate": "人民检察院",
    "market": "市场监督管理部门",
}
_BODIES: tuple[tuple[str, str], ...] = (
    ("intermediate_court", r"中级人民法院|中院"),
    ("basic_court", r"(?:县|区|县级|基层|市)人民法院"),
    ("court", r"人民法院|法院"),
    ("procuratorate", r"人民检察院|检察院"),
    ("police", r"公安局|公安分局|派出所|公安机关"),
    ("market", r"市场监督管理局|市场监管局|市场监督管理部门|市场监管部门"),
    ("township", r"(?:镇|乡|街道)人民政府|街道办事处"),
    ("county_gov", r"(?:县|区|县级|县级市)人民政府|县政府"),
    ("city_gov", r"市人民政府|市政府"),
    ("department", r"[\u4e00-\u9fff]{1,10}(?:局|委员会|厅|部门)"),
)


def read_bodies(text: str) -> list[str]:
    """The kinds of body a text names, in order: 向南阳市宛城区人民政府申请 -> county_gov; 县人民法院 -> basic_court;
    市中级人民法院 -> intermediate_court; 县农业农村局 -> department."""
    if not isinstance(text, str):
        return []
    t = text[:_LIMIT]
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _BODIES:
        for m in re.finditer(pattern, t):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), kind))
    return [k for _, k in sorted(found)]


def check_body(text: str, expected: Iterable[str]) -> list[Problem]:
    """The body must be of one of the expected kinds (a basic court also satisfies "court"). Codes: none, wrong."""
    want = tuple(expected)
    got = read_bodies(text)
    label = "或".join(BODY_LABELS.get(w, w) for w in want)
    if not got:
        return [Problem("none", f"未写明受理机关（应为{label}）")]
    if any(g in want or (g == "basic_court" and "court" in want) for g in got):
        return []
    return [Problem("wrong", f"写明的机关（{BODY_LABELS.get(got[0], got[0])}）不正确，应为{label}")]


# --- remedies: body and period together --------------------------------------------------------------------------

RECONSIDERATION = Span(60, "days")  # 行政复议法 第二十条
LITIGATION = Span(6, "months")  # 行政诉讼法 第四十六条
PAYMENT = Span(15, "days")  # 行政处罚法 第六十七条


def check_remedy(text: str, *, review_body: Sequence[str] = ("county_gov",), court: Sequence[str] = ("basic_court",),
                 litigation: bool = True) -> list[Problem]:
    """A remedy clause: 可在六十日内向县人民政府申请行政复议，或者在六个月内向县人民法院提起行政诉讼. The part about
    复议 must name the reconsideration organ and 60 days (《行政复议法》第二十条); the part about 诉讼 the court
    and six months (《行政诉讼法》第四十六条). Codes: none, no_review, no_litigation, wrong (body or period)."""
    if not isinstance(text, str) or not text.strip():
        return [Problem("none", "未写明申请行政复议或者提起行政诉讼的途径和期限")]
    clauses = [c for c in re.split(r"[，,；;。]|或者|或", text[:_LIMIT]) if c.strip()]
    review_part = "".join(c for c in clauses if "复议" in c)
    suit_part = "".join(c for c in clauses if ("诉讼" in c or "起诉" in c) and "复议" not in c)
    problems: list[Problem] = []
    if not review_part:
        problems.append(Problem("no_review", "未告知申请行政复议的途径和期限"))
    if litigation and not suit_part:
        problems.append(Problem("no_litigation", "未告知提起行政诉讼的途径和期限"))
    if review_part:
        problems += check_period(review_part, [RECONSIDERATION])
        problems += check_body(review_part, review_body)
    if litigation and suit_part:
        problems += check_period(suit_part, [LITIGATION])
        problems += check_body(suit_part, court)
    return [attrs.evolve(p, code="wrong" if p.code == "none" else p.code) for p in problems]
