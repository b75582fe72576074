"""The trainee's own weak spots (薄弱环节, library key w): the articles missed most in practice and in contests
brought home (`lawdrill contest results`, or i here), the latest contest results with what each missed, and
the practice that matches — the cases that train those articles and rules (Enter: its briefing, a: its case
analysis) and a knowledge paper aimed at them (k).

i asks for the contest file, the contestant's number and where the bundles are (default: the data directory's
contest-outbox), then verifies and records them in a worker thread (sim.contest.takehome) with its own
connection to the store, and shows what was brought home."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Static

from ..widgets.dialogs import Dialog
from ..widgets.guard import when_active

if TYPE_CHECKING:
    from ..host import TraineeHost

SHOWN_CONTEST = 4  # contest results listed (newest first)


class ImportDialog(Dialog["tuple[str, str, str] | None"]):
    """Where the contest results are: the contest file, the contestant's number, the bundles' folder or file
    (empty: the data directory's contest-outbox). Dismissed with the three texts, or None."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="cancel")]

    def __init__(self, outbox: str) -> None:
        super().__init__(classes="dialog-screen")
        self.outbox = outbox

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="import-dialog"):
            yield Static("导入比武成绩", classes="dialog-title")
            yield Static("本轮结束后，把本人的成绩包导入学习记录。比武文件用考场发放的那一份。", classes="dialog-text")
            yield Input(placeholder="比武文件，如 room/contest.yaml", id="import-contest")
            yield Input(placeholder="参赛编号，如 A01", id="import-id", max_length=64)
            yield Input(placeholder=f"成绩包文件夹（默认 {self.outbox}）", id="import-where")
            yield Static("", id="import-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("导入", variant="primary", id="import-ok")

    @on(Input.Submitted)
    @on(Button.Pressed, "#import-ok")
    def _submit(self) -> None:
        contest = self.query_one("#import-contest", Input).value.strip()
        cid = self.query_one("#import-id", Input).value.strip()
        where = self.query_one("#import-where", Input).value.strip()
        if not contest or not cid:
            self.query_one("#import-error", Static).update("请填写比武文件和参赛编号")
            return
        self.dismiss((contest, cid, where))

    def action_cancel(self) -> None:
        self.dismiss(None)


def bring_home(home: Path, contest_file: str, contestant: str, where: str, *, trainee: str, now: float) -> str:
    """Verify and record a contestant's bundles in the store at `home`; the outcome in one Chinese sentence.
    Raises ValueError (Chinese) for what the trainee must correct."""
    from sim.contest import ContestError, load_contest
    from sim.contest.model import cst_time
    from sim.contest.takehome import take_home
    from sim.store import Store

    path = Path(contest_file).expanduser()
    if not path.is_file():
        raise ValueError(f"找不到比武文件 {contest_file}")
    try:
        contest = load_contest(path)
    except ContestError as exc:
        p = exc.problems[0]
        raise ValueError(f"比武文件有错误：{p.file}:{p.line}: {p.message}") from None
    person = contest.contestant(contestant)
    if person is None:
        raise ValueError(f"比武「{contest.name}」的名单中没有编号「{contestant}」")
    source = Path(where).expanduser() if where else home / "contest-outbox"
    if not source.exists():
        raise ValueError(f"找不到成绩包 {source}")
    library = contest.load_library()
    store = Store(home)
    try:
        got = take_home([source], contest, library, person.id, store, trainee=trainee or person.name,
                        township=person.township, now=cst_time(now))
    finally:
        store.close()
    if not got.results and not got.refused:
        raise ValueError(f"{source} 中没有参赛人员「{person.name}」（{person.id}）的成绩包")
    new = sum(h.stored for h in got.results)
    text = f"「{contest.name}」：新导入 {new} 份"
    if len(got.results) > new:
        text += f"，此前已导入 {len(got.results) - new} 份"
    if got.refused:
        text += f"，未导入 {len(got.refused)} 份（" + "；".join(n.message for n in got.refused[:2]) + "）"
    return text + "。"


class PracticeTable(DataTable[Any]):
    BINDINGS = [Binding("enter", "select_cursor", "办理案例", id="open-practice")]


class WeakSpotsScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("weakspots.tcss")
    AUTO_FOCUS = "#practice"
    BINDINGS = [
        Binding("a", "analysis", "案例分析", id="practice-analysis"),
        Binding("k", "drill", "专项答题", id="drill"),
        Binding("i", "import_results", "导入比武成绩", id="import-results"),
        Binding("escape", "back", "返回", id="back"),
    ]

    app: TraineeHost

    def compose(self) -> ComposeResult:
        yield Static(Text(f"薄弱环节 · {self.app.trainee or '未署名'}"), classes="bar", id="weak-title")
        yield Static("", classes="subbar", id="weak-status")
        table = DataTable[Any](id="weak-articles", cursor_type="row", zebra_stripes=True)
        for key, label in (("article", "出错最多的条文"), ("count", "合计"), ("play", "演练"), ("sheets", "答题分析"),
                           ("contest", "比武")):
            table.add_column(label, key=key)
        yield table
        yield Static("", id="weak-contest")
        practice = PracticeTable(id="practice", cursor_type="row", zebra_stripes=True)
        practice.add_column("建议练习的案例", key="case")
        practice.add_column("针对", key="aim")
        yield practice
        yield Static("", id="weak-empty", classes="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        from sim.weakspots import article_spots, practice_cases, rule_names

        app = self.app
        assert app.store is not None and app.library is not None
        lib = app.library
        spots = article_spots(app.store, lib, trainee=app.trainee)
        played = len(app.store.history(app.trainee))
        sheets = app.store.sheets(app.trainee)
        contest = [s for s in sheets if s.contest]
        self.query_one("#weak-status", Static).update(Text(
            f"练习与比武合计：演练 {played} 次，答题与案例分析 {len(sheets) - len(contest)} 份，"
            f"比武成绩 {len(contest)} 份"))
        table = self.query_one("#weak-articles", DataTable)
        table.clear()
        for w in spots[:6]:
            table.add_row(Text(w.label), str(w.count), str(w.play), str(w.sheets), str(w.contest), key=w.article)
        lines = Text()
        if contest:
            lines.append("比武失分：\n", style="bold")
        for s in contest[:SHOWN_CONTEST]:
            names = rule_names(lib, "" if s.kind == "quiz" else s.ref, s.rules)
            missed = "、".join(title for title, _c in names[:3]) + ("等" if len(names) > 3 else "")
            lines.append(f"{s.title.split('·', 1)[-1]}  {s.score} 分", style="bold" if s.score < 60 else "")
            lines.append(f"  {missed or '没有失分项'}\n")
        box = self.query_one("#weak-contest", Static)
        box.update(lines)
        box.display = bool(contest)
        aimed = [w.article for w in spots[:5]]
        recent = [r for s in contest for r in s.rules]
        practice = self.query_one("#practice", PracticeTable)
        practice.clear()
        for o in practice_cases(lib, aimed, recent):
            aim = [lib.articles[a].label if a in lib.articles else a for a in o.articles]
            aim += [title for title, _c in rule_names(lib, o.case, o.rules)]
            more = f" 等 {len(aim)} 项" if len(aim) > 1 else ""
            practice.add_row(Text(o.title), Text(aim[0] + more), key=o.case)
        empty = not spots and not contest
        self.query_one("#weak-empty", Static).update(Text(
            "还没有出错记录：完成演练、答题、案例分析，或导入比武成绩（按 i）后，这里列出最常出错的条文和对应的练习。"))
        self.query_one("#weak-empty").display = empty
        for wid in ("#weak-articles", "#practice"):
            self.query_one(wid).display = not empty

    def on_screen_resume(self) -> None:
        self.show()

    def _case(self) -> Any:
        table = self.query_one("#practice", PracticeTable)
        if not table.row_count or self.app.library is None:
            return None
        ref = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.app.library.scenarios.get(str(ref))

    @on(DataTable.RowSelected, "#practice")
    @when_active
    def _open(self, event: DataTable.RowSelected) -> None:
        sc = self._case()
        if sc is not None:
            self.app.open_briefing(sc)

    @when_active
    def action_analysis(self) -> None:
        sc = self._case()
        if sc is not None:
            self.app.open_analysis(sc)

    @when_active
    def action_drill(self) -> None:
        self.app.open_quiz()

    @when_active
    def action_import_results(self) -> None:
        assert self.app.store is not None
        home = self.app.store.home

        def chosen(answer: tuple[str, str, str] | None) -> None:
            if answer is not None:
                self._bring_home(home, *answer)

        self.app.push_screen(ImportDialog(str(home / "contest-outbox")), chosen)

    @work(thread=True, exclusive=True, group="bring-home")
    def _bring_home(self, home: Path, contest_file: str, contestant: str, where: str) -> None:
        try:
            text = bring_home(home, contest_file, contestant, where, trainee=self.app.trainee, now=self.app.clock())
        except (ValueError, OSError, sqlite3.Error) as exc:
            self.app.call_from_thread(self.notify, str(exc), title="未能导入", severity="error", timeout=10,
                                      markup=False)
            return
        self.app.call_from_thread(self._brought_home, text)

    def _brought_home(self, text: str) -> None:
        self.notify(text, title="比武成绩", timeout=10, markup=False)
        self.show()

    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active
