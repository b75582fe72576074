"""Printed reports: the debrief report and the township report carry the date, the contest, the round and
the township, and print on A4 — checked by printing them to PDF with headless Chromium and reading the PDF
back (page size, page count, the heading fields as text, a CJK font, table headers repeated on every page)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim.contest import ContestStore, load_contest, write_bundle
from sim.contest.export import render_report, township_report
from sim.contest.model import CST
from sim.report import render_html, render_markdown
from sim.selftest import play as play_path

from chromium_support import Pdf, cjk_font, contains, is_a4, print_pdf
from contest_support import OPENS, contest_doc, library, play, write_contest

WHEN = dt.datetime(2026, 12, 1, 16, 30, tzinfo=CST)
CONTEXT = [("比武", "测试杯执法比武"), ("轮次", "第一轮"), ("乡镇", "城关镇"), ("参赛人员", "张一（A1）")]


def test_debrief_report_carries_where_and_when(tmp_path: Path) -> None:
    sc = library().scenario("straw-burning-01")
    trap = next(t for t in sc.traps if t.name == "申辩后加罚且超出幅度")
    session, _ = play_path(sc, trap)
    md = render_markdown(sc, session, session.result, context=CONTEXT, generated=WHEN)
    head = md.split("## ")[0]
    assert head.index("- **日期**：2026-12-01 16:30") < head.index("- **比武**：测试杯执法比武") \
        < head.index("- **轮次**：第一轮") < head.index("- **乡镇**：城关镇") < head.index("- **案例**")
    page = render_html(sc, session, session.result, context=CONTEXT, generated=WHEN)
    assert "@page{size:A4" in page and "<thead>" in page

    pdf = Pdf(print_pdf(_write(tmp_path / "debrief.html", page), tmp_path / "debrief.pdf"))
    assert is_a4(pdf), pdf.sizes()
    assert 1 <= pdf.pages <= 8, pdf.pages  # the case file shows each document beside the correct one
    text = pdf.text()
    for needle in ("执法演练讲评报告", "2026-12-01 16:30", "测试杯执法比武", "第一轮", "城关镇", "张一（A1）",
                   sc.title, "申辩"):
        assert contains(text, needle), needle
    assert cjk_font(pdf), pdf.fonts()


def test_debrief_without_a_contest_has_date_and_township_only() -> None:
    sc = library().scenario("straw-burning-01")
    session, _ = play_path(sc, sc.references[0])
    md = render_markdown(sc, session, session.result, context=[("乡镇", "石桥镇"), ("比武", "")], generated=WHEN)
    assert "- **乡镇**：石桥镇" in md and "比武" not in md and "- **日期**：2026-12-01 16:30" in md


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big_township(tmp_path_factory: pytest.TempPathFactory):
    """A contest whose 城关镇 sends 80 officers; three of them handed in."""
    tmp = tmp_path_factory.mktemp("print")
    doc = contest_doc()
    doc["roster"] += [{"id": f"C{i:02d}", "name": f"城关{i:02d}号", "township": "城关镇"} for i in range(80)]
    contest = load_contest(write_contest(tmp, doc), library=library())
    store = ContestStore.open(None, home=tmp / "home")
    for i, (who, case) in enumerate([("A1", "straw-burning-01"), ("A1", "fire-lane-01"), ("A2", "fire-lane-01"),
                                     ("B1", "straw-burning-01")]):
        j = play(case, tmp / f"{who}-{case}.jsonl", start=OPENS + dt.timedelta(minutes=3 + 20 * i))
        write_bundle(contest, "r1", who, case, j, tmp / "inbox", library=library())
    assert all(o.ok for o in store.import_bundles(contest, library(), [tmp / "inbox"]))
    yield contest, store
    store.close()


def test_township_report_prints_on_a4_with_repeated_headers(big_township, tmp_path: Path) -> None:
    contest, store = big_township
    report = township_report(contest, store.results(contest.id, "r1"), library(), round_id="r1",
                             township="城关镇")
    assert report.township == "城关镇" and len(report.people) == 82  # A1, A2 and the 80 more
    assert report.people[0][:4] == ("1", "A1", "张一", "200")
    assert report.people[-1][2:7] == ("城关79号", "—", "—", "—", "未交卷")
    assert "赵四" not in str(report.people)  # another township
    md = str(render_report(report, "md", generated=WHEN))
    assert "- **日期**：2026-12-01 16:30:00" in md and "- **乡镇**：城关镇" in md and "- **轮次**：第一轮" in md
    page = str(render_report(report, "html", generated=WHEN))

    pdf = Pdf(print_pdf(_write(tmp_path / "town.html", page), tmp_path / "town.pdf"))
    assert is_a4(pdf), pdf.sizes()
    assert 2 <= pdf.pages <= 6, pdf.pages
    text = pdf.text()
    for needle in ("测试杯执法比武", "第一轮", "城关镇", "2026-12-01 16:30:00", "参赛人员成绩", "城关79号"):
        assert contains(text, needle), needle
    # The contestants' table runs over several pages: every page that continues it repeats its header row.
    pages = [p.extract_text() or "" for p in pdf.reader.pages]
    continued = [p for p in pages[1:] if contains(p, "未交卷")]
    assert continued and all(contains(p, "姓名") and contains(p, "总分") for p in continued)
    assert cjk_font(pdf)


def test_township_report_from_the_command_line(big_township, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli import main

    contest, store = big_township
    url = store.url
    out = tmp_path / "town.xlsx"
    code = main(["contest", "report", contest.path, "--store", url, "--round", "r1", "--township", "城关镇",
                 "--format", "xlsx", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert "乡镇：城关镇" in wb["各乡镇情况"]["A2"].value and "轮次：第一轮" in wb["各乡镇情况"]["A2"].value
    people = [[c.value for c in r] for r in wb["参赛人员成绩"].iter_rows(min_row=2)]
    assert people[0][:4] == [1, "A1", "张一", 200] and len(people) == 82
    code = main(["contest", "report", contest.path, "--store", url, "--township", "桃源乡"])
    assert code == 2 and "名单中没有乡镇「桃源乡」" in capsys.readouterr().err


def test_case_file_documents_print_on_a4_one_form_per_page(tmp_path: Path) -> None:
    from sim.report import render_case_file_html

    sc = library().scenario("straw-burning-01")
    session, _ = play_path(sc, sc.references[0])
    docs = session.documents()
    page = render_case_file_html(sc, session)
    assert page.count('<section class="doc">') == len(docs) >= 8
    pdf = Pdf(print_pdf(_write(tmp_path / "casefile.html", page), tmp_path / "casefile.pdf"))
    assert is_a4(pdf), pdf.sizes()
    assert pdf.pages == len(docs), pdf.pages  # each form on a page of its own, none spilling over
    text = pdf.text()
    for needle in ("行政处罚决定书", "〔2026〕第8号", "捌佰元整", "送达回证", "询问笔录", "豫执A41130001"):
        assert contains(text, needle), needle
    assert cjk_font(pdf), pdf.fonts()
