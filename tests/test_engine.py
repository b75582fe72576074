"""The engine through its public API (`sim.Session`), on the bundled case straw-burning-01.

What is physically impossible is refused with a reason and changes nothing; what is possible but unlawful
happens and is scored; the clock only moves forward; world events fire at the legal time; deadline findings
carry their facts; the journal is on disk before a call returns and replays to the same result.

A known engine bug is pinned with xfail(strict=True) and a reason naming the function: the test flips to
XPASS (failing the run) once the bug is fixed, so the marker cannot outlive the bug.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from sim import ReplayError, Session, load_library, render_result, replay, resume
from sim.journal import JournalError, read_journal
from sim.model import Severity
from sim.scoring import DEDUCTION, Finding, finding_lines, score_findings
from sim.selftest import play

from strategies import library

CASE = "straw-burning-01"
SC = library().scenarios[CASE]
PROC = SC.procedure
D, DT = dt.date, dt.datetime

TEAM = ["zhang", "wang"]
INSPECT = dict(officers=TEAM, credentials_shown=True, recorded=True, record_made=True,
               evidence=["scene_photos", "site_record"], words="greet_show_id")
INTERVIEW = dict(officers=TEAM, credentials_shown=True, recorded=True, record_made=True,
                 evidence=["interview_record", "zone_map"], words="explain_rights")
FILE = dict(approved=True, document={"source": "巡查发现", "brief": "焚烧秸秆", "officer_opinion": "建议立案"})
NOTICE = dict(penalty_kind="fine", amount=800, document={
    "facts": "焚烧秸秆约3亩", "reasons": "违反禁烧规定", "basis": "大气污染防治法第一百一十九条",
    "penalty": "罚款800元", "rights_defence": True, "rights_hearing": False, "reply_days": 3})
DECISION = dict(penalty_kind="fine", amount=800, approved=True, document={
    "party": "李某", "facts_evidence": "焚烧秸秆；照片、笔录", "kind_basis": "罚款；第一百一十九条",
    "performance": "十五日内缴纳", "remedy": "county_gov", "agency_seal_date": True, "correction_order": True})
SERVE = dict(method="direct", proof=["signature"])


def ticker():
    n = itertools.count()
    return lambda: float(next(n))


def new(**kw) -> Session:
    return Session(SC, wall_clock=ticker(), **kw)


def through_notice(s: Session, served_at: str = "2026-06-08T10:00") -> Session:
    """Investigate, file, close the investigation, notify and serve the notice (all lawful)."""
    assert s.act("inspect", "2026-06-03T10:30", **INSPECT).ok
    assert s.act("file_case", "2026-06-03T15:00", **FILE).ok
    assert s.act("interview", "2026-06-04T09:00", **INTERVIEW).ok
    assert s.act("end_investigation", "2026-06-05T09:00", document={"facts": "焚烧秸秆"}).ok
    notify_at = DT.fromisoformat(served_at) - dt.timedelta(hours=1)
    assert s.act("notify", notify_at, **NOTICE).ok
    assert s.act("serve", served_at, target="notify", **SERVE).ok
    return s


def ids(findings) -> list[str]:
    return sorted(f.rule_id for f in findings)


def snapshot(s: Session):
    return (s.state, s.now, len(s.acts), len(s.findings), dict(s.flags), s.pending_events())


# --- impossible acts ----------------------------------------------------------------------------------------


def test_decide_before_filing_is_refused_and_changes_nothing():
    assert "discovered" not in PROC.actions["decide"].sources  # the template makes it impossible
    s = new()
    before = snapshot(s)
    out = s.act("decide", None, **DECISION)
    assert not out.ok and out.act is None
    assert PROC.state("discovered").label in out.reason and PROC.actions["decide"].label in out.reason
    assert snapshot(s) == before
    assert s.log[-1].kind == "refused" and s.log[-1].text == out.reason
    assert s.why_not("decide") == out.reason


def test_close_case_from_discovered_is_refused():
    s = new()
    out = s.act("close_case", None, document={"performance": "已缴纳"})
    assert not out.ok and PROC.actions["close_case"].label in out.reason
    assert s.state == "discovered" and not s.acts


def test_serving_a_document_never_drafted_is_refused_naming_it():
    s = new()
    assert s.act("file_case", None, **FILE).ok
    out = s.act("serve", None, target="notify", **SERVE)
    assert not out.ok
    assert PROC.actions["notify"].document.name in out.reason
    assert [a.name for a in s.acts] == ["file_case"]
    assert s.act("notify", None, **NOTICE).ok
    assert s.act("serve", None, target="notify", **SERVE).ok


@pytest.mark.parametrize(("params", "fragment"), [
    ({"method": "direct"}, "文书"),  # no target
    ({"target": "serve", "method": "direct"}, "不是制作文书的动作"),
])
def test_serving_without_a_document_is_refused(params, fragment):
    s = new()
    out = s.act("serve", None, **params)
    assert not out.ok and fragment in out.reason and not s.acts


def test_once_only_act_cannot_be_repeated():
    s = new()
    assert s.act("file_case", None, **FILE).ok
    out = s.act("file_case", None, **FILE)
    assert not out.ok and "不能重复" in out.reason
    assert len(s.acts) == 1


@pytest.mark.parametrize(("name", "params"), [
    ("close_case", {}),  # impossible in this state
    ("serve", {"method": "direct"}),  # possible in any state, but names no document
    ("serve", {"target": "decide", "method": "direct"}),  # the decision does not exist yet
])
def test_refused_act_does_not_move_the_clock(name, params):
    s = through_notice(new())
    before = snapshot(s)
    out = s.act(name, "2026-07-01T09:00", **params)
    assert not out.ok and not out.events
    assert snapshot(s) == before  # the defence event due on 6-09 has not been fired by the refusal


# --- possible but unlawful ----------------------------------------------------------------------------------


def test_deciding_without_notice_happens_and_fails_the_case():
    s = new()
    assert s.act("inspect", "2026-06-03T10:30", **INSPECT).ok
    assert s.act("file_case", "2026-06-03T15:00", **FILE).ok
    out = s.act("decide", "2026-06-10", **DECISION)
    assert out.ok and s.state == "decided"
    f = next(f for f in out.findings if f.rule_id == "notice-before-decision")
    assert f.severity is Severity.CRITICAL and f.act_index == out.act.index and f.at == DT(2026, 6, 10, 9, 0)
    assert "行政处罚法#62" in f.cites
    res = s.finish()
    assert res.passed is False and res.vetoed and res.grade == "不合格"
    assert "notice-before-decision" in res.rule_ids()
    assert "否决项" in render_result(res, SC)


# --- the clock ----------------------------------------------------------------------------------------------


def test_act_earlier_than_the_case_clock_is_refused():
    s = new()
    assert s.act("inspect", "2026-06-03T12:00", **INSPECT).ok
    out = s.act("file_case", "2026-06-03T11:00", **FILE)
    assert not out.ok and "只能向前" in out.reason
    assert s.now == DT(2026, 6, 3, 12, 0) and s.state == "discovered"


def test_advance_to_the_past_is_refused():
    s = new()
    assert s.advance("2026-06-10").ok
    out = s.advance("2026-06-05")
    assert not out.ok and "只能向前" in out.reason and s.now == DT(2026, 6, 10, 9, 0)
    assert not s.advance().ok  # no target at all


def test_relative_times_count_working_days():
    s = new()
    assert s.advance("2026-06-05T09:00").ok  # a Friday
    assert s.advance(working_days=1).ok
    assert s.now == DT(2026, 6, 8, 9, 0)  # the next Monday
    assert s.advance("2026-06-18T09:00").ok  # Thursday before 端午 (6-19 to 6-21)
    assert s.advance("+1 working_days").ok
    assert s.now == DT(2026, 6, 22, 9, 0)
    assert s.act("inspect", "+2 hours", **INSPECT).act.at == DT(2026, 6, 22, 11, 0)


@pytest.mark.parametrize("at", ["garbage", "2026-13-01", "+5 weeks", 12345, ["2026-06-03"]])
def test_unreadable_times_are_refused(at):
    s = new()
    out = s.act("inspect", at, **INSPECT)
    assert not out.ok and "时间" in out.reason and not s.acts


# --- unknown actions and parameters -------------------------------------------------------------------------


def test_unknown_action_is_refused():
    s = new()
    out = s.act("confiscate_everything")
    assert not out.ok and "confiscate_everything" in out.reason
    assert not s.why_not("inspect") and "confiscate_everything" in s.why_not("confiscate_everything")


def test_unknown_parameter_is_refused():
    s = new()
    out = s.act("inspect", None, colour="red", **INSPECT)
    assert not out.ok and "colour" in out.reason and not s.acts


@pytest.mark.parametrize(("action", "params", "fragment"), [
    ("inspect", {"officers": ["zhang", "nobody"]}, "nobody"),  # officer not in the team
    ("inspect", {"officers": 5}, "列表"),
    ("inspect", {"evidence": ["fingerprints"]}, "fingerprints"),
    ("inspect", {"credentials_shown": "yes"}, "是/否"),
    ("inspect", {"words": "shout_loudly"}, "shout_loudly"),
    ("serve", {"method": "fax"}, "fax"),
    ("serve", {"proof": ["a_promise"]}, "a_promise"),
    ("serve", {"target": "no_such_act"}, "no_such_act"),
    ("decide", {"amount": -1}, "金额"),
    ("decide", {"amount": "800"}, "金额"),
    ("decide", {"amount": True}, "金额"),
    ("decide", {"penalty_kind": "flogging"}, "flogging"),
    ("decide", {"document": "罚款800元"}, "行政处罚决定书"),
    ("decide", {"document": {"colour": "red"}}, "colour"),
    ("decide", {"document": {"remedy": "appeal_to_heaven"}}, "appeal_to_heaven"),
    ("decide", {"document": {"agency_seal_date": "yes"}}, "是/否"),
    ("notify", {"document": {"reply_days": "three"}}, "金额"),
])
def test_bad_parameter_values_are_refused(action, params, fragment):
    s = new()
    out = s.act(action, None, **params)
    assert not out.ok and fragment in out.reason, out.reason
    assert not s.acts and s.state == "discovered"


@pytest.mark.parametrize(("action", "params"), [
    ("inspect", {"words": ["greet_show_id"]}),
    ("decide", {"document": {"remedy": ["county_gov"]}}),
    ("hearing_notice", {"scheduled_at": "+99999999 days"}),
], ids=["phrase-list", "choice-field-list", "datetime-overflow"])
def test_unhashable_or_overflowing_values_are_refused(action, params):
    out = new().act(action, None, **params)
    assert not out.ok


def test_nan_amount_is_refused():
    s = new()
    assert s.act("file_case", None, **FILE).ok
    assert not s.act("decide", None, **{**DECISION, "amount": float("nan")}).ok


# --- world events -------------------------------------------------------------------------------------------


def _event_entries(s: Session, message: str):
    return [e for e in s.log if e.kind == "event" and e.text == message]


def test_defence_is_submitted_one_working_day_after_the_notice_is_served():
    message = PROC.events["defence_submitted"].message
    s = through_notice(new(), served_at="2026-06-08T10:00")
    assert s.advance("2026-06-09T09:59").ok
    assert not _event_entries(s, message) and s.flags["defence_submitted"] is False
    out = s.advance("2026-06-09T10:00")
    assert [e.text for e in out.events] == [message]
    assert [e.at for e in _event_entries(s, message)] == [DT(2026, 6, 9, 10, 0)]
    assert s.flags["defence_submitted"] is True


def test_event_waits_over_the_holiday_and_fires_before_a_later_act():
    message = PROC.events["defence_submitted"].message
    s = through_notice(new(), served_at="2026-06-18T10:00")  # Thursday; 6-19..6-21 端午 + weekend
    out = s.act("hear_defence", "2026-06-23T09:00", officers=TEAM, document={"statement": "初犯"})
    assert out.ok and [e.text for e in out.events] == [message]
    assert [e.at for e in _event_entries(s, message)] == [DT(2026, 6, 22, 10, 0)]
    event_index = next(i for i, e in enumerate(s.log) if e.text == message)
    act_index = next(i for i, e in enumerate(s.log) if e.kind == "act" and e.at == DT(2026, 6, 23, 9, 0))
    assert event_index < act_index


def test_events_are_deterministic_for_a_seed(tmp_path):
    text = Path(SC.path).read_text(encoding="utf-8")
    old = '{then: defence_submitted, after: "served:notify", wait: "1 working_days"}'
    assert text.count(old) == 1
    text = text.replace(old, old[:-1] + ", chance: 0.5}").replace(f"id: {CASE}", "id: coin-case", 1)
    (tmp_path / "coin.yaml").write_text(text, encoding="utf-8")
    lib = load_library([tmp_path])
    assert not lib.errors, lib.errors
    coin = lib.scenarios["coin-case"]
    message = coin.procedure.events["defence_submitted"].message

    def run(seed):
        s = through_notice(Session(coin, seed=seed, wall_clock=ticker()))
        s.advance("2026-06-20")
        return [(e.at, e.text) for e in s.log]

    outcomes = {}
    for seed in range(16):
        first = run(seed)
        assert run(seed) == first  # same seed, same world
        outcomes[seed] = any(text == message for _, text in first)
    assert set(outcomes.values()) == {True, False}  # the seed does matter


# --- deadlines and clocks -----------------------------------------------------------------------------------


def test_late_decision_finding_carries_the_deadline_facts():
    s = through_notice(new())
    out = s.act("decide", "2026-09-06T10:00", **DECISION)  # filed 2026-06-03, 90 days end 2026-09-01
    f = next(f for f in out.findings if f.rule_id == "decision-within-90-days")
    d = f.deadline
    assert d is not None and not d.early and not d.provisional
    assert d.start == DT(2026, 6, 3, 15, 0) and d.start_label == PROC.actions["file_case"].label
    assert d.due == D(2026, 9, 1) and d.days_late == 5 and d.period == "90日"
    assert f.at == DT(2026, 9, 6, 10, 0) and f.act_index == out.act.index
    text = "\n".join(finding_lines(f, SC.articles))
    assert "2026-09-01" in text and "逾期 5 日" in text


def test_expired_deadline_is_found_on_advance_without_the_end_act():
    s = new()
    assert s.act("file_case", "2026-06-03T15:00", **FILE).ok
    assert not s.advance("2026-09-01T18:00").findings  # the last day itself is still in time
    out = s.advance("2026-09-15")
    [f] = [f for f in out.findings if f.rule_id == "decision-within-90-days"]
    assert f.act_index is None and f.deadline.due == D(2026, 9, 1) and f.deadline.days_late == 14
    assert s.act("notify", None, **NOTICE).ok
    out = s.act("decide", "2026-09-30", **DECISION)
    assert "decision-within-90-days" not in ids(out.findings)  # found once, not again
    assert ids(s.findings).count("decision-within-90-days") == 1


def test_clocks_list_running_statutory_periods():
    s = new()
    assert "decision-within-90-days" not in {c.rule_id for c in s.clocks()}
    assert s.act("file_case", "2026-06-03T15:00", **FILE).ok
    [c] = [c for c in s.clocks() if c.rule_id == "decision-within-90-days"]
    assert c.due == D(2026, 9, 1) and c.remaining_days == 90 and c.kind == "within" and c.period == "90日"
    assert c.remaining_working_days == s.calendar.working_days_between(D(2026, 6, 3), D(2026, 9, 1))
    assert s.advance("2026-06-13").ok
    [c] = [c for c in s.clocks() if c.rule_id == "decision-within-90-days"]
    assert c.remaining_days == 80
    assert s.act("notify", None, **NOTICE).ok and s.act("decide", "2026-06-16", **DECISION).ok
    running = {c.rule_id: c for c in s.clocks()}
    assert "decision-within-90-days" not in running  # satisfied
    assert running["decision-served-late"].due == D(2026, 6, 26)  # 7 working days from Tue 6-16, 端午 6-19..21 skipped
    assert s.act("serve", None, target="decide", **SERVE).ok
    assert "decision-served-late" not in {c.rule_id for c in s.clocks()}
    for c in s.clocks():
        assert c.remaining_days == (c.due - s.now.date()).days


def test_period_ending_in_a_holiday_runs_to_the_next_working_day():
    s = new()
    assert s.advance("2026-07-04T09:00").ok
    assert s.act("file_case", None, **FILE).ok  # + 90 days = 2026-10-02, inside the National Day holiday
    [c] = [c for c in s.clocks() if c.rule_id == "decision-within-90-days"]
    assert c.due == D(2026, 10, 8)


# --- scoring ------------------------------------------------------------------------------------------------


def _fake(severity: Severity, rule_id: str = "x", points: int | None = None) -> Finding:
    return Finding(rule_id, "t", severity, (), "", "", "", DT(2026, 6, 3), None, None, None, points)


def test_score_is_100_minus_deductions_and_any_critical_fails():
    ok = score_findings(SC, [_fake(Severity.MAJOR), _fake(Severity.MINOR)], "closed", finished=True)
    assert ok.score == 100 - DEDUCTION[Severity.MAJOR] - DEDUCTION[Severity.MINOR] and ok.passed
    one_critical = score_findings(SC, [_fake(Severity.CRITICAL)], "closed", finished=True)
    assert one_critical.score == 100 - DEDUCTION[Severity.CRITICAL]
    assert one_critical.score >= 60 and not one_critical.passed and one_critical.vetoed
    assert score_findings(SC, [_fake(Severity.MINOR, points=3)], "closed", finished=True).score == 97


def test_score_is_floored_at_zero():
    s = new()
    s.act("inspect", None, officers=["zhao"], credentials_shown=False, words="threaten")
    s.act("file_case", None, approved=False)
    s.act("decide", None, penalty_kind="fine", amount=5000)
    res = s.finish()
    assert sum(f.deduction for f in res.findings) > 100
    assert res.score == 0 and not res.passed


# --- finish -------------------------------------------------------------------------------------------------


def test_finish_is_idempotent_and_closes_the_case(tmp_path):
    path = tmp_path / "j.jsonl"
    s = new(journal=path)
    s.act("inspect", None, **INSPECT)
    first = s.finish()
    assert "case-left-open" in first.rule_ids()
    assert s.finish() is first
    assert [e["t"] for e in read_journal(path)].count("finish") == 1
    out = s.act("file_case", None, **FILE)
    assert not out.ok and "已结案" in out.reason
    assert not s.advance("2026-07-01").ok
    assert s.finish() is first and s.result is first


# --- the journal --------------------------------------------------------------------------------------------


def test_every_call_is_on_disk_before_it_returns(tmp_path, monkeypatch):
    import sim.journal

    synced = []
    real_fsync = sim.journal.os.fsync
    monkeypatch.setattr(sim.journal.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    path = tmp_path / "j.jsonl"
    s = new(journal=path)
    head = read_journal(path)
    assert len(head) == 1 and head[0]["t"] == "start" and head[0]["scenario"] == CASE
    assert head[0]["hash"] == SC.content_hash
    calls = [
        (lambda: s.act("inspect", "2026-06-03T10:30", **INSPECT), "act"),
        (lambda: s.act("decide", None, **DECISION), "act"),  # refused: journaled too
        (lambda: s.advance("2026-06-04"), "advance"),
        (lambda: s.act("file_case", None, **FILE), "act"),
        (lambda: s.finish(), "finish"),
    ]
    for n, (call, kind) in enumerate(calls, start=2):
        call()
        entries = read_journal(path)
        assert len(entries) == n and entries[-1]["t"] == kind
        assert len(synced) == n  # flushed and fsynced, not just buffered
    assert "refused" in read_journal(path)[2]


def _messy_session(path: Path) -> Session:
    s = through_notice(new(journal=path, seed=5))
    s.act("decide", "2026-06-09", **{**DECISION, "amount": 2500, "document": {"remedy": "city_dept"}})
    s.act("serve", "2026-06-30", target="decide", method="leave", proof=["signature"])
    s.act("file_case", None, **FILE)  # refused
    s.act("inspect", "2026-06-01", **INSPECT)  # refused: the past
    s.advance("2026-10-01")
    s.act("close_case", None, document={"performance": "未缴纳"})
    return s


def test_replay_gives_identical_findings_and_score(tmp_path):
    path = tmp_path / "j.jsonl"
    s = _messy_session(path)
    res = s.finish()
    s.close()
    again = replay(SC, path)
    assert [f.to_json() for f in again.findings] == [f.to_json() for f in s.findings]
    assert again.result is not None and again.result.to_json() == res.to_json()
    assert (again.state, again.now, again.seed) == (s.state, s.now, 5)
    assert [(a.name, a.at, a.params, a.effective) for a in again.acts] == \
           [(a.name, a.at, a.params, a.effective) for a in s.acts]
    assert [(e.at, e.kind, e.text) for e in again.log] == [(e.at, e.kind, e.text) for e in s.log]
    assert path.read_bytes().count(b"\n") == len(read_journal(path))  # replay wrote nothing


def test_reference_path_replays_to_100(tmp_path):
    path = tmp_path / "j.jsonl"
    s = new(journal=path)
    for step in SC.references[0].steps:
        if step.do == "advance":
            s.advance(step.at)
        elif step.do != "finish":
            assert s.act(step.do, step.at, **step.params).ok
    assert s.finish().score == 100
    assert replay(SC, path).result.score == 100


def test_torn_last_line_is_tolerated_and_resume_restores_every_act(tmp_path):
    path = tmp_path / "j.jsonl"
    s = new(journal=path)
    s.act("inspect", "2026-06-03T10:30", **INSPECT)
    s.act("file_case", "2026-06-03T15:00", **FILE)
    s.act("interview", "2026-06-04T09:00", **INTERVIEW)
    s.close()
    data = path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    # a crash in the middle of writing the last line
    path.write_bytes(data[: last_start + (len(data) - last_start) // 2])
    entries = read_journal(path)
    assert [e.get("name") for e in entries] == [None, "inspect", "file_case"]
    back = resume(SC, path)
    assert [(a.name, a.at, a.params) for a in back.acts] == [(a.name, a.at, a.params) for a in s.acts[:2]]
    assert back.state == "filed" and back.now == DT(2026, 6, 3, 15, 0)
    assert back.journal is not None
    back.close()


def test_resume_after_torn_line_keeps_the_journal_readable(tmp_path):
    path = tmp_path / "j.jsonl"
    s = new(journal=path)
    s.act("inspect", "2026-06-03T10:30", **INSPECT)
    s.act("file_case", "2026-06-03T15:00", **FILE)
    s.close()
    path.write_bytes(path.read_bytes()[:-10])
    back = resume(SC, path)
    assert back.act("interview", "2026-06-04T09:00", **INTERVIEW).ok
    back.close()
    assert [e.get("name") for e in read_journal(path)] == [None, "inspect", "interview"]
    assert [a.name for a in replay(SC, path).acts] == ["inspect", "interview"]


def test_damage_before_the_last_line_is_an_error(tmp_path):
    path = tmp_path / "j.jsonl"
    s = new(journal=path)
    s.act("inspect", None, **INSPECT)
    s.act("file_case", None, **FILE)
    s.close()
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1][:5]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(JournalError, match=":2:"):
        read_journal(path)
    with pytest.raises(ReplayError):
        replay(SC, path)


def test_journal_of_another_case_is_refused(tmp_path):
    other = next((sc for sid, sc in library().scenarios.items() if sid != CASE), None)
    if other is None:
        pytest.skip("the library holds only one case")
    path = tmp_path / "j.jsonl"
    s = new(journal=path)
    s.act("inspect", None, **INSPECT)
    s.close()
    with pytest.raises(ReplayError, match=CASE):
        replay(other, path)
    with pytest.raises(ReplayError):
        resume(other, path)


def test_journal_of_changed_case_content_is_refused(tmp_path):
    path = tmp_path / "j.jsonl"
    s = through_notice(new(journal=path))
    s.close()
    changed_dir = tmp_path / "changed"
    changed_dir.mkdir()
    text = Path(SC.path).read_text(encoding="utf-8").replace("title: ", "title: 修订版", 1)
    (changed_dir / "case.yaml").write_text(text, encoding="utf-8")
    changed = load_library([changed_dir]).scenarios[CASE]
    assert changed.content_hash != SC.content_hash
    with pytest.raises(ReplayError, match="内容"):
        replay(changed, path)
    loose = replay(changed, path, strict=False)  # a trainer may still look at it, knowingly
    assert [a.name for a in loose.acts] == [a.name for a in s.acts]


def test_refused_acts_replay_identically(tmp_path):
    path = tmp_path / "j.jsonl"
    s = new(journal=path)
    assert not s.act("serve", "+1 hours", method="direct").ok
    assert not s.act("close_case", "2026-06-20").ok
    assert not s.act("decide", "+3 days", **DECISION).ok
    s.act("file_case", None, **FILE)
    res = s.finish()
    s.close()
    again = replay(SC, path)
    assert again.now == s.now and again.state == s.state
    assert again.result.to_json() == res.to_json()
    assert [(e.at, e.kind, e.text) for e in again.log] == [(e.at, e.kind, e.text) for e in s.log]


def test_new_session_on_an_existing_journal_does_not_corrupt_it(tmp_path):
    path = tmp_path / "j.jsonl"
    first = new(journal=path)
    first.act("file_case", None, **FILE)
    first.close()
    try:
        second = new(journal=path)
    except (JournalError, FileExistsError, ValueError):
        second = None  # refusing to reuse the file is fine
    if second is not None:
        second.act("inspect", None, **INSPECT)
        second.close()
    replay(SC, path)  # whichever session the file now holds, it must replay


def test_text_that_cannot_be_journaled_is_refused(tmp_path):
    s = new(journal=tmp_path / "j.jsonl")
    out = s.act("file_case", None, approved=True, document={"brief": "焚烧\udc80秸秆"})
    assert not out.ok and not s.acts and s.state == "discovered"


def test_act_refused_for_its_time_is_not_performed_on_replay(tmp_path):
    path = tmp_path / "j.jsonl"
    s = new(journal=path)
    assert not s.act("file_case", "garbage", **FILE).ok
    s.close()
    assert [a.name for a in replay(SC, path).acts] == []


def test_selftest_play_matches_manual_session():
    # The self-test runner is a thin layer over the same API.
    session, refused = play(SC, SC.references[0])
    assert not refused and session.result.score == 100 and session.state == "closed"
