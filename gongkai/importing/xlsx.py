"""The only module that imports python_calamine: .xlsx, .xls and .ods workbooks as grids of exact values.

Why calamine: one well-kept reader (Rust) for all three formats, several times faster than openpyxl
and able to read the old binary .xls that 预算管理一体化系统 exports still produce.

Numbers: calamine gives a numeric cell as a float. A spreadsheet keeps a double and shows at most 15
significant digits, so the figure a finance officer typed is the float's 15-significant-digit text
(305.6 stays “305.6”, 0.1+0.2 computed by a formula becomes “0.3”). No digit is added: the number
format’s padding (“0.00”) is not read, so 305.60 imports as 305.6, the same amount.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import python_calamine as calamine

from gongkai.importing.grid import ImportFileError, Sheet, Value

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def read_workbook(path: Path) -> list[Sheet]:
    """Every sheet of the workbook, in order; ImportFileError if it cannot be opened."""
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
        sheets = [_sheet(workbook.get_sheet_by_name(name)) for name in workbook.sheet_names]
        if path.suffix.lower() == ".ods":
            _ods_merges(path, sheets)
    except calamine.PasswordError as error:
        raise ImportFileError(_PROTECTED.format(name=path.name)) from error
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, OSError, ValueError, KeyError,
            zipfile.BadZipFile, ElementTree.ParseError) as error:
        if _encrypted(path):
            raise ImportFileError(_PROTECTED.format(name=path.name)) from error
        raise ImportFileError(f"{path.name} 无法作为表格读取（文件损坏，或不是 Excel/WPS 表格）：{error}") from error
    return sheets


_PROTECTED = "{name} 设有密码保护，无法读取。请在表格软件中取消密码后另存，再导入"
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def _encrypted(path: Path) -> bool:
    """A password-protected .xlsx is an OLE compound file holding an EncryptionInfo stream (MS-OFFCRYPTO),
    which calamine reports only as a file it cannot read."""
    try:
        head = path.read_bytes()[: 1 << 20]
    except OSError:
        return False
    return head.startswith(_COMPOUND_FILE) and _ENCRYPTION_INFO in head


def _sheet(sheet: calamine.CalamineSheet) -> Sheet:
    rows = [[_value(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
    merged = [(top, left, bottom, right) for (top, left), (bottom, right) in sheet.merged_cell_ranges or ()]
    return Sheet(sheet.name, rows, merged)


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merges(path: Path, sheets: list[Sheet]) -> None:
    """calamine does not report an .ods file's merged cells: read their spans from content.xml."""
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        tree = ElementTree.parse(content)
    by_name = {sheet.name: sheet for sheet in sheets}
    for table in tree.iter(f"{_ODS_TABLE}table"):
        sheet = by_name.get(table.get(f"{_ODS_TABLE}name", ""))
        if sheet is not None:
            sheet.merged = list(_spans(table))


def _spans(table: ElementTree.Element) -> list[tuple[int, int, int, int]]:
    spans, r = [], 0
    for row in table.iter(f"{_ODS_TABLE}table-row"):
        c = 0
        for cell in row:
            rows = int(cell.get(f"{_ODS_TABLE}number-rows-spanned", "1"))
            columns = int(cell.get(f"{_ODS_TABLE}number-columns-spanned", "1"))
            if rows > 1 or columns > 1:
                spans.append((r, c, r + rows - 1, c + columns - 1))
            c += int(cell.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
        r += int(row.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
    return spans


def _value(raw: object) -> Value:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return _exact(raw)
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        return raw.isoformat() if not isinstance(raw, dt.timedelta) else str(raw)
    text = str(raw).strip()
    return text or None


def _exact(number: float) -> Decimal:
    """The figure as the spreadsheet shows it: 15 significant digits, trailing zeros dropped, never 1E+3."""
    value = Decimal(f"{number:.15g}")
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
