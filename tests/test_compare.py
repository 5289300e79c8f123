"""A unit's years side by side: the comparison page shows the reports' own figures, linked to them."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import CONTENT, build_site

from gongkai import archive
from gongkai.compare import comparison
from gongkai.content import Content, Listing, ReportEntry, UnitEntry
from gongkai.figures import KeyFigure
from gongkai.models.disclosure import figure_at
from gongkai.pipeline import BuildOptions, build, load

PAGE = "huaihua-bjlxc/compare.html"
# Where each figure stands in a 预算 or 决算, found here without figures.py: (table, row, column).
DISCLOSURE = {
    "收支总计": ("overview", {"budget": "收入/收入总计", "final-accounts": "收入/总计"}, ""),
    "基本支出": ("spending", "合计", "基本支出"),
    "项目支出": ("spending", "合计", "项目支出"),
    "“三公”经费合计": ("three-public", None, "合计"),
    "因公出国（境）费": ("three-public", None, "因公出国（境）费"),
    "公务用车购置费": ("three-public", None, "公务用车购置费"),
    "公务用车运行费": ("three-public", None, "公务用车运行费"),
    "公务接待费": ("three-public", None, "公务接待费"),
}
THIS_YEAR = {"budget": "预算数", "final-accounts": "决算数"}
KINDS = {"部门预算": "budget", "部门决算": "final-accounts", "部门整体支出绩效自评报告": "self-evaluation"}


class _Cells(HTMLParser):
    """The comparison table's cells: (row header texts, column header ids, text, link)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.cells: list[dict[str, object]] = []
        self._in: dict[str, object] | None = None
        self._table = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id") == "compare"
        if not self._table:
            return
        if tag in ("th", "td"):
            self._in = {"tag": tag, "id": a.get("id"), "headers": (a.get("headers") or "").split(), "text": "", "href": None}
        elif tag == "a" and self._in is not None:
            self._in["href"] = a.get("href")

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._in["text"] = str(self._in["text"]) + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = False
        if tag in ("th", "td") and self._in is not None:
            text = str(self._in["text"]).strip()
            self._in["text"] = "" if text == "—空" else text
            if self._in["id"]:
                self.ids[str(self._in["id"])] = str(self._in["text"])
            if self._in["tag"] == "td":
                self.cells.append(self._in)
            self._in = None


def cells(site: Path) -> list[dict[str, object]]:
    """Each figure cell with the texts of its headers: year, 数值 or 较上年增减, report, figure."""
    parser = _Cells()
    parser.feed((site / PAGE).read_text(encoding="utf-8"))
    for cell in parser.cells:
        cell["heads"] = [parser.ids[h] for h in cell["headers"]]  # type: ignore[union-attr]
    return parser.cells


def stated(models: dict[tuple[int, str], object], year: int, kind: str, name: str) -> Decimal | None:
    """The figure as the report's model states it, read straight from the model."""
    model = models.get((year, kind))
    if model is None:
        return None
    if kind == "self-evaluation":
        figure = model.form.funds.rate if name == "执行率" else model.form.total.score  # type: ignore[attr-defined]
        return None if figure is None else figure.value
    table, row, column = DISCLOSURE[name]
    row = row[kind] if isinstance(row, dict) else row or THIS_YEAR[kind]
    figure, _ = figure_at(model, table, row, column)  # type: ignore[arg-type]
    return None if figure is None else figure.value


def number(text: str) -> Decimal | None:
    return Decimal(text.removesuffix("%")) if text else None


def check_page(site: Path, content: Path) -> int:
    """Every figure equals its report's, links to it, and every change is this year's minus last year's."""
    loaded = load(content)
    assert loaded.content is not None
    models = {(r.year, r.kind): r.model for r in loaded.content.reports}
    shown: dict[tuple[int, str, str], Decimal | None] = {}
    found = 0
    for cell in cells(site):
        year_text, column, kind_name, name = cell["heads"]  # type: ignore[misc]
        kind, year = KINDS[kind_name], int(year_text.removesuffix("年度"))
        if column == "数值":
            value = number(str(cell["text"]))
            assert value == stated(models, year, kind, name), (year, kind, name)
            shown[(year, kind, name)] = value
            if value is not None:
                href = str(cell["href"])
                assert href.startswith(f"{year}/{kind}.html#"), href
                target = (site / "huaihua-bjlxc" / href.split("#")[0]).read_text(encoding="utf-8")
                assert f'id="{href.split("#")[1]}"' in target, href
                found += 1
        else:
            before, now = shown.get((year - 1, kind, name)), shown[(year, kind, name)]
            expected = "" if before is None or now is None else f"{now - before:.2f}"
            assert cell["text"] == expected, (year, kind, name, cell["text"])
    return found


def test_the_comparison_page_shows_each_reports_figures_linked_to_them(built_sample: Path) -> None:
    assert check_page(built_sample, CONTENT) == 8 * 3 + 2, "8 figures of two budgets and one 决算, 2 of the self-evaluation"
    unit_page = (built_sample / "huaihua-bjlxc" / "index.html").read_text(encoding="utf-8")
    assert 'href="compare.html"' in unit_page


