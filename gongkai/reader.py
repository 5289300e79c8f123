"""Read a YAML file exactly as written: the only module that imports yaml.

PyYAML's loaders guess types (``0.10`` becomes 0.1, ``2024-06-06`` a date, ``NO`` false) and keep the
last of duplicate keys silently. We compose the node tree instead, keep every scalar as the text the
finance officer typed, refuse duplicates, aliases and tags, and remember where each value stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import yaml

from gongkai.problems import FieldPath, Finding, Severity

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 50_000
MAX_DEPTH = 40
BOM = b"\xef\xbb\xbf"

# Scalars stay strings; mappings and lists stay plain. None marks an empty value.
Data = Union[None, str, list[Any], dict[str, Any]]


@dataclass(frozen=True)
class Mark:
    """Where a key and its value start in the file (1-based, as editors count)."""

    line: int
    column: int
    value_line: int
    value_column: int


@dataclass
class Document:
    """A YAML file's data, the place of every value, and what went wrong reading it."""

    path: Path
    data: Data = None
    marks: dict[FieldPath, Mark] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def locate(self, path: FieldPath) -> tuple[int, int]:
        """The line and column of the deepest part of `path` that exists in the file."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(path[:end])
            if mark is None:
                continue
            value = self.get(path[:end])
            if end < len(path) or value is None or isinstance(value, (dict, list)):
                return mark.line, mark.column
            return mark.value_line, mark.value_column
        return 1, 1

    def get(self, path: FieldPath) -> Data:
        node: Any = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def existing_prefix(self, path: FieldPath) -> FieldPath:
        """The part of a validator's path that is really in the file (drops implied keys)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.marks:
                return path[:end]
        return ()


class _Loader(yaml.SafeLoader):
    """A safe loader that resolves no implicit types: every plain scalar is a string."""


_Loader.yaml_implicit_resolvers = {}

# libyaml composes about ten times faster; the pure-Python loader words syntax errors better.
_FastLoader: type = _Loader
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):  # type: ignore[misc,name-defined]
        """The same rules on libyaml."""

    _CLoader.yaml_implicit_resolvers = {}
    _FastLoader = _CLoader

_PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

# PyYAML's problem texts, reworded for a finance officer.
_SYNTAX_HINTS = {
    "found character '\\t' that cannot start any token": (
        "yaml-tab",
        "这里有制表符（Tab）。YAML 只能用空格缩进，请把 Tab 换成空格",
    ),
    "mapping values are not allowed here": (
        "yaml-syntax",
        "这里不应出现冒号。若文字中含有“: ”，请给整段文字加上引号，或检查上一行的缩进",
    ),
    "could not find expected ':'": ("yaml-syntax", "缺少冒号“:”，或缩进不一致"),
    "did not find expected key": ("yaml-syntax", "缩进不一致：这一行与同级的其他行没有对齐"),
    "did not find expected '-' indicator": ("yaml-syntax", "列表项的缩进不一致"),
    "found unexpected end of stream": ("yaml-syntax", "文件意外结束：引号或括号没有闭合"),
    "found undefined alias": ("yaml-alias", "不支持锚点和别名（& 与 *）"),
}


