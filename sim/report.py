"""The debrief as a document: what the trainee did, what the case expected, and every finding.

Pure text (no terminal): the TUI's debrief screen reads the same rows (`act_rows`, `reference_rows`,
`findings_by_severity`) and the exported reports are rendered here, so the screen, the Markdown file and the
HTML file say the same thing. Every sentence about a finding comes from `sim.scoring.finding_lines`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .model import ParamKind, Scenario, Severity
from .scoring import Finding, Result, finding_lines

if TYPE_CHECKING:
    from .session import ActRecord, Session

SEVERITY_ORDER = (Severity.CRITICAL, Severity.MAJOR, Severity.MINOR)
MODE_LABELS = {"practice": "练习模式", "exam": "考试模式"}
TIME_FORMAT = "%Y-%m-%d %H:%M"


@attrs.frozen
class Row:
    """One line of a timeline: when, what, details; `marks` = how many findings the act drew."""

    at: str
    what: str
    details: str = ""
    marks: int = 0


def _as_time(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return f"{value:{TIME_FORMAT}}"
    if isinstance(value, str):
        try:
            return f"{dt.datetime.fromisoformat(value):{TIME_FORMAT}}"
        except ValueError:
            return value
    return "" if value is None else str(value)


def document_name(scenario: Scenario, action: str) -> str:
    """《行政处罚决定书》 for an action that drafts one, else the action's label."""
    spec = scenario.procedure.actions.get(action)
    if spec is None:
        return action
    return f"《{spec.document.name}》" if spec.document is not None else spec.label


def param_text(scenario: Scenario, pid: str, value: Any) -> str:
    """One act parameter as the trainee reads it: 执法人员：张明、王强."""
    proc = scenario.procedure
    p = proc.params.get(pid)
    if p is None or value is None:
        return ""
    k = p.kind
    if k == ParamKind.OFFICERS:
        names = [(o.name if (o := scenario.officer(i)) else i) for i in value]
        shown = "、".join(names)
    elif k == ParamKind.EVIDENCE:
        labels = {e.id: e.label for e in scenario.evidence}
        shown = "、".join(labels.get(i, i) for i in value)
    elif k == ParamKind.BOOL:
        shown = "是" if value else "否"
    elif k == ParamKind.CHOICE:
        shown = next((o.label for o in p.options if o.id == value), str(value))
    elif k == ParamKind.CHOICES:
        labels = {o.id: o.label for o in p.options}
        shown = "、".join(labels.get(v, v) for v in value)
    elif k == ParamKind.TARGET:
        shown = document_name(scenario, str(value))
    elif k == ParamKind.DATETIME:
        shown = _as_time(value)
    elif k == ParamKind.PHRASE:
        phrase = proc.phrases.get(value)
        shown = f"“{phrase.text}”" if phrase else str(value)
    elif k == ParamKind.AMOUNT:
        shown = f"{value}"
    else:
        shown = str(value)
    return f"{p.label}：{shown}" if shown else ""


def _details(scenario: Scenario, action: str, params: Mapping[str, Any]) -> list[str]:
    # The document is shown in the case file and the target in the act's title.
    spec = scenario.procedure.actions[action]
    out = (
        param_text(scenario, pid, params.get(pid)) for pid in spec.params if pid not in ("document", "target")
    )
    return [t for t in out if t]


def act_details(scenario: Scenario, act: ActRecord) -> list[str]:
    """The parameters of an act (not its document), one phrase each, in the action's declared order."""
    out = _details(scenario, act.name, act.params)
    if act.effective is not None and act.effective != act.at:
        out.append(f"视为于 {act.effective:%Y-%m-%d} 送达")
    return out


def act_title(scenario: Scenario, act: ActRecord) -> str:
    target = act.params.get("target")
    return act.label + (document_name(scenario, target) if isinstance(target, str) else "")


def document_fields(scenario: Scenario, act: ActRecord) -> list[tuple[str, str]]:
    """(label, value) for every field of the document an act drafted, in the document's order."""
    return _fields(scenario, act.name, act.params.get("document") or {})


