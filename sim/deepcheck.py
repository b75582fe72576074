"""The deep check behind `lawdrill check`: prove a case sound, not just loadable.

A case with a wrong rule teaches the wrong law. Beyond the self-tests (sim.selftest), this module checks:

1. structure — per procedure template, on the same `transitions` machine the engine runs: states the initial
   state cannot reach, dead ends (non-final states with no way out), endings no path reaches; per case: facts no
   expression reads, evidence no path collects and no expression names, case rules no trap triggers (warnings);
2. mutation testing of the rules — every act of every reference path is dropped, swapped with the next step,
   repeated and delayed; each variation must produce a finding unless the reference path marks it `lawful`;
3. deadline boundaries — the end act of each deadline rule is moved to the last lawful day (no finding) and one
   day / one hour later (finding); the last day is counted by an independent day-by-day walk over the
   calendar's day statuses and compared with the engine's arithmetic; and the period a rule uses must be one of
   the periods its cited article states;
4. gaming (sim.gaming) — the empty path, every strict prefix of every reference path and the shortest path to
   each final state, handed in, must not pass unless they reach one of the case's lawful outcomes.

Mutations (documented for authors in docs/authoring.md):
- drop: the act is left out;
- swap: the act and the step after it trade places; each keeps the time slot of the position it moves into
  (so the order changes, the calendar does not); when the next step is an `advance`, the act is done after
  that wait instead of before it;
- repeat: the same act with the same parameters again, right after it, at the same moment;
- delay: the act and every later step are moved DELAY (120 calendar days) later. 120 days is longer than any
  `within` period a rule can end at in the library (the longest is 3 months = at most 92 days, plus at most
  8 rest days when the last day falls in the Spring Festival break), so every time limit that ends at the
  delayed act is exceeded whatever the calendar.
A variation whose mutated act the engine refuses (repeating a `once` act, acting from a state the act cannot
start from) is not something a trainee can do: it is counted as impossible, neither killed nor survived. A
refused step is never a finding. A variation is killed when it produces a finding the unmutated path does not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from .calendar import LegalCalendar, Unit, _zh_number
from .graph import build_graph
from .machine import machine_for
from .model import LawfulMark, OutcomeKind, Period, Pos, Procedure, RuleKind, RuleSpec, Scenario, SelfTest, Step
from .selftest import play_more, play_steps
from .session import Session
from .yamlsrc import YamlError, YMap, parse_file

DELAY = dt.timedelta(days=120)
_ONE_DAY = dt.timedelta(days=1)
_ONE_HOUR = dt.timedelta(hours=1)

MUTATION_LABELS = {"drop": "省略", "swap": "与下一步对调", "repeat": "立即重复", "delay": "推迟"}


@attrs.frozen
class Problem:
    """One finding of the checker; `message` is for the trainer (Chinese)."""

    level: str  # "error" (check fails) | "warning" (reported, check passes)
    code: str  # stable English slug
    message: str
    file: str
    line: int
    col: int = 0
    case: str | None = None

    @property
    def where(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}" if self.col > 0 else f"{self.file}:{self.line}"


@attrs.frozen
class MutationStats:
    total: int  # mutants that could be played (impossible ones excluded)
    lawful: int  # surviving mutants the case marks lawful
    killed: int
    survivors: tuple[str, ...]  # descriptions of the survivors not marked lawful
    impossible: int = 0  # mutants whose mutated act the engine refuses

    @property
    def score(self) -> float:
        denom = self.total - self.lawful
        return 1.0 if denom <= 0 else self.killed / denom

    def label(self) -> str:
        """`41/41 (100%)`: killed / mutants that need a finding."""
        denom = self.total - self.lawful
        return f"{self.killed}/{denom} ({int(self.score * 100)}%)"


@attrs.frozen
class CaseCheck:
    case: str
    problems: tuple[Problem, ...]
    mutation: MutationStats
    boundaries_checked: int

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "warning")


def _problem(level: str, code: str, message: str, pos: Pos, case: str | None = None) -> Problem:
    return Problem(level, code, message, pos.file, pos.line, pos.col, case)


# --- structure ---------------------------------------------------------------------------------------------


def check_library_structure(library: Any) -> list[Problem]:
    """Template-level checks: the state graph of every concrete procedure, and the periods of its deadline
    rules against the articles they cite."""
    out: list[Problem] = []
    for proc in library.procedures.values():
        if proc.abstract:
            continue
        out.extend(_graph_problems(proc))
        out.extend(p for r in proc.rules if r.kind == RuleKind.DEADLINE
                   for p in _article_period_problems(r, library.articles, None))
    return list(dict.fromkeys(out))  # a rule inherited by several templates is reported once


def _graph_problems(proc: Procedure) -> list[Problem]:
    """Unreachable states and endings, and dead ends, on the graph `lawdrill graph` draws (sim.graph: read
    from the machine the engine runs)."""
    if not proc.states:
        return []  # an abstract template: only rules, no graph
    graph = build_graph(proc)
    unreachable = {n.id for n in graph.unreachable()}
    leaves = {n.id: any(not e.loop for e in graph.out_edges(n.id)) for n in graph.nodes}
    out = []
    for s in proc.states:
        if s.id in unreachable:
            if s.final:
                out.append(_problem("error", "unreachable-ending",
                                    f"程序「{proc.id}」的结束状态「{s.label}」（{s.id}）从初始状态出发没有任何途径可以到达："
                                    "请检查各动作的 from/to，或删除这个状态", s.pos))
            else:
                out.append(_problem("error", "unreachable-state",
                                    f"程序「{proc.id}」的状态「{s.label}」（{s.id}）从初始状态出发无法到达："
                                    "请检查各动作和事件的 from/to", s.pos))
        elif not s.final and not leaves[s.id]:
            out.append(_problem("error", "dead-end",
                                f"程序「{proc.id}」的状态「{s.label}」（{s.id}）不是结束状态，却没有任何动作或事件能离开它："
                                "案件会卡在这里。请增加离开它的动作，或把它标为 final", s.pos))
    return out


_STATED = re.compile(r"([0-9]+|[零一二两三四五六七八九十百]+)(个工作日|工作日|个月|日|天|年|小时)")
_UNITS = {"个工作日": Unit.WORKING_DAYS, "工作日": Unit.WORKING_DAYS, "个月": Unit.MONTHS, "日": Unit.DAYS,
          "天": Unit.DAYS, "年": Unit.MONTHS, "小时": Unit.HOURS}


def stated_periods(text: str) -> list[Period]:
    """Periods an article's text states: 七个工作日内 -> 7 working_days, 三个月 -> 3 months, 二年 -> 24 months."""
    out = []
    for num, unit in _STATED.findall(text):
        try:
            n = int(num) if num.isdigit() else _zh_number(num.replace("两", "二"))
        except ValueError:
            continue
        if n <= 0:
            continue
        out.append(Period(n * 12 if unit == "年" else n, _UNITS[unit].value))
    return out


