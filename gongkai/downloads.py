"""Open data for every report: a CSV per table, one XLSX workbook and the validated data as JSON.

The only module that imports csv and openpyxl. Every figure is written exactly as the finance officer
typed it (never re-rounded), and every file is byte-reproducible: building twice gives identical
bytes, so a rebuilt site shows no spurious changes and anyone can verify a download.

Choices a reader of the files should know (the workbook's “说明” sheet says the same in Chinese):

* Header labels carry the unit: a column of amounts reads “金额（万元）”, scores “分值（分）”, counts the
  table's own unit (“人数（人）”). Rates carry their own “%” in every cell, so their label stays bare.
  A label that already names its unit (“批复规模（㎡）”) is left alone.
* A corrected figure is written with its corrected value. Tables that have corrections get one extra
  last column “更正说明” giving, per row, the value first published and the reason; tables without
  corrections don't, so the common case stays a clean rectangular table.
* “——” means the form rules the cell out; an empty cell means the source leaves it blank.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from pydantic import BaseModel

from gongkai.content import ReportEntry
from gongkai.models.base import ChangeRate, Figure, Rate
from gongkai.numbers import decimals
from gongkai.tables import Cell, Table

FOLDER = "downloads"
CORRECTION_COLUMN = "更正说明"
INFO_SHEET = "说明"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
_RESERVED_SHEETS = ("history",)  # Excel keeps this name for itself
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet run a cell as a formula
_UNIT_OF_KIND = {"score": "分", "area": "㎡"}
_MAX_WIDTH = 60
_WHOLE_REPORT_LABELS = {"XLSX": "全部表格（XLSX 工作簿）", "JSON": "经校验的数据（JSON）"}


@dataclass(frozen=True)
class Download:
    label: str  # Chinese, shown on the page, e.g. "收入预算（CSV）"
    format: str  # "CSV" | "XLSX" | "JSON"
    path: str  # POSIX path relative to the site root
    size: int  # bytes
    table_id: str | None  # the Table.id for per-table CSVs, else None


def write_downloads(entry: ReportEntry, tables: list[Table], site_dir: Path) -> list[Download]:
    """Write every table as CSV, one XLSX workbook (a sheet per table) and one JSON of the validated data
    under site_dir/<unit>/<year>/downloads/, and return what was written, in page order.

    Page order: the tables' CSVs in the order given, then the workbook, then the JSON.
    """
    folder = PurePosixPath(entry.unit.id, str(entry.year), FOLDER)
    grids = [_flatten(table, entry.model.money_unit) for table in tables]
    written = [_write(site_dir, folder / f"{entry.kind}-{g.table.id}.csv", _csv_bytes(g), g.table) for g in grids]
    written.append(_write(site_dir, folder / f"{entry.kind}.xlsx", _xlsx_bytes(entry, grids)))
    written.append(_write(site_dir, folder / f"{entry.kind}.json", _json_bytes(entry)))
    return written


def human_size(size: int) -> str:
    """A file size for link text: one decimal below 10 (“1.2 KB”), whole numbers above (“35 KB”)."""
    if size < 1024:
        return f"{size} B"
    value = Decimal(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        shown = value.quantize(Decimal("0.1"), ROUND_HALF_UP)
        if shown >= 10:
            shown = value.quantize(Decimal(1), ROUND_HALF_UP)
        if shown < 1024 or unit == "TB":
            return f"{shown} {unit}"
    raise AssertionError("unreachable")


def _write(site_dir: Path, path: PurePosixPath, data: bytes, table: Table | None = None) -> Download:
    """Write one file as bytes, so the platform never changes its line endings."""
    target = site_dir.joinpath(*path.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    kind = path.suffix[1:].upper()
    label = f"{table.caption}（CSV）" if table else _WHOLE_REPORT_LABELS[kind]
    return Download(label, kind, path.as_posix(), len(data), table.id if table else None)


# One flat grid per table, shared by the CSV and the workbook so both say the same thing.


@dataclass(frozen=True)
class _Grid:
    """A table as a download shows it: one header row, self-contained rows, and notes if corrected."""

    table: Table
    header: list[str]
    rows: list[list[Cell]]
    notes: list[str] | None  # the 更正说明 column, only for tables with corrections


def _flatten(table: Table, money_unit: str) -> _Grid:
    """Label every column with its unit; add the 更正说明 column only where something was corrected."""
    rows = table.records()
    labels = table.columns()
    width = max([len(labels), *(len(r) for r in rows)])
    labels += [""] * (width - len(labels))
    rows = [r + [Cell()] * (width - len(r)) for r in rows]
    header = [_with_unit(label, _column_unit(table, rows, c, money_unit)) for c, label in enumerate(labels)]
    notes = [_row_notes(row, labels) for row in rows]
    if not any(notes):
        return _Grid(table, header, rows, None)
    return _Grid(table, [*header, CORRECTION_COLUMN], rows, notes)


def _column_unit(table: Table, rows: list[list[Cell]], column: int, money_unit: str) -> str:
    """The unit of a column whose figures are all of one kind; none for rates (their cells say %)."""
    kinds = {row[column].kind for row in rows if row[column].numeric and not row[column].header}
    if len(kinds) != 1:
        return ""
    kind = kinds.pop()
    if kind == "money":
        return money_unit
    if kind == "count":
        return table.unit.removeprefix("单位：") if table.unit.startswith("单位：") else ""
    return _UNIT_OF_KIND.get(kind, "")


def _with_unit(label: str, unit: str) -> str:
    """“金额” becomes “金额（万元）”, unless the label already ends with its unit in brackets."""
    if not unit or label.endswith("）"):
        return label
    return f"{label}（{unit}）"


def _row_notes(row: list[Cell], labels: list[str]) -> str:
    """Each corrected cell of a row: which column, what was first published, and why it changed."""
    notes, seen = [], set()
    for cell, label in zip(row, labels, strict=True):
        if cell.correction is None or id(cell) in seen:
            continue
        seen.add(id(cell))
        c = cell.correction
        when = f"（{c.date.isoformat()} 更正）" if c.date else ""
        notes.append(f"{label}：原发布为“{c.published}”，更正为“{cell.exact}”。{c.reason}{when}")
    return "\n".join(notes)


# CSV: UTF-8 with a BOM so Excel reads the Chinese, CRLF line endings as RFC 4180 asks.


def _csv_bytes(grid: _Grid) -> bytes:
    """Built in memory and written as bytes, so the BOM and CRLF survive any platform."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(grid.header)
    for r, row in enumerate(grid.rows):
        values = [_csv_value(cell) for cell in row]
        writer.writerow(values + ([grid.notes[r]] if grid.notes is not None else []))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _csv_value(cell: Cell) -> str:
    """The exact source text; text that a spreadsheet would run as a formula gets a leading apostrophe."""
    value = cell.exact
    if not cell.numeric and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# XLSX: a “说明” sheet, then a sheet per table; numbers as numbers, formatted as the source wrote them.


