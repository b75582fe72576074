"""`when_active`: a screen's handler acts only while that screen is the one on top.

Keys typed quickly can reach a widget of a screen that a dialog has just covered (the key was routed before
the dialog took the focus). Without this guard the covered workbench would open an act form on top of the
confirmation dialog; Textual then deadlocks popping a screen that is still mounting (found by the
random-key test)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def when_active(method: F) -> F:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.is_active:
            return None
        return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
