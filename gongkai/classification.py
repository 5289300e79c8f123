"""The 政府收支分类科目 as data: code and name pairs per year, each row with the source it was read from.

The lists live in `gongkai/forms/classification/` (功能分类 in functional.csv, 经济分类 in economic.csv).
They are incomplete by design: every row was seen in a published source, none filled in from memory.
So a code the list has with another name is an error, and a code it lacks is a warning that says so.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).parent / "forms" / "classification"
FILES = {"功能分类": "functional.csv", "经济分类": "economic.csv"}


@dataclass(frozen=True)
class Subject:
    code: str
    name: str
    first: int  # the first year a source shows it
    last: int | None  # the last year a source shows it under this name; None while still in use
    source: str

    def in_use(self, year: int) -> bool:
        return self.first <= year and (self.last is None or year <= self.last)


@cache
def subjects(scheme: str) -> tuple[Subject, ...]:
    path = FOLDER / FILES[scheme]
    if not path.is_file():
        return ()
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(_subject(row) for row in csv.DictReader(handle) if (row.get("编码") or "").strip())


def _subject(row: dict[str, str]) -> Subject:
    last = (row.get("终止年度") or "").strip()
    first = (row.get("起始年度") or "").strip()
    return Subject(row["编码"].strip(), row["名称"].strip(), int(first or 0), int(last) if last else None, row.get("来源", ""))


@cache
def _by_code(scheme: str) -> dict[str, tuple[Subject, ...]]:
    found: dict[str, list[Subject]] = {}
    for subject in subjects(scheme):
        found.setdefault(subject.code, []).append(subject)
    return {code: tuple(rows) for code, rows in found.items()}


def names(scheme: str, code: str, year: int) -> list[str]:
    """The names a code has in `year` (or, when no source covers that year, in the nearest one)."""
    rows = _by_code(scheme).get(code, ())
    current = [s.name for s in rows if s.in_use(year)]
    if current or not rows:
        return current
    nearest = min(rows, key=lambda s: min(abs(year - s.first), abs(year - (s.last or s.first))))
    return [nearest.name]


def code_of(scheme: str, name: str, year: int) -> str | None:
    """The 类 code printed with this name (rows of a 总表 are often printed without codes)."""
    for subject in subjects(scheme):
        if subject.name == name and (subject.in_use(year) or subject.first == 0):
            return subject.code
    return next((s.code for s in subjects(scheme) if s.name == name), None)
