"""Every table of a report, described once: the page, the PDF and the downloads all read these.

A table is a grid of cells with header rows, row headers and spans, as on the paper form. Header
ids and each data cell's `headers` are computed from the grid, so a screen reader announces a cell
with every heading that governs it, however the form nests its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal, Union

from gongkai.forms.bind import BoundPart, BoundTable, Dash, Row
from gongkai.models.base import Correction, Figure, Rate, value_of
from gongkai.models.disclosure import Disclosure
from gongkai.models.project_evaluation import Project, ProjectEvaluation, SourceRow
from gongkai.models.self_evaluation import (
    ControlRow,
    CurrentRow,
    FundsRow,
    IndicatorCategory,
    SelfEvaluation,
    Total,
)
from gongkai.numbers import decimals, money, plain

Kind = Literal["money", "percent", "score", "count", "area", "text", "label"]
Value = Union[Decimal, int, str, None]
NOT_APPLICABLE = "——"  # a cell the form itself rules out, as opposed to one left blank


@dataclass(frozen=True)
class Cell:
    """One cell: a heading or a figure, with its correction if it was corrected."""

    value: Value = None
    kind: Kind = "text"
    header: bool = False
    rowspan: int = 1
    colspan: int = 1
    correction: Correction | None = None
    id: str = ""
    headers: tuple[str, ...] = ()
    places: int = 2  # decimals of an amount, as the site publishes them
    href: str = ""  # a page's own figure cites where it comes from (a site path and #anchor), as a link

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "percent", "score", "count", "area") and isinstance(self.value, (Decimal, int))

    @property
    def empty(self) -> bool:
        return self.value is None or self.value == ""

    @property
    def text(self) -> str:
        """The value as the forms print it: amounts with two decimals, rates with a % sign."""
        if self.value is None:
            return ""
        if self.kind == "money":
            places = max(self.places, decimals(Decimal(self.value)))  # a figure is never rounded away
            return money(Decimal(self.value)) if places == 2 else f"{Decimal(self.value):.{places}f}"
        if self.kind == "percent":
            return f"{plain(Decimal(self.value))}%"
        if self.kind in ("score", "count", "area"):
            return plain(Decimal(self.value))
        return str(self.value)

    @property
    def exact(self) -> str:
        """The value exactly as in the source, for downloads (no re-rounding)."""
        if self.value is None:
            return ""
        if self.kind == "percent":
            return f"{self.value}%"
        return str(self.value)


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    head: list[list[Cell]]
    body: list[list[Cell]]
    unit: str = ""  # “单位：万元”, shown in the caption
    note: str = ""

    def columns(self) -> list[str]:
        """One plain label per column, for CSV and spreadsheet headers."""
        grid = _grid(self.head)
        labels = []
        for col in range(max((len(r) for r in grid), default=0)):
            parts: list[str] = []
            for row in grid:
                cell = row[col] if col < len(row) else None
                if cell is not None and cell.text and cell.text not in parts:
                    parts.append(cell.text)
            labels.append("·".join(parts))
        return labels

    def records(self) -> list[list[Cell]]:
        """Body rows with spanned cells repeated, so every row stands on its own in a download."""
        return [[cell or Cell() for cell in row] for row in _grid(self.body)]


@dataclass
class TableBuilder:
    """Collects rows for one table; turns figures into cells."""

    id: str
    caption: str
    unit: str = ""
    head: list[list[Cell]] = field(default_factory=list)
    body: list[list[Cell]] = field(default_factory=list)
    note: str = ""

    def columns(self, *labels: str) -> TableBuilder:
        self.head.append([Cell(label, "label", header=True) for label in labels])
        return self

    def row(self, label: str | Cell, *cells: Cell) -> TableBuilder:
        first = label if isinstance(label, Cell) else Cell(label, "label", header=True)
        self.body.append([first, *cells])
        return self

    def build(self) -> Table:
        return with_headers(Table(self.id, self.caption, self.head, self.body, self.unit, self.note))


def fig(figure: Figure | None, kind: Kind = "money") -> Cell:
    if figure is None:
        return Cell(None, kind)
    return Cell(figure.value, kind, correction=figure.correction)  # type: ignore[attr-defined]


def na() -> Cell:
    return Cell(NOT_APPLICABLE, "text")


def text(value: str | None) -> Cell:
    return Cell(value, "text")


def with_headers(table: Table) -> Table:
    """Give every heading an id and every cell the ids of the headings above it and to its left."""
    prefix = table.id
    head = [[_copy(c, id=f"{prefix}-h{r}-{i}") for i, c in enumerate(row)] for r, row in enumerate(table.head)]
    body = [
        [_copy(c, id=f"{prefix}-r{r}-{i}") if c.header else c for i, c in enumerate(row)]
        for r, row in enumerate(table.body)
    ]
    head_grid, body_grid = _grid(head), _grid(body)
    width = max((len(r) for r in head_grid + body_grid), default=0)
    column_headers = [
        tuple(dict.fromkeys(row[c].id for row in head_grid if c < len(row) and row[c] is not None)) for c in range(width)
    ]
    placed: dict[int, tuple[int, int]] = {}
    for r, row in enumerate(body_grid):
        for c, cell in enumerate(row):
            if cell is not None and id(cell) not in placed:
                placed[id(cell)] = (r, c)
    # The headings to the left of each slot, row by row: each row's cells look up their first slot.
    lefts: list[list[tuple[str, ...]]] = []
    for row in body_grid:
        running: dict[str, None] = {}
        at = []
        for x in row:
            at.append(tuple(running))
            if x is not None and x.header:
                running[x.id] = None
        lefts.append(at)
    new_body = []
    for row in body:
        new_row = []
        for cell in row:
            r, c = placed[id(cell)]
            span = cell.colspan
            above = column_headers[c] if span == 1 else tuple(h for col in range(c, c + span) for h in column_headers[col])
            ids = tuple(dict.fromkeys(above + lefts[r][c]))
            new_row.append(_copy(cell, headers=ids))
        new_body.append(new_row)
    return replace(table, head=head, body=new_body)


def _copy(cell: Cell, **changes: Any) -> Cell:
    """dataclasses.replace without its per-field work: a table builds its cells twice, and a site has
    hundreds of thousands of them. Cell has no __post_init__, so copying its fields is all replace does."""
    new = object.__new__(Cell)
    fields = new.__dict__
    fields.update(cell.__dict__)
    fields.update(changes)
    return new


def _grid(rows: list[list[Cell]]) -> list[list[Cell | None]]:
    """The table as a full grid: a spanned cell appears in every slot it covers."""
    grid: list[list[Cell | None]] = [[] for _ in rows]
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            for dr in range(cell.rowspan):
                if r + dr >= len(grid):
                    break
                target = grid[r + dr]
                while len(target) < c + cell.colspan:
                    target.append(None)
                for dc in range(cell.colspan):
                    target[c + dc] = cell
            c += cell.colspan
    return grid


# The self-evaluation report's tables, in the order they appear on the page.


def self_evaluation_tables(r: SelfEvaluation) -> list[Table]:
    unit = f"单位：{r.money_unit}"
    return [
        staffing(r),
        targets(r, unit),
        income(r, unit),
        expenditure(r, unit),
        execution(r, unit),
        basic_items(r, unit),
        three_public(r, unit),
        staff_control(r),
        cost_control(r, unit),
        buildings(r),
        funds(r, unit),
        funds_by_nature(r, unit),
        indicators(r),
    ]


def staffing(r: SelfEvaluation) -> Table:
    s = r.basics.staffing
    t = TableBuilder("staffing", "人员编制情况", "单位：人").columns("项目", "人数")
    t.row("编制数", fig(s.authorized, "count")).row("在编在岗", fig(s.on_post, "count"))
    for part in s.on_post_parts:
        t.row(f"其中：{part.name}", fig(part.count, "count"))
    t.row("劳务派遣人员", fig(s.dispatched, "count")).row("离退休人员", fig(s.retired, "count"))
    return t.build()


def targets(r: SelfEvaluation, unit: str) -> Table:
    g = r.basics.targets
    t = TableBuilder("targets", "绩效目标设定情况", unit).columns("项目", "金额")
    t.row("整体支出", fig(g.total)).row("项目支出", fig(g.project_total))
    for project in g.projects:
        t.row(f"其中：{project.name}", fig(project.amount))
    return t.build()


def income(r: SelfEvaluation, unit: str) -> Table:
    i = r.execution.income
    t = TableBuilder("income", "收入预算", unit).columns("项目", "金额")
    t.row("年初预算数", fig(i.initial)).row("一般公共预算财政拨款", fig(i.general_public))
    t.row("纳入财政专户管理的非税收入拨款", fig(i.special_account))
    t.row("政府性基金预算拨款", fig(i.government_fund)).row("国有资本经营预算拨款", fig(i.state_capital))
    t.row("较上年增减", fig(i.change))
    return t.build()


def expenditure(r: SelfEvaluation, unit: str) -> Table:
    e = r.execution.expenditure
    t = TableBuilder("expenditure", "支出预算", unit).columns("项目", "金额")
    t.row("年初预算数", fig(e.initial)).row("人员支出", fig(e.personnel)).row("公用经费", fig(e.public))
    t.row("项目支出", fig(e.projects)).row("较上年增减", fig(e.change))
    return t.build()


def execution(r: SelfEvaluation, unit: str) -> Table:
    b, p = r.execution.basic, r.execution.project
    note = "“年中调整（推算）”＝全年预算－年初预算－年中追加＋年中调减，由 Gongkai 推算，原报告未列示。"
    t = TableBuilder("execution", "基本支出和项目支出执行情况", unit, note=note)
    t.columns("项目", "年初预算", "年中追加", "年中调减", "年中调整（推算）", "全年预算", "实际支出", "转入结余分配")
    t.row("基本支出", fig(b.initial), na(), na(), _adjustment(b.initial, None, None, b.full_year),
          fig(b.full_year), fig(b.actual), fig(b.balance))
    t.row("项目支出", fig(p.initial), fig(p.added), fig(p.reduced), _adjustment(p.initial, p.added, p.reduced, p.full_year),
          fig(p.full_year), fig(p.actual), na())
    return t.build()


def _adjustment(initial: Figure, added: Figure | None, reduced: Figure | None, full_year: Figure) -> Cell:
    """What the text leaves unexplained between 年初 and 全年: shown, so the row adds up."""
    gap = value_of(full_year) - value_of(initial) - value_of(added) + value_of(reduced)
    return Cell(gap, "money")


def basic_items(r: SelfEvaluation, unit: str) -> Table:
    t = TableBuilder("basic-items", "基本支出主要明细", unit, note="按经济科目列示主要项目，未列全。").columns("科目", "金额")
    for item in r.execution.basic.items:
        t.row(item.subject, fig(item.amount))
    return t.build()


def three_public(r: SelfEvaluation, unit: str) -> Table:
    x = r.execution.three_public
    t = TableBuilder("three-public", "“三公”经费预算", unit).columns("项目", "本年预算")
    t.row("合计", fig(x.budget)).row("公务接待费", fig(x.reception))
    t.row("公务用车购置费", fig(x.vehicle_purchase)).row("公务用车运行维护费", fig(x.vehicle_operation))
    t.row("因公出国（境）费", fig(x.overseas)).row("较上年预算增减", fig(x.change))
    t.row("增减率", fig(x.change_rate, "percent"))
    return t.build()


def staff_control(r: SelfEvaluation) -> Table:
    s = r.basic_data.staff
    t = TableBuilder("staff-control", "财政供养人员情况").columns("编制数（人）", "实际在职人数（人）", "控制率")
    t.body.append([fig(s.authorized, "count"), fig(s.on_post, "count"), fig(s.control_rate, "percent")])
    return t.build()


def cost_control(r: SelfEvaluation, unit: str) -> Table:
    c = r.basic_data.costs
    year = r.year
    t = TableBuilder("cost-control", "经费控制情况", unit).columns("项目", f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数")
    tp = c.three_public
    _control(t, "“三公”经费", tp.total)
    _control(t, "1. 公务用车购置和维护经费", tp.vehicles)
    _control(t, "其中：公车购置", tp.vehicle_purchase)
    _control(t, "其中：公车运行维护", tp.vehicle_operation)
    _control(t, "2. 出国经费", tp.overseas)
    _control(t, "3. 公务接待", tp.reception)
    _control(t, "项目支出", c.projects.total)
    for n, row in enumerate(c.projects.rows, 1):
        _control(t, f"{n}. {row.name}", row)
    _control(t, "公用经费", c.public.total)
    for row in c.public.rows:
        _control(t, f"其中：{row.name}", row)
    _current(t, "政府采购金额", c.procurement)
    _current(t, "部门基本支出预算调整", c.basic_adjustment)
    return t.build()


def _control(t: TableBuilder, label: str, row: ControlRow) -> None:
    t.row(label, fig(row.prior_actual), fig(row.budget), fig(row.actual))


def _current(t: TableBuilder, label: str, row: CurrentRow) -> None:
    t.row(label, na(), fig(row.budget), fig(row.actual))


def buildings(r: SelfEvaluation) -> Table:
    b = r.basic_data.buildings
    t = TableBuilder("buildings", "楼堂馆所控制情况")
    t.columns("批复规模（㎡）", "实际规模（㎡）", "规模控制率", f"预算投资（{r.money_unit}）", f"实际投资（{r.money_unit}）", "投资概算控制率")
    t.body.append(
        [
            fig(b.approved_area, "area"),
            fig(b.actual_area, "area"),
            fig(b.area_control_rate, "percent"),
            fig(b.budget_investment),
            fig(b.actual_investment),
            fig(b.investment_control_rate, "percent"),
        ]
    )
    return t.build()


def funds(r: SelfEvaluation, unit: str) -> Table:
    return funds_table("funds", "年度资金总额", unit, r.form.funds)


def funds_table(table_id: str, caption: str, unit: str, f: FundsRow, sources: Sequence[tuple[str, SourceRow]] = ()) -> Table:
    """The 年度资金总额 row of a 自评表, then its “其中” rows by source (which have no 分值, 执行率 or 得分)."""
    t = TableBuilder(table_id, caption, unit).columns("项目", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    t.row(
        "年度资金总额",
        fig(f.initial),
        fig(f.full_year),
        fig(f.executed),
        fig(f.weight, "score"),
        fig(f.rate, "percent"),
        fig(f.score, "score"),
    )
    for label, row in sources:
        t.row(f"其中：{label}", fig(row.initial), fig(row.full_year), fig(row.executed), na(), na(), na())
    return t.build()


def funds_by_nature(r: SelfEvaluation, unit: str) -> Table:
    i, s = r.form.funds.by_income, r.form.funds.by_spending
    t = TableBuilder("funds-by-nature", "资金构成", unit).columns("分类", "项目", "金额")
    income_rows = [
        ("合计", i.total),
        ("一般公共预算", i.general_public),
        ("政府性基金拨款", i.government_fund),
        ("纳入专户管理的非税收入拨款", i.special_account),
        ("其他资金", i.other),
    ]
    spending_rows = [("合计", s.total), ("基本支出", s.basic), ("项目支出", s.project), ("转入结余分配", s.balance)]
    for group, rows in (("按收入性质分", income_rows), ("按支出性质分", spending_rows)):
        for n, (label, figure) in enumerate(rows):
            lead = [Cell(group, "label", header=True, rowspan=len(rows))] if n == 0 else []
            t.body.append([*lead, Cell(label, "label", header=True), fig(figure)])
    return t.build()


def indicators(r: SelfEvaluation) -> Table:
    return indicator_table("indicators", "绩效指标完成情况", r.form.categories, r.form.total)


def indicator_table(table_id: str, caption: str, categories: list[IndicatorCategory], total: Total) -> Table:
    """一级指标 → 二级指标 → 三级指标 as the form nests them, and the 总分 row."""
    t = TableBuilder(table_id, caption, "分值、得分单位：分")
    listed = [i for c in categories for g in c.groups for i in g.indicators]
    texts = [(label, attr) for label, attr in INDICATOR_TEXTS if attr in ("target", "achieved") or any(getattr(i, attr) for i in listed)]
    t.columns("一级指标", "二级指标", "三级指标", *(label for label, _ in texts), "分值", "得分", "偏差原因分析及改进措施")
    for category in categories:
        rows_in = [max(1, len(g.indicators)) for g in category.groups]
        for g_index, group in enumerate(category.groups):
            items = group.indicators or [None]
            for i_index, indicator in enumerate(items):
                lead: list[Cell] = []
                if g_index == 0 and i_index == 0:
                    label = f"{category.name}（{plain(category.weight.value)}分）"
                    lead.append(Cell(label, "label", header=True, rowspan=sum(rows_in)))
                if i_index == 0:
                    lead.append(Cell(group.name, "label", header=True, rowspan=rows_in[g_index]))
                t.body.append(lead + _indicator_cells(indicator, [attr for _, attr in texts]))
    t.body.append(
        [
            Cell("总分", "label", header=True, colspan=3 + len(texts)),
            fig(total.weight, "score"),
            fig(total.score, "score"),
            Cell(None, "text"),
        ]
    )
    return t.build()


# The text columns of an indicator, in the order the forms print them; 指标性质 and 度量单位 only where used.
INDICATOR_TEXTS = (("指标性质", "nature"), ("年度指标值", "target"), ("度量单位", "measure"), ("实际完成值", "achieved"))


def _indicator_cells(indicator, texts: list[str]) -> list[Cell]:
    if indicator is None:
        return [Cell("无", "label", header=True), *(Cell(None, "text") for _ in texts),
                *(Cell(None, k) for k in ("score", "score", "text"))]
    return [
        Cell(indicator.name, "label", header=True),
        *(text(getattr(indicator, attr)) for attr in texts),
        fig(indicator.weight, "score"),
        fig(indicator.score, "score"),
        text(indicator.deviation),
    ]


@dataclass(frozen=True)
class CorrectionNote:
    """A corrected cell as the 更正说明 list shows it: where it is, what it was, why it changed."""

    anchor: str
    table: Table
    where: str
    cell: Cell


def correction_anchor(table: Table, row: int, column: int) -> str:
    """The id a corrected cell's note link points to; the page and the list compute it alike."""
    return f"{table.id}-fix-{row}-{column}"


