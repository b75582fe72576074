"""Chinese numerals as officers write them: 一百一十九, 十五, 两万, 二〇二六, and the financial capitals of amounts
(壹仟零伍拾). Reading never raises: anything that is not a numeral reads as None."""

from __future__ import annotations

DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
    "九": 9,
    # financial capitals (大写数字), as amounts are written on a decision and a receipt
    "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6, "柒": 7, "捌": 8, "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
FULLWIDTH = str.maketrans("０１２３４５６７８９，．", "0123456789,.")

# Characters a Chinese or Arabic numeral may be made of (for regular expressions elsewhere).
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS) + "0123456789０１２３４５６７８９"

_LOWER = "零一二三四五六七八九"
_UPPER = "零壹贰叁肆伍陆柒捌玖"


def read_number(text: str) -> int | None:
    """一百一十九 -> 119, 119 -> 119, 十五 -> 15, 两万 -> 20000, 二〇二六 -> 2026 (digit by digit), 捌佰 -> 800.

    Arabic digits may carry thousands separators (1,200) and be followed by 万 (5万 -> 50000). Returns None
    for anything that is not one well-formed number."""
    if not isinstance(text, str):
        return None
    s = text.strip().translate(FULLWIDTH).replace(",", "")
    if not s or len(s) > 40:
        return None
    if s.isascii():
        return int(s) if s.isdigit() else None
    # Arabic digits followed by a big unit: 5万, 12万 (a decimal such as 1.5万 is read by read_decimal)
    head = s.rstrip("万萬亿億")
    if head and head.isascii() and head.isdigit() and len(s) - len(head) == 1:
        return int(head) * BIG_UNITS[s[-1]]
    if any(ch not in DIGITS and ch not in SMALL_UNITS and ch not in BIG_UNITS for ch in s):
        return None
    if all(ch in DIGITS for ch in s):  # 二〇二六: a year or a serial number read digit by digit
        return int("".join(str(DIGITS[ch]) for ch in s)) if len(s) > 1 or s in DIGITS else None
    return _read_positional(s)


def _read_positional(s: str) -> int | None:
    total = 0  # the 亿 part
    section = 0  # the 万 part below 亿
    group = 0  # the part below 万 being built
    digit: int | None = None
    last_small = 10_000  # units fall within a group in descending order: 三千五百, never 五百三千
    last_big = 10**12
    zero = False  # a 零 was written since the last unit (一千零五: the 五 is units, not hundreds)
    for ch in s:
        if ch in DIGITS:
            d = DIGITS[ch]
            if digit is not None:
                return None  # two digits without a unit between them: 一二十, 一零
            if d == 0:
                zero = True
                continue
            digit = d
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if unit >= last_small:
                return None
            if digit is None:
                if unit != 10 or (group and not zero):
                    return None  # 百/千 need a digit; a bare 十 only heads a group (十五, 一千零十)
                digit = 1
            group += digit * unit
            digit, last_small, zero = None, unit, False
        else:
            big = BIG_UNITS[ch]
            value = group + (digit or 0)
            if big >= last_big or value == 0:
                return None
            if big == 100_000_000:
                total = (section + value) * big
                section = 0
            else:
                section = value * big
            group, digit, last_small, last_big, zero = 0, None, 10_000, big, False
    if digit is not None and not zero:
        # 三百五 (= 350) and 一万五 (= 15000) are colloquial: a trailing digit takes the next lower unit
        if group:
            digit *= last_small // 10
        elif last_big < 10**12:
            digit *= last_big // 10
    return total + section + group + (digit or 0)


def chinese(n: int, *, financial: bool = False) -> str:
    """119 -> 一百一十九 (citations: 第一百一十九条); financial=True -> 壹佰壹拾玖 (amounts on a decision).

    The canonical form: 十五 (not 一十五) at the head, 一百一十九 inside, 一千零五, 十万零三."""
    if n < 0:
        raise ValueError("negative")
    digits = _UPPER if financial else _LOWER
    units = ("", "拾", "佰", "仟") if financial else ("", "十", "百", "千")
    wan, yi = ("万", "亿")
    if n == 0:
        return digits[0]

    def below_10000(v: int, leading: bool) -> str:
        out = ""
        zero = False
        for power in (3, 2, 1, 0):
            d = v // 10**power % 10
            if d == 0:
                if out:
                    zero = True
                continue
            if zero:
                out += digits[0]
                zero = False
            if power == 1 and d == 1 and not out and leading and not financial:
                out += units[1]  # 十五, not 一十五, at the head of the number
            else:
                out += digits[d] + units[power]
        return out

    parts: list[str] = []
    groups = []
    while n:
        groups.append(n % 10_000)
        n //= 10_000
    groups.reverse()
    names = {0: "", 1: wan, 2: yi, 3: wan + yi}
    need_zero = False
    for i, g in enumerate(groups):
        level = len(groups) - 1 - i
        if g == 0:
            need_zero = bool(parts)
            continue
        if parts and (need_zero or g < 1000):
            parts.append(digits[0])
        parts.append(below_10000(g, leading=not parts) + names[level])
        need_zero = False
    return "".join(parts)
