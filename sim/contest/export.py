"""Standings and organiser's reports as files: CSV, XLSX, self-contained HTML and Markdown, all in Chinese.

The board, the CLI and every export read the same rows (`standings_rows`, `township_report`), so a rank or
an average never differs between what was shown and what was sent upward.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..loader import Library
from ..report import PRINT_CSS
from ..scoring import PASS_MARK, cite_labels
from .model import CST, PAPER, Contest, split_case_ref

if TYPE_CHECKING:  # the results store loads SQLAlchemy: `contest check` formats times without it
    from .store import ResultRow, Standing

FORMATS = ("csv", "xlsx", "html")
REPORT_FORMATS = ("md", "html", "xlsx")
HEADERS = ("名次", "编号", "姓名", "乡镇（单位）", "组别", "总分", "否决项", "用时", "最后交卷", "完成案例")


def duration_text(seconds: float) -> str:
    """Time spent with its units, so that no one reads minutes as hours: "7分05秒", "1小时07分05秒"."""
    s = max(0, int(round(seconds)))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}小时{m:02d}分{sec:02d}秒" if h else f"{m}分{sec:02d}秒"


def limit_text(limit: dt.timedelta) -> str:
    """A round's time limit: "90 分钟", "2 小时" (whole hours of at least one hour), "0 分钟"."""
    minutes = int(limit.total_seconds() // 60)
    return f"{minutes // 60} 小时" if minutes >= 60 and minutes % 60 == 0 else f"{minutes} 分钟"


def round_windows(contest: Contest) -> list[str]:
    """One line per round: its title, window (China Standard Time) and time limit."""
    return [f"　{r.title}（{r.id}）：{r.opens:%Y-%m-%d %H:%M} 至 {r.closes:%Y-%m-%d %H:%M}，"
            f"限时 {limit_text(r.time_limit)}" for r in contest.rounds]


def time_text(t: dt.datetime | None) -> str:
    return "" if t is None else f"{t.astimezone(CST):%Y-%m-%d %H:%M:%S}"


def division_name(contest: Contest, did: str | None) -> str:
    if did is None:
        return ""
    d = contest.division(did)
    return d.name if d else did


NO_SCORE = "—"


def case_title(library: Library | None, ref: str) -> str:
    """A case's title for a column or a list ("案卷评查：title" for a review entry, 法律知识试卷 for a knowledge
    round's paper); the id if unknown."""
    if ref == PAPER:
        return "法律知识试卷"
    case, trap = split_case_ref(ref)
    sc = library.scenarios.get(case) if library is not None else None
    title = sc.title if sc is not None else case
    return f"案卷评查：{title}" if trap is not None else title


def case_headers(contest: Contest, library: Library | None, columns: Sequence[tuple[str, str]], *,
                 short: bool = False) -> list[str]:
    """Column headers for the per-case scores: the case titles (with the round's number when the columns span
    several rounds), or, `short`, 第1案, 第2案… for a terminal (`case_legend` says which is which)."""
    rounds = [r.id for r in contest.rounds]
    several = len({rid for rid, _ in columns}) > 1
    out = []
    for i, (rid, ref) in enumerate(columns, 1):
        if short:
            out.append(f"第{i}案")
        else:
            prefix = f"第{rounds.index(rid) + 1}轮·" if several and rid in rounds else ""
            out.append(prefix + case_title(library, ref))
    return out


def case_legend(contest: Contest, library: Library | None, columns: Sequence[tuple[str, str]]) -> list[str]:
    """What the short headers stand for, one line each: 第1案：麦收期间露天焚烧秸秆（初赛：现场执法实操）."""
    out = []
    for i, (rid, ref) in enumerate(columns, 1):
        r = contest.round(rid)
        out.append(f"第{i}案：{case_title(library, ref)}（{r.title if r else rid}）")
    return out


def standings_rows(contest: Contest, standings: Sequence[Standing],
                   columns: Sequence[tuple[str, str]] = ()) -> list[list[str]]:
    """The standings as text cells under HEADERS (what the CLI prints and the files contain), then one score
    cell per case column ("—": no result, or one hidden by the freeze)."""
    out = []
    for s in standings:
        cells = [str(s.rank), s.contestant_id, s.name, s.township, division_name(contest, s.division),
                 str(s.score), str(s.criticals), duration_text(s.wall_seconds), time_text(s.finished_at),
                 str(s.cases_done)]
        for rid, ref in columns:
            score = s.case_score(rid, ref)
            cells.append(NO_SCORE if score is None else str(score))
        out.append(cells)
    return out


def standings_json(contest: Contest, standings: Sequence[Standing]) -> list[dict[str, Any]]:
    return [{"rank": s.rank, "id": s.contestant_id, "name": s.name, "township": s.township,
             "division": s.division, "division_name": division_name(contest, s.division), "score": s.score,
             "criticals": s.criticals, "wall_seconds": round(s.wall_seconds, 3),
             "wall_time": duration_text(s.wall_seconds),
             "finished_at": s.finished_at.isoformat() if s.finished_at else None, "cases_done": s.cases_done,
             "cases": [{"round": rid, "case": ref, "score": score} for rid, ref, score in s.cases]}
            for s in standings]


def board_title(contest: Contest, round_id: str | None, division: str | None, frozen: bool) -> str:
    parts = [contest.name]
    r = contest.round(round_id) if round_id else None
    parts.append(r.title if r else "总成绩")
    if division:
        parts.append(division_name(contest, division))
    title = " · ".join(parts) + " 排名"
    return title + ("（封榜）" if frozen else "")


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;
color:#222}dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}dt{font-weight:bold}dd{margin:0}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #999;padding:.3em .7em;text-align:left}
th{background:#eee}td.n{text-align:right}table.people td{white-space:nowrap}.note{color:#555}.frozen{color:#a00;font-weight:bold}
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
                numeric: frozenset[int] | set[int] = frozenset(), cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
                         for i, c in enumerate(r)) + "</tr>"
        for r in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(title: str, body: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{_CSS}{PRINT_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _tiebreak_note(contest: Contest) -> str:
    words = {"score": "总分高者在前", "criticals": "否决项少者在前", "wall_time": "用时少者在前",
             "finish_time": "交卷早者在前", "id": "按编号"}
    return "排名规则：" + "，".join(words[t] for t in contest.tiebreak) + "；各项均相同者名次并列。"


def export_standings(contest: Contest, standings: Sequence[Standing], fmt: str, path: str | Path, *,
                     round_id: str | None = None, division: str | None = None, frozen: bool = False,
                     generated: dt.datetime | None = None, library: Library | None = None) -> Path:
    """Write the standings as csv (UTF-8 with BOM, so Excel opens the Chinese right), xlsx or html, with one
    score column per case of the round (of every round for the overall standings), then the township team
    standings (sim.contest.teams: a township's officers as one team) — below the officers in csv and html, on
    a second sheet in xlsx."""
    from .teams import TEAM_HEADERS, TEAM_NOTE, team_rows, team_standings

    path = Path(path)
    title = board_title(contest, round_id, division, frozen)
    columns = contest.case_columns(round_id)
    headers = [*HEADERS, *case_headers(contest, library, columns)]
    rows = standings_rows(contest, standings, columns)
    teams = team_standings(contest, standings, division=division)
    when = time_text(generated or dt.datetime.now(CST))
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(headers)
        w.writerows(rows)
        w.writerow([])
        w.writerow([f"乡镇团体排名（{TEAM_NOTE}）"])
        w.writerow(TEAM_HEADERS)
        w.writerows(team_rows(contest, teams))
        path.write_text(buf.getvalue(), encoding="utf-8-sig")
    elif fmt == "xlsx":
        wb, ws = _workbook("排名", title, f"生成时间：{when}　{_tiebreak_note(contest)}", headers)
        for s, cells in zip(standings, rows, strict=True):
            # Numbers stay numbers, so the organiser can sort and sum in Excel; a case without a result is
            # an empty cell.
            ws.append([s.rank, s.contestant_id, s.name, s.township, cells[4], s.score, s.criticals, cells[7],
                       cells[8], s.cases_done, *(s.case_score(rid, ref) for rid, ref in columns)])
        widths = (6, 10, 10, 14, 10, 8, 8, 14, 20, 10, *(max(10, min(24, len(h) * 2)) for h in headers[10:]))
        from openpyxl.utils import get_column_letter

        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A4"
        tws = wb.create_sheet("乡镇团体")
        tws.append([title + "（乡镇团体）"])
        tws.append([TEAM_NOTE])
        tws.append(list(TEAM_HEADERS))
        for t, cells in zip(teams, team_rows(contest, teams), strict=True):
            tws.append([t.rank, t.township, cells[2], t.members, t.took_part, t.score, t.criticals])
        for i, width in enumerate((6, 14, 10, 10, 10, 16, 8), 1):
            tws.column_dimensions[get_column_letter(i)].width = width
        tws.freeze_panes = "A4"
        wb.save(path)
    elif fmt == "html":
        body = [f"<h1>{_e(title)}</h1>",
                f'<p class="note">生成时间：{_e(when)}。{_e(_tiebreak_note(contest))}</p>']
        if frozen:
            body.append('<p class="frozen">已封榜：封榜后交卷的成绩未计入本榜，最终排名以揭榜为准。</p>')
        numeric = {0, 5, 6, 9, *range(10, len(headers))}
        body.append(_html_table(headers, rows, numeric) if rows else "<p>暂无成绩。</p>")
        body.append("<h2>乡镇团体排名</h2>")
        body.append(f'<p class="note">{_e(TEAM_NOTE)}</p>')
        body.append(_html_table(TEAM_HEADERS, team_rows(contest, teams), {0, 3, 4, 5, 6}))
        path.write_text(_page(title, body), encoding="utf-8")
    else:
        raise ValueError(f"不支持的格式「{fmt}」（可用：{'、'.join(FORMATS)}）")
    return path


# --- organiser's report per township ------------------------------------------------------------------------


@attrs.frozen
class RuleCount:
    rule_id: str
    title: str
    citations: str
    count: int


@attrs.frozen
class TownshipLine:
    township: str
    division: str
    roster: int
    took_part: int
    results: int
    average: float | None
    pass_rate: float | None
    top_rules: tuple[RuleCount, ...]


@attrs.frozen
class ContestReport:
    contest: str
    round_title: str
    townships: tuple[TownshipLine, ...]
    total: TownshipLine
    top_rules: tuple[RuleCount, ...]
    township: str | None = None  # a report for one township: its people are listed
    people_headers: tuple[str, ...] = ()
    people: tuple[tuple[str, ...], ...] = ()  # one row per roster entry of the township (no result: "未交卷")


def _passed(r: ResultRow) -> bool:
    return r.criticals == 0 and r.score >= PASS_MARK


def _rule_counts(rows: Sequence[ResultRow], library: Library, limit: int) -> tuple[RuleCount, ...]:
    counts: Counter[tuple[str, str]] = Counter()
    for r in rows:
        if r.kind != "play":
            continue  # a review result lists the veto items the reviewer missed, not rules the reviewer broke
        case = split_case_ref(r.case)[0]
        for rid in r.rules:
            counts[(rid, case)] += 1
    merged: Counter[str] = Counter()
    label: dict[str, tuple[str, str]] = {}
    for (rid, case), n in counts.items():
        merged[rid] += n
        if rid in label:
            continue
        sc = library.scenarios.get(case)
        rule = next((x for x in sc.procedure.rules if x.id == rid), None) if sc else None
        if rule is not None and sc is not None:
            label[rid] = (rule.title, cite_labels(rule.cite, sc.articles))
        else:
            label[rid] = (rid, "")
    ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return tuple(RuleCount(rid, label[rid][0], label[rid][1], n) for rid, n in ranked)


def _line(name: str, division: str, roster: int, rows: Sequence[ResultRow], library: Library,
          limit: int) -> TownshipLine:
    people = {r.contestant_id for r in rows}
    avg = sum(r.score for r in rows) / len(rows) if rows else None
    rate = sum(1 for r in rows if _passed(r)) / len(rows) if rows else None
    return TownshipLine(name, division, roster, len(people), len(rows), avg, rate,
                        _rule_counts(rows, library, limit))


PEOPLE_HEADERS = ("名次", "编号", "姓名", "总分", "否决项", "用时", "完成案例")


def township_report(contest: Contest, rows: Sequence[ResultRow], library: Library, *,
                    round_id: str | None = None, top: int = 3, township: str | None = None) -> ContestReport:
    """Participation (roster vs. contestants with a result), average score and pass rate per case result (pass
    = at least 60 points and no veto item), and the rules broken most, per township and overall. `township`:
    the report of that township alone, with each of its contestants (rank within the township, per-case
    scores; those with no result listed as 未交卷)."""
    from .store import rank

    if round_id is not None:
        rows = [r for r in rows if r.round_id == round_id]
    towns: dict[str, list[str]] = {}
    for c in contest.roster:
        if township is None or c.township == township:
            towns.setdefault(c.township, []).append(c.id)
    if township is not None:
        ids = set(towns.get(township, ()))
        rows = [r for r in rows if r.contestant_id in ids]
    lines = []
    for town, ids in towns.items():
        mine = [r for r in rows if r.contestant_id in set(ids)]
        div = contest.contestant(ids[0])
        division = division_name(contest, div.division if div else None)
        lines.append(_line(town, division, len(ids), mine, library, top))
    r = contest.round(round_id) if round_id else None
    roster = sum(len(ids) for ids in towns.values())
    total = _line("合计", "", roster, rows, library, top)
    people_headers: tuple[str, ...] = ()
    people: list[tuple[str, ...]] = []
    if township is not None:
        columns = contest.case_columns(round_id)
        people_headers = (*PEOPLE_HEADERS, *case_headers(contest, library, columns))
        standings = rank(contest, rows)
        for cells in standings_rows(contest, standings, columns):
            people.append((cells[0], cells[1], cells[2], cells[5], cells[6], cells[7], cells[9], *cells[10:]))
        ranked = {s.contestant_id for s in standings}
        for cid in towns.get(township, ()):
            if cid not in ranked:
                c = contest.contestant(cid)
                people.append(("—", cid, c.name if c else cid, NO_SCORE, NO_SCORE, NO_SCORE, "未交卷",
                               *(NO_SCORE for _ in columns)))
    return ContestReport(contest.name, r.title if r else "全部轮次", tuple(lines), total,
                         _rule_counts(rows, library, 10), township, people_headers, tuple(people))


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _avg(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


REPORT_HEADERS = ("乡镇（单位）", "组别", "名单人数", "参赛人数", "参与率", "成绩份数", "平均分", "合格率", "最常见问题")


def report_rows(report: ContestReport) -> list[list[str]]:
    out = []
    for t in (*report.townships, report.total):
        top = "；".join(f"{r.title}（{r.count}次）" for r in t.top_rules) or "—"
        out.append([t.township, t.division, str(t.roster), str(t.took_part),
                    _pct(t.took_part / t.roster if t.roster else None), str(t.results), _avg(t.average),
                    _pct(t.pass_rate), top])
    return out


def _rule_rows(report: ContestReport) -> list[list[str]]:
    return [[str(i), r.title, r.citations or "—", str(r.count)] for i, r in enumerate(report.top_rules, 1)]


RULE_HEADERS = ("序号", "问题（规则）", "法律依据", "出现次数")


def render_report(report: ContestReport, fmt: str, path: str | Path | None = None,
                  generated: dt.datetime | None = None) -> str | Path:
    """md / html return the text (and write it if `path` is given); xlsx needs `path` and returns it."""
    where = report.township or "全部乡镇"
    title = f"{report.contest} · {report.round_title} · {where} · 组织情况报告"
    when = time_text(generated or dt.datetime.now(CST))
    note = "参与率 = 参赛人数 / 名单人数；平均分与合格率按每份案例成绩计算（合格 = 不低于 60 分且无否决项）。"
    fields = [("日期", when), ("比武", report.contest), ("轮次", report.round_title), ("乡镇", where)]
    rows, rules = report_rows(report), _rule_rows(report)
    people = [list(p) for p in report.people]
    if fmt == "md":
        def md_table(headers: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
            esc = [[c.replace("|", "\\|") for c in r] for r in body]
            return (["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
                    + ["| " + " | ".join(r) + " |" for r in esc])

        lines = [f"# {title}", "", *(f"- **{k}**：{v}" for k, v in fields), "", note, "",
                 "## 各乡镇情况" if report.township is None else "## 本乡镇情况", "",
                 *md_table(REPORT_HEADERS, rows), ""]
        if report.township is not None:
            lines += ["## 参赛人员成绩", "", *md_table(report.people_headers, people), ""]
        lines += ["## 违反最多的规则", ""]
        lines += md_table(RULE_HEADERS, rules) if rules else ["暂无。"]
        text = "\n".join(lines) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text
    if fmt == "html":
        body = [f"<h1>{_e(title)}</h1>",
                "<dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in fields) + "</dl>",
                f'<p class="note">{_e(note)}</p>',
                f"<h2>{'各乡镇情况' if report.township is None else '本乡镇情况'}</h2>",
                _html_table(REPORT_HEADERS, rows, {2, 3, 4, 5, 6, 7})]
        if report.township is not None:
            body += ["<h2>参赛人员成绩</h2>",
                     _html_table(report.people_headers, people, {0, 1, 3, 4, 5, 6, *range(7, len(report.people_headers))}, "people")]
        body += ["<h2>违反最多的规则</h2>", _html_table(RULE_HEADERS, rules, {0, 3}) if rules else "<p>暂无。</p>"]
        text = _page(title, body)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text
    if fmt == "xlsx":
        if path is None:
            raise ValueError("xlsx 报告需要输出文件路径")
        wb, ws = _workbook("各乡镇情况", title, "　".join(f"{k}：{v}" for k, v in fields) + f"　{note}",
                           REPORT_HEADERS)
        for t, cells in zip((*report.townships, report.total), rows, strict=True):
            ws.append([t.township, t.division, t.roster, t.took_part,
                       round(t.took_part / t.roster, 4) if t.roster else None, t.results,
                       None if t.average is None else round(t.average, 2),
                       None if t.pass_rate is None else round(t.pass_rate, 4), cells[8]])
            for col in ("E", "H"):
                ws[f"{col}{ws.max_row}"].number_format = "0.0%"
        if report.township is not None:
            ws3 = wb.create_sheet("参赛人员成绩")
            ws3.append(list(report.people_headers))
            for p in report.people:
                ws3.append([int(c) if c.isdigit() else c for c in p])
        ws2 = wb.create_sheet("违反最多的规则")
        ws2.append(list(RULE_HEADERS))
        for i, r in enumerate(report.top_rules, 1):
            ws2.append([i, r.title, r.citations, r.count])
        wb.save(path)
        return Path(path)
    raise ValueError(f"不支持的格式「{fmt}」（可用：{'、'.join(REPORT_FORMATS)}）")


def _workbook(sheet: str, title: str, subtitle: str, headers: Sequence[str]) -> tuple[Any, Any]:
    """A workbook whose first sheet starts with a bold title, a subtitle line and a bold header row (row 3)."""
    from openpyxl import Workbook  # imported here: only the xlsx formats need it
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([subtitle])
    ws.append(list(headers))
    for c in ws[3]:
        c.font = Font(bold=True)
    return wb, ws
