"""Charts as inline SVG drawn at build time: no JavaScript, and nothing that is only visual.

Each chart carries a title, a description with the key figures and the table of what it draws.
Every drawn label is taken from that table's cells (Cell.text), so the picture and the table
cannot disagree. Sizes are computed in Decimal and rounded to 0.01, so the same report always
gives the same bytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from gongkai.models.base import Figure, value_of
from gongkai.models.project_evaluation import ProjectEvaluation
from gongkai.models.self_evaluation import FundsRow, IndicatorCategory, SelfEvaluation, Total
from gongkai.numbers import CENT, money, plain, ratio_percent
from gongkai.tables import NOT_APPLICABLE, Cell, Table, TableBuilder, na, project_prefix

FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
BACKGROUND = "#ffffff"
TEXT_COLOUR = "#1a1a1a"  # 17:1 on white
AXIS_COLOUR = "#595959"  # 7:1 on white

# Geometry in viewBox units. 14 units in a 360-wide box is 12.4 px when the chart is 320 px wide.
WIDTH = Decimal(360)
PAD = Decimal(8)
FONT = Decimal(14)
LINE = Decimal(20)  # one line of label text
BASELINE = Decimal(15)  # baseline offset within a line
BAR = Decimal(18)
BAR_GAP = Decimal(4)
GROUP_GAP = Decimal(14)
LABEL_GAP = Decimal(6)
SWATCH = Decimal(16)
STACK = Decimal(28)
MIN_PLOT = Decimal(120)
NARROW = Decimal("0.6")  # width of a Latin letter or digit, in ems
ELLIPSIS = "…"

Fill = Literal["solid", "hatch", "dots"]


@dataclass(frozen=True)
class Chart:
    id: str  # e.g. "chart-budget-execution"; unique within a page; used for element ids
    title: str  # Chinese, e.g. "预算与执行对比"
    description: str  # Chinese sentence(s) with the key figures, for screen readers
    svg: str  # the complete <svg> element, safe to insert into HTML5 and into WeasyPrint
    table: Table  # the data it draws


@dataclass(frozen=True)
class Series:
    """One kind of bar: a colour and a pattern, so series differ in greyscale too."""

    name: str
    colour: str
    fill: Fill


# Planned amounts and full marks are hatched; what was actually spent or scored is solid.
PLANNED_COLOUR = "#b45309"  # 5.0:1 on white
ACTUAL_COLOUR = "#1f5f99"  # 6.7:1 on white
OTHER_COLOUR = "#15803d"  # 5.0:1 on white
BAR_COLOURS = (PLANNED_COLOUR, ACTUAL_COLOUR, OTHER_COLOUR)


def self_evaluation_charts(report: SelfEvaluation) -> list[Chart]:
    """The self-evaluation report's charts, in the order they appear on the page."""
    return [budget_execution(report), spending_composition(report), scores(report)]


def report_charts(kind: str, report: object) -> list[Chart]:
    draw = CHARTS_BY_KIND.get(kind)
    return draw(report) if draw is not None else []  # type: ignore[operator]


# The three charts.


def budget_execution(r: SelfEvaluation) -> Chart:
    """全年预算 against 实际支出 for 基本支出, 项目支出 and their sum."""
    b, p = r.execution.basic, r.execution.project
    rows = [
        ("基本支出", b.full_year.value, b.actual.value),
        ("项目支出", p.full_year.value, p.actual.value),
        ("合计", b.full_year.value + p.full_year.value, b.actual.value + p.actual.value),
    ]
    chart_id, title = "chart-budget-execution", "预算与执行对比"
    note = "合计为基本支出与项目支出之和。"
    t = TableBuilder(f"{chart_id}-data", f"{title}（图表数据）", f"单位：{r.money_unit}", note=note)
    t.columns("项目", "全年预算", "实际支出", "执行率")
    for label, budget, actual in rows:
        t.row(label, Cell(budget, "money"), Cell(actual, "money"), _rate(actual, budget))
    table = t.build()
    series = (Series("全年预算", PLANNED_COLOUR, "hatch"), Series("实际支出", ACTUAL_COLOUR, "solid"))
    sentences = [_execution_sentence(row, r.money_unit) for row in table.body]
    description = f"{r.year}年度预算执行情况：{'；'.join(sentences)}。"
    svg = _grouped_svg(chart_id, title, description, table, series, f"单位：{r.money_unit}")
    return Chart(chart_id, title, description, svg, table)


