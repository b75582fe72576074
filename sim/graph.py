"""The state graph of a procedure, read from the same `transitions` machine the engine runs.

Nodes are the procedure's states (Chinese labels, initial and final marked); edges are the machine's
transitions: one per (trigger, source state), an act that does not move the case being a loop on its state.
A case's reference path can be laid over it (the edges its acts took), and every action edge carries the
number of rules that look at that act, so a trainer sees where the law bites. Renderers for Mermaid and
Graphviz DOT live here too; the text view is the UI's business (tui/graph.py). No UI imports.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable

import attrs

from .machine import ProcedureMachine, event_trigger, machine_for
from .model import Procedure, RuleKind, Scenario, SelfTest

FORMATS = ("mermaid", "dot")


class GraphError(Exception):
    """The graph cannot be drawn (a template with no states, a path that does not exist)."""


@attrs.frozen
class Node:
    id: str
    label: str
    initial: bool
    final: bool


@attrs.frozen
class Edge:
    source: str
    dest: str  # == source for an act that leaves the state unchanged
    trigger: str  # the machine's trigger name (action id, or event:<id>)
    name: str  # action or world-event id
    label: str
    kind: str  # "action" | "event"
    rules: int = 0  # rules that look at this act (order / check / forbid on it, deadlines ending with it)
    taken: tuple[int, ...] = ()  # 1-based positions on the overlaid path where this edge was taken

    @property
    def loop(self) -> bool:
        return self.source == self.dest


@attrs.frozen
class StateGraph:
    id: str  # procedure id
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    case: str = ""  # case id when drawn for a case
    path: str = ""  # name of the overlaid reference path, if any

    def node(self, nid: str) -> Node:
        return next(n for n in self.nodes if n.id == nid)

    def out_edges(self, nid: str) -> list[Edge]:
        return [e for e in self.edges if e.source == nid]

    def layers(self) -> list[list[Node]]:
        """States reachable from the initial state, by distance from it (breadth first, in declaration
        order within a layer)."""
        order = {n.id: i for i, n in enumerate(self.nodes)}
        start = next((n.id for n in self.nodes if n.initial), self.nodes[0].id if self.nodes else "")
        depth = {start: 0} if start else {}
        todo = deque([start] if start else [])
        while todo:
            here = todo.popleft()
            for e in sorted(self.out_edges(here), key=lambda e: order[e.dest]):
                if e.dest not in depth:
                    depth[e.dest] = depth[here] + 1
                    todo.append(e.dest)
        out: list[list[Node]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
        for n in self.nodes:
            if n.id in depth:
                out[depth[n.id]].append(n)
        return out

    def unreachable(self) -> list[Node]:
        """States no sequence of transitions leads to from the initial state (an authoring slip)."""
        seen = {n.id for layer in self.layers() for n in layer}
        return [n for n in self.nodes if n.id not in seen]


def rule_counts(proc: Procedure) -> dict[str, int]:
    """Action id -> number of rules that look at it: the order/check/forbid rules on the act, and the
    deadline rules whose period ends with the act (or with the service of its document)."""
    m = machine_for(proc)
    counts = {a: len(rs) for a, rs in m.rules_on.items()}
    for r in proc.rules:
        if r.kind == RuleKind.DEADLINE and r.deadline is not None and r.deadline.end is not None:
            end = r.deadline.end
            if end.kind in ("act", "served") and end.ref in counts:
                counts[end.ref] += 1
    return counts


def build_graph(proc: Procedure, *, path: Iterable[tuple[str, str, str]] = (), case: str = "",
                path_name: str = "") -> StateGraph:
    """The graph of `proc` from its machine. `path`: (source state, trigger, dest state) steps to overlay."""
    if not proc.states:
        raise GraphError(f"程序模板「{proc.id}」没有定义状态（通用模板只提供规则），无法画出状态图")
    m = machine_for(proc)
    counts = rule_counts(proc)
    taken: dict[tuple[str, str], list[int]] = {}
    for i, (src, trig, _dest) in enumerate(path, 1):
        taken.setdefault((trig, src), []).append(i)
    nodes = tuple(Node(s.id, s.label, s.initial, s.final) for s in proc.states)
    events_by_trigger = {event_trigger(e.id): e for e in proc.events.values()}
    edges: list[Edge] = []
    for trig, ev in m.machine.events.items():
        for src, transitions in ev.transitions.items():
            for t in transitions:
                dest = t.dest if t.dest is not None else src
                if trig in proc.actions:
                    spec = proc.actions[trig]
                    edges.append(Edge(src, dest, trig, spec.id, spec.label, "action", counts.get(trig, 0),
                                      tuple(taken.get((trig, src), ()))))
                else:
                    w = events_by_trigger[trig]
                    edges.append(Edge(src, dest, trig, w.id, w.label, "event", 0,
                                      tuple(taken.get((trig, src), ()))))
    return StateGraph(proc.id, proc.title, nodes, tuple(edges), case=case, path=path_name)


def reference_path(scenario: Scenario, test: SelfTest) -> list[tuple[str, str, str]]:
    """Play a self-test headless and return the transitions it took, world events that moved the case
    between two acts included."""
    from .selftest import play

    session, _ = play(scenario, test)
    try:
        proc = scenario.procedure
        m = machine_for(proc)
        steps: list[tuple[str, str, str]] = []
        here = proc.initial
        for act in session.acts:
            if act.state_before != here:
                steps.extend(_event_steps(proc, m, here, act.state_before))
            steps.append((act.state_before, act.name, act.state_after))
            here = act.state_after
        if session.state != here:
            steps.extend(_event_steps(proc, m, here, session.state))
        return steps
    finally:
        session.close()


def _event_steps(proc: Procedure, m: ProcedureMachine, src: str, dest: str) -> list[tuple[str, str, str]]:
    """The world event that moved the case from src to dest between two acts (if one edge explains it)."""
    for e in proc.events.values():
        trig = event_trigger(e.id)
        if e.dest == dest and m.possible(trig, src):
            return [(src, trig, dest)]
    return []


def case_graph(scenario: Scenario, path: int | None = None) -> StateGraph:
    """The graph of a case's procedure, with its reference path number `path` (1-based) overlaid."""
    if path is None:
        return build_graph(scenario.procedure, case=scenario.id)
    refs = scenario.references
    if not refs:
        raise GraphError(f"案例「{scenario.id}」没有参考路径")
    if not 1 <= path <= len(refs):
        raise GraphError(f"案例「{scenario.id}」只有 {len(refs)} 条参考路径，没有第 {path} 条")
    test = refs[path - 1]
    return build_graph(scenario.procedure, path=reference_path(scenario, test), case=scenario.id,
                       path_name=test.name)


