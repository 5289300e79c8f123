"""The PDF of record, read the way an archive or a reader's software reads it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import CONTENT, SAMPLE_REPORT, copy_site
from test_site_pages import printed, source_figures

from gongkai.pipeline import BuildOptions, build

PDF = "huaihua-bjlxc/2023/self-evaluation.pdf"
HEADINGS = [
    "一、部门、单位基本情况", "二、部门整体支出管理及使用情况", "三、政府性基金预算支出情况",
    "六、部门整体支出绩效情况", "九、其他需要说明的情况",
    "附件1-1 部门整体支出绩效评价基础数据表", "附件1-2 部门整体支出绩效自评表",
]


@pytest.fixture(scope="module")
def built_with_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pdf")
    loaded = build(CONTENT, BuildOptions(out=root / "site", pdf=True, jobs=1, cache=root / "cache"))
    assert loaded.report.ok
    return root / "site"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_every_figure_of_the_report_is_in_the_pdf_text(built_with_pdf: Path) -> None:
    words = set(re.findall(r"[\d.]+%?", pdf_text(built_with_pdf / PDF)))
    missing = sorted(v for v in source_figures() if not printed(v) & words)
    assert missing == []


def test_the_pdf_prints_the_text_as_published_without_check_markers(built_with_pdf: Path) -> None:
    text = re.sub(r"\s+", "", pdf_text(built_with_pdf / PDF))
    for sentence in (  # from the seed, word for word
        "2023年年初预算221.19万元，全年预算数194.42万元，实际支出194.30万元，转入结余分配0.12万元。",
        "2023年我单位安排“三公”经费支出数为34.50万元，其中，公务接待费21.50万元",
        "全年共计为市级领导和市直部门，各县、市（区）来京汇报对接工作联络服务400余人次。",
        "报告包括以下附件：",
    ):
        assert sentence in text, sentence
    assert "不核对" not in text and "{=" not in text


def test_headings_are_pdf_bookmarks(built_with_pdf: Path) -> None:
    with pikepdf.open(built_with_pdf / PDF) as pdf, pdf.open_outline() as outline:
        titles = []
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            titles.append(item.title)
            stack.extend(item.children)
    for heading in HEADINGS:
        assert heading in titles


def test_pdf_is_tagged_pdf_a_3a_in_chinese(built_with_pdf: Path) -> None:
    with pikepdf.open(built_with_pdf / PDF) as pdf:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False)
        assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "A"
        assert meta.get("dc:creator") == ["湖南省怀化市人民政府驻北京联络处"]
        assert bool(pdf.Root.MarkInfo.Marked) is True
        assert str(pdf.Root.Lang) == "zh-CN"
        assert str(pdf.docinfo.Title) == "湖南省怀化市人民政府驻北京联络处2023年部门整体支出绩效自评报告"
        assert str(pdf.docinfo.Author) == "湖南省怀化市人民政府驻北京联络处"


def structure(pdf: pikepdf.Pdf) -> list[str]:
    tags = []
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                tags.append(str(node.S))
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                stack.extend(kids)
            elif kids is not None:
                stack.append(kids)
    return tags


def test_every_table_is_tagged_with_header_and_data_cells(built_with_pdf: Path) -> None:
    html = (built_with_pdf / PDF.replace(".pdf", ".html")).read_text(encoding="utf-8")
    with pikepdf.open(built_with_pdf / PDF) as pdf:
        tags = structure(pdf)
    # A table that runs over a page break is tagged once per page it stands on.
    assert tags.count("/Table") >= html.count("<table ") == 16
    assert tags.count("/TH") > 100 and tags.count("/TD") > 150
    assert tags.count("/Figure") == 3, "each chart is a Figure with alternative text"


def test_source_and_data_are_embedded(built_with_pdf: Path) -> None:
    with pikepdf.open(built_with_pdf / PDF) as pdf:
        files = pdf.attachments
        assert sorted(files) == ["huaihua-bjlxc-2023-self-evaluation.json", "self-evaluation.yaml"]
        source = files["self-evaluation.yaml"].get_file().read_bytes()
    assert source == (CONTENT / SAMPLE_REPORT).read_bytes()


def test_every_font_is_embedded(built_with_pdf: Path) -> None:
    listing = subprocess.run(["pdffonts", str(built_with_pdf / PDF)], capture_output=True, text=True, check=True)
    rows = listing.stdout.splitlines()[2:]
    assert rows and all(re.search(r"\byes\s+yes\s+yes\b", row) for row in rows), listing.stdout
    assert all("Noto" in row for row in rows)


def test_report_page_links_the_pdf_with_size_and_pages(built_with_pdf: Path) -> None:
    html = (built_with_pdf / PDF.replace(".pdf", ".html")).read_text(encoding="utf-8")
    assert 'href="self-evaluation.pdf"' in html
    assert re.search(r"（PDF，\d+ KB，\d+ 页）", html)


def test_two_builds_give_identical_pdfs(sample_site: Path, tmp_path: Path) -> None:
    first = build(sample_site, BuildOptions(out=tmp_path / "a", jobs=1, cache=None))
    second = build(sample_site, BuildOptions(out=tmp_path / "b", jobs=1, cache=None))
    assert first.report.ok and second.report.ok
    assert (tmp_path / "a" / PDF).read_bytes() == (tmp_path / "b" / PDF).read_bytes()


def test_changing_one_figure_rerenders_only_that_report(tmp_path: Path) -> None:
    site = copy_site(CONTENT, tmp_path / "content")
    shutil.copytree(site / "huaihua-bjlxc", site / "second-unit")
    cache = tmp_path / "cache"
    logs: list[str] = []
    assert build(site, BuildOptions(out=tmp_path / "site", jobs=2, cache=cache), logs.append).report.ok
    report = site / "second-unit" / "2023" / "self-evaluation.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("金额: 55.20}", "金额: 55.10}").replace("基本工资55.20万元", "基本工资55.10万元"), encoding="utf-8")
    logs.clear()
    assert build(site, BuildOptions(out=tmp_path / "site", jobs=2, cache=cache), logs.append).report.ok
    pdf_lines = [line for line in logs if line.strip().startswith("PDF ")]
    assert len(pdf_lines) == 1, "the unchanged report's PDF is kept from the last build"
    assert "second-unit" in pdf_lines[0] and "取自缓存" not in pdf_lines[0]

    logs.clear()
    options = BuildOptions(out=tmp_path / "other", jobs=2, cache=cache)
    assert build(site, options, logs.append).report.ok
    reports = len(list(site.glob("*/*/*.yaml")))
    assert sum("取自缓存" in line for line in logs) == reports, "a fresh output folder takes every PDF from the cache"


def test_a_corrupt_cache_entry_is_rebuilt_not_published(sample_site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert build(sample_site, BuildOptions(out=tmp_path / "a", jobs=1, cache=cache)).report.ok
    good = (tmp_path / "a" / PDF).read_bytes()
    for entry in cache.glob("*.pdf"):  # one per report of the sample
        entry.write_bytes(entry.read_bytes()[:1000])
    logs: list[str] = []
    assert build(sample_site, BuildOptions(out=tmp_path / "b", jobs=1, cache=cache), logs.append).report.ok
    assert (tmp_path / "b" / PDF).read_bytes() == good
    assert not any("取自缓存" in line for line in logs)


def test_a_character_the_fonts_cannot_draw_stops_the_build(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = sample_site / SAMPLE_REPORT
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("    单位无其他需要说明的情况。\n", "    单位无其他需要说明的情况😀。\n"), encoding="utf-8")
    loaded = build(sample_site, BuildOptions(out=out, jobs=1, cache=None))
    [problem] = loaded.report.errors
    assert problem.code == "missing-glyph"
    assert "U+1F600" in problem.message and "😀" in problem.message
    assert problem.line == text.split("\n").index("    单位无其他需要说明的情况。") + 1
    assert problem.column == len("    单位无其他需要说明的情况") + 1
    assert not out.exists()
    from gongkai.pipeline import check

    assert [(p.code, p.line, p.column) for p in check(sample_site).errors] == [(problem.code, problem.line, problem.column)], \
        "check refuses what build refuses"
