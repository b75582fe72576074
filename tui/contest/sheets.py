"""The answer-sheet rounds in contest mode: the knowledge paper (法律知识, `kind: quiz`) and the case analysis
(案例分析, `kind: analysis`).

The trainee's own screens (tui/trainee/quiz.py, tui/trainee/analysis.py) under the contest header, with the
contest's rules: the sheet is saved in the contestant's local store at every change (reopening after a crash
or a closed terminal puts every answer back), Ctrl+S asks before handing in and writes the signed bundle, Esc
goes back to the round's list with the clock running, and nothing is scored on screen before the round's
results are visible (at once in a practice round, after the window closes in an exam).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult

from ..trainee.analysis import AnalysisResultScreen, AnalysisScreen
from ..trainee.quiz import QuizScreen
from .round import ContestHeader

if TYPE_CHECKING:
    from sim.analysis import AnalysisAnswer
    from sim.model import Scenario
    from sim.quiz import Paper

    from ..host import ContestHost


def confirm_hand_in(app: ContestHost, ref: str, what: str) -> None:
    from ..widgets.dialogs import ConfirmDialog

    after = "交卷后显示成绩。" if app.mode == "practice" else "成绩在本轮结束后公布。"

    def answer(yes: bool | None) -> None:
        if yes and app.bundle_of(ref) is None:
            app.hand_in_sheet(ref)

    app.push_screen(ConfirmDialog("交卷", f"交卷{what}？交卷后不能再修改，{after}", yes="交卷"), answer)


class ContestQuizScreen(QuizScreen):
    """The round's paper; `handed_in`: the scored sheet, read-only (the result after the round)."""

    BACK_TO = "本轮列表"

    app: ContestHost

    def __init__(self, ref: str, paper: Paper, answers: dict[str, Any], *, handed_in: bool = False) -> None:
        super().__init__(paper, "法律知识", answers=answers)
        self.ref = ref
        self.handed_in = handed_in

    def header(self) -> ComposeResult:
        yield ContestHeader(id="contest-header")

    def on_mount(self) -> None:  # QuizScreen.on_mount shows the first question first (handlers run along the MRO)
        if self.handed_in:
            from sim.quiz import score_paper

            self.result = score_paper(self.paper, self.sheet())
            self._show_result()

    def changed(self) -> None:
        self.app.save_sheet(self.ref, self.sheet())

    def action_hand_in(self) -> None:
        if self.result is not None or not self.is_active:
            return
        self._keep()
        self.changed()
        answered = sum(1 for v in self.sheet().values() if v is not None)
        confirm_hand_in(self.app, self.ref, f"法律知识试卷（已答 {answered} / {len(self.paper.items)} 题）")

    def action_back(self) -> None:
        if self.result is None:
            self._keep()
            self.changed()  # the answers are kept; the clock keeps running
        self.app.pop_screen()


class ContestAnalysisScreen(AnalysisScreen):
    """One case of an analysis round; it opens on the case's facts and evidence."""

    app: ContestHost

    def __init__(self, ref: str, scenario: Scenario, answer: AnalysisAnswer | None) -> None:
        # A fresh sheet opens on the case's facts; a saved one (reopened) on the answers.
        super().__init__(scenario, answer=answer, title=f"案例分析 · {scenario.title}", facts_first=answer is None)
        self.ref = ref

    def header(self) -> ComposeResult:
        yield ContestHeader(id="contest-header")

    def changed(self, answer: AnalysisAnswer) -> None:
        self.app.save_sheet(self.ref, answer.to_json())

    def action_hand_in(self) -> None:
        if not self.is_active:
            return
        self.changed(self.answer())
        confirm_hand_in(self.app, self.ref, f"「{self.scenario.title}」的分析")

    def action_back(self) -> None:
        self.changed(self.answer())  # saved; the clock keeps running
        self.app.pop_screen()


class ContestAnalysisResult(AnalysisResultScreen):
    app: ContestHost

    def header(self) -> ComposeResult:
        yield ContestHeader(id="contest-header")


def show_analysis_result(app: ContestHost, ref: str, scenario: Scenario, answer: AnalysisAnswer) -> None:
    """A handed-in analysis, scored element by element (re-scored from the saved sheet, as the organiser's
    import does)."""
    from sim.analysis import score_analysis

    assert app.library is not None
    score = score_analysis(scenario, answer, app.library.articles, app.library.laws)
    app.push_screen(ContestAnalysisResult(scenario, answer, score))
