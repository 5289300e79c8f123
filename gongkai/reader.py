"""Read a YAML file exactly as written: the only module that imports yaml.

PyYAML's loaders guess types (``0.10`` becomes 0.1, ``2024-06-06`` a date, ``NO`` false) and keep the
last of duplicate keys silently. We compose the node tree instead, keep every scalar as the text the
finance officer typed, refuse duplicates, aliases, tags and invisible characters, and remember where
each value stands. Whatever is in the file becomes a finding with a line, never an exception.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import yaml

from gongkai.problems import FieldPath, Finding, Severity

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 50_000
MAX_DEPTH = 40
BOM = b"\xef\xbb\xbf"
# What an editor does not show as such: YAML's other line breaks (which would shift every line number after them)
# and the zero-width and direction marks that come with text pasted from Word or a web page.
_INVISIBLE = re.compile("[\x85\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

_UNREADABLE = {
    errno.ENOENT: "文件不存在（可能是指向已删除文件的链接）",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EACCES: "没有读取权限，请检查文件权限",
    errno.EPERM: "没有读取权限，请检查文件权限",
}

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
    # Quoted and block scalars: their style and, for a block, the indentation of its text.
    styles: dict[FieldPath, tuple[str, int]] = field(default_factory=dict)

    @property
    def readable(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def release_places(self) -> None:
        """Forget where each value stands (most of a document's memory) once its checks are done; the
        file is read again if a place is asked for later. A build holds every report until it is
        rendered, and the places of 300 reports were a quarter of what it held."""
        if self.marks:
            self.marks = _PlacesLater(self.path, "marks")  # type: ignore[assignment]
            self.styles = _PlacesLater(self.path, "styles")  # type: ignore[assignment]

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

    def locate_in_text(self, path: FieldPath, offset: int) -> tuple[int, int]:
        """The line and column of character `offset` of the text at `path` (a figure in a paragraph)."""
        mark, value = self.marks.get(path), self.get(path)
        if mark is None or not isinstance(value, str):
            return self.locate(path)
        before = value[:offset]
        line_in_value = before.count("\n")
        column_in_line = offset - (before.rfind("\n") + 1)
        style, indent = self.styles.get(path, ("", 0))
        if style in ("|", ">"):
            return mark.value_line + 1 + line_in_value, indent + column_in_line + 1
        if line_in_value == 0:
            return mark.value_line, mark.value_column + column_in_line + (1 if style else 0)
        return mark.value_line + line_in_value, 1  # a plain scalar folded over lines: its line is enough

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


class _PlacesLater(Mapping[FieldPath, Any]):
    """A released document's marks or styles: read from its file again when first looked at."""

    def __init__(self, path: Path, which: str) -> None:
        self._path, self._which = path, which
        self._places: dict[FieldPath, Any] | None = None

    def _read(self) -> dict[FieldPath, Any]:
        if self._places is None:
            self._places = getattr(read_document(self._path), self._which)
        return self._places

    def __getitem__(self, path: FieldPath) -> Any:
        return self._read()[path]

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())


_NODE_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


def _resolve_plainly(self: object, kind: type, value: object, implicit: object) -> str:
    """Every untagged node is a plain string, list or mapping; explicit tags (refused later) skip this.

    What PyYAML's resolver returns without implicit resolvers, without its search for them: it is
    asked once per node, which made it a tenth of reading a report.
    """
    return _NODE_TAGS[kind]


class _Loader(yaml.SafeLoader):
    """A safe loader that resolves no implicit types: every plain scalar is a string."""

    resolve = _resolve_plainly


_Loader.yaml_implicit_resolvers = {}

# libyaml composes about ten times faster; the pure-Python loader words syntax errors better.
_FastLoader: type = _Loader
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):  # type: ignore[misc,name-defined]
        """The same rules on libyaml."""

        resolve = _resolve_plainly

    _CLoader.yaml_implicit_resolvers = {}
    _FastLoader = _CLoader

_PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

