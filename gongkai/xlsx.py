"""A small XLSX writer: the part of SpreadsheetML (ECMA-376) our workbooks use, byte-reproducible.

Why not openpyxl: it spent about 30 ms on each report's workbook, more than half of a cold build of
the site, mostly building and serialising a cell object model we never read back. Our workbooks are
plain grids of text and numbers with a bold header, a frozen first row, column widths and wrapped
long text; written directly they take a tenth of that, and every byte is ours to keep reproducible
(no clock, no library version in the file). The tests read every workbook back with openpyxl.

Text is written as inline strings, so a value beginning with “=” is text, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from xml.sax.saxutils import escape

# Characters XML 1.0 cannot hold; SpreadsheetML writes them as _xHHHH_ (as Excel does).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_SPECIAL = re.compile("[&<>\"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")  # anything _text changes
_FIRST_CUSTOM_FORMAT = 164  # number formats below this are built into Excel
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Style:
    bold: bool = False
    number_format: str | None = None  # e.g. "0.00", "0.0%"; None: General
    wrap: bool = False  # wrap long text, aligned to the top of the cell


@dataclass(frozen=True)
class Cell:
    value: str | Decimal | int
    style: Style = Style()


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell | None]]
    widths: list[float] = field(default_factory=list)  # per column, in characters
    freeze_header: bool = False  # keep the first row in view while scrolling


@dataclass
class Workbook:
    title: str
    creator: str
    language: str
    stamp: dt.datetime  # created and modified, and the date of every part in the zip
    sheets: list[Sheet] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        styles = _Styles()
        sheets = [_sheet_xml(sheet, styles) for sheet in self.sheets]  # registers the styles they use
        parts = [
            ("[Content_Types].xml", _content_types(len(sheets))),
            ("_rels/.rels", _ROOT_RELS),
            ("docProps/core.xml", self._core()),
            ("xl/workbook.xml", self._workbook()),
            ("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets))),
            ("xl/styles.xml", styles.xml()),
            *((f"xl/worksheets/sheet{n}.xml", xml) for n, xml in enumerate(sheets, 1)),
        ]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, xml in parts:
                info = zipfile.ZipInfo(name, date_time=self.stamp.timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, xml.encode("utf-8"))
        return out.getvalue()

    def _core(self) -> str:
        when = self.stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
            ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_text(self.title)}</dc:title><dc:creator>{_text(self.creator)}</dc:creator>"
            f"<dc:language>{_text(self.language)}</dc:language>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
            "</cp:coreProperties>"
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name="{_text(s.name, quote=True)}" sheetId="{n}" r:id="rId{n}"/>' for n, s in enumerate(self.sheets, 1)
        )
        return f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>{sheets}</sheets></workbook>'


_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROOT_RELS = (
    f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"'
    ' Target="docProps/core.xml"/></Relationships>'
)


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f"{overrides}</Types>"
    )


def _workbook_rels(sheets: int) -> str:
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{_RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    styles = f'<Relationship Id="rId{sheets + 1}" Type="{_RELS}/styles" Target="styles.xml"/>'
    return f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELS}">{links}{styles}</Relationships>'


class _Styles:
    """The distinct cell formats used, numbered in order of first use (0 is the plain default)."""

    def __init__(self) -> None:
        self.formats: dict[Style, int] = {Style(): 0}
        self.number_formats: dict[str, int] = {}

    def index(self, style: Style) -> int:
        found = self.formats.get(style)
        if found is not None:
            return found
        if style not in self.formats:
            if style.number_format and style.number_format not in self.number_formats:
                self.number_formats[style.number_format] = _FIRST_CUSTOM_FORMAT + len(self.number_formats)
            self.formats[style] = len(self.formats)
        return self.formats[style]

    def xml(self) -> str:
        numbers = "".join(
            f'<numFmt numFmtId="{n}" formatCode="{_text(code, quote=True)}"/>' for code, n in self.number_formats.items()
        )
        cells = "".join(self._format(style) for style in self.formats)
        return (
            f'{_DECLARATION}<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(self.number_formats)}">{numbers}</numFmts>' if numbers else "")
            + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self.formats)}">{cells}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )

    def _format(self, style: Style) -> str:
        number = self.number_formats.get(style.number_format or "", 0)
        attributes = f'numFmtId="{number}" fontId="{int(style.bold)}" fillId="0" borderId="0" xfId="0"'
        attributes += ' applyNumberFormat="1"' if number else ""
        attributes += ' applyFont="1"' if style.bold else ""
        if style.wrap:
            return f'<xf {attributes} applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
        return f"<xf {attributes}/>"


def _sheet_xml(sheet: Sheet, styles: _Styles) -> str:
    view = '<sheetView workbookViewId="0"'
    if sheet.freeze_header:
        view += '><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView>'
    else:
        view += "/>"
    columns = "".join(
        f'<col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>' for n, width in enumerate(sheet.widths, 1)
    )
    rows = "".join(_row_xml(r, cells, styles) for r, cells in enumerate(sheet.rows, 1) if any(cells))
    return (
        f'{_DECLARATION}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">'
        f"<sheetViews>{view}</sheetViews>"
        + (f"<cols>{columns}</cols>" if columns else "")
        + f"<sheetData>{rows}</sheetData></worksheet>"
    )


def _row_xml(r: int, cells: list[Cell | None], styles: _Styles) -> str:
    parts = []
    index = styles.index
    for c, cell in enumerate(cells):
        if cell is None:
            continue
        ref = f"{_letter(c)}{r}"
        style = index(cell.style)
        s = f' s="{style}"' if style else ""
        value = cell.value
        if isinstance(value, str):
            parts.append(f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>')
        else:
            parts.append(f'<c r="{ref}"{s}><v>{_number(value)}</v></c>')
    return f'<row r="{r}">{"".join(parts)}</row>'


@lru_cache(maxsize=1024)
def _letter(c: int) -> str:
    """The letters of the column at index c (0 → A)."""
    return column_letter(c + 1)


def column_letter(n: int) -> str:
    """1 → A, 26 → Z, 27 → AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _number(value: Decimal | int) -> str:
    """Plain positional notation (never “1E-7”), exactly the digits given."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _text(value: str, quote: bool = False) -> str:
    if not _SPECIAL.search(value):
        return value
    escaped = _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return escape(escaped, {'"': "&quot;"} if quote else {})
