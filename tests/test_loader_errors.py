"""Bad scenario files: each gives a clear Chinese message naming the right file and line, nothing escapes
`load_library`, nothing in the file is executed, and the rest of the library still loads.

Every test writes the bad file next to a good case in a tmp dir and loads it with `load_library([dir])`,
which also loads the bundled law catalogue and procedure templates as the base.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest

from sim import Library, LoadError, load_library
from sim.loader import _CASE_KEYS
from sim.machine import _NoNamedCallbacks
from sim.yamlsrc import MAX_FILE_BYTES, MAX_NODES, YamlError, parse_file

GOOD_CASE = """\
id: good-case
title: 测试用案例
case_type: 露天焚烧秸秆
procedure: general-penalty
difficulty: 2
tags: [测试]
power: {source: none, item: 露天焚烧秸秆（测试：假定不属本镇管辖）}
discovered: 2026-06-03T10:20
briefing: 用于加载错误测试的最小案例。
party:
  kind: citizen
  name: 李某
  present: true
facts: {burned_area_mu: 3, refer_to: police}
penalty: {basis: 大气污染防治法#119, min: 500, max: 2000}
evidence:
  scene_photos: {label: 现场照片, key: true}
conditions:
  big_fire: "facts.burned_area_mu > 2"
rules:
  - id: fine-out-of-range
    title: 罚款超出法定幅度
    severity: major
    cite: [大气污染防治法#119]
    on: [decide]
    when: "act.penalty_kind == 'fine'"
    check: "penalty.min <= (act.amount or 0) <= penalty.max"
    explain: 罚款超出法定幅度。
    expected: 在法定幅度内确定罚款数额。
events:
  - {then: defence_submitted, after: "served:notify", wait: "1 working_days"}
reference:
  - name: 立案后移送
    steps:
      - {do: file_case, at: 2026-06-03T15:00, approved: true}
      - {do: refer, at: 2026-06-04, document: {receiver: police, reason: 李某在麦田露天焚烧秸秆三亩，依《大气污染防治法》第一百一十九条移送, materials: true}}
    expect: {score: 100, state: referred}
traps:
  - name: 协管员一人现场检查
    steps:
      - {do: inspect, at: 2026-06-03T10:30, officers: [zhao], credentials_shown: true, recorded: true, record_made: true}
    expect: {findings: [two-officers, uncertified-officer, not-referred-outside-competence]}
"""

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def bad_case(*replacements: tuple[str, str]) -> str:
    """The good case under another id, with exact text replacements (each must match exactly once)."""
    text = GOOD_CASE.replace("id: good-case", "id: bad-case")
    for old, new in replacements:
        assert text.count(old) == 1, f"fixture text not found exactly once: {old!r}"
        text = text.replace(old, new)
    return text


def line_of(text: str, needle: str) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} found on lines {hits}"
    return hits[0]


def load(tmp_path: Path, files: dict[str, str | bytes]) -> Library:
    (tmp_path / "good.yaml").write_text(GOOD_CASE, encoding="utf-8")
    for name, content in files.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return load_library([tmp_path])


def the_error(lib: Library, path: Path, line: int | None = None, *fragments: str) -> LoadError:
    """The one error of the library: in `path`, at `line`, Chinese, containing every fragment."""
    assert len(lib.errors) == 1, "\n".join(map(str, lib.errors)) or "no error reported"
    err = lib.errors[0]
    assert err.file == str(path), err
    if line is not None:
        assert err.line == line, f"expected line {line}: {err}"
    assert err.col >= 1, err
    assert CHINESE.search(err.message), err
    for frag in fragments:
        assert frag in err.message, f"{frag!r} not in: {err}"
    return err


def rest_loaded(lib: Library) -> None:
    assert "good-case" in lib.scenarios
    assert {"common", "general-penalty"} <= set(lib.procedures)
    assert "行政处罚法#42" in lib.articles


# --- malformed YAML -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "opened", "closed_at"), [
    ("party:\n  kind: citizen\n  name: 李某\n  present: true\n", "party: {kind: citizen, name: 李某\n",
     "party: {", "facts:"),
    ("tags: [测试]", "tags: [测试", "tags: [", "power:"),
], ids=["brace", "bracket"])
def test_unclosed_bracket(tmp_path, old, new, opened, closed_at):
    text = bad_case((old, new))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, closed_at), "YAML 语法错误", "没有闭合",
              f"始于第 {line_of(text, opened)} 行")
    rest_loaded(lib)


def test_bad_indentation(tmp_path):
    text = bad_case(("  name: 李某", " name: 李某"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, " name: 李某"), "缩进")
    rest_loaded(lib)


def test_tab_indentation(tmp_path):
    text = bad_case(("  name: 李某", "\tname: 李某"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "\tname"), "制表符")
    rest_loaded(lib)


@pytest.mark.parametrize(("old", "new", "key"), [
    ("difficulty: 2", "difficulty： 2", "difficulty"),
    ("  name: 李某", "  name：李某", "name"),
    ("      - {do: file_case", "      - do： file_case\n      - {do: file_case", "do"),
], ids=["top-level", "nested", "list-item"])
def test_full_width_colon_is_named_where_it_is(tmp_path, old, new, key):
    """A key typed with the Chinese colon is reported on its own line as a full-width colon, not as a missing
    「:」 on the line after it."""
    text = bad_case((old, new))
    lib = load(tmp_path, {"bad.yaml": text})
    err = the_error(lib, tmp_path / "bad.yaml", line_of(text, f"{key}："), "全角冒号", f"「{key}")
    line = text.splitlines()[err.line - 1]
    # A syntax error points at the colon; a list item YAML could read (as text) is pointed at by the loader.
    assert err.col == (line.index(key) if key == "do" else line.index("：")) + 1
    rest_loaded(lib)


# --- wrong types and unknown keys ---------------------------------------------------------------------------


def test_difficulty_is_not_a_number(tmp_path):
    text = bad_case(("difficulty: 2", "difficulty: hard"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "difficulty"), "difficulty", "整数", "hard")
    rest_loaded(lib)


def test_officers_as_a_string(tmp_path):
    text = bad_case(("conditions:\n", "officers: zhang\nconditions:\n"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "officers: zhang"), "执法人员", "映射")
    rest_loaded(lib)


def test_list_where_a_map_is_expected(tmp_path):
    text = bad_case(("facts: {burned_area_mu: 3, refer_to: police}", "facts: [1, 2]"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "facts:"), "facts", "映射")
    rest_loaded(lib)


def test_unknown_key_lists_the_valid_keys(tmp_path):
    text = bad_case(("difficulty: 2", "difficulty: 2\ncolour: red"))
    lib = load(tmp_path, {"bad.yaml": text})
    err = the_error(lib, tmp_path / "bad.yaml", line_of(text, "colour"), "colour", "可用")
    valid = err.message.split("可用：", 1)[1]
    for key in _CASE_KEYS:
        assert key in valid
    rest_loaded(lib)


def test_unknown_state_in_from(tmp_path):
    tmpl = ("id: extra-template\ntitle: 扩展模板\nextends: general-penalty\nactions:\n"
            "  extra_step: {label: 额外步骤, phase: 结案, from: [filed, nowhere]}\n")
    lib = load(tmp_path, {"tmpl.yaml": tmpl})
    the_error(lib, tmp_path / "tmpl.yaml", line_of(tmpl, "extra_step"), "extra_step", "nowhere", "状态")
    assert "extra-template" not in lib.procedures
    rest_loaded(lib)


def _wordings_template(wordings: str) -> str:
    return ("id: wordings-template\ntitle: 常用表述模板\nextends: general-penalty\nactions:\n"
            "  extra_step:\n    label: 额外步骤\n    phase: 结案\n    from: [filed]\n    params: [document]\n"
            "    document:\n      name: 额外文书\n      fields:\n        opinion:\n          label: 意见\n"
            f"          wordings: {wordings}\n")


def test_wordings_load_on_a_text_field(tmp_path):
    lib = load(tmp_path, {"tmpl.yaml": _wordings_template("[同意, 不同意]")})
    assert not lib.errors, lib.errors
    field = lib.procedures["wordings-template"].actions["extra_step"].document.field("opinion")
    assert field.wordings == ("同意", "不同意")
    straw = lib.procedures["general-penalty"].actions["file_case"].document.field("source")
    assert "巡查发现" in straw.wordings and len(straw.wordings) >= 2  # the bundled template offers wrong ones too


@pytest.mark.parametrize(("wordings", "fragments"), [
    ("[同意]", ("opinion", "至少要有两项")),
    ("同意", ("opinion", "至少要有两项")),
    ("[同意, 同意]", ("重复", "同意")),
    ("[同意, 3]", ("非空文字",)),
])
def test_bad_wordings_name_file_and_line(tmp_path, wordings, fragments):
    tmpl = _wordings_template(wordings)
    lib = load(tmp_path, {"tmpl.yaml": tmpl})
    the_error(lib, tmp_path / "tmpl.yaml", line_of(tmpl, "wordings:"), *fragments)
    assert "wordings-template" not in lib.procedures
    rest_loaded(lib)


def test_wordings_only_on_text_fields(tmp_path):
    tmpl = _wordings_template("[同意, 不同意]").replace("label: 意见\n", "label: 意见\n          kind: bool\n")
    lib = load(tmp_path, {"tmpl.yaml": tmpl})
    the_error(lib, tmp_path / "tmpl.yaml", line_of(tmpl, "wordings:"), "文字型字段", "opinion")
    rest_loaded(lib)


# --- rules and expressions ---------------------------------------------------------------------------------


RULE = "- id: fine-out-of-range"
CHECK = 'check: "penalty.min <= (act.amount or 0) <= penalty.max"'


def test_unknown_action_in_rule(tmp_path):
    text = bad_case(("on: [decide]", "on: [decidee]"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, RULE), "fine-out-of-range", "decidee", "不存在的动作")
    rest_loaded(lib)


def test_unknown_citation(tmp_path):
    text = bad_case(("cite: [大气污染防治法#119]", "cite: [大气污染防治法#999]"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, RULE), "大气污染防治法#999", "法律条文目录")
    rest_loaded(lib)


@pytest.mark.parametrize(("expr", "fragments"), [
    ("pen.min <= 1", ("未知名称「pen」", "penalty")),  # the message lists what is available
    ("foo(1) > 0", ("未知函数「foo」", "all_certified")),
    ("act.colour == 'red'", ("act.colour", "不存在", "amount")),
    ("done('decidee')", ("decidee", "不存在的动作")),
], ids=["unknown-name", "unknown-function", "unknown-act-attribute", "unknown-action-in-call"])
def test_expression_names_are_checked_at_load(tmp_path, expr, fragments):
    text = bad_case((CHECK, f'check: "{expr}"'))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, RULE), "fine-out-of-range", *fragments)
    rest_loaded(lib)


@pytest.mark.parametrize(("expr", "fragment"), [
    ("act.officers.count('x') > 0", "不能调用方法"),
    ("act.__class__", "下划线"),
    ("act.officers[0].__dict__", "下划线"),
    ("(lambda: True)()", "Lambda"),
    ("lambda: True", "Lambda"),
    ("[o for o in act.officers]", "ListComp"),
    ("any(o for o in act.officers)", "GeneratorExp"),
    ("(x := 1)", "NamedExpr"),
    ("2 ** 1000000", "Pow"),
    ("len(x=1)", "keyword"),
    ("penalty.min <= ", "语法错误"),
], ids=["method", "dunder", "dunder-deep", "lambda-call", "lambda", "listcomp", "genexp", "walrus", "pow",
        "kwargs", "syntax"])
def test_forbidden_expression_constructs(tmp_path, expr, fragment):
    text = bad_case((CHECK, f'check: "{expr}"'))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "check:"), fragment)
    rest_loaded(lib)


def test_condition_cycle(tmp_path):
    text = bad_case(('  big_fire: "facts.burned_area_mu > 2"', '  a: "b"\n  b: "a and True"'))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "conditions:"), "循环", "a → b → a")
    rest_loaded(lib)


def test_negative_points_refused(tmp_path):
    # A negative deduction would lift the score above 100.
    text = bad_case(("    severity: major\n", "    severity: major\n    points: -30\n"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "points:"), "points")
    rest_loaded(lib)


# --- hostile files ------------------------------------------------------------------------------------------


def _bomb(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_refused_quickly_and_small(tmp_path):
    text = _bomb()
    (tmp_path / "bad.yaml").write_text(text)
    (tmp_path / "good.yaml").write_text(GOOD_CASE)
    t0 = time.process_time()
    with pytest.raises(YamlError, match="别名炸弹"):
        parse_file(tmp_path / "bad.yaml")
    assert time.process_time() - t0 < 0.1, "the bomb must be refused before anything is expanded"
    t0 = time.process_time()
    lib = load_library([tmp_path])
    elapsed = time.process_time() - t0
    assert elapsed < 1.0, f"loading a library with an alias bomb took {elapsed:.2f} s"
    tracemalloc.start()
    try:
        load_library([tmp_path])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"alias bomb peaked at {peak / 1e6:.1f} MB"
    # The first top-level entry whose expansion alone is over the limit is where the bomb goes off.
    size, level = 10, 0
    while size <= MAX_NODES:
        size, level = 1 + 9 * size, level + 1
    the_error(lib, tmp_path / "bad.yaml", level + 1, "别名炸弹")
    rest_loaded(lib)


@pytest.mark.parametrize("text", ["a: &a [1, *a]\n", "a: &a\n  b: *a\n"], ids=["list", "map"])
def test_self_referencing_alias(tmp_path, text):
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", 1, "别名", "自身")
    rest_loaded(lib)


def test_very_large_file(tmp_path):
    text = GOOD_CASE.replace("id: good-case", "id: big-case") + "# " + "x" * MAX_FILE_BYTES + "\n"
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", 1, "文件过大")
    rest_loaded(lib)


def test_file_not_utf8(tmp_path):
    text = bad_case()
    lib = load(tmp_path, {"bad.yaml": text.encode("gbk")})
    # The first non-ASCII character of the case is in its title.
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "title: 测试用案例"), "UTF-8")
    rest_loaded(lib)


@pytest.mark.parametrize("content", ["", "\n\n", "# 只有注释\n"], ids=["empty", "blank", "comment-only"])
def test_empty_file(tmp_path, content):
    lib = load(tmp_path, {"bad.yaml": content})
    the_error(lib, tmp_path / "bad.yaml", 1, "文件为空")
    rest_loaded(lib)


def test_top_level_list(tmp_path):
    lib = load(tmp_path, {"bad.yaml": "- id: x\n- id: y\n"})
    the_error(lib, tmp_path / "bad.yaml", 1, "顶层", "映射")
    rest_loaded(lib)


def test_top_level_scalar(tmp_path):
    lib = load(tmp_path, {"bad.yaml": "just a sentence\n"})
    the_error(lib, tmp_path / "bad.yaml", 1, "顶层")
    rest_loaded(lib)


@pytest.fixture
def nothing_runs(monkeypatch):
    """Fail the test if anything tries to run a command or delete a file."""
    def forbidden(*args, **kwargs):
        pytest.fail(f"executed from a scenario file: {args!r}")

    for name in ("system", "remove", "unlink", "popen", "execv", "execvp"):
        monkeypatch.setattr(os, name, forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)


@pytest.mark.parametrize(("snippet", "key"), [
    ("states:\n  - {id: discovered, label: 发现线索, initial: true, on_enter: os.system}\n", "on_enter"),
    ("states:\n  - {id: discovered, label: 发现线索, initial: true, on_exit: shutil.rmtree}\n", "on_exit"),
    ("actions:\n  inspect: {label: 现场检查, phase: 调查取证, from: [discovered], before: os.remove}\n", "before"),
    ("actions:\n  inspect: {label: 现场检查, phase: 调查取证, from: [discovered], after: os.system}\n", "after"),
    ("actions:\n  inspect: {label: 现场检查, phase: 调查取证, from: [discovered], conditions: os.getcwd}\n",
     "conditions"),
    ("events:\n  party_pays: {label: 缴款, message: 已缴款, prepare: os.system}\n", "prepare"),
], ids=["state-on_enter", "state-on_exit", "action-before", "action-after", "action-conditions",
        "event-prepare"])
def test_dotted_callback_refused_and_nothing_executed(tmp_path, nothing_runs, snippet, key):
    tmpl = "id: evil-template\ntitle: 恶意模板\nextends: general-penalty\n" + snippet
    lib = load(tmp_path, {"evil.yaml": tmpl})
    the_error(lib, tmp_path / "evil.yaml", line_of(tmpl, key), f"不允许「{key}」", "回调")
    assert "evil-template" not in lib.procedures
    rest_loaded(lib)


def test_machine_refuses_callbacks_by_name():
    # The last line of defence: even a name that reached transitions is never imported.
    with pytest.raises(ValueError):
        _NoNamedCallbacks.resolve_callable("os.system", None)


@pytest.mark.parametrize("text", [
    '!!python/object/apply:os.system ["echo hi"]\n',
    'id: x\ntitle: !!python/object/apply:os.system ["echo hi"]\n',
    'id: x\nfacts: !!python/object:os.system {a: 1}\n',
    'id: x\ntitle: !!python/name:os.system\n',
    "id: x\ntitle: !!binary aGk=\n",
], ids=["top-level", "sequence-value", "mapping-value", "scalar", "binary"])
def test_yaml_tags_refused(tmp_path, nothing_runs, text):
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "!!"), "YAML 标签")
    rest_loaded(lib)


# --- cross-file problems ------------------------------------------------------------------------------------


def test_duplicate_case_ids(tmp_path):
    lib = load(tmp_path, {"zz-copy.yaml": GOOD_CASE})
    the_error(lib, tmp_path / "zz-copy.yaml", 1, "good-case", "重复", str(tmp_path / "good.yaml"))
    assert lib.scenarios["good-case"].path == str(tmp_path / "good.yaml")
    rest_loaded(lib)


def test_duplicate_template_ids(tmp_path):
    lib = load(tmp_path, {"t1.yaml": "id: twin\ntitle: 甲\nextends: general-penalty\n",
                          "t2.yaml": "id: twin\ntitle: 乙\nextends: general-penalty\n"})
    the_error(lib, tmp_path / "t2.yaml", 1, "twin", "重复", str(tmp_path / "t1.yaml"))
    assert lib.procedures["twin"].title == "甲"
    rest_loaded(lib)


def test_given_template_replaces_the_bundled_one(tmp_path):
    bundled = Path(load_library().procedures["general-penalty"].pos.file)
    text = bundled.read_text(encoding="utf-8").replace("title: ", "title: 本地版", 1)
    lib = load(tmp_path, {"general-penalty.yaml": text})
    assert not lib.errors, lib.errors
    assert lib.procedures["general-penalty"].title.startswith("本地版")
    assert lib.scenarios["good-case"].procedure.title.startswith("本地版")


def test_default_library_reads_each_file_once(monkeypatch):
    import sim.loader

    seen: list[str] = []
    real = sim.loader.parse_file
    monkeypatch.setattr(sim.loader, "parse_file", lambda path: (seen.append(str(path)), real(path))[1])
    lib = load_library()
    assert not lib.errors
    assert len(seen) == len(set(seen)), sorted(p for p in set(seen) if seen.count(p) > 1)[:5]
    assert len(lib.files) == len(set(lib.files))


def test_case_names_missing_template(tmp_path):
    text = bad_case(("procedure: general-penalty", "procedure: no-such-template"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "procedure:"), "no-such-template", "不存在")
    rest_loaded(lib)


def test_template_extends_missing_template(tmp_path):
    tmpl = "id: orphan\ntitle: 孤儿模板\nextends: no-such-base\n"
    lib = load(tmp_path, {"tmpl.yaml": tmpl})
    the_error(lib, tmp_path / "tmpl.yaml", 3, "no-such-base", "不存在")
    rest_loaded(lib)


def test_inheritance_cycle(tmp_path):
    a = "id: loop-a\ntitle: 甲\nextends: loop-b\n"
    b = "id: loop-b\ntitle: 乙\nextends: loop-a\n"
    lib = load(tmp_path, {"a.yaml": a, "b.yaml": b})
    assert {e.file for e in lib.errors} == {str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")}
    for e in lib.errors:
        assert e.line == 3 and "成环" in e.message and "loop-a" in e.message and "loop-b" in e.message
    assert not {"loop-a", "loop-b"} & set(lib.procedures)
    rest_loaded(lib)


def test_case_on_broken_template_is_reported_not_loaded(tmp_path):
    tmpl = "id: broken-base\ntitle: 坏模板\nextends: general-penalty\nflags: {x: [1]}\n"
    text = bad_case(("procedure: general-penalty", "procedure: broken-base"))
    lib = load(tmp_path, {"tmpl.yaml": tmpl, "bad.yaml": text})
    assert {e.file for e in lib.errors} == {str(tmp_path / "tmpl.yaml"), str(tmp_path / "bad.yaml")}
    assert "bad-case" not in lib.scenarios
    rest_loaded(lib)


def test_trap_expects_unknown_rule(tmp_path):
    text = bad_case(("[two-officers, uncertified-officer, not-referred-outside-competence]",
                     "[two-officers, no-such-rule, not-referred-outside-competence]"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "no-such-rule"), "no-such-rule", "协管员一人现场检查")
    rest_loaded(lib)


def test_selftest_step_with_unknown_parameter(tmp_path):
    text = bad_case(("{do: file_case, at: 2026-06-03T15:00, approved: true}",
                     "{do: file_case, at: 2026-06-03T15:00, aproved: true}"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "aproved"), "aproved", "approved", "file_case")
    rest_loaded(lib)


def test_selftest_step_with_unknown_action(tmp_path):
    text = bad_case(("{do: refer, at: 2026-06-04,", "{do: refer_case, at: 2026-06-04,"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "refer_case"), "refer_case", "不存在")
    rest_loaded(lib)


@pytest.mark.parametrize(("old", "new", "needle"), [
    ("discovered: 2026-06-03T10:20", "discovered: 2026-02-30", "discovered"),
    ("discovered: 2026-06-03T10:20", "discovered: 2026-02-30T10:20", "discovered"),
    ("{do: refer, at: 2026-06-04,", "{do: refer, at: 2026-02-30,", "do: refer"),
], ids=["date", "datetime", "step-date"])
def test_impossible_date(tmp_path, old, new, needle):
    text = bad_case((old, new))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, needle), "2026-02-30")
    rest_loaded(lib)


def test_scheduled_event_not_defined(tmp_path):
    text = bad_case(("then: defence_submitted", "then: party_sings"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "party_sings"), "party_sings")
    rest_loaded(lib)


def test_several_bad_files_each_reported(tmp_path):
    files = {"a.yaml": "", "b.yaml": "- x\n", "c.yaml": bad_case(("difficulty: 2", "difficulty: 9"))}
    lib = load(tmp_path, files)
    assert sorted(e.file for e in lib.errors) == [str(tmp_path / n) for n in sorted(files)]
    rest_loaded(lib)


def test_good_case_fixture_is_good(tmp_path):
    """The fixture loads cleanly and passes its self-tests (so the errors above come from the edits)."""
    from sim.selftest import run_all

    lib = load(tmp_path, {})
    assert not lib.errors
    assert all(r.ok for r in run_all(lib.scenarios["good-case"]))
    lib2 = load_library([tmp_path / "good.yaml"])
    assert not lib2.errors and list(lib2.scenarios) == ["good-case"]


@pytest.mark.parametrize("cite,fragment", [
    ("[大气法#119.1]", "法律目录中没有《大气法》"),
    ("[大气污染防治法#一百一十九]", "应写成“法律名称#条.款.项”"),
    ("大气污染防治法#119.1", "应为条文列表"),
])
def test_penalty_cite_checked(tmp_path, cite, fragment):
    text = bad_case(("penalty: {basis: 大气污染防治法#119,", f"penalty: {{basis: 大气污染防治法#119, cite: {cite},"))
    lib = load(tmp_path, {"bad.yaml": text})
    the_error(lib, tmp_path / "bad.yaml", line_of(text, "penalty: {"), fragment)
    rest_loaded(lib)
