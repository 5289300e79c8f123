"""The only module that imports pdfplumber: a published PDF's tables as grids, and its text as sections.

A PDF has no tables, only words and ruling lines; pdfplumber finds the ruled tables and their cells.
Reading the pages in order, the line printed just above a table is its title (our own PDFs put the
title, sometimes at the foot of the page before). A table with no line above it on its page goes on
from the previous one, its repeated header rows dropped. The text before the first table, by its
headings (“一、部门职责及机构设置”), is the 情况说明; a running page header and “第 N 页 共 M 页” are
not text of the report. Figures are kept as printed text (“305.60”), never through a float.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from gongkai.importing.grid import Extracted, ImportFileError, Sheet, Value

SUFFIXES = (".pdf",)
_FOOTER = re.compile(r"^第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?$|^-?\s*\d+\s*-?$")
_LEADERS = re.compile(r"\.{5,}|…{3,}")
_HEADING = re.compile(r"^[一二三四五六七八九十]+、\S")
_LIST_ITEM = re.compile(r"^(?:\d+[.、．]|[（(][一二三四五六七八九十\d]+[）)])")
_NOTE = re.compile(r"^\s*(?:注|说明)\s*[：:]")
_APPENDIX = re.compile(r"^附\s*[表件]\S{0,8}$")  # “附表”: the tables begin, the text has ended
_EMPTY_MARK = "—空"  # our pages print a blank cell as a dash for the eye and 空 for a screen reader
_PUBLISHED = re.compile(r"发布日期[：:]\s*(\d{4})年(\d{1,2})月(\d{1,2})日")
_UNIT = re.compile(r"金额单位[：:]\s*(万元|元)")


@dataclass
class _Event:
    page: int
    top: float
    text: str = ""
    table: Any = None  # a pdfplumber Table
    used: bool = False  # a line read as part of a table (its 注)


def read_pdf(path: Path) -> Extracted:
    try:
        with pdfplumber.open(str(path)) as pdf:
            events, pages = _events(pdf)
    except (PdfminerException, PDFPasswordIncorrect, PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as error:
        cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
        if isinstance(cause, PDFPasswordIncorrect):
            raise ImportFileError(f"{path.name} 设有密码保护，无法读取。请先取消密码再导入") from error
        raise ImportFileError(f"{path.name} 无法作为 PDF 读取（文件损坏，或不是 PDF）：{cause}") from error
    running = _running_lines(events, pages)
    events = [e for e in events if e.table is not None or (e.text not in running and not _FOOTER.match(e.text))]
    found = Extracted(_tables(events))
    _text(events, found)
    return found


def _events(pdf: Any) -> tuple[list[_Event], int]:
    """Lines outside tables and the tables themselves, in reading order."""
    events = []
    for n, page in enumerate(pdf.pages, 1):
        tables = page.find_tables()
        for table in tables:
            events.append(_Event(n, table.bbox[1], table=table))
        for line in page.extract_text_lines():
            inside = any(t.bbox[1] - 1 <= line["top"] and line["bottom"] <= t.bbox[3] + 1 for t in tables)
            if not inside and line["text"].strip():
                events.append(_Event(n, line["top"], line["text"].strip()))
    events.sort(key=lambda e: (e.page, e.top))
    return events, len(pdf.pages)


def _running_lines(events: list[_Event], pages: int) -> set[str]:
    """A line printed on most pages (the running header) is not the report's text."""
    counts = Counter(text for text in {(e.page, e.text) for e in events if e.table is None})
    by_text = Counter(text for _, text in counts)
    return {text for text, n in by_text.items() if pages > 2 and n > pages / 2}


def _tables(events: list[_Event]) -> list[Sheet]:
    sheets: list[Sheet] = []
    caption, after_table = "", False
    for event in events:
        if event.table is None and after_table and _NOTE.match(event.text):
            sheets[-1].rows.append([event.text])  # “注：本表为空表” under a table belongs to it
            sheets[-1].row_places.append(f"第{event.page}页表格下的注")  # type: ignore[union-attr]
            event.used = True
            continue
        after_table = event.table is not None
        if event.table is None:
            caption = event.text
            continue
        rows = [[_value(cell) for cell in row] for row in event.table.extract()]
        places = [f"第{event.page}页表格第{r + 1}行" for r in range(len(rows))]
        if caption or not sheets:
            sheets.append(Sheet(caption or f"第{event.page}页表格", [[caption], *rows], row_places=["标题", *places]))
        else:
            _continue(sheets[-1], rows, places)
        caption = ""
    return sheets


def _continue(sheet: Sheet, rows: list[list[Value]], places: list[str]) -> None:
    """A table carried over to the next page: its header rows, repeated there, are dropped."""
    repeated = 0
    while repeated < len(rows) and repeated + 1 < len(sheet.rows) and rows[repeated] == sheet.rows[repeated + 1]:
        repeated += 1
    sheet.rows += rows[repeated:]
    sheet.row_places += places[repeated:]  # type: ignore[operator]


def _value(cell: str | None) -> Value:
    if cell is None:
        return None
    text = re.sub(r"\s*\n\s*", "", cell).strip()
    return None if not text or text == _EMPTY_MARK else text


def _text(events: list[_Event], found: Extracted) -> None:
    """Title-page facts, the sections before the first table, and every other line as stray text."""
    first_table = next((i for i, e in enumerate(events) if e.table is not None), len(events))
    last_caption = first_table - 1 if first_table < len(events) else first_table
    heading = ""
    for i, event in enumerate(events):
        if event.table is not None or event.used or _LEADERS.search(event.text):
            continue
        if _APPENDIX.match(event.text):
            last_caption = min(last_caption, i)
        _meta(event.text, found.meta)
        if i >= last_caption:
            if i > first_table and events[i + 1:i + 2] and events[i + 1].table is not None:
                continue  # the title of a later table
            if i != last_caption and re.search(r"\d", event.text):
                found.stray.append((f"第{event.page}页“{event.text[:20]}”", event.text))
            continue
        if _HEADING.match(event.text):
            heading = event.text
            found.sections[heading] = ""
        elif heading:
            joiner = "\n" if _LIST_ITEM.match(event.text) and found.sections[heading] else ""
            found.sections[heading] += joiner + event.text
        elif "报告" not in found.meta and re.search(r"\d{4}年.*(?:预算|决算)$", event.text):
            found.meta["报告"] = event.text


def _meta(text: str, meta: dict[str, str]) -> None:
    published = _PUBLISHED.search(text)
    if published and "发布日期" not in meta:
        year, month, day = published.groups()
        meta["发布日期"] = f"{year}-{int(month):02d}-{int(day):02d}"
    unit = _UNIT.search(text)
    if unit and "金额单位" not in meta:
        meta["金额单位"] = unit.group(1)