def test_a_figure_not_published_stays_blank_and_has_no_change(built_sample: Path) -> None:
    final_2024 = [c for c in cells(built_sample) if c["heads"][2] == "部门决算" and c["heads"][0] == "2024年度"]  # type: ignore[index]
    assert final_2024 and all(c["text"] == "" and c["href"] is None for c in final_2024)


def test_the_change_is_computed_to_the_cent(built_sample: Path) -> None:
    total = next(c for c in cells(built_sample) if c["heads"] == ["2024年度", "较上年增减", "部门预算", "收支总计"])
    assert total["text"] == "12.07"  # 305.60 − 293.53; neither report types it


def test_the_trend_charts_say_in_words_what_they_draw(built_sample: Path) -> None:
    page = (built_sample / PAGE).read_text(encoding="utf-8")
    assert page.count('<svg') == 2 and page.count("<desc") == 2
    assert "2023年度部门预算293.53万元，部门决算300.48万元；2024年度部门预算305.60万元，部门决算未公开" in page


def test_listings_keep_their_figures_through_the_build_state() -> None:
    loaded = load(CONTENT)
    assert loaded.content is not None
    for entry in loaded.content.reports:
        listing = entry.listing
        assert Listing.from_json(listing.to_json()) == listing
    budget = next(r for r in loaded.content.reports if r.id == "huaihua-bjlxc/2023/budget")
    assert budget.listing.figure("收支总计").value == Decimal("293.53")  # type: ignore[union-attr]


def test_a_rebuild_draws_the_page_from_the_stored_listings(tmp_path: Path) -> None:
    """A new unit renders the index pages again; the unchanged unit's page is drawn without reading its reports."""
    content = shutil.copytree(CONTENT, tmp_path / "content")
    options = BuildOptions(out=tmp_path / "site", pdf=False, jobs=1, cache=None)
    assert build(content, options).report.ok
    first = (options.out / PAGE).read_text(encoding="utf-8")
    shutil.copytree(content / "huaihua-bjlxc", content / "other-unit")
    loaded = build(content, options)
    assert loaded.report.ok and loaded.content is not None
    assert {r.unit.id for r in loaded.content.reports if r.loaded} == {"other-unit"}, "the unchanged unit is not read"
    assert (options.out / "other-unit" / "compare.html").is_file()
    assert (options.out / PAGE).read_text(encoding="utf-8") == first


def test_an_archived_year_keeps_its_figures_on_the_page(tmp_path: Path) -> None:
    content = shutil.copytree(CONTENT, tmp_path / "content")
    options = BuildOptions(out=tmp_path / "site", jobs=1, cache=tmp_path / "pdf-cache")
    loaded = build(content, options)
    assert loaded.report.ok and loaded.content is not None
    archive.freeze(content, options.out, 2023, loaded.content, dt.date(2026, 11, 29))
    build_site(content, options.out, pdf=True)
    assert check_page(options.out, content) == 8 * 3 + 2


def _entry(unit: UnitEntry, year: int, kind: str, money_unit: str, *figures: KeyFigure) -> ReportEntry:
    listing = Listing("报告", dt.date(year, 3, 1), figures=figures, money_unit=money_unit)
    return ReportEntry(unit, year, kind, Path(f"{year}/{kind}.yaml"), listing, lambda: pytest.fail("read a report"))


def test_changes_only_between_consecutive_years_in_one_money_unit() -> None:
    """A year in 元 among years in 万元, a missing year and a rate: computed only where it means something."""
    unit = UnitEntry("u", Path("u/unit.yaml"), "某单位", lambda: pytest.fail("read the unit"))
    total = lambda value: KeyFigure("收支总计", Decimal(value), "money", "overview")  # noqa: E731
    rate = lambda value: KeyFigure("执行率", Decimal(value), "percent", "funds")  # noqa: E731
    reports = [
        _entry(unit, 2020, "budget", "万元", total("100.00")),
        _entry(unit, 2021, "budget", "元", total("1000000.00")),
        _entry(unit, 2022, "budget", "万元", total("110.00")),
        _entry(unit, 2024, "budget", "万元", total("120.50")),
        _entry(unit, 2020, "self-evaluation", "万元", rate("98.50")),
        _entry(unit, 2021, "self-evaluation", "万元", rate("99.75")),
    ]
    content = Content(Path("."), None, None, {"u": unit}, reports)  # type: ignore[arg-type]
    c = comparison(content, "u")
    assert c.years == [2020, 2021, 2022, 2024]
    budget, executed = (row for row in c.table.body if row[1].text in ("收支总计", "执行率"))
    assert [cell.text for cell in budget[2:]] == ["100.00", "1000000.00元", "", "110.00", "", "120.50", ""]
    assert [cell.text for cell in executed[2:]] == ["98.5%", "99.75%", "1.25", "", "", "", ""]
    assert "2021年度部门预算未公开" in c.charts[0].description, "a bar in 元 beside bars in 万元 would mislead"
