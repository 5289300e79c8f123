"""The charts: well-formed, labelled SVG whose every drawn figure is in its table, in any report."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CONTENT, SAMPLE_REPORT

from gongkai import charts
from gongkai.charts import Chart, self_evaluation_charts
from gongkai.models.base import CountFigure, Figure, walk
from gongkai.models.self_evaluation import SelfEvaluation
from gongkai.reader import read_document
from gongkai.tables import self_evaluation_tables
from gongkai.validate import validate

SVG = "{http://www.w3.org/2000/svg}"
HEX = re.compile(r"#[0-9a-fA-F]{6}")
WHITE = "#ffffff"


@pytest.fixture
def report() -> SelfEvaluation:
    """A fresh copy of the sample report, so a test may change its figures and names."""
    model, findings = validate(read_document(CONTENT / SAMPLE_REPORT), SelfEvaluation)
    assert model is not None, findings
    return model


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def table_texts(chart: Chart) -> set[str]:
    return {cell.text for row in chart.table.body for cell in row}


def chart_by_id(report: SelfEvaluation, chart_id: str) -> Chart:
    return next(c for c in self_evaluation_charts(report) if c.id == chart_id)


def bars_with_labels(root: ET.Element) -> list[tuple[Decimal, str]]:
    """(drawn width, value label) for each bar, pairing each bar with the label drawn after it."""
    pairs, pending = [], None
    for element in root.iter():
        classes = (element.get("class") or "").split()
        if "chart-bar" in classes:
            pending = Decimal(element.get("width", "0"))
        elif "chart-value" in classes and pending is not None:
            pairs.append((pending, element.text or ""))
            pending = None
    return pairs


def zero_everything(report: SelfEvaluation) -> SelfEvaluation:
    """Every amount, score, rate and count set to zero: the chart must not divide by it."""
    for obj in list(walk(report)):
        if isinstance(obj, Figure) and hasattr(obj, "value"):
            obj.value = 0 if isinstance(obj, CountFigure) else Decimal(0)  # type: ignore[attr-defined]
    return report


# The elements screen readers and browsers rely on.


def test_at_least_three_charts_with_distinct_ids(report: SelfEvaluation) -> None:
    found = self_evaluation_charts(report)
    assert [c.id for c in found] == ["chart-budget-execution", "chart-spending-composition", "chart-scores"]
    assert all(c.title and c.description for c in found)


def test_svg_is_well_formed_and_named_by_title_and_desc(report: SelfEvaluation) -> None:
    for chart in self_evaluation_charts(report):
        root = parse(chart)
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{chart.id}-title {chart.id}-desc"
        title, desc = list(root)[:2]
        assert (title.tag, title.get("id"), title.text) == (f"{SVG}title", f"{chart.id}-title", chart.title)
        assert (desc.tag, desc.get("id"), desc.text) == (f"{SVG}desc", f"{chart.id}-desc", chart.description)


def test_svg_scales_with_its_container(report: SelfEvaluation) -> None:
    for chart in self_evaluation_charts(report):
        root = parse(chart)
        assert root.get("width") == "100%" and root.get("height") is None
        x, y, width, height = (Decimal(v) for v in root.get("viewBox", "").split())
        assert (x, y) == (0, 0) and width > 0 and height > 0
        assert "px" not in chart.svg


def test_text_is_at_least_12px_when_the_chart_is_320px_wide(report: SelfEvaluation) -> None:
    for chart in self_evaluation_charts(report):
        root = parse(chart)
        width = Decimal(root.get("viewBox", "").split()[2])
        sizes = [Decimal(e.get("font-size")) for e in root.iter() if e.get("font-size")]
        assert sizes, "the font size is set on the svg element"
        assert all(size * 320 / width >= 12 for size in sizes)


def test_text_uses_the_chinese_system_font_stack(report: SelfEvaluation) -> None:
    stack = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
    for chart in self_evaluation_charts(report):
        assert parse(chart).get("font-family") == stack


def test_element_ids_are_unique_on_the_report_page(report: SelfEvaluation) -> None:
    ids = [e.get("id") for c in self_evaluation_charts(report) for e in parse(c).iter() if e.get("id")]
    ids += [c.table.id for c in self_evaluation_charts(report)]
    ids += [cell.id for c in self_evaluation_charts(report) for row in c.table.head + c.table.body for cell in row]
    ids += [t.id for t in self_evaluation_tables(report)]
    ids += [cell.id for t in self_evaluation_tables(report) for row in t.head + t.body for cell in row]
    ids = [i for i in ids if i]
    assert len(ids) == len(set(ids))


def test_patterns_referenced_are_defined_in_the_same_svg(report: SelfEvaluation) -> None:
    for chart in self_evaluation_charts(report):
        root = parse(chart)
        defined = {e.get("id") for e in root.iter() if e.get("id")}
        used = set(re.findall(r"url\(#([^)]+)\)", chart.svg))
        assert used and used <= defined
        assert all(i.startswith(f"{chart.id}-") for i in defined)


# What is drawn is what the table says.


def test_every_value_label_is_a_cell_of_the_chart_table(report: SelfEvaluation) -> None:
    for chart in self_evaluation_charts(report):
        labels = [e.text for e in by_class(parse(chart), "chart-value")]
        assert labels
        assert set(labels) <= table_texts(chart), chart.id


def test_every_bar_has_a_value_label(report: SelfEvaluation) -> None:
    for chart_id in ("chart-budget-execution", "chart-scores"):
        root = parse(chart_by_id(report, chart_id))
        assert len(bars_with_labels(root)) == len(by_class(root, "chart-bar"))


def test_budget_execution_draws_the_sample_figures(report: SelfEvaluation) -> None:
    chart = chart_by_id(report, "chart-budget-execution")
    labels = [label for _, label in bars_with_labels(parse(chart))]
    assert labels == ["194.42", "194.30", "106.06", "106.06", "300.48", "300.36"]
    assert [row[0].text for row in chart.table.body] == ["基本支出", "项目支出", "合计"]
    assert chart.table.unit == "单位：万元"
    for figure in ("194.42", "194.30", "106.06", "300.48", "300.36", "99.96%"):
        assert figure in chart.description


def test_bar_widths_are_proportional_to_values(report: SelfEvaluation) -> None:
    drawn = bars_with_labels(parse(chart_by_id(report, "chart-budget-execution")))
    width_of = {label: width for width, label in drawn}
    ratio = width_of["194.30"] / width_of["106.06"]
    assert abs(ratio / (Decimal("194.30") / Decimal("106.06")) - 1) < Decimal("0.01")
    per_unit = {width / Decimal(label) for width, label in drawn}
    assert max(per_unit) / min(per_unit) - 1 < Decimal("0.01")


def test_score_bars_are_proportional_and_cover_each_category(report: SelfEvaluation) -> None:
    chart = chart_by_id(report, "chart-scores")
    assert [row[0].text for row in chart.table.body] == ["预算执行率", "产出指标", "效益指标", "满意度指标"]
    assert [[c.text for c in row[1:]] for row in chart.table.body] == [
        ["10", "10"],
        ["50", "50"],
        ["30", "28"],
        ["10", "10"],
    ]
    pairs = bars_with_labels(parse(chart))
    per_point = {width / Decimal(label) for width, label in pairs}
    assert max(per_point) / min(per_point) - 1 < Decimal("0.01")
    assert "总分100分，得分98分" in chart.description


def test_stacked_segments_split_the_full_width_in_proportion(report: SelfEvaluation) -> None:
    chart = chart_by_id(report, "chart-spending-composition")
    root = parse(chart)
    segments = by_class(root, "chart-bar")
    amounts = [Decimal(row[1].value) for row in chart.table.body[:-1]]
    assert [row[0].text for row in chart.table.body] == ["基本支出", "项目支出", "转入结余分配", "合计"]
    assert amounts == [Decimal("194.30"), Decimal("106.06"), Decimal("0.12")]
    widths = [Decimal(s.get("width", "0")) for s in segments]
    assert abs(widths[0] / widths[1] / (amounts[0] / amounts[1]) - 1) < Decimal("0.01")
    xs = [Decimal(s.get("x", "0")) for s in segments]
    assert all(xs[i] + widths[i] == xs[i + 1] for i in range(len(xs) - 1)), "segments touch without gaps"
    view_width = Decimal(root.get("viewBox", "").split()[2])
    assert xs[-1] + widths[-1] == view_width - xs[0]
    legend = [e.text for e in by_class(root, "chart-legend")]
    assert legend == ["基本支出", "项目支出", "转入结余分配", "合计"]
    assert "64.66%" in chart.description and "0.12" in chart.description


def test_composition_table_notes_a_stated_total_that_differs(report: SelfEvaluation) -> None:
    chart = chart_by_id(report, "chart-spending-composition")
    assert "不一致" not in chart.table.note
    report.form.funds.by_spending.total.value = Decimal("303.36")
    chart = chart_by_id(report, "chart-spending-composition")
    assert chart.table.body[-1][1].text == "300.48", "the chart draws the parts; 合计 is their sum"
    assert "自评表所列合计为303.36万元" in chart.table.note


def test_output_is_byte_stable(report: SelfEvaluation) -> None:
    first = self_evaluation_charts(report)
    again = self_evaluation_charts(report.model_copy(deep=True))
    assert [c.svg for c in first] == [c.svg for c in again]
    assert [c.description for c in first] == [c.description for c in again]
    coordinates = re.findall(r'\b(?:x|y|x1|x2|y1|y2|width|height)="([\d.]+)"', "".join(c.svg for c in first))
    assert coordinates and all(len(v.partition(".")[2]) <= 2 for v in coordinates)


# Reports that are not like the sample.


def test_all_zero_figures_draw_empty_bars_without_error(report: SelfEvaluation) -> None:
    found = self_evaluation_charts(zero_everything(report))
    for chart in found:
        root = parse(chart)
        assert all(Decimal(bar.get("width", "0")) == 0 for bar in by_class(root, "chart-bar"))
        assert {e.text for e in by_class(root, "chart-value")} <= table_texts(chart)
    budget = found[0]
    assert "执行率无法计算" in budget.description
    assert "均为零" in found[1].description


def test_category_without_indicators_is_shown_unscored(report: SelfEvaluation) -> None:
    category = report.form.categories[1]
    category.score = None
    for group in category.groups:
        group.indicators = []
    chart = chart_by_id(report, "chart-scores")
    row = chart.table.body[2]
    assert [c.text for c in row] == ["效益指标", "30", "——"]
    labels = [label for _, label in bars_with_labels(parse(chart))]
    assert labels[4:6] == ["30", "——"]
    assert "效益指标分值30分，未填写得分" in chart.description


def test_stated_category_score_is_used_over_the_indicator_sum(report: SelfEvaluation) -> None:
    category = report.form.categories[1]
    category.score = category.weight.model_copy(update={"value": Decimal("27.5")})
    chart = chart_by_id(report, "chart-scores")
    assert chart.table.body[2][2].text == "27.5"


def test_long_names_wrap_to_two_lines_and_stay_whole_in_the_table(report: SelfEvaluation) -> None:
    long_name = "社会效益与可持续影响综合指标" * 6
    report.form.categories[0].name = long_name
    chart = chart_by_id(report, "chart-scores")
    shown = [e.text or "" for e in by_class(parse(chart), "chart-label")]
    lines = shown[shown.index("预算执行率") + 1 : shown.index("效益指标")]
    assert len(lines) == 2
    assert long_name.startswith(lines[0]) and lines[1].endswith("…")
    assert long_name.startswith(lines[0] + lines[1][:-1])
    assert chart.table.body[1][0].text == long_name


def test_text_stays_inside_the_view_box(report: SelfEvaluation) -> None:
    report.money_unit = "元"
    for obj in list(walk(report)):
        if isinstance(obj, Figure) and hasattr(obj, "value") and not isinstance(obj, CountFigure):
            obj.value = Decimal(obj.value) * 10000  # type: ignore[attr-defined]
    report.form.categories[0].name = "很长的一级指标名称" * 8
    for chart in self_evaluation_charts(report):
        root = parse(chart)
        _, _, width, height = (Decimal(v) for v in root.get("viewBox", "").split())
        for text in root.iter(f"{SVG}text"):
            x, y = Decimal(text.get("x", "0")), Decimal(text.get("y", "0"))
            extent = charts._text_width(text.text or "")
            left = x - extent if text.get("text-anchor") == "end" else x
            assert 0 <= left and left + extent <= width and 0 < y <= height, (chart.id, text.text)


def test_markup_in_names_is_escaped(report: SelfEvaluation) -> None:
    report.form.categories[0].name = '<script>alert("x")</script> & 产出'
    chart = chart_by_id(report, "chart-scores")
    assert "<script" not in chart.svg
    root = parse(chart)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    drawn = "".join(e.text or "" for e in by_class(root, "chart-label"))
    assert '<script>alert("x")</script> & 产出' in drawn
    assert '<script>alert("x")</script> & 产出' in (root.find(f"{SVG}desc").text or "")


# Colour: WCAG 1.4.11 for bars and lines, 1.4.3 for text, against the white background.


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", WHITE) == pytest.approx(21)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)


def test_palette_meets_contrast_minimums() -> None:
    assert charts.BACKGROUND == WHITE
    assert all(contrast(c, WHITE) >= 3 for c in (*charts.BAR_COLOURS, charts.AXIS_COLOUR))
    assert contrast(charts.TEXT_COLOUR, WHITE) >= 4.5


def test_every_colour_drawn_meets_contrast_minimums(report: SelfEvaluation) -> None:
    for chart in self_evaluation_charts(report):
        root = parse(chart)
        for element in root.iter():
            colours = [element.get(a) for a in ("fill", "stroke") if HEX.fullmatch(element.get(a) or "")]
            if element.tag == f"{SVG}text":
                assert colours and all(contrast(c, WHITE) >= 4.5 for c in colours), chart.id
            else:
                assert all(c.lower() == WHITE or contrast(c, WHITE) >= 3 for c in colours), (chart.id, colours)


def test_series_differ_by_more_than_colour(report: SelfEvaluation) -> None:
    for chart in self_evaluation_charts(report):
        fills = {bar.get("fill") for bar in by_class(parse(chart), "chart-bar")}
        assert len({f for f in fills if f and f.startswith("url(")}) >= 1
        assert len(fills) >= 2, "each series has its own fill: solid, hatched or dotted"


# The consumers: HTML5 pages and WeasyPrint.


def test_weasyprint_draws_the_charts_without_complaint(
    report: SelfEvaluation, caplog: pytest.LogCaptureFixture
) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    body = "".join(f"<figure>{c.svg}</figure>" for c in self_evaluation_charts(report))
    head = '<meta charset="utf-8"><title>图表</title>'
    html = f'<!DOCTYPE html><html lang="zh-CN"><head>{head}</head><body>{body}</body></html>'
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = weasyprint.HTML(string=html, base_url=str(Path.cwd())).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
