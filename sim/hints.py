"""Practice-mode hints: the next lawful act, why, and the article behind it.

The hint follows the case's reference path: the first reference act the trainee has not yet performed (as
often as the reference does) is the next lawful step. Only the practice mode calls this; exam and contest
modes never show it.
"""

from __future__ import annotations

from collections import Counter

import attrs

from .model import RuleKind, Scenario
from .scoring import cite_label, is_law
from .session import Session


@attrs.frozen
class Hint:
    action: str | None
    label: str
    text: str
    cites: tuple[str, ...]  # rendered citations

    def lines(self) -> list[str]:
        out = [self.text]
        if self.cites:
            out.append("依据：" + "；".join(self.cites))
        return out


def _cites_for(scenario: Scenario, action: str) -> tuple[str, ...]:
    keys: list[str] = []
    for r in scenario.procedure.rules:
        involved = (
            action in r.on
            or action in r.requires
            or (r.kind == RuleKind.DEADLINE and r.deadline is not None and r.deadline.end is not None
                and r.deadline.end.ref == action)
        )
        if involved:
            keys.extend(c for c in r.cite if c not in keys)
    # The law first: a practice standard or a training assumption never crowds an article out of the four shown.
    keys.sort(key=lambda k: not is_law(k, scenario.articles))
    return tuple(cite_label(k, scenario.articles) for k in keys[:4])


def next_step(session: Session) -> Hint:
    sc = session.scenario
    if session.finished or sc.procedure.state(session.state).final:
        return Hint(None, "", "本案程序已经结束，可以结束演练查看讲评。", ())
    refs = sc.references
    if not refs:
        return Hint(None, "", "本案没有参考路径，无法给出提示。", ())
    done = Counter(a.name for a in session.acts)
    seen: Counter[str] = Counter()
    for step in refs[0].steps:
        if step.do in ("advance", "finish"):
            continue
        seen[step.do] += 1
        if seen[step.do] > done[step.do]:
            spec = sc.procedure.actions[step.do]
            detail = spec.help or "依法进行该执法动作。"
            target = step.params.get("target")
            what = spec.label
            if isinstance(target, str) and target in sc.procedure.actions:
                tspec = sc.procedure.actions[target]
                what += f"《{tspec.document.name if tspec.document else tspec.label}》"
            why = session.why_not(step.do)
            text = f"下一步：{what}。{detail}"
            if why:
                text += f"（注意：{why}）"
            return Hint(step.do, spec.label, text, _cites_for(sc, step.do))
    return Hint(None, "", "参考路径中的执法动作均已完成，可以结案并结束演练。", ())