def spending_composition(r: SelfEvaluation) -> Chart:
    """How the year's spending divides into 基本支出, 项目支出 and 转入结余分配 (附件1-2)."""
    s = r.form.funds.by_spending
    parts = [("基本支出", s.basic), ("项目支出", s.project), ("转入结余分配", s.balance)]
    amounts = [value_of(figure) for _, figure in parts]
    total = sum(amounts, Decimal(0))
    chart_id, title = "chart-spending-composition", "支出构成"
    note = _composition_note(s.total.value, total, r.money_unit)
    t = TableBuilder(f"{chart_id}-data", f"{title}（图表数据）", f"单位：{r.money_unit}", note=note)
    t.columns("项目", "金额", "占比")
    for (label, _), amount in zip(parts, amounts, strict=True):
        t.row(label, Cell(amount, "money"), _rate(amount, total))
    t.row("合计", Cell(total, "money"), _rate(total, total))
    table = t.build()
    series = (
        Series("基本支出", ACTUAL_COLOUR, "solid"),
        Series("项目支出", PLANNED_COLOUR, "hatch"),
        Series("转入结余分配", OTHER_COLOUR, "dots"),
    )
    description = _composition_description(r, table)
    svg = _stacked_svg(chart_id, title, description, table, series, f"单位：{r.money_unit}")
    return Chart(chart_id, title, description, svg, table)


def scores(r: SelfEvaluation) -> Chart:
    """分值 against 得分 for 预算执行率 and each 一级指标."""
    return scores_chart("chart-scores", "各类指标分值与得分", r.form.funds, r.form.categories, r.form.total)


def scores_chart(chart_id: str, title: str, funds: FundsRow, categories: list[IndicatorCategory], total: Total) -> Chart:
    """The scores chart of any 自评表: the department's, or one project's."""
    t = TableBuilder(f"{chart_id}-data", f"{title}（图表数据）", "单位：分").columns("指标", "分值", "得分")
    t.row("预算执行率", Cell(funds.weight.value, "score"), na() if funds.score is None else Cell(funds.score.value, "score"))
    for category in categories:
        score = category_score(category)
        t.row(category.name, Cell(category.weight.value, "score"), na() if score is None else Cell(score, "score"))
    table = t.build()
    series = (Series("分值", PLANNED_COLOUR, "hatch"), Series("得分", ACTUAL_COLOUR, "solid"))
    sentences = [f"{row[0].text}分值{row[1].text}分，{_scored(row[2])}" for row in table.body]
    overall = f"总分{plain(total.weight.value)}分，" + (f"得分{plain(total.score.value)}分" if total.score else "未填写得分")
    description = f"{'；'.join(sentences)}。{overall}。"
    svg = _grouped_svg(chart_id, title, description, table, series, "单位：分")
    return Chart(chart_id, title, description, svg, table)


def project_evaluation_charts(report: ProjectEvaluation) -> list[Chart]:
    """One scores chart per project, in project order."""
    return [
        scores_chart(f"chart-{project_prefix(n)}-scores", f"{p.name}各类指标分值与得分", p.funds, p.categories, p.total)
        for n, p in enumerate(report.projects, 1)
    ]


