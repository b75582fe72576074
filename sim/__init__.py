"""lawdrill's engine: scenarios, the legal calendar, sessions, rules and scoring. No UI imports."""

__version__ = "0.1.0"

from .calendar import Deadline, LegalCalendar, Unit, deadline  # noqa: E402
from .loader import Library, LoadError, bundled_scenarios, load_library  # noqa: E402
from .scoring import Finding, Result, render_result  # noqa: E402
from .session import Outcome, ReplayError, Session, replay, resume  # noqa: E402

__all__ = [
    "Deadline", "Finding", "LegalCalendar", "Library", "LoadError", "Outcome", "ReplayError", "Result",
    "Session", "Unit", "__version__", "bundled_scenarios", "deadline", "load_library", "render_result",
    "replay", "resume",
]