_TOO_DEEP = "exceeded maximum nesting depth"  # libyaml's limit of 1000 levels
_QUOTED = "while scanning a quoted scalar"
_TAG = "不支持 YAML 标签：请去掉“!”开头的标记；若“!”是文字的一部分，请给整段文字加上引号"
_ALIAS = "不支持锚点和别名（& 与 *）：请把内容直接写出来；若“&”或“*”是文字的一部分，请给整段文字加上引号"
_BLOCK = "“|”或“>”后面不能接文字：请换行，把文字缩进写在下一行"
_ESCAPE = "双引号中的反斜杠“\\”后面是无法识别的字符：请改用单引号，或去掉引号"
_DIRECTIVE = "以“%”开头的行是 YAML 指令，写法有误：请删除这一行，或给文字加上引号"
_UNCLOSED = "引号没有闭合：请在这段文字的末尾补上对应的引号"

# What PyYAML (or libyaml) says the problem is, or failing that what it was doing, reworded for a finance officer.
_SYNTAX_HINTS: tuple[tuple[str, str, str], ...] = (
    ("found character '\\t' that cannot start any token", "yaml-tab", "这里有制表符（Tab）。YAML 只能用空格缩进，请把 Tab 换成空格"),
    ("found character", "yaml-syntax", "文字不能以这个符号开头：请给整段文字加上引号"),
    ("mapping values are not allowed here", "yaml-syntax", "这里不应出现冒号。若文字中含有“: ”，请给整段文字加上引号，或检查上一行的缩进"),
    ("could not find expected ':'", "yaml-syntax", "缺少冒号“:”，或缩进不一致"),
    ("did not find expected key", "yaml-syntax", "缩进不一致：这一行与同级的其他行没有对齐"),
    ("did not find expected '-' indicator", "yaml-syntax", "列表项的缩进不一致"),
    ("expected <block end>", "yaml-syntax", "缩进不一致：这一行与上文同级的行没有对齐"),
    ("sequence entries are not allowed here", "yaml-syntax", "这里不能出现列表项“- ”：请检查缩进；若文字以“-”开头，请给整段文字加上引号"),
    ("mapping keys are not allowed here", "yaml-syntax", "这里不能出现“?”：请给整段文字加上引号"),
    ("expected ',' or ']'", "yaml-syntax", "方括号“[ ]”没有正确结束：请检查右括号和逗号；文字中含有“: ”时请加上引号"),
    ("expected ',' or '}'", "yaml-syntax", "花括号“{ }”没有正确结束：请检查右括号和逗号；文字中含有“: ”时请加上引号"),
    ("invalid indentation or unclosed", "yaml-syntax", "方括号或花括号没有闭合，或缩进不一致"),
    ("node content", "yaml-syntax", "这里缺少内容，或多了“,”“]”“}”等符号"),
    ("found unexpected end of stream", "yaml-syntax", "文件意外结束：引号或括号没有闭合"),
    ("found unexpected document separator", "yaml-syntax", _UNCLOSED),
    ("found unknown escape character", "yaml-syntax", _ESCAPE),
    ("expected escape sequence", "yaml-syntax", _ESCAPE),
    ("expected a comment or a line break", "yaml-syntax", _BLOCK),
    ("expected chomping or indentation indicators", "yaml-syntax", _BLOCK),
    ("expected indentation indicator", "yaml-syntax", _BLOCK),
    ("found undefined alias", "yaml-alias", _ALIAS),
    ("found duplicate anchor", "yaml-alias", _ALIAS),
    ("found undefined tag handle", "yaml-tag", _TAG),
    ("but found another document", "yaml-syntax", "一个文件只能有一份内容：请删除多余的“---”分隔线"),
    ("expected '<document start>'", "yaml-syntax", "文件在上面的“...”或“---”处已经结束：请删除多余的分隔线"),
    (_TOO_DEEP, "too-complex", "文件嵌套层数过多，已拒绝读取"),
    ("while scanning a tag", "yaml-tag", _TAG),
    ("while parsing a tag", "yaml-tag", _TAG),
    ("while scanning an anchor", "yaml-alias", _ALIAS),
    ("while scanning an alias", "yaml-alias", _ALIAS),
    ("while scanning a block scalar", "yaml-syntax", _BLOCK),
    ("duplicate tag handle", "yaml-tag", _TAG),
    ("incompatible YAML document", "yaml-syntax", _DIRECTIVE),
    ("directive", "yaml-syntax", _DIRECTIVE),
)


