"""Discretion (行政处罚裁量): the circumstances a case states and the band of amounts they allow.

A case lists its circumstances under `penalty.circumstances` (ids of CIRCUMSTANCES) and may state the band a
cited benchmark gives (`penalty.band: {min, max, basis}`). `derive` turns that into plain keys the rule
expressions of the templates read (`penalty.band_min`, `penalty.no_penalty_due`...): every case gets them, so a
template rule can rely on them, and a case that states nothing gets no discretion finding.

What the statute itself fixes (《行政处罚法》, 2021 text, legal reference a.1 X10-X13):
- 第三十二条: a listed circumstance means 应当从轻或者减轻 — the amount may go below the statutory minimum
  (减轻) and may not be the statutory maximum (从轻 cannot be the heaviest amount the article allows). The
  statute sets no number between the two; a band narrower than that comes only from a benchmark the case cites.
- 第三十三条第一款前段 (minor + corrected in time + no harm) and 第二款 (proof of no fault): 不予行政处罚, no
  discretion left; 第一款后段 (first offence + minor harm + corrected in time): 可以不予行政处罚.
- Without a 第三十二条 circumstance the amount stays inside the statutory range (减轻 needs a legal ground).
"""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class Circumstance:
    id: str
    label: str
    kind: str  # 'mitigating' (第三十二条), 'aggravating', 'fact' (第三十三条 elements), 'other' (recorded only)


CIRCUMSTANCES: dict[str, Circumstance] = {c.id: c for c in (
    # 《行政处罚法》第三十三条 elements
    Circumstance("minor", "违法行为轻微", "fact"),
    Circumstance("first_offence", "初次违法", "fact"),
    Circumstance("corrected", "及时改正", "fact"),
    Circumstance("no_harm", "没有造成危害后果", "fact"),
    Circumstance("minor_harm", "危害后果轻微", "fact"),
    Circumstance("no_fault", "有证据足以证明没有主观过错", "fact"),
    # 《行政处罚法》第三十二条第一项至第四项: 应当从轻或者减轻
    Circumstance("eliminated_harm", "主动消除或者减轻违法行为危害后果", "mitigating"),
    Circumstance("coerced", "受他人胁迫或者诱骗实施违法行为", "mitigating"),
    Circumstance("confessed", "主动供述行政机关尚未掌握的违法行为", "mitigating"),
    Circumstance("meritorious", "配合行政机关查处违法行为有立功表现", "mitigating"),
    # recorded for the reasons; no statutory effect on the band by themselves
    Circumstance("cooperative", "如实陈述、配合调查", "other"),
    # aggravating facts (从重 stays inside the statutory range)
    Circumstance("repeat_offence", "曾因同类违法行为受过处罚又再次违法", "aggravating"),
    Circumstance("refused_correction", "经责令改正拒不改正", "aggravating"),
    Circumstance("serious_harm", "危害后果较重", "aggravating"),
    Circumstance("obstruction", "阻碍、抗拒执法检查", "aggravating"),
)}

# Keys `derive` adds to every case's `penalty` (rules read them; cases never write them).
DERIVED_KEYS = ("circumstances", "mitigating", "aggravating", "no_fault", "no_penalty_due", "first_offence_applies",
                "band_min", "band_max", "band_strict", "band_stated")


class DiscretionError(ValueError):
    """A penalty block that cannot be read; `key` names the offending key (for the loader's file:line)."""

    def __init__(self, message: str, key: str | None = None, index: int | None = None):
        super().__init__(message)
        self.key = key
        self.index = index


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def derive(penalty: dict[str, Any]) -> dict[str, Any]:
    """The case's penalty block with the derived discretion keys added. Raises DiscretionError (Chinese)."""
    for k in DERIVED_KEYS:
        if k in penalty and k != "circumstances":
            raise DiscretionError(f"penalty 中的「{k}」由系统根据情节推算，案例不能直接填写", k)
    raw = penalty.get("circumstances", [])
    if not isinstance(raw, list):
        raise DiscretionError("penalty.circumstances 应为情节编号的列表", "circumstances")
    for i, c in enumerate(raw):
        if c not in CIRCUMSTANCES:
            known = "、".join(f"{x.id}（{x.label}）" for x in CIRCUMSTANCES.values())
            raise DiscretionError(f"未知的裁量情节「{c}」（可用：{known}）", "circumstances", i)
    have = set(raw)
    if {"no_harm", "minor_harm"} <= have or ({"no_harm", "minor_harm"} & have and "serious_harm" in have):
        raise DiscretionError("危害后果只能写一种：no_harm、minor_harm 或 serious_harm", "circumstances")
    mitigating = any(CIRCUMSTANCES[c].kind == "mitigating" for c in have)
    aggravating = any(CIRCUMSTANCES[c].kind == "aggravating" for c in have)
    no_fault = "no_fault" in have
    out = dict(penalty)
    out.update(
        circumstances=list(raw), mitigating=mitigating, aggravating=aggravating, no_fault=no_fault,
        # 第三十三条第一款前段、第二款
        no_penalty_due=no_fault or {"minor", "corrected", "no_harm"} <= have,
        # 第三十三条第一款后段
        first_offence_applies={"first_offence", "corrected"} <= have and bool({"no_harm", "minor_harm"} & have),
        band_min=None, band_max=None, band_strict=False, band_stated=False,
    )
    lo, hi = penalty.get("min"), penalty.get("max")
    band = penalty.get("band")
    if band is not None:
        if not isinstance(band, dict) or not _number(band.get("min")) or not _number(band.get("max")):
            raise DiscretionError("penalty.band 应为 {min: 金额, max: 金额, basis: 出处}", "band")
        if not str(band.get("basis", "")).strip():
            raise DiscretionError("penalty.band 须在 basis 中写明裁量幅度的出处（裁量基准或培训假设）", "band")
        if band["min"] > band["max"]:
            raise DiscretionError("penalty.band 的 min 大于 max", "band")
        if _number(hi) and band["max"] > hi:
            raise DiscretionError("penalty.band 的上限超过了法定最高罚款数额", "band")
        if _number(lo) and band["min"] < lo and not mitigating:
            raise DiscretionError("penalty.band 的下限低于法定最低罚款数额，但本案没有《行政处罚法》第三十二条规定的"
                                  "应当从轻或者减轻的情节（减轻处罚须有法定情节）", "band")
        out.update(band_min=band["min"], band_max=band["max"], band_stated=True)
    elif raw and _number(lo) and _number(hi):
        if mitigating:
            # 应当从轻或者减轻: anything below the statutory maximum, down to 减轻 below the minimum.
            out.update(band_min=0, band_max=hi, band_strict=not aggravating)
        else:
            out.update(band_min=lo, band_max=hi)
    return out


def in_band(penalty: dict[str, Any], amount: float) -> bool:
    """Whether a fine of `amount` lies in the case's derived band (True where the case states no band)."""
    if penalty.get("band_min") is None:
        return True
    if amount < penalty["band_min"]:
        return False
    return amount < penalty["band_max"] if penalty.get("band_strict") else amount <= penalty["band_max"]


def labels(ids: list[str]) -> list[str]:
    return [CIRCUMSTANCES[c].label for c in ids if c in CIRCUMSTANCES]
