"""Safe YAML reading that remembers where every value came from.

Scenario files are untrusted input: they are parsed with the C safe loader (falling back to the pure-Python
safe loader), never with a loader that can build arbitrary objects. The node graph is converted by hand so
that every mapping and sequence keeps its file, line and column, and so that alias bombs and oversized files
are stopped with a clear message instead of eating the machine.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
)

MAX_FILE_BYTES = 1024 * 1024  # a real case file is a few KiB; 1 MiB leaves room and stops runaway files
MAX_NODES = 200_000  # counted after alias expansion: a "billion laughs" file trips this long before memory


class YamlError(Exception):
    """A problem with one file, with the place it was found (1-based line and column)."""

    def __init__(self, file: str, line: int, col: int, message: str):
        super().__init__(f"{file}:{line}:{col}: {message}")
        self.file = file
        self.line = line
        self.col = col
        self.message = message


class Where:
    """Mixin for values that know their source position."""

    file: str = "?"
    line: int = 0
    col: int = 0
    key_where: dict[str, tuple[int, int]]


class YMap(dict, Where):  # type: ignore[type-arg]
    def at(self, key: str) -> tuple[int, int]:
        """Position of a key (falls back to the mapping itself)."""
        return self.key_where.get(key, (self.line, self.col))


class YList(list, Where):  # type: ignore[type-arg]
    item_where: list[tuple[int, int]]

    def at(self, index: int) -> tuple[int, int]:
        try:
            return self.item_where[index]
        except IndexError:
            return (self.line, self.col)


def where(value: Any, key: str | int | None = None) -> tuple[int, int]:
    """Best-known (line, col) of a value, or of one of its keys/items."""
    if key is not None and isinstance(value, (YMap, YList)):
        return value.at(key)  # type: ignore[arg-type]
    if isinstance(value, Where):
        return (value.line, value.col)
    return (0, 0)


_STR = "tag:yaml.org,2002:str"


class _Converter:
    def __init__(self, file: str):
        self.file = file
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self.memo: dict[int, tuple[Any, int]] = {}  # id(collection node) -> (value, expanded size)
        self.in_progress: set[int] = set()
        self.top: yaml.Node | None = None  # the top-level value being converted (where a bomb goes off)

    def fail(self, node: yaml.Node, message: str) -> YamlError:
        return YamlError(self.file, node.start_mark.line + 1, node.start_mark.column + 1, message)

    def convert(self, node: yaml.Node, depth: int = 0) -> Any:
        """Convert a node; an aliased node is converted once and shared (as PyYAML does), while its
        expanded size still counts, so an alias bomb is refused in linear time and memory."""
        if isinstance(node, yaml.ScalarNode):
            return self._convert(node, depth)
        key = id(node)
        hit = self.memo.get(key)
        if hit is not None:
            self.count += hit[1]
            if self.count > MAX_NODES:
                raise self.bomb(node)
            return hit[0]
        if key in self.in_progress:
            raise self.fail(node, "别名引用了包含它自身的节点（循环引用），拒绝加载")
        if depth == 1:
            self.top = node
        start = self.count
        self.in_progress.add(key)
        value = self._convert(node, depth)
        self.in_progress.discard(key)
        self.memo[key] = (value, self.count - start)
        return value

    def bomb(self, node: yaml.Node) -> YamlError:
        where = self.top if self.top is not None else node
        return self.fail(where, f"文件展开后超过 {MAX_NODES} 个节点（疑似 YAML 别名炸弹），拒绝加载")

    def _convert(self, node: yaml.Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.bomb(node)
        if depth > 100:
            raise self.fail(node, "嵌套层级过深（超过 100 层，或别名引用自身）")
        if node.tag not in _SAFE_TAGS:
            # The composer keeps explicit tags on mappings and sequences; ignoring them would quietly accept
            # `!!python/object/apply:os.system [...]` as a plain list. Refuse every tag we do not construct.
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise self.fail(node, f"不允许使用 YAML 标签「{tag}」：场景文件只能写普通的映射、列表和值（安全原因）")
        if isinstance(node, yaml.MappingNode):
            # Merge keys (<<) are flattened the way the safe constructor does it.
            try:
                self.constructor.flatten_mapping(node)
            except yaml.constructor.ConstructorError as exc:
                raise self.fail(node, f"合并键（<<）用法错误：{exc.problem}") from None
            out = YMap()
            out.file, out.line, out.col = self.file, node.start_mark.line + 1, node.start_mark.column + 1
            out.key_where = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:bool":
                    key = key_node.value  # YAML 1.1 reads `on:` / `yes:` as booleans; as keys they are words
                else:
                    key = self.convert(key_node, depth + 1)
                if isinstance(key, (dict, list)):
                    raise self.fail(key_node, "映射的键必须是简单值")
                if isinstance(key, (_dt.date, int, float, bool)) or key is None:
                    key = str(key).lower() if isinstance(key, bool) else str(key)
                if key in out:
                    raise self.fail(key_node, f"键「{key}」重复出现")
                out.key_where[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.convert(value_node, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            out_list = YList()
            out_list.file, out_list.line = self.file, node.start_mark.line + 1
            out_list.col = node.start_mark.column + 1
            out_list.item_where = []
            for item in node.value:
                out_list.item_where.append((item.start_mark.line + 1, item.start_mark.column + 1))
                out_list.append(self.convert(item, depth + 1))
            return out_list
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR:  # most values: no need for the constructor's dispatch
                return node.value
            try:
                return self.constructor.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError as exc:
                raise self.fail(node, f"无法识别的值：{exc.problem}") from None
            except ValueError as exc:  # e.g. an impossible date like 2025-02-30
                if node.tag == "tag:yaml.org,2002:timestamp":
                    raise self.fail(node, f"日期「{node.value}」不存在（{exc}）") from None
                raise self.fail(node, f"无法识别的值「{node.value}」：{exc}") from None
        raise self.fail(node, "无法识别的 YAML 节点")


def parse_text(text: str, file: str) -> Any:
    """Parse one YAML document into plain values that remember their position."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise YamlError(file, 1, 1, f"文件过大（超过 {MAX_FILE_BYTES // 1024} KiB），拒绝加载")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(file, line, col, f"YAML 语法错误：{_syntax_message(exc, text)}") from None
    except yaml.YAMLError as exc:
        raise YamlError(file, 1, 1, f"YAML 读取错误：{exc}") from None
    if node is None:
        raise YamlError(file, 1, 1, "文件为空")
    return _Converter(file).convert(node)


# PyYAML's problem texts, said the way a scenario author understands them.
_PROBLEMS = {
    "did not find expected ',' or '}'": "花括号「{」没有闭合（缺少「,」或「}」）",
    "did not find expected ',' or ']'": "方括号「[」没有闭合（缺少「,」或「]」）",
    "mapping values are not allowed in this context": "此处不能出现「键: 值」（检查缩进是否对齐，或给含冒号的文字加引号）",
    "mapping values are not allowed here": "此处不能出现「键: 值」（检查缩进是否对齐，或给含冒号的文字加引号）",
    "did not find expected key": "缩进不一致：这一行与上级的键没有对齐",
    "did not find expected '-' indicator": "缩进不一致：这一行与列表的「-」没有对齐",
    "could not find expected ':'": "缺少「:」（键后面要有冒号和空格）",
    "found unexpected end of stream": "文件意外结束（引号或括号没有闭合？）",
    "found undefined alias": "引用了未定义的锚点（*别名 之前没有 &锚点）",
    "but found another document": "一个文件只能有一个 YAML 文档（不要使用 ---）",
    "found character that cannot start any token": "此处的字符不能开始一个 YAML 记号",
}
_CONTEXTS = {
    "while parsing a flow mapping": "该花括号",
    "while parsing a flow sequence": "该方括号",
    "while scanning a quoted scalar": "该引号",
    "while parsing a block mapping": "上级映射",
    "while parsing a block collection": "上级列表",
    "while scanning a simple key": "该键",
}


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = exc.problem or exc.context or ""
    mark = exc.problem_mark
    if "tab character" in problem:  # "found a tab character that violates indentation"
        return "不能用制表符（Tab）缩进，请改用空格"
    if mark is not None and "cannot start any token" in problem:
        lines = text.splitlines()
        if mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            return "不能用制表符（Tab）缩进或分隔，请改用空格"
    # The pure-Python scanner names the character ("found character '@' that..."); the C scanner does not.
    problem = re.sub(r"^found character .+ that cannot start any token$",
                     "found character that cannot start any token", problem)
    out = _PROBLEMS.get(problem, f"语法错误（{problem}）")
    ctx = exc.context_mark
    if exc.context in _CONTEXTS and ctx is not None and mark is not None and ctx.line != mark.line:
        out += f"（{_CONTEXTS[exc.context]}始于第 {ctx.line + 1} 行第 {ctx.column + 1} 列）"
    return out


def parse_file(path: Path) -> Any:
    file = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlError(file, 0, 0, f"无法读取文件：{exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise YamlError(file, 1, 1, f"文件过大（{size // 1024} KiB，上限 {MAX_FILE_BYTES // 1024} KiB），拒绝加载")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlError(file, 0, 0, f"无法读取文件：{exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Point at the offending line (a GBK-saved file usually breaks at its first Chinese character).
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(file, line, col, f"文件不是 UTF-8 编码（第 {exc.start} 字节；请以 UTF-8 另存）") from None
    return parse_text(text, file)
