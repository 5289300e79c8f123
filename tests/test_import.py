"""`import`: our own XLSX downloads come back as the same data; export-like workbooks import as expected.

The round trip covers the reports whose tables are the form's (部门预算, 部门决算): every table, row,
column, figure, dash and blank, and the header (标题, 年度, 金额单位, 发布日期) and the notes of empty
tables, which the workbook's 说明 sheet carries. The narrative (情况说明) is not in the workbook.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import import_fixtures
import pytest
from conftest import CONTENT, build_site, copy_site

from gongkai.cli import main
from gongkai.forms.bind import BoundTable, Dash
from gongkai.importing import ImportFileError, ImportRequest, import_files
from gongkai.models.disclosure import Disclosure
from gongkai.pipeline import load

UNIT = "huaihua-bjlxc"
DISCLOSURES = [("budget", 2023), ("final-accounts", 2023), ("budget", 2024)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("import") / "site"
    build_site(CONTENT, out)
    return out


def table_data(report: Disclosure) -> list[Any]:
    """What a reader of the tables sees: each table's rows, columns, figures and dashes, and its note."""
    return [_table(t) for t in report.tables]


def _table(table: BoundTable) -> Any:
    parts = [
        (part.spec.name, part.columns, [(row.item, row.code, row.name, _cells(row.cells)) for row in part.rows])
        for part in table.parts
    ]
    return table.spec.id, table.note, _cells(table.total.cells) if table.total else None, parts


def _cells(cells: dict[str, Any]) -> dict[str, Decimal | str]:
    return {k: v.text if isinstance(v, Dash) else v.value for k, v in cells.items()}


def _report(root: Path, kind: str, year: int) -> Disclosure:
    loaded = load(root)
    assert loaded.content is not None
    (entry,) = [r for r in loaded.content.reports if r.kind == kind and r.year == year]
    return entry.model  # type: ignore[return-value]


@pytest.mark.parametrize(("kind", "year"), DISCLOSURES)
def test_our_own_workbook_imports_back_to_the_same_data(built: Path, tmp_path: Path, kind: str, year: int) -> None:
    root = copy_site(CONTENT, tmp_path / "content")
    source = _report(root, kind, year)
    assert len(source.tables) >= 9
    (root / UNIT / str(year) / f"{kind}.yaml").unlink()
    workbook = built / UNIT / str(year) / "downloads" / f"{UNIT}-{year}-{kind}.xlsx"

    result = import_files(ImportRequest([workbook], UNIT, year, content=root))

    assert result.kind == kind  # guessed from the tables' titles
    assert result.leftovers == [] and result.missing == []
    assert [p for p in result.problems if p.severity == "error"] == []
    imported = _report(root, kind, year)
    assert table_data(imported) == table_data(source)
    header = ("title", "year", "money_unit", "published")
    assert [getattr(imported, h) for h in header] == [getattr(source, h) for h in header]


def test_an_existing_report_is_not_overwritten_without_force(built: Path, tmp_path: Path) -> None:
    root = copy_site(CONTENT, tmp_path / "content")
    target = root / UNIT / "2024" / "budget.yaml"
    before = target.read_bytes()
    workbook = built / UNIT / "2024" / "downloads" / f"{UNIT}-2024-budget.xlsx"
    with pytest.raises(ImportFileError, match="已经存在"):
        import_files(ImportRequest([workbook], UNIT, 2024, content=root))
    assert target.read_bytes() == before
    import_files(ImportRequest([workbook], UNIT, 2024, content=root, force=True))
    assert target.read_bytes() != before


