"""Bind a report's tables, as the finance officer wrote them, to the tables of its form.

The YAML of a table is read against its TableSpec: every key is a known column, item or part (or a
finding at its place, with the nearest known name), every cell a figure, a dash or a blank, and each
figure keeps its path so the checks can point at it. Blank stays blank: nothing is filled in here.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from gongkai.forms.spec import SCHEMES, Column, FormError, KindForm, Part, TableSpec, parse_relation, plain_label
from gongkai.messages import pydantic_message
from gongkai.models.base import Amount, Correction, Rate, _number_text, parse_signed_percent
from gongkai.problems import FieldPath, Finding

DASHES = frozenset({"-", "—", "——", "－", "--", "–", "/"})
LISTED = "列表"  # an extra table whose rows are labelled items, not 科目
_SIGNED = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_RESERVED = ("说明", "栏目")


@dataclass(frozen=True)
class Dash:
    """A cell printed as “——”: nothing to add up, shown as printed."""

    path: FieldPath
    text: str = "——"


Cell = Amount | Rate | Dash


@dataclass
class Row:
    """One printed row: a fixed item, or a 科目 row (code and name), with its cells by canonical column."""

    label: str
    name: str
    cells: dict[str, Cell]
    path: FieldPath
    code: str = ""
    subject: bool = False
    item: str = ""  # the form's name for a fixed item

    def figure(self, column: str) -> Amount | None:
        cell = self.cells.get(column)
        return cell if isinstance(cell, (Amount, Rate)) else None  # type: ignore[return-value]

    def value(self, column: str) -> Decimal | None:
        figure = self.figure(column)
        return None if figure is None else figure.value


@dataclass
class BoundPart:
    spec: Part
    rows: list[Row]
    columns: list[str]  # shown, in order (canonical names)
    path: FieldPath

    def item(self, name: str) -> Row | None:
        return next((r for r in self.rows if r.item == name), None)

    @property
    def subject_rows(self) -> list[Row]:
        return [r for r in self.rows if r.subject]


@dataclass
class BoundTable:
    spec: TableSpec
    label: str  # the name as the report writes it
    path: FieldPath
    parts: list[BoundPart]
    note: str = ""
    total: Row | None = None
    noted_only: bool = False  # written as its note alone: an empty table

    @property
    def rows(self) -> list[Row]:
        return [row for part in self.parts for row in part.rows]

    @property
    def empty(self) -> bool:
        return self.total is None and not any(r.cells for r in self.rows)

    def part(self, name: str) -> BoundPart | None:
        return next((p for p in self.parts if p.spec.name == name), None)


@dataclass
class Binder:
    """Collects findings while binding one report; `places` is the site's number of decimals."""

    places: int = 2
    year: int = 0  # columns printed with years (“2014年决算数”) are read as 上年/本年
    findings: list[Finding] = field(default_factory=list)

    def fail(self, code: str, path: FieldPath, message: str) -> None:
        self.findings.append(Finding(code, path, message))

    # Tables of the form.

    def bind_all(self, form: KindForm, raw: dict[str, Any], extra: Any) -> list[BoundTable]:
        bound = []
        for key, value in raw.items():
            spec = form.table(key)
            if spec is None:
                self._unknown_table(form, key, raw)
                continue
            if any(t.spec.id == spec.id for t in bound):
                self.fail("duplicate-table", (key,), f"“{key}”与前面的“{next(t.label for t in bound if t.spec.id == spec.id)}”是同一张表，只能填写一次")
                continue
            bound.append(self.table(spec, key, value, (key,)))
        bound.sort(key=lambda t: form.tables.index(t.spec))
        bound += self.extra_tables(extra)
        return bound

    def _unknown_table(self, form: KindForm, key: str, raw: dict[str, Any]) -> None:
        names = [t.name for t in form.tables if not any(n in raw for n in t.names())]
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
        hint = f"你是不是想写“{close[0]}”？" if close else f"本表样的表格有：{'、'.join(t.name for t in form.tables)}。"
        self.fail("unknown-table", (key,), f"不认识的表“{key}”。{hint}本单位表样以外的表请写在“其他表格”中")

    def table(self, spec: TableSpec, label: str, value: Any, path: FieldPath) -> BoundTable:
        if value is None or isinstance(value, str):
            parts = [BoundPart(p, [], self._default_columns(spec, p), path) for p in spec.parts]
            return BoundTable(spec, label, path, parts, (value or "").strip(), noted_only=True)
        if not isinstance(value, dict):
            self.fail("wrong-type", path, "这里应为一张表（下一行缩进书写各栏），或一句说明（空表时）")
            return BoundTable(spec, label, path, [])
        note = self._text(value.get("说明"), path + ("说明",))
        shown = self._shown_columns(spec, value.get("栏目"), path + ("栏目",))
        if spec.by_subject:
            return self._subject_table(spec, label, value, path, note, shown)
        if not spec.sided:
            part = self._part(spec, spec.parts[0], {k: v for k, v in value.items() if k not in _RESERVED}, path, shown)
            return BoundTable(spec, label, path, [part], note)
        parts = []
        for key in value:
            if key not in _RESERVED and spec.part(key) is None:
                self._unknown_key(key, path, [p.name for p in spec.parts if p.name not in value], "分栏")
        for part_spec in spec.parts:
            rows = value.get(part_spec.name)
            if rows is not None and not isinstance(rows, dict):
                self.fail("wrong-type", path + (part_spec.name,), f"“{part_spec.name}”应为各行的“项目: 金额”")
                rows = None
            parts.append(self._part(spec, part_spec, rows or {}, path + (part_spec.name,), shown))
        return BoundTable(spec, label, path, parts, note)

    # 科目 tables: a 合计 row and the rows as listed.

    def _subject_table(
        self, spec: TableSpec, label: str, value: dict[str, Any], path: FieldPath, note: str, shown: list[str] | None
    ) -> BoundTable:
        part_spec = spec.parts[0]
        for key in value:
            if key not in (*_RESERVED, "合计", "明细"):
                self._unknown_key(key, path, ["合计", "明细", "说明", "栏目"], "键")
        total = None
        if value.get("合计") is not None:
            total = self._cells_row(part_spec, "合计", "合计", value["合计"], path + ("合计",))
        rows = []
        listed = value.get("明细")
        if listed is not None and not isinstance(listed, list):
            self.fail("wrong-type", path + ("明细",), "“明细”应为列表，每行以“- ”开头")
            listed = []
        for index, raw in enumerate(listed or ()):
            row = self._subject_row(spec, part_spec, raw, path + ("明细", index))
            if row is not None:
                rows.append(row)
        columns = self._columns(spec, part_spec, shown, [total, *rows])
        return BoundTable(spec, label, path, [BoundPart(part_spec, rows, columns, path)], note, total)

    def _subject_row(self, spec: TableSpec, part: Part, raw: Any, path: FieldPath) -> Row | None:
        if not isinstance(raw, dict):
            self.fail("wrong-type", path, "每行应为一组“键: 值”，如 {科目编码: \"2010301\", 科目名称: 行政运行, 合计: 1.00}")
            return None
        label_key = "项目" if spec.scheme == LISTED else "科目名称"
        name = raw.get(label_key)
        if not isinstance(name, str) or not name.strip():
            self.fail("missing-field", path, f"这一行缺少“{label_key}”")
            return None
        code = raw.get("科目编码")
        if code is not None and not isinstance(code, str):
            self.fail("wrong-type", path + ("科目编码",), "科目编码应为一串数字，如 \"2010301\"（请加引号）")
            code = None
        cells = {k: v for k, v in raw.items() if k not in ("科目编码", "科目名称", "项目")}
        row = self._cells_row(part, name.strip(), plain_label(name), cells, path)
        row.code, row.subject = (code or "").strip(), spec.scheme != LISTED
        return row

    # Tables of fixed items.

    def _part(self, spec: TableSpec, part: Part, rows: dict[str, Any], path: FieldPath, shown: list[str] | None) -> BoundPart:
        bound = []
        for label, value in rows.items():
            row = self._item_row(part, label, value, path + (label,))
            if row is not None:
                bound.append(row)
        seen: dict[str, Row] = {}
        for row in bound:
            if row.item and row.item in seen:
                self.fail("duplicate-row", row.path, f"“{row.label}”与“{seen[row.item].label}”是同一项，只能填写一次")
            seen.setdefault(row.item or row.label, row)
        return BoundPart(part, bound, self._columns(spec, part, shown, bound), path)

    def _item_row(self, part: Part, label: str, value: Any, path: FieldPath) -> Row | None:
        item = part.item(label)
        code = ""
        if isinstance(value, dict) and "科目编码" in value:
            code = str(value.get("科目编码") or "").strip()
            value = {k: v for k, v in value.items() if k != "科目编码"}
        if item is None and not part.scheme:
            names = [i.name for i in part.items]
            close = difflib.get_close_matches(plain_label(label), names, n=1, cutoff=0.5)
            hint = f"你是不是想写“{close[0]}”？" if close else f"这里可以写的项目有：{'、'.join(names)}"
            self.fail("unknown-row", path, f"不认识的项目“{label}”。{hint}")
            return None
        cells = value if isinstance(value, dict) else {part.columns[0].name: value} if part.single else None
        if cells is None:
            names = "、".join(c.name for c in part.columns)
            self.fail("wrong-type", path, f"这一行有多栏（{names}），请写成 {{栏目: 金额}} 的形式")
            return None
        row = self._cells_row(part, label, plain_label(label), cells, path)
        if item is not None:
            row.item = item.name
        else:
            row.subject, row.code = True, code
        return row

    # Cells.

    def _cells_row(self, part: Part, label: str, name: str, raw: Any, path: FieldPath) -> Row:
        row = Row(label, name, {}, path)
        if not isinstance(raw, dict):
            self.fail("wrong-type", path, "这里应为各栏的“栏目: 金额”")
            return row
        for key, value in raw.items():
            column = part.column(key, self.year)
            if column is None:
                self._unknown_key(key, path, [c.name for c in part.columns if c.name not in raw], "栏目")
                continue
            if column.name in row.cells:
                self.fail("duplicate-column", path + (key,), f"“{key}”与同一行的另一栏是同一栏，只能填写一次")
                continue
            cell = self.cell(value, path + (key,), column.percent)
            if cell is not None:
                row.cells[column.name] = cell
        return row

    def cell(self, raw: Any, path: FieldPath, percent: bool = False) -> Cell | None:
        """A figure, a dash or a blank (None), as written; a wrong one is a finding at its place."""
        correction = None
        if isinstance(raw, dict) and "值" in raw:
            correction = self._correction(raw.get("更正"), path + ("更正",))
            unknown = [k for k in raw if k not in ("值", "更正")]
            for key in unknown:
                self._unknown_key(key, path, ["值", "更正"], "键")
            raw = raw.get("值")
        if raw is None:
            return None
        if not isinstance(raw, str):
            self.fail("wrong-type", path, "这里应为一个数字，而不是列表或多行结构")
            return None
        text = raw.strip()
        if text in DASHES:
            return Dash(path, text)
        if percent:
            return self._rate(text, path, correction)
        amount = self.amount(text, path)
        if amount is None:
            return None
        figure = Amount.model_construct(value=amount, correction=correction)
        figure._path = path
        return figure

    def _rate(self, text: str, path: FieldPath, correction: Correction | None) -> Rate | None:
        if _SIGNED.fullmatch(text):
            text += "%"  # a rate column printed without its % sign (“0”)
        try:
            value = parse_signed_percent(text)
        except PydanticCustomError as error:
            self.fail(error.type, path, error.message())
            return None
        figure = Rate.model_construct(value=value, correction=correction)
        figure._path = path
        return figure

    def amount(self, text: str, path: FieldPath) -> Decimal | None:
        try:
            text = _number_text(text, "金额", "（金额单位在文件开头统一声明）")
        except PydanticCustomError as error:
            self.fail(error.type, path, error.message())
            return None
        if not _SIGNED.fullmatch(text) or len(text.lstrip("+-").split(".")[0]) > 15:
            self.fail("bad-amount", path, f"“{text}”不是有效的金额，应写成如 293.53 的数字")
            return None
        value = Decimal(text)
        if -value.as_tuple().exponent > self.places:  # type: ignore[operator]
            self.fail("too-many-decimals", path, f"金额最多保留{self.places}位小数：“{text}”")
            return None
        return value

    def _correction(self, raw: Any, path: FieldPath) -> Correction | None:
        if raw is None:
            return None
        try:
            correction = Correction.model_validate(raw)
        except ValidationError as error:
            for item in error.errors(include_url=False):
                self.fail("bad-correction", path + tuple(item["loc"]), f"更正的写法有误：{pydantic_message(item)}")
            return None
        correction._path = path
        return correction

    def _text(self, raw: Any, path: FieldPath) -> str:
        if raw is None:
            return ""
        if not isinstance(raw, str):
            self.fail("wrong-type", path, "这里应为一段文字")
            return ""
        return raw.strip()

    # Columns.

    def _shown_columns(self, spec: TableSpec, raw: Any, path: FieldPath) -> list[str] | None:
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
            self.fail("wrong-type", path, "“栏目”应为列表，如 [合计, 基本支出, 项目支出]")
            return None
        shown = []
        known = {c.name: c for p in spec.parts for c in p.columns}
        for index, label in enumerate(raw):
            column = next((p.column(label, self.year) for p in spec.parts if p.column(label, self.year)), None)
            if column is None:
                self._unknown_key(label, path + (index,), list(known), "栏目")
            elif column.name not in shown:
                shown.append(column.name)
        return shown

    def _default_columns(self, spec: TableSpec, part: Part) -> list[str]:
        default = [c for c in spec.default_columns if part.column(c)]
        return default or [c.name for c in part.columns]

    def _columns(self, spec: TableSpec, part: Part, shown: list[str] | None, rows: list[Row | None]) -> list[str]:
        """The columns a reader sees: as the report lists them, else the form's usual ones and any filled in."""
        used = {c for row in rows if row is not None for c in row.cells}
        mine = [c for c in shown or () if part.column(c)]  # already canonical names
        if mine:  # a side whose columns the list does not name (the 金额 of a 收入 side) keeps its own
            for row in rows:
                for column in row.cells if row is not None else ():
                    if column not in mine:
                        self.fail(
                            "column-not-shown", row.path + (column,),  # type: ignore[union-attr]
                            f"“{column}”不在本表的“栏目”中：请把它加到“栏目”里，或删去这一栏",
                        )
            return mine
        base = set(self._default_columns(spec, part)) | used
        return [c.name for c in part.columns if c.name in base]

    def _unknown_key(self, key: str, path: FieldPath, options: list[str], what: str) -> None:
        close = difflib.get_close_matches(plain_label(str(key)), options, n=1, cutoff=0.5)
        hint = f"你是不是想写“{close[0]}”？" if close else f"这里可以写的{what}有：{'、'.join(options)}。" if options else "请检查拼写，或删除这一项。"
        self.fail("unknown-key", path + (key,), f"不认识的{what}“{key}”。{hint}")

    # Tables beyond the form.

    def extra_tables(self, raw: Any) -> list[BoundTable]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.fail("wrong-type", ("其他表格",), "“其他表格”应为列表，每张表以“- 名称: …”开头")
            return []
        tables = []
        for index, value in enumerate(raw):
            path: FieldPath = ("其他表格", index)
            spec = self._extra_spec(index, value, path)
            if spec is not None:
                body = {k: v for k, v in value.items() if k in ("合计", "明细", "说明", "栏目")}
                tables.append(self.table(spec, spec.name, body, path))
        return tables

    def _extra_spec(self, index: int, raw: Any, path: FieldPath) -> TableSpec | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("名称"), str):
            self.fail("missing-field", path, "其他表格的每一张表都要写“名称”")
            return None
        columns = raw.get("栏目")
        if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
            self.fail("missing-field", path + ("栏目",), "请在“栏目”中列出这张表的金额栏，如 [合计, 基本支出, 项目支出]")
            return None
        for key in raw:
            if key not in ("名称", "栏目", "科目", "关系", "合计", "明细", "说明"):
                self._unknown_key(key, path, ["名称", "栏目", "科目", "关系", "合计", "明细", "说明"], "键")
        scheme = raw.get("科目") or LISTED
        if scheme not in (*SCHEMES, LISTED):
            self.fail("bad-value", path + ("科目",), f"“科目”只能是：{'、'.join(SCHEMES)}")
            scheme = LISTED
        part = Part("", tuple(Column(c) for c in columns))
        relations = []
        for n, text in enumerate(raw.get("关系") or ()):
            try:
                relation = parse_relation("其他表格", str(text))
            except FormError as error:
                self.fail("bad-relation", path + ("关系", n), f"关系写法有误：{error}")
                continue
            names = [relation.left, *(t for _, t in relation.right)]
            if all(part.column(t.row) for t in names):
                relations.append(relation)
            else:
                self.fail("bad-relation", path + ("关系", n), f"关系“{text}”中有不在“栏目”中的栏")
        part = Part("", part.columns, relations=tuple(relations))
        return TableSpec(f"other-{index + 1}", raw["名称"].strip(), (), False, (part,), scheme, tuple(columns))

