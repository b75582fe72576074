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

from .bounds import MAX_INT_DIGITS, MAX_NUMBER, BoundsError, FileTooLarge, read_file, shown

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
                # Control characters, bidirectional overrides and lone surrogates become visible escapes
                # here, once: a title or a party's name can then be shown on any screen (the UI's, the
                # CLI's, a report) without moving the cursor, clearing the terminal or reordering text.
                return shown(node.value)
            return self._scalar(node)
        raise self.fail(node, "无法识别的 YAML 节点")

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        """A typed scalar. An explicit tag can pair any text with any type (`!!bool maybe`, `!!int x`,
        `!!timestamp soon`): whatever the constructor makes of it, a bad value is the author's error."""
        text = node.value if len(node.value) <= 40 else node.value[:40] + "…"
        kind = node.tag.rsplit(":", 1)[-1]
        if kind == "int" and len(node.value.lstrip("+-0").replace("_", "")) > MAX_INT_DIGITS:
            raise self.fail(node, f"数字「{text}」过大（最多 {MAX_INT_DIGITS} 位）")
        try:
            value = self.constructor.construct_object(node, deep=True)
        except Exception:  # noqa: BLE001 - KeyError, ValueError, TypeError…: each means "not a value of this type"
            if kind == "timestamp":
                raise self.fail(node, f"日期「{text}」不存在或格式不正确（应为 2026-06-03 或 2026-06-03T10:20）") from None
            raise self.fail(node, f"「{text}」不是有效的{_KIND_ZH.get(kind, '值')}") from None
        if kind == "float" and not (abs(value) <= MAX_NUMBER):  # also refuses .nan and .inf
            raise self.fail(node, f"数值「{text}」超出允许的范围（绝对值不超过 {MAX_NUMBER:.0e}）")
        return value


_KIND_ZH = {"bool": "布尔值（true 或 false）", "int": "整数", "float": "数字", "null": "空值（null）"}


def parse_text(text: str, file: str) -> Any:
    """Parse one YAML document into plain values that remember their position."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise YamlError(file, 1, 1, f"文件过大（超过 {MAX_FILE_BYTES // 1024} KiB），拒绝加载")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        typo = _full_width_colon(exc, text)
        if typo is not None:
            raise YamlError(file, *typo) from None
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(file, line, col, f"YAML 语法错误：{_syntax_message(exc, text)}") from None
    except yaml.YAMLError:
        raise YamlError(file, 1, 1, "YAML 读取错误：文件内容无法解析") from None
    except RecursionError:  # the pure-Python composer on very deep nesting
        raise YamlError(file, 1, 1, "嵌套层级过深（超过 100 层），拒绝加载") from None
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
# Problems whose text carries a detail (a character, a count): matched by pattern, said in Chinese.
_PATTERNS = [
    (r"exceeded maximum nesting depth", "嵌套层级过深"),
    (r"did not find expected node content|expected the node content", "此处缺少值（检查逗号、括号、「-」或缩进）"),
    (r"found unknown escape character|expected escape sequence|did not find URI escaped octet",
     "引号中有无法识别的转义（反斜杠 \\ 后的字符；普通文字请用单引号或不加引号）"),
    (r"found undefined tag handle|found non-specific tag|did not find expected tag URI|expected URI",
     "标签写法不正确（场景文件不需要「!」标签）"),
    (r"expected alphabetic or numeric character", "锚点或别名的名字只能由字母、数字组成（& 或 * 之后）"),
    (r"(block )?sequence entries are not allowed", "此处不能出现列表项「-」（检查缩进）"),
    (r"mapping keys are not allowed", "此处不能出现键（检查缩进）"),
    (r"expected <block end>|did not find expected <document start>|expected '<document start>'",
     "缩进不一致：这一行与上面的内容没有对齐"),
    (r"found unexpected ':'", "此处的冒号无法识别（含冒号的文字请加引号）"),
    (r"found a tab character", "不能用制表符（Tab）缩进，请改用空格"),
    (r"found unexpected document separator|found incompatible YAML document|duplicate (%YAML|YAML) directive"
     r"|duplicate tag handle|found duplicate anchor", "文件结构不正确（一个文件只能有一个普通的 YAML 文档）"),
    (r"found duplicate key", "键重复出现"),
    (r"control characters are not allowed|special characters are not allowed|unacceptable character",
     "文件中有不允许的控制字符"),
    (r"invalid (leading|trailing) UTF-8 octet|incomplete UTF-8 octet sequence|invalid Unicode character",
     "文件中有无效的 UTF-8 字符"),
    (r"expected ',' or '\]'", "方括号「[」没有闭合（缺少「,」或「]」）"),
    (r"expected ',' or '\}'", "花括号「{」没有闭合（缺少「,」或「}」）"),
    (r"invalid indentation or unclosed", "缩进不正确，或「[」「{」没有闭合"),
    (r"did not find expected (whitespace|comment|'-')|expected (a comment|' ')", "此处缺少空格或换行"),
    (r"did not find expected digit|expected a digit|expected chomping|expected indentation indicator",
     "块文字（| 或 >）后的标记写法不正确"),
]


def _problem_zh(problem: str) -> str:
    for pattern, text in _PATTERNS:
        if re.search(pattern, problem):
            return text
    return "无法解析此处的内容（YAML 语法错误）"


_CONTEXTS = {
    "while parsing a flow mapping": "该花括号",
    "while parsing a flow sequence": "该方括号",
    "while scanning a quoted scalar": "该引号",
    "while parsing a block mapping": "上级映射",
    "while parsing a block collection": "上级列表",
    "while scanning a simple key": "该键",
}


# A key written with the full-width colon of Chinese text: `difficulty： 2`, `- do： inspect`.
FULL_WIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*)\s*：")


def _full_width_colon(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str] | None:
    """(line, column, message) when the error comes from a key followed by「：」instead of「:」: YAML reads
    such a line as plain text and fails on the next line, so the error is put where the typo is."""
    lines = text.splitlines()
    marks = [m.line for m in (exc.context_mark, exc.problem_mark) if m is not None]
    for n in sorted({i for m in marks for i in (m - 1, m) if 0 <= i < len(lines)}):
        found = FULL_WIDTH_KEY.match(lines[n])
        if found:
            col = lines[n].index("：", found.end(2)) + 1
            return n + 1, col, (f"YAML 语法错误：键「{found.group(2)}」后面用了全角冒号「：」，"
                                "应改为半角冒号「:」并在其后加一个空格")
    return None


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
    out = _PROBLEMS.get(problem) or _problem_zh(problem)
    ctx = exc.context_mark
    if exc.context in _CONTEXTS and ctx is not None and mark is not None and ctx.line != mark.line:
        out += f"（{_CONTEXTS[exc.context]}始于第 {ctx.line + 1} 行第 {ctx.column + 1} 列）"
    return out


def parse_file(path: Path) -> Any:
    return read_source(path)[0]


def read_source(path: Path) -> tuple[Any, bytes]:
    """The parsed document of a file and the bytes it was parsed from (read once: the content hash of a case
    must be of the text that was checked)."""
    file = str(path)
    try:
        raw = read_file(path, MAX_FILE_BYTES)
    except FileTooLarge as exc:
        raise YamlError(file, 1, 1, str(exc)) from None
    except BoundsError as exc:
        raise YamlError(file, 0, 0, str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Point at the offending line (a GBK-saved file usually breaks at its first Chinese character).
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(file, line, col, f"文件不是 UTF-8 编码（第 {exc.start} 字节；请以 UTF-8 另存）") from None
    return parse_text(text, file), raw
