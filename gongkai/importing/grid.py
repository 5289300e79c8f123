"""What every reader hands the recogniser: sheets as grids of plain values, with where each came from.

A value is text, an exact Decimal, or None for a blank cell. Readers turn their library's cells into
these, so recognising tables knows nothing of spreadsheets, PDFs or Word files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from gongkai.xlsx import column_letter  # the letters our own workbooks name cells by

Value = str | Decimal | None
_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^[+-]?\d+(?:\.\d+)?$")


_PERCENT = re.compile(r"^[+\-−]?\d+(?:\.\d+)?\s*[%％]$")


def figure_like(value: Value) -> bool:
    """A number or a printed rate (“52.63%”): what the import report must account for."""
    return number(value) is not None or (isinstance(value, str) and bool(_PERCENT.match(value.strip())))


def number(value: Value) -> Decimal | None:
    """A figure, whether the file stored a number or printed text (“1,234.50”); None for anything else."""
    if value is None or isinstance(value, Decimal):
        return value
    text = value.strip().replace("，", ",")
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


@dataclass
class Extracted:
    """What a reader found in one file: tables as sheets, and for documents their text."""

    sheets: list[Sheet] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # 报告 (title), 发布日期, 金额单位, as printed
    sections: dict[str, str] = field(default_factory=dict)  # 情况说明: heading → text, in order
    stray: list[tuple[str, str]] = field(default_factory=list)  # (place, text) printed outside tables and sections


class ImportFileError(Exception):
    """A file that cannot be read at all (corrupt, password-protected, unsupported): one Chinese sentence."""


@dataclass
class Sheet:
    """One sheet (or page, or Word table): rows of values; `place` names a cell for the import report."""

    name: str
    rows: list[list[Value]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, first col, last row, last col
    row_places: list[str] | None = None  # for PDF and Word tables: where each row was printed (第4页表1第3行)

    def place(self, row: int, column: int) -> str:
        if self.row_places is None:
            return f"{self.name}!{column_letter(column + 1)}{row + 1}"
        return f"{self.row_places[row]}第{column + 1}列"

    def value(self, row: int, column: int) -> Value:
        cells = self.rows[row] if row < len(self.rows) else []
        return cells[column] if column < len(cells) else None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)




def fill_merged(sheet: Sheet) -> None:
    """Repeat a merged cell's text over the range, so each column of a multi-row header has its labels.

    Only text is repeated: a merged number is one figure, and copying it would count it twice.
    """
    for top, left, bottom, right in sheet.merged:
        text = sheet.value(top, left)
        if not isinstance(text, str):
            continue
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                if r < len(sheet.rows) and c < len(sheet.rows[r]) and sheet.rows[r][c] is None:
                    sheet.rows[r][c] = text
