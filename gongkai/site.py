"""The site as pages and addresses: a view derived from the validated content, never stored."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from gongkai.content import Content, ReportEntry

KIND_NAMES = {"self-evaluation": "部门整体支出绩效自评报告"}
ASSETS = "assets"


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, which template draws it, and what it is about."""

    path: str  # POSIX, relative to the site root
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def report_path(entry: ReportEntry) -> str:
    return f"{entry.unit.id}/{entry.year}/{entry.kind}.html"


def unit_path(unit_id: str) -> str:
    return f"{unit_id}/index.html"


def year_path(year: int) -> str:
    return f"years/{year}.html"


def downloads_dir(entry: ReportEntry) -> str:
    return f"{entry.unit.id}/{entry.year}/downloads"


def relative(target: str, here: str) -> str:
    """A link from page `here` to file `target`, both relative to the site root.

    Relative links keep the site working under any sub-path and straight from disk.
    """
    start = posixpath.dirname(here) or "."
    return posixpath.relpath(target, start)


def report_title(entry: ReportEntry) -> str:
    return f"{entry.unit.model.name}{entry.model.title}"


def latest_first(content: Content) -> list[ReportEntry]:
    return sorted(content.reports, key=lambda r: (-r.year, -r.model.published.toordinal(), r.unit.id, r.kind))


def pages(content: Content) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    site_title = content.config.title
    result = [
        Page("index.html", "home.html", site_title, {"reports": latest_first(content)}),
        Page("accessibility.html", "accessibility.html", "无障碍声明"),
        Page("404.html", "404.html", "页面未找到"),
    ]
    for unit_id, unit in sorted(content.units.items()):
        result.append(Page(unit_path(unit_id), "unit.html", unit.model.name, {"unit": unit, "reports": content.reports_of(unit_id)}))
    for year in content.years():
        reports = [r for r in latest_first(content) if r.year == year]
        result.append(Page(year_path(year), "year.html", f"{year}年度公开信息", {"year": year, "reports": reports}))
    for entry in latest_first(content):
        result.append(Page(report_path(entry), f"report-{entry.kind}.html", report_title(entry), {"entry": entry}))
    return result
