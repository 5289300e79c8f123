"""A unit's years side by side: the key figures of every year in one table, and their trend as charts.

Drawn from the reports' listings only (figures.py puts the key figures there when a report is read),
so a rebuild draws it without reading a report. Changes from the year before are computed here, in
Decimal, never taken from what a report typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from gongkai import site
from gongkai.charts import ACTUAL_COLOUR, PLANNED_COLOUR, Chart, Series, grouped_svg
from gongkai.content import Content, ReportEntry
from gongkai.figures import NAMES, FigureKind
from gongkai.numbers import CENT, money
from gongkai.tables import Cell, Table, TableBuilder

TABLE_ID = "compare"
KINDS = ("budget", "final-accounts", "self-evaluation")  # the kinds with key figures, in page order
NOTE = (
    "“较上年增减”为本年数减上年数，由本站根据两年公开的数字计算，原报告未列示；执行率的增减以百分点计，"
    "得分的增减以分计。上年没有公开该数字，或两年金额单位不同时，增减留空；金额单位与表头不同的数字注明其单位。"
    "每个数字链接到它所在的报告表格。"
)


@dataclass(frozen=True)
class Comparison:
    years: list[int]
    table: Table
    charts: list[Chart]


def comparison(content: Content, unit_id: str) -> Comparison:
    """The unit's key figures by year, oldest first, so a row reads as a trend from left to right."""
    reports = {(r.year, r.kind): r for r in content.reports if r.unit.id == unit_id and r.kind in KINDS}
    years = sorted({year for year, _ in reports})
    unit = _money_unit(list(reports.values()))
    return Comparison(years, _table(reports, years, unit), _charts(reports, years, unit))


def _money_unit(reports: Sequence[ReportEntry]) -> str:
    """The unit most of the reports use; a year in another unit gets no change (see NOTE)."""
    units = [r.listing.money_unit for r in reports if r.listing.money_unit]
    return max(sorted(set(units)), key=units.count) if units else "万元"


Reports = dict[tuple[int, str], ReportEntry]


def _table(reports: Reports, years: list[int], unit: str) -> Table:
    """Two heading columns (report, figure); per year its figure and, after the first year, the change."""
    head_years = [Cell(f"{y}年度", "label", header=True, colspan=1 if n == 0 else 2) for n, y in enumerate(years)]
    first = [Cell("报告", "label", header=True, rowspan=2), Cell("项目", "label", header=True, rowspan=2), *head_years]
    second = [Cell(label, "label", header=True) for n in range(len(years)) for label in _sub_headings(n)]
    t = TableBuilder(TABLE_ID, "历年主要数字对比", f"金额单位：{unit}；执行率：%；得分：分", note=NOTE)
    t.head = [first, second]
    for kind in KINDS:
        rows = [(name, kind_) for name, kind_ in NAMES[kind] if any(_figure(reports, y, kind, name) for y in years)]
        for n, (name, figure_kind) in enumerate(rows):
            lead = [Cell(site.KIND_NAMES[kind], "label", header=True, rowspan=len(rows))] if n == 0 else []
            cells = _row_cells(reports, years, kind, name, figure_kind, unit)
            t.body.append([*lead, Cell(name, "label", header=True), *cells])
    return t.build()


def _sub_headings(n: int) -> tuple[str, ...]:
    return ("数值",) if n == 0 else ("数值", "较上年增减")


def _figure(reports: Reports, year: int, kind: str, name: str) -> tuple[ReportEntry, Decimal, str] | None:
    """A report's key figure: the report, the value and the anchor of its table; None when not stated."""
    entry = reports.get((year, kind))
    found = entry.listing.figure(name) if entry is not None else None
    return (entry, found.value, found.anchor) if entry is not None and found is not None else None


def _row_cells(reports: Reports, years: list[int], kind: str, name: str, figure_kind: FigureKind, unit: str) -> list[Cell]:
    cells = []
    for n, year in enumerate(years):
        found = _figure(reports, year, kind, name)
        if found is None:
            cells.append(Cell(None, figure_kind))  # blank stays blank
        else:
            cells.append(_value_cell(*found, figure_kind, unit))
        if n > 0:
            cells.append(_change(reports, year, kind, name, figure_kind, unit))
    return cells


def _value_cell(entry: ReportEntry, value: Decimal, anchor: str, figure_kind: FigureKind, unit: str) -> Cell:
    """A figure linked to its table; an amount in another unit than the table's says its own unit."""
    href = f"{site.report_path(entry)}#{anchor}"
    if figure_kind == "money" and entry.listing.money_unit != unit:
        return Cell(f"{money(value)}{entry.listing.money_unit}", "text", href=href)
    return Cell(value, figure_kind, href=href)


def _change(reports: Reports, year: int, kind: str, name: str, figure_kind: FigureKind, unit: str) -> Cell:
    """This year's figure minus last year's, to the cent; blank without both, or across money units."""
    now, before = _figure(reports, year, kind, name), _figure(reports, year - 1, kind, name)
    change_kind: FigureKind = "money" if figure_kind == "money" else "score"  # rates change by 百分点
    if now is None or before is None:
        return Cell(None, change_kind)
    if figure_kind == "money" and {now[0].listing.money_unit, before[0].listing.money_unit} != {unit}:
        return Cell(None, change_kind)
    return Cell((now[1] - before[1]).quantize(CENT), change_kind)


# The trend charts: one group of bars per year, the budget's figure beside the final accounts'.

CHARTS = (
    ("chart-compare-total", "历年收支总计", "收支总计"),
    ("chart-compare-three-public", "历年“三公”经费", "“三公”经费合计"),
)


def _charts(reports: Reports, years: list[int], unit: str) -> list[Chart]:
    return [_trend(chart_id, title, name, reports, years, unit) for chart_id, title, name in CHARTS]


def _trend(chart_id: str, title: str, name: str, reports: Reports, years: list[int], unit: str) -> Chart:
    t = TableBuilder(f"{chart_id}-data", f"{title}（图表数据）", f"单位：{unit}").columns("年度", "部门预算", "部门决算")
    for year in years:
        t.row(f"{year}年度", *(_chart_cell(reports, year, kind, name, unit) for kind in ("budget", "final-accounts")))
    table = t.build()
    series = (Series("部门预算", PLANNED_COLOUR, "hatch"), Series("部门决算", ACTUAL_COLOUR, "solid"))
    sentences = [f"{row[0].text}部门预算{_said(row[1], unit)}，部门决算{_said(row[2], unit)}" for row in table.body]
    description = f"{name}：{'；'.join(sentences)}。" if sentences else f"{name}：尚无公开的数字。"
    svg = grouped_svg(chart_id, title, description, table, series, f"单位：{unit}")
    return Chart(chart_id, title, description, svg, table)


def _chart_cell(reports: Reports, year: int, kind: str, name: str, unit: str) -> Cell:
    """A chart draws only figures in the table's unit: a bar in 元 beside bars in 万元 would mislead."""
    found = _figure(reports, year, kind, name)
    if found is None or found[0].listing.money_unit != unit:
        return Cell(None, "money")
    return Cell(found[1], "money")


def _said(cell: Cell, unit: str) -> str:
    return f"{cell.text}{unit}" if cell.numeric else "未公开"