def category_score(category: IndicatorCategory) -> Decimal | None:
    """The category's 得分 as stated, else the sum of its indicators' (as the checks read it)."""
    if category.score is not None:
        return category.score.value
    figures: list[Figure | None] = [i.score for g in category.groups for i in g.indicators]
    if all(f is None for f in figures):
        return None  # nothing scored: say so rather than draw a zero
    return sum((value_of(f) for f in figures), Decimal(0))


# Charts by report kind; a kind without charts is not listed.
CHARTS_BY_KIND: dict[str, Callable[[Any], list[Chart]]] = {
    "self-evaluation": self_evaluation_charts,
    "project-evaluation": project_evaluation_charts,
}


# Descriptions.


def _rate(numerator: Decimal, denominator: Decimal) -> Cell:
    """A share or execution rate; “——” when the denominator is zero, never a division error."""
    value = ratio_percent(numerator, denominator, 2)
    return na() if value is None else Cell(value, "percent")


def _execution_sentence(row: Sequence[Cell], unit: str) -> str:
    label, budget, actual, rate = row[:4]
    rate_text = f"执行率{rate.text}" if rate.numeric else "全年预算为零，执行率无法计算"
    return f"{label.text}全年预算{budget.text}{unit}，实际支出{actual.text}{unit}，{rate_text}"


def _composition_description(r: SelfEvaluation, table: Table) -> str:
    *parts, total = table.body
    unit = r.money_unit
    if not total[2].numeric:
        return f"{r.year}年度支出按性质分，各项金额均为零。"
    shares = "；".join(f"{row[0].text}{row[1].text}{unit}，占{row[2].text}" for row in parts)
    return f"{r.year}年度支出按性质分：{shares}；合计{total[1].text}{unit}。"


def _composition_note(stated: Decimal, total: Decimal, unit: str) -> str:
    """Say how 合计 is made, and when the form's own 合计 disagrees, say that too."""
    note = "合计为以上三项之和，占比以此为分母。"
    if stated != total:
        note += f"自评表所列合计为{money(stated)}{unit}，与三项之和不一致。"
    return note


def _scored(cell: Cell) -> str:
    return f"得分{cell.text}分" if cell.numeric else "未填写得分"


# Drawing: grouped horizontal bars.


def _grouped_svg(chart_id: str, title: str, description: str, table: Table, series: Sequence[Series], unit: str) -> str:
    """One group per table row: the label on its own line, then one bar per series below it."""
    cells = [row[1 : 1 + len(series)] for row in table.body]
    values = [c.value for row in cells for c in row if c.numeric]
    top = max(values, default=Decimal(0))
    label_room = max((_text_width(c.text) for row in cells for c in row), default=Decimal(0))
    plot = max(MIN_PLOT, WIDTH - 2 * PAD - LABEL_GAP - label_room)
    body, y = _legend(chart_id, series, unit, PAD)
    y += GROUP_GAP / 2
    for row, bars in zip(table.body, cells, strict=True):
        for line in _wrap(row[0].text, WIDTH - 2 * PAD):
            body.append(_text(PAD, y + BASELINE, line, "chart-label"))
            y += LINE
        first = y
        for s, cell in zip(series, bars, strict=True):
            width = _scale(cell, top, plot)
            body.append(_bar(chart_id, s, PAD, y, width, BAR))
            body.append(
                _text(PAD + width + LABEL_GAP, y + BAR / 2 + Decimal(5), cell.text or NOT_APPLICABLE, "chart-value")
            )
            y += BAR + BAR_GAP
        body.append(_line(PAD, first - 2, PAD, y - BAR_GAP + 2))
        y += GROUP_GAP
    return _svg(chart_id, title, description, y - GROUP_GAP + PAD, _patterns(chart_id, series), body)


grouped_svg = _grouped_svg  # other pages' charts (compare.py) draw their bars the same way


def _scale(cell: Cell, top: Decimal, plot: Decimal) -> Decimal:
    """A bar's length: proportional to the largest value; zero when there is nothing to scale."""
    if not cell.numeric or top <= 0:
        return Decimal(0)
    return _round(Decimal(cell.value) * plot / top)