def read_document(path: Path) -> Document:
    """Read one YAML file; never raises for what is in the file."""
    doc = Document(path)
    try:
        with path.open("rb") as handle:  # never more than the limit into memory
            raw = handle.read(MAX_FILE_BYTES + 1)
        size = path.stat().st_size
    except OSError as error:  # vanished, a folder, a broken link, no permission: still no traceback
        why = _UNREADABLE.get(error.errno or 0, "无法打开")
        doc.findings.append(Finding("unreadable-file", (), f"无法读取这个文件：{why}"))
        return doc
    if len(raw) > MAX_FILE_BYTES:
        doc.findings.append(
            Finding("file-too-large", (), f"文件过大（{size} 字节），超过上限 {MAX_FILE_BYTES} 字节，未读取")
        )
        return doc
    text = _decode(raw, doc)
    if text is None or not _printable(text, doc):
        return doc
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as error:
        doc.findings.append(_syntax_finding(error, text, doc))
        return doc
    except yaml.YAMLError as error:  # errors without a mark are rare; still the user's file
        doc.findings.append(Finding("yaml-syntax", (), f"YAML 格式有误，无法读取（{error}）"))
        return doc
    except RecursionError:  # nested deeper than the Python composer can follow
        doc.findings.append(Finding("too-complex", (), "文件嵌套层数过多，已拒绝读取"))
        return doc
    if root is not None:
        _Converter(doc, text).run(root)
    return doc


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml; on a syntax error compose again in Python for its clearer message."""
    try:
        return yaml.compose(text, Loader=_FastLoader)
    except yaml.MarkedYAMLError as error:
        if _FastLoader is _Loader or error.problem == _TOO_DEEP:  # Python would only hit its recursion limit
            raise
        try:
            return yaml.compose(text, Loader=_Loader)
        except RecursionError:  # too deep for the Python composer: libyaml's words will do
            raise error from None


def _decode(raw: bytes, doc: Document) -> str | None:
    if raw.startswith(BOM):
        doc.marks[("__bom__",)] = Mark(1, 1, 1, 1)
        doc.findings.append(
            Finding(
                "bom",
                ("__bom__",),
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


def _printable(text: str, doc: Document) -> bool:
    """Refuse control characters (YAML forbids them) and invisible ones: name the first."""
    found = [m for m in (yaml.reader.Reader.NON_PRINTABLE.search(text), _INVISIBLE.search(text)) if m]
    if not found:
        return True
    first = min(found, key=lambda m: m.start())
    line, column = _position(text, first.start())
    doc.marks[("__character__",)] = Mark(line, column, line, column)
    code = f"U+{ord(first.group()):04X}"
    doc.findings.append(
        Finding(
            "bad-character",
            ("__character__",),
            f"这里有看不见的字符（{code}），常见于从网页或 Word 复制来的文字，内容文件中不允许出现：请删除它",
        )
    )
    return False


def _position(text: str, index: int) -> tuple[int, int]:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _syntax_finding(error: yaml.MarkedYAMLError, text: str, doc: Document) -> Finding:
    code, message = _hint(error)
    mark = error.problem_mark or error.context_mark
    quote = _unclosed_quote(text, mark.line) if mark and code == "yaml-syntax" else None
    if error.context == _QUOTED and error.context_mark:  # point at the quote that was never closed
        mark, message = error.context_mark, _UNCLOSED
    elif quote is not None:  # a quote left open swallows the lines after it: it comes before any other guess
        message = _UNCLOSED + f"（这里开始的引号直到第 {mark.line + 1} 行才结束）"  # type: ignore[union-attr]
        mark = quote
    elif code == "yaml-syntax" and (mistake := _mistake(error, text.split("\n"))) is not None:
        line, column, message = mistake  # the character that caused it, in the words of the mistake
        doc.marks[("__syntax__",)] = Mark(line, column, line, column)
        return Finding(code, ("__syntax__",), message)
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    doc.marks[("__syntax__",)] = Mark(line, column, line, column)
    return Finding(code, ("__syntax__",), message)


# The mistakes behind most syntax errors, found where they were made rather than where the parser gave up:
# a key followed by a full-width colon, comma or space, or by ":" without a space, is read as text that runs
# on into the next line; a line indented one space off breaks the level it belongs to.
_KEY_THEN_MISTAKE = re.compile(r"^(?P<lead>[ ]*(?:-[ ]+)*)(?P<key>[^\s:#'\"\[\]{}!&*|>%@`-][^:：，,、；;\u3000#]*?)[ ]*"
                               r"(?P<sep>[：，、；\u3000]|:(?=[^\s/]))")
_SEPARATORS = {"：": "中文冒号“：”", "，": "中文逗号“，”", "、": "顿号“、”", "；": "中文分号“；”", "\u3000": "全角空格"}
_RAN_ON = ("mapping values are not allowed here", "could not find expected ':'")
_LEVEL = ("expected <block end>", "did not find expected key", "did not find expected '-' indicator")
_FLOWS = {"while parsing a flow sequence": ("方括号", "[", "]"), "while parsing a flow mapping": ("花括号", "{", "}")}


def _mistake(error: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, int, str] | None:
    """(line, column, message) of the mistake that caused `error`, when it is one we recognise."""
    problem = error.problem or ""
    if error.problem_mark is None:
        return None
    at = error.problem_mark.line
    if any(said in problem for said in _RAN_ON):
        return _key_without_colon(lines, _key_candidates(error, lines)) or _indented_more(lines, at)
    if any(said in problem for said in _LEVEL):
        return _indented_off(lines, at)
    if error.context in _FLOWS and error.context_mark and error.context_mark.line < at:
        return _unclosed_flow(error.context_mark, _FLOWS[error.context])
    return None


def _content_line(lines: list[str], index: int) -> bool:
    stripped = lines[index].strip() if 0 <= index < len(lines) else ""
    return bool(stripped) and not stripped.startswith("#")


def _previous(lines: list[str], index: int) -> int | None:
    """The nearest line above `index` with something on it (not blank, not a comment)."""
    for above in range(min(index, len(lines)) - 1, -1, -1):
        if _content_line(lines, above):
            return above
    return None


def _key_candidates(error: yaml.MarkedYAMLError, lines: list[str]) -> list[int]:
    """Where a key that ran on may start: where the parser began reading it, or the line above the error."""
    candidates = []
    if error.context_mark is not None and "simple key" in (error.context or ""):
        candidates.append(error.context_mark.line)
    above = _previous(lines, error.problem_mark.line)  # type: ignore[union-attr]
    if above is not None:
        candidates.append(above)
    return candidates


def _key_without_colon(lines: list[str], candidates: list[int]) -> tuple[int, int, str] | None:
    for index in candidates:
        line = lines[index]
        if re.search(r":( |$)", line):  # a real key on this line: the mistake is elsewhere
            continue
        found = _KEY_THEN_MISTAKE.match(line)
        if found is None:
            continue
        key, sep = found["key"], found["sep"]
        value = line[found.end():].strip()
        example = f"“{key}: {value}”" if value else f"“{key}:”"
        if sep == ":":
            said = f"“{key}”后面的冒号“:”与后面的内容之间缺少空格：YAML 要求冒号后面有一个空格，请写成{example}"
        else:
            said = (f"“{key}”后面用了{_SEPARATORS[sep]}，这一行因此没有被当作“项目: 内容”读取：请改为英文冒号加一个空格，"
                    f"写成{example}")
        return index + 1, found.start("sep") + 1, said
    return None


def _indent(line: str) -> int:
    """Where a line's key starts: its spaces and any list dashes before it."""
    found = re.match(r"[ ]*(?:-[ ]+)*", line)
    return found.end() if found else 0


