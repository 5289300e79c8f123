"""One cause, one error: errors that one mistyped figure explains are folded under it.

A figure typed wrong where it is used in several places (194.30 → 194.31) breaks every sum, balance and
cross-reference it takes part in. Each of those errors names the value it found; the value that several
errors of one file share, written in exactly one place of that file, is most likely the culprit. Its error
leads, with "这会导致以下 N 处不一致" and the others folded under it, so the finance officer fixes one number.

That guess is all `check` has. The preview knows more: what the content was when it last had no error.
When one value was edited since then, that edit is the cause of every error now (`Edit`, `edits_since`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from gongkai.problems import Problem, Severity, display_file, format_path
from gongkai.reader import Document, read_document

# Numbers in a message, but not line numbers (第 152 行, file.yaml:51), years (2023年) or form names (附件1-2).
_NUMBER = re.compile(r"(?<![0-9A-Za-z_.:/\-])(?<!第 )(?<!附件)\d+(?:\.\d+)?(?![0-9A-Za-z_年\-]|\s*行)")


@dataclass(frozen=True)
class Edit:
    """The one value changed in the content since it last had no error, where it stands now."""

    file: str
    line: int
    column: int
    path: str
    before: str
    after: str


Values = dict[tuple[Any, ...], str]  # field path -> the text of a scalar value


def values_of(document: Document) -> Values:
    """Every scalar of a file by its field path: what an edit is looked for in. A long text is kept as its
    digest: an edit in it is still seen, and a remembered file stays small."""
    return {path: value if len(value) <= _SHORT else _digest(value) for path, value in _scalars(document.data, ())}


_SHORT = 64


def _digest(text: str) -> str:
    return "\0" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def edits_since(clean: Mapping[Path, Values], changed: Mapping[Path, Document]) -> Edit | None:
    """The edit that explains every error now: exactly one value changed, in all the files changed since the
    content was clean (`clean` holds their values then). Two values changed: it is not known which caused what."""
    found: list[tuple[Path, tuple[Any, ...], str | None, str | None]] = []
    for path, document in changed.items():
        before, after = clean[path], values_of(document)
        found += [(path, key, before.get(key), after.get(key)) for key in before.keys() | after.keys()
                  if before.get(key) != after.get(key)]
        if len(found) > 1:
            return None
    if len(found) != 1 or found[0][2] is None or found[0][3] is None or "\0" in found[0][2] + found[0][3]:
        return None  # two edits, a value added or removed, or a text edited: a text check says where
    path, key, was, value = found[0]
    mark = changed[path].marks.get(key)
    if mark is None:
        return None
    return Edit(display_file(path), mark.value_line, mark.value_column, format_path(key), was or "", value or "")


def fold_causes(problems: list[Problem], edit: Edit | None = None) -> list[Problem]:
    """The same problems, each group of errors that one figure explains as one error leading the rest.

    With `edit`, the one change since the content was clean, every error is its consequence.
    """
    if edit is not None and any(p.severity is Severity.ERROR for p in problems):
        return _fold_under_edit(problems, edit)
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    folded: list[Problem] = []
    for file, mine in by_file.items():
        errors = [p for p in mine if p.severity is Severity.ERROR]
        folded += [p for p in mine if p.severity is not Severity.ERROR]
        folded += _fold_file(file, errors) if len(errors) > 1 else errors
    return folded


Places = dict[Decimal, list[tuple[Any, int]]]


def _fold_under_edit(problems: list[Problem], edit: Edit) -> list[Problem]:
    errors = [p for p in problems if p.severity is Severity.ERROR]
    here = [p for p in errors if p.file == edit.file and p.line == edit.line]
    lead = min(here, key=lambda p: p.column) if here else Problem(
        "likely-cause", Severity.ERROR, edit.file, edit.line, edit.column, edit.path,
        f"这里的 {edit.after} 是上次没有错误之后改动的（原为 {edit.before}）：下面各处的不一致都由这一处改动引起，"
        "请先核对这个数字",
    )
    rest = sorted((p for p in errors if p is not lead), key=lambda p: (p.file != edit.file, p.file, p.line, p.column))
    folded = replace(lead, consequences=tuple(rest)) if rest else lead
    return [folded, *(p for p in problems if p.severity is not Severity.ERROR)]


def _fold_file(file: str, errors: list[Problem]) -> list[Problem]:
    places = _figure_lines(Path(file))
    left, result, tried = list(errors), [], set()
    while len(left) > 1:
        cause = _likely_cause(left, places, tried)
        if cause is None:
            break
        value, line = cause
        tried.add(value)
        here = [p for p in left if p.line == line and value in _numbers(p.message)]
        lead = min(here, key=lambda p: p.column) if here else _suspect(file, value, line, places, left)
        rest = _consequences(value, lead, left, places)
        if rest:
            left = [p for p in left if p is not lead and p not in rest]
            result.append(replace(lead, consequences=tuple(sorted(rest, key=lambda p: (p.line, p.column)))))
    return result + left


def _suspect(file: str, value: Decimal, line: int, places: Places, errors: list[Problem]) -> Problem:
    """An error of its own for a figure that only the errors elsewhere point at (no rule stands at its line)."""
    column = next(c for found_line, c in places[value] if found_line == line)
    others = [n for p in errors if value in _numbers(p.message) for n in _numbers(p.message) if n != value]
    right = Counter(others).most_common(1)[0][0] if others else None
    should = f"，其他各处都是 {right}" if right is not None else ""
    message = f"这里的 {value} 很可能写错了{should}：下面各处的不一致都与它有关，请先核对这个数字"
    return Problem("likely-cause", Severity.ERROR, file, line, column, "", message)


def _consequences(value: Decimal, lead: Problem, errors: list[Problem], places: Places) -> list[Problem]:
    """The errors that `value` explains: those naming it that its correction would mend (or that cannot be
    worked out), and those naming a figure computed from it there (a figure written nowhere in the file)."""
    right = _implied(lead.message, value)
    others = [p for p in errors if p is not lead]
    group = [p for p in others if value in _numbers(p.message) and _mended(p.message, value, right) is not False]
    derived = {n for p in group for n in _numbers(p.message) if n not in places} - {right}
    while True:
        more = [p for p in others if p not in group and derived & set(_numbers(p.message))]
        if not more:
            return group
        group += more
        derived |= {n for p in more for n in _numbers(p.message) if n not in places}


def _implied(message: str, value: Decimal) -> Decimal | None:
    """What the lead says `value` should be: the other of two figures that disagree, or the sum it should equal."""
    if "其他各处都是 " in message:  # a suspect of our own making
        return Decimal(message.split("其他各处都是 ", 1)[1].split("：", 1)[0])
    if "≠" in message:
        stated, _, computed = message.partition("≠")
        said, result = _numbers(stated), _numbers(computed)
        return result[-1] if said and said[-1] == value and result else None
    numbers = _numbers(message)
    if len(numbers) == 2 and value in numbers:
        return numbers[1] if numbers[0] == value else numbers[0]
    return None


def _mended(message: str, value: Decimal, right: Decimal | None) -> bool | None:
    """Would the error go away with `value` corrected to `right`? None when it cannot be worked out here."""
    if right is None:
        return None
    if "≠" in message:
        stated, _, computed = message.partition("≠")
        expression = computed.rpartition("=")[0]
        said = _numbers(stated)
        if not said or not expression or re.search(r"[÷×%（]", expression):
            return None
        terms = _signed(expression)
        fixed = [(right if n > 0 else -right) if abs(n) == value else n for n in terms]
        return (right if said[-1] == value else said[-1]) == sum(fixed)
    numbers = _numbers(message)
    if len(numbers) == 2:
        a, b = (right if n == value else n for n in numbers)
        return a == b
    return None


def _signed(expression: str) -> list[Decimal]:
    """The terms of “基本支出 194.30 + 项目支出 106.06 − 结余 0.12”, each with its sign."""
    terms, sign, at = [], 1, 0
    for found in _NUMBER.finditer(expression):
        between = expression[at:found.start()]
        if "−" in between or " - " in between:
            sign = -1
        elif "+" in between or "＋" in between:
            sign = 1
        terms.append(sign * Decimal(found.group()))
        at = found.end()
    return terms


def _likely_cause(errors: list[Problem], places: Places, tried: set[Decimal]) -> tuple[Decimal, int] | None:
    """The value most errors name that is written at exactly one place of the file (two errors at least)."""
    counts = Counter(value for p in errors for value in set(_numbers(p.message)))
    # Of two values named as often, the one the texts also state is the published one: the other is suspect.
    stated = places.get(_IN_TEXT, [])
    # Then the one another file disagrees with: that file is a third witness for the other value.
    elsewhere = Counter(value for p in errors if _OTHER_FILE.search(p.message) for value in set(_numbers(p.message)[:1]))
    ranked = sorted(counts, key=lambda value: (-counts[value], -elsewhere[value]))
    in_text = {n for n, _ in stated}  # a value the texts state too is the published one: not the suspect
    shared = [value for value in ranked if counts[value] >= 2 and value not in tried and value not in in_text]
    for value in shared:  # first a value written once: of two places that disagree, the one that stands alone
        if len(places.get(value, [])) == 1:
            return value, places[value][0][0]
    for value in shared:  # then a value written in several places, at the one place where an error naming it stands
        lines = {p.line for p in errors if value in _numbers(p.message)}
        written = [place for place in places.get(value, []) if place[0] in lines]
        if len(written) == 1:
            return value, written[0][0]
    return None


def _numbers(message: str) -> list[Decimal]:
    return [Decimal(m.group()) for m in _NUMBER.finditer(message)]


_OTHER_FILE = re.compile(r"另见 \S+\.yaml:\d+")
_IN_TEXT = Decimal("-Infinity")  # the key under which numbers stated inside texts are kept, as (number, 0)


def _figure_lines(path: Path) -> dict[Decimal, list[tuple[Any, int]]]:
    """Where each number is written as a whole value in the file: value → (line, column)s; and in texts."""
    document = read_document(path)
    places: dict[Decimal, list[tuple[Any, int]]] = {}
    for field_path, value in _scalars(document.data, ()):
        if not re.fullmatch(r"-?\d+(\.\d+)?%?", value.strip()):
            places.setdefault(_IN_TEXT, []).extend((n, 0) for n in _numbers(value))
            continue
        mark = document.marks.get(field_path)
        if mark is not None:
            places.setdefault(Decimal(value.strip().rstrip("%")), []).append((mark.value_line, mark.value_column))
    return places


def _scalars(data: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        if isinstance(data, str):
            yield path, data
        return
    for key, value in items:
        yield from _scalars(value, (*path, key))