def _legend(chart_id: str, series: Sequence[Series], unit: str, y: Decimal) -> tuple[list[str], Decimal]:
    """Swatches and names, left to right, wrapping when the row is full; the unit last."""
    items = [(s, _text_width(s.name) + SWATCH + LABEL_GAP) for s in series]
    parts: list[str] = []
    x = PAD
    for s, width in items:
        if x > PAD and x + width > WIDTH - PAD:
            x, y = PAD, y + LINE
        parts.append(_bar(chart_id, s, x, y + 4, SWATCH, Decimal(12), "chart-swatch"))
        parts.append(_text(x + SWATCH + LABEL_GAP, y + BASELINE, s.name, "chart-legend"))
        x += width + 2 * LABEL_GAP
    if x + _text_width(unit) > WIDTH - PAD:
        y += LINE
    parts.append(_text(WIDTH - PAD, y + BASELINE, unit, "chart-unit", "end"))
    return parts, y + LINE


# Drawing: one stacked bar with a legend that reads like a small table.


def _stacked_svg(chart_id: str, title: str, description: str, table: Table, series: Sequence[Series], unit: str) -> str:
    """Segments in table order across the full width; each named with amount and share below."""
    *parts, total_row = table.body
    total = total_row[1].value if total_row[1].numeric else Decimal(0)
    plot = WIDTH - 2 * PAD
    body = [_text(WIDTH - PAD, PAD + BASELINE, unit, "chart-unit", "end")]
    y = PAD + LINE + BAR_GAP
    running, x = Decimal(0), PAD
    for s, row in zip(series, parts, strict=True):
        running += Decimal(row[1].value)
        end = PAD + (_round(running * plot / total) if total > 0 else Decimal(0))
        body.append(_bar(chart_id, s, x, y, end - x, STACK))
        x = end
    body.append(_line(PAD, y - 2, PAD, y + STACK + 2))
    y += STACK + GROUP_GAP
    share_w = max(_text_width(row[2].text) for row in table.body)
    amount_right = WIDTH - PAD - share_w - 2 * LABEL_GAP
    for s, row in [*zip(series, parts, strict=True), (None, total_row)]:
        if s is not None:
            body.append(_bar(chart_id, s, PAD, y + 4, SWATCH, Decimal(12), "chart-swatch"))
        name_room = amount_right - _text_width(row[1].text) - PAD - SWATCH - 3 * LABEL_GAP
        for n, line in enumerate(_wrap(row[0].text, name_room)):
            body.append(_text(PAD + SWATCH + LABEL_GAP, y + BASELINE + LINE * n, line, "chart-legend"))
        body.append(_text(amount_right, y + BASELINE, row[1].text, "chart-value", "end"))
        body.append(_text(WIDTH - PAD, y + BASELINE, row[2].text, "chart-value", "end"))
        y += LINE * len(_wrap(row[0].text, name_room)) + BAR_GAP
    return _svg(chart_id, title, description, y + PAD, _patterns(chart_id, series), body)


# SVG elements. Every attribute goes through quoteattr and every text through escape.


def _svg(chart_id: str, title: str, description: str, height: Decimal, defs: list[str], body: list[str]) -> str:
    """The whole element: title and desc first, then patterns, then the drawing."""
    attrs = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        role="img",
        **{"aria-labelledby": f"{chart_id}-title {chart_id}-desc"},
        viewBox=f"0 0 {_num(WIDTH)} {_num(height)}",
        width="100%",
        preserveAspectRatio="xMinYMin meet",
        **{"font-family": FONT_FAMILY, "font-size": _num(FONT)},
        **{"class": "chart-svg"},
    )
    lines = [
        f"<svg{attrs}>",
        f"<title{_attrs(id=f'{chart_id}-title')}>{escape(title)}</title>",
        f"<desc{_attrs(id=f'{chart_id}-desc')}>{escape(description)}</desc>",
        f"<defs>{''.join(defs)}</defs>",
        f"<rect{_attrs(width='100%', height='100%', fill=BACKGROUND)}/>",
        *body,
        "</svg>",
    ]
    return "\n".join(lines)


