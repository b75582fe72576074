"""The drafting round (文书制作, `kind: drafting`) end to end: `contest check` on the file, `contest run`'s app at
80x24 — the case file, each named document drafted in the document view, the sheet kept across a restart,
hand-in under the countdown — then the organiser's `contest import` (re-scored), `contest standings` and
`contest export`; a snapshot of the form."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from contest_helpers import FakeClock, contest_app, contest_key, cst, load
from tui_helpers import fill_value, keys, screen_text, settle

from sim.contest import read_bundle
from sim.drafting import model_sheet
from tui.cli import main
from tui.contest.drafting import DraftingResultScreen, DraftingScreen
from tui.contest.round import RoundScreen
from tui.trainee.document import DocumentView
from tui.widgets.dialogs import ConfirmDialog

__all__ = ["contest_key"]  # the fixture, imported for pytest

SIZE = (80, 24)
CASES = ("straw-burning-01", "fire-lane-01")
DRAFTING_ROUND = f"""\
  - id: r5
    title: 第五轮 文书制作
    kind: drafting
    cases: [{", ".join(CASES)}]
    weights: {{decide.kind_basis: 3}}
    time_limit: 60 minutes
    opens: 2026-05-31 09:00
    closes: 2026-05-31 12:00
    seed: 5
    mode: exam
