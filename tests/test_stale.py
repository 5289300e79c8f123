"""Stale copies: last year's file saved under this year with only 年度 changed is noticed, as warnings."""

from __future__ import annotations

from pathlib import Path

from gongkai.pipeline import check

UNIT = "huaihua-bjlxc"
STALE = {"stale-title", "stale-date", "stale-text", "copied-figures"}


def copy_last_years_budget(site: Path) -> Path:
    """The 2024 budget saved as 2025 with only its 年度 changed, as a finance officer starts the new year."""
    target = site / UNIT / "2025" / "budget.yaml"
    target.parent.mkdir()
    text = (site / UNIT / "2024" / "budget.yaml").read_text(encoding="utf-8")
    target.write_text(text.replace("年度: 2024\n", "年度: 2025\n", 1), encoding="utf-8")
    return target


def stale_found(site: Path) -> dict[str, tuple[int, str]]:
    report = check(site)
    assert report.ok, [str(p) for p in report.errors]
    found = {p.code: (p.line, p.message) for p in report.warnings if p.code in STALE}
    assert all(p.file.endswith("2025/budget.yaml") for p in report.warnings if p.code in STALE)
    return found


def test_the_sample_has_no_stale_copies(sample_site: Path) -> None:
    assert stale_found(sample_site) == {}


def test_a_copy_of_last_years_budget_is_named_four_ways(sample_site: Path) -> None:
    target = copy_last_years_budget(sample_site)
    found = stale_found(sample_site)
    assert set(found) == STALE
    assert found["stale-title"][0] == 3 and "2025年部门预算" in found["stale-title"][1]
    assert found["stale-date"][0] == 6 and "2024-02-26" in found["stale-date"][1]
    assert "2024年" in found["stale-text"][1] and "2025" in found["stale-text"][1]
    assert "与2024年部门预算完全相同" in found["copied-figures"][1]
    text = target.read_text(encoding="utf-8")
    text = text.replace("标题: 2024年部门预算", "标题: 2025年部门预算").replace("发布日期: 2024-02-26", "发布日期: 2025-02-20")
    target.write_text(text, encoding="utf-8")
    assert set(stale_found(sample_site)) == {"stale-text", "copied-figures"}
