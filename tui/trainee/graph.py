"""The state graph of a case as text: states layer by layer from the initial one, each with its acts and
where they lead; the reference path and the trainee's current state marked.

The graph itself comes from sim.graph (the engine's own machine); this screen only lays it out for a
terminal 100 columns wide: one line per act that moves the case, the acts that leave it where it is on one
wrapped line, world events in their own colour.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

if TYPE_CHECKING:
    from sim.graph import Edge, StateGraph
    from sim.model import Scenario

    from ..host import TraineeHost

LEGEND = "图例：▶ 当前状态　◆ 起始状态　◎ 结束状态　★ 参考路径经过（第几步）　⚖ 涉及的规则条数　～ 外部事件"


def _edge_label(e: Edge) -> Text:
    style = "bold magenta" if e.taken else ("italic cyan" if e.kind == "event" else "")
    text = Text()
    if e.taken:
        text.append("★" + "、".join(str(i) for i in e.taken) + " ", style="bold magenta")
    if e.kind == "event":
        text.append("～", style="cyan")
    text.append(e.label, style=style)
    if e.rules:
        text.append(f" ⚖{e.rules}", style="yellow")
    return text


LOOP_HEAD = "      ↻ 不改变状态："
LOOP_INDENT = " " * 8


def graph_text(g: StateGraph, current: str | None = None, width: int | None = None) -> Text:
    """The graph laid out as lines of text (see the module docstring). With `width`, the line of acts that
    leave a state unchanged wraps between acts, continued under an indent (a mark such as ⚖4 never
    starts a line of its own)."""
    out = Text()
    labels = {n.id: n.label for n in g.nodes}
    layers = g.layers()
    headed = [(f"第 {i} 层（距起始状态 {i - 1} 步）" if i > 1 else "第 1 层（起始状态）", layer)
              for i, layer in enumerate(layers, 1)]
    if g.unreachable():
        headed.append(("从起始状态无法到达的状态", g.unreachable()))
    for heading, layer in headed:
        out.append(f"── {heading} ──\n", style="dim")
        for n in layer:
            mark = "▶ " if n.id == current else "  "
            kind = "◆ " if n.initial else ("◎ " if n.final else "● ")
            line = Text(mark, style="bold reverse" if n.id == current else "")
            line.append(kind + n.label, style="bold reverse" if n.id == current else "bold")
            if n.id == current:
                line.append("  ← 当前所处状态", style="bold")
            if n.final:
                line.append("  （程序结束）", style="dim")
            out.append_text(line)
            out.append("\n")
            edges = g.out_edges(n.id)
            for e in (e for e in edges if not e.loop):
                out.append("      → ", style="dim")
                out.append_text(_edge_label(e))
                out.append("  ⇒ ", style="dim")
                out.append(labels[e.dest], style="bold magenta" if e.taken else "")
                out.append("\n")
            loops = [e for e in edges if e.loop]
            if loops:
                out.append(LOOP_HEAD, style="dim")
                used = cell_len(LOOP_HEAD)
                for i, e in enumerate(loops):
                    item = _edge_label(e)
                    if i:
                        item = Text("、", style="dim") + item
                    # + 2: room for the 、 that ends the line if the next act has to wrap
                    if width is not None and i and used + item.cell_len + 2 > width:
                        out.append("、", style="dim")
                        out.append("\n" + LOOP_INDENT)
                        item = item[1:]  # its 、 went at the end of the line before
                        used = cell_len(LOOP_INDENT)
                    out.append_text(item)
                    used += item.cell_len
                out.append("\n")
            if not edges and not n.final:
                out.append("      （没有可进行的动作）\n", style="dim")
        out.append("\n")
    return out


class GraphScreen(Screen[None]):
    """The graph of one case; p shows the next reference path (or none)."""

    CSS_PATH = Path(__file__).with_name("graph.tcss")
    AUTO_FOCUS = "#graph-scroll"
    BINDINGS = [
        Binding("p", "next_path", "参考路径", id="next-path"),
        Binding("escape", "back", "返回", id="back"),
    ]

    app: TraineeHost

    def __init__(self, scenario: Scenario, *, current: str | None = None, path: int | None = None) -> None:
        super().__init__()
        self.scenario = scenario
        self.current = current
        # From the workbench (a trainee mid-case) the reference path stays hidden until asked for with p.
        if path is None and current is None and scenario.references:
            path = 1
        self.path = path
        self.graph: StateGraph | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(f"状态图 · {self.scenario.title}"), classes="bar", id="graph-title")
        yield Static(id="graph-info", classes="subbar")
        with VerticalScroll(id="graph-scroll"):
            yield Static(id="graph-body")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        from sim.graph import GraphError, case_graph

        sc = self.scenario
        try:
            self.graph = case_graph(sc, self.path)
        except GraphError as exc:
            self.graph = None
            self.query_one("#graph-body", Static).update(Text(str(exc)))
            return
        g = self.graph
        info = Text(f"程序：{sc.procedure.title}　状态 {len(g.nodes)} 个，转换 {len(g.edges)} 条　")
        if self.path is not None:
            info.append(f"参考路径 {self.path}/{len(sc.references)}：{g.path}", style="magenta")
        elif sc.references:
            info.append("未显示参考路径（按 p 显示）", style="dim")
        info.append("\n" + LEGEND, style="dim")
        self.query_one("#graph-info", Static).update(info)
        self._lay_out()

    def _lay_out(self) -> None:
        if self.graph is not None:
            width = max(self.query_one("#graph-scroll").size.width - 2, 40)
            self.query_one("#graph-body", Static).update(graph_text(self.graph, self.current, width))

    def on_resize(self) -> None:
        self.call_after_refresh(self._lay_out)

    def action_next_path(self) -> None:
        n = len(self.scenario.references)
        if not n:
            self.notify("本案没有参考路径", markup=False)
            return
        self.path = 1 if self.path is None else (None if self.path >= n else self.path + 1)
        self.show()

    def action_back(self) -> None:
        self.app.pop_screen()

    def library_changed(self) -> None:
        """The library was reloaded: show the case's new version (gone or broken: the one shown stays)."""
        library = self.app.library
        fresh = library.scenarios.get(self.scenario.id) if library is not None else None
        if fresh is None or fresh is self.scenario:
            return
        self.scenario = fresh
        if self.path is not None and self.path > len(fresh.references):
            self.path = None
        self.query_one("#graph-title", Static).update(Text(f"状态图 · {fresh.title}"))
        self.show()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_active:
            return False
        if action == "next_path" and self.current is not None and self.app.mode == "exam":
            return False
        return True
