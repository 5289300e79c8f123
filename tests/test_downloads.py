"""The downloads give back exactly the figures of the source, in files anyone can open and rebuild."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import CONTENT, SAMPLE_REPORT

from gongkai.content import ReportEntry
from gongkai.downloads import Download, human_size, write_downloads
from gongkai.pipeline import load
from gongkai.reader import Document, read_document
from gongkai.tables import Cell, Table, TableBuilder, self_evaluation_tables

FOLDER = "huaihua-bjlxc/2023/downloads"
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


@pytest.fixture(scope="module")
def entry() -> ReportEntry:
    loaded = load(CONTENT)
    assert loaded.content is not None and loaded.report.ok
    (report,) = [r for r in loaded.content.reports if r.kind == "self-evaluation"]
    return report


@pytest.fixture(scope="module")
def tables(entry: ReportEntry) -> list[Table]:
    return self_evaluation_tables(entry.model)


@pytest.fixture(scope="module")
def site(
    entry: ReportEntry, tables: list[Table], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Download]]:
    out = tmp_path_factory.mktemp("site")
    return out, write_downloads(entry, tables, out)


@pytest.fixture(scope="module")
def source() -> Document:
    return read_document(CONTENT / SAMPLE_REPORT)


def read_csv(site_dir: Path, table_id: str) -> list[list[str]]:
    path = site_dir / FOLDER / f"huaihua-bjlxc-2023-self-evaluation-{table_id}.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def row_of(rows: list[list[str]], *labels: str) -> list[str]:
    """The one CSV row whose leading cells are `labels`."""
    (found,) = [r for r in rows if r[: len(labels)] == list(labels)]
    return found


def column(rows: list[list[str]], label: str) -> int:
    return rows[0].index(label)


def yaml_figure(document: Document, *path: str) -> str:
    """A figure's text in the YAML, whether written plainly or with a 更正 note."""
    value = document.get(path)
    return value["值"] if isinstance(value, dict) else value


# What is written, and where.


def test_a_csv_per_table_in_page_order_then_the_workbook_and_the_json(site, tables) -> None:
    out, downloads = site
    assert [d.table_id for d in downloads] == [t.id for t in tables] + [None, None]
    assert [d.format for d in downloads] == ["CSV"] * len(tables) + ["XLSX", "JSON"]
    assert downloads[2] == Download(
        "收入预算（CSV）", "CSV", f"{FOLDER}/huaihua-bjlxc-2023-self-evaluation-income.csv", downloads[2].size, "income"
    )
    assert downloads[-2].label == "全部表格（XLSX 工作簿）"
    assert downloads[-2].path == f"{FOLDER}/huaihua-bjlxc-2023-self-evaluation.xlsx"
    assert downloads[-1].label == "经校验的数据（JSON）"
    assert downloads[-1].path == f"{FOLDER}/huaihua-bjlxc-2023-self-evaluation.json"
    for d in downloads:
        assert (out / d.path).stat().st_size == d.size > 0
    assert sorted(p.name for p in (out / FOLDER).iterdir()) == sorted(Path(d.path).name for d in downloads)


# CSV


def test_csv_has_a_bom_and_crlf_line_endings(site) -> None:
    out, downloads = site
    for d in downloads[:-2]:
        data = (out / d.path).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), d.path
        assert data.endswith(b"\r\n")
        assert data.count(b"\n") == data.count(b"\r\n"), d.path  # no cell of the sample spans lines


def test_csv_gives_back_the_source_figures(site, source) -> None:
    out, _ = site
    execution = read_csv(out, "execution")
    assert row_of(execution, "基本支出")[column(execution, "实际支出（万元）")] == "194.30"
    assert yaml_figure(source, "预算执行", "基本支出", "实际支出") == "194.30"

    expenditure = read_csv(out, "expenditure")
    assert row_of(expenditure, "公用经费") == ["公用经费", yaml_figure(source, "预算执行", "支出预算", "公用经费")]
    assert row_of(expenditure, "公用经费")[1] == "24"  # not 24.00: exactly as written

    nature = read_csv(out, "funds-by-nature")
    total = row_of(nature, "按支出性质分", "合计")[column(nature, "金额（万元）")]
    assert total == yaml_figure(source, "自评表", "年度资金总额", "按支出性质分", "合计") == "300.48"
    assert row_of(nature, "按收入性质分", "政府性基金拨款")[2] == ""  # left blank in the source

    items = read_csv(out, "basic-items")
    assert row_of(items, "基本工资") == ["基本工资", "55.20"]
    assert row_of(items, "办公费") == ["办公费", "0.40"]

    funds = read_csv(out, "funds")
    # a column of rates: “（%）” in its label, the number alone in its cells
    assert yaml_figure(source, "自评表", "年度资金总额", "执行率") == "99.96%"
    assert funds[1][column(funds, "执行率（%）")] == "99.96"
    assert row_of(read_csv(out, "three-public"), "增减率") == ["增减率", "-31.79%"]  # a rate among amounts
    assert row_of(execution, "基本支出")[column(execution, "年中追加（万元）")] == "——"


def test_every_figure_of_every_table_is_in_its_csv_verbatim(site, tables, source) -> None:
    out, _ = site
    written_in_source = set(_leaves(source.data))
    for table in tables:
        rows = read_csv(out, table.id)
        records = table.records()
        assert len(rows) == len(records) + 1, table.id
        for record, row in zip(records, rows[1:], strict=True):
            rates = [label.endswith("（%）") for label in rows[0]]  # their cells: the number without its “%”
            exact = [c.exact.removesuffix("%") if rates[i] and c.numeric else c.exact for i, c in enumerate(record)]
            assert row[: len(record)] == exact, table.id
            derived = {i for i, label in enumerate(table.columns()) if "推算" in label}  # labelled as Gongkai's
            for index, (cell, text) in enumerate(zip(record, row, strict=False)):
                if cell.numeric and cell.kind in ("money", "percent", "score", "area", "count") and index not in derived:
                    assert (f"{text}%" if rates[index] else text) in written_in_source, (table.id, text)


def test_csv_headers_carry_the_unit(site) -> None:
    out, _ = site
    assert read_csv(out, "income")[0] == ["项目", "金额（万元）"]
    assert read_csv(out, "staffing")[0] == ["项目", "人数（人）"]
    assert read_csv(out, "staff-control")[0] == ["编制数（人）", "实际在职人数（人）", "控制率（%）", "更正说明"]
    assert read_csv(out, "buildings")[0] == [
        "批复规模（㎡）",
        "实际规模（㎡）",
        "规模控制率（%）",
        "预算投资（万元）",
        "实际投资（万元）",
        "投资概算控制率（%）",
    ]
    assert read_csv(out, "cost-control")[0][:4] == [
        "项目",
        "2022年决算数（万元）",
        "2023年预算数（万元）",
        "2023年决算数（万元）",
    ]
    indicators = read_csv(out, "indicators")[0]
    assert indicators[5:7] == ["分值（分）", "得分（分）"]


def test_corrections_get_a_column_only_where_there_are_any(site, tables) -> None:
    out, _ = site
    assert read_csv(out, "income")[0][-1] != "更正说明"
    execution = read_csv(out, "execution")
    assert execution[0][-1] == "更正说明"
    assert row_of(execution, "基本支出")[-1] == ""
    note = row_of(execution, "项目支出")[-1]
    assert note.startswith("年中调减：原发布为“（未列示）”，更正为“18.07”。")
    assert note.endswith("（2026-11-29 更正）")
    control = read_csv(out, "staff-control")
    assert control[1][:3] == ["19", "10", "52.63"]
    assert "原发布为“100%”" in control[1][3]
    corrected = {t.id for t in tables if any(c.correction for row in t.body for c in row)}
    for table in tables:
        assert (read_csv(out, table.id)[0][-1] == "更正说明") == (table.id in corrected)


def test_text_that_looks_like_a_formula_is_defused(entry, tmp_path) -> None:
    table = TableBuilder("t", "公式").columns("项目", "说明").row("甲", Cell("=1+1", "text")).build()
    write_downloads(entry, [table], tmp_path)
    assert read_csv(tmp_path, "t")[1] == ["甲", "'=1+1"]
    sheet = openpyxl.load_workbook(tmp_path / FOLDER / "huaihua-bjlxc-2023-self-evaluation.xlsx")["公式"]
    assert sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s"


# XLSX


def test_workbook_has_an_explanation_sheet_then_a_sheet_per_table(site, tables, entry) -> None:
    out, _ = site
    book = openpyxl.load_workbook(out / FOLDER / "huaihua-bjlxc-2023-self-evaluation.xlsx")
    assert book.sheetnames == ["说明", *(t.caption for t in tables)]
    info = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True) if row and row[0]}
    assert info["报告"] == "2023年部门整体支出绩效自评报告"
    assert info["单位"] == entry.unit.model.name == "湖南省怀化市人民政府驻北京联络处"
    assert info["年度"] == 2023
    assert info["金额单位"] == "万元"
    assert "huaihua-bjlxc/2023/self-evaluation.yaml" in info["数据来源"]
    assert book.properties.created == book.properties.modified
    assert book.properties.created.date().isoformat() == "2024-06-06"


