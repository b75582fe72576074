"""Amounts of money as written in a notice or a decision: 800元, 800.00元, 捌佰元整, 人民币八百元, ￥800, 5万元,
1.5万元, 罚款人民币壹仟零伍拾圆. Read into Decimal yuan; never raises."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .citation import Problem
from .numerals import DIGITS, FULLWIDTH, NUMERAL_CHARS, chinese, read_number

_CN = f"[{''.join(DIGITS)}十拾百佰千仟万萬亿億]"
_AMOUNT = re.compile(
    r"(?P<cur>人民币|￥|¥|RMB)?\s*"
    rf"(?:(?P<ar>[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]{{1,2}})?)\s*(?P<big>[万萬])?|(?P<cn>{_CN}{{1,30}}))"
    r"\s*(?P<unit>元|圆)?(?:(?P<jiao>" + _CN + r")角)?(?:(?P<fen>" + _CN + r")分)?(?P<zheng>整|正)?"
)
_LIMIT = 5000


def read_amounts(text: str) -> list[Decimal]:
    """Every sum of money in `text`, in yuan. A number counts as money when it is followed by 元/圆 or
    preceded by 人民币/￥ — 3亩, 15日 and 第119条 are not money."""
    if not isinstance(text, str):
        return []
    out: list[Decimal] = []
    for m in _AMOUNT.finditer(text[:_LIMIT]):
        if not (m.group("unit") or m.group("cur")):
            continue
        value = _value(m)
        if value is not None:
            out.append(value)
    return out


def _value(m: re.Match[str]) -> Decimal | None:
    try:
        if m.group("ar"):
            raw = m.group("ar").translate(FULLWIDTH).replace(",", "").replace("，", "")
            if raw.count(".") > 1 or raw.startswith("."):
                return None
            v = Decimal(raw)
            if m.group("big"):
                v *= 10_000
        else:
            n = read_number(m.group("cn"))
            if n is None:
                return None
            v = Decimal(n)
    except (InvalidOperation, ValueError):
        return None
    for part, scale in (("jiao", Decimal("0.1")), ("fen", Decimal("0.01"))):
        if m.group(part):
            n = read_number(m.group(part))
            if n is None or n > 9:
                return None
            v += n * scale
    return v


def amount_text(value: int | Decimal, *, financial: bool = True) -> str:
    """The canonical written form of a whole-yuan amount: 捌佰元整 (financial) or 800元."""
    n = int(value)
    return f"{chinese(n, financial=True)}元整" if financial else f"{n}元"


def yuan(value: int | float | Decimal) -> str:
    """800 -> 800元; 800.5 -> 800.50元 (for messages)."""
    d = Decimal(str(value))
    return f"{d:.2f}元" if d != d.to_integral_value() else f"{int(d)}元"


def check_amount(text: str, expected: int | float | Decimal | None) -> list[Problem]:
    """What is wrong with the sums in `text` given the amount the act decides. Codes: none (no sum written),
    mismatch (a sum differs from the act's amount)."""
    amounts = read_amounts(text)
    if not amounts:
        return [Problem("none", "未写明罚款数额（如：罚款人民币捌佰元整）")]
    if expected is None:
        return []
    want = Decimal(str(expected))
    wrong = [a for a in dict.fromkeys(amounts) if a != want]
    if wrong:
        wrote = "、".join(yuan(a) for a in wrong)
        return [Problem("mismatch", f"写明的数额{wrote}与作出的罚款数额{yuan(want)}不一致")]
    return []


__all__ = ["read_amounts", "amount_text", "check_amount", "yuan", "NUMERAL_CHARS"]