def _xlsx_bytes(entry: ReportEntry, grids: list[_Grid]) -> bytes:
    """One workbook per report, so a journalist gets every table in one download."""
    workbook = Workbook()
    info = workbook.active
    info.title = INFO_SHEET
    names = _sheet_names([g.table.caption for g in grids])
    _fill_info(info, entry, grids, names)
    for grid, name in zip(grids, names, strict=True):
        _fill_sheet(workbook.create_sheet(name), grid)
    return _reproducible(workbook, entry)


def _sheet_names(captions: Iterable[str], taken: Iterable[str] = (INFO_SHEET,)) -> list[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, no quote at either end, unique ignoring case."""
    used = {name.casefold() for name in (*taken, *_RESERVED_SHEETS)}
    names = []
    for caption in captions:
        base = _SHEET_FORBIDDEN.sub("_", caption).strip().strip("'") or "表"
        name, n = base[:_SHEET_MAX], 1
        while name.casefold() in used:
            n += 1
            suffix = f"（{n}）"
            name = base[: _SHEET_MAX - len(suffix)] + suffix
        used.add(name.casefold())
        names.append(name)
    return names


def _fill_info(sheet: Worksheet, entry: ReportEntry, grids: list[_Grid], names: list[str]) -> None:
    """What a journalist needs before the figures: whose report, which unit of money, where from."""
    report = entry.model
    unit = entry.unit.model.name
    source = f"{entry.unit.id}/{entry.year}/{entry.source.name}"
    rows: list[list[Any]] = [
        ["报告", report.title],
        ["单位", unit],
        ["年度", entry.year],
        ["金额单位", report.money_unit],
        ["发布日期", report.published.isoformat()],
        ["数据来源", f"{unit}发布的《{report.title}》；数据文件 {source}"],
        ["数字", f"与原文一致，未重新四舍五入。金额以{report.money_unit}为单位，比率以百分数显示。"],
        ["符号", "“——”表示表格中该栏不适用；空白表示原文未填写。"],
        ["更正", f"发布后更正的数字，表中为更正后的数值；原发布值和更正理由见该表最后一列“{CORRECTION_COLUMN}”。"],
        [],
        ["工作表", "表格", "单位", "注"],
    ]
    rows += [[name, g.table.caption, g.table.unit, g.table.note] for g, name in zip(grids, names, strict=True)]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if isinstance(value, str):
                _text(sheet.cell(r, c), value)
            else:
                sheet.cell(r, c).value = value
    for cell in (*sheet["A"], *sheet[len(rows) - len(grids)]):
        cell.font = Font(bold=True)
    _fit_columns(sheet)


def _fill_sheet(sheet: Worksheet, grid: _Grid) -> None:
    """Header row in bold and frozen; each figure a number with the decimals the source used."""
    for c, label in enumerate(grid.header, start=1):
        _text(sheet.cell(1, c), label)
        sheet.cell(1, c).font = Font(bold=True)
    for r, row in enumerate(grid.rows, start=2):
        for c, source in enumerate(row, start=1):
            _put(sheet.cell(r, c), source)
        if grid.notes is not None:
            _put(sheet.cell(r, len(row) + 1), Cell(grid.notes[r - 2] or None))
    sheet.freeze_panes = "A2"
    _fit_columns(sheet)


def _put(target: Any, cell: Cell) -> None:
    """A figure as a number formatted like the source; anything else as text, never as a formula."""
    if cell.empty:
        return
    if not cell.numeric:
        _text(target, cell.exact)
        return
    value = Decimal(cell.value)  # type: ignore[arg-type]
    places = decimals(value)
    if cell.kind == "money":
        target.value, target.number_format = value, "0.00"
    elif cell.kind == "percent":
        target.value, target.number_format = value.scaleb(-2), _pattern(places) + "%"
    else:
        target.value, target.number_format = cell.value, _pattern(places)


def _text(target: Any, value: str) -> None:
    """Store a string as text: openpyxl would otherwise make “=…” a live formula."""
    target.value = value
    target.data_type = "s"


def _pattern(places: int) -> str:
    """A number format showing as many decimals as the source wrote (“0”, “0.00”)."""
    return "0." + "0" * places if places else "0"


def _fit_columns(sheet: Worksheet) -> None:
    """Columns wide enough for their longest line (CJK counts double); long text wraps."""
    for column in sheet.iter_cols():
        width = max((_display_width(str(c.value)) for c in column if c.value is not None), default=8)
        letter = get_column_letter(column[0].column)
        sheet.column_dimensions[letter].width = min(_MAX_WIDTH, max(8, width + 2))
        for cell in column:
            if isinstance(cell.value, str) and ("\n" in cell.value or _display_width(cell.value) > _MAX_WIDTH):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _display_width(text: str) -> int:
    """Chinese characters take two columns in a spreadsheet, Latin ones one."""
    longest = max(text.split("\n"), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def _reproducible(workbook: Workbook, entry: ReportEntry) -> bytes:
    """Stamp the workbook and every zip entry with the report's 发布日期 instead of “now”."""
    published = dt.datetime.combine(entry.model.published, dt.time())
    props = workbook.properties
    props.title, props.creator, props.language = entry.model.title, entry.unit.model.name, "zh-CN"
    props.created = props.modified = published
    props.lastModifiedBy = None
    raw = io.BytesIO()
    # ExcelWriter, unlike Workbook.save, leaves `modified` alone.
    # Stored, not deflated: _restamp compresses each entry once, as it rewrites the zip.
    ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED)).save()
    return _restamp(raw.getvalue(), published.timetuple()[:6])