def model_document(scenario: Scenario, session: Session, act: ActRecord) -> Mapping[str, Any] | None:
    """What a correct version of this document contains: the same document in the case's first reference path
    (the same occurrence of the act; for a service receipt, the receipt of the same document). None when the
    reference path drafts no such document."""
    if not scenario.references:
        return None
    target = act.params.get("target")
    same = [a for a in session.acts[: act.index + 1]
            if a.name == act.name and a.params.get("target") == target]
    steps = [st for st in scenario.references[0].steps
             if st.do == act.name and st.params.get("target") == target and isinstance(st.params.get("document"), dict)]
    if not steps:
        return None
    return steps[min(len(same), len(steps)) - 1].params["document"]


def document_comparison(scenario: Scenario, session: Session, act: ActRecord) -> list[tuple[str, str, str]]:
    """(label, as drafted, as a correct document has it) for every field: the debrief's side-by-side view."""
    model = model_document(scenario, session, act)
    drafted = document_fields(scenario, act)
    if model is None:
        return [(label, value, "") for label, value in drafted]
    return [(label, value, ref) for (label, value), (_, ref) in zip(drafted, _fields(scenario, act.name, model))]


def _fields(scenario: Scenario, action: str, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    spec = scenario.procedure.actions[action]
    if spec.document is None:
        return []
    out = []
    for f in spec.document.fields:
        v = values.get(f.id)
        if v is None or v == "":
            shown = "（未填写）"
        elif f.kind == "bool":
            shown = "是" if v else "否"
        elif f.kind == "choice":
            shown = next((o.label for o in f.options if o.id == v), str(v))
        else:
            shown = str(v)
        out.append((f.label, shown))
    return out


def act_rows(session: Session, *, with_marks: bool = True) -> list[Row]:
    """The trainee's timeline of acts (refused acts are not acts and are not listed)."""
    counts: dict[int, int] = {}
    if with_marks:
        for f in session.findings:
            if f.act_index is not None:
                counts[f.act_index] = counts.get(f.act_index, 0) + 1
    sc = session.scenario
    return [
        Row(_as_time(a.at), act_title(sc, a), "；".join(act_details(sc, a)), counts.get(a.index, 0))
        for a in session.acts
    ]


def reference_rows(scenario: Scenario) -> tuple[str, list[Row]]:
    """The first reference path (name, steps) as timeline rows; ('', []) when the case has none."""
    if not scenario.references:
        return "", []
    ref = scenario.references[0]
    rows: list[Row] = []
    for step in ref.steps:
        if step.do == "finish":
            continue
        if step.do == "advance":
            rows.append(Row(_as_time(step.at), "推进案件时间", ""))
            continue
        spec = scenario.procedure.actions[step.do]
        target = step.params.get("target")
        what = spec.label + (document_name(scenario, target) if isinstance(target, str) else "")
        rows.append(Row(_as_time(step.at), what, "；".join(_details(scenario, step.do, step.params))))
    return ref.name, rows


def findings_by_severity(result: Result) -> list[tuple[Severity, list[Finding]]]:
    """Findings grouped critical → major → minor (each group in case-time order); empty groups included."""
    return [
        (sev, sorted((f for f in result.findings if f.severity is sev), key=lambda f: f.at))
        for sev in SEVERITY_ORDER
    ]


def verdict(result: Result) -> str:
    """得分 85　等级 良好　通过 (one line, the same words as `render_result`)."""
    text = f"得分 {result.score}　等级 {result.grade}　{'通过' if result.passed else '未通过'}"
    return text + ("　（存在否决项）" if result.vetoed else "")


def _header(scenario: Scenario, session: Session, context: Sequence[tuple[str, str]] = (),
            generated: dt.datetime | None = None) -> list[tuple[str, str]]:
    """The report's heading fields: the date, then where it was made (`context`: ("比武", name), ("轮次",
    title), ("乡镇", township)…, given by the front end that knows them; empty values left out), then the case."""
    when = generated or dt.datetime.now().astimezone()
    return [
        ("日期", f"{when:%Y-%m-%d %H:%M}"),
        *((k, v) for k, v in context if v),
        ("案例", f"{scenario.title}（{scenario.id}）"),
        ("程序", scenario.procedure.title),
        ("学员", session.trainee or "（未署名）"),
        ("模式", MODE_LABELS.get(session.mode, session.mode)),
        ("结束时案件状态", session.state_label),
    ]


# --- Markdown ---------------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def _md_table(rows: list[Row], *, marks: bool) -> list[str]:
    head = "| 序号 | 时间 | 执法动作 | 要点 |" + (" 问题 |" if marks else "")
    sep = "|---:|---|---|---|" + ("---:|" if marks else "")
    out = [head, sep]
    for i, r in enumerate(rows, 1):
        line = f"| {i} | {_md_cell(r.at)} | {_md_cell(r.what)} | {_md_cell(r.details)} |"
        if marks:
            line += f" {r.marks or ''} |"
        out.append(line)
    return out


def render_markdown(scenario: Scenario, session: Session, result: Result, *,
                    context: Sequence[tuple[str, str]] = (), generated: dt.datetime | None = None,
                    reference: bool = True) -> str:
    """The report as Markdown. `context`: where it was made (比武, 轮次, 乡镇…), printed under the date;
    `reference=False` leaves the reference path out (a contest round still open)."""
    out = ["# 执法演练讲评报告", ""]
    out += [f"- **{k}**：{v}" for k, v in _header(scenario, session, context, generated)]
    out += ["", f"## {verdict(result)}", ""]
    out += ["## 发现的问题", ""]
    if not result.findings:
        out += ["未发现程序错误。", ""]
    for sev, group in findings_by_severity(result):
        if not group:
            continue
        out += [f"### {sev.label}（{len(group)} 项）", ""]
        for f in group:
            first, *rest = finding_lines(f, scenario.articles)
            out.append(f"- **{first}**")
            out += [f"  - {line.strip()}" for line in rest]
        out.append("")
    out += ["## 你的执法过程", ""]
    rows = act_rows(session)
    out += _md_table(rows, marks=True) if rows else ["（没有进行任何执法动作）"]
    name, ref = reference_rows(scenario) if reference else ("", [])
    if ref:
        out += ["", f"## 参考路径「{name}」", ""]
        out += _md_table(ref, marks=False)
    docs = session.documents()
    if docs:
        out += ["", "## 案卷文书", ""]
        for a in docs:
            out.append(f"### {document_name(scenario, a.name)}（{_as_time(a.at)}）")
            out.append("")
            rows = document_comparison(scenario, session, a) if reference else []
            if any(ref for _, _, ref in rows):
                out += ["| 栏目 | 你制作的文书 | 规范文书（参考路径） |", "|---|---|---|"]
                out += [f"| {_md_cell(k)} | {_md_cell(v)} | {_md_cell(r or '—')} |" for k, v, r in rows]
            else:
                fields = document_fields(scenario, a)
                out += [f"- {label}：{_md_cell(value)}" for label, value in fields] or ["- （无填写事项）"]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# --- HTML -------------------------------------------------------------------------------------------------

# The screen layout, then the paper one: A4 with margins, tables that break between rows with their header
# row repeated, a finding or a document never split from its title, long ids wrapped instead of cut off.
PRINT_CSS = """
@page{size:A4;margin:16mm 14mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10.5pt;line-height:1.5}
h1{font-size:16pt}h2{font-size:13pt}h3{font-size:11pt}
h1,h2,h3{break-after:avoid;page-break-after:avoid}
thead{display:table-header-group}tr,.finding,dl{break-inside:avoid;page-break-inside:avoid}
.verdict{border:1px solid #999}
}
td,dd{overflow-wrap:break-word}td.n{white-space:nowrap}
"""

_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;max-width:60em;margin:2em auto;
padding:0 1em;color:#1f2328;line-height:1.6}
h1{border-bottom:2px solid #8b0000;padding-bottom:.3em}
.verdict{font-size:1.3em;font-weight:bold;padding:.5em 1em;border-radius:6px}
.pass{background:#e6f4ea;color:#1e6b30}.fail{background:#fdecea;color:#8b0000}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.finding{border-left:4px solid #999;padding:.2em .8em;margin:.6em 0;background:#fafafa}
.critical{border-color:#b00020}.major{border-color:#d97706}.minor{border-color:#2563eb}
.finding p{margin:.1em 0}.finding .title{font-weight:bold}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _html_table(rows: list[Row], *, marks: bool) -> str:
    head = (
        "<thead><tr><th>序号</th><th>时间</th><th>执法动作</th><th>要点</th>"
        + ("<th>问题</th>" if marks else "")
        + "</tr></thead>"
    )
    body = []
    for i, r in enumerate(rows, 1):
        cells = f"<td>{i}</td><td>{_e(r.at)}</td><td>{_e(r.what)}</td><td>{_e(r.details)}</td>"
        if marks:
            cells += f"<td>{r.marks or ''}</td>"
        body.append(f"<tr>{cells}</tr>")
    return f"<table>{head}<tbody>{''.join(body)}</tbody></table>"


def render_html(scenario: Scenario, session: Session, result: Result, *,
                context: Sequence[tuple[str, str]] = (), generated: dt.datetime | None = None,
                reference: bool = True) -> str:
    """A self-contained page (inline CSS, no scripts, every text escaped) that prints on A4. `context`: where
    it was made (比武, 轮次, 乡镇…), printed under the date;
    `reference=False` leaves the reference path out (a contest round still open)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{_e('执法演练讲评报告 · ' + scenario.title)}</title><style>{_CSS}{PRINT_CSS}</style></head><body>",
        "<h1>执法演练讲评报告</h1>",
        "<dl>"
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in _header(scenario, session, context, generated))
        + "</dl>",
        f'<p class="verdict {"pass" if result.passed else "fail"}">{_e(verdict(result))}</p>',
        "<h2>发现的问题</h2>",
    ]
    if not result.findings:
        parts.append("<p>未发现程序错误。</p>")
    for sev, group in findings_by_severity(result):
        if not group:
            continue
        parts.append(f"<h3>{_e(sev.label)}（{len(group)} 项）</h3>")
        for f in group:
            first, *rest = finding_lines(f, scenario.articles)
            lines = "".join(f"<p>{_e(line.strip())}</p>" for line in rest)
            parts.append(f'<div class="finding {sev.value}"><p class="title">{_e(first)}</p>{lines}</div>')
    parts.append("<h2>你的执法过程</h2>")
    rows = act_rows(session)
    parts.append(_html_table(rows, marks=True) if rows else "<p>（没有进行任何执法动作）</p>")
    name, ref = reference_rows(scenario) if reference else ("", [])
    if ref:
        parts.append(f"<h2>参考路径「{_e(name)}」</h2>")
        parts.append(_html_table(ref, marks=False))
    docs = session.documents()
    if docs:
        parts.append("<h2>案卷文书</h2>")
        for a in docs:
            parts.append(f"<h3>{_e(document_name(scenario, a.name))}（{_e(_as_time(a.at))}）</h3>")
            fields = document_fields(scenario, a)
            rows = document_comparison(scenario, session, a) if reference else []
            if any(ref for _, _, ref in rows):
                parts.append("<table><thead><tr><th>栏目</th><th>你制作的文书</th><th>规范文书（参考路径）</th></tr></thead><tbody>"
                             + "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td><td>{_e(r or '—')}</td></tr>"
                                       for k, v, r in rows) + "</tbody></table>")
            elif fields:
                parts.append(
                    "<dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in fields) + "</dl>"
                )
            else:
                parts.append("<p>（无填写事项）</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# --- the case file as printed documents -------------------------------------------------------------------

CASE_FILE_CSS = """
@page{size:A4;margin:25mm 26mm 22mm 28mm}
body{font-family:"Noto Serif CJK SC","Source Han Serif SC","SimSun","Noto Sans CJK SC",serif;color:#000;
max-width:42em;margin:2em auto;line-height:1.8;font-size:12pt}
.doc{margin-bottom:3em}
.doc+.doc{break-before:page;page-break-before:always}
.doc h1{text-align:center;font-size:20pt;letter-spacing:.1em;margin:0 0 .2em;border:none}
.doc .no{text-align:right;margin:0 0 1em}
.doc table{border-collapse:collapse;width:100%}
.doc th,.doc td{border:1px solid #000;padding:.35em .6em;vertical-align:top;text-align:left}
.doc th{width:30%;font-weight:normal;background:none}
.doc td.blank{color:#666}
.doc .served{margin-top:.8em;font-size:10.5pt}
.cover{text-align:center;margin-top:30%}
.cover h1{font-size:24pt}
@media print{body{max-width:none;margin:0}tr{break-inside:avoid;page-break-inside:avoid}}
"""


def document_number(session: Session, act: ActRecord) -> str:
    """The document's number in the case file: 〔year〕 and its place among the documents drafted."""
    docs = session.documents()
    seq = next((i for i, a in enumerate(docs, 1) if a.index == act.index), len(docs))
    return f"〔{act.at:%Y}〕第{seq}号"


def document_text(scenario: Scenario, session: Session, act: ActRecord) -> str:
    """The drafted document as plain text laid out like the printed form: title, number, each blank with what
    was written in it (the preview of the finished text)."""
    return form_text(scenario, act.name, act.params.get("document") or {}, act.at, document_number(session, act))


def form_text(scenario: Scenario, action: str, values: Mapping[str, Any], at: dt.datetime | dt.date,
              number: str, *, width: int = 28) -> str:
    """A document of `action` with these field values as the printed form reads: title, number, each blank
    with what is written in it (a blank not yet filled shows as 未填写), the date."""
    name = document_name(scenario, action).strip("《》")
    lines = [name.center(width - 4, "　"), number.rjust(width, "　"), ""]
    lines += [f"{label}：{value}" for label, value in _fields(scenario, action, values)]
    lines += ["", f"{at:%Y年%-m月%-d日}".rjust(width, "　")]
    return "\n".join(lines)


def render_case_file_html(scenario: Scenario, session: Session) -> str:
    """Every document of the case file, each on its own A4 page as the printed form: title, number, a table
    of the form's blanks with what was drafted in them, the date, and how it was served."""
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
             f"<title>案卷文书：{_e(scenario.title)}</title>", f"<style>{CASE_FILE_CSS}</style></head><body>"]
    docs = session.documents()
    if not docs:
        parts.append(f'<div class="cover"><h1>{_e(scenario.title)}</h1><p>案卷中还没有文书。</p></div>')
    for a in docs:
        name = document_name(scenario, a.name).strip("《》")
        parts.append(f'<section class="doc"><h1>{_e(name)}</h1><p class="no">{_e(document_number(session, a))}</p>')
        rows = document_fields(scenario, a)
        if a.params.get("target"):
            rows = [("送达事项", f"{a.label}{document_name(scenario, a.params['target'])}"), *rows]
        if rows:
            blank = ' class="blank"'
            parts.append("<table><tbody>" + "".join(
                f"<tr><th>{_e(k)}</th><td{blank if v == '（未填写）' else ''}>{_e(v)}</td></tr>"
                for k, v in rows) + "</tbody></table>")
        else:
            parts.append("<p>（本文书按格式制作，无填写事项）</p>")
        parts.append(f'<p class="no">{_e(f"{a.at:%Y年%-m月%-d日}")}</p>')
        served = [x for x in session.acts if x.params.get("target") == a.name]
        for x in served:
            how = param_text(scenario, "method", x.params.get("method")) or "送达"
            parts.append(f'<p class="served">{_e(x.label)}：{_e(f"{x.at:%Y-%m-%d %H:%M}")}，{_e(how)}</p>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
