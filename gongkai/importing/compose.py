"""Turn the rows of the tables found into the report's YAML data, and list every figure left out.

A table of the form is written the way a finance officer writes it by hand (see content/): a 科目
table as its 合计 and 明细 rows, a table of fixed items as `项目: 金额` (or `项目: {栏目: 金额}`), a
two-sided table as its 收入 and 支出. Figures are written as their exact text; a blank cell stays
blank and a “——” is written as printed. A figure that has no place (a column the form does not know,
a row without a name, an item the form does not list) is a Leftover, with its cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gongkai.forms.bind import DASHES
from gongkai.forms.spec import Part, TableSpec, plain_label
from gongkai.importing.grid import Value, figure_like, number
from gongkai.importing.recognise import LINE_LABELS, Block, Role

TOTAL_LABELS = frozenset({"合计", "总计", "本年合计", "本年收入合计", "本年支出合计", "收入合计", "支出合计"})
_CODE = re.compile(r"^\d{3,7}$")
_CODE_NAME = re.compile(r"^\s*(\d{3,})\s*[ 　]*(.*)$")
TEN_THOUSAND = Decimal(10000)
_NOTE = re.compile(r"^\s*(?:注|说明)\s*[：:]\s*(.+)$", re.S)


@dataclass(frozen=True)
class Leftover:
    """A figure (or text in an amount cell) not placed in the YAML: where it is, what it is, and why."""

    place: str
    value: str
    why: str


@dataclass(frozen=True)
class Rounded:
    """A figure converted from 元 to 万元 that needed rounding to the site's decimals."""

    place: str
    original: str
    written: str


@dataclass
class Conversion:
    """元 → 万元 when the site asks: divide by 10 000 exactly, round half up to `places` only when needed."""

    active: bool = False
    places: int = 2
    rounded: list[Rounded] = field(default_factory=list)

    def apply(self, value: Decimal, place: str) -> Decimal:
        if not self.active:
            return value
        exact = value / TEN_THOUSAND
        quantum = Decimal(1).scaleb(-self.places)
        shown = exact.quantize(quantum, ROUND_HALF_UP) if -exact.as_tuple().exponent > self.places else exact  # type: ignore[operator]
        if shown != exact:
            self.rounded.append(Rounded(place, _text(value), _text(shown)))
        return shown


@dataclass
class Record:
    """One printed row of one side: its 科目 code and name, and its cells by the form's column name."""

    part: str
    code: str
    name: str
    cells: dict[str, str]
    places: list[str]  # the cells' places, for the leftovers if the row finds no home
    first_place: str


