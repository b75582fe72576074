"""The trainee's own weak spots (薄弱环节, library key w): the articles missed most in practice and in contests
brought home (`lawdrill contest results`), the latest contest results with what each missed, and the practice
that matches — the cases that train those articles and rules (Enter: its briefing, a: its case analysis) and a
knowledge paper aimed at them (k)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ..widgets.guard import when_active

if TYPE_CHECKING:
    from ..host import TraineeHost

SHOWN_CONTEST = 4  # contest results listed (newest first)


class PracticeTable(DataTable[Any]):
    BINDINGS = [Binding("enter", "select_cursor", "办理案例", id="open-practice")]


class WeakSpotsScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("weakspots.tcss")
    AUTO_FOCUS = "#practice"
    BINDINGS = [
        Binding("a", "analysis", "案例分析", id="practice-analysis"),
        Binding("k", "drill", "专项答题", id="drill"),
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
            lines.append("比武失分（用 lawdrill contest results 导入）：\n", style="bold")
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
            "还没有出错记录：完成演练、答题、案例分析，或导入比武成绩后，这里列出最常出错的条文和对应的练习。"))
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

    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_active
