"""Corrections from the legal review of the rule catalogue (issue 10 item 6), through the public API.

Most corrections are proven by traps in the cases (`lawdrill check` and tests/test_library.py play them); the
tests here cover what a trap cannot show: behaviour on a case whose world differs from the bundled one, and the
citations and labels a trainee reads in the debrief.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sim import Session, load_library
from sim.selftest import play_more

from strategies import library
from test_engine import FILE, INSPECT, INTERVIEW, NOTICE, SERVE, TEAM

LIB = library()
STRAW = LIB.scenarios["straw-burning-01"]
DECISION_DOC = {"party": "李某", "facts_evidence": "焚烧秸秆；照片、笔录", "kind_basis": "第一百一十九条",
                "performance": "十五日内缴纳", "remedy": "county_gov", "agency_seal_date": True,
                "correction_order": True}


def quiet_straw_case() -> Session:
    """straw-burning-01 in a world where the party never states or defends (no scripted events)."""
    s = Session(STRAW, wall_clock=lambda: 0.0, script=())
    assert s.act("inspect", "2026-06-03T10:30", **INSPECT).ok
    assert s.act("file_case", "2026-06-03T15:00", **FILE).ok
    assert s.act("interview", "2026-06-04T09:00", **INTERVIEW).ok
    assert s.act("end_investigation", "2026-06-05T09:00", document={"facts": "焚烧秸秆"}).ok
    assert s.act("notify", "2026-06-08T09:00", **NOTICE).ok
    assert s.act("serve", "2026-06-08T10:00", target="notify", **SERVE).ok
    return s


def ids(s: Session) -> list[str]:
    return sorted(f.rule_id for f in s.findings)


def test_decision_of_a_heavier_kind_than_the_notice_is_found_without_a_defence():
    s = quiet_straw_case()
    out = s.act("decide", "2026-06-15T10:00", penalty_kind="confiscation", amount=800, approved=True,
                document=DECISION_DOC)
    assert out.ok
    assert "decision-heavier-than-notice" in ids(s)
    assert "heavier-after-defence" not in ids(s)  # the party never defended: article 45 is not the ground


def test_decision_as_noticed_is_not_heavier():
    s = quiet_straw_case()
    s.act("decide", "2026-06-15T10:00", penalty_kind="fine", amount=800, approved=True, document=DECISION_DOC)
    assert not {"decision-heavier-than-notice", "heavier-after-defence"} & set(ids(s))


def test_a_lighter_decision_is_not_heavier():
    s = quiet_straw_case()
    s.act("decide", "2026-06-15T10:00", penalty_kind="warning", amount=0, approved=True, document=DECISION_DOC)
    assert not {"decision-heavier-than-notice", "heavier-after-defence"} & set(ids(s))


def test_court_application_window_runs_from_service_without_a_world_event():
    """强制法 第五十三条: the 6-month litigation period from the decision's service, then 3 months; the workbench
    clock shows it in a world that scripts no expiry event."""
    sc = LIB.scenarios["court-straw-fine-01"]
    ref = next(t for t in sc.selftests if t.reference)
    upto = next(i for i, st in enumerate(ref.steps) if st.do == "serve" and st.params.get("target") == "decide")
    s = Session(sc, wall_clock=lambda: 0.0, script=())
    assert play_more(s, ref.steps[: upto + 1]) == []
    assert s.advance("2026-08-10T09:00").ok
    clock = next(c for c in s.clocks() if c.rule_id == "court-apply-late")
    assert clock.due == dt.date(2026, 11, 4)  # served 2026-02-04: 6 months end 08-04, then 3 months
    assert clock.start_label == "《行政处罚决定书》送达之日起 6个月届满"
    assert "court-apply-late" not in [f.rule_id for f in s.findings]
    late = s.advance("2026-11-05T09:00")  # the window passed without an application
    assert [f.rule_id for f in late.findings] == ["court-apply-late"]


# --- 处罚法 第六十九条: on-the-spot collection in remote areas at the party's request ----------------------------

WATERMELON = "spot-watermelon-stall-01"


def _remote_watermelon(tmp_path):
    """The watermelon case moved to a remote place (a case fact), where the party asks to pay on the spot."""
    text = Path(LIB.scenarios[WATERMELON].pos.file).read_text(encoding="utf-8")
    text = text.replace("id: spot-watermelon-stall-01", "id: spot-watermelon-remote-01", 1)
    text = text.replace("flags: {repeat_after_penalty: false}", "flags: {repeat_after_penalty: false, remote_area: true}", 1)
    text = text.replace("events:\n  - {then: defence_submitted, after: inform}",
                        "events:\n  - {then: spot_payment_requested, after: decide_on_spot}\n"
                        "  - {then: defence_submitted, after: inform}", 1)
    path = tmp_path / "spot-watermelon-remote-01.yaml"
    path.write_text(text, encoding="utf-8")
    lib = load_library([path])
    assert not lib.errors, lib.errors
    return lib.scenarios["spot-watermelon-remote-01"]


def _collect_on_spot(sc, ground: str) -> list[str]:
    ref = next(t for t in sc.selftests if t.reference)
    upto = next(i for i, st in enumerate(ref.steps) if st.do == "serve")
    s = Session(sc, wall_clock=lambda: 0.0)
    assert play_more(s, ref.steps[: upto + 1]) == []
    out = s.act("collect_fine", "2026-07-08T10:45", officers=TEAM, amount=150,
                document={"ground": ground, "receipt": "official"})
    assert out.ok
    return [f.rule_id for f in out.findings]


def test_spot_collection_in_a_remote_area_at_the_partys_request_is_lawful(tmp_path):
    assert "spot-collection-not-allowed" not in _collect_on_spot(_remote_watermelon(tmp_path), "remote_request")


def test_spot_collection_claiming_remoteness_where_the_place_is_not_remote_is_found():
    assert "spot-collection-not-allowed" in _collect_on_spot(LIB.scenarios[WATERMELON], "remote_request")


# --- citations and wording a trainee reads ----------------------------------------------------------------------


def _remedy_options():
    for proc in LIB.procedures.values():
        for action in proc.actions.values():
            doc = action.document
            for f in (doc.fields if doc is not None else ()):
                if f.kind == "choice":
                    for o in f.options:
                        yield proc.id, action.id, f.id, o


def test_remedy_wording_names_the_competent_court_not_the_county_court():
    """Henan concentrates administrative cases in designated courts (豫高法〔2014〕197号): a township decision may
    not be litigated at the county court, so the decision says 向有管辖权的人民法院."""
    seen = 0
    for proc, action, field, option in _remedy_options():
        assert "向县人民法院" not in option.label, (proc, action, field, option.id)
        if option.id.startswith("county_gov") and "行政诉讼" in option.label:
            assert "有管辖权的人民法院" in option.label, (proc, action, option.id)
            seen += 1
    assert seen >= 8


def _cites(rule_id: str) -> set[str]:
    return {c for p in LIB.procedures.values() for r in p.rules if r.id == rule_id for c in r.cite}


def test_practice_rules_are_labelled_as_practice_not_as_the_penalty_law():
    from sim.model import Status

    for rule_id in ("filing-not-approved", "interview-before-filing", "notice-before-investigation-closed"):
        cites = _cites(rule_id)
        assert cites, rule_id
        assert all(c.startswith("执法实务规范#") and LIB.articles[c].status is Status.PR for c in cites), \
            (rule_id, cites)
    # The case left open is a veto item now (the ending of sim.outcomes): it must rest on law (art 57: the head
    # decides once the investigation ends), and it names the practice source for 结案 beside it.
    cites = _cites("case-left-open")
    assert "行政处罚法#57" in cites and "执法实务规范#10" in cites, cites


def test_assumptions_and_rest_day_authority_are_cited_as_what_they_are():
    from sim.model import Status

    window = _cites("decided-inside-defence-window")
    assert any(LIB.articles[c].status is Status.UNVERIFIED and "三个工作日" in LIB.articles[c].text for c in window)
    night = _cites("execute-night-or-rest-day")
    reply = "最高人民法院（2016）最高法行他81号答复#0"
    assert reply in night and "星期六" in LIB.articles[reply].text
    assert LIB.articles[reply].label == "《最高人民法院（2016）最高法行他81号答复》"
    assumed = [c for c in night if LIB.articles[c].status not in (Status.P, Status.S)]
    assert assumed == ["执法实务规范#2"] and "22时" in LIB.articles[assumed[0]].text  # only the night hours
    for rule_id in ("fine-self-enforced", "seize-hold-until-paid"):
        assert "行政强制法#46.3" in _cites(rule_id), rule_id


# --- 河南省行政处罚听证办法 第四条 ------------------------------------------------------------------------------

def _notice_findings(sc, **notice) -> list[str]:
    s = Session(sc, wall_clock=lambda: 0.0, script=())
    assert s.act("inspect", "2026-06-03T10:30", **INSPECT).ok
    assert s.act("file_case", "2026-06-03T15:00", **FILE).ok
    assert s.act("end_investigation", "2026-06-05T09:00", document={"facts": "焚烧秸秆"}).ok
    doc = dict(NOTICE["document"], rights_hearing=False)
    out = s.act("notify", "2026-06-08T09:00", document=doc, **notice)
    assert out.ok, out.reason
    return [f.rule_id for f in out.findings]


def test_confiscation_worth_the_hearing_amount_needs_the_hearing_right():
    """第四条第一款第二项: confiscating illegal gains or property worth 5,000 yuan or more (citizen)."""
    assert "hearing-right-omitted" in _notice_findings(STRAW, penalty_kind="fine", amount=800,
                                                        confiscated_value=5000)
    assert "hearing-right-omitted" not in _notice_findings(STRAW, penalty_kind="fine", amount=800,
                                                            confiscated_value=4999)


def test_a_state_council_department_standard_replaces_the_provincial_amount(tmp_path):
    """第四条第二款: a case in a field where a State Council department set its own amount overrides the
    threshold condition; a 6,000-yuan fine on a citizen then needs no hearing offer if that standard is 10,000."""
    text = Path(STRAW.pos.file).read_text(encoding="utf-8")
    text = text.replace("id: straw-burning-01", "id: straw-burning-sector-01", 1)
    text = text.replace("\nparty:", '\nconditions:\n  hearing_fine_threshold: "10000"\nparty:', 1)
    path = tmp_path / "straw-burning-sector-01.yaml"
    path.write_text(text, encoding="utf-8")
    lib = load_library([path])
    assert not lib.errors, lib.errors
    sector = lib.scenarios["straw-burning-sector-01"]
    assert "hearing-right-omitted" not in _notice_findings(sector, penalty_kind="fine", amount=6000)
    assert "hearing-right-omitted" in _notice_findings(STRAW, penalty_kind="fine", amount=6000)


def test_an_interview_recorded_in_writing_needs_no_video():
    """处罚法 第四十七条: a record 以文字、音像等形式; audio-video is required only for the on-site acts that touch
    major property rights (seizure, demolition, 代履行), not for a written interview or inspection record."""
    s = Session(STRAW, wall_clock=lambda: 0.0, script=())
    out = [s.act("inspect", "2026-06-03T10:30", **dict(INSPECT, recorded=False)),
           s.act("file_case", "2026-06-03T15:00", **FILE),
           s.act("interview", "2026-06-04T09:00", **dict(INTERVIEW, recorded=False))]
    assert all(o.ok for o in out)
    assert "no-av-record" not in ids(s)
    assert "no-av-record" in [c.id for c in STRAW.procedure.rules]  # the rule is still there for seizures etc.


def test_a_recheck_after_the_closing_report_collecting_nothing_is_no_finding():
    """处罚法 第五十七条 does not forbid investigating after the closing report; only new evidence that the head did
    not review is a (practice) finding."""
    s = Session(STRAW, wall_clock=lambda: 0.0, script=())
    assert s.act("inspect", "2026-06-03T10:30", **INSPECT).ok
    assert s.act("file_case", "2026-06-03T15:00", **FILE).ok
    assert s.act("end_investigation", "2026-06-05T09:00", document={"facts": "焚烧秸秆"}).ok
    recheck = s.act("inspect", "2026-06-08T09:00", **dict(INSPECT, evidence=[]))
    assert recheck.ok and "evidence-after-investigation-end" not in [f.rule_id for f in recheck.findings]
    more = s.act("interview", "2026-06-08T10:00", **INTERVIEW)
    assert [f.rule_id for f in more.findings] == ["evidence-after-investigation-end"]
    rule = next(r for r in STRAW.procedure.rules if r.id == "evidence-after-investigation-end")
    assert rule.cite == ("执法实务规范#13",)


# --- public notice at a known address (《民事诉讼法》第九十五条, second branch) ------------------------------

COMPANY = LIB.scenarios["court-company-public-notice-01"]
URGE_AT = next(i for i, st in enumerate(COMPANY.references[0].steps) if st.do == "urge")


def company_urged() -> Session:
    """court-company-public-notice-01 played along its reference path up to the 催告书 (the company has moved
    out by then: the world event has set flags.unreachable)."""
    s = Session(COMPANY, wall_clock=lambda: 0.0)
    assert play_more(s, COMPANY.references[0].steps[: URGE_AT + 1]) == []
    assert s.flags["unreachable"] and not COMPANY.party["whereabouts_unknown"]
    return s


def publish_urge(s: Session, at: str = "2026-07-24T11:00") -> list[str]:
    assert s.act("serve", at, target="urge", method="public_notice", proof=["attempts", "server_signatures"]).ok
    return ids(s)


def test_public_notice_after_failed_service_in_person_and_by_post_is_lawful():
    s = company_urged()
    assert s.act("attempt_service", "2026-07-22T10:00", target="urge", method="direct", note="人去楼空").ok
    assert s.act("attempt_service", "2026-07-24T10:00", target="urge", method="post", note="邮件退回").ok
    found = publish_urge(s)
    assert not {"service-public-notice-premature", "urge-not-served-directly", "service-attempt-unfounded"} \
        & set(found)
    assert s.anchor("served:urge") == dt.datetime(2026, 8, 23, 11, 0)  # thirty days after the notice


def test_public_notice_needs_both_ways_failed_for_the_same_document():
    only_post = company_urged()
    only_post.act("attempt_service", "2026-07-24T10:00", target="urge", method="post", note="邮件退回")
    assert {"service-public-notice-premature", "urge-not-served-directly"} <= set(publish_urge(only_post))
    other_doc = company_urged()  # failures recorded for the decision do not cover the 催告书
    other_doc.act("attempt_service", "2026-07-22T10:00", target="decide", method="direct", note="人去楼空")
    other_doc.act("attempt_service", "2026-07-24T10:00", target="decide", method="post", note="邮件退回")
    assert "service-public-notice-premature" in publish_urge(other_doc)


def test_a_failed_service_recorded_while_the_party_can_be_served_is_found():
    s = Session(COMPANY, wall_clock=lambda: 0.0, script=())  # a world where the company never leaves
    assert play_more(s, COMPANY.references[0].steps[: URGE_AT + 1]) == []
    assert not s.flags["unreachable"]
    s.act("attempt_service", "2026-07-22T10:00", target="urge", method="direct", note="无人")
    assert "service-attempt-unfounded" in ids(s)
