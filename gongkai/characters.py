"""Characters no disclosure may hold, found in the text as YAML decoded it.

The reader refuses such characters typed raw into a file, but YAML's escapes in double-quoted scalars
("\\0", "\\ud800", "\\u202e") make them only after decoding. A lone surrogate cannot be written to a page at all,
a NUL or other control makes feed.xml malformed, and a direction override makes a figure read backwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gongkai.problems import FieldPath, Finding
from gongkai.reader import Document, Mark

# Tab and line feed are text; every other C0 control, DEL and the C1 controls are not.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u200b-\u200f\u2028\u2029\u2060-\u2064\ufeff"
_SURROGATE = "\ud800-\udfff"
_NONCHARACTER = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17)
)
_FORBIDDEN = re.compile(f"[{_CONTROL}{_BIDI}{_INVISIBLE}{_SURROGATE}{_NONCHARACTER}]")


def _kind(character: str) -> str:
    """What the character is, in words a finance officer can search for."""
    if re.fullmatch(f"[{_CONTROL}]", character):
        return "控制字符"
    if re.fullmatch(f"[{_BIDI}]", character):
        return "文字方向控制符，会让文字或数字颠倒显示"
    if re.fullmatch(f"[{_SURROGATE}]", character):
        return "不成对的代理码位，不是一个完整的字符"
    if re.fullmatch(f"[{_INVISIBLE}]", character):
        return "看不见的字符"
    return "Unicode 非字符"


def _message(character: str) -> str:
    code = f"U+{ord(character):04X}"
    return f"这里有不允许的字符（{code}，{_kind(character)}），多由转义写法（如 \"\\u…\"）或复制粘贴带入：请删除它"


def bad_characters(doc: Document) -> list[Finding]:
    """The first forbidden character of every key and string value of the document, each where it stands."""
    return list(_walk(doc, doc.data, ()))


def _walk(doc: Document, data: object, path: FieldPath) -> Iterator[Finding]:
    if isinstance(data, str):
        yield from _in_value(doc, data, path)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _walk(doc, item, path + (index,))
    elif isinstance(data, dict):
        for key, value in data.items():
            found = _FORBIDDEN.search(key)
            if found:
                yield _in_key(doc, path, key, found.group())
            else:
                yield from _walk(doc, value, path + (key,))


def _in_value(doc: Document, text: str, path: FieldPath) -> Iterator[Finding]:
    found = _FORBIDDEN.search(text)
    if not found:
        return
    # In a double-quoted scalar an escape (\u202e) is longer than the character it makes: offsets do not count
    # columns in the file, so point at the value itself.
    quoted = doc.styles.get(path, ("", 0))[0] == '"'
    yield Finding("bad-character", path, _message(found.group()), offset=None if quoted else found.start())


def _in_key(doc: Document, path: FieldPath, key: str, character: str) -> Finding:
    """A key cannot be named in the message (it holds the character): mark its place under a hidden name."""
    place = path + ("__bad_key__",)
    mark = doc.marks.get(path + (key,))
    if mark is not None:
        doc.marks[place] = Mark(mark.line, mark.column, 0, 0)
    return Finding("bad-character", place, "键名中" + _message(character))
