"""Problems found in the content: one stable code, one place, one Chinese message each."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path

# A place inside a YAML document: mapping keys and list indexes from the root.
FieldPath = tuple[str | int, ...]


class Severity(str, Enum):
    """An error blocks publishing; a warning is shown but does not."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "错误" if self is Severity.ERROR else "警告"


@dataclass(frozen=True)
class Finding:
    """What a check yields: a problem at a field path, before it is tied to a file and line."""

    code: str
    path: FieldPath
    message: str
    severity: Severity = Severity.ERROR
    # Other places that hold a figure this one disagrees with; named in the printed message.
    see: tuple[FieldPath, ...] = ()
    # For a finding inside a text (a figure in a paragraph): the character where it starts.
    offset: int | None = None


@dataclass(frozen=True)
class Problem:
    """A finding located in a file: what `check` prints, one per line."""

    code: str
    severity: Severity
    file: str
    line: int
    column: int
    path: str
    message: str
    # Errors this one explains (one mistyped figure breaks every sum it is in): printed folded under it.
    consequences: tuple[Problem, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return self.render()

    def render(self, colour: bool = False) -> str:
        """The sentence first; the field as the form names it after it; the code, for searching, at the end.

        file:line:column stays in front, where editors and terminals look for it to jump there.
        """
        paint = _paint if colour else _plain
        where = paint(f"{self.file}:{self.line}:{self.column}:", _BOLD)
        label = paint(f"{self.severity.label}：", _ERROR if self.severity is Severity.ERROR else _WARNING)
        field_part = f"【{readable_path(self.path)}】" if self.path else ""
        text = f"{where} {label}{self.message}{paint(field_part, _DIM)}{paint(f'（{self.code}）', _DIM)}"
        if self.consequences:
            text += f"\n  这会导致以下 {len(self.consequences)} 处不一致，改正这一处后应一并消失："
            text += "".join(
                f"\n    {p.where_from(self.file)}：{p.message}{paint(f'（{p.code}）', _DIM)}" for p in self.consequences
            )
        return text

    def where_from(self, file: str) -> str:
        """“第 N 行”, or “file 第 N 行” for a consequence in another file than the error it is folded under."""
        return f"第 {self.line} 行" if self.file == file else f"{self.file} 第 {self.line} 行"

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code, "severity": self.severity.value, "file": self.file, "line": self.line,
            "column": self.column, "path": self.path, "message": self.message,
            # The errors this one explains, nested, so that a program reading the JSON loses none of them.
            **({"consequences": [p.as_dict() for p in self.consequences]} if self.consequences else {}),
        }


def format_path(path: FieldPath) -> str:
    """附件1-2.绩效指标[0].得分 — how a finance officer reads a field's place."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text


def readable_path(path: str) -> str:
    """附件1-2.绩效指标[0].得分 → 附件1-2 → 绩效指标第1项 → 得分: the field as one reads the form."""
    text = re.sub(r"\[(\d+)\]", lambda m: f"第{int(m.group(1)) + 1}项", path)
    return " → ".join(part for part in text.split(".") if part)


# Colour for a terminal (the caller decides: not when piped, not with NO_COLOR).
_BOLD, _ERROR, _WARNING, _DIM = "1", "1;31", "1;33", "2"


def _paint(text: str, style: str) -> str:
    return f"\033[{style}m{text}\033[0m" if text else ""


def _plain(text: str, style: str) -> str:
    return text


def display_file(path: Path) -> str:
    """Paths relative to the working folder when possible, so editors can jump to them."""
    return _display(str(path), os.getcwd())


@lru_cache(maxsize=4096)  # every problem of a file asks again
def _display(path: str, here: str) -> str:
    absolute = Path(os.path.abspath(path))
    folder = Path(here)
    return str(absolute.relative_to(folder)) if folder in absolute.parents else str(absolute)


@dataclass
class Report:
    """Every problem of one run, in file and line order."""

    problems: list[Problem] = field(default_factory=list)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Problem]:
        return sorted(set(self.problems), key=lambda p: (p.file, p.line, p.column, p.code, p.message))

    def codes(self) -> set[str]:
        return {p.code for p in self.problems}

    def flatten(self) -> list[tuple[str, int, str]]:
        """(file name, line, code) triples: what tests compare."""
        return [(Path(p.file).name, p.line, p.code) for p in self.sorted()]

    def lines(self, limit: int, colour: bool = False) -> Iterator[str]:
        shown = group_blanks(self.sorted())
        for problem in shown[:limit]:
            yield problem.render(colour)
        if len(shown) > limit:
            yield f"……另有 {len(shown) - limit} 个问题未显示。请先修改以上问题后再运行检查。"
        yield self.summary()

    def summary(self) -> str:
        if not self.problems:
            return "检查通过：没有发现问题。"
        blanks = sum(p.code == "missing-value" for p in self.problems)
        of_which = f"（其中 {blanks} 项是未填写的必填项）" if blanks > BLANKS_LISTED else ""
        return f"共发现 {len(self.errors)} 个错误{of_which}、{len(self.warnings)} 个警告。"

    def to_json(self) -> str:
        return json.dumps([p.as_dict() for p in self.sorted()], ensure_ascii=False, indent=2)


# More empty required fields than this in one file (a report just started with `new`) are printed as one
# to-do list: a hundred “此项不能为空” errors would bury the few that are real mistakes.
BLANKS_LISTED = 5


def group_blanks(problems: list[Problem]) -> list[Problem]:
    """Each file's empty required fields as one problem listing them, where the first of them stood."""
    blanks: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.code == "missing-value":
            blanks.setdefault(problem.file, []).append(problem)
    grouped = []
    for problem in problems:
        group = blanks.get(problem.file, [])
        if problem.code != "missing-value" or len(group) <= BLANKS_LISTED:
            grouped.append(problem)
        elif problem is group[0]:
            grouped.append(_to_do(group))
    return grouped


def _to_do(blanks: list[Problem]) -> Problem:
    items = "".join(f"\n    第 {p.line} 行  {p.path}" for p in blanks)
    message = f"还有 {len(blanks)} 项必填内容没有填写（用 new 生成的文件中标有“必填”），请逐项填写：{items}"
    first = blanks[0]
    return Problem(first.code, first.severity, first.file, first.line, first.column, "", message)
