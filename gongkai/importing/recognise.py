"""Find the form's tables in sheets: a title names the table, the header rows name its columns.

A sheet may hold one table (its title in the sheet name or in a title row) or several, one under the
other, each starting at its title row. Under a title come an optional “单位：万元” line, one or more
header rows (merged cells repeated over their range first) and the data rows. Each column is read
from its header labels, top to bottom (“基本支出 / 人员经费”): a 科目 code (whole, or split into
类/款/项), a name, the 收支 side, or an amount column of the form. Nothing is guessed from position:
a column whose header the form does not know keeps its numbers out of the YAML, in the import report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gongkai.forms.spec import Column, KindForm, Part, TableSpec, name_key
from gongkai.importing.grid import Sheet, Value, fill_merged, number

CODE_LABELS = frozenset({"科目编码", "编码", "科目代码", "功能分类科目编码", "经济分类科目编码", "支出功能分类科目编码", "部门经济分类科目编码", "代码"})
NAME_LABELS = frozenset({"科目名称", "科目", "项目", "名称", "功能分类科目名称", "经济分类科目名称", "项目名称", "支出功能分类科目", "部门经济分类科目"})
SPLIT_CODE = ("类", "款", "项")
SIDE_LABEL = "收支"
LINE_LABELS = frozenset({"行次", "栏次", "序号"})  # line numbers printed beside the rows, not figures
SUBTOTAL = frozenset({"小计", "合计"})
_UNIT = re.compile(r"(?:金额)?单位\s*[：:]\s*(万元|元)")
_HEADER_UNIT = re.compile(r"\s*[（(]\s*(万元|元)\s*[）)]\s*$")
_TITLE_LEAD = re.compile(r"^\s*(?:附?表\s*[一二三四五六七八九十\d]+(?:\s*[-－—]\s*\d+)?\s*[、.．:：]?|[一二三四五六七八九十]+、|\d+[.、．])\s*")
_TITLE_UNIT = re.compile(r"\s*[（(]\s*(?:金额)?单位\s*[：:][^）)]*[）)]\s*$")
_TITLE_YEAR = re.compile(r"^.*?\d{4}\s*年度?\s*")
_PART_SUFFIX = re.compile(r"\s*[（(](收入|支出)[）)]\s*$")
_TRAILER = re.compile(r"^\s*(?:[（(][^）)]*[）)])?\s*$")
_CODE = re.compile(r"^\d{3,}$")
MAX_TITLE = 80


@dataclass(frozen=True)
class Title:
    spec: TableSpec
    name: str  # the form's name or alias that matched: what the YAML writes
    part: str = ""  # a sheet holding one side of a two-sided table (“财政拨款收支总表（支出）”)


@dataclass
class Role:
    """What one column holds."""

    kind: str  # code | 类 | 款 | 项 | name | side | line | amount | unknown
    label: str  # the header as printed, for the import report
    side: str = ""  # the part a column belongs to when the header groups columns by 收入/支出
    columns: dict[str, Column] = field(default_factory=dict)  # for amounts: the form's column, by part name


@dataclass
class Block:
    """One table found in a sheet: its rows are sheet rows [first, end) below the header."""

    sheet: Sheet
    title: Title
    title_place: str
    title_row: int  # -1: the title is the sheet's name
    first: int
    end: int
    roles: list[Role] = field(default_factory=list)
    unit: str = ""
    note: str = ""  # a 注： line under the table (an empty table says why it is empty)
    header_rows: tuple[int, int] = (0, 0)


def match_title(text: str, form: KindForm) -> Title | None:
    """The table a title names: “表一 部门收支总表”, “2024年部门收支总表”, “财政拨款收支总表（支出）”."""
    text = text.strip()
    if not text or len(text) > MAX_TITLE:
        return None
    text = _TITLE_UNIT.sub("", _TITLE_LEAD.sub("", text))
    part = ""
    found = _PART_SUFFIX.search(text)
    if found:
        part, text = found.group(1), text[: found.start()]
    for candidate in (text, _TITLE_YEAR.sub("", text)):
        spec = form.table(candidate)
        if spec is not None:
            return Title(spec, _name_matched(spec, candidate), part if spec.part(part) else "")
    return _title_within(text, form, part)


def _name_matched(spec: TableSpec, text: str) -> str:
    return next((n for n in spec.names() if name_key(n) == name_key(text)), spec.name)


def _title_within(text: str, form: KindForm, part: str) -> Title | None:
    """A name inside a longer title (“某局2024年部门收支总表（单位：万元）”): the longest name, at the end."""
    best: Title | None = None
    key = name_key(text)
    for spec in form.tables:
        for name in spec.names():
            at = key.rfind(name_key(name))
            if at < 0 or not _TRAILER.match(key[at + len(name_key(name)):]):
                continue
            if best is None or len(name) > len(best.name):
                best = Title(spec, name, part if spec.part(part) else "")
    return best


def find_blocks(sheet: Sheet, form: KindForm, year: int) -> list[Block]:
    """The tables of one sheet, each with its column roles; a sheet without a known title gives none."""
    fill_merged(sheet)
    titles = _title_rows(sheet, form)
    if not titles or any(_has_content(sheet.rows[r]) for r in range(titles[0][0])):
        by_name = match_title(sheet.name, form)
        if by_name is not None:
            titles.insert(0, (-1, by_name))
    blocks = []
    for n, (row, title) in enumerate(titles):
        end = titles[n + 1][0] if n + 1 < len(titles) else len(sheet.rows)
        place = sheet.place(row, 0) if row >= 0 else f"工作表“{sheet.name}”"
        block = Block(sheet, title, place, row, row + 1, end)
        block.unit = _row_unit(sheet.rows[row]) if row >= 0 else ""  # “部门收支总表（单位：万元）”
        _read_header(block, year)
        blocks.append(block)
    return blocks


def _title_rows(sheet: Sheet, form: KindForm) -> list[tuple[int, Title]]:
    """Rows holding only a table's title (at most one other cell, such as 公开表一)."""
    found = []
    for r, row in enumerate(sheet.rows):
        texts = _distinct([v for v in row if v is not None])
        if not texts or len(texts) > 2 or not all(isinstance(v, str) for v in texts):
            continue
        title = next((t for t in map(lambda v: match_title(str(v), form), texts) if t is not None), None)
        if title is not None:
            found.append((r, title))
    return found


