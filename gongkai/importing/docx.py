"""The only module that imports python-docx: a Word report's headings, paragraphs and tables, in order.

The paragraph just above a table is its title (“附表1 部门收支总表”), a “注：” paragraph just below
it belongs to it. Paragraphs under a heading (“一、部门职责及机构设置”, or a paragraph in a Heading
style) are that section of the 情况说明, one Markdown paragraph each. A cell merged over several
columns or rows is one figure: its text is repeated over the range only where it is a label.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from gongkai.importing.grid import Extracted, ImportFileError, Sheet, Value, number

SUFFIXES = (".docx",)
_HEADING = re.compile(r"^[一二三四五六七八九十]+、\S")
_NOTE = re.compile(r"^\s*(?:注|说明)\s*[：:]")
_PUBLISHED = re.compile(r"发布日期[：:]\s*(\d{4})年(\d{1,2})月(\d{1,2})日")
_UNIT = re.compile(r"金额单位[：:]\s*(万元|元)")
_REPORT_TITLE = re.compile(r"\d{4}年.*(?:预算|决算|报告)$")


def read_docx(path: Path) -> Extracted:
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ImportFileError(f"{path.name} 无法作为 Word 文档读取（文件损坏、设有密码，或不是 .docx）：{error}") from error
    found = Extracted()
    blocks = list(document.iter_inner_content())
    heading = ""
    for i, block in enumerate(blocks):
        if isinstance(block, Table):
            found.sheets.append(_table(block, len(found.sheets) + 1, _caption(blocks, i), _note(blocks, i)))
            continue
        text = block.text.strip()
        if not text or _is_caption(blocks, i) or _is_note(blocks, i):
            continue
        if _is_heading(block, text):
            heading = text
            found.sections[heading] = ""
        elif heading:
            found.sections[heading] += ("\n\n" if found.sections[heading] else "") + text
        else:
            _front_matter(text, found, i)
    return found


def _is_heading(paragraph: Paragraph, text: str) -> bool:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    top_level = style in ("Heading 1", "标题 1") or (style.startswith(("Heading", "标题")) and _HEADING.match(text))
    return bool(top_level or (_HEADING.match(text) and len(text) <= 40))


def _caption(blocks: list[Any], i: int) -> str:
    before = blocks[i - 1] if i > 0 else None
    return before.text.strip() if isinstance(before, Paragraph) else ""


def _note(blocks: list[Any], i: int) -> str:
    after = blocks[i + 1] if i + 1 < len(blocks) else None
    return after.text.strip() if isinstance(after, Paragraph) and _NOTE.match(after.text) else ""


def _is_caption(blocks: list[Any], i: int) -> bool:
    return i + 1 < len(blocks) and isinstance(blocks[i + 1], Table)


def _is_note(blocks: list[Any], i: int) -> bool:
    return i > 0 and isinstance(blocks[i - 1], Table) and bool(_NOTE.match(blocks[i].text))


def _table(table: Table, n: int, caption: str, note: str) -> Sheet:
    """Rows of cell texts; a merged cell's figure is kept once, where the merge starts."""
    rows: list[list[Value]] = [[caption]]
    places = ["标题"]
    seen: dict[int, Any] = {}  # keeping each cell element alive keeps its id unique
    for r, row in enumerate(table.rows, 1):
        values: list[Value] = []
        for cell in row.cells:
            text = re.sub(r"\s+", " ", cell.text).strip() or None
            repeated = id(cell._tc) in seen
            seen[id(cell._tc)] = cell._tc
            values.append(None if repeated and number(text) is not None else text)
        rows.append(values)
        places.append(f"第{n}个表格第{r}行")
    if note:
        rows.append([note])
        places.append(f"第{n}个表格下的注")
    return Sheet(caption or f"第{n}个表格", rows, row_places=places)


def _front_matter(text: str, found: Extracted, i: int) -> None:
    """The title, 发布日期 and 金额单位 before the first heading; other figures there are listed."""
    published = _PUBLISHED.search(text)
    if published:
        year, month, day = published.groups()
        found.meta.setdefault("发布日期", f"{year}-{int(month):02d}-{int(day):02d}")
    unit = _UNIT.search(text)
    if unit:
        found.meta.setdefault("金额单位", unit.group(1))
    if not published and not unit and "报告" not in found.meta and _REPORT_TITLE.search(text):
        found.meta["报告"] = text
    elif not published and not unit and re.search(r"\d", text) and not _REPORT_TITLE.search(text):
        found.stray.append((f"第{i + 1}段", text))
