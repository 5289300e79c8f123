"""Hostile strings and numbers in a well-formed report: `check` and `build` never raise, every page stays sound.

Hypothesis rewrites a few values of the sample report (content/ with only its self-evaluation), of site.yaml
and of unit.yaml with markup, script, Markdown, formula starts, very long text, odd numbers, and, through the
escapes of double-quoted scalars, characters a file cannot hold typed (lone surrogates, NUL, direction
overrides). Whatever `check` accepts is built (without PDFs); every page must then be UTF-8, hold no control character, nest its tags as
the unedited sample does, carry no script the sample does not, and feed.xml and sitemap.xml must parse.
About 40 examples, well under a minute; GONGKAI_FUZZ_SCALE=50 runs fifty times as many.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from conftest import CONTENT, SAMPLE_REPORT
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sample_only import copy_sample_report

from gongkai.pipeline import BuildOptions, build, check
from gongkai.problems import Report

SAMPLE = (CONTENT / SAMPLE_REPORT).read_text(encoding="utf-8")
SCALE = int(os.environ.get("GONGKAI_FUZZ_SCALE", "1"))
CJK = re.compile(r"[\u4e00-\u9fff]")
# A plain scalar after a key: the values a rewrite may replace (blocks, flows, quotes and aliases are left alone).
PLAIN_VALUE = re.compile(r"^(\s*(?:- )?[^\s:#{}\[\]-][^:{}\[\]]*: )([^|>{\[&*'\"\s][^{}\[\],\n]*)$", re.M)
PLACES = [(m.start(2), m.end(2)) for m in PLAIN_VALUE.finditer(SAMPLE)]
# The first text line of each literal block (正文): raw text only, no escapes there.
BLOCK_LINE = re.compile(r"^\s+\S.*: \|\n(\s+)(\S.*)$", re.M)
BLOCKS = [(m.start(2), m.end(2)) for m in BLOCK_LINE.finditer(SAMPLE)]
# What no page or feed may hold: control characters other than tab and line breaks.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

HOSTILE = [
    "<script>alert(1)</script>", "</div></main></body>", "<!--", "-->", "]]>", "<![CDATA[x]]>", "&amp;", "&", "<",
    ">", "\"'", "javascript:alert(1)", "[链接](javascript:alert(1))", "**粗体**", "# 标题", "\n- 列表", "`代码`",
    "<img src=x onerror=alert(1)>", "<a href=\"x\" onclick=\"y\">", "{{ 7*7 }}", "{% raw %}", "${x}", "=1+1",
    "@SUM(A1)", "+cmd|' /C calc'!A0", "\u0000", "\ud800", "\udfff", "\ud83d", "\u202e", "\u2066", "\u200b", "\ufdd0",
    "\uffff", "\U0010fffe", "\x85", "\x1b[31m", "\x7f", "\t", "\r", "\n", "😀", "𠀀", "e\u0301", "\u3000", "\u00a0",
    " ", "A" * 5000, "汉" * 3000, "{不核对：理由}", "{=预算执行.三公经费.本年预算}", "{", "}", "%", "\\", "/",
]
NUMBERS = [
    "-1", "-0", "0", "1e5", "9" * 40, "-999999999999999.99", "999999999999999.99", "0.001", "NaN", "Infinity",
    "00.10", "1_000", "0x1F", "١٢٣", "１２", "12万元", "1,000", "∞", "", "100%", "-5%", "99.99999%",
]
# What only an escape can write, drawn often: each must be refused by `check`, never reach a page.
ESCAPED = ["\ud800", "\udfff", "\x00", "\x01", "\u202e", "\u2066", "\ufdd0", "\uffff", "\x85", "\x1b"]
PIECE = st.sampled_from(HOSTILE) | st.sampled_from(NUMBERS) | st.text(max_size=30)
VALUE = st.lists(PIECE, min_size=1, max_size=3).map("".join)
# Printable text a block can hold as typed: no line breaks, nothing the reader refuses before decoding.
TYPEABLE = [h for h in HOSTILE if h.isprintable() and "\u200b" not in h]
BLOCK_TEXT = st.lists(st.sampled_from(TYPEABLE), min_size=1, max_size=3).map("".join)
# Values that are words, not figures: hostile text there should pass `check` and so be built.
TEXT_PLACES = [i for i, (start, end) in enumerate(PLACES) if not re.fullmatch(r"[-0-9.%]+", SAMPLE[start:end])]
EDIT = st.tuples(st.integers(0, len(PLACES) - 1), VALUE) | st.tuples(st.sampled_from(TEXT_PLACES), BLOCK_TEXT)
# The site's and the unit's files: their names and words are on every page and in the feed.
OTHERS = {name: (CONTENT / name).read_text(encoding="utf-8") for name in (Path("site.yaml"), Path("huaihua-bjlxc/unit.yaml"))}
OTHER_PLACES = [(name, m.start(2), m.end(2)) for name, text in OTHERS.items() for m in PLAIN_VALUE.finditer(text)]
OTHER_EDIT = st.tuples(st.integers(0, len(OTHER_PLACES) - 1), VALUE | BLOCK_TEXT)


def quoted(text: str) -> str:
    """A YAML double-quoted scalar for any text: what the file cannot hold typed is written as an escape."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif not char.isprintable() or 0xD800 <= ord(char) <= 0xDFFF or ord(char) in range(0xFDD0, 0xFDF0):
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def rewrite(values: list[tuple[int, str]], blocks: list[tuple[int, str]]) -> str:
    """The sample with the chosen plain values and block lines replaced."""
    edits = [(PLACES[i % len(PLACES)], quoted(v)) for i, v in values]
    return replaced(SAMPLE, edits + [(BLOCKS[i % len(BLOCKS)], t) for i, t in blocks])


