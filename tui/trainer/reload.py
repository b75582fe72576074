"""Reload on change: watch the library's files, merge a fresh load with the running one, and carry an open
trainee session over to the new version of its case.

No Textual here: a `WatchThread` (a daemon thread, off the UI's event loop: a library of a thousand files
costs a thousand stat calls per look) polls `LibraryWatcher.changed()` once a second and hands a change to
the app (tui/app.py), which loads the library in a worker thread, then calls `merge_libraries` and
`rebuild_session` on the UI thread. Nothing is lost when the
new version is broken: a case whose file no longer loads keeps its old version (and the errors are shown), a
session whose acts cannot be replayed on the new version keeps running on the old one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from sim.loader import Library
    from sim.model import Scenario
    from sim.session import Session
    from sim.store import Store


def watched_files(paths: Sequence[str | Path] | None) -> list[Path]:
    """Every YAML file the library is read from: the given paths (or the bundled library), with the bundled
    law catalogue and templates the loader always reads first."""
    from sim.files import bundled_scenarios, yaml_files

    root = bundled_scenarios()
    given = [Path(p) for p in paths] if paths else [root]
    return yaml_files([*given, root / "law", root / "procedures"])


class LibraryWatcher:
    """Polls the library's files' modification times and sizes; a file added or removed counts too."""

    def __init__(self, paths: Sequence[str | Path] | None):
        self.paths = list(paths) if paths else None
        self._seen = self.snapshot()

    def snapshot(self) -> dict[str, tuple[int, int]]:
        out = {}
        for f in watched_files(self.paths):
            try:
                st = f.stat()
            except OSError:
                continue
            out[str(f)] = (st.st_mtime_ns, st.st_size)
        return out

    def changed(self) -> list[str]:
        """Files changed, added or removed since the last call (or since the watcher was made)."""
        now = self.snapshot()
        diff = sorted(f for f in set(now) | set(self._seen) if now.get(f) != self._seen.get(f))
        self._seen = now
        return diff


class WatchThread:
    """Polls a LibraryWatcher every `interval` seconds in a daemon thread and calls `found(changed_files)`
    from that thread (the app passes it on to its UI thread). `poll_now()` looks at once from any thread;
    `pending` is True from the moment the thread saw a change until the app says it was applied."""

    def __init__(self, watcher: LibraryWatcher, found: Callable[[list[str]], None], interval: float = 1.0):
        self.watcher, self.found, self.interval = watcher, found, interval
        self.lock = threading.Lock()  # one look at a time: a change is seen by exactly one of them
        self.pending = False
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lawdrill-library-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            with self.lock:
                changed = self.watcher.changed()
                if changed:
                    self.pending = True
            if changed:
                try:
                    self.found(changed)
                except Exception:  # noqa: BLE001 - the app is closing: nothing left to reload
                    return

    def poll_now(self) -> list[str]:
        with self.lock:
            return self.watcher.changed()

    def wake(self) -> None:
        """Look now instead of at the end of the current interval."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


@attrs.frozen
class Merge:
    library: Library
    changed: tuple[str, ...]  # case ids whose content changed
    added: tuple[str, ...]
    removed: tuple[str, ...]
    kept_old: tuple[str, ...]  # cases whose new version does not load: the old one keeps running


def merge_libraries(old: Library, new: Library) -> Merge:
    """The new library, with the old version of every case whose file is still there but no longer loads."""
    kept, removed = [], []
    for sid, sc in old.scenarios.items():
        if sid in new.scenarios:
            continue
        # Still on disk but not loaded while the load reports errors: its file (or a template or law file it
        # rests on) is broken. Keep the version that works; the errors are on the trainer screen.
        if new.errors and Path(sc.path).exists():
            new.scenarios[sid] = sc
            kept.append(sid)
        else:
            removed.append(sid)
    changed = tuple(sid for sid, sc in new.scenarios.items() if sid in old.scenarios and sid not in kept
                    and sc.content_hash != old.scenarios[sid].content_hash)
    added = tuple(sid for sid in new.scenarios if sid not in old.scenarios)
    return Merge(new, changed, added, tuple(removed), tuple(kept))