def _period_matches(rule: Period, stated: Period) -> bool:
    if rule == stated:
        return True
    # 《行政处罚法》第八十五条 (二日、三日、五日、七日) and 《行政强制法》第六十九条 (十日以内): a statute's "N日" of
    # ten days or less is counted in working days.
    return (rule.unit == Unit.WORKING_DAYS.value and stated.unit == Unit.DAYS.value
            and stated.length == rule.length <= 10)


def _working_day_law(r: RuleSpec, period: Period, stated: list[Period], articles: dict[str, Any]) -> bool:
    """《行政许可法》第八十二条: every period of that law is counted in working days, whatever its length, and a
    period extended by another (二十日 + 延长十日) is their sum. True where a rule citing such an article states
    one of those."""
    if period.unit != Unit.WORKING_DAYS.value or not any(
            c in articles and "期限以工作日计算" in articles[c].text for c in r.cite):
        return False
    days = [p.length for p in stated if p.unit == Unit.DAYS.value]
    # Two different stated periods (二十日 and 延长十日), not one counted twice.
    return period.length in days or period.length in {a + b for i, a in enumerate(days) for b in days[i + 1:]}


def _article_period_problems(r: RuleSpec, articles: dict[str, Any], case: str | None) -> list[Problem]:
    assert r.deadline is not None
    period = r.deadline.within or r.deadline.not_before
    if period is None or period.length == 0:
        return []
    stated = [p for c in r.cite if c in articles for p in stated_periods(articles[c].text)]
    if not stated or any(_period_matches(period, p) for p in stated) or _working_day_law(r, period, stated, articles):
        return []
    said = "、".join(dict.fromkeys(p.label() for p in stated))
    return [_problem("error", "deadline-article-mismatch",
                     f"规则「{r.id}」期限与所引条文不一致：规则写的是 {period.label()}，所引条文规定的是 {said}",
                     r.pos, case)]


