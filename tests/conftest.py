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

# The check-result cache (sim.cache) stays off in tests, which monkeypatch the engine and must see it run; the
# cache's own tests switch it on in a temporary folder. Nothing is written to the user's cache directory.
os.environ["LAWDRILL_NO_CACHE"] = "1"

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _own_data_directory(tmp_path_factory, monkeypatch):
    """No test writes into the user's real data directory: a test that forgets --home gets a fresh one."""
    if "LAWDRILL_HOME" not in os.environ:
        monkeypatch.setenv("LAWDRILL_HOME", str(tmp_path_factory.mktemp("default-home")))