@dataclass
class Composer:
    conversion: Conversion
    leftovers: list[Leftover] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows left out on purpose, said in the report

    def records(self, block: Block) -> list[Record]:
        """Every data row of a block, one record per side it holds."""
        sides = _sides(block.roles)
        records, carried_side = [], ""
        for r in range(block.first, block.end):
            row = block.sheet.rows[r]
            note = _note(row)
            if note:
                block.note = block.note or note
                continue
            if _numbering_row(row, block.roles):
                self.skipped.append(f"{block.sheet.place(r, 0)}：栏次行（1、2、3……是栏的编号，不是金额），未导入")
                continue
            side_cells = [row[c] for c, role in enumerate(block.roles) if role.kind == "side" and c < len(row) and row[c]]
            if side_cells:
                carried_side = str(side_cells[0]).strip()
            self._unplaced_columns(block, r)
            for side in sides:
                record = self._record(block, r, side, carried_side)
                if record is not None:
                    records.append(record)
        return records

    def _unplaced_columns(self, block: Block, r: int) -> None:
        """Figures under a header the form does not know, or under none (a shifted column)."""
        for c, value in enumerate(block.sheet.rows[r]):
            role = block.roles[c] if c < len(block.roles) else Role("unknown", "")
            if role.kind == "unknown" and value is not None and (figure_like(value) or not role.label):
                why = f"表头“{role.label}”不是本表的栏目" if role.label else "这一栏没有表头，不知道是哪一栏"
                self._leave(block.sheet.place(r, c), value, why)

    def _record(self, block: Block, r: int, side: str, row_side: str) -> Record | None:
        sheet, row = block.sheet, block.sheet.rows[r]
        code_parts: dict[str, str] = {}
        name, cells, places = "", {}, []
        part_name = side or block.title.part or row_side
        for c, value in enumerate(row):
            if value is None or c >= len(block.roles) or block.roles[c].side != side:
                continue
            role = block.roles[c]
            place = sheet.place(r, c)
            if role.kind in ("code", *("类", "款", "项")):
                code_parts[role.kind] = _plain(value)
            elif role.kind == "name" and number(value) is not None and not _CODE.match(_plain(value)):
                self._leave(place, value, f"“{role.label}”栏中是数字，不是名称（表头与数字错位？）")
            elif role.kind == "name" and number(value) is not None and not code_parts:
                code_parts["code"] = _plain(value)  # a code printed in the name column
            elif role.kind == "name":
                name = _plain(value)
            elif role.kind == "amount":
                column = role.columns.get(part_name) or (next(iter(role.columns.values())) if len(role.columns) == 1 and not part_name else None)
                if column is None:
                    self._leave(place, value, f"不知道“{role.label}”这一栏属于收入还是支出")
                    continue
                if column.name in cells:
                    self._leave(place, value, f"“{role.label}”与本行前面一栏都是表样中的“{column.name}”，只取前一栏")
                    continue
                text = self._cell(value, place, column.percent)
                if text is not None:
                    cells[column.name] = text
                    places.append(place)
        code, name = _code_and_name(code_parts, name)
        if not (code or name or cells):
            return None
        return Record(part_name, code, name, cells, places, sheet.place(r, 0))

    def _cell(self, value: Value, place: str, percent: bool) -> str | None:
        """A figure's exact text, a dash as printed, or None for a blank; other text is reported."""
        if isinstance(value, Decimal):
            # a rate cell holds the fraction its % format shows ×100 (0.009 is “0.9%”)
            return _text(self.conversion.apply(value, place)) if not percent else _text((value * 100).normalize()) + "%"
        text = str(value).strip()
        if text in DASHES:
            return text
        figure = number(text)
        if figure is not None:
            return _text(self.conversion.apply(figure, place)) if not percent or not text.endswith("%") else text
        if percent and text.endswith("%") and number(text[:-1]) is not None:
            return text
        self._leave(place, text, "金额栏中的文字，不是数字")
        return None

    def _leave(self, place: str, value: Value, why: str) -> None:
        self.leftovers.append(Leftover(place, _text(value) if isinstance(value, Decimal) else str(value), why))

    def leave_record(self, record: Record, why: str) -> None:
        label = record.name or record.code
        for place, value in zip(record.places, record.cells.values(), strict=True):
            self.leftovers.append(Leftover(place, value, f"{why}（行“{label}”）" if label else why))

    # Tables.

    def table(self, spec: TableSpec, records: list[Record], columns: list[str]) -> dict[str, Any]:
        if spec.by_subject:
            return self._subject_table(spec, records, columns)
        if not spec.sided:
            return self._columns_first(columns, spec.parts[0], self._items(spec.parts[0], records))
        data: dict[str, Any] = {}
        for part in spec.parts:
            mine = [r for r in records if r.part == part.name]
            if mine:
                data[part.name] = self._items(part, mine)
        strays = [r for r in records if spec.part(r.part) is None]
        for record in strays:
            self.leave_record(record, "看不出这一行属于收入还是支出")
        multi = [c for c in columns if any(not p.single and p.column(c) for p in spec.parts)]
        return {"栏目": multi, **data} if multi else data

    def _subject_table(self, spec: TableSpec, records: list[Record], columns: list[str]) -> dict[str, Any]:
        total: dict[str, str] | None = None
        rows = []
        for record in records:
            if not record.code and plain_label(record.name) in TOTAL_LABELS:
                if total is not None:
                    self.leave_record(record, "本表已有一行合计")
                    continue
                total = record.cells
                continue
            if not record.code and not record.name:
                self.leave_record(record, "这一行没有科目编码和名称")
                continue
            row: dict[str, Any] = {}
            if record.code:
                row["科目编码"] = record.code
            row["项目" if spec.scheme == "列表" else "科目名称"] = record.name or record.code
            rows.append({**row, **record.cells})
        data: dict[str, Any] = {"栏目": columns}
        if total is not None:
            data["合计"] = total
        if rows:
            data["明细"] = rows
        return data

    def _items(self, part: Part, records: list[Record]) -> dict[str, Any]:
        items: dict[str, Any] = {}
        for record in records:
            label = record.name
            if not label:
                self.leave_record(record, "这一行没有项目名称")
                continue
            if part.item(label) is None and not part.scheme:
                self.leave_record(record, f"“{label}”不是表样中“{part.name or '本表'}”的项目")
                continue
            if label in items:
                self.leave_record(record, f"“{label}”出现了两次，只取第一次")
                continue
            value: Any
            if part.single:
                value = next(iter(record.cells.values()), None)
            else:
                value = dict(record.cells)
            if record.code and part.item(label) is None:
                value = {"科目编码": record.code, **(value if isinstance(value, dict) else {part.columns[0].name: value})}
            items[label] = value
        return items

    def _columns_first(self, columns: list[str], part: Part, items: dict[str, Any]) -> dict[str, Any]:
        return {"栏目": columns, **items} if not part.single else items


