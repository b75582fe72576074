"""lawdrill's engine: scenarios, the legal calendar, sessions, rules and scoring. No UI imports.

The public names are imported lazily (PEP 562), so `lawdrill deadline` pays only for the calendar and a
front end pays for what it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Deadline": "calendar", "LegalCalendar": "calendar", "Unit": "calendar", "deadline": "calendar",
    "Library": "loader", "LoadError": "loader", "bundled_scenarios": "loader", "load_library": "loader",
    "Finding": "scoring", "Result": "scoring", "render_result": "scoring",
    "Outcome": "session", "ReplayError": "session", "Session": "session", "replay": "session", "resume": "session",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:
    from .calendar import Deadline, LegalCalendar, Unit, deadline
    from .loader import Library, LoadError, bundled_scenarios, load_library
    from .scoring import Finding, Result, render_result
    from .session import Outcome, ReplayError, Session, replay, resume


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
