"""Whatever is typed into a content file, `check` answers with located Chinese problems, never a traceback.

Hypothesis feeds random text and bytes, YAML-ish token soup, random data trees shaped like the report, and
random edits of the real sample report to the check pipeline, each in a fresh copy of the sample.
About 150 examples in all; GONGKAI_FUZZ_SCALE=50 runs fifty times as many, for a long hunt.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from conftest import CONTENT, SAMPLE_REPORT
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from sample_only import copy_sample_report

from gongkai.pipeline import check
from gongkai.problems import Problem, Report

FILES = [SAMPLE_REPORT, Path("site.yaml"), Path("huaihua-bjlxc/unit.yaml")]
SAMPLE = (CONTENT / SAMPLE_REPORT).read_text(encoding="utf-8")
SAMPLE_DATA = yaml.safe_load(SAMPLE)
CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
NUMBER = re.compile(r"\d+(\.\d+)?%?")

SCALE = int(os.environ.get("GONGKAI_FUZZ_SCALE", "1"))


def examples(count: int) -> settings:
    return settings(max_examples=count * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Figures at the edges of what the models accept: zeros to divide by, the largest and the most precise.
EXTREME_FIGURES = [
    "0", "0.00", "0.01", "-0.01", "1", "100", "999999", "999999.99", "999999999999999.99", "-999999999999999.99",
    "9999999999999999", "0.001", "00000000000000000001",
]
# The figures and words that trip the checks: signs, precision, units, dates, YAML's own guesses.
ODD_VALUES = EXTREME_FIGURES + [
    "100%", "0%", "-5%", "99.9999%", "0.0001%", "-999999999999999.99%", "293.53", "1e5", "１２", "1,000", "12万元",
    "abc", "", "~", "null", "无", "2024-06-06", "2024-02-30", "2023", "true", "NO", "0x1F", ".5", "5.", "nan", "∞",
]
YAML_TOKENS = [
    ": ", "- ", "\n", "  ", "\t", "[", "]", "{", "}", ", ", "'", '"', "&a ", "*a", "!!python/object ", "!x ", "# ",
    "| ", "> ", "%", "@", "`", "?", "---\n", "...\n", "\\", "<<: ", "年度", "2023", "293.53", "标题", "基本情况",
    "值", "更正", "\ufeff", "\x00", "\r\n", "\u3000", "：",
]


def check_files(contents: dict[Path, bytes]) -> Report:
    """Write the given files into a fresh copy of the sample, check it, and hold every problem to the rules."""
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_sample_report(Path(tmp) / "content")
        for name, data in contents.items():
            (root / name).write_bytes(data)
        report = check(root)
        for problem in report.problems:
            assert_well_formed(problem, root, contents)
            if currently_in_test_context():  # pytest --hypothesis-show-statistics: which problems are reached
                event(problem.code)
    return report


def assert_well_formed(problem: Problem, root: Path, contents: dict[Path, bytes]) -> None:
    """A stable code, a place inside the file it names, and a message a finance officer can read."""
    assert CODE.fullmatch(problem.code), problem
    assert problem.line >= 1 and problem.column >= 1, problem
    assert problem.message.strip() and CJK.search(problem.message), problem
    for name, data in contents.items():
        if Path(problem.file).resolve() == (root / name).resolve():
            lines = data.count(b"\n") + data.count(b"\r") + 1  # a CR alone also ends a line in YAML
            assert problem.line <= lines, (problem, lines)


@examples(25)
@given(st.sampled_from(FILES), st.text(max_size=400) | st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=400))
def test_random_text(file: Path, text: str) -> None:
    check_files({file: text.encode("utf-8", "surrogatepass")})


@examples(10)
@given(st.sampled_from(FILES), st.binary(max_size=300))
def test_random_bytes(file: Path, data: bytes) -> None:
    check_files({file: data})


@examples(25)
@given(st.sampled_from(FILES), st.lists(st.sampled_from(YAML_TOKENS + ODD_VALUES), max_size=60))
def test_yaml_token_soup(file: Path, tokens: list[str]) -> None:
    check_files({file: "".join(tokens).encode("utf-8")})


def _keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


def _branches(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Lists, and mappings keyed mostly by the report's own labels."""
    keys = st.sampled_from(sorted(_keys(SAMPLE_DATA))) | st.text(max_size=4)
    return st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4)