# --- the per-case check ------------------------------------------------------------------------------------


def check_case(library: Any, scenario: Scenario, *, calendar: LegalCalendar | None = None,
               fast: bool = False, selftests: bool = True) -> CaseCheck:
    """Everything the deep check proves about one case. `fast` skips mutation and boundary work;
    `selftests=False` leaves out the self-tests (for a caller that runs and reports them itself)."""
    cal = calendar or LegalCalendar.default()
    problems: list[Problem] = []
    if selftests:
        problems += _self_test_problems(scenario, cal)
    problems += _usage_warnings(scenario)
    problems += gaming_problems(scenario, cal)
    articles = getattr(library, "articles", scenario.articles)
    for r in scenario.procedure.rules:
        if r.kind == RuleKind.DEADLINE and r.pos.file == scenario.path:
            problems += _article_period_problems(r, articles, scenario.id)
    stats = MutationStats(0, 0, 0, ())
    boundaries = 0
    paths = [_Path(scenario, t, cal) for t in scenario.references]
    for p in paths:
        problems += p.mark_problems()
    if not fast:
        parts = []
        for p in paths:
            if p.refused:
                continue  # a reference path that does not play is already an error of its self-test
            st, found = p.mutate()
            parts.append(st)
            problems += found
            n, found = p.boundaries(articles)
            boundaries += n
            problems += found
        stats = MutationStats(sum(s.total for s in parts), sum(s.lawful for s in parts),
                              sum(s.killed for s in parts), tuple(d for s in parts for d in s.survivors),
                              sum(s.impossible for s in parts))
    return CaseCheck(scenario.id, tuple(problems), stats, boundaries)


def gaming_problems(sc: Scenario, cal: LegalCalendar | None = None) -> list[Problem]:
    """The case cannot be gamed (sim.gaming): the empty path, every strict prefix of a reference path and the
    shortest path to each final state fail unless they reach a lawful outcome."""
    from .gaming import hits

    return [_problem("error", "gameable", h.message(), h.probe.pos, sc.id) for h in hits(sc, calendar=cal)]


def _self_test_problems(sc: Scenario, cal: LegalCalendar) -> list[Problem]:
    from .selftest import run_selftest

    out = []
    for t in sc.selftests:
        rep = run_selftest(sc, t, calendar=cal)
        kind = "参考路径" if t.reference else "陷阱"
        for prob in rep.problems:
            out.append(_problem("error", "selftest-failed", f"{kind}「{t.name}」：{prob}", t.pos, sc.id))
    return out


