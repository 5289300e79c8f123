"""The published pages as readers meet them: every figure in its cell, every link alive."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import CONTENT, SAMPLE_REPORT

from gongkai.reader import read_document

REPORT_PAGE = "huaihua-bjlxc/2023/self-evaluation.html"
NUMBER = re.compile(r"\d+(\.\d+)?%?")


class Page(HTMLParser):
    """Links, ids and table cells of one HTML page (cells with their id/headers and text)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.cells: list[dict[str, str]] = []
        self._cell: dict[str, str] | None = None
        self._hidden = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if key in a and tag != "html":
                self.links.append(a[key])
        if tag in ("td", "th"):
            self._cell = {"tag": tag, "id": a.get("id", ""), "headers": a.get("headers", ""), "text": ""}
        if self._cell is not None and tag == "a":
            self._hidden += 1  # correction links are not the cell's value
        if self._cell is not None and a.get("class") == "visually-hidden":
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._cell["text"] = self._cell["text"].strip()
            self.cells.append(self._cell)
            self._cell = None
            self._hidden = 0
        elif tag in ("a", "span") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._hidden:
            self._cell["text"] += data


def parse(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def source_figures() -> set[str]:
    """Every figure of the sample report's source, as a page prints it (amounts with two decimals)."""
    doc = read_document(CONTENT / SAMPLE_REPORT)
    skip = {"年度", "联系电话", "原值", "日期", "年度指标值", "实际完成值"}
    found = set()
    for field in doc.marks:
        value = doc.get(field)
        if isinstance(value, str) and NUMBER.fullmatch(value) and field[-1] not in skip:
            found.add(value)
    return found


def printed(value: str) -> set[str]:
    """The ways a figure may appear: 24 is printed as 24.00 in an amount column, 10 stays 10 as a score."""
    if value.endswith("%"):
        return {value}
    forms = {value}
    if "." not in value:
        forms.add(f"{value}.00")
    if re.fullmatch(r"\d+\.\d", value):
        forms.add(f"{value}0")
    return forms


def test_every_source_figure_is_in_a_table_cell(built_sample: Path) -> None:
    cells = {c["text"] for c in parse(built_sample / REPORT_PAGE).cells}
    missing = sorted(v for v in source_figures() if not printed(v) & cells)
    assert missing == []


def test_indicator_cells_announce_their_indicator_and_column(built_sample: Path) -> None:
    page = parse(built_sample / REPORT_PAGE)
    names = {c["id"]: c["text"] for c in page.cells if c["id"]}
    heads = {}
    for cell in page.cells:
        if cell["tag"] == "td" and cell["headers"]:
            heads.setdefault(cell["text"], []).append({names.get(h, "?") for h in cell["headers"].split()})
    # 可持续影响指标 scored 8 of 10: the 8 is announced with its 一级, 二级 and 三级 指标 and the 得分 column.
    assert {"效益指标（30分）", "可持续影响指标", "提升宣传、信访维护水平", "得分"} in heads["8"]
    # The 303.36 → 300.48 correction: the figure is under 按支出性质分 · 合计 · 金额.
    assert any({"按支出性质分", "合计", "金额"} <= h for h in heads["300.48"])


def test_every_headers_attribute_points_at_a_header_of_the_page(built_sample: Path) -> None:
    for html in built_sample.rglob("*.html"):
        page = parse(html)
        for cell in page.cells:
            for ref in cell["headers"].split():
                assert ref in page.ids, f"{html.name}: headers={ref} has no element"


SITE_ROOT = "/gongkai/"  # the path of the sample's 网址


def test_every_link_and_asset_resolves_to_a_file_in_the_site(built_sample: Path) -> None:
    broken = []
    for html in sorted(built_sample.rglob("*.html")):
        page = parse(html)
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            if html == built_sample / "404.html" and link.startswith(SITE_ROOT):
                # served at any missing address, at any depth: its links start from the site's root (网址)
                link = link.removeprefix(SITE_ROOT)
                parts = urlsplit(link)
            assert not parts.scheme and not link.startswith("/"), f"{html}: link {link} is not relative"
            target = (html.parent / unquote(parts.path)).resolve() if parts.path else html
            if not target.is_file() or built_sample.resolve() not in target.parents:
                broken.append(f"{html.relative_to(built_sample)} → {link}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in parse(target).ids:
                broken.append(f"{html.relative_to(built_sample)} → {link} (no such id)")
    assert broken == []


def test_site_has_its_index_pages_and_feeds(built_sample: Path) -> None:
    for name in ("index.html", "404.html", "accessibility.html", "huaihua-bjlxc/index.html", "years/2023.html",
                 "sitemap.xml", "feed.xml", "robots.txt", "assets/style.css"):
        assert (built_sample / name).is_file(), name
    home = (built_sample / "index.html").read_text(encoding="utf-8")
    assert 'href="huaihua-bjlxc/2023/self-evaluation.html"' in home
    feed = (built_sample / "feed.xml").read_text(encoding="utf-8")
    assert "<entry>" in feed and "湖南省怀化市人民政府驻北京联络处2023年部门整体支出绩效自评报告" in feed


def test_corrections_are_shown_beside_the_figure_and_listed_with_reasons(built_sample: Path) -> None:
    html = (built_sample / REPORT_PAGE).read_text(encoding="utf-8")
    assert "更正，原为 303.36" in html
    assert "原为 303.36，更正为 300.48" in html
    assert html.count('class="correction-ref"') == 5


class Tables(HTMLParser):
    """Each table's header cells (id → scope) and its data cells' headers, for the association test."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[dict[str, str], list[list[str]], list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.tables.append(({}, [], []))
        elif tag == "th" and self.tables:
            self.tables[-1][0][a.get("id", f"#{len(self.tables[-1][0])}")] = a.get("scope", "")
        elif tag == "td" and self.tables:
            self.tables[-1][1].append(a.get("headers", "").split())


def test_every_data_cell_is_tied_to_its_row_and_column_headers(built_sample: Path) -> None:
    """What a screen reader announces with each figure: every th has a scope; in a report's tables (headers
    spanning rows and columns) every td names its headers, header cells of its own table, a column header
    always among them. A simple listing (one header row) may rely on scope alone. axe and vnu pass without."""
    checked = 0
    for html in sorted(built_sample.rglob("*.html")):
        report = re.fullmatch(r"[a-z0-9-]+/\d{4}/[a-z-]+\.html", html.relative_to(built_sample).as_posix())
        for scopes, cells, _ in Tables(html.read_text(encoding="utf-8")).tables:
            assert all(scope in ("col", "colgroup", "row", "rowgroup") for scope in scopes.values()), html.name
            if not report and not any(cells):
                assert "col" in scopes.values(), f"{html.name}: a listing without column headers"
                continue
            for headers in cells:
                assert headers and all(h in scopes for h in headers), f"{html.name}: td headers={headers}"
                assert any(scopes[h] in ("col", "colgroup") for h in headers), f"{html.name}: no column header"
                checked += 1
    assert checked > 1000  # the sample's report tables, not an empty site