def _indented_more(lines: list[str], at: int) -> tuple[int, int, str] | None:
    """A line indented further than the key: value line above it, read as that value's continuation."""
    above = _previous(lines, at)
    if above is None or at >= len(lines):
        return None
    here, there = _indent(lines[at]), _indent(lines[above])
    opens_block = re.search(r":\s*(#.*)?$|:\s*[|>][-+0-9]*\s*$", lines[above])
    if here <= there or opens_block:
        return None
    extra = here - there
    return at + 1, 1, (
        f"这一行比第 {above + 1} 行多缩进了 {extra} 个空格：同一层的项要左对齐，请删去 {extra} 个空格。"
        "若这一行是上一行文字的接续，请给整段文字加上引号"
    )


def _indented_off(lines: list[str], at: int) -> tuple[int, int, str] | None:
    """A line whose indentation matches no level above it: say how far it is, and how far its neighbours are."""
    if at >= len(lines) or not _content_line(lines, at):
        return None
    here = _indent(lines[at])
    levels = _levels_above(lines, at)
    if not levels or here in levels:
        return None
    sibling = min(levels, key=lambda level: (abs(level - here), -level))  # one space off: the nearest level
    line = next(i for i in range(at - 1, -1, -1) if _content_line(lines, i) and _indent(lines[i]) == sibling)
    change = f"{'删去' if here > sibling else '补上'} {abs(here - sibling)} 个空格"
    return at + 1, here + 1, (
        f"这一行缩进了 {here} 个空格，与上面同一层的第 {line + 1} 行（{sibling} 个空格）没有对齐：请{change}，使它们左对齐"
    )