def corrections(tables: Iterable[Table]) -> list[CorrectionNote]:
    """Every corrected cell, in page order, for the 更正说明 list."""
    notes = []
    for table in tables:
        names = {c.id: c.text for row in table.head + table.body for c in row if c.id}
        columns = {c.id for row in table.head for c in row}
        for r, row in enumerate(table.body):
            for i, cell in enumerate(row):
                if cell.correction:
                    ordered = sorted(cell.headers, key=lambda h: h in columns)  # row headings, then the column
                    where = "·".join(names[h] for h in ordered if names.get(h))
                    notes.append(CorrectionNote(correction_anchor(table, r, i), table, where, cell))
    return notes


# 部门预算 and 部门决算: every table the report publishes, in its form's order, drawn from the form.

# A header spec: a column is (label, column name); a group of columns is (label, [specs]).
HeadSpec = list[tuple[str, str | list]]


def disclosure_tables(r: Disclosure) -> list[Table]:
    unit = f"单位：{r.money_unit}"
    return [table for bound in r.tables for table in form_tables(bound, unit, r.PLACES)]


def form_tables(t: BoundTable, unit: str, places: int) -> list[Table]:
    """A 科目 table, a table of items, or a two-sided table (one table, or one per side when their columns differ)."""
    if t.spec.by_subject:
        return [subject_table(t, unit, places)]
    if len(t.parts) == 1 and not t.parts[0].spec.name:
        return [items_table(t.spec.id, t.label, unit, t.parts[0], places, t.note)]
    if len({tuple(p.columns) for p in t.parts}) == 1:
        return [sided_table(t, unit, places)]
    return [
        items_table(f"{t.spec.id}-{n}", f"{t.label}（{part.spec.name}）", unit, part, places, t.note if n == len(t.parts) else "")
        for n, part in enumerate(t.parts, 1)
    ]