SCALARS = st.one_of(st.none(), st.sampled_from(ODD_VALUES), st.text(max_size=8))
TREES = st.recursive(SCALARS, _branches, max_leaves=12)


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the sample's data tree, the root included."""
    found = [path]
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        found += _paths(value, path + (key,))
    return found


SAMPLE_PATHS = _paths(SAMPLE_DATA)


def _graft(data: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    """A copy of `data` with the subtree at `path` replaced by `value` (or removed)."""
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    head, rest = path[0], path[1:]
    if delete and not rest:
        del copy[head]
    else:
        copy[head] = _graft(copy[head], rest, value, delete)
    return copy


@examples(30)
@given(st.lists(st.tuples(st.sampled_from(SAMPLE_PATHS), TREES, st.booleans()), min_size=1, max_size=3))
def test_random_trees_in_the_report(grafts: list[tuple[tuple[Any, ...], Any, bool]]) -> None:
    data = SAMPLE_DATA
    for path, value, delete in grafts:
        if _exists(data, path):
            data = _graft(data, path, value, delete)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    check_files({SAMPLE_REPORT: text.encode("utf-8")})


def _exists(data: Any, path: tuple[Any, ...]) -> bool:
    """Whether `path` still leads somewhere after earlier grafts reshaped the tree."""
    for part in path:
        in_mapping = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if not (in_mapping or in_list):
            return False
        data = data[part]
    return True


def _edit(text: str, kind: str, at: float, other: float, piece: str) -> str:
    """One typing slip, at a relative position so that every draw fits the text."""
    lines = text.splitlines(keepends=True)
    i, j = int(at * len(text)), int(at * len(lines))
    if kind == "delete-char":
        return text[:i] + text[i + 1 :]
    if kind == "insert":
        return text[:i] + piece + text[i:]
    if kind == "replace-char":
        return text[:i] + piece[:1] + text[i + 1 :]
    if kind == "delete-line":
        return "".join(lines[:j] + lines[j + 1 :])
    if kind == "duplicate-line":
        return "".join(lines[: j + 1] + lines[j:])
    if kind == "swap-lines":
        k = int(other * len(lines))
        lines[j], lines[k] = lines[k], lines[j]
        return "".join(lines)
    numbers = list(NUMBER.finditer(text))  # swap-number: the slips the arithmetic checks must survive
    if not numbers:
        return text
    found = numbers[int(at * len(numbers))]
    return text[: found.start()] + piece + text[found.end() :]


EDITS = st.tuples(
    st.sampled_from(["delete-char", "insert", "replace-char", "delete-line", "duplicate-line", "swap-lines", "swap-number"]),
    st.floats(0, 1, exclude_max=True),
    st.floats(0, 1, exclude_max=True),
    st.sampled_from(YAML_TOKENS + ODD_VALUES) | st.text(min_size=1, max_size=3),
)


@examples(35)
@given(st.lists(EDITS, min_size=1, max_size=4))
def test_random_edits_of_the_sample_report(edits: list[tuple[str, float, float, str]]) -> None:
    text = SAMPLE
    for edit in edits:
        text = _edit(text, *edit)
    check_files({SAMPLE_REPORT: text.encode("utf-8", "surrogatepass")})


FIGURES = st.one_of(
    st.sampled_from(EXTREME_FIGURES),
    st.integers(0, 10**16).map(str),
    st.decimals(-(10**16), 10**16, places=2, allow_nan=False, allow_infinity=False).map(str),
)


@examples(25)
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), FIGURES), min_size=1, max_size=6))
def test_random_figures_in_the_sample_report(swaps: list[tuple[float, str]]) -> None:
    """Well-formed numbers in the wrong places: the arithmetic checks run on them and must not fail."""
    text = SAMPLE
    for at, figure in swaps:
        numbers = list(NUMBER.finditer(text))
        found = numbers[int(at * len(numbers))]
        text = text[: found.start()] + figure + ("%" if found.group().endswith("%") else "") + text[found.end() :]
    check_files({SAMPLE_REPORT: text.encode("utf-8")})


def test_the_unedited_sample_passes_the_same_rules() -> None:
    report = check_files({SAMPLE_REPORT: SAMPLE.encode("utf-8")})
    assert report.ok
