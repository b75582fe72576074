"""Trainer tools: `lawdrill schema`, `lawdrill explore`, `lawdrill new` (through the CLI, as a trainer runs
them) and the engine pieces under them (the JSON Schema against a real validator, Session.fork,
sim.explore)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import sim
from sim.explore import DEFAULT_BUDGET, UNFINISHED, explore
from sim.loader import plain_data  # what an editor's YAML server hands the validator: dates as text, keys as strings
from sim.schema import build_schema, schema_text
from sim.selftest import run_selftest
from sim.yamlsrc import parse_file
from tui.cli import tools as cli_tools
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SCHEMA_FILE = SCENARIOS / "lawdrill.schema.json"
LIBRARY_FILES = sorted(p for sub in ("law", "procedures", "cases", "quiz") for p in (SCENARIOS / sub).glob("*.yaml"))
HEADER = "# yaml-language-server: $schema=../lawdrill.schema.json"


def run_cli(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err




@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def library() -> sim.Library:
    return sim.load_library()


def _case_doc(name: str = "straw-burning-01") -> dict[str, Any]:
    return plain_data(parse_file(SCENARIOS / "cases" / f"{name}.yaml"))


# --- schema ------------------------------------------------------------------------------------------------


def test_shipped_schema_is_the_generated_one() -> None:
    # Regenerate with: lawdrill schema -o scenarios/lawdrill.schema.json
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()


def test_schema_command_prints_writes_and_locates_the_schema(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "schema")
    assert code == 0 and json.loads(out) == build_schema()
    code, out, _ = run_cli(capsys, "schema", "--path")
    assert code == 0 and Path(out.strip()).resolve() == SCHEMA_FILE.resolve()
    target = tmp_path / "s.json"
    code, out, _ = run_cli(capsys, "schema", "-o", target)
    assert code == 0 and str(target) in out and target.read_text(encoding="utf-8") == schema_text()
    code, _, err = run_cli(capsys, "schema", "-o", tmp_path / "no" / "s.json")
    assert code == 2 and "目录不存在" in err


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: p.name)
def test_every_library_file_points_at_the_schema_and_validates(
        path: Path, validator: jsonschema.Draft202012Validator) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER
    doc = plain_data(parse_file(path))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []


def _broken_cases() -> list[tuple[str, Any]]:
    def edit(fn: Any) -> dict[str, Any]:
        doc = _case_doc()
        fn(doc)
        return doc

    def lawful(items: list[dict[str, Any]]) -> Any:
        return lambda d: d["reference"][0].__setitem__("lawful", items)

    return [
        ("wrong severity", edit(lambda d: d["rules"][0].__setitem__("severity", "fatal"))),
        ("wrong service method",
         edit(lambda d: d["reference"][0]["steps"][5].__setitem__("method", "pigeon"))),
        ("unknown case key", edit(lambda d: d.__setitem__("penalties", {}))),
        ("unknown rule key", edit(lambda d: d["rules"][0].__setitem__("before", "x"))),
        ("missing party", edit(lambda d: d.pop("party"))),
        ("party kind", edit(lambda d: d["party"].__setitem__("kind", "company"))),
        ("two rule kinds", edit(lambda d: d["rules"][0].__setitem__("forbid", "False"))),
        ("trap without findings", edit(lambda d: d["traps"][0]["expect"].pop("findings"))),
        ("lawful without why", edit(lawful([{"drop": "interview"}]))),
        ("lawful with two moves", edit(lawful([{"drop": "interview", "swap": "serve@2", "why": "…"}]))),
        ("lawful bad step name", edit(lawful([{"delay": "serve@0", "why": "…"}]))),
        ("lawful on a trap",
         edit(lambda d: d["traps"][0].__setitem__("lawful", [{"drop": "inspect", "why": "…"}]))),
        ("law article status", {"law": "某法", "articles": {"1": {"text": "…", "status": "maybe"}}}),
        ("law article number", {"law": "某法", "articles": {"第一条": {"text": "…", "status": "P"}}}),
        ("template state key",
         {"id": "t", "title": "t", "states": [{"id": "a", "label": "a", "start": True}]}),
    ]


@pytest.mark.parametrize(("what", "doc"), _broken_cases(), ids=[w for w, _ in _broken_cases()])
def test_schema_rejects_broken_documents(what: str, doc: dict[str, Any],
                                         validator: jsonschema.Draft202012Validator) -> None:
    assert not validator.is_valid(doc), what


def test_schema_accepts_a_reference_path_with_lawful_variations(
        validator: jsonschema.Draft202012Validator) -> None:
    doc = _case_doc()
    doc["reference"][0]["lawful"] = [{"drop": "interview", "why": "现场已询问并制作笔录"},
                                     {"swap": "serve@2", "why": "送达顺序不影响合法性"},
                                     {"repeat": "inspect", "why": "复查现场"}, {"delay": "advance@1", "why": "…"}]
    assert validator.is_valid(doc)


def test_schema_and_loader_agree_on_an_unknown_key(tmp_path: Path,
                                                   validator: jsonschema.Draft202012Validator) -> None:
    text = (SCENARIOS / "cases" / "straw-burning-01.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("\ndifficulty: 2\n", "\ndifficulty: 2\nlevel: 3\n"), encoding="utf-8")
    lib = sim.load_library([bad])
    assert any("level" in e.message and e.line == 7 for e in lib.errors)
    assert not validator.is_valid(plain_data(parse_file(bad)))


# --- Session.fork ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["straw-burning-01", "road-piling-hearing-01", "fire-lane-01"])
def test_a_fork_at_every_step_plays_on_exactly_like_the_original(library: sim.Library, case: str) -> None:
    sc = library.scenarios[case]
    for test in sc.selftests:
        want = run_selftest(sc, test).result
        s = sim.Session(sc, wall_clock=lambda: 0.0, script=test.script)
        for step in test.steps:
            if step.do == "finish":
                break
            fork = s.fork()
            s.close()
            s = fork
            s.advance(step.at) if step.do == "advance" else s.act(step.do, step.at, **step.params)
        got = s.finish()
        assert want is not None and (got.score, got.rule_ids()) == (want.score, want.rule_ids()), test.name


def test_acting_on_a_fork_leaves_the_original_untouched(library: sim.Library) -> None:
    sc = library.scenarios["straw-burning-01"]
    s = sim.Session(sc, wall_clock=lambda: 0.0)
    step = sc.references[0].steps[0]
    assert s.act(step.do, step.at, **step.params).ok
    before = (s.state, s.now, len(s.acts), list(s.findings), dict(s.flags))
    f = s.fork()
    assert f.act("file_case", "+1 days", approved=False).ok and f.state != s.state
    f.finish()
    assert (s.state, s.now, len(s.acts), list(s.findings), dict(s.flags)) == before and not s.finished


# --- explore -----------------------------------------------------------------------------------------------


def test_explore_json_reports_coverage_endings_and_never_triggered_rules(
        capsys: pytest.CaptureFixture[str], library: sim.Library) -> None:
    code, out, _ = run_cli(capsys, "explore", "fire-lane-01", "--budget", "150", "--json")
    assert code == 0
    rep = json.loads(out)
    sc = library.scenarios["fire-lane-01"]
    assert rep["case"] == "fire-lane-01" and rep["main_nodes"] == 150 and rep["cut_by_budget"] is True
    assert rep["stop"] == "budget" and rep["nodes"] == rep["main_nodes"] + rep["goal_nodes"]
    # Every rule not triggered has a reason in words.
    assert [u["rule"] for u in rep["unreached"]] == rep["rules"]["never"]
    assert all(u["reason"] for u in rep["unreached"])
    assert rep["states"]["total"] == len(sc.procedure.states)
    assert rep["rules"]["total"] == len(sc.procedure.rules)
    assert 0 < rep["states"]["reached"] <= rep["states"]["total"]
    assert rep["rules"]["triggered"] + len(rep["rules"]["never"]) == rep["rules"]["total"]
    endings = {e["ending"]: e for e in rep["endings"]}
    # The reference path is explored first and scores 100.
    assert endings["closed"]["max"] == 100
    for e in rep["endings"]:
        assert 0 <= e["min"] <= e["median"] <= e["max"] <= 100 and e["count"] >= 1 and e["example"]
    # Traps that skip one act or vary one parameter class (amount above the range, an uncertified assistant,
    # acting after the deadline) are one step off the reference path: the search finds what they find.
    never = set(rep["rules"]["never"])
    one_off = ("未当场告知即作出处罚决定", "当场罚款三百元并当场收缴", "国庆假期后才上交罚款", "协管员与执法队员当场处罚")
    traps = [t for t in sc.traps if t.name in one_off]
    assert len(traps) == len(one_off)
    for trap in traps:
        assert not set(trap.expect_findings or ()) & never, trap.name


def test_explore_example_path_replays_to_its_ending(capsys: pytest.CaptureFixture[str], library: sim.Library,
                                                    tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "explore", "spot-watermelon-stall-01", "--budget", "40", "--json")
    assert code == 0
    ending = json.loads(out)["endings"][0]
    steps = tmp_path / "steps.json"
    steps.write_text(json.dumps(ending["example"], ensure_ascii=False), encoding="utf-8")
    code, out, _ = run_cli(capsys, "run", "spot-watermelon-stall-01", "--steps", steps, "--json")
    assert code == 0 and json.loads(out)["refused"] == []


@pytest.mark.parametrize("case", ["road-piling-hearing-01", "demolish-absent-builder-01", "refer-unlicensed-shop-01",
                                  "spot-watermelon-stall-01", "dailvxing-rainstorm-sand-01"])
def test_explore_takes_the_reference_path_first(library: sim.Library, case: str) -> None:
    """With a budget of exactly the reference path's length + 1 situations, the search walks the reference path
    (waiting where it waits, acting once the party's hearing request has arrived) and ends where it ends, with
    100 points."""
    sc = library.scenarios[case]
    ref = sc.references[0]
    moves = [st for st in ref.steps if st.do != "finish"]
    rep = explore(sc, budget=len(moves) + 1)
    first = rep.endings[[e.key for e in rep.endings].index(ref.expect_state)]
    assert first.scores[0] == 100  # the first hand-in in that ending is the reference path's
    assert [m.name for m in first.example] == [st.do for st in moves]


def test_explore_is_deterministic(library: sim.Library) -> None:
    sc = library.scenarios["straw-burning-01"]
    first, second = explore(sc, budget=25), explore(sc, budget=25)

    def untimed(rep: Any) -> dict[str, Any]:
        out = rep.to_json()
        out.pop("seconds")
        out["last_found"].pop("seconds")
        return out

    assert untimed(first) == untimed(second) and first.main_nodes == 25 and first.cut


def test_explore_without_a_budget_cut_ends_unfinished_at_the_depth_limit(library: sim.Library) -> None:
    rep = explore(library.scenarios["spot-watermelon-stall-01"], depth=2, budget=100_000)
    assert not rep.cut and rep.depth == 2
    assert UNFINISHED in {e.key for e in rep.endings}
    assert rep.to_json()["endings"][-1]["label"] == "未完成（达到 2 步上限）"


def test_explore_text_report_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explore", "straw-burning-01", "--budget", "60", "--depth", "12")
    assert code == 0
    for words in ("案例探索：麦收期间露天焚烧秸秆", "预算已用尽", "覆盖情况", "状态转换", "结局和得分分布",
                  "从未触发的规则"):
        assert words in out


def test_explore_default_finds_the_decision_without_notice_and_explains_the_rest(
        capsys: pytest.CaptureFixture[str]) -> None:
    """At its default budget the search reaches "decided without prior notice" (counted when the move is
    made); the rules it cannot reach each come with a reason, and those the state graph rules out are marked."""
    code, out, _ = run_cli(capsys, "explore", "straw-burning-01", "--json")
    assert code == 0
    rep = json.loads(out)
    never = rep["rules"]["never"]
    for rid in ("notice-before-decision", "decided-inside-defence-window", "fine-out-of-range",
                "decision-wrong-remedy", "no-correction-order", "hearing-right-omitted", "legal-review-missing"):
        assert rid not in never, rid
    reasons = {u["rule"]: u for u in rep["unreached"]}
    assert list(reasons) == never and all(u["reason"] for u in rep["unreached"])
    # No event of this case makes the party ask for a hearing: the hearing itself can never be held.
    held = reasons["hearing-presider-not-independent"]
    assert held["proven"] and "本案没有安排使案件进入该状态的外界事件（「当事人申请听证」）" in held["reason"]
    # A rule about acts that are done, whose condition reads only the case: proven over every way the search
    # can do the act, with the condition shown.
    outside = reasons["penalty-outside-competence"]
    assert outside["proven"] and "逐一试过所看动作的全部" in outside["reason"] and "都不会触发" in outside["reason"]
    assert outside["detail"] == "适用条件：case.power.source == 'none'"
    assert all(u["proven"] for u in rep["unreached"])  # straw-burning-01: every rule left is proven
    code, out, _ = run_cli(capsys, "explore", "straw-burning-01")
    assert code == 0
    assert "从未触发的规则（" in out and "及原因：" in out
    assert "  听证主持人为本案调查人员（hearing-presider-not-independent）（不可能触发）" in out
    assert "    原因：规则看的是「举行听证」，只能在「当事人申请听证」状态进行" in out
    assert "未经事先告知即作出处罚决定" not in out
    assert "最后一条新触发的规则出现在第 " in out


def test_explore_time_budget_reports_how_far_it_got(library: sim.Library) -> None:
    ticks = iter(range(10**6))
    rep = explore(library.scenarios["straw-burning-01"], seconds=5, clock=lambda: next(ticks) * 0.5)
    assert rep.stop == "time" and rep.cut and rep.main_nodes < DEFAULT_BUDGET
    assert rep.to_json()["stop"] == "time" and rep.to_json()["seconds_limit"] == 5


def test_explore_cli_time_limit_shows_in_the_header(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explore", "spot-watermelon-stall-01", "--seconds", "600", "--budget", "20")
    assert code == 0 and "时限 600 秒" in out


def test_explore_exhaustive_proves_coverage_of_a_small_search(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explore", "spot-watermelon-stall-01", "--exhaustive", "--depth", "2")
    assert code == 0
    assert "穷尽搜索，深度上限 2 步" in out and "覆盖已得到证明：2 步以内、按参数等价类的全部办法中" in out
    code, out, _ = run_cli(capsys, "explore", "spot-watermelon-stall-01", "--exhaustive", "--depth", "2", "--json")
    rep = json.loads(out)
    assert code == 0 and rep["proven"] is True and rep["stop"] == "done"
    assert all(u["proven"] for u in rep["unreached"])


# A case with rules no proof settles (deadlines): the exhaustive search searches for them breadth first (it
# proves fire-lane-01's coverage in about 40 s).
SEARCHED = "fire-lane-01"


def test_explore_exhaustive_says_when_the_case_is_too_big(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explore", SEARCHED, "--exhaustive", "--budget", "5")
    assert code == 1
    assert "穷尽搜索未完成：本案 11 步以内的情形超过上限 5 个，覆盖未得到证明" in out
    assert "可减小 --depth，或加大 --budget（默认 20000）" in out
    assert "覆盖已得到证明" not in out


def test_explore_exhaustive_cut_short_still_proves_the_levels_it_finished(
        capsys: pytest.CaptureFixture[str], library: sim.Library) -> None:
    sc = library.scenarios[SEARCHED]
    small = explore(sc, exhaustive=True, depth=2)
    assert small.proven and small.proven_depth == 2
    searched = small.nodes - small.main_nodes - small.goal_nodes  # the breadth-first phase's situations
    cut = explore(sc, exhaustive=True, budget=searched + 40)
    assert not cut.proven and cut.stop == "budget" and cut.proven_depth >= 2
    # Breadth first: what the finished depth-2 search found, the cut search found too.
    assert small.rules_triggered <= cut.rules_triggered
    code, out, _ = run_cli(capsys, "explore", SEARCHED, "--exhaustive", "--budget", str(searched + 40))
    assert code == 1 and f"（{cut.proven_depth} 步以内的全部办法已探索完毕，这一深度以内的覆盖是完整的）" in out


@pytest.mark.parametrize("case", ["straw-burning-01", "general-straw-pile-absent-01", "general-fire-lane-company-01"])
def test_explore_default_budget_reaches_every_rule_the_exhaustive_search_proves_reachable(
        library: sim.Library, case: str) -> None:
    sc = library.scenarios[case]
    full = explore(sc, exhaustive=True)
    assert full.proven and full.stop == "done"
    assert all(u.proven for u in full.unreached)
    default = explore(sc)
    assert default.rules_triggered == full.rules_triggered
    # Found by _probe_inserted: two acts the rule reads, done before the decision in the order it forbids.
    assert "major-decision-discussed-before-review" in default.rules_triggered


def test_explore_exhaustive_proof_of_each_rule_shows_in_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explore", "straw-burning-01", "--exhaustive")
    assert code == 0 and "覆盖已得到证明：13 步以内" in out
    # A rule judged on the act alone: every way the search can do the act was tried.
    i = out.index("超越职权作出行政处罚（penalty-outside-competence）（不可能触发）")
    assert "逐一试过所看动作的全部" in out[i:i + 300] and "都不会触发" in out[i:i + 300]
    # A closure rule on the documents' blank fields: every combination of the documents of 13 acts.
    i = out.index("案卷文书只有格式没有内容（documents-without-content）（不可能触发）")
    assert "逐一试过 13 步以内制作文书的各种组合，都不会触发" in out[i:i + 300]
    # An ending the case's lawful outcomes cannot lead to.
    i = out.index("（not-referred-outside-competence）（不可能触发）")
    assert "本案的合法结果中没有这一结局所对应的类型" in out[i:i + 300]


def test_explore_default_reaches_a_rule_that_needs_two_linked_changes(library: sim.Library) -> None:
    # A fine above the hearing threshold proposed in the notice, then a decision before the five working days
    # of the hearing request are over: no single change from the reference path fires it.
    rep = explore(library.scenarios["straw-burning-01"])
    assert "hearing-request-window" in rep.rules_triggered
    assert "hearing-request-window" not in {u.rule_id for u in rep.unreached}


def test_explore_every_bundled_case_gives_a_reason_for_each_rule_not_triggered(library: sim.Library) -> None:
    for sc in library.scenarios.values():
        rep = explore(sc, budget=15)
        assert [u.rule_id for u in rep.unreached] == [rid for rid, _ in rep.rules_never], sc.id
        for u in rep.unreached:
            assert u.reason and not u.reason.startswith(("，", "。", "：")), (sc.id, u.rule_id)


@pytest.mark.parametrize(("args", "message"), [
    (["explore", "fire-lane-01", "--seconds", "0"], "--seconds"),
    (["explore", "no-such-case"], "找不到案例"),
    (["explore", "fire-lane-01", "--depth", "0"], "--depth"),
    (["explore", "fire-lane-01", "--budget", "-3"], "--budget"),
])
def test_explore_bad_input(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = run_cli(capsys, *args)
    assert code == 2 and message in err and "Traceback" not in err


# --- new ---------------------------------------------------------------------------------------------------


def test_new_case_for_every_concrete_template_passes_check_at_once(
        capsys: pytest.CaptureFixture[str], library: sim.Library, tmp_path: Path,
        validator: jsonschema.Draft202012Validator) -> None:
    concrete = sorted(p.id for p in library.procedures.values() if not p.abstract)
    assert len(concrete) >= 9
    made = []
    for template in concrete:
        code, out, err = run_cli(capsys, "new", f"new-{template}", "--template", template, "--dir", tmp_path)
        assert code == 0, err
        path = tmp_path / f"new-{template}.yaml"
        assert str(path) in out and path.is_file()
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# yaml-language-server: $schema=/")
        assert Path(lines[0].split("=", 1)[1]).resolve() == SCHEMA_FILE.resolve()
        assert any("待修改" in line for line in lines if line.startswith("#"))
        doc = plain_data(parse_file(path))
        assert doc["id"] == f"new-{template}" and doc["procedure"] == template
        assert len(doc["reference"]) == 1 and len(doc["traps"]) == 1
        assert doc["traps"][0]["expect"]["findings"]
        assert validator.is_valid(doc)
        # Minimal enough to rewrite: cut down from the template's case with the shortest reference path,
        # never longer than it, without the sections a new case does not need.
        source = min((sc for sc in library.scenarios.values() if sc.procedure.id == template and sc.references),
                     key=lambda sc: (len(sc.references[0].steps),
                                     len(Path(sc.path).read_text(encoding="utf-8").splitlines()), sc.id))
        assert f"参照案例 {source.id}" in lines[1]
        copied = plain_data(parse_file(Path(source.path)))
        assert set(doc) <= set(copied) | {"traps"} and not {"tags", "difficulty"} & set(doc)
        assert doc["reference"][0]["steps"] == copied["reference"][0]["steps"]
        assert set(doc["facts"]) <= set(source.facts)
        made.append(path)
    code, out, err = run_cli(capsys, "check", SCENARIOS, *made)
    assert code == 0, out + err
    assert f"案例 {len(library.scenarios) + len(made)} 个" in out and "失败 0 项" in out and "错误 0 处" in out


def test_new_creates_the_folder_it_is_told_to_write_to(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "county" / "cases"
    code, out, err = run_cli(capsys, "new", "mine-01", "--template", "general-penalty", "--dir", folder)
    assert code == 0, err
    assert (folder / "mine-01.yaml").is_file() and str(folder / "mine-01.yaml") in out
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    code, _, err = run_cli(capsys, "new", "mine-02", "--template", "general-penalty", "--dir", tmp_path / "plain")
    assert code == 2 and "是一个文件，不是目录" in err


def test_new_refuses_to_overwrite(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "mine-01.yaml"
    target.write_text("trainer's own work\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "new", "mine-01", "--template", "general-penalty", "--dir", tmp_path)
    assert code == 2 and "已存在" in err
    assert target.read_text(encoding="utf-8") == "trainer's own work\n"


@pytest.mark.parametrize(("args", "message"), [
    (["new", "x-01", "--template", "general"], "程序模板「general」不存在。可用的模板：agency-enforcement"),
    (["new", "x-01", "--template", "common"], "是抽象模板"),
    (["new", "X 01", "--template", "general-penalty"], "案例编号「X 01」不合规"),
    (["new", "../../x", "--template", "general-penalty"], "案例编号「../../x」不合规"),
    (["new", "straw-burning-01", "--template", "general-penalty"], "已有编号为「straw-burning-01」的案例"),
    (["new", "x-01"], "--template"),
])
def test_new_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str],
                       message: str) -> None:
    code, _, err = run_cli(capsys, *args, "--dir", tmp_path)
    assert code == 2 and message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_new_case_inside_the_library_points_at_the_schema_relatively() -> None:
    assert cli_tools._schema_target(SCENARIOS / "cases" / "x.yaml") == "../lawdrill.schema.json"
    assert cli_tools._schema_target(Path("/tmp/elsewhere/x.yaml")) == SCHEMA_FILE.resolve().as_posix()



@pytest.mark.parametrize("quiet", [False, True])
def test_a_bad_value_in_a_shared_step_is_said_once_with_the_valid_values(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, quiet: bool) -> None:
    text = (SCENARIOS / "cases" / "straw-burning-01.yaml").read_text(encoding="utf-8")
    case = tmp_path / "straw-burning-99.yaml"
    case.write_text(text.replace("id: straw-burning-01", "id: straw-burning-99").replace("method: leave", "method: hand"),
                    encoding="utf-8")
    code, out, err = run_cli(capsys, "check", tmp_path, "--fast", "--no-cache", *(["-q"] if quiet else []))
    said = out + err
    assert code != 0
    refused = [line for line in said.splitlines() if "「送达方式」的取值「hand」无效" in line]
    assert len(refused) == 1, said  # every trap reuses the reference's serve step: one line, not one per trap
    assert "可用：direct、electronic、entrusted、family、leave、post、public_notice" in refused[0]
    assert "第 52、55" in refused[0]
    assert "期望得分 100，实际 0" in said  # -q too: the failing reference path still says why