def _patterns(chart_id: str, series: Sequence[Series]) -> list[str]:
    """Hatching and dots, with ids prefixed by the chart's so several charts share a page."""
    out = []
    for s in series:
        if s.fill == "hatch":
            mark = f"<path{_attrs(d='M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4', stroke=s.colour, **{'stroke-width': '2'})}/>"
        elif s.fill == "dots":
            mark = f"<circle{_attrs(cx='4', cy='4', r='2', fill=s.colour)}/>"
        else:
            continue
        tile = f"<rect{_attrs(width='8', height='8', fill=BACKGROUND)}/>{mark}"
        attrs = _attrs(id=_pattern_id(chart_id, s), patternUnits="userSpaceOnUse", width="8", height="8")
        out.append(f"<pattern{attrs}>{tile}</pattern>")
    return out


def _pattern_id(chart_id: str, s: Series) -> str:
    return f"{chart_id}-{s.fill}"


def _bar(
    chart_id: str, s: Series, x: Decimal, y: Decimal, width: Decimal, height: Decimal, cls: str = "chart-bar"
) -> str:
    """A bar outlined in its colour, so a hatched or dotted bar still has a 3:1 edge."""
    fill = s.colour if s.fill == "solid" else f"url(#{_pattern_id(chart_id, s)})"
    attrs = _attrs(
        **{"class": cls},
        x=_num(x),
        y=_num(y),
        width=_num(width),
        height=_num(height),
        fill=fill,
        stroke=s.colour,
        **{"stroke-width": "1.5"},
    )
    return f"<rect{attrs}/>"


def _text(x: Decimal, y: Decimal, content: str, cls: str, anchor: str = "start") -> str:
    attrs = _attrs(**{"class": cls}, x=_num(x), y=_num(y), fill=TEXT_COLOUR)
    if anchor != "start":
        attrs += _attrs(**{"text-anchor": anchor})
    return f"<text{attrs}>{escape(content)}</text>"


def _line(x1: Decimal, y1: Decimal, x2: Decimal, y2: Decimal) -> str:
    attrs = _attrs(**{"class": "chart-axis"}, x1=_num(x1), y1=_num(y1), x2=_num(x2), y2=_num(y2), stroke=AXIS_COLOUR)
    return f"<line{attrs}/>"


def _attrs(**values: str) -> str:
    return "".join(f" {name}={quoteattr(value)}" for name, value in values.items())


# Numbers and text measurement.


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _num(value: Decimal) -> str:
    """A coordinate rounded to 0.01 and written without trailing zeros: byte-stable output."""
    return plain(_round(value))


def _char_width(ch: str) -> Decimal:
    """Full-width (CJK) characters take one em; everything else about 0.6 em."""
    return FONT if unicodedata.east_asian_width(ch) in ("W", "F") else FONT * NARROW


def _text_width(text: str) -> Decimal:
    return sum((_char_width(ch) for ch in text), Decimal(0))


def _wrap(text: str, width: Decimal, max_lines: int = 2) -> list[str]:
    """Break a label into lines that fit; shorten the last with “…” (the table keeps it whole)."""
    width = max(width, FONT * 4)
    lines: list[str] = []
    current, used = "", Decimal(0)
    for ch in text:
        w = _char_width(ch)
        if current and used + w > width:
            lines.append(current)
            current, used = "", Decimal(0)
        current += ch
        used += w
    lines.append(current)
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and _text_width(last + ELLIPSIS) > width:
        last = last[:-1]
    return [*lines[: max_lines - 1], last + ELLIPSIS]
