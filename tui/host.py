"""What a screen may ask of the app it runs in: the one surface between screens and the app classes.

Screens never import `tui.app` or `tui.contest.app` (tests/test_import_hygiene.py fails on the circle that
would make). A screen declares the host it needs as the type of its `app`:

    if TYPE_CHECKING:
        from tui.host import TraineeHost

    class BriefingScreen(Screen[None]):
        app: TraineeHost  # only the type: at run time `self.app` is the running Textual app

and uses nothing else of the app. The app classes implement these protocols: `tui.app.LawdrillApp` is a
`TraineeHost` (the trainee's and the trainer's screens), `tui.contest.app.ContestApp` a `ContestHost` (the
round list, the contest workbench, the review screen). tests/tui/test_host.py checks both. A screen that
needs something new from the app adds it here first; navigation (`open_*`, `show_*`) goes through these
methods too, so the app stays the one place that decides which screen comes next.

This module imports nothing of the front end at run time: any screen may import it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from sim.contest import Contest, Contestant, Mark, Round
    from sim.contest.signin import SignInDesk
    from sim.loader import Library
    from sim.model import Scenario
    from sim.session import Session
    from sim.store import Attempt, Store

WallClock = Callable[[], float]


@runtime_checkable
class TraineeHost(Protocol):
    """The trainee app as its screens see it: the library, the store, who is training, and navigation."""

    library: Library | None  # None until the start-up worker has loaded it
    library_paths: list[str | Path] | None  # what the library was loaded from (None: the bundled library)
    store: Store | None  # the trainee's records; None until loaded
    trainee: str
    township: str
    mode: str  # "practice" or "exam"
    clock: WallClock  # wall time (frozen in tests)
    reload_count: int  # library reloads applied since start

    # --- navigation and app-level services --------------------------------------------------------------

    def begin(self) -> None:
        """The first screen is on screen: load the engine and the library."""

    def ask_name(self, then: Callable[[], None] | None = None) -> None: ...

    def open_briefing(self, scenario: Scenario) -> None: ...

    def open_history(self) -> None: ...

    def open_quiz(self) -> None:
        """A short knowledge paper aimed at the trainee's weakest articles (法律知识练习)."""

    def open_analysis(self, scenario: Scenario) -> None:
        """The case as a case analysis (一事一议): the structured answer sheet, scored element by element."""

    def open_trainer(self) -> None: ...

    def open_graph(self, scenario: Scenario, *, current: str | None = None, path: int | None = None) -> None: ...

    def start_session(self, scenario: Scenario) -> None:
        """A new attempt at the case, on the workbench."""

    def resume_attempt(self, attempt: Attempt) -> bool:
        """Reopen an unfinished attempt; False (and a message shown) if it cannot be."""

    def finish_session(self, session: Session, attempt_id: str) -> None:
        """The trainee hands the case in: score it, record it, show what comes next."""

    def show_debrief(self, session: Session, attempt_id: str, *, from_history: bool = False) -> None: ...

    def reports_dir(self) -> Path: ...

    def report_context(self) -> list[tuple[str, str]]:
        """Where a report is made, printed on it under the date: the township; in a contest the contest,
        the round and the contestant too (sim.report `context`)."""

    def check_library_files(self) -> bool:
        """Reload the library now if one of its files changed; True if a reload started."""

    # --- Textual's App, the part screens use (every Textual App has these) --------------------------------

    def push_screen(self, screen: Any, callback: Any = None, wait_for_dismiss: bool = False) -> Any: ...

    def pop_screen(self) -> Any: ...

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...

    def suspend(self) -> AbstractContextManager[None]: ...

    def clear_notifications(self) -> None: ...


@runtime_checkable
class ContestHost(TraineeHost, Protocol):
    """The contest app as the round's screens see it: the round, its clock, and handing in."""

    contest: Contest
    round: Round
    kind: Any  # tui.contest.kinds.RoundKind: how this round's entries open, stand, hand in, show results
    contestant: Contestant
    outbox: Path  # where the signed result bundles are written
    timed_out: bool
    desk: SignInDesk | None  # sign-in (tui/contest/signin.py); None: the contestant was given and needs no code

    def signed_in(self) -> None:
        """The sign-in screen accepted a code (`desk.signed`): on to the round."""

    @property
    def review(self) -> bool:
        """A case-file review round (not a play round)."""

    @property
    def started_at(self) -> float | None: ...

    def remaining(self) -> float | None:
        """Seconds left in the round; None before the contestant has started it."""

    def tick(self) -> None:
        """Redraw the countdown; hand everything in when it reaches zero."""

    def results_visible(self) -> bool: ...

    def case_title(self, ref: str) -> str: ...

    def attempt_of(self, case_id: str) -> Attempt | None: ...

    def bundle_of(self, case_id: str) -> Path | None: ...

    def open_case(self, case_id: str) -> None:
        """Open a case of the round on its briefing (the first one opened starts the countdown)."""

    def enter_case(self, case_id: str) -> None:
        """From the briefing on to the case: the workbench, or the review file in a review round."""

    def left_case(self, session: Session) -> None: ...

    def can_hand_in(self, ref: str) -> bool: ...

    def hand_in_case(self, case_id: str) -> Path | None: ...

    def write_bundle(self, ref: str) -> Path | None: ...

    def ensure_bundles(self) -> None: ...

    def announce_hand_in(self, cases: Sequence[str], paths: Sequence[Path], *, timed_out: bool = False) -> None: ...

    kind_cache: dict[str, Any]  # what the round's kind computes once (the quiz round's paper)

    def session_clock(self) -> float:
        """The wall clock the round's records use: never past the round's end."""

    def enter_play(self, case_id: str) -> None:
        """A play round's case on the contest workbench (started or resumed)."""

    def hand_in_play(self, case_id: str) -> Path | None:
        """A play round's case handed in from its journal."""

    def show_play_result(self, case_id: str) -> None:
        """A play round's case: the debrief."""

    def show_case(self, screen: Any) -> None:
        """An entry's screen: in place of its briefing, or pushed over the list."""

    def sheet_answers(self, ref: str, empty: Any = None) -> Any:
        """An answer sheet as saved in the local store (JSON), or `empty`."""

    def save_sheet(self, ref: str, answers: Any) -> None:
        """Save an answer sheet (at every change: a crash loses nothing)."""

    def hand_in_sheet(self, ref: str) -> None:
        """A sheet's screen hands it in: the bundle, back to the list, the result at once in a practice round."""

    def review_marks(self, ref: str) -> list[Mark]: ...

    def save_marks(self, ref: str, marks: Sequence[Mark]) -> None: ...

    def show_result(self, case_id: str) -> None: ...