def subject_table(t: BoundTable, unit: str, places: int) -> Table:
    """A table by 科目: the 合计 row first, then the rows as listed; an empty table keeps its note."""
    part = t.parts[0] if t.parts else None
    builder = TableBuilder(t.spec.id, t.label, unit, note=t.note)
    if part is None:
        return builder.build()
    coded = any(row.code for row in part.rows)
    leading = ["科目编码", "科目名称"] if coded else ["项目" if t.spec.scheme == "列表" else "科目名称"]
    head = _spec(part)
    builder.head = _head(leading, head)
    columns = _leaf_columns(head)
    if t.total is not None or part.rows:
        builder.body.append([Cell("合计", "label", header=True, colspan=len(leading)), *_cells(t.total, columns, places)])
    for row in part.rows:
        lead = [Cell(row.code, "label", header=True), Cell(row.label, "label", header=True)] if coded else [Cell(row.label, "label", header=True)]
        builder.body.append([*lead, *_cells(row, columns, places)])
    return builder.build()


def items_table(table_id: str, caption: str, unit: str, part: BoundPart, places: int, note: str = "") -> Table:
    builder = TableBuilder(table_id, caption, unit, note=note)
    head = _spec(part)
    builder.head = _head(["项目"], head)
    columns = _leaf_columns(head)
    for row in part.rows:
        builder.body.append([Cell(row.label, "label", header=True), *_cells(row, columns, places)])
    return builder.build()