# --- renderers ----------------------------------------------------------------------------------------------


def _edge_text(e: Edge) -> str:
    text = e.label
    if e.rules:
        text += f"（规则 {e.rules}）"
    if e.taken:
        text += "［第 " + "、".join(str(i) for i in e.taken) + " 步］"
    return text


def mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: quotes and the characters Mermaid reads as markup become its
    #entity; codes (it has no backslash escapes), line breaks become spaces."""
    out = []
    for ch in " ".join(text.split()):
        if ch in '"#<>&[]{}()|;`\\':
            out.append(f"#{ord(ch)};")
        else:
            out.append(ch)
    return "".join(out)


def to_mermaid(g: StateGraph) -> str:
    ids = {n.id: f"s{i}" for i, n in enumerate(g.nodes)}
    title = g.title + (f" · {g.case}" if g.case else "") + (f" · 参考路径：{g.path}" if g.path else "")
    lines = ["---", f'title: "{mermaid_text(title)}"', "---", "flowchart LR"]
    lines.append('    start(("开始"))')
    for n in g.nodes:
        label = mermaid_text(n.label)
        lines.append(f'    {ids[n.id]}((("{label}")))' if n.final else f'    {ids[n.id]}["{label}"]')
    link = 0
    initial = next((n for n in g.nodes if n.initial), None)
    if initial is not None:
        lines.append(f"    start --> {ids[initial.id]}")
        link += 1
    path_links, rule_links = [], []
    for e in g.edges:
        arrow = "-.->" if e.kind == "event" else ("==>" if e.taken else "-->")
        lines.append(f'    {ids[e.source]} {arrow}|"{mermaid_text(_edge_text(e))}"| {ids[e.dest]}')
        if e.taken:
            path_links.append(link)
        elif e.rules:
            rule_links.append(link)
        link += 1
    lines.append("    classDef final stroke-width:3px")
    finals = [ids[n.id] for n in g.nodes if n.final]
    if finals:
        lines.append(f"    class {','.join(finals)} final")
    if rule_links:
        lines.append(f"    linkStyle {','.join(map(str, rule_links))} stroke:#b58900")
    if path_links:
        lines.append(f"    linkStyle {','.join(map(str, path_links))} stroke:#d33682,stroke-width:3px")
    return "\n".join(lines) + "\n"


def dot_text(text: str) -> str:
    """A DOT double-quoted string: backslash and quote escaped, line breaks as \\n."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"\r\n|\r|\n", r"\\n", text) + '"'


def to_dot(g: StateGraph) -> str:
    title = g.title + (f" · {g.case}" if g.case else "") + (f" · 参考路径：{g.path}" if g.path else "")
    lines = [
        f"digraph {dot_text(g.case or g.id)} {{",
        f"  label={dot_text(title)};",
        "  labelloc=t;",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="sans-serif"];',
        '  edge [fontname="sans-serif", fontsize=10];',
        '  "__start__" [shape=point, label=""];',
    ]
    for n in g.nodes:
        attrs_ = [f"label={dot_text(n.label)}"]
        if n.final:
            attrs_.append("peripheries=2")
        if n.initial:
            attrs_.append("style=\"rounded,bold\"")
        lines.append(f"  {dot_text(n.id)} [{', '.join(attrs_)}];")
    initial = next((n for n in g.nodes if n.initial), None)
    if initial is not None:
        lines.append(f'  "__start__" -> {dot_text(initial.id)};')
    for e in g.edges:
        attrs_ = [f"label={dot_text(_edge_text(e))}", f"tooltip={dot_text(e.trigger)}"]
        if e.kind == "event":
            attrs_.append("style=dashed")
        if e.taken:
            attrs_ += ['color="#d33682"', "penwidth=3"]
        elif e.rules:
            attrs_.append('color="#b58900"')
        lines.append(f"  {dot_text(e.source)} -> {dot_text(e.dest)} [{', '.join(attrs_)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(g: StateGraph, fmt: str = "mermaid") -> str:
    if fmt == "mermaid":
        return to_mermaid(g)
    if fmt == "dot":
        return to_dot(g)
    raise GraphError(f"不支持的格式「{fmt}」（可选：{'、'.join(FORMATS)}）")