def case_changes(old: Scenario, new: Scenario) -> list[str]:
    """What changed between two versions of a case, in the trainer's words."""
    out: list[str] = []

    def diff(what: str, a: dict[str, Any], b: dict[str, Any], label: Callable[[Any], str]) -> None:
        gone = [label(a[k]) for k in a if k not in b]
        new_ = [label(b[k]) for k in b if k not in a]
        edited = [label(b[k]) for k in b if k in a and a[k] != b[k]]
        parts = []
        if new_:
            parts.append("新增 " + "、".join(new_))
        if gone:
            parts.append("删除 " + "、".join(gone))
        if edited:
            parts.append("修改 " + "、".join(edited))
        if parts:
            out.append(f"{what}：" + "；".join(parts))

    p, q = old.procedure, new.procedure
    diff("状态", {s.id: _plain(s) for s in p.states}, {s.id: _plain(s) for s in q.states},
         lambda s: s["label"])
    diff("执法动作", {a.id: _plain(a) for a in p.actions.values()}, {a.id: _plain(a) for a in q.actions.values()},
         lambda a: a["label"])
    diff("规则", {r.id: _plain(r) for r in p.rules}, {r.id: _plain(r) for r in q.rules},
         lambda r: f"{r['id']}（{r['title']}）")
    diff("外部事件", {e.id: _plain(e) for e in p.events.values()}, {e.id: _plain(e) for e in q.events.values()},
         lambda e: e["label"])
    if old.script != new.script:
        out.append("案件中的事件安排有修改")
    if (old.party, old.facts, old.penalty, old.briefing) != (new.party, new.facts, new.penalty, new.briefing):
        out.append("案情、当事人或处罚信息有修改")
    return out or ["内容有修改（不影响状态、动作和规则）"]


def _plain(obj: Any) -> dict[str, Any]:
    """An attrs object as a dict without its source position (moving a line is not a change)."""
    return attrs.asdict(obj, recurse=False, filter=lambda a, _v: a.name != "pos")


@attrs.frozen
class Rebuilt:
    session: Session
    attempt_id: str
    replayed: int  # acts carried over
    refused: tuple[str, ...]  # acts (and clock moves) the new version refuses, in Chinese


def rebuild_session(journal: str | Path, scenario: Scenario, store: Store, *, wall_clock: Callable[[], float],
                    ) -> Rebuilt:
    """A new attempt on the new version of the case, with the acts of the session `journal` records re-applied
    (its refused acts stay out), for the trainee, seed and mode its header names: a running session's after a
    reload, or an unfinished attempt's whose case changed since. The store is the caller's business (it
    records the new attempt and keeps the old one and its journal); on any error the new journal file is
    removed and the exception goes to the caller, whose old session and journal are untouched."""
    from sim.journal import read_journal
    from sim.session import Session

    entries = read_journal(journal)
    head = entries[0]
    attempt_id, path = store.new_journal_path(scenario.id)
    session = Session(scenario, seed=int(head.get("seed", 0)), journal=path, mode=str(head.get("mode", "exam")),
                      trainee=str(head.get("trainee", "")), wall_clock=wall_clock)
    refused: list[str] = []
    replayed = 0
    try:
        for entry in entries[1:]:
            if "refused" in entry:
                continue
            if entry.get("t") == "act":
                name = str(entry.get("name"))
                out = session.act(name, entry.get("at"), **dict(entry.get("params") or {}))
                if out.ok:
                    replayed += 1
                else:
                    spec = scenario.procedure.actions.get(name)
                    label = spec.label if spec is not None else name
                    refused.append(f"「{label}」（{_when(entry.get('at'))}）被拒绝：{out.reason}")
            elif entry.get("t") == "advance":
                out = session.advance(entry.get("to"))
                if not out.ok:
                    refused.append(f"推进时间到 {_when(entry.get('to'))} 被拒绝：{out.reason}")
    except Exception:
        session.close()
        path.unlink(missing_ok=True)
        raise
    return Rebuilt(session, attempt_id, replayed, tuple(refused))


def _when(iso: object) -> str:
    """'2026-06-03T10:30:00' -> '2026-06-03 10:30' (a journal's time as the trainee typed it)."""
    return str(iso or "")[:16].replace("T", " ")
