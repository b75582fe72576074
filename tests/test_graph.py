"""`lawdrill graph` and sim.graph: the state graph is the engine's own machine, in valid Mermaid and DOT."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pydot
import pytest

from sim import load_library
from sim.graph import GraphError, build_graph, case_graph, dot_text, mermaid_text, to_dot, to_mermaid
from sim.machine import machine_for
from sim.model import ActionSpec
from tui.cli import main

CASE = "straw-burning-01"
# pydot 4 calls pyparsing names pyparsing 3.3 has deprecated; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture(scope="module")
def scenario(library):
    return library.scenarios[CASE]


def machine_transitions(proc) -> set[tuple[str, str, str]]:
    """(trigger, source, dest) of every transition in the engine's machine; dest None = stays."""
    out = set()
    for trig, ev in machine_for(proc).machine.events.items():
        for src, ts in ev.transitions.items():
            for t in ts:
                out.add((trig, src, t.dest if t.dest is not None else src))
    return out


def mermaid_edges(text: str, g) -> list[tuple[str, str, str]]:
    """(label, source state, dest state) of every edge line of a Mermaid flowchart we wrote."""
    ids = {f"s{i}": n.id for i, n in enumerate(g.nodes)}
    edges = []
    for m in re.finditer(r'^    (s\d+) (?:-->|==>|-\.->)\|"([^"]*)"\| (s\d+)$', text, re.M):
        edges.append((m.group(2), ids[m.group(1)], ids[m.group(3)]))
    return edges


def test_graph_edges_are_exactly_the_machine_transitions(scenario):
    g = case_graph(scenario)
    got = [(e.trigger, e.source, e.dest) for e in g.edges]
    assert len(got) == len(set(got))
    assert set(got) == machine_transitions(scenario.procedure)
    assert [n.id for n in g.nodes] == [s.id for s in scenario.procedure.states]
    assert [n.id for n in g.nodes if n.initial] == [scenario.procedure.initial]
    assert {n.id for n in g.nodes if n.final} == {s.id for s in scenario.procedure.states if s.final}


def test_mermaid_has_its_header_and_every_transition_once(scenario):
    g = case_graph(scenario)
    text = to_mermaid(g)
    lines = text.splitlines()
    assert lines[0] == "---" and lines[3] == "flowchart LR"
    edges = mermaid_edges(text, g)
    assert len(edges) == len(g.edges) == len(machine_transitions(scenario.procedure))
    assert sorted((s, d) for _, s, d in edges) == sorted((e.source, e.dest) for e in g.edges)
    labels = [lab for lab, _, _ in edges]
    for e in g.edges:
        assert any(lab.startswith(mermaid_text(e.label)) for lab in labels), e.label
    for n in g.nodes:  # every state is declared with its Chinese label
        assert f'"{mermaid_text(n.label)}"' in text


def test_dot_parses_and_holds_every_transition(scenario):
    g = case_graph(scenario, 1)
    [parsed] = pydot.graph_from_dot_data(to_dot(g))
    edges = [(e.get_source().strip('"'), e.get_destination().strip('"'), e.get("tooltip").strip('"'))
             for e in parsed.get_edges() if e.get_source() != '"__start__"']
    assert sorted(edges) == sorted((e.source, e.dest, e.trigger) for e in g.edges)
    labels = {n.get_name().strip('"'): n.get("label") for n in parsed.get_nodes()}
    assert all(labels[n.id] == dot_text(n.label) for n in g.nodes)


def test_reference_path_overlay_marks_the_acts_taken_in_order(scenario):
    ref = scenario.references[0]
    g = case_graph(scenario, 1)
    acts = [s.do for s in ref.steps if s.do not in ("advance", "finish")]
    taken = sorted((i, e.name) for e in g.edges for i in e.taken if e.kind == "action")
    assert [name for _, name in taken] == acts
    text = to_mermaid(g)
    assert "linkStyle" in text and "［第 1 步］" in text


def test_rule_counts_show_where_the_law_bites(scenario):
    g = case_graph(scenario)
    m = machine_for(scenario.procedure)
    for e in g.edges:
        if e.kind == "action":
            assert e.rules >= len(m.rules_on[e.name])
    assert any(e.rules for e in g.edges)


def test_an_added_transition_shows_up(scenario):
    """A graph drawn by hand from the YAML would miss this; one read from the machine cannot."""
    proc = scenario.procedure
    extra = ActionSpec("reopen_case", "重新开启「案件」", "其他", ("closed",), "filed")
    bigger = attrs.evolve(proc, actions={**proc.actions, extra.id: extra})
    g = build_graph(bigger)
    assert ("reopen_case", "closed", "filed") in {(e.trigger, e.source, e.dest) for e in g.edges}
    text = to_mermaid(g)
    assert len(mermaid_edges(text, g)) == len(machine_transitions(proc)) + 1
    assert "重新开启「案件」" in text
    [parsed] = pydot.graph_from_dot_data(to_dot(g))
    assert len(parsed.get_edges()) == len(g.edges) + 1  # + the start arrow


def test_labels_are_escaped_for_each_format():
    nasty = 'a"b\\c [x] {y} (z) |p| #1; <i> 立案\n下一行'
    m = mermaid_text(nasty)
    assert '"' not in m and "[" not in m and "|" not in m and "\n" not in m and "立案" in m
    d = dot_text(nasty)
    [parsed] = pydot.graph_from_dot_data(f"digraph g {{ n [label={d}]; }}")
    assert parsed.get_nodes()[0].get("label") == d
    assert "\n" not in d and '\\"' in d


def test_template_without_states_is_refused_in_chinese(library):
    with pytest.raises(GraphError, match="没有定义状态"):
        build_graph(library.procedures["common"])


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_graph_case_template_and_output(capsys, tmp_path, scenario):
    code, out, _ = run(capsys, "graph", CASE)
    assert code == 0 and out.startswith("---\ntitle:") and "flowchart LR" in out
    code, out, _ = run(capsys, "graph", scenario.procedure.id, "--format", "dot")
    assert code == 0 and pydot.graph_from_dot_data(out)
    code, _, err = run(capsys, "graph", scenario.procedure.id, "--path", "1")
    assert code == 2 and "程序模板" in err
    target = tmp_path / "g.dot"
    code, out, _ = run(capsys, "graph", CASE, "--format", "dot", "--path", "1", "--output", target)
    assert code == 0 and "状态图已写入" in out
    assert "penwidth=3" in target.read_text(encoding="utf-8")


def test_cli_graph_bad_input(capsys):
    code, _, err = run(capsys, "graph", "no-such-case")
    assert code == 2 and "找不到案例或程序模板「no-such-case」" in err
    code, _, err = run(capsys, "graph", CASE, "--path", "99")
    assert code == 2 and "没有第 99 条" in err
    code, _, err = run(capsys, "graph", "common")
    assert code == 2 and "没有定义状态" in err
    code, _, err = run(capsys, "graph", CASE, "--format", "png")
    assert code == 2 and "png" in err