def _expressions(sc: Scenario) -> list[Any]:
    """Every expression of a case: its rules, conditions, events' conditions and outcomes."""
    proc = sc.procedure
    exprs = [e for r in proc.rules for e in (r.when, r.expr, r.unless) if e is not None]
    exprs += list(proc.conditions.values())
    exprs += [ev.when for t in (sc.script, *(t.script or () for t in sc.selftests)) for ev in t if ev.when]
    exprs += [e for o in sc.outcomes for e in (o.when, *(st.holds for st in o.stages)) if e is not None]
    return exprs


def facts_read(sc: Scenario) -> set[str]:
    """The facts (facts.X) some rule, condition or outcome of the case reads; the others are narrative."""
    exprs = _expressions(sc)
    read = {attr for e in exprs for root, attr in e.attrs_read if root == "facts"}
    if any(fn == "competent_receiver" for e in exprs for fn, _ in e.calls) or any(
            o.kind is OutcomeKind.REFERRAL and o.derived for o in sc.outcomes):
        read.add("refer_to")  # read by competent_receiver() and the derived referral outcome
    if any(o.derived for o in sc.outcomes):
        read.add("crime_suspected")  # sim.outcomes.derive reads it
    return read


def _usage_warnings(sc: Scenario) -> list[Problem]:
    proc = sc.procedure
    exprs = _expressions(sc)
    read = facts_read(sc)
    sources = " ".join(e.source for e in exprs)
    collected = {e for t in sc.selftests for s in t.steps for e in (s.params.get("evidence") or ())}
    where = _key_positions(sc.path)
    out = []
    for k in sc.facts:
        if k not in read:
            out.append(_problem("warning", "unused-fact",
                                f"案情事实 facts.{k} 没有被任何规则或条件读取：它只是叙述，不影响评分", 
                                where.get(("facts", k), sc.pos), sc.id))
    for ev in sc.evidence:
        if ev.id not in collected and not re.search(rf"\b{re.escape(ev.id)}\b", sources):
            out.append(_problem("warning", "unused-evidence",
                                f"证据「{ev.label}」（{ev.id}）在任何参考路径和陷阱中都没有被收集，也没有规则提到它",
                                where.get(("evidence", ev.id), sc.pos), sc.id))
    triggered = {f for t in sc.traps for f in (t.expect_findings or ())}
    for r in proc.rules:
        if r.pos.file == sc.path and r.id not in triggered:
            out.append(_problem("warning", "rule-untriggered",
                                f"本案规则「{r.id}」（{r.title}）没有任何陷阱触发它：请写一个陷阱证明它能发现问题",
                                r.pos, sc.id))
    return out


def _key_positions(path: str) -> dict[tuple[str, str], Pos]:
    """(section, key) -> position, for the case file's `facts` and `evidence` keys (warnings point at them)."""
    try:
        doc = parse_file(Path(path))
    except (YamlError, OSError):
        return {}
    out: dict[tuple[str, str], Pos] = {}
    if isinstance(doc, YMap):
        for section in ("facts", "evidence"):
            node = doc.get(section)
            if isinstance(node, YMap):
                for k in node:
                    line, col = node.at(k)
                    out[(section, str(k))] = Pos(path, line, col)
    return out


# --- one reference path: its resolved times, its mutants, its deadline boundaries ----------------------------


@attrs.frozen
class _Mutant:
    kind: str
    index: int  # the mutated act's step index; the mutant is the path's first `index` steps, then `rest`
    rest: tuple[Step, ...]
    moved: tuple[int, ...]  # indices, in `rest`, of the mutated acts (refused there = impossible)
    description: str

    def steps(self, prefix: Sequence[Step]) -> tuple[Step, ...]:
        return tuple(prefix[: self.index]) + self.rest