def sided_table(t: BoundTable, unit: str, places: int) -> Table:
    """收入 and 支出 one under the other, each side's rows headed by its name: what a screen reader can follow."""
    builder = TableBuilder(t.spec.id, t.label, unit, note=t.note)
    head = _spec(t.parts[0])
    builder.head = _head(["收支", "项目"], head)
    columns = _leaf_columns(head)
    for part in t.parts:
        for n, row in enumerate(part.rows):
            lead = [Cell(part.spec.name, "label", header=True, rowspan=len(part.rows))] if n == 0 else []
            builder.body.append([*lead, Cell(row.label, "label", header=True), *_cells(row, columns, places)])
    return builder.build()


def _spec(part: BoundPart) -> HeadSpec:
    """Header groups from the form: a column over its shown 下级 (as 小计 and its parts), then 分组 headings."""
    shown = part.columns
    entries: list[tuple[str, str, str | list]] = []  # (group, label, sub)
    skip: set[str] = set()
    for name in shown:
        if name in skip:
            continue
        column = part.spec.column(name)
        children = [c for c in (column.children if column else ()) if c in shown]
        if children:
            skip.update(children)
            entries.append((column.group if column else "", name, [("小计", name), *((c, c) for c in children)]))
        else:
            entries.append((column.group if column else "", name, name))
    spec: HeadSpec = []
    for group, label, sub in entries:
        if group and spec and spec[-1][0] == group and isinstance(spec[-1][1], list):
            spec[-1][1].append((label, sub))
        elif group:
            spec.append((group, [(label, sub)]))
        else:
            spec.append((label, sub))
    return spec


