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
_UNIT_SUFFIX = re.compile(r"[（(](?:万元|元|分|人|㎡|%)[）)]$")
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
        if label in percent and _bare_percent(sheet, c):  # Gongkai's own workbook: “执行率（%）”, 99.96
            cells[label] = _text(figure) + "%"
            continue
        cells[label] = _percent(figure) if label in percent else _text(figure)
    return cells


def _bare_percent(sheet: Sheet, column: int) -> bool:
    """A column whose label names “%” holds the percentage itself, not a fraction formatted as one."""
    head = sheet.rows[0] if sheet.rows else []
    return column < len(head) and re.search(r"[（(]%[）)]$", str(head[column] or "")) is not None


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
            scale = 100 if own is not None and own.endswith("%") and not _bare_percent(sheet, c) else 1
            if own is None or number(own.rstrip("%")) != figure * scale:
                leftovers.append(Leftover(sheet.place(r, c), _text(figure), "项目汇总表中的数字与该项目的表不一致，或找不到该项目"))


def _summary_figure(project: dict[str, Any], label: str) -> str | None:
    if label in (*_FUND_COLUMNS, "执行率"):
        return project["项目资金"].get(label)
    return project["总分"].get({"总分": "分值", "得分": "得分"}.get(label, ""))


# 部门整体支出绩效自评报告: the workbook's tables, each row or cell to its place in the report.

_BASICS, _EXECUTION, _DATA, _FORM = ("基本情况",), ("预算执行",), ("基础数据表",), ("自评表",)
# Tables of 项目 | 金额: each row label to where its figure goes; “其中：…” rows are a list (below).
_ITEM_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    "人员编制情况": {label: (*_BASICS, "人员编制", label) for label in ("编制数", "在编在岗", "劳务派遣人员", "离退休人员")},
    "绩效目标设定情况": {label: (*_BASICS, "绩效目标设定", label) for label in ("整体支出", "项目支出")},
    "收入预算": {
        "年初预算数": (*_EXECUTION, "收入预算", "年初预算"),
        **{label: (*_EXECUTION, "收入预算", label) for label in (
            "一般公共预算财政拨款", "纳入财政专户管理的非税收入拨款", "政府性基金预算拨款", "国有资本经营预算拨款", "较上年增减")},
    },
    "支出预算": {
        "年初预算数": (*_EXECUTION, "支出预算", "年初预算"),
        **{label: (*_EXECUTION, "支出预算", label) for label in ("人员支出", "公用经费", "项目支出", "较上年增减")},
    },
    "“三公”经费预算": {
        "合计": (*_EXECUTION, "三公经费", "本年预算"),
        "较上年预算增减": (*_EXECUTION, "三公经费", "较上年增减"),
        **{label: (*_EXECUTION, "三公经费", label) for label in (
            "公务接待费", "公务用车购置费", "公务用车运行维护费", "因公出国（境）费", "增减率")},
    },
}
_LISTS = {  # “其中：名称 | 数” rows: the list they go to and the key of the figure
    "人员编制情况": ((*_BASICS, "人员编制", "其中"), "人数"),
    "绩效目标设定情况": ((*_BASICS, "绩效目标设定", "项目"), "金额"),
}
_RATES = frozenset({"增减率", "控制率", "规模控制率", "投资概算控制率", "执行率"})
_EXECUTION_COLUMNS = {"年初预算": "年初预算", "年中追加": "年中追加", "年中调减": "年中调减", "全年预算": "全年预算",
                      "实际支出": "实际支出", "转入结余分配": "结余"}
_ONE_ROW = {  # tables of one row: column to place
    "财政供养人员情况": (*_DATA, "财政供养人员"),
    "楼堂馆所控制情况": (*_DATA, "楼堂馆所"),
}
_COST_ROWS = {"“三公”经费": ("三公经费", "合计"), "1. 公务用车购置和维护经费": ("三公经费", "公务用车购置和维护经费"),
              "其中：公车购置": ("三公经费", "公车购置"), "其中：公车运行维护": ("三公经费", "公车运行维护"),
              "2. 出国经费": ("三公经费", "出国经费"), "3. 公务接待": ("三公经费", "公务接待"),
              "项目支出": ("项目支出", "合计"), "公用经费": ("公用经费", "合计"),
              "政府采购金额": ("政府采购金额",), "部门基本支出预算调整": ("部门基本支出预算调整",)}
_NUMBERED = re.compile(r"^\d+[.、．]\s*(.+)$")
SELF_NOT_IN_WORKBOOK = ("正文", "基本情况.绩效目标设定.项目数", "政府性基金预算支出", "国有资本经营预算支出", "社会保险基金预算支出",
                        "绩效情况", "基础数据表.厉行节约保障措施", "基础数据表.填表人", "基础数据表.填报日期",
                        "基础数据表.联系电话", "自评表.年度总体目标")


SELF_TABLES = frozenset({*_ITEM_TABLES, "基本支出主要明细", "基本支出和项目支出执行情况", *_ONE_ROW, "经费控制情况",
                         "年度资金总额", "资金构成", "绩效指标完成情况"})


def is_project_table(caption: str) -> bool:
    return caption == SUMMARY or caption.endswith((FUNDS, INDICATORS))


def is_self_evaluation_workbook(captions: list[str]) -> bool:
    return "人员编制情况" in captions and "经费控制情况" in captions


