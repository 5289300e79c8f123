"""The site as pages and addresses: a view derived from the validated content, never stored."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gongkai.content import Content, ReportEntry
from gongkai.models.project_evaluation import Project

KIND_NAMES = {
    "self-evaluation": "部门整体支出绩效自评报告",
    "budget": "部门预算",
    "final-accounts": "部门决算",
    "project-evaluation": "项目支出绩效自评表",
}

# A report's sections in page order: (anchor, heading). The page and the PDF list them alike.
Sections = tuple[tuple[str, str], ...]
# The self-evaluation's own tables, after its text and the figures Gongkai draws from it.
SELF_EVALUATION_TAIL: Sections = (
    ("data", "正文中的数字（据正文整理）"),
    ("a1", "附件1-1 部门整体支出绩效评价基础数据表"),
    ("a2", "附件1-2 部门整体支出绩效自评表"),
)
CHINESE_NUMERALS = "一二三四五六七八九十"
ASSETS = "assets"


def sections(entry: ReportEntry) -> Sections:
    """The table of contents of a report: its text's own headings, then its tables; one section per project."""
    if entry.kind == "project-evaluation":
        return project_sections(entry.model.projects)  # type: ignore[union-attr]
    if entry.kind in ("budget", "final-accounts"):
        return disclosure_sections(entry.model.narrative)  # type: ignore[union-attr]
    text = entry.model.text  # type: ignore[union-attr]
    return tuple((f"s{n}", heading) for n, heading in enumerate(text, 1)) + SELF_EVALUATION_TAIL


def disclosure_sections(narrative: dict[str, str]) -> Sections:
    """The text's own headings as published, then the tables (附表)."""
    tables = ("tables", "附表" if narrative else "公开表格")
    return tuple((f"s{n}", heading) for n, heading in enumerate(narrative, 1)) + (tables,)


def project_sections(projects: Sequence[Project]) -> Sections:
    """项目汇总, then “一、<项目名称>” for each project, anchored p1, p2, …"""
    return (("summary", "项目汇总"),) + tuple(
        (f"p{n}", f"{chinese_number(n)}、{project.name}") for n, project in enumerate(projects, 1)
    )


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一, as section headings count; from 100 on, digits."""
    if n >= 100:
        return str(n)
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    lead = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return f"{lead}十{CHINESE_NUMERALS[ones - 1] if ones else ''}"


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, which template draws it, and what it is about."""

    path: str  # POSIX, relative to the site root
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    description: str = ""  # what a search engine shows under the title


NOT_FOUND = "404.html"


def report_path(entry: ReportEntry) -> str:
    return f"{entry.unit.id}/{entry.year}/{entry.kind}.html"


def unit_path(unit_id: str) -> str:
    return f"{unit_id}/index.html"


def compare_path(unit_id: str) -> str:
    return f"{unit_id}/compare.html"


def year_path(year: int) -> str:
    return f"years/{year}.html"


def pdf_path(entry: ReportEntry) -> str:
    return f"{entry.unit.id}/{entry.year}/{entry.kind}.pdf"


def downloads_dir(entry: ReportEntry) -> str:
    return f"{entry.unit.id}/{entry.year}/downloads"


def relative(target: str, here: str) -> str:
    """A link from page `here` to file `target`, both relative to the site root.

    Relative links keep the site working under any sub-path and straight from disk.
    """
    start = posixpath.dirname(here) or "."
    return posixpath.relpath(target, start)


def report_title(entry: ReportEntry) -> str:
    return f"{entry.unit.name}{entry.listing.title}"


def latest_first(content: Content) -> list[ReportEntry]:
    return sorted(content.reports, key=lambda r: (-r.year, -r.listing.published.toordinal(), r.unit.id, r.kind))


def report_page(entry: ReportEntry) -> Page:
    about = f"{entry.unit.name}{entry.year}年度{KIND_NAMES[entry.kind]}：网页、PDF 和表格数据下载（CSV、XLSX、JSON）"
    return Page(report_path(entry), f"report-{entry.kind}.html", report_title(entry), {"entry": entry}, about)


def pages(content: Content) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    site_title = content.config.title
    publisher = content.config.publisher
    result = [
        Page("index.html", "home.html", site_title, {"reports": latest_first(content)},
             f"{publisher}历年公开的部门预算、部门决算和绩效自评报告"),
        Page("accessibility.html", "accessibility.html", "无障碍声明", {}, f"{site_title}的无障碍声明"),
        Page(NOT_FOUND, "404.html", "页面未找到", {}, f"{site_title}：页面未找到"),
        Page("search.html", "search.html", "站内搜索", {}, f"搜索{site_title}公开的全部报告"),
        Page("archive.html", "archive.html", "历年归档", {"reports": latest_first(content)},
             f"{site_title}各年度的归档情况和发布后的更正"),
    ]
    for unit_id, unit in sorted(content.units.items()):
        result.append(Page(unit_path(unit_id), "unit.html", unit.name, {"unit": unit, "reports": content.reports_of(unit_id)},
                           f"{unit.name}历年公开的预算、决算和绩效自评报告"))
        result.append(Page(compare_path(unit_id), "compare.html", f"{unit.name}历年主要数字对比", {"unit": unit},
                           f"{unit.name}历年预算、决算收支总计，“三公”经费，执行率和自评得分并列对比"))
    for year in content.years():
        reports = [r for r in latest_first(content) if r.year == year]
        result.append(Page(year_path(year), "year.html", f"{year}年度公开信息", {"year": year, "reports": reports},
                           f"{site_title}{year}年度公开的报告"))
    for entry in latest_first(content):
        result.append(report_page(entry))
    return result