def _cells(row: Row | None, columns: list[str], places: int) -> list[Cell]:
    if row is None:
        return [Cell(None, "money", places=places) for _ in columns]
    return [_cell(row.cells.get(column), places) for column in columns]


def _cell(cell: object, places: int) -> Cell:
    if isinstance(cell, Dash):
        return Cell(cell.text, "text")
    if cell is None:
        return Cell(None, "money", places=places)
    kind = "percent" if isinstance(cell, Rate) else "money"
    return Cell(cell.value, kind, correction=cell.correction, places=places)  # type: ignore[attr-defined]


def _head(leading: list[str], spec: HeadSpec) -> list[list[Cell]]:
    """Header rows for nested column groups: groups span their columns, single columns span down."""
    depth = _depth(spec)
    rows: list[list[Cell]] = [[] for _ in range(depth)]
    rows[0] = [Cell(label, "label", header=True, rowspan=depth) for label in leading]
    _place(spec, 0, depth, rows)
    return rows


def _place(spec: HeadSpec, level: int, depth: int, rows: list[list[Cell]]) -> None:
    for label, sub in spec:
        if isinstance(sub, str):
            rows[level].append(Cell(label, "label", header=True, rowspan=depth - level))
        else:
            rows[level].append(Cell(label, "label", header=True, colspan=len(_leaf_columns(sub))))
            _place(sub, level + 1, depth, rows)


