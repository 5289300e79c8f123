"""Open data for every report: a CSV per table, one XLSX workbook and the validated data as JSON.

The only module that imports csv; workbooks are written by gongkai.xlsx. Every figure is written exactly as the finance officer
typed it (never re-rounded), and every file is byte-reproducible: building twice gives identical
bytes, so a rebuilt site shows no spurious changes and anyone can verify a download.

Choices a reader of the files should know (the workbook's “说明” sheet says the same in Chinese):

* Header labels carry the unit: a column of amounts reads “金额（万元）”, scores “分值（分）”, counts the
  table's own unit (“人数（人）”), a column of rates “执行率（%）” with bare numbers (“99.96”). A rate in a
  column of other figures (the 增减率 row of a table of amounts) keeps its own “%”.
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
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel

from gongkai import site, xlsx
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
    written = [_write(site_dir, folder / table_file(entry, g.table.id), _csv_bytes(g), g.table) for g in grids]
    written.append(_write(site_dir, folder / f"{file_stem(entry)}.xlsx", _xlsx_bytes(entry, grids)))
    written.append(_write(site_dir, folder / json_file(entry), _json_bytes(entry)))
    _write_long(site_dir, PurePosixPath(long_path(entry)), long_rows(entry, grids))
    return written


# File names carry unit, year and kind (and the table), so files downloaded from several reports never
# share a name: huaihua-bjlxc-2023-budget-income.csv. Reports of a frozen year are never rendered again:
# their pages and files are published from the archive bag as they were sealed, with the names they had then.


def file_stem(entry: ReportEntry) -> str:
    """“huaihua-bjlxc-2023-budget”: what every download of the report is named after."""
    return f"{entry.unit.id}-{entry.year}-{entry.kind}"


def table_file(entry: ReportEntry, table_id: str) -> str:
    """The name of one table's CSV, e.g. “huaihua-bjlxc-2023-budget-income.csv”."""
    return f"{file_stem(entry)}-{table_id}.csv"


def json_file(entry: ReportEntry) -> str:
    """The name of the report's validated-data JSON (also attached to its PDF)."""
    return f"{file_stem(entry)}.json"


# Long format: one row per figure, what the site-wide dataset (opendata.py) is made of. Each report
# keeps its own rows in its folder (and so in its archive bag), so a rebuild makes the dataset without
# reading the reports it did not render again. Not offered on the page: its CSVs say the same, table by table.

LONG_FIELDS = ("单位", "年度", "报告", "表格", "行号", "行", "栏目", "数值", "数字", "计量单位", "更正前", "来源文件")


def long_path(entry: ReportEntry) -> str:
    """In the report's folder, not among its downloads: that folder holds exactly what its page offers."""
    return f"{entry.unit.id}/{entry.year}/{entry.kind}-long.csv"


def table_rows(entry: ReportEntry, tables: list[Table]) -> list[list[str]]:
    """The long rows of a report's tables (for a report whose long file an older build did not write)."""
    return long_rows(entry, [_flatten(table, entry.model.money_unit) for table in tables])


def long_rows(entry: ReportEntry, grids: list[_Grid]) -> list[list[str]]:
    """Every cell of every table's CSV that is not a row's label: where it stands, and its value as there."""
    rows = []
    for grid in grids:
        source = f"{site.downloads_dir(entry)}/{table_file(entry, grid.table.id)}"
        labels = grid.table.columns() + [""] * len(grid.header)
        for number, row in enumerate(grid.rows, 1):
            for column, cell in enumerate(row):
                if cell.header:
                    continue
                label = _row_label(row, column)
                published = str(cell.correction.published) if cell.correction is not None else ""
                rows.append([
                    entry.unit.name, str(entry.year), site.KIND_NAMES[entry.kind], grid.table.caption, str(number),
                    label, labels[column], _csv_value(cell, column in grid.percent), str(cell.value) if cell.numeric else "",
                    _cell_unit(grid.table, cell, entry.model.money_unit), published, source,
                ])
    return rows


def _row_label(row: list[Cell], column: int) -> str:
    """The headings left of a figure, back to the figure before it (a two-sided table has two sets)."""
    start = column
    while start > 0 and row[start - 1].header:
        start -= 1
    if start == column and start > 0:  # figures side by side share the headings of the first
        return _row_label(row, start - 1)
    return "·".join(dict.fromkeys(c.exact for c in row[start:column] if not c.empty))


def _cell_unit(table: Table, cell: Cell, money_unit: str) -> str:
    """The unit of one figure; none for text."""
    if not cell.numeric:
        return ""
    if cell.kind == "money":
        return money_unit
    if cell.kind == "percent":
        return "%"
    if cell.kind == "count":
        return table.unit.removeprefix("单位：") if table.unit.startswith("单位：") else ""
    return _UNIT_OF_KIND.get(cell.kind, "")


