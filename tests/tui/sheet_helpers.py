"""Answer a knowledge paper (tui/trainee/quiz.py) or a case analysis sheet (tui/trainee/analysis.py) by key
presses only, as a trainee would."""

from __future__ import annotations

from typing import Any

from tui_helpers import keys, pick_many, pick_one, settle, type_into


def cite_text(library: Any, cites: Any) -> str:
    """The citations as a trainee types them: the catalogue labels, joined with 、."""
    return "、".join(library.articles[c.key].label if c.key else c.text for c in cites)


async def fill_analysis(pilot: Any, library: Any, answer: Any) -> None:
    """Fill the whole sheet from an AnalysisAnswer (a field left empty in the answer is left empty)."""
    screen = pilot.app.screen
    if answer.violation:
        await pick_one(pilot, "an-violation", answer.violation)
    for fid, cites in (("an-violated", answer.violated), ("an-basis", answer.basis)):
        if cites:
            await type_into(pilot, fid, cite_text(library, cites))
    for i, el in enumerate(screen.key.elements):
        if answer.evidence.get(el.id):
            await pick_many(pilot, f"an-ev-{i}", list(answer.evidence[el.id]))
    if answer.circumstances:
        await pick_many(pilot, "an-circumstances", list(answer.circumstances))
    if answer.disposal:
        await pick_one(pilot, "an-disposal", answer.disposal)
    if answer.amount is not None:
        await type_into(pilot, "an-amount", str(answer.amount))
    await settle(pilot)


async def hand_in(pilot: Any) -> None:
    await keys(pilot, "ctrl+s")
    await settle(pilot)


async def answer_question(pilot: Any, item: Any, right: bool = True) -> None:
    """Answer the paper's current question (right or wrong) and go on to the next one."""
    from sim.quiz import QKind

    q = item.question
    if q.kind in (QKind.SINGLE, QKind.MULTIPLE, QKind.TRUEFALSE):
        wanted = set(q.answer) if right else {o for o in item.order if o not in q.answer}
        if q.kind is not QKind.MULTIPLE:
            wanted = set(list(wanted)[:1])
        for oid in item.order:
            if oid in wanted:
                await keys(pilot, "space")
            await keys(pilot, "down")
        await keys(pilot, "pagedown")
    else:
        await keys(pilot, *list(q.answer_text() if right else "九九九"), "enter")
    await settle(pilot)
