"""Shared pytest configuration.

Hypothesis profiles: "dev" (default, quick) and "ci" (max_examples=60, no per-example deadline).
Choose one with HYPOTHESIS_PROFILE=ci.
"""

import os
import sys
from pathlib import Path

from hypothesis import settings

# The project is not installed into the venv: make `import sim` work under plain `pytest` (and xdist workers).
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
