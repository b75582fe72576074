"""The trainer screen: the library's validation results, reload on change, weak spots, and the case graphs.

- 检查结果: load errors (file:line:col) and each case's check: `sim.deepcheck.check_case` when that module
  is there, else the self-tests of `lawdrill check`. Run in a worker thread. Enter on a row opens $VISUAL /
  $EDITOR at the line (the app suspended), or, with no editor, the file in a read-only viewer at the line.
- The app polls the library's files once a second from the moment this screen opens (tui/reload.py); a
  change reloads the library, re-runs the check here and carries an open workbench over to the new version.
- 薄弱环节: the rules broken most in the local history, overall, by case or by township (sim/weakspots.py).
- 案例: every case with its problem count; Enter (or g anywhere) shows a case's state graph.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from rich.text import Text
from textual import on, work
from textual.worker import get_current_worker
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane, TextArea

from sim.bounds import BoundsError, read_file, shown

from ..widgets.guard import when_active

if TYPE_CHECKING:
    from sim.loader import Library

    from ..host import TraineeHost

LEVELS = {"error": ("错误", "bold red"), "warning": ("警告", "yellow"), "info": ("提示", "cyan")}
GROUPINGS: tuple[str | None, ...] = (None, "case", "township")
GROUPING_LABELS = {None: "全部", "case": "按案例", "township": "按乡镇"}
# Editors that take `-g FILE:LINE` instead of the `+LINE FILE` of vi, vim, nano, emacs, micro, kak…
GOTO_EDITORS = {"code", "code-insiders", "codium", "vscodium", "cursor"}


# --- the check, whichever engine provides it ----------------------------------------------------------------


@attrs.frozen
class CheckRow:
    level: str  # error | warning | info
    code: str  # load | selftest | a deepcheck problem code
    case: str  # case id, "" for a file that did not load
    file: str
    line: int
    col: int
    message: str


@attrs.frozen
class CheckReport:
    rows: tuple[CheckRow, ...]
    cases: tuple[str, ...]  # case ids checked
    engine: str  # "deepcheck" | "selftest"
    mutants: tuple[int, int, int] | None = None  # deepcheck: (total, killed, survivors) over the library

    @property
    def errors(self) -> int:
        return sum(r.level == "error" for r in self.rows)

    def problems_of(self, case: str) -> int:
        return sum(r.case == case for r in self.rows)


def check_library(library: Library, *, fast: bool = False) -> CheckReport:
    """Load errors, the templates' structure, then every case's deep check (self-tests, mutation testing,
    deadline boundaries), the same checks `lawdrill check` runs."""
    from sim.deepcheck import CaseCheck, MutationStats, Problem, check_case, check_library_structure

    rows = [CheckRow("error", "load", "", e.file, e.line, e.col, e.message)
            for e in sorted(library.errors, key=lambda e: (e.file, e.line, e.col))]
    problems: list[Problem] = list(check_library_structure(library))
    cases = sorted(library.scenarios.values(), key=lambda s: s.id)
    mutants = [0, 0, 0]
    for sc in cases:
        try:
            cc = check_case(library, sc, fast=fast)
        except Exception as exc:  # noqa: BLE001 - one case's crash must not hide the others' results
            cc = CaseCheck(sc.id, (Problem("error", "internal", f"检查时引擎出错：{type(exc).__name__}：{exc}",
                                           sc.path, sc.pos.line, 0, sc.id),), MutationStats(0, 0, 0, ()), 0)
        problems += cc.problems
        m = cc.mutation
        mutants[0] += m.total - m.lawful
        mutants[1] += m.killed
        mutants[2] += len(m.survivors)
    rows += [CheckRow(p.level, p.code, p.case or "", p.file, p.line, p.col, p.message) for p in problems]
    return CheckReport(tuple(rows), tuple(sc.id for sc in cases), "deepcheck",
                       (mutants[0], mutants[1], mutants[2]))


def _resolved(file: str) -> str:
    try:
        return str(Path(file).resolve())
    except OSError:
        return file


def short_path(file: str, roots: Sequence[Path]) -> str:
    """A file's path relative to the first library root it lies under (the table is narrow), safe to show (a
    file name's control characters and undecodable bytes as visible escapes)."""
    p = Path(file)
    for root in roots:
        try:
            return shown(str(p.resolve().relative_to(root.resolve())))
        except (ValueError, OSError):
            continue
    return shown(file)


