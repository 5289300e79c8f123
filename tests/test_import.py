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
    workbook = built / UNIT / str(year) / "downloads" / f"{kind}.xlsx"

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
    workbook = built / UNIT / "2024" / "downloads" / "budget.xlsx"
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
    workbook = built / UNIT / "2024" / "downloads" / "budget.xlsx"
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


def test_evaluation_reports_are_not_imported_from_workbooks(built: Path, tmp_path: Path) -> None:
    root = copy_site(CONTENT, tmp_path / "content")
    workbook = built / UNIT / "2023" / "downloads" / "self-evaluation.xlsx"
    with pytest.raises(ImportFileError, match="暂不能从表格导入"):
        import_files(ImportRequest([workbook], UNIT, 2023, "self-evaluation", root))
    shutil.rmtree(root)
