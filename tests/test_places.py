"""The site's 金额小数位数 applies to every report's amounts, the self-evaluation forms too (安徽 prints three
decimals in its 项目支出绩效自评表), and a figure is shown with the decimals it was written with."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CONTENT

from gongkai.pipeline import BuildOptions, build, check
from gongkai.tables import Cell


def _sample(tmp_path: Path, places: int | None) -> Path:
    content = tmp_path / f"content-{places}"
    shutil.copytree(CONTENT, content)
    if places is not None:
        site = content / "site.yaml"
        site.write_text(site.read_text("utf-8") + f"金额小数位数: {places}\n", encoding="utf-8")
    report = content / "huaihua-bjlxc" / "2023" / "project-evaluation.yaml"
    text = report.read_text("utf-8")
    assert "      年初预算数: 62.34\n" in text
    report.write_text(text.replace("      年初预算数: 62.34\n", "      年初预算数: 62.340\n", 1), encoding="utf-8")
    return content


def _decimals_problems(content: Path) -> list[tuple[str, int]]:
    return [(Path(p.file).name, p.line) for p in check(content).problems if p.code == "too-many-decimals"]


def test_three_decimals_in_a_project_evaluation_are_refused_by_default(tmp_path: Path) -> None:
    assert _decimals_problems(_sample(tmp_path, None)) == [("project-evaluation.yaml", 15)]


def test_three_decimals_in_a_project_evaluation_follow_the_site_setting(tmp_path: Path) -> None:
    content = _sample(tmp_path, 3)
    assert _decimals_problems(content) == []
    out = tmp_path / "site"
    build(content, BuildOptions(out=out, pdf=False))
    pages = [p for p in out.rglob("*.html") if "project" in p.name and "2023" in p.as_posix()]
    assert pages and any("62.340" in p.read_text("utf-8") for p in pages)


def test_a_cell_never_rounds_a_figure_away() -> None:
    from decimal import Decimal

    assert Cell(Decimal("89.974"), "money").text == "89.974"
    assert Cell(Decimal("24"), "money").text == "24.00"
    assert Cell(Decimal("24.5"), "money", places=3).text == "24.500"
