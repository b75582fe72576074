"""The kinds of contest round, as the contest app runs them: one `RoundKind` per `kind:` of the contest file,
found in `ROUND_KINDS` (`round_kind`). The app (app.py), the round's list (round.py) and `contest run`
(tui/cli/contest.py) ask the round's kind — what an entry is called, how it opens, where it stands, what is
handed in and how its result is shown — and name no kind themselves, so a new kind of round registers here
(`register`) with its own screen and needs nothing else of the contest app.

- play (实操): each case on the contest workbench; its fsynced journal is what is handed in.
- review (案卷评查): a finished case file marked defect by defect (review.py).
- quiz (法律知识) and analysis (案例分析) — answer-sheet rounds (`SheetKind`): the sheet is saved in the
  contestant's local store at every change (a crash loses nothing), handed in as the bundle's `answers`, and
  re-scored on import (sim.contest.papers). Their screens are in sheets.py.
- drafting (文书制作): an answer-sheet round too: the case file, and the documents the round names drafted in
  the document view; the sheet is {documents: {act: {field: value}}}, scored element by element by
  sim.drafting (drafting.py).

Every kind's countdown, time-out hand-in and outbox are the app's: a kind only says what one entry needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text

from sim.contest.model import split_case_ref

if TYPE_CHECKING:
    from sim.store import Store

    from ..host import ContestHost as ContestApp  # the app as a kind sees it (tui/host.py)


class RoundKind:
    """How the contest app runs one kind of round (the defaults are a play round's)."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""  # the round's list: 实操办案 · 共 2 件
    unit: ClassVar[str] = "件"

    def title(self, app: ContestApp, ref: str) -> str:
        """An entry's title on the list: the case's."""
        assert app.library is not None
        sc = app.library.scenarios.get(split_case_ref(ref)[0])
        return sc.title if sc is not None else ref

    def open(self, app: ContestApp, ref: str) -> None:
        """From the list (the countdown has started): the case's briefing; its Enter goes on to `enter`."""
        from .round import ContestBriefing

        assert app.library is not None
        sc = app.library.scenarios.get(split_case_ref(ref)[0])
        if sc is None:
            app.notify(f"案例库中没有「{ref}」", title="无法打开", severity="error", markup=False)
            return
        if app.bundle_of(ref) is not None or not self.can_reopen(app, ref):
            app.notify("本案已交卷，不能再办理。", title="已交卷", markup=False)
            return
        app.push_screen(ContestBriefing(ref, sc))

    def can_reopen(self, app: ContestApp, ref: str) -> bool:
        attempt = app.attempt_of(ref)
        return attempt is None or attempt.status == "open"

    def task(self, app: ContestApp, ref: str) -> str:
        """The last line of the briefing: what the contestant does next."""
        if app.attempt_of(ref) is not None:
            return "本案已在办理中：按 Enter 继续办理。"
        return "按案情简介的要求依法办理本案：按 Enter 开始办理，交卷时按是否依法办结评分。"

    def enter(self, app: ContestApp, ref: str) -> None:
        app.enter_play(ref)

    def state(self, app: ContestApp, ref: str) -> Text:
        attempt = app.attempt_of(ref)
        if attempt is None:
            return Text("未开始", style="dim")
        if attempt.status == "finished":
            return Text("已交卷（成绩文件未写出）", style="bold red")
        return Text("办理中", style="yellow")

    def can_hand_in(self, app: ContestApp, ref: str) -> bool:
        return app.attempt_of(ref) is not None

    def hand_in(self, app: ContestApp, ref: str) -> Path | None:
        return app.hand_in_play(ref)

    def bundle_args(self, app: ContestApp, ref: str) -> tuple[Path | None, dict[str, Any]] | None:
        """(journal, keyword arguments of sim.contest.write_bundle), or None: nothing to hand in yet."""
        attempt = app.attempt_of(ref)
        if attempt is None or attempt.status != "finished":
            return None
        return Path(attempt.journal), {}

    def bundle_lost(self, app: ContestApp, ref: str) -> bool:
        """Handed in, but its bundle file is missing (a full disk): `ensure_bundles` writes it again. Only a
        kind with a record of the hand-in besides the bundle can say so."""
        attempt = app.attempt_of(ref)
        path = app.bundle_of(ref)
        return attempt is not None and attempt.status == "finished" and (path is None or not path.is_file())

    def show_result(self, app: ContestApp, ref: str) -> None:
        app.show_play_result(ref)

    def pending(self, store: Store, refs: tuple[str, ...]) -> bool:
        """Whether a contestant's local store of the round holds something begun and not handed in (the app
        reopens on that round after its window closed, and hands it in)."""
        return bool(store.open_attempts())


class PlayKind(RoundKind):
    kind = "play"
    label = "实操办案"


class SheetKind(RoundKind):
    """A round handed in as answers kept in the local store (`answers:<ref>`, JSON) from the moment the entry
    is opened (`<start_key>:<ref>`): review marks, a knowledge paper, a case analysis."""

    start_key: ClassVar[str] = "sheet-start"
    done_text: ClassVar[str] = "已交卷，不能再修改。"

    def started(self, app: ContestApp, ref: str) -> bool:
        assert app.store is not None
        return bool(app.store.get(f"{self.start_key}:{ref}"))

    def mark_started(self, app: ContestApp, ref: str) -> None:
        assert app.store is not None
        if not self.started(app, ref):
            app.store.set(f"{self.start_key}:{ref}", repr(float(app.session_clock())))

    def open(self, app: ContestApp, ref: str) -> None:
        if app.bundle_of(ref) is not None:
            app.notify(self.done_text, title="已交卷", markup=False)
            return
        self.enter(app, ref)

    def can_reopen(self, app: ContestApp, ref: str) -> bool:
        return True

    def enter(self, app: ContestApp, ref: str) -> None:
        if app.bundle_of(ref) is not None:
            app.notify(self.done_text, title="已交卷", markup=False)
            return
        self.mark_started(app, ref)
        app.show_case(self.screen(app, ref))

    def screen(self, app: ContestApp, ref: str) -> Any:
        raise NotImplementedError

    def empty(self) -> Any:
        return {}

    def sheet(self, app: ContestApp, ref: str) -> Any:
        """The answers as saved (JSON), or the empty sheet."""
        return app.sheet_answers(ref, self.empty())

    def state(self, app: ContestApp, ref: str) -> Text:
        if not self.started(app, ref):
            return Text("未开始", style="dim")
        return Text(self.progress(app, ref), style="yellow")

    def progress(self, app: ContestApp, ref: str) -> str:
        return "作答中"

    def can_hand_in(self, app: ContestApp, ref: str) -> bool:
        # Opened: even an empty sheet is handed in (and scores what it scores).
        return app.bundle_of(ref) is None and self.started(app, ref)

    def hand_in(self, app: ContestApp, ref: str) -> Path | None:
        return app.write_bundle(ref)

    def bundle_args(self, app: ContestApp, ref: str) -> tuple[Path | None, dict[str, Any]] | None:
        assert app.store is not None
        start = app.store.get(f"{self.start_key}:{ref}") or app.store.get(f"round-start:{app.round.id}")
        return None, {"answers": self.sheet(app, ref), "started": float(start) if start else app.session_clock(),
                      "handed_in": app.session_clock()}

    def bundle_lost(self, app: ContestApp, ref: str) -> bool:
        return False  # handed in by writing its bundle: there is no other record of it

    def pending(self, store: Store, refs: tuple[str, ...]) -> bool:
        return any(store.get(f"{self.start_key}:{ref}") and not store.get(f"bundle:{ref}") for ref in refs)

    def handed_in(self, app: ContestApp, ref: str) -> None:
        """The sheet's screen handed it in: write the bundle, back to the list, and in a practice round the
        result at once."""
        path = app.write_bundle(ref)
        app.pop_screen()
        app.announce_hand_in([ref], [path] if path else [])
        if path is not None and app.mode == "practice":
            self.show_result(app, ref)


class ReviewKind(SheetKind):
    kind = "review"
    label = "案卷评查"
    start_key = "review-start"
    done_text = "本案卷已交卷，不能再修改。"

    def open(self, app: ContestApp, ref: str) -> None:
        RoundKind.open(self, app, ref)  # a review file opens on the case's briefing too

    def task(self, app: ContestApp, ref: str) -> str:
        return "本轮是案卷评查：按 Enter 打开本案的办案案卷，逐步标记违法或不当之处。"

    def screen(self, app: ContestApp, ref: str) -> Any:
        from .review import ReviewScreen

        return ReviewScreen(ref)

    def empty(self) -> Any:
        return []

    def progress(self, app: ContestApp, ref: str) -> str:
        return f"评查中（已标记 {len(app.review_marks(ref))} 处）"

    def bundle_args(self, app: ContestApp, ref: str) -> tuple[Path | None, dict[str, Any]] | None:
        journal, kw = super().bundle_args(app, ref)  # type: ignore[misc]
        kw["answers"] = app.review_marks(ref)
        return journal, kw

    def show_result(self, app: ContestApp, ref: str) -> None:
        from .review import show_score

        show_score(app, ref)


class QuizKind(SheetKind):
    kind = "quiz"
    label = "法律知识"
    unit = "份"
    done_text = "试卷已交卷，不能再修改。"

    def title(self, app: ContestApp, ref: str) -> str:
        return f"法律知识试卷（共 {len(self.paper(app).items)} 题）"

    def paper(self, app: ContestApp) -> Any:
        from sim.contest.papers import round_paper

        if "paper" not in app.kind_cache:  # drawn once per app: the bank is generated from the whole library
            assert app.library is not None
            app.kind_cache["paper"] = round_paper(app.round, app.library)
        return app.kind_cache["paper"]

    def screen(self, app: ContestApp, ref: str) -> Any:
        from .sheets import ContestQuizScreen

        return ContestQuizScreen(ref, self.paper(app), app.sheet_answers(ref, {}))

    def progress(self, app: ContestApp, ref: str) -> str:
        answered = sum(1 for v in self.sheet(app, ref).values() if v not in (None, "", []))
        return f"作答中（已答 {answered} / {len(self.paper(app).items)} 题）"

    def show_result(self, app: ContestApp, ref: str) -> None:
        from .sheets import ContestQuizScreen

        app.push_screen(ContestQuizScreen(ref, self.paper(app), self.sheet(app, ref), handed_in=True))


class AnalysisKind(SheetKind):
    kind = "analysis"
    label = "案例分析"
    done_text = "本案的分析已交卷，不能再修改。"

    def scenario(self, app: ContestApp, ref: str) -> Any:
        assert app.library is not None
        return app.library.scenarios.get(ref)

    def open(self, app: ContestApp, ref: str) -> None:
        if self.scenario(app, ref) is None:
            app.notify(f"案例库中没有「{ref}」", title="无法打开", severity="error", markup=False)
            return
        super().open(app, ref)

    def answer(self, app: ContestApp, ref: str) -> Any:
        """The saved sheet (None: nothing saved yet)."""
        from sim.analysis import AnalysisAnswer

        raw = app.sheet_answers(ref)
        if raw is None:
            return None
        try:
            return AnalysisAnswer.from_json(raw)
        except ValueError:  # a local store edited by hand: the sheet starts again
            return None

    def screen(self, app: ContestApp, ref: str) -> Any:
        from .sheets import ContestAnalysisScreen

        return ContestAnalysisScreen(ref, self.scenario(app, ref), self.answer(app, ref))

    def progress(self, app: ContestApp, ref: str) -> str:
        return "作答中"

    def show_result(self, app: ContestApp, ref: str) -> None:
        from .sheets import show_analysis_result

        from sim.analysis import AnalysisAnswer

        show_analysis_result(app, ref, self.scenario(app, ref), self.answer(app, ref) or AnalysisAnswer())


class DraftingKind(SheetKind):
    kind = "drafting"
    label = "文书制作"
    done_text = "本案文书已交卷，不能再修改。"

    def case(self, app: ContestApp, ref: str) -> Any:
        """The case as the round drafts it (its reference path played once per app), or None."""
        from .drafting import DraftingCase

        assert app.library is not None
        sc = app.library.scenarios.get(ref)
        if sc is None:
            return None
        key = f"drafting:{ref}"
        if key not in app.kind_cache:
            app.kind_cache[key] = DraftingCase(sc, app.round.drafting_documents(sc))
        return app.kind_cache[key]

    def open(self, app: ContestApp, ref: str) -> None:
        assert app.library is not None
        if app.library.scenarios.get(ref) is None:
            app.notify(f"案例库中没有「{ref}」", title="无法打开", severity="error", markup=False)
            return
        super().open(app, ref)

    def screen(self, app: ContestApp, ref: str) -> Any:
        from .drafting import DraftingScreen

        return DraftingScreen(ref, self.case(app, ref), self.sheet(app, ref))

    def progress(self, app: ContestApp, ref: str) -> str:
        from .drafting import filled

        case = self.case(app, ref)
        counts = [filled(case, self.sheet(app, ref), d) for d in case.documents]
        return f"制作中（已填 {sum(n for n, _ in counts)} / {sum(m for _, m in counts)} 栏）"

    def show_result(self, app: ContestApp, ref: str) -> None:
        from .drafting import DraftingResultScreen

        from sim.drafting import DraftingError, score_drafting

        case = self.case(app, ref)
        sheet = self.sheet(app, ref)
        try:
            score = score_drafting(case.scenario, case.documents, sheet, dict(app.round.weights))
        except DraftingError as e:  # a local store edited by hand: the organiser's import says the same
            app.notify(str(e), title="无法评分", severity="error", markup=False)
            return
        app.push_screen(DraftingResultScreen(case, sheet, score))


ROUND_KINDS: dict[str, RoundKind] = {}


def register(kind: RoundKind) -> RoundKind:
    ROUND_KINDS[kind.kind] = kind
    return kind


for _k in (PlayKind(), ReviewKind(), QuizKind(), AnalysisKind(), DraftingKind()):
    register(_k)


def round_kind(kind: str) -> RoundKind | None:
    """The contest app's handling of a round kind; None for a kind the app cannot run."""
    return ROUND_KINDS.get(kind)