def read_document(path: Path) -> Document:
    """Read one YAML file; never raises for what is in the file."""
    doc = Document(path)
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        doc.findings.append(
            Finding("file-too-large", (), f"文件过大（{len(raw)} 字节），超过上限 {MAX_FILE_BYTES} 字节，未读取")
        )
        return doc
    text = _decode(raw, doc)
    if text is None:
        return doc
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as error:
        doc.findings.append(_syntax_finding(error, doc))
        return doc
    except yaml.YAMLError as error:  # errors without a mark are rare; still the user's file
        doc.findings.append(Finding("yaml-syntax", (), f"YAML 格式错误：{error}"))
        return doc
    if root is not None:
        _Converter(doc).run(root)
    return doc


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml; on a syntax error compose again in Python for its clearer message."""
    try:
        return yaml.compose(text, Loader=_FastLoader)
    except yaml.MarkedYAMLError:
        if _FastLoader is _Loader:
            raise
    return yaml.compose(text, Loader=_Loader)


def _decode(raw: bytes, doc: Document) -> str | None:
    if raw.startswith(BOM):
        doc.marks[()] = Mark(1, 1, 1, 1)
        doc.findings.append(
            Finding(
                "bom",
                (),
                "文件以 UTF-8 BOM 开头（记事本“UTF-8 带 BOM”格式）。已忽略 BOM；建议另存为不带 BOM 的 UTF-8",
                severity=Severity.WARNING,
            )
        )
        raw = raw[len(BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        doc.marks[("__encoding__",)] = Mark(line, column, line, column)
        guess = _guess_encoding(raw)
        hint = f"看起来是 {guess} 编码" if guess else "无法识别其编码"
        doc.findings.append(
            Finding(
                "not-utf8",
                ("__encoding__",),
                f"文件不是 UTF-8 编码（{hint}），第 {line} 行起无法读取。"
                "请在编辑器中“另存为”并选择 UTF-8 编码后再试",
            )
        )
        return None


def _guess_encoding(raw: bytes) -> str | None:
    for name, label in (("gb18030", "GBK/GB18030"), ("utf-16", "UTF-16")):
        try:
            raw.decode(name)
            return label
        except UnicodeDecodeError:
            continue
    return None


def _syntax_finding(error: yaml.MarkedYAMLError, doc: Document) -> Finding:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    doc.marks[("__syntax__",)] = Mark(line, column, line, column)
    problem = (error.problem or "").strip()
    code, message = _SYNTAX_HINTS.get(problem, ("yaml-syntax", ""))
    if not message:
        for known, (known_code, known_message) in _SYNTAX_HINTS.items():
            if problem.startswith(known.split("'")[0]) and known_code != "yaml-syntax":
                code, message = known_code, known_message
        message = message or f"YAML 格式错误（{problem}）"
    return Finding(code, ("__syntax__",), message)


class _Converter:
    """Turns composed nodes into plain data, recording marks and refusing what we do not read."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()
        self.count = 0

    def run(self, root: yaml.Node) -> None:
        start = root.start_mark
        self.doc.marks[()] = Mark(start.line + 1, start.column + 1, start.line + 1, start.column + 1)
        try:
            self.doc.data = self.convert(root, (), 0)
        except _Refused as refused:
            self.doc.findings.append(refused.finding)
            self.doc.data = None

    def convert(self, node: yaml.Node, path: FieldPath, depth: int) -> Data:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            raise _Refused(Finding("too-complex", path, "文件结构过大或嵌套过深，已拒绝读取"))
        if id(node) in self.seen:
            raise _Refused(Finding("yaml-alias", path, "不支持锚点和别名（& 与 *）：请把内容直接写出来"))
        self.seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            raise _Refused(Finding("yaml-tag", path, f"不支持 YAML 标签 {node.tag}：请去掉“!”开头的标记"))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.child(item, path + (i,), item, depth) for i, item in enumerate(node.value)]
        if not node.style and node.value in ("", "~", "null", "Null", "NULL"):  # plain: None or ""
            return None
        return node.value

    def mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                raise _Refused(Finding("yaml-syntax", path, "键必须是简单的文字"))
            key = key_node.value
            child_path = path + (key,)
            if key in result:
                first = self.doc.marks[child_path]
                self.doc.findings.append(
                    Finding(
                        "duplicate-key",
                        child_path + ("__duplicate__",),
                        f"键“{key}”重复出现（第一次在第 {first.line} 行）。"
                        "YAML 只会保留最后一个，前面的内容会丢失：请删除或合并重复的键",
                    )
                )
                k = key_node.start_mark
                self.doc.marks[child_path + ("__duplicate__",)] = Mark(k.line + 1, k.column + 1, 0, 0)
                continue
            result[key] = self.child(key_node, child_path, value_node, depth)
        return result

    def child(self, key_node: yaml.Node, path: FieldPath, value_node: yaml.Node, depth: int) -> Data:
        k, v = key_node.start_mark, value_node.start_mark
        self.doc.marks[path] = Mark(k.line + 1, k.column + 1, v.line + 1, v.column + 1)
        return self.convert(value_node, path, depth + 1)


class _Refused(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding
