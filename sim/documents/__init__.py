"""Drafted documents checked on content: citations, money, party, address, date, period, body, remedy.

Pure functions, no session state; the engine (sim.session) calls `check_field` for each typed field a rule
names, and other checks (the referral letter's receiver) can call the same functions:

    from sim.documents import LawIndex, check_field
    index = LawIndex.build(library_law_infos)          # or Library.law_index
    check_field("citation", "《大气法》第119条", ["大气污染防治法#119.1"], index)  # -> [Problem(...)]
    check_field("body", "县公安局", ["police"])          # -> []
"""

from .check import KINDS, agree, check_field, spans
from .citation import LawIndex, LawInfo, Problem, Ref, check_citations, parse_citations, ref_from_key
from .elements import (
    BODY_LABELS, LITIGATION, PAYMENT, RECONSIDERATION, Span, check_address, check_body, check_date, check_party,
    check_period, check_remedy, date_text, read_bodies, read_dates, read_periods,
)
from .money import amount_text, check_amount, read_amounts, yuan
from .numerals import chinese, read_number

__all__ = [
    "BODY_LABELS", "KINDS", "LITIGATION", "PAYMENT", "RECONSIDERATION", "LawIndex", "LawInfo", "Problem", "Ref",
    "Span", "agree", "amount_text", "check_address", "check_amount", "check_body", "check_citations",
    "check_date", "check_field", "check_party", "check_period", "check_remedy", "chinese", "date_text",
    "parse_citations", "read_amounts", "read_bodies", "read_dates", "read_number", "read_periods",
    "ref_from_key", "spans", "yuan",
]