def _levels_above(lines: list[str], at: int) -> set[int]:
    """The indentations still open at line `at`: each line above that is less indented than all below it."""
    levels: set[int] = set()
    lowest = None
    index = _previous(lines, at)
    while index is not None:
        indent = _indent(lines[index])
        if lowest is None or indent < lowest:
            levels.add(indent)
            lowest = indent
        if indent == 0:
            break
        index = _previous(lines, index)
    return levels


def _unclosed_flow(opened: yaml.Mark, flow: tuple[str, str, str]) -> tuple[int, int, str]:
    name, left, right = flow
    return opened.line + 1, opened.column + 1, (
        f"这里的{name}“{left}”没有闭合：请在这一行末尾补上“{right}”；若“{left}”是文字的一部分，请给整段文字加上引号"
    )


def _hint(error: yaml.MarkedYAMLError) -> tuple[str, str]:
    for said in (error.problem or "", error.context or ""):
        for start, code, message in _SYNTAX_HINTS:
            if start in said:
                return code, message
    return "yaml-syntax", f"YAML 格式有误：请检查这一行的缩进、冒号和引号（{error.problem or error.context}）"


def _unclosed_quote(text: str, line: int) -> yaml.Mark | None:
    """A quoted text that ran over several lines and ended where the error is: its opening quote was never closed."""
    try:
        for token in yaml.scan(text, Loader=_FastLoader):
            start, end = token.start_mark, token.end_mark
            if start.line > line:
                break
            multiline_quote = isinstance(token, yaml.ScalarToken) and not token.plain and start.line < end.line
            if multiline_quote and end.line in (line - 1, line) and token.style in ("'", '"'):
                return start
    except yaml.YAMLError:
        pass
    return None


class _Converter:
    """Turns composed nodes into plain data, recording marks and refusing what we do not read."""

    def __init__(self, doc: Document, text: str) -> None:
        self.doc = doc
        self.text = text
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
        self.refuse_alias(node, path)
        if node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(Finding("yaml-tag", path, f"不支持 YAML 标签“{tag}”：请去掉“!”开头的标记"))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.child(item, path + (i,), item, depth) for i, item in enumerate(node.value)]
        if not node.style and node.value in ("", "~", "null", "Null", "NULL"):  # plain: None or ""
            return None
        if node.style:
            self.doc.styles[path] = (node.style, self.block_indent(node) if node.style in "|>" else 0)
        return node.value

    def block_indent(self, node: yaml.Node) -> int:
        """How far a block scalar's text is indented: the first line of it that is not blank."""
        for line in self.text[node.start_mark.index:node.end_mark.index].split("\n")[1:]:
            if line.strip():
                return len(line) - len(line.lstrip(" "))
        return 0

    def mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            self.refuse_alias(key_node, path)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                raise _Refused(self.at(key_node.start_mark, path + ("__key__",), "yaml-syntax", "键必须是简单的文字"))
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

    def refuse_alias(self, node: yaml.Node, path: FieldPath) -> None:
        """A node met twice was named by an alias (*name): refuse it where the first alias stands."""
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return
        events = yaml.parse(self.text, Loader=_FastLoader)
        alias = next((e.start_mark for e in events if isinstance(e, yaml.AliasEvent)), node.start_mark)
        raise _Refused(self.at(alias, path + ("__alias__",), "yaml-alias", _ALIAS))

    def at(self, mark: yaml.Mark, path: FieldPath, code: str, message: str) -> Finding:
        """A finding at `mark` rather than where `path` would place it."""
        self.doc.marks[path] = Mark(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 1)
        return Finding(code, path, message)

    def child(self, key_node: yaml.Node, path: FieldPath, value_node: yaml.Node, depth: int) -> Data:
        k, v = key_node.start_mark, value_node.start_mark
        self.doc.marks[path] = Mark(k.line + 1, k.column + 1, v.line + 1, v.column + 1)
        return self.convert(value_node, path, depth + 1)


class _Refused(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding
