"""sim.casefile: the text a document field takes from the case file, and only where the file knows it."""

from __future__ import annotations

import pytest

from sim import Session, load_library
from sim.casefile import known_text, known_texts


@pytest.fixture(scope="module")
def scenario():
    return load_library().scenarios["straw-burning-01"]


def played(sc, upto: str) -> Session:
    """A session on the reference path, stopped before the first step named `upto`."""
    s = Session(sc)
    for step in sc.references[0].steps:
        if step.do == upto:
            return s
        out = s.advance(step.at) if step.do == "advance" else s.act(step.do, step.at, **step.params)
        assert out.ok, out.reason
    raise AssertionError(upto)


def test_the_filing_form_takes_its_brief_from_the_inspection_record_and_nothing_else(scenario):
    s = played(scenario, "file_case")
    known = known_texts(s, "file_case")
    assert list(known) == ["brief"]  # source and opinion: the trainee's own words
    assert known["brief"].text.startswith("该地块位于") and known["brief"].source == "《现场检查（勘验）笔录》"
    assert known_texts(Session(scenario), "file_case") == {}  # no inspection record yet: nothing to copy


def test_the_notice_takes_the_penalty_proposed_in_the_report_only_when_it_is_unambiguous(scenario):
    from sim.casefile import known_penalty

    s = played(scenario, "notify")
    assert known_penalty(s, "notify") == {}  # the reference's proposal names three sums (800, 500, 1000)
    s.acts[-1].params["document"]["proposal"] = "罚款800元，系初犯"
    assert known_penalty(s, "notify") == {"penalty_kind": "fine", "amount": 800}
    s.acts[-1].params["document"]["proposal"] = "不予罚款"
    assert known_penalty(s, "notify") == {}


def test_choices_carry_from_the_same_field_of_an_earlier_document(scenario):
    from sim.casefile import known_choices

    s = played(scenario, "interview")
    assert known_choices(s, "interview") == {"credentials_noted": True, "signature": "refused_noted"}
    assert known_choices(played(scenario, "inspect"), "inspect") == {}


def _filled_path(sc, at_step: str, replace: dict):
    """The reference path with `replace` put into the document of the first `at_step`, and every later text
    field the fill knows (and the penalty it reads from the report) taken from the fill, as a trainee pressing
    Ctrl+R would: what an earlier document got wrong is copied forward, never corrected."""
    from sim.casefile import known_penalty

    s = Session(sc)
    done = False
    for step in sc.references[0].steps:
        if step.do == "finish":
            break
        if step.do == "advance":
            s.advance(step.at)
            continue
        params = dict(step.params)
        spec = sc.procedure.actions[step.do]
        if isinstance(params.get("document"), dict):
            doc = dict(params["document"])
            if step.do == at_step and not done:
                doc.update(replace)
                done = True
            elif done:
                params.update(known_penalty(s, step.do))
                at = s.resolve_time(step.at) if step.at else None
                for fid, k in known_texts(s, step.do, params, at).items():
                    if spec.document.field(fid).kind == "text":
                        doc[fid] = k.text
            params["document"] = doc
        s.act(step.do, step.at, **params)
    return s.finish()


@pytest.mark.parametrize(("at_step", "replace", "rule"), [
    ("inspect", {"content": ""}, "record-content-missing"),
    ("end_investigation", {"basis": "大气污染防治法第一百一十九条"}, "notice-basis-wrong"),
    ("end_investigation", {"proposal": "罚款3000元"}, "fine-out-of-range"),
])
def test_filling_from_a_blank_or_wrong_earlier_document_still_fails(scenario, at_step, replace, rule):
    result = _filled_path(scenario, at_step, replace)
    assert result.score < 100 and rule in {f.rule_id for f in result.findings}, (result.score, result.findings)


def test_the_investigation_report_takes_the_brief_and_the_evidence_collected(scenario):
    s = played(scenario, "end_investigation")
    known = known_texts(s, "end_investigation")
    assert known["facts"].text == "李某在禁烧区焚烧秸秆约3亩" and known["facts"].source == "《行政处罚案件立案审批表》"
    assert known["evidence"].text.split("、") == ["现场照片和视频", "现场检查笔录", "李某询问笔录", "秸秆禁烧区划定文件及位置图"]
    assert "basis" not in known and "proposal" not in known  # a legal basis is never written for the trainee


def test_the_decision_copies_the_notice_and_the_penalty_chosen_in_the_form(scenario):
    s = played(scenario, "decide")
    known = known_texts(s, "decide", {"penalty_kind": "fine", "amount": 800})
    assert known["party"].text == "李某，李庄村三组"
    assert known["kind_basis"].text == "罚款800元；大气污染防治法第七十七条、第一百一十九条第一款"
    assert known["facts_evidence"].text.startswith("在禁烧区焚烧秸秆约3亩；证据：")
    assert "performance" not in known  # 履行方式和期限 is not the 履行情况 of another document
    assert known_text(s, "decide", "kind_basis", {}) is None  # no penalty chosen yet: nothing to say


def test_closing_takes_the_payment_from_the_world_event_once_it_happened(scenario):
    s = played(scenario, "close_case")
    assert known_text(s, "close_case", "performance").text == s.proc.events["party_pays"].message
    early = played(scenario, "serve")
    assert known_text(early, "close_case", "performance") is None


def test_records_take_the_time_and_the_team_entered_in_the_form_not_the_place(scenario):
    import datetime as dt

    s = played(scenario, "inspect")
    at = dt.datetime(2026, 6, 3, 10, 30)
    known = known_texts(s, "inspect", {"officers": ["zhang", "wang"]}, at)
    assert known["time_place"].text == "2026年6月3日10时30分"  # where it happened is the officer's to write
    assert known["officers_certs"].text == "张明（豫执A41130001）、王强（豫执A41130002）"
    assert "content" not in known and "party_statement" not in known  # what was seen and said: the trainee's
    assert "time_place" not in known_texts(s, "inspect", {"officers": ["zhang"]})  # no time entered: none filled
    assert "officers_certs" not in known_texts(s, "inspect", {}, at)  # no team chosen: nobody is named
    zhao = known_text(s, "inspect", "officers_certs", {"officers": ["zhao"]})
    assert zhao is not None and "（" not in zhao.text  # an officer without a certificate gets no number made up


def test_a_receipt_takes_the_document_chosen_the_party_and_the_time_on_the_hour(scenario):
    import datetime as dt

    s = played(scenario, "serve")
    known = known_texts(s, "serve", {"target": "notify"}, dt.datetime(2026, 6, 8, 10, 0))
    assert known["served_doc"].text == "《行政处罚事先告知书》"
    assert known["receiver"].text == "李某"
    assert known["served_at"].text == "2026年6月8日10时"
    assert "served_doc" not in known_texts(s, "serve", {})  # nothing chosen to serve: nothing named


def test_a_lazy_hand_in_that_only_presses_ctrl_r_never_passes():
    """Every reference path of every case, with each document holding only what Ctrl+R fills at that moment
    and "x" in every other text field: the acts are right, the drafting is left to the fill. It must not pass
    (what was seen, said and decided is never filled in)."""
    from sim.gaming import BLANK

    lib = load_library()
    checked = 0
    for sc in lib.scenarios.values():
        for ref in sc.references:
            s = Session(sc)
            for step in ref.steps:
                if step.do == "finish":
                    break
                if step.do == "advance":
                    s.advance(step.at)
                    continue
                params = dict(step.params)
                spec = sc.procedure.actions[step.do]
                if isinstance(params.get("document"), dict) and spec.document is not None:
                    known = known_texts(s, step.do, params, s.resolve_time(step.at) if step.at else None)
                    params["document"] = {
                        fid: (known[fid].text if fid in known else BLANK)
                        if (f := spec.document.field(fid)) is not None and f.kind == "text" else v
                        for fid, v in params["document"].items()}
                s.act(step.do, step.at, **params)
            result = s.finish()
            if any(spec.document is not None for spec in sc.procedure.actions.values()):
                checked += 1
                assert not result.passed, (sc.id, ref.name, result.score)
    assert checked >= 10