def test_workbook_numbers_are_numbers_formatted_as_the_source(site) -> None:
    out, _ = site
    book = openpyxl.load_workbook(out / FOLDER / "huaihua-bjlxc-2023-self-evaluation.xlsx")
    items = book["基本支出主要明细"]
    assert [c.value for c in items[1]] == ["科目", "金额（万元）"]
    assert all(c.font.bold for c in items[1])
    assert items["B2"].value == pytest.approx(55.2) and items["B2"].number_format == "0.00"
    funds = book["年度资金总额"]
    rate = funds.cell(2, 6)
    assert funds.cell(1, 6).value == "执行率（%）"
    assert rate.value == pytest.approx(99.96) and rate.number_format == "0.00"
    assert funds.cell(2, 5).value == 10 and funds.cell(2, 5).number_format == "0"
    execution = book["基本支出和项目支出执行情况"]
    assert execution["C2"].value == "——" and execution["C2"].data_type == "s"
    assert execution["G2"].value == pytest.approx(194.3)


def test_workbook_gives_back_every_figure(site, tables) -> None:
    out, _ = site
    book = openpyxl.load_workbook(out / FOLDER / "huaihua-bjlxc-2023-self-evaluation.xlsx")
    for table, sheet in zip(tables, book.worksheets[1:], strict=True):
        rates = [str(c.value).endswith("（%）") for c in next(sheet.iter_rows(max_row=1))]  # a column of rates
        for record, row in zip(table.records(), sheet.iter_rows(min_row=2), strict=True):
            for cell, written in zip(record, row, strict=False):
                if cell.numeric:
                    scaled = cell.kind == "percent" and not rates[written.column - 1]  # a rate among amounts: 0.52
                    expected = Decimal(cell.value) / (100 if scaled else 1)
                    assert Decimal(str(written.value)) == expected, (table.id, written.coordinate)
                else:
                    assert (written.value or "") == cell.exact, (table.id, written.coordinate)


def test_sheet_names_follow_excels_rules(entry, tmp_path) -> None:
    captions = ["说明", "资金[2023]/明细:合计*?", "很长的标题" * 8, "很长的标题" * 8, "'引号'"]
    tables = [TableBuilder(f"t{i}", c).columns("项目").row("甲").build() for i, c in enumerate(captions)]
    write_downloads(entry, tables, tmp_path)
    names = openpyxl.load_workbook(tmp_path / FOLDER / "huaihua-bjlxc-2023-self-evaluation.xlsx").sheetnames
    assert len({n.casefold() for n in names}) == len(names) == len(captions) + 1
    for name in names:
        assert 0 < len(name) <= 31 and not FORBIDDEN_IN_SHEET_NAMES.search(name)
        assert not name.startswith("'") and not name.endswith("'")
    assert names[1] == "说明（2）"
    assert names[2] == "资金_2023__明细_合计__"


# JSON