def long_csv_bytes(rows: Iterable[list[str]]) -> bytes:
    """Like every CSV of the site: UTF-8 with a BOM, CRLF line endings, the field names first."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LONG_FIELDS)
    writer.writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def read_long_csv(data: bytes) -> list[list[str]] | None:
    """The rows of a long file; None when it is not one (written by another version)."""
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return rows if tuple(header) == LONG_FIELDS else None


def _write_long(site_dir: Path, path: PurePosixPath, rows: list[list[str]]) -> None:
    """The report's figures in long format, as CSV and as JSON (the site-wide dataset is their concatenation)."""
    target = site_dir.joinpath(*path.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(long_csv_bytes(rows))
    target.with_suffix(".json").write_bytes(long_json_bytes(rows))


def long_json_path(entry: ReportEntry) -> str:
    return long_path(entry).removesuffix(".csv") + ".json"


def long_json_bytes(rows: list[list[str]]) -> bytes:
    """One object per figure, as json.dumps(records, indent=1); 年度 and 行号 as integers, 数字 as the text
    of the number (a JSON number would pass through a binary float), null when there is none."""
    if not rows:
        return b"[]\n"
    body = ",\n ".join(json.dumps(_long_record(row), ensure_ascii=False, indent=1).replace("\n", "\n ") for row in rows)
    return f"[\n {body}\n]\n".encode()


def _long_record(row: list[str]) -> dict[str, object]:
    record: dict[str, object] = dict(zip(LONG_FIELDS, row, strict=True))
    record["年度"], record["行号"] = int(row[LONG_FIELDS.index("年度")]), int(row[LONG_FIELDS.index("行号")])
    record["数字"] = record["数字"] or None
    return record


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
    percent: frozenset[int] = frozenset()  # columns of rates only: “（%）” in the label, bare numbers in the cells


def _flatten(table: Table, money_unit: str) -> _Grid:
    """Label every column with its unit; add the 更正说明 column only where something was corrected."""
    rows = table.records()
    labels = table.columns()
    width = max([len(labels), *(len(r) for r in rows)])
    labels += [""] * (width - len(labels))
    rows = [r + [Cell()] * (width - len(r)) for r in rows]
    units = [_column_unit(table, rows, c, money_unit) for c in range(width)]
    header = [_with_unit(label, unit) for label, unit in zip(labels, units, strict=True)]
    percent = frozenset(c for c, unit in enumerate(units) if unit == "%")
    notes = [_row_notes(row, labels) for row in rows]
    if not any(notes):
        return _Grid(table, header, rows, None, percent)
    return _Grid(table, [*header, CORRECTION_COLUMN], rows, notes, percent)


def _column_unit(table: Table, rows: list[list[Cell]], column: int, money_unit: str) -> str:
    """The unit of a column whose figures are all of one kind."""
    kinds = {row[column].kind for row in rows if row[column].numeric and not row[column].header}
    if len(kinds) != 1:
        return ""
    kind = kinds.pop()
    if kind == "money":
        return money_unit
    if kind == "percent":
        return "%"
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
        values = [_csv_value(cell, c in grid.percent) for c, cell in enumerate(row)]
        writer.writerow(values + ([grid.notes[r]] if grid.notes is not None else []))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _csv_value(cell: Cell, bare_percent: bool = False) -> str:
    """The exact source text (a rate in a column of rates without its “%”, which the label carries);
    text that a spreadsheet would run as a formula gets a leading apostrophe."""
    value = cell.exact
    if bare_percent and cell.numeric and cell.kind == "percent":
        return value.removesuffix("%")
    if not cell.numeric and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# XLSX: a “说明” sheet, then a sheet per table; numbers as numbers, formatted as the source wrote them.


def _xlsx_bytes(entry: ReportEntry, grids: list[_Grid]) -> bytes:
    """One workbook per report, so a journalist gets every table in one download.

    Stamped with the report's 发布日期 instead of “now”, so building twice gives the same bytes.
    """
    names = _sheet_names([g.table.caption for g in grids])
    published = dt.datetime.combine(entry.model.published, dt.time())
    workbook = xlsx.Workbook(entry.model.title, entry.unit.model.name, "zh-CN", published)
    workbook.sheets.append(_sheet(INFO_SHEET, _info_rows(entry, grids, names)))
    workbook.sheets += [_sheet(name, _table_rows(grid), freeze_header=True) for grid, name in zip(grids, names, strict=True)]
    return workbook.to_bytes()


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


_BOLD = xlsx.Style(bold=True)
Row = list[xlsx.Cell | None]


def _info_rows(entry: ReportEntry, grids: list[_Grid], names: list[str]) -> list[Row]:
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
        ["数字", f"与原文一致，未重新四舍五入。金额以{report.money_unit}为单位，比率栏的标题注明“（%）”，栏中为百分数的数字；与金额同栏的比率带“%”。"],
        ["符号", "“——”表示表格中该栏不适用；空白表示原文未填写。"],
        ["更正", f"发布后更正的数字，表中为更正后的数值；原发布值和更正理由见该表最后一列“{CORRECTION_COLUMN}”。"],
        [],
        ["工作表", "表格", "单位", "注"],
    ]
    heading = len(rows) - 1
    rows += [[name, g.table.caption, g.table.unit, g.table.note] for g, name in zip(grids, names, strict=True)]
    return [
        [xlsx.Cell(value, _BOLD if c == 0 or r == heading else xlsx.Style()) if value not in (None, "") else None
         for c, value in enumerate(values)]
        for r, values in enumerate(rows)
    ]


