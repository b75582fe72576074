"""A content-addressed cache of check results, in the user's cache directory.

`lawdrill check` plays every self-test of every case and deep-checks each one; a trainer runs it on every
save. What it finds depends only on the files it reads and on the engine, so results are stored under a key
made of the content of those files and a fingerprint of the engine (its source files, its version, the
calendar data it counts with). A re-check of an unchanged library reads the stored report; after a one-file
edit only the cases whose content changed are checked again.

The cache can never change a verdict:
- a key names everything the stored value was computed from; an entry also stores its own key, which is
  compared when it is read (a renamed or swapped file is a miss, not a wrong answer);
- anything unreadable (truncated, corrupt, from another Python, a folder that cannot be written) is a miss,
  silently: the caller computes the result as if there were no cache;
- entries are written to a temporary file and renamed into place, so a crash mid-write leaves no torn entry;
- unpickling is restricted to the engine's own result classes and a few plain types, so a planted file in
  the cache folder cannot run code.

`LAWDRILL_CACHE_DIR` moves the cache (the test suite points it at a temporary folder); `LAWDRILL_NO_CACHE=1`
or `lawdrill check --no-cache` bypasses it.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import __version__

# Bumped when the layout of an entry changes (the engine fingerprint covers changes to the results).
FORMAT = 1
_MAX_ENTRY_BYTES = 64 * 1024 * 1024

_fingerprint: str | None = None


def engine_fingerprint() -> str:
    """A hash of everything besides the input files that a check result depends on: the engine's source
    files, its version, and the versions of the libraries whose data it uses (the holiday calendar, the
    YAML parser)."""
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.sha256(f"lawdrill {__version__} cache {FORMAT}".encode())
        root = Path(__file__).resolve().parent
        for p in sorted(root.rglob("*.py")):
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
        for module in ("chinese_calendar", "yaml", "transitions", "attrs"):
            h.update(f"{module}={_module_version(module)}".encode())
        _fingerprint = h.hexdigest()
    return _fingerprint


def _module_version(name: str) -> str:
    """Where the library is installed and its entry file's size and time, found without importing it (an
    import, or importlib.metadata, would cost a good part of a cached check's start): an upgrade changes them."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return "-"
    if spec is None or not spec.origin:
        return "-"
    try:
        st = os.stat(spec.origin)
    except OSError:
        return spec.origin
    return f"{spec.origin}:{st.st_size}:{st.st_mtime_ns}"


def cache_dir() -> Path:
    env = os.environ.get("LAWDRILL_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs  # imported here: only the cache needs it

    return Path(platformdirs.user_cache_dir("lawdrill", appauthor=False))


def disabled_by_env() -> bool:
    return os.environ.get("LAWDRILL_NO_CACHE", "").strip() not in ("", "0")


def key_of(*parts: Any) -> str:
    """A key from parts (strings, numbers, nested lists/tuples of them)."""
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def files_key(paths: Iterable[str | Path]) -> list[tuple[str, str]]:
    """(resolved path, sha256 of the bytes) of each file, sorted: the content part of a key. Raises OSError if
    a file cannot be read (then there is nothing to key on): also for a FIFO, a device or a file over the
    loader's size limit, which are refused without reading them (a FIFO named on the command line would
    otherwise block here before the loader could report it)."""
    from .bounds import BoundsError, read_file
    from .yamlsrc import MAX_FILE_BYTES

    out = []
    for p in paths:
        path = Path(p).resolve()
        try:
            data = read_file(path, MAX_FILE_BYTES)
        except BoundsError as exc:
            raise OSError(str(exc)) from None
        out.append((str(path), hashlib.sha256(data).hexdigest()))
    return sorted(out)


# Classes an entry may contain. Everything else in a pickle is refused (and the entry treated as a miss).
_ALLOWED_GLOBALS = {
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "tuple"), ("builtins", "list"),
    ("builtins", "dict"), ("builtins", "getattr"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
    ("copyreg", "_reconstructor"), ("builtins", "object"),
}
_ALLOWED_MODULES = ("sim.deepcheck", "sim.selftest", "sim.scoring", "sim.model")


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS or (module in _ALLOWED_MODULES and not name.startswith("_")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused global {module}.{name}")


class ResultCache:
    """Stored results by kind and key. Every failure is a miss (get) or a no-op (put)."""

    def __init__(self, folder: Path | None = None, *, enabled: bool = True):
        self.enabled = enabled and not disabled_by_env()
        self.folder = (folder or cache_dir()) / f"v{FORMAT}" / engine_fingerprint()[:24] if self.enabled else None
        self.hits = self.misses = 0
        self.crashed = False  # set by a caller whose results include an engine crash: nothing more is stored

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / f"{key}.pickle"

    def get(self, kind: str, key: str) -> Any | None:
        if self.folder is None:
            return None
        try:
            data = self._path(kind, key).read_bytes()
            if len(data) > _MAX_ENTRY_BYTES:
                raise ValueError("entry too large")
            stored_key, value = _Unpickler(io.BytesIO(data)).load()
            if stored_key != (kind, key, engine_fingerprint()):
                raise ValueError("entry of another key")
        except Exception:  # noqa: BLE001 - any unreadable entry is a miss: the caller computes the result
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        if self.folder is None:
            return
        try:
            data = pickle.dumps(((kind, key, engine_fingerprint()), value), protocol=pickle.HIGHEST_PROTOCOL)
            target = self._path(kind, key)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except Exception:  # noqa: BLE001, S110 - a cache that cannot be written is no cache; results stand
            pass

    def get_or_compute(self, kind: str, key: str, compute: Callable[[], Any]) -> Any:
        value = self.get(kind, key)
        if value is None:
            value = compute()
            self.put(kind, key, value)
        return value


# --- what `lawdrill check` keys on ---------------------------------------------------------------------------


def check_run_key(paths: Iterable[str | Path], options: Iterable[Any]) -> str | None:
    """The key of a whole `lawdrill check` run: every file it reads (with the bundled law and templates under
    them), by content, and the options that shape the report. None if a file cannot be read."""
    from .files import library_files

    paths = [str(p) for p in paths]
    try:
        files = files_key(library_files(paths))
        cwd = os.getcwd()  # reports name files as they were given, relative to here
    except OSError:
        return None
    return key_of("check-run", paths, cwd, tuple(options), files)


def case_check_key(library: Any, scenario: Any, *options: Any) -> str:
    """The key of one case's self-tests and deep check: the case's pinned content (its text and every
    template it rests on), where it lives (reports name its file), and the articles the deep check compares
    its periods with."""
    articles = getattr(library, "articles", {})
    law = hashlib.sha256(repr(sorted((k, repr(a)) for k, a in articles.items())).encode()).hexdigest()
    proc = scenario.procedure
    # Problems name the files of the rules, actions and states they are about, as those files were given.
    parts = [*proc.rules, *proc.actions.values(), *proc.states, *proc.events.values()]
    files = sorted({str(getattr(getattr(x, "pos", None), "file", "")) for x in parts})
    return key_of("case-check", scenario.id, scenario.path, scenario.content_hash, law, files, options)