def self_evaluation_data(sheets: list[Sheet], captions: dict[str, str], year: int, leftovers: list[Leftover]) -> dict[str, Any]:
    """The report's figures from its tables; what no table holds (SELF_NOT_IN_WORKBOOK) is left blank."""
    data: dict[str, Any] = {}
    for sheet in sheets:
        caption = captions.get(sheet.name, sheet.name)
        if caption in _ITEM_TABLES:
            _item_table(sheet, caption, data, leftovers)
        elif caption == "基本支出主要明细":
            rows = [(str(row[0]).strip(), row[1]) for row in sheet.rows[1:] if row and row[0]]
            _put(data, (*_EXECUTION, "基本支出", "主要明细"), [{"科目": label, "金额": _figure(v)} for label, v in rows])
        elif caption == "基本支出和项目支出执行情况":
            _execution(sheet, data, leftovers)
        elif caption in _ONE_ROW:
            _put(data, _ONE_ROW[caption], _cells_of(sheet, 1, _header(sheet), leftovers))
        elif caption == "经费控制情况":
            _costs(sheet, year, data, leftovers)
        elif caption == "年度资金总额":
            _put(data, (*_FORM, "年度资金总额"), {**_cells_of(sheet, 1, _header(sheet), leftovers), **_get(data, (*_FORM, "年度资金总额"))})
        elif caption == "资金构成":
            for row in sheet.rows[1:]:
                if row and len(row) > 2 and row[0] and row[1]:
                    _put(data, (*_FORM, "年度资金总额", str(row[0]), str(row[1])), _figure(row[2]))
        elif caption == "绩效指标完成情况":
            categories, total = _indicators(sheet, leftovers)
            _put(data, (*_FORM, "绩效指标"), categories)
            _put(data, (*_FORM, "总分"), total)
    for path in SELF_NOT_IN_WORKBOOK:
        _put(data, tuple(path.split(".")), None, keep=True)
    return data


def _item_table(sheet: Sheet, caption: str, data: dict[str, Any], leftovers: list[Leftover]) -> None:
    places = _ITEM_TABLES[caption]
    for r, row in enumerate(sheet.rows[1:], 1):
        label = str(row[0] or "").strip() if row else ""
        value = row[1] if len(row) > 1 else None
        part = _SOURCE.match(label)
        if label in places:
            _put(data, places[label], _figure(value, label in _RATES))
        elif part and caption in _LISTS:
            path, key = _LISTS[caption]
            items = _get(data, path, [])
            items.append({"名称": part.group(1), key: _figure(value)})
            _put(data, path, items)
        elif number(value) is not None:
            leftovers.append(Leftover(sheet.place(r, 1), str(value), f"“{label}”不是《{caption}》的一行"))


def _execution(sheet: Sheet, data: dict[str, Any], leftovers: list[Leftover]) -> None:
    header = _header(sheet)
    for r, row in enumerate(sheet.rows[1:], 1):
        label = str(row[0] or "").strip()
        if label not in ("基本支出", "项目支出"):
            continue
        for c, value in enumerate(row[1:], 1):
            column = header[c] if c < len(header) else ""
            if column in _EXECUTION_COLUMNS and number(value) is not None:
                _put(data, (*_EXECUTION, label, _EXECUTION_COLUMNS[column]), _figure(value))
            elif number(value) is not None and column != "年中调整（推算）":  # that column is derived, not the report's
                leftovers.append(Leftover(sheet.place(r, c), str(value), f"表头“{column}”不是这张表的栏目"))


def _costs(sheet: Sheet, year: int, data: dict[str, Any], leftovers: list[Leftover]) -> None:
    header = _header(sheet)
    columns = {f"{year - 1}年决算数": "上年决算", f"{year}年预算数": "本年预算", f"{year}年决算数": "本年决算"}
    group = ""
    for r, row in enumerate(sheet.rows[1:], 1):
        label = str(row[0] or "").strip()
        cells = {columns[header[c]]: _figure(v) for c, v in enumerate(row) if c < len(header) and header[c] in columns and v not in (None, "——")}
        for name in columns.values():
            cells.setdefault(name, None)
        place = _COST_ROWS.get(label)
        if label in ("项目支出", "公用经费"):
            group = label
        if place is not None:
            if place[0] in ("政府采购金额", "部门基本支出预算调整"):
                cells.pop("上年决算", None)
            _put(data, (*_DATA, "经费控制", *place), cells)
            continue
        found = _NUMBERED.match(label) if group == "项目支出" else _SOURCE.match(label) if group == "公用经费" else None
        if found is None:
            leftovers += [Leftover(sheet.place(r, c), str(v), f"“{label}”不是经费控制情况表的一行") for c, v in enumerate(row) if number(v) is not None]
            continue
        rows = _get(data, (*_DATA, "经费控制", group, "分项"), [])
        rows.append({"名称": found.group(1), **cells})
        _put(data, (*_DATA, "经费控制", group, "分项"), rows)


def _cells_of(sheet: Sheet, r: int, header: list[str], leftovers: list[Leftover]) -> dict[str, str | None]:
    cells: dict[str, str | None] = {}
    for c, value in enumerate(sheet.rows[r] if r < len(sheet.rows) else []):
        label = header[c] if c < len(header) else ""
        if label in ("", "项目", "更正说明"):
            continue
        cells[label] = _figure(value, label in _RATES, _bare_percent(sheet, c))
    return cells


def _figure(value: Any, rate: bool = False, bare: bool = False) -> str | None:
    """A cell's figure as text; a rate from its fraction, or as it stands in a column labelled “（%）”."""
    figure = number(value)
    if figure is None:
        return None if value in (None, "", "——") else str(value)
    if rate:
        return _text(figure) + "%" if bare else _percent(figure)
    return _text(figure)


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any, keep: bool = False) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    if not (keep and path[-1] in data):
        data[path[-1]] = value


def _get(data: dict[str, Any], path: tuple[str, ...], default: Any = None) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return {} if default is None else default
        data = data[key]
    return data