def _restamp(data: bytes, stamp: tuple[int, ...]) -> bytes:
    """Rewrite a zip with a fixed date and permissions on every entry, keeping their order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)  # type: ignore[arg-type]
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info))
    return out.getvalue()


# JSON: the validated data with the YAML's Chinese keys; every figure as the text of the source.


def _json_bytes(entry: ReportEntry) -> bytes:
    """The whole validated report with who, when and in which unit, so the file stands on its own."""
    document = {
        "单位": entry.unit.model.name,
        "年度": entry.year,
        "报告": entry.kind,
        "金额单位": entry.model.money_unit,
        "数据": _data(entry.model),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _data(value: Any) -> Any:
    """Like model_dump(mode="json", by_alias=True), but a plain figure is its text, as in the YAML.

    Decimals become strings as written (“55.20”, not 55.2), rates keep their “%”, and a corrected
    figure keeps the YAML's {"值": …, "更正": {…}} form, so nothing of the source is lost.
    """
    if isinstance(value, Figure):
        text = _data(value.value)  # type: ignore[attr-defined]
        if isinstance(value, (Rate, ChangeRate)):
            text = f"{text}%"
        return text if value.correction is None else {"值": text, "更正": _data(value.correction)}
    if isinstance(value, BaseModel):
        return {info.alias or name: _data(getattr(value, name)) for name, info in type(value).model_fields.items()}
    if isinstance(value, list):
        return [_data(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