roster:
"""


@pytest.fixture
def contest_file(tmp_path, contest_key):
    from contest_helpers import write_contest

    path = write_contest(tmp_path / "contest")
    text = path.read_text(encoding="utf-8").replace("roster:\n", DRAFTING_ROUND, 1)
    path.write_text(text, encoding="utf-8")
    return path


def cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out + err


async def begin(pilot, row: int = 0) -> None:
    table = pilot.app.screen.query_one("#round-cases")
    table.move_cursor(row=row)
    await keys(pilot, "enter")
    if isinstance(pilot.app.screen, ConfirmDialog):
        await keys(pilot, "y")
    await settle(pilot)


async def draft(pilot, sc, action: str, values: dict) -> None:
    """On the documents tab: open `action` in the document view, fill its blanks by keys, keep it (Ctrl+S)."""
    screen = pilot.app.screen
    assert isinstance(screen, DraftingScreen)
    docs = screen.query_one("#dr-docs")
    docs.focus()
    docs.highlighted = list(screen.case.documents).index(action)
    await keys(pilot, "enter")
    assert isinstance(pilot.app.screen, DocumentView)
    doc = sc.procedure.actions[action].document
    for fid, value in values.items():
        await fill_value(pilot, f"v-{fid}", doc.field(fid).kind, value)
    await keys(pilot, "ctrl+s")
    assert pilot.app.screen is screen


async def test_drafting_round_by_keys_imported_and_ranked(contest_file, library, home, tmp_path, capsys):
    code, out = cli(capsys, "contest", "check", contest_file)
    assert code == 0 and "文书制作" in out, out
    contest = load(contest_file, library)
    r5 = contest.round("r5")
    straw, lane = (library.scenarios[c] for c in CASES)
    assert r5.drafting_documents(straw) == ("decide",) and r5.drafting_documents(lane) == ("decide_on_spot",)
    clock = FakeClock(cst("2026-05-31 09:05"))
    outbox = tmp_path / "outbox"
    app = contest_app(contest, library, home, clock, round_id="r5", out=outbox, who="p03")
    good = model_sheet(straw, ("decide",))["documents"]["decide"]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "文书制作 · 共 2 件" in screen_text(app)
        await begin(pilot, 0)
        screen = app.screen
        assert isinstance(screen, DraftingScreen)
        # A fresh sheet opens on the case file: the facts, the evidence, the acts before the decision.
        assert screen.query_one("#dr-tabs").active == "dr-tab-facts"
        facts = str(screen.query_one("#dr-history").render())
        assert "案卷记载的办案经过" in facts and "本轮要求制作：行政处罚决定书" in facts
        assert "剩余" in screen_text(app)
        await keys(pilot, "ctrl+t")
        assert screen.query_one("#dr-tabs").active == "dr-tab-docs" and "未填写" in screen_text(app)
        # Half the decision, then Esc: the sheet is kept, the clock runs, the list says how far it got.
        half = dict(list(good.items())[:2])
        await draft(pilot, straw, "decide", half)
        assert "已填 2 / " in screen_text(app)
        await keys(pilot, "escape")
        assert isinstance(app.screen, RoundScreen) and "制作中（已填 2 / " in screen_text(app)
        # Reopened: the saved blanks are back; the rest of the decision, the basis without its paragraph.
        await begin(pilot, 0)
        assert isinstance(app.screen, DraftingScreen) and app.screen.sheet["documents"]["decide"] == half
        assert app.screen.query_one("#dr-tabs").active == "dr-tab-docs"
        rest = {k: v for k, v in good.items() if k not in half}
        rest["kind_basis"] = rest["kind_basis"].replace("第一百一十九条第一款", "第一百一十九条")
        await draft(pilot, straw, "decide", rest)
        preview = str(app.screen.query_one("#dr-preview").render())
        assert "成文预览" in preview and "行政处罚决定书" in preview and "第一百一十九条" in preview
        clock.advance(1200)
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmDialog) and "行政处罚决定书已填" in app.screen.text
        await keys(pilot, "y")
        assert isinstance(app.screen, RoundScreen)
        # The second case drafted right.
        await begin(pilot, 1)
        await keys(pilot, "ctrl+t")
        lane_good = model_sheet(lane, ("decide_on_spot",))["documents"]["decide_on_spot"]
        await draft(pilot, lane, "decide_on_spot", {k: v for k, v in lane_good.items() if k != "party"})
        # Opened again and cancelled: what was kept stays as it was.
        await keys(pilot, "enter")
        await fill_value(pilot, "v-party", "text", "周某某")
        await keys(pilot, "escape")
        assert app.screen.sheet["documents"]["decide_on_spot"].get("party") is None
        # The party typed in the view, and time runs out before Ctrl+S: what is typed is handed in.
        await keys(pilot, "enter")
        assert isinstance(app.screen, DocumentView)
        await fill_value(pilot, "v-party", "text", lane_good["party"])
        clock.now = cst("2026-05-31 10:06")
        app.tick()
        await pilot.pause()
        assert app.bundle_of(lane.id) is not None
        # After the window: each element right or wrong, what was written beside the reference.
        clock.now = cst("2026-05-31 12:01")
        app.tick()
        await pilot.pause()
        app.screen.query_one("#round-cases").move_cursor(row=0)
        await keys(pilot, "enter")
        assert isinstance(app.screen, DraftingResultScreen)
        body = str(app.screen.query_one("#dr-result").render())
        assert "✗ 处罚种类和依据（权重 3）" in body and "参考：" in body and "第一百一十九条第一款" in body
        paths = [app.bundle_of(c) for c in CASES]
    bundles = [read_bundle(p, contest, library) for p in paths]
    assert 0 < bundles[0].score < 100 and bundles[1].score == 100
    store = tmp_path / "results"
    code, out = cli(capsys, "contest", "import", contest_file, outbox, "--home", store)
    assert code == 0 and "导入 2 份" in out, out
    code, out = cli(capsys, "contest", "standings", contest_file, "--home", store, "--round", "r5", "--json")
    (row,) = json.loads(out)["standings"]
    assert row["id"] == "p03" and row["score"] == bundles[0].score + 100, row
    for fmt in ("html", "xlsx", "csv"):
        target = tmp_path / f"r5.{fmt}"
        code, out = cli(capsys, "contest", "export", contest_file, "--home", store, "--round", "r5", "-o",
                        target, "--format", fmt)
        assert code == 0 and target.stat().st_size > 0, out
    assert straw.title in (tmp_path / "r5.html").read_text(encoding="utf-8")
    # Taken home: the wrong basis is a weak spot of the contestant's, by article (处罚法 art 59) and by case.
    from sim.contest.takehome import take_home
    from sim.store import Store

    mine = Store(tmp_path / "mine")
    got = take_home([outbox], contest, library, "p03", mine, trainee="赵强", now=dt.datetime(2026, 6, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert not got.refused and len(got.results) == 2
    (straw_home,) = [h for h in got.results if h.score < 100]
    assert straw_home.rules == ("decision-basis-wrong",) and straw_home.articles == ("行政处罚法#59",)
    assert straw.id in {s.group for s in mine.weak_spots("case", trainee="赵强")}
    mine.close()


async def test_two_documents_of_one_case_and_a_blank_that_is_not_a_number(contest_file, library, home):
    """A round naming the notice and the decision: both on the list; the notice's reply period typed in words
    is not kept (the sheet stays one the organiser's import can score) and the contestant is told."""
    text = contest_file.read_text(encoding="utf-8").replace(f"cases: [{', '.join(CASES)}]",
                                                            "cases: [straw-burning-01]\n    documents: [notify, decide]")
    contest_file.write_text(text, encoding="utf-8")
    contest = load(contest_file, library)
    straw = library.scenarios["straw-burning-01"]
    app = contest_app(contest, library, home, FakeClock(cst("2026-05-31 09:05")), round_id="r5")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await begin(pilot, 0)
        await keys(pilot, "ctrl+t")
        text = screen_text(app)
        assert "行政处罚事先告知书　未填写" in text and "行政处罚决定书　未填写" in text
        await draft(pilot, straw, "notify", {"reply_days": "三", "penalty": "拟处罚款人民币贰仟元"})
        assert app.screen.sheet["documents"]["notify"] == {"penalty": "拟处罚款人民币贰仟元"}
        assert any("应填写数字" in n.message for n in app._notifications)
        assert "行政处罚事先告知书　已填 1 / 7 栏" in screen_text(app)
        # The saved sheet is one the round scores (as the organiser's import will).
        from sim.drafting import score_drafting

        saved = app.sheet_answers("straw-burning-01", {})
        assert saved == app.screen.sheet
        assert score_drafting(straw, ("notify", "decide"), saved).points < 100


def _fixture_drafting(tmp_path, fixture_library):
    from contest_helpers import FIXTURE_CASE, TRAP, write_contest

    path = write_contest(tmp_path / "contest", play=(FIXTURE_CASE,), review=(FIXTURE_CASE, TRAP))
    round_ = DRAFTING_ROUND.replace(f"cases: [{', '.join(CASES)}]", f"cases: [{FIXTURE_CASE}]").replace(
        "    weights: {decide.kind_basis: 3}\n", "")
    path.write_text(path.read_text(encoding="utf-8").replace("roster:\n", round_, 1), encoding="utf-8")
    return load(path, fixture_library)


async def _open_fixture_decision(pilot, fixture_library) -> None:
    from contest_helpers import FIXTURE_CASE

    await pilot.pause()
    await begin(pilot, 0)
    await keys(pilot, "ctrl+t")
    sc = fixture_library.scenarios[FIXTURE_CASE]
    await draft(pilot, sc, "decide", {"facts_evidence": "焚烧秸秆约3亩；照片、笔录为证"})
    await keys(pilot, "enter")  # the decision again, half drafted


def test_drafting_round_document_form_at_80x24(snap_compare, fixture_library, tmp_path, contest_key):
    """The decision in the document view inside a drafting round: the printed form, one blank filled."""
    contest = _fixture_drafting(tmp_path, fixture_library)
    clock = FakeClock(cst("2026-05-31 09:05"))
    app = contest_app(contest, fixture_library, tmp_path / "home", clock, round_id="r5")

    async def run_before(pilot):
        await _open_fixture_decision(pilot, fixture_library)
        assert isinstance(pilot.app.screen, DocumentView)
        pilot.app.clear_notifications()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_drafting_round_documents_tab_at_80x24(snap_compare, fixture_library, tmp_path, contest_key):
    """The round's documents with how far each is drafted, and the preview of the finished text."""
    contest = _fixture_drafting(tmp_path, fixture_library)
    clock = FakeClock(cst("2026-05-31 09:05"))
    app = contest_app(contest, fixture_library, tmp_path / "home", clock, round_id="r5")

    async def run_before(pilot):
        await _open_fixture_decision(pilot, fixture_library)
        await keys(pilot, "escape")  # back on the documents tab
        assert isinstance(pilot.app.screen, DraftingScreen)
        pilot.app.clear_notifications()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