def editor_command(file: str, line: int, env: Mapping[str, str] | None = None) -> list[str] | None:
    """The command that opens `file` at `line` in the user's $VISUAL or $EDITOR; None if neither is set."""
    env = os.environ if env is None else env
    raw = (env.get("VISUAL") or env.get("EDITOR") or "").strip()
    if not raw:
        return None
    try:
        cmd = shlex.split(raw)
    except ValueError:
        cmd = raw.split()
    name = Path(cmd[0]).name.lower().removesuffix(".exe")
    if name in GOTO_EDITORS:
        return [*cmd, "-g", f"{file}:{max(line, 1)}"]
    return [*cmd, f"+{line}", file] if line > 0 else [*cmd, file]


# --- the read-only viewer -----------------------------------------------------------------------------------


class FileViewer(Screen[None]):
    """A file, read-only, scrolled to a line which is selected (highlighted)."""

    CSS_PATH = Path(__file__).with_name("screen.tcss")
    AUTO_FOCUS = "#viewer-text"
    BINDINGS = [Binding("escape", "back", "返回", id="back")]

    def __init__(self, file: str, line: int, title: str = "") -> None:
        super().__init__()
        self.file = file
        self.line = line
        self.title_text = title or file

    def compose(self) -> ComposeResult:
        from sim.yamlsrc import MAX_FILE_BYTES

        try:  # the file of a load error may be a FIFO or a device named on the command line: never read those
            text = read_file(self.file, MAX_FILE_BYTES).decode("utf-8", errors="replace")
        except BoundsError as exc:
            text = f"无法查看 {shown(self.file)}：{exc}"
        where = shown(f"{self.title_text}:{self.line}" if self.line > 0 else self.title_text)
        yield Static(Text(f"查看文件 · {where}（只读；设置环境变量 EDITOR 可在编辑器中打开）"),
                     classes="bar", id="viewer-title")
        yield TextArea(text, read_only=True, show_line_numbers=True, soft_wrap=False, id="viewer-text",
                       tab_behavior="focus")

    def on_mount(self) -> None:
        area = self.query_one("#viewer-text", TextArea)
        if self.line > 0:
            row = min(self.line, area.document.line_count) - 1
            area.select_line(row)
            self.call_after_refresh(area.scroll_cursor_visible, center=True, animate=False)

    @property
    def selected_line(self) -> int:
        """1-based line the viewer shows highlighted."""
        return self.query_one("#viewer-text", TextArea).selection.start[0] + 1

    def action_back(self) -> None:
        self.app.pop_screen()


# --- the screen ---------------------------------------------------------------------------------------------


class CheckTable(DataTable[Any]):
    BINDINGS = [Binding("enter", "select_cursor", "打开文件", id="open-file")]


class CaseGraphTable(DataTable[Any]):
    BINDINGS = [Binding("enter", "select_cursor", "状态图", id="open-graph")]


class TrainerScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("screen.tcss")
    AUTO_FOCUS = "#checks"
    BINDINGS = [
        Binding("r", "recheck", "重新检查", id="recheck"),
        Binding("b", "grouping", "切换分组", id="grouping"),
        Binding("g", "graph", "状态图", id="graph"),
        Binding("1", "tab('tab-checks')", "检查结果", show=False, id="tab-checks"),
        Binding("2", "tab('tab-stats')", "薄弱环节", show=False, id="tab-stats"),
        Binding("3", "tab('tab-cases')", "案例", show=False, id="tab-cases"),
        Binding("escape", "back", "返回", id="back"),
    ]

    app: TraineeHost

    def __init__(self) -> None:
        super().__init__()
        self.report: CheckReport | None = None
        self.grouping: str | None = None
        self.checked_at: float | None = None
        self.checks_done = 0  # finished checks (tests wait on it)
        self.spots: list[Any] = []  # the weak spots shown (sim.weakspots.WeakSpot)

    def compose(self) -> ComposeResult:
        yield Static("执法演练 · 教员工具", classes="bar", id="trainer-title")
        yield Static("正在检查案例库…", id="trainer-status", classes="subbar")
        with TabbedContent(id="trainer-tabs", initial="tab-checks"):
            with TabPane("检查结果", id="tab-checks"):
                yield CheckTable(id="checks", cursor_type="row", zebra_stripes=True)
                yield Static("", id="checks-empty", classes="empty")
                yield Static("", id="check-detail")
            with TabPane("薄弱环节", id="tab-stats"):
                yield Static("", id="stats-head")
                yield DataTable(id="stats", cursor_type="row", zebra_stripes=True)
                yield Static("", id="stats-empty", classes="empty")
                yield Static("", id="stats-detail")
            with TabPane("案例", id="tab-cases"):
                yield CaseGraphTable(id="cases-graph", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        checks = self.query_one("#checks", CheckTable)
        for key, label, width in (("level", "级别", 4), ("case", "案例", 18), ("where", "位置", 26),
                                  ("message", "说明", 40)):
            checks.add_column(label, key=key, width=width)
        stats = self.query_one("#stats", DataTable)
        for key, label, width in (("group", "分组", 14), ("rule", "规则", 20), ("title", "标题", 20),
                                  ("cite", "依据", 24), ("count", "次数", 4), ("share", "占比", 4)):
            stats.add_column(label, key=key, width=width)
        cases = self.query_one("#cases-graph", CaseGraphTable)
        for key, label, width in (("id", "编号", 30), ("title", "标题", 28), ("procedure", "程序", 16),
                                  ("problems", "问题", 16)):
            cases.add_column(label, key=key, width=width)
        self.query_one("#checks").display = False
        self.show_stats()
        self.run_check()

    # --- validation -----------------------------------------------------------------------------------------

    def _roots(self) -> list[Path]:
        from sim.loader import bundled_scenarios

        roots = []
        for p in self.app.library_paths or []:
            p = Path(p)
            roots.append(p if p.is_dir() else p.parent)
        return [*roots, bundled_scenarios().parent, Path.cwd()]

    @property
    def _gone(self) -> bool:
        """The screen has been closed (or is being taken down): a check that finishes now has nowhere to go."""
        return self._pruning or not self.is_attached

    def run_check(self, *, fast: bool = False) -> None:
        if self.app.library is None:
            return
        self.query_one("#trainer-status", Static).update(Text("正在检查案例库…"))
        self._check(self.app.library, fast)

    @work(thread=True, exclusive=True, group="trainer-check")
    def _check(self, library: Library, fast: bool) -> None:
        try:
            report = check_library(library, fast=fast)
        except Exception as exc:  # noqa: BLE001 - a bug in a check must not take the app down
            self.app.call_from_thread(self.notify, f"检查时出错：{type(exc).__name__}：{exc}", title="检查失败",
                                      severity="error", markup=False)
            return
        if not get_current_worker().is_cancelled:  # a newer check (the library changed again) supersedes it
            self.app.call_from_thread(self.show_report, report)

    def show_report(self, report: CheckReport) -> None:
        if self._gone:  # the trainer closed the screen while the check ran: nothing to show it on
            return
        self.report = report
        self.checked_at = self.app.clock()
        self.checks_done += 1
        library = self.app.library
        assert library is not None
        roots = self._roots()
        table = self.query_one("#checks", CheckTable)
        keep = table.cursor_row
        table.clear()
        for i, r in enumerate(report.rows):
            label, style = LEVELS.get(r.level, (r.level, ""))
            where = short_path(r.file, roots)
            if r.line > 0:
                where += f":{r.line}"
            table.add_row(Text(label, style=style), Text(r.case or "—"), Text(where), Text(shown(r.message)),
                          key=str(i))
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
        table.display = table.row_count > 0
        empty = self.query_one("#checks-empty", Static)
        empty.update(Text(f"没有发现问题：{len(report.cases)} 个案例的检查全部通过。"))
        empty.display = table.row_count == 0
        self._show_detail()
        self._fill_cases(report)
        self._show_status()

    @on(DataTable.RowHighlighted, "#checks")
    def _show_detail(self) -> None:
        """The highlighted problem in full (the table cuts long messages)."""
        table = self.query_one("#checks", CheckTable)
        detail = self.query_one("#check-detail", Static)
        if self.report is None or not table.row_count:
            detail.update("")
            detail.display = False
            return
        row = self.report.rows[min(table.cursor_row, len(self.report.rows) - 1)]
        where = short_path(row.file, self._roots()) + (f":{row.line}" if row.line > 0 else "")
        if row.col > 0:
            where += f":{row.col}"
        text = Text.assemble((where, "bold"), "　", shown(row.message), ("　（Enter 打开文件）", "dim"))
        detail.update(text)
        detail.display = True

    def _show_status(self) -> None:
        library = self.app.library
        report = self.report
        if library is None or report is None or self._gone:
            return
        engine = "深度检查" if report.engine == "deepcheck" else "自测"
        text = Text(f"案例 {len(library.scenarios)} 个　")
        load = len(library.errors)
        text.append(f"加载错误 {load} 处", style="bold red" if load else "green")
        found = len(report.rows) - sum(r.code == "load" for r in report.rows)
        text.append("　")
        text.append(f"{engine}发现问题 {found} 项", style="bold red" if found else "green")
        if report.mutants is not None:
            total, killed, survivors = report.mutants
            text.append(f"　变异 {killed}/{total} 被发现")
        when = time.strftime("%H:%M:%S", time.localtime(self.checked_at)) if self.checked_at else "—"
        reloads = f"已 {self.app.reload_count} 次" if self.app.reload_count else "开"
        text.append(f"　检查于 {when}　自动重新加载：{reloads}", style="dim")
        self.query_one("#trainer-status", Static).update(text)

    def _fill_cases(self, report: CheckReport) -> None:
        library = self.app.library
        assert library is not None
        table = self.query_one("#cases-graph", CaseGraphTable)
        keep = table.cursor_row
        table.clear()
        broken = {_resolved(e.file) for e in library.errors}
        for sc in sorted(library.scenarios.values(), key=lambda s: s.id):
            n = report.problems_of(sc.id)
            status = Text(f"{n} 项" if n else "✓", style="bold red" if n else "green")
            if _resolved(sc.path) in broken:  # kept from before the reload: its file no longer loads
                status = Text(f"{n} 项，旧版本" if n else "旧版本（文件有错）", style="yellow")
            table.add_row(Text(sc.id), Text(sc.title), Text(sc.procedure.title), status, key=sc.id)
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))

    def check_files(self) -> bool:
        """One poll of the library's files (the app does this every second); True if a reload started."""
        return self.app.check_library_files()

    def library_changed(self) -> None:
        """The app reloaded the library: check it again and refresh the figures."""
        self.run_check(fast=True)
        self.show_stats()

    # --- weak spots -----------------------------------------------------------------------------------------

    def show_stats(self) -> None:
        from sim.weakspots import weak_spots

        app = self.app
        head = self.query_one("#stats-head", Static)
        table = self.query_one("#stats", DataTable)
        table.clear()
        empty = self.query_one("#stats-empty", Static)
        if app.store is None or app.library is None:
            return
        spots = weak_spots(app.store, app.library, self.grouping)
        sizes = app.store.attempt_counts(self.grouping)
        total = sum(sizes.values())
        head.update(Text.assemble(
            ("分组：", "bold"), (GROUPING_LABELS[self.grouping], "bold reverse"),
            f"（按 b 切换）　已完成的演练 {total} 次（全部学员）\n",
            ("次数：触犯该规则的演练次数；占比：占该组演练次数的比例", "dim")))
        self.spots = spots
        group_seen = set()
        for i, w in enumerate(spots):
            first = w.group not in group_seen
            group_seen.add(w.group)
            label = f"{w.group_label}（{w.attempts} 次）" if first and self.grouping else ("全部" if first else "")
            table.add_row(Text(label), Text(w.rule), Text(w.title), Text(w.citations or "—"), str(w.count),
                          f"{w.share:.0%}", key=str(i))
        table.display = table.row_count > 0
        empty.update(Text("学习记录中还没有已完成的演练。" if not total else "已完成的演练中没有触犯任何规则。"))
        empty.display = table.row_count == 0
        self._show_spot()

    @on(DataTable.RowHighlighted, "#stats")
    def _show_spot(self) -> None:
        """The highlighted rule in full: title, severity, citations, figures."""
        table = self.query_one("#stats", DataTable)
        detail = self.query_one("#stats-detail", Static)
        if not self.spots or not table.row_count:
            detail.display = False
            return
        w = self.spots[min(table.cursor_row, len(self.spots) - 1)]
        text = Text.assemble((w.rule, "bold"), "　", w.title)
        if w.severity:
            text.append(f"【{w.severity}】", style="yellow")
        text.append(f"\n依据：{w.citations or '—'}　{w.group_label}：{w.count}/{w.attempts} 次（{w.share:.0%}）")
        detail.update(text)
        detail.display = True

    # --- actions --------------------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#checks")
    @when_active
    def _open_row(self, event: DataTable.RowSelected) -> None:
        if self.report is None or event.row_key.value is None:
            return
        row = self.report.rows[int(event.row_key.value)]
        self.open_location(row.file, row.line)

    def open_location(self, file: str, line: int) -> None:
        """The file at the line: in the user's editor (app suspended) or, without one, in the viewer."""
        if not Path(file).is_file():  # gone, or a FIFO or device named on the command line: never opened
            what = "不是普通文件" if Path(file).exists() else "文件不存在"
            self.notify(f"{what}：{shown(file)}", title="无法打开", severity="error", markup=False)
            return
        cmd = editor_command(file, line)
        if cmd is not None:
            try:
                with self.app.suspend():
                    subprocess.run(cmd, check=False)
            except SuspendNotSupported:
                pass  # no terminal to hand over (a test, a web driver): show it here instead
            except OSError as exc:
                self.notify(f"无法启动编辑器「{cmd[0]}」：{exc.strerror or exc}；改为在程序内查看。",
                            title="编辑器", severity="warning", markup=False)
            else:
                self.check_files()  # the file was probably saved: reload at once rather than at the next poll
                return
        self.app.push_screen(FileViewer(file, line, short_path(file, self._roots())))

    @on(DataTable.RowSelected, "#cases-graph")
    @when_active
    def _open_graph_row(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self._graph(event.row_key.value)

    def _graph(self, case: str) -> None:
        library = self.app.library
        if library is None or case not in library.scenarios:
            self.notify("该行不属于某个已加载的案例", title="状态图", markup=False)
            return
        self.app.open_graph(library.scenarios[case])

    def action_graph(self) -> None:
        tabs = self.query_one("#trainer-tabs", TabbedContent)
        if tabs.active == "tab-cases":
            table: DataTable[Any] = self.query_one("#cases-graph", CaseGraphTable)
            if table.row_count:
                self._graph(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
            return
        checks = self.query_one("#checks", CheckTable)
        if self.report is not None and checks.row_count:
            key = checks.coordinate_to_cell_key(checks.cursor_coordinate).row_key.value
            case = self.report.rows[int(str(key))].case
            if case:
                self._graph(case)
                return
        self.action_tab("tab-cases")

    def action_recheck(self) -> None:
        self.check_files()
        self.run_check()

    def action_grouping(self) -> None:
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self.show_stats()
        self.action_tab("tab-stats")

    def action_tab(self, tab: str) -> None:
        self.query_one("#trainer-tabs", TabbedContent).active = tab
        self._focus_tab()

    @on(TabbedContent.TabActivated, "#trainer-tabs")
    def _focus_tab(self) -> None:
        """The table of the tab shown takes the keys (Enter opens what it lists)."""
        target = {"tab-checks": "#checks", "tab-stats": "#stats", "tab-cases": "#cases-graph"}
        self.query_one(target[self.query_one("#trainer-tabs", TabbedContent).active]).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_screen_resume(self) -> None:
        self.show_stats()
        self._show_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_active:
            return False
        return True

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            ("重新检查", "重新加载并检查案例库", self.action_recheck),
            ("切换分组", "薄弱环节：全部 / 按案例 / 按乡镇", self.action_grouping),
            ("状态图", "查看所选案例的状态图", self.action_graph),
        ]