def replaced(text: str, edits: list[tuple[tuple[int, int], str]]) -> str:
    """`text` with each (start, end) span replaced, later spans first so that earlier offsets hold."""
    for (start, end), new in sorted(dict(edits).items(), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def write_others(root: Path, others: list[tuple[int, str]]) -> None:
    for name, text in OTHERS.items():
        edits = [((start, end), quoted(v)) for (file, start, end), v in ((OTHER_PLACES[i], v) for i, v in others)
                 if file == name]
        (root / name).write_text(replaced(text, edits), encoding="utf-8")


class Nesting(HTMLParser):
    """Every tag the page opens, closed in order (the templates write every end tag); the scripts it runs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.scripts: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts[dict(attrs).get("src") or "inline"] += 1
        assert not any(name.startswith("on") for name, _ in attrs), (tag, attrs)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()


def page_facts(path: Path) -> Counter[str]:
    """Assert the page is sound; return the scripts it holds."""
    text = path.read_bytes().decode("utf-8")  # a lone surrogate could not have been written
    assert not CONTROL.search(text), CONTROL.search(text)
    parser = Nesting()
    parser.feed(text)
    parser.close()
    assert parser.open == [], parser.open
    return parser.scripts


def build_into(root: Path) -> tuple[Report, dict[str, Counter[str]]]:
    out = root.parent / "site"
    loaded = build(root, BuildOptions(out=out, pdf=False, jobs=1, cache=root.parent / "cache"))
    pages = {p.relative_to(out).as_posix(): page_facts(p) for p in sorted(out.rglob("*.html"))}
    for feed in ("feed.xml", "sitemap.xml"):
        data = (out / feed).read_bytes()
        assert not CONTROL.search(data.decode("utf-8"))
        ET.fromstring(data)
    assert "javascript:" not in (out / "robots.txt").read_text(encoding="utf-8")
    return loaded.report, pages


@functools.cache
def sample_scripts() -> dict[str, Counter[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        report, pages = build_into(copy_sample_report(Path(tmp) / "content"))
        assert report.ok
        return pages


def assert_readable(report: Report) -> None:
    """Every problem at a place, in Chinese, and printable (a surrogate in a message would crash the print)."""
    for problem in report.problems:
        assert problem.line >= 1 and problem.column >= 1, problem
        assert CJK.search(problem.message), problem
        str(problem).encode("utf-8")


@settings(max_examples=40 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(EDIT, min_size=1, max_size=3),
    st.lists(st.tuples(st.integers(0, len(BLOCKS) - 1), BLOCK_TEXT), max_size=2),
    st.lists(OTHER_EDIT, max_size=2),
)
def test_hostile_values_never_break_check_build_or_pages(
    values: list[tuple[int, str]], blocks: list[tuple[int, str]], others: list[tuple[int, str]]
) -> None:
    expected_scripts = sample_scripts()
    values, others = list(dict(values).items()), list(dict(others).items())  # the last value at a place holds
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_sample_report(Path(tmp) / "content")
        (root / SAMPLE_REPORT).write_text(rewrite(values, blocks), encoding="utf-8")
        write_others(root, others)
        report = check(root)
        assert_readable(report)
        if any(re.search("[\ud800-\udfff\x00\u202a-\u202e\u2066-\u2069]", v) for _, v in values + others):
            assert "bad-character" in report.codes(), report.sorted()
        event("built" if report.ok else "refused by check")  # pytest --hypothesis-show-statistics
        if not report.ok:
            return
        built, pages = build_into(root)
        assert_readable(built)
        for page, scripts in pages.items():
            assert scripts == expected_scripts.get(page, scripts), (page, scripts)


@settings(max_examples=25 * SCALE, deadline=None)
@given(st.integers(0, len(PLACES) - 1), st.sampled_from(ESCAPED), VALUE, st.floats(0, 1))
def test_what_only_an_escape_can_write_is_refused_at_its_line(place: int, char: str, value: str, at: float) -> None:
    """A lone surrogate in 标题 passed `check` and crashed `build`; a NUL reached the feed."""
    cut = int(at * len(value))
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_sample_report(Path(tmp) / "content")
        (root / SAMPLE_REPORT).write_text(rewrite([(place, value[:cut] + char + value[cut:])], []), encoding="utf-8")
        report = check(root)
    assert_readable(report)
    line = SAMPLE.count("\n", 0, PLACES[place][0]) + 1
    assert ("self-evaluation.yaml", line, "bad-character") in report.flatten(), report.sorted()


def test_the_quoting_round_trips_through_the_reader(tmp_path: Path) -> None:
    """The rewrite writes what it means: a value quoted with escapes reads back as that value."""
    from gongkai.reader import read_document

    odd = "a\"b\\c\n\td\u202e\ud800😀\x00"
    (tmp_path / "x.yaml").write_text(f"键: {quoted(odd)}\n", encoding="utf-8")
    assert read_document(tmp_path / "x.yaml").data == {"键": odd}