class _Path:
    def __init__(self, sc: Scenario, test: SelfTest, cal: LegalCalendar):
        self.sc, self.test, self.cal = sc, test, cal
        # Play once, remembering the moment each step happened: mutants use absolute times, so moving one
        # step never moves another by accident ("+2 days" after a dropped step).
        s, refused = play_steps(sc, test.steps, script=test.script, calendar=cal)
        self.refused = refused
        self.base_findings = set(s.result.rule_ids()) if s.result else set()
        self.session = s
        self.steps = [st for st in test.steps if st.do != "finish"]
        self.times: list[dt.datetime] = []
        acts = iter(s.acts)
        clock = sc.discovered
        self.records: dict[int, Any] = {}
        refused_at = {i for i, _ in refused}
        for i, st in enumerate(self.steps):
            if st.do == "advance":
                clock = s.resolve_time(st.at) if not str(st.at or "").startswith("+") else \
                    _relative(s, clock, str(st.at))
            elif i not in refused_at:
                rec = next(acts)
                self.records[i] = rec
                clock = rec.at
            self.times.append(clock)
        self.names = self._names()

    # step names: `do`, `do@N`, `advance@N`
    def _names(self) -> dict[int, str]:
        count: dict[str, int] = {}
        total: dict[str, int] = {}
        for st in self.steps:
            total[st.do] = total.get(st.do, 0) + 1
        out = {}
        for i, st in enumerate(self.steps):
            count[st.do] = count.get(st.do, 0) + 1
            out[i] = st.do if total[st.do] == 1 and st.do != "advance" else f"{st.do}@{count[st.do]}"
        return out

    def resolve(self, name: str) -> tuple[int | None, str]:
        """Step index for a name in a lawful marking, or (None, why not)."""
        base, _, nth = name.partition("@")
        matches = [i for i, st in enumerate(self.steps) if st.do == base]
        if not matches:
            known = "、".join(dict.fromkeys(self.names.values()))
            return None, f"参考路径中没有步骤「{name}」（可写：{known}）"
        if not nth:
            if len(matches) > 1 or base == "advance":
                return None, f"参考路径中有 {len(matches)} 个「{base}」步骤，请写明第几个，如 {base}@1"
            return matches[0], ""
        if not nth.isdigit() or not 1 <= int(nth) <= len(matches):
            return None, f"参考路径中只有 {len(matches)} 个「{base}」步骤，没有「{name}」"
        return matches[int(nth) - 1], ""

    def mark_problems(self) -> list[Problem]:
        out = []
        for m in self.test.lawful:
            i, why = self.resolve(m.step)
            if i is None:
                out.append(_problem("error", "lawful-unknown-step", f"lawful 标记「{m.mutation}: {m.step}」：{why}",
                                    m.pos, self.sc.id))
            elif self.steps[i].do == "advance":
                out.append(_problem("error", "lawful-unknown-step",
                                    f"lawful 标记「{m.mutation}: {m.step}」：时间推进步骤不做变异，只有执法动作才做",
                                    m.pos, self.sc.id))
        return out

    def _label(self, i: int) -> str:
        st = self.steps[i]
        if st.do == "advance":
            return f"时间推进至 {self.times[i]:%Y-%m-%d}"
        return self.sc.procedure.actions[st.do].label

    def _at(self, st: Step, when: dt.datetime) -> Step:
        return attrs.evolve(st, at=when.isoformat())

    def _absolute(self) -> list[Step]:
        return [self._at(st, t) for st, t in zip(self.steps, self.times)]

    def mutants(self) -> list[_Mutant]:
        """Every mutant, in step order (mutants of one step share the path's first steps)."""
        steps = self._absolute()
        out = []
        acts = [i for i, st in enumerate(self.steps) if st.do != "advance" and i in self.records]
        for i in acts:
            where = f"第 {i + 1} 步「{self._label(i)}」（{self.names[i]}）"
            out.append(_Mutant("drop", i, tuple(steps[i + 1:]), (), f"省略{where}"))
            if i + 1 < len(steps):
                a, b = self._at(self.steps[i], self.times[i + 1]), self._at(self.steps[i + 1], self.times[i])
                # With an `advance` next, the wait comes first and the act after it: only the act can be refused.
                moved: tuple[int, ...] = (1,) if self.steps[i + 1].do == "advance" else (0, 1)
                out.append(_Mutant("swap", i, (b, a, *steps[i + 2:]), moved,
                                   f"将{where}与下一步「{self._label(i + 1)}」对调"))
            out.append(_Mutant("repeat", i, (steps[i], steps[i], *steps[i + 1:]), (1,), f"在{where}之后立即重复一次"))
            later = tuple(self._at(st, t + DELAY) for st, t in zip(self.steps[i:], self.times[i:]))
            out.append(_Mutant("delay", i, later, (0,), f"将{where}及其后各步推迟 {DELAY.days} 日"))
        return out

    def _play_mutants(self, mutants: list[_Mutant]) -> Iterable[tuple[_Mutant, Any, set[int]]]:
        """Play each mutant: the shared beginning once, then a fork of it per mutant."""
        steps = self._absolute()
        base = Session(self.sc, calendar=self.cal, wall_clock=lambda: 0.0, script=self.test.script)
        done = 0
        for mu in mutants:
            play_more(base, steps[done:mu.index])
            done = mu.index
            s = base.fork()
            refused = {i for i, _ in play_more(s, mu.rest)}
            s.finish()
            yield mu, s, refused
            s.close()
        base.close()

    def mutate(self) -> tuple[MutationStats, list[Problem]]:
        marks: dict[tuple[str, int], LawfulMark] = {}
        for m in self.test.lawful:
            i, _ = self.resolve(m.step)
            if i is not None:
                marks[(m.mutation, i)] = m
        problems: list[Problem] = []
        total = lawful = killed = impossible = 0
        survivors = []
        made: set[tuple[str, int]] = set()
        for mu, s, refused_at in self._play_mutants(self.mutants()):
            made.add((mu.kind, mu.index))
            mark = marks.get((mu.kind, mu.index))
            if any(i in refused_at for i in mu.moved):
                impossible += 1
                if mark is not None:
                    problems.append(_problem(
                        "error", "lawful-stale",
                        f"lawful 标记「{mark.mutation}: {mark.step}」已过时：系统不允许这样办理（{mu.description}），"
                        "无需标记，请删除", mark.pos, self.sc.id))
                continue
            total += 1
            got = set(s.result.rule_ids()) - self.base_findings if s.result else set()
            step = self.steps[mu.index]
            if got:
                killed += 1
                if mark is not None:
                    problems.append(_problem(
                        "error", "lawful-stale",
                        f"lawful 标记「{mark.mutation}: {mark.step}」已过时：这样办理会触发 {'、'.join(sorted(got))}，"
                        "并不合法。请删除这条标记（或修正规则）", mark.pos, self.sc.id))
                continue
            if mark is not None:
                lawful += 1
                continue
            desc = f"参考路径「{self.test.name}」：{mu.description}"
            survivors.append(desc)
            problems.append(_problem(
                "error", "mutant-survived",
                f"{desc}，没有任何规则发现问题。若这样办理违法，请增加规则（并写一个触发它的陷阱）；"
                f"若合法，请在该参考路径的 lawful 中写明 {{{mu.kind}: {self.names[mu.index]}, why: 理由}}",
                step.pos, self.sc.id))
        for (kind, i), m in marks.items():
            if (kind, i) not in made and self.steps[i].do != "advance":
                problems.append(_problem("error", "lawful-unknown-step",
                                         f"lawful 标记「{m.mutation}: {m.step}」：这一步没有「{MUTATION_LABELS[kind]}」"
                                         "这种变异（最后一步不能与下一步对调）", m.pos, self.sc.id))
        return MutationStats(total, lawful, killed, tuple(survivors), impossible), problems

    # --- deadline boundaries ---------------------------------------------------------------------------

    def boundaries(self, articles: dict[str, Any]) -> tuple[int, list[Problem]]:
        checked = 0
        out: list[Problem] = []
        for r in machine_for(self.sc.procedure).deadline_rules:
            n, found = self._boundary(r, articles)
            checked += n
            out += found
        return checked, out

    def _end_step(self, r: RuleSpec) -> tuple[int, dt.timedelta] | None:
        """The step whose act is the rule's end anchor (first occurrence), and the offset from the act to the
        moment measured (a served anchor is measured at the document's effective date)."""
        end = r.deadline.end if r.deadline else None
        if end is None or end.kind not in ("act", "served"):
            return None
        for i in sorted(self.records):
            rec = self.records[i]
            if end.kind == "act" and rec.name == end.ref:
                return i, dt.timedelta()
            if end.kind == "served" and rec.effective is not None and rec.params.get("target") == end.ref:
                return i, rec.effective - rec.at
        return None

    def _moved(self, i: int, when: dt.datetime) -> tuple[Step, ...] | None:
        delta = when - self.times[i]
        if i > 0 and when < self.times[i - 1]:
            return None  # cannot go there without passing an earlier step
        steps = self._absolute()
        return tuple(steps[:i] + [self._at(st, t + delta) for st, t in zip(self.steps[i:], self.times[i:])])

    def _play_at(self, r: RuleSpec, i: int, when: dt.datetime, start_key: str, start: dt.datetime
                 ) -> bool | None:
        """Does the rule find a problem with its end act at `when`? None: this variant cannot be played or
        changes the start anchor (the boundary is not measurable there)."""
        steps = self._moved(i, when)
        if steps is None:
            return None
        s, refused = play_steps(self.sc, steps, script=self.test.script, calendar=self.cal)
        if any(j == i for j, _ in refused) or s.anchor(start_key) != start:
            return None
        return r.id in (s.result.rule_ids() if s.result else [])

    def _boundary(self, r: RuleSpec, articles: dict[str, Any]) -> tuple[int, list[Problem]]:
        dl = r.deadline
        assert dl is not None
        start_key = str(dl.start)
        start = self.session.anchor(start_key)
        hit = self._end_step(r)
        if start is None or hit is None:
            return 0, []
        i, offset = hit
        period = dl.within or dl.not_before
        assert period is not None
        if dl.not_before is not None and period.unit == Unit.HOURS.value:
            return 0, []
        if self.times[i] + offset < start:
            return 0, []
        out: list[Problem] = []
        ctx = f"案例「{self.sc.id}」参考路径「{self.test.name}」"
        naive = naive_last_moment(self.cal, start, period)
        engine = self.cal.deadline(start, period.length, period.unit)
        engine_last = engine.due_at if period.unit == Unit.HOURS.value else engine.due
        naive_last = naive if period.unit == Unit.HOURS.value else naive.date()
        if engine_last != naive_last:
            out.append(_problem("error", "deadline-arithmetic",
                                f"规则「{r.id}」（{ctx}）：自 {start:%Y-%m-%d %H:%M} 起 {period.label()}，引擎算得届满于 "
                                f"{engine_last}，逐日计数为 {naive_last}：期限计算不一致", r.pos, self.sc.id))
        n, found = self._probe(r, i, offset, naive, period, start_key, start, ctx, "")
        out += found
        # The law's own period, where the rule's differs from what the cited article states.
        stated = [p for c in r.cite if c in articles for p in stated_periods(articles[c].text)
                  if p.unit == period.unit or (period.unit == Unit.WORKING_DAYS.value and p.unit == Unit.DAYS.value
                                               and p.length <= 10)]
        if period.length and stated and not any(_period_matches(period, p) for p in stated) and len(
                {p.length for p in stated}) == 1 and not _working_day_law(
                    r, period, [p for c in r.cite if c in articles for p in stated_periods(articles[c].text)], articles):
            law = Period(stated[0].length, period.unit)
            m, found = self._probe(r, i, offset, naive_last_moment(self.cal, start, law), law, start_key, start,
                                   ctx, f"按所引条文的 {law.label()}，")
            out += found
            n += m
        return n, out

    def _probe(self, r: RuleSpec, i: int, offset: dt.timedelta, last: dt.datetime, period: Period,
               start_key: str, start: dt.datetime, ctx: str, basis: str) -> tuple[int, list[Problem]]:
        dl = r.deadline
        assert dl is not None
        unit = _ONE_HOUR if period.unit == Unit.HOURS.value else _ONE_DAY
        orig = self.times[i] + offset
        day_moment = last if period.unit == Unit.HOURS.value else dt.datetime.combine(last.date(), orig.time())
        if dl.within is not None:
            ok_at, bad_at, far_at = day_moment, day_moment + unit, day_moment + 40 * unit
            ok_what, bad_what = "最后一日（时）", "期满后一日（时）"
        else:
            first_ok = day_moment if dl.inclusive else day_moment + unit
            ok_at, bad_at, far_at = first_ok, first_ok - unit, start + dt.timedelta(minutes=1) + offset
            ok_what, bad_what = "最早允许的一日", "前一日"
        ok = self._play_at(r, i, ok_at - offset, start_key, start)
        bad = self._play_at(r, i, bad_at - offset, start_key, start)
        if bad is False:
            far = self._play_at(r, i, far_at - offset, start_key, start)
            if far is not True:
                return 0, []  # the rule does not apply on this path (its when/unless), or cannot be reached
        if ok is None or bad is None:
            return 0, []
        out = []
        if ok:
            out.append(_problem("error", "deadline-boundary",
                                f"规则「{r.id}」（{ctx}）：{basis}自 {start:%Y-%m-%d %H:%M} 起 {period.label()}，"
                                f"{ok_what}为 {ok_at:%Y-%m-%d %H:%M}，在这一时间办理仍被认定违反期限", r.pos, self.sc.id))
        if not bad:
            out.append(_problem("error", "deadline-boundary",
                                f"规则「{r.id}」（{ctx}）：{basis}自 {start:%Y-%m-%d %H:%M} 起 {period.label()}，"
                                f"{bad_what}（{bad_at:%Y-%m-%d %H:%M}）办理却没有被发现", r.pos, self.sc.id))
        return 1, out


