"""sim.report: the exported debrief (Markdown and self-contained HTML), with no terminal involved."""

from __future__ import annotations

import subprocess
import sys

import attrs

from sim.report import act_rows, findings_by_severity, reference_rows, render_html, render_markdown, verdict
from sim.selftest import play


def test_reference_path_report(scenario):
    session, refused = play(scenario, scenario.references[0])
    assert refused == []
    md = render_markdown(scenario, session, session.result)
    assert md.startswith("# 执法演练讲评报告\n")
    assert f"- **案例**：{scenario.title}（{scenario.id}）" in md
    assert "## 得分 100　等级 优秀　通过" in md
    assert "未发现程序错误。" in md
    assert "| 1 | 2026-06-03 10:30 | 现场检查（勘验） | 执法人员：张明、王强；" in md
    name, ref = reference_rows(scenario)
    assert f"## 参考路径「{name}」" in md and len(ref) == len(scenario.references[0].steps)
    assert "### 《行政处罚决定书》" in md


def test_trap_report_groups_findings_by_severity(scenario, trap):
    session, _ = play(scenario, trap)
    result = session.result
    groups = dict(findings_by_severity(result))
    assert sorted(f.rule_id for f in groups[next(iter(groups))]) == ["case-left-open", "uncertified-officer"]
    assert verdict(result) == f"得分 {result.score}　等级 不合格　未通过　（存在否决项）"
    rows = act_rows(session)
    assert rows[0].marks == 3 and "赵磊" in rows[0].details
    md = render_markdown(scenario, session, result)
    assert md.index("### 严重（否决项）（2 项）") < md.index("### 较重（2 项）") and "### 轻微" not in md
    # The unfinished case names what it lacked, each with its article.
    assert "未完成：未作出处罚决定（《行政处罚法》第五十七条第一款第（一）项）" in md


def test_html_is_self_contained_and_escaped(scenario, trap):
    session, _ = play(scenario, trap)
    session.trainee = "<script>alert('x')</script>"
    evil = attrs.evolve(scenario, title='焚烧 & "秸秆" <b>')
    page = render_html(evil, session, session.result)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page and "<style>" in page
    assert "<script" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "焚烧 &amp; &quot;秸秆&quot; &lt;b&gt;" in page
    assert "http" not in page  # nothing fetched: fonts and styles are inline or local
    assert scenario.procedure.rule("uncertified-officer").title in page


def test_report_does_not_import_the_ui():
    code = (
        "import sim.report, sys; "
        "print(any(m.split('.')[0] in ('textual', 'rich', 'tui') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