def _distinct(values: list[Value]) -> list[Value]:
    """A merged title repeated over its range counts once."""
    return list(dict.fromkeys(values))


def _has_content(row: list[Value]) -> bool:
    return any(v is not None for v in row)


def unit_of(text: str) -> str:
    found = _UNIT.search(text)
    return found.group(1) if found else ""


def _read_header(block: Block, year: int) -> None:
    """Skip the unit line, take the all-text rows above the first figure as the header, resolve columns."""
    sheet, spec = block.sheet, block.title.spec
    r = block.first
    while r < block.end and not _is_header_row(sheet.rows[r], spec):
        block.unit = block.unit or _row_unit(sheet.rows[r])
        if any(number(v) is not None for v in sheet.rows[r]):
            break  # figures before any header: the rows are read as data and reported
        r += 1
    start = r
    while r < block.end and _is_header_row(sheet.rows[r], spec) and not _is_data_row(sheet.rows[r]):
        r += 1
    block.header_rows = (start, r)
    block.first = r
    header = [sheet.rows[h] for h in range(start, r)]
    width = max((len(row) for row in sheet.rows[start:block.end]), default=0)
    labels = [_labels(header, c) for c in range(width)]
    block.unit = block.unit or next((u for ls in labels for u in (_label_unit(x) for x in ls) if u), "")
    block.roles = [_role([_clean(x) for x in ls], spec, block.title.part, year) for ls in labels]


def _row_unit(row: list[Value]) -> str:
    return next((u for v in row if isinstance(v, str) for u in [unit_of(v)] if u), "")


def _is_header_row(row: list[Value], spec: TableSpec) -> bool:
    texts = [v for v in row if isinstance(v, str)]
    if not texts or any(number(v) is not None for v in row):
        return False
    return any(_known_label(_clean(part), spec) for t in texts for part in t.split("·"))


def _is_data_row(row: list[Value]) -> bool:
    return any(number(v) is not None or (isinstance(v, str) and _CODE.match(v.strip())) for v in row)


def _known_label(label: str, spec: TableSpec) -> bool:
    if label in CODE_LABELS or label in NAME_LABELS or label in SPLIT_CODE or label in LINE_LABELS or label in (SIDE_LABEL, "小计", "金额"):
        return True
    return any(p.name == label or p.column(label) is not None for p in spec.parts)


def _labels(header: list[list[Value]], column: int) -> list[str]:
    """The header texts over a column, top to bottom, without a merged label's repeats."""
    labels: list[str] = []
    for row in header:
        value = row[column] if column < len(row) else None
        if isinstance(value, str):
            for part in value.split("·"):  # our own downloads join nested headings with “·”
                if part.strip() and (not labels or labels[-1] != part.strip()):
                    labels.append(part.strip())
    return labels


def _label_unit(label: str) -> str:
    found = _HEADER_UNIT.search(label)
    return found.group(1) if found else ""


def _clean(label: str) -> str:
    return re.sub(r"\s+", "", _HEADER_UNIT.sub("", label))


def _role(labels: list[str], spec: TableSpec, fixed_part: str, year: int) -> Role:
    printed = "·".join(labels)
    if not labels:
        return Role("unknown", "")
    side = ""
    if spec.sided and labels[0] in {p.name for p in spec.parts} and len(labels) > 1:
        side, labels = labels[0], labels[1:]
    last = labels[-1]
    if last in CODE_LABELS or (last.endswith("编码") and len(labels) == 1):
        return Role("code", printed, side)
    if last in SPLIT_CODE and (spec.by_subject or any(p.scheme for p in spec.parts)):
        return Role(last, printed, side)
    if last in NAME_LABELS:
        return Role("name", printed, side)
    if last == SIDE_LABEL:
        return Role("side", printed)
    if last in LINE_LABELS:
        return Role("line", printed, side)
    parts = [spec.part(side or fixed_part)] if (side or fixed_part) else list(spec.parts)
    columns = {p.name: c for p in parts if p is not None for c in [_column(p, labels, year)] if c is not None}
    return Role("amount" if columns else "unknown", printed, side, columns)


def _column(part: Part, labels: list[str], year: int) -> Column | None:
    """The deepest label the form knows; “小计” under a heading is that heading's own column."""
    if len(labels) > 1 and labels[-1] in SUBTOTAL:
        parent = part.column(labels[-2], year)
        if parent is not None:
            return parent
    for label in reversed(labels):
        found = part.column(label, year)
        if found is not None:
            return found
    found = part.column("".join(labels), year)
    if found is None and part.single and labels[-1] not in SUBTOTAL:
        return part.columns[0]  # a side of one amount column: its heading is 金额, 预算数 or 决算数
    return found