def _numbering_row(row: list[Value], roles: list[Role]) -> bool:
    """The row under a header that numbers the columns: labelled 栏次, or 1, 2, 3 … across the amounts."""
    leads = [v for c, v in enumerate(row) if c < len(roles) and roles[c].kind != "amount" and isinstance(v, str)]
    if any(v.strip() in LINE_LABELS for v in leads):
        return True
    amounts = [number(v) for c, v in enumerate(row) if c < len(roles) and roles[c].kind == "amount" and v is not None]
    counting = len(amounts) > 2 and all(a == n for n, a in enumerate(amounts, int(amounts[0] or 0))) and amounts[0] in (0, 1)
    return counting and not leads


def _note(row: list[Value]) -> str:
    """A row of one text beginning 注： (“注：本单位无政府性基金预算财政拨款支出，本表为空表。”)."""
    values = [v for v in dict.fromkeys(row) if v is not None]
    if len(values) != 1 or not isinstance(values[0], str):
        return ""
    found = _NOTE.match(values[0])
    return found.group(1).strip() if found else ""


def _sides(roles: list[Role]) -> list[str]:
    """The sides a header lays out next to each other (收入 | 支出), or one unnamed side."""
    sides = list(dict.fromkeys(role.side for role in roles if role.kind != "unknown" or role.side))
    return sides or [""]


def _code_and_name(parts: dict[str, str], name: str) -> tuple[str, str]:
    """The code whole, or joined from 类/款/项 (款 and 项 printed as 2 digits, or already whole)."""
    code = parts.get("code", "")
    for level in ("类", "款", "项"):
        piece = parts.get(level, "")
        if piece:
            code = piece if piece.startswith(code) and len(piece) > len(code) else code + piece
    if code and not _CODE_NAME.match(code):
        code, name = "", name or code  # a “code” that is a name (合计 printed across the code columns)
    found = _CODE_NAME.match(code) if code else None
    if found and found.group(2):
        code, name = found.group(1), name or found.group(2)
    if not code and name:
        found = _CODE_NAME.match(name)
        if found and found.group(2):
            code, name = found.group(1), found.group(2)
    return code, name.strip()


def _plain(value: Value) -> str:
    return _text(value) if isinstance(value, Decimal) else re.sub(r"^[\s　]+|[\s　]+$", "", str(value))


def figure_text(value: Value) -> str | None:
    """A figure's text if the value is one (a number, text that reads as one, a rate), else None."""
    figure = number(value)
    if figure is None:
        return str(value).strip() if figure_like(value) else None
    return _text(figure)


def _text(value: Decimal) -> str:
    """Plain positional notation of exactly the digits given (never 1E+1)."""
    return format(value, "f")