def _depth(spec: HeadSpec) -> int:
    return 1 + max((_depth(sub) for _, sub in spec if not isinstance(sub, str)), default=0)


def _leaf_columns(spec: HeadSpec) -> list[str]:
    return [column for _, sub in spec for column in ([sub] if isinstance(sub, str) else _leaf_columns(sub))]


# 项目支出绩效自评表: a summary of the projects, then each project's funds and indicators.


def project_evaluation_tables(r: ProjectEvaluation) -> list[Table]:
    unit = f"单位：{r.money_unit}"
    tables = [projects_summary(r, unit)]
    for number, project in enumerate(r.projects, 1):
        tables += project_tables(project, number, unit)
    return tables


def project_prefix(number: int) -> str:
    """The id every table, chart and section of the nth project (from 1) starts with."""
    return f"project-{number}"


def project_tables(project: Project, number: int, unit: str) -> list[Table]:
    prefix = project_prefix(number)
    return [
        funds_table(f"{prefix}-funds", f"{project.name}：项目资金", unit, project.funds, project.funds.sources()),
        indicator_table(f"{prefix}-indicators", f"{project.name}：绩效指标完成情况", project.categories, project.total),
    ]


def projects_summary(r: ProjectEvaluation, unit: str) -> Table:
    """One row per project: its money and its score, repeated from each project's own tables.

    The cells carry no correction: a corrected figure is noted once, in its project's table.
    """
    t = TableBuilder("projects", "项目汇总", unit, note="总分、得分单位：分。")
    t.columns("项目名称", "年初预算数", "全年预算数", "全年执行数", "执行率", "总分", "得分")
    for project in r.projects:
        f, total = project.funds, project.total
        cells = [fig(f.initial), fig(f.full_year), fig(f.executed), fig(f.rate, "percent"),
                 fig(total.weight, "score"), fig(total.score, "score")]
        if any(cell.correction for cell in cells):
            t.note = "总分、得分单位：分。更正过的数字，其原值和理由见各项目的表。"
        t.row(project.name, *(replace(cell, correction=None) for cell in cells))
    return t.build()


TABLES_BY_KIND: dict[str, Callable[[Any], list[Table]]] = {
    "self-evaluation": self_evaluation_tables,
    "budget": disclosure_tables,
    "final-accounts": disclosure_tables,
    "project-evaluation": project_evaluation_tables,
}