def _table_rows(grid: _Grid) -> list[Row]:
    """Header row in bold; each figure a number with the decimals the source used."""
    rows: list[Row] = [[xlsx.Cell(label, _BOLD) for label in grid.header]]
    for r, row in enumerate(grid.rows):
        cells = [_cell(source, c in grid.percent) for c, source in enumerate(row)]
        if grid.notes is not None:
            cells.append(xlsx.Cell(grid.notes[r]) if grid.notes[r] else None)
        rows.append(cells)
    return rows


def _cell(cell: Cell, bare_percent: bool = False) -> xlsx.Cell | None:
    """A figure as a number formatted like the source; anything else as text, never as a formula."""
    if cell.empty:
        return None
    if not cell.numeric:
        return xlsx.Cell(cell.exact)
    value = Decimal(cell.value)  # type: ignore[arg-type]
    if cell.kind == "money":
        return xlsx.Cell(value, _number_style("0.00"))
    places = decimals(value)
    if cell.kind == "percent" and not bare_percent:  # in a column of rates the label says “（%）”
        return xlsx.Cell(value.scaleb(-2), _number_style(_pattern(places) + "%"))
    return xlsx.Cell(value, _number_style(_pattern(places)))


@lru_cache(maxsize=64)
def _number_style(number_format: str) -> xlsx.Style:
    return xlsx.Style(number_format=number_format)


def _pattern(places: int) -> str:
    """A number format showing as many decimals as the source wrote (“0”, “0.00”)."""
    return "0." + "0" * places if places else "0"


def _sheet(name: str, rows: list[Row], freeze_header: bool = False) -> xlsx.Sheet:
    """Columns wide enough for their longest line (CJK counts double); long text wraps."""
    widths: list[int] = []
    for row in rows:
        for c, cell in enumerate(row):
            if c == len(widths):
                widths.append(0)
            if cell is not None:
                widths[c] = max(widths[c], _width(cell.value))
    wrapped = [[_wrapped(cell) for cell in row] for row in rows]
    return xlsx.Sheet(name, wrapped, [min(_MAX_WIDTH, max(8, w + 2)) if w else 8 for w in widths], freeze_header)


def _width(value: str | Decimal | int) -> int:
    return _display_width(value) if isinstance(value, str) else len(str(value))


def _wrapped(cell: xlsx.Cell | None) -> xlsx.Cell | None:
    if cell is None or not isinstance(cell.value, str):
        return cell
    if "\n" in cell.value or _display_width(cell.value) > _MAX_WIDTH:
        return xlsx.Cell(cell.value, replace(cell.style, wrap=True))
    return cell


@lru_cache(maxsize=4096)  # labels and captions repeat across every report of a site
def _display_width(text: str) -> int:
    """Chinese characters take two columns in a spreadsheet, Latin ones one."""
    longest = max(text.split("\n"), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


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
    try:
        text = _json_text(document)
    except _Unusual:
        text = json.dumps(document, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


_quote = json.encoder.encode_basestring  # text as json.dumps(ensure_ascii=False) writes it


class _Unusual(Exception):
    """A value _json_text does not write; json.dumps writes the document instead."""


def _json_text(document: Any) -> str:
    """Exactly json.dumps(document, ensure_ascii=False, indent=2) for dicts with text keys, lists, text,
    whole numbers, booleans and null: what _data makes. json.dumps with an indent runs the standard
    library's pure-Python encoder, a generator per level, which took a tenth of a cold build."""
    out: list[str] = []
    _json_value(document, out, "\n")
    return "".join(out)


def _json_value(value: Any, out: list[str], newline: str) -> None:
    if isinstance(value, str):
        out.append(_quote(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual(key)
            out.append(separator)
            out.append(_quote(key))
            out.append(": ")
            _json_value(item, out, inner)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _json_value(item, out, inner)
            separator = "," + inner
        out.append(newline + "]")
    else:
        raise _Unusual(value)


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
