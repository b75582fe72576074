"""The files a library is read from: pathlib only, so that callers that only need the list (the cached
`lawdrill check`, the trainer's file watcher) do not import the loader."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path


def bundled_scenarios() -> Path:
    """The case library that ships with lawdrill (repo checkout or installed wheel)."""
    here = Path(__file__).resolve().parent
    installed = here / "_library"
    if installed.is_dir():
        return installed
    return here.parent / "scenarios"


def yaml_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files under `paths` (folders walked in sorted order), each once."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file()))
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def library_files(paths: Sequence[str | Path] | str | Path | None = None, *, base: bool = True) -> list[Path]:
    """Every file `load_library(paths, base=base)` reads (for keying cached results on their content)."""
    if paths is None:
        paths = [bundled_scenarios()]
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    root = bundled_scenarios()
    bundled = yaml_files([root / "law", root / "procedures"]) if base and (root / "law").exists() else []
    return list(dict.fromkeys([*bundled, *yaml_files(Path(p) for p in paths)]))