def _relative(s: Any, clock: dt.datetime, text: str) -> dt.datetime:
    from .session import _to_datetime

    return _to_datetime(text, clock, s.calendar)


# --- the independent counter ---------------------------------------------------------------------------------


def naive_last_moment(cal: LegalCalendar, start: dt.datetime, period: Period) -> dt.datetime:
    """The last lawful moment of a period, counted one day at a time over the calendar's day statuses (not with
    the engine's period arithmetic, which it checks). Days: the day's start (the date is what matters).

    The starting day is not counted (《民事诉讼法》第八十五条); working days step over rest days; a calendar-day
    or month period ending on a rest day moves to the next working day; months end on the corresponding date
    or the month's last day (《民法典》第二百零二条); hours are exact."""
    n, unit = period.length, period.unit
    if unit == Unit.HOURS.value:
        return start + dt.timedelta(hours=n)
    day = start.date()
    if unit == Unit.WORKING_DAYS.value:
        counted = 0
        while counted < n:
            day += _ONE_DAY
            if cal.day(day).workday:
                counted += 1
        return dt.datetime.combine(day, dt.time())
    if unit == Unit.DAYS.value:
        for _ in range(n):
            day += _ONE_DAY
    else:
        month = day.month - 1 + n
        year, month = day.year + month // 12, month % 12 + 1
        d = day.day
        while True:
            try:
                day = dt.date(year, month, d)
                break
            except ValueError:
                d -= 1
    if n > 0:
        while not cal.day(day).workday:
            day += _ONE_DAY
    return dt.datetime.combine(day, dt.time())


__all__: Sequence[str] = ("CaseCheck", "DELAY", "MutationStats", "Problem", "check_case",
                          "check_library_structure", "naive_last_moment", "stated_periods")