def test_the_command_prints_the_report_and_refuses_a_corrupt_file(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_site(CONTENT, tmp_path / "content")
    (root / UNIT / "2024" / "budget.yaml").unlink()
    workbook = built / UNIT / "2024" / "downloads" / f"{UNIT}-2024-budget.xlsx"
    assert main(["import", str(workbook), "--unit", UNIT, "--year", "2024", "--content", str(root)]) == 0
    out = capsys.readouterr().out
    assert "已导入《部门收支总表》" in out and "表格中的数字已全部导入" in out

    broken = tmp_path / "损坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["import", str(broken), "--unit", UNIT, "--year", "2024", "--content", str(root), "--force"]) == 2
    assert "无法作为表格读取" in capsys.readouterr().err
    text = tmp_path / "报告.txt"
    text.write_text("不是表格")
    assert main(["import", str(text), "--unit", UNIT, "--year", "2024", "--content", str(root), "--force"]) == 2
    assert "不支持的文件类型" in capsys.readouterr().err


def test_an_unknown_kind_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    root = copy_site(CONTENT, tmp_path / "content")
    with pytest.raises(ImportFileError, match="报告类型“annual”暂不能从表格导入"):
        import_files(ImportRequest([tmp_path / "missing.xlsx"], UNIT, 2023, "annual", root))


# Workbooks laid out like real exports (tests/import_fixtures.py).


def _without_columns(data: list[Any]) -> list[Any]:
    """The figures only: an export prints every column of the form, the sample names the ones it uses."""
    return [(i, note, total, [(name, rows) for name, _, rows in parts]) for i, note, total, parts in data]


@pytest.fixture
def budget_site(tmp_path: Path) -> Path:
    root = copy_site(CONTENT, tmp_path / "content")
    (root / UNIT / "2024" / "budget.yaml").unlink()
    return root


def test_an_export_like_workbook_imports_to_the_sample_budget(budget_site: Path, tmp_path: Path) -> None:
    source = _report(CONTENT, "budget", 2024)
    workbook = import_fixtures.write_xlsx(import_fixtures.export_sheets(source), tmp_path / "2024年部门预算公开表.xlsx")

    result = import_files(ImportRequest([workbook], UNIT, 2024, content=budget_site))

    assert result.leftovers == [] and result.missing == []
    assert ("一般公共预算财政拨款基本支出表", "表5-6!A22") in result.found  # the second table of a sheet
    assert [p.code for p in result.problems if p.severity == "error"] == ["missing-value"]  # 发布日期 is not in it
    text = result.path.read_text(encoding="utf-8")
    assert '- {科目编码: "2010301", 科目名称: 行政运行, 合计: 170.7, 一般公共预算拨款: 170.7}' in text  # from 类/款/项
    result.path.write_text(text.replace("发布日期:\n", "发布日期: 2024-02-26\n"), encoding="utf-8")
    assert _without_columns(table_data(_report(budget_site, "budget", 2024))) == _without_columns(table_data(source))


def test_the_committed_xls_export_imports_to_the_sample_budget(budget_site: Path) -> None:
    assert import_fixtures.XLS_FIXTURE.is_file(), "python tests/import_fixtures.py makes it"
    result = import_files(ImportRequest([import_fixtures.XLS_FIXTURE], UNIT, 2024, content=budget_site))
    assert result.leftovers == [] and result.missing == []
    result.path.write_text(result.path.read_text(encoding="utf-8").replace("发布日期:\n", "发布日期: 2024-02-26\n"), encoding="utf-8")
    imported = _report(budget_site, "budget", 2024)
    assert _without_columns(table_data(imported)) == _without_columns(table_data(_report(CONTENT, "budget", 2024)))


def _yuan_sheet(shift_project_column: bool = False) -> list[import_fixtures.Sheet]:
    """部门支出总表 in 元: the 合计 row first, a “——”, a blank, and figures that need rounding in 万元."""
    sheet = import_fixtures.Sheet("表3")
    sheet.title("怀化市人民政府驻北京联络处2024年部门支出总表", 5, unit="金额单位：元")
    sheet.line("科目编码", "科目名称", "合计", "基本支出", "项目支出")
    rows = [
        ("合计", None, Decimal("3055555"), Decimal("2270000"), Decimal("785555")),
        ("2010301", "行政运行", Decimal("2270000"), Decimal("2270000"), "——"),
        ("2010302", "一般行政管理事务", Decimal("785555"), None, Decimal("785555")),
    ]
    for row in rows:
        r = sheet.line(*row[:4], *([] if shift_project_column else [row[4]]))
        if shift_project_column:
            sheet.put(r, 5, row[4])  # one column to the right of its header
    cover = import_fixtures.Sheet("封面")
    cover.line("2024年部门预算公开")
    cover.line("页数", Decimal(9))
    return [cover, sheet]


def test_figures_in_yuan_are_kept_in_yuan_unless_conversion_is_asked(budget_site: Path, tmp_path: Path) -> None:
    workbook = import_fixtures.write_xlsx(_yuan_sheet(), tmp_path / "元.xlsx")
    result = import_files(ImportRequest([workbook], UNIT, 2024, content=budget_site))
    assert result.data["金额单位"] == "元"
    table = result.data["部门支出总表"]
    assert table["合计"] == {"合计": "3055555", "基本支出": "2270000", "项目支出": "785555"}
    assert table["明细"][0] == {"科目编码": "2010301", "科目名称": "行政运行", "合计": "2270000", "基本支出": "2270000", "项目支出": "——"}
    assert table["明细"][1] == {"科目编码": "2010302", "科目名称": "一般行政管理事务", "合计": "785555", "项目支出": "785555"}  # blank stays blank
    assert [(item.place, item.value) for item in result.leftovers] == [("封面!B2", "9")]  # a sheet of no table: listed
    assert "部门收支总表" in result.missing and "部门支出总表" not in result.missing


def test_yuan_to_wanyuan_is_exact_and_every_rounding_is_listed(budget_site: Path, tmp_path: Path) -> None:
    workbook = import_fixtures.write_xlsx(_yuan_sheet(), tmp_path / "元.xlsx")
    result = import_files(ImportRequest([workbook], UNIT, 2024, content=budget_site, to_wanyuan=True))
    assert result.data["金额单位"] == "万元"
    assert result.data["部门支出总表"]["合计"] == {"合计": "305.56", "基本支出": "227", "项目支出": "78.56"}
    assert [(r.place, r.original, r.written) for r in result.rounded] == [
        ("表3!C4", "3055555", "305.56"), ("表3!E4", "785555", "78.56"), ("表3!C6", "785555", "78.56"), ("表3!E6", "785555", "78.56"),
    ]


def test_a_shifted_column_is_reported_not_misplaced(budget_site: Path, tmp_path: Path) -> None:
    workbook = import_fixtures.write_xlsx(_yuan_sheet(shift_project_column=True), tmp_path / "错位.xlsx")
    result = import_files(ImportRequest([workbook], UNIT, 2024, content=budget_site, published="2024-02-26"))
    table = result.data["部门支出总表"]
    assert all("项目支出" not in row for row in [table["合计"], *table["明细"]])
    shifted = [(item.place, item.value) for item in result.leftovers if item.why == "这一栏没有表头，不知道是哪一栏"]
    assert shifted == [("表3!F4", "785555"), ("表3!F5", "——"), ("表3!F6", "785555")]
    assert any(p.code == "sum-mismatch" for p in result.problems)  # 合计 ≠ 基本支出 + 项目支出: check says so too


# Our own PDF: the tables by their titles (one carried over a page), the text by its headings.


@pytest.fixture(scope="module")
def built_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 部门预算 and 部门决算 alone, built with their PDFs (fewer reports keep WeasyPrint's time small)."""
    root = tmp_path_factory.mktemp("pdf") / "content"
    names = ["site.yaml", f"{UNIT}/unit.yaml", *(f"{UNIT}/{year}/{kind}.yaml" for kind, year in DISCLOSURES)]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CONTENT / name, root / name)
    out = root.parent / "site"
    build_site(root, out, pdf=True)
    return out


@pytest.mark.parametrize(("kind", "year"), DISCLOSURES)
def test_our_own_pdf_imports_with_every_figure_placed_or_listed(built_pdfs: Path, tmp_path: Path, kind: str, year: int) -> None:
    root = copy_site(CONTENT, tmp_path / "content")
    source = _report(root, kind, year)
    (root / UNIT / str(year) / f"{kind}.yaml").unlink()
    result = import_files(ImportRequest([built_pdfs / UNIT / str(year) / f"{kind}.pdf"], UNIT, year, content=root))

    assert result.kind == kind and result.missing == []
    assert [item.why for item in result.leftovers] == ["表格和情况说明以外的文字，未导入"]  # the PDF/A note on the last page
    assert [p for p in result.problems if p.severity == "error"] == []
    imported = _report(root, kind, year)
    assert table_data(imported) == table_data(source)
    assert (imported.title, imported.published, imported.money_unit) == (source.title, source.published, source.money_unit)
    assert list(imported.narrative) == list(source.narrative)
    if kind == "budget" and year == 2024:  # a text without {…} markers: equal but for its bold marks
        plain = {k: v.replace("**", "").strip() for k, v in source.narrative.items()}
        assert {k: v.strip() for k, v in imported.narrative.items()} == plain


def test_a_word_report_imports_its_text_and_tables(budget_site: Path, tmp_path: Path) -> None:
    source = _report(CONTENT, "budget", 2024)
    document = import_fixtures.write_docx(source, tmp_path / "2024年部门预算.docx")

    result = import_files(ImportRequest([document], UNIT, 2024, content=budget_site))

    assert result.leftovers == []
    assert len(result.missing) == 7  # three of the ten tables were written in the document
    assert result.data["发布日期"] == "2024-02-26" and result.data["标题"] == source.title
    assert result.data["政府性基金预算财政拨款支出表"] == source.table("government-fund").note
    imported = {t.spec.id: t for t in _report_loose(result.data)}
    expected = {t.spec.id: _table(t) for t in source.tables}
    for table_id in ("overview", "spending"):
        assert _table(imported[table_id]) == expected[table_id]
    assert list(result.data["情况说明"]) == list(source.narrative)


def _report_loose(data: dict[str, Any]) -> list[BoundTable]:
    """The imported tables bound against the form, whether or not the report is complete."""
    from gongkai.forms.bind import Binder

    form = _report(CONTENT, "budget", 2024).FORM
    tables = {k: v for k, v in data.items() if form.table(k) is not None}
    return Binder(2, 2024).bind_all(form, tables, None)


def test_an_ods_export_imports_like_the_xlsx_one(budget_site: Path, tmp_path: Path) -> None:
    source = _report(CONTENT, "budget", 2024)
    workbook = import_fixtures.write_ods(import_fixtures.export_sheets(source), tmp_path / "2024年部门预算公开表.ods")
    result = import_files(ImportRequest([workbook], UNIT, 2024, content=budget_site, published="2024-02-26"))
    assert result.leftovers == [] and result.missing == []
    assert _without_columns(table_data(_report(budget_site, "budget", 2024))) == _without_columns(table_data(source))


def test_a_final_accounts_export_with_line_numbers(tmp_path: Path) -> None:
    """决算 exports print 行次 beside each side and the form's number (公开01表) beside the title."""
    root = copy_site(CONTENT, tmp_path / "content")
    (root / UNIT / "2023" / "final-accounts.yaml").unlink()
    sheet = import_fixtures.Sheet("Sheet1")
    sheet.line("收入支出决算总表", None, None, None, None, "公开01表")
    sheet.merge(0, 0, 0, 4)
    sheet.line("部门：怀化市人民政府驻北京联络处", None, None, None, None, "金额单位：万元")
    r = sheet.line("收入", None, None, "支出")
    sheet.merge(r, 0, r, 2)
    sheet.merge(r, 3, r, 5)
    sheet.line("项目", "行次", "金额", "项目", "行次", "金额")
    sheet.line("一、一般公共预算财政拨款收入", 1, Decimal("300.32"), "一、一般公共服务支出", 32, Decimal("251.09"))
    sheet.line("二、其他收入", 2, Decimal("0.16"), "二、社会保障和就业支出", 33, Decimal("32.28"))
    sheet.line("本年收入合计", 3, Decimal("300.48"), "本年支出合计", 34, Decimal("283.37"))
    workbook = import_fixtures.write_xlsx([sheet], tmp_path / "决算.xls.xlsx")

    result = import_files(ImportRequest([workbook], UNIT, 2023, content=root))

    assert result.kind == "final-accounts"
    assert result.data["收入支出决算总表"] == {
        "收入": {"一、一般公共预算财政拨款收入": "300.32", "二、其他收入": "0.16", "本年收入合计": "300.48"},
        "支出": {"一、一般公共服务支出": "251.09", "二、社会保障和就业支出": "32.28", "本年支出合计": "283.37"},
    }
    assert result.leftovers == [] and len(result.missing) == 9
    assert any("行次栏是行号" in note for note in result.notes)


def test_a_workbook_without_any_table_of_the_form_is_refused(budget_site: Path, tmp_path: Path) -> None:
    sheet = import_fixtures.Sheet("Sheet1")
    sheet.line("工资表")
    sheet.line("张三", Decimal("1000"))
    workbook = import_fixtures.write_xlsx([sheet], tmp_path / "工资表.xlsx")
    with pytest.raises(ImportFileError, match="没有认出任何一张部门预算的表格"):
        import_files(ImportRequest([workbook], UNIT, 2024, content=budget_site))
    assert not (budget_site / UNIT / "2024" / "budget.yaml").exists()


def test_a_column_numbering_row_under_the_header_is_not_a_row_of_figures(budget_site: Path, tmp_path: Path) -> None:
    sheet = import_fixtures.Sheet("表3")
    sheet.title("表三 部门支出总表", 5)
    sheet.line("科目编码", "科目名称", "合计", "基本支出", "项目支出")
    sheet.line("栏次", None, 1, 2, 3)
    sheet.line("合计", None, Decimal("10"), Decimal("6"), Decimal("4"))
    sheet.line("201", "一般公共服务支出", Decimal("10"), Decimal("6"), Decimal("4"))
    sheet.line("本年支出合计", None, Decimal("10"), Decimal("6"), Decimal("4"))
    workbook = import_fixtures.write_xlsx([sheet], tmp_path / "栏次.xlsx")
    result = import_files(ImportRequest([workbook], UNIT, 2024, content=budget_site))
    table = result.data["部门支出总表"]
    assert table["明细"] == [{"科目编码": "201", "科目名称": "一般公共服务支出", "合计": "10", "基本支出": "6", "项目支出": "4"}]
    assert [(item.place, item.why) for item in result.leftovers] == [
        ("表3!C7", "本表已有一行合计（行“本年支出合计”）"), ("表3!D7", "本表已有一行合计（行“本年支出合计”）"), ("表3!E7", "本表已有一行合计（行“本年支出合计”）"),
    ]
    assert any(note.startswith("表3!A4：栏次行") for note in result.notes)


# 项目支出绩效自评表: the workbook holds the projects' tables; their text is filled in from the source here.


def test_the_project_evaluation_workbook_imports_back_to_the_same_tables(built: Path, tmp_path: Path) -> None:
    from gongkai.importing.yamltext import to_yaml
    from gongkai.reader import read_document
    from gongkai.tables import project_evaluation_tables

    root = copy_site(CONTENT, tmp_path / "content")
    target = root / UNIT / "2023" / "project-evaluation.yaml"
    source_data = read_document(target).data
    source = _report(root, "project-evaluation", 2023)
    target.unlink()

    result = import_files(ImportRequest([built / UNIT / "2023" / "downloads" / f"{UNIT}-2023-project-evaluation.xlsx"], UNIT, 2023, content=root))

    assert result.kind == "project-evaluation" and result.leftovers == []
    assert {p.code for p in result.problems if p.severity == "error"} == {"missing-value"}  # the texts left blank
    not_in_workbook = ("主管部门", "实施单位", "年度总体目标")
    for imported, original in zip(result.data["项目"], source_data["项目"], strict=True):
        assert all(imported[key] in (None, {"预期目标": None, "实际完成情况": None}) for key in not_in_workbook)
        imported.update({key: original[key] for key in not_in_workbook})
    target.write_text(to_yaml(result.data, []), encoding="utf-8")

    def cells(report: Any) -> list[Any]:
        return [(t.id, [[c.value if c.numeric else c.exact for c in row] for row in t.records()]) for t in project_evaluation_tables(report)]

    assert cells(_report(root, "project-evaluation", 2023)) == cells(source)


def test_the_self_evaluation_workbook_imports_back_to_the_same_tables(built: Path, tmp_path: Path) -> None:
    from gongkai.importing.evaluation import SELF_NOT_IN_WORKBOOK
    from gongkai.importing.yamltext import to_yaml
    from gongkai.reader import read_document
    from gongkai.tables import self_evaluation_tables

    root = copy_site(CONTENT, tmp_path / "content")
    target = root / UNIT / "2023" / "self-evaluation.yaml"
    source_data = read_document(target).data
    source = _report(root, "self-evaluation", 2023)
    target.unlink()

    result = import_files(ImportRequest([built / UNIT / "2023" / "downloads" / f"{UNIT}-2023-self-evaluation.xlsx"], UNIT, 2023, content=root))

    assert result.kind == "self-evaluation" and result.leftovers == []
    assert {p.code for p in result.problems if p.severity == "error"} == {"missing-value"}  # the fields left blank
    for path in SELF_NOT_IN_WORKBOOK:  # what no table holds, and only that, is taken from the source
        *parents, key = path.split(".")
        imported, original = result.data, source_data
        for name in parents:
            imported, original = imported[name], original[name]
        assert imported[key] is None
        imported[key] = original.get(key)
    target.write_text(to_yaml(result.data, []), encoding="utf-8")

    def cells(report: Any) -> list[Any]:
        return [(t.id, [[c.value if c.numeric else c.exact for c in row] for row in t.records()]) for t in self_evaluation_tables(report)]

    assert cells(_report(root, "self-evaluation", 2023)) == cells(source)


def test_a_word_self_evaluation_keeps_its_text_and_lists_every_figure_of_its_annex_tables(tmp_path: Path) -> None:
    root = copy_site(CONTENT, tmp_path / "content")
    source = _report(root, "self-evaluation", 2023)
    (root / UNIT / "2023" / "self-evaluation.yaml").unlink()
    document, figures = import_fixtures.write_seed_like_docx(source, tmp_path / "2023年部门整体支出绩效自评报告.docx")

    result = import_files(ImportRequest([document], UNIT, 2023, "self-evaluation", root))

    assert list(result.data["正文"]) == list(source.text)
    assert result.data["发布日期"] == "2024-06-06" and result.data["标题"] == source.title
    assert len(result.leftovers) == figures  # the annex tables are in the forms' layout: every figure listed
    assert {item.place.split("第")[1] for item in result.leftovers} == {"1个表格", "2个表格"}
    assert all("不是本工具认得的表" in item.why for item in result.leftovers)


def test_a_password_protected_workbook_is_named_as_such(budget_site: Path, tmp_path: Path) -> None:
    """What Excel writes for a workbook with a password: an OLE compound file with an EncryptionInfo stream."""
    locked = tmp_path / "加密.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(1024))
    with pytest.raises(ImportFileError, match="设有密码保护"):
        import_files(ImportRequest([locked], UNIT, 2024, content=budget_site))


def test_a_corrupt_or_password_protected_document_is_refused_in_one_sentence(budget_site: Path, tmp_path: Path) -> None:
    import pikepdf

    locked = tmp_path / "加密.pdf"
    with pikepdf.new() as document:
        document.add_blank_page()
        document.save(locked, encryption=pikepdf.Encryption(owner="owner", user="user"))
    broken_pdf, broken_docx = tmp_path / "损坏.pdf", tmp_path / "损坏.docx"
    broken_pdf.write_bytes(b"%PDF-1.4\nnot really")
    broken_docx.write_bytes(b"PK\x03\x04not really")
    for path, message in ((locked, "设有密码保护"), (broken_pdf, "无法作为 PDF 读取"), (broken_docx, "无法作为 Word 文档读取")):
        with pytest.raises(ImportFileError, match=message):
            import_files(ImportRequest([path], UNIT, 2024, content=budget_site))
