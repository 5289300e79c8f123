"""Workbooks laid out like the finance systems' exports, made from the sample's 2024 部门预算.

Each table takes a layout seen in real 公开表: titles such as “表一 部门收支总表” in a merged row, a
“单位：万元” line, 收入 and 支出 side by side, merged two-row headers (基本支出 over 人员经费 and
公用经费), 科目 codes split into 类/款/项 columns or printed before the name, the 合计 row first or
last, two tables on one sheet, every column of the form even when blank. The same sheets are
written as .xlsx (openpyxl) and, by `python tests/import_fixtures.py`, as the committed .xls (xlwt:
calamine reads .xls but nothing in the package writes it).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
XLS_FIXTURE = HERE / "fixtures" / "import" / "export-2024-budget.xls"


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # rows and columns, 0-based, inclusive
    row: int = 0

    def put(self, r: int, c: int, value: Any) -> None:
        if value is not None and value != "":
            self.cells[(r, c)] = float(value) if isinstance(value, Decimal) else value

    def line(self, *values: Any) -> int:
        for c, value in enumerate(values):
            self.put(self.row, c, value)
        self.row += 1
        return self.row - 1

    def merge(self, r0: int, c0: int, r1: int, c1: int) -> None:
        self.merged.append((r0, c0, r1, c1))

    def title(self, text: str, width: int, unit: str = "单位：万元") -> None:
        r = self.line(text)
        self.merge(r, 0, r, width - 1)
        self.put(self.line(), width - 1, unit)


def export_sheets(report: Any) -> list[Sheet]:
    """The nine tables and the 机关运行经费 table of a 部门预算 model, as an export lays them out."""
    t = {table.spec.id: table for table in report.tables}
    first = Sheet("表1")
    _overview(first, t["overview"])
    income = Sheet("表2")
    _split_codes(income, "表二 部门收入总表", t["income"], ["合计", "上年结转", "一般公共预算拨款", "政府性基金预算拨款", "国有资本经营预算拨款", "财政专户管理资金", "事业收入"])
    spending = Sheet("表3")
    _merged_header(spending, "表三 部门支出总表", t["spending"])
    fiscal = Sheet("表4")
    _fiscal(fiscal, t["fiscal"])
    two = Sheet("表5-6")
    _code_in_name(two, "表五 一般公共预算财政拨款支出表", t["general-public"], ["合计", "基本支出", "人员经费", "公用经费", "项目支出"])
    two.line()
    _code_in_name(two, "表六 一般公共预算财政拨款基本支出表", t["basic"], ["合计", "人员经费", "公用经费"], own_column=True)
    three = Sheet("表7")
    _three_public(three, t["three-public"])
    empty = Sheet("表8-9")
    for title, table in (("表八 政府性基金预算财政拨款支出表", t["government-fund"]), ("表九 国有资本经营预算财政拨款支出表", t["state-capital"])):
        empty.title(title, 5)
        empty.line("科目编码", "科目名称", "合计", "基本支出", "项目支出")
        empty.line(f"注：{table.note}")
        empty.line()
    other = Sheet("机关运行经费")
    other.title("机关运行经费和政府采购情况表", 2)
    other.line("项目", "金额")
    for row in t["other-figures"].rows:
        other.line(row.label, row.value("金额"))
    return [first, income, spending, fiscal, two, three, empty, other]


def _overview(sheet: Sheet, table: Any) -> None:
    """收入 and 支出 side by side, each with its own 项目 and 预算数 columns."""
    sheet.title("表一 部门收支总表", 4)
    r = sheet.line("收入", None, "支出", None)
    sheet.merge(r, 0, r, 1)
    sheet.merge(r, 2, r, 3)
    sheet.line("项目", "预算数", "项目", "预算数")
    income, spending = table.part("收入").rows, table.part("支出").rows
    for n in range(max(len(income), len(spending))):
        left = (income[n].label, income[n].value("金额")) if n < len(income) else (None, None)
        right = (spending[n].label, spending[n].value("金额")) if n < len(spending) else (None, None)
        sheet.line(*left, *right)


def _split_codes(sheet: Sheet, title: str, table: Any, columns: list[str]) -> None:
    """类/款/项 in three columns under a merged 科目编码; the 合计 row first, merged over the labels."""
    sheet.title(title, 4 + len(columns))
    r = sheet.line("科目编码", None, None, "科目名称", *columns)
    sheet.merge(r, 0, r, 2)
    sheet.merge(r, 3, r + 1, 3)
    for c in range(len(columns)):
        sheet.merge(r, 4 + c, r + 1, 4 + c)
    sheet.line("类", "款", "项")
    total = sheet.line("合计", None, None, None, *(table.total.value(c) for c in columns))
    sheet.merge(total, 0, total, 3)
    for row in table.rows:
        code = row.code
        sheet.line(code[:3], code[3:5] or None, code[5:7] or None, row.label, *(row.value(c) for c in columns))


def _merged_header(sheet: Sheet, title: str, table: Any) -> None:
    """基本支出 over 小计, 人员经费 and 公用经费; codes as numbers; names indented; 合计 last."""
    sheet.title(title, 7)
    r = sheet.line("科目编码", "科目名称", "合计", "基本支出", None, None, "项目支出")
    for c in (0, 1, 2, 6):
        sheet.merge(r, c, r + 1, c)
    sheet.merge(r, 3, r, 5)
    sheet.line(None, None, None, "小计", "人员经费", "公用经费")
    columns = ["合计", "基本支出", "人员经费", "公用经费", "项目支出"]
    for row in table.rows:
        indent = "　" * ((len(row.code) - 3) // 2)
        sheet.line(int(row.code), indent + row.label, *(row.value(c) for c in columns))
    sheet.line("合计", None, *(table.total.value(c) for c in columns))


def _fiscal(sheet: Sheet, table: Any) -> None:
    """收入 (项目, 预算数) beside 支出 (项目 and four amount columns)."""
    columns = ["合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]
    sheet.title("表四 财政拨款收支总表", 6)
    r = sheet.line("收入", None, "支出")
    sheet.merge(r, 0, r, 1)
    sheet.merge(r, 2, r, 6)
    sheet.line("项目", "预算数", "项目", *columns)
    income, spending = table.part("收入").rows, table.part("支出").rows
    for n in range(max(len(income), len(spending))):
        left = (income[n].label, income[n].value("金额")) if n < len(income) else (None, None)
        right = (spending[n].label, *(spending[n].value(c) for c in columns)) if n < len(spending) else ()
        sheet.line(*left, *right)


def _code_in_name(sheet: Sheet, title: str, table: Any, columns: list[str], own_column: bool = False) -> None:
    """The code printed before the name (“2010301 行政运行”), or in its own text column; 合计 first."""
    sheet.title(title, len(columns) + (2 if own_column else 1))
    if own_column:
        sheet.line("科目编码", "科目名称", *columns)
        sheet.line("合计", None, *(table.total.value(c) for c in columns))
        for row in table.rows:
            sheet.line(row.code, row.label, *(row.value(c) for c in columns))
        return
    sheet.line("科目名称", *columns)
    sheet.line("合计", *(table.total.value(c) for c in columns))
    for row in table.rows:
        sheet.line(f"{row.code} {row.label}", *(row.value(c) for c in columns))


def _three_public(sheet: Sheet, table: Any) -> None:
    sheet.title("表七 一般公共预算“三公”经费支出表", 7)
    r = sheet.line("项目", "合计", "因公出国（境）费", "公务用车购置及运行费", None, None, "公务接待费")
    for c in (0, 1, 2, 6):
        sheet.merge(r, c, r + 1, c)
    sheet.merge(r, 3, r, 5)
    sheet.line(None, None, None, "小计", "公务用车购置费", "公务用车运行费")
    columns = ["合计", "因公出国（境）费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行费", "公务接待费"]
    for row in table.rows:
        sheet.line(row.label, *(row.value(c) for c in columns))


def write_xlsx(sheets: list[Sheet], path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.name)
        for (r, c), value in sheet.cells.items():
            ws.cell(r + 1, c + 1, value)
        for r0, c0, r1, c1 in sheet.merged:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    workbook.save(path)
    return path


def write_xls(sheets: list[Sheet], path: Path) -> Path:
    import xlwt  # only for remaking the committed fixture

    workbook = xlwt.Workbook(encoding="utf-8")
    for sheet in sheets:
        ws = workbook.add_sheet(sheet.name)
        merged_cells = set()
        for r0, c0, r1, c1 in sheet.merged:
            ws.write_merge(r0, r1, c0, c1, sheet.cells.get((r0, c0), ""))
            merged_cells |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for (r, c), value in sheet.cells.items():
            if (r, c) not in merged_cells:
                ws.write(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(path))
    return path


def sample_budget() -> Any:
    from conftest import CONTENT

    from gongkai.pipeline import load

    loaded = load(CONTENT)
    (entry,) = [r for r in loaded.content.reports if r.kind == "budget" and r.year == 2024]
    return entry.model


if __name__ == "__main__":  # python tests/import_fixtures.py: remake the committed .xls
    sys.path.insert(0, str(HERE))
    print(write_xls(export_sheets(sample_budget()), XLS_FIXTURE))


def write_docx(report: Any, path: Path) -> Path:
    """A 部门预算 written in Word: title, 发布日期, the 情况说明 under its headings, then three 附表."""
    import docx

    document = docx.Document()
    document.add_heading(report.title, level=0)
    document.add_paragraph("发布日期：2024年2月26日    金额单位：万元")
    for heading, text in report.narrative.items():
        document.add_heading(heading, level=1)
        for paragraph in text.replace("**", "").strip().split("\n"):
            document.add_paragraph(paragraph)
    t = {table.spec.id: table for table in report.tables}
    document.add_paragraph("附表1 部门收支总表（单位：万元）")
    overview = document.add_table(rows=1, cols=3)
    for c, label in enumerate(("收支", "项目", "金额")):
        overview.rows[0].cells[c].text = label
    for part in t["overview"].parts:
        first = len(overview.rows)
        for row in part.rows:
            cells = overview.add_row().cells
            cells[1].text, cells[2].text = row.label, _docx_text(row.value("金额"))
        overview.cell(first, 0).merge(overview.cell(len(overview.rows) - 1, 0)).text = part.spec.name
    document.add_paragraph("附表2 部门支出总表")
    columns = ["合计", "基本支出", "人员经费", "公用经费", "项目支出"]
    spending = document.add_table(rows=2, cols=7)
    for c, label in enumerate(("科目编码", "科目名称", "合计", "基本支出", "", "", "项目支出")):
        spending.cell(0, c).text = label
    for c, label in ((3, "小计"), (4, "人员经费"), (5, "公用经费")):
        spending.cell(1, c).text = label
    for c in (0, 1, 2, 6):
        text = spending.cell(0, c).text
        spending.cell(0, c).merge(spending.cell(1, c)).text = text
    spending.cell(0, 3).merge(spending.cell(0, 5)).text = "基本支出"
    total = spending.add_row().cells
    total[0].text = "合计"
    for c, column in enumerate(columns, 2):
        total[c].text = _docx_text(t["spending"].total.value(column))
    for row in t["spending"].rows:
        cells = spending.add_row().cells
        cells[0].text, cells[1].text = row.code, row.label
        for c, column in enumerate(columns, 2):
            cells[c].text = _docx_text(row.value(column))
    document.add_paragraph("附表3 政府性基金预算财政拨款支出表")
    empty = document.add_table(rows=1, cols=4)
    for c, label in enumerate(("科目名称", "合计", "基本支出", "项目支出")):
        empty.rows[0].cells[c].text = label
    document.add_paragraph(f"注：{t['government-fund'].note}")
    document.save(str(path))
    return path


def _docx_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def write_ods(sheets: list[Sheet], path: Path) -> Path:
    """OpenDocument (WPS and LibreOffice save it): the few parts a reader needs, merged cells spanned."""
    import zipfile
    from xml.sax.saxutils import escape

    body = []
    for sheet in sheets:
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in sheet.merged}
        covered = {(r, c) for r0, c0, r1, c1 in sheet.merged for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(spans)
        rows = max((r for r, _ in [*sheet.cells, *covered]), default=-1) + 1
        width = max((c for _, c in [*sheet.cells, *covered]), default=-1) + 1
        body.append(f'<table:table table:name="{escape(sheet.name)}">')
        for r in range(rows):
            cells = []
            for c in range(width):
                if (r, c) in covered:
                    cells.append("<table:covered-table-cell/>")
                    continue
                span = spans.get((r, c))
                attributes = f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"' if span else ""
                value = sheet.cells.get((r, c))
                if isinstance(value, (int, float)):
                    cells.append(f'<table:table-cell{attributes} office:value-type="float" office:value="{value!r}"><text:p>{value!r}</text:p></table:table-cell>')
                elif value is not None:
                    cells.append(f'<table:table-cell{attributes} office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>')
                else:
                    cells.append(f"<table:table-cell{attributes}/>")
            body.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        body.append("</table:table>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(body)}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def write_seed_like_docx(report: Any, path: Path) -> tuple[Path, int]:
    """A 绩效自评报告 as such reports are written in Word: the text under its headings, then the two 附件 tables
    in the forms' own layout (not our workbook's). Returns the file and how many figures its tables hold."""
    import re

    import docx

    document = docx.Document()
    document.add_paragraph(report.title)
    document.add_paragraph("发布日期：2024年6月6日")
    for heading, text in report.text.items():
        document.add_paragraph(heading)
        for paragraph in re.sub(r"\{[^}]*\}", "", text).replace("### ", "").split("\n\n"):
            if paragraph.strip():
                document.add_paragraph(paragraph.strip())
    basic = [["财政供养人员情况", "编制数", "19", "实际在职人数", "10", "控制率", "52.63%"],
             ["经费控制情况", "2022年决算数", "2023年预算数", "2023年决算数", "", "", ""],
             ["“三公”经费", "25.12", "34.50", "34.12", "", "", ""]]
    form = [["年度资金总额", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            ["", "293.53", "300.48", "300.36", "10", "99.96%", "10"]]
    figures = 0
    for caption, rows in (("附件1-1 部门整体支出绩效评价基础数据表", basic), ("附件1-2 部门整体支出绩效自评表", form)):
        document.add_paragraph(caption)
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
                figures += bool(re.fullmatch(r"\d+(\.\d+)?%?", value))
    document.save(str(path))
    return path, figures
