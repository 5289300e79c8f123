"""项目支出绩效自评表 from a workbook: each project's 项目资金 and 绩效指标完成情况 tables, by their titles.

The tables are the ones our downloads (and most 自评表 templates) print: the 年度资金总额 row and its
“其中：…” rows by source; the indicators with 一级指标 “产出指标（50分）”, 二级指标, 三级指标 and the
总分 row. What a workbook does not hold stays blank for the finance officer: 主管部门, 实施单位, the
年度总体目标 and each 一级指标's 得分 (the tables print its 分值 only). The 项目汇总 table repeats the
projects' own figures: each is compared with them, and any that differs is listed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from gongkai.importing.compose import Leftover
from gongkai.importing.grid import Sheet, number

FUNDS = "：项目资金"
INDICATORS = "：绩效指标完成情况"
SUMMARY = "项目汇总"
_UNIT_SUFFIX = re.compile(r"[（(](?:万元|元|分|人)[）)]$")
_CATEGORY = re.compile(r"^(.*?)[（(](\d+(?:\.\d+)?)分[）)]$")
_SOURCE = re.compile(r"^其中[：:]\s*(.+)$")
_FUND_COLUMNS = ("年初预算数", "全年预算数", "全年执行数")
_TEXT_COLUMNS = {"三级指标": "名称", "指标性质": "指标性质", "年度指标值": "年度指标值", "度量单位": "度量单位",
                 "实际完成值": "实际完成值", "偏差原因分析及改进措施": "偏差原因"}
_DASHES = frozenset({"——", "—", "-", "/"})


def is_project_workbook(captions: list[str]) -> bool:
    return any(c.endswith(FUNDS) for c in captions) or SUMMARY in captions


def project_data(sheets: list[Sheet], captions: dict[str, str], leftovers: list[Leftover]) -> list[dict[str, Any]]:
    """The 项目 list, in the order of the 项目汇总 table (else of the 项目资金 tables)."""
    by_caption = {captions.get(s.name, s.name): s for s in sheets}
    names = [c.removesuffix(FUNDS) for c in by_caption if c.endswith(FUNDS)]
    projects = []
    for name in names:
        project: dict[str, Any] = {"项目名称": name, "主管部门": None, "实施单位": None}
        project["项目资金"] = _funds(by_caption[name + FUNDS], leftovers)
        project["年度总体目标"] = {"预期目标": None, "实际完成情况": None}
        indicators = by_caption.get(name + INDICATORS)
        project["绩效指标"], project["总分"] = _indicators(indicators, leftovers) if indicators else ([], {})
        projects.append(project)
    if SUMMARY in by_caption:
        _compare_summary(by_caption[SUMMARY], projects, leftovers)
    return projects


def _header(sheet: Sheet) -> list[str]:
    return [_UNIT_SUFFIX.sub("", str(v or "")).strip() for v in (sheet.rows[0] if sheet.rows else [])]


def _funds(sheet: Sheet, leftovers: list[Leftover]) -> dict[str, Any]:
    header = _header(sheet)
    funds: dict[str, Any] = {}
    for r, row in enumerate(sheet.rows[1:], 1):
        label = str(row[0] or "").strip() if row else ""
        cells = _cells(sheet, r, header, leftovers, percent=("执行率",))
        source = _SOURCE.match(label)
        if label == "年度资金总额":
            funds = {**cells, **funds}
        elif source:
            funds[source.group(1)] = {k: v for k, v in cells.items() if k in _FUND_COLUMNS}
        else:
            leftovers += [Leftover(sheet.place(r, c), str(v), f"“{label}”不是项目资金表的一行") for c, v in enumerate(row) if number(v) is not None]
    return funds


def _indicators(sheet: Sheet, leftovers: list[Leftover]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    header = _header(sheet)
    categories: list[dict[str, Any]] = []
    total: dict[str, Any] = {}
    for r, row in enumerate(sheet.rows[1:], 1):
        values = dict(zip(header, row, strict=False))
        first = str(values.get("一级指标") or "").strip()
        if first == "总分":
            total = _cells(sheet, r, header, leftovers, only=("分值", "得分"))
            continue
        found = _CATEGORY.match(first)
        if found is None:
            leftovers += [Leftover(sheet.place(r, c), str(v), f"看不出“{first}”是哪个一级指标") for c, v in enumerate(row) if number(v) is not None]
            continue
        name, weight = found.group(1), found.group(2)
        if not categories or categories[-1]["名称"] != name:
            categories.append({"名称": name, "分值": weight, "得分": None, "二级指标": []})
        groups = categories[-1]["二级指标"]
        group = str(values.get("二级指标") or "").strip()
        if not groups or groups[-1]["名称"] != group:
            groups.append({"名称": group, "三级指标": []})
        if str(values.get("三级指标") or "").strip() in ("", "无"):
            continue
        indicator = {key: str(values[label]).strip() for label, key in _TEXT_COLUMNS.items() if values.get(label) not in (None, "")}
        indicator.update(_cells(sheet, r, header, leftovers, only=("分值", "得分")))
        groups[-1]["三级指标"].append(indicator)
    return categories, total


def _cells(
    sheet: Sheet, r: int, header: list[str], leftovers: list[Leftover], percent: tuple[str, ...] = (), only: tuple[str, ...] = ()
) -> dict[str, str]:
    """The figures of a row by column; a rate as the percentage its cell shows; “——” is no figure."""
    cells = {}
    for c, value in enumerate(sheet.rows[r][1:], 1):
        label = header[c] if c < len(header) else ""
        if value is None or (only and label not in only) or (not only and label not in (*_FUND_COLUMNS, "分值", "执行率", "得分")):
            if number(value) is not None and label not in _TEXT_COLUMNS and label not in ("一级指标", "二级指标"):
                leftovers.append(Leftover(sheet.place(r, c), str(value), f"表头“{label}”不是这张表的栏目"))
            continue
        if isinstance(value, str) and value.strip() in _DASHES:
            continue
        figure = number(value)
        if figure is None:
            leftovers.append(Leftover(sheet.place(r, c), str(value), "不是数字"))
            continue
        cells[label] = _percent(figure) if label in percent else _text(figure)
    return cells


def _percent(fraction: Decimal) -> str:
    return _text((fraction * 100).normalize()) + "%"


def _text(value: Decimal) -> str:
    return format(value.normalize() if value == value.to_integral_value() else value, "f")


def _compare_summary(sheet: Sheet, projects: list[dict[str, Any]], leftovers: list[Leftover]) -> None:
    header = _header(sheet)
    by_name = {p["项目名称"]: p for p in projects}
    for r, row in enumerate(sheet.rows[1:], 1):
        project = by_name.get(str(row[0] or "").strip()) if row else None
        for c, value in enumerate(row[1:], 1):
            figure = number(value)
            label = header[c] if c < len(header) else ""
            if figure is None:
                continue
            own = _summary_figure(project, label) if project else None
            if own is None or number(own.rstrip("%")) != (figure * 100 if own.endswith("%") else figure):
                leftovers.append(Leftover(sheet.place(r, c), _text(figure), "项目汇总表中的数字与该项目的表不一致，或找不到该项目"))


def _summary_figure(project: dict[str, Any], label: str) -> str | None:
    if label in (*_FUND_COLUMNS, "执行率"):
        return project["项目资金"].get(label)
    return project["总分"].get({"总分": "分值", "得分": "得分"}.get(label, ""))
