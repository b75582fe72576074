"""The engine and the non-UI commands never import Textual or Rich (style.md, items 1 and 7).

Each check runs in a fresh interpreter: in this process pytest-textual-snapshot has long since imported both.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CASE_FILE = ROOT / "scenarios" / "cases" / "straw-burning-01.yaml"

UI_PACKAGES = ("textual", "rich")


def _run(code: str, tmp_path: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          encoding="utf-8", cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_sim_does_not_import_ui(tmp_path: Path) -> None:
    found = _run(f"""
        import json, sys
        import sim
        import sim.calendar, sim.loader, sim.session, sim.scoring, sim.selftest, sim.journal
        lib = sim.load_library()
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {UI_PACKAGES!r})))
    """, tmp_path)
    assert found == []


def test_cli_commands_do_not_import_ui(tmp_path: Path) -> None:
    steps = tmp_path / "steps.yaml"
    reference = yaml.safe_load(CASE_FILE.read_text(encoding="utf-8"))["reference"][0]["steps"]
    steps.write_text(yaml.safe_dump(reference, allow_unicode=True), encoding="utf-8")
    journal = tmp_path / "j.jsonl"
    found = _run(f"""
        import contextlib, io, json, sys
        import sim
        from tui.cli import main

        commands = [
            ["check", "-q", {str(CASE_FILE)!r}],
            ["deadline", "2026-09-30", "--working-days", "3"],
            ["deadline", "2026-09-30", "--days", "10", "--json"],
            ["run", "straw-burning-01", "--steps", {str(steps)!r}, "--journal", {str(journal)!r}],
            ["replay", {str(journal)!r}],
            ["rules"],
            ["cases"],
            ["deadline", "not-a-date", "--days", "1"],
        ]
        codes = []
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            for args in commands:
                codes.append(main(args))
        ui = sorted(m for m in sys.modules if m.split(".")[0] in {UI_PACKAGES!r})
        print(json.dumps({{"codes": codes, "ui": ui}}))
    """, tmp_path)
    # check may legitimately report problems in the library (exit 1); it must not crash (3).
    assert found["codes"][0] in (0, 1)
    assert found["codes"][1:] == [0, 0, 0, 0, 0, 0, 2]
    assert found["ui"] == []


def test_cli_module_imports_only_the_standard_library_at_top(tmp_path: Path) -> None:
    """Importing tui.cli alone loads no engine module: each command imports what it needs."""
    found = _run("""
        import json, sys
        import tui.cli
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("sim", "textual", "rich", "yaml"))))
    """, tmp_path)
    assert found == []


# --- the import graph: no circles in tui/, no private names across modules -------------------------------
#
# Read from the source with `ast`, not from a running interpreter, so an import inside a function, or under
# `if TYPE_CHECKING:`, counts as much as one at the top: each is a dependency a reader has to follow, and a
# circle through a function-level import is still a circle in the design (it only hides from Python's import
# machinery until the function runs). What does not count: the parent package that Python runs before a
# submodule (`tui.cli.check` imported means `tui/cli/__init__.py` ran); only what a module names.


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Every module of `package` (a folder under `root`) by dotted name; a package is its `__init__.py`."""
    out: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """(module imported from, [names]) for every import statement in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, [alias.name for alias in node.names]))
    return found


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """module -> the modules of `package` it imports (`from p import m` where m is a submodule counts as m)."""
    modules = module_files(root, package)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for module, names in _imports(name, path):
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules]
            if len(targets) < len(names) or not names:  # some names are attributes of `module` itself
                while module and module not in modules:  # `import tui.cli.check` names tui.cli.check
                    module = module.rpartition(".")[0]
                if module:
                    targets.append(module)
            graph[name].update(t for t in targets if t != name or not names)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle through each strongly connected group of modules (Tarjan), as [a, b, …, a]."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph.get(v, ()):
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for group in groups:
        start = min(group)
        path, seen = [start], {start}
        while True:  # walk inside the group until the start comes round again
            nxt = sorted(w for w in graph[path[-1]] if w in group)
            back = start in nxt
            if back:
                cycles.append([*path, start])
                break
            step = next((w for w in nxt if w not in seen), nxt[0])
            if step in seen:  # a smaller circle not through start: report that one
                cycles.append([*path[path.index(step):], step])
                break
            path.append(step)
            seen.add(step)
    return sorted(cycles)


def private_imports(root: Path, package: str) -> list[str]:
    """`from m import _name` (or `import m._name`) in any module of `package`: a private name of another
    module. Dunders (`__version__`) are public."""
    bad = []
    for name, path in module_files(root, package).items():
        for module, names in _imports(name, path):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            private += [p for p in module.split(".") if p.startswith("_") and not p.startswith("__")]
            bad += [f"{path.relative_to(root)}: from {module} import {n}" for n in private]
    return bad


def test_no_import_circle_in_tui() -> None:
    cycles = find_cycles(import_graph(ROOT, "tui"))
    assert cycles == [], "import circles in tui/:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_module_in_tui_imports_a_private_name() -> None:
    assert private_imports(ROOT, "tui") == []


def test_sim_source_never_names_the_front_end() -> None:
    """Statically, every import in sim/ (function-level too): the runtime test above only sees the paths run."""
    bad = [f"{path.relative_to(ROOT)}: {module}"
           for name, path in module_files(ROOT, "sim").items()
           for module, _ in _imports(name, path)
           if module.split(".")[0] in ("tui", *UI_PACKAGES)]
    assert bad == []


def _package(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_the_detector_finds_a_planted_circle(tmp_path: Path) -> None:
    """The checks above are only as good as the detector: plant circles of every kind it claims to see."""
    root = _package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/app.py": "from .screens.one import One\n",
        "pkg/screens/__init__.py": "",
        "pkg/screens/one.py": """\
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from ..app import App
            """,
        "pkg/screens/two.py": "def f():\n    from pkg.screens import three\n",
        "pkg/screens/three.py": "import pkg.screens.two\n",
        "pkg/leaf.py": "import os\nfrom . import app\n",
        "pkg/cli/__init__.py": "from . import sub\n",
        "pkg/cli/sub.py": "from pkg.cli import helper\nfrom . import _private\n",
    })
    graph = import_graph(root, "pkg")
    assert graph["pkg.leaf"] == {"pkg.app"}
    assert graph["pkg.screens.one"] == {"pkg.app"}  # under TYPE_CHECKING: counts
    assert find_cycles(graph) == [
        ["pkg.app", "pkg.screens.one", "pkg.app"],  # a relative import two levels up
        ["pkg.cli", "pkg.cli.sub", "pkg.cli"],  # a sub-command importing its package's helpers back
        ["pkg.screens.three", "pkg.screens.two", "pkg.screens.three"],  # function-level, absolute
    ]
    assert private_imports(root, "pkg") == [f"{Path('pkg/cli/sub.py')}: from pkg.cli import _private"]


def test_the_detector_passes_a_layered_package(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/app.py": "from .screens import one\nfrom .host import Host\n",
        "pkg/host.py": "from typing import Protocol\nclass Host(Protocol): ...\n",
        "pkg/screens/__init__.py": "",
        "pkg/screens/one.py": "from ..host import Host\nfrom pkg import host\n",
    })
    assert find_cycles(import_graph(root, "pkg")) == []