def test_json_wraps_the_validated_data(site) -> None:
    out, _ = site
    text = (out / FOLDER / "huaihua-bjlxc-2023-self-evaluation.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data) == ["单位", "年度", "报告", "金额单位", "数据"]
    assert data["单位"] == "湖南省怀化市人民政府驻北京联络处"
    assert (data["年度"], data["报告"], data["金额单位"]) == (2023, "self-evaluation", "万元")
    assert text == json.dumps(data, ensure_ascii=False, indent=2) + "\n"  # round-trips, field order kept
    assert "\\u" not in text
    d = data["数据"]
    assert d["预算执行"]["基本支出"]["实际支出"] == "194.30"
    assert d["预算执行"]["支出预算"]["公用经费"] == "24"
    assert d["预算执行"]["基本支出"]["主要明细"][0] == {"科目": "基本工资", "金额": "55.20"}
    funds = d["自评表"]["年度资金总额"]
    assert funds["执行率"]["值"] == "99.96%"
    assert funds["执行率"]["更正"] == {"原值": "102.32%", "说明": funds["执行率"]["更正"]["说明"], "日期": "2026-11-29"}
    assert funds["按收入性质分"]["政府性基金拨款"] is None


def test_json_figures_are_the_yaml_text(site, source) -> None:
    out, _ = site
    data = json.loads((out / FOLDER / "huaihua-bjlxc-2023-self-evaluation.json").read_text(encoding="utf-8"))["数据"]
    compared = _compare(data, source.data, ())
    assert compared == sum(1 for leaf in _leaves(source.data) if leaf != "无")  # every value of the YAML


def _compare(written: Any, typed: Any, path: tuple) -> int:
    """Walk the JSON and the YAML together; every scalar in both must be the same text."""
    if isinstance(written, dict) and isinstance(typed, dict):
        return sum(_compare(v, typed[k], (*path, k)) for k, v in written.items() if k in typed)
    if isinstance(written, list) and isinstance(typed, list):
        assert len(written) == len(typed), path
        return sum(_compare(w, t, (*path, i)) for i, (w, t) in enumerate(zip(written, typed, strict=True)))
    if isinstance(written, dict) and typed == "无":  # 政府性基金预算支出: 无
        return 0
    if typed is None:
        assert written in (None, [], "（空）"), path
        return 1
    assert str(written) == typed.strip(), path
    return 1


def _leaves(data: Any) -> list[Any]:
    """Every scalar of a YAML tree (stripped text, or None for an empty value)."""
    if isinstance(data, dict):
        return [s for v in data.values() for s in _leaves(v)]
    if isinstance(data, list):
        return [s for v in data for s in _leaves(v)]
    return [None if data is None else data.strip()]


# Reproducible


def test_two_builds_give_identical_bytes(entry, tables, site, tmp_path) -> None:
    first, downloads = site
    again = write_downloads(entry, tables, tmp_path)
    assert again == downloads
    for d in downloads:
        assert (tmp_path / d.path).read_bytes() == (first / d.path).read_bytes(), d.path


def test_workbook_is_stamped_with_the_publication_date_not_now(site) -> None:
    out, _ = site
    with zipfile.ZipFile(out / FOLDER / "huaihua-bjlxc-2023-self-evaluation.xlsx") as z:
        assert {info.date_time for info in z.infolist()} == {(2024, 6, 6, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2024-06-06T00:00:00Z") == 2


def test_a_corrected_date_changes_the_stamp(entry, tables, tmp_path) -> None:
    model = entry.model.model_copy(update={"published": entry.model.published.replace(year=2025)})
    write_downloads(ReportEntry.read(entry.unit, entry.year, entry.kind, model, entry.document), tables, tmp_path)
    with zipfile.ZipFile(tmp_path / FOLDER / "huaihua-bjlxc-2023-self-evaluation.xlsx") as z:
        assert {info.date_time for info in z.infolist()} == {(2025, 6, 6, 0, 0, 0)}


# human_size


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KB"),
        (1229, "1.2 KB"),
        (10 * 1024 - 1, "10 KB"),
        (35 * 1024, "35 KB"),
        (1024 * 1024 - 1, "1.0 MB"),
        (int(1.4 * 1024 * 1024), "1.4 MB"),
        (250 * 1024 * 1024, "250 MB"),
    ],
)
def test_human_size(size: int, shown: str) -> None:
    assert human_size(size) == shown


def test_human_size_of_the_sample_downloads(site) -> None:
    _, downloads = site
    assert all(re.fullmatch(r"\d+(\.\d)? (B|KB|MB)", human_size(d.size)) for d in downloads)


def test_workbook_text_keeps_markup_characters(entry, tmp_path) -> None:
    """XML's special characters and line breaks come back as typed."""
    tricky = '甲 & 乙 <丙> "丁" \'戊\' 行一\n行二'
    table = TableBuilder("t", "符号 & 引号").columns("项目", "说明").row("甲", Cell(tricky, "text")).build()
    write_downloads(entry, [table], tmp_path)
    book = openpyxl.load_workbook(tmp_path / FOLDER / "huaihua-bjlxc-2023-self-evaluation.xlsx")
    sheet = book["符号 & 引号"]
    assert sheet["B2"].value == tricky
    assert sheet["B2"].alignment.wrap_text, "text with a line break wraps"
    assert sheet.freeze_panes == "A2"


def test_download_names_carry_unit_year_kind_and_table(built_sample: Path) -> None:
    """Files downloaded from several reports never share a name; the page links exactly those files."""
    names = {p.name for p in built_sample.glob("huaihua-bjlxc/*/downloads/*")}
    assert "huaihua-bjlxc-2023-budget-income.csv" in names and "huaihua-bjlxc-2024-budget-income.csv" in names
    assert all(n.startswith("huaihua-bjlxc-20") for n in names), names
    page = (built_sample / "huaihua-bjlxc/2024/budget.html").read_text(encoding="utf-8")
    assert 'href="downloads/huaihua-bjlxc-2024-budget-income.csv" download' in page
    assert 'href="downloads/huaihua-bjlxc-2024-budget.xlsx" download' in page
