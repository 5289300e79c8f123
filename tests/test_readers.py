"""What the public meets beyond one report: corrections in every list, the feed and the sitemap; the 404
page at any depth; a description and an icon on every page."""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import chromium

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SELF_EVALUATION = "huaihua-bjlxc/2023/self-evaluation.html"


def test_lists_mark_the_reports_that_were_corrected(built_sample: Path) -> None:
    for page in ("index.html", "huaihua-bjlxc/index.html", "years/2023.html"):
        text = (built_sample / page).read_text(encoding="utf-8")
        [item] = [li for li in text.split("<li>") if "self-evaluation.html" in li and "2023" in li]
        assert "发布后更正 1 次，最近一次" in item and "5 处数字或文字已更正（保留原值）" in item, page
        others = [li for li in text.split("<li>") if "budget.html" in li]
        assert others and not any("更正" in li for li in others), f"{page}: reports without corrections are not marked"


def test_the_archive_page_lists_every_correction_of_the_year(built_sample: Path) -> None:
    page = (built_sample / "archive.html").read_text(encoding="utf-8")
    row = page.split("2023年度</a></th>", 1)[1].split("</tr>", 1)[0]
    assert "2026年12月2日更正，附件1-2 自评表的栏目“预预期目标”更正为“预期目标”" in row
    assert "5 处数字或文字已更正，原值和理由见报告的“更正说明”" in row
    assert ">无<" not in row


def test_the_feed_announces_each_correction_and_the_sitemap_follows(built_sample: Path) -> None:
    feed = ET.parse(built_sample / "feed.xml").getroot()
    corrections = [e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title", "").startswith("更正：")]
    [entry] = corrections
    assert entry.findtext(f"{ATOM}updated") == "2026-12-02T00:00:00+08:00"
    assert "预预期目标" in entry.findtext(f"{ATOM}summary", "")
    assert entry.find(f"{ATOM}link").get("href") == f"{SELF_EVALUATION}#history"  # type: ignore[union-attr]
    assert feed.findtext(f"{ATOM}updated") == "2026-12-02T00:00:00+08:00", "the feed changed when the correction was made"
    ids = [e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))
    sitemap = ET.parse(built_sample / "sitemap.xml").getroot()
    lastmod = {u.findtext(f"{SITEMAP}loc", "").rsplit("/gongkai/", 1)[1]: u.findtext(f"{SITEMAP}lastmod")
               for u in sitemap.iter(f"{SITEMAP}url")}
    assert lastmod[SELF_EVALUATION] == "2026-12-02"


def test_every_page_has_a_description_and_the_site_an_icon(built_sample: Path) -> None:
    for page in sorted(built_sample.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert '<meta name="description" content="' in text, page
        assert 'rel="icon"' in text, page
    assert (built_sample / "assets/favicon.svg").read_text(encoding="utf-8").startswith("<svg")
    report = (built_sample / SELF_EVALUATION).read_text(encoding="utf-8")
    assert '<meta name="description" content="湖南省怀化市人民政府驻北京联络处2023年度部门整体支出绩效自评报告' in report


class _LikeAWebServer(http.server.SimpleHTTPRequestHandler):
    """Serves the site under /gongkai/ (the sample's 网址) and answers a missing address with 404.html,
    as a web team's server is set up to (nginx `error_page 404 /gongkai/404.html`)."""

    def translate_path(self, path: str) -> str:
        return super().translate_path(path.removeprefix("/gongkai"))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def served(built_sample: Path) -> Iterator[str]:
    handler = functools.partial(_LikeAWebServer, directory=str(built_sample))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/gongkai/"
    finally:
        server.shutdown()


@pytest.mark.browser
def test_the_404_page_served_three_folders_deep_is_styled_and_its_links_work(served: str) -> None:
    with chromium() as driver:
        missing = served + "huaihua-bjlxc/2019/missing/page.html"
        driver.get(missing)
        assert driver.find_element("tag name", "h1").text == "页面未找到"
        border = driver.execute_script(
            "return getComputedStyle(document.querySelector('.site-header')).borderBottomColor")
        assert border == "rgb(156, 28, 28)", "the stylesheet loaded"
        links = driver.execute_script("return [...document.querySelectorAll('a[href], link[href]')].map(a => a.href)")
    assert links
    for link in {link.split("#", 1)[0] for link in links} - {missing}:  # the skip link stays on the page
        with urllib.request.urlopen(link) as answer:  # raises on 404
            assert answer.status == 200, link
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(served + "no/such/page.html")


@pytest.mark.browser
@pytest.mark.parametrize(("words", "expected"), [
    ("公务接待费", {"huaihua-bjlxc/2023/self-evaluation.html", "huaihua-bjlxc/2023/budget.html",
                    "huaihua-bjlxc/2024/budget.html"}),
    ("怀化", {"huaihua-bjlxc/2023/self-evaluation.html"}),
])
def test_search_finds_chinese_words_in_text_and_tables_keyboard_only(served: str, words: str, expected: set[str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium() as driver:
        driver.get(served + "index.html")
        box = driver.find_element(By.ID, "site-search-query")
        assert driver.find_element(By.CSS_SELECTOR, "label[for=site-search-query]").text == "搜索"
        box.send_keys(words, Keys.ENTER)  # the box in every page's header, by keyboard alone
        WebDriverWait(driver, 20).until(lambda d: "找到" in d.find_element(By.ID, "search-status").text
                                        or "没有找到" in d.find_element(By.ID, "search-status").text)
        status = driver.find_element(By.ID, "search-status")
        assert status.get_attribute("role") == "status" and status.text.startswith("找到")
        links = {a.get_attribute("href").split("/gongkai/", 1)[1]
                 for a in driver.find_elements(By.CSS_SELECTOR, "#search-results a")}
        assert expected <= links, links
        assert driver.find_elements(By.CSS_SELECTOR, "#search-results mark"), "the match is marked in its excerpt"


def test_a_site_without_pagefind_still_builds_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import CONTENT

    from gongkai import search
    from gongkai.pipeline import BuildOptions, build

    monkeypatch.setattr(search, "executable", lambda: None)
    said: list[str] = []
    loaded = build(CONTENT, BuildOptions(out=tmp_path / "site", pdf=False, jobs=1, cache=None), log=said.append)
    assert loaded.report.ok
    assert not (tmp_path / "site/pagefind").exists() and (tmp_path / "site/search.html").is_file()
    assert any("未安装 Pagefind" in line for line in said)
